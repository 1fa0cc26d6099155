#!/usr/bin/env bash
# Regenerates the embedded default ledger (data/ledger/) from the full tables in ../shared/data: `ledger build` of
# the WIOD 2013 years with the JRC CO2 account (2000-2010) and of the GCB 2019 national series (from 1990) into a
# temporary database, then `ledger export` (the 10 largest partners per country and year). Deterministic: the test
# ledger_e2e fails when data/ledger drifts from what this writes.
#
#   scripts/make-default-ledger.sh [--bin build/bin/panocarbon] [--out data/ledger] [--shared ../shared/data]
# Exits 77 when the full tables are missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build/bin/panocarbon"
out="$root/data/ledger"
shared="${PANOCARBON_SHARED_DATA:-$root/../shared/data}"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    *) echo "usage: $0 [--bin PANOCARBON] [--out FOLDER] [--shared DATA]" >&2; exit 2 ;;
  esac
done
wiod="$shared/mrio/wiod2013-co2"
gcb="$shared/national/gcb2019"
for d in "$wiod" "$gcb"; do
  if [ ! -d "$d" ]; then echo "skipped: $d is missing" >&2; exit 77; fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" ledger build "$wiod" "$gcb" --from-year 1990 --db "$tmp/ledger.db" --format csv >/dev/null
rm -rf "$tmp/out"
"$bin" ledger export --out "$tmp/out" --top-partners 10 --db "$tmp/ledger.db" --format csv >/dev/null
mkdir -p "$out"
for f in sources.csv values.csv partners.csv sectors.csv; do cp "$tmp/out/$f" "$out/$f"; done
du -cb "$out"/sources.csv "$out"/values.csv "$out"/partners.csv "$out"/sectors.csv | tail -1 | awk '{printf "%s bytes in %s\n", $1, "'"$out"'"}' >&2
