// CBAM: CN codes, countries, mark-ups, the comparison's arithmetic and the Annex III equations on a hand-computed
// installation (docs/cbam.md "Worked example").
#include "panocarbon/cbam.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "panocarbon/error.hpp"

using namespace panocarbon;
using namespace panocarbon::cbam;

namespace {

// The error's message (and category) of f(), or "" when it does not throw.
template <class F>
std::string message_of(F f, ErrorCategory* cat = nullptr, std::string* field = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (cat) *cat = e.category();
    if (field) *field = e.context().field;
    return e.message();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const Country& china() {
  static const Country c = parse_country("CN");
  return c;
}

}  // namespace

TEST(CbamCodes, NormalisesSpacesAndDots) {
  EXPECT_EQ(normalise_cn("2523 29 00"), "25232900");
  EXPECT_EQ(normalise_cn("7208"), "7208");
  EXPECT_EQ(normalise_cn(" 2523.10.00.90 "), "2523100090");
  EXPECT_TRUE(has(message_of([] { normalise_cn("72a8"); }), "'72a8' is not a CN code"));
  EXPECT_TRUE(has(message_of([] { normalise_cn("7"); }), "a code has 2 to 10 digits"));
  EXPECT_TRUE(has(message_of([] { normalise_cn("25232900001"); }), "a code has 2 to 10 digits"));
}

TEST(CbamCodes, CategoriesAndAnnexII) {
  EXPECT_EQ(category_of("25232900"), Category::Cement);
  EXPECT_EQ(category_of("7208"), Category::IronSteel);
  EXPECT_EQ(category_of("26011200"), Category::IronSteel);
  EXPECT_EQ(category_of("7601"), Category::Aluminium);
  EXPECT_EQ(category_of("31021019"), Category::Fertilisers);
  EXPECT_EQ(category_of("28041000"), Category::Hydrogen);
  EXPECT_EQ(category_of("2716"), Category::Electricity);
  EXPECT_FALSE(category_of("8501"));
  // Regulation (EU) 2023/956 Annex II: only direct emissions for iron and steel, aluminium, hydrogen.
  EXPECT_FALSE(counts_indirect(Category::IronSteel));
  EXPECT_FALSE(counts_indirect(Category::Aluminium));
  EXPECT_FALSE(counts_indirect(Category::Hydrogen));
  EXPECT_TRUE(counts_indirect(Category::Cement));
  EXPECT_TRUE(counts_indirect(Category::Fertilisers));
  EXPECT_TRUE(has(message_of([] { parse_category("steel"); }), "use cement, iron_steel, aluminium"));
}

TEST(CbamCodes, MatchesAtAnyLevel) {
  const auto& t = default_table();
  EXPECT_EQ(lookup(t, china(), "7208").cn_code, "7208");                 // the table's own code
  EXPECT_EQ(lookup(t, china(), "72083900").cn_code, "7208");             // a sub-code of a table code
  EXPECT_EQ(lookup(t, china(), "7208 39 00").cn_code, "7208");           // with spaces
  EXPECT_EQ(lookup(t, china(), "25232900").description, "grey portland cement");
  EXPECT_EQ(lookup(t, china(), "2523100010").description, "white clinker");
  EXPECT_EQ(lookup(t, china(), "7207").cn_code, "72071210");             // the only sub-code of 7207 in the table
  // 2523 10 00 covers white and grey clinker, whose defaults differ: ambiguous, naming both.
  ErrorCategory cat{};
  std::string field;
  const auto amb = message_of([&] { lookup(t, china(), "2523 10 00"); }, &cat, &field);
  EXPECT_EQ(cat, ErrorCategory::InvalidInput);
  EXPECT_EQ(field, "good");
  EXPECT_TRUE(has(amb, "CN code 25231000 covers 2 goods with different default values"));
  EXPECT_TRUE(has(amb, "2523100010 (white clinker)"));
  EXPECT_TRUE(has(amb, "2523100090 (other clinker including grey clinker)"));
  // 7210 (coated flat products) has no row: the nearest codes are named.
  const auto unk = message_of([&] { lookup(t, china(), "7210"); }, &cat);
  EXPECT_EQ(cat, ErrorCategory::NotFound);
  EXPECT_TRUE(has(unk, "no default value for CN code 7210 from China in the table; nearest codes: 7209 (cold rolled"));
  EXPECT_TRUE(has(unk, "7208 (hot rolled"));
  EXPECT_TRUE(has(message_of([&] { lookup(t, china(), "8501"); }), "CN code 8501 is not a CBAM good"));
  // match(): sub-codes for `defaults --good`.
  EXPECT_EQ(match(t, "CHN", "2523").size(), 6u);
  EXPECT_EQ(match(t, "CHN", "76").size(), 4u);
  EXPECT_TRUE(match(t, "DEU", "7208").empty());
}

TEST(CbamCountries, CodesAndNames) {
  for (const char* s : {"CN", "cn", "CHN", "China", " china "}) {
    const Country c = parse_country(s);
    EXPECT_EQ(c.alpha3, "CHN") << s;
    EXPECT_EQ(c.alpha2, "CN") << s;
    EXPECT_EQ(c.name, "China") << s;
  }
  EXPECT_EQ(parse_country("DE").alpha3, "DEU");
  ErrorCategory cat{};
  const auto m = message_of([] { parse_country("Chna"); }, &cat);
  EXPECT_EQ(cat, ErrorCategory::NotFound);
  EXPECT_TRUE(has(m, "unknown country 'Chna'"));
  EXPECT_TRUE(has(m, "nearest names: China"));
  const auto none = message_of([] { lookup(default_table(), parse_country("Germany"), "7208"); }, &cat);
  EXPECT_EQ(cat, ErrorCategory::NotFound);
  EXPECT_TRUE(has(none, "holds no values for DEU (Germany); it holds CHN"));
}

TEST(CbamMarkups, ByYearAndCategory) {
  const auto& t = default_table();
  for (Category c : {Category::Cement, Category::IronSteel, Category::Aluminium, Category::Hydrogen}) {
    EXPECT_DOUBLE_EQ(markup_pct(t, c, 2026), 10);
    EXPECT_DOUBLE_EQ(markup_pct(t, c, 2027), 20);
    EXPECT_DOUBLE_EQ(markup_pct(t, c, 2028), 30);
    EXPECT_DOUBLE_EQ(markup_pct(t, c, 2040), 30);
  }
  for (int y : {2026, 2027, 2028, 2035}) EXPECT_DOUBLE_EQ(markup_pct(t, Category::Fertilisers, y), 1);
  EXPECT_TRUE(has(message_of([&] { markup_pct(t, Category::Cement, 2025); }), "2025 is before the definitive period"));
  ErrorCategory cat{};
  EXPECT_TRUE(has(message_of([&] { markup_pct(t, Category::Electricity, 2026); }, &cat), "no mark-up for electricity"));
  EXPECT_EQ(cat, ErrorCategory::NotFound);
}

TEST(CbamTable, EmbeddedTableIsWellFormed) {
  const auto& t = default_table();
  ASSERT_EQ(t.rows.size(), 24u);
  for (const auto& r : t.rows) {
    EXPECT_NEAR(r.direct + r.indirect.value_or(0), r.total, 0.0100001) << r.cn_code;
    EXPECT_EQ(category_of(r.cn_code), r.category) << r.cn_code;
    EXPECT_EQ(r.country, "CHN");
  }
  // A total that is not direct + indirect is refused with its line and field.
  const std::string bad = "cn_code,description,category,country,direct,indirect,total,route,source\n"
                          "7208,x,iron_steel,CHN,1.0,0.5,2.0,,s\n";
  const std::string mk = "category,from_year,to_year,markup_pct,source\n";
  ErrorCategory cat{};
  std::string field;
  EXPECT_TRUE(has(message_of([&] { parse_default_table(bad, mk); }, &cat, &field), "total is not direct + indirect"));
  EXPECT_EQ(cat, ErrorCategory::Data);
  EXPECT_EQ(field, "total");
  EXPECT_TRUE(has(message_of([&] { parse_default_table("a,b\n", mk); }), "the header is not cn_code,description"));
}

// The comparison's arithmetic by hand.
TEST(CbamCompare, SteelWithActualBelowDefault) {
  // 7208 China: direct 3.187; 2027 mark-up 20 %: 3.187 x 1.2 = 3.8244; actual 2.1: difference 1.7244 =
  // base gap 1.087 + mark-up 0.6374; at 80 EUR/t: 137.952 EUR per t of steel.
  const Comparison c = compare(default_table(), china(), "72083900", 2027, 2.1, 80);
  EXPECT_EQ(c.row.cn_code, "7208");
  EXPECT_NEAR(c.default_t, 3.187, 1e-12);
  EXPECT_NEAR(c.markup_pct, 20, 1e-12);
  EXPECT_NEAR(c.default_with_markup_t, 3.8244, 1e-12);
  EXPECT_NEAR(c.difference_t(), 1.7244, 1e-12);
  EXPECT_NEAR(c.base_gap_t(), 1.087, 1e-12);
  EXPECT_NEAR(c.markup_t(), 0.6374, 1e-12);
  EXPECT_NEAR(c.base_gap_t() + c.markup_t(), c.difference_t(), 1e-12);  // the identity of the report
  EXPECT_NEAR(c.cost_difference_eur(), 137.952, 1e-9);
  ASSERT_EQ(c.report.size(), 4u);
  EXPECT_TRUE(has(c.report[0], "only direct emissions count (Regulation (EU) 2023/956 Annex II)"));
  EXPECT_TRUE(has(c.report[2], "the actual value 2.1 is lower than the default with mark-up 3.824 by 1.724"));
  EXPECT_TRUE(has(c.report[2], "1.087 from the base-value gap"));
}

TEST(CbamCompare, CementCountsIndirectAndActualAboveDefault) {
  // 25232900 China: total 1.42 (direct 1.35 + indirect 0.07); 2026: x 1.1 = 1.562; actual 1.6: difference -0.038.
  const Comparison c = compare(default_table(), china(), "2523 29 00", 2026, 1.6, 75);
  EXPECT_NEAR(c.default_t, 1.42, 1e-12);
  EXPECT_NEAR(c.default_with_markup_t, 1.562, 1e-12);
  EXPECT_NEAR(c.difference_t(), -0.038, 1e-12);
  EXPECT_NEAR(c.cost_difference_eur(), -2.85, 1e-9);
  EXPECT_TRUE(has(c.report[0], "direct and indirect (electricity) emissions count"));
  EXPECT_TRUE(has(c.report[2], "is higher than the default with mark-up"));
  EXPECT_TRUE(has(c.report[3], "(the default pays less)"));
}

TEST(CbamCompare, AnnexIIDropsIndirectAndFertilisersOnePercent) {
  // Agglomerated iron ore: the annex gives indirect 0.06, but iron and steel count direct only: 0.20 x 1.3.
  const Comparison ore = compare(default_table(), china(), "26011200", 2028, std::nullopt, 80);
  EXPECT_NEAR(ore.default_t, 0.20, 1e-12);
  EXPECT_NEAR(ore.default_with_markup_t, 0.26, 1e-12);
  EXPECT_FALSE(ore.actual_t);
  EXPECT_TRUE(has(ore.report[0], "the annex's indirect 0.06 does not count"));
  // Urea > 45 % N: the published total 2.85 (direct 2.70 + indirect 0.14, rounded separately), x 1.01.
  const Comparison urea = compare(default_table(), china(), "31021019", 2028, 2.0, 100);
  EXPECT_NEAR(urea.default_t, 2.85, 1e-12);
  EXPECT_NEAR(urea.default_with_markup_t, 2.8785, 1e-12);
  EXPECT_NEAR(urea.cost_difference_eur(), 87.85, 1e-9);
}

// ---- installation (Implementing Regulation (EU) 2023/1773 Annex III) ----------------------------------------------

namespace {
std::string example_installation() {
  std::ifstream f(std::string(PANOCARBON_SOURCE_DIR) + "/examples/cbam/cement_installation.json");
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
}  // namespace

TEST(CbamInstallation, CementWorkedExampleByHand) {
  // Clinker: coal 100 000 t x 25.8 GJ/t x 0.0946 t/GJ x 1 = 244 068 t; calcination 1 000 000 t x 0.52 = 520 000 t;
  // AttrEm = 764 068 t over AL 1 000 000 t: SEE_dir 0.764068; electricity 60 000 MWh x 0.5366 = 32 196 t: 0.032196.
  // Cement: 5 000 t direct + 900 000 t clinker x 0.764068 = 692 661.2 t over 1 200 000 t: 0.577217667;
  // indirect 48 000 x 0.5366 = 25 756.8 + 900 000 x 0.032196 = 28 976.4 -> 54 733.2 / 1 200 000 = 0.045611.
  const InstallationResult r = embedded_emissions(example_installation(), "cement_installation.json");
  ASSERT_EQ(r.processes.size(), 2u);
  const auto& k = r.processes[0];
  const auto& c = r.processes[1];
  EXPECT_EQ(k.id, "clinker");
  EXPECT_EQ(k.good, "2523100090");
  EXPECT_NEAR(k.direct_t, 764068, 1e-6);
  EXPECT_NEAR(k.see_direct, 0.764068, 1e-12);
  EXPECT_NEAR(k.see_indirect, 0.032196, 1e-12);
  EXPECT_EQ(c.id, "cement");
  EXPECT_NEAR(c.precursor_direct_t, 687661.2, 1e-6);
  EXPECT_NEAR(c.precursor_indirect_t, 28976.4, 1e-6);
  EXPECT_NEAR(c.see_direct, 692661.2 / 1.2e6, 1e-12);
  EXPECT_NEAR(c.see_indirect, 54733.2 / 1.2e6, 1e-12);
  EXPECT_NEAR(c.see_counted, c.see_direct + c.see_indirect, 1e-15);  // cement counts indirect
  // Identity: the installation's own emissions are all embedded in what leaves it (100 000 t of clinker sold and
  // 1 200 000 t of cement).
  const double own = r.total_direct_t + r.total_indirect_t;
  EXPECT_NEAR(own, 827020.8, 1e-6);
  EXPECT_NEAR(100000 * k.see_total + 1.2e6 * c.see_total, own, 1e-6);
}

TEST(CbamInstallation, SteelChainCountsDirectOnlyAndSourceStreamMethods) {
  // Pig iron by mass balance: coke 400 t C 0.87 and ore... in, pig iron 1000 t C 0.045 out:
  // 3.664 x (400 x 0.87 - 1000 x 0.045) = 3.664 x 303 = 1110.192 t; plus 2 000 GJ gas x 0.0561 t/GJ = 112.2 t.
  // Steel: purchased ferro-alloy 10 t with SEE 3 (direct) and 1 (indirect); 900 t pig iron; heat exported 50 t and
  // electricity produced on site 30 t CO2 (Em_el,prod) subtracted from the 180 t of direct emissions.
  const char* j = R"({"installation": "steel", "electricity_factor_t_per_mwh": 0.5,
    "processes": [
     {"id": "steel", "good": "7206 10 00", "activity_level_t": 1000, "direct_emissions_t": 180,
      "heat_exported_t_co2": 50, "electricity_produced_t_co2": 30, "electricity_mwh": 100,
      "precursors": [{"process": "bf", "mass_t": 900},
                     {"name": "ferro-manganese", "mass_t": 10, "see_direct": 3, "see_indirect": 1}]},
     {"id": "bf", "good": "7201", "activity_level_t": 1000, "electricity_mwh": 20,
      "source_streams": [
        {"name": "coke", "method": "mass_balance", "activity_t": 400, "carbon_fraction": 0.87},
        {"name": "pig iron", "method": "mass_balance", "activity_t": 1000, "carbon_fraction": 0.045, "direction": "output"},
        {"name": "gas", "method": "combustion", "activity": 2000, "ncv_gj_per_unit": 1, "ef_t_co2_per_gj": 0.0561}]}]})";
  const InstallationResult r = embedded_emissions(j, "steel.json");
  ASSERT_EQ(r.processes.size(), 2u);
  const auto& bf = r.processes[0];  // computed first: the precursor
  const auto& st = r.processes[1];
  EXPECT_EQ(bf.id, "bf");
  EXPECT_NEAR(bf.direct_t, 1110.192 + 112.2, 1e-9);
  EXPECT_NEAR(bf.see_direct, 1.222392, 1e-12);
  EXPECT_NEAR(bf.see_indirect, 0.01, 1e-12);
  EXPECT_FALSE(bf.indirect_counts);
  // Steel: AttrEm 180 - 50 - 30 = 100; + 900 x 1.222392 + 10 x 3 = 1100.1528 + 30 -> (100 + 1130.1528) / 1000.
  EXPECT_NEAR(st.direct_t, 100, 1e-12);
  EXPECT_NEAR(st.see_direct, 1.2301528, 1e-12);
  EXPECT_NEAR(st.see_indirect, (50 + 900 * 0.01 + 10 * 1) / 1000.0, 1e-12);
  EXPECT_NEAR(st.see_counted, st.see_direct, 1e-15);  // Annex II: direct only
}

