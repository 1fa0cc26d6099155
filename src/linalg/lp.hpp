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
  std::vector<bool> integer;                  // optional: true where a column must take integer values (solve_milp)
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
  // Filled by solve_milp only:
  bool mip = false;
  double best_bound = 0;  // the best bound branch and bound proved on the objective
  double mip_gap = 0;     // |objective - best_bound| / max(1, |objective|); 0 when proven optimal
  int nodes = 0;          // branch-and-bound nodes
};

// Checks the programme's shape (Error{InvalidInput} naming the row or column) and solves it with Clp's dual
// simplex (primal simplex when asked). Infeasible and unbounded programmes are results, not errors.
LpSolution solve_lp(const LinearProgram& lp, bool primal_simplex = false);

// Mixed-integer programme: the columns flagged in `integer` take integer values, solved by COIN-OR Cbc (branch
// and bound over Clp). The LP relaxation is solved first: infeasible or unbounded relaxations are returned as
// such. x and objective are Cbc's best integer solution; dual, reduced_cost and row_activity are those of the
// LP with every integer column fixed at its value (the usual shadow prices of a MILP). max_seconds bounds the
// search (the status is then IterationLimit when no integer point was found, else Optimal with a gap).
LpSolution solve_milp(const LinearProgram& lp, double max_seconds = 60);

// The programme in CPLEX LP format (for a second solver: glpsol --lp, and for reading by a person). Column and
// row names are made LP-safe (letters, digits and _ . kept; others become _) and unique (x1.., r1.. when absent).
std::string to_cplex_lp(const LinearProgram& lp);

}  // namespace panocarbon::linalg
