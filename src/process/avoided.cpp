// Avoided emissions of exported clean-energy products: the CSV reader and the arithmetic (docs/avoided.md).
#include "panocarbon/avoided.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>
#include <map>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::avoided {

namespace {

enum Col : int { kProduct, kDestination, kCapacity, kCf, kLifetime, kGrid, kManufacturing, kDegradation, kSource, kNumCols };

constexpr size_t kMaxRows = 1000000;

struct Where {
  const std::string& source;
  long line;
  long column;
  const std::string& field;
  operator ErrorContext() const { return ErrorContext{source, line, column, field}; }
};

[[noreturn]] void bad(const Where& w, const std::string& message) {
  throw Error(ErrorCategory::InvalidInput, message, w);
}

double number(std::string_view v, const Where& w) {
  if (v.empty()) bad(w, fmt::format("the {} is empty; every row needs one", w.field));
  return io::finite_number(v, w);
}

void set_field(Product& p, int col, std::string_view raw, const Where& w) {
  const std::string_view v = io::trim(raw);
  switch (col) {
    case kProduct:
      if (v.empty()) bad(w, "the product is empty; name it (e.g. pv_module, wind_turbine)");
      p.product = std::string(v);
      break;
    case kDestination:
      if (v.empty()) bad(w, "the destination is empty; name the country or region where the product is installed");
      p.destination = std::string(v);
      break;
    case kCapacity:
      p.capacity_mw = number(v, w);
      if (!(p.capacity_mw > 0))
        bad(w, fmt::format("capacity_mw {} must be positive (MW of capacity exported)", clip_input(v)));
      break;
    case kCf:
      p.capacity_factor = number(v, w);
      if (!(p.capacity_factor > 0 && p.capacity_factor <= 1))
        bad(w, fmt::format("capacity_factor {} must be in (0, 1]: a fraction of the hours of a year (0.16, not 16 %)",
                           clip_input(v)));
      break;
    case kLifetime: {
      const double l = number(v, w);
      if (!(l >= 1 && l <= kMaxLifetimeYears) || l != std::floor(l))
        bad(w, fmt::format("lifetime_years {} must be a whole number of years from 1 to {} (the lifetime is summed "
                           "year by year; round a fractional lifetime)",
                           clip_input(v), kMaxLifetimeYears));
      p.lifetime_years = static_cast<int>(l);
      break;
    }
    case kGrid:
      p.grid_factor_t_per_mwh = number(v, w);
      if (p.grid_factor_t_per_mwh < 0 || p.grid_factor_t_per_mwh > 2)
        bad(w, fmt::format("grid_factor_t_per_mwh {} must be from 0 to 2 t CO2 per MWh (e.g. 0.25; a factor in "
                           "g/kWh is 1000 times larger: divide it by 1000)",
                           clip_input(v)));
      break;
    case kManufacturing:
      p.manufacturing_t_per_mw = number(v, w);
      if (p.manufacturing_t_per_mw < 0)
        bad(w, fmt::format("manufacturing_t_per_mw {} is negative; give the cradle-to-gate footprint in t CO2e per MW",
                           clip_input(v)));
      break;
    case kDegradation:
      if (v.empty()) break;  // optional: 0
      p.degradation_pct_per_year = number(v, w);
      if (!(p.degradation_pct_per_year >= 0 && p.degradation_pct_per_year < 100))
        bad(w, fmt::format("degradation_pct_per_year {} must be at least 0 and below 100 (percent of output lost per "
                           "year, e.g. 0.5)",
                           clip_input(v)));
      break;
    case kSource: p.source = std::string(v); break;
    default: break;
  }
}

std::string columns_text() {
  return fmt::format("{} (the last two optional)", fmt::join(input_columns(), ","));
}

}  // namespace

const std::vector<std::string>& input_columns() {
  static const std::vector<std::string> cols = {"product",           "destination",
                                                "capacity_mw",       "capacity_factor",
                                                "lifetime_years",    "grid_factor_t_per_mwh",
                                                "manufacturing_t_per_mw", "degradation_pct_per_year",
                                                "source"};
  return cols;
}

const char* output_header() {
  return "product,destination,annual_generation_mwh,annual_avoided_t,lifetime_avoided_t,manufacturing_t,"
         "net_lifetime_avoided_t,payback_years";
}

