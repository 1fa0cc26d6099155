// Global sensitivity: the Saltelli (2010) design and estimators, bootstrap intervals and Morris elementary
// effects. Pure maths: models come from sensitivity_models.cpp (or a test), runs go through run_draws.
#include "panocarbon/sensitivity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <tuple>

#include "panocarbon/error.hpp"

namespace panocarbon::sens {

namespace {

class FunctionModel final : public Model {
 public:
  FunctionModel(std::vector<Parameter> p, std::function<double(const double*)> f, std::string kind, std::string out)
      : params_(std::move(p)), f_(std::move(f)), kind_(std::move(kind)), output_(std::move(out)) {}
  const std::vector<Parameter>& parameters() const override { return params_; }
  std::string kind() const override { return kind_; }
  std::string output() const override { return output_; }
  std::unique_ptr<Evaluator> evaluator() const override {
    struct E final : Evaluator {
      const std::function<double(const double*)>* f;
      double evaluate(const double* x) override { return (*f)(x); }
    };
    auto e = std::make_unique<E>();
    e->f = &f_;
    return e;
  }

 private:
  std::vector<Parameter> params_;
  std::function<double(const double*)> f_;
  std::string kind_, output_;
};

void check_parameters(const std::vector<Parameter>& ps) {
  if (ps.empty())
    throw Error(ErrorCategory::InvalidInput, "the model has no parameters; name at least one in \"parameters\"",
                ErrorContext{{}, 0, 0, "parameters"});
  std::set<std::string> seen;
  for (const auto& p : ps)
    if (!seen.insert(p.name).second)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("parameter '{}' is named twice; give every parameter its own name", p.name),
                  ErrorContext{{}, 0, 0, "parameters"});
}

Error not_finite(uint64_t run, const std::vector<Parameter>& ps, const double* x, double y) {
  std::string at;
  for (size_t i = 0; i < ps.size(); ++i) at += fmt::format("{}{} = {}", i ? ", " : "", ps[i].name, x[i]);
  return Error(ErrorCategory::Data,
               fmt::format("the model's output is {} at run {} ({}); check the parameters' distributions (an "
                           "unbounded distribution can reach values the model cannot take)",
                           y, run, at));
}

// Every index that is reported must be a finite number (an interval bound may be NaN only when no bootstrap
// was asked for): the run stops here, before the capability writes anything to the store.
void check_indices_finite(const SobolResult& r) {
  for (const auto& i : r.indices) {
    const bool boot = r.bootstrap > 0;
    for (const auto& [name, v, needed] : {std::tuple{"S1", i.S1, true}, std::tuple{"ST", i.ST, true},
                                         std::tuple{"S1_low", i.S1_low, boot}, std::tuple{"S1_high", i.S1_high, boot},
                                         std::tuple{"ST_low", i.ST_low, boot}, std::tuple{"ST_high", i.ST_high, boot}})
      if (needed && !std::isfinite(v))
        throw Error(ErrorCategory::Data,
                    fmt::format("the Sobol index {} of parameter '{}' is {} (output mean {}, variance {}); the "
                                "model's outputs are too large or too close to constant for the estimators: rescale "
                                "the output or widen the parameters' distributions",
                                name, i.parameter, v, r.mean, r.variance),
                    ErrorContext{{}, 0, 0, i.parameter});
  }
}

bool unbounded(unc::DistKind k) {
  using K = unc::DistKind;
  return k == K::Normal || k == K::Lognormal || k == K::Weibull || k == K::Gamma ||
         k == K::GeneralizedExtremeValue || k == K::StudentT;
}

std::vector<uint64_t> ids(const std::vector<Parameter>& ps, const char* tag) {
  std::vector<uint64_t> out;
  for (const auto& p : ps) out.push_back(unc::parameter_id(p.name + tag));
  return out;
}

}  // namespace

std::unique_ptr<Model> function_model(std::vector<Parameter> parameters, std::function<double(const double*)> f,
                                      std::string kind, std::string output) {
  return std::make_unique<FunctionModel>(std::move(parameters), std::move(f), std::move(kind), std::move(output));
}

double ishigami(const double* x, double a, double b) {
  const double s = std::sin(x[1]);
  return std::sin(x[0]) + a * s * s + b * std::pow(x[2], 4) * std::sin(x[0]);
}

