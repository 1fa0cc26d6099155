#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mrio/common.hpp"
#include "linalg/leontief.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::linalg {
namespace {

SparseRows from_dense(const std::vector<std::vector<double>>& a) {
  DenseMatrix d(a.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a.size(); ++j) d(i, j) = a[i][j];
  return mrio_io::sparse_from_dense(d);
}

// Miller & Blair (2009) section 2.3: A = [0.15 0.25; 0.2 0.05], L = [1.2541 0.3300; 0.2640 1.1221].
TEST(Leontief, MillerBlairInverseMatchesThePublishedTable) {
  const auto A = from_dense({{0.15, 0.25}, {0.2, 0.05}});
  for (Method m : {Method::Dense, Method::DenseMixed, Method::Sparse, Method::Iterative}) {
    LeontiefSolver s(A, m);
    const auto L = s.leontief_inverse();  // column-major
    EXPECT_NEAR(L[0], 1.2541, 5e-5) << describe(m);
    EXPECT_NEAR(L[1], 0.2640, 5e-5);
    EXPECT_NEAR(L[2], 0.3300, 5e-5);
    EXPECT_NEAR(L[3], 1.1221, 5e-5);
    // Exact: L = [0.95 0.25; 0.2 0.85] / 0.7575.
    EXPECT_NEAR(L[0], 0.95 / 0.7575, 1e-12);
    EXPECT_NEAR(L[3], 0.85 / 0.7575, 1e-12);
    // x = L f with f = (350, 1700) gives the table's x = (1000, 2000).
    std::vector<double> f{350, 1700};
    s.solve(f, 1);
    EXPECT_NEAR(f[0], 1000, 1e-9);
    EXPECT_NEAR(f[1], 2000, 1e-9);
  }
}

// A random productive system: every method, plain and transposed, agrees and has a tiny residual.
TEST(Leontief, AllMethodsAgreeOnARandomSystem) {
  const size_t n = 300, k = 5;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  DenseMatrix d(n, n);
  for (size_t j = 0; j < n; ++j) {
    double col = 0;
    for (size_t i = 0; i < n; ++i)
      if (u(rng) < 0.1) col += d(i, j) = u(rng);
    const double target = 0.3 + 0.5 * u(rng);
    for (size_t i = 0; i < n; ++i) d(i, j) *= col > 0 ? target / col : 0;
  }
  const auto A = mrio_io::sparse_from_dense(d);
  std::vector<double> B(n * k);
  for (auto& b : B) b = u(rng);
  std::vector<std::vector<double>> sols, tsols;
  for (Method m : {Method::Dense, Method::DenseMixed, Method::Sparse, Method::Iterative}) {
    LeontiefSolver s(A, m);
    auto X = B, XT = B;
    s.solve(X, k);
    s.solve_transposed(XT, k);
    for (double r : leontief_residuals(A, X.data(), B.data(), k, false)) EXPECT_LT(r, 1e-13) << describe(m);
    for (double r : leontief_residuals(A, XT.data(), B.data(), k, true)) EXPECT_LT(r, 1e-13) << describe(m);
    // One column at a time gives the same residuals as the block of k.
    EXPECT_NEAR(leontief_residuals(A, X.data() + n, B.data() + n, 1, false)[0],
                leontief_residuals(A, X.data(), B.data(), k, false)[1], 1e-15);
    sols.push_back(X);
    tsols.push_back(XT);
  }
  for (size_t m = 1; m < sols.size(); ++m)
    for (size_t i = 0; i < n * k; ++i) {
      EXPECT_NEAR(sols[m][i], sols[0][i], 1e-11 * std::fabs(sols[0][i]) + 1e-14);
      EXPECT_NEAR(tsols[m][i], tsols[0][i], 1e-11 * std::fabs(tsols[0][i]) + 1e-14);
    }
}

TEST(Leontief, SingularAndNonProductiveSystemsAreClearErrors) {
  // Sector 0 uses exactly its own output as input: row and column 0 of I - A vanish.
  const auto A = from_dense({{1.0, 0.0}, {0.0, 0.5}});
  for (Method m : {Method::Dense, Method::Sparse}) {
    try {
      LeontiefSolver s(A, m);
      FAIL() << "expected an error from " << describe(m);
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::Data);
      EXPECT_NE(std::string(e.what()).find("I - A is singular"), std::string::npos) << e.what();
    }
  }
  // The iterative method has no factor to fail: a singular diagonal block sends it to the LU at once,
  // whose error is the same.
  try {
    LeontiefSolver s(A, Method::Iterative);
    FAIL() << "expected an error from the iterative method's fallback";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("I - A is singular"), std::string::npos) << e.what();
  }
  // Spectral radius above 1 (A not productive) but I - A invertible: the iterative solve gives the exact
  // solution, as the LU does (x = -1.25: the caller's check of negative outputs reports it).
  const auto B = from_dense({{0.9, 0.9}, {0.9, 0.9}});
  LeontiefSolver it(B, Method::Iterative), lu(B, Method::Dense);
  std::vector<double> y{1, 1}, z{1, 1};
  it.solve(y, 1);
  lu.solve(z, 1);
  EXPECT_NEAR(y[0], -1.25, 1e-12);
  EXPECT_NEAR(y[1], z[1], 1e-12);
}

