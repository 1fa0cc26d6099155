// Capabilities of the LCA module: `lca import|import-method|calc|contributions|tree|inventory|matrices`.
#include "panocarbon/lca_capabilities.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "io/lca_units.hpp"
#include "panocarbon/lca_montecarlo.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/run_log.hpp"
#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"

namespace panocarbon {

namespace fs = std::filesystem;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

lca::ProviderRule provider_rule(const Params& p) {
  const std::string r = p.has("provider-rule") ? p.str("provider-rule") : "same-location";
  if (r == "first") return lca::ProviderRule::First;
  if (r == "fail") return lca::ProviderRule::Fail;
  return lca::ProviderRule::SameLocation;
}

}  // namespace

lca::LinkOptions lca_link_options(const Params& p) {
  lca::LinkOptions o;
  o.allocation = lca::parse_allocation(p.has("allocation") ? p.str("allocation") : "as-stored");
  o.rule = provider_rule(p);
  if (p.has("provider"))
    for (const auto& c : p.strs("provider")) {
      const auto eq = c.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == c.size())
        throw Error(ErrorCategory::InvalidInput,
                    "--provider '" + c + "' must be FLOW_ID=PROCESS_ID (the product flow and the process to link it to)",
                    ErrorContext{"", 0, 0, "provider"});
      o.choices[c.substr(0, eq)] = c.substr(eq + 1);
    }
  return o;
}

namespace {
nlohmann::json link_summary(const lca::ProductSystem& sys) {
  std::map<std::string, size_t> how;
  std::map<int32_t, size_t> cut;  // cut-off flow -> inputs
  for (const auto& l : sys.links) {
    how[l.how.rfind("first of", 0) == 0 ? "first of several" : l.how]++;
    if (l.provider < 0)
      cut[sys.db->processes[static_cast<size_t>(l.process)].exchanges[static_cast<size_t>(l.exchange)].flow]++;
  }
  std::vector<std::pair<size_t, int32_t>> order;
  for (const auto& [f, n] : cut) order.emplace_back(n, f);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  nlohmann::json cut_flows = nlohmann::json::array();
  for (const auto& [n, f] : order)
    cut_flows.push_back({{"flow", sys.db->flows[static_cast<size_t>(f)].name}, {"flow_id", sys.db->flows[static_cast<size_t>(f)].id},
                         {"inputs", n}});
  return {{"providers", sys.providers.size()},
          {"elementary_flows", sys.elementary.size()},
          {"technosphere_entries", sys.technosphere.size()},
          {"biosphere_entries", sys.biosphere.size()},
          {"links", how},
          {"cutoffs", sys.cutoffs},
          {"cutoff_flows", cut_flows},
          {"allocation_notes", sys.notes.size()}};
}
}  // namespace

nlohmann::json lca_import(Store& store, const Params& p) {
  const std::string path = p.str("path");  // read_database names a missing path
  const MrioFiles files = mrio_fingerprint(path);
  const nlohmann::json inputs =
      nlohmann::json::array({{{"path", path}, {"fingerprint", files.sha256}, {"bytes", files.bytes}}});
  const int64_t run = store.begin_run("lca import", inputs, p.json());
  return logged(store, run, [&] {
    const auto t0 = std::chrono::steady_clock::now();
    lca::Database db = lca::read_database(path);
    const double read_s = since(t0);
    if (p.has("name")) db.name = p.str("name");
    db.provenance["fingerprint"] = files.sha256;
    const auto t1 = std::chrono::steady_clock::now();
    store.save_lca_database(db);
    const double save_s = since(t1);
    size_t exchanges = 0, uncertain = 0, multi = 0, allocation = 0;
    for (const auto& pr : db.processes) {
      exchanges += pr.exchanges.size();
      size_t outputs = 0;
      for (const auto& e : pr.exchanges) {
        if (e.uncertainty.kind != lca::Uncertainty::None) ++uncertain;
        const auto t = db.flows[static_cast<size_t>(e.flow)].type;
        if (!e.avoided && e.amount != 0 &&
            ((t == lca::FlowType::Product && !e.input) || (t == lca::FlowType::Waste && e.input)))
          ++outputs;
      }
      if (outputs > 1) ++multi;
      if (!pr.allocation.empty()) ++allocation;
    }
    const lca::ProductSystem sys = lca::build_system(db, lca::LinkOptions{});
    store.save_lca_system(db.name, lca_system_key(lca::LinkOptions{}), sys);  // what `lca calc` will load
    nlohmann::json out = {{"name", db.name},
                          {"format", db.format},
                          {"path", path},
                          {"processes", db.processes.size()},
                          {"flows", db.flows.size()},
                          {"exchanges", exchanges},
                          {"exchanges_with_uncertainty", uncertain},
                          {"multi_output_processes", multi},
                          {"processes_with_allocation_factors", allocation},
                          {"read_s", read_s},
                          {"store_s", save_s},
                          {"linking", link_summary(sys)},
                          {"notes", sys.notes},
                          {"warnings", db.warnings},
                          {"run_id", run}};
    store.finish_run(run, "ok", {{"name", db.name}, {"processes", db.processes.size()}, {"exchanges", exchanges}});
    return out;
  });
}

