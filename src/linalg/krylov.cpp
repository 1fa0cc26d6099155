#include "linalg/krylov.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "core/simd.hpp"
#include "panocarbon/error.hpp"

extern "C" {
// LAPACK / BLAS (OpenBLAS), Fortran calling convention.
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv,
             double* b, const int* ldb, int* info);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc);
}

namespace panocarbon::linalg::krylov {

namespace {

// Eight doubles, one AVX-512 register (two AVX2 registers, four SSE2 ones: the compiler splits it for the
// target of each clone below). Loads and stores go through memcpy: the rows are not 64-byte aligned.
// The helpers are always inlined into the kernels, so no v8d crosses a call (-Wpsabi warns about the ABI
// of such calls on targets without AVX-512).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v8d __attribute__((vector_size(64)));
typedef double v4d __attribute__((vector_size(32)));  // for 4 or fewer right-hand sides (an AVX2 register)
template <class V>
__attribute__((always_inline)) inline V loadv(const double* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V>
__attribute__((always_inline)) inline void storev(double* p, const V& v) { std::memcpy(p, &v, sizeof v); }

// The products with A are compiled three times (AVX-512, AVX2 + FMA, baseline x86-64) and the first call
// picks the widest the processor supports (PANOCARBON_SIMD=baseline|avx2|avx512 narrows the choice, for
// tests); other architectures get the portable version only.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PANOCARBON_X86_DISPATCH 1
#define PANOCARBON_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define PANOCARBON_AVX2 __attribute__((target("avx2,fma")))
#else
#define PANOCARBON_AVX512
#define PANOCARBON_AVX2
#endif

struct Product {
  const int64_t* ptr;  // panel offsets, np + 1 per row
  size_t np;
  const uint32_t* col;
  const double* val;
  const double* x;
  double* out;
  size_t ld, c0;  // row stride of x and out; first column of this slice of 8 * NV columns
  size_t r0, r1;  // rows
};

// out[i] = x[i] - sum_p A_ip x[col_p] in tiles: blocks of 1,024 rows (their outputs stay in L2) times
// panels of 128 columns (their rows of x stay near L1 while the block's rows stream their part of the
// panel, which the loop asks for four rows ahead: the parts of successive rows lie far apart in A).
template <class V, int NV>
__attribute__((always_inline)) inline void gather_rows(const Product& g) {
  constexpr size_t L = sizeof(V) / sizeof(double);
  constexpr size_t kRowBlock = 1024, kAhead = 4;
  for (size_t r0 = g.r0; r0 < g.r1; r0 += kRowBlock) {
    const size_t r1 = std::min(g.r1, r0 + kRowBlock);
    for (size_t q = 0; q < g.np; ++q) {
      const bool first = q == 0, last = q + 1 == g.np;
      for (size_t i = r0; i < r1; ++i) {
        V acc[NV];
        double* o = g.out + i * g.ld + g.c0;
        for (int v = 0; v < NV; ++v) acc[v] = first ? V{} : loadv<V>(o + L * v);
        const int64_t* pp = g.ptr + i * (g.np + 1) + q;
        if (i + kAhead < r1) {  // a later row's part of the panel is elsewhere in A: ask for all of it early
          const int64_t* pn = pp + kAhead * (g.np + 1);
          for (int64_t p = pn[0]; p < pn[1]; p += 8) __builtin_prefetch(g.val + p);
          for (int64_t p = pn[0]; p < pn[1]; p += 16) __builtin_prefetch(g.col + p);
        }
        for (int64_t p = pp[0]; p < pp[1]; ++p) {
          const double a = g.val[p];
          const double* xr = g.x + size_t(g.col[p]) * g.ld + g.c0;
          for (int v = 0; v < NV; ++v) acc[v] += a * loadv<V>(xr + L * v);
        }
        if (last) {
          const double* xi = g.x + i * g.ld + g.c0;
          for (int v = 0; v < NV; ++v) acc[v] = loadv<V>(xi + L * v) - acc[v];
        }
        for (int v = 0; v < NV; ++v) storev<V>(o + L * v, acc[v]);
      }
    }
  }
}

// out[col_p] += A_ip x[i] (A^T x), for the rows r0..r1, into a buffer of this thread.
template <class V, int NV>
__attribute__((always_inline)) inline void scatter_rows(const Product& s) {
  constexpr size_t L = sizeof(V) / sizeof(double);
  for (size_t i = s.r0; i < s.r1; ++i) {
    V xi[NV];
    for (int v = 0; v < NV; ++v) xi[v] = loadv<V>(s.x + i * s.ld + s.c0 + L * v);
    const int64_t* pp = s.ptr + i * (s.np + 1);
    for (int64_t p = pp[0]; p < pp[s.np]; ++p) {
      const double a = s.val[p];
      double* o = s.out + size_t(s.col[p]) * s.ld + s.c0;
      for (int v = 0; v < NV; ++v) storev<V>(o + L * v, loadv<V>(o + L * v) + a * xi[v]);
    }
  }
}

// nv: registers of 8 columns per slice; 0: one register of 4 columns (a row stride of 4).
#define PANOCARBON_KERNELS(ATTR, SUFFIX)                  \
  ATTR void gather_##SUFFIX(const Product& g, int nv) {   \
    switch (nv) {                                         \
      case 0: gather_rows<v4d, 1>(g); break;              \
      case 1: gather_rows<v8d, 1>(g); break;              \
      case 2: gather_rows<v8d, 2>(g); break;              \
      case 3: gather_rows<v8d, 3>(g); break;              \
      case 4: gather_rows<v8d, 4>(g); break;              \
      case 5: gather_rows<v8d, 5>(g); break;              \
      case 6: gather_rows<v8d, 6>(g); break;              \
      case 7: gather_rows<v8d, 7>(g); break;              \
      default: gather_rows<v8d, 8>(g); break;             \
    }                                                     \
  }                                                       \
  ATTR void scatter_##SUFFIX(const Product& s, int nv) {  \
    switch (nv) {                                         \
      case 0: scatter_rows<v4d, 1>(s); break;             \
      case 1: scatter_rows<v8d, 1>(s); break;             \
      case 2: scatter_rows<v8d, 2>(s); break;             \
      case 3: scatter_rows<v8d, 3>(s); break;             \
      default: scatter_rows<v8d, 4>(s); break;            \
    }                                                     \
  }
PANOCARBON_KERNELS(, base)
#ifdef PANOCARBON_X86_DISPATCH
PANOCARBON_KERNELS(PANOCARBON_AVX2, avx2)
PANOCARBON_KERNELS(PANOCARBON_AVX512, avx512)
#endif

#pragma GCC diagnostic pop

std::atomic<int> forced_level{-1};

// PANOCARBON_KRYLOV_DEBUG=1 prints every GMRES step's worst residual estimate; read once, not per step.
bool krylov_debug() {
  static const bool on = std::getenv("PANOCARBON_KRYLOV_DEBUG") != nullptr;
  return on;
}

int detected_level() { return simd::cpu_level(); }

int simd_level() {
  const int forced = forced_level.load(std::memory_order_relaxed);
  return forced >= 0 ? std::min(forced, detected_level()) : detected_level();
}

void gather(const Product& g, int nv) {
#ifdef PANOCARBON_X86_DISPATCH
  const int level = simd_level();
  if (level == 2) return gather_avx512(g, nv);
  if (level == 1) return gather_avx2(g, nv);
#endif
  gather_base(g, nv);
}

void scatter(const Product& s, int nv) {
#ifdef PANOCARBON_X86_DISPATCH
  const int level = simd_level();
  if (level == 2) return scatter_avx512(s, nv);
  if (level == 1) return scatter_avx2(s, nv);
#endif
  scatter_base(s, nv);
}

// Column slices of up to `widest` registers of 8 columns for the kernels; a row stride of 4 is one slice
// of one 4-column register (nv = 0).
template <class F>
void for_slices(size_t ld, int widest, F&& f) {
  if (ld == 4) {
    f(size_t(0), 0);
    return;
  }
  for (size_t c0 = 0; c0 < ld;) {
    const int nv = static_cast<int>(std::min<size_t>(static_cast<size_t>(widest), (ld - c0) / 8));
    f(c0, nv);
    c0 += size_t(nv) * 8;
  }
}

template <class F>
void on_threads(unsigned t, F&& f) {
  if (t <= 1) {
    f(0u);
    return;
  }
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < t; ++w) pool.emplace_back([&f, w] { f(w); });
  f(0u);
  for (auto& th : pool) th.join();
}

