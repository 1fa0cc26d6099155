#!/usr/bin/env python3
"""End-to-end tests of `panocarbon inventory uncertainty` (IPCC Approach 1 and 2) through the real CLI and a
real database: the CSV layout, byte-identical output for any --threads with one --seed, the seed in the run
log, the trend (Approach 1), and errors that exit non-zero naming the file, line or option.
Prints 'N passed, M failed'."""
import csv, io, json, os, sqlite3, subprocess

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
    assert abs(mean - det) < 0.05 * det, (mean, det)  # lognormal factors move the mean a little
    assert 0 < pl < 20 and 0 < ph < 20, (pl, ph)
    assert abs(pl - (mean - lo) / mean * 100) < 1e-9 * pl
    # memo items (wood's biogenic CO2) are excluded as in `inventory calc`: the same categories
    assert set(rows(calc)) - {'category'} == set(r) - {'category'}, (sorted(rows(calc)), sorted(r))


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
    # a failed run is logged as failed
    con = sqlite3.connect(db)
    st = [r[0] for r in con.execute("SELECT status FROM runs WHERE command='inventory uncertainty'")]
    assert 'failed' in st, st


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
