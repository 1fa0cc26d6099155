#!/usr/bin/env python3
"""Route models (docs/process.md) end to end: every shipped route validates against the published JSON Schema
(schemas/process-route.schema.json, draft 2020-12) and simulates through the CLI; the schema and the CLI refuse the
same broken routes; the CSV contract (exact header, four scopes, total = direct + indirect + precursor); the JSON
against the CSV; --set; the CLI's errors (exit 2, a short message naming the file and the field)."""
import csv, copy, glob, io, json, os, subprocess, sys

import jsonschema

sys.path.insert(0, os.path.dirname(__file__))
from harness import test, parse_bin, run_all  # noqa: E402

BIN = parse_bin()
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ROUTES = sorted(glob.glob(os.path.join(ROOT, 'examples', 'process', 'routes', '*.json')))
with open(os.path.join(ROOT, 'schemas', 'process-route.schema.json'), encoding='utf-8') as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def cli(tmp, *args):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'p.db'))
    p = subprocess.run([BIN, 'process', 'simulate', *args], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


@test
def schema_is_valid_draft_2020_12(tmp):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA['$schema'] == 'https://json-schema.org/draft/2020-12/schema'


@test
def every_shipped_route_validates_and_simulates(tmp):
    assert len(ROUTES) >= 20, ROUTES
    for path in ROUTES:
        with open(path, encoding='utf-8') as f:
            doc = json.load(f)
        errors = [e.message for e in VALIDATOR.iter_errors(doc)]
        assert not errors, (path, errors[:3])
        rc, out, err = cli(tmp, path, '--format', 'json')
        assert rc == 0, (path, err)
        j = json.loads(out)
        for u in j['units']:
            if u['mass_balanced']:
                scale = max(1.0, u['mass_in_t'], u['mass_out_t'])
                assert abs(u['mass_residual_t']) <= 1e-9 * scale, (path, u)
            else:
                assert u['mass_note'], (path, u['id'])
        assert j['max_balance_residual'] < 1e-12, (path, j['max_balance_residual'])
        t = j['totals']
        assert abs(t['total_t'] - (t['direct_t'] + t['indirect_t'] + t['precursor_t'])) <= 1e-12 * max(1, t['total_t'])
        assert len(j['sources']) >= 3, path


@test
def schema_and_cli_refuse_the_same_broken_routes(tmp):
    with open(os.path.join(ROOT, 'examples', 'process', 'routes', 'cement-portland-coal.json'), encoding='utf-8') as f:
        good = json.load(f)
    broken = []
    d = copy.deepcopy(good); del d['units'][0]['outputs']; broken.append(('outputs', d))
    d = copy.deepcopy(good); d['units'][0]['electricity_mhw'] = 1; broken.append(('electricity_mhw', d))
    d = copy.deepcopy(good); d['format'] = 'other'; broken.append(('format', d))
    d = copy.deepcopy(good); d['units'][0]['mass'] = {'balanced': False}; broken.append(('reason', d))
    d = copy.deepcopy(good); d['fuels']['coal']['co2_t_per_unit'] = 0.09; broken.append(('co2_factor', d))
    d = copy.deepcopy(good); d['units'][0]['id'] = 'route'; broken.append(('route', d))
    for what, doc in broken:
        assert list(VALIDATOR.iter_errors(doc)), f'the schema accepts a route without {what}'
        path = os.path.join(tmp, 'broken.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(doc, f)
        rc, out, err = cli(tmp, path)
        assert rc == 2, (what, rc, err)
        assert 'broken.json' in err and what in err and len(err) < 2000, (what, err)


@test
def csv_contract(tmp):
    for name in ('steel-bf-bof.json', 'cement-portland-coal.json', 'urea-gas.json'):
        rc, out, err = cli(tmp, os.path.join('examples', 'process', 'routes', name), '--output', '1000',
                           '--format', 'csv')
        assert rc == 0, err
        assert out.splitlines()[0] == 'scope,gas,emission_t,per_t_product', out
        rows = list(csv.DictReader(io.StringIO(out)))
        co2e = {r['scope']: float(r['emission_t']) for r in rows if r['gas'] == 'CO2e'}
        assert set(co2e) == {'direct', 'indirect', 'precursor', 'total'}, rows
        assert abs(co2e['total'] - co2e['direct'] - co2e['indirect'] - co2e['precursor']) <= 1e-9 * co2e['total']
        for r in rows:
            assert abs(float(r['per_t_product']) * 1000 - float(r['emission_t'])) <= 1e-9 * max(1, abs(float(r['emission_t'])))
        rc, out2, _ = cli(tmp, os.path.join('examples', 'process', 'routes', name), '--output', '1000',
                          '--format', 'json')
        j = json.loads(out2)
        assert [(l['scope'], l['gas']) for l in j['lines']] == [(r['scope'], r['gas']) for r in rows]
        assert j['output'] == 1000 and j['product'] and j['gwp'] == 'AR5'


@test
def set_overrides(tmp):
    path = os.path.join('examples', 'process', 'routes', 'cement-portland-coal.json')
    _, base, _ = cli(tmp, path, '--format', 'json')
    rc, out, err = cli(tmp, path, '--set', 'route.grid_factor_t_per_mwh=0.5703', '--set', 'route.clinker_ratio=0.737',
                       '--format', 'json')
    assert rc == 0, err
    b, j = json.loads(base), json.loads(out)
    assert j['grid_factor_t_per_mwh'] == 0.5703
    kiln = [u for u in j['units'] if u['id'] == 'kiln'][0]
    assert abs(kiln['activity'] - 0.737) < 1e-12
    assert j['totals']['direct_t'] < b['totals']['direct_t']


@test
def unclosed_masses_warn_and_a_large_chain_is_fast(tmp):
    # A chain of 1000 units (each makes c_i from 0.9 t of c_{i+1}, emits 0.1 t CO2, whose masses do not close):
    # five warnings name units, one counts the rest; the solve takes well under a second.
    import time
    n = 1000
    units = []
    for i in range(n):
        u = {'id': f'u{i}', 'outputs': {f'c{i}': 1}, 'emissions': {'CO2': 0.1}}
        if i + 1 < n:
            u['inputs'] = {f'c{i + 1}': 0.9}
        units.append(u)
    doc = {'format': 'panocarbon.route/1', 'name': 'chain', 'product': 'c0', 'grid_factor_t_per_mwh': 0,
           'commodities': {f'c{i}': {'unit': 't'} for i in range(n)}, 'units': units}
    path = os.path.join(tmp, 'chain.json')
    with open(path, 'w') as f:
        json.dump(doc, f)
    t0 = time.time()
    rc, out, err = cli(tmp, path, '--format', 'json')
    assert rc == 0, err
    assert time.time() - t0 < 5
    assert err.count("warning: the masses of unit '") == 5, err
    assert 'the masses of 995 more units do not close' in err, err
    j = json.loads(out)
    # Activities: x_i = 0.9^i; direct = 0.1 x sum 0.9^i = (1 - 0.9^1000) / (1 - 0.9) x 0.1.
    assert abs(j['totals']['direct_t'] - 0.1 * (1 - 0.9 ** n) / 0.1) < 1e-9, j['totals']


@test
def the_shipped_routes_table_of_the_docs_is_what_simulate_prints(tmp):
    # docs/process.md "Shipped route models": every row equals `process simulate FILE --format json` to its 3 (MWh: 2)
    # decimals, and every shipped route has a row.
    with open(os.path.join(ROOT, 'docs', 'process.md'), encoding='utf-8') as f:
        rows = [l for l in f if l.startswith('| `') and l.split('|')[1].strip().endswith('.json`')]
    by_file = {r.split('|')[1].strip().strip('`'): [c.strip() for c in r.split('|')[2:8]] for r in rows}
    shipped = {os.path.basename(p) for p in ROUTES if os.path.dirname(p).endswith('routes')}
    assert shipped <= set(by_file), sorted(shipped - set(by_file))
    for name in sorted(shipped):
        rc, out, err = cli(tmp, os.path.join('examples', 'process', 'routes', name), '--format', 'json')
        assert rc == 0, (name, err)
        j = json.loads(out)
        per = j['per_t_product']
        want = [j['product'], f"{per['direct']:.3f}", f"{per['indirect']:.3f}", f"{per['precursor']:.3f}",
                f"{per['total']:.3f}", f"{per['electricity_mwh']:.2f}"]
        assert by_file[name] == want, (name, by_file[name], want)


@test
def cli_errors(tmp):
    path = os.path.join('examples', 'process', 'routes', 'cement-portland-coal.json')
    rc, _, err = cli(tmp, path, '--set', 'kilm.heat=1')
    assert rc == 2 and "no unit 'kilm' (did you mean 'kiln'" in err, err
    rc, _, err = cli(tmp, path, '--set', 'route.clinker_ratio=0.99')
    assert rc == 2 and "field '/units/1/inputs/additions'" in err, err
    bad = os.path.join(tmp, 'bad.json')
    with open(bad, 'w') as f:
        f.write('{"format": "panocarbon.route/1",\n "name": }')
    rc, _, err = cli(tmp, bad)
    assert rc == 2 and 'bad.json:line 2' in err and 'not JSON' in err, err
    rc, _, err = cli(tmp, path, '--output', '-5')
    assert rc == 2, err
    rc, _, err = cli(tmp, path, '--output', '0')
    assert rc == 2 and '--output must be greater than 0' in err, err


if __name__ == '__main__':
    run_all('panocarbon-process-')
