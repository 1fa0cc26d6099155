#!/usr/bin/env python3
"""End-to-end tests of `panocarbon lca ...` on the real USLCI database (../shared/data/lca): import from a
folder and a zip, five products recomputed independently with scipy from the exported matrices, the
identities B s = g and sum of contributions = total, upstream trees, methods (openLCA's IPCC 2021 CSV and a
JSON-LD method package), search, and the bad-input errors. Prints 'N passed, M failed'; exits 77 (skipped)
without ../shared/data."""
import csv, io, json, os, re, shutil, subprocess, sys, tempfile, zipfile

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
USLCI = os.path.join(SHARED, 'lca', 'uslci-jsonld')
IPCC_CSV = os.path.join(SHARED, 'lca', 'openlca-refdata', 'lcia_factors', '244a0.csv')
BIN = None
DB = None  # one imported copy of USLCI shared by the read-only tests

FIVE = ['Portland cement, at plant', 'Electricity, bituminous coal, at power plant',
        'Polyethylene, low density, resin, at plant', 'Aluminum, primary ingot, at plant',
        'Lumber, softwood, ACQ treated, SE']


def run(*args, db=None, expect=0):
    p = subprocess.run([BIN, *args, '--db', db or DB], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def calc(process, *extra, db=None):
    return {r['category']: float(r['amount'])
            for r in rows(run('lca', 'calc', '--database', 'uslci', '--process', process, '--format', 'csv', *extra,
                              db=db).stdout)}


def close(a, b, rel=1e-9, abs_=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + abs_


# --- an independent characterisation: data/lcia_ipcc2021_gwp100.csv applied by name + compartment kind ----
def compartment_kind(path):
    for seg in path.lower().split('/'):
        seg = seg.lstrip(' [')
        if seg.startswith(('resource', 'natural resource', 'raw material')):
            return 'resource'
        if seg.startswith('air') or 'to air' in seg or 'atmosphere' in seg:
            return 'air'
        if seg.startswith('water') or 'to water' in seg or 'freshwater' in seg or 'fresh water' in seg:
            return 'water'
        if seg.startswith('soil') or 'to soil' in seg:
            return 'soil'
    return ''


def norm(name):
    n = name.lower().strip()
    if n.endswith(']') and ' [' in n:
        n = n[:n.index(' [')]
    return n.strip()


def norm_cas(cas):
    return re.sub(r'^0+(?=[^-])', '', cas.strip())


def method_factors():
    """({(name, kind): (category, factor)}, {cas: (category, factor)}) from the method table and the AR6 GWPs."""
    with open(os.path.join(ROOT, 'data', 'gwp.csv')) as f:
        ar6 = {r['gas']: float(r['gwp100']) for r in csv.DictReader(f) if r['set'] == 'AR6'}
    by_name, by_cas = {}, {}
    with open(os.path.join(ROOT, 'data', 'lcia_ipcc2021_gwp100.csv')) as f:
        for r in csv.DictReader(f):
            v = (r['category'], int(r['sign']) * ar6[r['gas']])
            by_name[(norm(r['flow_name']), r['compartment'])] = v
            if r['match_by_cas'] == '1':
                by_cas[r['cas']] = v
    return by_name, by_cas


def scipy_results(matrices_dir, providers):
    """Totals per category for each provider's 1 unit, from the exported A and B, solved with SuperLU."""
    prov = rows(open(os.path.join(matrices_dir, 'providers.csv')).read())
    flows = rows(open(os.path.join(matrices_dir, 'flows.csv')).read())
    n = len(prov)
    t = np.loadtxt(os.path.join(matrices_dir, 'technosphere.csv'), delimiter=',', skiprows=1, ndmin=2)
    b = np.loadtxt(os.path.join(matrices_dir, 'biosphere.csv'), delimiter=',', skiprows=1, ndmin=2)
    A = sp.csc_matrix((t[:, 2], (t[:, 0].astype(int), t[:, 1].astype(int))), shape=(n, n))
    B = sp.csr_matrix((b[:, 2], (b[:, 0].astype(int), b[:, 1].astype(int))), shape=(len(flows), n))
    table, cas_table = method_factors()
    c = {k: np.zeros(len(flows)) for k in ('total', 'fossil', 'biogenic', 'luc')}
    for i, fl in enumerate(flows):
        kind = compartment_kind(fl['compartment'])
        hit = table.get((norm(fl['flow']), kind)) or (table.get((norm(fl['flow']), 'air')) if kind == '' else None)
        if not hit and kind in ('air', '') and norm_cas(fl['cas']) in cas_table:
            hit = cas_table[norm_cas(fl['cas'])]
        if hit:
            direction = -1 if kind == 'resource' else 1  # resources are inputs: negative in B
            c['total'][i] = hit[1] * direction
            c[hit[0]][i] = hit[1] * direction
    lu = spla.splu(A)
    out = {}
    for name in providers:
        j = next(int(p['index']) for p in prov if p['process'] == name)
        f = np.zeros(n)
        f[j] = 1.0
        s = lu.solve(f)
        assert np.abs(A @ s - f).max() < 1e-9
        g = B @ s
        out[name] = {k: float(v @ g) for k, v in c.items()}
    return out


@test
def five_uslci_products_agree_with_scipy(tmp):
    """Five real products: panocarbon (KLU) against SuperLU on the exported matrices with the method applied in
    Python, every category to 1e-9 relative; also the many-process path equals the single ones."""
    out = os.path.join(tmp, 'm')
    run('lca', 'matrices', '--database', 'uslci', '--out', out)
    ref = scipy_results(out, FIVE)
    many = rows(run('lca', 'calc', '--database', 'uslci', *sum([['--process', p] for p in FIVE], []), '--format', 'csv').stdout)
    for name in FIVE:
        ours = calc(name)
        for cat, v in ref[name].items():
            assert close(ours[cat], v), (name, cat, ours[cat], v)
        for r in many:
            if r['process'] == name:
                assert close(float(r['amount']), ours[r['category']]), (name, r)
    # --unit: 1 kWh of coal electricity (an MJ flow) is 3.6 MJ; 2 t of cement is 2000 kg
    assert close(calc(FIVE[1], '--unit', 'kWh')['total'], 3.6 * calc(FIVE[1])['total'], 1e-12)
    assert close(calc(FIVE[0], '--amount', '2', '--unit', 't')['total'], 2000 * calc(FIVE[0])['total'], 1e-12)
    # the figures documented in docs/lca.md (rounded)
    assert round(calc(FIVE[0])['total'], 3) == 1.376
    assert round(calc(FIVE[3])['biogenic'], 4) == -0.0462


@test
def inventory_is_b_times_s_and_contributions_sum_to_the_total(tmp):
    name = FIVE[0]
    total = calc(name)['total']
    inv = rows(run('lca', 'inventory', '--database', 'uslci', '--process', name, '--format', 'csv').stdout)
    co2 = sum(float(r['amount']) for r in inv if norm(r['flow']) in ('carbon dioxide', 'carbon dioxide, fossil')
              and compartment_kind(r['compartment']) == 'air')
    # the cement process itself emits 0.374 kg "Carbon dioxide" and 0.553 kg "Carbon dioxide, fossil" (its JSON file)
    assert co2 > 0.927, co2
    contrib = rows(run('lca', 'contributions', '--database', 'uslci', '--process', name, '--format', 'csv').stdout)
    assert close(sum(float(r['amount']) for r in contrib), total, 1e-12)
    assert close(sum(float(r['share']) for r in contrib), 1.0, 1e-12)
    top = contrib[0]
    # its own CO2 (0.374 + 0.553 kg) and 3.95e-5 kg methane (unspecified: fossil, 29.8)
    assert top['process'] == name and close(float(top['amount']), 0.374 + 0.553 + 3.95e-5 * 29.8, 1e-12), top
    up = rows(run('lca', 'contributions', '--database', 'uslci', '--process', name, '--upstream', '--format', 'csv').stdout)
    assert up[0]['process'] == name and close(float(up[0]['amount']), total, 1e-12), up[0]  # the product's whole chain
    assert all(abs(float(r['amount'])) <= abs(total) * (1 + 1e-12) for r in up)
    by_loc = rows(run('lca', 'contributions', '--database', 'uslci', '--process', name, '--by', 'location', '--format',
                      'csv').stdout)
    assert close(sum(float(r['amount']) for r in by_loc), total, 1e-12)


@test
def upstream_tree_starts_at_the_total_and_respects_the_cutoff(tmp):
    name = FIVE[0]
    total = calc(name)['total']
    tree = rows(run('lca', 'tree', '--database', 'uslci', '--process', name, '--cutoff', '0.01', '--format', 'csv').stdout)
    assert tree[0]['depth'] == '0' and close(float(tree[0]['total']), total, 1e-12), tree[0]
    assert all(abs(float(r['share'])) >= 0.01 for r in tree), tree
    assert len(tree) > 3
    j = json.loads(run('lca', 'tree', '--database', 'uslci', '--process', name, '--cutoff', '0.05', '--format', 'json').stdout)
    assert len(j['links']) == len(j['nodes']) - 1
    # a node's total covers its direct part and its children's totals (less what the cut-off drops)
    for node in j['nodes']:
        kids = [j['nodes'][l['source']] for l in j['links'] if l['target'] == node['index']]
        assert abs(node['direct'] + sum(k['total'] for k in kids)) <= abs(node['total']) * (1 + 1e-9) + 1e-12


@test
def zip_import_equals_folder_import(tmp):
    z = os.path.join(tmp, 'uslci.zip')
    with zipfile.ZipFile(z, 'w', zipfile.ZIP_DEFLATED) as zf:
        for root, _, files in os.walk(USLCI):
            for f in files:
                full = os.path.join(root, f)
                zf.write(full, os.path.join('uslci-export', os.path.relpath(full, USLCI)))
    db = os.path.join(tmp, 'z.db')
    out = json.loads(run('lca', 'import', z, '--name', 'uslci', '--format', 'json', db=db).stdout)
    assert out['processes'] == 766 and out['exchanges'] == 32526, out
    for name in FIVE[:2]:
        a, b = calc(name, db=db), calc(name)
        assert all(close(a[k], b[k], 1e-14) for k in a), (a, b)


@test
def ecospold2_copy_gives_the_same_five_products(tmp):
    """The EcoSpold2 export of USLCI through the same CLI: the five products agree with the JSON-LD copy to
    1e-9 (electricity is per kWh there, per MJ in JSON-LD: a factor 3.6)."""
    db = os.path.join(tmp, 'es2.db')
    out = json.loads(run('lca', 'import', os.path.join(SHARED, 'lca', 'uslci-fy18q1-ecospold2.zip'), '--name', 'uslci',
                         '--format', 'json', db=db).stdout)
    assert out['format'] == 'ecospold2' and out['processes'] == 767, out
    for name in FIVE:
        a, b = calc(name, db=db), calc(name)
        scale = 3.6 if name.startswith('Electricity') else 1.0
        assert all(close(a[k], b[k] * scale, 1e-9) for k in a), (name, a, b)


@test
def import_report_and_reimport_replaces(tmp):
    db = os.path.join(tmp, 'r.db')
    j = json.loads(run('lca', 'import', USLCI, '--name', 'u', '--format', 'json', db=db).stdout)
    assert j['processes'] == 766 and j['flows'] == 4601 and j['exchanges'] == 32526, j
    assert j['exchanges_with_uncertainty'] == 5539 and j['multi_output_processes'] == 132, j
    assert j['linking']['providers'] == 766 and j['linking']['cutoffs'] > 0, j
    # `lca calc` loads the system linked at import; other options are linked once and then cached too
    calc_json = lambda *extra: json.loads(run('lca', 'calc', '--database', 'u', '--process', FIVE[3], '--format', 'json',
                                              *extra, db=db).stdout)
    first, again = calc_json('--allocation', 'none'), calc_json('--allocation', 'none')
    assert not first['checks']['cached_system'] and again['checks']['cached_system'], (first['checks'], again['checks'])
    assert first['results'] == again['results'] == calc_json()['results'], (first['results'], again['results'])
    assert calc_json()['checks']['cached_system']
    run('lca', 'import', USLCI, '--name', 'u', db=db)
    assert calc_json('--allocation', 'none')['checks']['cached_system'] is False  # re-import dropped the cache
    dbs = json.loads(run('lca', 'databases', '--format', 'json', db=db).stdout)
    assert [d['name'] for d in dbs] == ['u'] and dbs[0]['exchanges'] == 32526, dbs


@test
def search_finds_processes_and_flows(tmp):
    hits = rows(run('lca', 'search', 'portland cement', '--format', 'csv').stdout)
    assert any(h['kind'] == 'process' and h['name'] == 'Portland cement, at plant' for h in hits), hits
    hits = rows(run('lca', 'search', 'carbon dioxide fossil', '--database', 'uslci', '--format', 'csv').stdout)
    assert any(h['kind'] == 'flow' for h in hits), hits


@test
def openlca_ipcc2021_csv_maps_by_id_and_refuses_unmapped_co2(tmp):
    """244a0.csv is keyed by openLCA reference flow ids: only 4 USLCI flows share them, so the fossil CO2 of
    the cement inventory is unmapped -> an error naming it, unless waived; with the waiver the result is the
    4 id-matched flows' factors applied to the inventory, computed here."""
    db = os.path.join(tmp, 'c.db')
    shutil.copy(DB, db)
    out = run('lca', 'import-method', IPCC_CSV, '--name', 'openLCA IPCC 2021 GWP100', db=db).stdout
    assert '1 categories, 1246 factors' in out or 'factors' in out, out
    p = run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--method', 'openLCA IPCC 2021 GWP100',
            '--format', 'csv', db=db, expect=5)
    assert 'have no factor in method' in p.stderr and 'Carbon dioxide, fossil' in p.stderr and '--waive-unmapped' in p.stderr, p.stderr
    res = rows(run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--method', 'openLCA IPCC 2021 GWP100',
                   '--waive-unmapped', '--format', 'csv', db=db).stdout)
    factors = {r['Flow']: float(r['Factor']) for r in csv.DictReader(open(IPCC_CSV))}
    inv = rows(run('lca', 'inventory', '--database', 'uslci', '--process', FIVE[0], '--format', 'csv', db=db).stdout)
    expect = sum(float(r['amount']) * factors[r['flow_id']] for r in inv if r['flow_id'] in factors)
    assert len(res) == 1 and close(float(res[0]['amount']), expect, 1e-12), (res, expect)


