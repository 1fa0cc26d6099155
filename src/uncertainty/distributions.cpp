// Distributions, pedigree matrix, Philox streams and their transforms (see panocarbon/uncertainty.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif
#include <numeric>

#include "core/simd.hpp"
#include "core/text.hpp"
#include "uncertainty/philox.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/uncertainty.hpp"

namespace panocarbon::unc {

namespace {
constexpr double kZ975 = 1.959963984540054;  // Φ⁻¹(0.975)

Error bad(const std::string& where, const std::string& what) {
  return Error(ErrorCategory::InvalidInput, what, ErrorContext(where));
}
bool given(double v) { return !std::isnan(v); }

struct KindName {
  DistKind kind;
  const char* name;
};
constexpr KindName kKinds[] = {
    {DistKind::Undefined, "undefined"},     {DistKind::None, "none"},
    {DistKind::Lognormal, "lognormal"},     {DistKind::Normal, "normal"},
    {DistKind::Uniform, "uniform"},         {DistKind::Triangular, "triangular"},
    {DistKind::Bernoulli, "bernoulli"},     {DistKind::DiscreteUniform, "discrete-uniform"},
    {DistKind::Weibull, "weibull"},         {DistKind::Gamma, "gamma"},
    {DistKind::Beta, "beta"},               {DistKind::GeneralizedExtremeValue, "gev"},
    {DistKind::StudentT, "student-t"},      {DistKind::BetaPert, "beta-pert"},
};

// The first block of a draw's second stream (Beta's and PERT's second gamma): blocks 2^30, 2^30 + 1, ... are the
// Philox counters s = 2^31 − 1, 2^31, ... (uniforms4), far above the few blocks the first stream takes.
constexpr uint64_t kSecondStream = uint64_t{1} << 30;

// Sequential uniforms of one draw: block `base`, `base + 1`, ... four at a time. Rejection samplers take
// as many as they need; separate bases keep the streams of a draw's components (Beta's two gammas) apart.
class UniformStream {
 public:
  UniformStream(uint64_t seed, uint64_t param, uint64_t draw, uint64_t base)
      : seed_(seed), param_(param), draw_(draw), block_(base) {}
  double next() {
    if (i_ == 4) {
      uniforms4(seed_, param_, draw_, block_++, buf_);
      i_ = 0;
    }
    return buf_[i_++];
  }

 private:
  uint64_t seed_, param_, draw_, block_;
  double buf_[4] = {0, 0, 0, 0};
  int i_ = 4;
};

// Gamma(k, 1) by Marsaglia & Tsang (2000); k < 1 through Gamma(k + 1)·U^(1/k).
double gamma_draw(double k, UniformStream& s) {
  double boost = 1;
  if (k < 1) {
    boost = std::pow(s.next(), 1 / k);
    k += 1;
  }
  const double d = k - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (int tries = 0; tries < 1000; ++tries) {
    const double x = normal_quantile(s.next());
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const double u = s.next();
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * boost;
  }
  return d * boost;  // unreachable in practice (acceptance > 95 % per try)
}

// ln Γ without the sign (all arguments here are positive).
double lgam(double x) { return std::lgamma(x); }

// Regularised lower incomplete gamma P(a, x): series for x < a + 1, continued fraction (Lentz) otherwise.
double gamma_p(double a, double x) {
  if (x <= 0) return 0;
  if (x < a + 1) {
    double sum = 1 / a, term = sum;
    for (int n = 1; n < 1000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-16) break;
    }
    return sum * std::exp(-x + a * std::log(x) - lgam(a));
  }
  double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (std::fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-16) break;
  }
  return 1 - std::exp(-x + a * std::log(x) - lgam(a)) * h;
}

// Continued fraction of the incomplete beta function (modified Lentz).
double beta_cf(double a, double b, double x) {
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < 1e-300) d = 1e-300;
  d = 1 / d;
  double h = d;
  for (int m = 1; m < 1000; ++m) {
    const int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c;
    if (std::fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c;
    if (std::fabs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-16) break;
  }
  return h;
}
// Regularised incomplete beta I_x(a, b).
double beta_i(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(lgam(a + b) - lgam(a) - lgam(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_cf(a, b, x) / a;
  return 1 - front * beta_cf(b, a, 1 - x) / b;
}

// Student t CDF: ½ ± ½ I_{t²/(ν+t²)}(½, ν/2), accurate near t = 0 (the other form loses digits there).
double student_t_cdf(double t, double nu) {
  const double half = 0.5 * beta_i(0.5, 0.5 * nu, t * t / (nu + t * t));
  return t < 0 ? 0.5 - half : 0.5 + half;
}

// x with cdf(x) = u by bisection on [lo, hi] (widened until it brackets u).
template <class F>
double invert(F cdf_of, double u, double lo, double hi) {
  for (int i = 0; i < 200 && cdf_of(hi) < u; ++i) hi = hi > 0 ? hi * 2 : 1;
  for (int i = 0; i < 200 && cdf_of(lo) > u; ++i) lo = lo < 0 ? lo * 2 : -1;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (cdf_of(mid) < u)
      lo = mid;
    else
      hi = mid;
    if (hi - lo <= 1e-14 * std::max(1.0, std::fabs(mid))) break;
  }
  return 0.5 * (lo + hi);
}

double pert_alpha(const Distribution& d) { return 1 + 4 * (d.loc - d.minimum) / (d.maximum - d.minimum); }
double pert_beta(const Distribution& d) { return 1 + 4 * (d.maximum - d.loc) / (d.maximum - d.minimum); }
double beta_lo(const Distribution& d) { return given(d.minimum) ? d.minimum : 0.0; }
double beta_hi(const Distribution& d) { return given(d.maximum) ? d.maximum : 1.0; }
double offset(const Distribution& d) { return given(d.loc) ? d.loc : 0.0; }
}  // namespace

const char* to_string(DistKind k) noexcept {
  for (const auto& e : kKinds)
    if (e.kind == k) return e.name;
  return "?";
}

DistKind dist_kind(std::string_view s) {
  const std::string t = to_lower(s);
  for (const auto& e : kKinds)
    if (t == e.name || t == std::to_string(static_cast<int>(e.kind))) return e.kind;
  if (t == "log-normal") return DistKind::Lognormal;
  if (t == "triangle") return DistKind::Triangular;
  if (t == "pert" || t == "betapert") return DistKind::BetaPert;
  if (t == "t" || t == "studentt") return DistKind::StudentT;
  if (t == "discreteuniform") return DistKind::DiscreteUniform;
  std::string names;
  for (const auto& e : kKinds) names += std::string(names.empty() ? "" : ", ") + e.name;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("unknown distribution '{}': use one of {} (or a stats_arrays id 0-12)", s, names));
}

