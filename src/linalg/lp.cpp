#include "linalg/lp.hpp"

#include <CbcModel.hpp>
#include <ClpSimplex.hpp>
#include <OsiClpSolverInterface.hpp>
#include <CoinPackedMatrix.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

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

// The programme in the arrays Clp's and Osi's loadProblem take: A column-ordered, infinite bounds as COIN_DBL_MAX.
struct ClpArrays {
  explicit ClpArrays(const LinearProgram& lp) {
    const size_t m = lp.n_rows(), n = lp.n_cols();
    std::vector<int> rows, cols;
    std::vector<double> vals;
    for (const auto& e : lp.entries) rows.push_back(e.row), cols.push_back(e.col), vals.push_back(e.value);
    a = CoinPackedMatrix(true, rows.data(), cols.data(), vals.data(), static_cast<CoinBigIndex>(vals.size()));
    a.setDimensions(static_cast<int>(m), static_cast<int>(n));
    cl.resize(n), cu.resize(n), rl.resize(m), ru.resize(m);
    for (size_t k = 0; k < n; ++k) {
      cl[k] = clp_bound(lp.col_lower.empty() ? 0.0 : lp.col_lower[k]);
      cu[k] = clp_bound(lp.col_upper.empty() ? kLpInfinity : lp.col_upper[k]);
    }
    for (size_t k = 0; k < m; ++k) {
      rl[k] = clp_bound(lp.row_lower[k]);
      ru[k] = clp_bound(lp.row_upper[k]);
    }
  }
  CoinPackedMatrix a;
  std::vector<double> cl, cu, rl, ru;
};
}  // namespace

LpSolution solve_lp(const LinearProgram& lp, bool primal_simplex) {
  check(lp);
  const int m = static_cast<int>(lp.n_rows()), n = static_cast<int>(lp.n_cols());
  const ClpArrays in(lp);
  ClpSimplex model;
  model.setLogLevel(0);
  model.loadProblem(in.a, in.cl.data(), in.cu.data(), lp.cost.data(), in.rl.data(), in.ru.data());
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
    s.max_primal_infeasibility = std::max({s.max_primal_infeasibility, in.cl[k] - s.x[k], s.x[k] - in.cu[k]});
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

LpSolution solve_milp(const LinearProgram& lp, double max_seconds) {
  check(lp);
  if (!lp.integer.empty() && lp.integer.size() != lp.n_cols())
    throw Error(ErrorCategory::InvalidInput, "integer needs one flag per column", ErrorContext{{}, 0, 0, "integer"});
  LpSolution relaxed = solve_lp(lp);
  const bool any_integer = std::find(lp.integer.begin(), lp.integer.end(), true) != lp.integer.end();
  if (relaxed.status != LpStatus::Optimal || !any_integer) {
    relaxed.mip = true;
    relaxed.best_bound = relaxed.objective;
    return relaxed;
  }
  const int n = static_cast<int>(lp.n_cols());
  const ClpArrays in(lp);
  OsiClpSolverInterface solver;
  solver.messageHandler()->setLogLevel(0);
  solver.loadProblem(in.a, in.cl.data(), in.cu.data(), lp.cost.data(), in.rl.data(), in.ru.data());
  solver.setObjSense(lp.maximise ? -1.0 : 1.0);
  for (int j = 0; j < n; ++j)
    if (lp.integer[static_cast<size_t>(j)]) solver.setInteger(j);
  CbcModel model(solver);
  model.setLogLevel(0);
  model.messageHandler()->setLogLevel(0);
  model.setMaximumSeconds(max_seconds);
  // Strong branching (hot starts) trips an assertion of the Debian build of OsiClp on some small programmes.
  model.setNumberStrong(0);
  model.setNumberBeforeTrust(0);
  model.branchAndBound();
  const double* best = model.bestSolution();
  if (best == nullptr) {
    LpSolution s;
    s.mip = true;
    s.status = model.isProvenInfeasible() ? LpStatus::Infeasible : LpStatus::IterationLimit;
    s.nodes = model.getNodeCount();
    s.message = s.status == LpStatus::Infeasible
                    ? "no point with integer values satisfies every constraint (the LP relaxation is feasible: "
                      "the integer unit sizes cannot meet the constraints)"
                    : fmt::format("Cbc found no integer solution within {} s", max_seconds);
    return s;
  }
  // Duals of the LP with the integer columns fixed at their values.
  LinearProgram fixed = lp;
  if (fixed.col_lower.empty()) fixed.col_lower.assign(static_cast<size_t>(n), 0.0);
  if (fixed.col_upper.empty()) fixed.col_upper.assign(static_cast<size_t>(n), kLpInfinity);
  for (size_t k = 0; k < static_cast<size_t>(n); ++k)
    if (lp.integer[k]) fixed.col_lower[k] = fixed.col_upper[k] = std::round(best[k]);
  LpSolution s = solve_lp(fixed);
  s.mip = true;
  s.nodes = model.getNodeCount();
  s.best_bound = model.getBestPossibleObjValue();
  if (s.status == LpStatus::Optimal) {
    s.mip_gap = model.isProvenOptimal() ? 0.0 : std::abs(s.objective - s.best_bound) / std::max(1.0, std::abs(s.objective));
    if (model.isProvenOptimal()) s.best_bound = s.objective;
  }
  return s;
}

namespace {
std::string lp_name(const std::vector<std::string>& names, size_t i, char prefix, std::set<std::string>& used) {
  std::string base = i < names.size() && !names[i].empty() ? names[i] : std::to_string(i + 1);
  std::string out(1, prefix);
  out += '_';
  for (char ch : base) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                    ch == '.';
    out += ok ? ch : '_';
  }
  if (out.size() > 200) out.resize(200);
  std::string unique = out;
  for (int k = 2; !used.insert(unique).second; ++k) unique = fmt::format("{}_{}", out, k);
  return unique;
}
void lp_terms(std::string& out, const std::vector<std::pair<double, const std::string*>>& terms) {
  size_t on_line = 0;
  if (terms.empty()) {
    out += " 0";
    return;
  }
  for (const auto& [v, name] : terms) {
    out += fmt::format(" {} {:.17g} {}", v < 0 ? '-' : '+', std::abs(v), *name);
    if (++on_line % 8 == 0) out += "\n   ";
  }
}
}  // namespace

