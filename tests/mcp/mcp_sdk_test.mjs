#!/usr/bin/env node
// End-to-end test of panocarbon's MCP server with the official TypeScript SDK client (ctest `mcp_sdk`,
// docs/mcp.md). Over stdio (StdioClientTransport spawning `panocarbon mcp --db TMP`) and over Streamable HTTP
// (StreamableHTTPClientTransport to a `panocarbon serve --port 0` it starts):
//   the handshake (revision 2025-11-25, server name, instructions naming the five agents);
//   tools/list: one tool per capability that is neither local_only nor a system one, with input and output
//   schemas (the SDK compiles every output schema and validates every structuredContent against it);
//   one tool call per agent (process: inventory_calc; trade: ledger_build --default then account; lca: lca_import
//   of a fixture then lca_calc; natural: natural_afolu; uncertainty: sensitivity_sobol) whose structured
//   result equals the CLI's `--format json` for the same call (run ids, provenance and timings apart);
//   a failing call as a result with isError; an unknown tool as JSON-RPC error -32602;
//   over HTTP: inputs as uploads, sessions (400 without, 404 unknown or ended, DELETE), 405 for GET,
//   MCP-Protocol-Version checks, a foreign Origin refused (403), the server token (401 without, works with).
// Prints `N passed, M failed`; exit 77 = skipped (node modules or the binary missing), 1 = a check failed.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const source = resolve(opt('--source', join(here, '..', '..')));
const bin = resolve(opt('--bin', join(source, 'build', 'bin', 'panocarbon')));

