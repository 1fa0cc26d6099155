#!/usr/bin/env bash
# Command 1: installs what is missing, builds (Release), then runs the main job.
#   ./run.sh                 -> panocarbon --help, then `panocarbon demo`
#   ./run.sh ARGS...         -> panocarbon ARGS...   (e.g. ./run.sh inventory calc examples/inventory.csv --gwp AR6)
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)" >/dev/null
bin=build/bin/panocarbon
if (($#)); then
  exec "$bin" "$@"
fi
"$bin" --help
echo
exec "$bin" demo
