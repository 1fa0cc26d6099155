// Uncertainty: probability distributions with stats_arrays' conventions, the pedigree matrix, a
// counter-based random number generator and summary statistics. One engine for every module
// (inventory, MRIO, LCA, sensitivity): see docs/uncertainty.md.
//
// Reproducibility: draw k of parameter p under seed s is a pure function of (s, p, k). Philox4x32-10
// (Salmon et al. 2011, Random123) is keyed by s and counted by (k, block, p); every transform to a
// distribution is our own code (no std::*_distribution, whose output differs between standard libraries).
// So a Monte Carlo run gives the same numbers however its draws are split over threads or MPI ranks.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon::unc {

// Distribution ids of stats_arrays (Brightway); BetaPert is ours (stats_arrays has none).
enum class DistKind : uint8_t {
  Undefined = 0,        // no information: the amount, constant
  None = 1,             // no uncertainty: the amount, constant
  Lognormal = 2,        // loc = ln(geometric mean) (= ln|amount|), scale = σ of ln; negative: −exp(N(loc, σ))
  Normal = 3,           // loc = mean, scale = standard deviation
  Uniform = 4,          // minimum, maximum
  Triangular = 5,       // minimum, loc = mode, maximum
  Bernoulli = 6,        // loc = p: 1 with probability p, else 0 (with minimum/maximum: maximum or minimum)
  DiscreteUniform = 7,  // integers in [minimum, maximum) (maximum exclusive, as stats_arrays)
  Weibull = 8,          // loc = offset, scale = λ, shape = k:  loc + λ (−ln(1−u))^(1/k)
  Gamma = 9,            // loc = offset, scale = θ, shape = k
  Beta = 10,            // loc = α, shape = β, on [minimum, maximum] (default [0, 1])
  GeneralizedExtremeValue = 11,  // loc = μ, scale = σ, shape = ξ (ξ > 0 heavy upper tail; ξ = 0 Gumbel)
  StudentT = 12,        // shape = ν (degrees of freedom), loc = median, scale
  BetaPert = 100        // minimum, loc = mode, maximum (λ = 4): Beta(1 + 4(m−a)/(b−a), 1 + 4(b−m)/(b−a))
};

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

struct Distribution {
  DistKind kind = DistKind::None;
  double amount = 0;  // the deterministic value (Undefined/None, and σ = 0)
  double loc = kNone, scale = kNone, shape = kNone, minimum = kNone, maximum = kNone;
  bool negative = false;  // lognormal only: values are negative (−exp(N(loc, σ)))
};

const char* to_string(DistKind k) noexcept;
// By stats_arrays id ("2") or name ("lognormal", "normal", "triangular", "beta-pert", ...).
// Throws Error{InvalidInput} listing the names.
DistKind dist_kind(std::string_view name_or_id);

// Throws Error{InvalidInput} naming `where` (a file, line or field) and the parameter that is wrong:
// σ < 0, minimum > maximum, a mode outside [minimum, maximum], p outside [0, 1], shape ≤ 0, ...
void validate(const Distribution& d, const std::string& where);
// True when every draw is the same number (None, Undefined, σ = 0, minimum = maximum).
bool is_constant(const Distribution& d);

// Constructors in the common conventions. Zero or negative amounts are handled: a lognormal of a
// negative amount is stored with negative = true; a lognormal of 0 is the constant 0.
Distribution constant(double amount);
Distribution lognormal(double amount, double sigma_ln);             // median = amount
Distribution lognormal_gsd(double geometric_mean, double gsd);      // openLCA: σ = ln(gsd)
Distribution normal(double mean, double sd);
Distribution uniform(double minimum, double maximum);
Distribution triangular(double minimum, double mode, double maximum);
// IPCC 2006 Vol 1 Ch 3: an uncertainty given as the half-width of the 95 % interval in % of the value
// (possibly asymmetric: −low %, +high %). Symmetric and below 50 %: normal, sd = value·pct/100/1.959964.
// Otherwise lognormal whose 2.5 and 97.5 percentiles match the range as closely as one σ can: σ from the
// ratio of the bounds, σ = ln((1 + high/100)/(1 − low/100)) / (2·1.959964), median = geometric mean of
// the bounds (Vol 1 Ch 3 §3.2.2.4 and Box 3.2 suggest lognormal for wide, positive quantities).
// low ≥ 100 % (a lower bound at or below zero) is taken as low = 99.9 %.
Distribution from_ipcc_percent(double value, double pct_low, double pct_high);

