// `inventory uncertainty` on a small hand-written factor library (independent of data/). The Approach 1
// numbers come from tests/fixtures/inventory_uncertainty/approach1_table32.py, an independent computation of
// IPCC 2006 Vol 1 Ch 3 Eq 3.1, Eq 3.2 and Table 3.2 (run it to see them).
#include "panocarbon/inventory_uncertainty.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <sstream>

#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/uncertainty.hpp"

using namespace panocarbon;

namespace {
const char* kFuels =
    "id,fuel,aliases,group,biomass,ncv_tj_per_gg,ncv_lower,ncv_upper,carbon_kg_per_gj,carbon_lower,carbon_upper,"
    "edition,document,volume,chapter,table\n"
    "testgas,Testgas,,gaseous_fossil,0,50,47.5,52.5,15,14,16,2006,doc,2,1,1.2\n";
const char* kFactors =
    "id,edition,category,activity,technology,default,gas,value,unit,lower,upper,geography,document,volume,chapter,"
    "table,note\n"
    "tg.co2,2006,1.A,Testgas,,1,CO2,60000,kg/TJ,57000,63000,GLOBAL,doc,2,1,1.4,\n"
    "widget.co2,2006,2.A.4,widget,,1,CO2,2,t/t,1.8,2.4,GLOBAL,doc,3,2,x,\n"
    "gizmo.co2,2006,2.A.4,gizmo,,1,CO2,3,t/t,2.82,3.18,GLOBAL,doc,3,2,x,\n"
    "plain.co2,2006,2.A.4,plain,,1,CO2,1,t/t,,,GLOBAL,doc,3,2,x,\n";

const FactorLibrary& lib() {
  static const FactorLibrary l = FactorLibrary::from_csv(kFuels, kFactors, "test library");
  return l;
}
const CategoryTree& tree() { return CategoryTree::ipcc2006(); }

// The inputs of approach1_table32.py.
const char* kTwoYears =
    "category,activity,amount,unit,gas,factor,factor_unit,uncertainty_pct,country,year\n"
    "1.A.1.a.i,Testgas,100,TJ,CO2,,,3,XL,2022\n"
    "1.A.4.a,Testgas,2,kt,CO2,,,,XL,2022\n"
    "2.A.4,widget,1000,t,,,,10,XL,2022\n"
    "1.A.1.a.i,Testgas,50,TJ,CO2,58,t/TJ,4,XL,2022\n"
    "1.A.1.a.i,Testgas,80,TJ,CO2,,,3,XL,2020\n"
    "1.A.4.a,Testgas,2.5,kt,CO2,,,,XL,2020\n"
    "2.A.4,widget,800,t,,,,10,XL,2020\n";

const UncertaintyLine& line(const InventoryUncertainty& r, const std::string& key) {
  for (const auto& l : r.lines)
    if (l.key == key) return l;
  throw std::runtime_error("no line " + key);
}

const Table32Entry& entry(const InventoryUncertainty& r, const std::string& category, const std::string& factor) {
  for (const auto& e : r.table)
    if (e.category == category && e.factor_id == factor) return e;
  throw std::runtime_error("no entry " + category + " " + factor);
}

void near(double got, double want, double rel = 1e-12) { EXPECT_NEAR(got, want, rel * std::max(1.0, std::fabs(want))); }

parallel::RunOptions draws(uint64_t n, int threads = 1) {
  parallel::RunOptions o;
  o.draws = n;
  o.threads = threads;
  return o;
}

ErrorContext error_context(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.context();
  }
  ADD_FAILURE() << "no Error thrown";
  return {};
}
}  // namespace

