#!/usr/bin/env python3
"""End-to-end tests of `panocarbon lca montecarlo`: the uncertainty fixture (tests/fixtures/lca/uncertainty,
written by make_fixtures.py) against the closed-form mean of its chain and against an independent numpy
Monte Carlo on the matrices exported by `lca matrices` (distributions read from the fixture's JSON, mapped to
matrix entries here); the same bytes for --threads 1 and 2 with one --seed; USLCI (JSON-LD) runs; errors.
Prints 'N passed, M failed'; exits 77 (skipped) without ../shared/data."""
import csv, io, json, math, os, subprocess, sys

import numpy as np

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
USLCI = os.path.join(SHARED, 'lca', 'uslci-jsonld')
FIXTURE = os.path.join(ROOT, 'tests', 'fixtures', 'lca', 'uncertainty')
BIN = None
PRODUCT = 'electricity from coal'


def run(*args, db, expect=0):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def fixture_db(tmp):
    db = os.path.join(tmp, 'mc.db')
    run('lca', 'import', FIXTURE, '--name', 'unc', db=db)
    return db


def mc(db, *extra, database='unc', process=PRODUCT):
    return json.loads(run('lca', 'montecarlo', '--database', database, '--process', process, '--format', 'json',
                          *extra, db=db).stdout)


def category(j, name='total'):
    return next(c for c in j['categories'] if c['category'] == name)


# --- the fixture's distributions, read from its JSON (not from panocarbon) ------------------------------------
CIROTH = [[1.00, 1.54, 1.61, 1.69, 1.69], [1.00, 1.03, 1.04, 1.08, 1.08], [1.00, 1.03, 1.10, 1.19, 1.29],
          [1.00, 1.04, 1.08, 1.11, 1.11], [1.00, 1.18, 1.65, 2.08, 2.80]]  # Ciroth et al. 2016, Table 6


def fixture_processes():
    out = {}
    for f in os.listdir(os.path.join(FIXTURE, 'processes')):
        with open(os.path.join(FIXTURE, 'processes', f)) as fh:
            p = json.load(fh)
        out[p['name']] = p
    return out


def dist(e):
    """(mean, sampler(rng, n)) of an exchange amount in its JSON unit."""
    u, a = e.get('uncertainty'), e['amount']
    if u is None and e.get('dqEntry'):
        scores = [int(x) for x in e['dqEntry'].strip('()').split(';')]
        s = 0.5 * math.sqrt(sum(math.log(CIROTH[i][k - 1]) ** 2 for i, k in enumerate(scores)))
        return a * math.exp(s * s / 2), lambda rng, n: a * np.exp(s * rng.standard_normal(n))
    if u is None:
        return a, lambda rng, n: np.full(n, a)
    t = u['distributionType']
    if t == 'LOG_NORMAL_DISTRIBUTION':
        g, s = u['geomMean'], math.log(u['geomSd'])
        return g * math.exp(s * s / 2), lambda rng, n: g * np.exp(s * rng.standard_normal(n))
    if t == 'NORMAL_DISTRIBUTION':
        return u['mean'], lambda rng, n: rng.normal(u['mean'], u['sd'], n)
    if t == 'TRIANGLE_DISTRIBUTION':
        lo, mo, hi = u['minimum'], u['mode'], u['maximum']
        return (lo + mo + hi) / 3, lambda rng, n: rng.triangular(lo, mo, hi, n)
    if t == 'UNIFORM_DISTRIBUTION':
        return (u['minimum'] + u['maximum']) / 2, lambda rng, n: rng.uniform(u['minimum'], u['maximum'], n)
    raise AssertionError(t)


def gwp():
    with open(os.path.join(ROOT, 'data', 'gwp.csv')) as f:
        return {r['gas']: float(r['gwp100']) for r in csv.DictReader(f) if r['set'] == 'AR6'}


