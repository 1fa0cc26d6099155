#!/usr/bin/env python3
"""Load benchmark of `panocarbon serve`: requests per second and latency (p50, p99) of the ledger endpoint
under 64 concurrent connections (wrk, from Debian), side by side with a static file of the same size from the
same server, and every answer checked for correctness under that load.

  bench/server_load.py                           # 10 s per endpoint, 64 connections
  bench/server_load.py --duration 30 --db ledger.db
  bench/server_load.py --smoke                   # 6 s each: answers only, exit 1 on a wrong answer (test.sh tier 3)

The endpoint is `/api/account?year=2009&all=true` (the world table of the ledger) when the registry has the
`account` capability, else a read-only capability in its place (`--path` chooses another). The server runs on a
free loopback port with --db (default: a fresh database in a temporary folder into which `ledger build
data/ledger` puts the embedded default dataset first; with --db, what `ledger build` stored there). Its answer is fetched once; the static file is
those same bytes, written into a web folder of the benchmark's own, so both answers have the same size.

Correctness under load, for both endpoints:
  - wrk's Lua script counts, per thread, the answers that are not 200 and those whose body length differs from
    the expected answer's; any is a failure;
  - a checker thread requests the endpoint over its own connection all through the run and compares every body
    byte for byte with the expected answer.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

LUA = r"""
local threads = {}
local expected = tonumber(os.getenv("EXPECTED_BYTES"))
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  not_ok = 0
  wrong_length = 0
  answers = 0
end
function response(status, headers, body)
  answers = answers + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  elseif #body ~= expected then
    wrong_length = wrong_length + 1
  end
end
function done(summary, latency, requests)
  local n, bad, wrong = 0, 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("answers")
    bad = bad + t:get("not_ok")
    wrong = wrong + t:get("wrong_length")
  end
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"answers_checked\": %d, \"not_200\": %d, " ..
    "\"wrong_length\": %d, \"socket_errors\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, " ..
    "\"max_us\": %d, \"bytes\": %d}\n",
    summary.requests, summary.duration, n, bad, wrong,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.bytes))