TEST(InventoryUncertainty, Approach1LevelMatchesEq31Eq32) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  const auto r = uncertainty_approach1(data, lib(), tree(), o);
  EXPECT_EQ(r.year, 2022);  // the latest year by default
  near(line(r, "total").mean, 16900);
  near(line(r, "total").pct_low, 4.605724984892423);
  near(line(r, "total").pct_high, 4.605724984892423);
  near(line(r, "total").p2_5, 16900 * (1 - 4.605724984892423 / 100));
  near(line(r, "1.A.1.a.i").pct_high, 4.1414212266495385);
  near(line(r, "1.A").pct_high, 4.275626075127392);
  near(line(r, "2").pct_high, 22.360679774997898);  // asymmetric -10/+20 %: the larger side
  const auto& e2 = entry(r, "1.A.4.a", "tg.co2");
  near(e2.ad_pct, 5);                // --activity-uncertainty default
  near(e2.ef_pct, std::sqrt(50.0));  // factor and NCV (the row is in kt)
  near(e2.combined_pct, 8.660254037844387);
  near(e2.variance_share, 9.453450509435946);
  const auto& t2 = entry(r, "1.A.1.a.i", "tier2");
  near(t2.ad_pct, 4);  // a Tier 2 row's uncertainty_pct covers the emission: column E
  near(t2.ef_pct, 0);
  EXPECT_FALSE(r.trend);
  std::vector<std::string> keys;
  for (const auto& l : r.lines) keys.push_back(l.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"1", "1.A", "1.A.1", "1.A.1.a", "1.A.1.a.i", "1.A.4", "1.A.4.a", "2", "2.A",
                                            "2.A.4", "total"}));
}

TEST(InventoryUncertainty, Approach1TrendMatchesTable32) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  o.base_year = 2020;
  const auto r = uncertainty_approach1(data, lib(), tree(), o);
  ASSERT_TRUE(r.trend);
  near(r.trend->base_t, 13900);
  near(r.trend->year_t, 16900);
  near(r.trend->trend_pct, 21.58273381294964);
  near(r.trend->uncertainty_pct, 4.550091711647421);
  const auto& e1 = entry(r, "1.A.1.a.i", "tg.co2");
  near(e1.type_a, 0.011760021291827627, 1e-9);
  near(e1.type_b, 0.4316546762589928);
  near(e1.trend_ef_pct, 0.058800106459138135, 1e-9);
  near(e1.trend_ad_pct, 1.8313556922817058);
  near(e1.trend_pct, 1.8322994089864821);
  const auto& e2 = entry(r, "1.A.4.a", "tg.co2");
  near(e2.base_t, 7500);
  near(e2.type_a, -0.22316315105339868, 1e-9);
  near(e2.trend_ef_pct, -1.5780017742081605, 1e-9);
  near(e2.trend_ad_pct, 3.0522594871361766);
  near(e2.trend_pct, 3.436040974176079);
  const auto& e3 = entry(r, "2.A.4", "widget.co2");
  near(e3.trend_pct, 2.0363563826523787);
  const auto& e4 = entry(r, "1.A.1.a.i", "tier2");
  near(e4.base_t, 0);
  near(e4.type_a, 0.20863309352517945, 1e-9);
  near(e4.trend_pct, 1.180207001692655);
}

TEST(InventoryUncertainty, Approach2AgreesWithApproach1ForSmallSymmetricUncertainties) {
  const auto data = read_activity_csv(
      "category,activity,amount,unit,gas,uncertainty_pct\n"
      "1.A.1.a.i,Testgas,100,TJ,CO2,3\n"
      "2.A.4,gizmo,1000,t,,4\n",
      "small.csv");
  UncertaintyOptions o;
  const auto a1 = uncertainty_approach1(data, lib(), tree(), o);
  const auto a2 = uncertainty_approach2(data, lib(), tree(), o, 7, draws(40000, 2));
  // Approach 1: √((√(3²+5²)·6000)² + (√(4²+6²)·3000)²) / 9000
  const double u = std::sqrt(std::pow(std::sqrt(34.0) * 6000, 2) + std::pow(std::sqrt(52.0) * 3000, 2)) / 9000;
  near(line(a1, "total").pct_high, u);
  for (const auto& key : {"total", "1.A.1.a.i", "2.A.4"}) {
    const auto& l1 = line(a1, key);
    const auto& l2 = line(a2, key);
    // Monte Carlo error of the mean: sd/√n ≈ 0.015 %; of a 2.5 % or 97.5 % point about 0.04 % of the mean
    EXPECT_NEAR(l2.mean, l1.mean, 1e-3 * l1.mean) << key;
    EXPECT_NEAR(l2.pct_low, l1.pct_low, 0.03 * l1.pct_low) << key;
    EXPECT_NEAR(l2.pct_high, l1.pct_high, 0.03 * l1.pct_high) << key;
  }
}

