#!/usr/bin/env python3
"""End-to-end tests of `panocarbon sensitivity sobol|morris` (issue 5): the Ishigami example against its closed
form, the inventory example against a numpy recomputation of the linear part, output bytes independent of
--threads, the run log, and errors with clear messages. Prints 'N passed, M failed'."""
import csv, io, json, math, os, re, sqlite3, subprocess

import numpy as np

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, 'examples', 'sensitivity')
BIN = None


def run(*args, expect=0, db=None):
    e = dict(os.environ)
    e.pop('PANOCARBON_DB', None)
    e.pop('PANOCARBON_THREADS', None)
    cmd = [BIN, *args] + (['--db', db] if db else [])
    p = subprocess.run(cmd, capture_output=True, text=True, env=e, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def ishigami_exact(a=7.0, b=0.1):
    """Closed forms (Ishigami & Homma 1990; Saltelli et al. 2008 §4.4)."""
    pi = math.pi
    V = a * a / 8 + b * pi ** 4 / 5 + b * b * pi ** 8 / 18 + 0.5
    V1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    V2 = a * a / 8
    V13 = b * b * pi ** 8 * (1 / 18 - 1 / 50)
    return [V1 / V, V2 / V, 0.0], [(V1 + V13) / V, V2 / V, V13 / V]


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


# ---- an independent computation of `sensitivity sobol` on the same design (numpy) ---------------------------
# The design is documented in docs/sensitivity.md and docs/uncertainty.md: unit uniforms from Philox4x32-10 keyed
# (seed mod 2^32, seed div 2^32), counted (j div 2, 0, id mod 2^32, id div 2^32) with id the FNV-1a 64 of name +
# "#sobol-A" or "#sobol-B"; draw j takes words (w0, w1) (j even) or (w2, w3) (j odd) as x = w_hi 2^32 + w_lo,
# mapped to (x >> 11) 2^-53 + 2^-54; the bootstrap rows from the stream "#sobol-bootstrap", 4 ceil(N/4) draws per
# resample. Philox4x32-10 is written here from Salmon et al. (2011) with numpy's uint64 arithmetic and checked
# against Random123's published known answers; the estimators from Saltelli et al. (2010, Table 2 (b)) and
# Jansen (1999, Table 2 (f)), vectorised, not translated from the C++.

def fnv1a64(name):
    h = 1469598103934665603
    for c in name.encode():
        h = ((h ^ c) * 1099511628211) & (2 ** 64 - 1)
    return h


def philox4x32_10(ctr, key):
    """Philox4x32-10 of the counters ctr = (c0, c1, c2, c3) (arrays or ints below 2^32) under key (k0, k1)."""
    m32 = np.uint64(0xFFFFFFFF)
    c0, c1, c2, c3 = (np.asarray(x, dtype=np.uint64) for x in ctr)
    k0, k1 = key
    for _ in range(10):
        p0, p1 = np.uint64(0xD2511F53) * c0, np.uint64(0xCD9E8D57) * c2  # 32 x 32 -> 64 bits, exact in uint64
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & m32,
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & m32)
        k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return c0, c1, c2, c3


