#include "core/simd.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace panocarbon::simd {

int cpu_level() {
  static const int level = [] {
    int best = 0;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = 1;
    if (best == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) best = 2;
#endif
    if (const char* want = std::getenv("PANOCARBON_SIMD")) {
      const std::string w = want;
      if (w == "baseline") best = 0;
      else if (w == "avx2") best = std::min(best, 1);
    }
    return best;
  }();
  return level;
}

}  // namespace panocarbon::simd
