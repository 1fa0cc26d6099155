// Avoided emissions (docs/avoided.md): the arithmetic against hand-computed values, its identities, the reader's
// errors (each with its file, line, column and field), and the store's ledger.
#include "panocarbon/avoided.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "panocarbon/error.hpp"
#include "panocarbon/store.hpp"

using namespace panocarbon;
using namespace panocarbon::avoided;

namespace {
const std::string kHeader =
    "product,destination,capacity_mw,capacity_factor,lifetime_years,grid_factor_t_per_mwh,manufacturing_t_per_mw,"
    "degradation_pct_per_year\n";

Product product(double mw, double cf, int years, double grid, double mfg, double d) {
  Product p;
  p.product = "x";
  p.destination = "y";
  p.capacity_mw = mw;
  p.capacity_factor = cf;
  p.lifetime_years = years;
  p.grid_factor_t_per_mwh = grid;
  p.manufacturing_t_per_mw = mfg;
  p.degradation_pct_per_year = d;
  return p;
}

// The message of the Error that f throws ("(no error)" when none).
template <class F>
std::string err(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    return e.what();
  }
  return "(no error)";
}
std::string read_err(const std::string& body, const std::string& header = kHeader) {
  return err([&] { read_products(header + body, "in.csv"); });
}
}  // namespace

// 1 MW at capacity factor 0.5: 0.5 x 8760 = 4380 MWh in the first year; grid 1 t/MWh: 4380 t; 10 %/yr
// degradation over 3 years: 1 + 0.9 + 0.81 = 2.71 first-year outputs, 4380 x 2.71 = 11869.8 t; manufacturing
// 2190 t/MW: payback 2190 / 4380 = 0.5 years, net 11869.8 - 2190 = 9679.8 t.
TEST(Avoided, DegradationSumByHand) {
  const Row r = compute(product(1, 0.5, 3, 1.0, 2190, 10));
  EXPECT_DOUBLE_EQ(r.annual_generation_mwh, 4380.0);
  EXPECT_DOUBLE_EQ(r.annual_avoided_t, 4380.0);
  EXPECT_NEAR(r.lifetime_avoided_t, 11869.8, 1e-9);
  EXPECT_DOUBLE_EQ(r.manufacturing_t, 2190.0);
  EXPECT_NEAR(r.net_lifetime_avoided_t, 9679.8, 1e-9);
  EXPECT_DOUBLE_EQ(r.payback_years, 0.5);
}

// Without degradation the lifetime is L first years: 10 MW x 0.35 x 8760 = 30660 MWh, x 0.2 = 6132 t/yr,
// x 20 = 122640 t; manufacturing 10 x 1000 = 10000 t; payback 10000 / 6132 = 1.6307893... years.
TEST(Avoided, NoDegradationIsLifetimeTimesFirstYear) {
  const Row r = compute(product(10, 0.35, 20, 0.2, 1000, 0));
  EXPECT_DOUBLE_EQ(r.annual_generation_mwh, 30660.0);
  EXPECT_NEAR(r.annual_avoided_t, 6132.0, 1e-9);
  EXPECT_NEAR(r.lifetime_avoided_t, 122640.0, 1e-8);
  EXPECT_NEAR(r.net_lifetime_avoided_t, 112640.0, 1e-8);
  EXPECT_NEAR(r.payback_years, 10000.0 / 6132.0, 1e-12);
  EXPECT_NEAR(r.payback_years, 1.6307893020, 1e-10);
}

// The year-by-year sum equals the geometric series' closed form A1 (1 - (1 - d)^L) / d: 100 MW x 0.15 x 8760 =
// 131400 MWh, x 0.5 = 65700 t; (1 - 0.995^25) / 0.005 = 23.5559514...; 65700 x 23.5559514 = 1547626.0 t.
TEST(Avoided, LifetimeSumIsTheGeometricSeries) {
  const Row r = compute(product(100, 0.15, 25, 0.5, 800, 0.5));
  EXPECT_DOUBLE_EQ(r.annual_generation_mwh, 131400.0);
  EXPECT_NEAR(r.annual_avoided_t, 65700.0, 1e-9);
  const double closed = 65700.0 * (1.0 - std::pow(0.995, 25)) / 0.005;
  EXPECT_NEAR(r.lifetime_avoided_t, closed, 1e-9 * closed);
  EXPECT_NEAR(r.lifetime_avoided_t, 1547626.00765, 1e-4);
  EXPECT_NEAR(r.payback_years, 80000.0 / 65700.0, 1e-12);
}