def analytic_mean():
    """E[total] of the chain: electricity's own emissions + coal × mining's + ash × landfill's (independent
    exchanges: the mean of a product is the product of the means)."""
    g = gwp()
    cf = {'Carbon dioxide, fossil': 1, 'Carbon dioxide, biogenic': 1, 'Carbon dioxide, land transformation': 1,
          'Methane, fossil': g['CH4_fossil'], 'Methane, biogenic': g['CH4_nonfossil'], 'Dinitrogen monoxide': g['N2O']}
    unit = {'g': 1e-3, 'kg': 1.0, 'MJ': 1.0}
    procs = fixture_processes()

    def direct(name):
        return sum(cf[e['flow']['name']] * dist(e)[0] * unit[e['unit']['name']]
                   for e in procs[name]['exchanges'] if e['flow']['name'] in cf)

    def amount(name, flow):
        e = next(e for e in procs[name]['exchanges'] if e['flow']['name'] == flow)
        return dist(e)[0] * unit[e['unit']['name']]

    return (direct(PRODUCT) + amount(PRODUCT, 'hard coal') * direct('hard coal mining')
            + amount(PRODUCT, 'ash') * direct('ash landfill'))


@test
def mean_matches_the_closed_form(tmp):
    db = fixture_db(tmp)
    j = mc(db, '--draws', '40000', '--seed', '11')
    t = category(j)
    expected = analytic_mean()
    se = t['sd'] / math.sqrt(40000)
    assert abs(t['mean'] - expected) < 4 * se, (t['mean'], expected, se)
    # every kind of distribution of the fixture is sampled, the pedigree-only exchange included
    assert j['uncertainty']['by_distribution'] == {'lognormal': 3, 'normal': 1, 'pedigree': 1, 'triangular': 1,
                                                    'uniform': 2}, j['uncertainty']
    assert j['setup'] == {'draws': 40000, 'seed': 11}, j['setup']
    assert t['p2_5'] < t['median'] < t['p97_5'] and t['sd'] > 0
    # the deterministic value is `lca calc`'s
    calc = {r['category']: float(r['amount']) for r in csv.DictReader(io.StringIO(
        run('lca', 'calc', '--database', 'unc', '--process', PRODUCT, '--format', 'csv', db=db).stdout))}
    for c in j['categories']:
        assert abs(c['deterministic'] - calc[c['category']]) <= 1e-12 * abs(calc[c['category']]), c
    # the histogram holds every draw, Sturges' bins (ceil(log2 40000) + 1 = 17) between the extreme draws
    h = t['histogram']
    assert sum(h['counts']) == 40000 and len(h['counts']) == 17, (sum(h['counts']), len(h['counts']))
    assert h['lower'] < t['p2_5'] < t['p97_5'] < h['upper'], h


