#include "linalg/krylov.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "linalg/leontief.hpp"
#include "mrio/common.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::linalg {
namespace {

// An MRIO-shaped A: `regions` blocks of `sectors`, `density` non-zero, domestic entries 40 times heavier,
// column sums drawn in [lo, hi] (the shape of ../shared/bench/make_synthetic_mrio.py).
SparseRows mrio_like(size_t regions, size_t sectors, double density, double lo, double hi, uint64_t seed) {
  const size_t n = regions * sectors;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::lognormal_distribution<double> ln(-6.0, 1.5);
  DenseMatrix d(n, n);
  for (size_t j = 0; j < n; ++j) {
    double col = 0;
    for (size_t i = 0; i < n; ++i)
      if (u(rng) < density) col += d(i, j) = ln(rng) * (i / sectors == j / sectors ? 40.0 : 1.0);
    const double target = lo + (hi - lo) * u(rng);
    for (size_t i = 0; i < n; ++i) d(i, j) *= col > 0 ? target / col : 0;
  }
  return mrio_io::sparse_from_dense(d);
}

std::vector<double> random_rhs(size_t n, size_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> B(n * k);
  for (auto& b : B) b = u(rng) < 0.5 ? std::exp(4 * u(rng)) : 0.0;
  return B;
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]) / std::max(std::fabs(b[i]), 1e-300));
  return worst;
}

// The iterative solve against the dense LU, plain and transposed, on one and two threads, with more right-
// hand sides than one register block (k = 70: 64 + 8 columns) and zero columns among them.
TEST(Krylov, MatchesTheDenseLuOnAnMrioShapedSystem) {
  const auto A = mrio_like(8, 40, 0.3, 0.3, 0.8, 1);
  const size_t n = A.rows;
  for (size_t k : {1u, 3u, 49u, 70u}) {
    auto B = random_rhs(n, k, 2 + k);
    for (size_t i = 0; i < n; ++i) B[i] = 0;  // a zero right-hand side: its solution is zero
    LeontiefSolver lu(A, Method::Dense);
    for (int threads : {1, 2}) {
      LeontiefSolver it(A, Method::Iterative, threads, 40);
      for (bool transposed : {false, true}) {
        auto want = B, got = B;
        transposed ? lu.solve_transposed(want, k) : lu.solve(want, k);
        transposed ? it.solve_transposed(got, k) : it.solve(got, k);
        EXPECT_EQ(it.method(), Method::Iterative);
        EXPECT_FALSE(it.fell_back());
        EXPECT_LT(max_rel_diff(got, want), 1e-10) << k << " " << threads << " " << transposed;
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(got[i], 0.0);
        // The exact residuals it reports are the ones an independent pass computes.
        ASSERT_EQ(it.last_residuals().size(), k);
        const auto res = leontief_residuals(A, got.data(), B.data(), k, transposed);
        for (size_t c = 0; c < k; ++c) {
          EXPECT_LT(it.last_residuals()[c], 1e-12);
          EXPECT_NEAR(it.last_residuals()[c], res[c], 1e-14);
        }
        if (k > 1) {  // k = 1: its only column is zero, no product needed
          EXPECT_GT(it.iterations(), 0);
        }
        EXPECT_LT(it.iterations(), 60);
      }
    }
  }
}

// A known inverse (Sherman-Morrison): A = c u v^T gives (I - A)^-1 = I + c u v^T / (1 - c v^T u).
TEST(Krylov, ReproducesAKnownInverse) {
  const size_t n = 200;
  std::vector<double> u(n), v(n);
  for (size_t i = 0; i < n; ++i) {
    u[i] = 1.0 + double(i % 7) / 7.0;
    v[i] = 1.0 / double(n) * (1.0 + double(i % 3) / 3.0);
  }
  double vu = 0;
  for (size_t i = 0; i < n; ++i) vu += v[i] * u[i];
  const double c = 0.6 / vu;  // spectral radius 0.6
  DenseMatrix d(n, n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) d(i, j) = c * u[i] * v[j];
  const auto A = mrio_io::sparse_from_dense(d);
  LeontiefSolver it(A, Method::Iterative, 1, 16);
  const auto L = it.leontief_inverse();  // column-major
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      const double want = (i == j ? 1.0 : 0.0) + c * u[i] * v[j] / (1 - c * vu);
      // The stopping rule bounds the error of each column in the 1-norm (the columns' norms are about 2).
      EXPECT_NEAR(L[j * n + i], want, 1e-11 * std::fabs(want) + 1e-13) << i << " " << j;
    }
}

