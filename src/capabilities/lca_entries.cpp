// Registry entries of the lca domain: `lca import|import-method|databases|search|calc|inventory|contributions|
// tree|matrices|footprint` (`lca montecarlo` is an uncertainty entry). The computing is in
// panocarbon/lca_capabilities.hpp and panocarbon/lca_footprint.hpp; here are the renderings.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include "panocarbon/format.hpp"
#include "panocarbon/lca_capabilities.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/store.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace {
using json = nlohmann::json;

// ---- numbers and units in tables ---------------------------------------------------------------------------------

// One column of a table: every number alike, fixed decimals or scientific when the values span more than five
// orders of magnitude or are very large or small.
class NumberColumn {
 public:
  explicit NumberColumn(const std::vector<double>& values) {
    double mx = 0, mn = 0;
    for (double v : values) {
      const double a = std::abs(v);
      if (a == 0 || !std::isfinite(a)) continue;
      mx = std::max(mx, a);
      mn = mn == 0 ? a : std::min(mn, a);
    }
    scientific_ = mx >= 1e7 || (mx > 0 && mx < 1e-3) || (mn > 0 && mn < mx * 1e-5);
    // six significant digits of the largest, at least two of the smallest
    const auto exponent = [](double a) { return static_cast<int>(std::floor(std::log10(a))); };
    decimals_ = mx > 0 ? std::clamp(std::max(5 - exponent(mx), 1 - exponent(mn)), 0, 9) : 3;
  }
  std::string operator()(double v) const {
    return scientific_ ? fmt::format("{:.4e}", v) : fmt::format("{:.{}f}", v, decimals_);
  }

 private:
  bool scientific_ = false;
  int decimals_ = 3;
};

json gwp_json(const LcaSession& s) { return s.gwp_set.empty() ? json() : json(s.gwp_set); }

// The unit of category k for a person: "kg CO2e (AR6 GWP100)" for the built-in method.
std::string impact_unit(const LcaSession& s, size_t k) {
  const std::string& u = s.method.categories[k].unit;
  return s.gwp_set.empty() ? u : fmt::format("{} ({} GWP100)", u, s.gwp_set);
}

std::string method_text(const LcaSession& s) {
  if (s.gwp_set.empty()) return s.method.name;
  return fmt::format("{}, GWP100 values of IPCC {}", s.method.name, s.gwp_set);
}

const lca::Process& process_of(const LcaSession& s, int32_t provider) {
  return s.db.processes[static_cast<size_t>(s.sys.providers[static_cast<size_t>(provider)].process)];
}
const lca::Flow& product_of(const LcaSession& s, int32_t provider) {
  return s.db.flows[static_cast<size_t>(s.sys.providers[static_cast<size_t>(provider)].flow)];
}
const lca::Flow& elementary(const LcaSession& s, size_t row) {
  return s.db.flows[static_cast<size_t>(s.sys.elementary[row])];
}

std::string cut(const std::string& text, size_t n) { return text.size() > n ? text.substr(0, n - 3) + "..." : text; }

// The lines that start every table of a calculated system.
void write_header(const LcaSession& s, const lca::Demand& d, std::ostream& out) {
  const auto& pr = process_of(s, d.provider);
  const auto& fl = product_of(s, d.provider);
  out << fmt::format("database {}: {} providers, {} elementary flows, {} cut-off inputs\n", s.db.name,
                     s.sys.providers.size(), s.sys.elementary.size(), s.sys.cutoffs);
  out << fmt::format("functional unit: {} {} of '{}' from '{}' ({})\n", d.amount, fl.unit, fl.name, pr.name,
                     pr.location);
  out << fmt::format("method: {}; solver {} (factorised in {:.3f} s, max relative residual {:.1e})\n", method_text(s),
                     s.solver->stats().solver, s.solver->stats().factorise_s, s.solver->stats().residual);
}

std::string diagnostics(const LcaSession& s) {
  std::string d;
  for (const auto& [what, seconds] : s.phases) d += fmt::format("{:<28} {:.6f} s\n", what, seconds);
  const auto& st = s.solver->stats();
  d += fmt::format("solver {}: nnz(A) = {}, nnz(L+U) = {}, max relative residual {:.1e}\n", st.solver, st.nnz,
                   st.lu_nnz, st.residual);
  return d;
}

json checks_json(const LcaSession& s, const lca::SolveStats& st) {
  return {{"solver", st.solver},
          {"factorise_s", st.factorise_s},
          {"nnz", s.solver->stats().nnz},
          {"lu_nnz", s.solver->stats().lu_nnz},
          {"cached_system", s.cached_system},
          {"max_relative_residual", s.solver->stats().residual},
          {"providers", s.sys.providers.size()},
          {"cutoffs", s.sys.cutoffs}};
}

json impacts_json(const LcaSession& s, const std::vector<double>& impacts) {
  json cats = json::array();
  for (size_t k = 0; k < impacts.size(); ++k)
    cats.push_back(
        {{"category", s.method.categories[k].name}, {"amount", impacts[k]}, {"unit", s.method.categories[k].unit}});
  return cats;
}

// ---- schemas -----------------------------------------------------------------------------------------------------

