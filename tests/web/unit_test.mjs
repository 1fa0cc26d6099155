#!/usr/bin/env node
// Unit tests of the web application's logic without a browser or a server (ctest `web_unit`): the two
// languages have the same strings and placeholders, the map's colour scales (docs/web.md) and the helpers
// over the ledger's answers. Prints `N passed, M failed`.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..', '..', 'web');
const require = createRequire(join(web, 'package.json'));
const mod = (p) => import(pathToFileURL(join(web, 'src', p)).href);
const { strings } = await mod('i18n.js');
const { makeScale, NO_DATA } = await mod('scales.js');
const { datasetsOf, rowOfDataset, mapRows } = await mod('ledger.js');
const { historyOf, citeParts, stepResults, citationText, EXAMPLES } = await mod('chat.js');
const { interpolateYlOrRd, interpolateRdBu } = await import(pathToFileURL(require.resolve('d3-scale-chromatic')).href);

let passed = 0, failed = 0;
function check(name, fn) {
  try { fn(); passed++; console.log(`ok   ${name}`); } catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`); }
}
function eq(a, b, what) { if (a !== b) throw new Error(`${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`); }

check('English and Chinese have the same keys', () => {
  const en = Object.keys(strings.en).sort(), zh = Object.keys(strings.zh).sort();
  eq(JSON.stringify(en.filter((k) => !zh.includes(k))), '[]', 'keys only in English');
  eq(JSON.stringify(zh.filter((k) => !en.includes(k))), '[]', 'keys only in Chinese');
});
check('every string has the same placeholders in both languages', () => {
  for (const k of Object.keys(strings.en)) {
    const ph = (s) => JSON.stringify((s.match(/\{\w+\}/g) || []).sort());
    eq(ph(strings.zh[k]), ph(strings.en[k]), `placeholders of ${k}`);
  }
});
check('every Chinese string is Chinese (but names and numbers)', () => {
  const latinOnly = new Set(['app.title', 'lang.switch', 'uq.progress']);
  for (const [k, v] of Object.entries(strings.zh)) {
    if (latinOnly.has(k)) continue;
    if (!/[\u4e00-\u9fff]/.test(v)) throw new Error(`zh ${k} = ${v}`);
  }
  eq(strings.zh['lang.switch'], 'English', 'the switch names the other language');
  eq(strings.en['lang.switch'], '中文', 'the switch names the other language');
});

check('production: a logarithmic YlOrRd scale over [smallest positive, largest]', () => {
  const s = makeScale('production', [0.5, 5, 50, -3, NaN, 0]);
  eq(s.kind, 'log', 'kind');
  eq(JSON.stringify(s.domain), JSON.stringify([0.5, 50]), 'domain');
  eq(s.color(0.5), interpolateYlOrRd(0), 'smallest');
  eq(s.color(50), interpolateYlOrRd(1), 'largest');
  eq(s.color(5), interpolateYlOrRd(0.5), 'the geometric middle is the middle colour');
  eq(s.color(0), NO_DATA, 'zero is grey on a log scale');
  eq(s.color(-3), NO_DATA, 'a negative value is grey on a log scale');
  eq(s.color(NaN), NO_DATA, 'no value is grey');
});
check('per capita: the same logarithmic scale', () => {
  eq(makeScale('consumption_per_capita', [1, 10]).kind, 'log', 'kind');
});
check('net transfer and natural: a diverging symlog RdBu scale, red positive, over [-m, 0, m]', () => {
  for (const ind of ['net_transfer', 'natural']) {
    const s = makeScale(ind, [-200, 50, 100]);
    eq(s.kind, 'diverging', `${ind} kind`);
    eq(JSON.stringify(s.domain), JSON.stringify([-200, 0, 200]), `${ind} domain`);
    eq(s.color(0), interpolateRdBu(0.5), `${ind} zero is the middle`);
    eq(s.color(200), interpolateRdBu(0), `${ind} the largest positive is the darkest red`);
    eq(s.color(-200), interpolateRdBu(1), `${ind} the largest negative is the darkest blue`);
    const x = Math.log1p(50) / Math.log1p(200);
    eq(s.color(50), interpolateRdBu(1 - (0.5 + x / 2)), `${ind} symlog position of 50`);
  }
});
check('a scale with one value or none still has a domain', () => {
  const one = makeScale('production', [7]);
  if (!(one.domain[1] > one.domain[0])) throw new Error(`domain ${one.domain}`);
  eq(makeScale('production', []).color(3) !== NO_DATA, true, 'an empty domain still colours');
});

const info = { sources: [
  { source: 'wiod2013-co2/2001', dataset: 'wiod2013-co2', version: 'v', citation: 'c', years: [2001] },
  { source: 'wiod2013-co2/2000', dataset: 'wiod2013-co2', version: 'v', citation: 'c', years: [2000] },
  { source: 'gcb2019', dataset: 'gcb2019', version: 'g', citation: 'd', years: [1990, 1991] },
], years: [1990, 1991, 2000, 2001] };
check('datasetsOf: one entry per dataset, its years sorted', () => {
  const d = datasetsOf(info);
  eq(d.length, 2, 'datasets');
  eq(JSON.stringify(d.find((x) => x.dataset === 'wiod2013-co2').years), '[2000,2001]', 'wiod years');
  eq(d.find((x) => x.dataset === 'wiod2013-co2').sources.length, 2, 'wiod sources');
  eq(JSON.stringify(datasetsOf({})), '[]', 'an empty answer');
});
check('rowOfDataset and mapRows: the dataset, the indicator, ISO countries and finite values only', () => {
  const rows = [
    { country: 'CHN', indicator: 'production', value: 1, source: 'wiod2013-co2/2009', dataset: 'wiod2013-co2' },
    { country: 'RoW', indicator: 'production', value: 2, source: 'wiod2013-co2/2009', dataset: 'wiod2013-co2' },
    { country: 'USA', indicator: 'production', value: 3, source: 'gcb2019', dataset: 'gcb2019' },
    { country: 'DEU', indicator: 'consumption', value: 4, source: 'wiod2013-co2/2009', dataset: 'wiod2013-co2' },
    { country: 'FRA', indicator: 'production', value: null, source: 'wiod2013-co2/2009', dataset: 'wiod2013-co2' },
  ];
  eq(rowOfDataset({ source: 'wiod2013-co2/2009' }, 'wiod2013-co2'), true, 'a year source');
  eq(rowOfDataset({ source: 'wiod2013-co2x/2009' }, 'wiod2013-co2'), false, 'another dataset with the same prefix');
  const got = mapRows(rows, 'wiod2013-co2', 'production', (c) => c !== 'RoW').map((r) => r.country);
  eq(JSON.stringify(got), '["CHN"]', 'rows');
});

check('chat: the history sent back holds each answered turn\'s plan, not its results; failed turns are left out', () => {
  const answer = {
    answer: 'Which year? The ledger holds 1990-2018.', plan: [], results: [{ big: 1 }], citations: [], clarify: 'Which year?',
    language: 'en', intent: 'trade.consumption', slots: { country: 'CHN' }, planner: 'deterministic', warnings: [],
  };
  const turns = [{ question: 'broken', error: { message: 'x' } }, { question: 'China consumption?', answer },
    { question: '2009', pending: true }];
  const h = historyOf(turns);
  eq(h.length, 1, 'turns');
  eq(JSON.stringify(h[0]), JSON.stringify({ question: 'China consumption?', plan: { plan: [], clarify: 'Which year?',
    language: 'en', intent: 'trade.consumption', slots: { country: 'CHN' } } }), 'the turn');
  const step = { agent: 'trade', tool: 'account', arguments: { country: 'CHN', year: 2009 }, why: 'w' };
  const h2 = historyOf([{ question: 'q', answer: { plan: [step], language: 'zh' } }]);
  eq(JSON.stringify(h2[0].plan.plan), JSON.stringify([{ agent: 'trade', tool: 'account', arguments: { country: 'CHN', year: 2009 } }]), 'steps');
  eq(h2[0].plan.language, 'zh', 'language');
  eq(h2[0].plan.intent, 'unknown', 'intent when none');
  const many = Array.from({ length: 60 }, (_, i) => ({ question: `q${i}`, answer: { plan: [] } }));
  eq(historyOf(many).length, 50, 'at most the 50 turns the server takes');
  eq(historyOf(many)[0].question, 'q10', 'the last ones');
});
check('chat: the citation marks of an answer are split out', () => {
  eq(JSON.stringify(citeParts('China: 10.2 Gt CO2 [1], exports 1.7 [2].')), JSON.stringify(['China: 10.2 Gt CO2 ', 1, ', exports 1.7 ', 2, '.']), 'marks');
  eq(JSON.stringify(citeParts('')), '[]', 'empty');
  eq(JSON.stringify(citeParts('no marks [a]')), JSON.stringify(['no marks [a]']), 'not a mark');
});
check('chat: each step\'s result beside its tool, run id and error', () => {
  const a = { plan: [{ tool: 'ledger build' }, { tool: 'account' }], results: [null, { rows: [] }],
    errors: ['no data', null], steps: [{ tool: 'ledger build', run_id: 0 }, { tool: 'account', run_id: 7 }] };
  eq(JSON.stringify(stepResults(a)), JSON.stringify([{ tool: 'ledger build', run_id: null, result: null, error: 'no data' },
    { tool: 'account', run_id: 7, result: { rows: [] }, error: '' }]), 'steps');
  eq(JSON.stringify(stepResults({ plan: [] })), '[]', 'no results');
});
check('chat: a citation names its capability, source, run (or the runs that stored a read\'s data) and version', () => {
  eq(citationText({ capability: 'ledger build', dataset: 'embedded default ledger', run_id: 3, version: '0.1.0' }),
    'ledger build · Source: embedded default ledger · run 3 · Version 0.1.0', 'a logged run');
  eq(citationText({ capability: 'account', dataset: 'gcb2019', run_id: 0, data_runs: [1, 2] }),
    'account · Source: gcb2019 · a read of the data stored by run 1, 2', 'a read');
  eq(citationText({ capability: 'gwp list', run_id: 0 }), 'gwp list · a read, no run logged', 'a read of reference data');
});
check('chat: the examples are the issue\'s, in both languages', () => {
  eq(EXAMPLES.includes('中国2009年的消费侧排放是多少?'), true, 'the Chinese consumption question');
  eq(EXAMPLES.some((q) => /[\u4e00-\u9fff]/.test(q)) && EXAMPLES.some((q) => /^[\x00-\x7f]+$/.test(q)), true, 'both languages');
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
