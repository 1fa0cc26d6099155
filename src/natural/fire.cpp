// GFED fires (HDF5, streamed month by month), the GFED4 emission factor table and IPCC Tier 1 fires.
// See include/panocarbon/natural_fire.hpp and docs/natural-fires.md.
#include <fmt/format.h>
#include <hdf5.h>
#include <sys/mman.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <type_traits>
#include <thread>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <cctype>
#include <limits>
#include <set>

#include "core/embedded.hpp"
#include "io/gfed_hdf5.hpp"
#include "io/country_mask.hpp"
#include "io/gfed_netcdf.hpp"
#include "core/csv.hpp"
#include "core/text.hpp"
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
                                      clip_input(tok[j + 1]), clip_input(tok[0]), kGfedFireTypes[order[j]]),
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

// ---------------------------------------------------------------- uncertainty
Range95 range_95(double mean, double sd) {
  Range95 r;
  r.mean = mean;
  r.sd = sd;
  if (!std::isfinite(sd)) return r;
  if (mean == 0 || sd == 0) {
    r.lower = r.upper = mean;
    return r;
  }
  const double rel = sd / std::abs(mean);
  if (rel <= 0.3) {
    r.lower = mean - 1.96 * sd;
    r.upper = mean + 1.96 * sd;
    return r;
  }
  const double s2 = std::log1p(rel * rel), s = std::sqrt(s2), mu = std::log(std::abs(mean)) - s2 / 2;
  r.lower = std::exp(mu - 1.96 * s);
  r.upper = std::exp(mu + 1.96 * s);
  if (mean < 0) {  // a removal: mirror
    const double lo = -r.upper;
    r.upper = -r.lower;
    r.lower = lo;
  }
  return r;
}

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
struct Tier1Tables {
  struct Fuel {
    std::string category;
    double value = 0, sd = kNaN;
  };
  std::map<std::string, Fuel> fuel;                                             // vegetation -> Table 2.4
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> gef;  // (category, species) -> value, sd
};
const Tier1Tables& tier1_tables() {
  static const Tier1Tables t = [] {
    Tier1Tables tb;
    io::CsvReader r(panocarbon::detail::embedded_file("ipcc2006_fire.csv"), "<embedded>/ipcc2006_fire.csv");
    r.next();  // header: table,vegetation,ef_category,species,value,unit,sd,...
    while (r.next()) {
      const auto& f = r.fields();
      double v = 0, sd = kNaN;
      io::parse_double(f[4], v);
      if (!io::trim(f[6]).empty()) io::parse_double(f[6], sd);
      if (f[0] == "2.4") tb.fuel[std::string(f[1])] = {std::string(f[2]), v, sd};
      else if (f[0] == "2.5") tb.gef[{std::string(f[2]), std::string(f[3])}] = {v, sd};
    }
    return tb;
  }();
  return t;
}
}  // namespace

std::array<double, 6> gfed_ef_relative_sd(std::string_view species) {
  // SAVA BORF TEMF DEFO PEAT AGRI -> Table 2.5 category; PEAT: the largest of the others.
  static constexpr std::array<const char*, 6> kCategory = {"savanna_grassland",     "extra_tropical_forest",
                                                           "extra_tropical_forest", "tropical_forest",
                                                           "",                      "agricultural_residues"};
  std::array<double, 6> out;
  out.fill(kNaN);
  const auto& tb = tier1_tables();
  for (size_t t = 0; t < 6; ++t) {
    if (!*kCategory[t]) continue;
    for (const auto& [key, v] : tb.gef)
      if (key.first == kCategory[t] && upper(key.second) == upper(species) && v.first > 0 && std::isfinite(v.second))
        out[t] = v.second / v.first;
  }
  for (size_t t = 0; t < 6; ++t)
    if (t != 4 && std::isfinite(out[t]) && !(out[4] >= out[t])) out[4] = out[t];
  return out;
}

