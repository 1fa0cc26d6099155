// Monte Carlo LCA (issue 5): every exchange's uncertainty (lca::Uncertainty as read: lognormal, normal,
// triangular, uniform, or pedigree scores alone) becomes a distribution of the exchange amount; each draw
// puts the drawn amounts into A and B exactly where (and scaled exactly as) build_system put the amounts,
// refactorises A on the symbolic analysis of the deterministic system (klu_refactor), solves and
// characterises. Characterisation factors are constant. See docs/uncertainty-lca.md.
//
// Draw k of an exchange is a pure function of (seed, parameter_id("<process id>/<exchange id>"), k), so a run
// gives the same numbers for any number of threads or MPI ranks, and a parameter's draws can be recomputed
// on demand (the contribution to variance does so instead of storing them).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "panocarbon/lca.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/uncertainty.hpp"

namespace panocarbon::lca {

struct MonteCarloOptions {
  uint64_t seed = 0;
  // converts pedigree scores into σ of ln where an exchange has scores and no distribution (or a lognormal
  // with σ = 0); the basic uncertainty is Uncertainty::basic_variance, a variance of ln
  unc::PedigreeConvention pedigree = unc::PedigreeConvention::Ciroth2016;
};

// The distribution of one exchange amount (in its flow's reference unit, with the reader's sign), or a
// constant (unc::is_constant) when the exchange has none or only σ = 0. Reversed bounds of a triangular or
// uniform distribution (minimum > maximum) are swapped and a distribution that cannot be sampled (a mode
// outside its bounds, a geometric SD below 1, a negative σ) is replaced by the constant amount; both are
// described in `note` (empty when nothing was changed). `origin`: "lognormal", "normal", "triangular",
// "uniform", "pedigree" or "" (constant).
unc::Distribution exchange_distribution(const Exchange& e, unc::PedigreeConvention pedigree, std::string* origin,
                                        std::string* note);

// One uncertain exchange amount of the system.
struct McParameter {
  int32_t process = -1, exchange = -1;
  std::string name;                 // "<process id>/<exchange id>" ("#<index>" when the id is missing or repeated)
  unc::Distribution distribution;   // of the amount
  std::string origin;               // as exchange_distribution
  double amount = 0;                // the deterministic amount
  double sd = 0;                    // analytic standard deviation of the amount
};

// The linear model of a ProductSystem for draws: what is constant is summed once, what is uncertain is a
// list of (position, scale, parameter).
struct MonteCarloModel {
  const ProductSystem* sys = nullptr;
  uint64_t seed = 0;
  std::vector<McParameter> parameters;
  std::vector<unc::Sampler> samplers;  // one per parameter
  CscMatrix a;                         // the pattern of A (technosphere_matrix); a.x = its constant part
  struct AEntry {
    size_t pos;      // into a.x
    int32_t row, col;
    uint32_t param;
    double scale;
  };
  std::vector<AEntry> a_entries;
  size_t categories = 0;
  std::vector<std::vector<double>> q0;  // per category, per provider: characterised constant biosphere
  struct BEntry {
    int32_t col;
    uint32_t param;
  };
  std::vector<BEntry> b_entries;
  std::vector<double> b_weight;         // b_entries.size() × categories: c_k · dir · scale
  size_t a_uncertain = 0, b_uncertain = 0;  // matrix entries that are drawn
  std::vector<std::string> notes;           // repairs and distributions replaced by constants
};

// Requires sys.technosphere_source and biosphere_source (a system from build_system, not the store's cache).
// Only biosphere entries of characterised flows are kept. Throws Error when the sources are missing.
MonteCarloModel montecarlo_model(const ProductSystem& sys, const FlowMapping& mapping,
                                 const MonteCarloOptions& options);

// One per thread: its own factorisation (analysed and factorised once from the system, refactorised per draw).
// Only what can change the demand's result is drawn: the entries of the providers upstream of the demand (the
// columns reachable from it through A's pattern); the others keep their amounts (s is 0 there, whatever A).
class McEvaluator {
 public:
  McEvaluator(const MonteCarloModel& model, const Demand& demand);
  // The impacts (one per category) of draw `draw`. Throws Error naming the draw when A is singular or a
  // result is not finite.
  void run_draw(uint64_t draw, double* out);
  // The impacts with the given parameter values (one per model parameter; those outside the demand's supply
  // chain are taken at their amounts); `label` names them in errors.
  // Also leaves the scaling vector in scaling().
  void run_values(const double* values, double* out, const std::string& label);
  const std::vector<double>& scaling() const { return s_; }
  const Solver& solver() const { return solver_; }
  const std::vector<uint32_t>& active() const { return active_; }  // the parameters drawn, in model order

 private:
  const MonteCarloModel& m_;
  Demand demand_;
  Solver solver_;
  std::vector<double> x_, ax_, f_, s_, base_;
  std::vector<uint32_t> active_;
  std::vector<MonteCarloModel::AEntry> a_entries_;  // the model's, upstream of the demand
};

// Processes that contribute most to the variance of one category (see docs/uncertainty-lca.md).
struct McContribution {
  int32_t process = -1;
  double share_pct = 0;       // Σ ρ² of its parameters / Σ ρ² of all screened parameters × 100
  size_t parameters = 0;      // its screened parameters
  uint32_t top_parameter = 0;  // its parameter with the largest ρ²
  double rho = 0;             // that parameter's Spearman ρ with the category's result
};
struct McCategory {
  std::string name, unit;
  double deterministic = 0;
  unc::Summary summary;
  unc::Histogram histogram;                   // the draws' distribution (for histograms)
  std::vector<McContribution> contributions;  // at most `top`, largest share first
  size_t screened = 0;                        // parameters whose ρ was computed
};
struct McResult {
  std::vector<McCategory> categories;
  parallel::Draws draws;  // outputs = categories
  size_t refactor_fallbacks = 0;  // over all workers (not part of the output: depends on threads)
};

// Screening for the contribution to variance: parameters by their first-order variance share
// (∂h/∂x · sd)² at the deterministic point, largest first, until 99 % of the first-order variance is covered,
// at most max(kMinScreened, 10 · top).
constexpr size_t kMinScreened = 100;

McResult run_montecarlo(const MonteCarloModel& model, const Method& method, const Demand& demand,
                        const parallel::RunOptions& run, size_t top);

}  // namespace panocarbon::lca
