#!/usr/bin/env python3
"""`ledger build` under mpirun: the years of WIOD split across 1, 2 and 3 ranks (rank 0 stores) give the same
stored numbers as a plain run with 1 and 2 threads, one logged run per build, and a bad folder stops every rank
with one message. Exits 77 (skipped, naming what is missing) when mpirun is missing or cannot start, or when
../shared/data/mrio/wiod2013-co2 is missing.

    python3 tests/mpi/test_ledger_mpi.py --bin build/bin/panocarbon
"""
import os, shutil, sqlite3, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'e2e'))
from harness import test, run_all, parse_bin  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
WIOD = os.path.join(SHARED, 'mrio', 'wiod2013-co2')
BIN = None
MPIRUN = shutil.which('mpirun')


def mpirun(k, args, db, threads=1, expect=0):
    cmd = [MPIRUN, '--oversubscribe', '-np', str(k)]
    if os.geteuid() == 0:
        cmd.append('--allow-run-as-root')
    env = dict(os.environ, PANOCARBON_DB=db, OMPI_MCA_btl='self,vader,tcp', OMPI_MCA_rmaps_base_oversubscribe='1')
    env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
    p = subprocess.run(cmd + [BIN, *args, '--threads', str(threads)], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=600)
    assert p.returncode == expect, (f'mpirun -np {k} {args} exited {p.returncode}, expected {expect}\n'
                                    f'stdout: {p.stdout[-1500:]}\nstderr: {p.stderr[-3000:]}')
    return p


def plain(args, db, threads):
    p = subprocess.run([BIN, *args, '--threads', str(threads), '--db', db], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    return p


def dump(db):
    c = sqlite3.connect(db)
    return {t: c.execute(f'SELECT s.source, t.* FROM {t} t JOIN ledger_sources s ON s.id = t.source_id '
                         f'ORDER BY 1, t.rowid').fetchall()
            for t in ('ledger_values', 'ledger_partners', 'ledger_sectors')}


def strip(d):
    return {t: [r[:1] + r[2:] for r in rows] for t, rows in d.items()}


@test
def ranks_and_threads_store_the_same_numbers(tmp):
    args = ['ledger', 'build', WIOD]
    ref = os.path.join(tmp, 'plain1.db')
    plain(args, ref, 1)
    want = strip(dump(ref))
    assert len(want['ledger_values']) > 11 * 41 * 5, len(want['ledger_values'])
    two = os.path.join(tmp, 'plain2.db')
    plain(args, two, 2)
    assert strip(dump(two)) == want, 'threads 2 differ from threads 1'
    for k, t in [(1, 1), (2, 1), (3, 1), (2, 2)]:
        db = os.path.join(tmp, f'mpi{k}-{t}.db')
        mpirun(k, args, db, threads=t)
        assert strip(dump(db)) == want, f'mpirun -np {k} --threads {t} stored other numbers'
        runs = sqlite3.connect(db).execute("SELECT count(*) FROM runs WHERE command = 'ledger build'").fetchone()[0]
        assert runs == 1, f'{runs} runs logged by mpirun -np {k}'


@test
def monte_carlo_ranges_are_the_same_on_any_ranks(tmp):
    args = ['ledger', 'build', os.path.join(WIOD, '2009'), '--draws', '16', '--seed', '5']
    ref = os.path.join(tmp, 'plain.db')
    plain(args, ref, 1)
    want = strip(dump(ref))
    assert any(r[7] is not None for r in want['ledger_values']), 'no ranges stored'
    for k, t in [(2, 1), (3, 2)]:
        db = os.path.join(tmp, f'mpi{k}-{t}.db')
        mpirun(k, args, db, threads=t)
        assert strip(dump(db)) == want, f'mpirun -np {k} --threads {t}: other ranges'


@test
def a_bad_folder_stops_every_rank_with_one_message(tmp):
    empty = os.path.join(tmp, 'nothing')
    os.makedirs(empty)
    p = mpirun(2, ['ledger', 'build', empty], os.path.join(tmp, 'x.db'), expect=2)
    assert p.stderr.count('holds nothing the ledger recognises') == 1, p.stderr


if __name__ == '__main__':
    BIN = parse_bin()
    if not MPIRUN:
        print('skipped: mpirun not found on PATH (install OpenMPI)')
        sys.exit(77)
    if not os.path.isdir(WIOD):
        print(f'skipped: {WIOD} is missing')
        sys.exit(77)
    probe = subprocess.run([MPIRUN, '--oversubscribe', '-np', '1'] + (['--allow-run-as-root'] if os.geteuid() == 0 else [])
                           + ['true'], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f'skipped: mpirun cannot start here: {probe.stderr.strip()[-300:]}')
        sys.exit(77)
    run_all('panocarbon-ledger-mpi-')
