#!/usr/bin/env python3
"""End-to-end tests of the chat endpoint of `panocarbon serve` (POST /api/chat, docs/api.md "Chat"): the real
server on a free loopback port with a temporary database, driven over HTTP.

    test_server_chat.py --bin build/bin/panocarbon

The questions of the issue answered with the numbers of `panocarbon account` run separately on the server's
database (and the USLCI question with `panocarbon lca calc`'s), each cited with a run of the server's run log;
a step reading the data folder, a link out of it refused; a question back and the reply that continues it; the
errors (400 naming the field: no question, an empty one, a model or path sent by the client, a malformed history;
413; 403 for another site's page; 401 without the token); the server's own chat options (--data, --model-url)
checked at start and a model that does not answer falling back to the deterministic planner.
"""
import argparse, json, os, re, socket, sqlite3, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import test  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.normpath(os.path.join(REPO, '..', 'shared', 'data'))
ap = argparse.ArgumentParser()
ap.add_argument('--bin', required=True)
BIN = os.path.abspath(ap.parse_args().bin)
ENV = dict(os.environ)
LOGS_RUN = {c['name']: c['logs_run'] for c in json.loads(subprocess.run(
    [BIN, 'capabilities', '--format', 'json'], capture_output=True, check=True).stdout)}
for k in ('PANOCARBON_TOKEN', 'PANOCARBON_MODEL_URL', 'PANOCARBON_MODEL', 'PANOCARBON_MODEL_KEY', 'PANOCARBON_DATA'):
    ENV.pop(k, None)


class Server(harness.ServeProcess):
    """`panocarbon serve --port 0` with its own database and files folder, stopped on exit."""

    def __init__(self, tmp, *args, env=None):
        self.db = os.path.join(tmp, 'server.db')
        self.files = os.path.join(tmp, 'server-files')
        super().__init__([BIN, 'serve', '--port', '0', '--db', self.db, '--files', self.files] + list(args),
                         env or ENV, tmp)

    def chat(self, body, status=200, headers=None):
        st, _, data = self.request('POST', '/api/chat', body, headers)
        assert st == status, f'POST /api/chat {json.dumps(body, ensure_ascii=False)[:300]}: {st} (wanted {status}): ' \
                             f'{data[:800].decode(errors="replace")}'
        return json.loads(data)


def error_of(data, status, st, field=None, says=()):
    e = json.loads(data)['error']
    assert st == status, (st, status, e)
    assert set(e) >= {'category', 'message', 'field'}, e
    if field is not None:
        assert e['field'] == field, (field, e)
    for s in says:
        assert s in e['message'], (s, e['message'])
    return e


def cli_json(db, *args):
    p = subprocess.run([BIN, *args, '--db', db, '--format', 'json'], capture_output=True, text=True, env=ENV,
                       cwd=REPO, timeout=900)
    assert p.returncode == 0, f'{args}: {p.stderr[-600:]}'
    return json.loads(p.stdout)


def cli_args(arguments):
    """A plan step's arguments as CLI options."""
    out = []
    for k, v in arguments.items():
        for x in (v if isinstance(v, list) else [v]):
            if x is True:
                out.append(f'--{k}')
            elif x is not False and x is not None:
                out += [f'--{k}', str(x)]
    return out


def numbers_in(node):
    if isinstance(node, bool):
        return
    if isinstance(node, (int, float)):
        yield float(node)
    elif isinstance(node, dict):
        for v in node.values():
            yield from numbers_in(v)
    elif isinstance(node, list):
        for v in node:
            yield from numbers_in(v)


def shown_numbers(text):
    """The numbers written in an answer (thousands separators dropped), citation marks [n] left out."""
    text = re.sub(r'\[\d+\]', ' ', text)
    return [float(m.replace(',', '')) for m in re.findall(r'\d[\d,]*(?:\.\d+)?', text)]


