#!/usr/bin/env python3
"""End-to-end test of `natural account`: `natural afolu` (forest and fire rows), `natural sinks` and `natural
fire-tier1` write into one scratch database; the account's national-inventory view (managed land), global-carbon-
budget view (direct anthropogenic), difference, remainder and ranges are recomputed here from the commands' own CSV
outputs with the AR5/AR6 GWP100 values, and the errors are checked (docs/natural-account.md)."""
import csv, io, json, os, sys

from harness import parse_bin, run_all, test
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GCB = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'natural', 'gcb2019')
FOREST = os.path.join(ROOT, 'examples', 'forest.csv')
BIN = None
GWP = {'AR5': {'CO2': 1, 'CH4': 28, 'N2O': 265}, 'AR6': {'CO2': 1, 'CH4': 27.0, 'N2O': 273}}  # AR6 CH4 non-fossil


def run(*args, expect=0, db=None):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


class Sums:
    """The account's rule, recomputed: I managed, B direct anthropogenic, N neither; D = I - B; ranges add."""

    def __init__(self):
        self.v = {k: [0.0, 0.0, 0.0] for k in ('inventory', 'budget', 'difference', 'remainder', 'total')}

    def add(self, value, lo, hi, managed, direct):
        def put(k, a, b, c):
            self.v[k][0] += a
            self.v[k][1] += b
            self.v[k][2] += c
        put('total', value, lo, hi)
        if managed:
            put('inventory', value, lo, hi)
        if direct:
            put('budget', value, lo, hi)
        if not managed and not direct:
            put('remainder', value, lo, hi)
        if managed and not direct:
            put('difference', value, lo, hi)
        if direct and not managed:
            put('difference', -value, -hi, -lo)

    def check(self, line):
        keys = {'inventory': 'national_inventory', 'budget': 'global_carbon_budget',
                'difference': 'inventory_minus_budget', 'remainder': 'natural_remainder', 'total': 'total'}
        for k, j in keys.items():
            got = line[j]
            for i, f in enumerate(('t_co2e', 'lower_t_co2e', 'upper_t_co2e')):
                assert close(got[f], self.v[k][i]), (line['module'], k, f, got[f], self.v[k][i])


def afolu_sums(text, gwp):
    s = Sums()
    for r in csv.DictReader(io.StringIO(text)):
        if r['id'] == 'total' or r['species'] == 'CO2_memo':
            continue
        g = gwp[r['species']]
        v = float(r['emission_t'])
        lo = float(r['lower_t']) if r['lower_t'] else v
        hi = float(r['upper_t']) if r['upper_t'] else v
        s.add(v * g, lo * g, hi * g, r['managed'] == 'yes', r['driver'] == 'direct-anthropogenic')
    return s


def fire_tier1_sums(text, gwp):
    s = Sums()
    for r in csv.DictReader(io.StringIO(text)):
        if r['species'] not in gwp:
            continue  # CO, NOx: no GWP100
        k = gwp[r['species']]
        v = float(r['emission_t']) * k
        lo = float(r['emission_low_t']) * k if r['emission_low_t'] else v
        hi = float(r['emission_high_t']) * k if r['emission_high_t'] else v
        agri = r['vegetation'] == 'wheat_residues'
        s.add(v, lo, hi, agri, agri)  # crop residues: direct anthropogenic, managed; the rest natural, unknown land
    return s


def sinks_sums(text):
    s = Sums()
    (r,) = list(csv.DictReader(io.StringIO(text)))
    k = 44 / 12 * 1e9
    luc = float(r['land_use_change']) * k
    s.add(luc, float(r['luc_min']) * k, float(r['luc_max']) * k, True, True)  # E_LUC: managed, direct
    s.add(-float(r['ocean_sink']) * k, -float(r['ocean_max']) * k, -float(r['ocean_min']) * k, False, False)
    s.add(-float(r['land_sink']) * k, -float(r['land_max']) * k, -float(r['land_min']) * k, False, False)
    return s