@test
def jsonld_method_package_maps_by_name_and_cas(tmp):
    db = os.path.join(tmp, 'j.db')
    shutil.copy(DB, db)
    out = run('lca', 'import-method', os.path.join(ROOT, 'tests', 'fixtures', 'lca', 'method-jsonld'), db=db).stdout
    assert "'Test GWP and acidification': 2 categories, 3 factors" in out, out
    res = rows(run('lca', 'calc', '--database', 'uslci', '--process', FIVE[1], '--method', 'Test GWP and acidification',
                   '--waive-unmapped', '--format', 'csv', db=db).stdout)
    assert [r['category'] for r in res] == ['Climate change', 'Acidification'], res
    inv = rows(run('lca', 'inventory', '--database', 'uslci', '--process', FIVE[1], '--format', 'csv', db=db).stdout)
    air = [r for r in inv if compartment_kind(r['compartment']) in ('air', '')]
    # by name + compartment (the fixture's flows are air emissions); ids never match, CAS alone is not used
    gwp = sum(float(r['amount']) * {'carbon dioxide, fossil': 1.0, 'methane': 27.9}.get(norm(r['flow']), 0) for r in air)
    so2 = sum(float(r['amount']) for r in air if norm(r['flow']) == 'sulfur dioxide')
    assert gwp > 0.2 and so2 > 0, (gwp, so2)
    assert close(float(res[0]['amount']), gwp, 1e-12) and close(float(res[1]['amount']), 1.31 * so2, 1e-12), (res, gwp, so2)


