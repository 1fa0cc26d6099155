#!/usr/bin/python3
"""MRIO Monte Carlo benchmark: `panocarbon mrio montecarlo` (every draw reusing the factorisation of I - A as
a preconditioner, and, for the speedup, factorising I - A' in every draw) side by side with a numpy
implementation of the same model that calls np.linalg.solve in every draw; the answers are compared.

  bench/mrio_montecarlo_bench.py                          # synthetic 20 x 100 = 2,000 sectors, 20 draws
  bench/mrio_montecarlo_bench.py --regions 49 --sectors 60 --draws 10
  bench/mrio_montecarlo_bench.py --system ../shared/data/mrio/wiod2013-co2/2009 --stressor CO2 --draws 40
  bench/mrio_montecarlo_bench.py --smoke                  # 6 x 20, 1000 draws: answers only, < 30 s, exit 1
                                                          # on a mismatch

The synthetic MRIO (coefficient form: A, Y, satellite/F, F_Y) is written once by
../shared/bench/make_synthetic_mrio.py into --workdir (default /tmp/panocarbon-mrio-mc-bench) and reused.

The model (docs/uncertainty-mrio.md): every non-zero cell of Z (A in the coefficient form), Y, the stressor's
F row and F_Y row is multiplied by exp(σ z − σ²/2), σ = sqrt(ln(1 + rse²)) (mean 1, sd rse); flow form:
x' = x + (Z' − Z)1 + (Y' − Y)1, A' = Z' x'^-1 (a sector whose x' is not positive keeps x); coefficient form:
x' = (I − A')^-1 Y'1; X' = (I − A')^-1 Y'_reg, S' = F' x'^-1, per region production, consumption, imports,
exports. numpy draws with its own generator, so the two are compared as distributions: the deterministic
values to --rtol (1e-8); our 2.5/50/97.5 % percentiles between numpy's order statistics at ranks
qN -+ 4.5 sqrt(Nq(1-q)(1 + N/N_ours)) (distribution-free; only with 10 draws beyond the percentile); means within 4.5 standard errors of the difference of two
means and sds within 4.5 standard errors of the log of their ratio (+2 %), except for heavy-tailed accounts (excess kurtosis > 3,
listed), where a handful of draws decide the moments.

Timing: draws/s of panocarbon is what it reports on stderr (--verbose: the draws alone, not reading the
files); numpy's is its loop of draws alone (not reading). Both also report CPU time per draw (panocarbon:
its draw threads' CPU clocks; numpy: the process's, BLAS threads included), which a machine shared with
other jobs disturbs far less than wall time. numpy uses --threads BLAS threads
(OPENBLAS_NUM_THREADS, set before it is imported); panocarbon uses --threads draw threads, one BLAS thread each.
"""
import argparse
import csv
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import use_debian_python  # noqa: E402

ACCOUNTS = ["production", "consumption", "imports", "exports"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", help="an existing pymrio-layout folder instead of the synthetic MRIO")
    ap.add_argument("--stressor", help="stressor (default: stressor0 of the synthetic MRIO)")
    ap.add_argument("--regions", type=int, help="synthetic regions [20; 6 with --smoke]")
    ap.add_argument("--sectors", type=int, help="synthetic sectors per region [100; 20 with --smoke]")
    ap.add_argument("--density", type=float, help="synthetic share of non-zero A cells (generator default 0.32)")
    ap.add_argument("--draws", type=int, help="draws of panocarbon [20; 1000 with --smoke]")
    ap.add_argument("--numpy-draws", type=int, help="draws of numpy [as --draws]")
    ap.add_argument("--rse", type=float, default=0.1, help="RSE of every cell [0.1]")
    ap.add_argument("--threads", type=int, default=2, help="threads of both sides [2]")
    ap.add_argument("--seed", type=int, default=20100101, help="seed of panocarbon's draws")
    ap.add_argument("--rtol", type=float, default=1e-8, help="tolerance of the deterministic values [1e-8]")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"),
                    help="the shared folder beside the repository (bench/make_synthetic_mrio.py)")
    ap.add_argument("--workdir", default="/tmp/panocarbon-mrio-mc-bench", help="where the synthetic MRIO is kept")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"))
    ap.add_argument("--no-factorise", action="store_true", help="skip panocarbon's factorise-per-draw run")
    ap.add_argument("--smoke", action="store_true", help="small and quick: check the answers, exit 1 on a mismatch")
    ap.add_argument("--json", metavar="OUT", help="write the summary as JSON")
    a = ap.parse_args()
    if a.smoke:
        a.regions, a.sectors = a.regions or 6, a.sectors or 20
        a.draws = a.draws or 1000
    a.regions, a.sectors, a.draws = a.regions or 20, a.sectors or 100, a.draws or 20
    a.numpy_draws = a.numpy_draws or a.draws
    return a


