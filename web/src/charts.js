// Small SVG charts: bars with uncertainty bars, line charts, a chord diagram, a Sankey diagram, a histogram.
import { scaleLinear, scaleBand, scaleOrdinal } from 'd3-scale';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { chord as d3chord, ribbon as d3ribbon } from 'd3-chord';
import { arc as d3arc, line as d3line } from 'd3-shape';
import { sankey as d3sankey, sankeyLinkHorizontal } from 'd3-sankey';
import { svg, fmt } from './format.js';

// Horizontal bars; items: {label, value, lower, upper, color, title}. Error bars where lower/upper are numbers.
export function bars(items, { unit = '', width = 640, row = 22, labelWidth = 220, id } = {}) {
  const h = items.length * row + 30;
  const vals = items.flatMap((d) => [d.value, d.lower, d.upper, 0]).filter(Number.isFinite);
  const x = scaleLinear().domain([Math.min(...vals), Math.max(...vals)]).nice().range([labelWidth, width - 70]);
  const g = svg('svg', { viewBox: `0 0 ${width} ${h}`, width, height: h, class: 'chart bars', id },
    svg('line', { x1: x(0), x2: x(0), y1: 0, y2: h - 24, stroke: '#666' }),
    x.ticks(Math.max(2, Math.floor((width - labelWidth) / 90))).map((v) => svg('text', { x: x(v), y: h - 8, 'text-anchor': 'middle', 'font-size': 10, fill: '#555' }, fmt(v, 3))),
    svg('text', { x: width - 4, y: h - 8, 'text-anchor': 'end', 'font-size': 10, fill: '#555' }, unit),
    items.map((d, i) => {
      const y = i * row + 4;
      const x0 = x(Math.min(0, d.value)), x1 = x(Math.max(0, d.value));
      const hasRange = Number.isFinite(d.lower) && Number.isFinite(d.upper);
      return svg('g', { class: 'bar', 'data-label': d.label, 'data-value': d.value },
        svg('title', {}, d.title || `${d.label}: ${fmt(d.value)} ${unit}`),
        svg('text', { x: labelWidth - 6, y: y + row * 0.62, 'text-anchor': 'end', 'font-size': 11 }, d.label),
        svg('rect', { x: x0, y: y + 2, width: Math.max(0.5, x1 - x0), height: row - 6, fill: d.color || '#c0392b' }),
        hasRange ? svg('g', { class: 'errorbar', stroke: '#111', 'stroke-width': 1.2 },
          svg('line', { x1: x(d.lower), x2: x(d.upper), y1: y + row / 2 - 1, y2: y + row / 2 - 1 }),
          svg('line', { x1: x(d.lower), x2: x(d.lower), y1: y + 4, y2: y + row - 6 }),
          svg('line', { x1: x(d.upper), x2: x(d.upper), y1: y + 4, y2: y + row - 6 })) : null,
        svg('text', { x: Math.max(x1, hasRange ? x(d.upper) : x1) + 4, y: y + row * 0.62, 'font-size': 10, fill: '#333' }, fmt(d.value)));
    }));
  return g;
}

// Line chart; series: {name, color, points: [[x, y], ...]}.
export function lines(series, { unit = '', width = 460, height = 220, xDomain, id } = {}) {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]).concat([0]);
  const x = scaleLinear().domain(xDomain || [Math.min(...xs), Math.max(...xs)]).range([50, width - 22]);
  const y = scaleLinear().domain([Math.min(...ys), Math.max(...ys)]).nice().range([height - 40, 24]);
  const line = d3line().x((p) => x(p[0])).y((p) => y(p[1]));
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart lines', id },
    y.ticks(5).map((v) => svg('g', {},
      svg('line', { x1: 50, x2: width - 10, y1: y(v), y2: y(v), stroke: '#eee' }),
      svg('text', { x: 46, y: y(v) + 3, 'text-anchor': 'end', 'font-size': 10, fill: '#555' }, fmt(v, 3)))),
    x.ticks(6).map((v) => svg('text', { x: x(v), y: height - 24, 'text-anchor': 'middle', 'font-size': 10, fill: '#555' }, String(v))),
    svg('text', { x: 4, y: 11, 'font-size': 10, fill: '#555' }, unit),
    series.map((s) => svg('path', { d: line(s.points), fill: 'none', stroke: s.color, 'stroke-width': 2, 'data-series': s.name })),
    series.map((s, i) => svg('g', { transform: `translate(${60 + i * 130},${height - 8})` },
      svg('rect', { width: 10, height: 10, y: -9, fill: s.color }),
      svg('text', { x: 14, 'font-size': 11 }, s.name))));
}

