#include "panocarbon/store.hpp"
#include "panocarbon/parallel.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <sstream>
#include <type_traits>

#include "core/embedded.hpp"
#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/provenance.hpp"
#include "store/sqlite.hpp"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PANOCARBON_ENDIAN_TAG "be"
#else
#define PANOCARBON_ENDIAN_TAG "le"
#endif

namespace panocarbon {

using store::Db;
using store::Stmt;
using store::Transaction;

namespace {
// Migrations: entry i upgrades schema version i to i+1. Never edit a released entry; append a new one.
// A migration and, optionally, a query that returns non-zero when its effect is already present (then it is
// skipped rather than failing).
struct Migration {
  const char* sql;
  const char* done_if = nullptr;
};
const Migration kMigrations[] = {
    {R"sql(
CREATE TABLE datasets(
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, source TEXT, edition TEXT, table_ref TEXT,
  licence TEXT, retrieved TEXT, imported_at TEXT NOT NULL, content_sha256 TEXT);
CREATE TABLE fuels(
  name TEXT PRIMARY KEY, id TEXT UNIQUE NOT NULL, dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  aliases TEXT, fuel_group TEXT, biomass INTEGER NOT NULL, ncv_tj_per_gg REAL, ncv_lower REAL, ncv_upper REAL,
  carbon_kg_per_gj REAL, carbon_lower REAL, carbon_upper REAL, edition INTEGER, document TEXT, volume TEXT,
  chapter TEXT, table_ref TEXT);
CREATE TABLE emission_factors(
  id TEXT PRIMARY KEY, dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, edition INTEGER NOT NULL,
  category TEXT NOT NULL, activity TEXT NOT NULL, technology TEXT NOT NULL DEFAULT '', is_default INTEGER NOT NULL,
  gas TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, lower REAL, upper REAL, distribution TEXT,
  geography TEXT, year_from INTEGER, year_to INTEGER, document TEXT, volume TEXT, chapter TEXT, table_ref TEXT,
  note TEXT);
CREATE INDEX emission_factors_activity ON emission_factors(activity, gas);
CREATE TABLE gwp(
  set_name TEXT NOT NULL, gas TEXT NOT NULL, gwp100 REAL NOT NULL, document TEXT, table_ref TEXT,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, PRIMARY KEY(set_name, gas));
CREATE TABLE categories(
  code TEXT PRIMARY KEY, parent TEXT, title TEXT NOT NULL, level INTEGER NOT NULL, position INTEGER NOT NULL,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY, command TEXT NOT NULL, inputs TEXT, params TEXT, version TEXT NOT NULL,
  started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, summary TEXT);
CREATE TABLE results(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, key TEXT NOT NULL, gas TEXT NOT NULL,
  value REAL NOT NULL, unit TEXT NOT NULL);
CREATE INDEX results_run ON results(run_id);
CREATE VIRTUAL TABLE search_index USING fts5(kind UNINDEXED, ref UNINDEXED, title, body, tokenize='porter unicode61');
)sql"},
    // 2: MRIO systems and their regional accounts (consumption side).
    {R"sql(
CREATE TABLE mrio_systems(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, format TEXT NOT NULL, source TEXT NOT NULL, fingerprint TEXT NOT NULL,
  regions INTEGER NOT NULL, sectors INTEGER NOT NULL, categories INTEGER NOT NULL, monetary_unit TEXT,
  provenance TEXT, imported_at TEXT NOT NULL, UNIQUE(source, fingerprint));
CREATE TABLE mrio_accounts(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  system_id INTEGER NOT NULL REFERENCES mrio_systems(id) ON DELETE CASCADE,
  extension TEXT NOT NULL, stressor TEXT NOT NULL, unit TEXT, region TEXT NOT NULL,
  production REAL, consumption REAL, imports REAL, exports REAL, direct_fd REAL, income REAL, shared REAL,
  eebt_consumption REAL, population REAL);
CREATE INDEX mrio_accounts_query ON mrio_accounts(system_id, stressor, region);
)sql"},
    // 3: the table's year with each MRIO system. (Development builds briefly created this column in
    // migration 2; the store skips the ALTER where the column is already there.)
    {R"sql(
ALTER TABLE mrio_systems ADD COLUMN year INTEGER;
)sql",
     "SELECT count(*) FROM pragma_table_info('mrio_systems') WHERE name = 'year'"},
    // 4: LCA databases (processes, flows, exchanges with their uncertainty), LCIA methods, full-text search.
    {R"sql(
CREATE TABLE lca_databases(
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, format TEXT NOT NULL, source TEXT NOT NULL,
  processes INTEGER NOT NULL, flows INTEGER NOT NULL, exchanges INTEGER NOT NULL, provenance TEXT,
  imported_at TEXT NOT NULL);
CREATE TABLE lca_flows(
  db_id INTEGER NOT NULL REFERENCES lca_databases(id) ON DELETE CASCADE, ix INTEGER NOT NULL, id TEXT NOT NULL,
  name TEXT NOT NULL, type INTEGER NOT NULL, compartment TEXT, cas TEXT, unit TEXT, property TEXT, location TEXT,
  properties TEXT, PRIMARY KEY(db_id, ix));
CREATE TABLE lca_processes(
  db_id INTEGER NOT NULL REFERENCES lca_databases(id) ON DELETE CASCADE, ix INTEGER NOT NULL, id TEXT NOT NULL,
  name TEXT NOT NULL, location TEXT, category TEXT, type TEXT, default_allocation INTEGER NOT NULL,
  allocation TEXT, stage TEXT, documentation TEXT, PRIMARY KEY(db_id, ix));
CREATE TABLE lca_exchanges(
  db_id INTEGER NOT NULL REFERENCES lca_databases(id) ON DELETE CASCADE, process INTEGER NOT NULL,
  flow INTEGER NOT NULL, amount REAL NOT NULL, flags INTEGER NOT NULL, provider TEXT, xid TEXT, formula TEXT,
  description TEXT, unc_kind INTEGER, unc_a REAL, unc_b REAL, unc_c REAL, unc_sigma_ln REAL, unc_basic REAL,
  pedigree TEXT);
CREATE INDEX lca_exchanges_db ON lca_exchanges(db_id, process);
CREATE TABLE lca_methods(
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, source TEXT, definition TEXT NOT NULL, imported_at TEXT NOT NULL);
CREATE VIRTUAL TABLE lca_search USING fts5(db UNINDEXED, kind UNINDEXED, ref UNINDEXED, title, body,
  tokenize='porter unicode61');
)sql"},
    // 5: linked product systems of an LCA database, per linking options (what `lca calc` loads instead of
    // the exchanges): providers, elementary flows and the matrices as binary arrays.
    {R"sql(
CREATE TABLE lca_systems(
  db_id INTEGER NOT NULL REFERENCES lca_databases(id) ON DELETE CASCADE, options TEXT NOT NULL,
  format TEXT NOT NULL, providers BLOB NOT NULL, elementary BLOB NOT NULL, technosphere BLOB NOT NULL,
  biosphere BLOB NOT NULL, cutoffs INTEGER NOT NULL, notes TEXT NOT NULL, PRIMARY KEY(db_id, options));
)sql"},
    // 6: the natural side of the account (issue 6), one generic table for every natural module (fires, natural
    // methane, forest land, ocean and land sinks): one flux per run, region (country or GFED basis region),
    // year, month (0 = annual), species, with its range and tags. value > 0 is an emission to the
    // atmosphere, < 0 a removal (sink); unit as written ("t", "t C", ...). origin: natural | direct
    // anthropogenic | indirect anthropogenic; management: managed | unmanaged | "" (unknown).
    {R"sql(
CREATE TABLE natural_fluxes(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, module TEXT NOT NULL, source TEXT NOT NULL,
  region TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL DEFAULT 0, species TEXT NOT NULL,
  value REAL NOT NULL, lower REAL, upper REAL, unit TEXT NOT NULL, origin TEXT NOT NULL,
  management TEXT NOT NULL DEFAULT '', method TEXT, note TEXT);
CREATE INDEX natural_fluxes_query ON natural_fluxes(module, region, year, species);
)sql"},
};

bool already_applied(Db& db, const Migration& m) {
  if (!m.done_if) return false;
  Stmt s(db.handle(), m.done_if);
  return s.step() && s.integer(0) > 0;
}
constexpr int kNumMigrations = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kNumMigrations == Store::kSchemaVersion);

