#!/usr/bin/env python3
"""End-to-end: a synthetic GFED4.1s file (bench/make_synthetic_gfed.py) through `panocarbon natural fire`,
compared with numpy sums of the same equation (bench/gfed_numpy.py) and a numpy computation of the 95 % ranges;
country masks (HDF5, NetCDF classic, GeoTIFF made by gdal_translate) named by ISO 3166-1 alpha-3; errors."""
import csv, io, json, math, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..')
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, 'bench'))
from harness import test, parse_bin, run_all  # noqa: E402

try:
    import h5py  # noqa: F401
    import numpy as np
except ImportError:
    print('skip: needs python3-h5py and numpy (scripts/install-deps.sh)')
    sys.exit(77)
import make_synthetic_gfed  # noqa: E402
import gfed_numpy  # noqa: E402

BIN = parse_bin()
EF = os.path.join(ROOT, '..', 'shared', 'data', 'natural', 'GFED4_Emission_Factors.txt')
if not os.path.exists(EF):
    print('skip: ../shared/data/natural/GFED4_Emission_Factors.txt not found')
    sys.exit(77)
REGIONS = ["BONA", "TENA", "CEAM", "NHSA", "SHSA", "EURO", "MIDE", "NHAF", "SHAF", "BOAS", "CEAS", "SEAS", "EQAS", "AUST"]


def run(tmp, *args, ok=True):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'db.sqlite'))
    p = subprocess.run([BIN, 'natural', 'fire', *args, '--emission-factors', EF], capture_output=True, text=True,
                       env=env)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def rows_of(out, ranges=False):
    r = list(csv.reader(io.StringIO(out)))
    # The required four columns first and unchanged, then the 95 % range (empty = none).
    assert r[0] == ['region', 'species', 'month', 'emission_t', 'emission_low_t', 'emission_high_t'], r[0]
    if ranges:
        return {(a, b, int(c)): (float(d), float(lo) if lo else None, float(hi) if hi else None)
                for a, b, c, d, lo, hi in r[1:]}
    return {(a, b, int(c)): float(d) for a, b, c, d, _, _ in r[1:]}


# Relative SD of each GFED type's factor, computed here from data/ipcc2006_fire.csv (Table 2.5 mean, sd).
TYPE_CATEGORY = ['savanna_grassland', 'extra_tropical_forest', 'extra_tropical_forest', 'tropical_forest', None,
                 'agricultural_residues']


def relative_sd(species):
    t25 = {}
    with open(os.path.join(ROOT, 'data', 'ipcc2006_fire.csv'), newline='') as f:
        for row in csv.DictReader(f):
            if row['table'] == '2.5' and row['sd']:
                t25[(row['ef_category'], row['species'].upper())] = float(row['sd']) / float(row['value'])
    r = [t25.get((c, species.upper()), math.nan) if c else math.nan for c in TYPE_CATEGORY]
    known = [x for x in r if not math.isnan(x)]
    r[4] = max(known) if known else math.nan  # PEAT: the largest of the others
    return r


def bounds(mean, sd):
    r = sd / mean
    if r <= 0.3:
        return mean - 1.96 * sd, mean + 1.96 * sd
    s2 = math.log1p(r * r)
    mu = math.log(mean) - s2 / 2
    return math.exp(mu - 1.96 * math.sqrt(s2)), math.exp(mu + 1.96 * math.sqrt(s2))


def type_sums(path, codes_grid, months):
    """{(code, month): D_t (kg) per type}, numpy bincounts."""
    import h5py
    out = {}
    with h5py.File(path, 'r') as f:
        area = f['/ancill/grid_cell_area'][:].astype(np.float64)
        codes, inv = np.unique(codes_grid.ravel(), return_inverse=True)
        for m in months:
            g = '/emissions/%02d' % m
            dma = (f[g + '/DM'][:].astype(np.float64) * area).ravel()
            d = np.stack([np.bincount(inv, weights=dma * f[g + '/partitioning/DM_' + t][:].astype(np.float64).ravel(),
                                      minlength=len(codes)) for t in gfed_numpy.TYPES], 1)
            for i, c in enumerate(codes):
                out[(int(c), m)] = d[i]
    return out


