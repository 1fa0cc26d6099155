#include "panocarbon/units.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.hpp"

namespace panocarbon {

const char* to_string(Dimension d) noexcept {
  switch (d) {
    case Dimension::Mass: return "mass";
    case Dimension::Energy: return "energy";
    case Dimension::Volume: return "volume";
    case Dimension::Count: return "count";
  }
  return "?";
}

namespace {
using D = Dimension;
// Canonical symbols first, then accepted spellings (same to_base).
constexpr std::array kUnits = {
    Unit{"kg", D::Mass, u::kg.to_base},        Unit{"g", D::Mass, u::g.to_base},
    Unit{"t", D::Mass, u::t.to_base},          Unit{"kt", D::Mass, u::kt.to_base},
    Unit{"Mt", D::Mass, u::Mt.to_base},        Unit{"Gg", D::Mass, u::Gg.to_base},
    Unit{"Tg", D::Mass, u::Tg.to_base},        Unit{"Mg", D::Mass, u::t.to_base},
    Unit{"lb", D::Mass, u::lb.to_base},        Unit{"short ton", D::Mass, u::short_ton.to_base},
    Unit{"long ton", D::Mass, u::long_ton.to_base},
    Unit{"J", D::Energy, u::J.to_base},        Unit{"kJ", D::Energy, u::kJ.to_base},
    Unit{"MJ", D::Energy, u::MJ.to_base},      Unit{"GJ", D::Energy, u::GJ.to_base},
    Unit{"TJ", D::Energy, u::TJ.to_base},      Unit{"PJ", D::Energy, u::PJ.to_base},
    Unit{"EJ", D::Energy, u::EJ.to_base},      Unit{"Wh", D::Energy, 3600.0},
    Unit{"kWh", D::Energy, u::kWh.to_base},    Unit{"MWh", D::Energy, u::MWh.to_base},
    Unit{"GWh", D::Energy, u::GWh.to_base},    Unit{"TWh", D::Energy, u::TWh.to_base},
    Unit{"toe", D::Energy, u::toe.to_base},    Unit{"ktoe", D::Energy, u::ktoe.to_base},
    Unit{"Mtoe", D::Energy, u::Mtoe.to_base},  Unit{"tce", D::Energy, u::tce.to_base},
    Unit{"Btu", D::Energy, u::Btu.to_base},    Unit{"MMBtu", D::Energy, u::MMBtu.to_base},
    Unit{"therm", D::Energy, u::therm.to_base},
    Unit{"m3", D::Volume, u::m3.to_base},      Unit{"L", D::Volume, u::L.to_base},
    Unit{"kL", D::Volume, u::kL.to_base},      Unit{"ML", D::Volume, u::ML.to_base},
    Unit{"bbl", D::Volume, u::bbl.to_base},    Unit{"gal", D::Volume, u::gal.to_base},
    Unit{"count", D::Count, 1.0},
};
struct Alias {
  std::string_view alias;
  std::string_view symbol;
};
// Spellings accepted case-insensitively. Symbols whose case carries meaning (Mt vs mt, MJ vs mJ) are
// matched exactly above and never folded.
constexpr std::array kAliases = {
    Alias{"tonne", "t"},      Alias{"tonnes", "t"},     Alias{"metric ton", "t"},  Alias{"tons", "t"},
    Alias{"ton", "t"},        Alias{"kilogram", "kg"},  Alias{"kilograms", "kg"},  Alias{"kwh", "kWh"},
    Alias{"mwh", "MWh"},      Alias{"gwh", "GWh"},      Alias{"twh", "TWh"},       Alias{"btu", "Btu"},
    Alias{"mmbtu", "MMBtu"},  Alias{"therms", "therm"}, Alias{"l", "L"},           Alias{"litre", "L"},
    Alias{"liter", "L"},      Alias{"litres", "L"},     Alias{"liters", "L"},      Alias{"m³", "m3"},
    Alias{"barrel", "bbl"},   Alias{"barrels", "bbl"},  Alias{"gallon", "gal"},    Alias{"gallons", "gal"},
    Alias{"us gal", "gal"},   Alias{"lbs", "lb"},       Alias{"pound", "lb"},      Alias{"pounds", "lb"},
    Alias{"short tons", "short ton"}, Alias{"long tons", "long ton"}, Alias{"ktoe", "ktoe"},
    Alias{"mtoe", "Mtoe"},    Alias{"toe", "toe"},      Alias{"tce", "tce"},       Alias{"gj", "GJ"},
    Alias{"tj", "TJ"},        Alias{"pj", "PJ"},        Alias{"kt", "kt"},         Alias{"gg", "Gg"},
    Alias{"tg", "Tg"},        Alias{"units", "count"},  Alias{"number", "count"},  Alias{"head", "count"},
};


const Unit* exact(std::string_view s) noexcept {
  for (const auto& u : kUnits)
    if (u.symbol == s) return &u;
  return nullptr;
}
}  // namespace

const Unit* find_unit(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (const Unit* u = exact(s)) return u;
  for (const auto& a : kAliases)
    if (iequals(a.alias, s)) return exact(a.symbol);
  return nullptr;
}

std::vector<std::string_view> unit_symbols(Dimension d) {
  std::vector<std::string_view> out;
  for (const auto& u : kUnits)
    if (u.dimension == d) out.push_back(u.symbol);
  return out;
}

const Unit& parse_unit(std::string_view symbol, const ErrorContext& ctx) {
  if (const Unit* u = find_unit(symbol)) return *u;
  std::string known;
  for (auto d : {D::Mass, D::Energy, D::Volume})
    known += fmt::format("{}{}: {}", known.empty() ? "" : "; ", to_string(d), fmt::join(unit_symbols(d), ", "));
  throw Error(ErrorCategory::Unit, fmt::format("unknown unit '{}'; use one of {}", symbol, known), ctx);
}

double conversion_factor(const Unit& from, const Unit& to, const ErrorContext& ctx) {
  if (from.dimension != to.dimension)
    throw Error(ErrorCategory::Unit,
                fmt::format("cannot convert {} ({}) to {} ({})", from.symbol, to_string(from.dimension),
                            to.symbol, to_string(to.dimension)),
                ctx);
  return from.to_base / to.to_base;
}

double convert(double value, std::string_view from, std::string_view to, const ErrorContext& ctx) {
  return value * conversion_factor(parse_unit(from, ctx), parse_unit(to, ctx), ctx);
}

RatioUnit parse_ratio_unit(std::string_view symbol, const ErrorContext& ctx) {
  const auto slash = symbol.find('/');
  if (slash == std::string_view::npos)
    throw Error(ErrorCategory::Unit,
                fmt::format("factor unit '{}' must be a ratio such as kg/TJ, t/TJ, kg/GJ or t/t", symbol), ctx);
  return RatioUnit{&parse_unit(symbol.substr(0, slash), ctx), &parse_unit(symbol.substr(slash + 1), ctx)};
}

}  // namespace panocarbon
