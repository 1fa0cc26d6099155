// Global sensitivity (issue 5): Sobol indices against the closed forms of the Ishigami function and the
// Sobol' G-function, bootstrap interval coverage, Morris effects of a linear model (exact) and the G-function
// ranking, thread independence, the inventory model against calculate_inventory, an LCA model against its
// closed form, and the model-file errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/sensitivity.hpp"

namespace pc = panocarbon;
namespace sens = panocarbon::sens;
namespace unc = panocarbon::unc;

namespace {
constexpr double kPi = std::numbers::pi;

struct Exact {
  std::vector<double> S1, ST;
};
// Ishigami & Homma (1990), x_i ~ U(−π, π): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2,
// V2 = a²/8, V13 = b²π⁸ (1/18 − 1/50) (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.4).
Exact ishigami_exact(double a, double b) {
  const double pi4 = std::pow(kPi, 4), pi8 = std::pow(kPi, 8);
  const double V = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
  const double V1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), V2 = a * a / 8, V13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
  return {{V1 / V, V2 / V, 0.0}, {(V1 + V13) / V, V2 / V, V13 / V}};
}
// G-function, x_i ~ U(0, 1): V_i = 1/(3(1 + a_i)²), V = Π(1 + V_j) − 1, S_i = V_i/V,
// ST_i = V_i Π_{j≠i}(1 + V_j)/V (Saltelli et al. 2010, §5).
Exact g_exact(const std::vector<double>& a) {
  std::vector<double> Vi;
  double prod = 1;
  for (double ai : a) {
    Vi.push_back(1.0 / (3 * (1 + ai) * (1 + ai)));
    prod *= 1 + Vi.back();
  }
  const double V = prod - 1;
  Exact e;
  for (double v : Vi) {
    e.S1.push_back(v / V);
    e.ST.push_back(v * (prod / (1 + v)) / V);
  }
  return e;
}

std::vector<sens::Parameter> uniform_params(size_t k, double lo, double hi) {
  std::vector<sens::Parameter> ps;
  for (size_t i = 0; i < k; ++i) {
    std::string name = "x";  // (not "x" + std::string: a GCC 12 -Wrestrict false positive)
    name += std::to_string(i + 1);
    ps.push_back({name, unc::uniform(lo, hi)});
  }
  return ps;
}
std::unique_ptr<sens::Model> ishigami_model() {
  return sens::function_model(uniform_params(3, -kPi, kPi), [](const double* x) { return sens::ishigami(x, 7, 0.1); });
}
const std::vector<double> kG = {0, 1, 4.5, 9, 99, 99};
std::unique_ptr<sens::Model> g_model() {
  return sens::function_model(uniform_params(kG.size(), 0, 1), [](const double* x) { return sens::g_function(x, kG); });
}
sens::SobolOptions sobol_options(uint64_t n, uint64_t boot, uint64_t seed, int threads = 2) {
  sens::SobolOptions o;
  o.samples = n;
  o.bootstrap = boot;
  o.seed = seed;
  o.run.threads = threads;
  o.run.progress = false;
  return o;
}
}  // namespace

TEST(SensitivityExact, ClosedFormsGiveThePublishedValues) {
  // The values quoted in the literature (4 decimals), as a check on the closed forms above.
  const auto e = ishigami_exact(7, 0.1);
  EXPECT_NEAR(e.S1[0], 0.3139, 5e-5);
  EXPECT_NEAR(e.S1[1], 0.4424, 5e-5);
  EXPECT_NEAR(e.ST[0], 0.5576, 5e-5);
  EXPECT_NEAR(e.ST[2], 0.2437, 5e-5);
}

