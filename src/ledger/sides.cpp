// The ledger's rows from stored runs: the natural side (natural_fluxes through natural::natural_account) and the
// production side of inventories by IPCC category. See docs/ledger.md, "Stored runs".
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/text.hpp"
#include "panocarbon/categories.hpp"
#include "panocarbon/ledger.hpp"
#include "panocarbon/natural_account.hpp"

namespace panocarbon::ledger {

std::string sector_name(const std::string& dataset, const std::string& code) {
  if (code == "FY") return "Final demand, direct emissions (households' own fuel use)";
  if (dataset == "inventory") {
    const auto& tree = CategoryTree::ipcc2006();
    const int i = tree.find(code);
    return i < 0 ? code : tree.at(i).title;
  }
  return wiod_sector_name(code);
}

std::string country_code(const std::string& region) {
  const auto& names = country_names();
  if (region == "RoW") return {};  // WIOD's rest of the world is no country of a stored run
  if (names.count(region)) return region;
  for (const auto& [code, name] : names)
    if (iequals(name, region) || iequals(code, region)) return code == "RoW" ? std::string() : code;
  return {};
}

Table natural_table(int64_t run_id, const std::string& command, const std::vector<NaturalFluxRecord>& records,
                    const GwpSet& set, size_t* skipped) {
  Table t;
  t.source = fmt::format("natural/run-{}", run_id);
  t.dataset = "natural";
  t.version = command;
  t.citation = "panocarbon `" + command +
               "` run " + std::to_string(run_id) +
               " (docs/natural-account.md; views after Grassi et al. 2018, Nature Climate Change 8, 914-920)";
  t.path = fmt::format("run {}", run_id);
  // per country and year: annual records where there are any, else the months
  std::map<std::pair<std::string, int>, std::vector<NaturalFluxRecord>> annual, monthly;
  size_t left_out = 0;
  for (const auto& r : records) {
    const std::string c = country_code(r.region);
    if (c.empty() || r.year <= 0) {
      ++left_out;
      continue;
    }
    (r.month == 0 ? annual : monthly)[{c, r.year}].push_back(r);
  }
  for (auto& [key, rs] : monthly)
    if (!annual.count(key)) annual[key] = std::move(rs);
  for (const auto& entry : annual) {  // no structured binding: clang 14 cannot capture one in the lambda below
    const auto& key = entry.first;
    const natural::NaturalAccount a = natural::natural_account(entry.second, set);
    auto add = [&](const char* indicator, const natural::AccountSum& s, const char* what) {
      Value v;
      v.country = key.first;
      v.year = key.second;
      v.indicator = indicator;
      v.value = s.value * 1e-6;
      v.unit = "Mt CO2e";
      if (a.total.with_range) {
        v.lower = s.lower * 1e-6;
        v.upper = s.upper * 1e-6;
      }
      v.side = "natural";
      v.gwp = a.gwp_set;
      v.note = fmt::format("{} ({} records of `{}`; > 0 emission, < 0 removal; GWP100 {})", what, a.total.records,
                           command, a.gwp_set);
      t.values.push_back(std::move(v));
    };
    add("natural", a.total.total, "every natural flux of the run");
    add("natural_managed", a.total.inventory, "fluxes on managed land (national inventory view)");
    add("natural_direct_anthropogenic", a.total.budget, "direct anthropogenic fluxes (global carbon budget view)");
    add("natural_remainder", a.total.remainder, "natural and indirect fluxes off managed land");
  }
  if (skipped) *skipped = left_out;
  return t;
}

std::optional<Table> inventory_table(const InventoryRun& run) {
  const std::string& cy = run.country_year;
  const size_t sp = cy.rfind(' ');
  if (sp == std::string::npos) return std::nullopt;
  const std::string country = country_code(cy.substr(0, sp));
  const std::string year_text = cy.substr(sp + 1);
  if (country.empty() || year_text.size() != 4 || !std::all_of(year_text.begin(), year_text.end(), ::isdigit))
    return std::nullopt;
  const int year = std::stoi(year_text);
  Table t;
  t.source = fmt::format("inventory/run-{}", run.run_id);
  t.dataset = "inventory";
  t.version = "panocarbon inventory calc (IPCC 2006 Guidelines)";
  t.citation = fmt::format("panocarbon `inventory calc` run {} (IPCC 2006 Guidelines, default factors; docs/inventory.md)",
                           run.run_id);
  t.path = fmt::format("run {}", run.run_id);
  const auto& tree = CategoryTree::ipcc2006();
  double total = 0;
  for (const auto& [code, v] : run.categories) {
    const int i = tree.find(code);
    if (i < 0 || tree.at(i).level != 1) continue;
    total += v;
    Sector s;
    s.country = country;
    s.year = year;
    s.sector = tree.at(i).code;
    s.sector_name = tree.at(i).title;
    s.production = v * 1e-6;
    s.consumption = 0;
    t.sectors.push_back(std::move(s));
  }
  if (t.sectors.empty()) return std::nullopt;
  Value v;
  v.country = country;
  v.year = year;
  v.indicator = "production";
  v.value = total * 1e-6;
  v.unit = "Mt CO2e";
  v.side = "production";
  v.gwp = run.gwp;
  v.note = fmt::format("inventory by IPCC sector (sum of the top-level categories), GWP100 {}; by sector in the "
                       "sectors table",
                       run.gwp);
  t.values.push_back(std::move(v));
  return t;
}

}  // namespace panocarbon::ledger