double g_function(const double* x, const std::vector<double>& a) {
  double y = 1;
  for (size_t i = 0; i < a.size(); ++i) y *= (std::fabs(4 * x[i] - 2) + a[i]) / (1 + a[i]);
  return y;
}

// ---- Sobol ------------------------------------------------------------------------------------------------

double sobol_unit(uint64_t seed, const std::string& name, uint64_t r, size_t i, size_t k) {
  const uint64_t j = r / (k + 2), m = r % (k + 2);
  const bool from_b = m == 1 || m == 2 + i;
  return unc::uniform01(seed, unc::parameter_id(name + (from_b ? "#sobol-B" : "#sobol-A")), j);
}

SobolEstimate sobol_estimate(const double* y, uint64_t n, size_t k, const std::vector<uint64_t>& rows) {
  const uint64_t stride = k + 2;
  const uint64_t count = rows.empty() ? n : rows.size();
  auto row = [&](uint64_t t) { return rows.empty() ? t : rows[t]; };
  SobolEstimate e;
  double sum = 0;
  for (uint64_t t = 0; t < count; ++t) {
    const double* r = y + row(t) * stride;
    sum += r[0] + r[1];
  }
  e.mean = sum / double(2 * count);
  double ss = 0;
  for (uint64_t t = 0; t < count; ++t) {
    const double* r = y + row(t) * stride;
    ss += (r[0] - e.mean) * (r[0] - e.mean) + (r[1] - e.mean) * (r[1] - e.mean);
  }
  e.variance = ss / double(2 * count);
  e.S1.assign(k, 0.0);
  e.ST.assign(k, 0.0);
  for (size_t i = 0; i < k; ++i) {
    double s1 = 0, st = 0;
    for (uint64_t t = 0; t < count; ++t) {
      const double* r = y + row(t) * stride;
      const double fa = r[0] - e.mean, fb = r[1] - e.mean, fab = r[2 + i] - e.mean;
      s1 += fb * (fab - fa);
      st += (fa - fab) * (fa - fab);
    }
    e.S1[i] = e.variance > 0 ? s1 / double(count) / e.variance : unc::kNone;
    e.ST[i] = e.variance > 0 ? st / double(2 * count) / e.variance : unc::kNone;
  }
  return e;
}

namespace {
void check_sobol_options(const std::vector<Parameter>& ps, uint64_t samples, double confidence,
                         uint64_t bootstrap = 0) {
  (void)ps;
  if (samples < 2)
    throw Error(ErrorCategory::InvalidInput, "Sobol indices need at least 2 samples", ErrorContext{{}, 0, 0, "samples"});
  unc::check_draw_count(samples, "draws", "samples");
  // the bootstrap's uniforms: 4 ⌈N/4⌉ draws per resample of one stream
  if (bootstrap > 0 && bootstrap > unc::kMaxDraws / (4 * ((samples + 3) / 4)))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--bootstrap {} resamples of {} uniforms each (--draws {} rounded up to a multiple of "
                            "4) need more than the 4,294,967,295 uniforms one stream can have (the generator counts "
                            "them with 32 bits): ask for fewer resamples or samples",
                            bootstrap, 4 * ((samples + 3) / 4), samples),
                ErrorContext{{}, 0, 0, "bootstrap"});
  if (!(confidence > 0 && confidence < 1))
    throw Error(ErrorCategory::InvalidInput, "the confidence level must be between 0 and 1");
}
}  // namespace

std::vector<double> sobol_design(const std::vector<Parameter>& ps, uint64_t samples, uint64_t seed) {
  check_parameters(ps);
  check_sobol_options(ps, samples, 0.5);
  const size_t k = ps.size();
  const auto id_a = ids(ps, "#sobol-A"), id_b = ids(ps, "#sobol-B");
  const uint64_t runs = samples * (k + 2);
  std::vector<double> x(runs * k);
  for (uint64_t r = 0; r < runs; ++r) {
    const uint64_t j = r / (k + 2), m = r % (k + 2);
    for (size_t i = 0; i < k; ++i) {
      const bool from_b = m == 1 || m == 2 + i;
      x[r * k + i] = unc::quantile(ps[i].distribution, unc::uniform01(seed, from_b ? id_b[i] : id_a[i], j));
    }
  }
  return x;
}

