// The natural side of the account: the two views, their difference, the remainder, CO2-e and ranges by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "panocarbon/natural_account.hpp"

using namespace panocarbon;
namespace nat = panocarbon::natural;

namespace {
NaturalFluxRecord rec(const std::string& module, const std::string& species, double v, double lo, double hi,
                      const std::string& origin, const std::string& management, const std::string& note = "") {
  NaturalFluxRecord r;
  r.module = module;
  r.species = species;
  r.value = v;
  r.lower = lo;
  r.upper = hi;
  r.unit = "t " + species;
  r.origin = origin;
  r.management = management;
  r.note = note;
  return r;
}
}  // namespace

TEST(NaturalAccount, ViewsDifferenceAndRangesByHand) {
  const double n = std::nan("");
  const std::vector<NaturalFluxRecord> rs = {
      rec("forest", "CO2", -100, -150, -50, "direct anthropogenic", "managed"),  // I and B
      rec("forest", "CO2", -40, n, n, "indirect anthropogenic", "managed"),      // I only
      rec("forest", "CO2", -7, -9, -5, "natural", "unmanaged"),                  // remainder
      rec("afolu-fire", "CH4", 2, 1, 4, "natural", "managed"),                   // I only: 2 x 28 = 56 [28, 112]
      rec("afolu-fire", "N2O", 0.1, n, n, "direct anthropogenic", "unmanaged"),  // B only: 26.5
      rec("afolu-fire", "CO", 50, n, n, "natural", "managed"),                   // no GWP100: left out
  };
  const auto acc = nat::natural_account(rs, GwpTable::builtin().set("AR5"));
  ASSERT_EQ(acc.modules.size(), 2u);
  const auto& f = acc.modules[0];
  EXPECT_EQ(f.module, "forest");
  EXPECT_EQ(f.records, 3u);
  EXPECT_EQ(f.with_range, 2u);
  EXPECT_DOUBLE_EQ(f.inventory.value, -140);
  EXPECT_DOUBLE_EQ(f.inventory.lower, -190);
  EXPECT_DOUBLE_EQ(f.inventory.upper, -90);
  EXPECT_DOUBLE_EQ(f.budget.value, -100);
  EXPECT_DOUBLE_EQ(f.difference.value, -40);
  EXPECT_DOUBLE_EQ(f.difference.lower, -40);  // the shared record cancels exactly
  EXPECT_DOUBLE_EQ(f.remainder.value, -7);
  EXPECT_DOUBLE_EQ(f.total.value, -147);
  const auto& x = acc.modules[1];
  EXPECT_EQ(x.records, 2u);
  EXPECT_DOUBLE_EQ(x.inventory.value, 56);
  EXPECT_DOUBLE_EQ(x.inventory.lower, 28);
  EXPECT_DOUBLE_EQ(x.inventory.upper, 112);
  EXPECT_DOUBLE_EQ(x.budget.value, 26.5);
  // D = 56 [28, 112] - 26.5: lower 28 - 26.5, upper 112 - 26.5
  EXPECT_DOUBLE_EQ(x.difference.value, 29.5);
  EXPECT_DOUBLE_EQ(x.difference.lower, 1.5);
  EXPECT_DOUBLE_EQ(x.difference.upper, 85.5);
  EXPECT_DOUBLE_EQ(acc.total.inventory.value, -140 + 56);
  EXPECT_DOUBLE_EQ(acc.total.budget.value, -100 + 26.5);
  EXPECT_DOUBLE_EQ(acc.total.difference.value, acc.total.inventory.value - acc.total.budget.value);
  EXPECT_DOUBLE_EQ(acc.total.total.value, -147 + 56 + 26.5);
  ASSERT_EQ(acc.skipped.size(), 1u);
  EXPECT_EQ(acc.skipped[0], "afolu-fire CO: 1 record (no GWP100 in AR5)");
}

TEST(NaturalAccount, Ar6MethaneFossilForGeologicalSeepsOnly) {
  const auto& ar6 = GwpTable::builtin().set("AR6");
  const double n = std::nan("");
  EXPECT_DOUBLE_EQ(nat::record_gwp(rec("methane", "CH4", 1, n, n, "natural", "", "Wetlands"), ar6), 27.0);
  EXPECT_DOUBLE_EQ(nat::record_gwp(rec("methane", "CH4", 1, n, n, "natural", "", "Geological (onshore)"), ar6), 29.8);
  EXPECT_DOUBLE_EQ(nat::record_gwp(rec("methane", "CH4", 1, n, n, "natural", ""), GwpTable::builtin().set("AR4")),
                   25.0);
  EXPECT_TRUE(std::isnan(nat::record_gwp(rec("fire", "BC", 1, n, n, "natural", ""), ar6)));
  auto kg = rec("x", "CO2", 1, n, n, "natural", "");
  kg.unit = "kg CO2";
  const auto acc = nat::natural_account({kg}, ar6);
  EXPECT_TRUE(acc.modules.empty());
  EXPECT_EQ(acc.skipped.at(0), "x CO2: 1 record (unit 'kg CO2' is not tonnes)");
}
