// Reference approach: CO2 from the national supply of fuels (2006 IPCC Guidelines Vol 2 Ch 6, Eq 6.1-6.4).
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon {

std::vector<FuelSupplyRow> read_fuel_supply_csv(std::string_view text, std::string source_name) {
  static const std::vector<std::string> cols = {"fuel",    "unit",         "production", "imports",
                                                "exports", "international_bunkers",   "stock_change",
                                                "excluded", "country",     "year",       "note"};
  io::CsvReader r(text, source_name);
  if (!r.next()) throw Error(ErrorCategory::InvalidInput, "the file is empty", r.context());
  std::vector<int> map;
  for (size_t i = 0; i < r.fields().size(); ++i) {
    const std::string name = io::to_lower(io::trim(r.fields()[i]));
    const auto it = std::find(cols.begin(), cols.end(), name);
    if (it == cols.end())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("unknown column '{}'; the columns are {}", clip_input(name), fmt::join(cols, ", ")),
                  r.context(static_cast<long>(i) + 1, clip_input(name)));
    map.push_back(static_cast<int>(it - cols.begin()));
  }
  for (int req : {0, 1})
    if (std::find(map.begin(), map.end(), req) == map.end())
      throw Error(ErrorCategory::InvalidInput, fmt::format("the required column '{}' is missing", cols[static_cast<size_t>(req)]),
                  r.context(0, cols[static_cast<size_t>(req)]));
  std::vector<FuelSupplyRow> out;
  while (r.next()) {
    const auto& f = r.fields();
    r.require_fields(map.size());
    FuelSupplyRow row;
    row.line = r.line();
    for (size_t i = 0; i < f.size(); ++i) {
      const auto v = io::trim(f[i]);
      const int c = map[i];
      const ErrorContext ctx = r.context(static_cast<long>(i) + 1, cols[static_cast<size_t>(c)]);
      if (c == 0) row.fuel = v;
      else if (c == 1) row.unit = v;
      else if (c >= 2 && c <= 7) {
        double x = 0;
        if (!v.empty()) x = io::finite_number(v, ctx);
        if (x < 0 && c != 6)
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("{} {} is negative; only stock_change may be negative (a stock draw)", cols[static_cast<size_t>(c)], v), ctx);
        double* slot[] = {&row.production, &row.imports, &row.exports, &row.international_bunkers, &row.stock_change, &row.excluded};
        *slot[c - 2] = x;
      }
    }
    if (row.fuel.empty()) throw Error(ErrorCategory::InvalidInput, "the fuel is empty", r.context(0, "fuel"));
    out.push_back(row);
  }
  return out;
}

ReferenceResult reference_approach(const std::vector<FuelSupplyRow>& supply, const FactorLibrary& library,
                                   const std::string& source, const ActivityData* sectoral_data,
                                   const InventoryResult* sectoral) {
  ReferenceResult res;
  std::map<std::string, std::pair<double, double>> groups;
  for (const auto& row : supply) {
    const ErrorContext at{source, row.line, 0, "fuel"};
    const Fuel* fuel = library.find_fuel(row.fuel);
    if (!fuel)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown fuel '{}'; did you mean {}?", clip_input(row.fuel), fmt::join(library.suggest_activity(row.fuel), ", ")), at);
    if (std::isnan(fuel->carbon_kg_per_gj))
      throw Error(ErrorCategory::Data, fmt::format("{} has no default carbon content (Table 1.3)", fuel->name), at);
    const Unit& unit = parse_unit(row.unit, ErrorContext{source, row.line, 0, "unit"});
    double tj_per_unit = 0;
    if (unit.dimension == Dimension::Energy)
      tj_per_unit = unit.to_base / u::TJ.to_base;
    else if (unit.dimension == Dimension::Mass && std::isnan(fuel->ncv_tj_per_gg))
      throw Error(ErrorCategory::Unit,
                  fmt::format("{} has no default net calorific value (Table 1.2 gives none); give it in an energy unit",
                              fuel->name),
                  ErrorContext{source, row.line, 0, "unit"});
    else if (unit.dimension == Dimension::Mass)
      tj_per_unit = unit.to_base / u::Gg.to_base * fuel->ncv_tj_per_gg;
    else
      throw Error(ErrorCategory::Unit, fmt::format("give {} in a mass or energy unit, not {}", fuel->name, unit.symbol),
                  ErrorContext{source, row.line, 0, "unit"});
    ReferenceLine l;
    l.fuel = fuel->name;
    l.group = fuel->group;
    l.biomass = fuel->biomass;
    l.unit = row.unit;
    l.apparent_consumption = row.production + row.imports - row.exports - row.international_bunkers - row.stock_change;
    l.energy_tj = l.apparent_consumption * tj_per_unit;
    // kg C/GJ == t C/TJ
    l.carbon_t = l.energy_tj * fuel->carbon_kg_per_gj;
    l.excluded_carbon_t = row.excluded * tj_per_unit * fuel->carbon_kg_per_gj;
    l.co2_t = (l.carbon_t - l.excluded_carbon_t) * 44.0 / 12.0;
    if (!l.biomass) {
      res.co2_t += l.co2_t;
      groups[l.group].first += l.co2_t;
    }
    if (!std::isfinite(l.co2_t) || !std::isfinite(res.co2_t))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the CO2 of {} overflows (more than 1.8e308 t) with this row; check its quantities and "
                              "unit", fuel->name),
                  at);
    res.lines.push_back(std::move(l));
  }
  if (sectoral && sectoral_data) {
    double sa = 0;
    for (const auto& line : sectoral->lines) {
      if (line.memo != Memo::None || sectoral->str(line.gas) != "CO2") continue;
      const auto& row = sectoral_data->rows[line.row];
      const Fuel* fuel = library.find_fuel(sectoral_data->str(row.activity));
      if (!fuel) continue;  // process emissions are not fuel combustion
      const std::string_view code = sectoral_data->str(row.category);
      if (!category_has_prefix(code, "1.A") && code.substr(0, 2) != "1A") continue;
      sa += line.emissions_t;
      groups[fuel->group].second += line.emissions_t;
    }
    res.sectoral_co2_t = sa;
    if (sa > 0) res.difference_pct = (res.co2_t - sa) / sa * 100.0;
  }
  for (const auto& [g, v] : groups) res.by_group.emplace_back(g, v);
  return res;
}

