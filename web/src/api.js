// The HTTP API of `panocarbon serve` (every capability `a b` is GET /api/a/b?param=...). The JSON answer
// is the CLI's `--format json` rendering; errors come as {"error":{"category","message","field"}}.
export class ApiError extends Error {
  constructor(status, body) {
    const e = body && body.error ? body.error : {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.category = e.category || '';
    this.field = e.field || '';
  }
}

export function apiUrl(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return `/api/${path}${s ? `?${s}` : ''}`;
}

async function parse(res) {
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!res.ok) throw new ApiError(res.status, body || { error: { message: text.slice(0, 300) } });
  return body;
}

export async function get(path, params = {}) {
  return parse(await fetch(apiUrl(path, params), { headers: { Accept: 'application/json' } }));
}

export async function post(path, body) {
  return parse(await fetch(`/api/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  }));
}

export async function del(path) {
  return parse(await fetch(`/api/${path}`, { method: 'DELETE' }));
}