// The stopping rule: with c = max column sum < 1, ||r||_1 / (1 - c) <= 1e-11 ||x||_1 bounds the error of x.
TEST(Krylov, ErrorIsWithinTheStatedBound) {
  const auto A = mrio_like(6, 50, 0.4, 0.6, 0.95, 3);  // column sums up to 0.95: 1 / (1 - c) up to 20
  const size_t n = A.rows, k = 4;
  const auto B = random_rhs(n, k, 4);
  krylov::KrylovSolver ks(A, 50, 1);
  ASSERT_TRUE(ks.ok());
  EXPECT_LT(ks.max_column_sum(), 0.95 + 1e-12);
  auto X = B;
  const auto out = ks.solve(X, k, false);
  ASSERT_TRUE(out.converged) << out.why;
  ASSERT_FALSE(out.cycles.empty());
  EXPECT_LE(out.cycles.back().bound, 1e-11);
  LeontiefSolver lu(A, Method::Dense);
  auto want = B;
  lu.solve(want, k);
  for (size_t c = 0; c < k; ++c) {
    double err = 0, norm = 0;
    for (size_t i = 0; i < n; ++i) {
      err += std::fabs(X[c * n + i] - want[c * n + i]);
      norm += std::fabs(want[c * n + i]);
    }
    EXPECT_LE(err, 1e-11 * norm) << c;
  }
}

// Every kernel (baseline x86-64, AVX2 + FMA, AVX-512: whatever this processor has) gives the same answers.
TEST(Krylov, KernelsAgree) {
  for (size_t k : {3u, 13u}) {  // a row stride of 4 (one 4-column register) and of 16 (two of 8)
  const auto A = mrio_like(5, 30, 0.3, 0.3, 0.8, 5);
  const size_t n = A.rows;
  const auto B = random_rhs(n, k, 6);
  std::vector<std::vector<double>> sols;
  const int widest = krylov::simd_level_in_use();
  for (int level = 0; level <= widest; ++level) {
    krylov::force_simd_level(level);
    EXPECT_EQ(krylov::simd_level_in_use(), level);
    for (bool transposed : {false, true}) {
      LeontiefSolver it(A, Method::Iterative, 2, 30);
      auto X = B;
      transposed ? it.solve_transposed(X, k) : it.solve(X, k);
      sols.push_back(X);
    }
  }
  krylov::force_simd_level(-1);
  EXPECT_EQ(krylov::simd_level_in_use(), widest);
  for (size_t s = 2; s < sols.size(); ++s) EXPECT_LT(max_rel_diff(sols[s], sols[s % 2]), 1e-11) << s;
  }
}

// A system block Jacobi cannot help (A a scaled cycle, eigenvalues spread on a circle of radius 0.999):
// restarted GMRES stalls, the solver says so and falls back to an LU, with the LU's answers.
TEST(Krylov, FallsBackToAnLuWhenItStalls) {
  const size_t n = 400;
  DenseMatrix d(n, n);
  for (size_t i = 0; i < n; ++i) d((i + 1) % n, i) = 0.999;
  const auto A = mrio_io::sparse_from_dense(d);
  LeontiefSolver it(A, Method::Iterative, 1, 1);
  std::vector<double> x(n, 0.0);
  x[0] = 1;
  const auto y = x;
  it.solve(x, 1);
  EXPECT_TRUE(it.fell_back());
  EXPECT_EQ(it.method(), Method::Dense);
  EXPECT_NE(it.fallback_reason().find("stalled"), std::string::npos) << it.fallback_reason();
  LeontiefSolver lu(A, Method::Dense);
  auto want = y;
  lu.solve(want, 1);
  EXPECT_LT(max_rel_diff(x, want), 1e-12);
  // Later solves use the LU directly.
  auto again = y;
  it.solve(again, 1);
  EXPECT_EQ(again, x);
}

