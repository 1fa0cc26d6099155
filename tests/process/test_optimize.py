#!/usr/bin/env python3
"""`process optimize` and `process macc` end to end.

    test_optimize.py --bin build/bin/panocarbon            # the shipped models against the JSON Schema, results, errors
    test_optimize.py --bin build/bin/panocarbon --glpsol   # the same programmes solved by GLPK's glpsol (exit 77 without it)

The cross-check writes the programme our CLI solves (--show-lp, CPLEX LP format), solves it with glpsol and compares
the objective and every column's value. Only for testing: glpsol is not a dependency of panocarbon.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MODELS = os.path.join(REPO, 'examples', 'process', 'models')
FAILURES = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what)
    if not cond:
        FAILURES.append(what)


def run(exe, args, env, expect_rc=0):
    p = subprocess.run([exe] + args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    if p.returncode != expect_rc:
        print(p.stdout[-2000:], p.stderr[-2000:])
    check(p.returncode == expect_rc, f'{" ".join(args[:4])} ... exits {expect_rc} (got {p.returncode})')
    return p


# One region, one period; the hand solution of src/process/optimize_test.cpp (cap 14: x_d = 6, x_c = 4, cost 18).
HAND = {
    "name": "hand", "regions": ["R"], "periods": [{"id": "P"}], "commodities": ["good"],
    "routes": [
        {"id": "dirty", "outputs": {"good": 1}, "variable_cost": 1, "emission_t_per_unit": 2, "existing_capacity": 100, "max_new_per_period": 0},
        {"id": "clean", "outputs": {"good": 1}, "variable_cost": 3, "emission_t_per_unit": 0.5, "existing_capacity": 6, "max_new_per_period": 0},
        {"id": "ccs", "outputs": {"good": 1}, "variable_cost": 5, "existing_capacity": 100, "max_new_per_period": 0}],
    "demands": [{"commodity": "good", "region": "R", "values": 10}],
    "emission_caps": [{"name": "sector", "max_t": 14}]}


def schema_tests(exe, env, tmp):
    import jsonschema
    with open(os.path.join(REPO, 'schemas', 'process-model.schema.json'), encoding='utf-8') as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    names = sorted(n for n in os.listdir(MODELS) if n.endswith('.json'))
    check(len(names) >= 2, f'{len(names)} shipped models')
    for n in names:
        with open(os.path.join(MODELS, n), encoding='utf-8') as f:
            model = json.load(f)
        errors = [e.message for e in v.iter_errors(model)]
        check(not errors, f'{n} validates against schemas/process-model.schema.json {errors[:2]}')
        p = run(exe, ['process', 'optimize', os.path.join(MODELS, n), '--format', 'json'], env)
        j = json.loads(p.stdout)
        check(j['status'] == 'optimal', f'{n}: optimal')
        check(j['max_balance_residual'] <= 1e-9 * max(1.0, max(b['demand'] for b in j['duals']['balances'])),
              f'{n}: balance residual {j["max_balance_residual"]} is rounding')
    # The steel model's route emissions are the shipped routes' simulated direct intensities (to 4 decimals), and
    # the same model with emission_from_route (the files read by the CLI) gives the same plan.
    with open(os.path.join(MODELS, 'steel-two-regions.json'), encoding='utf-8') as f:
        steel = json.load(f)
    files = {'bf_bof': 'steel-bf-bof', 'bf_bof_ccs': 'steel-bf-bof-ccs', 'h2_dri_eaf': 'steel-dri-h2-eaf',
             'scrap_eaf': 'steel-scrap-eaf'}
    for r in steel['routes']:
        route = os.path.join(REPO, 'examples', 'process', 'routes', files[r['id']] + '.json')
        p = run(exe, ['process', 'simulate', route, '--format', 'json'], env)
        sim = json.loads(p.stdout)
        direct = [x for x in sim['lines'] if x['scope'] == 'direct' and x['gas'] == 'CO2e'][0]['per_t_product'] \
            if 'lines' in sim else None
        if direct is None:
            csv_lines = run(exe, ['process', 'simulate', route, '--format', 'csv'], env).stdout.splitlines()
            direct = float([x for x in csv_lines if x.startswith('direct,CO2e,')][0].split(',')[3])
        check(abs(r['emission_t_per_unit'] - direct) <= 5e-5, f'steel {r["id"]}: {r["emission_t_per_unit"]} = simulated {direct:.6f}')
        del r['emission_t_per_unit']
        r['emission_from_route'] = route  # absolute: the model is written elsewhere
    path = os.path.join(tmp, 'steel-from-routes.json')
    with open(path, 'w') as f:
        json.dump(steel, f)
    a = json.loads(run(exe, ['process', 'optimize', path, '--cap', '44000000000', '--format', 'json'], env).stdout)
    b = json.loads(run(exe, ['process', 'optimize', os.path.join(MODELS, 'steel-two-regions.json'), '--cap', '44000000000',
                             '--format', 'json'], env).stdout)
    rel = abs(a['objective'] - b['objective']) / b['objective']
    check(a['status'] == 'optimal' and rel < 1e-4, f'steel with emission_from_route: the same objective (rel {rel:.1e})')

    # The schema refuses what the parser refuses.
    bad = dict(HAND, routes=[dict(HAND['routes'][0], varible_cost=1)])
    check(any(True for _ in v.iter_errors(bad)), 'the schema refuses an unknown route field')
    path = os.path.join(tmp, 'bad.json')
    with open(path, 'w') as f:
        json.dump(bad, f)
    p = run(exe, ['process', 'optimize', path], env, expect_rc=2)
    check("unknown field 'varible_cost'" in p.stderr and '/routes/0/varible_cost' in p.stderr, 'the CLI names the field')

    # The hand model through the CLI: objective, duals, CSV.
    path = os.path.join(tmp, 'hand.json')
    with open(path, 'w') as f:
        json.dump(HAND, f)
    j = json.loads(run(exe, ['process', 'optimize', path, '--format', 'json'], env).stdout)
    check(abs(j['objective'] - 18) < 1e-9, f'hand: objective 18 ({j["objective"]})')
    cap = j['duals']['emission_caps'][0]
    check(abs(cap['marginal_cost_per_t'] - 4 / 3) < 1e-9 and cap['binding'], 'hand: MAC 4/3 USD/t, binding')
    check(abs(j['duals']['balances'][0]['dual'] - 11 / 3) < 1e-9, 'hand: balance dual 11/3')
    csv = run(exe, ['process', 'optimize', path, '--format', 'csv'], env).stdout.splitlines()
    check(csv[0] == 'kind,item,region,period,quantity,value,unit', 'optimize CSV header')
    check('cap_dual,sector,,,marginal_cost,1.333333333,USD/t CO2e' in csv, 'optimize CSV has the cap dual')
    # --cap replaces the model's total cap; infeasible cap names the lowest reachable (0 with ccs).
    p = run(exe, ['process', 'optimize', path, '--cap', '11', '--format', 'json'], env)
    check(abs(json.loads(p.stdout)['objective'] - 22) < 1e-9, '--cap 11: cost 22')
    nocss = dict(HAND, routes=HAND['routes'][:2], emission_caps=[{'name': 'sector', 'max_t': 5}])
    with open(path, 'w') as f:
        json.dump(nocss, f)
    p = run(exe, ['process', 'optimize', path, '--format', 'json'], env)
    j = json.loads(p.stdout)
    check(j['status'] == 'infeasible' and abs(j['lowest_emissions_t'] - 11) < 1e-9, 'infeasible cap: lowest 11 t')
    check("lowest emissions reachable there, 11 t CO2e" in p.stderr, 'the warning says the lowest emissions')
    # MACC of the hand model and its errors.
    with open(path, 'w') as f:
        json.dump(HAND, f)
    p = run(exe, ['process', 'macc', path, '--caps', '19:1:-3', '--format', 'csv'], env)
    rows = p.stdout.splitlines()
    check(rows[0] == 'cap_t,status,emissions_t,abatement_t,total_cost,cost_increase,average_cost_per_t,'
                     'marginal_cost_per_t,currency', 'macc CSV header')
    check(rows[4] == '10,optimal,10,10,24,14,1.4,2,USD', f'macc step at cap 10: {rows[4]}')
    for caps, msg in [('10:5:1', "the step's sign must be that of B - A"), ('10:5:0', 'the step is zero'),
                      ('0:1e6:1', 'at most 10,000'), ('1:2', 'expected A:B:STEP')]:
        p = run(exe, ['process', 'macc', path, '--caps', caps], env, expect_rc=2)
        check(msg in p.stderr, f'--caps {caps}: "{msg}"')
    p = run(exe, ['process', 'macc', path], env, expect_rc=2)
    check('needs --caps' in p.stderr, 'a model without --caps')
    p = run(exe, ['process', 'macc', os.path.join(MODELS, 'measures-steel-plant.csv'), '--format', 'json'], env)
    m = json.loads(p.stdout)
    costs = [x['cost_usd_per_t'] for x in m['measures']]
    check(m['kind'] == 'partial' and costs == sorted(costs), 'partial MACC sorted by cost per t')
    check(abs(m['measures'][-1]['cumulative_to_t'] - m['total_abatement_t']) < 1e-6, 'cumulative abatement ends at the total')
    p = run(exe, ['process', 'macc', os.path.join(MODELS, 'measures-steel-plant.csv'), '--caps', '1:0:-1'], env,
            expect_rc=2)
    check('takes no --caps' in p.stderr, 'a measures CSV with --caps')


def lp_column_order(lp_text):
    """Columns in the order glpsol's CPLEX LP reader creates them: first appearance."""
    order, seen = [], set()
    for tok in lp_text.replace(':', ' ').split():
        if tok.startswith('c_') and tok not in seen:
            seen.add(tok)
            order.append(tok)
    return order


