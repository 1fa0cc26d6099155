"""panocarbon from Python: the registry of capabilities, MRIO systems and accounts as pandas DataFrames indexed
like pymrio, LCA results and inventories as DataFrames, Sobol indices of Python functions (docs/python.md).

    >>> import panocarbon
    >>> sys = panocarbon.mrio.load("../shared/data/mrio/wiod2013-co2/2009")
    >>> acc = sys.accounts(stressor="CO2")
    >>> acc.D_cba_reg.loc["CO2", "CHN"], acc.D_pba_reg.loc["CO2", "CHN"]

Every number comes from the C++ library (the same code as the `panocarbon` command); errors are
panocarbon.Error subclasses, one per error category, with the CLI's messages. Long computations release the GIL.
"""

from . import _panocarbon
from ._panocarbon import (  # noqa: F401  (the exception classes, one per error category)
    DatabaseError,
    DataError,
    Error,
    InternalError,
    InvalidInputError,
    IoError,
    NotFoundError,
    PanocarbonWarning,
    UnitError,
)

__version__ = _panocarbon.__version__

__all__ = [
    "capabilities",
    "run",
    "default_db",
    "sobol",
    "mrio",
    "lca",
    "inventory",
    "Error",
    "InvalidInputError",
    "NotFoundError",
    "UnitError",
    "DataError",
    "IoError",
    "DatabaseError",
    "InternalError",
    "PanocarbonWarning",
]


def capabilities():
    """The registry's table: a list of dicts (name, domain, description, input_schema, result_schema, example),
    as `panocarbon capabilities --format json` prints it."""
    return _panocarbon.capabilities()


def default_db():
    """The database file used when db is not given: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db
    (the CLI's default)."""
    return _panocarbon.default_db()


def run(name, *, db=None, no_store=False, out=None, texts=None, **options):
    """Runs one capability of the registry and returns its JSON rendering as Python objects (dicts, lists).

    name: "mrio accounts" (the CLI's words) or "mrio_accounts" (the tool name).
    options: the capability's inputs by name ("path", "region", "gwp", ...; see capabilities()); a name with '-'
        may be written with '_' (max_depth for max-depth); a repeatable option takes a list; None leaves an option
        at its default.
    db: the SQLite database file (default as the CLI: default_db()); no_store: open no database (nothing logged);
    out: the folder for capabilities that write files; texts: {name: content} for inputs given as text instead of
        files (an input option names the key).

    >>> run("mrio accounts", path="../shared/data/mrio/wiod2013-co2/2009", region=["CHN"], no_store=True)
    """
    import os

    return _panocarbon.run(
        name,
        options,
        None if db is None else os.fspath(db),
        bool(no_store),
        None if out is None else os.fspath(out),
        dict(texts or {}),
    )


def sobol(func, bounds, n, *, seed=0, bootstrap=200, confidence=0.95, names=None, vectorized=True, threads=0):
    """Sobol first-order (S1) and total-order (ST) indices of func with bootstrap confidence intervals.

    func: vectorized=True (best): called once with a numpy array of shape (n * (k + 2), k), one row per model run,
        returning n * (k + 2) numbers; vectorized=False: called with one row (a 1-D array of k values) per run.
        It runs with the GIL held; the design and the estimators run with the GIL released.
    bounds: one (low, high) per parameter; parameters are independent and uniform within them.
    n: the base sample size N of the Saltelli (2010) design (model runs N (k + 2)); seed: the same seed gives
        the same numbers; bootstrap: resamples for the percentile intervals at `confidence`.

    Returns a DataFrame indexed by parameter with S1, S1_low, S1_high, ST, ST_low, ST_high; its .attrs hold samples,
    runs, bootstrap, confidence, mean and variance of the output.
    """
    import pandas as pd

    r = _panocarbon.sobol(
        func,
        [(float(lo), float(hi)) for lo, hi in bounds],
        int(n),
        seed=int(seed),
        bootstrap=int(bootstrap),
        confidence=float(confidence),
        names=None if names is None else [str(x) for x in names],
        vectorized=bool(vectorized),
        threads=int(threads),
    )
    df = pd.DataFrame(
        {k: r[k] for k in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")},
        index=pd.Index(r["parameters"], name="parameter"),
    )
    for k in ("samples", "runs", "bootstrap", "confidence", "mean", "variance"):
        df.attrs[k] = r[k]
    return df


from . import inventory, lca, mrio  # noqa: E402  (they use run() above)