SobolResult sobol(const Model& model, const SobolOptions& o) {
  check_parameters(model.parameters());
  const auto& ps = model.parameters();
  const size_t k = ps.size();
  check_sobol_options(ps, o.samples, o.confidence, o.bootstrap);
  const auto id_a = ids(ps, "#sobol-A"), id_b = ids(ps, "#sobol-B");
  parallel::RunOptions run = o.run;
  run.draws = o.samples * (k + 2);
  const auto draws = parallel::run_draws(1, run, [&]() -> std::unique_ptr<parallel::Worker> {
    struct W final : parallel::Worker {
      const std::vector<Parameter>* ps;
      const std::vector<uint64_t>*a, *b;
      uint64_t seed;
      std::unique_ptr<Evaluator> ev;
      std::vector<double> x;
      void run(uint64_t r, double* out) override {
        const size_t n = ps->size();
        const uint64_t j = r / (n + 2), m = r % (n + 2);
        for (size_t i = 0; i < n; ++i) {
          const bool from_b = m == 1 || m == 2 + i;
          x[i] = unc::quantile((*ps)[i].distribution, unc::uniform01(seed, from_b ? (*b)[i] : (*a)[i], j));
        }
        out[0] = ev->evaluate(x.data());
        if (!std::isfinite(out[0])) throw not_finite(r, *ps, x.data(), out[0]);
      }
    };
    auto w = std::make_unique<W>();
    w->ps = &ps;
    w->a = &id_a;
    w->b = &id_b;
    w->seed = o.seed;
    w->ev = model.evaluator();
    w->x.assign(ps.size(), 0.0);
    return w;
  });
  SobolResult res = sobol_indices(ps, draws.values, o);
  res.seconds = draws.seconds;
  return res;
}

SobolResult sobol_indices(const std::vector<Parameter>& ps, const std::vector<double>& outputs, const SobolOptions& o) {
  const size_t k = ps.size();
  check_parameters(ps);
  check_sobol_options(ps, o.samples, o.confidence, o.bootstrap);
  const uint64_t runs = o.samples * (k + 2);
  if (outputs.size() != runs)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the model gave {} outputs for {} runs of the Sobol design ({} samples x ({} parameters + "
                            "2)); return one number per run, in run order",
                            outputs.size(), runs, o.samples, k),
                ErrorContext{{}, 0, 0, "outputs"});
  for (uint64_t r = 0; r < runs; ++r)
    if (!std::isfinite(outputs[r])) {
      std::vector<double> x(k);
      for (size_t i = 0; i < k; ++i) x[i] = unc::quantile(ps[i].distribution, sobol_unit(o.seed, ps[i].name, r, i, k));
      throw not_finite(r, ps, x.data(), outputs[r]);
    }
  SobolResult res;
  res.samples = o.samples;
  res.runs = runs;
  res.bootstrap = o.bootstrap;
  res.confidence = o.confidence;
  const auto est = sobol_estimate(outputs.data(), o.samples, k);
  res.mean = est.mean;
  res.variance = est.variance;
  if (!std::isfinite(est.mean) || !std::isfinite(est.variance))
    throw Error(ErrorCategory::Data,
                fmt::format("the model's outputs are finite but their {} overflows a double (mean {}, variance {}); "
                            "express the output in a larger unit (e.g. kt instead of t) so that its square stays below "
                            "1e308",
                            std::isfinite(est.mean) ? "variance" : "sum", est.mean, est.variance));
  if (!(est.variance > 0))
    throw Error(ErrorCategory::Data,
                fmt::format("the model's output does not vary (it is {} in every run); give the parameters "
                            "distributions that are not constant",
                            est.mean));
  for (size_t i = 0; i < k; ++i) {
    SobolIndex s;
    s.parameter = ps[i].name;
    s.S1 = est.S1[i];
    s.ST = est.ST[i];
    res.indices.push_back(s);
  }
  if (o.bootstrap == 0) {
    check_indices_finite(res);
    return res;
  }

  // Bootstrap: resample b draws rows t = 0..N−1 as floor(u N) with u the primary uniform of draw 4 b ⌈N/4⌉ + t
  // of (seed, "#sobol-bootstrap"). Resamples are spread like model runs, so the intervals do not depend on threads.
  const uint64_t n = o.samples, quads = (n + 3) / 4;
  const uint64_t boot_id = unc::parameter_id("#sobol-bootstrap");
  parallel::RunOptions brun = o.run;
  brun.draws = o.bootstrap;
  brun.progress = false;
  brun.label = "bootstrap";
  const double* y = outputs.data();
  const auto boot = parallel::run_draws(2 * k, brun, [&]() -> std::unique_ptr<parallel::Worker> {
    struct W final : parallel::Worker {
      uint64_t seed, n, quads, id;
      size_t k;
      const double* y;
      std::vector<uint64_t> rows;
      std::vector<double> u;
      void run(uint64_t b, double* out) override {
        rows.resize(n);
        u.resize(n);
        unc::uniform01_fill(seed, id, 4 * b * quads, n, u.data());
        for (uint64_t t = 0; t < n; ++t) rows[t] = std::min<uint64_t>(n - 1, static_cast<uint64_t>(u[t] * double(n)));
        const auto e = sobol_estimate(y, n, k, rows);
        for (size_t i = 0; i < k; ++i) {
          out[i] = e.S1[i];
          out[k + i] = e.ST[i];
        }
      }
    };
    auto w = std::make_unique<W>();
    w->seed = o.seed;
    w->n = n;
    w->quads = quads;
    w->id = boot_id;
    w->k = k;
    w->y = y;
    return w;
  });
  const double lo = (1 - o.confidence) / 2, hi = 1 - lo;
  for (size_t i = 0; i < k; ++i) {
    for (int which = 0; which < 2; ++which) {
      std::vector<double> v = boot.column(which * k + i);
      // a resample whose output does not vary (tiny N) gives NaN: leave it out
      v.erase(std::remove_if(v.begin(), v.end(), [](double z) { return !std::isfinite(z); }), v.end());
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      const double l = unc::percentile_sorted(v.data(), v.size(), lo), h = unc::percentile_sorted(v.data(), v.size(), hi);
      if (which == 0) {
        res.indices[i].S1_low = l;
        res.indices[i].S1_high = h;
      } else {
        res.indices[i].ST_low = l;
        res.indices[i].ST_high = h;
      }
    }
  }
  check_indices_finite(res);
  return res;
}

