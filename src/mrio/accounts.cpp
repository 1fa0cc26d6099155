// Regional accounts of an EE-MRIO (pymrio's calc_accounts semantics, without forming L or the n x n
// diagonalised final demand): one factorisation of I - A, then
//   X = L Y_reg              (n x regions: output needed by each region's final demand; R solves)
//   bilateral[p][c] = sum_{i in p} s_i X[i][c]
//   production_p  = sum_c bilateral[p][c] + F_Y_p           (pymrio D_pba_reg: S * (L y))
//   consumption_c = sum_p bilateral[p][c] + F_Y_c           (D_cba_reg)
//   imports_c = sum_{p != c} bilateral[p][c], exports_p = sum_{c != p} bilateral[p][c]  (D_imp_reg, D_exp_reg)
//   M = S L from (I - A)^T M^T = S^T                          (k transposed solves)
//   income: g = x^-1 L f (f = S x, Ghosh downstream multipliers G s), income_r = sum_{j in r} v_j g_j + F_Y_r
//   EEBT: d_p = s_p (I - A_pp)^-1 (domestic intensities), eebt[p][c] = d_p (Z_pc 1 + Y_pc 1), eebt[p][p] = d_p Y_pp 1
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <map>

#include "core/progress.hpp"
#include "mrio/common.hpp"
#include "linalg/leontief.hpp"
#include "mrio/selection.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/mrio.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon {

