#!/usr/bin/env python3
"""End-to-end tests of `panocarbon mrio ...` on the real and mock MRIO datasets in ../shared/data/mrio:
pymrio's own results, zip vs folder, the other formats, the WIOD 2009 CO2 account, aggregation, the store,
and every bad-input error. Prints 'N passed, M failed'; exits 77 (skipped) without ../shared/data."""
import csv, io, json, os, sqlite3, subprocess, sys, zipfile

import numpy as np
import pandas as pd

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
MRIO = os.path.join(SHARED, 'mrio')
BIN = None


def run(*args, db, expect=0):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def accounts(path, db, *extra):
    out = run('mrio', 'accounts', path, '--format', 'csv', *extra, db=db).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows, out
    return rows


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) < 1e-300


@test
def pymrio_reference_accounts_and_multipliers(tmp):
    """All of pymrio 0.6.3's calc_all results on its test system, to 1e-9 relative."""
    db = os.path.join(tmp, 'p.db')
    ours = {}
    for r in accounts(os.path.join(MRIO, 'pymrio-test'), db):
        for col, acc in [('production', 'D_pba_reg'), ('consumption', 'D_cba_reg'), ('imports', 'D_imp_reg'),
                         ('exports', 'D_exp_reg')]:
            ours[(r['extension'], acc, r['stressor'], r['region'])] = float(r[col])
    out = run('mrio', 'multipliers', os.path.join(MRIO, 'pymrio-test'), '--format', 'csv', db=db).stdout
    for r in csv.DictReader(io.StringIO(out)):
        ours[(r['extension'], 'M', r['stressor'], r['region'] + '|' + r['sector'])] = float(r['multiplier'])
    n = 0
    with open(os.path.join(MRIO, 'pymrio-test', 'reference-accounts.csv')) as f:
        for r in csv.DictReader(f):
            key = (r['extension'], r['account'], r['stressor'], r['column'])
            assert key in ours, f'missing {key}'
            assert close(ours[key], float(r['value']), 1e-9), (key, ours[key], r['value'])
            n += 1
    assert n == 216, n
    # Per capita from population.txt (reg1: 780,000,000 people).
    rows = list(csv.DictReader(io.StringIO(run('mrio', 'accounts', os.path.join(MRIO, 'pymrio-test'), '--format', 'csv',
                                               '--all-columns', db=db).stdout)))
    r1 = [r for r in rows if r['region'] == 'reg1'][0]
    assert close(float(r1['consumption_per_capita']), float(r1['consumption']) / 780e6, 1e-12), r1
    assert close(float(r1['production_per_capita']), float(r1['production']) / 780e6, 1e-12), r1


@test
def zip_gives_the_same_as_the_folder(tmp):
    db = os.path.join(tmp, 'z.db')
    src = os.path.join(MRIO, 'pymrio-test')
    zpath = os.path.join(tmp, 'IOT_test.zip')
    with zipfile.ZipFile(zpath, 'w', zipfile.ZIP_DEFLATED) as z:  # one top folder, as EXIOBASE zips have
        for base, _, files in os.walk(src):
            for name in files:
                full = os.path.join(base, name)
                z.write(full, os.path.join('IOT_test', os.path.relpath(full, src)))
    a = run('mrio', 'accounts', src, '--format', 'csv', db=db).stdout
    b = run('mrio', 'accounts', zpath, '--format', 'csv', db=db).stdout
    assert a == b


@test
def eora26_mock_equals_the_pymrio_test_system(tmp):
    """pymrio's Eora26 mock holds the same numbers as its test system: same accounts."""
    db = os.path.join(tmp, 'e.db')
    ref = {(r['region'], r['stressor'].split('|')[0]): r for r in accounts(os.path.join(MRIO, 'pymrio-test'), db)
           if r['extension'] == 'emissions'}
    eora = [r for r in accounts(os.path.join(MRIO, 'eora26-mock'), db) if r['extension'] == 'Q']
    assert len(eora) == 12
    for r in eora:
        k = (r['region'], r['stressor'].split('|')[1])  # 'I-GHG-CO2 emissions|emission_type1'
        other = ref[k]
        for col in ('production', 'consumption', 'imports', 'exports'):
            assert close(float(r[col]), float(other[col]), 1e-9), (k, col, r[col], other[col])


