"""The generic layer: the registry's table, any capability by name with the CLI's JSON, errors as exceptions."""

import math
import warnings

import pytest

import panocarbon
from conftest import SOURCE


def test_capabilities_are_the_registry_table(cli):
    caps = panocarbon.capabilities()
    assert caps == cli.json("capabilities")
    names = [c["name"] for c in caps]
    assert "mrio accounts" in names and "lca calc" in names and "sensitivity sobol" in names
    acc = next(c for c in caps if c["name"] == "mrio accounts")
    assert acc["domain"] == "trade"
    assert "path" in acc["input_schema"]["properties"]
    assert panocarbon._panocarbon.tool_names()[names.index("mrio accounts")] == "mrio_accounts"


def close(a, b, rel=1e-12, path="$"):
    """Every number of a equals b's (relative rel); every other value is equal."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            close(a[k], b[k], rel, f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, rel, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-300), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def strip_run(j, *also):
    """The JSON without what differs between two runs of the same thing (run ids, timings, the database path)."""
    if isinstance(j, dict):
        return {k: strip_run(v, *also) for k, v in j.items()
                if k not in ("run_id", "provenance", "factorise_s", "solve_s", "read_s", "compute_s", "seconds",
                             "mb_per_s", "timings", "system_id") + also}
    if isinstance(j, list):
        return [strip_run(v, *also) for v in j]
    return j


def test_mrio_accounts_by_name_equals_the_cli(cli, wiod_2009, home):
    want = cli.json("mrio", "accounts", wiod_2009, "--region", "CHN", "--region", "USA", "--db", home / "cli.db")
    got = panocarbon.run("mrio accounts", path=str(wiod_2009), region=["CHN", "USA"], db=home / "py.db")
    close(strip_run(got), strip_run(want))
    # the tool name, and no database at all
    got2 = panocarbon.run("mrio_accounts", path=wiod_2009, region=["CHN", "USA"], no_store=True)
    close(strip_run(got2), strip_run(want))


def test_options_with_underscores_and_defaults(cli, home):
    want = cli.json("inventory", "calc", SOURCE / "examples" / "inventory.csv", "--gwp", "AR6", "--by", "gas", "--skip-missing",
                    "--db", home / "cli.db")
    got = panocarbon.run("inventory calc", file=str(SOURCE / "examples" / "inventory.csv"), gwp="AR6", by="gas",
                         skip_missing=True, country=None, db=home / "py.db")
    close(strip_run(got), strip_run(want))


def test_unknown_capability_names_the_nearest(cli):
    with pytest.raises(panocarbon.NotFoundError) as e:
        panocarbon.run("mrio acounts", path="x")
    assert "mrio accounts" in str(e.value)
    assert isinstance(e.value, panocarbon.Error) and isinstance(e.value, LookupError)
    assert e.value.exit_code == 3 and e.value.category == "not found"


def test_unknown_option_names_the_nearest():
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.run("mrio accounts", path="x", regoin=["CHN"])
    assert "no option 'regoin'" in str(e.value) and "did you mean region" in str(e.value)
    assert e.value.field == "regoin"


def test_bad_choice_has_the_cli_message(cli, wiod_2009):
    code, msg = cli.error("mrio", "accounts", wiod_2009, "--solver", "fastest")
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.run("mrio accounts", path=wiod_2009, solver="fastest", no_store=True)
    assert str(e.value).rstrip() == msg
    assert e.value.exit_code == code == 2
    assert isinstance(e.value, ValueError)
    assert e.value.field == "solver"


def test_missing_file_has_the_cli_message(cli, home):
    missing = home / "no-such-folder" / "activity.csv"
    code, msg = cli.error("inventory", "calc", missing, "--db", home / "cli.db")
    with pytest.raises(panocarbon.Error) as e:
        panocarbon.run("inventory calc", file=str(missing), no_store=True)
    assert str(e.value).rstrip() == msg
    assert e.value.exit_code == code
    assert str(missing) in str(e.value)


def test_missing_mrio_folder_has_the_cli_message(cli, home):
    missing = home / "no-such-mrio"
    code, msg = cli.error("mrio", "accounts", missing, "--db", home / "cli.db")
    with pytest.raises(panocarbon.Error) as e:
        panocarbon.run("mrio accounts", path=missing, db=home / "py.db")
    assert str(e.value).rstrip() == msg and e.value.exit_code == code


def test_front_end_options_are_refused():
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.run("gwp list", format="csv")
    assert "belongs to the command line" in str(e.value)


def test_standard_input_is_refused():
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.run("inventory calc", file="-", no_store=True)
    assert "standard input" in str(e.value)


def test_writing_capability_needs_out(pymrio_test, tmp_path):
    regions = tmp_path / "regions.csv"
    regions.write_text("from,to\nreg1,north\nreg2,north\nreg3,north\nreg4,south\nreg5,south\nreg6,south\n")
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.run("mrio aggregate", path=pymrio_test, regions=regions, no_store=True)
    assert str(e.value) == "field 'out': invalid input: 'mrio aggregate' writes files: give out=FOLDER"
    r = panocarbon.run("mrio aggregate", path=pymrio_test, regions=regions, out=tmp_path / "agg", no_store=True)
    assert r["regions"] == 2 and (tmp_path / "agg" / "Z.txt").exists()
    s = panocarbon.mrio.load(tmp_path / "agg")
    assert s.regions == ["north", "south"]
    assert s.Z.to_numpy().sum() == pytest.approx(panocarbon.mrio.load(pymrio_test).Z.to_numpy().sum(), rel=1e-12)


def test_run_warnings_are_python_warnings(home):
    # a Monte Carlo run without a seed draws one and says so
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        panocarbon.run("sensitivity sobol", model=str(SOURCE / "examples" / "sensitivity" / "ishigami.json"),
                       draws=64, bootstrap=0, no_store=True)
    assert any(issubclass(x.category, panocarbon.PanocarbonWarning) and "seed" in str(x.message) for x in w)


def test_ctrl_c_stops_a_capability():
    # SIGINT during a long `sensitivity sobol` run (10^6 bootstrap resamples of N = 4096, minutes; the library
    # checks for cancellation after every chunk of 1,024, a fraction of a second) through run(): KeyboardInterrupt
    # within a moment, and the run is logged as failed, not left running.
    import os
    import sqlite3
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "runs.db")
        script = f"""
import signal, threading, time, os
import panocarbon
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
t0 = time.perf_counter()
try:
    panocarbon.run("sensitivity sobol", model={str(SOURCE / "examples" / "sensitivity" / "ishigami.json")!r},
                   draws=1 << 12, bootstrap=1000000, seed=1, db={db!r})
    print("finished")
except KeyboardInterrupt:
    print("interrupted after %.2f s" % (time.perf_counter() - t0))
"""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith("interrupted after"), p.stdout + p.stderr
        assert float(p.stdout.split()[2]) < 3.0, p.stdout
        with sqlite3.connect(db) as c:
            status = [r[0] for r in c.execute("select status from runs")]
        assert status == ["failed"], status
