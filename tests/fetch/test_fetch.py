#!/usr/bin/env python3
"""End-to-end tests of `panocarbon data fetch` against a loopback HTTP server (fixture_server.py) that serves
small fixtures in the publishers' layouts: a Zenodo records API record + EXIOBASE-style zip, an OECD ICIO bundle
zip at the OECD's fileview2.aspx address, WIOD's table and CO2 account at www.wiod.org's paths, the GCB CSVs at
their GitHub address. Faults: a connection dropped mid-file (resumed within the run, or by the next run, bytes
equal), Range ignored, wrong MD5, an HTML page instead of a zip, 404, server down, unknown year, bad --mirror.
After a fetch, `mrio info` reads the EXIOBASE zip and the OECD CSV; `ledger build` and `account` read the GCB
folder. Nothing but 127.0.0.1 is contacted. Prints 'N passed, M failed'."""
import csv, hashlib, io, json, os, signal, subprocess, sys, time, zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import parse_bin, run_all, test  # noqa: E402
from fixture_server import FixtureServer, closed_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED_GCB = os.path.join(ROOT, '..', 'shared', 'data', 'national', 'gcb2019')
BIN = None
CATALOGUE = json.load(open(os.path.join(ROOT, 'data', 'fetch_catalogue.json'), encoding='utf-8'))


def path_of(url):
    """The path and query of a publisher's address (what a mirror serves)."""
    rest = url.split('://', 1)[1]
    return rest[rest.index('/'):]


def run(tmp, *args, expect=0):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'p.db'))
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, cwd=tmp, timeout=120)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-1500:]}\nstderr: {p.stderr[-1500:]}'
    return p


def fetch_json(tmp, *args, expect=0):
    p = run(tmp, 'data', 'fetch', *args, '--format', 'json', expect=expect)
    return json.loads(p.stdout) if expect == 0 else p


def md5(b):
    return hashlib.md5(b).hexdigest()


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            z.writestr(zi, data)
    return buf.getvalue()


def tsv(rows):
    return '\n'.join('\t'.join(str(c) for c in r) for r in rows) + '\n'


def exiobase_zip(year, system):
    """An EXIOBASE 3 download in miniature: IOT_YEAR_SYSTEM/ with A, Y, unit, metadata and satellite/ F, F_Y."""
    top = f'IOT_{year}_{system}/'
    regs, secs = ['R1', 'R2'], ['s1', 's2']
    cols = [(r, s) for r in regs for s in secs]
    a = [[0.10, 0.05, 0.02, 0.01], [0.03, 0.20, 0.01, 0.04], [0.02, 0.01, 0.15, 0.05], [0.01, 0.03, 0.06, 0.10]]
    y = [[100, 10], [50, 5], [8, 120], [4, 60]]
    A = [['region', ''] + [c[0] for c in cols], ['sector', ''] + [c[1] for c in cols], ['region', 'sector'] + [''] * 4]
    A += [[r, s] + a[i] for i, (r, s) in enumerate(cols)]
    Y = [['region', ''] + regs, ['category', ''] + ['Final consumption expenditure by households'] * 2,
         ['region', 'sector', '', '']]
    Y += [[r, s] + y[i] for i, (r, s) in enumerate(cols)]
    unit = [['region', 'sector', 'unit']] + [[r, s, 'M.EUR'] for r, s in cols]
    F = [['region'] + [c[0] for c in cols], ['sector'] + [c[1] for c in cols], ['CO2 - combustion - air', 11, 22, 33, 44]]
    FY = [['region'] + regs, ['category'] + ['Final consumption expenditure by households'] * 2,
          ['CO2 - combustion - air', 5, 6]]
    fp = {'files': {'A': {'name': 'A.txt', 'nr_index_col': '2', 'nr_header': '2'},
                    'Y': {'name': 'Y.txt', 'nr_index_col': '2', 'nr_header': '2'},
                    'unit': {'name': 'unit.txt', 'nr_index_col': '2', 'nr_header': '1'}}, 'systemtype': 'IOSystem'}
    sfp = {'files': {'F': {'name': 'F.txt', 'nr_index_col': '1', 'nr_header': '2'},
                     'F_Y': {'name': 'F_Y.txt', 'nr_index_col': '1', 'nr_header': '2'},
                     'unit': {'name': 'unit.txt', 'nr_index_col': '1', 'nr_header': '1'}},
           'systemtype': 'Extension', 'name': 'satellite'}
    meta = {'description': f'fixture in the layout of EXIOBASE 3 {year} {system}', 'name': 'EXIO3', 'system': system,
            'version': 'v3.8.2', 'history': []}
    # A readme large enough that a transfer can break off in the middle (deterministic bytes).
    readme = ''.join(f'line {i}: fixture padding for the data fetch tests\n' for i in range(2000))
    return zip_bytes([(top + 'file_parameters.json', json.dumps(fp)), (top + 'A.txt', tsv(A)), (top + 'Y.txt', tsv(Y)),
                      (top + 'unit.txt', tsv(unit)), (top + 'metadata.json', json.dumps(meta)),
                      (top + 'satellite/file_parameters.json', json.dumps(sfp)), (top + 'satellite/F.txt', tsv(F)),
                      (top + 'satellite/F_Y.txt', tsv(FY)),
                      (top + 'satellite/unit.txt', tsv([['stressor', 'unit'], ['CO2 - combustion - air', 'kg']])),
                      (top + 'README.txt', readme)])