def shows(text, value):
    """Whether `text` writes `value` (or it in thousands or thousandths: Mt as Gt or kt), rounded as shown."""
    for x in shown_numbers(text):
        for v in (value, value / 1000, value * 1000):
            if v and abs(x - abs(v)) <= 0.005 * abs(v):
                return True
    return False


def without_timings(node):
    """A result without its run id and the seconds things took (keys ending in _s): what two runs share."""
    if isinstance(node, dict):
        return {k: without_timings(v) for k, v in node.items() if k != 'run_id' and not k.endswith('_s')}
    if isinstance(node, list):
        return [without_timings(v) for v in node]
    return node


def runs(db):
    with sqlite3.connect(db) as c:
        return {r[0]: r[1:] for r in c.execute('SELECT id, command, status FROM runs')}


def step(answer, tool):
    """The index and the step of the plan that runs `tool`."""
    for i, s in enumerate(answer['plan']):
        if s['tool'] == tool:
            return i, s
    raise AssertionError(f'no {tool} in the plan {json.dumps(answer["plan"], ensure_ascii=False)}')


def result_of(answer, i):
    """Step i's result (the registry's JSON rendering), after checking it did not fail."""
    assert len(answer['results']) == len(answer['plan']) == len(answer['errors']) == len(answer['steps']), answer.keys()
    assert answer['errors'][i] is None, answer['errors'][i]
    return answer['results'][i]


def answered_from_the_account(s, answer, country, year, indicator):
    """The plan ran `account` for country and year; its result is `panocarbon account` of the same arguments on
    the server's database; the answer writes the indicator's value and cites the run."""
    assert answer['clarify'] in ('', None), answer
    i, st = step(answer, 'account')
    assert st['agent'] == 'trade', st
    args = st['arguments']
    assert args.get('country') == country and int(args.get('year')) == year, args
    got = result_of(answer, i)
    want = cli_json(s.db, 'account', *cli_args(args))
    assert got == want, 'the chat\'s account result is not `panocarbon account` of the same arguments'
    rows = [r for r in want['rows'] if r['country'] == country and r['indicator'] == indicator
            and isinstance(r.get('value'), (int, float))]
    assert rows, f'`account` has no {indicator} of {country} in {year}'
    assert any(shows(answer['answer'], r['value']) for r in rows), \
        f'the answer does not write a {indicator} value of {[r["value"] for r in rows]}: {answer["answer"]}'
    # every number the answer writes is a year, a number of the question or one of the tool results
    results = list(numbers_in(answer['results']))
    for x in shown_numbers(answer['answer']):
        if 1900 <= x <= 2100 or x <= len(answer['citations']):
            continue
        assert any(abs(x - abs(v)) <= 0.005 * abs(v) + 1e-9 or abs(x - abs(v) / 1000) <= 0.005 * abs(v) / 1000
                   or abs(x - abs(v) * 100) <= 0.005 * abs(v) * 100 + 0.05 for v in results if v), \
            f'{x} in the answer is in no tool result: {answer["answer"]}'
    cited = [c for c in answer['citations'] if c.get('capability') == 'account']
    assert cited and cited[0]['dataset'], answer['citations']
    assert answer['steps'][i]['run_id'] == cited[0]['run_id'], (answer['steps'][i], cited)
    runs_are_in_the_log(s, answer)


def runs_are_in_the_log(s, answer):
    """Each step of a capability that logs its runs cites a run of the server's run log, ok, of that capability;
    a read (account: logs_run false) cites run id 0, and the runs that stored its data when it names them."""
    logged = runs(s.db)
    for st, c in zip(answer['steps'], answer['citations']):
        if LOGS_RUN[st['tool']]:
            assert c['run_id'] in logged and logged[c['run_id']] == (st['tool'], 'ok'), (st, c, logged.get(c['run_id']))
        else:
            assert c['run_id'] == 0, (st, c)
            for r in c.get('data_runs', []):
                assert r in logged and logged[r][1] == 'ok', (c, logged.get(r))


# ---- answers ------------------------------------------------------------------------------------------------------

