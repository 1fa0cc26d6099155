// Country mask readers for `natural fire --mask`: GeoTIFF through GDAL's C API, NetCDF classic / NetCDF-4
// through libnetcdf; region names from ISO 3166-1 (data/iso3166.csv) or the user's CSV. See country_mask.hpp.
#include "io/country_mask.hpp"
#include "io/netcdf_util.hpp"

#include <cpl_error.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <gdal.h>
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/embedded.hpp"
#include "core/csv.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::io {
namespace {
Error mask_error(const std::filesystem::path& f, std::string msg, std::string field = {}) {
  return Error(ErrorCategory::InvalidInput, std::move(msg), ErrorContext{f.string(), 0, 0, std::move(field)});
}
bool near(double a, double b, double tol) { return std::abs(a - b) <= tol; }
std::string grid_text(size_t rows, size_t cols) {
  return fmt::format("{} x {} (rows = latitude from {}N, columns = longitude from {}E{})", rows, cols,
                     90.0 - 90.0 / static_cast<double>(rows), -180.0 + 180.0 / static_cast<double>(cols),
                     rows == 720 && cols == 1440 ? ", the 0.25 deg GFED4.1s grid" : "");
}
}  // namespace

MaskFormat detect_mask_format(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw Error(ErrorCategory::Io, "cannot read the mask file; check the --mask or --managed-mask path",
                ErrorContext{file.string()});
  unsigned char b[8] = {};
  in.read(reinterpret_cast<char*>(b), 8);
  const auto n = in.gcount();
  if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0) ||
                 (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43))))
    return MaskFormat::GeoTiff;
  if (n >= 4 && b[0] == 'C' && b[1] == 'D' && b[2] == 'F' && (b[3] == 1 || b[3] == 2 || b[3] == 5))
    return MaskFormat::NetcdfClassic;
  if (n >= 8 && b[0] == 0x89 && b[1] == 'H' && b[2] == 'D' && b[3] == 'F' && b[4] == '\r' && b[5] == '\n' &&
      b[6] == 0x1a && b[7] == '\n')
    return MaskFormat::Hdf5;
  return MaskFormat::Unknown;
}

// ---------------------------------------------------------------- GeoTIFF (GDAL)
#ifndef PANOCARBON_GDAL_LIBRARY
#define PANOCARBON_GDAL_LIBRARY "libgdal.so"
#endif
void* gdal_symbol(const char* name) {
  struct Lib {
    void* handle = nullptr;
    std::string error;
  };
  static const Lib lib = [] {
    Lib l;
    l.handle = dlopen(PANOCARBON_GDAL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!l.handle) {
      const char* e = dlerror();
      l.error = e ? e : "unknown error";
    }
    return l;
  }();
  if (!lib.handle)
    throw Error(ErrorCategory::Io,
                fmt::format("GeoTIFF masks are read with GDAL, which could not be loaded ({}); install it "
                            "(scripts/install-deps.sh installs libgdal-dev) or give the mask as NetCDF",
                            lib.error),
                ErrorContext{PANOCARBON_GDAL_LIBRARY});
  void* f = dlsym(lib.handle, name);
  if (!f)
    throw Error(ErrorCategory::Io, fmt::format("GDAL has no function {}; this GDAL is too old (3.x is needed)", name),
                ErrorContext{PANOCARBON_GDAL_LIBRARY});
  return f;
}

