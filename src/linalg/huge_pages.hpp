// An allocator for the big dense factors: 2 MB-aligned blocks marked MADV_HUGEPAGE, so that a 0.4-0.8 GB
// LU costs a few hundred page faults instead of 200,000 and far fewer TLB misses in the BLAS kernels
// (numpy does the same for its large arrays). Small blocks use the ordinary heap.
#pragma once
#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace panocarbon::linalg {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t(2) << 20;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < 4 * kHuge) {
      if (void* p = std::malloc(bytes)) return static_cast<T*>(p);
      throw std::bad_alloc();
    }
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: ignoring a failure is correct
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace panocarbon::linalg
