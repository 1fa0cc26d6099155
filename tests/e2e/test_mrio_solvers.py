#!/usr/bin/env python3
"""End-to-end tests of the MRIO solvers (issue 16): every `--solver` gives the dense LU's accounts and
multipliers on real data (WIOD 2009 CO2, x given, isolated sectors) and on a synthetic MRIO big enough for
`auto` to choose the iterative solve (2,400 sectors); the iterative solve's report (residual, passes) and
its fallback message. Prints 'N passed, M failed'; exits 77 (skipped) without ../shared/data."""
import csv, io, json, os, subprocess, sys

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
MRIO = os.path.join(SHARED, 'mrio')
GEN = os.path.join(os.path.dirname(SHARED), 'bench', 'make_synthetic_mrio.py')
BIN = None


def run(*args, db, env=None):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, **(env or {})})
    assert p.returncode == 0, f'{args} exited {p.returncode}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr}'
    return p


def accounts_json(folder, db, *extra, env=None):
    return json.loads(run('mrio', 'accounts', folder, '--format', 'json', *extra, db=db, env=env).stdout)


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def compare(a, b, rel):
    """Regional accounts and multipliers of two `mrio accounts --format json` answers."""
    assert len(a['stressors']) == len(b['stressors'])
    for sa, sb in zip(a['stressors'], b['stressors']):
        scale = sum(abs(r['production']) for r in sb['regions'])
        for ra, rb in zip(sa['regions'], sb['regions']):
            assert ra['region'] == rb['region']
            for col in ('production', 'consumption', 'imports', 'exports', 'income', 'eebt_consumption'):
                if col in rb:
                    assert abs(ra[col] - rb[col]) <= rel * max(abs(ra[col]), abs(rb[col]), 1e-12 * scale), \
                        (sa['stressor'], ra['region'], col, ra[col], rb[col])


@test
def wiod_every_solver_equals_the_dense_lu(tmp):
    db = os.path.join(tmp, 'w.db')
    folder = os.path.join(MRIO, 'wiod2013-co2', '2009')
    dense = accounts_json(folder, db, '--solver', 'dense')
    for solver in ('mixed', 'sparse', 'iterative', 'auto'):
        other = accounts_json(folder, db, '--solver', solver)
        compare(other, dense, 1e-10)
        assert other['report']['max_residual'] < 1e-12, (solver, other['report'])
    it = accounts_json(folder, db, '--solver', 'iterative')
    assert 'GMRES' in it['report']['solver'] and 'did not converge' not in it['report']['solver'], it['report']


@test
def auto_is_iterative_above_2000_sectors_and_agrees(tmp):
    folder = os.path.join(tmp, 'syn')
    subprocess.run([sys.executable if _has_numpy() else '/usr/bin/python3', GEN, folder, '--regions', '12',
                    '--sectors', '200', '--density', '0.1'], check=True, capture_output=True)
    db = os.path.join(tmp, 's.db')
    auto = accounts_json(folder, db)
    rep = auto['report']
    assert 'GMRES' in rep['solver'] and 'did not converge' not in rep['solver'], rep
    assert 'n > 2000' in rep['why'], rep
    assert rep['max_residual'] < 1e-12, rep
    dense = accounts_json(folder, db, '--solver', 'dense')
    compare(auto, dense, 1e-10)
    # The kernels of every instruction set give the same accounts (AVX-512, AVX2 + FMA, baseline).
    for simd in ('avx2', 'baseline'):
        compare(accounts_json(folder, db, env={'PANOCARBON_SIMD': simd}), auto, 1e-11)
    # One thread or two: the same answers.
    compare(accounts_json(folder, db, '--threads', '1'), auto, 1e-11)


def _has_numpy():
    try:
        import numpy, pandas  # noqa: F401
        return True
    except ImportError:
        return False


def main():
    global BIN
    BIN = parse_bin()
    if not os.path.isdir(MRIO) or not os.path.isfile(GEN):
        print(f'skipped: {MRIO} or {GEN} not found')
        sys.exit(77)
    run_all('pc-mrio-solvers-')


if __name__ == '__main__':
    main()