@test
def footprint_study_writes_reports_consistent_with_calc(tmp):
    """The example ISO 14067 study end to end: three files; the PACT figures equal `lca calc` of the same
    product with the study's allocation (cradle-to-gate, 1 m3), and with/without biogenic are consistent."""
    out = os.path.join(tmp, 'pcf')
    run('lca', 'footprint', os.path.join(ROOT, 'examples', 'lca', 'footprint-study.json'), '--out', out)
    for f in ('report.md', 'report.html', 'pact.json'):
        assert os.path.getsize(os.path.join(out, f)) > 500, f
    pact = json.load(open(os.path.join(out, 'pact.json')))
    study = json.load(open(os.path.join(ROOT, 'examples', 'lca', 'footprint-study.json')))
    ours = calc(study['product'], '--allocation', study['allocation'])
    pcf = pact['pcf']
    assert close(float(pcf['pCfIncludingBiogenic']), ours['total'], 1e-9), (pcf['pCfIncludingBiogenic'], ours)
    assert close(float(pcf['fossilGhgEmissions']), ours['fossil'], 1e-9), (pcf['fossilGhgEmissions'], ours)
    assert float(pcf['pCfExcludingBiogenic']) >= ours['fossil'] + ours['luc'] - 1e-9, pcf
    html = open(os.path.join(out, 'report.html')).read()
    assert '<script' not in html and 'http' not in html.split('</head>')[0].replace('http-equiv', ''), 'self-contained'
    md = open(os.path.join(out, 'report.md')).read()
    assert study['name'] in md and 'Limitations' in md, md[:500]
    # shares are of the gross contributions G (the total is negative: a share of it would flip every sign)
    assert 'Share of G' in md and 'the gross contributions G' in md, md[:2000]
    rows = [line.split('|') for line in md.splitlines() if line.startswith('| energy supply |')]
    assert rows and float(rows[0][3]) > 0 and rows[0][7].strip().endswith('%') and float(rows[0][7].strip()[:-2]) > 0, rows