// Analytic mean (NaN when it does not exist: Student t with ν ≤ 1).
double mean(const Distribution& d);
// The inverse CDF at u ∈ (0, 1) (used by sensitivity sampling and tests). Closed form for all but
// Gamma, Beta, BetaPert and StudentT, which are inverted numerically (bisection on the CDF to 1e-14).
double quantile(const Distribution& d, double u);
double cdf(const Distribution& d, double x);

// ---- pedigree matrix -------------------------------------------------------------------------------
// Scores 1..5 for reliability, completeness, temporal, geographical and further technological
// correlation (0 = not given, read as 1).
enum class PedigreeConvention {
  Ciroth2016,  // Ciroth et al. (2016) Int J LCA 21:1338, empirical factors U (GSD² = 95 % factors):
               //   σ = ½ √( ln²U_basic + Σ ln²U_i ); basic = U_basic (GSD², e.g. 1.05; 1 = none)
  EcoinventV3  // Weidema et al. (2013) ecoinvent v3 data quality guideline, additive variances of ln:
               //   σ² = σ²_basic + Σ var_i; basic = σ²_basic (e.g. 0.0006)
};
PedigreeConvention pedigree_convention(std::string_view name);  // "ciroth2016" | "ecoinvent3"
double pedigree_sigma(const int scores[5], double basic, PedigreeConvention convention);

// ---- random numbers --------------------------------------------------------------------------------
// A stable 64-bit id of a parameter from its name (FNV-1a), so draws do not depend on order or count of
// the other parameters. Two inputs that share a name share their draws (perfect correlation: one fuel's
// emission factor used by several categories).
uint64_t parameter_id(std::string_view name);
// The generator is Philox4x32-10 (Salmon et al. 2011; Random123's r123::Philox4x32 gives the same words),
// computed by our own vector kernel (AVX-512F, AVX2 or baseline, as vector_level() picks; the same bits on each).
// Key = (seed mod 2^32, seed >> 32); counter = (c0, c1, c2, c3) = (j, s, param mod 2^32, param >> 32).
// A pair of 32-bit words (lo, hi) becomes the 64-bit x = hi << 32 | lo and the uniform (x >> 11)·2⁻⁵³ + 2⁻⁵⁴:
// 53 bits, in the open interval (0, 1), never 0 or 1.
//
// The primary uniform of draw k: counter (⌊k/2⌋, 0, param), words (w0, w1) for even k and (w2, w3) for odd k
// (w1, w3 the high words), so one block serves two draws. Every transform of one uniform (inverse CDFs) uses it.
double uniform01(uint64_t seed, uint64_t param, uint64_t draw);
// uniform01 of draws first .. first + n − 1 (the vector kernel: 16 draws per AVX-512 step).
void uniform01_fill(uint64_t seed, uint64_t param, uint64_t first, size_t n, double* out);
// Four further uniforms of (seed, param, draw, block), block ≥ 1: the two Philox blocks s = 2·block − 1 and
// s = 2·block at j = draw, words (w0, w1), (w2, w3) of each in turn. Rejection samplers (gamma, beta, PERT, t)
// take theirs from blocks 1, 2, ... (a second stream, Beta's and PERT's second gamma, from block 2^30).
// Throws Error{Internal} for block 0 (the primary uniforms' s = 0) or block ≥ 2^31 (s would not fit 32 bits).
void uniforms4(uint64_t seed, uint64_t param, uint64_t draw, uint64_t block, double out[4]);
// The draw numbers of one parameter must be below 2^32 (j and, for the rejection samplers, the draw itself are
// 32-bit counter words): a run has at most kMaxDraws draws.
constexpr uint64_t kMaxDraws = 4294967295ULL;
// Throws Error{InvalidInput} naming the option (--draws, --trajectories, --bootstrap) when `count` draw numbers
// of one parameter would reach 2^32 (what they are is in `what`, e.g. "draws").
void check_draw_count(uint64_t count, const std::string& option, const std::string& what = "draws");
// Φ⁻¹(u): Wichura (1988) AS 241 PPND16, relative accuracy about 1e-16 (its logarithm is draw_log).
double normal_quantile(double u);
// e^x and ln x of the transforms (lognormal, the normal quantile's tails): ours, not libm's, so that the draws
// have the same bits on every machine and in every vector path; within 1 ulp of the exact value (tested against
// libm over a dense sweep and the ends of the range). draw_log: 0 gives −∞, below 0 NaN.
double draw_exp(double x);
double draw_log(double x);
// The vector clones of the transforms the CPU runs: 0 baseline (SSE2 or another architecture), 1 AVX2 (+ FMA
// on the CPU), 2 AVX-512 (F + VL), as the whole process detects it (PANOCARBON_SIMD=baseline|avx2 lowers it, for
// the MRIO solve too). set_vector_level(cap) caps it (tests compare the paths; they give the same bits) and returns the
// previous cap.
int vector_level();
int set_vector_level(int cap);
double normal_cdf(double x);

