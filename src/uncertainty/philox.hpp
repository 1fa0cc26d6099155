// The engine's generator, Philox4x32-10, for the tests and the floor program: one counter in plain C++ and the
// vector kernel (AVX-512F, AVX2 or baseline, as unc::vector_level() picks) that uniform01_fill runs. Both give
// the words of Random123's r123::Philox4x32 (Salmon et al. 2011). The draws' layout is in uncertainty.hpp.
#pragma once
#include <cstddef>
#include <cstdint>

namespace panocarbon::unc::detail {

// out = Philox4x32-10(ctr) under key.
void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);
// The words of counters (c0 + i mod 2^32, c1, c2, c3) for i < n, four per counter (out holds 4n words), by
// the vector kernel of the current vector level.
void philox4x32_10_blocks(const uint32_t key[2], uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, size_t n,
                          uint32_t* out);

}  // namespace panocarbon::unc::detail
