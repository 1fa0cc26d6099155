// The country page: the ledger of one country and year from GET /api/account?country=ISO&year=Y (the CLI's
// `panocarbon account --country ISO --year Y --format json`), and its time series from
// GET /api/account?country=ISO (every year held).
import { get, apiUrl } from './api.js';
import { t } from './i18n.js';
import { el, fmt, pct } from './format.js';
import { NAME_BY_ISO } from './map.js';
import { bars, lines, sankeyDiagram } from './charts.js';

const ORDER = ['production', 'consumption', 'imports', 'exports', 'net_transfer', 'natural'];
const SIDE_COLOR = { production: '#c0392b', consumption: '#e67e22', imports: '#8e44ad', exports: '#2980b9', net_transfer: '#7f8c8d', natural: '#27ae60' };

function indicatorLabel(ind) {
  if (ORDER.includes(ind)) return t(`ind.${ind}`);
  const m = ind.match(/^(.*)_per_capita$/);
  if (m && ORDER.includes(m[1])) return `${t(`ind.${m[1]}`)}, ${t('map.per_capita')}`;
  return ind;
}
function orderKey(ind) {
  const base = ind.replace(/_per_capita$/, '');
  const i = ORDER.indexOf(base);
  return (i < 0 ? 100 : i) * 2 + (ind.endsWith('_per_capita') ? 1 : 0);
}
const short = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const isWiod = (s) => String(s).startsWith('wiod2013-co2');
const isGcb = (s) => s === 'gcb2019' || String(s).startsWith('gcb2019/');

export async function renderCountry(root, iso, params, navigate) {
  root.replaceChildren(el('p', { class: 'loading' }, t('common.loading')));
  const info = await get('ledger/info');
  const years = info.years || [];
  let year = Number(params.get('year'));
  if (!years.includes(year)) year = years.includes(2009) ? 2009 : years[years.length - 1];
  const [ledger, series] = await Promise.all([get('account', { country: iso, year }), get('account', { country: iso })]);
  const rows = ledger.rows || [];
  const name = (rows[0] && rows[0].name) || NAME_BY_ISO.get(iso) || iso;

  const yearSelect = el('select', { id: 'country-year', onchange: (e) => navigate(`#/country/${iso}?year=${e.target.value}`) },
    years.map((y) => el('option', { value: y, selected: y === year }, String(y))));
  const parts = [
    el('p', {}, el('a', { href: `#/map?year=${year}` }, t('common.back_map'))),
    el('h1', { id: 'country-title' }, t('country.title', { name, iso, year })),
    el('div', { class: 'controls' }, el('label', { for: 'country-year', class: 'label' }, t('common.year')), yearSelect),
  ];
  if (!rows.length) {
    parts.push(el('p', { class: 'warn' }, t('country.no_rows', { iso, year })));
  } else {
    parts.push(sidesSection(rows));
  }
  parts.push(downloads(iso, year));
  if (rows.length) {
    parts.push(sectorsSection(ledger.sectors || []));
    parts.push(partnersSection(iso, ledger.partners || []));
  }
  parts.push(seriesSection(series.rows || []));
  root.replaceChildren(...parts);
}

