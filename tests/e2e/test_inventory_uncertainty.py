#!/usr/bin/env python3
"""End-to-end tests of `panocarbon inventory uncertainty` (IPCC Approach 1 and 2) through the real CLI and a
real database: the CSV layout, byte-identical output for any --threads with one --seed, the seed in the run
log, the trend (Approach 1), and errors that exit non-zero naming the file, line or option.
Prints 'N passed, M failed'."""
import csv, io, json, math, os, sqlite3, subprocess

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, 'examples', 'inventory.csv')
HEADER = 'category,mean_t_co2e,p2_5,p97_5,uncertainty_pct_low,uncertainty_pct_high'
BIN = None


def run(*args, db, expect=0, stdin=None):
    e = dict(os.environ)
    e['PANOCARBON_DB'] = db
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=e, cwd=ROOT, input=stdin)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def rows(out):
    return {r[0]: r for r in csv.reader(io.StringIO(out))}


def two_years(tmp):
    """examples/inventory.csv (2022) plus the same rows for 2015 with 10 % less activity."""
    lines = open(EXAMPLE).read().splitlines()
    head = lines[0].split(',')
    amount, year = head.index('amount'), head.index('year')
    out = [lines[0]] + lines[1:]
    for l in lines[1:]:
        f = next(csv.reader([l]))
        f[amount] = repr(float(f[amount]) * 0.9)
        f[year] = '2015'
        out.append(','.join(f'"{x}"' if ',' in x else x for x in f))
    path = os.path.join(tmp, 'two_years.csv')
    with open(path, 'w') as fh:
        fh.write('\n'.join(out) + '\n')
    return path


@test
def approach2_csv_header_and_total(tmp):
    db = os.path.join(tmp, 'u.db')
    out = run('inventory', 'uncertainty', EXAMPLE, '--draws', '2000', '--seed', '5', '--format', 'csv', db=db).stdout
    lines = out.splitlines()
    assert lines[0] == HEADER, lines[0]
    assert lines[-1].startswith('total,'), lines[-1]
    r = rows(out)
    mean, lo, hi, pl, ph = map(float, r['total'][1:])
    calc = run('inventory', 'calc', EXAMPLE, '--format', 'csv', '--by', 'category', db=db).stdout
    det = float(rows(calc)['total'][1])
    assert lo < det < hi, (lo, det, hi)
    # (the mean against an independent expectation, with bounds from the standard error: the tests below)
    assert 0 < pl < 20 and 0 < ph < 20, (pl, ph)
    assert abs(pl - (mean - lo) / mean * 100) < 1e-9 * pl
    # memo items (wood's biogenic CO2) are excluded as in `inventory calc`: the same categories
    assert set(rows(calc)) - {'category'} == set(r) - {'category'}, (sorted(rows(calc)), sorted(r))


# ---- the Monte Carlo mean against an independent computation, within 4 standard errors -------------------------

Z975 = 1.959963984540054
AR5 = {'CO2': 1.0, 'CF4': 6630.0, 'C2F6': 11100.0}  # IPCC AR5 GWP100 (the default set of `inventory uncertainty`)


def library_factor(fid):
    """value, lower, upper of a factor, read from the library's source file (data/emission_factors.csv)."""
    with open(os.path.join(ROOT, 'data', 'emission_factors.csv')) as f:
        for r in csv.DictReader(f):
            if r['id'] == fid:
                return float(r['value']), float(r['lower']), float(r['upper'])
    raise KeyError(fid)


def multiplier(value, lower, upper):
    """(E m, E m^2) of the multiplier of a quantity whose 95 % range is [lower, upper] (docs/uncertainty-inventory.md):
    half-widths L, H in % of the value; L == H < 50: normal(1, H/100/z); else the lognormal whose 2.5 and 97.5
    percentiles are 1 - L/100 (L at most 99.9) and 1 + H/100: median sqrt(lo hi), sigma ln(hi/lo)/(2 z)."""
    return multiplier_pct(max(0.0, (value - lower) / abs(value) * 100), max(0.0, (upper - value) / abs(value) * 100))


