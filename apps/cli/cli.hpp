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
// `lca ...` commands (apps/cli/lca_commands.cpp).
void add_lca_handlers(std::map<std::string, Handler>& h);
// Natural sinks, methane and forest land (issue 6): `natural sinks|methane|afolu` (natural_commands.cpp).
void add_natural_handlers(std::map<std::string, Handler>& h);
// Natural fires (issue 6): `natural fire`, `natural fire-tier1` (natural_fire_commands.cpp).
void add_natural_fire_handlers(std::map<std::string, Handler>& h);
// The natural side of the account (issue 6): `natural account` (natural_account_commands.cpp).
void add_natural_account_handlers(std::map<std::string, Handler>& h);
}  // namespace cli
