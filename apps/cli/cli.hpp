// Shared by the CLI's command files: the store of a command and the handler table.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "panocarbon/options.hpp"
#include "panocarbon/store.hpp"

namespace cli {
using Handler = std::function<void(const panocarbon::Params&)>;
panocarbon::Store open_store(const panocarbon::Params& p);
panocarbon::Store& store_for(const panocarbon::Params& p);
bool stderr_is_terminal();
// `lca montecarlo` (apps/cli/lca_commands.cpp; the other `lca` commands are registry entries).
void add_lca_handlers(std::map<std::string, Handler>& h);
// Uncertainty (issue 5): `inventory uncertainty` (inventory_uncertainty_commands.cpp), `mrio montecarlo`
// (mrio_montecarlo_commands.cpp), `lca montecarlo` (lca_commands.cpp), `sensitivity sobol|morris`
// (sensitivity_commands.cpp).
void add_inventory_uncertainty_handlers(std::map<std::string, Handler>& h);
void add_mrio_montecarlo_handlers(std::map<std::string, Handler>& h);
void add_sensitivity_handlers(std::map<std::string, Handler>& h);
}  // namespace cli
