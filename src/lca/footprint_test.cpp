// Product carbon footprint study: the study file's errors, and the footprint of a small database computed
// by hand (fossil, biogenic, dLUC, stages, allocation sensitivity, PACT figures).
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"

namespace panocarbon::lca {
namespace {

using nlohmann::json;

// PACT's Decimal: ^[+-]?\d+(\.\d+)?$ (no std::regex: GCC 12 warns inside it under the sanitizer preset)
bool is_pact_decimal(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i == s.size()) return true;
  if (s[i++] != '.') return false;
  return digits() && i == s.size();
}
// a version-5 RFC 4122 UUID in lower case
bool is_uuid_v5(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && !(std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  }
  return s[14] == '5' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

// ---- the study file ----------------------------------------------------------------------------------------
json minimal_study() {
  return json::parse(R"({
    "name": "Board", "product": "Board production", "database": "testdb",
    "functional_unit": "1 kg of board at the factory gate", "reference_flow": {"amount": 1, "unit": "kg"}
  })");
}

TEST(FootprintStudy, MinimalStudyGetsTheDefaults) {
  const Study s = parse_study(minimal_study(), "study.json");
  EXPECT_EQ(s.product, "Board production");
  EXPECT_EQ(s.system_boundary, "cradle-to-gate");
  EXPECT_EQ(s.allocation, AllocationMethod::AsStored);
  EXPECT_EQ(s.gwp_set, "AR6");
  EXPECT_DOUBLE_EQ(s.cutoff, 0.01);
  EXPECT_DOUBLE_EQ(s.amount, 1);
  EXPECT_EQ(s.unit, "kg");
  EXPECT_FALSE(s.waive_unmapped);
}

struct BadStudy {
  const char* patch;  // JSON merge patch applied to the minimal study (null removes a field)
  const char* field;  // the field the error names
  const char* message;  // a part of the message
};

TEST(FootprintStudy, EachErrorNamesTheFileTheFieldAndWhatToDo) {
  const BadStudy cases[] = {
      {R"({"product": null})", "product", "missing: the id or name of the process whose product is studied"},
      {R"({"product": 7})", "product", "must be a string"},
      {R"({"database": ""})", "database", "is empty: the name the LCA database was imported under"},
      {R"({"functional_unit": null})", "functional_unit", "missing: the functional unit in words"},
      {R"({"prodcut": "x"})", "prodcut", "unknown field 'prodcut'; the fields are: name, goal, product"},
      {R"({"reference_flow": null})", "reference_flow", "missing: the amount of product per functional unit"},
      {R"({"reference_flow": {"amount": -1}})", "reference_flow.amount", "must be greater than 0, not -1"},
      {R"({"reference_flow": {"amount": 0}})", "reference_flow.amount", "must be greater than 0, not 0"},
      {R"({"reference_flow": {"amount": "1"}})", "reference_flow.amount", "must be a number (product per functional unit), not string"},
      {R"({"reference_flow": {"amount": 1, "units": "kg"}})", "reference_flow.units", "unknown field 'units' in reference_flow"},
      {R"({"allocation": "mass"})", "allocation", "unknown allocation method 'mass': use as-stored, physical, economic, causal or none"},
      {R"({"allocation_sensitivity": ["economic", "market"]})", "allocation_sensitivity[1]", "unknown allocation method 'market'"},
      {R"({"allocation_sensitivity": "economic"})", "allocation_sensitivity", "must be a list of allocation methods"},
      {R"({"system_boundary": "gate-to-gate"})", "system_boundary", "'gate-to-gate' is not a system boundary: use cradle-to-gate or cradle-to-grave"},
      {R"({"cutoff": 1.5})", "cutoff", "1.5 is not a fraction from 0 to 1: write 0.01 for 1 %"},
      {R"({"cutoff": -0.1})", "cutoff", "is not a fraction from 0 to 1"},
      {R"({"reference_period": {"start": "2023-13-01", "end": "2023-12-31"}})", "reference_period.start", "'2023-13-01' is not a date (YYYY-MM-DD)"},
      {R"({"reference_period": {"start": "2023-02-30", "end": "2023-12-31"}})", "reference_period.start", "is not a date"},
      {R"({"reference_period": {"start": "2023-01-01"}})", "reference_period.end", "missing: the last day"},
      {R"({"reference_period": {"start": "2023-06-01", "end": "2023-01-31"}})", "reference_period.end", "ends (2023-01-31) before it starts (2023-06-01)"},
      {R"({"geography": "USA"})", "geography", "'USA' is not Global, an ISO 3166-1 alpha-2 country (US)"},
      {R"({"gwp_set": "AR7"})", "gwp_set", "'AR7' is not a GWP set: use AR6 (default), AR5 or AR4"},
      {R"({"waive_unmapped": "yes"})", "waive_unmapped", "must be true or false"},
      {R"({"max_depth": 0})", "max_depth", "must be a whole number from 1 to 50"},
      {R"({"limitations": ["a", 3]})", "limitations[1]", "must be a string"},
      {R"({"stages": {"name": "x"}})", "stages", "must be a list of"},
      {R"({"stages": [{"name": "a", "processes": ["x"]}, {"name": "A", "processes": ["y"]}]})", "stages[1].name", "stage 'A' is defined twice"},
      {R"({"stages": [{"name": "other", "processes": ["x"]}]})", "stages[0].name", "'other' is reserved"},
      {R"({"stages": [{"name": "a"}]})", "stages[0].processes", "stage 'a' lists no processes and no demands"},
      {R"({"stages": [{"name": "a", "processes": [""]}]})", "stages[0].processes[0]", "is empty"},
      {R"({"stages": [{"name": "eol", "demands": [{"process": "Board end of life", "amount": 1}]}]})", "system_boundary",
       "stages add use or end-of-life demands but the system boundary is cradle-to-gate"},
      {R"({"system_boundary": "cradle-to-grave", "stages": [{"name": "eol", "demands": [{"process": "x", "amount": 0}]}]})",
       "stages[0].demands[0].amount", "must be greater than 0, not 0"},
      {R"({"pact": []})", "pact", "must be an object of PACT ProductFootprint fields"},
      {R"({"pact": {"companyname": "x"}})", "pact.companyname", "unknown field 'companyname' in pact"},
      {R"({"pact": {"companyIds": ["acme-1"]}})", "pact.companyIds[0]", "'acme-1' is not a URN"},
      {R"({"pact": {"productIds": []}})", "pact.productIds", "must list at least one URN"},
      {R"({"pact": {"productIds": ["urn:a:1", "urn:a:1"]}})", "pact.productIds", "lists an identifier twice"},
      {R"({"pact": {"declaredUnit": "kg"}})", "pact.declaredUnit", "'kg' is not a PACT declared unit: use one of liter, kilogram"},
      {R"({"pact": {"unitaryProductAmount": 0}})", "pact.unitaryProductAmount", "must be greater than 0"},
      {R"({"pact": {"exemptedEmissionsPercent": 7}})", "pact.exemptedEmissionsPercent", "must be a percentage from 0 to 5"},
      {R"({"pact": {"primaryDataShare": 120}})", "pact.primaryDataShare", "must be a percentage from 0 to 100"},
      {R"({"pact": {"created": "2024-05-01"}})", "pact.created", "is not a UTC date-time like 2024-05-01T00:00:00Z"},
      {R"({"pact": {"version": -1}})", "pact.version", "must be a whole number from 0 to 2^31-1"},
      {R"({"pact": {"biogenicCarbonContent": -0.1}})", "pact.biogenicCarbonContent", "must be 0 or more"},
      {R"({"pact": {"dqi": {"coveragePercent": 80, "technologicalDQR": 2}}})", "pact.dqi.temporalDQR", "missing: PACT DataQualityIndicators need all six"},
      {R"({"pact": {"dqi": {"coveragePercent": 80, "technologicalDQR": 4, "temporalDQR": 2, "geographicalDQR": 2, "completenessDQR": 2, "reliabilityDQR": 2}}})",
       "pact.dqi.technologicalDQR", "must be from 1 to 3 (PACT DQR)"},
      {R"({"pact": {"crossSectoralStandardsUsed": ["PAS 2050"]}})", "pact.crossSectoralStandardsUsed[0]", "'PAS 2050' is not a PACT v2 cross-sectoral standard"},
      {R"({"pact": {"biogenicAccountingMethodology": "GHPG"}})", "pact.biogenicAccountingMethodology", "'GHPG' is not one of PEF, ISO, GHGP, Quantis"},
      {R"({"pact": {"productOrSectorSpecificRules": [{"operator": "Other", "ruleNames": ["r"]}]}})",
       "pact.productOrSectorSpecificRules[0].otherOperatorName", "missing: the operator's name"},
      {R"({"pact": {"secondaryEmissionFactorSources": [{"name": "x"}]}})", "pact.secondaryEmissionFactorSources[0].version", "missing: the database version"},
  };
  for (const auto& c : cases) {
    json j = minimal_study();
    j.merge_patch(json::parse(c.patch));
    try {
      parse_study(j, "study.json");
      ADD_FAILURE() << "no error for " << c.patch;
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << c.patch;
      EXPECT_EQ(e.context().file, "study.json") << c.patch;
      EXPECT_EQ(e.context().field, c.field) << c.patch << ": " << e.what();
      EXPECT_NE(e.message().find(c.message), std::string::npos) << c.patch << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("study.json"), std::string::npos) << e.what();
    }
  }
}