bool is_constant(const Distribution& d) {
  switch (d.kind) {
    case DistKind::Undefined:
    case DistKind::None:
      return true;
    case DistKind::Lognormal:
    case DistKind::Normal:
      return !(d.scale > 0);
    case DistKind::Uniform:
    case DistKind::Triangular:
    case DistKind::BetaPert:
      return d.minimum == d.maximum;
    default:
      return false;
  }
}

void validate(const Distribution& d, const std::string& where) {
  auto need = [&](double v, const char* name) {
    if (!given(v) || !std::isfinite(v))
      throw bad(where, fmt::format("{} distribution needs a finite {}", to_string(d.kind), name));
  };
  auto positive = [&](double v, const char* name) {
    need(v, name);
    if (!(v > 0)) throw bad(where, fmt::format("{} distribution needs {} > 0 (got {})", to_string(d.kind), name, v));
  };
  auto ordered = [&] {
    need(d.minimum, "minimum");
    need(d.maximum, "maximum");
    if (d.minimum > d.maximum)
      throw bad(where, fmt::format("{} distribution: minimum {} is above maximum {}", to_string(d.kind), d.minimum,
                                   d.maximum));
  };
  switch (d.kind) {
    case DistKind::Undefined:
    case DistKind::None:
      return;
    case DistKind::Lognormal:
    case DistKind::Normal:
      need(d.loc, "loc");
      need(d.scale, "scale (σ)");
      if (d.scale < 0)
        throw bad(where, fmt::format("{} distribution: σ is negative ({}); use σ ≥ 0", to_string(d.kind), d.scale));
      return;
    case DistKind::Uniform:
      ordered();
      return;
    case DistKind::Triangular:
    case DistKind::BetaPert:
      ordered();
      need(d.loc, "mode (loc)");
      if (d.loc < d.minimum || d.loc > d.maximum)
        throw bad(where, fmt::format("{} distribution: mode {} is outside [{}, {}]", to_string(d.kind), d.loc,
                                     d.minimum, d.maximum));
      return;
    case DistKind::Bernoulli:
      need(d.loc, "p (loc)");
      if (d.loc < 0 || d.loc > 1) throw bad(where, fmt::format("bernoulli distribution: p = {} is outside [0, 1]", d.loc));
      return;
    case DistKind::DiscreteUniform:
      ordered();
      if (!(d.maximum > d.minimum))
        throw bad(where, "discrete-uniform distribution: maximum (exclusive) must be above minimum");
      return;
    case DistKind::Weibull:
    case DistKind::Gamma:
      positive(d.scale, "scale");
      positive(d.shape, "shape");
      return;
    case DistKind::Beta:
      positive(d.loc, "alpha (loc)");
      positive(d.shape, "beta (shape)");
      if (given(d.minimum) && given(d.maximum) && !(d.maximum > d.minimum))
        throw bad(where, "beta distribution: maximum must be above minimum");
      return;
    case DistKind::GeneralizedExtremeValue:
      need(d.loc, "loc (μ)");
      positive(d.scale, "scale (σ)");
      need(d.shape, "shape (ξ)");
      return;
    case DistKind::StudentT:
      positive(d.shape, "shape (degrees of freedom ν)");
      positive(d.scale, "scale");
      need(d.loc, "loc");
      return;
  }
  throw bad(where, "unknown distribution id");
}

Distribution constant(double amount) {
  Distribution d;
  d.amount = amount;
  return d;
}
Distribution lognormal(double amount, double sigma_ln) {
  if (amount == 0 || !(sigma_ln > 0)) return constant(amount);
  Distribution d;
  d.kind = DistKind::Lognormal;
  d.amount = amount;
  d.negative = amount < 0;
  d.loc = std::log(std::fabs(amount));
  d.scale = sigma_ln;
  return d;
}
Distribution lognormal_gsd(double geometric_mean, double gsd) {
  return lognormal(geometric_mean, gsd > 0 ? std::log(gsd) : 0.0);
}
Distribution normal(double mean_, double sd) {
  if (!(sd > 0)) return constant(mean_);
  Distribution d;
  d.kind = DistKind::Normal;
  d.amount = d.loc = mean_;
  d.scale = sd;
  return d;
}
Distribution uniform(double minimum, double maximum) {
  Distribution d;
  d.kind = DistKind::Uniform;
  d.minimum = minimum;
  d.maximum = maximum;
  d.amount = 0.5 * (minimum + maximum);
  return d;
}
Distribution triangular(double minimum, double mode, double maximum) {
  Distribution d;
  d.kind = DistKind::Triangular;
  d.minimum = minimum;
  d.maximum = maximum;
  d.amount = d.loc = mode;
  return d;
}

Distribution from_ipcc_percent(double value, double pct_low, double pct_high) {
  if (value == 0 || !(pct_low > 0 || pct_high > 0)) return constant(value);
  if (!(pct_low >= 0) || !(pct_high >= 0))
    throw Error(ErrorCategory::InvalidInput, fmt::format("uncertainty must be ≥ 0 % (got -{} %, +{} %)", pct_low, pct_high));
  if (pct_low == pct_high && pct_high < 50) return normal(value, std::fabs(value) * pct_high / 100 / kZ975);
  const double low = std::min(pct_low, 99.9);
  const double lo = 1 - low / 100, hi = 1 + pct_high / 100;
  const double sigma = std::log(hi / lo) / (2 * kZ975);
  const double median = std::fabs(value) * std::sqrt(lo * hi);
  Distribution d = lognormal(value < 0 ? -median : median, sigma);
  d.amount = value;
  return d;
}

