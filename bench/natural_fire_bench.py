#!/usr/bin/env python3
"""Benchmark of `panocarbon natural fire`: a full year at 0.25 deg (720 x 1440 cells x 12 months x 6 fire types
x 41 species, synthetic GFED4.1s file from make_synthetic_gfed.py) against numpy doing the same sums
(gfed_numpy.py: the equation per species as written, and a factored variant), side by side in one run; the
CLI with its database writes against --no-store (issue 16 goal: written <= 1.2 x unwritten), alternated run by
run; CPU seconds (user + sys) beside the wall times; peak memory of the CLI (goal < 1 GB); floors: reading the
file's bytes, and a bare SQLite insert of the same rows (Python's sqlite3, one transaction, same WAL settings)
in the schema-10 tables and in the schema-9 table with its text on every row. Answers checked: every CLI number
against numpy, the NetCDF layout (--netcdf) against the HDF5 rows. --smoke: a 5 deg grid, seconds; it fails on
a wrong answer. Run with /usr/bin/python3 (h5py)."""
import argparse, os, resource, sqlite3, statistics, subprocess, sys, tempfile, time

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
ap.add_argument('--netcdf', action='store_true', help='also write the NetCDF layout and check its rows')
ap.add_argument('--repeat', type=int, default=5, help='timed runs of each CLI variant (alternated)')
a = ap.parse_args()
if not os.path.exists(a.ef):  # the CLI guesses no path: the table is passed explicitly (--emission-factors)
    sys.exit(f'no GFED emission factor table at {a.ef}: give --ef GFED4_Emission_Factors.txt')
res = 5.0 if a.smoke else 0.25
repeat = 1 if a.smoke else a.repeat
tmp = tempfile.mkdtemp(prefix='pc-fire-bench-')
f = a.keep or os.path.join(tmp, 'GFED4.1s_2015.hdf5')
nc = os.path.join(tmp, 'GFED4.1s_2015.nc') if (a.netcdf or a.smoke) else None
if nc:
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        nc = None
if not os.path.exists(f) or nc:
    t = time.perf_counter()
    rc = make_synthetic_gfed.make(f, res=res, seed=1, burn=0.05, compress=a.compress, netcdf=nc)
    print(f'synthetic file {rc[0]} x {rc[1]}: {time.perf_counter() - t:.1f} s, {os.path.getsize(f) / 2**20:.0f} MiB')
db = os.path.join(tmp, 'db.sqlite')
env = dict(os.environ, PANOCARBON_DB=db)
cmd = [a.bin, 'natural', 'fire', f, '--year', '2015', '--format', 'csv', '--emission-factors', a.ef]


def timed(c):
    """wall s, CPU s (user + sys of the child), stdout"""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(c, env=env, capture_output=True, text=True, check=True)
    w = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return w, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), p.stdout


subprocess.run([a.bin, 'db', 'init'], env=env, capture_output=True, check=True)  # built-in datasets loaded once
subprocess.run(cmd, env=env, capture_output=True, check=True)  # warm the page cache and the database file
written, nostore = [], []
for _ in range(repeat):  # alternated: both sides see the same load
    written.append(timed(cmd))
    nostore.append(timed(cmd + ['--no-store']))
out = written[-1][2]
assert nostore[-1][2] == out  # the same table either way
# Peak memory of the CLI alone (GNU time; RUSAGE_CHILDREN would count the forked Python's pages).
peak_mib = float('nan')
if os.path.exists('/usr/bin/time'):
    q = subprocess.run(['/usr/bin/time', '-f', '%M', *cmd], env=env, capture_output=True, text=True, check=True)
    peak_mib = int(q.stderr.strip().splitlines()[-1]) / 1024
species, ef = gfed_numpy.read_ef(a.ef)
t = time.perf_counter()
lit = gfed_numpy.fire_sums(f, ef, literal=True)
t_lit = time.perf_counter() - t
t = time.perf_counter()
fac = gfed_numpy.fire_sums(f, ef, literal=False)
t_fac = time.perf_counter() - t
# Floor of the computation: reading the file's bytes (page cache), in 8 MiB blocks.
t = time.perf_counter()
with open(f, 'rb', buffering=0) as h:
    while h.read(8 << 20):
        pass
t_read = time.perf_counter() - t
# The CLI's numbers equal numpy's.
rows = [line.split(',') for line in out.splitlines()[1:]]
names = ["BONA", "TENA", "CEAM", "NHSA", "SHSA", "EURO", "MIDE", "NHAF", "SHAF", "BOAS", "CEAS", "SEAS", "EQAS", "AUST"]
worst = 0.0
for r, sp, m, v in (x[:4] for x in rows):
    code = names.index(r) + 1 if r in names else 0
    ref = lit[(code, int(m))][species.index(sp)]
    worst = max(worst, abs(float(v) - ref) / max(abs(ref), 1e-30))
