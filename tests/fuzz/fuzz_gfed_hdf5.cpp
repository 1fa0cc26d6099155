// libFuzzer target: GFED4.1s HDF5 files (src/io/gfed_hdf5.hpp) read by natural fire (compute_gfed_fire),
// with an HDF5 country mask and managed-land mask (the mask readers of src/natural/fire.cpp and
// src/io/country_mask.cpp). libhdf5 is not hardened against hostile files (a damaged superblock or B-tree
// can crash inside the library), so this target does not hand it raw bytes: it writes a structurally valid
// file with libhdf5 whose content the input decides (grid shape, a leading time axis, which datasets exist,
// their types and shapes, every value bit for bit, contiguous or chunked storage with deflate and shuffle,
// raw chunk bytes that need not inflate), and the readers must answer with a result or an Error.
// fuzz_gfed_hdf5_raw hands libhdf5 the raw bytes (by hand only, out of test.sh).
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include <array>
#include <string>

#include "fuzz_common.hpp"
#include "panocarbon/natural_fire.hpp"

namespace {
using panocarbon::natural::kGfedFireTypes;

// One 2-D (or 1 x r x c) dataset whose type, shape, storage and values come from the input.
void put(FuzzedDataProvider& in, hid_t file, const std::string& path, size_t rows, size_t cols, bool integer) {
  // An exhausted input reads as zeros: every dataset present, float, contiguous, all values 0 (a valid file).
  const uint8_t how = in.ConsumeIntegral<uint8_t>();
  if ((how & 0x0f) == 0x0f) return;  // absent
  if ((how & 0x0f) == 0x0e) {        // a group where a dataset belongs
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hid_t g = H5Gcreate2(file, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0) H5Gclose(g);
    H5Pclose(lcpl);
    return;
  }
  size_t r = rows, c = cols;
  if ((how & 0x0f) == 0x0d) c = cols + 1;  // the wrong shape
  const bool time_axis = how & 0x10;
  static const hid_t file_types[] = {H5T_IEEE_F32LE, H5T_IEEE_F64LE, H5T_STD_I32LE, H5T_STD_I16BE, H5T_IEEE_F32BE,
                                     H5T_STD_U8LE};
  hid_t ftype = integer ? H5T_STD_I32LE : H5T_IEEE_F32LE;
  if (how & 0x20) ftype = file_types[in.ConsumeIntegralInRange<size_t>(0, 5)];
  const int storage = (how >> 6) & 3;  // 0 contiguous, 1 chunked + deflate, 2 shuffle + deflate, 3 raw chunks
  hsize_t dims[3] = {1, r, c};
  const int nd = time_axis ? 3 : 2;
  const hsize_t* d = time_axis ? dims : dims + 1;
  hid_t sp = H5Screate_simple(nd, d, nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t chunk[3] = {1, in.ConsumeIntegralInRange<hsize_t>(1, r), in.ConsumeIntegralInRange<hsize_t>(1, c)};
  if (storage) {
    H5Pset_chunk(dcpl, nd, time_axis ? chunk : chunk + 1);
    if (storage == 2) H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 1);
  }
  const hid_t ds = H5Dcreate2(file, path.c_str(), ftype, sp, lcpl, dcpl, H5P_DEFAULT);
  if (ds >= 0) {
    if (storage == 3 && !time_axis) {
      // Raw chunk bytes straight from the input: compressed data that may not inflate, or to the wrong size.
      for (hsize_t i = 0; i < r; i += chunk[1])
        for (hsize_t j = 0; j < c; j += chunk[2]) {
          const auto bytes = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 64));
          hsize_t off[2] = {i, j};
          H5Dwrite_chunk(ds, H5P_DEFAULT, in.ConsumeBool() ? 1u : 0u, off, bytes.size(), bytes.data());
        }
    } else {
      // Values bit for bit from the input (NaN, infinities and subnormals included), in the file's type.
      std::vector<double> v(r * c);
      for (auto& x : v) {
        const uint8_t k = in.ConsumeIntegral<uint8_t>();
        if (k < 200) x = k / 100.0;  // ordinary small values most of the time
        else x = in.ConsumeFloatingPoint<double>();
      }
      if (H5Tget_class(ftype) == H5T_INTEGER) {
        std::vector<int> iv(v.size());
        for (size_t i = 0; i < v.size(); ++i) iv[i] = static_cast<int>(in.ConsumeIntegralInRange<int>(-2, 20));
        H5Dwrite(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv.data());
      } else {
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
      }
    }
    H5Dclose(ds);
  }
  H5Pclose(dcpl);
  H5Pclose(lcpl);
  H5Sclose(sp);
}