double mean(const Distribution& d) {
  switch (d.kind) {
    case DistKind::Undefined:
    case DistKind::None:
      return d.amount;
    case DistKind::Lognormal: {
      const double m = std::exp(d.loc + 0.5 * d.scale * d.scale);
      return d.negative ? -m : m;
    }
    case DistKind::Normal:
      return d.loc;
    case DistKind::Uniform:
      return 0.5 * (d.minimum + d.maximum);
    case DistKind::Triangular:
      return (d.minimum + d.loc + d.maximum) / 3;
    case DistKind::BetaPert:
      return (d.minimum + 4 * d.loc + d.maximum) / 6;
    case DistKind::Bernoulli:
      return given(d.minimum) && given(d.maximum) ? d.minimum + d.loc * (d.maximum - d.minimum) : d.loc;
    case DistKind::DiscreteUniform:
      return 0.5 * (std::ceil(d.minimum) + std::ceil(d.maximum) - 1);
    case DistKind::Weibull:
      return offset(d) + d.scale * std::tgamma(1 + 1 / d.shape);
    case DistKind::Gamma:
      return offset(d) + d.scale * d.shape;
    case DistKind::Beta:
      return beta_lo(d) + (beta_hi(d) - beta_lo(d)) * d.loc / (d.loc + d.shape);
    case DistKind::GeneralizedExtremeValue: {
      constexpr double kEulerGamma = 0.5772156649015329;
      if (d.shape == 0) return d.loc + d.scale * kEulerGamma;
      if (d.shape >= 1) return std::numeric_limits<double>::infinity();
      return d.loc + d.scale * (std::tgamma(1 - d.shape) - 1) / d.shape;
    }
    case DistKind::StudentT:
      return d.shape > 1 ? d.loc : kNone;
  }
  return kNone;
}

double cdf(const Distribution& d, double x) {
  switch (d.kind) {
    case DistKind::Undefined:
    case DistKind::None:
      return x < d.amount ? 0 : 1;
    case DistKind::Lognormal: {
      if (d.negative) return 1 - cdf(Distribution{DistKind::Lognormal, -d.amount, d.loc, d.scale, kNone, kNone, kNone, false}, -x);
      if (x <= 0) return 0;
      return normal_cdf((std::log(x) - d.loc) / d.scale);
    }
    case DistKind::Normal:
      return normal_cdf((x - d.loc) / d.scale);
    case DistKind::Uniform:
      return std::clamp((x - d.minimum) / (d.maximum - d.minimum), 0.0, 1.0);
    case DistKind::Triangular: {
      const double a = d.minimum, c = d.loc, b = d.maximum;
      if (x <= a) return 0;
      if (x >= b) return 1;
      if (x <= c) return (x - a) * (x - a) / ((b - a) * (c - a));
      return 1 - (b - x) * (b - x) / ((b - a) * (b - c));
    }
    case DistKind::BetaPert:
      return beta_i(pert_alpha(d), pert_beta(d), std::clamp((x - d.minimum) / (d.maximum - d.minimum), 0.0, 1.0));
    case DistKind::Bernoulli: {
      const double lo = given(d.minimum) ? d.minimum : 0, hi = given(d.maximum) ? d.maximum : 1;
      return x < lo ? 0 : x < hi ? 1 - d.loc : 1;
    }
    case DistKind::DiscreteUniform: {
      const double lo = std::ceil(d.minimum), n = std::ceil(d.maximum) - lo;
      return std::clamp((std::floor(x) - lo + 1) / n, 0.0, 1.0);
    }
    case DistKind::Weibull:
      return x <= offset(d) ? 0 : 1 - std::exp(-std::pow((x - offset(d)) / d.scale, d.shape));
    case DistKind::Gamma:
      return gamma_p(d.shape, (x - offset(d)) / d.scale);
    case DistKind::Beta:
      return beta_i(d.loc, d.shape, std::clamp((x - beta_lo(d)) / (beta_hi(d) - beta_lo(d)), 0.0, 1.0));
    case DistKind::GeneralizedExtremeValue: {
      const double z = (x - d.loc) / d.scale;
      if (d.shape == 0) return std::exp(-std::exp(-z));
      const double t = 1 + d.shape * z;
      if (t <= 0) return d.shape > 0 ? 0 : 1;
      return std::exp(-std::pow(t, -1 / d.shape));
    }
    case DistKind::StudentT: {
      return student_t_cdf((x - d.loc) / d.scale, d.shape);
    }
  }
  return kNone;
}

double quantile(const Distribution& d, double u) {
  switch (d.kind) {
    case DistKind::Undefined:
    case DistKind::None:
      return d.amount;
    case DistKind::Lognormal: {
      if (!(d.scale > 0)) return d.amount;
      if (d.negative) return -draw_exp(d.loc + d.scale * normal_quantile(1 - u));
      return draw_exp(d.loc + d.scale * normal_quantile(u));
    }
    case DistKind::Normal:
      return d.scale > 0 ? d.loc + d.scale * normal_quantile(u) : d.loc;
    case DistKind::Uniform:
      return d.minimum + (d.maximum - d.minimum) * u;
    case DistKind::Triangular: {
      const double a = d.minimum, c = d.loc, b = d.maximum;
      if (b == a) return a;
      const double fc = (c - a) / (b - a);
      return u < fc ? a + std::sqrt(u * (b - a) * (c - a)) : b - std::sqrt((1 - u) * (b - a) * (b - c));
    }
    case DistKind::Bernoulli: {
      const double lo = given(d.minimum) ? d.minimum : 0, hi = given(d.maximum) ? d.maximum : 1;
      return u < d.loc ? hi : lo;
    }
    case DistKind::DiscreteUniform: {
      const double lo = std::ceil(d.minimum), n = std::ceil(d.maximum) - lo;
      return lo + std::min(std::floor(u * n), n - 1);
    }
    case DistKind::Weibull:
      return offset(d) + d.scale * std::pow(-std::log1p(-u), 1 / d.shape);
    case DistKind::GeneralizedExtremeValue: {
      const double l = -std::log(u);
      if (d.shape == 0) return d.loc - d.scale * std::log(l);
      return d.loc + d.scale * (std::pow(l, -d.shape) - 1) / d.shape;
    }
    case DistKind::Gamma:
      return offset(d) + d.scale * invert([&](double x) { return gamma_p(d.shape, x); }, u, 0.0, d.shape + 10);
    case DistKind::Beta: {
      const double x = invert([&](double t) { return beta_i(d.loc, d.shape, std::clamp(t, 0.0, 1.0)); }, u, 0.0, 1.0);
      return beta_lo(d) + (beta_hi(d) - beta_lo(d)) * x;
    }
    case DistKind::BetaPert: {
      const double a = pert_alpha(d), b = pert_beta(d);
      const double x = invert([&](double t) { return beta_i(a, b, std::clamp(t, 0.0, 1.0)); }, u, 0.0, 1.0);
      return d.minimum + (d.maximum - d.minimum) * x;
    }
    case DistKind::StudentT: {
      return d.loc + d.scale * invert([&](double t) { return student_t_cdf(t, d.shape); }, u, -10.0, 10.0);
    }
  }
  return kNone;
}

// ---- pedigree ---------------------------------------------------------------------------------------

