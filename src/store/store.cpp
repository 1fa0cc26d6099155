// The store: open and migrate the database, the built-in datasets, the factor library, full-text search and
// the run log. The table groups are in store_mrio.cpp, store_lca.cpp and store_natural.cpp.
#include "panocarbon/store.hpp"
#include "panocarbon/parallel.hpp"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <type_traits>

#include "core/embedded.hpp"
#include "core/text.hpp"
#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/provenance.hpp"
#include "store/sqlite.hpp"
#include "store/store_internal.hpp"

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
  // Work after the statements (moving rows between tables), written to be idempotent too: it runs again when
  // a database left between versions is repaired.
  void (*after)(Db&) = nullptr;
};
void move_natural_fluxes(Db& db);
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
    // 7: the process of a run (pid, host name, the process's start time), so that a run left `running` by a
    // process that is gone (killed, crashed) can be told from one that still runs.
    {R"sql(
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN process_start TEXT;
)sql"},
    // 8: the panoramic ledger (issue 13; docs/ledger.md): one row per source (wiod2013-co2/2009, gcb2019, ...)
    // with its dataset, version, citation and the run that built it; values per country, year and indicator
    // (Mt CO2 or t CO2/person, with the 2.5-97.5 % range where one was computed), bilateral partners and sectors.
    // Rebuilding a source replaces its rows in one transaction.
    {R"sql(
CREATE TABLE ledger_sources(
  id INTEGER PRIMARY KEY, source TEXT UNIQUE NOT NULL, dataset TEXT NOT NULL, version TEXT, citation TEXT,
  path TEXT, run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL, built_at TEXT NOT NULL);
CREATE TABLE ledger_values(
  source_id INTEGER NOT NULL REFERENCES ledger_sources(id) ON DELETE CASCADE, country TEXT NOT NULL,
  year INTEGER NOT NULL, indicator TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, lower REAL, upper REAL,
  side TEXT NOT NULL, gwp TEXT, note TEXT);
CREATE INDEX ledger_values_query ON ledger_values(country, year, indicator);
CREATE TABLE ledger_partners(
  source_id INTEGER NOT NULL REFERENCES ledger_sources(id) ON DELETE CASCADE, country TEXT NOT NULL,
  year INTEGER NOT NULL, partner TEXT NOT NULL, exports REAL NOT NULL, imports REAL NOT NULL);
CREATE INDEX ledger_partners_query ON ledger_partners(country, year);
CREATE TABLE ledger_sectors(
  source_id INTEGER NOT NULL REFERENCES ledger_sources(id) ON DELETE CASCADE, country TEXT NOT NULL,
  year INTEGER NOT NULL, sector TEXT NOT NULL, sector_name TEXT, production REAL NOT NULL, consumption REAL NOT NULL);
CREATE INDEX ledger_sectors_query ON ledger_sectors(country, year);
)sql"},
    // 9: the avoided-emissions ledger of exported clean-energy products (issue 15; docs/avoided.md): one row per
    // product and destination of an `avoided` run, its inputs and results. A ledger of its own (WBCSD 2023):
    // nothing reads it into the inventories, the panoramic ledger or `account`.
    {R"sql(
CREATE TABLE avoided_emissions(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, position INTEGER NOT NULL, product TEXT NOT NULL,
  destination TEXT NOT NULL, capacity_mw REAL NOT NULL, capacity_factor REAL NOT NULL, lifetime_years INTEGER NOT NULL,
  grid_factor_t_per_mwh REAL NOT NULL, manufacturing_t_per_mw REAL NOT NULL, degradation_pct_per_year REAL NOT NULL,
  annual_generation_mwh REAL NOT NULL, annual_avoided_t REAL NOT NULL, lifetime_avoided_t REAL NOT NULL,
  manufacturing_t REAL NOT NULL, net_lifetime_avoided_t REAL NOT NULL, payback_years REAL,
  PRIMARY KEY(run_id, position));
)sql"},
    // 10: the text that every flux of a run repeats (module, source file, unit, origin, management, method and
    // note: ~250 bytes on each of a GFED year's ~14,000 rows) once per run and distinct text in natural_methods;
    // the fluxes, now in natural_flux_values, refer to it by id (their run_id is their method's, kept for the
    // latest-run query; deleting a run deletes its methods and, by their cascade, its fluxes: one foreign key
    // to check per inserted row instead of two). natural_fluxes becomes a view with the columns
    // of migration 6, so queries written against it keep working. The rows of an existing database move over
    // (move_natural_fluxes), in their order.
    {R"sql(
CREATE TABLE natural_methods(
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, module TEXT NOT NULL,
  source TEXT NOT NULL, unit TEXT NOT NULL, origin TEXT NOT NULL, management TEXT NOT NULL DEFAULT '',
  method TEXT, note TEXT);
CREATE TABLE natural_flux_values(
  run_id INTEGER NOT NULL, method_id INTEGER NOT NULL REFERENCES natural_methods(id) ON DELETE CASCADE,
  region TEXT NOT NULL,
  year INTEGER NOT NULL, month INTEGER NOT NULL DEFAULT 0, species TEXT NOT NULL, value REAL NOT NULL, lower REAL,
  upper REAL);
)sql",
     nullptr, move_natural_fluxes},
};

