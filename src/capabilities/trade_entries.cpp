// Registry entries of the trade domain.
#include "registry/entries.hpp"

namespace panocarbon::registry {

void add_trade_entries(std::vector<Capability>& t) { (void)t; }

}  // namespace panocarbon::registry
