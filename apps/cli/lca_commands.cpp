// The `lca` commands of the CLI: each calls the library (panocarbon/lca_capabilities.hpp) and prints.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "cli.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/lca_capabilities.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/run_log.hpp"

namespace pc = panocarbon;
namespace lca = panocarbon::lca;

namespace cli {
namespace {

bool tracing() { return std::getenv("PANOCARBON_TRACE") != nullptr; }
void trace(const std::string& what, double seconds) {
  if (tracing()) fmt::print(stderr, "trace: {:<28} {:.6f} s\n", what, seconds);
}
void trace_solver(const lca::SolveStats& st) {
  if (tracing())
    fmt::print(stderr, "trace: lca solver {}: nnz(A) = {}, nnz(L+U) = {} ({:.2f} x)\n", st.solver, st.nnz,
               st.lu_nnz, st.nnz ? double(st.lu_nnz) / double(st.nnz) : 0.0);
}
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const lca::Process& process_of(const pc::LcaSession& s, int32_t provider) {
  return s.db.processes[static_cast<size_t>(s.sys.providers[static_cast<size_t>(provider)].process)];
}
const lca::Flow& product_of(const pc::LcaSession& s, int32_t provider) {
  return s.db.flows[static_cast<size_t>(s.sys.providers[static_cast<size_t>(provider)].flow)];
}

size_t category_index(const pc::LcaSession& s, const pc::Params& p) {
  if (!p.has("category")) return 0;
  const std::string c = p.str("category");
  std::string names;
  for (size_t k = 0; k < s.method.categories.size(); ++k) {
    if (s.method.categories[k].name == c) return k;
    names += (k ? ", " : "") + s.method.categories[k].name;
  }
  throw pc::Error(pc::ErrorCategory::NotFound,
                  fmt::format("method '{}' has no category '{}'; its categories are: {}", s.method.name, c, names),
                  pc::ErrorContext{"", 0, 0, "category"});
}

// One full LCI of the session's first demand, with the unmapped-flow check and the trace lines.
lca::LcaResult single(pc::Store& store, const pc::Params& p, pc::LcaSession& s) {
  trace(s.cached_system ? "lca load (cached system)" : "lca load", s.load_s);
  trace("lca build", s.build_s);
  trace("lca factorise", s.solver->stats().factorise_s);
  trace_solver(s.solver->stats());
  return pc::logged(store, s.run_id, [&] {
    lca::LcaResult r = lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands.front(), &s.characterised);
    trace("lca lci per demand", r.stats.solve_s + r.stats.lcia_s);
    pc::lca_check_unmapped(s, r.inventory, p.flag("waive-unmapped"));
    return r;
  });
}

nlohmann::json checks_json(const pc::LcaSession& s, const lca::SolveStats& st) {
  return {{"solver", st.solver},
          {"factorise_s", st.factorise_s},
          {"nnz", s.solver->stats().nnz},
          {"lu_nnz", s.solver->stats().lu_nnz},
          {"cached_system", s.cached_system},
          {"max_relative_residual", s.solver->stats().residual},
          {"providers", s.sys.providers.size()},
          {"cutoffs", s.sys.cutoffs}};
}

void print_header(const pc::LcaSession& s, int32_t provider, double amount) {
  const auto& pr = process_of(s, provider);
  const auto& fl = product_of(s, provider);
  fmt::print("database {}: {} providers, {} elementary flows, {} cut-off inputs\n", s.db.name, s.sys.providers.size(),
             s.sys.elementary.size(), s.sys.cutoffs);
  fmt::print("functional unit: {} {} of '{}' from '{}' ({})\n", amount, fl.unit, fl.name, pr.name, pr.location);
  fmt::print("method: {}; solver {} (factorised in {:.3f} s, max relative residual {:.1e})\n", s.method.name,
             s.solver->stats().solver, s.solver->stats().factorise_s, s.solver->stats().residual);
}

void calc(const pc::Params& p) {
  pc::Store& store = store_for(p);
  const auto session = pc::lca_prepare(store, p, "lca calc");
  pc::LcaSession& s = *session;
  const std::string format = p.str("format");
  if (s.demands.size() > 1) {
    trace(s.cached_system ? "lca load (cached system)" : "lca load", s.load_s);
    trace("lca build", s.build_s);
    trace("lca factorise", s.solver->stats().factorise_s);
    trace_solver(s.solver->stats());
    const auto res = pc::logged(store, s.run_id, [&] {
      auto t0 = std::chrono::steady_clock::now();
      auto many = lca::calculate_many(s.sys, *s.solver, s.mapping, s.demands, &s.characterised);
      const double t_many = since(t0);
      trace(fmt::format("lca lcia ({} demands)", s.demands.size()), t_many);
      // the identity check: the transposed route equals the full LCI of the first demand
      const lca::LcaResult first = lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands.front(), &s.characterised);
      pc::lca_check_unmapped(s, first.inventory, p.flag("waive-unmapped"));
      double gap = 0;
      for (size_t k = 0; k < first.impacts.size(); ++k)
        gap = std::max(gap, std::abs(first.impacts[k] - many[0][k]) / std::max(1e-300, std::abs(first.impacts[k])));
      if (gap > 1e-8)
        throw pc::Error(pc::ErrorCategory::Internal,
                        fmt::format("transposed and direct solves disagree by {:.2e} (relative)", gap));
      if (tracing()) {
        // full LCIs (s = A⁻¹f, g = Bs, h = Cg) of up to 20 demands, for the per-demand time
        const size_t m = std::min<size_t>(20, s.demands.size());
        t0 = std::chrono::steady_clock::now();
        for (size_t d = 0; d < m; ++d) lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands[d], &s.characterised);
        trace("lca lci per demand", since(t0) / static_cast<double>(m));
        t0 = std::chrono::steady_clock::now();
        std::vector<std::vector<double>> S;
        for (const auto& d : s.demands) {
          std::vector<double> f(s.sys.providers.size(), 0.0);
          f[static_cast<size_t>(d.provider)] = d.amount;
          S.push_back(s.solver->solve(f));
        }
        trace(fmt::format("lca solve ({} demands)", s.demands.size()), since(t0));
      }
      store.finish_run(s.run_id, "ok", {{"demands", s.demands.size()}, {"identity_gap", gap}});
      return many;
    });
    if (format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (size_t d = 0; d < s.demands.size(); ++d) {
        nlohmann::json cats = nlohmann::json::array();
        for (size_t k = 0; k < s.method.categories.size(); ++k)
          cats.push_back({{"category", s.method.categories[k].name}, {"amount", res[d][k]},
                          {"unit", s.method.categories[k].unit}});
        arr.push_back(nlohmann::json{{"process", process_of(s, s.demands[d].provider).name},
                       {"process_id", process_of(s, s.demands[d].provider).id}, {"amount", s.demands[d].amount},
                       {"results", cats}});
      }
      std::cout << nlohmann::json{{"database", s.db.name}, {"method", s.method.name}, {"results", arr},
                                  {"checks", checks_json(s, s.solver->stats())}, {"run_id", s.run_id}}.dump(2)
                << '\n';
      return;
    }
    if (format == "csv") fmt::print("process,category,amount,unit\n");
    for (size_t d = 0; d < s.demands.size(); ++d)
      for (size_t k = 0; k < s.method.categories.size(); ++k) {
        if (format == "csv")
          fmt::print("{},{},{},{}\n", pc::csv_field(process_of(s, s.demands[d].provider).name),
                     pc::csv_field(s.method.categories[k].name), res[d][k], pc::csv_field(s.method.categories[k].unit));
        else
          fmt::print("{:<60} {:<12} {:>16.6g} {}\n", process_of(s, s.demands[d].provider).name.substr(0, 60),
                     s.method.categories[k].name, res[d][k], s.method.categories[k].unit);
      }
    return;
  }
  const lca::LcaResult r = single(store, p, s);
  const auto unmapped = pc::lca_unmapped_mass(s, r.inventory);
  nlohmann::json summary = nlohmann::json::object();
  for (size_t k = 0; k < r.impacts.size(); ++k) summary[s.method.categories[k].name] = r.impacts[k];
  store.finish_run(s.run_id, "ok", {{"impacts", summary}, {"residual", s.solver->stats().residual}});
  if (format == "csv") {
    fmt::print("category,amount,unit\n");
    for (size_t k = 0; k < r.impacts.size(); ++k)
      fmt::print("{},{},{}\n", pc::csv_field(s.method.categories[k].name), r.impacts[k],
                 pc::csv_field(s.method.categories[k].unit));
    return;
  }
  if (format == "json") {
    nlohmann::json cats = nlohmann::json::array();
    for (size_t k = 0; k < r.impacts.size(); ++k)
      cats.push_back({{"category", s.method.categories[k].name}, {"amount", r.impacts[k]},
                      {"unit", s.method.categories[k].unit}});
    nlohmann::json um = nlohmann::json::array();
    for (size_t i = 0; i < unmapped.size() && i < 50; ++i) {
      const auto& fl = s.db.flows[static_cast<size_t>(unmapped[i].first)];
      um.push_back({{"flow", fl.name}, {"flow_id", fl.id}, {"compartment", fl.compartment}, {"amount", unmapped[i].second},
                    {"unit", fl.unit}});
    }
    const auto& pr = process_of(s, r.demand.provider);
    std::cout << nlohmann::json{{"database", s.db.name},
                                {"process", {{"id", pr.id}, {"name", pr.name}, {"location", pr.location}}},
                                {"product", product_of(s, r.demand.provider).name},
                                {"amount", r.demand.amount},
                                {"unit", product_of(s, r.demand.provider).unit},
                                {"method", s.method.name},
                                {"results", cats},
                                {"unmapped_mass_flows", um},
                                {"mapping", {{"by_id", s.mapping.by_id}, {"by_name", s.mapping.by_name}, {"by_cas", s.mapping.by_cas}}},
                                {"checks", checks_json(s, r.stats)},
                                {"run_id", s.run_id}}
                     .dump(2)
              << '\n';
    return;
  }
  print_header(s, r.demand.provider, r.demand.amount);
  for (size_t k = 0; k < r.impacts.size(); ++k)
    fmt::print("  {:<40} {:>16.6g} {}\n", s.method.categories[k].name, r.impacts[k], s.method.categories[k].unit);
  if (!unmapped.empty()) {
    fmt::print("{} elementary flows with mass have no factor in the method; the largest:\n", unmapped.size());
    for (size_t i = 0; i < unmapped.size() && i < 5; ++i) {
      const auto& fl = s.db.flows[static_cast<size_t>(unmapped[i].first)];
      fmt::print("  {:<50} {:>14.6g} {}  ({})\n", fl.name.substr(0, 50), unmapped[i].second, fl.unit, fl.compartment);
    }
  }
}

