// A progress bar on stderr for long work (parsing a 1 GB table, factorising). Draws only when enabled
// (the CLI enables it when stderr is a terminal), at most ten times a second.
//
// A front end that shows progress elsewhere (the HTTP server's jobs) installs a ProgressObserver for the
// thread that runs a capability (ObserveProgress); every Progress made on that thread reports to it, whether
// or not it draws, and update() throws Cancelled once the observer asks to stop.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "panocarbon/error.hpp"

namespace panocarbon {

class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  // May be called from several threads of one computation; must be cheap.
  virtual void report(const std::string& label, uint64_t done, uint64_t total) = 0;
  virtual bool cancel_requested() const = 0;
};

// Installs `observer` for the calling thread while in scope (the previous one is restored after).
class ObserveProgress {
 public:
  explicit ObserveProgress(ProgressObserver* observer);
  ~ObserveProgress();
  ObserveProgress(const ObserveProgress&) = delete;
  ObserveProgress& operator=(const ObserveProgress&) = delete;

 private:
  ProgressObserver* previous_;
};
ProgressObserver* current_progress_observer();

// Thrown by Progress::update() (and check_cancelled()) when the observer asked to stop the work.
class Cancelled : public Error {
 public:
  Cancelled();
};

class Progress {
 public:
  // The rate is shown as done / per_unit per second in `unit`/s (bytes as MB/s by default; draws/s).
  // The observer of the constructing thread, if any, is kept: update() may then be called from other threads.
  Progress(std::string label, uint64_t total, bool enabled, std::string unit = "MB", double per_unit = 1e6);
  ~Progress();
  // Draws (when enabled), reports to the observer, and throws Cancelled when it asked to stop.
  void update(uint64_t done);
  // The total once it is known (a download learns its size from the server's answer).
  void set_total(uint64_t total) { total_ = total; }
  // For one long call that reports nothing while it runs (a factorisation): the label now, "done in" later.
  void start();
  void finish();
  // Whether anyone watches: drawing on stderr or an observer (worth a reporting thread).
  bool watched() const { return enabled_ || observer_ != nullptr; }
  // Throws Cancelled when the observer asked to stop (for loops that call update() rarely).
  void check_cancelled() const;

 private:
  std::string label_, unit_;
  double per_unit_ = 1e6;
  uint64_t total_;
  bool enabled_;
  bool finished_ = false;
  ProgressObserver* observer_ = nullptr;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace panocarbon
