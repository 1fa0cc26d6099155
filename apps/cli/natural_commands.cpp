// `natural sinks|methane|afolu` (issue 6): the Global Carbon Budget's sinks with the budget identity, the Global
// Methane Budget's natural CH4 sources, and IPCC 2006 Tier 1 forest land. Each prints its result and, unless
// --no-store, writes it to the database's natural_fluxes table (one run in the run log).
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/natural.hpp"
#include "panocarbon/provenance.hpp"

namespace pc = panocarbon;
namespace nat = panocarbon::natural;

namespace {
std::string num(double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); }

void store_fluxes(const pc::Params& p, const std::string& command, const nlohmann::json& inputs,
                  const std::vector<pc::NaturalFluxRecord>& rows, const nlohmann::json& summary) {
  if (p.flag("no-store")) return;
  pc::Store& store = cli::store_for(p);
  const int64_t run = store.begin_run(command, inputs, p.json());
  try {
    store.save_natural_fluxes(run, rows);
  } catch (const pc::Error& e) {
    store.finish_run(run, "failed", {{"error", e.what()}});
    throw;
  }
  store.finish_run(run, "ok", summary);
}

// ---- sinks --------------------------------------------------------------------------------------------------
void sinks(const pc::Params& p) {
  const std::string folder = p.str("data");
  const nat::CarbonBudget cb = nat::read_carbon_budget(folder);
  const bool co2 = p.str("unit") == "GtCO2";
  const double k = co2 ? nat::kCo2PerC : 1.0;
  const std::string unit = co2 ? "GtCO2/yr" : "GtC/yr";
  int from = cb.years.front().year, to = cb.years.back().year;
  if (p.has("year")) from = to = static_cast<int>(p.integer("year"));
  if (p.has("from")) from = static_cast<int>(p.integer("from"));
  if (p.has("to")) to = static_cast<int>(p.integer("to"));
  if (from > to)
    throw pc::Error(pc::ErrorCategory::InvalidInput, fmt::format("--from {} is after --to {}", from, to),
                    pc::ErrorContext{{}, 0, 0, "from"});
  std::vector<nat::BudgetYear> ys;
  for (const auto& y : cb.years)
    if (y.year >= from && y.year <= to) ys.push_back(y);
  if (ys.empty())
    throw pc::Error(pc::ErrorCategory::NotFound,
                    fmt::format("no year between {} and {} in the budget (it covers {}-{})", from, to,
                                cb.years.front().year, cb.years.back().year),
                    pc::ErrorContext{folder + "/global-carbon-budget.csv", 0, 0, p.has("year") ? "year" : "from"});
  const double tol = nat::rounding_tolerance(3);
  double worst = 0;
  int worst_year = 0;
  for (const auto& y : ys)
    if (std::abs(y.residual()) > worst) worst = std::abs(y.residual()), worst_year = y.year;
  auto range = [&](const std::map<int, std::pair<double, double>>& m, int year) -> std::pair<double, double> {
    const auto it = m.find(year);
    if (it == m.end()) return {std::nan(""), std::nan("")};
    return {it->second.first * k, it->second.second * k};
  };
  const std::string format = p.str("format");
  if (format == "csv") {
    fmt::print(
        "year,fossil,land_use_change,atmospheric_growth,ocean_sink,land_sink,budget_imbalance,residual,unit,"
        "luc_min,luc_max,ocean_min,ocean_max,land_min,land_max\n");
    for (const auto& y : ys) {
      const auto l = range(cb.luc_range, y.year), o = range(cb.ocean_range, y.year), s = range(cb.land_range, y.year);
      fmt::print("{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{},{},{},{},{}\n", y.year, y.fossil * k,
                 y.land_use_change * k, y.atmospheric_growth * k, y.ocean_sink * k, y.land_sink * k, y.imbalance * k,
                 y.residual() * k, unit, num(l.first), num(l.second), num(o.first), num(o.second), num(s.first),
                 num(s.second));
    }
  } else if (format == "json") {
    auto arr = nlohmann::json::array();
    for (const auto& y : ys) {
      const auto l = range(cb.luc_range, y.year), o = range(cb.ocean_range, y.year), s = range(cb.land_range, y.year);
      nlohmann::json j = {{"year", y.year},
                          {"fossil", y.fossil * k},
                          {"land_use_change", y.land_use_change * k},
                          {"atmospheric_growth", y.atmospheric_growth * k},
                          {"ocean_sink", y.ocean_sink * k},
                          {"land_sink", y.land_sink * k},
                          {"budget_imbalance", y.imbalance * k},
                          {"residual", y.residual() * k}};
      if (!std::isnan(l.first)) j["land_use_change_models"] = {l.first, l.second};
      if (!std::isnan(o.first)) j["ocean_sink_models"] = {o.first, o.second};
      if (!std::isnan(s.first)) j["land_sink_models"] = {s.first, s.second};
      arr.push_back(j);
    }
    const nlohmann::json out = {
        {"source", "Global Carbon Budget 2019 (Friedlingstein et al. 2019, Earth Syst. Sci. Data 11, 1783-1838)"},
        {"unit", unit},
        {"identity", "fossil + land_use_change = atmospheric_growth + ocean_sink + land_sink + budget_imbalance"},
        {"max_abs_residual", worst * k},
        {"rounding_tolerance", tol * k},
        {"tags",
         {{"fossil", "direct-anthropogenic"},
          {"land_use_change", "direct-anthropogenic, managed land (bookkeeping models)"},
          {"ocean_sink", "natural + indirect-anthropogenic, unmanaged"},
          {"land_sink", "natural + indirect-anthropogenic, managed and unmanaged land (DGVMs)"}}},
        {"notes", cb.notes},
        {"years", arr}};
    std::cout << out.dump(2) << '\n';
  } else {
    fmt::print("Global Carbon Budget 2019 (Friedlingstein et al. 2019, ESSD 11, 1783-1838), {}\n", unit);
    fmt::print("{:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "year", "fossil", "LUC", "atm", "ocean", "land",
               "imbal", "residual");
    for (const auto& y : ys)
      fmt::print("{:>6} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.4f}\n", y.year, y.fossil * k,
                 y.land_use_change * k, y.atmospheric_growth * k, y.ocean_sink * k, y.land_sink * k, y.imbalance * k,
                 y.residual() * k);
    fmt::print(
        "identity fossil + LUC = atm + ocean + land + imbalance: max |residual| {:.4f} {} ({}), rounding "
        "allows {:.4f}\n",
        worst * k, unit, worst_year, tol * k);
    for (const auto& n : cb.notes) fmt::print("note: {}\n", n);
  }
  if (worst > tol)
    fmt::print(stderr, "warning: the budget identity is off by {:.4f} GtC/yr in {}, more than rounding ({:.4f})\n",
               worst, worst_year, tol);
  std::vector<pc::NaturalFluxRecord> rows;
  for (const auto& y : ys) {
    auto add = [&](const char* what, double gtc, const char* origin, const char* management,
                   std::pair<double, double> rg) {
      pc::NaturalFluxRecord r;
      r.module = "sinks";
      r.source = "Global Carbon Budget 2019";
      r.region = "World";
      r.year = y.year;
      r.species = "CO2";
      r.value = gtc * nat::kCo2PerC * 1e9;
      if (!std::isnan(rg.first)) {
        r.lower = std::min(rg.first, rg.second) / k * nat::kCo2PerC * 1e9 * (gtc < 0 ? -1 : 1);
        r.upper = std::max(rg.first, rg.second) / k * nat::kCo2PerC * 1e9 * (gtc < 0 ? -1 : 1);
        if (r.lower > r.upper) std::swap(r.lower, r.upper);
      }
      r.unit = "t CO2";
      r.origin = origin;
      r.management = management;
      r.method = "GCB 2019";
      r.note = what;
      rows.push_back(r);
    };
    add("land-use change (E_LUC)", y.land_use_change, nat::origin_text(nat::Driver::DirectAnthropogenic), "managed",
        range(cb.luc_range, y.year));
    add("ocean sink (S_OCEAN)", -y.ocean_sink, "natural+indirect anthropogenic", "unmanaged",
        range(cb.ocean_range, y.year));
    add("land sink (S_LAND)", -y.land_sink, "natural+indirect anthropogenic", "", range(cb.land_range, y.year));
  }
  store_fluxes(p, "natural sinks", {{"data", folder}}, rows,
               {{"years", ys.size()}, {"max_abs_residual_gtc", worst}, {"rounding_tolerance_gtc", tol}});
}

