#!/usr/bin/python3
"""Inventory benchmark: N activity rows parsed, computed and aggregated by `panocarbon inventory calc`,
measured side by side with a pandas reference implementation of the same computation in the same run,
and the two answers compared category by category.

  bench/inventory_bench.py                      # 1,000,000 rows: rows/s, peak RSS, pandas time, ratio
  bench/inventory_bench.py --rows 20000 --smoke # answers only, one line, exit 1 on a mismatch

The activity rows are generated deterministically (--seed) from combinations that the project's data
tables (data/fuels.csv, data/emission_factors.csv, read at run time) give complete default factors for.
The reference resolves factors by the same rule as FactorLibrary::select (longest category prefix; no
technology -> general or default rows; 2006 edition), converts mass to energy with the NCV of Table 1.2,
applies the GWP100 values of data/gwp.csv, sums CO2e by category and up the IPCC tree of
data/ipcc2006_categories.csv. Every category total (and the total) must agree to a relative 1e-9.

Both sides run as child processes, so each one's wall time and peak RSS are its own. The pandas side
times its work inside the child (reading the tables and the activity CSV, computing, aggregating), so
the interpreter's start and `import pandas` are not counted against it; its peak RSS does include them.

Needs python3 with numpy and pandas (Debian python3-numpy, python3-pandas). If the python3 that runs
this script lacks them and /usr/bin/python3 has them, the script re-runs itself with /usr/bin/python3.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import use_debian_python  # noqa: E402

try:
    import numpy as np
    import pandas as pd
except ImportError:  # e.g. a pyenv/venv python3 first on PATH; Debian's has the packages
    use_debian_python(__file__, "numpy and pandas (apt-get install python3-numpy python3-pandas)")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTOL = 1e-9
EDITION = 2006
GWP_SET = "AR5"

# Units (mass in t, energy in TJ). The generator uses t, kt, TJ, GJ; the reference knows a few more
# so that factor units (kg/TJ, t/t, kg/t) parse with the same table.
MASS_T = {"kg": 1e-3, "t": 1.0, "Mg": 1.0, "kt": 1e3, "Gg": 1e3, "Mt": 1e6, "Tg": 1e6}
ENERGY_TJ = {"MJ": 1e-6, "GJ": 1e-3, "TJ": 1.0, "PJ": 1e3}
FUEL_UNITS = ["t", "kt", "TJ", "GJ"]
PRODUCT_UNITS = ["t", "kt"]
# log10 range of generated amounts per unit: plausible sizes of one activity record.
AMOUNT_LOG10 = {"t": (0.0, 5.0), "kt": (-3.0, 2.0), "TJ": (-1.0, 4.0), "GJ": (1.0, 6.0)}

# Categories where fuel rows are drawn: stationary combustion, road transport and a few other modes.
FUEL_CATEGORIES = [
    "1.A.1.a.i", "1.A.1.a.ii", "1.A.1.b", "1.A.2.a", "1.A.2.c", "1.A.2.f", "1.A.2.m", "1.A.4.a", "1.A.4.b",
    "1.A.4.c.i", "1.A.3.b.i", "1.A.3.b.ii", "1.A.3.b.iii", "1.A.3.a.ii", "1.A.3.c", "1.A.3.d.ii",
]
# Products of the IPPU factors are drawn in the category of their factor rows (2.A.1 clinker, ...).
COUNTRIES = ["AT", "BE", "CZ", "DE", "DK", "ES", "FR", "IT", "NL", "PL", "SE"]


def unit_kind(sym):
    if sym in MASS_T:
        return "mass", MASS_T[sym]
    if sym in ENERGY_TJ:
        return "energy", ENERGY_TJ[sym]
    raise ValueError(f"unit '{sym}' is not known to the benchmark's reference")


def collapse(s):
    """FactorLibrary's key for names: trimmed, lower case, inner blanks collapsed."""
    return " ".join(str(s).replace("\t", " ").split()).lower()


def has_prefix(code, prefix):
    """category_has_prefix: "1.A.1.a" starts with "1.A" on a part boundary."""
    if prefix == "" or prefix == "0":
        return True
    if not code.startswith(prefix):
        return False
    return len(code) == len(prefix) or code[len(prefix)] == "."


