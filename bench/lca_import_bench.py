#!/usr/bin/python3
"""JSON-LD import benchmark (issue 16): `panocarbon lca import` of an openLCA JSON-LD package, the whole import
(parse, link, store), measured in the same run against a Python child that only reads and parses the same files
with the json module, and the answers checked.

  bench/lca_import_bench.py                          # USLCI (../shared/data/lca/uslci-jsonld) and the synthetic zip
  bench/lca_import_bench.py --case uslci --repeat 7  # one case
  bench/lca_import_bench.py --smoke                  # a 300-process synthetic zip and USLCI when present, answers only

Cases:
  uslci      the real USLCI JSON-LD folder (766 processes, 6,485 .json files, 24 MB);
  synthetic  the 20,000-process zip of bench/lca_bench.py (bench/make_synthetic_technosphere.py, seed 1; 375 MB of
             JSON, 90 MB zipped), written once into --workdir (the same file lca_bench.py uses and reuses).

Each repetition runs, alternating their order, each side as its own child process (wall time and CPU seconds
from os.wait4):
  * Python:     reads every .json file of the folder (os.walk, open().read()) or zip (zipfile, ZipFile.read) and
                json.loads it: nothing else. Its own timer around that loop is reported too (without the
                interpreter's start).
  * panocarbon: `PANOCARBON_TRACE=1 panocarbon lca import PACKAGE --name bench --db DB --format json` into a
                store created beforehand (an empty panocarbon SQLite file, made untimed: creating a store's schema
                is not the import); the phases come from its `trace:` lines. A first import into a fresh --db
                (schema creation included) is timed once and reported beside.
The figure is our wall time / Python's (the goal: at most 0.5), best (min) of --repeat for each side; the medians
and the CPU seconds are printed too. The floor printed for the reader is what simdjson's parse alone took
inside the import (its `jsonld parse` trace, summed over the threads) plus reading the bytes (`jsonld read bytes`:
zip inflate or file reads); the store's floor is its own phase (the same rows).

Answers: the imported store is checked against what Python parsed: the number of processes, and for every
process its number of exchanges and the sum of its exchanges' amounts (to 1e-12 relative: the amounts are in
the flows' reference units; for USLCI, whose exchanges are converted, the counts and the digest below); the
stored tables' digest (every row of lca_flows, lca_processes and lca_exchanges) must equal the digest recorded
for the case (the import before simdjson gave it) when one is recorded. Any mismatch prints FAIL and exits 1.
"""
import argparse
import hashlib
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_child, tail  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR = os.path.join(REPO, "bench", "make_synthetic_technosphere.py")
USLCI = os.path.join(REPO, "..", "shared", "data", "lca", "uslci-jsonld")
TRACE = re.compile(r"^trace:\s+(.*?)\s+([-+0-9.eE]+)\s+s\s*$")
# Digests of the stored tables (table_digest below) as the nlohmann reader before issue 16 imported them.
# Keyed by case and, for the synthetic zip, its generator's hash (a new generator writes another database).
DIGESTS = {
    "uslci": "7e4b5a2b69435b7557a552db4b8a8bce18aa0c61f45559acd709f9396812a26b",
    "synthetic_20000_1_e7b24f34": "df1f95d176077e075bfd2eb7ee068effdbe0ee235874dda2501a5bf907095a36",
}


# --- The Python reference (its own process: --_python PACKAGE OUT.json) ----------------------------------------

def python_side(package, out_path):
    t0 = time.perf_counter()
    docs = []
    if os.path.isdir(package):
        for root, dirs, files in os.walk(package):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".json"):
                    with open(os.path.join(root, f), "rb") as h:
                        docs.append((os.path.relpath(os.path.join(root, f), package), json.loads(h.read())))
    else:
        with zipfile.ZipFile(package) as z:
            for name in z.namelist():
                if name.endswith(".json"):
                    docs.append((name, json.loads(z.read(name))))
    parse_s = time.perf_counter() - t0
    # answers (untimed): per process, its exchanges' count and sum of amounts
    processes = {}
    for name, d in docs:
        if "/processes/" in "/" + name and isinstance(d, dict):
            ex = d.get("exchanges") or []
            processes[d.get("@id")] = [len(ex), sum(float(e.get("amount", 0)) for e in ex)]
    with open(out_path, "w") as f:
        json.dump({"parse_s": parse_s, "files": len(docs), "processes": processes}, f)