TEST(FootprintStudy, NotAnObjectAndNotJson) {
  try {
    parse_study(json::array(), "s.json");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("a study is a JSON object with at least name, product"), std::string::npos);
  }
  const auto dir = std::filesystem::temp_directory_path() / "panocarbon_footprint_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "broken.json";
  std::ofstream(path) << "{\n  \"name\": \"x\",\n  \"product\" \"y\"\n}\n";
  try {
    read_study(path);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, path.string());
    EXPECT_EQ(e.context().line, 3);
    EXPECT_NE(e.message().find("the study is not valid JSON"), std::string::npos);
  }
  try {
    read_study(dir / "missing.json");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Io);
  }
}

// 1e400 does not fit a double: the JSON parser's overflow used to escape as an internal error (exit 70); now an
// input error naming the file, line, column and key.
TEST(FootprintStudy, AnOverflowingNumberNamesLineAndField) {
  const auto dir = std::filesystem::temp_directory_path() / "panocarbon_footprint_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "overflow.json";
  std::ofstream(path) << "{\n  \"name\": \"x\",\n  \"reference_flow\": {\"amount\": 1e400, \"unit\": \"kg\"}\n}\n";
  try {
    read_study(path);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << e.what();
    EXPECT_EQ(e.context().file, path.string());
    EXPECT_EQ(e.context().line, 3);
    EXPECT_EQ(e.context().column, 32);
    EXPECT_EQ(e.context().field, "amount");
    EXPECT_NE(e.message().find("1e400 of \"amount\" is not a finite number"), std::string::npos) << e.message();
  }
}

