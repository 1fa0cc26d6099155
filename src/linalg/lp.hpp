// Linear programmes (internal): minimise or maximise c'x subject to row_lower <= A x <= row_upper and
// col_lower <= x <= col_upper, solved by COIN-OR Clp (Debian's coinor-libclp-dev). The home of the LP solver
// for process optimisation, least-cost routes and abatement curves. Duals are shadow prices:
// dual[i] = d(objective) / d(bound of row i) at the optimum, in the objective's own direction (for a
// maximisation, the gain per unit of a binding <= row's bound is positive).
#pragma once
#include <limits>
#include <string>
#include <vector>

namespace panocarbon::linalg {

inline constexpr double kLpInfinity = std::numeric_limits<double>::infinity();

struct LinearProgram {
  bool maximise = false;
  std::vector<double> cost;                   // c, one per column
  std::vector<double> col_lower, col_upper;   // default 0 .. +inf when empty
  std::vector<double> row_lower, row_upper;   // -inf / +inf for a one-sided row
  struct Entry {
    int row, col;
    double value;
  };
  std::vector<Entry> entries;                 // A as triplets (duplicates are summed)
  std::vector<std::string> row_names, col_names;  // optional, for messages
  size_t n_rows() const { return row_lower.size(); }
  size_t n_cols() const { return cost.size(); }
};

enum class LpStatus { Optimal, Infeasible, Unbounded, IterationLimit, Error };
const char* to_string(LpStatus s) noexcept;

struct LpSolution {
  LpStatus status = LpStatus::Error;
  double objective = 0;
  std::vector<double> x;             // primal values, one per column
  std::vector<double> row_activity;  // A x
  std::vector<double> dual;          // shadow prices, one per row (see above)
  std::vector<double> reduced_cost;  // one per column
  double max_primal_infeasibility = 0;  // the largest violation of a row or column bound by x
  int iterations = 0;
  std::string message;  // what went wrong, naming rows or columns where Clp can tell
};

// Checks the programme's shape (Error{InvalidInput} naming the row or column) and solves it with Clp's dual
// simplex (primal simplex when asked). Infeasible and unbounded programmes are results, not errors.
LpSolution solve_lp(const LinearProgram& lp, bool primal_simplex = false);

}  // namespace panocarbon::linalg