function skip(why) { console.log(`mcp_sdk: skipped: ${why}`); process.exit(77); }
if (!existsSync(bin)) skip(`no ${bin}: build first`);
const require = createRequire(join(here, 'package.json'));
let sdk;
try {
  sdk = {
    client: await import(pathToFileURL(require.resolve('@modelcontextprotocol/sdk/client/index.js')).href),
    stdio: await import(pathToFileURL(require.resolve('@modelcontextprotocol/sdk/client/stdio.js')).href),
    http: await import(pathToFileURL(require.resolve('@modelcontextprotocol/sdk/client/streamableHttp.js')).href),
    types: await import(pathToFileURL(require.resolve('@modelcontextprotocol/sdk/types.js')).href),
  };
} catch (e) {
  skip(`the SDK is not installed in tests/mcp (scripts/install-mcp-sdk.sh): ${e.message}`);
}
const { Client } = sdk.client;
const sdkVersion = JSON.parse(readFileSync(join(here, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'), 'utf8')).version;

const tmp = mkdtempSync(join(tmpdir(), 'panocarbon-mcp-'));
const db = join(tmp, 'mcp.db');
const env = { ...process.env };
delete env.PANOCARBON_TOKEN;
const cli = (...a) => execFileSync(bin, [...a, '--db', db], { cwd: source, encoding: 'utf8', env, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
const cliJson = (...a) => JSON.parse(cli(...a, '--format', 'json'));

let passed = 0, failed = 0;
async function check(name, f) {
  const t0 = Date.now();
  try {
    await f();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

// What differs between two runs of the same call: the run's id, its provenance (inputs' paths, run id) and
// timings. Everything else, every number included, must be equal.
const VOLATILE = new Set(['run_id', 'provenance', 'read_s', 'store_s', 'link_s', 'solve_s', 'seconds', 'elapsed_s', 'time_s', 'path']);
// Over HTTP the result names its input as the upload (upload:<hex>) where the CLI names the path: `inputs` lists
// those keys, left out on both sides.
function stable(j, inputs = []) {
  if (Array.isArray(j)) return j.map((x) => stable(x, inputs));
  if (j && typeof j === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(j)) if (!VOLATILE.has(k) && !k.endsWith('_s') && !inputs.includes(k)) o[k] = stable(v, inputs);
    return o;
  }
  return j;
}
const caps = JSON.parse(execFileSync(bin, ['capabilities', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const offered = caps.filter((c) => !c.local_only && c.domain !== 'system');
const byTool = Object.fromEntries(caps.map((c) => [c.tool, c]));
// The structured content of a call as the result JSON of the CLI: unwrapped where the result is not an object.
// (MCP wants an object at the root: a result schema that admits other things is wrapped as {"result": ...}.)
const objectOnly = (sch) => (sch.type !== undefined ? sch.type === 'object'
  : ['anyOf', 'oneOf'].some((k) => Array.isArray(sch[k]) && sch[k].length > 0 && sch[k].every(objectOnly)));
const resultOf = (r, tool) => (objectOnly(byTool[tool].result_schema) ? r.structuredContent : r.structuredContent.result);
const textOf = (r) => r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

async function call(client, name, a) {
  const r = await client.callTool({ name, arguments: a });
  assert.ok(!r.isError, `${name} failed: ${textOf(r)}`);
  assert.deepEqual(JSON.parse(r.content[0].text), resultOf(r, name), 'the text content is the structured content');
  return r;
}

async function checkTools(client, transport) {
  const { tools } = await client.listTools();
  assert.equal(tools.length, offered.length, `${tools.length} tools, ${offered.length} capabilities offered`);
  const names = new Set(tools.map((t) => t.name));
  for (const c of offered) assert.ok(names.has(c.tool), `tool ${c.tool} is listed`);
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.ok(t.outputSchema && t.outputSchema.type === 'object', `${t.name} has an object outputSchema`);
    assert.ok(t.description.includes('Agent: '), t.name);
    assert.ok(t.annotations && typeof t.annotations.readOnlyHint === 'boolean', t.name);
    for (const fe of ['format', 'db', 'out']) assert.ok(!(fe in (t.inputSchema.properties || {})), `${t.name} offers ${fe}`);
  }
  const fileDesc = tools.find((t) => t.name === 'inventory_calc').inputSchema.properties.file.description;
  assert.ok(fileDesc.includes(transport === 'http' ? 'upload:<hex>' : 'a path on the machine'), fileDesc);
  for (const absent of ['data_fetch', 'completion', 'man', 'db_repair']) assert.ok(!names.has(absent), absent);
  return tools;
}

const LCA_FIXTURE = join(source, 'tests', 'fixtures', 'lca', 'allocation');
const SOBOL = { model: 'examples/sensitivity/ishigami.json', seed: 1, draws: 256 };

// ---- stdio ------------------------------------------------------------------------------------------------
const stdioLog = [];
const stdio = new sdk.stdio.StdioClientTransport({ command: bin, args: ['mcp', '--db', db], cwd: source, env, stderr: 'pipe' });
const sc = new Client({ name: 'panocarbon-mcp-test', version: '1.0.0' });
await check('stdio: connect (initialize, revision 2025-11-25)', async () => {
  await sc.connect(stdio);
  stdio.stderr.on('data', (d) => stdioLog.push(String(d)));
  assert.equal(sc.getServerVersion().name, 'panocarbon');
  assert.deepEqual(sc.getServerCapabilities().tools, { listChanged: false });
  const instructions = sc.getInstructions();
  for (const a of ['process', 'trade', 'lca', 'natural', 'uncertainty']) assert.ok(instructions.includes(a), a);
  assert.equal(stdio._process ? 'spawned' : 'spawned', 'spawned');
});
await check('stdio: tools/list has every offered capability with schemas', async () => {
  const tools = await checkTools(sc, 'stdio');
  console.log(`     ${tools.length} tools (SDK ${sdkVersion})`);
});
await check('stdio: ping', async () => assert.deepEqual(await sc.ping(), {}));

await check('process: inventory_calc equals the CLI', async () => {
  const r = await call(sc, 'inventory_calc', { file: 'examples/inventory.csv', by: 'gas' });
  const want = cliJson('inventory', 'calc', 'examples/inventory.csv', '--by', 'gas');
  assert.deepEqual(stable(resultOf(r, 'inventory_calc')), stable(want));
  assert.ok(r._meta['panocarbon/run_id'] > 0, 'the run is logged');
});
await check('trade: ledger_build (default dataset) then account equals the CLI', async () => {
  const built = await call(sc, 'ledger_build', { default: true });
  assert.ok(resultOf(built, 'ledger_build').sources.length > 0);
  const r = await call(sc, 'account', { country: 'CHN', year: 2009 });
  const want = cliJson('account', '--country', 'CHN', '--year', '2009');
  assert.deepEqual(stable(resultOf(r, 'account')), stable(want));
  const prod = resultOf(r, 'account').rows.find((x) => x.indicator === 'production' && x.source === 'wiod2013-co2/2009');
  assert.ok(prod && prod.value > 1000 && prod.unit === 'Mt CO2', `China's 2009 production (WIOD): ${JSON.stringify(prod)}`);
  console.log(`     China 2009 production (WIOD) ${prod.value} Mt CO2, the same through MCP and the CLI`);
});
await check('lca: lca_import of a fixture, lca_calc equals the CLI and the exact value', async () => {
  await call(sc, 'lca_import', { path: LCA_FIXTURE, name: 't' });
  const r = await call(sc, 'lca_calc', { database: 't', process: 'dairy farm' });
  const want = cliJson('lca', 'calc', '--database', 't', '--process', 'dairy farm');
  assert.deepEqual(stable(resultOf(r, 'lca_calc')), stable(want));
  // 1.008 kg CO2e: tests/fixtures/lca/expected.py, exact fractions independent of panocarbon
  const total = resultOf(r, 'lca_calc').results.find((x) => x.category === 'total');
  assert.ok(Math.abs(total.amount - 1.008) < 1e-12 && total.unit === 'kg CO2e', `total ${JSON.stringify(total)}`);
});
await check('natural: natural_afolu equals the CLI', async () => {
  const r = await call(sc, 'natural_afolu', { file: 'examples/forest.csv' });
  const want = cliJson('natural', 'afolu', 'examples/forest.csv');
  assert.deepEqual(stable(resultOf(r, 'natural_afolu')), stable(want));
});
await check('process: cbam_compare of a simulated route and process_optimize equal the CLI', async () => {
  const args = { country: 'CN', good: '25232900', year: 2027, route: 'examples/process/routes/cement-portland-coal.json',
                 set: ['route.grid_factor_t_per_mwh=0.5366'], 'ets-price': 80 };
  const r = await call(sc, 'cbam_compare', args);
  const want = cliJson('cbam', 'compare', '--country', 'CN', '--good', '25232900', '--year', '2027', '--route',
                       args.route, '--set', args.set[0], '--ets-price', '80');
  assert.deepEqual(stable(resultOf(r, 'cbam_compare')), stable(want));
  const o = await call(sc, 'process_optimize', { model: 'examples/process/models/steel-two-regions.json', cap: 44e9 });
  const wantO = cliJson('process', 'optimize', 'examples/process/models/steel-two-regions.json', '--cap', '44e9');
  assert.deepEqual(stable(resultOf(o, 'process_optimize')), stable(wantO));
  assert.equal(resultOf(o, 'process_optimize').status, 'optimal');
});
let sobolStdio;
await check('uncertainty: sensitivity_sobol equals the CLI', async () => {
  const r = await call(sc, 'sensitivity_sobol', SOBOL);
  const want = cliJson('sensitivity', 'sobol', SOBOL.model, '--seed', '1', '--draws', '256');
  sobolStdio = resultOf(r, 'sensitivity_sobol');
  assert.deepEqual(stable(sobolStdio), stable(want));
});
await check('stdio: progress notifications, and a call aborted by the client stops at once', async () => {
  const seen = [];
  const ac = new AbortController();
  const t0 = Date.now();
  // 2,000,000 draws and 200 bootstrap resamples: some 40 s when it runs to its end
  await assert.rejects(sc.callTool({ name: 'sensitivity_sobol', arguments: { ...SOBOL, draws: 2000000 } }, undefined, {
    onprogress: (p) => { seen.push(p); ac.abort('enough'); },
    signal: ac.signal,
  }));
  assert.ok(seen.length >= 1 && seen[0].message.includes('Sobol model runs'), JSON.stringify(seen));
  await call(sc, 'inventory_calc', { file: 'examples/inventory.csv' });  // answered once the aborted call stopped
  const s = (Date.now() - t0) / 1000;
  assert.ok(s < 20, `the aborted call held the server for ${s} s`);
  assert.ok(stdioLog.join('').includes('sensitivity_sobol cancelled by the client'), stdioLog.join(''));
});
await check('stdio: a failing call is a result with isError, naming the file', async () => {
  const r = await sc.callTool({ name: 'inventory_calc', arguments: { file: 'examples/no-such.csv' } });
  assert.equal(r.isError, true);
  assert.ok(textOf(r).includes('no-such.csv'), textOf(r));
  const bad = await sc.callTool({ name: 'inventory_calc', arguments: { file: 'examples/inventory.csv', gwp: 'AR9' } });
  assert.equal(bad.isError, true);
  assert.ok(textOf(bad).includes('gwp'), textOf(bad));
});
await check('stdio: an unknown tool is JSON-RPC error -32602', async () => {
  await assert.rejects(sc.callTool({ name: 'inventory_cal', arguments: {} }), (e) => {
    assert.equal(e.code, -32602);
    assert.ok(e.message.includes('inventory_calc'), e.message);
    return true;
  });
});
await check('stdio: logs go to standard error only', async () => {
  assert.ok(stdioLog.join('').includes('inventory_calc ok'), stdioLog.join(''));
});
await sc.close();
await check('stdio: an empty --db is refused with a message (exit 2)', async () => {
  let err;
  try { execFileSync(bin, ['mcp', '--db', ''], { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }); } catch (e) { err = e; }
  assert.ok(err, 'panocarbon mcp --db "" exits non-zero');
  assert.equal(err.status, 2);
  assert.ok(String(err.stderr).includes('--db is empty'), String(err.stderr));
});

// ---- Streamable HTTP -------------------------------------------------------------------------------------
function startServer(extra = []) {
  return new Promise((ok, fail) => {
    const dbh = join(tmp, `http-${Math.random().toString(16).slice(2)}.db`);
    const p = spawn(bin, ['serve', '--port', '0', '--db', dbh, '--files', dbh + '.files', ...extra], { cwd: tmp, env });
    let out = '', err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/([^\s]+):(\d+)/);
      if (m) ok({ p, base: `http://127.0.0.1:${m[2]}`, log: () => err });
    });
    p.on('exit', (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
}
async function upload(base, path, headers = {}) {
  const name = path.split('/').pop();
  const r = await fetch(`${base}/api/uploads?filename=${encodeURIComponent(name)}`, { method: 'POST', body: readFileSync(join(source, path)), headers });
  const body = await r.text();
  assert.equal(r.status, 201, body);
  return JSON.parse(body).id;
}
const rpc = (method, params, id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

const srv = await startServer();
const hc = new Client({ name: 'panocarbon-mcp-test', version: '1.0.0' });
const ht = new sdk.http.StreamableHTTPClientTransport(new URL(`${srv.base}/mcp`));
try {
  await check('http: connect (session issued, revision 2025-11-25)', async () => {
    await hc.connect(ht);
    assert.equal(hc.getServerVersion().name, 'panocarbon');
    assert.ok(ht.sessionId && /^[0-9a-f]{32}$/.test(ht.sessionId), `session ${ht.sessionId}`);
    assert.equal(ht.protocolVersion, '2025-11-25');
  });
  await check('http: tools/list has every offered capability with schemas', async () => { await checkTools(hc, 'http'); });
  await check('http: process: inventory_calc on an upload equals the CLI', async () => {
    const id = await upload(srv.base, 'examples/inventory.csv');
    const r = await call(hc, 'inventory_calc', { file: id, by: 'gas' });
    assert.ok(resultOf(r, 'inventory_calc').source.startsWith('upload:'));
    assert.deepEqual(stable(resultOf(r, 'inventory_calc'), ['source']), stable(cliJson('inventory', 'calc', 'examples/inventory.csv', '--by', 'gas'), ['source']));
  });
  await check('http: uncertainty: sensitivity_sobol on an upload equals stdio and the CLI', async () => {
    const id = await upload(srv.base, SOBOL.model);
    const r = await call(hc, 'sensitivity_sobol', { ...SOBOL, model: id });
    assert.deepEqual(stable(resultOf(r, 'sensitivity_sobol'), ['model']), stable(sobolStdio, ['model']));
  });
  await check('http: natural: natural_afolu on an upload equals the CLI', async () => {
    const id = await upload(srv.base, 'examples/forest.csv');
    const r = await call(hc, 'natural_afolu', { file: id });
    assert.deepEqual(stable(resultOf(r, 'natural_afolu'), ['source', 'file']), stable(cliJson('natural', 'afolu', 'examples/forest.csv'), ['source', 'file']));
  });
  await check('http: a server path is refused as a tool error', async () => {
    const r = await hc.callTool({ name: 'inventory_calc', arguments: { file: join(source, 'examples', 'inventory.csv') } });
    assert.equal(r.isError, true);
    assert.ok(textOf(r).includes('upload the file first'), textOf(r));
  });
  await check('http: an unknown tool is JSON-RPC error -32602', async () => {
    await assert.rejects(hc.callTool({ name: 'data_fetch', arguments: {} }), (e) => e.code === -32602);
  });
  await check('http: sessions: 400 without, 404 unknown, GET 405, bad MCP-Protocol-Version 400, DELETE ends', async () => {
    let r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: JSON_HEADERS, body: rpc('tools/list', {}) });
    assert.equal(r.status, 400);
    assert.ok((await r.json()).error.message.includes('Mcp-Session-Id'));
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': 'f'.repeat(32) }, body: rpc('tools/list', {}) });
    assert.equal(r.status, 404);
    r = await fetch(`${srv.base}/mcp`, { method: 'GET', headers: { Accept: 'text/event-stream', 'Mcp-Session-Id': ht.sessionId } });
    assert.equal(r.status, 405);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': ht.sessionId, 'MCP-Protocol-Version': '2099-01-01' }, body: rpc('ping', {}) });
    assert.equal(r.status, 400);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': ht.sessionId }, body: '{"jsonrpc": "2.0", "id": 1,' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, -32700);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': ht.sessionId }, body: '{"jsonrpc": "2.0", "id": 1e999, "method": "ping"}' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, -32700);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': ht.sessionId }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    assert.equal(r.status, 202);
    // a second session of its own, ended by DELETE
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: JSON_HEADERS, body: rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } }) });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).result.protocolVersion, '2025-06-18');
    const sid = r.headers.get('mcp-session-id');
    assert.ok(sid && sid !== ht.sessionId);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': sid, 'MCP-Protocol-Version': '2025-06-18' }, body: rpc('ping', {}, 2) });
    assert.equal(r.status, 200);
    r = await fetch(`${srv.base}/mcp`, { method: 'DELETE', headers: { 'Mcp-Session-Id': sid } });
    assert.equal(r.status, 204);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'Mcp-Session-Id': sid }, body: rpc('ping', {}, 3) });
    assert.equal(r.status, 404);
  });
  await check('http: a foreign Origin is refused (403), the server\'s own is not', async () => {
    let r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, Origin: 'http://attacker.example' }, body: rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } }) });
    assert.equal(r.status, 403);
    r = await fetch(`${srv.base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, Origin: srv.base }, body: rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } }) });
    assert.equal(r.status, 200);
  });
  await hc.close();
} finally {
  srv.p.kill('SIGTERM');
}

const token = 'mcp-test-token-0123456789abcdef';
const tsrv = await startServer(['--token', token]);
try {
  await check('http: with a token: refused without it (401), served with it', async () => {
    const bare = new Client({ name: 'no-token', version: '1.0.0' });
    await assert.rejects(bare.connect(new sdk.http.StreamableHTTPClientTransport(new URL(`${tsrv.base}/mcp`))));
    const c = new Client({ name: 'token', version: '1.0.0' });
    await c.connect(new sdk.http.StreamableHTTPClientTransport(new URL(`${tsrv.base}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const { tools } = await c.listTools();
    assert.equal(tools.length, offered.length);
    const id = await upload(tsrv.base, 'examples/inventory.csv', { Authorization: `Bearer ${token}` });
    const r = await call(c, 'inventory_calc', { file: id });
    assert.deepEqual(stable(resultOf(r, 'inventory_calc'), ['source']), stable(cliJson('inventory', 'calc', 'examples/inventory.csv'), ['source']));
    await c.close();
  });
} finally {
  tsrv.p.kill('SIGTERM');
}

rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
