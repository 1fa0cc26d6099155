#include "io/gfed_netcdf.hpp"

#include <fmt/format.h>
#include <netcdf.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "io/netcdf_util.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::io {

struct GfedNetcdf::Impl {
  std::filesystem::path file;
  Nc nc;
  size_t rows = 0, cols = 0, months = 0;
  bool flip = false;
  int area = -1, regions = -1;
  int vars[7] = {-1, -1, -1, -1, -1, -1, -1};  // DM, DM_SAVA ... DM_AGRI
  std::string names[7];

  Error error(std::string msg, const std::string& field) const {
    return Error(ErrorCategory::InvalidInput, std::move(msg), ErrorContext{file.string(), 0, 0, field});
  }
  int find(std::initializer_list<const char*> cands) const {
    int v = -1;
    for (const char* c : cands)
      if (nc_inq_varid(nc.id, c, &v) == NC_NOERR) return v;
    return -1;
  }
  std::string dim_name(int var, int i) const {
    int dims[NC_MAX_VAR_DIMS] = {};
    nc_inq_vardimid(nc.id, var, dims);
    char buf[NC_MAX_NAME + 1] = {};
    nc_inq_dimname(nc.id, dims[i], buf);
    return buf;
  }
  // A numeric variable of `nd` dimensions whose last two are the grid (rows x cols).
  void check(int var, const std::string& name, int nd, const char* what) const {
    nc_type t{};
    nc_inq_vartype(nc.id, var, &t);
    if (t == NC_CHAR || t == NC_STRING || t > NC_STRING)
      throw error(fmt::format("variable {} is {}, not numeric ({})", name, nc_type_name(t), what), name);
    int n = 0;
    nc_inq_varndims(nc.id, var, &n);
    if (n != nd)
      throw error(fmt::format("variable {} has {} dimensions; expected {} ({})", name, n,
                              nd == 3 ? "3: (time, lat, lon)" : "2: (lat, lon)", what),
                  name);
    int dims[NC_MAX_VAR_DIMS] = {};
    nc_inq_vardimid(nc.id, var, dims);
    size_t r = 0, c = 0;
    nc_inq_dimlen(nc.id, dims[nd - 2], &r);
    nc_inq_dimlen(nc.id, dims[nd - 1], &c);
    if (r != rows || c != cols)
      throw error(fmt::format("variable {} is {} x {} ({} x {}) but the grid is {} x {} (from {}); every layer must "
                              "have the same shape (0.25 deg GFED: 720 x 1440)",
                              name, r, c, dim_name(var, nd - 2), dim_name(var, nd - 1), rows, cols, names_area()),
                  name);
    if (nd == 3) {
      size_t m = 0;
      nc_inq_dimlen(nc.id, dims[0], &m);
      if (m != 12)
        throw error(fmt::format("dimension {} of variable {} has length {}; expected the 12 months of the year",
                                dim_name(var, 0), name, m),
                    dim_name(var, 0));
    }
  }
  std::string names_area() const {
    char buf[NC_MAX_NAME + 1] = {};
    nc_inq_varname(nc.id, area, buf);
    return buf;
  }
  template <class T>
  void read(int var, const std::string& name, size_t month, T* out) const {
    int nd = 0;
    nc_inq_varndims(nc.id, var, &nd);
    const size_t start[3] = {month, 0, 0}, count[3] = {1, rows, cols};
    const size_t* st = nd == 3 ? start : start + 1;
    const size_t* ct = nd == 3 ? count : count + 1;
    int rc;
    if constexpr (std::is_same_v<T, float>) rc = nc_get_vara_float(nc.id, var, st, ct, out);
    else if constexpr (std::is_same_v<T, double>) rc = nc_get_vara_double(nc.id, var, st, ct, out);
    else rc = nc_get_vara_int(nc.id, var, st, ct, out);
    if (rc != NC_NOERR)
      throw Error(rc == NC_ERANGE ? ErrorCategory::InvalidInput : ErrorCategory::Io,
                  fmt::format("reading variable {} failed: {}", name, nc_strerror(rc)),
                  ErrorContext{file.string(), 0, 0, name});
    if (flip)
      for (size_t r = 0; r < rows / 2; ++r) std::swap_ranges(out + r * cols, out + (r + 1) * cols, out + (rows - 1 - r) * cols);
  }
};