json boolean_schema() { return {{"type", "boolean"}}; }
json gwp_schema() {
  return nullable(string_schema("GWP100 set of the built-in method's CO2e (AR6, AR5, AR4); null for a stored method"));
}
json impact_rows_schema() {
  return array_of(object_schema({{"category", string_schema()},
                                 {"amount", number_schema("impact in the category's unit")},
                                 {"unit", string_schema()}}));
}
json checks_schema() {
  return object_schema({{"solver", string_schema()},
                        {"factorise_s", number_schema()},
                        {"nnz", integer_schema()},
                        {"lu_nnz", integer_schema()},
                        {"cached_system", boolean_schema()},
                        {"max_relative_residual", number_schema()},
                        {"providers", integer_schema()},
                        {"cutoffs", integer_schema()}});
}
json calc_schema() {
  const json single = object_schema(
      {{"database", string_schema()},
       {"process", object_schema({{"id", string_schema()}, {"name", string_schema()}, {"location", string_schema()}})},
       {"product", string_schema()},
       {"amount", number_schema("functional unit, in unit")},
       {"unit", string_schema("the product's reference unit")},
       {"method", string_schema()},
       {"gwp", gwp_schema()},
       {"results", impact_rows_schema()},
       {"unmapped_mass_flows", array_of(object_schema({{"flow", string_schema()},
                                                       {"flow_id", string_schema()},
                                                       {"compartment", string_schema()},
                                                       {"amount", number_schema()},
                                                       {"unit", string_schema()}}))},
       {"mapping",
        object_schema({{"by_id", integer_schema()}, {"by_name", integer_schema()}, {"by_cas", integer_schema()}})},
       {"checks", checks_schema()},
       {"run_id", integer_schema()}});
  const json many = object_schema({{"database", string_schema()},
                                   {"method", string_schema()},
                                   {"gwp", gwp_schema()},
                                   {"results", array_of(object_schema({{"process", string_schema()},
                                                                       {"process_id", string_schema()},
                                                                       {"amount", number_schema()},
                                                                       {"unit", string_schema()},
                                                                       {"results", impact_rows_schema()}}))},
                                   {"checks", checks_schema()},
                                   {"run_id", integer_schema()}});
  return {{"anyOf", {single, many}}};
}
json method_schema() {
  return object_schema({{"name", string_schema()}, {"categories", integer_schema()}, {"factors", integer_schema()}});
}

// ---- import, import-method, databases, search ----------------------------------------------------------------------

Result import_result(json report) {
  auto j = std::make_shared<json>(std::move(report));
  Result r;
  r.summary = {{"name", (*j)["name"]},
               {"processes", (*j)["processes"]},
               {"exchanges", (*j)["exchanges"]},
               {"methods", (*j)["methods"].size()}};
  for (const auto& w : (*j)["warnings"]) r.warnings.push_back(w.get<std::string>());
  for (const auto& u : (*j)["unusable_processes"])
    r.warnings.push_back(fmt::format("process '{}' ({}) cannot be used: {}", u["name"].get<std::string>(),
                                     u["id"].get<std::string>(), u["reason"].get<std::string>()));
  r.json = [j](const Result& res) {
    json out = *j;
    out["run_id"] = res.run_id;
    return out;
  };
  r.csv = [j](const Result&, std::ostream& out) {
    out << "key,value,unit\n";
    for (const char* k : {"processes", "flows", "exchanges", "exchanges_with_uncertainty", "multi_output_processes",
                          "processes_with_allocation_factors"})
      out << fmt::format("{},{},\n", k, (*j)[k].get<size_t>());
    out << fmt::format("providers,{},\ncutoffs,{},\n", (*j)["linking"]["providers"].get<size_t>(),
                       (*j)["linking"]["cutoffs"].get<size_t>());
    out << fmt::format("methods,{},\nread_s,{},s\nstore_s,{},s\n", (*j)["methods"].size(), (*j)["read_s"].get<double>(),
                       (*j)["store_s"].get<double>());
  };
  r.table = [j](const Result&, std::ostream& out) {
    const json& l = (*j)["linking"];
    out << fmt::format("imported '{}' ({}): {} processes, {} flows, {} exchanges ({} with uncertainty) in {:.2f} s\n",
                       (*j)["name"].get<std::string>(), (*j)["format"].get<std::string>(),
                       (*j)["processes"].get<size_t>(), (*j)["flows"].get<size_t>(), (*j)["exchanges"].get<size_t>(),
                       (*j)["exchanges_with_uncertainty"].get<size_t>(),
                       (*j)["read_s"].get<double>() + (*j)["store_s"].get<double>());
    out << fmt::format(
        "linked with the default rules: {} providers, {} multi-output processes, {} inputs cut off "
        "(no provider)\n",
        l["providers"].get<size_t>(), (*j)["multi_output_processes"].get<size_t>(), l["cutoffs"].get<size_t>());
    for (const auto& [how, n] : l["links"].items()) out << fmt::format("  links by {}: {}\n", how, n.get<size_t>());
    if (!(*j)["notes"].empty())
      out << fmt::format("  {} allocation notes (see --format json), e.g. {}\n", (*j)["notes"].size(),
                         (*j)["notes"][0].get<std::string>());
    const json& unusable = (*j)["unusable_processes"];
    if (!unusable.empty())
      out << fmt::format("{} process(es) provide nothing and cannot be used (neither as --process nor as a provider):\n",
                         unusable.size());
    for (size_t i = 0; i < unusable.size() && i < 20; ++i)
      out << fmt::format("  '{}' ({}): {}\n", unusable[i]["name"].get<std::string>(), unusable[i]["id"].get<std::string>(),
                         unusable[i]["reason"].get<std::string>());
    if (unusable.size() > 20) out << fmt::format("  ... and {} more (see --format json)\n", unusable.size() - 20);
    const json& methods = (*j)["methods"];
    if (methods.empty())
      out << "LCIA methods: none in the package (no lcia_methods/)\n";
    else
      out << fmt::format("LCIA methods imported from its lcia_methods/: {}\n", methods.size());
    for (const auto& m : methods)
      out << fmt::format("  '{}': {} categories, {} factors\n", m["name"].get<std::string>(),
                         m["categories"].get<size_t>(), m["factors"].get<size_t>());
  };
  return r;
}

