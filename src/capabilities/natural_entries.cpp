// Registry entries of the natural domain: `natural sinks`, `natural methane`, `natural afolu`, `natural fire`,
// `natural fire-tier1` and `natural account`. The work is done by the capabilities of
// include/panocarbon/natural_capabilities.hpp; here are their descriptions, result schemas and renderings.
// Tables print fixed decimals (one format per column) and name the unit of every quantity.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <ostream>

#include "panocarbon/format.hpp"
#include "panocarbon/natural_capabilities.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace nat = panocarbon::natural;

namespace {
// ---- shared helpers ----------------------------------------------------------------------------------------------

std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }  // CSV: "" = none
nlohmann::json jnum(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
std::string fixed(double v, int decimals) {  // table: "-" = none
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

// A Result whose renderings are closures over one shared typed run.
template <class Run>
Result rendered(std::shared_ptr<Run> run, nlohmann::json (*json)(const Run&), void (*csv)(const Run&, std::ostream&),
                void (*table)(const Run&, std::ostream&)) {
  Result r;
  r.json = [run, json](const Result&) { return json(*run); };
  r.csv = [run, csv](const Result&, std::ostream& out) { csv(*run, out); };
  r.table = [run, table](const Result&, std::ostream& out) { table(*run, out); };
  return r;
}

// ---- sinks ---------------------------------------------------------------------------------------------------------

const char* kGcbSource = "Global Carbon Budget 2019 (Friedlingstein et al. 2019, Earth Syst. Sci. Data 11, 1783-1838)";

nlohmann::json sinks_json(const nat::SinksRun& s) {
  auto arr = nlohmann::json::array();
  const double k = s.k;
  for (const auto& y : s.years) {
    nlohmann::json j = {{"year", y.year},
                        {"fossil", y.fossil * k},
                        {"land_use_change", y.land_use_change * k},
                        {"atmospheric_growth", y.atmospheric_growth * k},
                        {"ocean_sink", y.ocean_sink * k},
                        {"land_sink", y.land_sink * k},
                        {"budget_imbalance", y.imbalance * k},
                        {"residual", y.residual() * k}};
    const auto l = s.range(s.budget.luc_range, y.year), o = s.range(s.budget.ocean_range, y.year),
               n = s.range(s.budget.land_range, y.year);
    if (!std::isnan(l.first)) j["land_use_change_models"] = {l.first, l.second};
    if (!std::isnan(o.first)) j["ocean_sink_models"] = {o.first, o.second};
    if (!std::isnan(n.first)) j["land_sink_models"] = {n.first, n.second};
    arr.push_back(j);
  }
  return {{"source", kGcbSource},
          {"unit", s.unit},
          {"identity", "fossil + land_use_change = atmospheric_growth + ocean_sink + land_sink + budget_imbalance"},
          {"max_abs_residual", s.worst_gtc * k},
          {"rounding_tolerance", s.tolerance_gtc * k},
          {"tags",
           {{"fossil", "direct-anthropogenic"},
            {"land_use_change", "direct-anthropogenic, managed land (bookkeeping models)"},
            {"ocean_sink", "natural + indirect-anthropogenic, unmanaged"},
            {"land_sink", "natural + indirect-anthropogenic, managed and unmanaged land (DGVMs)"}}},
          {"notes", s.budget.notes},
          {"years", arr}};
}

void sinks_csv(const nat::SinksRun& s, std::ostream& out) {
  out << "year,fossil,land_use_change,atmospheric_growth,ocean_sink,land_sink,budget_imbalance,residual,unit,"
         "luc_min,luc_max,ocean_min,ocean_max,land_min,land_max\n";
  const double k = s.k;
  for (const auto& y : s.years) {
    const auto l = s.range(s.budget.luc_range, y.year), o = s.range(s.budget.ocean_range, y.year),
               n = s.range(s.budget.land_range, y.year);
    out << fmt::format("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{},{},{},{},{}\n", y.year,
                       y.fossil * k, y.land_use_change * k, y.atmospheric_growth * k, y.ocean_sink * k, y.land_sink * k,
                       y.imbalance * k, y.residual() * k, s.unit, num(l.first), num(l.second), num(o.first),
                       num(o.second), num(n.first), num(n.second));
  }
}

void sinks_table(const nat::SinksRun& s, std::ostream& out) {
  const double k = s.k;
  out << fmt::format("Global Carbon Budget 2019 (Friedlingstein et al. 2019, ESSD 11, 1783-1838), {}\n", s.unit);
  out << fmt::format("{:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}   ({})\n", "year", "fossil", "LUC", "atm",
                     "ocean", "land", "imbal", "residual", s.unit);
  for (const auto& y : s.years)
    out << fmt::format("{:>6} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.4f}\n", y.year, y.fossil * k,
                       y.land_use_change * k, y.atmospheric_growth * k, y.ocean_sink * k, y.land_sink * k,
                       y.imbalance * k, y.residual() * k);
  out << fmt::format(
      "identity fossil + LUC = atm + ocean + land + imbalance: max |residual| {:.4f} {} ({}), rounding allows {:.4f}\n",
      s.worst_gtc * k, s.unit, s.worst_year, s.tolerance_gtc * k);
  for (const auto& n : s.budget.notes) out << "note: " << n << '\n';
}

nlohmann::json sinks_schema() {
  const auto year = object_schema({{"year", integer_schema()},
                                   {"fossil", number_schema()},
                                   {"land_use_change", number_schema()},
                                   {"atmospheric_growth", number_schema()},
                                   {"ocean_sink", number_schema()},
                                   {"land_sink", number_schema()},
                                   {"budget_imbalance", number_schema()},
                                   {"residual", number_schema("identity's residual, in the unit")},
                                   {"land_use_change_models", array_of(number_schema())},
                                   {"ocean_sink_models", array_of(number_schema())},
                                   {"land_sink_models", array_of(number_schema())}},
                                  {"land_use_change_models", "ocean_sink_models", "land_sink_models"});
  return object_schema({{"source", string_schema()},
                        {"unit", string_schema("GtC/yr or GtCO2/yr")},
                        {"identity", string_schema()},
                        {"max_abs_residual", number_schema()},
                        {"rounding_tolerance", number_schema()},
                        {"tags", {{"type", "object"}}},
                        {"notes", array_of(string_schema())},
                        {"years", array_of(year)}});
}

Result sinks_result(nat::SinksRun run) {
  auto s = std::make_shared<nat::SinksRun>(std::move(run));
  Result r = rendered(s, sinks_json, sinks_csv, sinks_table);
  r.summary = {
      {"years", s->years.size()}, {"max_abs_residual_gtc", s->worst_gtc}, {"rounding_tolerance_gtc", s->tolerance_gtc}};
  if (s->worst_gtc > s->tolerance_gtc)
    r.warnings.push_back(fmt::format("the budget identity is off by {:.4f} GtC/yr in {}, more than rounding ({:.4f})",
                                     s->worst_gtc, s->worst_year, s->tolerance_gtc));
  return r;
}

// ---- methane -------------------------------------------------------------------------------------------------------

std::string methane_note(const nat::MethaneRun& m, const nat::MethaneLine& l) {
  return l.period_used != m.period ? "breakdown of " + m.breakdown + " (not given for " + m.period + ")"
                                   : m.source(l).note;
}

nlohmann::json methane_json(const nat::MethaneRun& m) {
  auto arr = nlohmann::json::array();
  if (m.scaled) {
    for (const auto& r : m.regions)
      arr.push_back({{"region", r.region},
                     {"source", r.source},
                     {"user_flux", r.user_flux},
                     {"share", r.share},
                     {"mean", r.mean},
                     {"min", r.min},
                     {"max", r.max},
                     {"budget_over_user_total", r.factor},
                     {"cell", r.cell}});
    return {{"unit", "Tg CH4/yr"},
            {"period", m.period},
            {"approach", m.approaches.front()},
            {"method", "prior(r,s) = F(r,s) / sum_r F(r,s) x global prior(s)"},
            {"regions", arr}};
  }
  for (const auto& l : m.lines) {
    const auto& s = m.source(l);
    arr.push_back({{"source", s.name},
                   {"parent", s.parent},
                   {"group", s.group},
                   {"period", l.period_used},
                   {"approach", l.approach},
                   {"mean", l.estimate.mean},
                   {"min", l.estimate.min},
                   {"max", l.estimate.max},
                   {"cell", l.estimate.cell},
                   {"note", s.note}});
  }
  return {{"source", "Saunois et al. (2020), Earth Syst. Sci. Data 12, 1561-1623, Table 3"},
          {"unit", "Tg CH4/yr"},
          {"period", m.period},
          {"rows", arr}};
}

void methane_csv(const nat::MethaneRun& m, std::ostream& out) {
  if (m.scaled) {
    out << "region,source,user_flux,share,mean_tg,min_tg,max_tg,budget_over_user_total,cell\n";
    for (const auto& r : m.regions)
      out << fmt::format("{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", csv_field(r.region), csv_field(r.source),
                         r.user_flux, r.share, r.mean, r.min, r.max, r.factor, r.cell);
    return;
  }
  out << "source,parent,group,period,approach,mean_tg,min_tg,max_tg,cell,note\n";
  for (const auto& l : m.lines) {
    const auto& s = m.source(l);
    out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(s.name), csv_field(s.parent), s.group,
                       l.period_used, l.approach, l.estimate.mean, l.estimate.min, l.estimate.max, l.estimate.cell,
                       csv_field(methane_note(m, l)));
  }
}

void methane_table(const nat::MethaneRun& m, std::ostream& out) {
  out << fmt::format("Global Methane Budget (Saunois et al. 2020, ESSD 12, 1561-1623, Table 3), {}, Tg CH4/yr, ",
                     m.period);
  if (m.scaled) {
    out << fmt::format("{}, shared out over the regions of {}\n", m.approaches.front(), m.scale_file);
    out << fmt::format("{:<20} {:<40} {:>8} {:>12} {:>12} {:>12}\n", "region", "source", "share", "mean_Tg/yr",
                       "min_Tg/yr", "max_Tg/yr");
    for (const auto& r : m.regions)
      out << fmt::format("{:<20} {:<40} {:>8.4f} {:>12.3f} {:>12.3f} {:>12.3f}\n", r.region, r.source, r.share, r.mean,
                         r.min, r.max);
    return;
  }
  out << "mean [min-max]\n";
  for (const auto& l : m.lines) {
    const auto& s = m.source(l);
    out << fmt::format("{:<50} {:<10} {:>6.0f} [{:.0f}-{:.0f}]{}\n", (s.parent.empty() ? "" : "  ") + s.name,
                       l.approach, l.estimate.mean, l.estimate.min, l.estimate.max,
                       l.period_used != m.period ? "  (" + m.breakdown + " breakdown)" : "");
  }
  for (const auto& s : m.budget.rows)
    if (!s.note.empty() && m.shown(s)) out << fmt::format("note: {}: {}\n", s.name, s.note);
}

nlohmann::json methane_schema() {
  const auto row = object_schema({{"source", string_schema()},
                                  {"parent", string_schema()},
                                  {"group", string_schema("natural, anthropogenic, sinks or budget")},
                                  {"period", string_schema()},
                                  {"approach", string_schema("bottom-up or top-down")},
                                  {"mean", number_schema("Tg CH4/yr")},
                                  {"min", number_schema("Tg CH4/yr")},
                                  {"max", number_schema("Tg CH4/yr")},
                                  {"cell", string_schema("cell of the workbook")},
                                  {"note", string_schema()}});
  const auto region = object_schema({{"region", string_schema()},
                                     {"source", string_schema()},
                                     {"user_flux", number_schema()},
                                     {"share", number_schema()},
                                     {"mean", number_schema("Tg CH4/yr")},
                                     {"min", number_schema("Tg CH4/yr")},
                                     {"max", number_schema("Tg CH4/yr")},
                                     {"budget_over_user_total", number_schema()},
                                     {"cell", string_schema()}});
  // Without --scale-file: the Table 3 rows; with it: the regional priors.
  return {{"oneOf",
           {object_schema({{"source", string_schema()},
                           {"unit", string_schema()},
                           {"period", string_schema()},
                           {"rows", array_of(row)}}),
            object_schema({{"unit", string_schema()},
                           {"period", string_schema()},
                           {"approach", string_schema()},
                           {"method", string_schema()},
                           {"regions", array_of(region)}})}}};
}

Result methane_result(nat::MethaneRun run) {
  auto m = std::make_shared<nat::MethaneRun>(std::move(run));
  Result r = rendered(m, methane_json, methane_csv, methane_table);
  if (m->scaled) {
    r.summary = {{"regions", m->regions.size()}};
  } else {
    size_t stored = 0;
    for (const auto& l : m->lines) stored += m->source(l).group == "natural" ? 1 : 0;
    r.summary = {{"rows", stored}};
  }
  return r;
}

// ---- forest land and fires on it -----------------------------------------------------------------------------------

nlohmann::json afolu_json(const nat::AfoluRun& a) {
  auto arr = nlohmann::json::array();
  for (const auto& l : a.lines) {
    nlohmann::json j = {{"id", l.id},
                        {"method", l.method},
                        {"region", l.region},
                        {"year", l.year},
                        {"species", l.species},
                        {"emission_t", l.t},
                        {"driver", nat::to_string(l.tag.driver)},
                        {"managed", l.tag.managed},
                        {"counted", !l.memo},
                        {"defaults", l.defaults}};
    if (l.forest) {
      j["gains_tc"] = l.gains_tc;
      j["losses_tc"] = l.losses_tc;
      j["delta_c_tc"] = l.delta_c_tc;
    }
    if (!std::isnan(l.lower)) j["range_t"] = {l.lower, l.upper};
    arr.push_back(j);
  }
  nlohmann::json totals = nlohmann::json::object();
  for (const auto& [sp, s] : a.sums)
    totals[sp] = {{"total_t", s.total},
                  {"national_inventory_t", s.managed},
                  {"direct_anthropogenic_t", s.direct},
                  {"inventory_minus_direct_t", s.managed - s.direct}};
  const auto co2 = a.co2();
  return {{"unit", "t C/yr and t gas/yr (emissions > 0, removals < 0)"},
          {"rows", arr},
          {"totals", totals},
          {"total_co2_t", co2.total},
          {"national_inventory_co2_t", co2.managed},
          {"direct_anthropogenic_co2_t", co2.direct},
          {"inventory_minus_direct_co2_t", co2.managed - co2.direct}};
}

void afolu_csv(const nat::AfoluRun& a, std::ostream& out) {
  out << "id,method,region,year,species,gains_tc,losses_tc,delta_c_tc,emission_t,lower_t,upper_t,driver,managed,"
         "defaults\n";
  for (const auto& l : a.lines)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(l.id), l.method, csv_field(l.region),
                       l.year ? std::to_string(l.year) : "", l.species, l.forest ? num(l.gains_tc) : "",
                       l.forest ? num(l.losses_tc) : "", l.forest ? num(l.delta_c_tc) : "", l.t, num(l.lower),
                       num(l.upper), nat::to_string(l.tag.driver), l.tag.managed ? "yes" : "no",
                       csv_field(fmt::format("{}", fmt::join(l.defaults, ";"))));
  for (const auto& [sp, s] : a.sums) out << fmt::format("total,,,,{},,,,{},,,,,\n", sp, s.total);
}

