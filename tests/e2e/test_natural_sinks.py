#!/usr/bin/env python3
"""End-to-end tests of `natural sinks`, `natural methane` and `natural afolu` on ../shared/data/natural: the Global
Carbon Budget identity recomputed here from the CSV, unit conversion, the methane table against the workbook
(read here independently with zipfile + ElementTree), regional scaling, storage in natural_fluxes, and errors."""
import csv, io, json, os, sqlite3, subprocess, sys, tempfile, zipfile
import xml.etree.ElementTree as ET

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared', 'data', 'natural')
GCB = os.path.join(SHARED, 'gcb2019')
GMB = os.path.join(SHARED, 'global-methane-budget-2020-table3.xlsx')
BIN = None


def run(*args, expect=0, tmp=None):
    env = dict(os.environ)
    # Error cases log a failed run: they get a database of their own too, never a shared path (removed afterwards).
    with tempfile.TemporaryDirectory(prefix='panocarbon-sinks-') as own:
        env['PANOCARBON_DB'] = os.path.join(tmp or own, 'p.db')
        p = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


@test
def sinks_csv_matches_the_budget_file_and_its_identity(tmp):
    rows = list(csv.DictReader(open(os.path.join(GCB, 'global-carbon-budget.csv'))))
    out = list(csv.DictReader(io.StringIO(run('natural', 'sinks', '--data', GCB, '--format', 'csv', tmp=tmp).stdout)))
    assert len(out) == len(rows) == 60
    worst = 0
    for r, o in zip(rows, out):
        assert int(o['year']) == int(r['Year'])
        res = (float(r['Fossil-Fuel-And-Industry']) + float(r['Land-Use-Change-Emissions']) - float(r['Atmospheric-Growth'])
               - float(r['Ocean-Sink']) - float(r['Land-Sink']) - float(r['Budget-Imbalance']))
        assert abs(float(o['residual']) - res) < 1e-9, (o, res)
        assert abs(float(o['ocean_sink']) - float(r['Ocean-Sink'])) < 1e-12
        worst = max(worst, abs(res))
    assert 0 < worst <= 0.003 + 1e-9, worst  # rounding of six terms to 0.001 GtC


@test
def sinks_year_range_and_gtco2(tmp):
    j = json.loads(run('natural', 'sinks', '--data', GCB, '--year', '2018', '--unit', 'GtCO2', '--format', 'json',
                       '--no-store').stdout)
    assert j['unit'] == 'GtCO2/yr' and len(j['years']) == 1
    y = j['years'][0]
    assert abs(y['ocean_sink'] - 2.628 * 44 / 12) < 1e-9 and abs(y['fossil'] - 9.982 * 44 / 12) < 1e-9
    lo, hi = y['ocean_sink_models']
    assert lo <= y['ocean_sink'] <= hi
    out = list(csv.DictReader(io.StringIO(run('natural', 'sinks', '--data', GCB, '--from', '2000', '--to', '2009',
                                              '--format', 'csv', '--no-store').stdout)))
    assert [int(r['year']) for r in out] == list(range(2000, 2010))
    table = run('natural', 'sinks', '--data', GCB, '--from', '2015', '--no-store').stdout
    assert 'Friedlingstein' in table and 'max |residual|' in table


@test
def sinks_are_stored_as_natural_fluxes(tmp):
    run('natural', 'sinks', '--data', GCB, '--year', '2018', '--format', 'csv', tmp=tmp)
    con = sqlite3.connect(os.path.join(tmp, 'p.db'))
    rows = con.execute("SELECT note, value, origin, management, unit FROM natural_fluxes WHERE module='sinks'").fetchall()
    assert len(rows) == 3, rows
    ocean = [r for r in rows if r[0].startswith('ocean')][0]
    assert abs(ocean[1] + 2.628 * 44 / 12 * 1e9) < 1, ocean  # a sink: negative, t CO2
    assert ocean[3] == 'unmanaged'


