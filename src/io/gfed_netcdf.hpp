// Reader of GFED fire data in its NetCDF layout (the HDF5 layout: io/gfed_hdf5.hpp); docs/natural-fires.md.
#pragma once
#include <array>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace panocarbon::io {
// The GFED layout in NetCDF (NetCDF-4 or classic; docs/natural-fires.md "NetCDF layout"): dimensions time (the
// 12 months of the year), lat, lon; variables DM(time, lat, lon) in kg DM m-2 month-1, DM_SAVA ... DM_AGRI
// (time, lat, lon), the fraction of DM by fire type, grid_cell_area(lat, lon) in m2 and basis_regions(lat, lon)
// 0..14 (upper-case names GRID_CELL_AREA, BASIS_REGIONS also accepted). A lat coordinate variable that runs
// south to north is flipped to the HDF5 layout's north-first rows. Float64 variables are read as double.
// Errors name the file and the variable or dimension.
class GfedNetcdf {
 public:
  // The six fire types of the partitioning, in order (the caller's natural::kGfedFireTypes): variables DM_<TYPE>.
  using FireTypes = std::array<const char*, 6>;
  // nullptr when libnetcdf cannot open the file or it has no variable DM (then it is not this layout).
  static std::unique_ptr<GfedNetcdf> open(const std::filesystem::path& file, const FireTypes& types);
  ~GfedNetcdf();
  size_t rows() const;
  size_t cols() const;
  void area(double* out) const;                 // rows x cols, m2
  void regions(int* out) const;                 // rows x cols, 0..14 (not checked here)
  bool wide(int month) const;                   // DM or a fraction of this month is float64
  void layer(int month, size_t k, float* out) const;   // k = 0: DM; 1..6: types[k - 1]
  void layer(int month, size_t k, double* out) const;
  std::string name(size_t k) const;             // the variable of layer k, for messages

 private:
  struct Impl;
  explicit GfedNetcdf(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};
}  // namespace panocarbon::io