@test
def threads_and_solvers_do_not_change_the_answer(tmp):
    """A synthetic MRIO big enough (A.txt > 1 MB) for the parser to split chunks across threads."""
    gen = os.path.join(os.path.dirname(SHARED), 'bench', 'make_synthetic_mrio.py')
    folder = os.path.join(tmp, 'syn')
    subprocess.run([sys.executable, gen, folder, '--regions', '8', '--sectors', '60'], check=True,
                   capture_output=True)
    assert os.path.getsize(os.path.join(folder, 'A.txt')) > 1 << 20  # chunks above 1 MB are split
    db = os.path.join(tmp, 's.db')
    one = run('mrio', 'accounts', folder, '--format', 'csv', '--threads', '1', db=db).stdout
    two = run('mrio', 'accounts', folder, '--format', 'csv', '--threads', '2', db=db).stdout
    assert one == two
    dense = list(csv.DictReader(io.StringIO(one)))
    for solver in ('mixed', 'sparse', 'iterative'):
        other = list(csv.DictReader(io.StringIO(
            run('mrio', 'accounts', folder, '--format', 'csv', '--solver', solver, db=db).stdout)))
        for a, b in zip(dense, other):
            for col in ('production', 'consumption', 'imports', 'exports'):
                assert close(float(a[col]), float(b[col]), 1e-12), (solver, a, b)


def numpy_reference(folder):
    """pymrio calc_all on a coefficient-form (A) system with pandas + numpy: dense inverse, x = L y."""
    params = json.load(open(os.path.join(folder, 'file_parameters.json')))['files']
    A = pd.read_csv(os.path.join(folder, params['A']['name']), sep='\t', index_col=[0, 1], header=[0, 1])
    Y = pd.read_csv(os.path.join(folder, params['Y']['name']), sep='\t', index_col=[0, 1], header=[0, 1])
    L = np.linalg.inv(np.eye(len(A)) - A.values)
    x = L @ Y.values.sum(1)
    regions = list(dict.fromkeys(A.index.get_level_values(0)))
    reg_of_row = np.array([regions.index(r) for r in A.index.get_level_values(0)])
    reg_of_y = np.array([regions.index(r) for r in Y.columns.get_level_values(0)])
    Yreg = np.zeros((len(A), len(regions)))
    for j, r in enumerate(reg_of_y):
        Yreg[:, r] += Y.values[:, j]
    X = L @ Yreg
    out = {}
    ext = os.path.join(folder, 'satellite')
    ep = json.load(open(os.path.join(ext, 'file_parameters.json')))['files']
    F = pd.read_csv(os.path.join(ext, ep['F']['name']), sep='\t', index_col=0, header=[0, 1])
    fy_key = 'F_Y' if 'F_Y' in ep else 'F_hh'
    FY = pd.read_csv(os.path.join(ext, ep[fy_key]['name']), sep='\t', index_col=0, header=[0, 1])
    for q, name in enumerate(F.index):
        s = F.values[q] / x
        B = np.zeros((len(regions), len(regions)))
        for p in range(len(regions)):
            B[p] = s[reg_of_row == p] @ X[reg_of_row == p]
        fy = np.zeros(len(regions))
        for j, r in enumerate(reg_of_y):
            fy[r] += FY.values[q, j]
        for r, reg in enumerate(regions):
            out[(str(name), reg)] = dict(production=B[r].sum() + fy[r], consumption=B[:, r].sum() + fy[r],
                                         imports=B[:, r].sum() - B[r, r], exports=B[r].sum() - B[r, r])
    return out


@test
def leontief_inverse_only_on_request_matches_numpy(tmp):
    db = os.path.join(tmp, 'l.db')
    folder = os.path.join(MRIO, 'exiobase3-mock')
    out = os.path.join(tmp, 'L.txt')
    run('mrio', 'multipliers', folder, '--format', 'csv', '--leontief-out', out, db=db)
    L = pd.read_csv(out, sep='\t', index_col=[0, 1], header=[0, 1])
    A = pd.read_csv(os.path.join(folder, 'A.txt'), sep='\t', index_col=[0, 1], header=[0, 1])
    ref = np.linalg.inv(np.eye(len(A)) - A.values)
    assert list(L.index) == list(A.index) and list(L.columns) == list(A.columns)
    assert np.max(np.abs(L.values - ref) / np.maximum(np.abs(ref), 1e-300)) < 1e-10


