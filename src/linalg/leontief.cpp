#include "linalg/leontief.hpp"

#include "linalg/krylov.hpp"

#include <suitesparse/umfpack.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "panocarbon/error.hpp"

extern "C" {
// LAPACK (OpenBLAS), Fortran calling convention.
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
             double* b, const int* ldb, int* info);
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void sgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda, const int* ipiv,
             float* b, const int* ldb, int* info);
}

namespace panocarbon::linalg {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
int as_int(size_t v) {
  if (v > 2147483647u) throw Error(ErrorCategory::Data, "matrix too large for the dense solver; use --solver sparse");
  return static_cast<int>(v);
}
unsigned thread_count(int threads) {
  if (threads > 0) return static_cast<unsigned>(threads);
  return std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

Method choose_factorisation(size_t n, size_t nnz, std::string* why) {
  const double density = n ? double(nnz) / (double(n) * double(n)) : 0;
  Method m;
  std::string reason;
  if (n <= 2000) {
    m = Method::Dense;
    reason = "n <= 2000: a dense LU takes milliseconds";
  } else if (density > 0.05) {
    m = Method::DenseMixed;
    reason = "n > 2000 and density above 5 %: a sparse LU would fill in to dense; single precision halves the "
             "factor's memory and time, refinement restores double accuracy";
  } else {
    m = Method::Sparse;
    reason = "n > 2000 and density <= 5 %";
  }
  if (why) *why = reason + " (n = " + std::to_string(n) + ", density = " + std::to_string(density * 100) + " %)";
  return m;
}

Method choose_method(size_t n, size_t nnz, std::string* why) {
  if (n <= 2000) return choose_factorisation(n, nnz, why);
  const double density = n ? double(nnz) / (double(n) * double(n)) : 0;
  if (why)
    *why = "n > 2000: preconditioned GMRES needs a few dozen products with the sparse A (nnz operations per "
           "right-hand side) and no n x n factor; it falls back to an LU if it stalls (n = " +
           std::to_string(n) + ", density = " + std::to_string(density * 100) + " %)";
  return Method::Iterative;
}

std::string describe(Method m) {
  switch (m) {
    case Method::Dense: return "dense LU (LAPACK dgetrf/dgetrs, OpenBLAS)";
    case Method::DenseMixed:
      return "dense LU in single precision with iterative refinement in double (LAPACK sgetrf/sgetrs, OpenBLAS)";
    case Method::Sparse: return "sparse LU (SuiteSparse UMFPACK)";
    case Method::Iterative:
      return "iterative (GMRES on the sparse A, preconditioned by the diagonal blocks of I - A)";
  }
  return "?";
}

struct LeontiefSolver::Impl {
  // Dense: LU of (I - A)^T in column-major (= I - A row-major), pivots.
  BigVector<double> lu;
  std::vector<int> ipiv;
  BigVector<float> lu32;  // DenseMixed
  // Sparse: I - A by rows = (I - A)^T by columns, as UMFPACK wants (compressed columns).
  std::vector<SuiteSparse_long> ap, ai;
  std::vector<double> ax;
  void* numeric = nullptr;
  // Iterative (and DenseMixed): A itself, by rows.
  const SparseRows* a = nullptr;
  std::unique_ptr<krylov::KrylovSolver> krylov;
  int threads = 1;
  ~Impl() {
    if (numeric) umfpack_dl_free_numeric(&numeric);
  }
};

LeontiefSolver::LeontiefSolver(LeontiefSolver&&) noexcept = default;
LeontiefSolver::~LeontiefSolver() = default;

namespace {
// Runs f(i) for i in [0, n) in contiguous blocks on up to `threads` threads.
template <class F>
void parallel_rows(size_t n, int threads, F&& f) {
  const size_t t = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(1, threads)), n / 64 + 1));
  std::vector<std::thread> pool;
  for (size_t w = 1; w < t; ++w)
    pool.emplace_back([&, w] {
      for (size_t i = n * w / t; i < n * (w + 1) / t; ++i) f(i);
    });
  for (size_t i = 0; i < n / t; ++i) f(i);
  for (auto& th : pool) th.join();
}

}  // namespace

