// Global sensitivity (issue 5): Sobol indices against the closed forms of the Ishigami function and the
// Sobol' G-function, bootstrap interval coverage, Morris effects of a linear model (exact) and the G-function
// ranking, thread independence. The model files are tested in src/capabilities/sensitivity_models_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "panocarbon/error.hpp"
#include "panocarbon/sensitivity.hpp"

namespace pc = panocarbon;
namespace sens = panocarbon::sens;
namespace unc = panocarbon::unc;

namespace {
constexpr double kPi = std::numbers::pi;

struct Exact {
  std::vector<double> S1, ST;
};
// Ishigami & Homma (1990), x_i ~ U(−π, π): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2,
// V2 = a²/8, V13 = b²π⁸ (1/18 − 1/50) (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.4).
Exact ishigami_exact(double a, double b) {
  const double pi4 = std::pow(kPi, 4), pi8 = std::pow(kPi, 8);
  const double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
  const double V1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), V2 = a * a / 8, V13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
  return {{V1 / V, V2 / V, 0.0}, {(V1 + V13) / V, V2 / V, V13 / V}};
}
// G-function, x_i ~ U(0, 1): V_i = 1/(3(1 + a_i)²), V = Π(1 + V_j) − 1, S_i = V_i/V,
// ST_i = V_i Π_{j≠i}(1 + V_j)/V (Saltelli et al. 2010, §5).
Exact g_exact(const std::vector<double>& a) {
  std::vector<double> Vi;
  double prod = 1;
  for (double ai : a) {
    Vi.push_back(1.0 / (3 * (1 + ai) * (1 + ai)));
    prod *= 1 + Vi.back();
  }
  const double V = prod - 1;
  Exact e;
  for (double v : Vi) {
    e.S1.push_back(v / V);
    e.ST.push_back(v * (prod / (1 + v)) / V);
  }
  return e;
}

std::vector<sens::Parameter> uniform_params(size_t k, double lo, double hi) {
  std::vector<sens::Parameter> ps;
  for (size_t i = 0; i < k; ++i) {
    std::string name = "x";  // (not "x" + std::string: a GCC 12 -Wrestrict false positive)
    name += std::to_string(i + 1);
    ps.push_back({name, unc::uniform(lo, hi)});
  }
  return ps;
}
std::unique_ptr<sens::Model> ishigami_model() {
  return sens::function_model(uniform_params(3, -kPi, kPi), [](const double* x) { return sens::ishigami(x, 7, 0.1); });
}
const std::vector<double> kG = {0, 1, 4.5, 9, 99, 99};
std::unique_ptr<sens::Model> g_model() {
  return sens::function_model(uniform_params(kG.size(), 0, 1), [](const double* x) { return sens::g_function(x, kG); });
}
sens::SobolOptions sobol_options(uint64_t n, uint64_t boot, uint64_t seed, int threads = 2) {
  sens::SobolOptions o;
  o.samples = n;
  o.bootstrap = boot;
  o.seed = seed;
  o.run.threads = threads;
  o.run.progress = false;
  return o;
}
}  // namespace

TEST(SensitivityExact, ClosedFormsGiveThePublishedValues) {
  // The values quoted in the literature (4 decimals), as a check on the closed forms above.
  const auto e = ishigami_exact(7, 0.1);
  EXPECT_NEAR(e.S1[0], 0.3139, 5e-5);
  EXPECT_NEAR(e.S1[1], 0.4424, 5e-5);
  EXPECT_NEAR(e.ST[0], 0.5576, 5e-5);
  EXPECT_NEAR(e.ST[2], 0.2437, 5e-5);
}

// Tolerances: the estimators' standard errors, measured over 30 independent replications (numpy on the same
// design, seeds 101..130) at N = 2^14, are at most 0.0082 (S1) and 0.0128 (ST of x1) for Ishigami; they fall
// as 1/√N (ErrorFallsAsOneOverRootN), so at N = 2^16 they are ≤ 0.0064 and 0.02 is more than 3 standard errors.
TEST(SensitivitySobol, IshigamiMatchesClosedFormAtN65536) {
  const auto model = ishigami_model();
  const auto r = sens::sobol(*model, sobol_options(1 << 16, 0, 20240601));
  const auto e = ishigami_exact(7, 0.1);
  ASSERT_EQ(r.indices.size(), 3u);
  EXPECT_EQ(r.runs, uint64_t(1 << 16) * 5);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(r.indices[i].S1, e.S1[i], 0.02) << r.indices[i].parameter;
    EXPECT_NEAR(r.indices[i].ST, e.ST[i], 0.02) << r.indices[i].parameter;
  }
  // The output variance against the closed form V (relative standard error of a variance ≈ √(2/2N)·kurtosis term).
  const double V = 49.0 / 8 + 0.1 * std::pow(kPi, 4) / 5 + 0.01 * std::pow(kPi, 8) / 18 + 0.5;
  EXPECT_NEAR(r.variance, V, 0.02 * V);
  // Without the intervals, the bounds are NaN.
  EXPECT_TRUE(std::isnan(r.indices[0].S1_low));
}