void inventory(const pc::Params& p) {
  pc::Store& store = store_for(p);
  const auto session = pc::lca_prepare(store, p, "lca inventory");
  pc::LcaSession& s = *session;
  const lca::LcaResult r = pc::logged(store, s.run_id, [&] {
    return lca::calculate(s.sys, *s.solver, s.method, s.mapping, s.demands.front(), &s.characterised);
  });
  store.finish_run(s.run_id, "ok", {{"flows", r.inventory.size()}});
  std::vector<size_t> order;
  for (size_t i = 0; i < r.inventory.size(); ++i)
    if (r.inventory[i] != 0) order.push_back(i);
  const auto flow = [&](size_t i) -> const lca::Flow& { return s.db.flows[static_cast<size_t>(s.sys.elementary[i])]; };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(flow(a).compartment, flow(a).name, flow(a).id) < std::tie(flow(b).compartment, flow(b).name, flow(b).id);
  });
  const std::string format = p.str("format");
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (size_t i : order)
      arr.push_back({{"flow_id", flow(i).id}, {"flow", flow(i).name}, {"compartment", flow(i).compartment},
                     {"amount", r.inventory[i]}, {"unit", flow(i).unit}});
    std::cout << nlohmann::json{{"database", s.db.name}, {"process", process_of(s, r.demand.provider).name},
                                {"amount", r.demand.amount}, {"flows", arr}}.dump(2)
              << '\n';
    return;
  }
  if (format == "csv") fmt::print("flow_id,flow,compartment,amount,unit\n");
  else print_header(s, r.demand.provider, r.demand.amount);
  for (size_t i : order) {
    if (format == "csv")
      fmt::print("{},{},{},{},{}\n", pc::csv_field(flow(i).id), pc::csv_field(flow(i).name),
                 pc::csv_field(flow(i).compartment), r.inventory[i], pc::csv_field(flow(i).unit));
    else
      fmt::print("  {:<50} {:<36} {:>14.6g} {}\n", flow(i).name.substr(0, 50), flow(i).compartment.substr(0, 36),
                 r.inventory[i], flow(i).unit);
  }
}

