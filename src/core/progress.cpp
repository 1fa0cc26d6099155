#include "core/progress.hpp"

#include <cstdio>

namespace panocarbon {

namespace {
thread_local ProgressObserver* t_observer = nullptr;
}

ObserveProgress::ObserveProgress(ProgressObserver* observer) : previous_(t_observer) { t_observer = observer; }
ObserveProgress::~ObserveProgress() { t_observer = previous_; }
ProgressObserver* current_progress_observer() { return t_observer; }

Cancelled::Cancelled()
    : Error(ErrorCategory::InvalidInput, "cancelled: the run was stopped at the request of its front end (a DELETE of "
                                         "its job) before it finished; nothing was computed to the end") {}

Progress::Progress(std::string label, uint64_t total, bool enabled, std::string unit, double per_unit)
    : label_(std::move(label)), unit_(std::move(unit)), per_unit_(per_unit), total_(total), enabled_(enabled),
      observer_(t_observer), start_(std::chrono::steady_clock::now()), last_(start_) {
  if (observer_) observer_->report(label_, 0, total_);
}

Progress::~Progress() { finish(); }

void Progress::check_cancelled() const {
  if (observer_ && observer_->cancel_requested()) throw Cancelled();
}

void Progress::update(uint64_t done) {
  if (observer_) {
    observer_->report(label_, done, total_);
    check_cancelled();
  }
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double frac = total_ ? double(done) / double(total_) : 0.0;
  const int width = 30;
  const int filled = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r%s [%s] %3.0f%% %9.1f %s/s", label_.c_str(), bar.c_str(), frac * 100,
               secs > 0 ? double(done) / per_unit_ / secs : 0.0, unit_.c_str());
  std::fflush(stderr);
}

void Progress::start() {
  if (observer_) observer_->report(label_, 0, total_);
  if (!enabled_ || finished_) return;
  std::fprintf(stderr, "%s ...", label_.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  std::fprintf(stderr, "\r%s done in %.1f s%30s\n", label_.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(), "");
}

}  // namespace panocarbon
