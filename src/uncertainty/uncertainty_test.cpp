// Distributions, pedigree, random streams, statistics and the parallel draw engine. Reference values are
// from scipy 1.10 (scipy.special.ndtri, scipy.stats.*.ppf, spearmanr) and numpy.percentile, computed
// independently of this code.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "panocarbon/error.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/uncertainty.hpp"
#include "uncertainty/test_distribution.hpp"

namespace pc = panocarbon;
namespace unc = panocarbon::unc;
using unc::DistKind;

namespace {
using unc::testing::dist;
const double N = unc::kNone;
}  // namespace

TEST(NormalQuantile, MatchesScipyNdtriAcrossTheRange) {
  const std::pair<double, double> cases[] = {
      {1e-300, -37.0470962993612},   {1e-20, -9.262340089798409},   {1e-10, -6.361340902404056},
      {0.001, -3.090232306167813},   {0.02425, -1.972961051311885}, {0.1, -1.2815515655446004},
      {0.3, -0.5244005127080409},    {0.5, 0.0},                    {0.7, 0.5244005127080407},
      {0.975, 1.959963984540054},    {0.999, 3.090232306167813},    {0.999999999999, 7.0344869100478356}};
  for (auto [u, z] : cases) EXPECT_NEAR(unc::normal_quantile(u), z, 1e-14 * std::max(1.0, std::fabs(z))) << u;
}

TEST(Distributions, QuantilesMatchScipy) {
  struct Case {
    unc::Distribution d;
    double q[3];  // at u = 0.1, 0.5, 0.9
    double tol;
  };
  const Case cases[] = {
      {dist(DistKind::Gamma, 1, 1.5, 2.5, N, N), {2.207730990221742, 4.263595143321645, 7.927267674835843}, 1e-10},
      {dist(DistKind::Gamma, 0, 1, 0.5, N, N), {0.00789538704671561, 0.227468211559786, 1.352771727047702}, 1e-10},
      {dist(DistKind::Beta, 2, N, 5, 1, 3), {1.1851905178262574, 1.52889996659132, 2.0206326131029835}, 1e-10},
      // scipy's t.ppf is itself off by 3.5e-10 here: scipy's own t.cdf of its ppf(0.1) is 0.10000000004
      {dist(DistKind::StudentT, 1, 2, 4, N, N), {-2.0664125474262875, 1.0, 4.066412547426288}, 1e-9},
      {dist(DistKind::Weibull, 0.5, 2, 1.5, N, N), {0.9461510512738343, 2.0664395375493028, 3.987443027192823}, 1e-12},
      {dist(DistKind::GeneralizedExtremeValue, 1, 2, 0.2, N, N),
       {-0.5363662392716249, 1.7605608513900515, 6.684274065025338}, 1e-12},
      {dist(DistKind::GeneralizedExtremeValue, 1, 2, 0, N, N),
       {-0.6680648904959114, 1.7330258411633288, 5.500734654624891}, 1e-12},
      {dist(DistKind::Triangular, 2, N, N, 1, 5), {1.632455532033676, 2.550510257216822, 3.904554884989668}, 1e-12},
      {dist(DistKind::BetaPert, 2, N, N, 1, 5), {1.448939834183434, 2.25524068182279, 3.335561498478116}, 1e-10},
      {dist(DistKind::Lognormal, std::log(2.0), 0.4, N, N, N), {1.1978479291218689, 2.0, 3.339322048110366}, 1e-12},
  };
  const double us[3] = {0.1, 0.5, 0.9};
  for (const auto& c : cases) {
    ASSERT_NO_THROW(unc::validate(c.d, "test"));
    for (int i = 0; i < 3; ++i) {
      const double x = unc::quantile(c.d, us[i]);
      EXPECT_NEAR(x, c.q[i], c.tol * std::max(1.0, std::fabs(c.q[i]))) << unc::to_string(c.d.kind) << " u=" << us[i];
      EXPECT_NEAR(unc::cdf(c.d, x), us[i], 1e-9) << unc::to_string(c.d.kind);  // the identity F(F⁻¹(u)) = u
    }
  }
}

