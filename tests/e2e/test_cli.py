#!/usr/bin/env python3
"""End-to-end tests of the panocarbon CLI against real database files: default paths, the run log and
its hashes, search, failures that must not corrupt the database. Prints 'N passed, M failed'."""
import re, csv, hashlib, io, json, os, sqlite3, subprocess
# the schema version this build knows (include/panocarbon/store.hpp)
SCHEMA = int(re.search(r'kSchemaVersion = (\d+)', open(os.path.join(os.path.dirname(__file__), '..', '..', 'include',
                                                                     'panocarbon', 'store.hpp')).read()).group(1))

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = None


def run(*args, env=None, expect=0):
    e = dict(os.environ)
    e.pop('PANOCARBON_DB', None)
    e.update(env or {})
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=e, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


@test
def db_init_creates_folders_and_loads_the_library(tmp):
    db = os.path.join(tmp, 'a', 'b', 'x.db')
    out = run('db', 'init', '--db', db).stdout
    assert f'schema version {SCHEMA}' in out, out
    info = json.loads(run('db', 'info', '--db', db, '--format', 'json').stdout)
    assert info['schema_version'] == SCHEMA
    assert info['counts']['emission_factors'] >= 600, info['counts']
    assert info['counts']['fuels'] >= 50 and info['counts']['categories'] == 290
    assert {d['name'] for d in info['datasets']} == {'ipcc-defaults', 'gwp-ipcc', 'ipcc2006-categories'}
    con = sqlite3.connect(db)
    assert con.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'


@test
def default_path_follows_env(tmp):
    run('db', 'init', env={'PANOCARBON_DB': os.path.join(tmp, 'env.db')})
    assert os.path.exists(os.path.join(tmp, 'env.db'))
    run('db', 'init', env={'XDG_DATA_HOME': os.path.join(tmp, 'xdg')})
    assert os.path.exists(os.path.join(tmp, 'xdg', 'panocarbon', 'panocarbon.db'))


@test
def run_log_records_inputs_params_and_results(tmp):
    db = os.path.join(tmp, 'r.db')
    src = os.path.join(ROOT, 'examples', 'inventory.csv')
    out = run('inventory', 'calc', src, '--db', db, '--gwp', 'AR6', '--format', 'csv', '--by', 'category').stdout
    total = float([r for r in csv.reader(io.StringIO(out)) if r[0] == 'total'][0][1])
    con = sqlite3.connect(db)
    cmd, inputs, params, status, version = con.execute(
        'SELECT command, inputs, params, status, version FROM runs ORDER BY id DESC LIMIT 1').fetchone()
    assert cmd == 'inventory calc' and status == 'ok', (cmd, status)
    inputs = json.loads(inputs)
    assert inputs[0]['sha256'] == hashlib.sha256(open(src, 'rb').read()).hexdigest()
    assert json.loads(params)['gwp'] == 'AR6'
    stored = con.execute("SELECT value FROM results WHERE key='total' AND gas='CO2e'").fetchone()[0]
    assert abs(stored - total) <= 1e-9 * total, (stored, total)
    # the by-gas results stored with the run add up to the total (CO2_bio is a memo item)
    gases = dict(con.execute("SELECT gas, value FROM results WHERE key='gas'").fetchall())
    assert 'CO2_bio' in gases and gases['CO2'] > 0


@test
def failed_run_is_logged_and_changes_nothing_else(tmp):
    db = os.path.join(tmp, 'f.db')
    run('db', 'init', '--db', db)
    before = sqlite3.connect(db).execute('SELECT count(*) FROM emission_factors').fetchone()[0]
    bad = os.path.join(tmp, 'bad.csv')
    open(bad, 'w').write('category,activity,amount,unit\n1.A.1,Natural Gas,1,TJ\n1.A.9,Natural Gas,1,TJ\n')
    p = run('inventory', 'calc', bad, '--db', db, expect=3)
    assert "line 3, column 1, field 'category'" in p.stderr, p.stderr
    assert p.stdout == '', 'no partial output on error'
    con = sqlite3.connect(db)
    assert con.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0] == 'failed'
    assert con.execute('SELECT count(*) FROM results').fetchone()[0] == 0
    assert con.execute('SELECT count(*) FROM emission_factors').fetchone()[0] == before