@test
def exiobase3_mock_coefficient_form_matches_numpy(tmp):
    db = os.path.join(tmp, 'x.db')
    folder = os.path.join(MRIO, 'exiobase3-mock')
    ref = numpy_reference(folder)
    rows = accounts(folder, db)
    assert len(rows) == len(ref), (len(rows), len(ref))
    for r in rows:
        want = ref[(r['stressor'], r['region'])]
        for col in want:
            assert close(float(r[col]), want[col], 1e-9), (r['stressor'], r['region'], col, r[col], want[col])


@test
def wiod_2009_co2_identities_and_store(tmp):
    db = os.path.join(tmp, 'w.db')
    folder = os.path.join(MRIO, 'wiod2013-co2', '2009')
    p = run('mrio', 'accounts', folder, '--format', 'json', db=db)
    j = json.loads(p.stdout)
    rep = j['report']
    assert rep['max_residual'] < 1e-12 and rep['identity_gap'] < 1e-12, rep
    regs = {r['region']: r for r in j['stressors'][0]['regions']}
    assert len(regs) == 41
    # China emits more than it consumes, the USA the opposite (Peters et al. 2011; GCP).
    assert regs['CHN']['production'] > 1.1 * regs['CHN']['consumption']
    assert regs['USA']['consumption'] > regs['USA']['production']
    for r in regs.values():
        assert abs(r['consumption'] - r['production'] - (r['imports'] - r['exports'])) <= 1e-9 * max(1, abs(r['production']))
        assert abs(r['income'] + 0) >= 0
    total = sum(r['production'] for r in regs.values())
    assert abs(sum(r['income'] for r in regs.values()) - total) < 1e-9 * total
    assert abs(sum(r['eebt_consumption'] for r in regs.values()) - total) < 1e-9 * total
    # Stored: queried back without recomputing.
    out = run('mrio', 'stored', '--region', 'CHN', '--stressor', 'CO2', '--year', '2009', '--format', 'csv', db=db).stdout
    stored = list(csv.DictReader(io.StringIO(out)))
    assert len(stored) == 1 and close(float(stored[0]['production']), regs['CHN']['production'], 1e-12), stored
    assert stored[0]['year'] == '2009', stored
    out = run('mrio', 'stored', '--year', '2011', '--format', 'csv', db=db).stdout
    assert len(out.strip().splitlines()) == 1, out  # header only
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM mrio_systems").fetchone()[0] == 1
    assert con.execute("SELECT status FROM runs WHERE command = 'mrio accounts'").fetchone()[0] == 'ok'
    # The negative outputs of LUX (isolated sectors, rounded inventory changes) are warnings, not errors.
    info = json.loads(run('mrio', 'info', folder, '--format', 'json', db=db).stdout)
    assert any('LUX|19' in w for w in info['provenance']['warnings']), info['provenance'].get('warnings')


@test
def aggregation_preserves_world_totals(tmp):
    db = os.path.join(tmp, 'a.db')
    folder = os.path.join(MRIO, 'wiod2013-co2', '2009')
    regions = [r['region'] for r in accounts(folder, db)]
    eu = {'AUT', 'BEL', 'BGR', 'CYP', 'CZE', 'DEU', 'DNK', 'ESP', 'EST', 'FIN', 'FRA', 'GBR', 'GRC', 'HUN', 'IRL',
          'ITA', 'LTU', 'LUX', 'LVA', 'MLT', 'NLD', 'POL', 'PRT', 'ROM', 'SVK', 'SVN', 'SWE'}  # WIOD: ROM
    rmap = os.path.join(tmp, 'regions.csv')
    with open(rmap, 'w') as f:
        f.write('from,to\n' + ''.join(f'{r},{"EU27" if r in eu else r}\n' for r in regions))
    out = os.path.join(tmp, 'agg')
    run('mrio', 'aggregate', folder, '--regions', rmap, '--out', out, db=db)
    before = accounts(folder, db)
    after = accounts(out, db)
    assert len(after) == len(regions) - len(eu) + 1
    tot = lambda rows, c: sum(float(r[c]) for r in rows)
    for c in ('production', 'consumption'):
        assert close(tot(before, c), tot(after, c), 1e-9), c
    # Production is additive over regions (it is where emissions happen).
    eu_prod = sum(float(r['production']) for r in before if r['region'] in eu)
    assert close(eu_prod, [float(r['production']) for r in after if r['region'] == 'EU27'][0], 1e-9)
    # Written in pymrio's layout: pandas reads it back.
    Z = pd.read_csv(os.path.join(out, 'Z.txt'), sep='\t', index_col=[0, 1], header=[0, 1])
    assert Z.shape == (len(after) * 35, len(after) * 35)


