#!/usr/bin/env node
// Browser test of the web application (ctest `web_browser`): starts the real server
// (`panocarbon serve --port 0 --db TMP --web web/dist`) on a test database (the ledger built from the embedded
// default data/ledger, else from ../shared/data; an LCA database imported), drives Debian's Chromium headless
// with playwright-core and checks the page against the CLI:
//   the map renders countries; a country's fill is the colour the documented scale gives the CLI's value;
//   the toggle changes the colours (to the consumption scale's); the country page shows the CLI's numbers;
//   the CSV download equals the CLI's CSV; the Chinese strings appear after switching and are remembered;
//   the LCA page shows the CLI's footprint; the chat answers a question with the API's answer, the account's
//   number and a citation, a question back and its reply; the page loads nothing from outside the server.
// Screenshots go to build/web-screenshots/. Prints `N passed, M failed`; exit 77 = skipped (what it needs is
// missing), 1 = a check failed.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const source = resolve(opt('--source', join(here, '..', '..')));
const bin = resolve(opt('--bin', join(source, 'build', 'bin', 'panocarbon')));
const webDir = resolve(opt('--web', join(source, 'web', 'dist')));
const shots = resolve(opt('--screenshots', join(source, 'build', 'web-screenshots')));
const chromiumPath = opt('--chromium', '/usr/bin/chromium');
const shared = resolve(source, '..', 'shared', 'data');
const YEAR = 2009;

function skip(why) { console.log(`web_browser: skipped: ${why}`); process.exit(77); }
if (!existsSync(bin)) skip(`no ${bin}: build first`);
if (!existsSync(join(webDir, 'index.html'))) skip(`no ${webDir}/index.html: run scripts/build-web.sh`);
if (!existsSync(chromiumPath)) skip(`no ${chromiumPath}: scripts/install-deps.sh installs chromium`);
const require = createRequire(join(source, 'web', 'package.json'));
const load = async (m) => import(pathToFileURL(require.resolve(m)).href);
const playwright = await load('playwright-core');
const chromium = playwright.chromium || playwright.default.chromium;
const { scaleSequentialLog, scaleDivergingSymlog } = await load('d3-scale');
const { interpolateYlOrRd, interpolateRdBu } = await load('d3-scale-chromatic');

