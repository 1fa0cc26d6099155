// The engine's generator, Philox4x32-10: our scalar code and our vector kernel (every level the CPU has) against
// Random123's published known answers and its r123::Philox4x32 (the oracle) over many keys and counters; the
// draws' layout (uniform01, uniform01_fill at every alignment and length, uniforms4) rebuilt from the oracle's
// words; the 53-bit uniforms' uniformity; the draw limit's messages.
#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "panocarbon/error.hpp"
#include "panocarbon/uncertainty.hpp"
#include "uncertainty/philox.hpp"

namespace unc = panocarbon::unc;
namespace pc = panocarbon;

namespace {
using G = r123::Philox4x32;

// Random123's words of counter ctr under key.
G::ctr_type oracle(const uint32_t ctr[4], const uint32_t key[2]) {
  G g;
  return g(G::ctr_type{{ctr[0], ctr[1], ctr[2], ctr[3]}}, G::key_type{{key[0], key[1]}});
}
// The documented uniform of the word pair (lo, hi).
double unit(uint32_t lo, uint32_t hi) {
  return static_cast<double>((uint64_t{hi} << 32 | lo) >> 11) * 0x1p-53 + 0x1p-54;
}
// The primary uniform of draw k, from the oracle: counter (⌊k/2⌋, 0, param), words (w0, w1) or (w2, w3).
double oracle_uniform(uint64_t seed, uint64_t param, uint64_t k) {
  const uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
  const uint32_t ctr[4] = {static_cast<uint32_t>(k >> 1), 0, static_cast<uint32_t>(param),
                           static_cast<uint32_t>(param >> 32)};
  const auto r = oracle(ctr, key);
  return (k & 1) != 0 ? unit(r.v[2], r.v[3]) : unit(r.v[0], r.v[1]);
}
uint64_t bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
struct Lcg {  // a 64-bit LCG for the random keys and counters of the tests
  uint64_t s;
  uint64_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return s ^ (s >> 29);
  }
  uint32_t word() { return static_cast<uint32_t>(next() >> 32); }
};
// Runs f at every vector level the CPU has (0 baseline, 1 AVX2, 2 AVX-512), then restores the cap.
template <class F>
void at_every_level(F f) {
  const int best = unc::vector_level();
  const int saved = unc::set_vector_level(2);
  for (int level = 0; level <= best; ++level) {
    unc::set_vector_level(level);
    ASSERT_EQ(unc::vector_level(), level);
    f(level);
  }
  unc::set_vector_level(saved);
}
}  // namespace

// Random123's known-answer vectors for philox4x32 with 10 rounds: the three "philox4x32 10" lines of its
// tests/kat_vectors (Random123 1.14, D. E. Shaw Research; columns: counter, key, expected words).
TEST(Philox, KnownAnswersOfRandom123) {
  struct Kat {
    uint32_t ctr[4], key[2], want[4];
  };
  const Kat kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const auto& k : kats) {
    uint32_t out[4];
    unc::detail::philox4x32_10(k.ctr, k.key, out);
    const auto r = oracle(k.ctr, k.key);
    for (int w = 0; w < 4; ++w) {
      EXPECT_EQ(out[w], k.want[w]) << "word " << w;
      EXPECT_EQ(r.v[w], k.want[w]) << "Random123, word " << w;
    }
    at_every_level([&](int level) {
      uint32_t v[4 * 3];
      unc::detail::philox4x32_10_blocks(k.key, k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3], 1, v);
      for (int w = 0; w < 4; ++w) EXPECT_EQ(v[w], k.want[w]) << "level " << level << " word " << w;
    });
  }
}

