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

struct InventoryRun {
  ActivityData data;
  FactorLibrary library;
  InventoryResult result;
  int64_t run_id = 0;
  nlohmann::json provenance;  // run id, database, input hash, factor library, version
};

// `inventory calc` (and `demo`): validates the output options first, parses the input, computes it with
// the store's factor library, and records the run, its parameters, the input's SHA-256 and the totals
// (by category and by gas) in the store. A failure is recorded as a failed run and rethrown.
InventoryRun inventory_calc(Store& store, const Params& params, const NamedInput& input,
                            std::string_view command = "inventory calc");

struct ReferenceRun {
  ReferenceResult result;
  int64_t run_id = 0;
};
// `inventory reference`: the reference approach for `supply`, compared with the sectoral approach of
// `sectoral` when given.
ReferenceRun inventory_reference(Store& store, const Params& params, const NamedInput& supply,
                                 const std::optional<NamedInput>& sectoral);

// `factors list`: the factors of the library that match the filters activity (a fuel, alias or product),
// gas, category (factors that apply to it: their category is a prefix of it) and edition, at most `limit`.
std::vector<const EmissionFactor*> factors_list(const FactorLibrary& library, const Params& params);

}  // namespace panocarbon
