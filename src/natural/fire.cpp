// GFED fires (HDF5, streamed month by month), the GFED4 emission factor table and IPCC Tier 1 fires.
// See include/panocarbon/natural_fire.hpp and docs/natural-fires.md.
#include <fmt/format.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <cctype>

#include "core/embedded.hpp"
#include "io/csv.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural_fire.hpp"

namespace panocarbon::natural {

namespace {
Error input_error(std::string msg, ErrorContext c) { return Error(ErrorCategory::InvalidInput, std::move(msg), std::move(c)); }

std::string upper(std::string_view s) {
  std::string o(s);
  for (auto& ch : o) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return o;
}
std::string join(const auto& v) {
  std::string o;
  for (const auto& x : v) o += (o.empty() ? "" : ", ") + std::string(x);
  return o;
}
}  // namespace

int GfedEmissionFactors::find(std::string_view name) const {
  const std::string u = upper(name);
  for (size_t i = 0; i < species.size(); ++i)
    if (upper(species[i]) == u) return static_cast<int>(i);
  return -1;
}

GfedEmissionFactors parse_gfed_emission_factors(std::string_view text, const std::string& file) {
  GfedEmissionFactors ef;
  ef.source = file;
  std::array<int, 6> order = {0, 1, 2, 3, 4, 5};  // column j of the file holds fire type order[j]
  long line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string s(line);
    std::istringstream in(s);
    std::vector<std::string> tok;
    std::vector<long> col;
    {
      size_t i = 0;
      while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i >= s.size()) break;
        const size_t b = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        tok.push_back(s.substr(b, i - b));
        col.push_back(static_cast<long>(b) + 1);
      }
    }
    if (tok.empty()) continue;
    if (tok[0][0] == '#') {
      // The header "# SPECIE SAVA BORF ..." fixes the column order.
      if (tok.size() == 8 && upper(tok[1]) == "SPECIE") {
        for (size_t j = 0; j < 6; ++j) {
          auto it = std::find_if(kGfedFireTypes.begin(), kGfedFireTypes.end(),
                                 [&](const char* t) { return upper(tok[j + 2]) == t; });
          if (it == kGfedFireTypes.end())
            throw input_error(fmt::format("unknown fire type '{}' in the header; expected the six GFED types {}",
                                          tok[j + 2], join(kGfedFireTypes)),
                              ErrorContext{file, line_no, col[j + 2]});
          order[j] = static_cast<int>(it - kGfedFireTypes.begin());
        }
      }
      continue;
    }
    if (tok[0].find_first_not_of('-') == std::string::npos) continue;  // a ruler line
    if (tok.size() != 7)
      throw input_error(fmt::format("species row '{}' has {} values; expected 6 (g per kg dry matter for {})", tok[0],
                                    tok.size() - 1, join(kGfedFireTypes)),
                        ErrorContext{file, line_no, tok.size() > 7 ? col[7] : col.back(), tok[0]});
    if (ef.find(tok[0]) >= 0)
      throw input_error(fmt::format("species '{}' appears twice; keep one row", tok[0]),
                        ErrorContext{file, line_no, 1, tok[0]});
    std::array<double, 6> v{};
    for (size_t j = 0; j < 6; ++j) {
      double x = 0;
      if (!io::parse_double(tok[j + 1], x) || !std::isfinite(x) || x < 0)
        throw input_error(fmt::format("'{}' is not a non-negative number (g {} per kg dry matter, fire type {})",
                                      tok[j + 1], tok[0], kGfedFireTypes[order[j]]),
                          ErrorContext{file, line_no, col[j + 1], tok[0]});
      v[order[j]] = x;
    }
    ef.species.push_back(tok[0]);
    ef.g_per_kg.push_back(v);
  }
  if (ef.species.empty())
    throw input_error("no species rows: expected lines 'NAME v1 ... v6' (g per kg dry matter per fire type)",
                      ErrorContext{file});
  return ef;
}

GfedEmissionFactors load_gfed_emission_factors(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw Error(ErrorCategory::Io,
                "cannot read the GFED emission factor file; pass --emission-factors FILE "
                "(GFED4_Emission_Factors.txt)",
                ErrorContext{file.string()});
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_gfed_emission_factors(ss.str(), file.string());
}

