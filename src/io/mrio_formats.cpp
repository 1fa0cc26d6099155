// Eora26, OECD ICIO and USEEIO readers (see mrio_formats.hpp). All three build the region-major product
// layout of MrioSystem (sector k = region k / ns, sector k % ns) and refuse files that do not fit it, with a
// message that names the file, line and label.
#include "io/mrio_formats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "core/csv.hpp"
#include "io/mrio_common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::mrio_io {
namespace {

namespace fs = std::filesystem;
using LabelFn = std::function<std::string(size_t)>;

[[noreturn]] void fail(const std::string& message, const std::string& file, long line = 0, long column = 0,
                       std::string field = {}) {
  throw Error(ErrorCategory::InvalidInput, message, ErrorContext{file, line, column, std::move(field)});
}

// A file the format cannot do without: a missing one is the user's input being incomplete (InvalidInput,
// exit code 2), not an I/O failure, so say which file and why it is needed.
std::string load_required(const fs::path& path, const std::string& why, nlohmann::json& files) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    fail(fmt::format("is missing: {}; copy it from the original download next to the other files", why), path.string());
  std::string text = read_file(path);
  files.push_back(describe_input(path, text));
  return text;
}

// Iterates the lines of a buffer with their 1-based numbers; strips a UTF-8 byte order mark and '\r'.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  long number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  long number_ = 0;
};

// Eora's files are tab-separated; the label files often end their lines with a tab, so trailing empty
// fields are dropped rather than counted.
void split_tabs(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  size_t p = 0;
  while (true) {
    const size_t t = line.find('\t', p);
    if (t == std::string_view::npos) {
      out.push_back(line.substr(p));
      break;
    }
    out.push_back(line.substr(p, t - p));
    p = t + 1;
  }
  while (!out.empty() && io::trim(out.back()).empty()) out.pop_back();
}

std::string in_quotes(std::string_view s) {
  constexpr size_t kMax = 100;  // long enough for labels, short for a runaway cell
  std::string out(1, '\'');  // built by appending: GCC 12 misreports "'" + std::string as overlapping memcpy
  out.append(s.substr(0, kMax));
  out.append(s.size() > kMax ? "...'" : "'");
  return out;
}

// Parses a cell; empty cells are 0 where the format leaves zeros blank (pymrio's fillna(0)).
bool parse_cell(std::string_view s, double& v, bool empty_is_zero) {
  if (empty_is_zero && io::trim(s).empty()) {
    v = 0.0;
    return true;
  }
  return io::parse_double(s, v) && std::isfinite(v);
}

// Builds compressed sparse rows from entries added row by row (rows and columns in increasing order).
class CsrBuilder {
 public:
  CsrBuilder(size_t rows, size_t cols) {
    m_.rows = rows;
    m_.cols = cols;
    m_.row_start.assign(rows + 1, 0);
  }
  void add(size_t r, size_t c, double v) {
    close_until(r);
    m_.col.push_back(static_cast<uint32_t>(c));
    m_.value.push_back(v);
  }
  SparseRows finish() {
    close_until(m_.rows);
    return std::move(m_);
  }

 private:
  void close_until(size_t r) {
    while (open_ < r) m_.row_start[++open_] = static_cast<int64_t>(m_.value.size());
  }
  SparseRows m_;
  size_t open_ = 0;  // rows before open_ are closed: row_start[open_] is final
};

// ---------------------------------------------------------------------------------------------------------
// Eora26
// ---------------------------------------------------------------------------------------------------------

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
    for (auto s : f) l.fields.emplace_back(io::trim(s));
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
bool is_split_region(const std::string& code, const char* prefix) {
  if (code.size() < 3 || code.compare(0, 2, prefix) != 0) return false;
  for (size_t i = 2; i < code.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(code[i]))) return false;
  return true;
}

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

// ---------------------------------------------------------------------------------------------------------
// OECD ICIO
// ---------------------------------------------------------------------------------------------------------
namespace {

bool is_total_label(std::string_view l) { return l == "OUT" || l == "TOTAL" || l == "OUTPUT"; }
// TLS and VA (2021 and 2023 releases), VALU and per-country COU_TAXSUB (2016 and 2018 releases).
bool is_primary_input_row(std::string_view l) {
  return l == "TLS" || l == "VA" || l == "VALU" || l.find("TAXSUB") != std::string_view::npos;
}

// Older releases split China and Mexico into CN1, CN2, MX1, ... (processing exporters); pymrio folds them
// into CHN and MEX, and so do we, so that every region has one block.
std::string fold_region(const std::string& code, const std::map<std::string, size_t>& regions) {
  if (is_split_region(code, "CN") && regions.count("CHN")) return "CHN";
  if (is_split_region(code, "MX") && regions.count("MEX")) return "MEX";
  return code;
}

}  // namespace

