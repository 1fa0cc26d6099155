// The store's LCA tables: databases, methods, cached product systems.
#include "panocarbon/store.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <future>
#include <type_traits>

#include "panocarbon/error.hpp"
#include "panocarbon/parallel.hpp"
#include "store/foreign_keys_off.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

#include "panocarbon/lca.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PANOCARBON_ENDIAN_TAG "be"
#else
#define PANOCARBON_ENDIAN_TAG "le"
#endif

namespace panocarbon {

using store::Db;
using store::Stmt;
using store::Transaction;

// ---- LCA ---------------------------------------------------------------------------------------------------
namespace {
std::string pedigree_text(const lca::Uncertainty& u) {
  if (u.pedigree[0] == 0) return {};
  return fmt::format("{},{},{},{},{}", u.pedigree[0], u.pedigree[1], u.pedigree[2], u.pedigree[3], u.pedigree[4]);
}
// Text bound without SQLite's copy: `v` must outlive the statement's next step.
void bind_static(Stmt& s, int i, const std::string& v) {
  sqlite3_bind_text(s.raw(), i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

// The text columns that are built, not copied: each flow's properties as JSON; each process's allocation
// factors and documentation as JSON and its search body. Made on another thread while this one writes the
// flows' search entries.
struct ProcessText {
  std::string allocation, documentation, search_body;
};
struct BuiltText {
  std::vector<std::string> flow_properties;
  std::vector<ProcessText> processes;
};
BuiltText built_text(const lca::Database& d) {
  BuiltText out;
  out.flow_properties.reserve(d.flows.size());
  for (const auto& fl : d.flows) out.flow_properties.push_back(nlohmann::json(fl.properties).dump());
  out.processes.resize(d.processes.size());
  for (size_t i = 0; i < d.processes.size(); ++i) {
    const auto& pr = d.processes[i];
    nlohmann::json alloc = nlohmann::json::array();
    for (const auto& a : pr.allocation) alloc.push_back({static_cast<int>(a.method), a.product, a.exchange, a.value});
    ProcessText& t = out.processes[i];
    t.allocation = alloc.dump();
    if (!pr.documentation.is_null()) t.documentation = pr.documentation.dump();
    t.search_body = pr.category + " " + pr.location;
    for (const auto& e : pr.exchanges)
      if (e.reference) t.search_body += " " + d.flows[static_cast<size_t>(e.flow)].name;
  }
  return out;
}

void write_lca_method(Db& db, const lca::Method& m) {
  nlohmann::json def = {{"name", m.name}, {"source", m.source}, {"categories", nlohmann::json::array()}};
  for (const auto& c : m.categories) {
    nlohmann::json fs = nlohmann::json::array();
    for (const auto& f : c.factors) fs.push_back({f.flow_id, f.flow_name, f.compartment, f.cas, f.value, f.match_by_cas});
    def["categories"].push_back({{"name", c.name}, {"unit", c.unit}, {"factors", fs}});
  }
  Stmt s(db.handle(), fmt::format("INSERT INTO lca_methods(name, source, definition, imported_at) VALUES(?,?,?,{}) "
                                  "ON CONFLICT(name) DO UPDATE SET source = excluded.source, definition = "
                                  "excluded.definition, imported_at = excluded.imported_at",
                                  kNow));
  s.bind(1, m.name).bind(2, m.source).bind(3, def.dump()).run();
}

void write_lca_system(Db& db, long long id, const std::string& key, const lca::ProductSystem& sys);

}  // namespace

void Store::save_lca_database(const lca::Database& d) { save_lca_import(d, {}, {}, {}); }

void Store::save_lca_import(const lca::Database& d, const std::vector<lca::Method>& methods,
                            const std::string& system_key, const std::function<const lca::ProductSystem&()>& system) {
  store::Db& db = sql();
  const std::string owner = fmt::format("LCA database {}", d.name);
  for (const auto& pr : d.processes)
    for (const auto& e : pr.exchanges)
      if (!std::isfinite(e.amount))
        check_finite("lca_exchanges", "amount", owner, e.amount, "process " + pr.id);
  // the built text columns on the other core while this one deletes the old rows and writes search entries
  auto texts = std::async(std::launch::async, [&d] { return built_text(d); });
  store::ForeignKeysOff fk(db);  // the rows name the lca_databases row inserted below
  Transaction t(db);
  {
    Stmt old(db.handle(), "SELECT id FROM lca_databases WHERE name = ?");
    old.bind(1, d.name);
    if (old.step()) {
      const long long id = old.integer(0);
      old.reset();
      // foreign keys are not enforced in this transaction: delete the rows of each table
      for (const char* sql : {"DELETE FROM lca_systems WHERE db_id = ?", "DELETE FROM lca_exchanges WHERE db_id = ?",
                              "DELETE FROM lca_processes WHERE db_id = ?",
                              "DELETE FROM lca_flows WHERE db_id = ?", "DELETE FROM lca_databases WHERE id = ?"}) {
        Stmt del(db.handle(), sql);
        del.bind(1, id).run();
      }
      Stmt fts(db.handle(), "DELETE FROM lca_search WHERE db = ?");
      fts.bind(1, d.name).run();
    }
  }
  // When lca_exchanges holds no other database's rows, its index is dropped and made again after the rows (in
  // this transaction, from its own stored definition): one sort instead of a B-tree seek per row. With other
  // databases stored, remaking it would sort their rows too: then it is kept.
  std::string exchange_index;
  {
    Stmt s(db.handle(), "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'lca_exchanges_db' AND "
                        "NOT EXISTS (SELECT 1 FROM lca_exchanges)");
    if (s.step()) exchange_index = s.text(0);
  }
  if (!exchange_index.empty()) db.exec("DROP INDEX lca_exchanges_db");
  // The database's own row is written last (after system(), which may still complete its provenance) under
  // the id SQLite would give it now (one more than the largest; this transaction holds the write lock), so
  // that the rows before it can name it.
  long long id = 1;
  {
    Stmt s(db.handle(), "SELECT coalesce(max(id), 0) + 1 FROM lca_databases");
    if (s.step()) id = s.integer(0);
  }
  // the search entries: the flows' first (the processes' follow theirs, as before), while the other thread
  // builds the JSON columns
  Stmt fts(db.handle(), "INSERT INTO lca_search(db, kind, ref, title, body) VALUES(?,?,?,?,?)");
  for (const auto& fl : d.flows) {
    const std::string body = fl.compartment + " " + lca::to_string(fl.type) + " " + fl.cas;
    fts.bind_unowned(1, d.name).bind_unowned(2, "flow");
    bind_static(fts, 3, fl.id);
    bind_static(fts, 4, fl.name);
    bind_static(fts, 5, body);
    fts.run();
  }
  const BuiltText built = texts.get();
  const std::vector<ProcessText>& text = built.processes;
  {
    Stmt f(db.handle(), "INSERT INTO lca_flows(db_id, ix, id, name, type, compartment, cas, unit, property, location, "
                        "properties) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; i < d.flows.size(); ++i) {
      const auto& fl = d.flows[i];
      f.bind(1, id).bind(2, static_cast<long long>(i)).bind(5, static_cast<int>(fl.type));
      bind_static(f, 3, fl.id);
      bind_static(f, 4, fl.name);
      bind_static(f, 6, fl.compartment);
      bind_static(f, 7, fl.cas);
      bind_static(f, 8, fl.unit);
      bind_static(f, 9, fl.property);
      bind_static(f, 10, fl.location);
      bind_static(f, 11, built.flow_properties[i]);
      f.run();
    }
  }
  Stmt p(db.handle(), "INSERT INTO lca_processes(db_id, ix, id, name, location, category, type, default_allocation, "
                      "allocation, stage, documentation) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  Stmt x(db.handle(), "INSERT INTO lca_exchanges(db_id, process, flow, amount, flags, provider, xid, formula, "
                      "description, unc_kind, unc_a, unc_b, unc_c, unc_sigma_ln, unc_basic, pedigree) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (size_t i = 0; i < d.processes.size(); ++i) {
    const auto& pr = d.processes[i];
    p.bind(1, id).bind(2, static_cast<long long>(i)).bind(8, static_cast<int>(pr.default_allocation));
    bind_static(p, 3, pr.id);
    bind_static(p, 4, pr.name);
    bind_static(p, 5, pr.location);
    bind_static(p, 6, pr.category);
    bind_static(p, 7, pr.type);
    bind_static(p, 9, text[i].allocation);
    bind_static(p, 10, pr.stage);
    bind_static(p, 11, text[i].documentation);
    p.run();
    for (const auto& e : pr.exchanges) {
      const int flags = (e.input ? 1 : 0) | (e.avoided ? 2 : 0) | (e.reference ? 4 : 0);
      x.bind(1, id).bind(2, static_cast<long long>(i)).bind(3, static_cast<long long>(e.flow)).bind(4, e.amount)
          .bind(5, flags);
      // the exchange's strings live until the row is written: bound without a copy (the hot loop of an import)
      bind_static(x, 6, e.provider);
      bind_static(x, 7, e.id);
      bind_static(x, 8, e.formula);
      bind_static(x, 9, e.description);
      const auto& u = e.uncertainty;
      std::string pedigree;
      if (u.kind == lca::Uncertainty::None && u.pedigree[0] == 0) {
        for (int c = 10; c <= 16; ++c) x.bind_null(c);
      } else {
        pedigree = pedigree_text(u);
        x.bind(10, static_cast<int>(u.kind)).bind(11, u.a).bind(12, u.b).bind(13, u.c).bind(14, u.sigma_ln)
            .bind(15, u.basic_variance);
        bind_static(x, 16, pedigree);
      }
      x.run();
    }
    fts.bind_unowned(1, d.name).bind_unowned(2, "process");
    bind_static(fts, 3, pr.id);
    bind_static(fts, 4, pr.name);
    bind_static(fts, 5, text[i].search_body);
    fts.run();
  }
  if (!exchange_index.empty()) db.exec(exchange_index);
  const lca::ProductSystem* sys = system ? &system() : nullptr;
  size_t exchanges = 0;
  for (const auto& pr : d.processes) exchanges += pr.exchanges.size();
  Stmt ins(db.handle(), fmt::format("INSERT INTO lca_databases(id, name, format, source, processes, flows, exchanges, "
                                    "provenance, imported_at) VALUES(?,?,?,?,?,?,?,?,{})",
                                    kNow));
  ins.bind(1, id).bind(2, d.name).bind(3, d.format).bind(4, d.provenance.value("path", std::string()))
      .bind(5, static_cast<long long>(d.processes.size())).bind(6, static_cast<long long>(d.flows.size()))
      .bind(7, static_cast<long long>(exchanges));
  nlohmann::json prov = d.provenance;
  prov["warnings"] = d.warnings;
  ins.bind(8, prov.dump()).run();
  for (const auto& m : methods) write_lca_method(db, m);
  if (sys) write_lca_system(db, id, system_key, *sys);
  t.commit();
}

lca::Database Store::load_lca_database(const std::string& name, bool exchanges) const {
  store::Db& db = sql();
  lca::Database d;
  long long id = 0;
  {
    Stmt s(db.handle(), "SELECT id, format, provenance FROM lca_databases WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) {
      std::string list;
      for (const auto& r : lca_databases()) list += (list.empty() ? "" : ", ") + r.name;
      // --database names a stored database, not a file: say so when the name looks like a path
      const bool pathlike = name.find('/') != std::string::npos || name.find('\\') != std::string::npos ||
                            std::filesystem::exists(name);
      throw Error(ErrorCategory::NotFound,
                  fmt::format("no LCA database '{}' in {}; {}. --database is the name of a database stored by "
                              "`panocarbon lca import PATH --name NAME`, not a file path{} (--db is the SQLite "
                              "file that holds them)",
                              name, path().string(),
                              list.empty() ? "it holds none" : "the stored databases are: " + list,
                              pathlike ? fmt::format(": import '{}' first and pass its --name", name) : std::string()),
                  ErrorContext{"", 0, 0, "database"});
    }
    id = s.integer(0);
    d.name = name;
    d.format = s.text(1);
    d.provenance = nlohmann::json::parse(s.text(2), nullptr, false);
    if (d.provenance.contains("warnings")) {
      for (const auto& w : d.provenance["warnings"]) d.warnings.push_back(w.get<std::string>());
      d.provenance.erase("warnings");
    }
  }
  {
    Stmt s(db.handle(), "SELECT id, name, type, compartment, cas, unit, property, location, properties FROM lca_flows "
                        "WHERE db_id = ? ORDER BY ix");
    s.bind(1, id);
    while (s.step()) {
      lca::Flow f;
      f.id = s.text(0);
      f.name = s.text(1);
      f.type = static_cast<lca::FlowType>(s.integer(2));
      f.compartment = s.text(3);
      f.cas = s.text(4);
      f.unit = s.text(5);
      f.property = s.text(6);
      f.location = s.text(7);
      const auto props = nlohmann::json::parse(s.text(8), nullptr, false);
      if (props.is_object())
        for (const auto& [k, v] : props.items()) f.properties[k] = v.get<double>();
      d.flows.push_back(std::move(f));
    }
  }
  {
    Stmt s(db.handle(), "SELECT id, name, location, category, type, default_allocation, allocation, stage, documentation "
                        "FROM lca_processes WHERE db_id = ? ORDER BY ix");
    s.bind(1, id);
    while (s.step()) {
      lca::Process p;
      p.id = s.text(0);
      p.name = s.text(1);
      p.location = s.text(2);
      p.category = s.text(3);
      p.type = s.text(4);
      p.default_allocation = static_cast<lca::AllocationMethod>(s.integer(5));
      for (const auto& a : nlohmann::json::parse(s.text(6), nullptr, false))
        p.allocation.push_back({static_cast<lca::AllocationMethod>(a[0].get<int>()), a[1].get<int32_t>(),
                                a[2].get<int32_t>(), a[3].get<double>()});
      p.stage = s.text(7);
      if (const std::string doc = s.text(8); !doc.empty()) p.documentation = nlohmann::json::parse(doc, nullptr, false);
      d.processes.push_back(std::move(p));
    }
  }
  if (exchanges) {
    Stmt s(db.handle(), "SELECT process, flow, amount, flags, provider, xid, formula, description, unc_kind, unc_a, "
                        "unc_b, unc_c, unc_sigma_ln, unc_basic, pedigree FROM lca_exchanges WHERE db_id = ? ORDER BY rowid");
    s.bind(1, id);
    while (s.step()) {
      const size_t p = static_cast<size_t>(s.integer(0));
      if (p >= d.processes.size()) throw Error(ErrorCategory::Database, "LCA exchange of an unknown process");
      lca::Exchange e;
      e.flow = static_cast<int32_t>(s.integer(1));
      e.amount = s.real(2);
      const long long flags = s.integer(3);
      e.input = flags & 1;
      e.avoided = flags & 2;
      e.reference = flags & 4;
      e.provider = s.text(4);
      e.id = s.text(5);
      e.formula = s.text(6);
      e.description = s.text(7);
      if (!s.is_null(8)) {
        auto& u = e.uncertainty;
        u.kind = static_cast<lca::Uncertainty::Kind>(s.integer(8));
        u.a = s.real(9);
        u.b = s.real(10);
        u.c = s.real(11);
        u.sigma_ln = s.real(12);
        u.basic_variance = s.real(13);
        const std::string ped = s.text(14);
        int k = 0;
        for (char c : ped)
          if (c >= '0' && c <= '9' && k < 5) u.pedigree[k++] = c - '0';
      }
      d.processes[p].exchanges.push_back(std::move(e));
    }
  }
  d.index();
  return d;
}

std::vector<LcaDatabaseRecord> Store::lca_databases() const {
  Stmt s(sql().handle(), "SELECT name, format, source, imported_at, processes, flows, exchanges, provenance "
                             "FROM lca_databases ORDER BY name");
  std::vector<LcaDatabaseRecord> out;
  while (s.step()) {
    LcaDatabaseRecord r;
    r.name = s.text(0);
    r.format = s.text(1);
    r.source = s.text(2);
    r.imported_at = s.text(3);
    r.processes = static_cast<size_t>(s.integer(4));
    r.flows = static_cast<size_t>(s.integer(5));
    r.exchanges = static_cast<size_t>(s.integer(6));
    r.provenance = nlohmann::json::parse(s.text(7), nullptr, false);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<SearchHit> Store::lca_search(std::string_view query, const std::string& database, int limit) const {
  const std::string q = fts_query(query);
  Stmt s(sql().handle(),
         "SELECT kind, ref, title, bm25(lca_search, 0, 0, 0, 5.0, 1.0) AS r, db FROM lca_search WHERE lca_search MATCH ? "
         "AND (? = '' OR db = ?) ORDER BY r LIMIT ?");
  s.bind(1, q).bind(2, database).bind(3, database).bind(4, static_cast<long long>(limit));
  std::vector<SearchHit> out;
  while (s.step()) out.push_back(SearchHit{s.text(0), s.text(4) + "/" + s.text(1), s.text(2), s.real(3)});
  return out;
}

void Store::save_lca_method(const lca::Method& m) {
  Transaction t(sql());
  write_lca_method(sql(), m);
  t.commit();
}

std::optional<lca::Method> Store::load_lca_method(const std::string& name) const {
  Stmt s(sql().handle(), "SELECT definition FROM lca_methods WHERE name = ?");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  const auto def = nlohmann::json::parse(s.text(0));
  lca::Method m;
  m.name = def["name"];
  m.source = def["source"];
  for (const auto& c : def["categories"]) {
    lca::ImpactCategory ic{c["name"], c["unit"], {}};
    for (const auto& f : c["factors"]) ic.factors.push_back({f[0], f[1], f[2], f[3], f[4].get<double>(), f[5].get<bool>()});
    m.categories.push_back(std::move(ic));
  }
  return m;
}

std::vector<std::string> Store::lca_methods() const {
  Stmt s(sql().handle(), "SELECT name FROM lca_methods ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

namespace {
// Binary layout of the cached systems: little-endian int32 and IEEE double as laid out by this build.
// 2: the elementary blob holds the flow indices followed by one input flag per row
constexpr const char* kSystemFormat = "pc-lca-system-2/" PANOCARBON_ENDIAN_TAG;
template <class T>
std::string_view bytes_of(const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)};
}
template <class T>
std::vector<T> vector_of(std::string_view b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}
long long lca_db_id(store::Db& db, const std::string& name) {
  Stmt s(db.handle(), "SELECT id FROM lca_databases WHERE name = ?");
  s.bind(1, name);
  return s.step() ? s.integer(0) : -1;
}

void write_lca_system(Db& db, long long id, const std::string& key, const lca::ProductSystem& sys) {
  Stmt s(db.handle(), "INSERT OR REPLACE INTO lca_systems(db_id, options, format, providers, elementary, technosphere, "
                      "biosphere, cutoffs, notes) VALUES(?,?,?,?,?,?,?,?,?)");
  const auto p = bytes_of(sys.providers), a = bytes_of(sys.technosphere), b = bytes_of(sys.biosphere);
  if (sys.elementary_input.size() != sys.elementary.size())
    throw Error(ErrorCategory::Internal, "product system without the direction of its elementary flows");
  std::string e(bytes_of(sys.elementary));
  e.append(reinterpret_cast<const char*>(sys.elementary_input.data()), sys.elementary_input.size());
  s.bind(1, id).bind(2, key).bind(3, std::string(kSystemFormat));
  s.bind_blob(4, p.data(), p.size()).bind_blob(5, e.data(), e.size()).bind_blob(6, a.data(), a.size());
  s.bind_blob(7, b.data(), b.size()).bind(8, static_cast<long long>(sys.cutoffs)).bind(9, nlohmann::json(sys.notes).dump());
  s.run();
}
}  // namespace

void Store::save_lca_system(const std::string& database, const std::string& key, const lca::ProductSystem& sys) {
  store::Db& db = sql();
  Transaction t(db);
  const long long id = lca_db_id(db, database);
  if (id < 0) throw Error(ErrorCategory::NotFound, "no LCA database '" + database + "' to store a system for");
  write_lca_system(db, id, key, sys);
  t.commit();
}

std::optional<lca::ProductSystem> Store::load_lca_system(const std::string& database, const std::string& key,
                                                         const lca::Database& d) const {
  store::Db& db = sql();
  const long long id = lca_db_id(db, database);
  Stmt s(db.handle(), "SELECT format, providers, elementary, technosphere, biosphere, cutoffs, notes FROM lca_systems "
                      "WHERE db_id = ? AND options = ?");
  s.bind(1, id).bind(2, key);
  if (!s.step() || s.text(0) != kSystemFormat) return std::nullopt;
  lca::ProductSystem sys;
  sys.db = &d;
  sys.providers = vector_of<lca::Provider>(s.blob(1));
  {
    const std::string_view eb = s.blob(2);  // m int32 flow indices, then m input flags
    const size_t m = eb.size() / (sizeof(int32_t) + 1);
    if (eb.size() != m * (sizeof(int32_t) + 1)) return std::nullopt;
    sys.elementary = vector_of<int32_t>(eb.substr(0, m * sizeof(int32_t)));
    sys.elementary_input.assign(eb.begin() + static_cast<std::ptrdiff_t>(m * sizeof(int32_t)), eb.end());
  }
  sys.technosphere = vector_of<lca::Triplet>(s.blob(3));
  sys.biosphere = vector_of<lca::Triplet>(s.blob(4));
  sys.cutoffs = static_cast<size_t>(s.integer(5));
  for (const auto& n : nlohmann::json::parse(s.text(6), nullptr, false)) sys.notes.push_back(n.get<std::string>());
  // a cache that does not fit the database (it cannot, unless the file was edited) is ignored
  for (const auto& pv : sys.providers)
    if (pv.process < 0 || static_cast<size_t>(pv.process) >= d.processes.size() || pv.flow < 0 ||
        static_cast<size_t>(pv.flow) >= d.flows.size())
      return std::nullopt;
  for (const int32_t f : sys.elementary)
    if (f < 0 || static_cast<size_t>(f) >= d.flows.size()) return std::nullopt;
  const auto n = static_cast<int32_t>(sys.providers.size()), m = static_cast<int32_t>(sys.elementary.size());
  for (const auto& t : sys.technosphere)
    if (t.row < 0 || t.row >= n || t.col < 0 || t.col >= n) return std::nullopt;
  for (const auto& t : sys.biosphere)
    if (t.row < 0 || t.row >= m || t.col < 0 || t.col >= n) return std::nullopt;
  return sys;
}


}  // namespace panocarbon
