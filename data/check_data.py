#!/usr/bin/env python3
"""Self-check for the panocarbon emission-factor library (data/fuels.csv, data/emission_factors.csv).

Standard library only. Run from anywhere:  python3 data/check_data.py
Exit status 0 when every check passes, 1 otherwise. Informational findings (IPCC's own
rounding and range conventions) are printed but do not fail the run.
"""
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

FUEL_HEADER = ['id', 'fuel', 'aliases', 'group', 'biomass', 'ncv_tj_per_gg', 'ncv_lower', 'ncv_upper',
               'carbon_kg_per_gj', 'carbon_lower', 'carbon_upper', 'edition', 'document', 'volume',
               'chapter', 'table']
EF_HEADER = ['id', 'edition', 'category', 'activity', 'technology', 'default', 'gas', 'value', 'unit',
             'lower', 'upper', 'geography', 'document', 'volume', 'chapter', 'table', 'note']

GROUPS = {'liquid_fossil', 'solid_fossil', 'gaseous_fossil', 'other_fossil', 'peat',
          'solid_biomass', 'liquid_biomass', 'gas_biomass', 'other_nonfossil'}
BIOMASS_GROUPS = {'solid_biomass', 'liquid_biomass', 'gas_biomass', 'other_nonfossil'}
FOSSIL_GROUPS = {'liquid_fossil', 'solid_fossil', 'gaseous_fossil', 'other_fossil'}
GASES = {'CO2', 'CH4', 'N2O', 'CF4', 'C2F6'}
UNITS = {'kg/TJ', 't/t', 'kg/t'}
EDITIONS = {'2006', '2019'}
DOCS = {'2006': '2006 IPCC Guidelines for National Greenhouse Gas Inventories',
        '2019': '2019 Refinement to the 2006 IPCC Guidelines for National Greenhouse Gas Inventories'}

# IPCC 2006 category code: 1 / 1.A / 1.A.1 / 1.A.1.a / 1.A.1.a.i / 1.A.3.b.i.1
CATEGORY_RE = re.compile(r'^[1-5](\.[A-H](\.[0-9]{1,2}(\.[a-z](\.(i|ii|iii|iv|v|vi|vii|viii|ix|x)(\.[0-9])?)?)?)?)?$')
ID_RE = re.compile(r'^[a-z0-9_.]+$')
NUM_RE = re.compile(r'^-?[0-9]+(\.[0-9]+)?$')   # plain decimal, no exponent

errors = []
infos = []


def err(msg):
    errors.append(msg)


def info(msg):
    infos.append(msg)


def read(path, header):
    with open(path, newline='', encoding='utf-8') as f:
        text = f.read()
    if text.startswith('\ufeff'):
        err(f'{os.path.basename(path)}: has a byte-order mark')
    rows = list(csv.reader(text.splitlines()))
    if not rows or rows[0] != header:
        err(f'{os.path.basename(path)}: header differs from the schema: {rows[0] if rows else None}')
        return []
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            err(f'{os.path.basename(path)} line {n}: {len(r)} fields, expected {len(header)}')
            continue
        if r and r[0].lstrip().startswith('#'):
            err(f'{os.path.basename(path)} line {n}: comment lines are not allowed')
        out.append(dict(zip(header, r)))
    return out


def num(s, where, field, allow_empty=True):
    if s == '':
        if not allow_empty:
            err(f'{where}: {field} is empty')
        return None
    if not NUM_RE.match(s):
        err(f'{where}: {field}={s!r} is not a plain decimal number')
        return None
    return float(s)


def check_range(where, lo, v, hi, label):
    if v is None:
        return
    if lo is not None and lo > v:
        err(f'{where}: {label} lower {lo} > value {v}')
    if hi is not None and v > hi:
        err(f'{where}: {label} value {v} > upper {hi}')
    if (lo is None) != (hi is None):
        err(f'{where}: {label} has only one of lower/upper')


FIRE_HEADER = ['table', 'vegetation', 'ef_category', 'species', 'value', 'unit', 'sd', 'document', 'volume', 'chapter',
               'table_ref', 'confirmed', 'note']
AFOLU_HEADER = ['id', 'table', 'key', 'value', 'lower', 'upper', 'unit', 'document', 'volume', 'chapter', 'confirmed',
                'note']
