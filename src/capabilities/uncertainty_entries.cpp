// Registry entries of the uncertainty domain: `inventory uncertainty`, `mrio montecarlo`, `lca montecarlo`,
// `sensitivity sobol` and `sensitivity morris`. Every one runs under mpirun (only rank 0 logs and writes);
// their JSON and CSV are byte-identical for any threads and ranks with one --seed: timings go to the
// diagnostics and the run log's summary, never to the renderings.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>
#include <sstream>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/inventory_uncertainty.hpp"
#include "panocarbon/lca_capabilities.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/sensitivity_models.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace {
using nlohmann::json;

// ---- schemas -------------------------------------------------------------------------------------------------

json montecarlo_record_schema() {
  return object_schema({{"draws", integer_schema("Monte Carlo draws (model runs)")},
                        {"seed", integer_schema("seed of the random numbers: the same seed repeats the run")}});
}

json inventory_uncertainty_schema() {
  const json line = object_schema({{"category", string_schema("IPCC code, gas, or total")},
                                   {"title", string_schema()},
                                   {"level", integer_schema()},
                                   {"mean_t_co2e", number_schema("t CO2e")},
                                   {"median", number_schema("t CO2e")},
                                   {"sd", number_schema("t CO2e")},
                                   {"p2_5", number_schema("2.5th percentile, t CO2e")},
                                   {"p97_5", number_schema("97.5th percentile, t CO2e")},
                                   {"uncertainty_pct_low", number_schema("(mean - p2.5) / mean, %")},
                                   {"uncertainty_pct_high", number_schema("(p97.5 - mean) / mean, %")}});
  return object_schema({{"approach", integer_schema("IPCC Vol 1 Ch 3 Approach 1 or 2")},
                        {"source", string_schema()},
                        {"gwp", string_schema()},
                        {"edition", integer_schema()},
                        {"by", string_schema()},
                        {"year", integer_schema()},
                        {"lines", array_of(line)},
                        {"model", {{"type", "object"}}},
                        {"table_3_2", array_of({{"type", "object"}})},
                        {"trend", object_schema({{"base_year", integer_schema()},
                                                 {"year", integer_schema()},
                                                 {"base_t_co2e", number_schema()},
                                                 {"year_t_co2e", number_schema()},
                                                 {"trend_pct", number_schema()},
                                                 {"trend_uncertainty_pct", number_schema()}})},
                        {"warnings", array_of(string_schema())},
                        {"montecarlo", montecarlo_record_schema()},
                        {"provenance", {{"type", "object"}}}},
                       {"year", "table_3_2", "trend", "montecarlo"});
}

json distribution_summary_schema() {
  return object_schema({{"deterministic", number_schema("the unperturbed value")},
                        {"mean", number_schema()},
                        {"sd", number_schema()},
                        {"median", number_schema()},
                        {"p2_5", number_schema()},
                        {"p97_5", number_schema()}});
}

json mrio_montecarlo_schema() {
  json region = object_schema({{"region", string_schema()}});
  for (const char* account : kMrioMcAccounts) {
    region["properties"][account] = distribution_summary_schema();
    region["required"].push_back(account);
  }
  const json stressor = object_schema({{"extension", string_schema()},
                                       {"stressor", string_schema()},
                                       {"unit", string_schema()},
                                       {"regions", array_of(region)}});
  return object_schema({{"system", object_schema({{"name", string_schema()},
                                                  {"format", string_schema()},
                                                  {"source", string_schema()},
                                                  {"regions", array_of(string_schema())}})},
                        {"montecarlo", montecarlo_record_schema()},
                        {"model", object_schema({{"perturbed", string_schema()},
                                                 {"rse_z", number_schema()},
                                                 {"rse_y", number_schema()},
                                                 {"rse_f", number_schema()},
                                                 {"rse_model", string_schema()},
                                                 {"distribution", string_schema()},
                                                 {"cells", {{"type", "object"}}}})},
                        {"solver", object_schema({{"method", string_schema()},
                                                  {"solve", string_schema()},
                                                  {"mean_iterations", number_schema()},
                                                  {"max_iterations", integer_schema()},
                                                  {"fallbacks", integer_schema()},
                                                  {"kept_outputs", integer_schema()},
                                                  {"draws_with_kept_outputs", integer_schema()}})},
                        {"notes", array_of(string_schema())},
                        {"stressors", array_of(stressor)}});
}