// ---- methane ------------------------------------------------------------------------------------------------
void methane(const pc::Params& p) {
  const std::string file = p.str("data");
  const nat::MethaneBudget mb = nat::read_methane_budget(file);
  const std::string period = p.str("period");
  std::vector<std::string> approaches = {"bottom-up", "top-down"};
  if (p.str("approach") != "both") approaches = {p.str("approach")};
  const std::string format = p.str("format");
  // Sub-sources of "Other natural sources" are given for 2000-2009 only; the table's "Other natural sources" is the
  // same in every period (222 [143-306] bottom-up), so the breakdown of 2000-2009 is carried over and marked.
  const std::string breakdown = "2000-2009";
  struct Line {
    const nat::MethaneSource* src;
    std::string approach;
    nat::MethaneEstimate e;
    std::string period_used;
  };
  std::vector<Line> lines;
  for (const auto& s : mb.rows) {
    if (!p.flag("all") && s.group != "natural") continue;
    for (const auto& a : approaches) {
      auto it = s.values.find({period, a});
      std::string used = period;
      if (it == s.values.end() && !s.parent.empty()) {
        it = s.values.find({breakdown, a});
        used = breakdown;
      }
      if (it == s.values.end()) continue;
      lines.push_back({&s, a, it->second, used});
    }
  }
  if (p.has("scale-file")) {
    const std::string sf = p.str("scale-file");
    const auto reg = nat::scale_to_regions(mb, period, approaches.front(), pc::read_file(sf), sf);
    if (format == "json") {
      auto arr = nlohmann::json::array();
      for (const auto& r : reg)
        arr.push_back({{"region", r.region},
                       {"source", r.source},
                       {"user_flux", r.user_flux},
                       {"share", r.share},
                       {"mean", r.mean},
                       {"min", r.min},
                       {"max", r.max},
                       {"budget_over_user_total", r.factor},
                       {"cell", r.cell}});
      std::cout << nlohmann::json{{"unit", "Tg CH4/yr"},
                                  {"period", period},
                                  {"approach", approaches.front()},
                                  {"method", "prior(r,s) = F(r,s) / sum_r F(r,s) x global prior(s)"},
                                  {"regions", arr}}
                       .dump(2)
                << '\n';
    } else {
      fmt::print("region,source,user_flux,share,mean_tg,min_tg,max_tg,budget_over_user_total,cell\n");
      for (const auto& r : reg)
        fmt::print("{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", pc::csv_field(r.region), pc::csv_field(r.source),
                   r.user_flux, r.share, r.mean, r.min, r.max, r.factor, r.cell);
    }
    std::vector<pc::NaturalFluxRecord> rows;
    for (const auto& r : reg) {
      pc::NaturalFluxRecord f;
      f.module = "methane";
      f.source = file;
      f.region = r.region;
      f.year = std::stoi(period.substr(period.size() - 4));
      f.species = "CH4";
      f.value = r.mean * 1e6;
      f.lower = r.min * 1e6;
      f.upper = r.max * 1e6;
      f.unit = "t CH4";
      f.origin = "natural";
      f.method = "GMB 2020 Table 3 " + approaches.front() + " " + period + ", scaled by " + p.str("scale-file");
      f.note = r.source;
      rows.push_back(f);
    }
    store_fluxes(p, "natural methane", {{"data", file}, {"scale_file", p.str("scale-file")}}, rows,
                 {{"regions", reg.size()}});
    return;
  }
  if (format == "csv") {
    fmt::print("source,parent,group,period,approach,mean_tg,min_tg,max_tg,cell,note\n");
    for (const auto& l : lines)
      fmt::print("{},{},{},{},{},{},{},{},{},{}\n", pc::csv_field(l.src->name), pc::csv_field(l.src->parent),
                 l.src->group, l.period_used, l.approach, l.e.mean, l.e.min, l.e.max, l.e.cell,
                 pc::csv_field(l.period_used != period ? "breakdown of " + breakdown + " (not given for " + period + ")"
                                                       : l.src->note));
  } else if (format == "json") {
    auto arr = nlohmann::json::array();
    for (const auto& l : lines)
      arr.push_back({{"source", l.src->name},
                     {"parent", l.src->parent},
                     {"group", l.src->group},
                     {"period", l.period_used},
                     {"approach", l.approach},
                     {"mean", l.e.mean},
                     {"min", l.e.min},
                     {"max", l.e.max},
                     {"cell", l.e.cell},
                     {"note", l.src->note}});
    std::cout << nlohmann::json{{"source", "Saunois et al. (2020), Earth Syst. Sci. Data 12, 1561-1623, Table 3"},
                                {"unit", "Tg CH4/yr"},
                                {"period", period},
                                {"rows", arr}}
                     .dump(2)
              << '\n';
  } else {
    fmt::print(
        "Global Methane Budget (Saunois et al. 2020, ESSD 12, 1561-1623, Table 3), {}, Tg CH4/yr, mean "
        "[min-max]\n",
        period);
    for (const auto& l : lines)
      fmt::print("{:<50} {:<10} {:>6.0f} [{:.0f}-{:.0f}]{}\n", (l.src->parent.empty() ? "" : "  ") + l.src->name,
                 l.approach, l.e.mean, l.e.min, l.e.max,
                 l.period_used != period ? "  (" + breakdown + " breakdown)" : "");
    for (const auto& s : mb.rows)
      if (!s.note.empty() && (p.flag("all") || s.group == "natural")) fmt::print("note: {}: {}\n", s.name, s.note);
  }
  std::vector<pc::NaturalFluxRecord> rows;
  for (const auto& l : lines) {
    if (l.src->group != "natural") continue;
    pc::NaturalFluxRecord f;
    f.module = "methane";
    f.source = file;
    f.region = "World";
    f.year = std::stoi(period.substr(period.size() - 4));
    f.species = "CH4";
    f.value = l.e.mean * 1e6;
    f.lower = l.e.min * 1e6;
    f.upper = l.e.max * 1e6;
    f.unit = "t CH4";
    f.origin = "natural";
    f.management = l.src->name == "Wetlands" || l.src->parent == "Oceanic sources" ? "unmanaged" : "";
    f.method = "GMB 2020 Table 3 " + l.approach + " " + l.period_used + " cell " + l.e.cell;
    f.note = l.src->name;
    rows.push_back(f);
  }
  store_fluxes(p, "natural methane", {{"data", file}}, rows, {{"rows", rows.size()}});
}

