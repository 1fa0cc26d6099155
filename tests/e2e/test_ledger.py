#!/usr/bin/env python3
"""The panoramic ledger (issue 13): `ledger build`, `ledger info`, `ledger export` and `account` through the CLI.

Values against independent computations: numpy from the raw WIOD files of one year (pymrio's D_pba_reg,
D_cba_reg, D_imp_reg, D_exp_reg with F_Y; bilateral partners; sectors) for three regions at 1e-9 relative, and
the GCB 2019 CSV x 44/12 at 1e-12; identities (world production = world consumption, net_transfer = imports -
exports, partner sums = imports and exports, sector sums = production and consumption); CSV columns; errors with
their messages; threads 1 and 2 store identical numbers; a rebuild replaces a source; the embedded default loads
without ../shared; Monte Carlo ranges. Exits 77 (skipped) when ../shared/data is missing, after the tests that
need none of it.

    python3 tests/e2e/test_ledger.py --bin build/bin/panocarbon
"""
import csv, io, json, math, os, sqlite3, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import test, run_all, parse_bin, TESTS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
WIOD = os.path.join(SHARED, 'mrio', 'wiod2013-co2')
GCB = os.path.join(SHARED, 'national', 'gcb2019')
BIN = None
HEADER = 'country,year,indicator,value,unit,lower,upper,source'


# WIOD's own region codes that are not ISO alpha-3, and back (the ledger stores ISO codes).
ISO = {'ROM': 'ROU'}
WIOD_CODE = {v: k for k, v in ISO.items()}

def run(args, db, expect=0, cwd=ROOT):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=cwd)
    assert p.returncode == expect, (f'{args} exited {p.returncode}, expected {expect}\n'
                                    f'stdout: {p.stdout[-1500:]}\nstderr: {p.stderr[-2000:]}')
    return p


def account(db, *args):
    return json.loads(run(['account', *args, '--format', 'json'], db).stdout)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def close(a, b, tol, what):
    assert rel(a, b) <= tol or abs(a - b) <= 1e-12, f'{what}: {a!r} vs {b!r} (rel {rel(a, b):.3e} > {tol})'


def values_of(rows, source):
    return {(r['country'], r['year'], r['indicator']): r for r in rows if r['source'] == source}


# ---- without ../shared ---------------------------------------------------------------------------------------

@test
def default_dataset_loads_without_shared(tmp):
    db = os.path.join(tmp, 'l.db')
    # run from a folder without ../shared: the path is the repository's data/ledger
    run(['ledger', 'build', os.path.join(ROOT, 'data', 'ledger')], db, cwd=tmp)
    info = json.loads(run(['ledger', 'info', '--format', 'json'], db).stdout)
    sources = {s['source']: s for s in info['sources']}
    assert 'gcb2019' in sources and 'wiod2013-co2/2009' in sources, sorted(sources)
    assert set(range(2000, 2011)) <= set(info['years']), info['years']
    assert info['indicators'][:5] == ['production', 'consumption', 'imports', 'exports', 'net_transfer'], \
        info['indicators']
    for s in info['sources']:
        assert s['citation'] and s['version'] and s['run_id'], s
    assert sources['wiod2013-co2/2009']['countries'] == 41
    assert sources['gcb2019']['countries'] > 200
    d = account(db, '--country', 'CHN', '--year', '2009')
    by = values_of(d['rows'], 'wiod2013-co2/2009')
    assert by[('CHN', 2009, 'production')]['unit'] == 'Mt CO2'
    assert by[('CHN', 2009, 'production_per_capita')]['unit'] == 't CO2/person'
    assert 5000 < by[('CHN', 2009, 'production')]['value'] < 10000
    assert len([p for p in d['partners'] if p['source'] == 'wiod2013-co2/2009']) == 10  # top 10 kept
    assert d['sectors'] and d['sectors'][16]['sector'] == 'c17', d['sectors'][16]
    assert d['sectors'][16]['sector_name'] == 'Electricity, Gas and Water Supply'
    # --default loads the same, without any file
    db2 = os.path.join(tmp, 'd.db')
    run(['ledger', 'build', '--default'], db2, cwd=tmp)
    for args in (['--all', '--year', '2009'], ['--country', 'DEU']):
        a = run(['account', *args, '--format', 'csv'], db).stdout
        assert a == run(['account', *args, '--format', 'csv'], db2).stdout, args
    # the embedded copy is what `ledger export` writes from an empty database
    out = os.path.join(tmp, 'embedded')
    p = run(['ledger', 'export', '--out', out, '--format', 'json'], os.path.join(tmp, 'empty.db'))
    assert json.loads(p.stdout)['from'] == 'embedded default'
    for f in ('sources.csv', 'values.csv', 'partners.csv', 'sectors.csv'):
        with open(os.path.join(out, f), 'rb') as a, open(os.path.join(ROOT, 'data', 'ledger', f), 'rb') as b:
            assert a.read() == b.read(), f'{f}: the embedded copy differs from data/ledger/{f}'
    size = sum(os.path.getsize(os.path.join(ROOT, 'data', 'ledger', f)) for f in os.listdir(os.path.join(ROOT, 'data', 'ledger')))
    assert size <= 1.5e6, f'data/ledger holds {size} bytes, more than 1.5 MB'


