#!/usr/bin/env python3
"""The chat's least-cost questions end to end (docs/chat-planner.md, docs/process.md): `panocarbon chat` answers a
capped optimisation, a cap sweep, the measures' partial curve and an infeasible cap in English and Chinese, and every
number it gives is the one `panocarbon process optimize` / `process macc` gives for the same model on the CLI."""
import argparse, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, 'examples', 'process', 'models')
BIN = DB = None


def run(*args):
    p = subprocess.run([BIN, *args, '--db', DB], capture_output=True, text=True, cwd=ROOT, timeout=300,
                       env={k: v for k, v in os.environ.items() if k != 'PANOCARBON_MODEL_URL'})
    assert p.returncode == 0, f'{args} exited {p.returncode}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}'
    return p.stdout


def chat(question):
    j = json.loads(run('chat', question, '--format', 'json'))
    assert not any('verifier' in w for w in j['warnings']), j['warnings']
    return j


def fmt3(v):
    """The composer's format: 3 significant figures, thousands separators from 1,000."""
    if v == 0:
        return '0'
    a = abs(v)
    digits = max(0, 2 - int(f'{a:e}'.split('e')[1]))
    s = f'{round(v, digits):,.{digits}f}'
    return s


def check_optimize():
    j = chat('What is the marginal abatement cost of the steel model at a cap of 44 Gt?')
    assert j['intent'] == 'process.optimize', j['intent']
    assert j['steps'][0]['arguments']['cap'] == 44e9, j['steps'][0]
    cli = json.loads(run('process', 'optimize', os.path.join(MODELS, 'steel-two-regions.json'), '--cap', '44e9',
                         '--format', 'json'))
    mac = cli['duals']['emission_caps'][0]['marginal_cost_per_t']
    got = j['results'][0]['duals']['emission_caps'][0]['marginal_cost_per_t']
    assert abs(got - mac) <= 1e-9 * abs(mac), (got, mac)
    assert abs(j['results'][0]['objective'] - cli['objective']) <= 1e-9 * abs(cli['objective'])
    assert f'{fmt3(mac)} USD per t CO2e' in j['answer'], (fmt3(mac), j['answer'])
    assert '[1]' in j['answer']


def check_macc():
    for q, lang in (('Draw the abatement cost curve of the steel model from 46 to 42 Gt', 'en'),
                    ('钢铁模型从46到42 Gt的边际减排成本曲线', 'zh')):
        j = chat(q)
        assert j['intent'] == 'process.macc' and j['language'] == lang, (j['intent'], j['language'])
        assert j['steps'][0]['arguments']['caps'] == '46000000000:42000000000:-1000000000', j['steps'][0]
        cli = json.loads(run('process', 'macc', os.path.join(MODELS, 'steel-two-regions.json'), '--caps',
                             '46000000000:42000000000:-1000000000', '--format', 'json'))
        assert [s['cap_t'] for s in cli['steps']] == [46e9, 45e9, 44e9, 43e9, 42e9]
        for mine, theirs in zip(j['results'][0]['steps'], cli['steps']):
            assert abs(mine['marginal_cost_per_t'] - theirs['marginal_cost_per_t']) <= 1e-9 * abs(theirs['marginal_cost_per_t'])
            assert fmt3(theirs['marginal_cost_per_t']) in j['answer'], (theirs, j['answer'])


def check_measures():
    j = chat('Which steel-plant measures pay for themselves?')
    cli = json.loads(run('process', 'macc', os.path.join(MODELS, 'measures-steel-plant.csv'), '--format', 'json'))
    paying = [m['measure'] for m in cli['measures'] if m['cost_usd_per_t'] < 0]
    assert paying == ['variable-speed drives on fans and pumps', 'top-gas recovery turbine'], paying
    head = j['answer'].split('Then, at a cost')[0]
    for m in cli['measures']:
        assert (m['measure'] in head) == (m['measure'] in paying), (m['measure'], head)


def check_infeasible():
    for q in ('Cap the steel model at 30 Gt', '把钢铁模型的排放上限定为30 Gt'):
        j = chat(q)
        low = j['results'][0]['lowest_emissions_t']
        assert j['results'][0]['status'] == 'infeasible' and low > 30e9, j['results'][0]['status']
        assert f'{fmt3(low / 1e9)} Gt CO2e' in j['answer'], j['answer']


def check_no_model():
    j = chat('What does capping the model at 44 Gt cost?')
    assert j['clarify'] and not j['steps'], j
    for f in sorted(os.listdir(MODELS)):
        assert f in j['answer'], (f, j['answer'])


def main():
    global BIN, DB
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    BIN = ap.parse_args().bin
    with tempfile.TemporaryDirectory() as tmp:
        DB = os.path.join(tmp, 't.db')
        for check in (check_optimize, check_macc, check_measures, check_infeasible, check_no_model):
            check()
            print('ok', check.__name__)
    return 0


if __name__ == '__main__':
    sys.exit(main())
