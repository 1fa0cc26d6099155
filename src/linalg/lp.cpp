#include "linalg/lp.hpp"

#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "panocarbon/error.hpp"

namespace panocarbon::linalg {

const char* to_string(LpStatus s) noexcept {
  switch (s) {
    case LpStatus::Optimal: return "optimal";
    case LpStatus::Infeasible: return "infeasible";
    case LpStatus::Unbounded: return "unbounded";
    case LpStatus::IterationLimit: return "iteration limit";
    case LpStatus::Error: return "error";
  }
  return "error";
}

namespace {
std::string row_name(const LinearProgram& lp, size_t i) {
  return i < lp.row_names.size() && !lp.row_names[i].empty() ? lp.row_names[i] : fmt::format("row {}", i + 1);
}
std::string col_name(const LinearProgram& lp, size_t j) {
  return j < lp.col_names.size() && !lp.col_names[j].empty() ? lp.col_names[j] : fmt::format("column {}", j + 1);
}
void check(const LinearProgram& lp) {
  const size_t m = lp.n_rows(), n = lp.n_cols();
  auto bad = [](std::string msg, std::string field) {
    return Error(ErrorCategory::InvalidInput, std::move(msg), ErrorContext{{}, 0, 0, std::move(field)});
  };
  if (lp.row_upper.size() != m) throw bad("row_lower and row_upper differ in length", "row_upper");
  if (!lp.col_lower.empty() && lp.col_lower.size() != n) throw bad("col_lower needs one bound per column", "col_lower");
  if (!lp.col_upper.empty() && lp.col_upper.size() != n) throw bad("col_upper needs one bound per column", "col_upper");
  for (size_t j = 0; j < n; ++j)
    if (!std::isfinite(lp.cost[j])) throw bad(fmt::format("the cost of {} is not finite", col_name(lp, j)), "cost");
  for (size_t i = 0; i < m; ++i)
    if (lp.row_lower[i] > lp.row_upper[i] || std::isnan(lp.row_lower[i]) || std::isnan(lp.row_upper[i]))
      throw bad(fmt::format("{}: its lower bound {} is above its upper bound {}", row_name(lp, i), lp.row_lower[i],
                            lp.row_upper[i]),
                "row_lower");
  for (const auto& e : lp.entries) {
    if (e.row < 0 || static_cast<size_t>(e.row) >= m || e.col < 0 || static_cast<size_t>(e.col) >= n)
      throw bad(fmt::format("a coefficient at ({}, {}) lies outside the {} x {} programme", e.row, e.col, m, n), "entries");
    if (!std::isfinite(e.value))
      throw bad(fmt::format("the coefficient of {} in {} is not finite", col_name(lp, static_cast<size_t>(e.col)),
                            row_name(lp, static_cast<size_t>(e.row))),
                "entries");
  }
}
double clp_bound(double v) { return std::isinf(v) ? (v > 0 ? COIN_DBL_MAX : -COIN_DBL_MAX) : v; }
}  // namespace

LpSolution solve_lp(const LinearProgram& lp, bool primal_simplex) {
  check(lp);
  const int m = static_cast<int>(lp.n_rows()), n = static_cast<int>(lp.n_cols());
  std::vector<int> rows, cols;
  std::vector<double> vals;
  for (const auto& e : lp.entries) rows.push_back(e.row), cols.push_back(e.col), vals.push_back(e.value);
  CoinPackedMatrix a(true, rows.data(), cols.data(), vals.data(), static_cast<CoinBigIndex>(vals.size()));
  a.setDimensions(m, n);
  std::vector<double> cl(static_cast<size_t>(n)), cu(static_cast<size_t>(n)), rl(static_cast<size_t>(m)),
      ru(static_cast<size_t>(m));
  for (int j = 0; j < n; ++j) {
    const auto k = static_cast<size_t>(j);
    cl[k] = clp_bound(lp.col_lower.empty() ? 0.0 : lp.col_lower[k]);
    cu[k] = clp_bound(lp.col_upper.empty() ? kLpInfinity : lp.col_upper[k]);
  }
  for (int i = 0; i < m; ++i) {
    rl[static_cast<size_t>(i)] = clp_bound(lp.row_lower[static_cast<size_t>(i)]);
    ru[static_cast<size_t>(i)] = clp_bound(lp.row_upper[static_cast<size_t>(i)]);
  }
  ClpSimplex model;
  model.setLogLevel(0);
  model.loadProblem(a, cl.data(), cu.data(), lp.cost.data(), rl.data(), ru.data());
  model.setOptimizationDirection(lp.maximise ? -1.0 : 1.0);
  if (primal_simplex) model.primal();
  else model.dual();
  LpSolution s;
  s.iterations = model.numberIterations();
  switch (model.status()) {
    case 0: s.status = LpStatus::Optimal; break;
    case 1: s.status = LpStatus::Infeasible; break;
    case 2: s.status = LpStatus::Unbounded; break;
    case 3: s.status = LpStatus::IterationLimit; break;
    default: s.status = LpStatus::Error; break;
  }
  s.objective = model.objectiveValue();
  s.x.assign(model.primalColumnSolution(), model.primalColumnSolution() + n);
  s.row_activity.assign(model.primalRowSolution(), model.primalRowSolution() + m);
  s.dual.assign(model.dualRowSolution(), model.dualRowSolution() + m);
  s.reduced_cost.assign(model.dualColumnSolution(), model.dualColumnSolution() + n);
  // Clp reports duals in the objective's own direction (checked against a perturbed bound in lp_test.cpp).
  for (int i = 0; i < m; ++i) {
    const auto k = static_cast<size_t>(i);
    s.max_primal_infeasibility = std::max({s.max_primal_infeasibility, lp.row_lower[k] - s.row_activity[k],
                                           s.row_activity[k] - lp.row_upper[k]});
  }
  for (int j = 0; j < n; ++j) {
    const auto k = static_cast<size_t>(j);
    s.max_primal_infeasibility = std::max({s.max_primal_infeasibility, cl[k] - s.x[k], s.x[k] - cu[k]});
  }
  if (s.status == LpStatus::Infeasible) {
    // Clp's sum of infeasibilities names no row; name the rows the best point it found still violates.
    std::vector<std::string> violated;
    for (int i = 0; i < m && violated.size() < 5; ++i) {
      const auto k = static_cast<size_t>(i);
      if (s.row_activity[k] < lp.row_lower[k] - 1e-7 || s.row_activity[k] > lp.row_upper[k] + 1e-7)
        violated.push_back(row_name(lp, k));
    }
    s.message = violated.empty() ? "no point satisfies every constraint"
                                 : fmt::format("no point satisfies every constraint; at the best point Clp found, "
                                               "these are violated: {}",
                                               fmt::join(violated, ", "));
  } else if (s.status == LpStatus::Unbounded) {
    s.message = fmt::format("the objective can {} without limit: a column lacks a bound or a constraint",
                            lp.maximise ? "grow" : "fall");
  } else if (s.status != LpStatus::Optimal) {
    s.message = fmt::format("Clp stopped: {} after {} iterations", to_string(s.status), s.iterations);
  }
  return s;
}

}  // namespace panocarbon::linalg