Result import_method_result(json report) {
  auto j = std::make_shared<json>(std::move(report));
  Result r;
  r.summary = {{"method", (*j)["name"]}, {"categories", (*j)["categories"]}, {"factors", (*j)["factors"]}};
  r.json = [j](const Result& res) {
    json out = *j;
    out["run_id"] = res.run_id;
    return out;
  };
  r.csv = [j](const Result&, std::ostream& out) {
    out << "name,categories,factors\n"
        << fmt::format("{},{},{}\n", csv_field((*j)["name"].get<std::string>()), (*j)["categories"].get<size_t>(),
                       (*j)["factors"].get<size_t>());
  };
  r.table = [j](const Result&, std::ostream& out) {
    out << fmt::format("imported method '{}': {} categories, {} factors\n", (*j)["name"].get<std::string>(),
                       (*j)["categories"].get<size_t>(), (*j)["factors"].get<size_t>());
  };
  return r;
}

Result databases_result(std::vector<LcaDatabaseRecord> records) {
  auto rows = std::make_shared<std::vector<LcaDatabaseRecord>>(std::move(records));
  Result r;
  r.summary = {{"databases", rows->size()}};
  r.json = [rows](const Result&) {
    json arr = json::array();
    for (const auto& d : *rows)
      arr.push_back({{"name", d.name},
                     {"format", d.format},
                     {"source", d.source},
                     {"processes", d.processes},
                     {"flows", d.flows},
                     {"exchanges", d.exchanges},
                     {"imported_at", d.imported_at}});
    return arr;
  };
  r.csv = [rows](const Result&, std::ostream& out) {
    out << "name,format,processes,flows,exchanges,source,imported_at\n";
    for (const auto& d : *rows)
      out << fmt::format("{},{},{},{},{},{},{}\n", csv_field(d.name), d.format, d.processes, d.flows, d.exchanges,
                         csv_field(d.source), d.imported_at);
  };
  r.table = [rows](const Result&, std::ostream& out) {
    if (rows->empty()) out << "no LCA databases; import one with `panocarbon lca import PATH --name NAME`\n";
    for (const auto& d : *rows)
      out << fmt::format("{:<20} {:<16} {:>8} processes {:>8} flows {:>9} exchanges  {}\n", d.name, d.format,
                         d.processes, d.flows, d.exchanges, d.source);
  };
  return r;
}

Result search_result(std::vector<SearchHit> found, const std::string& query) {
  auto hits = std::make_shared<std::vector<SearchHit>>(std::move(found));
  Result r;
  r.summary = {{"hits", hits->size()}};
  if (hits->empty()) r.warnings.push_back(fmt::format("no process or flow matches '{}'", query));
  r.json = [hits](const Result&) {
    json arr = json::array();
    for (const auto& h : *hits) arr.push_back({{"kind", h.kind}, {"ref", h.id}, {"name", h.title}, {"rank", h.rank}});
    return arr;
  };
  r.csv = [hits](const Result&, std::ostream& out) {
    out << "kind,ref,name\n";
    for (const auto& h : *hits) out << fmt::format("{},{},{}\n", h.kind, csv_field(h.id), csv_field(h.title));
  };
  r.table = [hits](const Result&, std::ostream& out) {
    for (const auto& h : *hits) out << fmt::format("{:<8} {:<60} {}\n", h.kind, cut(h.title, 60), h.id);
  };
  return r;
}

// ---- calc
// ------------------------------------------------------------------------------------------------------------

json calc_single_json(const LcaCalc& c, const Result& res) {
  const LcaSession& s = *c.session;
  const lca::LcaResult& r = c.result;
  json um = json::array();
  for (size_t i = 0; i < c.unmapped_mass.size() && i < 50; ++i) {
    const auto& fl = s.db.flows[static_cast<size_t>(c.unmapped_mass[i].first)];
    um.push_back({{"flow", fl.name},
                  {"flow_id", fl.id},
                  {"compartment", fl.compartment},
                  {"amount", c.unmapped_mass[i].second},
                  {"unit", fl.unit}});
  }
  const auto& pr = process_of(s, r.demand.provider);
  return {{"database", s.db.name},
          {"process", {{"id", pr.id}, {"name", pr.name}, {"location", pr.location}}},
          {"product", product_of(s, r.demand.provider).name},
          {"amount", r.demand.amount},
          {"unit", product_of(s, r.demand.provider).unit},
          {"method", s.method.name},
          {"gwp", gwp_json(s)},
          {"results", impacts_json(s, r.impacts)},
          {"unmapped_mass_flows", um},
          {"mapping", {{"by_id", s.mapping.by_id}, {"by_name", s.mapping.by_name}, {"by_cas", s.mapping.by_cas}}},
          {"checks", checks_json(s, r.stats)},
          {"run_id", res.run_id}};
}

