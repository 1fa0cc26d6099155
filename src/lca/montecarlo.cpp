// Monte Carlo LCA: exchange distributions, the draw model on the symbolic analysis of A, parallel draws and
// the contribution to variance (see panocarbon/lca_montecarlo.hpp and docs/uncertainty-lca.md).
#include "panocarbon/lca_montecarlo.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <cmath>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "panocarbon/error.hpp"

namespace panocarbon::lca {

namespace {

double analytic_sd(const unc::Distribution& d) {
  if (unc::is_constant(d)) return 0;
  switch (d.kind) {
    case unc::DistKind::Lognormal: {
      const double v = d.scale * d.scale;
      return std::exp(d.loc) * std::sqrt(std::expm1(v) * std::exp(v));
    }
    case unc::DistKind::Normal: return d.scale;
    case unc::DistKind::Uniform: return (d.maximum - d.minimum) / std::sqrt(12.0);
    case unc::DistKind::Triangular: {
      const double a = d.minimum, c = d.loc, b = d.maximum;
      return std::sqrt(std::max(0.0, (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0));
    }
    default: return 0;
  }
}

std::string exchange_label(const Database& db, int32_t process, int32_t exchange) {
  const Process& p = db.processes[static_cast<size_t>(process)];
  const Exchange& e = p.exchanges[static_cast<size_t>(exchange)];
  return fmt::format("process '{}' ({}), exchange {} ({})", p.name, p.id, e.id.empty() ? fmt::format("#{}", exchange) : e.id,
                     db.flows[static_cast<size_t>(e.flow)].name);
}

}  // namespace

unc::Distribution exchange_distribution(const Exchange& e, unc::PedigreeConvention pedigree, std::string* origin,
                                        std::string* note) {
  const Uncertainty& u = e.uncertainty;
  const double amount = e.amount;
  std::string how, what;
  const auto constant = [&](std::string why) {
    what = std::move(why);
    how.clear();
    return unc::constant(amount);
  };
  bool scores = false;
  for (int s : u.pedigree) scores = scores || s > 0;
  const auto from_pedigree = [&] {
    for (int s : u.pedigree)
      if (s < 0 || s > 5) return constant(fmt::format("pedigree score {} outside 1..5: not sampled", s));
    // basic_variance is a variance of ln; Ciroth et al. take the basic factor U = GSD² = exp(2σ)
    const double v = u.basic_variance > 0 ? u.basic_variance : 0;
    const double basic = pedigree == unc::PedigreeConvention::Ciroth2016 ? (v > 0 ? std::exp(2 * std::sqrt(v)) : 1.0) : v;
    how = "pedigree";
    return unc::lognormal(amount, unc::pedigree_sigma(u.pedigree, basic, pedigree));
  };
  unc::Distribution d = unc::constant(amount);
  if (amount == 0) {
    d = unc::constant(0);
  } else {
    switch (u.kind) {
      case Uncertainty::None:
        if (scores) d = from_pedigree();
        break;
      case Uncertainty::Lognormal: {
        double sigma = 0;
        if (u.sigma_ln > 0 && std::isfinite(u.sigma_ln)) {
          sigma = u.sigma_ln;
        } else if (u.b > 0 && u.b < 1) {
          d = constant(fmt::format("geometric standard deviation {} is below 1: not sampled (give σ of ln, or a "
                                   "geometric SD ≥ 1)", u.b));
          break;
        } else if (u.b >= 1 && std::isfinite(u.b)) {
          sigma = std::log(u.b);
        }
        if (!(sigma > 0)) {
          if (scores) d = from_pedigree();  // no spread given (openLCA writes a geometric SD of 0): the pedigree's
          break;
        }
        // the geometric mean as given, with the amount's sign (a lognormal of a negative amount stays negative)
        const double gm = std::isfinite(u.a) && u.a != 0 ? std::copysign(std::fabs(u.a), amount) : amount;
        d = unc::lognormal(gm, sigma);
        d.amount = amount;
        how = "lognormal";
        break;
      }
      case Uncertainty::Normal:
        if (!(u.b >= 0) || !std::isfinite(u.a) || !std::isfinite(u.b)) {
          d = constant(fmt::format("normal distribution with mean {} and sd {}: not sampled", u.a, u.b));
        } else if (u.b > 0) {
          d = unc::normal(u.a, u.b);
          d.amount = amount;
          how = "normal";
        } else if (scores) {
          d = from_pedigree();
        }
        break;
      case Uncertainty::Triangle:
      case Uncertainty::Uniform: {
        const bool tri = u.kind == Uncertainty::Triangle;
        double lo = u.a, hi = tri ? u.c : u.b;
        const double mode = tri ? u.b : 0;
        if (!std::isfinite(lo) || !std::isfinite(hi) || !std::isfinite(mode)) {
          d = constant("distribution bounds are not finite: not sampled");
          break;
        }
        if (lo > hi) {
          std::swap(lo, hi);
          what = fmt::format("minimum {} above maximum {}: swapped", hi, lo);
        }
        if (lo == hi) break;  // constant
        if (tri && (mode < lo || mode > hi)) {
          d = constant(fmt::format("triangular mode {} outside [{}, {}]: not sampled (fix the bounds)", mode, lo, hi));
          break;
        }
        d = tri ? unc::triangular(lo, mode, hi) : unc::uniform(lo, hi);
        d.amount = amount;
        how = tri ? "triangular" : "uniform";
        break;
      }
    }
  }
  if (unc::is_constant(d)) {
    d = unc::constant(amount);
    how.clear();
  }
  if (origin) *origin = how;
  if (note) *note = what;
  return d;
}

MonteCarloModel montecarlo_model(const ProductSystem& sys, const FlowMapping& mapping, const MonteCarloOptions& options) {
  if (sys.technosphere_source.size() != sys.technosphere.size() || sys.biosphere_source.size() != sys.biosphere.size())
    throw Error(ErrorCategory::Internal,
                "Monte Carlo needs the product system built from the exchanges (build_system), not the cached one");
  const Database& db = *sys.db;
  MonteCarloModel m;
  m.sys = &sys;
  m.seed = options.seed;
  m.categories = mapping.factors.size();
  m.a = technosphere_matrix(sys);
  std::fill(m.a.x.begin(), m.a.x.end(), 0.0);

  // one parameter per uncertain exchange, created on first use (process order, then exchange order)
  std::unordered_map<uint64_t, uint32_t> param_of;  // (process << 32 | exchange) -> parameter
  std::unordered_map<uint64_t, bool> constant_seen;
  const auto parameter = [&](const EntrySource& src) -> int64_t {
    const uint64_t key = (uint64_t(uint32_t(src.process)) << 32) | uint32_t(src.exchange);
    if (const auto it = param_of.find(key); it != param_of.end()) return it->second;
    if (constant_seen.count(key)) return -1;
    const Process& p = db.processes[static_cast<size_t>(src.process)];
    const Exchange& e = p.exchanges[static_cast<size_t>(src.exchange)];
    std::string origin, note;
    const unc::Distribution d = exchange_distribution(e, options.pedigree, &origin, &note);
    if (!note.empty()) m.notes.push_back(exchange_label(db, src.process, src.exchange) + ": " + note);
    if (unc::is_constant(d)) {
      constant_seen[key] = true;
      return -1;
    }
    unc::validate(d, exchange_label(db, src.process, src.exchange));
    McParameter par;
    par.process = src.process;
    par.exchange = src.exchange;
    // a stable name: the exchange's id when it is unique in its process, else its index
    bool unique = !e.id.empty();
    if (unique)
      for (size_t i = 0; i < p.exchanges.size(); ++i)
        if (static_cast<int32_t>(i) != src.exchange && p.exchanges[i].id == e.id) unique = false;
    par.name = fmt::format("{}/{}", p.id, unique ? e.id : fmt::format("#{}", src.exchange));
    par.distribution = d;
    par.origin = origin;
    par.amount = e.amount;
    par.sd = analytic_sd(d);
    const uint32_t idx = static_cast<uint32_t>(m.parameters.size());
    m.samplers.emplace_back(d, options.seed, unc::parameter_id(par.name));
    m.parameters.push_back(std::move(par));
    param_of[key] = idx;
    return idx;
  };

  // A: position of each triplet in the CSC pattern (rows sorted within a column)
  for (size_t t = 0; t < sys.technosphere.size(); ++t) {
    const Triplet& tr = sys.technosphere[t];
    const size_t col = static_cast<size_t>(tr.col);
    const auto b = m.a.i.begin() + m.a.p[col], e = m.a.i.begin() + m.a.p[col + 1];
    const size_t pos = static_cast<size_t>(std::lower_bound(b, e, tr.row) - m.a.i.begin());
    // a provider's own output (its quantitative reference or co-product) defines the unit of its column: it
    // is not drawn, whatever uncertainty the data give it (USLCI puts pedigree scores on reference flows)
    const EntrySource& src = sys.technosphere_source[t];
    const Exchange& ex = db.processes[static_cast<size_t>(src.process)].exchanges[static_cast<size_t>(src.exchange)];
    const FlowType ft = db.flows[static_cast<size_t>(ex.flow)].type;
    const bool functional = tr.row == tr.col && ex.flow == sys.providers[col].flow && !ex.avoided &&
                            ((ft == FlowType::Product && !ex.input) || (ft == FlowType::Waste && ex.input));
    const int64_t par = functional ? -1 : parameter(src);
    if (par < 0) {
      m.a.x[pos] += tr.value;
    } else {
      m.a_entries.push_back({pos, tr.row, tr.col, static_cast<uint32_t>(par), sys.technosphere_source[t].scale});
      ++m.a_uncertain;
    }
  }
  // B: only characterised flows
  const auto crow = characterisation_rows(sys, mapping);  // the same C as every deterministic result
  m.q0.assign(m.categories, std::vector<double>(sys.providers.size(), 0.0));
  std::vector<double> c(m.categories);
  for (size_t t = 0; t < sys.biosphere.size(); ++t) {
    const Triplet& tr = sys.biosphere[t];
    bool any = false;
    for (size_t k = 0; k < m.categories; ++k) {
      c[k] = crow[k][static_cast<size_t>(tr.row)];
      any = any || c[k] != 0;
    }
    if (!any) continue;
    const int64_t par = parameter(sys.biosphere_source[t]);
    if (par < 0) {
      for (size_t k = 0; k < m.categories; ++k)
        if (c[k] != 0) m.q0[k][static_cast<size_t>(tr.col)] += c[k] * tr.value;
    } else {
      m.b_entries.push_back({tr.col, static_cast<uint32_t>(par)});
      for (size_t k = 0; k < m.categories; ++k) m.b_weight.push_back(c[k] * sys.biosphere_source[t].scale);
      ++m.b_uncertain;
    }
  }
  return m;
}

McEvaluator::McEvaluator(const MonteCarloModel& model, const Demand& demand)
    : m_(model), demand_(demand), solver_(*model.sys) {
  const size_t n = model.sys->providers.size();
  if (demand.provider < 0 || static_cast<size_t>(demand.provider) >= n)
    throw Error(ErrorCategory::Internal, "demand for a provider outside the system");
  f_.assign(n, 0.0);
  f_[static_cast<size_t>(demand.provider)] = demand.amount;
  // the providers upstream of the demand: column d's non-zero rows, recursively
  std::vector<char> up(n, 0);
  std::vector<int> stack{demand.provider};
  up[static_cast<size_t>(demand.provider)] = 1;
  while (!stack.empty()) {
    const size_t j = static_cast<size_t>(stack.back());
    stack.pop_back();
    for (int k = model.a.p[j]; k < model.a.p[j + 1]; ++k) {
      const int i = model.a.i[static_cast<size_t>(k)];
      if (!up[static_cast<size_t>(i)]) {
        up[static_cast<size_t>(i)] = 1;
        stack.push_back(i);
      }
    }
  }
  std::vector<char> used(model.parameters.size(), 0);
  base_ = model.a.x;
  for (const auto& e : model.a_entries)
    if (up[static_cast<size_t>(e.col)]) {
      a_entries_.push_back(e);
      used[e.param] = 1;
    } else {
      base_[e.pos] += e.scale * model.parameters[e.param].amount;  // outside the supply chain: its amount
    }
  for (const auto& e : model.b_entries)
    if (up[static_cast<size_t>(e.col)]) used[e.param] = 1;
  x_.resize(model.parameters.size());
  for (size_t p = 0; p < x_.size(); ++p) {
    x_[p] = model.parameters[p].amount;
    if (used[p]) active_.push_back(static_cast<uint32_t>(p));
  }
}

void McEvaluator::run_draw(uint64_t draw, double* out) {
  for (uint32_t p : active_) x_[p] = m_.samplers[p](draw);
  run_values(x_.data(), out, fmt::format("draw {}", draw));
}

void McEvaluator::run_values(const double* x, double* out, const std::string& label) {
  try {
    if (!m_.a_entries.empty()) {
      // entries outside the demand's supply chain cannot change s (their columns' s is 0): they keep their
      // amounts (in base_), only the upstream ones take x
      ax_ = base_;
      for (const auto& e : a_entries_) ax_[e.pos] += e.scale * x[e.param];
      solver_.refactor(ax_, label);
    }
    s_ = solver_.solve(f_);
  } catch (const Error& err) {
    if (err.message().find(label) != std::string::npos || label.empty()) throw;
    throw Error(err.category(), fmt::format("{}: {}", label, err.message()), err.context());
  }
  const size_t K = m_.categories;
  for (size_t k = 0; k < K; ++k) {
    const auto& q = m_.q0[k];
    double h = 0;
    for (size_t j = 0; j < s_.size(); ++j) h += q[j] * s_[j];
    out[k] = h;
  }
  for (size_t i = 0; i < m_.b_entries.size(); ++i) {
    const auto& e = m_.b_entries[i];
    const double v = x[e.param] * s_[static_cast<size_t>(e.col)];
    const double* w = m_.b_weight.data() + i * K;
    for (size_t k = 0; k < K; ++k) out[k] += w[k] * v;
  }
  for (size_t k = 0; k < K; ++k)
    if (!std::isfinite(out[k]))
      throw Error(ErrorCategory::Data,
                  fmt::format("{}: the result is not finite ({}): the drawn amounts make the system unproductive; "
                              "check the distributions of the loops' exchanges",
                              label, out[k]));
}

namespace {

// One per thread: its own evaluator (and factorisation); adds its fallbacks to the run's count when done.
class McWorker final : public parallel::Worker {
 public:
  McWorker(const MonteCarloModel& m, const Demand& d, std::atomic<size_t>& fallbacks) : ev_(m, d), total_(fallbacks) {}
  ~McWorker() override { total_ += ev_.solver().stats().refactor_fallbacks; }
  void run(uint64_t draw, double* out) override { ev_.run_draw(draw, out); }

