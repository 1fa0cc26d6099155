// Product footprints: search (GET /api/lca/search), footprint (GET /api/lca/calc), contributions
// (GET /api/lca/contributions) and the upstream tree as a Sankey (GET /api/lca/tree) of a stored LCA database.
import { get } from './api.js';
import { t } from './i18n.js';
import { el, fmt } from './format.js';
import { bars, sankeyDiagram } from './charts.js';

const IMPORT_CMD = 'panocarbon lca import ../shared/data/lca/uslci-jsonld --name uslci';

export async function renderLca(root, params, navigate) {
  root.replaceChildren(el('p', { class: 'loading' }, t('common.loading')));
  const dbs = await get('lca/databases');
  const list = Array.isArray(dbs) ? dbs : (dbs.databases || []);
  const head = el('h1', {}, t('lca.title'));
  if (!list.length) {
    root.replaceChildren(head, el('div', { class: 'note', id: 'lca-empty' }, el('p', {}, t('lca.no_db')), el('pre', {}, IMPORT_CMD)));
    return;
  }
  const database = list.some((d) => d.name === params.get('database')) ? params.get('database') : list[0].name;
  const query = params.get('q') || '';
  const process = params.get('process') || '';
  const go = (changes) => navigate(`#/lca?${new URLSearchParams({ database, q: query, ...changes })}`);

  const input = el('input', { type: 'search', id: 'lca-query', value: query, placeholder: t('lca.search'), size: 40 });
  const form = el('form', { class: 'controls', id: 'lca-form', onsubmit: (e) => { e.preventDefault(); go({ q: input.value, process: '' }); } },
    el('label', { for: 'lca-db', class: 'label' }, t('lca.database')),
    el('select', { id: 'lca-db', onchange: (e) => navigate(`#/lca?${new URLSearchParams({ database: e.target.value, q: query })}`) },
      list.map((d) => el('option', { value: d.name, selected: d.name === database }, `${d.name} (${d.processes})`))),
    input, el('button', { type: 'submit' }, t('lca.search_button')));
  const db = list.find((d) => d.name === database);
  const parts = [head, form, el('p', { class: 'muted' }, t('lca.db_info', { format: db.format || '–', processes: db.processes ?? '–', flows: db.flows ?? '–', exchanges: db.exchanges ?? '–' }))];

  if (query) {
    const hits = (await get('lca/search', { query, database, limit: 20 })).filter((h) => h.kind === 'process');
    parts.push(el('p', {}, hits.length ? t('lca.hits', { n: hits.length }) : t('lca.no_hits')),
      el('ul', { id: 'lca-hits', class: 'hits' }, hits.map((h) => el('li', {},
        el('a', { href: `#/lca?${new URLSearchParams({ database, q: query, process: h.ref })}`, 'data-ref': h.ref, class: h.ref === process ? 'active' : '' }, h.name),
        el('span', { class: 'muted' }, ` ${h.ref}`)))));
  }
  if (process) parts.push(await footprint(database, process));
  root.replaceChildren(...parts);
}

async function footprint(database, process) {
  const [calc, contrib, tree] = await Promise.all([
    get('lca/calc', { database, process }),
    get('lca/contributions', { database, process, top: 10 }),
    get('lca/tree', { database, process, cutoff: 0.01 }),
  ]);
  const results = calc.results || [];
  const table = el('table', { class: 'ledger', id: 'lca-results' },
    el('thead', {}, el('tr', {}, el('th', {}, t('lca.category')), el('th', {}, t('common.value')), el('th', {}, t('common.unit')))),
    el('tbody', {}, results.map((r) => el('tr', {}, el('th', {}, r.category), el('td', { class: 'num', 'data-value': r.amount }, fmt(r.amount)), el('td', {}, r.unit)))));
  const items = (contrib.contributions || []).map((c) => ({
    label: (c.process || c.location || c.category || '').slice(0, 40), value: c.amount, color: '#4e79a7',
    title: `${c.process || ''} ${c.location ? `(${c.location})` : ''}: ${fmt(c.amount)} ${contrib.unit} (${(c.share * 100).toFixed(1)} %)`,
  }));
  const treeNodes = tree.nodes || [];
  const nodes = treeNodes.map((n) => ({ name: `${n.process}${n.location ? ` (${n.location})` : ''}` }));
  const links = (tree.links || []).filter((l) => l.value > 0).map((l) => ({ ...l }));
  // Each node's own direct part as a flow into it (those of at least the cut-off's share of the total), so a
  // node's width is its total: direct + its suppliers' totals (less the pruned branches).
  const root = treeNodes.length ? treeNodes[0].total : 0;
  treeNodes.forEach((n, i) => {
    if (n.direct > 0 && n.direct >= (tree.cutoff ?? 0.01) * Math.abs(root)) {
      nodes.push({ name: t('lca.direct', { name: nodes[i].name }) });
      links.push({ source: nodes.length - 1, target: i, value: n.direct });
    }
  });
  return el('section', { id: 'lca-footprint' },
    el('h2', {}, t('lca.footprint', { amount: `${calc.amount ?? 1} ${calc.unit || ''}`.trim(), product: calc.product || (calc.process && calc.process.name) })),
    el('p', { class: 'muted' }, `${calc.method} · GWP ${calc.gwp} · ${t('common.dataset')} ${calc.database} · ${t('common.run')} ${calc.run_id ?? '–'}`),
    el('h3', {}, t('lca.categories', { gwp: calc.gwp })), table,
    el('h3', {}, t('lca.contributions')), items.length ? bars(items, { unit: contrib.unit, width: 760, labelWidth: 300, id: 'lca-contrib' }) : el('p', {}, t('common.none')),
    el('h3', {}, t('lca.tree')), links.length ? sankeyDiagram(nodes, links, { unit: tree.unit, id: 'lca-sankey' }) : el('p', {}, t('common.none')));
}
