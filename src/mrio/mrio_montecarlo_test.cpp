// Tests of the MRIO Monte Carlo (src/mrio/montecarlo.cpp): RSE 0 reproduces `mrio accounts` bit for bit,
// small normal RSEs reproduce first-order (delta-method) propagation computed independently here by finite
// differences on a from-scratch dense implementation, the preconditioned solve equals a fresh one, threads
// do not change a byte, and bad options are refused with clear messages.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <random>

#include "mrio/common.hpp"
#include "linalg/leontief.hpp"
#include "mrio/montecarlo_internal.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/options.hpp"

namespace panocarbon {
namespace {

using Dense = std::vector<std::vector<double>>;

// A small two-region system in flow form (Z given) or coefficient form (A only), one final-demand category
// per region (two for region 0... kept at two per region to exercise the category sums), extension "air"
// with CO2 and CH4 in kg (F and F_Y) and an "energy" stressor in TJ.
struct Toy {
  Dense Z, Y, F, FY;  // Z n x n, Y n x (R*nc), F k x n, FY k x (R*nc)
  size_t R = 2, ns = 2, nc = 2;
};

Toy toy() {
  Toy t;
  t.Z = {{40, 10, 6, 2}, {15, 30, 3, 5}, {4, 3, 50, 12}, {2, 6, 14, 35}};
  t.Y = {{60, 8, 9, 0}, {45, 5, 6, 1}, {7, 0, 80, 10}, {3, 2, 55, 6}};
  t.F = {{120, 40, 300, 90}, {2, 0.5, 6, 1}, {10, 4, 25, 8}};
  t.FY = {{30, 0, 45, 0}, {0.2, 0, 0.1, 0}, {0, 0, 0, 0}};
  return t;
}

DenseMatrix to_dense(const Dense& d) {
  DenseMatrix m(d.size(), d.empty() ? 0 : d[0].size());
  for (size_t i = 0; i < m.rows; ++i)
    for (size_t j = 0; j < m.cols; ++j) m(i, j) = d[i][j];
  return m;
}

MrioSystem make_system(const Toy& t, bool flows) {
  MrioSystem s;
  s.name = "toy";
  s.format = "pymrio";
  s.source = "toy";
  s.regions = {"N", "S"};
  s.sectors = {"goods", "services"};
  s.fd_categories = {"households", "government"};
  s.Y = to_dense(t.Y);
  const size_t n = 4;
  std::vector<double> x(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) x[i] += t.Z[i][j];
    for (double v : t.Y[i]) x[i] += v;
  }
  if (flows) {
    mrio_io::finish_from_flows(s, mrio_io::sparse_from_dense(to_dense(t.Z)), "toy/Z.txt");
  } else {
    Dense A = t.Z;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) A[i][j] = t.Z[i][j] / x[j];
    mrio_io::finish_from_coefficients(s, mrio_io::sparse_from_dense(to_dense(A)), "toy/A.txt");
  }
  MrioExtension e;
  e.name = "air";
  e.stressors = {"CO2", "CH4", "energy"};
  e.units = {"kg", "kg", "TJ"};
  e.F = to_dense(t.F);
  e.F_Y = to_dense(t.FY);
  s.extensions.push_back(e);
  return s;
}

MrioMonteCarloOptions options(uint64_t draws, double rse, bool lognormal = true) {
  MrioMonteCarloOptions o;
  o.rse_z = o.rse_y = o.rse_f = rse;
  o.lognormal = lognormal;
  o.seed = 12345;
  o.run.draws = draws;
  o.run.threads = 1;
  o.solve = MrioMonteCarloOptions::Solve::Refine;
  return o;
}

// --- an independent dense implementation of the model, for the delta method -------------------------------

Dense inverse(Dense m) {
  const size_t n = m.size();
  Dense inv(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i) inv[i][i] = 1;
  for (size_t c = 0; c < n; ++c) {
    size_t piv = c;
    for (size_t r = c + 1; r < n; ++r)
      if (std::fabs(m[r][c]) > std::fabs(m[piv][c])) piv = r;
    std::swap(m[c], m[piv]);
    std::swap(inv[c], inv[piv]);
    const double d = m[c][c];
    for (size_t j = 0; j < n; ++j) {
      m[c][j] /= d;
      inv[c][j] /= d;
    }
    for (size_t r = 0; r < n; ++r)
      if (r != c) {
        const double f = m[r][c];
        for (size_t j = 0; j < n; ++j) {
          m[r][j] -= f * m[c][j];
          inv[r][j] -= f * inv[c][j];
        }
      }
  }
  return inv;
}

