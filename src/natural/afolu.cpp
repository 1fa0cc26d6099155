// IPCC 2006 Guidelines Vol 4 (AFOLU) Ch 2 and Ch 4, Tier 1: forest land remaining forest land, biomass
// carbon by the gain-loss method (Eq 2.7, 2.9-2.14) and the stock-difference method (Eq 2.8). Default values
// from data/afolu_forest_defaults.csv (each row cites its table; `confirmed` says whether it was checked).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/embedded.hpp"
#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"
#include "panocarbon/natural_fire.hpp"

namespace panocarbon::natural {

double eq2_10_g_total(double g_w, double r) { return g_w * (1 + r); }
double eq2_9_gain(double area_ha, double g_total, double cf) { return area_ha * g_total * cf; }
double eq2_12_wood_removals(double h_m3, double bcef_r, double r, double cf) { return h_m3 * bcef_r * (1 + r) * cf; }
double eq2_13_fuelwood(double fg_trees_m3, double bcef_r, double r, double fg_part_t, double cf) {
  return (fg_trees_m3 * bcef_r * (1 + r) + fg_part_t) * cf;
}
double eq2_14_disturbance(double area_ha, double b_w, double r, double cf, double fd) {
  return area_ha * b_w * (1 + r) * cf * fd;
}
double eq2_8_stock(double area_ha, double v_m3_ha, double bcef_s, double r, double cf) {
  return area_ha * v_m3_ha * bcef_s * (1 + r) * cf;
}

double approach1_product(std::initializer_list<double> u) {
  double s = 0;
  for (double x : u) s += x * x;
  return std::sqrt(s);
}
double approach1_sum_abs(std::initializer_list<std::pair<double, double>> terms) {
  double s = 0;
  for (const auto& [x, u] : terms) s += (u * x) * (u * x);
  return std::sqrt(s);
}
double relative_half_width(const DefaultValue& v) {
  if (std::isnan(v.lower) || std::isnan(v.upper) || v.value == 0) return 0;
  return std::max(v.upper - v.value, v.value - v.lower) / std::abs(v.value);
}

const AfoluDefaults& AfoluDefaults::builtin() {
  static const AfoluDefaults d = [] {
    AfoluDefaults out;
    const std::string name = "<embedded>/afolu_forest_defaults.csv";
    const std::string_view text = detail::embedded_file("afolu_forest_defaults.csv");
    io::CsvReader r(text, name);
    r.next();  // header: id,table,key,value,lower,upper,unit,document,volume,chapter,confirmed,note
    while (r.next()) {
      const auto& f = r.fields();
      if (f.size() != 12) throw Error(ErrorCategory::Data, "expected 12 fields", r.context());
      DefaultValue v;
      v.id = std::string(f[0]);
      v.table = std::string(f[1]);
      v.key = std::string(f[2]);
      if (!io::parse_double(f[3], v.value))
        throw Error(ErrorCategory::Data, "value is not a number", r.context(4, "value"));
      v.lower = v.upper = std::numeric_limits<double>::quiet_NaN();
      if (!f[4].empty()) io::parse_double(f[4], v.lower);
      if (!f[5].empty()) io::parse_double(f[5], v.upper);
      v.confirmed = f[10] == "yes";
      v.note = std::string(f[11]);
      const std::string prefix = v.id.substr(0, v.id.find('.'));
      auto& dst = prefix == "cf"  ? out.carbon_fraction
                  : prefix == "r" ? out.root_shoot
                  : prefix == "g" ? out.growth  // g.<zone>.<continent>.<status>: Table 4.9 G_W
                                  : out.bcef;
      dst.push_back(std::move(v));
    }
    return out;
  }();
  return d;
}

const DefaultValue* AfoluDefaults::find(const std::string& id) const {
  for (const auto* list : {&carbon_fraction, &root_shoot, &growth, &bcef})
    for (const auto& v : *list)
      if (v.id == id) return &v;
  return nullptr;
}

namespace {
double nan() { return std::numeric_limits<double>::quiet_NaN(); }

// A value from the row, else from the named default, else the fallback default id (or fail). `half_width`
// (optional) receives the absolute 95 % half-width of a default with a range, else 0 (inputs carry none).
double pick(const ForestRow& row, double given, const std::string& default_id, const std::string& fallback,
            const AfoluDefaults& d, const std::string& what, std::vector<std::string>& used,
            double* half_width = nullptr) {
  if (half_width) *half_width = 0;
  if (!std::isnan(given)) {
    used.push_back(what + "=input");
    return given;
  }
  const std::string id = !default_id.empty() ? default_id : fallback;
  if (id.empty())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("row '{}' needs {} (a value, or the id of a default in data/afolu_forest_defaults.csv "
                            "in the {}_id column)",
                            row.id, what, what),
                ErrorContext{{}, row.line, 0, what});
  const auto* v = d.find(id);
  if (!v)
    throw Error(ErrorCategory::NotFound,
                fmt::format("row '{}': no default '{}' for {}; see data/afolu_forest_defaults.csv for the ids", row.id,
                            id, what),
                ErrorContext{{}, row.line, 0, what + "_id"});
  used.push_back(what + "=" + v->id + (v->confirmed ? "" : " (unconfirmed)"));
  if (half_width) *half_width = relative_half_width(*v) * std::abs(v->value);
  return v->value;
}

std::string default_cf(const ForestRow& row) {
  if (row.climate == "tropical" || row.climate == "subtropical") return "cf.tropical.all";
  if (row.climate == "temperate" || row.climate == "boreal") {
    if (row.forest_type == "conifer") return "cf.temperate_boreal.conifer";
    if (row.forest_type == "broadleaf") return "cf.temperate_boreal.broadleaf";
    return "cf.temperate_boreal.all";
  }
  return "cf.default";
}

}  // namespace

