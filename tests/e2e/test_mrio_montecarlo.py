#!/usr/bin/env python3
"""End-to-end tests of `panocarbon mrio montecarlo` on pymrio's test MRIO (../shared/data/mrio/pymrio-test):
the CSV's columns, the same bytes for any --threads with the same --seed, RSE 0 = `mrio accounts` to the
byte, an independent numpy Monte Carlo of the same model (its own RNG: distributions compared, not draws),
the JSON record, the run log and the errors. Prints 'N passed, M failed'; exits 77 (skipped) without
../shared/data."""
import csv, io, json, math, os, sqlite3, subprocess, sys

from harness import parse_bin, run_all, test

try:
    import numpy as np
    import pandas as pd
except ImportError:
    if os.path.exists('/usr/bin/python3') and os.path.realpath(sys.executable) != '/usr/bin/python3':
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)
    sys.exit('test_mrio_montecarlo.py: needs numpy and pandas (apt-get install python3-numpy python3-pandas)')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
PYMRIO = os.path.join(SHARED, 'mrio', 'pymrio-test')
BIN = None
HEADER = 'extension,stressor,unit,region,account,deterministic,mean,sd,median,p2_5,p97_5'
ACCOUNTS = ['production', 'consumption', 'imports', 'exports']


def run(*args, db, expect=0):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def mc(db, *extra):
    return run('mrio', 'montecarlo', PYMRIO, '--format', 'csv', *extra, db=db).stdout


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


@test
def csv_columns_and_rows(tmp):
    db = os.path.join(tmp, 'm.db')
    out = mc(db, '--draws', '50', '--seed', '7')
    lines = out.splitlines()
    assert lines[0] == HEADER, lines[0]
    rows = rows_of(out)
    # pymrio-test: extension Emissions (2 stressors) and factor_inputs (1), 6 regions, 4 accounts.
    stressors = sorted({(r['extension'], r['stressor']) for r in rows})
    assert len(rows) == len(stressors) * 6 * 4, (len(rows), stressors)
    assert [r['account'] for r in rows[:4]] == ACCOUNTS
    for r in rows:
        vals = [float(r[c]) for c in HEADER.split(',')[5:]]
        assert r['unit'], r
        assert all(math.isfinite(v) for v in vals), r
        assert float(r['p2_5']) <= float(r['median']) <= float(r['p97_5']), r
        assert float(r['sd']) >= 0, r
    # The run log has the run with the seed used and the draws; nothing else is stored.
    con = sqlite3.connect(db)
    row = con.execute("SELECT status, params, summary FROM runs WHERE command = 'mrio montecarlo'").fetchone()
    assert row[0] == 'ok', row
    params, summary = json.loads(row[1]), json.loads(row[2])
    assert params['seed'] == 7 and summary['draws'] == 50 and summary['seed'] == 7, (params, summary)
    assert 'draws_per_s' in summary and summary['fallbacks'] == 0, summary
    assert con.execute('SELECT count(*) FROM mrio_accounts').fetchone()[0] == 0


@test
def same_bytes_for_any_threads(tmp):
    db = os.path.join(tmp, 'm.db')
    for fmt in ('csv', 'json'):
        outs = [run('mrio', 'montecarlo', PYMRIO, '--format', fmt, '--draws', '300', '--seed', '42', '--threads', t,
                    '--rse-model', 'lenzen', '--gwp', 'AR6', db=db).stdout for t in ('1', '2', '3')]
        assert outs[0] == outs[1] == outs[2], fmt
    # Another seed, other numbers; no seed: a new one, announced on stderr and recorded in the JSON.
    assert mc(db, '--draws', '300', '--seed', '43') != mc(db, '--draws', '300', '--seed', '42')
    p = run('mrio', 'montecarlo', PYMRIO, '--format', 'json', '--draws', '20', db=db)
    j = json.loads(p.stdout)
    assert f"--seed {j['montecarlo']['seed']}" in p.stderr, p.stderr
    assert j['montecarlo']['draws'] == 20
    assert set(j['solver']) >= {'method', 'solve', 'mean_iterations', 'fallbacks'}, j['solver']
    for key in ('threads', 'ranks', 'seconds', 'draws_per_s'):
        assert key not in p.stdout, key