// ---- text helpers ------------------------------------------------------------------------------------------
TEST(FootprintText, PactDecimalsAreFixedNotationStrings) {
  EXPECT_EQ(pact_decimal(0), "0");
  EXPECT_EQ(pact_decimal(-0.0), "0");
  EXPECT_EQ(pact_decimal(1.5), "1.5");
  EXPECT_EQ(pact_decimal(-2.25), "-2.25");
  EXPECT_EQ(pact_decimal(0.000123), "0.000123");
  EXPECT_EQ(pact_decimal(1e21), "1000000000000000000000");
  EXPECT_EQ(pact_decimal(3), "3");
  for (double v : {0.1 + 0.2, 1.0 / 3, -7.25e-9, 123456.789, 0.9352, 1e-300, -1e300})
    EXPECT_TRUE(is_pact_decimal(pact_decimal(v))) << pact_decimal(v);
  EXPECT_FALSE(is_pact_decimal("1e-5"));
  EXPECT_FALSE(is_pact_decimal("1."));
  EXPECT_FALSE(is_pact_decimal(".5"));
  // shortest round trip: the string reads back as the same double
  for (double v : {0.1 + 0.2, 1.0 / 3, -7.25e-9, 0.9352}) EXPECT_EQ(std::stod(pact_decimal(v)), v);
}