void contributions(const pc::Params& p) {
  pc::Store& store = store_for(p);
  const auto session = pc::lca_prepare(store, p, "lca contributions");
  pc::LcaSession& s = *session;
  const size_t k = category_index(s, p);
  const lca::LcaResult r = single(store, p, s);
  store.finish_run(s.run_id, "ok", {{"category", s.method.categories[k].name}, {"total", r.impacts[k]}});
  const std::string by = p.str("by");
  // group the direct contributions of the providers
  struct Row {
    std::string id, name, location;
    double amount = 0;
  };
  std::map<std::string, Row> groups;
  // --upstream: each provider's total output s_j·A_jj with everything upstream of it (λ_j per unit)
  std::vector<double> upstream;
  if (p.flag("upstream")) {
    const auto lambda = s.solver->solve_transposed(s.characterised[k]);
    const std::vector<double> diag = lca::technosphere_matrix(s.sys).diagonal;
    upstream.resize(lambda.size());
    for (size_t j = 0; j < lambda.size(); ++j) upstream[j] = lambda[j] * diag[j] * r.scaling[j];
  }
  for (size_t j = 0; j < s.sys.providers.size(); ++j) {
    const double v = upstream.empty() ? r.direct[k][j] : upstream[j];
    if (v == 0) continue;
    const auto& pr = process_of(s, static_cast<int32_t>(j));
    const std::string key = by == "process" ? pr.id : by == "location" ? pr.location : pr.category;
    Row& row = groups[key];
    if (by == "process") row = {pr.id, pr.name, pr.location, row.amount};
    else row.name = key;
    row.amount += v;
  }
  std::vector<Row> rows;
  for (auto& [key, row] : groups) rows.push_back(row);
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return std::abs(a.amount) > std::abs(b.amount); });
  const long long top = p.integer("top");
  if (top > 0 && rows.size() > static_cast<size_t>(top)) rows.resize(static_cast<size_t>(top));
  const double total = r.impacts[k];
  const auto share = [&](double v) { return total != 0 ? v / total : 0.0; };
  const std::string format = p.str("format");
  if (format == "json") {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& row : rows) {
      nlohmann::json j = {{"amount", row.amount}, {"share", share(row.amount)}};
      if (by == "process") j.update(nlohmann::json{{"process_id", row.id}, {"process", row.name}, {"location", row.location}});
      else j[by] = row.name;
      arr.push_back(j);
    }
    std::cout << nlohmann::json{{"category", s.method.categories[k].name}, {"unit", s.method.categories[k].unit},
                                {"total", total}, {"by", by}, {"contributions", arr}}.dump(2)
              << '\n';
    return;
  }
  if (format == "csv") {
    if (by == "process") fmt::print("process_id,process,location,amount,share\n");
    else fmt::print("{},amount,share\n", by);
    for (const auto& row : rows) {
      if (by == "process")
        fmt::print("{},{},{},{},{}\n", pc::csv_field(row.id), pc::csv_field(row.name), pc::csv_field(row.location),
                   row.amount, share(row.amount));
      else
        fmt::print("{},{},{}\n", pc::csv_field(row.name), row.amount, share(row.amount));
    }
    return;
  }
  print_header(s, r.demand.provider, r.demand.amount);
  fmt::print("{} contributions to {} (total {:.6g} {}), by {}:\n", upstream.empty() ? "direct" : "upstream",
             s.method.categories[k].name, total, s.method.categories[k].unit, by);
  for (const auto& row : rows)
    fmt::print("  {:>8.3f} %  {:>14.6g}  {}{}\n", share(row.amount) * 100, row.amount, row.name.substr(0, 70),
               row.location.empty() ? "" : " (" + row.location + ")");
}