// Chord diagram of a square matrix; matrix[i][j] = flow from names[i] to names[j].
export function chordDiagram(names, matrix, { size = 460, unit = '', id } = {}) {
  const outer = size / 2 - 70, inner = outer - 12;
  const layout = d3chord().padAngle(0.03).sortSubgroups((a, b) => b - a)(matrix);
  const color = scaleOrdinal(schemeTableau10).domain(names);
  const arc = d3arc().innerRadius(inner).outerRadius(outer);
  const ribbon = d3ribbon().radius(inner - 1);
  return svg('svg', { viewBox: `${-size / 2} ${-size / 2} ${size} ${size}`, class: 'chart chord', id },
    layout.groups.map((g) => {
      const a = (g.startAngle + g.endAngle) / 2;
      const r = outer + 6;
      return svg('g', { class: 'chord-group', 'data-name': names[g.index] },
        svg('path', { d: arc(g), fill: color(names[g.index]) }),
        svg('text', {
          transform: `rotate(${(a * 180) / Math.PI - 90}) translate(${r},0)${a > Math.PI ? ' rotate(180)' : ''}`,
          'text-anchor': a > Math.PI ? 'end' : 'start', 'font-size': 10, dy: '0.35em',
        }, names[g.index]));
    }),
    layout.map((c) => svg('path', {
      d: ribbon(c), fill: color(names[c.source.index]), 'fill-opacity': 0.7, stroke: '#fff', 'stroke-width': 0.3,
    }, svg('title', {}, `${names[c.source.index]} → ${names[c.target.index]}: ${fmt(matrix[c.source.index][c.target.index])} ${unit}`
      + (c.source.index !== c.target.index ? `\n${names[c.target.index]} → ${names[c.source.index]}: ${fmt(matrix[c.target.index][c.source.index])} ${unit}` : '')))));
}

// Sankey diagram; nodes: [{name}], links: [{source, target, value}] by index.
export function sankeyDiagram(nodes, links, { width = 900, height = 420, unit = '', id } = {}) {
  const layout = d3sankey().nodeWidth(12).nodePadding(10).extent([[1, 5], [width - 1, height - 5]])
    .nodeId((d) => d.index);
  const graph = layout({ nodes: nodes.map((n, i) => ({ ...n, index: i })), links: links.map((l) => ({ ...l })) });
  const color = scaleOrdinal(schemeTableau10);
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart sankey', id },
    graph.links.map((l) => svg('path', {
      d: sankeyLinkHorizontal()(l), fill: 'none', stroke: color(l.source.index), 'stroke-opacity': 0.4,
      'stroke-width': Math.max(1, l.width),
    }, svg('title', {}, `${l.source.name} → ${l.target.name}: ${fmt(l.value)} ${unit}`))),
    graph.nodes.map((n) => svg('g', {},
      svg('rect', { x: n.x0, y: n.y0, width: n.x1 - n.x0, height: Math.max(1, n.y1 - n.y0), fill: color(n.index) },
        svg('title', {}, `${n.name}: ${fmt(n.value)} ${unit}`)),
      svg('text', {
        x: n.x0 < width / 2 ? n.x1 + 4 : n.x0 - 4, y: (n.y0 + n.y1) / 2, dy: '0.35em', 'font-size': 10,
        'text-anchor': n.x0 < width / 2 ? 'start' : 'end',
      }, n.name.length > 48 ? `${n.name.slice(0, 46)}…` : n.name))));
}

