// EcoSpold2 reader: every field on hand-written .spold files (products, by-products, allocation properties,
// waste in openLCA and in ecoinvent style, compartments, uncertainty with pedigree, unit conversion), the
// error messages, and the real USLCI export in ../shared/data (counts and values checked by hand).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace fs = std::filesystem;
using namespace panocarbon::lca;
using panocarbon::Error;

namespace {

const std::string kShared = PANOCARBON_SHARED_DATA;
const std::string kUslci = kShared + "/lca/uslci-fy18q1-ecospold2.zip";
const std::string kFixtures = std::string(PANOCARBON_SOURCE_DIR) + "/tests/fixtures/lca";

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("panocarbon_es2_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

// A producer with a reference product (kg), a by-product (given in g: converted), prices and masses for
// allocation, a linked technosphere input with lognormal uncertainty and a pedigree matrix, a waste given
// in ecoinvent style (negative input), an openLCA-style waste output (outputGroup 3), an emission with a
// compartment and CAS number (normal uncertainty), a resource (triangular), a resource without compartment
// and an emission whose compartment is only in the master data.
const char* kProducer = R"(<?xml version="1.0" encoding="UTF-8"?>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02">
  <activityDataset>
    <activityDescription>
      <activity id="act-producer" activityNameId="n1" type="1" specialActivityType="0">
        <activityName xml:lang="de">Herstellung von Widgets</activityName>
        <activityName xml:lang="en">widget production</activityName>
        <generalComment><text index="0" xml:lang="en">Made by hand.</text></generalComment>
      </activity>
      <classification classificationId="c1">
        <classificationSystem xml:lang="en">EcoSpold01Categories</classificationSystem>
        <classificationValue xml:lang="en">metals/production</classificationValue>
      </classification>
      <classification classificationId="c2">
        <classificationSystem xml:lang="en">ISIC rev.4 ecoinvent</classificationSystem>
        <classificationValue xml:lang="en">2599:Manufacture of other fabricated metal products</classificationValue>
      </classification>
      <geography geographyId="g1"><shortname xml:lang="en">CH</shortname>
        <comment><text index="1" xml:lang="en">Switzerland.</text></comment></geography>
      <technology technologyLevel="3"><comment><text index="1" xml:lang="en">Modern.</text></comment></technology>
      <timePeriod startDate="2015-01-01" endDate="2020-12-31" isDataValidForEntirePeriod="true"/>
    </activityDescription>
    <flowData>
      <intermediateExchange id="x-ref" intermediateExchangeId="f-widget" amount="2.0">
        <name xml:lang="en">widget</name><unitName xml:lang="en">kg</unitName>
        <property propertyId="p1" amount="3.0"><name xml:lang="en">price</name><unitName xml:lang="en">EUR2005</unitName></property>
        <property propertyId="p2" amount="1.0"><name xml:lang="en">wet mass</name><unitName xml:lang="en">kg</unitName></property>
        <classification classificationId="cpc"><classificationSystem xml:lang="en">CPC</classificationSystem>
          <classificationValue xml:lang="en">42999: Other fabricated metal products</classificationValue></classification>
        <outputGroup>0</outputGroup>
      </intermediateExchange>
      <intermediateExchange id="x-by" intermediateExchangeId="f-scrap" amount="500">
        <name xml:lang="en">metal scrap</name><unitName xml:lang="en">g</unitName>
        <property propertyId="p1" amount="0.002"><name xml:lang="en">price</name><unitName xml:lang="en">EUR2005</unitName></property>
        <property propertyId="p2" amount="0.001"><name xml:lang="en">wet mass</name><unitName xml:lang="en">kg</unitName></property>
        <outputGroup>2</outputGroup>
      </intermediateExchange>
      <intermediateExchange id="x-steel" intermediateExchangeId="f-steel" amount="2.5" activityLinkId="act-steel"
                            mathematicalRelation="2.5 * yield">
        <name xml:lang="en">steel</name><unitName xml:lang="en">kg</unitName>
        <comment xml:lang="en">from the mill</comment>
        <uncertainty>
          <lognormal meanValue="2.5" mu="0.916290731874155" variance="0.04" varianceWithPedigreeUncertainty="0.09"/>
          <pedigreeMatrix reliability="2" completeness="3" temporalCorrelation="1" geographicalCorrelation="4" furtherTechnologyCorrelation="5"/>
        </uncertainty>
        <inputGroup>5</inputGroup>
      </intermediateExchange>
      <intermediateExchange id="x-waste" intermediateExchangeId="f-sludge" amount="-0.2" activityLinkId="act-landfill">
        <name xml:lang="en">sludge</name><unitName xml:lang="en">kg</unitName>
        <uncertainty><uniform minValue="-0.3" maxValue="-0.1"/></uncertainty>
        <inputGroup>5</inputGroup>
      </intermediateExchange>
      <intermediateExchange id="x-w3" intermediateExchangeId="f-slag" amount="0.05">
        <name xml:lang="en">slag</name><unitName xml:lang="en">kg</unitName>
        <outputGroup>3</outputGroup>
      </intermediateExchange>
      <elementaryExchange id="x-co2" elementaryExchangeId="e-co2" amount="1.5" casNumber="000124-38-9">
        <name xml:lang="en">Carbon dioxide, fossil</name><unitName xml:lang="en">kg</unitName>
        <compartment subcompartmentId="s1"><compartment xml:lang="en">air</compartment>
          <subcompartment xml:lang="en">urban air close to ground</subcompartment></compartment>
        <uncertainty><normal meanValue="1.5" variance="0.01" varianceWithPedigreeUncertainty="0.04"/></uncertainty>
        <outputGroup>4</outputGroup>
      </elementaryExchange>
      <elementaryExchange id="x-ore" elementaryExchangeId="e-ore" amount="3.0">
        <name xml:lang="en">Iron</name><unitName xml:lang="en">kg</unitName>
        <compartment subcompartmentId="s2"><compartment xml:lang="en">natural resource</compartment>
          <subcompartment xml:lang="en">in ground</subcompartment></compartment>
        <uncertainty><triangular minValue="2.0" mostLikelyValue="3.0" maxValue="5.0"/></uncertainty>
        <inputGroup>4</inputGroup>
      </elementaryExchange>
      <elementaryExchange id="x-water" elementaryExchangeId="e-water" amount="0.7">
        <name xml:lang="en">Water, well, in ground</name><unitName xml:lang="en">m3</unitName>
        <inputGroup>4</inputGroup>
      </elementaryExchange>
      <elementaryExchange id="x-ch4" elementaryExchangeId="e-ch4" amount="0.25">
        <name xml:lang="en">Methane, fossil</name><unitName xml:lang="en">kg</unitName>
        <outputGroup>4</outputGroup>
      </elementaryExchange>
    </flowData>
  </activityDataset>
  <usedUserMasterData xmlns="http://www.EcoInvent.org/UsedUserMasterData">
    <elementaryExchange id="e-ch4" casNumber="74-82-8">
      <name xml:lang="en">Methane, fossil</name><unitName xml:lang="en">kg</unitName>
      <compartment subcompartmentId="s3"><compartment xml:lang="en">air</compartment>
        <subcompartment xml:lang="en">unspecified</subcompartment></compartment>
    </elementaryExchange>
  </usedUserMasterData>
</ecoSpold>
)";

// An ecoinvent-style landfill: a NEGATIVE reference product (the waste it treats), with an es: prefix on
// every element and a childActivityDataset root; it also emits methane given in g (the flow's unit is kg).
const char* kLandfill = R"(<?xml version="1.0" encoding="UTF-8"?>
<es:ecoSpold xmlns:es="http://www.EcoInvent.org/EcoSpold02">
  <es:childActivityDataset>
    <es:activityDescription>
      <es:activity id="act-landfill" type="1">
        <es:activityName xml:lang="en">treatment of sludge, landfill</es:activityName>
      </es:activity>
      <es:geography><es:shortname xml:lang="en">GLO</es:shortname></es:geography>
    </es:activityDescription>
    <es:flowData>
      <es:intermediateExchange id="y-ref" intermediateExchangeId="f-sludge" amount="-1">
        <es:name xml:lang="en">sludge</es:name><es:unitName xml:lang="en">kg</es:unitName>
        <es:outputGroup>0</es:outputGroup>
      </es:intermediateExchange>
      <es:elementaryExchange id="y-ch4" elementaryExchangeId="e-ch4" amount="40">
        <es:name xml:lang="en">Methane, fossil</es:name><es:unitName xml:lang="en">g</es:unitName>
        <es:uncertainty><es:lognormal meanValue="40" mu="3.6888794541139363" variance="0.25"/></es:uncertainty>
        <es:outputGroup>4</es:outputGroup>
      </es:elementaryExchange>
    </es:flowData>
  </es:childActivityDataset>
</es:ecoSpold>
)";

