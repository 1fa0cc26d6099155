// Global Carbon Budget 2019 (Friedlingstein et al. 2019, Earth Syst. Sci. Data 11, 1783-1838): the global
// budget table and the ensemble files of ../shared/data/natural/gcb2019/, in GtC/yr.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::natural {

const char* to_string(Driver d) noexcept {
  switch (d) {
    case Driver::Natural:
      return "natural";
    case Driver::DirectAnthropogenic:
      return "direct-anthropogenic";
    case Driver::IndirectAnthropogenic:
      return "indirect-anthropogenic";
    case Driver::Mixed:
      return "natural+indirect";
  }
  return "?";
}

const char* origin_text(Driver d) noexcept {
  switch (d) {
    case Driver::Natural:
      return "natural";
    case Driver::DirectAnthropogenic:
      return "direct anthropogenic";
    case Driver::IndirectAnthropogenic:
      return "indirect anthropogenic";
    case Driver::Mixed:
      return "natural+indirect anthropogenic";
  }
  return "?";
}

Driver default_fire_driver(const std::string& ef_category) {
  return ef_category == "agricultural_residues" ? Driver::DirectAnthropogenic : Driver::Natural;
}

double rounding_tolerance(int decimals) { return 6 * 0.5 * std::pow(10.0, -decimals) + 1e-9; }

namespace {
struct Table {
  std::vector<std::string> header;
  std::vector<std::pair<long, std::vector<std::string>>> rows;  // (line, fields)
};
Table read_table(const std::string& path) {
  const std::string text = read_file(path);
  io::CsvReader r(text, path);
  Table t;
  if (!r.next())
    throw Error(ErrorCategory::InvalidInput, "the file is empty; expected a header line starting with Year",
                ErrorContext{path, 1});
  for (auto f : r.fields()) t.header.emplace_back(io::trim(f));
  if (t.header.empty() || t.header[0] != "Year")
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the first column must be 'Year', not '{}' (a Global Carbon Budget CSV export)",
                            t.header.empty() ? "" : t.header[0]),
                ErrorContext{path, 1, 1, "Year"});
  while (r.next()) {
    std::vector<std::string> f;
    for (auto x : r.fields()) f.emplace_back(io::trim(x));
    if (f.size() != t.header.size())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("{} fields where the header has {}; fix the row", f.size(), t.header.size()),
                  r.context());
    t.rows.push_back({r.line(), std::move(f)});
  }
  return t;
}
double number(const Table& t, size_t row, size_t col, const std::string& path) {
  double v = 0;
  const auto& [line, f] = t.rows[row];
  if (!io::parse_double(f[col], v))
    throw Error(ErrorCategory::InvalidInput, io::number_problem(f[col]) + " (GtC/yr expected)",
                ErrorContext{path, line, static_cast<long>(col + 1), clip_input(t.header[col])});
  return v;
}
size_t column(const Table& t, const std::string& name, const std::string& path) {
  const auto it = std::find(t.header.begin(), t.header.end(), name);
  if (it == t.header.end())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("no column '{}'; the file must be the GCB 2019 export with columns {}", name,
                            fmt::join(t.header, ",")),
                ErrorContext{path, 1, 0, name});
  return static_cast<size_t>(it - t.header.begin());
}

// Per year: min and max over the individual model/product columns (not the budget column or the means), and
// the budget column itself for a cross-check.
void ensemble(const std::string& path, const std::string& budget_col, std::map<int, std::pair<double, double>>& range,
              std::map<int, double>& budget) {
  const Table t = read_table(path);
  const size_t b = column(t, budget_col, path);
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const int year = static_cast<int>(number(t, i, 0, path));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (size_t c = 1; c < t.header.size(); ++c) {
      if (c == b || t.header[c].find("(multi-") != std::string::npos) continue;
      if (t.rows[i].second[c].empty()) continue;  // products start later than models
      const double v = number(t, i, c, path);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (lo <= hi) range[year] = {lo, hi};
    budget[year] = number(t, i, b, path);
  }
}
}  // namespace

