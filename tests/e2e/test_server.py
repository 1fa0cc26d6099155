#!/usr/bin/env python3
"""End-to-end tests of `panocarbon serve` (docs/api.md): the real server on a free loopback port with a
temporary database, driven over HTTP.

    test_server.py --bin build/bin/panocarbon [--examples]

Without --examples (ctest server_api): health, capabilities, OpenAPI validity, the errors (400 bad JSON, unknown
field, wrong type, out of bounds, a server path; 401; 404; 413) with their messages, nothing written on a failed
request, uploads (files and unpacked folders), files written by a run, jobs (progress, cancel, result stored),
token mode, static files (MIME types, index, no listing, no traversal) and parallel requests.
With --examples (ctest server_examples): every capability's registry example through the API gives the same JSON
numbers as the CLI (the registry test runs the same examples through the CLI).
"""
import argparse, concurrent.futures, hashlib, io, json, os, re, shutil, sqlite3, subprocess, sys, tempfile
import time, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import test  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(REPO, '..', 'shared', 'data')
ap = argparse.ArgumentParser()
ap.add_argument('--bin', required=True)
ap.add_argument('--examples', action='store_true')
ARGS = ap.parse_args()
BIN = os.path.abspath(ARGS.bin)
ENV = dict(os.environ, PANOCARBON_GFED_EF=os.path.join(SHARED, 'natural', 'GFED4_Emission_Factors.txt'))
ENV.pop('PANOCARBON_TOKEN', None)


class Server(harness.ServeProcess):
    """`panocarbon serve --port 0` with its own database, files folder and web folder, stopped on exit."""

    def __init__(self, tmp, *args, web=None, env=None):
        self.tmp = tmp
        self.db = os.path.join(tmp, 'server.db')
        self.files = os.path.join(tmp, 'server-files')
        self.web = web or make_web(tmp)
        super().__init__([BIN, 'serve', '--port', '0', '--db', self.db, '--files', self.files, '--web', self.web]
                         + list(args), env or ENV, tmp)

    def request(self, method, path, body=None, headers=None, timeout=600):
        return super().request(method, path, body, headers, timeout)

    def json(self, method, path, body=None, headers=None, status=200):
        st, h, data = self.request(method, path, body, headers)
        assert st == status, f'{method} {path}: {st} (wanted {status}): {data[:600]!r}'
        return json.loads(data)

    def upload(self, path, unpack=False):
        """Uploads a file, or a folder as a zip unpacked by the server; returns its id."""
        name = os.path.basename(path.rstrip('/'))
        if os.path.isdir(path):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
                for root, _, files in os.walk(path):
                    for f in files:
                        full = os.path.join(root, f)
                        z.write(full, os.path.join(name, os.path.relpath(full, path)))
            data, name, unpack = buf.getvalue(), name + '.zip', True
        else:
            with open(path, 'rb') as f:
                data = f.read()
        q = f'/api/uploads?filename={name}' + ('&unpack=true' if unpack else '')
        return self.json('POST', q, data, {'Content-Type': 'application/octet-stream'}, status=201)['id']


def make_web(tmp):
    web = os.path.join(tmp, 'web')
    os.makedirs(os.path.join(web, 'assets'), exist_ok=True)
    with open(os.path.join(web, 'index.html'), 'w') as f:
        f.write('<!doctype html><title>map</title><script src="/assets/app.js"></script>\n')
    with open(os.path.join(web, 'assets', 'app.js'), 'w') as f:
        f.write('console.log("app");\n')
    with open(os.path.join(web, 'assets', 'style.css'), 'w') as f:
        f.write('body{}\n')
    with open(os.path.join(web, 'assets', 'world.json'), 'w') as f:
        f.write('{"type":"Topology"}\n')
    with open(os.path.join(tmp, 'secret.txt'), 'w') as f:
        f.write('not for the web\n')
    return web


def runs(db):
    if not os.path.exists(db):
        return []
    with sqlite3.connect(db) as con:
        return con.execute('SELECT id, command, status, summary FROM runs ORDER BY id').fetchall()


def error_of(data):
    e = json.loads(data)['error']
    assert set(e) >= {'category', 'message', 'field'}, e
    return e


# ---- the API ------------------------------------------------------------------------------------------------------

@test
def health_capabilities_and_openapi(tmp):
    with Server(tmp) as s:
        h = s.json('GET', '/api/health')
        assert h['status'] == 'ok' and h['database'] == s.db and h['version'], h
        caps = s.json('GET', '/api/capabilities')
        cli = json.loads(subprocess.run([BIN, 'capabilities', '--format', 'json'], capture_output=True,
                                        check=True).stdout)
        assert [c['name'] for c in caps] == [c['name'] for c in cli if not c['local_only']], 'the API lists the registry'
        assert 'data fetch' in [c['name'] for c in cli] and 'data fetch' not in [c['name'] for c in caps]
        doc = s.json('GET', '/api/openapi.json')
        assert doc['openapi'] == '3.1.0'
        assert '/api/data/fetch' not in doc['paths'], 'a local-only capability has no endpoint'
        for c in cli:
            if c['local_only']:
                continue
            path = '/api/' + c['name'].replace(' ', '/')
            assert set(doc['paths'][path]) == {'get', 'post'}, path
            assert doc['paths'][path]['post']['requestBody']['content']['application/json']['schema']['properties'] \
                == c['input_schema']['properties'], path
        validate_openapi(doc)