@test
def not_a_database_is_a_clear_error(tmp):
    path = os.path.join(tmp, 'notes.txt')
    open(path, 'w').write('these are my notes, not a database\n' * 100)
    p = run('db', 'info', '--db', path, expect=7)
    assert 'notes.txt' in p.stderr and 'database error' in p.stderr, p.stderr
    assert open(path).read().startswith('these are my notes'), 'file left as it was'


@test
def newer_schema_is_refused(tmp):
    db = os.path.join(tmp, 'n.db')
    run('db', 'init', '--db', db)
    con = sqlite3.connect(db)
    con.execute('PRAGMA user_version = 99')
    con.commit()
    con.close()
    p = run('db', 'info', '--db', db, expect=7)
    assert f'schema version 99 but this panocarbon knows up to {SCHEMA}' in p.stderr, p.stderr


@test
def full_text_search(tmp):
    db = os.path.join(tmp, 's.db')
    hits = json.loads(run('factors', 'search', 'diesel trucks', '--db', db, '--format', 'json').stdout)
    ids = [h['id'] for h in hits]
    assert any(i.startswith('ipcc2006.v2c3.t3_2_') and 'gas_diesel_oil' in i for i in ids[:5]), ids
    hits = json.loads(run('factors', 'search', 'cement', '--db', db, '--format', 'json').stdout)
    assert any(h['id'] == '2.A.1' for h in hits), hits
    p = run('factors', 'search', '!!!', '--db', db, expect=2)
    assert 'the search query has no words' in p.stderr


@test
def factors_show_and_list(tmp):
    db = os.path.join(tmp, 'l.db')
    out = run('factors', 'show', 'ipcc2006.v2c1.t1_4.natural_gas.co2', '--db', db).stdout
    assert '56100 kg/TJ' in out and 'Table 1.4' in out, out
    fuel = json.loads(run('factors', 'show', 'diesel', '--db', db, '--format', 'json').stdout)
    assert fuel['fuel'] == 'Gas/Diesel Oil' and fuel['ncv_tj_per_gg'] == 43.0
    rows = list(csv.DictReader(io.StringIO(run('factors', 'list', '--activity', 'natural gas', '--gas', 'CH4',
                                                '--category', '1.A.4.b', '--format', 'csv', '--db', db).stdout)))
    assert rows and all(r['gas'] == 'CH4' for r in rows), rows
    p = run('factors', 'show', 'no.such.factor', '--db', db, expect=3)
    assert "no factor or fuel 'no.such.factor'" in p.stderr
    p = run('factors', 'list', '--activity', 'unobtainium', '--db', db, expect=3)
    assert "unknown activity 'unobtainium'" in p.stderr


@test
def demo_and_schema_and_version(tmp):
    db = os.path.join(tmp, 'd.db')
    out = run('demo', '--db', db, '--format', 'csv').stdout
    lines = list(csv.reader(io.StringIO(out.split('\n', 2)[2])))
    assert lines[-1][0] == 'total' and float(lines[-1][1]) > 0
    schema = json.loads(run('schema').stdout)
    names = {s['title'] for s in schema}
    assert {'inventory calc', 'inventory reference', 'factors search', 'db init', 'demo'} <= names, names
    assert run('--version').stdout.startswith('panocarbon ')
    assert 'inventory' in run('--help').stdout


