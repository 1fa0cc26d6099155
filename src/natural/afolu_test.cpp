// IPCC 2006 Vol 4 Tier 1 forest land: the equations against hand-computed values.
#include <gtest/gtest.h>

#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"

namespace nat = panocarbon::natural;

TEST(Afolu, EquationsByHand) {
  EXPECT_DOUBLE_EQ(nat::eq2_10_g_total(4, 0.2), 4.8);
  EXPECT_NEAR(nat::eq2_9_gain(1000, 4.8, 0.47), 2256.0, 1e-9);
  EXPECT_NEAR(nat::eq2_12_wood_removals(500, 0.83, 0.2, 0.47), 234.06, 1e-9);
  EXPECT_NEAR(nat::eq2_13_fuelwood(100, 0.83, 0.2, 10, 0.47), 51.512, 1e-9);
  EXPECT_NEAR(nat::eq2_14_disturbance(10, 100, 0.2, 0.47, 0.5), 282.0, 1e-9);
  EXPECT_NEAR(nat::eq2_8_stock(200, 100, 0.7, 0.29, 0.51), 9210.6, 1e-9);
}

TEST(Afolu, GainLossAndStockDifferenceRows) {
  const std::string csv =
      "id,method,climate,forest_type,area_ha,growth,r,cf,wood_removals_m3,bcef_r,fuelwood_trees_m3,fuelwood_parts_t,"
      "disturbance_area_ha,disturbance_biomass_t_ha,disturbance_fraction,stock_t1_m3_ha,stock_t2_m3_ha,year_t1,"
      "year_t2,bcef_s,managed\n"
      "a,gain-loss,temperate,conifer,1000,4,0.2,0.47,500,0.83,100,10,10,100,0.5,,,,,,yes\n"
      "b,stock-difference,temperate,conifer,200,,0.29,0.51,,,,,,,,100,110,2010,2015,0.7,no\n";
  const auto rows = nat::read_forest_rows(csv, "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  const auto& d = nat::AfoluDefaults::builtin();
  const auto a = nat::forest_calc(rows[0], d);
  EXPECT_NEAR(a.gains_tc, 2256.0, 1e-9);
  EXPECT_NEAR(a.losses_tc, 234.06 + 51.512 + 282.0, 1e-9);
  EXPECT_NEAR(a.delta_c_tc, 1688.428, 1e-9);
  EXPECT_NEAR(a.co2_t, -1688.428 * 44.0 / 12.0, 1e-9);
  EXPECT_TRUE(a.tag.managed);
  const auto b = nat::forest_calc(rows[1], d);
  EXPECT_NEAR(b.delta_c_tc, (10131.66 - 9210.6) / 5, 1e-9);
  EXPECT_NEAR(b.co2_t, -184.212 * 44.0 / 12.0, 1e-9);
  EXPECT_FALSE(b.tag.managed);
}

TEST(Afolu, DefaultsFromTheTableAndErrors) {
  const auto& d = nat::AfoluDefaults::builtin();
  ASSERT_NE(d.find("cf.temperate_boreal.conifer"), nullptr);
  EXPECT_DOUBLE_EQ(d.find("cf.temperate_boreal.conifer")->value, 0.51);
  const auto rows = nat::read_forest_rows(
      "id,climate,forest_type,area_ha,growth,r_id\nx,boreal,conifer,10,1,r.boreal_conifer.agb_lt75\n", "t.csv");
  const auto x = nat::forest_calc(rows[0], d);
  EXPECT_NEAR(x.gains_tc, 10 * 1 * (1 + 0.39) * 0.51, 1e-12);
  // missing R, unknown default id, unknown column, negative area: errors naming the field
  const auto no_r = nat::read_forest_rows("id,area_ha,growth\ny,5,1\n", "t.csv");
  try {
    nat::forest_calc(no_r[0], d);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "r");
  }
  const auto bad_id = nat::read_forest_rows("id,area_ha,growth,r_id\ny,5,1,r.nowhere\n", "t.csv");
  EXPECT_THROW(nat::forest_calc(bad_id[0], d), panocarbon::Error);
  EXPECT_THROW(nat::read_forest_rows("id,area_ha,colour\ny,5,red\n", "t.csv"), panocarbon::Error);
  try {
    nat::read_forest_rows("id,area_ha\ny,-5\n", "t.csv");
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().field, "area_ha");
  }
}

TEST(Afolu, GrowthIdLooksUpTable49) {
  const auto& d = nat::AfoluDefaults::builtin();
  // g.* rows load into the growth list (2019 Refinement Table 4.9 (Updated), tropical natural forests)
  EXPECT_EQ(d.growth.size(), 24u);
  const auto* g = d.find("g.tropical_rain_forest.africa.secondary_le20");
  ASSERT_NE(g, nullptr);
  EXPECT_DOUBLE_EQ(g->value, 7.6);
  EXPECT_TRUE(g->confirmed);
  EXPECT_EQ(g->table, "4.9 (Updated)");
  const auto rows = nat::read_forest_rows(
      "id,climate,area_ha,growth,growth_id,r,cf\n"
      "a,tropical,100,,g.tropical_rain_forest.africa.secondary_le20,0.24,0.47\n"
      "b,tropical,100,5,g.tropical_rain_forest.africa.secondary_le20,0.24,0.47\n",
      "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].growth_id, "g.tropical_rain_forest.africa.secondary_le20");
  // Eq 2.10: G_TOTAL = 7.6 x (1 + 0.24) = 9.424 t d.m./ha/yr; Eq 2.9: 100 ha x 9.424 x 0.47 = 442.928 t C/yr
  const auto a = nat::forest_calc(rows[0], d);
  EXPECT_NEAR(a.gains_tc, 442.928, 1e-9);
  EXPECT_NEAR(a.delta_c_tc, 442.928, 1e-9);
  EXPECT_NEAR(a.co2_t, -442.928 * 44.0 / 12.0, 1e-9);
  bool named = false;
  for (const auto& u : a.defaults_used) named = named || u == "growth=g.tropical_rain_forest.africa.secondary_le20";
  EXPECT_TRUE(named);
  // a value in the growth column wins over growth_id: 100 x 5 x 1.24 x 0.47 = 291.4
  const auto b = nat::forest_calc(rows[1], d);
  EXPECT_NEAR(b.gains_tc, 291.4, 1e-9);
  // an unknown id names growth_id; neither growth nor growth_id names growth
  const auto bad = nat::read_forest_rows("id,area_ha,growth_id,r,cf\ny,5,g.nowhere,0.2,0.47\n", "t.csv");
  try {
    nat::forest_calc(bad[0], d);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "growth_id");
  }
  const auto none = nat::read_forest_rows("id,area_ha,r,cf\ny,5,0.2,0.47\n", "t.csv");
  try {
    nat::forest_calc(none[0], d);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "growth");
  }
}
