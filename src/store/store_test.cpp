#include "panocarbon/store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <cmath>
#include <limits>
#include <vector>

#include "panocarbon/error.hpp"
#include "store/sqlite.hpp"

using namespace panocarbon;

namespace panocarbon {
struct StoreTestAccess {
  static store::Db& sql(const Store& s) { return s.sql(); }
};
}  // namespace panocarbon

namespace {
// The test databases, removed with their -wal and -shm files when the test program ends.
struct TempDbs {
  std::vector<std::filesystem::path> paths;
  static void remove(const std::filesystem::path& p) {
    std::error_code ec;
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + ext, ec);
  }
  ~TempDbs() {
    for (const auto& p : paths) remove(p);
  }
};

std::filesystem::path temp_db(const char* name) {
  static TempDbs made;
  auto p = std::filesystem::temp_directory_path() / (std::string("pc-store-test-") + name + "-" + std::to_string(getpid()) + ".db");
  TempDbs::remove(p);
  made.paths.push_back(p);
  return p;
}

int page_size(const Store& s) {
  store::Stmt st(StoreTestAccess::sql(s).handle(), "PRAGMA page_size");
  return st.step() ? static_cast<int>(st.integer(0)) : -1;
}
}  // namespace

TEST(Store, NewStoresGetSixteenKibPagesAndOldOnesKeepTheirs) {
  const auto fresh = temp_db("pages-new");
  { EXPECT_EQ(page_size(Store::open(fresh)), 16384); }
  EXPECT_EQ(page_size(Store::open(fresh)), 16384);  // reopened: the same
  // a store made with SQLite's default 4 KiB pages (by an earlier version) keeps them
  const auto old = temp_db("pages-old");
  {
    store::Db raw(old.string());
    raw.exec("PRAGMA page_size=4096");
    raw.exec("PRAGMA journal_mode=WAL");
    raw.exec("CREATE TABLE t(x)");
    raw.exec("DROP TABLE t");
  }
  Store s = Store::open(old);
  EXPECT_EQ(page_size(s), 4096);
  EXPECT_EQ(s.info()["counts"]["datasets"], 3);  // migrated to the current schema all the same
}

TEST(Store, LibraryRoundTripsThroughTheDatabase) {
  Store s = Store::open(":memory:");
  EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
  const FactorLibrary db = s.load_factor_library();
  const FactorLibrary& built = FactorLibrary::builtin();
  ASSERT_EQ(db.factors().size(), built.factors().size());
  ASSERT_EQ(db.fuels().size(), built.fuels().size());
  for (size_t i = 0; i < built.factors().size(); ++i) {
    const auto& a = built.factors()[i];
    const auto* b = db.find_factor(a.id);
    ASSERT_NE(b, nullptr) << a.id;
    EXPECT_EQ(a.value, b->value) << a.id;
    EXPECT_EQ(a.category, b->category);
    EXPECT_EQ(a.technology, b->technology);
    EXPECT_EQ(a.is_default, b->is_default);
    EXPECT_EQ(std::isnan(a.lower), std::isnan(b->lower));
    EXPECT_EQ(a.citation.text(), b->citation.text());
  }
  for (const auto& f : built.fuels()) {
    const Fuel* g = db.find_fuel(f.name);
    ASSERT_NE(g, nullptr) << f.name;
    EXPECT_EQ(f.aliases, g->aliases);
    EXPECT_EQ(f.biomass, g->biomass);
    EXPECT_TRUE(f.ncv_tj_per_gg == g->ncv_tj_per_gg || (std::isnan(f.ncv_tj_per_gg) && std::isnan(g->ncv_tj_per_gg)));
  }
}

TEST(Store, ReopeningDoesNotReloadUnchangedData) {
  const auto path = temp_db("reopen");
  std::string first;
  {
    Store s = Store::open(path);
    first = s.info()["datasets"][0]["imported_at"];
  }
  Store s = Store::open(path);
  EXPECT_EQ(s.info()["datasets"][0]["imported_at"], first);
  EXPECT_EQ(s.info()["counts"]["datasets"], 3);
}

TEST(Store, RunLogAndResults) {
  Store s = Store::open(":memory:");
  const int64_t id = s.begin_run("inventory calc", {{{"path", "x.csv"}, {"sha256", "ab"}}}, {{"gwp", "AR6"}});
  s.save_results(id, {{"total", "CO2e", 12.5, "t"}, {"1.A", "CO2e", 12.5, "t"}});
  s.finish_run(id, "ok", {{"total_co2e_t", 12.5}});
  const auto runs = s.recent_runs(5);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "ok");
  EXPECT_EQ(runs[0].params["gwp"], "AR6");
  EXPECT_EQ(runs[0].version, PANOCARBON_VERSION);
  EXPECT_FALSE(runs[0].finished_at.empty());
  const auto res = s.results(id);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].value, 12.5);
}

