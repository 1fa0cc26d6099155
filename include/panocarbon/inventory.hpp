// Production-side (territorial) inventories by the 2006 IPCC Guidelines.
//
// Fuel combustion, Tier 1 (Vol 2 Ch 2 Eq 2.1; Ch 3 Eq 3.2.1):
//   E_gas = FC × NCV × EF_gas × OF      FC in Gg (mass) or TJ (energy), NCV in TJ/Gg (Table 1.2),
//                                      EF in kg/TJ (Tables 1.4, 2.2-2.5, 3.2.1-3.2.2), OF = 1 (Table 1.4
//                                      assumes full oxidation) unless the row gives oxidation_factor.
// Industrial processes, Tier 1 (Vol 3): E_gas = AP × EF_gas with AP the production of the product in t
//   (clinker, lime, glass, ammonia, nitric/adipic acid, iron and steel, primary aluminium) and EF from the
//   Tier 1 tables; see docs/inventory.md for each equation and its defaults.
// Tier 2: a row may carry its own factor (factor, factor_unit, factor_source) for one gas.
// CO2e_gas = E_gas × GWP100_gas of the chosen set. Memo items are reported but excluded from the national
// totals (Vol 1 Ch 8): CO2 from biomass fuels (gas CO2_bio), and every gas of international bunkers
// (1.A.3.a.i international aviation, 1.A.3.d.i international water-borne navigation) and multilateral
// operations (1.A.5.c).
#pragma once
#include <cstdint>
#include <deque>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"

namespace panocarbon {

// Interned strings: many rows share a category or fuel, so rows hold 32-bit ids. Id 0 is "".
class StringPool {
 public:
  StringPool();
  StringPool(const StringPool&) = delete;  // views point into storage_
  StringPool& operator=(const StringPool&) = delete;
  StringPool(StringPool&&) = default;
  StringPool& operator=(StringPool&&) = default;
  uint32_t intern(std::string_view s);
  std::string_view operator[](uint32_t id) const { return views_[id]; }
  size_t size() const { return views_.size(); }