ARGS = parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)  # numpy's BLAS, before numpy is imported
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
try:
    import numpy as np
    import pandas as pd
except ImportError:
    use_debian_python(__file__, "numpy and pandas (apt-get install python3-numpy python3-pandas)")


def synthetic(a):
    gen = os.path.join(a.shared, "bench", "make_synthetic_mrio.py")
    name = f"synthetic_{a.regions}x{a.sectors}" + (f"_density{a.density:g}" if a.density else "")
    path = os.path.join(a.workdir, name)
    if os.path.isfile(os.path.join(path, "metadata.json")):
        return path
    if not os.path.isfile(gen):
        raise SystemExit(f"mrio_montecarlo_bench: the generator {gen} is missing (pass --shared)")
    os.makedirs(a.workdir, exist_ok=True)
    partial = path + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    cmd = [sys.executable, gen, partial, "--regions", str(a.regions), "--sectors", str(a.sectors)]
    if a.density:
        cmd += ["--density", str(a.density)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit(f"mrio_montecarlo_bench: the generator failed ({r.returncode}):\n{r.stdout}")
    os.replace(partial, path)
    return path


def read_table(folder, entry):
    return pd.read_csv(os.path.join(folder, entry["name"]), sep="\t", index_col=list(range(int(entry["nr_index_col"]))),
                       header=list(range(int(entry["nr_header"]))))


def load(folder, stressor):
    """Z or A, Y, x (when given) and the stressor's F and F_Y rows, as numpy arrays."""
    fp = json.load(open(os.path.join(folder, "file_parameters.json")))["files"]
    flows = "Z" in fp
    M = read_table(folder, fp["Z" if flows else "A"]).values.astype(float)
    Yt = read_table(folder, fp["Y"])
    Y = Yt.values.astype(float)
    x = read_table(folder, fp["x"]).values[:, 0].astype(float) if "x" in fp else None
    for sub in sorted(os.listdir(folder)):
        efp_path = os.path.join(folder, sub, "file_parameters.json")
        if not os.path.isfile(efp_path):
            continue
        efp = json.load(open(efp_path))["files"]
        F = read_table(os.path.join(folder, sub), efp["F"])
        names = ["|".join(str(v) for v in (k if isinstance(k, tuple) else (k,))) for k in F.index]
        hits = [i for i, nm in enumerate(names) if nm == stressor or nm.split("|")[0] == stressor]
        if not hits:
            continue
        f = F.values[hits[0]].astype(float)
        fy = np.zeros(Y.shape[1])
        if "F_Y" in efp:
            fy = read_table(os.path.join(folder, sub), efp["F_Y"]).values[hits[0]].astype(float)
        regions = list(dict.fromkeys(Yt.columns.get_level_values(0)))
        return dict(flows=flows, M=M, Y=Y, x=x, f=f, fy=fy, regions=regions, stressor=names[hits[0]])
    raise SystemExit(f"mrio_montecarlo_bench: no stressor {stressor} in {folder}")


def accounts(A, Y, x, f, fy, R, flows):
    n = A.shape[0]
    ns, nc = n // R, Y.shape[1] // R
    X = np.linalg.solve(np.eye(n) - A, Y.reshape(n, R, nc).sum(2))
    if not flows:
        x = X.sum(1)
    s = np.divide(f, x, out=np.zeros_like(f), where=x != 0)
    bil = (s[:, None] * X).reshape(R, ns, R).sum(1)
    fyr = fy.reshape(R, nc).sum(1)
    dom = np.diag(bil)
    return np.stack([bil.sum(1) + fyr, bil.sum(0) + fyr, bil.sum(0) - dom, bil.sum(1) - dom], axis=1)


def numpy_montecarlo(d, draws, rse, seed):
    """Deterministic accounts and `draws` draws (draws x regions x 4), and the seconds of the draws."""
    M, Y, f, fy, R, flows = d["M"], d["Y"], d["f"], d["fy"], len(d["regions"]), d["flows"]
    if flows:
        x = d["x"] if d["x"] is not None else M.sum(1) + Y.sum(1)
        A = np.divide(M, x, out=np.zeros_like(M), where=x != 0)
        Z = M
    else:
        x, A, Z = None, M, None
    det = accounts(A, Y, x, f, fy, R, flows)
    rng = np.random.default_rng(seed)
    sigma = math.sqrt(math.log1p(rse * rse))
    nzM, nzY = M != 0, Y != 0

    def factor(shape):
        return np.exp(sigma * rng.standard_normal(shape) - sigma * sigma / 2)

    out = np.zeros((draws, R, 4))
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(draws):
        Md = np.where(nzM, M * factor(M.shape), 0.0)
        Yd = np.where(nzY, Y * factor(Y.shape), 0.0)
        fd, fyd = f * factor(f.shape), fy * factor(fy.shape)
        if flows:
            xd = x + (Md - Z).sum(1) + (Yd - Y).sum(1)
            xd = np.where((xd > 0) | (x <= 0), xd, x)
            xd = np.where(x > 0, xd, x)
            Ad = np.divide(Md, xd, out=np.zeros_like(Md), where=xd != 0)
            out[k] = accounts(Ad, Yd, xd, fd, fyd, R, True)
        else:
            out[k] = accounts(Md, Yd, None, fd, fyd, R, False)
    return det, out, time.perf_counter() - t0, time.process_time() - c0


def ours(a, path, stressor, solve, db):
    cmd = [a.bin, "mrio", "montecarlo", path, "--format", "csv", "--draws", str(a.draws), "--seed", str(a.seed),
           "--threads", str(a.threads), "--stressor", stressor, "--rse-z", str(a.rse), "--rse-y", str(a.rse),
           "--rse-f", str(a.rse), "--solver", solve, "--verbose", "--db", db]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"mrio_montecarlo_bench: panocarbon exited {p.returncode}:\n{p.stderr[-3000:]}")
    m = re.search(r"= ([0-9.]+) draws/s", p.stderr)
    cpu = re.search(r"([0-9.]+) ms CPU per draw", p.stderr)
    it = re.search(r"([0-9.]+) preconditioned iterations per draw on average \(max (\d+)\), (\d+) of", p.stderr)
    return dict(rows=list(csv.DictReader(io.StringIO(p.stdout))), draws_per_s=float(m.group(1)) if m else float("nan"),
                cpu_ms=float(cpu.group(1)) if cpu else float("nan"),
                wall_s=wall, mean_iterations=float(it.group(1)) if it else None,
                max_iterations=int(it.group(2)) if it else None, fallbacks=int(it.group(3)) if it else None,
                stdout=p.stdout)


