// `inventory uncertainty`: one library call that reads the input, computes Approach 1 or 2 and logs the run.
#include <fmt/format.h>

#include "panocarbon/error.hpp"
#include "panocarbon/inventory_uncertainty.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/run_log.hpp"

namespace panocarbon {

InventoryUncertaintyRun inventory_uncertainty(Store& store, const Params& p, const NamedInput& input,
                                              bool progress_default) {
  UncertaintyOptions o;
  if (p.has("by")) o.by = p.str("by");
  validate_uncertainty_output(o.by, p.has("format") ? p.str("format") : "table");
  const int approach = p.has("approach") ? std::stoi(p.str("approach")) : 2;
  if (p.has("gwp")) o.calc.gwp = p.str("gwp");
  if (p.has("edition")) o.calc.edition = std::stoi(p.str("edition"));
  o.calc.skip_missing = p.has("skip-missing") && p.flag("skip-missing");
  if (p.has("country")) o.calc.country = p.str("country");
  if (p.has("year")) o.calc.year = static_cast<int>(p.integer("year"));
  if (p.has("base-year")) o.base_year = static_cast<int>(p.integer("base-year"));
  if (p.has("activity-uncertainty")) o.activity_uncertainty_pct = p.number("activity-uncertainty");
  if (approach == 2 && o.base_year)
    throw Error(ErrorCategory::InvalidInput,
                "--base-year (the trend uncertainty of Table 3.2) is computed by Approach 1: add --approach 1",
                ErrorContext{input.name, 0, 0, "base-year"});

  InventoryUncertaintyRun out;
  const FactorLibrary library = store.load_factor_library();
  const ActivityData data =
      input.is_json() ? read_activity_json(input.text, input.name) : read_activity_csv(input.text, input.name);
  const nlohmann::json inputs = nlohmann::json::array({describe_input(input.name, input.text)});
  const auto& tree = CategoryTree::ipcc2006();
  if (approach == 2) {
    const MonteCarloSetup setup = montecarlo_setup(p, "inventory uncertainty", progress_default);
    out.run_id = store.begin_run("inventory uncertainty", inputs, setup.params);
    out.result =
        logged(store, out.run_id, [&] { return uncertainty_approach2(data, library, tree, o, setup.seed, setup.run); });
    out.extra["montecarlo"] = setup.record();
  } else {
    out.run_id = store.begin_run("inventory uncertainty", inputs, p.json());
    out.result = logged(store, out.run_id, [&] { return uncertainty_approach1(data, library, tree, o); });
  }
  const InventoryUncertainty& r = out.result;
  std::vector<ResultRecord> records;
  for (const auto& l : r.lines) {
    records.push_back({l.key, "CO2e", l.mean, "t"});
    records.push_back({l.key, "CO2e p2.5", l.p2_5, "t"});
    records.push_back({l.key, "CO2e p97.5", l.p97_5, "t"});
  }
  store.save_results(out.run_id, records);
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
  if (r.approach == 2) {
    summary["draws"] = r.draws;
    summary["seed"] = r.seed;
  }
  if (r.trend) {
    summary["base_year"] = r.trend->base_year;
    summary["trend_pct"] = r.trend->trend_pct;
    summary["trend_uncertainty_pct"] = r.trend->uncertainty_pct;
  }
  store.finish_run(out.run_id, "ok", summary);
  out.extra["provenance"] = {{"input", inputs[0]}, {"factor_library", library.source()}, {"version", version()}};
  return out;
}

}  // namespace panocarbon
