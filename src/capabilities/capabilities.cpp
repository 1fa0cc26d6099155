#include <fmt/format.h>

#include <cctype>
#include <cstdint>

#include "core/text.hpp"
#include "panocarbon/run_log.hpp"
#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon {

namespace {
}  // namespace

bool NamedInput::is_json() const {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && iequals(std::string_view(name).substr(name.size() - ext.size()), ext);
  };
  if (ends(".json")) return true;
  if (ends(".csv")) return false;
  // No telling extension (standard input, a pipe): JSON starts with an object or an array.
  const auto first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

namespace {
ActivityData parse(const NamedInput& in) {
  return in.is_json() ? read_activity_json(in.text, in.name) : read_activity_csv(in.text, in.name);
}

CalcOptions calc_options(const Params& p) {
  CalcOptions o;
  if (p.has("gwp")) o.gwp = p.str("gwp");
  if (p.has("edition")) o.edition = std::stoi(p.str("edition"));
  o.skip_missing = p.flag("skip-missing");
  if (p.has("country")) o.country = p.str("country");
  if (p.has("year")) o.year = static_cast<int>(p.integer("year"));
  return o;
}

}  // namespace

InventoryRun inventory_calc(Store& store, const Params& p, const NamedInput& input, std::string_view command) {
  const std::string by = p.has("by") ? p.str("by") : "category";
  validate_inventory_output(by, p.has("format") ? p.str("format") : "table");
  InventoryRun out;
  out.library = store.load_factor_library();
  out.data = parse(input);
  const auto& tree = CategoryTree::ipcc2006();
  const nlohmann::json inputs = nlohmann::json::array({describe_input(input.name, input.text)});
  out.run_id = store.begin_run(command, inputs, p.json());
  out.result = logged(store, out.run_id, [&] {
    InventoryResult r = calculate_inventory(out.data, out.library, tree, calc_options(p));
    require_single_country_year(r, by);
    return r;
  });
  const InventoryResult& r = out.result;
  // Totals are stored for one country-year only: sums across years are not an inventory.
  if (r.country_years.size() <= 1) {
    std::vector<ResultRecord> records;
    for (const auto& c : totals_by_category(r, tree)) records.push_back({c.code, "CO2e", c.co2e_t, "t"});
    for (const auto& g : totals_by_gas(r)) records.push_back({"gas", g.gas, g.emissions_t, "t"});
    store.save_results(out.run_id, records);
  }
  nlohmann::json summary = {{"rows", r.rows_computed}, {"lines", r.lines.size()}, {"gwp", r.gwp_set},
                    {"edition", r.edition}, {"warnings", r.warnings.size()}, {"country_years", r.country_years}};
  if (r.country_years.size() <= 1) {
    summary["total_co2e_t"] = r.total_co2e_t;
    summary["memo_co2_biogenic_t"] = r.memo_co2_biogenic_t;
    summary["memo_international_bunkers_co2e_t"] = r.memo_bunkers_co2e_t;
  }
  store.finish_run(out.run_id, "ok", summary);
  out.provenance = {{"run_id", out.run_id},
                    {"database", store.path().string()},
                    {"input", inputs[0]},
                    {"factor_library", out.library.source()},
                    {"version", version()}};
  return out;
}

ReferenceRun inventory_reference(Store& store, const Params& p, const NamedInput& supply,
                                 const std::optional<NamedInput>& sectoral) {
  const FactorLibrary lib = store.load_factor_library();
  const auto rows = read_fuel_supply_csv(supply.text, supply.name);
  nlohmann::json inputs = nlohmann::json::array({describe_input(supply.name, supply.text)});
  std::optional<ActivityData> sd;
  std::optional<InventoryResult> sr;
  if (sectoral) {
    inputs.push_back(describe_input(sectoral->name, sectoral->text));
    sd = parse(*sectoral);
    CalcOptions o = calc_options(p);
    o.skip_missing = true;  // only CO2 is compared
    sr = calculate_inventory(*sd, lib, CategoryTree::ipcc2006(), o);
    if (sr->country_years.size() > 1)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the sectoral file covers {} country-years; the reference approach compares one "
                              "country and year: give a file with one", sr->country_years.size()),
                  ErrorContext{sectoral->name, 0, 0, "compare"});
  }
  ReferenceRun out;
  out.run_id = store.begin_run("inventory reference", inputs, p.json());
  out.result = logged(store, out.run_id, [&] {
    return reference_approach(rows, lib, supply.name, sd ? &*sd : nullptr, sr ? &*sr : nullptr);
  });
  std::vector<ResultRecord> rec = {{"reference_approach", "CO2", out.result.co2_t, "t"}};
  if (out.result.sectoral_co2_t) rec.push_back({"sectoral_approach", "CO2", *out.result.sectoral_co2_t, "t"});
  store.save_results(out.run_id, rec);
  nlohmann::json summary = {{"reference_co2_t", out.result.co2_t}};
  if (out.result.difference_pct) summary["difference_pct"] = *out.result.difference_pct;
  store.finish_run(out.run_id, "ok", summary);
  return out;
}

std::vector<const EmissionFactor*> factors_list(const FactorLibrary& lib, const Params& p) {
  std::string activity;
  if (p.has("activity")) {
    const auto a = lib.resolve_activity(p.str("activity"));
    if (!a)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown activity '{}'; did you mean {}?", p.str("activity"),
                              fmt::join(lib.suggest_activity(p.str("activity")), ", ")),
                  ErrorContext{{}, 0, 0, "activity"});
    activity = *a;
  }
  const std::string gas = p.has("gas") ? canonical_gas(p.str("gas")) : "";
  const std::string category = p.has("category") ? normalise_category_code(p.str("category")) : "";
  const std::string edition = p.has("edition") ? p.str("edition") : "any";
  const auto limit = p.has("limit") ? static_cast<size_t>(p.integer("limit")) : SIZE_MAX;
  std::vector<const EmissionFactor*> out;
  for (const auto& f : lib.factors()) {
    if (out.size() >= limit) break;
    if (!activity.empty() && f.activity != activity) continue;
    if (!gas.empty() && f.gas != gas) continue;
    if (!category.empty() && !category_has_prefix(category, f.category)) continue;
    if (edition != "any" && std::to_string(f.edition) != edition) continue;
    out.push_back(&f);
  }
  return out;
}

}  // namespace panocarbon