std::vector<int> read_mask_gdal(const std::filesystem::path& file, size_t rows, size_t cols) {
  static std::once_flag once;
  std::call_once(once, [] { PANOCARBON_GDAL(GDALAllRegister)(); });
  PANOCARBON_GDAL(CPLPushErrorHandler)(PANOCARBON_GDAL(CPLQuietErrorHandler));
  struct Pop {
    ~Pop() { PANOCARBON_GDAL(CPLPopErrorHandler)(); }
  } pop;
  GDALDatasetH ds = PANOCARBON_GDAL(GDALOpen)(file.string().c_str(), GA_ReadOnly);
  if (!ds)
    throw mask_error(file, fmt::format("GDAL cannot open the mask raster ({})", PANOCARBON_GDAL(CPLGetLastErrorMsg)()));
  struct Close {
    GDALDatasetH d;
    ~Close() { PANOCARBON_GDAL(GDALClose)(d); }
  } close{ds};
  const int nx = PANOCARBON_GDAL(GDALGetRasterXSize)(ds), ny = PANOCARBON_GDAL(GDALGetRasterYSize)(ds);
  if (PANOCARBON_GDAL(GDALGetRasterCount)(ds) < 1) throw mask_error(file, "the mask raster has no band");
  if (static_cast<size_t>(ny) != rows || static_cast<size_t>(nx) != cols)
    throw mask_error(file,
                     fmt::format("the mask raster is {} rows x {} columns but the emissions grid is {}; "
                                 "resample the mask to that grid (e.g. gdalwarp -te -180 -90 180 90 -ts {} {})",
                                 ny, nx, grid_text(rows, cols), cols, rows),
                     "shape");
  GDALRasterBandH band = PANOCARBON_GDAL(GDALGetRasterBand)(ds, 1);
  const GDALDataType type = PANOCARBON_GDAL(GDALGetRasterDataType)(band);
  if (!PANOCARBON_GDAL(GDALDataTypeIsInteger)(type) || PANOCARBON_GDAL(GDALDataTypeIsComplex)(type))
    throw mask_error(
        file,
        fmt::format("the mask band has type {}, not an integer type; mask values (country codes, managed 0/1) must be "
                    "integers (gdal_translate -ot Int16 or Int32)",
                    PANOCARBON_GDAL(GDALGetDataTypeName)(type)),
        "type");
  double gt[6];
  if (PANOCARBON_GDAL(GDALGetGeoTransform)(ds, gt) != CE_None)
    throw mask_error(file,
                     "the mask has no geotransform; georeference it on the emissions grid (origin "
                     "-180, 90; pixel 360/columns x 180/rows degrees)",
                     "geotransform");
  const double dx = 360.0 / static_cast<double>(cols), dy = 180.0 / static_cast<double>(rows);
  const double tx = 1e-3 * dx, ty = 1e-3 * dy;
  const bool north_up = near(gt[3], 90, ty) && near(gt[5], -dy, 1e-6 * dy);
  const bool south_up = near(gt[3], -90, ty) && near(gt[5], dy, 1e-6 * dy);
  if (!near(gt[0], -180, tx) || !near(gt[1], dx, 1e-6 * dx) || gt[2] != 0 || gt[4] != 0 || !(north_up || south_up))
    throw mask_error(file,
                     fmt::format("the mask's geotransform (origin {}, {}; pixel {} x {}; rotation {}, {}) "
                                 "is not the emissions grid (origin -180, 90; pixel {} x {} degrees, north up)",
                                 gt[0], gt[3], gt[1], gt[5], gt[2], gt[4], dx, -dy),
                     "geotransform");
  std::vector<int> out(rows * cols);
  if (PANOCARBON_GDAL(GDALRasterIO)(band, GF_Read, 0, 0, nx, ny, out.data(), nx, ny, GDT_Int32, 0, 0) != CE_None)
    throw Error(ErrorCategory::Io, fmt::format("reading the mask failed ({})", PANOCARBON_GDAL(CPLGetLastErrorMsg)()),
                ErrorContext{file.string()});
  int has_nodata = 0;
  const double nodata = PANOCARBON_GDAL(GDALGetRasterNoDataValue)(band, &has_nodata);
  if (has_nodata)
    for (auto& v : out)
      if (static_cast<double>(v) == nodata) v = 0;
  if (south_up)
    for (size_t r = 0; r < rows / 2; ++r)
      std::swap_ranges(out.begin() + static_cast<std::ptrdiff_t>(r * cols),
                       out.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols),
                       out.begin() + static_cast<std::ptrdiff_t>((rows - 1 - r) * cols));
  return out;
}