const tmp = mkdtempSync(join(tmpdir(), 'panocarbon-web-'));
const db = join(tmp, 'web.db');
const cli = (...a) => execFileSync(bin, [...a, '--db', db], { cwd: source, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
const cliJson = (...a) => JSON.parse(cli(...a, '--format', 'json'));

// ---- the test database ----------------------------------------------------------------------------------
try { execFileSync(bin, ['serve', '--help'], { stdio: 'ignore' }); } catch { skip('this build has no `serve`'); }
const caps = JSON.parse(execFileSync(bin, ['capabilities', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 })).map((c) => c.name);
// The ledger (`ledger build`, `account`): the map and country checks need it; without it they are skipped and
// the other pages are still checked.
let noLedger = '';
for (const need of ['ledger build', 'ledger info', 'account']) if (!noLedger && !caps.includes(need)) noLedger = `this build has no \`${need}\``;
let ledgerInputs = [];
if (existsSync(join(source, 'data', 'ledger'))) ledgerInputs = [join(source, 'data', 'ledger')];
else if (existsSync(join(shared, 'national', 'gcb2019')) && existsSync(join(shared, 'mrio', 'wiod2013-co2')))
  ledgerInputs = [join(shared, 'national', 'gcb2019'), join(shared, 'mrio', 'wiod2013-co2')];
else if (!noLedger) noLedger = 'neither data/ledger nor ../shared/data (gcb2019, wiod2013-co2) is here';
if (!noLedger) {
  const t0 = Date.now();
  cli('ledger', 'build', ...ledgerInputs);
  console.log(`test database: ledger built from ${ledgerInputs.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const lcaSource = existsSync(join(shared, 'lca', 'uslci-jsonld')) ? join(shared, 'lca', 'uslci-jsonld') : join(source, 'tests', 'fixtures', 'lca', 'tree');
cli('lca', 'import', lcaSource, '--name', 'lcatest');
cli('lca', 'import', join(source, 'tests', 'fixtures', 'lca', 'uncertainty'), '--name', 'unc');

// ---- the server -------------------------------------------------------------------------------------------
const server = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--db', db, '--web', webDir], { cwd: source, stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
process.on('exit', () => { if (server.exitCode === null) server.kill('SIGTERM'); });
const origin = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`the server printed no address in 30 s:\n${serverLog}`)), 30000);
  const look = (chunk) => {
    serverLog += chunk;
    const m = serverLog.match(/(127\.0\.0\.1|localhost):(\d{2,5})/);
    if (m && m[2] !== '0') { clearTimeout(timer); ok(`http://127.0.0.1:${m[2]}`); }
  };
  server.stdout.on('data', look); server.stderr.on('data', look);
  server.on('exit', (code) => { clearTimeout(timer); fail(new Error(`the server exited (${code}):\n${serverLog}`)); });
});
const health = await fetch(`${origin}/api/health`).then((r) => r.json());
if (health.status !== 'ok') throw new Error(`/api/health: ${JSON.stringify(health)}`);
console.log(`server at ${origin}: ${JSON.stringify(health)}`);

// ---- checks -----------------------------------------------------------------------------------------------
let passed = 0, failed = 0, skipped = 0;
async function check(name, fn, skipWhy = '') {
  if (skipWhy) { skipped++; console.log(`skip ${name}: ${skipWhy}`); return; }
  try { await fn(); passed++; console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`); }
}
function expect(cond, msg) { if (!cond) throw new Error(msg); }

// The scales of docs/web.md, written here again from the description (not imported from the app).
const isoSet = new Set(readFileSync(join(source, 'data', 'iso3166.csv'), 'utf8').split('\n').slice(1)
  .map((l) => l.split(',')[1]).filter(Boolean));
const world = noLedger ? { rows: [] } : cliJson('account', '--year', String(YEAR), '--all');
function mapRows(dataset, indicator) {
  return world.rows.filter((r) => r.indicator === indicator && (r.dataset === dataset || r.source === dataset || String(r.source).startsWith(`${dataset}/`))
    && isoSet.has(r.country) && Number.isFinite(r.value));
}
function expectedColour(dataset, indicator, iso) {
  const rows = mapRows(dataset, indicator);
  const row = rows.find((r) => r.country === iso);
  if (!row) throw new Error(`the CLI has no ${indicator} of ${iso} in ${dataset} ${YEAR}`);
  const vals = rows.map((r) => r.value);
  if (indicator === 'net_transfer' || indicator === 'natural') {
    const m = Math.max(...vals.map(Math.abs));
    return { value: row.value, colour: scaleDivergingSymlog((x) => interpolateRdBu(1 - x)).domain([-m, 0, m]).constant(1)(row.value) };
  }
  const pos = vals.filter((v) => v > 0);
  return { value: row.value, colour: scaleSequentialLog(interpolateYlOrRd).domain([Math.min(...pos), Math.max(...pos)])(row.value) };
}

const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, locale: 'en-US' });
const page = await context.newPage();
const outside = [], consoleErrors = [];
page.on('request', (r) => { const u = r.url(); if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u); });
// (the chat's test sends a question over the limit on purpose: the browser logs that 400 of /api/chat)
page.on('console', (m) => { if (m.type() === 'error' && !(m.text().includes('status of 400') && (m.location()?.url || '').endsWith('/api/chat'))) consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));
mkdirSync(shots, { recursive: true });
const ready = () => page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
async function open(hash) { await page.goto(`${origin}/${hash}`); await ready(); }
async function fillOf(iso) { return page.getAttribute(`#map path.country[data-iso="${iso}"]`, 'fill'); }

try {
  const datasets = [...new Set(world.rows.map((r) => r.dataset))];
  const mapDataset = datasets.includes('gcb2019') ? 'gcb2019' : datasets[0];

  await check(`the map renders the countries (${mapDataset} ${YEAR})`, async () => {
    await open(`#/map?dataset=${mapDataset}&year=${YEAR}&indicator=production&pc=0`);
    const n = await page.locator('#map path.country').count();
    const withValue = await page.locator('#map path.country:not([data-value=""])').count();
    const expected = mapRows(mapDataset, 'production').length;
    expect(n >= 170, `${n} country shapes, expected the 177 of world-atlas 110m`);
    expect(withValue >= Math.min(100, expected) && withValue > 0, `${withValue} countries with a value (the CLI has ${expected})`);
    await page.screenshot({ path: join(shots, 'map.png'), fullPage: true });
  }, noLedger);

  for (const iso of ['CHN', 'USA', 'DEU']) {
    await check(`${iso} has the colour the scale gives its production value`, async () => {
      const { value, colour } = expectedColour(mapDataset, 'production', iso);
      const fill = await fillOf(iso);
      const shown = Number(await page.getAttribute(`#map path.country[data-iso="${iso}"]`, 'data-value'));
      expect(shown === value, `the page's value ${shown} is not the CLI's ${value}`);
      expect(fill === colour, `fill ${fill}, the scale gives ${colour} for ${value}`);
    }, noLedger);
  }

  await check('the toggle changes the colours (consumption, then net transfer)', async () => {
    const fills = () => page.$$eval('#map path.country[data-iso]:not([data-iso=""])', (ps) => Object.fromEntries(ps.map((p) => [p.dataset.iso, p.getAttribute('fill')])));
    const before = await fills();
    await page.click('button[data-indicator="consumption"]');
    await page.waitForSelector('#map[data-indicator="consumption"]');
    await ready();
    const after = await fills();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.length >= 20, `only ${changed.length} countries changed colour`);
    for (const iso of ['CHN', 'USA', 'DEU']) {
      const want = expectedColour(mapDataset, 'consumption', iso);
      expect(after[iso] === want.colour, `${iso} consumption fill ${after[iso]}, the scale gives ${want.colour} for ${want.value}`);
    }
    await page.click('button[data-indicator="net_transfer"]');
    await page.waitForSelector('#map[data-indicator="net_transfer"]');
    await ready();
    const net = expectedColour(mapDataset, 'net_transfer', 'CHN');
    expect(await fillOf('CHN') === net.colour, `CHN net transfer fill ${await fillOf('CHN')}, the scale gives ${net.colour}`);
    expect(await page.getAttribute('#map', 'data-scale') === 'diverging', 'net transfer is not on a diverging scale');
    await page.screenshot({ path: join(shots, 'map-net-transfer.png'), fullPage: true });
  }, noLedger);

  await check('per capita: the toggle shows production_per_capita in t CO2/person on its own scale', async () => {
    await open(`#/map?dataset=${mapDataset}&year=${YEAR}&indicator=production&pc=0`);
    await page.check('#per-capita');
    await page.waitForSelector('#map[data-indicator="production_per_capita"]');
    await ready();
    for (const iso of ['CHN', 'USA']) {
      const want = expectedColour(mapDataset, 'production_per_capita', iso);
      expect(await fillOf(iso) === want.colour, `${iso} per-capita fill ${await fillOf(iso)}, the scale gives ${want.colour} for ${want.value}`);
    }
    expect((await page.textContent('.legend-title')).includes('t CO2/person'), `legend: ${await page.textContent('.legend-title')}`);
  }, noLedger);

  await check('the dataset selector and the year slider: WIOD 2000-2010, its colours, RoW not on the map', async () => {
    const info = cliJson('ledger', 'info');
    const wiodYears = info.sources.filter((x) => x.dataset === 'wiod2013-co2').flatMap((x) => x.years);
    expect(wiodYears.length > 0, 'the CLI holds no WIOD year');
    await open(`#/map?dataset=${mapDataset}&year=${YEAR}&indicator=production&pc=0`);
    await page.selectOption('#dataset', 'wiod2013-co2');
    await page.waitForSelector('#map[data-dataset="wiod2013-co2"]');
    await ready();
    expect(Number(await page.getAttribute('#year', 'min')) === Math.min(...wiodYears), 'slider min');
    expect(Number(await page.getAttribute('#year', 'max')) === Math.max(...wiodYears), 'slider max');
    expect(Number(await page.getAttribute('#map', 'data-year')) === YEAR, `year ${await page.getAttribute('#map', 'data-year')}`);
    for (const iso of ['CHN', 'DEU']) {
      const want = expectedColour('wiod2013-co2', 'production', iso);
      expect(await fillOf(iso) === want.colour, `${iso} WIOD fill ${await fillOf(iso)}, the scale gives ${want.colour} for ${want.value}`);
    }
    const coloured = await page.locator('#map path.country:not([data-value=""])').count();
    expect(coloured >= 35 && coloured <= 40, `${coloured} WIOD countries coloured (40 countries, RoW not drawn)`);
    expect(await page.locator('#map path.country[data-iso="RoW"]').count() === 0, 'RoW is drawn');
    await page.screenshot({ path: join(shots, 'map-wiod.png'), fullPage: true });
  }, noLedger);

  await check('the legend names the unit and the GWP set; the note names the dataset and how to load more', async () => {
    await open(`#/map?dataset=${mapDataset}&year=${YEAR}&indicator=production&pc=0`);
    const legend = await page.textContent('.legend-title');
    expect(/Mt CO2/.test(legend) && /GWP/.test(legend), `legend: ${legend}`);
    const note = await page.textContent('#dataset-note');
    expect(note.includes(mapDataset) && note.includes('panocarbon ledger build') && note.includes('panocarbon data fetch'), `note: ${note}`);
  }, noLedger);

  await check('hovering a country shows its value and source', async () => {
    await page.hover('#map path.country[data-iso="CHN"]');
    const tip = await page.textContent('#tooltip');
    const { value } = expectedColour(mapDataset, 'production', 'CHN');
    expect(tip.includes('CHN') && tip.includes(mapDataset), `tooltip: ${tip}`);
    expect(tip.replace(/,/g, '').includes(String(Number(value.toPrecision(4)))), `tooltip ${tip} lacks ${value.toPrecision(4)}`);
  }, noLedger);

  const ledger = noLedger ? { rows: [] } : cliJson('account', '--country', 'CHN', '--year', String(YEAR));
  await check('clicking China opens its page with every number of `account --country CHN --year 2009`', async () => {
    await open(`#/map?dataset=${mapDataset}&year=${YEAR}&indicator=production&pc=0`);
    await page.click('#map path.country[data-iso="CHN"]');
    await page.waitForSelector('#ledger-table');
    await ready();
    expect(ledger.rows.length > 0, 'the CLI has no rows');
    for (const r of ledger.rows.filter((x) => typeof x.value === 'number')) {
      const sel = `#ledger-table td[data-indicator="${r.indicator}"][data-source="${r.source}"]`;
      expect(await page.locator(sel).count() === 1, `no cell for ${r.indicator} of ${r.source}`);
      const v = Number(await page.getAttribute(sel, 'data-value'));
      expect(v === r.value, `${r.indicator} ${r.source}: page ${v}, CLI ${r.value}`);
      const text = (await page.textContent(`${sel} .value`)).replace(/,/g, '');
      const shown = Number(text);
      expect(Math.abs(shown - r.value) <= 5e-4 * Math.abs(r.value), `${r.indicator} ${r.source}: shows ${text}, CLI ${r.value}`);
      if (r.lower !== null && r.upper !== null) expect(await page.locator(`${sel} .range`).count() === 1, `${r.indicator} ${r.source}: no range shown`);
    }
    for (const p of (ledger.partners || []).slice(0, 3)) {
      const cells = page.locator(`#partners tr[data-partner="${p.partner}"] td[data-value]`);
      if (await cells.count() === 0) continue; // only the ten largest partners are listed
      expect(Number(await cells.nth(0).getAttribute('data-value')) === p.exports, `partner ${p.partner} exports`);
      expect(Number(await cells.nth(1).getAttribute('data-value')) === p.imports, `partner ${p.partner} imports`);
    }
    const prov = await page.textContent('#provenance');
    for (const r of ledger.rows) expect(prov.includes(r.source), `provenance lacks ${r.source}`);
    await page.screenshot({ path: join(shots, 'country-CHN.png'), fullPage: true });
  }, noLedger);

  await check('the CSV download equals `account --country CHN --year 2009 --format csv`', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-format="csv"]')]);
    const got = readFileSync(await download.path(), 'utf8');
    const want = cli('account', '--country', 'CHN', '--year', String(YEAR), '--format', 'csv');
    expect(got.startsWith('country,year,indicator,value,unit,lower,upper,source'), `header: ${got.split('\n')[0]}`);
    expect(got === want, `download (${got.length} bytes) differs from the CLI's CSV (${want.length} bytes)`);
  }, noLedger);

  await check('the JSON and XLSX downloads are the CLI\'s renderings', async () => {
    const [dj] = await Promise.all([page.waitForEvent('download'), page.click('a[data-format="json"]')]);
    const got = JSON.parse(readFileSync(await dj.path(), 'utf8'));
    expect(JSON.stringify(got) === JSON.stringify(ledger), 'the JSON download differs from `account --country CHN --year 2009 --format json`');
    const [dx] = await Promise.all([page.waitForEvent('download'), page.click('a[data-format="xlsx"]')]);
    const x = readFileSync(await dx.path());
    expect(x.length > 1000 && x.subarray(0, 2).toString() === 'PK', `the XLSX download is not a workbook (${x.length} bytes)`);
  }, noLedger);

  await check('the Chinese strings appear after switching, and the choice is remembered', async () => {
    await open(noLedger ? '#/lca' : `#/map?dataset=${mapDataset}&year=${YEAR}&indicator=production&pc=0`);
    await page.click('#lang');
    await ready();
    expect((await page.textContent('nav a[data-nav="map"]')) === '碳地图', 'the nav is not in Chinese');
    expect((await page.textContent('h1')) === (noLedger ? '产品碳足迹（生命周期评价）' : '碳地图'), `the title is ${await page.textContent('h1')}`);
    if (!noLedger) {
      expect((await page.textContent('.legend-title')).includes('图例'), 'the legend is not in Chinese');
      expect((await page.textContent('button[data-indicator="consumption"]')) === '消费侧', 'the toggles are not in Chinese');
    }
    const keys = await page.evaluate(() => [Object.keys(window.panocarbonStrings.en).sort(), Object.keys(window.panocarbonStrings.zh).sort()]);
    expect(JSON.stringify(keys[0]) === JSON.stringify(keys[1]), 'English and Chinese have different keys');
    await page.screenshot({ path: join(shots, noLedger ? 'lca-zh.png' : 'map-zh.png'), fullPage: true });
    await page.reload(); await ready();
    expect((await page.textContent('nav a[data-nav="map"]')) === '碳地图', 'the language was not remembered');
    await page.click('#lang'); await ready();
    expect((await page.textContent('nav a[data-nav="map"]')) === 'Carbon map', 'switching back to English failed');
  });

  await check('the LCA page finds a product and shows the CLI\'s footprint', async () => {
    const query = lcaSource.includes('uslci') ? 'portland cement' : 'steel';
    const hits = cliJson('lca', 'search', query, '--database', 'lcatest').filter((h) => h.kind === 'process');
    expect(hits.length > 0, `the CLI finds no process for ${query}`);
    await open(`#/lca?database=lcatest&q=${encodeURIComponent(query)}`);
    await page.click(`#lca-hits a[data-ref="${hits[0].ref}"]`);
    await page.waitForSelector('#lca-results');
    await ready();
    const calc = cliJson('lca', 'calc', '--database', 'lcatest', '--process', hits[0].ref);
    const total = calc.results.find((r) => r.category === 'total');
    const shown = Number(await page.getAttribute('#lca-results td[data-value]', 'data-value'));
    expect(shown === total.amount, `page total ${shown}, CLI ${total.amount}`);
    expect(await page.locator('#lca-sankey path').count() > 0 || await page.locator('#lca-footprint').textContent().then((s) => s.length > 0), 'no Sankey');
    await page.screenshot({ path: join(shots, 'lca.png'), fullPage: true });
  });

  await check('the uncertainty page runs `lca montecarlo` as a job and shows the CLI\'s distribution', async () => {
    const mc = cliJson('lca', 'montecarlo', '--database', 'unc', '--process', 'electricity from coal', '--draws', '200', '--seed', '9');
    await open('#/uncertainty');
    await page.selectOption('#uq-db', 'unc');
    await page.fill('#uq-process', 'electricity from coal');
    await page.fill('#uq-draws', '200');
    await page.fill('#uq-seed', '9');
    await page.click('#uq-run');
    await page.waitForSelector('#uq-intervals', { timeout: 60000 });
    for (const c of mc.categories) {
      for (const k of ['mean', 'median', 'sd']) {
        const v = Number(await page.getAttribute(`#uq-result tr[data-category="${c.category}"] td[data-stat="${k}"]`, 'data-value'));
        expect(v === c[k], `${c.category} ${k}: page ${v}, CLI ${c[k]}`);
      }
      // the histogram draws the CLI's bins: one bar per bin, the same counts, 200 draws in all
      const bars = await page.$$eval(`svg[id="uq-hist-${c.category}"] rect`, (rs) => rs.map((r) => Number(r.getAttribute('data-count'))));
      expect(JSON.stringify(bars) === JSON.stringify(c.histogram.counts), `${c.category} histogram: page ${bars}, CLI ${c.histogram.counts}`);
      expect(bars.reduce((a, b) => a + b, 0) === 200, `${c.category} histogram holds ${bars.reduce((a, b) => a + b, 0)} draws, not 200`);
    }
    await page.screenshot({ path: join(shots, 'uncertainty.png'), fullPage: true });
  });

  // The chat: numbers written in an answer (citation marks left out), and whether one is `value` rounded as shown
  // (or it in thousands or thousandths: Mt as Gt or kt).
  const shownNumbers = (text) => text.replace(/\[\d+\]/g, ' ').match(/\d[\d,]*(?:\.\d+)?/g)?.map((x) => Number(x.replace(/,/g, ''))) || [];
  const writes = (text, value) => shownNumbers(text).some((x) => [value, value / 1000, value * 1000].some((v) => v && Math.abs(x - Math.abs(v)) <= 0.005 * Math.abs(v)));
  const chatAnswer = async (i) => {
    await page.waitForSelector(`.chat-turn[data-turn="${i}"] .chat-a:not(.pending)`, { timeout: 300000 });
    return page.locator(`.chat-turn[data-turn="${i}"] .chat-a`);
  };
  const question = '中国2009年的消费侧排放是多少?';
  await check('the chat answers the Chinese question with the API\'s answer, the account\'s number and a citation', async () => {
    await open('#/chat');
    expect(!(await page.isDisabled('#chat-input')), 'the chat input is disabled');
    await page.fill('#chat-input', question);
    await page.press('#chat-input', 'Enter');
    const answer = await chatAnswer(0);
    const shown = await answer.locator('.chat-text').textContent();
    const api = await fetch(`${origin}/api/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) }).then((r) => r.json());
    expect(api.answer && shown === api.answer, `the page shows "${shown}", the API answers "${api.answer}"`);
    const consumption = ledger.rows.filter((r) => r.indicator === 'consumption' && typeof r.value === 'number').map((r) => r.value);
    expect(consumption.some((v) => writes(shown, v)), `the answer "${shown}" writes no consumption value of \`account\` (${consumption})`);
    const cite = answer.locator('li.citation[data-capability="account"]');
    expect(await cite.count() >= 1, 'no citation of account');
    // the citation's run id is the API's (0 for a read such as account, which logs no run, and said so)
    const apiCite = api.citations.find((c) => c.capability === 'account');
    const runId = Number(await cite.first().getAttribute('data-run-id') || 0);
    const citeText = await cite.first().textContent();
    expect(runId === apiCite.run_id, `the page cites run ${runId}, the API ${apiCite.run_id}`);
    const dataRuns = apiCite.data_runs || [];
    expect(runId > 0 ? citeText.includes(`run ${runId}`)
      : (dataRuns.length ? citeText.includes(`stored by run ${dataRuns.join(', ')}`) : citeText.includes('no run logged')), `the citation does not give its run: ${citeText}`);
    expect(citeText.includes(apiCite.dataset || apiCite.source), `the citation does not name its source: ${citeText}`);
    expect(!(await page.isVisible(`.chat-turn[data-turn="0"] .chat-plan li[data-tool="account"]`)), 'the plan is open before a click');
    await page.click('.chat-turn[data-turn="0"] .chat-plan summary');
    const stepText = await page.textContent('.chat-turn[data-turn="0"] .chat-plan li[data-tool="account"]');
    expect(stepText.includes('CHN') && stepText.includes('2009') && stepText.includes('→'), `the plan's account step: ${stepText}`);
    await page.screenshot({ path: join(shots, 'chat.png'), fullPage: true });
  }, noLedger);

  await check('a question back is shown as such, and the reply continues the conversation', async () => {
    await page.fill('#chat-input', "What were China's consumption-based emissions?");
    await page.click('#chat-send');
    const back = await chatAnswer(1);
    expect((await back.getAttribute('class')).includes('clarify'), 'the question back is not shown as one');
    await page.fill('#chat-input', '2009');
    await page.press('#chat-input', 'Enter');
    const reply = await chatAnswer(2);
    expect(await reply.locator('li.citation[data-capability="account"]').count() >= 1, `the reply "2009" was not answered from the account: ${await reply.textContent()}`);
    await page.screenshot({ path: join(shots, 'chat-clarify.png'), fullPage: true });
  }, noLedger);

  await check('an error of the chat is shown plainly; an example question is asked with a click', async () => {
    await open('#/chat');
    await page.click('#chat-clear');
    const long = 'x'.repeat(4100);
    await page.fill('#chat-input', long);
    await page.press('#chat-input', 'Enter');
    await chatAnswer(0);
    const err = await page.textContent('.chat-turn[data-turn="0"] .chat-a.error');
    expect(err.includes('4100 bytes') && err.includes('question'), `the error: ${err}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(wide <= 1280, `a long question widens the page to ${wide} px`);
    await page.click(`button.example[data-example="${question}"]`);
    await chatAnswer(1);
    expect((await page.textContent('.chat-turn[data-turn="1"] .chat-q')).includes(question), 'the example was not asked');
    await page.click('#lang'); await ready();
    expect((await page.textContent('h1')) === '对话' && (await page.textContent('#chat-send')) === '发送', 'the chat is not in Chinese');
    expect(await page.locator('.chat-turn').count() === 2, 'switching the language lost the conversation');
    await page.screenshot({ path: join(shots, 'chat-zh.png'), fullPage: true });
    await page.click('#lang'); await ready();
  });

  await check('the page loads nothing from outside the server and logs no error', async () => {
    expect(outside.length === 0, `outside requests: ${outside.slice(0, 5).join(', ')}`);
    expect(consoleErrors.length === 0, `console errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
  });
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
console.log(`screenshots in ${shots}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
