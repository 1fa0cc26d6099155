// Global warming potentials (100-year) as data: IPCC AR4 (WG1 Table 2.14), AR5 (WG1 Table 8.A.1, without
// climate-carbon feedbacks) and AR6 (WG1 Table 7.SM.7; fossil and non-fossil CH4 from Table 7.15).
// Source table: data/gwp.csv, compiled in. Every CO2e figure names the set it used.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace panocarbon {

// Canonical gas name: "hfc134a", "HFC-134a", "HFC 134a" -> "HFC-134a"; "ch4" -> "CH4". Unknown names
// are returned unchanged (trimmed).
std::string canonical_gas(std::string_view name);

struct GwpSet {
  std::string name;      // "AR4", "AR5", "AR6"
  std::string document;  // e.g. "IPCC AR6 WG1 (2021)"
  std::unordered_map<std::string, double> gwp100;  // canonical gas -> GWP100
  // Throws Error{NotFound} naming the set and gas when the set has no value for it.
  double of(std::string_view canonical_gas_name) const;
  bool has(std::string_view canonical_gas_name) const;
};

class GwpTable {
 public:
  static const GwpTable& builtin();
  static GwpTable from_csv(std::string_view text, std::string source_name);
  // Case-insensitive set name; throws Error{InvalidInput} listing the available sets.
  const GwpSet& set(std::string_view name) const;
  std::vector<std::string> set_names() const;
  const std::vector<GwpSet>& sets() const { return sets_; }

 private:
  std::vector<GwpSet> sets_;
};

}  // namespace panocarbon
