// The floor of IPCC Approach 2 Monte Carlo (docs/uncertainty-inventory.md#speed): what the parts of the draws
// cost on one thread, in CPU seconds of this thread (less disturbed by other processes than the wall clock),
// for a model of P random parameters, T terms and N draws (defaults: the benchmark's 1,000 rows + 547 factors
// + the fuels' NCVs, 2,784 terms, 100,000 draws):
//   philox    the primary uniforms alone (Philox4x32-10, our vector kernel, two per block) P × N
//   normal    normal draws (uniforms + AS 241 with our log in the tails)              P × N
//   lognormal lognormal draws (the above + our exp)                                   P × N
//   sum       the sum of T terms x · a · g into a line and the total, blocks of 256   T × N
// Each is the best of --repeat runs. Prints one line per part and a last line `floor: ...`.
//
//   build/bin/panocarbon_draws_floor [--params 1560] [--terms 2784] [--draws 100000] [--repeat 3] [--level L]
// --level caps the vector clones of the transforms (0 baseline, 1 AVX2, 2 AVX-512F; default the CPU's best).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "panocarbon/uncertainty.hpp"

namespace unc = panocarbon::unc;

namespace {
double thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}
template <class F>
double best_of(int repeat, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const double t0 = thread_cpu();
    f();
    best = std::min(best, thread_cpu() - t0);
  }
  return best;
}
volatile double g_sink = 0;
}  // namespace

int main(int argc, char** argv) {
  size_t params = 1560, terms = 2784, draws = 100000;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const unsigned long long v = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--params") params = v;
    else if (a == "--terms") terms = v;
    else if (a == "--draws") draws = v;
    else if (a == "--repeat") repeat = static_cast<int>(v);
    else if (a == "--level") unc::set_vector_level(static_cast<int>(v));
    else {
      std::fprintf(stderr, "draws_floor: unknown option %s (use --params, --terms, --draws, --repeat, --level)\n", argv[i]);
      return 2;
    }
  }
  constexpr size_t kBlock = 256;
  std::vector<double> buf(kBlock);
  const unc::Sampler normal(unc::normal(1, 0.03), 1, 2), logn(unc::from_ipcc_percent(1, 30, 80), 1, 3);
  const double philox = best_of(repeat, [&] {
    double s = 0;
    for (size_t p = 0; p < params; ++p)
      for (size_t at = 0; at < draws; at += kBlock) {
        const size_t m = std::min(kBlock, draws - at);
        unc::uniform01_fill(1, p, at, m, buf.data());
        s += buf[0];
      }
    g_sink = s;
  });
  auto sampler_pass = [&](const unc::Sampler& smp) {
    return best_of(repeat, [&] {
      double s = 0;
      for (size_t p = 0; p < params; ++p)
        for (size_t at = 0; at < draws; at += kBlock) {
          const size_t m = std::min(kBlock, draws - at);
          smp.fill(at + p * draws, m, buf.data());
          s += buf[0];
        }
      g_sink = s;
    });
  };
  const double tn = sampler_pass(normal), tl = sampler_pass(logn);
  // the sum: T terms of blocks of 256 draws, each x · a · g added to its line and to the total
  const size_t lines = 37, rows = 1000, groups = 600;
  std::vector<double> a(rows * kBlock, 1.01), g(groups * kBlock, 0.99), acc((lines + 1) * kBlock, 0.0);
  const double tsum = best_of(repeat, [&] {
    for (size_t at = 0; at < draws; at += kBlock) {
      std::fill(acc.begin(), acc.end(), 0.0);
      double* tot = acc.data() + lines * kBlock;
      for (size_t t = 0; t < terms; ++t) {
        const double* ar = a.data() + (t * rows / terms) * kBlock;
        const double* gr = g.data() + (t * 7919 % groups) * kBlock;
        double* s = acc.data() + (t % lines) * kBlock;
        const double x = 1.0 + double(t);
        for (size_t i = 0; i < kBlock; ++i) {
          const double v = x * ar[i] * gr[i];
          s[i] += v;
          tot[i] += v;
        }
      }
      g_sink = tot[0];
    }
  });
  const double n = double(params) * double(draws);
  std::printf("philox    %.3f s  (%.2f ns per uniform, %zu x %zu)\n", philox, philox / n * 1e9, params, draws);
  std::printf("normal    %.3f s  (%.2f ns per draw)\n", tn, tn / n * 1e9);
  std::printf("lognormal %.3f s  (%.2f ns per draw)\n", tl, tl / n * 1e9);
  std::printf("sum       %.3f s  (%.2f ns per term and draw, %zu terms)\n", tsum,
              tsum / (double(terms) * double(draws)) * 1e9, terms);
  std::printf("floor: philox %.3f s, normal %.3f s, lognormal %.3f s, sum %.3f s CPU on one thread (vector level %d)\n",
              philox, tn, tl, tsum, unc::vector_level());
  return 0;
}
