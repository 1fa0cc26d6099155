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
#include "store/foreign_keys_off.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

namespace panocarbon {

using store::Stmt;
using store::Transaction;

namespace {
// The text of a natural_methods row: module, source, unit, origin, management, method, note.
using TextKey = std::array<std::string_view, 7>;
TextKey key_of(const NaturalFluxText& t) {
  return TextKey{t.module, t.source, t.unit, t.origin, t.management, t.method, t.note};
}
TextKey key_of(const NaturalFluxRecord& r) {
  return TextKey{r.module, r.source, r.unit, r.origin, r.management, r.method, r.note};
}
// A view that SQLite binds as text: an empty view without storage would bind NULL.
std::string_view text_of(std::string_view v) { return v.data() ? v : std::string_view(""); }
}  // namespace

void Store::save_natural_fluxes(int64_t run_id, const std::vector<NaturalFluxRecord>& rows) {
  // The compact form: each distinct text once (a run has a handful: a GFED year 4 for ~14,000 rows, so a short
  // list, most recently used first, finds them; a run with many more falls back to a map), the rows by index.
  NaturalFluxBatch batch;
  batch.rows.reserve(rows.size());
  std::vector<std::pair<TextKey, uint32_t>> recent;
  std::map<TextKey, uint32_t> many;
  const auto text_index = [&](const NaturalFluxRecord& r) {
    const TextKey k = key_of(r);
    for (size_t i = 0; i < recent.size(); ++i)
      if (recent[i].first == k) {
        if (i) std::swap(recent[i], recent[0]);
        return recent[0].second;
      }
    if (const auto it = many.find(k); it != many.end()) return it->second;
    batch.texts.push_back(NaturalFluxText{r.module, r.source, r.unit, r.origin, r.management, r.method, r.note});
    const auto index = static_cast<uint32_t>(batch.texts.size() - 1);
    if (recent.size() < 8) recent.insert(recent.begin(), {k, index});
    else many.emplace(k, index);
    return index;
  };
  for (const auto& r : rows) {
    NaturalFluxRow x;
    x.text = text_index(r);
    x.year = r.year;
    x.month = r.month;
    x.region = r.region;
    x.species = r.species;
    x.value = r.value;
    x.lower = r.lower;
    x.upper = r.upper;
    batch.rows.push_back(x);
  }
  save_natural_fluxes(run_id, batch);
}

void Store::save_natural_fluxes(int64_t run_id, const NaturalFluxBatch& batch) {
  const std::string owner = fmt::format("run {}", run_id);
  for (const auto& r : batch.rows) {
    if (r.text >= batch.texts.size())
      throw Error(ErrorCategory::Internal,
                  fmt::format("a natural flux row of {} refers to text {} of {}; this is a bug of panocarbon: please "
                              "report it with the command that caused it",
                              owner, r.text, batch.texts.size()));
    // the row text only for a row that fails
    if (std::isfinite(r.value) && !std::isinf(r.lower) && !std::isinf(r.upper)) continue;
    const std::string row = fmt::format("{} {} {} {}", batch.texts[r.text].module, r.region, r.year, r.species);
    check_finite("natural_fluxes", "value", owner, r.value, row);
    check_finite("natural_fluxes", "lower", owner, r.lower, row, true);
    check_finite("natural_fluxes", "upper", owner, r.upper, row, true);
  }
  // Foreign keys: every row's method id is a row that this transaction inserts, so SQLite's check of each row
  // (a probe of natural_methods per row, about 2 ms of a GFED year's ~10) is switched off for the insert, and
  // the one key it would otherwise check, the run of the methods, is checked here once. The switch works only
  // outside a transaction (inside a caller's, SQLite keeps checking every row).
  store::ForeignKeysOff keys_off(sql());  // on again after the transaction below has committed or rolled back
  // Schema 10: the text a run's fluxes share (module, source, unit, origin, management, method, note) once in
  // natural_methods, in the order the rows first use it (equal texts once), each flux by its id.
  Transaction t(sql());
  if (keys_off.switched() && !batch.rows.empty()) {
    Stmt run(sql().handle(), "SELECT count(*) FROM runs WHERE id = ?");
    run.bind(1, static_cast<long long>(run_id));
    if (!run.step() || run.integer(0) == 0)
      throw Error(ErrorCategory::Database,
                  fmt::format("refused to store the natural fluxes of {}: the run log has no run {}, so nothing was "
                              "written; this is a bug of panocarbon: please report it with the command that caused it",
                              owner, run_id),
                  ErrorContext{sql().path()});
  }
  Stmt m(sql().handle(),
         "INSERT INTO natural_methods(run_id, module, source, unit, origin, management, method, note) "
         "VALUES(?,?,?,?,?,?,?,?)");
  // One row per statement: a statement that writes several rows (INSERT ... VALUES (...), (...)) makes SQLite
  // keep a statement journal, every page it touches copied to a temporary file (17,000 writes for a GFED
  // year, more than the rows themselves).
  Stmt s(sql().handle(),
         "INSERT INTO natural_flux_values(run_id, method_id, region, year, month, species, value, lower, upper) "
         "VALUES(?,?,?,?,?,?,?,?,?)");
  std::vector<long long> ids(batch.texts.size(), 0);
  std::map<TextKey, long long> stored;  // text -> id, so that equal texts of a batch share one row
  const auto method_id = [&](uint32_t i) {
    const NaturalFluxText& x = batch.texts[i];
    const auto [it, added] = stored.try_emplace(key_of(x), 0);
    if (added) {
      m.bind(1, static_cast<long long>(run_id)).bind(2, x.module).bind(3, x.source).bind(4, x.unit)
          .bind(5, x.origin).bind(6, x.management).bind(7, x.method).bind(8, x.note).run();
      it->second = sqlite3_last_insert_rowid(sql().handle());
    }
    return ids[i] = it->second;
  };
  // Every parameter is bound for every row, so the bindings are not cleared between rows (the step only
  // resets the statement).
  sqlite3_stmt* const raw = s.raw();
  s.bind(1, static_cast<long long>(run_id));
  for (const auto& r : batch.rows) {
    const long long id = ids[r.text] ? ids[r.text] : method_id(r.text);
    s.bind(2, id).bind_unowned(3, text_of(r.region)).bind(4, r.year).bind(5, r.month)
        .bind_unowned(6, text_of(r.species)).bind(7, r.value).bind(8, r.lower).bind(9, r.upper);
    s.step();
    sqlite3_reset(raw);
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