const Exchange& by_id(const Process& p, const std::string& id) {
  for (const auto& x : p.exchanges)
    if (x.id == id) return x;
  throw std::runtime_error("no exchange " + id);
}

const Flow& flow_of(const Database& db, const Exchange& x) { return db.flows.at(static_cast<size_t>(x.flow)); }

TEST(EcoSpold2, ReadsEveryField) {
  TempDir dir;
  dir.write("producer.spold", kProducer);
  dir.write("landfill.spold", kLandfill);
  dir.write("readme.txt", "not a dataset");
  const Database db = read_ecospold2(dir.path().string());
  EXPECT_EQ(db.format, "ecospold2");
  ASSERT_EQ(db.processes.size(), 2u);
  EXPECT_EQ(db.provenance["files"], 2);
  EXPECT_EQ(db.provenance["exchanges"], 11);
  EXPECT_EQ(db.provenance["treatment_processes"], 1);

  const int32_t pi = db.find_process("act-producer");
  ASSERT_GE(pi, 0);
  const Process& p = db.processes[static_cast<size_t>(pi)];
  EXPECT_EQ(p.name, "widget production");  // the English name of two
  EXPECT_EQ(p.location, "CH");
  EXPECT_EQ(p.type, "UNIT_PROCESS");
  EXPECT_EQ(p.category, "2599:Manufacture of other fabricated metal products");  // ISIC preferred
  EXPECT_EQ(p.documentation["validFrom"], "2015-01-01");
  EXPECT_EQ(p.documentation["validUntil"], "2020-12-31");
  EXPECT_EQ(p.documentation["geographyDescription"], "Switzerland.");
  EXPECT_EQ(p.documentation["technologyDescription"], "Modern.");
  EXPECT_EQ(p.documentation["generalComment"], "Made by hand.");
  ASSERT_EQ(p.exchanges.size(), 9u);

  // reference product
  const Exchange& ref = by_id(p, "x-ref");
  EXPECT_TRUE(ref.reference);
  EXPECT_FALSE(ref.input);
  EXPECT_DOUBLE_EQ(ref.amount, 2.0);
  const Flow& widget = flow_of(db, ref);
  EXPECT_EQ(widget.id, "f-widget");
  EXPECT_EQ(widget.type, FlowType::Product);
  EXPECT_EQ(widget.unit, "kg");
  EXPECT_EQ(widget.property, "Mass");
  EXPECT_EQ(widget.compartment, "42999: Other fabricated metal products");
  EXPECT_DOUBLE_EQ(widget.properties.at("Price"), 3.0);
  EXPECT_DOUBLE_EQ(widget.properties.at("Mass"), 1.0);

  // by-product: only ever in g, so g is its unit; price and mass per g
  const Exchange& by = by_id(p, "x-by");
  EXPECT_FALSE(by.reference);
  EXPECT_FALSE(by.input);
  EXPECT_DOUBLE_EQ(by.amount, 500);
  EXPECT_EQ(flow_of(db, by).unit, "g");
  EXPECT_EQ(flow_of(db, by).type, FlowType::Product);
  EXPECT_DOUBLE_EQ(flow_of(db, by).properties.at("Price"), 0.002);

  // allocation from the properties: mass 2 kg vs 0.5 kg; revenue 6 vs 1
  ASSERT_EQ(p.allocation.size(), 4u);
  EXPECT_EQ(p.default_allocation, AllocationMethod::Economic);
  for (const auto& a : p.allocation) {
    const bool main = a.product == ref.flow;
    EXPECT_EQ(a.exchange, -1);
    if (a.method == AllocationMethod::Physical) EXPECT_NEAR(a.value, main ? 0.8 : 0.2, 1e-12);
    else EXPECT_NEAR(a.value, main ? 6.0 / 7 : 1.0 / 7, 1e-12);
  }

  // linked input with lognormal + pedigree, formula and comment
  const Exchange& steel = by_id(p, "x-steel");
  EXPECT_TRUE(steel.input);
  EXPECT_FALSE(steel.reference);
  EXPECT_EQ(steel.provider, "act-steel");
  EXPECT_EQ(steel.formula, "2.5 * yield");
  EXPECT_EQ(steel.description, "from the mill");
  EXPECT_DOUBLE_EQ(steel.amount, 2.5);
  const Uncertainty& ln = steel.uncertainty;
  EXPECT_EQ(ln.kind, Uncertainty::Lognormal);
  EXPECT_DOUBLE_EQ(ln.a, 2.5);
  EXPECT_DOUBLE_EQ(ln.sigma_ln, 0.3);  // sqrt(varianceWithPedigreeUncertainty)
  EXPECT_DOUBLE_EQ(ln.b, std::exp(0.3));
  EXPECT_DOUBLE_EQ(ln.basic_variance, 0.04);
  const int pedigree[5] = {2, 3, 1, 4, 5};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ln.pedigree[i], pedigree[i]) << i;

  // ecoinvent-style waste: the negative input becomes a positive waste output, the uniform flips with it
  const Exchange& sludge = by_id(p, "x-waste");
  EXPECT_FALSE(sludge.input);
  EXPECT_DOUBLE_EQ(sludge.amount, 0.2);
  EXPECT_EQ(sludge.provider, "act-landfill");
  EXPECT_EQ(flow_of(db, sludge).type, FlowType::Waste);
  EXPECT_EQ(sludge.uncertainty.kind, Uncertainty::Uniform);
  EXPECT_DOUBLE_EQ(sludge.uncertainty.a, 0.1);
  EXPECT_DOUBLE_EQ(sludge.uncertainty.b, 0.3);

  // openLCA-style waste output (outputGroup 3): a waste flow, output, as given
  const Exchange& slag = by_id(p, "x-w3");
  EXPECT_FALSE(slag.input);
  EXPECT_DOUBLE_EQ(slag.amount, 0.05);
  EXPECT_EQ(flow_of(db, slag).type, FlowType::Waste);

  // emission with compartment, CAS and a normal distribution (sd = sqrt(varianceWithPedigreeUncertainty))
  const Exchange& co2 = by_id(p, "x-co2");
  EXPECT_FALSE(co2.input);
  EXPECT_DOUBLE_EQ(co2.amount, 1.5);
  const Flow& fco2 = flow_of(db, co2);
  EXPECT_EQ(fco2.type, FlowType::Elementary);
  EXPECT_EQ(fco2.compartment, "Elementary flows/air/urban air close to ground");
  EXPECT_EQ(compartment_kind(fco2.compartment), "air");
  EXPECT_EQ(fco2.cas, "000124-38-9");
  EXPECT_EQ(co2.uncertainty.kind, Uncertainty::Normal);
  EXPECT_DOUBLE_EQ(co2.uncertainty.a, 1.5);
  EXPECT_DOUBLE_EQ(co2.uncertainty.b, 0.2);
  EXPECT_DOUBLE_EQ(co2.uncertainty.basic_variance, 0.01);

  // resource (inputGroup 4) with a triangular distribution
  const Exchange& ore = by_id(p, "x-ore");
  EXPECT_TRUE(ore.input);
  EXPECT_EQ(flow_of(db, ore).compartment, "Elementary flows/natural resource/in ground");
  EXPECT_EQ(compartment_kind(flow_of(db, ore).compartment), "resource");
  EXPECT_EQ(ore.uncertainty.kind, Uncertainty::Triangle);
  EXPECT_DOUBLE_EQ(ore.uncertainty.a, 2.0);
  EXPECT_DOUBLE_EQ(ore.uncertainty.b, 3.0);
  EXPECT_DOUBLE_EQ(ore.uncertainty.c, 5.0);

  // no compartment anywhere, only taken from the environment: a natural resource
  const Exchange& water = by_id(p, "x-water");
  EXPECT_TRUE(water.input);
  EXPECT_EQ(flow_of(db, water).compartment, "Elementary flows/natural resource");
  EXPECT_EQ(flow_of(db, water).property, "Volume");

  // compartment and CAS from the master data
  const Flow& ch4 = flow_of(db, by_id(p, "x-ch4"));
  EXPECT_EQ(ch4.compartment, "Elementary flows/air/unspecified");
  EXPECT_EQ(ch4.cas, "74-82-8");
  EXPECT_EQ(ch4.unit, "kg");  // in kg here, in g in the landfill: canonical kg

  // the treatment: prefixed elements, childActivityDataset, negative reference -> positive reference input
  const int32_t li = db.find_process("act-landfill");
  ASSERT_GE(li, 0);
  const Process& l = db.processes[static_cast<size_t>(li)];
  EXPECT_EQ(l.name, "treatment of sludge, landfill");
  EXPECT_EQ(l.location, "GLO");
  const Exchange& treat = by_id(l, "y-ref");
  EXPECT_TRUE(treat.reference);
  EXPECT_TRUE(treat.input);
  EXPECT_DOUBLE_EQ(treat.amount, 1.0);
  EXPECT_EQ(treat.flow, sludge.flow);
  // methane in g converted to kg, the lognormal's geometric mean with it (the gsd has no unit)
  const Exchange& lch4 = by_id(l, "y-ch4");
  EXPECT_EQ(lch4.flow, by_id(p, "x-ch4").flow);
  EXPECT_DOUBLE_EQ(lch4.amount, 0.04);
  EXPECT_DOUBLE_EQ(lch4.uncertainty.a, 0.04);
  EXPECT_DOUBLE_EQ(lch4.uncertainty.b, std::exp(0.5));
  EXPECT_DOUBLE_EQ(lch4.uncertainty.sigma_ln, 0.5);
  EXPECT_EQ(db.provenance["converted_exchanges"], 1);
  EXPECT_EQ(db.provenance["flows"], 9);
  EXPECT_EQ(db.provenance["resources_by_direction"], 1);
  EXPECT_EQ(db.provenance["waste_flows"], 2);
}

