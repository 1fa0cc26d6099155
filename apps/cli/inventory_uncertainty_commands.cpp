// Placeholder: the handlers of this file are being written (issue 5).
#include "cli.hpp"

namespace cli {
void add_inventory_uncertainty_handlers(std::map<std::string, Handler>& h) { (void)h; }
}  // namespace cli
