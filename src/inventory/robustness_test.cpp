// Parser robustness: thousands of deterministic mutations of valid inputs must either parse or throw
// panocarbon::Error, never crash or throw anything else (run under ASan/UBSan in test.sh's tier 2).
// The coverage-guided version of this test is tests/fuzz/fuzz_parsers.cpp (libFuzzer).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "panocarbon/error.hpp"
#include "panocarbon/inventory.hpp"

using namespace panocarbon;

namespace {
struct XorShift {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::string mutate(std::string text, XorShift& rng) {
  static const char alphabet[] = ",\"\n\r -.0123456789eE{}[]:aZ\xEF\xBB\xBF";
  const int edits = 1 + static_cast<int>(rng.next() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const size_t pos = rng.next() % text.size();
    const char c = alphabet[rng.next() % (sizeof alphabet - 1)];
    switch (rng.next() % 3) {
      case 0: text[pos] = c; break;
      case 1: text.insert(text.begin() + static_cast<long>(pos), c); break;
      default: text.erase(pos, 1 + rng.next() % 8); break;
    }
  }
  return text;
}
}  // namespace

TEST(Robustness, MutatedActivityCsvOnlyThrowsError) {
  const std::string seed =
      "category,activity,amount,unit,technology,gas,factor,factor_unit,year\n"
      "1.A.1.a.i,Natural Gas,1000,t,,,,,2022\n"
      "1.A.3.b.i,Motor Gasoline,5,kt,oxidation catalyst,,,,2022\n"
      "2.C.3,primary aluminium,10,t,CWPB,,,,2022\n"
      "1.A.1,\"Gas/Diesel Oil\",1,TJ,,CO2,74,t/TJ,2022\n";
  XorShift rng{0x9E3779B97F4A7C15ull};
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = mutate(seed, rng);
    try {
      const ActivityData d = read_activity_csv(text, "m.csv");
      calculate_inventory(d, FactorLibrary::builtin(), CategoryTree::ipcc2006(), CalcOptions{});
      ++parsed;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()), "");
      ++rejected;
    }
  }
  EXPECT_GT(parsed, 0);
  EXPECT_GT(rejected, 0);
}

TEST(Robustness, MutatedJsonAndSupplyOnlyThrowError) {
  const std::string json = R"({"rows":[{"category":"1.A.1","activity":"Natural Gas","amount":1,"unit":"TJ"}]})";
  const std::string supply = "fuel,unit,production,imports,exports,stock_change\nNatural Gas,kt,1,2,0,-1\n";
  XorShift rng{42};
  for (int i = 0; i < 2000; ++i) {
    try {
      read_activity_json(mutate(json, rng), "m.json");
    } catch (const Error&) {
    }
    try {
      reference_approach(read_fuel_supply_csv(mutate(supply, rng), "s.csv"), FactorLibrary::builtin(), "s.csv");
    } catch (const Error&) {
    }
  }
}

// Found by tests/fuzz/fuzz_parsers.cpp: a number too large for a double made nlohmann::json throw
// out_of_range (not parse_error), which escaped as an unknown exception.
TEST(Robustness, JsonNumberOutOfRangeIsAnInputError) {
  try {
    read_activity_json("4E4444444444444444444444444444444", "big.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("big.json: invalid input: not valid JSON"), std::string::npos);
  }
}
