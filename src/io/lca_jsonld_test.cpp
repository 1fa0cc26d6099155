// The JSON-LD reader from memory: 1.x and 2.x field names, unit conversion, allocation factors and the
// errors for broken files (each found by hand or by the fuzzer).
#include <gtest/gtest.h>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

using namespace panocarbon;
using namespace panocarbon::lca;

namespace {
const char* kUnits = R"({"@type":"UnitGroup","@id":"ug-mass","name":"Units of mass","units":[
  {"@id":"u-kg","name":"kg","referenceUnit":true,"conversionFactor":1.0},
  {"@id":"u-t","name":"t","conversionFactor":1000.0},{"@id":"u-g","name":"g","conversionFactor":0.001}]})";
const char* kMass = R"({"@type":"FlowProperty","@id":"fp-mass","name":"Mass","unitGroup":{"@id":"ug-mass"}})";
const char* kSteel = R"({"@type":"Flow","@id":"steel","name":"steel","flowType":"PRODUCT_FLOW",
  "flowProperties":[{"referenceFlowProperty":true,"conversionFactor":1.0,"flowProperty":{"@id":"fp-mass"}}]})";
const char* kCo2 = R"({"@type":"Flow","@id":"co2","name":"Carbon dioxide, fossil","flowType":"ELEMENTARY_FLOW",
  "cas":"000124-38-9","category":"Elementary flows/Emission to air/unspecified",
  "flowProperties":[{"isRefFlowProperty":true,"conversionFactor":1.0,"flowProperty":{"@id":"fp-mass"}}]})";

std::map<std::string, std::string> package(const std::string& process) {
  return {{"unit_groups/ug-mass.json", kUnits}, {"flow_properties/fp-mass.json", kMass},
          {"flows/steel.json", kSteel},         {"flows/co2.json", kCo2},
          {"processes/p.json", process}};
}

std::string error_of(const std::string& process) {
  try {
    read_jsonld_files(package(process), "mem");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(JsonLd, SchemaOneAndTwoNamesAndUnitConversion) {
  // 1.x names; the output is 1 t (= 1000 kg), the CO2 2000 g (= 2 kg)
  const Database a = read_jsonld_files(package(R"({"@id":"p","name":"mill","location":{"@id":"x","name":"DE"},
    "exchanges":[{"input":false,"quantitativeReference":true,"amount":1,"flow":{"@id":"steel"},
                  "unit":{"@id":"u-t","name":"t"},"flowProperty":{"@id":"fp-mass"}},
                 {"input":false,"amount":2000,"flow":{"@id":"co2"},"unit":{"@id":"u-g","name":"g"},
                  "uncertainty":{"distributionType":"LOG_NORMAL_DISTRIBUTION","geomMean":2000,"geomSd":1.2},
                  "pedigreeUncertainty":"1;2;3;4;5"}]})"),
                                       "mem");
  ASSERT_EQ(a.processes.size(), 1u);
  const Process& p = a.processes[0];
  EXPECT_EQ(p.location, "DE");
  EXPECT_TRUE(p.exchanges[0].reference);
  EXPECT_DOUBLE_EQ(p.exchanges[0].amount, 1000.0);
  EXPECT_DOUBLE_EQ(p.exchanges[1].amount, 2.0);
  EXPECT_EQ(p.exchanges[1].uncertainty.kind, Uncertainty::Lognormal);
  EXPECT_EQ(p.exchanges[1].uncertainty.pedigree[4], 5);
  EXPECT_EQ(a.flows[static_cast<size_t>(a.find_flow("co2"))].unit, "kg");
  EXPECT_EQ(compartment_kind(a.flows[static_cast<size_t>(a.find_flow("co2"))].compartment), "air");
  // 2.x names: isInput, isQuantitativeReference, isAvoidedProduct, defaultProvider, internalId in causal factors
  const Database b = read_jsonld_files(package(R"({"@id":"p","name":"mill","defaultAllocationMethod":"CAUSAL_ALLOCATION",
    "exchanges":[{"isInput":false,"isQuantitativeReference":true,"amount":1,"internalId":1,"flow":{"@id":"steel"},
                  "unit":{"name":"kg"},"flowProperty":{"@id":"fp-mass"}},
                 {"isInput":true,"isAvoidedProduct":true,"amount":3,"internalId":2,"flow":{"@id":"steel"},
                  "defaultProvider":{"@id":"q"},"unit":{"name":"t"},"flowProperty":{"@id":"fp-mass"}}],
    "allocationFactors":[{"allocationType":"CAUSAL_ALLOCATION","product":{"@id":"steel"},"value":0.5,
                          "exchange":{"@type":"ExchangeRef","internalId":2}}]})"),
                                       "mem");
  const Process& q = b.processes[0];
  EXPECT_EQ(q.default_allocation, AllocationMethod::Causal);
  EXPECT_TRUE(q.exchanges[1].input && q.exchanges[1].avoided);
  EXPECT_EQ(q.exchanges[1].provider, "q");
  EXPECT_DOUBLE_EQ(q.exchanges[1].amount, 3000.0);  // unit by name within the property's unit group
  ASSERT_EQ(q.allocation.size(), 1u);
  EXPECT_EQ(q.allocation[0].exchange, 1);
}