TEST(EcoSpold2, MalformedXmlNamesFileAndLine) {
  TempDir dir;
  dir.write("good.spold", kLandfill);
  std::string bad = kProducer;
  const size_t at = bad.find("</flowData>");
  bad.replace(at, 11, "</flowDatum>");
  const long line = 1 + static_cast<long>(std::count(bad.begin(), bad.begin() + static_cast<long>(at), '\n'));
  dir.write("bad.spold", bad);
  try {
    read_ecospold2(dir.path().string());
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("bad.spold"), std::string::npos) << m;
    EXPECT_NE(m.find("not well-formed XML"), std::string::npos) << m;
    EXPECT_EQ(e.context().line, line) << m;  // the line of </flowDatum>
    EXPECT_NE(m.find("line " + std::to_string(line) + ","), std::string::npos) << m;
  }
}

TEST(EcoSpold2, MalformedXmlInZipNamesMember) {
  // tests/fixtures/lca/ecospold2-broken.zip: good.spold and broken.spold (an unclosed attribute on line 3)
  try {
    read_ecospold2(kFixtures + "/ecospold2-broken.zip");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("ecospold2-broken.zip:broken.spold"), std::string::npos) << m;
    EXPECT_EQ(e.context().line, 3) << m;
  }
}

TEST(EcoSpold2, MissingElementNamesFileAndElement) {
  TempDir dir;
  std::string bad = kProducer;
  const auto a = bad.find("<activityName xml:lang=\"de\">");
  const auto b = bad.find("<generalComment>");
  bad.erase(a, b - a);
  dir.write("noname.spold", bad);
  try {
    read_ecospold2(dir.path().string());
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("noname.spold"), std::string::npos) << m;
    EXPECT_NE(m.find("activityName"), std::string::npos) << m;
    EXPECT_EQ(e.context().field, "activityDescription/activity/activityName");
  }
  // an exchange without amount
  std::string noamount = kLandfill;
  noamount.replace(noamount.find(" amount=\"40\""), 12, "");
  dir.write("noname.spold", noamount);
  try {
    read_ecospold2(dir.path().string());
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("noname.spold"), std::string::npos) << m;
    EXPECT_NE(m.find("elementaryExchange/@amount"), std::string::npos) << m;
  }
  // an amount that is not a number
  std::string nan = kLandfill;
  nan.replace(nan.find("amount=\"40\""), 11, "amount=\"4O\"");
  dir.write("noname.spold", nan);
  EXPECT_THROW(read_ecospold2(dir.path().string()), Error);
}

