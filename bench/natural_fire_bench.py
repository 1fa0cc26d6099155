#!/usr/bin/env python3
"""Benchmark of `panocarbon natural fire`: a full year at 0.25 deg (720 x 1440 cells x 12 months x 6 fire types
x 41 species, synthetic GFED4.1s file from make_synthetic_gfed.py) against numpy doing the same sums
(gfed_numpy.py: the equation per species as written, and a factored variant), side by side; peak memory of
the CLI (goal: >= 5x numpy, < 1 GB). --smoke: a 5 deg grid, seconds. Run with /usr/bin/python3 (h5py)."""
import argparse, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_synthetic_gfed  # noqa: E402
import gfed_numpy  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument('--bin', default=os.path.join(HERE, '..', 'build', 'bin', 'panocarbon'))
ap.add_argument('--ef', help='GFED4_Emission_Factors.txt, passed as --emission-factors', default=os.path.join(HERE, '..', '..', 'shared', 'data', 'natural', 'GFED4_Emission_Factors.txt'))
ap.add_argument('--smoke', action='store_true')
ap.add_argument('--keep', help='reuse/keep the synthetic file at this path')
ap.add_argument('--compress', action='store_true', help='gzip level 1 datasets, as distributed GFED files are')
a = ap.parse_args()
if not os.path.exists(a.ef):  # the CLI guesses no path: the table is passed explicitly (--emission-factors)
    sys.exit(f'no GFED emission factor table at {a.ef}: give --ef GFED4_Emission_Factors.txt')
res = 5.0 if a.smoke else 0.25
tmp = tempfile.mkdtemp(prefix='pc-fire-bench-')
f = a.keep or os.path.join(tmp, 'GFED4.1s_2015.hdf5')
if not os.path.exists(f):
    t = time.perf_counter()
    rc = make_synthetic_gfed.make(f, res=res, seed=1, burn=0.05, compress=a.compress)
    print(f'synthetic file {rc[0]} x {rc[1]}: {time.perf_counter() - t:.1f} s, {os.path.getsize(f) / 2**20:.0f} MiB')
env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'db.sqlite'))
cmd = [a.bin, 'natural', 'fire', f, '--year', '2015', '--format', 'csv', '--emission-factors', a.ef]
subprocess.run(cmd, env=env, capture_output=True, check=True)  # warm the page cache
best = 1e9
for _ in range(1 if a.smoke else 3):
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    best = min(best, time.perf_counter() - t)
# Peak memory of the CLI alone (GNU time; RUSAGE_CHILDREN would count the forked Python's pages).
peak_mib = float('nan')
if os.path.exists('/usr/bin/time'):
    q = subprocess.run(['/usr/bin/time', '-f', '%M', *cmd], env=env, capture_output=True, text=True, check=True)
    peak_mib = int(q.stderr.strip().splitlines()[-1]) / 1024
nostore = 1e9
for _ in range(1 if a.smoke else 3):
    t = time.perf_counter()
    subprocess.run(cmd + ['--no-store'], capture_output=True, check=True)
    nostore = min(nostore, time.perf_counter() - t)
species, ef = gfed_numpy.read_ef(a.ef)
t = time.perf_counter()
lit = gfed_numpy.fire_sums(f, ef, literal=True)
t_lit = time.perf_counter() - t
t = time.perf_counter()
fac = gfed_numpy.fire_sums(f, ef, literal=False)
t_fac = time.perf_counter() - t
# The CLI's numbers equal numpy's.
rows = [line.split(',') for line in p.stdout.splitlines()[1:]]
names = ["BONA", "TENA", "CEAM", "NHSA", "SHSA", "EURO", "MIDE", "NHAF", "SHAF", "BOAS", "CEAS", "SEAS", "EQAS", "AUST"]
worst = 0.0
for r, sp, m, v in (x[:4] for x in rows):
    code = names.index(r) + 1 if r in names else 0
    ref = lit[(code, int(m))][species.index(sp)]
    worst = max(worst, abs(float(v) - ref) / max(abs(ref), 1e-30))
print(f'grid {res} deg, 12 months, 41 species, {len(rows)} rows; max relative difference to numpy {worst:.2e}')
print(f'panocarbon natural fire: {best:.3f} s (best of runs, whole CLI with the database writes), '
      f'{nostore:.3f} s with --no-store; peak RSS {peak_mib:.0f} MiB')
print(f'numpy, equation per species: {t_lit:.3f} s -> panocarbon {t_lit / best:.1f}x ({t_lit / nostore:.1f}x --no-store)')
print(f'numpy, factored (6 bincounts + EF matrix): {t_fac:.3f} s -> panocarbon {t_fac / best:.1f}x '
      f'({t_fac / nostore:.1f}x --no-store)')
assert worst < 1e-6, worst
