#!/usr/bin/env python3
"""Walks the whole registry of capabilities through the real CLI.

For every capability of `panocarbon capabilities --format json`:
  - it has a command spec, a domain, a description, an input schema and a result schema (itself a valid
    JSON Schema), and an example;
  - its example runs (from the source folder, in the registry's order, on one fresh database) and its JSON
    result validates against its result schema (python3-jsonschema); the CSV rendering parses as CSV with a
    header, the table rendering is not empty, and --format xlsx gives a workbook (a zip with a provenance sheet);
  - a logged capability leaves one finished run in the run log.
Also: every command of `panocarbon schema` is a capability; docs/cli-reference.md is what
`panocarbon capabilities --markdown` prints (regenerate it with that command when this fails); the bash
completion script is valid bash; the man page is roff with every command.

Examples that need ../shared/data are skipped (and counted) when it is absent.
Prints "N passed, M failed, K skipped".
"""
import argparse, csv, io, json, os, shutil, sqlite3, subprocess, sys, tempfile, zipfile

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--only', help='run only the capabilities whose name contains this')
    args = ap.parse_args()
    exe = os.path.abspath(args.bin)
    tmp = tempfile.mkdtemp(prefix='panocarbon-registry-')
    db = os.path.join(tmp, 'registry.db')
    env = dict(os.environ, PANOCARBON_DB=db, PANOCARBON_GFED_EF=os.path.join(
        REPO, '..', 'shared', 'data', 'natural', 'GFED4_Emission_Factors.txt'))
    passed, failed, skipped = 0, [], []

    def run(words, fmt=None, binary=False):
        cmd = [exe] + words + (['--format', fmt] if fmt else [])
        p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, timeout=900)
        out = p.stdout if binary else p.stdout.decode('utf-8', 'replace')
        return p.returncode, out, p.stderr.decode('utf-8', 'replace')

    def check(ok, what):
        nonlocal passed
        if ok:
            passed += 1
        else:
            failed.append(what)
            print('FAIL:', what, flush=True)
        return ok

    rc, out, err = run(['capabilities'], 'json')
    if not check(rc == 0, f'capabilities --format json: exit {rc}: {err}'):
        return finish(passed, failed, skipped, tmp)
    caps = json.loads(out)
    rc, out, _ = run(['schema'], 'json')
    specs = [s['title'] for s in json.loads(out)]
    names = [c['name'] for c in caps]
    for s in specs:
        check(s in names, f'command "{s}" has a spec but no capability in the registry')
    shared = os.path.isdir(os.path.join(REPO, '..', 'shared', 'data'))
    # What the examples stand on that no earlier example makes: the LCA database with uncertainty data.
    rc, _, err = run(['lca', 'import', 'tests/fixtures/lca/uncertainty', '--name', 'unc'])
    check(rc == 0, f'importing tests/fixtures/lca/uncertainty for the lca montecarlo example: {err}')

    for c in caps:
        name = c['name']
        if args.only and args.only not in name:
            continue
        check(c['domain'] in ('inventory', 'trade', 'lca', 'natural', 'uncertainty', 'process', 'reference',
                              'system'), f'{name}: domain {c["domain"]}')
        check(len(c['description']) >= 40, f'{name}: a description for a person and a language model')
        check(c['input_schema'].get('type') == 'object', f'{name}: input schema')
        try:
            jsonschema.Draft7Validator.check_schema(c['result_schema'])
            check(c['result_schema'] != {}, f'{name}: an empty result schema')
        except jsonschema.SchemaError as e:
            check(False, f'{name}: result schema is not a JSON Schema: {e.message}')
            continue
        ex = c['example']
        words = name.split() + ex
        if c['writes_files']:
            words += ['--out', os.path.join(tmp, 'out-' + name.replace(' ', '-'))]
        if any('../shared' in w for w in ex) and not shared:
            skipped.append(name)
            continue
        runs_before = count_runs(db)
        rc, out, err = run(words, 'json')
        if not check(rc == 0, f'{name}: example `{" ".join(words)}` exits {rc}: {err.strip()[-400:]}'):
            continue
        try:
            result = json.loads(out)
        except json.JSONDecodeError as e:
            check(False, f'{name}: --format json is not JSON ({e})')
            continue
        try:
            jsonschema.validate(result, c['result_schema'])
            check(True, '')
        except jsonschema.ValidationError as e:
            check(False, f'{name}: JSON result does not match its result schema: {e.message} at '
                         f'{"/".join(str(p) for p in e.absolute_path)}')
        if c['logs_run']:
            check(count_runs(db) == runs_before + 1, f'{name}: one run logged per call')
            last = last_run(db)
            check(last and last[0] == name and last[1] == 'ok', f'{name}: the last run is {last}')
        if name in ('lca import', 'lca import-method', 'mrio aggregate', 'lca footprint', 'lca matrices'):
            continue  # not run three more times: they import or write
        rc, out, err = run(words, 'csv')
        if check(rc == 0, f'{name}: --format csv exits {rc}: {err.strip()[-300:]}'):
            rows = list(csv.reader(io.StringIO(out)))
            check(len(rows) >= 1 and len(rows[0]) >= 1, f'{name}: CSV has a header')
            widths = {len(r) for r in rows if r}
            check(len(widths) == 1, f'{name}: every CSV row has the header\'s width ({sorted(widths)})')
        rc, out, err = run(words, 'table')
        check(rc == 0 and out.strip() != '', f'{name}: --format table exits {rc} with output: {err.strip()[-300:]}')
        rc, out, err = run(words, 'xlsx', binary=True)
        if check(rc == 0, f'{name}: --format xlsx exits {rc}: {err.strip()[-300:]}'):
            try:
                z = zipfile.ZipFile(io.BytesIO(out))
                wb = z.read('xl/workbook.xml').decode()
                check('name="provenance"' in wb, f'{name}: the workbook has a provenance sheet')
            except (zipfile.BadZipFile, KeyError) as e:
                check(False, f'{name}: --format xlsx is not a workbook ({e})')

    # The generated reference and the one in docs/ must agree.
    rc, out, _ = run(['capabilities', '--markdown'])
    ref = os.path.join(REPO, 'docs', 'cli-reference.md')
    with open(ref, encoding='utf-8') as f:
        check(f.read() == out, 'docs/cli-reference.md drifted from the registry: regenerate it with '
                               '`build/bin/panocarbon capabilities --markdown > docs/cli-reference.md`')
    rc, out, _ = run(['completion', 'bash'])
    script = os.path.join(tmp, 'completion.bash')
    with open(script, 'w') as f:
        f.write(out)
    check(subprocess.run(['bash', '-n', script]).returncode == 0, 'the bash completion script is valid bash')
    check(all(f'"{n}")' in out for n in names), 'the bash completion knows every command')
    if shutil.which('zsh'):
        rc, out, _ = run(['completion', 'zsh'])
        with open(script, 'w') as f:
            f.write(out)
        check(subprocess.run(['zsh', '-n', script]).returncode == 0, 'the zsh completion script is valid zsh')
    rc, out, _ = run(['man'])
    check(out.startswith('.TH PANOCARBON 1') and all(n.replace('-', '\\-') in out for n in names),
          'the man page names every command')
    return finish(passed, failed, skipped, tmp)


def count_runs(db):
    if not os.path.exists(db):
        return 0
    with sqlite3.connect(db) as con:
        return con.execute('SELECT count(*) FROM runs').fetchone()[0]


def last_run(db):
    with sqlite3.connect(db) as con:
        return con.execute('SELECT command, status FROM runs ORDER BY id DESC LIMIT 1').fetchone()


def finish(passed, failed, skipped, tmp):
    shutil.rmtree(tmp, ignore_errors=True)
    if skipped:
        print(f'skipped (no ../shared/data): {", ".join(skipped)}')
    print(f'{passed} passed, {len(failed)} failed, {len(skipped)} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