json calc_many_json(const LcaCalc& c, const Result& res) {
  const LcaSession& s = *c.session;
  json arr = json::array();
  for (size_t d = 0; d < s.demands.size(); ++d) {
    const auto& pr = process_of(s, s.demands[d].provider);
    arr.push_back({{"process", pr.name},
                   {"process_id", pr.id},
                   {"amount", s.demands[d].amount},
                   {"unit", product_of(s, s.demands[d].provider).unit},
                   {"results", impacts_json(s, c.many[d])}});
  }
  return {{"database", s.db.name},
          {"method", s.method.name},
          {"gwp", gwp_json(s)},
          {"results", arr},
          {"checks", checks_json(s, s.solver->stats())},
          {"run_id", res.run_id}};
}

void calc_csv(const LcaCalc& c, std::ostream& out) {
  const LcaSession& s = *c.session;
  const auto& cats = s.method.categories;
  if (c.many.empty()) {
    out << "category,amount,unit,gwp\n";
    for (size_t k = 0; k < cats.size(); ++k)
      out << fmt::format("{},{},{},{}\n", csv_field(cats[k].name), c.result.impacts[k], csv_field(cats[k].unit),
                         s.gwp_set);
    return;
  }
  out << "process,category,amount,unit,gwp\n";
  for (size_t d = 0; d < s.demands.size(); ++d)
    for (size_t k = 0; k < cats.size(); ++k)
      out << fmt::format("{},{},{},{},{}\n", csv_field(process_of(s, s.demands[d].provider).name),
                         csv_field(cats[k].name), c.many[d][k], csv_field(cats[k].unit), s.gwp_set);
}

void calc_table(const LcaCalc& c, std::ostream& out) {
  const LcaSession& s = *c.session;
  const auto& cats = s.method.categories;
  if (!c.many.empty()) {
    out << fmt::format("database {}; method: {}\n", s.db.name, method_text(s));
    std::vector<double> all;
    for (const auto& row : c.many) all.insert(all.end(), row.begin(), row.end());
    const NumberColumn num(all);
    out << fmt::format("{:<60} {:<16} {:>16}  {}\n", "process", "category", "amount", "unit");
    for (size_t d = 0; d < s.demands.size(); ++d)
      for (size_t k = 0; k < cats.size(); ++k)
        out << fmt::format("{:<60} {:<16} {:>16}  {}\n", cut(process_of(s, s.demands[d].provider).name, 60),
                           cut(cats[k].name, 16), num(c.many[d][k]), impact_unit(s, k));
    return;
  }
  const lca::LcaResult& r = c.result;
  write_header(s, r.demand, out);
  const NumberColumn num(r.impacts);
  for (size_t k = 0; k < r.impacts.size(); ++k)
    out << fmt::format("  {:<40} {:>16} {}\n", cut(cats[k].name, 40), num(r.impacts[k]), impact_unit(s, k));
  if (c.unmapped_mass.empty()) return;
  out << fmt::format("{} elementary flows with mass have no factor in the method; the largest:\n",
                     c.unmapped_mass.size());
  std::vector<double> amounts;
  for (size_t i = 0; i < c.unmapped_mass.size() && i < 5; ++i) amounts.push_back(c.unmapped_mass[i].second);
  const NumberColumn an(amounts);
  for (size_t i = 0; i < amounts.size(); ++i) {
    const auto& fl = s.db.flows[static_cast<size_t>(c.unmapped_mass[i].first)];
    out << fmt::format("  {:<50} {:>14} {}  ({})\n", cut(fl.name, 50), an(amounts[i]), fl.unit, fl.compartment);
  }
}

Result calc_result(LcaCalc calc) {
  auto c = std::make_shared<LcaCalc>(std::move(calc));
  const LcaSession& s = *c->session;
  Result r;
  r.diagnostics = diagnostics(s);
  if (c->many.empty()) {
    json impacts = json::object();
    for (size_t k = 0; k < c->result.impacts.size(); ++k) impacts[s.method.categories[k].name] = c->result.impacts[k];
    r.summary = {{"impacts", impacts}, {"residual", s.solver->stats().residual}, {"gwp", gwp_json(s)}};
  } else {
    r.summary = {{"demands", s.demands.size()}, {"identity_gap", c->identity_gap}, {"gwp", gwp_json(s)}};
  }
  r.json = [c](const Result& res) { return c->many.empty() ? calc_single_json(*c, res) : calc_many_json(*c, res); };
  r.csv = [c](const Result&, std::ostream& out) { calc_csv(*c, out); };
  r.table = [c](const Result&, std::ostream& out) { calc_table(*c, out); };
  return r;
}

// ---- inventory
// -------------------------------------------------------------------------------------------------------