def multiplier_pct(L, H):
    """(E m, E m^2) of a multiplier with a 95 % range of -L %/+H % (an activity's uncertainty_pct: L = H)."""
    if L == H and H < 50:
        s = H / 100 / Z975
        return 1.0, 1.0 + s * s
    lo, hi = 1 - min(L, 99.9) / 100, 1 + H / 100
    sigma = math.log(hi / lo) / (2 * Z975)
    med = math.sqrt(lo * hi)
    return med * math.exp(sigma ** 2 / 2), med ** 2 * math.exp(2 * sigma ** 2)


def aluminium_expectation(pct):
    """Deterministic value, E and sd of the total of one row of 300 kt CWPB primary aluminium (AR5) with
    uncertainty_pct = pct: T = a (X_CO2 f_CO2 + X_CF4 f_CF4 + X_C2F6 f_C2F6), all multipliers independent."""
    amount_t = 300000.0
    terms = []
    for gas, fid in (('CO2', 'ipcc2006.v3c4.t4_10.primary_aluminium.cwpb.co2'),
                     ('CF4', 'ipcc2006.v3c4.t4_15.primary_aluminium.cwpb.cf4'),
                     ('C2F6', 'ipcc2006.v3c4.t4_15.primary_aluminium.cwpb.c2f6')):
        v, lo, hi = library_factor(fid)
        per_t = v if gas == 'CO2' else v / 1000  # t/t; kg/t -> t/t
        terms.append((amount_t * per_t * AR5[gas],) + multiplier(v, lo, hi))
    ea, ea2 = multiplier_pct(pct, pct)
    det = sum(x for x, _, _ in terms)
    inner = sum(x * m for x, m, _ in terms)
    inner2 = sum(x * x * m2 for x, _, m2 in terms) + sum(
        x * m * y * n for i, (x, m, _) in enumerate(terms) for j, (y, n, _) in enumerate(terms) if i != j)
    mean = ea * inner
    return det, mean, math.sqrt(ea2 * inner2 - mean * mean)


@test
def wide_asymmetric_factor_moves_the_mean_below_the_estimate(tmp):
    """docs/uncertainty-inventory.md: a PFC factor of -99 %/+380 % becomes a lognormal with median 0.219 and mean
    0.757 of the factor, so the Monte Carlo mean of the aluminium row is below `inventory calc` (0.839 of it)."""
    db = os.path.join(tmp, 'al.db')
    path = os.path.join(tmp, 'al.csv')
    with open(path, 'w') as f:
        f.write('category,activity,amount,unit,technology,uncertainty_pct\n2.C.3,primary aluminium,300,kt,CWPB,10\n')
    det, expected, sd = aluminium_expectation(10)
    calc = float(rows(run('inventory', 'calc', path, '--format', 'csv', '--by', 'category', db=db).stdout)['total'][1])
    assert abs(calc - det) <= 1e-9 * det, (calc, det)  # the terms above are those of the program
    n = 50000
    r = rows(run('inventory', 'uncertainty', path, '--draws', str(n), '--seed', '11', '--format', 'csv', db=db).stdout)
    mean = float(r['total'][1])
    se = sd / math.sqrt(n)
    assert abs(mean - expected) <= 4 * se, (mean, expected, se)
    # the documented relation: E/deterministic = 0.839 here (not above 1); 4 SE (36,000 t) is 3 % of the mean
    assert abs(expected / det - 0.8387) < 5e-4, expected / det
    assert mean + 4 * se < det, (mean, se, det)


@test
def wide_activity_range_mean_as_documented(tmp):
    """docs/uncertainty-inventory.md: uncertainty_pct 60 gives an activity multiplier with median 0.80 and mean 0.85."""
    db = os.path.join(tmp, 'al60.db')
    path = os.path.join(tmp, 'al60.csv')
    with open(path, 'w') as f:
        f.write('category,activity,amount,unit,technology,uncertainty_pct\n2.C.3,primary aluminium,300,kt,CWPB,60\n')
    ea, _ = multiplier_pct(60, 60)
    assert abs(ea - 0.8516) < 5e-4, ea
    det, expected, sd = aluminium_expectation(60)
    n = 50000
    mean = float(rows(run('inventory', 'uncertainty', path, '--draws', str(n), '--seed', '12', '--format', 'csv',
                          db=db).stdout)['total'][1])
    se = sd / math.sqrt(n)
    assert abs(mean - expected) <= 4 * se, (mean, expected, se)