// An interrupted write (here: an exception in the middle of a transaction) leaves the database as it was.
TEST(Store, InterruptedWriteRollsBack) {
  const auto path = temp_db("rollback");
  { Store::open(path); }
  store::Db db(path.string());
  auto count = [&] {
    store::Stmt c(db.handle(), "SELECT count(*) FROM emission_factors");
    c.step();
    return c.integer(0);
  };
  const long long before = count();
  try {
    store::Transaction t(db);
    db.exec("DELETE FROM emission_factors");
    EXPECT_EQ(count(), 0);
    throw std::runtime_error("power cut");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(count(), before);
}

TEST(Store, SearchFindsFactorsByAliasAndSubcategoryWords) {
  Store s = Store::open(":memory:");
  const auto hits = s.search("diesel trucks", 10);
  ASSERT_FALSE(hits.empty());
  bool road_diesel = false;
  for (const auto& h : hits) road_diesel |= h.kind == "factor" && h.id.find("t3_2_") != std::string::npos &&
                                            h.id.find("gas_diesel_oil") != std::string::npos;
  EXPECT_TRUE(road_diesel);
  EXPECT_THROW(s.search("  ", 10), Error);
}

TEST(Store, DefaultPathRule) {
  setenv("PANOCARBON_DB", "/x/y.db", 1);
  EXPECT_EQ(Store::default_path(), "/x/y.db");
  unsetenv("PANOCARBON_DB");
  setenv("XDG_DATA_HOME", "/data", 1);
  EXPECT_EQ(Store::default_path(), "/data/panocarbon/panocarbon.db");
  unsetenv("XDG_DATA_HOME");
}

// A database written by the released schema 2 (no year column) and one written by a development build that
// had the column in migration 2 both upgrade to the current schema and accept a system with its year.
TEST(Store, SchemaTwoDatabasesUpgradeWithOrWithoutTheYearColumn) {
  for (bool dev_build : {false, true}) {
    const auto path = temp_db(dev_build ? "v2dev" : "v2");
    { Store s = Store::open(path); }
    {
      store::Db db(path.string());
      // back to what schema 2 created (later migrations' tables removed)
      db.exec("DROP TABLE lca_systems; DROP TABLE lca_exchanges; DROP TABLE lca_processes; DROP TABLE lca_flows; DROP TABLE lca_databases; "
              "DROP TABLE lca_methods; DROP TABLE lca_search; DROP VIEW natural_fluxes; DROP TABLE natural_flux_values; "
              "DROP TABLE natural_methods");
      if (!dev_build)
        db.exec("ALTER TABLE mrio_systems DROP COLUMN year");
      db.exec("PRAGMA user_version = 2");
    }
    Store s = Store::open(path);
    EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
    MrioSystemRecord r;
    r.name = "wiod";
    r.format = "pymrio";
    r.source = "/x";
    r.fingerprint = "f";
    r.regions = 1;
    r.year = 2009;
    const int64_t id = s.save_mrio_system(r);
    const int64_t run = s.begin_run("mrio accounts", nlohmann::json::array(), nlohmann::json::object());
    MrioAccountRecord a;
    a.extension = "e";
    a.stressor = "CO2";
    a.region = "AUS";
    s.save_mrio_accounts(run, id, {a});
    const auto back = s.mrio_accounts("", "", "", 2009);
    ASSERT_EQ(back.size(), 1u) << dev_build;
    EXPECT_EQ(back[0].year, 2009);
  }
}

// ---- concurrency, schemas left between versions, run states, refused values, messages ----

namespace {
// Runs `body` in `n` forked processes started together; returns how many exited 0.
template <class F>
int in_processes(int n, F body) {
  std::vector<pid_t> kids;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      int rc = 1;
      try {
        rc = body(i) ? 0 : 1;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "process %d: %s\n", i, e.what());
      }
      std::fflush(stderr);
      _exit(rc);
    }
    kids.push_back(pid);
  }
  int ok = 0;
  for (const pid_t k : kids) {
    int status = 0;
    waitpid(k, &status, 0);
    ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return ok;
}

long long query_int(const std::filesystem::path& path, const char* sql) {
  store::Db db(path.string());
  store::Stmt s(db.handle(), sql);
  return s.step() ? s.integer(0) : -1;
}
}  // namespace

