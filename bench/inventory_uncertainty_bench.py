#!/usr/bin/python3
"""Inventory uncertainty benchmark: IPCC Approach 2 (Monte Carlo) of N activity rows by
`panocarbon inventory uncertainty`, measured side by side with a vectorised numpy implementation of the
same model in the same run, and the two answers compared line by line within Monte Carlo error.

  bench/inventory_uncertainty_bench.py                  # 1,000 rows x 100,000 draws: draws/s both sides, ratio,
                                                        # the floor; the two sides alternate 3 times (--repeat),
                                                        # the best of each is reported; last line: the summary
  bench/inventory_uncertainty_bench.py --smoke          # 200 rows x 20,000 draws, answers only, < 20 s,
                                                        # one line, exit 1 on a mismatch

The model (docs/uncertainty-inventory.md): every gas of every row is E = x * a_row * f_factor * n_fuel with
  a_row    the row's activity-data multiplier (uncertainty_pct, else --activity-uncertainty 5 %),
  f_factor one draw per emission factor per draw, shared by every row using it (bounds of
           data/emission_factors.csv),
  n_fuel   one draw per fuel per draw where the fuel's mass was converted with its NCV (data/fuels.csv),
each from panocarbon's unc::from_ipcc_percent rule: symmetric and < 50 % -> normal(1, pct/100/1.96),
otherwise lognormal with sigma = ln((1 + high)/(1 - low)) / (2 * 1.96) and median sqrt((1 - low)(1 + high)).
Sums by category (every level of the IPCC tree) and the total; mean, p2.5 and p97.5 per line.

The rows are generated deterministically (--seed) from the (category, fuel or product, unit) combinations of
bench/inventory_bench.py (those the data tables give complete default factors for), plus a column
uncertainty_pct (2..10 %, empty for one row in ten) and amounts spread over one decade. The numpy side uses its own generator (PCG64), so the two
agree only within Monte Carlo error: each mean must agree within 5 standard errors, each percentile within
5 of its standard errors (sqrt(q(1-q)/n) / density at the quantile, the density estimated from the numpy
sample's 0.5 % neighbours of the quantile, so skewed lines get their own width).

The floor (build/bin/panocarbon_draws_floor, bench/draws_floor.cpp, when it was built): the CPU seconds on one
thread of the Philox uniforms, the normal transforms and the sums of the terms for this model's size, the work
any implementation of these draws does; divided by the threads it is the wall time at perfect scaling.

Both sides run as child processes. panocarbon's time is the wall time of the whole command (reading, the draws,
summaries, the run log); the numpy side times only its model building and draws (not the interpreter's start,
imports or reading the CSV). Threads: panocarbon uses --threads (default: all cores); numpy is single-threaded
(its random generators and element-wise operations are). Needs /usr/bin/python3 with numpy and pandas.
"""
import argparse
import csv
import json
import math
import os
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_child, tail, use_debian_python  # noqa: E402

try:
    import numpy as np
    import pandas  # noqa: F401  (inventory_bench needs it; checked here so that the switch re-runs this script)
except ImportError:
    use_debian_python(__file__, "numpy and pandas (apt-get install python3-numpy python3-pandas)")
import inventory_bench as ib  # noqa: E402  the data tables' Library and its combinations of rows

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Z975 = 1.959963984540054
DEFAULT_AD_PCT = 5.0
GWP_SET = ib.GWP_SET
# log10 range of amounts per unit: one decade, so that many rows share a factor with similar weights (the
# correlation of a shared factor then shows in the totals, and the check sees it)
AMOUNT_LOG10 = {"t": (3.0, 4.0), "kt": (0.0, 1.0), "TJ": (2.0, 3.0), "GJ": (5.0, 6.0)}


def generate(path, n, seed, lib):
    """n activity rows (one country-year) with uncertainty_pct; returns the rows as dicts."""
    kinds = [(c, a, u) for c, a, units in lib.combos() for u in units]
    rng = np.random.default_rng(seed)
    k = rng.integers(0, len(kinds), n)
    lo = np.array([AMOUNT_LOG10[u][0] for _, _, u in kinds])
    hi = np.array([AMOUNT_LOG10[u][1] for _, _, u in kinds])
    amount = np.maximum(np.round(10.0 ** rng.uniform(lo[k], hi[k]), 3), 0.001)
    upct = np.round(rng.uniform(2, 10, n), 1)
    blank = rng.uniform(0, 1, n) < 0.1
    rows = []
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("category,activity,amount,unit,uncertainty_pct,country,year\n")
        for i in range(n):
            c, a, u = kinds[k[i]]
            pct = "" if blank[i] else f"{upct[i]:.1f}"
            out.write(f"{ib.csv_field(c)},{ib.csv_field(a)},{amount[i]:.3f},{u},{pct},XL,2022\n")
            rows.append({"category": c, "activity": a, "amount": float(f"{amount[i]:.3f}"), "unit": u,
                         "pct": DEFAULT_AD_PCT if blank[i] else float(pct)})
    return rows