// Tolerances: the estimators' standard errors, measured over 30 independent replications (numpy, same
// estimators) at N = 2^14, are at most 0.011 (S1) and 0.008 (ST) for Ishigami; they fall as 1/√N, so at
// N = 2^16 they are ≤ 0.0055 and 0.02 is more than 3.5 standard errors.
TEST(SensitivitySobol, IshigamiMatchesClosedFormAtN65536) {
  const auto model = ishigami_model();
  const auto r = sens::sobol(*model, sobol_options(1 << 16, 0, 20240601));
  const auto e = ishigami_exact(7, 0.1);
  ASSERT_EQ(r.indices.size(), 3u);
  EXPECT_EQ(r.runs, uint64_t(1 << 16) * 5);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(r.indices[i].S1, e.S1[i], 0.02) << r.indices[i].parameter;
    EXPECT_NEAR(r.indices[i].ST, e.ST[i], 0.02) << r.indices[i].parameter;
  }
  // The output variance against the closed form V (relative standard error of a variance ≈ √(2/2N)·kurtosis term).
  const double V = 49.0 / 8 + 0.1 * std::pow(kPi, 4) / 5 + 0.01 * std::pow(kPi, 8) / 18 + 0.5;
  EXPECT_NEAR(r.variance, V, 0.02 * V);
  // Without the intervals, the bounds are NaN.
  EXPECT_TRUE(std::isnan(r.indices[0].S1_low));
}

// G-function with a = (0, 1, 4.5, 9, 99, 99) at N = 2^14: indices are small for the last three, and the
// standard errors (measured as above) are below 0.01, so 0.03 is 3 standard errors.
TEST(SensitivitySobol, GFunctionMatchesClosedFormAtN16384) {
  const auto model = g_model();
  const auto r = sens::sobol(*model, sobol_options(1 << 14, 0, 7));
  const auto e = g_exact(kG);
  for (size_t i = 0; i < kG.size(); ++i) {
    EXPECT_NEAR(r.indices[i].S1, e.S1[i], 0.03) << i;
    EXPECT_NEAR(r.indices[i].ST, e.ST[i], 0.03) << i;
  }
  // Interactions: ST ≥ S1 for the important inputs.
  EXPECT_GT(r.indices[0].ST, r.indices[0].S1);
}

// The percentile intervals at 95 % cover the exact value in most replications: over 20 seeds × 6 indices ×
// 2 kinds (240 intervals) we require ≥ 85 % (a 95 % interval covering < 85 % of 240 happens with probability
// < 1e-6 when the nominal coverage holds; the percentile bootstrap is known to under-cover slightly at small N).
TEST(SensitivitySobol, BootstrapIntervalsCoverTheExactValues) {
  const auto model = g_model();
  const auto e = g_exact(kG);
  int covered = 0, total = 0;
  double width_small = 0, width_large = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto r = sens::sobol(*model, sobol_options(512, 200, seed));
    for (size_t i = 0; i < kG.size(); ++i) {
      const auto& s = r.indices[i];
      ASSERT_LE(s.S1_low, s.S1_high);
      covered += (s.S1_low <= e.S1[i] && e.S1[i] <= s.S1_high) + (s.ST_low <= e.ST[i] && e.ST[i] <= s.ST_high);
      total += 2;
    }
    width_small += r.indices[0].S1_high - r.indices[0].S1_low;
  }
  EXPECT_GE(double(covered) / total, 0.85) << covered << " of " << total;
  // Intervals narrow as 1/√N: 16 times the samples, about a quarter of the width.
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const auto r = sens::sobol(*model, sobol_options(512 * 16, 200, seed));
    width_large += r.indices[0].S1_high - r.indices[0].S1_low;
  }
  const double ratio = (width_large / 4) / (width_small / 20);
  EXPECT_GT(ratio, 0.15);
  EXPECT_LT(ratio, 0.4);
}

TEST(SensitivitySobol, SameNumbersForAnyThreadCount) {
  const auto model = ishigami_model();
  const auto a = sens::sobol(*model, sobol_options(3000, 50, 99, 1));
  const auto b = sens::sobol(*model, sobol_options(3000, 50, 99, 3));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a.indices[i].S1, b.indices[i].S1);
    EXPECT_EQ(a.indices[i].ST, b.indices[i].ST);
    EXPECT_EQ(a.indices[i].S1_low, b.indices[i].S1_low);
    EXPECT_EQ(a.indices[i].ST_high, b.indices[i].ST_high);
  }
  // another seed, other numbers
  const auto c = sens::sobol(*model, sobol_options(3000, 50, 100, 1));
  EXPECT_NE(a.indices[0].S1, c.indices[0].S1);
}