// Our scalar code and the vector kernel at every level give Random123's words for random keys and counters,
// for every count of counters from 0 to 40 (the kernel's partial last step) and across the 2^32 wrap of c0.
TEST(Philox, KernelGivesTheWordsOfRandom123) {
  Lcg rng{20261207};
  for (int t = 0; t < 20000; ++t) {
    const uint32_t key[2] = {rng.word(), rng.word()}, ctr[4] = {rng.word(), rng.word(), rng.word(), rng.word()};
    uint32_t out[4];
    unc::detail::philox4x32_10(ctr, key, out);
    const auto r = oracle(ctr, key);
    for (int w = 0; w < 4; ++w) ASSERT_EQ(out[w], r.v[w]) << t;
  }
  at_every_level([&](int level) {
    std::vector<uint32_t> v(4 * 41 + 64, 0xdeadbeef);
    for (int t = 0; t < 300; ++t) {
      const uint32_t key[2] = {rng.word(), rng.word()};
      uint32_t c[4] = {t % 7 == 0 ? 0xffffffffu - 5 : rng.word(), rng.word(), rng.word(), rng.word()};
      const size_t n = static_cast<size_t>(t % 41);
      std::fill(v.begin(), v.end(), 0xdeadbeef);
      unc::detail::philox4x32_10_blocks(key, c[0], c[1], c[2], c[3], n, v.data());
      for (size_t i = 0; i < n; ++i) {
        const uint32_t ci[4] = {c[0] + static_cast<uint32_t>(i), c[1], c[2], c[3]};
        const auto r = oracle(ci, key);
        for (int w = 0; w < 4; ++w) ASSERT_EQ(v[4 * i + size_t(w)], r.v[w]) << "level " << level << " counter " << i;
      }
      ASSERT_EQ(v[4 * n], 0xdeadbeef) << "level " << level << ": wrote past " << n << " counters";
    }
  });
}

// The draws' layout from the oracle's words: uniform01 and uniform01_fill at every level, every start (odd and
// even, near the top of the counter range) and every length up to 70 and some long ones, without writing past n;
// uniforms4 from the blocks s = 2 block − 1 and 2 block of counter j = draw.
TEST(Philox, UniformsFollowTheDocumentedLayout) {
  Lcg rng{77};
  for (int t = 0; t < 2000; ++t) {
    const uint64_t seed = rng.next(), param = rng.next(), k = rng.next() >> 32;
    ASSERT_EQ(bits(unc::uniform01(seed, param, k)), bits(oracle_uniform(seed, param, k))) << t;
  }
  at_every_level([&](int level) {
    std::vector<double> u(1100 + 8);
    for (int t = 0; t < 40; ++t) {
      const uint64_t seed = rng.next(), param = rng.next();
      const uint64_t bases[] = {0, 1, 2, 3, 17, unc::kMaxDraws - 70, rng.next() >> 33};
      for (uint64_t first : bases)
        for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(3), size_t(15), size_t(16), size_t(17),
                         size_t(31 + t), size_t(33), size_t(70), size_t(1021 + t)}) {
          if (first + n > unc::kMaxDraws + 1) continue;
          std::fill(u.begin(), u.end(), -1.0);
          unc::uniform01_fill(seed, param, first, n, u.data());
          for (size_t i = 0; i < n; ++i)
            ASSERT_EQ(bits(u[i]), bits(oracle_uniform(seed, param, first + i)))
                << "level " << level << " first " << first << " i " << i;
          ASSERT_EQ(u[n], -1.0) << "level " << level << ": wrote past " << n;
        }
    }
  });
  for (int t = 0; t < 500; ++t) {
    const uint64_t seed = rng.next(), param = rng.next(), draw = rng.next() >> 32, block = 1 + (rng.next() >> 34);
    double out[4];
    unc::uniforms4(seed, param, draw, block, out);
    const uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    const uint32_t a[4] = {static_cast<uint32_t>(draw), static_cast<uint32_t>(2 * block - 1),
                           static_cast<uint32_t>(param), static_cast<uint32_t>(param >> 32)};
    const uint32_t b[4] = {a[0], static_cast<uint32_t>(2 * block), a[2], a[3]};
    const auto ra = oracle(a, key), rb = oracle(b, key);
    EXPECT_EQ(out[0], unit(ra.v[0], ra.v[1]));
    EXPECT_EQ(out[1], unit(ra.v[2], ra.v[3]));
    EXPECT_EQ(out[2], unit(rb.v[0], rb.v[1]));
    EXPECT_EQ(out[3], unit(rb.v[2], rb.v[3]));
  }
}

