#!/usr/bin/env python3
"""Regenerates the project's CBAM data tables from their sources.

  data/cbam/default_values.csv  the definitive-period default values (Implementing Regulation (EU) 2025/2621
                                Annex I as corrected by (EU) 2026/1740) of ../shared/data/cbam/
                                cbam-default-values-china-2025-2621.csv, normalised: CN code as digits, description,
                                CBAM goods category, ISO 3166-1 alpha-3 country, direct, indirect, total, route, source
  data/iso3166_alpha2.csv       ISO 3166-1 alpha-2 to alpha-3 (for country arguments such as CN), from Debian's
                                iso-codes package (the same transcription as data/iso3166.csv)

  scripts/make-cbam-defaults.py [--shared ../shared] [--out data] [--check]

--check writes nothing: it compares what it would write with the files in data/ and exits 1 when they differ
(data/check_data.py runs it when ../shared is there). Standard library only; no value is edited: numbers are
copied as written in the source (a blank indirect stays blank: the annex gives none for that good).
"""
import argparse
import csv
import io
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = ('Implementing Regulation (EU) 2025/2621 Annex I (as corrected by Implementing Regulation (EU) 2026/1740), '
          'default values before mark-up')
HEADER = ['cn_code', 'description', 'category', 'country', 'direct', 'indirect', 'total', 'route', 'source']
ISO_JSON = '/usr/share/iso-codes/json/iso_3166-1.json'


def category(code):
    """CBAM goods category of a CN code (Regulation (EU) 2023/956 Annex I)."""
    if code.startswith('2523'):
        return 'cement'
    if code.startswith('2716'):
        return 'electricity'
    if code.startswith('280410'):
        return 'hydrogen'
    if code.startswith(('2808', '2814', '283421', '3102', '3105')):
        return 'fertilisers'
    if code.startswith(('2601', '72', '73')):
        return 'iron_steel'
    if code.startswith('76'):
        return 'aluminium'
    raise SystemExit(f'CN code {code}: not a CBAM good of Regulation (EU) 2023/956 Annex I')


def country_codes():
    with open(os.path.join(ROOT, 'data', 'iso3166.csv'), newline='', encoding='utf-8') as f:
        return {r['name']: r['alpha3'] for r in csv.DictReader(f)}


def defaults_table(shared):
    path = os.path.join(shared, 'data', 'cbam', 'cbam-default-values-china-2025-2621.csv')
    with open(path, encoding='utf-8') as f:
        lines = [l for l in f.read().splitlines() if l and not l.startswith('#')]
    names = country_codes()
    rows = []
    for n, r in enumerate(csv.DictReader(lines), start=2):
        key = r['good_key']
        code, _, desc = key.partition('-')
        if not code.isdigit() or len(code) not in (4, 6, 8, 10):
            raise SystemExit(f'{path}: row {n}: good_key {key!r} does not start with a CN code')
        if r['country'] not in names:
            raise SystemExit(f'{path}: row {n}: country {r["country"]!r} is not a name of data/iso3166.csv')
        desc = desc.replace('-', ' ')
        rows.append([code, desc, category(code), names[r['country']], r['direct'], r['indirect'], r['total'],
                     r['route'], SOURCE])
    rows.sort(key=lambda x: (x[3], x[0]))
    return rows


def alpha2_table():
    with open(ISO_JSON, encoding='utf-8') as f:
        items = json.load(f)['3166-1']
    return sorted([[c['alpha_2'], c['alpha_3']] for c in items])


def render(header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator='\n')
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--shared', default=os.path.join(ROOT, '..', 'shared'))
    ap.add_argument('--out', default=os.path.join(ROOT, 'data'))
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    files = {os.path.join('cbam', 'default_values.csv'): render(HEADER, defaults_table(a.shared))}
    if os.path.exists(ISO_JSON):
        files['iso3166_alpha2.csv'] = render(['alpha2', 'alpha3'], alpha2_table())
    bad = 0
    for name, text in files.items():
        path = os.path.join(a.out, name)
        if a.check:
            old = open(path, encoding='utf-8').read() if os.path.exists(path) else None
            if old != text:
                print(f'{path}: differs from what scripts/make-cbam-defaults.py makes from its source', file=sys.stderr)
                bad = 1
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w', encoding='utf-8', newline='') as f:
                f.write(text)
    return bad


if __name__ == '__main__':
    sys.exit(main())