TEST(FootprintText, HtmlEscapeAndUuidV5) {
  EXPECT_EQ(html_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  // RFC 4122 name-based SHA-1 UUID: Python's uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
  EXPECT_EQ(uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

// ---- a small database --------------------------------------------------------------------------------------
// Flows (kg unless noted): CO2 fossil, CO2 biogenic, CO2 in air (resource), CO2 land transformation,
// CH4 biogenic, land transformation (m2, no GWP); products Board, Wood, Bark, Electricity (kWh), Glue
// (no provider: cut off), Board disposal.
// Processes:
//   Board production  → 1 kg Board; in: 1.2 kg Wood, 2 kWh Electricity, 0.05 kg Glue; out: 0.1 kg CO2 fossil,
//                       0.2 kg CO2 biogenic (drying with wood residues)
//   Wood harvesting   → 1 kg Wood + 0.25 kg Bark (co-product); in: 1 kg CO2 in air, 0.5 m2 transformation;
//                       out: 0.05 kg CO2 fossil, 0.3 kg CO2 land transformation, 0.01 kg CH4 biogenic.
//                       Allocation: physical Wood 0.8 / Bark 0.2 (default), economic 0.9 / 0.1
//   Electricity       → 1 kWh; out: 0.5 kg CO2 fossil
//   Board end of life → 1 kg Board disposal; out: 0.5 kg CO2 biogenic (incineration)
Exchange ex(int32_t flow, double amount, bool input, bool reference = false) {
  Exchange e;
  e.flow = flow;
  e.amount = amount;
  e.input = input;
  e.reference = reference;
  return e;
}

Database test_database(bool with_unmapped_ghg = false) {
  Database db;
  db.name = "testdb";
  db.format = "test";
  db.provenance = {{"source", "built in footprint_test.cpp"}, {"version", "1.0"}};
  const auto flow = [&](std::string id, std::string name, FlowType t, std::string compartment, std::string cas,
                        std::string unit) {
    Flow f;
    f.id = std::move(id);
    f.name = std::move(name);
    f.type = t;
    f.compartment = std::move(compartment);
    f.cas = std::move(cas);
    f.unit = std::move(unit);
    f.property = f.unit == "kg" ? "Mass" : f.unit == "kWh" ? "Energy" : "Area";
    db.flows.push_back(f);
    return static_cast<int32_t>(db.flows.size() - 1);
  };
  const auto E = FlowType::Elementary;
  const auto P = FlowType::Product;
  const int32_t co2f = flow("co2f", "Carbon dioxide, fossil", E, "Elementary flows/air/unspecified", "124-38-9", "kg");
  const int32_t co2b = flow("co2b", "Carbon dioxide, biogenic", E, "Elementary flows/air/unspecified", "124-38-9", "kg");
  const int32_t co2air = flow("co2air", "Carbon dioxide, in air", E, "Elementary flows/resource/in air", "124-38-9", "kg");
  const int32_t co2luc = flow("co2luc", "Carbon dioxide, land transformation", E, "Elementary flows/air/unspecified", "", "kg");
  const int32_t ch4b = flow("ch4b", "Methane, biogenic", E, "Elementary flows/air/unspecified", "74-82-8", "kg");
  const int32_t land = flow("land", "Transformation, from forest, unspecified", E, "Elementary flows/resource/land", "", "m2");
  const int32_t board = flow("board", "Board", P, "Wood products", "", "kg");
  const int32_t wood = flow("wood", "Wood", P, "Forestry", "", "kg");
  const int32_t bark = flow("bark", "Bark", P, "Forestry", "", "kg");
  const int32_t elec = flow("elec", "Electricity", P, "Energy", "", "kWh");
  const int32_t glue = flow("glue", "Glue", P, "Chemicals", "", "kg");
  const int32_t disposal = flow("disposal", "Board disposal", P, "Waste management", "", "kg");
  const int32_t odd = flow("odd", "Carbon dioxide, unusual", E, "Elementary flows/air/unspecified", "", "kg");
  const auto process = [&](std::string id, std::string name, std::string category, std::vector<Exchange> x) {
    Process p;
    p.id = std::move(id);
    p.name = std::move(name);
    p.category = std::move(category);
    p.location = "US";
    p.exchanges = std::move(x);
    p.documentation = {{"validFrom", "2020-01-01"}, {"sources", json::array({{{"name", "Test source"}}})}};
    db.processes.push_back(p);
    return db.processes.size() - 1;
  };
  process("p-board", "Board production", "Manufacturing/Wood products",
          {ex(board, 1, false, true), ex(wood, 1.2, true), ex(elec, 2, true), ex(glue, 0.05, true),
           ex(co2f, 0.1, false), ex(co2b, 0.2, false)});
  const size_t w = process("p-wood", "Wood harvesting, average", "Forestry/Logging",
                           {ex(wood, 1, false, true), ex(bark, 0.25, false), ex(co2air, 1.0, true), ex(land, 0.5, true),
                            ex(co2f, 0.05, false), ex(co2luc, 0.3, false), ex(ch4b, 0.01, false)});
  db.processes[w].default_allocation = AllocationMethod::Physical;
  db.processes[w].allocation = {{AllocationMethod::Physical, wood, -1, 0.8}, {AllocationMethod::Physical, bark, -1, 0.2},
                                {AllocationMethod::Economic, wood, -1, 0.9}, {AllocationMethod::Economic, bark, -1, 0.1}};
  const size_t e = process("p-elec", "Electricity, grid mix", "Energy/Electricity", {ex(elec, 1, false, true), ex(co2f, 0.5, false)});
  if (with_unmapped_ghg) db.processes[e].exchanges.push_back(ex(odd, 0.01, false));
  process("p-eol", "Board end of life", "Waste management/Incineration", {ex(disposal, 1, false, true), ex(co2b, 0.5, false)});
  db.index();
  return db;
}

json board_study() {
  return json::parse(R"({
    "name": "Particle board <test> & co",
    "goal": "Test the footprint arithmetic.",
    "product": "Board production", "database": "testdb",
    "functional_unit": "1 kg of board at the factory gate",
    "reference_flow": {"amount": 1, "unit": "kg"},
    "stages": [
      {"name": "raw materials", "processes": ["wood harvesting*"]},
      {"name": "energy", "processes": ["Energy"]},
      {"name": "manufacturing", "processes": ["p-board"]}
    ],
    "cutoff": 0.01,
    "allocation": "as-stored",
    "allocation_sensitivity": ["economic", "none"],
    "reference_period": {"start": "2023-01-01", "end": "2023-12-31"},
    "geography": "US",
    "pact": {"companyName": "Acme", "companyIds": ["urn:pact:company:customcode:buyer-assigned:acme"],
             "productIds": ["urn:pact:product:customcode:buyer-assigned:board"], "productCategoryCpc": "3142",
             "fossilCarbonContent": 0, "created": "2024-01-02T03:04:05Z"}
  })");
}

// Hand computation, 1 kg board, physical allocation (as stored), AR6 (CO2 1, CH4 non-fossil 27.0):
//   scaling: board 1, wood 1.2 (kg), electricity 2 (kWh); the wood column carries 0.8 of the harvest.
//   fossil   = 0.1 (board) + 1.2·0.8·0.05 (wood) + 2·0.5 (electricity) = 0.1 + 0.048 + 1.0 = 1.148
//   biogenic CO2 emissions = 0.2 (board)
//   biogenic CO2 removals  = −1.2·0.8·1.0 = −0.96 (uptake from air)
//   other biogenic (CH4)   = 1.2·0.8·0.01·27.0 = 0.2592
//   biogenic = 0.2 − 0.96 + 0.2592 = −0.5008
//   dLUC     = 1.2·0.8·0.3 = 0.288
//   total    = 1.148 − 0.5008 + 0.288 = 0.9352
//   excluding biogenic CO2 = 1.148 + 0.288 + 0.2592 = 1.6952;  fossil + dLUC = 1.436
constexpr double kTol = 1e-12;

TEST(Footprint, FossilBiogenicAndLucByHand) {
  const Database db = test_database();
  const Study s = parse_study(board_study(), "board.json");
  const FootprintReport r = make_footprint(s, db);
  const json& i = r.data["impact"];
  EXPECT_NEAR(i["fossil"].get<double>(), 1.148, kTol);
  EXPECT_NEAR(i["biogenic_co2_emissions"].get<double>(), 0.2, kTol);
  EXPECT_NEAR(i["biogenic_co2_removals"].get<double>(), -0.96, kTol);
  EXPECT_NEAR(i["biogenic_other"].get<double>(), 0.2592, kTol);
  EXPECT_NEAR(i["biogenic"].get<double>(), -0.5008, kTol);
  EXPECT_NEAR(i["luc"].get<double>(), 0.288, kTol);
  EXPECT_NEAR(i["total"].get<double>(), 0.9352, kTol);
  EXPECT_NEAR(i["excluding_biogenic_co2"].get<double>(), 1.6952, kTol);
  EXPECT_NEAR(i["fossil_and_luc"].get<double>(), 1.436, kTol);
  EXPECT_NEAR(i["unallocated"].get<double>(), 0, kTol);
  EXPECT_EQ(i["unit"], "kg CO2e");
  // the glue input has no provider: one cut-off, listed
  EXPECT_EQ(r.data["inventory"]["unlinked_inputs"]["count"], 1);
  EXPECT_EQ(r.data["inventory"]["unlinked_inputs"]["items"][0]["flow"], "Glue");
  EXPECT_EQ(r.data["inventory"]["processes_in_system"], 3);
}

// Stages (direct contributions of their processes):
//   raw materials (wood harvesting column): 1.2·0.8·(0.05 − 1.0 + 0.01·27 + 0.3) = 0.96·(−0.38) = −0.3648
//   energy (category prefix "Energy"):       2·0.5 = 1.0
//   manufacturing (board, by id):            0.1 + 0.2 = 0.3
//   sum = −0.3648 + 1.0 + 0.3 = 0.9352 = total; nothing left for "other"
TEST(Footprint, StagesSumToTheTotal) {
  const Database db = test_database();
  const FootprintReport r = make_footprint(parse_study(board_study(), "board.json"), db);
  const json& st = r.data["interpretation"]["stages"];
  ASSERT_EQ(st.size(), 3u);
  EXPECT_EQ(st[0]["stage"], "raw materials");
  EXPECT_NEAR(st[0]["total"].get<double>(), -0.3648, kTol);
  EXPECT_NEAR(st[0]["luc"].get<double>(), 0.288, kTol);
  EXPECT_EQ(st[1]["stage"], "energy");
  EXPECT_NEAR(st[1]["total"].get<double>(), 1.0, kTol);
  EXPECT_EQ(st[2]["stage"], "manufacturing");
  EXPECT_NEAR(st[2]["total"].get<double>(), 0.3, kTol);
  double sum = 0;
  for (const auto& x : st) sum += x["total"].get<double>();
  EXPECT_NEAR(sum, r.data["impact"]["total"].get<double>(), kTol);
  // hot spots by |direct contribution|: electricity 1.0, wood −0.3648, board 0.3
  const json& hot = r.data["interpretation"]["hot_spots"];
  ASSERT_EQ(hot.size(), 3u);
  EXPECT_EQ(hot[0]["process_id"], "p-elec");
  EXPECT_EQ(hot[1]["process_id"], "p-wood");
  EXPECT_EQ(hot[2]["process_id"], "p-board");
  // shares of the gross contributions G = |−0.3648| + 1.0 + 0.3 = 1.6648 (not of the net 0.9352)
  constexpr double G = 0.3648 + 1.0 + 0.3;
  EXPECT_NEAR(r.data["interpretation"]["gross_contributions"].get<double>(), G, kTol);
  EXPECT_NEAR(hot[0]["share"].get<double>(), 1.0 / G, 1e-12);
  EXPECT_NEAR(hot[1]["share"].get<double>(), -0.3648 / G, 1e-12);
  EXPECT_NEAR(st[0]["share"].get<double>(), -0.3648 / G, 1e-12);
  EXPECT_NEAR(st[2]["share"].get<double>(), 0.3 / G, 1e-12);
  EXPECT_NEAR(r.data["interpretation"]["tree"][0]["share"].get<double>(), 0.9352 / G, 1e-12);
}

// A net total below zero (a wood product that stores more carbon than its life cycle emits): with 3 kg CO2 taken up
// per kg of wood harvested, the wood column is 0.96·(0.05 − 3.0 + 0.27 + 0.3) = −2.2848, the total
// −2.2848 + 1.0 + 0.3 = −0.9848. A share of the net total would give the electricity's +1.0 kg as −101.5 %; of the
// gross contributions G = 2.2848 + 1.3 = 3.5848 it is +27.9 %, and the report says what the shares are of.
TEST(Footprint, SharesOfANegativeTotalKeepTheirSign) {
  Database db = test_database();
  for (auto& p : db.processes)
    if (p.id == "p-wood")
      for (auto& x : p.exchanges)
        if (db.flows[static_cast<size_t>(x.flow)].id == "co2air") x.amount = 3.0;
  const FootprintReport r = make_footprint(parse_study(board_study(), "board.json"), db);
  EXPECT_NEAR(r.data["impact"]["total"].get<double>(), -0.9848, kTol);
  constexpr double G = 2.2848 + 1.3;
  const json& itp = r.data["interpretation"];
  EXPECT_NEAR(itp["gross_contributions"].get<double>(), G, kTol);
  EXPECT_EQ(itp["share_basis"], "gross");
  EXPECT_EQ(itp["hot_spots"][0]["process_id"], "p-wood");
  EXPECT_NEAR(itp["hot_spots"][0]["share"].get<double>(), -2.2848 / G, 1e-12);
  EXPECT_EQ(itp["hot_spots"][1]["process_id"], "p-elec");
  EXPECT_NEAR(itp["hot_spots"][1]["share"].get<double>(), 1.0 / G, 1e-12);
  EXPECT_GT(itp["stages"][1]["share"].get<double>(), 0);  // energy: an emission, a positive share
  EXPECT_NEAR(itp["stages"][1]["share"].get<double>(), 1.0 / G, 1e-12);
  EXPECT_NE(r.markdown.find("Share of G"), std::string::npos);
  EXPECT_NE(r.markdown.find("the gross contributions G"), std::string::npos);
  EXPECT_NE(r.markdown.find("the net total is not positive"), std::string::npos);
  EXPECT_NE(r.markdown.find("27.9"), std::string::npos);  // the electricity's share, +27.9 %
  EXPECT_EQ(r.markdown.find("-101.5"), std::string::npos);
}

TEST(Footprint, ProcessesNoStageMatchesGoToOther) {
  const Database db = test_database();
  json j = board_study();
  j["stages"] = json::parse(R"([{"name": "energy", "processes": ["Electricity*"]}])");
  const FootprintReport r = make_footprint(parse_study(j, "board.json"), db);
  const json& st = r.data["interpretation"]["stages"];
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[1]["stage"], "other");
  EXPECT_NEAR(st[1]["total"].get<double>(), -0.3648 + 0.3, kTol);
  EXPECT_EQ(st[1]["processes"], 2);
}

// Allocation sensitivity:
//   economic (wood 0.9): wood column 1.2·0.9·(0.05 − 1.0 + 0.27 + 0.3) = 1.08·(−0.38) = −0.4104
//                        total = 0.3 + 1.0 − 0.4104 = 0.8896, change (0.8896 − 0.9352)/0.9352 = −4.8760 %
//   none (the reference product Wood carries everything): 1.2·(−0.38) = −0.456
//                        total = 0.3 + 1.0 − 0.456 = 0.844, change (0.844 − 0.9352)/0.9352 = −9.7519 %
TEST(Footprint, AllocationSensitivityRows) {
  const Database db = test_database();
  const FootprintReport r = make_footprint(parse_study(board_study(), "board.json"), db);
  const json& a = r.data["interpretation"]["allocation_sensitivity"];
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]["allocation"], "as-stored");
  EXPECT_TRUE(a[0]["base"].get<bool>());
  EXPECT_NEAR(a[0]["total"].get<double>(), 0.9352, kTol);
  EXPECT_EQ(a[1]["allocation"], "economic");
  EXPECT_NEAR(a[1]["total"].get<double>(), 0.8896, kTol);
  EXPECT_NEAR(a[1]["luc"].get<double>(), 1.2 * 0.9 * 0.3, kTol);
  EXPECT_NEAR(a[1]["change_percent"].get<double>(), (0.8896 - 0.9352) / 0.9352 * 100, 1e-9);
  EXPECT_EQ(a[2]["allocation"], "none");
  EXPECT_NEAR(a[2]["total"].get<double>(), 0.844, kTol);
  EXPECT_NEAR(a[2]["change_percent"].get<double>(), (0.844 - 0.9352) / 0.9352 * 100, 1e-9);
}