@test
def basis_regions_match_numpy(tmp):
    f = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    make_synthetic_gfed.make(f, res=5.0, seed=3, burn=0.3)
    got = rows_of(run(tmp, f, '--year', '2015', '--format', 'csv').stdout)
    species, ef = gfed_numpy.read_ef(EF)
    ref = gfed_numpy.fire_sums(f, ef)
    n = 0
    for (code, m), v in ref.items():
        name = REGIONS[code - 1] if code else 'none'
        for s, sp in enumerate(species):
            key = (name, sp, m)
            if name == 'none' and key not in got:
                assert v[s] == 0
                continue
            assert abs(got[key] - v[s]) <= 1e-9 * abs(v[s]) + 1e-9, (key, got[key], v[s])
            n += 1
    assert n >= 14 * 41 * 12, n
    # Not everything is zero (the test can fail).
    assert sum(got.values()) > 0


@test
def netcdf_layout_gives_the_same_rows(tmp):
    """The same synthetic year as GFED4.1s HDF5 and in the NetCDF layout (NetCDF-4, latitude south first):
    `natural fire` prints identical CSV (every row, range and note), and stores the same rows."""
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        print('  (skipped: needs python3-netcdf4)')
        return
    h = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    n = os.path.join(tmp, 'GFED4.1s_2015.nc')
    make_synthetic_gfed.make(h, res=5.0, seed=7, burn=0.3, netcdf=n)
    a = run(tmp, h, '--year', '2015', '--format', 'csv').stdout
    b = run(tmp, n, '--year', '2015', '--format', 'csv').stdout
    assert a == b
    assert len(a.splitlines()) > 14 * 41
    j = json.loads(run(tmp, n, '--year', '2015', '--format', 'json', '--species', 'CO2').stdout)
    assert j, j


@test
def float64_grids_match_numpy_in_float64(tmp):
    """DM and fractions stored as float64 (values float32 cannot hold) are summed as double: the CLI equals
    numpy's float64 sums to 1e-12 relative, in both layouts."""
    try:
        import netCDF4  # noqa: F401
        n = os.path.join(tmp, 'GFED4.1s_2015.nc')
    except ImportError:
        n = None
    h = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    make_synthetic_gfed.make(h, res=5.0, seed=11, burn=0.3, months=12, netcdf=n, float64=True)
    import h5py
    with h5py.File(h, 'r') as f:
        assert f['/emissions/01/DM'].dtype == np.float64
        dm = f['/emissions/01/DM'][:]
        assert np.any(dm.astype(np.float32).astype(np.float64) != dm)  # not float32 values in disguise
    species, ef = gfed_numpy.read_ef(EF)
    ref = gfed_numpy.fire_sums(h, ef, literal=False)
    for path in [h] + ([n] if n else []):
        got = rows_of(run(tmp, path, '--year', '2015', '--format', 'csv').stdout)
        worst, k = 0.0, 0
        for (code, m), v in ref.items():
            name = REGIONS[code - 1] if code else 'none'
            for s, sp in enumerate(species):
                if (name, sp, m) in got and v[s] != 0:
                    worst = max(worst, abs(got[(name, sp, m)] - v[s]) / abs(v[s]))
                    k += 1
        assert k >= 14 * 41 * 12, k
        assert worst <= 1e-12, (path, worst)