bool looks_like_oecd_icio(const std::string& csv_path) {
  std::error_code ec;
  const fs::path p(csv_path);
  if (!fs::is_regular_file(p, ec)) return false;
  std::string ext = io::to_lower(p.extension().string());
  if (ext != ".csv") return false;
  // The header line alone decides: industry COU_IND columns, COU_HFCE final demand and an OUT column.
  std::FILE* f = std::fopen(csv_path.c_str(), "rb");
  if (!f) return false;
  std::string head(1 << 20, '\0');
  const size_t got = std::fread(head.data(), 1, head.size(), f);
  std::fclose(f);
  head.resize(got);
  head = head.substr(0, head.find('\n'));
  return (head.find("_HFCE") != std::string::npos || head.find("HFCE_") != std::string::npos) &&
         (head.find("OUT") != std::string::npos || head.find("TOTAL") != std::string::npos);
}

MrioSystem read_oecd_icio(const std::string& csv_path) {
  std::error_code ec;
  if (!fs::is_regular_file(csv_path, ec))
    fail("is missing: give the path of an OECD ICIO CSV file (e.g. ICIO2023_2020.csv, unpacked from the zip)",
         csv_path);
  const std::string text = read_file(csv_path);
  nlohmann::json files = nlohmann::json::array({describe_input(csv_path, text)});

  // Pass 1: the header and the row labels decide the layout.
  io::CsvReader head(text, csv_path);
  if (!head.next()) fail("is empty; an ICIO CSV starts with a header of COU_IND, COU_HFCE... and OUT", csv_path);
  std::vector<std::string> header;
  for (auto f : head.fields()) header.emplace_back(io::trim(f));
  const size_t ncol = header.size();

  enum class RowKind { Industry, Primary, Total };
  struct RowInfo {
    RowKind kind;
    std::string label;
    long line;
    size_t target = 0;  // industry rows: the product index they add into
  };
  std::vector<RowInfo> rows;
  std::map<std::string, size_t> industry_rows;  // label -> index in rows
  while (head.next()) {
    const auto& f = head.fields();
    const std::string label(io::trim(f[0]));
    if (f.size() != ncol)
      fail(fmt::format("row {} has {} fields but the header has {}; every row needs its label and one value per "
                       "column (a ragged row: re-export the file)",
                       in_quotes(label), f.size(), ncol),
           csv_path, head.line(), 0, label);
    RowKind kind = RowKind::Industry;
    if (is_total_label(label))
      kind = RowKind::Total;
    else if (is_primary_input_row(label))
      kind = RowKind::Primary;
    else if (label.find('_') == std::string::npos || label.front() == '_')
      fail(fmt::format("row label {} is neither COU_IND (country code, '_', industry code, e.g. AUS_A01_02) nor "
                       "TLS, VA or OUT; fix the label or remove the row",
                       in_quotes(label)),
           csv_path, head.line(), 1, label);
    if (kind == RowKind::Industry && !industry_rows.emplace(label, rows.size()).second)
      fail(fmt::format("row label {} appears twice; every COU_IND row must be unique", in_quotes(label)), csv_path,
           head.line(), 1, label);
    rows.push_back({kind, label, head.line()});
  }
  if (industry_rows.empty()) fail("has no COU_IND industry rows", csv_path);

  // Regions and sectors from the industry rows in file order (region-major, as OECD writes them).
  MrioSystem s;
  std::map<std::string, size_t> region_index;
  for (const auto& r : rows)
    if (r.kind == RowKind::Industry) {
      const std::string code = r.label.substr(0, r.label.find('_'));
      if (!is_split_region(code, "CN") && !is_split_region(code, "MX") && !region_index.count(code)) {
        region_index[code] = s.regions.size();
        s.regions.push_back(code);
      }
    }
  {
    std::string current;
    size_t pos = 0;
    for (const auto& r : rows) {
      if (r.kind != RowKind::Industry) continue;
      const std::string code = r.label.substr(0, r.label.find('_'));
      const std::string sector = r.label.substr(r.label.find('_') + 1);
      if (fold_region(code, region_index) != code) continue;  // checked below against the sector list
      if (!region_index.count(code))
        fail(fmt::format("row {} belongs to split region {} but its parent ({}) has no rows", in_quotes(r.label),
                         in_quotes(code), code.substr(0, 2) == "CN" ? "CHN" : "MEX"),
             csv_path, r.line, 1, r.label);
      if (code != current) {
        if (!current.empty() && pos != s.sectors.size())
          fail(fmt::format("region {} has {} industries but {} has {}; every country needs the same industry "
                           "list (region-major layout)",
                           in_quotes(current), pos, in_quotes(s.regions.front()), s.sectors.size()),
               csv_path, r.line, 1, r.label);
        if (region_index.at(code) != (current.empty() ? 0 : region_index.at(current) + 1))
          fail(fmt::format("the rows of region {} are not consecutive; sort the rows by country", in_quotes(code)),
               csv_path, r.line, 1, r.label);
        current = code;
        pos = 0;
      }
      if (region_index.at(code) == 0)
        s.sectors.push_back(sector);
      else if (pos >= s.sectors.size() || s.sectors[pos] != sector)
        fail(fmt::format("row {} has industry {} where {} has {}; every country needs the same industries in "
                         "the same order",
                         in_quotes(r.label), in_quotes(sector), in_quotes(s.regions.front()),
                         pos < s.sectors.size() ? in_quotes(s.sectors[pos]) : std::string("none")),
             csv_path, r.line, 1, r.label);
      ++pos;
    }
    if (pos != s.sectors.size())
      fail(fmt::format("region {} has {} industries but {} has {}; every country needs the same industry list",
                       in_quotes(current), pos, in_quotes(s.regions.front()), s.sectors.size()),
           csv_path, rows.back().line, 0, current);
  }
  const size_t ns = s.n_sectors(), n = s.n();
  auto product_of = [&](const std::string& label, long line, long column) -> size_t {
    const std::string code = fold_region(label.substr(0, label.find('_')), region_index);
    const std::string sector = label.substr(label.find('_') + 1);
    const auto it = std::find(s.sectors.begin(), s.sectors.end(), sector);
    if (it == s.sectors.end() || !region_index.count(code))
      fail(fmt::format("{} names industry {} of {}, which is not in the industry list of {}", in_quotes(label),
                       in_quotes(sector), in_quotes(code), in_quotes(s.regions.front())),
           csv_path, line, column, label);
    return region_index.at(code) * ns + static_cast<size_t>(it - s.sectors.begin());
  };
  for (auto& r : rows)
    if (r.kind == RowKind::Industry) r.target = product_of(r.label, r.line, 1);

  // Columns: COU_IND (Z), OUT (x), the rest final demand COU_CAT.
  enum class ColKind { Label, Z, Y, Out };
  std::vector<ColKind> ckind(ncol, ColKind::Label);
  std::vector<size_t> ctarget(ncol, 0);
  std::vector<std::pair<std::string, std::string>> fd_cols(ncol);  // region, category
  std::vector<bool> row_has_column(rows.size(), false);
  std::optional<size_t> out_col;
  for (size_t j = 1; j < ncol; ++j) {
    const std::string& L = header[j];
    const long col = static_cast<long>(j + 1);
    if (is_total_label(L)) {
      ckind[j] = ColKind::Out;
      out_col = j;
    } else if (auto it = industry_rows.find(L); it != industry_rows.end()) {
      if (row_has_column[it->second])
        fail(fmt::format("column {} appears twice in the header", in_quotes(L)), csv_path, 1, col, L);
      row_has_column[it->second] = true;
      ckind[j] = ColKind::Z;
      ctarget[j] = rows[it->second].target;
    } else {
      const size_t us = L.find('_');
      if (us == std::string::npos || us == 0 || us + 1 == L.size())
        fail(fmt::format("column {} is neither an industry (a COU_IND label that is also a row), a final demand "
                         "column (COU_HFCE, COU_NPISH, COU_GGFC, COU_GFCF, COU_INVNT, COU_DPABR) nor OUT",
                         in_quotes(L)),
             csv_path, 1, col, L);
      std::string region = L.substr(0, us), cat = L.substr(us + 1);
      // The 2016 release wrote CAT_COU; turn it round when only the second part is a country.
      if (!region_index.count(fold_region(region, region_index)) && region_index.count(cat)) std::swap(region, cat);
      region = fold_region(region, region_index);
      if (!region_index.count(region))
        fail(fmt::format("final demand column {} names country {}, which has no industry rows; a column label "
                         "COU_IND must match a row label exactly",
                         in_quotes(L), in_quotes(region)),
             csv_path, 1, col, L);
      ckind[j] = ColKind::Y;
      fd_cols[j] = {region, cat};
      if (std::find(s.fd_categories.begin(), s.fd_categories.end(), cat) == s.fd_categories.end())
        s.fd_categories.push_back(cat);
    }
  }
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].kind == RowKind::Industry && !row_has_column[i])
      fail(fmt::format("row {} has no column of the same name in the header; Z must be square (every COU_IND "
                       "row needs a COU_IND column)",
                       in_quotes(rows[i].label)),
           csv_path, rows[i].line, 1, rows[i].label);
  const size_t nc = s.n_categories();
  std::vector<int> fd_seen(s.n_regions() * nc, 0);
  for (size_t j = 1; j < ncol; ++j)
    if (ckind[j] == ColKind::Y) {
      const size_t k =
          region_index.at(fd_cols[j].first) * nc +
          static_cast<size_t>(std::find(s.fd_categories.begin(), s.fd_categories.end(), fd_cols[j].second) -
                              s.fd_categories.begin());
      ctarget[j] = k;
      ++fd_seen[k];
    }
  for (size_t k = 0; k < fd_seen.size(); ++k)
    if (fd_seen[k] == 0)
      fail(fmt::format("has no final demand column {}_{}; every country needs the same categories ({})",
                       s.regions[k / nc], s.fd_categories[k % nc], fmt::join(s.fd_categories, ", ")),
           csv_path, 1, 0, s.regions[k / nc] + "_" + s.fd_categories[k % nc]);

  // Pass 2: the numbers.
  DenseMatrix Z(n, n);
  s.Y = DenseMatrix(n, s.n_regions() * nc);
  std::vector<double> out(n, 0.0);
  nlohmann::json primary = nlohmann::json::object();
  io::CsvReader csv(text, csv_path);
  csv.next();  // header
  for (const auto& r : rows) {
    csv.next();
    const auto& f = csv.fields();
    double industries = 0, final_demand = 0;
    for (size_t j = 1; j < ncol; ++j) {
      double v = 0;
      if (!parse_cell(f[j], v, true))
        fail(fmt::format("{} is not a number (row {}, column {}); every cell must be a number or empty",
                         in_quotes(f[j]), in_quotes(r.label), in_quotes(header[j])),
             csv_path, csv.line(), static_cast<long>(j + 1), r.label + " / " + header[j]);
      if (r.kind == RowKind::Industry) {
        switch (ckind[j]) {
          case ColKind::Z:
            Z(r.target, ctarget[j]) += v;
            break;
          case ColKind::Y:
            s.Y(r.target, ctarget[j]) += v;
            break;
          case ColKind::Out:
            out[r.target] += v;
            break;
          case ColKind::Label:
            break;
        }
      } else if (r.kind == RowKind::Primary) {
        if (ckind[j] == ColKind::Z) industries += v;
        if (ckind[j] == ColKind::Y) final_demand += v;
      }
    }
    if (r.kind == RowKind::Primary) primary[r.label] = {{"industries", industries}, {"final_demand", final_demand}};
  }

  const fs::path p(csv_path);
  s.format = "oecd-icio";
  s.source = csv_path;
  s.name = p.stem().string();
  s.monetary_unit = "Million USD";  // the ICIO tables are in current USD million
  if (out_col) {
    s.x = std::move(out);
    s.x_given = true;
  }
  s.provenance = {{"format", "oecd-icio"},
                  {"files", files},
                  {"primary_inputs", primary},
                  {"notes",
                   {"TLS and VA rows are primary inputs: not part of Z; their totals (industry and final "
                    "demand columns) are in primary_inputs",
                    out_col ? "x is the OUT column" : "no OUT column: x = Z1 + Y1"}}};
  finish_from_flows(s, sparse_from_dense(Z), csv_path);
  return s;
}

