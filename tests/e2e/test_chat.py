#!/usr/bin/env python3
"""End-to-end tests of `panocarbon chat` on a temporary database with real data from ../shared/data (USLCI
JSON-LD imported once, the embedded default ledger, the WIOD 2009 year folder): the issue's English and Chinese
questions, both two-agent questions (every number of the answer checked against `panocarbon account` /
`lca calc` / `mrio montecarlo` / `lca montecarlo` JSON run separately), a question back and its reply in the
interactive session (stdin piped), the LCA agent's footprint study, the JSON shape, and bad input with its
message. Prints 'N passed, M failed'; exits 77 (skipped) when ../shared/data is missing."""
import json, math, os, shutil, subprocess, sys, tempfile

from harness import parse_bin, run_all, test

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get('PANOCARBON_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
USLCI = os.path.join(SHARED, 'lca', 'uslci-jsonld')
WIOD2009 = os.path.join(SHARED, 'mrio', 'wiod2013-co2', '2009')
BIN = None
DB = None  # USLCI imported once; the chat builds the ledger on its first trade question


def run(*args, db=None, expect=0, stdin=None, env=None):
    e = dict(os.environ)
    e.pop('PANOCARBON_MODEL_URL', None)
    e.update(env or {})
    p = subprocess.run([BIN, *args, '--db', db or DB], capture_output=True, text=True, cwd=ROOT, input=stdin, env=e,
                       timeout=600)
    assert p.returncode == expect, f'{args} exited {p.returncode}, expected {expect}\nstdout: {p.stdout[-3000:]}\nstderr: {p.stderr[-3000:]}'
    return p


def chat(question, *extra, db=None):
    p = run('chat', question, '--format', 'json', '--data', SHARED, *extra, db=db)
    j = json.loads(p.stdout)
    assert not any('verifier' in w for w in j['warnings']), j['warnings']
    return j


def fmt3(v):
    """The composer's format: 3 significant figures, thousands separators from 1,000."""
    if v == 0:
        return '0'
    a = abs(v)
    mag = math.floor(math.log10(a))
    r = round(a / 10 ** (mag - 2)) * 10 ** (mag - 2)
    if r >= 10 ** (mag + 1):
        mag += 1
    sign = '-' if v < 0 else ''
    if a < 1e-3:
        return sign + f'{a:.2e}'
    if r >= 1000:
        return sign + f'{r:,.0f}'
    return sign + f'{r:.{max(0, 2 - mag)}f}'


def tools(j):
    return [s['tool'] for s in j['plan']]


def step(j, tool):
    return tools(j).index(tool)


def check_shape(j):
    for k in ('answer', 'plan', 'results', 'citations', 'language', 'planner', 'warnings'):
        assert k in j, f'no {k} in {list(j)}'
    assert isinstance(j['answer'], str) and j['answer']
    assert len(j['results']) == len(j['plan']) == len(j['citations'])
    for s in j['plan']:
        assert set(s) >= {'agent', 'tool', 'arguments'}, s
        assert s['agent'] in ('process', 'trade', 'lca', 'natural', 'uncertainty'), s
    for i, c in enumerate(j['citations']):
        assert c['n'] == i + 1 and c['capability'] == j['plan'][i]['tool'], c
        assert set(c) >= {'capability', 'dataset', 'source', 'run_id', 'version'}, c
        if c['status'] == 'ok':
            # a logged run has its id; a read (account, lca search) names none, and account cites the ledger's runs
            assert (c['run_id'] > 0) == c['logged'], c
            assert f'[{i + 1}]' in j['answer'], (c, j['answer'])
            if c['capability'] == 'account':
                assert c['data_runs'] and all(r > 0 for r in c['data_runs']), c


@test
def chinese_consumption_question(tmp):
    j = chat('中国2009年的消费侧排放是多少?')
    check_shape(j)
    assert j['language'] == 'zh', j['language']
    acc = j['plan'][step(j, 'account')]
    assert acc['arguments']['country'] == 'CHN' and acc['arguments']['year'] == 2009, acc
    cli = json.loads(run('account', '--country', 'CHN', '--year', '2009', '--format', 'json').stdout)
    cons = [r for r in cli['rows'] if r['indicator'] == 'consumption']
    assert cons
    for r in cons:
        assert fmt3(r['value']) in j['answer'], (fmt3(r['value']), j['answer'])
    assert '消费侧' in j['answer'] and '来源' not in j['answer']  # the sources list is the text format's
    text = run('chat', '中国2009年的消费侧排放是多少?', '--data', SHARED).stdout
    assert '来源' in text and 'account' in text, text


@test
def english_cement_footprint(tmp):
    j = chat('What is the carbon footprint of 1 kg of Portland cement in USLCI?')
    check_shape(j)
    assert j['language'] == 'en'
    assert tools(j)[-2:] == ['lca search', 'lca calc'] or tools(j)[-1] == 'lca calc', tools(j)
    calc = j['results'][step(j, 'lca calc')]
    ref = j['steps'][step(j, 'lca calc')]['arguments']['process']
    cli = json.loads(run('lca', 'calc', '--database', 'uslci', '--process', ref, '--amount', '1', '--unit', 'kg',
                         '--format', 'json').stdout)
    total = next(r['amount'] for r in cli['results'] if r['category'] == 'total')
    assert abs(next(r['amount'] for r in calc['results'] if r['category'] == 'total') - total) <= 1e-12 * abs(total)
    assert fmt3(total) + ' kg CO2e' in j['answer'], (fmt3(total), j['answer'])
    assert 'Portland cement' in j['answer']


@test
def swedish_natural_sink_is_answered_honestly(tmp):
    j = chat('瑞典2020年的自然碳汇是多少?')
    assert j['language'] == 'zh'
    assert j['answer'].strip(), j
    # either a calculation with citations, or a question back / what is missing: never an internal error
    assert 'internal' not in j['answer'].lower(), j['answer']


@test
def trade_and_uncertainty_two_agents(tmp):
    if not os.path.isdir(WIOD2009):
        print(f'  (skipped part: {WIOD2009} missing)')
        return
    j = chat("How much of China's 2009 production-side CO2 was embodied in exports, and how uncertain is that?")
    check_shape(j)
    agents = {s['agent'] for s in j['plan']}
    assert {'trade', 'uncertainty'} <= agents, j['plan']
    acc = json.loads(run('account', '--country', 'CHN', '--year', '2009', '--format', 'json').stdout)
    wiod = {r['indicator']: r['value'] for r in acc['rows'] if r['source'].startswith('wiod')}
    # the Monte Carlo: the same arguments on the CLI give the same numbers (same seed, same bytes)
    k = step(j, 'mrio montecarlo')
    args = j['steps'][k]['arguments']
    cmd = ['mrio', 'montecarlo', args['path']]
    for name, v in args.items():
        if name == 'path':
            continue
        for x in (v if isinstance(v, list) else [v]):
            cmd += [f'--{name}', str(x)]
    mc = json.loads(run(*cmd, '--format', 'json').stdout)
    reg = next(r for s in mc['stressors'] for r in s['regions'] if r['region'] == 'CHN')
    unit = mc['stressors'][0]['unit']
    scale = 1e-3 if unit.startswith('kt') else 1
    for v in (reg['exports']['p2_5'], reg['exports']['p97_5']):
        assert fmt3(v * scale) in j['answer'], (fmt3(v * scale), j['answer'])
    assert j['results'][k]['stressors'][0]['regions'] == mc['stressors'][0]['regions']
    # exports from the ledger; production from the ledger when the plan asked for it, else the Monte Carlo's
    # deterministic value (the same WIOD table); the share is their ratio
    planned = j['results'][step(j, 'account')]['rows']
    exports = wiod['exports']
    production = (wiod['production'] if any(r['indicator'] == 'production' for r in planned)
                  else reg['production']['deterministic'] * scale)
    assert abs(production - wiod['production']) <= 0.01 * wiod['production'], (production, wiod['production'])
    for v in (exports, production, 100 * exports / production):
        assert fmt3(v) in j['answer'], (fmt3(v), j['answer'])
    assert '95 %' in j['answer']


@test
def lca_and_uncertainty_two_agents(tmp):
    j = chat('footprint of 1 kg of Portland cement in USLCI and its 95 % range')
    check_shape(j)
    assert 'lca montecarlo' in tools(j) and 'lca calc' in tools(j), tools(j)
    k = step(j, 'lca montecarlo')
    args = j['steps'][k]['arguments']
    cmd = ['lca', 'montecarlo']
    for name, v in args.items():
        for x in (v if isinstance(v, list) else [v]):
            cmd += [f'--{name}', str(x)]
    mc = json.loads(run(*cmd, '--format', 'json').stdout)
    cat = next(c for c in mc['categories'] if c['category'] == 'total')
    for v in (cat['mean'], cat['p2_5'], cat['p97_5']):
        assert fmt3(v) in j['answer'], (fmt3(v), j['answer'])


@test
def question_back_and_reply_in_the_session(tmp):
    db = os.path.join(tmp, 'c.db')
    run('ledger', 'build', '--default', db=db)
    p = run('chat', '--format', 'json', '--data', SHARED, db=db,
            stdin="What were China's consumption-side emissions?\n2009\n:quit\n")
    dec, text, objs, i = json.JSONDecoder(), p.stdout, [], 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        o, i = dec.raw_decode(text, i)
        objs.append(o)
    assert len(objs) == 2, text
    assert objs[0]['clarify'] and not objs[0]['plan'], objs[0]
    assert objs[1]['clarify'] is None, objs[1]
    acc = objs[1]['plan'][[s['tool'] for s in objs[1]['plan']].index('account')]
    assert acc['arguments']['year'] == 2009 and acc['arguments']['country'] == 'CHN', acc
    hist = open(os.path.join(tmp, 'chat_history'), encoding='utf-8').read().splitlines()
    assert hist[-2:] == ["What were China's consumption-side emissions?", '2009'], hist


@test
def lca_study_end_to_end(tmp):
    j = chat('Run a product carbon footprint study of 1 kg of Portland cement in USLCI')
    assert j['intent'] == 'lca.study', j['intent']
    assert 'lca footprint' in tools(j) and 'lca contributions' in tools(j), tools(j)
    check_shape(j)
    k = step(j, 'lca footprint')
    study = j['steps'][k]['arguments']['study']
    assert os.path.isfile(study), study
    s = json.load(open(study, encoding='utf-8'))
    assert s['database'] == 'uslci' and s['reference_flow']['amount'] == 1 and s['goal'], s
    out = os.path.join(tmp, 'again')
    cli = json.loads(run('lca', 'footprint', study, '--out', out, '--format', 'json').stdout)
    assert abs(cli['results']['total'] - j['results'][k]['results']['total']) <= 1e-9 * abs(cli['results']['total'])
    assert fmt3(cli['results']['total']) in j['answer'], j['answer']
    assert all(os.path.isfile(f) for f in j['results'][k]['files']), j['results'][k]['files']
    assert 'Goal and scope' in j['answer']
    # the same study asked in Chinese: the answer in Chinese, every number verified (chat() checks the warnings)
    z = chat('做一个USLCI中1千克波特兰水泥的产品碳足迹研究')
    assert z['language'] == 'zh' and z['intent'] == 'lca.study', (z['language'], z['intent'])
    assert '目标与范围' in z['answer'] and fmt3(cli['results']['total']) in z['answer'], z['answer']


@test
def lca_study_asks_which_process_when_ambiguous(tmp):
    db = os.path.join(tmp, 'c.db')
    shutil.copy(DB, db)
    p = run('chat', '--format', 'json', '--data', SHARED, db=db,
            stdin='Run a product carbon footprint study of electricity in USLCI\n1\n')
    dec, text, objs, i = json.JSONDecoder(), p.stdout, [], 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        o, i = dec.raw_decode(text, i)
        objs.append(o)
    assert len(objs) == 2, text
    first, second = objs
    assert first['clarify'] and '1)' in first['clarify'], first['clarify']
    assert first['slots']['candidates'], first['slots']
    chosen = first['slots']['candidates'][0]
    assert second['clarify'] is None and 'lca footprint' in [s['tool'] for s in second['plan']], second
    assert second['slots']['process']['ref'] == chosen['ref'], (second['slots']['process'], chosen)


@test
def bad_input_gets_a_message(tmp):
    p = run('chat', 'hello', '--format', 'xml', expect=2)
    assert 'format' in p.stderr and 'text' in p.stderr and 'json' in p.stderr, p.stderr
    p = run('chat', '  ', expect=2)
    assert 'the question is empty' in p.stderr, p.stderr
    p = run('chat', 'hello', '--data', os.path.join(tmp, 'nope'), expect=2)
    assert 'is not a folder' in p.stderr, p.stderr
    # a question nothing can answer gets an answer that says what can be asked, not an error
    j = chat('What is the colour of the sky?')
    assert j['plan'] == [] and j['answer'], j


if __name__ == '__main__':
    BIN = parse_bin()
    if not os.path.isdir(USLCI):
        print(f'skipped: {USLCI} is missing')
        sys.exit(77)
    keep = tempfile.mkdtemp(prefix='pc-chat-e2e-')
    DB = os.path.join(keep, 'chat.db')
    run('lca', 'import', USLCI, '--name', 'uslci', db=DB)
    try:
        run_all('pc-chat-e2e-')
    finally:
        shutil.rmtree(keep, ignore_errors=True)
