// The process agent's questions of issue 15 end to end: planned by the deterministic planner, run on the real
// capabilities (the shipped route models, the CBAM default values, the avoided-emissions example), composed, and
// every number of the answer checked by the verifier, in English and Chinese.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agents/agents_test_fixture.hpp"
#include "panocarbon/agents.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace ag = panocarbon::agents;
namespace pc = panocarbon;
namespace fs = std::filesystem;

namespace {
struct Fixture : ag::testing::StoreFixture {
  Fixture() : StoreFixture("pc-process-agent") {}
};

struct Case {
  const char* question;
  const char* intent;
  const char* tool;
  std::vector<const char*> says;  // words the answer must hold
};

// Plans, runs, composes and verifies one question; returns the answer.
std::string answer(Fixture& f, const Case& c) {
  ag::Knowledge k;
  k.examples_dir = fs::path(PANOCARBON_SOURCE_DIR) / "examples";
  const ag::Plan plan = ag::plan_question(c.question, k);
  EXPECT_EQ(plan.intent, c.intent) << c.question;
  EXPECT_TRUE(plan.clarify.empty()) << c.question << ": " << plan.clarify;
  if (plan.steps.size() != 1) {
    ADD_FAILURE() << c.question << ": " << plan.steps.size() << " steps";
    return {};
  }
  EXPECT_EQ(plan.steps[0].tool, c.tool) << c.question;
  const auto results = ag::execute(plan, f.ctx);
  EXPECT_EQ(results.at(0).error, "") << c.question;
  const std::string text = ag::compose(plan, results);
  EXPECT_NE(text.find("[1]"), std::string::npos) << text;
  for (const char* w : c.says) EXPECT_NE(text.find(w), std::string::npos) << c.question << " lacks '" << w << "':\n" << text;
  const auto unsupported = ag::unsupported_numbers(text, c.question, results);
  EXPECT_TRUE(unsupported.empty()) << c.question << ": " << (unsupported.empty() ? "" : unsupported.front()) << "\n" << text;
  return text;
}
}  // namespace

TEST(ProcessAgent, AnswersAreComposedFromTheResultsAndVerified) {
  Fixture f;
  const std::vector<Case> cases = {
      {"What is the CBAM default value for Chinese cement?", "process.cbam_defaults", "cbam defaults",
       {"25232900 grey portland cement 1.42", "1.56 with the 10 % mark-up", "2025/2621"}},
      {"中国出口钢材的CBAM默认值是多少?", "process.cbam_defaults", "cbam defaults",
       {"7208 hot rolled flat non alloy steel 3.19", "加成 10 % 后 3.51"}},
      {"Compare the CBAM default for hot-rolled steel from China with 2.1 t per t in 2027 at 80 EUR",
       "process.cbam_compare", "cbam compare",
       {"3.19 t CO2e/t (direct), with the 20 % mark-up 3.82", "lower by 1.72", "1.09 from the base-value gap",
        "0.637 from the designed mark-up", "138 EUR less"}},
      {"中国热轧钢材2027年的CBAM默认值与实际值2.1吨相比,碳价每吨80欧元", "process.cbam_compare", "cbam compare",
       {"加成 20 % 后为 3.82", "低 1.72", "少付 138 欧元"}},
      {"Compare the CBAM default for Chinese grey cement with the coal kiln route with CCS", "process.cbam_compare",
       "cbam compare", {"25232900", "simulated from the route"}},
      {"How much CO2 does the BF-BOF route emit per tonne of steel?", "process.route", "process simulate",
       {"BF-BOF", "direct", "precursor", "mass balance closes"}},
      {"电解水制氢每吨氢气排放多少?", "process.route", "process simulate", {"直接", "合计", "物料平衡闭合"}},
      {"How much CO2 do China's exported wind turbines and solar panels avoid each year?", "process.avoided", "avoided",
       {"138 Mt CO2", "3,200 Mt CO2", "197 Mt CO2e", "payback is 1.43 years", "pv_module to Europe: 35.6 Mt CO2",
        "never subtracted from an inventory"}},
      {"中国出口的风电和光伏每年避免多少排放?", "process.avoided", "avoided", {"138 Mt CO2", "1.43 年", "绝不能"}},
  };
  for (const auto& c : cases) answer(f, c);
  // avoided runs store their rows in their own table, keyed by run
  EXPECT_EQ(f.store->avoided().size(), 14u);
}