const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

struct BuiltinDataset {
  const char* name;
  const char* source;
  const char* edition;
  const char* table_ref;
  std::vector<const char*> files;
};
const std::vector<BuiltinDataset>& builtin_datasets() {
  static const std::vector<BuiltinDataset> d = {
      {"ipcc-defaults", "2006 IPCC Guidelines for National Greenhouse Gas Inventories (and 2019 Refinement)",
       "2006; 2019 Refinement rows where it changed a default",
       "Vol 2 Tables 1.2-1.4, 2.2-2.5, 3.2.1-3.2.2, 3.3.1, 3.4.1, 3.5.2-3.5.3, 3.6.4-3.6.5; Vol 3 Tier 1 tables of "
       "Ch 2-4 (see data/PROVENANCE.md)",
       {"fuels.csv", "emission_factors.csv"}},
      {"gwp-ipcc", "IPCC AR4 WG1 Table 2.14; AR5 WG1 Table 8.A.1; AR6 WG1 Table 7.SM.7 and Table 7.15",
       "AR4 (2007), AR5 (2013), AR6 (2021)", "GWP100", {"gwp.csv"}},
      {"ipcc2006-categories", "2006 IPCC Guidelines Vol 1 Ch 8 Table 8.2", "2006", "category tree",
       {"ipcc2006_categories.csv"}},
  };
  return d;
}
}  // namespace

