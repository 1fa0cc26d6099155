#!/usr/bin/python3
"""Writes an ecoinvent-sized synthetic unit-process database as an openLCA JSON-LD zip (schema 1.x names),
and next to it the same system as matrices (OUT.npz) for a reference implementation.

  bench/make_synthetic_technosphere.py OUT.zip                       # 20,000 processes, seed 1
  bench/make_synthetic_technosphere.py OUT.zip --processes 500 --seed 7
  bench/make_synthetic_technosphere.py OUT.zip --stats               # also: spectral radius, scipy splu fill-in

Structure (deterministic from --seed; Python's `random`, whose streams do not change between versions):
  * processes in tiers: raw materials (15 %), three tiers of intermediates, final products (15 %); each
    process has one reference product (its own product flow, one provider per product, so linking is
    unambiguous; every input also names its default provider); ordinary inputs come from lower tiers, 60 %
    of them from the consumer's own sector (~100 processes), the rest from anywhere, each supplier drawn
    with a heavy-tailed, Zipf-like popularity (some intermediates are used by a thousand processes, most by
    a few);
  * hubs in tier 1: electricity (one market per location), freight transport and heat, used by most
    processes (raw materials included); electricity uses fuels, equipment (tier 1) and imports from
    another grid, transport uses fuels, vehicles (tier 1) and electricity, heat fuels and electricity:
    with 0.5 % of the drawn inputs taken from the same or the next tier of the sector (about 1 % of the
    links in the end) these make loops;
  * 1 to 30 product inputs per process (log-normal count clipped at 30, heavy tail), about 300,000
    non-zeros in A for 20,000 processes;
  * ~1,000 elementary flows, about 20 per process, including the five that the default GWP method
    characterises: "Carbon dioxide, fossil", "Methane, fossil", "Dinitrogen monoxide",
    "Carbon dioxide, biogenic" (air) and "Carbon dioxide, in air" (a resource taken as an input).
Uncertainty (ecoinvent-like; its own random stream, so the matrices do not depend on it): every input and
elementary exchange gets five pedigree scores (openLCA's "dqEntry", 1..5 drawn with ecoinvent-like
frequencies) and a basic uncertainty ("baseUncertainty", written as the factor exp(2 sqrt(v)) of a variance of ln v: 0.0006 for combustion CO2 and the product inputs'
amounts, 0.04 or 0.12 for other emissions, as in Weidema et al. 2013 Table 10.4); then 70 % carry a lognormal
(geomMean = amount, geomSd = exp(sigma), sigma from the basic variance and the pedigree by Ciroth et al. 2016,
the default of `lca montecarlo`), 20 % the pedigree alone ("baseUncertainty" + "dqEntry", no distribution:
`lca montecarlo --pedigree ciroth2016` gives them the same sigma), 10 % nothing. Reference outputs are certain.

Productivity: every product i has a price p_i (log-normal); process j spends a share b_j in [0.30, 0.85] of
the value of its output on its product inputs: sum_i p_i a_ij = b_j p_j o_j (o_j its output amount). The
value-weighted input matrix D A_in D^-1 (D = diag(p), per unit of output) then has column sums b_j <= 0.85,
so the spectral radius of the input coefficients is at most 0.85 whatever the loops, while the physical
amounts span several orders of magnitude (kg of a cheap input per kg of an expensive product, MJ of
electricity per kg, ...). About 20 % of the processes have a reference output other than 1 (0.5, 10, 100,
1000), so the scaling vector is not the demand. Every exchange is in its flow's reference unit (kg or MJ).

The matrices in OUT.npz (numpy, no pickles):
  A_row, A_col, A_val, A_shape   technosphere triplets, openLCA's sign convention: product output +,
                                 product input -. Rows and columns are both in process order (row i = the
                                 product of process i).
  B_row, B_col, B_val, B_shape   biosphere triplets (elementary flows x processes): outputs +, inputs -.
  A_sigma, B_sigma               sigma of ln of each triplet's lognormal (0 = constant); a draw of an entry v is
                                 sign(v) exp(ln|v| + sigma z), z standard normal (the lognormal of a negative
                                 amount keeps its sign)
  c                              GWP100 (AR6) characterisation of the default method's `total` category,
                                 as a row vector to apply to the SIGNED inventory: h = c . (B s). CO2 fossil 1,
                                 CH4 fossil 29.8, N2O 273, CO2 biogenic 1, and +1 for "Carbon dioxide, in air":
                                 in the natural direction of that resource the factor is -1 kg CO2e per kg
                                 taken up; as B holds the uptake as a negative number, the matrix entry is
                                 (-1) x (-1 for an input) = +1, and c . B s then counts the uptake negatively.
  process_ids, process_names     process order (columns of A and B)
  flow_ids, flow_names, flow_compartments   elementary flow order (rows of B)
  seed, processes
"""
import argparse
import bisect
import json
import math
import os
import random
import sys
import time
import uuid
import zipfile

