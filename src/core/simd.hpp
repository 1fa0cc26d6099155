// The vector width the processor offers, detected once for every kernel that has clones chosen at run time
// (the Krylov solve's products over A, the Monte Carlo draws): 0 baseline, 1 AVX2 + FMA, 2 AVX-512 (F + VL).
// PANOCARBON_SIMD=baseline|avx2 lowers it for the whole process (to compare paths, or to rule one out); each
// module may cap it further in its tests. Never wider than what the processor has.
#pragma once

namespace panocarbon::simd {

int cpu_level();

}  // namespace panocarbon::simd