CarbonIdentity check_carbon_identity(const GfedEmissionFactors& ef) {
  const int c = ef.find("C"), co2 = ef.find("CO2"), co = ef.find("CO"), ch4 = ef.find("CH4");
  if (c < 0 || co2 < 0 || co < 0 || ch4 < 0)
    throw Error(ErrorCategory::Data, "the carbon identity needs the rows C, CO2, CO and CH4",
                ErrorContext{ef.source});
  CarbonIdentity r;
  for (size_t t = 0; t < 6; ++t) {
    r.table_c[t] = ef.g_per_kg[c][t];
    r.computed_c[t] = 12.0 / 44.0 * ef.g_per_kg[co2][t] + 12.0 / 28.0 * ef.g_per_kg[co][t] +
                      12.0 / 16.0 * ef.g_per_kg[ch4][t];
    r.relative_difference[t] = (r.computed_c[t] - r.table_c[t]) / r.table_c[t];
    r.max_abs_relative_difference = std::max(r.max_abs_relative_difference, std::abs(r.relative_difference[t]));
  }
  return r;
}

// ---------------------------------------------------------------- HDF5
namespace {
struct H5Handle {
  hid_t id = -1;
  herr_t (*close)(hid_t) = nullptr;
  H5Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() {
    if (id >= 0) close(id);
  }
};

struct H5File {
  std::string path;
  H5Handle f;
  explicit H5File(const std::filesystem::path& p)
      : path(p.string()), f(open(p), H5Fclose) {}
  static hid_t open(const std::filesystem::path& p) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are ours to report
    if (!std::filesystem::exists(p))
      throw Error(ErrorCategory::Io, "file not found", ErrorContext{p.string()});
    const hid_t id = H5Fopen(p.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0)
      throw Error(ErrorCategory::InvalidInput,
                  "not an HDF5 file (GFED4.1s files and NetCDF-4 masks are HDF5); check the path",
                  ErrorContext{p.string()});
    return id;
  }
  bool has(const std::string& dataset) const {
    // Walk the path: H5Lexists fails on a missing intermediate group.
    size_t i = 1;
    while (true) {
      const size_t j = dataset.find('/', i);
      const std::string part = dataset.substr(0, j);
      if (H5Lexists(f.id, part.c_str(), H5P_DEFAULT) <= 0) return false;
      if (j == std::string::npos) return true;
      i = j + 1;
    }
  }
  // Reads a 2-D dataset converted to T; checks or sets the shape.
  template <typename T>
  void read2d(const std::string& dataset, std::vector<T>& out, size_t& rows, size_t& cols, hid_t mem_type,
              const char* what) const {
    if (!has(dataset))
      throw input_error(fmt::format("dataset {} is missing ({}); a GFED4.1s file has /emissions/MM/DM, "
                                    "/emissions/MM/partitioning/DM_<TYPE>, /ancill/grid_cell_area and "
                                    "/ancill/basis_regions",
                                    dataset, what),
                        ErrorContext{path, 0, 0, dataset});
    H5Handle d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) throw input_error(fmt::format("{} is not a dataset ({})", dataset, what), ErrorContext{path, 0, 0, dataset});
    H5Handle sp(H5Dget_space(d.id), H5Sclose);
    const int nd = H5Sget_simple_extent_ndims(sp.id);
    hsize_t dims[3] = {0, 0, 0};
    if (nd >= 1 && nd <= 3) H5Sget_simple_extent_dims(sp.id, dims, nullptr);
    // A leading axis of length 1 (time) is accepted.
    const bool ok = nd == 2 || (nd == 3 && dims[0] == 1);
    const size_t r = nd == 3 ? dims[1] : dims[0], c = nd == 3 ? dims[2] : dims[1];
    if (!ok)
      throw input_error(fmt::format("dataset {} has {} dimensions; expected a 2-D latitude x longitude grid ({})",
                                    dataset, nd, what),
                        ErrorContext{path, 0, 0, dataset});
    if (rows == 0) {
      rows = r;
      cols = c;
    } else if (r != rows || c != cols) {
      throw input_error(fmt::format("dataset {} is {} x {} but the grid is {} x {} (from /ancill/grid_cell_area); "
                                    "every layer must have the same shape (0.25 deg GFED4.1s: 720 x 1440)",
                                    dataset, r, c, rows, cols),
                        ErrorContext{path, 0, 0, dataset});
    }
    out.resize(rows * cols);
    H5Handle ft(H5Dget_type(d.id), H5Tclose);
    const H5T_class_t cls = H5Tget_class(ft.id);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
      throw input_error(fmt::format("dataset {} is not numeric ({})", dataset, what), ErrorContext{path, 0, 0, dataset});
    if (H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      throw Error(ErrorCategory::Io, fmt::format("reading dataset {} failed", dataset), ErrorContext{path, 0, 0, dataset});
  }
};