// Per column c of row-major n x ld arrays: out[c] = sum_i a[i][c] b[i][c].
void dots(const double* a, const double* b, size_t n, size_t ld, double* out) {
  std::fill(out, out + ld, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < ld; ++c) out[c] += a[i * ld + c] * b[i * ld + c];
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int simd_level_in_use() { return simd_level(); }
void force_simd_level(int level) { forced_level.store(level, std::memory_order_relaxed); }

KrylovSolver::KrylovSolver(const SparseRows& A, size_t block, int threads)
    : a_(&A), n_(A.rows), block_(block ? block : 256), threads_(static_cast<unsigned>(std::max(1, threads))) {
  const size_t n = n_;
  if (A.rows != A.cols) throw Error(ErrorCategory::Internal, "A must be square");
  block_ = std::min(block_, std::max<size_t>(n, 1));
  // Column sums (for the error bound) and whether every row lists its columns in order (for the panels).
  std::vector<double> colsum(n, 0.0);
  bool sorted = true;
  for (size_t i = 0; i < n; ++i)
    for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
      colsum[A.col[p]] += std::fabs(A.value[p]);
      if (p > A.row_start[i] && A.col[p] <= A.col[p - 1]) sorted = false;
    }
  for (double c : colsum) colsum_max_ = std::max(colsum_max_, c);

  // Panels of 128 columns: 128 rows of x with 56 right-hand sides are 57 kB, about L1's size (measured
  // against 32 to 2,048: 128 was fastest on the 9,800-sector benchmark).
  const size_t width = sorted ? 128 : std::max<size_t>(n, 1);
  for (size_t c = 0; c < n; c += width) panel_col_.push_back(c);
  if (panel_col_.empty()) panel_col_.push_back(0);
  panel_col_.push_back(n);
  const size_t np = panel_col_.size() - 1;
  panel_ptr_.resize(n * (np + 1));
  for (size_t i = 0; i < n; ++i) {
    const uint32_t* b = A.col.data() + A.row_start[i];
    const uint32_t* e = A.col.data() + A.row_start[i + 1];
    for (size_t q = 0; q <= np; ++q) {
      const uint32_t* at = q == 0 ? b : q == np ? e : std::lower_bound(b, e, static_cast<uint32_t>(panel_col_[q]));
      panel_ptr_[i * (np + 1) + q] = A.row_start[i] + (at - b);
    }
  }
  // Rows per thread with equal shares of the non-zeros.
  row_split_.push_back(0);
  for (unsigned w = 1; w < threads_; ++w) {
    const int64_t target = static_cast<int64_t>(A.nnz() * w / threads_);
    const auto it = std::lower_bound(A.row_start.begin(), A.row_start.end(), target);
    row_split_.push_back(std::max(row_split_.back(), static_cast<size_t>(it - A.row_start.begin())));
  }
  row_split_.push_back(n);

  // The preconditioner: inverses of the diagonal blocks I - A_bb (dense, column-major).
  for (size_t b0 = 0; b0 < n; b0 += block_) blocks_.push_back(b0);
  blocks_.push_back(n);
  inv_.resize(blocks_.size() - 1);
  for (size_t b = 0; b + 1 < blocks_.size(); ++b) {
    const size_t b0 = blocks_[b], bs = blocks_[b + 1] - b0;
    std::vector<double> m(bs * bs, 0.0);
    for (size_t r = 0; r < bs; ++r) {
      m[r + r * bs] = 1.0;
      const size_t i = b0 + r;
      for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
        const size_t j = A.col[p];
        if (j >= b0 && j < b0 + bs) m[r + (j - b0) * bs] -= A.value[p];
      }
    }
    const int ni = static_cast<int>(bs);
    std::vector<int> ipiv(bs);
    int info = 0;
    dgetrf_(&ni, &ni, m.data(), &ni, ipiv.data(), &info);
    if (info != 0) {
      ok_ = false;
      why_ = "the diagonal block of sectors " + std::to_string(b0) + " to " + std::to_string(b0 + bs - 1) +
             " of I - A is singular";
      return;
    }
    auto& inv = inv_[b];
    inv.assign(bs * bs, 0.0);
    for (size_t r = 0; r < bs; ++r) inv[r + r * bs] = 1.0;
    const char no = 'N';
    dgetrs_(&no, &ni, &ni, m.data(), &ni, ipiv.data(), inv.data(), &ni, &info);
    if (info != 0) throw Error(ErrorCategory::Internal, "dgetrs failed: " + std::to_string(info));
  }
}