# Random123's tests/kat_vectors, the "philox4x32 10" lines (counter, key, expected words).
for _ctr, _key, _want in (((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
                          ((0xffffffff,) * 4, (0xffffffff,) * 2, (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
                          ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
                           (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1))):
    assert tuple(int(w) for w in philox4x32_10(_ctr, _key)) == _want, _want


def philox_unit(seed, name, n):
    pid = fnv1a64(name)
    j = np.arange((n + 1) // 2, dtype=np.uint64)
    w0, w1, w2, w3 = philox4x32_10((j, 0, pid & 0xFFFFFFFF, pid >> 32), (seed & 0xFFFFFFFF, seed >> 32))
    x = np.empty(2 * len(j), dtype=np.uint64)
    x[0::2] = (w1 << np.uint64(32)) | w0
    x[1::2] = (w3 << np.uint64(32)) | w2
    return (x[:n] >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 + 2.0 ** -54


def ishigami_np(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def sobol_np(seed, n, boot=0, conf=0.95, names=('x1', 'x2', 'x3'), lo=-math.pi, hi=math.pi, f=ishigami_np):
    k = len(names)
    A = np.column_stack([lo + (hi - lo) * philox_unit(seed, nm + '#sobol-A', n) for nm in names])
    B = np.column_stack([lo + (hi - lo) * philox_unit(seed, nm + '#sobol-B', n) for nm in names])
    fA, fB = f(A), f(B)
    fAB = np.empty((n, k))
    for i in range(k):
        ABi = A.copy()
        ABi[:, i] = B[:, i]
        fAB[:, i] = f(ABi)

    def estimate(r):
        a, b, ab = fA[r], fB[r], fAB[r]
        m = np.concatenate([a, b]).mean()
        a, b, ab = a - m, b - m, ab - m
        V = np.concatenate([a, b]).var()
        return (b[:, None] * (ab - a[:, None])).mean(axis=0) / V, 0.5 * ((a[:, None] - ab) ** 2).mean(axis=0) / V

    out = dict(zip(('S1', 'ST'), estimate(np.arange(n))))
    if boot:
        quads = (n + 3) // 4
        u = philox_unit(seed, '#sobol-bootstrap', 4 * quads * boot).reshape(boot, 4 * quads)[:, :n]
        res = [estimate(r) for r in np.minimum(n - 1, (u * n).astype(np.int64))]
        q = 100 * (1 - conf) / 2
        for j, name in enumerate(('S1', 'ST')):
            v = np.array([x[j] for x in res])
            out[name + '_low'], out[name + '_high'] = np.percentile(v, q, axis=0), np.percentile(v, 100 - q, axis=0)
    return out


@test
def sobol_equals_numpy_on_the_same_design(tmp):
    """The C++ estimators and the percentile bootstrap against numpy on the same Philox design, to 1e-9."""
    db = os.path.join(tmp, 's.db')
    for seed, n, boot in ((1, 16384, 200), (5, 777, 60)):
        j = json.loads(run('sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--draws', str(n), '--seed',
                           str(seed), '--bootstrap', str(boot), '--format', 'json', db=db).stdout)
        ref = sobol_np(seed, n, boot)
        for i, x in enumerate(j['indices']):
            for key in ('S1', 'ST', 'S1_low', 'S1_high', 'ST_low', 'ST_high'):
                assert abs(x[key] - ref[key][i]) <= 1e-9, (seed, n, x['parameter'], key, x[key], ref[key][i])


@test
def docs_table_matches_the_command(tmp):
    """docs/sensitivity.md's row 'Ishigami, CLI, seed 1' is what its command prints (errors to 4 decimals)."""
    db = os.path.join(tmp, 's.db')
    doc = open(os.path.join(ROOT, 'docs', 'sensitivity.md')).read()
    row = next(l for l in doc.splitlines() if l.startswith('| Ishigami, CLI, seed 1 |'))
    cells = [c.strip() for c in row.strip('|').split('|')]
    assert cells[1] == '2^14', cells
    num = lambda t: float(t.replace('−', '-'))
    e1 = [num(x) for x in cells[2].split(',')]
    et = [num(x) for x in cells[3].split(',')]
    j = json.loads(run('sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--draws', '16384', '--seed', '1',
                       '--format', 'json', db=db).stdout)
    S1, ST = ishigami_exact()
    for i, x in enumerate(j['indices']):
        assert round(x['S1'] - S1[i], 4) == e1[i], (x['parameter'], x['S1'] - S1[i], e1[i])
        assert round(x['ST'] - ST[i], 4) == et[i], (x['parameter'], x['ST'] - ST[i], et[i])
    # and the interval quoted for x1
    m = re.search(r'95 % interval of S1\(x1\) is \[([0-9.]+), ([0-9.]+)\]', doc)
    assert m, 'docs/sensitivity.md quotes the interval of S1(x1)'
    assert (float(m.group(1)), float(m.group(2))) == (round(j['indices'][0]['S1_low'], 4),
                                                      round(j['indices'][0]['S1_high'], 4)), m.groups()


@test
def sobol_ishigami_csv_matches_the_closed_form(tmp):
    db = os.path.join(tmp, 's.db')
    out = run('sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--draws', '16384', '--seed', '42',
              '--format', 'csv', db=db).stdout
    assert out.splitlines()[0] == 'parameter,S1,S1_low,S1_high,ST,ST_low,ST_high', out
    r = rows(out)
    assert [x['parameter'] for x in r] == ['x1', 'x2', 'x3']
    S1, ST = ishigami_exact()
    # N = 2^14: standard errors of the estimators are at most 0.0128 (ST of x1; 30 replications, docs/sensitivity.md),
    # so 0.04 is > 3 SE
    for x, s1, st in zip(r, S1, ST):
        assert abs(float(x['S1']) - s1) < 0.04, (x, s1)
        assert abs(float(x['ST']) - st) < 0.04, (x, st)
        assert float(x['S1_low']) <= float(x['S1']) <= float(x['S1_high']), x
        assert float(x['ST_low']) <= float(x['ST']) <= float(x['ST_high']), x
    # the run is logged with the seed and the model file's hash; the summary has the runs per second
    con = sqlite3.connect(db)
    cmd, inputs, params, status, summary = con.execute(
        'SELECT command, inputs, params, status, summary FROM runs ORDER BY id DESC LIMIT 1').fetchone()
    assert cmd == 'sensitivity sobol' and status == 'ok', (cmd, status)
    assert json.loads(params)['seed'] == 42
    assert json.loads(inputs)[0]['sha256']
    s = json.loads(summary)
    assert s['model_runs'] == 16384 * 5 and s['model_runs_per_s'] > 0, s


@test
def sobol_json_records_seed_and_model_runs(tmp):
    db = os.path.join(tmp, 's.db')
    j = json.loads(run('sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--draws', '256', '--seed', '7',
                       '--bootstrap', '0', '--format', 'json', db=db).stdout)
    assert j['seed'] == 7 and j['draws'] == 256 * 5 and j['model_runs'] == 256 * 5, j
    assert j['method'] == 'sobol' and j['model_kind'] == 'ishigami'
    assert j['indices'][0]['S1_low'] is None  # no bootstrap, no interval
    assert 'threads' not in j and 'seconds' not in j and 'ranks' not in j
    # csv leaves the intervals empty without a bootstrap
    out = run('sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--draws', '256', '--seed', '7',
              '--bootstrap', '0', '--format', 'csv', db=db).stdout
    assert rows(out)[0]['S1_low'] == '', out


@test
def draws_is_the_base_sample_and_samples_its_old_name(tmp):
    db = os.path.join(tmp, 's.db')
    args = ['sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--seed', '4', '--bootstrap', '10']
    a = run(*args, '--draws', '300', '--format', 'json', db=db).stdout
    assert run(*args, '--samples', '300', '--format', 'json', db=db).stdout == a
    j = json.loads(a)
    assert j['samples'] == 300 and j['model_runs'] == 300 * 5 and j['draws'] == 300 * 5, j
    p = run(*args, '--draws', '1', db=db, expect=2)
    assert '--draws' in p.stderr, p.stderr
    # no --seed: one is drawn, named on stderr, in the output and in the run log's parameters
    p = run('sensitivity', 'morris', os.path.join(EX, 'g-function.json'), '--format', 'json', db=db)
    seed = json.loads(p.stdout)['seed']
    assert f'--seed {seed}' in p.stderr, p.stderr
    con = sqlite3.connect(db)
    params = json.loads(con.execute('SELECT params FROM runs ORDER BY id DESC LIMIT 1').fetchone()[0])
    assert params['seed'] == seed, params


@test
def same_bytes_for_one_and_two_threads(tmp):
    db = os.path.join(tmp, 's.db')
    for args in (['sobol', os.path.join(EX, 'ishigami.json'), '--draws', '2000'],
                 ['sobol', os.path.join(EX, 'inventory.json'), '--draws', '512', '--bootstrap', '50'],
                 ['morris', os.path.join(EX, 'g-function.json'), '--trajectories', '30']):
        for fmt in ('csv', 'json', 'table'):
            a = run('sensitivity', *args, '--seed', '5', '--threads', '1', '--format', fmt, db=db).stdout
            b = run('sensitivity', *args, '--seed', '5', '--threads', '2', '--format', fmt, db=db).stdout
            assert a == b, (args, fmt)
    c = run('sensitivity', 'sobol', os.path.join(EX, 'ishigami.json'), '--draws', '2000', '--seed', '6',
            '--format', 'csv', db=db).stdout
    assert c != a


@test
def inventory_model_on_the_example(tmp):
    db = os.path.join(tmp, 's.db')
    model = os.path.join(EX, 'inventory.json')
    r = rows(run('sensitivity', 'sobol', model, '--draws', '4096', '--seed', '3', '--format', 'csv', db=db).stdout)
    names = [x['parameter'] for x in r]
    assert names[0] == 'coal_power_amount' and len(names) == 8, names
    S1 = {x['parameter']: float(x['S1']) for x in r}
    ST = {x['parameter']: float(x['ST']) for x in r}
    # Independent check: the example's total by `inventory calc`, and the first-order index of the BOF steel amount
    # from the row's own emissions c (a file with that row alone): the output is linear in that multiplier m ~
    # N(1, 0.05102) and the row shares no other parameter, so V_bof = (c σ)² and S1 = ST = V_bof / V.
    total = float(rows(run('inventory', 'calc', os.path.join(ROOT, 'examples', 'inventory.csv'), '--gwp', 'AR6',
                           '--format', 'csv', '--by', 'category', db=db).stdout)[-1]['co2e_t'])
    lines = open(os.path.join(ROOT, 'examples', 'inventory.csv')).read().splitlines()
    bof = write(tmp, 'bof.csv', lines[0] + '\n' + lines[18] + '\n')
    assert ',BOF,' in lines[18], lines[18]
    c = float(rows(run('inventory', 'calc', bof, '--gwp', 'AR6', '--format', 'csv', '--by', 'category',
                       db=db).stdout)[-1]['co2e_t'])
    j = json.loads(run('sensitivity', 'sobol', model, '--draws', '4096', '--seed', '3', '--format', 'json',
                       db=db).stdout)
    # The expected output: every parameter has mean 1 (or its nominal value) except the gas factor's skewed
    # triangle (mean (54300 + 56100 + 58300)/3 = 56233.3 vs mode 56100), which scales the CO2 of the rows that
    # use it (lines 3 and 11, by `inventory calc --by gas` on those rows alone). The mean is over the 2N
    # independent runs of A and B, so its standard error is sqrt(V / 2N).
    gas = write(tmp, 'gas.csv', lines[0] + '\n' + lines[2] + '\n' + lines[10] + '\n')
    assert all('Natural Gas' in l for l in (lines[2], lines[10])), (lines[2], lines[10])
    co2_gas = float({x['gas']: x for x in rows(run('inventory', 'calc', gas, '--gwp', 'AR6', '--by', 'gas',
                                                   '--format', 'csv', db=db).stdout)}['CO2']['co2e_t'])
    expected = total + co2_gas * ((54300 + 56100 + 58300) / 3 / 56100 - 1)
    se = math.sqrt(j['output_variance'] / (2 * 4096))
    assert abs(j['output_mean'] - expected) <= 4 * se, (j['output_mean'], expected, se)
    assert j['unit'] == 't CO2e' and j['output'] == 'total'
    s_bof = (c * 0.05102) ** 2 / j['output_variance']
    # N = 4096: the bootstrap half-width is about 0.03 (≈ 2 SE), so 0.06 is about 4 SE
    assert abs(S1['bof_steel_amount'] - s_bof) < 0.06 and abs(ST['bof_steel_amount'] - s_bof) < 0.06, (S1, ST, s_bof)
    # BOF steel (±10 % of 3 Mt × 1.46 t CO2/t) dominates; the Tier 2 plant factor is negligible
    assert max(S1, key=S1.get) == 'bof_steel_amount', S1
    assert S1['plant_cems_factor'] < 0.01 and ST['plant_cems_factor'] < 0.01
    assert abs(sum(S1.values()) - 1) < 0.1, sum(S1.values())  # nearly additive model
    # Morris ranks the same inputs first
    m = rows(run('sensitivity', 'morris', model, '--seed', '3', '--format', 'csv', db=db).stdout)
    assert m[0].keys() == {'parameter', 'mu', 'mu_star', 'sigma', 'unit'} and m[0]['unit'] == 't CO2e', m[0]
    ms = {x['parameter']: float(x['mu_star']) for x in m}
    assert min(ms, key=ms.get) == 'plant_cems_factor', ms


@test
def morris_g_function_ranking(tmp):
    db = os.path.join(tmp, 's.db')
    m = rows(run('sensitivity', 'morris', os.path.join(EX, 'g-function.json'), '--trajectories', '100', '--levels',
                 '6', '--seed', '1', '--format', 'csv', db=db).stdout)
    mu_star = [float(x['mu_star']) for x in m]
    assert mu_star[0] > mu_star[1] > mu_star[2] > mu_star[3] > max(mu_star[4:]), mu_star


def write(tmp, name, obj):
    path = os.path.join(tmp, name)
    with open(path, 'w') as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))
    return path


@test
def errors_exit_non_zero_with_clear_messages(tmp):
    db = os.path.join(tmp, 's.db')
    U = {'kind': 'uniform', 'minimum': 0.9, 'maximum': 1.1}
    inv = os.path.join(ROOT, 'examples', 'inventory.csv')
    cases = [
        ({'model': 'ishigami'}, "field 'parameters'", 'missing "parameters"'),
        ({'model': 'nope', 'parameters': []}, "field 'model'", "unknown model 'nope'"),
        ({'model': 'linear', 'coefficients': [1], 'parameters': [{'name': 'x', 'distribution': {'kind': 'uniform', 'minimum': 3, 'maximum': 1}}]},
         "field 'parameters[0].distribution'", 'minimum 3 is above maximum 1'),
        ({'model': 'inventory', 'file': inv, 'parameters': [{'name': 'x', 'distribution': U, 'target': {'row': 500}}]},
         "field 'parameters[0].target.row'", 'no activity row on line 500'),
        ({'model': 'inventory', 'file': inv, 'parameters': [{'name': 'x', 'distribution': U, 'target': {'factor': 'ipcc.nothing'}}]},
         "field 'parameters[0].target.factor'", "unknown factor id 'ipcc.nothing'"),
    ]
    for i, (obj, field, words) in enumerate(cases):
        path = write(tmp, f'bad{i}.json', obj)
        p = run('sensitivity', 'sobol', path, '--draws', '16', db=db, expect=p_code(words))
        assert path in p.stderr and field in p.stderr and words in p.stderr, p.stderr
        assert p.stdout == '', p.stdout
    p = run('sensitivity', 'sobol', write(tmp, 'notjson.json', '{"model": '), db=db, expect=2)
    assert 'not valid JSON' in p.stderr, p.stderr
    p = run('sensitivity', 'morris', os.path.join(EX, 'ishigami.json'), '--levels', '5', db=db, expect=2)
    assert '--levels must be an even number' in p.stderr, p.stderr
    p = run('sensitivity', 'sobol', os.path.join(tmp, 'missing.json'), db=db, expect=6)
    assert 'missing.json' in p.stderr, p.stderr
    # the failed runs that got as far as the run log are marked failed
    con = sqlite3.connect(db)
    statuses = {s for (s,) in con.execute("SELECT status FROM runs WHERE command LIKE 'sensitivity%'")}
    assert 'ok' not in statuses, statuses


@test
def non_finite_numbers_are_refused_with_file_line_and_field(tmp):
    db = os.path.join(tmp, 's.db')
    U = '{"kind": "uniform", "minimum": 0, "maximum": 1}'
    cases = [
        ('{"model": "linear",\n "coefficients": [1, 1e400],\n "parameters": [{"name": "a", "distribution": %s},\n'
         ' {"name": "b", "distribution": %s}]}' % (U, U), 'line 2', "field 'coefficients[1]'", '1e400'),
        ('{"model": "ishigami", "a": -1E+999,\n "parameters": []}', 'line 1', "field 'a'", '-1E+999'),
        ('{"model": "linear", "coefficients": [1],\n "parameters": [\n  {"name": "a", "distribution": '
         '{"kind": "uniform", "minimum": 0, "maximum": 2e308}}]}', 'line 3',
         "field 'parameters[0].distribution.maximum'", '2e308'),
    ]
    for i, (text, line, field, number) in enumerate(cases):
        path = write(tmp, f'inf{i}.json', text)
        for method in ('sobol', 'morris'):
            p = run('sensitivity', method, path, '--seed', '1', db=db, expect=2)
            assert path in p.stderr and line in p.stderr and field in p.stderr and number in p.stderr, p.stderr
            assert 'finite' in p.stderr and p.stdout == '', p.stderr


@test
def results_that_overflow_stop_before_the_store(tmp):
    """Finite outputs whose variance overflows (1e200 squared): a data error, no indices, no results stored."""
    db = os.path.join(tmp, 's.db')
    path = write(tmp, 'big.json', {'model': 'linear', 'coefficients': [1e200, 1],
                                   'parameters': [{'name': 'a', 'distribution': {'kind': 'uniform', 'minimum': 0, 'maximum': 1}},
                                                  {'name': 'b', 'distribution': {'kind': 'uniform', 'minimum': 0, 'maximum': 1}}]})
    p = run('sensitivity', 'sobol', path, '--draws', '64', '--seed', '1', db=db, expect=5)
    assert 'overflows' in p.stderr and 'larger unit' in p.stderr and p.stdout == '', p.stderr
    # y = 1.5e308 a, a ~ U(-1, 1): every output is finite, a step of a by 4/3 changes y by 2e308
    path = write(tmp, 'big2.json', {'model': 'linear', 'coefficients': [1.5e308, 1],
                                    'parameters': [{'name': 'a', 'distribution': {'kind': 'uniform', 'minimum': -1, 'maximum': 1}},
                                                   {'name': 'b', 'distribution': {'kind': 'uniform', 'minimum': 0, 'maximum': 1}}]})
    p = run('sensitivity', 'morris', path, '--seed', '1', db=db, expect=5)
    assert "'a'" in p.stderr and 'overflow' in p.stderr and p.stdout == '', p.stderr
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute('SELECT status FROM runs')] == ['failed', 'failed']
    assert con.execute('SELECT count(*) FROM results').fetchone()[0] == 0


def p_code(words):
    return 3 if words.startswith('no activity row') or words.startswith('unknown factor') else 2


def main():
    global BIN
    BIN = parse_bin()
    run_all('pc-e2e-sens-')


if __name__ == '__main__':
    main()