def fill(tmp, db):
    fire = os.path.join(tmp, 'burned.csv')
    with open(fire, 'w') as f:
        f.write('vegetation,area_ha\nsavanna_grasslands_mid_late_tropical_subtropical_grassland,500\nwheat_residues,20\n')
    a = run('natural', 'afolu', FOREST, '--format', 'csv', db=db).stdout
    s = run('natural', 'sinks', '--data', GCB, '--year', '2018', '--format', 'csv', db=db).stdout
    t = run('natural', 'fire-tier1', fire, '--region', 'SWE', '--year', '2020', '--format', 'csv', db=db).stdout
    return a, s, t


@test
def account_views_match_hand_sums_of_the_csv_outputs(tmp):
    db = os.path.join(tmp, 'acct.db')
    a, s, t = fill(tmp, db)
    j = json.loads(run('natural', 'account', '--format', 'json', db=db).stdout)
    assert j['gwp'] == 'AR5' and j['unit'] == 't CO2-e' and j['runs'] == 'latest of each command', j
    mods = {m['module']: m for m in j['modules']}
    assert set(mods) == {'forest', 'afolu-fire', 'sinks', 'fire-tier1'}, mods.keys()
    forest, afire, tier1, sinks = Sums(), Sums(), fire_tier1_sums(t, GWP['AR5']), sinks_sums(s)
    for r in csv.DictReader(io.StringIO(a)):  # split the afolu output by module
        if r['id'] == 'total' or r['species'] == 'CO2_memo':
            continue
        target = afire if r['method'] == 'fire' else forest
        g = GWP['AR5'][r['species']]
        v = float(r['emission_t'])
        lo = float(r['lower_t']) if r['lower_t'] else v
        hi = float(r['upper_t']) if r['upper_t'] else v
        target.add(v * g, lo * g, hi * g, r['managed'] == 'yes', r['driver'] == 'direct-anthropogenic')
    forest.check(mods['forest'])
    afire.check(mods['afolu-fire'])
    tier1.check(mods['fire-tier1'])
    sinks.check(mods['sinks'])
    total = Sums()
    for part in (forest, afire, tier1, sinks):
        for k in total.v:
            for i in range(3):
                total.v[k][i] += part.v[k][i]
    total.check(j['total'])
    # the forest numbers of docs/afolu.md: inventory -9031.147 + 60.6 t CO2, difference -2164.8
    assert close(mods['forest']['national_inventory']['t_co2e'], -9031.14666666667, 1e-12)
    assert close(mods['forest']['inventory_minus_budget']['t_co2e'], -2164.8, 1e-12)
    assert any('fire-tier1 CO:' in x for x in j['skipped']), j['skipped']
    # identity: D = I - B in every line
    for m in j['modules'] + [j['total']]:
        assert close(m['inventory_minus_budget']['t_co2e'],
                     m['national_inventory']['t_co2e'] - m['global_carbon_budget']['t_co2e']), m


@test
def account_region_year_gwp_and_formats(tmp):
    db = os.path.join(tmp, 'acct.db')
    a, s, t = fill(tmp, db)
    j = json.loads(run('natural', 'account', '--region', 'SWE', '--year', '2020', '--gwp', 'AR6', '--format', 'json',
                       db=db).stdout)
    assert {m['module'] for m in j['modules']} == {'forest', 'afolu-fire', 'fire-tier1'}, j['modules']
    want = afolu_sums(a, GWP['AR6'])
    t6 = fire_tier1_sums(t, GWP['AR6'])
    for k in want.v:
        for i in range(3):
            want.v[k][i] += t6.v[k][i]
    want.check(j['total'])
    c = list(csv.DictReader(io.StringIO(run('natural', 'account', '--year', '2018', '--format', 'csv', db=db).stdout)))
    assert [r['module'] for r in c] == ['sinks', 'total'] and c[1]['gwp'] == 'AR5', c
    sinks_sums(s).check({k: {'t_co2e': float(c[1][p + '_t_co2e']), 'lower_t_co2e': float(c[1][p + '_lower_t_co2e']),
                             'upper_t_co2e': float(c[1][p + '_upper_t_co2e'])}
                         for k, p in (('national_inventory', 'inventory'), ('global_carbon_budget', 'budget'),
                                      ('inventory_minus_budget', 'difference'), ('natural_remainder', 'remainder'),
                                      ('total', 'total'))} | {'module': 'sinks'})
    table = run('natural', 'account', '--region', 'SWE', db=db).stdout
    assert 'national inventory' in table and 'afolu-fire' in table and 'region SWE' in table, table
    # Every CO2e output names the GWP set: the table's column headers, the CSV's gwp column, the JSON's gwp key.
    assert 'national inventory (t CO2e AR5)' in table.splitlines()[1], table
    assert all(r['gwp'] == 'AR5' for r in c), c
    assert all(k.endswith('_t_co2e') for k in c[0] if k not in ('module', 'records', 'records_with_range', 'gwp')), c[0]
    table6 = run('natural', 'account', '--region', 'SWE', '--gwp', 'AR6', db=db).stdout
    assert 'GWP100 AR6' in table6 and '(t CO2e AR6)' in table6, table6