def multiplier(low, high):
    """unc::from_ipcc_percent(1, low, high) as (kind, a, b): ('c', 1, 0), ('n', 1, sd) or ('l', mu, sigma)."""
    if not (low > 0 or high > 0):
        return ("c", 1.0, 0.0)
    if low == high and high < 50:
        return ("n", 1.0, high / 100 / Z975)
    lo, hi = 1 - min(low, 99.9) / 100, 1 + high / 100
    return ("l", math.log(math.sqrt(lo * hi)), math.log(hi / lo) / (2 * Z975))


def bounds_pct(value, lower, upper):
    if lower == "" or upper == "" or value == 0:
        return 0.0, 0.0
    lower, upper = float(lower), float(upper)
    return max(0.0, (value - lower) / abs(value) * 100), max(0.0, (upper - value) / abs(value) * 100)


def build_model(rows, lib, data_dir):
    """Terms, parameters and the report's lines of the model (see the module docstring)."""
    with open(os.path.join(data_dir, "emission_factors.csv"), newline="") as f:
        fbounds = {r["id"].strip(): (r["lower"].strip(), r["upper"].strip()) for r in csv.DictReader(f)}
    with open(os.path.join(data_dir, "fuels.csv"), newline="") as f:
        nbounds = {r["fuel"]: (float(r["ncv_tj_per_gg"]) if r["ncv_tj_per_gg"].strip() else 0.0,
                               r["ncv_lower"].strip(), r["ncv_upper"].strip()) for r in csv.DictReader(f)}
    factors, fuels = {}, {}  # id -> index
    fdist, ndist = [], []
    t_row, t_x, t_f, t_n, t_cat = [], [], [], [], []
    for i, r in enumerate(rows):
        activity = lib.resolve_activity(r["activity"])
        fuel = lib.fuels.get(activity)
        akind, ascale = ib.unit_kind(r["unit"])
        for f in lib.select(r["category"], activity):
            num, den = f["unit"].split("/")
            _, nscale = ib.unit_kind(num)
            dkind, dscale = ib.unit_kind(den)
            ncv = akind != dkind
            a = ascale / dscale if not ncv else ascale / 1e3 * fuel["ncv"] / dscale
            if f["gas"] == "CO2" and fuel is not None and fuel["biomass"]:
                continue  # biogenic CO2: a memo item
            e_t = r["amount"] * a * f["value"] * nscale
            x = e_t * lib.gwp_of(f["gas"], r["category"])
            if f["id"] not in factors:
                factors[f["id"]] = len(fdist)
                fdist.append(multiplier(*bounds_pct(f["value"], *fbounds[f["id"]])))
            n = -1
            if ncv:
                if activity not in fuels:
                    fuels[activity] = len(ndist)
                    ndist.append(multiplier(*bounds_pct(*nbounds[activity])))
                n = fuels[activity]
            t_row.append(i)
            t_x.append(x)
            t_f.append(factors[f["id"]])
            t_n.append(n)
            t_cat.append(r["category"])
    # Lines: every category with a term below it, in the tree's order, then the total.
    touched = set()
    for c in t_cat:
        while c and c != "0" and c not in touched:
            touched.add(c)
            c = lib.parent.get(c, "")
    lines = [c for c in lib.order if c in touched]
    index = {c: j for j, c in enumerate(lines)}
    leaf = sorted(set(t_cat), key=lambda c: index[c])
    roll = np.zeros((len(lines) + 1, len(leaf)))  # line x leaf: 1 where the leaf is in the line's subtree
    for j, c in enumerate(leaf):
        roll[len(lines), j] = 1
        while c in index:
            roll[index[c], j] = 1
            c = lib.parent.get(c, "")
    ad = [multiplier(r["pct"], r["pct"]) for r in rows]
    order = np.argsort([leaf.index(c) for c in t_cat], kind="stable")
    t_leaf = np.array([leaf.index(c) for c in t_cat])[order]
    starts = np.flatnonzero(np.r_[True, t_leaf[1:] != t_leaf[:-1]])
    return {"ad": ad, "f": fdist, "n": ndist, "row": np.array(t_row)[order], "x": np.array(t_x)[order],
            "fi": np.array(t_f)[order], "ni": np.array(t_n)[order], "starts": starts, "roll": roll,
            "lines": lines + ["total"]}


