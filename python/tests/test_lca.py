"""LCA results and contributions as DataFrames on the real USLCI database, against the CLI's JSON."""

import pytest

import panocarbon
from test_registry import close, strip_run

CEMENT = "Portland cement, at plant"


def test_calc_equals_the_cli(cli, uslci_db):
    want = cli.json("lca", "calc", "--database", "uslci", "--process", CEMENT, "--db", uslci_db)
    df = panocarbon.lca.calc(database="uslci", process=CEMENT, db=uslci_db)
    assert df.index.name == "category" and list(df.columns) == ["amount", "unit"]
    for row in want["results"]:
        assert df.loc[row["category"], "amount"] == pytest.approx(row["amount"], rel=1e-12)
        assert df.loc[row["category"], "unit"] == row["unit"]
    close(strip_run(df.attrs["result"]), strip_run(want), rel=1e-12)


def test_calc_of_several_processes(cli, uslci_db):
    procs = [CEMENT, "Electricity, at grid, US, 2008"]
    want = cli.json("lca", "calc", "--database", "uslci", "--process", procs[0], "--process", procs[1],
                    "--db", uslci_db)
    df = panocarbon.lca.calc(database="uslci", process=procs, db=uslci_db)
    assert df.index.name == "process" and len(df) == 2
    for p in want["results"]:
        for c in p["results"]:
            assert df.loc[p["process"], c["category"]] == pytest.approx(c["amount"], rel=1e-12)


def test_contributions_equal_the_cli(cli, uslci_db):
    want = cli.json("lca", "contributions", "--database", "uslci", "--process", CEMENT, "--top", "5",
                    "--db", uslci_db)
    df = panocarbon.lca.contributions(database="uslci", process=CEMENT, top=5, db=uslci_db)
    assert len(df) == len(want["contributions"]) == 5
    assert df["amount"].tolist() == pytest.approx([c["amount"] for c in want["contributions"]], rel=1e-12)
    assert df.attrs["total"] == pytest.approx(want["total"], rel=1e-12)
    assert df["amount"].abs().is_monotonic_decreasing


def test_errors_have_the_cli_messages(cli, uslci_db):
    code, msg = cli.error("lca", "calc", "--database", "uslci", "--process", "Portland cemnt, at plant",
                          "--db", uslci_db)
    with pytest.raises(panocarbon.Error) as e:
        panocarbon.lca.calc(database="uslci", process="Portland cemnt, at plant", db=uslci_db)
    assert str(e.value).rstrip() == msg and e.value.exit_code == code
    code, msg = cli.error("lca", "calc", "--database", "nodb", "--process", CEMENT, "--db", uslci_db)
    with pytest.raises(panocarbon.NotFoundError) as e:
        panocarbon.lca.calc(database="nodb", process=CEMENT, db=uslci_db)
    assert str(e.value).rstrip() == msg
