// libFuzzer target for the activity-data and fuel-supply parsers and the whole calculation behind them.
// Build and run: cmake --preset fuzz && cmake --build --preset fuzz && build-fuzz/bin/fuzz_parsers CORPUS_DIR
// Any exception other than panocarbon::Error, and any sanitizer report, is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "panocarbon/inventory.hpp"
#include "panocarbon/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace panocarbon;
  try {
    const ActivityData d = read_activity_csv(text, "fuzz.csv");
    calculate_inventory(d, FactorLibrary::builtin(), CategoryTree::ipcc2006(), CalcOptions{});
  } catch (const Error&) {
  }
  try {
    read_activity_json(text, "fuzz.json");
  } catch (const Error&) {
  }
  try {
    read_fuel_supply_csv(text, "fuzz.csv");
  } catch (const Error&) {
  }
  return 0;
}