CONTEXT = "http://greendelta.github.io/olca-schema/context.jsonld"
# openLCA's reference ids of the two flow properties and unit groups (as in the USLCI and the reference data)
MASS = {"@type": "FlowProperty", "@id": "93a60a56-a3c8-11da-a746-0800200b9a66", "name": "Mass"}
ENERGY = {"@type": "FlowProperty", "@id": "f6811440-ee37-11de-8a39-0800200c9a66", "name": "Energy"}
MASS_GROUP = {"@type": "UnitGroup", "@id": "93a60a57-a4c8-11da-a746-0800200c9a66", "name": "Units of mass"}
ENERGY_GROUP = {"@type": "UnitGroup", "@id": "93a60a57-a3c8-11da-a746-0800200c9a66", "name": "Units of energy"}
KG = {"@type": "Unit", "@id": "20aadc24-a391-41cf-b340-3e4529f44bde", "name": "kg"}
MJ = {"@type": "Unit", "@id": "52765a6c-3896-43c2-b2f4-c679acf13efe", "name": "MJ"}
MASS_UNITS = [("20aadc24-a391-41cf-b340-3e4529f44bde", "kg", "Kilogram", 1.0),
              ("e1317ffc-7f83-4a85-bc65-4fb229a25cf8", "g", "Gram", 0.001),
              ("83192ffa-5990-490b-a23a-b45ca072db6f", "t", "Metric ton, 1000 kg", 1000.0)]
ENERGY_UNITS = [("52765a6c-3896-43c2-b2f4-c679acf13efe", "MJ", "Megajoule", 1.0),
                ("86ad2244-1f0e-4912-af53-7865283103e4", "kWh", "Kilowatt hour", 3.6),
                ("01e58eb9-0aba-4c76-ba0c-03f6f3be1353", "GJ", "Gigajoule", 1000.0)]
LOCATIONS = ["GLO", "RER", "RNA", "RAS", "RLA", "US", "CN", "DE", "IN", "BR", "ZA", "JP"]
TIER_SHARES = [0.15, 0.25, 0.25, 0.20, 0.15]
TIER_NAMES = ["Raw materials", "Basic intermediates", "Intermediates", "Components", "Final products"]
# The elementary flows the default GWP method characterises: (name, compartment path, CAS, input?, c).
# c is the entry of the characterisation row vector for the SIGNED inventory (see the module docstring).
GHG = [
    ("Carbon dioxide, fossil", ("Elementary flows", "air", "unspecified"), "124-38-9", False, 1.0),
    ("Methane, fossil", ("Elementary flows", "air", "unspecified"), "74-82-8", False, 29.8),
    ("Dinitrogen monoxide", ("Elementary flows", "air", "unspecified"), "10024-97-2", False, 273.0),
    ("Carbon dioxide, biogenic", ("Elementary flows", "air", "unspecified"), "124-38-9", False, 1.0),
    ("Carbon dioxide, in air", ("Elementary flows", "resource", "in air"), "124-38-9", True, 1.0),
]
# Probability that a process has each GHG (same order)
GHG_P = [0.85, 0.5, 0.35, 0.3, 0.25]
# Shape of the technosphere (chosen so that the structure is ecoinvent-like and scipy's splu fill-in stays
# moderate; see docs/benchmarks.md, "LCA"):
INPUTS_LOG_MEAN, INPUTS_LOG_SD = 2.7, 0.75  # product inputs per process: exp(N(mu, sd)), clipped to 1..30
ZIPF = 1.4            # supplier popularity ~ 1 / (rank + 5)^ZIPF over a random permutation of the processes
SECTOR_SIZE = 100     # processes per sector (on average)
SECTOR_P = 0.6        # share of ordinary inputs drawn from the consumer's own sector
UPSTREAM_P = 0.005    # chance per drawn input that it comes from the same or the next tier (a loop); ~1 %
PRICE_SIGMA = 0.5     # log-normal sd of the prices of ordinary products
OTHER_COMPARTMENTS = [  # (path, input?, weight)
    (("Elementary flows", "air", "unspecified"), False, 3),
    (("Elementary flows", "air", "urban air close to ground"), False, 2),
    (("Elementary flows", "air", "non-urban air or from high stacks"), False, 2),
    (("Elementary flows", "water", "surface water"), False, 2),
    (("Elementary flows", "water", "ground water"), False, 1),
    (("Elementary flows", "soil", "agricultural"), False, 1),
    (("Elementary flows", "resource", "in ground"), True, 2),
    (("Elementary flows", "resource", "in water"), True, 1),
]


