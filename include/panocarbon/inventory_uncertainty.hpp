// Uncertainty of an inventory by the 2006 IPCC Guidelines, Vol 1 Ch 3 (docs/uncertainty-inventory.md).
//
// Every emission term of `inventory calc` (one gas of one activity row, memo items left out) is
//   E = x · a_row · f_factor · n_fuel  (+ c)        x: the computed CO2e (t) without c
// with multipliers of median ≈ 1 whose 95 % ranges are the inputs' uncertainties:
//   a_row    activity data: the row's uncertainty_pct (half-width of the 95 % interval, % of the amount),
//            else --activity-uncertainty (default 5 %). For a Tier 2 row (its own factor) uncertainty_pct
//            covers the whole emission (amount × own factor), as one measured quantity.
//   f_factor the factor library's 95 % bounds (EmissionFactor lower/upper; asymmetric allowed), shared by
//            every row that uses the factor (one draw per factor: perfect correlation).
//   n_fuel   the NCV of Table 1.2 (lower/upper) where a fuel's mass was converted to energy, per fuel.
//   c        a constant (minus the CO2 recovered for urea, ammonia rows), in CO2e.
// Approach 1 (§3.2.3.1): Eq 3.1 per Table 3.2 entry U = √(E² + F²), Eq 3.2 for sums
//   U_total = √Σ(U_i·x_i)² / |Σ x_i|; with a base year, Table 3.2 columns H to M and the trend uncertainty.
// Approach 2 (§3.2.3.2): Monte Carlo of the same model with unc::from_ipcc_percent distributions.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/parallel.hpp"

namespace panocarbon {

struct UncertaintyOptions {
  CalcOptions calc;                     // gwp, edition, skip_missing, country; calc.year: 0 = the file's only
                                        // or latest year
  int base_year = 0;                    // Approach 1 trend: the base year (0 = no trend)
  double activity_uncertainty_pct = 5;  // rows without uncertainty_pct
  std::string by = "category";          // category | level=N | gas
};

// One row of IPCC 2006 Vol 1 Ch 3 Table 3.2: the terms of one (category, activity, technology, gas, factor),
// a Tier 2 factor counting as one factor "tier2". Percentages are half-widths of 95 % intervals.
struct Table32Entry {
  std::string category, activity, gas, factor_id;
  double base_t = 0;          // C: base-year emissions, t CO2e
  double year_t = 0;          // D: year-t emissions, t CO2e
  double ad_pct = 0;          // E: activity data (rows independent: √Σ(E_r x_r)² / |Σx|)
  double ef_pct = 0;          // F: factor and NCV, √(EF² + NCV²) (one factor: correlated, Σ F_r x_r / Σx)
  double combined_pct = 0;    // G = √(E² + F²)                                                    (Eq 3.1)
  double variance_share = 0;  // H = (G·D)² / (ΣD)², contribution to the variance of the total in year t
  double type_a = 0;          // I: type A sensitivity (trend)
  double type_b = 0;          // J = D / ΣC: type B sensitivity
  double trend_ef_pct = 0;    // K = I·F: trend uncertainty from the factor (correlated between years)
  double trend_ad_pct = 0;    // L = J·E·√2: trend uncertainty from activity data (uncorrelated)
  double trend_pct = 0;       // M = √(K² + L²)
};

struct TrendUncertainty {
  int base_year = 0, year = 0;
  double base_t = 0, year_t = 0;
  double trend_pct = 0;        // (ΣD − ΣC) / ΣC · 100
  double uncertainty_pct = 0;  // √Σ M², percentage points of the trend
};

// One reported line (a category, a gas or the total) in t CO2e.
struct UncertaintyLine {
  std::string key, title;  // IPCC code or gas; "total" last
  int level = 0;
  double mean = 0, median = 0, sd = 0, p2_5 = 0, p97_5 = 0;
  double pct_low = 0, pct_high = 0;  // (mean − p2.5)/|mean|·100, (p97.5 − mean)/|mean|·100
};

struct InventoryUncertainty {
  int approach = 2;
  std::string gwp_set, by, source;
  int edition = 2006, year = 0;
  std::vector<UncertaintyLine> lines;  // reported categories (Guidelines' order) or gases, then "total"
  std::vector<Table32Entry> table;     // Approach 1
  std::optional<TrendUncertainty> trend;
  uint64_t draws = 0, seed = 0;                        // Approach 2
  size_t rows = 0, terms = 0, factors = 0, fuels = 0;  // model size (Approach 2: rows = AD parameters)
  std::vector<std::string> warnings;
};

// Throws Error{InvalidInput} naming the field (by / format) unless both are valid.
void validate_uncertainty_output(std::string_view by, std::string_view format);

InventoryUncertainty uncertainty_approach1(const ActivityData& data, const FactorLibrary& library,
                                           const CategoryTree& tree, const UncertaintyOptions& options);
// Draw k of a parameter is a pure function of (seed, parameter, k): names are "factor:<id>", "ncv:<fuel id>"
// and "activity:<line>:<category>:<activity>" (independent of the file's path). `run.chunk` is ignored
// (blocks of draws are computed together). `keep`, when given, receives the draws (outputs = lines).
InventoryUncertainty uncertainty_approach2(const ActivityData& data, const FactorLibrary& library,
                                           const CategoryTree& tree, const UncertaintyOptions& options, uint64_t seed,
                                           const parallel::RunOptions& run, parallel::Draws* keep = nullptr);

// table | csv | json. CSV: category,mean_t_co2e,p2_5,p97_5,uncertainty_pct_low,uncertainty_pct_high.
// `extra` is merged into the JSON object (the Monte Carlo record, provenance).
void write_inventory_uncertainty(std::ostream& out, const InventoryUncertainty& r, std::string_view format,
                                 const nlohmann::json& extra = {});

// `inventory uncertainty`: parses the input (read by the front end: ctx.text) and computes with the store's
// factor library (the built-in one without a store); saves per line the mean and 95 % bounds under the run
// when it is logged. The registry logs the run (parameters with the seed, the input's SHA-256, the summary).
struct InventoryUncertaintyRun {
  InventoryUncertainty result;
  nlohmann::json extra;    // for write_inventory_uncertainty: montecarlo record, provenance
  nlohmann::json summary;  // for the run log
};
InventoryUncertaintyRun inventory_uncertainty(Context& ctx, const Params& params, const NamedInput& input);

}  // namespace panocarbon
