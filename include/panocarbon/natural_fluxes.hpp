// One record of the natural side of the account (issue 6): what every natural module (fires, natural methane,
// forest land, sinks) stores in the database table natural_fluxes (migration 6, src/store/store.cpp) through
// Store::save_natural_fluxes, so that the national-inventory view and the global-carbon-budget view come from
// the same records.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

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

// The same records in a compact form, for a run with many rows that share a few texts (a GFED year: ~14,000
// rows, 4 texts): each text once in `texts`, each row by its index there, its region and species as views of
// strings that outlive the call (the run's region and species lists). Building it allocates nothing per row;
// Store::save_natural_fluxes stores it as it would the equal NaturalFluxRecords (the same rows, ids and order).
struct NaturalFluxText {
  std::string module, source, unit = "t", origin = "natural", management, method, note;  // as NaturalFluxRecord
};
struct NaturalFluxRow {
  uint32_t text = 0;  // index into NaturalFluxBatch::texts
  int year = 0;
  int month = 0;
  std::string_view region, species;
  double value = 0;
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
};
struct NaturalFluxBatch {
  std::vector<NaturalFluxText> texts;
  std::vector<NaturalFluxRow> rows;
  // Row i as the equal NaturalFluxRecord (its text copied in; texts.at: an index out of range throws).
  NaturalFluxRecord record(size_t i) const {
    const NaturalFluxRow& x = rows.at(i);
    const NaturalFluxText& t = texts.at(x.text);
    NaturalFluxRecord r;
    r.module = t.module;
    r.source = t.source;
    r.region = std::string(x.region);
    r.year = x.year;
    r.month = x.month;
    r.species = std::string(x.species);
    r.unit = t.unit;
    r.origin = t.origin;
    r.management = t.management;
    r.value = x.value;
    r.lower = x.lower;
    r.upper = x.upper;
    r.method = t.method;
    r.note = t.note;
    return r;
  }
};

}  // namespace panocarbon
