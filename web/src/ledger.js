// Helpers over the ledger's answers (/api/ledger/info, /api/account), without DOM, so they are unit-tested.

// Datasets of /api/ledger/info: one entry per dataset (wiod2013-co2 has one source per year), years sorted.
export function datasetsOf(info) {
  const by = new Map();
  for (const s of (info && info.sources) || []) {
    const name = s.dataset || String(s.source).split('/')[0];
    const d = by.get(name) || { dataset: name, version: s.version, citation: s.citation, years: new Set(), sources: [] };
    (s.years || []).forEach((y) => d.years.add(y));
    d.sources.push(s);
    by.set(name, d);
  }
  return [...by.values()].map((d) => ({ ...d, years: [...d.years].sort((a, b) => a - b) }));
}

// Whether a row of /api/account belongs to a dataset (`gcb2019`, or `wiod2013-co2` for `wiod2013-co2/2009`).
export function rowOfDataset(r, dataset) {
  return r.dataset === dataset || r.source === dataset || String(r.source).startsWith(`${dataset}/`);
}

// The rows the map colours: one indicator of one dataset, countries of the ISO table, finite values.
export function mapRows(rows, dataset, indicator, isIso) {
  return (rows || []).filter((r) => r.indicator === indicator && rowOfDataset(r, dataset) && isIso(r.country)
    && typeof r.value === 'number' && Number.isFinite(r.value));
}