Range95 FireResult::range(const std::vector<size_t>& month_index, size_t r, size_t s, unsigned type_mask,
                          int part) const {
  const size_t nr = regions.size();
  if (part >= 0 && (!managed_split || part > 1))
    throw Error(ErrorCategory::Internal, "FireResult::range: a land part needs a run with a managed-land mask");
  std::array<double, 6> d{};
  for (size_t m : month_index)
    for (size_t t = 0; t < 6; ++t)
      if (type_mask >> t & 1u)
        d[t] += part < 0 ? dm_kg[(m * nr + r) * 6 + t]
                         : dm_part_kg[((m * nr + r) * 2 + static_cast<size_t>(part)) * 6 + t];
  double e = 0, var = 0;
  bool species_spread = false, spread = false;  // the species has one / a burning type has one
  for (size_t t = 0; t < 6; ++t) {
    const double et = d[t] * ef_g_per_kg[s][t] * 1e-6;
    e += et;
    if ((type_mask >> t & 1u) && std::isfinite(ef_relative_sd[s][t])) {
      species_spread = true;
      var += (et * ef_relative_sd[s][t]) * (et * ef_relative_sd[s][t]);
      if (et != 0) spread = true;
    }
  }
  if (!species_spread || (!spread && e != 0)) return range_95(e, kNaN);
  var += (e * dm_relative_sd) * (e * dm_relative_sd);
  return range_95(e, std::sqrt(var));
}

namespace {
using io::H5File;
using io::H5Handle;

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

namespace {
// A mask on the emissions grid (row 0 north), by the file's first bytes: the country mask (--mask) or the
// managed-land mask (--managed-mask). `what` names it in errors; `h5_names` are the datasets tried in a plain
// HDF5 file when no variable is given.
std::vector<int> read_mask(const std::filesystem::path& file, const std::string& variable, size_t rows, size_t cols,
                           const char* what, std::initializer_list<const char*> h5_names,
                           std::initializer_list<const char*> nc_names, const char* values, const char* variable_option) {
  const auto fmt_ = io::detect_mask_format(file);
  if (fmt_ == io::MaskFormat::GeoTiff) return io::read_mask_gdal(file, rows, cols);
  if (fmt_ == io::MaskFormat::Unknown)
    throw input_error(fmt::format("the {} is neither GeoTIFF, NetCDF nor HDF5 (by its first bytes); give a GeoTIFF, "
                                  "a NetCDF classic / NetCDF-4 or an HDF5 file with an integer {}",
                                  what, *h5_names.begin()),
                      ErrorContext{file.string()});
  if (auto m = io::read_mask_netcdf(file, rows, cols, variable, nc_names, values, variable_option))
    return std::move(*m);
  if (fmt_ == io::MaskFormat::NetcdfClassic)
    throw input_error("libnetcdf cannot open this NetCDF classic file; check that it is complete",
                      ErrorContext{file.string()});
  // A plain HDF5 file that libnetcdf does not read: the first of h5_names (or the variable given).
  H5File mk(file);
  std::string ds;
  if (!variable.empty()) {
    ds = variable[0] == '/' ? variable : "/" + variable;
  } else {
    for (const char* cand : h5_names)
      if (mk.has(cand)) {
        ds = cand;
        break;
      }
  }
  if (ds.empty())
    throw input_error(fmt::format("no {} dataset: expected an integer variable {} (or {}) on the emissions grid",
                                  what, join(h5_names), variable_option),
                      ErrorContext{file.string()});
  std::vector<int> m;
  size_t mr = rows, mc = cols;
  mk.read2d(ds, m, mr, mc, H5T_NATIVE_INT, values, true);
  return m;
}
std::vector<int> read_country_mask(const FireOptions& opt, size_t rows, size_t cols) {
  return read_mask(opt.mask, opt.mask_variable, rows, cols, "country mask",
                   {"/mask", "/country", "/countries", "/country_code"}, {"mask", "country", "countries", "country_code"},
                   "country codes", "--mask-variable");
}
// The managed-land mask: the same readers; their messages speak of a country mask, so they are prefixed here
// (the file stays in the error's context). Values must be 0 or 1 (nodata already 0).
std::vector<int> read_managed_mask(const FireOptions& opt, size_t rows, size_t cols) {
  std::vector<int> m;
  try {
    m = read_mask(opt.managed_mask, opt.managed_mask_variable, rows, cols, "managed-land mask", {"/managed", "/mask"},
                  {"managed", "mask"}, "managed-land flags 1 / 0", "--managed-mask-variable");
  } catch (const Error& e) {
    if (e.message().rfind("the managed-land mask", 0) == 0 || e.message().rfind("no managed-land mask", 0) == 0)
      throw;
    throw Error(e.category(), "managed-land mask (--managed-mask): " + e.message(),
                e.context().file.empty() ? ErrorContext{opt.managed_mask.string(), e.context().line,
                                                        e.context().column, e.context().field}
                                         : e.context());
  }
  for (size_t i = 0; i < m.size(); ++i)
    if (m[i] != 0 && m[i] != 1)
      throw input_error(fmt::format("managed-land mask value {} at row {}, column {} is neither 1 (managed land) nor "
                                    "0 (unmanaged; nodata also counts as unmanaged); fractions of managed land are "
                                    "not supported",
                                    m[i], i / cols, i % cols),
                        ErrorContext{opt.managed_mask.string(), 0, 0, "managed"});
  return m;
}
}  // namespace

namespace {
// Whole-grid buffers (a 0.25 deg layer is 4-8 MB) on 2 MB-aligned memory advised for transparent huge pages:
// first touching 40 MB in 4 KiB pages costs ~10,000 page faults, about a third of a year's run on a VM.
template <class T>
struct GridAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;
  GridAllocator() = default;
  template <class U>
  GridAllocator(const GridAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    const size_t bytes = (n * sizeof(T) + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, bytes);
    if (!p) throw std::bad_alloc();
    madvise(p, bytes, MADV_HUGEPAGE);  // advice only: without THP the pages are ordinary
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const GridAllocator<U>&) const noexcept { return true; }
};
template <class T>
using GridVector = std::vector<T, GridAllocator<T>>;
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

