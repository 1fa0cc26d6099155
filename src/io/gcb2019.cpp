#include "io/gcb2019.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::io {

namespace fs = std::filesystem;

bool is_gcb2019_folder(const fs::path& folder) {
  std::error_code ec;
  return fs::is_regular_file(folder / kGcbTerritorial, ec);
}

namespace {

// Collects up to 20 bad rows of a file and throws them as one InvalidInput.
struct Problems {
  std::vector<std::string> lines;
  ErrorContext first;
  size_t count = 0;
  void add(const ErrorContext& c, const std::string& what) {
    if (count++ == 0) first = c;
    if (lines.size() < 20) lines.push_back(fmt::format("line {} field {}: {}", c.line, c.field, what));
  }
  void raise(const fs::path& file) const {
    if (!count) return;
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} bad row{} in {} ({}{}); fix them (values in MtC, years as whole numbers, empty for "
                            "no data) or download the file again",
                            count, count == 1 ? "" : "s", file.string(), fmt::join(lines, "; "),
                            count > lines.size() ? "; ..." : ""),
                first);
  }
};

std::vector<GcbRow> read_series(const fs::path& file, const std::string& value_column, bool with_origin,
                                std::vector<fs::path>& files) {
  const std::string text = read_file(file);
  files.push_back(file);
  CsvReader csv(text, file.string());
  if (!csv.next())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("is empty; it should start with the header Code,Year,{}", value_column), {file.string(), 1});
  const auto& h = csv.fields();
  int code = -1, year = -1, value = -1, origin = -1;
  for (size_t i = 0; i < h.size(); ++i) {
    const auto name = trim(h[i]);
    if (name == "Code") code = static_cast<int>(i);
    if (name == "Year") year = static_cast<int>(i);
    if (name == value_column) value = static_cast<int>(i);
    if (name == "Source") origin = static_cast<int>(i);
  }
  if (code < 0 || year < 0 || value < 0)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("has the header '{}' but needs the columns Code, Year and {} (the GCB 2019 national "
                            "layout of the global-carbon-budget data package)",
                            clip_input(fmt::format("{}", fmt::join(h, ","))), value_column),
                {file.string(), 1, 0, code < 0 ? "Code" : year < 0 ? "Year" : value_column});
  std::vector<GcbRow> out;
  Problems bad;
  const size_t need = static_cast<size_t>(std::max({code, year, value})) + 1;
  while (csv.next()) {
    const auto& f = csv.fields();
    if (f.size() < need) {
      bad.add(csv.context(0, value_column), fmt::format("{} fields, the header has {}", f.size(), h.size()));
      continue;
    }
    GcbRow r;
    r.code = std::string(trim(f[code]));
    if (r.code.empty() || !is_valid_utf8(r.code)) {
      bad.add(csv.context(code + 1, "Code"), "no country code");
      continue;
    }
    double y = 0;
    if (!parse_double(f[year], y) || y != std::floor(y) || y < 1700 || y > 2200) {
      bad.add(csv.context(year + 1, "Year"), fmt::format("'{}' is not a year", clip_input(f[year])));
      continue;
    }
    r.year = static_cast<int>(y);
    const auto v = trim(f[value]);
    if (v.empty() || v == "NA") continue;  // no data for that country and year
    if (parse_number(v, r.mtc) != NumberStatus::Ok) {
      bad.add(csv.context(value + 1, value_column), number_problem(v));
      continue;
    }
    if (with_origin && origin >= 0 && static_cast<size_t>(origin) < f.size()) r.origin = std::string(trim(f[origin]));
    out.push_back(std::move(r));
  }
  bad.raise(file);
  return out;
}

}  // namespace

Gcb2019 read_gcb2019(const fs::path& folder) {
  Gcb2019 g;
  std::error_code ec;
  if (!is_gcb2019_folder(folder))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("has no {}: a GCB 2019 national folder holds territorial-emissions.csv, "
                            "consumption-emissions.csv, emissions-transfers.csv and country-definitions.csv",
                            kGcbTerritorial),
                {folder.string()});
  g.territorial = read_series(folder / kGcbTerritorial, "Emissions", true, g.files);
  if (fs::is_regular_file(folder / "consumption-emissions.csv", ec))
    g.consumption = read_series(folder / "consumption-emissions.csv", "Consumption-Emissions", false, g.files);
  if (fs::is_regular_file(folder / "emissions-transfers.csv", ec))
    g.transfers = read_series(folder / "emissions-transfers.csv", "Emissions-Transfers", false, g.files);
  const fs::path defs = folder / "country-definitions.csv";
  if (fs::is_regular_file(defs, ec)) {
    const std::string text = read_file(defs);
    g.files.push_back(defs);
    CsvReader csv(text, defs.string());
    int code = -1, name = -1;
    if (csv.next())
      for (size_t i = 0; i < csv.fields().size(); ++i) {
        if (trim(csv.fields()[i]) == "Code") code = static_cast<int>(i);
        if (trim(csv.fields()[i]) == "Name") name = static_cast<int>(i);
      }
    if (code < 0 || name < 0)
      throw Error(ErrorCategory::InvalidInput, "needs the columns Code and Name (Number,Code,Name,Description)",
                  {defs.string(), 1, 0, code < 0 ? "Code" : "Name"});
    while (csv.next()) {
      const auto& f = csv.fields();
      if (f.size() <= static_cast<size_t>(std::max(code, name))) continue;
      g.names[std::string(trim(f[code]))] = std::string(trim(f[name]));
    }
  }
  return g;
}

}  // namespace panocarbon::io