// PACT, per declared unit (kilogram; 1 kg per functional unit):
//   pCfExcludingBiogenic = 1.6952, pCfIncludingBiogenic = 0.9352, fossilGhgEmissions = 1.148,
//   dLucGhgEmissions = 0.288, otherBiogenicGhgEmissions = 0.2592;
//   biogenic carbon content from the net uptake: (0.96 − 0.2) kg CO2 · 12.011/44.009 = 0.20742... kg C,
//   biogenicCarbonWithdrawal = −0.76 kg CO2e.
TEST(Footprint, PactFiguresAreTheReportsAsStrings) {
  const Database db = test_database();
  const Study s = parse_study(board_study(), "board.json");
  const FootprintReport r = make_footprint(s, db);
  const json& pcf = r.pact["pcf"];
  const json& per = r.data["pact"]["per_declared_unit"];
  const json& i = r.data["impact"];
  for (const char* k : {"pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "dLucGhgEmissions",
                        "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal", "biogenicCarbonContent"}) {
    ASSERT_TRUE(pcf[k].is_string()) << k;
    EXPECT_EQ(pcf[k].get<std::string>(), pact_decimal(per[k].get<double>())) << k;
    EXPECT_EQ(std::stod(pcf[k].get<std::string>()), per[k].get<double>()) << k;  // exact round trip
  }
  // one kg per functional unit: the PACT figures are the report's
  EXPECT_EQ(per["pCfExcludingBiogenic"].get<double>(), i["excluding_biogenic_co2"].get<double>());
  EXPECT_EQ(per["pCfIncludingBiogenic"].get<double>(), i["total"].get<double>());
  EXPECT_EQ(per["fossilGhgEmissions"].get<double>(), i["fossil"].get<double>());
  EXPECT_EQ(per["dLucGhgEmissions"].get<double>(), i["luc"].get<double>());
  EXPECT_NEAR(std::stod(pcf["pCfExcludingBiogenic"].get<std::string>()), 1.6952, kTol);
  EXPECT_NEAR(std::stod(pcf["pCfIncludingBiogenic"].get<std::string>()), 0.9352, kTol);
  EXPECT_NEAR(std::stod(pcf["fossilGhgEmissions"].get<std::string>()), 1.148, kTol);
  EXPECT_NEAR(std::stod(pcf["dLucGhgEmissions"].get<std::string>()), 0.288, kTol);
  EXPECT_NEAR(std::stod(pcf["otherBiogenicGhgEmissions"].get<std::string>()), 0.2592, kTol);
  EXPECT_NEAR(std::stod(pcf["biogenicCarbonContent"].get<std::string>()), 0.76 * 12.011 / 44.009, kTol);
  EXPECT_NEAR(std::stod(pcf["biogenicCarbonWithdrawal"].get<std::string>()), -0.76, kTol);
  EXPECT_EQ(pcf["fossilCarbonContent"], "0");
  EXPECT_EQ(pcf["declaredUnit"], "kilogram");
  EXPECT_EQ(pcf["unitaryProductAmount"], "1");
  EXPECT_EQ(pcf["characterizationFactors"], "AR6");
  EXPECT_EQ(pcf["ipccCharacterizationFactorsSources"], json::array({"AR6"}));
  EXPECT_EQ(pcf["referencePeriodStart"], "2023-01-01T00:00:00Z");
  EXPECT_EQ(pcf["referencePeriodEnd"], "2024-01-01T00:00:00Z");  // exclusive end: the day after the last
  EXPECT_EQ(pcf["geographyCountry"], "US");
  EXPECT_EQ(pcf["exemptedEmissionsPercent"], 0.0);
  EXPECT_FALSE(pcf["packagingEmissionsIncluded"].get<bool>());
  EXPECT_EQ(r.pact["specVersion"], "2.2.0");
  EXPECT_EQ(r.pact["status"], "Active");
  EXPECT_EQ(r.pact["version"], 0);
  EXPECT_EQ(r.pact["created"], "2024-01-02T03:04:05Z");
  EXPECT_EQ(r.pact["companyName"], "Acme");
  EXPECT_TRUE(r.data["pact"]["missing"].empty()) << r.data["pact"]["missing"].dump();
  // the id: a version-5 UUID from the study, the same on every run
  const std::string id = r.pact["id"].get<std::string>();
  EXPECT_TRUE(is_uuid_v5(id)) << id;
  EXPECT_EQ(make_footprint(s, db).pact["id"], id);
  // PACT Decimal strings
  for (const auto& [k, v] : pcf.items()) {
    if (v.is_string() && (k.find("Ghg") != std::string::npos || k.rfind("pCf", 0) == 0 ||
                          k.find("Carbon") != std::string::npos)) {
      EXPECT_TRUE(is_pact_decimal(v.get<std::string>())) << k << " " << v;
    }
  }
}

