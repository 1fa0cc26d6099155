// The natural side of the account: natural_fluxes records in t CO2-e, in the national-inventory view, the
// global-carbon-budget view, the remainder, and the difference (include/panocarbon/natural_account.hpp).
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>

#include "panocarbon/natural.hpp"
#include "panocarbon/natural_account.hpp"

namespace panocarbon::natural {

double record_gwp(const NaturalFluxRecord& r, const GwpSet& set) {
  const std::string gas = canonical_gas(r.species);
  if (gas == "CH4" && set.has("CH4_fossil") && set.has("CH4_nonfossil"))
    return set.of(r.note.rfind("Geological", 0) == 0 ? "CH4_fossil" : "CH4_nonfossil");
  if (!set.has(gas)) return std::numeric_limits<double>::quiet_NaN();
  return set.of(gas);
}

namespace {
bool in_tonnes(const std::string& unit) { return unit == "t" || unit.rfind("t ", 0) == 0; }
}  // namespace

NaturalAccount natural_account(const std::vector<NaturalFluxRecord>& records, const GwpSet& set) {
  NaturalAccount out;
  out.gwp_set = set.name;
  out.gwp_document = set.document;
  std::map<std::string, size_t> index;
  std::map<std::pair<std::string, std::string>, std::pair<size_t, std::string>> skipped;
  std::vector<std::pair<std::string, std::string>> skipped_order;
  for (const auto& r : records) {
    const double k = in_tonnes(r.unit) ? record_gwp(r, set) : std::numeric_limits<double>::quiet_NaN();
    if (std::isnan(k)) {
      const auto key = std::make_pair(r.module, r.species);
      auto [it, fresh] = skipped.try_emplace(
          key, 0, in_tonnes(r.unit) ? "no GWP100 in " + set.name : "unit '" + r.unit + "' is not tonnes");
      if (fresh) skipped_order.push_back(key);
      ++it->second.first;
      continue;
    }
    auto [it, fresh] = index.try_emplace(r.module, out.modules.size());
    if (fresh) {
      out.modules.emplace_back();
      out.modules.back().module = r.module;
    }
    AccountLine& line = out.modules[it->second];
    const bool ranged = !std::isnan(r.lower) && !std::isnan(r.upper);
    const double v = r.value * k, lo = (ranged ? r.lower : r.value) * k, hi = (ranged ? r.upper : r.value) * k;
    const bool inventory = r.management == "managed", budget = r.origin == origin_text(Driver::DirectAnthropogenic);
    for (AccountLine* l : {&line, &out.total}) {
      ++l->records;
      if (ranged) ++l->with_range;
      l->total.add(v, lo, hi);
      if (inventory) l->inventory.add(v, lo, hi);
      if (budget) l->budget.add(v, lo, hi);
      if (!inventory && !budget) l->remainder.add(v, lo, hi);
      if (inventory && !budget) l->difference.add(v, lo, hi);
      if (budget && !inventory) l->difference.add(-v, -hi, -lo);
    }
  }
  for (const auto& key : skipped_order) {
    const auto& [n, why] = skipped.at(key);
    out.skipped.push_back(fmt::format("{} {}: {} record{} ({})", key.first, key.second, n, n == 1 ? "" : "s", why));
  }
  return out;
}

}  // namespace panocarbon::natural