@test
def account_needs_country_or_all_and_names_what_is_held(tmp):
    db = os.path.join(tmp, 'l.db')
    p = run(['account', '--country', 'CHN'], db, expect=3)
    assert 'holds no ledger' in p.stderr and 'ledger build --default' in p.stderr, p.stderr
    p = run(['ledger', 'build'], db, expect=2)
    assert "field 'path'" in p.stderr and '--default' in p.stderr, p.stderr
    run(['ledger', 'build', 'data/ledger'], db)
    p = run(['account'], db, expect=2)
    assert "field 'country'" in p.stderr and '--all' in p.stderr, p.stderr
    p = run(['account', '--country', 'CHX', '--year', '2009'], db, expect=3)
    assert 'CHX' in p.stderr and 'CHN (China)' in p.stderr and 'nearest' in p.stderr, p.stderr
    p = run(['account', '--country', 'CHN', '--year', '1900'], db, expect=3)
    assert 'no year 1900' in p.stderr and '1990-2018' in p.stderr, p.stderr
    p = run(['account', '--country', 'CHN', '--year', '1995', '--source', 'wiod2013-co2'], db, expect=3)
    assert 'years held: 2000-2010' in p.stderr, p.stderr
    p = run(['account', '--country', 'CHN', '--source', 'wiod2014'], db, expect=3)
    assert "field 'source'" in p.stderr and 'wiod2013-co2' in p.stderr, p.stderr
    p = run(['account', '--country', 'CHN', '--year', '2009', '--indicator', 'prodution'], db, expect=3)
    assert 'production' in p.stderr and "field 'indicator'" in p.stderr, p.stderr
    # a name works like the code
    a = run(['account', '--country', 'china', '--year', '2009', '--format', 'csv'], db).stdout
    b = run(['account', '--country', 'CHN', '--year', '2009', '--format', 'csv'], db).stdout
    assert a == b


@test
def csv_columns_are_exact(tmp):
    db = os.path.join(tmp, 'l.db')
    run(['ledger', 'build', 'data/ledger'], db)
    out = run(['account', '--year', '2009', '--all', '--format', 'csv'], db).stdout
    lines = out.splitlines()
    assert lines[0] == HEADER, lines[0]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert all(len(r) == 8 for r in rows)
    keys = [(r['country'], r['indicator'], r['source']) for r in rows]
    assert len(keys) == len(set(keys)), 'one line per indicator and source'
    assert {r['source'] for r in rows} == {'gcb2019', 'wiod2013-co2/2009'}
    assert {r['unit'] for r in rows} == {'Mt CO2', 't CO2/person'}
    pc = run(['account', '--country', 'USA', '--per-capita', '--format', 'csv'], db).stdout
    assert {r['indicator'] for r in csv.DictReader(io.StringIO(pc))} == {'production_per_capita',
                                                                        'consumption_per_capita'}


@test
def ledger_build_names_a_folder_with_nothing_it_reads(tmp):
    db = os.path.join(tmp, 'l.db')
    empty = os.path.join(tmp, 'nothing')
    os.makedirs(os.path.join(empty, 'sub'))
    p = run(['ledger', 'build', empty], db, expect=2)
    assert empty in p.stderr and 'holds nothing the ledger recognises' in p.stderr, p.stderr
    assert 'pymrio' in p.stderr and 'territorial-emissions.csv' in p.stderr and 'ledger export' in p.stderr
    p = run(['ledger', 'build', os.path.join(tmp, 'missing')], db, expect=2)
    assert 'does not exist' in p.stderr, p.stderr


