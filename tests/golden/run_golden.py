#!/usr/bin/env python3
"""Runs the data-driven golden cases (tests/golden/*.test) through the real CLI.

Case file format (one case per file; blocks start with '=== '):

    name: what the case checks
    source: where the expected numbers come from (a table, an equation, the hand computation)
    === file NAME              the lines up to the next block are written to a temp file; {NAME} in a
    ...                        run line is replaced by its path
    === run [exit N]           one line: panocarbon arguments; expected exit status (default 0); {tmp} is
                               the case's temp folder, {shared} ../shared/data, {repo} the repository
    inventory calc {NAME} --format csv
    === expect csv [tolerance REL]   stdout is CSV equal to the block: text cells exactly, numbers within
    ...                              REL relative (default 1e-9)
    === expect stderr          each line must occur in stderr
    === expect stdout          each line must occur in stdout

Every case gets its own empty database (PANOCARBON_DB in a temp folder). Lines starting with '#'
outside file blocks are comments.
"""
import argparse, csv, io, os, re, subprocess, sys, tempfile


def parse_case(path):
    case = {'name': os.path.basename(path), 'sources': [], 'files': {}, 'steps': []}
    block = None
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    for line in lines:
        if line.startswith('=== '):
            words = line[4:].split()
            block = {'kind': words[0], 'args': words[1:], 'lines': []}
            if block['kind'] == 'file':
                case['files'][words[1]] = block
            elif block['kind'] == 'run':
                case['steps'].append({'run': block, 'expect': []})
            elif block['kind'] == 'expect':
                if not case['steps']:
                    raise SystemExit(f'{path}: "=== expect" before any "=== run"')
                case['steps'][-1]['expect'].append(block)
            else:
                raise SystemExit(f'{path}: unknown block "{line}"')
            continue
        if block is None:
            if line.startswith('name:'):
                case['name'] = line[5:].strip()
            elif line.startswith('source:'):
                case['sources'].append(line[7:].strip())
            continue
        if block['kind'] != 'file' and (line.startswith('#') or not line.strip()):
            continue
        block['lines'].append(line)
    return case


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def compare_csv(actual, expected_lines, tol):
    exp = list(csv.reader(io.StringIO('\n'.join(expected_lines).strip() + '\n')))
    act = list(csv.reader(io.StringIO(actual)))
    errors = []
    if len(act) != len(exp):
        errors.append(f'{len(act)} lines, expected {len(exp)}')
    for i, (a, e) in enumerate(zip(act, exp)):
        if len(a) != len(e):
            errors.append(f'line {i + 1}: {len(a)} fields, expected {len(e)}: {a}')
            continue
        for j, (x, y) in enumerate(zip(a, e)):
            if is_number(x) and is_number(y):
                fx, fy = float(x), float(y)
                if abs(fx - fy) > tol * max(abs(fx), abs(fy)) and abs(fx - fy) > 1e-300:
                    errors.append(f'line {i + 1} field {j + 1}: {x} != {y} (relative difference '
                                  f'{abs(fx - fy) / max(abs(fx), abs(fy)):.3g} > {tol})')
            elif x != y:
                errors.append(f'line {i + 1} field {j + 1}: {x!r} != {y!r}')
    return errors


def run_case(binary, path):
    case = parse_case(path)
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, block in case['files'].items():
            p = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)  # NAME may be a path inside a folder: mb/Z.txt
            with open(p, 'w', encoding='utf-8') as f:
                f.write('\n'.join(block['lines']).rstrip('\n') + '\n')
            paths[name] = p
        env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'golden.db'))
        for step in case['steps']:
            line = step['run']['lines'][0]
            for name, p in paths.items():
                line = line.replace('{' + name + '}', p)
            line = line.replace('{tmp}', tmp).replace('{shared}', SHARED).replace('{repo}', REPO)
            want_exit = 0
            if step['run']['args'][:1] == ['exit']:
                want_exit = int(step['run']['args'][1])
            proc = subprocess.run([binary] + shlex_split(line), capture_output=True, text=True, env=env, cwd=tmp)
            # Paths in messages: show the case's file names, not the temp folder.
            out, err = proc.stdout.replace(tmp + '/', ''), proc.stderr.replace(tmp + '/', '')
            if proc.returncode != want_exit:
                errors.append(f'`{line}` exited {proc.returncode}, expected {want_exit}; stderr: {err.strip()}')
                continue
            for ex in step['expect']:
                kind = ex['args'][0]
                if kind == 'csv':
                    tol = float(ex['args'][2]) if len(ex['args']) > 2 and ex['args'][1] == 'tolerance' else 1e-9
                    errors += [f'`{line}`: {m}' for m in compare_csv(out, ex['lines'], tol)]
                elif kind in ('stderr', 'stdout'):
                    text = err if kind == 'stderr' else out
                    for want in ex['lines']:
                        if want not in text:
                            errors.append(f'`{line}`: {kind} lacks {want!r}; it was: {text.strip()[:2000]}')
                else:
                    errors.append(f'unknown expectation {kind}')
    return case['name'], errors


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# ../shared/data beside the repository (the real datasets); {shared} in a run line.
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(REPO), 'shared', 'data'))


def shlex_split(s):
    import shlex
    return shlex.split(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('folder')
    ap.add_argument('-k', help='only cases whose file name contains this')
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    files = sorted(f for f in os.listdir(a.folder) if f.endswith('.test') and (not a.k or a.k in f))
    passed = failed = 0
    for f in files:
        name, errors = run_case(a.bin, os.path.join(a.folder, f))
        if errors:
            failed += 1
            print(f'FAIL {f}: {name}')
            for e in errors:
                print('   ', e)
        else:
            passed += 1
            print(f'ok   {f}: {name}')
    print(f'{passed} passed, {failed} failed')
    sys.exit(1 if failed or not files else 0)


if __name__ == '__main__':
    main()
