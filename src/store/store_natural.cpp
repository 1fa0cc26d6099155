// The store's natural side: tables natural_flux_values and natural_methods (migrations 6 and 10; the view
// natural_fluxes joins them).
#include "panocarbon/store.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string_view>
#include <array>
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
    // the row text only for a row that fails
    if (std::isfinite(r.value) && !std::isinf(r.lower) && !std::isinf(r.upper)) continue;
    const std::string row = fmt::format("{} {} {} {}", r.module, r.region, r.year, r.species);
    check_finite("natural_fluxes", "value", owner, r.value, row);
    check_finite("natural_fluxes", "lower", owner, r.lower, row, true);
    check_finite("natural_fluxes", "upper", owner, r.upper, row, true);
  }
  // Schema 10: the text a run's fluxes share (module, source, unit, origin, management, method, note) once in
  // natural_methods, each flux by its id. A run has a handful of these (a GFED year: 4 for ~14,000 rows), so a
  // short list, most recently used first, finds them; a run with many more falls back to a map.
  Transaction t(sql());
  Stmt m(sql().handle(),
         "INSERT INTO natural_methods(run_id, module, source, unit, origin, management, method, note) "
         "VALUES(?,?,?,?,?,?,?,?)");
  // One row per statement: a statement that writes several rows (INSERT ... VALUES (...), (...)) makes SQLite
  // keep a statement journal, every page it touches copied to a temporary file (17,000 writes for a GFED
  // year, more than the rows themselves).
  Stmt s(sql().handle(),
         "INSERT INTO natural_flux_values(run_id, method_id, region, year, month, species, value, lower, upper) "
         "VALUES(?,?,?,?,?,?,?,?,?)");
  using Key = std::array<std::string_view, 7>;
  const auto key_of = [](const NaturalFluxRecord& r) {
    return Key{r.module, r.source, r.unit, r.origin, r.management, r.method, r.note};
  };
  std::vector<std::pair<Key, long long>> recent;
  std::map<Key, long long> many;
  const auto method_id = [&](const NaturalFluxRecord& r) {
    const Key k = key_of(r);
    for (size_t i = 0; i < recent.size(); ++i)
      if (recent[i].first == k) {
        if (i) std::swap(recent[i], recent[0]);
        return recent[0].second;
      }
    if (const auto it = many.find(k); it != many.end()) return it->second;
    m.bind(1, static_cast<long long>(run_id)).bind(2, r.module).bind(3, r.source).bind(4, r.unit).bind(5, r.origin)
        .bind(6, r.management).bind(7, r.method).bind(8, r.note).run();
    const long long id = sqlite3_last_insert_rowid(sql().handle());
    if (recent.size() < 8) recent.insert(recent.begin(), {k, id});
    else many.emplace(k, id);
    return id;
  };
  for (const auto& r : rows) {
    const long long id = method_id(r);
    s.bind(1, static_cast<long long>(run_id)).bind(2, id).bind_unowned(3, r.region).bind(4, r.year).bind(5, r.month)
        .bind_unowned(6, r.species).bind(7, r.value).bind(8, r.lower).bind(9, r.upper).run();
  }
  t.commit();
}

std::vector<NaturalFluxRecord> Store::natural_fluxes(const std::string& module, const std::string& region,
                                                     int year, bool all_runs) const {
  // Latest run: per command of the run log (so that a newer `natural afolu` replaces all the fluxes of an older
  // one, forest and fire alike), among the runs that have fluxes matching the filters. The latest run of each
  // command is found once (`latest`), not once per row: a correlated subquery made this quadratic in the rows
  // (minutes for a few GFED years).
  Stmt s(sql().handle(),
         "WITH matching AS (SELECT f.rowid AS rid, f.*, n.module AS module, n.source AS source, n.unit AS unit, "
         "  n.origin AS origin, n.management AS management, n.method AS method, n.note AS note "
         "  FROM natural_flux_values f JOIN natural_methods n ON n.id = f.method_id "
         "  WHERE (?1 = '' OR n.module = ?1) AND (?2 = '' OR f.region = ?2) AND (?3 = 0 OR f.year = ?3)), "
         "latest AS (SELECT max(x.run_id) AS run_id FROM (SELECT DISTINCT run_id FROM matching) x "
         "  JOIN runs q ON q.id = x.run_id GROUP BY q.command) "
         "SELECT run_id, module, source, region, year, month, species, value, lower, upper, unit, origin, management, "
         "coalesce(method, ''), coalesce(note, '') FROM matching "
         "WHERE ?4 OR run_id IN (SELECT run_id FROM latest) ORDER BY run_id, rid");
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