Result inventory_result(LcaInventory inventory) {
  auto inv = std::make_shared<LcaInventory>(std::move(inventory));
  Result r;
  r.summary = {{"flows", inv->result.inventory.size()}};
  r.diagnostics = diagnostics(*inv->session);
  r.json = [inv](const Result&) {
    const LcaSession& s = *inv->session;
    json arr = json::array();
    for (size_t i : inv->rows) {
      const auto& fl = elementary(s, i);
      arr.push_back({{"flow_id", fl.id},
                     {"flow", fl.name},
                     {"compartment", fl.compartment},
                     {"amount", inv->result.inventory[i]},
                     {"unit", fl.unit}});
    }
    const auto provider = inv->result.demand.provider;
    return json{{"database", s.db.name},
                {"process", process_of(s, provider).name},
                {"amount", inv->result.demand.amount},
                {"unit", product_of(s, provider).unit},
                {"flows", arr}};
  };
  r.csv = [inv](const Result&, std::ostream& out) {
    out << "flow_id,flow,compartment,amount,unit\n";
    for (size_t i : inv->rows) {
      const auto& fl = elementary(*inv->session, i);
      out << fmt::format("{},{},{},{},{}\n", csv_field(fl.id), csv_field(fl.name), csv_field(fl.compartment),
                         inv->result.inventory[i], csv_field(fl.unit));
    }
  };
  r.table = [inv](const Result&, std::ostream& out) {
    const LcaSession& s = *inv->session;
    write_header(s, inv->result.demand, out);
    std::vector<double> amounts;
    for (size_t i : inv->rows) amounts.push_back(inv->result.inventory[i]);
    const NumberColumn num(amounts);
    out << fmt::format("  {:<50} {:<36} {:>14} {}\n", "flow", "compartment", "amount", "unit");
    for (size_t i : inv->rows) {
      const auto& fl = elementary(s, i);
      out << fmt::format("  {:<50} {:<36} {:>14} {}\n", cut(fl.name, 50), cut(fl.compartment, 36),
                         num(inv->result.inventory[i]), fl.unit);
    }
  };
  return r;
}

// ---- contributions and tree
// ------------------------------------------------------------------------------------------

double share_of(double v, double total) { return total != 0 ? v / total : 0.0; }

Result contributions_result(LcaContributions contributions) {
  auto c = std::make_shared<LcaContributions>(std::move(contributions));
  const LcaSession& session = *c->session;
  Result r;
  r.summary = {
      {"category", session.method.categories[c->category].name}, {"total", c->total}, {"gwp", gwp_json(session)}};
  r.diagnostics = diagnostics(session);
  r.json = [c](const Result&) {
    const LcaSession& s = *c->session;
    json arr = json::array();
    for (const auto& row : c->rows) {
      json j = {{"amount", row.amount}, {"share", share_of(row.amount, c->total)}};
      if (c->by == "process")
        j.update(json{{"process_id", row.id}, {"process", row.name}, {"location", row.location}});
      else
        j[c->by] = row.name;
      arr.push_back(j);
    }
    return json{{"category", s.method.categories[c->category].name},
                {"unit", s.method.categories[c->category].unit},
                {"gwp", gwp_json(s)},
                {"total", c->total},
                {"by", c->by},
                {"upstream", c->upstream},
                {"contributions", arr}};
  };
  r.csv = [c](const Result&, std::ostream& out) {
    const LcaSession& s = *c->session;
    const std::string unit = csv_field(s.method.categories[c->category].unit);
    if (c->by == "process")
      out << "process_id,process,location,amount,share,unit,gwp\n";
    else
      out << c->by << ",amount,share,unit,gwp\n";
    for (const auto& row : c->rows) {
      if (c->by == "process")
        out << fmt::format("{},{},{},", csv_field(row.id), csv_field(row.name), csv_field(row.location));
      else
        out << csv_field(row.name) << ',';
      out << fmt::format("{},{},{},{}\n", row.amount, share_of(row.amount, c->total), unit, s.gwp_set);
    }
  };
  r.table = [c](const Result&, std::ostream& out) {
    const LcaSession& s = *c->session;
    write_header(s, c->result.demand, out);
    const std::string unit = impact_unit(s, c->category);
    const NumberColumn total({c->total});
    out << fmt::format("{} contributions to {} (total {} {}), by {}:\n", c->upstream ? "upstream" : "direct",
                       s.method.categories[c->category].name, total(c->total), unit, c->by);
    std::vector<double> amounts;
    for (const auto& row : c->rows) amounts.push_back(row.amount);
    const NumberColumn num(amounts);
    out << fmt::format("  {:>9}  {:>14}  {}\n", "share %", s.method.categories[c->category].unit, c->by);
    for (const auto& row : c->rows)
      out << fmt::format("  {:>9.3f}  {:>14}  {}{}\n", share_of(row.amount, c->total) * 100, num(row.amount),
                         cut(row.name, 70), row.location.empty() ? "" : " (" + row.location + ")");
  };
  return r;
}