TEST(SensitivitySobol, DesignRowsShareColumnsAsSaltelli) {
  // Run r = j (k + 2) + m: A (m = 0), B (1), A_B^i (2 + i) has column i from B and the others from A.
  const size_t k = 3;
  for (uint64_t j : {0u, 5u}) {
    const uint64_t base = j * (k + 2);
    for (size_t i = 0; i < k; ++i) {
      const double a = sens::sobol_unit(1, "x", base, i, k), b = sens::sobol_unit(1, "x", base + 1, i, k);
      EXPECT_NE(a, b);
      for (size_t m = 0; m < k; ++m) EXPECT_EQ(sens::sobol_unit(1, "x", base + 2 + m, i, k), m == i ? b : a);
    }
  }
}

TEST(SensitivitySobol, ConstantOutputIsAnError) {
  const auto model = sens::function_model(uniform_params(2, 0, 1), [](const double*) { return 3.0; });
  try {
    sens::sobol(*model, sobol_options(64, 0, 1));
    FAIL();
  } catch (const pc::Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not vary"), std::string::npos) << e.what();
  }
}

TEST(SensitivityMorris, LinearModelEffectsAreExact) {
  // y = 2 x1 − 3 x2 + 0.5 x3 with x1 ~ U(0, 10), x2 ~ U(−1, 1), x3 ~ U(100, 104): every elementary effect is
  // c_i (max − min) in SALib's convention (Δy / Δ with Δ in the unit cube), so μ = c_i (max − min), μ* = |μ|, σ = 0.
  std::vector<sens::Parameter> ps = {{"x1", unc::uniform(0, 10)}, {"x2", unc::uniform(-1, 1)}, {"x3", unc::uniform(100, 104)}};
  const double c[] = {2, -3, 0.5}, range[] = {10, 2, 4};
  const auto model = sens::function_model(ps, [&](const double* x) { return c[0] * x[0] + c[1] * x[1] + c[2] * x[2]; });
  for (int levels : {2, 4, 6}) {
    sens::MorrisOptions o;
    o.trajectories = 30;
    o.levels = levels;
    o.seed = 5;
    o.run.threads = 2;
    const auto r = sens::morris(*model, o);
    EXPECT_EQ(r.runs, 30u * 4);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(r.indices[i].mu, c[i] * range[i], 1e-12 * std::fabs(c[i] * range[i])) << levels;
      EXPECT_NEAR(r.indices[i].mu_star, std::fabs(c[i] * range[i]), 1e-12 * std::fabs(c[i] * range[i]));
      EXPECT_LT(r.indices[i].sigma, 1e-12);
    }
  }
}

TEST(SensitivityMorris, TrajectoriesMoveOneParameterByDeltaOnTheGrid) {
  const auto ps = uniform_params(5, 0, 1);
  const int p = 6;
  const double delta = p / (2.0 * (p - 1));
  std::vector<double> pts;
  std::vector<size_t> moved;
  bool up = false, down = false;
  for (uint64_t t = 0; t < 50; ++t) {
    sens::morris_trajectory(3, ps, p, t, pts, moved);
    std::vector<bool> seen(5, false);
    for (size_t m = 0; m < 5; ++m) {
      ASSERT_FALSE(seen[moved[m]]);
      seen[moved[m]] = true;
      for (size_t i = 0; i < 5; ++i) {
        const double before = pts[m * 5 + i], after = pts[(m + 1) * 5 + i];
        // on the grid {0, 1/(p−1), ..., 1}
        EXPECT_NEAR(after * (p - 1), std::round(after * (p - 1)), 1e-12);
        EXPECT_GE(after, -1e-15);
        EXPECT_LE(after, 1 + 1e-15);
        if (i == moved[m]) {
          EXPECT_NEAR(std::fabs(after - before), delta, 1e-15);
          (after > before ? up : down) = true;
        } else {
          EXPECT_EQ(after, before);
        }
      }
    }
  }
  EXPECT_TRUE(up && down);
}

TEST(SensitivityMorris, GFunctionRanksParametersByImportance) {
  // μ* orders the inputs as their total indices: a = 0 > 1 > 4.5 > 9 > 99 (the last two are negligible).
  const auto model = g_model();
  sens::MorrisOptions o;
  o.trajectories = 100;
  o.levels = 4;
  o.seed = 11;
  const auto r = sens::morris(*model, o);
  for (size_t i = 0; i + 1 < 4; ++i) EXPECT_GT(r.indices[i].mu_star, r.indices[i + 1].mu_star) << i;
  EXPECT_GT(r.indices[3].mu_star, 5 * r.indices[4].mu_star);
  EXPECT_GT(r.indices[3].mu_star, 5 * r.indices[5].mu_star);
  // The G-function's effects change sign (|4x − 2| is V-shaped): μ is far below μ*.
  EXPECT_LT(std::fabs(r.indices[0].mu), 0.5 * r.indices[0].mu_star);
}