// Migration 10's rows: a natural_fluxes table (schema 6 to 9) gives its distinct (run, source, method, note) to
// natural_methods and its rows, in rowid order, to natural_flux_values; then the table is dropped and
// natural_fluxes comes back as a view. Where natural_fluxes is already the view (a repair), only what is
// missing is created.
void move_natural_fluxes(Db& db) {
  const auto type_of = [&](const char* name) {
    Stmt s(db.handle(), "SELECT type FROM sqlite_master WHERE name = ?");
    s.bind(1, std::string_view(name));
    return s.step() ? std::string(s.text(0)) : std::string();
  };
  if (type_of("natural_fluxes") == "table") {
    db.exec(
        "INSERT INTO natural_methods(run_id, module, source, unit, origin, management, method, note) "
        "SELECT run_id, module, source, unit, origin, management, method, note FROM natural_fluxes "
        "GROUP BY run_id, module, source, unit, origin, management, method, note ORDER BY min(rowid)");
    db.exec(
        "INSERT INTO natural_flux_values(run_id, method_id, region, year, month, species, value, lower, upper) "
        "SELECT f.run_id, m.id, f.region, f.year, f.month, f.species, f.value, f.lower, f.upper "
        "FROM natural_fluxes f JOIN natural_methods m ON m.run_id = f.run_id AND m.module = f.module AND "
        "m.source = f.source AND m.unit = f.unit AND m.origin = f.origin AND m.management = f.management AND "
        "m.method IS f.method AND m.note IS f.note ORDER BY f.rowid");
    db.exec("DROP TABLE natural_fluxes");  // and its index natural_fluxes_query
  }
  // The index name of migration 6, now on the small table (its run and module). The fluxes have no index: their
  // rows are appended run by run (rowid order), every reader scans them in that order, and an index led by
  // region (as migration 6's) had every run's rows spread over all its pages, so that a GFED year rewrote the
  // index pages of every earlier year (the write grew with the database). Deleting a run (never done by the
  // program; by hand, cascading through natural_methods) scans the fluxes once per method of the run.
  db.exec("CREATE INDEX IF NOT EXISTS natural_fluxes_query ON natural_methods(run_id, module)");
  db.exec(
      "CREATE VIEW IF NOT EXISTS natural_fluxes AS SELECT v.run_id AS run_id, m.module AS module, m.source AS "
      "source, v.region AS region, v.year AS year, v.month AS month, v.species AS species, v.value AS value, "
      "v.lower AS lower, v.upper AS upper, m.unit AS unit, m.origin AS origin, m.management AS management, "
      "m.method AS method, m.note AS note FROM natural_flux_values v JOIN natural_methods m ON m.id = v.method_id");
}

bool already_applied(Db& db, const Migration& m) {
  if (!m.done_if) return false;
  Stmt s(db.handle(), m.done_if);
  return s.step() && s.integer(0) > 0;
}
constexpr int kNumMigrations = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
static_assert(kNumMigrations == Store::kSchemaVersion);

