// Global Carbon Budget 2019: the budget identity on the real data (fails when any year is off by more than the
// data's rounding), and on a copy with one value changed (must then be detected).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"
#include "panocarbon/provenance.hpp"

namespace nat = panocarbon::natural;
namespace fs = std::filesystem;

namespace {
const std::string kGcb = std::string(PANOCARBON_SHARED_DATA) + "/natural/gcb2019";
}

TEST(CarbonBudget, IdentityHoldsEveryYearWithinRounding) {
  if (!fs::exists(kGcb)) GTEST_SKIP() << "no " << kGcb;
  const auto cb = nat::read_carbon_budget(kGcb);
  ASSERT_EQ(cb.years.size(), 60u);
  EXPECT_EQ(cb.years.front().year, 1959);
  EXPECT_EQ(cb.years.back().year, 2018);
  const double tol = nat::rounding_tolerance(3);  // six terms rounded to 0.001 GtC
  EXPECT_NEAR(tol, 0.003, 1e-6);
  double worst = 0;
  for (const auto& y : cb.years) {
    EXPECT_LE(std::abs(y.residual()), tol) << "year " << y.year;
    worst = std::max(worst, std::abs(y.residual()));
  }
  EXPECT_GT(worst, 0.0);  // the data is rounded: some residual is not exactly zero
  // 2018 by hand: 9.982 + 1.509 - (5.140 + 2.628 + 3.469 + 0.253) = 0.001
  EXPECT_NEAR(cb.years.back().residual(), 0.001, 1e-9);
  EXPECT_NEAR(cb.years.back().ocean_sink, 2.628, 1e-12);
  // ensemble ranges of the model files bracket their budget values
  for (const auto& y : cb.years) {
    const auto& o = cb.ocean_range.at(y.year);
    EXPECT_LE(o.first, y.ocean_sink + 1e-9);
    EXPECT_GE(o.second, y.ocean_sink - 1e-9);
  }
}

TEST(CarbonBudget, BrokenIdentityIsDetected) {
  if (!fs::exists(kGcb)) GTEST_SKIP() << "no " << kGcb;
  const fs::path dir = fs::temp_directory_path() / "panocarbon_gcb_broken";
  fs::create_directories(dir);
  std::string text = panocarbon::read_file(kGcb + "/global-carbon-budget.csv");
  const std::string row = "2018,9.982,1.509,5.140,2.628,3.469,0.253";
  const auto at = text.find(row);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, row.size(), "2018,9.982,1.509,5.140,2.628,3.469,0.263");  // imbalance +0.010
  std::ofstream(dir / "global-carbon-budget.csv") << text;
  const auto cb = nat::read_carbon_budget(dir.string());
  EXPECT_GT(std::abs(cb.years.back().residual()), nat::rounding_tolerance(3));
  fs::remove_all(dir);
}

TEST(CarbonBudget, ErrorsNameFileLineAndColumn) {
  const fs::path dir = fs::temp_directory_path() / "panocarbon_gcb_bad";
  fs::create_directories(dir);
  std::ofstream(dir / "global-carbon-budget.csv")
      << "Year,Fossil-Fuel-And-Industry,Land-Use-Change-Emissions,Atmospheric-Growth,Ocean-Sink,Land-Sink,"
         "Budget-Imbalance\n1959,2.417,1.810,2.045,x,0.564,0.862\n";
  try {
    nat::read_carbon_budget(dir.string());
    FAIL() << "no error";
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().field, "Ocean-Sink");
    EXPECT_NE(std::string(e.what()).find("global-carbon-budget.csv"), std::string::npos);
  }
  EXPECT_THROW(nat::read_carbon_budget((dir / "nowhere").string()), panocarbon::Error);
  fs::remove_all(dir);
}
