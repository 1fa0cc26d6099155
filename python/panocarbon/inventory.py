"""Greenhouse-gas inventories (2006 IPCC Guidelines) from a DataFrame of activity rows.

    rows = pd.DataFrame({"category": ["1.A.1.a.i"], "activity": ["Natural Gas"], "amount": [1500], "unit": ["kt"]})
    panocarbon.inventory.calc(rows, gwp="AR5", by="gas")

The rows have the columns of the activity CSV (docs/inventory.md): category, activity, amount, unit, and optionally
technology, gas, factor, factor_unit, factor_source, uncertainty_pct, country, year, note. The calculation is the
registry's `inventory calc` (the same numbers as the CLI); a path to a CSV or JSON file works as well.
"""

import os

import pandas as pd

__all__ = ["calc"]


def _input(rows):
    """(file option, texts) for a DataFrame (sent as CSV text) or a path."""
    if isinstance(rows, pd.DataFrame):
        if rows.empty:
            from . import InvalidInputError

            raise InvalidInputError("invalid input: the DataFrame of activity rows is empty; give at least one row "
                                    "with category, activity, amount and unit")
        name = "<DataFrame>.csv"
        return name, {name: rows.to_csv(index=False)}
    return os.fspath(rows), {}


def calc(rows, *, gwp="AR5", by="row", edition=None, country=None, year=None, skip_missing=None, db=None,
         no_store=False):
    """The inventory of `rows` (a DataFrame of activity rows, or the path of an activity CSV/JSON file).

    gwp: AR4, AR5 (UNFCCC reporting, the default) or AR6; by: row, category, gas or level=N; edition: 2006 or
    2019; country / year: only those rows. Returns a DataFrame of the result's rows (emissions in tonnes and
    CO2e); .attrs["result"] holds the whole JSON rendering (totals, memo items, provenance)."""
    from . import run

    name, texts = _input(rows)
    r = run("inventory calc", db=db, no_store=no_store, texts=texts, file=name, gwp=gwp, by=by, edition=edition,
            country=country, year=year, skip_missing=skip_missing)
    df = _frame(r)
    df.attrs["result"] = r
    df.attrs["gwp"] = r.get("gwp")
    return df


def _frame(r):
    # the rows of the rendering: "rows" (by row), "categories" (by category or level=N) or "gases" (by gas)
    if isinstance(r.get("gases"), list):
        return pd.DataFrame(r["gases"]).set_index("gas")
    if isinstance(r.get("categories"), list):
        return pd.DataFrame(r["categories"]).set_index("category")
    return pd.DataFrame(r.get("rows", []))