def validate_openapi(doc):
    """OpenAPI 3.1: openapi-spec-validator where installed, else the OAS 3.1 JSON Schema (tests/e2e/
    oas-3.1-schema.json, from the OpenAPI Initiative) with python3-jsonschema; every schema object in it must be a
    valid JSON Schema (2020-12) either way."""
    import jsonschema
    try:
        from openapi_spec_validator import validate as oas_validate
        oas_validate(doc)
    except ImportError:
        with open(os.path.join(HERE, 'oas-3.1-schema.json'), encoding='utf-8') as f:
            meta = json.load(f)
        jsonschema.Draft202012Validator(meta).validate(doc)

    def schemas(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == 'schema' and isinstance(v, dict):
                    yield v
                else:
                    yield from schemas(v)
        elif isinstance(node, list):
            for v in node:
                yield from schemas(v)
    n = 0
    for sch in schemas(doc['paths']):
        jsonschema.Draft202012Validator.check_schema(sch)
        n += 1
    for sch in doc['components']['schemas'].values():
        jsonschema.Draft202012Validator.check_schema(sch)
    assert n > 100, n
    # an invalid document is caught: the check can fail
    bad = json.loads(json.dumps(doc))
    bad['paths']['/api/health']['get']['responses'] = 'none'
    try:
        try:
            from openapi_spec_validator import validate as oas_validate
            oas_validate(bad)
        except ImportError:
            jsonschema.Draft202012Validator(meta).validate(bad)
        raise AssertionError('a broken document passed the validator')
    except AssertionError:
        raise
    except Exception:
        pass


@test
def get_and_post_answer_like_the_cli(tmp):
    with Server(tmp) as s:
        cli = subprocess.run([BIN, 'factors', 'search', 'diesel', '--limit', '3', '--format', 'json'],
                             capture_output=True, check=True, env=dict(ENV, PANOCARBON_DB=os.path.join(tmp, 'c.db')))
        want = json.loads(cli.stdout)
        st, h, data = s.request('GET', '/api/factors/search?query=diesel&limit=3')
        assert st == 200 and h['content-type'] == 'application/json', (st, h)
        assert json.loads(data) == want
        assert s.json('POST', '/api/factors/search', {'query': 'diesel', 'limit': 3}) == want
        # a form-encoded content type does not turn the JSON body into query parameters
        st, _, data = s.request('POST', '/api/factors/search', b'{"query": "diesel", "limit": 3}',
                                {'Content-Type': 'application/x-www-form-urlencoded'})
        assert st == 200 and json.loads(data) == want, data[:300]
        # the other renderings, with their content types, are the CLI's
        for fmt, ctype in (('csv', 'text/csv; charset=utf-8'), ('table', 'text/plain; charset=utf-8')):
            st, h, data = s.request('GET', f'/api/gwp/list?gwp=AR6&format={fmt}')
            cli = subprocess.run([BIN, 'gwp', 'list', '--gwp', 'AR6', '--format', fmt], capture_output=True,
                                 check=True, env=dict(ENV, PANOCARBON_DB=os.path.join(tmp, 'c.db')))
            assert st == 200 and h['content-type'] == ctype and data == cli.stdout, (fmt, st, h, data[:200])
        st, h, data = s.request('GET', '/api/gwp/list?gwp=AR6&format=xlsx')
        assert st == 200 and h['content-type'].startswith('application/vnd.openxmlformats'), h
        assert 'name="provenance"' in zipfile.ZipFile(io.BytesIO(data)).read('xl/workbook.xml').decode()
        # a logged capability answers with its run id; the run is in the server's database
        st, h, data = s.request('GET', '/api/inventory/calc?file=x', None)
        assert st == 400
        st, h, data = s.request('POST', '/api/gwp/list', {'gwp': 'AR5'})
        logged = runs(s.db)
        if 'x-panocarbon-run-id' in h:
            assert int(h['x-panocarbon-run-id']) == logged[-1][0], (h, logged)
        # a Bool parameter given bare in a query is true
        st, _, data = s.request('GET', '/api/factors/list?activity=diesel&gas=CO2')
        assert st == 200, data[:300]


@test
def errors_name_the_field(tmp):
    with Server(tmp, '--max-body', '2048', '--max-upload', '4096') as s:
        before = runs(s.db)

        def err(method, path, body=None, status=400, headers=None):
            st, h, data = s.request(method, path, body, headers)
            assert st == status, f'{method} {path}: {st}, wanted {status}: {data[:400]!r}'
            assert h['content-type'] == 'application/json', h
            return error_of(data)

        e = err('POST', '/api/factors/search', b'{"query": "diesel",', headers={'Content-Type': 'application/json'})
        assert e['category'] == 'invalid input' and 'not valid JSON' in e['message'], e
        e = err('POST', '/api/factors/search', {'query': 'diesel', 'limmit': 3})
        assert e['field'] == 'limmit' and "has no option 'limmit'" in e['message'] and 'limit' in e['message'], e
        e = err('POST', '/api/factors/search', {'query': 'diesel', 'limit': '3'})
        assert e['field'] == 'limit' and 'whole number' in e['message'], e
        e = err('POST', '/api/factors/search', {'query': 7})
        assert e['field'] == 'query' and 'string' in e['message'], e
        e = err('POST', '/api/factors/search', {'query': 'diesel', 'limit': 0})
        assert e['field'] == 'limit' and 'between 1 and' in e['message'], e
        e = err('GET', '/api/factors/search?query=diesel&limit=abc')
        assert e['field'] == 'limit', e
        e = err('POST', '/api/factors/search', [1, 2])
        assert 'JSON object' in e['message'], e
        e = err('GET', '/api/gwp/list?gwp=AR9')
        assert e['field'] == 'gwp' and 'AR5' in e['message'], e
        e = err('GET', '/api/gwp/list?format=pdf')
        assert e['field'] == 'format', e
        e = err('POST', '/api/factors/search', {'query': 'x', 'db': '/etc/passwd'})
        assert e['field'] == 'db', e
        # a request can never name a path on the server
        for path in ('/etc/passwd', 'examples/inventory.csv', '../shared/data', 'upload:../../etc'):
            e = err('POST', '/api/inventory/calc', {'file': path})
            assert e['field'] == 'file' and 'upload' in e['message'] and 'POST /api/uploads' in e['message'], e
        # data fetch is local only (it reaches other hosts, e.g. any --mirror, and writes into folders): 403, nothing run
        for method in ('GET', 'POST'):
            e = err(method, '/api/data/fetch', {'source': 'gcb', 'mirror': 'http://127.0.0.1:9', 'dry-run': True},
                    status=403)
            assert 'not served over HTTP' in e['message'] and 'panocarbon data fetch' in e['message'], e
        e = err('POST', '/api/inventory/calc', {'file': 'upload:' + '0' * 32}, status=404)
        assert e['field'] == 'file' and 'not an upload' in e['message'], e
        e = err('POST', '/api/inventory/calc', {})
        assert e['field'] == 'file' and 'needs' in e['message'], e
        e = err('GET', '/api/inventory/calcc', status=404)
        assert '/api/inventory/calc' in e['message'], e
        e = err('GET', '/api/jobs/nonesuch', status=404)
        assert 'no job' in e['message'], e
        e = err('POST', '/api/factors/search', {'query': 'x' * 3000}, status=413)
        assert 'limit of 2048' in e['message'] and '--max-body' in e['message'], e
        e = err('POST', '/api/uploads?filename=big.csv', b'x' * 5000, status=413,
                headers={'Content-Type': 'application/octet-stream'})
        assert 'more than 4096 bytes' in e['message'] and '--max-upload' in e['message'], e
        boundary = 'b0undary'
        multi = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
                 ).encode() + b'x' * 4500 + f'\r\n--{boundary}--\r\n'.encode()
        e = err('POST', '/api/uploads', multi, status=413,
                headers={'Content-Type': f'multipart/form-data; boundary={boundary}'})
        assert '--max-upload' in e['message'], e
        e = err('POST', '/api/gwp/list', b'{"gwp": "' + b'x' * 5000 + b'"}', status=413,
                headers={'Content-Type': 'application/json'})
        assert 'larger than this server takes' in e['message'], e
        e = err('POST', '/api/uploads', b'a,b\n1,2\n', headers={'Content-Type': 'application/octet-stream'})
        assert e['field'] == 'filename', e
        e = err('POST', '/api/jobs', {'capability': 'inventory calc', 'params': {'file': '/etc/passwd'}})
        assert e['field'] == 'file', e
        e = err('POST', '/api/jobs', {'capability': 'mrio montecarlo', 'params': {}, 'priority': 1})
        assert e['field'] == 'priority', e
        e = err('POST', '/api/jobs', {'capability': 'gwp list', 'params': {}, 'format': 'csv'})
        assert e['field'] == 'format' and 'only capability, params' in e['message'], e
        e = err('POST', '/api/jobs', {'capability': 'nonesuch'}, status=404)
        assert 'no capability' in e['message'], e
        # nothing was written: no run logged, no upload, no files of a run
        assert runs(s.db) == before, runs(s.db)
        assert os.listdir(os.path.join(s.files, 'uploads')) == []
        assert os.listdir(os.path.join(s.files, 'runs')) == []