function sidesSection(rows) {
  const sources = [...new Set(rows.map((r) => r.source))].sort((a, b) => (isWiod(a) ? 0 : isGcb(a) ? 1 : 2) - (isWiod(b) ? 0 : isGcb(b) ? 1 : 2) || a.localeCompare(b));
  const indicators = [...new Set(rows.map((r) => r.indicator))].sort((a, b) => orderKey(a) - orderKey(b) || a.localeCompare(b));
  const cell = new Map(rows.map((r) => [`${r.indicator}\u0000${r.source}`, r]));
  const wiod = sources.find(isWiod), gcb = sources.find(isGcb);
  const head = el('tr', {}, el('th', {}, t('map.indicator')), sources.map((s) => el('th', {}, s)),
    wiod && gcb ? el('th', {}, t('country.difference')) : null, el('th', {}, t('common.unit')));
  const body = indicators.map((ind) => {
    let unit = '';
    const tds = sources.map((s) => {
      const r = cell.get(`${ind}\u0000${s}`);
      if (!r) return el('td', { class: 'num empty' }, '–');
      unit = r.unit;
      const hasRange = r.lower !== null && r.lower !== undefined && r.upper !== null && r.upper !== undefined;
      const prov = `${t('common.dataset')}: ${r.dataset || s}; ${t('common.version')}: ${r.version || '–'}; ${t('common.run')}: ${r.run_id ?? '–'}${r.gwp ? `; GWP ${r.gwp}` : ''}${r.note ? `; ${r.note}` : ''}`;
      return el('td', { class: 'num', 'data-indicator': ind, 'data-source': s, 'data-value': r.value, title: prov },
        el('span', { class: 'value' }, fmt(r.value)),
        hasRange ? el('span', { class: 'range' }, ` [${fmt(r.lower)} – ${fmt(r.upper)}]`) : null);
    });
    let diff = null;
    if (wiod && gcb) {
      const a = cell.get(`${ind}\u0000${wiod}`), b = cell.get(`${ind}\u0000${gcb}`);
      diff = el('td', { class: 'num diff' }, a && b && b.value !== 0 ? pct((a.value - b.value) / Math.abs(b.value)) : '–');
    }
    return el('tr', {}, el('th', { scope: 'row' }, indicatorLabel(ind)), tds, diff, el('td', {}, unit));
  });
  const table = el('table', { id: 'ledger-table', class: 'ledger' }, el('thead', {}, head), el('tbody', {}, body));

  // Bars: the Mt CO2 sides, one group per source, with uncertainty bars where a range exists.
  const charts = sources.map((s) => {
    const items = ORDER.map((ind) => cell.get(`${ind}\u0000${s}`)).filter(Boolean).map((r) => ({
      label: indicatorLabel(r.indicator), value: r.value, lower: r.lower ?? NaN, upper: r.upper ?? NaN, color: SIDE_COLOR[r.indicator],
    }));
    if (!items.length) return null;
    const unit = cell.get(`${ORDER.find((i) => cell.has(`${i}\u0000${s}`))}\u0000${s}`).unit;
    return el('figure', { class: 'side-chart' }, el('figcaption', {}, s), bars(items, { unit, width: 460, labelWidth: 150 }));
  });

  const prov = sources.map((s) => {
    const r = rows.find((x) => x.source === s);
    return el('li', { 'data-source': s }, el('strong', {}, s), `: ${t('common.dataset')} ${r.dataset || '–'}, ${t('common.version')} ${r.version || '–'}, ${t('common.run')} ${r.run_id ?? '–'}${r.side ? `, ${r.side}` : ''}${r.note ? ` — ${r.note}` : ''}`);
  });
  return el('section', { id: 'sides' }, el('h2', {}, t('country.sides')), el('p', { class: 'muted' }, t('country.sides_note')), table,
    el('h3', {}, t('country.bars')), el('div', { class: 'side-charts' }, charts),
    el('h3', {}, t('country.provenance')), el('ul', { id: 'provenance' }, prov));
}

function downloads(iso, year) {
  return el('section', { id: 'downloads' }, el('h2', {}, t('country.downloads')),
    el('p', {}, ['csv', 'json', 'xlsx'].map((f) => el('a', {
      class: 'button', href: apiUrl('account', { country: iso, year, format: f }), download: `panocarbon-${iso}-${year}.${f}`, 'data-format': f,
    }, `${t('common.download')} ${f.toUpperCase()}`))));
}

function sectorsSection(sectors) {
  const bySource = new Map();
  sectors.forEach((s) => { if (!bySource.has(s.source)) bySource.set(s.source, []); bySource.get(s.source).push(s); });
  if (!bySource.size) return el('section', { id: 'sectors' }, el('h2', {}, t('country.sectors_title')), el('p', { class: 'muted' }, t('country.sectors_none')));
  return el('section', { id: 'sectors' }, [...bySource].map(([source, list]) => {
    const unit = list[0].unit;
    const top = (key) => [...list].sort((a, b) => Math.abs(b[key]) - Math.abs(a[key])).slice(0, 12)
      .map((s) => ({ label: short(s.sector_name || s.sector, 40), value: s[key], color: SIDE_COLOR[key], title: `${s.sector} ${s.sector_name || ''}: ${fmt(s[key])} ${unit}` }));
    return el('div', {}, el('h2', {}, t('country.sectors', { source })),
      el('div', { class: 'side-charts' },
        el('figure', {}, el('figcaption', {}, t('ind.production')), bars(top('production'), { unit, width: 560, labelWidth: 270 })),
        el('figure', {}, el('figcaption', {}, t('ind.consumption')), bars(top('consumption'), { unit, width: 560, labelWidth: 270 }))));
  }));
}