TEST(ProcessAgent, AForgedNumberIsCaught) {
  Fixture f;
  const std::string text =
      answer(f, {"Compare the CBAM default for hot-rolled steel from China with 2.1 t per t in 2027 at 80 EUR",
                 "process.cbam_compare", "cbam compare", {"138 EUR"}});
  std::string forged = text;
  const auto p = forged.find("138 EUR");
  ASSERT_NE(p, std::string::npos);
  forged.replace(p, 3, "183");
  ag::Knowledge k;
  k.examples_dir = fs::path(PANOCARBON_SOURCE_DIR) / "examples";
  const ag::Plan plan = ag::plan_question(
      "Compare the CBAM default for hot-rolled steel from China with 2.1 t per t in 2027 at 80 EUR", k);
  const auto results = ag::execute(plan, f.ctx);
  EXPECT_FALSE(ag::unsupported_numbers(forged, "", results).empty()) << forged;
}

// Least-cost abatement (process optimize, process macc) on the shipped models: every number of the answer comes
// from the result, and the answer's numbers are the ones the solver gives (the cap's dual is the marginal abatement
// cost; the measures that pay for themselves are those of negative cost per t, and their abatement adds up).
TEST(ProcessAgent, LeastCostAnswersAreComposedFromTheResultsAndVerified) {
  Fixture f;
  const std::vector<Case> cases = {
      {"What is the marginal abatement cost of the steel model at a cap of 44 Gt?", "process.optimize",
       "process optimize",
       {"is optimal", "total emissions 44.0 Gt CO2e", "marginal abatement cost, is 85.1 USD per t CO2e",
        "In 2050", "bf_bof in CN 514 Mt crude steel"}},
      {"钢铁模型在44 Gt排放上限下的边际减排成本是多少?", "process.optimize", "process optimize",
       {"最优解", "64,300亿美元", "每吨 CO2e 85.1 美元", "bf_bof(CN)514 Mt crude steel"}},
      {"What is the cheapest way to meet a 44 Gt cap in the cement model at 50 USD/t carbon price?",
       "process.optimize", "process optimize", {"at a carbon price of 50.0 USD/t CO2e", "does not bind"}},
      {"Cap the steel model at 30 Gt", "process.optimize", "process optimize",
       {"cannot be met", "30.0 Gt CO2e", "lowest emissions", "41.1 Gt CO2e"}},
      {"把钢铁模型的排放上限定为30 Gt", "process.optimize", "process optimize", {"无法实现", "41.1 Gt CO2e"}},
      {"Draw the abatement cost curve of the steel model from 46 to 42 Gt", "process.macc", "process macc",
       {"uncapped it emits 46.0 Gt CO2e", "cap 44.0 Gt CO2e: marginal abatement cost 85.1 USD/t CO2e",
        "cap 42.0 Gt CO2e: marginal abatement cost 245 USD/t CO2e"}},
      {"钢铁模型从46到42 Gt的边际减排成本曲线", "process.macc", "process macc",
       {"上限 44.0 Gt CO2e:边际减排成本 85.1 美元/吨 CO2e", "上限 42.0 Gt CO2e:边际减排成本 245"}},
      {"Which steel-plant measures pay for themselves?", "process.macc", "process macc",
       {"variable-speed drives on fans and pumps (-30.7 USD/t, 15,000 t CO2e a year)",
        "top-gas recovery turbine (-9.72 USD/t", "together 75,000 t CO2e a year", "coke dry quenching (28.4 USD/t"}},
      {"钢厂哪些减排措施能自己收回成本?", "process.macc", "process macc", {"可自身收回成本", "合计 75,000 t CO2e/年"}},
  };
  for (const auto& c : cases) answer(f, c);

  ag::Knowledge k;
  k.examples_dir = fs::path(PANOCARBON_SOURCE_DIR) / "examples";
  // the optimum at 44 Gt and the curve's step at 44 Gt are the same programme: the same dual
  const auto opt = ag::execute(ag::plan_question("What is the marginal abatement cost of the steel model at a cap of 44 Gt?", k), f.ctx);
  const auto curve = ag::execute(ag::plan_question("Draw the abatement cost curve of the steel model from 46 to 42 Gt", k), f.ctx);
  const double mac = opt.at(0).result.at("duals").at("emission_caps").at(0).at("marginal_cost_per_t").get<double>();
  const auto& steps = curve.at(0).result.at("steps");
  ASSERT_EQ(steps.size(), 5u);  // 46, 45, 44, 43, 42 Gt
  EXPECT_DOUBLE_EQ(steps.at(2).at("cap_t").get<double>(), 44e9);
  EXPECT_NEAR(steps.at(2).at("marginal_cost_per_t").get<double>(), mac, 1e-6 * mac);
  EXPECT_NEAR(opt.at(0).result.at("total_emissions_t").get<double>(), 44e9, 1.0);  // the binding cap is met exactly
  // the measures that pay for themselves: cost per t below zero, abatement adding up to the result's total
  const auto measures = ag::execute(ag::plan_question("Which steel-plant measures pay for themselves?", k), f.ctx);
  double negative = 0;
  for (const auto& m : measures.at(0).result.at("measures"))
    if (m.at("cost_usd_per_t").get<double>() < 0) negative += m.at("abatement_t").get<double>();
  EXPECT_DOUBLE_EQ(negative, 75000.0);  // 15,000 t (drives) + 60,000 t (top-gas turbine), measures-steel-plant.csv
  EXPECT_DOUBLE_EQ(measures.at(0).result.at("negative_cost_abatement_t").get<double>(), negative);
}

