// The emission-factor library: fuel properties (IPCC 2006 Vol 2 Ch 1 Tables 1.2 and 1.3) and emission
// factors (Vol 2 Tables 1.4, 2.2-2.5, 3.2.1-3.2.2; Vol 3 IPPU Tier 1 defaults), each row citing its
// document, volume, chapter and table. Built in from data/fuels.csv and data/emission_factors.csv; the
// store can hold further (user or country-specific) factors in the same shape.
#pragma once
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace panocarbon {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Citation {
  std::string document;
  std::string volume;
  std::string chapter;
  std::string table;
  int edition = 2006;
  std::string text() const;  // "2006 IPCC Guidelines ..., Vol 2, Ch 1, Table 1.2"
};

struct Fuel {
  std::string id;                    // "natural_gas"
  std::string name;                  // "Natural Gas", as printed in Table 1.2
  std::vector<std::string> aliases;  // "diesel", "LPG", ...
  std::string group;                 // liquid_fossil, solid_fossil, gaseous_fossil, ..., solid_biomass
  bool biomass = false;              // CO2 is a memo item, not in national totals
  double ncv_tj_per_gg = kNaN, ncv_lower = kNaN, ncv_upper = kNaN;              // Table 1.2
  double carbon_kg_per_gj = kNaN, carbon_lower = kNaN, carbon_upper = kNaN;     // Table 1.3
  Citation citation;
};

struct EmissionFactor {
  std::string id;          // "ipcc2006.v2c1.t1_4.natural_gas.co2"
  int edition = 2006;      // 2006 or 2019 (Refinement)
  std::string category;    // applies to this IPCC code and all below it (longest prefix wins)
  std::string activity;    // fuel name as in Fuel::name, or a product ("clinker")
  std::string technology;  // "" = general
  bool is_default = true;  // used when the user names no technology
  std::string gas;         // canonical gas
  double value = kNaN;
  std::string unit;        // "kg/TJ", "t/t", "kg/t"
  double lower = kNaN, upper = kNaN;
  std::string geography = "GLOBAL";
  Citation citation;
  std::string note;
};

class FactorLibrary {
 public:
  FactorLibrary() = default;
  FactorLibrary(std::vector<Fuel> fuels, std::vector<EmissionFactor> factors, std::string source);

  // The project's library (data/*.csv compiled in), parsed once.
  static const FactorLibrary& builtin();
  static FactorLibrary from_csv(std::string_view fuels_csv, std::string_view factors_csv, std::string source);

  const std::vector<Fuel>& fuels() const { return fuels_; }
  const std::vector<EmissionFactor>& factors() const { return factors_; }
  const std::string& source() const { return source_; }

  // Case-insensitive by name or alias ("diesel" -> Gas/Diesel Oil). nullptr when not a fuel.
  const Fuel* find_fuel(std::string_view name) const;
  // Canonical activity for a user's name: a fuel's name, or a product with factors. nullopt if unknown.
  std::optional<std::string> resolve_activity(std::string_view name) const;
  // Up to n known activity names nearest to `name` (edit distance), for "did you mean" messages.
  std::vector<std::string> suggest_activity(std::string_view name, size_t n = 3) const;
  const EmissionFactor* find_factor(std::string_view id) const;

  // The factors that apply to (category, activity[, technology]) for one edition: per gas the row of
  // the longest matching category prefix; a 2019 row replaces the 2006 row it revises when edition is
  // 2019. With an empty technology, rows that are general or marked default are used; with a named
  // technology, only rows of that technology (or general rows for gases the technology does not cover).
  // `gas` (canonical) restricts the result to one gas when not empty.
  std::vector<const EmissionFactor*> select(std::string_view category, std::string_view activity,
                                            std::string_view technology, int edition,
                                            std::string_view gas = {}) const;
  // Technologies available for an activity (for error messages), only those of factors that apply to
  // `category` when it is given.
  std::vector<std::string> technologies(std::string_view activity, std::string_view category = {}) const;

 private:
  std::vector<Fuel> fuels_;
  std::vector<EmissionFactor> factors_;
  std::string source_;
  std::unordered_map<std::string, size_t> fuel_by_key_;                  // lower-case name/alias
  std::unordered_map<std::string, std::vector<size_t>> by_activity_;     // lower-case activity
  std::unordered_map<std::string, size_t> by_id_;
  void index();
};

// "1.A.1.a" starts with "1.A" on a part boundary (not "1.A.1" vs "1.A.10").
bool category_has_prefix(std::string_view code, std::string_view prefix) noexcept;

}  // namespace panocarbon