nlohmann::json lca_import_method(Store& store, const Params& p) {
  const std::string path = p.str("path");
  const std::string name = p.has("name") ? p.str("name") : "";
  const int64_t run = store.begin_run("lca import-method", nlohmann::json::array({{{"path", path}}}), p.json());
  return logged(store, run, [&] {
    lca::Method m;
    if (fs::is_regular_file(path) && fs::path(path).extension() == ".csv")
      m = lca::read_method_csv(path, name);
    else
      m = lca::read_method_jsonld(path, name);
    if (!name.empty()) m.name = name;
    store.save_lca_method(m);
    size_t factors = 0;
    for (const auto& c : m.categories) factors += c.factors.size();
    store.finish_run(run, "ok", {{"method", m.name}, {"categories", m.categories.size()}, {"factors", factors}});
    return nlohmann::json{{"name", m.name}, {"categories", m.categories.size()}, {"factors", factors}, {"run_id", run}};
  });
}

std::string lca_system_key(const lca::LinkOptions& o) {
  std::string key = fmt::format("allocation={};rule={}", lca::to_string(o.allocation), static_cast<int>(o.rule));
  for (const auto& [flow, process] : o.choices) key += ";" + flow + "=" + process;
  return key;
}

namespace {
// --method (a stored method, or the built-in IPCC 2021 GWP100 with --gwp), its flow mapping, and the demands
// of --process with --amount and --unit.
void resolve_method_and_demands(Store& store, const Params& p, LcaSession& s) {
  const std::string method = p.has("method") ? p.str("method") : "";
  if (method.empty() || method == "IPCC 2021 GWP100" || method == "ipcc2021") {
    s.method = lca::builtin_gwp_method(p.has("gwp") ? p.str("gwp") : "AR6");
  } else if (auto m = store.load_lca_method(method)) {
    s.method = std::move(*m);
  } else {
    std::string list = "IPCC 2021 GWP100 (built in)";
    for (const auto& n : store.lca_methods()) list += "; " + n;
    throw Error(ErrorCategory::NotFound,
                fmt::format("no LCIA method '{}'; the methods are: {} (import one with `panocarbon lca import-method`)",
                            method, list),
                ErrorContext{"", 0, 0, "method"});
  }
  s.mapping = lca::map_flows(s.db, s.method);
  s.characterised = lca::characterised_columns(s.sys, s.mapping);
  const double amount = p.has("amount") ? p.number("amount") : 1.0;
  if (p.has("process"))
    for (const auto& q : p.strs("process")) {
      lca::Demand d{s.sys.find_provider(q), amount};
      if (p.has("unit")) {
        // --amount in another unit of the product's quantity (kWh for an MJ flow, t for kg, ...)
        const auto& flow = s.db.flows[static_cast<size_t>(s.sys.providers[static_cast<size_t>(d.provider)].flow)];
        const double f = lca::units::factor(p.str("unit"), flow.unit);
        if (!(f > 0))
          throw Error(ErrorCategory::Unit,
                      fmt::format("--unit {} cannot be converted to {}, the reference unit of '{}': give the amount "
                                  "in {} or in a unit of the same quantity",
                                  p.str("unit"), flow.unit, flow.name, flow.unit),
                      ErrorContext{"", 0, 0, "unit"});
        d.amount *= f;
      }
      s.demands.push_back(d);
    }
}
}  // namespace

