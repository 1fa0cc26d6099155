// libFuzzer target, by hand only (not in test.sh's timed run): the raw bytes of the input as a GFED4.1s HDF5
// file given to compute_gfed_fire, and as an HDF5 / NetCDF-4 / NetCDF classic country mask given to
// read_mask_netcdf. libhdf5 and libnetcdf are not hardened against hostile files: a crash whose stack ends
// inside libhdf5 or libnetcdf is theirs, not panocarbon's (docs/testing.md). Seeds: tests/fuzz/corpus/gfed_hdf5_raw.
#include "fuzz_common.hpp"
#include "io/country_mask.hpp"
#include "panocarbon/natural_fire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  static const natural::GfedEmissionFactors ef =
      natural::parse_gfed_emission_factors("CO2 1686 1489 1647 1643 1703 1585\n", "fuzz-ef.txt");
  auto& scratch = fuzz::Scratch::get();
  scratch.fresh();
  const auto file = scratch.write("GFED4.1s_2015.hdf5", std::string_view(reinterpret_cast<const char*>(data), size));
  natural::FireOptions o;
  o.months = {1};
  fuzz::guarded([&] {
    const natural::FireResult r = natural::compute_gfed_fire(file, ef, o);
    fuzz::check_all_finite(r.dm_kg, "FireResult::dm_kg");
    fuzz::check_all_finite(r.emission_t, "FireResult::emission_t");
  });
  fuzz::guarded([&] {
    if (io::detect_mask_format(file) != io::MaskFormat::GeoTiff) io::read_mask_netcdf(file, 18, 36, "");
  });
  return 0;
}
