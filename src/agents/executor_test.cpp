// The executor on real capabilities (the embedded default ledger, no files): references to earlier results,
// run ids and citations, a failed step and its skipped dependents, the allowed roots, refused options; then the
// composer and the verifier on the real results.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

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
  Fixture() : StoreFixture("pc-agents") {}
};

ag::Step step(ag::Agent a, std::string tool, nlohmann::json args) {
  ag::Step s;
  s.agent = a;
  s.tool = std::move(tool);
  s.arguments = std::move(args);
  return s;
}
}  // namespace

TEST(AgentsExecute, ResolvesReferencesLogsRunsAndComposesAVerifiedAnswer) {
  Fixture f;
  ag::Plan plan;
  plan.intent = "trade.consumption";
  plan.slots = {{"country", "CHN"}, {"year", 2009}, {"indicator", "consumption"}};
  plan.steps.push_back(step(ag::Agent::Trade, "ledger build", {{"default", true}}));
  plan.steps.push_back(step(ag::Agent::Trade, "account",
                            {{"country", "CHN"}, {"year", {{"from_step", 0}, {"pointer", "/sources/0/years/0"}}}}));
  const auto r = ag::execute(plan, f.ctx);
  ASSERT_EQ(r.size(), 2u);
  ASSERT_EQ(r[0].error, "");
  ASSERT_EQ(r[1].error, "");
  const auto year = r[0].result.at(nlohmann::json::json_pointer("/sources/0/years/0"));
  EXPECT_EQ(r[1].step.arguments["year"], year);  // resolved from the first result
  EXPECT_TRUE(plan.steps[1].arguments["year"].is_object());  // the plan keeps the reference
  EXPECT_GT(r[0].run_id, 0);
  EXPECT_EQ(r[0].citation["run_id"], r[0].run_id);
  // account is a read that logs no run: its citation names the run that stored the ledger it read
  EXPECT_EQ(r[1].run_id, 0);
  EXPECT_EQ(r[1].citation["capability"], "account");
  EXPECT_EQ(r[1].citation["logged"], false);
  EXPECT_EQ(r[1].citation["data_runs"], nlohmann::json::array({r[0].run_id}));
  EXPECT_FALSE(r[1].citation["dataset"].get<std::string>().empty());
  ASSERT_FALSE(r[1].result["rows"].empty());
  EXPECT_EQ(f.store->recent_runs(5).size(), 1u);  // the ledger build

  plan.slots["year"] = year;
  for (const char* lang : {"en", "zh"}) {
    plan.language = lang;
    const std::string text = ag::compose(plan, r);
    EXPECT_NE(text.find("[2]"), std::string::npos) << text;
    EXPECT_NE(text.find("Mt CO2"), std::string::npos) << text;
    EXPECT_TRUE(ag::unsupported_numbers(text, "", r).empty()) << text;
    // a number changed by one in its third digit is caught
    std::string forged = text;
    const auto k = forged.find("Mt CO2");
    ASSERT_NE(k, std::string::npos);
    size_t d = k;
    while (d > 0 && !(forged[d - 1] >= '0' && forged[d - 1] <= '9')) --d;
    forged[d - 1] = forged[d - 1] == '9' ? '1' : static_cast<char>(forged[d - 1] + 1);
    EXPECT_FALSE(ag::unsupported_numbers(forged, "", r).empty()) << forged;
  }
}

TEST(AgentsExecute, BadReferencesFailTheirStepOnly) {
  Fixture f;
  ag::Plan plan;
  plan.steps.push_back(step(ag::Agent::Trade, "account", {{"country", {{"from_step", 1}, {"pointer", "/x"}}}}));
  plan.steps.push_back(step(ag::Agent::Process, "gwp list", nlohmann::json::object()));
  const auto r = ag::execute(plan, f.ctx);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NE(r[0].error.find("argument 'country' of step 1"), std::string::npos) << r[0].error;
  EXPECT_NE(r[0].error.find("earlier step"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[1].error, "");  // an independent step still runs
  EXPECT_FALSE(r[1].result.is_null());

  ag::Plan missing;
  missing.steps.push_back(step(ag::Agent::Process, "gwp list", nlohmann::json::object()));
  missing.steps.push_back(step(ag::Agent::Trade, "account", {{"country", {{"from_step", 0}, {"pointer", "/no/such"}}}}));
  const auto m = ag::execute(missing, f.ctx);
  EXPECT_NE(m[1].error.find("takes '/no/such' from the result of step 1 (gwp list), which has no such value"),
            std::string::npos)
      << m[1].error;
}

TEST(AgentsExecute, FailedStepSkipsItsDependents) {
  Fixture f;
  ag::Plan plan;
  plan.steps.push_back(step(ag::Agent::Lca, "lca search", {{"query", "cement"}, {"database", "nowhere"}}));
  plan.steps.push_back(
      step(ag::Agent::Lca, "lca calc", {{"database", "nowhere"}, {"process", {{"from_step", 0}, {"pointer", "/0/ref"}}}}));
  const auto r = ag::execute(plan, f.ctx);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].error.empty());
  EXPECT_TRUE(r[0].result.is_null());
  EXPECT_EQ(r[1].error, "skipped: it needs the result of step 1 (lca search), which failed");
  plan.language = "en";
  const std::string text = ag::compose(plan, r);
  EXPECT_NE(text.find("Step 1 (lca search) failed"), std::string::npos) << text;
  EXPECT_NE(text.find("panocarbon lca import"), std::string::npos) << text;  // what to do
  EXPECT_NE(text.find("Step 2 (lca calc) was not run"), std::string::npos) << text;
  EXPECT_TRUE(ag::unsupported_numbers(text, "", r).empty()) << text;
}