TEST(SensitivityMorris, SameNumbersForAnyThreadCount) {
  const auto model = g_model();
  sens::MorrisOptions o;
  o.trajectories = 40;
  o.seed = 8;
  o.run.threads = 1;
  const auto a = sens::morris(*model, o);
  o.run.threads = 3;
  const auto b = sens::morris(*model, o);
  for (size_t i = 0; i < kG.size(); ++i) {
    EXPECT_EQ(a.indices[i].mu, b.indices[i].mu);
    EXPECT_EQ(a.indices[i].mu_star, b.indices[i].mu_star);
    EXPECT_EQ(a.indices[i].sigma, b.indices[i].sigma);
  }
}

TEST(SensitivityMorris, UnboundedDistributionsUseCentredBinsAndOddLevelsAreRefused) {
  const auto n = unc::normal(10, 2);
  EXPECT_NEAR(sens::morris_value(n, 0, 4), unc::quantile(n, 0.125), 1e-12);
  EXPECT_NEAR(sens::morris_value(n, 1, 4), unc::quantile(n, 0.875), 1e-12);
  EXPECT_EQ(sens::morris_value(unc::uniform(2, 4), 1, 4), 4);
  const auto model = g_model();
  sens::MorrisOptions o;
  o.levels = 5;
  EXPECT_THROW(sens::morris(*model, o), pc::Error);
}

// ---- model files --------------------------------------------------------------------------------------------
namespace {
const std::string kExamples = std::string(PANOCARBON_SOURCE_DIR) + "/examples";
sens::LoadedModel parse(const std::string& text, const std::string& base = kExamples) {
  sens::ModelContext ctx;
  ctx.library = &pc::FactorLibrary::builtin();
  return sens::parse_model(text, "model.json", base, ctx);
}
std::string error_of(const std::string& text, const std::string& base = kExamples) {
  try {
    parse(text, base);
  } catch (const pc::Error& e) {
    return e.what();
  }
  return "(no error)";
}
void expect_error(const std::string& text, const std::string& field, const std::string& words) {
  const std::string what = error_of(text);
  EXPECT_NE(what.find("model.json"), std::string::npos) << what;
  EXPECT_NE(what.find("field '" + field + "'"), std::string::npos) << what;
  EXPECT_NE(what.find(words), std::string::npos) << what;
}
const char* kUniformParam = R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0, "maximum": 1}})";
}  // namespace

TEST(SensitivityModels, IshigamiFileGivesTheFunction) {
  const auto m = parse(R"({"model": "ishigami", "parameters": [
    {"name": "x1", "distribution": {"kind": "uniform", "minimum": -3.141592653589793, "maximum": 3.141592653589793}},
    {"name": "x2", "distribution": {"kind": 4, "minimum": -3.141592653589793, "maximum": 3.141592653589793}},
    {"name": "x3", "distribution": {"kind": "uniform", "minimum": -3.141592653589793, "maximum": 3.141592653589793}}]})");
  ASSERT_EQ(m.model->parameters().size(), 3u);
  EXPECT_EQ(m.model->parameters()[1].distribution.kind, unc::DistKind::Uniform);
  const double x[] = {0.3, -1.2, 2.0};
  EXPECT_DOUBLE_EQ(m.model->evaluator()->evaluate(x), sens::ishigami(x, 7, 0.1));
  EXPECT_EQ(m.inputs.size(), 1u);
}

TEST(SensitivityModels, GFunctionAndLinearFiles) {
  const auto g = parse(R"({"model": "g-function", "a": [0, 9], "parameters": [)" + std::string(kUniformParam) +
                       R"(, {"name": "y", "distribution": {"kind": "uniform", "minimum": 0, "maximum": 1}}]})");
  const double x[] = {0.1, 0.7};
  EXPECT_DOUBLE_EQ(g.model->evaluator()->evaluate(x), sens::g_function(x, {0, 9}));
  const auto l = parse(R"({"model": "linear", "coefficients": [2], "intercept": 1, "parameters": [)" +
                       std::string(kUniformParam) + "]}");
  EXPECT_DOUBLE_EQ(l.model->evaluator()->evaluate(x), 1.2);
}

