// Country mask rasters for `natural fire --mask` and `--managed-mask` (internal; readers live in io;
// docs/natural-fires.md "Country masks").
// Every reader returns the codes on the emissions grid as the GFED file lays it out: rows x cols, row 0 the
// northernmost band (centre 90 - dy/2), column 0 the westernmost (centre -180 + dx/2); nodata / _FillValue -> 0.
#pragma once
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace panocarbon::io {

enum class MaskFormat { GeoTiff, NetcdfClassic, Hdf5, Unknown };
// By the first bytes: TIFF "II*\0" / "MM\0*" (and BigTIFF "II+\0" / "MM\0+"), NetCDF classic "CDF\1|\2|\5",
// HDF5 "\x89HDF\r\n\x1a\n" (NetCDF-4 is HDF5).
MaskFormat detect_mask_format(const std::filesystem::path& file);

// GDAL is loaded on first use (dlopen of PANOCARBON_GDAL_LIBRARY, its soname found at configure time), not
// linked: its ~100 libraries would add ~0.1 s to the start of every command. A symbol of GDAL's C API, or an
// Io error saying how to install GDAL. Call through PANOCARBON_GDAL(GDALOpen)(...).
void* gdal_symbol(const char* name);
#define PANOCARBON_GDAL(f) \
  reinterpret_cast<decltype(&::f)>(::panocarbon::io::gdal_symbol(#f))

// GeoTIFF (any GDAL raster): band 1, an integer type; geotransform origin (-180, 90) with pixel (360/cols,
// -180/rows), or south-up (-180, -90) with +180/rows (flipped here).
std::vector<int> read_mask_gdal(const std::filesystem::path& file, size_t rows, size_t cols);

// NetCDF classic or NetCDF-4 (libnetcdf): `variable`, else mask / country / countries / country_code, else
// the first 2-D integer variable; lat/lon coordinate variables, when present, are checked (latitude ascending
// -> flipped). Returns nullopt when libnetcdf cannot open the file (a plain HDF5 file: the caller falls back).
// `names` are the variables tried when `variable` is empty; `what` and `variable_option` word the errors (the
// managed-land mask of --managed-mask passes its own).
std::optional<std::vector<int>> read_mask_netcdf(const std::filesystem::path& file, size_t rows, size_t cols,
                                                 const std::string& variable,
                                                 std::initializer_list<const char*> names = {"mask", "country",
                                                                                             "countries",
                                                                                             "country_code"},
                                                 const char* what = "country codes",
                                                 const char* variable_option = "--mask-variable");

// Region names for mask codes: `names_csv` (code,name; header optional) or, when empty, ISO 3166-1 numeric ->
// alpha-3 from data/iso3166.csv. Codes not listed are named by their number; 0 and negatives are "none".
std::string mask_region_name(int code, const std::map<int, std::string>& names);
std::map<int, std::string> load_mask_names(const std::filesystem::path& names_csv);

}  // namespace panocarbon::io