@test
def rse_zero_is_mrio_accounts_to_the_byte(tmp):
    db = os.path.join(tmp, 'm.db')
    out = mc(db, '--draws', '5', '--seed', '1', '--rse-z', '0', '--rse-y', '0', '--rse-f', '0', '--gwp', 'AR5')
    acc = rows_of(run('mrio', 'accounts', PYMRIO, '--format', 'csv', '--gwp', 'AR5', db=db).stdout)
    want = {(r['extension'], r['stressor'], r['region']): r for r in acc}
    rows = rows_of(out)
    assert len(rows) == 4 * len(acc)
    for r in rows:
        a = want[(r['extension'], r['stressor'], r['region'])][r['account']]
        assert r['deterministic'] == a and r['median'] == a and r['p2_5'] == a and r['p97_5'] == a, (r, a)
        assert float(r['sd']) <= 1e-14 * abs(float(a)), r


def read_pymrio(name, sub=''):
    return pd.read_csv(os.path.join(PYMRIO, sub, name), sep='\t', index_col=[0, 1], header=[0, 1])


def numpy_montecarlo(draws, rse, seed, stressor='emission_type1'):
    """The model of docs/uncertainty-mrio.md written from scratch: every non-zero cell of Z, Y, F and F_Y times
    a mean-1 lognormal of RSE rse; x' = Z'1 + Y'1, A' = Z' x'^-1, X' = (I - A')^-1 Y'_reg, S' = F' x'^-1,
    accounts per region. numpy's own RNG."""
    Z = read_pymrio('Z.txt').values
    Yt = read_pymrio('Y.txt')
    Y = Yt.values
    F = read_pymrio('F.txt', 'emissions')
    FY = read_pymrio('F_Y.txt', 'emissions')
    i = [k for k, s in enumerate(F.index) if s[0] == stressor][0]
    f, fy = F.values[i], FY.values[i]
    regions = list(dict.fromkeys(Yt.columns.get_level_values(0)))
    R, n = len(regions), Z.shape[0]
    ns, nc = n // R, Y.shape[1] // R
    rng = np.random.default_rng(seed)
    sigma = math.sqrt(math.log1p(rse * rse))

    def perturb(m):
        e = np.exp(sigma * rng.standard_normal(m.shape) - sigma * sigma / 2)
        return np.where(m != 0, m * e, 0.0)

    out = np.zeros((draws, R, 4))
    for d in range(draws):
        Zd, Yd, fd, fyd = perturb(Z), perturb(Y), perturb(f), perturb(fy)
        x = Zd.sum(1) + Yd.sum(1)
        A = Zd / x
        yreg = Yd.reshape(n, R, nc).sum(2)
        X = np.linalg.solve(np.eye(n) - A, yreg)
        s = fd / x
        bil = (s[:, None] * X).reshape(R, ns, R).sum(1)   # producing region x consuming region
        fyr = fyd.reshape(R, nc).sum(1)
        dom = np.diag(bil)
        out[d, :, 0] = bil.sum(1) + fyr
        out[d, :, 1] = bil.sum(0) + fyr
        out[d, :, 2] = bil.sum(0) - dom
        out[d, :, 3] = bil.sum(1) - dom
    return regions, out