class Ids:
    """Deterministic UUIDs: uuid5 of the seed and a key."""

    def __init__(self, seed):
        self.ns = uuid.uuid5(uuid.NAMESPACE_URL, f"https://panocarbon.invalid/synthetic-technosphere/{seed}")

    def __call__(self, key):
        return str(uuid.uuid5(self.ns, key))


def ref(type_, id_, name, **extra):
    d = {"@type": type_, "@id": id_, "name": name}
    d.update(extra)
    return d


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def generate(n, seed, n_elem, per_process):
    """The system as plain Python data: processes (dicts with inputs/outputs in reference units) and flows."""
    rng = random.Random(seed)
    ids = Ids(seed)

    # --- tiers and hubs ---
    bounds = [0]
    for share in TIER_SHARES[:-1]:
        bounds.append(bounds[-1] + max(1, round(share * n)))
    bounds.append(n)
    tier_of = [0] * n
    for t in range(len(TIER_SHARES)):
        for j in range(bounds[t], bounds[t + 1]):
            tier_of[j] = t
    n_elec = max(2, min(len(LOCATIONS), round(n / 1000)))
    n_trans = max(1, round(n / 2000))
    n_heat = max(1, round(n / 2000))
    h0 = bounds[1]
    elec = list(range(h0, h0 + n_elec))
    trans = list(range(h0 + n_elec, h0 + n_elec + n_trans))
    heat = list(range(h0 + n_elec + n_trans, h0 + n_elec + n_trans + n_heat))
    hubs = set(elec + trans + heat)
    if h0 + n_elec + n_trans + n_heat > bounds[2]:
        raise SystemExit("too few processes for the hubs (use --processes 100 or more)")

    location = [rng.choice(LOCATIONS) for _ in range(n)]
    for k, j in enumerate(elec):
        location[j] = LOCATIONS[k % len(LOCATIONS)]
    elec_by_loc = {location[j]: j for j in elec}
    price = [math.exp(rng.gauss(0.0, PRICE_SIGMA)) for _ in range(n)]
    for j in elec + heat:
        price[j] = math.exp(rng.gauss(-3.0, 0.3))  # about 0.05 per MJ: MJ amounts per kg of product
    for j in trans:
        price[j] = math.exp(rng.gauss(-4.0, 0.3))
    out_amount = [1.0] * n
    for j in range(n):
        if j not in hubs and rng.random() < 0.2:
            out_amount[j] = rng.choice([0.5, 10.0, 100.0, 1000.0])
    energy_product = [False] * n
    for j in elec + heat:
        energy_product[j] = True
    for j in range(bounds[1]):  # some raw materials are fuels measured in MJ
        energy_product[j] = rng.random() < 0.2

    # heavy-tailed popularity of suppliers (Zipf over a random permutation); hubs are drawn separately
    order = list(range(n))
    rng.shuffle(order)
    popularity = [0.0] * n
    for rank, j in enumerate(order):
        popularity[j] = 0.0 if j in hubs else 1.0 / (rank + 5.0) ** ZIPF
    n_sectors = max(1, round(n / SECTOR_SIZE))
    sector = [rng.randrange(n_sectors) for _ in range(n)]

    def pool(members):
        cum, acc = [], 0.0
        for j in members:
            acc += popularity[j]
            cum.append(acc)
        return members, cum

    everyone = pool(list(range(n)))
    by_sector = [[] for _ in range(n_sectors)]
    for j in range(n):
        by_sector[sector[j]].append(j)
    sector_pools = [pool(m) for m in by_sector]

    def draw(lo, hi, where=None):
        """A supplier with index in [lo, hi) by popularity (never a hub), from a pool (default: all)."""
        members, cum = where or everyone
        a, b = bisect.bisect_left(members, lo), bisect.bisect_left(members, hi)
        if b <= a:
            return None
        base = cum[a - 1] if a > 0 else 0.0
        span = cum[b - 1] - base
        if span <= 0:
            return None
        for _ in range(20):
            k = bisect.bisect_right(cum, base + rng.random() * span, a, b)
            if a <= k < b and popularity[members[k]] > 0:
                return members[k]
        return None

    inputs = [[] for _ in range(n)]  # (supplier, amount) per process
    upstream_links = 0
    for j in range(n):
        t = tier_of[j]
        chosen = []
        if j in elec:
            chosen += [draw(0, bounds[1]) for _ in range(rng.randint(3, 8))]          # fuels
            chosen += [draw(bounds[1], bounds[2]) for _ in range(rng.randint(1, 4))]  # equipment (a loop)
            other = [e for e in elec if e != j]
            chosen.append(rng.choice(other))                                            # imports
        elif j in trans:
            chosen += [draw(0, bounds[1]) for _ in range(rng.randint(2, 4))]
            chosen += [draw(bounds[1], bounds[2]) for _ in range(rng.randint(1, 3))]  # vehicles (a loop)
            chosen.append(elec_by_loc.get(location[j], elec[0]))
        elif j in heat:
            chosen += [draw(0, bounds[1]) for _ in range(rng.randint(2, 5))]
            chosen.append(elec_by_loc.get(location[j], elec[0]))
        else:
            # hubs: electricity of the process's location, freight transport, heat (raw materials too)
            if rng.random() < 0.8:
                chosen.append(elec_by_loc.get(location[j], rng.choice(elec)))
            if rng.random() < 0.6:
                chosen.append(rng.choice(trans))
            if rng.random() < 0.35:
                chosen.append(rng.choice(heat))
            # raw materials take nothing else; the others 1..30 inputs in all
            k = 0 if t == 0 else min(30, max(1, int(math.exp(rng.gauss(INPUTS_LOG_MEAN, INPUTS_LOG_SD)))))
            taken = set(chosen)
            tries = 0
            while len(taken) < k and tries < 4 * k + 10:
                tries += 1
                if rng.random() < UPSTREAM_P:
                    # a link to the same or the next tier of the sector: may close a loop
                    s = draw(bounds[t], bounds[min(t + 2, len(bounds) - 1)], sector_pools[sector[j]])
                    upstream = True
                elif rng.random() < SECTOR_P:
                    s = draw(0, bounds[t], sector_pools[sector[j]])
                    if s is None:
                        s = draw(0, bounds[t])
                    upstream = False
                else:
                    s = draw(0, bounds[t])
                    upstream = False
                if s is None or s in taken or s == j:
                    continue
                taken.add(s)
                chosen.append(s)
                upstream_links += upstream
        seen = set()
        sup = []
        for s in chosen:
            if s is not None and s != j and s not in seen:
                seen.add(s)
                sup.append(s)
        if not sup:
            continue
        budget = rng.uniform(0.30, 0.85)
        w = [rng.expovariate(1.0) for _ in sup]
        wsum = sum(w)
        for s, ws in zip(sup, w):
            # value-weighted share: p_s a_sj = share * budget * p_j * o_j
            inputs[j].append((s, ws / wsum * budget * price[j] * out_amount[j] / price[s]))

    # --- elementary flows ---
    flows = []  # (name, compartment path, cas, input?, c)
    for g in GHG:
        flows.append(g)
    weights = [w for _, _, w in OTHER_COMPARTMENTS]
    for k in range(n_elem - len(GHG)):
        path, is_input, _ = rng.choices(OTHER_COMPARTMENTS, weights)[0]
        kind = "Resource" if is_input else "Substance"
        flows.append((f"{kind} {k + 1:04d}", path, "", is_input, 0.0))
    other_cum = []
    acc = 0.0
    for k in range(len(GHG), len(flows)):
        acc += 1.0 / (k - len(GHG) + 3.0) ** 0.9
        other_cum.append(acc)
    elem = [[] for _ in range(n)]  # (flow index, amount in the flow's natural direction, > 0)
    for j in range(n):
        scale = price[j] * out_amount[j]
        co2 = scale * math.exp(rng.gauss(-0.5, 1.0))
        present = [rng.random() < p for p in GHG_P]
        if present[0]:
            elem[j].append((0, co2))
        if present[1]:
            elem[j].append((1, co2 * math.exp(rng.gauss(math.log(0.004), 0.8))))
        if present[2]:
            elem[j].append((2, co2 * math.exp(rng.gauss(math.log(1e-4), 0.8))))
        bio = co2 * math.exp(rng.gauss(math.log(0.3), 1.0))
        if present[3]:
            elem[j].append((3, bio))
        if present[4]:
            elem[j].append((4, bio * rng.uniform(0.2, 0.9)))
        k = max(1, per_process + rng.randint(-8, 8) - sum(present))
        seen = set()
        for _ in range(k):
            f = len(GHG) + bisect.bisect_right(other_cum, rng.random() * other_cum[-1])
            f = min(f, len(flows) - 1)
            if f in seen:
                continue
            seen.add(f)
            elem[j].append((f, scale * math.exp(rng.gauss(-8.0, 3.0))))

    unc_in, unc_elem = uncertainty(seed, inputs, elem)

    names = []
    for j in range(n):
        if j in elec:
            names.append((f"market for electricity, medium voltage | {location[j]}",
                          f"electricity, medium voltage, {location[j]}"))
        elif j in trans:
            names.append((f"market for transport, freight, lorry {j:05d} | {location[j]}",
                          f"transport, freight, lorry {j:05d}"))
        elif j in heat:
            names.append((f"market for heat, district or industrial {j:05d} | {location[j]}",
                          f"heat, district or industrial {j:05d}"))
        else:
            stem = TIER_NAMES[tier_of[j]].lower().rstrip("s")
            names.append((f"{stem} {j:05d} production | {location[j]}", f"{stem} {j:05d}"))
    return {
        "n": n, "seed": seed, "ids": ids, "tier_of": tier_of, "bounds": bounds, "location": location,
        "out_amount": out_amount, "energy_product": energy_product, "inputs": inputs, "elem": elem,
        "flows": flows, "names": names, "hubs": {"electricity": elec, "transport": trans, "heat": heat},
        "upstream_links": upstream_links, "price": price, "unc_in": unc_in, "unc_elem": unc_elem,
    }