void afolu_table(const nat::AfoluRun& a, std::ostream& out) {
  out << "IPCC 2006 Vol 4 Tier 1: forest land remaining forest land (t C/yr) and fires (Eq 2.27); t gas/yr, removals "
         "< 0, [95 % range]\n";
  out << fmt::format("{:<16} {:<17} {:<8} {:>14} {:>14} {:>14} {:>16}  {:<33} {}\n", "id", "method", "gas",
                     "gains_tC/yr", "losses_tC/yr", "delta_C_tC/yr", "emission_t/yr", "range_t/yr", "tag");
  auto tc = [](const nat::AfoluLine& l, double v) { return l.forest ? fixed(v, 3) : std::string(); };
  for (const auto& l : a.lines)
    out << fmt::format("{:<16} {:<17} {:<8} {:>14} {:>14} {:>14} {:>16.4f}  {:<33} {}, {}{}\n", l.id, l.method,
                       l.species, tc(l, l.gains_tc), tc(l, l.losses_tc), tc(l, l.delta_c_tc), l.t,
                       std::isnan(l.lower) ? "" : fmt::format("[{:.4f}, {:.4f}]", l.lower, l.upper),
                       nat::to_string(l.tag.driver), l.tag.managed ? "managed" : "unmanaged",
                       l.memo ? " (memo, not counted)" : "");
  const auto co2 = a.co2();
  out << fmt::format(
      "total {:.8g} t CO2/yr; national inventory (managed land) {:.8g}; direct anthropogenic only (global budget's "
      "E_LUC view) {:.8g}; difference {:.8g} (Grassi et al. 2018)\n",
      co2.total, co2.managed, co2.direct, co2.managed - co2.direct);
  for (const auto& [sp, s] : a.sums)
    if (sp != "CO2" && sp != "CO2_memo")
      out << fmt::format("{}: total {:.8g} t/yr; national inventory {:.8g}; direct anthropogenic {:.8g}\n", sp, s.total,
                         s.managed, s.direct);
  for (const auto& l : a.lines) {
    if (l.memo)
      out << fmt::format(
          "note: {}: forest-fire CO2 {:.8g} t is not counted here; IPCC 2006 Vol 4 Ch 2 counts it as the disturbance "
          "loss (Eq 2.14) of the forest row\n",
          l.id, l.t);
    for (const auto& u : l.defaults)
      if (u.find("unconfirmed") != std::string::npos) out << fmt::format("note: {} used {}\n", l.id, u);
  }
}