// ---- Morris ------------------------------------------------------------------------------------------------

void morris_trajectory(uint64_t seed, const std::vector<Parameter>& ps, int levels, uint64_t t,
                       std::vector<double>& points, std::vector<size_t>& moved) {
  const size_t k = ps.size();
  const double p = levels, delta = p / (2 * (p - 1));
  const uint64_t bases = static_cast<uint64_t>(levels / 2);  // base levels l with l/(p−1) + Δ ≤ 1
  std::vector<double> start(k), dir(k);
  for (size_t i = 0; i < k; ++i) {
    const double ub = unc::uniform01(seed, unc::parameter_id(ps[i].name + "#morris-base"), t);
    const double ud = unc::uniform01(seed, unc::parameter_id(ps[i].name + "#morris-direction"), t);
    const uint64_t level = std::min<uint64_t>(bases - 1, static_cast<uint64_t>(ub * double(bases)));
    const double base = double(level) / (p - 1);
    dir[i] = ud < 0.5 ? 1.0 : -1.0;
    start[i] = dir[i] > 0 ? base : base + delta;
  }
  // order: Fisher-Yates with Philox uniforms (seed, "#morris-order", t k + s)
  moved.resize(k);
  for (size_t i = 0; i < k; ++i) moved[i] = i;
  const uint64_t order_id = unc::parameter_id("#morris-order");
  for (size_t s = k; s > 1; --s) {
    const double u = unc::uniform01(seed, order_id, t * k + (k - s));
    const size_t j = std::min(s - 1, static_cast<size_t>(u * double(s)));
    std::swap(moved[s - 1], moved[j]);
  }
  points.resize((k + 1) * k);
  std::copy(start.begin(), start.end(), points.begin());
  for (size_t m = 0; m < k; ++m) {
    std::copy(points.begin() + long(m * k), points.begin() + long((m + 1) * k), points.begin() + long((m + 1) * k));
    const size_t i = moved[m];
    // exact grid values (no accumulated rounding): start ± Δ computed once
    points[(m + 1) * k + i] = dir[i] > 0 ? start[i] + delta : start[i] - delta;
  }
}

double morris_value(const unc::Distribution& d, double u, int levels) {
  u = std::clamp(u, 0.0, 1.0);
  if (unbounded(d.kind) && !unc::is_constant(d)) {
    const double p = levels;
    return unc::quantile(d, (u * (p - 1) + 0.5) / p);
  }
  return unc::quantile(d, u);
}

