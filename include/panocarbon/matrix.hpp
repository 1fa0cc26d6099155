// Plain matrix containers shared by the maths (linalg/) and the readers. No algebra here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace panocarbon {

// Storage for big arrays (a dense factor, the non-zeros of an EXIOBASE-sized A): blocks of 8 MB or more
// are 2 MB-aligned and marked for transparent huge pages, so that filling 0.4 GB costs a few hundred page
// faults instead of 100,000 (numpy does the same for its large arrays). Smaller blocks use malloc.
void* big_alloc(std::size_t bytes);
void big_free(void* p) noexcept;

template <class T>
struct BigAllocator {
  using value_type = T;
  BigAllocator() = default;
  template <class U>
  BigAllocator(const BigAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(big_alloc(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { big_free(p); }
  template <class U>
  bool operator==(const BigAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using BigVector = std::vector<T, BigAllocator<T>>;

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
  BigVector<uint32_t> col;
  BigVector<double> value;
  size_t nnz() const { return value.size(); }
  double density() const { return rows && cols ? double(nnz()) / (double(rows) * double(cols)) : 0.0; }
};

}  // namespace panocarbon
