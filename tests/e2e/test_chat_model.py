#!/usr/bin/env python3
"""End-to-end tests of the chat's model path (docs/chat-model.md) without model weights: `panocarbon chat ...
--model-url URL --model scripted --format json` against a scripted OpenAI-compatible server on a loopback port
(tests/agents/scripted_openai.py) that checks every request (model, tools and their JSON Schemas, system prompt,
bearer key, each tool call answered by a tool message with its id carrying the real result) and replays a
script per scenario: a plain tool call then an answer; arguments as a string and as an object; missing ids and
two calls in one message; streamed fragments and a clipped result; a question in Chinese; a legacy
function_call; unknown tools and bad arguments; a server that refuses a stream; an answer with a made-up number
(rejected, asked again, corrected or fallen back); a malformed body; HTTP 500; empty choices; a timeout; a refused
connection; too many rounds; a question back; an interactive session whose earlier turns are sent.

The numbers are checked against the CLI's own JSON for the same capability. What this proves and what it does
not: docs/chat-model.md.

    test_chat_model.py --bin build/bin/panocarbon
"""
import json, os, socket, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'tests', 'agents'))
import harness  # noqa: E402
from harness import test  # noqa: E402
from scripted_openai import ScriptedServer, same, without_provenance  # noqa: E402

BIN = harness.parse_bin()
AGENTS = {'process', 'trade', 'lca', 'natural', 'uncertainty'}
BASE_ENV = {k: v for k, v in os.environ.items()
            if k not in ('PANOCARBON_MODEL_URL', 'PANOCARBON_MODEL', 'PANOCARBON_MODEL_KEY', 'PANOCARBON_MODEL_TIMEOUT')}


def cli_json(tmp, *args):
    """The CLI's own JSON for a capability (the reference for the numbers)."""
    p = subprocess.run([BIN, *args, '--format', 'json', '--db', os.path.join(tmp, 'ref.db')], cwd=REPO,
                       capture_output=True, text=True, env=BASE_ENV, timeout=300)
    assert p.returncode == 0, f'{args}: {p.stderr}'
    return json.loads(p.stdout)


def chat(tmp, server_or_url, question, key=None, env=None, model='scripted', url_suffix=''):
    url = server_or_url if isinstance(server_or_url, str) else server_or_url.url
    e = dict(BASE_ENV)
    if key is not None:
        e['PANOCARBON_MODEL_KEY'] = key
    e.update(env or {})
    p = subprocess.run([BIN, 'chat', question, '--model-url', url + url_suffix, '--model', model, '--format', 'json',
                        '--db', os.path.join(tmp, 'chat.db')],
                       cwd=REPO, capture_output=True, text=True, env=e, timeout=300)
    assert p.returncode == 0, f'chat exited {p.returncode}: {p.stderr}'
    try:
        return json.loads(p.stdout)
    except ValueError:
        raise AssertionError(f'chat --format json printed no JSON: {p.stdout[:500]!r}')


def result_of(entry):
    """A result as the answer lists it (the registry's JSON, or an object holding it under "result")."""
    if isinstance(entry, dict) and 'result' in entry and ('tool' in entry or 'step' in entry or 'error' in entry):
        return entry['result']
    return entry


def clean(server):
    assert not server.failures, 'the scripted server found:\n  ' + '\n  '.join(server.failures)
    assert not server.script, f'{len(server.script)} scripted replies were never asked for'


def model_answer(out, tools):
    """The model path answered: its planner, the plan's tools in order, agents among the five."""
    assert out.get('planner') == 'model:scripted', f"planner {out.get('planner')!r}; warnings {out.get('warnings')}"
    plan = out['plan']
    assert [s['tool'] for s in plan] == [t for t, _ in tools], plan
    for s, (_, args) in zip(plan, tools):
        assert s['agent'] in AGENTS, s
        assert s['arguments'] == args, (s['arguments'], args)
    assert len(out['results']) == len(tools), out['results']


def fell_back(out, *says):
    assert out.get('planner') == 'deterministic', f"planner {out.get('planner')!r}: the model path did not fall back"
    text = ' | '.join(out.get('warnings', []))
    for s in says:
        assert s in text, f'the warnings do not say {s!r}: {text}'
    assert 'the deterministic planner answered instead of the model' in text, text


def fmt(x):
    return f'{x:g}'