FIRE_UNITS = {'2.4': 't dm/ha', '2.5': 'g/kg dm', '2.6': 'fraction'}
FIRE_SPECIES = {'CO2', 'CO', 'CH4', 'N2O', 'NOx'}
# id prefix -> (tables of Vol 4 Ch 4 it may come from, unit)
AFOLU_PREFIX = {'cf': ({'4.3'}, 't C/t d.m.'), 'r': ({'4.4'}, 't root d.m./t shoot d.m.'),
                'g': ({'4.9', '4.10'}, 't d.m./ha/yr'), 'bcef_s': ({'4.5'}, 't d.m./m3'),
                'bcef_r': ({'4.5'}, 't d.m./m3 removed')}


def edition_of(doc, where):
    """2006 or 2019 from the document column; an error for anything else."""
    for ed, d in DOCS.items():
        if doc == d:
            return ed
    err(f'{where}: document {doc!r} is neither of {list(DOCS.values())}')
    return None


def check_natural():
    """data/ipcc2006_fire.csv (Vol 4 Ch 2 Tables 2.4-2.6) and data/afolu_forest_defaults.csv (Vol 4 Ch 4)."""
    fire = read(os.path.join(HERE, 'ipcc2006_fire.csv'), FIRE_HEADER)
    keys, veg24, cats25 = set(), set(), set()
    for r in fire:
        if r['table'] == '2.5':
            cats25.add(r['ef_category'])
    for n, r in enumerate(fire, start=2):
        where = f'ipcc2006_fire.csv line {n}'
        t = r['table']
        if t not in FIRE_UNITS:
            err(f'{where}: table {t!r} is not 2.4, 2.5 or 2.6')
            continue
        if r['unit'] != FIRE_UNITS[t]:
            err(f'{where}: unit {r["unit"]!r}, expected {FIRE_UNITS[t]!r} for Table {t}')
        v = num(r['value'], where, 'value', allow_empty=False)
        sd = num(r['sd'], where, 'sd')
        if v is not None and v <= 0:
            err(f'{where}: value {v} is not positive')
        if sd is not None and sd < 0:
            err(f'{where}: sd {sd} is negative')
        if r['confirmed'] not in ('yes', 'no'):
            err(f'{where}: confirmed must be yes or no')
        if r['volume'] != '4' or r['chapter'] != '2':
            err(f'{where}: volume/chapter must be 4/2')
        ed = edition_of(r['document'], where)
        if not r['table_ref'].startswith(t):
            err(f'{where}: table_ref {r["table_ref"]!r} does not name Table {t}')
        if ed == '2019' and t in ('2.4', '2.6') and not r['table_ref'].endswith('(Updated)'):
            err(f'{where}: a 2019 Table {t} row must say "(Updated)" in table_ref')
        if r['ef_category'] not in cats25:
            err(f'{where}: ef_category {r["ef_category"]!r} has no Table 2.5 rows')
        if t == '2.5':
            if r['species'] not in FIRE_SPECIES or r['vegetation'] != '':
                err(f'{where}: a Table 2.5 row needs a species of {sorted(FIRE_SPECIES)} and no vegetation')
        elif r['species'] != '' or not re.match(r'^[a-z0-9_]+$', r['vegetation']):
            err(f'{where}: a Table {t} row needs a snake_case vegetation and no species')
        if t == '2.4':
            veg24.add(r['vegetation'])
        if t == '2.6' and v is not None and not 0 < v <= 1:
            err(f'{where}: combustion factor {v} outside (0, 1]')
        k = (t, r['vegetation'], r['ef_category'], r['species'])
        if k in keys:
            err(f'{where}: duplicate table/vegetation/ef_category/species {k}')
        keys.add(k)
    for n, r in enumerate(fire, start=2):
        if r['table'] == '2.6' and r['vegetation'] not in veg24:
            err(f'ipcc2006_fire.csv line {n}: Table 2.6 vegetation {r["vegetation"]!r} has no Table 2.4 row')

    afolu = read(os.path.join(HERE, 'afolu_forest_defaults.csv'), AFOLU_HEADER)
    ids = set()
    for r in afolu:
        where = f"afolu_forest_defaults.csv {r['id']}"
        if not ID_RE.match(r['id']):
            err(f'{where}: id has characters outside [a-z0-9_.]')
        if r['id'] in ids:
            err(f'{where}: duplicate id')
        ids.add(r['id'])
        prefix = r['id'].split('.')[0]
        if prefix not in AFOLU_PREFIX:
            err(f'{where}: id prefix {prefix!r} is not one of {sorted(AFOLU_PREFIX)}')
            continue
        tables, unit = AFOLU_PREFIX[prefix]
        ed = edition_of(r['document'], where)
        base = r['table'][:-len(' (Updated)')] if r['table'].endswith(' (Updated)') else r['table']
        if base not in tables:
            err(f'{where}: table {r["table"]!r} does not fit the id prefix {prefix!r} ({sorted(tables)})')
        if ed == '2019' and not r['table'].endswith(' (Updated)'):
            err(f'{where}: a 2019 Refinement row must say "(Updated)" in table')
        if ed == '2006' and r['table'] != base:
            err(f'{where}: a 2006 row cannot be "(Updated)"')
        if r['unit'] != unit:
            err(f'{where}: unit {r["unit"]!r}, expected {unit!r}')
        if r['volume'] != '4' or r['chapter'] != '4':
            err(f'{where}: volume/chapter must be 4/4')
        if r['confirmed'] not in ('yes', 'no'):
            err(f'{where}: confirmed must be yes or no')
        v = num(r['value'], where, 'value', allow_empty=False)
        check_range(where, num(r['lower'], where, 'lower'), v, num(r['upper'], where, 'upper'), 'default')
        if v is not None and not v > 0:
            err(f'{where}: value {v} is not positive')
        if prefix == 'cf' and v is not None and not v < 1:
            err(f'{where}: carbon fraction {v} is not below 1')
        if r['note'] == '':
            err(f'{where}: note is empty (it must say where the value was confirmed, or that it was not)')
    return len(fire), len(afolu)