@test
def other_formats_icio_and_useeio(tmp):
    db = os.path.join(tmp, 'o.db')
    icio = os.path.join(ROOT, 'tests', 'fixtures', 'oecd-icio-mini', 'ICIO2023_mini.csv')
    info = json.loads(run('mrio', 'info', icio, '--format', 'json', db=db).stdout)
    assert info['format'] == 'oecd-icio' and info['regions'] == ['AUS', 'CHN', 'ROW'] and info['n'] == 9, info
    err = run('mrio', 'accounts', icio, db=db, expect=2).stderr
    assert 'no extension' in err, err
    useeio = os.path.join(SHARED, 'eeio', 'useeio-v2.0-ghg')
    rows = accounts(useeio, db)
    assert all(float(r['imports']) == 0 and float(r['exports']) == 0 for r in rows)
    assert all(close(float(r['production']), float(r['consumption']), 1e-9) for r in rows)


def write_system(folder, Z=None, Y=None, A_txt=None):
    os.makedirs(os.path.join(folder, 'em'), exist_ok=True)
    key = 'A' if A_txt else 'Z'
    json.dump({'files': {key: {'name': key + '.txt', 'nr_index_col': '2', 'nr_header': '2'},
                         'Y': {'name': 'Y.txt', 'nr_index_col': '2', 'nr_header': '2'}}, 'systemtype': 'IOSystem'},
              open(os.path.join(folder, 'file_parameters.json'), 'w'))
    open(os.path.join(folder, key + '.txt'), 'w').write(A_txt or Z)
    open(os.path.join(folder, 'Y.txt'), 'w').write(Y)
    json.dump({'files': {'F': {'name': 'F.txt', 'nr_index_col': '1', 'nr_header': '2'}}, 'systemtype': 'Extension'},
              open(os.path.join(folder, 'em', 'file_parameters.json'), 'w'))
    open(os.path.join(folder, 'em', 'F.txt'), 'w').write('region\tr1\tr2\nsector\ts\ts\nCO2\t1\t2\n')


HEAD = 'region\t\tr1\tr2\nsector\t\ts\ts\nregion\tsector\t\t\n'
YHEAD = 'region\t\tr1\tr2\ncategory\t\thh\thh\nregion\tsector\t\t\n'
GOOD_Y = YHEAD + 'r1\ts\t300\t50\nr2\ts\t200\t1500\n'


