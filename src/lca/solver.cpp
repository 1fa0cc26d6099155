// One sparse LU of the technosphere, reused for every demand and every transposed solve. KLU first:
// its block triangular form suits technosphere matrices (mostly hierarchical supply chains, few loops).
// UMFPACK if KLU fails, and a clear error naming the providers when A is singular. Every solve checks
// its residual and refines once when needed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include <fmt/format.h>
#include <suitesparse/klu.h>
#include <suitesparse/umfpack.h>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca {

struct Solver::Impl {
  int n = 0;
  std::vector<int> Ap, Ai;
  std::vector<double> Ax;
  klu_common common{};
  klu_symbolic* symbolic = nullptr;
  klu_numeric* numeric = nullptr;
  void* umf_numeric = nullptr;
  const ProductSystem* sys = nullptr;
  std::vector<double> Ax0;      // the values of the first factorisation (its pivot order is the one refactor keeps)
  bool pivots_changed = false;  // the last refactor fell back to a full factorisation with new pivots
  mutable SolveStats stats;

  // A full numeric factorisation of Ax: KLU on the symbolic analysis, else UMFPACK, else an Error.
  void factor_full(const std::string& label);

  ~Impl() {
    if (numeric) klu_free_numeric(&numeric, &common);
    if (symbolic) klu_free_symbolic(&symbolic, &common);
    if (umf_numeric) umfpack_di_free_numeric(&umf_numeric);
  }

  // y = A x (or Aᵀ x)
  void multiply(const double* x, double* y, bool transposed) const {
    std::fill(y, y + n, 0.0);
    for (int j = 0; j < n; ++j)
      for (int k = Ap[static_cast<size_t>(j)]; k < Ap[static_cast<size_t>(j) + 1]; ++k) {
        const size_t i = static_cast<size_t>(Ai[static_cast<size_t>(k)]);
        if (transposed) y[j] += Ax[static_cast<size_t>(k)] * x[i];
        else y[i] += Ax[static_cast<size_t>(k)] * x[j];
      }
  }

  void raw_solve(double* b, int nrhs, bool transposed) const {
    if (numeric) {
      auto* c = const_cast<klu_common*>(&common);
      const int ok = transposed ? klu_tsolve(symbolic, numeric, n, nrhs, b, c) : klu_solve(symbolic, numeric, n, nrhs, b, c);
      if (!ok) throw Error(ErrorCategory::Internal, "KLU solve failed (status " + std::to_string(common.status) + ")");
      return;
    }
    std::vector<double> x(static_cast<size_t>(n));
    for (int r = 0; r < nrhs; ++r) {
      double* col = b + static_cast<size_t>(r) * static_cast<size_t>(n);
      const int st = umfpack_di_solve(transposed ? UMFPACK_At : UMFPACK_A, Ap.data(), Ai.data(), Ax.data(), x.data(),
                                      col, umf_numeric, nullptr, nullptr);
      if (st != UMFPACK_OK) throw Error(ErrorCategory::Internal, "UMFPACK solve failed (status " + std::to_string(st) + ")");
      std::copy(x.begin(), x.end(), col);
    }
  }

  // Solves in place with a residual check and one step of iterative refinement when it is above 1e-12.
  void solve(std::vector<double>& b, bool transposed) const {
    const std::vector<double> rhs = b;
    raw_solve(b.data(), 1, transposed);
    // a solution beyond the range of a double: say so (the residual would only show NaN and read as singular)
    for (size_t i = 0; i < b.size(); ++i)
      if (!std::isfinite(b[i]))
        throw Error(ErrorCategory::Data,
                    fmt::format("the result is not finite: entry {} of the {} is {}. The numbers overflow (beyond "
                                "±1.8e308) or the technosphere matrix is singular: check the amounts of the processes "
                                "involved for values near 1e308 and for loops whose inputs equal their outputs",
                                i + 1, transposed ? "impacts per unit of each provider (Aᵀλ = q)" : "scaling vector (A s = f)",
                                b[i]));
    std::vector<double> r(static_cast<size_t>(n));
    for (int pass = 0; pass < 2; ++pass) {
      multiply(b.data(), r.data(), transposed);
      double rmax = 0, fmax = 0;
      for (size_t i = 0; i < r.size(); ++i) {
        r[i] = rhs[i] - r[i];
        rmax = std::max(rmax, std::abs(r[i]));
        fmax = std::max(fmax, std::abs(rhs[i]));
      }
      const double rel = fmax > 0 ? rmax / fmax : rmax;
      if (pass == 0 && rel > 1e-12 && std::isfinite(rel)) {
        raw_solve(r.data(), 1, transposed);
        for (size_t i = 0; i < r.size(); ++i) b[i] += r[i];
        continue;
      }
      stats.residual = std::max(stats.residual, rel);
      if (!std::isfinite(rel) || rel > 1e-6)
        throw Error(ErrorCategory::Data,
                    fmt::format("the technosphere matrix is numerically singular (relative residual {:.3g} after "
                                "refinement): check for processes whose inputs exceed their outputs in a loop",
                                rel));
      break;
    }
  }
};