// Draws of one distribution for one parameter. Cheap to copy; thread-safe (no state).
class Sampler {
 public:
  Sampler() = default;
  Sampler(const Distribution& d, uint64_t seed, uint64_t param);
  double operator()(uint64_t draw) const;
  // out[i] = draw (first + i), for i < n; faster than n calls for the closed-form kinds.
  void fill(uint64_t first, size_t n, double* out) const;
  const Distribution& distribution() const { return d_; }

 private:
  Distribution d_;
  uint64_t seed_ = 0, param_ = 0;
  double c0_ = 0, c1_ = 0, c2_ = 0;  // precomputed constants of the transform
  bool constant_ = true;
  double value_ = 0;
};
inline double sample(const Distribution& d, uint64_t seed, uint64_t param, uint64_t draw) {
  return Sampler(d, seed, param)(draw);
}

// ---- statistics ------------------------------------------------------------------------------------
struct Summary {
  uint64_t n = 0;
  double mean = 0, sd = 0, median = 0, p2_5 = 0, p97_5 = 0, min = 0, max = 0;
  // IPCC Approach 2 asymmetric range in % of the mean: (mean − p2.5)/|mean|·100, (p97.5 − mean)/|mean|·100
  double pct_low() const { return mean != 0 ? (mean - p2_5) / std::fabs(mean) * 100 : 0; }
  double pct_high() const { return mean != 0 ? (p97_5 - mean) / std::fabs(mean) * 100 : 0; }
};
// Percentiles by linear interpolation between order statistics (numpy's default, Hyndman & Fan type 7).
// Summing in draw order makes the result independent of how the draws were computed.
Summary summarize(const double* values, size_t n);
// The same with a caller's scratch vector (no allocation per call when summarising many outputs).
Summary summarize(const double* values, size_t n, std::vector<double>& work);
inline Summary summarize(const std::vector<double>& v) { return summarize(v.data(), v.size()); }
// The draws' distribution as equal-width bins over [min, max]: counts[i] holds the draws in
// [lower + i w, lower + (i + 1) w), the last bin closed (w = (upper - lower) / bins). `bins` 0 picks Sturges'
// rule, ceil(log2 n) + 1, within [5, 50]. Every draw is in one bin (the counts sum to n); all draws equal give
// one bin. For the front ends' histograms (web page, reports); the statistics above never use the bins.
struct Histogram {
  double lower = 0, upper = 0;
  std::vector<uint64_t> counts;
};
Histogram histogram(const double* values, size_t n, size_t bins = 0);
// q in [0, 1] of already sorted values.
double percentile_sorted(const double* sorted, size_t n, double q);
// Spearman's rank correlation of x and y (ties get their average rank).
double spearman(const double* x, const double* y, size_t n);
// Pearson's correlation.
double pearson(const double* x, const double* y, size_t n);

}  // namespace panocarbon::unc