json lca_montecarlo_schema() {
  const json contribution = object_schema({{"process", string_schema()},
                                           {"process_id", string_schema()},
                                           {"location", string_schema()},
                                           {"share_pct", number_schema("share of the variance, %")},
                                           {"parameters", integer_schema()},
                                           {"top_exchange", string_schema()},
                                           {"top_parameter", string_schema()},
                                           {"top_distribution", string_schema()},
                                           {"rho", number_schema("Spearman rank correlation")}});
  json category = distribution_summary_schema();
  category["properties"]["category"] = string_schema();
  category["properties"]["unit"] = string_schema();
  category["properties"]["screened_parameters"] = integer_schema();
  category["properties"]["contributions"] = array_of(contribution);
  category["properties"]["histogram"] =
      object_schema({{"lower", number_schema("the smallest draw")},
                     {"upper", number_schema("the largest draw")},
                     {"counts", array_of(integer_schema())}});
  for (const char* k : {"category", "unit", "screened_parameters", "contributions", "histogram"})
    category["required"].push_back(k);
  return object_schema({{"database", string_schema()},
                        {"functional_unit", object_schema({{"process", string_schema()},
                                                           {"process_id", string_schema()},
                                                           {"location", string_schema()},
                                                           {"product", string_schema()},
                                                           {"amount", number_schema()},
                                                           {"unit", string_schema()}})},
                        {"method", string_schema()},
                        {"setup", montecarlo_record_schema()},
                        {"pedigree", string_schema()},
                        {"uncertainty", object_schema({{"parameters", integer_schema()},
                                                       {"by_distribution", {{"type", "object"}}},
                                                       {"technosphere_entries", integer_schema()},
                                                       {"biosphere_entries", integer_schema()},
                                                       {"notes", integer_schema()},
                                                       {"notes_first", array_of(string_schema())}})},
                        {"categories", array_of(category)}});
}

json sensitivity_schema(bool sobol) {
  const json index = nullable(number_schema());
  json head = {{"method", string_schema("sobol or morris")},
               {"model", string_schema("the model file")},
               {"model_kind", string_schema()},
               {"output", string_schema()},
               {"unit", string_schema("unit of the output (empty for test functions)")},
               {"draws", integer_schema("model runs")},
               {"seed", integer_schema()},
               {"model_runs", integer_schema()}};
  if (sobol) {
    head.update({{"samples", integer_schema("base sample size N (--draws)")},
                 {"bootstrap", integer_schema()},
                 {"confidence", number_schema()},
                 {"output_mean", number_schema()},
                 {"output_variance", number_schema()},
                 {"indices", array_of(object_schema({{"parameter", string_schema()},
                                                     {"S1", index},
                                                     {"S1_low", index},
                                                     {"S1_high", index},
                                                     {"ST", index},
                                                     {"ST_low", index},
                                                     {"ST_high", index}}))}});
  } else {
    head.update(
        {{"trajectories", integer_schema()},
         {"levels", integer_schema()},
         {"delta", number_schema()},
         {"indices", array_of(object_schema(
                         {{"parameter", string_schema()}, {"mu", index}, {"mu_star", index}, {"sigma", index}}))}});
  }
  return object_schema(head);
}

// ---- results -------------------------------------------------------------------------------------------------

Result inventory_uncertainty_result(InventoryUncertaintyRun run) {
  auto shared = std::make_shared<InventoryUncertaintyRun>(std::move(run));
  Result r;
  r.summary = shared->summary;
  r.warnings = shared->result.warnings;
  auto write = [shared](std::ostream& out, const char* format) {
    write_inventory_uncertainty(out, shared->result, format, shared->extra);
  };
  r.json = [write](const Result&) {
    std::ostringstream s;
    write(s, "json");
    return json::parse(s.str());
  };
  r.csv = [write](const Result&, std::ostream& out) { write(out, "csv"); };
  r.table = [write](const Result&, std::ostream& out) { write(out, "table"); };
  return r;
}

Result mrio_montecarlo_result(MrioMonteCarloRun run) {
  auto shared = std::make_shared<MrioMonteCarloRun>(std::move(run));
  Result r;
  r.summary = shared->summary;
  r.warnings = shared->result.notes;
  r.diagnostics = mrio_montecarlo_diagnostics(*shared);
  r.json = [shared](const Result&) { return mrio_montecarlo_json(*shared); };
  r.csv = [shared](const Result&, std::ostream& out) { write_mrio_montecarlo(out, *shared, "csv"); };
  r.table = [shared](const Result&, std::ostream& out) { write_mrio_montecarlo(out, *shared, "table"); };
  return r;
}

std::string num(const json& v) { return fmt::format("{}", v.get<double>()); }

void lca_montecarlo_csv(const json& j, std::ostream& out) {
  out << "category,unit,deterministic,mean,sd,median,p2_5,p97_5\n";
  for (const auto& c : j["categories"])
    fmt::print(out, "{},{},{},{},{},{},{},{}\n", csv_field(c["category"].get<std::string>()),
               csv_field(c["unit"].get<std::string>()), num(c["deterministic"]), num(c["mean"]), num(c["sd"]),
               num(c["median"]), num(c["p2_5"]), num(c["p97_5"]));
}