@test
def bad_inputs_are_clear_errors(tmp):
    db = os.path.join(tmp, 'e.db')
    p = run('lca', 'import', os.path.join(tmp, 'nope'), db=db, expect=3)
    assert 'does not exist' in p.stderr and 'JSON-LD' in p.stderr, p.stderr
    empty = os.path.join(tmp, 'empty')
    os.makedirs(os.path.join(empty, 'flows'))
    p = run('lca', 'import', empty, db=db, expect=2)
    assert 'holds no openLCA JSON-LD processes' in p.stderr, p.stderr
    # a broken process file: the message names the file and its line
    broken = os.path.join(tmp, 'broken')
    shutil.copytree(USLCI, broken, ignore=shutil.ignore_patterns('sources', 'actors'))
    victim = sorted(os.listdir(os.path.join(broken, 'processes')))[0]
    path = os.path.join(broken, 'processes', victim)
    text = open(path).read()
    open(path, 'w').write(text[:200] + '\n\n,,' + text[200:])
    p = run('lca', 'import', broken, db=db, expect=2)
    assert victim in p.stderr and 'not valid JSON' in p.stderr and re.search(r'line \d+', p.stderr), p.stderr
    assert run('lca', 'databases', '--format', 'json', db=db).stdout.strip() == '[]'  # nothing half-imported
    p = run('lca', 'calc', '--database', 'nope', '--process', 'x', db=db, expect=3)
    assert "no LCA database 'nope'" in p.stderr and 'lca import' in p.stderr, p.stderr
    p = run('lca', 'calc', '--database', 'uslci', '--process', 'Portland cement at plant', expect=3)
    assert 'did you mean' in p.stderr and 'Portland cement, at plant' in p.stderr, p.stderr
    p = run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--method', 'ReCiPe', expect=3)
    assert "no LCIA method 'ReCiPe'" in p.stderr, p.stderr
    p = run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--unit', 'kWh', expect=4)
    assert '--unit kWh cannot be converted to kg' in p.stderr, p.stderr
    p = run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--provider', 'nonsense', expect=2)
    assert 'FLOW_ID=PROCESS_ID' in p.stderr, p.stderr
    p = run('lca', 'contributions', '--database', 'uslci', '--process', FIVE[0], '--category', 'acid', expect=3)
    assert "no category 'acid'" in p.stderr and 'total, fossil, biogenic, luc' in p.stderr, p.stderr



