"""The example script of docs/python.md: it runs, and its table is the CLI's numbers."""

import io
import os
import runpy
import subprocess
import sys

import pandas as pd
import pytest

from conftest import SOURCE

SCRIPT = SOURCE / "docs" / "examples" / "wiod_2009_production_vs_consumption.py"


def test_the_table_equals_the_cli(cli, wiod_2009, home):
    want = cli.json("mrio", "accounts", wiod_2009, "--stressor", "CO2", "--db", home / "cli.db")
    rows = {r["region"]: r for r in want["stressors"][0]["regions"]}
    t = runpy.run_path(str(SCRIPT))["table"](wiod_2009)
    assert len(t) == 42 and t.index[-1] == "World"
    for reg, r in rows.items():
        for col in ("production", "consumption", "imports", "exports"):
            assert t.loc[reg, col] == pytest.approx(r[col] / 1000, rel=1e-12), (reg, col)
        assert t.loc[reg, "net_transfer"] == pytest.approx((r["consumption"] - r["production"]) / 1000, rel=1e-9,
                                                           abs=1e-9)
    assert t.loc["World", "production"] == pytest.approx(sum(r["production"] for r in rows.values()) / 1000,
                                                         rel=1e-12)
    # the regions of docs/mrio-wiod2009.md, as printed there (Mt, one decimal)
    assert round(t.loc["CHN", "production"], 1) == 8236.6 and round(t.loc["CHN", "consumption"], 1) == 6860.2
    assert round(t.loc["USA", "production"], 1) == 5160.5 and round(t.loc["USA", "consumption"], 1) == 5952.8
    assert round(t.loc["World", "production"], 1) == 32071.2


def test_the_script_runs(wiod_2009):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    p = subprocess.run([sys.executable, str(SCRIPT), str(wiod_2009), "--csv"], capture_output=True, text=True,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    t = pd.read_csv(io.StringIO(p.stdout), index_col=0)
    assert list(t.index) == ["CHN", "USA", "JPN", "DEU", "IND", "World"]
    assert round(t.loc["JPN", "production"], 1) == 1159.5
    p = subprocess.run([sys.executable, str(SCRIPT), str(wiod_2009)], capture_output=True, text=True, env=env,
                       timeout=300)
    assert p.returncode == 0 and "8,236.6" in p.stdout, p.stdout + p.stderr