# --- Helpers --------------------------------------------------------------------------------------------------

def synthetic_zip(workdir, processes, seed):
    """The zip lca_bench.py writes for these arguments (written here when it is not there yet)."""
    with open(GENERATOR, "rb") as f:
        version = hashlib.sha1(f.read()).hexdigest()[:8]
    z = os.path.join(workdir, f"synthetic_{processes}_seed{seed}_{version}.zip")
    if not os.path.isfile(z):
        os.makedirs(workdir, exist_ok=True)
        r = subprocess.run([sys.executable, GENERATOR, z, "--processes", str(processes), "--seed", str(seed)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise SystemExit(f"lca_import_bench: FAIL: the generator failed ({r.returncode}):\n{r.stdout}")
    return z, version


def remove_db(db):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)


def table_digest(db):
    """SHA-256 of every stored row of the database `bench` (flows, processes, exchanges), ids included."""
    c = sqlite3.connect(db)
    h = hashlib.sha256()
    (dbid,) = c.execute("SELECT id FROM lca_databases WHERE name = 'bench'").fetchone()
    for q in ("SELECT ix, id, name, type, compartment, cas, unit, property, location, properties FROM lca_flows "
              "WHERE db_id = ? ORDER BY ix",
              "SELECT ix, id, name, location, category, type, default_allocation, allocation, stage, documentation "
              "FROM lca_processes WHERE db_id = ? ORDER BY ix",
              "SELECT process, flow, amount, flags, provider, xid, formula, description, unc_kind, unc_a, unc_b, unc_c, "
              "unc_sigma_ln, unc_basic, pedigree FROM lca_exchanges WHERE db_id = ? ORDER BY rowid"):
        for row in c.execute(q, (dbid,)):
            h.update(repr(row).encode())
    c.close()
    return h.hexdigest()


def check(db, ref, rtol=1e-12, amounts=True):
    """Failures (strings) of the stored database against Python's parse."""
    bad = []
    c = sqlite3.connect(db)
    (dbid,) = c.execute("SELECT id FROM lca_databases WHERE name = 'bench'").fetchone()
    stored = {}
    for pid, n, total in c.execute(
            "SELECT p.id, count(x.rowid), total(x.amount) FROM lca_processes p LEFT JOIN lca_exchanges x "
            "ON x.db_id = p.db_id AND x.process = p.ix WHERE p.db_id = ? GROUP BY p.ix", (dbid,)):
        stored[pid] = (n, total)
    c.close()
    if len(stored) != len(ref):
        bad.append(f"{len(stored)} processes stored, {len(ref)} parsed by Python")
    for pid, (n, total) in ref.items():
        if pid not in stored:
            bad.append(f"process {pid} not stored")
        elif stored[pid][0] != n:
            bad.append(f"process {pid}: {stored[pid][0]} exchanges stored, {n} parsed")
        elif amounts and abs(stored[pid][1] - total) > rtol * max(abs(total), abs(stored[pid][1]), 1e-300):
            bad.append(f"process {pid}: sum of amounts {stored[pid][1]!r} stored, {total!r} parsed")
        if len(bad) > 5:
            break
    return bad


def trace_of(path):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = TRACE.match(line.strip())
            if m:
                out[m.group(1)] = float(m.group(2))
    return out


def make_store(binary, db, workdir):
    remove_db(db)
    rc, _, _, _ = run_child([binary, "lca", "databases", "--db", db, "--format", "json"],
                            os.path.join(workdir, "store.out"), os.path.join(workdir, "store.err"))
    if rc != 0:
        raise SystemExit(f"lca_import_bench: FAIL: cannot create the store {db}:\n"
                         f"{tail(os.path.join(workdir, 'store.err'))}")


# --- One case ---------------------------------------------------------------------------------------------------

def run_case(name, package, args, binary, digest_key):
    wd = args.workdir
    db = os.path.join(wd, f"import-{name}.db")
    py_out = os.path.join(wd, f"{name}.python.json")
    env = dict(os.environ, PANOCARBON_TRACE="1")
    cmd = [binary, "lca", "import", package, "--name", "bench", "--db", db, "--format", "json"]
    imp_out, imp_err = (os.path.join(wd, f"{name}.import.{s}") for s in ("out", "err"))
    ours, theirs = [], []

    def run_ours(fresh):
        if fresh:
            remove_db(db)
        else:
            make_store(binary, db, wd)
        rc, wall, rss, cpu = run_child(cmd, imp_out, imp_err, args.timeout, env=env)
        if rc != 0:
            raise SystemExit(f"lca_import_bench: FAIL: `{' '.join(cmd)}` exited {rc}:\n{tail(imp_err)}")
        return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "trace": trace_of(imp_err)}

    def run_python():
        rc, wall, rss, cpu = run_child([sys.executable, os.path.abspath(__file__), "--_python", package, py_out],
                                       os.path.join(wd, f"{name}.python.out"), os.path.join(wd, f"{name}.python.err"),
                                       args.timeout)
        if rc != 0:
            raise SystemExit(f"lca_import_bench: FAIL: the Python side exited {rc}:\n"
                             f"{tail(os.path.join(wd, f'{name}.python.err'))}")
        with open(py_out) as f:
            d = json.load(f)
        return {"wall_s": wall, "cpu_s": cpu, "rss_mb": rss, "parse_s": d["parse_s"], "files": d["files"]}, d

    fresh = run_ours(True)
    ref = None
    for k in range(args.repeat):
        if k % 2 == 0:
            ours.append(run_ours(False))
            p, ref = run_python()
            theirs.append(p)
        else:
            p, ref = run_python()
            theirs.append(p)
            ours.append(run_ours(False))

    failures = check(db, ref["processes"], amounts=(name != "uslci"))
    digest = table_digest(db)
    want = DIGESTS.get(digest_key, "")
    if want and digest != want:
        failures.append(f"stored tables' digest {digest} differs from the recorded {want}")

    def best(rows, key):
        return min(r[key] for r in rows)

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    b = min(ours, key=lambda r: r["wall_s"])
    tr = b["trace"]
    parse_floor = tr.get("jsonld parse (threads)", float("nan"))
    read_floor = tr.get("jsonld read bytes (threads)", float("nan"))
    summary = {
        "case": name, "package": package, "runs": args.repeat,
        "ours_wall_s": best(ours, "wall_s"), "ours_wall_median_s": med(ours, "wall_s"),
        "ours_cpu_s": best(ours, "cpu_s"), "ours_rss_mb": best(ours, "rss_mb"),
        "ours_fresh_store_wall_s": fresh["wall_s"],
        "python_wall_s": best(theirs, "wall_s"), "python_wall_median_s": med(theirs, "wall_s"),
        "python_cpu_s": best(theirs, "cpu_s"), "python_parse_s": best(theirs, "parse_s"),
        "python_files": theirs[0]["files"],
        "phases": tr, "floor_parse_s": parse_floor, "floor_read_s": read_floor,
        "digest": digest, "digest_recorded": want, "failures": failures,
    }
    summary["ratio"] = summary["ours_wall_s"] / summary["python_wall_s"]
    summary["ratio_cpu"] = summary["ours_cpu_s"] / summary["python_cpu_s"]
    return summary