RECORD_ID = 4588235


def serve_exiobase(srv, years=(2011, 2012), bad_md5=None):
    """The Zenodo record at the concept's latest-version address, and its files."""
    files = []
    blobs = {}
    for yr in years:
        for sys_ in ('ixi', 'pxp'):
            key = f'IOT_{yr}_{sys_}.zip'
            b = exiobase_zip(yr, sys_)
            blobs[key] = b
            link = f'https://zenodo.org/api/records/{RECORD_ID}/files/{key}/content'
            srv.files[path_of(link)] = b
            wrong = bad_md5 and key == bad_md5[1]
            files.append({'id': key, 'key': key, 'size': len(b), 'checksum': 'md5:' + (bad_md5[0] if wrong else md5(b)),
                          'links': {'self': link}})
    files.append({'key': 'README.md', 'size': 3, 'checksum': 'md5:' + md5(b'abc'),
                  'links': {'self': f'https://zenodo.org/api/records/{RECORD_ID}/files/README.md/content'}})
    record = {'id': RECORD_ID, 'doi': f'10.5281/zenodo.{RECORD_ID}', 'conceptdoi': '10.5281/zenodo.3583070',
              'metadata': {'title': 'EXIOBASE 3', 'version': '3.8.1'}, 'files': files}
    srv.files[path_of(CATALOGUE['sources']['exiobase3']['latest_api'])] = json.dumps(record).encode()
    return blobs


def content_path(key):
    return path_of(f'https://zenodo.org/api/records/{RECORD_ID}/files/{key}/content')


def server():
    return FixtureServer().start()


