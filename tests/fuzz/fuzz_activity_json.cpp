// libFuzzer target: activity data JSON (src/io/activity_io.cpp, read_activity_json) and the inventory
// calculation behind it. Seeds: tests/fuzz/corpus/activity_json; dictionary: tests/fuzz/dict/json.dict.
#include "fuzz_activity_inventory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::guarded([&] { fuzz::check_activity(panocarbon::read_activity_json(text, "fuzz.json")); });
  return 0;
}