@test
def the_chinese_question_is_answered_with_the_accounts_numbers(tmp):
    with Server(tmp) as s:
        a = s.chat({'question': '中国2009年的消费侧排放是多少?'})
        assert set(a) >= {'answer', 'plan', 'results', 'citations', 'clarify', 'language', 'intent', 'slots'}, a.keys()
        assert a['language'] == 'zh' and re.search(r'[\u4e00-\u9fff]', a['answer']), a['answer']
        assert a['planner'] == 'deterministic', a['planner']
        answered_from_the_account(s, a, 'CHN', 2009, 'consumption')


@test
def an_english_question_is_answered_in_english(tmp):
    with Server(tmp) as s:
        a = s.chat({'question': "What were the production-based CO2 emissions of the United States in 2009?"})
        assert a['language'] == 'en' and not re.search(r'[\u4e00-\u9fff]', a['answer']), a['answer']
        answered_from_the_account(s, a, 'USA', 2009, 'production')


@test
def a_question_back_and_the_reply_continue_the_conversation(tmp):
    with Server(tmp) as s:
        q = "What were China's consumption-based emissions?"
        first = s.chat({'question': q})
        assert first['clarify'], f'no question back for a question without a year: {first["answer"]}'
        assert first['results'] == [] and first['citations'] == [], 'a question back runs nothing'
        before = runs(s.db)
        reply = s.chat({'question': '2009', 'history': [{'question': q, 'plan': first}]})
        answered_from_the_account(s, reply, 'CHN', 2009, 'consumption')
        assert len(runs(s.db)) > len(before)
        # the history as the web page sends it (the plan's parts, no results) is the same conversation
        slim = {k: first[k] for k in ('plan', 'clarify', 'language', 'intent', 'slots')}
        again = s.chat({'question': '2009', 'history': [{'question': q, 'plan': slim}]})
        # (the ledger the first reply built is not built again)
        assert step(again, 'account') == (0, step(reply, 'account')[1]), (again['plan'], reply['plan'])


@test
def steps_read_the_servers_data_folder_and_nothing_outside_it(tmp):
    """A step reading a dataset of --data runs (through the server's readers, which refuse any other path); a link
    in the data folder that leads out of it is refused, naming the option."""
    if not os.path.isdir(os.path.join(SHARED, 'natural', 'gcb2019')):
        print('skipped: no ../shared/data/natural/gcb2019')
        return
    q = 'What were the global ocean and land sinks in 2018?'
    want = cli_json(os.path.join(tmp, 'cli.db'), 'natural', 'sinks', '--data', os.path.join(SHARED, 'natural', 'gcb2019'),
                    '--year', '2018')
    os.makedirs(os.path.join(tmp, 'in'))
    with Server(os.path.join(tmp, 'in'), '--data', SHARED) as s:
        a = s.chat({'question': q})
        i, st = step(a, 'natural sinks')
        # the server holds its data folder as a real path (links resolved: the allowed root it checks against)
        assert st['arguments']['data'] == os.path.realpath(os.path.join(SHARED, 'natural', 'gcb2019')), st
        assert result_of(a, i) == want, 'the chat\'s natural sinks result is not the CLI\'s'
        runs_are_in_the_log(s, a)
    data = os.path.join(tmp, 'data')
    os.makedirs(data)
    os.symlink(os.path.join(SHARED, 'natural'), os.path.join(data, 'natural'))
    os.makedirs(os.path.join(tmp, 'out'))
    with Server(os.path.join(tmp, 'out'), '--data', data) as s:
        a = s.chat({'question': q})
        i, st = step(a, 'natural sinks')
        assert a['results'][i] is None and 'outside the folders' in a['errors'][i] and "'data'" in a['errors'][i], a['errors']
        assert runs(s.db) == {}, 'a refused step ran'