def draw(dists, rng, b):
    """A (len(dists), b) array of draws of the multipliers."""
    kind = np.array([d[0] for d in dists])
    a = np.array([d[1] for d in dists])[:, None]
    s = np.array([d[2] for d in dists])[:, None]
    z = rng.standard_normal((len(dists), b))
    out = a + s * z
    lg = kind == "l"
    out[lg] = np.exp(out[lg])
    return out


def numpy_montecarlo(m, draws, seed, chunk=2000):
    """The model's draws with numpy: (lines, draws) array."""
    rng = np.random.default_rng(seed)
    out = np.empty((len(m["lines"]), draws))
    ones = None
    for s in range(0, draws, chunk):
        b = min(chunk, draws - s)
        a = draw(m["ad"], rng, b)
        f = draw(m["f"], rng, b)
        n = draw(m["n"], rng, b) if m["n"] else np.ones((0, b))
        if ones is None or ones.shape[1] != b:
            ones = np.ones((1, b))
        n = np.vstack([n, ones])  # index -1: no NCV
        e = a[m["row"]]
        e *= m["x"][:, None]
        e *= f[m["fi"]]
        e *= n[m["ni"]]
        out[:, s:s + b] = m["roll"] @ np.add.reduceat(e, m["starts"], axis=0)
    return out


def summaries(values):
    q = np.percentile(values, [2.0, 2.5, 3.0, 97.0, 97.5, 98.0], axis=1)
    return {"mean": values.mean(axis=1), "p2_5": q[1], "p97_5": q[4], "sd": values.std(axis=1, ddof=1),
            "p2_0": q[0], "p3_0": q[2], "p97_0": q[3], "p98_0": q[5]}


def compare(ours, ref, n_ours, n_ref):
    """Mismatches beyond Monte Carlo error (see the module docstring)."""
    bad = []
    for j, key in enumerate(ref["lines"]):
        if key not in ours:
            bad.append(f"{key}: missing from panocarbon's output")
            continue
        o = ours[key]
        sd = ref["sd"][j]
        se_mean = sd * math.sqrt(1 / n_ours + 1 / n_ref)
        if abs(o["mean"] - ref["mean"][j]) > 5 * se_mean + 1e-9 * abs(ref["mean"][j]):
            bad.append(f"{key} mean: panocarbon {o['mean']:.6g} vs numpy {ref['mean'][j]:.6g} (5 se = {5 * se_mean:.3g})")
        for q, name, below, above in ((0.025, "p2_5", "p2_0", "p3_0"), (0.975, "p97_5", "p97_0", "p98_0")):
            # standard error of a sample quantile: sqrt(q(1-q)/n) / density, the density from the numpy sample
            # (1 % of probability over the distance between its 0.5 % neighbours), so skewed lines are right
            inv_density = (ref[above][j] - ref[below][j]) / 0.01
            se = math.sqrt(q * (1 - q)) * inv_density * math.sqrt(1 / n_ours + 1 / n_ref)
            tol = 5 * se + 1e-9 * abs(ref["mean"][j])
            if abs(o[name] - ref[name][j]) > tol:
                bad.append(f"{key} {name}: panocarbon {o[name]:.6g} vs numpy {ref[name][j]:.6g} (tolerance {tol:.3g})")
    extra = set(ours) - set(ref["lines"])
    if extra:
        bad.append(f"panocarbon has lines numpy has not: {sorted(extra)[:5]}")
    return bad


def parse_csv(path):
    with open(path, newline="") as f:
        rd = csv.reader(f)
        head = next(rd)
        if head != ["category", "mean_t_co2e", "p2_5", "p97_5", "uncertainty_pct_low", "uncertainty_pct_high"]:
            raise ValueError(f"unexpected CSV header {head}")
        return {r[0]: {"mean": float(r[1]), "p2_5": float(r[2]), "p97_5": float(r[3])} for r in rd}


