// Registry entry of route simulation: `process simulate` (docs/process.md "Route models and simulation"). The work
// is done by include/panocarbon/process.hpp; here are the description, the result schema and the renderings.
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <ostream>

#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/process.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace {

namespace pr = panocarbon::process;

nlohmann::json simulate_schema() {
  const auto line =
      object_schema({{"scope", {{"type", "string"}, {"enum", {"direct", "indirect", "precursor", "total"}}}},
                     {"gas", string_schema("CO2, CH4, N2O, CF4, C2F6, ... or CO2e")},
                     {"emission_t", number_schema("t of the gas for the output")},
                     {"per_t_product", number_schema("t of the gas per unit of product")}});
  const auto unit = object_schema({{"id", string_schema()},
                                   {"name", string_schema()},
                                   {"activity", number_schema("units of activity run for the output")},
                                   {"activity_unit", string_schema()},
                                   {"direct_co2e_t", number_schema("after capture")},
                                   {"captured_co2_t", number_schema()},
                                   {"biogenic_co2_t", number_schema("memo: biogenic CO2 emitted, not in direct")},
                                   {"captured_biogenic_co2_t", number_schema()},
                                   {"indirect_co2e_t", number_schema()},
                                   {"precursor_co2e_t", number_schema()},
                                   {"electricity_mwh", number_schema()},
                                   {"fuel_gj", number_schema("fuels burned, GJ (net calorific value)")},
                                   {"mass_in_t", number_schema()},
                                   {"mass_out_t", number_schema()},
                                   {"mass_residual_t", number_schema("mass in - mass out")},
                                   {"mass_balanced", {{"type", "boolean"}}},
                                   {"mass_note", string_schema("why the unit's masses are not balanced, when not")}});
  const auto flow =
      object_schema({{"commodity", string_schema()},
                     {"kind", {{"type", "string"}, {"enum", {"external", "precursor", "fuel", "by-product"}}}},
                     {"amount", number_schema()},
                     {"unit", string_schema()},
                     {"embedded_co2e_t", number_schema()}});
  return object_schema(
      {{"route", string_schema()},
       {"product", string_schema()},
       {"product_unit", string_schema()},
       {"output", number_schema("simulated output of the product")},
       {"grid_factor_t_per_mwh", number_schema("t CO2 per MWh of electricity used")},
       {"gwp", string_schema("GWP100 set of the CO2e values")},
       {"lines", array_of(line)},
       {"totals", object_schema({{"direct_t", number_schema()},
                                 {"indirect_t", number_schema()},
                                 {"precursor_t", number_schema()},
                                 {"total_t", number_schema()},
                                 {"captured_co2_t", number_schema()},
                                 {"biogenic_co2_t", number_schema("memo: biogenic CO2 emitted, not in direct")},
                                 {"captured_biogenic_co2_t", number_schema()},
                                 {"fuel_gj", number_schema()},
                                 {"electricity_mwh", number_schema()}})},
       {"per_t_product", object_schema({{"direct", number_schema()},
                                        {"indirect", number_schema()},
                                        {"precursor", number_schema()},
                                        {"total", number_schema()},
                                        {"fuel_gj", number_schema()},
                                        {"electricity_mwh", number_schema()}})},
       {"units", array_of(unit)},
       {"flows", array_of(flow)},
       {"max_mass_residual_t", number_schema("largest |residual| of a unit whose masses are balanced")},
       {"max_balance_residual", number_schema("largest relative residual of a commodity balance")},
       {"notes", array_of(string_schema())},
       {"sources", array_of(string_schema())}});
}

void simulate_csv(const pr::SimulationResult& s, std::ostream& out) {
  out << "scope,gas,emission_t,per_t_product\n";
  for (const auto& l : s.lines) out << fmt::format("{},{},{},{}\n", l.scope, l.gas, l.emission_t, l.per_t_product);
}

