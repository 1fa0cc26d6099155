// Sensitivity model files (docs/sensitivity.md) and the `sensitivity sobol|morris MODEL` capabilities. The
// models of the domains (an IPCC inventory, an LCA product system) and the test functions (Ishigami,
// G-function, linear) live here, above the domains and the engine (panocarbon/sensitivity.hpp), which knows
// none of them.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "panocarbon/lca.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/sensitivity.hpp"

namespace panocarbon {
class Context;
class FactorLibrary;
class Store;
}  // namespace panocarbon

namespace panocarbon::sens {

// ---- model files ------------------------------------------------------------------------------------------
// What a model file may need: the factor library (inventory) and the store (lca databases).
struct ModelContext {
  const FactorLibrary* library = nullptr;
  Store* store = nullptr;
  // lca models: this database instead of the store's one named in the file (tests)
  std::shared_ptr<const lca::Database> database;
};
struct LoadedModel {
  std::unique_ptr<Model> model;
  nlohmann::json inputs = nlohmann::json::array();  // describe_input() of the model file and its data files
};
// A JSON model file (docs/sensitivity.md): {"model": "ishigami" | "g-function" | "linear" | "inventory" |
// "lca", "parameters": [{"name", "distribution": {"kind", "loc", "scale", "shape", "minimum", "maximum"},
// "target"}], "output", ...}. Throws Error{InvalidInput / NotFound} naming the file and the field.
LoadedModel load_model(const std::filesystem::path& file, const ModelContext& context);
// The same from text; relative paths in it are taken from `base` (the model file's folder).
LoadedModel parse_model(std::string_view text, const std::string& source, const std::filesystem::path& base,
                        const ModelContext& context);

// ---- capabilities (`sensitivity sobol|morris MODEL`) ------------------------------------------------------------
struct SensitivityRun {
  std::string method;  // "sobol" | "morris"
  std::string model_file, model_kind, output, unit;
  MonteCarloSetup setup;
  SobolResult sobol;
  MorrisResult morris;
  nlohmann::json summary;  // for the run log: the indices, and the model runs per second on how many threads and ranks
};
// Reads the model file (ctx.text of --model, with the store's factor library and LCA databases when the
// context has a store), and runs the analysis over threads and MPI ranks. Logs nothing (the registry does).
SensitivityRun sensitivity_sobol(Context& ctx, const Params& params);
SensitivityRun sensitivity_morris(Context& ctx, const Params& params);
// format: "table" or "csv" (Sobol: parameter,S1,S1_low,S1_high,ST,ST_low,ST_high; Morris:
// parameter,mu,mu_star,sigma,unit). Numbers by fmt "{}": byte-stable; no timings, threads or ranks.
void write_sensitivity(std::ostream& out, const SensitivityRun& run, std::string_view format);
// The JSON of a run (with the seed and model runs; no timings, threads or ranks).
nlohmann::json sensitivity_json(const SensitivityRun& run);

}  // namespace panocarbon::sens