// Numbers that are not finite (INF, NaN, an overflowing 1e400) stop the import with InvalidInput naming the
// file, the line and the field; before this check amount="INF" was read and `lca calc` printed "total -nan".
TEST(EcoSpold2, NonFiniteNumbersAreRefusedWithFileLineAndField) {
  TempDir dir;
  struct Case {
    std::string from, to, field;
  };
  const Case cases[] = {
      {"amount=\"40\"", "amount=\"INF\"", "flowData/elementaryExchange/@amount"},
      {"amount=\"40\"", "amount=\"-inf\"", "flowData/elementaryExchange/@amount"},
      {"amount=\"40\"", "amount=\"NaN\"", "flowData/elementaryExchange/@amount"},
      {"amount=\"40\"", "amount=\"1e400\"", "flowData/elementaryExchange/@amount"},
      {"meanValue=\"40\"", "meanValue=\"Infinity\"", "uncertainty/lognormal/@meanValue"},
      {"meanValue=\"40\"", "meanValue=\"1e999\"", "uncertainty/lognormal/@meanValue"},
  };
  for (const auto& c : cases) {
    std::string text = kLandfill;
    const auto at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    const long line = 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    dir.write("landfill.spold", text);
    try {
      read_ecospold2(dir.path().string());
      ADD_FAILURE() << c.to << ": no error";
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput) << m;
      EXPECT_NE(m.find("landfill.spold"), std::string::npos) << m;
      EXPECT_NE(m.find("not a finite number"), std::string::npos) << m;
      EXPECT_NE(m.find(c.to), std::string::npos) << m;
      EXPECT_EQ(e.context().field, c.field) << m;
      EXPECT_EQ(e.context().line, line) << m;
    }
  }
  // openLCA writes variance="Infinity" for a geometric SD of 0: still read (and counted), not an error
  std::string inf_var = kLandfill;
  inf_var.replace(inf_var.find("variance=\"0.25\""), 15, "variance=\"Infinity\"");
  dir.write("landfill.spold", inf_var);
  EXPECT_NO_THROW(read_ecospold2(dir.path().string()));
}

