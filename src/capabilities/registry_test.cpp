// The run wrapper's checks of what goes in (parameters) and what comes out (results), whatever capability runs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "panocarbon/error.hpp"
#include "panocarbon/registry.hpp"

using namespace panocarbon;

namespace {
// A capability of a real spec (`gwp list`: one choice and --format) whose run returns the given JSON.
Capability returning(nlohmann::json j, nlohmann::json summary = nlohmann::json::object()) {
  Capability c;
  c.name = "gwp list";
  c.logs_run = false;
  c.run = [j, summary](Context&, const Params&) {
    Result r;
    r.summary = summary;
    r.json = [j](const Result&) { return j; };
    return r;
  };
  return c;
}
}  // namespace

TEST(RunCapability, NonFiniteResultIsADataErrorNamingItsPath) {
  const double inf = std::numeric_limits<double>::infinity();
  const Capability c = returning({{"lines", {{{"gas", "CO2"}, {"co2e_t", 1.0}}, {{"gas", "CH4"}, {"co2e_t", inf}}}}});
  Context ctx;
  const Result r = run_capability(c, ctx, Params::from_text(c.spec(), {}));
  try {
    r.json(r);
    FAIL() << "a result holding inf must not render";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Data);
    EXPECT_EQ(e.context().field, "/lines/1/co2e_t");
    EXPECT_NE(std::string(e.what()).find("the result of 'gwp list' holds a number that is not finite at "
                                         "/lines/1/co2e_t (inf)"),
              std::string::npos)
        << e.what();
  }
  std::ostringstream out;
  EXPECT_THROW(render(c, r, "json", out), Error);
  EXPECT_EQ(out.str(), "");
}

TEST(RunCapability, NonFiniteSummaryFailsTheRun) {
  const Capability c = returning(nlohmann::json::object(), {{"total", std::nan("")}});
  Context ctx;
  try {
    run_capability(c, ctx, Params::from_text(c.spec(), {}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Data);
    EXPECT_EQ(e.context().field, "/total");
  }
}

TEST(RunCapability, FiniteResultRendersAsBefore) {
  const Capability c = returning({{"a", 1.5}, {"b", {1, 2}}});
  Context ctx;
  const Result r = run_capability(c, ctx, Params::from_text(c.spec(), {}));
  EXPECT_EQ(r.json(r), (nlohmann::json{{"a", 1.5}, {"b", {1, 2}}}));
}

TEST(RunCapability, ParametersMustBeUtf8) {
  Capability c = returning(nlohmann::json::object());
  c.name = "factors search";
  Context ctx;
  try {
    run_capability(c, ctx, Params::from_text(c.spec(), {{"query", {"caf\xE9"}}}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().field, "query");
    EXPECT_STREQ(e.what(), "field 'query': invalid input: --query 'caf\\xE9' is not valid UTF-8 (byte 4 is 0xE9); "
                           "give the text in UTF-8");
  }
}
