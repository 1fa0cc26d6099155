// The GFED4.1s HDF5 reader (internal; used by natural fire): an HDF5 file opened read-only with libhdf5's C
// API, 2-D datasets read as float or int with their shape checked, and deflate-compressed chunked float
// layers read raw (H5Dread_chunk) and inflated by zlib on every core, bit for bit what H5Dread gives.
// Errors name the file and the dataset.
#pragma once
#include <fmt/format.h>
#include <hdf5.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "panocarbon/error.hpp"

namespace panocarbon::io {

inline Error hdf5_input_error(std::string msg, ErrorContext c) {
  return Error(ErrorCategory::InvalidInput, std::move(msg), std::move(c));
}

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
  // Whether a dataset is stored as floating point wider than float (float64): such layers are read as double,
  // never narrowed to float.
  bool wide_float(const std::string& dataset) const {
    if (!has(dataset)) return false;
    H5Handle d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) return false;
    H5Handle ft(H5Dget_type(d.id), H5Tclose);
    return H5Tget_class(ft.id) == H5T_FLOAT && H5Tget_size(ft.id) > sizeof(float);
  }
  // Reads a 2-D dataset converted to T; checks or sets the shape.
  template <typename V>
  void read2d(const std::string& dataset, V& out, size_t& rows, size_t& cols, hid_t mem_type,
              const char* what, bool integer_only = false) const {
    if (!has(dataset))
      throw hdf5_input_error(fmt::format("dataset {} is missing ({}); a GFED4.1s file has /emissions/MM/DM, "
                                    "/emissions/MM/partitioning/DM_<TYPE>, /ancill/grid_cell_area and "
                                    "/ancill/basis_regions",
                                    dataset, what),
                        ErrorContext{path, 0, 0, dataset});
    H5Handle d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), H5Dclose);
    if (d.id < 0) throw hdf5_input_error(fmt::format("{} is not a dataset ({})", dataset, what), ErrorContext{path, 0, 0, dataset});
    H5Handle sp(H5Dget_space(d.id), H5Sclose);
    const int nd = H5Sget_simple_extent_ndims(sp.id);
    hsize_t dims[3] = {0, 0, 0};
    if (nd >= 1 && nd <= 3) H5Sget_simple_extent_dims(sp.id, dims, nullptr);
    // A leading axis of length 1 (time) is accepted.
    const bool ok = nd == 2 || (nd == 3 && dims[0] == 1);
    const size_t r = nd == 3 ? dims[1] : dims[0], c = nd == 3 ? dims[2] : dims[1];
    if (!ok)
      throw hdf5_input_error(fmt::format("dataset {} has {} dimensions; expected a 2-D latitude x longitude grid ({})",
                                    dataset, nd, what),
                        ErrorContext{path, 0, 0, dataset});
    if (rows == 0) {
      rows = r;
      cols = c;
    } else if (r != rows || c != cols) {
      throw hdf5_input_error(fmt::format("dataset {} is {} x {} but the grid is {} x {} (from /ancill/grid_cell_area); "
                                    "every layer must have the same shape (0.25 deg GFED4.1s: 720 x 1440)",
                                    dataset, r, c, rows, cols),
                        ErrorContext{path, 0, 0, dataset});
    }
    out.resize(rows * cols);
    H5Handle ft(H5Dget_type(d.id), H5Tclose);
    const H5T_class_t cls = H5Tget_class(ft.id);
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
      throw hdf5_input_error(fmt::format("dataset {} is not numeric ({})", dataset, what), ErrorContext{path, 0, 0, dataset});
    if (integer_only && cls != H5T_INTEGER)
      throw hdf5_input_error(fmt::format("dataset {} is floating point, not an integer type ({} must be integers)", dataset,
                                    what),
                        ErrorContext{path, 0, 0, dataset});
    if constexpr (std::is_same_v<typename V::value_type, float>)
      if (nd == 2 && H5Tequal(ft.id, H5T_NATIVE_FLOAT) > 0 && read_deflated(d.id, dataset, out.data(), rows, cols))
        return;
    if (H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      throw Error(ErrorCategory::Io, fmt::format("reading dataset {} failed", dataset), ErrorContext{path, 0, 0, dataset});
  }

  // Chunked float grids compressed with deflate (gzip), with or without shuffle before it: the chunks are read
  // raw (H5Dread_chunk; libhdf5 is not thread-safe, so this part is serial) and inflated by zlib on every core,
  // which is where the time of a compressed file goes. Anything else (other filters, unallocated chunks, a
  // 3-D layout) returns false and the caller uses H5Dread, so the result never depends on this path.
  bool read_deflated(hid_t d, const std::string& dataset, float* out, size_t rows, size_t cols) const {
    H5Handle dcpl(H5Dget_create_plist(d), H5Pclose);
    if (dcpl.id < 0 || H5Pget_layout(dcpl.id) != H5D_CHUNKED) return false;
    hsize_t chunk[2] = {0, 0};
    if (H5Pget_chunk(dcpl.id, 2, chunk) != 2 || chunk[0] == 0 || chunk[1] == 0) return false;
    const int nf = H5Pget_nfilters(dcpl.id);
    bool shuffle = false, deflate = false;
    for (int i = 0; i < nf; ++i) {
      unsigned flags = 0, config = 0;
      size_t nelmts = 0;
      const H5Z_filter_t id = H5Pget_filter2(dcpl.id, static_cast<unsigned>(i), &flags, &nelmts, nullptr, 0, nullptr,
                                             &config);
      if (id == H5Z_FILTER_SHUFFLE && i == 0 && nf == 2) shuffle = true;
      else if (id == H5Z_FILTER_DEFLATE && i == nf - 1) deflate = true;
      else return false;
    }
    if (!deflate) return false;
    const size_t cr = chunk[0], cc = chunk[1], per_chunk = cr * cc;
    const size_t nr = (rows + cr - 1) / cr, nc = (cols + cc - 1) / cc;
    struct Raw {
      std::vector<unsigned char> bytes;
      uint32_t mask = 0;  // bit i set: filter i was not applied to this chunk
      size_t r0 = 0, c0 = 0;
    };
    std::vector<Raw> raw(nr * nc);
    for (size_t i = 0; i < nr; ++i)
      for (size_t j = 0; j < nc; ++j) {
        Raw& x = raw[i * nc + j];
        x.r0 = i * cr;
        x.c0 = j * cc;
        hsize_t offset[2] = {x.r0, x.c0}, nbytes = 0;
        if (H5Dget_chunk_storage_size(d, offset, &nbytes) < 0 || nbytes == 0) return false;  // not allocated
        x.bytes.resize(nbytes);
        if (H5Dread_chunk(d, H5P_DEFAULT, offset, &x.mask, x.bytes.data()) < 0) return false;
      }
    // Inflate, unshuffle and place, chunk by chunk on a pool of threads.
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      std::vector<float> buf(per_chunk);
      std::vector<unsigned char> tmp(per_chunk * sizeof(float));
      for (size_t k; !failed && (k = next++) < raw.size();) {
        const Raw& x = raw[k];
        const bool inflated = !(x.mask & (1u << (nf - 1)));
        const bool shuffled = shuffle && !(x.mask & 1u);
        unsigned char* dst = shuffled ? tmp.data() : reinterpret_cast<unsigned char*>(buf.data());
        if (inflated) {
          uLongf len = static_cast<uLongf>(per_chunk * sizeof(float));
          if (uncompress(dst, &len, x.bytes.data(), static_cast<uLong>(x.bytes.size())) != Z_OK ||
              len != per_chunk * sizeof(float)) {
            failed = true;
            return;
          }
        } else {
          if (x.bytes.size() != per_chunk * sizeof(float)) {
            failed = true;
            return;
          }
          std::copy(x.bytes.begin(), x.bytes.end(), dst);
        }
        if (shuffled) {  // byte planes: every element's byte 0, then every byte 1, ...
          auto* b = reinterpret_cast<unsigned char*>(buf.data());
          for (size_t e = 0; e < per_chunk; ++e)
            for (size_t q = 0; q < sizeof(float); ++q) b[e * sizeof(float) + q] = tmp[q * per_chunk + e];
        }
        const size_t h = std::min(cr, rows - x.r0), w = std::min(cc, cols - x.c0);
        for (size_t r = 0; r < h; ++r)
          std::copy_n(buf.data() + r * cc, w, out + (x.r0 + r) * cols + x.c0);
      }
    };
    const size_t nt = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), raw.size());
    std::vector<std::thread> pool;
    for (size_t t = 1; t < nt; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    if (failed)
      throw Error(ErrorCategory::Data,
                  fmt::format("a deflate-compressed chunk of {} does not inflate to its {} x {} floats; the file is "
                              "damaged (h5dump -d {} shows where)",
                              dataset, cr, cc, dataset),
                  ErrorContext{path, 0, 0, dataset});
    return true;
  }
};


}  // namespace panocarbon::io