GfedNetcdf::GfedNetcdf(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GfedNetcdf::~GfedNetcdf() = default;
size_t GfedNetcdf::rows() const { return impl_->rows; }
size_t GfedNetcdf::cols() const { return impl_->cols; }
std::string GfedNetcdf::name(size_t k) const { return impl_->names[k]; }

std::unique_ptr<GfedNetcdf> GfedNetcdf::open(const std::filesystem::path& file, const FireTypes& types) {
  auto x = std::make_unique<Impl>();
  x->file = file;
  if (nc_open(file.string().c_str(), NC_NOWRITE, &x->nc.id) != NC_NOERR) {
    x->nc.id = -1;
    return nullptr;
  }
  const int dm = x->find({"DM"});
  if (dm < 0) return nullptr;
  x->area = x->find({"grid_cell_area", "GRID_CELL_AREA"});
  if (x->area < 0)
    throw x->error("variable grid_cell_area (m2 per cell, lat x lon) is missing; a GFED NetCDF file has DM(time, lat, "
                   "lon), DM_SAVA ... DM_AGRI (fractions of DM), grid_cell_area and basis_regions",
                   "grid_cell_area");
  {
    int n = 0;
    nc_inq_varndims(x->nc.id, x->area, &n);
    if (n != 2)
      throw x->error(fmt::format("variable {} has {} dimensions; expected 2: (lat, lon)", x->names_area(), n),
                     x->names_area());
    int dims[2] = {};
    nc_inq_vardimid(x->nc.id, x->area, dims);
    nc_inq_dimlen(x->nc.id, dims[0], &x->rows);
    nc_inq_dimlen(x->nc.id, dims[1], &x->cols);
    // Latitude: north first as in the HDF5 layout, or south first (flipped here).
    std::string lat_name;
    const auto lat = nc_coordinate(x->nc.id, dims[0], lat_name);
    x->flip = lat.size() > 1 && lat[1] > lat[0];
  }
  x->check(x->area, x->names_area(), 2, "grid cell area, m2");
  x->vars[0] = dm;
  x->names[0] = "DM";
  for (size_t t = 0; t < types.size(); ++t) {
    x->names[t + 1] = std::string("DM_") + types[t];
    x->vars[t + 1] = x->find({x->names[t + 1].c_str()});
    if (x->vars[t + 1] < 0)
      throw x->error(fmt::format("variable {} (fraction of DM burned as {}, time x lat x lon) is missing; a GFED "
                                 "NetCDF file has DM_SAVA DM_BORF DM_TEMF DM_DEFO DM_PEAT DM_AGRI beside DM",
                                 x->names[t + 1], types[t]),
                     x->names[t + 1]);
  }
  for (size_t k = 0; k < 7; ++k) {
    x->check(x->vars[k], x->names[k], 3, k == 0 ? "dry matter burned, kg DM m-2 month-1" : "fraction of DM by fire type");
    // Fractions, not dry matter per fire type: a unit of mass per area says the other convention.
    size_t n = 0;
    if (k > 0 && nc_inq_attlen(x->nc.id, x->vars[k], "units", &n) == NC_NOERR && n > 0 && n < 200) {
      std::string u(n, '\0');
      if (nc_get_att_text(x->nc.id, x->vars[k], "units", u.data()) == NC_NOERR && u.find("kg") != std::string::npos)
        throw x->error(fmt::format("variable {} has units '{}': dry matter per fire type, but the GFED layout "
                                   "gives the fraction of DM burned as each type (units 1 or fraction); divide it by "
                                   "DM, or give the fractions",
                                   x->names[k], u.c_str()),
                       x->names[k]);
    }
  }
  x->regions = x->find({"basis_regions", "BASIS_REGIONS"});
  if (x->regions >= 0) x->check(x->regions, "basis_regions", 2, "GFED basis regions 0..14");
  return std::unique_ptr<GfedNetcdf>(new GfedNetcdf(std::move(x)));
}

void GfedNetcdf::area(double* out) const { impl_->read(impl_->area, impl_->names_area(), 0, out); }
void GfedNetcdf::regions(int* out) const {
  if (impl_->regions < 0)
    throw impl_->error("variable basis_regions (GFED basis regions 0..14, lat x lon) is missing; give it, or regions "
                       "with --mask",
                       "basis_regions");
  nc_type t{};
  nc_inq_vartype(impl_->nc.id, impl_->regions, &t);
  if (!nc_integer(t))
    throw impl_->error(fmt::format("variable basis_regions is {}, not an integer type (codes 0..14)", nc_type_name(t)),
                       "basis_regions");
  impl_->read(impl_->regions, "basis_regions", 0, out);
}
bool GfedNetcdf::wide(int month) const {
  (void)month;
  for (int v : impl_->vars) {
    nc_type t{};
    nc_inq_vartype(impl_->nc.id, v, &t);
    if (t == NC_DOUBLE || t == NC_INT64 || t == NC_UINT64) return true;
  }
  return false;
}
void GfedNetcdf::layer(int month, size_t k, float* out) const {
  impl_->read(impl_->vars[k], impl_->names[k], static_cast<size_t>(month - 1), out);
}
void GfedNetcdf::layer(int month, size_t k, double* out) const {
  impl_->read(impl_->vars[k], impl_->names[k], static_cast<size_t>(month - 1), out);
}

// ---------------------------------------------------------------- names
}  // namespace panocarbon::io