// The review's race: processes opening a database that does not exist yet used to fail with "table ...
// already exists" and could leave it at schema 3 with every table present. The migration is now one exclusive
// transaction that re-reads user_version under the lock.
TEST(Store, ManyProcessesOnAFreshPathAllSucceed) {
  for (int batch = 0; batch < 3; ++batch) {
    const auto path = temp_db("race");
    const int n = 16;
    const int ok = in_processes(n, [&](int) {
      Store s = Store::open(path);
      const int64_t id = s.begin_run("inventory calc", nlohmann::json::array(), nlohmann::json::object());
      s.save_results(id, {{"total", "CO2e", 1.5, "t"}});
      s.finish_run(id, "ok", {{"total_co2e_t", 1.5}});
      return s.schema_version() == Store::kSchemaVersion;
    });
    EXPECT_EQ(ok, n) << "batch " << batch;
    EXPECT_EQ(query_int(path, "PRAGMA user_version"), Store::kSchemaVersion);
    EXPECT_EQ(query_int(path, "SELECT count(*) FROM runs WHERE status = 'ok'"), n);
    EXPECT_EQ(query_int(path, "SELECT count(*) FROM datasets"), 3);
    store::Db db(path.string());
    store::Stmt ic(db.handle(), "PRAGMA integrity_check");
    ASSERT_TRUE(ic.step());
    EXPECT_EQ(ic.text(0), "ok");
  }
}

// What the race left behind (every table there, user_version 3), and a current user_version with a table
// missing: opening repairs both instead of failing for good.
TEST(Store, DatabaseLeftBetweenVersionsIsRepaired) {
  const auto path = temp_db("between");
  { Store::open(path); }
  { store::Db(path.string()).exec("PRAGMA user_version = 3"); }
  {
    Store s = Store::open(path);
    EXPECT_EQ(s.schema_version(), Store::kSchemaVersion);
  }
  { store::Db(path.string()).exec("DROP TABLE natural_flux_values; DROP INDEX results_run"); }
  {
    Store s = Store::open(path);
    s.save_natural_fluxes(s.begin_run("natural sinks", nlohmann::json::array(), nlohmann::json::object()),
                          {NaturalFluxRecord{}});
  }
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('natural_fluxes', 'results_run')"), 2);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM natural_fluxes"), 1);
}

TEST(Store, RunRecordsItsProcessAndAGoneProcessIsAbandoned) {
  const auto path = temp_db("abandoned");
  Store s = Store::open(path);
  const int64_t mine = s.begin_run("inventory calc", nlohmann::json::array(), nlohmann::json::object());
  EXPECT_EQ(query_int(path, "SELECT pid FROM runs WHERE id = 1"), getpid());
  const int64_t dead = s.begin_run("inventory calc", nlohmann::json::array(), nlohmann::json::object());
  const int64_t old = s.begin_run("inventory calc", nlohmann::json::array(), nlohmann::json::object());
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);  // a pid that has just ended
  {
    store::Db db(path.string());
    db.exec(fmt::format("UPDATE runs SET pid = {} WHERE id = {}", child, dead));
    db.exec(fmt::format("UPDATE runs SET pid = NULL, host = NULL WHERE id = {}", old));  // an older panocarbon
  }
  EXPECT_EQ(s.abandoned_runs(), (std::vector<int64_t>{dead, old}));
  const auto runs = s.recent_runs(10);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].status, "abandoned");
  EXPECT_EQ(runs[1].status, "abandoned");
  EXPECT_EQ(runs[2].status, "running");  // this process still runs it
  EXPECT_EQ(s.info()["abandoned_runs"], 2);
  const auto rep = s.repair();
  EXPECT_EQ(rep["integrity_check"], "ok");
  EXPECT_EQ(rep["runs_marked_failed"], nlohmann::json::array({dead, old}));
  EXPECT_TRUE(s.abandoned_runs().empty());
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM runs WHERE status = 'failed' AND summary LIKE '%abandoned%'"), 2);
  s.finish_run(mine, "ok", nlohmann::json::object());
  EXPECT_EQ(s.repair()["runs_marked_failed"], nlohmann::json::array());
}