@test
def search_refs_are_accepted_by_process(tmp):
    """`lca search` prints references DATABASE/ID; --process takes them (a flow's reference is refused)."""
    hits = json.loads(run('lca', 'search', 'portland cement', '--database', 'uslci', '--format', 'json').stdout)
    ref = next(h['ref'] for h in hits if h['kind'] == 'process' and h['name'] == FIVE[0])
    assert ref.startswith('uslci/'), ref
    assert calc(ref) == calc(FIVE[0])
    table = run('lca', 'search', 'portland cement', '--database', 'uslci').stdout
    assert ref in table, table
    flows = json.loads(run('lca', 'search', 'carbon dioxide fossil', '--database', 'uslci', '--format', 'json').stdout)
    flow = next(h['ref'] for h in flows if h['kind'] == 'flow')
    p = run('lca', 'calc', '--database', 'uslci', '--process', flow, expect=2)
    assert 'is a flow, not a process' in p.stderr, p.stderr
    # --kind keeps one kind, in the same rank order: here a flow ranks first, so the first hit of any kind would
    # not be a process (the chat's planner searches with --kind process)
    assert hits[0]['kind'] == 'flow', hits[0]
    procs = json.loads(run('lca', 'search', 'portland cement', '--database', 'uslci', '--kind', 'process',
                           '--limit', '3', '--format', 'json').stdout)
    assert procs and all(h['kind'] == 'process' for h in procs) and len(procs) <= 3, procs
    assert [h['ref'] for h in procs] == [h['ref'] for h in hits if h['kind'] == 'process'][:3], procs
    assert procs[0]['ref'] == ref and calc(procs[0]['ref']) == calc(FIVE[0])
    only = json.loads(run('lca', 'search', 'carbon dioxide fossil', '--database', 'uslci', '--kind', 'flow',
                          '--format', 'json').stdout)
    assert only and all(h['kind'] == 'flow' for h in only), only
    p = run('lca', 'search', 'cement', '--kind', 'processes', expect=2)
    assert '--kind must be one of any, process, flow' in p.stderr, p.stderr