@test
def ranges_match_numpy(tmp):
    import h5py
    f = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    make_synthetic_gfed.make(f, res=5.0, seed=5, burn=0.3, months=3)
    args = (f, '--year', '2015', '--months', '1,2,3', '--species', 'CO2,CH4,N2O,BC', '--dm-uncertainty', '10')
    got = rows_of(run(tmp, *args, '--format', 'csv').stdout, ranges=True)
    species, ef = gfed_numpy.read_ef(EF)
    with h5py.File(f, 'r') as h:
        reg = h['/ancill/basis_regions'][:]
    sums = type_sums(f, reg, [1, 2, 3])
    rdm = 0.10 / 1.96
    n = 0
    for sp in ['CO2', 'CH4', 'N2O']:
        e = ef[species.index(sp)] * 1e-6
        rel = np.array(relative_sd(sp))
        ok = ~np.isnan(rel)
        for code in range(1, 15):
            annual = np.zeros(6)
            for m in [1, 2, 3]:
                d = sums[(code, m)]
                annual += d
                mean = float(d @ e)
                sd = math.sqrt(float(np.sum((d * e * np.where(ok, rel, 0)) ** 2)) + (mean * rdm) ** 2)
                lo, hi = bounds(mean, sd)
                v, glo, ghi = got[(REGIONS[code - 1], sp, m)]
                assert abs(v - mean) <= 1e-9 * mean, (code, m, sp)
                assert abs(glo - lo) <= 1e-9 * mean and abs(ghi - hi) <= 1e-9 * mean, (code, m, sp, glo, lo, ghi, hi)
                n += 1
    assert n == 3 * 14 * 3
    # BC has no spread in IPCC Table 2.5: no range.
    assert all(lo is None and hi is None for (r, sp, m), (v, lo, hi) in got.items() if sp == 'BC')
    # Annual totals (json): months correlated, each type's D summed over the months before squaring.
    js = json.loads(run(tmp, *args, '--format', 'json').stdout)
    ann = {(a['region'], a['species']): a for a in js['annual']}
    e = ef[species.index('CO2')] * 1e-6
    rel = np.nan_to_num(np.array(relative_sd('CO2')))
    for code in range(1, 15):
        d = sum(sums[(code, m)] for m in [1, 2, 3])
        mean = float(d @ e)
        sd = math.sqrt(float(np.sum((d * e * rel) ** 2)) + (mean * rdm) ** 2)
        lo, hi = bounds(mean, sd)
        a = ann[(REGIONS[code - 1], 'CO2')]
        assert abs(a['emission_low_t'] - lo) <= 1e-9 * mean and abs(a['emission_high_t'] - hi) <= 1e-9 * mean
        # Wider, relative to the mean, than independent months would give.
        sd_ind = math.sqrt(sum(float(np.sum((sums[(code, m)] * e * rel) ** 2)) for m in [1, 2, 3]) + (mean * rdm) ** 2)
        assert sd >= sd_ind
    # The stored records carry the range.
    import sqlite3
    run(tmp, *args, '--format', 'csv')
    db = sqlite3.connect(os.path.join(tmp, 'db.sqlite'))
    rows = db.execute("SELECT lower, upper, value FROM natural_fluxes WHERE module='fire-gfed' AND species='CO2'").fetchall()
    assert rows and all(lo is not None and lo < v < hi for lo, hi, v in rows), rows[:3]
    rows = db.execute("SELECT lower FROM natural_fluxes WHERE module='fire-gfed' AND species='BC'").fetchall()
    assert rows and all(lo is None for (lo,) in rows)


@test
def country_mask_and_species(tmp):
    f = os.path.join(tmp, 'fires.hdf5')
    mk = os.path.join(tmp, 'mask.h5')
    nc = os.path.join(tmp, 'mask.nc')
    make_synthetic_gfed.make(f, res=5.0, seed=4, burn=0.3, mask=mk, mask_nc=nc)
    masks = [mk, nc]
    if shutil.which('gdal_translate'):
        tif = os.path.join(tmp, 'mask.tif')
        subprocess.run(['gdal_translate', '-q', nc, tif], check=True)
        masks.append(tif)
    else:
        print('note: no gdal_translate (gdal-bin); GeoTIFF mask not tried here')
    species, ef = gfed_numpy.read_ef(EF)
    ref = gfed_numpy.fire_sums(f, ef, mask=mk, literal=False)
    iso = {0: 'none', 36: 'AUS', 76: 'BRA', 124: 'CAN', 156: 'CHN', 356: 'IND', 840: 'USA'}
    for m_file in masks:
        got = rows_of(run(tmp, f, '--year', '2015', '--mask', m_file, '--species', 'CO2,CH4,N2O,CO',
                          '--format', 'csv').stdout)
        assert {k[1] for k in got} == {'CO2', 'CH4', 'N2O', 'CO'}
        for (code, m), v in ref.items():
            for sp in ['CO2', 'CH4', 'N2O', 'CO']:
                s = species.index(sp)
                assert abs(got[(iso[code], sp, m)] - v[s]) <= 1e-9 * abs(v[s]) + 1e-9, (m_file, code, m, sp)
        assert {k[0] for k in got} == set(iso.values()), (m_file, {k[0] for k in got})
    # --mask-names: the user's names; codes not listed stay numbers.
    names = os.path.join(tmp, 'names.csv')
    with open(names, 'w') as fh:
        fh.write('code,name\n76,Brasil\n840,Estados Unidos\n')
    got = rows_of(run(tmp, f, '--year', '2015', '--mask', nc, '--mask-names', names, '--species', 'CO2',
                      '--format', 'csv').stdout)
    assert {k[0] for k in got} == {'none', '36', 'Brasil', '124', '156', '356', 'Estados Unidos'}