end
"""


def get(port, path):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
    c.request('GET', path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


class Checker(threading.Thread):
    """Requests `path` over its own keep-alive connection until stopped; counts answers and wrong ones."""

    def __init__(self, port, path, expected):
        super().__init__(daemon=True)
        self.port, self.path, self.expected = port, path, expected
        self.stop = threading.Event()
        self.checked = self.wrong = 0
        self.first_wrong = None

    def run(self):
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60)
        while not self.stop.is_set():
            try:
                c.request('GET', self.path)
                r = c.getresponse()
                body = r.read()
                ok = r.status == 200 and body == self.expected
            except (OSError, http.client.HTTPException) as e:
                ok, body = False, str(e).encode()
                c.close()
                c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60)
            self.checked += 1
            if not ok:
                self.wrong += 1
                self.first_wrong = self.first_wrong or body[:300]
        c.close()


def wrk(url, seconds, connections, threads, expected_bytes, script):
    env = dict(os.environ, EXPECTED_BYTES=str(expected_bytes))
    p = subprocess.run(['wrk', '-t', str(threads), '-c', str(connections), '-d', f'{seconds}s', '--latency',
                        '--timeout', '10s', '-s', script, url], capture_output=True, text=True, env=env,
                       timeout=seconds + 60)
    m = re.search(r'^RESULT (\{.*\})$', p.stdout, re.M)
    if p.returncode != 0 or not m:
        sys.exit(f'wrk failed ({p.returncode}): {p.stdout[-800:]} {p.stderr[-800:]}')
    return json.loads(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--bin', default=os.path.join(REPO, 'build', 'bin', 'panocarbon'))
    ap.add_argument('--db', help='database to serve (default: a fresh one in a temporary folder)')
    ap.add_argument('--path', help='the endpoint (default: /api/account?year=2009&all=true, else a read-only one)')
    ap.add_argument('--duration', type=float, default=10.0, help='seconds per endpoint')
    ap.add_argument('--connections', type=int, default=64)
    ap.add_argument('--wrk-threads', type=int, default=4)
    ap.add_argument('--server-threads', type=int, default=0, help='default: twice the connections')
    ap.add_argument('--smoke', action='store_true', help='6 s per endpoint; answers checked, numbers not judged')
    ap.add_argument('--json', help='write the results here as JSON')
    args = ap.parse_args()
    if not shutil.which('wrk'):
        sys.exit('server_load.py: needs wrk (apt-get install wrk)')
    seconds = 6 if args.smoke else max(1, int(round(args.duration)))
    tmp = tempfile.mkdtemp(prefix='panocarbon-server-load-')
    web = os.path.join(tmp, 'web')
    os.makedirs(web)
    with open(os.path.join(web, 'index.html'), 'w') as f:
        f.write('<!doctype html><title>load</title>\n')
    db = args.db or os.path.join(tmp, 'load.db')
    caps = json.loads(subprocess.run([args.bin, 'capabilities', '--format', 'json'], capture_output=True,
                                     check=True).stdout)
    names = {c['name'] for c in caps}
    path = args.path or ('/api/account?year=2009&all=true' if 'account' in names
                         else '/api/factors/search?query=diesel&limit=100')
    if 'ledger build' in names and not args.db and path.startswith('/api/account'):
        # a fresh database holds no ledger: the embedded default (data/ledger) goes in first
        subprocess.run([args.bin, 'ledger', 'build', os.path.join(REPO, 'data', 'ledger'), '--db', db,
                        '--format', 'json'], check=True, capture_output=True, cwd=REPO)
    server = subprocess.Popen([args.bin, 'serve', '--port', '0', '--db', db, '--web', web, '--files',
                               os.path.join(tmp, 'files'), '--threads', str(args.server_threads or 2 * args.connections + 8)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    failed = False
    results = {}
    try:
        line = server.stdout.readline().strip()
        m = re.match(r'listening on http://[^\s]+:(\d+)$', line)
        if not m:
            sys.exit(f'the server did not start: {line} {server.stderr.read()[-800:]}')
        port = int(m.group(1))
        status, expected = get(port, path)
        if status != 200:
            sys.exit(f'GET {path}: {status}: {expected[:400]!r}')
        with open(os.path.join(web, 'same-size.json'), 'wb') as f:
            f.write(expected)
        static = '/same-size.json'
        status, body = get(port, static)
        assert status == 200 and body == expected
        script = os.path.join(tmp, 'check.lua')
        with open(script, 'w') as f:
            f.write(LUA)
        print(f'server_load: {args.connections} connections, {seconds} s each, {len(expected)} bytes per answer; '
              f'{path} beside {static} (same bytes)', flush=True)
        for label, p in (('static file', static), ('ledger endpoint', path)):
            time.sleep(1)  # the previous run's connections closed
            checker = Checker(port, p, expected)
            checker.start()
            r = wrk(f'http://127.0.0.1:{port}{p}', seconds, args.connections, args.wrk_threads, len(expected),
                    script)
            checker.stop.set()
            checker.join()
            r['rps'] = r['requests'] / (r['duration_us'] / 1e6)
            r['checker_answers'] = checker.checked
            r['checker_wrong'] = checker.wrong
            results[label] = dict(r, path=p)
            bad = r['not_200'] + r['wrong_length'] + r['socket_errors'] + checker.wrong
            if bad or r['answers_checked'] == 0 or checker.checked == 0:
                failed = True
                print(f'FAIL {label}: {r["not_200"]} not 200, {r["wrong_length"]} of the wrong length, '
                      f'{r["socket_errors"]} socket errors, {checker.wrong} of {checker.checked} checked answers '
                      f'wrong (first: {checker.first_wrong!r})', flush=True)
        print(f'{"":18}{"requests/s":>12}{"p50 ms":>10}{"p99 ms":>10}{"max ms":>10}{"answers":>10}{"checked":>10}'
              f'{"wrong":>7}')
        for label, r in results.items():
            print(f'{label:18}{r["rps"]:12.0f}{r["p50_us"] / 1e3:10.2f}{r["p99_us"] / 1e3:10.2f}'
                  f'{r["max_us"] / 1e3:10.1f}{r["answers_checked"]:10d}{r["checker_answers"]:10d}'
                  f'{r["not_200"] + r["wrong_length"] + r["checker_wrong"]:7d}')
        if args.json:
            with open(args.json, 'w') as f:
                json.dump({'connections': args.connections, 'seconds': seconds, 'bytes': len(expected),
                           'results': results}, f, indent=2)
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print('server_load: ' + ('FAILED' if failed else 'every answer correct'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
