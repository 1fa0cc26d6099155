#!/usr/bin/env python3
"""WIOD 2009: production- vs consumption-based CO2 by region, from Python (docs/python.md, docs/mrio-wiod2009.md).

    PYTHONPATH=build/python /usr/bin/python3 docs/examples/wiod_2009_production_vs_consumption.py
    PYTHONPATH=build/python /usr/bin/python3 docs/examples/wiod_2009_production_vs_consumption.py --all

reproduces the table of docs/mrio-wiod2009.md (Mt CO2; the accounts are kt, divided by 1,000): production
(pymrio's D_pba_reg), consumption (D_cba_reg), the net transfer (consumption - production), emissions embodied in
imports and exports, households' direct emissions F_Y and the EEBT consumption account, with the world's sums.
The numbers are those of `panocarbon mrio accounts ../shared/data/mrio/wiod2013-co2/2009`.
"""

import argparse
import pathlib
import sys

import pandas as pd

import panocarbon

DEFAULT = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mrio" / "wiod2013-co2" / "2009"
REGIONS = ["CHN", "USA", "JPN", "DEU", "IND"]  # the regions of docs/mrio-wiod2009.md


def table(path=DEFAULT):
    """Mt CO2 per region (rows: the 41 regions, largest production first, then World)."""
    system = panocarbon.mrio.load(path)
    acc = system.accounts(stressor="CO2")
    kt = pd.DataFrame({
        "production": acc.D_pba_reg.loc["CO2"],
        "consumption": acc.D_cba_reg.loc["CO2"],
        "imports": acc.D_imp_reg.loc["CO2"],
        "exports": acc.D_exp_reg.loc["CO2"],
        "direct_fd": acc.F_Y_reg.loc["CO2"],
        "eebt_consumption": acc.eebt_reg.loc["CO2"],
    })
    kt["net_transfer"] = kt["consumption"] - kt["production"]
    kt = kt.sort_values("production", ascending=False)
    kt.loc["World"] = kt.sum()
    mt = kt / 1000.0
    mt.index.name = "region"
    return mt[["production", "consumption", "net_transfer", "imports", "exports", "direct_fd", "eebt_consumption"]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT), help="the WIOD 2009 folder (pymrio layout)")
    ap.add_argument("--all", action="store_true", help="every region, not only those of docs/mrio-wiod2009.md")
    ap.add_argument("--csv", action="store_true", help="CSV instead of an aligned table")
    args = ap.parse_args(argv)
    t = table(args.path)
    if not args.all:
        t = t.loc[REGIONS + ["World"]]
    if args.csv:
        t.to_csv(sys.stdout, float_format="%.6f")
    else:
        print("WIOD 2009, CO2 (Mt): production vs consumption")
        print(t.to_string(float_format=lambda v: f"{v:,.1f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
