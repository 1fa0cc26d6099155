// The chat panel: a question in English or Chinese goes to POST /api/chat (docs/api.md, docs/chat.md); the
// server's agents plan, run the registry's tools and answer, every number from a tool result. Each answer shows
// its citations (capability, source, run id), its plan (agent → tool → arguments) and the tools' results; a
// question back is shown as such, and the reply continues the conversation (the earlier turns go as history).
import { t, getLang } from './i18n.js';
import { el, withCode } from './format.js';
import { post } from './api.js';

// The example questions, in both languages (any may be asked whatever the page's language).
export const EXAMPLES = [
  '中国2009年的消费侧排放是多少?',
  'What is the carbon footprint of 1 kg of Portland cement in USLCI?',
  '瑞典2020年的自然碳汇是多少?',
  "How much of China's 2009 production-side CO2 was embodied in exports, and how uncertain is that?",
  'footprint of 1 kg of Portland cement in USLCI and its 95 % range',
];

const MAX_HISTORY = 50;  // the server takes at most 50 earlier turns
// The conversation of this page (kept while the page lives: switching views or languages keeps it).
const turns = [];  // {question, answer?, error?, pending?}

// What the server needs of the earlier turns to continue the conversation: each question with the plan it got
// (steps, question back, language, intent, slots); failed turns are left out.
export function historyOf(list) {
  return list.filter((x) => x.answer).slice(-MAX_HISTORY).map((x) => ({
    question: x.question,
    plan: {
      plan: (x.answer.plan || []).map((s) => ({ agent: s.agent, tool: s.tool, arguments: s.arguments || {} })),
      clarify: x.answer.clarify || '',
      language: x.answer.language === 'zh' ? 'zh' : 'en',
      intent: x.answer.intent || 'unknown',
      slots: x.answer.slots && typeof x.answer.slots === 'object' ? x.answer.slots : {},
    },
  }));
}

// The answer text split around its citation marks: ["text", 1, " more", 2 ...] (numbers are the marks [n]).
export function citeParts(text) {
  return String(text || '').split(/\[(\d+)\]/).map((p, i) => (i % 2 ? Number(p) : p)).filter((p) => p !== '');
}

// Each step's result as {tool, run_id, result, error}: the answer's `results` (the registry's JSON rendering of
// each step) beside `errors` and `steps` (the tool and run id as it ran).
export function stepResults(a) {
  return (a.results || []).map((result, k) => {
    const ran = (a.steps || [])[k] || {};
    const planned = (a.plan || [])[k] || {};
    return {
      tool: ran.tool || planned.tool || '',
      run_id: ran.run_id || null,
      result,
      error: (a.errors || [])[k] || '',
    };
  });
}

// A citation as one line: capability, source or dataset, run id, version.
export function citationText(c) {
  const parts = [c.capability || c.tool || ''];
  const source = c.source || c.dataset;
  if (source) parts.push(`${t('common.source')}: ${typeof source === 'string' ? source : JSON.stringify(source)}`);
  if (c.dataset && c.source && c.dataset !== c.source) parts.push(`${t('common.dataset')}: ${c.dataset}`);
  // a read (account, searches) logs no run: its run id is 0, and it names the runs that stored its data if known
  const stored = Array.isArray(c.data_runs) ? c.data_runs.filter((x) => x) : [];
  if (c.run_id) parts.push(t('chat.run', { id: c.run_id }));
  else parts.push(stored.length ? t('chat.data_runs', { ids: stored.join(', ') }) : t('chat.no_run'));
  if (c.version) parts.push(`${t('common.version')} ${c.version}`);
  return parts.filter(Boolean).join(' · ');
}

function json(v) {
  const s = JSON.stringify(v, null, 2);
  return s.length > 6000 ? `${s.slice(0, 6000)}\n… (${t('chat.truncated', { n: s.length })})` : s;
}

