"""MRIO systems and accounts as DataFrames: pymrio's indexes and names, the CLI's numbers, pymrio's results."""

import threading
import time

import numpy as np
import pandas as pd
import pytest

import panocarbon
from panocarbon import mrio


@pytest.fixture(scope="module")
def wiod(wiod_2009):
    return mrio.load(wiod_2009)


@pytest.fixture(scope="module")
def wiod_acc(wiod):
    return wiod.accounts(stressor="CO2")


def test_system_matrices_are_indexed_like_pymrio(wiod):
    assert len(wiod.regions) == 41 and len(wiod.sectors) == 35
    n = 41 * 35
    for name in ("Z", "A"):
        m = getattr(wiod, name)
        assert m.shape == (n, n)
        assert list(m.index.names) == ["region", "sector"] and list(m.columns.names) == ["region", "sector"]
        assert m.index[0] == ("AUS", "AtB") and m.index[-1] == ("RoW", wiod.sectors[-1])
        assert m.columns.equals(m.index)
    assert list(wiod.x.columns) == ["indout"] and wiod.x.index.equals(wiod.Z.index)
    assert wiod.Y.shape == (n, 41 * len(wiod.categories))
    assert list(wiod.Y.columns.names) == ["region", "category"]
    # Z = A diag(x), and the given x is Z1 + Y1 up to the table's rounding to whole millions
    np.testing.assert_allclose(wiod.Z.to_numpy(), wiod.A.to_numpy() * wiod.x["indout"].to_numpy(), rtol=1e-12)
    x = wiod.x["indout"]
    balance = wiod.Z.sum(axis=1) + wiod.Y.sum(axis=1)
    big = x > 1000
    assert (abs(balance[big] - x[big]) / x[big]).max() < 0.05
    co2 = wiod.extensions["co2"]
    assert list(co2.F.index) == ["CO2"] and co2.F.columns.equals(wiod.Z.index)
    assert co2.F_Y is not None and co2.F_Y.columns.equals(wiod.Y.columns)
    assert co2.unit.loc["CO2", "unit"] == "kt"
    assert wiod.A_sparse().nnz == int((wiod.A.to_numpy() != 0).sum())


def test_regional_accounts_equal_the_cli(cli, wiod_2009, wiod_acc, home):
    want = cli.json("mrio", "accounts", wiod_2009, "--stressor", "CO2", "--db", home / "cli.db")
    rows = want["stressors"][0]["regions"]
    n = 0
    for row in rows:
        if row.get("stressor", "CO2") != "CO2":
            continue
        reg = row["region"]
        for account, key in (("D_pba_reg", "production"), ("D_cba_reg", "consumption"), ("D_imp_reg", "imports"),
                             ("D_exp_reg", "exports")):
            got = getattr(wiod_acc, account).loc["CO2", reg]
            assert got == pytest.approx(row[key], rel=1e-12, abs=1e-9), (account, reg)
        n += 1
    assert n == 41


def test_sector_accounts_add_up_to_the_regional_ones(wiod, wiod_acc):
    a = wiod_acc
    assert a.D_cba.columns.equals(wiod.Z.index) and list(a.D_cba.index) == ["CO2"]
    for per_sector, regional, with_fy in ((a.D_cba, a.D_cba_reg, True), (a.D_pba, a.D_pba_reg, True),
                                          (a.D_exp, a.D_exp_reg, False)):
        summed = per_sector.T.groupby(level="region", sort=False).sum().T
        if with_fy:
            summed = summed + a.F_Y_reg
        np.testing.assert_allclose(summed.loc["CO2", wiod.regions].to_numpy(),
                                   regional.loc["CO2", wiod.regions].to_numpy(), rtol=1e-9)
    # consumption = production - exports + imports, region by region
    np.testing.assert_allclose(a.D_cba_reg.to_numpy(),
                               (a.D_pba_reg - a.D_exp_reg + a.D_imp_reg).to_numpy(), rtol=1e-9)
    # M = S L: multipliers times final demand give the consumption side
    assert a.M.loc["CO2"].gt(-1e-12).all()
    bil = a.bilateral()
    assert bil.loc["CHN", "USA"] > 0 and list(bil.index.names) == ["producer"]
    assert a.regional.loc[("CO2", "CHN"), "production"] == a.D_pba_reg.loc["CO2", "CHN"]