def compare(rows, regions, det, draws, n_ours, rtol, heavy):
    bad, worst = [], 0.0
    by = {(r["region"], r["account"]): r for r in rows}
    total = max(np.abs(det[:, 1]).sum(), 1e-300)
    n_np = draws.shape[0]
    for g, reg in enumerate(regions):
        for k, acc in enumerate(ACCOUNTS):
            r = by[(reg, acc)]
            d = float(r["deterministic"])
            rel = abs(d - det[g, k]) / max(abs(d), abs(det[g, k]), 1e-12 * total)
            worst = max(worst, rel)
            if rel > rtol:
                bad.append(f"{reg} {acc}: deterministic {d!r} vs numpy {det[g, k]!r}")
            v = np.sort(draws[:, g, k])
            sd = float(np.std(v, ddof=1))
            if sd <= 1e-12 * total:
                continue
            both = math.sqrt(1.0 / n_ours + 1.0 / n_np)
            # Quantiles, free of any assumption on the distribution: ours must lie between numpy's order
            # statistics at ranks q N -+ 4.5 sqrt(N q (1 - q) (1 + N/N_ours)) (numpy's sampling error and ours),
            # for quantiles with at least 10 draws beyond them on both sides (tails of small samples are not
            # checked: a sample's 2.5 % point needs 400 draws).
            for name, q in (("p2_5", 0.025), ("median", 0.5), ("p97_5", 0.975)):
                if min(q, 1 - q) * min(n_np, n_ours) < 10:
                    continue
                half = 4.5 * math.sqrt(n_np * q * (1 - q) * (1 + n_np / n_ours)) + 1
                lo = v[max(0, int(math.floor(q * (n_np - 1) - half)))]
                hi = v[min(n_np - 1, int(math.ceil(q * (n_np - 1) + half)))]
                o = float(r[name])
                if not lo <= o <= hi:
                    bad.append(f"{reg} {acc} {name}: panocarbon {o:.6g} outside numpy's [{lo:.6g}, {hi:.6g}]")
            # Mean and sd by the normal-theory standard errors, where the tails are not heavy (excess kurtosis
            # below 3; a sector whose drawn output comes close to 0 gives intensities with heavy tails, e.g.
            # WIOD's LTU, and then a handful of draws decide the sd).
            kurt = float(np.mean((v - v.mean()) ** 4)) / sd ** 4 - 3
            if kurt > 3:
                heavy.append(f"{reg} {acc}")
                continue
            o, ref, tol = float(r["mean"]), float(v.mean()), 4.5 * sd * both
            if abs(o - ref) > tol:
                bad.append(f"{reg} {acc} mean: panocarbon {o:.6g} vs numpy {ref:.6g} (tolerance {tol:.3g})")
            # sds as a log ratio: ln s has a standard error of sqrt((1 + kurtosis/2) / (2 (N - 1))).
            se_log = math.sqrt((1 + max(kurt, 0.0) / 2) * (1 / (2 * (n_ours - 1)) + 1 / (2 * (n_np - 1))))
            o = float(r["sd"])
            if not (o > 0 and abs(math.log(o / sd)) <= 4.5 * se_log + 0.02):
                bad.append(f"{reg} {acc} sd: panocarbon {o:.6g} vs numpy {sd:.6g} (factor {math.exp(4.5 * se_log + 0.02):.3g} allowed)")
    return bad, worst