@test
def the_lca_question_imports_uslci_from_the_data_folder_and_answers_with_lca_calc(tmp):
    if not os.path.isdir(os.path.join(SHARED, 'lca', 'uslci-jsonld')):
        print('skipped: no ../shared/data/lca/uslci-jsonld')
        return
    with Server(tmp, '--data', SHARED) as s:
        a = s.chat({'question': 'What is the carbon footprint of 1 kg of Portland cement in USLCI?'})
        assert a['clarify'] is None and a['language'] == 'en', a
        i, _ = step(a, 'lca calc')
        ran = a['steps'][i]['arguments']  # the process resolved from the search's first hit
        got = result_of(a, i)
        want = cli_json(s.db, 'lca', 'calc', *cli_args(ran))
        assert got['run_id'] == a['steps'][i]['run_id'] and want['run_id'] != got['run_id'], (got['run_id'], want['run_id'])
        assert without_timings(got) == without_timings(want), \
            'the chat\'s lca calc result is not `panocarbon lca calc` of the same arguments (run id and timings apart)'
        total = [r for r in want['results'] if r['category'] == 'total']
        assert total and shows(a['answer'], total[0]['amount']), (total, a['answer'])
        runs_are_in_the_log(s, a)


# ---- errors -------------------------------------------------------------------------------------------------------

@test
def bad_requests_name_the_field(tmp):
    with Server(tmp, '--max-body', '4096') as s:
        n = len(runs(s.db)) if os.path.exists(s.db) else 0
        cases = [
            ({}, 'question', ['missing']),
            ({'question': ''}, 'question', ['empty']),
            ({'question': '   \n'}, 'question', ['empty']),
            ({'question': 42}, 'question', ['string']),
            ({'question': 'q' * 4001}, 'question', ['4001 bytes']),
            ({'question': 'China 2009', 'model_url': 'http://127.0.0.1:9/v1'}, 'model_url',
             ['not accepted from a client', '--model-url']),
            ({'question': 'China 2009', 'model': 'x'}, 'model', ['not accepted from a client']),
            ({'question': 'China 2009', 'data': '/etc'}, 'data', ['not accepted from a client']),
            ({'question': 'China 2009', 'temperature': 0}, 'temperature', ['no field', 'question, history']),
            ({'question': 'China 2009', 'history': 'earlier'}, 'history', ['list']),
            ({'question': 'China 2009', 'history': [{'plan': []}]}, 'history[0].question', ['missing']),
            ({'question': 'China 2009', 'history': [{'question': 'q', 'answer': 'a'}]}, 'history[0].answer', ['not a field']),
            ({'question': 'China 2009', 'history': [{'question': 'q', 'plan': {'plan': [{'agent': 'trade', 'tool': 'account', 'sql': 1}]}}]},
             'history[0].plan.plan[0].sql', ['no field']),
            ({'question': 'China 2009', 'history': [{'question': 'q', 'plan': {'plan': [{'agent': 'trade', 'tool': 'rm_rf'}]}}]},
             'history[0].plan.plan[0].tool', ['rm_rf', 'not a capability']),
            ({'question': 'China 2009', 'history': [{'question': 'q', 'plan': [{'agent': 'chef', 'tool': 'account'}]}]},
             'history[0].plan[0].agent', ['chef']),
            ({'question': 'China 2009', 'history': [{'question': 'q', 'plan': {'language': 'fr'}}]},
             'history[0].plan.language', ['"en" or "zh"']),
            ({'question': 'China 2009', 'history': [{'question': 'q'}] * 51}, 'history', ['51 turns']),
            (['China 2009'], 'question', ['JSON object']),
        ]
        for body, field, says in cases:
            st, _, data = s.request('POST', '/api/chat', body)
            e = error_of(data, 400, st, field, says)
            assert e['category'] == 'invalid input', e
        st, _, data = s.request('POST', '/api/chat', b'{"question": ', {'Content-Type': 'application/json'})
        error_of(data, 400, st, says=['not valid JSON'])
        st, _, data = s.request('POST', '/api/chat', {'question': 'x' * 3000, 'history': [{'question': 'y' * 3000}]})
        error_of(data, 413, st, says=['--max-body'])
        st, h, data = s.request('GET', '/api/chat')
        error_of(data, 405, st, says=['POST /api/chat'])
        assert h.get('allow') == 'POST', h
        assert (len(runs(s.db)) if os.path.exists(s.db) else 0) == n, 'a refused request ran something'


