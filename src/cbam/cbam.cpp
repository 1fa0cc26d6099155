// CBAM: CN codes, countries, default values and mark-ups, the comparison (see include/panocarbon/cbam.hpp and
// docs/cbam.md). The embedded emissions of an installation are in installation.cpp.
#include "panocarbon/cbam.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include <fmt/ranges.h>

#include "core/countries.hpp"
#include "core/csv.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::cbam {

namespace {
struct CategoryName {
  Category c;
  const char* name;
};
constexpr CategoryName kCategories[] = {{Category::Cement, "cement"},           {Category::IronSteel, "iron_steel"},
                                        {Category::Aluminium, "aluminium"},     {Category::Fertilisers, "fertilisers"},
                                        {Category::Hydrogen, "hydrogen"},       {Category::Electricity, "electricity"}};

bool starts(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

const char* to_string(Category c) noexcept {
  for (const auto& k : kCategories)
    if (k.c == c) return k.name;
  return "?";
}

Category parse_category(std::string_view name) {
  for (const auto& k : kCategories)
    if (iequals(name, k.name)) return k.c;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("unknown CBAM goods category '{}'; use cement, iron_steel, aluminium, fertilisers, "
                          "hydrogen or electricity",
                          clip_input(name)));
}

std::optional<Category> category_of(std::string_view d) {
  if (starts(d, "2523")) return Category::Cement;
  if (starts(d, "2716")) return Category::Electricity;
  if (starts(d, "280410")) return Category::Hydrogen;
  if (starts(d, "2808") || starts(d, "2814") || starts(d, "283421") || starts(d, "3102") || starts(d, "3105"))
    return Category::Fertilisers;
  if (starts(d, "260112") || starts(d, "72") || starts(d, "73")) return Category::IronSteel;
  if (starts(d, "76")) return Category::Aluminium;
  return std::nullopt;
}

bool counts_indirect(Category c) noexcept {
  return !(c == Category::IronSteel || c == Category::Aluminium || c == Category::Hydrogen);
}

std::string normalise_cn(std::string_view code) {
  std::string d;
  for (char ch : code) {
    if (ch == ' ' || ch == '.' || ch == '\t') continue;
    if (ch < '0' || ch > '9')
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("'{}' is not a CN code: give digits, e.g. 7208, 25232900 or '2523 29 00'",
                              clip_input(code)),
                  ErrorContext{{}, 0, 0, "good"});
    d += ch;
  }
  if (d.size() < 2 || d.size() > 10)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("'{}' is not a CN code: a code has 2 to 10 digits (chapter 72, heading 7208, "
                            "subheading 25232900, TARIC 2523100010)",
                            clip_input(code)),
                ErrorContext{{}, 0, 0, "good"});
  return d;
}


// ---- countries ---------------------------------------------------------------------------------------------------

namespace {
struct Countries {
  std::vector<Country> list;
  std::map<std::string, size_t> by_key;  // lower-case alpha2, alpha3, name, aliases
};

const Countries& countries() {
  static const Countries all = [] {
    Countries c;
    for (const auto& iso : iso_countries()) {
      Country k{iso.alpha2, iso.alpha3, iso.name};
      c.by_key[to_lower(k.alpha3)] = c.list.size();
      if (!k.alpha2.empty()) c.by_key[to_lower(k.alpha2)] = c.list.size();
      c.by_key[to_lower(k.name)] = c.list.size();
      c.list.push_back(std::move(k));
    }
    io::CsvReader al(detail::embedded_file("country_aliases.csv"), "<embedded>/country_aliases.csv");
    al.next();  // alpha3,alias,language,source
    while (al.next()) {
      const auto& f = al.fields();
      if (f.size() < 3 || f[2] != "en") continue;
      const auto it = c.by_key.find(to_lower(f[0]));
      if (it != c.by_key.end()) c.by_key.emplace(to_lower(f[1]), it->second);
    }
    return c;
  }();
  return all;
}
}  // namespace

