// The verifier's rule and the composer's number format: a made-up number is caught; rounded, scaled, percent
// and derived-share forms of real results pass; years, citations and the question's numbers pass.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agents/numbers.hpp"
#include "panocarbon/agents.hpp"

namespace ag = panocarbon::agents;
namespace dt = panocarbon::agents::detail;

namespace {
std::vector<ag::StepResult> results_with(nlohmann::json result, nlohmann::json arguments = nlohmann::json::object()) {
  ag::StepResult r;
  r.step.tool = "account";
  r.step.arguments = std::move(arguments);
  r.result = std::move(result);
  return {r};
}
}  // namespace

TEST(AgentsNumbers, FormatsThreeSignificantFigures) {
  EXPECT_EQ(dt::format_number(1734.2), "1,730");
  EXPECT_EQ(dt::format_number(12345678), "12,300,000");
  EXPECT_EQ(dt::format_number(173.44), "173");
  EXPECT_EQ(dt::format_number(17.349), "17.3");
  EXPECT_EQ(dt::format_number(0.95123), "0.951");
  EXPECT_EQ(dt::format_number(-0.0123), "-0.0123");
  EXPECT_EQ(dt::format_number(999.6), "1,000");
  EXPECT_EQ(dt::format_number(9.996), "10.0");
  EXPECT_EQ(dt::format_number(0), "0");
  EXPECT_EQ(dt::format_number(0.000123456), "1.23e-04");
}

TEST(AgentsNumbers, ExtractsNumbersNotWords) {
  const auto t = dt::extract_numbers("CO2 and AR6 and GWP100 and PM2.5: 1,730 Mt, 17.3 %, 1.23e-05 kg, 3.5 亿吨, 25％ [2] in 2009");
  ASSERT_EQ(t.size(), 7u);
  EXPECT_EQ(t[0].text, "1,730");
  EXPECT_DOUBLE_EQ(t[0].value, 1730);
  EXPECT_DOUBLE_EQ(t[0].tolerance, 5);
  EXPECT_TRUE(t[1].percent);
  EXPECT_DOUBLE_EQ(t[1].value, 17.3);
  EXPECT_NEAR(t[2].value, 1.23e-5, 1e-20);
  EXPECT_NEAR(t[2].tolerance, 0.005e-5, 1e-20);
  EXPECT_DOUBLE_EQ(t[3].value, 3.5e8);
  EXPECT_TRUE(t[4].percent);
  EXPECT_TRUE(t[5].citation);
  EXPECT_TRUE(t[6].year);
}

TEST(AgentsVerify, MadeUpNumberIsCaught) {
  const auto r = results_with({{"rows", {{{"value", 1734.2}, {"unit", "Mt CO2"}, {"share", 0.2531}}}}});
  EXPECT_TRUE(ag::unsupported_numbers("China's exports: 1,730 Mt CO2 [1].", "", r).empty());
  EXPECT_EQ(ag::unsupported_numbers("China's exports: 1,740 Mt CO2 [1].", "", r), std::vector<std::string>{"1,740"});
  EXPECT_EQ(ag::unsupported_numbers("China's exports: 1,730 Mt CO2, about 42 % of all [1].", "", r),
            std::vector<std::string>{"42 %"});
  // a citation to a result that does not exist is not a citation
  EXPECT_EQ(ag::unsupported_numbers("1,730 Mt CO2 [3].", "", r), std::vector<std::string>{"3"});
  // more digits than the result supports
  EXPECT_EQ(ag::unsupported_numbers("1,734.5 Mt CO2", "", r), std::vector<std::string>{"1,734.5"});
}

TEST(AgentsVerify, RoundedScaledAndPercentFormsPass) {
  const auto r = results_with({{"value", 1734.2}, {"share", 0.2531}, {"kt", 7715123.0}, {"pct", 12.345}});
  EXPECT_TRUE(ag::unsupported_numbers("1,734 and 1,730 and 1.73e3 and 1.7342 × 10^3", "", r).empty());
  EXPECT_TRUE(ag::unsupported_numbers("25.3 % and 25 % and 0.253", "", r).empty());
  EXPECT_TRUE(ag::unsupported_numbers("7,720 Mt (from kt) and 7.72 Gt", "", r).empty());  // powers of 1000
  EXPECT_TRUE(ag::unsupported_numbers("12.3 %", "", r).empty());                         // already a percentage
  EXPECT_TRUE(ag::unsupported_numbers("出口隐含排放 1,730 Mt CO2，占 25.3 %。[1]", "", r).empty());
  EXPECT_TRUE(ag::unsupported_numbers("1734.2万吨", "", results_with({{"v", 17342000.0}})).empty());
  EXPECT_EQ(ag::unsupported_numbers("1735万吨", "", results_with({{"v", 17342000.0}})), std::vector<std::string>{"1735万"});
}

TEST(AgentsVerify, YearsQuestionNumbersStepsAndLevelsPass) {
  const auto r = results_with({{"value", 0.871}}, {{"amount", 1}, {"draws", 200}});
  EXPECT_TRUE(ag::unsupported_numbers("In 2009 and 1990-2018 the value was 0.871 kg CO2e [1].", "", r).empty());
  EXPECT_TRUE(ag::unsupported_numbers("1 kg, 200 draws: 0.871", "", r).empty());  // the step's arguments
  EXPECT_TRUE(ag::unsupported_numbers("37 kg of cement: 0.871", "footprint of 37 kg of cement", r).empty());
  EXPECT_TRUE(ag::unsupported_numbers("Step 1 failed.", "", r).empty());
  EXPECT_TRUE(ag::unsupported_numbers("the 95 % interval is 0.871-0.871; 95 %区间", "", r).empty());
  // 95 % as a claim about the emissions, not the name of an interval, is a number
  EXPECT_EQ(ag::unsupported_numbers("95 % of it is fossil", "", r), std::vector<std::string>{"95 %"});
  EXPECT_EQ(ag::unsupported_numbers("Step 2 failed.", "", r), std::vector<std::string>{"2"});
}

TEST(AgentsVerify, DerivedShareMustBeTheRatioOfItsSentence) {
  const auto r = results_with({{"exports", 1734.2}, {"production", 7711.9}});
  // 1734.2 / 7711.9 = 22.49 %
  EXPECT_TRUE(ag::unsupported_numbers("Of 7,710 Mt, 1,730 Mt (22.5 %) were exported [1].", "", r).empty());
  EXPECT_EQ(ag::unsupported_numbers("Of 7,710 Mt, 1,730 Mt (23.5 %) were exported [1].", "", r),
            std::vector<std::string>{"23.5 %"});
  // the two numbers must stand in the same sentence
  EXPECT_EQ(ag::unsupported_numbers("Production 7,710 Mt. Exports 1,730 Mt. Share 22.5 %.", "", r),
            std::vector<std::string>{"22.5 %"});
}
