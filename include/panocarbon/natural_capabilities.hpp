// The natural side's capabilities (issue 6, registry of issue 11): one function per command, taking the front
// end's Context and the command's Params and returning a typed result. They read their inputs through the
// Context (recorded in the run log), save the natural fluxes under the Context's run when there is one, and
// leave the renderings to the registry entries (src/capabilities/natural_entries.cpp).
#pragma once
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "panocarbon/natural.hpp"
#include "panocarbon/natural_account.hpp"
#include "panocarbon/natural_fire.hpp"
#include "panocarbon/natural_fluxes.hpp"
#include "panocarbon/options.hpp"

namespace panocarbon {
class Context;
}

namespace panocarbon::natural {

// `natural sinks`: the Global Carbon Budget's years in the selection, in the chosen unit.
struct SinksRun {
  CarbonBudget budget;
  std::vector<BudgetYear> years;            // the selected years, GtC/yr
  double k = 1;                             // GtC -> the chosen unit (1 or 44/12)
  std::string unit;                         // "GtC/yr" or "GtCO2/yr"
  double worst_gtc = 0, tolerance_gtc = 0;  // largest |residual| of the identity, and what rounding allows
  int worst_year = 0;
  // The models' range of a flux in the chosen unit; NaN when the budget gives none for the year.
  std::pair<double, double> range(const std::map<int, std::pair<double, double>>& ranges, int year) const;
};
SinksRun natural_sinks(Context& ctx, const Params& p);

// `natural methane`: the Table 3 rows in the selection, or (--scale-file) the regional priors.
struct MethaneLine {
  size_t row = 0;            // index in budget.rows
  std::string approach;      // bottom-up | top-down
  MethaneEstimate estimate;  // Tg CH4/yr
  std::string period_used;   // the period asked for, or the breakdown period carried over
};
struct MethaneRun {
  MethaneBudget budget;
  std::string period, breakdown = "2000-2009";
  std::vector<std::string> approaches;
  bool all = false;
  std::vector<MethaneLine> lines;
  bool scaled = false;  // --scale-file given: `regions` is the result
  std::string scale_file;
  std::vector<RegionalPrior> regions;
  const MethaneSource& source(const MethaneLine& l) const { return budget.rows[l.row]; }
  bool shown(const MethaneSource& s) const { return all || s.group == "natural"; }
};
MethaneRun natural_methane(Context& ctx, const Params& p);

// `natural afolu`: one line per forest row (CO2) or per gas of a fire row.
struct AfoluLine {
  std::string id, method, region, species;
  int year = 0;
  bool forest = false;
  double gains_tc = 0, losses_tc = 0, delta_c_tc = 0, t = 0;
  double lower = std::numeric_limits<double>::quiet_NaN(), upper = std::numeric_limits<double>::quiet_NaN();
  LandTag tag;
  std::vector<std::string> defaults;
  bool memo = false;  // CO2 of a forest fire: shown, not counted (Eq 2.14 counts it)
};
struct AfoluSums {  // t gas/yr
  double total = 0, managed = 0, direct = 0;
};
struct AfoluRun {
  std::string file;
  std::vector<AfoluLine> lines;
  std::map<std::string, AfoluSums> sums;  // by species: all rows, national inventory, direct anthropogenic
  AfoluSums co2() const;
};
AfoluRun natural_afolu(Context& ctx, const Params& p);

// `natural fire`: GFED4.1s dry matter x GFED4 emission factors.
struct FireRun {
  FireResult result;
  GfedEmissionFactors factors;
  FireOptions options;
  double carbon_identity_max_relative_difference = 0;
  std::vector<int> land_parts() const;  // {-1} without a managed-land mask, {0, 1} with one
  bool region_used(size_t g) const;     // false for the "none" region where nothing burned
};
FireRun natural_fire(Context& ctx, const Params& p);
// The months of --months (1..12, comma-separated); empty when not given.
std::vector<int> parse_months(const Params& p);

// `natural fire-tier1`: IPCC 2006 Vol 4 Eq 2.27.
struct FireTier1Run {
  std::vector<Tier1Row> rows;
  std::vector<Tier1Total> totals;
  double area_uncertainty_pct = 0;
};
FireTier1Run natural_fire_tier1(Context& ctx, const Params& p);

// `natural account`: the stored natural fluxes in t CO2e by the chosen GWP100 set.
struct AccountRun {
  NaturalAccount account;
  std::string region;
  int year = 0;
  bool all_runs = false;
};
AccountRun natural_account_run(Context& ctx, const Params& p);

}  // namespace panocarbon::natural