namespace {
struct Ids {
  std::string cf, r, bcef_r, bcef_s;
};
Ids row_ids(const ForestRow& row) { return {row.cf_id, row.r_id, row.bcef_r_id, row.bcef_s_id}; }
// What every forest result carries from its row.
ForestResult start_result(const ForestRow& row, const char* method) {
  ForestResult out;
  out.id = row.id;
  out.method = method;
  out.tag = row.tag;
  out.region = row.region;
  out.year = row.year;
  return out;
}
}  // namespace

ForestResult forest_gain_loss(const ForestRow& row, const AfoluDefaults& d) {
  ForestResult out = start_result(row, "gain-loss");
  const Ids id = row_ids(row);
  double h_cf = 0, h_r = 0, h_bcef = 0;
  const double cf = pick(row, row.cf, id.cf, default_cf(row), d, "cf", out.defaults_used, &h_cf);
  const double r = pick(row, row.r, id.r, "", d, "r", out.defaults_used, &h_r);
  if (std::isnan(row.growth) && row.growth_id.empty())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("row '{}' needs growth (G_W, above-ground biomass growth in t d.m./ha/yr, national data) "
                            "or growth_id (a g.* row of data/afolu_forest_defaults.csv: Table 4.9 of the 2019 "
                            "Refinement, tropical natural forests only)",
                            row.id),
                ErrorContext{{}, row.line, 0, "growth"});
  const double g_w = pick(row, row.growth, row.growth_id, "", d, "growth", out.defaults_used);
  out.gains_tc = eq2_9_gain(row.area_ha, eq2_10_g_total(g_w, r), cf);
  const bool needs_bcef_r = row.wood_removals_m3 > 0 || row.fuelwood_trees_m3 > 0;
  const double bcef_r =
      needs_bcef_r ? pick(row, row.bcef_r, id.bcef_r, "", d, "bcef_r", out.defaults_used, &h_bcef) : 0.0;
  const double l_wood = eq2_12_wood_removals(row.wood_removals_m3, bcef_r, r, cf);
  const double l_fuel = eq2_13_fuelwood(row.fuelwood_trees_m3, bcef_r, r, row.fuelwood_parts_t, cf);
  const double l_dist =
      eq2_14_disturbance(row.disturbance_area_ha, row.disturbance_biomass_t_ha, r, cf, row.disturbance_fraction);
  out.losses_tc = l_wood + l_fuel + l_dist;       // Eq 2.11
  out.delta_c_tc = out.gains_tc - out.losses_tc;  // Eq 2.7
  out.co2_t = -out.delta_c_tc * kCo2PerC;
  // Approach 1: each term is a product (Eq 3.1) of factors whose relative half-widths are U_CF, U_(1+R) =
  // h_R / (1 + R) and U_BCEF; the terms add (Eq 3.2) as if independent. Fuelwood's inner sum
  // FG_trees x BCEF_R x (1+R) + FG_part is itself a sum with FG_part exact.
  const double u_cf = cf > 0 ? h_cf / cf : 0, u_1r = h_r / (1 + r), u_b = bcef_r > 0 ? h_bcef / bcef_r : 0;
  if (h_cf > 0 || h_r > 0 || h_bcef > 0) {
    const double fuel_inner = row.fuelwood_trees_m3 * bcef_r * (1 + r);
    const double u_fuel_inner = fuel_inner + row.fuelwood_parts_t > 0
                                    ? approach1_product({u_b, u_1r}) * fuel_inner / (fuel_inner + row.fuelwood_parts_t)
                                    : 0;
    const double h_c = approach1_sum_abs({{out.gains_tc, approach1_product({u_1r, u_cf})},
                                          {l_wood, approach1_product({u_b, u_1r, u_cf})},
                                          {l_fuel, approach1_product({u_fuel_inner, u_cf})},
                                          {l_dist, approach1_product({u_1r, u_cf})}});
    out.co2_lower_t = out.co2_t - h_c * kCo2PerC;
    out.co2_upper_t = out.co2_t + h_c * kCo2PerC;
  }
  return out;
}

