// Aggregation by concordance: flows are summed (Z = A x, Y, x, F, F_Y, population), coefficients are
// rebuilt from the sums. Totals are checked to be preserved (pymrio #147 asks for exactly this check).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "mrio/common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/mrio.hpp"

namespace panocarbon {

namespace {

// Old labels -> index of the new label; new labels in order of first use.
std::vector<size_t> build_map(const std::vector<std::string>& old_labels,
                              const std::vector<std::pair<std::string, std::string>>& map, const std::string& what,
                              std::vector<std::string>& new_labels) {
  std::vector<size_t> idx(old_labels.size());
  if (map.empty()) {
    new_labels = old_labels;
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    return idx;
  }
  std::map<std::string, std::string> m;
  for (const auto& [from, to] : map) {
    if (std::find(old_labels.begin(), old_labels.end(), from) == old_labels.end())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the {} concordance maps '{}', which is not a {} of the system; fix the label", what, from, what),
                  {{}, 0, 0, what + " " + from});
    if (m.count(from) && m[from] != to)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the {} concordance maps '{}' twice (to '{}' and '{}'); each label needs one target", what,
                              from, m[from], to),
                  {{}, 0, 0, what + " " + from});
    m[from] = to;
  }
  std::map<std::string, size_t> pos;
  for (size_t i = 0; i < old_labels.size(); ++i) {
    auto it = m.find(old_labels[i]);
    if (it == m.end())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the {} concordance has no line for '{}'; every {} must be mapped (map it to itself to "
                              "keep it)",
                              what, old_labels[i], what),
                  {{}, 0, 0, what + " " + old_labels[i]});
    auto [p, added] = pos.emplace(it->second, new_labels.size());
    if (added) new_labels.push_back(it->second);
    idx[i] = p->second;
  }
  return idx;
}

void check_total(const char* what, double before, double after) {
  const double scale = std::max(std::fabs(before), 1e-300);
  if (std::fabs(before - after) > 1e-9 * scale)
    throw Error(ErrorCategory::Internal, fmt::format("aggregation changed the total of {}: {} before, {} after", what,
                                                     before, after));
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

MrioSystem aggregate_mrio(const MrioSystem& s, const std::vector<std::pair<std::string, std::string>>& region_map,
                          const std::vector<std::pair<std::string, std::string>>& sector_map) {
  if (s.x.size() != s.n()) throw Error(ErrorCategory::Internal, "aggregate_mrio: x not set (call ensure_gross_output)");
  MrioSystem a;
  a.name = s.name + " (aggregated)";
  a.format = "pymrio";
  a.source = s.source;
  a.monetary_unit = s.monetary_unit;
  a.fd_categories = s.fd_categories;
  const auto rmap = build_map(s.regions, region_map, "region", a.regions);
  const auto smap = build_map(s.sectors, sector_map, "sector", a.sectors);
  const size_t ns = s.n_sectors(), n = s.n(), nn = a.n(), nc = s.n_categories(), R2 = a.n_regions();
  std::vector<size_t> to(n);
  for (size_t k = 0; k < n; ++k) to[k] = rmap[k / ns] * a.n_sectors() + smap[k % ns];
  auto fd_to = [&](size_t j) { return rmap[j / nc] * nc + j % nc; };

  // Z' by rows: accumulate each new row densely, then compress.
  std::vector<std::vector<size_t>> members(nn);
  for (size_t k = 0; k < n; ++k) members[to[k]].push_back(k);
  SparseRows Z;
  Z.rows = Z.cols = nn;
  Z.row_start.assign(nn + 1, 0);
  std::vector<double> acc(nn, 0.0);
  double z_before = 0, z_after = 0;
  for (size_t I = 0; I < nn; ++I) {
    for (size_t i : members[I])
      for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) {
        const double z = s.A.value[p] * s.x[s.A.col[p]];
        acc[to[s.A.col[p]]] += z;
        z_before += z;
      }
    for (size_t J = 0; J < nn; ++J)
      if (acc[J] != 0.0) {
        Z.col.push_back(static_cast<uint32_t>(J));
        Z.value.push_back(acc[J]);
        z_after += acc[J];
        acc[J] = 0.0;
      }
    Z.row_start[I + 1] = static_cast<int64_t>(Z.value.size());
  }
  check_total("Z", z_before, z_after);
  a.x.assign(nn, 0.0);
  for (size_t k = 0; k < n; ++k) a.x[to[k]] += s.x[k];
  a.x_given = true;
  check_total("x", sum(s.x), sum(a.x));
  a.Y = DenseMatrix(nn, R2 * nc);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < s.Y.cols; ++j) a.Y(to[i], fd_to(j)) += s.Y(i, j);
  check_total("Y", sum(s.Y.data), sum(a.Y.data));
  if (!s.population.empty()) {
    a.population.assign(R2, 0.0);
    for (size_t r = 0; r < s.n_regions(); ++r) a.population[rmap[r]] += s.population[r];
  }
  for (const auto& e : s.extensions) {
    MrioExtension f;
    f.name = e.name;
    f.stressors = e.stressors;
    f.units = e.units;
    f.F = DenseMatrix(e.F.rows, nn);
    for (size_t q = 0; q < e.F.rows; ++q)
      for (size_t k = 0; k < n; ++k) f.F(q, to[k]) += e.F(q, k);
    check_total(("F of " + e.name).c_str(), sum(e.F.data), sum(f.F.data));
    if (!e.F_Y.empty()) {
      f.F_Y = DenseMatrix(e.F_Y.rows, R2 * nc);
      for (size_t q = 0; q < e.F_Y.rows; ++q)
        for (size_t j = 0; j < e.F_Y.cols; ++j) f.F_Y(q, fd_to(j)) += e.F_Y(q, j);
      check_total(("F_Y of " + e.name).c_str(), sum(e.F_Y.data), sum(f.F_Y.data));
    }
    a.extensions.push_back(std::move(f));
  }
  a.provenance = {{"aggregated_from", s.source}, {"regions_from", s.n_regions()}, {"sectors_from", s.n_sectors()}};
  mrio_io::finish_from_flows(a, std::move(Z), s.source);
  return a;
}

}  // namespace panocarbon
