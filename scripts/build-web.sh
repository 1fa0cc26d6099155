#!/usr/bin/env bash
# Builds the web application (web/ -> web/dist/): `npm ci` when web/node_modules is missing or older than
# web/package-lock.json, then `npm run build` (esbuild; a second or so). Needs node and npm
# (scripts/install-deps.sh installs them when missing); the npm registry is only asked by `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm is missing: run scripts/install-deps.sh (it installs nodejs and npm)" >&2
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "build-web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