ForestResult forest_stock_difference(const ForestRow& row, const AfoluDefaults& d) {
  ForestResult out = start_result(row, "stock-difference");
  const Ids id = row_ids(row);
  if (!(row.year_t2 > row.year_t1))
    throw Error(
        ErrorCategory::InvalidInput,
        fmt::format("row '{}': year_t2 ({}) must be after year_t1 ({}) for the stock-difference method (Eq 2.8)",
                    row.id, row.year_t2, row.year_t1),
        ErrorContext{{}, row.line, 0, "year_t2"});
  double h_cf = 0, h_r = 0, h_bcef = 0;
  const double cf = pick(row, row.cf, id.cf, default_cf(row), d, "cf", out.defaults_used, &h_cf);
  const double r = pick(row, row.r, id.r, "", d, "r", out.defaults_used, &h_r);
  const double bcef_s = pick(row, row.bcef_s, id.bcef_s, "", d, "bcef_s", out.defaults_used, &h_bcef);
  const double c1 = eq2_8_stock(row.area_ha, row.stock_t1_m3_ha, bcef_s, r, cf);
  const double c2 = eq2_8_stock(row.area_ha, row.stock_t2_m3_ha, bcef_s, r, cf);
  out.delta_c_tc = (c2 - c1) / (row.year_t2 - row.year_t1);
  out.co2_t = -out.delta_c_tc * kCo2PerC;
  // Eq 2.8 difference is one product A (V2 - V1) BCEF_S (1 + R) CF / (t2 - t1): Eq 3.1 over its factors.
  if (h_cf > 0 || h_r > 0 || h_bcef > 0) {
    const double u = approach1_product({cf > 0 ? h_cf / cf : 0, h_r / (1 + r), bcef_s > 0 ? h_bcef / bcef_s : 0});
    out.co2_lower_t = out.co2_t - u * std::abs(out.co2_t);
    out.co2_upper_t = out.co2_t + u * std::abs(out.co2_t);
  }
  return out;
}

