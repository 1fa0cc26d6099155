// Eora26 reader: tab-separated T, FD, VA, Q, QY with label files (see mrio_formats.hpp).
#include "io/mrio_formats.hpp"

#include "io/mrio_formats_detail.hpp"

namespace panocarbon::mrio_io {
using namespace detail;
namespace {
struct LabelLine {
  std::vector<std::string> fields;
  long line = 0;
};

std::vector<LabelLine> read_labels(std::string_view text, const std::string& file, size_t min_fields,
                                   const char* layout) {
  std::vector<LabelLine> out;
  Lines lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  while (lines.next(line)) {
    split_tabs(line, f);
    if (f.empty()) continue;
    if (f.size() < min_fields)
      fail(fmt::format("has {} tab-separated fields, expected at least {} ({}); the label files must be the "
                       "ones of the same Eora26 download",
                       f.size(), min_fields, layout),
           file, lines.number());
    LabelLine l;
    l.line = lines.number();
    for (size_t k = 0; k < f.size(); ++k) {
      check_utf8_label(f[k], file, lines.number(), static_cast<long>(k) + 1);
      l.fields.emplace_back(io::trim(f[k]));
    }
    out.push_back(std::move(l));
  }
  if (out.empty()) fail("has no labels; it must list one label per row of the matching table", file);
  return out;
}

// Reads a tab-separated numeric table of rows x cols (Eora has no header row or label column: the labels
// are in the label files) and calls fn(i, j, v) for every non-zero cell.
template <class Fn>
void parse_eora_table(std::string_view text, const std::string& file, size_t rows, size_t cols,
                      const std::string& rows_from, const std::string& cols_from, const LabelFn& row_label,
                      const LabelFn& col_label, Fn&& fn) {
  Lines lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  size_t i = 0;
  while (lines.next(line)) {
    if (io::trim(line).empty()) continue;
    split_tabs(line, f);
    if (i >= rows)
      fail(fmt::format("has more rows than {} has labels ({}); the table and its label file must come from the "
                       "same Eora26 download",
                       rows_from, rows),
           file, lines.number());
    if (f.size() != cols)
      fail(fmt::format("row {} ({}) has {} values, expected {} (one per label in {}); the row is ragged: "
                       "re-extract the file from the download",
                       i + 1, in_quotes(row_label(i)), f.size(), cols, cols_from),
           file, lines.number(), 0, row_label(i));
    for (size_t j = 0; j < cols; ++j) {
      double v = 0;
      if (!parse_cell(f[j], v, false))
        fail(fmt::format("{} is not a number (row {}, column {}); every cell of an Eora26 table must be a "
                         "plain number",
                         in_quotes(f[j]), in_quotes(row_label(i)), in_quotes(col_label(j))),
             file, lines.number(), static_cast<long>(j + 1), row_label(i) + " / " + col_label(j));
      if (v != 0.0) fn(i, j, v);
    }
    ++i;
  }
  if (i != rows)
    fail(fmt::format("has {} rows, expected {} (one per label in {}); the table and its label file must come "
                     "from the same Eora26 download",
                     i, rows, rows_from),
         file, lines.number());
}

// Which T/FD positions survive (ROW dropped) and the region-major structure they form.
struct EoraAxis {
  std::vector<long> new_index;  // per label line: position in the kept axis, or -1 when dropped (ROW)
  std::vector<std::string> regions;
  std::vector<std::string> items;  // sectors (T) or categories (FD) of every region
};

// Eora26 marks the statistical discrepancy as region "ROW" with a single "TOTAL" sector and one final
// demand column; pymrio's parse_eora26 drops it, and so do we: it is not a region with the 26 sectors.
constexpr std::string_view kEoraDropRegion = "ROW";

EoraAxis eora_axis(const std::vector<LabelLine>& labels, const std::string& file, const char* what) {
  EoraAxis a;
  a.new_index.assign(labels.size(), -1);
  std::map<std::string, size_t> seen;
  size_t pos = 0;  // position within the current region
  size_t kept = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& code = labels[i].fields[1];
    const auto& item = labels[i].fields[3];
    if (code == kEoraDropRegion) continue;
    if (a.regions.empty() || a.regions.back() != code) {
      if (!a.regions.empty() && pos != a.items.size())
        fail(fmt::format("region {} has {} {}s but region {} has {}; every region needs the same list (the "
                         "region-major layout)",
                         in_quotes(a.regions.back()), pos, what, in_quotes(a.regions.front()), a.items.size()),
             file, labels[i].line, 0, code);
      if (seen.count(code))
        fail(fmt::format("region {} appears again after other regions; its {}s must be on consecutive lines",
                         in_quotes(code), what),
             file, labels[i].line, 0, code);
      seen[code] = a.regions.size();
      a.regions.push_back(code);
      pos = 0;
    }
    if (a.regions.size() == 1) {
      a.items.push_back(item);
    } else if (pos >= a.items.size() || a.items[pos] != item) {
      fail(fmt::format("region {} has {} {} at position {} where region {} has {}; every region needs the "
                       "same {}s in the same order",
                       in_quotes(code), what, in_quotes(item), pos + 1, in_quotes(a.regions.front()),
                       pos < a.items.size() ? in_quotes(a.items[pos]) : std::string("none"), what),
           file, labels[i].line, 0, code + "|" + item);
    }
    ++pos;
    a.new_index[i] = static_cast<long>(kept++);
  }
  if (a.regions.empty()) fail(fmt::format("has no {} labels outside region ROW", what), file);
  if (pos != a.items.size())
    fail(fmt::format("region {} has {} {}s but region {} has {}; every region needs the same list",
                     in_quotes(a.regions.back()), pos, what, in_quotes(a.regions.front()), a.items.size()),
         file, labels.back().line, 0, a.regions.back());
  return a;
}

struct EoraFile {
  std::string year, price;
};

// "Eora26_YYYY_bp_T.txt" or "..._pp_T.txt" (no std::regex: GCC 12 warns inside it under sanitizers).
bool match_eora_t(const std::string& name, EoraFile& f) {
  if (name.size() != 20 || name.compare(0, 7, "Eora26_") != 0 || name.compare(14, 6, "_T.txt") != 0 || name[11] != '_')
    return false;
  for (size_t i = 7; i < 11; ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  const std::string price = name.substr(12, 2);
  if (price != "bp" && price != "pp") return false;
  f = {name.substr(7, 4), price};
  return true;
}

// "CN1", "MX2", ...: the split China/Mexico regions of older ICIO releases.

std::vector<EoraFile> find_eora_tables(const fs::path& folder) {
  std::vector<EoraFile> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    EoraFile f;
    if (match_eora_t(e.path().filename().string(), f)) out.push_back(f);
  }
  std::sort(out.begin(), out.end(),
            [](const EoraFile& a, const EoraFile& b) { return a.year + a.price < b.year + b.price; });
  return out;
}

// "I-GHG-CO2 emissions (kg)" -> name "I-GHG-CO2 emissions", unit "kg" (pymrio takes the parenthesis too).
std::pair<std::string, std::string> split_unit(const std::string& s) {
  const size_t open = s.rfind('(');
  if (open == std::string::npos || s.empty() || s.back() != ')') return {s, ""};
  std::string name(io::trim(std::string_view(s).substr(0, open)));
  return {name, s.substr(open + 1, s.size() - open - 2)};
}

std::string join_fields(const LabelLine& l, size_t max_fields) {
  std::string out;
  for (size_t k = 0; k < std::min(max_fields, l.fields.size()); ++k) out += (k ? "|" : "") + l.fields[k];
  return out;
}

}  // namespace