// G-function with a = (0, 1, 4.5, 9, 99, 99) at N = 2^14: indices are small for the last three, and the
// standard errors (measured as above) are below 0.01, so 0.03 is 3 standard errors.
TEST(SensitivitySobol, GFunctionMatchesClosedFormAtN16384) {
  const auto model = g_model();
  const auto r = sens::sobol(*model, sobol_options(1 << 14, 0, 7));
  const auto e = g_exact(kG);
  for (size_t i = 0; i < kG.size(); ++i) {
    EXPECT_NEAR(r.indices[i].S1, e.S1[i], 0.03) << i;
    EXPECT_NEAR(r.indices[i].ST, e.ST[i], 0.03) << i;
  }
  // Interactions: ST ≥ S1 for the important inputs.
  EXPECT_GT(r.indices[0].ST, r.indices[0].S1);
}

// The percentile intervals at 95 % cover the exact value in most replications: over 20 seeds × 6 indices ×
// 2 kinds (240 intervals) we require ≥ 85 % (a 95 % interval covering < 85 % of 240 happens with probability
// < 1e-6 when the nominal coverage holds; the percentile bootstrap is known to under-cover slightly at small N).
TEST(SensitivitySobol, BootstrapIntervalsCoverTheExactValues) {
  const auto model = g_model();
  const auto e = g_exact(kG);
  int covered = 0, total = 0;
  double width_small = 0, width_large = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto r = sens::sobol(*model, sobol_options(512, 200, seed));
    for (size_t i = 0; i < kG.size(); ++i) {
      const auto& s = r.indices[i];
      ASSERT_LE(s.S1_low, s.S1_high);
      covered += (s.S1_low <= e.S1[i] && e.S1[i] <= s.S1_high) + (s.ST_low <= e.ST[i] && e.ST[i] <= s.ST_high);
      total += 2;
    }
    width_small += r.indices[0].S1_high - r.indices[0].S1_low;
  }
  EXPECT_GE(double(covered) / total, 0.85) << covered << " of " << total;
  // Intervals narrow as 1/√N: 16 times the samples, about a quarter of the width.
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const auto r = sens::sobol(*model, sobol_options(512 * 16, 200, seed));
    width_large += r.indices[0].S1_high - r.indices[0].S1_low;
  }
  const double ratio = (width_large / 4) / (width_small / 20);
  EXPECT_GT(ratio, 0.15);
  EXPECT_LT(ratio, 0.4);
}

// Coverage of the 95 % percentile bootstrap intervals over 200 independent seeds at N = 1024 (Ishigami, every
// S1 and ST, 200 resamples): the number of intervals that hold the exact value is Binomial(200, 0.95) if the
// intervals are right; 181..198 of 200 is its two-sided band at probability 1 − 1e-3 (P(X ≤ 180) ≈ 7e-4,
// P(X ≥ 199) ≈ 4e-4). Too few: the estimator is biased or the interval too narrow; too many: too wide. One run
// whose 95 % interval misses the exact value (docs/sensitivity.md) is what 5 % means, and this test tells it
// from a wrong estimator. Measured (Philox4x32-10 streams; it prints them): S1 191, 190, 185; ST 191, 189, 191
// of 200.
TEST(SensitivitySobol, BootstrapIntervalsHaveNominalCoverageOver200Seeds) {
  const auto model = ishigami_model();
  const auto e = ishigami_exact(7, 0.1);
  std::vector<int> s1(3, 0), st(3, 0);
  const int seeds = 200;
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto r = sens::sobol(*model, sobol_options(1024, 200, uint64_t(seed), 1));
    for (size_t i = 0; i < 3; ++i) {
      const auto& x = r.indices[i];
      s1[i] += x.S1_low <= e.S1[i] && e.S1[i] <= x.S1_high;
      st[i] += x.ST_low <= e.ST[i] && e.ST[i] <= x.ST_high;
    }
  }
  std::printf("covered (of %d): S1 %d %d %d, ST %d %d %d\n", seeds, s1[0], s1[1], s1[2], st[0], st[1], st[2]);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GE(s1[i], 181) << "S1 of x" << i + 1 << ": " << s1[i] << " of " << seeds;
    EXPECT_LE(s1[i], 198) << "S1 of x" << i + 1 << ": " << s1[i] << " of " << seeds;
    EXPECT_GE(st[i], 181) << "ST of x" << i + 1 << ": " << st[i] << " of " << seeds;
    EXPECT_LE(st[i], 198) << "ST of x" << i + 1 << ": " << st[i] << " of " << seeds;
  }
}

