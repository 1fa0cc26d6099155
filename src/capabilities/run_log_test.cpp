// The run log of run_capability(): every way out of a run marks it (ok, or failed with the message), whatever
// was thrown: an Error, another exception, a non-standard exception, a database error.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "panocarbon/error.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace pc = panocarbon;

namespace {
struct Fixture {
  pc::Store store = pc::Store::open(":memory:");
  pc::Context ctx;
  pc::Capability cap = pc::capability("demo");  // a logged capability; its run() is replaced below
  Fixture() {
    ctx.open_store = [this]() -> pc::Store& { return store; };
  }
  // Runs cap with run() = body; returns the run's status and error, and checks that it rethrew.
  template <class Body>
  pc::RunRecord run(Body body) {
    cap.run = [body](pc::Context& c, const pc::Params&) -> pc::Result { return body(c); };
    const pc::Params params = pc::Params::from_text(cap.spec(), {});
    EXPECT_ANY_THROW(pc::run_capability(cap, ctx, params));
    const auto runs = store.recent_runs(1);
    EXPECT_EQ(runs.size(), 1u);
    return runs.empty() ? pc::RunRecord{} : runs[0];
  }
};
}  // namespace

TEST(RunLog, AnyExceptionMarksTheRunFailed) {
  Fixture f;
  auto r = f.run([](pc::Context&) -> pc::Result { throw std::runtime_error("vector::at out of range"); });
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.summary["error"], "internal error: vector::at out of range");
  EXPECT_FALSE(r.finished_at.empty());

  r = f.run([](pc::Context&) -> pc::Result { throw 42; });  // not even a std::exception
  EXPECT_EQ(r.status, "failed");
  EXPECT_EQ(r.summary["error"], "internal error: an unknown exception");

  r = f.run([](pc::Context&) -> pc::Result { return pc::Result{}; });  // no JSON rendering: exit 70
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.summary["error"].get<std::string>().find("internal error"), std::string::npos);
}

// A message that is not valid UTF-8 (a file name in Latin-1) used to make the run log's JSON throw while
// marking the run failed: exit 70 with the run left `running`.
TEST(RunLog, ErrorMessageThatIsNotUtf8StillMarksTheRunFailed) {
  Fixture f;
  const auto r = f.run([](pc::Context&) -> pc::Result {
    throw pc::Error(pc::ErrorCategory::InvalidInput, "cannot read caf\xe9.csv", pc::ErrorContext{"caf\xe9.csv"});
  });
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.summary["error"].get<std::string>().find("cannot read caf"), std::string::npos);
}

// A database error inside the run (here a non-finite value refused by the store, and a foreign key) marks the
// run failed with that message; nothing of it is stored.
TEST(RunLog, DatabaseErrorsMarkTheRunFailed) {
  Fixture f;
  auto r = f.run([](pc::Context& c) -> pc::Result {
    c.store().save_results(c.run_id(), {{"total", "CO2e", std::numeric_limits<double>::infinity(), "t"}});
    return pc::Result{};
  });
  EXPECT_EQ(r.status, "failed");
  const std::string msg = r.summary["error"];
  EXPECT_NE(msg.find("results.value"), std::string::npos) << msg;
  EXPECT_NE(msg.find("run " + std::to_string(r.id)), std::string::npos) << msg;
  EXPECT_TRUE(f.store.results(r.id).empty());

  r = f.run([](pc::Context& c) -> pc::Result {
    c.store().save_results(c.run_id() + 1000, {{"total", "CO2e", 1.0, "t"}});  // no such run
    return pc::Result{};
  });
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.summary["error"].get<std::string>().find("FOREIGN KEY"), std::string::npos) << r.summary.dump();
}

// The CLI's way (Context::open_store_in_background): the store is opened and the run begun on a second thread
// while the capability runs. The run log is the same: ok with its inputs, or failed with the message; a store
// that cannot be opened fails the run with its own error, whether the capability succeeded, failed, or asked
// for its run id.
TEST(RunLog, StoreOpenedOnASecondThreadLogsTheSameRun) {
  Fixture f;
  f.ctx.open_store_in_background = true;
  f.cap.run = [](pc::Context& c, const pc::Params&) -> pc::Result {
    c.add_input({{"path", "x.csv"}});
    pc::Result r;
    r.json = [](const pc::Result&) { return nlohmann::json::object(); };
    r.summary = {{"rows", 3}};
    if (c.run_id() != 0) c.store().save_results(c.run_id(), {{"total", "CO2e", 2.5, "t"}});
    return r;
  };
  const pc::Params params = pc::Params::from_text(f.cap.spec(), {});
  const pc::Result ok = pc::run_capability(f.cap, f.ctx, params);
  auto runs = f.store.recent_runs(1);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(ok.run_id, runs[0].id);
  EXPECT_EQ(runs[0].status, "ok");
  EXPECT_EQ(runs[0].summary["rows"], 3);
  EXPECT_EQ(runs[0].inputs[0]["path"], "x.csv");
  EXPECT_EQ(f.store.results(runs[0].id).size(), 1u);

  // A capability that never asks for its run: the run is still begun, then finished.
  auto r = f.run([](pc::Context&) -> pc::Result {
    throw pc::Error(pc::ErrorCategory::InvalidInput, "no such column 'year' in x.csv", pc::ErrorContext{"x.csv"});
  });
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.summary["error"].get<std::string>().find("no such column 'year'"), std::string::npos);

  // The store cannot be opened: its error, not the capability's, whichever way the capability ends.
  pc::Context broken;
  broken.open_store_in_background = true;
  broken.open_store = []() -> pc::Store& {
    throw pc::Error(pc::ErrorCategory::Database, "cannot open the database (unable to open database file)",
                    pc::ErrorContext{"/x/y.db"});
  };
  for (int way = 0; way < 3; ++way) {
    pc::Capability cap = pc::capability("demo");
    cap.run = [way](pc::Context& c, const pc::Params&) -> pc::Result {
      if (way == 1) throw pc::Error(pc::ErrorCategory::InvalidInput, "bad input");
      if (way == 2) (void)c.run_id();
      pc::Result res;
      res.json = [](const pc::Result&) { return nlohmann::json::object(); };
      return res;
    };
    try {
      pc::run_capability(cap, broken, pc::Params::from_text(cap.spec(), {}));
      ADD_FAILURE() << "way " << way << ": no error";
    } catch (const pc::Error& e) {
      EXPECT_EQ(e.category(), pc::ErrorCategory::Database) << way;
      EXPECT_NE(std::string(e.what()).find("cannot open the database"), std::string::npos) << way << e.what();
    }
  }
}
