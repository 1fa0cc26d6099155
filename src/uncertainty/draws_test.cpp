// The draws' own exp and log (within 1 ulp of the exact value, against long double libm over a dense sweep and
// the ends of the range), the vector clones (baseline, AVX2, AVX-512) giving the same bits as one draw at a
// time, and the distributions of the draws checked as distributions: Kolmogorov-Smirnov and Anderson-Darling
// against the exact CDF at large n, moments, and the normal quantile's tails (Φ(Φ⁻¹(u)) = u).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "panocarbon/uncertainty.hpp"
#include "uncertainty/test_distribution.hpp"

namespace unc = panocarbon::unc;
using unc::DistKind;

namespace {
// |ours − exact| in units in the last place of the exact value (long double libm: 64-bit significand).
double ulps(double ours, long double exact) {
  if (std::isinf(static_cast<double>(exact)) || exact == 0) return ours == static_cast<double>(exact) ? 0 : 1e9;
  int e = 0;
  std::frexp(static_cast<double>(exact), &e);
  const long double ulp = std::ldexp(1.0L, std::max(e - 53, -1074));
  return static_cast<double>(std::fabs(static_cast<long double>(ours) - exact) / ulp);
}
uint64_t bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
// A deterministic sweep: n points evenly over [a, b] plus n points with random-looking low bits (a 64-bit LCG).
std::vector<double> sweep(double a, double b, size_t n) {
  std::vector<double> xs;
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i <= n; ++i) {
    xs.push_back(a + (b - a) * double(i) / double(n));
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    xs.push_back(a + (b - a) * (double(s >> 11) * 0x1p-53));
  }
  return xs;
}
}  // namespace

// Our function against the exact value (long double libm) and against double libm over the given points: the
// worst error in ulps (and where), and how often and by how much it differs from libm.
namespace {
struct UlpSweep {
  double worst = 0, worst_x = 0, libm_worst = 0;
  size_t differ = 0, n = 0;
  template <class Ours, class Exact, class Libm>
  void check(double x, Ours ours, Exact exact, Libm libm) {
    const double v = ours(x);
    const double u = ulps(v, exact(static_cast<long double>(x)));
    if (u > worst) worst = u, worst_x = x;
    const double lib = libm(x);
    if (v != lib) {
      ++differ;
      libm_worst = std::max(libm_worst, ulps(v, lib));
    }
    ++n;
  }
  void report() const {
    std::printf("worst %.4f ulp at %.17g; differs from libm (by %.0f ulp at most) in %zu of %zu\n", worst, worst_x,
                libm_worst, differ, n);
  }
};
}  // namespace