// The design is plain Monte Carlo (independent Philox draws, not a Sobol' sequence): the root mean square
// error of the indices falls as N^(−1/2). Over N = 2^8 .. 2^14 (20 seeds each, Ishigami), the least-squares
// slope of log RMSE on log N, pooled over the six indices, must lie in [−0.65, −0.35]: a biased estimator
// flattens it towards 0, a quasi-random design would steepen it towards −1.
TEST(SensitivitySobol, ErrorFallsAsOneOverRootN) {
  const auto model = ishigami_model();
  const auto e = ishigami_exact(7, 0.1);
  std::vector<double> lx, ly;
  for (int p = 8; p <= 14; p += 2) {
    const uint64_t n = uint64_t(1) << p;
    double se = 0;
    int count = 0;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      const auto r = sens::sobol(*model, sobol_options(n, 0, 1000 + seed, 1));
      for (size_t i = 0; i < 3; ++i) {
        se += (r.indices[i].S1 - e.S1[i]) * (r.indices[i].S1 - e.S1[i]) +
              (r.indices[i].ST - e.ST[i]) * (r.indices[i].ST - e.ST[i]);
        count += 2;
      }
    }
    lx.push_back(std::log(double(n)));
    ly.push_back(0.5 * std::log(se / count));
  }
  double mx = 0, my = 0;
  for (size_t j = 0; j < lx.size(); ++j) {
    mx += lx[j] / double(lx.size());
    my += ly[j] / double(ly.size());
  }
  double sxy = 0, sxx = 0;
  for (size_t j = 0; j < lx.size(); ++j) {
    sxy += (lx[j] - mx) * (ly[j] - my);
    sxx += (lx[j] - mx) * (lx[j] - mx);
  }
  const double slope = sxy / sxx;
  std::printf("RMSE at N = 2^8, 2^10, 2^12, 2^14: %.4f %.4f %.4f %.4f; slope %.2f\n", std::exp(ly[0]), std::exp(ly[1]),
              std::exp(ly[2]), std::exp(ly[3]), slope);
  EXPECT_GE(slope, -0.65);
  EXPECT_LE(slope, -0.35);
  // and the size at N = 2^14: the RMSE over the six indices is that of the estimators (about 0.007, the
  // standard errors of docs/sensitivity.md), not of a biased one
  EXPECT_LT(std::exp(ly.back()), 0.012);
}

TEST(SensitivitySobol, SameNumbersForAnyThreadCount) {
  const auto model = ishigami_model();
  const auto a = sens::sobol(*model, sobol_options(3000, 50, 99, 1));
  const auto b = sens::sobol(*model, sobol_options(3000, 50, 99, 3));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a.indices[i].S1, b.indices[i].S1);
    EXPECT_EQ(a.indices[i].ST, b.indices[i].ST);
    EXPECT_EQ(a.indices[i].S1_low, b.indices[i].S1_low);
    EXPECT_EQ(a.indices[i].ST_high, b.indices[i].ST_high);
  }
  // another seed, other numbers
  const auto c = sens::sobol(*model, sobol_options(3000, 50, 100, 1));
  EXPECT_NE(a.indices[0].S1, c.indices[0].S1);
}

TEST(SensitivitySobol, DesignRowsShareColumnsAsSaltelli) {
  // Run r = j (k + 2) + m: A (m = 0), B (1), A_B^i (2 + i) has column i from B and the others from A.
  const size_t k = 3;
  for (uint64_t j : {0u, 5u}) {
    const uint64_t base = j * (k + 2);
    for (size_t i = 0; i < k; ++i) {
      const double a = sens::sobol_unit(1, "x", base, i, k), b = sens::sobol_unit(1, "x", base + 1, i, k);
      EXPECT_NE(a, b);
      for (size_t m = 0; m < k; ++m) EXPECT_EQ(sens::sobol_unit(1, "x", base + 2 + m, i, k), m == i ? b : a);
    }
  }
}