@test
def mask_errors_name_the_file(tmp):
    import netCDF4
    f = os.path.join(tmp, 'fires.hdf5')
    make_synthetic_gfed.make(f, res=10.0, months=1)
    bad = os.path.join(tmp, 'wrong.nc')
    make_synthetic_gfed.write_mask_nc(bad, 36, 72)  # a 5 degree mask for a 10 degree grid
    p = run(tmp, f, '--year', '2015', '--months', '1', '--mask', bad, ok=False)
    assert p.returncode == 2 and bad in p.stderr and '36 x 72 but the emissions grid is 18 x 36' in p.stderr, p.stderr
    fl = os.path.join(tmp, 'float.nc')
    with netCDF4.Dataset(fl, 'w', format='NETCDF3_CLASSIC') as d:
        d.createDimension('y', 18)
        d.createDimension('x', 36)
        d.createVariable('mask', 'f4', ('y', 'x'))[:] = np.zeros((18, 36))
    p = run(tmp, f, '--year', '2015', '--months', '1', '--mask', fl, ok=False)
    assert p.returncode == 2 and "variable 'mask' is float, not an integer type" in p.stderr, p.stderr
    p = run(tmp, f, '--year', '2015', '--months', '1', '--mask', fl, '--mask-variable', 'iso', ok=False)
    assert p.returncode == 2 and "no variable 'iso' (--mask-variable)" in p.stderr, p.stderr
    p = run(tmp, f, '--year', '2015', '--months', '1', '--dm-uncertainty', '-3', ok=False)
    assert p.returncode == 2 and 'dm-uncertainty' in p.stderr, p.stderr


@test
def errors_name_the_dataset(tmp):
    import h5py
    f = os.path.join(tmp, 'f.hdf5')
    make_synthetic_gfed.make(f, res=10.0, months=2)
    p = run(tmp, f, '--year', '2015', ok=False)  # months 3..12 missing
    assert p.returncode == 2 and '/emissions/03/DM' in p.stderr, p.stderr
    p = run(tmp, f, '--year', '2015', '--months', '13', ok=False)
    assert p.returncode == 2 and 'out of range' in p.stderr, p.stderr
    p = run(tmp, f, '--year', '2015', '--months', '1', '--species', 'XYZ', ok=False)
    assert p.returncode == 3 and "unknown species 'XYZ'" in p.stderr, p.stderr
    with h5py.File(f, 'a') as h:
        del h['/emissions/01/partitioning/DM_BORF']
    p = run(tmp, f, '--year', '2015', '--months', '1', ok=False)
    assert p.returncode == 2 and '/emissions/01/partitioning/DM_BORF' in p.stderr, p.stderr
    with h5py.File(f, 'a') as h:
        del h['/emissions/02/DM']
        h['/emissions/02/DM'] = np.ones((3, 3), dtype=np.float32)
    p = run(tmp, f, '--year', '2015', '--months', '2', ok=False)
    assert p.returncode == 2 and '/emissions/02/DM is 3 x 3' in p.stderr, p.stderr


# ---------------------------------------------------------------- managed-land mask (--managed-mask)
def managed_grid(rows, cols):
    """1 = managed, 0 = unmanaged, -1 = nodata (counts as unmanaged); row 0 north."""
    g = ((np.arange(rows)[:, None] * 5 + np.arange(cols)[None, :] * 3) % 4 != 0).astype(np.int32)
    g[(np.arange(rows)[:, None] + np.arange(cols)[None, :]) % 11 == 0] = -1
    return g