// The total sums the rows (the identity net = lifetime - manufacturing holds for it too) and its payback is the
// fleet's: (80000 + 10000 + 2190) / (65700 + 6132 + 4380) = 92190 / 76212 = 1.20965202... years, which is not
// the mean of the rows' paybacks.
TEST(Avoided, TotalRowAndFleetPayback) {
  const Ledger l = compute(std::vector<Product>{product(100, 0.15, 25, 0.5, 800, 0.5), product(10, 0.35, 20, 0.2, 1000, 0),
                                                product(1, 0.5, 3, 1.0, 2190, 10)});
  ASSERT_EQ(l.rows.size(), 3u);
  EXPECT_EQ(l.total.product, "total");
  EXPECT_NEAR(l.total.annual_generation_mwh, 166440.0, 1e-8);
  EXPECT_NEAR(l.total.annual_avoided_t, 76212.0, 1e-8);
  EXPECT_NEAR(l.total.manufacturing_t, 92190.0, 1e-8);
  EXPECT_NEAR(l.total.lifetime_avoided_t, 1547626.00765275 + 122640.0 + 11869.8, 1e-6);
  EXPECT_NEAR(l.total.net_lifetime_avoided_t, l.total.lifetime_avoided_t - l.total.manufacturing_t, 1e-6);
  EXPECT_NEAR(l.total.payback_years, 1.2096520233, 1e-9);
  double sum = 0;
  for (const auto& r : l.rows) sum += r.net_lifetime_avoided_t;
  EXPECT_NEAR(sum, l.total.net_lifetime_avoided_t, 1e-6);
}

TEST(Avoided, ZeroGridFactorHasNoPayback) {
  const Row r = compute(product(5, 0.2, 10, 0.0, 100, 0));
  EXPECT_EQ(r.annual_avoided_t, 0.0);
  EXPECT_TRUE(std::isnan(r.payback_years));
  EXPECT_DOUBLE_EQ(r.net_lifetime_avoided_t, -500.0);
}

TEST(Avoided, ReaderTakesColumnsInAnyOrderAndDegradationIsOptional) {
  const auto rows = read_products(
      "destination,product,manufacturing_t_per_mw,grid_factor_t_per_mwh,lifetime_years,capacity_factor,capacity_mw\n"
      "Germany,pv_module,600,0.35,25.0,0.11,1000\n"
      "\"Viet Nam, south\",wind_turbine,900,0.6,20,0.3,50\n",
      "in.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].product, "pv_module");
  EXPECT_EQ(rows[0].destination, "Germany");
  EXPECT_EQ(rows[0].lifetime_years, 25);
  EXPECT_DOUBLE_EQ(rows[0].capacity_factor, 0.11);
  EXPECT_DOUBLE_EQ(rows[0].degradation_pct_per_year, 0.0);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[1].destination, "Viet Nam, south");
  EXPECT_DOUBLE_EQ(rows[1].capacity_mw, 50.0);
}

TEST(Avoided, ErrorMissingColumnNamesIt) {
  const std::string m = err([] {
    read_products("product,destination,capacity_mw,capacity_factor,lifetime_years,manufacturing_t_per_mw\nx,y,1,0.2,20,5\n",
                  "in.csv");
  });
  EXPECT_NE(m.find("in.csv:line 1, field 'grid_factor_t_per_mwh'"), std::string::npos) << m;
  EXPECT_NE(m.find("the required column 'grid_factor_t_per_mwh' is missing"), std::string::npos) << m;
}

