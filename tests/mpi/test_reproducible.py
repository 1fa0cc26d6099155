#!/usr/bin/env python3
"""Reproducibility of every Monte Carlo command across MPI ranks and threads: `mpirun -np K panocarbon ...
--seed S` must write byte-identical standard output for K = 1, 2 and 3 and for any --threads; a bad input
under mpirun must stop every rank with the error's exit code and one message. Uses Debian's OpenMPI
(`mpirun --oversubscribe`, plus `--allow-run-as-root` as root). Prints 'N passed, M failed'; exits 77
(skipped, with a line naming what is missing) when mpirun is missing.

`--only mrio` runs only the MRIO case, which needs ../shared/data/mrio/pymrio-test (or
$PANOCARBON_SHARED_DATA/mrio/pymrio-test): ctest runs it as its own test, `mpi_reproducible_mrio`, so that a
missing dataset shows as a skipped test (exit 77 and a line naming the folder), never as a pass. Without
`--only`, the MRIO case is left out."""
import hashlib, os, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'e2e'))
from harness import TESTS, parse_bin, run_all, test  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
BIN = None
MPIRUN = shutil.which('mpirun')


def mpirun(k, args, db, threads=1, expect=0):
    cmd = [MPIRUN, '--oversubscribe', '-np', str(k)]
    if os.geteuid() == 0:
        cmd.append('--allow-run-as-root')
    env = dict(os.environ, PANOCARBON_DB=db, OMPI_MCA_btl='self,vader,tcp', OMPI_MCA_rmaps_base_oversubscribe='1')
    # OpenMPI's own allocations are not ours to check (an ASan build reports them at exit).
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
    p = subprocess.run(cmd + [BIN, *args, '--threads', str(threads)], capture_output=True, cwd=ROOT, env=env,
                       timeout=600)
    assert p.returncode == expect, (f'mpirun -np {k} {args} exited {p.returncode}, expected {expect}\n'
                                    f'stdout: {p.stdout[-1500:]!r}\nstderr: {p.stderr[-3000:]!r}')
    return p


def plain(args, db, expect=0):
    p = subprocess.run([BIN, *args, '--db', db], capture_output=True, cwd=ROOT)
    assert p.returncode == expect, f'{args} exited {p.returncode}\n{p.stderr.decode()[-2000:]}'
    return p


def same_bytes_everywhere(args, db):
    """K = 1 (threads 1 and 2), K = 2 and K = 3 (threads 1, and K = 2 with 2 threads): one digest."""
    outs = {}
    for k, t in [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]:
        outs[(k, t)] = mpirun(k, args, db, threads=t).stdout
    digests = {key: hashlib.sha256(v).hexdigest()[:16] for key, v in outs.items()}
    assert len(set(digests.values())) == 1, f'outputs differ by ranks/threads: {digests}'
    assert len(outs[(1, 1)]) > 0, 'empty output'
    return outs[(1, 1)].decode()


@test
def inventory_approach_2_is_identical_for_1_2_3_ranks(tmp):
    db = os.path.join(tmp, 'db.sqlite')
    out = same_bytes_everywhere(['inventory', 'uncertainty', 'examples/inventory.csv', '--approach', '2',
                                 '--draws', '3001', '--seed', '42', '--format', 'csv'], db)
    assert out.startswith('category,mean_t_co2e,p2_5,p97_5,uncertainty_pct_low,uncertainty_pct_high\n'), out[:200]
    assert '\ntotal,' in out
    # one run in the log per mpirun (rank 0 only), with the seed and draws recorded
    import sqlite3
    con = sqlite3.connect(db)
    runs = con.execute("SELECT params FROM runs WHERE command = 'inventory uncertainty'").fetchall()
    assert len(runs) == 5, f'{len(runs)} runs logged for 5 mpirun invocations'
    assert all('"seed":42' in r[0] and '"draws":3001' in r[0] for r in runs), runs[0]


@test
def another_seed_gives_other_numbers(tmp):
    db = os.path.join(tmp, 'db.sqlite')
    base = ['inventory', 'uncertainty', 'examples/inventory.csv', '--approach', '2', '--draws', '500', '--format',
            'csv']
    a = mpirun(2, base + ['--seed', '1'], db).stdout
    b = mpirun(2, base + ['--seed', '2'], db).stdout
    assert a != b


@test
def lca_montecarlo_is_identical_for_1_2_3_ranks(tmp):
    db = os.path.join(tmp, 'db.sqlite')
    plain(['lca', 'import', 'tests/fixtures/lca/uncertainty', '--name', 'unc'], db)
    out = same_bytes_everywhere(['lca', 'montecarlo', '--database', 'unc', '--process', 'electricity from coal',
                                 '--draws', '701', '--seed', '9', '--format', 'csv'], db)
    assert 'total' in out


MRIO_SYSTEM = os.path.join(SHARED, 'mrio', 'pymrio-test')


def mrio_montecarlo_is_identical_for_1_2_3_ranks(tmp):
    """Run by `--only mrio` (ctest mpi_reproducible_mrio); main() skips visibly when the dataset is missing."""
    system = MRIO_SYSTEM
    db = os.path.join(tmp, 'db.sqlite')
    out = same_bytes_everywhere(['mrio', 'montecarlo', system, '--draws', '203', '--seed', '5', '--format', 'csv'],
                                db)
    assert out.count('\n') > 5


@test
def sobol_is_identical_for_1_2_3_ranks(tmp):
    db = os.path.join(tmp, 'db.sqlite')
    out = same_bytes_everywhere(['sensitivity', 'sobol', 'examples/sensitivity/ishigami.json', '--draws', '1024',
                                 '--bootstrap', '50', '--seed', '3', '--format', 'csv'], db)
    assert out.startswith('parameter,S1,'), out[:100]


@test
def a_bad_input_stops_every_rank_with_one_message(tmp):
    db = os.path.join(tmp, 'db.sqlite')
    bad = os.path.join(tmp, 'bad.csv')
    with open(bad, 'w') as f:
        f.write('category,activity,amount,unit\n1.A.1,Natural Gas,abc,TJ\n')
    p = mpirun(3, ['inventory', 'uncertainty', bad, '--approach', '2', '--draws', '100', '--seed', '1'], db,
               expect=2)
    err = p.stderr.decode()
    assert err.count('panocarbon:') == 1, err
    assert 'bad.csv' in err, err


if __name__ == '__main__':
    only_mrio = '--only' in sys.argv
    if only_mrio:
        i = sys.argv.index('--only')
        if sys.argv[i + 1:i + 2] != ['mrio']:
            sys.exit('--only takes one value: mrio')
        del sys.argv[i:i + 2]
    BIN = parse_bin()
    if not MPIRUN:
        print('skipped: mpirun not found on PATH (install OpenMPI)')
        sys.exit(77)
    if only_mrio:
        if not os.path.isdir(MRIO_SYSTEM):
            print(f'skipped: the MRIO dataset {MRIO_SYSTEM} is missing (set PANOCARBON_SHARED_DATA to the folder '
                  'that holds mrio/pymrio-test)')
            sys.exit(77)
        TESTS[:] = [mrio_montecarlo_is_identical_for_1_2_3_ranks]
    probe = subprocess.run([BIN, '--version'], capture_output=True, text=True)
    if probe.returncode != 0:
        print(probe.stderr)
        sys.exit(1)
    run_all('panocarbon-mpi-')