@test
def same_bytes_for_any_threads_with_one_seed(tmp):
    db = os.path.join(tmp, 't.db')
    outs = {}
    for fmt in ('csv', 'table', 'json'):
        for t in ('1', '2', '3'):
            outs[(fmt, t)] = run('inventory', 'uncertainty', EXAMPLE, '--draws', '3001', '--seed', '99',
                                 '--threads', t, '--format', fmt, db=db).stdout
        assert outs[(fmt, '1')] == outs[(fmt, '2')] == outs[(fmt, '3')], fmt
    other = run('inventory', 'uncertainty', EXAMPLE, '--draws', '3001', '--seed', '100', '--format', 'csv', db=db).stdout
    assert other != outs[('csv', '1')]
    for word in ('thread', 'rank', 'seconds', 'draws/s'):
        assert word not in outs[('table', '1')].lower() and word not in outs[('json', '1')], word
    j = json.loads(outs[('json', '1')])
    assert j['montecarlo'] == {'draws': 3001, 'seed': 99}, j['montecarlo']
    assert j['approach'] == 2 and j['lines'][-1]['category'] == 'total'


@test
def seed_recorded_in_the_run_log(tmp):
    db = os.path.join(tmp, 's.db')
    out = run('inventory', 'uncertainty', EXAMPLE, '--draws', '500', '--format', 'json', db=db).stdout
    seed = json.loads(out)['montecarlo']['seed']
    info = json.loads(run('db', 'info', '--format', 'json', db=db).stdout)
    last = info['recent_runs'][0]
    assert last['command'] == 'inventory uncertainty' and last['status'] == 'ok', last
    assert last['summary']['seed'] == seed and last['summary']['draws'] == 500, last['summary']
    con = sqlite3.connect(db)
    params = json.loads(con.execute('SELECT params FROM runs ORDER BY id DESC LIMIT 1').fetchone()[0])
    assert params['seed'] == seed, params
    # the seed repeats the run
    again = run('inventory', 'uncertainty', EXAMPLE, '--draws', '500', '--seed', str(seed), '--format', 'json', db=db).stdout
    assert json.loads(again)['lines'] == json.loads(out)['lines']
    stored = con.execute("SELECT value FROM results WHERE key='total' AND gas='CO2e p97.5' ORDER BY run_id DESC").fetchone()
    assert abs(stored[0] - json.loads(out)['lines'][-1]['p97_5']) <= 1e-9 * stored[0]


@test
def approach1_with_trend(tmp):
    db = os.path.join(tmp, 'a1.db')
    path = two_years(tmp)
    out = run('inventory', 'uncertainty', path, '--approach', '1', '--base-year', '2015', '--format', 'json', db=db).stdout
    j = json.loads(out)
    assert j['approach'] == 1 and j['year'] == 2022
    t = j['trend']
    assert abs(t['trend_pct'] - (1 / 0.9 - 1) * 100) < 1e-6, t
    assert 0 < t['trend_uncertainty_pct'] < 5, t
    cols = set(j['table_3_2'][0])
    assert {'C_base_t_co2e', 'D_year_t_co2e', 'E_ad_pct', 'F_ef_pct', 'G_combined_pct', 'H_variance_share_pct2',
            'I_type_a', 'J_type_b', 'K_trend_ef_pct', 'L_trend_ad_pct', 'M_trend_pct'} <= cols, cols
    total = j['lines'][-1]
    assert total['uncertainty_pct_low'] == total['uncertainty_pct_high'] > 0
    text = run('inventory', 'uncertainty', path, '--approach', '1', '--base-year', '2015', db=db).stdout
    assert 'trend 2015 to 2022' in text, text
    c = run('inventory', 'uncertainty', path, '--approach', '1', '--year', '2015', '--format', 'csv', db=db).stdout
    assert c.splitlines()[0] == HEADER


@test
def by_gas_and_level(tmp):
    db = os.path.join(tmp, 'g.db')
    g = rows(run('inventory', 'uncertainty', EXAMPLE, '--by', 'gas', '--draws', '300', '--seed', '1', '--format', 'csv',
                 db=db).stdout)
    assert {'CO2', 'CH4', 'N2O', 'total'} <= set(g), sorted(g)
    lv = rows(run('inventory', 'uncertainty', EXAMPLE, '--by', 'level=1', '--draws', '300', '--seed', '1',
                  '--format', 'csv', db=db).stdout)
    assert set(lv) == {'category', '1', '2', 'total'}, sorted(lv)
    assert lv['total'] == g['total']  # the same draws of the total whatever the lines