TEST(Avoided, ErrorUnknownColumnSuggestsTheNearest) {
  const std::string m = err([] {
    read_products("product,destination,capacity_mw,capacity_factr,lifetime_years,grid_factor_t_per_mwh,"
                  "manufacturing_t_per_mw\n",
                  "in.csv");
  });
  EXPECT_NE(m.find("in.csv:line 1, column 4"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown column 'capacity_factr' (did you mean 'capacity_factor'?)"), std::string::npos) << m;
}

TEST(Avoided, ErrorDuplicateColumn) {
  const std::string m = err([] { read_products("product,product\n", "in.csv"); });
  EXPECT_NE(m.find("in.csv:line 1, column 2"), std::string::npos) << m;
  EXPECT_NE(m.find("column 'product' appears twice"), std::string::npos) << m;
}

TEST(Avoided, ErrorNotANumberNamesLineColumnAndField) {
  const std::string m = read_err("pv,de,abc,0.1,25,0.3,600,0\n");
  EXPECT_NE(m.find("in.csv:line 2, column 3, field 'capacity_mw'"), std::string::npos) << m;
  EXPECT_NE(m.find("'abc'"), std::string::npos) << m;
}

TEST(Avoided, ErrorEmptyNumber) {
  const std::string m = read_err("pv,de,10,,25,0.3,600,0\n");
  EXPECT_NE(m.find("line 2, column 4, field 'capacity_factor'"), std::string::npos) << m;
  EXPECT_NE(m.find("the capacity_factor is empty"), std::string::npos) << m;
}

TEST(Avoided, ErrorCapacityFactorOutsideZeroOne) {
  for (const char* cf : {"0", "-0.1", "1.2", "16"}) {
    const std::string m = read_err(std::string("pv,de,10,") + cf + ",25,0.3,600,0\n");
    EXPECT_NE(m.find("line 2, column 4, field 'capacity_factor'"), std::string::npos) << m;
    EXPECT_NE(m.find("must be in (0, 1]"), std::string::npos) << m;
  }
  EXPECT_EQ(read_err("pv,de,10,1,25,0.3,600,0\n"), "(no error)");
}

TEST(Avoided, ErrorLifetimeNotAPositiveWholeNumber) {
  for (const char* l : {"0", "-3", "25.5", "101"}) {
    const std::string m = read_err(std::string("pv,de,10,0.2,") + l + ",0.3,600,0\n");
    EXPECT_NE(m.find("line 2, column 5, field 'lifetime_years'"), std::string::npos) << m;
    EXPECT_NE(m.find("must be a whole number of years from 1 to 100"), std::string::npos) << m;
  }
  const std::string m = read_err("pv,de,10,0.2,twenty,0.3,600,0\n");
  EXPECT_NE(m.find("field 'lifetime_years'"), std::string::npos) << m;
  EXPECT_NE(m.find("'twenty'"), std::string::npos) << m;
}

TEST(Avoided, ErrorCapacityGridManufacturingDegradationBounds) {
  std::string m = read_err("pv,de,0,0.2,25,0.3,600,0\n");
  EXPECT_NE(m.find("column 3, field 'capacity_mw'"), std::string::npos) << m;
  EXPECT_NE(m.find("capacity_mw 0 must be positive"), std::string::npos) << m;
  m = read_err("pv,de,10,0.2,25,-0.3,600,0\n");
  EXPECT_NE(m.find("column 6, field 'grid_factor_t_per_mwh'"), std::string::npos) << m;
  m = read_err("pv,de,10,0.2,25,450,600,0\n");
  EXPECT_NE(m.find("divide it by 1000"), std::string::npos) << m;
  m = read_err("pv,de,10,0.2,25,0.3,-1,0\n");
  EXPECT_NE(m.find("column 7, field 'manufacturing_t_per_mw'"), std::string::npos) << m;
  EXPECT_NE(m.find("is negative"), std::string::npos) << m;
  m = read_err("pv,de,10,0.2,25,0.3,600,100\n");
  EXPECT_NE(m.find("column 8, field 'degradation_pct_per_year'"), std::string::npos) << m;
  EXPECT_NE(m.find("below 100"), std::string::npos) << m;
  m = read_err("pv,de,10,0.2,25,0.3,600,1e400\n");
  EXPECT_NE(m.find("field 'degradation_pct_per_year'"), std::string::npos) << m;
  EXPECT_EQ(read_err("pv,de,10,0.2,25,0.3,600,\n"), "(no error)");  // empty degradation: 0
}

TEST(Avoided, ErrorEmptyNamesAndMalformedLines) {
  std::string m = read_err(",de,10,0.2,25,0.3,600,0\n");
  EXPECT_NE(m.find("line 2, column 1, field 'product'"), std::string::npos) << m;
  m = read_err("pv, ,10,0.2,25,0.3,600,0\n");
  EXPECT_NE(m.find("line 2, column 2, field 'destination'"), std::string::npos) << m;
  m = read_err("pv,de,10,0.2,25\n");
  EXPECT_NE(m.find("in.csv:line 2: invalid input: malformed line: 5 fields where the header has 8"), std::string::npos)
      << m;
}

TEST(Avoided, ErrorEmptyFileAndHeaderOnly) {
  EXPECT_NE(err([] { read_products("", "in.csv"); }).find("the file is empty"), std::string::npos);
  const std::string m = err([] { read_products(kHeader, "in.csv"); });
  EXPECT_NE(m.find("in.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("the file has a header but no rows"), std::string::npos) << m;
}

TEST(Avoided, EveryBadRowIsReportedInOneRun) {
  const std::string m = read_err("pv,de,10,0.2,25,0.3,600,0\npv,de,10,2,25,0.3,600,0\npv,de,10,0.2,0,0.3,600,0\n");
  EXPECT_NE(m.find("2 rows are wrong"), std::string::npos) << m;
  EXPECT_NE(m.find("in.csv:line 3, column 4, field 'capacity_factor'"), std::string::npos) << m;
  EXPECT_NE(m.find("in.csv:line 4, column 5, field 'lifetime_years'"), std::string::npos) << m;
}

// The store keeps a run's rows in avoided_emissions, in their order, and nothing else: the results table (which
// the ledger reads for inventory runs) stays empty for the run.
TEST(Avoided, StoreLedgerRoundTripKeyedByRun) {
  Store s = Store::open(":memory:");
  const int64_t run = s.begin_run("avoided", nlohmann::json::array(), nlohmann::json::object());
  const Ledger l = compute(std::vector<Product>{product(100, 0.15, 25, 0.5, 800, 0.5), product(5, 0.2, 10, 0.0, 100, 0)});
  std::vector<AvoidedRecord> recs;
  for (size_t i = 0; i < l.rows.size(); ++i) {
    AvoidedRecord r;
    r.product = "p" + std::to_string(i);
    r.destination = "d";
    r.capacity_mw = l.inputs[i].capacity_mw;
    r.capacity_factor = l.inputs[i].capacity_factor;
    r.lifetime_years = l.inputs[i].lifetime_years;
    r.annual_avoided_t = l.rows[i].annual_avoided_t;
    r.lifetime_avoided_t = l.rows[i].lifetime_avoided_t;
    r.payback_years = l.rows[i].payback_years;
    recs.push_back(r);
  }
  s.save_avoided(run, recs);
  s.finish_run(run, "ok", nlohmann::json::object());
  for (const int64_t id : {run, int64_t{0}}) {
    const auto back = s.avoided(id);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].run_id, run);
    EXPECT_EQ(back[0].product, "p0");
    EXPECT_EQ(back[0].lifetime_years, 25);
    EXPECT_NEAR(back[0].lifetime_avoided_t, 1547626.00765275, 1e-6);
    EXPECT_NEAR(back[0].payback_years, 80000.0 / 65700.0, 1e-12);
    EXPECT_TRUE(std::isnan(back[1].payback_years));  // stored as NULL
  }
  EXPECT_TRUE(s.avoided(run + 1).empty());
  EXPECT_TRUE(s.results(run).empty());
  EXPECT_TRUE(s.natural_fluxes("", "", 0, true).empty());
  // A value that is not finite is refused before anything is written.
  AvoidedRecord inf = recs[0];
  inf.lifetime_avoided_t = HUGE_VAL;
  const int64_t run2 = s.begin_run("avoided", nlohmann::json::array(), nlohmann::json::object());
  try {
    s.save_avoided(run2, {inf});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Data);
    EXPECT_NE(std::string(e.what()).find("lifetime_avoided_t"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(s.avoided(run2).empty());
}