void lca_montecarlo_table(const json& j, std::ostream& out) {
  const auto& fu = j["functional_unit"];
  const auto& u = j["uncertainty"];
  fmt::print(out, "database {}: functional unit {} {} of '{}' from '{}' ({})\n", j["database"].get<std::string>(),
             num(fu["amount"]), fu["unit"].get<std::string>(), fu["product"].get<std::string>(),
             fu["process"].get<std::string>(), fu["location"].get<std::string>());
  std::string origins;
  for (const auto& [k, n] : u["by_distribution"].items())
    origins += fmt::format("{}{} {}", origins.empty() ? "" : ", ", k, n.get<size_t>());
  fmt::print(out, "method {}; {} draws, seed {}; {} uncertain exchanges ({}), pedigree convention {}\n",
             j["method"].get<std::string>(), j["setup"]["draws"].get<uint64_t>(), j["setup"]["seed"].get<uint64_t>(),
             u["parameters"].get<size_t>(), origins.empty() ? "none" : origins, j["pedigree"].get<std::string>());
  if (u["notes"].get<size_t>() > 0)
    fmt::print(out, "{} distributions were repaired or not sampled (see --format json), e.g. {}\n",
               u["notes"].get<size_t>(), u["notes_first"][0].get<std::string>());
  fmt::print(out, "\n{:<12} {:<10} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", "category", "unit", "deterministic",
             "mean", "sd", "median", "p2.5", "p97.5");
  for (const auto& c : j["categories"])
    fmt::print(out, "{:<12} {:<10} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", c["category"].get<std::string>(),
               c["unit"].get<std::string>(), num(c["deterministic"]), num(c["mean"]), num(c["sd"]), num(c["median"]),
               num(c["p2_5"]), num(c["p97_5"]));
  for (const auto& c : j["categories"]) {
    if (c["contributions"].empty()) continue;
    fmt::print(out,
               "\ncontribution to the variance of {} (squared Spearman rank correlation, normalised to 100 % over "
               "{} screened exchanges):\n",
               c["category"].get<std::string>(), c["screened_parameters"].get<size_t>());
    fmt::print(out, "  {:>7}  {:>7}  {}\n", "share %", "rho", "process (location): exchange with the largest rho");
    for (const auto& k : c["contributions"])
      fmt::print(out, "  {:>7.2f}  {:>7.3f}  {} ({}): {} [{}]\n", k["share_pct"].get<double>(), k["rho"].get<double>(),
                 k["process"].get<std::string>(), k["location"].get<std::string>(),
                 k["top_exchange"].get<std::string>(), k["top_distribution"].get<std::string>());
  }
}

Result lca_montecarlo_result(LcaMonteCarloRun run) {
  auto j = std::make_shared<const json>(std::move(run.result));
  Result r;
  r.summary = std::move(run.summary);
  const uint64_t draws = (*j)["setup"]["draws"].get<uint64_t>();
  r.diagnostics = fmt::format(
      "lca montecarlo: {} draws in {:.3f} s ({:.1f} draws/s) on {} rank(s), {} refactorisations fell back to a full "
      "factorisation; symbolic and first numeric factorisation {:.3f} s\n",
      draws, run.draws_s, run.draws_s > 0 ? double(draws) / run.draws_s : 0.0, parallel::size(), run.refactor_fallbacks,
      run.factorise_s);
  r.json = [j](const Result&) { return *j; };
  r.csv = [j](const Result&, std::ostream& out) { lca_montecarlo_csv(*j, out); };
  r.table = [j](const Result&, std::ostream& out) { lca_montecarlo_table(*j, out); };
  return r;
}

Result sensitivity_result(sens::SensitivityRun run) {
  auto shared = std::make_shared<const sens::SensitivityRun>(std::move(run));
  Result r;
  r.summary = shared->summary;
  const bool sobol = shared->method == "sobol";
  const double seconds = sobol ? shared->sobol.seconds : shared->morris.seconds;
  const uint64_t runs = sobol ? shared->sobol.runs : shared->morris.runs;
  r.diagnostics =
      fmt::format("sensitivity {}: {} model runs in {:.3f} s ({:.1f} runs/s) on {} rank(s) x {} thread(s)\n",
                  shared->method, runs, seconds, seconds > 0 ? double(runs) / seconds : 0.0, parallel::size(),
                  parallel::thread_count(shared->setup.run.threads));
  r.json = [shared](const Result&) { return sens::sensitivity_json(*shared); };
  r.csv = [shared](const Result&, std::ostream& out) { sens::write_sensitivity(out, *shared, "csv"); };
  r.table = [shared](const Result&, std::ostream& out) { sens::write_sensitivity(out, *shared, "table"); };
  return r;
}

}  // namespace

