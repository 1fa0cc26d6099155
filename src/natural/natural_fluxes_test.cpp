// The natural side's table (migration 6): records round-trip, NULL ranges read back as NaN, queries filter.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "panocarbon/error.hpp"
#include "panocarbon/store.hpp"
#include "store/sqlite.hpp"

using namespace panocarbon;

namespace panocarbon {
struct StoreTestAccess {
  static store::Db& sql(const Store& s) { return s.sql(); }
};
}  // namespace panocarbon

TEST(NaturalFluxes, RoundTripAndFilters) {
  Store s = Store::open(":memory:");
  const int64_t run = s.begin_run("natural fire", nlohmann::json::object(), nlohmann::json::object());
  NaturalFluxRecord a;
  a.module = "fire-gfed";
  a.source = "x.hdf5";
  a.region = "BONA";
  a.year = 2010;
  a.month = 7;
  a.species = "CO2";
  a.value = 12.5;
  a.lower = 10;
  a.upper = 15;
  NaturalFluxRecord b = a;
  b.region = "AUST";
  b.lower = b.upper = std::nan("");
  b.management = "unmanaged";
  s.save_natural_fluxes(run, {a, b});
  s.finish_run(run, "ok", nlohmann::json::object());
  const auto all = s.natural_fluxes("", "", 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].run_id, run);
  EXPECT_EQ(all[0].region, "BONA");
  EXPECT_DOUBLE_EQ(all[0].lower, 10);
  EXPECT_TRUE(std::isnan(all[1].lower));
  EXPECT_EQ(all[1].management, "unmanaged");
  EXPECT_EQ(s.natural_fluxes("fire-gfed", "AUST", 2010).size(), 1u);
  EXPECT_TRUE(s.natural_fluxes("fire-gfed", "", 2011).empty());
  EXPECT_TRUE(s.natural_fluxes("methane", "", 0).empty());
}

namespace {
NaturalFluxRecord rec(const std::string& module, const std::string& region, int year, double value) {
  NaturalFluxRecord r;
  r.module = module;
  r.source = "t.csv";
  r.region = region;
  r.year = year;
  r.species = "CO2";
  r.value = value;
  r.unit = "t CO2";
  return r;
}
}  // namespace

// natural_fluxes(module, region, year, all_runs): the latest run of each command among the runs with matching
// fluxes, so that a newer `natural afolu` replaces the forest and fire fluxes of an older one; all_runs: every run.
TEST(NaturalFluxes, LatestRunOfEachCommandAndAllRuns) {
  Store s = Store::open(":memory:");
  auto save = [&](const std::string& command, std::vector<NaturalFluxRecord> rows) {
    const int64_t run = s.begin_run(command, nlohmann::json::object(), nlohmann::json::object());
    s.save_natural_fluxes(run, rows);
    s.finish_run(run, "ok", nlohmann::json::object());
    return run;
  };
  const int64_t a1 = save("natural afolu", {rec("forest", "FRA", 2020, 1), rec("afolu-fire", "FRA", 2020, 2)});
  const int64_t a2 = save("natural afolu", {rec("forest", "FRA", 2020, 10)});  // no fire rows this time
  const int64_t a3 = save("natural afolu", {rec("forest", "DEU", 2020, 100)});
  const int64_t t1 = save("natural fire-tier1", {rec("fire-tier1", "FRA", 2020, 1000)});
  // no filter: the latest afolu run (DEU) and the fire-tier1 run
  auto all = s.natural_fluxes("", "", 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].run_id, a3);
  EXPECT_EQ(all[1].run_id, t1);
  // FRA: the latest afolu run with FRA fluxes is a2 (its forest row only, not a1's fire row)
  auto fra = s.natural_fluxes("", "FRA", 2020);
  ASSERT_EQ(fra.size(), 2u);
  EXPECT_EQ(fra[0].run_id, a2);
  EXPECT_DOUBLE_EQ(fra[0].value, 10);
  EXPECT_EQ(fra[1].module, "fire-tier1");
  // every run
  EXPECT_EQ(s.natural_fluxes("", "FRA", 0, true).size(), 4u);
  EXPECT_EQ(s.natural_fluxes("", "", 0, true).size(), 5u);
  EXPECT_EQ(s.natural_fluxes("afolu-fire", "", 0, true).front().run_id, a1);
  // module filter with latest: afolu-fire only in a1
  EXPECT_EQ(s.natural_fluxes("afolu-fire", "", 0).size(), 1u);
  EXPECT_TRUE(s.natural_fluxes("", "FRA", 2019).empty());
  EXPECT_TRUE(s.natural_fluxes("", "ITA", 0, true).empty());
}

