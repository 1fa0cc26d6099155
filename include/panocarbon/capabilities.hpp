// Capabilities: one library call per command, taking the command's validated Params (options.hpp) and
// the inputs' bytes, logging the run in the store and returning structured results. The CLI, and later
// the HTTP API, MCP server and Python bindings, only read inputs, call these and present the results.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "panocarbon/inventory.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon {

struct NamedInput {
  std::string name;       // a path or a label, used in messages and the run log
  std::string_view text;  // the bytes
  bool is_json() const;   // by extension (.json / .csv), else by content ('{' or '[' first)
};

class Context;

struct InventoryRun {
  ActivityData data;
  FactorLibrary library;
  InventoryResult result;
  nlohmann::json summary;  // for the run log
};

// `inventory calc` (and `demo`): parses the input, computes it with the store's factor library (the
// built-in one without a store) and, when the run is logged, stores the totals (by category and by gas).
InventoryRun inventory_calc(Context& ctx, const Params& params, const NamedInput& input);

struct ReferenceRun {
  ReferenceResult result;
  nlohmann::json summary;
};
// `inventory reference`: the reference approach for `supply`, compared with the sectoral approach of
// `sectoral` when given.
ReferenceRun inventory_reference(Context& ctx, const Params& params, const NamedInput& supply,
                                 const std::optional<NamedInput>& sectoral);

// `factors list`: the factors of the library that match the filters activity (a fuel, alias or product),
// gas, category (factors that apply to it: their category is a prefix of it) and edition, at most `limit`.
std::vector<const EmissionFactor*> factors_list(const FactorLibrary& library, const Params& params);

}  // namespace panocarbon

#include "panocarbon/mrio.hpp"

namespace panocarbon {

// --- consumption side (MRIO) ---------------------------------------------------------------------------

// The MRIO commands take the Context (the front end's inputs, the store, progress) and log nothing: the
// registry's run wrapper logs the run; results are saved under ctx.run_id() when it is not 0.
struct MrioRun {
  MrioSystem system;
  MrioAccounts accounts;
  std::vector<size_t> regions;  // the regions presented: the --region filter, or all
  int64_t system_id = 0;        // in the store (0 when not saved)
  double read_s = 0, compute_s = 0;
  uint64_t input_bytes = 0;
  nlohmann::json summary;  // for the run log
};

// SHA-256 over the tables' names, sizes and modification times (and file_parameters.json): identifies the
// file set in the store without hashing a gigabyte of text. Also the files' total size (for MB/s).
struct MrioFiles {
  std::string sha256;
  uint64_t bytes = 0;
};
MrioFiles mrio_fingerprint(const std::string& path);

// The table's year guessed from its path or name (0 when none): stored with the system for queries.
int mrio_year(const MrioSystem& system);

// `mrio info`: reads the system (no computation) and describes it.
nlohmann::json mrio_info(Context& ctx, const Params& params);

// `mrio accounts` (also `flows` and `multipliers`, which present other parts of the same result): reads,
// computes every account with one factorisation and, when the run is logged, saves the system and the
// regional accounts in the store.
MrioRun mrio_accounts(Context& ctx, const Params& params);

// `mrio spa`: top-k structural paths of a region's consumption-based footprint.
struct SpaRun {
  MrioSystem system;
  SpaResult result;
  size_t ext = 0, stressor = 0, region = 0;
  std::string unit;  // of the stressor (and of every path's value)
  nlohmann::json summary;
};
SpaRun mrio_spa(Context& ctx, const Params& params);

// `mrio aggregate`: aggregates by concordance files (CSV: from,to) and writes the pymrio layout into
// ctx.output_dir().
struct AggregateRun {
  std::string out;                 // the folder written
  std::vector<std::string> files;  // written, relative to it
  size_t regions = 0, sectors = 0, from_regions = 0, from_sectors = 0;
};
AggregateRun mrio_aggregate(Context& ctx, const Params& params);

}  // namespace panocarbon