nlohmann::json afolu_schema() {
  const auto row = object_schema({{"id", string_schema()},
                                  {"method", string_schema("gain-loss, stock-difference or fire")},
                                  {"region", string_schema()},
                                  {"year", integer_schema()},
                                  {"species", string_schema("CO2, CH4, N2O, or CO2_memo (not counted)")},
                                  {"emission_t", number_schema("t gas/yr, removals < 0")},
                                  {"driver", string_schema()},
                                  {"managed", {{"type", "boolean"}}},
                                  {"counted", {{"type", "boolean"}}},
                                  {"defaults", array_of(string_schema())},
                                  {"gains_tc", number_schema("t C/yr")},
                                  {"losses_tc", number_schema("t C/yr")},
                                  {"delta_c_tc", number_schema("t C/yr")},
                                  {"range_t", array_of(number_schema())}},
                                 {"gains_tc", "losses_tc", "delta_c_tc", "range_t"});
  return object_schema({{"unit", string_schema()},
                        {"rows", array_of(row)},
                        {"totals", {{"type", "object"}}},
                        {"total_co2_t", number_schema()},
                        {"national_inventory_co2_t", number_schema()},
                        {"direct_anthropogenic_co2_t", number_schema()},
                        {"inventory_minus_direct_co2_t", number_schema()}});
}

