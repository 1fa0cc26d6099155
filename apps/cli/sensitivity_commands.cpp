// `sensitivity sobol|morris MODEL`: global sensitivity of a model file (docs/sensitivity.md). The handlers
// call one capability each and print its result; nothing about threads, ranks or timings goes to stdout.
#include <iostream>

#include "cli.hpp"
#include "panocarbon/sensitivity.hpp"

namespace pc = panocarbon;

namespace cli {
void add_sensitivity_handlers(std::map<std::string, Handler>& h) {
  h["sensitivity sobol"] = [](const pc::Params& p) {
    const auto run = pc::sens::sensitivity_sobol(store_for(p), p, stderr_is_terminal());
    pc::sens::write_sensitivity(std::cout, run, p.str("format"));
  };
  h["sensitivity morris"] = [](const pc::Params& p) {
    const auto run = pc::sens::sensitivity_morris(store_for(p), p, stderr_is_terminal());
    pc::sens::write_sensitivity(std::cout, run, p.str("format"));
  };
}
}  // namespace cli
