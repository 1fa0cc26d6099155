// The natural side's table (migration 6): records round-trip, NULL ranges read back as NaN, queries filter.
#include <gtest/gtest.h>

#include <cmath>

#include "panocarbon/store.hpp"

using namespace panocarbon;

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