// ---------------------------------------------------------------- NetCDF

std::optional<std::vector<int>> read_mask_netcdf(const std::filesystem::path& file, size_t rows, size_t cols,
                                                 const std::string& variable, std::initializer_list<const char*> names,
                                                 const char* what, const char* variable_option) {
  Nc nc;
  if (nc_open(file.string().c_str(), NC_NOWRITE, &nc.id) != NC_NOERR) {
    nc.id = -1;
    return std::nullopt;
  }
  int nvars = 0;
  nc_inq_nvars(nc.id, &nvars);
  auto describe = [&] {
    std::string s;
    for (int v = 0; v < nvars; ++v) {
      char name[NC_MAX_NAME + 1] = {};
      nc_type t{};
      nc_inq_varname(nc.id, v, name);
      nc_inq_vartype(nc.id, v, &t);
      const auto sh = nc_shape(nc.id, v);
      s += fmt::format("{}{} ({}, {}-D)", s.empty() ? "" : ", ", name, nc_type_name(t), sh.size());
    }
    return s.empty() ? std::string("none") : s;
  };
  int var = -1;
  if (!variable.empty()) {
    if (nc_inq_varid(nc.id, variable.c_str(), &var) != NC_NOERR)
      throw mask_error(
          file,
          fmt::format("the mask has no variable '{}' ({}); its variables: {}", variable, variable_option, describe()),
          variable);
  } else {
    for (const char* cand : names)
      if (nc_inq_varid(nc.id, cand, &var) == NC_NOERR) break;
    if (var < 0)
      for (int v = 0; v < nvars && var < 0; ++v) {
        nc_type t{};
        nc_inq_vartype(nc.id, v, &t);
        if (nc_integer(t) && nc_shape(nc.id, v).size() == 2) var = v;
      }
    if (var < 0)
      throw mask_error(file, fmt::format("no 2-D integer variable for the {}; its variables: {}. Write them as "
                                         "integers or name the variable with {}",
                                         what, describe(), variable_option));
  }
  char vname[NC_MAX_NAME + 1] = {};
  nc_inq_varname(nc.id, var, vname);
  nc_type type{};
  nc_inq_vartype(nc.id, var, &type);
  if (!nc_integer(type))
    throw mask_error(
        file,
        fmt::format("variable '{}' is {}, not an integer type; {} must be integers", vname, nc_type_name(type), what),
        vname);
  std::vector<int> dimids;
  const auto shape = nc_shape(nc.id, var, &dimids);
  if (shape.size() != 2)
    throw mask_error(
        file, fmt::format("variable '{}' has {} dimensions; expected 2 (latitude x longitude)", vname, shape.size()),
        vname);
  if (shape[0] != rows || shape[1] != cols)
    throw mask_error(file,
                     fmt::format("variable '{}' is {} x {} but the emissions grid is {}{}", vname, shape[0], shape[1],
                                 grid_text(rows, cols),
                                 shape[0] == cols && shape[1] == rows ? "; it looks transposed (lon x lat)" : ""),
                     vname);
  // Coordinates, when present: centres of the emissions grid; latitude ascending -> flip.
  bool flip = false;
  const double dy = 180.0 / static_cast<double>(rows), dx = 360.0 / static_cast<double>(cols);
  std::string lat_name, lon_name;
  const auto lat = nc_coordinate(nc.id, dimids[0], lat_name);
  if (!lat.empty()) {
    flip = lat.size() > 1 && lat[1] > lat[0];
    for (size_t i = 0; i < lat.size(); ++i) {
      const size_t k = flip ? rows - 1 - i : i;
      const double expect = 90.0 - dy / 2 - dy * static_cast<double>(k);
      if (!near(lat[i], expect, 1e-3 * dy))
        throw mask_error(file,
                         fmt::format("latitude '{}'[{}] = {} but the emissions grid has {} there ({} deg cells "
                                     "from 90N to 90S or from 90S to 90N)",
                                     lat_name, i, lat[i], expect, dy),
                         lat_name);
    }
  }
  const auto lon = nc_coordinate(nc.id, dimids[1], lon_name);
  for (size_t i = 0; i < lon.size(); ++i) {
    const double expect = -180.0 + dx / 2 + dx * static_cast<double>(i);
    if (!near(lon[i], expect, 1e-3 * dx))
      throw mask_error(file,
                       fmt::format("longitude '{}'[{}] = {} but the emissions grid has {} there (cells from "
                                   "180W eastwards{})",
                                   lon_name, i, lon[i], expect,
                                   near(lon[0], dx / 2, 1e-3 * dx) ? "; this file runs 0..360: roll it by half" : ""),
                       lon_name);
  }
  std::vector<int> out(rows * cols);
  if (const int st = nc_get_var_int(nc.id, var, out.data()); st != NC_NOERR)
    throw Error(ErrorCategory::Io, fmt::format("reading variable '{}' failed: {}", vname, nc_strerror(st)),
                ErrorContext{file.string(), 0, 0, vname});
  // CF: missing_value may hold several values (and a file may give _FillValue several): every one is nodata.
  // nc_get_att_longlong writes all of them, so the buffer is sized by the attribute's length.
  for (const char* att : {"_FillValue", "missing_value"}) {
    size_t n = 0;
    if (nc_inq_attlen(nc.id, var, att, &n) != NC_NOERR || n == 0) continue;
    std::vector<long long> fill(n);
    if (nc_get_att_longlong(nc.id, var, att, fill.data()) != NC_NOERR) continue;
    for (auto& v : out)
      if (std::find(fill.begin(), fill.end(), static_cast<long long>(v)) != fill.end()) v = 0;
  }
  if (flip)
    for (size_t r = 0; r < rows / 2; ++r)
      std::swap_ranges(out.begin() + static_cast<std::ptrdiff_t>(r * cols),
                       out.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols),
                       out.begin() + static_cast<std::ptrdiff_t>((rows - 1 - r) * cols));
  return out;
}