// ---- forest land and fires on it ----------------------------------------------------------------------------
// One output line of `natural afolu`: a forest row's CO2, or one gas of a fire row.
struct AfoluLine {
  std::string id, method, region, species;
  int year = 0;
  bool forest = false;
  double gains_tc = 0, losses_tc = 0, delta_c_tc = 0, t = 0, lower = std::nan(""), upper = std::nan("");
  nat::LandTag tag;
  std::vector<std::string> defaults;
  bool memo = false;  // CO2 of a forest fire: shown, not counted (Eq 2.14 counts it)
};

void afolu(const pc::Params& p) {
  const std::string file = p.str("file");
  const std::string text = pc::read_file(file);
  std::vector<nat::ForestRow> rows;
  try {
    rows = nat::read_forest_rows(text, file);
  } catch (const pc::Error& e) {
    throw e.with_context(pc::ErrorContext{file});
  }
  const auto& d = nat::AfoluDefaults::builtin();
  std::vector<AfoluLine> lines;
  for (const auto& r : rows) {
    try {
      if (r.method == "fire") {
        const auto f = nat::afolu_fire(r);
        for (const auto& g : f.gases)
          lines.push_back({f.id, "fire", f.region, g.species, f.year, false, 0, 0, 0, g.t, g.lower_t, g.upper_t, f.tag,
                           f.defaults_used, false});
        if (f.co2_memo_t > 0)
          lines.push_back({f.id,
                           "fire",
                           f.region,
                           "CO2_memo",
                           f.year,
                           false,
                           0,
                           0,
                           0,
                           f.co2_memo_t,
                           std::nan(""),
                           std::nan(""),
                           f.tag,
                           {"not counted: forest biomass CO2 is the Eq 2.14 disturbance loss"},
                           true});
      } else {
        const auto x = nat::forest_calc(r, d);
        lines.push_back({x.id, x.method, x.region, "CO2", x.year, true, x.gains_tc, x.losses_tc, x.delta_c_tc, x.co2_t,
                         x.co2_lower_t, x.co2_upper_t, x.tag, x.defaults_used, false});
      }
    } catch (const pc::Error& e) {
      throw e.with_context(pc::ErrorContext{file, r.line});
    }
  }
  // Totals per species (t gas/yr): all rows, national inventory (managed land), direct anthropogenic only.
  struct Sums {
    double total = 0, managed = 0, direct = 0;
  };
  std::map<std::string, Sums> sums;
  for (const auto& l : lines) {
    auto& s = sums[l.species];
    s.total += l.t;
    if (l.memo) continue;
    if (l.tag.in_national_inventory()) s.managed += l.t;
    if (l.tag.in_global_budget_anthropogenic()) s.direct += l.t;
  }
  const Sums co2 = sums["CO2"];
  const std::string format = p.str("format");
  if (format == "json") {
    auto arr = nlohmann::json::array();
    for (const auto& l : lines) {
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
    for (const auto& [sp, s] : sums)
      totals[sp] = {{"total_t", s.total},
                    {"national_inventory_t", s.managed},
                    {"direct_anthropogenic_t", s.direct},
                    {"inventory_minus_direct_t", s.managed - s.direct}};
    std::cout << nlohmann::json{{"unit", "t C/yr and t gas/yr (emissions > 0, removals < 0)"},
                                {"rows", arr},
                                {"totals", totals},
                                {"total_co2_t", co2.total},
                                {"national_inventory_co2_t", co2.managed},
                                {"direct_anthropogenic_co2_t", co2.direct},
                                {"inventory_minus_direct_co2_t", co2.managed - co2.direct}}
                     .dump(2)
              << '\n';
  } else if (format == "csv") {
    fmt::print(
        "id,method,region,year,species,gains_tc,losses_tc,delta_c_tc,emission_t,lower_t,upper_t,driver,managed,"
        "defaults\n");
    for (const auto& l : lines)
      fmt::print("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", pc::csv_field(l.id), l.method, pc::csv_field(l.region),
                 l.year ? std::to_string(l.year) : "", l.species, l.forest ? num(l.gains_tc) : "",
                 l.forest ? num(l.losses_tc) : "", l.forest ? num(l.delta_c_tc) : "", l.t, num(l.lower), num(l.upper),
                 nat::to_string(l.tag.driver), l.tag.managed ? "yes" : "no",
                 pc::csv_field(fmt::format("{}", fmt::join(l.defaults, ";"))));
    for (const auto& [sp, s] : sums) fmt::print("total,,,,{},,,,{},,,,,\n", sp, s.total);
  } else {
    fmt::print(
        "IPCC 2006 Vol 4 Tier 1: forest land remaining forest land (t C/yr) and fires (Eq 2.27); t gas/yr, "
        "removals < 0, [95 % range]\n");
    fmt::print("{:<16} {:<17} {:<8} {:>14} {:>14} {:>14} {:>16}  {:<29} {}\n", "id", "method", "gas", "gains", "losses",
               "delta_C", "emission_t", "range", "tag");
    for (const auto& l : lines)
      fmt::print("{:<16} {:<17} {:<8} {:>14} {:>14} {:>14} {:>16.8g}  {:<29} {}, {}{}\n", l.id, l.method, l.species,
                 l.forest ? fmt::format("{:.6g}", l.gains_tc) : "", l.forest ? fmt::format("{:.6g}", l.losses_tc) : "",
                 l.forest ? fmt::format("{:.6g}", l.delta_c_tc) : "", l.t,
                 std::isnan(l.lower) ? "" : fmt::format("[{:.6g}, {:.6g}]", l.lower, l.upper),
                 nat::to_string(l.tag.driver), l.tag.managed ? "managed" : "unmanaged",
                 l.memo ? " (memo, not counted)" : "");
    fmt::print(
        "total {:.8g} t CO2/yr; national inventory (managed land) {:.8g}; direct anthropogenic only (global "
        "budget's E_LUC view) {:.8g}; difference {:.8g} (Grassi et al. 2018)\n",
        co2.total, co2.managed, co2.direct, co2.managed - co2.direct);
    for (const auto& [sp, s] : sums)
      if (sp != "CO2" && sp != "CO2_memo")
        fmt::print("{}: total {:.8g} t/yr; national inventory {:.8g}; direct anthropogenic {:.8g}\n", sp, s.total,
                   s.managed, s.direct);
    for (const auto& l : lines) {
      if (l.memo)
        fmt::print(
            "note: {}: forest-fire CO2 {:.8g} t is not counted here; IPCC 2006 Vol 4 Ch 2 counts it as the "
            "disturbance loss (Eq 2.14) of the forest row\n",
            l.id, l.t);
      for (const auto& u : l.defaults)
        if (u.find("unconfirmed") != std::string::npos) fmt::print("note: {} used {}\n", l.id, u);
    }
  }
  std::vector<pc::NaturalFluxRecord> out;
  for (const auto& l : lines) {
    if (l.memo) continue;
    pc::NaturalFluxRecord f;
    f.module = l.forest ? "forest" : "afolu-fire";
    f.source = file;
    f.region = l.region;
    f.year = l.year;
    f.species = l.species;
    f.value = l.t;
    f.lower = l.lower;
    f.upper = l.upper;
    f.unit = "t " + l.species;
    f.origin = nat::origin_text(l.tag.driver);
    f.management = l.tag.managed ? "managed" : "unmanaged";
    f.method = l.forest ? "IPCC 2006 Vol 4 " + std::string(l.method == "gain-loss" ? "Eq 2.7, 2.9-2.14" : "Eq 2.8")
                        : "IPCC 2006 Vol 4 Ch 2 Eq 2.27, Tables 2.4 and 2.5";
    f.note = l.id;
    out.push_back(f);
  }
  store_fluxes(p, "natural afolu", pc::describe_input(file, text), out,
               {{"total_co2_t", co2.total},
                {"national_inventory_co2_t", co2.managed},
                {"direct_anthropogenic_co2_t", co2.direct}});
}
}  // namespace

namespace cli {
void add_natural_handlers(std::map<std::string, Handler>& h) {
  h["natural sinks"] = sinks;
  h["natural methane"] = methane;
  h["natural afolu"] = afolu;
}
}  // namespace cli