@test
def a_failed_run_leaves_no_files(tmp):
    with Server(tmp) as s:
        # a file that parses as no inventory: the run is logged failed (like the CLI's), nothing else stays
        bad = os.path.join(tmp, 'bad.csv')
        with open(bad, 'w') as f:
            f.write('category,fuel,amount,unit\n1.A.1,diesel,-5,TJ\n')
        up = s.upload(bad)
        st, h, data = s.request('POST', '/api/inventory/calc', {'file': up})
        e = error_of(data)
        assert st == 400 and e['category'] == 'invalid input' and "unknown column 'fuel'" in e['message'], (st, e)
        assert (e['file'], e['line'], e['field']) == (up, 1, 'fuel'), e
        assert [r[2] for r in runs(s.db)] == ['failed'], runs(s.db)
        assert int(h['x-panocarbon-run-id']) == runs(s.db)[0][0], h
        assert os.listdir(os.path.join(s.files, 'runs')) == []


@test
def uploads_and_written_files(tmp):
    with Server(tmp) as s:
        up = s.upload(os.path.join(REPO, 'examples', 'inventory.csv'))
        assert re.fullmatch(r'upload:[0-9a-f]{32}', up), up
        assert s.upload(os.path.join(REPO, 'examples', 'inventory.csv')) == up, 'the same file, the same id'
        st, h, data = s.request('POST', '/api/inventory/calc', {'file': up, 'gwp': 'AR6', 'by': 'gas'})
        assert st == 200, data[:400]
        cli = subprocess.run([BIN, 'inventory', 'calc', 'examples/inventory.csv', '--gwp', 'AR6', '--by', 'gas',
                              '--format', 'json'], cwd=REPO, capture_output=True, check=True,
                             env=dict(ENV, PANOCARBON_DB=os.path.join(tmp, 'c.db')))
        same_numbers(json.loads(data), json.loads(cli.stdout), 'inventory calc')
        run_id = int(h['x-panocarbon-run-id'])
        (rid, cmd, status, _), = [r for r in runs(s.db) if r[0] == run_id]
        assert (cmd, status) == ('inventory calc', 'ok')
        # multipart uploads keep the part's file name
        boundary = 'panocarbonboundary'
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="forest.csv"\r\n'
                f'Content-Type: text/csv\r\n\r\n').encode() + open(os.path.join(REPO, 'examples', 'forest.csv'),
                                                                 'rb').read() + f'\r\n--{boundary}--\r\n'.encode()
        u = s.json('POST', '/api/uploads', body, {'Content-Type': f'multipart/form-data; boundary={boundary}'},
                   status=201)
        forest = open(os.path.join(REPO, 'examples', 'forest.csv'), 'rb').read()
        assert u['filename'] == 'forest.csv' and u['bytes'] == len(forest), u
        assert u['sha256'] == hashlib.sha256(forest).hexdigest(), u
        # a larger raw upload, streamed to disk: its bytes and hash are the file's
        big = os.urandom(3 << 20)
        b = s.json('POST', '/api/uploads?filename=big.bin', big, {'Content-Type': 'application/octet-stream'},
                   status=201)
        assert (b['bytes'], b['sha256']) == (len(big), hashlib.sha256(big).hexdigest()), b
        stored = os.path.join(s.files, 'uploads', b['id'][7:], 'big.bin')
        assert open(stored, 'rb').read() == big
        assert s.json('POST', '/api/natural/afolu', {'file': u['id']})
        # a zip that would unpack outside its folder is refused, and leaves nothing
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, 'w') as z:
            z.writestr('../../evil.txt', 'x')
        st, _, data = s.request('POST', '/api/uploads?filename=evil.zip&unpack=true', buf.getvalue(),
                                {'Content-Type': 'application/octet-stream'})
        assert st == 400 and 'leave its folder' in error_of(data)['message'], data
        assert not os.path.exists(os.path.join(s.files, 'evil.txt'))
        assert not [n for n in os.listdir(os.path.join(s.files, 'uploads')) if n.startswith('part-')]
        # a capability that writes files writes them into a folder of the server and answers with their URLs
        fp = s.upload(os.path.join(REPO, 'examples', 'lca', 'footprint-study.json'))
        st, h, data = s.request('POST', '/api/lca/footprint', {'study': fp} if 'study' in input_names(s, 'lca footprint')
                                else {input_names(s, 'lca footprint')[0]: fp})
        if st == 200:
            urls = json.loads(h['x-panocarbon-files'])
            assert urls and all(u.startswith('/api/files/') for u in urls), urls
            st2, h2, got = s.request('GET', urls[0])
            assert st2 == 200 and len(got) > 0, (st2, got[:200])
            st3, _, _ = s.request('GET', urls[0].rsplit('/', 1)[0] + '/../../server.db')
            assert st3 in (400, 404), st3
        else:
            # the footprint needs an LCA database (the example imports USLCI first): still no files stay
            assert os.listdir(os.path.join(s.files, 'runs')) == [], os.listdir(os.path.join(s.files, 'runs'))