Result afolu_result(nat::AfoluRun run) {
  auto a = std::make_shared<nat::AfoluRun>(std::move(run));
  Result r = rendered(a, afolu_json, afolu_csv, afolu_table);
  const auto co2 = a->co2();
  r.summary = {{"total_co2_t", co2.total},
               {"national_inventory_co2_t", co2.managed},
               {"direct_anthropogenic_co2_t", co2.direct}};
  return r;
}

// ---- GFED fires ----------------------------------------------------------------------------------------------------

constexpr unsigned kAllTypes = 0x3f;
// The `managed` column of a land part (-1 = no managed-land mask, 0 = unmanaged, 1 = managed), by part + 1.
constexpr const char* kCsvManaged[3] = {"", ",0", ",1"};
constexpr const char* kTableManaged[3] = {"", "  no", "  yes"};

double fire_emission(const nat::FireResult& r, size_t m, size_t g, size_t s, int land) {
  return land < 0 ? r.emission(m, g, s) : r.emission_part(m, g, static_cast<size_t>(land), s);
}

std::vector<size_t> all_months(const nat::FireResult& r) {
  std::vector<size_t> out(r.months.size());
  for (size_t m = 0; m < out.size(); ++m) out[m] = m;
  return out;
}

nlohmann::json fire_json(const nat::FireRun& f) {
  const auto& r = f.result;
  nlohmann::json rows = nlohmann::json::array(), annual = nlohmann::json::array();
  const auto months = all_months(r);
  for (size_t g = 0; g < r.regions.size(); ++g) {
    if (!f.region_used(g)) continue;
    for (size_t s = 0; s < r.species.size(); ++s)
      for (const int land : f.land_parts()) {
        for (size_t m = 0; m < r.months.size(); ++m) {
          const auto rg = r.range({m}, g, s, kAllTypes, land);
          nlohmann::json row = {{"region", r.regions[g]},
                                {"species", r.species[s]},
                                {"month", r.months[m]},
                                {"emission_t", fire_emission(r, m, g, s, land)},
                                {"emission_low_t", jnum(rg.lower)},
                                {"emission_high_t", jnum(rg.upper)}};
          if (land >= 0) row["managed"] = land == 1;
          rows.push_back(std::move(row));
        }
        const auto ya = r.range(months, g, s, kAllTypes, land);
        nlohmann::json a = {{"region", r.regions[g]},
                            {"species", r.species[s]},
                            {"emission_t", ya.mean},
                            {"emission_low_t", jnum(ya.lower)},
                            {"emission_high_t", jnum(ya.upper)}};
        if (land >= 0) a["managed"] = land == 1;
        annual.push_back(std::move(a));
      }
  }
  nlohmann::json doc = {{"file", r.file},
                        {"year", r.year},
                        {"grid", {r.rows, r.cols}},
                        {"emission_factors", f.factors.source},
                        {"carbon_identity_max_relative_difference", f.carbon_identity_max_relative_difference},
                        {"dm_uncertainty_pct", f.options.dm_uncertainty_pct},
                        {"range",
                         "95 %; IPCC 2006 Vol 4 Table 2.5 relative SD per fire type, months correlated "
                         "(docs/natural-fires.md)"},
                        {"rows", rows},
                        {"annual", annual}};
  if (r.managed_split) doc["managed_mask"] = f.options.managed_mask.string();
  return doc;
}