def read_glpk_raw(path):
    """glpsol -w: 's bas ROWS COLS pst dst obj' then 'j N st prim dual' (or 'j N prim dual' for a MIP)."""
    obj, cols, status = None, {}, None
    with open(path) as f:
        for line in f:
            t = line.split()
            if not t:
                continue
            if t[0] == 's':
                status = t[1:]
                obj = float(t[-1])
            elif t[0] == 'j':
                cols[int(t[1])] = float(t[3]) if status and status[0] == 'bas' else float(t[2])
    return status, obj, cols


def glpsol_tests(exe, env, tmp):
    glpsol = shutil.which('glpsol')
    if not glpsol:
        print('glpsol not found (Debian glpk-utils): skipped')
        sys.exit(77)
    hand = os.path.join(tmp, 'hand.json')
    with open(hand, 'w') as f:
        json.dump(HAND, f)
    cases = [(hand, []), (hand, ['--cap', '7']),
             (os.path.join(MODELS, 'steel-two-regions.json'), []),
             (os.path.join(MODELS, 'steel-two-regions.json'), ['--cap', '42500000000']),
             (os.path.join(MODELS, 'cement-clinker-ratio.json'), []),
             (os.path.join(MODELS, 'steel-two-regions.json'), ['--cap', '42500000000', '--integer'])]
    for k, (model, extra) in enumerate(cases):
        name = f'{os.path.basename(model)} {" ".join(extra)}'
        j = json.loads(run(exe, ['process', 'optimize', model, '--show-lp', '--format', 'json'] + extra, env).stdout)
        lp = os.path.join(tmp, f'case{k}.lp')
        sol = os.path.join(tmp, f'case{k}.sol')
        with open(lp, 'w') as f:
            f.write(j['lp'])
        p = subprocess.run([glpsol, '--lp', lp, '-w', sol], capture_output=True, text=True, timeout=300)
        check(p.returncode == 0, f'glpsol solves {name}')
        status, obj, cols = read_glpk_raw(sol)
        rel = abs(obj - j['objective']) / max(1.0, abs(j['objective']))
        check(rel < 1e-8, f'{name}: objective {j["objective"]:.10g} vs glpsol {obj:.10g} (rel {rel:.1e})')
        order = lp_column_order(j['lp'])
        by_name = {n: cols.get(i + 1, 0.0) for i, n in enumerate(order)}
        worst, scale = 0.0, 1.0
        for a in j['activities']:
            key = 'c_act.' + '.'.join(''.join(c if c.isalnum() or c in '_.' else '_' for c in s)
                                      for s in (a['region'], a['route'], a['period']))
            scale = max(scale, abs(a['activity']))
            worst = max(worst, abs(by_name.get(key, 0.0) - a['activity']))
        check(worst <= 1e-6 * scale, f'{name}: every activity as glpsol (largest difference {worst:.3g}, scale {scale:.3g})')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    ap.add_argument('--glpsol', action='store_true')
    a = ap.parse_args()
    exe = os.path.abspath(a.bin)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'test.db'))
        if a.glpsol:
            glpsol_tests(exe, env, tmp)
        else:
            schema_tests(exe, env, tmp)
    if FAILURES:
        print(f'{len(FAILURES)} failed')
        return 1
    print('all passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