@test
def other_sites_and_missing_tokens_are_refused(tmp):
    with Server(tmp) as s:
        here = f'127.0.0.1:{s.port}'
        body = {'question': '中国2009年的消费侧排放是多少?'}
        for headers, said in (({'Origin': 'http://evil.example'}, 'evil.example'),
                              ({'Sec-Fetch-Site': 'cross-site'}, 'another site'),
                              ({'Host': f'evil.example:{s.port}'}, 'loopback name')):
            st, _, data = s.request('POST', '/api/chat', body, headers)
            assert error_of(data, 403, st, says=[said])['category'] == 'forbidden'
        assert not os.path.exists(s.db) or runs(s.db) == {}, 'a refused request ran something'
        # the app's own page is answered
        a = s.chat(body, headers={'Origin': f'http://{here}', 'Sec-Fetch-Site': 'same-origin'})
        assert a['citations'], a
    token = 'chat-test-token-0123456789abcdef'
    os.makedirs(os.path.join(tmp, 't'))
    with Server(os.path.join(tmp, 't'), '--token', token) as s:
        st, _, data = s.request('POST', '/api/chat', {'question': 'China 2009'})
        assert st == 401, (st, data[:300])
        st, _, data = s.request('POST', '/api/chat', {'question': 'China 2009'}, {'Authorization': 'Bearer wrong-token-wrong-token'})
        assert st == 401, (st, data[:300])
        a = s.chat({'question': '中国2009年的消费侧排放是多少?'}, headers={'Authorization': f'Bearer {token}'})
        assert a['citations'], a


# ---- the server's chat options ------------------------------------------------------------------------------------

@test
def the_chat_options_are_checked_at_start(tmp):
    for args, field, says in ((['--data', os.path.join(tmp, 'nowhere')], 'data', ['is not a folder']),
                              (['--model-url', 'ftp://127.0.0.1/v1'], 'model-url', ['http://'])):
        p = subprocess.run([BIN, 'serve', '--port', '0', '--db', os.path.join(tmp, 'x.db')] + args,
                           capture_output=True, text=True, env=ENV, timeout=60)
        assert p.returncode != 0 and p.stdout == '', (args, p.returncode, p.stdout)
        for s in says + [field]:
            assert s in p.stderr, (args, s, p.stderr)
    env = dict(ENV, PANOCARBON_DATA=os.path.join(tmp, 'nowhere'))
    p = subprocess.run([BIN, 'serve', '--port', '0', '--db', os.path.join(tmp, 'x.db')], capture_output=True,
                       text=True, env=env, timeout=60)
    assert p.returncode != 0 and 'is not a folder' in p.stderr, p.stderr


@test
def a_model_that_does_not_answer_falls_back_to_the_deterministic_planner(tmp):
    # a loopback port where nothing listens: the model path fails at once
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    for how in ('option', 'environment'):
        sub = os.path.join(tmp, how)
        os.makedirs(sub)
        url = f'http://127.0.0.1:{port}/v1'
        args, env = (['--model-url', url, '--model', 'test-model'], None) if how == 'option' else \
            ([], dict(ENV, PANOCARBON_MODEL_URL=url, PANOCARBON_MODEL='test-model'))
        with Server(sub, *args, env=env) as s:
            a = s.chat({'question': '中国2009年的消费侧排放是多少?'})
            assert a['planner'] == 'deterministic', (how, a['planner'])
            assert a['warnings'], f'{how}: no warning says the model failed: {a}'
            answered_from_the_account(s, a, 'CHN', 2009, 'consumption')


harness.run_all('panocarbon-chat-')
