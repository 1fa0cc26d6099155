#!/usr/bin/python3
"""EE-MRIO benchmark: `panocarbon mrio accounts` on a synthetic MRIO the size of EXIOBASE 3 pxp, measured
side by side with a numpy/pandas reference that computes the regional accounts the way pymrio's calc_all
does, and the two answers compared region by region.

  bench/mrio_bench.py                                # 49 x 200 = 9,800 sectors (A.txt ~0.6 GB)
  bench/mrio_bench.py --smoke                        # 6 x 20: answers only, one line, exit 1 on a mismatch
  bench/mrio_bench.py --repeat 3                     # alternate the sides three times; medians compared
  bench/mrio_bench.py --ours-only                    # panocarbon alone (+ floors), checked against the
                                                     # reference's answers of an earlier run
  bench/mrio_bench.py --regions 10 --sectors 50      # any size
  bench/mrio_bench.py --smoke --reference-only       # the reference alone (no binary needed)
  bench/mrio_bench.py --check-pymrio-test ...        # also check the reference (and the binary) against
                                                     # pymrio's own numbers for its test system

The MRIO is written once by ../shared/bench/make_synthetic_mrio.py (pymrio's text layout: A.txt, Y.txt,
satellite/F.txt, satellite/F_Y.txt) into --workdir and reused by later runs of the same size.

The reference mirrors pymrio (tools/iomath.py calc_L, calc_x_from_L, calc_Z, calc_S, calc_M,
calc_accounts; tools/ioutil.py diagonalize_blocks, set_dom_block; core/mriosystem.py IOSystem.calc_system
and Extension.calc_system), on numpy arrays instead of DataFrames:
  tables read with pandas.read_csv(sep='\\t', index_col=range(nr_index_col), header=range(nr_header)) as
  pymrio.load_all does (the numbers of index and header levels come from file_parameters.json);
  A form: L = inv(I - A) (dense); x = L Y1; Z = A x^.      Z form: x = Z1 + Y1; A = Z x^-1; L = inv(I - A).
  per extension: S = F x^-1; S_Y = F_Y y^-1; M = S L; Y_agg = Y summed over categories per region;
  Y_diag = diagonalize_blocks(Y_agg, sectors) (n x n); x_diag = L Y_diag; D_cba = S x_diag;
  D_pba = S * x_diag1; x_trade = x_diag with the domestic blocks zeroed; D_imp = S x_trade;
  D_exp = S * x_trade1; D_*_reg = columns summed per region, + F_Y summed per region for cba and pba.
pymrio recomputes x_diag per extension, and keeps A, Z and L alive while it computes the accounts; so
does the reference (the synthetic MRIO has one extension). The matrices pymrio keeps as DataFrames are
plain arrays here, so the reference is no slower than pymrio and its peak memory is not above pymrio's.

Both sides run as child processes, each waited for with os.wait4, so each one's wall time and peak RSS
(ru_maxrss) are its own. The reference also reports from inside how long reading the tables took
(pandas parse) and how long the computation took, so the parse/compute split is known; its wall time
includes the interpreter's start and `import pandas` (about 0.3 s).

The accounts must agree to --rtol (1e-8) relative: |a - b| <= rtol * max(|a|, |b|, 1e-12 * T), where T
is the stressor's world total (sum of |consumption| over regions), so values that are zero up to
rounding compare on the scale of the stressor.

Needs python3 with numpy and pandas (Debian python3-numpy, python3-pandas). If the python3 that runs
this script lacks them and /usr/bin/python3 has them, the script re-runs itself with /usr/bin/python3.
"""
import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_child, tail, use_debian_python  # noqa: E402

try:
    import numpy as np
    import pandas as pd