std::unique_ptr<LcaSession> lca_prepare(Store& store, const Params& p, const std::string& command) {
  auto sp = std::make_unique<LcaSession>();
  LcaSession& s = *sp;
  const std::string dbname = p.str("database");
  s.run_id = store.begin_run(command, nlohmann::json::array({{{"database", dbname}}}), p.json());
  logged(store, s.run_id, [&] {
    auto t0 = std::chrono::steady_clock::now();
    const lca::LinkOptions options = lca_link_options(p);
    const std::string key = lca_system_key(options);
    // the linked system from the cache when there is one: no exchanges to load, nothing to link
    s.db = store.load_lca_database(dbname, false);
    if (auto cached = store.load_lca_system(dbname, key, s.db)) {
      s.sys = std::move(*cached);
      s.sys.db = &s.db;
      s.cached_system = true;
      s.load_s = since(t0);
      t0 = std::chrono::steady_clock::now();
    } else {
      s.db = store.load_lca_database(dbname, true);
      s.load_s = since(t0);
      t0 = std::chrono::steady_clock::now();
      s.sys = lca::build_system(s.db, options);
      store.save_lca_system(dbname, key, s.sys);
    }
    s.build_s = since(t0);
    s.solver = std::make_unique<lca::Solver>(s.sys);
    resolve_method_and_demands(store, p, s);
    return 0;
  });
  return sp;
}

std::vector<std::pair<int32_t, double>> lca_check_unmapped(const LcaSession& s, const std::vector<double>& inventory,
                                                           bool waive) {
  std::unordered_map<int32_t, size_t> row;
  for (size_t r = 0; r < s.sys.elementary.size(); ++r) row[s.sys.elementary[r]] = r;
  std::vector<std::pair<int32_t, double>> found;
  for (int32_t f : s.mapping.unmapped_ghg) {
    const auto it = row.find(f);
    if (it != row.end() && inventory[it->second] != 0) found.emplace_back(f, inventory[it->second]);
  }
  if (!found.empty() && !waive) {
    std::string list;
    for (const auto& [f, v] : found) {
      const auto& fl = s.db.flows[static_cast<size_t>(f)];
      list += fmt::format("\n  {} ({}, {}): {:.6g} {}", fl.name, fl.compartment, fl.id, v, fl.unit);
    }
    throw Error(ErrorCategory::Data,
                fmt::format("{} greenhouse-gas flows of the inventory have no factor in method '{}'; the footprint "
                            "would miss them. Import a method that covers them, or pass --waive-unmapped to accept "
                            "the gap:{}",
                            found.size(), s.method.name, list),
                ErrorContext{"", 0, 0, "method"});
  }
  return found;
}

