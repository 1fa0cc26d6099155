// Capabilities of the LCA module: one library call per `lca` command, taking the command's validated
// Params and the store; the CLI (and later the API, MCP server and bindings) only present the results.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/lca.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon {

class Context;

// `lca import PATH [--name]`: reads a JSON-LD or EcoSpold2 database, stores it (replacing one of the same
// name), links it once with the default rules and reports counts, allocation notes and cut-offs.
nlohmann::json lca_import(Store& store, const Params& params);

// `lca import-method PATH [--name]`: an openLCA factor CSV or the LCIA methods of a JSON-LD package.
nlohmann::json lca_import_method(Store& store, const Params& params);

// A database linked, factorised and mapped to a method: what calc, contributions, tree, inventory share.
struct LcaSession {
  lca::Database db;
  lca::Method method;
  lca::ProductSystem sys;
  std::unique_ptr<lca::Solver> solver;
  lca::FlowMapping mapping;
  std::vector<std::vector<double>> characterised;  // lca::characterised_columns(sys, mapping), once
  std::vector<lca::Demand> demands;  // from --process (and --amount)
  double load_s = 0, build_s = 0;
  bool cached_system = false;  // the linked system came from the store's cache (no exchanges loaded)
  int64_t run_id = 0;
};
// Loads the database named by --database, builds the product system with --allocation, --provider-rule and
// --provider choices, factorises it, resolves --method (a stored method, or the built-in IPCC 2021 GWP100
// with --gwp) and the demands of --process. Starts a run in the store (finished by the caller).
// The session refers to itself (the system to its database): it is returned on the heap.
std::unique_ptr<LcaSession> lca_prepare(Store& store, const Params& params, const std::string& command);

// `lca montecarlo`: Monte Carlo of the first --process's impacts from the database's exchange uncertainty
// (see panocarbon/lca_montecarlo.hpp), with the store's database (ctx.store()). The result is JSON
// (byte-stable for a --seed, whatever --threads and MPI ranks); timings are apart, for the diagnostics.
struct LcaMonteCarloRun {
  nlohmann::json result;
  nlohmann::json summary;  // for the run log: draws, seed, parameters, timings, threads and ranks
  double draws_s = 0, factorise_s = 0;
  size_t refactor_fallbacks = 0;
};
LcaMonteCarloRun lca_montecarlo(Context& ctx, const Params& params);

// Linking options from --allocation, --provider-rule and --provider (FLOW_ID=PROCESS_ID, checked).
lca::LinkOptions lca_link_options(const Params& params);

// The cache key of a system's linking options ("allocation=...;rule=...;choices=...").
std::string lca_system_key(const lca::LinkOptions& options);

// The unmapped greenhouse-gas flows that carry an amount in `inventory` (one per row of sys.elementary);
// throws Error listing them unless `waive`.
std::vector<std::pair<int32_t, double>> lca_check_unmapped(const LcaSession& s, const std::vector<double>& inventory,
                                                           bool waive);

// Elementary flows with a mass unit, a non-zero amount and no factor in any category (largest first).
std::vector<std::pair<int32_t, double>> lca_unmapped_mass(const LcaSession& s, const std::vector<double>& inventory);

}  // namespace panocarbon