void write_reference(std::ostream& out, const ReferenceResult& r, std::string_view format) {
  if (format == "csv") {
    // apparent consumption is in the supply row's own unit (its column says which); the others in their names
    out << "fuel,group,apparent_consumption,apparent_consumption_unit,energy_tj,carbon_t,excluded_carbon_t,co2_t,memo\n";
    for (const auto& l : r.lines)
      fmt::print(out, "{},{},{},{},{},{},{},{},{}\n", csv_field(l.fuel), l.group, l.apparent_consumption,
                 csv_field(l.unit), l.energy_tj, l.carbon_t, l.excluded_carbon_t, l.co2_t, l.biomass ? 1 : 0);
    fmt::print(out, "total,,,,,,,{},0\n", r.co2_t);
    if (r.sectoral_co2_t) fmt::print(out, "sectoral_approach,,,,,,,{},0\n", *r.sectoral_co2_t);
    return;
  }
  if (format == "json") {
    nlohmann::json j;
    auto lines = nlohmann::json::array();
    for (const auto& l : r.lines)
      lines.push_back({{"fuel", l.fuel}, {"group", l.group}, {"memo", l.biomass},
                       {"apparent_consumption", l.apparent_consumption}, {"apparent_consumption_unit", l.unit}, {"energy_tj", l.energy_tj},
                       {"carbon_t", l.carbon_t}, {"excluded_carbon_t", l.excluded_carbon_t}, {"co2_t", l.co2_t}});
    j["fuels"] = lines;
    j["reference_co2_t"] = r.co2_t;
    if (r.sectoral_co2_t) j["sectoral_co2_t"] = *r.sectoral_co2_t;
    if (r.difference_pct) j["difference_pct"] = *r.difference_pct;
    auto groups = nlohmann::json::array();
    for (const auto& [g, v] : r.by_group) groups.push_back({{"group", g}, {"reference_co2_t", v.first}, {"sectoral_co2_t", v.second}});
    j["by_group"] = groups;
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }
  fmt::print(out, "Reference approach (2006 IPCC Guidelines Vol 2 Ch 6)\n\n{:<34} {:>16} {:>14} {:>14} {:>16}\n", "fuel",
             "apparent cons.", "TJ", "t C", "t CO2");
  for (const auto& l : r.lines)
    fmt::print(out, "{:<34} {:>16} {:>14.3f} {:>14.3f} {:>16.3f}{}\n", l.fuel,
               fmt::format("{:.3f} {}", l.apparent_consumption, l.unit), l.energy_tj,
               l.carbon_t - l.excluded_carbon_t, l.co2_t, l.biomass ? "  (memo)" : "");
  fmt::print(out, "\nReference approach CO2: {:.3f} t\n", r.co2_t);
  if (r.sectoral_co2_t) {
    fmt::print(out, "Sectoral approach CO2 (1.A, fossil): {:.3f} t\n", *r.sectoral_co2_t);
    if (r.difference_pct)
      fmt::print(out, "Difference: {:+.2f} %{}\n", *r.difference_pct,
                 std::abs(*r.difference_pct) > 2.0 ? " (over 2 %: explain the difference, Vol 2 Ch 6)" : "");
    for (const auto& [g, v] : r.by_group)
      fmt::print(out, "  {:<16} reference {:>16.3f}  sectoral {:>16.3f}\n", g, v.first, v.second);
  }
}

}  // namespace panocarbon