void tree(const pc::Params& p) {
  pc::Store& store = store_for(p);
  const auto session = pc::lca_prepare(store, p, "lca tree");
  pc::LcaSession& s = *session;
  const size_t k = category_index(s, p);
  const lca::LcaResult r = single(store, p, s);
  const auto nodes = pc::logged(store, s.run_id, [&] {
    return lca::upstream_tree(r, *s.solver, s.mapping, k, p.number("cutoff"), static_cast<int>(p.integer("max-depth")),
                              &s.characterised);
  });
  store.finish_run(s.run_id, "ok", {{"category", s.method.categories[k].name}, {"nodes", nodes.size()}});
  const double total = nodes.empty() ? 0 : nodes.front().total;
  const auto share = [&](double v) { return total != 0 ? v / total : 0.0; };
  const std::string format = p.str("format");
  if (format == "json") {
    // nodes and parent links: a Sankey diagram's input (link value = the child's total)
    nlohmann::json ns = nlohmann::json::array(), links = nlohmann::json::array();
    for (size_t i = 0; i < nodes.size(); ++i) {
      const auto& pr = process_of(s, nodes[i].provider);
      ns.push_back(nlohmann::json{{"index", i}, {"depth", nodes[i].depth}, {"process_id", pr.id}, {"process", pr.name},
                    {"location", pr.location}, {"product", product_of(s, nodes[i].provider).name},
                    {"amount", nodes[i].amount}, {"unit", product_of(s, nodes[i].provider).unit},
                    {"total", nodes[i].total}, {"direct", nodes[i].direct}, {"share", share(nodes[i].total)}});
      if (nodes[i].parent >= 0)
        links.push_back(nlohmann::json{{"source", i}, {"target", nodes[i].parent}, {"value", nodes[i].total}});
    }
    std::cout << nlohmann::json{{"category", s.method.categories[k].name}, {"unit", s.method.categories[k].unit},
                                {"total", total}, {"cutoff", p.number("cutoff")}, {"nodes", ns}, {"links", links}}.dump(2)
              << '\n';
    return;
  }
  if (format == "csv") {
    fmt::print("depth,process_id,process,amount,total,share\n");
    for (const auto& n : nodes)
      fmt::print("{},{},{},{},{},{}\n", n.depth, pc::csv_field(process_of(s, n.provider).id),
                 pc::csv_field(process_of(s, n.provider).name), n.amount, n.total, share(n.total));
    return;
  }
  print_header(s, r.demand.provider, r.demand.amount);
  fmt::print("upstream tree of {} (total {:.6g} {}), branches below {:.3g} % cut off:\n", s.method.categories[k].name,
             total, s.method.categories[k].unit, p.number("cutoff") * 100);
  for (const auto& n : nodes)
    fmt::print("{:>8.3f} % {:>14.6g}  {}{} [{:.6g} {}]\n", share(n.total) * 100, n.total, std::string(2 * n.depth, ' '),
               process_of(s, n.provider).name.substr(0, 70), n.amount, product_of(s, n.provider).unit);
}

