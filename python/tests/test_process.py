"""Issue 15's capabilities from Python: the same JSON as the CLI (route simulation, optimisation, CBAM, avoided)."""

import math

import panocarbon
from conftest import SOURCE
from test_registry import close, strip_run

ROUTES = SOURCE / "examples" / "process" / "routes"
MODELS = SOURCE / "examples" / "process" / "models"


def test_process_simulate_equals_the_cli_and_closes_its_scopes(cli, home):
    route = ROUTES / "steel-bf-bof.json"
    want = cli.json("process", "simulate", route, "--set", "route.grid_factor_t_per_mwh=0.5366", "--db", home / "cli.db")
    got = panocarbon.run("process simulate", route=route, set=["route.grid_factor_t_per_mwh=0.5366"], no_store=True)
    close(strip_run(got), strip_run(want))
    assert math.isclose(got["grid_factor_t_per_mwh"], 0.5366, rel_tol=1e-15)


def test_process_optimize_and_cbam_compare_equal_the_cli(cli, home):
    model = MODELS / "steel-two-regions.json"
    want = cli.json("process", "optimize", model, "--cap", "44e9", "--db", home / "cli.db")
    got = panocarbon.run("process_optimize", model=model, cap=44e9, no_store=True)
    close(strip_run(got), strip_run(want))
    assert got["status"] == "optimal"

    got = panocarbon.run("cbam compare", country="CN", good="7208", year=2027, actual=2.1, ets_price=80, no_store=True)
    # default 3.187 t/t (Regulation 2025/2621, China) + 20 % in 2027 = 3.8244; minus 2.1 = 1.7244; x 80 EUR
    assert math.isclose(got["default_with_markup_t_per_t"], 3.8244, rel_tol=1e-12)
    assert math.isclose(got["certificate_cost_difference_eur_per_t"], 1.7244 * 80, rel_tol=1e-12)


def test_avoided_from_python(tmp_path):
    f = tmp_path / "pv.csv"
    f.write_text("product,destination,capacity_mw,capacity_factor,lifetime_years,grid_factor_t_per_mwh,"
                 "manufacturing_t_per_mw\nPV,DEU,100,0.1,2,0.4,500\n")
    got = panocarbon.run("avoided", file=f, no_store=True)
    # 100 MW x 0.1 x 8760 h = 87,600 MWh a year x 0.4 t/MWh = 35,040 t; 2 years: 70,080 t; made: 50,000 t
    row = got["rows"][0] if "rows" in got else got["products"][0]
    assert math.isclose(row["annual_avoided_t"], 35040, rel_tol=1e-12)
    assert math.isclose(row["lifetime_avoided_t"], 70080, rel_tol=1e-12)
    assert math.isclose(row["payback_years"], 50000 / 35040, rel_tol=1e-12)
