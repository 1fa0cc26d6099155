// Capabilities of the LCA module: `lca import|import-method|calc|contributions|tree|inventory|matrices|montecarlo`.
// Runs are logged by the registry (src/capabilities/lca_entries.cpp), except lca_montecarlo's.
#include "panocarbon/lca_capabilities.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lca/units.hpp"
#include "panocarbon/lca_montecarlo.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
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

namespace {
// Exchanges, uncertain exchanges, multi-output processes and processes with allocation factors.
struct ImportCounts {
  size_t exchanges = 0, uncertain = 0, multi = 0, allocation = 0;
};
ImportCounts count_exchanges(const lca::Database& db) {
  ImportCounts c;
  for (const auto& pr : db.processes) {
    c.exchanges += pr.exchanges.size();
    size_t outputs = 0;
    for (const auto& e : pr.exchanges) {
      if (e.uncertainty.kind != lca::Uncertainty::None) ++c.uncertain;
      const auto t = db.flows[static_cast<size_t>(e.flow)].type;
      if (!e.avoided && e.amount != 0 &&
          ((t == lca::FlowType::Product && !e.input) || (t == lca::FlowType::Waste && e.input)))
        ++outputs;
    }
    if (outputs > 1) ++c.multi;
    if (!pr.allocation.empty()) ++c.allocation;
  }
  return c;
}

nlohmann::json method_summary(const lca::Method& m) {
  size_t factors = 0;
  for (const auto& c : m.categories) factors += c.factors.size();
  return {{"name", m.name}, {"categories", m.categories.size()}, {"factors", factors}};
}
}  // namespace

nlohmann::json lca_import(Store& store, const std::string& path, const Params& p) {
  // PANOCARBON_TRACE=1 prints the time of each phase on stderr (bench/lca_import_bench.py reads it).
  static const bool trace = std::getenv("PANOCARBON_TRACE") != nullptr;
  static const auto phase = [](const char* what, std::chrono::steady_clock::time_point t0) {
    if (trace) fmt::print(stderr, "trace: {:<28} {:.6f} s\n", what, since(t0));
  };
  const auto t0 = std::chrono::steady_clock::now();
  // a JSON-LD package's LCIA methods come with it, as in openLCA
  std::vector<lca::Method> methods;
  lca::Database db = lca::read_database(path, methods);  // names a missing path
  phase("lca import read", t0);
  const double read_s = since(t0);
  if (p.has("name")) db.name = p.str("name");
  const auto t1 = std::chrono::steady_clock::now();
  // While the store writes the database, on the other core: linking (reads the database) and the fingerprint
  // (a stat of every file; the read keeps both cores busy, the store one). The database, its methods and the
  // linked system (what `lca calc` will load) go into the store in one transaction; the database's own row,
  // with the fingerprint in its provenance, is written after the other rows.
  auto linked = std::async(std::launch::async, [&db, t1] {
    lca::ProductSystem s = lca::build_system(db, lca::LinkOptions{});
    phase("lca import link", t1);
    return s;
  });
  auto fingerprint = std::async(std::launch::async, [&path, t1] {
    MrioFiles f = mrio_fingerprint(path);
    phase("lca import fingerprint", t1);
    return f;
  });
  lca::ProductSystem sys;
  MrioFiles files;
  store.save_lca_import(db, methods, lca_system_key(lca::LinkOptions{}), [&]() -> const lca::ProductSystem& {
    phase("lca import store rows", t1);
    sys = linked.get();
    files = fingerprint.get();
    db.provenance["fingerprint"] = files.sha256;
    return sys;
  });
  phase("lca import store database", t1);
  nlohmann::json stored_methods = nlohmann::json::array();
  for (const auto& m : methods) stored_methods.push_back(method_summary(m));
  const double save_s = since(t1);
  const ImportCounts n = count_exchanges(db);
  nlohmann::json unusable = nlohmann::json::array();
  for (const auto& u : lca::unusable_processes(sys)) {
    const lca::Process& pr = db.processes[static_cast<size_t>(u.process)];
    unusable.push_back({{"id", pr.id}, {"name", pr.name}, {"reason", u.reason}});
  }
  return {{"name", db.name},
          {"format", db.format},
          {"path", path},
          {"fingerprint", files.sha256},
          {"processes", db.processes.size()},
          {"flows", db.flows.size()},
          {"exchanges", n.exchanges},
          {"exchanges_with_uncertainty", n.uncertain},
          {"multi_output_processes", n.multi},
          {"processes_with_allocation_factors", n.allocation},
          {"methods", stored_methods},
          {"read_s", read_s},
          {"store_s", save_s},
          {"linking", link_summary(sys)},
          {"notes", sys.notes},
          {"unusable_processes", unusable},
          {"warnings", db.warnings}};
}