// The 53-bit uniforms are uniform: chi-square over 2^16 equal bins of 10^7 draws, for the top 16 bits and for
// bits 1..16 of the 53 (from the low word; bit 0 is not kept above 1/2, where adding the half step rounds to
// even), within 5 standard deviations of its mean (65,535 ± 5·362); none is 0 or 1, and the smallest and
// largest are near 0 and 1.
TEST(Philox, UniformsAreUniformOverTwoToTheSixteenBins) {
  constexpr size_t kBins = 1 << 16, kN = 10000000, kChunk = 1 << 16;
  std::vector<uint32_t> top(kBins, 0), low(kBins, 0);
  std::vector<double> u(kChunk);
  double lo = 1, hi = 0;
  for (size_t at = 0; at < kN; at += kChunk) {
    const size_t m = std::min(kChunk, kN - at);
    unc::uniform01_fill(2026, unc::parameter_id("uniformity"), at, m, u.data());
    for (size_t i = 0; i < m; ++i) {
      lo = std::min(lo, u[i]);
      hi = std::max(hi, u[i]);
      const uint64_t v = static_cast<uint64_t>(u[i] * 0x1p53);  // the 53-bit integer (the half step truncated)
      ++top[v >> 37];
      ++low[(v >> 1) & (kBins - 1)];
    }
  }
  auto chi2 = [&](const std::vector<uint32_t>& c) {
    const double e = double(kN) / double(kBins);
    double s = 0;
    for (uint32_t o : c) s += (double(o) - e) * (double(o) - e) / e;
    return s;
  };
  const double df = double(kBins - 1), sd = std::sqrt(2 * df);
  EXPECT_NEAR(chi2(top), df, 5 * sd);
  EXPECT_NEAR(chi2(low), df, 5 * sd);
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_LT(lo, 1e-5);
  EXPECT_GT(hi, 1 - 1e-5);
  EXPECT_EQ(unc::uniform01(0, 0, 0), oracle_uniform(0, 0, 0));
}

// More draws than the 32-bit counter holds are refused, naming the option and saying what to do; uniforms4's
// block 0 (the primary uniforms' counters) and blocks whose counter word would not fit 32 bits are a caller's bug.
TEST(Philox, DrawLimitIsRefusedNamingTheOption) {
  double u[4];
  for (uint64_t block : {uint64_t{0}, uint64_t{1} << 31}) {
    try {
      unc::uniforms4(1, 2, 3, block, u);
      FAIL() << "no error for block " << block;
    } catch (const pc::Error& e) {
      EXPECT_EQ(e.category(), pc::ErrorCategory::Internal);
      EXPECT_NE(std::string(e.what()).find("block " + std::to_string(block) + " is outside 1 .. 2^31 - 1"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_NO_THROW(unc::uniforms4(1, 2, 3, (uint64_t{1} << 31) - 1, u));
  EXPECT_NO_THROW(unc::check_draw_count(unc::kMaxDraws, "draws"));
  try {
    unc::check_draw_count(unc::kMaxDraws + 1, "draws");
    FAIL() << "no error";
  } catch (const pc::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--draws asks for 4294967296 draws"), std::string::npos) << m;
    EXPECT_NE(m.find("4,294,967,295"), std::string::npos) << m;
    EXPECT_NE(m.find("ask for fewer"), std::string::npos) << m;
    EXPECT_EQ(e.category(), pc::ErrorCategory::InvalidInput);
  }
}