// With a managed-land mask: one row per land part, the extra last column managed = 1 (managed land) or 0.
void fire_csv(const nat::FireRun& f, std::ostream& out) {
  const auto& r = f.result;
  std::string text = r.managed_split ? "region,species,month,emission_t,emission_low_t,emission_high_t,managed\n"
                                     : "region,species,month,emission_t,emission_low_t,emission_high_t\n";
  for (size_t g = 0; g < r.regions.size(); ++g) {
    if (!f.region_used(g)) continue;
    for (size_t s = 0; s < r.species.size(); ++s)
      for (size_t m = 0; m < r.months.size(); ++m)
        for (const int land : f.land_parts()) {
          const auto rg = r.range({m}, g, s, kAllTypes, land);
          text += fmt::format("{},{},{},{},{},{}{}\n", r.regions[g], r.species[s], r.months[m],
                              fire_emission(r, m, g, s, land), num(rg.lower), num(rg.upper), kCsvManaged[land + 1]);
        }
  }
  out << text;
}

// Annual totals per region and species; with a managed-land mask one line per land part (last column managed).
void fire_table(const nat::FireRun& f, std::ostream& out) {
  const auto& r = f.result;
  const auto months = all_months(r);
  out << fmt::format("{:<8} {:<14} {:>20} {:>20} {:>20}{}\n", "region", "species", "emission_t/yr", "low_t/yr",
                     "high_t/yr", r.managed_split ? "  managed" : "");
  for (size_t g = 0; g < r.regions.size(); ++g) {
    if (!f.region_used(g)) continue;
    for (size_t s = 0; s < r.species.size(); ++s)
      for (const int land : f.land_parts()) {
        const auto ya = r.range(months, g, s, kAllTypes, land);  // months correlated: types summed over the year
        out << fmt::format("{:<8} {:<14} {:>20.3f} {:>20} {:>20}{}\n", r.regions[g], r.species[s], ya.mean,
                           fixed(ya.lower, 3), fixed(ya.upper, 3), kTableManaged[land + 1]);
      }
  }
  out << fmt::format("{} {}: {} months, grid {} x {}, t per year\n", r.file, r.year, r.months.size(), r.rows, r.cols);
}

nlohmann::json fire_row_schema(bool monthly) {
  nlohmann::json p = {{"region", string_schema("GFED basis region, or country with --mask")},
                      {"species", string_schema()},
                      {"emission_t", number_schema("t")},
                      {"emission_low_t", nullable(number_schema("95 % lower bound, t"))},
                      {"emission_high_t", nullable(number_schema("95 % upper bound, t"))},
                      {"managed", {{"type", "boolean"}, {"description", "with --managed-mask"}}}};
  if (monthly) p["month"] = integer_schema();
  return object_schema(p, {"managed"});
}

nlohmann::json fire_schema() {
  return object_schema({{"file", string_schema()},
                        {"year", integer_schema()},
                        {"grid", array_of(integer_schema())},
                        {"emission_factors", string_schema()},
                        {"carbon_identity_max_relative_difference", number_schema()},
                        {"dm_uncertainty_pct", number_schema()},
                        {"range", string_schema()},
                        {"rows", array_of(fire_row_schema(true))},
                        {"annual", array_of(fire_row_schema(false))},
                        {"managed_mask", string_schema()}},
                       {"managed_mask"});
}