def has_cjk(s):
    return any('\u3400' <= ch <= '\u9fff' or '\uf900' <= ch <= '\ufaff' for ch in s)


def check_country_names():
    """country_names_zh.csv (zh_CN names from iso-codes) and country_aliases.csv (the planner's aliases):
    every code is an ISO 3166-1 alpha-3 code of iso3166.csv, every country has one `name` row, Chinese names are
    Chinese, and no name or alias names two countries (the planner would have to guess)."""
    with open(os.path.join(HERE, 'iso3166.csv'), newline='', encoding='utf-8') as f:
        iso = {r['alpha3']: r['name'] for r in csv.DictReader(f)}
    owner = {}  # a name as matched (case folded) -> code

    def claim(name, code, where):
        key = name.lower()
        if owner.setdefault(key, code) != code:
            err(f'{where}: "{name}" names {owner[key]} and {code}')
    for code, name in iso.items():
        claim(name, code, 'iso3166.csv')
    rows = read(os.path.join(HERE, 'country_names_zh.csv'), ['alpha3', 'name_zh', 'field'])
    named = set()
    for i, r in enumerate(rows, start=2):
        where = f'country_names_zh.csv line {i}'
        if r['alpha3'] not in iso:
            err(f'{where}: {r["alpha3"]} is not a code of iso3166.csv')
        if r['field'] not in ('name', 'common_name', 'official_name'):
            err(f'{where}: field {r["field"]} is not name, common_name or official_name')
        if r['field'] == 'name':
            if r['alpha3'] in named:
                err(f'{where}: a second name row for {r["alpha3"]}')
            named.add(r['alpha3'])
        if not has_cjk(r['name_zh']) or r['name_zh'] != r['name_zh'].strip():
            err(f'{where}: "{r["name_zh"]}" is not a Chinese name')
        claim(r['name_zh'], r['alpha3'], where)
    if set(iso) - named:
        err(f'country_names_zh.csv: no name for {sorted(set(iso) - named)}')
    aliases = read(os.path.join(HERE, 'country_aliases.csv'), ['alpha3', 'alias', 'language', 'source'])
    for i, r in enumerate(aliases, start=2):
        where = f'country_aliases.csv line {i}'
        if r['alpha3'] not in iso:
            err(f'{where}: {r["alpha3"]} is not a code of iso3166.csv')
        if r['language'] not in ('en', 'zh') or (r['language'] == 'zh') != has_cjk(r['alias']):
            err(f'{where}: language {r["language"]} does not fit "{r["alias"]}"')
        if not r['source'].startswith(('usage', 'iso-codes ')):
            err(f'{where}: source must be "usage ..." or "iso-codes FIELD"')
        if r['alias'].lower() in owner and owner[r['alias'].lower()] == r['alpha3']:
            err(f'{where}: "{r["alias"]}" is already a name of {r["alpha3"]}')
        claim(r['alias'], r['alpha3'], where)
    return len(rows), len(aliases)