std::string to_cplex_lp(const LinearProgram& lp) {
  check(lp);
  const size_t m = lp.n_rows(), n = lp.n_cols();
  std::set<std::string> used;
  std::vector<std::string> cn(n), rn(m);
  for (size_t j = 0; j < n; ++j) cn[j] = lp_name(lp.col_names, j, 'c', used);
  for (size_t i = 0; i < m; ++i) rn[i] = lp_name(lp.row_names, i, 'r', used);
  std::vector<std::vector<std::pair<double, const std::string*>>> row_terms(m);
  {
    // Sum duplicates in column order within each row.
    std::vector<std::vector<std::pair<int, double>>> by_row(m);
    for (const auto& e : lp.entries) by_row[static_cast<size_t>(e.row)].push_back({e.col, e.value});
    for (size_t i = 0; i < m; ++i) {
      auto& r = by_row[i];
      std::sort(r.begin(), r.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      for (size_t k = 0; k < r.size();) {
        double v = 0;
        const int c = r[k].first;
        for (; k < r.size() && r[k].first == c; ++k) v += r[k].second;
        if (v != 0) row_terms[i].push_back({v, &cn[static_cast<size_t>(c)]});
      }
    }
  }
  std::string out = "\\ written by panocarbon\n";
  out += lp.maximise ? "Maximize\n obj:" : "Minimize\n obj:";
  std::vector<std::pair<double, const std::string*>> obj;
  for (size_t j = 0; j < n; ++j)
    if (lp.cost[j] != 0) obj.push_back({lp.cost[j], &cn[j]});
  if (obj.empty() && n > 0) obj.push_back({0.0, &cn[0]});
  lp_terms(out, obj);
  out += "\nSubject To\n";
  for (size_t i = 0; i < m; ++i) {
    const double lo = lp.row_lower[i], up = lp.row_upper[i];
    if (std::isinf(lo) && std::isinf(up)) continue;
    auto row = [&](const std::string& name, const char* sense, double rhs) {
      out += " " + name + ":";
      lp_terms(out, row_terms[i]);
      if (row_terms[i].empty()) out += " " + cn.front();  // "0 x" keeps the row well formed
      out += fmt::format(" {} {:.17g}\n", sense, rhs);
    };
    if (row_terms[i].empty() && n == 0) continue;
    if (lo == up) row(rn[i], "=", lo);
    else {
      if (!std::isinf(lo)) row(std::isinf(up) ? rn[i] : rn[i] + "_lo", ">=", lo);
      if (!std::isinf(up)) row(std::isinf(lo) ? rn[i] : rn[i] + "_up", "<=", up);
    }
  }
  out += "Bounds\n";
  for (size_t j = 0; j < n; ++j) {
    const double lo = lp.col_lower.empty() ? 0.0 : lp.col_lower[j];
    const double up = lp.col_upper.empty() ? kLpInfinity : lp.col_upper[j];
    if (std::isinf(lo) && std::isinf(up)) out += fmt::format(" {} free\n", cn[j]);
    else if (std::isinf(up)) out += fmt::format(" {} >= {:.17g}\n", cn[j], lo);
    else if (std::isinf(lo)) out += fmt::format(" -inf <= {} <= {:.17g}\n", cn[j], up);
    else out += fmt::format(" {:.17g} <= {} <= {:.17g}\n", lo, cn[j], up);
  }
  bool any_int = false;
  for (size_t j = 0; j < n && j < lp.integer.size(); ++j)
    if (lp.integer[j]) {
      if (!any_int) out += "General\n";
      any_int = true;
      out += " " + cn[j] + "\n";
    }
  out += "End\n";
  return out;
}

}  // namespace panocarbon::linalg