@test
def bad_rows_are_named_and_nothing_is_stored(tmp):
    db = os.path.join(tmp, 'l.db')
    gcb = os.path.join(tmp, 'gcb')
    os.makedirs(gcb)
    with open(os.path.join(gcb, 'territorial-emissions.csv'), 'w') as f:
        f.write('Code,Year,Emissions,Source\nCHN,2009,2117.58,CDIAC\nUSA,2009,abc,UNFCCC\nIND,20x9,1.0,CDIAC\n')
    p = run(['ledger', 'build', gcb], db, expect=2)
    assert 'territorial-emissions.csv' in p.stderr and 'line 3 field Emissions' in p.stderr, p.stderr
    assert 'line 4 field Year' in p.stderr and '2 bad rows' in p.stderr, p.stderr
    assert not sqlite3.connect(db).execute('SELECT count(*) FROM ledger_values').fetchone()[0]
    # a ledger folder with a value that is not finite
    led = os.path.join(tmp, 'led')
    os.makedirs(led)
    with open(os.path.join(led, 'sources.csv'), 'w') as f:
        f.write('source,dataset,version,citation\nx,x,1,none\n')
    with open(os.path.join(led, 'values.csv'), 'w') as f:
        f.write('source,country,year,indicator,value,lower,upper,note\nx,CHN,2009,production,inf,,,\n')
    p = run(['ledger', 'build', led], db, expect=2)
    assert 'values.csv' in p.stderr and 'line 2' in p.stderr and "'value'" in p.stderr, p.stderr
    with open(os.path.join(led, 'values.csv'), 'w') as f:
        f.write('source,country,year,indicator,value,lower,upper,note\ny,CHN,2009,production,1,,,\n')
    p = run(['ledger', 'build', led], db, expect=2)
    assert "source 'y'" in p.stderr and 'sources.csv' in p.stderr, p.stderr
    assert not sqlite3.connect(db).execute('SELECT count(*) FROM ledger_values').fetchone()[0]