TEST(DrawMath, ExpIsWithinOneUlpOverTheWholeRange) {
  UlpSweep r;
  auto check = [&](double x) {
    r.check(x, unc::draw_exp, [](long double v) { return std::exp(v); }, [](double v) { return std::exp(v); });
  };
  for (double x : sweep(-745.1, 709.7, 400000)) check(x);
  for (double x : sweep(-2, 2, 400000)) check(x);      // the lognormal draws' usual range
  for (double x : sweep(-1e-6, 1e-6, 20000)) check(x);  // near 0
  for (double x : sweep(-745.13, -708.3, 20000)) check(x);  // subnormal results
  for (double x : sweep(709.0, 709.78, 20000)) check(x);    // near overflow
  EXPECT_LE(r.worst, 1.0) << "at x = " << r.worst_x;
  r.report();
  EXPECT_LE(r.libm_worst, 1.0);  // so at most one ulp from libm's exp, in about 9 % of the points
  // ends and special values
  EXPECT_EQ(unc::draw_exp(0), 1.0);
  EXPECT_EQ(unc::draw_exp(-0.0), 1.0);
  EXPECT_EQ(unc::draw_exp(710), std::numeric_limits<double>::infinity());
  EXPECT_EQ(unc::draw_exp(1e300), std::numeric_limits<double>::infinity());
  EXPECT_EQ(unc::draw_exp(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
  EXPECT_EQ(unc::draw_exp(-746), 0.0);
  EXPECT_EQ(unc::draw_exp(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isnan(unc::draw_exp(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(unc::draw_exp(-745.13), std::exp(-745.13));  // the smallest subnormal, 4.9e-324
  EXPECT_EQ(unc::draw_exp(709.78), std::exp(709.78));
}

TEST(DrawMath, LogIsWithinOneUlpOverTheWholeRange) {
  UlpSweep r;
  auto check = [&](double x) {
    r.check(x, unc::draw_log, [](long double v) { return std::log(v); }, [](double v) { return std::log(v); });
  };
  for (double x : sweep(0.5, 2.0, 400000)) check(x);         // around 1, where ln x is small
  for (double x : sweep(1e-17, 0.075, 400000)) check(x);     // the normal quantile's tails
  for (double e : sweep(-1074, 1023, 200000)) check(std::ldexp(1.37, static_cast<int>(e)) * (1 + std::fmod(e, 1.0)));
  for (double x : sweep(1 - 1e-9, 1 + 1e-9, 20000)) check(x);
  for (double x : sweep(4.9e-324, 2.3e-308, 20000)) check(x);  // subnormal
  EXPECT_LE(r.worst, 1.0) << "at x = " << r.worst_x;
  r.report();
  EXPECT_LE(r.libm_worst, 1.0);  // at most one ulp from libm's log, in about 4 % of the points
  EXPECT_EQ(unc::draw_log(1), 0.0);
  EXPECT_EQ(unc::draw_log(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(unc::draw_log(std::numeric_limits<double>::infinity()), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(unc::draw_log(-1)));
  EXPECT_TRUE(std::isnan(unc::draw_log(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(unc::draw_log(std::numeric_limits<double>::denorm_min()), std::log(std::numeric_limits<double>::denorm_min()));
  EXPECT_EQ(unc::draw_log(std::numeric_limits<double>::max()), std::log(std::numeric_limits<double>::max()));
}

// Every vector clone the CPU has (AVX-512F, AVX2) gives the bits of the baseline one and of one draw at a time,
// for normal, lognormal and negative lognormal draws, at several alignments and lengths (tails included).
TEST(DrawMath, VectorPathsGiveTheBitsOfTheScalarCode) {
  const int best = unc::vector_level();
  const int saved = unc::set_vector_level(2);
  const unc::Distribution ds[] = {unc::normal(2, 0.3), unc::lognormal(1.5, 0.4), unc::lognormal(-3, 0.9),
                                  unc::from_ipcc_percent(1, 30, 80), unc::normal(-1e6, 1e3)};
  const size_t n = 20011;
  std::vector<double> ref(n), x(n);
  for (const auto& d : ds)
    for (uint64_t first : {uint64_t(0), uint64_t(3), uint64_t(1021)}) {
      const unc::Sampler s(d, 77, unc::parameter_id("vector-paths"));
      unc::set_vector_level(0);
      s.fill(first, n, ref.data());
      for (size_t i = 0; i < n; i += 97) ASSERT_EQ(bits(ref[i]), bits(s(first + i))) << i;
      for (int level = 1; level <= best; ++level) {
        unc::set_vector_level(level);
        ASSERT_EQ(unc::vector_level(), level);
        s.fill(first, n, x.data());
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(bits(x[i]), bits(ref[i])) << "level " << level << " draw " << first + i;
      }
    }
  unc::set_vector_level(saved);
  EXPECT_EQ(unc::vector_level(), best);
}

// Φ(Φ⁻¹(u)) = u through both tails, down to 1e-300 in the lower one (Φ by erfc, independent of our log).
TEST(DrawMath, NormalQuantileInvertsTheCdfInBothTails) {
  for (double lg = -300; lg <= std::log10(0.075); lg += 0.25) {
    const double u = std::pow(10.0, lg);
    const double z = unc::normal_quantile(u);
    EXPECT_NEAR(unc::normal_cdf(z) / u, 1.0, 1e-15 * std::max(1.0, z * z)) << u;
    if (u > 1e-15) {
      EXPECT_NEAR(1 - unc::normal_cdf(unc::normal_quantile(1 - u)), u, 2e-16 * std::max(1.0, z * z)) << u;
    }
  }
  for (double u = 0.075; u < 0.925; u += 0.001) EXPECT_NEAR(unc::normal_cdf(unc::normal_quantile(u)), u, 2e-16) << u;
}

namespace {
// Kolmogorov-Smirnov D·√n and Anderson-Darling A² of sorted draws against a continuous CDF.
struct Fit {
  double ks = 0, ad = 0;
};
Fit fit(std::vector<double> x, const unc::Distribution& d) {
  std::sort(x.begin(), x.end());
  const size_t m = x.size();
  const double n = double(m);
  std::vector<double> f(m);
  for (size_t i = 0; i < m; ++i) f[i] = std::clamp(unc::cdf(d, x[i]), 1e-300, 1 - 1e-16);
  double dmax = 0, s = 0;
  for (size_t i = 0; i < m; ++i) {
    dmax = std::max({dmax, f[i] - double(i) / n, double(i + 1) / n - f[i]});
    s += (2 * double(i) + 1) * (std::log(f[i]) + std::log1p(-f[m - 1 - i]));
  }
  return {dmax * std::sqrt(n), -n - s / n};
}
}  // namespace

// The draws of every continuous kind follow its exact CDF: KS D·√n below 1.95 (p = 0.001) and A² below 5.97
// (p = 0.001) at n = 1,000,000 for normal and lognormal (whose transforms changed: our log and exp in the
// vector paths), 200,000 for the others; normal moments (mean, variance, skewness, kurtosis) within 5 standard
// errors.
TEST(DrawMath, DrawsFollowTheExactDistribution) {
  const auto D = unc::testing::dist;
  const double N = unc::kNone;
  struct Case {
    unc::Distribution d;
    size_t n;
  };
  const Case cases[] = {
      {unc::normal(0, 1), 1000000},
      {unc::lognormal(2, 0.6), 1000000},
      {unc::lognormal(-2, 1.5), 1000000},
      {D(DistKind::Uniform, N, N, N, -1, 4), 200000},
      {D(DistKind::Triangular, 2, N, N, 1, 5), 200000},
      {D(DistKind::Weibull, 0.5, 2, 1.5, N, N), 200000},
      {D(DistKind::Gamma, 1, 1.5, 2.5, N, N), 200000},
      {D(DistKind::Beta, 2, N, 5, 1, 3), 200000},
      {D(DistKind::GeneralizedExtremeValue, 1, 2, 0.2, N, N), 200000},
      {D(DistKind::StudentT, 1, 2, 6, N, N), 200000},
      {D(DistKind::BetaPert, 2, N, N, 1, 5), 200000},
  };
  for (const auto& c : cases) {
    std::vector<double> x(c.n);
    unc::Sampler(c.d, 2026, unc::parameter_id(std::string("fit:") + unc::to_string(c.d.kind))).fill(0, c.n, x.data());
    const Fit f = fit(x, c.d);
    EXPECT_LT(f.ks, 1.95) << unc::to_string(c.d.kind);
    EXPECT_LT(f.ad, 5.97) << unc::to_string(c.d.kind);
    if (c.d.kind == DistKind::Normal) {
      double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
      for (double v : x) m1 += v;
      m1 /= double(c.n);
      for (double v : x) {
        const double t = v - m1;
        m2 += t * t;
        m3 += t * t * t;
        m4 += t * t * t * t;
      }
      m2 /= double(c.n);
      m3 /= double(c.n);
      m4 /= double(c.n);
      const double n = double(c.n);
      EXPECT_NEAR(m1, 0, 5 / std::sqrt(n));
      EXPECT_NEAR(m2, 1, 5 * std::sqrt(2 / n));
      EXPECT_NEAR(m3 / std::pow(m2, 1.5), 0, 5 * std::sqrt(6 / n));
      EXPECT_NEAR(m4 / (m2 * m2), 3, 5 * std::sqrt(24 / n));
    }
  }
}

// summarize's percentiles (selection within the halves the median leaves) equal those of the sorted draws at
// every n from 1 to 300 and at 10,001, ties included (percentile_sorted: numpy's linear interpolation).
TEST(DrawMath, SummaryPercentilesEqualThoseOfTheSortedDraws) {
  std::vector<double> work;
  for (size_t n = 1; n <= 10001; n = n < 300 ? n + 1 : 10001) {
    std::vector<double> x(n);
    unc::Sampler(unc::lognormal(2, 0.5), 9, n).fill(0, n, x.data());
    for (size_t i = 0; i < n; i += 7) x[i] = x[i / 2];  // ties
    const unc::Summary s = unc::summarize(x.data(), n, work);
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(s.p2_5, unc::percentile_sorted(sorted.data(), n, 0.025)) << n;
    EXPECT_EQ(s.median, unc::percentile_sorted(sorted.data(), n, 0.5)) << n;
    EXPECT_EQ(s.p97_5, unc::percentile_sorted(sorted.data(), n, 0.975)) << n;
    EXPECT_EQ(s.min, sorted.front());
    EXPECT_EQ(s.max, sorted.back());
    if (n == 10001) break;
  }
}

// At n ≥ 4096 summarize selects within buckets of the value: the same order statistics as sorting, for skewed,
// clustered, tied, negative and tiny samples, and for samples with an infinity or a NaN (the plain selection).
TEST(DrawMath, SummaryByBucketsEqualsTheSortedDraws) {
  std::vector<double> work;
  auto check = [&](std::vector<double> x, const char* what) {
    const unc::Summary s = unc::summarize(x.data(), x.size(), work);
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = x.size();
    EXPECT_EQ(bits(s.p2_5), bits(unc::percentile_sorted(sorted.data(), n, 0.025))) << what;
    EXPECT_EQ(bits(s.median), bits(unc::percentile_sorted(sorted.data(), n, 0.5))) << what;
    EXPECT_EQ(bits(s.p97_5), bits(unc::percentile_sorted(sorted.data(), n, 0.975))) << what;
    EXPECT_EQ(bits(s.min), bits(sorted.front())) << what;
    EXPECT_EQ(bits(s.max), bits(sorted.back())) << what;
  };
  for (size_t n : {size_t(4096), size_t(4097), size_t(100000), size_t(100003)}) {
    std::vector<double> x(n);
    unc::Sampler(unc::lognormal(2, 0.5), 3, n).fill(0, n, x.data());
    check(x, "lognormal 0.5");
    unc::Sampler(unc::lognormal(2, 3), 3, n).fill(0, n, x.data());  // a very long upper tail
    check(x, "lognormal 3");
    unc::Sampler(unc::normal(-5, 2), 4, n).fill(0, n, x.data());
    check(x, "normal");
    for (size_t i = 0; i < n; i += 3) x[i] = std::round(x[i]);  // ties, many at the quantiles
    check(x, "ties");
    for (size_t i = 0; i < n; ++i) x[i] = i % 2 ? 1e300 : -1e300 + double(i);  // two clusters
    check(x, "two clusters");
    for (size_t i = 0; i < n; ++i) x[i] = 4.9e-324 * double(i % 7);  // subnormal spread
    check(x, "subnormal");
  }
  std::vector<double> x(5000, 1.5);
  check(x, "all equal");
  x[17] = std::numeric_limits<double>::infinity();
  const unc::Summary s = unc::summarize(x.data(), x.size(), work);
  EXPECT_EQ(s.max, std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.median, 1.5);
}