namespace {
std::string inventory_model(const std::string& params, const std::string& extra = "") {
  return R"({"model": "inventory", "file": "inventory.csv", "gwp": "AR6", )" + extra + R"("parameters": [)" + params + "]}";
}
pc::InventoryResult example_inventory() {
  const auto data = pc::read_activity_file(kExamples + "/inventory.csv");
  pc::CalcOptions o;
  o.gwp = "AR6";
  return pc::calculate_inventory(data, pc::FactorLibrary::builtin(), pc::CategoryTree::ipcc2006(), o);
}
std::string factor_of_line(const pc::InventoryResult& r, const pc::ActivityData& d, uint32_t line, const char* gas) {
  for (const auto& l : r.lines)
    if (d.rows[l.row].line == line && r.str(l.gas) == gas) return std::string(r.str(l.factor));
  return "";
}
}  // namespace

TEST(SensitivityModels, InventoryModelEqualsCalculateInventory) {
  const auto r0 = example_inventory();
  const auto data = pc::read_activity_file(kExamples + "/inventory.csv");
  const std::string gas_co2 = factor_of_line(r0, data, 3, "CO2");  // natural gas, power stations
  ASSERT_FALSE(gas_co2.empty());
  const auto m = parse(inventory_model(
      R"({"name": "coal", "distribution": {"kind": "triangular", "minimum": 0.9, "loc": 1, "maximum": 1.1}, "target": {"row": 2, "field": "amount"}},
         {"name": "gas_ef", "distribution": {"kind": "normal", "loc": 1, "scale": 0.02}, "target": {"factor": ")" +
      gas_co2 + R"("}},
         {"name": "plant_ef", "distribution": {"kind": "uniform", "minimum": 50, "maximum": 60}, "target": {"row": 14, "field": "factor", "relative": false}},
         {"name": "clinker_t", "distribution": {"kind": "uniform", "minimum": 11000, "maximum": 13000}, "target": {"row": 15, "relative": false}})"));
  EXPECT_EQ(m.model->output(), "total");
  EXPECT_EQ(m.inputs.size(), 2u);
  // nominal values: multipliers 1 and the file's own absolute values
  const double nominal[] = {1, 1, 56.4, 12000};
  auto ev = m.model->evaluator();
  EXPECT_NEAR(ev->evaluate(nominal), r0.total_co2e_t, 1e-12 * r0.total_co2e_t);
  EXPECT_NEAR(*m.model->reference(nominal), r0.total_co2e_t, 1e-12 * r0.total_co2e_t);
  // elsewhere: the shortcut equals calculate_inventory on the modified rows and factors
  for (int t = 0; t < 5; ++t) {
    const double x[] = {0.9 + 0.05 * t, 1.03 - 0.02 * t, 50 + 2.0 * t, 11000 + 500.0 * t};
    const double ref = *m.model->reference(x);
    EXPECT_NEAR(ev->evaluate(x), ref, 1e-12 * ref) << t;
    if (t == 4) {
      EXPECT_GT(std::fabs(ref - r0.total_co2e_t), 1e3);  // the parameters do change the output
    }
  }
}

TEST(SensitivityModels, InventoryCategoryOutputAndAmmoniaOffset) {
  // A category output, and a row with CO2 recovered for urea (emissions affine, not proportional, in the amount).
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "panocarbon_sensitivity_test";
  fs::create_directories(dir);
  std::ofstream(dir / "a.csv") << "category,activity,amount,unit,parameters,country,year\n"
                                  "2.B.1,ammonia,1000,kt,co2_recovered_t=200000,XL,2022\n"
                                  "1.A.1.a.i,Natural Gas,1500,kt,,XL,2022\n";
  const std::string text = R"({"model": "inventory", "file": "a.csv", "output": "2.B", "parameters": [
    {"name": "nh3", "distribution": {"kind": "uniform", "minimum": 0.8, "maximum": 1.2}, "target": {"row": 2}}]})";
  const auto m = parse(text, dir.string());
  EXPECT_EQ(m.model->output(), "2.B");
  auto ev = m.model->evaluator();
  for (double x : {0.8, 1.0, 1.2}) {
    const double ref = *m.model->reference(&x);
    EXPECT_NEAR(ev->evaluate(&x), ref, 1e-12 * ref) << x;
  }
  // affine: f(1.2) − f(1) = f(1) − f(0.8), but f(1.2) ≠ 1.2 f(1)
  double a = 0.8, b = 1.0, c = 1.2;
  const double fa = ev->evaluate(&a), fb = ev->evaluate(&b), fc = ev->evaluate(&c);
  EXPECT_NEAR(fc - fb, fb - fa, 1e-9 * fb);
  EXPECT_GT(std::fabs(fc - 1.2 * fb), 1e3);
  fs::remove_all(dir);
}