// Mixed precision never fails where double works: when single precision cannot hold I - A (singular in
// float) or refinement stalls (condition number near 1/eps_single), it re-factorises in double.
TEST(Leontief, MixedPrecisionFallsBackToDoubleOnIllConditionedSystems) {
  for (double delta : {1e-8, 2e-8, 1e-6}) {
    // I - A = [0.5, -(0.5 - delta); -(0.5 - delta), 0.5]: eigenvalues delta and 1 - delta.
    const auto A = from_dense({{0.5, 0.5 - delta}, {0.5 - delta, 0.5}});
    LeontiefSolver dense(A, Method::Dense), mixed(A, Method::DenseMixed);
    std::vector<double> xd{1.0, 2.0}, xm = xd;
    const std::vector<double> y = xd;
    dense.solve(xd, 1);
    mixed.solve(xm, 1);
    EXPECT_LT(leontief_residuals(A, xm.data(), y.data(), 1, false)[0], 1e-12) << delta;
    for (size_t i = 0; i < 2; ++i) EXPECT_NEAR(xm[i], xd[i], 1e-9 * std::fabs(xd[i])) << delta;
    if (delta == 1e-8) {  // 0.5 - 1e-8 rounds to 0.5 in single precision: singular there
      EXPECT_TRUE(mixed.fell_back());
      EXPECT_EQ(mixed.method(), Method::Dense);
    }
    if (delta == 1e-6) {  // well enough conditioned: refined, no fallback, steps logged
      EXPECT_FALSE(mixed.fell_back());
      ASSERT_FALSE(mixed.refinement_log().empty());
      EXPECT_LT(mixed.refinement_log().back().residual, 1e-12);
    }
  }
}

TEST(Leontief, AutoPicksBySizeAndDensity) {
  EXPECT_EQ(choose_method(100, 10000), Method::Dense);
  std::string why;
  EXPECT_EQ(choose_method(9800, 30'000'000, &why), Method::Iterative);
  EXPECT_NE(why.find("GMRES"), std::string::npos);
  EXPECT_EQ(choose_method(50000, 500000), Method::Iterative);
  // The factorisation (Monte Carlo's shared factor, the iterative solve's fallback) keeps its rule.
  EXPECT_EQ(choose_factorisation(100, 10000), Method::Dense);
  EXPECT_EQ(choose_factorisation(9800, 30'000'000), Method::DenseMixed);
  EXPECT_EQ(choose_factorisation(50000, 500000, &why), Method::Sparse);
  EXPECT_NE(why.find("density"), std::string::npos);
}

}  // namespace
}  // namespace panocarbon::linalg