// The statements of a migration (its SQL holds no ';' inside literals).
std::vector<std::string> statements(const char* sql) {
  std::vector<std::string> out;
  std::stringstream ss(sql);
  for (std::string st; std::getline(ss, st, ';');)
    if (st.find_first_not_of(" \n\t") != std::string::npos) out.push_back(st);
  return out;
}

bool object_exists(Db& db, const std::string& name) {
  Stmt s(db.handle(), "SELECT count(*) FROM sqlite_master WHERE name = ?");
  s.bind(1, name);
  return s.step() && s.integer(0) > 0;
}
bool column_exists(Db& db, const std::string& table, const std::string& column) {
  Stmt s(db.handle(), "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?");
  s.bind(1, table).bind(2, column);
  return s.step() && s.integer(0) > 0;
}

// What a migration statement creates: {table or index, ""} for CREATE [UNIQUE] [VIRTUAL] TABLE|INDEX
// [IF NOT EXISTS] name, {table, column} for ALTER TABLE t ADD [COLUMN] c, nothing for any other statement.
// (Words, not std::regex: GCC 12 warns inside <regex> under the sanitizers.)
struct Creates {
  std::string object, column;
  std::string on;  // the table of a CREATE INDEX
};
std::optional<Creates> what_it_creates(const std::string& statement) {
  std::vector<std::string> w;
  std::string word;
  for (const char ch : statement + " ") {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') {
      word += ch;
    } else {
      if (!word.empty()) w.push_back(word);
      word.clear();
      if (ch == '(') break;  // the names come before the first parenthesis
    }
  }
  auto is = [&](size_t i, const char* kw) { return i < w.size() && iequals(w[i], kw); };
  size_t i = 0;
  if (is(0, "CREATE")) {
    i = 1;
    if (is(i, "UNIQUE")) ++i;
    if (is(i, "VIRTUAL")) ++i;
    if (!is(i, "TABLE") && !is(i, "INDEX")) return std::nullopt;
    ++i;
    if (is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS")) i += 3;
    if (i >= w.size()) return std::nullopt;
    return Creates{w[i], "", is(i + 1, "ON") && i + 2 < w.size() ? w[i + 2] : ""};
  }
  if (is(0, "ALTER") && is(1, "TABLE") && is(3, "ADD")) {
    i = is(4, "COLUMN") ? 5 : 4;
    if (i >= w.size()) return std::nullopt;
    return Creates{w[2], w[i], ""};
  }
  return std::nullopt;
}

// Whether the database already holds what a statement creates.
bool holds(Db& db, const Creates& c) {
  return c.column.empty() ? object_exists(db, c.object) : column_exists(db, c.object, c.column);
}

// What each migration creates, parsed once per process.
const std::vector<std::vector<Creates>>& migration_creates() {
  static const std::vector<std::vector<Creates>> all = [] {
    std::vector<std::vector<Creates>> out;
    for (const auto& m : kMigrations) {
      auto& creates = out.emplace_back();
      for (const auto& st : statements(m.sql))
        if (auto c = what_it_creates(st)) creates.push_back(std::move(*c));
    }
    return out;
  }();
  return all;
}

// Whether every table, index and column that migrations 0..v-1 create is in the database (a database left
// between versions, e.g. by a race of older programs, has a user_version that says less or more than it holds).
// Every open asks: one read of sqlite_master's names, and the columns of the tables that migrations add
// columns to, instead of a query per object.
bool schema_complete_upto(Db& db, int v) {
  std::set<std::string, std::less<>> names;
  {
    Stmt s(db.handle(), "SELECT name FROM sqlite_master");
    while (s.step()) names.insert(s.text(0));
  }
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> columns;  // read when first needed
  const auto has_column = [&](const std::string& table, const std::string& column) {
    auto it = columns.find(table);
    if (it == columns.end()) {
      it = columns.emplace(table, std::set<std::string, std::less<>>()).first;
      Stmt s(db.handle(), "SELECT name FROM pragma_table_info(?)");
      s.bind(1, table);
      while (s.step()) it->second.insert(s.text(0));
    }
    return it->second.count(column) > 0;
  };
  const auto& all = migration_creates();
  for (int i = 0; i < v && i < kNumMigrations; ++i)
    for (const Creates& c : all[static_cast<size_t>(i)])
      if (c.column.empty() ? names.count(c.object) == 0 : !has_column(c.object, c.column)) return false;
  return true;
}
bool schema_complete(Db& db) { return schema_complete_upto(db, kNumMigrations); }