// Account `acc` (0 production, 1 consumption, 2 imports, 3 exports) of region `reg` for stressor row q,
// from scratch: flow form x = Z1 + Y1, A = Z x^-1; coefficient form (Z holds A) x = L Y1. With `fixed_x`
// (flow form only) the naive alternative: A = Z fixed_x^-1 and S = F fixed_x^-1 with x not rebalanced.
double account(const Toy& t, bool flows, size_t q, size_t reg, int acc, const std::vector<double>* fixed_x = nullptr) {
  const size_t n = 4, R = t.R, ns = t.ns, nc = t.nc;
  Dense A(n, std::vector<double>(n, 0.0)), IA(n, std::vector<double>(n, 0.0));
  std::vector<double> x(n, 0.0);
  if (flows) {
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < n; ++j) x[i] += t.Z[i][j];
      for (double v : t.Y[i]) x[i] += v;
    }
    if (fixed_x) x = *fixed_x;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) A[i][j] = t.Z[i][j] / x[j];
  } else {
    A = t.Z;
  }
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) IA[i][j] = (i == j) - A[i][j];
  const Dense L = inverse(IA);
  Dense X(n, std::vector<double>(R, 0.0));  // L Y_reg
  for (size_t i = 0; i < n; ++i)
    for (size_t r = 0; r < R; ++r)
      for (size_t j = 0; j < n; ++j)
        for (size_t c = 0; c < nc; ++c) X[i][r] += L[i][j] * t.Y[j][r * nc + c];
  if (!flows)
    for (size_t i = 0; i < n; ++i) {
      x[i] = 0;
      for (size_t r = 0; r < R; ++r) x[i] += X[i][r];
    }
  Dense bil(R, std::vector<double>(R, 0.0));
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < R; ++c) bil[i / ns][c] += t.F[q][i] / x[i] * X[i][c];
  double fy = 0;
  for (size_t c = 0; c < nc; ++c) fy += t.FY[q][reg * nc + c];
  double v = 0;
  for (size_t c = 0; c < R; ++c) {
    if (acc == 0) v += bil[reg][c];
    if (acc == 1) v += bil[c][reg];
    if (acc == 2 && c != reg) v += bil[c][reg];
    if (acc == 3 && c != reg) v += bil[reg][c];
  }
  return v + (acc <= 1 ? fy : 0.0);
}

// First-order standard deviation: sqrt(sum over non-zero cells of (dg/dv · rse · v)²), derivatives by central
// differences.
double delta_sd(const Toy& t, bool flows, size_t q, size_t reg, int acc, double rse,
                const std::vector<double>* fixed_x = nullptr) {
  double var = 0;
  auto visit = [&](Dense Toy::*block) {
    Toy u = t;
    Dense& b = u.*block;
    for (size_t i = 0; i < b.size(); ++i)
      for (size_t j = 0; j < b[i].size(); ++j) {
        const double v = b[i][j];
        if (v == 0) continue;
        const double h = 1e-6 * std::fabs(v);
        b[i][j] = v + h;
        const double up = account(u, flows, q, reg, acc, fixed_x);
        b[i][j] = v - h;
        const double down = account(u, flows, q, reg, acc, fixed_x);
        b[i][j] = v;
        const double d = (up - down) / (2 * h);
        var += d * d * rse * rse * v * v;
      }
  };
  visit(&Toy::Z);
  visit(&Toy::Y);
  visit(&Toy::F);
  visit(&Toy::FY);
  return std::sqrt(var);
}

// --- tests -------------------------------------------------------------------------------------------------

