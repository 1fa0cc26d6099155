// libFuzzer target: USEEIO API JSON folders (src/io/mrio_useeio.cpp, read_useeio). Parts (split at lines
// "---"): sectors.json, matrix/A.json, demands.json, demands/d.json, matrix/B.json, flows.json,
// matrix/C.json, indicators.json, matrix/q.json. Seeds: tests/fuzz/corpus/mrio_useeio.
#include "fuzz_mrio_check.hpp"
#include "io/mrio_formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  static const char* const names[] = {"sectors.json",  "matrix/A.json", "demands.json",
                                      "demands/d.json", "matrix/B.json", "flows.json",
                                      "matrix/C.json",  "indicators.json", "matrix/q.json"};
  const auto dir = fuzz::write_parts(std::string_view(reinterpret_cast<const char*>(data), size), names);
  fuzz::guarded([&] {
    if (mrio_io::looks_like_useeio(dir.string())) fuzz::check_system(mrio_io::read_useeio(dir.string()));
  });
  return 0;
}