def write_managed(tmp, rows, cols, name='managed', nc=True, dtype='i4', grid=None):
    """The managed mask as NetCDF classic (latitude ascending, _FillValue -1) or plain HDF5 /managed."""
    grid = managed_grid(rows, cols) if grid is None else grid
    if nc:
        import netCDF4
        path = os.path.join(tmp, name + '.nc')
        res_y, res_x = 180.0 / rows, 360.0 / cols
        with netCDF4.Dataset(path, 'w', format='NETCDF3_CLASSIC') as d:
            d.createDimension('lat', rows)
            d.createDimension('lon', cols)
            d.createVariable('lat', 'f8', ('lat',))[:] = -90 + res_y / 2 + res_y * np.arange(rows)
            d.createVariable('lon', 'f8', ('lon',))[:] = -180 + res_x / 2 + res_x * np.arange(cols)
            v = d.createVariable('managed', dtype, ('lat', 'lon'), fill_value=-1 if dtype == 'i4' else None)
            v[:] = grid[::-1]
        return path
    import h5py
    path = os.path.join(tmp, name + '.h5')
    with h5py.File(path, 'w') as f:
        f.create_dataset('/managed', data=np.maximum(grid, 0).astype(dtype))
    return path


def managed_rows(out):
    r = list(csv.reader(io.StringIO(out)))
    # The existing columns first and unchanged, then `managed` (1 / 0).
    assert r[0] == ['region', 'species', 'month', 'emission_t', 'emission_low_t', 'emission_high_t', 'managed'], r[0]
    return {(a, b, int(c), int(k)): (float(d), float(lo) if lo else None, float(hi) if hi else None)
            for a, b, c, d, lo, hi, k in r[1:]}


@test
def managed_mask_matches_numpy(tmp):
    import h5py
    f = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    rows, cols = make_synthetic_gfed.make(f, res=5.0, seed=6, burn=0.3, months=3)
    masks = [write_managed(tmp, rows, cols), write_managed(tmp, rows, cols, nc=False)]
    if shutil.which('gdal_translate'):
        tif = os.path.join(tmp, 'managed.tif')
        subprocess.run(['gdal_translate', '-q', masks[0], tif], check=True)
        masks.append(tif)
    else:
        print('note: no gdal_translate (gdal-bin); GeoTIFF managed mask not tried here')
    args = (f, '--year', '2015', '--months', '1,2,3', '--species', 'CO2,CH4,N2O,BC', '--dm-uncertainty', '10',
            '--no-store', '--format', 'csv')
    plain = rows_of(run(tmp, *args).stdout, ranges=True)
    species, ef = gfed_numpy.read_ef(EF)
    with h5py.File(f, 'r') as h:
        reg = h['/ancill/basis_regions'][:]
    managed = (managed_grid(rows, cols) == 1).astype(np.int64)
    assert 0 < managed.sum() < managed.size
    sums = type_sums(f, reg.astype(np.int64) * 2 + managed, [1, 2, 3])  # code = region * 2 + managed
    rdm = 0.10 / 1.96
    for mk in masks:
        got = managed_rows(run(tmp, *args[:-2], '--managed-mask', mk, '--format', 'csv').stdout)
        n = 0
        for sp in ['CO2', 'CH4', 'N2O']:
            e = ef[species.index(sp)] * 1e-6
            rel = np.nan_to_num(np.array(relative_sd(sp)))
            for code in range(1, 15):
                for m in [1, 2, 3]:
                    for k in (0, 1):
                        d = sums.get((code * 2 + k, m), np.zeros(6))
                        mean = float(d @ e)
                        v, glo, ghi = got[(REGIONS[code - 1], sp, m, k)]
                        assert abs(v - mean) <= 1e-9 * mean + 1e-9, (mk, code, m, k, sp, v, mean)
                        if mean > 0:
                            sd = math.sqrt(float(np.sum((d * e * rel) ** 2)) + (mean * rdm) ** 2)
                            lo, hi = bounds(mean, sd)
                            assert abs(glo - lo) <= 1e-9 * mean and abs(ghi - hi) <= 1e-9 * mean, (mk, code, m, k)
                            n += 1
                    # The two parts add up to the run without the mask.
                    tot = plain[(REGIONS[code - 1], sp, m)][0]
                    both = got[(REGIONS[code - 1], sp, m, 0)][0] + got[(REGIONS[code - 1], sp, m, 1)][0]
                    assert abs(both - tot) <= 1e-12 * tot + 1e-9, (mk, code, m, sp)
        assert n > 3 * 14 * 3, n  # both parts burn in most region-months (the test can fail)
        assert all(lo is None for (r, sp, m, k), (v, lo, hi) in got.items() if sp == 'BC')
    # JSON: `managed` on every row and annual entry; without the mask no such key.
    js = json.loads(run(tmp, *args[:-2], '--managed-mask', masks[0], '--format', 'json').stdout)
    assert js['managed_mask'] == masks[0]
    assert all(isinstance(x['managed'], bool) for x in js['rows'] + js['annual'])
    assert len(js['annual']) == 2 * 4 * len({x['region'] for x in js['annual']})
    js = json.loads(run(tmp, *args[:-2], '--format', 'json').stdout)
    assert 'managed_mask' not in js and all('managed' not in x for x in js['rows'] + js['annual'])
    table = run(tmp, *args[:-2], '--managed-mask', masks[0]).stdout
    assert table.splitlines()[0].split()[-1] == 'managed' and ' yes' in table and ' no' in table, table[:300]


