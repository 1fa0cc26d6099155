// Least-cost optimisation of industrial routes (docs/process.md "Optimisation model"): a technology-rich linear
// programme in the manner of TIMES, OSeMOSYS, MESSAGEix and PyPSA over regions, periods, commodities and routes
// (technologies), with commodity balances and trade, capacities and build limits, resource limits, share rules
// (quality rules such as a minimum clinker ratio), emission caps and a carbon price; solved with COIN-OR Clp,
// or Cbc when build decisions are integer. And the marginal abatement cost curves: the integrated curve (the
// model solved at a sweep of caps) and the partial curve of a list of measures.
// The JSON Schema of the model is schemas/process-model.schema.json.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon::process {

struct OptPeriod {
  std::string id;
  double length_years = 1;
  double discount_rate = 0;
  double start_offset_years = 0;  // years from the model's base year to the period's first year
  double df_start = 1;            // discount factor of the period's first year (investment)
  double df_annual = 1;           // sum of the discount factors of the period's years (flows per year)
};

struct OptRoute {
  std::string id, name, unit, source;
  std::vector<std::pair<int, double>> inputs, outputs;  // commodity index, amount per unit of activity
  std::vector<char> in_region;                          // offered in region r
  std::vector<double> variable_cost, investment_cost, emission, max_new, max_activity;  // per region
  std::vector<std::vector<double>> existing;            // [region][period], units of activity per year
  double availability = 1;
  double lifetime_years = 0;  // 0: lasts to the horizon
  double unit_size = 0;       // > 0: builds come in units of this size (integer with --integer)
  // emission_from_route: the emission coefficient is a route model's simulated intensity (process.hpp simulate())
  std::string emission_route_file;   // as written in the model (relative to the model's folder)
  std::string emission_scope;        // "direct" or "total" (direct + indirect + precursor)
  bool emission_resolved = true;     // false until resolve_route_emissions() has read the file
};

struct OptResource {
  std::string id, name, source;
  int commodity = 0;
  std::vector<double> max_per_year, cost, emission;  // per region; emission: t CO2e per unit supplied
};

struct OptTrade {
  int commodity = 0, from = 0, to = 0;
  double cost = 0, capacity = 0, loss = 0;  // capacity per year (inf: none)
};

struct OptDemand {
  int commodity = 0, region = 0, period = 0;
  double value = 0;
};

struct OptShare {
  std::string name;
  std::vector<double> numerator, denominator;  // weight per route
  double min = 0, max = 0;                     // -inf / inf when absent
  int region = -1, period = -1;                // -1: every region / period (the rule holds in each)
};

struct OptCap {
  std::string name;
  int region = -1, period = -1;  // -1: all regions / all periods (summed)
  double max_t = 0;
};

struct OptModel {
  std::string name, description, currency = "USD", source_name;
  std::vector<std::string> regions, sources;
  std::vector<OptPeriod> periods;
  std::vector<std::string> commodities, commodity_units;
  std::vector<char> commodity_equality;  // balance as = (else >=, free disposal)
  std::vector<OptRoute> routes;
  std::vector<OptResource> resources;
  std::vector<OptTrade> trade;
  std::vector<OptDemand> demands;
  std::vector<OptShare> shares;
  std::vector<OptCap> caps;
  double carbon_price = 0;  // currency per t CO2e
};

// Parses and validates a model (Error{InvalidInput} naming the file, the field's JSON path and what to give).
OptModel parse_opt_model(std::string_view json_text, const std::string& source_name);

// Fills the emission coefficient of every route that takes it from a route model file ("emission_from_route"):
// the route is simulated for its default output and its direct (or total) t CO2e per unit of product is used in
// every region. `read` returns the text of a file; the file is named relative to the folder of `model_path`.
// Errors (a file that cannot be read or is not a valid route) name the optimisation model's route.
void resolve_route_emissions(OptModel& model, const std::string& model_path,
                             const std::function<std::string(const std::string& path)>& read);

struct OptimizeOptions {
  std::optional<double> cap;    // replaces the model's caps over all regions and periods
  std::optional<double> price;  // replaces the model's carbon price
  bool integer = false;         // routes with a unit_size are built in whole units (Cbc)
  bool keep_lp = false;         // return the programme in CPLEX LP format
  bool explain = true;          // infeasible/unbounded: run the diagnosis LPs
};