TEST(MrioMonteCarlo, RseZeroGivesTheAccountsOfMrioAccountsOnEveryDraw) {
  for (bool flows : {true, false}) {
    const MrioSystem s = make_system(toy(), flows);
    AccountsOptions ao;
    ao.gwp = "AR6";
    const MrioAccounts det = compute_accounts(s, ao);
    MrioMonteCarloOptions o = options(40, 0.0);
    o.gwp = "AR6";
    const auto r = mrio_montecarlo(s, o);
    ASSERT_EQ(r.stressors.size(), det.stressors.size());
    ASSERT_EQ(r.stressors.size(), 4u);  // CO2, CH4, energy, GHG (CO2e, AR6)
    EXPECT_EQ(r.perturbed, flows ? "Z" : "A");
    for (size_t q = 0; q < det.stressors.size(); ++q)
      for (size_t g = 0; g < 2; ++g) {
        const auto& a = det.stressors[q].regions[g];
        const double want[4] = {a.production, a.consumption, a.imports, a.exports};
        for (size_t k = 0; k < 4; ++k) {
          const auto& m = r.stressors[q].regions[g][k];
          EXPECT_EQ(m.deterministic, want[k]) << q << " " << g << " " << k;
          // Every draw equals it: the smallest and the largest draw do.
          EXPECT_EQ(m.summary.min, want[k]) << flows << " " << r.stressors[q].stressor << " " << g << " " << k;
          EXPECT_EQ(m.summary.max, want[k]);
          EXPECT_LE(m.summary.sd, 1e-14 * std::fabs(want[k]));  // only the mean's rounding
        }
      }
    EXPECT_EQ(r.fallbacks, 0u);
    EXPECT_EQ(r.max_iterations, 0);
  }
}

TEST(MrioMonteCarlo, SmallNormalRseMatchesTheDeltaMethod) {
  const Toy t = toy();
  const double rse = 0.004;
  const uint64_t N = 4000;
  for (bool flows : {true, false}) {
    Toy tt = t;
    if (!flows) {  // coefficient form: the toy's A (Z x^-1) is what is given and drawn
      std::vector<double> x(4, 0.0);
      for (size_t i = 0; i < 4; ++i) {
        for (size_t j = 0; j < 4; ++j) x[i] += t.Z[i][j];
        for (double v : t.Y[i]) x[i] += v;
      }
      for (size_t i = 0; i < 4; ++i)
        for (size_t j = 0; j < 4; ++j) tt.Z[i][j] = t.Z[i][j] / x[j];
    }
    const MrioSystem s = make_system(t, flows);
    MrioMonteCarloOptions o = options(N, rse, false);
    o.stressors = {"CO2"};
    const auto r = mrio_montecarlo(s, o);
    ASSERT_EQ(r.stressors.size(), 1u);
    for (size_t g = 0; g < 2; ++g)
      for (int k = 0; k < 4; ++k) {
        const auto& m = r.stressors[0].regions[g][size_t(k)];
        const double want_sd = delta_sd(tt, flows, 0, g, k, rse);
        const double det = account(tt, flows, 0, g, k);
        EXPECT_NEAR(m.deterministic, det, 1e-10 * std::fabs(det));
        // The sd of N normal draws is within 1/sqrt(2N) = 1.1 % of the truth (one standard error); 5 % is
        // 4.5 standard errors. The mean is within 4 standard errors of the deterministic value.
        EXPECT_NEAR(m.summary.sd / want_sd, 1.0, 0.05) << (flows ? "Z" : "A") << " region " << g << " " << kMrioMcAccounts[size_t(k)];
        EXPECT_NEAR(m.summary.mean, det, 4 * want_sd / std::sqrt(double(N)));
      }
  }
}

// The first-order sd of the flow form differs from what drawing Z with a fixed x would give: the test above
// can tell the two models apart.
TEST(MrioMonteCarlo, DeltaMethodDistinguishesRebalancedFromFixedOutput) {
  // The naive alternative draws Z but keeps x (A' = Z' x^-1, S' = F' x^-1, x' = L'y' != x): its first-order
  // sds differ from the rebalanced model's by far more than the 5 % the test above allows, so that test
  // tells the two apart (production most: rebalanced, it moves with F alone).
  const Toy t = toy();
  std::vector<double> x(4, 0.0);
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 4; ++j) x[i] += t.Z[i][j];
    for (double v : t.Y[i]) x[i] += v;
  }
  for (size_t g = 0; g < 2; ++g) {
    double most = 0;
    for (int k = 0; k < 4; ++k) {
      const double rebalanced = delta_sd(t, true, 0, g, k, 0.01);
      const double fixed = delta_sd(t, true, 0, g, k, 0.01, &x);
      most = std::max(most, std::fabs(rebalanced / fixed - 1));
      if (k == 0) {
        EXPECT_GT(std::fabs(rebalanced / fixed - 1), 0.2) << g << ": " << rebalanced << " vs " << fixed;
      }
    }
    EXPECT_GT(most, 0.2);
  }
}

