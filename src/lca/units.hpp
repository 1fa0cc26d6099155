// Units of LCA exchanges under the names EcoSpold2 (ecoinvent) and openLCA give them: "kg", "metric ton*km",
// "t*km", "kBq", "m2*year", "m2*a", "Item(s)"... Each unit belongs to a quantity (the openLCA flow property
// name: "Mass", "Energy", "Goods transport (mass*distance)") and converts to that quantity's canonical unit
// with an exact factor. The readers use it to put the amounts of a flow into one reference unit.
#pragma once
#include <string_view>

namespace panocarbon::lca::units {

struct LcaUnit {
  std::string_view name;
  std::string_view quantity;  // openLCA flow property name, e.g. "Mass"
  double factor;              // value in this unit × factor = value in the quantity's canonical unit
};

// Exact (case-sensitive) name first, then case-insensitive when that is unambiguous ("KWH" -> kWh, but
// "mg" never folds to "Mg"). nullptr when unknown.
const LcaUnit* find(std::string_view name) noexcept;
// The canonical unit of a quantity ("Mass" -> "kg"); "" when the quantity is unknown.
std::string_view canonical(std::string_view quantity) noexcept;
// Factor from `from` to `to` (value_to = value_from × factor); 0 when either is unknown or they measure
// different quantities.
double factor(std::string_view from, std::string_view to) noexcept;

}  // namespace panocarbon::lca::units