LeontiefSolver::LeontiefSolver(const SparseRows& A, Method method, int threads, size_t block)
    : method_(method), n_(A.rows), block_(block), threads_arg_(threads), impl_(std::make_unique<Impl>()) {
  if (A.rows != A.cols) throw Error(ErrorCategory::Internal, "A must be square");
  impl_->threads = static_cast<int>(thread_count(threads));
  const auto t0 = std::chrono::steady_clock::now();
  const size_t n = n_;
  if (method == Method::Iterative) {
    impl_->a = &A;
    // Small systems on one thread: starting threads would cost more than a product with A.
    const int t = threads > 0 ? impl_->threads : (A.nnz() < 200000 ? 1 : impl_->threads);
    impl_->krylov = std::make_unique<krylov::KrylovSolver>(A, block, t);
    if (!impl_->krylov->ok()) {  // a singular diagonal block: no preconditioner, factorise instead
      fallback_reason_ = impl_->krylov->not_ok_reason();
      impl_->krylov.reset();
      fell_back_ = true;
      method_ = method = choose_factorisation(n, A.nnz());
    }
  }
  if (method == Method::DenseMixed) {
    impl_->a = &A;
    auto& m = impl_->lu32;
    m.resize(n * n);
    // Rows filled on all threads (first touch of 0.4 GB is most of the cost).
    parallel_rows(n, impl_->threads, [&](size_t i) {
      float* row = m.data() + i * n;
      std::fill(row, row + n, 0.0f);
      for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) row[A.col[p]] = static_cast<float>(-A.value[p]);
      row[i] += 1.0f;
    });
    impl_->ipiv.resize(n);
    const int ni = as_int(n);
    int info = 0;
    if (n > 0) sgetrf_(&ni, &ni, m.data(), &ni, impl_->ipiv.data(), &info);
    if (info != 0) {  // singular in single precision: try double
      decltype(impl_->lu32)().swap(m);
      method_ = method = Method::Dense;
      fell_back_ = true;
    }
  }
  if (method == Method::Dense) {
    auto& m = impl_->lu;
    m.resize(n * n);
    parallel_rows(n, impl_->threads, [&](size_t i) {
      double* row = m.data() + i * n;
      std::fill(row, row + n, 0.0);
      for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) row[A.col[p]] = -A.value[p];
      row[i] += 1.0;
    });
    impl_->ipiv.resize(n);
    const int ni = as_int(n);
    int info = 0;
    if (n > 0) dgetrf_(&ni, &ni, m.data(), &ni, impl_->ipiv.data(), &info);
    if (info > 0)
      throw Error(ErrorCategory::Data, "I - A is singular (zero pivot at sector index " + std::to_string(info - 1) +
                                           "): a sector's inputs equal its output, or rows are linearly dependent; "
                                           "check A's column sums (each must be below 1)");
    if (info < 0) throw Error(ErrorCategory::Internal, "dgetrf: bad argument " + std::to_string(-info));
  } else if (method == Method::DenseMixed) {
    // factorised above
  } else if (method == Method::Sparse) {
    // Compressed columns of (I - A)^T = compressed rows of I - A, with the diagonal merged in.
    auto& ap = impl_->ap;
    auto& ai = impl_->ai;
    auto& ax = impl_->ax;
    ap.assign(n + 1, 0);
    ai.reserve(A.nnz() + n);
    ax.reserve(A.nnz() + n);
    for (size_t i = 0; i < n; ++i) {
      bool diag = false;
      std::vector<std::pair<uint32_t, double>> row;
      row.reserve(static_cast<size_t>(A.row_start[i + 1] - A.row_start[i]) + 1);
      for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
        double v = -A.value[p];
        if (A.col[p] == i) {
          v += 1.0;
          diag = true;
        }
        row.emplace_back(A.col[p], v);
      }
      if (!diag) row.emplace_back(static_cast<uint32_t>(i), 1.0);
      std::sort(row.begin(), row.end());
      for (auto& [c, v] : row) {
        ai.push_back(static_cast<SuiteSparse_long>(c));
        ax.push_back(v);
      }
      ap[i + 1] = static_cast<SuiteSparse_long>(ai.size());
    }
    double control[UMFPACK_CONTROL], info[UMFPACK_INFO];
    umfpack_dl_defaults(control);
    void* symbolic = nullptr;
    const auto nl = static_cast<SuiteSparse_long>(n);
    SuiteSparse_long status = umfpack_dl_symbolic(nl, nl, ap.data(), ai.data(), ax.data(), &symbolic, control, info);
    if (status != UMFPACK_OK)
      throw Error(ErrorCategory::Internal, "UMFPACK symbolic analysis failed, status " + std::to_string(status));
    status = umfpack_dl_numeric(ap.data(), ai.data(), ax.data(), symbolic, &impl_->numeric, control, info);
    umfpack_dl_free_symbolic(&symbolic);
    if (status == UMFPACK_WARNING_singular_matrix)
      throw Error(ErrorCategory::Data,
                  "I - A is singular (UMFPACK found a zero pivot): a sector's inputs equal its output, or rows are "
                  "linearly dependent; check A's column sums (each must be below 1)");
    if (status != UMFPACK_OK)
      throw Error(ErrorCategory::Internal, "UMFPACK numeric factorisation failed, status " + std::to_string(status));
  }
  factorise_s_ = seconds_since(t0);
}