function renderAnswer(turn, i) {
  const a = turn.answer;
  const box = el('div', { class: 'chat-a', 'data-turn': i });
  const clarify = a.clarify && a.clarify.trim() !== '';
  if (clarify) {
    box.classList.add('clarify');
    box.append(el('div', { class: 'chat-label' }, t('chat.clarify')),
      el('p', { class: 'chat-text', 'data-clarify': '1' }, a.answer && a.answer.trim() ? a.answer : a.clarify),
      el('p', { class: 'muted' }, t('chat.clarify_hint')));
  } else {
    const text = el('p', { class: 'chat-text' });
    for (const p of citeParts(a.answer)) {
      text.append(typeof p === 'number' ? el('a', { class: 'cite-ref', href: `#/chat`, 'data-ref': p,
        onclick: (e) => { e.preventDefault(); const li = document.getElementById(`cite-${i}-${p}`); if (li) li.scrollIntoView({ block: 'nearest' }); } }, `[${p}]`) : p);
    }
    box.append(text);
  }
  for (const w of a.warnings || []) box.append(el('p', { class: 'warn' }, w));
  const citations = a.citations || [];
  if (citations.length) {
    box.append(el('div', { class: 'chat-label' }, t('chat.citations')),
      el('ol', { class: 'citations' }, citations.map((c, k) => el('li', {
        class: 'citation', id: `cite-${i}-${k + 1}`, 'data-capability': c.capability || '', 'data-run-id': c.run_id || '',
        'data-data-runs': Array.isArray(c.data_runs) ? c.data_runs.join(',') : '',
      }, citationText(c)))));
  }
  const plan = a.plan || [];
  if (plan.length) {
    box.append(el('details', { class: 'chat-plan' }, el('summary', {}, t('chat.plan', { n: plan.length })),
      el('ol', {}, plan.map((s) => el('li', { 'data-agent': s.agent, 'data-tool': s.tool },
        el('span', { class: 'agent' }, t(`chat.agent.${s.agent}`)), ' → ', el('code', {}, s.tool), ' → ',
        el('code', { class: 'args' }, JSON.stringify(s.arguments || {})),
        s.why ? el('div', { class: 'muted' }, s.why) : null)))));
  }
  const results = stepResults(a);
  if (results.length) {
    box.append(el('details', { class: 'chat-results' }, el('summary', {}, t('chat.results', { n: results.length })),
      results.map((r, k) => {
        const head = el('div', { class: 'chat-label' }, `${k + 1}. `, el('code', {}, r.tool),
          r.run_id ? ` · ${t('chat.run', { id: r.run_id })}` : '');
        if (r.error) return el('div', { class: 'chat-result', 'data-step': k }, head, el('div', { class: 'error' }, r.error));
        return el('div', { class: 'chat-result', 'data-step': k }, head, el('pre', {}, json(r.result)));
      })));
  }
  box.append(el('div', { class: 'muted planner' }, t('chat.planner', { planner: a.planner || 'deterministic' })));
  return box;
}

function renderTurn(turn, i) {
  const wrap = el('div', { class: 'chat-turn', 'data-turn': i },
    el('div', { class: 'chat-q' }, el('span', { class: 'chat-label' }, `${t('chat.you')}: `), turn.question));
  if (turn.pending) wrap.append(el('div', { class: 'chat-a pending muted' }, t('chat.thinking')));
  else if (turn.error) {
    const e = turn.error;
    wrap.append(el('div', { class: 'chat-a error', 'data-turn': i }, el('strong', {}, `${t('common.error')}: `), e.message,
      e.field ? ` (${e.field})` : '', e.category ? el('span', { class: 'muted' }, ` [${e.category}]`) : ''));
  } else wrap.append(renderAnswer(turn, i));
  return wrap;
}

export function renderChat(root) {
  const log = el('div', { id: 'chat-log', 'aria-live': 'polite' });
  const input = el('textarea', { id: 'chat-input', rows: 2, placeholder: t('chat.input'), 'aria-label': t('chat.input') });
  const send = el('button', { id: 'chat-send', type: 'button' }, t('chat.send'));
  const draw = () => {
    log.replaceChildren(...turns.map(renderTurn));
    const busy = turns.some((x) => x.pending);
    send.disabled = busy;
    document.body.dataset.chat = busy ? 'busy' : 'idle';
    const last = log.lastElementChild;
    if (last && last.scrollIntoView) last.scrollIntoView({ block: 'nearest' });
  };
  async function ask(question) {
    const q = question.trim();
    if (!q || turns.some((x) => x.pending)) return;
    const history = historyOf(turns);
    const turn = { question: q, pending: true };
    turns.push(turn);
    input.value = '';
    draw();
    try {
      turn.answer = await post('chat', history.length ? { question: q, history } : { question: q });
    } catch (e) {
      turn.error = { message: e.message, field: e.field, category: e.category };
    }
    turn.pending = false;
    if (document.body.contains(log)) draw();
  }
  send.addEventListener('click', () => ask(input.value));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(input.value); }
  });
  const zhFirst = getLang() === 'zh';
  const examples = [...EXAMPLES].sort((a, b) => (/[\u4e00-\u9fff]/.test(b) === zhFirst) - (/[\u4e00-\u9fff]/.test(a) === zhFirst));
  const clear = el('button', { id: 'chat-clear', type: 'button', class: 'toggle', onclick: () => { turns.splice(0, turns.length); draw(); } }, t('chat.clear'));
  root.replaceChildren(el('h1', {}, t('chat.title')),
    el('div', { class: 'note', id: 'chat-note' }, el('p', {}, withCode(t('chat.intro')))),
    el('div', { class: 'chat-examples' }, el('span', { class: 'label' }, t('chat.examples')),
      examples.map((q) => el('button', { type: 'button', class: 'toggle example', 'data-example': q, onclick: () => ask(q) }, q))),
    log,
    el('div', { class: 'chat-form' }, input, send, clear),
    el('p', { class: 'muted' }, t('chat.enter_hint')));
  draw();
  input.focus();
}
