#!/usr/bin/env python3
"""CBAM end to end (docs/cbam.md, docs/cbam-china.md): the installation examples validate against
schemas/cbam-installation.schema.json and the schema refuses what the CLI refuses; `cbam embedded` reproduces the
hand-computed cement plant and the identity that the installation's own emissions are all embedded in what leaves
it; `cbam compare` satisfies difference = base gap + mark-up and cost = difference x price for every good of the
China table; the China route variants validate against the route schema; the table of docs/cbam-china.md is what
scripts/cbam-china.sh prints."""
import copy, glob, json, os, subprocess, sys

import jsonschema

sys.path.insert(0, os.path.dirname(__file__))
from harness import test, parse_bin, run_all  # noqa: E402

BIN = parse_bin()
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
with open(os.path.join(ROOT, 'schemas', 'cbam-installation.schema.json'), encoding='utf-8') as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
EXAMPLE = os.path.join(ROOT, 'examples', 'cbam', 'cement_installation.json')


def cli(tmp, *args):
    env = dict(os.environ, PANOCARBON_DB=os.path.join(tmp, 'c.db'))
    p = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


@test
def installation_schema_is_valid_and_examples_validate(tmp):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for path in glob.glob(os.path.join(ROOT, 'examples', 'cbam', '*.json')):
        with open(path, encoding='utf-8') as f:
            errors = [e.message for e in VALIDATOR.iter_errors(json.load(f))]
        assert not errors, (path, errors[:3])


@test
def schema_and_cli_refuse_the_same_broken_installations(tmp):
    with open(EXAMPLE, encoding='utf-8') as f:
        good = json.load(f)
    breakers = [
        lambda d: d.pop('processes'),
        lambda d: d['processes'][0].pop('activity_level_t'),
        lambda d: d['processes'][1].update(source_streams=[]),            # both direct_emissions_t and streams
        lambda d: d['processes'][1].pop('direct_emissions_t'),            # neither
        lambda d: d['processes'][0]['source_streams'][0].update(method='burn'),
        lambda d: d['processes'][0]['source_streams'][0].update(oxidation_factor=1.5),
        lambda d: d['processes'][1]['precursors'][0].update(see_direct=1),
        lambda d: d['processes'][1]['precursors'][0].update(mass_t=-1),
        lambda d: d['processes'][1].update(unknown_field=1),
        lambda d: d['processes'][0].update(activity_level_t=0),
        lambda d: d['processes'][0].update(good='72a8'),
    ]
    for i, brk in enumerate(breakers):
        d = copy.deepcopy(good)
        brk(d)
        assert list(VALIDATOR.iter_errors(d)), f'schema accepts broken installation {i}'
        path = os.path.join(tmp, f'broken{i}.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(d, f)
        rc, _, err = cli(tmp, 'cbam', 'embedded', path)
        assert rc == 2, (i, rc, err)
        assert f'broken{i}.json' in err and len(err) < 2000, (i, err)


@test
def embedded_cement_plant_by_hand_and_its_identity(tmp):
    rc, out, err = cli(tmp, 'cbam', 'embedded', EXAMPLE, '--format', 'json')
    assert rc == 0, err
    j = json.loads(out)
    k, c = j['processes']
    assert k['id'] == 'clinker' and c['id'] == 'cement'
    assert abs(k['see_direct'] - 0.764068) < 1e-6 and abs(k['see_indirect'] - 0.032196) < 1e-6
    assert abs(c['see_direct'] - 692661.2 / 1.2e6) < 1e-6 and abs(c['see_indirect'] - 54733.2 / 1.2e6) < 1e-6
    own = j['total_direct_t'] + j['total_indirect_t']
    sold_clinker = k['activity_level_t'] - c['precursors'][0]['mass_t']
    embedded = sold_clinker * k['see_total'] + c['activity_level_t'] * c['see_total']
    assert abs(own - 827020.8) < 1e-6 and abs(embedded - own) < 1e-3 * 1e-3 * own, (own, embedded)


@test
def compare_identities_for_every_good_of_the_china_table(tmp):
    rc, out, err = cli(tmp, 'cbam', 'defaults', '--country', 'CN', '--format', 'json')
    assert rc == 0, err
    rows = json.loads(out)['rows']
    assert len(rows) == 24
    for r in rows:
        for year, pct in ((2026, 10), (2027, 20), (2028, 30), (2031, 30)):
            if r['category'] == 'fertilisers':
                pct = 1
            rc, out, err = cli(tmp, 'cbam', 'compare', '--country', 'CHN', '--good', r['cn_code'], '--year',
                               str(year), '--actual', '1.5', '--ets-price', '75', '--format', 'json')
            assert rc == 0, (r['cn_code'], err)
            j = json.loads(out)
            assert j['markup_pct'] == pct, (r['cn_code'], year, j['markup_pct'])
            d = j['default_t_per_t']
            assert d == (r['direct'] if r['scopes_counted'] == 'direct' else r['total']), r
            assert abs(j['default_with_markup_t_per_t'] - d * (1 + pct / 100)) < 1e-6
            assert abs(j['difference_t_per_t'] - (j['base_gap_t_per_t'] + j['markup_t_per_t'])) < 2e-6
            assert abs(j['certificate_cost_difference_eur_per_t'] - 75 * j['difference_t_per_t']) < 1e-4
            assert j['lower'] == ('actual' if j['difference_t_per_t'] > 0 else 'default')


@test
def china_route_variants_validate_and_simulate(tmp):
    with open(os.path.join(ROOT, 'schemas', 'process-route.schema.json'), encoding='utf-8') as f:
        route_validator = jsonschema.Draft202012Validator(json.load(f))
    paths = glob.glob(os.path.join(ROOT, 'examples', 'process', 'routes', 'china', '*.json'))
    assert paths
    for path in paths:
        with open(path, encoding='utf-8') as f:
            errors = [e.message for e in route_validator.iter_errors(json.load(f))]
        assert not errors, (path, errors[:3])
        rc, out, err = cli(tmp, 'process', 'simulate', path, '--format', 'json')
        assert rc == 0, (path, err)


@test
def china_doc_table_is_what_the_script_prints(tmp):
    p = subprocess.run([os.path.join(ROOT, 'scripts', 'cbam-china.sh'), '--bin', BIN], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(ROOT, 'docs', 'cbam-china.md'), encoding='utf-8') as f:
        doc = f.read()
    for line in p.stdout.splitlines():
        assert line in doc, f'docs/cbam-china.md lacks the line (rerun scripts/cbam-china.sh): {line}'


if __name__ == '__main__':
    run_all('cbam-e2e-')