@test
def mean_matches_numpy_on_the_exported_matrices(tmp):
    db = fixture_db(tmp)
    out = os.path.join(tmp, 'm')
    run('lca', 'matrices', '--database', 'unc', '--out', out, db=db)

    def read(name):
        with open(os.path.join(out, name)) as f:
            return list(csv.DictReader(f))
    providers, flows = read('providers.csv'), read('flows.csv')
    col = {p['process_id']: int(p['index']) for p in providers}
    prow = {p['flow_id']: int(p['index']) for p in providers}
    frow = {f['flow_id']: int(f['index']) for f in flows}
    n, m = len(providers), len(flows)
    A0 = np.zeros((n, n))
    for t in read('technosphere.csv'):
        A0[int(t['row']), int(t['col'])] += float(t['value'])
    B0 = np.zeros((m, n))
    for t in read('biosphere.csv'):
        B0[int(t['row']), int(t['col'])] += float(t['value'])
    g = gwp()
    cfs = {'Carbon dioxide, fossil': 1, 'Carbon dioxide, biogenic': 1, 'Carbon dioxide, land transformation': 1,
           'Methane, fossil': g['CH4_fossil'], 'Methane, biogenic': g['CH4_nonfossil'], 'Dinitrogen monoxide': g['N2O']}
    c = np.array([cfs.get(f['flow'], 0.0) for f in flows])
    # each uncertain exchange -> its matrix entry; the entry is (value / JSON amount) × the draw in JSON units
    entries = []
    for p in fixture_processes().values():
        j = col[p['@id']]
        for e in p['exchanges']:
            if e.get('quantitativeReference') or ('uncertainty' not in e and not e.get('dqEntry')):
                continue
            fid = e['flow']['@id']
            which, i = ('B', frow[fid]) if fid in frow else ('A', prow[fid])
            v = (B0 if which == 'B' else A0)[i, j]
            entries.append((which, i, j, v / e['amount'], dist(e)[1]))
    rng = np.random.default_rng(2024)
    N = 20000
    draws = [(w, i, j, k * s(rng, N)) for w, i, j, k, s in entries]
    demand = prow[next(p['flow_id'] for p in providers if p['process'] == PRODUCT)]
    f = np.zeros(n)
    f[demand] = 1
    h = np.empty(N)
    for d in range(N):
        A, B = A0.copy(), B0.copy()
        for w, i, j, x in draws:
            (A if w == 'A' else B)[i, j] = x[d]
        h[d] = c @ (B @ np.linalg.solve(A, f))
    n_pc = 20000
    t = category(mc(db, '--draws', str(n_pc), '--seed', '5'))
    # two independent samples of one distribution: each statistic within 4 standard errors of their difference
    se = math.sqrt(t['sd'] ** 2 / n_pc + h.var(ddof=1) / N)
    assert abs(t['mean'] - h.mean()) < 4 * se, (t['mean'], h.mean(), se)
    # the SD: Var(s²) = (μ4 − σ⁴ (n − 3)/(n − 1)) / n, SE(s) = SE(s²) / (2σ), μ4 estimated from numpy's draws
    mu4, s2 = np.mean((h - h.mean()) ** 4), h.var(ddof=1)
    se_sd = [math.sqrt((mu4 - s2 ** 2 * (n - 3) / (n - 1)) / n) / (2 * math.sqrt(s2)) for n in (n_pc, N)]
    assert abs(t['sd'] - h.std(ddof=1)) < 4 * math.hypot(*se_sd), (t['sd'], h.std(ddof=1), se_sd)
    # quantiles: SE from the distribution-free interval of order statistics, ranks n p ± z √(n p (1 − p))
    hs = np.sort(h)
    for key, p in (('p2_5', 0.025), ('median', 0.5), ('p97_5', 0.975)):
        half = 1.96 * math.sqrt(N * p * (1 - p))
        lo, hi = hs[max(0, int(math.floor(N * p - half)))], hs[min(N - 1, int(math.ceil(N * p + half)))]
        se_q = (hi - lo) / (2 * 1.96)  # for numpy's N draws; for panocarbon's n_pc, scaled by √(N / n_pc)
        se_pair = se_q * math.sqrt(1 + N / n_pc)
        assert abs(t[key] - np.percentile(hs, p * 100)) < 4 * se_pair, (key, t[key], np.percentile(hs, p * 100), se_pair)


@test
def same_bytes_for_one_and_two_threads(tmp):
    db = fixture_db(tmp)
    for fmt in ('json', 'csv', 'table'):
        outs = [run('lca', 'montecarlo', '--database', 'unc', '--process', PRODUCT, '--draws', '3001', '--seed', '99',
                    '--threads', th, '--format', fmt, db=db).stdout for th in ('1', '2')]
        assert outs[0] == outs[1], fmt
        assert 'thread' not in outs[0].lower(), fmt
    other = run('lca', 'montecarlo', '--database', 'unc', '--process', PRODUCT, '--draws', '3001', '--seed', '98',
                '--format', 'csv', db=db).stdout
    assert other != outs[0]
    # csv: one row per category with the statistics
    rows = list(csv.DictReader(io.StringIO(run('lca', 'montecarlo', '--database', 'unc', '--process', PRODUCT,
                                                  '--draws', '100', '--seed', '1', '--format', 'csv', db=db).stdout)))
    assert [r['category'] for r in rows] == ['total', 'fossil', 'biogenic', 'luc']
    assert list(rows[0]) == ['category', 'unit', 'deterministic', 'mean', 'sd', 'median', 'p2_5', 'p97_5']