def input_names(s, name):
    for c in s.json('GET', '/api/capabilities'):
        if c['name'] == name:
            return list(c['input_schema']['properties'])
    return []


@test
def jobs_progress_cancel_and_result(tmp):
    with Server(tmp) as s:
        model = s.upload(os.path.join(REPO, 'examples', 'sensitivity', 'ishigami.json'))
        # a job run to its end: its result is the capability's JSON and its run is in the run log
        j = s.json('POST', '/api/jobs', {'capability': 'sensitivity sobol',
                                         'params': {'model': model, 'draws': 4096, 'bootstrap': 0, 'seed': 1}},
                   status=202) if 'model' in input_names(s, 'sensitivity sobol') else None
        if j is None:
            first = input_names(s, 'sensitivity sobol')[0]
            j = s.json('POST', '/api/jobs', {'capability': 'sensitivity sobol',
                                             'params': {first: model, 'draws': 4096, 'bootstrap': 0, 'seed': 1}},
                       status=202)
        param = 'model' if 'model' in input_names(s, 'sensitivity sobol') else input_names(s, 'sensitivity sobol')[0]
        assert j['status'] == 'queued' and j['id'], j
        done = wait_job(s, j['id'], ('done', 'failed'))
        assert done['status'] == 'done', done
        sync = s.json('POST', '/api/sensitivity/sobol', {param: model, 'draws': 4096, 'bootstrap': 0, 'seed': 1})
        same_numbers(done['result'], sync, 'job result')
        (rid, cmd, status, _), = [r for r in runs(s.db) if r[0] == done['run_id']]
        assert (cmd, status) == ('sensitivity sobol', 'ok')
        # a long job: its progress is seen while it runs, and DELETE stops it
        j = s.json('POST', '/api/jobs', {'capability': 'sensitivity sobol',
                                         'params': {param: model, 'draws': 6000000, 'bootstrap': 0, 'seed': 2,
                                                    'threads': 1}}, status=202)
        seen = None
        t0 = time.time()
        while time.time() - t0 < 60:
            cur = s.json('GET', f'/api/jobs/{j["id"]}')
            if cur['status'] == 'running' and cur['progress']['total'] > 0 and 0 < cur['progress']['done'] < \
                    cur['progress']['total']:
                seen = cur
                break
            assert cur['status'] in ('queued', 'running'), cur
            time.sleep(0.02)
        assert seen, f'no progress seen: {cur}'
        assert seen['progress']['label'], seen
        s.json('DELETE', f'/api/jobs/{j["id"]}', status=202)
        t_cancel = time.time()
        end = wait_job(s, j['id'], ('cancelled', 'done', 'failed'))
        assert end['status'] == 'cancelled', end
        assert time.time() - t_cancel < 5, 'cancelled within seconds'
        assert 'cancelled' in end['error']['message'], end
        last = runs(s.db)[-1]
        assert last[1] == 'sensitivity sobol' and last[2] == 'failed' and 'cancelled' in last[3], last
        assert end['run_id'] == last[0], (end, last)
        # a queued job cancelled before it starts never runs
        n = len(runs(s.db))
        jobs = [s.json('POST', '/api/jobs', {'capability': 'sensitivity sobol',
                                             'params': {param: model, 'draws': 3000000, 'bootstrap': 0, 'seed': 3,
                                                        'threads': 1}}, status=202) for _ in range(3)]
        for jb in jobs:
            s.json('DELETE', f'/api/jobs/{jb["id"]}', status=202)
        for jb in jobs:
            assert wait_job(s, jb['id'], ('cancelled', 'done', 'failed'))['status'] == 'cancelled'
        assert len(runs(s.db)) <= n + 2, 'at most the two started (--jobs 2) were logged'
        listed = s.json('GET', '/api/jobs')['jobs']
        assert len(listed) == 5, listed