nlohmann::json lca_import_method(Store& store, const std::string& path, const Params& p) {
  const std::string name = p.has("name") ? p.str("name") : "";
  lca::Method m;
  if (fs::is_regular_file(path) && fs::path(path).extension() == ".csv")
    m = lca::read_method_csv(path, name);
  else
    m = lca::read_method_jsonld(path, name);
  if (!name.empty()) m.name = name;
  store.save_lca_method(m);
  return method_summary(m);
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
    s.gwp_set = p.has("gwp") ? p.str("gwp") : "AR6";
    s.method = lca::builtin_gwp_method(s.gwp_set);
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

std::unique_ptr<LcaSession> lca_prepare(Store& store, const Params& p) {
  auto sp = std::make_unique<LcaSession>();
  LcaSession& s = *sp;
  const std::string dbname = p.str("database");
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
  s.phases = {{s.cached_system ? "lca load (cached system)" : "lca load", s.load_s},
              {"lca build", s.build_s},
              {"lca factorise", s.solver->stats().factorise_s}};
  resolve_method_and_demands(store, p, s);
  return sp;
}

void lca_trace(const LcaSession& s) {
  if (!std::getenv("PANOCARBON_TRACE")) return;
  const lca::SolveStats& st = s.solver->stats();
  for (const auto& [what, seconds] : s.phases) fmt::print(stderr, "trace: {:<28} {:.6f} s\n", what, seconds);
  fmt::print(stderr, "trace: lca solver {}: nnz(A) = {}, nnz(L+U) = {} ({:.2f} x)\n", st.solver, st.nnz, st.lu_nnz,
             st.nnz ? double(st.lu_nnz) / double(st.nnz) : 0.0);
}

namespace {
std::shared_ptr<LcaSession> prepared(Store& store, const Params& p) { return lca_prepare(store, p); }

// One full LCI of the session's first demand, with the unmapped-flow check.
lca::LcaResult first_result(LcaSession& s, const Params& p) {
  lca::LcaResult r = lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands.front(), &s.characterised);
  s.phases.emplace_back("lca lci per demand", r.stats.solve_s + r.stats.lcia_s);
  lca_check_unmapped(s, r.inventory, p.flag("waive-unmapped"));
  return r;
}

size_t category_index(const LcaSession& s, const Params& p) {
  if (!p.has("category")) return 0;
  const std::string c = p.str("category");
  std::string names;
  for (size_t k = 0; k < s.method.categories.size(); ++k) {
    if (s.method.categories[k].name == c) return k;
    names += (k ? ", " : "") + s.method.categories[k].name;
  }
  throw Error(ErrorCategory::NotFound,
              fmt::format("method '{}' has no category '{}'; its categories are: {}", s.method.name, c, names),
              ErrorContext{"", 0, 0, "category"});
}

// Several demands: the impacts of each by the transposed route, checked against the full LCI of the first.
void calc_many(LcaCalc& out, const Params& p) {
  LcaSession& s = *out.session;
  auto t0 = std::chrono::steady_clock::now();
  out.many = lca::calculate_many(s.sys, *s.solver, s.mapping, s.demands, &s.characterised);
  s.phases.emplace_back(fmt::format("lca lcia ({} demands)", s.demands.size()), since(t0));
  out.result = lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands.front(), &s.characterised);
  lca_check_unmapped(s, out.result.inventory, p.flag("waive-unmapped"));
  for (size_t k = 0; k < out.result.impacts.size(); ++k)
    out.identity_gap = std::max(out.identity_gap, std::abs(out.result.impacts[k] - out.many[0][k]) /
                                                      std::max(1e-300, std::abs(out.result.impacts[k])));
  if (out.identity_gap > 1e-8)
    throw Error(ErrorCategory::Internal,
                fmt::format("transposed and direct solves disagree by {:.2e} (relative)", out.identity_gap));
  if (!std::getenv("PANOCARBON_TRACE")) return;
  // for benchmarks: full LCIs (s = A⁻¹f, g = Bs, h = Cg) of up to 20 demands, and one solve per demand
  const size_t m = std::min<size_t>(20, s.demands.size());
  t0 = std::chrono::steady_clock::now();
  for (size_t d = 0; d < m; ++d) lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands[d], &s.characterised);
  s.phases.emplace_back("lca lci per demand", since(t0) / static_cast<double>(m));
  t0 = std::chrono::steady_clock::now();
  for (const auto& d : s.demands) {
    std::vector<double> f(s.sys.providers.size(), 0.0);
    f[static_cast<size_t>(d.provider)] = d.amount;
    s.solver->solve(f);
  }
  s.phases.emplace_back(fmt::format("lca solve ({} demands)", s.demands.size()), since(t0));
}
}  // namespace