TEST(AgentsExecute, PathsOutsideTheAllowedRootsAndFrontEndOptionsAreRefused) {
  Fixture f;
  ag::Plan plan;
  plan.steps.push_back(step(ag::Agent::Natural, "natural sinks", {{"data", "/etc"}}));
  plan.steps.push_back(step(ag::Agent::Natural, "natural sinks", {{"data", (f.dir / "a" / ".." / "gcb").string()}}));
  plan.steps.push_back(step(ag::Agent::Natural, "natural sinks", {{"data", (f.dir / ".." / "elsewhere").string()}}));
  plan.steps.push_back(step(ag::Agent::Trade, "account", {{"country", "CHN"}, {"format", "json"}}));
  plan.steps.push_back(step(ag::Agent::Trade, "data fetch", {{"source", "gcb"}}));
  plan.steps.push_back(step(ag::Agent::Trade, "no such tool", nlohmann::json::object()));
  const auto r = ag::execute(plan, f.ctx, {f.dir});
  ASSERT_EQ(r.size(), 6u);
  EXPECT_NE(r[0].error.find("'data' of natural sinks names '/etc', outside the folders the chat may read"),
            std::string::npos)
      << r[0].error;
  EXPECT_EQ(r[1].error.find("outside"), std::string::npos) << r[1].error;  // inside: fails later, for want of files
  EXPECT_FALSE(r[1].error.empty());
  EXPECT_NE(r[2].error.find("outside"), std::string::npos) << r[2].error;  // .. leaves the root
  EXPECT_NE(r[3].error.find("format"), std::string::npos) << r[3].error;
  EXPECT_NE(r[4].error.find("runs only from the command line"), std::string::npos) << r[4].error;
  EXPECT_NE(r[5].error.find("no such tool"), std::string::npos) << r[5].error;
}

TEST(AgentsAnswer, JsonHasThePlanResultsAndCitations) {
  ag::Answer a;
  a.text = "x [1]";
  a.plan.steps.push_back(step(ag::Agent::Trade, "account", {{"country", "CHN"}}));
  ag::StepResult r;
  r.step = a.plan.steps[0];
  r.result = {{"rows", nlohmann::json::array()}};
  r.run_id = 7;
  a.results.push_back(r);
  a.citations.push_back({{"n", 1}, {"capability", "account"}, {"run_id", 7}});
  const auto j = ag::to_json(a);
  EXPECT_EQ(j["answer"], "x [1]");
  EXPECT_EQ(j["plan"][0]["agent"], "trade");
  EXPECT_EQ(j["plan"][0]["tool"], "account");
  EXPECT_EQ(j["plan"][0]["arguments"]["country"], "CHN");
  EXPECT_EQ(j["results"][0]["rows"], nlohmann::json::array());
  EXPECT_EQ(j["steps"][0]["run_id"], 7);
  EXPECT_TRUE(j["errors"][0].is_null());
  EXPECT_TRUE(j["clarify"].is_null());
  EXPECT_EQ(j["citations"][0]["run_id"], 7);
  EXPECT_EQ(j["planner"], "deterministic");
}

TEST(AgentsExecute, SelectKeepsTheElementsOfAKindBeforeThePointer) {
  Fixture f;
  ag::Plan plan;
  plan.steps.push_back(step(ag::Agent::Process, "factors search", {{"query", "diesel"}}));
  plan.steps.push_back(step(ag::Agent::Process, "factors show",
                            {{"id", {{"from_step", 0}, {"select", {{"kind", "factor"}}}, {"pointer", "/0/id"}}}}));
  plan.steps.push_back(step(ag::Agent::Process, "gwp list", nlohmann::json::object()));
  plan.steps.push_back(step(ag::Agent::Process, "factors show",
                            {{"id", {{"from_step", 2}, {"select", {{"kind", "factor"}}}, {"pointer", "/0/id"}}}}));
  const auto r = ag::execute(plan, f.ctx);
  ASSERT_EQ(r.size(), 4u);
  ASSERT_EQ(r[0].error, "");
  ASSERT_TRUE(r[0].result.is_array());
  std::string first_factor;
  for (const auto& h : r[0].result)
    if (h["kind"] == "factor") {
      first_factor = h["id"].get<std::string>();
      break;
    }
  ASSERT_FALSE(first_factor.empty());
  ASSERT_NE(r[0].result[0]["kind"], "factor");  // the selection matters: the first hit is a fuel
  EXPECT_EQ(r[1].error, "");
  EXPECT_EQ(r[1].step.arguments["id"], first_factor);
  EXPECT_NE(r[3].error.find("'select' must be an object of values"), std::string::npos) << r[3].error;
}