def measure_floor(args, binary, ref, tmp):
    """CPU seconds on one thread of the draws' parts (bench/draws_floor.cpp) for this model's size: Philox
    uniforms, normal draws (uniforms + transform) and the sum of the terms; None without the program."""
    prog = os.path.join(os.path.dirname(binary), "panocarbon_draws_floor")
    if not os.access(prog, os.X_OK):
        return None
    params = args.rows + ref["factors"]
    out, err = os.path.join(tmp, "floor.out"), os.path.join(tmp, "floor.err")
    rc, _, _, _ = run_child([prog, "--params", str(params), "--terms", str(ref["terms"]), "--draws", str(args.draws),
                             "--repeat", "3"], out, err)
    if rc != 0:
        return None
    parts = {}
    with open(out) as f:
        for line in f:
            w = line.split()
            if len(w) >= 2 and w[0] in ("philox", "normal", "lognormal", "sum"):
                parts[w[0]] = float(w[1])
    return parts if len(parts) == 4 else None


def reference_child(args):
    """The numpy side (a child process): prints JSON with its seconds and summaries."""
    with open(args.reference_only) as f:
        rows = json.load(f)
    lib = ib.Library(args.data)
    t0 = time.perf_counter()
    m = build_model(rows, lib, args.data)
    values = numpy_montecarlo(m, args.draws, args.seed)
    s = summaries(values)
    seconds = time.perf_counter() - t0
    json.dump({"seconds": seconds, "lines": m["lines"], "terms": len(m["x"]), "factors": len(m["f"]),
               **{k: v.tolist() for k, v in s.items()}}, sys.stdout)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=None, help="activity rows [1000; smoke 200]")
    ap.add_argument("--draws", type=int, default=None, help="Monte Carlo draws [100000; smoke 20000]")
    ap.add_argument("--seed", type=int, default=20240601, help="seed of the generator and of both Monte Carlos")
    ap.add_argument("--threads", type=int, default=0, help="panocarbon --threads [0: all cores]")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"),
                    help="panocarbon binary [build/bin/panocarbon]")
    ap.add_argument("--data", default=os.path.join(REPO, "data"), help="data tables the binary was built with [data/]")
    ap.add_argument("--workdir", help="folder for the generated CSV, database and outputs [a temporary one under /tmp]")
    ap.add_argument("--smoke", action="store_true", help="small check of the answers only: one line, exit 1 on a mismatch")
    ap.add_argument("--repeat", type=int, default=None, help="alternating runs of each side, the best reported [3; smoke 1]")
    ap.add_argument("--reference-only", metavar="ROWS_JSON", help=argparse.SUPPRESS)  # the numpy child
    args = ap.parse_args()
    args.rows = args.rows or (200 if args.smoke else 1000)
    args.draws = args.draws or (20000 if args.smoke else 100000)
    args.repeat = args.repeat or (1 if args.smoke else 3)
    if args.reference_only:
        return reference_child(args)

    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"inventory_uncertainty_bench: FAIL: no panocarbon binary at {binary} (build it, or pass --bin)")
        return 2
    tmp = args.workdir or tempfile.mkdtemp(prefix="panocarbon-unc-bench-")
    os.makedirs(tmp, exist_ok=True)
    try:
        lib = ib.Library(args.data)
        csv_path = os.path.join(tmp, "activity.csv")
        rows = generate(csv_path, args.rows, args.seed, lib)
        rows_json = os.path.join(tmp, "rows.json")
        with open(rows_json, "w") as f:
            json.dump(rows, f)
        db = os.path.join(tmp, "bench.db")
        rc, _, _, _ = run_child([binary, "db", "init", "--db", db], os.path.join(tmp, "init.out"),
                                os.path.join(tmp, "init.err"))
        if rc != 0:
            print(f"inventory_uncertainty_bench: FAIL: db init exited {rc}: {tail(os.path.join(tmp, 'init.err'))}")
            return 1
        cmd = [binary, "inventory", "uncertainty", csv_path, "--approach", "2", "--draws", str(args.draws),
               "--seed", str(args.seed), "--threads", str(args.threads), "--gwp", GWP_SET, "--format", "csv",
               "--db", db]
        out_path, err_path = os.path.join(tmp, "panocarbon.csv"), os.path.join(tmp, "panocarbon.err")
        ref_path, ref_err = os.path.join(tmp, "numpy.json"), os.path.join(tmp, "numpy.err")
        ref_cmd = [sys.executable, os.path.abspath(__file__), "--reference-only", rows_json, "--data", args.data,
                   "--draws", str(args.draws), "--seed", str(args.seed + 1)]
        # The two sides alternate, --repeat times each; the best (smallest) wall time of each side is reported,
        # with the CPU seconds (user + system) of that same run.
        ours_runs, ref_runs = [], []
        for _ in range(args.repeat):
            rc, wall, rss, cpu = run_child(cmd, out_path, err_path)
            if rc != 0:
                print(f"inventory_uncertainty_bench: FAIL: panocarbon exited {rc}: {tail(err_path)}")
                return 1
            ours_runs.append((wall, cpu, rss))
            rrc, rwall, rrss, rcpu = run_child(ref_cmd, ref_path, ref_err)
            if rrc != 0:
                print(f"inventory_uncertainty_bench: FAIL: the numpy side exited {rrc}:\n{tail(ref_err)}")
                return 1
            with open(ref_path) as f:
                ref = json.load(f)
            ref_runs.append((ref["seconds"], rcpu, rrss))
        wall, cpu, rss = min(ours_runs)
        ref_seconds, _, rrss = min(ref_runs)
        ours = parse_csv(out_path)
        bad = compare(ours, ref, args.draws, args.draws)
        total = ours.get("total", {})
        if args.smoke:
            if bad:
                print(f"inventory_uncertainty_bench smoke: FAIL ({len(bad)} mismatches; first: {bad[0]})")
                return 1
            print(f"inventory_uncertainty_bench smoke: PASS ({args.rows} rows, {args.draws} draws, {len(ours)} lines: "
                  f"means and 95 % bounds agree with numpy within Monte Carlo error; total "
                  f"{total.get('mean', 0):.6g} t CO2e [{total.get('p2_5', 0):.6g}, {total.get('p97_5', 0):.6g}])")
            return 0
        ours_rate, ref_rate = args.draws / wall, args.draws / ref_seconds
        threads = args.threads or os.cpu_count()
        print(f"panocarbon inventory uncertainty benchmark: {args.rows:,} rows ({ref['terms']:,} terms, "
              f"{ref['factors']} factors, {len(ours) - 1} category lines) x {args.draws:,} draws, seed {args.seed}; "
              f"best of {args.repeat} alternating runs")
        print(f"  panocarbon (--threads {args.threads or 'all'} of {os.cpu_count()} cores): {wall:.2f} s wall "
              f"(whole command), {cpu:.2f} s CPU, peak RSS {rss:.0f} MB -> {ours_rate:,.0f} draws/s "
              f"(all runs: {', '.join(f'{w:.2f}' for w, _, _ in ours_runs)} s)")
        print(f"  numpy (1 thread):  {ref_seconds:.2f} s (model and draws only), peak RSS {rrss:.0f} MB -> "
              f"{ref_rate:,.0f} draws/s (all runs: {', '.join(f'{w:.2f}' for w, _, _ in ref_runs)} s)")
        print(f"  ratio: {ours_rate / ref_rate:.1f}x (panocarbon per CPU second: {args.draws / cpu:,.0f} draws/s, "
              f"{args.draws / cpu / ref_rate:.1f}x)")
        floor = measure_floor(args, binary, ref, tmp)
        floor_text = "floor not measured (no panocarbon_draws_floor beside the binary)"
        if floor:
            work = floor["normal"] + floor["sum"]
            floor_text = (f"floor {work:.2f} s CPU on one thread = {work / threads:.2f} s wall on {threads} "
                          f"(Philox uniforms {floor['philox']:.2f} s + transforms {floor['normal'] - floor['philox']:.2f}"
                          f" s + sums {floor['sum']:.2f} s); ours {cpu / work:.2f}x of it in CPU, "
                          f"{wall / (work / threads):.2f}x in wall")
            print(f"  {floor_text}")
        print(f"  total: {total.get('mean', 0):.6g} t CO2e, 95 % [{total.get('p2_5', 0):.6g}, "
              f"{total.get('p97_5', 0):.6g}]; answers {'agree' if not bad else 'DISAGREE'} within Monte Carlo error")
        for m in bad[:10]:
            print(f"  mismatch: {m}")
        print(f"inventory_uncertainty_bench: panocarbon {wall:.2f} s wall ({cpu:.2f} s CPU), numpy {ref_seconds:.2f} s, "
              f"ratio {ours_rate / ref_rate:.1f}x wall ({args.draws / cpu / ref_rate:.1f}x per CPU second), "
              f"best of {args.repeat}; {floor_text}; answers {'PASS' if not bad else 'FAIL'}")
        return 1 if bad else 0
    finally:
        if not args.workdir:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