# Ciroth et al. (2016) Table 6: uncertainty factors (GSD^2) per indicator and score 1..5
CIROTH = [[1.00, 1.54, 1.61, 1.69, 1.69], [1.00, 1.03, 1.04, 1.08, 1.08], [1.00, 1.03, 1.10, 1.19, 1.29],
          [1.00, 1.04, 1.08, 1.11, 1.11], [1.00, 1.18, 1.65, 2.08, 2.80]]
SCORE_P = [0.25, 0.35, 0.2, 0.12, 0.08]  # frequencies of the scores 1..5


def ciroth_sigma(scores, basic_variance):
    """sigma of ln: 1/2 sqrt(ln^2 U_basic + sum ln^2 U_i), U_basic = exp(2 sqrt(basic variance))."""
    s = (2 * math.sqrt(basic_variance)) ** 2
    for i, k in enumerate(scores):
        s += math.log(CIROTH[i][k - 1]) ** 2
    return 0.5 * math.sqrt(s)


def uncertainty(seed, inputs, elem):
    """Per input and per elementary exchange: (kind, sigma, scores, basic variance), kind "lognormal",
    "pedigree" or "" (none); from a random stream of its own."""
    rng = random.Random(f"uncertainty/{seed}")

    def one(basic):
        scores = rng.choices(range(1, 6), SCORE_P, k=5)
        u = rng.random()
        kind = "lognormal" if u < 0.7 else ("pedigree" if u < 0.9 else "")
        return (kind, ciroth_sigma(scores, basic) if kind else 0.0, scores, basic)

    unc_in = [[one(0.0006) for _ in inputs[j]] for j in range(len(inputs))]
    unc_elem = [[one(0.0006 if f in (0, 3, 4) else (0.04 if f < len(GHG) else 0.12)) for f, _ in elem[j]]
                for j in range(len(elem))]
    return unc_in, unc_elem


