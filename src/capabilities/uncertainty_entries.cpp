// Registry entries of the uncertainty domain.
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

void add_uncertainty_entries(std::vector<Capability>& t) { (void)t; }

}  // namespace panocarbon::registry
