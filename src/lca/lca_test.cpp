// Matrix LCA on small in-memory databases whose results are computed by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

using namespace panocarbon;
using namespace panocarbon::lca;

namespace {

// A small database builder: flows by name, processes with exchanges.
struct Builder {
  Database db;
  int32_t flow(const std::string& name, FlowType t, const std::string& compartment = "", const std::string& unit = "kg") {
    for (size_t i = 0; i < db.flows.size(); ++i)
      if (db.flows[i].name == name && db.flows[i].compartment == compartment) return static_cast<int32_t>(i);
    Flow f;
    f.id = "f-" + name + "-" + compartment;
    f.name = name;
    f.type = t;
    f.compartment = compartment;
    f.unit = unit;
    f.property = unit == "kg" ? "Mass" : "Energy";
    db.flows.push_back(f);
    return static_cast<int32_t>(db.flows.size() - 1);
  }
  Process& process(const std::string& name, const std::string& location = "GLO") {
    Process p;
    p.id = "p-" + name;
    p.name = name;
    p.location = location;
    db.processes.push_back(p);
    return db.processes.back();
  }
  static Exchange ex(int32_t flow, double amount, bool input, bool reference = false) {
    Exchange e;
    e.flow = flow;
    e.amount = amount;
    e.input = input;
    e.reference = reference;
    return e;
  }
  Database done() {
    db.name = "test";
    db.index();
    return std::move(db);
  }
};

const std::string kAir = "Elementary flows/air/unspecified";
const std::string kInAir = "Elementary flows/resource/in air";

double impact(const Database& db, const std::string& process, const std::string& category = "total",
              const LinkOptions& opt = {}) {
  const ProductSystem sys = build_system(db, opt);
  const Solver solver(sys);
  const Method m = builtin_gwp_method("AR6");
  const FlowMapping map = map_flows(db, m);
  const LcaResult r = calculate(sys, solver, m, map, {sys.find_provider(process), 1.0});
  for (size_t k = 0; k < m.categories.size(); ++k)
    if (m.categories[k].name == category) return r.impacts[k];
  ADD_FAILURE() << "no category " << category;
  return 0;
}

}  // namespace