def account(tmp, *args):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'db.sqlite'))
    p = subprocess.run([BIN, 'natural', 'account', *args], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout


@test
def managed_mask_account_views(tmp):
    import h5py
    f = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    rows, cols = make_synthetic_gfed.make(f, res=5.0, seed=7, burn=0.3, months=2)
    mk = write_managed(tmp, rows, cols)
    gwp = {'CO2': 1, 'CH4': 28, 'N2O': 265}  # AR5, the account's default
    species, ef = gfed_numpy.read_ef(EF)
    with h5py.File(f, 'r') as h:
        reg = h['/ancill/basis_regions'][:]
    managed = (managed_grid(rows, cols) == 1).astype(np.int64)
    sums = type_sums(f, reg.astype(np.int64) * 2 + managed, [1, 2])
    # x[(group, part)], t CO2-e: group 'nat' = SAVA BORF TEMF PEAT, 'dir' = DEFO AGRI; part 1 managed.
    x = {(g, k): 0.0 for g in ('nat', 'dir') for k in (0, 1)}
    nat = np.array([1, 1, 1, 0, 1, 0], dtype=float)
    for (code, m), d in sums.items():
        for sp, g in gwp.items():
            e = ef[species.index(sp)] * 1e-6 * g
            x[('nat', code % 2)] += float((d * nat) @ e)
            x[('dir', code % 2)] += float((d * (1 - nat)) @ e)
    assert min(x.values()) > 0, x
    base = (f, '--year', '2015', '--months', '1,2', '--species', 'CO2,CH4,N2O', '--format', 'csv')

    def views():
        j = json.loads(account(tmp, '--format', 'json'))
        mod = {m['module']: m for m in j['modules']}['fire-gfed']
        return {k: mod[k]['t_co2e'] for k in ('national_inventory', 'global_carbon_budget', 'inventory_minus_budget',
                                              'natural_remainder', 'total')}

    def close(a, b):
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)

    run(tmp, *base, '--managed-mask', mk)
    v = views()
    want = {'national_inventory': x[('nat', 1)] + x[('dir', 1)],
            'global_carbon_budget': x[('dir', 0)] + x[('dir', 1)],
            'inventory_minus_budget': x[('nat', 1)] - x[('dir', 0)],
            'natural_remainder': x[('nat', 0)],
            'total': sum(x.values())}
    for k in want:
        assert close(v[k], want[k]), (k, v[k], want[k])
    # The stored tags: origin by fire type, management by the mask.
    import sqlite3
    db = sqlite3.connect(os.path.join(tmp, 'db.sqlite'))
    tags = set(db.execute("SELECT origin, management FROM natural_fluxes WHERE module='fire-gfed' AND run_id="
                          "(SELECT max(run_id) FROM natural_fluxes)").fetchall())
    assert tags == {('natural', 'managed'), ('natural', 'unmanaged'), ('direct anthropogenic', 'managed'),
                    ('direct anthropogenic', 'unmanaged')}, tags
    # Without the mask (the latest run replaces it): the fire-type convention, GFED adds nothing to D.
    run(tmp, *base)
    v = views()
    assert close(v['national_inventory'], x[('dir', 0)] + x[('dir', 1)])
    assert close(v['global_carbon_budget'], x[('dir', 0)] + x[('dir', 1)])
    assert abs(v['inventory_minus_budget']) <= 1e-9 * v['total']
    assert close(v['natural_remainder'], x[('nat', 0)] + x[('nat', 1)])