def wait_job(s, jid, states, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        j = s.json('GET', f'/api/jobs/{jid}')
        if j['status'] in states:
            return j
        time.sleep(0.05)
    raise AssertionError(f'job {jid} still {j["status"]} after {timeout} s')


@test
def token_mode(tmp):
    token = 'a' * 20 + 'secret'
    with Server(tmp, '--token', token) as s:
        for path in ('/api/health', '/', '/api/gwp/list', '/assets/app.js'):
            st, h, data = s.request('GET', path)
            assert st == 401 and 'Authorization: Bearer' in error_of(data)['message'], (path, st, data)
            assert h.get('www-authenticate', '').startswith('Bearer'), h
        st, _, data = s.request('GET', '/api/health', headers={'Authorization': 'Bearer wrong'})
        assert st == 401 and 'wrong' in error_of(data)['message'], data
        st, _, data = s.request('GET', '/api/health', headers={'Authorization': 'Bearer ' + token[:-1]})
        assert st == 401
        st, _, data = s.request('GET', '/api/health', headers={'Authorization': 'Bearer ' + token})
        assert st == 200, data
        st, _, _ = s.request('GET', '/', headers={'Authorization': 'Bearer ' + token})
        assert st == 200
        # a browser: the token in the first page's query, then the cookie it set
        st, h, _ = s.request('GET', '/?access_token=' + token)
        assert st == 200 and h['set-cookie'].startswith('panocarbon_token=' + token + ';'), h
        assert 'HttpOnly' in h['set-cookie'] and 'SameSite=Strict' in h['set-cookie'], h
        assert s.request('GET', '/api/health', headers={'Cookie': 'panocarbon_token=' + token})[0] == 200
        assert s.request('GET', '/api/health', headers={'Cookie': 'panocarbon_token=' + token + 'x'})[0] == 401
        assert s.request('GET', '/api/health', headers={'Cookie': 'xpanocarbon_token=' + token})[0] == 401
        assert s.request('GET', '/?access_token=wrong')[0] == 401
    # the token from the environment
    with Server(tmp, env=dict(ENV, PANOCARBON_TOKEN=token)) as s:
        assert s.request('GET', '/api/health')[0] == 401
        assert s.request('GET', '/api/health', headers={'Authorization': 'Bearer ' + token})[0] == 200
        # a port in use: an I/O error that says what to do
        p = subprocess.run([BIN, 'serve', '--port', str(s.port), '--db', os.path.join(tmp, 'y.db')],
                           capture_output=True, text=True, timeout=30, env=ENV)
        assert p.returncode == 6 and 'cannot listen' in p.stderr and '--port' in p.stderr, (p.returncode, p.stderr)
    # any host but loopback needs a token: refused at start, with a message saying how
    p = subprocess.run([BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--db', os.path.join(tmp, 'x.db')],
                       capture_output=True, text=True, timeout=30, env=ENV)
    assert p.returncode == 2 and '--token' in p.stderr and 'PANOCARBON_TOKEN' in p.stderr, (p.returncode, p.stderr)
    assert p.stdout == '', p.stdout
    p = subprocess.run([BIN, 'serve', '--port', '0', '--web', os.path.join(tmp, 'nonesuch')],
                       capture_output=True, text=True, timeout=30, env=ENV)
    assert p.returncode == 2 and 'is not a folder' in p.stderr, p.stderr
    p = subprocess.run([BIN, 'serve', '--port', '0', '--db', ''], capture_output=True, text=True, timeout=30, env=ENV)
    assert p.returncode == 2 and '--db is empty' in p.stderr, p.stderr
    p = subprocess.run([BIN, 'serve', '--host', '127.0.0.1.nip.io', '--port', '0', '--db', os.path.join(tmp, 'x.db')],
                       capture_output=True, text=True, timeout=30, env=ENV)
    assert p.returncode == 2 and '--token' in p.stderr, (p.returncode, p.stderr)  # a name, not a loopback address
    p = subprocess.run([BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--token', 'short'],
                       capture_output=True, text=True, timeout=30, env=ENV)
    assert p.returncode == 2 and 'at least 16' in p.stderr, p.stderr


@test
def reads_are_kept_while_the_database_is_unchanged(tmp):
    with Server(tmp) as s:
        st, _, data = s.request('POST', '/api/ledger/build', {'path': [s.upload(os.path.join(REPO, 'data', 'ledger'))]}
                                if 'path' in input_names(s, 'ledger build') else
                                {cli_positionals('ledger build')[0]: [s.upload(os.path.join(REPO, 'data', 'ledger'))]})
        assert st == 200, data[:400]
        q = '/api/account?country=CHN&year=2009'
        st1, h1, a = s.request('GET', q)
        st2, h2, b = s.request('GET', q)
        assert (st1, st2) == (200, 200) and a == b, (st1, st2)
        assert (h1.get('x-panocarbon-cache'), h2['x-panocarbon-cache']) == ('miss', 'hit'), (h1, h2)
        assert s.request('GET', q + '&format=csv')[1]['x-panocarbon-cache'] == 'miss', 'the format is in the key'
        # a run logged by this server changes the database: computed again
        assert s.request('POST', '/api/inventory/calc', {'file': s.upload(os.path.join(REPO, 'examples',
                                                                                       'inventory.csv'))})[0] == 200
        st3, h3, c = s.request('GET', q)
        assert h3['x-panocarbon-cache'] == 'miss' and c == a, h3
        assert s.request('GET', q)[1]['x-panocarbon-cache'] == 'hit'
        # and so does another process writing to it
        subprocess.run([BIN, 'inventory', 'calc', 'examples/inventory.csv', '--db', s.db, '--format', 'json'],
                       cwd=REPO, check=True, capture_output=True, env=ENV)
        assert s.request('GET', q)[1]['x-panocarbon-cache'] == 'miss'
        # what logs runs, writes files or draws random numbers is never kept
        for _ in range(2):
            assert 'x-panocarbon-cache' not in s.request('GET', '/api/db/info')[1]


@test
def requests_of_other_sites_are_refused(tmp):
    with Server(tmp) as s:
        here = f'127.0.0.1:{s.port}'
        up = s.upload(os.path.join(REPO, 'examples', 'inventory.csv'))
        cases = [({'Host': f'evil.example:{s.port}'}, 'loopback name'),
                 ({'Origin': 'http://evil.example'}, 'evil.example'),
                 ({'Origin': 'http://127.0.0.1.evil.example:5173', 'Host': here}, 'evil.example'),
                 ({'Sec-Fetch-Site': 'cross-site'}, 'another site')]
        for headers, said in cases:
            for method, path, body in (('GET', '/api/health', None), ('POST', '/api/inventory/calc', {'file': up}),
                                       ('GET', f'/api/inventory/calc?file={up}', None), ('GET', '/', None)):
                st, _, data = s.request(method, path, body, headers)
                e = error_of(data)
                assert st == 403 and said in e['message'] and e['category'] == 'forbidden', (headers, st, e)
        # the app's own pages, and clients that are not browsers
        for headers in ({'Origin': f'http://{here}', 'Sec-Fetch-Site': 'same-origin'}, {},
                        {'Origin': 'http://localhost:5173', 'Host': here},  # the app's development server
                        {'Host': f'localhost:{s.port}'}, {'Host': f'[::1]:{s.port}'}):
            assert runs(s.db) == [], 'nothing ran for the refused requests'
            st, _, data = s.request('POST', '/api/gwp/list', {'gwp': 'AR6'}, headers)
            assert st == 200, (headers, st, data[:300])
        assert s.request('POST', '/api/inventory/calc', {'file': up})[0] == 200 and len(runs(s.db)) == 1


@test
def static_files_without_traversal(tmp):
    with Server(tmp) as s:
        st, h, data = s.request('GET', '/')
        assert st == 200 and h['content-type'] == 'text/html; charset=utf-8' and b'<title>map' in data, (st, h)
        index = data
        for path, ctype in (('/assets/app.js', 'text/javascript; charset=utf-8'),
                            ('/assets/style.css', 'text/css; charset=utf-8'),
                            ('/assets/world.json', 'application/json'), ('/index.html', 'text/html; charset=utf-8')):
            st, h, _ = s.request('GET', path)
            assert st == 200 and h['content-type'] == ctype, (path, st, h)
        # the app's own routes get the app; a missing asset is a 404
        st, _, data = s.request('GET', '/country/CHN')
        assert st == 200 and b'<title>map' in data
        assert s.request('GET', '/assets/missing.js')[0] == 404
        # a folder is never listed
        st, _, data = s.request('GET', '/assets/')
        assert b'style.css' not in data and b'world.json' not in data and st in (200, 404), (st, data)
        # no way out of the web folder
        for path in ('/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt',
                     '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/assets/..%5c..%5csecret.txt', '//etc/passwd',
                     '/../../../../etc/passwd', '/%00/etc/passwd'):
            st, _, data = s.request('GET', path)
            assert b'not for the web' not in data and b'root:' not in data, (path, st, data)
            assert st in (400, 404) or data == index, (path, st, data)  # the app for a route of its own
        os.symlink(os.path.join(tmp, 'secret.txt'), os.path.join(s.web, 'assets', 'link.txt'))
        st, _, data = s.request('GET', '/assets/link.txt')
        assert st in (400, 404) and b'not for the web' not in data, (st, data)


@test
def parallel_requests_give_identical_answers(tmp):
    with Server(tmp, '--threads', '16') as s:
        paths = ['/api/factors/search?query=diesel&limit=20', '/api/gwp/list?gwp=AR6', '/api/db/info']
        want = {p: s.request('GET', p)[2] for p in paths if not p.endswith('db/info')}

        def one(i):
            p = paths[i % len(paths)]
            st, _, data = s.request('GET', p)
            return p, st, data
        with concurrent.futures.ThreadPoolExecutor(32) as ex:
            got = list(ex.map(one, range(300)))
        for p, st, data in got:
            assert st == 200, (p, st, data[:300])
            if p in want:
                assert data == want[p], p
        # runs logged from many threads at once, each with its own connection to the database: every answer
        # the same, every run finished ok, none lost
        up = s.upload(os.path.join(REPO, 'examples', 'inventory.csv'))
        before = len(runs(s.db))

        def calc(i):
            return s.request('POST', '/api/inventory/calc', {'file': up, 'gwp': 'AR6'})
        with concurrent.futures.ThreadPoolExecutor(24) as ex:
            got = list(ex.map(calc, range(60)))
        assert all(st == 200 for st, _, _ in got), [d[:300] for st, _, d in got if st != 200]
        ids = sorted(int(h['x-panocarbon-run-id']) for _, h, _ in got)

        def without_run_id(j):
            if isinstance(j, dict):
                return {k: without_run_id(v) for k, v in j.items() if k != 'run_id'}
            return [without_run_id(v) for v in j] if isinstance(j, list) else j
        answers = [json.loads(d) for _, _, d in got]
        assert all(without_run_id(a) == without_run_id(answers[0]) for a in answers), 'identical answers'
        assert sorted(a['provenance']['run_id'] for a in answers) == ids if 'provenance' in answers[0] else True
        assert len(set(ids)) == 60, 'one run each'
        logged = runs(s.db)
        assert len(logged) == before + 60, (len(logged), before)
        assert all(r[2] == 'ok' for r in logged), [r for r in logged if r[2] != 'ok']
        assert [r[0] for r in logged[-60:]] == ids


# ---- the registry's examples through the API -----------------------------------------------------------------

VOLATILE = {'seconds', 'run_id', 'pid', 'started', 'finished', 'time', 'modified', 'bytes', 'database', 'path',
            'draws_per_second', 'elapsed', 'size_bytes', 'file_bytes', 'id'}


def same_numbers(a, b, where, rel=1e-12, path=''):
    """The same structure and numbers (relative 1e-12); keys that name the run, the machine or time apart."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), f'{where}{path}: keys {sorted(set(a) ^ set(b))} differ'
        for k in a:
            if k not in VOLATILE and not k.endswith('_s') and 'seconds' not in k:  # timings
                same_numbers(a[k], b[k], where, rel, f'{path}/{k}')
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f'{where}{path}: {len(a)} items, the CLI {len(b)}'
        for i, (x, y) in enumerate(zip(a, b)):
            same_numbers(x, y, where, rel, f'{path}/{i}')
    elif isinstance(a, bool) or isinstance(b, bool):
        assert a == b, f'{where}{path}: {a} != {b}'
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        assert abs(a - b) <= rel * max(abs(a), abs(b)), f'{where}{path}: {a} != {b}'
    else:
        assert type(a) == type(b), f'{where}{path}: {a!r} vs {b!r}'


def cli_positionals(name):
    """The positional arguments of a command, from its --help (CLI11's POSITIONALS section)."""
    out = subprocess.run([BIN] + name.split() + ['--help'], capture_output=True, text=True).stdout
    names, on = [], False
    for line in out.splitlines():
        if line.lower().startswith('positionals:'):
            on = True
            continue
        if on:
            if not line.startswith('  '):
                break
            names.append(line.split()[0])
    return names


def example_params(c):
    """The registry example's CLI words as the JSON body of the API."""
    props = c['input_schema']['properties']
    pos = cli_positionals(c['name'])
    params, words, i = {}, list(c['example']), 0
    while i < len(words):
        w = words[i]
        if w.startswith('--'):
            k = w[2:]
            if props.get(k, {}).get('type') == 'boolean':
                params[k] = True
                i += 1
                continue
            v, i = words[i + 1], i + 2
        else:
            assert pos, f'{c["name"]}: more positional words than positionals in {words}'
            k = pos[0]
            if props.get(k, {}).get('type') != 'array':
                pos.pop(0)
            v, i = w, i + 1
        t = props.get(k, {})
        typ = t.get('type')
        item = t.get('items', {}).get('type') if typ == 'array' else typ
        val = int(v) if item == 'integer' else float(v) if item == 'number' else v
        if typ == 'array':
            params.setdefault(k, []).append(val)
        else:
            params[k] = val
    return params


def examples(tmp):
    """Every capability's registry example, in the registry's order, through the API and through the CLI, each
    on its own fresh database: the same JSON numbers."""
    with Server(tmp) as s:
        caps = s.json('GET', '/api/capabilities')
        cli_db = os.path.join(tmp, 'cli.db')
        env = dict(ENV, PANOCARBON_DB=cli_db)
        shared = os.path.isdir(SHARED)
        unc = os.path.join(REPO, 'tests', 'fixtures', 'lca', 'uncertainty')
        subprocess.run([BIN, 'lca', 'import', unc, '--name', 'unc'], env=env, check=True, capture_output=True)
        s.json('POST', '/api/lca/import', {'path': s.upload(unc), 'name': 'unc'} if 'path' in input_names(s, 'lca import')
               else {cli_positionals('lca import')[0]: s.upload(unc), 'name': 'unc'})
        compared, skipped = [], []
        for c in caps:
            name = c['name']
            if any('../shared' in w for w in c['example']) and not shared:
                skipped.append(name)
                continue
            words = name.split() + c['example']
            out_dir = os.path.join(tmp, 'out-' + name.replace(' ', '-'))
            if c['writes_files']:
                words += ['--out', out_dir]
            t0 = time.time()
            p = subprocess.run([BIN] + words + ['--format', 'json'], cwd=REPO, env=env, capture_output=True,
                               timeout=900)
            assert p.returncode == 0, f'{name}: the CLI fails: {p.stderr[-400:]}'
            params = example_params(c)
            for k, v in list(params.items()):
                vals = v if isinstance(v, list) else [v]
                up = []
                for x in vals:
                    f = os.path.join(REPO, x) if isinstance(x, str) else None
                    if f and ('/' in x or os.path.splitext(x)[1]) and os.path.exists(f):
                        up.append(s.upload(f))
                    else:
                        up.append(x)
                params[k] = up if isinstance(v, list) else up[0]
            st, h, data = s.request('POST', '/api/' + name.replace(' ', '/'), params)
            assert st == 200, f'{name}: POST {params}: {st} {data[:600]!r}'
            api, cli = json.loads(data), json.loads(p.stdout)
            if name in ('db info',):
                # counts of the two databases agree; sizes and paths are the machine's
                same_numbers({k: v for k, v in api.items() if k not in ('runs', 'recent_runs')},
                             {k: v for k, v in cli.items() if k not in ('runs', 'recent_runs')}, name)
            elif name in ('capabilities', 'schema', 'completion', 'man'):
                assert api == cli, name
            else:
                same_numbers(api, cli, name)
            if c['writes_files']:
                urls = json.loads(h['x-panocarbon-files'])
                names = sorted(u.split('/', 4)[4] for u in urls)
                want = sorted(os.path.relpath(os.path.join(r, f), out_dir) for r, _, fs in os.walk(out_dir)
                              for f in fs)
                assert names == want, (name, names, want)
            compared.append(f'{name} ({time.time() - t0:.1f} s)')
        print('compared:', ', '.join(compared))
        if skipped:
            print('skipped (no ../shared/data):', ', '.join(skipped))
        assert len(compared) + len(skipped) == len(caps)


if ARGS.examples:
    harness.TESTS[:] = [examples]
harness.run_all('panocarbon-server-')