TEST(InventoryUncertainty, Approach2SharedFactorIsDrawnOncePerDraw) {
  // Two rows in two categories use one factor (tg.co2) and have exact activity data: every draw of the total
  // is (x1 + x2)·f, so sd(total) = σ1 + σ2, not √(σ1² + σ2²).
  const auto data = read_activity_csv(
      "category,activity,amount,unit,gas,uncertainty_pct\n"
      "1.A.1.a.i,Testgas,100,TJ,CO2,0\n"
      "1.A.4.a,Testgas,100,TJ,CO2,0\n",
      "shared.csv");
  UncertaintyOptions o;
  o.by = "level=4";
  parallel::Draws kept;
  const auto r = uncertainty_approach2(data, lib(), tree(), o, 11, draws(5000), &kept);
  ASSERT_EQ(r.lines.size(), 3u);  // level 4: 1.A.1.a and 1.A.4.a, then the total
  const double s1 = r.lines[0].sd, s2 = r.lines[1].sd, st = r.lines[2].sd;
  EXPECT_GT(s1, 0);
  near(st, s1 + s2, 1e-9);
  EXPECT_GT(st, 1.3 * std::sqrt(s1 * s1 + s2 * s2));  // independent draws would give √2·σ
  const auto c0 = kept.column(0), c1 = kept.column(1);
  EXPECT_GT(unc::pearson(c0.data(), c1.data(), c0.size()), 1 - 1e-12);
  EXPECT_EQ(r.factors, 1u);
}

TEST(InventoryUncertainty, Approach2SameNumbersForAnyThreads) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  parallel::Draws d1, d3;
  const auto r1 = uncertainty_approach2(data, lib(), tree(), o, 42, draws(3001, 1), &d1);
  const auto r3 = uncertainty_approach2(data, lib(), tree(), o, 42, draws(3001, 3), &d3);
  EXPECT_EQ(d1.values, d3.values);
  ASSERT_EQ(r1.lines.size(), r3.lines.size());
  for (size_t i = 0; i < r1.lines.size(); ++i) {
    EXPECT_EQ(r1.lines[i].mean, r3.lines[i].mean);
    EXPECT_EQ(r1.lines[i].p2_5, r3.lines[i].p2_5);
    EXPECT_EQ(r1.lines[i].p97_5, r3.lines[i].p97_5);
  }
  std::ostringstream a, b;
  write_inventory_uncertainty(a, r1, "csv");
  write_inventory_uncertainty(b, r3, "csv");
  EXPECT_EQ(a.str(), b.str());
  const auto r4 = uncertainty_approach2(data, lib(), tree(), o, 43, draws(3001, 1));
  EXPECT_NE(r1.lines.back().mean, r4.lines.back().mean);  // another seed, other draws
}

// The vector clones of the draws and of the sums (baseline, AVX2, AVX-512F: the CPU's best, capped lower here)
// give the same draws, bit for bit, by category and by gas (where a row's gases go to different lines).
TEST(InventoryUncertainty, Approach2SameNumbersOnEveryVectorPath) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  const int best = unc::vector_level();
  const int saved = unc::set_vector_level(0);
  for (const char* by : {"category", "gas"}) {
    UncertaintyOptions o;
    o.by = by;
    parallel::Draws ref;
    unc::set_vector_level(0);
    uncertainty_approach2(data, lib(), tree(), o, 42, draws(1001, 2), &ref);
    for (int level = 1; level <= best; ++level) {
      unc::set_vector_level(level);
      parallel::Draws d;
      uncertainty_approach2(data, lib(), tree(), o, 42, draws(1001, 2), &d);
      ASSERT_EQ(d.values.size(), ref.values.size());
      for (size_t i = 0; i < d.values.size(); ++i)
        ASSERT_EQ(std::memcmp(&d.values[i], &ref.values[i], sizeof(double)), 0) << by << " level " << level << " at " << i;
    }
  }
  unc::set_vector_level(saved);
}