Result fire_result(nat::FireRun run) {
  auto f = std::make_shared<nat::FireRun>(std::move(run));
  Result r = rendered(f, fire_json, fire_csv, fire_table);
  const auto& x = f->result;
  r.summary = {{"regions", x.regions.size()},
               {"species", x.species.size()},
               {"months", x.months.size()},
               {"grid", fmt::format("{}x{}", x.rows, x.cols)}};
  return r;
}

// ---- Tier 1 fires --------------------------------------------------------------------------------------------------

nlohmann::json tier1_json(const nat::FireTier1Run& t) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& x : t.rows)
    a.push_back({{"vegetation", x.vegetation},
                 {"ef_category", x.ef_category},
                 {"species", x.species},
                 {"area_ha", x.area_ha},
                 {"mb_cf_t_per_ha", x.fuel_t_per_ha},
                 {"gef_g_per_kg", x.g_per_kg},
                 {"emission_t", x.emission_t},
                 {"emission_low_t", jnum(x.range.lower)},
                 {"emission_high_t", jnum(x.range.upper)},
                 {"uncertainty_note", x.uncertainty_note}});
  nlohmann::json tj = nlohmann::json::array();
  for (const auto& s : t.totals)
    tj.push_back({{"species", s.species},
                  {"emission_t", s.emission_t},
                  {"emission_low_t", jnum(s.range.lower)},
                  {"emission_high_t", jnum(s.range.upper)},
                  {"uncertainty_note", s.uncertainty_note}});
  return {{"area_uncertainty_pct", t.area_uncertainty_pct}, {"rows", a}, {"totals", tj}};
}

void tier1_csv(const nat::FireTier1Run& t, std::ostream& out) {
  out << "vegetation,species,area_ha,mb_cf_t_per_ha,gef_g_per_kg,emission_t,emission_low_t,emission_high_t,"
         "uncertainty_note\n";
  for (const auto& x : t.rows)
    out << fmt::format("{},{},{},{},{},{},{},{},{}\n", x.vegetation, x.species, x.area_ha, x.fuel_t_per_ha, x.g_per_kg,
                       x.emission_t, num(x.range.lower), num(x.range.upper), csv_field(x.uncertainty_note));
}

void tier1_table(const nat::FireTier1Run& t, std::ostream& out) {
  auto note = [](const std::string& n) { return n.empty() ? std::string() : "  (" + n + ")"; };
  out << fmt::format("{:<42} {:<6} {:>12} {:>12} {:>10} {:>16} {:>14} {:>14}\n", "vegetation", "gas", "area_ha",
                     "MB*Cf_t/ha", "Gef_g/kg", "emission_t", "low_t", "high_t");
  for (const auto& x : t.rows)
    out << fmt::format("{:<42} {:<6} {:>12.2f} {:>12.2f} {:>10.2f} {:>16.4f} {:>14} {:>14}{}\n", x.vegetation,
                       x.species, x.area_ha, x.fuel_t_per_ha, x.g_per_kg, x.emission_t, fixed(x.range.lower, 4),
                       fixed(x.range.upper, 4), note(x.uncertainty_note));
  for (const auto& s : t.totals)
    out << fmt::format("{:<42} {:<6} {:>12} {:>12} {:>10} {:>16.4f} {:>14} {:>14}{}\n", "total", s.species, "", "", "",
                       s.emission_t, fixed(s.range.lower, 4), fixed(s.range.upper, 4), note(s.uncertainty_note));
  out << fmt::format(
      "95 % ranges: IPCC 2006 Vol 1 Eq 3.1 on the SDs of Tables 2.4 and 2.5, area +-{} %; totals treat rows sharing a "
      "factor as correlated (docs/natural-fires.md)\n",
      t.area_uncertainty_pct);
}

nlohmann::json tier1_schema() {
  nlohmann::json total = {{"species", string_schema()},
                          {"emission_t", number_schema("t")},
                          {"emission_low_t", nullable(number_schema())},
                          {"emission_high_t", nullable(number_schema())},
                          {"uncertainty_note", string_schema()}};
  nlohmann::json row = total;
  row["vegetation"] = string_schema("IPCC 2006 Table 2.4 vegetation type");
  row["ef_category"] = string_schema("Table 2.5 category");
  row["area_ha"] = number_schema("ha");
  row["mb_cf_t_per_ha"] = number_schema("t dry matter/ha");
  row["gef_g_per_kg"] = number_schema("g/kg dry matter");
  return object_schema({{"area_uncertainty_pct", number_schema()},
                        {"rows", array_of(object_schema(row))},
                        {"totals", array_of(object_schema(total))}});
}

Result tier1_result(nat::FireTier1Run run) {
  auto t = std::make_shared<nat::FireTier1Run>(std::move(run));
  Result r = rendered(t, tier1_json, tier1_csv, tier1_table);
  r.summary = {{"rows", t->rows.size()}};
  return r;
}

// ---- the account ---------------------------------------------------------------------------------------------------

nlohmann::json sum_json(const nat::AccountSum& s) {
  return {{"t_co2e", s.value}, {"lower_t_co2e", s.lower}, {"upper_t_co2e", s.upper}};
}
nlohmann::json line_json(const nat::AccountLine& l) {
  return {{"module", l.module},
          {"records", l.records},
          {"records_with_range", l.with_range},
          {"national_inventory", sum_json(l.inventory)},
          {"global_carbon_budget", sum_json(l.budget)},
          {"inventory_minus_budget", sum_json(l.difference)},
          {"natural_remainder", sum_json(l.remainder)},
          {"total", sum_json(l.total)}};
}