@test
def stored_natural_and_inventory_runs_become_sources(tmp):
    db = os.path.join(tmp, 'l.db')
    fire = os.path.join(tmp, 'burned.csv')
    with open(fire, 'w') as f:
        f.write('vegetation,area_ha\nsavanna_grasslands_mid_late_tropical_subtropical_grassland,500\nwheat_residues,20\n')
    run(['natural', 'fire-tier1', fire, '--region', 'Sweden', '--year', '2009', '--area-uncertainty', '20'], db)
    # an inventory of one country and year (the example's rows, as China 2009)
    with open(os.path.join(ROOT, 'examples', 'inventory.csv')) as f:
        rows = list(csv.DictReader(f))
    inv = os.path.join(tmp, 'inv.csv')
    with open(inv, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        for r in rows:
            w.writerow(dict(r, country='CHN', year='2009'))
    calc = json.loads(run(['inventory', 'calc', inv, '--by', 'category', '--format', 'json'], db).stdout)
    run(['inventory', 'calc', os.path.join(ROOT, 'examples', 'inventory.csv')], db)  # country XL: no country
    p = run(['ledger', 'build', 'data/ledger'], db)
    assert 'names no country of the ledger' in p.stderr, p.stderr
    nat = json.loads(run(['natural', 'account', '--format', 'json'], db).stdout)
    d = account(db, '--country', 'SWE', '--year', '2009')
    rows = {(r['source'].split('/')[0], r['indicator']): r for r in d['rows']}
    total = nat['total']
    n = rows[('natural', 'natural')]
    assert n['unit'] == 'Mt CO2e' and n['gwp'] == 'AR5' and n['side'] == 'natural', n
    close(n['value'], total['total']['t_co2e'] / 1e6, 1e-12, 'natural total')
    close(n['lower'], total['total']['lower_t_co2e'] / 1e6, 1e-12, 'natural lower')
    close(n['upper'], total['total']['upper_t_co2e'] / 1e6, 1e-12, 'natural upper')
    close(rows[('natural', 'natural_managed')]['value'], total['national_inventory']['t_co2e'] / 1e6, 1e-12, 'managed')
    close(rows[('natural', 'natural_direct_anthropogenic')]['value'], total['global_carbon_budget']['t_co2e'] / 1e6,
          1e-12, 'budget view')
    close(rows[('natural', 'natural_remainder')]['value'], total['natural_remainder']['t_co2e'] / 1e6, 1e-12,
          'remainder')
    assert rows[('gcb2019', 'production')]['value'] > 0  # beside, not mixed
    c = account(db, '--country', 'CHN', '--year', '2009', '--source', 'inventory')
    prod = [r for r in c['rows'] if r['indicator'] == 'production']
    assert len(prod) == 1 and prod[0]['unit'] == 'Mt CO2e' and prod[0]['gwp'] == 'AR5', prod
    close(prod[0]['value'], calc['total_co2e_t'] / 1e6, 1e-12, 'inventory total')
    assert {s['sector'] for s in c['sectors']} <= {'1', '2', '3', '4', '5'} and c['sectors'], c['sectors']


# ---- on ../shared -------------------------------------------------------------------------------------------

def read_wiod(year):
    """Z, Y, x, F, F_Y of one year with numpy (pymrio's text layout), and the labels."""
    import numpy as np
    folder = os.path.join(WIOD, str(year))

    def table(path, header_rows, index_cols):
        with open(path) as f:
            lines = [l.rstrip('\n').split('\t') for l in f]
        head = lines[:header_rows]
        # pymrio writes a line with the index names ("region  sector", no numbers) after the header
        body = [r for r in lines[header_rows:] if any(v.strip() for v in r[index_cols:])]
        labels = [tuple(r[:index_cols]) for r in body]
        cols = [tuple(h[c] for h in head) for c in range(index_cols, len(head[0]))]
        data = np.array([[float(v) for v in r[index_cols:]] for r in body])
        return labels, cols, data
    rows, _, Z = table(os.path.join(folder, 'Z.txt'), 2, 2)
    _, ycols, Y = table(os.path.join(folder, 'Y.txt'), 2, 2)
    _, _, x = table(os.path.join(folder, 'x.txt'), 1, 2)
    _, _, F = table(os.path.join(folder, 'co2', 'F.txt'), 2, 1)
    _, _, FY = table(os.path.join(folder, 'co2', 'F_Y.txt'), 2, 1)
    return rows, ycols, Z, Y, x[:, 0], F[0], FY[0]


@test
def wiod_accounts_match_numpy_from_the_raw_files(tmp):
    import numpy as np
    db = os.path.join(tmp, 'l.db')
    run(['ledger', 'build', os.path.join(WIOD, '2009')], db)
    rows, ycols, Z, Y, x, f, fy = read_wiod(2009)
    regions = sorted({r for r, _ in rows}, key=[r for r, _ in rows].index)
    n = len(rows)
    xs = np.where(x != 0, x, 1.0)
    A = Z / xs[None, :]
    s = np.where(x != 0, f / xs, 0.0)
    L = np.linalg.inv(np.eye(n) - A)
    m = s @ L                      # multipliers
    reg_of_row = np.array([regions.index(r) for r, _ in rows])
    reg_of_ycol = np.array([regions.index(r) for r, _ in ycols])
    R = len(regions)
    yreg = np.zeros((n, R))        # final demand by consuming region
    fyreg = np.zeros(R)
    for j in range(len(ycols)):
        yreg[:, reg_of_ycol[j]] += Y[:, j]
        fyreg[reg_of_ycol[j]] += fy[j]
    xr = L @ yreg                  # output for each region's final demand
    bil = np.zeros((R, R))         # emitted in p for c's final demand
    for c in range(R):
        e = s * xr[:, c]
        for p in range(R):
            bil[p, c] = e[reg_of_row == p].sum()
    d = account(db, '--all', '--year', '2009')
    got = values_of(d['rows'], 'wiod2013-co2/2009')
    # WIOD's Romania (ROM, its code before 2002) is stored as ISO's ROU, so it meets GCB's ROU on one page
    wiod_countries = {k[0] for k in got}
    assert 'ROU' in wiod_countries and 'ROM' not in wiod_countries, sorted(wiod_countries)
    assert 'wiod2013-co2/2009' in {r['source'] for r in account(db, '--country', 'ROU', '--year', '2009')['rows']}
    # each year's source names its own year in its version (years built in parallel share one system's shape)
    for src in json.loads(run(['ledger', 'info', '--format', 'json'], db).stdout)['sources']:
        if src['dataset'] == 'wiod2013-co2':
            year = src['source'].split('/')[1]
            assert f'release {year} ' in src['version'], src
    for reg in ('CHN', 'USA', 'DEU'):
        r = regions.index(reg)
        want = {'production': (bil[r, :].sum() + fyreg[r]) / 1000,
                'consumption': (bil[:, r].sum() + fyreg[r]) / 1000,
                'imports': (bil[:, r].sum() - bil[r, r]) / 1000,
                'exports': (bil[r, :].sum() - bil[r, r]) / 1000}
        want['net_transfer'] = want['consumption'] - want['production']
        for k, v in want.items():
            close(got[(reg, 2009, k)]['value'], v, 1e-9 if k != 'net_transfer' else 1e-8, f'{reg} {k}')
        one = account(db, '--country', reg, '--year', '2009')
        for p in one['partners']:
            q = regions.index(WIOD_CODE.get(p['partner'], p['partner']))
            close(p['exports'], bil[r, q] / 1000, 1e-9, f'{reg} exports to {p["partner"]}')
            close(p['imports'], bil[q, r] / 1000, 1e-9, f'{reg} imports from {p["partner"]}')
        sec = [x for x in one['sectors'] if x['sector'] != 'FY']
        prod = f[reg_of_row == r] / 1000
        cons = np.zeros(len(sec))
        for i in range(n):
            cons[i % len(sec)] += m[i] * yreg[i, r] / 1000
        for k, x_ in enumerate(sec):
            close(x_['production'], prod[k], 1e-9, f'{reg} sector {x_["sector"]} production')
            close(x_['consumption'], cons[k], 1e-9, f'{reg} sector {x_["sector"]} consumption')


@test
def gcb_rows_are_the_raw_csv_times_44_over_12(tmp):
    db = os.path.join(tmp, 'l.db')
    run(['ledger', 'build', GCB], db)
    out = run(['account', '--all', '--source', 'gcb2019', '--format', 'csv'], db).stdout
    got = {(r['country'], int(r['year']), r['indicator']): float(r['value'])
           for r in csv.DictReader(io.StringIO(out))}
    checked = 0
    for name, column, indicator, sign in (('territorial-emissions.csv', 'Emissions', 'production', 1),
                                          ('consumption-emissions.csv', 'Consumption-Emissions', 'consumption', 1),
                                          ('emissions-transfers.csv', 'Emissions-Transfers', 'net_transfer', -1)):
        with open(os.path.join(GCB, name)) as f:
            for r in csv.DictReader(f):
                key = (r['Code'], int(r['Year']), indicator)
                if r[column] in ('', 'NA') or key not in got:
                    continue
                close(got[key], sign * float(r[column]) * 44 / 12, 1e-12, f'{key}')
                checked += 1
    base = [k for k in got if not k[2].endswith('_per_capita')]
    assert checked == len(base) and checked > 19000, (checked, len(base))
    # groups are left out, the world total is kept; CHN 2009 as in the table
    assert ('OECD', 2009, 'production') not in got and ('World', 2009, 'production') in got
    close(got[('CHN', 2009, 'production')], 2117.580 * 44 / 12, 1e-12, 'CHN 2009')
    # net_transfer = consumption - production (the files' transfers are territorial - consumption)
    close(got[('CHN', 2009, 'net_transfer')], got[('CHN', 2009, 'consumption')] - got[('CHN', 2009, 'production')],
          1e-3, 'CHN net transfer')


@test
def identities_hold_for_every_year(tmp):
    db = os.path.join(tmp, 'l.db')
    run(['ledger', 'build', WIOD, GCB, '--threads', '2'], db)
    d = account(db, '--all')
    with open(os.path.join(ROOT, 'data', 'population.csv')) as f:
        pop = {(r['country'], int(r['year'])): float(r['population']) for r in csv.DictReader(f)}
    for year in range(2000, 2011):
        got = values_of(d['rows'], f'wiod2013-co2/{year}')
        regions = sorted({k[0] for k in got})
        assert len(regions) == 41
        prod = sum(got[(r, year, 'production')]['value'] for r in regions)
        cons = sum(got[(r, year, 'consumption')]['value'] for r in regions)
        close(prod, cons, 1e-9, f'{year}: world production vs consumption')
        for r in regions:
            g = lambda k: got[(r, year, k)]['value']
            assert abs(g('net_transfer') - (g('imports') - g('exports'))) <= 1e-9 * max(g('imports'), g('exports')), r
            if (r, year) in pop:
                close(got[(r, year, 'production_per_capita')]['value'], g('production') * 1e6 / pop[(r, year)],
                      1e-12, f'{r} {year} per capita')
        one = account(db, '--country', 'JPN', '--year', str(year), '--source', f'wiod2013-co2/{year}')
        v = values_of(one['rows'], f'wiod2013-co2/{year}')
        close(sum(p['exports'] for p in one['partners']), v[('JPN', year, 'exports')]['value'], 1e-9, 'exports')
        close(sum(p['imports'] for p in one['partners']), v[('JPN', year, 'imports')]['value'], 1e-9, 'imports')
        close(sum(s['production'] for s in one['sectors']), v[('JPN', year, 'production')]['value'], 1e-9, 'sectors')
        close(sum(s['consumption'] for s in one['sectors']), v[('JPN', year, 'consumption')]['value'], 1e-9, 'sectors')


@test
def two_mrio_datasets_of_other_shapes_build_in_one_call(tmp):
    # WIOD 2009 with the EU countries merged into one region (mrio aggregate), beside the 41 regions of WIOD
    eu = 'AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROM SVK SVN SWE'
    other = 'AUS BRA CAN CHN IDN IND JPN KOR MEX RUS TUR TWN USA RoW'
    conc = os.path.join(tmp, 'regions.csv')
    with open(conc, 'w') as f:
        f.write('from,to\n' + ''.join(f'{r},EUR\n' for r in eu.split()) + ''.join(f'{r},{r}\n' for r in other.split()))
    db = os.path.join(tmp, 'l.db')
    run(['mrio', 'aggregate', os.path.join(WIOD, '2009'), '--regions', conc, '--out', os.path.join(tmp, 'wiod-eu', '2009')],
        db)
    out = json.loads(run(['ledger', 'build', WIOD, os.path.join(tmp, 'wiod-eu'), os.path.join(WIOD, '2009'),
                          '--format', 'json'], db).stdout)
    names = [s['source'] for s in out['sources']]
    assert names.count('wiod2013-co2/2009') == 1 and 'wiod-eu/2009' in names, names
    d = account(db, '--all', '--year', '2009', '--indicator', 'production')
    full = {r['country']: r['value'] for r in d['rows'] if r['source'] == 'wiod2013-co2/2009'}
    agg = {r['country']: r['value'] for r in d['rows'] if r['source'] == 'wiod-eu/2009'}
    assert len(agg) == 15, sorted(agg)
    close(agg['EUR'], sum(full[ISO.get(r, r)] for r in eu.split()), 1e-9, 'EU production (F and F_Y summed)')
    close(sum(agg.values()), sum(full.values()), 1e-9, 'world production')


def dump(db):
    c = sqlite3.connect(db)
    q = {t: c.execute(f'SELECT s.source, t.* FROM {t} t JOIN ledger_sources s ON s.id = t.source_id '
                      f'ORDER BY 1, t.rowid').fetchall()
         for t in ('ledger_values', 'ledger_partners', 'ledger_sectors')}
    # leave out the source id (a row id that depends on the order of saving)
    return {t: [r[:1] + r[2:] for r in rows] for t, rows in q.items()}


@test
def threads_1_and_2_store_identical_numbers_and_a_rebuild_replaces(tmp):
    dbs = {}
    for t in (1, 2):
        dbs[t] = os.path.join(tmp, f't{t}.db')
        t0 = time.time()
        run(['ledger', 'build', WIOD, GCB, '--threads', str(t)], dbs[t])
        print(f'     ledger build of 11 WIOD years + GCB 2019, --threads {t}: {time.time() - t0:.2f} s')
    a, b = dump(dbs[1]), dump(dbs[2])
    for k in a:
        assert a[k] == b[k], f'{k} differs between --threads 1 and 2'
    n = {k: len(v) for k, v in a.items()}
    run(['ledger', 'build', os.path.join(WIOD, '2005')], dbs[1])
    again = dump(dbs[1])
    assert {k: len(v) for k, v in again.items()} == n, 'a rebuild of wiod2013-co2/2005 added rows'
    assert again == a
    runs = sqlite3.connect(dbs[1]).execute(
        "SELECT run_id FROM ledger_sources WHERE source = 'wiod2013-co2/2005'").fetchone()[0]
    assert runs == sqlite3.connect(dbs[1]).execute('SELECT max(id) FROM runs').fetchone()[0]


@test
def monte_carlo_ranges_are_stored_and_repeatable(tmp):
    db1, db2 = os.path.join(tmp, 'a.db'), os.path.join(tmp, 'b.db')
    args = ['ledger', 'build', os.path.join(WIOD, '2009'), '--draws', '40', '--seed', '7']
    run(args + ['--threads', '1'], db1)
    run(args + ['--threads', '2'], db2)
    a, b = dump(db1), dump(db2)
    assert a == b, 'ranges differ between --threads 1 and 2'
    d = account(db1, '--country', 'CHN', '--year', '2009')
    got = values_of(d['rows'], 'wiod2013-co2/2009')
    for k in ('production', 'consumption', 'imports', 'exports'):
        r = got[('CHN', 2009, k)]
        assert r['lower'] is not None and r['lower'] < r['value'] < r['upper'], (k, r)
        assert r['upper'] / r['lower'] < 2, (k, r)
        assert '40 Monte Carlo draws' in r['note']
    pc = got[('CHN', 2009, 'production_per_capita')]
    close(pc['lower'] / pc['value'], got[('CHN', 2009, 'production')]['lower'] / got[('CHN', 2009, 'production')]['value'],
          1e-12, 'per-capita range')
    # the deterministic values are those of a build without draws
    run(['ledger', 'build', os.path.join(WIOD, '2009')], os.path.join(tmp, 'c.db'))
    plain = values_of(account(os.path.join(tmp, 'c.db'), '--country', 'CHN', '--year', '2009')['rows'],
                      'wiod2013-co2/2009')
    for k in ('production', 'consumption'):
        assert plain[('CHN', 2009, k)]['value'] == got[('CHN', 2009, k)]['value']
        assert plain[('CHN', 2009, k)]['lower'] is None


@test
def the_default_dataset_is_what_the_script_regenerates(tmp):
    out = os.path.join(tmp, 'regen')
    p = subprocess.run(['bash', os.path.join(ROOT, 'scripts', 'make-default-ledger.sh'), '--bin', BIN, '--out', out],
                       capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    for f in ('sources.csv', 'values.csv', 'partners.csv', 'sectors.csv'):
        with open(os.path.join(out, f), 'rb') as a, open(os.path.join(ROOT, 'data', 'ledger', f), 'rb') as b:
            assert a.read() == b.read(), (f'data/ledger/{f} drifted from the full tables: regenerate it with '
                                          'scripts/make-default-ledger.sh')


SHARED_TESTS = {'wiod_accounts_match_numpy_from_the_raw_files', 'two_mrio_datasets_of_other_shapes_build_in_one_call', 'gcb_rows_are_the_raw_csv_times_44_over_12',
                'identities_hold_for_every_year', 'threads_1_and_2_store_identical_numbers_and_a_rebuild_replaces',
                'monte_carlo_ranges_are_stored_and_repeatable', 'the_default_dataset_is_what_the_script_regenerates'}

if __name__ == '__main__':
    BIN = parse_bin()
    only = os.environ.get('LEDGER_ONLY')
    if only:
        TESTS[:] = [t for t in TESTS if only in t.__name__]
    missing = not (os.path.isdir(WIOD) and os.path.isdir(GCB))
    if missing:
        TESTS[:] = [t for t in TESTS if t.__name__ not in SHARED_TESTS]
        print(f'(skipping the tests on {SHARED}: it is missing)')
    try:
        run_all('panocarbon-ledger-')
    except SystemExit as e:
        if e.code == 0 and missing:
            sys.exit(77)
        raise