@test
def bad_input_errors_name_file_line_and_label(tmp):
    db = os.path.join(tmp, 'b.db')
    cases = [
        ('ragged', HEAD + 'r1\ts\t150\t500\nr2\ts\t200\n', GOOD_Y, None, 2,
         ['Z.txt', 'line 5 (r2|s) has 1 values, expected 2']),
        ('nonnumeric', HEAD + 'r1\ts\t150\tabc\nr2\ts\t200\t100\n', GOOD_Y, None, 2,
         ['Z.txt', "line 4 (r1|s) has 'abc' where a finite number is expected"]),
        ('labels', HEAD + 'r1\ts\t150\t500\nr2\ts\t200\t100\n', YHEAD + 'r1\ts\t300\t50\nr3\ts\t200\t1500\n', None, 2,
         ['Y.txt', "row 2 is 'r3|s' but the system's sector 2 is 'r2|s'"]),
        ('negative', HEAD + 'r1\ts\t150\t500\nr2\ts\t200\t100\n', YHEAD + 'r1\ts\t300\t50\nr2\ts\t-900\t0\n', None, 2,
         ['gross output of r2|s is negative']),
        ('singular', None, GOOD_Y, HEAD + 'r1\ts\t1\t0\nr2\ts\t0\t0.5\n', 5, ['I - A is singular', 'r1|s']),
        # Column sums of 1.8: I - A is invertible but (I - A)^-1 y is negative: not productive.
        ('nonproductive', None, GOOD_Y, HEAD + 'r1\ts\t0.9\t0.9\nr2\ts\t0.9\t0.9\n', 5,
         ['A is not productive', 'negative output']),
    ]
    for name, Z, Y, A, code, wants in cases:
        folder = os.path.join(tmp, name)
        write_system(folder, Z=Z, Y=Y, A_txt=A)
        err = run('mrio', 'accounts', folder, db=db, expect=code).stderr
        for w in wants:
            assert w in err, (name, w, err)
    # The run log records each failure; nothing else was written.
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'failed'").fetchone()[0] == len(cases)
    assert con.execute("SELECT count(*) FROM mrio_accounts").fetchone()[0] == 0
    # Missing things.
    err = run('mrio', 'accounts', os.path.join(tmp, 'nowhere'), db=db, expect=3).stderr
    assert 'does not exist' in err, err
    good = os.path.join(tmp, 'good')
    write_system(good, Z=HEAD + 'r1\ts\t150\t500\nr2\ts\t200\t100\n', Y=GOOD_Y)
    err = run('mrio', 'accounts', good, '--stressor', 'CH4', db=db, expect=3).stderr
    assert "no stressor named 'CH4'" in err and 'CO2' in err, err
    err = run('mrio', 'spa', good, '--region', 'XX', '--stressor', 'CO2', db=db, expect=3).stderr
    assert "no region 'XX'" in err and 'r1, r2' in err, err
    os.remove(os.path.join(good, 'Y.txt'))
    err = run('mrio', 'accounts', good, db=db, expect=2).stderr
    assert 'Y.txt is named in file_parameters.json but is missing' in err, err
    # F_Y listing other stressors than F.
    write_system(good, Z=HEAD + 'r1\ts\t150\t500\nr2\ts\t200\t100\n', Y=GOOD_Y)
    json.dump({'files': {'F': {'name': 'F.txt', 'nr_index_col': '1', 'nr_header': '2'},
                         'F_Y': {'name': 'F_Y.txt', 'nr_index_col': '1', 'nr_header': '2'}}, 'systemtype': 'Extension'},
              open(os.path.join(good, 'em', 'file_parameters.json'), 'w'))
    open(os.path.join(good, 'em', 'F_Y.txt'), 'w').write('region\tr1\tr2\ncategory\thh\thh\nCH4\t1\t0\n')
    err = run('mrio', 'accounts', good, db=db, expect=2).stderr
    assert "stressor 1 is 'CH4' but F has 'CO2'" in err and 'F_Y.txt' in err, err
    # A concordance that forgets a region.
    write_system(good, Z=HEAD + 'r1\ts\t150\t500\nr2\ts\t200\t100\n', Y=GOOD_Y)
    cmap = os.path.join(tmp, 'map.csv')
    open(cmap, 'w').write('from,to\nr1,W\n')
    err = run('mrio', 'aggregate', good, '--regions', cmap, '--out', os.path.join(tmp, 'o'), db=db, expect=2).stderr
    assert "has no line for 'r2'" in err and 'map.csv' in err, err
    assert not os.path.exists(os.path.join(tmp, 'o'))


def write_ghg_system(folder):
    """The Miller & Blair two-region system (tests/golden/mrio_miller_blair.test) with CO2 in t and CH4 in kg."""
    write_system(folder, Z=HEAD + 'r1\ts\t150\t500\nr2\ts\t200\t100\n', Y=GOOD_Y)
    json.dump({'files': {'F': {'name': 'F.txt', 'nr_index_col': '1', 'nr_header': '2'},
                         'unit': {'name': 'unit.txt', 'nr_index_col': '1', 'nr_header': '1'}},
               'systemtype': 'Extension', 'name': 'em'}, open(os.path.join(folder, 'em', 'file_parameters.json'), 'w'))
    open(os.path.join(folder, 'em', 'F.txt'), 'w').write('region\tr1\tr2\nsector\ts\ts\nCO2\t100\t200\nCH4\t1000\t2000\n')
    open(os.path.join(folder, 'em', 'unit.txt'), 'w').write('stressor\tunit\nCO2\tt\nCH4\tkg\n')