// The compact form (NaturalFluxBatch) stores what the equal records store: the same rows in the same order and
// one natural_methods row per distinct text (equal texts at two indices share it); a row whose text index is
// out of range is refused before anything is written.
TEST(NaturalFluxes, BatchStoresWhatTheEqualRecordsStore) {
  NaturalFluxText t1;
  t1.module = "fire-gfed";
  t1.source = "x.hdf5";
  t1.management = "unmanaged";
  t1.method = "GFED4.1s";
  t1.note = "95 % range";
  NaturalFluxText t2 = t1;
  t2.origin = "direct anthropogenic";
  t2.management = "managed";
  const std::vector<std::string> regions = {"BONA", "AUST"}, species = {"CO2", "CH4"};
  NaturalFluxBatch batch;
  batch.texts = {t1, t2, t1};  // the third equals the first
  std::vector<NaturalFluxRecord> records;
  const uint32_t texts[] = {1, 0, 2, 1, 0};
  for (int i = 0; i < 5; ++i) {
    NaturalFluxRow x;
    x.text = texts[i];
    x.year = 2015;
    x.month = i + 1;
    x.region = regions[static_cast<size_t>(i) % 2];
    x.species = species[static_cast<size_t>(i) / 3];
    x.value = 1.5 * i + 1;
    if (i != 3) {
      x.lower = x.value * 0.5;
      x.upper = x.value * 2;
    }
    batch.rows.push_back(x);
    records.push_back(batch.record(batch.rows.size() - 1));
  }
  const auto stored = [](auto save) {
    Store s = Store::open(":memory:");
    const int64_t run = s.begin_run("natural fire", nlohmann::json::object(), nlohmann::json::object());
    save(s, run);
    s.finish_run(run, "ok", nlohmann::json::object());
    std::vector<std::string> out;
    for (const char* q : {"SELECT id, run_id, module, source, unit, origin, management, method, note FROM "
                          "natural_methods ORDER BY id",
                          "SELECT rowid, run_id, method_id, region, year, month, species, value, lower, upper FROM "
                          "natural_flux_values ORDER BY rowid"}) {
      store::Stmt st(StoreTestAccess::sql(s).handle(), q);
      while (st.step()) {
        std::string line;
        for (int c = 0; c < sqlite3_column_count(st.raw()); ++c) line += (st.is_null(c) ? "NULL" : st.text(c)) + "|";
        out.push_back(line);
      }
    }
    return out;
  };
  const auto from_batch = stored([&](Store& s, int64_t run) { s.save_natural_fluxes(run, batch); });
  const auto from_records = stored([&](Store& s, int64_t run) { s.save_natural_fluxes(run, records); });
  EXPECT_EQ(from_batch, from_records);
  ASSERT_EQ(from_batch.size(), 2u + 5u);  // two distinct texts, five rows
  EXPECT_EQ(from_batch[0].substr(0, 4), "1|1|");

  Store s = Store::open(":memory:");
  const int64_t run = s.begin_run("natural fire", nlohmann::json::object(), nlohmann::json::object());
  NaturalFluxBatch bad = batch;
  bad.rows[4].text = 3;
  try {
    s.save_natural_fluxes(run, bad);
    FAIL() << "a row with text 3 of 3 was stored";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Internal);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("refers to text 3 of 3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("run " + std::to_string(run)), std::string::npos) << msg;
  }
  bad.rows[4].text = 0;
  bad.rows[2].upper = std::numeric_limits<double>::infinity();
  EXPECT_THROW(s.save_natural_fluxes(run, bad), Error);
  EXPECT_TRUE(s.natural_fluxes("", "", 0, true).empty());
}

// The insert checks the run itself (SQLite's per-row foreign-key check is off while it inserts): fluxes of a
// run that is not in the run log are refused with a message naming it, nothing is written, and the
// connection's foreign keys are on again afterwards.
TEST(NaturalFluxes, FluxesOfARunThatIsNotLoggedAreRefused) {
  Store s = Store::open(":memory:");
  NaturalFluxRecord a;
  a.module = "fire-gfed";
  a.source = "x.hdf5";
  a.region = "BONA";
  a.year = 2015;
  a.species = "CO2";
  a.value = 1;
  const auto keys_on = [&] {
    store::Stmt st(StoreTestAccess::sql(s).handle(), "PRAGMA foreign_keys");
    return st.step() && st.integer(0) == 1;
  };
  try {
    s.save_natural_fluxes(4242, {a});
    FAIL() << "stored under a run that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Database);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("the run log has no run 4242"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nothing was written"), std::string::npos) << msg;
  }
  EXPECT_TRUE(keys_on());
  EXPECT_TRUE(s.natural_fluxes("", "", 0, true).empty());
  const int64_t run = s.begin_run("natural fire", nlohmann::json::object(), nlohmann::json::object());
  s.save_natural_fluxes(run, {a});
  EXPECT_TRUE(keys_on());
  EXPECT_EQ(s.natural_fluxes("", "", 0, true).size(), 1u);
  // Deleting the run still cascades to its methods and fluxes (the keys are declared and on).
  store::Stmt del(StoreTestAccess::sql(s).handle(), "DELETE FROM runs WHERE id = ?");
  del.bind(1, static_cast<long long>(run)).run();
  EXPECT_TRUE(s.natural_fluxes("", "", 0, true).empty());
}