MorrisResult morris(const Model& model, const MorrisOptions& o) {
  check_parameters(model.parameters());
  if (o.levels < 2 || o.levels % 2 != 0)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--levels must be an even number of at least 2 (got {}): the step Δ = p/(2(p−1)) lands "
                            "on the grid only for even p",
                            o.levels),
                ErrorContext{{}, 0, 0, "levels"});
  if (o.trajectories < 2)
    throw Error(ErrorCategory::InvalidInput, "Morris needs at least 2 trajectories (σ needs two effects)",
                ErrorContext{{}, 0, 0, "trajectories"});
  const auto& ps = model.parameters();
  const size_t k = ps.size();
  // the order's uniforms are counted t k + s
  if (o.trajectories > unc::kMaxDraws / std::max<size_t>(k, 1))
    unc::check_draw_count(o.trajectories * k, "trajectories", "uniforms of the order (trajectories x parameters)");
  parallel::RunOptions run = o.run;
  run.draws = o.trajectories * (k + 1);
  const auto draws = parallel::run_draws(1, run, [&]() -> std::unique_ptr<parallel::Worker> {
    struct W final : parallel::Worker {
      const std::vector<Parameter>* ps;
      uint64_t seed;
      int levels;
      std::unique_ptr<Evaluator> ev;
      std::vector<double> points, x;
      std::vector<size_t> moved;
      uint64_t cached = UINT64_MAX;
      void run(uint64_t r, double* out) override {
        const size_t n = ps->size();
        const uint64_t t = r / (n + 1), m = r % (n + 1);
        if (t != cached) {
          morris_trajectory(seed, *ps, levels, t, points, moved);
          cached = t;
        }
        for (size_t i = 0; i < n; ++i) x[i] = morris_value((*ps)[i].distribution, points[m * n + i], levels);
        out[0] = ev->evaluate(x.data());
        if (!std::isfinite(out[0])) throw not_finite(r, *ps, x.data(), out[0]);
      }
    };
    auto w = std::make_unique<W>();
    w->ps = &ps;
    w->seed = o.seed;
    w->levels = o.levels;
    w->ev = model.evaluator();
    w->x.assign(k, 0.0);
    return w;
  });
  MorrisResult res;
  res.trajectories = o.trajectories;
  res.runs = run.draws;
  res.levels = o.levels;
  res.delta = double(o.levels) / (2.0 * (o.levels - 1));
  res.seconds = draws.seconds;
  std::vector<std::vector<double>> ee(k);
  std::vector<double> points;
  std::vector<size_t> moved;
  for (uint64_t t = 0; t < o.trajectories; ++t) {
    morris_trajectory(o.seed, ps, o.levels, t, points, moved);
    const double* y = draws.values.data() + t * (k + 1);
    for (size_t m = 0; m < k; ++m) {
      const size_t i = moved[m];
      const double step = points[(m + 1) * k + i] - points[m * k + i];  // ±Δ
      ee[i].push_back((y[m + 1] - y[m]) / (step > 0 ? res.delta : -res.delta));
    }
  }
  for (size_t i = 0; i < k; ++i) {
    MorrisIndex mi;
    mi.parameter = ps[i].name;
    const double r = double(ee[i].size());
    double s = 0, sa = 0;
    for (double e : ee[i]) {
      s += e;
      sa += std::fabs(e);
    }
    mi.mu = s / r;
    mi.mu_star = sa / r;
    double ss = 0;
    for (double e : ee[i]) ss += (e - mi.mu) * (e - mi.mu);
    mi.sigma = std::sqrt(ss / (r - 1));
    if (!std::isfinite(mi.mu) || !std::isfinite(mi.mu_star) || !std::isfinite(mi.sigma))
      throw Error(ErrorCategory::Data,
                  fmt::format("the Morris effects of parameter '{}' overflow a double (mu {}, mu* {}, sigma {}): the "
                              "model's outputs differ by more than about 1e308 between grid points; express the "
                              "output in a larger unit",
                              ps[i].name, mi.mu, mi.mu_star, mi.sigma),
                  ErrorContext{{}, 0, 0, ps[i].name});
    res.indices.push_back(mi);
  }
  return res;
}

}  // namespace panocarbon::sens