def numeric_columns_have_one_notation(table_text):
    """Every whitespace-separated numeric column of a table uses one notation (all scientific or all fixed)."""
    cols = {}
    for line in table_text.splitlines():
        for i, cell in enumerate(line.split()):
            try:
                float(cell)
            except ValueError:
                continue
            cols.setdefault(i, set()).add('e' in cell.lower())
    return all(len(kinds) == 1 for kinds in cols.values())


@test
def region_and_stressor_filters_are_repeatable(tmp):
    db = os.path.join(tmp, 'f.db')
    folder = os.path.join(MRIO, 'pymrio-test')
    everything = accounts(folder, db)
    some = accounts(folder, db, '--region', 'reg2', '--region', 'reg5')
    assert {r['region'] for r in some} == {'reg2', 'reg5'}, some
    assert len(some) == len(everything) // 3, (len(some), len(everything))  # 2 of 6 regions
    same = {(r['stressor'], r['region']): r for r in everything}
    for r in some:
        assert r == same[(r['stressor'], r['region'])], r  # the same numbers, unit column included
    j = json.loads(run('mrio', 'accounts', folder, '--format', 'json', '--region', 'reg3', db=db).stdout)
    assert all([x['region'] for x in st['regions']] == ['reg3'] for st in j['stressors']), j['stressors']
    err = run('mrio', 'accounts', folder, '--region', 'atlantis', db=db, expect=3).stderr
    assert "no region 'atlantis'" in err and 'reg1' in err, err
    # flows: several stressors, several matrices
    flows = json.loads(run('mrio', 'flows', folder, '--stressor', 'emission_type1', '--stressor', 'emission_type2',
                           '--format', 'json', db=db).stdout)
    assert [f['stressor'] for f in flows] == ['emission_type1|air', 'emission_type2|water'], [f['stressor'] for f in flows]
    assert all(len(f['matrix']) == 6 and f['unit'] == 'kg' for f in flows), flows[0]
    # stored: several regions and stressors
    out = run('mrio', 'stored', '--region', 'reg1', '--region', 'reg4', '--stressor', 'emission_type1',
              '--stressor', 'emission_type2', '--format', 'csv', db=db).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted((r['region'], r['stressor']) for r in rows) == sorted(
        (g, s) for g in ('reg1', 'reg4') for s in ('emission_type1|air', 'emission_type2|water')), rows
    for r in rows:
        assert close(float(r['production']), float(same[(r['stressor'], r['region'])]['production']), 1e-12), r


@test
def units_in_every_csv_and_table(tmp):
    db = os.path.join(tmp, 'u.db')
    folder = os.path.join(MRIO, 'pymrio-test')
    rows = accounts(folder, db)
    assert list(rows[0].keys())[:4] == ['extension', 'stressor', 'unit', 'region'] and rows[0]['unit'] == 'kg', rows[0]
    spa_args = ('mrio', 'spa', folder, '--region', 'reg2', '--stressor', 'emission_type1', '--top', '5')
    spa = list(csv.DictReader(io.StringIO(run(*spa_args, '--format', 'csv', db=db).stdout)))
    assert len(spa) == 5 and all(r['unit'] == 'kg' for r in spa), spa
    j = json.loads(run(*spa_args, '--format', 'json', db=db).stdout)
    assert j['unit'] == 'kg' and len(j['paths']) == 5, j
    table = run(*spa_args, db=db).stdout
    assert 'value [kg]' in table and numeric_columns_have_one_notation(table), table
    table = run('mrio', 'accounts', folder, db=db).stdout
    assert 'emissions / emission_type1|air [kg]' in table and 'solver:' in table, table
    assert numeric_columns_have_one_notation(table), table
    table = run('mrio', 'multipliers', folder, '--stressor', 'emission_type1', db=db).stdout
    assert 'multiplier [kg per ' in table and numeric_columns_have_one_notation(table), table
    table = run('mrio', 'flows', folder, '--stressor', 'emission_type2', db=db).stdout
    assert '[kg]' in table and numeric_columns_have_one_notation(table), table
    # --cutoff is the name `lca tree` uses; --threshold is still accepted and means the same.
    a = run(*spa_args, '--cutoff', '0.01', '--format', 'csv', db=db).stdout
    b = run(*spa_args, '--threshold', '0.01', '--format', 'csv', db=db).stdout
    assert a == b, (a, b)