TEST(CbamInstallation, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* field;
    const char* message;
  };
  const std::string ok_proc = R"("id": "a", "good": "7208", "activity_level_t": 10)";
  const Case cases[] = {
      {"{not json", "", "not valid JSON"},
      {"[1]", "", "an installation file is a JSON object"},
      {R"({"installation": "x", "processes": []})", "processes", "non-empty list"},
      {R"({"installation": "x", "procesess": []})", "procesess", "did you mean processes?"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "direct_emissions_t": 1}]})",
       "processes[0].activity_level_t", "missing field 'activity_level_t'"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 0, "direct_emissions_t": 1}]})",
       "processes[0].activity_level_t", "must be above 0"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1}]})", "processes[0]",
       "give either direct_emissions_t"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "8501", "activity_level_t": 1, "direct_emissions_t": 1}]})",
       "processes[0].good", "CN code 8501 is not a CBAM good"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "72x", "activity_level_t": 1, "direct_emissions_t": 1}]})",
       "processes[0].good", "is not a CN code"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": -1}]})",
       "processes[0].direct_emissions_t", "out of range"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": "5"}]})",
       "processes[0].direct_emissions_t", "must be a number, not string"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": 1, "electricity_mwh": 5}]})",
       "processes[0].electricity_factor_t_per_mwh", "without an emission factor"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "source_streams": [{"method": "burn"}]}]})",
       "processes[0].source_streams[0].method", "unknown method 'burn'"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": 1,
          "precursors": [{"process": "b", "mass_t": 1}]}]})",
       "processes[0].precursors[0].process", "no process 'b' in the installation"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": 1,
          "precursors": [{"name": "p", "mass_t": -2, "see_direct": 1}]}]})",
       "processes[0].precursors[0].mass_t", "out of range"},
      {R"({"installation": "x", "processes": [
          {"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": 1, "precursors": [{"process": "b", "mass_t": 1}]},
          {"id": "b", "good": "7201", "activity_level_t": 1, "direct_emissions_t": 1, "precursors": [{"process": "a", "mass_t": 1}]}]})",
       "processes[0].precursors", "the precursors form a cycle (a -> b -> a)"},
      {R"({"installation": "x", "processes": [{"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": 1},
          {"id": "a", "good": "7208", "activity_level_t": 1, "direct_emissions_t": 1}]})",
       "processes[1].id", "process id 'a' is used twice"},
  };
  (void)ok_proc;
  for (const auto& c : cases) {
    ErrorCategory cat{};
    std::string field;
    const std::string m = message_of([&] { embedded_emissions(c.json, "inst.json"); }, &cat, &field);
    EXPECT_EQ(cat, ErrorCategory::InvalidInput) << c.json;
    EXPECT_EQ(field, c.field) << c.json;
    EXPECT_TRUE(has(m, c.message)) << c.json << "\n -> " << m;
  }
}
