"""Sobol indices of Python callables: the Ishigami function against its closed form and against the CLI's built-in
model on the same design, the scalar path, errors, and the GIL."""

import math
import threading
import time

import numpy as np
import pytest

import panocarbon
from conftest import SOURCE

PI = math.pi
# Ishigami & Homma (1990), a = 7, b = 0.1 (Saltelli et al. 2008, §4.4)
A, B = 7.0, 0.1
V = A * A / 8 + B * PI**4 / 5 + B * B * PI**8 / 18 + 0.5
V1 = 0.5 * (1 + B * PI**4 / 5) ** 2
V2 = A * A / 8
V13 = B * B * PI**8 * (1 / 18 - 1 / 50)
S1_EXACT = [V1 / V, V2 / V, 0.0]
ST_EXACT = [(V1 + V13) / V, V2 / V, V13 / V]


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_exact_values_are_the_published_ones():
    assert S1_EXACT[:2] == pytest.approx([0.3139, 0.4424], abs=1e-4)
    assert ST_EXACT == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)


def test_ishigami_matches_the_closed_form():
    n = 16384
    r = panocarbon.sobol(ishigami, [(-PI, PI)] * 3, n, seed=20240601, bootstrap=100)
    assert list(r.index) == ["x1", "x2", "x3"] and r.index.name == "parameter"
    assert r.attrs["runs"] == n * 5 and r.attrs["samples"] == n
    # standard errors at N = 2^14 are at most about 0.01 (docs/sensitivity.md); 0.04 is four of them
    assert r["S1"].to_numpy() == pytest.approx(S1_EXACT, abs=0.04)
    assert r["ST"].to_numpy() == pytest.approx(ST_EXACT, abs=0.04)
    # the intervals are ordered around the estimates and narrow at this N
    assert (r["S1_low"] <= r["S1"]).all() and (r["S1"] <= r["S1_high"]).all()
    assert (r["ST_low"] <= r["ST"]).all() and (r["ST"] <= r["ST_high"]).all()
    assert ((r["S1_high"] - r["S1_low"]) < 0.1).all()
    assert r.attrs["variance"] == pytest.approx(V, rel=0.05)


def test_same_design_as_the_cli(cli):
    # The library's design and estimators: the Python callable on the design equals the built-in Ishigami model
    # of `sensitivity sobol` run on the same seed and N (up to numpy's and the C library's last bits of sin).
    want = cli.json("sensitivity", "sobol", SOURCE / "examples" / "sensitivity" / "ishigami.json", "--draws", 2048,
                    "--seed", 5, "--bootstrap", 50, "--db", cli.env["PANOCARBON_DB"])
    got = panocarbon.sobol(ishigami, [(-PI, PI)] * 3, 2048, seed=5, bootstrap=50)
    rows = want["indices"] if "indices" in want else want["parameters"]
    for row in rows:
        p = row["parameter"] if "parameter" in row else row["name"]
        for k in ("S1", "ST", "S1_low", "S1_high", "ST_low", "ST_high"):
            assert got.loc[p, k] == pytest.approx(row[k], abs=1e-9), (p, k)


def test_scalar_function_gives_the_same_numbers():
    calls = []

    def f(x):
        calls.append(1)
        return math.sin(x[0]) + A * math.sin(x[1]) ** 2 + B * x[2] ** 4 * math.sin(x[0])

    a = panocarbon.sobol(f, [(-PI, PI)] * 3, 256, seed=3, bootstrap=20, vectorized=False)
    b = panocarbon.sobol(ishigami, [(-PI, PI)] * 3, 256, seed=3, bootstrap=20)
    assert len(calls) == 256 * 5
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-12)
    c = panocarbon.sobol(ishigami, [(-PI, PI)] * 3, 256, seed=4, bootstrap=20)
    assert not np.allclose(b["S1"], c["S1"])


def test_names_and_threads_do_not_change_numbers():
    a = panocarbon.sobol(ishigami, [(-PI, PI)] * 3, 512, seed=9, bootstrap=30, threads=1)
    b = panocarbon.sobol(ishigami, [(-PI, PI)] * 3, 512, seed=9, bootstrap=30, threads=3)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    c = panocarbon.sobol(lambda x: x[:, 0] + 2 * x[:, 1], [(0, 1), (0, 1)], 64, names=["a", "b"], bootstrap=0)
    assert list(c.index) == ["a", "b"]
    assert np.isnan(c["S1_low"]).all()


def test_errors():
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.sobol(lambda x: x[:10, 0], [(0, 1), (0, 1)], 64)
    assert str(e.value) == ("field 'func': invalid input: the function returned 10 values for 256 rows; return one "
                            "number per row of the (runs, parameters) array it is given, or pass vectorized=False "
                            "for a function of one row")
    with pytest.raises(panocarbon.DataError) as e:
        panocarbon.sobol(lambda x: np.where(x[:, 0] > 0.5, np.nan, x[:, 1]), [(0, 1), (0, 1)], 64)
    assert "the model's output is nan at run" in str(e.value)
    with pytest.raises(panocarbon.DataError) as e:
        panocarbon.sobol(lambda x: np.ones(len(x)), [(0, 1)], 64)
    assert "does not vary" in str(e.value)
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.sobol(ishigami, [(1, 0)], 64)
    assert "bounds of parameter 'x1' are (1, 0)" in str(e.value) and e.value.field == "bounds"
    with pytest.raises(panocarbon.InvalidInputError):
        panocarbon.sobol(ishigami, [(0, 1)], 1)
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.sobol(ishigami, [(0, 1), (0, 1)], 8, names=["a", "a"])
    assert "named twice" in str(e.value)
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.sobol(lambda x: "text", [(0, 1)], 8)
    assert "returned a str, not numbers" in str(e.value)

    class Boom(Exception):
        pass

    def boom(x):
        raise Boom("from the model")

    with pytest.raises(Boom, match="from the model"):
        panocarbon.sobol(boom, [(0, 1)], 8)


def test_the_gil_is_released_during_the_bootstrap():
    # The function is cheap; the bootstrap (1000 resamples of N = 2^15, 6 estimators each) is long and runs
    # without the GIL: a Python thread keeps going meanwhile (with the GIL held its longest pause would be the
    # bootstrap's whole length).
    done = threading.Event()
    spent = {}

    def work():
        t0 = time.perf_counter()
        panocarbon.sobol(ishigami, [(-PI, PI)] * 3, 1 << 15, seed=1, bootstrap=1000, threads=1)
        spent["s"] = time.perf_counter() - t0
        done.set()

    t = threading.Thread(target=work)
    stamps = [time.perf_counter()]
    t.start()
    while not done.is_set():
        sum(range(200))
        stamps.append(time.perf_counter())
    t.join()
    assert spent["s"] > 0.1, "the call was too short to tell"
    assert np.diff(stamps).max() < 0.3 * spent["s"], (np.diff(stamps).max(), spent["s"])


def test_ctrl_c_stops_a_long_call():
    # SIGINT while the bootstrap runs without the GIL (10^6 resamples of N = 4096: minutes; cancellation is checked
    # after every chunk of 1,024 resamples): the call stops within a moment
    # with KeyboardInterrupt, as Python code would.
    import os
    import subprocess
    import sys

    script = """
import math, signal, threading, time, os
import numpy as np
import panocarbon
f = lambda x: np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
t0 = time.perf_counter()
try:
    panocarbon.sobol(f, [(-math.pi, math.pi)] * 3, 1 << 12, seed=1, bootstrap=1000000, threads=2)
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