function partnersSection(iso, partners) {
  const bySource = new Map();
  partners.forEach((p) => { if (!bySource.has(p.source)) bySource.set(p.source, []); bySource.get(p.source).push(p); });
  if (!bySource.size) return el('section', { id: 'partners' }, el('h2', {}, t('country.partners_title')), el('p', { class: 'muted' }, t('country.partners_none')));
  return el('section', { id: 'partners' }, [...bySource].map(([source, list]) => {
    const unit = list[0].unit;
    const top = [...list].sort((a, b) => (b.exports + b.imports) - (a.exports + a.imports)).slice(0, 10);
    // Sankey of embodied flows: partners on the left send what their emissions embodied in this country's
    // final demand (imports); this country sends to the partners on the right what its emissions are
    // embodied in theirs (exports).
    const nodes = [...top.map((p) => ({ name: `${p.partner} → ${iso}` })), { name: iso }, ...top.map((p) => ({ name: `${iso} → ${p.partner}` }))];
    const c = top.length;
    const links = [
      ...top.map((p, j) => ({ source: j, target: c, value: Math.max(0, p.imports) })),
      ...top.map((p, j) => ({ source: c, target: c + 1 + j, value: Math.max(0, p.exports) })),
    ].filter((l) => l.value > 0);
    const table = el('table', { class: 'ledger partners-table' },
      el('thead', {}, el('tr', {}, el('th', {}, t('country.partner')), el('th', {}, t('ind.exports')), el('th', {}, t('ind.imports')), el('th', {}, t('common.unit')))),
      el('tbody', {}, top.map((p) => el('tr', { 'data-partner': p.partner },
        el('th', { scope: 'row' }, `${p.partner_name || p.partner} (${p.partner})`),
        el('td', { class: 'num', 'data-value': p.exports }, fmt(p.exports)),
        el('td', { class: 'num', 'data-value': p.imports }, fmt(p.imports)),
        el('td', {}, p.unit)))));
    return el('div', {}, el('h2', {}, t('country.partners', { source })),
      el('p', { class: 'muted' }, t('country.partners_note', { iso })),
      el('figure', { class: 'flows' }, el('figcaption', {}, `${t('ind.imports')} → ${iso} → ${t('ind.exports')} (${unit})`), sankeyDiagram(nodes, links, { unit, id: 'partners-sankey', width: 900, height: 380 })), table);
  }));
}

function seriesSection(rows) {
  const make = (pred, domain, title, id) => {
    const pick = (ind) => rows.filter((r) => pred(r.source) && r.indicator === ind && r.year >= domain[0] && r.year <= domain[1])
      .map((r) => [r.year, r.value]).sort((a, b) => a[0] - b[0]);
    const series = [
      { name: t('ind.production'), color: SIDE_COLOR.production, points: pick('production') },
      { name: t('ind.consumption'), color: SIDE_COLOR.consumption, points: pick('consumption') },
    ].filter((s) => s.points.length);
    const unit = (rows.find((r) => pred(r.source) && r.indicator === 'production') || {}).unit || 'Mt CO2';
    return el('figure', { class: 'series' }, el('figcaption', {}, title),
      series.length ? lines(series, { unit, xDomain: domain, id }) : el('p', { class: 'muted' }, t('country.series_none')));
  };
  return el('section', { id: 'series' }, el('h2', {}, t('country.series')), el('div', { class: 'side-charts' },
    make(isWiod, [2000, 2010], t('country.series_wiod'), 'series-wiod'),
    make(isGcb, [1990, 2017], t('country.series_gcb'), 'series-gcb')));
}
