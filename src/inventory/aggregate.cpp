// Sums of an inventory up the IPCC category tree and by gas.
#include <algorithm>
#include <fmt/format.h>

#include "panocarbon/error.hpp"
#include "panocarbon/inventory.hpp"

namespace panocarbon {

namespace {
// Subtree sums: parents precede children in the tree's order, so one reverse sweep suffices.
void subtree_sums(const InventoryResult& r, const CategoryTree& tree, std::vector<double>& sum,
                  std::vector<char>& touched) {
  sum.assign(static_cast<size_t>(tree.size()), 0.0);
  touched.assign(static_cast<size_t>(tree.size()), 0);
  for (const auto& l : r.lines) {
    if (l.memo != Memo::None) continue;
    const auto c = static_cast<size_t>(r.row_category[l.row]);
    sum[c] += l.co2e_t;
    touched[c] = 1;
  }
  for (int i = tree.size() - 1; i >= 0; --i) {
    const int p = tree.parent(i);
    if (p < 0 || !touched[static_cast<size_t>(i)]) continue;
    if (p >= i) throw Error(ErrorCategory::Data, "category tree is not in parent-first order");
    sum[static_cast<size_t>(p)] += sum[static_cast<size_t>(i)];
    touched[static_cast<size_t>(p)] = 1;
  }
}

std::vector<CategoryTotal> collect(const InventoryResult& r, const CategoryTree& tree, int only_level) {
  std::vector<double> sum;
  std::vector<char> touched;
  subtree_sums(r, tree, sum, touched);
  std::vector<CategoryTotal> out;
  double total = 0;
  for (int i = 0; i < tree.size(); ++i) {
    const Category& c = tree.at(i);
    if (c.level == 0) {
      total = sum[static_cast<size_t>(i)];
      continue;
    }
    if (!touched[static_cast<size_t>(i)] || (only_level > 0 && c.level != only_level)) continue;
    out.push_back(CategoryTotal{c.code, c.title, c.level, sum[static_cast<size_t>(i)]});
  }
  out.push_back(CategoryTotal{"total", "Total (excluding memo items)", 0, total});
  return out;
}
}  // namespace

std::vector<CategoryTotal> totals_by_category(const InventoryResult& r, const CategoryTree& tree) {
  return collect(r, tree, 0);
}

std::vector<CategoryTotal> totals_by_level(const InventoryResult& r, const CategoryTree& tree, int level) {
  if (level < 1 || level > 6)
    throw Error(ErrorCategory::InvalidInput, fmt::format("level={} is out of range; use level=1 (sectors) to level=6", level),
                ErrorContext{{}, 0, 0, "by"});
  return collect(r, tree, level);
}

const char* to_string(Memo m) noexcept {
  switch (m) {
    case Memo::None: return "";
    case Memo::BiogenicCo2: return "biogenic CO2";
    case Memo::InternationalBunkers: return "international bunkers";
  }
  return "";
}

std::vector<GasTotal> totals_by_gas(const InventoryResult& r) {
  std::vector<GasTotal> out;
  std::vector<int> slot(r.strings.size() * 3, -1);  // (gas, memo kind)
  for (const auto& l : r.lines) {
    int& s = slot[l.gas * 3 + static_cast<size_t>(l.memo)];
    if (s < 0) {
      s = static_cast<int>(out.size());
      out.push_back(GasTotal{l.memo == Memo::InternationalBunkers ? std::string(r.str(l.gas)) + " (memo: international bunkers)"
                                                                 : std::string(r.str(l.gas)),
                             0, 0, l.memo});
    }
    out[static_cast<size_t>(s)].emissions_t += l.emissions_t;
    out[static_cast<size_t>(s)].co2e_t += l.co2e_t;
  }
  auto order = [](const GasTotal& g) {
    const int base = g.gas == "CO2" ? 0 : g.gas == "CH4" ? 1 : g.gas == "N2O" ? 2 : g.gas == "CO2_bio" ? 4 : 3;
    return static_cast<int>(g.memo == Memo::InternationalBunkers) * 10 + base;
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return order(a) < order(b); });
  return out;
}

}  // namespace panocarbon