@test
def sinks_errors(tmp):
    e = run('natural', 'sinks', '--data', tmp, expect=3).stderr
    assert 'global-carbon-budget.csv' in e, e
    e = run('natural', 'sinks', '--data', GCB, '--year', '1900', '--no-store', expect=3).stderr
    assert '1959' in e and '2018' in e, e
    e = run('natural', 'sinks', '--data', GCB, '--from', '2010', '--to', '2000', '--no-store', expect=2).stderr
    assert '--from' in e, e
    bad = os.path.join(tmp, 'bad')
    os.makedirs(bad)
    with open(os.path.join(bad, 'global-carbon-budget.csv'), 'w') as f:
        f.write('Year,Fossil-Fuel-And-Industry,Land-Use-Change-Emissions,Atmospheric-Growth,Ocean-Sink,Land-Sink,'
                'Budget-Imbalance\n1959,2.4,1.8,2.0,0.7,oops,0.8\n')
    e = run('natural', 'sinks', '--data', bad, '--no-store', expect=2).stderr
    assert 'global-carbon-budget.csv' in e and 'line 2' in e and 'Land-Sink' in e, e


def workbook_cells():
    """The workbook read independently: {ref: text}."""
    ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
    z = zipfile.ZipFile(GMB)
    ss = [''.join(t.text or '' for t in si.iter('{%s}t' % ns['m']))
          for si in ET.fromstring(z.read('xl/sharedStrings.xml'))]
    cells = {}
    for c in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}c' % ns['m']):
        v = c.find('m:v', ns)
        if v is None:
            continue
        cells[c.get('r')] = ss[int(v.text)] if c.get('t') == 's' else v.text
    return cells


@test
def methane_matches_the_workbook(tmp):
    cells = workbook_cells()
    out = list(csv.DictReader(io.StringIO(run('natural', 'methane', '--data', GMB, '--format', 'csv', tmp=tmp).stdout)))
    assert out, 'no rows'
    for r in out:
        text = cells[r['cell']].replace('\u2212', '-')
        mean = float(text.split('[')[0].rstrip('abcdefghijk '))
        assert abs(mean - float(r['mean_tg'])) < 1e-9, (r, text)
        if '[' in text:
            lo, hi = text.split('[')[1].split(']')[0].split('\u2013')
            assert float(lo) == float(r['min_tg']) and float(hi) == float(r['max_tg']), (r, text)
    by = {(r['source'], r['approach']): r for r in out}
    assert by[('Wetlands', 'bottom-up')]['mean_tg'] == '149' and by[('Wetlands', 'top-down')]['mean_tg'] == '181'
    assert by[('Total natural sources', 'bottom-up')]['max_tg'] == '488'
    assert by[('Termites', 'bottom-up')]['period'] == '2000-2009'  # the breakdown is carried over, marked
    con = sqlite3.connect(os.path.join(tmp, 'p.db'))
    n = con.execute("SELECT count(*) FROM natural_fluxes WHERE module='methane' AND species='CH4'").fetchone()[0]
    assert n == len(out), (n, len(out))