TEST(SensitivityModels, InventorySobolOfTheExample) {
  // Two amounts as ±10 % uniform multipliers: the output is linear, so S1 = ST and S_i ∝ c_i² (exact).
  const auto r0 = example_inventory();
  const auto data = pc::read_activity_file(kExamples + "/inventory.csv");
  double c2 = 0, c3 = 0;
  for (const auto& l : r0.lines) {
    if (l.memo != pc::Memo::None) continue;
    if (data.rows[l.row].line == 2) c2 += l.co2e_t;
    if (data.rows[l.row].line == 3) c3 += l.co2e_t;
  }
  const auto m = parse(inventory_model(
      R"({"name": "coal", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 2}},
         {"name": "gas", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 3}})"));
  const auto r = sens::sobol(*m.model, sobol_options(1 << 14, 0, 3));
  const double s_coal = c2 * c2 / (c2 * c2 + c3 * c3);
  EXPECT_NEAR(r.indices[0].S1, s_coal, 0.02);
  EXPECT_NEAR(r.indices[0].ST, s_coal, 0.02);
  EXPECT_NEAR(r.indices[1].S1, 1 - s_coal, 0.02);
  // the variance: Σ c_i² Var(U(0.9, 1.1)) = Σ c_i² 0.04/12
  EXPECT_NEAR(r.variance, (c2 * c2 + c3 * c3) * 0.04 / 12, 0.03 * r.variance);
}

TEST(SensitivityModels, LcaModelEqualsClosedForm) {
  // Electricity (1 kWh) takes 0.5 kg coal and emits 0.2 kg CO2; coal (1 kg) emits 0.1 kg CO2.
  // GWP per kWh with multipliers m (coal input) and n (coal's CO2): 0.2 + 0.5 m · 0.1 n.
  auto db = std::make_shared<pc::lca::Database>();
  db->name = "tiny";
  db->flows = {{"elec", "electricity", pc::lca::FlowType::Product, "", "", "kWh", "Energy", "", {}},
               {"coal", "hard coal", pc::lca::FlowType::Product, "", "", "kg", "Mass", "", {}},
               {"co2", "Carbon dioxide", pc::lca::FlowType::Elementary, "Elementary flows/air/unspecified", "124-38-9",
                "kg", "Mass", "", {}}};
  auto ex = [](int32_t flow, double amount, bool input, bool ref, std::string provider = "") {
    pc::lca::Exchange e;
    e.flow = flow;
    e.amount = amount;
    e.input = input;
    e.reference = ref;
    e.provider = std::move(provider);
    return e;
  };
  pc::lca::Process pe, pcoal;
  pe.id = "P-elec";
  pe.name = "electricity production";
  pe.exchanges = {ex(0, 1, false, true), ex(1, 0.5, true, false, "P-coal"), ex(2, 0.2, false, false)};
  pcoal.id = "P-coal";
  pcoal.name = "coal mining";
  pcoal.exchanges = {ex(1, 1, false, true), ex(2, 0.1, false, false)};
  db->processes = {pe, pcoal};
  db->index();
  sens::ModelContext ctx;
  ctx.database = db;
  const auto m = sens::parse_model(R"({"model": "lca", "database": "tiny", "process": "P-elec", "parameters": [
      {"name": "coal_use", "distribution": {"kind": "uniform", "minimum": 0.8, "maximum": 1.2}, "target": {"process": "P-elec", "flow": "coal"}},
      {"name": "coal_co2", "distribution": {"kind": "uniform", "minimum": 0.5, "maximum": 1.5}, "target": {"process": "P-coal", "flow": "co2"}}]})",
                                   "lca.json", ".", ctx);
  EXPECT_EQ(m.model->output(), "total");
  auto ev = m.model->evaluator();
  for (auto [a, b] : {std::pair{1.0, 1.0}, {1.2, 0.5}, {0.8, 1.5}}) {
    const double x[] = {a, b};
    EXPECT_NEAR(ev->evaluate(x), 0.2 + 0.5 * a * 0.1 * b, 1e-12) << a << " " << b;
  }
  const std::string what = [&] {
    try {
      sens::parse_model(R"({"model": "lca", "database": "tiny", "process": "P-elec", "parameters": [
        {"name": "x", "distribution": {"kind": "uniform", "minimum": 0.8, "maximum": 1.2}, "target": {"process": "P-coal", "flow": "elec"}}]})",
                        "lca.json", ".", ctx);
    } catch (const pc::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  EXPECT_NE(what.find("field 'parameters[0].target.flow'"), std::string::npos) << what;
  EXPECT_NE(what.find("no linked exchange of flow 'elec'"), std::string::npos) << what;
}