SparseRows random_productive(size_t n, uint64_t seed, double density) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  DenseMatrix d(n, n);
  for (size_t j = 0; j < n; ++j) {
    double col = 0;
    for (size_t i = 0; i < n; ++i)
      if (u(rng) < density || i == j) col += d(i, j) = u(rng);
    const double target = 0.3 + 0.5 * u(rng);
    for (size_t i = 0; i < n; ++i) d(i, j) *= target / col;
  }
  return mrio_io::sparse_from_dense(d);
}

TEST(MrioMonteCarlo, PreconditionedIterationEqualsAFreshSolve) {
  const size_t n = 200, k = 7;
  const SparseRows A = random_productive(n, 3, 0.1);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> B(n * k);
  for (auto& b : B) b = u(rng);
  for (auto method : {linalg::Method::Dense, linalg::Method::Sparse}) {
    const linalg::LeontiefSolver base(A, method, 1);
    for (double rse : {0.05, 0.2}) {
      SparseRows Ap = A;
      for (auto& v : Ap.value) v *= std::exp(rse * (2 * u(rng) - 1));  // within ±rse in log
      const linalg::LeontiefSolver fresh(Ap, linalg::Method::Dense, 1);
      const std::vector<double> inverse = base.leontief_inverse();
      for (bool transposed : {false, true})
        for (const std::vector<double>* inv : {static_cast<const std::vector<double>*>(nullptr), &inverse}) {
        mrio_mc::PreconditionedSolver pre(base, 40, 1e-13, inv);
        std::vector<double> X = B, W = B;
        const auto st = pre.solve(Ap, X, k, transposed);
        if (transposed)
          fresh.solve_shared(W, k, true);
        else
          fresh.solve_shared(W, k, false);
        double worst = 0;
        for (size_t i = 0; i < n * k; ++i) worst = std::max(worst, std::fabs(X[i] - W[i]) / std::max(1e-300, std::fabs(W[i])));
        EXPECT_LT(worst, 1e-10) << linalg::describe(method) << " rse " << rse << " transposed " << transposed
                                << " inverse " << (inv != nullptr);
        EXPECT_FALSE(st.fell_back);
        EXPECT_GT(st.iterations, 0);
        EXPECT_LE(st.residual, 1e-13);
      }
    }
  }
}

TEST(MrioMonteCarlo, PreconditionedIterationFallsBackWhenItCannotConverge) {
  const size_t n = 120, k = 3;
  const SparseRows A = random_productive(n, 9, 0.2);
  std::vector<double> B(n * k, 1.0);
  const linalg::LeontiefSolver base(A, linalg::Method::Dense, 1);
  SparseRows Ap = A;
  for (auto& v : Ap.value) v *= 1.2;  // column sums up to 0.96: contraction about 0.2 * 4 = 0.8 per step
  mrio_mc::PreconditionedSolver pre(base, 4, 1e-13);
  std::vector<double> X = B, W = B;
  const auto st = pre.solve(Ap, X, k, false);
  EXPECT_TRUE(st.fell_back);
  linalg::LeontiefSolver(Ap, linalg::Method::Dense, 1).solve_shared(W, k, false);
  for (size_t i = 0; i < n * k; ++i) EXPECT_NEAR(X[i], W[i], 1e-10 * std::fabs(W[i]));
  // The same system with room to converge does, without a fallback.
  mrio_mc::PreconditionedSolver patient(base, 400, 1e-13);
  std::vector<double> Y = B;
  const auto st2 = patient.solve(Ap, Y, k, false);
  EXPECT_FALSE(st2.fell_back);
  EXPECT_GT(st2.iterations, 4);
  for (size_t i = 0; i < n * k; ++i) EXPECT_NEAR(Y[i], W[i], 1e-10 * std::fabs(W[i]));
}

TEST(MrioMonteCarlo, SameBytesForOneAndThreeThreads) {
  const MrioSystem s = make_system(toy(), true);
  MrioMonteCarloOptions o = options(301, 0.15);
  o.gwp = "AR5";
  o.rse_model = RseModel::Lenzen;
  const auto one = mrio_montecarlo(s, o);
  o.run.threads = 3;
  o.run.chunk = 7;
  const auto three = mrio_montecarlo(s, o);
  ASSERT_EQ(one.stressors.size(), three.stressors.size());
  for (size_t q = 0; q < one.stressors.size(); ++q)
    for (size_t g = 0; g < 2; ++g)
      for (size_t k = 0; k < 4; ++k) {
        const auto& a = one.stressors[q].regions[g][k].summary;
        const auto& b = three.stressors[q].regions[g][k].summary;
        EXPECT_EQ(a.mean, b.mean);
        EXPECT_EQ(a.sd, b.sd);
        EXPECT_EQ(a.median, b.median);
        EXPECT_EQ(a.p2_5, b.p2_5);
        EXPECT_EQ(a.p97_5, b.p97_5);
        EXPECT_GT(a.sd, 0.0);
      }
  EXPECT_EQ(one.mean_iterations, three.mean_iterations);
  EXPECT_EQ(one.fallbacks, three.fallbacks);
}

