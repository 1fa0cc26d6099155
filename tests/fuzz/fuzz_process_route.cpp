// libFuzzer target: process route models (src/process/route.cpp: parse_route, apply_override, simulate, to_json;
// docs/process.md). Parts (split at lines "---"): the route JSON, then optional --set assignments, one a line.
// Every number of the result must be finite. Seeds: tests/fuzz/corpus/process_route.
#include "fuzz_common.hpp"
#include "panocarbon/process.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const auto parts = fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::guarded([&] {
    process::RouteModel m = process::parse_route(parts[0], "fuzz.json");
    if (parts.size() > 1) {
      std::string_view sets = parts[1];
      while (!sets.empty()) {
        const size_t nl = sets.find('\n');
        const std::string_view line = sets.substr(0, nl);
        if (!line.empty()) process::apply_override(m, line);
        if (nl == std::string_view::npos) break;
        sets.remove_prefix(nl + 1);
      }
    }
    const process::SimulationResult r = process::simulate(m);
    fuzz::check_finite(r.output, "SimulationResult::output");
    fuzz::check_finite(r.total_t, "SimulationResult::total_t");
    fuzz::check_finite(r.max_mass_residual_t, "SimulationResult::max_mass_residual_t");
    for (const auto& l : r.lines) fuzz::check_finite(l.per_t_product, "EmissionLine::per_t_product");
    for (const auto& u : r.units) {
      fuzz::check_finite(u.activity, "UnitResult::activity");
      if (u.activity < 0) fuzz::fail("a negative unit activity");
      fuzz::check_finite(u.mass_residual_t, "UnitResult::mass_residual_t");
    }
    (void)process::to_json(r).dump();
  });
  return 0;
}