// Applies a migration idempotently: each CREATE whose object exists and each ADD COLUMN whose column exists is
// skipped, so replaying a step that a database already holds (in part or whole) brings it to the schema instead
// of failing with "table ... already exists".
// An index of an earlier schema whose table has since become a view (migration 6's natural_fluxes_query,
// on the natural_fluxes of migration 10) is left to the later migration, which creates it on the new table.
bool is_view(Db& db, const std::string& name) {
  Stmt s(db.handle(), "SELECT count(*) FROM sqlite_master WHERE name = ? AND type = 'view'");
  s.bind(1, name);
  return s.step() && s.integer(0) > 0;
}
void apply_idempotent(Db& db, const Migration& m) {
  for (const auto& st : statements(m.sql)) {
    if (const auto c = what_it_creates(st); c && (holds(db, *c) || (!c->on.empty() && is_view(db, c->on)))) continue;
    db.exec(st);
  }
  if (m.after) m.after(db);
}

// ---- the process of a run ----

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// The start time of process `pid` (Linux: boot time + field 22 of /proc/PID/stat) as UTC seconds with two
// decimals, or "" where it cannot be read. The same process always gives the same text; a new process that
// reuses the pid gives another.
std::string process_start(long long pid) {
  std::ifstream st(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!st || !std::getline(st, line)) return "";
  const auto close = line.rfind(')');
  if (close == std::string::npos) return "";
  std::stringstream fields(line.substr(close + 2));  // from field 3 (state) on
  std::string f;
  unsigned long long ticks = 0;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22) ticks = std::strtoull(f.c_str(), nullptr, 10);
  if (ticks == 0) return "";
  std::ifstream stat("/proc/stat");
  unsigned long long btime = 0;
  for (std::string key; stat >> key;) {
    if (key == "btime") {
      stat >> btime;
      break;
    }
    std::getline(stat, key);
  }
  const long hz = sysconf(_SC_CLK_TCK);
  if (btime == 0 || hz <= 0) return "";
  const unsigned long long centis = btime * 100 + ticks * 100 / static_cast<unsigned long long>(hz);
  return fmt::format("{}.{:02}", centis / 100, centis % 100);
}