// Each sampler's draws have the analytic mean and the quantiles of the distribution: with n = 200,000
// draws the mean is within 5 standard errors and the empirical deciles within 0.01 in probability.
TEST(Distributions, SamplesHaveTheRightMeanAndQuantiles) {
  const unc::Distribution ds[] = {
      dist(DistKind::Lognormal, std::log(3.0), 0.5, N, N, N),
      dist(DistKind::Normal, -2, 0.7, N, N, N),
      dist(DistKind::Uniform, N, N, N, -1, 4),
      dist(DistKind::Triangular, 2, N, N, 1, 5),
      dist(DistKind::Weibull, 0.5, 2, 1.5, N, N),
      dist(DistKind::Gamma, 1, 1.5, 2.5, N, N),
      dist(DistKind::Gamma, 0, 1, 0.5, N, N),
      dist(DistKind::Beta, 2, N, 5, 1, 3),
      dist(DistKind::GeneralizedExtremeValue, 1, 2, 0.2, N, N),
      dist(DistKind::StudentT, 1, 2, 6, N, N),
      dist(DistKind::BetaPert, 2, N, N, 1, 5),
  };
  const size_t n = 200000;
  for (const auto& d : ds) {
    unc::Sampler s(d, 42, unc::parameter_id(unc::to_string(d.kind)));
    std::vector<double> x(n);
    s.fill(0, n, x.data());
    const auto sum = unc::summarize(x);
    EXPECT_NEAR(sum.mean, unc::mean(d), 5 * sum.sd / std::sqrt(double(n))) << unc::to_string(d.kind);
    std::sort(x.begin(), x.end());
    for (double u : {0.1, 0.5, 0.9})
      EXPECT_NEAR(unc::cdf(d, unc::percentile_sorted(x.data(), n, u)), u, 0.01) << unc::to_string(d.kind) << " " << u;
    // fill() and one-at-a-time draws are the same numbers
    EXPECT_EQ(s(12345), [&] { double v; s.fill(12345, 1, &v); return v; }());
  }
}

TEST(Distributions, DiscreteKinds) {
  const auto bern = dist(DistKind::Bernoulli, 0.3, N, N, N, N);
  const auto du = dist(DistKind::DiscreteUniform, N, N, N, 2, 6);  // 2, 3, 4, 5
  unc::Sampler sb(bern, 7, 1), su(du, 7, 2);
  double ones = 0;
  std::set<double> seen;
  for (uint64_t k = 0; k < 100000; ++k) {
    const double b = sb(k);
    ASSERT_TRUE(b == 0 || b == 1);
    ones += b;
    seen.insert(su(k));
  }
  EXPECT_NEAR(ones / 1e5, 0.3, 5 * std::sqrt(0.3 * 0.7 / 1e5));
  EXPECT_EQ(seen, (std::set<double>{2, 3, 4, 5}));
}

TEST(Distributions, NegativeAndZeroLognormalAndConstants) {
  // a negative amount keeps its sign (stats_arrays' `negative`), zero and σ = 0 are constants
  const auto neg = unc::lognormal(-5, 0.3);
  EXPECT_TRUE(neg.negative);
  unc::Sampler s(neg, 1, 1);
  for (uint64_t k = 0; k < 1000; ++k) ASSERT_LT(s(k), 0);
  EXPECT_NEAR(unc::quantile(neg, 0.5), -5, 1e-12);
  EXPECT_EQ(unc::Sampler(unc::lognormal(0, 0.3), 1, 1)(3), 0.0);
  EXPECT_EQ(unc::Sampler(unc::lognormal(7, 0), 1, 1)(3), 7.0);
  EXPECT_EQ(unc::Sampler(unc::normal(7, 0), 1, 1)(3), 7.0);
  EXPECT_TRUE(unc::is_constant(unc::constant(2)));
}

TEST(Distributions, IpccPercentConventions) {
  // symmetric below 50 %: normal with sd = value·pct/100/1.96
  const auto n = unc::from_ipcc_percent(200, 10, 10);
  EXPECT_EQ(n.kind, DistKind::Normal);
  EXPECT_NEAR(unc::quantile(n, 0.975), 220, 1e-9);
  // asymmetric: lognormal whose 2.5 and 97.5 percentiles are the bounds
  const auto l = unc::from_ipcc_percent(200, 50, 100);
  EXPECT_EQ(l.kind, DistKind::Lognormal);
  EXPECT_NEAR(unc::quantile(l, 0.025), 100, 1e-9);
  EXPECT_NEAR(unc::quantile(l, 0.975), 400, 1e-9);
}