Country parse_country(std::string_view text) {
  const std::string key = to_lower(io::trim(text));
  const auto& c = countries();
  const auto it = c.by_key.find(key);
  if (it != c.by_key.end()) return c.list[it->second];
  std::vector<std::string> names;
  for (const auto& k : c.list) names.push_back(k.name);
  const auto near = nearest_names(key, names);
  throw Error(ErrorCategory::NotFound,
              fmt::format("unknown country '{}': give an ISO 3166-1 alpha-2 or alpha-3 code or the English name "
                          "(CN, CHN, China){}",
                          clip_input(text), near.empty() ? "" : fmt::format("; nearest names: {}", fmt::join(near, ", "))),
              ErrorContext{{}, 0, 0, "country"});
}

// ---- tables ------------------------------------------------------------------------------------------------------

namespace {
const std::vector<std::string> kDefaultsHeader = {"cn_code", "description", "category", "country", "direct",
                                                  "indirect", "total", "route", "source"};
const std::vector<std::string> kMarkupHeader = {"category", "from_year", "to_year", "markup_pct", "source"};

void check_header(io::CsvReader& csv, const std::vector<std::string>& header) {
  if (!csv.next() || csv.fields().size() != header.size() ||
      !std::equal(header.begin(), header.end(), csv.fields().begin()))
    throw Error(ErrorCategory::Data, fmt::format("the header is not {}", fmt::join(header, ",")), csv.context(1));
}

double number(const io::CsvReader& csv, size_t col, const std::string& field) {
  double v = 0;
  if (!io::parse_double(csv.fields()[col], v) || v < 0)
    throw Error(ErrorCategory::Data, fmt::format("'{}' is not a non-negative number", clip_input(csv.fields()[col])),
                csv.context(static_cast<long>(col) + 1, field));
  return v;
}
}  // namespace

DefaultTable parse_default_table(std::string_view defaults_csv, std::string_view markup_csv,
                                 const std::string& defaults_name, const std::string& markup_name) {
  DefaultTable t;
  io::CsvReader d(defaults_csv, defaults_name);
  check_header(d, kDefaultsHeader);
  while (d.next()) {
    const auto& f = d.fields();
    if (f.size() != kDefaultsHeader.size())
      throw Error(ErrorCategory::Data, fmt::format("{} fields, expected {}", f.size(), kDefaultsHeader.size()),
                  d.context());
    DefaultValue v;
    v.cn_code = std::string(f[0]);
    if (v.cn_code.empty() || v.cn_code.size() > 10 ||
        !std::all_of(v.cn_code.begin(), v.cn_code.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      throw Error(ErrorCategory::Data, "cn_code is not 2 to 10 digits", d.context(1, "cn_code"));
    v.description = std::string(f[1]);
    try {
      v.category = parse_category(f[2]);
    } catch (const Error& e) {
      throw Error(ErrorCategory::Data, e.message(), d.context(3, "category"));
    }
    v.country = std::string(f[3]);
    v.direct = number(d, 4, "direct");
    if (!f[5].empty()) v.indirect = number(d, 5, "indirect");
    v.total = number(d, 6, "total");
    if (std::abs(v.direct + v.indirect.value_or(0) - v.total) > 0.0100001)  // each of the three rounded to 0.01
      throw Error(ErrorCategory::Data, "total is not direct + indirect (within 0.01, the rounding of the three published values)", d.context(7, "total"));
    v.route = std::string(f[7]);
    v.source = std::string(f[8]);
    t.rows.push_back(std::move(v));
  }
  io::CsvReader m(markup_csv, markup_name);
  check_header(m, kMarkupHeader);
  while (m.next()) {
    const auto& f = m.fields();
    if (f.size() != kMarkupHeader.size())
      throw Error(ErrorCategory::Data, fmt::format("{} fields, expected {}", f.size(), kMarkupHeader.size()),
                  m.context());
    MarkupRow r;
    try {
      r.category = parse_category(f[0]);
    } catch (const Error& e) {
      throw Error(ErrorCategory::Data, e.message(), m.context(1, "category"));
    }
    const auto year = [&](size_t col, const char* field) {
      const double y = number(m, col, field);
      if (y < 1900 || y > 2200 || y != std::floor(y))
        throw Error(ErrorCategory::Data, "a year is a whole number from 1900 to 2200",
                    m.context(static_cast<long>(col) + 1, field));
      return static_cast<int>(y);
    };
    r.from_year = year(1, "from_year");
    r.to_year = f[2].empty() ? 0 : year(2, "to_year");
    r.pct = number(m, 3, "markup_pct");
    r.source = std::string(f[4]);
    t.markups.push_back(std::move(r));
  }
  return t;
}

const DefaultTable& default_table() {
  static const DefaultTable t =
      parse_default_table(detail::embedded_file("cbam/default_values.csv"), detail::embedded_file("cbam/markup_schedule.csv"),
                          "<embedded>/cbam/default_values.csv", "<embedded>/cbam/markup_schedule.csv");
  return t;
}

const MarkupRow& markup_row(const DefaultTable& t, Category c, int year) {
  if (year < 2026)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} is before the definitive period: the transitional period of Regulation (EU) "
                            "2023/956 (Article 32) ends in 2025, default values with mark-ups apply from 2026; give "
                            "--year 2026 or later",
                            year),
                ErrorContext{{}, 0, 0, "year"});
  for (const auto& r : t.markups)
    if (r.category == c && year >= r.from_year && (r.to_year == 0 || year <= r.to_year)) return r;
  throw Error(ErrorCategory::NotFound,
              fmt::format("the mark-up schedule (data/cbam/markup_schedule.csv) has no mark-up for {} in {}",
                          to_string(c), year),
              ErrorContext{{}, 0, 0, "year"});
}

