// pymrio's text storage (pymrio.save_all / load_all) and the EXIOBASE 3 downloads, a folder or a .zip:
// file_parameters.json names the system's tables (Z or A, Y, x, unit, population) with their numbers of
// index columns and header rows; each extension is a subfolder with its own file_parameters.json (F, F_Y
// or EXIOBASE's older F_hh, unit). Also the dispatch of read_mrio() to the other formats.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <set>

#include "core/text.hpp"
#include "io/byte_source.hpp"
#include "mrio/common.hpp"
#include "io/mrio_formats.hpp"
#include "io/tsv_table.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/mrio.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon {

namespace {

namespace fs = std::filesystem;
using io::FileSet;
using io::LabeledTable;

struct FileParam {
  std::string name;
  size_t nr_index_col = 2, nr_header = 2;
};

struct Params {
  std::map<std::string, FileParam> files;
  std::string systemtype, name;
};

// nr_index_col / nr_header: a small whole number (pymrio writes 1 or 2; EXIOBASE 3 at most 3). A bound keeps a
// damaged file from sizing the table's label levels (1e12 header rows would be a 24 TB allocation).
size_t as_count(const nlohmann::json& v, const std::string& file, const std::string& field) {
  constexpr long long kMax = 32;
  long long n = -1;
  if (v.is_number_unsigned()) {
    n = v.get<unsigned long long>() > static_cast<unsigned long long>(kMax) ? kMax + 1 : v.get<long long>();
  } else if (v.is_number_integer()) {
    n = v.get<long long>();
  } else if (v.is_string()) {
    const std::string s = v.get<std::string>();
    const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) n = -1;
  }
  if (n < 1 || n > kMax)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} must be a whole number from 1 to {}, e.g. \"2\" (pymrio writes \"1\" or \"2\"), not {}",
                            field, kMax, clip_input(v.dump(), 40)),
                {file, 0, 0, field});
  return static_cast<size_t>(n);
}

Params read_params(const FileSet& set, const std::string& folder) {
  const std::string rel = folder.empty() ? "file_parameters.json" : folder + "/file_parameters.json";
  const std::string where = set.display(rel);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(set.read_all(rel));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCategory::InvalidInput, std::string("is not valid JSON: ") + clip_input(e.what(), 300), {where});
  }
  Params p;
  if (!j.is_object() || !j.contains("files") || !j["files"].is_object())
    throw Error(ErrorCategory::InvalidInput, "has no \"files\" object; it must map table names to {name, nr_index_col, nr_header}",
                {where});
  for (auto& [full_key, f] : j["files"].items()) {
    const std::string key = clip_input(full_key);
    FileParam fp;
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string())
      throw Error(ErrorCategory::InvalidInput, "files." + key + " needs a \"name\"", {where, 0, 0, "files." + key});
    fp.name = f["name"].get<std::string>();
    if (f.contains("nr_index_col")) fp.nr_index_col = as_count(f["nr_index_col"], where, "files." + key + ".nr_index_col");
    if (f.contains("nr_header")) fp.nr_header = as_count(f["nr_header"], where, "files." + key + ".nr_header");
    p.files[full_key] = fp;
  }
  if (j.contains("systemtype") && j["systemtype"].is_string()) p.systemtype = j["systemtype"].get<std::string>();
  if (j.contains("name") && j["name"].is_string()) p.name = j["name"].get<std::string>();
  return p;
}

LabeledTable read_table(const FileSet& set, const std::string& folder, const FileParam& fp, const ReadOptions& opt) {
  const std::string rel = folder.empty() ? fp.name : folder + "/" + fp.name;
  if (!set.exists(rel))
    throw Error(ErrorCategory::InvalidInput,
                set.display(rel) + " is named in file_parameters.json but is missing; restore the file or remove its entry",
                {set.display(rel)});
  auto src = set.open_member(rel);
  io::TableOptions to;
  to.nr_index_col = fp.nr_index_col;
  to.nr_header = fp.nr_header;
  to.threads = opt.threads;
  to.progress = opt.progress;
  return io::read_labeled_table(*src, to);
}

[[noreturn]] void label_mismatch(const LabeledTable& t, const std::string& what, size_t idx, const std::string& got,
                                 const std::string& expected, long line = 0) {
  throw Error(ErrorCategory::InvalidInput,
              what + " " + std::to_string(idx + 1) + " is '" + clip_input(got) + "' but the system's sector " +
                  std::to_string(idx + 1) + " is '" + clip_input(expected) +
                  "': the labels of the tables disagree; re-export them from one system",
              {t.file, line, 0, clip_input(got)});
}