struct Store::Impl {
  std::filesystem::path path;
  Db db;
  explicit Impl(const std::filesystem::path& p) : path(p), db(p.string()) {}

  int user_version() {
    Stmt s(db.handle(), "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
  }

  void migrate() {
    int v = user_version();
    if (v > Store::kSchemaVersion)
      throw Error(ErrorCategory::Database,
                  fmt::format("the database has schema version {} but this panocarbon knows up to {}; use a newer "
                              "panocarbon or another --db",
                              v, Store::kSchemaVersion),
                  ErrorContext{path.string()});
    for (; v < Store::kSchemaVersion; ++v) {
      Transaction t(db);
      if (!already_applied(db, kMigrations[v]))
        db.exec(kMigrations[v].sql);
      db.exec(fmt::format("PRAGMA user_version = {}", v + 1));
      t.commit();
    }
  }

  // Loads each built-in dataset whose content hash differs from the stored one (first run, or a new
  // release of the data), replacing its rows in one transaction.
  void refresh_builtin() {
    for (const auto& ds : builtin_datasets()) {
      std::string content;
      for (const char* f : ds.files) content += detail::embedded_file(f);
      const std::string sha = sha256_hex(content);
      {
        Stmt s(db.handle(), "SELECT content_sha256 FROM datasets WHERE name = ?");
        s.bind(1, ds.name);
        if (s.step() && s.text(0) == sha) continue;
      }
      Transaction t(db);
      {
        Stmt del(db.handle(), "DELETE FROM datasets WHERE name = ?");
        del.bind(1, ds.name).run();
        Stmt ins(db.handle(), fmt::format("INSERT INTO datasets(name, source, edition, table_ref, licence, retrieved, "
                                          "imported_at, content_sha256) VALUES(?,?,?,?,?,?,{},?)", kNow));
        ins.bind(1, ds.name).bind(2, ds.source).bind(3, ds.edition).bind(4, ds.table_ref)
            .bind(5, "published factual values, transcribed by the project (see data/PROVENANCE.md)")
            .bind(6, "").bind(7, sha).run();
      }
      const long long id = sqlite3_last_insert_rowid(db.handle());
      const std::string name = ds.name;
      if (name == "ipcc-defaults") load_factors(id);
      if (name == "gwp-ipcc") load_gwp(id);
      if (name == "ipcc2006-categories") load_categories(id);
      rebuild_search();
      t.commit();
    }
  }

  void load_factors(long long ds) {
    const FactorLibrary& lib = FactorLibrary::builtin();
    Stmt f(db.handle(),
           "INSERT INTO fuels(name, id, dataset_id, aliases, fuel_group, biomass, ncv_tj_per_gg, ncv_lower, ncv_upper, "
           "carbon_kg_per_gj, carbon_lower, carbon_upper, edition, document, volume, chapter, table_ref) "
           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const Fuel& x : lib.fuels()) {
      std::string aliases;
      for (const auto& a : x.aliases) aliases += (aliases.empty() ? "" : ";") + a;
      f.bind(1, x.name).bind(2, x.id).bind(3, ds).bind(4, aliases).bind(5, x.group).bind(6, x.biomass ? 1 : 0)
          .bind(7, x.ncv_tj_per_gg).bind(8, x.ncv_lower).bind(9, x.ncv_upper).bind(10, x.carbon_kg_per_gj)
          .bind(11, x.carbon_lower).bind(12, x.carbon_upper).bind(13, x.citation.edition).bind(14, x.citation.document)
          .bind(15, x.citation.volume).bind(16, x.citation.chapter).bind(17, x.citation.table).run();
    }
    Stmt e(db.handle(),
           "INSERT INTO emission_factors(id, dataset_id, edition, category, activity, technology, is_default, gas, "
           "value, unit, lower, upper, distribution, geography, document, volume, chapter, table_ref, note) "
           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const EmissionFactor& x : lib.factors()) {
      e.bind(1, x.id).bind(2, ds).bind(3, x.edition).bind(4, x.category).bind(5, x.activity).bind(6, x.technology)
          .bind(7, x.is_default ? 1 : 0).bind(8, x.gas).bind(9, x.value).bind(10, x.unit).bind(11, x.lower)
          .bind(12, x.upper).bind(13, std::isnan(x.lower) ? "" : "ci95: lower and upper 95 % confidence limits")
          .bind(14, x.geography).bind(15, x.citation.document).bind(16, x.citation.volume)
          .bind(17, x.citation.chapter).bind(18, x.citation.table).bind(19, x.note).run();
    }
  }

  void load_gwp(long long ds) {
    Stmt s(db.handle(), "INSERT INTO gwp(set_name, gas, gwp100, document, table_ref, dataset_id) VALUES(?,?,?,?,?,?)");
    for (const auto& set : GwpTable::builtin().sets())
      for (const auto& [gas, v] : set.gwp100) s.bind(1, set.name).bind(2, gas).bind(3, v).bind(4, set.document).bind(5, "").bind(6, ds).run();
  }

  void load_categories(long long ds) {
    Stmt s(db.handle(), "INSERT INTO categories(code, parent, title, level, position, dataset_id) VALUES(?,?,?,?,?,?)");
    const auto& tree = CategoryTree::ipcc2006();
    for (int i = 0; i < tree.size(); ++i) {
      const auto& c = tree.at(i);
      s.bind(1, c.code).bind(2, c.parent).bind(3, c.title).bind(4, c.level).bind(5, i).bind(6, ds).run();
    }
  }

  // The search index covers every factor, fuel and category. A factor's text includes its fuel's
  // aliases and the titles of its category and of the categories below it ("diesel trucks" finds road
  // transport diesel factors, whose category 1.A.3.b has the sub-categories "... trucks").
  void rebuild_search() {
    db.exec("DELETE FROM search_index");
    Stmt ins(db.handle(), "INSERT INTO search_index(kind, ref, title, body) VALUES(?,?,?,?)");
    std::unordered_map<std::string, std::string> cat_text;
    {
      Stmt c(db.handle(), "SELECT code, title FROM categories ORDER BY position");
      while (c.step()) {
        const std::string code = c.text(0), title = c.text(1);
        ins.bind(1, "category").bind(2, code).bind(3, code + " " + title).bind(4, title).run();
        cat_text[code] += " " + title;
        // add the title to every ancestor
        std::string p = code;
        while (true) {
          const auto dot = p.rfind('.');
          if (dot == std::string::npos) break;
          p.resize(dot);
          cat_text[p] += " " + title;
        }
      }
    }
    std::unordered_map<std::string, std::string> fuel_aliases;
    {
      Stmt f(db.handle(), "SELECT name, aliases, fuel_group FROM fuels");
      while (f.step()) {
        std::string aliases = f.text(1);
        for (auto& ch : aliases)
          if (ch == ';') ch = ' ';
        fuel_aliases[f.text(0)] = aliases;
        ins.bind(1, "fuel").bind(2, f.text(0)).bind(3, f.text(0)).bind(4, aliases + " " + f.text(2) + " fuel calorific value carbon content").run();
      }
    }
    Stmt e(db.handle(), "SELECT id, activity, technology, gas, category, table_ref, note FROM emission_factors");
    while (e.step()) {
      const std::string id = e.text(0), activity = e.text(1);
      const std::string title = fmt::format("{} {} {}{}", e.text(4), activity, e.text(3),
                                            e.text(2).empty() ? "" : " (" + e.text(2) + ")");
      const auto fa = fuel_aliases.find(activity);
      const std::string body = fmt::format("{} {} {} {} {} Table {} {}", activity, fa == fuel_aliases.end() ? "" : fa->second,
                                           e.text(2), e.text(3), cat_text[e.text(4)], e.text(5), e.text(6));
      ins.bind(1, "factor").bind(2, id).bind(3, title).bind(4, body).run();
    }
  }
};

std::filesystem::path Store::default_path() {
  if (const char* p = std::getenv("PANOCARBON_DB"); p && *p) return p;
  std::filesystem::path base;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
    base = x;
  else if (const char* h = std::getenv("HOME"); h && *h)
    base = std::filesystem::path(h) / ".local" / "share";
  else
    base = ".";
  return base / "panocarbon" / "panocarbon.db";
}

Store Store::open(const std::filesystem::path& path) {
  if (path != ":memory:" && path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw Error(ErrorCategory::Io, fmt::format("cannot create the folder {} ({})", path.parent_path().string(), ec.message()),
                  ErrorContext{path.string()});
  }
  auto impl = std::make_unique<Impl>(path);
  try {
    // A file that is not SQLite fails here, before anything is written to it.
    Stmt check(impl->db.handle(), "SELECT count(*) FROM sqlite_master");
    check.step();
  } catch (const Error& e) {
    throw Error(ErrorCategory::Database,
                fmt::format("this file is not a panocarbon (SQLite) database ({}); choose another path with --db",
                            sqlite3_errmsg(impl->db.handle())),
                ErrorContext{path.string()});
  }
  if (path != ":memory:") {
    Stmt wal(impl->db.handle(), "PRAGMA journal_mode=WAL");
    wal.step();
  }
  impl->db.exec("PRAGMA foreign_keys=ON");
  // Large inserts (a GFED year is ~14,000 natural_fluxes rows) would spill the default 2 MB page cache to the
  // WAL page by page mid-transaction; SQLite allocates the cache only as it is used.
  impl->db.exec("PRAGMA cache_size=-65536");
  impl->migrate();
  impl->refresh_builtin();
  return Store(std::move(impl));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const std::filesystem::path& Store::path() const { return impl_->path; }
int Store::schema_version() const { return impl_->user_version(); }

nlohmann::json Store::info() const {
  nlohmann::json j = {{"path", impl_->path.string()}, {"schema_version", schema_version()}, {"version", version()}};
  auto count = [&](const char* table) {
    Stmt s(impl_->db.handle(), fmt::format("SELECT count(*) FROM {}", table));
    s.step();
    return s.integer(0);
  };
  j["counts"] = {{"datasets", count("datasets")}, {"fuels", count("fuels")},
                 {"emission_factors", count("emission_factors")}, {"gwp_values", count("gwp")},
                 {"categories", count("categories")}, {"runs", count("runs")}, {"results", count("results")}};
  auto ds = nlohmann::json::array();
  Stmt s(impl_->db.handle(), "SELECT name, source, table_ref, licence, imported_at, content_sha256 FROM datasets ORDER BY id");
  while (s.step())
    ds.push_back({{"name", s.text(0)}, {"source", s.text(1)}, {"table", s.text(2)}, {"licence", s.text(3)},
                  {"imported_at", s.text(4)}, {"sha256", s.text(5)}});
  j["datasets"] = ds;
  return j;
}

FactorLibrary Store::load_factor_library() const {
  std::vector<Fuel> fuels;
  {
    Stmt s(impl_->db.handle(),
           "SELECT id, name, aliases, fuel_group, biomass, ncv_tj_per_gg, ncv_lower, ncv_upper, carbon_kg_per_gj, "
           "carbon_lower, carbon_upper, edition, document, volume, chapter, table_ref FROM fuels ORDER BY rowid");
    while (s.step()) {
      Fuel f;
      f.id = s.text(0);
      f.name = s.text(1);
      std::stringstream ss(s.text(2));
      for (std::string a; std::getline(ss, a, ';');)
        if (!a.empty()) f.aliases.push_back(a);
      f.group = s.text(3);
      f.biomass = s.integer(4) != 0;
      f.ncv_tj_per_gg = s.real(5);
      f.ncv_lower = s.real(6);
      f.ncv_upper = s.real(7);
      f.carbon_kg_per_gj = s.real(8);
      f.carbon_lower = s.real(9);
      f.carbon_upper = s.real(10);
      f.citation = Citation{s.text(12), s.text(13), s.text(14), s.text(15), static_cast<int>(s.integer(11))};
      fuels.push_back(std::move(f));
    }
  }
  std::vector<EmissionFactor> factors;
  {
    Stmt s(impl_->db.handle(),
           "SELECT id, edition, category, activity, technology, is_default, gas, value, unit, lower, upper, geography, "
           "document, volume, chapter, table_ref, note FROM emission_factors ORDER BY rowid");
    while (s.step()) {
      EmissionFactor f;
      f.id = s.text(0);
      f.edition = static_cast<int>(s.integer(1));
      f.category = s.text(2);
      f.activity = s.text(3);
      f.technology = s.text(4);
      f.is_default = s.integer(5) != 0;
      f.gas = s.text(6);
      f.value = s.real(7);
      f.unit = s.text(8);
      f.lower = s.real(9);
      f.upper = s.real(10);
      f.geography = s.text(11);
      f.citation = Citation{s.text(12), s.text(13), s.text(14), s.text(15), f.edition};
      f.note = s.text(16);
      factors.push_back(std::move(f));
    }
  }
  return FactorLibrary(std::move(fuels), std::move(factors), "database " + impl_->path.string());
}

namespace {
// Each word of a search becomes a quoted prefix term; all must match (FTS5 implicit AND).
std::string fts_query(std::string_view query) {
  std::string q;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!q.empty()) q.push_back(' ');
    q.push_back('"');
    q.append(word);
    q.append("\"*");
    word.clear();
  };
  for (char c : query) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80)
      word.push_back(c);
    else
      flush();
  }
  flush();
  if (q.empty())
    throw Error(ErrorCategory::InvalidInput, "the search query has no words; try e.g. \"diesel trucks\"",
                ErrorContext{{}, 0, 0, "query"});
  return q;
}
}  // namespace