// A singular diagonal block (a sector whose own input equals its output) leaves the preconditioner
// undefined: the solver factorises instead, and says why.
TEST(Krylov, SingularDiagonalBlockFallsBackAtOnce) {
  const auto A = [] {
    DenseMatrix d(4, 4);
    d(0, 0) = 1.0;  // block {0, 1} of I - A singular ...
    d(0, 2) = 0.5;
    d(2, 2) = 0.2;
    d(3, 3) = 0.1;
    d(1, 1) = 0.3;
    return mrio_io::sparse_from_dense(d);
  }();
  // ... I - A has a zero first column, so it is singular too: the LU reports it, with a sector index.
  try {
    LeontiefSolver it(A, Method::Iterative, 1, 2);
    FAIL() << "expected the LU's error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("I - A is singular (zero pivot at sector index"), std::string::npos)
        << e.what();
  }
  krylov::KrylovSolver ks(A, 2, 1);
  EXPECT_FALSE(ks.ok());
  EXPECT_NE(ks.not_ok_reason().find("diagonal block of sectors 0 to 1"), std::string::npos) << ks.not_ok_reason();
}

// Shared between threads (as Monte Carlo does with a factor): solve_shared gives the same answers.
TEST(Krylov, SharedSolveMatchesAndEmptyInputsAreFine) {
  const auto A = mrio_like(4, 25, 0.3, 0.3, 0.8, 9);
  const size_t n = A.rows;
  LeontiefSolver it(A, Method::Iterative, 1, 25);
  auto a = random_rhs(n, 2, 10), b = a;
  it.solve(a, 2);
  it.solve_shared(b, 2, false);
  EXPECT_LT(max_rel_diff(b, a), 1e-12);
  std::vector<double> none;
  it.solve(none, 0);
  EXPECT_TRUE(none.empty());
  std::vector<double> wrong(3);
  EXPECT_THROW(it.solve(wrong, 1), Error);
}

}  // namespace
}  // namespace panocarbon::linalg

namespace panocarbon::linalg {
namespace {

// The preconditioner alone: B <- (I - A_bb)^-1 B block by block (EEBT's domestic multipliers), as a dense LU
// of each diagonal block gives; only when the block size matches.
TEST(Krylov, BlockInversesMatchTheDiagonalBlocksLu) {
  const size_t regions = 3, sectors = 20, n = regions * sectors, k = 2;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  DenseMatrix d(n, n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (u(rng) < 0.4) d(i, j) = 0.02 * u(rng);
  const auto A = mrio_io::sparse_from_dense(d);
  LeontiefSolver it(A, Method::Iterative, 1, sectors);
  std::vector<double> B(n * k);
  for (auto& b : B) b = u(rng);
  for (bool transposed : {false, true}) {
    auto got = B;
    ASSERT_TRUE(it.apply_block_inverses(got, k, transposed, sectors));
    for (size_t r = 0; r < regions; ++r) {
      DenseMatrix blk(sectors, sectors);
      for (size_t a = 0; a < sectors; ++a)
        for (size_t b = 0; b < sectors; ++b) blk(a, b) = d(r * sectors + a, r * sectors + b);
      LeontiefSolver dom(mrio_io::sparse_from_dense(blk), Method::Dense, 1);
      std::vector<double> want(sectors * k);
      for (size_t c = 0; c < k; ++c)
        for (size_t a = 0; a < sectors; ++a) want[c * sectors + a] = B[c * n + r * sectors + a];
      transposed ? dom.solve_transposed(want, k) : dom.solve(want, k);
      for (size_t c = 0; c < k; ++c)
        for (size_t a = 0; a < sectors; ++a)
          EXPECT_NEAR(got[c * n + r * sectors + a], want[c * sectors + a], 1e-14 * std::fabs(want[c * sectors + a]));
    }
  }
  auto untouched = B;
  EXPECT_FALSE(it.apply_block_inverses(untouched, k, false, sectors + 1));  // another block size
  LeontiefSolver lu(A, Method::Dense);
  EXPECT_FALSE(lu.apply_block_inverses(untouched, k, false, sectors));  // not the iterative method
  EXPECT_EQ(untouched, B);
}

}  // namespace
}  // namespace panocarbon::linalg
