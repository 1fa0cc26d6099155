// OECD ICIO reader: one CSV table with COU_IND labels (see mrio_formats.hpp).
#include "io/mrio_formats.hpp"

#include "io/mrio_formats_detail.hpp"

namespace panocarbon::mrio_io {
using namespace detail;
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

}  // namespace panocarbon::mrio_io
