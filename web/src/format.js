// Numbers as the page shows them: 4 significant digits, thousands grouped; the exact value is in title=.
import { getLang } from './i18n.js';

export function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e15) {
    return new Intl.NumberFormat(getLang() === 'zh' ? 'zh-CN' : 'en-US', { maximumSignificantDigits: digits }).format(v);
  }
  return v.toExponential(digits - 1);
}

export function pct(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)} %`;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const SVGNS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Renders `code` spans for text between backticks.
export function withCode(text) {
  const parts = text.split('`');
  return parts.map((p, i) => (i % 2 ? el('code', {}, p) : p));
}
