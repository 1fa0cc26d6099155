#!/usr/bin/env python3
"""A scripted OpenAI-compatible chat-completions server for testing panocarbon's model path without weights
(docs/chat-model.md). It listens on a loopback port, CHECKS every request it receives and answers with the next
reply of a script. What it checks on every request:

  * POST to /v1/chat/completions with a JSON body (Content-Type application/json);
  * the model name, "stream": true (or what the step expects), "tool_choice": "auto";
  * the tools: a non-empty list of {"type": "function", "function": {name, description, parameters}}, names
    unique and matching ^[A-Za-z0-9_-]{1,64}$, every parameters object a valid JSON Schema (jsonschema's
    check_schema) of type object, no system tools (db_repair, completion, man, schema, capabilities, data_fetch);
  * the first message is the system prompt, naming the five agents and the rule that every number comes from
    a tool result; the first user message after it is the question;
  * the bearer key, when one is expected (and none when none is);
  * every tool call the server made earlier is answered, in the messages sent back, by a tool message with the
    same tool_call_id (or a role "function" message for a legacy function_call) after an assistant message
    that carries the call with that id.

and per step of the script ("expect"): the results carried by the tool messages just added (compared with the
JSON the CLI itself gives for the same capability), errors they carry, text of the last user message. Replies
("reply"): tool calls (arguments as a JSON string or an object, with or without ids, several at once, as a
legacy function_call), a final text, streamed as server-sent events in fragments or as one JSON object; an
HTTP status with a body; a raw body; empty choices; a delay.

Used by tests/e2e/test_chat_model.py (imported: ScriptedServer); runnable by hand:
    /usr/bin/python3 tests/agents/scripted_openai.py SCRIPT.json [--port 8081] [--model NAME] [--key KEY]
"""
import argparse
import json
import math
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import jsonschema
except ImportError:  # the schema check is then the structural one only
    jsonschema = None

SYSTEM_TOOLS = {'db_init', 'db_info', 'db_repair', 'completion', 'man', 'schema', 'capabilities', 'data_fetch'}
AGENT_WORDS = ['process', 'trade', 'lca', 'natural', 'uncertainty']
NAME_RE = re.compile(r'^[A-Za-z0-9_-]{1,64}$')