CBAM_HEADER = ['cn_code', 'description', 'category', 'country', 'direct', 'indirect', 'total', 'route', 'source']
CBAM_CATEGORIES = {'cement', 'iron_steel', 'aluminium', 'fertilisers', 'hydrogen', 'electricity'}


def cbam_category(code):
    """The CBAM goods category of a CN code (Regulation (EU) 2023/956 Annex I), as src/cbam/cbam.cpp decides it."""
    for prefixes, cat in ((('2523',), 'cement'), (('2716',), 'electricity'), (('280410',), 'hydrogen'),
                          (('2808', '2814', '283421', '3102', '3105'), 'fertilisers'),
                          (('260112', '72', '73'), 'iron_steel'), (('76',), 'aluminium')):
        if code.startswith(prefixes):
            return cat
    return None


def check_cbam():
    """data/cbam/default_values.csv, data/cbam/markup_schedule.csv and data/iso3166_alpha2.csv: headers, CN codes
    of 2 to 10 digits whose category is the code's, countries of iso3166.csv, total = direct + indirect within the
    rounding of the three published values (0.01), unique (country, code), mark-ups for every category but
    electricity from 2026 without gaps or overlaps; and, when ../shared is there, that the tables equal what
    scripts/make-cbam-defaults.py makes from it."""
    import subprocess
    with open(os.path.join(HERE, 'iso3166.csv'), newline='', encoding='utf-8') as f:
        alpha3 = {r['alpha3'] for r in csv.DictReader(f)}
    rows = read(os.path.join(HERE, 'cbam', 'default_values.csv'), CBAM_HEADER)
    seen = set()
    for n, r in enumerate(rows, start=2):
        where = f'cbam/default_values.csv line {n} ({r["cn_code"]})'
        code = r['cn_code']
        if not code.isdigit() or not 2 <= len(code) <= 10:
            err(f'{where}: cn_code is not 2 to 10 digits')
        if r['category'] not in CBAM_CATEGORIES or cbam_category(code) != r['category']:
            err(f'{where}: category {r["category"]!r} is not the category of the code ({cbam_category(code)})')
        if r['country'] not in alpha3:
            err(f'{where}: country {r["country"]!r} is not an alpha-3 code of iso3166.csv')
        if (r['country'], code) in seen:
            err(f'{where}: duplicate (country, cn_code)')
        seen.add((r['country'], code))
        d, t = num(r['direct'], where, 'direct', False), num(r['total'], where, 'total', False)
        i = num(r['indirect'], where, 'indirect') if r['indirect'] else 0.0
        if d is not None and t is not None and i is not None and abs(d + i - t) > 0.0100001:
            err(f'{where}: total {t} is not direct {d} + indirect {i}')
        if not r['source'].startswith('Implementing Regulation (EU) 2025/2621'):
            err(f'{where}: source does not cite Implementing Regulation (EU) 2025/2621')
    mk = read(os.path.join(HERE, 'cbam', 'markup_schedule.csv'),
              ['category', 'from_year', 'to_year', 'markup_pct', 'source'])
    years = {}
    for n, r in enumerate(mk, start=2):
        where = f'cbam/markup_schedule.csv line {n}'
        if r['category'] not in CBAM_CATEGORIES - {'electricity'}:
            err(f'{where}: category {r["category"]!r}')
        lo = int(r['from_year'])
        hi = int(r['to_year']) if r['to_year'] else 2100
        for y in range(lo, hi + 1):
            if (r['category'], y) in years:
                err(f'{where}: {r["category"]} {y} has two mark-ups')
            years[(r['category'], y)] = float(r['markup_pct'])
        if not r['source'].startswith('Implementing Regulation (EU) 2025/2621'):
            err(f'{where}: source does not cite Implementing Regulation (EU) 2025/2621')
    for c in CBAM_CATEGORIES - {'electricity'}:
        for y in range(2026, 2101):
            if (c, y) not in years:
                err(f'cbam/markup_schedule.csv: no mark-up for {c} in {y}')
    if years.get(('cement', 2026)) != 10 or years.get(('cement', 2027)) != 20 or years.get(('cement', 2028)) != 30 \
            or years.get(('fertilisers', 2026)) != 1:
        err('cbam/markup_schedule.csv: the schedule is not 10/20/30 % (fertilisers 1 %)')
    with open(os.path.join(HERE, 'iso3166_alpha2.csv'), newline='', encoding='utf-8') as f:
        a2 = list(csv.DictReader(f))
    if {r['alpha3'] for r in a2} != alpha3 or len({r['alpha2'] for r in a2}) != len(a2):
        err('iso3166_alpha2.csv: not one alpha-2 code for each alpha-3 code of iso3166.csv')
    shared = os.path.join(HERE, '..', '..', 'shared', 'data', 'cbam')
    if os.path.isdir(shared):
        script = os.path.join(HERE, '..', 'scripts', 'make-cbam-defaults.py')
        p = subprocess.run([sys.executable, script, '--check'], capture_output=True, text=True)
        if p.returncode != 0:
            err(f'cbam tables differ from what scripts/make-cbam-defaults.py makes from ../shared: {p.stderr.strip()}')
    else:
        info('cbam/default_values.csv: ../shared is not there; not compared with its source')
    return len(rows), len(mk)