@test
def errors_exit_non_zero_with_clear_messages(tmp):
    db = os.path.join(tmp, 'e.db')
    p = run('inventory', 'uncertainty', os.path.join(tmp, 'missing.csv'), db=db, expect=6)
    assert 'missing.csv' in p.stderr and 'cannot open' in p.stderr, p.stderr
    bad = os.path.join(tmp, 'neg.csv')
    with open(bad, 'w') as f:
        f.write('category,activity,amount,unit,uncertainty_pct\n1.A.1.a.i,Natural Gas,10,TJ,-4\n')
    p = run('inventory', 'uncertainty', bad, db=db, expect=2)
    assert 'neg.csv' in p.stderr and 'line 2' in p.stderr and 'uncertainty_pct' in p.stderr and 'negative' in p.stderr, p.stderr
    p = run('inventory', 'uncertainty', EXAMPLE, '--approach', '1', '--base-year', '1990', db=db, expect=2)
    assert 'base year 1990 is not in' in p.stderr and '2022' in p.stderr, p.stderr
    p = run('inventory', 'uncertainty', EXAMPLE, '--by', 'row', db=db, expect=2)
    assert "--by 'row'" in p.stderr, p.stderr
    p = run('inventory', 'uncertainty', EXAMPLE, '--base-year', '2015', db=db, expect=2)
    assert '--approach 1' in p.stderr, p.stderr
    p = run('inventory', 'uncertainty', EXAMPLE, '--activity-uncertainty', '-1', db=db, expect=2)
    assert 'activity-uncertainty' in p.stderr, p.stderr
    # more draws than the generator's 32-bit draw counter holds
    p = run('inventory', 'uncertainty', EXAMPLE, '--draws', '4294967296', db=db, expect=2)
    assert '--draws asks for 4294967296 draws' in p.stderr and '4,294,967,295' in p.stderr, p.stderr
    # a failed run is logged as failed
    con = sqlite3.connect(db)
    st = [r[0] for r in con.execute("SELECT status FROM runs WHERE command='inventory uncertainty'")]
    assert 'failed' in st, st


@test
def emissions_beyond_a_double_are_refused_before_the_store(tmp):
    """1e308 TJ of natural gas is a finite amount whose emission (x 56.1 t/TJ) is not; two rows of 2e306 TJ are
    finite each but their sum is not. Both stop with the file, the line and the field, and store no results."""
    db = os.path.join(tmp, 'big.db')
    one = os.path.join(tmp, 'one.csv')
    with open(one, 'w') as f:
        f.write('category,activity,amount,unit\n1.A.4.a,Natural Gas,10,TJ\n1.A.4.b,Natural Gas,1e308,TJ\n')
    two = os.path.join(tmp, 'two.csv')
    with open(two, 'w') as f:
        f.write('category,activity,amount,unit\n1.A.4.a,Natural Gas,2e306,TJ\n1.A.4.b,Natural Gas,2.5e306,TJ\n')
    for path, line in ((one, 'line 3'), (two, 'line 3')):
        for approach in ('1', '2'):
            p = run('inventory', 'uncertainty', path, '--approach', approach, '--draws', '100', '--seed', '1',
                    db=db, expect=2)
            assert path in p.stderr and line in p.stderr and "field 'amount'" in p.stderr, p.stderr
            assert 'overflow' in p.stderr and 'larger unit' in p.stderr and p.stdout == '', p.stderr
    con = sqlite3.connect(db)
    assert {r[0] for r in con.execute('SELECT status FROM runs')} == {'failed'}
    assert con.execute('SELECT count(*) FROM results').fetchone()[0] == 0


@test
def standard_input(tmp):
    db = os.path.join(tmp, 'i.db')
    text = open(EXAMPLE).read()
    a = run('inventory', 'uncertainty', '-', '--draws', '400', '--seed', '3', '--format', 'csv', db=db, stdin=text).stdout
    b = run('inventory', 'uncertainty', EXAMPLE, '--draws', '400', '--seed', '3', '--format', 'csv', db=db).stdout
    assert a == b  # parameter names do not depend on the file's path


if __name__ == '__main__':
    BIN = parse_bin()
    run_all('panocarbon-unc-e2e-')
