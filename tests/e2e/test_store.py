#!/usr/bin/env python3
"""End-to-end tests of the database under stress: many processes on a fresh path (migrations serialised),
a database left between schema versions, runs whose process is gone (kill -9) and `db repair`, refused
paths and the messages of database errors (path named, what to do). Prints 'N passed, M failed'."""
import json, os, re, signal, sqlite3, stat, subprocess, time

from harness import parse_bin, run_all, test

SCHEMA = int(re.search(r'kSchemaVersion = (\d+)', open(os.path.join(os.path.dirname(__file__), '..', '..', 'include',
                                                                     'panocarbon', 'store.hpp')).read()).group(1))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = None
INV = os.path.join(ROOT, 'examples', 'inventory.csv')


def env():
    e = dict(os.environ)
    e.pop('PANOCARBON_DB', None)
    return e


def run(*args, expect=0, prefix=()):
    p = subprocess.run([*prefix, BIN, *args], capture_output=True, text=True, env=env(), cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def storm(db, n, args):
    """Starts n processes at once on db and returns their (exit code, stderr)."""
    ps = [subprocess.Popen([BIN, *args, '--db', db, '--format', 'json'], cwd=ROOT, env=env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    return [(p.wait(), p.stderr.read()) for p in ps]


def check_db(db, runs):
    con = sqlite3.connect(db)
    try:
        assert con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
        assert con.execute('PRAGMA user_version').fetchone()[0] == SCHEMA
        statuses = con.execute('SELECT status, count(*) FROM runs GROUP BY status').fetchall()
        assert statuses == [('ok', runs)], statuses
        assert con.execute('SELECT count(*) FROM datasets').fetchone()[0] == 3
    finally:
        con.close()


@test
def many_processes_on_a_fresh_path(tmp):
    # The review's case: 16 and 32 `inventory calc` at once on a database that does not exist yet. Before the
    # migrations were serialised a quarter to a half failed with "table ... already exists", and some batches
    # left the database at schema 3 with every table present.
    for batch, n in enumerate([16, 32, 16, 32]):
        db = os.path.join(tmp, f'fresh{batch}', 'new.db')
        codes = storm(db, n, ['inventory', 'calc', INV])
        failed = [(c, e) for c, e in codes if c != 0]
        assert not failed, f'batch {batch}: {len(failed)} of {n} failed: {failed[:3]}'
        check_db(db, n)
        run('db', 'init', '--db', db)


@test
def many_init_and_info_on_a_fresh_path(tmp):
    # `db init` and `demo` mixed: every process migrates or waits; the datasets are loaded once.
    db = os.path.join(tmp, 'mixed.db')
    ps = [subprocess.Popen([BIN, *(['db', 'init'] if i % 2 else ['demo']), '--db', db], cwd=ROOT, env=env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for i in range(16)]
    codes = [(p.wait(), p.stderr.read()) for p in ps]
    assert all(c == 0 for c, _ in codes), [x for x in codes if x[0]][:3]
    check_db(db, 8)


@test
def database_left_between_versions_is_repaired(tmp):
    # What the race left behind: every table present but user_version 3. Opening brings it to the current
    # schema (the missing steps are replayed idempotently) instead of failing with "table ... already exists".
    db = os.path.join(tmp, 'between.db')
    run('db', 'init', '--db', db)
    con = sqlite3.connect(db)
    con.execute('PRAGMA user_version = 3')
    con.commit()
    con.close()
    out = run('db', 'init', '--db', db).stdout
    assert f'schema version {SCHEMA}' in out, out
    run('inventory', 'calc', INV, '--db', db)
    con = sqlite3.connect(db)
    assert con.execute('PRAGMA user_version').fetchone()[0] == SCHEMA
    assert con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    # a table (or the view natural_fluxes of schema 10) dropped behind the program's back (version says current)
    # is also recreated
    for drop in ['DROP TABLE natural_flux_values', 'DROP VIEW natural_fluxes']:
        con.execute(drop)
        con.commit()
        con.close()
        run('db', 'info', '--db', db)
        con = sqlite3.connect(db)
        for name, kind in [('natural_fluxes', 'view'), ('natural_flux_values', 'table'), ('natural_methods', 'table'),
                           ('natural_fluxes_query', 'index')]:
            assert con.execute('SELECT count(*) FROM sqlite_master WHERE name = ? AND type = ?',
                               (name, kind)).fetchone()[0] == 1, (drop, name)
        assert con.execute('SELECT count(*) FROM natural_fluxes').fetchone()[0] == 0
    con.close()


@test
def killed_run_is_abandoned_then_repaired(tmp):
    db = os.path.join(tmp, 'kill.db')
    run('db', 'init', '--db', db)
    # a long Monte Carlo: killed with SIGKILL while it computes, after its run was logged
    p = subprocess.Popen([BIN, 'inventory', 'uncertainty', INV, '--draws', '20000000', '--seed', '1', '--threads', '1',
                          '--db', db], cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    deadline = time.time() + 30
    while time.time() < deadline:
        if con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]:
            break
        time.sleep(0.05)
    row = con.execute("SELECT id, pid, host FROM runs WHERE status = 'running'").fetchone()
    assert row and row[1] == p.pid and row[2], row
    # while the process lives, it is running (neither abandoned nor repaired)
    info = json.loads(run('db', 'info', '--db', db, '--format', 'json').stdout)
    assert info['recent_runs'][0]['status'] == 'running', info['recent_runs'][0]
    assert info['abandoned_runs'] == 0
    p.send_signal(signal.SIGKILL)
    p.wait()
    info = json.loads(run('db', 'info', '--db', db, '--format', 'json').stdout)
    assert info['recent_runs'][0]['status'] == 'abandoned', info['recent_runs'][0]
    assert info['abandoned_runs'] == 1
    table = run('db', 'info', '--db', db).stdout
    assert 'abandoned' in table and 'panocarbon db repair' in table, table
    rep = json.loads(run('db', 'repair', '--db', db, '--format', 'json').stdout)
    assert rep['integrity_check'] == 'ok' and rep['runs_marked_failed'] == [row[0]], rep
    status, summary = con.execute('SELECT status, summary FROM runs WHERE id = ?', (row[0],)).fetchone()
    assert status == 'failed', status
    assert f'pid {p.pid}' in json.loads(summary)['error'], summary
    con.close()
    # a second repair finds nothing to do
    rep = json.loads(run('db', 'repair', '--db', db, '--format', 'json').stdout)
    assert rep['runs_marked_failed'] == [], rep


@test
def run_of_an_older_program_without_a_process_is_repaired(tmp):
    # Runs left `running` by an older panocarbon (no pid recorded) count as abandoned.
    db = os.path.join(tmp, 'old.db')
    run('inventory', 'calc', INV, '--db', db)
    con = sqlite3.connect(db)
    con.execute("UPDATE runs SET status = 'running', pid = NULL, host = NULL, finished_at = NULL")
    con.commit()
    info = json.loads(run('db', 'info', '--db', db, '--format', 'json').stdout)
    assert info['abandoned_runs'] == 1, info
    rep = json.loads(run('db', 'repair', '--db', db, '--format', 'json').stdout)
    assert rep['runs_marked_failed'] == [1], rep
    assert con.execute('SELECT status FROM runs').fetchone()[0] == 'failed'
    con.close()


@test
def empty_db_path_is_refused(tmp):
    for args in (['inventory', 'calc', INV, '--db', ''], ['db', 'init', '--db='], ['db', 'info', '--db', '']):
        p = run(*args, expect=2)
        # `--db=` is refused by the option parser itself (a missing value), the others by the front end
        assert p.stdout == '' and ('--db is empty' in p.stderr or '--db: 1 required PATH missing' in p.stderr), p.stderr


@test
def non_finite_result_is_refused_before_sqlite(tmp):
    # A value that overflows to infinity must not reach the results table (NOT NULL/inf); the run is failed
    # with a message naming the table, the field and the run, and nothing of it is stored.
    db = os.path.join(tmp, 'inf.db')
    csv = os.path.join(tmp, 'huge.csv')
    with open(csv, 'w') as f:
        f.write('category,activity,amount,unit\n1.A.1.a.i,Natural Gas,1e308,TJ\n')
    p = subprocess.run([BIN, 'inventory', 'calc', csv, '--db', db], capture_output=True, text=True, cwd=ROOT, env=env())
    if p.returncode == 2 and csv in p.stderr:
        return  # the reader refuses the amount first (a producer's own check): the store is not reached
    assert p.returncode == 5, (p.returncode, p.stderr)
    assert 'results.value of run 1' in p.stderr and 'not a finite number' in p.stderr, p.stderr
    con = sqlite3.connect(db)
    status, summary = con.execute('SELECT status, summary FROM runs').fetchone()
    assert status == 'failed', (status, p.stderr)
    assert con.execute('SELECT count(*) FROM results').fetchone()[0] == 0
    con.close()
    assert 'NOT NULL' not in p.stderr, p.stderr


@test
def database_error_names_the_path(tmp):
    # A file that is not a database: the path and what to do.
    bad = os.path.join(tmp, 'notadb.db')
    with open(bad, 'w') as f:
        f.write('hello, this is text\n' * 100)
    p = run('db', 'info', '--db', bad, expect=7)
    assert bad in p.stderr and '--db' in p.stderr, p.stderr


def as_other_user():
    """A prefix that runs a command as an unprivileged user (root ignores file permissions), or None."""
    if os.geteuid() != 0:
        return ()
    for tool in ('/usr/bin/setpriv', '/bin/setpriv'):
        if os.path.exists(tool):
            return (tool, '--reuid=65534', '--regid=65534', '--clear-groups')
    return None


@test
def read_only_folder_reads_and_says_why_it_cannot_write(tmp):
    prefix = as_other_user()
    if prefix is None:
        print('  (skipped: no way to drop root privileges)')
        return
    folder = os.path.join(tmp, 'ro')
    os.makedirs(folder)
    db = os.path.join(folder, 'x.db')
    run('inventory', 'calc', INV, '--db', db)
    os.chmod(tmp, 0o755)
    os.chmod(folder, 0o555)
    os.chmod(db, 0o444)
    try:
        # reading works: db info, factors search, the stored run
        info = json.loads(run('db', 'info', '--db', db, '--format', 'json', prefix=prefix).stdout)
        assert info['counts']['runs'] == 1 and info['schema_version'] == SCHEMA, info
        assert 'Natural Gas' in run('factors', 'search', 'natural gas', '--db', db, prefix=prefix).stdout
        # writing says the folder (or file) is read-only, names the database and what to do
        p = run('inventory', 'calc', INV, '--db', db, expect=7, prefix=prefix)
        assert db in p.stderr and 'read-only' in p.stderr and '--db' in p.stderr, p.stderr
        assert 'not a panocarbon' not in p.stderr, p.stderr
    finally:
        os.chmod(folder, 0o755)
        os.chmod(db, 0o644)
    con = sqlite3.connect(db)
    assert con.execute('SELECT count(*) FROM runs').fetchone()[0] == 1
    assert con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    con.close()


@test
def database_error_stops_the_command_whatever_its_input(tmp):
    """The CLI opens the database on a second thread while the command reads its input: a file that is not a
    database still stops the command with the database's error (exit 7), before or after an input error, and
    a good input computed meanwhile is not printed."""
    db = os.path.join(tmp, 'notdb.db')
    with open(db, 'w') as f:
        f.write('this is not an SQLite database\n' * 200)
    bad = os.path.join(tmp, 'bad.csv')
    with open(bad, 'w') as f:
        f.write('x,y\n1,2\n')
    for inp in (INV, bad, os.path.join(tmp, 'missing.csv')):
        p = run('inventory', 'calc', inp, '--db', db, expect=7)
        assert db in p.stderr and 'not a database' in p.stderr and '--db' in p.stderr, p.stderr
        assert p.stdout == '', p.stdout
    with open(db, 'rb') as f:
        assert f.read(16) != b'SQLite format 3\x00'  # left as it was


def main():
    global BIN
    BIN = parse_bin()
    run_all('pc-e2e-store-')


if __name__ == '__main__':
    main()