def same(a, b, rel=1e-9):
    """JSON equality with a relative tolerance on numbers (a double printed and parsed again)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) and math.isnan(a):
            return isinstance(b, float) and math.isnan(b)
        return a == b or abs(a - b) <= rel * max(abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b))
    return a == b


def without_provenance(j):
    """A result without its provenance (run id and database path differ between two runs of the same numbers)."""
    return {k: v for k, v in j.items() if k != 'provenance'} if isinstance(j, dict) else j


def clipped_from(c, full):
    """Whether `c` is `full` clipped: the same keys (or only top-level values), lists cut to a prefix, long
    texts cut with '...', every number kept."""
    if isinstance(c, dict) and isinstance(full, dict):
        return set(c) <= set(full) and all(clipped_from(c[k], full[k]) for k in c)
    if isinstance(c, list) and isinstance(full, list):
        return (0 < len(c) or not full) and len(c) <= len(full) and all(clipped_from(x, y) for x, y in zip(c, full))
    if isinstance(c, str) and isinstance(full, str) and c != full:
        return c.endswith('...') and full.startswith(c[:-3])
    return same(c, full)


class ScriptedServer:
    """script: a list of steps {"expect": {...}, "reply": {...}} answered in order."""

    def __init__(self, script, model='scripted', key=None, port=0, question=None):
        self.script = list(script)
        self.question = question
        self.model = model
        self.key = key
        self.failures = []   # what a request did wrong, in words
        self.requests = []   # the bodies received
        self.issued = {}     # tool_call_id -> tool name, for every call this server made
        self.legacy_issued = []  # names of legacy function_calls made
        self.made_ids = False  # a call was sent without an id
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *a):
                pass

            def do_GET(self):
                self.send_error(405)

            def do_POST(self):
                n = int(self.headers.get('Content-Length') or 0)
                raw = self.rfile.read(n)
                with server.lock:
                    step = server.script.pop(0) if server.script else None
                    index = len(server.requests)
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = None
                    server.requests.append(body)
                    server.check(self, body, step, index)
                if step is None:
                    server.fail(index, 'a request after the end of the script')
                    return self.answer(500, 'application/json', json.dumps({'error': {'message': 'script ended'}}))
                reply = step.get('reply', {})
                if reply.get('delay'):
                    time.sleep(reply['delay'])
                try:
                    status, ctype, payload = server.render(reply)
                except BrokenPipeError:
                    return
                self.answer(status, ctype, payload)

            def answer(self, status, ctype, payload):
                data = payload.encode() if isinstance(payload, str) else payload
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', ctype)
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}'

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail(self, index, what):
        self.failures.append(f'request {index + 1}: {what}')

    # ---- the checks ---------------------------------------------------------------------------------------------

    def check(self, handler, body, step, index):
        f = lambda what: self.fail(index, what)
        if handler.path != '/v1/chat/completions':
            f(f'path {handler.path}, not /v1/chat/completions')
        if 'application/json' not in (handler.headers.get('Content-Type') or ''):
            f(f"Content-Type {handler.headers.get('Content-Type')!r}")
        auth = handler.headers.get('Authorization')
        if self.key is None and auth is not None:
            f(f'an Authorization header was sent though no key was set: {auth!r}')
        if self.key is not None and auth != f'Bearer {self.key}':
            f(f'Authorization {auth!r}, not the bearer key')
        if not isinstance(body, dict):
            f('the body is not a JSON object')
            return
        if body.get('model') != self.model:
            f(f"model {body.get('model')!r}, not {self.model!r}")
        want_stream = (step or {}).get('expect', {}).get('stream', True)
        if body.get('stream') is not want_stream:
            f(f'"stream" is {body.get("stream")!r}, not {want_stream!r}')
        if body.get('tool_choice') != 'auto':
            f(f"tool_choice {body.get('tool_choice')!r}")
        self.check_tools(body.get('tools'), f)
        msgs = body.get('messages')
        if not isinstance(msgs, list) or len(msgs) < 2:
            f('fewer than two messages')
            return
        sys_msg = msgs[0]
        if sys_msg.get('role') != 'system' or not isinstance(sys_msg.get('content'), str):
            f('the first message is not the system prompt')
        else:
            text = sys_msg['content'].lower()
            if 'every number' not in text or 'tool result' not in text:
                f('the system prompt lacks the rule that every number comes from a tool result')
            for w in AGENT_WORDS:
                if w not in text:
                    f(f'the system prompt does not name the agent {w!r}')
        users = [m.get('content') for m in msgs if m.get('role') == 'user']
        if self.question is not None and self.question not in users:
            f(f'the question {self.question!r} is not among the user messages')
        self.check_answers(msgs, f)
        if step is not None:
            self.check_expect(msgs, step.get('expect', {}), f)

    def check_tools(self, tools, f):
        if not isinstance(tools, list) or not tools:
            f('no tools')
            return
        names = set()
        for t in tools:
            fn = t.get('function') if isinstance(t, dict) else None
            if not isinstance(t, dict) or t.get('type') != 'function' or not isinstance(fn, dict):
                f(f'a tool is not {{"type": "function", "function": ...}}: {str(t)[:80]}')
                continue
            name = fn.get('name')
            if not isinstance(name, str) or not NAME_RE.match(name):
                f(f'tool name {name!r} does not match ^[A-Za-z0-9_-]{{1,64}}$')
            if name in names:
                f(f'tool {name!r} twice')
            names.add(name)
            if name in SYSTEM_TOOLS:
                f(f'the system tool {name!r} is offered')
            if not isinstance(fn.get('description'), str) or not fn['description']:
                f(f'tool {name!r} has no description')
            p = fn.get('parameters')
            if not isinstance(p, dict) or p.get('type') != 'object' or not isinstance(p.get('properties'), dict):
                f(f'tool {name!r}: parameters are not an object schema')
                continue
            if jsonschema is not None:
                try:
                    jsonschema.Draft202012Validator.check_schema(p)
                except jsonschema.SchemaError as e:
                    f(f'tool {name!r}: parameters are not a valid JSON Schema: {e.message}')
            for fe in ('format', 'db', 'verbose', 'progress'):
                if fe in p['properties']:
                    f(f'tool {name!r} offers the front-end option {fe!r}')
        self.tool_names = names

    def check_answers(self, msgs, f):
        """Every call this server made is carried by an assistant message and answered by a tool message."""
        carried, answered = {}, {}
        legacy_answers = []
        for i, m in enumerate(msgs):
            if m.get('role') == 'assistant':
                for tc in m.get('tool_calls') or []:
                    tid = tc.get('id')
                    if not tid:
                        f('an assistant message sent back carries a tool call without an id')
                    if tid in carried:
                        f(f'the tool call id {tid!r} is used twice')
                    carried[tid] = tc
                    args = tc.get('function', {}).get('arguments')
                    if not isinstance(args, str):
                        f(f'the arguments of call {tid!r} are sent back as {type(args).__name__}, not a JSON string')
                    else:
                        try:
                            ok = isinstance(json.loads(args), dict)
                        except ValueError:
                            ok = False
                        if not ok:
                            f(f'the arguments of call {tid!r} are sent back as {args[:60]!r}, not a JSON object')
            elif m.get('role') == 'tool':
                tid = m.get('tool_call_id')
                if tid not in carried:
                    f(f'a tool message answers {tid!r}, which no earlier assistant message carries')
                answered[tid] = m
            elif m.get('role') == 'function':
                legacy_answers.append(m.get('name'))
        for tid, name in self.issued.items():
            if tid not in carried:
                f(f'the call {tid!r} ({name}) is not in the messages sent back')
            elif carried[tid].get('function', {}).get('name') != name:
                f(f'the call {tid!r} is sent back with another name')
            if tid not in answered:
                f(f'the call {tid!r} ({name}) is answered by no tool message')
        if self.made_ids:
            made = [t for t in carried if t not in self.issued]
            if not made:
                f('calls were sent without ids, but no made id came back')
            for t in made:
                if t not in answered:
                    f(f'the made id {t!r} is answered by no tool message')
        if legacy_answers != self.legacy_issued[:len(legacy_answers)] or len(legacy_answers) != len(self.legacy_issued):
            f(f'legacy function calls {self.legacy_issued} answered by role "function" messages {legacy_answers}')
        self.last_tool_messages = [m for m in msgs[self._last_assistant(msgs) + 1:] if m.get('role') in ('tool', 'function')]

    @staticmethod
    def _last_assistant(msgs):
        for i in range(len(msgs) - 1, -1, -1):
            if msgs[i].get('role') == 'assistant' and (msgs[i].get('tool_calls') or msgs[i].get('function_call')):
                return i
        return len(msgs)

    def check_expect(self, msgs, expect, f):
        tms = self.last_tool_messages
        if 'results' in expect:
            if len(tms) != len(expect['results']):
                f(f"{len(tms)} tool messages after the last call, expected {len(expect['results'])}")
            for m, want in zip(tms, expect['results']):
                try:
                    content = json.loads(m.get('content'))
                except (TypeError, ValueError):
                    f(f"a tool message's content is not JSON: {str(m.get('content'))[:80]}")
                    continue
                if 'result' in want:
                    got, ref = without_provenance(content.get('result')), without_provenance(want['result'])
                    if 'result' not in content:
                        f(f'the tool message carries no result: {str(content)[:200]}')
                    elif want.get('clipped'):
                        if 'clipped' not in str(content.get('note', '')):
                            f(f"a clipped result without a note saying so: {str(content.get('note'))[:200]}")
                        if len(json.dumps(content['result'])) >= len(json.dumps(want['result'])):
                            f('the result was expected clipped but is not smaller than the CLI\'s')
                        if not clipped_from(got, ref):
                            f(f"the clipped result is not a part of the CLI's: {json.dumps(got)[:200]}")
                    elif not same(got, ref):
                        f(f"the tool message's result differs from the CLI's: {json.dumps(got)[:200]}")
                    elif 'note' in content:
                        f(f"a result that fits was clipped: {content['note']}")
                    if not isinstance(content.get('citation'), int):
                        f('the tool message carries no citation number')
                if 'error' in want:
                    if want['error'] not in str(content.get('error', '')):
                        f(f"the tool message's error {content.get('error')!r} does not say {want['error']!r}")
                if 'tool_call_id' in want and m.get('tool_call_id') != want['tool_call_id']:
                    f(f"tool_call_id {m.get('tool_call_id')!r}, not {want['tool_call_id']!r}")
        if 'conversation' in expect:  # the turns before: [[role, content], ...] right after the system prompt
            got = [[m.get('role'), m.get('content')] for m in msgs[1:1 + len(expect['conversation'])]]
            if got != expect['conversation']:
                f(f"the conversation sent is {got}, not {expect['conversation']}")
        if 'user_contains' in expect:
            users = [m for m in msgs if m.get('role') == 'user']
            last = users[-1]['content'] if users else ''
            for s in expect['user_contains']:
                if s not in last:
                    f(f'the last user message does not say {s!r}: {last[:200]!r}')

    # ---- the replies --------------------------------------------------------------------------------------------

    def render(self, reply):
        if 'status' in reply:
            return reply['status'], reply.get('content_type', 'application/json'), reply.get('body', '')
        if 'raw' in reply:
            return 200, reply.get('content_type', 'application/json'), reply['raw']
        if reply.get('empty_choices'):
            return 200, 'application/json', json.dumps({'id': 'x', 'object': 'chat.completion', 'choices': []})
        calls = []
        for i, c in enumerate(reply.get('tool_calls', [])):
            args = c.get('arguments', {})
            if c.get('as', 'string') == 'string' and not isinstance(args, str):
                args = json.dumps(args)
            call = {'type': 'function', 'function': {'name': c['name'], 'arguments': args}}
            if c.get('id'):
                call['id'] = c['id']
                self.issued[c['id']] = c['name']
            elif not reply.get('legacy'):
                self.made_ids = True
            calls.append(call)
        if reply.get('legacy'):
            self.legacy_issued += [c['function']['name'] for c in calls]
        content = reply.get('content')
        finish = reply.get('finish_reason', 'tool_calls' if calls else 'stop')
        if reply.get('stream'):
            return 200, 'text/event-stream', self.stream(content, calls, finish, reply)
        msg = {'role': 'assistant', 'content': content}
        if reply.get('legacy') and calls:
            msg['function_call'] = calls[0]['function']
        elif calls:
            msg['tool_calls'] = calls
        return 200, 'application/json', json.dumps({
            'id': 'chatcmpl-scripted', 'object': 'chat.completion', 'model': self.model,
            'choices': [{'index': 0, 'message': msg, 'finish_reason': finish}]})

    def stream(self, content, calls, finish, reply):
        """Server-sent events as servers send them: a role chunk, content in pieces, each call's id and name
        first, then its arguments in fragments of a few characters, calls interleaved; a finish chunk; [DONE]."""
        def chunk(delta, fin=None):
            return 'data: ' + json.dumps({'id': 'chatcmpl-scripted', 'object': 'chat.completion.chunk',
                                          'choices': [{'index': 0, 'delta': delta, 'finish_reason': fin}]}) + '\n\n'
        out = [chunk({'role': 'assistant', 'content': None if calls else ''})]
        if content:
            for i in range(0, len(content), 7):
                out.append(chunk({'content': content[i:i + 7]}))
        frags = []
        for i, c in enumerate(calls):
            head = {'index': i, 'type': 'function', 'function': {'name': c['function']['name'], 'arguments': ''}}
            if 'id' in c:
                head['id'] = c['id']
            out.append(chunk({'tool_calls': [head]}))
            a = c['function']['arguments']
            frags.append([a[j:j + 5] for j in range(0, len(a), 5)] if isinstance(a, str) else [a])
        for k in range(max((len(x) for x in frags), default=0)):
            for i, pieces in enumerate(frags):
                if k < len(pieces):
                    out.append(chunk({'tool_calls': [{'index': i, 'function': {'arguments': pieces[k]}}]}))
        out.append(chunk({}, finish))
        if reply.get('usage_chunk', True):
            out.append('data: ' + json.dumps({'id': 'chatcmpl-scripted', 'object': 'chat.completion.chunk',
                                              'choices': [], 'usage': {'prompt_tokens': 1, 'completion_tokens': 1}}) + '\n\n')
        out.append('data: [DONE]\n\n')
        return ''.join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('script', help='JSON file: a list of {"expect": {...}, "reply": {...}}')
    ap.add_argument('--port', type=int, default=8081)
    ap.add_argument('--model', default='scripted')
    ap.add_argument('--key')
    a = ap.parse_args()
    with open(a.script, encoding='utf-8') as fh:
        script = json.load(fh)
    with ScriptedServer(script, a.model, a.key, a.port) as s:
        print(f'listening on {s.url}', flush=True)
        try:
            while s.script:
                time.sleep(0.2)
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        for line in s.failures:
            print('FAIL', line)
        return 1 if s.failures else 0


if __name__ == '__main__':
    sys.exit(main())