// The sector labels (region, sector) of the A/Z rows define the system.
void set_layout(MrioSystem& s, const LabeledTable& t) {
  if (t.row_labels.empty()) throw Error(ErrorCategory::InvalidInput, "has no data rows", {t.file});
  if (t.row_labels[0].size() < 2)
    throw Error(ErrorCategory::InvalidInput, "needs two index columns (region, sector)", {t.file});
  std::map<std::string, size_t> seen;
  for (const auto& r : t.row_labels)
    if (seen.emplace(r[0], seen.size()).second) s.regions.push_back(r[0]);
  for (const auto& r : t.row_labels) {
    if (r[0] != s.regions[0]) break;
    s.sectors.push_back(r[1]);
  }
  const size_t ns = s.sectors.size();
  if (s.regions.size() * ns != t.row_labels.size())
    throw Error(ErrorCategory::InvalidInput,
                "has " + std::to_string(t.row_labels.size()) + " rows, not regions x sectors (" +
                    std::to_string(s.regions.size()) + " x " + std::to_string(ns) +
                    "): every region must list the same sectors, region by region",
                {t.file});
  for (size_t k = 0; k < t.row_labels.size(); ++k) {
    const auto& r = t.row_labels[k];
    if (r[0] != s.regions[k / ns] || r[1] != s.sectors[k % ns])
      label_mismatch(t, "row", k, r[0] + "|" + r[1], s.regions[k / ns] + "|" + s.sectors[k % ns], t.row_line[k]);
  }
}

void check_rows(const MrioSystem& s, const LabeledTable& t) {
  if (t.row_labels.size() != s.n())
    throw Error(ErrorCategory::InvalidInput,
                "has " + std::to_string(t.row_labels.size()) + " rows but the system has " + std::to_string(s.n()) +
                    " sectors; the tables must come from one system",
                {t.file});
  const size_t ns = s.n_sectors();
  for (size_t k = 0; k < s.n(); ++k) {
    const auto& r = t.row_labels[k];
    if (r.size() < 2 || r[0] != s.regions[k / ns] || r[1] != s.sectors[k % ns])
      label_mismatch(t, "row", k, t.row_key(k), s.regions[k / ns] + "|" + s.sectors[k % ns], t.row_line[k]);
  }
}

void check_sector_columns(const MrioSystem& s, const LabeledTable& t) {
  if (t.n_cols() != s.n() || t.col_labels.size() < 2)
    throw Error(ErrorCategory::InvalidInput,
                "has " + std::to_string(t.n_cols()) + " columns but the system has " + std::to_string(s.n()) +
                    " sectors (two header rows: region, sector); the tables must come from one system",
                {t.file});
  const size_t ns = s.n_sectors();
  for (size_t k = 0; k < s.n(); ++k)
    if (t.col_labels[0][k] != s.regions[k / ns] || t.col_labels[1][k] != s.sectors[k % ns])
      label_mismatch(t, "column", k, t.col_labels[0][k] + "|" + t.col_labels[1][k],
                     s.regions[k / ns] + "|" + s.sectors[k % ns]);
}

// Final-demand columns (region, category): defines the categories; checks the region-major layout.
void set_fd_layout(MrioSystem& s, const LabeledTable& t) {
  if (t.col_labels.size() < 2) throw Error(ErrorCategory::InvalidInput, "needs two header rows (region, category)", {t.file});
  const auto& reg = t.col_labels[0];
  const auto& cat = t.col_labels[1];
  for (size_t j = 0; j < reg.size() && reg[j] == reg[0]; ++j) s.fd_categories.push_back(cat[j]);
  const size_t nc = s.fd_categories.size();
  if (nc == 0 || reg.size() != nc * s.n_regions())
    throw Error(ErrorCategory::InvalidInput,
                "has " + std::to_string(reg.size()) + " final-demand columns, expected regions x categories (" +
                    std::to_string(s.n_regions()) + " x " + std::to_string(nc) + ")",
                {t.file});
  for (size_t j = 0; j < reg.size(); ++j)
    if (reg[j] != s.regions[j / nc] || cat[j] != s.fd_categories[j % nc])
      throw Error(ErrorCategory::InvalidInput,
                  "final-demand column " + std::to_string(j + 1) + " is '" + reg[j] + "|" + cat[j] + "', expected '" +
                      s.regions[j / nc] + "|" + s.fd_categories[j % nc] +
                      "': the regions of Y must follow those of A/Z, each with the same categories",
                  {t.file, 0, 0, reg[j] + "|" + cat[j]});
}