@test
def contributions_and_pedigree_convention(tmp):
    db = fixture_db(tmp)
    j = mc(db, '--draws', '5000', '--seed', '3', '--top', '1')
    t = category(j)
    assert len(t['contributions']) == 1
    assert t['contributions'][0]['process'] == PRODUCT and t['contributions'][0]['top_exchange'] == 'Carbon dioxide, fossil'
    full = category(mc(db, '--draws', '5000', '--seed', '3'))
    assert abs(sum(c['share_pct'] for c in full['contributions']) - 100) < 1e-9
    # the biogenic category's spread comes from the ash (uniform) and the landfill's pedigree-only methane;
    # ecoinvent v3's pedigree variances are smaller than Ciroth's: a narrower biogenic result
    bio_c = category(mc(db, '--draws', '5000', '--seed', '3', '--pedigree', 'ciroth2016'), 'biogenic')
    bio_e = category(mc(db, '--draws', '5000', '--seed', '3', '--pedigree', 'ecoinvent3'), 'biogenic')
    assert bio_e['sd'] < bio_c['sd'], (bio_e['sd'], bio_c['sd'])


@test
def errors(tmp):
    db = fixture_db(tmp)
    p = run('lca', 'montecarlo', '--database', 'unc', '--process', 'no such process', db=db, expect=3)
    assert "no process 'no such process'" in p.stderr, p.stderr
    p = run('lca', 'montecarlo', '--database', 'nope', '--process', PRODUCT, db=db, expect=3)
    assert 'nope' in p.stderr, p.stderr
    p = run('lca', 'montecarlo', '--database', 'unc', '--process', PRODUCT, '--pedigree', 'weidema', db=db, expect=2)
    assert 'ciroth2016' in p.stderr, p.stderr
    p = run('lca', 'montecarlo', '--database', 'unc', '--process', PRODUCT, '--top', '-1', db=db, expect=2)
    assert 'top' in p.stderr, p.stderr


def uslci_distribution(e):
    """The distribution of a USLCI JSON-LD exchange by the conventions of docs/uncertainty-lca.md, written
    here again: (sampler(rng, n) in the JSON unit) or None when constant."""
    a, u = e['amount'], e.get('uncertainty') or {}
    t = u.get('distributionType')
    ped = e.get('dqEntry') or e.get('pedigreeUncertainty')

    def pedigree():
        scores = [int(x) for x in ped.strip('()').split(';')]
        base = e.get('baseUncertainty') or 1.0  # openLCA: the basic factor U (GSD^2); 1 = none
        sig = 0.5 * math.sqrt(math.log(base) ** 2 + sum(math.log(CIROTH[i][k - 1]) ** 2 for i, k in enumerate(scores)))
        return (lambda rng, n: a * np.exp(sig * rng.standard_normal(n))) if sig > 0 else None
    if a == 0:
        return None
    if t == 'LOG_NORMAL_DISTRIBUTION' and (u.get('geomSd') or 0) > 1:
        g, sig = math.copysign(abs(u.get('geomMean') or a), a), math.log(u['geomSd'])
        return lambda rng, n: g * np.exp(sig * rng.standard_normal(n))
    if t in ('TRIANGLE_DISTRIBUTION', 'UNIFORM_DISTRIBUTION'):
        lo, hi = sorted((u['minimum'], u['maximum']))
        if lo == hi:
            return None
        if t == 'UNIFORM_DISTRIBUTION':
            return lambda rng, n: rng.uniform(lo, hi, n)
        if not lo <= u['mode'] <= hi:
            return None
        return lambda rng, n: rng.triangular(lo, u['mode'], hi, n)
    if t == 'NORMAL_DISTRIBUTION' and (u.get('sd') or 0) > 0:
        return lambda rng, n: rng.normal(u['mean'], u['sd'], n)
    if ped and (t is None or t == 'LOG_NORMAL_DISTRIBUTION'):
        return pedigree()
    return None


