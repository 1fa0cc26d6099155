#!/usr/bin/env bash
# Command 1: installs what is missing, builds (Release), then runs the main job.
#   ./run.sh                 -> builds the web app and serves it with the API on http://127.0.0.1:8080/ (the
#                               user's database; the embedded default ledger data/ledger/ is built into it when
#                               it holds none), in the foreground; PANOCARBON_PORT picks another port
#   ./run.sh demo            -> panocarbon --help, then `panocarbon demo`
#   ./run.sh ARGS...         -> panocarbon ARGS...   (e.g. ./run.sh inventory calc examples/inventory.csv --gwp AR6)
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)" >/dev/null
bin=build/bin/panocarbon
if [ "${1:-}" = demo ] && [ $# -eq 1 ]; then
  "$bin" --help
  echo
  exec "$bin" demo
fi
if (($#)); then
  exec "$bin" "$@"
fi
./scripts/build-web.sh
# The user's database ($PANOCARBON_DB, else the default path); a database without a ledger gets the embedded
# default (GCB 2019 national and our WIOD accounts, data/ledger/), so the map opens on real numbers.
sources="$("$bin" ledger info --format json 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin).get("sources", [])))')"
if [ "$sources" = 0 ]; then
  echo "run.sh: the database holds no ledger yet: building the embedded default (data/ledger/)"
  "$bin" ledger build data/ledger
fi
port="${PANOCARBON_PORT:-8080}"
echo "run.sh: panocarbon at http://127.0.0.1:${port}/ (Ctrl-C stops it)"
exec "$bin" serve --host 127.0.0.1 --port "$port" --web web/dist