def uncertainty_json(u, amount):
    kind, sigma, scores, basic = u
    if not kind:
        return {}
    # openLCA's baseUncertainty: the basic uncertainty factor U = GSD^2 = exp(2 sqrt(variance of ln))
    out = {"dqEntry": "(" + ";".join(str(k) for k in scores) + ")", "baseUncertainty": math.exp(2 * math.sqrt(basic))}
    if kind == "lognormal":
        out["uncertainty"] = {"@type": "Uncertainty", "distributionType": "LOG_NORMAL_DISTRIBUTION",
                              "geomMean": amount, "geomSd": math.exp(sigma)}
    return out


def write_zip(sysd, path):
    n, ids = sysd["n"], sysd["ids"]
    proc_id = [ids(f"process/{j}") for j in range(n)]
    prod_id = [ids(f"product/{j}") for j in range(n)]
    elem_id = [ids(f"elementary/{k}") for k in range(len(sysd["flows"]))]
    loc_id = {loc: ids(f"location/{loc}") for loc in LOCATIONS}

    # categories: elementary compartments (Elementary flows/air/unspecified ...), product and process tiers
    cats = {}  # path tuple -> (id, json)

    def category(path, model_type):
        for i in range(1, len(path) + 1):
            p = path[:i]
            if p in cats:
                continue
            c = {"@context": CONTEXT, "@type": "Category", "@id": ids("category/" + model_type + "/" + "/".join(p)),
                 "name": p[-1], "version": "00.00.000", "modelType": model_type}
            if i > 1:
                parent = cats[p[:-1]][1]
                c["category"] = ref("Category", parent["@id"], parent["name"])
            cats[p] = (c["@id"], c)
        c = cats[path][1]
        return ref("Category", c["@id"], c["name"])

    zf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)

    def write(name, text):  # fixed time stamps: the same seed gives the same bytes
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, text, compresslevel=1)

    def put(name, obj):
        write(name, dumps(obj))

    write("context.json", dumps({
        "@vocab": "http://openlca.org/schema/v1.0/", "@base": "http://openlca.org/schema/v1.0/",
        "modelType": {"@type": "@vocab"}, "flowPropertyType": {"@type": "@vocab"},
        "flowType": {"@type": "@vocab"}, "processType": {"@type": "@vocab"}}))
    for group, prop, units in ((MASS_GROUP, MASS, MASS_UNITS), (ENERGY_GROUP, ENERGY, ENERGY_UNITS)):
        put(f"unit_groups/{group['@id']}.json", {
            "@context": CONTEXT, "@type": "UnitGroup", "@id": group["@id"], "name": group["name"],
            "version": "00.00.000", "defaultFlowProperty": prop,
            "units": [dict({"@type": "Unit", "@id": uid, "name": un, "description": desc, "version": "00.00.000",
                            "conversionFactor": f}, **({"referenceUnit": True} if f == 1.0 else {}))
                      for uid, un, desc, f in units]})
        put(f"flow_properties/{prop['@id']}.json", {
            "@context": CONTEXT, "@type": "FlowProperty", "@id": prop["@id"], "name": prop["name"],
            "version": "00.00.000", "flowPropertyType": "PHYSICAL_QUANTITY", "unitGroup": group})
    for loc, lid in loc_id.items():
        put(f"locations/{lid}.json", {"@context": CONTEXT, "@type": "Location", "@id": lid, "name": loc,
                                      "version": "00.00.000", "code": loc})

    def fp_factor(prop):
        return [{"@type": "FlowPropertyFactor", "referenceFlowProperty": True, "flowProperty": prop,
                 "conversionFactor": 1.0}]

    elem_refs = []
    for k, (name, cpath, cas, _, _) in enumerate(sysd["flows"]):
        f = {"@context": CONTEXT, "@type": "Flow", "@id": elem_id[k], "name": name, "version": "00.00.000",
             "category": category(cpath, "FLOW"), "flowType": "ELEMENTARY_FLOW", "infrastructureFlow": False,
             "flowProperties": fp_factor(MASS)}
        if cas:
            f["cas"] = cas
        put(f"flows/{elem_id[k]}.json", f)
        elem_refs.append(ref("Flow", elem_id[k], name, flowType="ELEMENTARY_FLOW"))

    prod_refs = []
    for j in range(n):
        pname = sysd["names"][j][1]
        prop = ENERGY if sysd["energy_product"][j] else MASS
        f = {"@context": CONTEXT, "@type": "Flow", "@id": prod_id[j], "name": pname, "version": "00.00.000",
             "category": category(("Products", TIER_NAMES[sysd["tier_of"][j]]), "FLOW"),
             "flowType": "PRODUCT_FLOW", "infrastructureFlow": False,
             "location": ref("Location", loc_id[sysd["location"][j]], sysd["location"][j]),
             "flowProperties": fp_factor(prop)}
        put(f"flows/{prod_id[j]}.json", f)
        prod_refs.append(ref("Flow", prod_id[j], pname, flowType="PRODUCT_FLOW"))

    def unit_of(j):
        return (ENERGY, MJ) if sysd["energy_product"][j] else (MASS, KG)

    for j in range(n):
        pname = sysd["names"][j][0]
        prop, unit = unit_of(j)
        ex = [{"@type": "Exchange", "@id": ids(f"exchange/{j}/out"), "avoidedProduct": False, "input": False,
               "amount": sysd["out_amount"][j], "quantitativeReference": True, "flow": prod_refs[j],
               "unit": unit, "flowProperty": prop}]
        for (s, a), u in zip(sysd["inputs"][j], sysd["unc_in"][j]):
            sprop, sunit = unit_of(s)
            ex.append(dict({"@type": "Exchange", "@id": ids(f"exchange/{j}/in/{s}"), "avoidedProduct": False,
                            "input": True, "amount": a, "quantitativeReference": False, "flow": prod_refs[s],
                            "unit": sunit, "flowProperty": sprop,
                            "defaultProvider": ref("Process", proc_id[s], sysd["names"][s][0])},
                           **uncertainty_json(u, a)))
        for (f, a), u in zip(sysd["elem"][j], sysd["unc_elem"][j]):
            ex.append(dict({"@type": "Exchange", "@id": ids(f"exchange/{j}/elem/{f}"), "avoidedProduct": False,
                            "input": sysd["flows"][f][3], "amount": a, "quantitativeReference": False,
                            "flow": elem_refs[f], "unit": KG, "flowProperty": MASS}, **uncertainty_json(u, a)))
        put(f"processes/{proc_id[j]}.json", {
            "@context": CONTEXT, "@type": "Process", "@id": proc_id[j], "name": pname, "version": "00.00.000",
            "category": category(("Synthetic technosphere", TIER_NAMES[sysd["tier_of"][j]]), "PROCESS"),
            "processType": "UNIT_PROCESS", "infrastructureProcess": False,
            "location": ref("Location", loc_id[sysd["location"][j]], sysd["location"][j]),
            "exchanges": ex})
    for _, c in cats.values():
        put(f"categories/{c['@id']}.json", c)
    zf.close()
    return proc_id, elem_id