class Library:
    """The data tables, and FactorLibrary's resolve_activity / select rules over them."""

    def __init__(self, data_dir):
        read = lambda name: pd.read_csv(os.path.join(data_dir, name), dtype=str, keep_default_na=False)
        fuels = read("fuels.csv")
        factors = read("emission_factors.csv")
        gwp = read("gwp.csv")
        cats = read("ipcc2006_categories.csv")
        self.fuels = {}  # fuel name -> dict
        self.fuel_key = {}  # collapsed name/id/alias -> fuel name
        for r in fuels.itertuples(index=False):
            ncv = float(r.ncv_tj_per_gg) if r.ncv_tj_per_gg.strip() else float("nan")
            self.fuels[r.fuel] = {"ncv": ncv, "biomass": r.biomass.strip() == "1"}
            for k in [r.fuel, r.id] + [a for a in r.aliases.split(";") if a.strip()]:
                self.fuel_key.setdefault(collapse(k), r.fuel)
        self.factors = []  # in file order, as the library keeps them
        self.by_activity = {}
        for r in factors.itertuples(index=False):
            f = {"id": r.id.strip(), "edition": int(r.edition), "category": r.category.strip(),
                 "activity": r.activity.strip(), "technology": r.technology.strip(),
                 "default": r.default.strip() != "0", "gas": r.gas.strip(), "value": float(r.value),
                 "unit": r.unit.strip()}
            self.by_activity.setdefault(collapse(f["activity"]), []).append(len(self.factors))
            self.factors.append(f)
        self.gwp = {r.gas: float(r.gwp100) for r in gwp.itertuples(index=False) if r.set == GWP_SET}
        self.parent = {r.code.strip(): r.parent.strip() for r in cats.itertuples(index=False)}
        self.order = [r.code.strip() for r in cats.itertuples(index=False)]

    def resolve_activity(self, name):
        k = collapse(name)
        if k in self.fuel_key:
            return self.fuel_key[k]
        if k in self.by_activity:
            return self.factors[self.by_activity[k][0]]["activity"]
        return None

    def select(self, category, activity, edition=EDITION):
        """Per gas, the factor of the longest matching category prefix; no technology named."""
        best = {}

        def rank(f):
            return (len(f["category"]), 1 if f["technology"] == "" else 0, 1 if f["edition"] == edition else 0)

        for i in self.by_activity.get(collapse(activity), []):
            f = self.factors[i]
            if f["edition"] > edition or not has_prefix(category, f["category"]):
                continue
            if f["technology"] and not f["default"]:
                continue
            g = f["gas"]
            if g not in best or rank(f) > rank(best[g]):
                best[g] = f
        return list(best.values())

    def gwp_of(self, gas, category):
        if gas == "CO2_bio":
            return 1.0
        if gas == "CH4" and "CH4_fossil" in self.gwp:
            fossil = has_prefix(category, "1.B") or has_prefix(category, "2")
            return self.gwp["CH4_fossil" if fossil else "CH4_nonfossil"]
        return self.gwp[gas]

    def terms(self, category, activity_name, unit):
        """[(gas, t of gas per unit of amount, memo)] of one kind of row; raises ValueError if impossible."""
        if category not in self.parent:
            raise ValueError(f"unknown category {category}")
        activity = self.resolve_activity(activity_name)
        if activity is None:
            raise ValueError(f"unknown activity {activity_name}")
        fuel = self.fuels.get(activity)
        factors = self.select(category, activity)
        if not factors:
            raise ValueError(f"no factors for {activity} in {category}")
        if fuel is not None:
            gases = {f["gas"] for f in factors}
            for g in ("CO2", "CH4", "N2O"):
                if g not in gases:
                    raise ValueError(f"no {g} factor for {activity} in {category}")
        akind, ascale = unit_kind(unit)
        out = []
        for f in factors:
            num, den = f["unit"].split("/")
            nkind, nscale = unit_kind(num)
            dkind, dscale = unit_kind(den)
            if nkind != "mass":
                raise ValueError(f"factor unit {f['unit']}")
            if akind == dkind:
                a = ascale / dscale
            elif dkind == "energy" and akind == "mass" and fuel is not None and fuel["ncv"] == fuel["ncv"]:
                a = ascale / 1e3 * fuel["ncv"] / dscale  # t -> Gg, x NCV (TJ/Gg) -> TJ -> denominator
            else:
                raise ValueError(f"{unit} cannot be converted to the denominator of {f['unit']}")
            memo = f["gas"] == "CO2" and fuel is not None and fuel["biomass"]
            out.append(("CO2_bio" if memo else f["gas"], a * f["value"] * nscale, memo))
        return out

    def combos(self):
        """Valid (category, activity, units) to draw rows from, in a fixed order."""
        out = []
        for cat in FUEL_CATEGORIES:
            if cat not in self.parent:
                continue
            for name, fuel in self.fuels.items():
                units = [u for u in FUEL_UNITS if self._ok(cat, name, u)]
                if units:
                    out.append((cat, name, units))
        products = []
        for f in self.factors:
            if collapse(f["activity"]) in self.fuel_key or f["category"] not in self.parent:
                continue
            key = (f["category"], f["activity"])
            if key not in products:
                products.append(key)
        for cat, act in products:
            units = [u for u in PRODUCT_UNITS if self._ok(cat, act, u)]
            if units:
                out.append((cat, act, units))
        return out

    def _ok(self, cat, act, unit):
        try:
            self.terms(cat, act, unit)
            return True
        except (ValueError, KeyError):
            return False