namespace {

struct Row {
  std::string extension, stressor, unit;
  std::vector<double> f;   // n: F row
  std::vector<double> fy;  // regions*categories: F_Y row (zeros when none)
};

using mrio_io::gas_token;
using mrio_io::stressor_matches;

// The selected rows as F and F_Y rows (a characterised row summed from its gases, in the selection's order).
std::vector<Row> select_rows(const MrioSystem& s, const AccountsOptions& o, std::vector<std::string>& notes) {
  const size_t n = s.n(), ny = s.n_regions() * s.n_categories();
  std::vector<Row> rows;
  for (const auto& sel : mrio_sel::select_stressors(s, o.extensions, o.stressors, o.gwp, &notes)) {
    Row row{sel.extension, sel.stressor, sel.unit, std::vector<double>(n, 0.0), std::vector<double>(ny, 0.0)};
    for (const auto& p : sel.parts) {
      const auto& ext = s.extensions[p.ext];
      if (sel.plain) {
        for (size_t j = 0; j < n; ++j) row.f[j] = ext.F(p.row, j);
        if (!ext.F_Y.empty())
          for (size_t j = 0; j < ny; ++j) row.fy[j] = ext.F_Y(p.row, j);
        continue;
      }
      for (size_t j = 0; j < n; ++j) row.f[j] += p.factor * ext.F(p.row, j);
      if (!ext.F_Y.empty())
        for (size_t j = 0; j < ny; ++j) row.fy[j] += p.factor * ext.F_Y(p.row, j);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// PANOCARBON_TRACE=1 prints the time of each phase on stderr (for benchmarking).
void trace(const char* what, std::chrono::steady_clock::time_point& t) {
  static const bool on = std::getenv("PANOCARBON_TRACE") != nullptr;
  if (!on) return;
  const auto now = std::chrono::steady_clock::now();
  std::fprintf(stderr, "trace: %-28s %.3f s\n", what, std::chrono::duration<double>(now - t).count());
  t = now;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

linalg::Method to_method(SolverChoice c, size_t n, size_t nnz, std::string& why) {
  switch (c) {
    case SolverChoice::Dense: why = "chosen by the user"; return linalg::Method::Dense;
    case SolverChoice::Mixed: why = "chosen by the user"; return linalg::Method::DenseMixed;
    case SolverChoice::Sparse: why = "chosen by the user"; return linalg::Method::Sparse;
    case SolverChoice::Iterative: why = "chosen by the user"; return linalg::Method::Iterative;
    case SolverChoice::Auto: break;
  }
  return linalg::choose_method(n, nnz, &why);
}

}  // namespace

MrioAccounts compute_accounts(const MrioSystem& s, const AccountsOptions& o) {
  MrioAccounts out;
  const size_t n = s.n(), R = s.n_regions(), ns = s.n_sectors(), nc = s.n_categories();
  const std::vector<Row> rows = select_rows(s, o, out.notes);
  const size_t k = rows.size();
  if (k == 0) throw Error(ErrorCategory::NotFound, "no stressor selected", {s.source});

  // Factorise I - A once.
  SolveReport& rep = out.report;
  rep.n = n;
  rep.nnz = s.A.nnz();
  const auto method = to_method(o.solver, n, rep.nnz, rep.why);
  rep.solver = linalg::describe(method);
  Progress factorising(fmt::format("factorising I - A (n = {}, {})", n, rep.solver), 1, o.progress);
  factorising.start();
  linalg::LeontiefSolver solver = [&] {
    try {
      return linalg::LeontiefSolver(s.A, method, 0, ns);
    } catch (const Error& e) {
      // Name the sector of a zero pivot.
      const std::string msg = e.message();
      const auto at = msg.find("sector index ");
      if (at != std::string::npos) {
        const size_t idx = std::stoul(msg.substr(at + 13));
        throw Error(e.category(), msg + " (" + mrio_io::sector_label(s, idx) + ")", {s.source, 0, 0, mrio_io::sector_label(s, idx)});
      }
      throw e.with_context({s.source});
    }
  }();
  factorising.finish();
  rep.factorise_s = solver.factorise_seconds();
  const auto t_solve = std::chrono::steady_clock::now();
  auto t_phase = t_solve;

  // X = L Y_reg.
  std::vector<double> yreg(n * R, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t r = 0; r < R; ++r)
      for (size_t c = 0; c < nc; ++c) yreg[r * n + i] += s.Y(i, r * nc + c);
  // When x is not given (x = the solved outputs), the income-based accounts' W = L (S x) is L F, up to the
  // rounding of F / x * x: the iterative solve takes F's k columns along with Y_reg's R (each pass over A
  // serves every column, so they cost almost nothing). The LU paths keep their own solve below.
  const bool fold_income = o.income && s.x.size() != n && method == linalg::Method::Iterative;
  const size_t cols1 = R + (fold_income ? k : 0);
  std::vector<double> X(n * cols1);
  std::copy(yreg.begin(), yreg.end(), X.begin());
  if (fold_income)
    for (size_t q = 0; q < k; ++q) std::copy(rows[q].f.begin(), rows[q].f.end(), X.begin() + static_cast<std::ptrdiff_t>((R + q) * n));
  const std::vector<double> rhs1 = fold_income ? X : std::vector<double>();
  solver.solve(X, cols1);
  // The residual of every solve: mixed precision and the iterative solve have computed it exactly; else one
  // pass here.
  auto residuals = [&](const std::vector<double>& sol, const std::vector<double>& rhs, size_t cols, bool transposed) {
    const auto& known = solver.last_residuals();
    for (double r : known.size() == cols ? known : linalg::leontief_residuals(s.A, sol.data(), rhs.data(), cols, transposed))
      rep.max_residual = std::max(rep.max_residual, r);
  };
  trace(fold_income ? "X = L Y_reg, L F" : "X = L Y_reg", t_phase);
  residuals(X, fold_income ? rhs1 : yreg, cols1, false);
  std::vector<double> LF;  // L F when folded
  if (fold_income) {
    LF.assign(X.begin() + static_cast<std::ptrdiff_t>(R * n), X.end());
    X.resize(R * n);
  }
  std::vector<double> xcalc(n, 0.0);
  out.output_by_region = DenseMatrix(n, R);
  for (size_t r = 0; r < R; ++r)
    for (size_t i = 0; i < n; ++i) {
      xcalc[i] += X[r * n + i];
      out.output_by_region(i, r) = X[r * n + i];
    }
  const std::vector<double>& x = s.x.size() == n ? s.x : xcalc;
  if (s.x_given) {
    double d2 = 0, x2 = 0;
    for (size_t i = 0; i < n; ++i) {
      d2 += (s.x[i] - xcalc[i]) * (s.x[i] - xcalc[i]);
      x2 += s.x[i] * s.x[i];
    }
    rep.output_balance = x2 > 0 ? std::sqrt(d2 / x2) : 0;
  }
  const auto isolated = mrio_io::isolated_sectors(s.A);
  for (size_t i = 0; i < n; ++i)
    if (xcalc[i] < -1e-9 * std::max(1.0, std::fabs(x[i])) && !isolated[i])
      throw Error(ErrorCategory::Data,
                  "(I - A)^-1 y gives a negative output for " + mrio_io::sector_label(s, i) +
                      ": A is not productive (a column sum of A is 1 or more?); check the coefficients",
                  {s.source, 0, 0, mrio_io::sector_label(s, i)});

  // Intensities S = F x^-1 (x = 0 -> 0), column-major n x k for the transposed solve.
  std::vector<double> St(n * k, 0.0);
  for (size_t q = 0; q < k; ++q)
    for (size_t j = 0; j < n; ++j) St[q * n + j] = x[j] != 0.0 ? rows[q].f[j] / x[j] : 0.0;
  std::vector<double> Mt = St;
  trace("x checks, S", t_phase);
  solver.solve_transposed(Mt, k);
  trace("M = S L", t_phase);
  residuals(Mt, St, k, true);

  // Income-based: W = L F_direct (F_direct = S x_calc), g = W / x.
  std::vector<double> W;
  std::vector<double> v(n, 0.0);
  if (o.income) {
    W.assign(n * k, 0.0);
    for (size_t q = 0; q < k; ++q)
      for (size_t j = 0; j < n; ++j) W[q * n + j] = St[q * n + j] * xcalc[j];
    // L F serves when S x is F up to rounding (|S x - F| <= 4 eps |F|: the difference's image under L is far
    // below the solve's tolerance); a sector with x = 0 and emissions (S = 0 there) needs its own solve.
    bool reuse = fold_income;
    for (size_t q = 0; q < k && reuse; ++q)
      for (size_t j = 0; j < n; ++j) {
        const double f = rows[q].f[j];
        if (std::fabs(W[q * n + j] - f) > 4 * 2.220446049250313e-16 * std::fabs(f)) {
          reuse = false;
          break;
        }
      }
    if (reuse) {
      W.swap(LF);
    } else {
      const std::vector<double> Fd = W;
      solver.solve(W, k);
      trace("W = L f", t_phase);
      residuals(W, Fd, k, false);
    }
    // v_j = x_j (1 - sum_i A_ij): primary inputs consistent with the solved outputs.
    std::vector<double> colsum(n, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) colsum[s.A.col[p]] += s.A.value[p];
    for (size_t j = 0; j < n; ++j) v[j] = xcalc[j] * (1.0 - colsum[j]);
  }

  // EEBT: exports of each sector to each region, E[i][c] = sum_{j in c, c != region(i)} A_ij x_j + Y_reg[i][c].
  std::vector<double> E;
  std::vector<double> D;  // n x k domestic multipliers d_p (row-major by sector)
  if (o.eebt) {
    E.assign(n * R, 0.0);
    for (size_t i = 0; i < n; ++i) {
      const size_t ri = i / ns;
      for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) {
        const size_t rj = s.A.col[p] / ns;
        if (rj != ri) E[i * R + rj] += s.A.value[p] * xcalc[s.A.col[p]];
      }
      for (size_t r = 0; r < R; ++r) E[i * R + r] += yreg[r * n + i];
    }
    D.assign(n * k, 0.0);
    // The iterative solver's preconditioner holds (I - A_pp)^-1 for every region already: D^T = M^-T S^T.
    std::vector<double> dt = St;
    const bool from_preconditioner = solver.apply_block_inverses(dt, k, true, ns);
    if (from_preconditioner)
      for (size_t q = 0; q < k; ++q)
        for (size_t i = 0; i < n; ++i) D[i * k + q] = dt[q * n + i];
    for (size_t p = 0; p < R && !from_preconditioner; ++p) {
      SparseRows block;
      block.rows = block.cols = ns;
      block.row_start.assign(ns + 1, 0);
      for (size_t a = 0; a < ns; ++a) {
        const size_t i = p * ns + a;
        for (int64_t q = s.A.row_start[i]; q < s.A.row_start[i + 1]; ++q) {
          const size_t j = s.A.col[q];
          if (j / ns == p) {
            block.col.push_back(static_cast<uint32_t>(j - p * ns));
            block.value.push_back(s.A.value[q]);
          }
        }
        block.row_start[a + 1] = static_cast<int64_t>(block.value.size());
      }
      linalg::LeontiefSolver dom(block, linalg::Method::Dense, 1);
      std::vector<double> b(ns * k);
      for (size_t q = 0; q < k; ++q)
        for (size_t a = 0; a < ns; ++a) b[q * ns + a] = St[q * n + p * ns + a];
      dom.solve_transposed(b, k);
      for (size_t q = 0; q < k; ++q)
        for (size_t a = 0; a < ns; ++a) D[(p * ns + a) * k + q] = b[q * ns + a];
    }
  }
  trace("income v, EEBT", t_phase);
  rep.solve_s = seconds_since(t_solve);

  for (size_t q = 0; q < k; ++q) {
    const Row& row = rows[q];
    StressorAccounts acc;
    acc.extension = row.extension;
    acc.stressor = row.stressor;
    acc.unit = row.unit;
    acc.regions.resize(R);
    acc.bilateral = DenseMatrix(R, R);
    acc.multipliers.assign(Mt.begin() + static_cast<std::ptrdiff_t>(q * n), Mt.begin() + static_cast<std::ptrdiff_t>((q + 1) * n));
    const double* sq = &St[q * n];
    acc.intensities.assign(sq, sq + n);
    for (size_t c = 0; c < R; ++c) {
      const double* xc = &X[c * n];
      for (size_t i = 0; i < n; ++i) acc.bilateral(i / ns, c) += sq[i] * xc[i];
    }
    std::vector<double> fy(R, 0.0);
    for (size_t r = 0; r < R; ++r)
      for (size_t c = 0; c < nc; ++c) fy[r] += row.fy[r * nc + c];
    double sum_cons = 0, sum_prod = 0, sum_abs = 0, sum_inc = 0, sum_eebt = 0;
    if (o.eebt) acc.eebt = DenseMatrix(R, R);
    for (size_t p = 0; p < R; ++p) {
      RegionAccount& a = acc.regions[p];
      for (size_t c = 0; c < R; ++c) {
        a.production += acc.bilateral(p, c);
        a.consumption += acc.bilateral(c, p);
        if (c != p) {
          a.exports += acc.bilateral(p, c);
          a.imports += acc.bilateral(c, p);
        }
      }
      a.direct_fd = fy[p];
      a.production += fy[p];
      a.consumption += fy[p];
      a.shared = o.shared_weight * a.consumption + (1 - o.shared_weight) * a.production;
      if (o.income) {
        a.income = fy[p];
        for (size_t j = p * ns; j < (p + 1) * ns; ++j)
          if (xcalc[j] != 0.0) a.income += v[j] * W[q * n + j] / xcalc[j];
      }
      if (o.eebt)
        for (size_t c = 0; c < R; ++c) {
          double e = 0;
          for (size_t i = p * ns; i < (p + 1) * ns; ++i) e += D[i * k + q] * E[i * R + c];
          acc.eebt(p, c) = e;
        }
      if (!s.population.empty() && s.population[p] > 0) {
        a.consumption_per_capita = a.consumption / s.population[p];
        a.production_per_capita = a.production / s.population[p];
      }
      sum_cons += a.consumption;
      sum_prod += a.production;
      sum_abs += std::fabs(a.production);
      sum_inc += a.income;
    }
    if (o.eebt)
      for (size_t p = 0; p < R; ++p) {
        for (size_t c = 0; c < R; ++c) {
          acc.regions[c].eebt_consumption += acc.eebt(p, c);
          if (c != p) acc.regions[p].eebt_exports += acc.eebt(p, c);
        }
      }
    for (size_t p = 0; p < R; ++p) {
      if (o.eebt) acc.regions[p].eebt_consumption += fy[p];
      sum_eebt += acc.regions[p].eebt_consumption;
    }
    const double scale = sum_abs > 0 ? sum_abs : 1.0;
    rep.identity_gap = std::max(rep.identity_gap, std::fabs(sum_cons - sum_prod) / scale);
    if (o.income) rep.identity_gap = std::max(rep.identity_gap, std::fabs(sum_inc - sum_prod) / scale);
    if (o.eebt) rep.identity_gap = std::max(rep.identity_gap, std::fabs(sum_eebt - sum_prod) / scale);
    out.stressors.push_back(std::move(acc));
  }
  trace("accounts per stressor", t_phase);
  if (std::getenv("PANOCARBON_TRACE"))
    for (const auto& r : solver.refinement_log())
      std::fprintf(stderr, "trace: %s, %zu right-hand sides, %s %d: residual %.3e in %.3f s\n",
                   method == linalg::Method::Iterative ? "GMRES cycle" : "refinement", r.rhs,
                   method == linalg::Method::Iterative ? "products with A so far" : "step", r.step, r.residual, r.seconds);
  if (o.leontief) out.L = solver.leontief_inverse();
  rep.iterations = solver.iterations();
  if (solver.fell_back()) {
    rep.solver = linalg::describe(solver.method()) +
                 (method == linalg::Method::Iterative
                      ? ", after the iterative solve did not converge (" + solver.fallback_reason() + ")"
                      : std::string(", after single precision did not converge"));
  }
  return out;
}

}  // namespace panocarbon
