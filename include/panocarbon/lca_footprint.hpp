// Product carbon footprint study (ISO 14067:2018, GHG Protocol Product Standard) on top of the LCA API:
// a study file (goal and scope) is parsed into a Study, make_footprint() builds and solves the product
// system, splits the GWP100 result into fossil, biogenic and land-use-change parts, and assembles the
// report (structured data, Markdown, self-contained HTML) and a PACT Technical Specifications v2.2.0
// ProductFootprint. The format and the method are documented in docs/lca-footprint.md.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/lca.hpp"

namespace panocarbon::lca {

// A process added to the final demand by a life-cycle stage (cradle-to-grave: the use stage and the
// end-of-life treatment are separate processes in the data, scaled per functional unit).
struct StageDemand {
  std::string process;  // process id or name
  double amount = 1;    // in the provided flow's reference unit, per functional unit
};

struct StudyStage {
  std::string name;
  // Patterns: a process id, a process name (case-insensitive; '*' and '?' wildcards) or a category
  // prefix ("Electric Power" matches "Electric Power Generation/..." and "Electric Power...").
  std::vector<std::string> processes;
  std::vector<StageDemand> demands;
};

struct Study {
  std::string file;  // the study file, for messages
  std::string name, product, database, functional_unit;
  std::string goal;   // intended application, reasons, audience (ISO 14067 6.2); optional
  double amount = 1;  // reference flow
  std::string unit;   // reference flow unit ("" = the product flow's reference unit)
  std::string system_boundary = "cradle-to-gate";  // or "cradle-to-grave"
  std::vector<StudyStage> stages;
  double cutoff = 0.01;  // fraction of |total| for the hot-spot list and the upstream tree
  AllocationMethod allocation = AllocationMethod::AsStored;
  std::vector<AllocationMethod> allocation_sensitivity;  // alternatives re-run and tabulated
  std::string period_start, period_end;                  // "YYYY-MM-DD" or ISO 8601 date-time; "" = not given
  std::string geography;  // "Global", a UN M49 region name, ISO 3166-1 alpha-2 or ISO 3166-2 code
  std::string gwp_set = "AR6";
  nlohmann::json pact = nlohmann::json::object();  // PACT identifiers and declarations (checked)
  std::vector<std::string> limitations;
  bool waive_unmapped = false;
  int max_depth = 6;          // upstream tree depth in the report
  nlohmann::json source;      // the study as read (hashed into the PACT id)
};

// Reads a study from JSON. Throws Error{InvalidInput} naming the file and the field (missing product,
// unknown allocation, bad amount, unknown field...).
Study parse_study(const nlohmann::json& j, const std::string& file);
// Reads and parses a study file (JSON syntax errors name the file and the line).
Study read_study(const std::filesystem::path& path);

struct FootprintReport {
  nlohmann::json data;  // everything the report shows, numbers unrounded
  std::string markdown, html;
  nlohmann::json pact;  // PACT v2.2.0 ProductFootprint
};

// Runs the study end to end on `db` (the database the study names, already loaded) with the builtin
// IPCC GWP100 method of study.gwp_set.
FootprintReport make_footprint(const Study& study, const Database& db);
// The same with another method; it must have categories named total, fossil, biogenic and luc.
FootprintReport make_footprint(const Study& study, const Database& db, const Method& method);

// Writes DIR/report.md, DIR/report.html and DIR/pact.json (DIR is created). Throws Error{Io}.
void write_footprint(const FootprintReport& report, const std::filesystem::path& dir);

// Text helpers, exposed for tests.
std::string pact_decimal(double v);       // fixed notation, shortest round-trip digits: "0.000123", "-2.5", "0"
std::string html_escape(const std::string& s);
std::string uuid_v5(const std::string& namespace_uuid, const std::string& name);

}  // namespace panocarbon::lca
