// A JSON number beyond a double (1e400) makes nlohmann throw json::out_of_range, not json::parse_error; the
// readers that caught only parse_error let it escape as no panocarbon::Error (found by the fuzzing tier:
// tests/fuzz/fuzz_study_json.cpp, fuzz_sensitivity_model.cpp, fuzz_mrio_useeio.cpp). Each names the file and
// the line of the number now.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/mrio_formats.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/sensitivity_models.hpp"

namespace {
namespace fs = std::filesystem;

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("pc-json-overflow-" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir / "matrix"); }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path write(const std::string& rel, const std::string& text) const {
    std::ofstream(dir / rel, std::ios::binary) << text;
    return dir / rel;
  }
};

template <typename F>
panocarbon::Error error_of(F&& f) {
  try {
    f();
  } catch (const panocarbon::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return panocarbon::Error(panocarbon::ErrorCategory::Internal, "no error");
}

void expect_overflow(const panocarbon::Error& e, const std::string& file, long line) {
  EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput) << e.what();
  EXPECT_EQ(e.context().file, file) << e.what();
  EXPECT_EQ(e.context().line, line) << e.what();
  EXPECT_NE(std::string(e.what()).find("1e400"), std::string::npos) << e.what();
}
}  // namespace

TEST(JsonNumberOverflow, FootprintStudy) {
  const Scratch s;
  const auto p = s.write("study.json", "{\"product\": \"p\",\n \"database\": \"db\",\n \"reference_flow\": {\"amount\": 1e400}}\n");
  expect_overflow(error_of([&] { panocarbon::lca::read_study(p); }), p.string(), 3);
}

TEST(JsonNumberOverflow, SensitivityModel) {
  const std::string text = "{\"model\": \"linear\",\n \"coefficients\": [1e400], \"parameters\": []}";
  expect_overflow(error_of([&] { panocarbon::sens::parse_model(text, "m.json", ".", {}); }), "m.json", 2);
}

TEST(JsonNumberOverflow, UseeioMatrix) {
  const Scratch s;
  s.write("sectors.json", R"([{"id": "a/x/us", "index": 0, "name": "x", "code": "A", "location": "US"}])");
  const auto a = s.write("matrix/A.json", "[\n[1e400]\n]\n");
  expect_overflow(error_of([&] { panocarbon::mrio_io::read_useeio(s.dir.string()); }), a.string(), 2);
}
