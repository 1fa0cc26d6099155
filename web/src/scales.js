// The colour scales of the map (docs/web.md, "The carbon map"): one definition, used by the map and its legend.
//   production, consumption, imports, exports and their per-capita values: sequential, logarithmic,
//     d3.interpolateYlOrRd over [smallest positive value, largest value] of the countries shown;
//   net_transfer and natural (which change sign): diverging, symmetric log (constant 1), d3.interpolateRdBu
//     reversed (red = positive) over [-m, 0, m], m = the largest absolute value shown.
// Values <= 0 on a logarithmic scale, and countries without a value, are grey.
import { scaleSequentialLog, scaleDivergingSymlog } from 'd3-scale';
import { interpolateYlOrRd, interpolateRdBu } from 'd3-scale-chromatic';

export const NO_DATA = '#d9d9d9';
export const DIVERGING = new Set(['net_transfer', 'natural', 'net_transfer_per_capita', 'natural_per_capita']);

export function makeScale(indicator, values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (DIVERGING.has(indicator)) {
    const m = Math.max(1e-9, ...finite.map(Math.abs));
    const s = scaleDivergingSymlog((x) => interpolateRdBu(1 - x)).domain([-m, 0, m]).constant(1);
    return { kind: 'diverging', domain: [-m, 0, m], color: (v) => (Number.isFinite(v) ? s(v) : NO_DATA), scale: s };
  }
  const pos = finite.filter((v) => v > 0);
  const lo = pos.length ? Math.min(...pos) : 1;
  let hi = pos.length ? Math.max(...pos) : 10;
  if (hi <= lo) hi = lo * 10;
  const s = scaleSequentialLog(interpolateYlOrRd).domain([lo, hi]);
  return { kind: 'log', domain: [lo, hi], color: (v) => (Number.isFinite(v) && v > 0 ? s(v) : NO_DATA), scale: s };
}