std::vector<SearchHit> Store::search(std::string_view query, int limit) const {
  const std::string q = fts_query(query);
  Stmt s(impl_->db.handle(),
         "SELECT kind, ref, title, bm25(search_index, 0, 0, 5.0, 1.0) AS r FROM search_index WHERE search_index MATCH ? "
         "ORDER BY r LIMIT ?");
  s.bind(1, q).bind(2, static_cast<long long>(limit));
  std::vector<SearchHit> out;
  while (s.step()) out.push_back(SearchHit{s.text(0), s.text(1), s.text(2), s.real(3)});
  return out;
}

int64_t Store::begin_run(std::string_view command, const nlohmann::json& inputs, const nlohmann::json& params) {
  if (!parallel::is_root()) return 0;  // MPI: rank 0 keeps the run log
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(),
         fmt::format("INSERT INTO runs(command, inputs, params, version, started_at, status) VALUES(?,?,?,?,{},'running')", kNow));
  s.bind(1, command).bind(2, inputs.dump()).bind(3, params.dump()).bind(4, version()).run();
  const int64_t id = sqlite3_last_insert_rowid(impl_->db.handle());
  t.commit();
  return id;
}

void Store::finish_run(int64_t run_id, std::string_view status, const nlohmann::json& summary) {
  if (!parallel::is_root()) return;
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(), fmt::format("UPDATE runs SET finished_at = {}, status = ?, summary = ? WHERE id = ?", kNow));
  s.bind(1, status).bind(2, summary.dump()).bind(3, static_cast<long long>(run_id)).run();
  t.commit();
}

