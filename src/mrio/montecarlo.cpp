// Monte Carlo of the regional MRIO accounts (Lenzen, Wood & Wiedmann 2010): see
// include/panocarbon/mrio_montecarlo.hpp and docs/uncertainty-mrio.md.
//
// One draw, flow form (x known: Z = A x^ is the flow table):
//   Z'_ij = Z_ij e_ij, Y'_ic = Y_ic e_ic, F'_qj = F_qj e_qj, F_Y'_qc = F_Y_qc e_qc   (e: mean 1, sd rse)
//   x' = x + (Z' - Z) 1 + (Y' - Y) 1            (= Z'1 + Y'1 when x = Z1 + Y1: the accounting identity)
//   A'_ij = A_ij e_ij x_j / x'_j                 (= Z'_ij / x'_j)
//   X' = (I - A')^-1 Y'_reg                      (n x regions; preconditioned by the factorisation of I - A)
//   S' = F' x'^-1, then the accounts exactly as compute_accounts() forms them from S and X.
// Coefficient form (only A): A'_ij = A_ij e_ij, x' = X' 1.
// With every e = 1 each step repeats compute_accounts()'s arithmetic, so a draw with RSE 0 gives its
// numbers bit for bit.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cmath>
#include <map>

#include "mrio/common.hpp"
#include "linalg/leontief.hpp"
#include "mrio/montecarlo_internal.hpp"
#include "mrio/selection.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/units.hpp"

extern "C" {
void dgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc);
}

