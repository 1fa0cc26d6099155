// Matrix LCA results: s = A⁻¹ f, g = B s, h = C g, direct contributions, many demands at once through
// transposed solves, and the upstream tree.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca {
namespace {
std::string category_label(const Method& m, size_t k) {
  return k < m.categories.size() ? "'" + m.categories[k].name + "'" : std::to_string(k + 1);
}
std::string provider_name(const ProductSystem& sys, size_t j) {
  const Process& p = sys.db->processes[static_cast<size_t>(sys.providers[j].process)];
  return fmt::format("'{}' ({})", p.name, p.id);
}
}  // namespace

void require_finite(const std::vector<double>& v, const std::string& what, const std::function<std::string(size_t)>& name) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isfinite(v[i])) continue;
    size_t count = 0;
    for (const double x : v) count += std::isfinite(x) ? 0 : 1;
    throw Error(ErrorCategory::Data,
                fmt::format("the result is not finite: {} of {} is {} ({} of {} entries not finite). The numbers overflow "
                            "(beyond ±1.8e308) or the system is (near) singular: check the amounts and conversion factors "
                            "of the processes involved for values near 1e308 and for loops whose inputs equal their outputs",
                            what, name(i), v[i], count, v.size()));
  }
}

std::vector<std::vector<double>> characterisation_rows(const ProductSystem& sys, const FlowMapping& mapping) {
  const size_t m = sys.elementary.size();
  if (mapping.sign == FactorSign::InputPositive && sys.elementary_input.size() != m)
    throw Error(ErrorCategory::Internal, "product system without the direction of its elementary flows");
  std::vector<double> dir(m, 1.0);
  for (size_t r = 0; r < m; ++r) {
    if (mapping.sign == FactorSign::InputPositive) {
      if (sys.elementary_input[r]) dir[r] = -1;
    } else if (compartment_kind(sys.db->flows[static_cast<size_t>(sys.elementary[r])].compartment) == "resource") {
      dir[r] = -1;
    }
  }
  std::vector<std::vector<double>> c(mapping.factors.size(), std::vector<double>(m, 0.0));
  for (size_t k = 0; k < c.size(); ++k)
    for (size_t r = 0; r < m; ++r) c[k][r] = mapping.factors[k][static_cast<size_t>(sys.elementary[r])] * dir[r];
  return c;
}

// q_k[j] = Σ_r C[k, r] · B[r, j]: the characterised biosphere column of each provider.
std::vector<std::vector<double>> characterised_columns(const ProductSystem& sys, const FlowMapping& mapping) {
  const auto c = characterisation_rows(sys, mapping);
  std::vector<std::vector<double>> q(c.size(), std::vector<double>(sys.providers.size(), 0.0));
  for (size_t k = 0; k < q.size(); ++k)
    for (const auto& t : sys.biosphere) {
      const double ck = c[k][static_cast<size_t>(t.row)];
      if (ck != 0) q[k][static_cast<size_t>(t.col)] += ck * t.value;
    }
  return q;
}

LcaResult calculate(const ProductSystem& sys, const Solver& solver, const Method& method, const FlowMapping& mapping,
                    const Demand& demand, const std::vector<std::vector<double>>* characterised) {
  if (demand.provider < 0 || static_cast<size_t>(demand.provider) >= sys.providers.size())
    throw Error(ErrorCategory::Internal, "demand for a provider outside the system");
  LcaResult r;
  r.sys = &sys;
  r.method = &method;
  r.demand = demand;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<double> f(sys.providers.size(), 0.0);
  f[static_cast<size_t>(demand.provider)] = demand.amount;
  r.scaling = solver.solve(f);
  require_finite(r.scaling, "the scaling", [&](size_t j) { return "provider " + provider_name(sys, j); });
  auto t1 = std::chrono::steady_clock::now();
  r.inventory.assign(sys.elementary.size(), 0.0);
  for (const auto& t : sys.biosphere) r.inventory[static_cast<size_t>(t.row)] += t.value * r.scaling[static_cast<size_t>(t.col)];
  require_finite(r.inventory, "the inventory", [&](size_t i) {
    const Flow& fl = sys.db->flows[static_cast<size_t>(sys.elementary[i])];
    return fmt::format("flow '{}' ({})", fl.name, fl.compartment);
  });
  std::vector<std::vector<double>> own;
  if (!characterised) own = characterised_columns(sys, mapping);
  const auto& q = characterised ? *characterised : own;
  r.impacts.assign(q.size(), 0.0);
  r.direct.assign(q.size(), std::vector<double>(sys.providers.size(), 0.0));
  for (size_t k = 0; k < q.size(); ++k)
    for (size_t j = 0; j < q[k].size(); ++j) {
      r.direct[k][j] = q[k][j] * r.scaling[j];
      r.impacts[k] += r.direct[k][j];
    }
  require_finite(r.impacts, "the impact", [&](size_t k) { return "category " + category_label(method, k); });
  for (size_t k = 0; k < q.size(); ++k)
    require_finite(r.direct[k], "the direct contribution to " + category_label(method, k),
                   [&](size_t j) { return "provider " + provider_name(sys, j); });
  auto t2 = std::chrono::steady_clock::now();
  r.stats = solver.stats();
  r.stats.solve_s = std::chrono::duration<double>(t1 - t0).count();
  r.stats.lcia_s = std::chrono::duration<double>(t2 - t1).count();
  return r;
}

