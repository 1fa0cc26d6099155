// The store's ledger tables (migration 8): sources, values, partners, sectors.
#include "panocarbon/store.hpp"

#include <fmt/format.h>

#include <set>

#include "panocarbon/error.hpp"
#include "panocarbon/ledger.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

namespace panocarbon {

using store::Stmt;
using store::Transaction;

void Store::save_ledger(int64_t run_id, const ledger::Table& t) {
  const std::string owner = fmt::format("source {}", t.source);
  for (const auto& v : t.values) {
    const std::string row = fmt::format("{} {} {}", v.country, v.year, v.indicator);
    check_finite("ledger_values", "value", owner, v.value, row);
    check_finite("ledger_values", "lower", owner, v.lower, row, true);
    check_finite("ledger_values", "upper", owner, v.upper, row, true);
  }
  for (const auto& p : t.partners) {
    const std::string row = fmt::format("{} {} {}", p.country, p.year, p.partner);
    check_finite("ledger_partners", "exports", owner, p.exports, row);
    check_finite("ledger_partners", "imports", owner, p.imports, row);
  }
  for (const auto& s : t.sectors) {
    const std::string row = fmt::format("{} {} {}", s.country, s.year, s.sector);
    check_finite("ledger_sectors", "production", owner, s.production, row);
    check_finite("ledger_sectors", "consumption", owner, s.consumption, row);
  }
  Transaction tx(sql());
  {
    Stmt d(sql().handle(), "SELECT id FROM ledger_sources WHERE source = ?");
    d.bind(1, t.source);
    if (d.step()) {
      const long long id = d.integer(0);
      for (const char* table : {"ledger_values", "ledger_partners", "ledger_sectors"}) {
        Stmt del(sql().handle(), fmt::format("DELETE FROM {} WHERE source_id = ?", table));
        del.bind(1, id).run();
      }
      Stmt del(sql().handle(), "DELETE FROM ledger_sources WHERE id = ?");
      del.bind(1, id).run();
    }
  }
  Stmt s(sql().handle(), fmt::format("INSERT INTO ledger_sources(source, dataset, version, citation, path, run_id, "
                                     "built_at) VALUES(?,?,?,?,?,?,{})",
                                     kNow));
  s.bind(1, t.source).bind(2, t.dataset).bind(3, t.version).bind(4, t.citation).bind(5, t.path);
  if (run_id > 0)
    s.bind(6, static_cast<long long>(run_id));
  else
    s.bind_null(6);
  s.run();
  const long long id = sqlite3_last_insert_rowid(sql().handle());
  Stmt v(sql().handle(), "INSERT INTO ledger_values(source_id, country, year, indicator, value, unit, lower, upper, "
                         "side, gwp, note) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& r : t.values) {
    v.bind(1, id).bind(2, r.country).bind(3, r.year).bind(4, r.indicator).bind(5, r.value).bind(6, r.unit)
        .bind(7, r.lower).bind(8, r.upper).bind(9, r.side);
    if (r.gwp.empty())
      v.bind_null(10);
    else
      v.bind(10, r.gwp);
    v.bind(11, r.note).run();
  }
  Stmt p(sql().handle(), "INSERT INTO ledger_partners(source_id, country, year, partner, exports, imports) "
                         "VALUES(?,?,?,?,?,?)");
  for (const auto& r : t.partners)
    p.bind(1, id).bind(2, r.country).bind(3, r.year).bind(4, r.partner).bind(5, r.exports).bind(6, r.imports).run();
  Stmt c(sql().handle(), "INSERT INTO ledger_sectors(source_id, country, year, sector, sector_name, production, "
                         "consumption) VALUES(?,?,?,?,?,?,?)");
  for (const auto& r : t.sectors)
    c.bind(1, id).bind(2, r.country).bind(3, r.year).bind(4, r.sector).bind(5, r.sector_name).bind(6, r.production)
        .bind(7, r.consumption).run();
  tx.commit();
}

std::vector<ledger::Table> Store::ledger(const LedgerQuery& q) const {
  std::vector<ledger::Table> out;
  std::map<long long, size_t> index;
  {
    Stmt s(sql().handle(),
           "SELECT id, source, dataset, coalesce(version,''), coalesce(citation,''), coalesce(path,''), "
           "coalesce(run_id, 0) FROM ledger_sources WHERE (?1 = '' OR source = ?1 OR dataset = ?1) ORDER BY source");
    s.bind(1, q.source);
    while (s.step()) {
      ledger::Table t;
      t.source = s.text(1);
      t.dataset = s.text(2);
      t.version = s.text(3);
      t.citation = s.text(4);
      t.path = s.text(5);
      t.run_id = s.integer(6);
      index[s.integer(0)] = out.size();
      out.push_back(std::move(t));
    }
  }
  const char* where = "WHERE (?1 = '' OR country = ?1) AND (?2 = 0 OR year = ?2)";
  {
    Stmt s(sql().handle(),
           fmt::format("SELECT source_id, country, year, indicator, value, unit, lower, upper, side, "
                       "coalesce(gwp,''), coalesce(note,'') FROM ledger_values {} AND (?3 = '' OR indicator = ?3) "
                       "ORDER BY source_id, country, year, rowid",
                       where));
    s.bind(1, q.country).bind(2, q.year).bind(3, q.indicator);
    while (s.step()) {
      const auto it = index.find(s.integer(0));
      if (it == index.end()) continue;
      ledger::Value v;
      v.country = s.text(1);
      v.year = static_cast<int>(s.integer(2));
      v.indicator = s.text(3);
      v.value = s.real(4);
      v.unit = s.text(5);
      v.lower = s.real(6);
      v.upper = s.real(7);
      v.side = s.text(8);
      v.gwp = s.text(9);
      v.note = s.text(10);
      out[it->second].values.push_back(std::move(v));
    }
  }
  if (q.partners) {
    Stmt s(sql().handle(), fmt::format("SELECT source_id, country, year, partner, exports, imports FROM ledger_partners "
                                       "{} ORDER BY source_id, country, year, rowid",
                                       where));
    s.bind(1, q.country).bind(2, q.year);
    while (s.step()) {
      const auto it = index.find(s.integer(0));
      if (it == index.end()) continue;
      out[it->second].partners.push_back(
          {s.text(1), static_cast<int>(s.integer(2)), s.text(3), s.real(4), s.real(5)});
    }
  }
  if (q.sectors) {
    Stmt s(sql().handle(), fmt::format("SELECT source_id, country, year, sector, coalesce(sector_name,''), production, "
                                       "consumption FROM ledger_sectors {} ORDER BY source_id, country, year, rowid",
                                       where));
    s.bind(1, q.country).bind(2, q.year);
    while (s.step()) {
      const auto it = index.find(s.integer(0));
      if (it == index.end()) continue;
      out[it->second].sectors.push_back(
          {s.text(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4), s.real(5), s.real(6)});
    }
  }
  return out;
}

std::vector<LedgerSourceRecord> Store::ledger_sources() const {
  std::vector<LedgerSourceRecord> out;
  Stmt s(sql().handle(),
         "SELECT s.id, s.source, s.dataset, coalesce(s.version,''), coalesce(s.citation,''), coalesce(s.path,''), "
         "s.built_at, coalesce(s.run_id,0), (SELECT count(DISTINCT country) FROM ledger_values v WHERE v.source_id = s.id), "
         "(SELECT count(*) FROM ledger_values v WHERE v.source_id = s.id), "
         "(SELECT count(*) FROM ledger_partners p WHERE p.source_id = s.id), "
         "(SELECT count(*) FROM ledger_sectors c WHERE c.source_id = s.id) FROM ledger_sources s ORDER BY s.source");
  while (s.step()) {
    LedgerSourceRecord r;
    const long long id = s.integer(0);
    r.source = s.text(1);
    r.dataset = s.text(2);
    r.version = s.text(3);
    r.citation = s.text(4);
    r.path = s.text(5);
    r.built_at = s.text(6);
    r.run_id = s.integer(7);
    r.countries = static_cast<size_t>(s.integer(8));
    r.values = static_cast<size_t>(s.integer(9));
    r.partners = static_cast<size_t>(s.integer(10));
    r.sectors = static_cast<size_t>(s.integer(11));
    Stmt y(sql().handle(), "SELECT DISTINCT year FROM ledger_values WHERE source_id = ? ORDER BY year");
    y.bind(1, id);
    while (y.step()) r.years.push_back(static_cast<int>(y.integer(0)));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace panocarbon