ok = worst < 1e-6
# The rows the run stored: count and text per row, then a bare insert of the same rows (the write floor).
con = sqlite3.connect(db)
last = con.execute('SELECT max(run_id) FROM natural_fluxes').fetchone()[0]
stored = con.execute('SELECT * FROM natural_fluxes WHERE run_id = ?', (last,)).fetchall()
ok = ok and len(stored) >= len(rows)
con.close()


def bare_insert(schema10):
    path = os.path.join(tmp, 'bare%d.sqlite' % schema10)
    for ext in ('', '-wal', '-shm'):
        if os.path.exists(path + ext):
            os.remove(path + ext)
    c = sqlite3.connect(path, isolation_level=None)
    c.execute('PRAGMA journal_mode=WAL')
    if schema10:
        c.execute('CREATE TABLE m(id INTEGER PRIMARY KEY, run_id, module, source, unit, origin, management, method, '
                  'note)')
        c.execute('CREATE TABLE v(run_id, method_id, region, year, month, species, value, lower, upper)')
        c.execute('CREATE INDEX vq ON v(region, year, species)')
    else:
        c.execute('CREATE TABLE f(run_id, module, source, region, year, month, species, value, lower, upper, unit, '
                  'origin, management, method, note)')
        c.execute('CREATE INDEX fq ON f(module, region, year, species)')
    t = time.perf_counter()
    c.execute('BEGIN IMMEDIATE')
    if schema10:
        ids = {}
        for r in stored:
            k = (r[1], r[2], r[10], r[11], r[12], r[13], r[14])
            if k not in ids:
                ids[k] = c.execute('INSERT INTO m VALUES(NULL,1,?,?,?,?,?,?,?)', k).lastrowid
        c.executemany('INSERT INTO v VALUES(1,?,?,?,?,?,?,?,?)',
                      ((ids[(r[1], r[2], r[10], r[11], r[12], r[13], r[14])],) + tuple(r[3:10]) for r in stored))
    else:
        c.executemany('INSERT INTO f VALUES(1,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', (tuple(r[1:]) for r in stored))
    c.execute('COMMIT')
    c.close()  # the checkpoint at close, as the CLI's
    return time.perf_counter() - t


t_bare10 = min(bare_insert(True) for _ in range(3))
t_bare9 = min(bare_insert(False) for _ in range(3))
if nc:
    q = subprocess.run([a.bin, 'natural', 'fire', nc, '--year', '2015', '--format', 'csv', '--emission-factors', a.ef,
                        '--no-store'], capture_output=True, text=True, check=True)
    nc_same = q.stdout == out
    ok = ok and nc_same
med = statistics.median
w_w, w_n = med(x[0] for x in written), med(x[0] for x in nostore)
c_w, c_n = med(x[1] for x in written), med(x[1] for x in nostore)
b_w, b_n = min(x[0] for x in written), min(x[0] for x in nostore)
print(f'grid {res} deg, 12 months, 41 species, {len(rows)} rows ({len(stored)} stored); max relative difference to '
      f'numpy {worst:.2e}' + (f'; NetCDF layout rows identical: {nc_same}' if nc else ''))
print(f'panocarbon natural fire, median of {repeat} alternated runs (best): written {w_w:.3f} s ({b_w:.3f}), '
      f'--no-store {w_n:.3f} s ({b_n:.3f}); CPU user+sys {c_w:.3f} s vs {c_n:.3f} s; peak RSS {peak_mib:.0f} MiB')
print(f'numpy, equation per species: {t_lit:.3f} s -> panocarbon {t_lit / w_w:.1f}x ({t_lit / w_n:.1f}x --no-store)')
print(f'numpy, factored (6 bincounts + EF matrix): {t_fac:.3f} s -> panocarbon {t_fac / w_w:.1f}x '
      f'({t_fac / w_n:.1f}x --no-store)')
print(f'floors: reading the file {t_read:.3f} s; bare SQLite insert of the {len(stored)} rows {t_bare10:.3f} s '
      f'(schema 10) / {t_bare9:.3f} s (schema 9, text on every row)')
print(f'SUMMARY gfed: written {w_w:.3f} s, --no-store {w_n:.3f} s, ratio {w_w / w_n:.2f} (goal <= 1.20; CPU '
      f'{c_w / c_n:.2f}); numpy factored {t_fac:.3f} s = {t_fac / w_w:.1f}x written; floor read {t_read:.3f} s + '
      f'insert {t_bare10:.3f} s; answers {"pass" if ok else "FAIL"}')
if not ok:
    sys.exit(f'wrong answers: max relative difference {worst:.2e}, {len(stored)} stored rows for {len(rows)}'
             + ('' if not nc or nc_same else '; NetCDF rows differ'))