// Electricity (1 kWh) needs 2 l fuel and emits 1 kg CO2; fuel (1 l... here kg) needs 0.1 kWh and emits 0.5 kg
// CO2 fossil and 0.01 kg CH4 fossil. A = [[1, -0.1], [-2, 1]], f = (1, 0): s = A⁻¹f = (1/0.8, 2/0.8) =
// (1.25, 2.5); CO2 = 1.25·1 + 2.5·0.5 = 2.5 kg; CH4 = 2.5·0.01 = 0.025 kg → 0.025·29.8 = 0.745 kg CO2e.
TEST(Lca, TwoProcessLoopByHand) {
  Builder b;
  const int32_t el = b.flow("electricity", FlowType::Product, "", "MJ");
  const int32_t fuel = b.flow("fuel", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  const int32_t ch4 = b.flow("Methane, fossil", FlowType::Elementary, kAir);
  auto& e = b.process("electricity production");
  e.exchanges = {Builder::ex(el, 1, false, true), Builder::ex(fuel, 2, true), Builder::ex(co2, 1, false)};
  auto& f = b.process("fuel production");
  f.exchanges = {Builder::ex(fuel, 1, false, true), Builder::ex(el, 0.1, true), Builder::ex(co2, 0.5, false),
                 Builder::ex(ch4, 0.01, false)};
  const Database db = b.done();
  const ProductSystem sys = build_system(db, {});
  ASSERT_EQ(sys.providers.size(), 2u);
  EXPECT_EQ(sys.cutoffs, 0u);
  const Solver solver(sys);
  const Method m = builtin_gwp_method("AR6");
  const FlowMapping map = map_flows(db, m);
  const LcaResult r = calculate(sys, solver, m, map, {sys.find_provider("electricity production"), 1.0});
  const int32_t pe = sys.find_provider("p-electricity production"), pf = sys.find_provider("fuel production");
  EXPECT_NEAR(r.scaling[static_cast<size_t>(pe)], 1.25, 1e-14);
  EXPECT_NEAR(r.scaling[static_cast<size_t>(pf)], 2.5, 1e-14);
  EXPECT_NEAR(r.impacts[0], 2.5 + 0.745, 1e-12);  // total
  EXPECT_NEAR(r.impacts[1], 2.5 + 0.745, 1e-12);  // fossil
  EXPECT_EQ(r.impacts[2], 0.0);
  // direct contributions add up to the total; the residual of the solve is at rounding level
  EXPECT_NEAR(r.direct[0][static_cast<size_t>(pe)] + r.direct[0][static_cast<size_t>(pf)], r.impacts[0], 1e-12);
  EXPECT_LT(solver.stats().residual, 1e-15);
  EXPECT_EQ(solver.stats().solver, "KLU");
  // many demands through transposed solves give the same numbers
  const auto many = calculate_many(sys, solver, map, {{pe, 1.0}, {pf, 2.0}});
  EXPECT_NEAR(many[0][0], r.impacts[0], 1e-12);
  // fuel alone: s = A⁻¹(0,2): s_e = 0.2/0.8 = 0.25, s_f = 2/0.8 = 2.5; CO2 = 0.25 + 1.25 = 1.5; CH4 0.025
  EXPECT_NEAR(many[1][0], 1.5 + 0.745, 1e-12);
  // the upstream tree's root is the total; the first level holds the fuel (2 kg · λ_fuel)
  const auto tree = upstream_tree(r, solver, map, 0, 0.0, 3);
  ASSERT_GE(tree.size(), 2u);
  EXPECT_NEAR(tree[0].total, r.impacts[0], 1e-12);
  EXPECT_NEAR(tree[0].direct, 1.0, 1e-12);  // 1 kg CO2 of the electricity process itself
  EXPECT_EQ(tree[1].provider, pf);
  EXPECT_NEAR(tree[1].amount, 2.0, 1e-14);
  EXPECT_NEAR(tree[1].total, many[1][0], 1e-12);
}

// Biogenic uptake and emission, land-use change, and an AR5 run: CO2 in air −1 per kg taken, biogenic CO2
// +1, CH4 biogenic 27.0 (AR6 non-fossil) or 28 (AR5, one CH4 value), dLUC CO2 +1.
TEST(Lca, BiogenicAndLandUseCategories) {
  Builder b;
  const int32_t wood = b.flow("wood", FlowType::Product);
  auto& p = b.process("forestry");
  p.exchanges = {Builder::ex(wood, 1, false, true),
                 Builder::ex(b.flow("Carbon dioxide, in air", FlowType::Elementary, kInAir), 1.8, true),
                 Builder::ex(b.flow("Carbon dioxide, biogenic", FlowType::Elementary, kAir), 0.3, false),
                 Builder::ex(b.flow("Methane, biogenic", FlowType::Elementary, kAir), 0.01, false),
                 Builder::ex(b.flow("Carbon dioxide, land transformation", FlowType::Elementary, kAir), 0.2, false),
                 Builder::ex(b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir), 0.05, false)};
  const Database db = b.done();
  EXPECT_NEAR(impact(db, "forestry", "biogenic"), -1.8 + 0.3 + 0.01 * 27.0, 1e-12);
  EXPECT_NEAR(impact(db, "forestry", "luc"), 0.2, 1e-12);
  EXPECT_NEAR(impact(db, "forestry", "fossil"), 0.05, 1e-12);
  EXPECT_NEAR(impact(db, "forestry", "total"), -1.8 + 0.3 + 0.27 + 0.2 + 0.05, 1e-12);
  // AR5 has one CH4 value (28) for fossil and biogenic methane
  const ProductSystem sys = build_system(db, {});
  const Solver solver(sys);
  const Method ar5 = builtin_gwp_method("AR5");
  const auto many = calculate_many(sys, solver, map_flows(db, ar5), {{0, 1.0}});
  EXPECT_NEAR(many[0][2], -1.8 + 0.3 + 0.01 * 28, 1e-12);
}