def main():
    fuels = read(os.path.join(HERE, 'fuels.csv'), FUEL_HEADER)
    efs = read(os.path.join(HERE, 'emission_factors.csv'), EF_HEADER)

    # ---------------- fuels.csv ----------------
    ids, names, labels = set(), {}, {}
    for f in fuels:
        where = f"fuels.csv {f['id']}"
        if not ID_RE.match(f['id']):
            err(f'{where}: id is not snake_case')
        if f['id'] in ids:
            err(f'{where}: duplicate id')
        ids.add(f['id'])
        if f['fuel'] in names:
            err(f'{where}: duplicate fuel name {f["fuel"]!r}')
        names[f['fuel']] = f
        if f['group'] not in GROUPS:
            err(f'{where}: unknown group {f["group"]!r}')
        if f['biomass'] not in ('0', '1'):
            err(f'{where}: biomass must be 0 or 1')
        elif (f['biomass'] == '1') != (f['group'] in BIOMASS_GROUPS):
            err(f'{where}: biomass flag {f["biomass"]} disagrees with group {f["group"]}')
        if f['edition'] != '2006' or f['document'] != DOCS['2006'] or f['volume'] != '2' \
                or f['chapter'] != '1' or f['table'] != '1.2; 1.3':
            err(f'{where}: source columns differ from the schema')
        ncv = num(f['ncv_tj_per_gg'], where, 'ncv_tj_per_gg')
        check_range(where, num(f['ncv_lower'], where, 'ncv_lower'), ncv,
                    num(f['ncv_upper'], where, 'ncv_upper'), 'NCV')
        if ncv is None and (f['ncv_lower'] or f['ncv_upper']):
            err(f'{where}: NCV bounds without a default')
        c = num(f['carbon_kg_per_gj'], where, 'carbon_kg_per_gj', allow_empty=False)
        check_range(where, num(f['carbon_lower'], where, 'carbon_lower'), c,
                    num(f['carbon_upper'], where, 'carbon_upper'), 'carbon')
        # names and aliases must be unique, case-insensitively, across all fuels
        for lab in [f['fuel']] + [a for a in f['aliases'].split(';') if a != '']:
            key = lab.strip().lower()
            if lab != lab.strip() or key == '':
                err(f'{where}: alias {lab!r} has stray whitespace or is empty')
            if key in labels and labels[key] != f['id']:
                err(f'{where}: name/alias {lab!r} collides with fuel {labels[key]}')
            elif key in labels and lab != f['fuel']:
                err(f'{where}: alias {lab!r} repeats its own name or another alias')
            labels[key] = f['id']

    # ---------------- emission_factors.csv ----------------
    ef_ids = set()
    keys = {}
    groups = {}
    for e in efs:
        where = f"emission_factors.csv {e['id']}"
        if not ID_RE.match(e['id']):
            err(f'{where}: id has characters outside [a-z0-9_.]')
        if e['id'] in ef_ids:
            err(f'{where}: duplicate id')
        ef_ids.add(e['id'])
        if e['edition'] not in EDITIONS:
            err(f'{where}: edition {e["edition"]!r}')
        elif e['document'] != DOCS[e['edition']]:
            err(f'{where}: document does not match edition')
        elif not e['id'].startswith('ipcc' + e['edition'] + '.'):
            err(f'{where}: id prefix does not match edition')
        if not CATEGORY_RE.match(e['category']):
            err(f'{where}: category {e["category"]!r} is not a valid IPCC 2006 code')
        if e['gas'] not in GASES:
            err(f'{where}: gas {e["gas"]!r}')
        if e['unit'] not in UNITS:
            err(f'{where}: unit {e["unit"]!r}')
        if e['geography'] == '':
            err(f'{where}: geography is empty')
        if e['default'] not in ('0', '1'):
            err(f'{where}: default must be 0 or 1')
        if e['technology'] == '' and e['default'] != '1':
            err(f'{where}: empty technology must have default 1')
        v = num(e['value'], where, 'value', allow_empty=False)
        check_range(where, num(e['lower'], where, 'lower'), v, num(e['upper'], where, 'upper'), 'EF')
        if e['unit'] == 'kg/TJ':
            if e['activity'] not in names:
                err(f'{where}: combustion activity {e["activity"]!r} is not a fuel in fuels.csv')
            if not e['category'].startswith('1.A'):
                err(f'{where}: kg/TJ factor outside 1.A')
        else:
            if e['activity'] != e['activity'].lower():
                err(f'{where}: IPPU activity {e["activity"]!r} must be lower case')
            if e['activity'] in names:
                err(f'{where}: IPPU activity collides with a fuel name')
        k = (e['edition'], e['category'], e['activity'], e['technology'], e['gas'], e['geography'])
        if k in keys:
            err(f'{where}: same edition/category/activity/technology/gas/geography as {keys[k]}')
        keys[k] = e['id']
        groups.setdefault((e['edition'], e['category'], e['activity'], e['gas'], e['geography']), []).append(e)

    # default designation: at most one per group; a lone row must be the default
    for k, rs in groups.items():
        d = [r for r in rs if r['default'] == '1']
        if len(d) > 1:
            err(f'{k}: {len(d)} rows marked default: {[r["id"] for r in d]}')
        if len(rs) == 1 and rs[0]['default'] != '1':
            err(f'{rs[0]["id"]}: only row of its group but default is 0')
        if not d:
            info(f'needs a technology (no IPCC default): edition {k[0]} {k[1]} {k[2]} {k[3]} -> '
                 + '; '.join(r['technology'] for r in rs))

    # every 2019 row must replace a 2006 row
    for k, eid in keys.items():
        if k[0] == '2019' and ('2006',) + k[1:] not in keys:
            err(f'{eid}: 2019 row without a 2006 counterpart')

    # Table 1.4 CO2 vs Table 1.3 carbon content x 44/12 x 1000 (fossil fuels, within 1 percent)
    t14 = {e['activity']: e for e in efs
           if e['edition'] == '2006' and e['category'] == '1.A' and e['gas'] == 'CO2' and e['table'] == '1.4'}
    for name, f in names.items():
        if name not in t14:
            err(f'fuels.csv {f["id"]}: no Table 1.4 CO2 row in category 1.A')
            continue
        e = t14[name]
        c = float(f['carbon_kg_per_gj'])
        derived = c * 44.0 / 12.0 * 1000.0
        dev = (float(e['value']) - derived) / derived
        if f['group'] in FOSSIL_GROUPS or f['group'] == 'peat':
            if abs(dev) > 0.01:
                err(f'{f["id"]}: Table 1.4 CO2 {e["value"]} differs from carbon {c} x 44/12 x 1000 = '
                    f'{derived:.0f} by {dev * 100:.2f} %')
        for side in ('lower', 'upper'):
            if e[side] and f['carbon_' + side]:
                d2 = float(f['carbon_' + side]) * 44.0 / 12.0 * 1000.0
                dv = (float(e[side]) - d2) / d2
                if abs(dv) > 0.01:
                    info(f'{f["id"]}: Table 1.4 {side} bound {e[side]} vs Table 1.3 {side} bound x 44/12 = '
                         f"{d2:.0f} ({dv * 100:+.1f} %); see PROVENANCE.md")
    for name in t14:
        if name not in names:
            err(f'Table 1.4 row for unknown fuel {name!r}')

    # optional cross-check against the category list kept next to this file
    cat_path = os.path.join(HERE, 'ipcc2006_categories.csv')
    if os.path.exists(cat_path):
        with open(cat_path, newline='', encoding='utf-8') as f:
            rd = csv.reader(f)
            next(rd, None)
            codes = {r[0] for r in rd if r}
        for e in efs:
            if e['category'] not in codes:
                info(f'{e["id"]}: category {e["category"]} not listed in ipcc2006_categories.csv')

    # The built-in LCIA method: every gas has an AR6 GWP (AR4/AR5 fall back to CH4 for CH4_fossil/_nonfossil),
    # categories and signs are valid, a CAS number always names the same gas, at most one row per CAS may be
    # matched by CAS alone, and no name appears twice in one compartment.
    with open(os.path.join(HERE, 'gwp.csv'), newline='', encoding='utf-8') as f:
        gwp = {(r['set'], r['gas']) for r in csv.DictReader(f)}
    with open(os.path.join(HERE, 'lcia_ipcc2021_gwp100.csv'), newline='', encoding='utf-8') as f:
        method = list(csv.DictReader(f))
    gas_of_cas, by_cas, names = {}, {}, set()
    for i, r in enumerate(method, start=2):
        where = f'lcia_ipcc2021_gwp100.csv line {i}'
        if ('AR6', r['gas']) not in gwp:
            errors.append(f'{where}: gas {r["gas"]} has no AR6 value in gwp.csv')
        for ar in ('AR4', 'AR5'):
            if (ar, r['gas']) not in gwp and (ar, r['gas'].split('_')[0]) not in gwp:
                errors.append(f'{where}: gas {r["gas"]} has no {ar} value (nor its base gas) in gwp.csv')
        if r['category'] not in ('fossil', 'biogenic', 'luc') or r['sign'] not in ('1', '-1') \
                or r['match_by_cas'] not in ('0', '1') or r['compartment'] not in ('air', 'resource', 'soil'):
            errors.append(f'{where}: category/sign/match_by_cas/compartment out of range: {r}')
        family = r['gas'].split('_')[0]
        if gas_of_cas.setdefault(r['cas'], family) != family:
            errors.append(f'{where}: CAS {r["cas"]} is {gas_of_cas[r["cas"]]} elsewhere but {family} here')
        if r['match_by_cas'] == '1' and by_cas.setdefault(r['cas'], i) != i:
            errors.append(f'{where}: CAS {r["cas"]} is already matched by CAS on line {by_cas[r["cas"]]}')
        key = (r['flow_name'].lower(), r['compartment'])
        if key in names:
            errors.append(f'{where}: {r["flow_name"]} ({r["compartment"]}) appears twice')
        names.add(key)
    if set(by_cas) != set(gas_of_cas):
        errors.append(f'lcia_ipcc2021_gwp100.csv: CAS numbers without a row matched by CAS: {set(gas_of_cas) - set(by_cas)}')

    n_fire, n_afolu = check_natural()
    n_zh, n_alias = check_country_names()
    n_cbam, n_markup = check_cbam()
    print(f'cbam/default_values.csv: {n_cbam} rows; cbam/markup_schedule.csv: {n_markup} rows')
    print(f'country_names_zh.csv: {n_zh} names; country_aliases.csv: {n_alias} aliases')

    print(f'ipcc2006_fire.csv: {n_fire} rows; afolu_forest_defaults.csv: {n_afolu} rows')
    print(f'fuels.csv: {len(fuels)} rows; emission_factors.csv: {len(efs)} rows '
          f'({sum(1 for e in efs if e["edition"] == "2006")} edition 2006, '
          f'{sum(1 for e in efs if e["edition"] == "2019")} edition 2019)')
    for m in infos:
        print('info:', m)
    for m in errors:
        print('ERROR:', m)
    print('OK' if not errors else f'{len(errors)} error(s)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
