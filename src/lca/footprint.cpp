// Product carbon footprint study: the calculation (product system, one factorisation, GWP100 split into fossil,
// biogenic and dLUC; stages, hot spots, upstream tree, allocation sensitivity, inventory and data quality) and
// make_footprint / write_footprint, which add the PACT footprint (footprint_pact.cpp) and the report
// (footprint_report.cpp) to it. The study file is read in src/io/footprint_study.cpp. Method and format:
// docs/lca-footprint.md.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "lca/footprint_internal.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon::lca {

using namespace detail;

namespace {
using nlohmann::json;

// ---- calculation -------------------------------------------------------------------------------------------
// The four GWP categories of the method.
struct Categories {
  size_t total = 0, fossil = 0, biogenic = 0, luc = 0;
};
Categories find_categories(const Method& m) {
  Categories c;
  const auto find = [&](const std::string& key) {
    for (size_t k = 0; k < m.categories.size(); ++k)
      if (lower(m.categories[k].name) == key) return k;
    std::vector<std::string> names;
    for (const auto& cat : m.categories) names.push_back(cat.name);
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("method '{}' has no category '{}': a footprint needs categories total, fossil, biogenic "
                            "and luc (it has {})",
                            m.name, key, join(names, ", ")));
  };
  c.total = find("total");
  c.fossil = find("fossil");
  c.biogenic = find("biogenic");
  c.luc = find("luc");
  return c;
}

// One run of the product system: the demands (product first, then stage demands), their results.
struct Run {
  Run() = default;
  Run(const Run&) = delete;  // results and the solver point into sys
  Run& operator=(const Run&) = delete;
  ProductSystem sys;
  std::unique_ptr<Solver> solver;
  std::vector<Demand> demands;
  std::vector<LcaResult> results;
  std::vector<double> impacts, scaling, inventory;  // summed over demands
  std::vector<std::vector<double>> direct;
  Split product, all;  // the product demand alone (cradle-to-gate), all demands
};

bool is_co2(const Flow& f) {
  return normalise_cas(f.cas) == "124-38-9" || normalise_name(f.name).rfind("carbon dioxide", 0) == 0;
}

int32_t provider_of(const ProductSystem& sys, const std::string& query, const std::string& file,
                    const std::string& field) {
  try {
    return sys.find_provider(query);
  } catch (const Error& e) {
    throw Error(e.category(), e.message(), ErrorContext{file, 0, 0, field});
  }
}

