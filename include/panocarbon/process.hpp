// Industrial process routes (docs/process.md): a route is a network of units (blast furnace, BOF, DRI shaft,
// EAF, kiln, electrolysis, SMR, CCS, ...), each with input/output coefficients per unit of activity, fuels,
// direct emission factors, a capture rate and electricity use. simulate() solves the route's mass and energy
// balance for an output of its product and reports direct, indirect (electricity x grid factor) and precursor
// emissions (purchased inputs' embedded emissions), per tonne of product, with each unit's mass-balance residual.
// Pure maths apart from parsing: the CLI's `process simulate`, `cbam compare --route` and the optimiser's route
// intensities all call these functions.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace panocarbon::process {

// A parsed route model. Its JSON is kept as parsed (after validation) so that parameters can be overridden
// by name; the units, commodities and defaults are resolved when it is simulated.
struct RouteModel {
  std::string name;          // "BF-BOF crude steel"
  std::string product;       // the commodity the route delivers ("crude_steel")
  std::string product_unit;  // "t"
  double default_output = 1;
  nlohmann::json doc;        // the validated document (overrides are written into it)
  std::string source_name;   // file name, for error messages
};

// Parses and validates a route model (Error{InvalidInput} naming the file and the JSON pointer of the bad field
// and what is expected).
RouteModel parse_route(std::string_view json_text, const std::string& source_name);

// Applies "unit.param=value" or "route.param=value" (Error{InvalidInput} naming the unknown unit or parameter
// with the nearest names).
void apply_override(RouteModel& model, std::string_view assignment);

// One line of the simulation's emission report: scope direct|indirect|precursor|total, gas (CO2, CH4, N2O,
// CF4, C2F6, ..., and CO2e for the scope's sum in CO2 equivalents).
struct EmissionLine {
  std::string scope;
  std::string gas;
  double emission_t = 0;     // for the simulated output
  double per_t_product = 0;  // per unit of product
};

struct UnitResult {
  std::string id, name, activity_unit;
  double activity = 0;          // units of activity run to deliver the output
  double direct_co2e_t = 0;     // after capture
  double captured_co2_t = 0;
  double electricity_mwh = 0;
  double mass_in_t = 0, mass_out_t = 0;  // declared mass inputs and outputs (incl. process CO2 and losses)
  double mass_residual_t = 0;            // mass_in_t - mass_out_t
  // Added with the route module: scopes of the unit, and whether its masses are declared complete.
  double indirect_co2e_t = 0;   // its electricity (incl. capture) x grid factor
  double precursor_co2e_t = 0;  // embedded emissions of the precursors it consumes
  double fuel_gj = 0;           // fuels burned, GJ (fuels measured in MJ, GJ or TJ; others are not added)
  bool mass_balanced = true;    // false: the unit says why its masses do not close (mass_note)
  std::string mass_note;
  double biogenic_co2_t = 0;           // memo: CO2 of biogenic fuels emitted (not in direct_co2e_t)
  double captured_biogenic_co2_t = 0;  // biogenic CO2 captured (not in captured_co2_t)
};

// A flow across the route's boundary: an external input (not produced in the route), a precursor bought, or a
// by-product leaving it (production beyond the route's own use).
struct BoundaryFlow {
  std::string commodity, unit, kind;  // kind: external | precursor | by-product | fuel
  double amount = 0;
  double embedded_co2e_t = 0;  // precursors only
};

struct SimulationResult {
  std::string route_name, product, product_unit;
  double output = 0;
  double grid_factor_t_per_mwh = 0;
  std::vector<EmissionLine> lines;  // by scope and gas; each scope's CO2e line; then total CO2e
  // CO2e totals for the output (GWP set of the route, AR5 unless it says otherwise):
  double direct_t = 0, indirect_t = 0, precursor_t = 0, total_t = 0;
  double electricity_mwh = 0;
  std::vector<UnitResult> units;
  double max_mass_residual_t = 0;  // the largest |residual| of a unit that declares its masses
  std::vector<std::string> sources;  // citations of every default used
  // Added with the route module:
  std::string gwp_set;             // "AR5"
  double captured_co2_t = 0;       // captured (not emitted), all units
  double fuel_gj = 0;              // fuels burned, GJ (as UnitResult::fuel_gj)
  double biogenic_co2_t = 0;           // memo: biogenic CO2 emitted, outside the direct scope (IPCC convention)
  double captured_biogenic_co2_t = 0;  // biogenic CO2 captured
  double max_balance_residual = 0;     // largest |made - used - delivered| of a commodity balance, relative to its flows
  std::vector<BoundaryFlow> flows; // external inputs, precursors, fuels and by-products of the whole route
  std::vector<std::string> notes;  // conventions the route states (e.g. urea CO2)
  double per_t(double t) const { return output > 0 ? t / output : 0; }
};

// Solves the route for `output` units of its product (<= 0: the route's default output).
SimulationResult simulate(const RouteModel& model, double output = 0);

nlohmann::json to_json(const SimulationResult& r);

// The value of one line (scope, gas); 0 when the result has no such line.
double line_value(const SimulationResult& r, std::string_view scope, std::string_view gas);

// Names a route can override ("route.grid_factor_t_per_mwh", "kiln.capture_rate", ...), for help and errors.
std::vector<std::string> override_names(const RouteModel& model);

}  // namespace panocarbon::process
