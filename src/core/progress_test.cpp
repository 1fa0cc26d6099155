// Progress seen by a front end (the server's jobs): the observer of a thread, and cancellation through it.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/progress.hpp"
#include "panocarbon/parallel.hpp"

using namespace panocarbon;

namespace {
struct Recorder : ProgressObserver {
  std::mutex m;
  std::string label;
  uint64_t done = 0, total = 0;
  int reports = 0;
  std::atomic<bool> stop{false};
  void report(const std::string& l, uint64_t d, uint64_t t) override {
    std::lock_guard<std::mutex> lock(m);
    label = l;
    done = d;
    total = t;
    ++reports;
  }
  bool cancel_requested() const override { return stop.load(); }
};

struct Slow : parallel::Worker {
  void run(uint64_t k, double* out) override { out[0] = double(k); }
};
}  // namespace

TEST(Progress, ReportsToTheObserverOfItsThreadWithoutDrawing) {
  Recorder r;
  {
    ObserveProgress scope(&r);
    EXPECT_EQ(current_progress_observer(), &r);
    Progress p("reading x", 100, false);
    EXPECT_TRUE(p.watched());
    p.update(40);
    EXPECT_EQ(r.label, "reading x");
    EXPECT_EQ(r.done, 40u);
    EXPECT_EQ(r.total, 100u);
  }
  EXPECT_EQ(current_progress_observer(), nullptr);
  // another thread has no observer: nothing reported, nothing watched
  const int before = r.reports;
  std::thread([&] {
    Progress p("elsewhere", 10, false);
    EXPECT_FALSE(p.watched());
    p.update(5);
  }).join();
  EXPECT_EQ(r.reports, before);
}

TEST(Progress, UpdateThrowsCancelledOnceTheObserverAsks) {
  Recorder r;
  ObserveProgress scope(&r);
  Progress p("work", 10, false);
  p.update(1);
  r.stop = true;
  EXPECT_THROW(p.update(2), Cancelled);
  try {
    p.check_cancelled();
    FAIL() << "no Cancelled";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cancelled"), std::string::npos);
  }
}

TEST(Progress, RunDrawsReportsAndStopsWhenCancelled) {
  for (int threads : {1, 3}) {
    Recorder r;
    ObserveProgress scope(&r);
    parallel::RunOptions o;
    o.draws = 200000;
    o.threads = threads;
    o.chunk = 100;
    o.label = "test draws";
    const auto d = parallel::run_draws(1, o, [] { return std::make_unique<Slow>(); });
    EXPECT_EQ(d.values[199999], 199999.0);
    EXPECT_EQ(r.label, "test draws");
    EXPECT_EQ(r.total, 200000u);
    EXPECT_EQ(r.done, 200000u) << threads << " threads";
    // cancelled before it starts: it stops at the first chunk, from any thread, with Cancelled
    r.stop = true;
    EXPECT_THROW(parallel::run_draws(1, o, [] { return std::make_unique<Slow>(); }), Cancelled) << threads;
  }
}
