// `inventory uncertainty` (issue 5): IPCC Approach 1 or 2 for an activity file; see
// docs/uncertainty-inventory.md.
#include <fmt/format.h>

#include <iostream>

#include "cli.hpp"
#include "panocarbon/inventory_uncertainty.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/provenance.hpp"

namespace pc = panocarbon;

namespace cli {
void add_inventory_uncertainty_handlers(std::map<std::string, Handler>& h) {
  h["inventory uncertainty"] = [](const pc::Params& p) {
    const std::string path = p.str("file");
    std::string text;
    if (path == "-")
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    else
      text = pc::read_file(path);
    pc::Store& store = store_for(p);
    const auto run =
        pc::inventory_uncertainty(store, p, pc::NamedInput{path == "-" ? "stdin" : path, text}, stderr_is_terminal());
    const std::string format = p.has("format") ? p.str("format") : "table";
    pc::write_inventory_uncertainty(std::cout, run.result, format, run.extra);
    std::cout.flush();
    if (format != "table")
      for (const auto& w : run.result.warnings) fmt::print(stderr, "warning: {}\n", w);
    if (pc::parallel::is_root()) fmt::print(stderr, "run {} logged\n", run.run_id);
  };
}
}  // namespace cli
