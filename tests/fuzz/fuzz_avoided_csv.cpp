// libFuzzer target: the avoided-emissions CSV (src/process/avoided.cpp, read_products) and the arithmetic behind
// `avoided` (compute). The reader returns rows whose every number is finite and inside its bounds, or throws
// panocarbon::Error; a row's net is its lifetime avoided minus its manufacturing wherever both are finite.
// Seeds: tests/fuzz/corpus/avoided_csv.
#include <cmath>

#include "fuzz_common.hpp"
#include "panocarbon/avoided.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::guarded([&] {
    auto rows = avoided::read_products(text, "fuzz.csv");
    for (const auto& p : rows) {
      for (const double v : {p.capacity_mw, p.capacity_factor, p.grid_factor_t_per_mwh, p.manufacturing_t_per_mw,
                             p.degradation_pct_per_year})
        fuzz::check_finite(v, "avoided::Product");
      if (!(p.capacity_mw > 0 && p.capacity_factor > 0 && p.capacity_factor <= 1 && p.lifetime_years >= 1 &&
            p.lifetime_years <= avoided::kMaxLifetimeYears && p.grid_factor_t_per_mwh >= 0 &&
            p.manufacturing_t_per_mw >= 0 && p.degradation_pct_per_year >= 0 && p.degradation_pct_per_year < 100))
        fuzz::fail("avoided::Product outside its bounds");
    }
    const auto ledger = avoided::compute(std::move(rows));
    for (const auto& r : ledger.rows)
      if (std::isfinite(r.lifetime_avoided_t) && std::isfinite(r.manufacturing_t) &&
          std::isfinite(r.net_lifetime_avoided_t) &&
          std::fabs(r.net_lifetime_avoided_t - (r.lifetime_avoided_t - r.manufacturing_t)) >
              1e-9 * (1 + std::fabs(r.lifetime_avoided_t) + std::fabs(r.manufacturing_t)))
        fuzz::fail("avoided: net != lifetime - manufacturing");
  });
  return 0;
}
