// The inventory engine on a small hand-written factor library (independent of data/), so that every
// expected number below can be checked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "panocarbon/error.hpp"
#include "panocarbon/inventory.hpp"

using namespace panocarbon;

namespace {
const char* kFuels =
    "id,fuel,aliases,group,biomass,ncv_tj_per_gg,ncv_lower,ncv_upper,carbon_kg_per_gj,carbon_lower,carbon_upper,"
    "edition,document,volume,chapter,table\n"
    "natural_gas,Natural Gas,,gaseous_fossil,0,48.0,46.5,50.4,15.3,14.8,15.9,2006,doc,2,1,1.2\n"
    "gas_diesel_oil,Gas/Diesel Oil,diesel;gas oil,liquid_fossil,0,43.0,41.4,43.3,20.2,19.8,20.4,2006,doc,2,1,1.2\n"
    "wood,Wood/Wood Waste,wood,solid_biomass,1,15.6,7.9,31.0,30.5,25.9,36.0,2006,doc,2,1,1.2\n";
const char* kFactors =
    "id,edition,category,activity,technology,default,gas,value,unit,lower,upper,geography,document,volume,chapter,"
    "table,note\n"
    "ng.co2,2006,1.A,Natural Gas,,1,CO2,56100,kg/TJ,54300,58300,GLOBAL,doc,2,1,1.4,\n"
    "ng.ch4.energy,2006,1.A.1,Natural Gas,,1,CH4,1,kg/TJ,0.3,3,GLOBAL,doc,2,2,2.2,\n"
    "ng.n2o.energy,2006,1.A.1,Natural Gas,,1,N2O,0.1,kg/TJ,0.03,0.3,GLOBAL,doc,2,2,2.2,\n"
    "ng.ch4.res,2006,1.A.4.b,Natural Gas,,1,CH4,5,kg/TJ,1.5,15,GLOBAL,doc,2,2,2.5,\n"
    "ng.n2o.res,2006,1.A.4.b,Natural Gas,,1,N2O,0.1,kg/TJ,0.03,0.3,GLOBAL,doc,2,2,2.5,\n"
    "do.co2,2006,1.A,Gas/Diesel Oil,,1,CO2,74100,kg/TJ,72600,74800,GLOBAL,doc,2,1,1.4,\n"
    "do.co2.road,2006,1.A.3.b,Gas/Diesel Oil,,1,CO2,74100,kg/TJ,72600,74800,GLOBAL,doc,2,3,3.2.1,\n"
    "do.ch4.road,2006,1.A.3.b,Gas/Diesel Oil,,1,CH4,3.9,kg/TJ,1.6,9.5,GLOBAL,doc,2,3,3.2.2,\n"
    "do.n2o.road,2006,1.A.3.b,Gas/Diesel Oil,,1,N2O,3.9,kg/TJ,1.3,12,GLOBAL,doc,2,3,3.2.2,\n"
    "wood.co2,2006,1.A,Wood/Wood Waste,,1,CO2,112000,kg/TJ,95000,132000,GLOBAL,doc,2,1,1.4,\n"
    "wood.ch4.res,2006,1.A.4.b,Wood/Wood Waste,,1,CH4,300,kg/TJ,100,900,GLOBAL,doc,2,2,2.5,\n"
    "wood.n2o.res,2006,1.A.4.b,Wood/Wood Waste,,1,N2O,4,kg/TJ,1.5,15,GLOBAL,doc,2,2,2.5,\n"
    "clinker.co2,2006,2.A.1,clinker,,1,CO2,0.52,t/t,,,GLOBAL,doc,3,2,Eq 2.2,\n"
    "al.cwpb.co2,2006,2.C.3,primary aluminium,CWPB,0,CO2,1.6,t/t,,,GLOBAL,doc,3,4,4.10,\n"
    "al.cwpb.cf4,2006,2.C.3,primary aluminium,CWPB,0,CF4,0.4,kg/t,,,GLOBAL,doc,3,4,4.15,\n"
    "al.vss.cf4,2006,2.C.3,primary aluminium,VSS,0,CF4,0.8,kg/t,,,GLOBAL,doc,3,4,4.15,\n"
    "al.cwpb.cf4.2019,2019,2.C.3,primary aluminium,CWPB,0,CF4,0.04,kg/t,,,GLOBAL,doc,3,4,4.15,\n";

const FactorLibrary& lib() {
  static const FactorLibrary l = FactorLibrary::from_csv(kFuels, kFactors, "test");
  return l;
}
const CategoryTree& tree() { return CategoryTree::ipcc2006(); }

InventoryResult calc(const std::string& csv, CalcOptions o = {}) {
  static std::deque<ActivityData> keep;  // lines refer to their data
  keep.push_back(read_activity_csv(csv, "t.csv"));
  return calculate_inventory(keep.back(), lib(), tree(), o);
}

std::string error_of(const std::string& csv, CalcOptions o = {}) {
  try {
    calc(csv, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

double line(const InventoryResult& r, size_t i) { return r.lines.at(i).emissions_t; }
}  // namespace

TEST(Inventory, StationaryCombustionTier1) {
  // 1000 t natural gas = 1 Gg × 48.0 TJ/Gg = 48 TJ; CO2 48 × 56100 kg = 2692.8 t; CH4 0.048 t; N2O 0.0048 t.
  const auto r = calc("category,activity,amount,unit\n1.A.1.a.i,natural gas,1000,t\n");
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(r.str(r.lines[0].gas), "CO2");
  EXPECT_NEAR(line(r, 0), 2692.8, 2692.8 * 1e-12);
  EXPECT_NEAR(line(r, 1), 0.048, 1e-15);
  EXPECT_NEAR(line(r, 2), 0.0048, 1e-16);
  // AR5 (default): 2692.8 + 0.048 × 28 + 0.0048 × 265
  EXPECT_NEAR(r.total_co2e_t, 2692.8 + 1.344 + 1.272, 1e-9);
  EXPECT_EQ(r.str(r.lines[1].factor), "ng.ch4.energy");
}

TEST(Inventory, EnergyUnitsAndAliases) {
  // 48 TJ given directly (as 48000 GJ) equals 1000 t: same emissions; "diesel" is Gas/Diesel Oil.
  const auto a = calc("category,activity,amount,unit\n1.A.1.a.i,Natural Gas,48000,GJ\n");
  EXPECT_NEAR(line(a, 0), 2692.8, 1e-9);
  const auto b = calc("category,activity,amount,unit\n1.A.3.b.iii,diesel,2,kt\n");
  // 2 Gg × 43 TJ/Gg = 86 TJ; road factors (longest prefix 1.A.3.b): CO2 86 × 74.1 t = 6372.6 t; CH4 = N2O = 0.3354 t
  ASSERT_EQ(b.lines.size(), 3u);
  EXPECT_NEAR(line(b, 0), 6372.6, 1e-9);
  EXPECT_NEAR(line(b, 1), 0.3354, 1e-12);
  EXPECT_EQ(b.str(b.lines[0].factor), "do.co2.road");
}

TEST(Inventory, LongestPrefixPicksTheSectorTable) {
  const auto r = calc("category,activity,amount,unit\n1.A.4.b,Natural Gas,1,TJ\n1.A.1.a,Natural Gas,1,TJ\n");
  EXPECT_NEAR(line(r, 1), 0.005, 1e-15);  // Table 2.5: 5 kg/TJ
  EXPECT_NEAR(line(r, 4), 0.001, 1e-15);  // Table 2.2: 1 kg/TJ
}

TEST(Inventory, BiomassCo2IsAMemoItem) {
  const auto r = calc("category,activity,amount,unit\n1.A.4.b,wood,1,TJ\n");
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_EQ(r.str(r.lines[0].gas), "CO2_bio");
  EXPECT_EQ(r.lines[0].memo, Memo::BiogenicCo2);
  EXPECT_NEAR(r.memo_co2_biogenic_t, 112.0, 1e-12);
  // Total: only CH4 0.3 t × 28 and N2O 0.004 t × 265
  EXPECT_NEAR(r.total_co2e_t, 0.3 * 28 + 0.004 * 265, 1e-12);
}

TEST(Inventory, OxidationFactorAppliesToCo2Only) {
  const auto r = calc("category,activity,amount,unit,oxidation_factor\n1.A.1,Natural Gas,1,TJ,0.99\n");
  EXPECT_NEAR(line(r, 0), 56.1 * 0.99, 1e-12);
  EXPECT_NEAR(line(r, 1), 0.001, 1e-15);
}

TEST(Inventory, Ar6MethaneFossilOrNot) {
  CalcOptions o;
  o.gwp = "AR6";
  const auto r = calc(
      "category,activity,amount,unit,gas,factor,factor_unit\n1.A.1,Natural Gas,1,TJ,,,\n"
      "1.B.2.b,Natural Gas,2,t,CH4,1,t/t\n",
      o);
  EXPECT_EQ(r.lines[1].gwp, 27.0);  // combustion CH4: non-fossil value (carbon already in the CO2 factor)
  EXPECT_EQ(r.lines[3].gwp, 29.8);  // fugitive CH4 (1.B): fossil value
  EXPECT_NEAR(r.lines[3].co2e_t, 2 * 29.8, 1e-12);
}

TEST(Inventory, Tier2RowFactor) {
  // 10 TJ with a country-specific 55.0 t/TJ CO2 factor.
  const auto r = calc(
      "category,activity,amount,unit,gas,factor,factor_unit,factor_source\n"
      "1.A.1,Natural Gas,10,TJ,CO2,55.0,t/TJ,NIR 2024 Table 3.2\n"
      "1.A.1,Natural Gas,1000,t,CO2,55000,kg/TJ,NIR 2024 Table 3.2\n");
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_NEAR(line(r, 0), 550.0, 1e-12);
  EXPECT_NEAR(line(r, 1), 48 * 55.0, 1e-9);
  EXPECT_EQ(r.str(r.lines[0].factor), "user:NIR 2024 Table 3.2");
}

TEST(Inventory, ProcessesTechnologyAndEdition) {
  const auto c = calc("category,activity,amount,unit\n2.A.1,Clinker,1000,t\n");
  EXPECT_NEAR(line(c, 0), 520.0, 1e-12);
  const auto a = calc("category,activity,amount,unit,technology\n2.C.3,primary aluminium,100,t,cwpb\n");
  ASSERT_EQ(a.lines.size(), 2u);
  EXPECT_NEAR(line(a, 0), 160.0, 1e-12);
  EXPECT_NEAR(line(a, 1), 0.04, 1e-15);  // 0.4 kg/t × 100 t
  CalcOptions o;
  o.edition = 2019;
  const auto b = calc("category,activity,amount,unit,technology\n2.C.3,primary aluminium,100,t,CWPB\n", o);
  EXPECT_NEAR(line(b, 1), 0.004, 1e-15);  // the 2019 row replaces the 2006 row
  EXPECT_EQ(b.str(b.lines[1].factor), "al.cwpb.cf4.2019");
  EXPECT_NE(error_of("category,activity,amount,unit,technology\n2.C.3,primary aluminium,1,t,XYZ\n")
                .find("unknown technology 'XYZ' for primary aluminium; use one of: CWPB; VSS"),
            std::string::npos);
  EXPECT_NE(error_of("category,activity,amount,unit\n2.C.3,primary aluminium,1,t\n").find("no default factor"),
            std::string::npos);
}

TEST(Inventory, AggregationIdentities) {
  const auto r = calc(
      "category,activity,amount,unit\n1.A.1.a.i,Natural Gas,1000,t\n1.A.4.b,Natural Gas,3,TJ\n"
      "1.A.3.b.i,diesel,5,TJ\n2.A.1,clinker,10,t\n1.A.4.b,wood,2,TJ\n");
  double sum = 0;
  for (const auto& l : r.lines)
    if (l.memo == Memo::None) sum += l.co2e_t;
  EXPECT_NEAR(r.total_co2e_t, sum, 1e-9 * sum);
  const auto cats = totals_by_category(r, tree());
  EXPECT_EQ(cats.back().code, "total");
  EXPECT_NEAR(cats.back().co2e_t, r.total_co2e_t, 1e-9 * sum);
  // Sum over level-1 sectors = total; each parent = sum of its listed children.
  const auto l1 = totals_by_level(r, tree(), 1);
  double s1 = 0;
  for (size_t i = 0; i + 1 < l1.size(); ++i) s1 += l1[i].co2e_t;
  EXPECT_NEAR(s1, r.total_co2e_t, 1e-9 * sum);
  std::map<std::string, double> by_code;
  for (const auto& c : cats) by_code[c.code] = c.co2e_t;
  EXPECT_NEAR(by_code["1.A"], by_code["1.A.1"] + by_code["1.A.3"] + by_code["1.A.4"], 1e-9 * sum);
  EXPECT_NEAR(by_code["1.A.4"], by_code["1.A.4.b"], 0);
  EXPECT_NEAR(by_code["2"], 5.2, 1e-12);
  // By gas: CO2e sums to the total plus the memo item.
  double g = 0;
  for (const auto& x : totals_by_gas(r))
    if (x.memo == Memo::None) g += x.co2e_t;
  EXPECT_NEAR(g, r.total_co2e_t, 1e-9 * sum);
}

TEST(Inventory, JsonInputEqualsCsv) {
  const auto a = calc("category,activity,amount,unit,year\n1.A.1,Natural Gas,1,TJ,2022\n");
  static ActivityData d = read_activity_json(
      R"({"rows":[{"category":"1.A.1","activity":"Natural Gas","amount":1,"unit":"TJ","year":2022}]})", "t.json");
  const auto b = calculate_inventory(d, lib(), tree(), {});
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (size_t i = 0; i < a.lines.size(); ++i) EXPECT_EQ(a.lines[i].co2e_t, b.lines[i].co2e_t);
}

TEST(Inventory, ErrorsNameLineColumnAndFix) {
  const std::string h = "category,activity,amount,unit\n";
  EXPECT_EQ(error_of(h + "1.A.1,Natral Gas,1,TJ\n"),
            "t.csv:line 2, column 2, field 'activity': not found: unknown activity 'Natral Gas'; did you mean "
            "Natural Gas, Gas/Diesel Oil, Wood/Wood Waste? (fuels as named in IPCC 2006 Vol 2 Table 1.2, products as in "
            "docs/factors.md)");
  EXPECT_EQ(error_of(h + "1.A.9,Natural Gas,1,TJ\n"),
            "t.csv:line 2, column 1, field 'category': not found: unknown IPCC 2006 category '1.A.9'; use a code of "
            "Vol 1 Ch 8 Table 8.2, e.g. 1.A.1, 1.A.2, 1.A.3");
  EXPECT_NE(error_of(h + "1.A.1,Natural Gas,1,m3\n").find("column 4, field 'unit': unit error: amounts of Natural Gas in m3 cannot be converted"),
            std::string::npos);
  EXPECT_NE(error_of(h + "2.A.1,clinker,1,TJ\n").find("per t (mass) but the amount is in TJ (energy)"), std::string::npos);
  EXPECT_EQ(error_of(h + "1.A.1,Natural Gas,-1,TJ\n"),
            "t.csv:line 2, column 3, field 'amount': invalid input: amount -1 is negative; activity data must be zero "
            "or positive (report removals and recoveries in their own categories)");
  EXPECT_NE(error_of(h + "1.A.1,Natural Gas,1\n").find("line 2: invalid input: malformed line: 3 fields where the header has 4"),
            std::string::npos);
  EXPECT_NE(error_of(h + "1.A.1,Natural Gas,abc,TJ\n").find("column 3, field 'amount': invalid input: 'abc' is not a number"),
            std::string::npos);
  EXPECT_NE(error_of("category,activity,amount,unit,colour\n").find("column 5, field 'colour': invalid input: unknown column 'colour'"),
            std::string::npos);
  EXPECT_NE(error_of("category,activity,unit\n").find("the required column 'amount' is missing"), std::string::npos);
  EXPECT_NE(error_of("category,activity,amount,unit,factor\n1.A.1,Natural Gas,1,TJ,5\n").find("must name the gas"),
            std::string::npos);
  EXPECT_NE(error_of(h + "1.A.1,Natural Gas,1,furlong\n").find("unknown unit 'furlong'"), std::string::npos);
  EXPECT_NE(error_of(h + "1.A.3.a,Natural Gas,1,TJ\n").find("no default CH4 factor for Natural Gas in category 1.A.3.a"),
            std::string::npos);
  CalcOptions skip;
  skip.skip_missing = true;
  const auto r = calc(h + "1.A.3.a,Natural Gas,1,TJ\n", skip);
  EXPECT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.warnings.size(), 2u);
}

TEST(Inventory, CompactCategoryCodes) {
  EXPECT_EQ(normalise_category_code("1A1ai"), "1.A.1.a.i");
  EXPECT_EQ(normalise_category_code("2C3"), "2.C.3");
  const auto r = calc("category,activity,amount,unit\n1A1ai,Natural Gas,1,TJ\n");
  EXPECT_EQ(tree().at(r.row_category[0]).code, "1.A.1.a.i");
}

TEST(ReferenceApproach, HandComputed) {
  // Natural gas: AC = 100 + 50 - 20 - 0 - 10 = 120 kt = 120 Gg → 5760 TJ → × 15.3 t C/TJ = 88128 t C.
  // Excluded (feedstock) 20 kt → 960 TJ → 14688 t C. CO2 = (88128 - 14688) × 44/12 = 269280 t.
  const auto supply = read_fuel_supply_csv(
      "fuel,unit,production,imports,exports,international_bunkers,stock_change,excluded\n"
      "Natural Gas,kt,100,50,20,0,10,20\n"
      "Gas/Diesel Oil,TJ,0,1000,0,100,0,0\n"
      "wood,TJ,10,0,0,0,0,0\n",
      "s.csv");
  const auto r = reference_approach(supply, lib(), "s.csv");
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_NEAR(r.lines[0].apparent_consumption, 120, 0);
  EXPECT_NEAR(r.lines[0].co2_t, 269280, 1e-9 * 269280);
  // Diesel: 900 TJ × 20.2 × 44/12 = 66660 t
  EXPECT_NEAR(r.lines[1].co2_t, 66660, 1e-9 * 66660);
  EXPECT_TRUE(r.lines[2].biomass);
  EXPECT_NEAR(r.co2_t, 269280 + 66660, 1e-9 * 336000);
  // Sectoral approach comparison.
  static ActivityData d = read_activity_csv("category,activity,amount,unit\n1.A.1,Natural Gas,100,kt\n1.A.3.b,diesel,900,TJ\n", "sa.csv");
  const auto sa = calculate_inventory(d, lib(), tree(), {});
  const auto c = reference_approach(supply, lib(), "s.csv", &d, &sa);
  const double s = 4800 * 56.1 + 900 * 74.1;
  ASSERT_TRUE(c.sectoral_co2_t);
  EXPECT_NEAR(*c.sectoral_co2_t, s, 1e-9 * s);
  EXPECT_NEAR(*c.difference_pct, (c.co2_t - s) / s * 100, 1e-9);
  try {
    read_fuel_supply_csv("fuel,unit,imports\nNatural Gas,kt,-5\n", "s.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "s.csv:line 2, column 3, field 'imports': invalid input: imports -5 is negative; only "
                           "stock_change may be negative (a stock draw)");
  }
}