void matrices(const pc::Params& p) {
  pc::Store store = open_store(p);
  const lca::Database db = store.load_lca_database(p.str("database"));
  const lca::LinkOptions o = pc::lca_link_options(p);
  const lca::ProductSystem sys = lca::build_system(db, o);
  const std::filesystem::path out = p.str("out");
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec)
    throw pc::Error(pc::ErrorCategory::Io, "cannot create " + out.string() + ": " + ec.message(), pc::ErrorContext{out.string()});
  const auto open = [&](const char* name) {
    std::ofstream f(out / name);
    if (!f) throw pc::Error(pc::ErrorCategory::Io, "cannot write " + (out / name).string(), pc::ErrorContext{(out / name).string()});
    f.precision(17);
    return f;
  };
  {
    auto f = open("technosphere.csv");
    f << "row,col,value\n";
    for (const auto& t : sys.technosphere) f << t.row << ',' << t.col << ',' << t.value << '\n';
  }
  {
    auto f = open("biosphere.csv");
    f << "row,col,value\n";
    for (const auto& t : sys.biosphere) f << t.row << ',' << t.col << ',' << t.value << '\n';
  }
  {
    auto f = open("providers.csv");
    f << "index,process_id,process,location,flow_id,flow,unit\n";
    for (size_t j = 0; j < sys.providers.size(); ++j) {
      const auto& pr = db.processes[static_cast<size_t>(sys.providers[j].process)];
      const auto& fl = db.flows[static_cast<size_t>(sys.providers[j].flow)];
      f << j << ',' << pc::csv_field(pr.id) << ',' << pc::csv_field(pr.name) << ',' << pc::csv_field(pr.location) << ','
        << pc::csv_field(fl.id) << ',' << pc::csv_field(fl.name) << ',' << pc::csv_field(fl.unit) << '\n';
    }
  }
  {
    auto f = open("flows.csv");
    f << "index,flow_id,flow,compartment,unit,cas\n";
    for (size_t i = 0; i < sys.elementary.size(); ++i) {
      const auto& fl = db.flows[static_cast<size_t>(sys.elementary[i])];
      f << i << ',' << pc::csv_field(fl.id) << ',' << pc::csv_field(fl.name) << ',' << pc::csv_field(fl.compartment)
        << ',' << pc::csv_field(fl.unit) << ',' << pc::csv_field(fl.cas) << '\n';
    }
  }
  fmt::print("wrote {}: {} providers, {} elementary flows, {} technosphere and {} biosphere entries, {} cut-off inputs\n",
             out.string(), sys.providers.size(), sys.elementary.size(), sys.technosphere.size(), sys.biosphere.size(),
             sys.cutoffs);
}

}  // namespace