namespace panocarbon {

namespace mrio_mc {

double cell_factor(bool lognormal, double rse, uint64_t seed, uint64_t param, uint64_t draw) {
  if (rse == 0) return 1.0;
  const double z = unc::normal_quantile(unc::uniform01(seed, param, draw));
  if (!lognormal) return 1.0 + rse * z;
  const double sigma = std::sqrt(std::log1p(rse * rse));
  return std::exp(sigma * z - 0.5 * sigma * sigma);
}

double residuals(const SparseRows& A, const double* X, const double* B, size_t k, bool transposed, double* R,
                 std::vector<double>& xb, std::vector<double>& acc) {
  const size_t n = A.rows;
  constexpr size_t kBlock = 16;  // columns at a time, row-major, so that each non-zero updates 16 values
  xb.resize(n * kBlock);
  if (transposed) acc.resize(n * kBlock);
  double worst = 0;
  for (size_t c0 = 0; c0 < k; c0 += kBlock) {
    const size_t w = std::min(kBlock, k - c0);
    for (size_t i = 0; i < n; ++i)
      for (size_t c = 0; c < kBlock; ++c) xb[i * kBlock + c] = c < w ? X[(c0 + c) * n + i] : 0.0;
    if (!transposed) {
      for (size_t i = 0; i < n; ++i) {
        double s[kBlock] = {};
        for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
          const double a = A.value[p];
          const double* xj = &xb[size_t(A.col[p]) * kBlock];
          for (size_t c = 0; c < kBlock; ++c) s[c] += a * xj[c];
        }
        for (size_t c = 0; c < w; ++c) {
          const size_t at = (c0 + c) * n + i;
          R[at] = B[at] - (X[at] - s[c]);
        }
      }
    } else {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (size_t i = 0; i < n; ++i) {
        const double* xi = &xb[i * kBlock];
        for (int64_t p = A.row_start[i]; p < A.row_start[i + 1]; ++p) {
          const double a = A.value[p];
          double* o = &acc[size_t(A.col[p]) * kBlock];
          for (size_t c = 0; c < kBlock; ++c) o[c] += a * xi[c];
        }
      }
      for (size_t c = 0; c < w; ++c)
        for (size_t j = 0; j < n; ++j) {
          const size_t at = (c0 + c) * n + j;
          R[at] = B[at] - (X[at] - acc[j * kBlock + c]);
        }
    }
    for (size_t c = 0; c < w; ++c) {
      double r2 = 0, b2 = 0;
      for (size_t i = 0; i < n; ++i) {
        const size_t at = (c0 + c) * n + i;
        r2 += R[at] * R[at];
        b2 += B[at] * B[at];
      }
      const double rel = b2 > 0 ? std::sqrt(r2 / b2) : std::sqrt(r2);
      worst = std::isnan(rel) ? INFINITY : std::max(worst, rel);
    }
  }
  return worst;
}

SolveStats PreconditionedSolver::solve(const SparseRows& A, std::vector<double>& B, size_t k, bool transposed,
                                       bool refactorise) {
  SolveStats st;
  const size_t n = A.rows;
  rhs_.assign(B.begin(), B.end());
  auto fresh = [&] {
    const auto method = base_.method() == linalg::Method::Sparse ? linalg::Method::Sparse : linalg::Method::Dense;
    linalg::LeontiefSolver own(A, method, 1);
    std::copy(rhs_.begin(), rhs_.end(), B.begin());
    own.solve_shared(B, k, transposed);
    r_.resize(n * k);
    st.residual = residuals(A, B.data(), rhs_.data(), k, transposed, r_.data(), xb_, acc_);
    st.fell_back = !refactorise;
  };
  if (refactorise) {
    fresh();
    return st;
  }
  base_.solve_shared(B, k, transposed);  // X_0 = (I - A)^-1 B
  r_.resize(n * k);
  // P v = (I - A)^-1 v (or its transpose) for k columns, in place.
  auto precondition = [&](std::vector<double>& v) {
    if (inverse_) {  // one dgemm with the explicit inverse
      const int ni = static_cast<int>(n), ki = static_cast<int>(k);
      const double one = 1.0, zero = 0.0;
      d_.resize(n * k);
      dgemm_(transposed ? "T" : "N", "N", &ni, &ki, &ni, &one, inverse_->data(), &ni, v.data(), &ni, &zero, d_.data(), &ni);
      v.swap(d_);
    } else {
      base_.solve_shared(v, k, transposed);
    }
  };
  double res = residuals(A, B.data(), rhs_.data(), k, transposed, r_.data(), xb_, acc_);
  st.residual = res;
  if (res <= tolerance_) return st;
  if (!krylov_) {
    // Richardson: X += P R until the residual is small.
    double prev = INFINITY;
    for (int it = 0; it < max_iterations_ && std::isfinite(res) && !(it >= 3 && res > 0.9 * prev); ++it) {
      prev = res;
      precondition(r_);
      for (size_t i = 0; i < n * k; ++i) B[i] += r_[i];
      st.iterations = it + 1;
      res = st.residual = residuals(A, B.data(), rhs_.data(), k, transposed, r_.data(), xb_, acc_);
      if (res <= tolerance_) return st;
    }
    fresh();
    return st;
  }
  // GCR, restarted every kRestart steps: per column, the new direction P r is made M-orthogonal to the last
  // ones (M = I - A'), so the residual is minimised over their span (GMRES's minimum in exact arithmetic);
  // its first step is the Richardson step. P and M act on all k columns at once (one dgemm or LU solve, one
  // pass over A'); the orthogonalisation is O(n k) per stored direction.
  constexpr int kRestart = 10;
  zs_.resize(kRestart);
  ws_.resize(kRestart);
  zero_.assign(n * k, 0.0);
  std::vector<double> bnorm(k, 0.0);
  for (size_t c = 0; c < k; ++c) {
    double b2 = 0;
    for (size_t i = 0; i < n; ++i) b2 += rhs_[c * n + i] * rhs_[c * n + i];
    bnorm[c] = b2 > 0 ? std::sqrt(b2) : 1.0;
  }
  int it = 0;
  double prev_cycle = INFINITY;
  while (it < max_iterations_ && std::isfinite(res)) {
    int used = 0;
    for (int j = 0; j < kRestart && it < max_iterations_; ++j) {
      auto& z = zs_[size_t(j)];
      auto& w = ws_[size_t(j)];
      z = r_;
      precondition(z);
      w.resize(n * k);
      residuals(A, z.data(), zero_.data(), k, transposed, w.data(), xb_, acc_);  // w = -(M z)
      double worst = 0;
      for (size_t c = 0; c < k; ++c) {
        double* wc = &w[c * n];
        double* zc = &z[c * n];
        for (size_t i = 0; i < n; ++i) wc[i] = -wc[i];
        for (int q = 0; q < j; ++q) {
          const double* wq = &ws_[size_t(q)][c * n];
          const double* zq = &zs_[size_t(q)][c * n];
          double beta = 0;
          for (size_t i = 0; i < n; ++i) beta += wc[i] * wq[i];
          for (size_t i = 0; i < n; ++i) {
            wc[i] -= beta * wq[i];
            zc[i] -= beta * zq[i];
          }
        }
        double nu = 0;
        for (size_t i = 0; i < n; ++i) nu += wc[i] * wc[i];
        nu = std::sqrt(nu);
        double* rc = &r_[c * n];
        double* xc = &B[c * n];
        if (nu > 0 && std::isfinite(nu)) {
          for (size_t i = 0; i < n; ++i) {
            wc[i] /= nu;
            zc[i] /= nu;
          }
          double alpha = 0;
          for (size_t i = 0; i < n; ++i) alpha += rc[i] * wc[i];
          for (size_t i = 0; i < n; ++i) {
            xc[i] += alpha * zc[i];
            rc[i] -= alpha * wc[i];
          }
        } else {
          std::fill(wc, wc + n, 0.0);
          std::fill(zc, zc + n, 0.0);
        }
        double r2 = 0;
        for (size_t i = 0; i < n; ++i) r2 += rc[i] * rc[i];
        worst = std::max(worst, std::sqrt(r2) / bnorm[c]);
      }
      ++it;
      ++used;
      st.iterations = it;
      if (!(worst > tolerance_ * 0.5)) break;  // the recurrence says converged: check the true residual
    }
    (void)used;
    res = st.residual = residuals(A, B.data(), rhs_.data(), k, transposed, r_.data(), xb_, acc_);
    if (res <= tolerance_) return st;
    if (!(res < 0.5 * prev_cycle)) break;  // a whole cycle without halving the residual: stagnating
    prev_cycle = res;
  }
  fresh();
  return st;
}

}  // namespace mrio_mc