void Store::set_run_inputs(int64_t run_id, const nlohmann::json& inputs) {
  if (!parallel::is_root()) return;
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(), "UPDATE runs SET inputs = ? WHERE id = ?");
  s.bind(1, inputs.dump()).bind(2, static_cast<long long>(run_id)).run();
  t.commit();
}

void Store::save_results(int64_t run_id, const std::vector<ResultRecord>& results) {
  if (!parallel::is_root()) return;
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(), "INSERT INTO results(run_id, key, gas, value, unit) VALUES(?,?,?,?,?)");
  for (const auto& r : results) s.bind(1, static_cast<long long>(run_id)).bind(2, r.key).bind(3, r.gas).bind(4, r.value).bind(5, r.unit).run();
  t.commit();
}

std::vector<ResultRecord> Store::results(int64_t run_id) const {
  Stmt s(impl_->db.handle(), "SELECT key, gas, value, unit FROM results WHERE run_id = ? ORDER BY rowid");
  s.bind(1, static_cast<long long>(run_id));
  std::vector<ResultRecord> out;
  while (s.step()) out.push_back(ResultRecord{s.text(0), s.text(1), s.real(2), s.text(3)});
  return out;
}

int64_t Store::save_mrio_system(const MrioSystemRecord& r) {
  Transaction t(impl_->db);
  {
    Stmt f(impl_->db.handle(), "SELECT id FROM mrio_systems WHERE source = ? AND fingerprint = ?");
    f.bind(1, r.source).bind(2, r.fingerprint);
    if (f.step()) return f.integer(0);  // already there: the transaction rolls back, nothing changed
  }
  Stmt s(impl_->db.handle(),
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
  const int64_t id = sqlite3_last_insert_rowid(impl_->db.handle());
  t.commit();
  return id;
}

void Store::save_mrio_accounts(int64_t run_id, int64_t system_id, const std::vector<MrioAccountRecord>& rows) {
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(),
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
  Stmt s(impl_->db.handle(),
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

std::vector<RunRecord> Store::recent_runs(int limit) const {
  Stmt s(impl_->db.handle(),
         "SELECT id, command, started_at, coalesce(finished_at,''), status, version, inputs, params, coalesce(summary,'null') "
         "FROM runs ORDER BY id DESC LIMIT ?");
  s.bind(1, static_cast<long long>(limit));
  std::vector<RunRecord> out;
  while (s.step()) {
    RunRecord r;
    r.id = s.integer(0);
    r.command = s.text(1);
    r.started_at = s.text(2);
    r.finished_at = s.text(3);
    r.status = s.text(4);
    r.version = s.text(5);
    r.inputs = nlohmann::json::parse(s.text(6), nullptr, false);
    r.params = nlohmann::json::parse(s.text(7), nullptr, false);
    r.summary = nlohmann::json::parse(s.text(8), nullptr, false);
    out.push_back(std::move(r));
  }
  return out;
}

// ---- LCA ---------------------------------------------------------------------------------------------------
namespace {
std::string pedigree_text(const lca::Uncertainty& u) {
  if (u.pedigree[0] == 0) return {};
  return fmt::format("{},{},{},{},{}", u.pedigree[0], u.pedigree[1], u.pedigree[2], u.pedigree[3], u.pedigree[4]);
}
}  // namespace

void Store::save_lca_database(const lca::Database& d) {
  store::Db& db = impl_->db;
  Transaction t(db);
  {
    Stmt old(db.handle(), "SELECT id FROM lca_databases WHERE name = ?");
    old.bind(1, d.name);
    if (old.step()) {
      const long long id = old.integer(0);
      old.reset();
      // foreign keys are not enforced on this connection: delete the rows of each table
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
  size_t exchanges = 0;
  for (const auto& p : d.processes) exchanges += p.exchanges.size();
  Stmt ins(db.handle(), fmt::format("INSERT INTO lca_databases(name, format, source, processes, flows, exchanges, "
                                    "provenance, imported_at) VALUES(?,?,?,?,?,?,?,{})",
                                    kNow));
  ins.bind(1, d.name).bind(2, d.format).bind(3, d.provenance.value("path", std::string()))
      .bind(4, static_cast<long long>(d.processes.size())).bind(5, static_cast<long long>(d.flows.size()))
      .bind(6, static_cast<long long>(exchanges));
  nlohmann::json prov = d.provenance;
  prov["warnings"] = d.warnings;
  ins.bind(7, prov.dump()).run();
  const long long id = sqlite3_last_insert_rowid(db.handle());
  Stmt fts(db.handle(), "INSERT INTO lca_search(db, kind, ref, title, body) VALUES(?,?,?,?,?)");
  {
    Stmt f(db.handle(), "INSERT INTO lca_flows(db_id, ix, id, name, type, compartment, cas, unit, property, location, "
                        "properties) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (size_t i = 0; i < d.flows.size(); ++i) {
      const auto& fl = d.flows[i];
      f.bind(1, id).bind(2, static_cast<long long>(i)).bind(3, fl.id).bind(4, fl.name)
          .bind(5, static_cast<int>(fl.type)).bind(6, fl.compartment).bind(7, fl.cas).bind(8, fl.unit)
          .bind(9, fl.property).bind(10, fl.location).bind(11, nlohmann::json(fl.properties).dump()).run();
      fts.bind(1, d.name).bind(2, std::string("flow")).bind(3, fl.id).bind(4, fl.name)
          .bind(5, fl.compartment + " " + lca::to_string(fl.type) + " " + fl.cas).run();
    }
  }
  Stmt p(db.handle(), "INSERT INTO lca_processes(db_id, ix, id, name, location, category, type, default_allocation, "
                      "allocation, stage, documentation) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  Stmt x(db.handle(), "INSERT INTO lca_exchanges(db_id, process, flow, amount, flags, provider, xid, formula, "
                      "description, unc_kind, unc_a, unc_b, unc_c, unc_sigma_ln, unc_basic, pedigree) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (size_t i = 0; i < d.processes.size(); ++i) {
    const auto& pr = d.processes[i];
    nlohmann::json alloc = nlohmann::json::array();
    for (const auto& a : pr.allocation) alloc.push_back({static_cast<int>(a.method), a.product, a.exchange, a.value});
    p.bind(1, id).bind(2, static_cast<long long>(i)).bind(3, pr.id).bind(4, pr.name).bind(5, pr.location)
        .bind(6, pr.category).bind(7, pr.type).bind(8, static_cast<int>(pr.default_allocation)).bind(9, alloc.dump())
        .bind(10, pr.stage).bind(11, pr.documentation.is_null() ? std::string() : pr.documentation.dump()).run();
    std::string products;
    for (const auto& e : pr.exchanges) {
      const int flags = (e.input ? 1 : 0) | (e.avoided ? 2 : 0) | (e.reference ? 4 : 0);
      x.bind(1, id).bind(2, static_cast<long long>(i)).bind(3, static_cast<long long>(e.flow)).bind(4, e.amount)
          .bind(5, flags).bind(6, e.provider).bind(7, e.id).bind(8, e.formula).bind(9, e.description);
      const auto& u = e.uncertainty;
      if (u.kind == lca::Uncertainty::None && u.pedigree[0] == 0) {
        for (int c = 10; c <= 16; ++c) x.bind_null(c);
      } else {
        x.bind(10, static_cast<int>(u.kind)).bind(11, u.a).bind(12, u.b).bind(13, u.c).bind(14, u.sigma_ln)
            .bind(15, u.basic_variance).bind(16, pedigree_text(u));
      }
      x.run();
      if (e.reference) products += " " + d.flows[static_cast<size_t>(e.flow)].name;
    }
    fts.bind(1, d.name).bind(2, std::string("process")).bind(3, pr.id).bind(4, pr.name)
        .bind(5, pr.category + " " + pr.location + products).run();
  }
  t.commit();
}

lca::Database Store::load_lca_database(const std::string& name, bool exchanges) const {
  store::Db& db = impl_->db;
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
                              name, impl_->path.string(),
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
  Stmt s(impl_->db.handle(), "SELECT name, format, source, imported_at, processes, flows, exchanges, provenance "
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
  Stmt s(impl_->db.handle(),
         "SELECT kind, ref, title, bm25(lca_search, 0, 0, 0, 5.0, 1.0) AS r, db FROM lca_search WHERE lca_search MATCH ? "
         "AND (? = '' OR db = ?) ORDER BY r LIMIT ?");
  s.bind(1, q).bind(2, database).bind(3, database).bind(4, static_cast<long long>(limit));
  std::vector<SearchHit> out;
  while (s.step()) out.push_back(SearchHit{s.text(0), s.text(4) + "/" + s.text(1), s.text(2), s.real(3)});
  return out;
}

void Store::save_lca_method(const lca::Method& m) {
  nlohmann::json def = {{"name", m.name}, {"source", m.source}, {"categories", nlohmann::json::array()}};
  for (const auto& c : m.categories) {
    nlohmann::json fs = nlohmann::json::array();
    for (const auto& f : c.factors) fs.push_back({f.flow_id, f.flow_name, f.compartment, f.cas, f.value, f.match_by_cas});
    def["categories"].push_back({{"name", c.name}, {"unit", c.unit}, {"factors", fs}});
  }
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(), fmt::format("INSERT INTO lca_methods(name, source, definition, imported_at) VALUES(?,?,?,{}) "
                                         "ON CONFLICT(name) DO UPDATE SET source = excluded.source, definition = "
                                         "excluded.definition, imported_at = excluded.imported_at",
                                         kNow));
  s.bind(1, m.name).bind(2, m.source).bind(3, def.dump()).run();
  t.commit();
}

std::optional<lca::Method> Store::load_lca_method(const std::string& name) const {
  Stmt s(impl_->db.handle(), "SELECT definition FROM lca_methods WHERE name = ?");
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
  Stmt s(impl_->db.handle(), "SELECT name FROM lca_methods ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

namespace {
// Binary layout of the cached systems: little-endian int32 and IEEE double as laid out by this build.
constexpr const char* kSystemFormat = "pc-lca-system-1/" PANOCARBON_ENDIAN_TAG;
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
}  // namespace

void Store::save_lca_system(const std::string& database, const std::string& key, const lca::ProductSystem& sys) {
  store::Db& db = impl_->db;
  Transaction t(db);
  const long long id = lca_db_id(db, database);
  if (id < 0) throw Error(ErrorCategory::NotFound, "no LCA database '" + database + "' to store a system for");
  Stmt s(db.handle(), "INSERT OR REPLACE INTO lca_systems(db_id, options, format, providers, elementary, technosphere, "
                      "biosphere, cutoffs, notes) VALUES(?,?,?,?,?,?,?,?,?)");
  const auto p = bytes_of(sys.providers), e = bytes_of(sys.elementary), a = bytes_of(sys.technosphere),
             b = bytes_of(sys.biosphere);
  s.bind(1, id).bind(2, key).bind(3, std::string(kSystemFormat));
  s.bind_blob(4, p.data(), p.size()).bind_blob(5, e.data(), e.size()).bind_blob(6, a.data(), a.size());
  s.bind_blob(7, b.data(), b.size()).bind(8, static_cast<long long>(sys.cutoffs)).bind(9, nlohmann::json(sys.notes).dump());
  s.run();
  t.commit();
}

std::optional<lca::ProductSystem> Store::load_lca_system(const std::string& database, const std::string& key,
                                                         const lca::Database& d) const {
  store::Db& db = impl_->db;
  const long long id = lca_db_id(db, database);
  Stmt s(db.handle(), "SELECT format, providers, elementary, technosphere, biosphere, cutoffs, notes FROM lca_systems "
                      "WHERE db_id = ? AND options = ?");
  s.bind(1, id).bind(2, key);
  if (!s.step() || s.text(0) != kSystemFormat) return std::nullopt;
  lca::ProductSystem sys;
  sys.db = &d;
  sys.providers = vector_of<lca::Provider>(s.blob(1));
  sys.elementary = vector_of<int32_t>(s.blob(2));
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

// Natural side (issue 6): table natural_fluxes of migration 6.
namespace panocarbon {
void Store::save_natural_fluxes(int64_t run_id, const std::vector<NaturalFluxRecord>& rows) {
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(),
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
  Stmt s(impl_->db.handle(),
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
