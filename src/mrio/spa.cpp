// Structural path analysis (Defourny & Thorbecke 1984; Lenzen 2003; Peters & Hertwich 2006): the
// consumption-based footprint s L y expands into paths s_i0 A_i0i1 A_i1i2 ... y_im. A best-first search
// over the supply tree, ordered by each node's upper bound m_i * flow_i (m = s L is everything upstream
// of the node, itself included), finds the k largest paths without enumerating the tree; subtrees whose
// bound is below threshold * total are pruned.
#include <algorithm>
#include <cmath>
#include <queue>

#include "linalg/leontief.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/mrio.hpp"

namespace panocarbon {

namespace {
struct Node {
  int64_t parent;  // index in the arena, -1 for a root
  uint32_t sector;
  uint32_t depth;
  double flow;  // output of `sector` needed along this path
};
}  // namespace

SpaResult structural_paths(const MrioSystem& s, size_t ext, size_t stressor_row, size_t region, size_t top_k,
                           double threshold, size_t max_depth) {
  const size_t n = s.n(), nc = s.n_categories();
  if (ext >= s.extensions.size() || stressor_row >= s.extensions[ext].stressors.size() || region >= s.n_regions())
    throw Error(ErrorCategory::Internal, "structural_paths: index out of range");
  // One factorisation serves x (when the files gave only A) and the multipliers m = s L.
  linalg::LeontiefSolver solver(s.A, linalg::choose_method(n, s.A.nnz()));
  std::vector<double> x = s.x;
  if (x.size() != n) {
    x.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i)
      for (size_t c = 0; c < s.Y.cols; ++c) x[i] += s.Y(i, c);
    solver.solve(x, 1);
  }
  const auto& F = s.extensions[ext].F;
  std::vector<double> sv(n);
  for (size_t j = 0; j < n; ++j) sv[j] = x[j] != 0.0 ? F(stressor_row, j) / x[j] : 0.0;
  std::vector<double> y(n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t c = 0; c < nc; ++c) y[i] += s.Y(i, region * nc + c);

  std::vector<double> m = sv;
  solver.solve_transposed(m, 1);  // m = s L

  // Columns of A (inputs into each sector).
  std::vector<int64_t> cstart(n + 1, 0);
  for (uint32_t c : s.A.col) ++cstart[c + 1];
  for (size_t j = 0; j < n; ++j) cstart[j + 1] += cstart[j];
  std::vector<uint32_t> crow(s.A.nnz());
  std::vector<double> cval(s.A.nnz());
  {
    std::vector<int64_t> next(cstart.begin(), cstart.end() - 1);
    for (size_t i = 0; i < n; ++i)
      for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) {
        const auto q = next[s.A.col[p]]++;
        crow[q] = static_cast<uint32_t>(i);
        cval[q] = s.A.value[p];
      }
  }

  SpaResult out;
  for (size_t k = 0; k < n; ++k) out.total += m[k] * y[k];
  if (out.total == 0) return out;
  const double cut = threshold * std::fabs(out.total);

  std::vector<Node> arena;
  using Item = std::pair<double, int64_t>;  // bound, node
  std::priority_queue<Item> open;
  for (size_t k = 0; k < n; ++k)
    if (y[k] != 0 && std::fabs(m[k] * y[k]) >= cut) {
      arena.push_back({-1, static_cast<uint32_t>(k), 0, y[k]});
      open.emplace(std::fabs(m[k] * y[k]), static_cast<int64_t>(arena.size() - 1));
    }
  // The k best path values so far (min-heap).
  std::priority_queue<double, std::vector<double>, std::greater<>> best;
  std::vector<std::pair<double, int64_t>> found;
  const size_t max_nodes = 20'000'000;
  while (!open.empty()) {
    const auto [bound, idx] = open.top();
    open.pop();
    if (best.size() >= top_k && bound < best.top()) break;  // nothing left can enter the top k
    ++out.expanded;
    const Node node = arena[static_cast<size_t>(idx)];
    const double value = sv[node.sector] * node.flow;
    if (value != 0 && std::fabs(value) >= cut) {
      found.emplace_back(value, idx);
      best.push(std::fabs(value));
      if (best.size() > top_k) best.pop();
    }
    if (node.depth >= max_depth || arena.size() >= max_nodes) continue;
    for (int64_t p = cstart[node.sector]; p < cstart[node.sector + 1]; ++p) {
      const double flow = cval[p] * node.flow;
      const double b = std::fabs(m[crow[p]] * flow);
      if (b < cut || (best.size() >= top_k && b < best.top())) continue;
      arena.push_back({idx, crow[p], node.depth + 1, flow});
      open.emplace(b, static_cast<int64_t>(arena.size() - 1));
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return std::fabs(a.first) > std::fabs(b.first); });
  if (found.size() > top_k) found.resize(top_k);
  for (const auto& [value, idx] : found) {
    SupplyChainPath path;
    path.value = value;
    path.share = value / out.total;
    for (int64_t at = idx; at >= 0; at = arena[static_cast<size_t>(at)].parent) path.sectors.push_back(arena[static_cast<size_t>(at)].sector);
    std::reverse(path.sectors.begin(), path.sectors.end());  // final-demand sector first
    out.covered += path.share;
    out.paths.push_back(std::move(path));
  }
  return out;
}

}  // namespace panocarbon
