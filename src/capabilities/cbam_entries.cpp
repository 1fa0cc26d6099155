// Registry entries of CBAM (docs/cbam.md): `cbam embedded` (specific embedded emissions of the goods of an
// installation), `cbam compare` (default with the year's mark-up against an actual value, given or simulated from a
// process route) and `cbam defaults` (the default-value table of a country). The work is done by
// include/panocarbon/cbam.hpp and, for --route, include/panocarbon/process.hpp.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <ostream>

#include "capabilities/entries.hpp"
#include "panocarbon/cbam.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/process.hpp"

namespace panocarbon::registry {

namespace {
using json = nlohmann::json;

// Six decimals, shortest form: 1.562 rather than 1.5620000000000003.
std::string num(double v) {
  const double r = std::round(v * 1e6) / 1e6;
  return fmt::format("{}", r == 0 ? 0.0 : r);
}
double round6(double v) {
  const double r = std::round(v * 1e6) / 1e6;
  return r == 0 ? 0.0 : r;
}
json opt_num(const std::optional<double>& v) { return v ? json(round6(*v)) : json(nullptr); }

const char* kMethod =
    "Implementing Regulation (EU) 2023/1773 Annex III: SEE = (AttrEm + sum_i M_i x SEE_i) / AL, direct and indirect "
    "separately; AttrEm = source streams (+ other GHG) + heat imported - heat exported - emissions of electricity "
    "produced; indirect = electricity consumed x "
    "emission factor; Regulation (EU) 2023/956 Annex II: only direct emissions count for iron and steel, aluminium "
    "and hydrogen";

// ---- cbam embedded -------------------------------------------------------------------------------------------------

json embedded_json(const cbam::InstallationResult& r) {
  json ps = json::array();
  for (const auto& p : r.processes) {
    json pre = json::array();
    for (const auto& q : p.precursors)
      pre.push_back({{"name", q.name},
                     {"from", q.from},
                     {"mass_t", round6(q.mass_t)},
                     {"see_direct", round6(q.see_direct)},
                     {"see_indirect", round6(q.see_indirect)}});
    ps.push_back({{"id", p.id},
                  {"good", p.good},
                  {"description", p.description},
                  {"category", cbam::to_string(p.category)},
                  {"activity_level_t", round6(p.activity_level_t)},
                  {"source_streams_t", round6(p.source_stream_t)},
                  {"heat_imported_t", round6(p.heat_imported_t)},
                  {"heat_exported_t", round6(p.heat_exported_t)},
                  {"electricity_produced_t", round6(p.electricity_produced_t)},
                  {"attributed_direct_t", round6(p.direct_t)},
                  {"electricity_mwh", round6(p.electricity_mwh)},
                  {"electricity_factor_t_per_mwh", round6(p.electricity_factor)},
                  {"indirect_t", round6(p.indirect_t)},
                  {"precursor_direct_t", round6(p.precursor_direct_t)},
                  {"precursor_indirect_t", round6(p.precursor_indirect_t)},
                  {"see_direct", round6(p.see_direct)},
                  {"see_indirect", round6(p.see_indirect)},
                  {"see_total", round6(p.see_total)},
                  {"indirect_counts", p.indirect_counts},
                  {"see_counted", round6(p.see_counted)},
                  {"precursors", pre}});
  }
  return {{"installation", r.name},
          {"country", r.country},
          {"unit", "t CO2e per t of good (see_*), t CO2e (*_t)"},
          {"method", kMethod},
          {"total_direct_t", round6(r.total_direct_t)},
          {"total_indirect_t", round6(r.total_indirect_t)},
          {"processes", ps}};
}

json embedded_schema() {
  const auto pre = object_schema({{"name", string_schema()},
                                  {"from", string_schema("process id, or purchased")},
                                  {"mass_t", number_schema()},
                                  {"see_direct", number_schema()},
                                  {"see_indirect", number_schema()}});
  const auto proc = object_schema({{"id", string_schema()},
                                   {"good", string_schema("CN code, digits")},
                                   {"description", string_schema()},
                                   {"category", string_schema()},
                                   {"activity_level_t", number_schema()},
                                   {"source_streams_t", number_schema()},
                                   {"heat_imported_t", number_schema()},
                                   {"heat_exported_t", number_schema()},
                                   {"electricity_produced_t", number_schema("Em_el,prod, subtracted from AttrEm")},
                                   {"attributed_direct_t", number_schema()},
                                   {"electricity_mwh", number_schema()},
                                   {"electricity_factor_t_per_mwh", number_schema()},
                                   {"indirect_t", number_schema()},
                                   {"precursor_direct_t", number_schema()},
                                   {"precursor_indirect_t", number_schema()},
                                   {"see_direct", number_schema("t CO2e/t")},
                                   {"see_indirect", number_schema("t CO2e/t")},
                                   {"see_total", number_schema("t CO2e/t")},
                                   {"indirect_counts", {{"type", "boolean"}}},
                                   {"see_counted", number_schema("t CO2e/t: what counts for the certificates")},
                                   {"precursors", array_of(pre)}});
  return object_schema({{"installation", string_schema()},
                        {"country", string_schema()},
                        {"unit", string_schema()},
                        {"method", string_schema()},
                        {"total_direct_t", number_schema()},
                        {"total_indirect_t", number_schema()},
                        {"processes", array_of(proc)}});
}

void embedded_csv(const cbam::InstallationResult& r, std::ostream& out) {
  out << "process,good,category,activity_level_t,attributed_direct_t,indirect_t,precursor_direct_t,"
         "precursor_indirect_t,see_direct_t_per_t,see_indirect_t_per_t,see_total_t_per_t,see_counted_t_per_t,"
         "scopes_counted\n";
  for (const auto& p : r.processes)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(p.id), p.good, cbam::to_string(p.category),
                       num(p.activity_level_t), num(p.direct_t), num(p.indirect_t), num(p.precursor_direct_t),
                       num(p.precursor_indirect_t), num(p.see_direct), num(p.see_indirect), num(p.see_total),
                       num(p.see_counted), p.indirect_counts ? "direct+indirect" : "direct");
}

void embedded_table(const cbam::InstallationResult& r, std::ostream& out) {
  out << fmt::format("Specific embedded emissions of {}{} (Implementing Regulation (EU) 2023/1773 Annex III)\n", r.name,
                     r.country.empty() ? "" : " (" + r.country + ")");
  out << fmt::format("{:<14} {:<11} {:<12} {:>12} {:>12} {:>11} {:>12} {:>9} {:>9} {:>9} {:>9}  {}\n", "process", "good",
                     "category", "AL t", "AttrEm t", "indirect t", "precursor t", "SEE dir", "SEE ind", "SEE tot",
                     "counted", "scopes");
  for (const auto& p : r.processes)
    out << fmt::format("{:<14} {:<11} {:<12} {:>12.1f} {:>12.1f} {:>11.1f} {:>12.1f} {:>9.4f} {:>9.4f} {:>9.4f} {:>9.4f}  {}\n",
                       p.id, p.good, cbam::to_string(p.category), p.activity_level_t, p.direct_t, p.indirect_t,
                       p.precursor_direct_t + p.precursor_indirect_t, p.see_direct, p.see_indirect, p.see_total,
                       p.see_counted, p.indirect_counts ? "direct+indirect" : "direct (Annex II)");
  out << "SEE in t CO2e per t of good; precursor t = sum of mass x SEE (direct + indirect) of the precursors consumed\n";
}

Result embedded_run(Context& ctx, const Params& p) {
  const std::string name = p.str("installation");
  auto r = std::make_shared<cbam::InstallationResult>(cbam::embedded_emissions(ctx.text(p, "installation"), name));
  Result res;
  res.json = [r](const Result&) { return embedded_json(*r); };
  res.csv = [r](const Result&, std::ostream& o) { embedded_csv(*r, o); };
  res.table = [r](const Result&, std::ostream& o) { embedded_table(*r, o); };
  res.summary = {{"installation", r->name}, {"processes", r->processes.size()}};
  return res;
}

// ---- cbam compare --------------------------------------------------------------------------------------------------

struct CompareRun {
  std::string good;  // the code given, as digits
  cbam::Comparison c;
  std::optional<json> route;  // the simulation's summary with --route
};

const char* lower_of(const cbam::Comparison& c) {
  if (!c.actual_t) return nullptr;
  const double d = c.difference_t();
  return std::abs(d) < 1e-9 ? "equal" : d > 0 ? "actual" : "default";
}

json compare_json(const CompareRun& run) {
  const auto& c = run.c;
  const char* lower = lower_of(c);
  json j = {{"good", run.good},
            {"cn_code", c.row.cn_code},
            {"description", c.row.description},
            {"category", cbam::to_string(c.row.category)},
            {"country", c.country.alpha3},
            {"country_name", c.country.name},
            {"year", c.year},
            {"scopes_counted", cbam::counts_indirect(c.row.category) ? "direct+indirect" : "direct"},
            {"default_direct_t_per_t", round6(c.row.direct)},
            {"default_indirect_t_per_t", opt_num(c.row.indirect)},
            {"default_t_per_t", round6(c.default_t)},
            {"markup_pct", c.markup_pct},
            {"markup_t_per_t", round6(c.markup_t())},
            {"default_with_markup_t_per_t", round6(c.default_with_markup_t)},
            {"actual_t_per_t", opt_num(c.actual_t)},
            {"actual_source", c.actual_source},
            {"base_gap_t_per_t", c.actual_t ? json(round6(c.base_gap_t())) : json(nullptr)},
            {"difference_t_per_t", c.actual_t ? json(round6(c.difference_t())) : json(nullptr)},
            {"ets_price_eur_per_t", c.ets_price_eur},
            {"certificate_cost_difference_eur_per_t", c.actual_t ? json(round6(c.cost_difference_eur())) : json(nullptr)},
            {"lower", lower ? json(lower) : json(nullptr)},
            {"report", c.report},
            {"default_source", c.row.source},
            {"markup_source", c.markup_source}};
  if (run.route) j["route"] = *run.route;
  return j;
}

json compare_schema() {
  const auto n = nullable(number_schema());
  return object_schema({{"good", string_schema("CN code given, digits")},
                        {"cn_code", string_schema("the code of the default-value table that matched")},
                        {"description", string_schema()},
                        {"category", string_schema()},
                        {"country", string_schema("ISO 3166-1 alpha-3")},
                        {"country_name", string_schema()},
                        {"year", integer_schema()},
                        {"scopes_counted", string_schema("direct, or direct+indirect")},
                        {"default_direct_t_per_t", number_schema()},
                        {"default_indirect_t_per_t", n},
                        {"default_t_per_t", number_schema("the default of the scopes that count, before mark-up")},
                        {"markup_pct", number_schema()},
                        {"markup_t_per_t", number_schema()},
                        {"default_with_markup_t_per_t", number_schema()},
                        {"actual_t_per_t", n},
                        {"actual_source", string_schema()},
                        {"base_gap_t_per_t", n},
                        {"difference_t_per_t", n},
                        {"ets_price_eur_per_t", number_schema()},
                        {"certificate_cost_difference_eur_per_t", n},
                        {"lower", nullable(string_schema("actual, default or equal"))},
                        {"report", array_of(string_schema())},
                        {"default_source", string_schema()},
                        {"markup_source", string_schema()},
                        {"route", {{"type", "object"}}}},
                       {"route"});
}

void compare_csv(const CompareRun& run, std::ostream& out) {
  const auto& c = run.c;
  out << "good,country,year,default_t_per_t,markup_pct,default_with_markup_t_per_t,actual_t_per_t,difference_t_per_t,"
         "certificate_cost_difference_eur_per_t\n";
  out << fmt::format("{},{},{},{},{},{},{},{},{}\n", run.good, c.country.alpha3, c.year, num(c.default_t),
                     num(c.markup_pct), num(c.default_with_markup_t), c.actual_t ? num(*c.actual_t) : "",
                     c.actual_t ? num(c.difference_t()) : "", c.actual_t ? num(c.cost_difference_eur()) : "");
}

void compare_table(const CompareRun& run, std::ostream& out) {
  const auto& c = run.c;
  out << fmt::format("CBAM {} {} ({}) from {} ({}), year {}\n", run.good, c.row.description, cbam::to_string(c.row.category),
                     c.country.name, c.country.alpha3, c.year);
  if (c.row.cn_code != run.good) out << fmt::format("default-value row: {}\n", c.row.cn_code);
  out << fmt::format("{:<34} {:>10}\n", "", "t CO2e/t");
  out << fmt::format("{:<34} {:>10.4f}\n", "default (scopes that count)", c.default_t);
  out << fmt::format("{:<34} {:>10.4f}\n", fmt::format("mark-up {} %", c.markup_pct), c.markup_t());
  out << fmt::format("{:<34} {:>10.4f}\n", "default with mark-up", c.default_with_markup_t);
  if (c.actual_t) {
    out << fmt::format("{:<34} {:>10.4f}\n", "actual", *c.actual_t);
    out << fmt::format("{:<34} {:>10.4f}\n", "base-value gap (default - actual)", c.base_gap_t());
    out << fmt::format("{:<34} {:>10.4f}\n", "difference (with mark-up - actual)", c.difference_t());
    out << fmt::format("{:<34} {:>10.2f}  EUR/t of good at {:.2f} EUR/t CO2e\n", "certificate cost difference",
                       c.cost_difference_eur(), c.ets_price_eur);
  }
  for (const auto& line : c.report) out << "- " << line << '\n';
}

Result compare_run(Context& ctx, const Params& p) {
  if (!p.has("country")) throw Error(ErrorCategory::InvalidInput, "give --country (CN, CHN or China)", ErrorContext{{}, 0, 0, "country"});
  if (!p.has("good")) throw Error(ErrorCategory::InvalidInput, "give --good, a CN code (e.g. 7208 or 25232900)", ErrorContext{{}, 0, 0, "good"});
  if (p.has("actual") && p.has("route"))
    throw Error(ErrorCategory::InvalidInput,
                "give either --actual (a value) or --route (a route model to simulate), not both",
                ErrorContext{p.str("route"), 0, 0, "route"});
  const auto sets = p.has("set") ? p.strs("set") : std::vector<std::string>{};
  if (!sets.empty() && !p.has("route"))
    throw Error(ErrorCategory::InvalidInput, "--set overrides a parameter of --route: give a route model with --route",
                ErrorContext{{}, 0, 0, "set"});
  const auto& table = cbam::default_table();
  const cbam::Country country = cbam::parse_country(p.str("country"));
  auto run = std::make_shared<CompareRun>();
  run->good = cbam::normalise_cn(p.str("good"));
  const cbam::DefaultValue& row = cbam::lookup(table, country, run->good);
  std::optional<double> actual;
  std::string source = p.has("actual") ? "given (--actual)" : "none";
  if (p.has("actual")) actual = p.number("actual");
  if (p.has("route")) {
    const std::string name = p.str("route");
    process::RouteModel model = process::parse_route(ctx.text(p, "route"), name);
    for (const auto& s : sets) process::apply_override(model, s);
    const process::SimulationResult sim = process::simulate(model);
    const bool ind = cbam::counts_indirect(row.category);
    // Implementing Regulation (EU) 2023/1773 Annex III: the emissions of electricity produced in the installation
    // (Em_el,prod) are not attributed to the good; the electricity it consumes counts as indirect emissions. A unit
    // of the route whose output is a commodity in MWh is such a power plant: its direct emissions move from direct
    // to indirect (all of its electricity is consumed in the route).
    double el_prod_t = 0;
    std::vector<std::string> plants;
    const auto& doc = model.doc;
    if (doc.contains("units") && doc["units"].is_array() && doc.contains("commodities") && doc["commodities"].is_object())
      for (const auto& u : doc["units"]) {
        if (!u.is_object() || !u.contains("outputs") || !u["outputs"].is_object() || !u.contains("id")) continue;
        bool power = false;
        for (const auto& item : u["outputs"].items()) {
          const auto c = doc["commodities"].find(item.key());
          if (c != doc["commodities"].end() && c->is_object() && c->value("unit", "") == "MWh") power = true;
        }
        if (!power) continue;
        const std::string id = u["id"].get<std::string>();
        for (const auto& ur : sim.units)
          if (ur.id == id) el_prod_t += ur.direct_co2e_t;
        plants.push_back(id);
      }
    const double d = sim.per_t(sim.direct_t - el_prod_t), pr = sim.per_t(sim.precursor_t),
                 in = sim.per_t(sim.indirect_t + el_prod_t);
    actual = d + pr + (ind ? in : 0.0);
    source = ind ? fmt::format("route '{}' ({}): direct {:.4g} + precursor {:.4g} + indirect {:.4g} t CO2e per t of {} "
                               "(grid factor {:.4g} t CO2/MWh)",
                               sim.route_name, name, d, pr, in, sim.product, sim.grid_factor_t_per_mwh)
                 : fmt::format("route '{}' ({}): direct {:.4g} + precursor {:.4g} t CO2e per t of {}; its indirect "
                               "{:.4g} (grid factor {:.4g} t CO2/MWh) does not count for {} (Annex II)",
                               sim.route_name, name, d, pr, sim.product, in, sim.grid_factor_t_per_mwh,
                               cbam::to_string(row.category));
    if (!plants.empty())
      source += fmt::format("; the emissions of the electricity made in the route ({}: {:.4g} t CO2e per t) are "
                            "indirect, not direct (Implementing Regulation (EU) 2023/1773 Annex III, Em_el,prod)",
                            fmt::join(plants, ", "), sim.per_t(el_prod_t));
    run->route = json{{"name", sim.route_name},
                      {"file", name},
                      {"product", sim.product},
                      {"output", sim.output},
                      {"grid_factor_t_per_mwh", sim.grid_factor_t_per_mwh},
                      {"direct_t_per_t", round6(d)},
                      {"indirect_t_per_t", round6(in)},
                      {"precursor_t_per_t", round6(pr)},
                      {"electricity_produced_t_per_t", round6(sim.per_t(el_prod_t))},
                      {"counted_t_per_t", round6(*actual)},
                      {"overrides", sets},
                      {"max_mass_residual_t", sim.max_mass_residual_t}};
  }
  std::vector<std::string> warnings;
  if (run->route) {
    // A route whose product does not name the good's category is most likely the wrong route.
    static const std::vector<std::pair<cbam::Category, std::vector<const char*>>> words = {
        {cbam::Category::Cement, {"cement", "clinker"}},
        {cbam::Category::IronSteel, {"steel", "iron", "hot_metal", "sinter", "pellet", "ferro"}},
        {cbam::Category::Aluminium, {"alumin"}},
        {cbam::Category::Fertilisers, {"ammonia", "urea", "nitr", "fertil"}},
        {cbam::Category::Hydrogen, {"hydrogen"}},
        {cbam::Category::Electricity, {"electric"}}};
    const std::string product = (*run->route)["product"].get<std::string>();
    for (const auto& [cat, ws] : words)
      if (cat == row.category &&
          std::none_of(ws.begin(), ws.end(), [&](const char* w) { return product.find(w) != std::string::npos; }))
        warnings.push_back(fmt::format("the route's product '{}' does not look like a good of {} ({} {}): check --route",
                                       product, cbam::to_string(row.category), row.cn_code, row.description));
  }
  run->c = cbam::compare(table, country, run->good, static_cast<int>(p.integer("year")), actual, p.number("ets-price"),
                         source);
  if (run->route) run->c.report.insert(run->c.report.begin() + 2, "actual value: " + source);
  Result r;
  r.json = [run](const Result&) { return compare_json(*run); };
  r.csv = [run](const Result&, std::ostream& o) { compare_csv(*run, o); };
  r.table = [run](const Result&, std::ostream& o) { compare_table(*run, o); };
  r.summary = {{"good", run->good}, {"country", country.alpha3}, {"year", run->c.year},
               {"default_with_markup_t_per_t", round6(run->c.default_with_markup_t)}};
  if (run->c.actual_t) r.summary["difference_t_per_t"] = round6(run->c.difference_t());
  r.warnings = std::move(warnings);
  return r;
}

// ---- cbam defaults -------------------------------------------------------------------------------------------------

struct DefaultsRun {
  std::vector<const cbam::DefaultValue*> rows;
  std::vector<double> markups;  // per row, percent, for the year
  int year = 0;
};

json defaults_json(const DefaultsRun& d) {
  json rows = json::array();
  for (size_t i = 0; i < d.rows.size(); ++i) {
    const auto& r = *d.rows[i];
    rows.push_back({{"cn_code", r.cn_code},
                    {"description", r.description},
                    {"category", cbam::to_string(r.category)},
                    {"country", r.country},
                    {"direct", round6(r.direct)},
                    {"indirect", opt_num(r.indirect)},
                    {"total", round6(r.total)},
                    {"scopes_counted", cbam::counts_indirect(r.category) ? "direct+indirect" : "direct"},
                    {"counted", round6(r.counted())},
                    {"markup_pct", d.markups[i]},
                    {"counted_with_markup", round6(r.counted() * (1 + d.markups[i] / 100))},
                    {"route", r.route},
                    {"source", r.source}});
  }
  json schedule = json::array();
  for (const auto& m : cbam::default_table().markups)
    schedule.push_back({{"category", cbam::to_string(m.category)},
                        {"from_year", m.from_year},
                        {"to_year", m.to_year ? json(m.to_year) : json(nullptr)},
                        {"markup_pct", m.pct},
                        {"source", m.source}});
  return {{"year", d.year},
          {"unit", "t CO2e per t of good"},
          {"citation", "Commission Implementing Regulation (EU) 2025/2621 of 16 December 2025 (default values), Annex I, "
                       "as corrected by Implementing Regulation (EU) 2026/1740; values before mark-up"},
          {"transitional_period", "the transitional-period default values (Commission, December 2023) are not "
                                  "shipped: docs/cbam.md says why"},
          {"rows", rows},
          {"markup_schedule", schedule}};
}

json defaults_schema() {
  const auto row = object_schema({{"cn_code", string_schema()},
                                  {"description", string_schema()},
                                  {"category", string_schema()},
                                  {"country", string_schema()},
                                  {"direct", number_schema()},
                                  {"indirect", nullable(number_schema())},
                                  {"total", number_schema()},
                                  {"scopes_counted", string_schema()},
                                  {"counted", number_schema()},
                                  {"markup_pct", number_schema()},
                                  {"counted_with_markup", number_schema()},
                                  {"route", string_schema()},
                                  {"source", string_schema()}});
  const auto mk = object_schema({{"category", string_schema()},
                                 {"from_year", integer_schema()},
                                 {"to_year", nullable(integer_schema())},
                                 {"markup_pct", number_schema()},
                                 {"source", string_schema()}});
  return object_schema({{"year", integer_schema()},
                        {"unit", string_schema()},
                        {"citation", string_schema()},
                        {"transitional_period", string_schema()},
                        {"rows", array_of(row)},
                        {"markup_schedule", array_of(mk)}});
}

void defaults_csv(const DefaultsRun& d, std::ostream& out) {
  out << "cn_code,description,category,country,direct,indirect,total,scopes_counted,counted,year,markup_pct,"
         "counted_with_markup,route,unit\n";
  for (size_t i = 0; i < d.rows.size(); ++i) {
    const auto& r = *d.rows[i];
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},t CO2e/t\n", r.cn_code, csv_field(r.description),
                       cbam::to_string(r.category), r.country, num(r.direct), r.indirect ? num(*r.indirect) : "",
                       num(r.total), cbam::counts_indirect(r.category) ? "direct+indirect" : "direct", num(r.counted()),
                       d.year, num(d.markups[i]), num(r.counted() * (1 + d.markups[i] / 100)), r.route);
  }
}

