"""MRIO systems and their accounts as pandas DataFrames indexed like pymrio (docs/python.md, docs/mrio.md).

    sys = panocarbon.mrio.load(path)      # pymrio/EXIOBASE folder or .zip, Eora26, OECD ICIO CSV, USEEIO
    sys.Z, sys.A, sys.Y, sys.x            # (region, sector) MultiIndex; Y columns (region, category)
    sys.extensions["co2"].F, .F_Y, .unit
    acc = sys.accounts(stressor="CO2", gwp=None)
    acc.D_cba_reg, acc.D_pba_reg, acc.D_imp_reg, acc.D_exp_reg   # stressors x regions, as pymrio
    acc.D_cba, acc.D_pba, acc.D_exp, acc.M, acc.S               # stressors x (region, sector), as pymrio

The numbers are the library's (read_mrio, compute_accounts: the code of `panocarbon mrio accounts`); this module
only labels them. Reading and solving release the GIL.
"""

import os

import numpy as np
import pandas as pd

from . import _panocarbon

__all__ = ["load", "System", "Extension", "Accounts"]


def load(path, *, threads=0):
    """Reads an MRIO system: a pymrio text folder or .zip (EXIOBASE 3 downloads too), an Eora26 folder, an OECD
    ICIO CSV file or a USEEIO API JSON folder (recognised from the files). threads: parser threads (0 = all)."""
    return System(_panocarbon.mrio_load(os.fspath(path), int(threads)))


def _as_list(v):
    if v is None:
        return []
    if isinstance(v, (str, bytes, os.PathLike)):
        return [os.fspath(v) if not isinstance(v, str) else v]
    return [str(x) for x in v]


class Extension:
    """A satellite account: F (stressors x (region, sector)), F_Y (stressors x (region, category)) and unit."""

    def __init__(self, data, sector_index, fd_columns):
        self.name = data["name"]
        index = pd.Index(data["stressors"], name="stressor")
        self.F = pd.DataFrame(data["F"], index=index, columns=sector_index)
        self.F_Y = None if data["F_Y"] is None else pd.DataFrame(data["F_Y"], index=index, columns=fd_columns)
        self.unit = pd.DataFrame({"unit": data["units"]}, index=index)

    def __repr__(self):
        return f"<panocarbon.mrio.Extension {self.name!r}: {len(self.F.index)} stressors>"