bool looks_like_eora26(const std::string& folder) {
  std::error_code ec;
  return fs::is_directory(folder, ec) && fs::exists(fs::path(folder) / "labels_T.txt", ec) &&
         !find_eora_tables(folder).empty();
}

// A cell sink for parse_eora_table: adds the value at the kept column, or to `lost` when the column was
// dropped (the ROW region).
auto into(DenseMatrix& m, const std::vector<long>& new_index, double& lost) {
  return [&m, &new_index, &lost](size_t i, size_t j, double v) {
    if (new_index[j] < 0)
      lost += v;
    else
      m(i, static_cast<size_t>(new_index[j])) += v;
  };
}

MrioSystem read_eora26(const std::string& folder) {
  const fs::path dir(folder);
  const auto tables = find_eora_tables(dir);
  if (tables.empty())
    fail("holds no Eora26_<year>_<bp|pp>_T.txt: give the folder of one unpacked Eora26 download", folder);
  if (tables.size() > 1) {
    std::string list;
    for (const auto& t : tables) list += (list.empty() ? "" : ", ") + t.year + "_" + t.price;
    fail(fmt::format("holds {} Eora26 tables ({}); give a folder with one year and price", tables.size(), list),
         folder);
  }
  const std::string stem = "Eora26_" + tables[0].year + "_" + tables[0].price + "_";
  MrioSystem s;
  nlohmann::json files = nlohmann::json::array();
  auto path = [&](const std::string& name) { return (dir / name).string(); };

  const auto lT = read_labels(load_required(dir / "labels_T.txt", "it labels the rows and columns of T", files),
                              path("labels_T.txt"), 4, "country, code, 'Industries', sector");
  const auto lFD = read_labels(load_required(dir / "labels_FD.txt", "it labels the columns of FD", files),
                               path("labels_FD.txt"), 4, "country, code, 'Final Demand', category");
  const auto lQ = read_labels(load_required(dir / "labels_Q.txt", "it labels the rows of Q and QY", files),
                              path("labels_Q.txt"), 1, "stressor (unit), source");
  const auto lVA = read_labels(load_required(dir / "labels_VA.txt", "it labels the rows of VA", files),
                               path("labels_VA.txt"), 1, "input type, category");
  const EoraAxis T = eora_axis(lT, path("labels_T.txt"), "sector");
  const EoraAxis FD = eora_axis(lFD, path("labels_FD.txt"), "category");
  // FD's rows are T's rows, so its regions must be T's, in T's order.
  if (FD.regions != T.regions) {
    size_t k = 0;
    while (k < std::min(FD.regions.size(), T.regions.size()) && FD.regions[k] == T.regions[k]) ++k;
    long line = 0;
    for (size_t i = 0; i < lFD.size() && line == 0; ++i)
      if (lFD[i].fields[1] != kEoraDropRegion && k < FD.regions.size() && lFD[i].fields[1] == FD.regions[k])
        line = lFD[i].line;
    fail(fmt::format("the final demand regions disagree with labels_T.txt: region {} is {} here but {} in "
                     "labels_T.txt ({} vs {} regions); both label files must come from the same download",
                     k + 1, k < FD.regions.size() ? in_quotes(FD.regions[k]) : std::string("missing"),
                     k < T.regions.size() ? in_quotes(T.regions[k]) : std::string("missing"), FD.regions.size(),
                     T.regions.size()),
         path("labels_FD.txt"), line, 0, k < FD.regions.size() ? FD.regions[k] : std::string());
  }

  s.format = "eora26";
  s.source = folder;
  s.name = "Eora26 " + tables[0].year + " " + tables[0].price;
  // Eora does not state its monetary unit in the files; pymrio sets "Mill USD" (from the Eora authors).
  s.monetary_unit = "Mill USD";
  s.regions = T.regions;
  s.sectors = T.items;
  s.fd_categories = FD.items;
  const size_t n = s.n(), ny = s.n_regions() * s.n_categories();
  auto t_label = [&](size_t i) { return lT[i].fields[1] + "|" + lT[i].fields[3]; };
  auto fd_label = [&](size_t j) { return lFD[j].fields[1] + "|" + lFD[j].fields[3]; };
  auto q_label = [&](size_t i) { return join_fields(lQ[i], 2); };
  auto va_label = [&](size_t i) { return join_fields(lVA[i], 2); };
  nlohmann::json dropped = nlohmann::json::object();

  // T -> Z, straight into sparse rows (the full Eora26 T is 4,915 x 4,915).
  const std::string t_file = path(stem + "T.txt");
  CsrBuilder Z(n, n);
  {
    double lost = 0;
    parse_eora_table(load_required(dir / (stem + "T.txt"), "it is the transaction matrix T (Z)", files), t_file,
                     lT.size(), lT.size(), "labels_T.txt", "labels_T.txt", t_label, t_label,
                     [&](size_t i, size_t j, double v) {
                       const long r = T.new_index[i], c = T.new_index[j];
                       if (r < 0 || c < 0)
                         lost += v;
                       else
                         Z.add(static_cast<size_t>(r), static_cast<size_t>(c), v);
                     });
    dropped["T"] = lost;
  }
  {
    s.Y = DenseMatrix(n, ny);
    double lost = 0;
    parse_eora_table(load_required(dir / (stem + "FD.txt"), "it is the final demand matrix FD (Y)", files),
                     path(stem + "FD.txt"), lT.size(), lFD.size(), "labels_T.txt", "labels_FD.txt", t_label, fd_label,
                     [&](size_t i, size_t j, double v) {
                       const long r = T.new_index[i], c = FD.new_index[j];
                       if (r < 0 || c < 0)
                         lost += v;
                       else
                         s.Y(static_cast<size_t>(r), static_cast<size_t>(c)) += v;
                     });
    dropped["FD"] = lost;
  }
  // Satellite Q (F) with QY (F_Y); units are the parenthesis of the stressor label.
  {
    MrioExtension q;
    q.name = "Q";
    for (const auto& l : lQ) {
      auto [name, unit] = split_unit(l.fields[0]);
      q.stressors.push_back(l.fields.size() > 1 ? name + "|" + l.fields[1] : name);
      q.units.push_back(unit);
    }
    q.F = DenseMatrix(lQ.size(), n);
    q.F_Y = DenseMatrix(lQ.size(), ny);
    double lost_q = 0, lost_qy = 0;
    parse_eora_table(load_required(dir / (stem + "Q.txt"), "it is the satellite account Q (F)", files),
                     path(stem + "Q.txt"), lQ.size(), lT.size(), "labels_Q.txt", "labels_T.txt", q_label, t_label,
                     into(q.F, T.new_index, lost_q));
    parse_eora_table(load_required(dir / (stem + "QY.txt"), "it is the final demand satellite QY (F_Y)", files),
                     path(stem + "QY.txt"), lQ.size(), lFD.size(), "labels_Q.txt", "labels_FD.txt", q_label, fd_label,
                     into(q.F_Y, FD.new_index, lost_qy));
    dropped["Q"] = lost_q;
    dropped["QY"] = lost_qy;
    s.extensions.push_back(std::move(q));
  }
  {
    MrioExtension va;
    va.name = "VA";
    for (size_t i = 0; i < lVA.size(); ++i) {
      va.stressors.push_back(va_label(i));
      va.units.push_back(s.monetary_unit);
    }
    va.F = DenseMatrix(lVA.size(), n);
    double lost = 0;
    parse_eora_table(load_required(dir / (stem + "VA.txt"), "it is the value added (factor inputs) table VA", files),
                     path(stem + "VA.txt"), lVA.size(), lT.size(), "labels_VA.txt", "labels_T.txt", va_label, t_label,
                     into(va.F, T.new_index, lost));
    dropped["VA"] = lost;
    s.extensions.push_back(std::move(va));
  }
  s.provenance = {{"format", "eora26"},
                  {"files", files},
                  {"year", tables[0].year},
                  {"price", tables[0].price},
                  {"dropped_region", std::string(kEoraDropRegion)},
                  {"dropped", dropped},
                  {"notes",
                   {"region ROW (Eora26's statistical discrepancy) dropped as in pymrio parse_eora26; "
                    "'dropped' holds the sums lost per table",
                    "monetary unit not given by the files; set to Mill USD as pymrio does"}}};
  finish_from_flows(s, Z.finish(), t_file);
  return s;
}

}  // namespace panocarbon::mrio_io