// Histogram from bins {edges: [..n+1], counts: [..n]}.
export function histogram(edges, counts, { width = 520, height = 200, unit = '', id } = {}) {
  const x = scaleLinear().domain([edges[0], edges[edges.length - 1]]).range([40, width - 10]);
  const y = scaleLinear().domain([0, Math.max(...counts)]).nice().range([height - 30, 10]);
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'chart histogram', id },
    counts.map((c, i) => svg('rect', {
      x: x(edges[i]), width: Math.max(0.5, x(edges[i + 1]) - x(edges[i]) - 1), y: y(c), height: y(0) - y(c), fill: '#4e79a7',
      'data-count': c,
    })),
    x.ticks(6).map((v) => svg('text', { x: x(v), y: height - 14, 'text-anchor': 'middle', 'font-size': 10 }, fmt(v, 3))),
    svg('text', { x: width - 10, y: height - 2, 'text-anchor': 'end', 'font-size': 10 }, unit));
}

// Distribution summaries, one row per item, each on its own axis (categories differ by orders of magnitude):
// the 95 % interval as a bar, the mean and median as lines, the deterministic value as a dot.
export function intervalPlot(items, { width = 640, row = 46, labelWidth = 160, id, labels } = {}) {
  const h = items.length * row + 24;
  return svg('svg', { viewBox: `0 0 ${width} ${h}`, width, height: h, class: 'chart interval', id },
    items.map((d, i) => {
      const y = i * row + 6;
      const vals = [d.p2_5, d.p97_5, d.deterministic, d.mean, d.median].filter(Number.isFinite);
      const lo = Math.min(...vals), hi = Math.max(...vals);
      const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
      const x = scaleLinear().domain([lo - pad, hi + pad]).range([labelWidth, width - 20]);
      return svg('g', { class: 'interval-row', 'data-category': d.category },
        svg('text', { x: labelWidth - 6, y: y + 14, 'text-anchor': 'end', 'font-size': 11 }, `${d.category} (${d.unit})`),
        svg('line', { x1: labelWidth, x2: width - 20, y1: y + 28, y2: y + 28, stroke: '#bbb' }),
        x.ticks(4).map((v) => svg('text', { x: x(v), y: y + 38, 'text-anchor': 'middle', 'font-size': 9, fill: '#555' }, fmt(v, 3))),
        svg('rect', { x: x(d.p2_5), y: y + 4, width: Math.max(1, x(d.p97_5) - x(d.p2_5)), height: 16, fill: '#a0cbe8' },
          svg('title', {}, `${labels.interval}: ${fmt(d.p2_5)} – ${fmt(d.p97_5)} ${d.unit}`)),
        svg('line', { x1: x(d.mean), x2: x(d.mean), y1: y, y2: y + 24, stroke: '#e15759', 'stroke-width': 2 },
          svg('title', {}, `${labels.mean} ${fmt(d.mean)}`)),
        svg('line', { x1: x(d.median), x2: x(d.median), y1: y, y2: y + 24, stroke: '#4e79a7', 'stroke-width': 2, 'stroke-dasharray': '3 2' },
          svg('title', {}, `${labels.median} ${fmt(d.median)}`)),
        svg('circle', { cx: x(d.deterministic), cy: y + 12, r: 4, fill: '#111' },
          svg('title', {}, `${labels.deterministic} ${fmt(d.deterministic)}`)));
    }),
    svg('g', { transform: `translate(${labelWidth},${h - 4})`, 'font-size': 10 },
      svg('rect', { width: 14, height: 8, y: -8, fill: '#a0cbe8' }), svg('text', { x: 18 }, labels.interval),
      svg('line', { x1: 110, x2: 110, y1: -10, y2: 0, stroke: '#e15759', 'stroke-width': 2 }), svg('text', { x: 115 }, labels.mean),
      svg('line', { x1: 170, x2: 170, y1: -10, y2: 0, stroke: '#4e79a7', 'stroke-width': 2, 'stroke-dasharray': '3 2' }), svg('text', { x: 175 }, labels.median),
      svg('circle', { cx: 245, cy: -4, r: 4, fill: '#111' }), svg('text', { x: 252 }, labels.deterministic)));
}

export { scaleBand };
