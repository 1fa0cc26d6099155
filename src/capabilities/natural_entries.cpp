// Registry entries of the natural domain.
#include "registry/entries.hpp"

namespace panocarbon::registry {

void add_natural_entries(std::vector<Capability>& t) { (void)t; }

}  // namespace panocarbon::registry