// ---------------------------------------------------------------------------------------------------------
// USEEIO (the USEEIO API's JSON layout: matrix/A.json as a list of rows, sectors.json, demands/...)
// ---------------------------------------------------------------------------------------------------------
namespace {

nlohmann::json parse_json(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    long line = 1, column = 1;
    for (size_t k = 0; k + 1 < e.byte && k < text.size(); ++k) {
      if (text[k] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    fail(fmt::format("is not valid JSON ({}); fix or re-download the file", e.what()), file, line, column);
  }
}

// 1-based line of byte offset `at` (JSON rows of a pretty-printed file sit on their own lines).
long line_of(const std::string& text, size_t at) {
  return 1 +
         static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(std::min(at, text.size())), '\n'));
}

// The USEEIO API writes matrices as a list of rows. Cells that are not numbers are an input error naming
// the row and column labels.
DenseMatrix json_matrix(const std::string& text, const std::string& file, size_t rows, size_t cols,
                        const std::string& rows_from, const std::string& cols_from, const LabelFn& row_label,
                        const LabelFn& col_label) {
  const auto j = parse_json(text, file);
  if (!j.is_array())
    fail("must be a JSON list of rows (the USEEIO API matrix layout: [[a11, a12, ...], [a21, ...], ...])", file);
  if (j.size() != rows)
    fail(fmt::format("has {} rows, expected {} (one per entry of {}); the matrix and {} must come from the same "
                     "model",
                     j.size(), rows, rows_from, rows_from),
         file);
  DenseMatrix m(rows, cols);
  // Where each row starts, for line numbers in messages (only computed on failure).
  auto row_line = [&](size_t i) {
    size_t depth = 0, seen = 0;
    for (size_t k = 0; k < text.size(); ++k) {
      if (text[k] == '[' && ++depth == 2 && seen++ == i) return line_of(text, k);
      if (text[k] == ']') --depth;
    }
    return 0L;
  };
  for (size_t i = 0; i < rows; ++i) {
    const auto& r = j[i];
    if (!r.is_array() || r.size() != cols)
      fail(fmt::format("row {} ({}) has {} values, expected {} (one per entry of {}); the row is ragged", i + 1,
                       in_quotes(row_label(i)), r.is_array() ? r.size() : 0, cols, cols_from),
           file, row_line(i), 0, row_label(i));
    for (size_t c = 0; c < cols; ++c) {
      if (!r[c].is_number())
        fail(fmt::format("{} is not a number (row {} {}, column {} {}); every cell must be a JSON number",
                         in_quotes(r[c].dump()), i + 1, in_quotes(row_label(i)), c + 1, in_quotes(col_label(c))),
             file, row_line(i), static_cast<long>(c + 1), row_label(i) + " / " + col_label(c));
      const double v = r[c].get<double>();
      if (!std::isfinite(v))
        fail(fmt::format("row {} {}, column {} {} is not finite", i + 1, in_quotes(row_label(i)), c + 1,
                         in_quotes(col_label(c))),
             file, row_line(i), static_cast<long>(c + 1), row_label(i) + " / " + col_label(c));
      m(i, c) = v;
    }
  }
  return m;
}