TEST(EcoSpold2, NoSpoldFiles) {
  TempDir dir;
  dir.write("a.xml", "<x/>");
  try {
    read_ecospold2(dir.path().string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no EcoSpold2 .spold files"), std::string::npos) << e.what();
  }
}

// ---- the real USLCI export ---------------------------------------------------------------------------------
class Uslci : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (fs::exists(kUslci)) db_ = new Database(read_ecospold2(kUslci));
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override {
    if (!db_) GTEST_SKIP() << kUslci << " is not there";
  }
  static const Process& process(const std::string& id) {
    const int32_t i = db_->find_process(id);
    if (i < 0) throw std::runtime_error("no process " + id);
    return db_->processes[static_cast<size_t>(i)];
  }
  static const Exchange& exchange(const Process& p, const std::string& flow_id, bool input) {
    for (const auto& x : p.exchanges)
      if (db_->flows[static_cast<size_t>(x.flow)].id == flow_id && x.input == input) return x;
    throw std::runtime_error("no exchange of " + flow_id + " in " + p.id);
  }
  static Database* db_;
};
Database* Uslci::db_ = nullptr;

TEST_F(Uslci, Counts) {
  const Database& db = *db_;
  EXPECT_EQ(db.processes.size(), 767u);
  EXPECT_EQ(db.provenance["files"], 767);
  EXPECT_EQ(db.provenance["exchanges"], 32489);
  EXPECT_EQ(db.provenance["intermediate_exchanges"], 7539);
  EXPECT_EQ(db.provenance["elementary_exchanges"], 24950);
  EXPECT_EQ(db.flows.size(), 4643u);  // 1661 product/waste + 2982 elementary
  size_t elementary = 0, waste = 0, refs = 0, inputs = 0, by_products = 0;
  for (const auto& f : db.flows) {
    elementary += f.type == FlowType::Elementary;
    waste += f.type == FlowType::Waste;
  }
  for (const auto& p : db.processes)
    for (const auto& x : p.exchanges) {
      const Flow& f = db.flows[static_cast<size_t>(x.flow)];
      refs += x.reference;
      inputs += x.input && f.type != FlowType::Elementary;
      by_products += !x.input && !x.reference && f.type == FlowType::Product;
    }
  EXPECT_EQ(elementary, 2982u);
  EXPECT_EQ(waste, 30u);           // outputGroup 3 (openLCA's waste outputs); no negative reference products
  EXPECT_EQ(refs, 746u);           // 21 datasets lost their reference product in the export (unit t)
  EXPECT_EQ(inputs, 6457u);        // inputGroup 5
  EXPECT_EQ(by_products, 256u);    // outputGroup 2
  EXPECT_EQ(db.provenance["without_reference"], 21);
  EXPECT_EQ(db.provenance["treatment_processes"], 0);
  EXPECT_EQ(db.provenance["elementary_without_compartment"], 2887);
  EXPECT_EQ(db.provenance["resources_by_direction"], 485);  // of those, only ever inputGroup 4
  EXPECT_EQ(db.provenance["flows_with_mixed_units"], 103);
  EXPECT_EQ(db.provenance["converted_exchanges"], 1212);
  EXPECT_EQ(db.provenance["invalid_lognormal"], 4811);
  EXPECT_EQ(db.provenance["processes_with_allocation"], 0);  // no <property> elements in the export
  size_t lcir = 0;
  for (const auto& p : db.processes) lcir += p.type == "LCI_RESULT";
  EXPECT_EQ(lcir, 4u);
}