std::map<int, std::string> load_mask_names(const std::filesystem::path& names_csv) {
  std::map<int, std::string> names;
  std::string text, source;
  if (names_csv.empty()) {
    text = std::string(panocarbon::detail::embedded_file("iso3166.csv"));
    source = "<embedded>/iso3166.csv";
  } else {
    std::ifstream in(names_csv, std::ios::binary);
    if (!in)
      throw Error(ErrorCategory::Io, "cannot read the mask names file (--mask-names, CSV code,name)",
                  ErrorContext{names_csv.string()});
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    source = names_csv.string();
  }
  io::CsvReader r(text, source);
  bool first = true;
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() == 1 && io::trim(f[0]).empty()) continue;
    const std::string code_text(io::trim(f[0]));
    double code = 0;
    const bool numeric = io::parse_double(code_text, code);
    if (first && !numeric) {  // a header line
      first = false;
      continue;
    }
    first = false;
    if (!numeric || code != std::floor(code) || std::abs(code) > 2e9)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("code '{}' is not an integer; expected lines code,name (e.g. 76,BRA)", code_text),
                  r.context(1, "code"));
    if (f.size() < 2 || io::trim(f[1]).empty())
      throw Error(ErrorCategory::InvalidInput, fmt::format("code {} has no name; expected lines code,name", code_text),
                  r.context(2, "name"));
    const int c = static_cast<int>(code);
    const std::string name(io::trim(f[1]));  // ISO file: numeric,alpha3,name -> alpha-3
    if (!names.emplace(c, name).second)
      throw Error(ErrorCategory::InvalidInput, fmt::format("code {} appears twice; keep one name per code", c),
                  r.context(1, "code"));
  }
  return names;
}

std::string mask_region_name(int code, const std::map<int, std::string>& names) {
  if (code <= 0) return "none";
  const auto it = names.find(code);
  return it == names.end() ? std::to_string(code) : it->second;
}

}  // namespace panocarbon::io