void check_fd_columns(const MrioSystem& s, const LabeledTable& t) {
  const size_t nc = s.n_categories();
  if (t.n_cols() != nc * s.n_regions() || t.col_labels.size() < 2)
    throw Error(ErrorCategory::InvalidInput,
                "has " + std::to_string(t.n_cols()) + " columns, expected one per final-demand column of Y (" +
                    std::to_string(nc * s.n_regions()) + ")",
                {t.file});
  for (size_t j = 0; j < t.n_cols(); ++j)
    if (t.col_labels[0][j] != s.regions[j / nc] || t.col_labels[1][j] != s.fd_categories[j % nc])
      throw Error(ErrorCategory::InvalidInput,
                  "column " + std::to_string(j + 1) + " is '" + t.col_key(j) + "', expected '" + s.regions[j / nc] + "|" +
                      s.fd_categories[j % nc] + "' as in Y",
                  {t.file, 0, 0, t.col_key(j)});
}

std::vector<double> column_vector(const LabeledTable& t) {
  const auto d = io::to_dense(t.values);
  std::vector<double> v(d.rows);
  for (size_t i = 0; i < d.rows; ++i) v[i] = d.cols ? d(i, 0) : 0.0;
  return v;
}

// unit.txt of an extension: stressor index -> unit (last column).
std::map<std::string, std::string> read_units(const FileSet& set, const std::string& rel) {
  std::map<std::string, std::string> out;
  if (!set.exists(rel)) return out;
  const std::string text = set.read_all(rel);
  size_t start = 0;
  bool header = true;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (header) {
      header = false;
      continue;
    }
    const auto tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    std::string key = line.substr(0, tab);
    std::replace(key.begin(), key.end(), '\t', '|');
    out[key] = line.substr(tab + 1);
  }
  return out;
}

nlohmann::json describe(const FileSet& set, const std::string& rel) {
  nlohmann::json j{{"file", set.display(rel)}};
  return j;
}