def matrices(sysd, proc_id, elem_id):
    import numpy as np
    n = sysd["n"]
    ar, ac, av, asg = [], [], [], []
    for j in range(n):
        ar.append(j)
        ac.append(j)
        av.append(sysd["out_amount"][j])
        asg.append(0.0)
        for (s, a), u in zip(sysd["inputs"][j], sysd["unc_in"][j]):
            ar.append(s)
            ac.append(j)
            av.append(-a)
            asg.append(u[1])
    br, bc, bv, bsg = [], [], [], []
    for j in range(n):
        for (f, a), u in zip(sysd["elem"][j], sysd["unc_elem"][j]):
            br.append(f)
            bc.append(j)
            bv.append(-a if sysd["flows"][f][3] else a)
            bsg.append(u[1])
    flows = sysd["flows"]
    return {
        "A_row": np.array(ar, dtype=np.int32), "A_col": np.array(ac, dtype=np.int32),
        "A_val": np.array(av, dtype=np.float64), "A_shape": np.array([n, n], dtype=np.int64),
        "A_sigma": np.array(asg, dtype=np.float64), "B_sigma": np.array(bsg, dtype=np.float64),
        "B_row": np.array(br, dtype=np.int32), "B_col": np.array(bc, dtype=np.int32),
        "B_val": np.array(bv, dtype=np.float64), "B_shape": np.array([len(flows), n], dtype=np.int64),
        "c": np.array([f[4] for f in flows], dtype=np.float64),
        "process_ids": np.array(proc_id), "process_names": np.array([nm[0] for nm in sysd["names"]]),
        "flow_ids": np.array(elem_id), "flow_names": np.array([f[0] for f in flows]),
        "flow_compartments": np.array(["/".join(f[1]) for f in flows]),
        "seed": np.array(sysd["seed"]), "processes": np.array(n),
    }


