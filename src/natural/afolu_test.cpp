// IPCC 2006 Vol 4 Tier 1 forest land: the equations against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

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

// Approach 1 ranges (docs/afolu.md, "Uncertainty"), against hand-computed numbers. A default's relative
// half-width is the larger distance to a bound over the value; (1 + R) carries h_R / (1 + R).
TEST(Afolu, Approach1RangesByHand) {
  const auto& d = nat::AfoluDefaults::builtin();
  EXPECT_NEAR(nat::approach1_product({0.3, 0.4}), 0.5, 1e-15);
  EXPECT_NEAR(nat::approach1_sum_abs({{100, 0.3}, {-50, 0.8}}), 50, 1e-12);
  // R 0.39 [0.23, 0.96] -> 0.57 / 0.39
  EXPECT_NEAR(nat::relative_half_width(*d.find("r.boreal_conifer.agb_lt75")), 0.57 / 0.39, 1e-12);
  const auto rows = nat::read_forest_rows(
      "id,method,region,year,climate,forest_type,area_ha,growth,r,r_id,cf,wood_removals_m3,bcef_r_id,stock_t1_m3_ha,"
      "stock_t2_m3_ha,year_t1,year_t2,bcef_s_id\n"
      // defaults R 0.39 [0.23,0.96] and CF 0.51 [0.47,0.55]: U = sqrt((0.57/1.39)^2 + (0.04/0.51)^2)
      "c,gain-loss,FIN,2020,boreal,conifer,10,1,,r.boreal_conifer.agb_lt75,,,,,,,,\n"
      // R 0.29 [0.24,0.50] (h 0.21), CF input, BCEF_R 0.83 [0.67,1.11] (h 0.28): gains 193.5 with U 0.21/1.29,
      // wood 107.07 with U sqrt((0.28/0.83)^2 + (0.21/1.29)^2); Eq 3.2 over the two terms
      "e,gain-loss,,,temperate,conifer,100,3,,r.temperate_conifer.agb_50_150,0.5,200,bcef_r.temperate_pines.gs_41_100,"
      ",,,,\n"
      // stock difference, BCEF_S 0.7 [0.4,1.0]: U = 0.3/0.7 on the whole difference
      "f,stock-difference,,,temperate,conifer,200,,0.29,,0.51,,,100,110,2010,2015,bcef_s.temperate_pines.gs_100_200\n"
      // inputs only: no range
      "g,gain-loss,,,temperate,conifer,1,1,0.2,,0.5,,,,,,,\n",
      "t.csv");
  const auto c = nat::forest_calc(rows[0], d);
  EXPECT_EQ(c.region, "FIN");
  EXPECT_EQ(c.year, 2020);
  EXPECT_NEAR(c.co2_t, -25.993, 1e-9);
  EXPECT_NEAR(c.co2_upper_t - c.co2_t, 10.85220911970359, 1e-9);
  EXPECT_NEAR(c.co2_t - c.co2_lower_t, 10.85220911970359, 1e-9);
  const auto e = nat::forest_calc(rows[1], d);
  EXPECT_NEAR(e.co2_t, -316.91, 1e-9);
  EXPECT_NEAR(e.co2_upper_t - e.co2_t, 186.9895497079984, 1e-9);
  const auto f = nat::forest_calc(rows[2], d);
  EXPECT_NEAR(f.co2_t, -675.444, 1e-9);
  EXPECT_NEAR(f.co2_upper_t - f.co2_t, 289.476, 1e-9);
  const auto g = nat::forest_calc(rows[3], d);
  EXPECT_TRUE(std::isnan(g.co2_lower_t) && std::isnan(g.co2_upper_t));
  EXPECT_EQ(g.region, "");
  EXPECT_EQ(g.year, 0);
}

