// Units and quantities.
//
// Two layers:
//  * compile time: Quantity<Dimension> values built from the constexpr unit constants in namespace `u`
//    (`2.5 * u::t`, `q.in(u::GJ)`); adding a mass to an energy does not compile.
//  * run time: unit symbols from files ("kt", "MMBtu", "bbl") looked up with parse_unit(); convert()
//    throws panocarbon::Error (category Unit) when the dimensions differ or the symbol is unknown.
// Base units: kg, J, m3, 1 (counts). Definitions: lb = 0.45359237 kg (exact, international pound);
// short ton = 2000 lb; long ton = 2240 lb; toe = 41.868 GJ (IEA/OECD); tce = 29.3076 GJ;
// Btu = 1055.05585262 J (International Table); therm = 1e5 Btu; bbl = 42 US gal = 0.158987294928 m3;
// US gal = 3.785411784 L (exact).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "panocarbon/error.hpp"

namespace panocarbon {

enum class Dimension { Mass, Energy, Volume, Count };
const char* to_string(Dimension d) noexcept;

template <Dimension D>
struct UnitC {
  double to_base;  // multiply a value in this unit by to_base to get base units
};

template <Dimension D>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr static Quantity from_base(double v) { return Quantity(v); }
  constexpr double base() const { return v_; }
  constexpr double in(UnitC<D> u) const { return v_ / u.to_base; }
  constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
  constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  constexpr explicit Quantity(double v) : v_(v) {}
  double v_ = 0;
};

template <Dimension D>
constexpr Quantity<D> operator*(double v, UnitC<D> u) {
  return Quantity<D>::from_base(v * u.to_base);
}

using Mass = Quantity<Dimension::Mass>;
using Energy = Quantity<Dimension::Energy>;
using Volume = Quantity<Dimension::Volume>;

namespace u {
inline constexpr UnitC<Dimension::Mass> kg{1.0}, g{1e-3}, t{1e3}, kt{1e6}, Mt{1e9}, Gg{1e6}, Tg{1e9},
    lb{0.45359237}, short_ton{907.18474}, long_ton{1016.0469088};
inline constexpr UnitC<Dimension::Energy> J{1.0}, kJ{1e3}, MJ{1e6}, GJ{1e9}, TJ{1e12}, PJ{1e15}, EJ{1e18},
    kWh{3.6e6}, MWh{3.6e9}, GWh{3.6e12}, TWh{3.6e15}, toe{41.868e9}, ktoe{41.868e12}, Mtoe{41.868e15},
    tce{29.3076e9}, Btu{1055.05585262}, MMBtu{1055.05585262e6}, therm{105505585.262};
inline constexpr UnitC<Dimension::Volume> m3{1.0}, L{1e-3}, kL{1.0}, ML{1e3}, bbl{0.158987294928},
    gal{3.785411784e-3};
}  // namespace u

// A unit known at run time.
struct Unit {
  std::string_view symbol;  // canonical symbol, e.g. "kt"
  Dimension dimension;
  double to_base;
};

// Looks a symbol up: exact match first, then case-insensitive among unambiguous spellings
// ("tonne", "tonnes", "Kwh"...). Returns nullptr when unknown.
const Unit* find_unit(std::string_view symbol) noexcept;
// As find_unit, but throws Error{Unit} naming the symbol and listing known units. ctx is attached.
const Unit& parse_unit(std::string_view symbol, const ErrorContext& ctx = {});
// All canonical symbols of a dimension (for messages and docs).
std::vector<std::string_view> unit_symbols(Dimension d);

// Factor of `from` in `to` (value_in_to = value_in_from * conversion_factor(from, to)).
// Throws Error{Unit} when the dimensions differ.
double conversion_factor(const Unit& from, const Unit& to, const ErrorContext& ctx = {});
double convert(double value, std::string_view from, std::string_view to, const ErrorContext& ctx = {});

// A ratio unit such as "kg/TJ" or "t/t": numerator and denominator.
struct RatioUnit {
  const Unit* numerator;
  const Unit* denominator;
};
RatioUnit parse_ratio_unit(std::string_view symbol, const ErrorContext& ctx = {});

}  // namespace panocarbon