@test
def import_stores_the_methods_of_a_jsonld_package(tmp):
    """A JSON-LD package with lcia_methods/ (the tree fixture plus the method fixture): `lca import` stores the
    database and its methods, says so in JSON and in the table, and `lca calc --method` uses them."""
    pkg = os.path.join(tmp, 'pkg')
    shutil.copytree(os.path.join(ROOT, 'tests', 'fixtures', 'lca', 'tree'), pkg)
    shutil.copytree(os.path.join(ROOT, 'tests', 'fixtures', 'lca', 'method-jsonld'), pkg, dirs_exist_ok=True)
    db = os.path.join(tmp, 'm.db')
    j = json.loads(run('lca', 'import', pkg, '--name', 't', '--format', 'json', db=db).stdout)
    assert j['methods'] == [{'name': 'Test GWP and acidification', 'categories': 2, 'factors': 3}], j['methods']
    table = run('lca', 'import', pkg, '--name', 't', db=db).stdout
    assert 'LCIA methods imported from its lcia_methods/: 1' in table, table
    assert "'Test GWP and acidification': 2 categories, 3 factors" in table, table
    res = rows(run('lca', 'calc', '--database', 't', '--process', 'bicycle assembly', '--method',
                   'Test GWP and acidification', '--waive-unmapped', '--format', 'csv', db=db).stdout)
    assert [r['category'] for r in res] == ['Climate change', 'Acidification'], res
    assert all(r['unit'] for r in res) and all(r['gwp'] == '' for r in res), res  # a stored method: no GWP set
    # the USLCI import stores no method (it has none)
    assert json.loads(run('lca', 'import', USLCI, '--name', 'u', '--format', 'json', db=db).stdout)['methods'] == []


@test
def database_names_and_db_files_are_told_apart(tmp):
    """--database is a stored database's name, --db the SQLite file: help and messages say so."""
    helptext = subprocess.run([BIN, 'lca', 'calc', '--help'], capture_output=True, text=True).stdout
    assert 'not a file path' in helptext and '--db is the SQLite file' in helptext, helptext
    p = run('lca', 'calc', '--database', DB, '--process', FIVE[0], expect=3)
    assert 'not a file path' in p.stderr and 'the stored databases are: uslci' in p.stderr, p.stderr
    assert 'import' in p.stderr, p.stderr
    p = run('lca', 'search', 'cement', '--database', 'nope', expect=3)
    assert "no LCA database 'nope'" in p.stderr and 'the stored databases are: uslci' in p.stderr, p.stderr


def numbers_of_column(lines, pattern):
    """The numbers that `pattern` (one group) finds in the lines."""
    return [m.group(1) for m in (re.search(pattern, ln) for ln in lines) if m]


def one_style(cells):
    """True when the cells are all scientific, or all fixed with the same number of decimals."""
    if all(re.fullmatch(r'-?\d\.\d+e[-+]\d+', c) for c in cells):
        return True
    decimals = {len(c.split('.')[1]) if '.' in c else 0 for c in cells}
    return len(decimals) == 1 and not any('e' in c for c in cells)


