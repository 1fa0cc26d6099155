#!/usr/bin/env python3
"""The layers of src/: prints the include graph between modules (folders of src/ and apps/) and fails on a
cycle. A public header (include/panocarbon/X.hpp) belongs to the module whose source file includes it first
(its implementation); a header without one belongs to core. See docs/architecture.md.

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
files = list(sources())
for p, mod in files:
    with open(p, encoding='utf-8') as f:
        incs = inc_re.findall(f.read())
    if p.endswith('.cpp') and incs and incs[0].startswith('panocarbon/'):
        stem = os.path.splitext(os.path.basename(p))[0]
        h = incs[0]
        # a file's own header comes first; count it when the names agree or no owner is known yet
        if os.path.splitext(os.path.basename(h))[0] == stem or h not in owner:
            owner[h] = mod


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
