#include <sys/mman.h>

#include <cstdlib>
#include <new>

#include "panocarbon/matrix.hpp"

namespace panocarbon {

void* big_alloc(std::size_t bytes) {
  constexpr std::size_t kHuge = std::size_t(2) << 20;
  if (bytes < 4 * kHuge) {
    if (void* p = std::malloc(bytes ? bytes : 1)) return p;
    throw std::bad_alloc();
  }
  const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, rounded);
  if (!p) throw std::bad_alloc();
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: ignoring a failure is correct
  return p;
}

void big_free(void* p) noexcept { std::free(p); }

}  // namespace panocarbon