Result tree_result(LcaTree tree) {
  auto t = std::make_shared<LcaTree>(std::move(tree));
  const LcaSession& session = *t->session;
  Result r;
  r.summary = {{"category", session.method.categories[t->category].name},
               {"nodes", t->nodes.size()},
               {"gwp", gwp_json(session)}};
  r.diagnostics = diagnostics(session);
  r.json = [t](const Result&) {
    // nodes and parent links: a Sankey diagram's input (link value = the child's total)
    const LcaSession& s = *t->session;
    json ns = json::array(), links = json::array();
    for (size_t i = 0; i < t->nodes.size(); ++i) {
      const auto& n = t->nodes[i];
      const auto& pr = process_of(s, n.provider);
      ns.push_back({{"index", i},
                    {"depth", n.depth},
                    {"process_id", pr.id},
                    {"process", pr.name},
                    {"location", pr.location},
                    {"product", product_of(s, n.provider).name},
                    {"amount", n.amount},
                    {"unit", product_of(s, n.provider).unit},
                    {"total", n.total},
                    {"direct", n.direct},
                    {"share", share_of(n.total, t->total)}});
      if (n.parent >= 0) links.push_back({{"source", i}, {"target", n.parent}, {"value", n.total}});
    }
    return json{{"category", s.method.categories[t->category].name},
                {"unit", s.method.categories[t->category].unit},
                {"gwp", gwp_json(s)},
                {"total", t->total},
                {"cutoff", t->cutoff},
                {"nodes", ns},
                {"links", links}};
  };
  r.csv = [t](const Result&, std::ostream& out) {
    const LcaSession& s = *t->session;
    const std::string unit = csv_field(s.method.categories[t->category].unit);
    out << "depth,process_id,process,amount,total,share,amount_unit,unit,gwp\n";
    for (const auto& n : t->nodes)
      out << fmt::format("{},{},{},{},{},{},{},{},{}\n", n.depth, csv_field(process_of(s, n.provider).id),
                         csv_field(process_of(s, n.provider).name), n.amount, n.total, share_of(n.total, t->total),
                         csv_field(product_of(s, n.provider).unit), unit, s.gwp_set);
  };
  r.table = [t](const Result&, std::ostream& out) {
    const LcaSession& s = *t->session;
    write_header(s, t->result.demand, out);
    const NumberColumn total({t->total});
    out << fmt::format("upstream tree of {} (total {} {}), branches below {:.3f} % cut off:\n",
                       s.method.categories[t->category].name, total(t->total), impact_unit(s, t->category),
                       t->cutoff * 100);
    std::vector<double> totals, amounts;
    for (const auto& n : t->nodes) totals.push_back(n.total), amounts.push_back(n.amount);
    const NumberColumn num(totals), am(amounts);
    out << fmt::format("{:>9} {:>14}  {}\n", "share %", s.method.categories[t->category].unit,
                       "process [amount of its product]");
    for (const auto& n : t->nodes)
      out << fmt::format("{:>9.3f} {:>14}  {}{} [{} {}]\n", share_of(n.total, t->total) * 100, num(n.total),
                         std::string(2 * static_cast<size_t>(n.depth), ' '), cut(process_of(s, n.provider).name, 70),
                         am(n.amount), product_of(s, n.provider).unit);
  };
  return r;
}

// ---- matrices and footprint
// --------------------------------------------------------------------------------------------

Result matrices_result(LcaMatrices matrices, const std::filesystem::path& out_dir) {
  auto m = std::make_shared<LcaMatrices>(std::move(matrices));
  Result r;
  r.files = m->files;
  r.summary = {{"database", m->database}, {"providers", m->providers}, {"elementary_flows", m->elementary_flows}};
  r.json = [m, dir = out_dir.string()](const Result&) {
    return json{{"database", m->database},
                {"out", dir},
                {"files", m->files},
                {"providers", m->providers},
                {"elementary_flows", m->elementary_flows},
                {"technosphere_entries", m->technosphere_entries},
                {"biosphere_entries", m->biosphere_entries},
                {"cutoffs", m->cutoffs}};
  };
  r.table = [m, dir = out_dir.string()](const Result&, std::ostream& out) {
    out << fmt::format(
        "wrote {}: {} providers, {} elementary flows, {} technosphere and {} biosphere entries, {} "
        "cut-off inputs\n",
        dir, m->providers, m->elementary_flows, m->technosphere_entries, m->biosphere_entries, m->cutoffs);
  };
  return r;
}

Result footprint_result(const lca::Study& study, const lca::FootprintReport& rep, const std::filesystem::path& dir) {
  const std::vector<std::string> files = {(dir / "report.md").string(), (dir / "report.html").string(),
                                          (dir / "pact.json").string()};
  auto j = std::make_shared<json>(json{{"study", study.name},
                                       {"out", dir.string()},
                                       {"files", files},
                                       {"gwp", study.gwp_set},
                                       {"unit", rep.data["impact"]["unit"]},
                                       {"results", rep.data["results"]}});
  Result r;
  r.files = files;
  r.summary = rep.data["results"];
  r.summary["gwp"] = study.gwp_set;
  r.json = [j](const Result&) { return *j; };
  r.csv = [j](const Result&, std::ostream& out) {
    out << "quantity,amount,unit,gwp\n";
    const std::string unit = csv_field((*j)["unit"].get<std::string>());
    for (const char* k : {"total", "fossil", "biogenic", "luc"})
      out << fmt::format("{},{},{},{}\n", k, (*j)["results"][k].get<double>(), unit, (*j)["gwp"].get<std::string>());
  };
  r.table = [j](const Result&, std::ostream& out) {
    const json& res = (*j)["results"];
    std::vector<double> v;
    for (const char* k : {"total", "fossil", "biogenic", "luc"}) v.push_back(res[k].get<double>());
    const NumberColumn num(v);
    const std::string unit =
        fmt::format("{} ({} GWP100)", (*j)["unit"].get<std::string>(), (*j)["gwp"].get<std::string>());
    out << fmt::format("carbon footprint of '{}' per functional unit:\n", (*j)["study"].get<std::string>());
    const char* names[] = {"total", "fossil", "biogenic", "land-use change"};
    for (size_t i = 0; i < v.size(); ++i) out << fmt::format("  {:<16} {:>14} {}\n", names[i], num(v[i]), unit);
    out << fmt::format("wrote {}/report.md, report.html and pact.json\n", (*j)["out"].get<std::string>());
  };
  return r;
}

const char* kCalcNote =
    "The built-in method is IPCC 2021 GWP100 (categories total, fossil, biogenic, luc in kg CO2e) with the --gwp "
    "set (AR6 by default, as ISO 14067 asks for the latest; UNFCCC reporting uses AR5); every CO2e result names "
    "its set. --database is the name of a database stored by `lca import`; --process takes a process id, a name "
    "or a `lca search` reference (DATABASE/ID).";
}  // namespace

