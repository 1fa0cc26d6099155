"""Inventories from a DataFrame of activity rows: the CLI's numbers for the same rows, errors that name the row."""

import pandas as pd
import pytest

import panocarbon
from conftest import SOURCE
from test_registry import close, strip_run

EXAMPLE = SOURCE / "examples" / "inventory.csv"


@pytest.mark.parametrize("by,gwp", [("gas", "AR5"), ("category", "AR6"), ("row", "AR4")])
def test_dataframe_equals_the_cli_on_the_file(cli, home, by, gwp):
    rows = pd.read_csv(EXAMPLE, keep_default_na=False, dtype=str)
    want = cli.json("inventory", "calc", EXAMPLE, "--gwp", gwp, "--by", by, "--db", home / "cli.db")
    got = panocarbon.inventory.calc(rows, gwp=gwp, by=by, db=home / "py.db")
    assert isinstance(got, pd.DataFrame) and len(got) > 0
    assert got.attrs["gwp"] == gwp
    r = got.attrs["result"]
    assert r["source"] == "<DataFrame>.csv"
    close(strip_run(r, "source"), strip_run(want, "source"))


def test_numeric_columns_and_missing_cells():
    # read with pandas' defaults: empty cells are NaN, amounts and years numbers; the CSV it sends is the same
    rows = pd.read_csv(EXAMPLE)
    a = panocarbon.inventory.calc(rows, by="gas", no_store=True)
    b = panocarbon.inventory.calc(EXAMPLE, by="gas", no_store=True)
    close(strip_run(a.attrs["result"], "source"), strip_run(b.attrs["result"], "source"))


def test_a_small_frame():
    rows = pd.DataFrame({"category": ["1.A.1.a.i"], "activity": ["Natural Gas"], "amount": [1000.0], "unit": ["TJ"]})
    df = panocarbon.inventory.calc(rows, gwp="AR5", by="gas", no_store=True)
    assert df.index.name == "gas" and {"CO2", "CH4", "N2O"} <= set(df.index)
    # 1000 TJ of natural gas x 56,100 kg CO2/TJ (2006 IPCC Vol 2 Ch 2 Table 2.2, energy industries) = 56,100 t
    assert df.loc["CO2", "emissions_t"] == pytest.approx(56100, rel=1e-9)
    assert df.loc["CH4", "co2e_t"] == pytest.approx(df.loc["CH4", "emissions_t"] * 28, rel=1e-9)  # AR5


def test_bad_rows_name_the_line():
    rows = pd.DataFrame({"category": ["1.A.1.a.i", "1.A.1.a.i"], "activity": ["Natural Gas", "Natural Gas"],
                         "amount": [1000, 5], "unit": ["TJ", "furlongs"]})
    with pytest.raises(panocarbon.Error) as e:
        panocarbon.inventory.calc(rows, no_store=True)
    assert "<DataFrame>.csv" in str(e.value) and "line 3" in str(e.value) and "furlongs" in str(e.value)
    with pytest.raises(panocarbon.InvalidInputError):
        panocarbon.inventory.calc(pd.DataFrame(), no_store=True)
    with pytest.raises(panocarbon.InvalidInputError) as e:
        panocarbon.inventory.calc(rows.iloc[:1], gwp="AR7", no_store=True)
    assert "AR7" in str(e.value) and e.value.field == "gwp"