@test
def plain_tool_call_then_answer_with_bearer_key(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR5')
    ch4 = fmt(ref['gwp100']['CH4'])
    text = f'Under AR5, methane has a GWP100 of {ch4} kg CO2e/kg [1].'
    q = 'What is the GWP100 of methane under AR5?'
    script = [
        {'reply': {'tool_calls': [{'id': 'call_a', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}, 'as': 'string'}]}},
        {'expect': {'results': [{'tool_call_id': 'call_a', 'result': ref}]}, 'reply': {'content': text}},
    ]
    with ScriptedServer(script, key='sk-test-123', question=q) as s:
        out = chat(tmp, s, q, key='sk-test-123')
    clean(s)
    model_answer(out, [('gwp list', {'gwp': 'AR5'})])
    assert same(result_of(out['results'][0]), ref), out['results'][0]
    assert out['answer'] == text, out['answer']
    assert len(out['citations']) == 1 and out['citations'][0]['capability'] == 'gwp list', out['citations']
    assert ch4 in out['answer']


@test
def chinese_question_and_answer(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR5')
    text = f"在AR5中，甲烷的GWP100为{fmt(ref['gwp100']['CH4'])} kg CO2e/kg [1]。"
    q = '甲烷在AR5中的GWP100是多少？'
    script = [
        {'reply': {'stream': True, 'tool_calls': [{'id': 'z1', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
        {'expect': {'results': [{'tool_call_id': 'z1', 'result': ref}]}, 'reply': {'stream': True, 'content': text}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    model_answer(out, [('gwp list', {'gwp': 'AR5'})])
    assert out['language'] == 'zh', out['language']
    assert out['answer'] == text, out['answer']


@test
def object_arguments_missing_ids_two_calls_in_one_message(tmp):
    ar4, ar6 = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR4'), cli_json(tmp, 'gwp', 'list', '--gwp', 'AR6')
    text = f"N2O: {fmt(ar4['gwp100']['N2O'])} in AR4 [1] and {fmt(ar6['gwp100']['N2O'])} in AR6 [2]."
    q = 'Compare the GWP100 of N2O in AR4 and AR6'
    script = [
        {'reply': {'tool_calls': [{'name': 'gwp_list', 'arguments': {'gwp': 'AR4'}, 'as': 'object'},
                                  {'name': 'gwp_list', 'arguments': {'gwp': 'AR6'}, 'as': 'object'}],
                   'finish_reason': None}},
        {'expect': {'results': [{'result': ar4}, {'result': ar6}]}, 'reply': {'content': text}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q, url_suffix='/v1/')
    clean(s)
    model_answer(out, [('gwp list', {'gwp': 'AR4'}), ('gwp list', {'gwp': 'AR6'})])
    assert same(result_of(out['results'][0]), ar4) and same(result_of(out['results'][1]), ar6)
    assert out['answer'] == text


@test
def streamed_fragments_and_a_clipped_result(tmp):
    args = {'file': 'examples/inventory.csv', 'by': 'gas', 'gwp': 'AR6'}
    ref = cli_json(tmp, 'inventory', 'calc', 'examples/inventory.csv', '--by', 'gas', '--gwp', 'AR6')
    assert len(json.dumps(ref)) > 12000, 'the reference result no longer needs clipping: pick a larger one'
    text = f"The example inventory emits {ref['total_co2e_t']:,.0f} t CO2e (AR6) [1]."
    q = 'What does the example inventory emit by gas?'
    script = [
        {'reply': {'stream': True, 'tool_calls': [{'id': 'st-1', 'name': 'inventory_calc', 'arguments': args}]}},
        {'expect': {'results': [{'tool_call_id': 'st-1', 'result': ref, 'clipped': True}]},
         'reply': {'stream': True, 'content': text}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    model_answer(out, [('inventory calc', args)])
    # The answer keeps the whole result (only the model's copy is clipped).
    assert same(without_provenance(result_of(out['results'][0])), without_provenance(ref))
    assert out['answer'] == text, out['answer']


@test
def legacy_function_call(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR6')
    text = f"In AR6, N2O has a GWP100 of {fmt(ref['gwp100']['N2O'])} [1]."
    q = 'GWP100 of nitrous oxide, AR6?'
    script = [
        {'reply': {'legacy': True, 'tool_calls': [{'name': 'gwp_list', 'arguments': {'gwp': 'AR6'}}],
                   'finish_reason': 'function_call'}},
        {'reply': {'content': text}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q, url_suffix='/v1')
    clean(s)
    model_answer(out, [('gwp list', {'gwp': 'AR6'})])
    assert out['answer'] == text


@test
def unknown_tool_and_bad_arguments_go_back_to_the_model(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR5')
    text = f"CH4: {fmt(ref['gwp100']['CH4'])} [1]."
    q = 'What is the GWP100 of methane under AR5?'
    script = [
        {'reply': {'tool_calls': [{'id': 'u1', 'name': 'carbon_magic', 'arguments': {}},
                                  {'id': 'u2', 'name': 'gwp_list', 'arguments': {'gwp': 'AR9'}},
                                  {'id': 'u3', 'name': 'gwp_list', 'arguments': '{"gwp": "AR5"'}]}},
        {'expect': {'results': [{'tool_call_id': 'u1', 'error': "there is no tool 'carbon_magic'"},
                                {'tool_call_id': 'u2', 'error': 'AR9'},
                                {'tool_call_id': 'u3', 'error': 'not valid JSON'}]},
         'reply': {'tool_calls': [{'id': 'u4', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
        {'expect': {'results': [{'tool_call_id': 'u4', 'result': ref}]}, 'reply': {'content': text}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    # Each call of a real tool is in the plan (the failed ones with their error); the unknown one is not.
    assert out['planner'] == 'model:scripted', out
    assert [st['tool'] for st in out['plan']] == ['gwp list'] * 3, out['plan']
    assert out['plan'][0]['arguments'] == {'gwp': 'AR9'} and out['plan'][2]['arguments'] == {'gwp': 'AR5'}
    assert result_of(out['results'][0]) is None and same(result_of(out['results'][2]), ref), out['results']
    w = ' | '.join(out['warnings'])
    assert "a tool that does not exist: 'carbon_magic'" in w, w
    assert 'the tool call gwp_list failed' in w, w
    assert out['answer'] == text


@test
def made_up_number_is_rejected_then_corrected(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR5')
    good = f"CH4: {fmt(ref['gwp100']['CH4'])} kg CO2e/kg [1]."
    q = 'What is the GWP100 of methane under AR5?'
    script = [
        {'reply': {'tool_calls': [{'id': 'm1', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
        {'reply': {'content': 'CH4: 31.7 kg CO2e/kg [1].'}},
        {'expect': {'user_contains': ['31.7', 'Every number must come from a tool result']}, 'reply': {'content': good}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    model_answer(out, [('gwp list', {'gwp': 'AR5'})])
    assert out['answer'] == good
    assert any("first answer of the model 'scripted' held numbers that no tool result gave (31.7)" in w for w in out['warnings']), out['warnings']


@test
def made_up_number_twice_falls_back(tmp):
    q = 'What is the GWP100 of methane under AR5?'
    script = [
        {'reply': {'tool_calls': [{'id': 'm1', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
        {'reply': {'stream': True, 'content': 'CH4: 31.7 kg CO2e/kg [1].'}},
        {'expect': {'user_contains': ['31.7']}, 'reply': {'content': 'Sorry: CH4 is 31.7 [1].'}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    fell_back(out, 'still held numbers that no tool result gave (31.7) after it was asked to correct them')


@test
def a_refused_stream_is_asked_again_without_one(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR5')
    text = f"CH4: {fmt(ref['gwp100']['CH4'])} [1]."
    q = 'What is the GWP100 of methane under AR5?'
    refusal = json.dumps({'error': {'message': 'streaming is not supported with tools'}})
    script = [
        {'reply': {'status': 400, 'body': refusal}},
        {'expect': {'stream': False}, 'reply': {'tool_calls': [{'id': 'n1', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
        {'expect': {'stream': False, 'results': [{'tool_call_id': 'n1', 'result': ref}]}, 'reply': {'content': text}},
    ]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    model_answer(out, [('gwp list', {'gwp': 'AR5'})])
    assert out['answer'] == text
    assert any('refused a streamed request (HTTP 400: streaming is not supported with tools)' in w
               for w in out['warnings']), out['warnings']


@test
def malformed_body_falls_back(tmp):
    q = 'What is the GWP100 of methane under AR5?'
    with ScriptedServer([{'reply': {'raw': '<html><body>502 Bad Gateway</body></html>', 'content_type': 'text/html'}}],
                        question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    fell_back(out, 'is not JSON (it begins: <html><body>502 Bad Gateway')


@test
def http_500_falls_back(tmp):
    q = 'What is the GWP100 of methane under AR5?'
    script = [{'reply': {'status': 500, 'body': json.dumps({'error': {'message': 'CUDA out of memory'}})}}]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    fell_back(out, 'answered HTTP 500: CUDA out of memory')


@test
def empty_choices_fall_back(tmp):
    q = 'What is the GWP100 of methane under AR5?'
    with ScriptedServer([{'reply': {'empty_choices': True}}], question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    fell_back(out, 'holds no choices')


@test
def timeout_falls_back(tmp):
    q = 'What is the GWP100 of methane under AR5?'
    with ScriptedServer([{'reply': {'delay': 3, 'content': 'late'}}], question=q) as s:
        out = chat(tmp, s, q, env={'PANOCARBON_MODEL_TIMEOUT': '1'})
    clean(s)
    fell_back(out, 'no complete answer within 1 s')


@test
def refused_connection_falls_back(tmp):
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    out = chat(tmp, f'http://127.0.0.1:{port}', 'What is the GWP100 of methane under AR5?')
    fell_back(out, 'could not be used', f'POST http://127.0.0.1:{port}/v1/chat/completions failed')


@test
def too_many_rounds_fall_back(tmp):
    q = 'What is the GWP100 of methane under AR5?'
    script = [{'reply': {'tool_calls': [{'id': f'r{i}', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}}
              for i in range(7)]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    fell_back(out, 'still called tools after 6 rounds')


@test
def question_back_without_tools(tmp):
    q = 'What was the consumption-side CO2 of China?'
    script = [{'reply': {'content': 'Which year do you mean (the ledger holds 1990-2018)?'}}]
    with ScriptedServer(script, question=q) as s:
        out = chat(tmp, s, q)
    clean(s)
    assert out['planner'] == 'model:scripted', out
    assert out['plan'] == [] and out['results'] == []
    assert out['clarify'] == script[0]['reply']['content'], out


@test
def an_interactive_session_sends_the_earlier_turns(tmp):
    ref = cli_json(tmp, 'gwp', 'list', '--gwp', 'AR5')
    text = f"CH4: {fmt(ref['gwp100']['CH4'])} [1]."
    q1, ask_back, q2 = 'What is the GWP100 of methane?', 'Which GWP set: AR4, AR5 or AR6?', 'AR5'
    script = [
        {'expect': {'conversation': [['user', q1]]}, 'reply': {'content': ask_back}},
        {'expect': {'conversation': [['user', q1], ['assistant', ask_back], ['user', q2]]},
         'reply': {'tool_calls': [{'id': 'h1', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
        {'expect': {'results': [{'tool_call_id': 'h1', 'result': ref}]}, 'reply': {'content': text}},
    ]
    e = dict(BASE_ENV)
    with ScriptedServer(script) as s:
        p = subprocess.run([BIN, 'chat', '--model-url', s.url, '--model', 'scripted', '--format', 'json',
                            '--db', os.path.join(tmp, 'chat.db')], input=f'{q1}\n{q2}\n:quit\n',
                           cwd=REPO, capture_output=True, text=True, env=e, timeout=300)
    assert p.returncode == 0, p.stderr
    clean(s)
    first, second = json.loads('[' + p.stdout.replace('}\n{', '},\n{') + ']')
    assert first['planner'] == 'model:scripted' and first['clarify'] == ask_back, first
    model_answer(second, [('gwp list', {'gwp': 'AR5'})])
    assert second['answer'] == text


@test
def the_scripted_server_catches_a_wrong_client(tmp):
    """The checks can fail: a client with the wrong model, key, stream flag, tools, prompt, ids and result."""
    import urllib.request
    tools = [{'type': 'function', 'function': {'name': 'db_repair', 'description': '',
                                               'parameters': {'type': 'object', 'properties': {'x': {'type': 'nonsense'}}}}}]
    sysmsg = {'role': 'system', 'content': 'hello'}

    def post(url, msgs):
        body = json.dumps({'model': 'other', 'stream': False, 'tools': tools, 'messages': msgs}).encode()
        req = urllib.request.Request(url + '/v1/chat/completions', body,
                                     {'Content-Type': 'application/json', 'Authorization': 'Bearer nope'})
        return urllib.request.urlopen(req, timeout=30).read()

    script = [{'reply': {'tool_calls': [{'id': 'A', 'name': 'gwp_list', 'arguments': {'gwp': 'AR5'}}]}},
              {'expect': {'results': [{'result': {'a': 1}}]}, 'reply': {'content': 'x'}}]
    with ScriptedServer(script, key='k', question='q') as s:
        post(s.url, [sysmsg, {'role': 'user', 'content': 'q2'}])
        post(s.url, [sysmsg, {'role': 'user', 'content': 'q'},
                     {'role': 'assistant', 'content': None,
                      'tool_calls': [{'id': 'B', 'type': 'function', 'function': {'name': 'gwp_list', 'arguments': {}}}]},
                     {'role': 'tool', 'tool_call_id': 'B', 'content': json.dumps({'citation': 1, 'result': {'a': 2}})}])
    found = '\n'.join(s.failures)
    for says in ["Authorization 'Bearer nope'", "model 'other'", '"stream" is False, not True', 'tool_choice None',
                 "system tool 'db_repair' is offered", 'not a valid JSON Schema', 'lacks the rule',
                 "does not name the agent 'trade'", "the question 'q' is not among", 'sent back as dict',
                 "the call 'A' (gwp_list) is not in the messages sent back", "result differs from the CLI's"]:
        assert says in found, f'the scripted server did not report {says!r}:\n{found}'


if __name__ == '__main__':
    harness.run_all('panocarbon-chat-model-')
