#!/usr/bin/python3
"""Process optimisation benchmark: a synthetic least-cost model of 5 regions x 20 routes x 10 periods (the issue's
size) solved by `panocarbon process optimize`, and the same linear programme (written by --show-lp in CPLEX LP
format) solved by GLPK's glpsol, side by side in the same run; the objectives must agree.

  bench/process_bench.py                              # 5 regions x 20 routes x 10 periods, a binding total cap
  bench/process_bench.py --smoke                      # the same size, answers only: one line, exit 1 on a mismatch
  bench/process_bench.py --regions 10 --routes 40 --periods 20 --seed 3 --workdir /tmp/pb

The model (written to --workdir, default /tmp/panocarbon-process-bench) has 4 commodities (product, scrap,
electricity, storage), every route offered everywhere with existing capacity, build limits and a lifetime, resource
limits, trade links between every pair of regions, a demand growing per period, a share rule per region and
period, and a total emission cap at 80 % of the uncapped optimum's emissions (found by a first run).

Timed (each a child process, wall time and peak RSS with os.wait4):
  panocarbon   `process optimize MODEL --cap C --format json` (parse, build, Clp, JSON), with PANOCARBON_TRACE=1
               for its phases ("process build", "process solve (Clp)")
  glpsol       `glpsol --lp MODEL.lp -w SOL` (read, simplex, write)
Reported: rows, columns, non-zeros, both wall times, Clp's own solve time, the ratio glpsol / panocarbon, and the
objectives' relative difference. Goal (issue 15): our solve under a second.
"""
import argparse
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_child, tail  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_model(regions, routes, periods, seed):
    rnd = random.Random(seed)
    R = [f'R{i + 1}' for i in range(regions)]
    P = [{'id': str(2025 + 5 * k), 'length_years': 5} for k in range(periods)]
    rts = []
    for g in range(routes):
        e = rnd.uniform(0.0, 2.4)
        cost = 200 + 150 * (2.4 - e) / 2.4 + rnd.uniform(-30, 30)  # cleaner routes cost more
        inputs = {'electricity': round(rnd.uniform(0.1, 4.0), 3)}
        if g % 4 == 0:
            inputs['scrap'] = round(rnd.uniform(0.5, 1.1), 3)
        if g % 5 == 1:
            inputs['co2_storage'] = round(rnd.uniform(0.5, 1.5), 3)
        rts.append({
            'id': f'route{g + 1:02d}', 'outputs': {'product': 1}, 'inputs': inputs,
            'variable_cost': {r: round(cost * rnd.uniform(0.9, 1.1), 2) for r in R},
            'investment_cost': round(rnd.uniform(300, 1500), 1),
            'emission_t_per_unit': round(e, 3),
            'existing_capacity': {r: [round(max(0.0, rnd.uniform(0, 8e6) * (1 - k / periods)), 0)
                                      for k in range(periods)] for r in R},
            'max_new_per_period': round(rnd.uniform(5e6, 20e6), 0),
            'lifetime_years': 30, 'availability': 0.9})
    model = {
        'name': f'benchmark {regions} regions x {routes} routes x {periods} periods (seed {seed})',
        'discount_rate': 0.05, 'regions': R, 'periods': P,
        'commodities': ['product', 'scrap', 'electricity', 'co2_storage'],
        'routes': rts,
        'resources': [
            {'id': 'scrap', 'commodity': 'scrap', 'max_per_year': {r: round(rnd.uniform(5e6, 15e6), 0) for r in R}, 'cost': 150},
            {'id': 'grid', 'commodity': 'electricity', 'cost': {r: round(rnd.uniform(40, 90), 1) for r in R},
             'emission_t_per_unit': {r: round(rnd.uniform(0.05, 0.7), 3) for r in R}},
            {'id': 'storage', 'commodity': 'co2_storage', 'max_per_year': {r: round(rnd.uniform(1e6, 8e6), 0) for r in R},
             'cost': 40}],
        'trade': [{'commodity': 'product', 'from': a, 'to': b, 'cost': round(rnd.uniform(20, 60), 1),
                   'capacity_per_year': 5e6, 'loss': 0.01} for a in R for b in R if a != b],
        'demands': [{'commodity': 'product', 'region': r,
                     'values': [round(rnd.uniform(30e6, 50e6) * (1 + 0.01 * k), 0) for k in range(periods)]} for r in R],
        'shares': [{'name': 'scrap routes at most half', 'numerator': {'routes': [x['id'] for x in rts if 'scrap' in x['inputs']]},
                    'denominator': {'commodity': 'product', 'flow': 'output'}, 'max': 0.5}],
    }
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bin', default=os.path.join(REPO, 'build', 'bin', 'panocarbon'))
    ap.add_argument('--workdir', default=os.path.join(os.environ.get('TMPDIR', '/tmp'), 'panocarbon-process-bench'))
    ap.add_argument('--regions', type=int, default=5)
    ap.add_argument('--routes', type=int, default=20)
    ap.add_argument('--periods', type=int, default=10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--smoke', action='store_true')
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    exe = os.path.abspath(a.bin)
    if not os.path.exists(exe):
        sys.exit(f'no binary at {exe}: build it (cmake --build --preset test) or give --bin')
    path = os.path.join(a.workdir, 'model.json')
    with open(path, 'w') as f:
        json.dump(make_model(a.regions, a.routes, a.periods, a.seed), f)
    env = dict(os.environ, PANOCARBON_DB=os.path.join(a.workdir, 'bench.db'), PANOCARBON_TRACE='1')
    out, err = os.path.join(a.workdir, 'out.json'), os.path.join(a.workdir, 'err.txt')

    # 1. the uncapped optimum, for a binding cap at 80 % of its emissions
    rc, _, _, _ = run_child([exe, 'process', 'optimize', path, '--format', 'json'], out, err, timeout=600, env=env)
    if rc != 0:
        sys.exit(f'process optimize failed ({rc}): {tail(err)}')
    with open(out) as f:
        base = json.load(f)
    if base['status'] != 'optimal':
        sys.exit(f'the benchmark model is {base["status"]}: {base["message"]}')
    cap = f'{0.8 * base["total_emissions_t"]:.6g}'
    # 2. the LP text for glpsol (not timed)
    lp_json = os.path.join(a.workdir, 'lp.json')
    rc, _, _, _ = run_child([exe, 'process', 'optimize', path, '--cap', cap, '--show-lp', '--format', 'json'], lp_json,
                            err, timeout=600, env=env)
    with open(lp_json) as f:
        lp_text = json.load(f)['lp']
    lp = os.path.join(a.workdir, 'model.lp')
    with open(lp, 'w') as f:
        f.write(lp_text)
    # 3. timed: panocarbon
    rc, wall, rss, _ = run_child([exe, 'process', 'optimize', path, '--cap', cap, '--format', 'json'], out, err,
                                 timeout=600, env=env)
    if rc != 0:
        sys.exit(f'process optimize failed ({rc}): {tail(err)}')
    with open(out) as f:
        ours = json.load(f)
    phases = {}
    with open(err) as f:
        for line in f:
            if line.startswith('trace: '):
                name, secs = line[7:].rsplit(None, 2)[0].strip(), float(line.split()[-2])
                phases[name] = secs
    # 4. timed: glpsol
    glpsol = shutil.which('glpsol')
    g_wall = g_obj = None
    if glpsol:
        sol = os.path.join(a.workdir, 'model.sol')
        rc, g_wall, g_rss, _ = run_child([glpsol, '--lp', lp, '-w', sol], os.path.join(a.workdir, 'glpsol.txt'),
                                         os.path.join(a.workdir, 'glpsol.err'), timeout=600)
        with open(sol) as f:
            for line in f:
                if line.startswith('s '):
                    g_obj = float(line.split()[-1])
    size = ours['size']
    ok = ours['status'] == 'optimal' and ours['max_balance_residual'] <= 1e-6 * 60e6
    rel = None
    if g_obj is not None:
        rel = abs(g_obj - ours['objective']) / max(1.0, abs(ours['objective']))
        ok = ok and rel < 1e-7
    mac = ours['duals']['emission_caps'][0]['marginal_cost_per_t'] if ours['duals']['emission_caps'] else 0
    if a.smoke:
        print(f'process_bench smoke: {"ok" if ok else "MISMATCH"} ({size["rows"]} x {size["columns"]}, '
              f'objective rel diff {rel if rel is not None else "n/a (no glpsol)"}, {wall:.3f} s)')
        return 0 if ok else 1
    print(f'model: {a.regions} regions x {a.routes} routes x {a.periods} periods (seed {a.seed}); total cap {cap} t CO2e '
          f'(80 % of the uncapped {base["total_emissions_t"]:.6g}); MAC {mac:.2f} USD/t')
    print(f'programme: {size["rows"]} rows, {size["columns"]} columns, {size["nonzeros"]} non-zeros')
    print(f'panocarbon process optimize: {wall:.3f} s wall (peak RSS {rss:.0f} MB); '
          f'build {phases.get("process build", float("nan")):.4f} s, Clp {phases.get("process solve (Clp)", float("nan")):.4f} s')
    if g_wall is not None:
        print(f'glpsol --lp:                 {g_wall:.3f} s wall (peak RSS {g_rss:.0f} MB)')
        print(f'ratio glpsol / panocarbon:   {g_wall / wall:.2f} (wall), {g_wall / max(1e-9, phases.get("process solve (Clp)", wall)):.1f} (solver alone vs glpsol)')
        print(f'objectives: {ours["objective"]:.10g} vs {g_obj:.10g} (relative difference {rel:.1e})')
    else:
        print('glpsol not found (Debian glpk-utils): no side-by-side run')
    print(f'goal (issue 15): solve under 1 s: {"met" if wall < 1 else "NOT met"}; answers {"agree" if ok else "DIFFER"}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