def test_pymrio_reference_accounts(pymrio_test, cli):
    ref = pd.read_csv(pymrio_test / "reference-accounts.csv")
    s = mrio.load(pymrio_test)
    acc = s.accounts(extension="emissions")
    checked = 0
    for r in ref.itertuples():
        if r.extension != "emissions":
            continue
        if r.account == "M":
            region, sector = r.column.split("|") if "|" in r.column else (None, None)
            if region is None:
                continue
            got = acc.M.loc[r.stressor, (region, sector)]
        else:
            got = getattr(acc, r.account).loc[r.stressor, r.column]
        assert got == pytest.approx(r.value, rel=1e-9), (r.account, r.stressor, r.column)
        checked += 1
    assert checked >= 24


def test_gwp_adds_a_characterised_stressor(pymrio_test, wiod):
    acc = wiod.accounts(gwp="AR6")
    assert acc.stressors == ["CO2", "GHG (CO2e, AR6)"]
    assert acc.notes == ["co2: GHG (CO2e, AR6) = CO2 x 1 (IPCC AR6 WG1 (2021))"]
    np.testing.assert_allclose(acc.D_cba_reg.loc["GHG (CO2e, AR6)"], acc.D_cba_reg.loc["CO2"], rtol=1e-12)
    # nothing to characterise in pymrio's test emissions: said in the notes, no stressor added
    acc = mrio.load(pymrio_test).accounts(gwp="AR6", extension="emissions")
    assert acc.stressors == ["emission_type1|air", "emission_type2|water"]
    assert "nothing to characterise" in acc.notes[0]


def test_errors(wiod, home, cli):
    missing = home / "nothing-here"
    with pytest.raises(panocarbon.Error) as e:
        mrio.load(missing)
    code, msg = cli.error("mrio", "info", missing)
    assert str(e.value).rstrip() == msg and e.value.exit_code == code
    with pytest.raises(panocarbon.NotFoundError) as e:
        wiod.accounts(stressor="CH4")
    assert "CH4" in str(e.value) or "stressor" in str(e.value)
    with pytest.raises(panocarbon.InvalidInputError) as e:
        wiod.accounts(stressor="CO2", solver="fastest")
    assert "solver must be one of auto, dense, mixed, sparse, iterative, not 'fastest'" in str(e.value)
    with pytest.raises(panocarbon.InvalidInputError) as e:
        wiod.accounts(stressor="CO2", gwp="AR7")
    assert e.value.field == "gwp"


def test_the_gil_is_released_while_reading_and_solving(wiod_2009):
    # A Python thread keeps running while the library reads WIOD and factorises I - A in another thread: the
    # longest pause between its steps stays far below the length of the library's calls (with the GIL held it
    # would be as long as the longer call). The calls are timed alone, without the module's DataFrame building.
    done = threading.Event()
    spent = {}

    def work():
        t0 = time.perf_counter()
        data = panocarbon._panocarbon.mrio_load(str(wiod_2009), 0)
        t1 = time.perf_counter()
        data.accounts([], ["CO2"], None, "dense", 0.5, False)
        t2 = time.perf_counter()
        spent["load"], spent["accounts"] = t1 - t0, t2 - t1
        done.set()

    t = threading.Thread(target=work)
    stamps = [time.perf_counter()]
    t.start()
    while not done.is_set():
        sum(range(200))
        stamps.append(time.perf_counter())
    t.join()
    gap = np.diff(stamps).max()
    # (a warm page cache reads WIOD in ~0.03 s: the longer of the two calls is the measure)
    assert max(spent.values()) > 0.05, ("the calls were too short to tell", spent)
    assert gap < 0.3 * max(spent.values()), (gap, spent)