TEST(Store, NonFiniteValuesAreRefusedBeforeSqlite) {
  Store s = Store::open(":memory:");
  const int64_t id = s.begin_run("inventory calc", nlohmann::json::array(), nlohmann::json::object());
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    try {
      s.save_results(id, {{"1.A", "CO2e", 1.0, "t"}, {"total", "CO2e", bad, "t"}});
      FAIL() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::Data);
      const std::string m = e.what();
      EXPECT_NE(m.find("results.value"), std::string::npos) << m;
      EXPECT_NE(m.find(fmt::format("run {}", id)), std::string::npos) << m;
      EXPECT_NE(m.find("total CO2e"), std::string::npos) << m;
    }
  }
  EXPECT_TRUE(s.results(id).empty());
  NaturalFluxRecord f;
  f.value = -std::numeric_limits<double>::infinity();
  EXPECT_THROW(s.save_natural_fluxes(id, {f}), Error);
  MrioAccountRecord a;
  a.consumption = std::numeric_limits<double>::infinity();
  try {
    s.save_mrio_accounts(id, 1, {a});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mrio_accounts.consumption"), std::string::npos) << e.what();
  }
}

TEST(Store, EmptyPathIsRefused) {
  try {
    Store::open("");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("--db"), std::string::npos);
  }
}

// Every database error names the file and says what to do (here a constraint, and a read-only file).
TEST(Store, DatabaseErrorsNameThePathAndWhatToDo) {
  const auto path = temp_db("messages");
  { Store::open(path); }
  store::Db db(path.string());
  try {
    store::Stmt s(db.handle(), "INSERT INTO results(run_id, key, gas, value, unit) VALUES(1, 'k', 'g', NULL, 't')");
    s.run();
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::Database);
    EXPECT_NE(m.find(path.string()), std::string::npos) << m;
    EXPECT_NE(m.find("NOT NULL"), std::string::npos) << m;
    EXPECT_NE(m.find("report"), std::string::npos) << m;
  }
  store::Db ro(path.string(), "its folder is not writable");
  try {
    ro.exec("DELETE FROM runs");
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path.string()), std::string::npos) << m;
    EXPECT_NE(m.find("read-only because its folder is not writable"), std::string::npos) << m;
    EXPECT_NE(m.find("--db"), std::string::npos) << m;
  }
  store::Stmt read(ro.handle(), "SELECT count(*) FROM emission_factors");
  ASSERT_TRUE(read.step());
  EXPECT_GT(read.integer(0), 600);
}