double cell_rse(RseModel model, double rse, double v, double median) {
  if (model == RseModel::Constant || rse == 0) return rse;
  const double a = std::fabs(v);
  if (a == 0 || median <= 0) return rse;
  return std::clamp(rse * std::sqrt(median / a), rse / 10, rse * 10);
}

namespace {

using Clock = std::chrono::steady_clock;

// --- the rows of F the accounts need (compute_accounts' selection, kept as sums of raw rows) ---------------

struct RawRow {
  size_t ext = 0, row = 0;
  uint64_t param_f = 0, param_fy = 0;
  std::vector<double> rse_f, rse_fy;  // per cell (Lenzen); empty: the constant rse_f
};

struct OutRow {
  std::string extension, stressor, unit;
  bool plain = true;                              // one raw row as is
  std::vector<std::pair<size_t, double>> parts;   // raw row index, factor (characterised row)
};

// The rows compute_accounts() selects (mrio_sel::select_stressors, the same call), as combinations of raw
// extension rows, each raw row drawn once however many output rows use it.
void select_rows(const MrioSystem& s, const MrioMonteCarloOptions& o, std::vector<RawRow>& raw, std::vector<OutRow>& out) {
  std::map<std::pair<size_t, size_t>, size_t> raw_index;
  auto raw_of = [&](size_t e, size_t r) {
    const auto key = std::make_pair(e, r);
    auto it = raw_index.find(key);
    if (it != raw_index.end()) return it->second;
    RawRow rr;
    rr.ext = e;
    rr.row = r;
    const auto& ext = s.extensions[e];
    rr.param_f = unc::parameter_id("mrio:F:" + ext.name + ":" + ext.stressors[r]);
    rr.param_fy = unc::parameter_id("mrio:F_Y:" + ext.name + ":" + ext.stressors[r]);
    raw.push_back(std::move(rr));
    raw_index[key] = raw.size() - 1;
    return raw.size() - 1;
  };
  for (const auto& sel : mrio_sel::select_stressors(s, o.extensions, o.stressors, o.gwp, nullptr)) {
    OutRow row{sel.extension, sel.stressor, sel.unit, sel.plain, {}};
    for (const auto& p : sel.parts) row.parts.emplace_back(raw_of(p.ext, p.row), p.factor);
    out.push_back(std::move(row));
  }
}

double median_abs(std::vector<double> v) {
  if (v.empty()) return 0;
  for (auto& a : v) a = std::fabs(a);
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// --- the model the draws share (read-only) -------------------------------------------------------------------

struct Model {
  const MrioSystem* s = nullptr;
  MrioMonteCarloOptions o;
  size_t n = 0, R = 0, ns = 0, nc = 0, ny = 0;
  bool flows = true;  // x known: Z = A x^ is drawn and x rebalanced
  const std::vector<double>* x = nullptr;  // flows: the system's x
  std::vector<double> z;                    // flows: Z cells A_p x_j (the change of x per draw)
  std::vector<double> rse_a;                // per non-zero of A (Lenzen), else empty
  std::vector<double> rse_y;                // per cell of Y (Lenzen), else empty
  uint64_t param_a = 0, param_y = 0;
  std::vector<RawRow> raw;
  std::vector<OutRow> rows;
  std::unique_ptr<linalg::LeontiefSolver> base;
  std::vector<double> inverse;  // (I - A)^-1 for the corrections (dense and n <= kInverseMax)
  std::vector<bool> isolated;
  mutable std::atomic<uint64_t> cpu_ns{0};  // CPU time of the draws, summed over the threads
  size_t outputs() const { return rows.size() * R * 4 + 3; }
};

class DrawWorker : public parallel::Worker {
 public:
  DrawWorker(const Model& m, bool refactorise)
      : m_(m),
        solver_(*m.base, m.o.max_iterations, m.o.tolerance, m.inverse.empty() ? nullptr : &m.inverse),
        a_(m.s->A),
        refactorise_(refactorise) {}

  void run(uint64_t draw, double* out) override {
    timespec t0{}, t1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    draw_one(draw, out);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    m_.cpu_ns += static_cast<uint64_t>((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
  }

 private:
  void draw_one(uint64_t draw, double* out) {
    const Model& m = m_;
    const MrioSystem& s = *m.s;
    const auto& o = m.o;
    const size_t n = m.n, R = m.R, ns = m.ns, nc = m.nc, ny = m.ny;
    const uint64_t seed = o.seed;
    // A' (and Z' - Z by rows in the flow form).
    const bool draw_a = o.rse_z > 0;
    dz_.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) {
        double e = 1.0;
        if (draw_a) {
          const double rse = m.rse_a.empty() ? o.rse_z : m.rse_a[size_t(p)];
          e = mrio_mc::cell_factor(o.lognormal, rse, seed, m.param_a + i * n + s.A.col[p], draw);
        }
        a_.value[p] = s.A.value[p] * e;
        if (m.flows) dz_[i] += m.z[size_t(p)] * (e - 1.0);
      }
    // Y' and Y'_reg (summed as compute_accounts sums Y).
    yreg_.assign(n * R, 0.0);
    dy_.assign(n, 0.0);
    const bool draw_y = o.rse_y > 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t r = 0; r < R; ++r)
        for (size_t c = 0; c < nc; ++c) {
          const size_t col = r * nc + c;
          const double v = s.Y(i, col);
          double vd = v;
          if (draw_y && v != 0) {
            const double rse = m.rse_y.empty() ? o.rse_y : m.rse_y[i * ny + col];
            vd = v * mrio_mc::cell_factor(o.lognormal, rse, seed, m.param_y + i * ny + col, draw);
            dy_[i] += vd - v;
          }
          yreg_[r * n + i] += vd;
        }
    // x' and A' = Z' x'^-1 (flow form).
    xd_.resize(n);
    double kept = 0;
    if (m.flows) {
      const auto& x = *m.x;
      for (size_t i = 0; i < n; ++i) {
        xd_[i] = x[i] + (dz_[i] + dy_[i]);
        // A sector whose drawn uses no longer add up to a positive output (a large negative final-demand
        // cell, e.g. a fall in inventories, against similar positive ones) keeps its output in this draw:
        // its row identity stays open, as in a table whose given x does not balance. Counted and reported.
        if (!(xd_[i] > 0) && x[i] > 0) {
          xd_[i] = x[i];
          ++kept;
        } else if (!(x[i] > 0)) {
          xd_[i] = x[i];  // no output to rebalance (its column of A is zero)
        }
      }
      ratio_.resize(n);
      for (size_t j = 0; j < n; ++j) ratio_[j] = xd_[j] != 0.0 ? x[j] / xd_[j] : 0.0;
      for (size_t p = 0; p < a_.value.size(); ++p) a_.value[p] *= ratio_[a_.col[p]];
    }
    // X' = L' Y'_reg.
    X_ = yreg_;
    mrio_mc::SolveStats st;
    try {
      st = solver_.solve(a_, X_, R, false, refactorise_);
    } catch (const Error& e) {
      throw Error(e.category(), fmt::format("draw {}: {} (lower --rse-z?)", draw, e.message()), {s.source, 0, 0, "rse-z"});
    }
    if (!m.flows) {
      std::fill(xd_.begin(), xd_.end(), 0.0);
      for (size_t r = 0; r < R; ++r)
        for (size_t i = 0; i < n; ++i) xd_[i] += X_[r * n + i];
      for (size_t i = 0; i < n; ++i)
        if (xd_[i] < -1e-9 * std::max(1.0, std::fabs(xd_[i])) && !m.isolated[i]) negative_output(draw, i, xd_[i]);
    }
    // F' and F_Y' of the raw rows.
    const bool draw_f = o.rse_f > 0;
    rawf_.resize(m.raw.size());
    rawfy_.resize(m.raw.size());
    for (size_t q = 0; q < m.raw.size(); ++q) {
      const RawRow& rr = m.raw[q];
      const MrioExtension& ext = s.extensions[rr.ext];
      auto& f = rawf_[q];
      auto& fy = rawfy_[q];
      f.resize(n);
      fy.assign(ny, 0.0);
      for (size_t j = 0; j < n; ++j) {
        const double v = ext.F(rr.row, j);
        f[j] = v;
        if (draw_f && v != 0) {
          const double rse = rr.rse_f.empty() ? o.rse_f : rr.rse_f[j];
          f[j] = v * mrio_mc::cell_factor(o.lognormal, rse, seed, rr.param_f + j, draw);
        }
      }
      if (!ext.F_Y.empty())
        for (size_t c = 0; c < ny; ++c) {
          const double v = ext.F_Y(rr.row, c);
          fy[c] = v;
          if (draw_f && v != 0) {
            const double rse = rr.rse_fy.empty() ? o.rse_f : rr.rse_fy[c];
            fy[c] = v * mrio_mc::cell_factor(o.lognormal, rse, seed, rr.param_fy + c, draw);
          }
        }
    }
    // The accounts of every selected row, as compute_accounts forms them.
    f_.resize(n);
    fy_.resize(ny);
    sq_.resize(n);
    bil_.resize(R * R);
    fyr_.resize(R);
    for (size_t q = 0; q < m.rows.size(); ++q) {
      const OutRow& row = m.rows[q];
      if (row.plain) {
        f_ = rawf_[row.parts[0].first];
        fy_ = rawfy_[row.parts[0].first];
      } else {
        std::fill(f_.begin(), f_.end(), 0.0);
        std::fill(fy_.begin(), fy_.end(), 0.0);
        for (const auto& [ri, k] : row.parts) {
          for (size_t j = 0; j < n; ++j) f_[j] += k * rawf_[ri][j];
          for (size_t j = 0; j < ny; ++j) fy_[j] += k * rawfy_[ri][j];
        }
      }
      for (size_t j = 0; j < n; ++j) sq_[j] = xd_[j] != 0.0 ? f_[j] / xd_[j] : 0.0;
      std::fill(bil_.begin(), bil_.end(), 0.0);
      for (size_t c = 0; c < R; ++c) {
        const double* xc = &X_[c * n];
        for (size_t i = 0; i < n; ++i) bil_[(i / ns) * R + c] += sq_[i] * xc[i];
      }
      std::fill(fyr_.begin(), fyr_.end(), 0.0);
      for (size_t r = 0; r < R; ++r)
        for (size_t c = 0; c < nc; ++c) fyr_[r] += fy_[r * nc + c];
      for (size_t p = 0; p < R; ++p) {
        double production = 0, consumption = 0, imports = 0, exports = 0;
        for (size_t c = 0; c < R; ++c) {
          production += bil_[p * R + c];
          consumption += bil_[c * R + p];
          if (c != p) {
            exports += bil_[p * R + c];
            imports += bil_[c * R + p];
          }
        }
        production += fyr_[p];
        consumption += fyr_[p];
        double* o4 = out + (q * R + p) * 4;
        o4[0] = production;
        o4[1] = consumption;
        o4[2] = imports;
        o4[3] = exports;
      }
    }
    out[m.rows.size() * R * 4] = st.iterations;
    out[m.rows.size() * R * 4 + 1] = st.fell_back ? 1.0 : 0.0;
    out[m.rows.size() * R * 4 + 2] = kept;
  }

  [[noreturn]] void negative_output(uint64_t draw, size_t i, double value) const {
    const MrioSystem& s = *m_.s;
    throw Error(ErrorCategory::Data,
                fmt::format("draw {}: the gross output (I - A')^-1 y' of {} became negative ({}) with the drawn A and "
                            "Y ({} cells); A' is not productive or y' negative there: use --distribution lognormal "
                            "or smaller --rse-z/--rse-y",
                            draw, mrio_io::sector_label(s, i), value, m_.o.lognormal ? "lognormal" : "normal"),
                {s.source, 0, 0, "distribution"});
  }

  const Model& m_;
  mrio_mc::PreconditionedSolver solver_;
  SparseRows a_;
  bool refactorise_;
  std::vector<double> dz_, dy_, yreg_, xd_, ratio_, X_, f_, fy_, sq_, bil_, fyr_;
  std::vector<std::vector<double>> rawf_, rawfy_;
};

void check_rse(double v, const char* name) {
  if (!(v >= 0) || !std::isfinite(v))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--{} must be a relative standard error of 0 or more (0.1 = 10 %), not {}", name, v),
                {{}, 0, 0, name});
}


}  // namespace