def csv_field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s


def generate(path, n, seed, lib):
    """Writes n activity rows; returns the number of distinct combos used."""
    combos = lib.combos()
    if not combos:
        sys.exit("inventory_bench.py: no valid (category, activity, unit) combination in the data tables")
    kinds = [(c, a, u) for c, a, units in combos for u in units]
    rng = np.random.default_rng(seed)
    k = rng.integers(0, len(kinds), n)
    lo = np.array([AMOUNT_LOG10[u][0] for _, _, u in kinds])
    hi = np.array([AMOUNT_LOG10[u][1] for _, _, u in kinds])
    amount = np.round(10.0 ** rng.uniform(lo[k], hi[k]), 3)
    amount = np.maximum(amount, 0.001)
    # One country-year: totals across countries or years are refused (they are not an inventory).
    country = np.zeros(n, dtype=np.int64)
    year = np.full(n, 2022, dtype=np.int64)
    prefix = [f"{csv_field(c)},{csv_field(a)}," for c, a, _ in kinds]
    units = [u for _, _, u in kinds]
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("category,activity,amount,unit,country,year\n")
        step = 100_000
        for s in range(0, n, step):
            e = min(n, s + step)
            out.write("".join(f"{prefix[ki]}{am:.3f},{units[ki]},{COUNTRIES[ci]},{yr}\n"
                              for ki, am, ci, yr in zip(k[s:e].tolist(), amount[s:e].tolist(),
                                                        country[s:e].tolist(), year[s:e].tolist())))
    return len(kinds)