except ImportError:  # e.g. a pyenv/venv python3 first on PATH; Debian's has the packages
    use_debian_python(__file__, "numpy and pandas (apt-get install python3-numpy python3-pandas)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = ["extension", "stressor", "region", "production", "consumption", "imports", "exports"]
ACCOUNTS = ["production", "consumption", "imports", "exports"]
# pymrio's names of the regional accounts (reference-accounts.csv) -> the CLI's columns
PYMRIO_ACCOUNT = {"D_pba_reg": "production", "D_cba_reg": "consumption", "D_imp_reg": "imports",
                  "D_exp_reg": "exports"}
SMOKE_REGIONS, SMOKE_SECTORS = 6, 20
PYMRIO_TEST_RTOL = 1e-9


# --- The reference (runs in its own process: mrio_bench.py --_reference DIR OUT.csv TIMES.json) ---------------

def read_table(folder, entry):
    """One table as pymrio.load_all reads it (fileio.load): tab separated, index and header levels as the
    file parameters say."""
    path = os.path.join(folder, entry["name"])
    nr_index, nr_header = int(entry["nr_index_col"]), int(entry["nr_header"])
    df = pd.read_csv(path, sep="\t", index_col=list(range(nr_index)), header=list(range(nr_header)))
    return df, os.path.getsize(path)


def file_parameters(folder):
    with open(os.path.join(folder, "file_parameters.json"), encoding="utf-8") as f:
        return json.load(f)


def extension_folders(folder):
    """Sub-folders holding an Extension (file_parameters.json with systemtype Extension), by folder name."""
    out = []
    for name in sorted(os.listdir(folder)):
        sub = os.path.join(folder, name)
        fp = os.path.join(sub, "file_parameters.json")
        if os.path.isdir(sub) and os.path.isfile(fp):
            if file_parameters(sub).get("systemtype", "").lower() == "extension":
                out.append(name)
    return out


def label(key):
    """A row label as the CLI prints it: index levels joined with '|'."""
    if isinstance(key, tuple):
        return "|".join(str(k) for k in key)
    return str(key)


def sum_per_region(df, regions):
    """Columns summed per region (top column level), in `regions` order: DataFrame.groupby(level=0, axis=1)
    .sum().reindex(regions) as pymrio does with .sum(level='region', axis=1).reindex(...)."""
    top = df.columns.get_level_values(0)
    return df.T.groupby(top, sort=False).sum().T.reindex(columns=regions).to_numpy(dtype=float)


def recip(v):
    """1 / v with the entries where v == 0 set to 0 (calc_A's recix)."""
    with np.errstate(divide="ignore"):
        r = 1.0 / v
    r[np.isinf(r)] = 0.0
    return r


def diagonalize_blocks(arr, blocksize):
    """ioutil.diagonalize_blocks, vectorised: column c of arr becomes columns c*blocksize .. +blocksize, each
    block of blocksize rows of column c spread on the diagonal."""
    nr_row, nr_col = arr.shape
    if nr_row % blocksize:
        raise ValueError("number of rows must be a multiple of blocksize")
    out = np.zeros((nr_row, blocksize * nr_col))
    rows = np.arange(nr_row)
    cols = (rows % blocksize)[:, None] + (np.arange(nr_col) * blocksize)[None, :]
    out[rows[:, None], cols] = arr
    return out


def calc_accounts(S, L, Y_agg, nr_sectors):
    """iomath.calc_accounts on arrays: (D_cba, D_pba, D_imp, D_exp), each stressors x n."""
    Y_diag = diagonalize_blocks(Y_agg, nr_sectors)
    x_diag = L @ Y_diag
    x_tot = x_diag.sum(1)
    del Y_diag
    D_cba = S @ x_diag
    D_pba = S * x_tot.reshape((1, -1))
    x_trade = x_diag.copy()  # set_dom_block(x_diag, 0): rows and columns of the same region
    for r in range(x_trade.shape[0] // nr_sectors):
        x_trade[r * nr_sectors:(r + 1) * nr_sectors, r * nr_sectors:(r + 1) * nr_sectors] = 0
    D_imp = S @ x_trade
    x_exp = x_trade.sum(1)
    D_exp = S * x_exp.reshape((1, -1))
    return D_cba, D_pba, D_imp, D_exp


def reference(folder, out_csv, times_json):
    t_start = time.perf_counter()
    times = {}
    fp = file_parameters(folder)["files"]
    sizes = {}

    # --- read (pymrio.load_all) ---
    t0 = time.perf_counter()
    Z_df = A_df = None
    if "A" in fp:
        A_df, sizes["A"] = read_table(folder, fp["A"])
    elif "Z" in fp:
        Z_df, sizes["Z"] = read_table(folder, fp["Z"])
    else:
        raise SystemExit(f"{folder}: neither A nor Z in file_parameters.json")
    Y_df, sizes["Y"] = read_table(folder, fp["Y"])
    exts = []
    for name in extension_folders(folder):
        sub = os.path.join(folder, name)
        efp = file_parameters(sub)["files"]
        F_df, sizes[f"{name}/F"] = read_table(sub, efp["F"])
        F_Y_df = None
        if "F_Y" in efp:
            F_Y_df, sizes[f"{name}/F_Y"] = read_table(sub, efp["F_Y"])
        exts.append((name, F_df, F_Y_df))
    times["read_s"] = time.perf_counter() - t0

    # --- IOSystem.calc_system ---
    t0 = time.perf_counter()
    core = A_df if A_df is not None else Z_df
    regions = list(core.columns.get_level_values(0).unique())
    sectors = list(core.columns.get_level_values(1).unique())
    nr_sectors = len(sectors)
    Y = Y_df.to_numpy(dtype=float)
    if A_df is not None:  # x and Z missing: L first, then x = L y, then Z = A x^
        A = A_df.to_numpy(dtype=float)
        t1 = time.perf_counter()
        I = np.eye(A.shape[0])  # noqa: E741 (calc_L)
        L = np.linalg.inv(I - A)
        del I
        times["inverse_s"] = time.perf_counter() - t1
        x = L @ Y.sum(1)
        Z = A * x.reshape((1, -1))
    else:  # Z given: x = Z1 + Y1 (calc_x), A = Z x^-1 (calc_A), L = inv(I - A)
        Z = Z_df.to_numpy(dtype=float)
        x = np.sum(np.hstack((Z, Y)), 1)
        A = Z * recip(x).reshape((1, -1))
        t1 = time.perf_counter()
        I = np.eye(A.shape[0])  # noqa: E741
        L = np.linalg.inv(I - A)
        del I
        times["inverse_s"] = time.perf_counter() - t1
    n = A.shape[0]
    if n != len(regions) * nr_sectors:
        raise SystemExit(f"{folder}: {n} rows but {len(regions)} regions x {nr_sectors} sectors")

    # --- IOSystem.calc_extensions -> Extension.calc_system, per extension ---
    Y_agg = sum_per_region(Y_df, regions)  # n x regions
    y_vec = Y.sum(0)
    rows = []
    kept = []  # pymrio keeps S_Y and M in the extension
    t_acc = 0.0
    for name, F_df, F_Y_df in exts:
        F = F_df.to_numpy(dtype=float)
        S = F * recip(x).reshape((1, -1))                             # calc_S
        if F_Y_df is not None:
            S_Y = F_Y_df.to_numpy(dtype=float) * recip(y_vec).reshape((1, -1))  # calc_S_Y
            # pymrio adds the DataFrames, aligned on the stressor labels
            F_Y_agg = sum_per_region(F_Y_df.reindex(F_df.index), regions)  # stressors x regions
        else:
            S_Y, F_Y_agg = None, 0.0
        M = S @ L                                                      # calc_M
        kept.append((S_Y, M))
        t1 = time.perf_counter()
        D_cba, D_pba, D_imp, D_exp = calc_accounts(S, L, Y_agg, nr_sectors)
        t_acc += time.perf_counter() - t1
        k = S.shape[0]

        def per_region(D):
            return D.reshape((k, len(regions), nr_sectors)).sum(2)    # columns are (region, sector)
        reg = {
            "production": per_region(D_pba) + F_Y_agg,
            "consumption": per_region(D_cba) + F_Y_agg,
            "imports": per_region(D_imp),
            "exports": per_region(D_exp),
        }
        for i, key in enumerate(F_df.index):
            for r, region in enumerate(regions):
                rows.append([name, label(key), str(region)] + [float(reg[a][i, r]) for a in ACCOUNTS])
        del D_cba, D_pba, D_imp, D_exp
    times["accounts_s"] = t_acc
    times["compute_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with open(out_csv, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for r in rows:
            w.writerow(r[:3] + [repr(v) for v in r[3:]])
    times["write_s"] = time.perf_counter() - t0
    times["total_s"] = time.perf_counter() - t_start
    times["n"] = n
    times["regions"] = len(regions)
    times["sectors"] = nr_sectors
    times["input_bytes"] = sum(sizes.values())
    times["files"] = sizes
    with open(times_json, "w") as f:
        json.dump(times, f)
    print(f"reference: read {times['read_s']:.3f} s, compute {times['compute_s']:.3f} s "
          f"(inverse {times['inverse_s']:.3f} s, accounts {times['accounts_s']:.3f} s), "
          f"write {times['write_s']:.3f} s", file=sys.stderr)
    return 0


# --- Measuring, reading and comparing ------------------------------------------------------------------------

def read_accounts(path):
    """{(extension, stressor, region): [production, consumption, imports, exports]} from the CLI's CSV (which also
    has a unit column after stressor) or the reference's."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r, None)
        if header is None or [h for h in header if h != "unit"] != HEADER:
            raise ValueError(f"{path}: header {header!r}, expected {','.join(HEADER)} (with or without unit)")
        cols = [header.index(h) for h in HEADER]
        for line_no, row in enumerate(r, start=2):
            if not row:
                continue
            if len(row) != len(header):
                raise ValueError(f"{path}:{line_no}: {len(row)} fields, expected {len(header)}")
            key = (row[cols[0]], row[cols[1]], row[cols[2]])
            if key in out:
                raise ValueError(f"{path}:{line_no}: {key} appears twice")
            out[key] = [float(row[c]) for c in cols[3:]]
    if not out:
        raise ValueError(f"{path}: no accounts")
    return out


def read_pymrio_reference(path):
    """pymrio's own D_*_reg numbers (extension,account,stressor,column,value) in read_accounts' form."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            acc = PYMRIO_ACCOUNT.get(row["account"])
            if acc is None:
                continue
            out.setdefault((row["extension"], row["stressor"], row["column"]), [math.nan] * 4)[
                ACCOUNTS.index(acc)] = float(row["value"])
    for key, v in out.items():
        if any(math.isnan(a) for a in v):
            raise ValueError(f"{path}: {key} lacks one of {', '.join(PYMRIO_ACCOUNT)}")
    return out


def norm_ext(s):
    return s.strip().lower().replace(" ", "_").replace("-", "_")


def compare(ours, ref, rtol):
    """(list of disagreements as text, max relative difference, number of values compared, note)."""
    note = ""
    if set(ours) != set(ref):
        # extension names may differ by case or blanks (folder "emissions" vs name "Emissions")
        n_ours = {(norm_ext(k[0]), k[1], k[2]): v for k, v in ours.items()}
        n_ref = {(norm_ext(k[0]), k[1], k[2]): v for k, v in ref.items()}
        if set(n_ours) == set(n_ref) and len(n_ours) == len(ours) and len(n_ref) == len(ref):
            note = "extension names matched ignoring case and blanks: " + ", ".join(
                sorted({k[0] for k in ours})) + " vs " + ", ".join(sorted({k[0] for k in ref}))
            ours, ref = n_ours, n_ref
    bad = []
    for key in sorted(set(ref) - set(ours)):
        bad.append(f"{'/'.join(key)}: missing from panocarbon")
    for key in sorted(set(ours) - set(ref)):
        bad.append(f"{'/'.join(key)}: printed by panocarbon but not in the reference")
    scale = {}
    for key, v in ref.items():
        scale[key[:2]] = scale.get(key[:2], 0.0) + abs(v[1])
    worst, count = 0.0, 0
    for key in sorted(set(ours) & set(ref)):
        for i, acc in enumerate(ACCOUNTS):
            a, b = ours[key][i], ref[key][i]
            count += 1
            if not (math.isfinite(a) and math.isfinite(b)):
                if not (a == b or (math.isnan(a) and math.isnan(b))):
                    bad.append(f"{'/'.join(key)} {acc}: panocarbon {a!r} vs reference {b!r}")
                    worst = math.inf
                continue
            denom = max(abs(a), abs(b), 1e-12 * scale[key[:2]], 1e-300)
            rel = abs(a - b) / denom
            worst = max(worst, rel)
            if rel > rtol:
                bad.append(f"{'/'.join(key)} {acc}: panocarbon {a!r} vs reference {b!r} (rel {rel:.3g})")
    return bad, worst, count, note


# --- The synthetic MRIO ---------------------------------------------------------------------------------------

def synthetic(args):
    """Path of the synthetic MRIO for these arguments, written by the shared generator unless present."""
    gen = os.path.join(args.shared, "bench", "make_synthetic_mrio.py")
    name = f"synthetic_{args.regions}x{args.sectors}"
    extra = []
    for opt in ("density", "stressors", "seed"):
        v = getattr(args, opt)
        if v is not None:
            name += f"_{opt}{v:g}" if isinstance(v, float) else f"_{opt}{v}"
            extra += [f"--{opt}", str(v)]
    path = os.path.join(args.workdir, name)
    if os.path.isfile(os.path.join(path, "metadata.json")):
        return path, 0.0, True
    if not os.path.isfile(gen):
        raise SystemExit(f"mrio_bench: the generator {gen} is missing (pass --shared)")
    os.makedirs(args.workdir, exist_ok=True)
    partial = path + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    t0 = time.perf_counter()
    cmd = [sys.executable, gen, partial, "--regions", str(args.regions), "--sectors", str(args.sectors)] + extra
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit(f"mrio_bench: the generator failed ({r.returncode}):\n{r.stdout}")
    os.replace(partial, path)  # a folder that exists is complete
    return path, time.perf_counter() - t0, False


def input_bytes(folder):
    """Bytes of the tables both sides read: A or Z, Y, and each extension's F and F_Y."""
    fp = file_parameters(folder)["files"]
    core = "A" if "A" in fp else "Z"  # the reference reads A when both are given, as the CLI should
    total = sum(os.path.getsize(os.path.join(folder, fp[k]["name"])) for k in (core, "Y"))
    for name in extension_folders(folder):
        efp = file_parameters(os.path.join(folder, name))["files"]
        for key in ("F", "F_Y"):
            if key in efp:
                total += os.path.getsize(os.path.join(folder, name, efp[key]["name"]))
    return total


# --- Main -------------------------------------------------------------------------------------------------------

def trace_of(err_path):
    """The read time, phase times and the iterative solves' passes from panocarbon's --verbose and
    PANOCARBON_TRACE lines."""
    out = {"solves": []}
    try:
        lines = open(err_path, errors="replace").read().splitlines()
    except OSError:
        return out
    for line in lines:
        if line.startswith("read: ") and " in " in line:  # read: 610.3 MB in 2.35 s (259 MB/s)
            try:
                out["read_s"] = float(line.split(" in ")[1].split()[0])
            except (IndexError, ValueError):
                pass
        elif line.startswith("trace: GMRES cycle,"):
            # trace: GMRES cycle, 52 right-hand sides, products with A so far 10: residual ... in 3.0 s
            try:
                k = int(line.split(",")[1].split()[0])
                passes = int(line.split("so far")[1].split(":")[0])
                secs = float(line.rsplit(" in ", 1)[1].split()[0])
            except (IndexError, ValueError):
                continue
            # cycles of one solve share k and grow in passes; a new solve starts its count again
            if out["solves"] and out["solves"][-1]["k"] == k and passes > out["solves"][-1]["passes"]:
                out["solves"][-1]["passes"] = passes
                out["solves"][-1]["seconds"] += secs
            else:
                out["solves"].append({"k": k, "passes": passes, "seconds": secs})
    return out


def median_run(runs):
    """The run with the median wall time (the lower middle one for an even count)."""
    if not runs:
        return None
    return sorted(runs, key=lambda r: r["wall_s"])[(len(runs) - 1) // 2]


def floors(floor_bin, folder, ours, n):
    """Runs bench/mrio_floor.cpp's measurement and derives the floors of the command's solves."""
    p = subprocess.run([floor_bin, folder], capture_output=True, text=True)
    if p.returncode != 0:
        return {}
    fl = json.loads(p.stdout)
    nnz = fl["nnz"]
    solve_s, passes, detail, ours_solve = 0.0, 0, [], 0.0
    for sv in (ours or {}).get("solves", []):
        ld = 4 if sv["k"] <= 4 else (sv["k"] + 7) // 8 * 8  # the kernels' padded width
        arith = 2.0 * nnz * ld / (fl["fma_gflops"] * 1e9) if fl["fma_gflops"] > 0 else 0.0
        memory = nnz * 12.0 / (fl["stream_gbs"] * 1e9)  # a double and a 32-bit column index per non-zero
        solve_s += sv["passes"] * max(arith, memory)
        passes += sv["passes"]
        ours_solve += sv["seconds"]
        detail.append(f"{sv['passes']} x {sv['k']} columns")
    fl.update(solve_s=solve_s, passes=passes, pass_detail=", ".join(detail) or "none", ours_solve_s=ours_solve,
              total_s=fl["read_s"] + solve_s,
              dgetrf_floor_s=(2.0 / 3.0) * n ** 3 / (fl["dgemm_gflops"] * 1e9),
              sgetrf_floor_s=(2.0 / 3.0) * n ** 3 / (fl["sgemm_gflops"] * 1e9))
    return fl


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--regions", type=int, help="regions of the synthetic MRIO [49; 6 with --smoke]")
    ap.add_argument("--sectors", type=int, help="sectors per region [200; 20 with --smoke]")
    ap.add_argument("--density", type=float, help="share of non-zero A entries (generator default 0.32)")
    ap.add_argument("--stressors", type=int, help="stressors of the extension (generator default 3)")
    ap.add_argument("--seed", type=int, help="generator seed (generator default 1)")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared"),
                    help="the shared folder beside the repository (bench/make_synthetic_mrio.py, "
                         "data/mrio/pymrio-test) [../shared]")
    ap.add_argument("--workdir", default="/tmp/panocarbon-mrio-bench",
                    help="where the MRIO and the outputs are written; an MRIO already there is reused "
                         "[/tmp/panocarbon-mrio-bench]")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"),
                    help="panocarbon binary [build/bin/panocarbon]")
    ap.add_argument("--rtol", type=float, default=1e-8, help="relative tolerance of the comparison [1e-8]")
    ap.add_argument("--timeout", type=float, help="seconds after which a side is killed [none]")
    ap.add_argument("--smoke", action="store_true",
                    help="6 x 20 sectors, answers only: one line, exit 1 on a mismatch; also checks the "
                         "pymrio test system when the shared data has it")
    ap.add_argument("--reference-only", action="store_true",
                    help="run and time the reference alone (no binary, no comparison)")
    ap.add_argument("--check-pymrio-test", action="store_true",
                    help="also check the reference (and, unless --reference-only, panocarbon) against "
                         "pymrio's numbers in ../shared/data/mrio/pymrio-test/reference-accounts.csv "
                         f"to {PYMRIO_TEST_RTOL:g}")
    ap.add_argument("--json", metavar="OUT", help="write the summary as JSON")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs of each side, alternating reference and panocarbon; medians compared [1]")
    ap.add_argument("--ours-only", action="store_true",
                    help="time panocarbon alone (with the floors), reusing the reference's answers of an "
                         "earlier run in --workdir to check ours")
    ap.add_argument("--floor-bin", default=os.path.join(REPO, "build", "bin", "panocarbon_mrio_floor"),
                    help="the floor measurement built from bench/mrio_floor.cpp [build/bin/panocarbon_mrio_floor]")
    ap.add_argument("--_reference", nargs=3, metavar=("DIR", "CSV", "TIMES"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._reference:
        return reference(*args._reference)

    if args.regions is None:
        args.regions = SMOKE_REGIONS if args.smoke else 49
    if args.sectors is None:
        args.sectors = SMOKE_SECTORS if args.smoke else 200
    if args.regions < 1 or args.sectors < 1:
        ap.error("--regions and --sectors must be at least 1")
    args.shared = os.path.abspath(args.shared)
    args.workdir = os.path.abspath(args.workdir)
    binary = os.path.abspath(args.bin)
    if not args.reference_only and not os.access(binary, os.X_OK):
        print(f"mrio_bench: FAIL: no panocarbon binary at {binary} (build it, pass --bin, or use --reference-only)")
        return 2
    pymrio_test = os.path.join(args.shared, "data", "mrio", "pymrio-test")
    check_pymrio = args.check_pymrio_test or (args.smoke and os.path.isfile(
        os.path.join(pymrio_test, "reference-accounts.csv")))
    if args.check_pymrio_test and not os.path.isfile(os.path.join(pymrio_test, "reference-accounts.csv")):
        print(f"mrio_bench: FAIL: {pymrio_test}/reference-accounts.csv is missing (pass --shared)")
        return 2

    failures = []
    summary = {}

    def run_reference(folder, tag):
        out_csv = os.path.join(args.workdir, f"{tag}.reference.csv")
        times = os.path.join(args.workdir, f"{tag}.reference.times.json")
        cmd = [sys.executable, os.path.abspath(__file__), "--_reference", folder, out_csv, times]
        rc, wall, rss, cpu = run_child(cmd, os.path.join(args.workdir, f"{tag}.reference.out"),
                                       os.path.join(args.workdir, f"{tag}.reference.err"), args.timeout)
        if rc != 0:
            raise SystemExit(f"mrio_bench: FAIL: the reference exited {rc} on {folder}:\n"
                             f"{tail(os.path.join(args.workdir, f'{tag}.reference.err'))}")
        with open(times) as f:
            t = json.load(f)
        return out_csv, {"wall_s": wall, "peak_rss_mb": rss, "cpu_s": cpu, **t}

    def run_ours(folder, tag, solver=None):
        out_csv = os.path.join(args.workdir, f"{tag}.panocarbon{'.' + solver if solver else ''}.csv")
        err = os.path.join(args.workdir, f"{tag}.panocarbon.err")
        # its own database in the work folder: the benchmark must not depend on (or write to) the user's
        cmd = [binary, "mrio", "accounts", folder, "--format", "csv", "--verbose",
               "--db", os.path.join(args.workdir, "bench.db")] + (["--solver", solver] if solver else [])
        # PANOCARBON_TRACE: phase times and the iterative solves' passes over A on stderr (for the floor)
        rc, wall, rss, cpu = run_child(cmd, out_csv, err, args.timeout, env={**os.environ, "PANOCARBON_TRACE": "1"})
        if rc != 0:
            raise SystemExit(f"mrio_bench: FAIL: `{' '.join(cmd)}` exited {rc}:\n{tail(err)}")
        return out_csv, {"wall_s": wall, "peak_rss_mb": rss, "cpu_s": cpu, **trace_of(err)}

    os.makedirs(args.workdir, exist_ok=True)

    # --- pymrio's test system: the reference (and ours) against pymrio's own numbers ---
    if check_pymrio:
        expected = read_pymrio_reference(os.path.join(pymrio_test, "reference-accounts.csv"))
        ref_csv, _ = run_reference(pymrio_test, "pymrio-test")
        bad, worst, count, note = compare(read_accounts(ref_csv), expected, PYMRIO_TEST_RTOL)
        summary["pymrio_test"] = {"reference_max_rel_diff": worst, "values": count, "reference_ok": not bad}
        if note:
            summary["pymrio_test"]["reference_note"] = note
        if bad:
            failures.append(f"reference vs pymrio's reference-accounts.csv: {len(bad)} disagree, first: {bad[0]}")
        if not args.reference_only:
            ours_csv, _ = run_ours(pymrio_test, "pymrio-test")
            bad, worst_o, count, note = compare(read_accounts(ours_csv), expected, args.rtol)
            summary["pymrio_test"].update(panocarbon_max_rel_diff=worst_o, panocarbon_ok=not bad)
            if note:
                summary["pymrio_test"]["panocarbon_note"] = note
            if bad:
                failures.append(f"panocarbon vs pymrio's reference-accounts.csv: {len(bad)} disagree, "
                                f"first: {bad[0]}")
        if not args.smoke:
            p = summary["pymrio_test"]
            line = f"pymrio test system ({count} values): reference max rel diff {p['reference_max_rel_diff']:.3g}"
            if "panocarbon_max_rel_diff" in p:
                line += f", panocarbon max rel diff {p['panocarbon_max_rel_diff']:.3g}"
            print(line + (" - ok" if not failures else " - FAIL"))

    # --- the synthetic MRIO ---
    folder, gen_s, reused = synthetic(args)
    tag = os.path.basename(folder)
    in_mb = input_bytes(folder) / 1e6
    # Alternating sides (reference, panocarbon, reference, ...): medians of --repeat runs each.
    ref_runs, our_runs = [], []
    ref_csv = os.path.join(args.workdir, f"{tag}.reference.csv")
    for _ in range(max(1, args.repeat)):
        if not (args.ours_only and os.path.isfile(ref_csv)):
            ref_csv, r = run_reference(folder, tag)
            ref_runs.append(r)
        if not args.reference_only:
            ours_csv, o_ = run_ours(folder, tag)
            our_runs.append(o_)
    ref = median_run(ref_runs) if ref_runs else None
    summary.update(mrio=folder, regions=args.regions, sectors=args.sectors, n=args.regions * args.sectors,
                   input_mb=in_mb, generated_s=None if reused else gen_s, reference=ref, repeat=args.repeat,
                   reference_runs=ref_runs, panocarbon_runs=our_runs)
    if not args.smoke and not args.reference_only and os.path.isfile(args.floor_bin):
        summary["floor"] = floors(args.floor_bin, folder, median_run(our_runs), args.regions * args.sectors)
    if not args.reference_only:
        ours = median_run(our_runs)
        bad, worst, count, note = compare(read_accounts(ours_csv), read_accounts(ref_csv), args.rtol)
        summary.update(panocarbon=ours, max_rel_diff=worst, values_compared=count, agree=not bad,
                       rtol=args.rtol, panocarbon_mb_per_s=in_mb / ours["wall_s"])
        if ref:
            summary.update(time_ratio_ref_over_ours=ref["wall_s"] / ours["wall_s"],
                           cpu_ratio_ref_over_ours=ref["cpu_s"] / ours["cpu_s"],
                           rss_ratio_ours_over_ref=ours["peak_rss_mb"] / ref["peak_rss_mb"])
        if note:
            summary["note"] = note
        if bad:
            failures.append(f"panocarbon vs reference on {tag}: {len(bad)} of {count} values disagree, "
                            f"first: {bad[0]}")
        if args.smoke:  # every --solver gives the reference's answers
            for solver in ("dense", "mixed", "sparse", "iterative"):
                s_csv, _ = run_ours(folder, tag, solver)
                bad, worst_s, _, _ = compare(read_accounts(s_csv), read_accounts(ref_csv), args.rtol)
                summary.setdefault("solvers_max_rel_diff", {})[solver] = worst_s
                if bad:
                    failures.append(f"panocarbon --solver {solver} vs reference on {tag}: {len(bad)} disagree, "
                                    f"first: {bad[0]}")
    summary["ok"] = not failures

    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)

    n = args.regions * args.sectors
    if args.smoke:
        parts = [f"{args.regions}x{args.sectors}"]
        if "max_rel_diff" in summary:
            parts.append(f"{summary['values_compared']} values agree with the reference, max rel diff "
                         f"{summary['max_rel_diff']:.3g}" if summary["agree"] else "panocarbon disagrees")
        else:
            parts.append(f"reference only, {ref['wall_s']:.2f} s")
        if "solvers_max_rel_diff" in summary:
            parts.append("every --solver agrees (" + ", ".join(f"{k} {v:.1g}" for k, v in
                                                              summary["solvers_max_rel_diff"].items()) + ")")
        if "pymrio_test" in summary:
            p = summary["pymrio_test"]
            s = f"pymrio test system: reference max rel diff {p['reference_max_rel_diff']:.3g}"
            if "panocarbon_max_rel_diff" in p:
                s += f", panocarbon {p['panocarbon_max_rel_diff']:.3g}"
            parts.append(s)
        status = "PASS" if not failures else "FAIL"
        print(f"mrio_bench smoke: {status} ({'; '.join(parts)})" + (f": {failures[0]}" if failures else ""))
        return 0 if not failures else 1

    if args.ours_only:
        o = summary["panocarbon"]
        fl = summary.get("floor", {})
        print(f"mrio_bench ours only: panocarbon {o['wall_s']:.2f} s (median of {len(our_runs)}; cpu {o['cpu_s']:.2f} s; "
              f"read {o.get('read_s', float('nan')):.2f} s), RSS {o['peak_rss_mb']:.0f} MB, floor "
              f"{fl.get('total_s', float('nan')):.2f} s, answers vs the earlier reference "
              f"{'PASS' if summary['agree'] else 'FAIL'} (max rel diff {summary['max_rel_diff']:.3g})")
        return 0 if not failures else 1

    print(f"panocarbon mrio benchmark: {args.regions} regions x {args.sectors} sectors = {n:,}, "
          f"input {in_mb:,.1f} MB ({'reused' if reused else f'generated in {gen_s:.1f} s'}: {folder})")
    w = 12
    print(f"  {'':24}{'reference':>{w}}{'panocarbon':>{w}}{'ratio':>{w}}")
    has_ours = "panocarbon" in summary
    o = summary.get("panocarbon", {})

    def row(name, rv, ov, ratio, fmt):
        ov_s = format(ov, fmt) if ov is not None else "-"
        ratio_s = f"{ratio:.2f}x" if ratio is not None else "-"
        print(f"  {name:24}{format(rv, fmt):>{w}}{ov_s:>{w}}{ratio_s:>{w}}")

    row("wall time (s)", ref["wall_s"], o.get("wall_s"),
        ref["wall_s"] / o["wall_s"] if has_ours else None, ".2f")
    row("peak RSS (MB)", ref["peak_rss_mb"], o.get("peak_rss_mb"),
        o["peak_rss_mb"] / ref["peak_rss_mb"] if has_ours else None, ".0f")
    row("cpu time (s)", ref["cpu_s"], o.get("cpu_s"), None, ".2f")
    print(f"  reference inside: read (pandas) {ref['read_s']:.2f} s, compute {ref['compute_s']:.2f} s "
          f"(inv(I - A) {ref['inverse_s']:.2f} s, accounts {ref['accounts_s']:.2f} s), write {ref['write_s']:.3f} s")
    if has_ours:
        print(f"  panocarbon throughput: {summary['panocarbon_mb_per_s']:.1f} MB/s of input; "
              f"time ratio = reference / panocarbon, RSS ratio = panocarbon / reference")
        print(f"  answers: {summary['values_compared']} values, max rel diff {summary['max_rel_diff']:.3g} "
              f"(rtol {args.rtol:g}) - {'agree' if summary['agree'] else 'DISAGREE'}")
    if "floor" in summary:
        fl = summary["floor"]
        print(f"  floors ({fl['threads']} threads, measured now): page-cache read of the tables {fl['read_s']:.2f} s; "
              f"a bare from_chars over A.txt {fl['parse_s']:.2f} s (ours reads and parses everything in "
              f"{o.get('read_s', float('nan')):.2f} s); memory {fl['stream_gbs']:.1f} GB/s, FMA "
              f"{fl['fma_gflops']:.0f} GFLOP/s ({fl['simd']}), dgemm {fl['dgemm_gflops']:.0f} / sgemm "
              f"{fl['sgemm_gflops']:.0f} GFLOP/s")
        print(f"  floor of the solves: {fl['passes']} passes over A ({fl['pass_detail']}) at the larger of "
              f"FMA and memory time = {fl['solve_s']:.2f} s (ours: {fl['ours_solve_s']:.2f} s); dense LU floors "
              f"(2/3 n^3 at GEMM rate): double {fl['dgetrf_floor_s']:.1f} s, single {fl['sgetrf_floor_s']:.1f} s")
    if has_ours:
        fl = summary.get("floor", {})
        print(f"mrio_bench summary: panocarbon {o['wall_s']:.2f} s (median of {len(our_runs)}, cpu {o['cpu_s']:.2f} s), "
              f"reference {ref['wall_s']:.2f} s (median of {len(ref_runs)}, cpu {ref['cpu_s']:.2f} s), ratio "
              f"{ref['wall_s'] / o['wall_s']:.1f}x (goal 25x; cpu {ref['cpu_s'] / o['cpu_s']:.1f}x), RSS "
              f"{o['peak_rss_mb']:.0f} / {ref['peak_rss_mb']:.0f} MB = 1/{ref['peak_rss_mb'] / o['peak_rss_mb']:.1f} "
              f"(goal 1/8), floor {fl.get('total_s', float('nan')):.2f} s (ours {o['wall_s'] / fl['total_s'] if fl else float('nan'):.1f}x it), "
              f"answers {'PASS' if summary['agree'] else 'FAIL'}")
    for f_ in failures:
        print(f"mrio_bench: FAIL: {f_}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