// Solves every demand of the study on one product system built with `allocation`.
void run_system(Run& run, const Study& study, const Database& db, const Method& method, const FlowMapping& mapping,
                const Categories& cats, AllocationMethod allocation, std::vector<std::string>* demand_fields) {
  LinkOptions opt;
  opt.allocation = allocation;
  run.sys = build_system(db, opt);
  run.solver = std::make_unique<Solver>(run.sys);
  const ProductSystem& sys = run.sys;
  // the product, with the reference flow converted to the provided flow's unit
  const int32_t j0 = provider_of(sys, study.product, study.file, "product");
  const Flow& pf = db.flows[static_cast<size_t>(sys.providers[static_cast<size_t>(j0)].flow)];
  double amount = study.amount;
  if (!study.unit.empty() && study.unit != pf.unit) {
    const Unit* from = find_unit(study.unit);
    const Unit* to = find_unit(pf.unit);
    if (!from || !to)
      throw Error(ErrorCategory::Unit,
                  fmt::format("the reference flow is in '{}' but the product '{}' is measured in '{}': give the amount "
                              "in {}",
                              study.unit, pf.name, pf.unit, pf.unit),
                  ErrorContext{study.file, 0, 0, "reference_flow.unit"});
    amount *= conversion_factor(*from, *to, ErrorContext{study.file, 0, 0, "reference_flow.unit"});
  }
  run.demands.push_back({j0, amount});
  if (demand_fields) demand_fields->push_back("product");
  for (size_t i = 0; i < study.stages.size(); ++i)
    for (size_t k = 0; k < study.stages[i].demands.size(); ++k) {
      const std::string field = fmt::format("stages[{}].demands[{}].process", i, k);
      run.demands.push_back({provider_of(sys, study.stages[i].demands[k].process, study.file, field),
                             study.stages[i].demands[k].amount});
      if (demand_fields) demand_fields->push_back(field);
    }
  const size_t np = sys.providers.size(), nk = method.categories.size();
  run.impacts.assign(nk, 0.0);
  run.direct.assign(nk, std::vector<double>(np, 0.0));
  run.scaling.assign(np, 0.0);
  run.inventory.assign(sys.elementary.size(), 0.0);
  for (const Demand& d : run.demands) {
    run.results.push_back(calculate(sys, *run.solver, method, mapping, d));
    const LcaResult& r = run.results.back();
    for (size_t k = 0; k < nk && k < r.impacts.size(); ++k) {
      run.impacts[k] += r.impacts[k];
      for (size_t j = 0; j < np && j < r.direct[k].size(); ++j) run.direct[k][j] += r.direct[k][j];
    }
    for (size_t j = 0; j < np && j < r.scaling.size(); ++j) run.scaling[j] += r.scaling[j];
    for (size_t i = 0; i < run.inventory.size() && i < r.inventory.size(); ++i) run.inventory[i] += r.inventory[i];
  }
  // the biogenic category split into CO2 emissions, CO2 uptake (by the sign of the factor) and other gases,
  // solved with the same conventions as the totals
  FlowMapping co2;  // rows: biogenic CO2 emissions, biogenic CO2 uptake, other biogenic GHGs
  co2.factors.assign(3, std::vector<double>(db.flows.size(), 0.0));
  for (size_t f = 0; f < db.flows.size(); ++f) {
    const double c = mapping.factors[cats.biogenic][f];
    if (c == 0) continue;
    co2.factors[!is_co2(db.flows[f]) ? 2 : c > 0 ? 0 : 1][f] = c;
  }
  const auto co2_rows = calculate_many(sys, *run.solver, co2, run.demands);
  for (size_t d = 0; d < run.demands.size(); ++d) {
    Split s;
    const LcaResult& r = run.results[d];
    s.total = r.impacts[cats.total];
    s.fossil = r.impacts[cats.fossil];
    s.biogenic = r.impacts[cats.biogenic];
    s.luc = r.impacts[cats.luc];
    s.bio_co2_emissions = co2_rows[d][0];
    s.bio_co2_removals = co2_rows[d][1];
    s.bio_other = co2_rows[d][2];
    if (d == 0) run.product = s;
    run.all.total += s.total;
    run.all.fossil += s.fossil;
    run.all.biogenic += s.biogenic;
    run.all.luc += s.luc;
    run.all.bio_co2_emissions += s.bio_co2_emissions;
    run.all.bio_co2_removals += s.bio_co2_removals;
    run.all.bio_other += s.bio_other;
  }
}

// Case-insensitive glob with '*' and '?'.
bool glob(const std::string& pattern, const std::string& text) {
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}
bool pattern_matches(const std::string& pattern, const Process& p) {
  if (pattern == p.id) return true;
  const std::string pat = lower(pattern);
  if (glob(pat, lower(p.name))) return true;
  const std::string cat = lower(p.category);
  if (!cat.empty()) {
    if (cat.rfind(pat, 0) == 0) return true;
    const size_t slash = cat.find_last_of('/');
    if (slash != std::string::npos && cat.compare(slash + 1, pat.size(), pat) == 0) return true;
  }
  return false;
}

// Stage of each process (index into study.stages, or stages.size() for "other").
std::vector<size_t> assign_stages(const Study& study, const Database& db, const ProductSystem& sys,
                                  const std::vector<Demand>& demands) {
  const size_t other = study.stages.size();
  std::vector<size_t> stage(db.processes.size(), other);
  std::vector<char> fixed(db.processes.size(), 0);
  // every pattern must name something in the database: a pattern that matches nothing is a typo
  for (size_t i = 0; i < study.stages.size(); ++i)
    for (size_t k = 0; k < study.stages[i].processes.size(); ++k) {
      const std::string& pat = study.stages[i].processes[k];
      bool any = false;
      for (const auto& p : db.processes) any = any || pattern_matches(pat, p);
      if (!any)
        throw Error(ErrorCategory::NotFound,
                    fmt::format("stage '{}': '{}' matches no process id, name or category of database '{}'; check "
                                "the spelling (names may use * and ? wildcards)",
                                study.stages[i].name, pat, db.name),
                    ErrorContext{study.file, 0, 0, fmt::format("stages[{}].processes[{}]", i, k)});
    }
  // the processes a stage demands belong to it
  size_t d = 1;
  for (size_t i = 0; i < study.stages.size(); ++i)
    for (size_t k = 0; k < study.stages[i].demands.size(); ++k, ++d) {
      const size_t p = static_cast<size_t>(sys.providers[static_cast<size_t>(demands[d].provider)].process);
      if (!fixed[p]) {
        stage[p] = i;
        fixed[p] = 1;
      }
    }
  for (size_t p = 0; p < db.processes.size(); ++p) {
    if (fixed[p]) continue;
    for (size_t i = 0; i < study.stages.size() && stage[p] == other; ++i)
      for (const auto& pat : study.stages[i].processes)
        if (pattern_matches(pat, db.processes[p])) {
          stage[p] = i;
          break;
        }
  }
  return stage;
}