PedigreeConvention pedigree_convention(std::string_view name) {
  const std::string t = to_lower(name);
  if (t == "ciroth2016" || t == "ciroth") return PedigreeConvention::Ciroth2016;
  if (t == "ecoinvent3" || t == "ecoinvent") return PedigreeConvention::EcoinventV3;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("unknown pedigree convention '{}': use ciroth2016 or ecoinvent3", name));
}

double pedigree_sigma(const int scores[5], double basic, PedigreeConvention convention) {
  // Ciroth et al. (2016) Table 6, uncertainty factors (GSD²) for scores 1..5 (score 5 where the study
  // had no data takes score 4's value, as in the paper).
  static constexpr double kCiroth[5][5] = {
      {1.00, 1.54, 1.61, 1.69, 1.69},  // reliability
      {1.00, 1.03, 1.04, 1.08, 1.08},  // completeness
      {1.00, 1.03, 1.10, 1.19, 1.29},  // temporal correlation
      {1.00, 1.04, 1.08, 1.11, 1.11},  // geographical correlation
      {1.00, 1.18, 1.65, 2.08, 2.80},  // further technological correlation
  };
  // Weidema et al. (2013), ecoinvent v3 data quality guideline, Table 10.5: variances of ln.
  static constexpr double kEcoinvent[5][5] = {
      {0.0, 0.0006, 0.002, 0.008, 0.04},
      {0.0, 0.0001, 0.0006, 0.002, 0.008},
      {0.0, 0.0002, 0.002, 0.008, 0.04},
      {0.0, 0.000025, 0.0001, 0.0006, 0.002},
      {0.0, 0.0006, 0.008, 0.04, 0.12},
  };
  for (int i = 0; i < 5; ++i)
    if (scores[i] < 0 || scores[i] > 5)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("pedigree score {} of indicator {} is outside 1..5", scores[i], i + 1));
  if (convention == PedigreeConvention::Ciroth2016) {
    const double b = basic > 0 ? basic : 1.0;
    double s = std::log(b) * std::log(b);
    for (int i = 0; i < 5; ++i) {
      const double u = kCiroth[i][std::max(scores[i], 1) - 1];
      s += std::log(u) * std::log(u);
    }
    return 0.5 * std::sqrt(s);
  }
  double var = std::max(basic, 0.0);
  for (int i = 0; i < 5; ++i) var += kEcoinvent[i][std::max(scores[i], 1) - 1];
  return std::sqrt(var);
}

// ---- random numbers ---------------------------------------------------------------------------------

uint64_t parameter_id(std::string_view name) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

namespace {
// Philox4x32-10 (Salmon et al. 2011), Random123's constants.
constexpr uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;  // the multipliers
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;  // the key's increments (Weyl sequence)

// One counter, plain C++: c = Philox4x32-10(c) under the key (k0, k1).
inline void philox_block(uint32_t c[4], uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    const uint64_t p0 = uint64_t{kPhiloxM0} * c[0], p1 = uint64_t{kPhiloxM1} * c[2];
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0, n2 = static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = static_cast<uint32_t>(p1);
    c[2] = n2;
    c[3] = static_cast<uint32_t>(p0);
    k0 += kPhiloxW0;
    k1 += kPhiloxW1;
  }
}
inline uint32_t lo32(uint64_t x) { return static_cast<uint32_t>(x); }
inline uint32_t hi32(uint64_t x) { return static_cast<uint32_t>(x >> 32); }
// The open-interval uniform of the 64-bit value hi << 32 | lo: its top 53 bits, plus half a step.
inline double to_unit(uint32_t hi, uint32_t lo) {
  const uint64_t w = uint64_t{hi} << 32 | lo;
  return static_cast<double>(w >> 11) * 0x1p-53 + 0x1p-54;
}
}  // namespace

// The vector kernels: one source (philox_kernel.inc), compiled once per level.
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define PANOCARBON_PHILOX_X86 1
namespace philox_avx512 {
#define PHX_LEVEL 2
#define PHX_TARGET __attribute__((target("avx512f,avx512dq")))
#include "uncertainty/philox_kernel.inc"
#undef PHX_TARGET
#undef PHX_LEVEL
}  // namespace philox_avx512
namespace philox_avx2 {
#define PHX_LEVEL 1
#define PHX_TARGET __attribute__((target("avx2,fma")))
#include "uncertainty/philox_kernel.inc"
#undef PHX_TARGET
#undef PHX_LEVEL
}  // namespace philox_avx2
// The kernel of the current vector level: AVX-512 where the CPU also has DQ (every AVX-512 CPU but the first
// Xeon Phi), else AVX2.
int philox_level() {
  static const bool dq = __builtin_cpu_supports("avx512dq");
  const int level = vector_level();
  return level == 2 && !dq ? 1 : level;
}
#endif
namespace philox_base {
#if defined(__SSE2__)
#define PHX_LEVEL 0
#else
#define PHX_LEVEL -1
#endif
#define PHX_TARGET
#include "uncertainty/philox_kernel.inc"
#undef PHX_TARGET
#undef PHX_LEVEL
}  // namespace philox_base

namespace detail {
void philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  for (int i = 0; i < 4; ++i) out[i] = ctr[i];
  philox_block(out, key[0], key[1]);
}

void philox4x32_10_blocks(const uint32_t key[2], uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, size_t n,
                          uint32_t* out) {
  uint32_t tmp[4 * 8];
  auto run = [&](int lanes, auto kernel) {
    size_t i = 0;
    for (; i + size_t(lanes) <= n; i += size_t(lanes))
      kernel(key[0], key[1], c0 + static_cast<uint32_t>(i), c1, c2, c3, out + 4 * i);
    if (i < n) {
      kernel(key[0], key[1], c0 + static_cast<uint32_t>(i), c1, c2, c3, tmp);
      std::memcpy(out + 4 * i, tmp, 4 * (n - i) * sizeof(uint32_t));
    }
  };
#ifdef PANOCARBON_PHILOX_X86
  const int level = philox_level();
  if (level == 2) return run(philox_avx512::W, philox_avx512::fill_words);
  if (level == 1) return run(philox_avx2::W, philox_avx2::fill_words);
#endif
  run(philox_base::W, philox_base::fill_words);
}
}  // namespace detail

void check_draw_count(uint64_t count, const std::string& option, const std::string& what) {
  if (count <= kMaxDraws) return;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("--{} asks for {} {}, more than the 4,294,967,295 a run can have (the generator counts a "
                          "parameter's draws with 32 bits): ask for fewer, or split the run into runs with other seeds",
                          option, count, what),
              ErrorContext{{}, 0, 0, option});
}