@test
def methane_regional_scaling(tmp):
    sf = os.path.join(tmp, 'regions.csv')
    with open(sf, 'w') as f:
        f.write('region,source,flux\nBOREAL,Wetlands,20\nTROPICS,Wetlands,60\nTROPICS,Termites,5\n')
    out = list(csv.DictReader(io.StringIO(run('natural', 'methane', '--data', GMB, '--approach', 'bottom-up',
                                              '--period', '2000-2009', '--scale-file', sf, '--no-store',
                                              '--format', 'csv').stdout)))
    assert len(out) == 3
    bor, trop, term = out
    # Wetlands bottom-up 2000-2009: 147 [102-179] (cell D5); termites 9 [3-15] (D11), all in TROPICS
    assert abs(float(bor['share']) - 0.25) < 1e-12 and abs(float(bor['mean_tg']) - 0.25 * 147) < 1e-9, bor
    assert abs(float(trop['max_tg']) - 0.75 * 179) < 1e-9 and bor['cell'] == 'D5', trop
    assert float(term['share']) == 1 and float(term['mean_tg']) == 9 and abs(float(bor['budget_over_user_total']) - 147 / 80) < 1e-12
    table = run('natural', 'methane', '--data', GMB, '--approach', 'bottom-up', '--period', '2000-2009',
                '--scale-file', sf, '--no-store').stdout
    assert 'mean_Tg/yr' in table.splitlines()[1] and 'TROPICS' in table, table
    # termites have no top-down estimate in the table
    e = run('natural', 'methane', '--data', GMB, '--approach', 'top-down', '--scale-file', sf, '--no-store',
            expect=3).stderr
    assert 'Termites' in e and 'regions.csv' in e, e
    with open(sf, 'w') as f:
        f.write('region,source,flux\nX,Rice cultivation,3\n')
    e = run('natural', 'methane', '--data', GMB, '--scale-file', sf, '--no-store', expect=3).stderr
    assert 'Rice cultivation' in e and 'line 2' in e, e


@test
def methane_errors(tmp):
    notzip = os.path.join(tmp, 'x.xlsx')
    with open(notzip, 'w') as f:
        f.write('a,b\n')
    e = run('natural', 'methane', '--data', notzip, '--no-store', expect=2).stderr
    assert 'x.xlsx' in e and 'zip' in e, e
    e = run('natural', 'methane', '--data', os.path.join(tmp, 'none.xlsx'), '--no-store', expect=6).stderr
    assert 'none.xlsx' in e, e


@test
def data_is_required_and_the_error_says_what_to_get(tmp):
    # No default path in the specs (a server reads only what it is given): the error names the files and where
    # they are published.
    e = run('natural', 'sinks', '--no-store', expect=2).stderr
    assert '--data' in e and 'global-carbon-budget.csv' in e and 'terrestrial-sink.csv' in e, e
    assert 'globalcarbonproject.org' in e, e
    e = run('natural', 'methane', '--no-store', expect=2).stderr
    assert '--data' in e and 'Table 3' in e and '.xlsx' in e and 'essd-12-1561-2020' in e, e
    schema = json.loads(run('schema', '--format', 'json').stdout)
    text = json.dumps(schema)
    assert '../shared' not in text and 'shared/data' not in text, 'a default path in the specs'


@test
def tables_name_units(tmp):
    table = run('natural', 'sinks', '--data', GCB, '--year', '2018', '--no-store').stdout.splitlines()
    assert 'GtC/yr' in table[0] and 'GtC/yr' in table[1], table[:2]
    table = run('natural', 'afolu', os.path.join(ROOT, 'examples', 'forest.csv'), '--no-store').stdout.splitlines()
    assert all(u in table[1] for u in ('gains_tC/yr', 'emission_t/yr', 'range_t/yr')), table[1]
    # one format per column: fixed decimals, no exponent
    assert not any('e+' in l or 'e-0' in l for l in table[2:8]), table


@test
def afolu_errors_name_file_line_and_field(tmp):
    f = os.path.join(tmp, 'f.csv')
    with open(f, 'w') as fh:
        fh.write('id,area_ha,growth\nplot1,100,3\n')
    e = run('natural', 'afolu', f, '--no-store', expect=2).stderr
    assert 'f.csv' in e and 'line 2' in e and 'plot1' in e and 'needs r' in e, e
    with open(f, 'w') as fh:
        fh.write('id,area_ha,growth,r\nplot1,abc,3,0.2\n')
    e = run('natural', 'afolu', f, '--no-store', expect=2).stderr
    assert 'f.csv:line 2' in e and 'area_ha' in e, e


if __name__ == '__main__':
    BIN = parse_bin()
    if not os.path.exists(GCB) or not os.path.exists(GMB):
        print('skipped: no ../shared/data/natural')
        sys.exit(77)
    run_all('panocarbon-natural-')