@test
def standard_input_csv_and_json(tmp):
    db = os.path.join(tmp, 'i.db')
    e = dict(os.environ, PANOCARBON_DB=db)
    csv_in = 'category,activity,amount,unit\n2.A.1,clinker,10,t\n'
    p = subprocess.run([BIN, 'inventory', 'calc', '-', '--format', 'csv', '--by', 'category'], input=csv_in,
                       capture_output=True, text=True, env=e)
    assert p.returncode == 0 and 'total,5.2' in p.stdout, p.stdout + p.stderr
    json_in = '[{"category": "2.A.1", "activity": "clinker", "amount": 10, "unit": "t"}]'
    p = subprocess.run([BIN, 'inventory', 'calc', '-', '--format', 'csv', '--by', 'category'], input=json_in,
                       capture_output=True, text=True, env=e)
    assert p.returncode == 0 and 'total,5.2' in p.stdout, p.stdout + p.stderr
    inputs = json.loads(sqlite3.connect(db).execute('SELECT inputs FROM runs ORDER BY id DESC').fetchone()[0])
    assert inputs[0]['path'] == 'stdin' and inputs[0]['sha256'] == hashlib.sha256(json_in.encode()).hexdigest()


@test
def example_reference_approach(tmp):
    out = run('inventory', 'reference', 'examples/fuel_supply.csv', '--compare', 'examples/inventory.csv',
              '--format', 'json', '--db', os.path.join(tmp, 'ra.db')).stdout
    j = json.loads(out)
    assert j['reference_co2_t'] > 0 and j['sectoral_co2_t'] > 0
    # the identity of Eq 6.1 for every fuel: CO2 = (carbon - excluded carbon) x 44/12
    for f in j['fuels']:
        assert abs(f['co2_t'] - (f['carbon_t'] - f['excluded_carbon_t']) * 44 / 12) <= 1e-9 * max(1, abs(f['co2_t']))
    assert abs(j['reference_co2_t'] - sum(f['co2_t'] for f in j['fuels'] if not f['memo'])) <= 1e-9 * j['reference_co2_t']
    assert abs(j['difference_pct'] - (j['reference_co2_t'] - j['sectoral_co2_t']) / j['sectoral_co2_t'] * 100) < 1e-9


@test
def json_rows_are_streamed_valid_json_equal_to_csv(tmp):
    db = os.path.join(tmp, 'j.db')
    src = os.path.join(tmp, 'inv.csv')
    with open(src, 'w') as f:
        f.write(open(os.path.join(ROOT, 'examples', 'inventory.csv')).read())
        f.write('2.F.1.a,"R-134a ""blend"" \\ C:\\path",100,kg,,HFC-134a,1,t/t,survey,,XL,2022,quote and backslash\n')
    j = json.loads(run('inventory', 'calc', src, '--format', 'json', '--by', 'row', '--db', db).stdout)
    rows = list(csv.DictReader(io.StringIO(run('inventory', 'calc', src, '--format', 'csv', '--by', 'row',
                                                '--db', db).stdout)))
    assert len(j['rows']) == len(rows) > 0
    for a, b in zip(j['rows'], rows):
        assert a['category'] == b['category'] and a['activity'] == b['activity'] and a['gas'] == b['gas']
        assert a['emissions_t'] == float(b['emissions_t']) and a['co2e_t'] == float(b['co2e_t'])
        assert a['factor_id'] == b['factor_id']
    assert j['rows'][-1]['activity'] == 'R-134a "blend" \\ C:\\path', j['rows'][-1]
    assert abs(sum(r['co2e_t'] for r in j['rows'] if r['memo'] == '') - j['total_co2e_t']) <= 1e-9 * j['total_co2e_t']


@test
def gwp_list(tmp):
    out = run('gwp', 'list', '--set', 'AR6', '--format', 'csv', '--db', os.path.join(tmp, 'g.db')).stdout
    rows = {r['gas']: float(r['gwp100']) for r in csv.DictReader(io.StringIO(out))}
    assert rows['CH4_fossil'] == 29.8 and rows['SF6'] == 25200 and rows['NF3'] == 17400


def main():
    global BIN
    BIN = parse_bin()
    run_all('pc-e2e-')


if __name__ == '__main__':
    main()
