#include "panocarbon/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "panocarbon/error.hpp"
#include "store/sqlite.hpp"

using namespace panocarbon;

namespace {
std::filesystem::path temp_db(const char* name) {
  auto p = std::filesystem::temp_directory_path() / (std::string("pc-store-test-") + name + ".db");
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + ext);
  return p;
}
}  // namespace

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
              "DROP TABLE lca_methods; DROP TABLE lca_search; DROP TABLE natural_fluxes");
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
