// A progress bar on stderr for long work (parsing a 1 GB table, factorising). Draws only when enabled
// (the CLI enables it when stderr is a terminal), at most ten times a second.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace panocarbon {

class Progress {
 public:
  // The rate is shown as done / per_unit per second in `unit`/s (bytes as MB/s by default; draws/s).
  Progress(std::string label, uint64_t total, bool enabled, std::string unit = "MB", double per_unit = 1e6);
  ~Progress();
  void update(uint64_t done);
  // The total once it is known (a download learns its size from the server's answer).
  void set_total(uint64_t total) { total_ = total; }
  // For one long call that reports nothing while it runs (a factorisation): the label now, "done in" later.
  void start();
  void finish();

 private:
  std::string label_, unit_;
  double per_unit_ = 1e6;
  uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace panocarbon