TEST(SensitivityModels, ErrorsNameTheFileAndTheField) {
  expect_error("{\"model\": \"ishigami\"}", "parameters", "missing \"parameters\"");
  expect_error(R"({"model": "banana", "parameters": []})", "model", "unknown model 'banana'");
  expect_error(R"({"parameters": []})", "model", "missing \"model\"");
  expect_error(R"({"model": "linear", "coefficients": [1], "parameters": [{"name": "x", "distribution": {"kind": "uniform", "minimum": 2, "maximum": 1}}]})",
               "parameters[0].distribution", "minimum 2 is above maximum 1");
  expect_error(R"({"model": "linear", "coefficients": [1], "parameters": [{"name": "x", "distribution": {"kind": "normal", "loc": 1, "scale": -1}}]})",
               "parameters[0].distribution", "σ is negative");
  expect_error(R"({"model": "linear", "coefficients": [1], "parameters": [{"name": "x", "distribution": {"kind": "gaussian"}}]})",
               "parameters[0].distribution.kind", "unknown distribution 'gaussian'");
  expect_error(R"({"model": "linear", "coefficients": [1], "parameters": [{"name": "x", "distribution": {"kind": "uniform", "min": 0, "maximum": 1}}]})",
               "parameters[0].distribution.min", "unknown key 'min'");
  expect_error(R"({"model": "linear", "coefficients": [1, 2], "parameters": [)" + std::string(kUniformParam) + "]}",
               "coefficients", "array of 1 numbers");
  expect_error(R"({"model": "linear", "coefficients": [1], "parameters": [)" + std::string(kUniformParam) + "," +
                   kUniformParam + "]}",
               "parameters[1].name", "named twice");
  expect_error(R"({"model": "ishigami", "parameters": [)" + std::string(kUniformParam) + "]}", "parameters",
               "3 parameters, not 1");
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 99}})"),
               "parameters[0].target.row", "no activity row on line 99");
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"factor": "no.such.factor"}})"),
               "parameters[0].target.factor", "unknown factor id 'no.such.factor'");
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 2, "field": "factor"}})"),
               "parameters[0].target.field", "has no factor of its own");
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}})"),
               "parameters[0].target", "missing \"target\"");
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 2}})",
                               R"("output": "9.Z", )"),
               "output", "unknown category '9.Z'");
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 2}})",
                               R"("output": "2.A", )"),
               "parameters[0].target", "does not change output 2.A");
  expect_error(R"({"model": "inventory", "file": "missing.csv", "parameters": [{"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"row": 2}}]})",
               "file", "cannot read the activity file");
  // a factor that exists but no row uses
  const std::string unused = [] {
    const auto r0 = example_inventory();
    for (const auto& f : pc::FactorLibrary::builtin().factors())
      if (!std::binary_search(r0.factor_ids_used.begin(), r0.factor_ids_used.end(), f.id)) return f.id;
    return std::string();
  }();
  expect_error(inventory_model(R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0.9, "maximum": 1.1}, "target": {"factor": ")" +
                               unused + R"("}})"),
               "parameters[0].target.factor", "is not used by any row");
  // not JSON at all
  const std::string what = error_of("{\"model\": ");
  EXPECT_NE(what.find("model.json"), std::string::npos) << what;
  EXPECT_NE(what.find("not valid JSON"), std::string::npos) << what;
}