@test
def managed_mask_errors_name_the_file(tmp):
    f = os.path.join(tmp, 'fires.hdf5')
    make_synthetic_gfed.make(f, res=10.0, months=1)
    base = (f, '--year', '2015', '--months', '1', '--no-store', '--managed-mask')
    bad = write_managed(tmp, 36, 72, name='wrong')  # a 5 degree mask for a 10 degree grid
    p = run(tmp, *base, bad, ok=False)
    assert p.returncode == 2 and bad in p.stderr and 'managed-land mask (--managed-mask)' in p.stderr, p.stderr
    assert '36 x 72 but the emissions grid is 18 x 36' in p.stderr, p.stderr
    fl = write_managed(tmp, 18, 36, name='float', dtype='f4', grid=np.full((18, 36), 0.5))
    p = run(tmp, *base, fl, ok=False)
    assert p.returncode == 2 and fl in p.stderr and "variable 'managed' is float, not an integer type" in p.stderr, \
        p.stderr
    g = managed_grid(18, 36)
    g[2, 5] = 3
    three = write_managed(tmp, 18, 36, name='three', nc=False, grid=g)
    p = run(tmp, *base, three, ok=False)
    assert p.returncode == 2 and three in p.stderr, p.stderr
    assert 'managed-land mask value 3 at row 2, column 5 is neither 1 (managed land) nor 0' in p.stderr, p.stderr
    ok = write_managed(tmp, 18, 36, name='ok')
    p = run(tmp, *base, ok, '--managed-mask-variable', 'iso', ok=False)
    assert p.returncode == 2 and ok in p.stderr and "no variable 'iso' (--managed-mask-variable)" in p.stderr, p.stderr
    assert run(tmp, *base, ok, '--managed-mask-variable', 'managed').returncode == 0
    fh5 = write_managed(tmp, 18, 36, name='float5', nc=False, dtype='f4')
    p = run(tmp, *base, fh5, ok=False)
    assert p.returncode == 2 and fh5 in p.stderr and 'not an integer type' in p.stderr, p.stderr


@test
def emission_factors_from_the_option_or_the_environment_only(tmp):
    f = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    make_synthetic_gfed.make(f, res=10.0, months=1)
    args = [BIN, 'natural', 'fire', f, '--year', '2015', '--months', '1', '--species', 'CO2', '--format', 'csv',
            '--no-store']
    env = {k: v for k, v in os.environ.items() if k != 'PANOCARBON_GFED_EF'}
    # No path is guessed, not even ../shared/data beside the working folder.
    p = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert '--emission-factors' in p.stderr and 'GFED4_Emission_Factors.txt' in p.stderr, p.stderr
    assert 'PANOCARBON_GFED_EF' in p.stderr, p.stderr
    by_env = subprocess.run(args, capture_output=True, text=True, env=dict(env, PANOCARBON_GFED_EF=EF), cwd=tmp)
    assert by_env.returncode == 0, by_env.stderr
    assert by_env.stdout == run(tmp, *args[3:]).stdout


@test
def tables_name_units(tmp):
    f = os.path.join(tmp, 'GFED4.1s_2015.hdf5')
    make_synthetic_gfed.make(f, res=10.0, months=1)
    table = run(tmp, f, '--year', '2015', '--months', '1', '--no-store').stdout.splitlines()
    assert 'emission_t/yr' in table[0] and 'low_t/yr' in table[0], table[0]
    assert not any('e+' in l for l in table[1:-1]), table  # fixed decimals, one format per column
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'db.sqlite'))
    areas = os.path.join(ROOT, 'tests', 'fixtures', 'natural', 'fire_areas.csv')
    p = subprocess.run([BIN, 'natural', 'fire-tier1', areas, '--no-store'], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    head = p.stdout.splitlines()[0]
    assert all(u in head for u in ('area_ha', 'MB*Cf_t/ha', 'Gef_g/kg', 'emission_t')), head
    assert '6613.3000' in p.stdout, p.stdout  # savanna CO2 of tests/golden/natural_fire_tier1.test, fixed decimals


run_all('pc-natural-fire-')
