// One record of the natural side of the account (issue 6): what every natural module (fires, natural methane,
// forest land, sinks) stores in the database table natural_fluxes (migration 6, src/store/store.cpp) through
// Store::save_natural_fluxes, so that the national-inventory view and the global-carbon-budget view come from
// the same records.
#pragma once
#include <cstdint>
#include <limits>
#include <string>

namespace panocarbon {

struct NaturalFluxRecord {
  int64_t run_id = 0;      // filled by queries
  std::string module;      // "fire-gfed", "fire-tier1", "methane", "sinks", "forest", ...
  std::string source;      // the input file or dataset name
  std::string region;      // ISO 3166 code, country name, GFED basis region code, or "World"
  int year = 0;
  int month = 0;           // 1..12, 0 = annual
  std::string species;     // "CO2", "CH4", "N2O", "CO", "C", ...
  double value = 0;        // > 0 emission to the atmosphere, < 0 removal
  double lower = std::numeric_limits<double>::quiet_NaN();  // range; NaN = none (stored as NULL)
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::string unit = "t";
  std::string origin = "natural";  // natural | direct anthropogenic | indirect anthropogenic
  std::string management;          // managed | unmanaged | "" (unknown)
  std::string method;              // e.g. "GFED4.1s emission factors", "IPCC 2006 Vol 4 Eq 2.27"
  std::string note;
};

}  // namespace panocarbon