@test
def every_quantity_has_a_unit_and_a_column_style(tmp):
    name = FIVE[0]
    calc_table = run('lca', 'calc', '--database', 'uslci', '--process', name).stdout.splitlines()
    results = calc_table[3:7]  # after the header: total, fossil, biogenic, luc
    assert len(results) == 4 and all(ln.endswith('kg CO2e (AR6 GWP100)') for ln in results), calc_table
    assert one_style([ln.split()[1] for ln in results]), results
    inv = rows(run('lca', 'inventory', '--database', 'uslci', '--process', name, '--format', 'csv').stdout)
    assert inv and all(r['unit'] for r in inv), [r for r in inv if not r['unit']][:3]
    inv_table = run('lca', 'inventory', '--database', 'uslci', '--process', name).stdout.splitlines()
    assert one_style(numbers_of_column(inv_table[4:], r'\s(-?[0-9][0-9.e+-]*)\s+\S+$')), inv_table[:10]
    contrib = rows(run('lca', 'contributions', '--database', 'uslci', '--process', name, '--format', 'csv').stdout)
    assert all(r['unit'] == 'kg CO2e' and r['gwp'] == 'AR6' for r in contrib), contrib[:2]
    ctable = run('lca', 'contributions', '--database', 'uslci', '--process', name, '--top', '20').stdout.splitlines()
    amounts = numbers_of_column(ctable[5:], r'^\s+-?[0-9.]+\s+(-?[0-9][0-9.e+-]*)\s')
    assert len(amounts) == 20 and one_style(amounts), ctable
    tree = rows(run('lca', 'tree', '--database', 'uslci', '--process', name, '--format', 'csv').stdout)
    assert all(r['amount_unit'] and r['unit'] == 'kg CO2e' for r in tree), tree[:2]
    ttable = run('lca', 'tree', '--database', 'uslci', '--process', name).stdout.splitlines()
    assert one_style(numbers_of_column(ttable[5:], r'^\s*-?[0-9.]+\s+(-?[0-9][0-9.e+-]*)\s')), ttable
    many = rows(run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--process', FIVE[1], '--format',
                    'csv').stdout)
    assert all(r['unit'] == 'kg CO2e' and r['gwp'] == 'AR6' for r in many), many


@test
def every_co2e_output_names_its_gwp_set(tmp):
    """AR6 by default (ISO 14067: the latest); --gwp AR5 is named in JSON, CSV, table and the method."""
    helptext = subprocess.run([BIN, 'lca', 'calc', '--help'], capture_output=True, text=True).stdout
    assert 'UNFCCC reporting uses AR5; ISO 14067 uses the latest (AR6)' in ' '.join(helptext.split()), helptext
    j = json.loads(run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--format', 'json').stdout)
    assert j['gwp'] == 'AR6' and j['method'] == 'IPCC 2021 GWP100', (j['gwp'], j['method'])
    j5 = json.loads(run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--gwp', 'AR5', '--format',
                        'json').stdout)
    assert j5['gwp'] == 'AR5' and 'AR5' in j5['method'], (j5['gwp'], j5['method'])
    assert j5['results'][0]['amount'] != j['results'][0]['amount']
    assert all(r['gwp'] == 'AR5' for r in rows(run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--gwp',
                                                   'AR5', '--format', 'csv').stdout))
    table = run('lca', 'calc', '--database', 'uslci', '--process', FIVE[0], '--gwp', 'AR5').stdout
    assert 'GWP100 values of IPCC AR5' in table and 'kg CO2e (AR5 GWP100)' in table, table
    for cmd in ('contributions', 'tree'):
        j = json.loads(run('lca', cmd, '--database', 'uslci', '--process', FIVE[0], '--format', 'json').stdout)
        assert j['gwp'] == 'AR6', (cmd, j.get('gwp'))
    out = os.path.join(tmp, 'pcf')
    j = json.loads(run('lca', 'footprint', os.path.join(ROOT, 'examples', 'lca', 'footprint-study.json'), '--out', out,
                       '--format', 'json').stdout)
    assert j['gwp'] == 'AR6' and j['unit'] == 'kg CO2e' and len(j['files']) == 3, j
    assert 'AR6 GWP100' in run('lca', 'footprint', os.path.join(ROOT, 'examples', 'lca', 'footprint-study.json'),
                               '--out', out).stdout


if __name__ == '__main__':
    BIN = parse_bin()
    if not os.path.isdir(USLCI):
        print(f'skipped: {USLCI} is missing')
        sys.exit(77)
    keep = tempfile.mkdtemp(prefix='pc-lca-e2e-')
    DB = os.path.join(keep, 'uslci.db')
    run('lca', 'import', USLCI, '--name', 'uslci', db=DB)
    try:
        run_all('pc-lca-e2e-')
    finally:
        shutil.rmtree(keep, ignore_errors=True)
