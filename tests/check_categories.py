#!/usr/bin/env python3
"""Checks data/ipcc2006_categories.csv against the IPCC 2006 tree in ../shared/data (primap's YAML):
same codes, same parents, same titles. Skips (exit 77) when ../shared/data is absent."""
import csv, os, sys
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
yaml_path = os.path.join(root, '..', 'shared', 'data', 'factors', 'IPCC2006-categories.yaml')
if not os.path.exists(yaml_path):
    print(f'SKIP: {yaml_path} is absent'); sys.exit(77)
import yaml
cats = yaml.safe_load(open(yaml_path))['categories']
parent = {}
for code, c in cats.items():
    for group in c.get('children') or []:
        for ch in group:
            parent.setdefault(str(ch), str(code))
ours = list(csv.DictReader(open(os.path.join(root, 'data', 'ipcc2006_categories.csv'))))
failed = 0
codes = {r['code'] for r in ours}
for code in cats:
    if str(code) not in codes:
        print('missing category', code); failed += 1
for r in ours:
    c = cats.get(r['code'])
    if c is None:
        print('extra category', r['code']); failed += 1; continue
    if c['title'] != r['title']:
        print('title differs', r['code'], r['title'], '!=', c['title']); failed += 1
    if parent.get(r['code'], '') != r['parent']:
        print('parent differs', r['code']); failed += 1
# parent-first order (the aggregation relies on it)
pos = {r['code']: i for i, r in enumerate(ours)}
for r in ours:
    if r['parent'] and pos[r['parent']] >= pos[r['code']]:
        print('parent after child', r['code']); failed += 1
print(f'{len(ours) - failed} passed, {failed} failed')
sys.exit(1 if failed else 0)