@test
def exiobase3_from_the_zenodo_record_then_mrio_info(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    dest = os.path.join(tmp, 'exio')
    j = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    # The publisher's address: the concept record's latest version, through the Zenodo records API.
    assert srv.requests_for('/api/records/3583070/versions/latest'), srv.log
    f = j['files'][0]
    assert (f['file'], f['status'], f['checksum_source']) == ('IOT_2011_ixi.zip', 'downloaded', 'publisher'), f
    got = open(os.path.join(dest, 'IOT_2011_ixi.zip'), 'rb').read()
    assert got == blobs['IOT_2011_ixi.zip'] and f['md5'] == f['expected_md5'] == md5(got) and f['bytes'] == len(got)
    assert j['next'] == f'panocarbon mrio info {dest}/IOT_2011_ixi.zip', j['next']
    assert sorted(os.listdir(dest)) == ['IOT_2011_ixi.zip'], os.listdir(dest)  # no .part, no pxp
    info = json.loads(run(tmp, 'mrio', 'info', os.path.join(dest, 'IOT_2011_ixi.zip'), '--format', 'json').stdout)
    assert info['format'] == 'exiobase3' and info['n'] == 4 and info['regions'] == ['R1', 'R2'], info
    assert info['extensions'][0]['stressors'] == 1, info['extensions']
    # Again: already complete, skipped without fetching the file again.
    before = len(srv.requests_for(content_path('IOT_2011_ixi.zip')))
    j2 = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    assert j2['files'][0]['status'] == 'skipped' and j2['files'][0]['md5'] == md5(got), j2
    assert len(srv.requests_for(content_path('IOT_2011_ixi.zip'))) == before
    # Both systems.
    j3 = fetch_json(tmp, 'exiobase3', '--year', '2012', '--system', 'both', '--dest', dest, '--mirror', srv.base)
    assert [x['file'] for x in j3['files']] == ['IOT_2012_ixi.zip', 'IOT_2012_pxp.zip'], j3
    assert open(os.path.join(dest, 'IOT_2012_pxp.zip'), 'rb').read() == blobs['IOT_2012_pxp.zip']
    srv.stop()


@test
def a_dropped_connection_is_resumed_with_a_range_request_in_the_same_run(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    key = 'IOT_2011_ixi.zip'
    size = len(blobs[key])
    assert size > 60000, size
    srv.faults[content_path(key)] = {'drop_after': 25000, 'times': 1}
    dest = os.path.join(tmp, 'exio')
    j = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    reqs = srv.requests_for(content_path(key))
    assert [r[2] for r in reqs] == [None, 'bytes=25000-'], reqs
    assert [r[3] for r in reqs] == [200, 206], reqs
    assert j['files'][0]['status'] == 'resumed', j
    assert open(os.path.join(dest, key), 'rb').read() == blobs[key]
    assert not os.path.exists(os.path.join(dest, key + '.part'))
    srv.stop()


@test
def a_broken_run_leaves_only_a_part_file_and_the_next_run_resumes_it(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    key = 'IOT_2011_ixi.zip'
    srv.faults[content_path(key)] = {'drop_after': 30000, 'times': 1}
    dest = os.path.join(tmp, 'exio')
    p = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base, '--retries', '0', expect=6)
    url = srv.base + content_path(key)
    assert url in p.stderr and 'run the same command again' in p.stderr and 'docs/data-fetch.md' in p.stderr, p.stderr
    assert sorted(os.listdir(dest)) == [key + '.part'], os.listdir(dest)  # nothing under the final name
    part = open(os.path.join(dest, key + '.part'), 'rb').read()
    assert part == blobs[key][:30000], len(part)
    j = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    assert srv.requests_for(content_path(key))[-1][2:] == ('bytes=30000-', 206), srv.log
    assert j['files'][0]['status'] == 'resumed'
    assert open(os.path.join(dest, key), 'rb').read() == blobs[key]
    assert sorted(os.listdir(dest)) == [key]
    srv.stop()


@test
def a_server_that_ignores_range_restarts_the_part_cleanly(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    key = 'IOT_2011_ixi.zip'
    dest = os.path.join(tmp, 'exio')
    os.makedirs(dest)
    # A stale partial file whose bytes are NOT the file's: appending to it would corrupt the download.
    with open(os.path.join(dest, key + '.part'), 'wb') as f:
        f.write(b'x' * 5000)
    srv.faults[content_path(key)] = {'ignore_range': True}
    j = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    reqs = srv.requests_for(content_path(key))
    assert [(r[2], r[3]) for r in reqs] == [('bytes=5000-', 200)], reqs
    assert open(os.path.join(dest, key), 'rb').read() == blobs[key]
    assert j['files'][0]['status'] == 'downloaded', j  # started again, not resumed
    assert j['files'][0]['md5'] == md5(blobs[key])
    # The warning names the address and what happened.
    srv.faults[content_path('IOT_2012_pxp.zip')] = {'ignore_range': True}
    with open(os.path.join(dest, 'IOT_2012_pxp.zip.part'), 'wb') as f:
        f.write(blobs['IOT_2012_pxp.zip'][:100])
    p = run(tmp, 'data', 'fetch', 'exiobase3', '--year', '2012', '--system', 'pxp', '--dest', dest, '--mirror', srv.base)
    assert 'ignored the Range request' in p.stderr and content_path('IOT_2012_pxp.zip') in p.stderr, p.stderr
    assert open(os.path.join(dest, 'IOT_2012_pxp.zip'), 'rb').read() == blobs['IOT_2012_pxp.zip']
    srv.stop()


@test
def a_wrong_md5_deletes_the_download_and_says_so(tmp):
    srv = server()
    serve_exiobase(srv, bad_md5=('0123456789abcdef0123456789abcdef', 'IOT_2011_ixi.zip'))
    dest = os.path.join(tmp, 'exio')
    p = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base, expect=5)
    url = srv.base + content_path('IOT_2011_ixi.zip')
    assert 'checksum mismatch' in p.stderr and url in p.stderr, p.stderr
    assert '0123456789abcdef0123456789abcdef' in p.stderr and 'deleted' in p.stderr, p.stderr
    assert os.listdir(dest) == [], os.listdir(dest)  # neither the file nor its .part
    srv.stop()


@test
def a_complete_file_whose_md5_disagrees_is_fetched_again(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    key = 'IOT_2011_ixi.zip'
    dest = os.path.join(tmp, 'exio')
    os.makedirs(dest)
    with open(os.path.join(dest, key), 'wb') as f:
        f.write(blobs[key][:-10] + b'0123456789')  # same size, other bytes
    p = run(tmp, 'data', 'fetch', 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    assert 'does not agree' in p.stderr, p.stderr
    assert open(os.path.join(dest, key), 'rb').read() == blobs[key]
    srv.stop()


def wait_for(cond, seconds=20):
    t = time.time()
    while time.time() - t < seconds:
        if cond():
            return True
        time.sleep(0.02)
    return False


def start_fetch(tmp, *args):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, f'p{time.time_ns()}.db'))
    return subprocess.Popen([BIN, 'data', 'fetch', *args, '--format', 'json'], cwd=tmp, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@test
def a_killed_run_leaves_a_part_that_the_next_run_resumes(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    key = 'IOT_2011_ixi.zip'
    srv.faults[content_path(key)] = {'slow': {'chunk': 4096, 'delay': 0.02}, 'times': 1}
    dest = os.path.join(tmp, 'exio')
    part = os.path.join(dest, key + '.part')
    p = start_fetch(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    assert wait_for(lambda: os.path.exists(part) and os.path.getsize(part) >= 8192), 'no bytes arrived'
    p.send_signal(signal.SIGKILL)
    p.wait()
    kept = os.path.getsize(part)
    assert 0 < kept < len(blobs[key]) and not os.path.exists(os.path.join(dest, key)), kept
    j = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    assert srv.requests_for(content_path(key))[-1][2:] == (f'bytes={kept}-', 206), srv.log
    assert j['files'][0]['status'] == 'resumed' and open(os.path.join(dest, key), 'rb').read() == blobs[key]
    assert sorted(os.listdir(dest)) == [key]
    srv.stop()


@test
def two_runs_fetching_the_same_file_at_once_never_share_the_part(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    key = 'IOT_2011_ixi.zip'
    srv.faults[content_path(key)] = {'slow': {'chunk': 2048, 'delay': 0.05}}
    dest = os.path.join(tmp, 'exio')
    part = os.path.join(dest, key + '.part')
    first = start_fetch(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    assert wait_for(lambda: os.path.exists(part) and os.path.getsize(part) > 0), 'the first run wrote nothing'
    second = start_fetch(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)
    out2, err2 = second.communicate(timeout=60)
    out1, err1 = first.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 6 and 'another process is downloading' in err2 and key + '.part' in err2, err2
    assert open(os.path.join(dest, key), 'rb').read() == blobs[key] and sorted(os.listdir(dest)) == [key]
    # Once it is there, a third run finds it complete.
    srv.faults.clear()
    assert fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base)['files'][0]['status'] == 'skipped'
    srv.stop()


def oecd_bundle():
    mini = open(os.path.join(ROOT, 'tests', 'fixtures', 'oecd-icio-mini', 'ICIO2023_mini.csv'), 'rb').read()
    members = [(f'{y}_SML.csv', mini) for y in range(2011, 2016)]
    members.append(('ReadMe_ICIO_extended.txt', b'fixture'))
    return zip_bytes(members), mini


def oecd_path(year_range):
    return path_of(next(b['url'] for b in CATALOGUE['sources']['oecd-icio']['bundles'] if b['years'] == year_range))


@test
def oecd_icio_bundle_from_the_oecd_address_then_mrio_info_on_the_year(tmp):
    srv = server()
    bundle, mini = oecd_bundle()
    srv.files[oecd_path([2011, 2015])] = bundle
    dest = os.path.join(tmp, 'oecd')
    j = fetch_json(tmp, 'oecd-icio', '--year', '2012', '--dest', dest, '--mirror', srv.base)
    assert srv.requests_for('/wbos/fileview2.aspx?IDFile=1f791bc6-befb-45c5-8b34-668d08a1702a'), srv.log
    assert [(f['file'], f['status']) for f in j['files']] == [('ICIO-2011-2015-extended.zip', 'downloaded'),
                                                            ('ICIO2023_2012.csv', 'extracted')], j['files']
    assert open(os.path.join(dest, 'ICIO2023_2012.csv'), 'rb').read() == mini
    assert sorted(os.listdir(dest)) == ['ICIO-2011-2015-extended.zip', 'ICIO2023_2012.csv'], os.listdir(dest)
    assert j['next'] == f'panocarbon mrio info {dest}/ICIO2023_2012.csv', j['next']
    info = json.loads(run(tmp, 'mrio', 'info', os.path.join(dest, 'ICIO2023_2012.csv'), '--format', 'json').stdout)
    assert info['format'] == 'oecd-icio' and info['regions'] == ['AUS', 'CHN', 'ROW'] and info['n'] == 9, info
    # The year's table is there: nothing is fetched again.
    n = len(srv.log)
    j = fetch_json(tmp, 'oecd-icio', '--year', '2012', '--dest', dest, '--mirror', srv.base)
    assert j['files'][0]['status'] == 'skipped' and len(srv.log) == n
    # Another year of the same bundle: the zip is complete (skipped), the year is extracted.
    j = fetch_json(tmp, 'oecd-icio', '--year', '2014', '--dest', dest, '--mirror', srv.base)
    assert [f['status'] for f in j['files']] == ['skipped', 'extracted'] and len(srv.log) == n, (j, srv.log[n:])
    srv.stop()


@test
def an_html_page_in_place_of_the_zip_is_refused_and_nothing_is_kept(tmp):
    srv = server()
    bundle, _ = oecd_bundle()
    srv.files[oecd_path([2011, 2015])] = bundle
    srv.faults[oecd_path([2011, 2015])] = {'html': True}
    dest = os.path.join(tmp, 'oecd')
    p = fetch_json(tmp, 'oecd-icio', '--year', '2012', '--dest', dest, '--mirror', srv.base, expect=5)
    assert 'did not deliver a readable zip archive' in p.stderr and 'DOCTYPE html' in p.stderr, p.stderr
    assert srv.base + oecd_path([2011, 2015]) in p.stderr, p.stderr
    assert os.listdir(dest) == [], os.listdir(dest)
    srv.stop()


@test
def http_404_names_the_address_the_status_and_what_to_do(tmp):
    srv = server()  # serves nothing
    dest = os.path.join(tmp, 'oecd')
    p = fetch_json(tmp, 'oecd-icio', '--year', '2003', '--dest', dest, '--mirror', srv.base, expect=3)
    url = srv.base + oecd_path([2001, 2005])
    assert f'GET {url} answered HTTP 404 (Not Found)' in p.stderr, p.stderr
    assert 'fetch it by hand from' in p.stderr and 'docs/data-fetch.md' in p.stderr, p.stderr
    assert os.listdir(dest) == [], os.listdir(dest)
    # The Zenodo record missing: 404 too, naming the API address.
    p = fetch_json(tmp, 'exiobase3', '--year', '2011', '--dest', dest, '--mirror', srv.base, expect=3)
    assert srv.requests_for('/api/records/3583070/versions/latest') and srv.requests_for('/api/records/3583070')
    assert f'GET {srv.base}/api/records/3583070 answered HTTP 404' in p.stderr, p.stderr
    srv.stop()


@test
def server_down_is_an_io_error_naming_the_address(tmp):
    base = f'http://127.0.0.1:{closed_port()}'
    dest = os.path.join(tmp, 'wiod')
    p = fetch_json(tmp, 'wiod', '--year', '2009', '--dest', dest, '--mirror', base, '--retries', '0', expect=6)
    assert f'{base}/protected3/data13/wiot_analytic/wiot09_row_apr12.xlsx' in p.stderr, p.stderr
    assert 'onnect' in p.stderr and 'run the same command again' in p.stderr, p.stderr
    assert not os.path.exists(dest) or os.listdir(dest) == [], os.listdir(dest)


@test
def unknown_years_and_bad_options_are_input_errors_before_any_transfer(tmp):
    srv = server()
    serve_exiobase(srv)
    p = fetch_json(tmp, 'exiobase3', '--year', '1990', '--mirror', srv.base, expect=2)
    assert "field 'year'" in p.stderr and 'exiobase3 has no year 1990: it has 2011-2012' in p.stderr, p.stderr
    n = len(srv.log)
    for args, msg in [(['wiod', '--year', '2014'], 'wiod has no year 2014: it has 1995-2011'),
                      (['oecd-icio', '--year', '1990'], 'oecd-icio has no year 1990: it has 1995-2020'),
                      (['oecd-icio'], 'give --year'),
                      (['gcb', '--year', '2000'], 'leave out --year'),
                      (['gcb', '--mirror', 'ftp://127.0.0.1/'], "--mirror 'ftp://127.0.0.1/' is not http or https"),
                      (['gcb', '--mirror', '127.0.0.1:8000'], 'has no scheme'),
                      (['exiobase3', '--year', '2011', '--release', 'v9'], "--release 'v9' is neither"),
                      (['nosuch'], 'must be one of exiobase3, oecd-icio, wiod, gcb')]:
        p = fetch_json(tmp, *args, '--dest', os.path.join(tmp, 'd'), expect=2)
        assert msg in p.stderr, (args, p.stderr)
    assert len(srv.log) == n and not os.path.exists(os.path.join(tmp, 'd')), srv.log[n:]
    srv.stop()


@test
def the_concept_record_is_asked_when_versions_latest_is_not_found(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    latest = path_of(CATALOGUE['sources']['exiobase3']['latest_api'])
    srv.files['/api/records/3583070'] = srv.files.pop(latest)
    j = fetch_json(tmp, 'exiobase3', '--year', '2012', '--dest', 'e', '--mirror', srv.base)
    assert [e[1:4:2] for e in srv.log[:2]] == [(latest, 404), ('/api/records/3583070', 200)], srv.log
    assert open(os.path.join(tmp, 'e', 'IOT_2012_ixi.zip'), 'rb').read() == blobs['IOT_2012_ixi.zip'], j
    srv.stop()


@test
def a_release_fetches_that_zenodo_record(tmp):
    srv = server()
    blobs = serve_exiobase(srv)
    record = json.loads(srv.files[path_of(CATALOGUE['sources']['exiobase3']['latest_api'])])
    srv.files['/api/records/4588235'] = json.dumps(record).encode()  # release 3.8.1 in the catalogue
    j = fetch_json(tmp, 'exiobase3', '--year', '2012', '--release', '3.8.1', '--dest', 'e', '--mirror', srv.base)
    assert srv.requests_for('/api/records/4588235') and j['landing'] == 'https://doi.org/10.5281/zenodo.4588235'
    assert open(os.path.join(tmp, 'e', 'IOT_2012_ixi.zip'), 'rb').read() == blobs['IOT_2012_ixi.zip']
    j = fetch_json(tmp, 'exiobase3', '--year', '2012', '--release', '10.5281/zenodo.4588235', '--dest', 'e',
                   '--mirror', srv.base)
    assert j['files'][0]['status'] == 'skipped'
    srv.stop()


@test
def wiod_table_and_co2_account_from_the_wiod_addresses(tmp):
    srv = server()
    xlsx = zip_bytes([('[Content_Types].xml', '<Types/>'), ('xl/workbook.xml', '<workbook/>')])
    co2 = zip_bytes([('CO2_AUS_May12.xls', b'\xd0\xcf\x11\xe0 fixture')])
    srv.files['/protected3/data13/wiot_analytic/wiot09_row_apr12.xlsx'] = xlsx
    srv.files['/protected3/data13/CO2/CO2_may12.zip'] = co2
    dest = os.path.join(tmp, 'wiod')
    j = fetch_json(tmp, 'wiod', '--year', '2009', '--dest', dest, '--mirror', srv.base)
    assert [(f['file'], f['status'], f['checksum_source']) for f in j['files']] == [
        ('wiot09_row_apr12.xlsx', 'downloaded', ''), ('CO2_may12.zip', 'downloaded', '')], j['files']
    assert open(os.path.join(dest, 'wiot09_row_apr12.xlsx'), 'rb').read() == xlsx
    assert open(os.path.join(dest, 'CO2_may12.zip'), 'rb').read() == co2
    assert 'pymrio.parse_wiod' in j['next'] and f'panocarbon ledger build {dest}/2009' in j['next'], j['next']
    srv.stop()


def gcb_fixture():
    return {'territorial-emissions.csv': b'Code,Year,Emissions,Source\nCHN,2009,2096.0,CDIAC\nUSA,2009,1479.0,CDIAC\n',
            'consumption-emissions.csv': b'Code,Year,Consumption-Emissions\nCHN,2009,1780.0\nUSA,2009,1620.0\n',
            # GCB's transfers are territorial - consumption (a net exporter of embodied CO2 is positive)
            'emissions-transfers.csv': b'Code,Year,Emissions-Transfers\nCHN,2009,316.0\nUSA,2009,-141.0\n',
            'country-definitions.csv': b'Number,Code,Name,Description\n4,CHN,China,\n5,USA,USA,\n'}


def gcb_catalogue(tmp, files):
    cat = json.loads(json.dumps(CATALOGUE))
    for f in cat['sources']['gcb']['files']:
        f['md5'] = md5(files[f['file']])
        f['bytes'] = len(files[f['file']])
    p = os.path.join(tmp, 'catalogue.json')
    with open(p, 'w') as fh:
        json.dump(cat, fh)
    return p


def ledger_values(tmp, dest, country, year):
    """`ledger build DEST` into the test's database, then `account`: {indicator: (value, unit)} of gcb2019."""
    run(tmp, 'ledger', 'build', dest)
    out = run(tmp, 'account', '--country', country, '--year', str(year), '--source', 'gcb2019', '--format', 'csv').stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    return {r['indicator']: (float(r['value']), r['unit']) for r in rows}


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b))


@test
def gcb_files_are_checked_against_the_catalogue_md5(tmp):
    srv = server()
    files = gcb_fixture()
    for f in CATALOGUE['sources']['gcb']['files']:
        srv.files[path_of(f['url'])] = files[f['file']]
    dest = os.path.join(tmp, 'gcb')
    # The compiled-in catalogue carries the MD5 of the real files: the fixture is refused.
    p = fetch_json(tmp, 'gcb', '--dest', dest, '--mirror', srv.base, expect=5)
    assert 'checksum mismatch' in p.stderr and 'territorial-emissions.csv' in p.stderr, p.stderr
    assert os.listdir(dest) == [], os.listdir(dest)
    # With a catalogue that has the fixture's checksums (a mirror of one's own): fetched and checked.
    cat = gcb_catalogue(tmp, files)
    j = fetch_json(tmp, 'gcb', '--dest', dest, '--mirror', srv.base, '--catalogue', cat)
    assert all(f['status'] == 'downloaded' and f['md5'] == f['expected_md5'] and f['checksum_source'] == 'catalogue'
               for f in j['files']), j['files']
    for name, b in files.items():
        assert open(os.path.join(dest, name), 'rb').read() == b
    assert j['next'] == f'panocarbon ledger build {dest}'
    # What arrived is what the ledger reads: MtC x 44/12 in Mt CO2, net transfer = consumption - production.
    v = ledger_values(tmp, dest, 'CHN', 2009)
    assert v['production'][1] == 'Mt CO2' and close(v['production'][0], 2096.0 * 44 / 12), v
    assert close(v['consumption'][0], 1780.0 * 44 / 12) and close(v['net_transfer'][0], (1780.0 - 2096.0) * 44 / 12), v
    srv.stop()


@test
def gcb_real_files_agree_with_the_catalogue_then_ledger_build(tmp):
    if not os.path.isdir(SHARED_GCB):
        print('  (../shared/data/national/gcb2019 absent: the real-file check is not run)')
        return
    srv = server()
    files = {}
    for f in CATALOGUE['sources']['gcb']['files']:
        files[f['file']] = open(os.path.join(SHARED_GCB, f['file']), 'rb').read()
        srv.files[path_of(f['url'])] = files[f['file']]
    dest = os.path.join(tmp, 'gcb')
    j = fetch_json(tmp, 'gcb', '--dest', dest, '--mirror', srv.base)
    assert all(f['md5'] == f['expected_md5'] for f in j['files']), j['files']
    assert srv.requests_for('/openclimatedata/global-carbon-budget/122c763940e21d3cf651fdece25fb3f0d30ca141/data/'
                            'territorial-emissions.csv')
    v = ledger_values(tmp, dest, 'CHN', 2009)  # CHN,2009,2117.580 (MtC) in territorial-emissions.csv
    assert close(v['production'][0], 2117.580 * 44 / 12) and close(v['consumption'][0], 1808.520 * 44 / 12), v
    info = json.loads(run(tmp, 'ledger', 'info', '--format', 'json').stdout)
    gcb = [x for x in info['sources'] if x['source'] == 'gcb2019']
    assert gcb and gcb[0]['years'][0] == 1959 and gcb[0]['years'][-1] == 2018, info['sources']
    srv.stop()


@test
def dry_run_contacts_nothing_and_writes_nothing(tmp):
    srv = server()
    serve_exiobase(srv)
    j = fetch_json(tmp, 'oecd-icio', '--year', '2019', '--dest', 'o', '--mirror', srv.base + '/mirror', '--dry-run')
    assert j['files'][0]['url'] == srv.base + '/mirror/wbos/fileview2.aspx?IDFile=d1ab2315-298c-4e93-9a81-c6f2273139fe'
    assert [f['status'] for f in j['files']] == ['planned', 'planned'] and j['files'][1]['file'] == 'ICIO2023_2019.csv'
    j = fetch_json(tmp, 'gcb', '--dry-run')
    assert [f['url'] for f in j['files']] == [f['url'] for f in CATALOGUE['sources']['gcb']['files']]
    assert j['dest'] == os.path.join('panocarbon-data', 'gcb')
    assert srv.log == [] and not os.path.exists(os.path.join(tmp, 'o')) and not os.path.exists(os.path.join(tmp, 'panocarbon-data'))
    srv.stop()


@test
def a_mirror_with_a_path_prefix_keeps_the_publishers_path(tmp):
    srv = FixtureServer(prefix='/mirror/pub').start()
    files = gcb_fixture()
    for f in CATALOGUE['sources']['gcb']['files']:
        srv.files[path_of(f['url'])] = files[f['file']]
    cat = gcb_catalogue(tmp, files)
    j = fetch_json(tmp, 'gcb', '--dest', 'g', '--mirror', srv.base + '/mirror/pub/', '--catalogue', cat)
    assert all(e[1].startswith('/mirror/pub/openclimatedata/') for e in srv.log), srv.log
    assert len(j['files']) == 4 and all(f['status'] == 'downloaded' for f in j['files'])
    srv.stop()


if __name__ == '__main__':
    BIN = parse_bin()
    run_all('pc-fetch-')