namespace {
// Runs f(j) for j in [0, k) on up to `threads` threads.
template <class F>
void parallel_columns(size_t k, int threads, F&& f) {
  const size_t t = std::min<size_t>(static_cast<size_t>(std::max(1, threads)), k);
  if (t <= 1) {
    for (size_t j = 0; j < k; ++j) f(j);
    return;
  }
  std::vector<std::thread> pool;
  std::exception_ptr failure;
  std::mutex mu;
  for (size_t w = 0; w < t; ++w)
    pool.emplace_back([&, w] {
      try {
        for (size_t j = w; j < k; j += t) f(j);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure) failure = std::current_exception();
      }
    });
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
}
}  // namespace

namespace {
void solve_impl(const LeontiefSolver::Impl& im, Method method, size_t n,
                std::vector<double>& B, size_t k, bool transposed, int& iterations) {
  if (B.size() != n * k) throw Error(ErrorCategory::Internal, "right-hand side has the wrong size");
  if (n == 0 || k == 0) return;
  if (method == Method::Dense) {
    // im.lu holds the LU of (I - A)^T: (I - A) X = B is its transposed solve.
    const char trans = transposed ? 'N' : 'T';
    const int ni = as_int(n), ki = as_int(k);
    int info = 0;
    dgetrs_(&trans, &ni, &ki, im.lu.data(), &ni, im.ipiv.data(), B.data(), &ni, &info);
    if (info != 0) throw Error(ErrorCategory::Internal, "dgetrs failed: " + std::to_string(info));
  } else if (method == Method::Sparse) {
    // UMFPACK holds (I - A)^T: UMFPACK_A solves (I - A)^T x = b, UMFPACK_At solves (I - A) x = b.
    const int sys = transposed ? UMFPACK_A : UMFPACK_At;
    parallel_columns(k, im.threads, [&](size_t j) {
      std::vector<double> b(B.begin() + static_cast<std::ptrdiff_t>(j * n),
                            B.begin() + static_cast<std::ptrdiff_t>((j + 1) * n));
      std::vector<SuiteSparse_long> wi(n);
      std::vector<double> w(5 * n);
      double control[UMFPACK_CONTROL], info[UMFPACK_INFO];
      umfpack_dl_defaults(control);
      const auto status = umfpack_dl_wsolve(sys, im.ap.data(), im.ai.data(), im.ax.data(), B.data() + j * n, b.data(),
                                            im.numeric, control, info, wi.data(), w.data());
      if (status != UMFPACK_OK) throw Error(ErrorCategory::Internal, "UMFPACK solve failed: " + std::to_string(status));
    });
  } else {
    // Iterative, shared between threads: no fallback here (it would change the solver's state).
    const auto outcome = im.krylov->solve(B, k, transposed);
    if (!outcome.converged)
      throw Error(ErrorCategory::Data, "the iterative Leontief solve did not converge (" + outcome.why +
                                           "); use --solver dense or --solver sparse");
    iterations = std::max(iterations, outcome.passes);
  }
}
}  // namespace

