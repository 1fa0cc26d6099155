// Writes a system in pymrio's text layout, readable by pymrio.load_all() and by read_mrio(): Z (flows,
// rebuilt as A x), Y, x, unit, population, and one folder per extension (F, F_Y, unit). Numbers are
// written in the shortest form that reads back to the same double.
#include <fmt/format.h>
#include <fmt/os.h>

#include <filesystem>

#include "panocarbon/error.hpp"
#include "panocarbon/mrio.hpp"

namespace panocarbon {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_levels(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const auto bar = key.find('|', start);
    parts.push_back(key.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) return parts;
    start = bar + 1;
  }
}

nlohmann::json file_entry(const std::string& name, size_t index_cols, size_t headers) {
  return {{"name", name}, {"nr_index_col", std::to_string(index_cols)}, {"nr_header", std::to_string(headers)}};
}

void write_json(const fs::path& p, const nlohmann::json& j) {
  auto out = fmt::output_file(p.string());
  out.print("{}\n", j.dump(4));
}

}  // namespace

void write_sector_matrix(const MrioSystem& s, const std::vector<double>& m, const std::string& path) {
  const size_t n = s.n(), ns = s.n_sectors();
  if (m.size() != n * n) throw Error(ErrorCategory::Internal, "write_sector_matrix: wrong size");
  try {
    auto out = fmt::output_file(path);
    out.print("region\t");
    for (size_t k = 0; k < n; ++k) out.print("\t{}", s.regions[k / ns]);
    out.print("\nsector\t");
    for (size_t k = 0; k < n; ++k) out.print("\t{}", s.sectors[k % ns]);
    out.print("\nregion\tsector{}\n", std::string(n, '\t'));
    for (size_t i = 0; i < n; ++i) {
      out.print("{}\t{}", s.regions[i / ns], s.sectors[i % ns]);
      for (size_t j = 0; j < n; ++j) out.print("\t{}", m[j * n + i]);
      out.print("\n");
    }
  } catch (const std::system_error& e) {
    throw Error(ErrorCategory::Io, std::string("writing failed: ") + e.what(), {path});
  }
}

