#!/usr/bin/python3
"""Monte Carlo LCA benchmark: `panocarbon lca montecarlo` on the ecoinvent-sized synthetic database (20,000
processes, ~300,000 technosphere non-zeros, ecoinvent-like lognormal + pedigree uncertainty from
bench/make_synthetic_technosphere.py) against a scipy implementation of the same model, in the same run.

  bench/lca_montecarlo_bench.py                         # 20,000 processes: iterations/s both sides
  bench/lca_montecarlo_bench.py --smoke                 # 500 processes, answers only, < 30 s, exit 1 on a mismatch
  bench/lca_montecarlo_bench.py --processes 5000 --draws 500 --reference-draws 20

The model (both sides): every uncertain technosphere entry of A and every uncertain entry of B in a flow that
the GWP method characterises is drawn from its lognormal (median = the amount, sign kept; sigma from the
npz's A_sigma / B_sigma, which is what the JSON-LD carries: geomSd = exp(sigma), or the pedigree scores with
Ciroth et al. 2016 for exchanges without a distribution); then s = A^-1 f, h = c B s for the `total` GWP100.
  * panocarbon: `lca montecarlo --database bench --process P --draws D --threads T --seed 1 --format json --verbose`;
    its draws/s come from its stderr line with --verbose ("N draws in X s"), which times the draws alone (one symbolic
    analysis per thread, klu_refactor + solve per draw); the import is done once and not timed here.
  * the reference (its own process): numpy's default_rng draws, scipy.sparse.linalg.splu(A) per iteration
    (what bw2calc does without pypardiso: a new factorisation per draw), solve, c (B s); iterations/s over
    --reference-draws iterations (a 20,000-process splu takes seconds, so few are run).
Answers: the deterministic totals must agree to 1e-9; the two Monte Carlo means must agree within 5 standard
errors of their difference (independent random streams); --smoke also checks that --threads 1 and 2 give
the same bytes. The goal (> 100 iterations/s on 2 threads at 20,000 processes) is reported, not enforced.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_child, tail, use_debian_python  # noqa: E402

try:
    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.linalg as sla
except ImportError:
    use_debian_python(__file__, "numpy and scipy (apt-get install python3-numpy python3-scipy)")

import lca_bench  # noqa: E402  (the synthetic database: generated once, reused)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMOKE_PROCESSES = 500
GOAL = 100.0
RATE = re.compile(r"lca montecarlo: (\d+) draws in ([0-9.eE+-]+) s")


def reference(npz_path, demand, draws, seed, out_path):
    m = np.load(npz_path, allow_pickle=False)
    n = int(m["A_shape"][0])
    c = np.array(m["c"], dtype=np.float64)
    A_row, A_col, A_val, A_sig = m["A_row"], m["A_col"], m["A_val"], m["A_sigma"]
    keep = c[m["B_row"]] != 0  # only characterised flows change h
    B_row, B_col, B_val, B_sig = m["B_row"][keep], m["B_col"][keep], m["B_val"][keep], m["B_sigma"][keep]
    cb = c[B_row]
    f = np.zeros(n)
    f[demand] = 1.0

    def total(a_val, b_val):
        A = sp.csc_matrix((a_val, (A_row, A_col)), shape=(n, n))
        s = sla.splu(A).solve(f)
        return float(np.dot(cb * b_val, s[B_col]))

    det = total(A_val, B_val)
    rng = np.random.default_rng(seed)
    ua, ub = A_sig > 0, B_sig > 0
    la, lb = np.log(np.abs(A_val[ua])), np.log(np.abs(B_val[ub]))
    sa, sb = np.sign(A_val[ua]), np.sign(B_val[ub])
    h = []
    t0 = time.perf_counter()
    for _ in range(draws):
        a = A_val.copy()
        a[ua] = sa * np.exp(la + A_sig[ua] * rng.standard_normal(la.size))
        b = B_val.copy()
        b[ub] = sb * np.exp(lb + B_sig[ub] * rng.standard_normal(lb.size))
        h.append(total(a, b))
    secs = time.perf_counter() - t0
    h = np.array(h)
    with open(out_path, "w") as fo:
        json.dump({"deterministic": det, "mean": float(h.mean()), "sd": float(h.std(ddof=1)) if draws > 1 else 0.0,
                   "draws": draws, "seconds": secs, "per_s": draws / secs}, fo)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, help="processes [20000; 500 with --smoke]")
    ap.add_argument("--seed", type=int, default=1, help="generator seed [1]")
    ap.add_argument("--draws", type=int, help="panocarbon's draws [1000; 2000 with --smoke]")
    ap.add_argument("--threads", type=int, default=2, help="panocarbon's threads [2]")
    ap.add_argument("--reference-draws", type=int, help="the reference's iterations [5; 400 with --smoke]")
    ap.add_argument("--workdir", default="/tmp/panocarbon-lca-bench", help="as bench/lca_bench.py [/tmp/panocarbon-lca-bench]")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"))
    ap.add_argument("--smoke", action="store_true", help=f"{SMOKE_PROCESSES} processes, answers only, exit 1 on a mismatch")
    ap.add_argument("--json", metavar="OUT", help="write the summary as JSON")
    ap.add_argument("--_reference", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._reference:
        npz, demand, draws, seed, out = args._reference
        return reference(npz, int(demand), int(draws), int(seed), out)
    args.processes = args.processes or (SMOKE_PROCESSES if args.smoke else 20000)
    args.draws = args.draws or (2000 if args.smoke else 1000)
    args.reference_draws = args.reference_draws or (400 if args.smoke else 5)
    args.workdir = os.path.abspath(args.workdir)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"lca_montecarlo_bench: FAIL: no binary {args.bin} (build it first)")
    z, npz, gen_s = lca_bench.synthetic(args)
    tag = os.path.basename(z)[:-4]
    db = os.path.join(args.workdir, f"{tag}.mc.db")
    if not os.path.isfile(db + ".imported"):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        r = subprocess.run([args.bin, "lca", "import", z, "--name", "bench", "--db", db], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"lca_montecarlo_bench: FAIL: import exited {r.returncode}: {r.stderr[-2000:]}")
        open(db + ".imported", "w").close()
    m = np.load(npz, allow_pickle=False)
    names = [str(x) for x in m["process_names"]]
    ids = [str(x) for x in m["process_ids"]]
    demand = len(ids) - 1  # a final product: the longest supply chains
    failures = []

    # panocarbon
    def ours(threads):
        out, err = (os.path.join(args.workdir, f"{tag}.mc{threads}.{s}") for s in ("json", "err"))
        cmd = [args.bin, "lca", "montecarlo", "--database", "bench", "--process", ids[demand], "--draws",
               str(args.draws), "--seed", "1", "--threads", str(threads), "--top", "5", "--format", "json", "--verbose", "--db", db]
        rc, wall, rss, _ = run_child(cmd, out, err)
        if rc != 0:
            sys.exit(f"lca_montecarlo_bench: FAIL: lca montecarlo exited {rc}: {tail(err)}")
        with open(err) as f:
            mt = RATE.search(f.read())
        with open(out, "rb") as f:
            raw = f.read()
        return json.loads(raw), raw, float(mt.group(2)) if mt else float("nan"), wall, rss

    res, raw, secs, wall, rss = ours(args.threads)
    if args.smoke:
        _, raw1, _, _, _ = ours(1)
        if raw1 != raw:
            failures.append(f"--threads 1 and {args.threads} give different bytes")
    total = next(c for c in res["categories"] if c["category"] == "total")

    # the reference
    ref_out = os.path.join(args.workdir, f"{tag}.mcref.json")
    rc, ref_wall, ref_rss, _ = run_child(
        [sys.executable, os.path.abspath(__file__), "--_reference", npz, str(demand), str(args.reference_draws), "7",
         ref_out], ref_out + ".out", ref_out + ".err")
    if rc != 0:
        sys.exit(f"lca_montecarlo_bench: FAIL: the reference exited {rc}: {tail(ref_out + '.err')}")
    with open(ref_out) as f:
        ref = json.load(f)

    det_gap = abs(total["deterministic"] - ref["deterministic"]) / max(abs(ref["deterministic"]), 1e-300)
    if det_gap > 1e-9:
        failures.append(f"deterministic totals differ: {total['deterministic']} vs {ref['deterministic']} ({det_gap:.2e})")
    se = math.sqrt(total["sd"] ** 2 / args.draws + (ref["sd"] ** 2 / ref["draws"] if ref["draws"] > 1 else 0))
    z_score = abs(total["mean"] - ref["mean"]) / se if se > 0 else 0.0
    if z_score > 5:
        failures.append(f"Monte Carlo means differ by {z_score:.1f} standard errors: {total['mean']} vs {ref['mean']}")
    ours_per_s = args.draws / secs
    summary = {"processes": args.processes, "demand": names[demand], "draws": args.draws, "threads": args.threads,
               "panocarbon_draws_per_s": ours_per_s, "panocarbon_wall_s": wall, "panocarbon_rss_mb": rss,
               "reference_draws": ref["draws"], "reference_per_s": ref["per_s"], "reference_rss_mb": ref_rss,
               "ratio": ours_per_s / ref["per_s"], "deterministic": total["deterministic"],
               "deterministic_rel_gap": det_gap, "mean": total["mean"], "sd": total["sd"],
               "reference_mean": ref["mean"], "reference_sd": ref["sd"], "mean_z": z_score,
               "parameters": res["uncertainty"]["parameters"], "generate_s": gen_s, "failures": failures}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    if args.smoke:
        print(f"lca_montecarlo_bench --smoke: {'FAIL' if failures else 'ok'} ({args.processes} processes, "
              f"deterministic gap {det_gap:.1e}, means {z_score:.2f} SE apart, threads 1 = {args.threads} bytes)"
              + "".join(f"\n  {x}" for x in failures))
        return 1 if failures else 0
    print(f"Monte Carlo LCA, {args.processes} processes, demand '{names[demand]}', "
          f"{res['uncertainty']['parameters']} uncertain exchanges")
    print(f"  panocarbon ({args.threads} threads): {ours_per_s:.1f} iterations/s ({args.draws} draws in {secs:.2f} s; "
          f"whole process {wall:.1f} s, {rss:.0f} MB)  goal > {GOAL:.0f}/s: {'met' if ours_per_s > GOAL else 'NOT met'}")
    print(f"  reference (scipy splu per iteration): {ref['per_s']:.3f} iterations/s ({ref['draws']} draws in "
          f"{ref['seconds']:.1f} s, {ref_rss:.0f} MB)")
    print(f"  ratio: {ours_per_s / ref['per_s']:.0f}x")
    print(f"  total: deterministic {total['deterministic']:.6g} (gap {det_gap:.1e}); mean {total['mean']:.6g} "
          f"sd {total['sd']:.3g} vs reference mean {ref['mean']:.6g} sd {ref['sd']:.3g} ({z_score:.2f} SE apart)")
    for x in failures:
        print(f"  FAIL: {x}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