double markup_pct(const DefaultTable& t, Category c, int year) { return markup_row(t, c, year).pct; }

std::vector<const DefaultValue*> match(const DefaultTable& t, const std::string& country, std::string_view code) {
  const DefaultValue* best = nullptr;
  std::vector<const DefaultValue*> subs;
  for (const auto& r : t.rows) {
    if (r.country != country) continue;
    if (starts(code, r.cn_code)) {
      if (!best || r.cn_code.size() > best->cn_code.size()) best = &r;
    } else if (starts(r.cn_code, code)) {
      subs.push_back(&r);
    }
  }
  if (best) return {best};
  return subs;
}

namespace {
std::string describe(const DefaultValue& r) { return fmt::format("{} ({})", r.cn_code, r.description); }

// The country's codes nearest to `code`: the nearest numbers once both are written with 10 digits (7210 -> 7209,
// 7208, then 72142000).
std::vector<std::string> nearest_codes(const DefaultTable& t, const std::string& country, const std::string& code) {
  std::vector<std::pair<double, const DefaultValue*>> c;
  const auto pad = [](std::string s) {
    s.resize(10, '0');
    return std::strtod(s.c_str(), nullptr);
  };
  for (const auto& r : t.rows)
    if (r.country == country) c.push_back({std::abs(pad(r.cn_code) - pad(code)), &r});
  std::stable_sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < c.size() && i < 3; ++i) out.push_back(describe(*c[i].second));
  return out;
}
}  // namespace

const DefaultValue& lookup(const DefaultTable& t, const Country& country, std::string_view code) {
  const std::string d = normalise_cn(code);
  if (!category_of(d))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("CN code {} is not a CBAM good (Regulation (EU) 2023/956 Annex I: 2523 cement, 2601 12, 72 "
                            "and 73 iron and steel, 76 aluminium, 2808, 2814, 2834 21, 3102, 3105 fertilisers, "
                            "2804 10 hydrogen, 2716 electricity)",
                            d),
                ErrorContext{{}, 0, 0, "good"});
  const bool any = std::any_of(t.rows.begin(), t.rows.end(), [&](const DefaultValue& r) { return r.country == country.alpha3; });
  if (!any) {
    std::vector<std::string> held;
    for (const auto& r : t.rows)
      if (std::find(held.begin(), held.end(), r.country) == held.end()) held.push_back(r.country);
    throw Error(ErrorCategory::NotFound,
                fmt::format("the default-value table holds no values for {} ({}); it holds {} (data/cbam/"
                            "default_values.csv, docs/cbam.md)",
                            country.alpha3, country.name, fmt::join(held, ", ")),
                ErrorContext{{}, 0, 0, "country"});
  }
  const auto rows = match(t, country.alpha3, d);
  if (rows.size() == 1) return *rows.front();
  if (rows.empty())
    throw Error(ErrorCategory::NotFound,
                fmt::format("no default value for CN code {} from {} in the table; nearest codes: {}", d, country.name,
                            fmt::join(nearest_codes(t, country.alpha3, d), ", ")),
                ErrorContext{{}, 0, 0, "good"});
  std::vector<std::string> names;
  for (const auto* r : rows) names.push_back(describe(*r));
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("CN code {} covers {} goods with different default values: {}; give one of these codes", d,
                          rows.size(), fmt::join(names, ", ")),
              ErrorContext{{}, 0, 0, "good"});
}

