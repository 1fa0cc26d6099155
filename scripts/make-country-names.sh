#!/usr/bin/env bash
# Regenerates data/country_names_zh.csv, the Chinese (zh_CN) names of the countries of data/iso3166.csv, from
# Debian's iso-codes package: its English ISO 3166-1 names (/usr/share/iso-codes/json/iso_3166-1.json) and their
# Simplified Chinese translations (/usr/share/locale/zh_CN/LC_MESSAGES/iso_3166-1.mo, read with gettext's
# msgunfmt). One row per country and translated field: the short name (`name`), and where iso-codes has them the
# common name (`common_name`: 越南 for Viet Nam) and the official name (`official_name`); a field whose
# translation is missing or equals another row of the same country is left out. No name is edited.
#
#   scripts/make-country-names.sh [--out data/country_names_zh.csv]
# Needs the packages iso-codes and gettext (scripts/install-deps.sh); data/check_data.py checks the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/data/country_names_zh.csv"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--out FILE]" >&2; exit 2 ;;
  esac
done
json=/usr/share/iso-codes/json/iso_3166-1.json
mo=/usr/share/locale/zh_CN/LC_MESSAGES/iso_3166-1.mo
for f in "$json" "$mo"; do
  if [ ! -f "$f" ]; then echo "missing: $f (apt-get install iso-codes)" >&2; exit 1; fi
done
command -v msgunfmt >/dev/null || { echo "missing: msgunfmt (apt-get install gettext)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# --no-wrap: one line per msgid and msgstr, so the reader below needs no continuation lines.
msgunfmt --no-wrap "$mo" -o "$tmp/zh.po"
/usr/bin/python3 - "$json" "$tmp/zh.po" "$root/data/iso3166.csv" "$out" <<'PY'
import csv, json, sys

json_path, po_path, iso_path, out_path = sys.argv[1:5]


def unquote(s):
    # a PO string literal: "..." whose escapes a name may hold are \" and \\
    assert s.startswith('"') and s.endswith('"'), s
    return s[1:-1].replace('\\"', '"').replace('\\\\', '\\')


translations = {}
msgid = None
with open(po_path, encoding='utf-8') as f:
    for line in f:
        line = line.rstrip('\n')
        if line.startswith('msgid '):
            msgid = unquote(line[6:])
        elif line.startswith('msgstr ') and msgid:
            s = unquote(line[7:])
            if s:
                translations[msgid] = s
            msgid = None

with open(iso_path, newline='', encoding='utf-8') as f:
    codes = [r['alpha3'] for r in csv.DictReader(f)]
entries = {e['alpha_3']: e for e in json.load(open(json_path, encoding='utf-8'))['3166-1']}

rows = []
missing = []
for code in codes:
    e = entries[code]
    seen = set()
    for field in ('name', 'common_name', 'official_name'):
        if field not in e or e[field] not in translations:
            if field == 'name':
                missing.append(code)
            continue
        zh = translations[e[field]]
        if zh in seen:
            continue
        seen.add(zh)
        rows.append((code, zh, field))
if missing:
    sys.exit('no zh_CN translation of the name of: ' + ', '.join(missing))
with open(out_path, 'w', newline='', encoding='utf-8') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['alpha3', 'name_zh', 'field'])
    w.writerows(rows)
print(f'{out_path}: {len(rows)} names of {len(codes)} countries')
PY