class System:
    """An MRIO system. Matrices are DataFrames built on first use: Z (inter-industry flows, A x), A (technical
    coefficients), Y (final demand), x (gross output, column 'indout'), L on request (leontief())."""

    def __init__(self, data):
        self._d = data
        self.name = data.name
        self.format = data.format
        self.source = data.source
        self.monetary_unit = data.monetary_unit
        self.regions = list(data.regions)
        self.sectors = list(data.sectors)
        self.categories = list(data.fd_categories)
        self.index = pd.MultiIndex.from_product([self.regions, self.sectors], names=["region", "sector"])
        self.fd_columns = pd.MultiIndex.from_product([self.regions, self.categories], names=["region", "category"])
        self._cache = {}

    def __repr__(self):
        return (f"<panocarbon.mrio.System {self.name!r} ({self.format}): {len(self.regions)} regions x "
                f"{len(self.sectors)} sectors, {len(self.categories)} final-demand categories>")

    def _get(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def get_regions(self):
        return pd.Index(self.regions, name="region")

    def get_sectors(self):
        return pd.Index(self.sectors, name="sector")

    @property
    def x(self):
        """Gross output (n x 1, column 'indout', as pymrio): given by the files, else Z1 + Y1 (or L y)."""
        return self._get("x", lambda: pd.DataFrame({"indout": self._d.x}, index=self.index))

    @property
    def A(self):
        """Technical coefficients A = Z x^-1 (n x n, dense)."""
        return self._get("A", lambda: pd.DataFrame(self._d.A_dense(), index=self.index, columns=self.index))

    def A_sparse(self):
        """A as a scipy.sparse.csr_matrix (needs scipy), without forming the dense matrix."""
        from scipy.sparse import csr_matrix

        data, indices, indptr, shape = self._d.A_csr()
        return csr_matrix((data, indices, indptr), shape=shape)

    @property
    def Z(self):
        """Inter-industry flows Z = A diag(x) (n x n)."""
        return self._get("Z", lambda: self.A * self.x["indout"].to_numpy()[np.newaxis, :])

    @property
    def Y(self):
        """Final demand (n x regions*categories), columns (region, category)."""
        return self._get("Y", lambda: pd.DataFrame(self._d.Y, index=self.index, columns=self.fd_columns))

    @property
    def population(self):
        """Population per region (a DataFrame with one row, as pymrio), or None when the files give none."""
        p = self._d.population
        if p is None:
            return None
        return pd.DataFrame([p], index=["population"], columns=self.get_regions())

    @property
    def extensions(self):
        """The satellite accounts by name: {name: Extension}."""
        return self._get("ext", lambda: {e["name"]: Extension(e, self.index, self.fd_columns)
                                         for e in self._d.extensions})

    @property
    def provenance(self):
        """Files read, their sizes and SHA-256, metadata."""
        return self._d.provenance

    def leontief(self, *, solver="auto"):
        """L = (I - A)^-1 as a DataFrame (n^2 memory), from the library's factorisation."""
        r = self._d.accounts([], [], None, solver, 0.5, True)
        return pd.DataFrame(np.ascontiguousarray(r["L"]), index=self.index, columns=self.index)

    def accounts(self, *, stressor=None, extension=None, gwp=None, solver="auto", shared_weight=0.5):
        """Every account of the selected stressors with one factorisation of I - A (compute_accounts).

        stressor / extension: a name or a list (default: all; a stressor matches exactly or by its part before
        '|'); gwp: "AR4", "AR5" or "AR6" adds a characterised 'GHG (CO2e, SET)' stressor per extension (MRIO
        characterises only when asked); solver: auto, dense, mixed, sparse, iterative; shared_weight: the
        consumer's share w of the shared-responsibility account."""
        r = self._d.accounts(_as_list(extension), _as_list(stressor), gwp, solver, float(shared_weight), False)
        return Accounts(self, r)


_REGION_COLUMNS = ["production", "consumption", "imports", "exports", "direct_fd", "income", "shared",
                   "eebt_consumption", "eebt_exports", "consumption_per_capita", "production_per_capita"]


class Accounts:
    """The accounts of `System.accounts()`, named as pymrio names them.

    Per region (stressors x regions): D_cba_reg, D_pba_reg, D_imp_reg, D_exp_reg (with F_Y in D_cba_reg and
    D_pba_reg, as pymrio), and the library's further accounts: income_reg, shared_reg, eebt_reg.
    Per sector (stressors x (region, sector)): M (multipliers S L), S (intensities F x^-1), D_cba (by the product
    of final demand: region r's column, sector i, is sum over origins s of M[s, i] Y[(s, i), r]), D_pba (S x),
    D_exp (S times the output for other regions' final demand). Per-sector D_imp needs the output for each
    product of final demand separately, which the library does not form: use D_imp_reg.
    Also: regional (a tidy table of every regional account), bilateral(stressor) and eebt(stressor) (producing x
    consuming region), unit, report (solver, residuals, timings) and notes."""

    def __init__(self, system, r):
        self.system = system
        self.report = r["report"]
        self.notes = list(r["notes"])
        st = r["stressors"]
        self._st = st
        labels = [s["stressor"] for s in st]
        if len(set(labels)) != len(labels):  # the same stressor in two extensions: "extension|stressor"
            labels = [f"{s['extension']}|{s['stressor']}" for s in st]
        self.stressors = labels
        sidx = pd.Index(labels, name="stressor")
        regions = system.get_regions()
        self.unit = pd.DataFrame({"unit": [s["unit"] for s in st], "extension": [s["extension"] for s in st]},
                                 index=sidx)

        def per_region(key):
            return pd.DataFrame([s["regions"][key] for s in st], index=sidx, columns=regions)

        self.D_pba_reg = per_region("production")
        self.D_cba_reg = per_region("consumption")
        self.D_imp_reg = per_region("imports")
        self.D_exp_reg = per_region("exports")
        self.F_Y_reg = per_region("direct_fd")
        self.income_reg = per_region("income")
        self.shared_reg = per_region("shared")
        self.eebt_reg = per_region("eebt_consumption")
        self.eebt_exports_reg = per_region("eebt_exports")
        rows = []
        for label, s in zip(labels, st):
            for i, reg in enumerate(system.regions):
                row = {"stressor": label, "region": reg, "unit": s["unit"]}
                for c in _REGION_COLUMNS:
                    row[c] = s["regions"][c][i]
                rows.append(row)
        self.regional = pd.DataFrame(rows).set_index(["stressor", "region"])

        index = system.index
        self.M = pd.DataFrame([s["multipliers"] for s in st], index=sidx, columns=index)
        self.S = pd.DataFrame([s["intensities"] for s in st], index=sidx, columns=index)
        X = r["output_by_region"]  # n x regions: L y_r
        nr, ns = len(system.regions), len(system.sectors)
        x_tot = X.sum(axis=1)
        own = np.repeat(np.arange(nr), ns)
        x_dom = X[np.arange(nr * ns), own]
        S = self.S.to_numpy()
        self.D_pba = pd.DataFrame(S * x_tot[np.newaxis, :], index=sidx, columns=index)
        self.D_exp = pd.DataFrame(S * (x_tot - x_dom)[np.newaxis, :], index=sidx, columns=index)
        # final demand of each region by product, summed over categories and over the regions of origin
        Y = system.Y.to_numpy().reshape(nr * ns, nr, len(system.categories)).sum(axis=2)  # n x regions
        M = self.M.to_numpy()
        d_cba = np.empty((len(st), nr * ns))
        for r_ in range(nr):
            # sum over origins s of M[:, (s, i)] * Y[(s, i), r_], for every product i
            d_cba[:, r_ * ns:(r_ + 1) * ns] = (M * Y[:, r_][np.newaxis, :]).reshape(len(st), nr, ns).sum(axis=1)
        self.D_cba = pd.DataFrame(d_cba, index=sidx, columns=index)
        self._bilateral = {lab: s["bilateral"] for lab, s in zip(labels, st)}
        self._eebt = {lab: s["eebt"] for lab, s in zip(labels, st)}

    def _pick(self, stressor, table):
        if stressor is None:
            if len(self.stressors) != 1:
                raise _panocarbon.InvalidInputError(
                    "invalid input: name the stressor; these accounts hold " + ", ".join(self.stressors))
            stressor = self.stressors[0]
        if stressor not in table:
            matches = [s for s in self.stressors if s.split("|")[0] == stressor]
            if len(matches) != 1:
                raise _panocarbon.NotFoundError(
                    f"not found: stressor '{stressor}' is not in these accounts; they hold " + ", ".join(self.stressors))
            stressor = matches[0]
        m = table[stressor]
        regions = pd.Index(self.system.regions, name="producer")
        return pd.DataFrame(m, index=regions, columns=pd.Index(self.system.regions, name="consumer"))

    def bilateral(self, stressor=None):
        """Emitted in the row region for the column region's final demand (S L Y by region pair), without F_Y."""
        return self._pick(stressor, self._bilateral)

    def eebt(self, stressor=None):
        """EEBT flows: exporters' domestic intensities x bilateral trade (producer x consumer)."""
        return self._pick(stressor, self._eebt)

    def __repr__(self):
        return f"<panocarbon.mrio.Accounts {len(self.stressors)} stressors x {len(self.system.regions)} regions>"