ForestResult forest_calc(const ForestRow& row, const AfoluDefaults& d) {
  if (row.method == "fire")
    throw Error(ErrorCategory::Internal, fmt::format("row '{}' is a fire row: use afolu_fire", row.id),
                ErrorContext{{}, row.line, 0, "method"});
  return row.method == "stock-difference" ? forest_stock_difference(row, d) : forest_gain_loss(row, d);
}

std::vector<ForestRow> read_forest_rows(const std::string& text, const std::string& name) {
  io::CsvReader r(text, name);
  if (!r.next())
    throw Error(ErrorCategory::InvalidInput, "the file is empty; expected a header line (see docs/afolu.md)",
                ErrorContext{name, 1});
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < r.fields().size(); ++i) col[io::to_lower(io::trim(r.fields()[i]))] = i;
  static const char* known[] = {"id",
                                "method",
                                "climate",
                                "zone",
                                "forest_type",
                                "area_ha",
                                "growth",
                                "r",
                                "cf",
                                "r_id",
                                "cf_id",
                                "growth_id",
                                "bcef_r",
                                "bcef_r_id",
                                "bcef_s",
                                "bcef_s_id",
                                "wood_removals_m3",
                                "fuelwood_trees_m3",
                                "fuelwood_parts_t",
                                "disturbance_area_ha",
                                "disturbance_biomass_t_ha",
                                "disturbance_fraction",
                                "stock_t1_m3_ha",
                                "stock_t2_m3_ha",
                                "year_t1",
                                "year_t2",
                                "managed",
                                "driver",
                                "region",
                                "year",
                                "vegetation",
                                "mb_cf"};
  for (const auto& [c, i] : col) {
    bool ok = false;
    for (const char* k : known) ok = ok || c == k;
    if (!ok)
      throw Error(
          ErrorCategory::InvalidInput,
          fmt::format("unknown column '{}'; known columns: {}", c, fmt::join(std::begin(known), std::end(known), ",")),
          ErrorContext{name, 1, static_cast<long>(i + 1), c});
  }
  for (const char* need : {"id", "area_ha"})
    if (!col.count(need))
      throw Error(ErrorCategory::InvalidInput, fmt::format("the header has no '{}' column (see docs/afolu.md)", need),
                  ErrorContext{name, 1, 0, need});
  std::vector<ForestRow> rows;
  while (r.next()) {
    const auto& f = r.fields();
    auto get = [&](const char* c) -> std::string {
      const auto it = col.find(c);
      return it == col.end() || it->second >= f.size() ? std::string() : std::string(io::trim(f[it->second]));
    };
    auto num = [&](const char* c, double missing) {
      const std::string s = get(c);
      if (s.empty()) return missing;
      const double v = io::finite_number(s, r.context(static_cast<long>(col.at(c) + 1), c));
      if (v < 0)
        throw Error(ErrorCategory::InvalidInput, fmt::format("'{}' is negative; give zero or a positive number", clip_input(s)),
                    r.context(static_cast<long>(col.at(c) + 1), c));
      return v;
    };
    ForestRow row;
    row.line = r.line();
    row.id = get("id");
    row.method = get("method").empty() ? "gain-loss" : io::to_lower(get("method"));
    if (row.method != "gain-loss" && row.method != "stock-difference" && row.method != "fire")
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("method must be gain-loss, stock-difference or fire, not '{}'", clip_input(row.method)),
                  r.context(static_cast<long>(col.at("method") + 1), "method"));
    row.region = get("region");
    const double year = num("year", 0);
    if (year != std::floor(year) || (year != 0 && (year < 1750 || year > 2200)))
      throw Error(
          ErrorCategory::InvalidInput,
          fmt::format("year '{}' is not a whole year between 1750 and 2200 (leave it empty if unknown)",
                      clip_input(get("year"))),
          r.context(static_cast<long>(col.at("year") + 1), "year"));
    row.year = static_cast<int>(year);
    row.vegetation = io::to_lower(get("vegetation"));
    row.mb_cf = num("mb_cf", nan());
    if (row.method == "fire" && row.vegetation.empty())
      throw Error(ErrorCategory::InvalidInput,
                  "a fire row needs a vegetation type of data/ipcc2006_fire.csv (IPCC 2006 Vol 4 Table 2.4) in the "
                  "vegetation column, and the area burned in area_ha",
                  r.context(col.count("vegetation") ? static_cast<long>(col.at("vegetation") + 1) : 0, "vegetation"));
    row.climate = io::to_lower(get("climate"));
    row.zone = get("zone");
    row.forest_type = io::to_lower(get("forest_type"));
    row.area_ha = num("area_ha", nan());
    if (std::isnan(row.area_ha))
      throw Error(ErrorCategory::InvalidInput, "area_ha is empty: give the forest area in hectares",
                  r.context(static_cast<long>(col.at("area_ha") + 1), "area_ha"));
    row.growth = num("growth", nan());
    row.r = num("r", nan());
    row.cf = num("cf", nan());
    if (!std::isnan(row.cf) && row.cf > 1)
      throw Error(ErrorCategory::InvalidInput, fmt::format("cf {} is above 1 (t C per t dry matter)", row.cf),
                  r.context(static_cast<long>(col.at("cf") + 1), "cf"));
    row.bcef_r = num("bcef_r", nan());
    row.bcef_s = num("bcef_s", nan());
    row.wood_removals_m3 = num("wood_removals_m3", 0);
    row.fuelwood_trees_m3 = num("fuelwood_trees_m3", 0);
    row.fuelwood_parts_t = num("fuelwood_parts_t", 0);
    row.disturbance_area_ha = num("disturbance_area_ha", 0);
    row.disturbance_biomass_t_ha = num("disturbance_biomass_t_ha", 0);
    row.disturbance_fraction = num("disturbance_fraction", 0);
    if (row.disturbance_fraction > 1)
      throw Error(ErrorCategory::InvalidInput, "disturbance_fraction (fd) must be between 0 and 1",
                  r.context(static_cast<long>(col.at("disturbance_fraction") + 1), "disturbance_fraction"));
    row.stock_t1_m3_ha = num("stock_t1_m3_ha", 0);
    row.stock_t2_m3_ha = num("stock_t2_m3_ha", 0);
    row.year_t1 = num("year_t1", 0);
    row.year_t2 = num("year_t2", 0);
    const std::string managed = io::to_lower(get("managed"));
    if (!managed.empty() && managed != "yes" && managed != "no")
      throw Error(ErrorCategory::InvalidInput, fmt::format("managed must be yes or no, not '{}'", clip_input(managed)),
                  r.context(static_cast<long>(col.at("managed") + 1), "managed"));
    row.tag.managed = managed != "no";
    const std::string driver = io::to_lower(get("driver"));
    if (driver.empty() && row.method == "fire")  // as `natural fire-tier1`: crop residue burning is a direct human act
      row.tag.driver = default_fire_driver(tier1_ef_category(row.vegetation));
    else if (driver.empty())
      row.tag.driver = row.tag.managed ? Driver::DirectAnthropogenic : Driver::Mixed;
    else if (driver == "natural")
      row.tag.driver = Driver::Natural;
    else if (driver == "direct-anthropogenic")
      row.tag.driver = Driver::DirectAnthropogenic;
    else if (driver == "indirect-anthropogenic")
      row.tag.driver = Driver::IndirectAnthropogenic;
    else
      throw Error(
          ErrorCategory::InvalidInput,
          fmt::format("driver must be natural, direct-anthropogenic or indirect-anthropogenic, not '{}'",
                      clip_input(driver)),
          r.context(static_cast<long>(col.at("driver") + 1), "driver"));
    if (row.id.empty()) row.id = fmt::format("line{}", row.line);
    row.cf_id = get("cf_id");
    row.r_id = get("r_id");
    row.bcef_r_id = get("bcef_r_id");
    row.bcef_s_id = get("bcef_s_id");
    row.growth_id = get("growth_id");
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw Error(ErrorCategory::InvalidInput, "no data rows after the header", ErrorContext{name, 1});
  return rows;
}

}  // namespace panocarbon::natural