LcaCalc lca_calc(Store& store, const Params& p) {
  LcaCalc out;
  out.session = prepared(store, p);
  if (out.session->demands.size() > 1) {
    calc_many(out, p);
  } else {
    out.result = first_result(*out.session, p);
    out.unmapped_mass = lca_unmapped_mass(*out.session, out.result.inventory);
  }
  lca_trace(*out.session);
  return out;
}

LcaInventory lca_inventory(Store& store, const Params& p) {
  LcaInventory out;
  out.session = prepared(store, p);
  const LcaSession& s = *out.session;
  out.result = lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands.front(), &s.characterised);
  for (size_t i = 0; i < out.result.inventory.size(); ++i)
    if (out.result.inventory[i] != 0) out.rows.push_back(i);
  const auto flow = [&](size_t i) -> const lca::Flow& { return s.db.flows[static_cast<size_t>(s.sys.elementary[i])]; };
  std::sort(out.rows.begin(), out.rows.end(), [&](size_t a, size_t b) {
    return std::tie(flow(a).compartment, flow(a).name, flow(a).id) < std::tie(flow(b).compartment, flow(b).name, flow(b).id);
  });
  return out;
}

LcaContributions lca_contributions(Store& store, const Params& p) {
  LcaContributions out;
  out.session = prepared(store, p);
  LcaSession& s = *out.session;
  out.category = category_index(s, p);
  out.result = first_result(s, p);
  lca_trace(s);
  out.by = p.str("by");
  out.upstream = p.flag("upstream");
  const size_t k = out.category;
  // --upstream: each provider's total output s_j·A_jj with everything upstream of it (λ_j per unit)
  std::vector<double> upstream;
  if (out.upstream) {
    const auto lambda = s.solver->solve_transposed(s.characterised[k]);
    const std::vector<double> diag = lca::technosphere_matrix(s.sys).diagonal;
    upstream.resize(lambda.size());
    for (size_t j = 0; j < lambda.size(); ++j) upstream[j] = lambda[j] * diag[j] * out.result.scaling[j];
    lca::require_finite(upstream, "the upstream contribution", [&](size_t j) {
      const lca::Process& pr = s.db.processes[static_cast<size_t>(s.sys.providers[j].process)];
      return fmt::format("provider '{}' ({})", pr.name, pr.id);
    });
  }
  // group the contributions of the providers
  std::map<std::string, LcaContributions::Row> groups;
  for (size_t j = 0; j < s.sys.providers.size(); ++j) {
    const double v = upstream.empty() ? out.result.direct[k][j] : upstream[j];
    if (v == 0) continue;
    const auto& pr = s.db.processes[static_cast<size_t>(s.sys.providers[j].process)];
    const std::string key = out.by == "process" ? pr.id : out.by == "location" ? pr.location : pr.category;
    auto& row = groups[key];
    if (out.by == "process") row = {pr.id, pr.name, pr.location, row.amount};
    else row.name = key;
    row.amount += v;
  }
  for (auto& [key, row] : groups) out.rows.push_back(row);
  std::stable_sort(out.rows.begin(), out.rows.end(),
                   [](const auto& a, const auto& b) { return std::abs(a.amount) > std::abs(b.amount); });
  const long long top = p.integer("top");
  if (top > 0 && out.rows.size() > static_cast<size_t>(top)) out.rows.resize(static_cast<size_t>(top));
  out.total = out.result.impacts[k];
  return out;
}