TEST(Distributions, InvalidParametersNameWhereAndWhat) {
  auto msg = [](const unc::Distribution& d) {
    try {
      unc::validate(d, "inv.csv:12");
    } catch (const pc::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg(dist(DistKind::Lognormal, 0, -1, N, N, N)).find("σ is negative"), std::string::npos);
  EXPECT_NE(msg(dist(DistKind::Lognormal, 0, -1, N, N, N)).find("inv.csv:12"), std::string::npos);
  EXPECT_NE(msg(dist(DistKind::Uniform, N, N, N, 3, 1)).find("above maximum"), std::string::npos);
  EXPECT_NE(msg(dist(DistKind::Triangular, 9, N, N, 1, 5)).find("outside"), std::string::npos);
  EXPECT_NE(msg(dist(DistKind::Bernoulli, 1.5, N, N, N, N)).find("outside [0, 1]"), std::string::npos);
  EXPECT_NE(msg(dist(DistKind::Gamma, 0, 1, 0, N, N)).find("shape > 0"), std::string::npos);
  EXPECT_THROW(unc::dist_kind("lognormale"), pc::Error);
  EXPECT_EQ(unc::dist_kind("2"), DistKind::Lognormal);
  EXPECT_EQ(unc::dist_kind("Triangle"), DistKind::Triangular);
}

TEST(Pedigree, BothConventionsByHand) {
  const int best[5] = {1, 1, 1, 1, 1};
  EXPECT_EQ(unc::pedigree_sigma(best, 1.0, unc::PedigreeConvention::Ciroth2016), 0.0);
  const int s1[5] = {2, 3, 1, 1, 1};
  // ½ √(ln²1.05 + ln²1.54 + ln²1.04)
  const double l1 = std::log(1.05), l2 = std::log(1.54), l3 = std::log(1.04);
  EXPECT_NEAR(unc::pedigree_sigma(s1, 1.05, unc::PedigreeConvention::Ciroth2016),
              0.5 * std::sqrt(l1 * l1 + l2 * l2 + l3 * l3), 1e-15);
  const int worst[5] = {5, 5, 5, 5, 5};
  EXPECT_NEAR(unc::pedigree_sigma(worst, 0.0006, unc::PedigreeConvention::EcoinventV3),
              std::sqrt(0.0006 + 0.04 + 0.008 + 0.04 + 0.002 + 0.12), 1e-15);
  const int bad[5] = {6, 1, 1, 1, 1};
  EXPECT_THROW(unc::pedigree_sigma(bad, 1, unc::PedigreeConvention::Ciroth2016), pc::Error);
}

TEST(Streams, DrawsArePureFunctionsOfSeedParameterAndDrawNumber) {
  double a[4], b[4], c[4], d[4];
  unc::uniforms4(1, 2, 3, 1, a);
  unc::uniforms4(1, 2, 3, 1, b);
  unc::uniforms4(1, 3, 3, 1, c);  // another parameter
  unc::uniforms4(2, 2, 3, 1, d);  // another seed
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(a[i], b[i]);
    EXPECT_NE(a[i], c[i]);
    EXPECT_NE(a[i], d[i]);
    EXPECT_GT(a[i], 0);
    EXPECT_LT(a[i], 1);
  }
  EXPECT_NE(unc::parameter_id("factor:a"), unc::parameter_id("factor:b"));
  // the primary uniforms: one Philox block serves draws 2j and 2j + 1 (the words against Random123 in
  // philox_test.cpp); uniforms4's block 0 would be theirs and is refused; fill equals one-at-a-time
  double block0[4], filled[11];
  EXPECT_THROW(unc::uniforms4(1, 2, 5, 0, block0), pc::Error);
  EXPECT_THROW(unc::uniforms4(1, 2, 5, uint64_t{1} << 31, block0), pc::Error);
  unc::uniform01_fill(1, 2, 19, 11, filled);
  for (int i = 0; i < 11; ++i) EXPECT_EQ(filled[i], unc::uniform01(1, 2, 19 + uint64_t(i)));
  EXPECT_NE(unc::uniform01(1, 2, 20), unc::uniform01(1, 2, 21));
  EXPECT_EQ(unc::parameter_id(""), 1469598103934665603ULL);  // FNV-1a offset basis
  // uniformity: chi-square over 100 bins of 1e6 uniforms (99 dof: 99.9 % quantile 148.2)
  std::vector<double> bins(100, 0);
  for (uint64_t k = 0; k < 1000000; ++k) bins[static_cast<size_t>(unc::uniform01(99, 5, k) * 100)] += 1;
  double chi2 = 0;
  for (double o : bins) chi2 += (o - 1e4) * (o - 1e4) / 1e4;
  EXPECT_LT(chi2, 148.2);
}

// The block paths of fill (uniforms two Philox blocks at a time, the tails gathered by index, the AVX2 clones
// where the CPU has them) give the bytes of one-at-a-time draws, at every alignment and length, tails included.
TEST(Streams, FillEqualsOneAtATimeAtEveryAlignment) {
  std::vector<double> u(600), x(600);
  for (uint64_t first : {0u, 1u, 2u, 3u, 5u, 1021u}) {
    for (size_t n : {size_t(1), size_t(7), size_t(8), size_t(9), size_t(255), size_t(256), size_t(600)}) {
      unc::uniform01_fill(3, 4, first, n, u.data());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(u[i], unc::uniform01(3, 4, first + i)) << first << " " << i;
      for (const auto& d : {unc::normal(2, 0.3), unc::lognormal(1.5, 0.4), unc::from_ipcc_percent(1, 30, 80)}) {
        const unc::Sampler s(d, 3, 4);
        s.fill(first, n, x.data());
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(x[i], s(first + i)) << first << " " << i;
      }
    }
  }
  size_t tails = 0;  // the draws above really reach both tails
  for (size_t i = 0; i < 600; ++i) tails += std::fabs(unc::uniform01(3, 4, 1021 + i) - 0.5) > 0.425 ? 1 : 0;
  EXPECT_GT(tails, 40u);
}