// A refinery makes 0.6 kg diesel and 0.4 kg petrol from 1 kg crude and emits 1 kg CO2. Physical factors
// 0.6 / 0.4 (stored) give diesel 1 kg CO2 · 0.6 / 0.6 kg = 1 kg CO2/kg; economic factors 0.7 / 0.3 give
// 0.7/0.6; causal factors put all CO2 on petrol: diesel 0, petrol 1/0.4 = 2.5.
TEST(Lca, AllocationPhysicalEconomicCausalAndNone) {
  Builder b;
  const int32_t diesel = b.flow("diesel", FlowType::Product), petrol = b.flow("petrol", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  auto& r = b.process("refinery");
  r.exchanges = {Builder::ex(diesel, 0.6, false, true), Builder::ex(petrol, 0.4, false), Builder::ex(co2, 1, false)};
  r.allocation = {{AllocationMethod::Physical, diesel, -1, 0.6},   {AllocationMethod::Physical, petrol, -1, 0.4},
                  {AllocationMethod::Economic, diesel, -1, 0.7},   {AllocationMethod::Economic, petrol, -1, 0.3},
                  {AllocationMethod::Causal, diesel, 2, 0.0},      {AllocationMethod::Causal, petrol, 2, 1.0}};
  auto& car = b.process("driving");
  const int32_t km = b.flow("km", FlowType::Product);
  car.exchanges = {Builder::ex(km, 1, false, true), Builder::ex(petrol, 0.05, true), Builder::ex(diesel, 0.02, true)};
  const Database db = b.done();
  LinkOptions o;
  o.allocation = AllocationMethod::Physical;
  EXPECT_NEAR(impact(db, "refinery", "total", o), 1.0, 1e-12);
  EXPECT_NEAR(impact(db, "driving", "total", o), 0.07, 1e-12);  // every kg of fuel carries 1 kg CO2
  o.allocation = AllocationMethod::Economic;
  EXPECT_NEAR(impact(db, "refinery", "total", o), 0.7 / 0.6, 1e-12);
  EXPECT_NEAR(impact(db, "driving", "total", o), 0.05 * 0.3 / 0.4 + 0.02 * 0.7 / 0.6, 1e-12);
  o.allocation = AllocationMethod::Causal;
  EXPECT_NEAR(impact(db, "refinery", "total", o), 0.0, 1e-12);
  EXPECT_NEAR(impact(db, "driving", "total", o), 0.05 * 2.5, 1e-12);
  o.allocation = AllocationMethod::AsStored;  // no default method: stored physical factors come first
  EXPECT_NEAR(impact(db, "driving", "total", o), 0.07, 1e-12);
  // none: the reference product (diesel) carries the CO2; petrol has no provider and is cut off
  o.allocation = AllocationMethod::None;
  const ProductSystem sys = build_system(db, o);
  EXPECT_EQ(sys.providers.size(), 2u);
  EXPECT_EQ(sys.cutoffs, 1u);
  EXPECT_NEAR(impact(db, "refinery", "total", o), 1.0 / 0.6, 1e-12);
}

// Physical allocation without stored factors falls back to the co-products' mass, and says so.
TEST(Lca, PhysicalAllocationFromMassWhenNoFactorsAreStored) {
  Builder b;
  const int32_t a = b.flow("a", FlowType::Product), c = b.flow("c", FlowType::Product);
  auto& p = b.process("splitter");
  p.exchanges = {Builder::ex(a, 3, false, true), Builder::ex(c, 1, false),
                 Builder::ex(b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir), 8, false)};
  const Database db = b.done();
  LinkOptions o;
  o.allocation = AllocationMethod::Physical;
  EXPECT_NEAR(impact(db, "splitter", "total", o), 8 * 0.75 / 3, 1e-12);  // 2 kg CO2 per kg of a
  const ProductSystem sys = build_system(db, o);
  ASSERT_EQ(sys.notes.size(), 1u);
  EXPECT_NE(sys.notes[0].find("computed from the co-products' mass"), std::string::npos);
}

// System expansion and waste: a plant makes 1 kg product, emits 1 kg CO2, produces 0.5 kg waste (treated:
// 0.2 kg CO2 per kg) and 2 MJ heat, which avoids 2 MJ of a boiler (0.1 kg CO2/MJ).
// Total = 1 + 0.5·0.2 − 2·0.1 = 0.9 kg CO2.
TEST(Lca, AvoidedProductsAndWasteTreatment) {
  Builder b;
  const int32_t prod = b.flow("product", FlowType::Product), heat = b.flow("heat", FlowType::Product, "", "MJ");
  const int32_t waste = b.flow("waste", FlowType::Waste);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  auto& plant = b.process("plant");
  Exchange avoided = Builder::ex(heat, 2, false);
  avoided.avoided = true;
  plant.exchanges = {Builder::ex(prod, 1, false, true), Builder::ex(co2, 1, false), Builder::ex(waste, 0.5, false), avoided};
  auto& boiler = b.process("boiler");
  boiler.exchanges = {Builder::ex(heat, 1, false, true), Builder::ex(co2, 0.1, false)};
  auto& incinerator = b.process("incineration");
  incinerator.exchanges = {Builder::ex(waste, 1, true, true), Builder::ex(co2, 0.2, false)};
  const Database db = b.done();
  EXPECT_NEAR(impact(db, "plant"), 0.9, 1e-12);
  EXPECT_NEAR(impact(db, "incineration"), 0.2, 1e-12);  // treating 1 kg of waste
  const ProductSystem sys = build_system(db, {});
  EXPECT_EQ(sys.providers.size(), 3u);  // product, heat, waste treatment; the avoided heat is not a provider
  EXPECT_EQ(sys.cutoffs, 0u);
}

