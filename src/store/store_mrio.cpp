// The store's MRIO tables: systems and their regional accounts (migration 2).
#include "panocarbon/store.hpp"

#include <fmt/format.h>

#include <cstring>
#include <type_traits>

#include "panocarbon/error.hpp"
#include "panocarbon/parallel.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

namespace panocarbon {

using store::Db;
using store::Stmt;
using store::Transaction;

int64_t Store::save_mrio_system(const MrioSystemRecord& r) {
  Transaction t(sql());
  {
    Stmt f(sql().handle(), "SELECT id FROM mrio_systems WHERE source = ? AND fingerprint = ?");
    f.bind(1, r.source).bind(2, r.fingerprint);
    if (f.step()) return f.integer(0);  // already there: the transaction rolls back, nothing changed
  }
  Stmt s(sql().handle(),
         fmt::format("INSERT INTO mrio_systems(name, format, source, fingerprint, regions, sectors, categories, "
                     "monetary_unit, provenance, year, imported_at) VALUES(?,?,?,?,?,?,?,?,?,?,{})",
                     kNow));
  s.bind(1, r.name).bind(2, r.format).bind(3, r.source).bind(4, r.fingerprint)
      .bind(5, static_cast<long long>(r.regions)).bind(6, static_cast<long long>(r.sectors))
      .bind(7, static_cast<long long>(r.categories)).bind(8, r.monetary_unit).bind(9, r.provenance.dump());
  if (r.year > 0)
    s.bind(10, static_cast<long long>(r.year));
  else
    s.bind_null(10);
  s.run();
  const int64_t id = sqlite3_last_insert_rowid(sql().handle());
  t.commit();
  return id;
}

void Store::save_mrio_accounts(int64_t run_id, int64_t system_id, const std::vector<MrioAccountRecord>& rows) {
  const std::string owner = fmt::format("run {}", run_id);
  for (const auto& a : rows) {
    const std::string row = a.region + " " + a.stressor;
    const std::pair<const char*, double> fields[] = {
        {"production", a.production}, {"consumption", a.consumption}, {"imports", a.imports},
        {"exports", a.exports},       {"direct_fd", a.direct_fd},     {"income", a.income},
        {"shared", a.shared},         {"eebt_consumption", a.eebt_consumption}, {"population", a.population}};
    for (const auto& [field, v] : fields) check_finite("mrio_accounts", field, owner, v, row, true);
  }
  Transaction t(sql());
  Stmt s(sql().handle(),
         "INSERT INTO mrio_accounts(run_id, system_id, extension, stressor, unit, region, production, consumption, "
         "imports, exports, direct_fd, income, shared, eebt_consumption, population) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& a : rows)
    s.bind(1, static_cast<long long>(run_id)).bind(2, static_cast<long long>(system_id)).bind(3, a.extension)
        .bind(4, a.stressor).bind(5, a.unit).bind(6, a.region).bind(7, a.production).bind(8, a.consumption)
        .bind(9, a.imports).bind(10, a.exports).bind(11, a.direct_fd).bind(12, a.income).bind(13, a.shared)
        .bind(14, a.eebt_consumption).bind(15, a.population).run();
  t.commit();
}

std::vector<MrioAccountRecord> Store::mrio_accounts(const std::string& system, const std::string& region,
                                                    const std::string& stressor, int year) const {
  // The latest run's accounts of each matching system.
  Stmt s(sql().handle(),
         "SELECT m.name, a.run_id, a.extension, a.stressor, a.unit, a.region, a.production, a.consumption, a.imports, "
         "a.exports, a.direct_fd, a.income, a.shared, a.eebt_consumption, a.population, coalesce(m.year, 0) "
         "FROM mrio_accounts a JOIN mrio_systems m ON m.id = a.system_id "
         "WHERE a.run_id = (SELECT max(b.run_id) FROM mrio_accounts b WHERE b.system_id = a.system_id "
         "                  AND b.stressor = a.stressor) "
         "AND (? = '' OR m.name = ? OR m.source = ?) AND (? = '' OR a.region = ?) AND (? = '' OR a.stressor = ? "
         "OR substr(a.stressor, 1, length(?) + 1) = ? || '|') AND (? = 0 OR m.year = ?) ORDER BY m.id, a.rowid");
  s.bind(1, system).bind(2, system).bind(3, system).bind(4, region).bind(5, region).bind(6, stressor)
      .bind(7, stressor).bind(8, stressor).bind(9, stressor).bind(10, year).bind(11, year);
  std::vector<MrioAccountRecord> out;
  while (s.step()) {
    MrioAccountRecord a;
    a.system = s.text(0);
    a.run_id = s.integer(1);
    a.extension = s.text(2);
    a.stressor = s.text(3);
    a.unit = s.text(4);
    a.region = s.text(5);
    a.production = s.real(6);
    a.consumption = s.real(7);
    a.imports = s.real(8);
    a.exports = s.real(9);
    a.direct_fd = s.real(10);
    a.income = s.real(11);
    a.shared = s.real(12);
    a.eebt_consumption = s.real(13);
    a.population = s.real(14);
    a.year = static_cast<int>(s.integer(15));
    out.push_back(std::move(a));
  }
  return out;
}


}  // namespace panocarbon