std::string json_string(const nlohmann::json& o, const char* key, const std::string& file, size_t entry,
                        bool required = true) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) {
    if (!required) return {};
    fail(fmt::format("entry {} has no text field \"{}\"; every entry needs one", entry + 1, key), file, 0, 0,
         fmt::format("[{}].{}", entry, key));
  }
  return it->get<std::string>();
}

// Labels of B's rows (flows.json) and C's rows (indicators.json) are used only when the file lists exactly
// one entry per row: the API writes them in row order (field "index"). Otherwise the rows are named by
// number and a note says so, rather than guessing which entries belong to the matrix.
struct RowLabels {
  std::vector<std::string> labels, units;
  bool from_file = false;
};

RowLabels useeio_row_labels(const fs::path& file, size_t rows, const char* fallback, bool is_flow,
                            nlohmann::json& files, nlohmann::json& notes) {
  RowLabels out;
  std::error_code ec;
  if (fs::is_regular_file(file, ec)) {
    const std::string text = read_file(file);
    const auto j = parse_json(text, file.string());
    if (j.is_array() && j.size() == rows) {
      files.push_back(describe_input(file, text));
      std::vector<const nlohmann::json*> ordered(rows, nullptr);
      bool by_index = true;
      for (size_t i = 0; i < rows; ++i) {
        const auto it = j[i].find("index");
        if (it == j[i].end() || !it->is_number_integer() || it->get<long>() < 0 ||
            static_cast<size_t>(it->get<long>()) >= rows || ordered[static_cast<size_t>(it->get<long>())])
          by_index = false;
        else
          ordered[static_cast<size_t>(it->get<long>())] = &j[i];
      }
      for (size_t i = 0; i < rows; ++i) {
        const auto& e = by_index ? *ordered[i] : j[i];
        if (!e.is_object()) fail(fmt::format("entry {} is not an object", i + 1), file.string());
        if (is_flow) {
          // "carbon dioxide|air/unspecified": the compartment keeps air and water releases apart.
          std::string compartment = json_string(e, "category", file.string(), i, false);
          const std::string sub = json_string(e, "subCategory", file.string(), i, false);
          if (!sub.empty()) compartment += "/" + sub;
          out.labels.push_back(json_string(e, "name", file.string(), i) +
                               (compartment.empty() ? "" : "|" + compartment));
        } else {
          out.labels.push_back(json_string(e, "name", file.string(), i));
        }
        out.units.push_back(json_string(e, "unit", file.string(), i, false));
      }
      out.from_file = true;
      return out;
    }
    notes.push_back(
        fmt::format("{} lists {} entries but the matrix has {} rows, so they cannot be matched to its "
                    "rows: rows are named '{} 1'..'{} {}' and have no unit",
                    file.filename().string(), j.is_array() ? j.size() : 0, rows, fallback, fallback, rows));
  } else {
    notes.push_back(fmt::format("{} is missing: rows named by number", file.filename().string()));
  }
  for (size_t i = 0; i < rows; ++i) {
    out.labels.push_back(fmt::format("{} {}", fallback, i + 1));
    out.units.push_back("");
  }
  return out;
}

