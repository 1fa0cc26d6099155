// IPCC 2006 Vol 4 Ch 2 Eq 2.27 for one fire row of the AFOLU activity file (`natural afolu`, method "fire"):
// the same fire_tier1_row as `natural fire-tier1` (fire.cpp), with its ranges (range_95), plus the forest-CO2
// memo rule and the land tags of the AFOLU file.
#include <cmath>

#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"
#include "panocarbon/natural_fire.hpp"

namespace panocarbon::natural {

bool is_forest_fire_category(const std::string& c) { return c == "tropical_forest" || c == "extra_tropical_forest"; }

FireRowResult afolu_fire(const ForestRow& row) {
  FireRowResult out;
  out.id = row.id;
  out.region = row.region;
  out.year = row.year;
  out.vegetation = row.vegetation;
  out.area_ha = row.area_ha;
  out.tag = row.tag;
  std::vector<Tier1Row> rows;
  try {
    rows = fire_tier1_row(row.vegetation, row.area_ha, row.mb_cf, {"CO2", "CH4", "N2O"});
  } catch (const Error& e) {
    throw e.with_context(ErrorContext{{}, row.line, 0, "vegetation"});
  }
  out.ef_category = tier1_ef_category(row.vegetation);
  out.fuel_t_per_ha = rows.empty() ? 0.0 : rows.front().fuel_t_per_ha;
  std::vector<GasEmission> gases;
  for (const auto& x : rows) gases.push_back({x.species, x.emission_t, x.range.lower, x.range.upper, x.g_per_kg});
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
