// Matrix LCA results: s = A⁻¹ f, g = B s, h = C g, direct contributions, many demands at once through
// transposed solves, and the upstream tree.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca {
namespace {

// The direction in which a flow's factor applies: −1 for resources (taken in), +1 for emissions.
std::vector<double> directions(const ProductSystem& sys) {
  std::vector<double> dir(sys.elementary.size(), 1.0);
  for (size_t r = 0; r < sys.elementary.size(); ++r)
    if (compartment_kind(sys.db->flows[static_cast<size_t>(sys.elementary[r])].compartment) == "resource") dir[r] = -1;
  return dir;
}

}  // namespace

// q_k[j] = Σ_r c_k(flow r) · dir_r · B[r, j]: the characterised biosphere column of each provider.
std::vector<std::vector<double>> characterised_columns(const ProductSystem& sys, const FlowMapping& mapping) {
  const auto dir = directions(sys);
  std::vector<std::vector<double>> q(mapping.factors.size(), std::vector<double>(sys.providers.size(), 0.0));
  for (size_t k = 0; k < q.size(); ++k) {
    const auto& cf = mapping.factors[k];
    for (const auto& t : sys.biosphere) {
      const double c = cf[static_cast<size_t>(sys.elementary[static_cast<size_t>(t.row)])];
      if (c != 0) q[k][static_cast<size_t>(t.col)] += c * dir[static_cast<size_t>(t.row)] * t.value;
    }
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
  auto t1 = std::chrono::steady_clock::now();
  r.inventory.assign(sys.elementary.size(), 0.0);
  for (const auto& t : sys.biosphere) r.inventory[static_cast<size_t>(t.row)] += t.value * r.scaling[static_cast<size_t>(t.col)];
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
  for (const auto& qk : q) lambda.push_back(solver.solve_transposed(qk));  // λ_k = A⁻ᵀ q_k
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
