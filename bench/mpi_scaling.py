#!/usr/bin/python3
"""MPI scaling of the Monte Carlo engine: the same run under `mpirun -np 1` and `mpirun -np K` (one thread
per rank), timed as whole commands, with the outputs compared byte for byte.

  bench/mpi_scaling.py                   # inventory Approach 2, 1,000 rows x 100,000 draws, 1 vs 2 ranks
  bench/mpi_scaling.py --ranks 3 --rows 200 --draws 20000
  bench/mpi_scaling.py --smoke           # small and quick: checks only that the outputs are identical

Efficiency = T(1) / (K * T(K)): 1 is perfect scaling. The gathering (MPI_Allgatherv of draws x outputs
doubles) and the start of K processes are included, as a user would see them. Each configuration runs
--repeat times; the best time is reported (the machine is shared). Needs Debian's OpenMPI (mpirun).
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import use_debian_python  # noqa: E402

try:
    import numpy  # noqa: F401
    import inventory_bench as ib
    import inventory_uncertainty_bench as iub
except ImportError:
    use_debian_python(__file__, "numpy and pandas (apt-get install python3-numpy python3-pandas)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"))
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--draws", type=int, default=100000)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--workdir")
    a = ap.parse_args()
    if a.smoke:
        a.rows, a.draws, a.repeat = 100, 5000, 1
    mpirun = shutil.which("mpirun")
    if not mpirun:
        print("mpi_scaling: mpirun not found (apt-get install openmpi-bin)")
        return 1
    work = a.workdir or tempfile.mkdtemp(prefix="panocarbon-mpi-bench-")
    os.makedirs(work, exist_ok=True)
    inv = os.path.join(work, "inventory.csv")
    iub.generate(inv, a.rows, a.seed, ib.Library(os.path.join(REPO, "data")))
    env = dict(os.environ, PANOCARBON_DB=os.path.join(work, "bench.db"))
    root = ["--allow-run-as-root"] if os.geteuid() == 0 else []

    def timed(k):
        cmd = [mpirun, "--oversubscribe", *root, "-np", str(k), a.bin, "inventory", "uncertainty", inv,
               "--approach", "2", "--draws", str(a.draws), "--seed", "11", "--threads", "1", "--format", "csv"]
        best, out = None, None
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, env=env)
            dt = time.perf_counter() - t0
            if p.returncode != 0:
                sys.stderr.write(p.stderr.decode()[-3000:])
                raise SystemExit(f"mpi_scaling: mpirun -np {k} failed ({p.returncode})")
            best = dt if best is None else min(best, dt)
            out = p.stdout
        return best, out

    t1, o1 = timed(1)
    tk, ok = timed(a.ranks)
    same = o1 == ok
    eff = t1 / (a.ranks * tk)
    print(f"mpi_scaling: inventory Approach 2, {a.rows} rows x {a.draws} draws: 1 rank {t1:.2f} s "
          f"({a.draws / t1:,.0f} draws/s), {a.ranks} ranks {tk:.2f} s ({a.draws / tk:,.0f} draws/s); "
          f"speed-up {t1 / tk:.2f}x, efficiency {eff:.2f}; outputs identical: {same} "
          f"(sha256 {hashlib.sha256(o1).hexdigest()[:12]})")
    if not a.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