std::filesystem::path write_gfed(FuzzedDataProvider& in, const std::filesystem::path& dir, size_t rows,
                                 size_t cols, int months) {
  const auto p = dir / "GFED4.1s_2015.hdf5";
  const hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) fuzz::fail("libhdf5 cannot create the scratch file");
  put(in, f, "/ancill/grid_cell_area", rows, cols, false);
  put(in, f, "/ancill/basis_regions", rows, cols, true);
  for (int m = 1; m <= months; ++m) {
    const std::string g = "/emissions/0" + std::to_string(m);
    put(in, f, g + "/DM", rows, cols, false);
    for (const char* t : kGfedFireTypes) put(in, f, g + "/partitioning/DM_" + t, rows, cols, false);
  }
  H5Fclose(f);
  return p;
}

std::filesystem::path write_mask(FuzzedDataProvider& in, const std::filesystem::path& dir, const char* name,
                                 const char* dataset, size_t rows, size_t cols) {
  const auto p = dir / name;
  const hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) fuzz::fail("libhdf5 cannot create the scratch mask");
  put(in, f, dataset, rows, cols, true);
  H5Fclose(f);
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  FuzzedDataProvider in(data, size);
  static const natural::GfedEmissionFactors ef = natural::parse_gfed_emission_factors(
      "# SPECIE SAVA BORF TEMF DEFO PEAT AGRI\nDM 1000 1000 1000 1000 1000 1000\n"
      "C 488.273 464.989 489.416 491.751 570.055 480.352\nCO2 1686 1489 1647 1643 1703 1585\n"
      "CO 63 127 88 93 210 102\nCH4 1.94 5.96 3.36 5.07 20.8 5.82\n",
      "fuzz-ef.txt");
  const size_t rows = in.ConsumeIntegralInRange<size_t>(1, 6), cols = in.ConsumeIntegralInRange<size_t>(1, 8);
  const int months = in.ConsumeIntegralInRange<int>(1, 2);
  const uint8_t opts = in.ConsumeIntegral<uint8_t>();
  auto& scratch = fuzz::Scratch::get();
  const auto dir = scratch.fresh();
  natural::FireOptions o;
  o.months = {1};
  if (opts & 1) o.months.push_back(2);
  o.dm_uncertainty_pct = (opts & 2) ? 10 : 0;
  const auto file = write_gfed(in, dir, rows, cols, months);
  if (opts & 4) o.mask = write_mask(in, dir, "mask.h5", "/mask", rows, cols);
  if (opts & 8) o.managed_mask = write_mask(in, dir, "managed.h5", "/managed", rows, cols);
  fuzz::guarded([&] {
    const natural::FireResult r = natural::compute_gfed_fire(file, ef, o);
    fuzz::check_all_finite(r.dm_kg, "FireResult::dm_kg");
    fuzz::check_all_finite(r.dm_part_kg, "FireResult::dm_part_kg");
    fuzz::check_all_finite(r.emission_t, "FireResult::emission_t");
    fuzz::check_all_finite(r.emission_part_t, "FireResult::emission_part_t");
  });
  return 0;
}