def print_case(s):
    ok = "pass" if not s["failures"] else "FAIL"
    tr = s["phases"]
    store = tr.get("lca import store database", 0) + tr.get("lca import store system", 0)
    print(f"{s['case']}: {s['package']}")
    print(f"  panocarbon lca import: {s['ours_wall_s']:.3f} s wall (median {s['ours_wall_median_s']:.3f}), "
          f"{s['ours_cpu_s']:.3f} CPU s, {s['ours_rss_mb']:.0f} MB; into a fresh --db file: "
          f"{s['ours_fresh_store_wall_s']:.3f} s")
    print(f"  python json.loads of {s['python_files']} files: {s['python_wall_s']:.3f} s wall (median "
          f"{s['python_wall_median_s']:.3f}), {s['python_cpu_s']:.3f} CPU s; its loop alone {s['python_parse_s']:.3f} s")
    print("  phases (best run): " + ", ".join(f"{k.replace('lca import ', '')} {v:.3f}" for k, v in tr.items()))
    print(f"  floor: read bytes {s['floor_read_s']:.3f} s + simdjson parse {s['floor_parse_s']:.3f} s (CPU s over the "
          f"threads); store {store:.3f} s")
    for f in s["failures"]:
        print(f"  FAIL: {f}")
    print(f"SUMMARY {s['case']}: ours {s['ours_wall_s']:.3f} s, python {s['python_wall_s']:.3f} s, ratio "
          f"{s['ratio']:.2f} (goal <= 0.5; CPU {s['ours_cpu_s']:.3f} vs {s['python_cpu_s']:.3f} s, ratio "
          f"{s['ratio_cpu']:.2f}), floor parse {s['floor_parse_s']:.3f} s + read {s['floor_read_s']:.3f} s, "
          f"answers {ok}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", choices=["uslci", "synthetic", "all"], default="all")
    ap.add_argument("--processes", type=int, help="processes of the synthetic zip [20000; 300 with --smoke]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, help="runs of each side, alternating [5 uslci, 3 synthetic; 1 --smoke]")
    ap.add_argument("--workdir", default="/tmp/panocarbon-lca-bench",
                    help="the synthetic zip (shared with lca_bench.py) and the stores [/tmp/panocarbon-lca-bench]")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "bin", "panocarbon"))
    ap.add_argument("--uslci", default=USLCI, help="the USLCI JSON-LD folder [../shared/data/lca/uslci-jsonld]")
    ap.add_argument("--timeout", type=float)
    ap.add_argument("--smoke", action="store_true", help="small synthetic zip (+ USLCI when present), answers only")
    ap.add_argument("--json", metavar="OUT", help="write the summaries as JSON")
    ap.add_argument("--_python", nargs=2, metavar=("PACKAGE", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._python:
        return python_side(*args._python)
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        print(f"lca_import_bench: FAIL: no panocarbon binary at {binary} (build it or pass --bin)")
        return 2
    if args.processes is None:
        args.processes = 300 if args.smoke else 20000
    args.workdir = os.path.abspath(args.workdir)
    os.makedirs(args.workdir, exist_ok=True)
    summaries = []
    if args.case in ("uslci", "all"):
        if os.path.isdir(args.uslci):
            args_repeat = args.repeat or (1 if args.smoke else 5)
            saved, args.repeat = args.repeat, args_repeat
            summaries.append(run_case("uslci", os.path.abspath(args.uslci), args, binary, "uslci"))
            args.repeat = saved
        elif args.case == "uslci":
            print(f"lca_import_bench: FAIL: no USLCI folder at {args.uslci}")
            return 2
    if args.case in ("synthetic", "all"):
        z, version = synthetic_zip(args.workdir, args.processes, args.seed)
        saved, args.repeat = args.repeat, args.repeat or (1 if args.smoke else 3)
        summaries.append(run_case("synthetic", z, args, binary, f"synthetic_{args.processes}_{args.seed}_{version}"))
        args.repeat = saved
    for s in summaries:
        print_case(s)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summaries, f, indent=1)
    return 1 if any(s["failures"] for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