TEST(JsonLd, BrokenFilesAreClearErrors) {
  EXPECT_NE(error_of("{\"@id\":\"p\",\n\"exchanges\": [,]}").find("mem:processes/p.json is not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of("{\"@id\":\"p\",\n\"exchanges\": [,]}").find("line 2"), std::string::npos);
  // found by the fuzzer: a number beyond double's range (its line and key: NonFiniteNumbers below)
  EXPECT_NE(error_of(R"({"@id":"p","exchanges":[{"amount":1e400,"flow":{"@id":"steel"}}]})").find("not a finite number"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"@id":"p","exchanges":{}})").find("has no \"exchanges\" array"), std::string::npos);
  EXPECT_NE(error_of(R"({"@id":"p","exchanges":[{"amount":"x","flow":{"@id":"steel"}}]})").find("no numeric \"amount\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"@id":"p","exchanges":[{"amount":1}]})").find("has no flow reference"), std::string::npos);
  EXPECT_NE(error_of(R"({"@id":"p","exchanges":[{"amount":1,"flow":{"@id":"steel"},"unit":{"name":"furlong"},
                         "flowProperty":{"@id":"fp-mass"}}]})")
                .find("unit 'furlong'"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"@id":"p","exchanges":[]})").find("no error"), std::string::npos);
}

// JSON cannot spell INF or NaN; a number beyond double's range (1e400) is refused with its file, line, column and
// key, and so is an amount that overflows when converted to the reference unit (1e306 t = 1e309 kg).
TEST(JsonLd, NonFiniteNumbersNameFileLineAndField) {
  try {
    read_jsonld_files(package("{\"@id\":\"p\",\n\"exchanges\":[\n  {\"amount\": 1e400, \"flow\":{\"@id\":\"steel\"}}]}"), "mem");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << m;
    EXPECT_EQ(e.context().file, "mem:processes/p.json") << m;
    EXPECT_EQ(e.context().line, 3) << m;
    EXPECT_EQ(e.context().column, 14) << m;
    EXPECT_EQ(e.context().field, "amount") << m;
    EXPECT_NE(m.find("1e400"), std::string::npos) << m;
    EXPECT_NE(m.find("not a finite number"), std::string::npos) << m;
  }
  // a flow file: the conversion factor of a flow property
  auto files = package(R"({"@id":"p","exchanges":[]})");
  files["flows/steel.json"] = "{\"@id\":\"steel\",\"name\":\"steel\",\"flowType\":\"PRODUCT_FLOW\",\n"
                              "\"flowProperties\":[{\"conversionFactor\": -2e308, \"flowProperty\":{\"@id\":\"fp-mass\"}}]}";
  try {
    read_jsonld_files(files, "mem");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, "mem:flows/steel.json") << e.what();
    EXPECT_EQ(e.context().line, 2) << e.what();
    EXPECT_EQ(e.context().field, "conversionFactor") << e.what();
  }
  try {
    read_jsonld_files(package(R"({"@id":"p","exchanges":[{"input":false,"quantitativeReference":true,"amount":1e306,
      "flow":{"@id":"steel"},"unit":{"@id":"u-t","name":"t"},"flowProperty":{"@id":"fp-mass"}}]})"),
                      "mem");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << m;
    EXPECT_EQ(e.context().field, "exchanges[0].amount") << m;
    EXPECT_NE(m.find("not a finite number"), std::string::npos) << m;
  }
}

// A process whose reference product is marked as an input provides nothing: linking says so, with the reason,
// and asking for it by name says it exists but was not usable (it used to answer "no process 'X'; did you mean: X").
TEST(JsonLd, ReferenceProductMarkedAsInputIsReportedAsUnusable) {
  auto files = package(R"({"@id":"p","name":"steel mill","exchanges":[{"input":true,"quantitativeReference":true,
    "amount":1,"flow":{"@id":"steel"}},{"input":false,"amount":2,"flow":{"@id":"co2"}}]})");
  files["processes/q.json"] = R"({"@id":"q","name":"rolling","exchanges":[{"input":false,"quantitativeReference":true,
    "amount":1,"flow":{"@id":"steel"}}]})";
  const Database db = read_jsonld_files(files, "mem");
  const ProductSystem sys = build_system(db, {});
  const auto unusable = unusable_processes(sys);
  ASSERT_EQ(unusable.size(), 1u);
  EXPECT_EQ(db.processes[static_cast<size_t>(unusable[0].process)].name, "steel mill");
  EXPECT_NE(unusable[0].reason.find("quantitative reference 'steel' is marked as an input"), std::string::npos)
      << unusable[0].reason;
  try {
    sys.find_provider("steel mill");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << m;
    EXPECT_NE(m.find("process 'steel mill' (p) is in database"), std::string::npos) << m;
    EXPECT_NE(m.find("not usable"), std::string::npos) << m;
    EXPECT_NE(m.find("marked as an input"), std::string::npos) << m;
    EXPECT_EQ(m.find("did you mean"), std::string::npos) << m;
  }
  // a system loaded from the store has no exchanges: the reason comes from the notes kept with it
  ProductSystem cached = sys;
  Database names = db;
  for (auto& p : names.processes) p.exchanges.clear();
  cached.db = &names;
  try {
    cached.find_provider("p");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("marked as an input"), std::string::npos) << e.what();
  }
}