std::vector<Product> read_products(std::string_view text, const std::string& source) {
  io::CsvReader r(text, source);
  if (!r.next())
    throw Error(ErrorCategory::InvalidInput, fmt::format("the file is empty; it needs a header line: {}", columns_text()),
                r.context());
  const auto& cols = input_columns();
  std::vector<int> map;
  std::map<int, long> column_of;  // Col -> 1-based column in the file
  for (size_t i = 0; i < r.fields().size(); ++i) {
    const std::string name = io::to_lower(io::trim(r.fields()[i]));
    int c = -1;
    for (size_t k = 0; k < cols.size(); ++k)
      if (cols[k] == name) c = static_cast<int>(k);
    const long column = static_cast<long>(i) + 1;
    if (c < 0) {
      std::string hint;
      size_t best = 4;
      for (const auto& k : cols)
        if (const size_t d = edit_distance(name, k); d < best) {
          best = d;
          hint = fmt::format(" (did you mean '{}'?)", k);
        }
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("unknown column '{}'{}; the columns are {}", clip_input(name),
                              hint, columns_text()),
                  r.context(column, clip_input(name)));
    }
    if (column_of.count(c))
      throw Error(ErrorCategory::InvalidInput, fmt::format("column '{}' appears twice", name), r.context(column, name));
    column_of[c] = column;
    map.push_back(c);
  }
  for (int c = 0; c < kDegradation; ++c)
    if (!column_of.count(c))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the required column '{}' is missing from the header; the columns are {}",
                              cols[static_cast<size_t>(c)], columns_text()),
                  r.context(0, cols[static_cast<size_t>(c)]));

  std::vector<Product> out;
  std::vector<Error> errors;
  size_t n_bad = 0;
  while (r.next()) {
    try {
      const auto& f = r.fields();
      r.require_fields(map.size());
      if (out.size() >= kMaxRows)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("more than {} rows; split the file or aggregate its rows", kMaxRows), r.context());
      Product p;
      p.line = r.line();
      for (size_t i = 0; i < f.size(); ++i)
        set_field(p, map[i], f[i],
                  Where{source, r.line(), static_cast<long>(i) + 1, cols[static_cast<size_t>(map[i])]});
      out.push_back(std::move(p));
    } catch (const Error& e) {
      if (e.category() != ErrorCategory::InvalidInput) throw;
      if (errors.size() < io::kMaxRowErrors) errors.push_back(e);
      ++n_bad;
      if (out.size() >= kMaxRows) break;
    }
  }
  io::throw_row_errors(errors, n_bad);
  if (out.empty())
    throw Error(ErrorCategory::InvalidInput,
                "the file has a header but no rows; add one row per product and destination", r.context());
  return out;
}

Row compute(const Product& p) {
  Row r;
  r.product = p.product;
  r.destination = p.destination;
  r.annual_generation_mwh = p.capacity_mw * p.capacity_factor * kHoursPerYear;
  r.annual_avoided_t = r.annual_generation_mwh * p.grid_factor_t_per_mwh;
  // Year by year (at most kMaxLifetimeYears terms): the sum the method states, without the closed form's
  // cancellation for a small degradation.
  const double keep = 1.0 - p.degradation_pct_per_year / 100.0;
  double share = 1.0, years = 0.0;
  for (int k = 0; k < p.lifetime_years; ++k) {
    years += share;
    share *= keep;
  }
  r.lifetime_avoided_t = r.annual_avoided_t * years;
  r.manufacturing_t = p.capacity_mw * p.manufacturing_t_per_mw;
  r.net_lifetime_avoided_t = r.lifetime_avoided_t - r.manufacturing_t;
  r.payback_years = r.annual_avoided_t > 0 ? r.manufacturing_t / r.annual_avoided_t
                                           : std::numeric_limits<double>::quiet_NaN();
  return r;
}

Ledger compute(std::vector<Product> products) {
  Ledger l;
  l.inputs = std::move(products);
  l.total.product = "total";
  l.total.destination = "";
  for (const auto& p : l.inputs) {
    Row r = compute(p);
    l.total.annual_generation_mwh += r.annual_generation_mwh;
    l.total.annual_avoided_t += r.annual_avoided_t;
    l.total.lifetime_avoided_t += r.lifetime_avoided_t;
    l.total.manufacturing_t += r.manufacturing_t;
    l.total.net_lifetime_avoided_t += r.net_lifetime_avoided_t;
    l.rows.push_back(std::move(r));
  }
  l.total.payback_years = l.total.annual_avoided_t > 0 ? l.total.manufacturing_t / l.total.annual_avoided_t
                                                       : std::numeric_limits<double>::quiet_NaN();
  return l;
}

}  // namespace panocarbon::avoided
