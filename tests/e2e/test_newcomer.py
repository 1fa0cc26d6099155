#!/usr/bin/env python3
"""The CLI a newcomer meets (issue 11): each item that a new user ran into, as a test through the real CLI.
Prints 'N passed, M failed'."""
import csv, io, json, os, re, shlex, shutil, sqlite3, subprocess, zipfile

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = None


def run(*args, expect=0, db=None, stdin=None):
    e = dict(os.environ)
    e.pop('PANOCARBON_DB', None)
    if db:
        e['PANOCARBON_DB'] = db
    p = subprocess.run([BIN, *args], capture_output=True, env=e, cwd=ROOT, input=stdin)
    out, err = p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {out[-1500:]}\nstderr: {err}'
    p.out, p.err, p.raw = out, err, p.stdout
    return p


@test
def misspelled_commands_are_named_with_the_nearest(tmp):
    p = run('inventroy', 'calc', 'examples/inventory.csv', expect=2)
    assert "unknown command 'inventroy'" in p.err and 'did you mean inventory?' in p.err, p.err
    p = run('lca', 'clac', expect=2)
    assert "unknown command 'lca clac'" in p.err and 'lca calc' in p.err, p.err
    p = run('foo', expect=2)
    assert "unknown command 'foo'" in p.err and 'panocarbon --help' in p.err, p.err
    p = run('mrio', 'acounts', expect=2)
    assert 'did you mean mrio accounts?' in p.err, p.err


@test
def misspelled_options_suggest_the_option(tmp):
    p = run('inventory', 'calc', 'examples/inventory.csv', '--fromat', 'csv', expect=2)
    assert "unknown option '--fromat'" in p.err and 'did you mean --format?' in p.err, p.err
    p = run('inventory', 'calc', 'examples/inventory.csv', '--gpw=AR6', expect=2)
    assert 'did you mean --gwp?' in p.err, p.err


@test
def group_help_says_what_the_group_does(tmp):
    p = run('--help')
    assert ' commands\n' not in p.out.replace('Every command', ''), p.out
    assert 'Production-side inventories' in p.out and 'Consumption-side accounts' in p.out, p.out


@test
def gwp_is_one_name_with_the_old_one_kept(tmp):
    db = os.path.join(tmp, 'g.db')
    a = run('gwp', 'list', '--gwp', 'AR4', '--format', 'csv', db=db).out
    b = run('gwp', 'list', '--set', 'AR4', '--format', 'csv', db=db).out
    assert a == b and 'AR4,CH4,25,kg CO2e/kg' in a, a


@test
def every_format_on_a_command_that_had_none(tmp):
    db = os.path.join(tmp, 'f.db')
    run('db', 'init', db=db)
    j = json.loads(run('db', 'info', '--format', 'json', db=db).out)
    assert j['schema_version'] >= 1
    rows = list(csv.reader(io.StringIO(run('db', 'info', '--format', 'csv', db=db).out)))
    assert rows[0] == ['key', 'value'] and any(r[0] == 'schema_version' for r in rows), rows
    table = run('factors', 'show', 'ipcc2006.v2c1.t1_4.natural_gas.co2', '--format', 'table', db=db).out
    assert table.startswith('id ') and 'kg/TJ' in table, table


@test
def xlsx_output_is_a_workbook_with_provenance(tmp):
    db = os.path.join(tmp, 'x.db')
    p = run('inventory', 'calc', 'examples/inventory.csv', '--by', 'gas', '--format', 'xlsx', db=db)
    z = zipfile.ZipFile(io.BytesIO(p.raw))
    wb = z.read('xl/workbook.xml').decode()
    assert 'name="inventory-calc"' in wb and 'name="provenance"' in wb, wb
    strings = ''.join(z.read(n).decode() for n in z.namelist() if n.startswith('xl/worksheets/'))
    assert 'emissions_t' in strings and 'co2e_t' in strings and 'run_id' in strings, strings[:500]