 private:
  McEvaluator ev_;
  std::atomic<size_t>& total_;
};

}  // namespace

McResult run_montecarlo(const MonteCarloModel& m, const Method& method, const Demand& demand,
                        const parallel::RunOptions& run, size_t top) {
  const size_t K = m.categories;
  McResult r;
  // the deterministic point: every parameter at its amount, through the same model
  McEvaluator det(m, demand);
  std::vector<double> amounts(m.parameters.size());
  for (size_t p = 0; p < amounts.size(); ++p) amounts[p] = m.parameters[p].amount;
  std::vector<double> h0(K);
  det.run_values(amounts.data(), h0.data(), "the deterministic system");
  const std::vector<double> s0 = det.scaling();

  std::atomic<size_t> fallbacks{0};
  r.draws = parallel::run_draws(K, run, [&]() -> std::unique_ptr<parallel::Worker> {
    return std::make_unique<McWorker>(m, demand, fallbacks);
  });
  r.refactor_fallbacks = fallbacks.load();

  const size_t n = static_cast<size_t>(r.draws.draws);
  std::vector<double> xs(n);
  for (size_t k = 0; k < K; ++k) {
    McCategory c;
    c.name = method.categories[k].name;
    c.unit = method.categories[k].unit;
    c.deterministic = h0[k];
    const std::vector<double> h = r.draws.column(k);
    c.summary = unc::summarize(h);
    c.histogram = unc::histogram(h.data(), h.size());
    if (top > 0 && n > 2 && c.summary.sd > 0 && !m.parameters.empty()) {
      // first-order sensitivities at the deterministic point: ∂h/∂A_ij = −y_i s_j (Aᵀ y = q), ∂h/∂B = c s_j
      std::vector<double> q(s0.size());
      for (size_t j = 0; j < q.size(); ++j) q[j] = m.q0[k][j];
      for (size_t i = 0; i < m.b_entries.size(); ++i)
        q[static_cast<size_t>(m.b_entries[i].col)] += m.b_weight[i * K + k] * amounts[m.b_entries[i].param];
      std::vector<double> sens(m.parameters.size(), 0.0);
      if (!m.a_entries.empty()) {
        const std::vector<double> y = det.solver().solve_transposed(q);
        for (const auto& e : m.a_entries)
          sens[e.param] -= y[static_cast<size_t>(e.row)] * s0[static_cast<size_t>(e.col)] * e.scale;
      }
      for (size_t i = 0; i < m.b_entries.size(); ++i)
        sens[m.b_entries[i].param] += m.b_weight[i * K + k] * s0[static_cast<size_t>(m.b_entries[i].col)];
      std::vector<std::pair<double, uint32_t>> v;
      double total = 0;
      for (size_t p = 0; p < sens.size(); ++p) {
        const double vp = sens[p] * m.parameters[p].sd * sens[p] * m.parameters[p].sd;
        if (vp > 0 && std::isfinite(vp)) {
          v.emplace_back(vp, static_cast<uint32_t>(p));
          total += vp;
        }
      }
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
      const size_t cap = std::max(kMinScreened, 10 * top);
      double covered = 0;
      std::vector<uint32_t> screened;
      for (const auto& [vp, p] : v) {
        if (screened.size() >= cap || covered >= 0.99 * total) break;
        screened.push_back(p);
        covered += vp;
      }
      c.screened = screened.size();
      std::unordered_map<int32_t, McContribution> by_process;
      double sum = 0;
      for (uint32_t p : screened) {
        m.samplers[p].fill(0, n, xs.data());  // the draws of the run, recomputed
        const double rho = unc::spearman(xs.data(), h.data(), n);
        const double r2 = std::isfinite(rho) ? rho * rho : 0.0;
        sum += r2;
        McContribution& pc = by_process[m.parameters[p].process];
        pc.process = m.parameters[p].process;
        pc.share_pct += r2;
        if (pc.parameters == 0 || r2 > pc.rho * pc.rho) {
          pc.top_parameter = p;
          pc.rho = std::isfinite(rho) ? rho : 0.0;
        }
        ++pc.parameters;
      }
      std::vector<McContribution> list;
      for (auto& [proc, pc] : by_process) {
        pc.share_pct = sum > 0 ? pc.share_pct / sum * 100 : 0;
        list.push_back(pc);
      }
      std::sort(list.begin(), list.end(), [](const McContribution& a, const McContribution& b) {
        return a.share_pct != b.share_pct ? a.share_pct > b.share_pct : a.process < b.process;
      });
      if (list.size() > top) list.resize(top);
      c.contributions = std::move(list);
    }
    r.categories.push_back(std::move(c));
  }
  return r;
}

}  // namespace panocarbon::lca
