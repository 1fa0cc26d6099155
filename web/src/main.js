// The panocarbon web application: a hash router over the views, a language switch, error display.
import { t, getLang, setLang, strings } from './i18n.js';
import { el } from './format.js';
import { renderMap } from './map.js';
import { renderCountry } from './country.js';
import { renderLca } from './lca.js';
import { renderUncertainty } from './uncertainty.js';
import { renderChat } from './chat.js';

const root = document.getElementById('view');
const nav = document.getElementById('nav');

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function header() {
  const here = location.hash.split('?')[0] || '#/map';
  const link = (hash, key) => el('a', { href: hash, class: here.startsWith(hash) || (hash === '#/map' && here.startsWith('#/country')) ? 'active' : '', 'data-nav': key }, t(`nav.${key}`));
  nav.replaceChildren(
    el('span', { class: 'brand' }, el('strong', {}, t('app.title')), ' ', el('span', { class: 'muted' }, t('app.subtitle'))),
    link('#/map', 'map'), link('#/lca', 'lca'), link('#/uncertainty', 'uncertainty'), link('#/chat', 'chat'),
    el('button', { id: 'lang', type: 'button', title: t('lang.label'), onclick: () => { setLang(getLang() === 'en' ? 'zh' : 'en'); route(); } }, t('lang.switch')));
  document.title = `${t('app.title')} — ${t('app.subtitle')}`;
}

let generation = 0;
async function route() {
  const gen = ++generation;
  header();
  const [path, query] = (location.hash || '#/map').slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  document.body.dataset.view = parts[0] || 'map';
  document.body.dataset.ready = '0';
  try {
    if (parts[0] === 'country' && parts[1]) await renderCountry(root, parts[1].toUpperCase(), params, navigate);
    else if (parts[0] === 'lca') await renderLca(root, params, navigate);
    else if (parts[0] === 'uncertainty') await renderUncertainty(root, params, navigate);
    else if (parts[0] === 'chat') renderChat(root);
    else await renderMap(root, params, navigate);
  } catch (err) {
    if (gen !== generation) return;
    root.replaceChildren(el('div', { class: 'error', id: 'error' },
      el('strong', {}, `${t('common.error')}: `), err.message,
      err.field ? ` (${err.field})` : '', err.category ? el('span', { class: 'muted' }, ` [${err.category}]`) : ''));
  }
  if (gen === generation) document.body.dataset.ready = '1';
}

setLang(getLang());
window.addEventListener('hashchange', route);
// For the browser test: both dictionaries have the same keys.
window.panocarbonStrings = strings;
route();