  if (!std::isfinite(opt.dm_uncertainty_pct) || opt.dm_uncertainty_pct < 0)
    throw input_error(fmt::format("--dm-uncertainty {} must be a percentage >= 0 (95 % half-width of dry matter "
                                  "burned)",
                                  opt.dm_uncertainty_pct),
                      ErrorContext{"", 0, 0, "dm-uncertainty"});
  // The two layouts (HDF5 as distributed, or NetCDF: docs/natural-fires.md) behind the same reads.
  std::unique_ptr<io::GfedNetcdf> nc;
  std::unique_ptr<H5File> h5;
  if (io::detect_mask_format(file) == io::MaskFormat::NetcdfClassic) {
    nc = io::GfedNetcdf::open(file, kGfedFireTypes);
    if (!nc)
      throw input_error("libnetcdf cannot read this NetCDF file as the GFED layout (variable DM missing, or the file "
                        "is incomplete); see docs/natural-fires.md for the layout",
                        ErrorContext{file.string(), 0, 0, "DM"});
  } else {
    h5 = std::make_unique<H5File>(file);
    if (!h5->has("/ancill") && !h5->has("/emissions")) {
      nc = io::GfedNetcdf::open(file, kGfedFireTypes);  // NetCDF-4 is HDF5: the NetCDF layout has variables, not these groups
      if (!nc)
        throw input_error("the file has neither the GFED4.1s HDF5 layout (groups /emissions and /ancill) nor the GFED "
                          "NetCDF layout (variables DM, DM_SAVA ... DM_AGRI, grid_cell_area, basis_regions); see "
                          "docs/natural-fires.md",
                          ErrorContext{file.string(), 0, 0, "/emissions"});
      h5.reset();
    }
  }
  GridVector<double> area;
  GridVector<int> region;
  size_t rows = 0, cols = 0;
  if (nc) {
    rows = nc->rows();
    cols = nc->cols();
    area.resize(rows * cols);
    nc->area(area.data());
  } else {
    h5->read2d("/ancill/grid_cell_area", area, rows, cols, H5T_NATIVE_DOUBLE, "grid cell area, m2");
  }
  const size_t n = rows * cols;
  // Regions: GFED basis regions, or the mask's codes.
  GridVector<int> slot;  // region slot per cell (-1 = none)
  slot.resize(n);
  if (opt.mask.empty()) {
    if (nc) {
      region.resize(n);
      nc->regions(region.data());
    } else {
      h5->read2d("/ancill/basis_regions", region, rows, cols, H5T_NATIVE_INT, "GFED basis regions 1..14, 0 = none");
    }
    for (auto r : kGfedBasisRegions) res.regions.emplace_back(r);
    for (size_t i = 0; i < n; ++i) {
      const int r = region[i];
      if (r < 0 || r > 14)
        throw input_error(fmt::format("basis region code {} at row {}, column {} is outside 0..14", r, i / cols, i % cols),
                          ErrorContext{file.string(), 0, 0, nc ? "basis_regions" : "/ancill/basis_regions"});
      slot[i] = r == 0 ? 14 : r - 1;
    }
    res.regions.emplace_back("none");  // cells outside every basis region (code 0)
  } else {
    const std::vector<int> m = read_country_mask(opt, rows, cols);
    const auto names = io::load_mask_names(opt.mask_names);
    // Regions by name: codes that share a name (--mask-names) are summed together; "none" last.
    std::map<int, int> codes;
    for (int c : m) codes[c] = 0;
    std::map<std::string, int> by_name;
    bool none = false;
    for (auto& [c, s] : codes) {
      const std::string name = io::mask_region_name(c, names);
      if (name == "none") {
        none = true;
        continue;
      }
      auto [it, added] = by_name.emplace(name, static_cast<int>(res.regions.size()));
      if (added) res.regions.push_back(name);
      s = it->second;
    }
    const int none_slot = static_cast<int>(res.regions.size());
    if (none) res.regions.emplace_back("none");
    for (auto& [c, s] : codes)
      if (c <= 0) s = none_slot;
    for (size_t i = 0; i < n; ++i) slot[i] = codes[m[i]];
  }
  const size_t nr = res.regions.size(), ns = sidx.size(), nm = res.months.size();
  res.rows = rows;
  res.cols = cols;
  res.dm_kg.assign(nm * nr * 6, 0.0);
  // Managed-land mask: the accumulator slot of a cell becomes region * 2 + managed, so the hot loop below is
  // the same (one precomputed index per cell, no branch); the parts are summed into dm_kg afterwards.
  const size_t parts = opt.managed_mask.empty() ? 1 : 2;
  if (parts == 2) {
    const std::vector<int> mm = read_managed_mask(opt, rows, cols);
    for (size_t i = 0; i < n; ++i) slot[i] = slot[i] * 2 + mm[i];
    res.managed_split = true;
    res.dm_part_kg.assign(nm * nr * 2 * 6, 0.0);
  }
  std::vector<double>& dm_acc = parts == 2 ? res.dm_part_kg : res.dm_kg;
  // A month's seven layers: float32 layers as float (half the memory and bandwidth), float64 layers as double
  // (never narrowed: a float64 grid gives the sums of its own values). A month with any float64 layer reads
  // all seven as double (widening float32 to double is exact).
  std::array<GridVector<float>, 7> lf;
  std::array<GridVector<double>, 7> ld;
  const auto layer_name = [&](int month, size_t k) {
    if (nc) return nc->name(k);
    const std::string g = fmt::format("/emissions/{:02d}", month);
    return k == 0 ? g + "/DM" : fmt::format("{}/partitioning/DM_{}", g, kGfedFireTypes[k - 1]);
  };
  const auto read_layers = [&](int month, auto& L, hid_t type) {
    for (size_t k = 0; k < 7; ++k) {
      if (nc) {
        L[k].resize(n);
        nc->layer(month, k, L[k].data());
      } else {
        h5->read2d(layer_name(month, k), L[k], rows, cols, type,
                   k == 0 ? "dry matter burned, kg DM m-2 month-1" : "fraction of DM by fire type");
      }
    }
  };
  const auto month_sums = [&](size_t mi, const auto& L) {
    const std::string g = nc ? std::string("DM") : fmt::format("/emissions/{:02d}", res.months[mi]);
    const auto* dm = L[0].data();
    const auto *fr0 = L[1].data(), *fr1 = L[2].data(), *fr2 = L[3].data(), *fr3 = L[4].data(), *fr4 = L[5].data(),
               *fr5 = L[6].data();
    double* acc = &dm_acc[mi * nr * parts * 6];
    for (size_t i = 0; i < n; ++i) {
      const double d = dm[i];
      if (d == 0) continue;
      if (!(d > 0) || !std::isfinite(d))
        throw input_error(fmt::format("dry matter {} at row {}, column {} is not a non-negative number", d, i / cols,
                                      i % cols),
                          ErrorContext{file.string(), 0, 0, layer_name(res.months[mi], 0)});
      const double w = d * area[i];
      const double f0 = fr0[i], f1 = fr1[i], f2 = fr2[i], f3 = fr3[i], f4 = fr4[i], f5 = fr5[i];
      const double sum = f0 + f1 + f2 + f3 + f4 + f5;
      if (!(std::abs(sum - 1.0) <= opt.partition_tolerance) || f0 < 0 || f1 < 0 || f2 < 0 || f3 < 0 || f4 < 0 ||
          f5 < 0)
        throw input_error(fmt::format("the six fractions {}{} sum to {} at row {}, column {} where DM > 0; they must "
                                      "be >= 0 and sum to 1 (tolerance {})",
                                      g, nc ? "_SAVA ... DM_AGRI" : "/partitioning/DM_*", sum, i / cols, i % cols,
                                      opt.partition_tolerance),
                          ErrorContext{file.string(), 0, 0, nc ? "DM_*" : g + "/partitioning"});
      double* a = acc + static_cast<size_t>(slot[i]) * 6;
      a[0] += w * f0;
      a[1] += w * f1;
      a[2] += w * f2;
      a[3] += w * f3;
      a[4] += w * f4;
      a[5] += w * f5;
    }
  };
  for (size_t mi = 0; mi < nm; ++mi) {
    const int month = res.months[mi];
    bool wide = false;
    if (nc) {
      wide = nc->wide(month);
    } else {
      for (size_t k = 0; k < 7 && !wide; ++k) wide = h5->wide_float(layer_name(month, k));
    }
    if (wide) {
      read_layers(month, ld, H5T_NATIVE_DOUBLE);
      month_sums(mi, ld);
    } else {
      read_layers(month, lf, H5T_NATIVE_FLOAT);
      month_sums(mi, lf);
    }
  }
  if (parts == 2)
    for (size_t j = 0; j < nm * nr; ++j)
      for (size_t t = 0; t < 6; ++t) res.dm_kg[j * 6 + t] = res.dm_part_kg[(j * 2) * 6 + t] + res.dm_part_kg[(j * 2 + 1) * 6 + t];
  for (int si : sidx) {
    res.ef_g_per_kg.push_back(ef.g_per_kg[static_cast<size_t>(si)]);
    res.ef_relative_sd.push_back(gfed_ef_relative_sd(ef.species[static_cast<size_t>(si)]));
  }
  res.dm_relative_sd = opt.dm_uncertainty_pct / 100.0 / 1.96;
  // g/kg x kg = g; 1e-6 t per g.
  res.emission_t.assign(nm * nr * ns, 0.0);
  for (size_t mi = 0; mi < nm; ++mi)
    for (size_t r = 0; r < nr; ++r)
      for (size_t s = 0; s < ns; ++s) {
        double e = 0;
        for (size_t t = 0; t < 6; ++t) e += res.dm_kg[(mi * nr + r) * 6 + t] * ef.g_per_kg[sidx[s]][t];
        res.emission_t[(mi * nr + r) * ns + s] = e * 1e-6;
      }
  if (parts == 2) {
    res.emission_part_t.assign(nm * nr * 2 * ns, 0.0);
    for (size_t j = 0; j < nm * nr * 2; ++j)
      for (size_t s = 0; s < ns; ++s) {
        double e = 0;
        for (size_t t = 0; t < 6; ++t) e += res.dm_part_kg[j * 6 + t] * ef.g_per_kg[sidx[s]][t];
        res.emission_part_t[j * ns + s] = e * 1e-6;
      }
  }
  return res;
}