// Documentation of a process as the report shows it (the keys the readers fill, when present).
json doc_summary(const Process& p) {
  json o = json::object();
  const json& d = p.documentation;
  if (!d.is_object()) return o;
  const auto text = [](const json& v) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("name") && v["name"].is_string()) return v["name"].get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
    return {};
  };
  for (const auto& [k, v] : d.items()) {
    if (v.is_array()) {
      std::vector<std::string> items;
      for (const auto& x : v)
        if (const std::string t = trim(text(x)); !t.empty() && std::find(items.begin(), items.end(), t) == items.end())
          items.push_back(t);
      if (!items.empty()) o[k] = join(items, "; ");
    } else if (const std::string t = trim(text(v)); !t.empty()) {
      o[k] = t.size() > 200 ? t.substr(0, 197) + "..." : t;
    }
  }
  return o;
}

}  // namespace

// ---- shared with the PACT output and the report (footprint_internal.hpp) -----------------------------------
namespace detail {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {};
  const size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}
std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) o += (i ? sep : "") + v[i];
  return o;
}

Split split_of(const json& j) {
  Split s;
  s.total = j["total"].get<double>();
  s.fossil = j["fossil"].get<double>();
  s.biogenic = j["biogenic"].get<double>();
  s.luc = j["luc"].get<double>();
  s.bio_co2_emissions = j["biogenic_co2_emissions"].get<double>();
  s.bio_co2_removals = j["biogenic_co2_removals"].get<double>();
  s.bio_other = j["biogenic_other"].get<double>();
  return s;
}

std::string alloc_description(AllocationMethod m) {
  switch (m) {
    case AllocationMethod::AsStored:
      return "each multi-output process uses the allocation method its data set declares (default allocation)";
    case AllocationMethod::None:
      return "no allocation: every co-product carries all inputs and outputs of its process";
    case AllocationMethod::Physical: return "physical allocation (stored factors, else flow properties such as mass)";
    case AllocationMethod::Economic: return "economic allocation (stored factors)";
    case AllocationMethod::Causal: return "causal allocation (stored per-exchange factors)";
  }
  return "";
}