void uniforms4(uint64_t seed, uint64_t param, uint64_t draw, uint64_t block, double out[4]) {
  if (block == 0 || block >= (uint64_t{1} << 31))
    throw Error(ErrorCategory::Internal,
                fmt::format("uniforms4: block {} is outside 1 .. 2^31 - 1 (block 0 is the primary uniforms)", block));
  uint32_t a[4] = {lo32(draw), static_cast<uint32_t>(2 * block - 1), lo32(param), hi32(param)};
  uint32_t b[4] = {lo32(draw), static_cast<uint32_t>(2 * block), lo32(param), hi32(param)};
  philox_block(a, lo32(seed), hi32(seed));
  philox_block(b, lo32(seed), hi32(seed));
  out[0] = to_unit(a[1], a[0]);
  out[1] = to_unit(a[3], a[2]);
  out[2] = to_unit(b[1], b[0]);
  out[3] = to_unit(b[3], b[2]);
}

double uniform01(uint64_t seed, uint64_t param, uint64_t draw) {
  // the primary uniform of draw k: words (w0, w1) (k even) or (w2, w3) (k odd) of counter (⌊k/2⌋, 0, param)
  uint32_t c[4] = {lo32(draw >> 1), 0, lo32(param), hi32(param)};
  philox_block(c, lo32(seed), hi32(seed));
  return (draw & 1) != 0 ? to_unit(c[3], c[2]) : to_unit(c[1], c[0]);
}

void uniform01_fill(uint64_t seed, uint64_t param, uint64_t first, size_t n, double* out) {
#ifdef PANOCARBON_PHILOX_X86
  const int level = philox_level();
  if (level == 2) return philox_avx512::fill_stream(lo32(seed), hi32(seed), lo32(param), hi32(param), first, n, out);
  if (level == 1) return philox_avx2::fill_stream(lo32(seed), hi32(seed), lo32(param), hi32(param), first, n, out);
#endif
  philox_base::fill_stream(lo32(seed), hi32(seed), lo32(param), hi32(param), first, n, out);
}

// ---- our exp and log ----------------------------------------------------------------------------------
// The draws' transforms use these instead of libm's: libm picks an FMA or a non-FMA variant at run time and
// its last bit may differ between them (and between libm versions), ours do not. Plain IEEE operations
// (+, −, ×, ÷, the file is compiled with -ffp-contract=off), bit moves and selects, so every vector clone
// gives the bits of the scalar code, and the loops over them vectorise.
namespace {
inline uint64_t to_bits(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline double from_bits(uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
constexpr double kLn2Hi = 0x1.62e42fee00000p-1;  // ln 2 to 33 bits: n · kLn2Hi is exact for |n| < 2^20
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;  // ln 2 − kLn2Hi
constexpr double kInvLn2 = 0x1.71547652b82fep+0;
constexpr double kRound = 0x1.8p52;  // x + kRound − kRound rounds x to an integer (|x| < 2^51)

// e^x. x = n ln2 + r, |r| ≤ ln2/2 (r = hi − lo, hi exact), e^r = 1 + (hi + (r² q(r) − lo)) with q the Taylor
// series (e^r − 1 − r)/r² to r^11 (the next term is below 2^−57 of e^r); then 2^n as 2^⌊n/2⌋ · 2^(n − ⌊n/2⌋) so
// that results near the underflow are rounded once. No division: the loops over it vectorise well.
[[gnu::always_inline]] inline double exp_body(double x) {
  const double xc = std::min(std::max(x, -745.2), 709.8);  // beyond: 0 and ∞ (by the scaling); NaN stays
  const double xs = xc == xc ? xc : 0.0;                    // NaN: computed on 0, returned below
  const double kd = xs * kInvLn2 + kRound;
  const double nd = kd - kRound;
  const int64_t n = static_cast<int64_t>(to_bits(kd) - to_bits(kRound));  // nd as an integer, |n| ≤ 1076
  const double hi = xs - nd * kLn2Hi;
  const double lo = nd * kLn2Lo;
  const double r = hi - lo;
  const double q =
      1.0 / 2 +
      r * (1.0 / 6 +
           r * (1.0 / 24 +
                r * (1.0 / 120 +
                     r * (1.0 / 720 +
                          r * (1.0 / 5040 +
                               r * (1.0 / 40320 +
                                    r * (1.0 / 362880 +
                                         r * (1.0 / 3628800 +
                                              r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0)))))))))));
  const double y = 1.0 + (hi + (r * r * q - lo));
  const int64_t n1 = n >> 1, n2 = n - n1;
  const double s1 = from_bits(static_cast<uint64_t>(n1 + 1023) << 52);
  const double s2 = from_bits(static_cast<uint64_t>(n2 + 1023) << 52);
  const double e = y * s1 * s2;
  return x == x ? e : x;
}

// ln x for x > 0 (0: −∞, ∞: ∞, below 0 or NaN: NaN). x = 2^e m with m in [√½, √2), f = m − 1, s = f/(2 + f):
// ln m = 2 atanh s = f − f²/2 + s (f²/2 + R), R = Σ 2 s^2k/(2k + 1) to s^22 (|s| < 0.1716: the next term is
// below 2^−60 of the result). Subnormal x are scaled by 2^54 first.
[[gnu::always_inline]] inline double log_body(double x) {
  const bool sub = x < 0x1p-1022;
  const double xs = x * (sub ? 0x1p54 : 1.0);
  const uint64_t ix = to_bits(xs) + (0x3ff0000000000000ULL - 0x3fe6a09e667f3bcdULL);
  const double e = (from_bits(0x4330000000000000ULL | ((ix >> 52) & 0x7ff)) - (0x1p52 + 1023.0)) - (sub ? 54.0 : 0.0);
  const double m = from_bits((ix & 0x000fffffffffffffULL) + 0x3fe6a09e667f3bcdULL);
  const double f = m - 1.0;
  const double hfsq = 0.5 * f * f;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double R =
      z * (2.0 / 3 +
           z * (2.0 / 5 +
                z * (2.0 / 7 +
                     z * (2.0 / 9 +
                          z * (2.0 / 11 +
                               z * (2.0 / 13 +
                                    z * (2.0 / 15 +
                                         z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21 + z * (2.0 / 23)))))))))));
  const double l = e * kLn2Hi - ((hfsq - (s * (hfsq + R) + e * kLn2Lo)) - f);
  const double inf = std::numeric_limits<double>::infinity();
  return ((x > 0) & (x < inf)) ? l : x == 0 ? -inf : x == inf ? inf : std::numeric_limits<double>::quiet_NaN();
}