@test
def agrees_with_an_independent_numpy_montecarlo(tmp):
    db = os.path.join(tmp, 'm.db')
    N, rse = 2000, 0.1
    rows = rows_of(mc(db, '--draws', str(N), '--seed', '2024', '--stressor', 'emission_type1', '--rse-z', str(rse),
                      '--rse-y', str(rse), '--rse-f', str(rse)))
    regions, ref = numpy_montecarlo(N, rse, 11)
    ours = {(r['region'], r['account']): r for r in rows}
    checked = 0
    for g, region in enumerate(regions):
        for k, acc in enumerate(ACCOUNTS):
            r, v = ours[(region, acc)], ref[:, g, k]
            sd = float(np.std(v, ddof=1))
            mean, sd_ours = float(r['mean']), float(r['sd'])
            # Two independent samples of N: the means differ by sd*sqrt(2/N) (one standard error), sds by
            # about 1/sqrt(N) relative, 2.5/97.5 % percentiles by about 0.12 sd. Tolerances: 4.5 standard errors.
            se_mean = sd * math.sqrt(2.0 / N)
            assert abs(mean - v.mean()) < 4.5 * se_mean, (region, acc, mean, v.mean(), se_mean)
            assert abs(sd_ours / sd - 1) < 4.5 * math.sqrt(1.0 / N) + 0.02, (region, acc, sd_ours, sd)
            for col, q in (('p2_5', 2.5), ('p97_5', 97.5), ('median', 50)):
                assert abs(float(r[col]) - np.percentile(v, q)) < 0.55 * sd, (region, acc, col, r[col], np.percentile(v, q))
            checked += 1
    assert checked == 24


@test
def errors_name_the_option(tmp):
    db = os.path.join(tmp, 'm.db')
    p = run('mrio', 'montecarlo', PYMRIO, '--rse-z', '-0.1', db=db, expect=2)
    assert '--rse-z must be between 0 and 10' in p.stderr, p.stderr
    p = run('mrio', 'montecarlo', PYMRIO, '--rse-model', 'bayes', db=db, expect=2)
    assert 'rse-model' in p.stderr, p.stderr
    p = run('mrio', 'montecarlo', PYMRIO, '--stressor', 'CO2', '--draws', '5', db=db, expect=3)
    assert "no stressor named 'CO2'" in p.stderr and 'emission_type1' in p.stderr, p.stderr
    p = run('mrio', 'montecarlo', os.path.join(tmp, 'nothing'), db=db, expect=3)
    assert 'does not exist' in p.stderr, p.stderr
    p = run('mrio', 'montecarlo', PYMRIO, '--draws', '0', db=db, expect=2)
    assert '--draws' in p.stderr, p.stderr
    # options are checked before a run starts; a stressor or a system that is not there fails a logged run
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM runs WHERE command = 'mrio montecarlo' AND status = 'failed'").fetchone()[0] == 2


@test
def solver_option_and_its_old_name(tmp):
    db = os.path.join(tmp, 'm.db')
    base = ['--draws', '30', '--seed', '3']
    refine = mc(db, *base, '--solver', 'refine')
    assert mc(db, *base, '--solve', 'refine') == refine  # --solve is the older name of --solver
    factorise = rows_of(mc(db, *base, '--solver', 'factorise'))
    for a, b in zip(rows_of(refine), factorise):  # the two solvers agree to rounding
        for c in ('mean', 'p2_5', 'p97_5'):
            assert abs(float(a[c]) - float(b[c])) <= 1e-9 * max(1.0, abs(float(b[c]))), (a, b, c)
    j = json.loads(run('mrio', 'montecarlo', PYMRIO, *base, '--solver', 'factorise', '--format', 'json', db=db).stdout)
    assert j['solver']['solve'] == 'factorise', j['solver']
    p = run('mrio', 'montecarlo', PYMRIO, *base, '--solver', 'dense', db=db, expect=2)
    assert 'solver' in p.stderr and 'refine' in p.stderr, p.stderr


if __name__ == '__main__':
    BIN = parse_bin()
    if not os.path.isdir(PYMRIO):
        print(f'skipped: {PYMRIO} is absent (../shared/data)')
        sys.exit(77)
    run_all('pc-mrio-mc-')
