#!/usr/bin/env python3
"""Writes a synthetic GFED4.1s-layout HDF5 file (h5py from Debian's python3-h5py; numpy).

Layout (van der Werf et al. 2017, GFED4.1s):
  /ancill/grid_cell_area            m2, float64, rows x cols (spherical cells of a regular lat-lon grid)
  /ancill/basis_regions             int32 0..14 (0 = none, 1..14 = BONA ... AUST)
  /emissions/MM/DM                  kg DM m-2 month-1, float32, MM = 01..12
  /emissions/MM/partitioning/DM_T   fraction of DM by fire type T in SAVA BORF TEMF DEFO PEAT AGRI, float32

Also a country mask (--mask FILE): int32 /mask on the same grid (0 = no country), ISO 3166-1 numeric codes;
and the same mask as NetCDF classic (--mask-nc FILE; python3-netcdf4): int32 `country` with lat/lon
coordinate variables, latitude ascending (south first) as many NetCDF files are, _FillValue -1.
`gdal_translate FILE.nc FILE.tif` turns the latter into a north-up GeoTIFF.
--netcdf OUT.nc writes the same year in the GFED NetCDF layout (docs/natural-fires.md "NetCDF layout";
python3-netcdf4): dimensions time (12), lat, lon; DM(time, lat, lon) kg DM m-2 month-1; DM_SAVA ... DM_AGRI
(time, lat, lon) fractions of DM; grid_cell_area(lat, lon) m2; basis_regions(lat, lon); lat ascending (south
first, flipped by the reader) unless --north-first. --float64 writes DM and the fractions as float64 with values
that float32 cannot hold (both files then hold the same float64 numbers).
Usage: make_synthetic_gfed.py OUT.hdf5 [--res 0.25] [--seed 1] [--burn 0.05] [--mask MASK.h5]
       [--mask-nc MASK.nc] [--months 12] [--compress] [--netcdf OUT.nc] [--float64]
"""
import argparse

import numpy as np

TYPES = ["SAVA", "BORF", "TEMF", "DEFO", "PEAT", "AGRI"]


def grid_cell_area(rows, cols):
    r = 6371007.181  # m, the GFED/MODIS sphere radius
    lat_edges = np.linspace(90.0, -90.0, rows + 1)
    band = np.abs(np.sin(np.radians(lat_edges[:-1])) - np.sin(np.radians(lat_edges[1:])))
    return np.repeat((r * r * np.radians(360.0 / cols) * band)[:, None], cols, axis=1)


def mask_codes(rows, cols):
    codes = np.array([0, 36, 76, 124, 156, 356, 840], dtype=np.int32)  # ISO 3166-1 numeric
    return codes[(np.arange(rows)[:, None] + 3 * np.arange(cols)[None, :]) % 7]


def write_mask_nc(path, rows, cols):
    """NetCDF classic, latitude ascending (row 0 = south), int32 `country`, -1 = fill."""
    import netCDF4
    res_y, res_x = 180.0 / rows, 360.0 / cols
    with netCDF4.Dataset(path, "w", format="NETCDF3_CLASSIC") as d:
        d.createDimension("lat", rows)
        d.createDimension("lon", cols)
        lat = d.createVariable("lat", "f8", ("lat",))
        lat.units, lat.standard_name = "degrees_north", "latitude"
        lon = d.createVariable("lon", "f8", ("lon",))
        lon.units, lon.standard_name = "degrees_east", "longitude"
        lat[:] = -90 + res_y / 2 + res_y * np.arange(rows)
        lon[:] = -180 + res_x / 2 + res_x * np.arange(cols)
        v = d.createVariable("country", "i4", ("lat", "lon"), fill_value=-1)
        v[:] = mask_codes(rows, cols)[::-1]