@test
def account_gwp_default_is_ar5_and_the_help_says_why(tmp):
    h = subprocess.run([BIN, 'natural', 'account', '--help'], capture_output=True, text=True).stdout
    h = ' '.join(h.split())
    assert 'UNFCCC reporting uses AR5' in h and 'ISO 14067 uses the latest (AR6)' in h and 'default: AR5' in h, h


@test
def account_latest_run_and_all_runs(tmp):
    db = os.path.join(tmp, 'acct.db')
    run('natural', 'afolu', FOREST, '--format', 'csv', db=db)
    a = run('natural', 'afolu', FOREST, '--format', 'csv', db=db).stdout
    one = json.loads(run('natural', 'account', '--format', 'json', db=db).stdout)
    both = json.loads(run('natural', 'account', '--all-runs', '--format', 'json', db=db).stdout)
    want = afolu_sums(a, GWP['AR5'])
    want.check(one['total'])
    assert both['runs'] == 'all' and both['total']['records'] == 2 * one['total']['records'], both['total']
    assert close(both['total']['total']['t_co2e'], 2 * one['total']['total']['t_co2e'])


@test
def account_errors_say_which_command_to_run(tmp):
    db = os.path.join(tmp, 'empty.db')
    e = run('natural', 'account', db=db, expect=3).stderr
    assert 'the database has no natural fluxes yet' in e and 'natural afolu FILE' in e and 'natural sinks' in e, e
    run('natural', 'afolu', FOREST, '--no-store', db=db)  # --no-store: still nothing
    e = run('natural', 'account', db=db, expect=3).stderr
    assert 'no natural fluxes yet' in e, e
    run('natural', 'afolu', FOREST, db=db)
    e = run('natural', 'account', '--region', 'ITA', '--year', '2019', db=db, expect=3).stderr
    assert "no natural fluxes for region 'ITA' and year 2019" in e and 'regions SWE' in e and 'years 2020' in e, e
    assert 'natural afolu` takes region and year columns' in e, e
    e = run('natural', 'account', '--gwp', 'AR9', db=db, expect=2).stderr
    assert 'AR9' in e, e


@test
def afolu_fire_row_errors_name_file_line_and_field(tmp):
    db = os.path.join(tmp, 'acct.db')
    f = os.path.join(tmp, 'fires.csv')
    with open(f, 'w') as fh:
        fh.write('id,method,vegetation,area_ha\nok,fire,wheat_residues,5\nbad,fire,peat_bog,5\n')
    e = run('natural', 'afolu', f, '--no-store', db=db, expect=3).stderr
    assert 'fires.csv' in e and 'line 3' in e and "unknown vegetation type 'peat_bog'" in e and 'wheat_residues' in e, e
    with open(f, 'w') as fh:
        fh.write('id,method,area_ha,year\nx,fire,5,2020\n')
    e = run('natural', 'afolu', f, '--no-store', db=db, expect=2).stderr
    assert 'line 2' in e and 'a fire row needs a vegetation type' in e, e
    with open(f, 'w') as fh:
        fh.write('id,area_ha,growth,r,year\nx,5,1,0.2,20.5\n')
    e = run('natural', 'afolu', f, '--no-store', db=db, expect=2).stderr
    assert 'year' in e and 'whole year between 1750 and 2200' in e, e


if __name__ == '__main__':
    BIN = parse_bin()
    if not os.path.exists(GCB):
        print('skipped: no ../shared/data/natural/gcb2019')
        sys.exit(77)
    run_all('panocarbon-account-')
