// The store's avoided-emissions ledger: table avoided_emissions (migration 9; docs/avoided.md). Nothing else in
// the store reads it: the inventories, the panoramic ledger and `account` never see these rows.
#include "panocarbon/store.hpp"

#include <fmt/format.h>

#include <utility>

#include "panocarbon/error.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

namespace panocarbon {

using store::Stmt;
using store::Transaction;

void Store::save_avoided(int64_t run_id, const std::vector<AvoidedRecord>& rows) {
  const std::string owner = fmt::format("run {}", run_id);
  for (const auto& r : rows) {
    const std::string row = fmt::format("{} {}", r.product, r.destination);
    const std::pair<const char*, double> values[] = {{"capacity_mw", r.capacity_mw},
                                                     {"capacity_factor", r.capacity_factor},
                                                     {"grid_factor_t_per_mwh", r.grid_factor_t_per_mwh},
                                                     {"manufacturing_t_per_mw", r.manufacturing_t_per_mw},
                                                     {"degradation_pct_per_year", r.degradation_pct_per_year},
                                                     {"annual_generation_mwh", r.annual_generation_mwh},
                                                     {"annual_avoided_t", r.annual_avoided_t},
                                                     {"lifetime_avoided_t", r.lifetime_avoided_t},
                                                     {"manufacturing_t", r.manufacturing_t},
                                                     {"net_lifetime_avoided_t", r.net_lifetime_avoided_t}};
    for (const auto& [field, v] : values) check_finite("avoided_emissions", field, owner, v, row);
    check_finite("avoided_emissions", "payback_years", owner, r.payback_years, row, true);
  }
  Transaction t(sql());
  Stmt s(sql().handle(),
         "INSERT INTO avoided_emissions(run_id, position, product, destination, capacity_mw, capacity_factor, "
         "lifetime_years, grid_factor_t_per_mwh, manufacturing_t_per_mw, degradation_pct_per_year, "
         "annual_generation_mwh, annual_avoided_t, lifetime_avoided_t, manufacturing_t, net_lifetime_avoided_t, "
         "payback_years) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  long long position = 0;
  for (const auto& r : rows)
    s.bind(1, static_cast<long long>(run_id)).bind(2, position++).bind(3, r.product).bind(4, r.destination)
        .bind(5, r.capacity_mw).bind(6, r.capacity_factor).bind(7, r.lifetime_years).bind(8, r.grid_factor_t_per_mwh)
        .bind(9, r.manufacturing_t_per_mw).bind(10, r.degradation_pct_per_year).bind(11, r.annual_generation_mwh)
        .bind(12, r.annual_avoided_t).bind(13, r.lifetime_avoided_t).bind(14, r.manufacturing_t)
        .bind(15, r.net_lifetime_avoided_t).bind(16, r.payback_years).run();
  t.commit();
}

std::vector<AvoidedRecord> Store::avoided(int64_t run_id) const {
  Stmt s(sql().handle(),
         "SELECT run_id, product, destination, capacity_mw, capacity_factor, lifetime_years, grid_factor_t_per_mwh, "
         "manufacturing_t_per_mw, degradation_pct_per_year, annual_generation_mwh, annual_avoided_t, "
         "lifetime_avoided_t, manufacturing_t, net_lifetime_avoided_t, payback_years FROM avoided_emissions "
         "WHERE run_id = CASE WHEN ?1 = 0 THEN (SELECT max(run_id) FROM avoided_emissions) ELSE ?1 END "
         "ORDER BY position");
  s.bind(1, static_cast<long long>(run_id));
  std::vector<AvoidedRecord> out;
  while (s.step()) {
    AvoidedRecord r;
    r.run_id = s.integer(0);
    r.product = s.text(1);
    r.destination = s.text(2);
    r.capacity_mw = s.real(3);
    r.capacity_factor = s.real(4);
    r.lifetime_years = static_cast<int>(s.integer(5));
    r.grid_factor_t_per_mwh = s.real(6);
    r.manufacturing_t_per_mw = s.real(7);
    r.degradation_pct_per_year = s.real(8);
    r.annual_generation_mwh = s.real(9);
    r.annual_avoided_t = s.real(10);
    r.lifetime_avoided_t = s.real(11);
    r.manufacturing_t = s.real(12);
    r.net_lifetime_avoided_t = s.real(13);
    r.payback_years = s.real(14);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace panocarbon