// Two kg per functional unit: the report doubles, the PACT figures (per kilogram) stay.
TEST(Footprint, PactFiguresArePerDeclaredUnit) {
  const Database db = test_database();
  json j = board_study();
  j["reference_flow"]["amount"] = 2;
  j["pact"]["unitaryProductAmount"] = 2.5;
  const FootprintReport r = make_footprint(parse_study(j, "board.json"), db);
  EXPECT_NEAR(r.data["impact"]["total"].get<double>(), 2 * 0.9352, kTol);
  EXPECT_NEAR(std::stod(r.pact["pcf"]["pCfIncludingBiogenic"].get<std::string>()), 0.9352, kTol);
  EXPECT_EQ(r.pact["pcf"]["unitaryProductAmount"], "2.5");
  // a declared unit of another quantity cannot be converted
  j["pact"]["declaredUnit"] = "megajoule";
  try {
    make_footprint(parse_study(j, "board.json"), db);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().field, "pact.declaredUnit");
  }
}

// Cradle-to-grave: the end-of-life process adds 0.5 kg biogenic CO2 per kg board.
//   total = 0.9352 + 0.5 = 1.4352; the "end of life" stage holds 0.5. PACT stays cradle-to-gate (0.9352).
TEST(Footprint, CradleToGraveAddsStageDemandsButPactStaysAtTheGate) {
  const Database db = test_database();
  json j = board_study();
  j["system_boundary"] = "cradle-to-grave";
  j["stages"].push_back(json::parse(R"({"name": "end of life", "demands": [{"process": "Board end of life", "amount": 1}]})"));
  const FootprintReport r = make_footprint(parse_study(j, "board.json"), db);
  EXPECT_NEAR(r.data["impact"]["total"].get<double>(), 1.4352, kTol);
  EXPECT_NEAR(r.data["impact"]["biogenic_co2_emissions"].get<double>(), 0.7, kTol);
  const json& st = r.data["interpretation"]["stages"];
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st[3]["stage"], "end of life");
  EXPECT_NEAR(st[3]["total"].get<double>(), 0.5, kTol);
  ASSERT_EQ(r.data["interpretation"]["demands"].size(), 2u);
  EXPECT_NEAR(r.data["interpretation"]["demands"][1]["total"].get<double>(), 0.5, kTol);
  EXPECT_NEAR(std::stod(r.pact["pcf"]["pCfIncludingBiogenic"].get<std::string>()), 0.9352, kTol);
}

