// Parser robustness: thousands of deterministic mutations of valid inputs must either parse or throw
// panocarbon::Error, never crash or throw anything else (run under ASan/UBSan in test.sh's tier 2).
// The coverage-guided version of this test is tests/fuzz/fuzz_parsers.cpp (libFuzzer).
#include <gtest/gtest.h>

#include <cmath>
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
  int json_parsed = 0, json_rejected = 0, supply_parsed = 0, supply_rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    try {
      const ActivityData d = read_activity_json(mutate(json, rng), "m.json");
      for (const auto& row : d.rows) EXPECT_TRUE(std::isfinite(row.amount));
      ++json_parsed;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << e.what();
      EXPECT_EQ(e.context().file, "m.json") << e.what();
      ++json_rejected;
    }
    try {
      const auto r = reference_approach(read_fuel_supply_csv(mutate(supply, rng), "s.csv"), FactorLibrary::builtin(), "s.csv");
      EXPECT_TRUE(std::isfinite(r.co2_t));
      ++supply_parsed;
    } catch (const Error& e) {
      EXPECT_NE(e.category(), ErrorCategory::Internal) << e.what();
      EXPECT_EQ(e.context().file, "s.csv") << e.what();
      ++supply_rejected;
    }
  }
  // Both readers see valid and broken inputs alike: a mutation that never parses (or never fails) tests nothing.
  EXPECT_GT(json_parsed, 10);
  EXPECT_GT(json_rejected, 10);
  EXPECT_GT(supply_parsed, 10);
  EXPECT_GT(supply_rejected, 10);
}

// A hostile review: 1e306 t of gas gave CO2 `inf` with exit 0; `inf` and `NaN` passed the supply reader (NaN
// then failed in SQLite). Every number is finite or the reader names the file, line and field.
TEST(Robustness, OverflowingAmountStopsTheCalculation) {
  const ActivityData d = read_activity_csv("category,activity,amount,unit\n1.A.1.a.i,Natural Gas,1e306,kt\n", "big.csv");
  try {
    calculate_inventory(d, FactorLibrary::builtin(), CategoryTree::ipcc2006(), CalcOptions{});
    FAIL() << "an overflowing row must stop the calculation";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().file, "big.csv");
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().field, "amount");
    EXPECT_NE(std::string(e.what()).find("the emissions of this row overflow (amount 1e+306 kt"), std::string::npos)
        << e.what();
  }
}

TEST(Robustness, TotalThatOverflowsStopsTheCalculation) {
  // each row alone is finite; their sum is not
  const ActivityData d = read_activity_csv("category,activity,amount,unit,gas,factor,factor_unit\n"
                                           "1.A.1,Natural Gas,1e300,TJ,CO2,1.5e8,t/TJ\n"
                                           "1.A.1,Natural Gas,1e300,TJ,CO2,1.5e8,t/TJ\n",
                                           "sum.csv");
  try {
    calculate_inventory(d, FactorLibrary::builtin(), CategoryTree::ipcc2006(), CalcOptions{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().line, 3);
    EXPECT_NE(std::string(e.what()).find("the total emissions overflow"), std::string::npos) << e.what();
  }
}

TEST(Robustness, NonFiniteNumbersAreRefusedByEveryActivityReader) {
  for (const char* bad : {"inf", "NaN", "1e400", "-inf"}) {
    try {
      read_fuel_supply_csv(std::string("fuel,unit,production\nNatural Gas,kt,") + bad + "\n", "s.csv");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
      EXPECT_EQ(e.context().line, 2);
      EXPECT_EQ(e.context().field, "production");
    }
    try {
      read_activity_csv(std::string("category,activity,amount,unit\n1.A.1,Natural Gas,") + bad + ",TJ\n", "a.csv");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
      EXPECT_EQ(e.context().line, 2);
      EXPECT_EQ(e.context().field, "amount");
    }
  }
  try {
    read_activity_json(R"([{"category":"1.A.1","activity":"Natural Gas","amount":"1e400","unit":"TJ"}])", "a.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().field, "amount");
    EXPECT_NE(std::string(e.what()).find("'1e400' is beyond the range of a double"), std::string::npos) << e.what();
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
