// Bundles the web application into dist/: one JS bundle (d3 modules, topojson-client and the world-atlas
// TopoJSON included, nothing loaded from outside the server), the page and its stylesheet.
// The ISO 3166 table (numeric id of the atlas features -> alpha-3 and name) is read from ../data/iso3166.csv.
import * as esbuild from 'esbuild';
import { readFileSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

// ../data/iso3166.csv: numeric,alpha3,name (names may be quoted and hold commas).
function parseCsvLine(line) {
  const out = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

const isoPlugin = {
  name: 'iso3166',
  setup(build) {
    build.onResolve({ filter: /^virtual:iso3166$/ }, () => ({ path: 'iso3166', namespace: 'iso' }));
    build.onLoad({ filter: /.*/, namespace: 'iso' }, () => {
      const file = join(here, '..', 'data', 'iso3166.csv');
      const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
      const header = parseCsvLine(lines[0]);
      const [iNum, iA3, iName] = ['numeric', 'alpha3', 'name'].map((k) => header.indexOf(k));
      if (iNum < 0 || iA3 < 0 || iName < 0) throw new Error(`${file}: header must have numeric,alpha3,name`);
      const table = lines.slice(1).map((l) => {
        const f = parseCsvLine(l);
        return [Number(f[iNum]), f[iA3], f[iName]];
      });
      return { contents: `export default ${JSON.stringify(table)};`, loader: 'js', watchFiles: [file] };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['es2020'],
  outfile: join(dist, 'app.js'),
  loader: { '.json': 'json' },
  plugins: [isoPlugin],
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src', 'index.html'), join(dist, 'index.html'));
copyFileSync(join(here, 'src', 'style.css'), join(dist, 'style.css'));
console.log(`web: built ${dist}`);
