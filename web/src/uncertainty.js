// Uncertainty: `lca montecarlo` run as a job (POST /api/jobs, polled at GET /api/jobs/ID, cancelled with
// DELETE), each impact category's distribution shown from the result.
import { get, post, del } from './api.js';
import { t } from './i18n.js';
import { el, fmt, withCode } from './format.js';
import { bars, histogram, intervalPlot } from './charts.js';

let polling = null;

export async function renderUncertainty(root) {
  if (polling) { clearTimeout(polling); polling = null; }
  root.replaceChildren(el('p', { class: 'loading' }, t('common.loading')));
  const dbs = await get('lca/databases');
  const list = Array.isArray(dbs) ? dbs : (dbs.databases || []);
  const head = [el('h1', {}, t('uq.title')), el('p', { class: 'muted' }, withCode(t('uq.intro')))];
  if (!list.length) {
    root.replaceChildren(...head, el('div', { class: 'note' }, el('p', {}, t('lca.no_db')),
      el('pre', {}, 'panocarbon lca import ../shared/data/lca/uslci-jsonld --name uslci')));
    return;
  }
  const db = el('select', { id: 'uq-db' }, list.map((d) => el('option', { value: d.name }, d.name)));
  const proc = el('input', { id: 'uq-process', value: 'Portland cement, at plant', size: 40 });
  const draws = el('input', { id: 'uq-draws', type: 'number', min: 10, max: 100000, value: 1000 });
  const seed = el('input', { id: 'uq-seed', type: 'number', min: 0, value: 1 });
  const status = el('div', { id: 'uq-status', class: 'muted' });
  const bar = el('progress', { id: 'uq-progress', max: 1, value: 0, hidden: true });
  const out = el('div', { id: 'uq-result' });
  const cancel = el('button', { type: 'button', hidden: true }, t('uq.cancel'));
  let jobId = null;
  cancel.addEventListener('click', async () => { if (jobId) await del(`jobs/${encodeURIComponent(jobId)}`).catch(() => {}); });
  const form = el('form', { class: 'controls', onsubmit: async (e) => {
    e.preventDefault();
    out.replaceChildren();
    try {
      const job = await post('jobs', { capability: 'lca montecarlo', params: {
        database: db.value, process: proc.value, draws: Number(draws.value), seed: Number(seed.value) } });
      jobId = job.id;
      cancel.hidden = false; bar.hidden = false;
      const poll = async () => {
        const j = await get(`jobs/${encodeURIComponent(jobId)}`);
        status.textContent = t('uq.status', { id: j.id, status: j.status });
        if (j.progress && j.progress.total) {
          bar.max = j.progress.total; bar.value = j.progress.done;
          status.textContent += ` — ${t('uq.progress', { label: j.progress.label || '', done: j.progress.done, total: j.progress.total })}`;
        }
        if (j.status === 'done') { cancel.hidden = true; out.replaceChildren(showResult(j.result, j.run_id)); return; }
        if (j.status === 'failed' || j.status === 'cancelled') {
          cancel.hidden = true;
          if (j.error) out.replaceChildren(el('p', { class: 'error' }, typeof j.error === 'string' ? j.error : j.error.message));
          return;
        }
        polling = setTimeout(poll, 400);
      };
      await poll();
    } catch (err) {
      out.replaceChildren(el('p', { class: 'error' }, `${t('common.error')}: ${err.message}`));
    }
  } },
  el('label', { class: 'label', for: 'uq-db' }, t('lca.database')), db,
  el('label', { class: 'label', for: 'uq-process' }, t('uq.process')), proc,
  el('label', { class: 'label', for: 'uq-draws' }, t('uq.draws')), draws,
  el('label', { class: 'label', for: 'uq-seed' }, t('uq.seed')), seed,
  el('button', { type: 'submit', id: 'uq-run' }, t('uq.run')), cancel);
  root.replaceChildren(...head, form, bar, status, out);
}

function showResult(r, runId) {
  const cats = r.categories || [];
  const labels = { interval: t('uq.interval'), mean: t('uq.mean'), median: t('uq.median'), deterministic: t('uq.deterministic') };
  const parts = [el('h2', {}, t('uq.summary', { n: r.setup ? r.setup.draws : '?', seed: r.setup ? r.setup.seed : '?' })),
    el('p', { class: 'muted' }, `${r.database} · ${r.functional_unit ? `${r.functional_unit.amount} ${r.functional_unit.unit} ${r.functional_unit.product}` : ''} · ${r.method} · ${t('common.run')} ${runId ?? '–'}`)];
  // The capability's histogram: equal-width bins between the smallest and the largest draw.
  const withHist = cats.filter((c) => c.histogram && Array.isArray(c.histogram.counts) && c.histogram.counts.length);
  if (withHist.length) {
    withHist.forEach((c) => {
      const { lower, upper, counts } = c.histogram;
      const edges = counts.map((_, i) => lower + ((upper - lower) * i) / counts.length).concat([upper]);
      parts.push(el('h3', {}, `${t('uq.histogram')}: ${c.category}`),
        histogram(edges, counts, { unit: c.unit, id: `uq-hist-${c.category}` }));
    });
  } else {
    parts.push(el('p', { class: 'muted' }, t('uq.no_histogram')));
  }
  parts.push(intervalPlot(cats, { labels, id: 'uq-intervals' }));
  parts.push(el('table', { class: 'ledger' },
    el('thead', {}, el('tr', {}, ['lca.category', 'uq.deterministic', 'uq.mean', 'uq.sd', 'uq.median', 'uq.interval'].map((k) => el('th', {}, t(k))), el('th', {}, t('common.unit')))),
    el('tbody', {}, cats.map((c) => el('tr', { 'data-category': c.category }, el('th', {}, c.category),
      [['deterministic', c.deterministic], ['mean', c.mean], ['sd', c.sd], ['median', c.median]].map(([k, v]) => el('td', { class: 'num', 'data-stat': k, 'data-value': v }, fmt(v))),
      el('td', { class: 'num' }, `${fmt(c.p2_5)} – ${fmt(c.p97_5)}`), el('td', {}, c.unit))))));
  const contrib = cats[0] && cats[0].contributions ? cats[0].contributions : [];
  if (contrib.length) {
    parts.push(el('h3', {}, `${t('uq.contributors')} (${cats[0].category})`),
      bars(contrib.map((c) => ({ label: (c.process || '').slice(0, 40), value: c.share_pct, color: '#59a14f' })), { unit: '%', width: 700, labelWidth: 300 }));
  }
  return el('div', {}, parts);
}