namespace {
// x <- x + LU32^-1 (b - M x), M = I - A or its transpose, until the double residual stops falling.
// Returns false when it does not reach 1e-12 (then the caller falls back to a double factorisation).
bool refine_mixed(const LeontiefSolver::Impl& im, size_t n, std::vector<double>& B, size_t k, bool transposed,
                  int& iterations, std::vector<double>& residuals, std::vector<RefinementStep>& log) {
  const char trans = transposed ? 'N' : 'T';  // lu32 holds the LU of (I - A)^T
  const int ni = as_int(n), ki = as_int(k);
  const std::vector<double> rhs = B;
  std::vector<double> X(n * k, 0.0), R = B;
  std::vector<float> r32(n * k);
  std::vector<double> prev(k, INFINITY);
  for (int it = 0; it < 30; ++it) {
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n * k; ++i) r32[i] = static_cast<float>(R[i]);
    int info = 0;
    sgetrs_(&trans, &ni, &ki, im.lu32.data(), &ni, im.ipiv.data(), r32.data(), &ni, &info);
    if (info != 0) throw Error(ErrorCategory::Internal, "sgetrs failed: " + std::to_string(info));
    for (size_t i = 0; i < n * k; ++i) X[i] += static_cast<double>(r32[i]);
    const auto rel = leontief_residuals(*im.a, X.data(), rhs.data(), k, transposed, im.threads, &R);
    iterations = std::max(iterations, it + 1);
    double worst = 0, worst_ratio = 0;
    for (size_t j = 0; j < k; ++j) {
      worst = std::max(worst, rel[j]);
      worst_ratio = std::max(worst_ratio, prev[j] > 0 ? rel[j] / prev[j] : 0.0);
      prev[j] = rel[j];
    }
    log.push_back({k, it + 1, worst, seconds_since(t0)});
    // 1e-14 relative is at the level of a double LU's own backward error for these systems.
    if (worst <= 1e-14 || (it > 0 && worst_ratio > 0.5)) {
      if (worst > 1e-12) return false;
      B.swap(X);
      residuals = rel;
      return true;
    }
  }
  return false;
}
}  // namespace

void LeontiefSolver::solve(std::vector<double>& B, size_t k) const { solve_any(B, k, false); }
void LeontiefSolver::solve_transposed(std::vector<double>& B, size_t k) const { solve_any(B, k, true); }

void LeontiefSolver::solve_any(std::vector<double>& B, size_t k, bool transposed) const {
  last_residuals_.clear();
  if (method_ == Method::Iterative) {
    if (B.size() != n_ * k) throw Error(ErrorCategory::Internal, "right-hand side has the wrong size");
    auto outcome = impl_->krylov->solve(B, k, transposed);
    for (const auto& c : outcome.cycles) refinement_log_.push_back({k, c.passes, c.residual, c.seconds});
    iterations_ = std::max(iterations_, outcome.passes);
    if (outcome.converged) {
      last_residuals_ = std::move(outcome.residuals);
      return;
    }
    // Stalled (I - A far from what block Jacobi captures, or too ill-conditioned): factorise, once.
    const SparseRows& A = *impl_->a;
    LeontiefSolver lu(A, choose_factorisation(n_, A.nnz()), threads_arg_);
    impl_.swap(lu.impl_);
    method_ = lu.method_;
    fell_back_ = true;
    fallback_reason_ = outcome.why;
    solve_any(B, k, transposed);
    return;
  }
  if (method_ == Method::DenseMixed) {
    if (B.size() != n_ * k) throw Error(ErrorCategory::Internal, "right-hand side has the wrong size");
    if (n_ == 0 || k == 0) return;
    if (refine_mixed(*impl_, n_, B, k, transposed, iterations_, last_residuals_, refinement_log_)) return;
    // Did not converge (I - A too ill-conditioned for single precision): factorise in double, once.
    decltype(impl_->lu32)().swap(impl_->lu32);
    LeontiefSolver dense(*impl_->a, Method::Dense, impl_->threads);
    impl_.swap(dense.impl_);
    method_ = Method::Dense;
    fell_back_ = true;
  }
  solve_impl(*impl_, method_, n_, B, k, transposed, iterations_);
}

void LeontiefSolver::solve_shared(std::vector<double>& B, size_t k, bool transposed) const {
  if (method_ == Method::DenseMixed)
    throw Error(ErrorCategory::Internal, "solve_shared: the mixed-precision solver cannot be shared between threads");
  int iterations = 0;
  solve_impl(*impl_, method_, n_, B, k, transposed, iterations);
}

