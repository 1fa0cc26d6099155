#include "mrio/selection.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mrio/common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon::mrio_sel {

using mrio_io::gas_token;
using mrio_io::stressor_matches;

std::vector<SelectedRow> select_stressors(const MrioSystem& s, const std::vector<std::string>& extensions,
                                          const std::vector<std::string>& stressors,
                                          const std::optional<std::string>& gwp, std::vector<std::string>* notes) {
  std::vector<SelectedRow> rows;
  auto note = [&](std::string n) {
    if (notes) notes->push_back(std::move(n));
  };
  std::vector<bool> wanted_found(stressors.size(), false);
  auto wanted = [&](const std::string& name) {
    bool take = stressors.empty();
    for (size_t w = 0; w < stressors.size(); ++w)
      if (stressor_matches(name, stressors[w])) take = wanted_found[w] = true;
    return take;
  };
  bool any_ext = false;
  for (size_t e = 0; e < s.extensions.size(); ++e) {
    const auto& ext = s.extensions[e];
    if (!extensions.empty() && std::find(extensions.begin(), extensions.end(), ext.name) == extensions.end()) continue;
    any_ext = true;
    for (size_t r = 0; r < ext.stressors.size(); ++r)
      if (wanted(ext.stressors[r])) rows.push_back({ext.name, ext.stressors[r], ext.units[r], true, {{e, r, 1.0}}});
    if (!gwp) continue;
    const GwpSet& set = GwpTable::builtin().set(*gwp);
    SelectedRow ghg{ext.name, "GHG (CO2e, " + set.name + ")", "", false, {}};
    std::string common_unit;
    bool same_unit = true;
    std::vector<std::pair<size_t, double>> parts;  // stressor row, factor to t CO2e
    for (size_t r = 0; r < ext.stressors.size(); ++r) {
      const std::string gas = gas_token(ext.stressors[r]);
      if (!set.has(gas)) continue;
      const Unit* unit = nullptr;
      try {
        unit = &parse_unit(ext.units[r]);
      } catch (const Error&) {
      }
      if (!unit || unit->dimension != Dimension::Mass) {
        note(fmt::format("{}: '{}' is a greenhouse gas but its unit '{}' is not a mass; left out of {}", ext.name,
                         ext.stressors[r], ext.units[r], ghg.stressor));
        continue;
      }
      if (common_unit.empty()) common_unit = ext.units[r];
      if (ext.units[r] != common_unit) same_unit = false;
      parts.emplace_back(r, set.of(gas) * unit->to_base / 1000.0);
    }
    if (parts.empty()) {
      note(fmt::format("{}: no stressor is a gas of {} with a mass unit; nothing to characterise", ext.name, set.name));
      continue;
    }
    // Keep the extension's own mass unit when all gases share it, else tonnes.
    const double to_unit = same_unit ? 1000.0 / parse_unit(common_unit).to_base : 1.0;
    ghg.unit = (same_unit ? common_unit : std::string("t")) + " CO2e";
    std::string what;
    for (auto [r, factor] : parts) {
      ghg.parts.push_back({e, r, factor * to_unit});
      what += (what.empty() ? "" : ", ") + ext.stressors[r] + fmt::format(" x {:g}", set.of(gas_token(ext.stressors[r])));
    }
    note(fmt::format("{}: {} = {} ({})", ext.name, ghg.stressor, what, set.document));
    // Like any stressor, the CO2e row obeys --stressor (it is listed when no filter is given).
    if (wanted(ghg.stressor)) rows.push_back(std::move(ghg));
  }
  if (!extensions.empty() && !any_ext) {
    std::string names;
    for (const auto& x : s.extensions) names += (names.empty() ? "" : ", ") + x.name;
    throw Error(ErrorCategory::NotFound, "no extension named " + extensions[0] + "; the system has: " +
                                             (names.empty() ? std::string("none") : names),
                {s.source, 0, 0, "extension"});
  }
  for (size_t w = 0; w < stressors.size(); ++w)
    if (!wanted_found[w]) {
      std::string names;
      size_t shown = 0;
      for (const auto& x : s.extensions)
        for (const auto& st : x.stressors)
          if (shown++ < 12) names += (names.empty() ? "" : ", ") + st;
      throw Error(ErrorCategory::NotFound,
                  "no stressor named '" + stressors[w] + "' in the selected extensions; stressors include: " + names,
                  {s.source, 0, 0, "stressor"});
    }
  if (s.extensions.empty())
    throw Error(ErrorCategory::InvalidInput,
                "the system has no extension (no stressors such as emissions): accounts need one; add an extension "
                "folder with F (and F_Y)",
                {s.source});
  return rows;
}

}  // namespace panocarbon::mrio_sel
