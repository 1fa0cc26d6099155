#include "lca/units.hpp"

#include "core/text.hpp"

#include <array>
#include <cctype>

namespace panocarbon::lca::units {

namespace {
// The first unit of each quantity is its canonical unit. Definitions: lb = 0.45359237 kg, short ton = 2000 lb,
// Btu = 1055.05585262 J (International Table), kcal = 4.1868 kJ, US gal = 3.785411784 L, cu ft = 0.3048³ m3,
// bbl = 42 US gal, mile = 1609.344 m.
constexpr double kLb = 0.45359237, kBtuMJ = 1.05505585262e-3, kGal = 3.785411784e-3, kFt3 = 0.028316846592;
constexpr std::array kUnits = {
    // mass
    LcaUnit{"kg", "Mass", 1}, LcaUnit{"g", "Mass", 1e-3}, LcaUnit{"mg", "Mass", 1e-6}, LcaUnit{"µg", "Mass", 1e-9},
    LcaUnit{"ug", "Mass", 1e-9}, LcaUnit{"ng", "Mass", 1e-12}, LcaUnit{"t", "Mass", 1e3},
    LcaUnit{"metric ton", "Mass", 1e3}, LcaUnit{"tonne", "Mass", 1e3}, LcaUnit{"kt", "Mass", 1e6},
    LcaUnit{"Mt", "Mass", 1e9}, LcaUnit{"lb", "Mass", kLb}, LcaUnit{"lb av", "Mass", kLb},
    LcaUnit{"oz", "Mass", kLb / 16}, LcaUnit{"sh tn", "Mass", 2000 * kLb}, LcaUnit{"short ton", "Mass", 2000 * kLb},
    LcaUnit{"long ton", "Mass", 2240 * kLb},
    // energy
    LcaUnit{"MJ", "Energy", 1}, LcaUnit{"J", "Energy", 1e-6}, LcaUnit{"kJ", "Energy", 1e-3},
    LcaUnit{"GJ", "Energy", 1e3}, LcaUnit{"TJ", "Energy", 1e6}, LcaUnit{"PJ", "Energy", 1e9},
    LcaUnit{"Wh", "Energy", 3.6e-3}, LcaUnit{"kWh", "Energy", 3.6}, LcaUnit{"MWh", "Energy", 3.6e3},
    LcaUnit{"GWh", "Energy", 3.6e6}, LcaUnit{"TWh", "Energy", 3.6e9}, LcaUnit{"btu", "Energy", kBtuMJ},
    LcaUnit{"Btu", "Energy", kBtuMJ}, LcaUnit{"MMBtu", "Energy", kBtuMJ * 1e6}, LcaUnit{"kcal", "Energy", 4.1868e-3},
    LcaUnit{"Mcal", "Energy", 4.1868}, LcaUnit{"therm", "Energy", kBtuMJ * 1e5}, LcaUnit{"toe", "Energy", 41868},
    // volume
    LcaUnit{"m3", "Volume", 1}, LcaUnit{"l", "Volume", 1e-3}, LcaUnit{"L", "Volume", 1e-3},
    LcaUnit{"dm3", "Volume", 1e-3}, LcaUnit{"cm3", "Volume", 1e-6}, LcaUnit{"ml", "Volume", 1e-6},
    LcaUnit{"cu ft", "Volume", kFt3}, LcaUnit{"ft3", "Volume", kFt3}, LcaUnit{"gal", "Volume", kGal},
    LcaUnit{"gal (US fl)", "Volume", kGal}, LcaUnit{"bbl", "Volume", 42 * kGal},
    // area, area × time, volume × time
    LcaUnit{"m2", "Area", 1}, LcaUnit{"cm2", "Area", 1e-4}, LcaUnit{"ha", "Area", 1e4}, LcaUnit{"km2", "Area", 1e6},
    LcaUnit{"m2*year", "Area*time", 1}, LcaUnit{"m2*a", "Area*time", 1}, LcaUnit{"ha*year", "Area*time", 1e4},
    LcaUnit{"ha*a", "Area*time", 1e4}, LcaUnit{"km2*year", "Area*time", 1e6}, LcaUnit{"km2*a", "Area*time", 1e6},
    LcaUnit{"m3*year", "Volume*time", 1}, LcaUnit{"m3*a", "Volume*time", 1},
    // radioactivity
    LcaUnit{"kBq", "Radioactivity", 1}, LcaUnit{"Bq", "Radioactivity", 1e-3}, LcaUnit{"MBq", "Radioactivity", 1e3},
    LcaUnit{"GBq", "Radioactivity", 1e6},
    // transport
    LcaUnit{"metric ton*km", "Goods transport (mass*distance)", 1},
    LcaUnit{"t*km", "Goods transport (mass*distance)", 1}, LcaUnit{"tkm", "Goods transport (mass*distance)", 1},
    LcaUnit{"kg*km", "Goods transport (mass*distance)", 1e-3},
    LcaUnit{"person*km", "Person transport", 1}, LcaUnit{"p*km", "Person transport", 1},
    LcaUnit{"pkm", "Person transport", 1},
    LcaUnit{"vehicle*km", "Vehicle transport", 1}, LcaUnit{"v*km", "Vehicle transport", 1},
    // time, length, items
    LcaUnit{"hour", "Duration", 1}, LcaUnit{"h", "Duration", 1}, LcaUnit{"min", "Duration", 1.0 / 60},
    LcaUnit{"s", "Duration", 1.0 / 3600}, LcaUnit{"day", "Duration", 24}, LcaUnit{"d", "Duration", 24},
    LcaUnit{"year", "Duration", 8760}, LcaUnit{"a", "Duration", 8760},
    LcaUnit{"m", "Length", 1}, LcaUnit{"mm", "Length", 1e-3}, LcaUnit{"cm", "Length", 1e-2},
    LcaUnit{"km", "Length", 1e3}, LcaUnit{"mi", "Length", 1609.344},
    LcaUnit{"unit", "Number of items", 1}, LcaUnit{"Item(s)", "Number of items", 1},
    LcaUnit{"items", "Number of items", 1}, LcaUnit{"p", "Number of items", 1},
};

}  // namespace

const LcaUnit* find(std::string_view name) noexcept {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  for (const auto& u : kUnits)
    if (u.name == name) return &u;
  const LcaUnit* hit = nullptr;
  for (const auto& u : kUnits) {
    if (!iequals(u.name, name)) continue;
    if (hit && (hit->quantity != u.quantity || hit->factor != u.factor)) return nullptr;  // ambiguous (mg / Mg)
    hit = &u;
  }
  return hit;
}

std::string_view canonical(std::string_view quantity) noexcept {
  for (const auto& u : kUnits)
    if (u.quantity == quantity) return u.name;
  return {};
}

double factor(std::string_view from, std::string_view to) noexcept {
  const LcaUnit* a = find(from);
  const LcaUnit* b = find(to);
  if (!a || !b || a->quantity != b->quantity) return 0;
  return a->factor / b->factor;
}

}  // namespace panocarbon::lca::units