// ---------------------------------------------------------------- IPCC Tier 1
std::vector<std::string> tier1_vegetation_types() {
  std::vector<std::string> v;
  for (const auto& [k, _] : tier1_tables().fuel) v.push_back(k);
  return v;
}

std::string tier1_ef_category(const std::string& vegetation) {
  const auto& fuel = tier1_tables().fuel;
  const auto it = fuel.find(vegetation);
  return it == fuel.end() ? std::string() : it->second.category;
}

std::vector<std::string> tier1_species(const std::vector<std::string>& species_in) {
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
  return species;
}

std::vector<Tier1Row> fire_tier1_row(const std::string& vegetation, double area, double mb_cf,
                                     const std::vector<std::string>& species, double area_rel_sd) {
  const auto& tb = tier1_tables();
  const auto it = tb.fuel.find(vegetation);
  if (it == tb.fuel.end())
    throw Error(ErrorCategory::NotFound,
                fmt::format("unknown vegetation type '{}'; data/ipcc2006_fire.csv (Table 2.4) has {}", vegetation,
                            join(tier1_vegetation_types())),
                ErrorContext{"", 0, 0, "vegetation"});
  const bool own_fuel = !std::isnan(mb_cf);
  const double fuel = own_fuel ? mb_cf : it->second.value;
  const double fuel_sd = own_fuel ? kNaN : it->second.sd;
  std::vector<Tier1Row> out;
  for (const auto& s : species) {
    auto g = tb.gef.find({it->second.category, s});
    if (g == tb.gef.end()) continue;
    Tier1Row row;
    row.vegetation = vegetation;
    row.ef_category = it->second.category;
    row.species = s;
    row.area_ha = area;
    row.fuel_t_per_ha = fuel;
    row.g_per_kg = g->second.first;
    row.emission_t = area * fuel * row.g_per_kg * 1e-3;  // Eq 2.27
    row.area_rel_sd = area_rel_sd;
    row.fuel_sd = fuel_sd;
    row.gef_sd = g->second.second;
    // Eq 3.1 for a product: relative variances add.
    double var = area_rel_sd * area_rel_sd;
    bool spread = area_rel_sd > 0;
    std::vector<std::string> missing;
    if (std::isfinite(fuel_sd) && fuel > 0) {
      var += (fuel_sd / fuel) * (fuel_sd / fuel);
      spread = true;
    } else {
      missing.emplace_back(own_fuel ? "M_B*C_f (from the input; no SD)" : "M_B*C_f (no SD in Table 2.4)");
    }
    if (std::isfinite(row.gef_sd) && row.g_per_kg > 0) {
      var += (row.gef_sd / row.g_per_kg) * (row.gef_sd / row.g_per_kg);
      spread = true;
    } else {
      missing.emplace_back("G_ef (no SD in Table 2.5)");
    }
    row.range = range_95(row.emission_t, spread ? row.emission_t * std::sqrt(var) : kNaN);
    if (!missing.empty()) row.uncertainty_note = (spread ? "range excludes " : "no range: ") + join(missing);
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<Tier1Row> compute_fire_tier1(const std::filesystem::path& file, const std::vector<std::string>& species_in,
                                         double area_uncertainty_pct) {
  if (!std::isfinite(area_uncertainty_pct) || area_uncertainty_pct < 0)
    throw input_error(fmt::format("--area-uncertainty {} must be a percentage >= 0 (95 % half-width of the area "
                                  "burned)",
                                  area_uncertainty_pct),
                      ErrorContext{"", 0, 0, "area-uncertainty"});
  const auto species = tier1_species(species_in);
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
  const double r_area = area_uncertainty_pct / 100.0 / 1.96;
  std::vector<Tier1Row> out;
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 2) throw input_error("expected vegetation,area_ha[,mb_cf_t_per_ha]", r.context(1));
    const std::string veg = io::to_lower(io::trim(f[0]));
    if (tier1_ef_category(veg).empty())
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown vegetation type '{}'; data/ipcc2006_fire.csv (Table 2.4) has {}", clip_input(veg),
                              join(tier1_vegetation_types())),
                  r.context(1, "vegetation"));
    double area = 0, fuel = kNaN;
    if (!io::parse_double(f[1], area) || !std::isfinite(area) || area < 0)
      throw input_error(fmt::format("area_ha '{}' is not a non-negative number (hectares burned)", clip_input(f[1])),
                        r.context(2, "area_ha"));
    if (f.size() > 2 && !io::trim(f[2]).empty() &&
        (!io::parse_double(f[2], fuel) || !std::isfinite(fuel) || fuel < 0))
      throw input_error(fmt::format("mb_cf_t_per_ha '{}' is not a non-negative number (t dry matter per ha)", clip_input(f[2])),
                        r.context(3, "mb_cf_t_per_ha"));
    for (auto& row : fire_tier1_row(veg, area, fuel, species, r_area)) out.push_back(std::move(row));
  }
  return out;
}

