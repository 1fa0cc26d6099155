// The stressor rows that the MRIO accounts report (internal), chosen once for `mrio accounts` and its Monte
// Carlo: every row of the selected extensions that matches --stressor, plus, with a GWP set, one characterised
// row per extension, "GHG (CO2e, SET)" = Σ_gases GWP_gas × F_gas (gases with a mass unit, converted to the
// extension's common mass unit, else to tonnes). Each row is a weighted sum of raw extension rows.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "panocarbon/mrio.hpp"

namespace panocarbon::mrio_sel {

struct Part {
  size_t ext = 0, row = 0;  // raw row: extension index, stressor index
  double factor = 1.0;      // its weight (1 for a plain row)
};

struct SelectedRow {
  std::string extension, stressor, unit;
  bool plain = true;        // one raw row as it is
  std::vector<Part> parts;  // in the order they are summed
};

// Throws Error{NotFound} naming an extension or stressor that is not there (with the ones that are), and
// Error{InvalidInput} for a system without extensions. `notes` gets what was characterised and why a gas
// was left out.
std::vector<SelectedRow> select_stressors(const MrioSystem& s, const std::vector<std::string>& extensions,
                                          const std::vector<std::string>& stressors,
                                          const std::optional<std::string>& gwp, std::vector<std::string>* notes);

}  // namespace panocarbon::mrio_sel