TEST(Footprint, UnmappedGreenhouseGasIsAnErrorUnlessWaived) {
  const Database db = test_database(true);
  json j = board_study();
  try {
    make_footprint(parse_study(j, "board.json"), db);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Data);
    EXPECT_EQ(e.context().field, "waive_unmapped");
    EXPECT_NE(e.message().find("Carbon dioxide, unusual"), std::string::npos) << e.what();
  }
  j["waive_unmapped"] = true;
  const FootprintReport r = make_footprint(parse_study(j, "board.json"), db);
  EXPECT_NEAR(r.data["impact"]["total"].get<double>(), 0.9352, kTol);  // the unusual flow counts for nothing
  EXPECT_EQ(r.data["inventory"]["flow_mapping"]["unmapped_ghg_in_system"].size(), 1u);
}

TEST(Footprint, StudyErrorsFoundWithTheDatabase) {
  const Database db = test_database();
  json j = board_study();
  j["product"] = "Bord production";
  try {
    make_footprint(parse_study(j, "board.json"), db);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::NotFound);
    EXPECT_EQ(e.context().file, "board.json");
    EXPECT_EQ(e.context().field, "product");
  }
  j = board_study();
  j["stages"][1]["processes"] = json::array({"Enrgy"});
  try {
    make_footprint(parse_study(j, "board.json"), db);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().field, "stages[1].processes[0]");
    EXPECT_NE(e.message().find("stage 'energy': 'Enrgy' matches no process"), std::string::npos) << e.what();
  }
  j = board_study();
  j["reference_flow"]["unit"] = "kWh";
  try {
    make_footprint(parse_study(j, "board.json"), db);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Unit);
    EXPECT_EQ(e.context().field, "reference_flow.unit");
  }
  j["reference_flow"] = {{"amount", 1000}, {"unit", "g"}};  // converted to the product's kg
  EXPECT_NEAR(make_footprint(parse_study(j, "board.json"), db).data["impact"]["total"].get<double>(), 0.9352, kTol);
}