TEST(MrioMonteCarlo, DrawsOfAStressorDoNotDependOnWhichOthersAreListed) {
  const MrioSystem s = make_system(toy(), true);
  MrioMonteCarloOptions o = options(200, 0.1);
  const auto all = mrio_montecarlo(s, o);
  o.stressors = {"CH4"};
  const auto one = mrio_montecarlo(s, o);
  ASSERT_EQ(one.stressors.size(), 1u);
  ASSERT_EQ(all.stressors[1].stressor, "CH4");
  for (size_t g = 0; g < 2; ++g)
    for (size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(all.stressors[1].regions[g][k].summary.mean, one.stressors[0].regions[g][k].summary.mean);
      EXPECT_EQ(all.stressors[1].regions[g][k].summary.p97_5, one.stressors[0].regions[g][k].summary.p97_5);
    }
  // Another seed gives other numbers.
  o.seed = 12346;
  const auto other = mrio_montecarlo(s, o);
  EXPECT_NE(other.stressors[0].regions[0][1].summary.mean, one.stressors[0].regions[0][1].summary.mean);
}

TEST(MrioMonteCarlo, ProductionUncertaintyComesFromFAloneInTheFlowForm) {
  // x' = Z'1 + Y'1 keeps the identity x' = L'y', so production = sum of F' + F_Y: Z and Y do not move it.
  const MrioSystem s = make_system(toy(), true);
  MrioMonteCarloOptions o = options(100, 0.2);
  o.rse_f = 0;
  const auto r = mrio_montecarlo(s, o);
  for (size_t g = 0; g < 2; ++g) {
    const auto& m = r.stressors[0].regions[g][0];
    EXPECT_NEAR(m.summary.min, m.deterministic, 1e-12 * m.deterministic);
    EXPECT_NEAR(m.summary.max, m.deterministic, 1e-12 * m.deterministic);
    EXPECT_GT(r.stressors[0].regions[g][1].summary.sd, 0.0);  // consumption does move
  }
}

TEST(MrioMonteCarlo, CellFactorIsTheEnginesDistribution) {
  const double v = 37.5, rse = 0.3;
  const uint64_t seed = 99, param = unc::parameter_id("mrio:Z") + 17;
  const double sigma = std::sqrt(std::log1p(rse * rse));
  const unc::Sampler logn(unc::lognormal(v * std::exp(-sigma * sigma / 2), sigma), seed, param);
  const unc::Sampler norm(unc::normal(v, rse * v), seed, param);
  double mean = 0;
  const int N = 20000;
  for (uint64_t d = 0; d < 50; ++d) {
    EXPECT_NEAR(v * mrio_mc::cell_factor(true, rse, seed, param, d), logn(d), 1e-12 * v);
    EXPECT_NEAR(v * mrio_mc::cell_factor(false, rse, seed, param, d), norm(d), 1e-12 * v);
  }
  for (int d = 0; d < N; ++d) mean += mrio_mc::cell_factor(true, rse, seed, param, uint64_t(d)) / N;
  EXPECT_NEAR(mean, 1.0, 4 * rse / std::sqrt(double(N)));  // mean-preserving
  EXPECT_EQ(mrio_mc::cell_factor(true, 0.0, seed, param, 3), 1.0);
  EXPECT_EQ(mrio_mc::cell_factor(false, 0.0, seed, param, 3), 1.0);
}

TEST(MrioMonteCarlo, LenzenRseFallsWithCellSize) {
  EXPECT_DOUBLE_EQ(cell_rse(RseModel::Lenzen, 0.1, 50, 50), 0.1);
  EXPECT_DOUBLE_EQ(cell_rse(RseModel::Lenzen, 0.1, 200, 50), 0.05);
  EXPECT_DOUBLE_EQ(cell_rse(RseModel::Lenzen, 0.1, -12.5, 50), 0.2);
  EXPECT_DOUBLE_EQ(cell_rse(RseModel::Lenzen, 0.1, 1e-9, 50), 1.0);  // at most 10x
  EXPECT_DOUBLE_EQ(cell_rse(RseModel::Lenzen, 0.1, 1e9, 50), 0.01);  // at least 1/10
  EXPECT_DOUBLE_EQ(cell_rse(RseModel::Constant, 0.1, 1e9, 50), 0.1);
}

