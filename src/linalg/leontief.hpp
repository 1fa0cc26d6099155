// Solves with the Leontief matrix I - A, factorised once and reused for every right-hand side (bw2calc:
// "matrix inversion is a sin"). Pure maths: no files, no logging.
//
//   solve:            (I - A) X = B        (X = L B, e.g. outputs x = L y)
//   solve_transposed: (I - A)^T X = B      (X^T = B^T L, e.g. multipliers M = S L from B = S^T)
//
// Methods: dense LU with partial pivoting (LAPACK dgetrf/dgetrs from OpenBLAS), sparse LU (SuiteSparse
// UMFPACK), or the iterative solve (linalg/krylov.hpp): restarted GMRES on the sparse A, right-preconditioned
// with the inverses of the diagonal blocks of I - A (an MRIO's domestic blocks), every right-hand side
// advancing together. It needs no factor of I - A; when it stalls, it falls back to an LU (fell_back()).
//
// A is given by rows (CSR). Its row-major dense copy of I - A is the column-major storage of (I - A)^T,
// so the dense path factorises (I - A)^T in place without a transposed copy and swaps 'N'/'T' in dgetrs.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "panocarbon/matrix.hpp"

namespace panocarbon::linalg {

enum class Method { Dense, DenseMixed, Sparse, Iterative };

// One refinement step of a mixed-precision solve: how many right-hand sides, the step, the largest relative
// residual after it, and its time (sgetrs + the double residual pass). Callers may report them.
struct RefinementStep {
  size_t rhs = 0;
  int step = 0;
  double residual = 0;
  double seconds = 0;
};

// DenseMixed factorises in single precision (sgetrf: half the memory and about half the time of dgetrf)
// and refines every solution in double precision against the exact sparse A (the classical mixed-
// precision iterative refinement of LAPACK's dsgesv; Buttari et al. 2007): x <- x + U^-1 L^-1 (y - (I - A) x)
// until the double residual stops falling. If it does not reach 1e-12 it falls back to a double LU.
//
// The choice `auto` makes: dense (double) up to 2,000 sectors; above that, the iterative solve (products
// with the sparse A cost nnz per right-hand side, a factor n^3 / 3 or its fill-in). `why` says which rule applied.
Method choose_method(size_t n, size_t nnz, std::string* why = nullptr);
// The factorisation for callers that need one (reused across many solves, shared between threads, or the
// fallback of the iterative solve): dense (double) up to 2,000 sectors; above that, mixed-precision dense
// when more than 5 % of A is non-zero (LU fill-in would make a sparse factor dense anyway), else sparse.
Method choose_factorisation(size_t n, size_t nnz, std::string* why = nullptr);
std::string describe(Method m);

class LeontiefSolver {
 public:
  // Factorises I - A. The Iterative and DenseMixed methods keep a reference to A: it must outlive the
  // solver. Throws Error{Data} when I - A is singular (the message names the pivot's sector
  // index; the caller maps it to labels). `block`: the size of the diagonal blocks that precondition the
  // iterative solve (an MRIO's sectors per region; 0: 256).
  LeontiefSolver(const SparseRows& A, Method method, int threads = 0, size_t block = 0);
  ~LeontiefSolver();
  LeontiefSolver(LeontiefSolver&&) noexcept;

  // B is column-major n x k; overwritten with the solution.
  void solve(std::vector<double>& B, size_t k) const;
  void solve_transposed(std::vector<double>& B, size_t k) const;

  Method method() const { return method_; }
  size_t n() const { return n_; }
  int iterations() const { return iterations_; }  // iterative / refinement steps of the hardest solve
  // Mixed precision did not converge (re-factorised in double), or the iterative solve stalled (factorised
  // with choose_factorisation's method); fallback_reason() says why.
  bool fell_back() const { return fell_back_; }
  const std::string& fallback_reason() const { return fallback_reason_; }
  // Mixed precision and the iterative solve compute the exact double residual of every solution: the relative
  // residuals of the last solve's columns (empty for the other methods, which callers check themselves).
  // The refinement log has one step per refinement step, or per restart cycle of the iterative solve (its
  // `step` is then the number of products with A so far).
  const std::vector<double>& last_residuals() const { return last_residuals_; }
  const std::vector<RefinementStep>& refinement_log() const { return refinement_log_; }
  double factorise_seconds() const { return factorise_s_; }

  // The same solve without touching the solver's state (no residual or iteration bookkeeping), so that
  // several threads may share one factorisation: B = (I - A)^-1 B, or (I - A)^-T B when transposed. For
  // Dense, Sparse (built with threads = 1, else its columns use threads of their own) and Iterative;
  // DenseMixed refines and may re-factorise, so it throws Error{Internal}. Dense calls LAPACK from the
  // calling thread: callers running several at once keep OpenBLAS to one thread.
  void solve_shared(std::vector<double>& B, size_t k, bool transposed) const;

  // The iterative method's preconditioner alone: B <- M^-1 B (or M^-T B), M the block diagonal of I - A
  // with blocks of `block` sectors (an MRIO's domestic blocks I - A_rr). False (B untouched) when this
  // solver has no such blocks (another method, a fallback, or another block size).
  bool apply_block_inverses(std::vector<double>& B, size_t k, bool transposed, size_t block) const;

  // Builds L = (I - A)^-1 (column-major n x n) from the same factorisation. Only on request: n^2 memory.
  std::vector<double> leontief_inverse() const;

  struct Impl;

 private:
  void solve_any(std::vector<double>& B, size_t k, bool transposed) const;
  mutable Method method_;
  size_t n_;
  mutable int iterations_ = 0;
  mutable bool fell_back_ = false;
  mutable std::string fallback_reason_;
  size_t block_ = 0;
  int threads_arg_ = 0;
  mutable std::vector<double> last_residuals_;
  mutable std::vector<RefinementStep> refinement_log_;
  double factorise_s_ = 0;
  mutable std::unique_ptr<Impl> impl_;
};

// Residuals of k right-hand sides at once (X, Y column-major n x k), one pass over A on `threads` threads:
// per column ||(I - A) x - y|| / ||y|| (or with (I - A)^T). When R is given it receives y - (I - A) x.
std::vector<double> leontief_residuals(const SparseRows& A, const double* X, const double* Y, size_t k, bool transposed,
                                       int threads = 0, std::vector<double>* R = nullptr);

}  // namespace panocarbon::linalg