// Two providers of one product: the consumer's location wins, a user choice overrides it, `fail` lists both.
TEST(Lca, ProviderRules) {
  Builder b;
  const int32_t el = b.flow("electricity", FlowType::Product, "", "MJ"), al = b.flow("aluminium", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  b.process("electricity FR", "FR").exchanges = {Builder::ex(el, 1, false, true), Builder::ex(co2, 0.05, false)};
  b.process("electricity PL", "PL").exchanges = {Builder::ex(el, 1, false, true), Builder::ex(co2, 0.9, false)};
  b.process("smelter", "PL").exchanges = {Builder::ex(al, 1, false, true), Builder::ex(el, 50, true)};
  const Database db = b.done();
  EXPECT_NEAR(impact(db, "smelter"), 45, 1e-10);
  LinkOptions o;
  o.choices[db.flows[static_cast<size_t>(el)].id] = "p-electricity FR";
  EXPECT_NEAR(impact(db, "smelter", "total", o), 2.5, 1e-10);
  o.choices.clear();
  o.rule = ProviderRule::Fail;
  try {
    build_system(db, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("has 2 providers"), std::string::npos) << m;
    EXPECT_NE(m.find("electricity FR"), std::string::npos) << m;
    EXPECT_NE(m.find("--provider"), std::string::npos) << m;
  }
}

// A process that consumes all it makes has a zero net output: the error names it.
TEST(Lca, SingularSystemNamesTheProvider) {
  Builder b;
  const int32_t x = b.flow("x", FlowType::Product);
  b.process("perpetual").exchanges = {Builder::ex(x, 1, false, true), Builder::ex(x, 1, true)};
  const Database db = b.done();
  const ProductSystem sys = build_system(db, {});
  try {
    Solver s(sys);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("singular"), std::string::npos) << m;
    EXPECT_NE(m.find("perpetual"), std::string::npos) << m;
  }
}

TEST(Lca, UnknownProcessSuggestsCloseNames) {
  Builder b;
  const int32_t x = b.flow("steel", FlowType::Product);
  b.process("steel, blast furnace").exchanges = {Builder::ex(x, 1, false, true)};
  const Database db = b.done();
  const ProductSystem sys = build_system(db, {});
  try {
    sys.find_provider("steel, blast furnac");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean:\n  steel, blast furnace"), std::string::npos) << e.what();
  }
}

