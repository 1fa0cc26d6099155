// IPCC 2006 Vol 4 Ch 2 Eq 2.27 for one row of the AFOLU activity file (`natural afolu`, method "fire"):
// L_fire = A x M_B x C_f x G_ef x 1e-3 with Tables 2.4 and 2.5 of data/ipcc2006_fire.csv. The file-level
// `natural fire-tier1` (fire.cpp) computes the same equation from its own CSV; this one works on a row and also
// carries each factor's spread into an Approach 1 range, which the file-level command does not need.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "core/embedded.hpp"
#include "io/csv.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"

namespace panocarbon::natural {

namespace {
struct Factor {
  double value = 0, sd = std::numeric_limits<double>::quiet_NaN();
};
struct Tables {
  std::map<std::string, std::pair<std::string, Factor>> fuel;  // vegetation -> (G_ef category, M_B C_f t d.m./ha)
  std::map<std::pair<std::string, std::string>, Factor> gef;   // (category, species) -> g/kg d.m.
};
const Tables& tables() {
  static const Tables t = [] {
    Tables tb;
    const std::string name = "<embedded>/ipcc2006_fire.csv";
    io::CsvReader r(detail::embedded_file("ipcc2006_fire.csv"), name);
    r.next();  // table,vegetation,ef_category,species,value,unit,sd,...
    while (r.next()) {
      const auto& f = r.fields();
      if (f.size() < 7) throw Error(ErrorCategory::Data, "expected at least 7 fields", r.context());
      Factor x;
      if (!io::parse_double(f[4], x.value))
        throw Error(ErrorCategory::Data, "value is not a number", r.context(5, "value"));
      if (!io::trim(f[6]).empty() && !io::parse_double(f[6], x.sd))
        throw Error(ErrorCategory::Data, "sd is not a number", r.context(7, "sd"));
      if (f[0] == "2.4")
        tb.fuel[std::string(f[1])] = {std::string(f[2]), x};
      else if (f[0] == "2.5")
        tb.gef[{std::string(f[2]), std::string(f[3])}] = x;
    }
    return tb;
  }();
  return t;
}
double rel_u95(const Factor& f) { return std::isnan(f.sd) || f.value == 0 ? 0 : 1.96 * f.sd / f.value; }
}  // namespace

std::string fire_ef_category(const std::string& vegetation) {
  const auto it = tables().fuel.find(vegetation);
  return it == tables().fuel.end() ? std::string() : it->second.first;
}

bool is_forest_fire_category(const std::string& c) { return c == "tropical_forest" || c == "extra_tropical_forest"; }

std::vector<GasEmission> fire_eq2_27(const std::string& vegetation, double area_ha, double mb_cf,
                                     std::string* ef_category, double* fuel_t_per_ha) {
  const auto& tb = tables();
  const auto it = tb.fuel.find(vegetation);
  if (it == tb.fuel.end()) {
    std::string names;
    for (const auto& [k, _] : tb.fuel) names += (names.empty() ? "" : ", ") + k;
    throw Error(ErrorCategory::NotFound,
                fmt::format("unknown vegetation type '{}'; data/ipcc2006_fire.csv (IPCC 2006 Vol 4 Table 2.4) has {}",
                            vegetation, names),
                ErrorContext{{}, 0, 0, "vegetation"});
  }
  const bool given = !std::isnan(mb_cf);
  const double fuel = given ? mb_cf : it->second.second.value;
  const double u_fuel = given ? 0 : rel_u95(it->second.second);
  if (ef_category) *ef_category = it->second.first;
  if (fuel_t_per_ha) *fuel_t_per_ha = fuel;
  std::vector<GasEmission> out;
  for (const char* species : {"CO2", "CH4", "N2O"}) {
    const auto g = tb.gef.find({it->second.first, species});
    if (g == tb.gef.end()) continue;
    GasEmission e;
    e.species = species;
    e.g_per_kg = g->second.value;
    e.t = area_ha * fuel * g->second.value * 1e-3;  // Eq 2.27: ha x t/ha x g/kg x 1e-3 = t
    const double u = approach1_product({u_fuel, rel_u95(g->second)});
    if (u > 0) {
      e.lower_t = std::max(0.0, e.t * (1 - u));
      e.upper_t = e.t * (1 + u);
    }
    out.push_back(e);
  }
  return out;
}

FireRowResult afolu_fire(const ForestRow& row) {
  FireRowResult out;
  out.id = row.id;
  out.region = row.region;
  out.year = row.year;
  out.vegetation = row.vegetation;
  out.area_ha = row.area_ha;
  out.tag = row.tag;
  std::vector<GasEmission> gases;
  try {
    gases = fire_eq2_27(row.vegetation, row.area_ha, row.mb_cf, &out.ef_category, &out.fuel_t_per_ha);
  } catch (const Error& e) {
    throw e.with_context(ErrorContext{{}, row.line, 0, "vegetation"});
  }
  out.defaults_used.push_back(std::isnan(row.mb_cf) ? "mb_cf=table 2.4 " + row.vegetation : "mb_cf=input");
  out.defaults_used.push_back("gef=table 2.5 " + out.ef_category);
  const bool forest = is_forest_fire_category(out.ef_category);
  for (auto& g : gases) {
    if (forest && g.species == "CO2") {
      out.co2_memo_t = g.t;
      continue;
    }
    out.gases.push_back(g);
  }
  return out;
}

}  // namespace panocarbon::natural
