// The NetCDF mask reader on files the fuzzer (tests/fuzz/fuzz_country_mask.cpp) showed it must survive:
// a missing_value attribute with several values, and a 1-D variable named like a dimension but lying along
// another one. Both were read past the end of a buffer before.
#include "io/country_mask.hpp"

#include <gtest/gtest.h>
#include <netcdf.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "panocarbon/error.hpp"

namespace {
namespace fs = std::filesystem;

// A unique scratch file, removed afterwards.
struct ScratchFile {
  fs::path path;
  explicit ScratchFile(const std::string& name)
      : path(fs::temp_directory_path() / ("pc-mask-" + std::to_string(::getpid()) + "-" + name)) {}
  ~ScratchFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

// 2 x 4 grid (rows north to south), int mask "mask" over (lat, lon).
const int kCodes[8] = {4, -2, 8, -1, -1, 12, -2, 8};
}  // namespace

TEST(MaskNetcdf, EveryValueOfAVectorMissingValueIsNodata) {
  ScratchFile f("missing-vector.nc");
  int nc = -1, dlat = -1, dlon = -1, v = -1;
  ASSERT_EQ(nc_create(f.path.c_str(), NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "lat", 2, &dlat);
  nc_def_dim(nc, "lon", 4, &dlon);
  const int dims[2] = {dlat, dlon};
  nc_def_var(nc, "mask", NC_INT, 2, dims, &v);
  const int missing[3] = {-1, -2, -3};  // CF allows a vector of missing values
  ASSERT_EQ(nc_put_att_int(nc, v, "missing_value", NC_INT, 3, missing), NC_NOERR);
  nc_enddef(nc);
  nc_put_var_int(nc, v, kCodes);
  nc_close(nc);

  const auto m = panocarbon::io::read_mask_netcdf(f.path, 2, 4, "");
  ASSERT_TRUE(m.has_value());
  const std::vector<int> expect = {4, 0, 8, 0, 0, 12, 0, 8};
  EXPECT_EQ(*m, expect);
}

TEST(MaskNetcdf, AVariableNamedLikeADimensionButAlongAnotherIsNoCoordinate) {
  // "lat" names the mask's first dimension (2) and also a 1-D variable along "cell" (5 values that are no
  // latitudes): it is not the latitude coordinate, so it is neither checked nor read into 2 values.
  ScratchFile f("lat-elsewhere.nc");
  int nc = -1, dlat = -1, dlon = -1, dcell = -1, v = -1, vlat = -1;
  ASSERT_EQ(nc_create(f.path.c_str(), NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "lat", 2, &dlat);
  nc_def_dim(nc, "lon", 4, &dlon);
  nc_def_dim(nc, "cell", 5, &dcell);
  const int dims[2] = {dlat, dlon};
  nc_def_var(nc, "mask", NC_INT, 2, dims, &v);
  ASSERT_EQ(nc_def_var(nc, "lat", NC_DOUBLE, 1, &dcell, &vlat), NC_NOERR);
  nc_enddef(nc);
  nc_put_var_int(nc, v, kCodes);
  const double junk[5] = {1, 2, 3, 4, 5};
  nc_put_var_double(nc, vlat, junk);
  nc_close(nc);

  std::optional<std::vector<int>> m;
  ASSERT_NO_THROW(m = panocarbon::io::read_mask_netcdf(f.path, 2, 4, "mask"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(*m, std::vector<int>(kCodes, kCodes + 8));
}

TEST(MaskNetcdf, AMisplacedCoordinateVariableAlongItsDimensionIsStillAnError) {
  // The check the fix must keep: a real latitude coordinate with wrong centres names the variable.
  ScratchFile f("lat-wrong.nc");
  int nc = -1, dlat = -1, dlon = -1, v = -1, vlat = -1;
  ASSERT_EQ(nc_create(f.path.c_str(), NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "lat", 2, &dlat);
  nc_def_dim(nc, "lon", 4, &dlon);
  const int dims[2] = {dlat, dlon};
  nc_def_var(nc, "mask", NC_INT, 2, dims, &v);
  nc_def_var(nc, "lat", NC_DOUBLE, 1, &dlat, &vlat);
  nc_enddef(nc);
  nc_put_var_int(nc, v, kCodes);
  const double lat[2] = {20, 10};  // descending, as the grid, but not its centres (45, -45)
  nc_put_var_double(nc, vlat, lat);
  nc_close(nc);
  try {
    panocarbon::io::read_mask_netcdf(f.path, 2, 4, "");
    FAIL() << "no error";
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().field, "lat");
    EXPECT_NE(std::string(e.what()).find("latitude 'lat'[0] = 20 but the emissions grid has 45 there"), std::string::npos)
        << e.what();
  }
}