// Solves the study and collects everything the report shows (numbers unrounded).
json analyse(const Study& study, const Database& db, const Method& method) {
  const Categories cats = find_categories(method);
  const FlowMapping mapping = map_flows(db, method);
  std::vector<std::string> warnings;

  // ---- calculation with the study's allocation ----
  std::vector<std::string> demand_fields;
  Run run;
  run_system(run, study, db, method, mapping, cats, study.allocation, &demand_fields);
  const ProductSystem& sys = run.sys;
  const size_t np = sys.providers.size();
  const Split& S = run.all;
  const std::string unit = method.categories[cats.total].unit.empty() ? "kg CO2e" : method.categories[cats.total].unit;
  const Provider& prov0 = sys.providers[static_cast<size_t>(run.demands[0].provider)];
  const Process& product_process = db.processes[static_cast<size_t>(prov0.process)];
  const Flow& product_flow = db.flows[static_cast<size_t>(prov0.flow)];

  // greenhouse gases without a factor that this system emits or takes up
  std::vector<std::string> unmapped;
  {
    std::set<int32_t> ghg(mapping.unmapped_ghg.begin(), mapping.unmapped_ghg.end());
    for (size_t i = 0; i < sys.elementary.size(); ++i)
      if (run.inventory[i] != 0 && ghg.count(sys.elementary[i])) {
        const Flow& f = db.flows[static_cast<size_t>(sys.elementary[i])];
        unmapped.push_back(fmt::format("{} [{}] {} {}", f.name, f.compartment, num(run.inventory[i]), f.unit));
      }
  }
  if (!unmapped.empty() && !study.waive_unmapped) {
    std::vector<std::string> first(unmapped.begin(), unmapped.begin() + std::min<std::ptrdiff_t>(10, std::ssize(unmapped)));
    throw Error(ErrorCategory::Data,
                fmt::format("{} greenhouse-gas flow(s) of the product system have no factor in {}: {}{}; the footprint "
                            "would understate them. Set \"waive_unmapped\": true in the study to accept this (the "
                            "report then lists them)",
                            unmapped.size(), method.name, join(first, "; "), unmapped.size() > 10 ? "; ..." : ""),
                ErrorContext{study.file, 0, 0, "waive_unmapped"});
  }

  // ---- stages ----
  const std::vector<size_t> stage_of = assign_stages(study, db, sys, run.demands);
  const size_t nst = study.stages.size() + 1;
  std::vector<Split> stage_split(nst);
  std::vector<std::set<int32_t>> stage_processes(nst);
  for (size_t j = 0; j < np; ++j) {
    const size_t p = static_cast<size_t>(sys.providers[j].process);
    const size_t st = stage_of[p];
    stage_split[st].total += run.direct[cats.total][j];
    stage_split[st].fossil += run.direct[cats.fossil][j];
    stage_split[st].biogenic += run.direct[cats.biogenic][j];
    stage_split[st].luc += run.direct[cats.luc][j];
    if (run.scaling[j] != 0) stage_processes[st].insert(static_cast<int32_t>(p));
  }
  const auto stage_name = [&](size_t st) { return st < study.stages.size() ? study.stages[st].name : std::string("other"); };

  // ---- hot spots: direct contributions per process (all columns of a multi-output process together) ----
  std::map<int32_t, double> by_process;
  double abs_sum = 0;
  for (size_t j = 0; j < np; ++j) {
    const double v = run.direct[cats.total][j];
    if (v == 0) continue;
    by_process[sys.providers[j].process] += v;
    abs_sum += std::fabs(v);
  }
  std::vector<std::pair<int32_t, double>> ranked(by_process.begin(), by_process.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::fabs(a.second) != std::fabs(b.second) ? std::fabs(a.second) > std::fabs(b.second) : a.first < b.first;
  });
  // Shares are of the gross contributions G = Σ_j |d_j| (all providers, emissions and removals alike), not of
  // the net total: a net total near or below zero (biogenic uptake) would turn shares meaningless or flip
  // their sign. When no contribution is negative, G equals the total.
  const double gross = abs_sum;
  const auto share_of = [gross](double v) { return gross > 0 ? v / gross : 0.0; };
  const double ref = S.total != 0 ? std::fabs(S.total) : abs_sum;
  json hot = json::array();
  double hot_sum = 0;
  for (const auto& [p, v] : ranked) {
    if (ref > 0 && std::fabs(v) < study.cutoff * ref) break;
    if (hot.size() >= 50) break;
    const Process& pr = db.processes[static_cast<size_t>(p)];
    hot.push_back({{"process_id", pr.id},
                   {"process", pr.name},
                   {"location", pr.location},
                   {"stage", stage_name(stage_of[static_cast<size_t>(p)])},
                   {"amount", v},
                   {"share", share_of(v)}});
    hot_sum += v;
  }

  // ---- upstream tree of the product demand ----
  json tree = json::array();
  {
    const auto nodes = upstream_tree(run.results[0], *run.solver, mapping, cats.total, study.cutoff, study.max_depth);
    for (size_t n = 0; n < nodes.size() && n < 300; ++n) {
      const TreeNode& t = nodes[n];
      const Provider& pv = sys.providers[static_cast<size_t>(t.provider)];
      const Process& pr = db.processes[static_cast<size_t>(pv.process)];
      tree.push_back({{"depth", t.depth},
                      {"process_id", pr.id},
                      {"process", pr.name},
                      {"location", pr.location},
                      {"amount", t.amount},
                      {"unit", db.flows[static_cast<size_t>(pv.flow)].unit},
                      {"total", t.total},
                      {"direct", t.direct},
                      {"share", share_of(t.total)},
                      {"parent", t.parent}});
    }
    if (nodes.size() > 300) warnings.push_back(fmt::format("the upstream tree has {} nodes; the report shows 300", nodes.size()));
  }

  // ---- allocation sensitivity ----
  json sensitivity = json::array();
  sensitivity.push_back({{"allocation", std::string(to_string(study.allocation))},
                         {"base", true},
                         {"total", S.total},
                         {"fossil", S.fossil},
                         {"biogenic", S.biogenic},
                         {"luc", S.luc},
                         {"change_percent", 0.0}});
  for (AllocationMethod m : study.allocation_sensitivity) {
    try {
      Run alt;
      run_system(alt, study, db, method, mapping, cats, m, nullptr);
      sensitivity.push_back({{"allocation", std::string(to_string(m))},
                             {"base", false},
                             {"total", alt.all.total},
                             {"fossil", alt.all.fossil},
                             {"biogenic", alt.all.biogenic},
                             {"luc", alt.all.luc},
                             {"change_percent", S.total != 0 ? (alt.all.total - S.total) / std::fabs(S.total) * 100 : 0.0},
                             {"notes", alt.sys.notes.size()}});
    } catch (const Error& e) {
      sensitivity.push_back({{"allocation", std::string(to_string(m))}, {"base", false}, {"error", e.message()}});
    }
  }

  // ---- inventory: processes in the system, unlinked inputs, data quality, sources ----
  std::set<int32_t> active;  // processes with a non-zero scaling
  for (size_t j = 0; j < np; ++j)
    if (run.scaling[j] != 0) active.insert(sys.providers[j].process);
  // the linking and allocation notes of the processes in the system ("<process name>: <note>")
  std::vector<std::string> notes_in_system;
  {
    std::set<std::string> names;
    for (int32_t p : active) names.insert(db.processes[static_cast<size_t>(p)].name);
    for (const auto& n : sys.notes) {
      const size_t colon = n.find(": ");
      if (colon != std::string::npos && names.count(n.substr(0, colon))) notes_in_system.push_back(n);
    }
  }
  json unlinked = json::array();
  size_t unlinked_count = 0;
  for (const Link& l : sys.links) {
    if (l.provider != -1 || !active.count(l.process)) continue;
    ++unlinked_count;
    if (unlinked.size() >= 100) continue;
    const Process& pr = db.processes[static_cast<size_t>(l.process)];
    const Exchange& e = pr.exchanges[static_cast<size_t>(l.exchange)];
    const Flow& f = db.flows[static_cast<size_t>(e.flow)];
    unlinked.push_back({{"process", pr.name}, {"flow", f.name}, {"amount", e.amount}, {"unit", f.unit}});
  }
  const char* pedigree_names[5] = {"reliability", "completeness", "temporal correlation", "geographical correlation",
                                   "further technological correlation"};
  size_t exchanges = 0, with_pedigree = 0, with_uncertainty = 0;
  double ped_sum[5] = {0, 0, 0, 0, 0};
  size_t ped_n[5] = {0, 0, 0, 0, 0};
  int ped_min[5] = {9, 9, 9, 9, 9}, ped_max[5] = {0, 0, 0, 0, 0};
  for (int32_t p : active)
    for (const auto& e : db.processes[static_cast<size_t>(p)].exchanges) {
      ++exchanges;
      if (e.uncertainty.kind != Uncertainty::None) ++with_uncertainty;
      bool any = false;
      for (int k = 0; k < 5; ++k) {
        const int v = e.uncertainty.pedigree[k];
        if (v < 1 || v > 5) continue;
        any = true;
        ped_sum[k] += v;
        ++ped_n[k];
        ped_min[k] = std::min(ped_min[k], v);
        ped_max[k] = std::max(ped_max[k], v);
      }
      if (any) ++with_pedigree;
    }
  json pedigree = json::array();
  for (int k = 0; k < 5; ++k)
    pedigree.push_back({{"indicator", pedigree_names[k]},
                        {"exchanges", ped_n[k]},
                        {"mean", ped_n[k] ? json(ped_sum[k] / static_cast<double>(ped_n[k])) : json(nullptr)},
                        {"min", ped_n[k] ? json(ped_min[k]) : json(nullptr)},
                        {"max", ped_n[k] ? json(ped_max[k]) : json(nullptr)}});
  json sources = json::array();
  {
    std::vector<int32_t> doc_processes = {prov0.process};
    for (const auto& h : hot) {
      const int32_t p = db.find_process(h["process_id"].get<std::string>());
      if (p >= 0 && std::find(doc_processes.begin(), doc_processes.end(), p) == doc_processes.end())
        doc_processes.push_back(p);
      if (doc_processes.size() >= 10) break;
    }
    for (int32_t p : doc_processes) {
      const Process& pr = db.processes[static_cast<size_t>(p)];
      sources.push_back({{"process_id", pr.id}, {"process", pr.name}, {"location", pr.location},
                         {"documentation", doc_summary(pr)}});
    }
  }

  // ---- data ----
  const std::string ref_unit = study.unit.empty() ? product_flow.unit : study.unit;
  json data;
  data["study"] = {{"name", study.name},
                   {"file", study.file},
                   {"goal", study.goal},
                   {"functional_unit", study.functional_unit},
                   {"reference_flow", {{"amount", study.amount}, {"unit", ref_unit}}},
                   {"product",
                    {{"process_id", product_process.id},
                     {"process", product_process.name},
                     {"location", product_process.location},
                     {"flow", product_flow.name},
                     {"amount", run.demands[0].amount},
                     {"unit", product_flow.unit}}},
                   {"database", {{"name", db.name}, {"format", db.format}, {"processes", db.processes.size()},
                                 {"flows", db.flows.size()}}},
                   {"system_boundary", study.system_boundary},
                   {"allocation", std::string(to_string(study.allocation))},
                   {"gwp_set", study.gwp_set},
                   {"method", {{"name", method.name}, {"source", method.source}}},
                   {"cutoff", study.cutoff},
                   {"reference_period", {{"start", study.period_start}, {"end", study.period_end}}},
                   {"geography", study.geography}};
  json stages_def = json::array();
  for (const auto& st : study.stages) {
    json d = json::array();
    for (const auto& x : st.demands) d.push_back({{"process", x.process}, {"amount", x.amount}});
    stages_def.push_back({{"name", st.name}, {"processes", st.processes}, {"demands", d}});
  }
  data["study"]["stages"] = stages_def;
  json unmapped_j = json::array();
  for (const auto& u : unmapped) unmapped_j.push_back(u);
  data["inventory"] = {
      {"providers", np},
      {"processes_in_system", active.size()},
      {"elementary_flows", sys.elementary.size()},
      {"solver", {{"name", run.solver->stats().solver}, {"residual", run.solver->stats().residual}}},
      {"database_provenance", db.provenance},
      {"data_sources", sources},
      {"unlinked_inputs", {{"count", unlinked_count}, {"items", unlinked}}},
      {"linking_notes", notes_in_system},
      {"data_quality",
       {{"exchanges", exchanges},
        {"with_pedigree", with_pedigree},
        {"with_uncertainty", with_uncertainty},
        {"pedigree", pedigree}}},
      {"flow_mapping",
       {{"by_id", mapping.by_id},
        {"by_name", mapping.by_name},
        {"by_cas", mapping.by_cas},
        {"unmapped_ghg_in_system", unmapped_j},
        {"waived", study.waive_unmapped}}}};
  data["impact"] = S.to_json();
  data["impact"]["unit"] = unit;
  data["gate"] = run.product.to_json();  // the product demand alone: what PACT reports
  json by_demand = json::array();
  for (size_t d = 0; d < run.demands.size(); ++d) {
    const LcaResult& r = run.results[d];
    const Provider& pv = sys.providers[static_cast<size_t>(run.demands[d].provider)];
    by_demand.push_back({{"field", demand_fields[d]},
                         {"process", db.processes[static_cast<size_t>(pv.process)].name},
                         {"amount", run.demands[d].amount},
                         {"unit", db.flows[static_cast<size_t>(pv.flow)].unit},
                         {"total", r.impacts[cats.total]}});
  }
  json stages_j = json::array();
  for (size_t st = 0; st < nst; ++st) {
    if (st == nst - 1 && stage_processes[st].empty() && stage_split[st].total == 0) continue;
    std::vector<std::string> names;
    for (int32_t p : stage_processes[st]) names.push_back(db.processes[static_cast<size_t>(p)].name);
    stages_j.push_back({{"stage", stage_name(st)},
                        {"total", stage_split[st].total},
                        {"fossil", stage_split[st].fossil},
                        {"biogenic", stage_split[st].biogenic},
                        {"luc", stage_split[st].luc},
                        {"share", share_of(stage_split[st].total)},
                        {"processes", stage_processes[st].size()},
                        {"process_names", names}});
  }
  data["interpretation"] = {
      {"hot_spots", hot},
      {"hot_spots_total", hot_sum},
      {"share_basis", "gross"},
      {"gross_contributions", gross},
      {"stages", stages_j},
      {"demands", by_demand},
      {"tree", tree},
      {"allocation_sensitivity", sensitivity},
      {"uncertainty", "Uncertainty analysis (Monte Carlo sampling of the exchanges' distributions) is not yet "
                      "available; the data-quality summary above indicates the reliability of the data."}};
  std::vector<std::string> limitations = study.limitations;
  limitations.push_back("The footprint covers climate change only (GWP100); it is not a full LCA and does not "
                        "support comparative assertions disclosed to the public.");
  if (unlinked_count)
    limitations.push_back(fmt::format("{} input(s) of processes in the system have no provider in the database and "
                                      "are cut off (their upstream emissions are missing).",
                                      unlinked_count));
  if (!unmapped.empty())
    limitations.push_back(fmt::format("{} greenhouse-gas flow(s) have no characterisation factor and were waived.",
                                      unmapped.size()));
  if (!notes_in_system.empty())
    limitations.push_back(fmt::format("{} allocation or linking choice(s) in the system were made by rule (see the "
                                      "linking notes).",
                                      notes_in_system.size()));
  limitations.push_back("Emissions are not time-weighted; biogenic carbon is counted by the -1/+1 approach "
                        "(uptake as a removal, release as an emission).");
  data["limitations"] = limitations;
  data["warnings"] = warnings;
  return data;
}

}  // namespace detail