 private:
  std::deque<std::string> storage_;
  std::vector<std::string_view> views_;
  std::unordered_map<std::string_view, uint32_t> ids_;
};

struct ActivityRow {
  uint32_t category = 0, activity = 0, unit = 0, technology = 0, gas = 0, factor_unit = 0, factor_source = 0,
           country = 0, note = 0, parameters = 0;
  double amount = 0;
  double factor = kNaN;            // Tier 2 factor (per factor_unit); NaN = use the defaults
  double uncertainty_pct = kNaN;   // half-width of the 95 % interval, % of the value
  double oxidation_factor = kNaN;  // NaN = 1
  int32_t year = 0;
  uint32_t line = 0;  // line in the source file (1-based)
};

// Activity data read from a file. Column names (CSV header / JSON keys):
//   required: category, activity, amount, unit
//   optional: country, year, gas, technology, factor, factor_unit, factor_source, uncertainty_pct,
//             oxidation_factor, parameters, note
// parameters: the Tier 1 equation inputs some IPPU activities take, as name=value;name=value:
//   cement      clinker_fraction=F     Vol 3 Ch 2 Eq 2.1: CO2 = M_cement × F × EF_clinker (0.52)
//   glass       cullet_ratio=CR        Vol 3 Ch 2 Eq 2.10: CO2 = M_glass × 0.20 × (1 − CR)
//   ammonia     co2_recovered_t=R      Vol 3 Ch 3 Eq 3.1: CO2 = AP × FR × CCF × COF × 44/12 − R (CO2 recovered
//                                      for urea, reported in AFOLU where the urea is applied)
struct ActivityData {
  std::string source;  // file path or name, used in messages
  StringPool strings;
  std::vector<ActivityRow> rows;
  std::unordered_map<std::string, long> column_of;  // column name -> 1-based column (CSV), for messages
  std::string_view str(uint32_t id) const { return strings[id]; }
  ErrorContext where(const ActivityRow& r, std::string_view column) const;
};

const std::vector<std::string>& activity_columns();
ActivityData read_activity_csv(std::string_view text, std::string source_name);
ActivityData read_activity_json(std::string_view text, std::string source_name);
// By extension: .json is JSON, anything else CSV. Throws Error{Io} if the file cannot be read.
ActivityData read_activity_file(const std::filesystem::path& path);
// The project's example (examples/inventory.csv), compiled in for `panocarbon demo`.
std::string_view example_inventory_csv();

struct CalcOptions {
  std::string gwp = "AR5";    // AR4 | AR5 | AR6
  int edition = 2006;         // 2006 | 2019
  bool skip_missing = false;  // a fuel row with no CH4/N2O factor for its category: warn instead of fail
  std::string country;        // only rows of this country ("" = all rows)
  int year = 0;               // only rows of this year (0 = all rows)
};

enum class Memo : uint8_t { None = 0, BiogenicCo2 = 1, InternationalBunkers = 2 };
const char* to_string(Memo m) noexcept;

// One gas of one activity row.
struct EmissionLine {
  uint32_t row = 0;     // index into ActivityData::rows
  uint32_t gas = 0;     // id in InventoryResult::strings
  uint32_t factor = 0;  // id of the factor id in InventoryResult::strings
  Memo memo = Memo::None;  // memo items are reported, not in totals
  double emissions_t = 0;
  double gwp = 0;  // GWP100 value used
  double co2e_t = 0;
};

struct InventoryResult {
  std::string gwp_set;
  int edition = 2006;
  std::string source;
  StringPool strings;               // gases and factor ids
  std::vector<EmissionLine> lines;  // row order, then gas order
  std::vector<int> row_category;    // CategoryTree index of each row (-1 for rows left out by a filter)
  std::vector<std::string> country_years;  // distinct "country year" of the rows computed, e.g. "XL 2022"
  size_t rows_computed = 0;
  std::vector<std::string> factor_ids_used;
  std::vector<std::string> warnings;
  double total_co2e_t = 0;        // excluding memo items
  double memo_co2_biogenic_t = 0;
  double memo_bunkers_co2e_t = 0;  // international bunkers and multilateral operations
  std::string_view str(uint32_t id) const { return strings[id]; }
};

// The one library call of `inventory calc`. Throws Error naming the file, line and column of the first
// row that cannot be computed (unknown category/activity/technology, impossible unit, missing factor).
InventoryResult calculate_inventory(const ActivityData& data, const FactorLibrary& library,
                                    const CategoryTree& tree, const CalcOptions& options);

// Aggregation
struct CategoryTotal {
  std::string code;  // IPCC code, or "total"
  std::string title;
  int level = 0;
  double co2e_t = 0;
};
// Every category that has data or a descendant with data, in the Guidelines' order, each with the sum
// of its subtree, then a "total" line. Memo items are excluded.
std::vector<CategoryTotal> totals_by_category(const InventoryResult& r, const CategoryTree& tree);
// Only categories of one level (1 = sectors 1..5, 2 = 1.A, ...), then "total".
std::vector<CategoryTotal> totals_by_level(const InventoryResult& r, const CategoryTree& tree, int level);
struct GasTotal {
  std::string gas;
  double emissions_t = 0;
  double co2e_t = 0;
  Memo memo = Memo::None;
};
// Per gas, then one line per gas of each memo item (international bunkers, biogenic CO2).
std::vector<GasTotal> totals_by_gas(const InventoryResult& r);

// Output. by: "row", "category", "gas" or "level=N"; format: "table", "csv" or "json".
// CSV columns: row -> category,activity,gas,emissions_t,co2e_t,gwp,factor_id
//              category / level=N -> category,co2e_t (with a final total line)
//              gas -> gas,emissions_t,co2e_t
// Sums across countries or years are meaningless: throws Error{InvalidInput} when `by` aggregates
// (anything but "row") and the result holds more than one country-year.
void require_single_country_year(const InventoryResult& r, std::string_view by);
// Throws Error{InvalidInput} (field by / format) unless both are valid; call before long work.
void validate_inventory_output(std::string_view by, std::string_view format);
void write_inventory(std::ostream& out, const ActivityData& data, const InventoryResult& r,
                     const CategoryTree& tree, const FactorLibrary& library, std::string_view by,
                     std::string_view format, const nlohmann::json& provenance = {});

// ---- Reference approach (2006 IPCC Guidelines Vol 2 Ch 6) ----
// Apparent consumption (Eq 6.2) = production + imports - exports - international bunkers - stock change
// (stock change > 0 when stocks grow). Carbon (Eq 6.1):
//   CO2 = Σ_fuels [ (AC × NCV × CC) - excluded carbon ] × COF × 44/12,  excluded carbon = NEU × NCV × CC
// with NCV from Table 1.2, CC (carbon content) from Table 1.3, COF = 1.
struct FuelSupplyRow {
  std::string fuel, unit;
  double production = 0, imports = 0, exports = 0, international_bunkers = 0, stock_change = 0, excluded = 0;
  long line = 0;
};
std::vector<FuelSupplyRow> read_fuel_supply_csv(std::string_view text, std::string source_name);

struct ReferenceLine {
  std::string fuel, group;
  bool biomass = false;  // memo, not in the total
  double apparent_consumption = 0;  // in the row's unit
  std::string unit;                 // that unit (t, kt, TJ, ...)
  double energy_tj = 0, carbon_t = 0, excluded_carbon_t = 0, co2_t = 0;
};
struct ReferenceResult {
  std::vector<ReferenceLine> lines;
  double co2_t = 0;  // fossil fuels
  // Comparison with the sectoral approach (fuel combustion CO2, category 1.A, fossil), when given.
  std::optional<double> sectoral_co2_t, difference_pct;
  std::vector<std::pair<std::string, std::pair<double, double>>> by_group;  // group -> (reference, sectoral)
};
ReferenceResult reference_approach(const std::vector<FuelSupplyRow>& supply, const FactorLibrary& library,
                                   const std::string& source, const ActivityData* sectoral_data = nullptr,
                                   const InventoryResult* sectoral = nullptr);
void write_reference(std::ostream& out, const ReferenceResult& r, std::string_view format);

}  // namespace panocarbon