struct Demand {
  std::string id, type, system, location;
  long year = 0;
  std::vector<double> y;
};

}  // namespace

bool looks_like_useeio(const std::string& folder) {
  std::error_code ec;
  const fs::path d(folder);
  return fs::is_directory(d, ec) && fs::is_regular_file(d / "matrix" / "A.json", ec) &&
         fs::is_regular_file(d / "sectors.json", ec);
}

MrioSystem read_useeio(const std::string& folder) {
  const fs::path dir(folder);
  nlohmann::json files = nlohmann::json::array(), notes = nlohmann::json::array();
  MrioSystem s;
  s.format = "useeio";
  s.source = folder;
  s.name = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
  s.monetary_unit = "USD";

  // Sectors, in the order of their "index" (= the rows and columns of A).
  const std::string sectors_file = (dir / "sectors.json").string();
  const auto sj = parse_json(load_required(dir / "sectors.json", "it lists the sectors (rows and columns of A)", files),
                             sectors_file);
  if (!sj.is_array() || sj.empty()) fail("must be a non-empty JSON list of sectors", sectors_file);
  const size_t n = sj.size();
  std::vector<std::string> codes(n), names(n), locations(n);
  {
    std::vector<bool> filled(n, false);
    for (size_t e = 0; e < n; ++e) {
      if (!sj[e].is_object())
        fail(fmt::format("entry {} is not an object", e + 1), sectors_file, 0, 0, fmt::format("[{}]", e));
      size_t k = e;
      if (auto it = sj[e].find("index"); it != sj[e].end()) {
        if (!it->is_number_integer() || it->get<long>() < 0 || static_cast<size_t>(it->get<long>()) >= n ||
            filled[static_cast<size_t>(it->get<long>())])
          fail(fmt::format("entry {} has index {}; indices must be 0..{} without repeats", e + 1, it->dump(), n - 1),
               sectors_file, 0, 0, fmt::format("[{}].index", e));
        k = static_cast<size_t>(it->get<long>());
      }
      filled[k] = true;
      codes[k] = json_string(sj[e], "code", sectors_file, e);
      names[k] = json_string(sj[e], "name", sectors_file, e, false);
      locations[k] = json_string(sj[e], "location", sectors_file, e, false);
    }
  }
  // Multi-region USEEIO (state models) would need demand vectors per region; only one region is read.
  for (size_t k = 1; k < n; ++k)
    if (locations[k] != locations[0])
      fail(fmt::format("sector {} is in location {} but sector 1 in {}; only single-region USEEIO models are "
                       "supported",
                       in_quotes(codes[k]), in_quotes(locations[k]), in_quotes(locations[0])),
           sectors_file, 0, 0, codes[k]);
  s.regions = {locations[0].empty() ? std::string("US") : locations[0]};
  s.sectors = codes;  // codes: unique, stable and free of the encoding damage some names carry
  std::map<std::string, size_t> by_code;
  for (size_t k = 0; k < n; ++k)
    if (!by_code.emplace(io::to_lower(codes[k]), k).second)
      fail(fmt::format("sector code {} appears twice", in_quotes(codes[k])), sectors_file, 0, 0, codes[k]);
  auto sector_label = [&](size_t k) { return codes[k] + (names[k].empty() ? "" : " " + names[k]); };

  // A: coefficient form.
  const std::string a_file = (dir / "matrix" / "A.json").string();
  DenseMatrix A =
      json_matrix(load_required(dir / "matrix" / "A.json", "it is the technical coefficient matrix A", files), a_file,
                  n, n, "sectors.json", "sectors.json", sector_label, sector_label);

  // Demand vectors: demands.json lists them (id, type, ...), demands/<id>.json holds [{sector, amount}].
  std::vector<Demand> demands;
  {
    const fs::path list = dir / "demands.json";
    std::error_code ec;
    std::vector<Demand> listed;
    if (fs::is_regular_file(list, ec)) {
      const std::string t = read_file(list);
      files.push_back(describe_input(list, t));
      const auto j = parse_json(t, list.string());
      if (!j.is_array()) fail("must be a JSON list of demand vectors", list.string());
      for (size_t e = 0; e < j.size(); ++e) {
        Demand d;
        d.id = json_string(j[e], "id", list.string(), e);
        d.type = io::to_lower(json_string(j[e], "type", list.string(), e, false));
        d.system = io::to_lower(json_string(j[e], "system", list.string(), e, false));
        d.location = json_string(j[e], "location", list.string(), e, false);
        if (auto it = j[e].find("year"); it != j[e].end() && it->is_number_integer()) d.year = it->get<long>();
        listed.push_back(std::move(d));
      }
    } else if (fs::is_directory(dir / "demands", ec)) {
      for (const auto& e : fs::directory_iterator(dir / "demands", ec))
        if (e.path().extension() == ".json") listed.push_back({e.path().stem().string(), "", "", "", 0, {}});
      std::sort(listed.begin(), listed.end(), [](const Demand& a, const Demand& b) { return a.id < b.id; });
    }
    if (listed.empty())
      fail(
          "has no demand vectors (demands.json and demands/<id>.json): the final demand Y and gross output x "
          "come from them",
          folder);
    for (auto& d : listed) {
      const fs::path f = dir / "demands" / (d.id + ".json");
      const std::string t = load_required(f, "demands.json lists it as a demand vector", files);
      const auto j = parse_json(t, f.string());
      if (!j.is_array()) fail("must be a JSON list of {\"sector\": ..., \"amount\": ...}", f.string());
      d.y.assign(n, 0.0);
      for (size_t e = 0; e < j.size(); ++e) {
        const std::string sector = json_string(j[e], "sector", f.string(), e);
        // Match by code (the id's first part): some ids carry names whose encoding differs between files.
        const std::string code = io::to_lower(sector.substr(0, sector.find('/')));
        const auto it = by_code.find(code);
        if (it == by_code.end())
          fail(fmt::format("entry {} names sector {}, whose code {} is not in sectors.json; the demand vector "
                           "must come from the same model",
                           e + 1, in_quotes(sector), in_quotes(code)),
               f.string(), line_of(t, t.find(sector)), 0, sector);
        const auto amount = j[e].find("amount");
        if (amount == j[e].end() || !amount->is_number() || !std::isfinite(amount->get<double>()))
          fail(fmt::format("entry {} ({}) has no numeric \"amount\"", e + 1, in_quotes(sector)), f.string(),
               line_of(t, t.find(sector)), 0, sector);
        d.y[it->second] += amount->get<double>();
      }
      demands.push_back(std::move(d));
    }
  }

  // Y and x. The USEEIO demand vectors are alternatives, not categories that add up: "production" is the
  // final demand met by US producers (consumption + exports - imports...), so x = L y_production is gross
  // output; "consumption" is what US final users buy. Summing them as two Y columns would double x. So
  // Y = [y_consumption, y_production - y_consumption]: Y1 = y_production (x consistent with Y), and the
  // first column alone gives the consumption footprint. Without a production vector the first listed vector
  // is y (then x = L y is the output that demand requires).
  const Demand* prod = nullptr;
  const Demand* cons = nullptr;
  for (const auto& d : demands)
    if (d.type == "production" && (!prod || (prod->system != "complete" && d.system == "complete"))) prod = &d;
  for (const auto& d : demands)
    if (d.type == "consumption" && (!cons || (prod && cons->system != prod->system && d.system == prod->system)))
      cons = &d;
  if (prod && cons) {
    s.fd_categories = {cons->id, prod->id + " - " + cons->id};
    s.Y = DenseMatrix(n, 2);
    for (size_t k = 0; k < n; ++k) {
      s.Y(k, 0) = cons->y[k];
      s.Y(k, 1) = prod->y[k] - cons->y[k];
    }
    notes.push_back(fmt::format("Y = [{0}, {1} - {0}] so that Y1 = {1} and x = L {1}", cons->id, prod->id));
  } else {
    const Demand& d = prod ? *prod : demands.front();
    s.fd_categories = {d.id};
    s.Y = DenseMatrix(n, 1);
    for (size_t k = 0; k < n; ++k) s.Y(k, 0) = d.y[k];
    notes.push_back(fmt::format("Y = {} (no consumption/production pair to split)", d.id));
  }
  const long year = prod ? prod->year : demands.front().year;
  if (year) s.name += fmt::format(" ({} USD)", year);

  // A given gross output (commodity output q, or x) wins over the derived one.
  for (const char* name : {"q.json", "x.json"}) {
    const fs::path f = dir / "matrix" / name;
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) continue;
    const std::string t = read_file(f);
    files.push_back(describe_input(f, t));
    auto j = parse_json(t, f.string());
    if (j.is_array() && j.size() == 1 && j[0].is_array()) j = j[0];  // a 1 x n matrix
    s.x.assign(n, 0.0);
    if (!j.is_array() || j.size() != n)
      fail(fmt::format("must list {} numbers (one per sector in sectors.json)", n), f.string());
    for (size_t k = 0; k < n; ++k) {
      const auto& v = j[k].is_array() && j[k].size() == 1 ? j[k][0] : j[k];  // an n x 1 matrix
      if (!v.is_number())
        fail(fmt::format("entry {} ({}) is not a number", k + 1, in_quotes(codes[k])), f.string(), 0, 0, codes[k]);
      s.x[k] = v.get<double>();
    }
    s.x_given = true;
    notes.push_back(fmt::format("x from matrix/{}", name));
    break;
  }
  if (!s.x_given) notes.push_back("x = (I - A)^-1 Y1 (the files give no gross output)");
  finish_from_coefficients(s, sparse_from_dense(A), a_file);
  ensure_gross_output(s);  // F = B x^ below needs x

  // Extensions: B (flows per USD of output) times x gives flows; C (indicator per flow) characterises them.
  const fs::path b_path = dir / "matrix" / "B.json";
  std::error_code ec;
  if (fs::is_regular_file(b_path, ec)) {
    const std::string bt = read_file(b_path);
    files.push_back(describe_input(b_path, bt));
    const auto bj = parse_json(bt, b_path.string());
    const size_t k = bj.is_array() ? bj.size() : 0;
    const auto flows = useeio_row_labels(dir / "flows.json", k, "B row", true, files, notes);
    const DenseMatrix B = json_matrix(
        bt, b_path.string(), k, n, "flows.json", "sectors.json", [&](size_t i) { return flows.labels[i]; },
        sector_label);
    MrioExtension ghg;
    ghg.name = "ghg";
    ghg.stressors = flows.labels;
    ghg.units = flows.units;
    ghg.F = DenseMatrix(k, n);
    for (size_t i = 0; i < k; ++i)
      for (size_t c = 0; c < n; ++c) ghg.F(i, c) = B(i, c) * s.x[c];
    const fs::path c_path = dir / "matrix" / "C.json";
    if (fs::is_regular_file(c_path, ec)) {
      const std::string ct = read_file(c_path);
      files.push_back(describe_input(c_path, ct));
      const auto cj = parse_json(ct, c_path.string());
      const size_t m = cj.is_array() ? cj.size() : 0;
      const auto ind = useeio_row_labels(dir / "indicators.json", m, "C row", false, files, notes);
      const DenseMatrix C = json_matrix(
          ct, c_path.string(), m, k, "indicators.json", "B's rows (flows)", [&](size_t i) { return ind.labels[i]; },
          [&](size_t i) { return flows.labels[i]; });
      MrioExtension chr;
      chr.name = "ghg_indicators";
      chr.stressors = ind.labels;
      chr.units = ind.units;
      chr.F = DenseMatrix(m, n);
      for (size_t i = 0; i < m; ++i)
        for (size_t f = 0; f < k; ++f) {
          const double c = C(i, f);
          if (c == 0.0) continue;
          for (size_t col = 0; col < n; ++col) chr.F(i, col) += c * ghg.F(f, col);
        }
      notes.push_back("extension ghg_indicators: F = C B x^");
      s.extensions.push_back(std::move(ghg));
      s.extensions.push_back(std::move(chr));
    } else {
      s.extensions.push_back(std::move(ghg));
    }
    notes.push_back("extension ghg: F = B x^; no F_Y (the files hold no direct household emissions)");
  }
  nlohmann::json sector_names = nlohmann::json::object();
  for (size_t k = 0; k < n; ++k) sector_names[codes[k]] = names[k];
  s.provenance = {{"format", "useeio"}, {"files", files}, {"notes", notes}, {"sector_names", sector_names}};
  return s;
}

}  // namespace panocarbon::mrio_io
