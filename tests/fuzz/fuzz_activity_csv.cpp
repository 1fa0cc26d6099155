// libFuzzer target: activity data CSV (src/io/activity_io.cpp, read_activity_csv) and the inventory
// calculation behind it; the fuel supply CSV of the reference approach (read_fuel_supply_csv) reads the same
// tokenizer. Seeds: tests/fuzz/corpus/activity_csv; dictionary: tests/fuzz/dict/activity_csv.dict.
#include "fuzz_activity_inventory.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::guarded([&] { fuzz::check_activity(read_activity_csv(text, "fuzz.csv")); });
  fuzz::guarded([&] {
    for (const FuelSupplyRow& r : read_fuel_supply_csv(text, "fuzz.csv")) {
      for (const double v : {r.production, r.imports, r.exports, r.international_bunkers, r.stock_change, r.excluded})
        fuzz::check_finite(v, "FuelSupplyRow");
    }
  });
  return 0;
}