@test
def every_format_of_every_command(tmp):
    db = os.path.join(tmp, 'e.db')
    folder = os.path.join(MRIO, 'pymrio-test')
    run('mrio', 'accounts', folder, '--format', 'csv', db=db)
    # stored: a real table, not CSV
    table = run('mrio', 'stored', '--region', 'reg1', db=db).stdout
    assert 'production' in table.splitlines()[0] and ',' not in table.splitlines()[0], table
    assert len(table.splitlines()) == 4 and numeric_columns_have_one_notation(table), table  # 3 stressors
    stored = json.loads(run('mrio', 'stored', '--region', 'reg1', '--format', 'json', db=db).stdout)
    assert len(stored) == 3 and stored[0]['unit'] == 'kg' and stored[2]['unit'] == 'Mill USD', stored
    # aggregate: what it wrote, in each format
    rmap = os.path.join(ROOT, 'tests', 'fixtures', 'mrio', 'pymrio-test-regions.csv')
    j = json.loads(run('mrio', 'aggregate', folder, '--regions', rmap, '--out', os.path.join(tmp, 'a1'),
                       '--format', 'json', db=db).stdout)
    assert j['regions'] == 2 and j['from_regions'] == 6 and j['sectors'] == 8, j
    assert 'Z.txt' in j['files'] and 'emissions/F.txt' in j['files'], j['files']
    assert all(os.path.isfile(os.path.join(tmp, 'a1', f)) for f in j['files'])
    out = run('mrio', 'aggregate', folder, '--regions', rmap, '--out', os.path.join(tmp, 'a2'), '--format', 'csv',
              db=db).stdout
    files = list(csv.DictReader(io.StringIO(out)))
    assert [r['file'] for r in files] == j['files'] and all(int(r['bytes']) > 0 for r in files), files
    table = run('mrio', 'aggregate', folder, '--regions', rmap, '--out', os.path.join(tmp, 'a3'), db=db).stdout
    assert '2 regions x 8 sectors (from 6 x 8)' in table and 'emissions/F.txt' in table, table
    for fmt in ('json', 'csv', 'table'):
        for args in (('info', folder), ('multipliers', folder), ('flows', folder, '--stressor', 'emission_type1'),
                     ('spa', folder, '--region', 'reg1', '--stressor', 'emission_type1')):
            p = run('mrio', *args, '--format', fmt, db=db)
            assert p.stdout.strip(), (args, fmt)
            if fmt == 'json':
                json.loads(p.stdout)


@test
def co2e_only_with_gwp_and_named_by_its_set(tmp):
    db = os.path.join(tmp, 'g.db')
    folder = os.path.join(tmp, 'ghg')
    write_ghg_system(folder)
    rows = accounts(folder, db)
    assert sorted({r['stressor'] for r in rows}) == ['CH4', 'CO2'], rows  # no CO2e by default
    for gwp, ch4 in (('AR5', 28), ('AR6', 27.9)):
        rows = accounts(folder, db, '--gwp', gwp)
        by = {(r['stressor'], r['region']): r for r in rows}
        name = f'GHG (CO2e, {gwp})'
        assert (name, 'r1') in by and by[(name, 'r1')]['unit'] == 't CO2e', sorted(by)
        want = float(by[('CO2', 'r1')]['production']) + ch4 / 1000 * float(by[('CH4', 'r1')]['production'])
        assert close(float(by[(name, 'r1')]['production']), want, 1e-9), (by[(name, 'r1')], want)
    mult = json.loads(run('mrio', 'multipliers', folder, '--gwp', 'AR6', '--format', 'json', db=db).stdout)
    assert 'GHG (CO2e, AR6)' in [s['stressor'] for s in mult['stressors']], mult
    helptext = run('mrio', 'accounts', '--help', db=db).stdout
    assert 'UNFCCC reporting uses AR5; ISO 14067 uses the latest (AR6)' in ' '.join(helptext.split()), helptext


def main():
    global BIN
    BIN = parse_bin()
    if not os.path.isdir(MRIO):
        print(f'skipped: {MRIO} not found')
        sys.exit(77)
    run_all('pc-mrio-')


if __name__ == '__main__':
    main()
