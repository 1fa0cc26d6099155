// Internals of the MRIO Monte Carlo (src/mrio/montecarlo.cpp), shared with its tests: the preconditioned
// solve that reuses one factorisation of I - A for a perturbed I - A', and the draw of one cell.
#pragma once
#include <cstdint>
#include <vector>

#include "linalg/leontief.hpp"
#include "panocarbon/matrix.hpp"

namespace panocarbon::mrio_mc {

struct SolveStats {
  int iterations = 0;      // corrections applied (0: the first solve with the base factorisation was enough)
  bool fell_back = false;  // did not converge: solved with a factorisation of I - A' itself
  double residual = 0;     // largest relative residual ||B - (I - A')X|| / ||B|| over the columns at the end
};

// Solves (I - A') X = B (or (I - A')^T X = B) for k right-hand sides (B column-major n x k, overwritten by X)
// with the factorisation `base` of an unperturbed I - A (Dense or Sparse, shared read-only by threads):
//   X_0 = (I - A)^-1 B,   X_{m+1} = X_m + (I - A)^-1 (B - (I - A') X_m)
// until every column's relative residual is <= tolerance. The error contracts by about the spectral radius
// of (I - A)^-1 (A' - A) per step; GCR (below) does better by minimising the residual over the last steps'
// directions. When it has not converged after max_iterations steps, or stops improving, I - A' is
// factorised afresh (same method, one thread) and the draw is counted as a fallback.
// With refactorise, that is done directly (the reference the speedup is measured against).
class PreconditionedSolver {
 public:
  // `inverse`, when given, is (I - A)^-1 column-major (n x n, from base.leontief_inverse()): the corrections
  // are then one matrix product (dgemm) instead of two triangular solves, about twice as fast; X_0 is still
  // the LU solve, so an unperturbed A' gives exactly base's solution.
  // krylov: accelerate the iteration by GCR (restarted every 10 steps; its first step is the plain one);
  // false: the plain iteration above.
  PreconditionedSolver(const linalg::LeontiefSolver& base, int max_iterations, double tolerance,
                       const std::vector<double>* inverse = nullptr, bool krylov = true)
      : base_(base), inverse_(inverse), max_iterations_(max_iterations), tolerance_(tolerance), krylov_(krylov) {}
  SolveStats solve(const SparseRows& A_perturbed, std::vector<double>& B, size_t k, bool transposed,
                   bool refactorise = false);

 private:
  const linalg::LeontiefSolver& base_;
  const std::vector<double>* inverse_;
  int max_iterations_;
  double tolerance_;
  bool krylov_;
  std::vector<double> rhs_, r_, xb_, acc_, d_, zero_;
  std::vector<std::vector<double>> zs_, ws_;
};

// R = B - (I - A) X (or (I - A)^T), k columns; returns the largest ||R_c|| / ||B_c|| (||R_c|| when B_c = 0).
double residuals(const SparseRows& A, const double* X, const double* B, size_t k, bool transposed, double* R,
                 std::vector<double>& xb, std::vector<double>& acc);

// The factor a cell's value is multiplied by in draw `draw`: mean 1 and standard deviation rse.
// Lognormal: exp(σ z − σ²/2) with σ = sqrt(ln(1 + rse²)); normal: 1 + rse z; z = Φ⁻¹(u), u the engine's
// uniform of (seed, param, draw) — the same number as unc::sample() of the corresponding distribution.
// rse = 0 gives exactly 1.
double cell_factor(bool lognormal, double rse, uint64_t seed, uint64_t param, uint64_t draw);

}  // namespace panocarbon::mrio_mc
