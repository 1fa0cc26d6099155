#!/usr/bin/env python3
"""End-to-end: a synthetic GFED4.1s file (bench/make_synthetic_gfed.py) through `panocarbon natural fire`,
compared with numpy sums of the same equation (bench/gfed_numpy.py); country mask; errors name the dataset."""
import csv, io, os, subprocess, sys

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


def rows_of(out):
    r = list(csv.reader(io.StringIO(out)))
    assert r[0] == ['region', 'species', 'month', 'emission_t'], r[0]
    return {(a, b, int(c)): float(d) for a, b, c, d in r[1:]}


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
def country_mask_and_species(tmp):
    f = os.path.join(tmp, 'fires.hdf5')
    mk = os.path.join(tmp, 'mask.nc')
    make_synthetic_gfed.make(f, res=5.0, seed=4, burn=0.3, mask=mk)
    got = rows_of(run(tmp, f, '--year', '2015', '--mask', mk, '--species', 'CO2,CH4,N2O,CO', '--format', 'csv').stdout)
    assert {k[1] for k in got} == {'CO2', 'CH4', 'N2O', 'CO'}
    species, ef = gfed_numpy.read_ef(EF)
    ref = gfed_numpy.fire_sums(f, ef, mask=mk, literal=False)
    for (code, m), v in ref.items():
        name = str(code) if code > 0 else 'none'
        for sp in ['CO2', 'CH4', 'N2O', 'CO']:
            s = species.index(sp)
            assert abs(got[(name, sp, m)] - v[s]) <= 1e-9 * abs(v[s]) + 1e-9
    assert '840' in {k[0] for k in got}


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


run_all('pc-natural-fire-')
