"""Life cycle assessment from Python: the registry's `lca` capabilities with their results as DataFrames.

    panocarbon.run("lca import", path="../shared/data/lca/uslci-jsonld", name="uslci", db=DB)
    panocarbon.lca.calc(database="uslci", process="Portland cement, at plant", db=DB)           # by category
    panocarbon.lca.contributions(database="uslci", process="Portland cement, at plant", db=DB, top=5)

`database` is the name of an LCA database stored by `lca import` in the SQLite file `db` (default as the CLI's).
The full JSON rendering stays in the DataFrame's .attrs["result"].
"""

import pandas as pd

from . import _panocarbon

__all__ = ["calc", "contributions", "inventory", "search"]


def _run(name, db, no_store, options):
    from . import run

    return run(name, db=db, no_store=no_store, **options)


def calc(database, process, *, db=None, no_store=False, **options):
    """Impact of the reference product of `process` (an id or a name; a list gives one row per process from one
    factorisation). options: amount, unit, method, gwp, allocation, ... as `lca calc`.

    One process: a DataFrame indexed by impact category with columns amount and unit. Several: processes x
    categories (amounts), the units in .attrs["units"]."""
    many = not isinstance(process, str)
    procs = list(process) if many else [process]
    r = _run("lca calc", db, no_store, dict(database=database, process=procs, **options))
    if "process" in r and isinstance(r.get("results"), list) and not many:
        df = pd.DataFrame(r["results"], columns=["category", "amount", "unit"]).set_index("category")
    else:
        rows = r["results"]
        df = pd.DataFrame(
            [{c["category"]: c["amount"] for c in p["results"]} for p in rows],
            index=pd.Index([p["process"] for p in rows], name="process"),
        )
        df.columns.name = "category"
        df.attrs["units"] = {c["category"]: c["unit"] for p in rows for c in p["results"]}
    df.attrs["result"] = r
    return df


def contributions(database, process, *, db=None, no_store=False, **options):
    """Contribution of each process (by="process"), location or category to one impact category (options:
    category, by, upstream, top, amount, gwp, ... as `lca contributions`). A DataFrame of the contributions,
    largest first; .attrs hold total, unit, category and gwp."""
    r = _run("lca contributions", db, no_store, dict(database=database, process=process, **options))
    df = pd.DataFrame(r["contributions"])
    for k in ("category", "unit", "gwp", "total", "by", "upstream"):
        if k in r:
            df.attrs[k] = r[k]
    df.attrs["result"] = r
    return df


def inventory(database, process, *, db=None, no_store=False, **options):
    """The life cycle inventory: the non-zero elementary flows of the whole supply chain (`lca inventory`)."""
    r = _run("lca inventory", db, no_store, dict(database=database, process=process, **options))
    df = pd.DataFrame(r["flows"])
    df.attrs["result"] = r
    return df


def search(query, *, database=None, db=None, limit=20):
    """Full-text search over the stored databases' processes and flows (`lca search`)."""
    r = _run("lca search", db, False, dict(query=query, database=database, limit=limit))
    rows = r["results"] if isinstance(r, dict) and "results" in r else r
    return pd.DataFrame(rows)
