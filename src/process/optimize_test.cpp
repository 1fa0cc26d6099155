// The optimisation model against programmes solved by hand (the solutions are written beside each test), the
// identities an optimum satisfies (balances, strong duality, the cap's dual as a finite difference), the MACC,
// the diagnosis of infeasible and unbounded models, the integer path (Cbc) and every input error.
#include "panocarbon/process_optimize.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "panocarbon/error.hpp"
#include "panocarbon/process.hpp"

namespace panocarbon::process {
namespace {

using json = nlohmann::json;

// One region, one period of one year, no discounting; demand 10 of "good". Routes (existing capacity, no builds):
//   dirty: cost 1, 2 t CO2e per unit, capacity 100
//   clean: cost 3, 0.5 t per unit, capacity 6
//   ccs:   cost 5, 0 t per unit, capacity 100
json three_routes() {
  auto route = [](const char* id, double cost, double e, double cap) {
    return json{{"id", id}, {"outputs", {{"good", 1}}}, {"variable_cost", cost}, {"emission_t_per_unit", e},
                {"existing_capacity", cap}, {"max_new_per_period", 0}};
  };
  return {{"name", "hand"},
          {"regions", {"R"}},
          {"periods", {{{"id", "P"}, {"length_years", 1}}}},
          {"commodities", {"good"}},
          {"routes", {route("dirty", 1, 2, 100), route("clean", 3, 0.5, 6), route("ccs", 5, 0, 100)}},
          {"demands", {{{"commodity", "good"}, {"region", "R"}, {"values", 10}}}}};
}

OptModel model(const json& j) { return parse_opt_model(j.dump(), "test.json"); }

const ActivityLine& act(const OptimizeResult& r, const std::string& route) {
  for (const auto& a : r.activities)
    if (a.route == route) return a;
  throw std::runtime_error("no route " + route);
}

TEST(ProcessOptimize, UncappedOptimumIsTheCheapestRoute) {
  // min x_d + 3 x_c + 5 x_s, x_d + x_c + x_s >= 10: x_d = 10, cost 10, emissions 20; balance dual 1.
  const auto r = optimize(model(three_routes()));
  ASSERT_EQ(r.status, "optimal") << r.message;
  EXPECT_NEAR(r.objective, 10, 1e-9);
  EXPECT_NEAR(act(r, "dirty").activity, 10, 1e-9);
  EXPECT_NEAR(r.total_emissions_t, 20, 1e-9);
  ASSERT_EQ(r.balances.size(), 1u);
  EXPECT_NEAR(r.balances[0].dual, 1, 1e-9);
  EXPECT_LE(r.max_balance_residual, 1e-9);
}

TEST(ProcessOptimize, CapOptimumAndDualsByHand) {
  // Cap 14: with x_c = 10 - x_d, 2 x_d + 0.5 (10 - x_d) <= 14 gives x_d = 6, x_c = 4, cost 6 + 12 = 18.
  // Stationarity: 1 = lambda - 2 mu, 3 = lambda - 0.5 mu  =>  mu = 4/3 (MAC, USD/t), lambda = 11/3 (good's price).
  // Strong duality: 10 lambda - 14 mu = 110/3 - 56/3 = 18.
  OptimizeOptions o;
  o.cap = 14;
  const auto r = optimize(model(three_routes()), o);
  ASSERT_EQ(r.status, "optimal") << r.message;
  EXPECT_NEAR(r.objective, 18, 1e-9);
  EXPECT_NEAR(act(r, "dirty").activity, 6, 1e-9);
  EXPECT_NEAR(act(r, "clean").activity, 4, 1e-9);
  EXPECT_NEAR(act(r, "ccs").activity, 0, 1e-9);
  ASSERT_EQ(r.caps.size(), 1u);
  EXPECT_TRUE(r.caps[0].binding);
  EXPECT_NEAR(r.caps[0].marginal_cost, 4.0 / 3.0, 1e-9);
  EXPECT_NEAR(r.balances[0].dual, 11.0 / 3.0, 1e-9);
  EXPECT_NEAR(10 * r.balances[0].dual - 14 * r.caps[0].marginal_cost, r.objective, 1e-9);
  EXPECT_NEAR(r.total_emissions_t, 14, 1e-9);
  // The cap's dual is the cost of one t less: a finite difference of the objective.
  o.cap = 14 - 1e-3;
  const auto tighter = optimize(model(three_routes()), o);
  EXPECT_NEAR((tighter.objective - r.objective) / 1e-3, r.caps[0].marginal_cost, 1e-6);
}

TEST(ProcessOptimize, CarbonPriceEqualToTheMacReachesTheCap) {
  // A price just above 4/3 makes clean cheaper than dirty per t (3 - 1 = 2 USD for 1.5 t): clean runs at capacity.
  OptimizeOptions o;
  o.price = 1.4;
  const auto r = optimize(model(three_routes()), o);
  ASSERT_EQ(r.status, "optimal");
  EXPECT_NEAR(act(r, "clean").activity, 6, 1e-9);
  EXPECT_NEAR(act(r, "dirty").activity, 4, 1e-9);
  EXPECT_NEAR(r.objective, 4 * (1 + 1.4 * 2) + 6 * (3 + 1.4 * 0.5), 1e-9);
}

TEST(ProcessOptimize, IntegratedMaccStepsByHand) {
  // Cost(cap): 10 + (20 - cap) 4/3 for cap in [11, 20] (dirty -> clean, 2 USD per 1.5 t);
  //            22 + (11 - cap) 2 for cap in [3, 11] (dirty -> ccs, 4 USD per 2 t);
  //            38 + (3 - cap) 4 for cap in [0, 3] (clean -> ccs, 2 USD per 0.5 t).
  const auto sweep = parse_cap_sweep("19:1:-3");
  ASSERT_EQ(sweep.caps, (std::vector<double>{19, 16, 13, 10, 7, 4, 1}));
  const auto c = integrated_macc(model(three_routes()), sweep);
  EXPECT_NEAR(c.baseline_emissions_t, 20, 1e-9);
  EXPECT_NEAR(c.baseline_cost, 10, 1e-9);
  const double cost[] = {10 + 4.0 / 3, 10 + 16.0 / 3, 10 + 28.0 / 3, 24, 30, 36, 46};
  const double mac[] = {4.0 / 3, 4.0 / 3, 4.0 / 3, 2, 2, 2, 4};
  ASSERT_EQ(c.steps.size(), 7u);
  for (size_t k = 0; k < 7; ++k) {
    const auto& s = c.steps[k];
    ASSERT_EQ(s.status, "optimal") << s.cap;
    EXPECT_NEAR(s.total_cost, cost[k], 1e-9) << s.cap;
    EXPECT_NEAR(s.marginal_cost, mac[k], 1e-9) << s.cap;
    EXPECT_NEAR(s.abatement_t, 20 - s.cap, 1e-9);
    EXPECT_NEAR(s.cost_increase, cost[k] - 10, 1e-9);
    ASSERT_TRUE(s.average_cost_per_t.has_value());
    EXPECT_NEAR(*s.average_cost_per_t, (cost[k] - 10) / (20 - s.cap), 1e-9);
  }
}

TEST(ProcessOptimize, CapBelowTheLowestReachableNamesIt) {
  // Without ccs the least emissions are 6 x 0.5 + 4 x 2 = 11 t.
  auto j = three_routes();
  j["routes"].erase(2);
  j["emission_caps"] = {{{"name", "sector"}, {"max_t", 5}}};
  const auto r = optimize(model(j));
  EXPECT_EQ(r.status, "infeasible");
  ASSERT_TRUE(r.lowest_emissions_t.has_value());
  EXPECT_NEAR(*r.lowest_emissions_t, 11, 1e-9);
  EXPECT_NE(r.message.find("'sector'"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("lowest emissions reachable there, 11 t"), std::string::npos) << r.message;
  EXPECT_NEAR(*lowest_emissions(model(j)), 11, 1e-9);
}

TEST(ProcessOptimize, DemandAboveCapacityNamesTheBalance) {
  auto j = three_routes();
  j["routes"] = {j["routes"][1]};  // clean only: capacity 6 < demand 10
  const auto r = optimize(model(j));
  EXPECT_EQ(r.status, "infeasible");
  ASSERT_EQ(r.diagnosis.size(), 1u);
  EXPECT_EQ(r.diagnosis[0].constraint, "balance of good in R, P");
  EXPECT_NEAR(r.diagnosis[0].amount, 4, 1e-9);
  EXPECT_NE(r.message.find("good in region R, period P"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("exceed by 4 t a year"), std::string::npos) << r.message;
}

TEST(ProcessOptimize, UnboundedNamesTheRoute) {
  auto j = three_routes();
  j["routes"].push_back({{"id", "credit"}, {"outputs", {{"good", 1}}}, {"variable_cost", -2}});  // builds free, no limit
  const auto r = optimize(model(j));
  EXPECT_EQ(r.status, "unbounded");
  EXPECT_NE(r.message.find("route credit in R, P"), std::string::npos) << r.message;
}

TEST(ProcessOptimize, IntegerBuildsDifferFromTheRelaxation) {
  // Demand 10, one route with no capacity: builds at 1 USD per unit of capacity, in units of 4.
  // LP: 2.5 units, cost 10. MILP: 3 units (12 of capacity), cost 12; the balance's dual with builds fixed is 0.
  json j = {{"regions", {"R"}},
            {"periods", {{{"id", "P"}}}},
            {"commodities", {"good"}},
            {"routes", {{{"id", "plant"}, {"outputs", {{"good", 1}}}, {"investment_cost", 1}, {"unit_size", 4}}}},
            {"demands", {{{"commodity", "good"}, {"region", "R"}, {"values", 10}}}}};
  const auto lp = optimize(model(j));
  ASSERT_EQ(lp.status, "optimal");
  EXPECT_NEAR(lp.objective, 10, 1e-9);
  EXPECT_NEAR(lp.activities[0].new_units, 2.5, 1e-9);
  OptimizeOptions o;
  o.integer = true;
  const auto mip = optimize(model(j), o);
  ASSERT_EQ(mip.status, "optimal") << mip.message;
  EXPECT_NEAR(mip.objective, 12, 1e-9);
  EXPECT_NEAR(mip.activities[0].new_units, 3, 1e-9);
  EXPECT_NEAR(mip.activities[0].new_capacity, 12, 1e-9);
  EXPECT_NEAR(mip.activities[0].activity, 10, 1e-9);
  EXPECT_NEAR(mip.mip_gap, 0, 1e-9);
  EXPECT_NEAR(mip.balances[0].dual, 0, 1e-9);
  // An integer cap on builds that cannot meet demand: infeasible with integers, feasible relaxed.
  j["routes"][0]["max_new_per_period"] = 11;  // at most 2 whole units (8) but 2.75 relaxed
  const auto none = optimize(model(j), o);
  EXPECT_EQ(none.status, "infeasible");
  EXPECT_NE(none.message.find("integer"), std::string::npos) << none.message;
}

TEST(ProcessOptimize, MinimumClinkerShare) {
  // Cement 100 from OPC (0.95 t clinker per t) or blended (0.5 clinker + 0.5 slag); clinker costs 50 a t.
  // Unconstrained: all blended (ratio 0.5). With clinker/cement >= 0.7: 0.95 a + 0.5 b = 70, a + b = 100
  // => a = 44.444..., b = 55.555...
  json j = {{"regions", {"R"}},
            {"periods", {{{"id", "P"}}}},
            {"commodities", {"cement", "clinker", "slag"}},
            {"routes",
             {{{"id", "kiln"}, {"outputs", {{"clinker", 1}}}, {"variable_cost", 50}, {"emission_t_per_unit", 0.85}},
              {{"id", "opc"}, {"outputs", {{"cement", 1}}}, {"inputs", {{"clinker", 0.95}}}, {"variable_cost", 10}},
              {{"id", "blend"}, {"outputs", {{"cement", 1}}}, {"inputs", {{"clinker", 0.5}, {"slag", 0.5}}},
               {"variable_cost", 10}}}},
            {"resources", {{{"id", "slag"}, {"commodity", "slag"}, {"cost", 5}}}},
            {"demands", {{{"commodity", "cement"}, {"region", "R"}, {"values", 100}}}}};
  auto free_ = optimize(model(j));
  ASSERT_EQ(free_.status, "optimal");
  EXPECT_NEAR(act(free_, "blend").activity, 100, 1e-9);
  j["shares"] = {{{"name", "minimum clinker ratio"},
                  {"numerator", {{"commodity", "clinker"}, {"flow", "input"}}},
                  {"denominator", {{"commodity", "cement"}, {"flow", "output"}}},
                  {"min", 0.7}}};
  const auto r = optimize(model(j));
  ASSERT_EQ(r.status, "optimal") << r.message;
  const double a = act(r, "opc").activity, b = act(r, "blend").activity;
  EXPECT_NEAR(a, 400.0 / 9, 1e-9);
  EXPECT_NEAR(b, 500.0 / 9, 1e-9);
  EXPECT_NEAR((0.95 * a + 0.5 * b) / (a + b), 0.7, 1e-12);
  EXPECT_NEAR(act(r, "kiln").activity, 70, 1e-9);
}

TEST(ProcessOptimize, TradeWithLossesAndTheImportersPrice) {
  // A makes good at 1, B at 5; link A->B costs 0.1 per t sent and loses 1 %. B's demand 9.9 is met by sending 10.
  // B's price = (1 + 0.1) / 0.99.
  json j = {{"regions", {"A", "B"}},
            {"periods", {{{"id", "P"}}}},
            {"commodities", {"good"}},
            {"routes", {{{"id", "make"}, {"outputs", {{"good", 1}}}, {"variable_cost", {{"A", 1}, {"B", 5}}},
                         {"existing_capacity", 100}, {"max_new_per_period", 0}}}},
            {"trade", {{{"commodity", "good"}, {"from", "A"}, {"to", "B"}, {"cost", 0.1}, {"loss", 0.01}}}},
            {"demands", {{{"commodity", "good"}, {"region", "B"}, {"values", 9.9}}}}};
  const auto r = optimize(model(j));
  ASSERT_EQ(r.status, "optimal");
  ASSERT_EQ(r.trade.size(), 1u);
  EXPECT_NEAR(r.trade[0].flow, 10, 1e-9);
  EXPECT_NEAR(r.trade[0].delivered, 9.9, 1e-9);
  EXPECT_NEAR(r.objective, 11, 1e-9);
  for (const auto& b : r.balances)
    if (b.region == "B") {
      EXPECT_NEAR(b.dual, 1.1 / 0.99, 1e-9);
    }
  EXPECT_LE(r.max_balance_residual, 1e-9);
}

TEST(ProcessOptimize, DiscountingOfFlowsAndInvestments) {
  // Two periods of 2 years at 10 %: annual factors f1 = 1 + 1/1.1 and f2 = f1 / 1.21; investment at the period's
  // first year. Demand 2 a year in a, 1 in b, variable cost 1, capacity 2 per unit built (lasting to the horizon):
  // build 2 in a, cost 2 f1 + f2 + 4. One more unit in a needs one more built: price 1 + 2 / f1; b has spare
  // capacity: price 1.
  json j = {{"regions", {"R"}},
            {"discount_rate", 0.1},
            {"periods", {{{"id", "a"}, {"length_years", 2}}, {{"id", "b"}, {"length_years", 2}}}},
            {"commodities", {"good"}},
            {"routes", {{{"id", "plant"}, {"outputs", {{"good", 1}}}, {"variable_cost", 1}, {"investment_cost", 2}}}},
            {"demands", {{{"commodity", "good"}, {"region", "R"}, {"values", {2, 1}}}}}};
  const auto r = optimize(model(j));
  ASSERT_EQ(r.status, "optimal");
  const double f1 = 1 + 1 / 1.1, f2 = f1 / 1.21;
  EXPECT_NEAR(r.objective, 2 * f1 + f2 + 4, 1e-9);
  EXPECT_NEAR(r.balances[0].price, 1 + 2 / f1, 1e-9);
  EXPECT_NEAR(r.balances[1].price, 1, 1e-9);
}

TEST(ProcessOptimize, PeriodCapWithGridElectricityAsAResource) {
  // Two periods of 2 years, no discounting, demand 10 a year. coal: cost 2, 1 t per unit. ebf: cost 1 + 2 MWh of
  // grid electricity at 1 a MWh and 0.25 t/MWh (0.5 t per unit), grid at most 8 MWh a year. Cap on region R in P1 of
  // 16 t over its 2 years: emissions over P1 = 2 (x_c + 0.5 x_e) = 20 - x_e, so x_e = 4 (8 MWh, the grid limit),
  // x_c = 6; cost of P1 = 2 (6 x 2 + 4 x 3) = 48 = 40 + 2 (20 - T): MAC 2. P2 all coal: 40. Lowest in P1: 16.
  json j = {{"regions", {"R"}},
            {"periods", {{{"id", "P1"}, {"length_years", 2}}, {{"id", "P2"}, {"length_years", 2}}}},
            {"commodities", {"good", {{"id", "electricity"}, {"unit", "MWh"}}}},
            {"routes",
             {{{"id", "coal"}, {"outputs", {{"good", 1}}}, {"variable_cost", 2}, {"emission_t_per_unit", 1},
               {"existing_capacity", 100}, {"max_new_per_period", 0}},
              {{"id", "ebf"}, {"outputs", {{"good", 1}}}, {"inputs", {{"electricity", 2}}}, {"variable_cost", 1},
               {"existing_capacity", 100}, {"max_new_per_period", 0}}}},
            {"resources", {{{"id", "grid"}, {"commodity", "electricity"}, {"cost", 1}, {"emission_t_per_unit", 0.25},
                            {"max_per_year", 8}}}},
            {"demands", {{{"commodity", "good"}, {"region", "R"}, {"values", 10}}}},
            {"emission_caps", {{{"name", "P1 cap"}, {"region", "R"}, {"period", "P1"}, {"max_t", 16}}}}};
  const auto r = optimize(model(j));
  ASSERT_EQ(r.status, "optimal") << r.message;
  EXPECT_NEAR(r.objective, 88, 1e-9);
  EXPECT_NEAR(r.total_emissions_t, 36, 1e-9);
  ASSERT_EQ(r.emissions_by_period.size(), 2u);
  EXPECT_NEAR(r.emissions_by_period[0].second, 16, 1e-9);
  EXPECT_NEAR(r.emissions_by_period[1].second, 20, 1e-9);
  ASSERT_EQ(r.caps.size(), 1u);
  EXPECT_EQ(r.caps[0].region, "R");
  EXPECT_EQ(r.caps[0].period, "P1");
  EXPECT_NEAR(r.caps[0].marginal_cost, 2, 1e-9);
  ASSERT_EQ(r.supplies.size(), 2u);
  EXPECT_NEAR(r.supplies[0].amount, 8, 1e-9);
  // --cap adds a total cap beside the period cap: 33 t in all forces 3 t less in P2 at 2 a t (P2 can reach 16).
  OptimizeOptions o;
  o.cap = 33;
  const auto both = optimize(model(j), o);
  ASSERT_EQ(both.caps.size(), 2u);
  EXPECT_NEAR(both.objective, 88 + 2 * 3, 1e-9);
  EXPECT_NEAR(both.caps[1].marginal_cost, 2, 1e-9);
  j["emission_caps"][0]["max_t"] = 15;
  const auto bad = optimize(model(j));
  EXPECT_EQ(bad.status, "infeasible");
  EXPECT_NE(bad.message.find("'P1 cap' (region R, period P1) of 15 t CO2e is below the lowest emissions reachable "
                             "there, 16 t CO2e"),
            std::string::npos)
      << bad.message;
}

TEST(ProcessOptimize, CapSweepErrors) {
  auto msg = [](const char* s) {
    try {
      parse_cap_sweep(s);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("10:5:0").find("the step is zero"), std::string::npos);
  EXPECT_NE(msg("10:5:1").find("the step's sign must be that of B - A"), std::string::npos);
  EXPECT_NE(msg("0:100000:1").find("at most 10,000"), std::string::npos);
  EXPECT_NE(msg("10:5").find("expected A:B:STEP"), std::string::npos);
  EXPECT_NE(msg("10:x:1").find("'x' is not a finite number"), std::string::npos);
  EXPECT_NE(msg("-1:5:1").find("cannot be negative"), std::string::npos);
  EXPECT_EQ(parse_cap_sweep("5:5:-1").caps, std::vector<double>{5});
  EXPECT_EQ(parse_cap_sweep("0:10:5").caps, (std::vector<double>{0, 5, 10}));
}

TEST(ProcessOptimize, ModelErrorsNameTheField) {
  auto msg = [](const json& j) {
    try {
      parse_opt_model(j.dump(), "m.json");
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto j = three_routes();
  j["routes"][0]["outputs"] = {{"goods", 1}};
  EXPECT_NE(msg(j).find("unknown commodity 'goods'; the model's commoditys are: good"), std::string::npos) << msg(j);
  EXPECT_NE(msg(j).find("/routes/0/outputs/goods"), std::string::npos);
  j = three_routes();
  j["routes"][0]["varible_cost"] = 1;
  EXPECT_NE(msg(j).find("unknown field 'varible_cost'"), std::string::npos) << msg(j);
  j = three_routes();
  j.erase("regions");
  EXPECT_NE(msg(j).find("missing field 'regions'"), std::string::npos);
  j = three_routes();
  j["regions"] = {"R", "R"};
  EXPECT_NE(msg(j).find("region 'R' is listed twice"), std::string::npos);
  j = three_routes();
  j["demands"][0]["values"] = {1, 2};
  EXPECT_NE(msg(j).find("expected one value per period (1), got 2"), std::string::npos);
  j = three_routes();
  j["routes"][1]["availability"] = 1.5;
  EXPECT_NE(msg(j).find("1.5 lies outside 0 .. 1"), std::string::npos) << msg(j);
  j = three_routes();
  j["routes"][1]["existing_capacity"] = -1;
  EXPECT_NE(msg(j).find("below the least allowed value 0"), std::string::npos) << msg(j);
  j = three_routes();
  j["trade"] = {{{"commodity", "good"}, {"from", "R"}, {"to", "R"}}};
  EXPECT_NE(msg(j).find("two different regions"), std::string::npos);
  j = three_routes();
  j["emission_caps"] = {{{"name", "x"}, {"region", "Mars"}, {"max_t", 1}}};
  EXPECT_NE(msg(j).find("unknown region 'Mars'"), std::string::npos);
  j = three_routes();
  j["shares"] = {{{"numerator", {{"routes", {"dirty"}}}}, {"denominator", {{"routes", {"clean"}}}}}};
  EXPECT_NE(msg(j).find("needs 'min', 'max' or both"), std::string::npos);
  j = three_routes();
  j["routes"][0]["unit_size"] = 0;
  EXPECT_NE(msg(j).find("positive unit size"), std::string::npos);
  j = three_routes();
  j["routes"][0].erase("outputs");
  EXPECT_NE(msg(j).find("at least one output"), std::string::npos);
  j = three_routes();
  j["periods"][0]["length_years"] = 2.5;
  EXPECT_NE(msg(j).find("whole number of years"), std::string::npos);
  try {
    parse_opt_model("{\"regions\": [", "m.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos);
  }
}

TEST(ProcessMacc, PartialCurveSortedWithCumulativeAbatement) {
  // cost per t: lighting -20, heat 10, fuel 40 (all the same lifetime-free basis).
  const auto p = partial_macc("measure,abatement_t,cost_usd\nfuel,100,4000\nlighting,50,-1000\nheat,200,2000\n", "m.csv");
  ASSERT_EQ(p.measures.size(), 3u);
  EXPECT_EQ(p.measures[0].name, "lighting");
  EXPECT_EQ(p.measures[1].name, "heat");
  EXPECT_EQ(p.measures[2].name, "fuel");
  EXPECT_NEAR(p.measures[0].cost_per_t, -20, 1e-12);
  EXPECT_NEAR(p.measures[1].cumulative_from_t, 50, 1e-12);
  EXPECT_NEAR(p.measures[2].cumulative_to_t, 350, 1e-12);
  EXPECT_NEAR(p.total_cost, 5000, 1e-9);
  EXPECT_NEAR(p.negative_cost_abatement_t, 50, 1e-12);
}

TEST(ProcessMacc, PartialCurveAnnualisesWithALifetime) {
  // 1000 up front over 10 years at 5 %: CRF = 0.05 / (1 - 1.05^-10) = 0.129504575...; plus -50 a year; 10 t a year.
  const auto p = partial_macc("measure,abatement_t,cost_usd,lifetime_years,discount_rate,annual_cost_usd\nm,10,1000,10,0.05,-50\n",
                              "m.csv");
  const double crf = 0.05 / (1 - std::pow(1.05, -10));
  EXPECT_NEAR(p.measures[0].annualised_cost, 1000 * crf - 50, 1e-9);
  EXPECT_NEAR(p.measures[0].cost_per_t, (1000 * crf - 50) / 10, 1e-9);
  const auto z = partial_macc("measure,abatement_t,cost_usd,lifetime_years\nm,10,1000,4\n", "m.csv");
  EXPECT_NEAR(z.measures[0].cost_per_t, 25, 1e-12);  // no discounting: 1000 / 4 / 10
}

TEST(ProcessMacc, PartialCurveErrors) {
  auto msg = [](const char* csv) {
    try {
      partial_macc(csv, "m.csv");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("").find("the measures file is empty"), std::string::npos);
  EXPECT_NE(msg("measure,cost_usd\nx,1\n").find("lacks the column 'abatement_t'"), std::string::npos);
  EXPECT_NE(msg("measure,abatement_t,cost_usd\n").find("no measure"), std::string::npos);
  EXPECT_NE(msg("measure,abatement_t,cost_usd\nx,0,5\n").find("abatement_t must be positive"), std::string::npos);
  EXPECT_NE(msg("measure,abatement_t,cost_usd\nx,abc,5\n").find("line 2"), std::string::npos);
  EXPECT_NE(msg("measure,abatement_t,cost_usd\n,1,5\n").find("the measure has no name"), std::string::npos);
  EXPECT_NE(msg("measure,abatement_t,cost_usd,annual_cost_usd\nx,1,5,3\n").find("need the column lifetime_years"),
            std::string::npos);
  EXPECT_NE(msg("measure,abatement_t,cost_usd,lifetime_years\nx,1,5,0\n").find("lifetime_years must be positive"),
            std::string::npos);
}

TEST(ProcessOptimize, EmissionsFromARouteModel) {
  // The coefficient is the shipped scrap-EAF route's simulated direct intensity (process simulate, scope direct),
  // read relative to the model's folder; total = direct + indirect + precursor.
  const std::string dir = std::string(PANOCARBON_SOURCE_DIR) + "/examples/process/models/";
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(ErrorCategory::Io, "cannot open " + path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto j = three_routes();
  j["routes"][0].erase("emission_t_per_unit");
  j["routes"][0]["emission_from_route"] = "../routes/steel-scrap-eaf.json";
  j["routes"][1].erase("emission_t_per_unit");
  j["routes"][1]["emission_from_route"] = {{"file", "../routes/steel-scrap-eaf.json"}, {"scope", "total"}};
  auto m = parse_opt_model(j.dump(), dir + "hand.json");
  EXPECT_THROW(optimize(m), Error);  // not read yet
  resolve_route_emissions(m, dir + "hand.json", read);
  const auto sim = simulate(parse_route(read(dir + "../routes/steel-scrap-eaf.json"), "scrap"));
  EXPECT_NEAR(m.routes[0].emission[0], sim.direct_t / sim.output, 1e-12);
  EXPECT_NEAR(m.routes[1].emission[0], sim.total_t / sim.output, 1e-12);
  EXPECT_NEAR(sim.total_t, sim.direct_t + sim.indirect_t + sim.precursor_t, 1e-9 * sim.total_t);
  const auto r = optimize(m);
  ASSERT_EQ(r.status, "optimal");
  EXPECT_NEAR(r.total_emissions_t, 10 * m.routes[0].emission[0], 1e-9);
  // A missing file names the model's route and the file.
  j["routes"][0]["emission_from_route"] = "../routes/no-such-route.json";
  auto bad = parse_opt_model(j.dump(), dir + "hand.json");
  try {
    resolve_route_emissions(bad, dir + "hand.json", read);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("route 'dirty' takes its emissions from"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no-such-route.json"), std::string::npos) << e.what();
  }
  j = three_routes();
  j["routes"][0]["emission_from_route"] = "x.json";
  EXPECT_THROW(parse_opt_model(j.dump(), "m.json"), Error);  // both given
}

}  // namespace
}  // namespace panocarbon::process
