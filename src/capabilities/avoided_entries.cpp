// Registry entries of avoided emissions. PLACEHOLDER: replaced by the real entries (issue 15).
#include "panocarbon/error.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

void add_avoided_entries(std::vector<Capability>& t) {
  for (const char* name : {"avoided"})
    t.push_back({name, Domain::Process, "not built yet", nlohmann::json::object(), {}, true, false,
                 [](Context&, const Params&) -> Result { throw Error(ErrorCategory::Internal, "not built yet"); }});
}

}  // namespace panocarbon::registry