std::vector<std::string> split_list(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    size_t i = 0;
    while (i <= s.size()) {
      const size_t j = std::min(s.find(',', i), s.size());
      auto t = io::trim(std::string_view(s).substr(i, j - i));
      if (!t.empty()) out.emplace_back(t);
      i = j + 1;
    }
  }
  return out;
}
}  // namespace

FireResult compute_gfed_fire(const std::filesystem::path& file, const GfedEmissionFactors& ef,
                             const FireOptions& opt) {
  FireResult res;
  res.file = file.string();
  res.year = opt.year;
  // The year in a GFED file name (GFED4.1s_2010.hdf5) must match --year.
  {
    // the first run of exactly four digits 19xx or 20xx (no std::regex: GCC 12 warns inside it under ASan)
    const std::string stem = file.stem().string();
    int found = 0;
    for (size_t i = 0; i < stem.size() && !found;) {
      if (!std::isdigit(static_cast<unsigned char>(stem[i]))) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < stem.size() && std::isdigit(static_cast<unsigned char>(stem[j]))) ++j;
      if (j - i == 4 && (stem.compare(i, 2, "19") == 0 || stem.compare(i, 2, "20") == 0))
        found = std::stoi(stem.substr(i, 4));
      i = j;
    }
    if (opt.year != 0 && found != 0 && found != opt.year)
      throw input_error(fmt::format("the file name says year {} but --year is {}; pass the file of year {} or "
                                    "correct --year",
                                    found, opt.year, opt.year),
                        ErrorContext{file.string(), 0, 0, "year"});
  }
  // Species and months.
  std::vector<int> sidx;
  for (const auto& s : split_list(opt.species)) {
    const int i = ef.find(s);
    if (i < 0)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown species '{}'; the emission factor table has {}", s, join(ef.species)),
                  ErrorContext{ef.source, 0, 0, "species"});
    sidx.push_back(i);
    res.species.push_back(ef.species[i]);
  }
  if (sidx.empty())
    for (size_t i = 0; i < ef.species.size(); ++i) {
      sidx.push_back(static_cast<int>(i));
      res.species.push_back(ef.species[i]);
    }
  res.months = opt.months;
  if (res.months.empty())
    for (int m = 1; m <= 12; ++m) res.months.push_back(m);
  for (int m : res.months)
    if (m < 1 || m > 12)
      throw input_error(fmt::format("month {} is out of range 1..12 (datasets /emissions/01 ... /emissions/12)", m),
                        ErrorContext{file.string(), 0, 0, "months"});

  H5File h5(file);
  std::vector<double> area;
  std::vector<int> region;
  size_t rows = 0, cols = 0;
  h5.read2d("/ancill/grid_cell_area", area, rows, cols, H5T_NATIVE_DOUBLE, "grid cell area, m2");
  const size_t n = rows * cols;
  // Regions: GFED basis regions, or the mask's codes.
  std::vector<int> slot;  // region slot per cell (-1 = none)
  slot.resize(n);
  if (opt.mask.empty()) {
    h5.read2d("/ancill/basis_regions", region, rows, cols, H5T_NATIVE_INT, "GFED basis regions 1..14, 0 = none");
    for (auto r : kGfedBasisRegions) res.regions.emplace_back(r);
    for (size_t i = 0; i < n; ++i) {
      const int r = region[i];
      if (r < 0 || r > 14)
        throw input_error(fmt::format("basis region code {} at row {}, column {} is outside 0..14", r, i / cols, i % cols),
                          ErrorContext{file.string(), 0, 0, "/ancill/basis_regions"});
      slot[i] = r == 0 ? 14 : r - 1;
    }
    res.regions.emplace_back("none");  // cells outside every basis region (code 0)
  } else {
    H5File mk(opt.mask);
    std::string ds;
    for (const char* cand : {"/mask", "/country", "/countries", "/country_code"})
      if (mk.has(cand)) {
        ds = cand;
        break;
      }
    if (ds.empty())
      throw input_error("no country mask dataset: expected an integer variable /mask (or /country, /countries, "
                        "/country_code) on the emissions grid, 0 = no country",
                        ErrorContext{opt.mask.string()});
    std::vector<int> m;
    size_t mr = rows, mc = cols;
    mk.read2d(ds, m, mr, mc, H5T_NATIVE_INT, "country codes");
    std::map<int, int> codes;
    for (int c : m) codes[c] = 0;
    for (auto& [c, s] : codes) {
      s = static_cast<int>(res.regions.size());
      res.regions.push_back(c <= 0 ? std::string("none") : std::to_string(c));
    }
    for (size_t i = 0; i < n; ++i) slot[i] = codes[m[i]];
  }
  const size_t nr = res.regions.size(), ns = sidx.size(), nm = res.months.size();
  res.rows = rows;
  res.cols = cols;
  res.dm_kg.assign(nm * nr * 6, 0.0);
  std::vector<float> dm;
  std::array<std::vector<float>, 6> frac;
  for (size_t mi = 0; mi < nm; ++mi) {
    const std::string g = fmt::format("/emissions/{:02d}", res.months[mi]);
    h5.read2d(g + "/DM", dm, rows, cols, H5T_NATIVE_FLOAT, "dry matter burned, kg DM m-2 month-1");
    for (size_t t = 0; t < 6; ++t)
      h5.read2d(fmt::format("{}/partitioning/DM_{}", g, kGfedFireTypes[t]), frac[t], rows, cols, H5T_NATIVE_FLOAT,
                "fraction of DM by fire type");
    double* acc = &res.dm_kg[mi * nr * 6];
    for (size_t i = 0; i < n; ++i) {
      const double d = dm[i];
      if (d == 0) continue;
      if (!(d > 0) || !std::isfinite(d))
        throw input_error(fmt::format("dry matter {} at row {}, column {} is not a non-negative number", d, i / cols,
                                      i % cols),
                          ErrorContext{file.string(), 0, 0, g + "/DM"});
      const double w = d * area[i];
      const double f0 = frac[0][i], f1 = frac[1][i], f2 = frac[2][i], f3 = frac[3][i], f4 = frac[4][i],
                   f5 = frac[5][i];
      const double sum = f0 + f1 + f2 + f3 + f4 + f5;
      if (!(std::abs(sum - 1.0) <= opt.partition_tolerance) || f0 < 0 || f1 < 0 || f2 < 0 || f3 < 0 || f4 < 0 ||
          f5 < 0)
        throw input_error(fmt::format("the six fractions {}/partitioning/DM_* sum to {} at row {}, column {} where "
                                      "DM > 0; they must be >= 0 and sum to 1 (tolerance {})",
                                      g, sum, i / cols, i % cols, opt.partition_tolerance),
                          ErrorContext{file.string(), 0, 0, g + "/partitioning"});
      double* a = acc + static_cast<size_t>(slot[i]) * 6;
      a[0] += w * f0;
      a[1] += w * f1;
      a[2] += w * f2;
      a[3] += w * f3;
      a[4] += w * f4;
      a[5] += w * f5;
    }
  }
  // g/kg x kg = g; 1e-6 t per g.
  res.emission_t.assign(nm * nr * ns, 0.0);
  for (size_t mi = 0; mi < nm; ++mi)
    for (size_t r = 0; r < nr; ++r)
      for (size_t s = 0; s < ns; ++s) {
        double e = 0;
        for (size_t t = 0; t < 6; ++t) e += res.dm_kg[(mi * nr + r) * 6 + t] * ef.g_per_kg[sidx[s]][t];
        res.emission_t[(mi * nr + r) * ns + s] = e * 1e-6;
      }
  return res;
}

