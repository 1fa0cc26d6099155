// Global sensitivity analysis (issue 5): Sobol indices by the Saltelli (2010) design with Jansen's total
// effect estimator and percentile bootstrap intervals, and Morris (1991) elementary effects with μ, μ*
// (Campolongo et al. 2007) and σ. Models are named parameters, each with a distribution of the uncertainty
// engine (uncertainty.hpp), and one scalar output; runs are spread over threads and MPI ranks by
// parallel::run_draws, so results are the same for any thread or rank count. See docs/sensitivity.md.
// The engine knows no domain: the model files of inventories, LCA systems and test functions are read by
// panocarbon/sensitivity_models.hpp (src/capabilities), above the domains.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/parallel.hpp"
#include "panocarbon/uncertainty.hpp"

namespace panocarbon::sens {

struct Parameter {
  std::string name;
  unc::Distribution distribution;
};

// Evaluates the model at one point; one per thread (it may keep scratch space).
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // x[i] is the value of parameters()[i]; returns the output.
  virtual double evaluate(const double* x) = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual const std::vector<Parameter>& parameters() const = 0;
  virtual std::string kind() const = 0;    // "ishigami", "g-function", "linear", "inventory", "lca", "function"
  virtual std::string output() const = 0;  // what the output is ("total", "1.A.1", "y", ...)
  virtual std::string unit() const { return ""; }
  virtual std::unique_ptr<Evaluator> evaluator() const = 0;
  // The output by the full calculation where evaluator() takes a shortcut (inventory: calculate_inventory
  // on the modified data and factors); nullopt for models without one.
  virtual std::optional<double> reference(const double* x) const {
    (void)x;
    return std::nullopt;
  }
};

// A model from a function of the parameter values (must be thread-safe).
std::unique_ptr<Model> function_model(std::vector<Parameter> parameters, std::function<double(const double*)> f,
                                      std::string kind = "function", std::string output = "y");

// Test functions (x as in the literature).
// Ishigami & Homma (1990): sin x1 + a sin² x2 + b x3⁴ sin x1, x_i ~ U(−π, π).
double ishigami(const double* x, double a, double b);
// Sobol' G-function: Π (|4 x_i − 2| + a_i)/(1 + a_i), x_i ~ U(0, 1).
double g_function(const double* x, const std::vector<double>& a);

// ---- Sobol indices ---------------------------------------------------------------------------------------
struct SobolOptions {
  uint64_t samples = 1024;    // N: base sample size; model runs N × (k + 2)
  uint64_t bootstrap = 200;   // resamples for the intervals (0: none, bounds NaN)
  double confidence = 0.95;   // of the percentile intervals
  uint64_t seed = 0;
  parallel::RunOptions run;   // threads, progress, label (draws is set to the model runs)
};
struct SobolIndex {
  std::string parameter;
  double S1 = 0, S1_low = unc::kNone, S1_high = unc::kNone;
  double ST = 0, ST_low = unc::kNone, ST_high = unc::kNone;
};
struct SobolResult {
  std::vector<SobolIndex> indices;  // in parameter order
  uint64_t samples = 0, runs = 0, bootstrap = 0;
  double confidence = 0.95;
  double mean = 0, variance = 0;  // of the output over A and B
  double seconds = 0;             // wall time of the model runs (not for output)
};
// The design (Saltelli 2010): matrices A and B of N rows of unit uniforms, A[j][i] = uniform01(seed,
// parameter_id(name_i + "#sobol-A"), j) (B: "#sobol-B"), mapped by unc::quantile; A_B^i is A with column
// i from B. Model run r is row j = r / (k + 2) of A (r % (k + 2) = 0), of B (1) or of A_B^i (2 + i).
// The unit uniform of parameter i in run r.
double sobol_unit(uint64_t seed, const std::string& name, uint64_t r, size_t i, size_t k);
// Estimators on outputs in run order (N (k + 2) values): S1_i = mean(f(B)(f(A_B^i) − f(A)))/V (Saltelli
// 2010), ST_i = mean((f(A) − f(A_B^i))²)/(2V) (Jansen 1999), V the variance of f(A) ∪ f(B) (over 2N; the
// outputs are centred on their mean first). `rows` picks the rows (a bootstrap resample); empty = all.
struct SobolEstimate {
  std::vector<double> S1, ST;
  double mean = 0, variance = 0;
};
SobolEstimate sobol_estimate(const double* outputs, uint64_t samples, size_t k, const std::vector<uint64_t>& rows = {});
SobolResult sobol(const Model& model, const SobolOptions& options);
// The same in two steps, for models evaluated outside the engine (a vectorised Python function): the design's
// model inputs, N (k + 2) rows of k values (row-major, row r = run r, as sobol() evaluates them), and the indices
// with their bootstrap intervals from the outputs in run order (N (k + 2) values; options.samples = N). Throws
// Error{InvalidInput} when the count of outputs is wrong, Error{Data} naming the run of a non-finite output.
std::vector<double> sobol_design(const std::vector<Parameter>& parameters, uint64_t samples, uint64_t seed);
SobolResult sobol_indices(const std::vector<Parameter>& parameters, const std::vector<double>& outputs,
                          const SobolOptions& options);

// ---- Morris elementary effects ------------------------------------------------------------------------------
struct MorrisOptions {
  uint64_t trajectories = 20;  // r: model runs r × (k + 1)
  int levels = 4;              // p (even): grid {0, 1/(p−1), ..., 1}, step Δ = p/(2(p−1))
  uint64_t seed = 0;
  parallel::RunOptions run;
};
struct MorrisIndex {
  std::string parameter;
  double mu = 0, mu_star = 0, sigma = 0;
};
struct MorrisResult {
  std::vector<MorrisIndex> indices;
  uint64_t trajectories = 0, runs = 0;
  int levels = 0;
  double delta = 0;
  double seconds = 0;
};
// Trajectory t in the unit cube: (k + 1) points (row-major, k values each) and the parameter moved at each
// of the k steps; each step moves one parameter by +Δ or −Δ (Morris 1991; SALib's construction
// B* = (J x* + Δ/2 ((2B − J) D* + J)) P*), with the base levels, directions and order drawn from Philox.
void morris_trajectory(uint64_t seed, const std::vector<Parameter>& parameters, int levels, uint64_t t,
                       std::vector<double>& points, std::vector<size_t>& moved);
// The value of a parameter at a unit grid coordinate: quantile(d, u) for bounded distributions; for
// unbounded ones (normal, lognormal, Weibull, gamma, GEV, Student t) the grid is centred in p equal-
// probability bins: quantile(d, (u (p − 1) + 0.5)/p).
double morris_value(const unc::Distribution& d, double u, int levels);
MorrisResult morris(const Model& model, const MorrisOptions& options);

}  // namespace panocarbon::sens
