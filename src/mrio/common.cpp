#include "mrio/common.hpp"

#include <cmath>

#include "linalg/leontief.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"

namespace panocarbon::mrio_io {

SparseRows sparse_from_dense(const DenseMatrix& m) {
  SparseRows s;
  s.rows = m.rows;
  s.cols = m.cols;
  s.row_start.assign(m.rows + 1, 0);
  for (size_t i = 0; i < m.rows; ++i) {
    for (size_t j = 0; j < m.cols; ++j)
      if (m(i, j) != 0.0) {
        s.col.push_back(static_cast<uint32_t>(j));
        s.value.push_back(m(i, j));
      }
    s.row_start[i + 1] = static_cast<int64_t>(s.value.size());
  }
  return s;
}

std::vector<bool> isolated_sectors(const SparseRows& m) {
  std::vector<bool> isolated(m.rows, true);
  for (size_t i = 0; i < m.rows; ++i)
    for (int64_t p = m.row_start[i]; p < m.row_start[i + 1]; ++p) isolated[i] = isolated[m.col[p]] = false;
  return isolated;
}

namespace {
std::vector<double> y_total(const MrioSystem& s) {
  std::vector<double> y(s.Y.rows, 0.0);
  for (size_t i = 0; i < s.Y.rows; ++i)
    for (size_t j = 0; j < s.Y.cols; ++j) y[i] += s.Y(i, j);
  return y;
}

// A negative output is an error where the sector has intermediate flows (its coefficients would change
// sign). A sector without any (only a negative final-demand entry, e.g. a rounded inventory change, as in
// WIOD 2009 LUX 19 and 23) is a harmless rounding artefact: recorded as a warning in the provenance.
void check_x(MrioSystem& s, const std::string& file, const std::vector<bool>* isolated = nullptr) {
  for (size_t k = 0; k < s.x.size(); ++k)
    if (!(s.x[k] >= -1e-9 * std::max(1.0, std::fabs(s.x[k]))) || !std::isfinite(s.x[k])) {
      if (isolated && (*isolated)[k] && std::isfinite(s.x[k])) {
        s.provenance["warnings"].push_back("gross output of " + sector_label(s, k) + " is negative (" +
                                           std::to_string(s.x[k]) +
                                           ") but the sector has no intermediate flows: kept as given");
        continue;
      }
      throw Error(ErrorCategory::InvalidInput,
                  "gross output of " + sector_label(s, k) + " is negative (" + std::to_string(s.x[k]) +
                      "): an MRIO needs x >= 0; check the row's flows and final demand (or the given x)",
                  {file, 0, 0, sector_label(s, k)});
    }
}
}  // namespace

std::string sector_label(const MrioSystem& system, size_t k) {
  const size_t ns = system.n_sectors();
  if (ns == 0 || k / ns >= system.n_regions()) return "sector " + std::to_string(k);
  return system.regions[k / ns] + "|" + system.sectors[k % ns];
}


namespace {
// The n x n table (Z or A) and a given x must match the system's labels.
void check_shapes(const MrioSystem& s, const SparseRows& m, const char* name, const std::string& file) {
  const size_t n = s.n();
  if (m.rows != n || m.cols != n)
    throw Error(ErrorCategory::InvalidInput, std::string(name) + " is " + std::to_string(m.rows) + " x " +
                                                 std::to_string(m.cols) + ", expected " + std::to_string(n) + " x " +
                                                 std::to_string(n),
                {file});
  if (s.x_given && s.x.size() != n)
    throw Error(ErrorCategory::InvalidInput,
                "x has " + std::to_string(s.x.size()) + " entries, expected " + std::to_string(n), {file});
}
}  // namespace

void finish_from_flows(MrioSystem& s, SparseRows&& Z, const std::string& file) {
  const size_t n = s.n();
  check_shapes(s, Z, "Z", file);
  if (!s.x_given) {
    s.x = y_total(s);
    for (size_t i = 0; i < n; ++i)
      for (int64_t p = Z.row_start[i]; p < Z.row_start[i + 1]; ++p) s.x[i] += Z.value[p];
  }
  const auto isolated = isolated_sectors(Z);
  check_x(s, file, &isolated);
  for (size_t i = 0; i < n; ++i)
    for (int64_t p = Z.row_start[i]; p < Z.row_start[i + 1]; ++p) {
      const double xj = s.x[Z.col[p]];
      Z.value[p] = xj != 0.0 ? Z.value[p] / xj : 0.0;
    }
  s.A = std::move(Z);
}

void finish_from_coefficients(MrioSystem& s, SparseRows&& A, const std::string& file) {
  check_shapes(s, A, "A", file);
  s.A = std::move(A);
  if (!s.x_given) {
    // x = (I - A)^-1 y needs a factorisation: left to compute_accounts (which factorises anyway) or to
    // ensure_gross_output(), so that a big system is not factorised twice.
    s.x.clear();
    return;
  }
  const auto isolated = isolated_sectors(s.A);
  check_x(s, file, &isolated);
}

std::string gas_token(const std::string& stressor) {
  std::string s = stressor.substr(0, stressor.find('|'));
  const auto dash = s.find(" - ");
  if (dash != std::string::npos) s = s.substr(0, dash);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return canonical_gas(s);
}

bool stressor_matches(const std::string& name, const std::string& wanted) {
  return name == wanted || name.substr(0, name.find('|')) == wanted;
}

}  // namespace panocarbon::mrio_io

namespace panocarbon {
void ensure_gross_output(MrioSystem& s) {
  if (s.x.size() == s.n()) return;
  const auto method = linalg::choose_method(s.n(), s.A.nnz());
  linalg::LeontiefSolver solver(s.A, method);
  s.x = mrio_io::y_total(s);
  solver.solve(s.x, 1);
  const auto isolated = mrio_io::isolated_sectors(s.A);
  mrio_io::check_x(s, s.source, &isolated);
}

}  // namespace panocarbon