TEST(SensitivitySobol, DesignThenIndicesEqualsTheEngineRun) {
  // A model evaluated outside the engine (the Python module's vectorised callables): the design's rows, the
  // outputs in run order, then the indices: the same numbers, bit for bit, as sobol() with the model inside.
  const auto model = ishigami_model();
  const auto ps = model->parameters();
  const auto opts = sobol_options(500, 40, 7);
  const auto x = sens::sobol_design(ps, 500, 7);
  ASSERT_EQ(x.size(), 500u * 5u * 3u);
  std::vector<double> y(500 * 5);
  for (size_t r = 0; r < y.size(); ++r) y[r] = sens::ishigami(&x[r * 3], 7, 0.1);
  const auto split = sens::sobol_indices(ps, y, opts);
  const auto whole = sens::sobol(*model, opts);
  ASSERT_EQ(split.indices.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(split.indices[i].S1, whole.indices[i].S1);
    EXPECT_EQ(split.indices[i].ST, whole.indices[i].ST);
    EXPECT_EQ(split.indices[i].S1_low, whole.indices[i].S1_low);
    EXPECT_EQ(split.indices[i].ST_high, whole.indices[i].ST_high);
  }
  // one output short, and a NaN: errors that say what to do
  y.pop_back();
  try {
    sens::sobol_indices(ps, y, opts);
    FAIL();
  } catch (const pc::Error& e) {
    EXPECT_EQ(e.category(), pc::ErrorCategory::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("2499 outputs for 2500 runs"), std::string::npos) << e.what();
  }
  y.push_back(std::nan(""));
  try {
    sens::sobol_indices(ps, y, opts);
    FAIL();
  } catch (const pc::Error& e) {
    EXPECT_EQ(e.category(), pc::ErrorCategory::Data);
    EXPECT_NE(std::string(e.what()).find("at run 2499"), std::string::npos) << e.what();
  }
}

TEST(SensitivitySobol, ConstantOutputIsAnError) {
  const auto model = sens::function_model(uniform_params(2, 0, 1), [](const double*) { return 3.0; });
  try {
    sens::sobol(*model, sobol_options(64, 0, 1));
    FAIL();
  } catch (const pc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not vary"), std::string::npos) << e.what();
  }
}

TEST(SensitivityMorris, LinearModelEffectsAreExact) {
  // y = 2 x1 − 3 x2 + 0.5 x3 with x1 ~ U(0, 10), x2 ~ U(−1, 1), x3 ~ U(100, 104): every elementary effect is
  // c_i (max − min) in SALib's convention (Δy / Δ with Δ in the unit cube), so μ = c_i (max − min), μ* = |μ|, σ = 0.
  std::vector<sens::Parameter> ps = {{"x1", unc::uniform(0, 10)}, {"x2", unc::uniform(-1, 1)}, {"x3", unc::uniform(100, 104)}};
  const double c[] = {2, -3, 0.5}, range[] = {10, 2, 4};
  const auto model = sens::function_model(ps, [&](const double* x) { return c[0] * x[0] + c[1] * x[1] + c[2] * x[2]; });
  for (int levels : {2, 4, 6}) {
    sens::MorrisOptions o;
    o.trajectories = 30;
    o.levels = levels;
    o.seed = 5;
    o.run.threads = 2;
    const auto r = sens::morris(*model, o);
    EXPECT_EQ(r.runs, 30u * 4);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(r.indices[i].mu, c[i] * range[i], 1e-12 * std::fabs(c[i] * range[i])) << levels;
      EXPECT_NEAR(r.indices[i].mu_star, std::fabs(c[i] * range[i]), 1e-12 * std::fabs(c[i] * range[i]));
      EXPECT_LT(r.indices[i].sigma, 1e-12);
    }
  }
}

