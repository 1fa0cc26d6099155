// The store's natural side: table natural_fluxes (migration 6).
#include "panocarbon/store.hpp"

#include <fmt/format.h>

#include <cstring>
#include <type_traits>

#include "panocarbon/error.hpp"
#include "panocarbon/parallel.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

namespace panocarbon {

using store::Stmt;
using store::Transaction;

void Store::save_natural_fluxes(int64_t run_id, const std::vector<NaturalFluxRecord>& rows) {
  const std::string owner = fmt::format("run {}", run_id);
  for (const auto& r : rows) {
    const std::string row = fmt::format("{} {} {} {}", r.module, r.region, r.year, r.species);
    check_finite("natural_fluxes", "value", owner, r.value, row);
    check_finite("natural_fluxes", "lower", owner, r.lower, row, true);
    check_finite("natural_fluxes", "upper", owner, r.upper, row, true);
  }
  Transaction t(sql());
  Stmt s(sql().handle(),
         "INSERT INTO natural_fluxes(run_id, module, source, region, year, month, species, value, lower, upper, unit, "
         "origin, management, method, note) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& r : rows)
    s.bind(1, static_cast<long long>(run_id)).bind(2, r.module).bind(3, r.source).bind(4, r.region).bind(5, r.year)
        .bind(6, r.month).bind(7, r.species).bind(8, r.value).bind(9, r.lower).bind(10, r.upper).bind(11, r.unit)
        .bind(12, r.origin).bind(13, r.management).bind(14, r.method).bind(15, r.note).run();
  t.commit();
}

std::vector<NaturalFluxRecord> Store::natural_fluxes(const std::string& module, const std::string& region,
                                                     int year, bool all_runs) const {
  // Latest run: per command of the run log (so that a newer `natural afolu` replaces all the fluxes of an older
  // one, forest and fire alike), among the runs that have fluxes matching the filters.
  Stmt s(sql().handle(),
         "SELECT f.run_id, f.module, f.source, f.region, f.year, f.month, f.species, f.value, f.lower, f.upper, f.unit, "
         "f.origin, f.management, coalesce(f.method, ''), coalesce(f.note, '') FROM natural_fluxes f "
         "JOIN runs r ON r.id = f.run_id "
         "WHERE (?4 OR f.run_id = (SELECT max(g.run_id) FROM natural_fluxes g JOIN runs q ON q.id = g.run_id "
         "  WHERE q.command = r.command AND (?1 = '' OR g.module = ?1) AND (?2 = '' OR g.region = ?2) "
         "  AND (?3 = 0 OR g.year = ?3))) "
         "AND (?1 = '' OR f.module = ?1) AND (?2 = '' OR f.region = ?2) AND (?3 = 0 OR f.year = ?3) "
         "ORDER BY f.run_id, f.rowid");
  s.bind(1, module).bind(2, region).bind(3, year).bind(4, all_runs ? 1 : 0);
  std::vector<NaturalFluxRecord> out;
  while (s.step()) {
    NaturalFluxRecord r;
    r.run_id = s.integer(0);
    r.module = s.text(1);
    r.source = s.text(2);
    r.region = s.text(3);
    r.year = static_cast<int>(s.integer(4));
    r.month = static_cast<int>(s.integer(5));
    r.species = s.text(6);
    r.value = s.real(7);
    r.lower = s.real(8);
    r.upper = s.real(9);
    r.unit = s.text(10);
    r.origin = s.text(11);
    r.management = s.text(12);
    r.method = s.text(13);
    r.note = s.text(14);
    out.push_back(std::move(r));
  }
  return out;
}
}  // namespace panocarbon
