// Plain matrix containers shared by the maths (linalg/) and the readers. No algebra here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace panocarbon {

// A dense matrix stored row by row.
struct DenseMatrix {
  size_t rows = 0, cols = 0;
  std::vector<double> data;
  DenseMatrix() = default;
  DenseMatrix(size_t r, size_t c) : rows(r), cols(c), data(r * c, 0.0) {}
  double& operator()(size_t i, size_t j) { return data[i * cols + j]; }
  double operator()(size_t i, size_t j) const { return data[i * cols + j]; }
  bool empty() const { return rows == 0 || cols == 0; }
};

// A sparse matrix stored row by row (compressed sparse rows); zeros are not stored.
struct SparseRows {
  size_t rows = 0, cols = 0;
  std::vector<int64_t> row_start;  // rows + 1 entries
  std::vector<uint32_t> col;
  std::vector<double> value;
  size_t nnz() const { return value.size(); }
  double density() const { return rows && cols ? double(nnz()) / (double(rows) * double(cols)) : 0.0; }
};

}  // namespace panocarbon