void add_lca_entries(std::vector<Capability>& t) {
  const json count = integer_schema();
  t.push_back({"lca import",
               Domain::Lca,
               "Imports an LCA database (openLCA JSON-LD folder or .zip, EcoSpold2 .spold folder or .zip) into the "
               "store under --name, replacing one of the same name, and links it once with the default rules. The "
               "LCIA methods of a JSON-LD package's lcia_methods/ are stored too, as openLCA does. Reports counts of "
               "processes, flows, exchanges (with uncertainty), multi-output processes, the methods, the linking "
               "(providers, cut-off inputs without a provider), allocation notes and the processes that provide "
               "nothing (e.g. a reference product marked as an input), each with the reason; times in seconds.",
               object_schema({{"name", string_schema()},
                              {"format", string_schema("openlca-jsonld or ecospold2")},
                              {"path", string_schema()},
                              {"fingerprint", string_schema("SHA-256 of the package")},
                              {"processes", count},
                              {"flows", count},
                              {"exchanges", count},
                              {"exchanges_with_uncertainty", count},
                              {"multi_output_processes", count},
                              {"processes_with_allocation_factors", count},
                              {"methods", array_of(method_schema())},
                              {"read_s", number_schema("seconds")},
                              {"store_s", number_schema("seconds")},
                              {"linking", object_schema({{"providers", count}, {"cutoffs", count}}, {})},
                              {"notes", array_of(string_schema())},
                              {"unusable_processes",
                               array_of(object_schema({{"id", string_schema()},
                                                       {"name", string_schema()},
                                                       {"reason", string_schema("why it provides nothing, and the fix")}}))},
                              {"warnings", array_of(string_schema())},
                              {"run_id", count}}),
               {"../shared/data/lca/uslci-jsonld", "--name", "uslci"},
               true,
               false,
               [](Context& ctx, const Params& p) {
                 const std::string path = ctx.path(p, "path").string();
                 return import_result(lca_import(ctx.store(), path, p));
               }});
  t.push_back({"lca import-method",
               Domain::Lca,
               "Imports an LCIA method into the store: openLCA's factor CSV (LCIA category,Flow,...,Factor) or the "
               "methods of a JSON-LD package (lcia_methods/ with lcia_categories/; --name picks one of several). "
               "`lca calc --method NAME` then uses it; its categories keep their own units.",
               object_schema({{"name", string_schema()}, {"categories", count}, {"factors", count}, {"run_id", count}}),
               {"tests/fixtures/lca/method-jsonld"},
               true,
               false,
               [](Context& ctx, const Params& p) {
                 const std::string path = ctx.path(p, "path").string();
                 return import_method_result(lca_import_method(ctx.store(), path, p));
               }});
  t.push_back({"lca databases",
               Domain::Lca,
               "Lists the LCA databases stored by `lca import` (the names --database takes), with their format, "
               "source and counts of processes, flows and exchanges.",
               array_of(object_schema({{"name", string_schema()},
                                       {"format", string_schema()},
                                       {"source", string_schema()},
                                       {"processes", count},
                                       {"flows", count},
                                       {"exchanges", count},
                                       {"imported_at", string_schema()}})),
               {},
               false,
               false,
               [](Context& ctx, const Params&) { return databases_result(ctx.store().lca_databases()); }});
  t.push_back({"lca search",
               Domain::Lca,
               "Full-text search over the processes and flows of the stored LCA databases (all words must match; "
               "prefixes match), best first. A process hit's ref (DATABASE/ID) is what --process of `lca calc` takes; "
               "--kind process keeps only those.",
               array_of(object_schema({{"kind", string_schema("process or flow")},
                                       {"ref", string_schema("DATABASE/ID, accepted by --process")},
                                       {"name", string_schema()},
                                       {"rank", number_schema("bm25 rank: lower is better")}})),
               {"portland cement", "--database", "uslci"},
               false,
               false,
               [](Context& ctx, const Params& p) {
                 Store& store = ctx.store();
                 const std::string db = p.has("database") ? p.str("database") : "";
                 if (!db.empty()) {
                   const auto dbs = store.lca_databases();
                   if (std::none_of(dbs.begin(), dbs.end(), [&](const auto& d) { return d.name == db; }))
                     store.load_lca_database(db, false);  // throws, listing the stored databases
                 }
                 const auto limit = static_cast<size_t>(p.integer("limit"));
                 const std::string kind = p.str("kind");
                 if (kind == "any") return search_result(store.lca_search(p.str("query"), db, static_cast<int>(limit)),
                                                         p.str("query"));
                 // one kind: every hit in rank order, then the first `limit` of that kind
                 auto hits = store.lca_search(p.str("query"), db, std::numeric_limits<int>::max());
                 hits.erase(std::remove_if(hits.begin(), hits.end(), [&](const auto& h) { return h.kind != kind; }),
                            hits.end());
                 if (hits.size() > limit) hits.resize(limit);
                 return search_result(std::move(hits), p.str("query"));
               }});
  t.push_back({"lca calc",
               Domain::Lca,
               std::string("Life cycle impact assessment (matrix LCA) of the reference product of one or more "
                           "processes of a stored database: one --process gives each impact category's total, the "
                           "mass flows without a factor and solver checks; several give a table of impacts from one "
                           "factorisation. ") +
                   kCalcNote,
               calc_schema(),
               {"--database", "uslci", "--process", "Portland cement, at plant"},
               true,
               false,
               [](Context& ctx, const Params& p) { return calc_result(lca_calc(ctx.store(), p)); }});
  t.push_back({"lca inventory",
               Domain::Lca,
               "Life cycle inventory of one process's reference product: the non-zero elementary flows (emissions "
               "and resources) of the whole supply chain, each in its flow's reference unit (kg, m3, MJ, ...), "
               "sorted by compartment and name. --database is a stored database's name.",
               object_schema({{"database", string_schema()},
                              {"process", string_schema()},
                              {"amount", number_schema()},
                              {"unit", string_schema("the product's reference unit")},
                              {"flows", array_of(object_schema({{"flow_id", string_schema()},
                                                                {"flow", string_schema()},
                                                                {"compartment", string_schema()},
                                                                {"amount", number_schema()},
                                                                {"unit", string_schema()}}))}}),
               {"--database", "uslci", "--process", "Portland cement, at plant"},
               true,
               false,
               [](Context& ctx, const Params& p) { return inventory_result(lca_inventory(ctx.store(), p)); }});
  json contribution = {
      {"type", "object"},
      {"required", {"amount", "share"}},
      {"properties", {{"amount", number_schema("in unit")}, {"share", number_schema("of the total")}}}};
  t.push_back({"lca contributions",
               Domain::Lca,
               std::string("Contribution of each process (or location, or process category) to one impact "
                           "category of a product: direct contributions add up to the total; --upstream gives each "
                           "process's total with its whole supply chain instead (they overlap). Amounts in the "
                           "category's unit, shares of the total. ") +
                   kCalcNote,
               object_schema({{"category", string_schema()},
                              {"unit", string_schema()},
                              {"gwp", gwp_schema()},
                              {"total", number_schema()},
                              {"by", string_schema()},
                              {"upstream", boolean_schema()},
                              {"contributions", array_of(contribution)}}),
               {"--database", "uslci", "--process", "Portland cement, at plant", "--top", "5"},
               true,
               false,
               [](Context& ctx, const Params& p) { return contributions_result(lca_contributions(ctx.store(), p)); }});
  t.push_back(
      {"lca tree",
       Domain::Lca,
       std::string("Upstream tree of one process's product for one impact category: each node's total "
                   "(with its supply chain) and direct part in the category's unit, the amount of its "
                   "product along the path, pruned below --cutoff (a share of the total) and at "
                   "--max-depth; the JSON has Sankey links. ") +
           kCalcNote,
       object_schema(
           {{"category", string_schema()},
            {"unit", string_schema()},
            {"gwp", gwp_schema()},
            {"total", number_schema()},
            {"cutoff", number_schema()},
            {"nodes", array_of(object_schema({{"index", count},
                                              {"depth", count},
                                              {"process_id", string_schema()},
                                              {"process", string_schema()},
                                              {"location", string_schema()},
                                              {"product", string_schema()},
                                              {"amount", number_schema()},
                                              {"unit", string_schema()},
                                              {"total", number_schema()},
                                              {"direct", number_schema()},
                                              {"share", number_schema()}}))},
            {"links", array_of(object_schema({{"source", count}, {"target", count}, {"value", number_schema()}}))}}),
       {"--database", "uslci", "--process", "Portland cement, at plant", "--cutoff", "0.05"},
       true,
       false,
       [](Context& ctx, const Params& p) { return tree_result(lca_tree(ctx.store(), p)); }});
  t.push_back({"lca matrices",
               Domain::Lca,
               "Writes the linked product system of a stored database as CSV under --out: technosphere.csv and "
               "biosphere.csv (row,col,value triplets, in the flows' reference units per unit of each provider's "
               "product), providers.csv and flows.csv (the indices, with units), for checks in other software.",
               object_schema({{"database", string_schema()},
                              {"out", string_schema()},
                              {"files", array_of(string_schema())},
                              {"providers", count},
                              {"elementary_flows", count},
                              {"technosphere_entries", count},
                              {"biosphere_entries", count},
                              {"cutoffs", count}}),
               {"--database", "uslci"},
               true,
               true,
               [](Context& ctx, const Params& p) {
                 const std::filesystem::path dir = ctx.output_dir();
                 return matrices_result(lca_matrices(ctx.store(), p, dir), dir);
               }});
  t.push_back({"lca footprint",
               Domain::Lca,
               "Product carbon footprint (ISO 14067, GHG Protocol Product Standard) of a study file (goal, scope, "
               "product, database, stages, allocation, GWP set: see docs/lca-footprint.md), end to end: writes "
               "report.md, report.html and a PACT v2.2.0 pact.json under --out and returns the footprint in kg CO2e "
               "per functional unit (total, fossil, biogenic, land-use change) with its GWP set (AR6 unless the "
               "study says otherwise).",
               object_schema({{"study", string_schema()},
                              {"out", string_schema()},
                              {"files", array_of(string_schema())},
                              {"gwp", string_schema()},
                              {"unit", string_schema()},
                              {"results", object_schema({{"total", number_schema()},
                                                         {"fossil", number_schema()},
                                                         {"biogenic", number_schema()},
                                                         {"luc", number_schema()}},
                                                        {})}}),
               {"examples/lca/footprint-study.json"},
               true,
               true,
               [](Context& ctx, const Params& p) {
                 const lca::Study study = lca::read_study(ctx.path(p, "study"));
                 const lca::Database db = ctx.store().load_lca_database(study.database);
                 const lca::FootprintReport rep = lca::make_footprint(study, db);
                 const std::filesystem::path dir = ctx.output_dir();
                 lca::write_footprint(rep, dir);
                 return footprint_result(study, rep, dir);
               }});
}

}  // namespace panocarbon::registry