TEST_F(Uslci, SpotValues) {
  // Bark, hardwood, at forest road, NE-NC: the reference and its three inputs, as in the file
  const Process& bark = process("0b5a14e7-bf8f-380e-87de-af92dd61e21b");
  EXPECT_EQ(bark.name, "Bark, hardwood, average, at forest road,  NE-NC");
  EXPECT_EQ(bark.location, "RNA");
  EXPECT_EQ(bark.exchanges.size(), 4u);
  const Exchange& r = exchange(bark, "b397fd68-58b2-3d2c-98ff-982509e10105", false);
  EXPECT_TRUE(r.reference);
  EXPECT_DOUBLE_EQ(r.amount, 1.0);
  EXPECT_DOUBLE_EQ(exchange(bark, "201779e6-7154-34a9-91a2-e9cde5a5af76", true).amount, 0.253566065800908);
  EXPECT_EQ(bark.documentation["validFrom"], "2002-12-31");

  // Petroleum refining: diesel (l in 133 exchanges, m3 in 6) is put in m3; electricity kWh -> MJ
  const Process& ref = process("0aaf1e13-5d80-37f9-b7bb-81a6b8965c71");
  const Exchange& diesel = exchange(ref, "d939590b-a0d7-310c-8952-9921ed64a078", false);
  EXPECT_TRUE(diesel.reference);
  EXPECT_EQ(db_->flows[static_cast<size_t>(diesel.flow)].unit, "m3");
  EXPECT_NEAR(diesel.amount, 0.252345277453289e-3, 1e-18);
  const Exchange& el = exchange(ref, "06581fb2-1de0-3e78-8298-f37605dea142", true);
  EXPECT_EQ(db_->flows[static_cast<size_t>(el.flow)].unit, "MJ");
  EXPECT_NEAR(el.amount, 0.143108486320558 * 3.6, 1e-15);
  const Exchange& coprod = exchange(ref, "30a64e63-3583-3f83-8d8d-0b6ea003b888", false);  // bitumen, by-product
  EXPECT_FALSE(coprod.reference);
  EXPECT_DOUBLE_EQ(coprod.amount, 0.0371747954729888);

  // Transport, intercity bus: CO2 fossil without compartment in the export; lead with one
  const Process& bus = process("008a4c75-ff57-309e-b052-c9368f46d53e");
  const Exchange& co2 = exchange(bus, "63af114b-afcb-3a82-801a-9c66208a673a", false);
  EXPECT_DOUBLE_EQ(co2.amount, 0.0402011232744095);
  EXPECT_EQ(db_->flows[static_cast<size_t>(co2.flow)].name, "Carbon dioxide, fossil");
  EXPECT_EQ(db_->flows[static_cast<size_t>(co2.flow)].compartment, "Elementary flows");
  const int32_t lead = db_->find_flow("8e123669-94d3-41d8-9480-a79211fe7c43");
  ASSERT_GE(lead, 0);
  EXPECT_EQ(db_->flows[static_cast<size_t>(lead)].compartment, "Elementary flows/air/unspecified");

  // a waste output (outputGroup 3) with a negative amount kept as given; a lognormal with a finite variance
  const Process& coal = process("8560388b-7ea1-38b7-befc-fd25d5deb450");
  const Exchange& spoil = exchange(coal, "a36143b8-c76c-3ae9-813a-a82c797548d1", false);
  EXPECT_EQ(db_->flows[static_cast<size_t>(spoil.flow)].type, FlowType::Waste);
  EXPECT_DOUBLE_EQ(spoil.amount, -0.0123548964596733);
  bool found = false;
  for (const auto& x : coal.exchanges)
    if (x.uncertainty.kind == Uncertainty::Lognormal && x.uncertainty.a == 2.32382020042667E-17) {
      found = true;
      EXPECT_NEAR(x.uncertainty.sigma_ln, std::sqrt(0.0037342874371798533), 1e-15);
      EXPECT_NEAR(x.uncertainty.b, std::exp(std::sqrt(0.0037342874371798533)), 1e-15);
    }
  EXPECT_TRUE(found);

  // Corrugated product: a triangular distribution as given (mode outside [min, max] in the data)
  const Process& corr = process("1296738e-d64f-3837-a793-bc33f491e292");
  const Exchange& t = exchange(corr, "628c07ec-0802-39c1-ab88-1c62848ef436", true);
  EXPECT_EQ(db_->flows[static_cast<size_t>(t.flow)].unit, "metric ton*km");
  EXPECT_DOUBLE_EQ(t.amount, 0.16);
  EXPECT_EQ(t.uncertainty.kind, Uncertainty::Triangle);
  EXPECT_DOUBLE_EQ(t.uncertainty.a, 0.08);
  EXPECT_DOUBLE_EQ(t.uncertainty.b, 0.12999999999999995);
  EXPECT_DOUBLE_EQ(t.uncertainty.c, 0.27);
}

}  // namespace
