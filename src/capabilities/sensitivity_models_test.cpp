// Sensitivity model files (docs/sensitivity.md): the test-function files give the functions, the inventory
// model equals calculate_inventory, an LCA model its closed form, and the model-file errors name the file and
// the field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/sensitivity_models.hpp"

namespace pc = panocarbon;
namespace sens = panocarbon::sens;
namespace unc = panocarbon::unc;

namespace {
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

// A number beyond the range of a double (nlohmann throws out_of_range for it, which was an internal error) is
// refused as invalid input with its line, column and JSON path; a number inside the range passes the scan.
TEST(SensitivityModels, NonFiniteNumbersNameTheLineAndTheField) {
  const std::string u = R"({"name": "x", "distribution": {"kind": "uniform", "minimum": 0, "maximum": 1}})";
  struct Case {
    std::string text, field, token;
    long line, column;
  };
  const Case cases[] = {
      {"{\"model\": \"linear\",\n \"coefficients\": [1e400],\n \"parameters\": [" + u + "]}", "coefficients[0]",
       "1e400", 2, 19},
      {"{\"model\": \"linear\", \"coefficients\": [1], \"intercept\": -2E+308,\n \"parameters\": [" + u + "]}",
       "intercept", "-2E+308", 1, 55},
      {"{\"model\": \"linear\", \"coefficients\": [1],\n \"parameters\": [\n  {\"name\": \"x\", \"distribution\": "
       "{\"kind\": \"uniform\", \"minimum\": 0, \"maximum\": 1e999}}]}",
       "parameters[0].distribution.maximum", "1e999", 3, 78},
      {"{\"model\": \"ishigami\", \"parameters\": [], \"a\": [0, {\"k\": \"1e400\", \"v\": 9e9999}]}", "a[1].v", "9e9999",
       1, 70},
  };
  for (const auto& c : cases) {
    try {
      parse(c.text);
      ADD_FAILURE() << c.text;
    } catch (const pc::Error& e) {
      EXPECT_EQ(e.category(), pc::ErrorCategory::InvalidInput) << e.what();
      EXPECT_EQ(e.context().file, "model.json");
      EXPECT_EQ(e.context().line, c.line) << e.what();
      EXPECT_EQ(e.context().column, c.column) << e.what();
      EXPECT_EQ(e.context().field, c.field) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.token), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("finite"), std::string::npos) << e.what();
    }
  }
  // 1e300 and a string "1e400" are fine for the scan (the linear model takes the coefficient)
  const auto m = parse("{\"model\": \"linear\", \"description\": \"1e400\", \"coefficients\": [1e300], \"parameters\": [" +
                       u + "]}");
  EXPECT_EQ(m.model->parameters().size(), 1u);
}