struct ActivityLine {
  std::string region, route, period, unit;
  double activity = 0, capacity = 0, new_capacity = 0, emissions_t = 0;  // emissions over the period
  double new_units = 0;  // builds in units of unit_size (0 when the route has none)
};
struct TradeLine {
  std::string commodity, from, to, period;
  double flow = 0, delivered = 0;  // per year
};
struct SupplyLine {
  std::string resource, commodity, region, period;
  double amount = 0;  // per year
};
struct CapDual {
  std::string name, region, period;  // "" = all
  double max_t = 0, emissions_t = 0;
  double marginal_cost = 0;  // = -dual: objective increase per t CO2e less of cap (>= 0)
  bool binding = false;
};
struct BalanceDual {
  std::string commodity, region, period;
  double demand = 0, dual = 0;  // dual: d objective / d (demand per year of the period)
  double price = 0;             // dual / the period's annual discount factor: currency per unit in that period
};
struct Diagnosis {
  std::string constraint;  // e.g. "balance of crude_steel in EU, 2040", "cap total"
  double amount = 0;       // shortfall (or excess) of that constraint
  std::string text;
};

struct OptimizeResult {
  std::string model, status, message, currency;
  bool integer = false;
  double objective = 0, total_emissions_t = 0, carbon_price = 0;
  double max_balance_residual = 0, max_primal_infeasibility = 0;
  double mip_gap = 0, best_bound = 0;
  int iterations = 0, nodes = 0;
  size_t rows = 0, columns = 0, nonzeros = 0;
  double solve_seconds = 0;
  std::optional<double> lowest_emissions_t;  // infeasible caps: the least emissions reachable
  std::vector<ActivityLine> activities;
  std::vector<TradeLine> trade;
  std::vector<SupplyLine> supplies;
  std::vector<CapDual> caps;
  std::vector<BalanceDual> balances;
  std::vector<Diagnosis> diagnosis;
  std::vector<std::pair<std::string, double>> emissions_by_period;  // t over each period
  std::string lp_text;
  std::vector<std::string> warnings;
  bool optimal() const { return status == "optimal"; }
};

OptimizeResult optimize(const OptModel& model, const OptimizeOptions& options = {});

// The emissions any feasible plan must at least emit, in the scope of `cap_index` (-1: all regions and periods),
// with every cap removed; nullopt when the model without caps is infeasible.
std::optional<double> lowest_emissions(const OptModel& model, int cap_index = -1);

// --- integrated MACC ---
struct CapSweep {
  double from = 0, to = 0, step = 0;
  std::vector<double> caps;
};
// "A:B:STEP": caps A, A+STEP, ... down or up to B (inclusive within 1e-9 of a step). Error{InvalidInput} for a
// malformed text, a zero step, a step whose sign does not lead from A to B, or more than 10,000 steps.
CapSweep parse_cap_sweep(std::string_view text);

struct MaccStep {
  double cap = 0;
  std::string status;
  double emissions_t = 0, abatement_t = 0, total_cost = 0, cost_increase = 0;
  std::optional<double> average_cost_per_t;  // cost increase / abatement (none when abatement is 0)
  double marginal_cost = 0;                  // the cap's dual, currency per t (>= 0)
};
struct MaccResult {
  std::string model, currency;
  double baseline_emissions_t = 0, baseline_cost = 0;
  std::optional<double> lowest_emissions_t;
  std::vector<MaccStep> steps;
};
MaccResult integrated_macc(const OptModel& model, const CapSweep& sweep, bool integer = false);

// --- partial MACC ---
struct Measure {
  std::string name;
  double abatement_t = 0, cost = 0;  // as given (abatement per year when a lifetime is given)
  double lifetime_years = 0, discount_rate = 0, annual_cost = 0;
  double annualised_cost = 0;  // the cost the curve uses: cost (no lifetime) or cost x CRF + annual cost
  double cost_per_t = 0;
  double cumulative_from_t = 0, cumulative_to_t = 0, cumulative_cost = 0;
};
struct PartialMacc {
  std::vector<Measure> measures;  // sorted by cost per t, cheapest (most negative) first
  double total_abatement_t = 0, total_cost = 0, negative_cost_abatement_t = 0;
  bool annualised = false;
};
// CSV with columns measure,abatement_t,cost_usd and optional lifetime_years, discount_rate, annual_cost_usd.
PartialMacc partial_macc(std::string_view csv_text, const std::string& source_name);

}  // namespace panocarbon::process