def reference(csv_path, data_dir):
    """The pandas reference: {category code or 'total': t CO2e}, and its own seconds."""
    t0, c0 = time.perf_counter(), time.process_time()
    lib = Library(data_dir)
    df = pd.read_csv(csv_path, dtype={"category": str, "activity": str, "unit": str, "country": str,
                                      "amount": "float64"},
                     keep_default_na=False, engine="c")
    # One code per distinct (category, activity, unit): factorize each column, then the triple.
    cols = []
    for c in ("category", "activity", "unit"):
        codes, uniq = pd.factorize(df[c])
        # The library trims blanks around fields: trim the few distinct values, not the million rows.
        codes2, uniq2 = pd.factorize(pd.Series([str(u).strip(" \t") for u in uniq], dtype=object))
        cols.append((codes2.astype(np.int64)[codes], uniq2))
    key = (cols[0][0] * len(cols[1][1]) + cols[1][0]) * len(cols[2][1]) + cols[2][0]
    kcodes, kuniq = pd.factorize(key)
    n1, n2 = len(cols[1][1]), len(cols[2][1])
    cat_index = {c: i for i, c in enumerate(lib.order)}
    coef = np.zeros(len(kuniq))
    kcat = np.zeros(len(kuniq), dtype=np.int64)
    touched_kind = np.zeros(len(kuniq), dtype=bool)
    for j, kv in enumerate(kuniq):
        kv = int(kv)
        cat = str(cols[0][1][kv // (n1 * n2)])
        act = str(cols[1][1][(kv // n2) % n1])
        unit = str(cols[2][1][kv % n2])
        terms = lib.terms(cat, act, unit)
        coef[j] = sum(scale * lib.gwp_of(g, cat) for g, scale, memo in terms if not memo)
        touched_kind[j] = any(not memo for _, _, memo in terms)
        kcat[j] = cat_index[cat]
    co2e = df["amount"].to_numpy(dtype=np.float64) * coef[kcodes]
    rows_cat = kcat[kcodes]
    sums = np.bincount(rows_cat, weights=co2e, minlength=len(lib.order))
    touched = np.bincount(rows_cat[touched_kind[kcodes]], minlength=len(lib.order)) > 0
    # Up the tree: each category with data adds its own sum to every ancestor.
    total = {}
    for i in np.nonzero(touched)[0]:
        code = lib.order[i]
        v = float(sums[i])
        while code:
            total[code] = total.get(code, 0.0) + v
            code = lib.parent[code]
    result = {("total" if c == "0" else c): v for c, v in total.items()}
    result.setdefault("total", 0.0)
    return result, time.perf_counter() - t0, time.process_time() - c0, len(df)


def run_child(argv, stdout_path):
    """Runs argv with stdout to a file; returns (exit code, wall s, peak RSS bytes, cpu s, stderr)."""
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen consistent
        p.stderr.close()
    return p.returncode, wall, ru.ru_maxrss * 1024, ru.ru_utime + ru.ru_stime, err.decode(errors="replace")


def parse_category_csv(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip()
        if header not in ("category,co2e_t", "category,co2e_t,gwp"):
            raise ValueError(f"unexpected header '{header}'")
        gwp = header.endswith(",gwp")
        for line in f:
            line = line.strip()
            if line:
                if gwp:
                    line = line.rsplit(",", 1)[0]
                code, value = line.rsplit(",", 1)
                out[code.strip('"')] = float(value)
    return out


def compare(ours, ref):
    """Lines that disagree, as text; empty when every category total agrees within RTOL."""
    bad = []
    for code in sorted(set(ours) | set(ref)):
        if code not in ours:
            bad.append(f"{code}: missing from panocarbon (reference {ref[code]!r})")
        elif code not in ref:
            bad.append(f"{code}: panocarbon {ours[code]!r} but not in the reference")
        else:
            a, b = ours[code], ref[code]
            if abs(a - b) > RTOL * max(abs(a), abs(b)):
                bad.append(f"{code}: panocarbon {a!r} vs reference {b!r} (rel {abs(a - b) / max(abs(a), abs(b)):.3g})")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="activity rows to generate [1000000]")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed of the generator")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"),
                    help="panocarbon binary [build/bin/panocarbon]")
    ap.add_argument("--data", default=os.path.join(REPO, "data"),
                    help="data tables the binary was built with [data/]")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs of each side; the fastest counts [1]")
    ap.add_argument("--smoke", action="store_true", help="small check of the answers only: one line, exit 1 on a mismatch")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (CSV, database, outputs)")
    ap.add_argument("--reference-only", metavar="CSV", help=argparse.SUPPRESS)  # the pandas child
    args = ap.parse_args()

    if args.reference_only:
        result, seconds, cpu, rows = reference(args.reference_only, args.data)
        json.dump({"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "totals": result}, sys.stdout)
        return 0

    if args.rows < 1 or args.repeat < 1:
        ap.error("--rows and --repeat must be at least 1")
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"inventory_bench: FAIL: no panocarbon binary at {binary} (build it, or pass --bin)")
        return 2

    tmp = tempfile.mkdtemp(prefix="panocarbon-bench-")
    try:
        lib = Library(args.data)
        csv_path = os.path.join(tmp, "activity.csv")
        db = os.path.join(tmp, "bench.db")
        t0 = time.perf_counter()
        kinds = generate(csv_path, args.rows, args.seed, lib)
        gen_s = time.perf_counter() - t0

        rc, _, _, _, err = run_child([binary, "db", "init", "--db", db], os.path.join(tmp, "init.out"))
        if rc != 0:
            print(f"inventory_bench: FAIL: panocarbon db init exited {rc}: {err.strip()}")
            return 1
        calc = [binary, "inventory", "calc", csv_path, "--by", "category", "--format", "csv", "--gwp", GWP_SET,
                "--db", db]
        pc_runs = []
        for i in range(args.repeat):
            out_path = os.path.join(tmp, f"panocarbon.{i}.csv")
            rc, wall, rss, cpu, err = run_child(calc, out_path)
            if rc != 0:
                print(f"inventory_bench: FAIL: panocarbon inventory calc exited {rc}: {err.strip()}")
                return 1
            pc_runs.append((wall, rss, cpu, out_path))
        ref_runs = []
        ref_cmd = [sys.executable, os.path.abspath(__file__), "--reference-only", csv_path, "--data", args.data]
        for i in range(args.repeat):
            out_path = os.path.join(tmp, f"reference.{i}.json")
            rc, wall, rss, cpu, err = run_child(ref_cmd, out_path)
            if rc != 0:
                print(f"inventory_bench: FAIL: the pandas reference exited {rc}:\n{err.strip()}")
                return 1
            with open(out_path) as f:
                j = json.load(f)
            ref_runs.append((j["seconds"], rss, wall, j))

        ours = parse_category_csv(pc_runs[0][3])
        ref = ref_runs[0][3]["totals"]
        bad = compare(ours, ref)
        for r in pc_runs[1:]:  # every run must print the same answer
            if parse_category_csv(r[3]) != ours:
                bad.append("panocarbon printed different totals in two runs of the same file")
        agree = not bad

        if args.smoke:
            if agree:
                print(f"inventory_bench smoke: PASS ({args.rows} rows, {len(ours)} category totals agree with "
                      f"the pandas reference within {RTOL:g}; total {ours.get('total', 0):.6g} t CO2e)")
            else:
                print(f"inventory_bench smoke: FAIL ({len(bad)} of {len(set(ours) | set(ref))} totals disagree; "
                      f"first: {bad[0]})")
            return 0 if agree else 1

        pc_wall, pc_rss, pc_cpu, _ = min(pc_runs)
        ref_s, ref_rss, ref_wall, _ = min(ref_runs, key=lambda r: r[0])
        n = args.rows
        w = 14
        print(f"panocarbon inventory benchmark: {n:,} rows ({kinds} kinds of row, seed {args.seed}), "
              f"--by category --gwp {GWP_SET}, best of {args.repeat}")
        print(f"  binary: {binary}")
        print(f"  data:   {args.data}; CSV {os.path.getsize(csv_path) / 2**20:.1f} MiB, generated in {gen_s:.1f} s")
        print(f"{'':<26}{'panocarbon':>{w}}{'pandas':>{w}}")
        print(f"{'rows':<26}{n:>{w},}{n:>{w},}")
        print(f"{'seconds':<26}{pc_wall:>{w}.3f}{ref_s:>{w}.3f}")
        print(f"{'rows/s':<26}{n / pc_wall:>{w},.0f}{n / ref_s:>{w},.0f}")
        print(f"{'peak RSS (MB)':<26}{pc_rss / 1e6:>{w}.1f}{ref_rss / 1e6:>{w}.1f}")
        ref_cpu = min(ref_runs, key=lambda r: r[0])[3]["cpu_seconds"]
        print(f"{'CPU seconds (user+sys)':<26}{pc_cpu:>{w}.3f}{ref_cpu:>{w}.3f}")
        print(f"speed ratio (pandas s / panocarbon s): {ref_s / pc_wall:.2f}x")
        print(f"goal (over 1,000,000 rows/s on one core): {'met' if n / pc_wall > 1e6 else 'NOT met'}")
        print("  panocarbon: whole `inventory calc` process (start, database, read, compute, aggregate, write);")
        print("  pandas: tables + read_csv + compute + aggregate inside its process (start and imports not timed;")
        print(f"  its wall time with them was {ref_wall:.3f} s); peak RSS of each process")
        print(f"answers agree: {'yes' if agree else 'no'} ({len(ours)} category totals incl. total, rtol {RTOL:g})")
        for line in bad[:20]:
            print("  " + line)
        return 0 if agree else 1
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
