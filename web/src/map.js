// The carbon map: a world choropleth of one indicator of one dataset and year (GET /api/ledger/info for the
// datasets and years, GET /api/account?year=Y&all=true for the values).
import { geoEqualEarth, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';
import iso from 'virtual:iso3166';
import { get } from './api.js';
import { t, has } from './i18n.js';
import { el, svg, fmt, withCode } from './format.js';
import { makeScale, NO_DATA, DIVERGING } from './scales.js';
import { datasetsOf, mapRows } from './ledger.js';

export const ISO_BY_NUMERIC = new Map(iso.map(([n, a3]) => [n, a3]));
export const NAME_BY_ISO = new Map(iso.map(([, a3, name]) => [a3, name]));
const countries = feature(world, world.objects.countries).features;

export const INDICATORS = ['production', 'consumption', 'net_transfer', 'natural'];

const cache = new Map();
async function worldTable(year) {
  if (!cache.has(year)) cache.set(year, get('account', { year, all: true }).catch((e) => { cache.delete(year); throw e; }));
  return cache.get(year);
}
export function clearMapCache() { cache.clear(); }

export async function renderMap(root, params, navigate) {
  root.replaceChildren(el('p', { class: 'loading' }, t('common.loading')));
  const info = await get('ledger/info');
  const datasets = datasetsOf(info);
  if (!datasets.length) {
    root.replaceChildren(el('div', { class: 'note', id: 'dataset-note' }, el('p', {}, t('map.empty')), loadMore()));
    return;
  }
  const ds = datasets.find((d) => d.dataset === params.get('dataset'))
    || datasets.find((d) => d.dataset === 'gcb2019') || datasets[0];
  const years = ds.years.length ? ds.years : info.years;
  let year = Number(params.get('year'));
  if (!years.includes(year)) year = years[years.length - 1];
  const indicator = INDICATORS.includes(params.get('indicator')) ? params.get('indicator') : 'production';
  const perCapita = params.get('pc') === '1';
  const key = perCapita ? `${indicator}_per_capita` : indicator;
  const go = (changes) => {
    const p = new URLSearchParams({ dataset: ds.dataset, year, indicator, pc: perCapita ? '1' : '0', ...changes });
    navigate(`#/map?${p}`);
  };

  // Controls.
  const toggles = el('div', { class: 'toggles', role: 'group', 'aria-label': t('map.indicator') },
    INDICATORS.map((i) => el('button', {
      class: i === indicator ? 'toggle active' : 'toggle', 'data-indicator': i, 'aria-pressed': i === indicator,
      onclick: () => go({ indicator: i }),
    }, t(`ind.${i}`))),
    el('label', { class: 'pc' }, el('input', {
      type: 'checkbox', id: 'per-capita', checked: perCapita, onchange: (e) => go({ pc: e.target.checked ? '1' : '0' }),
    }), ` ${t('map.per_capita')}`));
  const select = el('select', { id: 'dataset', onchange: (e) => go({ dataset: e.target.value }) },
    datasets.map((d) => el('option', { value: d.dataset, selected: d.dataset === ds.dataset }, d.dataset)));
  const yearLabel = el('output', { id: 'year-label' }, String(year));
  const slider = el('input', {
    type: 'range', id: 'year', min: years[0], max: years[years.length - 1], step: 1, value: year,
    oninput: (e) => { yearLabel.textContent = e.target.value; },
    onchange: (e) => {
      // Snap to a year the dataset holds.
      const v = Number(e.target.value);
      const snap = years.reduce((b, y) => (Math.abs(y - v) < Math.abs(b - v) ? y : b), years[0]);
      go({ year: snap });
    },
  });
  const controls = el('div', { class: 'controls' },
    el('div', {}, el('span', { class: 'label' }, t('map.indicator')), toggles),
    el('div', {}, el('label', { for: 'dataset', class: 'label' }, t('map.dataset')), select),
    el('div', {}, el('label', { for: 'year', class: 'label' }, t('map.year')), slider, yearLabel));

  const table = await worldTable(year);
  const rows = mapRows(table.rows, ds.dataset, key, (c) => NAME_BY_ISO.has(c));
  const byIso = new Map(rows.map((r) => [r.country, r]));
  const sc = makeScale(key, rows.map((r) => r.value));
  const unit = rows[0] ? rows[0].unit : (perCapita ? 't CO2/person' : 'Mt CO2');
  const gwp = rows.find((r) => r.gwp) ? rows.find((r) => r.gwp).gwp : null;

  // The map.
  const width = 960, height = 500;
  const projection = geoEqualEarth().fitSize([width, height - 10], { type: 'Sphere' });
  const path = geoPath(projection);
  const tip = el('div', { class: 'tooltip', id: 'tooltip', hidden: true });
  const shapes = countries.map((f) => {
    const a3 = ISO_BY_NUMERIC.get(Number(f.id));
    const r = a3 ? byIso.get(a3) : undefined;
    const fill = r ? sc.color(r.value) : NO_DATA;
    const p = svg('path', {
      d: path(f), class: 'country', fill, 'data-iso': a3 || '', 'data-value': r ? r.value : '',
    });
    p.addEventListener('mousemove', (ev) => {
      tip.hidden = false;
      tip.replaceChildren(
        el('strong', {}, `${(a3 && NAME_BY_ISO.get(a3)) || f.properties.name} ${a3 ? `(${a3})` : ''}`),
        el('div', {}, r ? `${t(`ind.${indicator}`)}${perCapita ? ` (${t('ind.per_capita')})` : ''}: ${fmt(r.value)} ${r.unit}` : t('common.no_data')),
        r && r.lower !== null && r.upper !== null && r.lower !== undefined
          ? el('div', {}, t('map.tip.range', { lower: fmt(r.lower), upper: fmt(r.upper) })) : null,
        r ? el('div', { class: 'muted' }, `${t('common.source')}: ${r.source}${r.run_id ? ` · ${t('common.run')} ${r.run_id}` : ''}`) : null);
      const box = root.getBoundingClientRect();
      tip.style.left = `${ev.clientX - box.left + 14}px`;
      tip.style.top = `${ev.clientY - box.top + 14}px`;
    });
    p.addEventListener('mouseleave', () => { tip.hidden = true; });
    if (a3) p.addEventListener('click', () => navigate(`#/country/${a3}?year=${year}`));
    return p;
  });
  const mapSvg = svg('svg', { id: 'map', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('nav.map'),
    'data-indicator': key, 'data-dataset': ds.dataset, 'data-year': year, 'data-scale': sc.kind,
    'data-domain': sc.domain.join(',') },
  svg('path', { d: path({ type: 'Sphere' }), class: 'sphere' }), shapes);

  const dsInfo = ds.sources.find((s) => (s.years || []).includes(year)) || ds.sources[0];
  const note = el('div', { class: 'note', id: 'dataset-note' },
    el('p', {}, t('map.shows', { dataset: ds.dataset === 'wiod2013-co2' ? `${ds.dataset}/${year}` : ds.dataset, n: rows.length, year })),
    el('p', { class: 'muted' }, t('map.version', { version: (dsInfo && dsInfo.version) || ds.version || '–' })),
    el('p', { class: 'muted' }, t('map.citation', { citation: (dsInfo && dsInfo.citation) || ds.citation || '–' })),
    has(`map.coverage.${ds.dataset}`) ? el('p', { class: 'muted' }, t(`map.coverage.${ds.dataset}`)) : null,
    rows.length ? null : el('p', { class: 'warn' }, t('map.no_values', { dataset: ds.dataset, year })),
    !rows.length && indicator === 'natural' ? el('p', {}, withCode(t('map.natural_hint'))) : null,
    loadMore());

  root.replaceChildren(...[el('h1', {}, t('nav.map')), controls,
    el('div', { class: 'map-wrap' }, mapSvg, tip),
    rows.length ? legend(sc, unit, gwp, key) : null,
    el('p', { class: 'muted' }, t('map.click_hint')),
    note].filter(Boolean));
}

function loadMore() {
  return el('div', { class: 'load-more' }, el('p', {}, t('map.load_more')), el('ul', {},
    el('li', {}, el('code', {}, 'panocarbon ledger build ../shared/data/mrio/wiod2013-co2 ../shared/data/national/gcb2019'), ' — ', t('map.load_more.build')),
    el('li', {}, el('code', {}, 'panocarbon data fetch gcb --dest DIR'), ' — ', t('map.load_more.fetch'))));
}

function legend(sc, unit, gwp, key) {
  const w = 360, h = 46, bar = 12;
  const stops = [];
  for (let i = 0; i <= 20; i++) {
    const f = i / 20;
    let v;
    if (sc.kind === 'log') v = Math.exp(Math.log(sc.domain[0]) + f * (Math.log(sc.domain[1]) - Math.log(sc.domain[0])));
    else v = sc.scale.invert ? sc.scale.invert(f) : sc.domain[0] + f * (sc.domain[2] - sc.domain[0]);
    stops.push(svg('stop', { offset: `${f * 100}%`, 'stop-color': sc.color(v) }));
  }
  let ticks;
  if (sc.kind === 'log') {
    const [lo, hi] = sc.domain;
    const fx = (v) => ((Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * w;
    ticks = sc.scale.ticks(4).filter((v) => v >= lo && v <= hi).map((v) => [fx(v), v]);
    ticks = ticks.filter((_, i) => i % Math.ceil(ticks.length / 6) === 0);
  } else {
    const m = sc.domain[2];
    const fx = (v) => sc.scale.copy().interpolator((x) => x)(v) * w;
    ticks = [-m, -m / 10, 0, m / 10, m].map((v) => [fx(v), v]);
  }
  const g = svg('svg', { id: 'legend', viewBox: `0 0 ${w + 40} ${h}`, width: w + 40, height: h },
    svg('defs', {}, svg('linearGradient', { id: 'legend-gradient' }, stops)),
    svg('rect', { x: 20, y: 4, width: w, height: bar, fill: 'url(#legend-gradient)', stroke: '#888' }),
    ticks.map(([x, v]) => svg('g', { transform: `translate(${20 + x},0)` },
      svg('line', { y1: 4, y2: 4 + bar + 4, stroke: '#333' }),
      svg('text', { y: 4 + bar + 16, 'text-anchor': 'middle', 'font-size': 11 }, fmt(v, 2)))));
  const gwpText = gwp ? t('map.gwp_set', { gwp }) : t('map.gwp_none');
  return el('div', { class: 'legend' },
    el('div', { class: 'legend-title' }, `${t('map.legend')}: ${unit} — ${gwpText}`),
    g,
    el('div', { class: 'legend-nodata' }, el('span', { class: 'swatch', style: `background:${NO_DATA}` }), ` ${t('common.no_data')}`),
    DIVERGING.has(key) ? el('p', { class: 'muted' }, key.startsWith('net') ? t('map.net_note') : t('map.natural_note')) : null);
}

export { withCode };