// Whether a `running` run's process is gone: no pid recorded (an older panocarbon), or on this host a pid that
// no longer exists or now belongs to another process. Runs of other hosts are never called gone.
bool process_gone(bool has_pid, long long pid, const std::string& host, const std::string& start) {
  if (!has_pid) return true;
  if (host != host_name()) return false;
  if (pid <= 0) return true;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
  const std::string now = process_start(pid);
  return !start.empty() && !now.empty() && now != start;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }


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
  Impl(const std::filesystem::path& p, std::string read_only) : path(p), db(p.string(), std::move(read_only)) {}

  // The connection's PRAGMA synchronous as opened (2 = FULL: every commit syncs the write-ahead log), and
  // whether the writes of a begun run commit without that sync (run_sync). Between begin_run and finish_run a
  // run's data commits (its rows, its results) skip the sync: finish_run's commit, made with the sync again,
  // makes them durable with it, since syncing the log syncs every frame before its own. What a power cut in
  // between loses is the data of a run that was never finished (left `running`, found abandoned); the log
  // stays consistent (its frames are checksummed; SQLite's synchronous=NORMAL guarantee), and a process that
  // is killed loses nothing (the frames are in the operating system's cache).
  int sync_default = -1;
  bool run_sync_relaxed = false;
  void run_sync(bool relaxed) {
    if (relaxed == run_sync_relaxed || sync_default < 2 || !db.read_only().empty()) return;
    db.exec(relaxed ? "PRAGMA synchronous=NORMAL" : fmt::format("PRAGMA synchronous={}", sync_default));
    run_sync_relaxed = relaxed;
  }

  // A run's end (and its inputs, when given) in one commit, made with the sync: the run's data with it.
  void finish_run(int64_t run_id, std::string_view status, const nlohmann::json& summary,
                  const nlohmann::json* inputs) {
    if (!parallel::is_root()) return;
    run_sync(false);
    Transaction t(db);
    Stmt s(db.handle(), fmt::format("UPDATE runs SET {}finished_at = {}, status = ?, summary = ? WHERE id = ?",
                                    inputs ? "inputs = ?, " : "", kNow));
    int i = 1;
    if (inputs) s.bind(i++, dump(*inputs));
    s.bind(i, status).bind(i + 1, dump(summary)).bind(i + 2, static_cast<long long>(run_id)).run();
    t.commit();
  }

  int user_version() {
    Stmt s(db.handle(), "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
  }

  void refuse_newer(int v) {
    if (v > Store::kSchemaVersion)
      throw Error(ErrorCategory::Database,
                  fmt::format("the database has schema version {} but this panocarbon knows up to {}; use a newer "
                              "panocarbon or another --db",
                              v, Store::kSchemaVersion),
                  ErrorContext{path.string()});
  }

  // Brings the schema to kSchemaVersion. Processes that open a new database at once are serialised: the
  // migration runs in one exclusive transaction that re-reads user_version inside it, so the second process
  // finds the work done; the DDL and the new user_version commit together. A database left between versions
  // (user_version behind the tables it holds, or tables missing) is repaired by replaying every step
  // idempotently.
  void migrate() {
    const int found = user_version();
    refuse_newer(found);
    if (found == Store::kSchemaVersion && schema_complete(db)) return;
    if (!db.read_only().empty())
      throw Error(ErrorCategory::Database,
                  fmt::format("the database needs an upgrade to schema version {} (it has {}) but it was opened "
                              "read-only because {}; make it writable and run `panocarbon db init --db {}` once, or "
                              "choose another database with --db",
                              Store::kSchemaVersion, user_version(), db.read_only(), path.string()),
                  ErrorContext{path.string()});
    Transaction t(db, Transaction::Exclusive);
    int v = user_version();  // again, under the lock: another process may have migrated meanwhile
    refuse_newer(v);
    if (v == Store::kSchemaVersion && schema_complete(db)) return;  // rolls back the empty transaction
    const bool complete_upto_v = schema_complete_upto(db, v);
    for (int i = complete_upto_v ? v : 0; i < Store::kSchemaVersion; ++i)
      if (!already_applied(db, kMigrations[i])) apply_idempotent(db, kMigrations[i]);
    db.exec(fmt::format("PRAGMA user_version = {}", Store::kSchemaVersion));
    t.commit();
  }

  // Loads each built-in dataset whose content hash differs from the stored one (first run, or a new
  // release of the data), replacing its rows in one transaction.
  // A read-only database keeps the datasets it has. Two processes that find a dataset stale load it once: the
  // hash is read again inside the write transaction.
  void refresh_builtin() {
    for (const auto& ds : builtin_datasets()) {
      std::string content;
      for (const char* f : ds.files) content += detail::embedded_file(f);
      const std::string sha = sha256_hex(content);
      auto current = [&] {
        Stmt s(db.handle(), "SELECT content_sha256 FROM datasets WHERE name = ?");
        s.bind(1, ds.name);
        return s.step() && s.text(0) == sha;
      };
      if (current() || !db.read_only().empty()) continue;
      Transaction t(db);
      if (current()) continue;
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
  if (path.empty())
    throw Error(ErrorCategory::InvalidInput,
                "the database path is empty; give a file with --db FILE (or leave --db out for the default "
                "location; :memory: for a temporary database)",
                ErrorContext{{}, 0, 0, "db"});
  if (path != ":memory:" && path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      throw Error(ErrorCategory::Io, fmt::format("cannot create the folder {} ({})", path.parent_path().string(), ec.message()),
                  ErrorContext{path.string()});
  }
  // An existing database whose file or folder this process cannot write is opened read-only: commands that
  // only read work, a write says why it cannot.
  std::string read_only;
  if (path != ":memory:") {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
      if (access(path.c_str(), W_OK) != 0)
        read_only = fmt::format("the file {} is not writable", path.string());
      else if (access(folder.c_str(), W_OK) != 0)
        read_only = fmt::format("its folder {} is not writable", folder.string());
    }
  }
  auto impl = std::make_unique<Impl>(path, read_only);
  {
    // A file that is not SQLite fails here, before anything is written to it.
    Stmt check(impl->db.handle(), "SELECT count(*) FROM sqlite_master");
    const int rc = sqlite3_step(check.raw());
    if (rc == SQLITE_NOTADB)
      throw Error(ErrorCategory::Database,
                  fmt::format("this file is not a panocarbon (SQLite) database ({}); choose another path with --db",
                              sqlite3_errmsg(impl->db.handle())),
                  ErrorContext{path.string()});
    if (rc != SQLITE_ROW) store::throw_db_error(impl->db.handle(), rc, "cannot read the database");
  }
  if (path != ":memory:" && read_only.empty()) {
    // A new database gets 16 KiB pages (SQLite's default is 4 KiB): bulk writes (an LCA import's ~38,000 rows, a
    // GFED year's ~14,000) touch a quarter as many pages. SQLite applies the pragma only to a file that has no
    // pages yet, and never to one already in WAL mode: an existing store keeps its page size.
    impl->db.exec("PRAGMA page_size=16384");
    // Switching to WAL takes an exclusive lock, and SQLite does not always wait for it through the busy handler
    // (it returns SQLITE_BUSY at once while another process is creating the same new database): retry for as
    // long as the busy timeout.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(store::kBusyTimeoutMs);
    for (;;) {
      const int rc = sqlite3_exec(impl->db.handle(), "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) break;
      const int primary = rc & 0xff;
      if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline)
        store::throw_db_error(impl->db.handle(), rc, "cannot switch the database to its WAL journal");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  impl->db.exec("PRAGMA foreign_keys=ON");
  // Large inserts (a GFED year is ~14,000 natural_fluxes rows) would spill the default 2 MB page cache to the
  // WAL page by page mid-transaction; SQLite allocates the cache only as it is used.
  impl->db.exec("PRAGMA cache_size=-65536");
  if (path != ":memory:") {
    Stmt sync(impl->db.handle(), "PRAGMA synchronous");
    if (sync.step()) impl->sync_default = static_cast<int>(sync.integer(0));
  }
  impl->migrate();
  impl->refresh_builtin();
  return Store(std::move(impl));
}

bool Store::read_only() const { return !impl_->db.read_only().empty(); }


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
  nlohmann::json by_status = nlohmann::json::object();
  {
    Stmt st(impl_->db.handle(), "SELECT status, count(*) FROM runs GROUP BY status ORDER BY status");
    while (st.step()) by_status[st.text(0)] = st.integer(1);
  }
  const auto abandoned = abandoned_runs();
  if (!abandoned.empty()) {
    by_status["abandoned"] = static_cast<long long>(abandoned.size());
    const long long running = by_status.value("running", 0LL) - static_cast<long long>(abandoned.size());
    if (running > 0) by_status["running"] = running;
    else by_status.erase("running");
  }
  j["runs_by_status"] = by_status;
  j["abandoned_runs"] = abandoned.size();
  if (!impl_->db.read_only().empty()) j["read_only"] = impl_->db.read_only();
  return j;
}

std::vector<int64_t> Store::abandoned_runs() const {
  Stmt s(impl_->db.handle(),
         "SELECT id, pid IS NOT NULL, coalesce(pid, 0), coalesce(host, ''), coalesce(process_start, '') FROM runs "
         "WHERE status = 'running' ORDER BY id");
  std::vector<int64_t> out;
  while (s.step())
    if (process_gone(s.integer(1) != 0, s.integer(2), s.text(3), s.text(4))) out.push_back(s.integer(0));
  return out;
}

nlohmann::json Store::repair() {
  nlohmann::json j = {{"path", impl_->path.string()}, {"schema_version", schema_version()}};
  std::string integrity;
  {
    Stmt s(impl_->db.handle(), "PRAGMA integrity_check");
    while (s.step()) integrity += (integrity.empty() ? "" : "; ") + s.text(0);
  }
  j["integrity_check"] = integrity;
  if (integrity != "ok")
    throw Error(ErrorCategory::Database,
                fmt::format("the database is damaged (integrity_check: {}); restore a copy, or save what is readable "
                            "with `sqlite3 {} .recover | sqlite3 NEW.db` and use NEW.db with --db",
                            integrity.substr(0, 400), impl_->path.string()),
                ErrorContext{impl_->path.string()});
  auto marked = nlohmann::json::array();
  Transaction t(impl_->db);  // under the write lock, so that no run finishes between the check and the update
  Stmt s(impl_->db.handle(),
         "SELECT id, pid IS NOT NULL, coalesce(pid, 0), coalesce(host, ''), coalesce(process_start, '') FROM runs "
         "WHERE status = 'running' ORDER BY id");
  Stmt upd(impl_->db.handle(),
           fmt::format("UPDATE runs SET status = 'failed', finished_at = {}, summary = ? WHERE id = ?", kNow));
  std::vector<std::pair<int64_t, std::string>> gone;
  while (s.step())
    if (process_gone(s.integer(1) != 0, s.integer(2), s.text(3), s.text(4)))
      gone.emplace_back(s.integer(0), s.integer(1) ? fmt::format("pid {} on {}", s.integer(2), s.text(3))
                                                    : std::string("not recorded: an older panocarbon"));
  for (const auto& [id, proc] : gone) {
    upd.bind(1, dump({{"error", fmt::format("abandoned: its process ({}) ended without finishing the run (killed or "
                                            "crashed); marked failed by db repair", proc)}}))
        .bind(2, static_cast<long long>(id)).run();
    marked.push_back(id);
  }
  t.commit();
  j["runs_marked_failed"] = marked;
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
  impl_->run_sync(false);  // the start of a run is durable at once (an earlier run left unfinished)
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(),
         fmt::format("INSERT INTO runs(command, inputs, params, version, started_at, status, pid, host, process_start) "
                     "VALUES(?,?,?,?,{},'running',?,?,?)",
                     kNow));
  const long long pid = getpid();
  s.bind(1, command).bind(2, dump(inputs)).bind(3, dump(params)).bind(4, version()).bind(5, pid).bind(6, host_name())
      .bind(7, process_start(pid)).run();
  const int64_t id = sqlite3_last_insert_rowid(impl_->db.handle());
  t.commit();
  impl_->run_sync(true);  // the run's data: durable with finish_run
  return id;
}

void Store::finish_run(int64_t run_id, std::string_view status, const nlohmann::json& summary) {
  impl_->finish_run(run_id, status, summary, nullptr);
}

void Store::finish_run(int64_t run_id, std::string_view status, const nlohmann::json& summary,
                       const nlohmann::json& inputs) {
  impl_->finish_run(run_id, status, summary, &inputs);
}

void Store::save_results(int64_t run_id, const std::vector<ResultRecord>& results) {
  if (!parallel::is_root()) return;
  Transaction t(impl_->db);
  Stmt s(impl_->db.handle(), "INSERT INTO results(run_id, key, gas, value, unit) VALUES(?,?,?,?,?)");
  for (const auto& r : results) check_finite("results", "value", fmt::format("run {}", run_id), r.value, r.key + " " + r.gas);
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

std::vector<RunRecord> Store::recent_runs(int limit) const {
  Stmt s(impl_->db.handle(),
         "SELECT id, command, started_at, coalesce(finished_at,''), status, version, inputs, params, coalesce(summary,'null'), "
         "pid IS NOT NULL, coalesce(pid, 0), coalesce(host, ''), coalesce(process_start, '') FROM runs ORDER BY id DESC LIMIT ?");
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
    r.pid = s.integer(10);
    r.host = s.text(11);
    if (r.status == "running" && process_gone(s.integer(9) != 0, r.pid, r.host, s.text(12))) r.status = "abandoned";
    out.push_back(std::move(r));
  }
  return out;
}


store::Db& Store::sql() const { return impl_->db; }

void check_finite(std::string_view table, std::string_view field, std::string_view owner, double v,
                  std::string_view row, bool nan_allowed) {
  if (std::isfinite(v) || (nan_allowed && std::isnan(v))) return;
  throw Error(ErrorCategory::Data,
              fmt::format("refused to store {} as {}.{} of {} ({}): the value is not a finite number, so nothing of "
                          "it was written to {}; check the input values (too large, or a division by zero), and "
                          "report it if they are sound",
                          v, table, field, owner, row, table),
              ErrorContext{{}, 0, 0, std::string(field)});
}

}  // namespace panocarbon