namespace {
[[noreturn]] void singular(const ProductSystem& sys, const std::vector<int>& Ap, const std::vector<int>& Ai,
                           const std::vector<double>& Ax, const char* solver, const std::string& label) {
  // name the providers whose diagonal entry is zero (structurally or after summing duplicates)
  std::string list;
  size_t count = 0;
  for (size_t j = 0; j + 1 < Ap.size(); ++j) {
    double d = 0;
    for (int k = Ap[j]; k < Ap[j + 1]; ++k)
      if (static_cast<size_t>(Ai[static_cast<size_t>(k)]) == j) d = Ax[static_cast<size_t>(k)];
    if (d == 0 && count++ < 5) {
      const Process& p = sys.db->processes[static_cast<size_t>(sys.providers[j].process)];
      list += fmt::format("\n  {} ({})", p.name, p.id);
    }
  }
  throw Error(ErrorCategory::Data,
              fmt::format("the technosphere matrix{} is singular ({} could not factorise it){}{}: a provider's net "
                          "output is zero, e.g. it consumes all it produces; fix the process data or cut the loop",
                          label.empty() ? "" : " of " + label, solver, count ? fmt::format("; {} providers have a zero net output, e.g.:", count) : "", list));
}
}  // namespace

void Solver::Impl::factor_full(const std::string& label) {
  if (numeric) klu_free_numeric(&numeric, &common);
  if (umf_numeric) umfpack_di_free_numeric(&umf_numeric);
  if (symbolic) numeric = klu_factor(Ap.data(), Ai.data(), Ax.data(), symbolic, &common);
  if (numeric && common.status == KLU_OK) {
    stats.solver = "KLU";
    stats.lu_nnz = static_cast<size_t>(numeric->lnz + numeric->unz + numeric->nzoff);
    return;
  }
  if (numeric) klu_free_numeric(&numeric, &common);
  // UMFPACK's threshold partial pivoting may succeed where KLU's static pivoting did not
  void* sym = nullptr;
  int st = umfpack_di_symbolic(n, n, Ap.data(), Ai.data(), Ax.data(), &sym, nullptr, nullptr);
  if (st == UMFPACK_OK) st = umfpack_di_numeric(Ap.data(), Ai.data(), Ax.data(), sym, &umf_numeric, nullptr, nullptr);
  if (sym) umfpack_di_free_symbolic(&sym);
  if (st != UMFPACK_OK) {
    if (umf_numeric) umfpack_di_free_numeric(&umf_numeric);
    singular(*sys, Ap, Ai, Ax, "neither KLU nor UMFPACK", label);
  }
  stats.solver = "UMFPACK (KLU failed)";
  int lnz = 0, unz = 0, nr = 0, nc = 0, nzud = 0;
  if (umfpack_di_get_lunz(&lnz, &unz, &nr, &nc, &nzud, umf_numeric) == UMFPACK_OK)
    stats.lu_nnz = static_cast<size_t>(lnz + unz);
}

Solver::Solver(const ProductSystem& sys) : impl_(std::make_unique<Impl>()) {
  const auto t0 = std::chrono::steady_clock::now();
  Impl& m = *impl_;
  m.sys = &sys;
  m.n = static_cast<int>(sys.providers.size());
  // CSC with duplicates summed
  CscMatrix a = technosphere_matrix(sys);
  m.Ap = std::move(a.p);
  m.Ai = std::move(a.i);
  m.Ax = std::move(a.x);
  if (m.n == 0) throw Error(ErrorCategory::InvalidInput, "the database provides no products: nothing to calculate");

  klu_defaults(&m.common);
  m.symbolic = klu_analyze(m.n, m.Ap.data(), m.Ai.data(), &m.common);
  m.stats.nnz = m.Ax.size();
  m.factor_full("");
  m.Ax0 = m.Ax;
  m.stats.factorise_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Solver::refactor(const std::vector<double>& values, const std::string& label) {
  Impl& m = *impl_;
  if (values.size() != m.Ax.size())
    throw Error(ErrorCategory::Internal, fmt::format("refactor with {} values for a pattern of {} entries",
                                                     values.size(), m.Ax.size()));
  if (m.pivots_changed) {
    // back to the pivot order of the first factorisation, so that a draw's result does not depend on which
    // draws this solver saw before (the same bytes for any number of threads)
    m.Ax = m.Ax0;
    m.factor_full(label);
    m.pivots_changed = false;
  }
  std::copy(values.begin(), values.end(), m.Ax.begin());
  ++m.stats.refactors;
  bool ok = false;
  if (m.numeric && m.symbolic) {
    ok = klu_refactor(m.Ap.data(), m.Ai.data(), m.Ax.data(), m.symbolic, m.numeric, &m.common) &&
         m.common.status == KLU_OK;
    // the pivot order was chosen for the first values: a pivot that became tiny loses accuracy
    if (ok) ok = klu_rcond(m.symbolic, m.numeric, &m.common) && std::isfinite(m.common.rcond) && m.common.rcond >= 1e-14;
  }
  if (!ok) {
    ++m.stats.refactor_fallbacks;
    m.factor_full(label);
    m.pivots_changed = true;
  }
}
Solver::~Solver() = default;
size_t Solver::size() const { return static_cast<size_t>(impl_->n); }
const SolveStats& Solver::stats() const { return impl_->stats; }

std::vector<double> Solver::solve(const std::vector<double>& f) const {
  std::vector<double> b = f;
  impl_->solve(b, false);
  return b;
}

std::vector<double> Solver::solve_transposed(const std::vector<double>& c) const {
  std::vector<double> b = c;
  impl_->solve(b, true);
  return b;
}

}  // namespace panocarbon::lca