void defaults_table(const DefaultsRun& d, std::ostream& out) {
  out << "CBAM default values, t CO2e per t of good: Implementing Regulation (EU) 2025/2621 Annex I (as corrected by "
         "(EU) 2026/1740), before mark-up\n";
  out << fmt::format("{:<11} {:<38} {:<12} {:<4} {:>7} {:>8} {:>7} {:>8} {:>6} {:>9}\n", "CN code", "description",
                     "category", "ctry", "direct", "indirect", "total", "counted", "mk %", fmt::format("with {}", d.year));
  for (size_t i = 0; i < d.rows.size(); ++i) {
    const auto& r = *d.rows[i];
    out << fmt::format("{:<11} {:<38} {:<12} {:<4} {:>7.3f} {:>8} {:>7.3f} {:>8.3f} {:>6g} {:>9.3f}\n", r.cn_code,
                       r.description.substr(0, 38), cbam::to_string(r.category), r.country, r.direct,
                       r.indirect ? fmt::format("{:.3f}", *r.indirect) : "-", r.total, r.counted(), d.markups[i],
                       r.counted() * (1 + d.markups[i] / 100));
  }
  out << "counted: direct, plus indirect for cement and fertilisers (Regulation (EU) 2023/956 Annex II); mark-up: "
         "10 % 2026, 20 % 2027, 30 % from 2028, fertilisers 1 % (data/cbam/markup_schedule.csv)\n";
}