// Schema 10 (per-run text in natural_methods): a schema 9 database, its natural_fluxes table written by SQL as
// panocarbon 9 wrote it, upgrades with every row kept, in order, with the same text; the view natural_fluxes
// answers the old query; the text is stored once per run and distinct text.
TEST(Store, SchemaNineNaturalFluxesMoveToTheMethodTable) {
  const auto path = temp_db("v9");
  { Store s = Store::open(path); }
  {
    store::Db db(path.string());
    db.exec("DROP VIEW natural_fluxes; DROP TABLE natural_flux_values; DROP TABLE natural_methods");
    db.exec(
        "CREATE TABLE natural_fluxes(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, module TEXT NOT "
        "NULL, source TEXT NOT NULL, region TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL DEFAULT 0, "
        "species TEXT NOT NULL, value REAL NOT NULL, lower REAL, upper REAL, unit TEXT NOT NULL, origin TEXT NOT NULL, "
        "management TEXT NOT NULL DEFAULT '', method TEXT, note TEXT)");
    db.exec("CREATE INDEX natural_fluxes_query ON natural_fluxes(module, region, year, species)");
    db.exec(
        "INSERT INTO runs(id, command, version, started_at, status) VALUES (1, 'natural fire', '0', 'x', 'ok'), "
        "(2, 'natural sinks', '0', 'x', 'ok'), (3, 'natural fire', '0', 'x', 'ok')");
    db.exec(
        "INSERT INTO natural_fluxes VALUES "
        "(1, 'fire-gfed', 'a.hdf5', 'BONA', 2015, 1, 'CO2', 10.5, 9, 12, 't', 'natural', 'unmanaged', 'm1', 'n1'), "
        "(1, 'fire-gfed', 'a.hdf5', 'BONA', 2015, 1, 'CO2', 2.25, NULL, NULL, 't', 'direct anthropogenic', "
        "'managed', 'm2', NULL), "
        "(2, 'sinks', 'GCB', 'World', 2010, 0, 'CO2', -3e9, -4e9, -2e9, 't CO2', 'natural', '', 'GCB 2019', ''), "
        "(1, 'fire-gfed', 'a.hdf5', 'TENA', 2015, 2, 'CH4', 0.125, 0.1, 0.2, 't', 'natural', 'unmanaged', 'm1', "
        "'n1'), "
        "(3, 'fire-gfed', 'b.hdf5', 'AUST', 2016, 1, 'CO2', 7, 6, 8, 't', 'natural', 'unmanaged', 'm1', 'n1')");
    db.exec("PRAGMA user_version = 9");
  }
  const auto dump = [&] {
    store::Db db(path.string());
    store::Stmt s(db.handle(), "SELECT * FROM natural_fluxes");
    std::string out;
    while (s.step())
      for (int c = 0; c < 15; ++c) out += (s.is_null(c) ? std::string("NULL") : s.text(c)) + (c == 14 ? "\n" : "|");
    return out;
  };
  const std::string before = dump();
  Store s = Store::open(path);
  EXPECT_EQ(s.schema_version(), 10);
  EXPECT_EQ(dump(), before);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM natural_flux_values"), 5);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM natural_methods"), 4);  // run 1: two texts; runs 2 and 3: one each
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'natural_fluxes' AND type = 'view'"), 1);
  const auto all = s.natural_fluxes("", "", 0, true);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[1].origin, "direct anthropogenic");
  EXPECT_EQ(all[1].note, "");
  EXPECT_DOUBLE_EQ(all[1].value, 2.25);
  EXPECT_TRUE(std::isnan(all[1].lower));
  EXPECT_EQ(all[2].region, "TENA");  // run 1's rows first, in their order
  EXPECT_EQ(all[3].source, "GCB");
  EXPECT_EQ(all[4].source, "b.hdf5");
  // Latest run of each command: run 3 for natural fire, run 2 for natural sinks.
  const auto latest = s.natural_fluxes("", "", 0, false);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].run_id, 2);
  EXPECT_EQ(latest[1].run_id, 3);
  // New rows after the upgrade go to the same tables and read back alike.
  NaturalFluxRecord r;
  r.module = "fire-gfed";
  r.source = "b.hdf5";
  r.region = "EURO";
  r.year = 2016;
  r.species = "CO2";
  r.value = 1;
  r.method = "m1";
  r.note = "n1";
  const auto run = s.begin_run("natural fire", nlohmann::json::array(), nlohmann::json::object());
  s.save_natural_fluxes(run, {r, r, r});
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM natural_methods"), 5);
  EXPECT_EQ(s.natural_fluxes("fire-gfed", "EURO", 2016).size(), 3u);
  // Deleting a run deletes its fluxes and its text.
  { store::Db(path.string()).exec("PRAGMA foreign_keys=ON; DELETE FROM runs WHERE id = 1"); }
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM natural_fluxes WHERE run_id = 1"), 0);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM natural_methods WHERE run_id = 1"), 0);
}

// finish_run with the inputs: status, summary and inputs in one transaction. Between begin_run and finish_run
// the run's data commits without syncing the log (synchronous NORMAL); begin_run and finish_run commit with the
// connection's own setting (FULL), so finishing the run makes its data durable with it.
TEST(Store, FinishRunWithInputsAndTheRunsDataDurableWithIt) {
  const auto path = temp_db("finish");
  {
    Store s = Store::open(path);
    const auto sync = [&] {
      store::Stmt st(StoreTestAccess::sql(s).handle(), "PRAGMA synchronous");
      st.step();
      return st.integer(0);
    };
    const long long full = sync();
    EXPECT_EQ(full, 2);  // FULL: every commit syncs the write-ahead log
    const int64_t id = s.begin_run("natural fire", nlohmann::json::array(), {{"year", 2015}});
    EXPECT_EQ(sync(), 1);  // the run's data: NORMAL
    s.save_results(id, {{"total", "CO2e", 1.5, "t"}});
    s.finish_run(id, "ok", {{"rows", 1}}, nlohmann::json::array({{{"path", "x.hdf5"}, {"bytes", 3}}}));
    EXPECT_EQ(sync(), full);
    const auto runs = s.recent_runs(1);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "ok");
    EXPECT_EQ(runs[0].summary["rows"], 1);
    EXPECT_EQ(runs[0].inputs[0]["path"], "x.hdf5");
    // A run left unfinished does not leave the next run's start unsynced.
    s.begin_run("natural fire", nlohmann::json::array(), nlohmann::json::object());
    EXPECT_EQ(sync(), 1);
    const int64_t next = s.begin_run("natural fire", nlohmann::json::array(), nlohmann::json::object());
    s.finish_run(next, "failed", {{"error", "x"}}, nlohmann::json::array());
    EXPECT_EQ(sync(), full);
    EXPECT_EQ(s.recent_runs(1)[0].status, "failed");
  }
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + ext);
}
