// The checks shared by the activity CSV and JSON targets: the rows a reader returns, then the inventory
// calculation behind them.
#pragma once
#include <cmath>

#include "fuzz_common.hpp"
#include "panocarbon/categories.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/inventory.hpp"

namespace fuzz {

// NaN marks an optional number that was not given (factor, uncertainty_pct, oxidation_factor); infinity never.
inline void check_optional(double v, const char* what) {
  if (std::isinf(v)) check_finite(v, what);
}

inline void check_activity(const panocarbon::ActivityData& d) {
  using namespace panocarbon;
  for (const ActivityRow& r : d.rows) {
    check_finite(r.amount, "ActivityRow::amount");
    check_optional(r.factor, "ActivityRow::factor");
    check_optional(r.uncertainty_pct, "ActivityRow::uncertainty_pct");
    check_optional(r.oxidation_factor, "ActivityRow::oxidation_factor");
  }
  guarded([&] {
    const InventoryResult res = calculate_inventory(d, FactorLibrary::builtin(), CategoryTree::ipcc2006(), CalcOptions{});
    check_finite(res.total_co2e_t, "InventoryResult::total_co2e_t");
    check_finite(res.memo_co2_biogenic_t, "InventoryResult::memo_co2_biogenic_t");
    check_finite(res.memo_bunkers_co2e_t, "InventoryResult::memo_bunkers_co2e_t");
  });
}

}  // namespace fuzz