MrioSystem read_pymrio(const std::string& path, const ReadOptions& opt) {
  auto set = FileSet::open(path);
  if (!set->exists("file_parameters.json"))
    throw Error(ErrorCategory::InvalidInput,
                "has no file_parameters.json: not a pymrio/EXIOBASE folder (other formats: Eora26 folder, OECD ICIO "
                "CSV, USEEIO JSON folder)",
                {set->display("file_parameters.json")});
  const Params top = read_params(*set, "");
  MrioSystem s;
  s.format = "pymrio";
  s.source = path;
  s.name = fs::path(path).filename().string();
  s.provenance = {{"format", "pymrio text"}, {"path", path}, {"files", nlohmann::json::array()}};
  if (set->exists("metadata.json")) {
    try {
      auto meta = nlohmann::json::parse(set->read_all("metadata.json"));
      if (meta.contains("name") && meta["name"].is_string()) s.name = meta["name"].get<std::string>();
      if (meta.contains("version") && meta["version"].is_string() && meta["version"].get<std::string>().rfind("v3", 0) == 0)
        s.format = "exiobase3";
      s.provenance["metadata"] = meta;
    } catch (const nlohmann::json::exception&) {
      // metadata is informative only
    }
  }
  const bool flows = top.files.count("Z") > 0;
  if (!flows && !top.files.count("A"))
    throw Error(ErrorCategory::InvalidInput, "names neither Z (flows) nor A (coefficients); one of them is needed",
                {set->display("file_parameters.json")});
  if (!top.files.count("Y"))
    throw Error(ErrorCategory::InvalidInput, "names no Y (final demand); it is needed", {set->display("file_parameters.json")});

  LabeledTable za = read_table(*set, "", top.files.at(flows ? "Z" : "A"), opt);
  s.provenance["files"].push_back(describe(*set, top.files.at(flows ? "Z" : "A").name));
  set_layout(s, za);
  check_sector_columns(s, za);
  const std::string za_file = za.file;
  SparseRows za_values = std::move(za.values);
  za = LabeledTable{};

  LabeledTable y = read_table(*set, "", top.files.at("Y"), opt);
  s.provenance["files"].push_back(describe(*set, top.files.at("Y").name));
  check_rows(s, y);
  set_fd_layout(s, y);
  s.Y = io::to_dense(y.values);

  if (top.files.count("x")) {
    LabeledTable xt = read_table(*set, "", top.files.at("x"), opt);
    check_rows(s, xt);
    s.x = column_vector(xt);
    s.x_given = true;
  }
  if (top.files.count("unit")) {
    auto units = read_units(*set, top.files.at("unit").name);
    if (!units.empty()) s.monetary_unit = units.begin()->second;
  }
  if (top.files.count("population")) {
    const auto& fp = top.files.at("population");
    LabeledTable pt = read_table(*set, "", fp, opt);
    const auto d = io::to_dense(pt.values);
    std::map<std::string, double> pop;
    for (size_t j = 0; j < pt.n_cols(); ++j) pop[pt.col_labels[0][j]] = d.rows ? d(0, j) : 0.0;
    for (const auto& r : s.regions) {
      if (!pop.count(r))
        throw Error(ErrorCategory::InvalidInput, "has no population for region " + r + "; give one per region", {pt.file, 0, 0, r});
      s.population.push_back(pop[r]);
    }
  }
  if (flows)
    mrio_io::finish_from_flows(s, std::move(za_values), za_file);
  else
    mrio_io::finish_from_coefficients(s, std::move(za_values), za_file);

  if (opt.with_extensions) {
    for (const auto& folder : set->subfolders("")) {
      if (!set->exists(folder + "/file_parameters.json")) continue;
      const Params p = read_params(*set, folder);
      if (!p.systemtype.empty() && p.systemtype != "Extension") continue;
      MrioExtension ext;
      ext.name = fs::path(folder).filename().string();
      if (!p.files.count("F")) continue;
      LabeledTable f = read_table(*set, folder, p.files.at("F"), opt);
      check_sector_columns(s, f);
      s.provenance["files"].push_back(describe(*set, folder + "/" + p.files.at("F").name));
      for (size_t i = 0; i < f.row_labels.size(); ++i) ext.stressors.push_back(f.row_key(i));
      ext.F = io::to_dense(f.values);
      const std::string fy_key = p.files.count("F_Y") ? "F_Y" : (p.files.count("F_hh") ? "F_hh" : "");
      if (!fy_key.empty()) {
        LabeledTable fy = read_table(*set, folder, p.files.at(fy_key), opt);
        check_fd_columns(s, fy);
        if (fy.row_labels.size() != f.row_labels.size())
          throw Error(ErrorCategory::InvalidInput,
                      "has " + std::to_string(fy.row_labels.size()) + " stressors but F has " +
                          std::to_string(f.row_labels.size()) + "; F and F_Y must list the same stressors",
                      {fy.file});
        for (size_t i = 0; i < fy.row_labels.size(); ++i)
          if (fy.row_key(i) != ext.stressors[i])
            throw Error(ErrorCategory::InvalidInput,
                        "stressor " + std::to_string(i + 1) + " is '" + fy.row_key(i) + "' but F has '" + ext.stressors[i] +
                            "'; F and F_Y must list the same stressors in the same order",
                        {fy.file, fy.row_line[i], 0, fy.row_key(i)});
        ext.F_Y = io::to_dense(fy.values);
        s.provenance["files"].push_back(describe(*set, folder + "/" + p.files.at(fy_key).name));
      }
      const auto units = p.files.count("unit") ? read_units(*set, folder + "/" + p.files.at("unit").name)
                                               : std::map<std::string, std::string>{};
      for (const auto& st : ext.stressors) {
        auto it = units.find(st);
        if (it == units.end()) it = units.find(st.substr(0, st.find('|')));
        ext.units.push_back(it == units.end() ? "" : it->second);
      }
      s.extensions.push_back(std::move(ext));
    }
  }
  return s;
}

}  // namespace

MrioSystem read_mrio(const std::string& path, const ReadOptions& options) {
  std::error_code ec;
  const bool dir = fs::is_directory(path, ec);
  if (!dir && !fs::exists(path, ec))
    throw Error(ErrorCategory::NotFound, "does not exist: give an MRIO folder, a .zip of one, an OECD ICIO CSV or a USEEIO folder",
                {path});
  if (dir && !fs::exists(fs::path(path) / "file_parameters.json")) {
    if (mrio_io::looks_like_eora26(path)) return mrio_io::read_eora26(path);
    if (mrio_io::looks_like_useeio(path)) return mrio_io::read_useeio(path);
    throw Error(ErrorCategory::InvalidInput,
                "is not a recognised MRIO folder: expected file_parameters.json (pymrio/EXIOBASE), Eora26 files "
                "(Eora26_*_T.txt) or a USEEIO model (matrix/A.json)",
                {path});
  }
  if (!dir && mrio_io::looks_like_oecd_icio(path)) return mrio_io::read_oecd_icio(path);
  return read_pymrio(path, options);
}

}  // namespace panocarbon