void add_uncertainty_entries(std::vector<Capability>& t) {
  t.push_back(
      {"inventory uncertainty",
       Domain::Uncertainty,
       "The uncertainty of a production-side inventory by the 2006 IPCC Guidelines Vol 1 Ch 3: Approach 1 "
       "(error propagation, Eq 3.1-3.2, with the trend uncertainty of Table 3.2 for a --base-year) or "
       "Approach 2 (Monte Carlo: a factor shared by several rows is drawn once per draw). Input: activity "
       "data as for `inventory calc`, with uncertainty_pct per row, else the factor library's 95 % bounds "
       "and --activity-uncertainty. Output per category (or gas) and total: mean, median, 2.5 and 97.5 "
       "percentiles in t CO2e and the half-widths of the 95 % interval in percent of the mean.",
       inventory_uncertainty_schema(),
       {"examples/inventory.csv", "--draws", "2000", "--seed", "1"},
       true,
       false,
       [](Context& ctx, const Params& p) {
         const std::string file = p.str("file");
         const std::string text = ctx.text(p, "file");
         return inventory_uncertainty_result(inventory_uncertainty(ctx, p, {file == "-" ? "stdin" : file, text}));
       }});
  t.push_back({"mrio montecarlo",
               Domain::Uncertainty,
               "Monte Carlo uncertainty of every region's production, consumption, import and export accounts of "
               "an MRIO system (after Lenzen et al. 2010): every non-zero cell of Z (or A), Y and F drawn with a "
               "relative standard error (constant, or falling with cell size), lognormal by default. Output per "
               "stressor, region and account: the deterministic value, mean, sd, median and 95 % interval in the "
               "stressor's unit. Nothing is stored but the run log; the same --seed gives the same bytes on any "
               "threads or MPI ranks.",
               mrio_montecarlo_schema(),
               {"../shared/data/mrio/pymrio-test", "--draws", "50", "--seed", "7"},
               true,
               false,
               [](Context& ctx, const Params& p) { return mrio_montecarlo_result(mrio_montecarlo_run(ctx, p)); }});
  t.push_back({"lca montecarlo",
               Domain::Uncertainty,
               "Monte Carlo LCA of a stored database's product system from its exchange uncertainty (lognormal, "
               "normal, triangular and uniform distributions; pedigree scores without one become a lognormal by "
               "--pedigree). Output per impact category of the functional unit (the first --process, --amount in "
               "its reference unit): deterministic value, mean, sd, median and 95 % interval in the category's "
               "unit, and the processes contributing most to the variance (squared Spearman rank correlations). "
               "Needs the database imported first (`lca import`).",
               lca_montecarlo_schema(),
               {"--database", "unc", "--process", "electricity from coal", "--draws", "200", "--seed", "9"},
               true,
               false,
               [](Context& ctx, const Params& p) { return lca_montecarlo_result(lca_montecarlo(ctx, p)); }});
  t.push_back({"sensitivity sobol",
               Domain::Uncertainty,
               "Global sensitivity by Sobol indices: first-order (S1, Saltelli 2010) and total-order (ST, Jansen) "
               "indices of every parameter of a model file (an IPCC inventory, an LCA product system, or a test "
               "function: Ishigami, G-function, linear), with percentile bootstrap 95 % intervals. --draws is the "
               "base sample size N: the model runs N x (parameters + 2) times. Indices are fractions of the "
               "output's variance (dimensionless); small N gives wide intervals and may give indices below 0.",
               sensitivity_schema(true),
               {"examples/sensitivity/ishigami.json", "--draws", "256", "--bootstrap", "50", "--seed", "1"},
               true,
               false,
               [](Context& ctx, const Params& p) { return sensitivity_result(sens::sensitivity_sobol(ctx, p)); }});
  t.push_back({"sensitivity morris",
               Domain::Uncertainty,
               "Global sensitivity screening by Morris elementary effects (mu, mu*, sigma; Campolongo et al. 2007) "
               "of every parameter of a model file (as `sensitivity sobol`): r trajectories of (parameters + 1) "
               "model runs on a p-level grid. mu* ranks the parameters by influence, sigma shows interactions or "
               "non-linearity; both in the output's unit. A cheap first screening before Sobol indices.",
               sensitivity_schema(false),
               {"examples/sensitivity/g-function.json", "--trajectories", "20", "--seed", "1"},
               true,
               false,
               [](Context& ctx, const Params& p) { return sensitivity_result(sens::sensitivity_morris(ctx, p)); }});
}

}  // namespace panocarbon::registry