Result defaults_run(Context&, const Params& p) {
  const auto& table = cbam::default_table();
  auto d = std::make_shared<DefaultsRun>();
  d->year = static_cast<int>(p.integer("year"));
  std::optional<cbam::Country> country;
  if (p.has("country")) country = cbam::parse_country(p.str("country"));
  if (country && std::none_of(table.rows.begin(), table.rows.end(),
                              [&](const cbam::DefaultValue& r) { return r.country == country->alpha3; }))
    throw Error(ErrorCategory::NotFound,
                fmt::format("the default-value table holds no values for {} ({}); it holds CHN (China) only "
                            "(data/cbam/default_values.csv, docs/cbam.md)",
                            country->alpha3, country->name),
                ErrorContext{{}, 0, 0, "country"});
  std::string good;
  if (p.has("good")) good = cbam::normalise_cn(p.str("good"));
  for (const auto& r : table.rows) {
    if (country && r.country != country->alpha3) continue;
    if (!good.empty()) {
      const auto m = cbam::match(table, r.country, good);
      if (std::find(m.begin(), m.end(), &r) == m.end()) continue;
    }
    d->rows.push_back(&r);
    d->markups.push_back(cbam::markup_pct(table, r.category, d->year));
  }
  if (d->rows.empty() && !good.empty() && country) cbam::lookup(table, *country, good);  // says why, nearest codes
  if (d->rows.empty())
    throw Error(ErrorCategory::NotFound, fmt::format("no default value for CN code {} in the table", good),
                ErrorContext{{}, 0, 0, "good"});
  Result r;
  r.json = [d](const Result&) { return defaults_json(*d); };
  r.csv = [d](const Result&, std::ostream& o) { defaults_csv(*d, o); };
  r.table = [d](const Result&, std::ostream& o) { defaults_table(*d, o); };
  r.summary = {{"rows", d->rows.size()}, {"year", d->year}};
  return r;
}

}  // namespace