// Mapping: by id first, then name + compartment kind, then CAS where the method marks one row per CAS;
// a GHG without a factor is reported.
TEST(Lca, FlowMappingByIdNameAndCas) {
  Builder b;
  const int32_t p = b.flow("p", FlowType::Product);
  const int32_t named = b.flow("Carbon dioxide [Inorganic emissions to air]", FlowType::Elementary, "Emission to air");
  const int32_t by_cas = b.flow("CO2, from fuel", FlowType::Elementary, "Elementary flows/air/urban");
  b.db.flows[static_cast<size_t>(by_cas)].cas = "000124-38-9";
  const int32_t ch4_water = b.flow("Methane", FlowType::Elementary, "Elementary flows/water/river");
  const int32_t unknown = b.flow("Carbon dioxide, weird", FlowType::Elementary, kAir);
  const int32_t bio = b.flow("Carbon dioxide, biogenic", FlowType::Elementary, kAir);
  b.db.flows[static_cast<size_t>(bio)].cas = "124-38-9";
  b.process("x").exchanges = {Builder::ex(p, 1, false, true)};
  const Database db = b.done();
  const Method m = builtin_gwp_method("AR6");
  const FlowMapping map = map_flows(db, m);
  EXPECT_EQ(map.factors[0][static_cast<size_t>(named)], 1.0);
  EXPECT_EQ(map.factors[1][static_cast<size_t>(named)], 1.0);   // fossil
  EXPECT_EQ(map.factors[0][static_cast<size_t>(by_cas)], 1.0);  // CAS 124-38-9 → fossil CO2
  EXPECT_EQ(map.factors[2][static_cast<size_t>(by_cas)], 0.0);  // not biogenic
  EXPECT_EQ(map.factors[0][static_cast<size_t>(ch4_water)], 0.0);  // methane to water is not an air emission
  // a biogenic CO2 flow with CO2's CAS: known by name to the biogenic category, so the fossil category's CAS
  // row must not claim it (found by the golden cases)
  EXPECT_EQ(map.factors[1][static_cast<size_t>(bio)], 0.0);
  EXPECT_EQ(map.factors[2][static_cast<size_t>(bio)], 1.0);
  EXPECT_EQ(map.factors[0][static_cast<size_t>(bio)], 1.0);
  ASSERT_EQ(map.unmapped_ghg.size(), 1u);
  EXPECT_EQ(map.unmapped_ghg[0], unknown);
  EXPECT_EQ(map.by_name, 2u);
  EXPECT_EQ(map.by_cas, 1u);
  // by id
  Method byid;
  byid.categories.push_back({"gwp", "kg CO2e", {}});
  CharacterisationFactor cf;
  cf.flow_id = db.flows[static_cast<size_t>(unknown)].id;
  cf.value = 7;
  byid.categories[0].factors.push_back(cf);
  EXPECT_EQ(map_flows(db, byid).factors[0][static_cast<size_t>(unknown)], 7.0);
}

TEST(Lca, NormalisationHelpers) {
  EXPECT_EQ(normalise_cas("000124-38-9"), "124-38-9");
  EXPECT_EQ(normalise_cas(" 7440-44-0 "), "7440-44-0");
  EXPECT_EQ(normalise_name("Carbon dioxide, fossil "), "carbon dioxide, fossil");
  EXPECT_EQ(normalise_name("Methane [Organic emissions to air]"), "methane");
  EXPECT_EQ(compartment_kind("Elementary Flows/NETL Coal Elementary Flows/NETL Elementary Flows/Emission to air"), "air");
  EXPECT_EQ(compartment_kind("resource/in air"), "resource");
  EXPECT_EQ(compartment_kind("water/ground-, long-term"), "water");
  EXPECT_EQ(compartment_kind("Elementary Flows"), "");
  EXPECT_EQ(parse_allocation("CAUSAL_ALLOCATION"), AllocationMethod::Causal);
  EXPECT_THROW(parse_allocation("mass"), Error);
}