std::vector<std::pair<int32_t, double>> lca_unmapped_mass(const LcaSession& s, const std::vector<double>& inventory) {
  std::vector<std::pair<int32_t, double>> out;
  for (size_t r = 0; r < s.sys.elementary.size(); ++r) {
    const int32_t f = s.sys.elementary[r];
    const auto& fl = s.db.flows[static_cast<size_t>(f)];
    if (inventory[r] == 0 || (fl.property != "Mass" && fl.unit != "kg")) continue;
    bool mapped = false;
    for (const auto& cat : s.mapping.factors) mapped = mapped || cat[static_cast<size_t>(f)] != 0;
    if (!mapped) out.emplace_back(f, inventory[r]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
  return out;
}

LcaMonteCarloRun lca_montecarlo(Context& ctx, const Params& p) {
  const MonteCarloSetup setup = montecarlo_setup(p, "lca montecarlo", ctx.progress);
  const std::string dbname = p.str("database");
  const std::string pedigree_name = p.has("pedigree") ? p.str("pedigree") : "ciroth2016";
  const size_t top = p.has("top") ? static_cast<size_t>(p.integer("top")) : 10;
  ctx.add_input({{"database", dbname}});
  Store& store = ctx.store();
  LcaSession s;
  s.run_id = ctx.run_id();
  // the exchanges are needed (their distributions): load them and link, not the cached system
  s.db = store.load_lca_database(dbname, true);
  s.sys = lca::build_system(s.db, lca_link_options(p));
  s.solver = std::make_unique<lca::Solver>(s.sys);
  resolve_method_and_demands(store, p, s);
  const lca::Demand demand = s.demands.front();
  const lca::LcaResult det = lca::calculate(s.sys, *s.solver, s.method, s.mapping, demand, &s.characterised);
  lca_check_unmapped(s, det.inventory, p.flag("waive-unmapped"));

  lca::MonteCarloOptions mo;
  mo.seed = setup.seed;
  mo.pedigree = unc::pedigree_convention(pedigree_name);
  const lca::MonteCarloModel model = lca::montecarlo_model(s.sys, s.mapping, mo);
  const lca::McResult res = lca::run_montecarlo(model, s.method, demand, setup.run, top);

  const auto& pv = s.sys.providers[static_cast<size_t>(demand.provider)];
  const lca::Process& pr = s.db.processes[static_cast<size_t>(pv.process)];
  const lca::Flow& fl = s.db.flows[static_cast<size_t>(pv.flow)];
  std::map<std::string, size_t> by_origin;
  for (const auto& par : model.parameters) ++by_origin[par.origin];
  nlohmann::json notes = nlohmann::json::array();
  for (size_t i = 0; i < model.notes.size() && i < 50; ++i) notes.push_back(model.notes[i]);
  nlohmann::json cats = nlohmann::json::array();
  for (const auto& c : res.categories) {
    nlohmann::json contrib = nlohmann::json::array();
    for (const auto& k : c.contributions) {
      const lca::Process& cp = s.db.processes[static_cast<size_t>(k.process)];
      const lca::McParameter& tp = model.parameters[k.top_parameter];
      const lca::Exchange& te = cp.exchanges[static_cast<size_t>(tp.exchange)];
      contrib.push_back({{"process", cp.name},
                         {"process_id", cp.id},
                         {"location", cp.location},
                         {"share_pct", k.share_pct},
                         {"parameters", k.parameters},
                         {"top_exchange", s.db.flows[static_cast<size_t>(te.flow)].name},
                         {"top_parameter", tp.name},
                         {"top_distribution", tp.origin},
                         {"rho", k.rho}});
    }
    cats.push_back({{"category", c.name},
                    {"unit", c.unit},
                    {"deterministic", c.deterministic},
                    {"mean", c.summary.mean},
                    {"sd", c.summary.sd},
                    {"median", c.summary.median},
                    {"p2_5", c.summary.p2_5},
                    {"p97_5", c.summary.p97_5},
                    {"screened_parameters", c.screened},
                    {"contributions", contrib}});
  }
  nlohmann::json out = {
      {"database", s.db.name},
      {"functional_unit",
       {{"process", pr.name}, {"process_id", pr.id}, {"location", pr.location}, {"product", fl.name},
        {"amount", demand.amount}, {"unit", fl.unit}}},
      {"method", s.method.name},
      {"setup", setup.record()},
      {"pedigree", pedigree_name},
      {"uncertainty",
       {{"parameters", model.parameters.size()},
        {"by_distribution", by_origin},
        {"technosphere_entries", model.a_uncertain},
        {"biosphere_entries", model.b_uncertain},
        {"notes", model.notes.size()},
        {"notes_first", notes}}},
      {"categories", cats}};
  LcaMonteCarloRun run;
  run.result = std::move(out);
  run.draws_s = res.draws.seconds;
  run.refactor_fallbacks = res.refactor_fallbacks;
  run.factorise_s = s.solver->stats().factorise_s;
  run.summary = setup.log_record();
  run.summary.update({{"parameters", model.parameters.size()}, {"draws_s", res.draws.seconds},
                      {"refactor_fallbacks", res.refactor_fallbacks}});
  return run;
}

}  // namespace panocarbon
