#!/usr/bin/env python3
"""End-to-end test of `avoided` (docs/avoided.md): the CSV contract, the renderings agreeing with each other, the
rows stored in the database's avoided_emissions table keyed by run, --no-store, and the rule that avoided
emissions are a ledger apart: `account` and the panoramic ledger are the same before and after an `avoided`
run (WBCSD 2023: never netted against an inventory)."""
import csv, io, json, os, sqlite3, subprocess

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join('examples', 'avoided', 'china_wind_pv_exports_2024.csv')
HEADER = ('product,destination,annual_generation_mwh,annual_avoided_t,lifetime_avoided_t,manufacturing_t,'
          'net_lifetime_avoided_t,payback_years')
BIN = None


def run(*args, expect=0, db):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def account(db, *args):
    rows = json.loads(run('account', *args, '--format', 'json', db=db).stdout)['rows']
    for r in rows:
        r.pop('run_id', None)  # the run that built the source: a rebuild gives a new one
    return rows


@test
def the_worked_example_of_the_docs_is_what_the_command_prints(tmp):
    # docs/avoided.md shows the table of `panocarbon avoided` on the example: its total line (and every row) must be
    # what the command prints today.
    out = run('avoided', EXAMPLE, '--no-store', db=os.path.join(tmp, 'd.db')).stdout.splitlines()
    with open(os.path.join(ROOT, 'docs', 'avoided.md'), encoding='utf-8') as f:
        doc = f.read()
    shown = [l for l in out if l.startswith(('pv_module', 'wind_turbine', 'total '))]
    assert len(shown) >= 3, out
    for line in shown:
        assert line in doc, f'docs/avoided.md lacks the line the command prints: {line!r}'


@test
def csv_header_rows_and_total_agree_with_the_json(tmp):
    db = os.path.join(tmp, 'a.db')
    out = run('avoided', EXAMPLE, '--format', 'csv', '--no-store', db=db).stdout
    lines = out.splitlines()
    assert lines[0] == HEADER, lines[0]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[-1]['product'] == 'total' and rows[-1]['destination'] == '', rows[-1]
    body = rows[:-1]
    assert len(body) == 14, len(body)
    j = json.loads(run('avoided', EXAMPLE, '--format', 'json', '--no-store', db=db).stdout)
    assert j['stored'] is False
    for r, jr in zip(body, j['rows']):
        for k in HEADER.split(',')[2:]:
            assert close(float(r[k]), jr[k]), (k, r, jr)
        i = jr['inputs']
        gen = i['capacity_mw'] * i['capacity_factor'] * 8760
        assert close(jr['annual_generation_mwh'], gen), jr
        assert close(jr['annual_avoided_t'], gen * i['grid_factor_t_per_mwh']), jr
        keep = 1 - i['degradation_pct_per_year'] / 100
        assert close(jr['lifetime_avoided_t'], jr['annual_avoided_t'] * sum(keep ** k for k in range(i['lifetime_years'])), 1e-10)
        assert close(jr['manufacturing_t'], i['capacity_mw'] * i['manufacturing_t_per_mw']), jr
        assert close(jr['net_lifetime_avoided_t'], jr['lifetime_avoided_t'] - jr['manufacturing_t']), jr
        assert close(jr['payback_years'], jr['manufacturing_t'] / jr['annual_avoided_t']), jr
        assert i['source'], jr  # every example row cites its inputs
    for k in HEADER.split(',')[2:-1]:
        assert close(float(rows[-1][k]), sum(float(r[k]) for r in body), 1e-10), k
    t = j['total']
    assert close(t['payback_years'], t['manufacturing_t'] / t['annual_avoided_t'])
    # --no-store: no database written at all
    assert not os.path.exists(db), 'the --no-store runs created the database'


@test
def rows_are_stored_by_run_and_never_reach_account_or_the_ledger(tmp):
    db = os.path.join(tmp, 'a.db')
    run('ledger', 'build', '--default', db=db)
    before_chn = account(db, '--country', 'CHN')
    before_all = account(db, '--all', '--year', '2017')
    assert before_chn and before_all
    j = json.loads(run('avoided', EXAMPLE, '--format', 'json', db=db).stdout)
    assert j['stored'] is True
    con = sqlite3.connect(db)
    run_id, command, status = con.execute("SELECT id, command, status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    assert command == 'avoided' and status == 'ok', (command, status)
    stored = con.execute('SELECT product, destination, annual_avoided_t, lifetime_avoided_t, manufacturing_t, payback_years '
                         'FROM avoided_emissions WHERE run_id = ? ORDER BY position', (run_id,)).fetchall()
    assert len(stored) == len(j['rows']) == 14, len(stored)
    for s, r in zip(stored, j['rows']):
        assert s[0] == r['product'] and s[1] == r['destination']
        assert close(s[2], r['annual_avoided_t']) and close(s[3], r['lifetime_avoided_t'])
        assert close(s[4], r['manufacturing_t']) and close(s[5], r['payback_years'])
    # a second run appends its own rows under its own run id
    run('avoided', EXAMPLE, '--format', 'csv', db=db)
    per_run = con.execute('SELECT run_id, count(*) FROM avoided_emissions GROUP BY run_id ORDER BY run_id').fetchall()
    assert [n for _, n in per_run] == [14, 14] and per_run[0][0] == run_id, per_run
    # nothing of it in the results table (which the ledger reads for inventory runs) or in the ledger's tables
    assert con.execute('SELECT count(*) FROM results WHERE run_id IN (SELECT run_id FROM avoided_emissions)').fetchone()[0] == 0
    con.close()
    assert account(db, '--country', 'CHN') == before_chn
    assert account(db, '--all', '--year', '2017') == before_all
    # rebuilding the ledger from the database's own runs does not pick the avoided rows up either
    run('ledger', 'build', '--default', db=db)
    assert account(db, '--country', 'CHN') == before_chn
    assert account(db, '--all', '--year', '2017') == before_all


@test
def a_bad_file_is_refused_with_its_place_and_nothing_is_stored(tmp):
    db = os.path.join(tmp, 'a.db')
    bad = os.path.join(tmp, 'bad.csv')
    with open(bad, 'w') as f:
        f.write('product,destination,capacity_mw,capacity_factor,lifetime_years,grid_factor_t_per_mwh,'
                'manufacturing_t_per_mw\npv,India,10,0.2,0,0.7,800\n')
    p = run('avoided', bad, db=db, expect=2)
    assert 'bad.csv:line 2, column 5, field \'lifetime_years\'' in p.stderr, p.stderr
    con = sqlite3.connect(db)
    assert con.execute('SELECT count(*) FROM avoided_emissions').fetchone()[0] == 0
    assert con.execute("SELECT status FROM runs WHERE command = 'avoided'").fetchone()[0] == 'failed'


if __name__ == '__main__':
    BIN = parse_bin()
    run_all('pc-avoided-')