def write_netcdf(path, area, regions, layers, north_first=False, compress=False):
    """The GFED NetCDF layout: layers[m] = (dm, frac[6]) for months 1..len(layers) (12 expected)."""
    import netCDF4
    rows, cols = area.shape
    res_y, res_x = 180.0 / rows, 360.0 / cols
    order = slice(None) if north_first else slice(None, None, -1)
    kw = {"zlib": True, "complevel": 1} if compress else {}
    with netCDF4.Dataset(path, "w", format="NETCDF4") as d:
        d.createDimension("time", len(layers))
        d.createDimension("lat", rows)
        d.createDimension("lon", cols)
        lat = d.createVariable("lat", "f8", ("lat",))
        lat.units = "degrees_north"
        lon = d.createVariable("lon", "f8", ("lon",))
        lon.units = "degrees_east"
        lat[:] = (90 - res_y / 2 - res_y * np.arange(rows))[order]
        lon[:] = -180 + res_x / 2 + res_x * np.arange(cols)
        time = d.createVariable("time", "i4", ("time",))
        time.units = "month of the year"
        time[:] = np.arange(1, len(layers) + 1)
        a = d.createVariable("grid_cell_area", "f8", ("lat", "lon"), **kw)
        a.units = "m2"
        a[:] = area[order]
        r = d.createVariable("basis_regions", "i4", ("lat", "lon"), **kw)
        r.long_name = "GFED basis regions: 0 = none, 1..14 = BONA TENA CEAM NHSA SHSA EURO MIDE NHAF SHAF BOAS CEAS SEAS EQAS AUST"
        r[:] = regions[order]
        kind = "f8" if layers[0][0].dtype == np.float64 else "f4"
        v = d.createVariable("DM", kind, ("time", "lat", "lon"), **kw)
        v.units = "kg DM m-2 month-1"
        for m, (dm, _) in enumerate(layers):
            v[m] = dm[order]
        for t, name in enumerate(TYPES):
            v = d.createVariable("DM_" + name, kind, ("time", "lat", "lon"), **kw)
            v.units = "1"
            v.long_name = "fraction of DM burned as " + name
            for m, (_, frac) in enumerate(layers):
                v[m] = frac[t][order]


def make(path, res=0.25, seed=1, burn=0.05, mask=None, months=12, compress=False, mask_nc=None, netcdf=None,
         float64=False, north_first=False):
    import h5py
    rows, cols = int(round(180 / res)), int(round(360 / res))
    rng = np.random.default_rng(seed)
    kw = {"compression": "gzip", "compression_opts": 1} if compress else {}
    regions = (np.arange(rows)[:, None] * 7 // rows * 2 + np.arange(cols)[None, :] * 2 // cols + 1) % 15
    regions = regions.astype(np.int32)
    kind = np.float64 if float64 else np.float32
    layers = []
    with h5py.File(path, "w") as f:
        area = grid_cell_area(rows, cols)
        f.create_dataset("/ancill/grid_cell_area", data=area, **kw)
        f.create_dataset("/ancill/basis_regions", data=regions, **kw)
        for m in range(1, months + 1):
            burning = rng.random((rows, cols)) < burn
            dm = np.where(burning, rng.gamma(0.5, 0.2, (rows, cols)), 0.0).astype(kind)
            w = rng.random((6, rows, cols)) ** 3
            frac = (w / w.sum(axis=0)).astype(kind)
            g = "/emissions/%02d" % m
            f.create_dataset(g + "/DM", data=dm, **kw)
            for t, name in enumerate(TYPES):
                f.create_dataset(g + "/partitioning/DM_" + name, data=frac[t], **kw)
            if netcdf:
                layers.append((dm, frac))
    if netcdf:
        write_netcdf(netcdf, area, regions, layers, north_first, compress)
    if mask:
        with h5py.File(mask, "w") as f:
            f.create_dataset("/mask", data=mask_codes(rows, cols))
    if mask_nc:
        write_mask_nc(mask_nc, rows, cols)
    return rows, cols


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--res", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--burn", type=float, default=0.05, help="fraction of cells burning per month")
    ap.add_argument("--mask")
    ap.add_argument("--mask-nc")
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--compress", action="store_true")
    ap.add_argument("--netcdf", help="also write the same year in the GFED NetCDF layout")
    ap.add_argument("--float64", action="store_true", help="DM and fractions as float64")
    ap.add_argument("--north-first", action="store_true", help="NetCDF latitude descending (default ascending)")
    a = ap.parse_args()
    print(make(a.out, a.res, a.seed, a.burn, a.mask, a.months, a.compress, a.mask_nc, a.netcdf, a.float64,
               a.north_first))