std::vector<std::vector<double>> calculate_many(const ProductSystem& sys, const Solver& solver,
                                                const FlowMapping& mapping, const std::vector<Demand>& demands,
                                                const std::vector<std::vector<double>>* characterised) {
  std::vector<std::vector<double>> own;
  if (!characterised) own = characterised_columns(sys, mapping);
  const auto& q = characterised ? *characterised : own;
  std::vector<std::vector<double>> lambda;
  lambda.reserve(q.size());
  for (const auto& qk : q) {
    lambda.push_back(solver.solve_transposed(qk));  // λ_k = A⁻ᵀ q_k
    require_finite(lambda.back(), "the impact per unit (Aᵀλ = q) of category " + std::to_string(lambda.size()),
                   [&](size_t j) { return "provider " + provider_name(sys, j); });
  }
  std::vector<std::vector<double>> out(demands.size(), std::vector<double>(q.size(), 0.0));
  for (size_t d = 0; d < demands.size(); ++d)
    for (size_t k = 0; k < q.size(); ++k)
      out[d][k] = lambda[k][static_cast<size_t>(demands[d].provider)] * demands[d].amount;
  return out;
}

std::vector<TreeNode> upstream_tree(const LcaResult& r, const Solver& solver, const FlowMapping& mapping,
                                    size_t category, double cutoff, int max_depth,
                                    const std::vector<std::vector<double>>* characterised) {
  const ProductSystem& sys = *r.sys;
  if (category >= mapping.factors.size()) throw Error(ErrorCategory::Internal, "category outside the method");
  std::vector<std::vector<double>> own;
  if (!characterised) own = characterised_columns(sys, mapping);
  const auto& q = characterised ? *characterised : own;
  const std::vector<double> lambda = solver.solve_transposed(q[category]);
  require_finite(lambda, "the upstream total per unit", [&](size_t j) { return "provider " + provider_name(sys, j); });
  const CscMatrix a = technosphere_matrix(sys);
  const auto& diag = a.diagonal;
  std::vector<TreeNode> nodes;
  const int32_t root = r.demand.provider;
  const double root_total = lambda[static_cast<size_t>(root)] * r.demand.amount;
  const double threshold = std::abs(root_total) * cutoff;
  nodes.push_back({root, 0, r.demand.amount, root_total, 0, -1});
  constexpr size_t kMaxNodes = 100000;
  std::deque<size_t> todo{0};
  while (!todo.empty()) {
    const size_t ni = todo.front();
    todo.pop_front();
    const TreeNode node = nodes[ni];
    const size_t j = static_cast<size_t>(node.provider);
    const double s = diag[j] != 0 ? node.amount / diag[j] : 0;
    nodes[ni].direct = q[category][j] * s;
    if (node.depth >= max_depth) continue;
    std::vector<TreeNode> kids;
    for (int k = a.p[j]; k < a.p[j + 1]; ++k) {
      const int32_t i = a.i[static_cast<size_t>(k)];
      const double v = a.x[static_cast<size_t>(k)];
      if (static_cast<size_t>(i) == j) continue;
      const double amount = -v * s;
      const double total = lambda[static_cast<size_t>(i)] * amount;
      if (total == 0 || std::abs(total) < threshold) continue;
      kids.push_back({i, node.depth + 1, amount, total, 0, static_cast<int32_t>(ni)});
    }
    std::sort(kids.begin(), kids.end(), [](const TreeNode& u, const TreeNode& v) { return std::abs(u.total) > std::abs(v.total); });
    for (auto& k : kids) {
      if (nodes.size() >= kMaxNodes) break;
      todo.push_back(nodes.size());
      nodes.push_back(k);
    }
  }
  // depth-first order for printing: children follow their parent
  std::vector<std::vector<size_t>> children(nodes.size());
  for (size_t i = 1; i < nodes.size(); ++i) children[static_cast<size_t>(nodes[i].parent)].push_back(i);
  std::vector<TreeNode> ordered;
  ordered.reserve(nodes.size());
  std::vector<int32_t> new_index(nodes.size(), -1);
  std::vector<size_t> stack{0};
  while (!stack.empty()) {
    const size_t i = stack.back();
    stack.pop_back();
    new_index[i] = static_cast<int32_t>(ordered.size());
    TreeNode t = nodes[i];
    if (t.parent >= 0) t.parent = new_index[static_cast<size_t>(t.parent)];
    ordered.push_back(t);
    for (auto it = children[i].rbegin(); it != children[i].rend(); ++it) stack.push_back(*it);
  }
  return ordered;
}

}  // namespace panocarbon::lca
