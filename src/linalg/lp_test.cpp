// The LP solver against textbook programmes solved by hand, and the identities an optimum satisfies.
#include "linalg/lp.hpp"

#include <gtest/gtest.h>

#include "panocarbon/error.hpp"

namespace panocarbon::linalg {
namespace {

// Hillier & Lieberman's Wyndor Glass problem: max 3 x1 + 5 x2 s.t. x1 <= 4, 2 x2 <= 12, 3 x1 + 2 x2 <= 18.
// Optimum x = (2, 6), z = 36; shadow prices (0, 1.5, 1).
LinearProgram wyndor() {
  LinearProgram lp;
  lp.maximise = true;
  lp.cost = {3, 5};
  lp.row_lower = {-kLpInfinity, -kLpInfinity, -kLpInfinity};
  lp.row_upper = {4, 12, 18};
  lp.entries = {{0, 0, 1}, {1, 1, 2}, {2, 0, 3}, {2, 1, 2}};
  lp.row_names = {"plant 1", "plant 2", "plant 3"};
  return lp;
}

TEST(Lp, WyndorGlassOptimumAndShadowPrices) {
  const auto s = solve_lp(wyndor());
  ASSERT_EQ(s.status, LpStatus::Optimal) << s.message;
  EXPECT_NEAR(s.objective, 36, 1e-9);
  EXPECT_NEAR(s.x[0], 2, 1e-9);
  EXPECT_NEAR(s.x[1], 6, 1e-9);
  EXPECT_NEAR(s.dual[0], 0, 1e-9);
  EXPECT_NEAR(s.dual[1], 1.5, 1e-9);
  EXPECT_NEAR(s.dual[2], 1, 1e-9);
  EXPECT_LE(s.max_primal_infeasibility, 1e-9);
  // Strong duality: c'x = b'y at the optimum.
  EXPECT_NEAR(4 * s.dual[0] + 12 * s.dual[1] + 18 * s.dual[2], s.objective, 1e-9);
}

TEST(Lp, DualIsTheObjectiveChangePerUnitOfBound) {
  const auto base = solve_lp(wyndor());
  for (size_t i = 0; i < 3; ++i) {
    auto lp = wyndor();
    lp.row_upper[i] += 1e-3;
    const auto s = solve_lp(lp);
    ASSERT_EQ(s.status, LpStatus::Optimal);
    EXPECT_NEAR((s.objective - base.objective) / 1e-3, base.dual[i], 1e-6) << "row " << i;
  }
}

TEST(Lp, MinimisationWithEqualityAndBounds) {
  // min 2a + 3b s.t. a + b = 10, a <= 4: a = 4, b = 6, z = 26; dual of the equality = 3 (one more unit costs 3).
  LinearProgram lp;
  lp.cost = {2, 3};
  lp.col_upper = {4, kLpInfinity};
  lp.col_lower = {0, 0};
  lp.row_lower = {10};
  lp.row_upper = {10};
  lp.entries = {{0, 0, 1}, {0, 1, 1}};
  const auto s = solve_lp(lp);
  ASSERT_EQ(s.status, LpStatus::Optimal);
  EXPECT_NEAR(s.objective, 26, 1e-9);
  EXPECT_NEAR(s.x[0], 4, 1e-9);
  EXPECT_NEAR(s.dual[0], 3, 1e-9);
  EXPECT_NEAR(s.reduced_cost[0], -1, 1e-9);  // raising a's bound saves 1 per unit
}

TEST(Lp, InfeasibleAndUnboundedAreResultsWithAnExplanation) {
  LinearProgram lp;
  lp.cost = {1};
  lp.row_lower = {5, -kLpInfinity};
  lp.row_upper = {kLpInfinity, 3};
  lp.entries = {{0, 0, 1}, {1, 0, 1}};
  lp.row_names = {"demand", "capacity"};
  const auto s = solve_lp(lp);
  EXPECT_EQ(s.status, LpStatus::Infeasible);
  EXPECT_NE(s.message.find("no point satisfies every constraint"), std::string::npos) << s.message;

  LinearProgram u;
  u.maximise = true;
  u.cost = {1};
  u.row_lower = {0};
  u.row_upper = {kLpInfinity};
  u.entries = {{0, 0, 1}};
  const auto t = solve_lp(u);
  EXPECT_EQ(t.status, LpStatus::Unbounded);
  EXPECT_NE(t.message.find("without limit"), std::string::npos) << t.message;
}

TEST(Lp, MalformedProgrammesNameTheRowOrColumn) {
  auto lp = wyndor();
  lp.row_lower[1] = 20;  // above its upper bound 12
  try {
    solve_lp(lp);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("plant 2"), std::string::npos) << e.what();
  }
  lp = wyndor();
  lp.entries.push_back({3, 0, 1.0});
  EXPECT_THROW(solve_lp(lp), Error);
}

TEST(Lp, MilpWhereTheRelaxationDiffers) {
  // max 5 x + 4 y s.t. 6 x + 4 y <= 24, x + 2 y <= 6, x, y integer. LP: x = 3, y = 1.5, z = 21.
  // Integer optimum by enumeration: (4, 0) gives 20, (3, 1) gives 19, (2, 2) gives 18: x = 4, y = 0, z = 20.
  LinearProgram lp;
  lp.maximise = true;
  lp.cost = {5, 4};
  lp.row_lower = {-kLpInfinity, -kLpInfinity};
  lp.row_upper = {24, 6};
  lp.entries = {{0, 0, 6}, {0, 1, 4}, {1, 0, 1}, {1, 1, 2}};
  const auto relaxed = solve_lp(lp);
  ASSERT_EQ(relaxed.status, LpStatus::Optimal);
  EXPECT_NEAR(relaxed.objective, 21, 1e-9);
  lp.integer = {true, true};
  const auto s = solve_milp(lp);
  ASSERT_EQ(s.status, LpStatus::Optimal) << s.message;
  EXPECT_TRUE(s.mip);
  EXPECT_NEAR(s.objective, 20, 1e-9);
  EXPECT_NEAR(s.x[0], 4, 1e-9);
  EXPECT_NEAR(s.x[1], 0, 1e-9);
  EXPECT_NEAR(s.mip_gap, 0, 1e-9);
  // Infeasible in integers although the relaxation is feasible: 2 x = 3.
  LinearProgram odd;
  odd.cost = {1};
  odd.row_lower = {3};
  odd.row_upper = {3};
  odd.entries = {{0, 0, 2}};
  odd.integer = {true};
  const auto none = solve_milp(odd);
  EXPECT_EQ(none.status, LpStatus::Infeasible);
  EXPECT_NE(none.message.find("integer"), std::string::npos);
}

TEST(Lp, CplexLpText) {
  auto lp = wyndor();
  lp.col_names = {"x one", "x2"};
  lp.integer = {false, true};
  const std::string t = to_cplex_lp(lp);
  EXPECT_NE(t.find("Maximize\n obj: + 3 c_x_one + 5 c_x2"), std::string::npos) << t;
  EXPECT_NE(t.find(" r_plant_3: + 3 c_x_one + 2 c_x2 <= 18\n"), std::string::npos) << t;
  EXPECT_NE(t.find("General\n c_x2\n"), std::string::npos) << t;
  EXPECT_NE(t.find(" c_x_one >= 0\n"), std::string::npos) << t;
}

}  // namespace
}  // namespace panocarbon::linalg