void add_cbam_entries(std::vector<Capability>& t) {
  t.push_back({"cbam embedded", Domain::Process,
               "Specific embedded emissions (SEE) of the CBAM goods of an installation by the EU methodology "
               "(Implementing Regulation (EU) 2023/1773 Annex III): for each production process, attributed direct "
               "emissions (given, or from source streams: combustion, process, mass balance; heat imported and "
               "exported), indirect emissions (electricity x emission factor) and the embedded emissions of the "
               "precursors consumed (from another process of the installation or purchased), divided by the activity "
               "level; in t CO2e per t of good, direct, indirect, total and what counts (only direct for iron and "
               "steel, aluminium, hydrogen: Regulation (EU) 2023/956 Annex II). Input: installation JSON "
               "(docs/cbam.md).",
               embedded_schema(),
               {"examples/cbam/cement_installation.json"},
               true,
               false,
               embedded_run});
  t.push_back({"cbam compare", Domain::Process,
               "CBAM default value of a good (CN code at any level, e.g. 7208, 25232900, '2523 29 00') from a country "
               "(Implementing Regulation (EU) 2025/2621), with the mark-up of the year of import (10 % 2026, 20 % 2027, "
               "30 % from 2028; fertilisers 1 %), beside the actual value: given with --actual, or simulated from a "
               "process route with --route (direct + precursors, plus indirect for cement and fertilisers); the "
               "difference in t CO2e per t and in certificate cost at an EU ETS price (EUR per t of good), and a report "
               "of which is lower and why (the base-value gap against the designed mark-up).",
               compare_schema(),
               {"--country", "CN", "--good", "7208", "--year", "2027", "--route",
                "examples/process/routes/steel-hot-rolled-bf-bof.json", "--set", "route.grid_factor_t_per_mwh=0.5366",
                "--ets-price", "80"},
               true,
               false,
               compare_run});
  t.push_back({"cbam defaults", Domain::Process,
               "The CBAM default values of a country (definitive period: Implementing Regulation (EU) 2025/2621 Annex I "
               "as corrected by (EU) 2026/1740; China's rows are shipped), by CN code: direct, indirect, total, what "
               "counts for the good's category and the value with the year's mark-up, with the citation and the "
               "mark-up schedule.",
               defaults_schema(),
               {"--country", "CN"},
               true,
               false,
               defaults_run});
}

}  // namespace panocarbon::registry