# a USLCI product whose supply chain carries distributions (the five of test_lca.py have none upstream: only 67
# of USLCI's 766 processes have a distribution on a technosphere or greenhouse-gas exchange)
USLCI_PRODUCT = 'Steel plate; Blast furnace route; Production mix; 85% recovery rate'


@test
def uslci(tmp):
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    db = os.path.join(tmp, 'uslci.db')
    run('lca', 'import', USLCI, '--name', 'uslci', db=db)
    outs = [run('lca', 'montecarlo', '--database', 'uslci', '--process', USLCI_PRODUCT, '--draws', '4000', '--seed',
                '17', '--threads', th, '--format', 'json', db=db).stdout for th in ('1', '2')]
    assert outs[0] == outs[1]
    j = json.loads(outs[0])
    u = j['uncertainty']
    assert u['parameters'] > 0, u
    # USLCI's triangles with reversed bounds are swapped, those with the mode outside them not sampled
    assert any('swapped' in x for x in u['notes_first']) and any('outside' in x for x in u['notes_first']), u
    t = category(j)
    calc = {r['category']: float(r['amount']) for r in csv.DictReader(io.StringIO(
        run('lca', 'calc', '--database', 'uslci', '--process', USLCI_PRODUCT, '--format', 'csv', db=db).stdout))}
    assert abs(t['deterministic'] - calc['total']) <= 1e-9 * abs(calc['total']), (t['deterministic'], calc['total'])
    assert t['sd'] > 0.05 * abs(t['mean']) and t['p2_5'] < t['median'] < t['p97_5'], t

    # independent Monte Carlo: the exported matrices, each uncertain exchange of the supply chain mapped to its
    # entry (value / JSON amount scales its draw), numpy's random numbers, scipy's splu per draw
    out = os.path.join(tmp, 'm')
    run('lca', 'matrices', '--database', 'uslci', '--out', out, db=db)

    def read(name):
        with open(os.path.join(out, name)) as f:
            return list(csv.DictReader(f))
    providers, flows = read('providers.csv'), read('flows.csv')
    n, m = len(providers), len(flows)
    A0 = sp.coo_matrix(([float(r['value']) for r in read('technosphere.csv')],
                        ([int(r['row']) for r in read('technosphere.csv')], [int(r['col']) for r in read('technosphere.csv')])),
                       shape=(n, n)).tocsc()
    Bt = read('biosphere.csv')
    B0 = sp.coo_matrix(([float(r['value']) for r in Bt], ([int(r['row']) for r in Bt], [int(r['col']) for r in Bt])),
                       shape=(m, n)).tocsc()
    cols = {}
    for p in providers:
        cols.setdefault(p['process_id'], []).append(int(p['index']))
    frow = {f['flow_id']: int(f['index']) for f in flows}
    by_flow = {}
    for p in providers:
        by_flow.setdefault(p['flow_id'], []).append(int(p['index']))
    demand = next(int(p['index']) for p in providers if p['process'] == USLCI_PRODUCT)
    f = np.zeros(n)
    f[demand] = 1
    s0 = spla.splu(A0).solve(f)
    # characterisation of the total: the deterministic h through (c B) s, c from the run's own inventory check
    g = gwp()
    cf = {'Carbon dioxide, fossil': 1, 'Carbon dioxide': 1, 'Carbon dioxide, biogenic': 1,
          'Carbon dioxide, non-fossil': 1, 'Methane, fossil': g['CH4_fossil'], 'Methane': g['CH4_fossil'],
          'Methane, biogenic': g['CH4_nonfossil'], 'Dinitrogen monoxide': g['N2O'], 'Nitrous oxide': g['N2O']}
    c = np.array([cf.get(fl['flow'], 0.0) * (-1 if '/resource' in fl['compartment'].lower() or
                                              fl['compartment'].lower().startswith('resource') else 1)
                  if 'air' in fl['compartment'].lower() else 0.0 for fl in flows])
    entries, unmapped = [], []
    for fn in os.listdir(os.path.join(USLCI, 'processes')):
        with open(os.path.join(USLCI, 'processes', fn)) as fh:
            p = json.load(fh)
        pc = cols.get(p['@id'], [])
        if not pc or all(abs(s0[j]) == 0 for j in pc):
            continue  # not in the supply chain
        for e in p.get('exchanges', []):
            if e.get('quantitativeReference'):
                continue
            d = uslci_distribution(e)
            if d is None:
                continue
            fid = e['flow']['@id']
            same = [x for x in p['exchanges'] if x['flow']['@id'] == fid and x.get('input') == e.get('input')]
            if len(pc) != 1 or len(same) != 1:
                unmapped.append((p['name'], e['flow']['name']))
                continue
            jcol = pc[0]
            if fid in frow:
                which, i = 'B', frow[fid]
                v = B0[i, jcol]
                if c[i] == 0:
                    continue  # not characterised: does not change h
            else:
                rows = [r for r in by_flow.get(fid, []) if A0[r, jcol] != 0]
                if not rows:
                    continue  # cut off
                assert len(rows) == 1, (p['name'], e['flow']['name'])
                which, i, v = 'A', rows[0], A0[rows[0], jcol]
            entries.append((which, i, jcol, v / e['amount'], d))
    assert not unmapped, unmapped[:5]
    assert entries
    rng = np.random.default_rng(11)
    N = 4000
    draws = [(w, i, jc, k * d(rng, N)) for w, i, jc, k, d in entries]
    A0l, B0l = A0.tolil(), B0.tolil()
    h = np.empty(N)
    for k in range(N):
        A, B = A0l.copy(), B0l.copy()
        for w, i, jc, x in draws:
            (A if w == 'A' else B)[i, jc] = x[k]
        s = spla.splu(A.tocsc()).solve(f)
        h[k] = c @ (B.tocsc() @ s)
    det = c @ (B0 @ s0)
    assert abs(det - t['deterministic']) <= 1e-6 * abs(det), (det, t['deterministic'])
    se = math.sqrt(t['sd'] ** 2 / 4000 + h.var(ddof=1) / N)
    assert abs(t['mean'] - h.mean()) < 4 * se, (t['mean'], h.mean(), se)
    # the SD within 4 SE of the difference, SE(s) = √((μ4 − σ⁴ (n − 3)/(n − 1)) / n) / (2σ) for each sample
    mu4, s2 = np.mean((h - h.mean()) ** 4), h.var(ddof=1)
    se_sd = [math.sqrt((mu4 - s2 ** 2 * (n - 3) / (n - 1)) / n) / (2 * math.sqrt(s2)) for n in (4000, N)]
    assert abs(t['sd'] - h.std(ddof=1)) < 4 * math.hypot(*se_sd), (t['sd'], h.std(ddof=1), se_sd)
    print(f"  USLCI '{USLCI_PRODUCT}': {u['parameters']} uncertain exchanges {u['by_distribution']}, {u['notes']} "
          f"notes; total deterministic {t['deterministic']:.6g}, mean {t['mean']:.6g} (numpy {h.mean():.6g}, "
          f"{abs(t['mean'] - h.mean()) / se:.2f} SE apart), sd {t['sd']:.3g} (numpy {h.std(ddof=1):.3g}), "
          f"95 % [{t['p2_5']:.6g}, {t['p97_5']:.6g}]; {len(entries)} entries drawn in the supply chain; top "
          f"contributor {t['contributions'][0]['process']} ({t['contributions'][0]['share_pct']:.1f} %)")


if __name__ == '__main__':
    BIN = parse_bin()
    if not os.path.isdir(SHARED):
        print(f'skipped: no {SHARED}')
        sys.exit(77)
    run_all('pc-lca-mc-e2e-')