CarbonBudget read_carbon_budget(const std::string& folder) {
  namespace fs = std::filesystem;
  CarbonBudget cb;
  cb.folder = folder;
  const std::string main = (fs::path(folder) / "global-carbon-budget.csv").string();
  if (!fs::exists(main))
    throw Error(ErrorCategory::NotFound,
                "no global-carbon-budget.csv in this folder; give the folder of the GCB 2019 CSV files "
                "(../shared/data/natural/gcb2019) with --data",
                ErrorContext{folder});
  const Table t = read_table(main);
  const size_t c[6] = {column(t, "Fossil-Fuel-And-Industry", main),
                       column(t, "Land-Use-Change-Emissions", main),
                       column(t, "Atmospheric-Growth", main),
                       column(t, "Ocean-Sink", main),
                       column(t, "Land-Sink", main),
                       column(t, "Budget-Imbalance", main)};
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BudgetYear y;
    y.year = static_cast<int>(number(t, i, 0, main));
    if (!cb.years.empty() && y.year <= cb.years.back().year)
      throw Error(ErrorCategory::InvalidInput, fmt::format("year {} is out of order or repeated", y.year),
                  ErrorContext{main, t.rows[i].first, 1, "Year"});
    y.fossil = number(t, i, c[0], main);
    y.land_use_change = number(t, i, c[1], main);
    y.atmospheric_growth = number(t, i, c[2], main);
    y.ocean_sink = number(t, i, c[3], main);
    y.land_sink = number(t, i, c[4], main);
    y.imbalance = number(t, i, c[5], main);
    cb.years.push_back(y);
  }
  struct Part {
    const char* file;
    const char* column;
    std::map<int, std::pair<double, double>>* range;
    double BudgetYear::*field;
    const char* mean;
  };
  const Part parts[] = {
      {"land-use-change.csv", "Land-Use-Change", &cb.luc_range, &BudgetYear::land_use_change, nullptr},
      {"ocean-sink.csv", "Ocean-Sink", &cb.ocean_range, &BudgetYear::ocean_sink, nullptr},
      {"terrestrial-sink.csv", "Terrestrial-Sink", &cb.land_range, &BudgetYear::land_sink, "MMM (multi-model mean)"}};
  for (const auto& p : parts) {
    const std::string path = (fs::path(folder) / p.file).string();
    if (!fs::exists(path)) {
      cb.notes.push_back(fmt::format("{} not found: no ensemble range for it", p.file));
      continue;
    }
    std::map<int, double> col;
    ensemble(path, p.column, *p.range, col);
    std::map<int, double> mmm;
    if (p.mean) {
      std::map<int, std::pair<double, double>> unused;
      ensemble(path, p.mean, unused, mmm);
    }
    int differ = 0, differ_mmm = 0;
    double worst = 0;
    for (const auto& y : cb.years) {
      if (col.count(y.year) && std::abs(col[y.year] - y.*p.field) > 5e-4) {
        ++differ;
        worst = std::max(worst, std::abs(col[y.year] - y.*p.field));
      }
      if (mmm.count(y.year) && std::abs(mmm[y.year] - y.*p.field) > 5e-4) ++differ_mmm;
    }
    if (differ == 0)
      cb.notes.push_back(fmt::format("{}: column {} equals the budget table in every year", p.file, p.column));
    else
      cb.notes.push_back(fmt::format(
          "{}: column {} differs from the budget table in {} years (largest {:.3f} GtC/yr){}", p.file, p.column, differ,
          worst,
          p.mean && differ_mmm == 0 ? fmt::format("; the budget's Land-Sink equals its '{}' column instead", p.mean)
                                    : ""));
  }
  return cb;
}

}  // namespace panocarbon::natural