std::vector<std::string> write_mrio_pymrio(const MrioSystem& s, const std::string& folder) {
  const size_t n = s.n(), ns = s.n_sectors(), nc = s.n_categories();
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw Error(ErrorCategory::Io, "cannot create the folder: " + ec.message(), {folder});
  const fs::path dir(folder);
  std::vector<std::string> written;  // relative to the folder, in the order written
  auto open = [&](const fs::path& rel) {
    written.push_back(rel.generic_string());
    return fmt::output_file((dir / rel).string());
  };
  auto json_file = [&](const fs::path& rel, const nlohmann::json& j) {
    written.push_back(rel.generic_string());
    write_json(dir / rel, j);
  };
  auto sector_header = [&](fmt::ostream& out, size_t index_cols) {
    out.print("region{}", std::string(index_cols, '\t'));
    for (size_t k = 0; k < n; ++k) out.print("{}{}", s.regions[k / ns], k + 1 < n ? "\t" : "\n");
    out.print("sector{}", std::string(index_cols, '\t'));
    for (size_t k = 0; k < n; ++k) out.print("{}{}", s.sectors[k % ns], k + 1 < n ? "\t" : "\n");
  };
  auto fd_header = [&](fmt::ostream& out, size_t index_cols) {
    const size_t m = s.n_regions() * nc;
    out.print("region{}", std::string(index_cols, '\t'));
    for (size_t j = 0; j < m; ++j) out.print("{}{}", s.regions[j / nc], j + 1 < m ? "\t" : "\n");
    out.print("category{}", std::string(index_cols, '\t'));
    for (size_t j = 0; j < m; ++j) out.print("{}{}", s.fd_categories[j % nc], j + 1 < m ? "\t" : "\n");
  };
  try {
    {
      auto out = open("Z.txt");
      sector_header(out, 2);
      out.print("region\tsector{}\n", std::string(n, '\t'));
      std::vector<double> row(n);
      for (size_t i = 0; i < n; ++i) {
        std::fill(row.begin(), row.end(), 0.0);
        for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) row[s.A.col[p]] = s.A.value[p] * s.x[s.A.col[p]];
        out.print("{}\t{}", s.regions[i / ns], s.sectors[i % ns]);
        for (double v : row) out.print("\t{}", v);
        out.print("\n");
      }
    }
    {
      auto out = open("Y.txt");
      fd_header(out, 2);
      out.print("region\tsector{}\n", std::string(s.Y.cols, '\t'));
      for (size_t i = 0; i < n; ++i) {
        out.print("{}\t{}", s.regions[i / ns], s.sectors[i % ns]);
        for (size_t j = 0; j < s.Y.cols; ++j) out.print("\t{}", s.Y(i, j));
        out.print("\n");
      }
    }
    {
      auto out = open("x.txt");
      out.print("region\tsector\tindout\n");
      for (size_t i = 0; i < n; ++i) out.print("{}\t{}\t{}\n", s.regions[i / ns], s.sectors[i % ns], s.x[i]);
    }
    {
      auto out = open("unit.txt");
      out.print("region\tsector\tunit\n");
      for (size_t i = 0; i < n; ++i) out.print("{}\t{}\t{}\n", s.regions[i / ns], s.sectors[i % ns], s.monetary_unit);
    }
    nlohmann::json files = {{"Z", file_entry("Z.txt", 2, 2)}, {"Y", file_entry("Y.txt", 2, 2)},
                            {"x", file_entry("x.txt", 2, 1)}, {"unit", file_entry("unit.txt", 2, 1)}};
    if (!s.population.empty()) {
      auto out = open("population.txt");
      for (const auto& r : s.regions) out.print("\t{}", r);
      out.print("\nPopulation");
      for (double p : s.population) out.print("\t{}", p);
      out.print("\n");
      files["population"] = file_entry("population.txt", 1, 1);
    }
    json_file("file_parameters.json", {{"files", files}, {"systemtype", "IOSystem"}});
    json_file("metadata.json", {{"name", s.name}, {"description", "written by panocarbon"}, {"history", s.provenance}});
    for (const auto& e : s.extensions) {
      const fs::path ed = dir / e.name;
      const fs::path rel = e.name;
      fs::create_directories(ed, ec);
      if (ec) throw Error(ErrorCategory::Io, "cannot create the folder: " + ec.message(), {ed.string()});
      const size_t levels = e.stressors.empty() ? 1 : split_levels(e.stressors[0]).size();
      auto stressor_cells = [&](size_t q) {
        auto parts = split_levels(e.stressors[q]);
        parts.resize(levels);
        std::string out;
        for (size_t l = 0; l < levels; ++l) out += (l ? "\t" : "") + parts[l];
        return out;
      };
      {
        auto out = open(rel / "F.txt");
        sector_header(out, levels);
        out.print("stressor{}{}\n", std::string(levels - 1, '\t'), std::string(n, '\t'));
        for (size_t q = 0; q < e.F.rows; ++q) {
          out.print("{}", stressor_cells(q));
          for (size_t j = 0; j < n; ++j) out.print("\t{}", e.F(q, j));
          out.print("\n");
        }
      }
      nlohmann::json ef = {{"F", file_entry("F.txt", levels, 2)}, {"unit", file_entry("unit.txt", levels, 1)}};
      if (!e.F_Y.empty()) {
        auto out = open(rel / "F_Y.txt");
        fd_header(out, levels);
        out.print("stressor{}{}\n", std::string(levels - 1, '\t'), std::string(e.F_Y.cols, '\t'));
        for (size_t q = 0; q < e.F_Y.rows; ++q) {
          out.print("{}", stressor_cells(q));
          for (size_t j = 0; j < e.F_Y.cols; ++j) out.print("\t{}", e.F_Y(q, j));
          out.print("\n");
        }
        ef["F_Y"] = file_entry("F_Y.txt", levels, 2);
      }
      {
        auto out = open(rel / "unit.txt");
        out.print("stressor{}\tunit\n", std::string(levels - 1, '\t'));
        for (size_t q = 0; q < e.stressors.size(); ++q) out.print("{}\t{}\n", stressor_cells(q), e.units[q]);
      }
      json_file(rel / "file_parameters.json", {{"files", ef}, {"systemtype", "Extension"}, {"name", e.name}});
    }
  } catch (const std::system_error& e) {
    throw Error(ErrorCategory::Io, std::string("writing failed: ") + e.what(), {folder});
  }
  return written;
}

}  // namespace panocarbon