TEST(SensitivityMorris, TrajectoriesMoveOneParameterByDeltaOnTheGrid) {
  const auto ps = uniform_params(5, 0, 1);
  const int p = 6;
  const double delta = p / (2.0 * (p - 1));
  std::vector<double> pts;
  std::vector<size_t> moved;
  bool up = false, down = false;
  for (uint64_t t = 0; t < 50; ++t) {
    sens::morris_trajectory(3, ps, p, t, pts, moved);
    std::vector<bool> seen(5, false);
    for (size_t m = 0; m < 5; ++m) {
      ASSERT_FALSE(seen[moved[m]]);
      seen[moved[m]] = true;
      for (size_t i = 0; i < 5; ++i) {
        const double before = pts[m * 5 + i], after = pts[(m + 1) * 5 + i];
        // on the grid {0, 1/(p−1), ..., 1}
        EXPECT_NEAR(after * (p - 1), std::round(after * (p - 1)), 1e-12);
        EXPECT_GE(after, -1e-15);
        EXPECT_LE(after, 1 + 1e-15);
        if (i == moved[m]) {
          EXPECT_NEAR(std::fabs(after - before), delta, 1e-15);
          (after > before ? up : down) = true;
        } else {
          EXPECT_EQ(after, before);
        }
      }
    }
  }
  EXPECT_TRUE(up && down);
}

TEST(SensitivityMorris, GFunctionRanksParametersByImportance) {
  // μ* orders the inputs as their total indices: a = 0 > 1 > 4.5 > 9 > 99 (the last two are negligible).
  const auto model = g_model();
  sens::MorrisOptions o;
  o.trajectories = 100;
  o.levels = 4;
  o.seed = 11;
  const auto r = sens::morris(*model, o);
  for (size_t i = 0; i + 1 < 4; ++i) EXPECT_GT(r.indices[i].mu_star, r.indices[i + 1].mu_star) << i;
  EXPECT_GT(r.indices[3].mu_star, 5 * r.indices[4].mu_star);
  EXPECT_GT(r.indices[3].mu_star, 5 * r.indices[5].mu_star);
  // The G-function's effects change sign (|4x − 2| is V-shaped): μ is far below μ*.
  EXPECT_LT(std::fabs(r.indices[0].mu), 0.5 * r.indices[0].mu_star);
}

TEST(SensitivityMorris, SameNumbersForAnyThreadCount) {
  const auto model = g_model();
  sens::MorrisOptions o;
  o.trajectories = 40;
  o.seed = 8;
  o.run.threads = 1;
  const auto a = sens::morris(*model, o);
  o.run.threads = 3;
  const auto b = sens::morris(*model, o);
  for (size_t i = 0; i < kG.size(); ++i) {
    EXPECT_EQ(a.indices[i].mu, b.indices[i].mu);
    EXPECT_EQ(a.indices[i].mu_star, b.indices[i].mu_star);
    EXPECT_EQ(a.indices[i].sigma, b.indices[i].sigma);
  }
}

TEST(SensitivityMorris, UnboundedDistributionsUseCentredBinsAndOddLevelsAreRefused) {
  const auto n = unc::normal(10, 2);
  EXPECT_NEAR(sens::morris_value(n, 0, 4), unc::quantile(n, 0.125), 1e-12);
  EXPECT_NEAR(sens::morris_value(n, 1, 4), unc::quantile(n, 0.875), 1e-12);
  EXPECT_EQ(sens::morris_value(unc::uniform(2, 4), 1, 4), 4);
  const auto model = g_model();
  sens::MorrisOptions o;
  o.levels = 5;
  EXPECT_THROW(sens::morris(*model, o), pc::Error);
}


// The streams count a parameter's draws with 32 bits: a bootstrap or a Morris design that would need more uniforms
// of one stream is refused before any model run, naming the option.
TEST(SensitivityLimits, DesignsBeyondTheDrawCounterAreRefusedNamingTheOption) {
  const auto model = ishigami_model();
  try {
    sens::sobol(*model, sobol_options(100000000, 100, 1));
    FAIL() << "no error";
  } catch (const pc::Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), pc::ErrorCategory::InvalidInput);
    EXPECT_NE(m.find("--bootstrap 100 resamples of 100000000 uniforms"), std::string::npos) << m;
    EXPECT_NE(m.find("ask for fewer resamples or samples"), std::string::npos) << m;
    EXPECT_NE(m.find("bootstrap"), std::string::npos) << m;
  }
  const auto g = g_model();
  sens::MorrisOptions o;
  o.trajectories = uint64_t{1} << 31;  // × 6 parameters: the order's uniforms pass 2^32
  try {
    sens::morris(*g, o);
    FAIL() << "no error";
  } catch (const pc::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--trajectories asks for 12884901888 uniforms of the order"), std::string::npos) << m;
    EXPECT_NE(m.find("4,294,967,295"), std::string::npos) << m;
  }
}