namespace {
std::string csv_error(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / "pc-lca-method-test.csv";
  std::ofstream(path) << text;
  try {
    read_method_csv(path.string(), "m");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

// openLCA's factor CSV: factors per g or t become per kg; each broken line is named.
TEST(Lca, MethodCsvUnitsAndErrors) {
  const auto path = std::filesystem::temp_directory_path() / "pc-lca-method-ok.csv";
  std::ofstream(path) << "LCIA category,Flow,Flow property,Flow unit,Location,Factor\n"
                         "c1,f-co2,Mass,g,,0.001\nc1,f-ch4,Mass,t,,27900\n";
  const Method m = read_method_csv(path.string(), "GWP");
  ASSERT_EQ(m.categories.size(), 1u);
  EXPECT_EQ(m.categories[0].name, "GWP");
  EXPECT_DOUBLE_EQ(m.categories[0].factors[0].value, 1.0);   // 0.001 per g = 1 per kg
  EXPECT_DOUBLE_EQ(m.categories[0].factors[1].value, 27.9);  // 27,900 per t = 27.9 per kg
  EXPECT_NE(csv_error("Category,Flow\nc,f\n").find("is not an openLCA factor CSV"), std::string::npos);
  const std::string bad = csv_error("LCIA category,Flow,Flow property,Flow unit,Location,Factor\nc,f,Mass,kg,,abc\n");
  EXPECT_NE(bad.find("line 2"), std::string::npos) << bad;
  EXPECT_NE(bad.find("factor 'abc' is not a finite number"), std::string::npos) << bad;
  const std::string inf = csv_error("LCIA category,Flow,Flow property,Flow unit,Location,Factor\nc,f,Mass,kg,,1\nc,g,Mass,kg,,-inf\n");
  EXPECT_NE(inf.find("line 3"), std::string::npos) << inf;
  EXPECT_NE(inf.find("factor '-inf' is not a finite number"), std::string::npos) << inf;
  EXPECT_NE(csv_error("LCIA category,Flow,Flow property,Flow unit,Location,Factor\nc,f,Mass,kg,,nan\n").find("not a finite number"), std::string::npos);
  const std::string unit = csv_error("LCIA category,Flow,Flow property,Flow unit,Location,Factor\nc,f,Mass,furlong,,1\n");
  EXPECT_NE(unit.find("unit 'furlong' is not a known LCA unit"), std::string::npos) << unit;
}

TEST(Lca, ChosenProviderMustProvideTheFlowAndEmptySystemsAreRefused) {
  Builder b;
  const int32_t el = b.flow("electricity", FlowType::Product, "", "MJ"), al = b.flow("aluminium", FlowType::Product);
  b.process("grid").exchanges = {Builder::ex(el, 1, false, true)};
  b.process("smelter").exchanges = {Builder::ex(al, 1, false, true), Builder::ex(el, 50, true)};
  const Database db = b.done();
  LinkOptions o;
  o.choices[db.flows[static_cast<size_t>(el)].id] = "p-smelter";
  try {
    build_system(db, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the chosen provider p-smelter does not provide 'electricity'"), std::string::npos)
        << e.what();
  }
  Builder empty;
  empty.process("nothing").exchanges = {Builder::ex(empty.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir), 1, false)};
  const Database e = empty.done();
  const ProductSystem sys = build_system(e, {});
  ASSERT_EQ(sys.notes.size(), 1u);
  EXPECT_NE(sys.notes[0].find("provides nothing"), std::string::npos);
  try {
    Solver s(sys);
    FAIL() << "expected an error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("the database provides no products"), std::string::npos) << err.what();
  }
}

// Signs of input flows (docs/lca.md, "Signs of input flows"). Widget production (1 kg widget) takes 2 kg ore
// concentrate and 0.5 kg "Carbon dioxide, in air", emits 3 kg fossil CO2 and 0.1 kg biogenic CO2; ore concentration
// (1 kg) takes 3 kg iron ore (its compartment only the leaf "in ground", as openLCA 1.x references without
// categories/ give it), 0.4 kg biogenic CO2 from air (an input of an emission flow) and emits 1 kg fossil CO2.
// Per kg widget: s = (1, 2); g: fossil CO2 +5, in air −0.5, iron ore −6, biogenic CO2 0.1 − 0.8 = −0.7.
// Imported (openLCA) convention, factor of an input row negated:
//   ore factor 1 → +6; in air −1 → −0.5; mixed (fossil 1, ore 0.1, in air −1) → 5 + 0.6 − 0.5 = 5.1;
//   biogenic CO2 occurs as input and output: an output row, factor 1 → −0.7.
// Built-in IPCC (net emission): total = 5 − 0.5 − 0.7 = 3.8, biogenic −1.2.
TEST(Lca, InputFlowSignsImportedAndBuiltInMethods) {
  Builder b;
  const int32_t w = b.flow("widget", FlowType::Product), c = b.flow("ore concentrate", FlowType::Product);
  const int32_t ore = b.flow("Iron ore", FlowType::Elementary, "in ground");
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  const int32_t air = b.flow("Carbon dioxide, in air", FlowType::Elementary, kInAir);
  const int32_t bio = b.flow("Carbon dioxide, biogenic", FlowType::Elementary, kAir);
  Process& pa = b.process("widget production");
  pa.exchanges = {Builder::ex(w, 1, false, true), Builder::ex(c, 2, true), Builder::ex(co2, 3, false),
                  Builder::ex(air, 0.5, true), Builder::ex(bio, 0.1, false)};
  Process& pb = b.process("ore concentration");
  pb.exchanges = {Builder::ex(c, 1, false, true), Builder::ex(ore, 3, true), Builder::ex(bio, 0.4, true),
                  Builder::ex(co2, 1, false)};
  const Database db = b.done();
  const ProductSystem sys = build_system(db, {});
  const Solver solver(sys);
  Method m;  // as read_method_csv / read_method_jsonld make it
  m.name = "imported";
  const auto cat = [&](const std::string& name, std::vector<std::pair<int32_t, double>> fs) {
    ImpactCategory ic{name, "u", {}};
    for (const auto& [f, v] : fs) {
      CharacterisationFactor cf;
      cf.flow_id = db.flows[static_cast<size_t>(f)].id;
      cf.value = v;
      cf.match_by_cas = false;
      ic.factors.push_back(cf);
    }
    m.categories.push_back(ic);
  };
  cat("res", {{ore, 1.0}});
  cat("uptake", {{air, -1.0}});
  cat("mixed", {{co2, 1.0}, {ore, 0.1}, {air, -1.0}});
  cat("bio", {{bio, 1.0}});
  EXPECT_EQ(m.sign, FactorSign::InputPositive);
  const FlowMapping map = map_flows(db, m);
  const Demand d{sys.find_provider("widget production"), 1.0};
  const LcaResult r = calculate(sys, solver, m, map, d);
  const double expected[] = {6.0, -0.5, 5.1, -0.7};
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_NEAR(r.impacts[k], expected[k], 1e-12) << m.categories[k].name;
    double sum = 0;
    for (double x : r.direct[k]) sum += x;
    EXPECT_NEAR(sum, expected[k], 1e-12) << m.categories[k].name;
  }
  // the ore is all in the ore concentration's column: +6 there, nothing in widget production's
  EXPECT_NEAR(r.direct[0][static_cast<size_t>(sys.find_provider("ore concentration"))], 6.0, 1e-12);
  // the same C for many demands (transposed solves), the tree and Monte Carlo's model
  const auto many = calculate_many(sys, solver, map, {d});
  for (size_t k = 0; k < 4; ++k) EXPECT_NEAR(many[0][k], expected[k], 1e-12);
  for (size_t k = 0; k < 4; ++k) EXPECT_NEAR(upstream_tree(r, solver, map, k, 0, 8)[0].total, expected[k], 1e-12);
  // Built-in method: net emission convention
  const Method ipcc = builtin_gwp_method("AR6");
  EXPECT_EQ(ipcc.sign, FactorSign::NetEmission);
  const FlowMapping imap = map_flows(db, ipcc);
  const LcaResult ri = calculate(sys, solver, ipcc, imap, d);
  EXPECT_NEAR(ri.impacts[0], 3.8, 1e-12);   // total
  EXPECT_NEAR(ri.impacts[1], 5.0, 1e-12);   // fossil
  EXPECT_NEAR(ri.impacts[2], -1.2, 1e-12);  // biogenic: uptake in air −0.5, biogenic CO2 net −0.7
  // the direction of each row of B: iron ore and CO2 in air are input rows, the biogenic CO2 (both) is not
  for (size_t row = 0; row < sys.elementary.size(); ++row) {
    const int32_t f = sys.elementary[row];
    EXPECT_EQ(sys.elementary_input[row] != 0, f == ore || f == air) << db.flows[static_cast<size_t>(f)].name;
  }
}

// A result that overflows is an error naming the quantity, not "total -nan" (exit 0): 2 kg of y, each emitting
// 1e308 kg CO2, is 2e308 kg, beyond the largest double. calc (one demand), the transposed solves of several
// demands and the tree all refuse it.
TEST(Lca, NonFiniteResultsAreErrorsThatSayWhich) {
  Builder b;
  const int32_t x = b.flow("x", FlowType::Product), y = b.flow("y", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  b.process("P1").exchanges = {Builder::ex(x, 1, false, true), Builder::ex(y, 2, true)};
  b.process("P2").exchanges = {Builder::ex(y, 1, false, true), Builder::ex(co2, 1e308, false)};
  const Database db = b.done();
  const ProductSystem sys = build_system(db, {});
  const Solver solver(sys);
  const Method m = builtin_gwp_method("AR6");
  const FlowMapping map = map_flows(db, m);
  const Demand d{sys.find_provider("P1"), 1.0};
  try {
    calculate(sys, solver, m, map, d);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::Data) << msg;
    EXPECT_NE(msg.find("the result is not finite: the inventory of flow 'Carbon dioxide, fossil'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("overflow"), std::string::npos) << msg;
  }
  try {
    calculate_many(sys, solver, map, {d, {sys.find_provider("P2"), 1.0}});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
  // one unit of P2 alone is finite (1e308)
  EXPECT_DOUBLE_EQ(calculate(sys, solver, m, map, {sys.find_provider("P2"), 1.0}).impacts[0], 1e308);
}