void add_lca_handlers(std::map<std::string, Handler>& h) {
  h["lca import"] = [](const pc::Params& p) {
    const auto j = pc::lca_import(store_for(p), p);
    if (p.str("format") == "json") {
      std::cout << j.dump(2) << '\n';
      return;
    }
    const auto& l = j["linking"];
    fmt::print("imported '{}' ({}): {} processes, {} flows, {} exchanges ({} with uncertainty) in {:.2f} s\n",
               j["name"].get<std::string>(), j["format"].get<std::string>(), j["processes"].get<size_t>(),
               j["flows"].get<size_t>(), j["exchanges"].get<size_t>(), j["exchanges_with_uncertainty"].get<size_t>(),
               j["read_s"].get<double>() + j["store_s"].get<double>());
    fmt::print("linked with the default rules: {} providers, {} multi-output processes, {} inputs cut off (no provider)\n",
               l["providers"].get<size_t>(), j["multi_output_processes"].get<size_t>(), l["cutoffs"].get<size_t>());
    for (const auto& [how, n] : l["links"].items()) fmt::print("  links by {}: {}\n", how, n.get<size_t>());
    if (!j["notes"].empty())
      fmt::print("  {} allocation notes (see --format json), e.g. {}\n", j["notes"].size(), j["notes"][0].get<std::string>());
    for (const auto& w : j["warnings"]) fmt::print(stderr, "warning: {}\n", w.get<std::string>());
  };
  h["lca import-method"] = [](const pc::Params& p) {
    const auto j = pc::lca_import_method(store_for(p), p);
    if (p.str("format") == "json") {
      std::cout << j.dump(2) << '\n';
      return;
    }
    fmt::print("imported method '{}': {} categories, {} factors\n", j["name"].get<std::string>(),
               j["categories"].get<size_t>(), j["factors"].get<size_t>());
  };
  h["lca databases"] = [](const pc::Params& p) {
    pc::Store store = open_store(p);
    const auto rows = store.lca_databases();
    if (p.str("format") == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : rows)
        arr.push_back({{"name", r.name}, {"format", r.format}, {"source", r.source}, {"processes", r.processes},
                       {"flows", r.flows}, {"exchanges", r.exchanges}, {"imported_at", r.imported_at}});
      std::cout << arr.dump(2) << '\n';
      return;
    }
    if (p.str("format") == "csv") fmt::print("name,format,processes,flows,exchanges,source,imported_at\n");
    for (const auto& r : rows) {
      if (p.str("format") == "csv")
        fmt::print("{},{},{},{},{},{},{}\n", pc::csv_field(r.name), r.format, r.processes, r.flows, r.exchanges,
                   pc::csv_field(r.source), r.imported_at);
      else
        fmt::print("{:<20} {:<16} {:>8} processes {:>8} flows {:>9} exchanges  {}\n", r.name, r.format, r.processes,
                   r.flows, r.exchanges, r.source);
    }
    if (rows.empty() && p.str("format") == "table")
      fmt::print("no LCA databases; import one with `panocarbon lca import PATH --name NAME`\n");
  };
  h["lca search"] = [](const pc::Params& p) {
    pc::Store store = open_store(p);
    const auto hits = store.lca_search(p.str("query"), p.has("database") ? p.str("database") : "",
                                       static_cast<int>(p.integer("limit")));
    const std::string format = p.str("format");
    if (format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& h2 : hits) arr.push_back({{"kind", h2.kind}, {"ref", h2.id}, {"name", h2.title}, {"rank", h2.rank}});
      std::cout << arr.dump(2) << '\n';
      return;
    }
    if (format == "csv") fmt::print("kind,ref,name\n");
    for (const auto& h2 : hits) {
      if (format == "csv") fmt::print("{},{},{}\n", h2.kind, pc::csv_field(h2.id), pc::csv_field(h2.title));
      else fmt::print("{:<8} {:<60} {}\n", h2.kind, h2.title.substr(0, 60), h2.id);
    }
    if (hits.empty()) fmt::print(stderr, "no process or flow matches '{}'\n", p.str("query"));
  };
  h["lca calc"] = calc;
  h["lca inventory"] = inventory;
  h["lca contributions"] = contributions;
  h["lca tree"] = tree;
  h["lca matrices"] = matrices;
  h["lca footprint"] = [](const pc::Params& p) {
    pc::Store& store = store_for(p);
    const std::string path = p.str("study");
    const std::string text = pc::read_file(path);
    const int64_t run = store.begin_run("lca footprint", nlohmann::json::array({pc::describe_input(path, text)}), p.json());
    pc::logged(store, run, [&] {
      const lca::Study study = lca::read_study(path);
      const lca::Database db = store.load_lca_database(study.database);
      const lca::FootprintReport rep = lca::make_footprint(study, db);
      lca::write_footprint(rep, p.str("out"));
      store.finish_run(run, "ok", rep.data.contains("results") ? rep.data["results"] : nlohmann::json::object());
      fmt::print("wrote {}/report.md, report.html and pact.json\n", p.str("out"));
      return 0;
    });
  };
}

}  // namespace cli