@test
def an_excel_file_where_csv_is_expected_says_so(tmp):
    db = os.path.join(tmp, 'e.db')
    wb = os.path.join(tmp, 'activity.xlsx')
    with open(wb, 'wb') as f:
        f.write(run('inventory', 'calc', 'examples/inventory.csv', '--format', 'xlsx', db=db).raw)
    p = run('inventory', 'calc', wb, expect=2, db=db)
    assert 'is an Excel workbook' in p.err and 'save the sheet as CSV' in p.err and 'activity.xlsx' in p.err, p.err


@test
def every_bad_row_is_reported_in_one_run(tmp):
    path = os.path.join(tmp, 'bad.csv')
    with open(path, 'w') as f:
        f.write('category,activity,amount,unit\n1.A.1.a,diesel,abc,t\n1.A.1.a,diesel,5,t\n1.A.1.a,,5,t\n'
                '1.A.1.a,diesel,5\n')
        f.write(''.join(f'1.A.1.a,diesel,x{i},t\n' for i in range(30)))
    p = run('inventory', 'calc', path, expect=2, db=os.path.join(tmp, 'b.db'))
    assert 'line 2, column 3' in p.err and 'line 4, column 2' in p.err and 'line 5:' in p.err, p.err
    assert '33 rows are wrong (the first 20 are listed)' in p.err, p.err
    assert p.err.count('\n  ') == 20, p.err


@test
def db_info_does_not_create_a_missing_folder(tmp):
    where = os.path.join(tmp, 'no', 'such', 'folder', 'p.db')
    p = run('db', 'info', '--db', where, expect=3)
    assert 'no database at' in p.err and 'db init' in p.err, p.err
    assert not os.path.exists(os.path.join(tmp, 'no')), 'db info created the folder'


@test
def every_run_is_logged_once_with_its_inputs(tmp):
    db = os.path.join(tmp, 'r.db')
    run('inventory', 'calc', 'examples/inventory.csv', db=db)
    run('inventory', 'calc', 'examples/no-such-file.csv', db=db, expect=6)
    con = sqlite3.connect(db)
    rows = con.execute('SELECT command, status, inputs, params FROM runs ORDER BY id').fetchall()
    assert [r[:2] for r in rows] == [('inventory calc', 'ok'), ('inventory calc', 'failed')], rows
    inputs = json.loads(rows[0][2])
    assert inputs[0]['path'] == 'examples/inventory.csv' and len(inputs[0]['sha256']) == 64, inputs
    params = json.loads(rows[0][3])
    assert 'format' not in params and 'db' not in params, f'front-end options are not model inputs: {params}'


@test
def completion_and_man_page(tmp):
    script = os.path.join(tmp, 'c.bash')
    with open(script, 'w') as f:
        f.write(run('completion', 'bash').out)
    probe = (f'source {shlex.quote(script)}; COMP_WORDS=(panocarbon inventory ca); COMP_CWORD=2; _panocarbon; '
             'echo "${COMPREPLY[@]}"; COMP_WORDS=(panocarbon inventory calc --gw); COMP_CWORD=3; _panocarbon; '
             'echo "${COMPREPLY[@]}"')
    out = subprocess.run(['bash', '-c', probe], capture_output=True, text=True).stdout.split('\n')
    assert out[0] == 'calc' and out[1] == '--gwp', out
    man = run('man').out
    assert man.startswith('.TH PANOCARBON 1') and '.SS inventory calc' in man, man[:300]


@test
def readme_mpirun_line_runs(tmp):
    if not shutil.which('mpirun'):
        return
    readme = open(os.path.join(ROOT, 'README.md')).read()
    lines = [l for l in readme.split('\n') if l.startswith('mpirun ')]
    assert lines, 'the README shows an mpirun line'
    words = shlex.split(lines[0].split('#')[0])
    if os.geteuid() == 0:
        assert '--allow-run-as-root' in readme, 'the README tells root what mpirun needs'
        words.insert(1, '--allow-run-as-root')
    words = [BIN if w == '$B' else w for w in words]
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'm.db'), OMPI_MCA_rmaps_base_oversubscribe='1',
               OMPI_MCA_btl='self,vader,tcp')
    # OpenMPI's own allocations are not ours to check (an ASan build reports them at exit).
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
    p = subprocess.run(words, capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stderr


if __name__ == '__main__':
    BIN = parse_bin()
    run_all('panocarbon-newcomer-')