// AS 241's central region (|p − ½| ≤ 0.425, 85 % of draws): one rational function, no branch, so loops
// over it vectorise.
[[gnu::always_inline]] inline double as241_central(double q) {
  const double r = 0.180625 - q * q;
  return q *
         (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
              45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
           133.14166789178437745) * r + 3.387132872796366608) /
         (((((((5226.495278852545561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
              21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
           42.313330701600911252) * r + 1.0);
}
// AS 241 between the central region and r = √(−ln min(p, 1 − p)) ≤ 5 (p ≥ about 1.4e-11).
[[gnu::always_inline]] inline double as241_near_tail(double r) {
  r -= 1.6;
  return (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
              1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
           4.6303378461565452959) * r + 1.42343711074968357734) /
         (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
              0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
           2.05319162663775882187) * r + 1.0);
}
}  // namespace

double draw_exp(double x) { return exp_body(x); }
double draw_log(double x) { return log_body(x); }

double normal_quantile(double p) {
  // Wichura, M.J. (1988) Algorithm AS 241: The percentage points of the normal distribution.
  // Applied Statistics 37(3):477-484, PPND16; the logarithm is ours (log_body above).
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) return as241_central(q);
  double r = q < 0 ? p : 1 - p;
  if (r <= 0) return q < 0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  r = std::sqrt(-log_body(r));
  double v;
  if (r <= 5) {
    v = as241_near_tail(r);
  } else {
    r -= 5;
    v = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
             0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772) /
        (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
             7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
          0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -v : v;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// ---- sampler ----------------------------------------------------------------------------------------

namespace {
// One chunk of normal or lognormal draws from their uniforms u[0 .. m): the central rational of AS 241 for
// all (vectorised), the tail draws (|u − ½| > 0.425, 15 %) gathered by index and done again with our log,
// √ and the near-tail rational (vectorised), the rare far tail (r > 5, u below 1.4e-11) by normal_quantile
// itself, then loc + scale z, and sign · e^(loc + scale z) for a lognormal. The same operations in the same
// order as normal_quantile and exp, so the same bits as one draw at a time, in every clone below.
struct NormalMap {
  double loc = 0, scale = 1, sign = 1;
  bool logn = false;
};
// The indices i < m of the tail draws (|u[i] − ½| > 0.425), ascending; returns their count. tail[] has room for
// m + 16 entries (the AVX-512 version stores 16 at a time).
inline size_t tail_indices(const double* __restrict u, size_t m, uint32_t* __restrict tail, size_t i = 0,
                           size_t t = 0) {
  for (; i < m; ++i) {
    tail[t] = static_cast<uint32_t>(i);
    t += std::fabs(u[i] - 0.5) > 0.425 ? 1 : 0;
  }
  return t;
}
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
// The same indices by AVX-512F compress, 16 draws at a time (the scalar loop above costs as much as a division
// per draw): the same comparison, so the same indices.
__attribute__((target("avx512f"))) size_t tail_indices_avx512(const double* u, size_t m, uint32_t* tail) {
  const __m512d half = _mm512_set1_pd(0.5), limit = _mm512_set1_pd(0.425);
  const __m512i abs_mask = _mm512_set1_epi64(0x7fffffffffffffffLL);
  __m512i idx = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_set1_epi32(16);
  size_t t = 0, i = 0;
  for (; i + 16 <= m; i += 16) {
    const __m512d a = _mm512_castsi512_pd(
        _mm512_and_si512(_mm512_castpd_si512(_mm512_sub_pd(_mm512_loadu_pd(u + i), half)), abs_mask));
    const __m512d b = _mm512_castsi512_pd(
        _mm512_and_si512(_mm512_castpd_si512(_mm512_sub_pd(_mm512_loadu_pd(u + i + 8), half)), abs_mask));
    const unsigned lo = _mm512_cmp_pd_mask(a, limit, _CMP_GT_OQ), hi = _mm512_cmp_pd_mask(b, limit, _CMP_GT_OQ);
    const auto mask = static_cast<__mmask16>(lo | (hi << 8));
    _mm512_storeu_si512(tail + t, _mm512_maskz_compress_epi32(mask, idx));
    t += static_cast<size_t>(__builtin_popcount(mask));
    idx = _mm512_add_epi32(idx, step);
  }
  return tail_indices(u, m, tail, i, t);
}
#endif
template <int kLevel>
[[gnu::always_inline]] inline void normal_chunk_body(const double* __restrict u, size_t m, double* __restrict o,
                                                     uint32_t* __restrict tail, double* __restrict r,
                                                     double* __restrict v, NormalMap map) {
  for (size_t i = 0; i < m; ++i) o[i] = as241_central(u[i] - 0.5);
  size_t t = 0;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  if constexpr (kLevel == 2)
    t = tail_indices_avx512(u, m, tail);
  else
#endif
    t = tail_indices(u, m, tail);
  for (size_t j = 0; j < t; ++j) {
    const double p = u[tail[j]];
    r[j] = p - 0.5 < 0 ? p : 1 - p;
  }
  for (size_t j = 0; j < t; ++j) r[j] = std::sqrt(-log_body(r[j]));
  for (size_t j = 0; j < t; ++j) v[j] = as241_near_tail(r[j]);
  for (size_t j = 0; j < t; ++j) o[tail[j]] = u[tail[j]] - 0.5 < 0 ? -v[j] : v[j];
  for (size_t j = 0; j < t; ++j)
    if (!(r[j] <= 5)) o[tail[j]] = normal_quantile(u[tail[j]]);
  const double loc = map.loc, scale = map.scale, sign = map.sign;
  if (map.logn)
    for (size_t i = 0; i < m; ++i) o[i] = sign * exp_body(loc + scale * o[i]);
  else
    for (size_t i = 0; i < m; ++i) o[i] = loc + scale * o[i];
}

// Which clone runs: the best the CPU has, unless a test asks for a lower one (set_vector_level).
int g_level_cap = 2;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define PANOCARBON_X86_DISPATCH 1
__attribute__((target("avx512f"))) void normal_chunk_avx512(const double* u, size_t m, double* o, uint32_t* tail,
                                                            double* r, double* v, NormalMap map) {
  normal_chunk_body<2>(u, m, o, tail, r, v, map);
}
__attribute__((target("avx2"))) void normal_chunk_avx2(const double* u, size_t m, double* o, uint32_t* tail,
                                                       double* r, double* v, NormalMap map) {
  normal_chunk_body<1>(u, m, o, tail, r, v, map);
}
#endif
int cpu_level() { return simd::cpu_level(); }

void normal_chunk(const double* u, size_t m, double* o, uint32_t* tail, double* r, double* v, NormalMap map) {
#ifdef PANOCARBON_X86_DISPATCH
  const int level = std::min(cpu_level(), g_level_cap);
  if (level == 2) return normal_chunk_avx512(u, m, o, tail, r, v, map);
  if (level == 1) return normal_chunk_avx2(u, m, o, tail, r, v, map);
#endif
  normal_chunk_body<0>(u, m, o, tail, r, v, map);
}
}  // namespace

int vector_level() { return std::min(cpu_level(), g_level_cap); }
int set_vector_level(int cap) {
  const int before = g_level_cap;
  g_level_cap = std::clamp(cap, 0, 2);
  return before;
}
Sampler::Sampler(const Distribution& d, uint64_t seed, uint64_t param) : d_(d), seed_(seed), param_(param) {
  constant_ = is_constant(d);
  value_ = d.kind == DistKind::Lognormal || d.kind == DistKind::Normal ? d.amount
           : (d.kind == DistKind::Uniform || d.kind == DistKind::Triangular || d.kind == DistKind::BetaPert)
               ? d.minimum
               : d.amount;
  if (constant_ && (d.kind == DistKind::Lognormal) && given(d.loc))
    value_ = d.negative ? -std::exp(d.loc) : std::exp(d.loc);
  if (constant_ && d.kind == DistKind::Normal && given(d.loc)) value_ = d.loc;
  if (d.kind == DistKind::Triangular && !constant_) {
    c0_ = (d.loc - d.minimum) / (d.maximum - d.minimum);
    c1_ = (d.maximum - d.minimum) * (d.loc - d.minimum);
    c2_ = (d.maximum - d.minimum) * (d.maximum - d.loc);
  }
}

double Sampler::operator()(uint64_t draw) const {
  if (constant_) return value_;
  double u[1] = {uniform01(seed_, param_, draw)};
  const Distribution& d = d_;
  switch (d.kind) {
    case DistKind::Lognormal: {
      const double v = exp_body(d.loc + d.scale * normal_quantile(u[0]));
      return d.negative ? -v : v;
    }
    case DistKind::Normal:
      return d.loc + d.scale * normal_quantile(u[0]);
    case DistKind::Uniform:
      return d.minimum + (d.maximum - d.minimum) * u[0];
    case DistKind::Triangular:
      return u[0] < c0_ ? d.minimum + std::sqrt(u[0] * c1_) : d.maximum - std::sqrt((1 - u[0]) * c2_);
    case DistKind::Gamma: {
      UniformStream s(seed_, param_, draw, 1);
      return offset(d) + d.scale * gamma_draw(d.shape, s);
    }
    case DistKind::Beta: {
      UniformStream sx(seed_, param_, draw, 1), sy(seed_, param_, draw, kSecondStream);
      const double x = gamma_draw(d.loc, sx), y = gamma_draw(d.shape, sy);
      return beta_lo(d) + (beta_hi(d) - beta_lo(d)) * x / (x + y);
    }
    case DistKind::BetaPert: {
      UniformStream sx(seed_, param_, draw, 1), sy(seed_, param_, draw, kSecondStream);
      const double x = gamma_draw(pert_alpha(d), sx), y = gamma_draw(pert_beta(d), sy);
      return d.minimum + (d.maximum - d.minimum) * x / (x + y);
    }
    case DistKind::StudentT: {
      UniformStream s(seed_, param_, draw, 1);
      const double chi2 = 2 * gamma_draw(0.5 * d.shape, s);
      return d.loc + d.scale * normal_quantile(u[0]) / std::sqrt(chi2 / d.shape);
    }
    default:
      return quantile(d, u[0]);  // Bernoulli, discrete uniform, Weibull, GEV: closed-form inverse CDF
  }
}

void Sampler::fill(uint64_t first, size_t n, double* out) const {
  if (constant_) {
    std::fill(out, out + n, value_);
    return;
  }
  if (d_.kind == DistKind::Lognormal || d_.kind == DistKind::Normal) {
    // In chunks: the uniforms, then normal_chunk (the numbers of operator(): the same functions of the same
    // uniforms).
    constexpr size_t kChunk = 256;
    double u[kChunk];
    uint32_t tail[kChunk + 16];
    double r[kChunk], v[kChunk];
    NormalMap map;
    map.loc = d_.loc;
    map.scale = d_.scale;
    map.sign = d_.negative ? -1.0 : 1.0;
    map.logn = d_.kind == DistKind::Lognormal;
    for (size_t at = 0; at < n; at += kChunk) {
      const size_t m = std::min(kChunk, n - at);
      uniform01_fill(seed_, param_, first + at, m, u);
      normal_chunk(u, m, out + at, tail, r, v, map);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) out[i] = (*this)(first + i);
}
// ---- statistics -------------------------------------------------------------------------------------

double percentile_sorted(const double* s, size_t n, double q) {
  if (n == 0) return kNone;
  const double h = q * double(n - 1);
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, n - 1);
  return s[lo] + (h - double(lo)) * (s[hi] - s[lo]);
}

namespace {
// The order statistics ranks[0..6) (ascending; n = number of draws, all finite, lower < upper their minimum and
// maximum) by buckets of the value: bucket(x) = ⌊(x − lower)·B/(upper − lower)⌋ never decreases as x grows, so
// bucket b holds exactly the statistics count(< b) .. count(≤ b) − 1; a statistic is then selected within its
// bucket (a few dozen draws) instead of by partitioning all of them, whose comparisons the branch predictor
// cannot guess. The same numbers as selection over all the draws. False (nothing done) when the buckets would
// not help (a needed bucket holds more than an eighth of the draws: a very skewed sample).
bool select_in_buckets(const double* v, size_t n, double lower, double upper, const size_t ranks[6], double out[6],
                       std::vector<double>& work) {
  constexpr size_t kBuckets = 4096;
  const double scale = double(kBuckets) / (upper - lower);
  if (!std::isfinite(scale) || !(scale > 0)) return false;
  auto bucket = [&](double x) { return std::min(kBuckets - 1, static_cast<size_t>((x - lower) * scale)); };
  std::vector<uint32_t> count(kBuckets + 1, 0);
  for (size_t i = 0; i < n; ++i) ++count[bucket(v[i]) + 1];
  for (size_t b = 0; b < kBuckets; ++b) count[b + 1] += count[b];  // count[b] = draws in buckets below b
  size_t need[6];
  for (int r = 0; r < 6; ++r) {
    need[r] = static_cast<size_t>(std::upper_bound(count.begin(), count.end(), static_cast<uint32_t>(ranks[r])) -
                                  count.begin()) - 1;
    if (count[need[r] + 1] - count[need[r]] > n / 8) return false;
  }
  // the needed buckets' draws, bucket after bucket, each sorted
  size_t distinct[6], nd = 0;
  for (int r = 0; r < 6; ++r)
    if (nd == 0 || distinct[nd - 1] != need[r]) distinct[nd++] = need[r];
  size_t total = 0, at[6];
  for (size_t d = 0; d < nd; ++d) {
    at[d] = total;
    total += count[distinct[d] + 1] - count[distinct[d]];
  }
  work.resize(total);
  size_t fill[6];
  std::copy(at, at + nd, fill);
  for (size_t i = 0; i < n; ++i) {
    const size_t b = bucket(v[i]);
    for (size_t d = 0; d < nd; ++d)
      if (b == distinct[d]) {
        work[fill[d]++] = v[i];
        break;
      }
  }
  for (size_t d = 0; d < nd; ++d)
    std::sort(work.begin() + static_cast<std::ptrdiff_t>(at[d]),
              work.begin() + static_cast<std::ptrdiff_t>(at[d] + count[distinct[d] + 1] - count[distinct[d]]));
  for (int r = 0; r < 6; ++r) {
    const size_t d = static_cast<size_t>(std::find(distinct, distinct + nd, need[r]) - distinct);
    out[r] = work[at[d] + ranks[r] - count[need[r]]];
  }
  return true;
}
}  // namespace

Summary summarize(const double* v, size_t n, std::vector<double>& work) {
  Summary s;
  s.n = n;
  if (n == 0) {
    s.mean = s.sd = s.median = s.p2_5 = s.p97_5 = s.min = s.max = kNone;
    return s;
  }
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += v[i];
  s.mean = sum / double(n);
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += (v[i] - s.mean) * (v[i] - s.mean);
  s.sd = n > 1 ? std::sqrt(ss / double(n - 1)) : 0.0;
  auto index = [&](double q) {
    const double h = q * double(n - 1);
    return std::pair<double, size_t>{h, static_cast<size_t>(std::floor(h))};
  };
  auto interpolate = [](double h, size_t lo, double a, double b) { return a + (h - double(lo)) * (b - a); };
  const auto [hl, kl] = index(0.025);
  const auto [hm, km] = index(0.5);
  const auto [hh, kh] = index(0.975);
  if (n >= 4096 && n <= UINT32_MAX && std::isfinite(s.mean)) {  // finite draws (NaN or ∞ would make the mean so)
    double lower = v[0], upper = v[0];
    for (size_t i = 1; i < n; ++i) {
      lower = v[i] < lower ? v[i] : lower;
      upper = v[i] > upper ? v[i] : upper;
    }
    const size_t ranks[6] = {kl, std::min(kl + 1, n - 1), km, std::min(km + 1, n - 1), kh, std::min(kh + 1, n - 1)};
    double x[6];
    if (upper > lower && select_in_buckets(v, n, lower, upper, ranks, x, work)) {
      s.p2_5 = interpolate(hl, kl, x[0], x[1]);
      s.median = interpolate(hm, km, x[2], x[3]);
      s.p97_5 = interpolate(hh, kh, x[4], x[5]);
      s.min = lower;
      s.max = upper;
      return s;
    }
  }
  // Order statistics by selection, not a full sort: the same numbers, O(n). The median's selection splits the
  // draws into the lower and the upper half; p2.5 is then selected within the lower half, p97.5 within the upper.
  work.assign(v, v + n);
  double* w = work.data();
  // order statistic k given that w[from, to) holds exactly the statistics from .. to − 1
  auto select = [&](size_t from, size_t k, size_t to) {
    std::nth_element(w + from, w + k, w + to);
    return w[k];
  };
  auto smallest = [&](size_t from, size_t to) { return *std::min_element(w + from, w + to); };
  const double am = select(0, km, n);
  const double bm = km + 1 < n ? smallest(km + 1, n) : am;
  double al = am, bl = bm;  // kl = km (tiny n): the median's pair
  if (kl < km) {
    al = select(0, kl, km);
    bl = kl + 1 < km ? smallest(kl + 1, km) : am;
  }
  double ah = am, bh = bm;
  if (kh > km) {
    ah = select(km + 1, kh, n);
    bh = kh + 1 < n ? smallest(kh + 1, n) : ah;
  }
  s.p2_5 = interpolate(hl, kl, al, bl);
  s.median = interpolate(hm, km, am, bm);
  s.p97_5 = interpolate(hh, kh, ah, bh);
  const auto [mn, mx] = std::minmax_element(v, v + n);
  s.min = *mn;
  s.max = *mx;
  return s;
}

Histogram histogram(const double* v, size_t n, size_t bins) {
  Histogram h;
  if (n == 0) return h;
  h.lower = h.upper = v[0];
  for (size_t i = 1; i < n; ++i) {
    h.lower = std::min(h.lower, v[i]);
    h.upper = std::max(h.upper, v[i]);
  }
  if (bins == 0) bins = std::clamp<size_t>(static_cast<size_t>(std::ceil(std::log2(static_cast<double>(n)))) + 1, 5, 50);
  if (!(h.upper > h.lower)) bins = 1;
  h.counts.assign(bins, 0);
  const double width = (h.upper - h.lower) / static_cast<double>(bins);
  for (size_t i = 0; i < n; ++i) {
    size_t b = width > 0 ? static_cast<size_t>((v[i] - h.lower) / width) : 0;
    ++h.counts[std::min(b, bins - 1)];
  }
  return h;
}

Summary summarize(const double* v, size_t n) {
  std::vector<double> work;
  return summarize(v, n, work);
}

namespace {
std::vector<double> ranks(const double* x, size_t n) {
  std::vector<size_t> idx(n);
  std::iota(idx.begin(), idx.end(), size_t{0});
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  std::vector<double> r(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) ++j;
    const double avg = 0.5 * double(i + j) + 1;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}
}  // namespace

double pearson(const double* x, const double* y, size_t n) {
  if (n < 2) return kNone;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= double(n);
  my /= double(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx == 0 || syy == 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

double spearman(const double* x, const double* y, size_t n) {
  const auto rx = ranks(x, n), ry = ranks(y, n);
  return pearson(rx.data(), ry.data(), n);
}

}  // namespace panocarbon::unc