MrioMonteCarloResult mrio_montecarlo(const MrioSystem& s, const MrioMonteCarloOptions& o) {
  const auto t0 = Clock::now();
  check_rse(o.rse_z, "rse-z");
  check_rse(o.rse_y, "rse-y");
  check_rse(o.rse_f, "rse-f");
  if (o.max_iterations < 0) throw Error(ErrorCategory::InvalidInput, "max_iterations must be 0 or more");
  MrioMonteCarloResult res;
  Model m;
  m.s = &s;
  m.o = o;
  m.n = s.n();
  m.R = s.n_regions();
  m.ns = s.n_sectors();
  m.nc = s.n_categories();
  m.ny = m.R * m.nc;
  const size_t n = m.n;
  if (s.A.rows != n || s.Y.rows != n || s.Y.cols != m.ny)
    throw Error(ErrorCategory::Internal, "mrio montecarlo: the system's A or Y does not match its labels");

  // The shared factorisation: double dense LU up to the sizes `auto` factorises densely, else sparse.
  std::string why;
  const auto chosen = linalg::choose_factorisation(n, s.A.nnz(), &why);
  const auto method = chosen == linalg::Method::Sparse ? linalg::Method::Sparse : linalg::Method::Dense;

  // Deterministic values: `mrio accounts` with the same method (so that RSE 0 reproduces them exactly).
  AccountsOptions ao;
  ao.solver = method == linalg::Method::Sparse ? SolverChoice::Sparse : SolverChoice::Dense;
  ao.extensions = o.extensions;
  ao.stressors = o.stressors;
  ao.gwp = o.gwp;
  ao.eebt = false;
  ao.income = false;
  const MrioAccounts det = compute_accounts(s, ao);
  res.notes = det.notes;

  select_rows(s, o, m.raw, m.rows);
  if (m.rows.size() != det.stressors.size())
    throw Error(ErrorCategory::Internal, "mrio montecarlo: selected rows differ from compute_accounts'");
  for (size_t q = 0; q < m.rows.size(); ++q) {
    if (m.rows[q].stressor != det.stressors[q].stressor || m.rows[q].extension != det.stressors[q].extension)
      throw Error(ErrorCategory::Internal, "mrio montecarlo: selected rows differ from compute_accounts'");
    m.rows[q].unit = det.stressors[q].unit;
  }

  m.base = std::make_unique<linalg::LeontiefSolver>(s.A, method, 1);
  // Corrections by a product with (I - A)^-1 (dgemm) rather than two triangular solves: n^2 doubles, shared
  // by the threads; up to n = 6,000 (288 MB) and only when draws iterate.
  res.solver = fmt::format("{}, shared by every draw as the preconditioner of I - A'", linalg::describe(method));
  m.isolated = mrio_io::isolated_sectors(s.A);
  m.flows = s.x.size() == n;
  res.perturbed = std::string(1, m.flows ? 'Z' : 'A');
  m.param_a = unc::parameter_id(m.flows ? "mrio:Z" : "mrio:A");
  // A' moves with Z (or A) and, in the flow form, with Y through x'.
  constexpr size_t kInverseMax = 6000;
  if (method == linalg::Method::Dense && n <= kInverseMax && o.solve != MrioMonteCarloOptions::Solve::Factorise &&
      (o.rse_z > 0 || (m.flows && o.rse_y > 0)))
    m.inverse = m.base->leontief_inverse();
  m.param_y = unc::parameter_id("mrio:Y");
  // Cell sizes (flows): Z_ij = A_ij x_j; coefficient form: A_ij x0_j with x0 = L Y1 (for the Lenzen model).
  std::vector<double> x0;
  if (m.flows) {
    m.x = &s.x;
  } else if (o.rse_model == RseModel::Lenzen) {
    x0.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t c = 0; c < m.ny; ++c) x0[i] += s.Y(i, c);
    m.base->solve_shared(x0, 1, false);
  }
  const std::vector<double>& xs = m.flows ? s.x : x0;
  if (m.flows || o.rse_model == RseModel::Lenzen) {
    m.z.resize(s.A.nnz());
    for (size_t i = 0; i < n; ++i)
      for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) m.z[size_t(p)] = s.A.value[p] * xs[s.A.col[p]];
  }
  res.cells_z = s.A.nnz();
  for (double v : s.Y.data) res.cells_y += v != 0;
  if (o.rse_model == RseModel::Lenzen) {
    const double mz = median_abs(m.z);
    m.rse_a.resize(m.z.size());
    for (size_t p = 0; p < m.z.size(); ++p) m.rse_a[p] = cell_rse(o.rse_model, o.rse_z, m.z[p], mz);
    std::vector<double> ynz;
    for (double v : s.Y.data)
      if (v != 0) ynz.push_back(v);
    const double my = median_abs(ynz);
    m.rse_y.resize(s.Y.data.size());
    for (size_t c = 0; c < s.Y.data.size(); ++c) m.rse_y[c] = cell_rse(o.rse_model, o.rse_y, s.Y.data[c], my);
  }
  if (!m.flows) m.z.clear();
  for (auto& rr : m.raw) {
    const auto& ext = s.extensions[rr.ext];
    std::vector<double> nz;
    for (size_t j = 0; j < n; ++j)
      if (ext.F(rr.row, j) != 0) nz.push_back(ext.F(rr.row, j)), ++res.cells_f;
    if (!ext.F_Y.empty())
      for (size_t c = 0; c < m.ny; ++c)
        if (ext.F_Y(rr.row, c) != 0) nz.push_back(ext.F_Y(rr.row, c)), ++res.cells_f;
    if (o.rse_model != RseModel::Lenzen) continue;
    const double mf = median_abs(nz);
    rr.rse_f.resize(n);
    for (size_t j = 0; j < n; ++j) rr.rse_f[j] = cell_rse(o.rse_model, o.rse_f, ext.F(rr.row, j), mf);
    if (!ext.F_Y.empty()) {
      rr.rse_fy.resize(m.ny);
      for (size_t c = 0; c < m.ny; ++c) rr.rse_fy[c] = cell_rse(o.rse_model, o.rse_f, ext.F_Y(rr.row, c), mf);
    }
  }
  res.setup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  parallel::Draws draws;
  {
    parallel::OneBlasThread one;  // the draws call LAPACK from several threads at once
    bool refactorise = o.solve == MrioMonteCarloOptions::Solve::Factorise;
    if (o.solve == MrioMonteCarloOptions::Solve::Auto && method == linalg::Method::Dense) {
      // Flops of one draw: refine = (iterations + 1) x (LU solves + residual) of R columns; factorise =
      // 2/3 n^3 + one such pass. Draw 0 tells the iterations (a fallback counts as max_iterations + a
      // factorisation).
      std::vector<double> probe(m.outputs());
      DrawWorker(m, false).run(0, probe.data());
      m.cpu_ns = 0;
      const double its = probe[m.rows.size() * m.R * 4] + (probe[m.rows.size() * m.R * 4 + 1] != 0 ? o.max_iterations : 0);
      // A pass over the sparse A' costs about 4 times a dense BLAS flop per flop (memory-bound), so 8 nnz.
      const double nn = double(n), pass = double(m.R) * (2 * nn * nn + 8 * double(s.A.nnz()));
      refactorise = (its + 1) * pass > 2.0 / 3.0 * nn * nn * nn + pass;
    }
    res.solve = refactorise ? "factorise" : "refine";
    if (refactorise)
      res.solver = fmt::format("{} of I - A' in every draw", linalg::describe(method));
    else if (!m.inverse.empty())
      res.solver += "; corrections by the explicit (I - A)^-1 (dgemm), GCR-accelerated";
    else
      res.solver += "; GCR-accelerated";
    draws = parallel::run_draws(m.outputs(), o.run, [&m, refactorise] { return std::make_unique<DrawWorker>(m, refactorise); });
  }
  res.seconds = draws.seconds;
  res.draws = draws.draws;
  res.cpu_seconds = double(m.cpu_ns.load()) * 1e-9;

  const size_t R = m.R;
  const size_t diag = m.rows.size() * R * 4;
  double it_sum = 0;
  for (uint64_t k = 0; k < draws.draws; ++k) {
    const double its = draws.at(k, diag);
    it_sum += its;
    res.max_iterations = std::max(res.max_iterations, static_cast<int>(its));
    res.fallbacks += draws.at(k, diag + 1) != 0;
    const double kept = draws.at(k, diag + 2);
    res.kept_outputs += static_cast<uint64_t>(kept);
    res.draws_with_kept_outputs += kept > 0;
  }
  res.mean_iterations = draws.draws ? it_sum / double(draws.draws) : 0;
  if (res.kept_outputs)
    res.notes.push_back(fmt::format(
        "{} sector outputs in {} of {} draws kept their given value: their drawn uses Z'1 + Y'1 were not positive "
        "(negative final-demand cells such as inventory changes against similar positive ones)",
        res.kept_outputs, res.draws_with_kept_outputs, res.draws));
  for (size_t q = 0; q < m.rows.size(); ++q) {
    MrioMonteCarloStressor st;
    st.extension = m.rows[q].extension;
    st.stressor = m.rows[q].stressor;
    st.unit = m.rows[q].unit;
    st.regions.resize(R);
    const auto& d = det.stressors[q];
    for (size_t p = 0; p < R; ++p) {
      const RegionAccount& a = d.regions[p];
      const double values[4] = {a.production, a.consumption, a.imports, a.exports};
      for (size_t k = 0; k < 4; ++k) {
        st.regions[p][k].deterministic = values[k];
        st.regions[p][k].summary = unc::summarize(draws.column((q * R + p) * 4 + k));
      }
    }
    res.stressors.push_back(std::move(st));
  }
  return res;
}

}  // namespace panocarbon