TEST(Footprint, ReportsAreSelfContainedAndEscaped) {
  const Database db = test_database();
  json j = board_study();
  j["pact"].erase("companyIds");
  const FootprintReport r = make_footprint(parse_study(j, "board.json"), db);
  // Markdown: the sections and the figures
  for (const char* s : {"# Product carbon footprint: Particle board &lt;test&gt; & co", "## Goal and scope", "## Results",
                        "## Inventory", "### Data quality", "### Contribution by life-cycle stage", "### Hot spots",
                        "### Sensitivity to the allocation method", "### Uncertainty", "## Limitations",
                        "| Total carbon footprint (including biogenic CO2) | 0.9352 |", "not yet available"})
    EXPECT_NE(r.markdown.find(s), std::string::npos) << s;
  // HTML: escaped, no scripts, no external assets
  EXPECT_NE(r.html.find("<h1>Product carbon footprint: Particle board &lt;test&gt; &amp; co</h1>"), std::string::npos);
  EXPECT_EQ(r.html.find("<test>"), std::string::npos);
  EXPECT_EQ(r.markdown.find("<test>"), std::string::npos);
  for (const char* s : {"<script", "src=", "href=", "@import", "url("}) EXPECT_EQ(r.html.find(s), std::string::npos) << s;
  EXPECT_NE(r.html.find("<style>"), std::string::npos);
  EXPECT_NE(r.html.find("class=\"bar neg\""), std::string::npos);  // raw materials are negative
  // a mandatory PACT field the study lacks is reported, not invented
  EXPECT_FALSE(r.pact.contains("companyIds"));
  EXPECT_EQ(r.data["pact"]["missing"], json::array({"companyIds"}));
  EXPECT_NE(r.markdown.find("pact.json lacks mandatory PACT fields the study does not give: companyIds"), std::string::npos);
  // the files
  const auto dir = std::filesystem::temp_directory_path() / "panocarbon_footprint_test" / "out";
  std::filesystem::remove_all(dir);
  write_footprint(r, dir);
  for (const char* f : {"report.md", "report.html", "pact.json"}) EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  std::ifstream in(dir / "pact.json");
  EXPECT_EQ(json::parse(in), r.pact);
}

// A result that overflows (2 kWh × 1e308 kg CO2/kWh = 2e308 > the largest double) stops the footprint with a data
// error naming the flow, instead of writing "inf" into the report and the PACT file.
TEST(Footprint, AnOverflowingResultIsAnError) {
  Database db = test_database();
  for (auto& p : db.processes)
    if (p.id == "p-elec") p.exchanges[1].amount = 1e308;
  try {
    make_footprint(parse_study(board_study(), "board.json"), db);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::Data) << m;
    EXPECT_NE(m.find("not finite"), std::string::npos) << m;
    EXPECT_NE(m.find("Carbon dioxide, fossil"), std::string::npos) << m;
    EXPECT_NE(m.find("overflow"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace panocarbon::lca