bool LeontiefSolver::apply_block_inverses(std::vector<double>& B, size_t k, bool transposed, size_t block) const {
  if (method_ != Method::Iterative || !impl_->krylov || impl_->krylov->block() != block) return false;
  return impl_->krylov->apply_block_inverses(B, k, transposed);
}

std::vector<double> LeontiefSolver::leontief_inverse() const {
  // Columns of the identity in blocks of 256, so the working memory of a solve (refinement keeps several
  // copies of its right-hand sides) stays small next to L itself.
  std::vector<double> l(n_ * n_, 0.0);
  const size_t block = 256;
  std::vector<double> b;
  for (size_t j0 = 0; j0 < n_; j0 += block) {
    const size_t k = std::min(block, n_ - j0);
    b.assign(n_ * k, 0.0);
    for (size_t j = 0; j < k; ++j) b[j * n_ + j0 + j] = 1.0;
    solve(b, k);
    std::copy(b.begin(), b.end(), l.begin() + static_cast<std::ptrdiff_t>(j0 * n_));
  }
  return l;
}

std::vector<double> leontief_residuals(const SparseRows& A, const double* X, const double* Y, size_t k, bool transposed,
                                       int threads, std::vector<double>* R) {
  const size_t n = A.rows;
  // Row-major copies (k values per sector contiguous) so that each non-zero of A updates k values at once.
  std::vector<double> xr(n * k);
  for (size_t j = 0; j < k; ++j)
    for (size_t i = 0; i < n; ++i) xr[i * k + j] = X[j * n + i];
  std::vector<double> ax(n * k, 0.0);  // A X, or A^T X
  const unsigned t = std::max(1u, std::min<unsigned>(thread_count(threads), 8u));
  std::vector<std::thread> pool;
  if (!transposed) {
    // Column blocks of 16 (two cache lines of x per non-zero): the block of x stays in L2 while A streams
    // through once per block, which beats touching k/8 lines of an L3-resident x for every non-zero.
    constexpr size_t kBlock = 16;
    std::vector<double> xb;
    for (size_t c0 = 0; c0 < k; c0 += kBlock) {
      const size_t w8 = std::min(kBlock, k - c0);
      xb.assign(n * kBlock, 0.0);
      for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < w8; ++c) xb[i * kBlock + c] = xr[i * k + c0 + c];
      pool.clear();
      for (unsigned w = 0; w < t; ++w)
        pool.emplace_back([&, w, c0, w8] {
          for (size_t i = n * w / t; i < n * (w + 1) / t; ++i) {
            double acc[kBlock] = {};
            for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
              const double a = A.value[p];
              const double* xj = &xb[size_t(A.col[p]) * kBlock];
              for (size_t c = 0; c < kBlock; ++c) acc[c] += a * xj[c];
            }
            for (size_t c = 0; c < w8; ++c) ax[i * k + c0 + c] = acc[c];
          }
        });
      for (auto& th : pool) th.join();
    }
  } else {
    std::vector<std::vector<double>> part(t);
    for (unsigned w = 0; w < t; ++w)
      pool.emplace_back([&, w] {
        auto& out = part[w];
        out.assign(n * k, 0.0);
        for (size_t i = n * w / t; i < n * (w + 1) / t; ++i) {
          const double* xi = &xr[i * k];
          for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
            const double a = A.value[p];
            double* o = &out[size_t(A.col[p]) * k];
            for (size_t c = 0; c < k; ++c) o[c] += a * xi[c];
          }
        }
      });
    for (auto& th : pool) th.join();
    for (const auto& pw : part)
      for (size_t i = 0; i < n * k; ++i) ax[i] += pw[i];
  }
  std::vector<double> r2(k, 0.0), y2(k, 0.0);
  if (R) R->resize(n * k);
  for (size_t j = 0; j < k; ++j)
    for (size_t i = 0; i < n; ++i) {
      const double y = Y[j * n + i];
      const double r = y - (X[j * n + i] - ax[i * k + j]);
      if (R) (*R)[j * n + i] = r;
      r2[j] += r * r;
      y2[j] += y * y;
    }
  std::vector<double> rel(k);
  for (size_t j = 0; j < k; ++j) rel[j] = y2[j] > 0 ? std::sqrt(r2[j] / y2[j]) : std::sqrt(r2[j]);
  return rel;
}

}  // namespace panocarbon::linalg
