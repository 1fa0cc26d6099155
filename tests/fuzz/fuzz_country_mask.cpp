// libFuzzer target: the country and managed-land mask readers (src/io/country_mask.cpp). The first byte picks:
//   even: the rest is a --mask-names CSV (code,name) given to load_mask_names and mask_region_name;
//   odd:  a NetCDF file (classic or NetCDF-4, by the next bit) written here with libnetcdf from the input:
//         dimensions, variables (names a mask reader looks for, coordinate variables lat/lon, any type and
//         shape), _FillValue / missing_value attributes of any type and length, and every value; then
//         read_mask_netcdf on the emissions grid the input names.
// libnetcdf and libhdf5 are not hardened against hostile files, so the raw-bytes case is left to
// fuzz_gfed_hdf5_raw (by hand). GeoTIFF masks go through GDAL (loaded at run time) and are not fuzzed here.
// Seeds: tests/fuzz/corpus/country_mask.
#include <fuzzer/FuzzedDataProvider.h>
#include <netcdf.h>

#include "fuzz_common.hpp"
#include "io/country_mask.hpp"

namespace {
void write_netcdf(FuzzedDataProvider& in, const std::filesystem::path& path, size_t rows, size_t cols) {
  const bool nc4 = in.ConsumeBool();
  int nc = -1;
  if (nc_create(path.c_str(), NC_CLOBBER | (nc4 ? NC_NETCDF4 : 0), &nc) != NC_NOERR) fuzz::fail("nc_create");
  static const char* const dim_names[] = {"lat", "lon", "time", "y", "x", "latitude"};
  static const char* const var_names[] = {"mask", "country", "lat", "lon", "managed", "x", "codes", "time"};
  static const nc_type types[] = {NC_BYTE, NC_SHORT, NC_INT, NC_FLOAT, NC_DOUBLE, NC_CHAR, NC_INT64, NC_UBYTE};
  const int ndims = in.ConsumeIntegralInRange<int>(1, 4);
  std::vector<int> dims;
  std::vector<size_t> lens;
  for (int i = 0; i < ndims; ++i) {
    const uint8_t k = in.ConsumeIntegral<uint8_t>();
    const size_t len = k % 4 == 0 ? rows : k % 4 == 1 ? cols : k % 4 == 2 ? 1 : 1 + k / 4 % 9;
    int id = -1;
    if (nc_def_dim(nc, dim_names[in.ConsumeIntegralInRange<size_t>(0, 5)], len, &id) == NC_NOERR) {
      dims.push_back(id);
      lens.push_back(len);
    }
  }
  struct Var {
    int id;
    nc_type type;
    size_t count;
  };
  std::vector<Var> vars;
  const int nvars = in.ConsumeIntegralInRange<int>(1, 4);
  for (int i = 0; i < nvars && !dims.empty(); ++i) {
    const char* name = var_names[in.ConsumeIntegralInRange<size_t>(0, 7)];
    nc_type t = types[in.ConsumeIntegralInRange<size_t>(0, 7)];
    if (!nc4 && (t == NC_INT64 || t == NC_UBYTE)) t = NC_INT;  // classic has neither
    const int nd = in.ConsumeIntegralInRange<int>(0, 3);
    std::vector<int> vd;
    size_t count = 1;
    for (int d = 0; d < nd; ++d) {
      const size_t j = in.ConsumeIntegralInRange<size_t>(0, dims.size() - 1);
      vd.push_back(dims[j]);
      count *= lens[j];
    }
    int id = -1;
    if (nc_def_var(nc, name, t, nd, vd.data(), &id) != NC_NOERR) continue;
    vars.push_back({id, t, count});
    // missing_value: any type, 1 to 3 values (CF allows a vector); _FillValue: one value of the variable's
    // type (libnetcdf refuses others, and leaks in nc4_put_att when it does).
    while (in.ConsumeBool()) {
      const bool fill = in.ConsumeBool() && t != NC_CHAR;
      const char* att = fill ? "_FillValue" : "missing_value";
      const nc_type at = fill ? t : types[in.ConsumeIntegralInRange<size_t>(0, nc4 ? 7 : 5)];
      const size_t n = fill ? 1 : in.ConsumeIntegralInRange<size_t>(1, 3);
      std::vector<double> v(n);
      for (auto& x : v) x = in.ConsumeIntegralInRange<int>(-3, 300);
      if (at == NC_CHAR) nc_put_att_text(nc, id, att, n, "abc");
      else nc_put_att_double(nc, id, att, at, n, v.data());
    }
  }
  nc_enddef(nc);
  for (const Var& v : vars) {
    if (v.type == NC_CHAR) continue;
    std::vector<double> x(v.count);
    const bool coordinates = in.ConsumeBool();  // grid centres (to get past the checks), else values
    const double dy = 180.0 / static_cast<double>(rows), dx = 360.0 / static_cast<double>(cols);
    for (size_t i = 0; i < x.size(); ++i) {
      const double k = static_cast<double>(i) + 0.5;
      if (coordinates) x[i] = in.ConsumeBool() ? 90.0 - dy * k : -180.0 + dx * k;
      else x[i] = in.ConsumeIntegral<uint8_t>() < 250 ? in.ConsumeIntegralInRange<int>(-2, 300) : in.ConsumeFloatingPoint<double>();
    }
    nc_put_var_double(nc, v.id, x.data());  // out-of-range values: NC_ERANGE, fine
  }
  nc_close(nc);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  if (size == 0) return 0;
  auto& scratch = fuzz::Scratch::get();
  const auto dir = scratch.fresh();
  if (data[0] % 2 == 0) {
    const auto path = scratch.write("names.csv", std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    fuzz::guarded([&] {
      const auto names = io::load_mask_names(path);
      for (const auto& [code, name] : names) io::mask_region_name(code, names);
      io::mask_region_name(-1, names);
    });
    return 0;
  }
  FuzzedDataProvider in(data + 1, size - 1);
  const size_t rows = in.ConsumeIntegralInRange<size_t>(1, 6), cols = in.ConsumeIntegralInRange<size_t>(1, 8);
  static const char* const wanted[] = {"", "mask", "x", "managed"};
  const std::string variable = wanted[in.ConsumeIntegralInRange<size_t>(0, 3)];
  const auto path = dir / "mask.nc";
  write_netcdf(in, path, rows, cols);
  fuzz::guarded([&] {
    if (io::detect_mask_format(path) == io::MaskFormat::GeoTiff) return;
    const auto m = io::read_mask_netcdf(path, rows, cols, variable);
    if (m && m->size() != rows * cols) fuzz::fail("read_mask_netcdf: a mask not of the grid's size");
  });
  return 0;
}
