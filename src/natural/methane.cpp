// Global Methane Budget 2000-2017 (Saunois et al. 2020, Earth Syst. Sci. Data 12, 1561-1623), Table 3 as
// published in ../shared/data/natural/global-methane-budget-2020-table3.xlsx: Tg CH4/yr, "mean [min–max]".
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "io/xlsx.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"

namespace panocarbon::natural {

namespace {
// U+2013 en dash and U+2212 minus in UTF-8.
const std::string kEnDash = "\xE2\x80\x93";
const std::string kMinus = "\xE2\x88\x92";

// Builds a new string (in-place std::string::replace trips GCC 12's -Wrestrict at -O3).
std::string replace_all(const std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, i)) {
    out.append(s, i, p - i);
    out += to;
    i = p + from.size();
  }
  out.append(s, i, std::string::npos);
  return out;
}
std::string normalise(const std::string& s) { return replace_all(replace_all(s, kMinus, "-"), "\xC2\xA0", " "); }
// A number at s[i..] (optional '-'); advances i.
bool read_number(const std::string& s, size_t& i, double& out) {
  while (i < s.size() && s[i] == ' ') ++i;
  const char* begin = s.c_str() + i;
  char* end = nullptr;
  out = std::strtod(begin, &end);
  if (end == begin) return false;
  i += static_cast<size_t>(end - begin);
  return std::isfinite(out);
}

// The table's row labels carry footnote letters glued on ("Freshwatersa", "Total anthropogenic sourcesg")
// and lost spaces ("Agriculture andwaste"); the labels used by panocarbon, by row label as written.
struct Label {
  const char* raw;
  const char* name;
  const char* parent;
};
const Label kLabels[] = {
    {"Wetlands", "Wetlands", ""},
    {"Other natural sources", "Other natural sources", ""},
    {"Other land sources", "Other land sources", "Other natural sources"},
    {"Freshwatersa", "Freshwaters (lakes, ponds, rivers, reservoirs)", "Other land sources"},
    {"Geological (onshore)", "Geological (onshore)", "Other land sources"},
    {"Wild animals", "Wild animals", "Other land sources"},
    {"Termites", "Termites", "Other land sources"},
    {"Wildfires", "Wildfires", "Other land sources"},
    {"Permafrost soils (direct)", "Permafrost soils (direct)", "Other land sources"},
    {"Vegetation", "Vegetation", "Other land sources"},
    {"Oceanic sources", "Oceanic sources", "Other natural sources"},
    {"Geological (offshore)", "Geological (offshore)", "Oceanic sources"},
    {"Biogenic openand coastalb", "Biogenic open and coastal ocean", "Oceanic sources"},
    {"Total natural sources", "Total natural sources", ""},
};
}  // namespace

bool parse_methane_cell(const std::string& raw, MethaneEstimate& out) {
  const std::string s = normalise(raw);
  out = MethaneEstimate{};
  out.raw = raw;
  size_t i = 0;
  if (!read_number(s, i, out.mean)) return false;
  out.min = out.max = out.mean;
  // footnote letters may follow the mean ("505h [459–516]")
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size() && s[i] == '[') {
    ++i;
    double lo = 0, hi = 0;
    if (!read_number(s, i, lo)) return false;
    if (s.compare(i, kEnDash.size(), kEnDash) == 0) i += kEnDash.size();
    else if (i < s.size() && s[i] == '-') ++i;
    else return false;
    if (!read_number(s, i, hi)) return false;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != ']') return false;
    if (lo > hi) return false;
    out.min = lo;
    out.max = hi;
    out.has_range = true;
  }
  return true;
}