void simulate_table(const pr::SimulationResult& s, std::ostream& out) {
  out << fmt::format("{}: {} {} of {}; grid {:.4f} t CO2/MWh; CO2e with {} GWP100\n", s.route_name,
                     fmt::format("{:g}", s.output), s.product_unit, s.product, s.grid_factor_t_per_mwh, s.gwp_set);
  out << fmt::format("{:<10} {:<6} {:>16} {:>16}\n", "scope", "gas", "emission (t)",
                     fmt::format("per {} product", s.product_unit));
  for (const auto& l : s.lines)
    out << fmt::format("{:<10} {:<6} {:>16.4f} {:>16.4f}\n", l.scope, l.gas, l.emission_t, l.per_t_product);
  out << '\n'
      << fmt::format("{:<14} {:>14} {:<16} {:>13} {:>12} {:>13} {:>12} {:>12} {:>12}\n", "unit", "activity", "unit of",
                     "direct t", "captured t", "electr. MWh", "mass in t", "mass out t", "residual t");
  for (const auto& u : s.units)
    out << fmt::format("{:<14} {:>14.4f} {:<16} {:>13.4f} {:>12.4f} {:>13.4f} {:>12.4f} {:>12.4f} {:>12}\n",
                       u.id.substr(0, 14), u.activity, u.activity_unit.substr(0, 16), u.direct_co2e_t, u.captured_co2_t,
                       u.electricity_mwh, u.mass_in_t, u.mass_out_t,
                       u.mass_balanced ? fmt::format("{:.2e}", u.mass_residual_t) : std::string("n/a"));
  out << fmt::format("energy: {:.4f} GJ of fuels and {:.4f} MWh of electricity per {} of product\n", s.per_t(s.fuel_gj),
                     s.per_t(s.electricity_mwh), s.product_unit);
  out << fmt::format("largest mass residual of a balanced unit: {:.3e} t; largest commodity balance residual {:.1e}\n",
                     s.max_mass_residual_t, s.max_balance_residual);
  if (s.biogenic_co2_t != 0 || s.captured_biogenic_co2_t != 0)
    out << fmt::format("memo: biogenic CO2 {:.4f} t emitted (not in direct), {:.4f} t captured\n", s.biogenic_co2_t,
                       s.captured_biogenic_co2_t);
  for (const auto& u : s.units)
    if (!u.mass_balanced) out << fmt::format("{}: masses not balanced: {}\n", u.id, u.mass_note);
  if (!s.flows.empty()) {
    out << "\nacross the route's boundary:\n";
    for (const auto& f : s.flows)
      out << fmt::format("  {:<11} {:<24} {:>14.4f} {}{}\n", f.kind, f.commodity, f.amount, f.unit,
                         f.kind == "precursor" ? fmt::format(" ({:.4f} t CO2e embedded)", f.embedded_co2e_t) : "");
  }
  for (const auto& n : s.notes) out << "note: " << n << '\n';
  out << "\nsources:\n";
  for (const auto& src : s.sources) out << "  " << src << '\n';
}

Result simulate_result(pr::SimulationResult sim) {
  auto s = std::make_shared<pr::SimulationResult>(std::move(sim));
  Result r;
  r.json = [s](const Result&) { return pr::to_json(*s); };
  r.csv = [s](const Result&, std::ostream& out) { simulate_csv(*s, out); };
  r.table = [s](const Result&, std::ostream& out) { simulate_table(*s, out); };
  r.summary = {
      {"route", s->route_name},        {"product", s->product},   {"output", s->output},
      {"total_t", s->total_t},         {"direct_t", s->direct_t}, {"indirect_t", s->indirect_t},
      {"precursor_t", s->precursor_t}, {"gwp", s->gwp_set},       {"max_mass_residual_t", s->max_mass_residual_t}};
  size_t open = 0;  // units whose declared masses do not close: the first five named, then a count
  for (const auto& u : s->units) {
    const double scale = std::max(u.mass_in_t, u.mass_out_t);  // relative to the unit's own masses
    if (!u.mass_balanced || std::abs(u.mass_residual_t) <= 1e-9 * scale) continue;
    if (++open <= 5)
      r.warnings.push_back(
          fmt::format("the masses of unit '{}' do not close: {:.6g} t in, {:.6g} t out (residual "
                      "{:.3g} t); check its inputs, outputs and mass items, or mark it "
                      "\"balanced\": false with the reason",
                      u.id, u.mass_in_t, u.mass_out_t, u.mass_residual_t));
  }
  if (open > 5)
    r.warnings.push_back(fmt::format("the masses of {} more units do not close (see the JSON's units)", open - 5));
  return r;
}

}  // namespace

void add_process_entries(std::vector<Capability>& t) {
  t.push_back({"process simulate",
               Domain::Process,
               "Simulates an industrial process route (a JSON route model: units with input/output coefficients per "
               "unit of activity, fuels, process emissions by gas, capture, electricity; docs/process.md): solves the "
               "route's commodity balance for an output of its product and reports direct emissions (fuels and "
               "process, after capture), indirect emissions (electricity x the route's grid factor, t CO2/MWh) and "
               "precursor emissions (embedded emissions of purchased precursors), in t and per t of product, CO2e "
               "with the route's GWP100 set (AR5 unless it says otherwise), with every unit's activity and mass "
               "balance residual. Shipped routes in examples/process/routes/ (steel BF-BOF, BF-BOF+CCS, gas and H2 "
               "DRI-EAF, scrap EAF, hot-rolled steel, pig iron, clinker and cement by fuel and with CCS, primary "
               "aluminium on grid or captive coal power, ammonia, urea, hydrogen). --set unit.param=value or "
               "route.param=value overrides a parameter, e.g. route.grid_factor_t_per_mwh=0.5703.",
               simulate_schema(),
               {"examples/process/routes/steel-bf-bof.json", "--output", "1000"},
               true,
               false,
               [](Context& ctx, const Params& p) {
                 const std::string file = p.str("route");
                 pr::RouteModel m = pr::parse_route(ctx.text(p, "route"), file == "-" ? "stdin" : file);
                 if (p.has("set"))
                   for (const auto& a : p.strs("set")) pr::apply_override(m, a);
                 if (p.has("output") && !(p.number("output") > 0))
                   throw Error(ErrorCategory::InvalidInput,
                               "--output must be greater than 0 (t of the route's product)",
                               ErrorContext{"", 0, 0, "--output"});
                 return simulate_result(pr::simulate(m, p.has("output") ? p.number("output") : 0));
               }});
}

}  // namespace panocarbon::registry