def main():
    a = ARGS
    if not os.path.isfile(a.bin):
        raise SystemExit(f"mrio_montecarlo_bench: no binary at {a.bin} (build it, or pass --bin)")
    path = a.system or synthetic(a)
    stressor = a.stressor or ("stressor0" if not a.system else None)
    if not stressor:
        raise SystemExit("mrio_montecarlo_bench: give --stressor with --system")
    t0 = time.perf_counter()
    d = load(path, stressor)
    read_s = time.perf_counter() - t0
    n, R = d["M"].shape[0], len(d["regions"])
    with tempfile.TemporaryDirectory(prefix="pc-mc-bench-") as dbdir:  # the run log's database, removed after
        db = os.path.join(dbdir, "bench.db")
        refine = ours(a, path, d["stressor"], "refine", db)
        fact = None if a.no_factorise else ours(a, path, d["stressor"], "factorise", db)
    det, draws, np_s, np_cpu = numpy_montecarlo(d, a.numpy_draws, a.rse, a.seed)
    np_rate = a.numpy_draws / np_s
    np_cpu_ms = np_cpu / a.numpy_draws * 1000
    heavy = []
    bad, worst = compare(refine["rows"], d["regions"], det, draws, a.draws, a.rtol, heavy)
    if fact:
        # The two solves of panocarbon: the same draws, the same answers up to the iteration's tolerance.
        for r1, r2 in zip(refine["rows"], fact["rows"]):
            for c in ("mean", "p2_5", "p97_5"):
                u, v = float(r1[c]), float(r2[c])
                if abs(u - v) > 1e-9 * max(abs(u), abs(v), 1e-300):
                    bad.append(f"refine vs factorise {r1['region']} {r1['account']} {c}: {u!r} vs {v!r}")
    summary = dict(system=path, n=n, regions=R, nnz=int((d["M"] != 0).sum()), form="Z" if d["flows"] else "A",
                   stressor=d["stressor"], rse=a.rse, threads=a.threads, draws=a.draws, numpy_draws=a.numpy_draws,
                   panocarbon_refine_draws_per_s=refine["draws_per_s"], mean_iterations=refine["mean_iterations"],
                   max_iterations=refine["max_iterations"], fallbacks=refine["fallbacks"],
                   panocarbon_factorise_draws_per_s=fact["draws_per_s"] if fact else None,
                   panocarbon_refine_cpu_ms_per_draw=refine["cpu_ms"],
                   panocarbon_factorise_cpu_ms_per_draw=fact["cpu_ms"] if fact else None,
                   numpy_cpu_ms_per_draw=np_cpu_ms, numpy_draws_per_s=np_rate, read_s_numpy=read_s, deterministic_worst_rel=worst,
                   mismatches=len(bad), heavy_tailed_accounts=heavy)
    if fact:
        summary["speedup_refine_vs_factorise"] = refine["draws_per_s"] / fact["draws_per_s"]
        summary["cpu_ratio_factorise_over_refine"] = fact["cpu_ms"] / refine["cpu_ms"]
    summary["speedup_vs_numpy"] = refine["draws_per_s"] / np_rate
    summary["cpu_ratio_numpy_over_refine"] = np_cpu_ms / refine["cpu_ms"]
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(summary, fh, indent=2)
    if a.smoke:
        print(f"mrio_montecarlo_bench --smoke: n = {n}, {a.draws} + {a.numpy_draws} draws, "
              f"{R * 4} accounts: {'OK' if not bad else 'MISMATCH'} (deterministic worst rel {worst:.2g}; "
              f"refine {refine['draws_per_s']:.0f} draws/s, {refine['mean_iterations']} iterations/draw, "
              f"numpy {np_rate:.0f} draws/s)")
    else:
        print(f"system {path}: n = {n} ({R} regions), {summary['nnz']} non-zero {summary['form']} cells, "
              f"stressor {d['stressor']}, RSE {a.rse}, {a.threads} threads")
        print(f"{'':34} {'draws':>7} {'draws/s':>10} {'CPU ms/draw':>12}")
        print(f"{'panocarbon, refine (reuse LU)':34} {a.draws:>7} {refine['draws_per_s']:>10.2f} {refine['cpu_ms']:>12.1f}   "
              f"{refine['mean_iterations']} iterations/draw (max {refine['max_iterations']}), "
              f"{refine['fallbacks']} fallbacks")
        if fact:
            print(f"{'panocarbon, factorise per draw':34} {a.draws:>7} {fact['draws_per_s']:>10.2f} {fact['cpu_ms']:>12.1f}")
        print(f"{'numpy, np.linalg.solve per draw':34} {a.numpy_draws:>7} {np_rate:>10.2f} {np_cpu_ms:>12.1f}")
        if fact:
            print(f"refine vs factorise: {summary['speedup_refine_vs_factorise']:.2f}x draws/s, "
                  f"{summary['cpu_ratio_factorise_over_refine']:.2f}x less CPU;  ", end="")
        print(f"refine vs numpy: {summary['speedup_vs_numpy']:.2f}x draws/s, "
              f"{summary['cpu_ratio_numpy_over_refine']:.2f}x less CPU;  deterministic worst rel {worst:.2g}; "
              f"answers {'agree' if not bad else 'DISAGREE'}")
        if heavy:
            print(f"  heavy-tailed (quantiles compared, not mean and sd): {', '.join(heavy)}")
    for b in bad[:20]:
        print("  " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