nlohmann::json account_json(const nat::AccountRun& a) {
  auto mods = nlohmann::json::array();
  for (const auto& l : a.account.modules) mods.push_back(line_json(l));
  return {{"unit", "t CO2-e"},
          {"gwp", a.account.gwp_set},
          {"gwp_document", a.account.gwp_document},
          {"region", a.region},
          {"year", a.year},
          {"runs", a.all_runs ? "all" : "latest of each command"},
          {"views",
           {{"national_inventory", "records on managed land, any origin (IPCC managed-land proxy)"},
            {"global_carbon_budget", "direct anthropogenic records only (GCB E_LUC)"},
            {"inventory_minus_budget", "national_inventory - global_carbon_budget (Grassi et al. 2018)"},
            {"natural_remainder", "records neither on managed land nor direct anthropogenic"}}},
          {"ranges",
           "sums of the records' lower and upper ends (fully correlated); a record without a range adds its value to "
           "both"},
          {"modules", mods},
          {"total", line_json(a.account.total)},
          {"skipped", a.account.skipped}};
}

void account_csv(const nat::AccountRun& a, std::ostream& out) {
  out << "module,records,records_with_range";
  for (const char* v : {"inventory", "budget", "difference", "remainder", "total"})
    out << fmt::format(",{0}_t_co2e,{0}_lower_t_co2e,{0}_upper_t_co2e", v);
  out << ",gwp\n";
  auto row = [&](const nat::AccountLine& l, const std::string& name) {
    out << fmt::format("{},{},{}", csv_field(name), l.records, l.with_range);
    for (const auto* s : {&l.inventory, &l.budget, &l.difference, &l.remainder, &l.total})
      out << fmt::format(",{},{},{}", s->value, s->lower, s->upper);
    out << ',' << a.account.gwp_set << '\n';
  };
  for (const auto& l : a.account.modules) row(l, l.module);
  row(a.account.total, "total");
}

std::string account_cell(const nat::AccountSum& s) {
  if (s.lower == s.value && s.upper == s.value) return fixed(s.value, 2);
  return fmt::format("{} [{}, {}]", fixed(s.value, 2), fixed(s.lower, 2), fixed(s.upper, 2));
}

// Columns as wide as their widest cell (values of sinks run to 1e10 t, of a forest plot to 1e1).
void account_table(const nat::AccountRun& a, std::ostream& out) {
  const auto& acc = a.account;
  out << fmt::format("Natural side of the account, t CO2-e (GWP100 {}, {}){}{}; {}\n", acc.gwp_set, acc.gwp_document,
                     a.region.empty() ? "" : ", region " + a.region, a.year ? ", year " + std::to_string(a.year) : "",
                     a.all_runs ? "all runs" : "latest run of each command");
  const std::string unit = " (t CO2e " + acc.gwp_set + ")";
  std::vector<std::vector<std::string>> rows = {{"module", "records", "national inventory" + unit,
                                                 "global carbon budget" + unit, "inventory - budget" + unit,
                                                 "natural remainder" + unit, "total" + unit}};
  auto add = [&](const nat::AccountLine& l, const std::string& name) {
    rows.push_back({name, std::to_string(l.records), account_cell(l.inventory), account_cell(l.budget),
                    account_cell(l.difference), account_cell(l.remainder), account_cell(l.total)});
  };
  for (const auto& l : acc.modules) add(l, l.module);
  add(acc.total, "total");
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  for (const auto& r : rows) {
    std::string line = fmt::format("{:<{}} {:>{}}", r[0], width[0], r[1], width[1]);
    for (size_t c = 2; c < r.size(); ++c) line += fmt::format("  {:<{}}", r[c], c + 1 < r.size() ? width[c] : 0);
    out << line << '\n';
  }
  out << "national inventory: managed land, any origin; global carbon budget: direct anthropogenic only (Grassi et "
         "al. 2018); ranges [lower, upper] add as fully correlated\n";
  for (const auto& s : acc.skipped) out << "not in CO2-e: " << s << '\n';
}

nlohmann::json account_schema() {
  const auto sum = object_schema(
      {{"t_co2e", number_schema()}, {"lower_t_co2e", number_schema()}, {"upper_t_co2e", number_schema()}});
  const auto line = object_schema({{"module", string_schema()},
                                   {"records", integer_schema()},
                                   {"records_with_range", integer_schema()},
                                   {"national_inventory", sum},
                                   {"global_carbon_budget", sum},
                                   {"inventory_minus_budget", sum},
                                   {"natural_remainder", sum},
                                   {"total", sum}});
  return object_schema({{"unit", string_schema("t CO2-e")},
                        {"gwp", string_schema("GWP100 set of every CO2e value (AR4, AR5, AR6)")},
                        {"gwp_document", string_schema()},
                        {"region", string_schema()},
                        {"year", integer_schema()},
                        {"runs", string_schema()},
                        {"views", {{"type", "object"}}},
                        {"ranges", string_schema()},
                        {"modules", array_of(line)},
                        {"total", line},
                        {"skipped", array_of(string_schema())}});
}

