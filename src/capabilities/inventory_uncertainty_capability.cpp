// `inventory uncertainty`: one library call that parses the input and computes Approach 1 or 2 (the registry
// logs the run).
#include <fmt/format.h>

#include "panocarbon/error.hpp"
#include "panocarbon/inventory_uncertainty.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon {

namespace {
UncertaintyOptions uncertainty_options(const Params& p) {
  UncertaintyOptions o;
  if (p.has("by")) o.by = p.str("by");
  if (p.has("gwp")) o.calc.gwp = p.str("gwp");
  if (p.has("edition")) o.calc.edition = std::stoi(p.str("edition"));
  o.calc.skip_missing = p.flag("skip-missing");
  if (p.has("country")) o.calc.country = p.str("country");
  if (p.has("year")) o.calc.year = static_cast<int>(p.integer("year"));
  if (p.has("base-year")) o.base_year = static_cast<int>(p.integer("base-year"));
  if (p.has("activity-uncertainty")) o.activity_uncertainty_pct = p.number("activity-uncertainty");
  return o;
}

void save_lines(Context& ctx, const InventoryUncertainty& r) {
  if (!ctx.run_id()) return;
  std::vector<ResultRecord> records;
  for (const auto& l : r.lines) {
    records.push_back({l.key, "CO2e", l.mean, "t"});
    records.push_back({l.key, "CO2e p2.5", l.p2_5, "t"});
    records.push_back({l.key, "CO2e p97.5", l.p97_5, "t"});
  }
  ctx.store().save_results(ctx.run_id(), records);
}

nlohmann::json run_summary(const InventoryUncertainty& r) {
  const UncertaintyLine& total = r.lines.back();
  nlohmann::json summary = {{"approach", r.approach},
                            {"year", r.year},
                            {"gwp", r.gwp_set},
                            {"edition", r.edition},
                            {"terms", r.terms},
                            {"total_mean_t_co2e", total.mean},
                            {"total_p2_5", total.p2_5},
                            {"total_p97_5", total.p97_5},
                            {"uncertainty_pct_low", total.pct_low},
                            {"uncertainty_pct_high", total.pct_high},
                            {"warnings", r.warnings.size()}};
  if (r.trend) {
    summary["base_year"] = r.trend->base_year;
    summary["trend_pct"] = r.trend->trend_pct;
    summary["trend_uncertainty_pct"] = r.trend->uncertainty_pct;
  }
  return summary;
}
}  // namespace

InventoryUncertaintyRun inventory_uncertainty(Context& ctx, const Params& p, const NamedInput& input) {
  const UncertaintyOptions o = uncertainty_options(p);
  validate_uncertainty_output(o.by, "table");
  const int approach = p.has("approach") ? std::stoi(p.str("approach")) : 2;
  if (approach == 2 && o.base_year)
    throw Error(ErrorCategory::InvalidInput,
                "--base-year (the trend uncertainty of Table 3.2) is computed by Approach 1: add --approach 1",
                ErrorContext{input.name, 0, 0, "base-year"});

  InventoryUncertaintyRun out;
  const FactorLibrary library = ctx.has_store() ? ctx.store().load_factor_library() : FactorLibrary::builtin();
  const ActivityData data =
      input.is_json() ? read_activity_json(input.text, input.name) : read_activity_csv(input.text, input.name);
  const auto& tree = CategoryTree::ipcc2006();
  if (approach == 2) {
    const MonteCarloSetup setup = montecarlo_setup(p, "inventory uncertainty", ctx.progress);
    out.result = uncertainty_approach2(data, library, tree, o, setup.seed, setup.run);
    out.extra["montecarlo"] = setup.record();
    out.summary = run_summary(out.result);
    out.summary.update(setup.log_record());
  } else {
    out.result = uncertainty_approach1(data, library, tree, o);
    out.summary = run_summary(out.result);
  }
  save_lines(ctx, out.result);
  out.extra["provenance"] = {
      {"input", describe_input(input.name, input.text)}, {"factor_library", library.source()}, {"version", version()}};
  return out;
}

}  // namespace panocarbon
