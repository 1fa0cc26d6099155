// `natural account` (issue 6; docs/natural-account.md): the natural side of the account from the database's
// natural_fluxes, in t CO2-e: national-inventory view, global-carbon-budget view, their difference, and the
// natural remainder, per module and in total.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <set>

#include "cli.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/natural_account.hpp"

namespace pc = panocarbon;
namespace nat = panocarbon::natural;

namespace {
const char* kRunFirst =
    "run `panocarbon natural afolu FILE`, `natural fire-tier1 FILE`, `natural sinks` or `natural methane` first, "
    "with the same --db";

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
std::string cell(const nat::AccountSum& s) {
  if (s.lower == s.value && s.upper == s.value) return fmt::format("{:.6g}", s.value);
  return fmt::format("{:.6g} [{:.6g}, {:.6g}]", s.value, s.lower, s.upper);
}

void account(const pc::Params& p) {
  const std::string region = p.has("region") ? p.str("region") : std::string();
  const int year = p.has("year") ? static_cast<int>(p.integer("year")) : 0;
  const bool all_runs = p.flag("all-runs");
  const pc::GwpSet& gwp = pc::GwpTable::builtin().set(p.str("gwp"));
  pc::Store& store = cli::store_for(p);
  const auto records = store.natural_fluxes("", region, year, all_runs);
  if (records.empty()) {
    const auto every = store.natural_fluxes("", "", 0, true);
    if (every.empty())
      throw pc::Error(pc::ErrorCategory::NotFound, fmt::format("the database has no natural fluxes yet; {}", kRunFirst),
                      pc::ErrorContext{});
    std::set<std::string> regions;
    std::set<int> years;
    for (const auto& r : every) {
      regions.insert(r.region.empty() ? "\"\"" : r.region);
      years.insert(r.year);
    }
    throw pc::Error(
        pc::ErrorCategory::NotFound,
        fmt::format(
            "no natural fluxes for {}{}{} in the database (it has regions {} and years {}); {} (`natural afolu` "
            "takes region and year columns, `natural fire-tier1` --region and --year)",
            region.empty() ? "" : "region '" + region + "'", !region.empty() && year ? " and " : "",
            year ? "year " + std::to_string(year) : "", fmt::join(regions, ", "), fmt::join(years, ", "), kRunFirst),
        pc::ErrorContext{{}, 0, 0, region.empty() ? "year" : "region"});
  }
  const nat::NaturalAccount acc = nat::natural_account(records, gwp);
  const std::string format = p.str("format");
  if (format == "json") {
    auto mods = nlohmann::json::array();
    for (const auto& l : acc.modules) mods.push_back(line_json(l));
    std::cout << nlohmann::json{{"unit", "t CO2-e"},
                                {"gwp", acc.gwp_set},
                                {"gwp_document", acc.gwp_document},
                                {"region", region},
                                {"year", year},
                                {"runs", all_runs ? "all" : "latest of each command"},
                                {"views",
                                 {{"national_inventory",
                                   "records on managed land, any origin (IPCC managed-land proxy)"},
                                  {"global_carbon_budget", "direct anthropogenic records only (GCB E_LUC)"},
                                  {"inventory_minus_budget",
                                   "national_inventory - global_carbon_budget (Grassi et al. 2018)"},
                                  {"natural_remainder", "records neither on managed land nor direct anthropogenic"}}},
                                {"ranges",
                                 "sums of the records' lower and upper ends (fully correlated); a record without a "
                                 "range adds its value to both"},
                                {"modules", mods},
                                {"total", line_json(acc.total)},
                                {"skipped", acc.skipped}}
                     .dump(2)
              << '\n';
  } else if (format == "csv") {
    fmt::print(
        "module,records,records_with_range,inventory_t_co2e,inventory_lower,inventory_upper,budget_t_co2e,"
        "budget_lower,budget_upper,difference_t_co2e,difference_lower,difference_upper,remainder_t_co2e,"
        "remainder_lower,remainder_upper,total_t_co2e,total_lower,total_upper,gwp\n");
    auto row = [&](const nat::AccountLine& l, const std::string& name) {
      fmt::print("{},{},{}", pc::csv_field(name), l.records, l.with_range);
      for (const auto* s : {&l.inventory, &l.budget, &l.difference, &l.remainder, &l.total})
        fmt::print(",{},{},{}", s->value, s->lower, s->upper);
      fmt::print(",{}\n", acc.gwp_set);
    };
    for (const auto& l : acc.modules) row(l, l.module);
    row(acc.total, "total");
  } else {
    fmt::print("Natural side of the account, t CO2-e (GWP100 {}, {}){}{}; {}\n", acc.gwp_set, acc.gwp_document,
               region.empty() ? "" : ", region " + region, year ? ", year " + std::to_string(year) : "",
               all_runs ? "all runs" : "latest run of each command");
    fmt::print("{:<12} {:>7}  {:<40} {:<40} {:<40} {:<40} {}\n", "module", "records", "national inventory",
               "global carbon budget", "inventory - budget", "natural remainder", "total");
    auto row = [&](const nat::AccountLine& l, const std::string& name) {
      fmt::print("{:<12} {:>7}  {:<40} {:<40} {:<40} {:<40} {}\n", name, l.records, cell(l.inventory), cell(l.budget),
                 cell(l.difference), cell(l.remainder), cell(l.total));
    };
    for (const auto& l : acc.modules) row(l, l.module);
    row(acc.total, "total");
    fmt::print(
        "national inventory: managed land, any origin; global carbon budget: direct anthropogenic only "
        "(Grassi et al. 2018); ranges [lower, upper] add as fully correlated\n");
    for (const auto& s : acc.skipped) fmt::print("not in CO2-e: {}\n", s);
  }
}
}  // namespace

namespace cli {
void add_natural_account_handlers(std::map<std::string, Handler>& h) { h["natural account"] = account; }
}  // namespace cli