def stats(m, sysd):
    """Spectral radius of the input coefficients and scipy splu's fill-in (needs scipy)."""
    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.linalg as sla
    n = int(m["A_shape"][0])
    A = sp.csc_matrix((m["A_val"], (m["A_row"], m["A_col"])), shape=(n, n))
    out = {"n": n, "nnz_A": int(A.nnz), "nnz_B": int(len(m["B_val"]))}
    d = A.diagonal()
    Ain = (sp.diags(d) - A) @ sp.diags(1.0 / d)  # input coefficients per unit of output
    p = np.array(sysd["price"])
    W = sp.diags(p) @ Ain @ sp.diags(1.0 / p)
    out["max_value_weighted_column_sum"] = float(np.asarray(W.sum(axis=0)).max())  # bound on the radius
    try:
        vals = sla.eigs(Ain, k=1, which="LM", return_eigenvectors=False, maxiter=5000)
        out["spectral_radius_inputs"] = float(abs(vals[0]))
    except Exception as e:  # noqa: BLE001 - report, don't fail
        out["spectral_radius_inputs"] = f"eigs failed: {e}"
    t0 = time.perf_counter()
    lu = sla.splu(A)
    out["splu_s"] = time.perf_counter() - t0
    out["nnz_L_plus_U"] = int(lu.L.nnz + lu.U.nnz)
    out["fill_ratio"] = out["nnz_L_plus_U"] / out["nnz_A"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the JSON-LD zip to write (OUT.zip; OUT.npz is written next to it)")
    ap.add_argument("--processes", type=int, default=20000, help="number of processes [20000]")
    ap.add_argument("--seed", type=int, default=1, help="random seed [1]")
    ap.add_argument("--elementary-flows", type=int, default=1000, help="elementary flows in all [1000]")
    ap.add_argument("--elementary-per-process", type=int, default=20,
                    help="elementary exchanges per process on average [20]")
    ap.add_argument("--stats", action="store_true",
                    help="print the spectral radius of the input coefficients and scipy splu's fill-in")
    args = ap.parse_args()
    if args.processes < 100:
        ap.error("--processes must be at least 100")
    if args.elementary_flows < 50 or args.elementary_per_process < 1:
        ap.error("--elementary-flows must be at least 50 and --elementary-per-process at least 1")
    out = args.out
    npz = (out[:-4] if out.endswith(".zip") else out) + ".npz"
    t0 = time.perf_counter()
    sysd = generate(args.processes, args.seed, args.elementary_flows, args.elementary_per_process)
    t1 = time.perf_counter()
    tmp = out + ".partial"
    proc_id, elem_id = write_zip(sysd, tmp)
    t2 = time.perf_counter()
    import numpy as np
    m = matrices(sysd, proc_id, elem_id)
    with open(npz + ".partial", "wb") as f:
        np.savez(f, **m)
    os.replace(npz + ".partial", npz)
    os.replace(tmp, out)  # the zip last: a zip that exists has its npz
    info = {"processes": args.processes, "seed": args.seed, "nnz_A": len(m["A_val"]), "nnz_B": len(m["B_val"]),
            "elementary_flows": len(sysd["flows"]), "upstream_links": sysd["upstream_links"],
            "hubs": {k: len(v) for k, v in sysd["hubs"].items()}, "generate_s": round(t1 - t0, 2),
            "write_zip_s": round(t2 - t1, 2), "zip_mb": round(os.path.getsize(out) / 1e6, 1)}
    if args.stats:
        info.update(stats(m, sysd))
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