const MethaneSource* MethaneBudget::find(const std::string& name) const {
  for (const auto& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

MethaneBudget read_methane_budget(const std::string& path) {
  const io::XlsxSheet sheet = io::read_xlsx_sheet(path, 1);
  const std::string where = path + ":" + sheet.part;
  auto text = [&](int r, int c) -> std::string {
    const auto* cell = sheet.at(r, c);
    return cell ? normalise(cell->text) : std::string();
  };
  // Layout check: row 2 periods, row 3 approaches, column A labels.
  if (text(3, 1) != "Approaches" || text(2, 1) != "Period of time")
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("cells A2 and A3 should read 'Period of time' and 'Approaches' (Saunois et al. 2020 "
                            "Table 3), not '{}' and '{}'; is this the Global Methane Budget table?",
                            text(2, 1), text(3, 1)),
                ErrorContext{where, 0, 0, "A2"});
  // Periods are written once over two columns (bottom-up, top-down); B-C is Saunois et al. (2016).
  std::map<int, std::pair<std::string, std::string>> columns;  // column -> (period, approach)
  std::string period;
  for (int c = 2; c <= 16; ++c) {
    if (!text(2, c).empty()) {
      period = text(2, c);
      period = replace_all(period, kEnDash, "-");
      if (c == 2) period += " (Saunois 2016)";
    }
    const std::string a = text(3, c);
    if (a.empty()) continue;
    if (a != "Bottom-up" && a != "Top-down")
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("cell {} should read Bottom-up or Top-down, not '{}'", io::cell_ref(3, c), a),
                  ErrorContext{where, 0, 0, io::cell_ref(3, c)});
    columns[c] = {period, a == "Bottom-up" ? "bottom-up" : "top-down"};
  }
  MethaneBudget mb;
  mb.file = path;
  std::string group;
  for (int r = 4; r <= sheet.max_row(); ++r) {
    const std::string label = text(r, 1);
    if (label.empty()) continue;
    if (label == "Natural sources") { group = "natural"; continue; }
    if (label == "Anthropogenic sources") { group = "anthropogenic"; continue; }
    if (label == "Sinks") { group = "sinks"; continue; }
    if (label.rfind("Sources ", 0) == 0) { group = "budget"; continue; }
    MethaneSource src;
    src.group = group;
    src.row = r;
    src.name = label;
    for (const auto& l : kLabels)
      if (label == l.raw) {
        src.name = l.name;
        src.parent = l.parent;
      }
    for (const auto& [c, key] : columns) {
      const auto* cell = sheet.at(r, c);
      if (!cell) continue;
      MethaneEstimate e;
      if (!parse_methane_cell(cell->text, e)) {
        const std::string t = normalise(cell->text);
        // a footnote letter alone or a dash: no number in the table for this cell
        if (t == kEnDash || t == "-" || (t.size() == 1 && std::isalpha(static_cast<unsigned char>(t[0])))) {
          if (src.note.empty() && t != kEnDash && t != "-")
            src.note = fmt::format("cell {} holds only footnote '{}' (no number; see footnote {} of Saunois et al. 2020 "
                                   "Table 3)", cell->ref, t, t);
          continue;
        }
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("cell {} ('{}', row '{}') is not 'mean [min–max]' in Tg CH4/yr", cell->ref,
                                cell->text, label),
                    ErrorContext{where, 0, 0, cell->ref});
      }
      e.cell = cell->ref;
      src.values[key] = e;
    }
    mb.rows.push_back(std::move(src));
  }
  for (const auto& l : kLabels)
    if (!mb.find(l.name))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("no row '{}' in column A; the layout differs from Saunois et al. (2020) Table 3", l.raw),
                  ErrorContext{where, 0, 0, "A"});
  return mb;
}

}  // namespace panocarbon::natural

namespace panocarbon::natural {
std::vector<RegionalPrior> scale_to_regions(const MethaneBudget& mb, const std::string& period,
                                            const std::string& approach, const std::string& csv_text,
                                            const std::string& name) {
  io::CsvReader r(csv_text, name);
  if (!r.next() || r.fields().size() < 3 || io::to_lower(io::trim(r.fields()[0])) != "region" ||
      io::to_lower(io::trim(r.fields()[1])) != "source" || io::to_lower(io::trim(r.fields()[2])) != "flux")
    throw Error(ErrorCategory::InvalidInput, "the header must be region,source,flux", ErrorContext{name, 1});
  std::vector<RegionalPrior> out;
  std::map<std::string, double> totals;
  std::map<std::string, long> first_line;
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 3) throw Error(ErrorCategory::InvalidInput, "expected region,source,flux", r.context());
    RegionalPrior p;
    p.region = std::string(io::trim(f[0]));
    p.source = std::string(io::trim(f[1]));
    const auto* src = mb.find(p.source);
    if (!src || src->group != "natural") {
      std::string names;
      for (const auto& s : mb.rows)
        if (s.group == "natural") names += (names.empty() ? "" : "; ") + s.name;
      throw Error(ErrorCategory::NotFound,
                  fmt::format("no natural source '{}' in the Global Methane Budget table; sources: {}", clip_input(p.source),
                              names),
                  r.context(2, "source"));
    }
    if (!io::parse_double(f[2], p.user_flux) || !std::isfinite(p.user_flux) || p.user_flux < 0)
      throw Error(ErrorCategory::InvalidInput, fmt::format("flux '{}' is not a non-negative number", clip_input(f[2])),
                  r.context(3, "flux"));
    const auto it = src->values.find({period, approach});
    if (it == src->values.end())
      throw Error(ErrorCategory::NotFound,
                  fmt::format("the table has no {} estimate of '{}' for {}; choose another --period or --approach",
                              approach, p.source, period),
                  r.context(2, "source"));
    totals[p.source] += p.user_flux;
    first_line.emplace(p.source, r.line());
    out.push_back(p);
  }
  if (out.empty()) throw Error(ErrorCategory::InvalidInput, "no rows after the header", ErrorContext{name, 1});
  for (auto& p : out) {
    const auto& e = mb.find(p.source)->values.at({period, approach});
    const double total = totals[p.source];
    if (!(total > 0))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the fluxes of '{}' sum to 0: nothing to share the global prior by", p.source),
                  ErrorContext{name, first_line[p.source], 3, "flux"});
    p.share = p.user_flux / total;
    p.mean = p.share * e.mean;
    p.min = p.share * e.min;
    p.max = p.share * e.max;
    p.factor = e.mean / total;
    p.cell = e.cell;
  }
  return out;
}
}  // namespace panocarbon::natural