std::vector<Tier1Total> tier1_totals(const std::vector<Tier1Row>& rows) {
  std::vector<Tier1Total> out;
  std::vector<std::string> order;
  for (const auto& x : rows)
    if (std::find(order.begin(), order.end(), x.species) == order.end()) order.push_back(x.species);
  for (const auto& sp : order) {
    Tier1Total t;
    t.species = sp;
    double var = 0;
    bool spread = false;
    std::map<std::string, double> by_veg, by_cat;  // correlated sums E_i r
    std::set<std::string> missing;
    for (const auto& x : rows) {
      if (x.species != sp) continue;
      t.emission_t += x.emission_t;
      var += (x.emission_t * x.area_rel_sd) * (x.emission_t * x.area_rel_sd);
      if (x.area_rel_sd > 0) spread = true;
      if (std::isfinite(x.fuel_sd) && x.fuel_t_per_ha > 0) {
        by_veg[x.vegetation] += x.emission_t * x.fuel_sd / x.fuel_t_per_ha;
        spread = true;
      } else {
        missing.insert("M_B*C_f of " + x.vegetation);
      }
      if (std::isfinite(x.gef_sd) && x.g_per_kg > 0) {
        by_cat[x.ef_category] += x.emission_t * x.gef_sd / x.g_per_kg;
        spread = true;
      } else {
        missing.insert("G_ef of " + x.ef_category);
      }
    }
    for (const auto& [_, v] : by_veg) var += v * v;
    for (const auto& [_, v] : by_cat) var += v * v;
    t.range = range_95(t.emission_t, spread ? std::sqrt(var) : kNaN);
    if (!missing.empty()) t.uncertainty_note = (spread ? "range excludes " : "no range: ") + join(missing);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace panocarbon::natural