// numpy.histogram([0, 1, 1.5, 2, 9.99, 10], bins=5) gives counts [3, 1, 0, 0, 2] over [0, 10] (last bin closed).
TEST(Statistics, HistogramMatchesNumpyAndHoldsEveryDraw) {
  const std::vector<double> v = {10, 0, 1, 1.5, 2, 9.99};
  const unc::Histogram h = unc::histogram(v.data(), v.size(), 5);
  EXPECT_EQ(h.lower, 0.0);
  EXPECT_EQ(h.upper, 10.0);
  EXPECT_EQ(h.counts, (std::vector<uint64_t>{3, 1, 0, 0, 2}));
  // Sturges: 1000 draws -> ceil(log2 1000) + 1 = 11 bins; the counts sum to n.
  std::vector<double> w(1000);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(static_cast<double>(i)) * 3;
  const unc::Histogram g = unc::histogram(w.data(), w.size());
  ASSERT_EQ(g.counts.size(), 11u);
  uint64_t total = 0;
  for (uint64_t c : g.counts) total += c;
  EXPECT_EQ(total, 1000u);
  // All draws equal: one bin holding them all.
  const std::vector<double> same(7, 2.5);
  const unc::Histogram one = unc::histogram(same.data(), same.size());
  EXPECT_EQ(one.counts, (std::vector<uint64_t>{7}));
}

TEST(Statistics, PercentilesAndRankCorrelationMatchNumpyAndScipy) {
  const std::vector<double> v = {5, 1, 4, 2, 3, 10, 7};
  const auto s = unc::summarize(v);
  EXPECT_NEAR(s.p2_5, 1.15, 1e-12);
  EXPECT_NEAR(s.median, 4, 1e-12);
  EXPECT_NEAR(s.p97_5, 9.55, 1e-12);
  EXPECT_NEAR(s.mean, 32.0 / 7, 1e-12);
  const double x[] = {1, 2, 2, 5, 3, 9}, y[] = {3, 1, 4, 1, 5, 9};
  EXPECT_NEAR(unc::spearman(x, y, 6), 0.3970588235294118, 1e-12);
}

namespace {
// A model for the engine: output 0 = a lognormal draw, output 1 = a sum of three normal draws.
class TestWorker : public pc::parallel::Worker {
 public:
  void run(uint64_t k, double* out) override {
    out[0] = a_(k);
    out[1] = b_(k) + b_(k + 1) + b_(k * 3);
  }

 private:
  unc::Sampler a_{unc::lognormal(2, 0.5), 11, 1}, b_{unc::normal(0, 1), 11, 2};
};
}  // namespace

TEST(Engine, ResultsDoNotDependOnThreadsOrChunks) {
  auto factory = [] { return std::make_unique<TestWorker>(); };
  pc::parallel::RunOptions o;
  o.draws = 10007;
  o.threads = 1;
  const auto one = pc::parallel::run_draws(2, o, factory);
  for (int t : {2, 3, 8})
    for (size_t chunk : {size_t(1), size_t(7), size_t(0)}) {
      o.threads = t;
      o.chunk = chunk;
      const auto many = pc::parallel::run_draws(2, o, factory);
      ASSERT_EQ(many.values, one.values) << t << " threads, chunk " << chunk;
    }
  EXPECT_EQ(one.at(5, 0), unc::Sampler(unc::lognormal(2, 0.5), 11, 1)(5));
  // the blocks of K ranks cover every draw once
  for (int k : {1, 2, 3, 7}) {
    uint64_t next = 0;
    for (int r = 0; r < k; ++r) {
      const auto b = pc::parallel::block_of(10007, r, k);
      EXPECT_EQ(b.begin, next);
      next = b.end;
    }
    EXPECT_EQ(next, 10007u);
  }
}

TEST(Engine, AWorkersErrorStopsTheRunAndIsRethrown) {
  class Failing : public pc::parallel::Worker {
   public:
    void run(uint64_t k, double* out) override {
      if (k == 500) throw pc::Error(pc::ErrorCategory::InvalidInput, "draw 500 failed");
      out[0] = 1;
    }
  };
  pc::parallel::RunOptions o;
  o.draws = 2000;
  o.threads = 2;
  EXPECT_THROW(pc::parallel::run_draws(1, o, [] { return std::make_unique<Failing>(); }), pc::Error);
}