template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCategory::Internal, "none");
}

TEST(MrioMonteCarlo, NegativeRseIsRefusedByTheOptionsAndTheLibrary) {
  const auto& spec = command_spec("mrio montecarlo");
  const Error e = error_of([&] { Params::from_text(spec, {{"path", {"x"}}, {"rse-z", {"-0.1"}}}); });
  EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
  EXPECT_NE(e.message().find("--rse-z must be between 0 and 10"), std::string::npos) << e.message();
  const Params ok = Params::from_text(spec, {{"path", {"x"}}});
  EXPECT_EQ(ok.number("rse-y"), 0.1);
  EXPECT_EQ(ok.str("rse-model"), "constant");
  EXPECT_EQ(ok.str("solver"), "auto");  // --solve is its older name

  const MrioSystem s = make_system(toy(), true);
  MrioMonteCarloOptions o = options(10, 0.1);
  o.rse_y = -0.5;
  const Error l = error_of([&] { mrio_montecarlo(s, o); });
  EXPECT_EQ(l.category(), ErrorCategory::InvalidInput);
  EXPECT_EQ(l.context().field, "rse-y");
  EXPECT_NE(l.message().find("--rse-y must be a relative standard error of 0 or more"), std::string::npos) << l.message();
  o.rse_y = 0.1;
  o.rse_f = NAN;
  EXPECT_EQ(error_of([&] { mrio_montecarlo(s, o); }).context().field, "rse-f");
}

TEST(MrioMonteCarlo, UnknownStressorAndExtensionAreNamed) {
  const MrioSystem s = make_system(toy(), true);
  MrioMonteCarloOptions o = options(10, 0.1);
  o.stressors = {"N2O"};
  const Error e = error_of([&] { mrio_montecarlo(s, o); });
  EXPECT_EQ(e.category(), ErrorCategory::NotFound);
  EXPECT_NE(e.message().find("no stressor named 'N2O'"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("CO2, CH4, energy"), std::string::npos) << e.message();
  o.stressors.clear();
  o.extensions = {"water"};
  const Error x = error_of([&] { mrio_montecarlo(s, o); });
  EXPECT_NE(x.message().find("no extension named water; the system has: air"), std::string::npos) << x.message();
}

TEST(MrioMonteCarlo, NormalCellsThatMakeOutputNegativeAreReported) {
  // Coefficient form: x' = (I - A')^-1 y' with normal cells at RSE 300 % turns negative.
  const MrioSystem s = make_system(toy(), false);
  MrioMonteCarloOptions o = options(200, 3.0, false);
  const Error e = error_of([&] { mrio_montecarlo(s, o); });
  EXPECT_EQ(e.category(), ErrorCategory::Data);
  EXPECT_NE(e.message().find("became negative"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("use --distribution lognormal or smaller --rse-z/--rse-y"), std::string::npos);
  EXPECT_EQ(e.context().field, "distribution");
}

TEST(MrioMonteCarlo, SectorsWhoseDrawnUsesAreNotPositiveKeepTheirOutput) {
  // Sector N|services sells 150 to households and loses 140 of inventories: x = 70 from uses of 250. Drawn
  // independently at 50 %, its uses often add up to a negative output; that sector keeps x in such draws.
  Toy t = toy();
  t.Y[1] = {150, -140, 6, 1};
  const MrioSystem s = make_system(t, true);
  MrioMonteCarloOptions o = options(300, 0.5);
  const auto r = mrio_montecarlo(s, o);
  EXPECT_GT(r.kept_outputs, 0u);
  EXPECT_GT(r.draws_with_kept_outputs, 0u);
  EXPECT_LE(r.draws_with_kept_outputs, r.kept_outputs);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().find("kept their given value"), std::string::npos) << r.notes.back();
  for (const auto& st : r.stressors)
    for (const auto& reg : st.regions)
      for (const auto& a : reg) EXPECT_TRUE(std::isfinite(a.summary.mean) && std::isfinite(a.summary.p97_5));
  // The toy as given never needs it.
  EXPECT_EQ(mrio_montecarlo(make_system(toy(), true), o).kept_outputs, 0u);
}

}  // namespace
}  // namespace panocarbon
