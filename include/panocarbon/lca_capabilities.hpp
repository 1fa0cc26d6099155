// Capabilities of the LCA module: one library call per `lca` command, taking the command's validated
// Params and the store; the CLI (and later the API, MCP server and bindings) only present the results.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/lca.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon {

class Context;

// `lca import PATH [--name]`: reads a JSON-LD or EcoSpold2 database at `path` (the local path of --path),
// stores it (replacing one of the same name), links it once with the default rules, stores the LCIA methods
// of a JSON-LD package's lcia_methods/ too (as openLCA does), and reports counts, methods, allocation notes
// and cut-offs. Runs are logged by the caller (the registry).
nlohmann::json lca_import(Store& store, const std::string& path, const Params& params);

// `lca import-method PATH [--name]`: an openLCA factor CSV or the LCIA methods of a JSON-LD package.
nlohmann::json lca_import_method(Store& store, const std::string& path, const Params& params);

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
  int64_t run_id = 0;          // set by lca_montecarlo
  std::string gwp_set;         // the GWP100 set of the built-in method ("AR6"); "" for a stored method
  // Phase timings in seconds, in order (load, build, factorise, solves): --verbose and PANOCARBON_TRACE=1.
  std::vector<std::pair<std::string, double>> phases;
};
// Loads the database named by --database, builds the product system with --allocation, --provider-rule and
// --provider choices, factorises it, resolves --method (a stored method, or the built-in IPCC 2021 GWP100
// with --gwp) and the demands of --process (an id, a name, or a `lca search` reference DATABASE/ID).
// The session refers to itself (the system to its database): it is returned on the heap.
std::unique_ptr<LcaSession> lca_prepare(Store& store, const Params& params);

// `lca calc`: one --process gives the full result (inventory, impacts, unmapped mass flows); several give
// the impacts of each from one factorisation, checked against the full LCI of the first (identity_gap).
struct LcaCalc {
  std::shared_ptr<LcaSession> session;
  lca::LcaResult result;                  // the first demand's full result
  std::vector<std::vector<double>> many;  // several demands: impacts per demand (empty for one)
  double identity_gap = 0;                // max relative gap between both routes (several demands)
  std::vector<std::pair<int32_t, double>> unmapped_mass;  // mass flows without a factor (one demand)
};
LcaCalc lca_calc(Store& store, const Params& params);

// `lca inventory`: the elementary flows of the first demand, the non-zero ones sorted by compartment, name, id.
struct LcaInventory {
  std::shared_ptr<LcaSession> session;
  lca::LcaResult result;
  std::vector<size_t> rows;  // indices into result.inventory / session->sys.elementary
};
LcaInventory lca_inventory(Store& store, const Params& params);

// `lca contributions`: direct (or --upstream) contributions to one category, grouped --by process, location
// or category, largest first, at most --top.
struct LcaContributions {
  struct Row {
    std::string id, name, location;  // id and location only --by process
    double amount = 0;
  };
  std::shared_ptr<LcaSession> session;
  lca::LcaResult result;
  size_t category = 0;
  std::string by;
  bool upstream = false;
  double total = 0;
  std::vector<Row> rows;
};
LcaContributions lca_contributions(Store& store, const Params& params);

// `lca tree`: the upstream tree of one category, pruned at --cutoff (share of the total) and --max-depth.
struct LcaTree {
  std::shared_ptr<LcaSession> session;
  lca::LcaResult result;
  size_t category = 0;
  double cutoff = 0, total = 0;
  std::vector<lca::TreeNode> nodes;
};
LcaTree lca_tree(Store& store, const Params& params);

// `lca matrices`: technosphere.csv, biosphere.csv (triplets), providers.csv and flows.csv under `out`.
struct LcaMatrices {
  std::string database;
  size_t providers = 0, elementary_flows = 0, technosphere_entries = 0, biosphere_entries = 0, cutoffs = 0;
  std::vector<std::string> files;  // the paths written
};
LcaMatrices lca_matrices(Store& store, const Params& params, const std::filesystem::path& out);

// Prints the session's phase timings on stderr when PANOCARBON_TRACE is set (benchmarks read them).
void lca_trace(const LcaSession& s);

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