LcaTree lca_tree(Store& store, const Params& p) {
  LcaTree out;
  out.session = prepared(store, p);
  LcaSession& s = *out.session;
  out.category = category_index(s, p);
  out.result = first_result(s, p);
  lca_trace(s);
  out.cutoff = p.number("cutoff");
  out.nodes = lca::upstream_tree(out.result, *s.solver, s.mapping, out.category, out.cutoff,
                                 static_cast<int>(p.integer("max-depth")), &s.characterised);
  out.total = out.nodes.empty() ? 0 : out.nodes.front().total;
  return out;
}

LcaMatrices lca_matrices(Store& store, const Params& p, const fs::path& out) {
  const lca::Database db = store.load_lca_database(p.str("database"));
  const lca::ProductSystem sys = lca::build_system(db, lca_link_options(p));
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error(ErrorCategory::Io, "cannot create " + out.string() + ": " + ec.message(), ErrorContext{out.string()});
  LcaMatrices m{db.name, sys.providers.size(), sys.elementary.size(), sys.technosphere.size(), sys.biosphere.size(),
                sys.cutoffs, {}};
  const auto write = [&](const char* name, const std::string& header, const auto& rows) {
    const fs::path path = out / name;
    std::ofstream f(path);
    if (!f) throw Error(ErrorCategory::Io, "cannot write " + path.string(), ErrorContext{path.string()});
    f.precision(17);
    f << header << '\n';
    rows(f);
    if (!f) throw Error(ErrorCategory::Io, "cannot write " + path.string() + ": check space", ErrorContext{path.string()});
    m.files.push_back(path.string());
  };
  const auto triplets = [](const auto& entries) {
    return [&entries](std::ostream& f) {
      for (const auto& t : entries) f << t.row << ',' << t.col << ',' << t.value << '\n';
    };
  };
  write("technosphere.csv", "row,col,value", triplets(sys.technosphere));
  write("biosphere.csv", "row,col,value", triplets(sys.biosphere));
  write("providers.csv", "index,process_id,process,location,flow_id,flow,unit", [&](std::ostream& f) {
    for (size_t j = 0; j < sys.providers.size(); ++j) {
      const auto& pr = db.processes[static_cast<size_t>(sys.providers[j].process)];
      const auto& fl = db.flows[static_cast<size_t>(sys.providers[j].flow)];
      f << j << ',' << csv_field(pr.id) << ',' << csv_field(pr.name) << ',' << csv_field(pr.location) << ','
        << csv_field(fl.id) << ',' << csv_field(fl.name) << ',' << csv_field(fl.unit) << '\n';
    }
  });
  write("flows.csv", "index,flow_id,flow,compartment,unit,cas", [&](std::ostream& f) {
    for (size_t i = 0; i < sys.elementary.size(); ++i) {
      const auto& fl = db.flows[static_cast<size_t>(sys.elementary[i])];
      f << i << ',' << csv_field(fl.id) << ',' << csv_field(fl.name) << ',' << csv_field(fl.compartment) << ','
        << csv_field(fl.unit) << ',' << csv_field(fl.cas) << '\n';
    }
  });
  return m;
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
                    {"histogram",
                     {{"lower", c.histogram.lower}, {"upper", c.histogram.upper}, {"counts", c.histogram.counts}}},
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