TEST(InventoryUncertainty, Approach2DrawsAreTheEnginesStreamsAndSummaries) {
  // One row, a factor without bounds (constant): draw k of the total is x·a_k with a_k the engine's sampler of
  // from_ipcc_percent(1, p, p) under parameter "activity:<line>:<category>:<activity>". 3 %: normal; 60 %:
  // lognormal.
  for (const double pct : {3.0, 60.0}) {
    const auto data = read_activity_csv(
        fmt::format("category,activity,amount,unit,uncertainty_pct\n2.A.4,plain,1000,t,{}\n", pct), "plain.csv");
    UncertaintyOptions o;
    parallel::Draws kept;
    const auto r = uncertainty_approach2(data, lib(), tree(), o, 5, draws(700, 2), &kept);
    ASSERT_FALSE(r.warnings.empty());
    EXPECT_NE(r.warnings[0].find("plain.co2 has no 95 % bounds"), std::string::npos);
    const unc::Sampler s(unc::from_ipcc_percent(1.0, pct, pct), 5, unc::parameter_id("activity:2:2.A.4:plain"));
    std::vector<double> want(700);
    s.fill(0, want.size(), want.data());
    const auto total = kept.column(kept.outputs - 1);
    for (size_t k = 0; k < want.size(); ++k) ASSERT_EQ(total[k], 1000 * want[k]) << "draw " << k << ", " << pct << " %";
    for (size_t o2 = 0; o2 < kept.outputs; ++o2) {
      const auto col = kept.column(o2);
      const auto sm = unc::summarize(col);
      EXPECT_EQ(r.lines[o2].mean, sm.mean);
      EXPECT_EQ(r.lines[o2].sd, sm.sd);
      EXPECT_EQ(r.lines[o2].median, sm.median);
      EXPECT_EQ(r.lines[o2].p2_5, sm.p2_5);
      EXPECT_EQ(r.lines[o2].p97_5, sm.p97_5);
    }
  }
}

TEST(InventoryUncertainty, ByGasAndCsvHeader) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  o.by = "gas";
  const auto r = uncertainty_approach1(data, lib(), tree(), o);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].key, "CO2");
  near(r.lines[0].mean, 16900);
  std::ostringstream out;
  write_inventory_uncertainty(out, r, "csv");
  EXPECT_EQ(out.str().substr(0, out.str().find('\n')),
            "category,mean_t_co2e,p2_5,p97_5,uncertainty_pct_low,uncertainty_pct_high");
  EXPECT_NE(out.str().find("\ntotal,16900,"), std::string::npos);
}

TEST(InventoryUncertainty, ErrorNegativeUncertaintyNamesFileLineField) {
  std::string msg;
  const auto ctx = error_context(
      [] {
        read_activity_csv("category,activity,amount,unit,uncertainty_pct\n1.A.1.a.i,Testgas,1,TJ,-3\n", "neg.csv");
      },
      &msg);
  EXPECT_EQ(ctx.file, "neg.csv");
  EXPECT_EQ(ctx.line, 2);
  EXPECT_EQ(ctx.field, "uncertainty_pct");
  EXPECT_NE(msg.find("negative"), std::string::npos);
}

TEST(InventoryUncertainty, ErrorMissingFileNamesThePath) {
  std::string msg;
  const auto ctx = error_context([] { read_file("/nonexistent/activity.csv"); }, &msg);
  EXPECT_EQ(ctx.file, "/nonexistent/activity.csv");
  EXPECT_NE(msg.find("cannot open"), std::string::npos);
}