bool KrylovSolver::apply_block_inverses(std::vector<double>& B, size_t k, bool transposed) const {
  if (!ok_) return false;
  if (B.size() != n_ * k) throw Error(ErrorCategory::Internal, "right-hand side has the wrong size");
  if (n_ == 0 || k == 0) return true;
  std::vector<double> tmp(block_ * k);
  const int ki = static_cast<int>(k), ldb = static_cast<int>(n_);
  const double one = 1.0, zero = 0.0;
  const char no = 'N', tr = 'T';
  for (size_t b = 0; b + 1 < blocks_.size(); ++b) {
    const size_t b0 = blocks_[b];
    const int bs = static_cast<int>(blocks_[b + 1] - b0);
    dgemm_(transposed ? &tr : &no, &no, &bs, &ki, &bs, &one, inv_[b].data(), &bs, B.data() + b0, &ldb, &zero,
           tmp.data(), &bs);
    for (size_t c = 0; c < k; ++c)
      std::copy(tmp.begin() + static_cast<std::ptrdiff_t>(c * size_t(bs)),
                tmp.begin() + static_cast<std::ptrdiff_t>((c + 1) * size_t(bs)), B.begin() + static_cast<std::ptrdiff_t>(c * n_ + b0));
  }
  return true;
}

Outcome KrylovSolver::solve(std::vector<double>& B, size_t k, bool transposed) const {
  Outcome out;
  const size_t n = n_;
  if (B.size() != n * k) throw Error(ErrorCategory::Internal, "right-hand side has the wrong size");
  out.residuals.assign(k, 0.0);
  if (n == 0 || k == 0 || !ok_) {
    out.converged = ok_;
    if (!ok_) out.why = why_;
    return out;
  }
  const SparseRows& A = *a_;
  // Row stride: the columns padded to whole registers (4 columns for up to 4 right-hand sides: half the
  // bytes per non-zero of a transposed product with 3 stressors).
  const size_t ld = k <= 4 ? 4 : (k + 7) / 8 * 8;
  const size_t np = panel_col_.size() - 1;

  // (I - A) x or (I - A)^T x for all columns of a row-major n x ld array.
  std::vector<std::vector<double>> parts(transposed ? threads_ : 0);
  auto apply = [&](const double* x, double* y) {
    ++out.passes;
    if (!transposed) {
      on_threads(threads_, [&](unsigned w) {
        for_slices(ld, 8, [&](size_t c0, int nv) {
          const Product g{panel_ptr_.data(), np,     A.col.data(),       A.value.data(), x, y, ld, c0,
                          row_split_[w],     row_split_[w + 1]};
          gather(g, nv);
        });
      });
      return;
    }
    on_threads(threads_, [&](unsigned w) {
      auto& buf = parts[w];
      buf.assign(n * ld, 0.0);
      for_slices(ld, 4, [&](size_t c0, int nv) {
        const Product s{panel_ptr_.data(), np,     A.col.data(),       A.value.data(), x, buf.data(), ld, c0,
                        row_split_[w],     row_split_[w + 1]};
        scatter(s, nv);
      });
    });
    for (size_t i = 0; i < n * ld; ++i) {
      double s = 0;
      for (const auto& buf : parts) s += buf[i];
      y[i] = x[i] - s;
    }
  };
  // z = M^-1 v (or M^-T v), M the block diagonal of I - A.
  auto precondition = [&](const double* v, double* z) {
    const int m = static_cast<int>(ld);
    const double one = 1.0, zero = 0.0;
    const char no = 'N', tr = 'T';
    for (size_t b = 0; b + 1 < blocks_.size(); ++b) {
      const size_t b0 = blocks_[b];
      const int bs = static_cast<int>(blocks_[b + 1] - b0);
      // Row-major rows b0.. of v are the column-major ld x bs matrix V_b^T: Z_b^T = V_b^T inv^T (or inv).
      dgemm_(&no, transposed ? &no : &tr, &m, &bs, &bs, &one, v + b0 * ld, &m, inv_[b].data(), &bs, &zero,
             z + b0 * ld, &m);
    }
  };

  // Row-major copies: right-hand sides Y, solution X, residual R.
  std::vector<double> Y(n * ld, 0.0), X(n * ld, 0.0), R, Z(n * ld), W(n * ld);
  for (size_t c = 0; c < k; ++c)
    for (size_t i = 0; i < n; ++i) Y[i * ld + c] = B[c * n + i];
  std::vector<double> ynorm(ld, 0.0);
  dots(Y.data(), Y.data(), n, ld, ynorm.data());
  for (auto& v : ynorm) v = std::sqrt(v);
  R = Y;
  std::vector<bool> active(ld, false);
  for (size_t c = 0; c < k; ++c) active[c] = ynorm[c] > 0;
  if (std::none_of(active.begin(), active.end(), [](bool a) { return a; })) {
    out.converged = true;
    return out;  // every right-hand side is zero: so is every solution
  }

  constexpr int kRestart = 24;
  constexpr int kMaxPasses = 400;
  // Inner target on GMRES's estimate of ||r||_2 / ||y||_2: 1e-13 leaves the exact residual near 1e-14, well
  // inside the bound below when c < 1 (1e-12 would save one pass in ten, with residuals near 1e-12); without
  // a bound, aim lower.
  const double kInner = colsum_max_ < 1 ? 1e-13 : 1e-14;
  const double c_max = colsum_max_;
  std::vector<std::vector<double>> V(kRestart + 1);
  std::vector<double> H((kRestart + 1) * kRestart * ld), cs(kRestart * ld), sn(kRestart * ld), g((kRestart + 1) * ld);
  std::vector<double> beta(ld), hist((kRestart + 1) * ld);
  std::vector<int> len(ld, 0);
  double previous_worst = INFINITY;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    // v_0 = r / ||r||.
    dots(R.data(), R.data(), n, ld, beta.data());
    V[0].resize(n * ld);
    for (size_t c = 0; c < ld; ++c) {
      beta[c] = active[c] ? std::sqrt(beta[c]) : 0.0;
      len[c] = 0;
    }
    for (size_t i = 0; i < n; ++i)
      for (size_t c = 0; c < ld; ++c) V[0][i * ld + c] = beta[c] > 0 ? R[i * ld + c] / beta[c] : 0.0;
    std::fill(g.begin(), g.end(), 0.0);
    for (size_t c = 0; c < ld; ++c) g[c] = beta[c];
    std::vector<bool> open(ld);
    for (size_t c = 0; c < ld; ++c) open[c] = beta[c] > 0;
    int it = 0;
    while (it < kRestart && std::any_of(open.begin(), open.end(), [](bool o) { return o; })) {
      precondition(V[it].data(), Z.data());
      apply(Z.data(), W.data());
      // Modified Gram-Schmidt against v_0..v_it, column by column.
      auto h = [&](int row, int col) -> double* { return &H[(size_t(row) * kRestart + size_t(col)) * ld]; };
      for (int l = 0; l <= it; ++l) {
        dots(W.data(), V[l].data(), n, ld, h(l, it));
        const double* hl = h(l, it);
        const double* vl = V[l].data();
        for (size_t i = 0; i < n; ++i)
          for (size_t c = 0; c < ld; ++c) W[i * ld + c] -= hl[c] * vl[i * ld + c];
      }
      double* hn = h(it + 1, it);
      dots(W.data(), W.data(), n, ld, hn);
      for (size_t c = 0; c < ld; ++c) hn[c] = std::sqrt(hn[c]);
      V[it + 1].resize(n * ld);
      for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < ld; ++c) V[it + 1][i * ld + c] = hn[c] > 0 ? W[i * ld + c] / hn[c] : 0.0;
      // Givens rotations: H's column it becomes upper triangular; |g[it + 1]| is the residual's norm.
      for (size_t c = 0; c < ld; ++c) {
        if (!open[c]) continue;
        for (int l = 0; l < it; ++l) {
          double& a0 = h(l, it)[c];
          double& a1 = h(l + 1, it)[c];
          const double t = cs[size_t(l) * ld + c] * a0 + sn[size_t(l) * ld + c] * a1;
          a1 = -sn[size_t(l) * ld + c] * a0 + cs[size_t(l) * ld + c] * a1;
          a0 = t;
        }
        double& a0 = h(it, it)[c];
        double& a1 = h(it + 1, it)[c];
        const double r = std::hypot(a0, a1);
        const double cc = r > 0 ? a0 / r : 1.0, ss = r > 0 ? a1 / r : 0.0;
        cs[size_t(it) * ld + c] = cc;
        sn[size_t(it) * ld + c] = ss;
        a0 = r;
        a1 = 0;
        g[size_t(it + 1) * ld + c] = -ss * g[size_t(it) * ld + c];
        g[size_t(it) * ld + c] *= cc;
        len[c] = it + 1;
        // Closed when the estimate is small enough, or has stopped falling (the rounding floor of this
        // column: the exact residual below decides whether it is accepted).
        const double est = std::fabs(g[size_t(it + 1) * ld + c]);
        hist[size_t(it + 1) * ld + c] = est;
        const bool stalled = it >= 2 && est > 0.5 * hist[size_t(it - 1) * ld + c];
        if (!(est > kInner * ynorm[c]) || r == 0 || stalled) open[c] = false;
      }
      if (krylov_debug()) {
        double worst = 0;
        for (size_t c = 0; c < k; ++c)
          if (ynorm[c] > 0) worst = std::max(worst, std::fabs(g[size_t(it + 1) * ld + c]) / ynorm[c]);
        std::fprintf(stderr, "gmres %d: %.3e\n", it + 1, worst);
      }
      ++it;
    }
    // x += M^-1 V_len y, y from the triangular system of each column.
    std::vector<double> yv(size_t(kRestart) * ld, 0.0);
    for (size_t c = 0; c < ld; ++c)
      for (int l = len[c] - 1; l >= 0; --l) {
        double s = g[size_t(l) * ld + c];
        for (int q = l + 1; q < len[c]; ++q) s -= H[(size_t(l) * kRestart + size_t(q)) * ld + c] * yv[size_t(q) * ld + c];
        const double diag = H[(size_t(l) * kRestart + size_t(l)) * ld + c];
        yv[size_t(l) * ld + c] = diag != 0 ? s / diag : 0.0;
      }
    std::fill(W.begin(), W.end(), 0.0);
    for (int l = 0; l < it; ++l) {
      const double* vl = V[l].data();
      const double* yl = &yv[size_t(l) * ld];
      for (size_t i = 0; i < n; ++i)
        for (size_t c = 0; c < ld; ++c) W[i * ld + c] += yl[c] * vl[i * ld + c];
    }
    precondition(W.data(), Z.data());
    for (size_t i = 0; i < n * ld; ++i) X[i] += Z[i];
    // The exact residual in double, and the acceptance test of each column.
    apply(X.data(), W.data());
    for (size_t i = 0; i < n * ld; ++i) R[i] = Y[i] - W[i];
    std::vector<double> r2(ld, 0.0), rn(ld, 0.0), xn(ld, 0.0);
    dots(R.data(), R.data(), n, ld, r2.data());
    for (size_t i = 0; i < n; ++i)
      for (size_t c = 0; c < ld; ++c) {
        const double r = std::fabs(R[i * ld + c]), x = std::fabs(X[i * ld + c]);
        if (transposed) {
          rn[c] = std::max(rn[c], r);
          xn[c] = std::max(xn[c], x);
        } else {
          rn[c] += r;
          xn[c] += x;
        }
      }
    Cycle cyc;
    cyc.passes = out.passes;
    bool finite = true;
    for (size_t c = 0; c < k; ++c) {
      const double rel = ynorm[c] > 0 ? std::sqrt(r2[c]) / ynorm[c] : 0.0;
      if (!std::isfinite(rel) || !std::isfinite(xn[c])) finite = false;
      out.residuals[c] = rel;
      cyc.residual = std::max(cyc.residual, rel);
      const double bound = c_max < 1 ? (xn[c] > 0 ? rn[c] / ((1 - c_max) * xn[c]) : (rn[c] > 0 ? INFINITY : 0.0)) : NAN;
      if (c_max < 1) cyc.bound = std::max(cyc.bound, bound);
      if (active[c]) active[c] = !(rel <= 1e-14 || (c_max < 1 ? bound <= 1e-11 : rel <= 1e-13));
    }
    cyc.seconds = seconds_since(t0);
    out.cycles.push_back(cyc);
    if (!finite) {
      out.why = "the iteration produced a value that is not finite";
      return out;
    }
    if (std::none_of(active.begin(), active.end(), [](bool a) { return a; })) break;
    double worst = 0;
    for (size_t c = 0; c < k; ++c)
      if (active[c]) worst = std::max(worst, out.residuals[c]);
    if (worst > 0.5 * previous_worst) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "the residual stalled at %.3g after %d products with A", worst, out.passes);
      out.why = buf;
      return out;
    }
    previous_worst = worst;
    if (out.passes >= kMaxPasses) {
      out.why = "no convergence in " + std::to_string(out.passes) + " products with A";
      return out;
    }
  }
  for (size_t c = 0; c < k; ++c)
    for (size_t i = 0; i < n; ++i) B[c * n + i] = X[i * ld + c];
  out.converged = true;
  return out;
}

}  // namespace panocarbon::linalg::krylov
