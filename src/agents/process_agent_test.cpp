// The process agent's questions of issue 15 end to end: planned by the deterministic planner, run on the real
// capabilities (the shipped route models, the CBAM default values, the avoided-emissions example), composed, and
// every number of the answer checked by the verifier, in English and Chinese.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "panocarbon/agents.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace ag = panocarbon::agents;
namespace pc = panocarbon;
namespace fs = std::filesystem;

namespace {
struct Fixture {
  fs::path dir;
  std::unique_ptr<pc::Store> store;
  pc::Context ctx;
  Fixture() {
    dir = fs::temp_directory_path() /
          ("pc-process-agent-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    store = std::make_unique<pc::Store>(pc::Store::open(dir / "t.db"));
    ctx.open_store = [this]() -> pc::Store& { return *store; };
    ctx.store_location = dir / "t.db";
    ctx.read_input = [](const std::string&, const std::string& v) { return pc::read_file(v); };
    ctx.locate_input = [](const std::string&, const std::string& v) { return fs::path(v); };
    ctx.output_dir = [this] { return dir / "out"; };
  }
  ~Fixture() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
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