// Fire rows (Eq 2.27) in the AFOLU file, with their Table 2.4/2.5 spreads, the forest-CO2 memo and the tags.
TEST(Afolu, FireRowsByHand) {
  const auto rows = nat::read_forest_rows(
      "id,method,region,year,vegetation,area_ha,mb_cf,managed,driver\n"
      "w,fire,CAN,2019,other_temperate_forests_wildfire,1000,,no,\n"
      "s,fire,CAN,2019,savanna_grasslands_mid_late_tropical_subtropical_grassland,500,,,\n"
      "a,fire,CAN,2019,wheat_residues,10,,,\n"
      "o,fire,CAN,2019,savanna_grasslands_mid_late_tropical_subtropical_grassland,500,6,yes,indirect-anthropogenic\n",
      "t.csv");
  ASSERT_EQ(rows.size(), 4u);
  // temperate forest wildfire: M_B C_f 19.8 (sd 6.3); G_ef CO2 1569, CH4 4.7 (sd 1.9), N2O 0.26 (sd 0.07)
  const auto w = nat::afolu_fire(rows[0]);
  EXPECT_EQ(w.ef_category, "extra_tropical_forest");
  EXPECT_NEAR(w.co2_memo_t, 1000 * 19.8 * 1569e-3, 1e-9);  // not counted: Eq 2.14 disturbance
  ASSERT_EQ(w.gases.size(), 2u);
  EXPECT_EQ(w.gases[0].species, "CH4");
  EXPECT_NEAR(w.gases[0].t, 93.06, 1e-9);
  // the range of `natural fire-tier1` (range_95): r = sqrt((6.3 / 19.8)^2 + (1.9 / 4.7)^2) = 0.514453 > 0.3, so
  // the lognormal with that mean and sd, s2 = ln(1 + r^2), bounds 93.06 exp(-s2/2 -+ 1.96 sqrt(s2))
  EXPECT_NEAR(w.gases[0].lower_t, 32.01137124199822, 1e-9);
  EXPECT_NEAR(w.gases[0].upper_t, 213.91800413665817, 1e-9);
  EXPECT_NEAR(w.gases[1].t, 1000 * 19.8 * 0.26e-3, 1e-12);
  EXPECT_EQ(w.tag.driver, nat::Driver::Natural);
  EXPECT_FALSE(w.tag.managed);
  // grassland: CO2 counted; r = sqrt((1.7 / 5.2)^2 + (95 / 1613)^2) = 0.332186 > 0.3: lognormal as above
  const auto s = nat::afolu_fire(rows[1]);
  ASSERT_EQ(s.gases.size(), 3u);
  EXPECT_EQ(s.gases[0].species, "CO2");
  EXPECT_NEAR(s.gases[0].t, 4193.8, 1e-9);
  EXPECT_NEAR(s.gases[0].lower_t, 2110.9705325481586, 1e-9);
  EXPECT_NEAR(s.gases[0].upper_t, 7503.680671973222, 1e-9);
  EXPECT_DOUBLE_EQ(s.co2_memo_t, 0);
  EXPECT_TRUE(s.tag.managed);  // managed defaults to yes
  EXPECT_EQ(s.tag.driver, nat::Driver::Natural);
  // crop residues: direct anthropogenic by default; CH4 2.7 has no sd in Table 2.5, M_B C_f 4.0 none: no range
  const auto a = nat::afolu_fire(rows[2]);
  EXPECT_EQ(a.tag.driver, nat::Driver::DirectAnthropogenic);
  EXPECT_NEAR(a.gases[1].t, 10 * 4.0 * 2.7e-3, 1e-12);
  EXPECT_TRUE(std::isnan(a.gases[1].lower_t));
  // mb_cf given: only G_ef's spread, U = 1.96 x 95 / 1613
  const auto o = nat::afolu_fire(rows[3]);
  EXPECT_NEAR(o.gases[0].t, 500 * 6 * 1613e-3, 1e-9);
  EXPECT_NEAR(o.gases[0].upper_t / o.gases[0].t - 1, 1.96 * 95 / 1613, 1e-12);
  EXPECT_EQ(o.tag.driver, nat::Driver::IndirectAnthropogenic);
}

TEST(Afolu, RegionYearAndFireErrors) {
  try {
    nat::read_forest_rows("id,area_ha,year\ny,5,2020.5\n", "t.csv");
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "year");
    EXPECT_NE(std::string(e.what()).find("whole year between 1750 and 2200"), std::string::npos) << e.what();
  }
  try {
    nat::read_forest_rows("id,method,area_ha\ny,fire,5\n", "t.csv");
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "vegetation");
    EXPECT_NE(std::string(e.what()).find("a fire row needs a vegetation type"), std::string::npos) << e.what();
  }
  try {
    nat::read_forest_rows("id,method,area_ha\ny,burn,5\n", "t.csv");
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_NE(std::string(e.what()).find("gain-loss, stock-difference or fire"), std::string::npos) << e.what();
  }
  const auto rows = nat::read_forest_rows("id,method,vegetation,area_ha\ny,fire,peat_bog,5\n", "t.csv");
  try {
    nat::afolu_fire(rows[0]);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::NotFound);
    EXPECT_EQ(e.context().line, 2);
    EXPECT_NE(std::string(e.what()).find("unknown vegetation type 'peat_bog'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("wheat_residues"), std::string::npos) << e.what();
  }
  try {
    nat::forest_calc(rows[0], nat::AfoluDefaults::builtin());
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_NE(std::string(e.what()).find("row 'y' is a fire row: use afolu_fire"), std::string::npos) << e.what();
  }
}

// One vocabulary for the stored origin tag, and one default driver for fires by Table 2.5 category.
TEST(NaturalTags, OriginTextAndDefaultFireDriver) {
  EXPECT_STREQ(nat::origin_text(nat::Driver::Natural), "natural");
  EXPECT_STREQ(nat::origin_text(nat::Driver::DirectAnthropogenic), "direct anthropogenic");
  EXPECT_STREQ(nat::origin_text(nat::Driver::IndirectAnthropogenic), "indirect anthropogenic");
  EXPECT_STREQ(nat::origin_text(nat::Driver::Mixed), "natural+indirect anthropogenic");
  EXPECT_EQ(nat::default_fire_driver("agricultural_residues"), nat::Driver::DirectAnthropogenic);
  EXPECT_EQ(nat::default_fire_driver("savanna_grassland"), nat::Driver::Natural);
  EXPECT_EQ(nat::default_fire_driver("extra_tropical_forest"), nat::Driver::Natural);
}
