"""The same sums as `panocarbon natural fire`, in numpy (reference for tests and the benchmark).

Emission(species, region, month) = sum_cells DM x area x sum_types fraction_type x EF(species, type) x 1e-6 t/g.
"""
import numpy as np

TYPES = ["SAVA", "BORF", "TEMF", "DEFO", "PEAT", "AGRI"]


def read_ef(path):
    species, ef = [], []
    for line in open(path):
        t = line.split()
        if not t or t[0].startswith("#") or set(t[0]) == {"-"}:
            continue
        species.append(t[0])
        ef.append([float(x) for x in t[1:7]])
    return species, np.array(ef)


def fire_sums(path, ef, months=range(1, 13), mask=None, literal=True):
    """Returns {(region_code, month): array over species} in t. literal: the equation per species as written
    (one grid per species); else factored (six bincounts per month, then EF)."""
    import h5py
    out = {}
    with h5py.File(path, "r") as f:
        area = f["/ancill/grid_cell_area"][:].astype(np.float64)
        if mask is None:
            reg = f["/ancill/basis_regions"][:].ravel()
        else:
            with h5py.File(mask, "r") as mf:
                reg = mf["/mask"][:].ravel()
        codes, inv = np.unique(reg, return_inverse=True)
        for m in months:
            g = "/emissions/%02d" % m
            dma = (f[g + "/DM"][:].astype(np.float64) * area).ravel()
            fr = [f[g + "/partitioning/DM_" + t][:].astype(np.float64).ravel() for t in TYPES]
            if literal:
                res = np.empty((len(codes), ef.shape[0]))
                for s in range(ef.shape[0]):
                    e = dma * sum(fr[t] * ef[s, t] for t in range(6))
                    res[:, s] = np.bincount(inv, weights=e, minlength=len(codes)) * 1e-6
            else:
                dm_t = np.stack([np.bincount(inv, weights=dma * fr[t], minlength=len(codes)) for t in range(6)], 1)
                res = dm_t @ ef.T * 1e-6
            for i, c in enumerate(codes):
                out[(int(c), m)] = res[i]
    return out