FootprintReport make_footprint(const Study& study, const Database& db) {
  return make_footprint(study, db, builtin_gwp_method(study.gwp_set));
}

namespace {
// Every number of the report must be finite: a value that overflowed (or a NaN) stops the run with the path of
// the figure instead of writing "inf" or null into the report and the PACT file.
void require_finite_json(const json& j, const std::string& path, const std::string& file) {
  const auto fail = [&](const std::string& shown) {
    throw Error(ErrorCategory::Data,
                fmt::format("the footprint result {} is {}, not a finite number: the numbers overflow (beyond ±1.8e308) "
                            "or the system is (near) singular; check the study's amounts and the database's amounts and "
                            "conversion factors for values near 1e308",
                            path, shown),
                ErrorContext{file});
  };
  if (j.is_number_float() && !std::isfinite(j.get<double>())) fail(fmt::format("{}", j.get<double>()));
  if (j.is_string()) {  // PACT decimals are strings
    std::string v = lower(j.get<std::string>());
    if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.erase(0, 1);
    if (v == "inf" || v == "infinity" || v == "nan") fail(j.get<std::string>());
  }
  if (j.is_object())
    for (const auto& [k, v] : j.items()) require_finite_json(v, path + "." + k, file);
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) require_finite_json(j[i], fmt::format("{}[{}]", path, i), file);
}
}  // namespace