Result account_result(nat::AccountRun run) {
  auto a = std::make_shared<nat::AccountRun>(std::move(run));
  Result r = rendered(a, account_json, account_csv, account_table);
  r.summary = {{"records", a->account.total.records}, {"gwp", a->account.gwp_set}};
  return r;
}

const char* kSharedNatural = "../shared/data/natural/";
std::string shared(const char* name) { return std::string(kSharedNatural) + name; }
}  // namespace

void add_natural_entries(std::vector<Capability>& t) {
  t.push_back({"natural sinks",
               Domain::Natural,
               "The global carbon budget by year from the Global Carbon Budget 2019 (Friedlingstein et al. 2019): "
               "fossil emissions, land-use change (E_LUC), atmospheric growth, ocean and land sinks and the budget "
               "imbalance, in GtC/yr or GtCO2/yr, with the identity's residual and the models' ranges. Input: the "
               "folder of the four GCB 2019 CSV exports (--data). Sinks are positive numbers here (stored as "
               "removals, t CO2); the residual is rounding of the published values.",
               sinks_schema(),
               {"--data", shared("gcb2019"), "--from", "2015", "--to", "2018"},
               true,
               false,
               [](Context& ctx, const Params& p) { return sinks_result(nat::natural_sinks(ctx, p)); }});
  t.push_back({"natural methane",
               Domain::Natural,
               "Natural CH4 sources from the Global Methane Budget 2020 (Saunois et al. 2020, Table 3): wetlands, "
               "inland waters, geological, termites, oceans and others, bottom-up and top-down, mean with min-max "
               "range in Tg CH4/yr for a period. Input: the Table 3 workbook (--data); with --scale-file the global "
               "prior of each source is shared out over the user's regions in proportion to their fluxes.",
               methane_schema(),
               {"--data", shared("global-methane-budget-2020-table3.xlsx"), "--approach", "bottom-up"},
               true,
               false,
               [](Context& ctx, const Params& p) { return methane_result(nat::natural_methane(ctx, p)); }});
  t.push_back({"natural afolu",
               Domain::Natural,
               "Forest land remaining forest land by the 2006 IPCC Guidelines Vol 4 Tier 1: biomass carbon by "
               "gain-loss or stock-difference, and fires by Eq 2.27 (CO2, CH4, N2O), per row of an activity CSV with "
               "Approach 1 95 % ranges. Carbon in t C/yr, emissions in t gas/yr (removals < 0); totals for the "
               "national inventory (managed land) and for direct anthropogenic fluxes only (the global budget's view). "
               "Forest-fire CO2 is a memo item (counted in the forest row's disturbance loss).",
               afolu_schema(),
               {"examples/forest.csv"},
               true,
               false,
               [](Context& ctx, const Params& p) { return afolu_result(nat::natural_afolu(ctx, p)); }});
  t.push_back({"natural fire",
               Domain::Natural,
               "Fire emissions from a GFED4.1s HDF5 file (or the same data in the GFED NetCDF layout): monthly dry "
               "matter burned by fire type times the GFED4 "
               "emission factors (--emission-factors, else $PANOCARBON_GFED_EF), in t per region (GFED basis region, "
               "or country with --mask), species and month, with annual totals and 95 % ranges from the IPCC 2006 "
               "Table 2.5 spreads. A managed-land mask splits every result into managed and unmanaged land. Fire "
               "types DEFO and AGRI are stored as direct anthropogenic, the others as natural.",
               fire_schema(),
               {"tests/fixtures/natural/GFED4.1s_2015_synthetic.hdf5", "--year", "2015", "--months", "1", "--species",
                "CO2,CH4", "--emission-factors", shared("GFED4_Emission_Factors.txt")},
               true,
               false,
               [](Context& ctx, const Params& p) { return fire_result(nat::natural_fire(ctx, p)); }});
  t.push_back({"natural fire-tier1",
               Domain::Natural,
               "Fire emissions by the 2006 IPCC Guidelines Vol 4 Ch 2 Eq 2.27 (area burned x fuel consumed x "
               "emission factor) from a CSV of area burned (ha) per vegetation type, with the defaults of Tables 2.4 "
               "and 2.5, in t per species, with 95 % ranges (Vol 1 Eq 3.1) and totals. Crop residue burning is "
               "stored as direct anthropogenic on managed land, other vegetation as natural.",
               tier1_schema(),
               {"tests/fixtures/natural/fire_areas.csv", "--species", "CO2,CH4,N2O", "--area-uncertainty", "20"},
               true,
               false,
               [](Context& ctx, const Params& p) { return tier1_result(nat::natural_fire_tier1(ctx, p)); }});
  t.push_back({"natural account",
               Domain::Natural,
               "The natural side of the account from the natural fluxes stored by the other natural commands, in t "
               "CO2e with the chosen GWP100 set (default AR5, as UNFCCC reporting): per module and in total, the "
               "national-inventory view (managed land), the global-carbon-budget view (direct anthropogenic), their "
               "difference (Grassi et al. 2018) and the natural remainder, with ranges added as fully correlated. "
               "Needs the database; run `natural afolu` or another natural command first.",
               account_schema(),
               {"--gwp", "AR5"},
               false,
               false,
               [](Context& ctx, const Params& p) { return account_result(nat::natural_account_run(ctx, p)); }});
}

}  // namespace panocarbon::registry