TEST(InventoryUncertainty, ErrorBaseYearNotInFile) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  o.base_year = 1990;
  std::string msg;
  const auto ctx = error_context([&] { uncertainty_approach1(data, lib(), tree(), o); }, &msg);
  EXPECT_EQ(ctx.file, "two_years.csv");
  EXPECT_EQ(ctx.field, "base-year");
  EXPECT_NE(msg.find("base year 1990 is not in two_years.csv (its years: 2020, 2022)"), std::string::npos) << msg;
}

TEST(InventoryUncertainty, ErrorBaseYearWithApproach2) {
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  o.base_year = 2020;
  std::string msg;
  const auto ctx = error_context([&] { uncertainty_approach2(data, lib(), tree(), o, 1, draws(10)); }, &msg);
  EXPECT_EQ(ctx.field, "base-year");
  EXPECT_NE(msg.find("--approach 1"), std::string::npos);
}

TEST(InventoryUncertainty, ErrorUnknownBy) {
  std::string msg;
  auto ctx = error_context([] { validate_uncertainty_output("row", "csv"); }, &msg);
  EXPECT_EQ(ctx.field, "by");
  EXPECT_NE(msg.find("--by 'row' is not one of category, level=N (N = 1..6) or gas"), std::string::npos);
  ctx = error_context([] { validate_uncertainty_output("category", "xml"); }, &msg);
  EXPECT_EQ(ctx.field, "format");
  const auto data = read_activity_csv(kTwoYears, "two_years.csv");
  UncertaintyOptions o;
  o.by = "level=9";
  ctx = error_context([&] { uncertainty_approach1(data, lib(), tree(), o); });
  EXPECT_EQ(ctx.field, "by");
}

TEST(InventoryUncertainty, ErrorSeveralCountries) {
  const auto data = read_activity_csv(
      "category,activity,amount,unit,gas,country,year\n"
      "1.A.1.a.i,Testgas,100,TJ,CO2,XL,2022\n"
      "1.A.1.a.i,Testgas,100,TJ,CO2,YL,2022\n",
      "two_countries.csv");
  UncertaintyOptions o;
  std::string msg;
  const auto ctx = error_context([&] { uncertainty_approach1(data, lib(), tree(), o); }, &msg);
  EXPECT_EQ(ctx.field, "country");
  EXPECT_NE(msg.find("--country"), std::string::npos);
  o.calc.country = "YL";
  EXPECT_NO_THROW(uncertainty_approach1(data, lib(), tree(), o));
}

// Finite inputs whose emissions overflow a double: one term (1e308 TJ × 60 t/TJ), or a sum of finite terms
// (2 × 1.5e306 TJ × 60 t/TJ = 1.8e308, + another row). Both approaches stop with the file, the line of the
// (largest) row and the field, before any result exists.
TEST(InventoryUncertainty, EmissionsBeyondADoubleAreRefused) {
  const auto one = read_activity_csv("category,activity,amount,unit,gas\n1.A.1.a.i,Testgas,1,TJ,CO2\n1.A.4.a,Testgas,1e308,TJ,CO2\n",
                                     "one.csv");
  const auto sum = read_activity_csv(
      "category,activity,amount,unit,gas\n1.A.1.a.i,Testgas,1.5e306,TJ,CO2\n1.A.4.a,Testgas,1.6e306,TJ,CO2\n",
      "sum.csv");
  UncertaintyOptions o;
  for (const auto* data : {&one, &sum}) {
    for (int approach : {1, 2}) {
      std::string msg;
      const auto ctx = error_context(
          [&] {
            if (approach == 1)
              uncertainty_approach1(*data, lib(), tree(), o);
            else
              uncertainty_approach2(*data, lib(), tree(), o, 1, draws(300, 2));
          },
          &msg);
      EXPECT_EQ(ctx.file, data->source) << msg;
      EXPECT_EQ(ctx.line, 3) << msg;
      EXPECT_EQ(ctx.field, "amount") << msg;
      EXPECT_NE(msg.find("overflow"), std::string::npos) << msg;
      EXPECT_NE(msg.find("invalid input"), std::string::npos) << msg;
    }
  }
}
