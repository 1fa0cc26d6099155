// The registry's table is assembled from one function per domain (each in src/capabilities/<domain>_entries.cpp),
// so that a domain's entries live beside its capabilities.
#pragma once
#include <vector>

#include "panocarbon/registry.hpp"

namespace panocarbon::registry {

void add_system_entries(std::vector<Capability>& table);       // db, factors, gwp, demo, schema
void add_inventory_entries(std::vector<Capability>& table);    // inventory calc, reference
void add_trade_entries(std::vector<Capability>& table);        // mrio ...
void add_lca_entries(std::vector<Capability>& table);          // lca ...
void add_natural_entries(std::vector<Capability>& table);      // natural ...
void add_uncertainty_entries(std::vector<Capability>& table);  // inventory uncertainty, mrio/lca montecarlo, sensitivity
void add_ledger_entries(std::vector<Capability>& table);       // ledger build|info|export, account
void add_data_entries(std::vector<Capability>& table);         // data fetch
void add_process_entries(std::vector<Capability>& table);      // process simulate (process_entries.cpp)
void add_optimize_entries(std::vector<Capability>& table);     // process optimize, process macc (optimize_entries.cpp)
void add_cbam_entries(std::vector<Capability>& table);         // cbam embedded|compare|defaults (cbam_entries.cpp)
void add_avoided_entries(std::vector<Capability>& table);      // avoided (avoided_entries.cpp)

// Helpers for entries.
// A JSON Schema object with these properties (each a schema), all required unless listed in `optional`.
nlohmann::json object_schema(nlohmann::json properties, const std::vector<std::string>& optional = {});
nlohmann::json array_of(nlohmann::json item_schema);
nlohmann::json number_schema(const char* description = nullptr);
nlohmann::json string_schema(const char* description = nullptr);
nlohmann::json integer_schema(const char* description = nullptr);
nlohmann::json nullable(nlohmann::json schema);  // the schema or null

}  // namespace panocarbon::registry
