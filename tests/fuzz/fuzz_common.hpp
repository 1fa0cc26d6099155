// Shared by the libFuzzer targets of tests/fuzz (docs/testing.md, "Tier 4: fuzzing").
// The contract every target checks: a reader returns or throws panocarbon::Error (any category). Any other
// exception escapes LLVMFuzzerTestOneInput and libFuzzer reports it ("uncaught exception"); a crash, a leak,
// undefined behaviour (ASan, UBSan) or a hang (-timeout) is a bug too. Every number a reader returns must be
// finite: check_finite() aborts, naming the field, when one is not.
#pragma once
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "panocarbon/error.hpp"
#include "panocarbon/matrix.hpp"

namespace fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz contract broken: %s\n", what);
  std::abort();
}

inline void check_finite(double v, const char* what) {
  if (!std::isfinite(v)) {
    std::fprintf(stderr, "fuzz contract broken: the reader returned a non-finite number (%g) in %s\n", v, what);
    std::abort();
  }
}
template <typename C>
void check_all_finite(const C& values, const char* what) {
  for (const auto v : values) check_finite(static_cast<double>(v), what);
}
inline void check_finite(const panocarbon::DenseMatrix& m, const char* what) { check_all_finite(m.data, what); }
inline void check_finite(const panocarbon::SparseRows& m, const char* what) { check_all_finite(m.value, what); }

// Runs f; a panocarbon::Error is a valid answer to any input, anything else propagates to libFuzzer.
template <typename F>
void guarded(F&& f) {
  try {
    f();
  } catch (const panocarbon::Error&) {
  }
}

// Multi-file formats take their files from one input, in a fixed order, split at lines "---" (a missing
// part is an absent file, an empty part an empty file). The seeds in tests/fuzz/corpus are written so.
inline std::vector<std::string_view> split_parts(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t p = text.find("\n---\n", start);
    if (p == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, p + 1 - start));
    start = p + 5;
  }
}

// A scratch folder unique to this process (TMPDIR or /tmp), emptied before each input and removed at exit:
// the readers that take a path read the fuzz input from a file written here on every iteration.
class Scratch {
 public:
  static Scratch& get() {
    static Scratch s;
    return s;
  }
  const std::filesystem::path& dir() const { return dir_; }
  // Empties the folder and returns it.
  const std::filesystem::path& fresh() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    std::filesystem::create_directories(dir_, ec);
    if (ec) fail("cannot create the scratch folder");
    return dir_;
  }
  // Writes `bytes` to dir()/rel (folders created) and returns the path.
  std::filesystem::path write(const std::string& rel, std::string_view bytes) const {
    const std::filesystem::path p = dir_ / rel;
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) fail("cannot write a scratch file");
    return p;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  Scratch() {
    const char* t = std::getenv("TMPDIR");
    dir_ = std::filesystem::path(t && *t ? t : "/tmp") / ("panocarbon-fuzz-" + std::to_string(::getpid()));
  }
  std::filesystem::path dir_;
};

}  // namespace fuzz
