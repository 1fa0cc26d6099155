#include <fmt/format.h>

#include <cctype>
#include <cstdint>

#include "core/text.hpp"
#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"

namespace panocarbon {

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

InventoryRun inventory_calc(Context& ctx, const Params& p, const NamedInput& input) {
  const std::string by = p.has("by") ? p.str("by") : "category";
  validate_inventory_output(by, "table");
  InventoryRun out;
  out.library = ctx.has_store() ? ctx.store().load_factor_library() : FactorLibrary::builtin();
  out.data = parse(input);
  const auto& tree = CategoryTree::ipcc2006();
  InventoryResult r = calculate_inventory(out.data, out.library, tree, calc_options(p));
  require_single_country_year(r, by);
  out.result = std::move(r);
  const InventoryResult& res = out.result;
  // Totals are stored for one country-year only: sums across years are not an inventory.
  if (res.country_years.size() <= 1 && ctx.run_id()) {
    std::vector<ResultRecord> records;
    for (const auto& c : totals_by_category(res, tree)) records.push_back({c.code, "CO2e", c.co2e_t, "t"});
    for (const auto& g : totals_by_gas(res)) records.push_back({"gas", g.gas, g.emissions_t, "t"});
    ctx.store().save_results(ctx.run_id(), records);
  }
  out.summary = {{"rows", res.rows_computed}, {"lines", res.lines.size()}, {"gwp", res.gwp_set},
                 {"edition", res.edition}, {"warnings", res.warnings.size()}, {"country_years", res.country_years}};
  if (res.country_years.size() <= 1) {
    out.summary["total_co2e_t"] = res.total_co2e_t;
    out.summary["memo_co2_biogenic_t"] = res.memo_co2_biogenic_t;
    out.summary["memo_international_bunkers_co2e_t"] = res.memo_bunkers_co2e_t;
  }
  return out;
}

ReferenceRun inventory_reference(Context& ctx, const Params& p, const NamedInput& supply,
                                 const std::optional<NamedInput>& sectoral) {
  const FactorLibrary lib = ctx.has_store() ? ctx.store().load_factor_library() : FactorLibrary::builtin();
  const auto rows = read_fuel_supply_csv(supply.text, supply.name);
  std::optional<ActivityData> sd;
  std::optional<InventoryResult> sr;
  if (sectoral) {
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
  out.result = reference_approach(rows, lib, supply.name, sd ? &*sd : nullptr, sr ? &*sr : nullptr);
  std::vector<ResultRecord> rec = {{"reference_approach", "CO2", out.result.co2_t, "t"}};
  if (out.result.sectoral_co2_t) rec.push_back({"sectoral_approach", "CO2", *out.result.sectoral_co2_t, "t"});
  if (ctx.run_id()) ctx.store().save_results(ctx.run_id(), rec);
  out.summary = {{"reference_co2_t", out.result.co2_t}};
  if (out.result.difference_pct) out.summary["difference_pct"] = *out.result.difference_pct;
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