TEST(ProcessAgent, AForgedMarginalAbatementCostIsCaught) {
  Fixture f;
  const char* q = "What is the marginal abatement cost of the steel model at a cap of 44 Gt?";
  const std::string text = answer(f, {q, "process.optimize", "process optimize", {"85.1 USD"}});
  std::string forged = text;
  const auto p = forged.find("85.1 USD");
  ASSERT_NE(p, std::string::npos);
  forged.replace(p, 4, "58.1");
  ag::Knowledge k;
  k.examples_dir = fs::path(PANOCARBON_SOURCE_DIR) / "examples";
  const auto results = ag::execute(ag::plan_question(q, k), f.ctx);
  const auto bad = ag::unsupported_numbers(forged, q, results);
  ASSERT_FALSE(bad.empty()) << forged;
  EXPECT_NE(bad.front().find("58.1"), std::string::npos) << bad.front();
}

// A question naming no model while several are shipped is answered with a question listing them; the reply
// that names one continues the question.
TEST(ProcessAgent, NoModelNamedAsksWhichAndTheReplyContinues) {
  ag::Knowledge k;
  k.examples_dir = fs::path(PANOCARBON_SOURCE_DIR) / "examples";
  const std::string q = "What does capping the model at 44 Gt cost?";
  const ag::Plan first = ag::plan_question(q, k);
  EXPECT_TRUE(first.steps.empty());
  for (const char* file : {"steel-two-regions.json", "cement-clinker-ratio.json", "measures-steel-plant.csv"})
    EXPECT_NE(first.clarify.find(file), std::string::npos) << first.clarify;
  const ag::Plan second = ag::plan_question("the cement one", k, {ag::Turn{q, first}});
  ASSERT_EQ(second.steps.size(), 1u) << second.clarify;
  EXPECT_EQ(second.steps[0].tool, "process optimize");
  EXPECT_EQ(second.steps[0].arguments.at("cap").get<double>(), 44e9);
  EXPECT_NE(second.steps[0].arguments.at("model").get<std::string>().find("cement-clinker-ratio.json"), std::string::npos);
}