// ---------------------------------------------------------------- IPCC Tier 1
namespace {
struct Tier1Tables {
  std::map<std::string, std::pair<std::string, double>> fuel;  // vegetation -> (ef category, M_B C_f t/ha)
  std::map<std::pair<std::string, std::string>, double> gef;    // (category, species) -> g/kg
};
const Tier1Tables& tier1_tables() {
  static const Tier1Tables t = [] {
    Tier1Tables tb;
    io::CsvReader r(detail::embedded_file("ipcc2006_fire.csv"), "<embedded>/ipcc2006_fire.csv");
    r.next();  // header
    while (r.next()) {
      const auto& f = r.fields();
      double v = 0;
      io::parse_double(f[4], v);
      if (f[0] == "2.4") tb.fuel[std::string(f[1])] = {std::string(f[2]), v};
      else if (f[0] == "2.5") tb.gef[{std::string(f[2]), std::string(f[3])}] = v;
    }
    return tb;
  }();
  return t;
}
}  // namespace

std::vector<std::string> tier1_vegetation_types() {
  std::vector<std::string> v;
  for (const auto& [k, _] : tier1_tables().fuel) v.push_back(k);
  return v;
}

std::vector<Tier1Row> compute_fire_tier1(const std::filesystem::path& file, const std::vector<std::string>& species_in) {
  const auto& tb = tier1_tables();
  auto species = split_list(species_in);
  if (species.empty()) species = {"CO2", "CH4", "N2O", "CO", "NOx"};
  for (auto& s : species) {
    bool known = false;
    for (const auto& [k, _] : tb.gef)
      if (upper(k.second) == upper(s)) {
        s = k.second;
        known = true;
      }
    if (!known)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown species '{}'; IPCC 2006 Vol 4 Table 2.5 gives CO2, CO, CH4, N2O, NOx", s),
                  ErrorContext{"", 0, 0, "species"});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCategory::Io, "cannot read the area-burned CSV", ErrorContext{file.string()});
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  io::CsvReader r(text, file.string());
  if (!r.next()) throw input_error("empty file: expected the header vegetation,area_ha[,mb_cf_t_per_ha]", ErrorContext{file.string()});
  std::vector<std::string> head;
  for (auto h : r.fields()) head.push_back(io::to_lower(io::trim(h)));
  if (head.size() < 2 || head[0] != "vegetation" || head[1] != "area_ha" ||
      (head.size() > 2 && head[2] != "mb_cf_t_per_ha"))
    throw input_error("header must be vegetation,area_ha[,mb_cf_t_per_ha]", r.context(1));
  std::vector<Tier1Row> out;
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 2) throw input_error("expected vegetation,area_ha[,mb_cf_t_per_ha]", r.context(1));
    const std::string veg = io::to_lower(io::trim(f[0]));
    auto it = tb.fuel.find(veg);
    if (it == tb.fuel.end())
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown vegetation type '{}'; data/ipcc2006_fire.csv (Table 2.4) has {}", veg,
                              join(tier1_vegetation_types())),
                  r.context(1, "vegetation"));
    double area = 0, fuel = it->second.second;
    if (!io::parse_double(f[1], area) || !std::isfinite(area) || area < 0)
      throw input_error(fmt::format("area_ha '{}' is not a non-negative number (hectares burned)", f[1]),
                        r.context(2, "area_ha"));
    if (f.size() > 2 && !io::trim(f[2]).empty() &&
        (!io::parse_double(f[2], fuel) || !std::isfinite(fuel) || fuel < 0))
      throw input_error(fmt::format("mb_cf_t_per_ha '{}' is not a non-negative number (t dry matter per ha)", f[2]),
                        r.context(3, "mb_cf_t_per_ha"));
    for (const auto& s : species) {
      auto g = tb.gef.find({it->second.first, s});
      if (g == tb.gef.end()) continue;
      Tier1Row row{veg, it->second.first, s, area, fuel, g->second, 0};
      row.emission_t = area * fuel * g->second * 1e-3;  // Eq 2.27
      out.push_back(row);
    }
  }
  return out;
}

}  // namespace panocarbon::natural
