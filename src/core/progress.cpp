#include "core/progress.hpp"

#include <cstdio>

namespace panocarbon {

Progress::Progress(std::string label, uint64_t total, bool enabled, std::string unit, double per_unit)
    : label_(std::move(label)), unit_(std::move(unit)), per_unit_(per_unit), total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
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