FootprintReport make_footprint(const Study& study, const Database& db, const Method& method) {
  FootprintReport rep;
  rep.data = analyse(study, db, method);
  require_finite_json(rep.data, "data", study.file);
  rep.pact = make_pact(study, db, method, rep.data);
  require_finite_json(rep.pact, "pact", study.file);
  // the figures the run log keeps
  rep.data["results"] = rep.data["impact"];
  rep.data["results"]["pact_id"] = rep.pact["id"];
  rep.data["results"]["pCfExcludingBiogenic"] = rep.pact["pcf"]["pCfExcludingBiogenic"];
  rep.data["results"]["pCfIncludingBiogenic"] = rep.pact["pcf"]["pCfIncludingBiogenic"];
  const std::vector<Section> doc = make_document(study, rep.data, rep.pact);
  const std::string title = "Product carbon footprint: " + study.name;
  rep.markdown = render_markdown(title, doc);
  rep.html = render_html(title, doc);
  return rep;
}

void write_footprint(const FootprintReport& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw Error(ErrorCategory::Io, fmt::format("cannot create the output folder: {}", ec.message()),
                ErrorContext{dir.string()});
  const auto put = [&](const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir / name;
    const std::filesystem::path tmp = dir / (name + ".tmp");
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.close();
      if (!out) throw Error(ErrorCategory::Io, "cannot write the file: check space and permissions", ErrorContext{tmp.string()});
    }
    std::filesystem::rename(tmp, p, ec);
    if (ec) throw Error(ErrorCategory::Io, "cannot replace the file: " + ec.message(), ErrorContext{p.string()});
  };
  put("report.md", report.markdown);
  put("report.html", report.html);
  put("pact.json", report.pact.dump(2) + "\n");
}

}  // namespace panocarbon::lca