// ---- comparison --------------------------------------------------------------------------------------------------

Comparison compare(const DefaultTable& t, const Country& country, std::string_view code, int year,
                   std::optional<double> actual, double ets_price_eur, std::string actual_source) {
  Comparison c;
  c.row = lookup(t, country, code);
  c.country = country;
  c.year = year;
  const auto& m = markup_row(t, c.row.category, year);
  c.default_t = c.row.counted();
  c.markup_pct = m.pct;
  c.markup_source = m.source;
  c.default_with_markup_t = c.default_t * (1 + m.pct / 100);
  c.actual_t = actual;
  c.actual_source = std::move(actual_source);
  c.ets_price_eur = ets_price_eur;

  const bool ind = counts_indirect(c.row.category);
  c.report.push_back(
      ind ? fmt::format("{} is {}: direct and indirect (electricity) emissions count (Regulation (EU) 2023/956 "
                        "Annex IV; not a good of Annex II); default {:.4g} = the published total (direct {:.4g}, indirect "
                        "{:.4g} t CO2e/t)",
                        c.row.cn_code, to_string(c.row.category), c.default_t, c.row.direct, c.row.indirect.value_or(0))
          : fmt::format("{} is {}: only direct emissions count (Regulation (EU) 2023/956 Annex II), including the "
                        "direct emissions of precursors; default {:.4g} t CO2e/t is the direct value{}",
                        c.row.cn_code, to_string(c.row.category), c.default_t,
                        c.row.indirect ? fmt::format(" (the annex's indirect {:.4g} does not count)", *c.row.indirect)
                                       : std::string()));
  c.report.push_back(fmt::format("mark-up {} % for {} in {}: {:.4g} -> {:.4g} t CO2e/t ({})", m.pct,
                                 to_string(c.row.category), year, c.default_t, c.default_with_markup_t, m.source));
  if (!actual) {
    c.report.push_back("no actual value given (--actual or --route): the default with its mark-up applies");
    return c;
  }
  const double a = *actual, gap = c.base_gap_t(), mk = c.markup_t(), diff = c.difference_t();
  if (std::abs(diff) < 1e-9) {
    c.report.push_back(fmt::format("the actual value {:.4g} equals the default with mark-up", a));
  } else if (diff > 0) {
    c.report.push_back(fmt::format(
        "the actual value {:.4g} is lower than the default with mark-up {:.4g} by {:.4g} t CO2e/t: {:.4g} from the "
        "base-value gap (default minus actual) and {:.4g} from the designed mark-up{}",
        a, c.default_with_markup_t, diff, gap, mk,
        gap < 0 ? "; the actual value is above the default itself: only the mark-up makes the default dearer" : ""));
  } else {
    c.report.push_back(fmt::format(
        "the actual value {:.4g} is higher than the default with mark-up {:.4g} by {:.4g} t CO2e/t: the default "
        "(before mark-up) is {:.4g} below the actual value, more than the mark-up of {:.4g}",
        a, c.default_with_markup_t, -diff, -gap, mk));
  }
  c.report.push_back(fmt::format(
      "certificate cost difference at {:.2f} EUR/t CO2e: {:.2f} EUR per t of good ({} pays less); gross, before the "
      "free-allocation adjustment and any carbon price paid in the country of origin",
      ets_price_eur, c.cost_difference_eur(), diff >= 0 ? "the actual value" : "the default"));
  return c;
}

}  // namespace panocarbon::cbam
