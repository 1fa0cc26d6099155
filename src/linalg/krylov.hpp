// Iterative Leontief solves for large systems: restarted GMRES on the sparse A, right-preconditioned by
// block Jacobi (the LU-free inverses of the diagonal blocks I - A_bb, e.g. an MRIO's domestic blocks),
// all right-hand sides advancing together so that each pass over A serves every column (Saad, "Iterative
// Methods for Sparse Linear Systems", 2nd ed., SIAM 2003: GMRES 6.5, right preconditioning 9.3.2, block
// Jacobi 12.2). Pure maths: no files, no logging. Internal to linalg.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "panocarbon/matrix.hpp"

namespace panocarbon::linalg::krylov {

// One restart cycle of a solve: passes over A so far, the largest relative residual (2-norm, exact in
// double) of the columns after the cycle, and the cycle's time.
struct Cycle {
  int passes = 0;
  double residual = 0;
  double bound = 0;  // largest normwise forward-error bound of the columns (see KrylovSolver::solve)
  double seconds = 0;
};

struct Outcome {
  bool converged = false;
  int passes = 0;                  // products with A (or A^T): the cost of the solve
  std::vector<double> residuals;   // per column: ||y - (I - A) x||_2 / ||y||_2 (0 for y = 0)
  std::vector<Cycle> cycles;
  std::string why;                 // when not converged: what happened
};

// The kernels in use: 0 baseline x86-64 (or another architecture), 1 AVX2 + FMA, 2 AVX-512. Tests narrow
// it with force_simd_level (-1: back to the widest the processor has), as PANOCARBON_SIMD=baseline|avx2 does.
int simd_level_in_use();
void force_simd_level(int level);

class KrylovSolver {
 public:
  // `block`: size of the contiguous diagonal blocks used as the preconditioner (0: 256). A must outlive
  // the solver. ok() is false when a diagonal block I - A_bb is singular (callers then use an LU).
  KrylovSolver(const SparseRows& A, size_t block, int threads);
  bool ok() const { return ok_; }
  const std::string& not_ok_reason() const { return why_; }
  // c = max_j sum_i |A_ij|; when c < 1, ||(I - A)^-1||_1 <= 1 / (1 - c).
  double max_column_sum() const { return colsum_max_; }
  size_t block() const { return block_; }

  // B column-major n x k, overwritten with (I - A)^-1 B (or (I - A)^-T B) when the outcome converged, left
  // as it was otherwise. A column is accepted when its exact residual r = y - (I - A) x satisfies
  //   c < 1:  ||r|| / (1 - c) <= 1e-11 ||x||   (1-norm; inf-norm when transposed): the normwise relative
  //           error of x is then at most 1e-11 (||(I - A)^-1||_1 = ||(I - A)^-T||_inf <= 1 / (1 - c));
  //   c >= 1: ||r||_2 <= 1e-13 ||y||_2 (no bound on the inverse is known; the residual is then near the
  //           rounding level of forming it);
  //   or, for any c, ||r||_2 <= 1e-14 ||y||_2: the rounding level, where no solve in double precision does
  //           better (a dense LU's backward error is of the same order; with c near 1 the bound above can
  //           ask for less than that, as on WIOD, whose largest column sum is close to 1).
  // A restart cycle that does not halve the largest residual of the columns still open ends the solve
  // unconverged (the caller falls back to an LU), as do 400 products with A.
  Outcome solve(std::vector<double>& B, size_t k, bool transposed) const;

  // B (column-major n x k) <- M^-1 B, or M^-T B: the diagonal blocks' inverses alone (e.g. an MRIO's
  // domestic Leontief inverses (I - A_rr)^-1, which EEBT needs). False when ok() is false.
  bool apply_block_inverses(std::vector<double>& B, size_t k, bool transposed) const;

 private:
  const SparseRows* a_;
  size_t n_, block_;
  unsigned threads_;
  bool ok_ = true;
  std::string why_;
  double colsum_max_ = 0;
  std::vector<size_t> blocks_;          // block starts, then n
  std::vector<std::vector<double>> inv_;  // per block: (I - A_bb)^-1, column-major
  std::vector<size_t> panel_col_;       // column panels: starts, then n
  std::vector<int64_t> panel_ptr_;      // per row: offsets of each panel's first non-zero (panels + 1 each)
  std::vector<size_t> row_split_;       // rows per thread, balanced by non-zeros
};

}  // namespace panocarbon::linalg::krylov
