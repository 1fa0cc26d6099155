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
