#!/usr/bin/env python3
"""The layers of src/: prints the include graph between modules (folders of src/ and apps/) and fails on a
cycle. A public header (include/panocarbon/X.hpp) belongs to the module whose source file includes it first
(its implementation), or, first of all, to the module it is named after (uncertainty.hpp, lca_*.hpp); a
header without either belongs to core. See docs/architecture.md.

    python3 tests/check_layers.py [REPO]        # the graph, then "no cycle" or each cycle found
"""
import os, re, sys

repo = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources():
    for top in ('src', 'apps'):
        for dirpath, _, files in os.walk(os.path.join(repo, top)):
            for f in files:
                if f.endswith(('.cpp', '.hpp')) and not f.endswith('_test.cpp'):
                    p = os.path.join(dirpath, f)
                    rel = os.path.relpath(p, repo).split(os.sep)
                    yield p, rel[1] if top == 'src' else 'cli'


owner = {}
files = sorted(sources())
for p, mod in files:
    with open(p, encoding='utf-8') as f:
        incs = inc_re.findall(f.read())
    if not (p.endswith('.cpp') and incs and incs[0].startswith('panocarbon/')):
        continue
    h = incs[0]
    hstem = os.path.splitext(os.path.basename(h))[0]
    stem = os.path.splitext(os.path.basename(p))[0]
    # A header belongs to the module named like it (uncertainty.hpp -> uncertainty), else to the first source
    # file named like it, else to the first source file that includes it first.
    if hstem == mod:
        owner[h] = (mod, 2)
    elif stem == hstem and owner.get(h, (None, 0))[1] < 1:
        owner[h] = (mod, 1)
    elif h not in owner:
        owner[h] = (mod, 0)
owner = {h: m for h, (m, _) in owner.items()}
modules = {m for _, m in files}
for p, _ in files:
    with open(p, encoding='utf-8') as f:
        for h in inc_re.findall(f.read()):
            hstem = os.path.splitext(os.path.basename(h))[0]
            if not h.startswith('panocarbon/'):
                continue
            if hstem in modules:
                owner[h] = hstem  # panocarbon/uncertainty.hpp is the uncertainty module's
            elif h not in owner and hstem.split('_')[0] in modules:
                owner[h] = hstem.split('_')[0]  # panocarbon/lca_footprint.hpp, without a file of that name


def module_of(inc, here):
    if inc.startswith('panocarbon/'):
        return owner.get(inc, 'core')
    first = inc.split('/')[0]
    return first if os.path.isdir(os.path.join(repo, 'src', first)) else here


edges = {}
for p, mod in files:
    with open(p, encoding='utf-8') as f:
        for inc in inc_re.findall(f.read()):
            m = module_of(inc, mod)
            if m != mod and inc != 'panocarbon/panocarbon.hpp':
                edges.setdefault(mod, {}).setdefault(m, []).append(os.path.relpath(p, repo) + ' -> ' + inc)

print('include graph between modules (module -> modules it includes):')
for m in sorted(edges):
    print(f'  {m:<13} -> {", ".join(sorted(edges[m]))}')

# cycles: strongly connected components with more than one module
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, {}):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in sorted(set(edges) | {w for d in edges.values() for w in d}):
    if v not in index:
        strong(v)
if not sccs:
    print('no cycle')
    sys.exit(0)
for comp in sccs:
    print('CYCLE between', ', '.join(comp))
    for a in comp:
        for b in comp:
            for why in edges.get(a, {}).get(b, [])[:3]:
                print('   ', why)
sys.exit(1)
