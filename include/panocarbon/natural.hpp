// Natural sources and sinks (issue 6): the Global Carbon Budget's sinks with its budget identity, the Global
// Methane Budget's natural CH4 sources, and IPCC 2006 Tier 1 forest land remaining forest land. Every land flux
// carries a tag (natural / direct anthropogenic / indirect anthropogenic; managed / unmanaged land) so that the
// national-inventory view and the global-budget view come from the same records (docs/natural-sinks.md).
#pragma once
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace panocarbon::natural {

constexpr double kCo2PerC = 44.0 / 12.0;

// ---- tags ---------------------------------------------------------------------------------------------------
enum class Driver { Natural, DirectAnthropogenic, IndirectAnthropogenic, Mixed };
const char* to_string(Driver d) noexcept;  // CSV/CLI spelling: "direct-anthropogenic"
// The stored spelling of natural_fluxes.origin: "natural", "direct anthropogenic", "indirect anthropogenic",
// "natural+indirect anthropogenic" (what `natural account` matches on).
const char* origin_text(Driver d) noexcept;
// Default driver of a fire by its IPCC 2006 Table 2.5 category: crop residue burning is a direct human act,
// every other fire natural (used by `natural fire-tier1` and the fire rows of `natural afolu`).
Driver default_fire_driver(const std::string& ef_category);
struct LandTag {
  Driver driver = Driver::Natural;
  bool managed = false;
  bool in_national_inventory() const { return managed; }  // IPCC managed-land proxy
  bool in_global_budget_anthropogenic() const { return driver == Driver::DirectAnthropogenic; }
};

// ---- Global Carbon Budget 2019 (Friedlingstein et al. 2019, ESSD 11, 1783-1838) ------------------------------
struct BudgetYear {
  int year = 0;
  double fossil = 0, land_use_change = 0, atmospheric_growth = 0, ocean_sink = 0, land_sink = 0, imbalance = 0;
  // E_FF + E_LUC - (G_ATM + S_OCEAN + S_LAND + B_IM), GtC/yr
  double residual() const {
    return fossil + land_use_change - (atmospheric_growth + ocean_sink + land_sink + imbalance);
  }
};
struct CarbonBudget {
  std::string folder;
  std::vector<BudgetYear> years;
  // Spread of the model ensembles (per year: min and max over the individual models of each file).
  std::map<int, std::pair<double, double>> luc_range, ocean_range, land_range;
  std::vector<std::string> notes;  // cross-file checks
};
// Reads global-carbon-budget.csv (required) and land-use-change.csv, ocean-sink.csv, terrestrial-sink.csv
// (optional; for ensemble ranges and cross-checks). Values in GtC/yr.
CarbonBudget read_carbon_budget(const std::string& folder);
// Largest |residual| the data's rounding allows: six terms each rounded to `decimals` places.
double rounding_tolerance(int decimals = 3);

// ---- Global Methane Budget 2000-2017 (Saunois et al. 2020, ESSD 12, 1561-1623, Table 3) ----------------------
struct MethaneEstimate {
  double mean = 0, min = 0, max = 0;
  bool has_range = false;
  std::string cell;  // A1 reference
  std::string raw;   // the cell as written
};
struct MethaneSource {
  std::string name;    // label without footnote letters
  std::string group;   // "natural", "anthropogenic", "sinks", "budget"
  std::string parent;  // "" or the row it is part of (e.g. Freshwaters -> Other land sources)
  int row = 0;
  // (period, approach) -> estimate; period "2000-2009" | "2008-2017" | "2017" | "2000-2009 (Saunois 2016)"
  std::map<std::pair<std::string, std::string>, MethaneEstimate> values;
  std::string note;  // footnote-only cells (e.g. "k": included elsewhere)
};
struct MethaneBudget {
  std::string file;
  std::vector<MethaneSource> rows;
  const MethaneSource* find(const std::string& name) const;
};
MethaneBudget read_methane_budget(const std::string& xlsx_path);
// Per-region scaling: the user's regional fluxes F(r, s) of source s (CSV region,source,flux, any one unit)
// share out the global prior P(s) = mean [min, max] of the chosen period and approach:
// share(r, s) = F(r, s) / sum_r F(r, s); prior(r, s) = share(r, s) * P(s) (mean, min and max alike).
// factor(s) = P_mean(s) / sum_r F(r, s) says how the user's total compares with the budget.
struct RegionalPrior {
  std::string region, source;
  double user_flux = 0, share = 0, mean = 0, min = 0, max = 0, factor = 0;
  std::string cell;
};
std::vector<RegionalPrior> scale_to_regions(const MethaneBudget& mb, const std::string& period,
                                            const std::string& approach, const std::string& csv_text,
                                            const std::string& name);
// Parses "183 [151–222]c", "505h [459–516]", "3 [−10–38]h", "514e", "–"; false when no number.
bool parse_methane_cell(const std::string& text, MethaneEstimate& out);

// ---- IPCC 2006 Vol 4 Ch 2/4: forest land remaining forest land ------------------------------------------------
struct DefaultValue {
  std::string id, table, key, note;
  double value = 0, lower = 0, upper = 0;
  bool confirmed = false;
};
struct AfoluDefaults {
  std::vector<DefaultValue> carbon_fraction, root_shoot, growth, bcef;
  static const AfoluDefaults& builtin();
  const DefaultValue* find(const std::string& id) const;
};
struct ForestRow {
  std::string id, method = "gain-loss", climate, zone, forest_type;
  std::string region;  // optional column `region` (ISO code or name); "" = not given
  int year = 0;        // optional column `year` (inventory year); 0 = not given
  // method "fire" (IPCC 2006 Vol 4 Eq 2.27): vegetation type of data/ipcc2006_fire.csv, area burned in area_ha,
  // optional M_B x C_f override (t d.m./ha; NaN = Table 2.4 default)
  std::string vegetation;
  double mb_cf = 0;
  double area_ha = 0;
  // gain-loss inputs (NaN = not given -> default table, or 0 for optional losses)
  double growth = 0, r = 0, cf = 0, wood_removals_m3 = 0, bcef_r = 0, fuelwood_trees_m3 = 0, fuelwood_parts_t = 0,
         disturbance_area_ha = 0, disturbance_biomass_t_ha = 0, disturbance_fraction = 0;
  // stock-difference inputs
  double stock_t1_m3_ha = 0, stock_t2_m3_ha = 0, year_t1 = 0, year_t2 = 0, bcef_s = 0;
  // ids of rows of data/afolu_forest_defaults.csv used where the value is not given
  std::string cf_id, r_id, bcef_r_id, bcef_s_id, growth_id;
  LandTag tag{Driver::DirectAnthropogenic, true};
  long line = 0;
};
struct ForestResult {
  std::string id, method, region;
  int year = 0;
  double gains_tc = 0, losses_tc = 0, delta_c_tc = 0;  // t C/yr (ΔC_G, ΔC_L, ΔC_B)
  double co2_t = 0;                                    // t CO2/yr, emissions positive, removals negative
  // 95 % range of co2_t by IPCC Approach 1 (2006 Vol 1 Ch 3 Eq 3.1 for each product term, Eq 3.2 for the sum
  // of terms) from the ranges of the default values used; NaN when no default used has a range
  // (docs/afolu.md, "Uncertainty").
  double co2_lower_t = std::numeric_limits<double>::quiet_NaN(), co2_upper_t = std::numeric_limits<double>::quiet_NaN();
  LandTag tag;
  std::vector<std::string> defaults_used;  // ids of default-table rows, or "input"
};
std::vector<ForestRow> read_forest_rows(const std::string& text, const std::string& name);
ForestResult forest_gain_loss(const ForestRow& row, const AfoluDefaults& d);
ForestResult forest_stock_difference(const ForestRow& row, const AfoluDefaults& d);
ForestResult forest_calc(const ForestRow& row, const AfoluDefaults& d);

// Equations as plain functions (unit tests check them by hand).
double eq2_9_gain(double area_ha, double g_total, double cf);                  // t C/yr
double eq2_10_g_total(double g_w, double r);                                   // t d.m./ha/yr
double eq2_12_wood_removals(double h_m3, double bcef_r, double r, double cf);  // t C/yr
double eq2_13_fuelwood(double fg_trees_m3, double bcef_r, double r, double fg_part_t, double cf);
double eq2_14_disturbance(double area_ha, double b_w, double r, double cf, double fd);
double eq2_8_stock(double area_ha, double v_m3_ha, double bcef_s, double r, double cf);  // t C

// IPCC 2006 Vol 1 Ch 3 Approach 1 with relative 95 % half-widths U (fractions, not %):
// Eq 3.1, product: U = sqrt(sum U_i^2); Eq 3.2, sum: U = sqrt(sum (U_i x_i)^2) / |sum x_i| (here returned as the
// absolute half-width sqrt(sum (U_i x_i)^2), which is also right when the sum is 0).
double approach1_product(std::initializer_list<double> relative_half_widths);
double approach1_sum_abs(std::initializer_list<std::pair<double, double>> value_and_relative_half_width);
// Relative half-width of a default value: the larger distance from the value to a bound of its range, divided by
// the value (Vol 1 Ch 3 3.2.3.1 for asymmetric ranges); 0 when the range is not given.
double relative_half_width(const DefaultValue& v);

// ---- IPCC 2006 Vol 4 Ch 2 Eq 2.27: fire rows of the AFOLU file (src/natural/fire_tier1_rows.cpp) ----------
// L_fire = A x M_B x C_f x G_ef x 1e-3 (t gas), with Table 2.4 (M_B x C_f) and Table 2.5 (G_ef) from
// data/ipcc2006_fire.csv, computed by natural::fire_tier1_row (natural_fire.hpp): the range is that of
// `natural fire-tier1` (Eq 3.1 over the factors' SDs, then range_95: normal up to 30 % relative SD, lognormal above).
struct GasEmission {
  std::string species;  // "CO2", "CH4", "N2O"
  double t = 0, lower_t = std::numeric_limits<double>::quiet_NaN(), upper_t = std::numeric_limits<double>::quiet_NaN();
  double g_per_kg = 0;
};
struct FireRowResult {
  std::string id, region, vegetation, ef_category;
  int year = 0;
  double area_ha = 0, fuel_t_per_ha = 0;
  std::vector<GasEmission> gases;  // counted fluxes (CO2 left out for forest vegetation, see co2_memo_t)
  // Forest vegetation (Table 2.5 tropical_forest, extra_tropical_forest): IPCC 2006 Vol 4 Ch 2 counts the CO2 of
  // burnt forest biomass as a carbon-stock loss (Eq 2.14 disturbance term of the forest row), so Eq 2.27's CO2 is
  // shown here as a memo item and not stored, lest it be counted twice. 0 for other vegetation.
  double co2_memo_t = 0;
  LandTag tag;
  std::vector<std::string> defaults_used;
};
bool is_forest_fire_category(const std::string& ef_category);
FireRowResult afolu_fire(const ForestRow& row);

}  // namespace panocarbon::natural
