#!/usr/bin/python3
"""LCA benchmark: an ecoinvent-sized synthetic database (20,000 processes, ~300,000 technosphere non-zeros)
imported and calculated by `panocarbon lca import` / `panocarbon lca calc`, measured side by side with a
scipy reference that does what Brightway's bw2calc does without pypardiso (scipy.sparse.linalg.splu,
SuperLU with its default COLAMD ordering and partial pivoting), and the 100 GWP totals compared.

  bench/lca_bench.py                                  # 20,000 processes, 100 demands
  bench/lca_bench.py --smoke                          # 500 processes: answers only, one line, exit 1 on a mismatch
  bench/lca_bench.py --processes 5000 --seed 3        # any size
  bench/lca_bench.py --reference-only                 # the reference alone (no binary needed)

The database is written once by bench/make_synthetic_technosphere.py into --workdir (OUT.zip, the openLCA
JSON-LD, and OUT.npz, the same matrices) and reused by later runs of the same size, seed and generator
(the file name holds a hash of the generator).

Each side runs as its own child process, waited for with os.wait4, so its wall time and peak RSS (ru_maxrss)
are its own:
  * the reference (this script with --_reference): loads the npz, builds A (csc) and B (csr) and c, factorises
    A with splu (timed), then per demand a full LCI s = lu.solve(f), g = B s, h = c g (mean over the first 50
    demands, each a unit demand of one process's reference product), then the LCIA of all the demands at once:
    S = lu.solve(F) with F the n x 100 demand matrix, H = c (B S) (timed). Its peak RSS includes the
    interpreter, numpy and scipy (about 60 MB).
  * panocarbon: `lca import ZIP --name bench --db WORKDIR/bench.db` (timed: reading the JSON-LD, linking,
    storing), then `PANOCARBON_TRACE=1 lca calc --database bench --process P1 ... --process P100
    --format csv`; its phase times are read from the `trace:` lines on stderr ("lca load", "lca build",
    "lca factorise", "lca lcia (100 demands)", "lca lci per demand", "lca solve (100 demands)").
Figures compared (ratio = reference / panocarbon, > 1 means panocarbon is faster or smaller):
  factorisation       splu                                     vs  "lca factorise"
  LCI per demand      mean of solve + B s + c g                vs  "lca lci per demand"
  LCIA of 100 FUs     lu.solve(F) + c (B S)                    vs  "lca lcia (100 demands)"
  peak RSS            the reference's whole process            vs  the `lca calc` process
The 100 `total` values (kg CO2e of the default method) must agree to --rtol (1e-9) relative:
|a - b| <= rtol * max(|a|, |b|, 1e-12 * max |total|); the benchmark fails otherwise. The project's goals
(faster than the reference on each figure, one LCI under 20 ms once factorised) are reported, not enforced.

Needs python3 with numpy and scipy (Debian python3-numpy, python3-scipy). If the python3 that runs this
script lacks them and /usr/bin/python3 has them, the script re-runs itself with /usr/bin/python3.
"""
import argparse
import csv
import hashlib
import json
import math
import os
import random
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
except ImportError:  # e.g. a pyenv/venv python3 first on PATH; Debian's has the packages
    use_debian_python(__file__, "numpy and scipy (apt-get install python3-numpy python3-scipy)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR = os.path.join(REPO, "bench", "make_synthetic_technosphere.py")
SMOKE_PROCESSES = 500
LCI_GOAL_S = 0.020
TRACE = re.compile(r"^trace:\s+(.*?)\s+([-+0-9.eE]+|nan|inf)\s+s\s*$")


# --- The reference (its own process: lca_bench.py --_reference NPZ DEMANDS.json OUT.json) -----------------------

def reference(npz_path, demands_path, out_path):
    times = {}
    t0 = time.perf_counter()
    m = np.load(npz_path, allow_pickle=False)
    n = int(m["A_shape"][0])
    A_row, A_col, A_val = m["A_row"], m["A_col"], m["A_val"]
    B_row, B_col, B_val = m["B_row"], m["B_col"], m["B_val"]
    c = np.array(m["c"], dtype=np.float64)
    B_shape = tuple(int(x) for x in m["B_shape"])
    times["load_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    A = sp.csc_matrix((A_val, (A_row, A_col)), shape=(n, n))  # duplicates summed, as bw2calc's matrices
    B = sp.csr_matrix((B_val, (B_row, B_col)), shape=B_shape)
    times["build_s"] = time.perf_counter() - t1
    with open(demands_path) as f:
        demands = json.load(f)["indices"]

    t1 = time.perf_counter()
    lu = sla.splu(A)  # scipy.sparse.linalg.factorized / spsolve without umfpack: SuperLU, COLAMD
    times["factorise_s"] = time.perf_counter() - t1
    times["lu_nnz"] = int(lu.nnz)
    times["nnz_A"] = int(A.nnz)
    times["nnz_B"] = int(B.nnz)
    times["n"] = n

    # one full LCI per demand: s = A^-1 f, g = B s, h = c g
    single = []
    per = []
    for j in demands[:50]:
        f = np.zeros(n)
        f[j] = 1.0
        t1 = time.perf_counter()
        s = lu.solve(f)
        g = B @ s
        h = float(c @ g)
        per.append(time.perf_counter() - t1)
        single.append(h)
    times["lci_per_demand_s"] = sum(per) / len(per)
    times["lci_per_demand_min_s"] = min(per)
    times["lci_demands"] = len(per)

    # LCIA of all demands at once: S = A^-1 F, H = c (B S)
    F = np.zeros((n, len(demands)))
    for k, j in enumerate(demands):
        F[j, k] = 1.0
    t1 = time.perf_counter()
    S = lu.solve(F)
    H = c @ (B @ S)
    times["lcia_many_s"] = time.perf_counter() - t1
    times["demands"] = len(demands)
    resid = np.abs(A @ S - F).max()
    times["max_residual"] = float(resid)
    times["total_s"] = time.perf_counter() - t0
    out = {"times": times, "totals": [float(x) for x in H], "totals_single": single}
    with open(out_path, "w") as f:
        json.dump(out, f)
    print(f"reference: load {times['load_s']:.3f} s, build {times['build_s']:.3f} s, splu {times['factorise_s']:.3f} s "
          f"(nnz L+U {times['lu_nnz']:,} = {times['lu_nnz'] / times['nnz_A']:.1f} x nnz A), "
          f"LCI per demand {times['lci_per_demand_s'] * 1e3:.2f} ms, LCIA of {len(demands)} "
          f"{times['lcia_many_s']:.3f} s", file=sys.stderr)
    return 0


# --- Measuring ---------------------------------------------------------------------------------------------------

def read_trace(path):
    """{phase: [seconds, ...]} from the `trace:` lines of a stderr file."""
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            mt = TRACE.match(line.rstrip("\n"))
            if mt:
                out.setdefault(mt.group(1).strip(), []).append(float(mt.group(2)))
    return out


def phase(tr, prefix):
    """Seconds of the first phase whose name starts with prefix (several lines: their mean), or None."""
    for name, vals in tr.items():
        if name == prefix or name.startswith(prefix + " ") or name.startswith(prefix + "("):
            return sum(vals) / len(vals)
    return None


def read_totals(path, names, ids, category="total"):
    """{process index: amount} of `category` from `lca calc --format csv` with several processes
    (process,category,amount,unit); the process column may hold the name or the id."""
    by_name = {nm: i for i, nm in enumerate(names)}
    by_id = {pid: i for i, pid in enumerate(ids)}
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r, None)
        if header is None or [h.strip() for h in header[:4]] != ["process", "category", "amount", "unit"]:
            raise ValueError(f"{path}: header {header!r}, expected process,category,amount,unit")
        for line_no, row in enumerate(r, start=2):
            if not row:
                continue
            if len(row) < 4:
                raise ValueError(f"{path}:{line_no}: {len(row)} fields, expected 4")
            if row[1] != category:
                continue
            i = by_id.get(row[0], by_name.get(row[0]))
            if i is None:
                raise ValueError(f"{path}:{line_no}: process {row[0]!r} is not in the database")
            if i in out:
                raise ValueError(f"{path}:{line_no}: {row[0]!r} appears twice")
            out[i] = float(row[2])
    return out


def compare(ours, ref, rtol, label=lambda i: f"process #{i}"):
    """(disagreements as text, max relative difference). ref: {index: value}, ours likewise."""
    bad = []
    scale = max((abs(v) for v in ref.values()), default=0.0)
    worst = 0.0
    for i in sorted(ref):
        if i not in ours:
            bad.append(f"{label(i)}: missing from panocarbon's output")
            worst = math.inf
            continue
        a, b = ours[i], ref[i]
        if not (math.isfinite(a) and math.isfinite(b)):
            bad.append(f"{label(i)}: panocarbon {a!r} vs reference {b!r}")
            worst = math.inf
            continue
        rel = abs(a - b) / max(abs(a), abs(b), 1e-12 * scale, 1e-300)
        worst = max(worst, rel)
        if rel > rtol:
            bad.append(f"{label(i)}: panocarbon {a!r} vs reference {b!r} (rel {rel:.3g})")
    for i in sorted(set(ours) - set(ref)):
        bad.append(f"{label(i)}: printed by panocarbon but not asked for")
    return bad, worst


def synthetic(args):
    """(zip path, npz path, generation seconds or None when reused) of the system for these arguments."""
    with open(GENERATOR, "rb") as f:  # a new generator writes a new file
        version = hashlib.sha1(f.read()).hexdigest()[:8]
    name = f"synthetic_{args.processes}_seed{args.seed}_{version}"
    z = os.path.join(args.workdir, name + ".zip")
    npz = os.path.join(args.workdir, name + ".npz")
    if os.path.isfile(z) and os.path.isfile(npz):
        return z, npz, None
    os.makedirs(args.workdir, exist_ok=True)
    t0 = time.perf_counter()
    cmd = [sys.executable, GENERATOR, z, "--processes", str(args.processes), "--seed", str(args.seed)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit(f"lca_bench: FAIL: the generator failed ({r.returncode}):\n{r.stdout}")
    return z, npz, time.perf_counter() - t0


def best(runs):
    """Per figure, the smallest value over the runs (numbers only); `runs` is the count."""
    out = {}
    for key in runs[0]:
        vals = [r[key] for r in runs if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]
        out[key] = min(vals) if len(vals) == len(runs) else runs[-1][key]
    out["runs"] = len(runs)
    return out


def pick_demands(n, k, seed):
    """k distinct process indices, deterministic from the seed, in increasing order."""
    return sorted(random.Random(f"lca-bench/{seed}").sample(range(n), min(k, n)))


# --- Main ----------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, help="processes of the synthetic database [20000; 500 with --smoke]")
    ap.add_argument("--seed", type=int, default=1, help="generator seed [1]")
    ap.add_argument("--demands", type=int, default=100, help="processes calculated at once [100]")
    ap.add_argument("--workdir", default="/tmp/panocarbon-lca-bench",
                    help="where the database, panocarbon's SQLite file and the outputs are written; a database "
                         "already there is reused [/tmp/panocarbon-lca-bench]")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"),
                    help="panocarbon binary [build/bin/panocarbon]")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each side's calculation; each figure is the best of them [1]")
    ap.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance of the comparison [1e-9]")
    ap.add_argument("--timeout", type=float, help="seconds after which a side is killed [none]")
    ap.add_argument("--smoke", action="store_true",
                    help=f"{SMOKE_PROCESSES} processes, answers only: one line, exit 1 on a mismatch")
    ap.add_argument("--reference-only", action="store_true", help="run and time the reference alone")
    ap.add_argument("--json", metavar="OUT", help="write the summary as JSON [WORKDIR/summary-N.json]")
    ap.add_argument("--_reference", nargs=3, metavar=("NPZ", "DEMANDS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._reference:
        return reference(*args._reference)

    if args.processes is None:
        args.processes = SMOKE_PROCESSES if args.smoke else 20000
    if args.processes < 100:
        ap.error("--processes must be at least 100")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.demands < 2:
        ap.error("--demands must be at least 2 (one process takes another output format)")
    args.workdir = os.path.abspath(args.workdir)
    binary = os.path.abspath(args.bin)
    if not args.reference_only and not os.access(binary, os.X_OK):
        print(f"lca_bench: FAIL: no panocarbon binary at {binary} (build it, pass --bin, or use --reference-only)")
        return 2
    os.makedirs(args.workdir, exist_ok=True)
    failures = []

    z, npz, gen_s = synthetic(args)
    tag = os.path.basename(z)[:-4]
    m = np.load(npz, allow_pickle=False)
    n = int(m["processes"])
    ids = [str(x) for x in m["process_ids"]]
    names = [str(x) for x in m["process_names"]]
    demands = pick_demands(n, args.demands, args.seed)
    demands_path = os.path.join(args.workdir, f"{tag}.demands.json")
    with open(demands_path, "w") as f:
        json.dump({"indices": demands, "ids": [ids[j] for j in demands]}, f)
    summary = {"database": z, "processes": n, "nnz_A": int(len(m["A_val"])), "nnz_B": int(len(m["B_val"])),
               "zip_mb": os.path.getsize(z) / 1e6, "generated_s": gen_s, "demands": len(demands),
               "rtol": args.rtol}

    # --- the reference (best of --repeat for each figure) ---
    ref_out = os.path.join(args.workdir, f"{tag}.reference.json")
    runs = []
    for _ in range(args.repeat):
        cmd = [sys.executable, os.path.abspath(__file__), "--_reference", npz, demands_path, ref_out]
        rc, wall, rss, cpu = run_child(cmd, os.path.join(args.workdir, f"{tag}.reference.out"),
                                       os.path.join(args.workdir, f"{tag}.reference.err"), args.timeout)
        if rc != 0:
            print(f"lca_bench: FAIL: the reference exited {rc}:\n"
                  f"{tail(os.path.join(args.workdir, f'{tag}.reference.err'))}")
            return 1
        with open(ref_out) as f:
            ref_data = json.load(f)
        runs.append(dict(ref_data["times"], wall_s=wall, peak_rss_mb=rss, cpu_s=cpu))
    ref = best(runs)
    summary["reference"] = ref
    ref_totals = {j: v for j, v in zip(demands, ref_data["totals"])}
    # the reference against itself: one demand at a time and all at once
    self_bad, self_worst = compare({j: v for j, v in zip(demands, ref_data["totals_single"])},
                                   {j: ref_totals[j] for j in demands[:len(ref_data["totals_single"])]}, 1e-11)
    summary["reference_self_check_max_rel_diff"] = self_worst
    if self_bad:
        failures.append(f"the reference disagrees with itself (single vs many demands): {self_bad[0]}")

    # --- panocarbon ---
    if not args.reference_only:
        db = os.path.join(args.workdir, f"{tag}.db")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        cmd = [binary, "lca", "import", z, "--name", "bench", "--db", db, "--format", "json"]
        imp_out, imp_err = (os.path.join(args.workdir, f"{tag}.import.{s}") for s in ("out", "err"))
        rc, wall, rss, cpu = run_child(cmd, imp_out, imp_err, args.timeout)
        if rc != 0:
            print(f"lca_bench: FAIL: `{' '.join(cmd)}` exited {rc}:\n{tail(imp_err)}")
            return 1
        summary["panocarbon_import"] = {"wall_s": wall, "peak_rss_mb": rss, "cpu_s": cpu}
        try:  # the reader's and the store's shares, when the CLI reports them
            with open(imp_out) as f:
                info = json.load(f)
            summary["panocarbon_import"].update({k: info[k] for k in ("read_s", "store_s") if k in info})
        except (OSError, ValueError):
            pass

        calc_csv, calc_err = (os.path.join(args.workdir, f"{tag}.calc.{s}") for s in ("csv", "err"))
        cmd = [binary, "lca", "calc", "--database", "bench", "--db", db, "--format", "csv"]
        for j in demands:
            cmd += ["--process", ids[j]]
        env = dict(os.environ, PANOCARBON_TRACE="1")
        runs = []
        worst = 0.0
        agree = True
        for _ in range(args.repeat):
            rc, wall, rss, cpu = run_child(cmd, calc_csv, calc_err, args.timeout, env=env)
            if rc != 0:
                print(f"lca_bench: FAIL: `{' '.join(cmd[:8])} ... ({len(demands)} --process)` exited {rc}:\n"
                      f"{tail(calc_err)}")
                return 1
            tr = read_trace(calc_err)
            runs.append({"wall_s": wall, "peak_rss_mb": rss, "cpu_s": cpu,
                         "load_s": phase(tr, "lca load"), "build_s": phase(tr, "lca build"),
                         "factorise_s": phase(tr, "lca factorise"),
                         "lci_per_demand_s": phase(tr, "lca lci per demand"),
                         "lcia_many_s": phase(tr, "lca lcia"), "solve_many_s": phase(tr, "lca solve")})
            try:
                got = read_totals(calc_csv, names, ids)
            except ValueError as e:
                print(f"lca_bench: FAIL: {e}")
                return 1
            bad, w = compare(got, ref_totals, args.rtol, lambda i: f"'{names[i]}' ({ids[i]})")
            worst = max(worst, w)
            if bad:
                agree = False
                failures.append(f"panocarbon vs reference: {len(bad)} of {len(ref_totals)} totals disagree, "
                                f"first: {bad[0]}")
                break
        ours = best(runs)
        ours["trace_last_run"] = tr
        summary["panocarbon"] = ours
        summary.update(max_rel_diff=worst, values_compared=len(ref_totals), agree=agree)

        def ratio(a, b):
            return a / b if a is not None and b else None
        summary["ratios_reference_over_panocarbon"] = {
            "factorise": ratio(ref["factorise_s"], ours["factorise_s"]),
            "lci_per_demand": ratio(ref["lci_per_demand_s"], ours["lci_per_demand_s"]),
            "lcia_many": ratio(ref["lcia_many_s"], ours["lcia_many_s"]),
            "peak_rss": ratio(ref["peak_rss_mb"], ours["peak_rss_mb"]),
        }
        r = summary["ratios_reference_over_panocarbon"]
        summary["goals"] = {
            "faster_on_each_figure": all(v is not None and v > 1 for k, v in r.items() if k != "peak_rss"),
            "smaller_peak_rss": r["peak_rss"] is not None and r["peak_rss"] > 1,
            "lci_under_20ms": ours["lci_per_demand_s"] is not None and ours["lci_per_demand_s"] < LCI_GOAL_S,
        }
    summary["ok"] = not failures

    json_path = args.json or os.path.join(args.workdir, f"summary-{tag}.json")
    with open(json_path, "w") as f:
        json.dump(summary, f, indent=1)

    if args.smoke:
        if args.reference_only:
            detail = f"reference only, {ref['wall_s']:.2f} s"
        elif summary.get("agree"):
            detail = (f"{summary['values_compared']} totals agree with scipy splu, max rel diff "
                      f"{summary['max_rel_diff']:.3g}")
        else:
            detail = "panocarbon disagrees"
        status = "PASS" if not failures else "FAIL"
        print(f"lca_bench smoke: {status} ({n} processes, nnz(A) {summary['nnz_A']:,}; {detail})"
              + (f": {failures[0]}" if failures else ""))
        return 0 if not failures else 1

    print(f"panocarbon LCA benchmark: {n:,} processes, nnz(A) {summary['nnz_A']:,}, nnz(B) {summary['nnz_B']:,}, "
          f"{len(demands)} demands; {summary['zip_mb']:.1f} MB JSON-LD zip "
          f"({'reused' if gen_s is None else f'generated in {gen_s:.1f} s'}: {z})")
    print(f"  reference: scipy {__import__('scipy').__version__} splu (SuperLU, COLAMD); nnz(L+U) "
          f"{ref['lu_nnz']:,} = {ref['lu_nnz'] / ref['nnz_A']:.1f} x nnz(A); npz load {ref['load_s']:.3f} s, "
          f"csc/csr build {ref['build_s']:.3f} s, max residual {ref['max_residual']:.2g}")
    w = 14
    o = summary.get("panocarbon", {})

    def fmt(v, f):
        return format(v, f) if v is not None else "-"

    def row(label, rv, ov, f, scale=1.0):
        rat = rv / ov if (rv is not None and ov) else None
        print(f"  {label:28}{fmt(rv * scale if rv is not None else None, f):>{w}}"
              f"{fmt(ov * scale if ov is not None else None, f):>{w}}{(f'{rat:.2f}x' if rat else '-'):>{w}}")
    print(f"  {'':28}{'reference':>{w}}{'panocarbon':>{w}}{'ref / ours':>{w}}")
    row("factorisation (s)", ref["factorise_s"], o.get("factorise_s"), ".3f")
    row("LCI per demand (ms)", ref["lci_per_demand_s"], o.get("lci_per_demand_s"), ".3f", 1e3)
    row(f"LCIA of {len(demands)} FUs (s)", ref["lcia_many_s"], o.get("lcia_many_s"), ".4f")
    row("peak RSS (MB)", ref["peak_rss_mb"], o.get("peak_rss_mb"), ".0f")
    row("process wall time (s)", ref["wall_s"], o.get("wall_s"), ".2f")
    if o:
        imp = summary["panocarbon_import"]
        split = (f": read {imp['read_s']:.2f} s, store {imp['store_s']:.2f} s" if "read_s" in imp and "store_s" in imp
                 else "")
        print(f"  panocarbon: import {imp['wall_s']:.2f} s ({imp['peak_rss_mb']:.0f} MB peak{split}); calc phases: load "
              f"{fmt(o['load_s'], '.3f')} s, build {fmt(o['build_s'], '.3f')} s, factorise "
              f"{fmt(o['factorise_s'], '.3f')} s, {len(demands)} separate solves {fmt(o['solve_many_s'], '.3f')} s")
        print(f"  answers: {summary['values_compared']} totals, max rel diff {summary['max_rel_diff']:.3g} "
              f"(rtol {args.rtol:g}) - {'agree' if summary['agree'] else 'DISAGREE'}")
        g = summary["goals"]
        print(f"  goals: faster on each figure: {'yes' if g['faster_on_each_figure'] else 'NO'}; one LCI under "
              f"{LCI_GOAL_S * 1e3:.0f} ms: {'yes' if g['lci_under_20ms'] else 'NO'}; smaller peak RSS: "
              f"{'yes' if g['smaller_peak_rss'] else 'NO'}")
    print(f"  summary: {json_path}")
    for f_ in failures:
        print(f"lca_bench: FAIL: {f_}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
