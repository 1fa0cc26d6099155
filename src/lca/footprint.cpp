// Product carbon footprint study: the study file, the calculation (product system, one factorisation,
// GWP100 split into fossil, biogenic and dLUC), the report (data, Markdown, HTML) and the PACT v2.2.0
// ProductFootprint. Method and format: docs/lca-footprint.md.
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon::lca {

namespace {
using nlohmann::json;

constexpr const char* kPactSpecVersion = "2.2.0";
// Footprint ids are RFC 4122 name-based (version 5) UUIDs in the standard URL namespace (RFC 4122 appendix C);
// every name starts with "panocarbon lca footprint".
constexpr const char* kUrlNamespace = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
// Molar masses (IUPAC 2021 standard atomic weights, conventional values): C 12.011, O 15.999.
constexpr double kCarbonToCo2 = 44.009 / 12.011;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {};
  const size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}
std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) o += (i ? sep : "") + v[i];
  return o;
}

// ---- study parsing -----------------------------------------------------------------------------------------
struct Parser {
  const std::string& file;
  [[noreturn]] void fail(const std::string& field, const std::string& msg,
                         ErrorCategory c = ErrorCategory::InvalidInput) const {
    throw Error(c, msg, ErrorContext{file, 0, 0, field});
  }
  void only(const json& j, const std::string& where, const std::vector<std::string>& keys) const {
    for (const auto& [k, v] : j.items()) {
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
      fail(where.empty() ? k : where + "." + k,
           fmt::format("unknown field '{}'{}; the fields are: {}", k, where.empty() ? "" : " in " + where,
                       join(keys, ", ")));
    }
  }
  std::string string(const json& j, const std::string& key, const std::string& field, bool required,
                     const std::string& what) const {
    if (!j.contains(key)) {
      if (required) fail(field, "missing: " + what);
      return {};
    }
    const json& v = j.at(key);
    if (!v.is_string()) fail(field, fmt::format("must be a string ({}), not {}", what, v.type_name()));
    std::string s = trim(v.get<std::string>());
    if (s.empty() && required) fail(field, "is empty: " + what);
    return s;
  }
  double number(const json& v, const std::string& field, const std::string& what) const {
    if (!v.is_number()) fail(field, fmt::format("must be a number ({}), not {}", what, v.type_name()));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(field, "must be a finite number (" + what + ")");
    return d;
  }
  std::vector<std::string> strings(const json& v, const std::string& field, const std::string& what) const {
    if (!v.is_array()) fail(field, fmt::format("must be a list of strings ({}), not {}", what, v.type_name()));
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) fail(fmt::format("{}[{}]", field, i), "must be a string (" + what + ")");
      out.push_back(trim(v[i].get<std::string>()));
      if (out.back().empty()) fail(fmt::format("{}[{}]", field, i), "is empty (" + what + ")");
    }
    return out;
  }
  AllocationMethod allocation(const json& v, const std::string& field) const {
    const std::string choices = "as-stored, physical, economic, causal or none";
    if (!v.is_string()) fail(field, "must be a string: " + choices);
    const std::string s = lower(trim(v.get<std::string>()));
    if (s == "as-stored") return AllocationMethod::AsStored;
    if (s == "physical") return AllocationMethod::Physical;
    if (s == "economic") return AllocationMethod::Economic;
    if (s == "causal") return AllocationMethod::Causal;
    if (s == "none") return AllocationMethod::None;
    fail(field, fmt::format("unknown allocation method '{}': use {}", v.get<std::string>(), choices));
  }
};

bool digits(const std::string& s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}
// "YYYY-MM-DD" (a valid calendar date)
bool is_date(const std::string& s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2))
    return false;
  const std::chrono::year_month_day d{std::chrono::year{std::stoi(s.substr(0, 4))},
                                      std::chrono::month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                                      std::chrono::day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
  return d.ok();
}
// "YYYY-MM-DDThh:mm:ss[.fff]Z" (UTC, as the PACT specification asks)
bool is_datetime_utc(const std::string& s) {
  if (s.size() < 20 || !is_date(s.substr(0, 10)) || s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' ||
      !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2) || s.back() != 'Z')
    return false;
  if (s.size() == 20) return true;
  return s[19] == '.' && s.size() > 21 && digits(s, 20, s.size() - 21);
}
std::string next_day(const std::string& date) {
  using namespace std::chrono;
  const year_month_day d{year{std::stoi(date.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                         day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  const year_month_day n{sys_days{d} + days{1}};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(n.year()), static_cast<unsigned>(n.month()),
                     static_cast<unsigned>(n.day()));
}

const std::vector<std::string>& pact_regions() {
  static const std::vector<std::string> r = {
      "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand", "Central Asia", "Eastern Asia",
      "Eastern Europe", "Latin America and the Caribbean", "Melanesia", "Micronesia", "Northern Africa",
      "Northern America", "Northern Europe", "Polynesia", "South-eastern Asia", "Southern Asia", "Southern Europe",
      "Sub-Saharan Africa", "Western Asia", "Western Europe"};
  return r;
}
const std::vector<std::string>& pact_declared_units() {
  static const std::vector<std::string> u = {"liter",      "kilogram",      "cubic meter", "kilowatt hour",
                                             "megajoule",  "ton kilometer", "square meter"};
  return u;
}
// The reference-unit symbol of a PACT declared unit.
std::string declared_unit_symbol(const std::string& du) {
  static const std::map<std::string, std::string> m = {
      {"liter", "L"},     {"kilogram", "kg"},        {"cubic meter", "m3"}, {"kilowatt hour", "kWh"},
      {"megajoule", "MJ"}, {"ton kilometer", "t*km"}, {"square meter", "m2"}};
  const auto it = m.find(du);
  return it == m.end() ? std::string() : it->second;
}
// The PACT declared unit of a reference unit symbol, "" when there is none.
std::string declared_unit_of(const std::string& unit) {
  const std::string u = lower(unit);
  if (u == "kg" || u == "kilogram") return "kilogram";
  if (u == "l" || u == "liter" || u == "litre") return "liter";
  if (u == "m3" || u == "cubic meter") return "cubic meter";
  if (u == "kwh") return "kilowatt hour";
  if (u == "mj") return "megajoule";
  if (u == "t*km" || u == "tkm" || u == "t km" || u == "ton kilometer") return "ton kilometer";
  if (u == "m2" || u == "square meter") return "square meter";
  return {};
}

bool is_urn(const std::string& s) { return s.size() > 4 && lower(s.substr(0, 4)) == "urn:"; }
bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

// The PACT block of a study: PACT names, checked against the v2.2.0 data model.
json parse_pact(const Parser& P, const json& j) {
  if (!j.is_object()) P.fail("pact", "must be an object of PACT ProductFootprint fields (companyName, companyIds, ...)");
  P.only(j, "pact",
         {"companyName", "companyIds", "productDescription", "productIds", "productCategoryCpc", "productNameCompany",
          "comment", "declaredUnit", "unitaryProductAmount", "version", "created", "precedingPfIds",
          "validityPeriodStart", "validityPeriodEnd", "fossilCarbonContent", "biogenicCarbonContent",
          "exemptedEmissionsPercent", "exemptedEmissionsDescription", "packagingEmissionsIncluded",
          "primaryDataShare", "dqi", "crossSectoralStandardsUsed", "productOrSectorSpecificRules",
          "biogenicAccountingMethodology", "secondaryEmissionFactorSources", "boundaryProcessesDescription",
          "allocationRulesDescription", "uncertaintyAssessmentDescription", "assurance"});
  json out = json::object();
  const auto field = [](const std::string& k) { return "pact." + k; };
  for (const char* k : {"companyName", "productCategoryCpc", "productNameCompany"})
    if (j.contains(k)) out[k] = P.string(j, k, field(k), true, "a non-empty string");
  for (const char* k : {"productDescription", "comment", "exemptedEmissionsDescription",
                        "boundaryProcessesDescription", "allocationRulesDescription",
                        "uncertaintyAssessmentDescription"})
    if (j.contains(k)) out[k] = P.string(j, k, field(k), false, "text");
  for (const char* k : {"companyIds", "productIds"}) {
    if (!j.contains(k)) continue;
    const auto v = P.strings(j[k], field(k), "URNs such as \"urn:pact:company:customcode:buyer-assigned:1234\"");
    if (v.empty()) P.fail(field(k), "must list at least one URN");
    for (size_t i = 0; i < v.size(); ++i)
      if (!is_urn(v[i]))
        P.fail(fmt::format("{}[{}]", field(k), i),
               fmt::format("'{}' is not a URN: PACT identifiers start with \"urn:\" (e.g. urn:gtin:4012345678901)", v[i]));
    if (std::set<std::string>(v.begin(), v.end()).size() != v.size()) P.fail(field(k), "lists an identifier twice");
    out[k] = v;
  }
  if (j.contains("precedingPfIds")) {
    const auto v = P.strings(j["precedingPfIds"], field("precedingPfIds"), "ids of earlier versions of this footprint");
    for (size_t i = 0; i < v.size(); ++i)
      if (!is_uuid(v[i])) P.fail(fmt::format("pact.precedingPfIds[{}]", i), "'" + v[i] + "' is not a UUID");
    out["precedingPfIds"] = v;
  }
  if (j.contains("declaredUnit")) {
    const std::string du = P.string(j, "declaredUnit", field("declaredUnit"), true, "a PACT declared unit");
    const auto& units = pact_declared_units();
    if (std::find(units.begin(), units.end(), du) == units.end())
      P.fail(field("declaredUnit"), fmt::format("'{}' is not a PACT declared unit: use one of {}", du, join(units, ", ")));
    out["declaredUnit"] = du;
  }
  if (j.contains("unitaryProductAmount")) {
    const double v = P.number(j["unitaryProductAmount"], field("unitaryProductAmount"), "declared units in the product");
    if (!(v > 0)) P.fail(field("unitaryProductAmount"), "must be greater than 0 (declared units contained in the product)");
    out["unitaryProductAmount"] = v;
  }
  if (j.contains("version")) {
    const json& v = j["version"];
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 2147483647)
      P.fail(field("version"), "must be a whole number from 0 to 2^31-1");
    out["version"] = v.get<int64_t>();
  }
  for (const char* k : {"created", "validityPeriodStart", "validityPeriodEnd"}) {
    if (!j.contains(k)) continue;
    const std::string s = P.string(j, k, field(k), true, "a UTC date-time");
    if (!is_datetime_utc(s)) P.fail(field(k), fmt::format("'{}' is not a UTC date-time like 2024-05-01T00:00:00Z", s));
    out[k] = s;
  }
  for (const char* k : {"fossilCarbonContent", "biogenicCarbonContent"}) {
    if (!j.contains(k)) continue;
    const double v = P.number(j[k], field(k), "kg C per declared unit");
    if (v < 0) P.fail(field(k), "must be 0 or more (kg of carbon per declared unit)");
    out[k] = v;
  }
  if (j.contains("exemptedEmissionsPercent")) {
    const double v = P.number(j["exemptedEmissionsPercent"], field("exemptedEmissionsPercent"), "percent");
    if (v < 0 || v > 5)
      P.fail(field("exemptedEmissionsPercent"),
             "must be a percentage from 0 to 5 (PACT v2 allows at most 5 % of emissions to be exempted)");
    out["exemptedEmissionsPercent"] = v;
  }
  if (j.contains("primaryDataShare")) {
    const double v = P.number(j["primaryDataShare"], field("primaryDataShare"), "percent");
    if (v < 0 || v > 100) P.fail(field("primaryDataShare"), "must be a percentage from 0 to 100");
    out["primaryDataShare"] = v;
  }
  if (j.contains("packagingEmissionsIncluded")) {
    if (!j["packagingEmissionsIncluded"].is_boolean())
      P.fail(field("packagingEmissionsIncluded"), "must be true or false");
    out["packagingEmissionsIncluded"] = j["packagingEmissionsIncluded"];
  }
  if (j.contains("dqi")) {
    const json& d = j["dqi"];
    if (!d.is_object()) P.fail(field("dqi"), "must be an object with coveragePercent and the five DQRs");
    const std::vector<std::string> keys = {"coveragePercent", "technologicalDQR", "temporalDQR", "geographicalDQR",
                                           "completenessDQR", "reliabilityDQR"};
    P.only(d, "pact.dqi", keys);
    json o = json::object();
    for (const auto& k : keys) {
      if (!d.contains(k)) P.fail("pact.dqi." + k, "missing: PACT DataQualityIndicators need all six properties");
      const double v = P.number(d[k], "pact.dqi." + k, k == "coveragePercent" ? "percent" : "a rating from 1 to 3");
      if (k == "coveragePercent" ? (v < 0 || v > 100) : (v < 1 || v > 3))
        P.fail("pact.dqi." + k, k == "coveragePercent" ? "must be from 0 to 100" : "must be from 1 to 3 (PACT DQR)");
      o[k] = v;
    }
    out["dqi"] = o;
  }
  if (j.contains("crossSectoralStandardsUsed")) {
    const std::vector<std::string> ok = {"GHG Protocol Product standard", "ISO Standard 14067", "ISO Standard 14044"};
    const auto v = P.strings(j["crossSectoralStandardsUsed"], field("crossSectoralStandardsUsed"), "standards");
    if (v.empty()) P.fail(field("crossSectoralStandardsUsed"), "must list at least one standard");
    for (size_t i = 0; i < v.size(); ++i)
      if (std::find(ok.begin(), ok.end(), v[i]) == ok.end())
        P.fail(fmt::format("pact.crossSectoralStandardsUsed[{}]", i),
               fmt::format("'{}' is not a PACT v2 cross-sectoral standard: use {}", v[i], join(ok, ", ")));
    out["crossSectoralStandardsUsed"] = v;
  }
  if (j.contains("biogenicAccountingMethodology")) {
    const std::vector<std::string> ok = {"PEF", "ISO", "GHGP", "Quantis"};
    const std::string s = P.string(j, "biogenicAccountingMethodology", field("biogenicAccountingMethodology"), true,
                                   "PEF, ISO, GHGP or Quantis");
    if (std::find(ok.begin(), ok.end(), s) == ok.end())
      P.fail(field("biogenicAccountingMethodology"), fmt::format("'{}' is not one of {}", s, join(ok, ", ")));
    out["biogenicAccountingMethodology"] = s;
  }
  if (j.contains("productOrSectorSpecificRules")) {
    const json& v = j["productOrSectorSpecificRules"];
    if (!v.is_array()) P.fail(field("productOrSectorSpecificRules"), "must be a list of {operator, ruleNames}");
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string f = fmt::format("pact.productOrSectorSpecificRules[{}]", i);
      if (!v[i].is_object()) P.fail(f, "must be an object {operator, ruleNames, otherOperatorName}");
      P.only(v[i], f, {"operator", "ruleNames", "otherOperatorName"});
      const std::string op = P.string(v[i], "operator", f + ".operator", true, "PEF, EPD International or Other");
      if (op != "PEF" && op != "EPD International" && op != "Other")
        P.fail(f + ".operator", "'" + op + "' is not one of PEF, EPD International, Other");
      if (!v[i].contains("ruleNames") || P.strings(v[i]["ruleNames"], f + ".ruleNames", "rule names").empty())
        P.fail(f + ".ruleNames", "must list at least one rule name");
      if (op == "Other") P.string(v[i], "otherOperatorName", f + ".otherOperatorName", true, "the operator's name");
    }
    out["productOrSectorSpecificRules"] = v;
  }
  if (j.contains("secondaryEmissionFactorSources")) {
    const json& v = j["secondaryEmissionFactorSources"];
    if (!v.is_array() || v.empty())
      P.fail(field("secondaryEmissionFactorSources"), "must be a non-empty list of {name, version}");
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string f = fmt::format("pact.secondaryEmissionFactorSources[{}]", i);
      if (!v[i].is_object()) P.fail(f, "must be an object {name, version}");
      P.only(v[i], f, {"name", "version"});
      P.string(v[i], "name", f + ".name", true, "the database name");
      P.string(v[i], "version", f + ".version", true, "the database version");
    }
    out["secondaryEmissionFactorSources"] = v;
  }
  if (j.contains("assurance")) {
    const json& v = j["assurance"];
    if (!v.is_object() || !v.contains("assurance") || !v["assurance"].is_boolean())
      P.fail(field("assurance"), "must be an object with at least \"assurance\": true or false");
    out["assurance"] = v;
  }
  return out;
}

}  // namespace

Study parse_study(const json& j, const std::string& file) {
  const Parser P{file};
  if (!j.is_object())
    P.fail("", "a study is a JSON object with at least name, product, database, functional_unit and reference_flow");
  P.only(j, "",
         {"name", "goal", "product", "database", "functional_unit", "reference_flow", "system_boundary", "stages",
          "cutoff", "allocation", "allocation_sensitivity", "reference_period", "geography", "gwp_set", "pact",
          "limitations", "waive_unmapped", "max_depth", "comment"});
  Study s;
  s.file = file;
  s.source = j;
  s.name = P.string(j, "name", "name", true, "the study's title");
  s.goal = P.string(j, "goal", "goal", false, "the intended application, reasons and audience");
  s.product = P.string(j, "product", "product", true,
                       "the id or name of the process whose product is studied, e.g. \"product\": \"Sawn lumber, "
                       "softwood, planed, kiln dried, at planer, NE-NC\"");
  s.database = P.string(j, "database", "database", true,
                        "the name the LCA database was imported under (panocarbon lca import PATH --name NAME)");
  s.functional_unit = P.string(j, "functional_unit", "functional_unit", true,
                               "the functional unit in words, e.g. \"1 m3 of planed softwood lumber at the mill gate\"");
  if (!j.contains("reference_flow"))
    P.fail("reference_flow", "missing: the amount of product per functional unit, e.g. {\"amount\": 1, \"unit\": \"m3\"}");
  {
    const json& rf = j["reference_flow"];
    if (!rf.is_object()) P.fail("reference_flow", "must be an object {\"amount\": 1, \"unit\": \"kg\"}");
    P.only(rf, "reference_flow", {"amount", "unit"});
    if (!rf.contains("amount")) P.fail("reference_flow.amount", "missing: the amount of product per functional unit");
    s.amount = P.number(rf["amount"], "reference_flow.amount", "product per functional unit");
    if (!(s.amount > 0))
      P.fail("reference_flow.amount", fmt::format("must be greater than 0, not {}", s.amount));
    s.unit = P.string(rf, "unit", "reference_flow.unit", false, "a unit symbol such as kg, m3, MJ");
  }
  if (j.contains("system_boundary")) {
    s.system_boundary = lower(P.string(j, "system_boundary", "system_boundary", true, "cradle-to-gate or cradle-to-grave"));
    if (s.system_boundary != "cradle-to-gate" && s.system_boundary != "cradle-to-grave")
      P.fail("system_boundary", fmt::format("'{}' is not a system boundary: use cradle-to-gate or cradle-to-grave",
                                            j["system_boundary"].get<std::string>()));
  }
  if (j.contains("stages")) {
    const json& st = j["stages"];
    if (!st.is_array()) P.fail("stages", "must be a list of {\"name\": ..., \"processes\": [...]}");
    std::set<std::string> names;
    for (size_t i = 0; i < st.size(); ++i) {
      const std::string f = fmt::format("stages[{}]", i);
      if (!st[i].is_object()) P.fail(f, "must be an object {\"name\": ..., \"processes\": [...]}");
      P.only(st[i], f, {"name", "processes", "demands", "comment"});
      StudyStage stage;
      stage.name = P.string(st[i], "name", f + ".name", true, "the life-cycle stage's name");
      if (!names.insert(lower(stage.name)).second) P.fail(f + ".name", "stage '" + stage.name + "' is defined twice");
      if (lower(stage.name) == "other")
        P.fail(f + ".name", "'other' is reserved for the processes no stage matches; choose another name");
      if (st[i].contains("processes"))
        stage.processes = P.strings(st[i]["processes"], f + ".processes", "process ids, names or category prefixes");
      if (st[i].contains("demands")) {
        const json& d = st[i]["demands"];
        if (!d.is_array()) P.fail(f + ".demands", "must be a list of {\"process\": ..., \"amount\": ...}");
        for (size_t k = 0; k < d.size(); ++k) {
          const std::string fk = fmt::format("{}.demands[{}]", f, k);
          if (!d[k].is_object()) P.fail(fk, "must be an object {\"process\": ..., \"amount\": ...}");
          P.only(d[k], fk, {"process", "amount"});
          StageDemand sd;
          sd.process = P.string(d[k], "process", fk + ".process", true, "the id or name of a use or end-of-life process");
          if (!d[k].contains("amount")) P.fail(fk + ".amount", "missing: the amount per functional unit");
          sd.amount = P.number(d[k]["amount"], fk + ".amount", "amount per functional unit");
          if (!(sd.amount > 0)) P.fail(fk + ".amount", fmt::format("must be greater than 0, not {}", sd.amount));
          stage.demands.push_back(sd);
        }
      }
      if (stage.processes.empty() && stage.demands.empty())
        P.fail(f + ".processes", "stage '" + stage.name + "' lists no processes and no demands");
      s.stages.push_back(std::move(stage));
    }
  }
  bool any_demand = false;
  for (const auto& st : s.stages) any_demand = any_demand || !st.demands.empty();
  if (any_demand && s.system_boundary != "cradle-to-grave")
    P.fail("system_boundary",
           "stages add use or end-of-life demands but the system boundary is cradle-to-gate: set \"system_boundary\": "
           "\"cradle-to-grave\" or remove the demands");
  if (j.contains("cutoff")) {
    s.cutoff = P.number(j["cutoff"], "cutoff", "a fraction of the total");
    if (s.cutoff < 0 || s.cutoff >= 1)
      P.fail("cutoff", fmt::format("{} is not a fraction from 0 to 1: write 0.01 for 1 %", s.cutoff));
  }
  if (j.contains("allocation")) s.allocation = P.allocation(j["allocation"], "allocation");
  if (j.contains("allocation_sensitivity")) {
    const json& a = j["allocation_sensitivity"];
    if (!a.is_array()) P.fail("allocation_sensitivity", "must be a list of allocation methods, e.g. [\"economic\", \"none\"]");
    for (size_t i = 0; i < a.size(); ++i) {
      const AllocationMethod m = P.allocation(a[i], fmt::format("allocation_sensitivity[{}]", i));
      if (m != s.allocation && std::find(s.allocation_sensitivity.begin(), s.allocation_sensitivity.end(), m) ==
                                   s.allocation_sensitivity.end())
        s.allocation_sensitivity.push_back(m);
    }
  }
  if (j.contains("reference_period")) {
    const json& rp = j["reference_period"];
    if (!rp.is_object()) P.fail("reference_period", "must be an object {\"start\": \"2023-01-01\", \"end\": \"2023-12-31\"}");
    P.only(rp, "reference_period", {"start", "end"});
    s.period_start = P.string(rp, "start", "reference_period.start", true, "the first day, YYYY-MM-DD");
    s.period_end = P.string(rp, "end", "reference_period.end", true, "the last day, YYYY-MM-DD");
    for (const auto* d : {&s.period_start, &s.period_end})
      if (!is_date(*d) && !is_datetime_utc(*d))
        P.fail(d == &s.period_start ? "reference_period.start" : "reference_period.end",
               fmt::format("'{}' is not a date (YYYY-MM-DD) or a UTC date-time (YYYY-MM-DDThh:mm:ssZ)", *d));
    if (s.period_end.substr(0, 10) < s.period_start.substr(0, 10))
      P.fail("reference_period.end", fmt::format("ends ({}) before it starts ({})", s.period_end, s.period_start));
  }
  if (j.contains("geography")) {
    s.geography = P.string(j, "geography", "geography", true, "Global, a region, a country or a subdivision code");
    const auto& regions = pact_regions();
    const std::string& g = s.geography;
    const bool country = g.size() == 2 && std::isupper(static_cast<unsigned char>(g[0])) &&
                         std::isupper(static_cast<unsigned char>(g[1]));
    bool subdivision = g.size() >= 4 && g.size() <= 6 && std::isupper(static_cast<unsigned char>(g[0])) &&
                       std::isupper(static_cast<unsigned char>(g[1])) && g[2] == '-';
    for (size_t i = 3; subdivision && i < g.size(); ++i)
      subdivision = std::isupper(static_cast<unsigned char>(g[i])) || std::isdigit(static_cast<unsigned char>(g[i]));
    if (!(g == "Global" || country || subdivision || std::find(regions.begin(), regions.end(), g) != regions.end()))
      P.fail("geography", fmt::format("'{}' is not Global, an ISO 3166-1 alpha-2 country (US), an ISO 3166-2 "
                                      "subdivision (US-CA) or a UN M49 region ({})",
                                      g, join(regions, ", ")));
  }
  if (j.contains("gwp_set")) {
    s.gwp_set = P.string(j, "gwp_set", "gwp_set", true, "AR6, AR5 or AR4");
    for (char& c : s.gwp_set) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (s.gwp_set != "AR6" && s.gwp_set != "AR5" && s.gwp_set != "AR4")
      P.fail("gwp_set", fmt::format("'{}' is not a GWP set: use AR6 (default), AR5 or AR4", j["gwp_set"].get<std::string>()));
  }
  if (j.contains("pact")) s.pact = parse_pact(P, j["pact"]);
  if (j.contains("limitations")) s.limitations = P.strings(j["limitations"], "limitations", "free text");
  if (j.contains("waive_unmapped")) {
    if (!j["waive_unmapped"].is_boolean()) P.fail("waive_unmapped", "must be true or false");
    s.waive_unmapped = j["waive_unmapped"].get<bool>();
  }
  if (j.contains("max_depth")) {
    const json& v = j["max_depth"];
    if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 50)
      P.fail("max_depth", "must be a whole number from 1 to 50 (levels of the upstream tree)");
    s.max_depth = static_cast<int>(v.get<int64_t>());
  }
  return s;
}

Study read_study(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCategory::Io, "cannot read the study file: check the path", ErrorContext{path.string()});
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    long line = 1, col = 1;
    for (size_t i = 0; i < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw Error(ErrorCategory::InvalidInput, fmt::format("the study is not valid JSON ({})", e.what()),
                ErrorContext{path.string(), line, col > 1 ? col - 1 : 1});
  }
  return parse_study(j, path.string());
}

// ---- text helpers ------------------------------------------------------------------------------------------
std::string pact_decimal(double v) {
  if (!std::isfinite(v)) throw Error(ErrorCategory::Internal, "a footprint figure is not finite");
  if (v == 0) return "0";
  char buf[512];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string uuid_v5(const std::string& namespace_uuid, const std::string& name) {
  std::string bytes;
  for (size_t i = 0; i + 1 < namespace_uuid.size(); ++i) {
    if (namespace_uuid[i] == '-') continue;
    bytes += static_cast<char>(std::stoi(namespace_uuid.substr(i, 2), nullptr, 16));
    ++i;
  }
  if (bytes.size() != 16) throw Error(ErrorCategory::Internal, "uuid_v5: the namespace is not a UUID");
  bytes += name;
  unsigned char h[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), h);
  h[6] = static_cast<unsigned char>((h[6] & 0x0F) | 0x50);  // version 5
  h[8] = static_cast<unsigned char>((h[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string o;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) o += '-';
    o += fmt::format("{:02x}", h[i]);
  }
  return o;
}

namespace {

// ---- calculation -------------------------------------------------------------------------------------------
// The four GWP categories of the method.
struct Categories {
  size_t total = 0, fossil = 0, biogenic = 0, luc = 0;
};
Categories find_categories(const Method& m) {
  Categories c;
  const auto find = [&](const std::string& key) {
    for (size_t k = 0; k < m.categories.size(); ++k)
      if (lower(m.categories[k].name) == key) return k;
    std::vector<std::string> names;
    for (const auto& cat : m.categories) names.push_back(cat.name);
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("method '{}' has no category '{}': a footprint needs categories total, fossil, biogenic "
                            "and luc (it has {})",
                            m.name, key, join(names, ", ")));
  };
  c.total = find("total");
  c.fossil = find("fossil");
  c.biogenic = find("biogenic");
  c.luc = find("luc");
  return c;
}

// GWP figures of one result, kg CO2e.
struct Split {
  double total = 0, fossil = 0, biogenic = 0, luc = 0;
  double bio_co2_emissions = 0, bio_co2_removals = 0, bio_other = 0;
  double excluding_biogenic_co2() const { return total - bio_co2_emissions - bio_co2_removals; }
  double fossil_and_luc() const { return fossil + luc; }
  json to_json() const {
    return {{"total", total},
            {"fossil", fossil},
            {"biogenic", biogenic},
            {"luc", luc},
            {"biogenic_co2_emissions", bio_co2_emissions},
            {"biogenic_co2_removals", bio_co2_removals},
            {"biogenic_other", bio_other},
            {"excluding_biogenic_co2", excluding_biogenic_co2()},
            {"fossil_and_luc", fossil_and_luc()},
            {"unallocated", total - fossil - biogenic - luc}};
  }
};

Split split_of(const json& j) {
  Split s;
  s.total = j["total"].get<double>();
  s.fossil = j["fossil"].get<double>();
  s.biogenic = j["biogenic"].get<double>();
  s.luc = j["luc"].get<double>();
  s.bio_co2_emissions = j["biogenic_co2_emissions"].get<double>();
  s.bio_co2_removals = j["biogenic_co2_removals"].get<double>();
  s.bio_other = j["biogenic_other"].get<double>();
  return s;
}

// One run of the product system: the demands (product first, then stage demands), their results.
struct Run {
  Run() = default;
  Run(const Run&) = delete;  // results and the solver point into sys
  Run& operator=(const Run&) = delete;
  ProductSystem sys;
  std::unique_ptr<Solver> solver;
  std::vector<Demand> demands;
  std::vector<LcaResult> results;
  std::vector<double> impacts, scaling, inventory;  // summed over demands
  std::vector<std::vector<double>> direct;
  Split product, all;  // the product demand alone (cradle-to-gate), all demands
};

bool is_co2(const Flow& f) {
  return normalise_cas(f.cas) == "124-38-9" || normalise_name(f.name).rfind("carbon dioxide", 0) == 0;
}

int32_t provider_of(const ProductSystem& sys, const std::string& query, const std::string& file,
                    const std::string& field) {
  try {
    return sys.find_provider(query);
  } catch (const Error& e) {
    throw Error(e.category(), e.message(), ErrorContext{file, 0, 0, field});
  }
}

// Solves every demand of the study on one product system built with `allocation`.
void run_system(Run& run, const Study& study, const Database& db, const Method& method, const FlowMapping& mapping,
                const Categories& cats, AllocationMethod allocation, std::vector<std::string>* demand_fields) {
  LinkOptions opt;
  opt.allocation = allocation;
  run.sys = build_system(db, opt);
  run.solver = std::make_unique<Solver>(run.sys);
  const ProductSystem& sys = run.sys;
  // the product, with the reference flow converted to the provided flow's unit
  const int32_t j0 = provider_of(sys, study.product, study.file, "product");
  const Flow& pf = db.flows[static_cast<size_t>(sys.providers[static_cast<size_t>(j0)].flow)];
  double amount = study.amount;
  if (!study.unit.empty() && study.unit != pf.unit) {
    const Unit* from = find_unit(study.unit);
    const Unit* to = find_unit(pf.unit);
    if (!from || !to)
      throw Error(ErrorCategory::Unit,
                  fmt::format("the reference flow is in '{}' but the product '{}' is measured in '{}': give the amount "
                              "in {}",
                              study.unit, pf.name, pf.unit, pf.unit),
                  ErrorContext{study.file, 0, 0, "reference_flow.unit"});
    amount *= conversion_factor(*from, *to, ErrorContext{study.file, 0, 0, "reference_flow.unit"});
  }
  run.demands.push_back({j0, amount});
  if (demand_fields) demand_fields->push_back("product");
  for (size_t i = 0; i < study.stages.size(); ++i)
    for (size_t k = 0; k < study.stages[i].demands.size(); ++k) {
      const std::string field = fmt::format("stages[{}].demands[{}].process", i, k);
      run.demands.push_back({provider_of(sys, study.stages[i].demands[k].process, study.file, field),
                             study.stages[i].demands[k].amount});
      if (demand_fields) demand_fields->push_back(field);
    }
  const size_t np = sys.providers.size(), nk = method.categories.size();
  run.impacts.assign(nk, 0.0);
  run.direct.assign(nk, std::vector<double>(np, 0.0));
  run.scaling.assign(np, 0.0);
  run.inventory.assign(sys.elementary.size(), 0.0);
  for (const Demand& d : run.demands) {
    run.results.push_back(calculate(sys, *run.solver, method, mapping, d));
    const LcaResult& r = run.results.back();
    for (size_t k = 0; k < nk && k < r.impacts.size(); ++k) {
      run.impacts[k] += r.impacts[k];
      for (size_t j = 0; j < np && j < r.direct[k].size(); ++j) run.direct[k][j] += r.direct[k][j];
    }
    for (size_t j = 0; j < np && j < r.scaling.size(); ++j) run.scaling[j] += r.scaling[j];
    for (size_t i = 0; i < run.inventory.size() && i < r.inventory.size(); ++i) run.inventory[i] += r.inventory[i];
  }
  // the biogenic category split into CO2 emissions, CO2 uptake (by the sign of the factor) and other gases,
  // solved with the same conventions as the totals
  FlowMapping co2;  // rows: biogenic CO2 emissions, biogenic CO2 uptake, other biogenic GHGs
  co2.factors.assign(3, std::vector<double>(db.flows.size(), 0.0));
  for (size_t f = 0; f < db.flows.size(); ++f) {
    const double c = mapping.factors[cats.biogenic][f];
    if (c == 0) continue;
    co2.factors[!is_co2(db.flows[f]) ? 2 : c > 0 ? 0 : 1][f] = c;
  }
  const auto co2_rows = calculate_many(sys, *run.solver, co2, run.demands);
  for (size_t d = 0; d < run.demands.size(); ++d) {
    Split s;
    const LcaResult& r = run.results[d];
    s.total = r.impacts[cats.total];
    s.fossil = r.impacts[cats.fossil];
    s.biogenic = r.impacts[cats.biogenic];
    s.luc = r.impacts[cats.luc];
    s.bio_co2_emissions = co2_rows[d][0];
    s.bio_co2_removals = co2_rows[d][1];
    s.bio_other = co2_rows[d][2];
    if (d == 0) run.product = s;
    run.all.total += s.total;
    run.all.fossil += s.fossil;
    run.all.biogenic += s.biogenic;
    run.all.luc += s.luc;
    run.all.bio_co2_emissions += s.bio_co2_emissions;
    run.all.bio_co2_removals += s.bio_co2_removals;
    run.all.bio_other += s.bio_other;
  }
}

// Case-insensitive glob with '*' and '?'.
bool glob(const std::string& pattern, const std::string& text) {
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}
bool pattern_matches(const std::string& pattern, const Process& p) {
  if (pattern == p.id) return true;
  const std::string pat = lower(pattern);
  if (glob(pat, lower(p.name))) return true;
  const std::string cat = lower(p.category);
  if (!cat.empty()) {
    if (cat.rfind(pat, 0) == 0) return true;
    const size_t slash = cat.find_last_of('/');
    if (slash != std::string::npos && cat.compare(slash + 1, pat.size(), pat) == 0) return true;
  }
  return false;
}

// Stage of each process (index into study.stages, or stages.size() for "other").
std::vector<size_t> assign_stages(const Study& study, const Database& db, const ProductSystem& sys,
                                  const std::vector<Demand>& demands) {
  const size_t other = study.stages.size();
  std::vector<size_t> stage(db.processes.size(), other);
  std::vector<char> fixed(db.processes.size(), 0);
  // every pattern must name something in the database: a pattern that matches nothing is a typo
  for (size_t i = 0; i < study.stages.size(); ++i)
    for (size_t k = 0; k < study.stages[i].processes.size(); ++k) {
      const std::string& pat = study.stages[i].processes[k];
      bool any = false;
      for (const auto& p : db.processes) any = any || pattern_matches(pat, p);
      if (!any)
        throw Error(ErrorCategory::NotFound,
                    fmt::format("stage '{}': '{}' matches no process id, name or category of database '{}'; check "
                                "the spelling (names may use * and ? wildcards)",
                                study.stages[i].name, pat, db.name),
                    ErrorContext{study.file, 0, 0, fmt::format("stages[{}].processes[{}]", i, k)});
    }
  // the processes a stage demands belong to it
  size_t d = 1;
  for (size_t i = 0; i < study.stages.size(); ++i)
    for (size_t k = 0; k < study.stages[i].demands.size(); ++k, ++d) {
      const size_t p = static_cast<size_t>(sys.providers[static_cast<size_t>(demands[d].provider)].process);
      if (!fixed[p]) {
        stage[p] = i;
        fixed[p] = 1;
      }
    }
  for (size_t p = 0; p < db.processes.size(); ++p) {
    if (fixed[p]) continue;
    for (size_t i = 0; i < study.stages.size() && stage[p] == other; ++i)
      for (const auto& pat : study.stages[i].processes)
        if (pattern_matches(pat, db.processes[p])) {
          stage[p] = i;
          break;
        }
  }
  return stage;
}

std::string alloc_description(AllocationMethod m) {
  switch (m) {
    case AllocationMethod::AsStored:
      return "each multi-output process uses the allocation method its data set declares (default allocation)";
    case AllocationMethod::None:
      return "no allocation: every co-product carries all inputs and outputs of its process";
    case AllocationMethod::Physical: return "physical allocation (stored factors, else flow properties such as mass)";
    case AllocationMethod::Economic: return "economic allocation (stored factors)";
    case AllocationMethod::Causal: return "causal allocation (stored per-exchange factors)";
  }
  return "";
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Documentation of a process as the report shows it (the keys the readers fill, when present).
json doc_summary(const Process& p) {
  json o = json::object();
  const json& d = p.documentation;
  if (!d.is_object()) return o;
  const auto text = [](const json& v) -> std::string {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("name") && v["name"].is_string()) return v["name"].get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
    return {};
  };
  for (const auto& [k, v] : d.items()) {
    if (v.is_array()) {
      std::vector<std::string> items;
      for (const auto& x : v)
        if (const std::string t = trim(text(x)); !t.empty() && std::find(items.begin(), items.end(), t) == items.end())
          items.push_back(t);
      if (!items.empty()) o[k] = join(items, "; ");
    } else if (const std::string t = trim(text(v)); !t.empty()) {
      o[k] = t.size() > 200 ? t.substr(0, 197) + "..." : t;
    }
  }
  return o;
}

// ---- the document model: sections of paragraphs, lists, tables and bar charts, rendered twice ----------
struct Table {
  std::vector<std::string> head;
  std::vector<bool> numeric;  // right-aligned columns
  std::vector<std::vector<std::string>> rows;
};
struct Bar {
  std::string label, value;
  double share = 0;  // signed fraction of the largest |value|
};
struct Block {
  enum Kind { Para, List, Tab, Bars } kind = Para;
  std::string text;
  std::vector<std::string> items;
  Table table;
  std::vector<Bar> bars;
};
struct Section {
  std::string title;
  int level = 2;
  std::vector<Block> blocks;
  Section& para(std::string t) {
    blocks.push_back({Block::Para, std::move(t), {}, {}, {}});
    return *this;
  }
  Section& list(std::vector<std::string> items) {
    blocks.push_back({Block::List, {}, std::move(items), {}, {}});
    return *this;
  }
  Section& table(Table t) {
    blocks.push_back({Block::Tab, {}, {}, std::move(t), {}});
    return *this;
  }
  Section& bars(std::vector<Bar> b) {
    blocks.push_back({Block::Bars, {}, {}, {}, std::move(b)});
    return *this;
  }
};

// Text in Markdown: '<' and '>' as entities (no raw HTML from the study or the data), '|' escaped in tables.
std::string md_text(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else o += c;
  }
  return o;
}
std::string md_cell(const std::string& s) {
  std::string o;
  for (char c : md_text(s)) {
    if (c == '|') o += "\\|";
    else if (c == '\n' || c == '\r') o += ' ';
    else o += c;
  }
  return o;
}

std::string render_markdown(const std::string& title, const std::vector<Section>& doc) {
  std::string o = "# " + md_text(title) + "\n\n";
  for (const auto& s : doc) {
    o.append(static_cast<size_t>(s.level), '#').append(" ").append(md_text(s.title)).append("\n\n");
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Para: o.append(md_text(b.text)).append("\n\n"); break;
        case Block::List:
          for (const auto& i : b.items) o.append("- ").append(md_cell(i)).append("\n");
          o += "\n";
          break;
        case Block::Tab: {
          const Table& t = b.table;
          o += "|";
          for (const auto& h : t.head) o.append(" ").append(md_cell(h)).append(" |");
          o += "\n|";
          for (size_t c = 0; c < t.head.size(); ++c) o += (c < t.numeric.size() && t.numeric[c]) ? " ---: |" : " --- |";
          o += "\n";
          for (const auto& r : t.rows) {
            o += "|";
            for (const auto& c : r) o.append(" ").append(md_cell(c)).append(" |");
            o += "\n";
          }
          o += "\n";
          break;
        }
        case Block::Bars: {
          o += "```text\n";
          size_t w = 0;
          for (const auto& bar : b.bars) w = std::max(w, bar.label.size());
          for (const auto& bar : b.bars) {
            const size_t n = static_cast<size_t>(std::lround(std::fabs(bar.share) * 40));
            std::string hashes;
            for (size_t i = 0; i < n; ++i) hashes += bar.share < 0 ? '-' : '#';
            o += fmt::format("{:<{}}  {:<40}  {}\n", bar.label, w, hashes, bar.value);
          }
          o += "```\n\n";
          break;
        }
      }
    }
  }
  return o;
}

std::string render_html(const std::string& title, const std::vector<Section>& doc) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title) +
      "</title>\n<style>\n"
      "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:72rem;"
      "margin:2rem auto;padding:0 1rem;color:#1d2327;line-height:1.45}\n"
      "h1{font-size:1.7rem;border-bottom:2px solid #2e7d32;padding-bottom:.3rem}h2{font-size:1.3rem;margin-top:2rem;"
      "color:#2e7d32}h3{font-size:1.1rem}\n"
      "table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.9rem}th,td{border:1px solid #ccd;padding:"
      ".25rem .5rem;vertical-align:top}th{background:#eef3ee;text-align:left}td.n{text-align:right;"
      "font-variant-numeric:tabular-nums;white-space:nowrap}\n"
      ".chart{margin:.6rem 0 1.2rem}.row{display:flex;align-items:center;margin:.15rem 0}.lab{width:16rem;"
      "flex:none;font-size:.9rem}.track{flex:1;background:#f2f4f2;height:1.1rem;position:relative}"
      ".bar{height:100%;background:#43a047}.bar.neg{background:#1e88e5}.val{width:12rem;flex:none;text-align:right;"
      "font-size:.9rem;font-variant-numeric:tabular-nums}\n"
      "</style>\n</head>\n<body>\n<h1>" +
      html_escape(title) + "</h1>\n";
  for (const auto& s : doc) {
    o += fmt::format("<h{0}>{1}</h{0}>\n", s.level, html_escape(s.title));
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Para: o.append("<p>").append(html_escape(b.text)).append("</p>\n"); break;
        case Block::List:
          o += "<ul>\n";
          for (const auto& i : b.items) o.append("<li>").append(html_escape(i)).append("</li>\n");
          o += "</ul>\n";
          break;
        case Block::Tab: {
          const Table& t = b.table;
          o += "<table>\n<thead><tr>";
          for (const auto& hd : t.head) o.append("<th>").append(html_escape(hd)).append("</th>");
          o += "</tr></thead>\n<tbody>\n";
          for (const auto& r : t.rows) {
            o += "<tr>";
            for (size_t c = 0; c < r.size(); ++c)
              o.append(c < t.numeric.size() && t.numeric[c] ? "<td class=\"n\">" : "<td>")
                  .append(html_escape(r[c]))
                  .append("</td>");
            o += "</tr>\n";
          }
          o += "</tbody>\n</table>\n";
          break;
        }
        case Block::Bars:
          o += "<div class=\"chart\">\n";
          for (const auto& bar : b.bars)
            o += fmt::format(
                "<div class=\"row\"><span class=\"lab\">{}</span><span class=\"track\"><span class=\"bar{}\" "
                "style=\"display:block;width:{:.1f}%\"></span></span><span class=\"val\">{}</span></div>\n",
                html_escape(bar.label), bar.share < 0 ? " neg" : "", std::fabs(bar.share) * 100, html_escape(bar.value));
          o += "</div>\n";
          break;
      }
    }
  }
  o += "</body>\n</html>\n";
  return o;
}

// Four significant digits, fixed notation where that stays readable.
std::string num(double v) {
  if (v == 0 || !std::isfinite(v)) return v == 0 ? "0" : fmt::format("{}", v);
  const double a = std::fabs(v);
  if (a >= 1e-3 && a < 1e9) {
    const int mag = static_cast<int>(std::floor(std::log10(a)));
    return fmt::format("{:.{}f}", v, std::max(0, 3 - mag));
  }
  return fmt::format("{:.3e}", v);
}
// Amounts: up to six significant digits, no trailing zeros.
std::string qty(double v) { return fmt::format("{:.6g}", v); }
std::string pct(double fraction) { return std::isfinite(fraction) ? fmt::format("{:.1f} %", fraction * 100) : "n/a"; }

// Solves the study and collects everything the report shows (numbers unrounded).
json analyse(const Study& study, const Database& db, const Method& method) {
  const Categories cats = find_categories(method);
  const FlowMapping mapping = map_flows(db, method);
  std::vector<std::string> warnings;

  // ---- calculation with the study's allocation ----
  std::vector<std::string> demand_fields;
  Run run;
  run_system(run, study, db, method, mapping, cats, study.allocation, &demand_fields);
  const ProductSystem& sys = run.sys;
  const size_t np = sys.providers.size();
  const Split& S = run.all;
  const std::string unit = method.categories[cats.total].unit.empty() ? "kg CO2e" : method.categories[cats.total].unit;
  const Provider& prov0 = sys.providers[static_cast<size_t>(run.demands[0].provider)];
  const Process& product_process = db.processes[static_cast<size_t>(prov0.process)];
  const Flow& product_flow = db.flows[static_cast<size_t>(prov0.flow)];

  // greenhouse gases without a factor that this system emits or takes up
  std::vector<std::string> unmapped;
  {
    std::set<int32_t> ghg(mapping.unmapped_ghg.begin(), mapping.unmapped_ghg.end());
    for (size_t i = 0; i < sys.elementary.size(); ++i)
      if (run.inventory[i] != 0 && ghg.count(sys.elementary[i])) {
        const Flow& f = db.flows[static_cast<size_t>(sys.elementary[i])];
        unmapped.push_back(fmt::format("{} [{}] {} {}", f.name, f.compartment, num(run.inventory[i]), f.unit));
      }
  }
  if (!unmapped.empty() && !study.waive_unmapped) {
    std::vector<std::string> first(unmapped.begin(), unmapped.begin() + std::min<std::ptrdiff_t>(10, std::ssize(unmapped)));
    throw Error(ErrorCategory::Data,
                fmt::format("{} greenhouse-gas flow(s) of the product system have no factor in {}: {}{}; the footprint "
                            "would understate them. Set \"waive_unmapped\": true in the study to accept this (the "
                            "report then lists them)",
                            unmapped.size(), method.name, join(first, "; "), unmapped.size() > 10 ? "; ..." : ""),
                ErrorContext{study.file, 0, 0, "waive_unmapped"});
  }

  // ---- stages ----
  const std::vector<size_t> stage_of = assign_stages(study, db, sys, run.demands);
  const size_t nst = study.stages.size() + 1;
  std::vector<Split> stage_split(nst);
  std::vector<std::set<int32_t>> stage_processes(nst);
  for (size_t j = 0; j < np; ++j) {
    const size_t p = static_cast<size_t>(sys.providers[j].process);
    const size_t st = stage_of[p];
    stage_split[st].total += run.direct[cats.total][j];
    stage_split[st].fossil += run.direct[cats.fossil][j];
    stage_split[st].biogenic += run.direct[cats.biogenic][j];
    stage_split[st].luc += run.direct[cats.luc][j];
    if (run.scaling[j] != 0) stage_processes[st].insert(static_cast<int32_t>(p));
  }
  const auto stage_name = [&](size_t st) { return st < study.stages.size() ? study.stages[st].name : std::string("other"); };

  // ---- hot spots: direct contributions per process (all columns of a multi-output process together) ----
  std::map<int32_t, double> by_process;
  double abs_sum = 0;
  for (size_t j = 0; j < np; ++j) {
    const double v = run.direct[cats.total][j];
    if (v == 0) continue;
    by_process[sys.providers[j].process] += v;
    abs_sum += std::fabs(v);
  }
  std::vector<std::pair<int32_t, double>> ranked(by_process.begin(), by_process.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::fabs(a.second) != std::fabs(b.second) ? std::fabs(a.second) > std::fabs(b.second) : a.first < b.first;
  });
  const double ref = S.total != 0 ? std::fabs(S.total) : abs_sum;
  json hot = json::array();
  double hot_sum = 0;
  for (const auto& [p, v] : ranked) {
    if (ref > 0 && std::fabs(v) < study.cutoff * ref) break;
    if (hot.size() >= 50) break;
    const Process& pr = db.processes[static_cast<size_t>(p)];
    hot.push_back({{"process_id", pr.id},
                   {"process", pr.name},
                   {"location", pr.location},
                   {"stage", stage_name(stage_of[static_cast<size_t>(p)])},
                   {"amount", v},
                   {"share", S.total != 0 ? v / S.total : 0.0}});
    hot_sum += v;
  }

  // ---- upstream tree of the product demand ----
  json tree = json::array();
  {
    const auto nodes = upstream_tree(run.results[0], *run.solver, mapping, cats.total, study.cutoff, study.max_depth);
    for (size_t n = 0; n < nodes.size() && n < 300; ++n) {
      const TreeNode& t = nodes[n];
      const Provider& pv = sys.providers[static_cast<size_t>(t.provider)];
      const Process& pr = db.processes[static_cast<size_t>(pv.process)];
      tree.push_back({{"depth", t.depth},
                      {"process_id", pr.id},
                      {"process", pr.name},
                      {"location", pr.location},
                      {"amount", t.amount},
                      {"unit", db.flows[static_cast<size_t>(pv.flow)].unit},
                      {"total", t.total},
                      {"direct", t.direct},
                      {"share", run.product.total != 0 ? t.total / run.product.total : 0.0},
                      {"parent", t.parent}});
    }
    if (nodes.size() > 300) warnings.push_back(fmt::format("the upstream tree has {} nodes; the report shows 300", nodes.size()));
  }

  // ---- allocation sensitivity ----
  json sensitivity = json::array();
  sensitivity.push_back({{"allocation", std::string(to_string(study.allocation))},
                         {"base", true},
                         {"total", S.total},
                         {"fossil", S.fossil},
                         {"biogenic", S.biogenic},
                         {"luc", S.luc},
                         {"change_percent", 0.0}});
  for (AllocationMethod m : study.allocation_sensitivity) {
    try {
      Run alt;
      run_system(alt, study, db, method, mapping, cats, m, nullptr);
      sensitivity.push_back({{"allocation", std::string(to_string(m))},
                             {"base", false},
                             {"total", alt.all.total},
                             {"fossil", alt.all.fossil},
                             {"biogenic", alt.all.biogenic},
                             {"luc", alt.all.luc},
                             {"change_percent", S.total != 0 ? (alt.all.total - S.total) / std::fabs(S.total) * 100 : 0.0},
                             {"notes", alt.sys.notes.size()}});
    } catch (const Error& e) {
      sensitivity.push_back({{"allocation", std::string(to_string(m))}, {"base", false}, {"error", e.message()}});
    }
  }

  // ---- inventory: processes in the system, unlinked inputs, data quality, sources ----
  std::set<int32_t> active;  // processes with a non-zero scaling
  for (size_t j = 0; j < np; ++j)
    if (run.scaling[j] != 0) active.insert(sys.providers[j].process);
  // the linking and allocation notes of the processes in the system ("<process name>: <note>")
  std::vector<std::string> notes_in_system;
  {
    std::set<std::string> names;
    for (int32_t p : active) names.insert(db.processes[static_cast<size_t>(p)].name);
    for (const auto& n : sys.notes) {
      const size_t colon = n.find(": ");
      if (colon != std::string::npos && names.count(n.substr(0, colon))) notes_in_system.push_back(n);
    }
  }
  json unlinked = json::array();
  size_t unlinked_count = 0;
  for (const Link& l : sys.links) {
    if (l.provider != -1 || !active.count(l.process)) continue;
    ++unlinked_count;
    if (unlinked.size() >= 100) continue;
    const Process& pr = db.processes[static_cast<size_t>(l.process)];
    const Exchange& e = pr.exchanges[static_cast<size_t>(l.exchange)];
    const Flow& f = db.flows[static_cast<size_t>(e.flow)];
    unlinked.push_back({{"process", pr.name}, {"flow", f.name}, {"amount", e.amount}, {"unit", f.unit}});
  }
  const char* pedigree_names[5] = {"reliability", "completeness", "temporal correlation", "geographical correlation",
                                   "further technological correlation"};
  size_t exchanges = 0, with_pedigree = 0, with_uncertainty = 0;
  double ped_sum[5] = {0, 0, 0, 0, 0};
  size_t ped_n[5] = {0, 0, 0, 0, 0};
  int ped_min[5] = {9, 9, 9, 9, 9}, ped_max[5] = {0, 0, 0, 0, 0};
  for (int32_t p : active)
    for (const auto& e : db.processes[static_cast<size_t>(p)].exchanges) {
      ++exchanges;
      if (e.uncertainty.kind != Uncertainty::None) ++with_uncertainty;
      bool any = false;
      for (int k = 0; k < 5; ++k) {
        const int v = e.uncertainty.pedigree[k];
        if (v < 1 || v > 5) continue;
        any = true;
        ped_sum[k] += v;
        ++ped_n[k];
        ped_min[k] = std::min(ped_min[k], v);
        ped_max[k] = std::max(ped_max[k], v);
      }
      if (any) ++with_pedigree;
    }
  json pedigree = json::array();
  for (int k = 0; k < 5; ++k)
    pedigree.push_back({{"indicator", pedigree_names[k]},
                        {"exchanges", ped_n[k]},
                        {"mean", ped_n[k] ? json(ped_sum[k] / static_cast<double>(ped_n[k])) : json(nullptr)},
                        {"min", ped_n[k] ? json(ped_min[k]) : json(nullptr)},
                        {"max", ped_n[k] ? json(ped_max[k]) : json(nullptr)}});
  json sources = json::array();
  {
    std::vector<int32_t> doc_processes = {prov0.process};
    for (const auto& h : hot) {
      const int32_t p = db.find_process(h["process_id"].get<std::string>());
      if (p >= 0 && std::find(doc_processes.begin(), doc_processes.end(), p) == doc_processes.end())
        doc_processes.push_back(p);
      if (doc_processes.size() >= 10) break;
    }
    for (int32_t p : doc_processes) {
      const Process& pr = db.processes[static_cast<size_t>(p)];
      sources.push_back({{"process_id", pr.id}, {"process", pr.name}, {"location", pr.location},
                         {"documentation", doc_summary(pr)}});
    }
  }

  // ---- data ----
  const std::string ref_unit = study.unit.empty() ? product_flow.unit : study.unit;
  json data;
  data["study"] = {{"name", study.name},
                   {"file", study.file},
                   {"goal", study.goal},
                   {"functional_unit", study.functional_unit},
                   {"reference_flow", {{"amount", study.amount}, {"unit", ref_unit}}},
                   {"product",
                    {{"process_id", product_process.id},
                     {"process", product_process.name},
                     {"location", product_process.location},
                     {"flow", product_flow.name},
                     {"amount", run.demands[0].amount},
                     {"unit", product_flow.unit}}},
                   {"database", {{"name", db.name}, {"format", db.format}, {"processes", db.processes.size()},
                                 {"flows", db.flows.size()}}},
                   {"system_boundary", study.system_boundary},
                   {"allocation", std::string(to_string(study.allocation))},
                   {"gwp_set", study.gwp_set},
                   {"method", {{"name", method.name}, {"source", method.source}}},
                   {"cutoff", study.cutoff},
                   {"reference_period", {{"start", study.period_start}, {"end", study.period_end}}},
                   {"geography", study.geography}};
  json stages_def = json::array();
  for (const auto& st : study.stages) {
    json d = json::array();
    for (const auto& x : st.demands) d.push_back({{"process", x.process}, {"amount", x.amount}});
    stages_def.push_back({{"name", st.name}, {"processes", st.processes}, {"demands", d}});
  }
  data["study"]["stages"] = stages_def;
  json unmapped_j = json::array();
  for (const auto& u : unmapped) unmapped_j.push_back(u);
  data["inventory"] = {
      {"providers", np},
      {"processes_in_system", active.size()},
      {"elementary_flows", sys.elementary.size()},
      {"solver", {{"name", run.solver->stats().solver}, {"residual", run.solver->stats().residual}}},
      {"database_provenance", db.provenance},
      {"data_sources", sources},
      {"unlinked_inputs", {{"count", unlinked_count}, {"items", unlinked}}},
      {"linking_notes", notes_in_system},
      {"data_quality",
       {{"exchanges", exchanges},
        {"with_pedigree", with_pedigree},
        {"with_uncertainty", with_uncertainty},
        {"pedigree", pedigree}}},
      {"flow_mapping",
       {{"by_id", mapping.by_id},
        {"by_name", mapping.by_name},
        {"by_cas", mapping.by_cas},
        {"unmapped_ghg_in_system", unmapped_j},
        {"waived", study.waive_unmapped}}}};
  data["impact"] = S.to_json();
  data["impact"]["unit"] = unit;
  data["gate"] = run.product.to_json();  // the product demand alone: what PACT reports
  json by_demand = json::array();
  for (size_t d = 0; d < run.demands.size(); ++d) {
    const LcaResult& r = run.results[d];
    const Provider& pv = sys.providers[static_cast<size_t>(run.demands[d].provider)];
    by_demand.push_back({{"field", demand_fields[d]},
                         {"process", db.processes[static_cast<size_t>(pv.process)].name},
                         {"amount", run.demands[d].amount},
                         {"unit", db.flows[static_cast<size_t>(pv.flow)].unit},
                         {"total", r.impacts[cats.total]}});
  }
  json stages_j = json::array();
  for (size_t st = 0; st < nst; ++st) {
    if (st == nst - 1 && stage_processes[st].empty() && stage_split[st].total == 0) continue;
    std::vector<std::string> names;
    for (int32_t p : stage_processes[st]) names.push_back(db.processes[static_cast<size_t>(p)].name);
    stages_j.push_back({{"stage", stage_name(st)},
                        {"total", stage_split[st].total},
                        {"fossil", stage_split[st].fossil},
                        {"biogenic", stage_split[st].biogenic},
                        {"luc", stage_split[st].luc},
                        {"share", S.total != 0 ? stage_split[st].total / S.total : 0.0},
                        {"processes", stage_processes[st].size()},
                        {"process_names", names}});
  }
  data["interpretation"] = {
      {"hot_spots", hot},
      {"hot_spots_total", hot_sum},
      {"stages", stages_j},
      {"demands", by_demand},
      {"tree", tree},
      {"allocation_sensitivity", sensitivity},
      {"uncertainty", "Uncertainty analysis (Monte Carlo sampling of the exchanges' distributions) is not yet "
                      "available; the data-quality summary above indicates the reliability of the data."}};
  std::vector<std::string> limitations = study.limitations;
  limitations.push_back("The footprint covers climate change only (GWP100); it is not a full LCA and does not "
                        "support comparative assertions disclosed to the public.");
  if (unlinked_count)
    limitations.push_back(fmt::format("{} input(s) of processes in the system have no provider in the database and "
                                      "are cut off (their upstream emissions are missing).",
                                      unlinked_count));
  if (!unmapped.empty())
    limitations.push_back(fmt::format("{} greenhouse-gas flow(s) have no characterisation factor and were waived.",
                                      unmapped.size()));
  if (!notes_in_system.empty())
    limitations.push_back(fmt::format("{} allocation or linking choice(s) in the system were made by rule (see the "
                                      "linking notes).",
                                      notes_in_system.size()));
  limitations.push_back("Emissions are not time-weighted; biogenic carbon is counted by the -1/+1 approach "
                        "(uptake as a removal, release as an emission).");
  data["limitations"] = limitations;
  data["warnings"] = warnings;
  return data;
}

// The PACT ProductFootprint of the product demand (cradle-to-gate), per declared unit; records the figures,
// the missing mandatory fields and the notes in data["pact"].
json make_pact(const Study& study, const Database& db, const Method& method, json& data) {
  const json& pp = study.pact;
  std::vector<std::string> pact_missing, pact_notes;
  const std::string ref_unit = data["study"]["reference_flow"]["unit"].get<std::string>();
  const json& product = data["study"]["product"];
  const size_t unlinked_count = data["inventory"]["unlinked_inputs"]["count"].get<size_t>();
  std::string declared_unit = pp.value("declaredUnit", declared_unit_of(ref_unit));
  double declared_amount = study.amount;  // the reference flow in declared units
  if (declared_unit.empty()) {
    pact_missing.push_back("pcf.declaredUnit");
    pact_notes.push_back(fmt::format("the reference unit '{}' is not a PACT declared unit: set pact.declaredUnit "
                                     "(figures are given per {})",
                                     ref_unit, ref_unit));
  } else {
    const std::string sym = declared_unit_symbol(declared_unit);
    if (lower(sym) != lower(ref_unit) && declared_unit_of(ref_unit) != declared_unit) {
      const Unit* from = find_unit(ref_unit);
      const Unit* to = find_unit(sym);
      if (!from || !to)
        throw Error(ErrorCategory::Unit,
                    fmt::format("the declared unit '{}' ({}) cannot be converted from the reference unit '{}'; choose "
                                "a declared unit of the same quantity",
                                declared_unit, sym, ref_unit),
                    ErrorContext{study.file, 0, 0, "pact.declaredUnit"});
      declared_amount = study.amount * conversion_factor(*from, *to, ErrorContext{study.file, 0, 0, "pact.declaredUnit"});
    }
  }
  const Split G = split_of(data["gate"]);
  const double du = declared_amount;
  json per_du = {{"declared_unit", declared_unit.empty() ? ref_unit : declared_unit},
                 {"declared_units_per_functional_unit", du},
                 {"boundary", "cradle-to-gate (the product demand; use and end-of-life demands excluded)"},
                 {"pCfExcludingBiogenic", G.excluding_biogenic_co2() / du},
                 {"pCfIncludingBiogenic", G.total / du},
                 {"fossilGhgEmissions", G.fossil / du},
                 {"dLucGhgEmissions", G.luc / du},
                 {"otherBiogenicGhgEmissions", G.bio_other / du},
                 {"biogenic_co2_emissions", G.bio_co2_emissions / du},
                 {"biogenic_co2_removals", G.bio_co2_removals / du}};
  // biogenic carbon content: the study's figure, else the net biogenic CO2 taken up before the gate
  double bcc = 0;
  if (pp.contains("biogenicCarbonContent")) {
    bcc = pp["biogenicCarbonContent"].get<double>();
  } else {
    const double net = (G.bio_co2_emissions + G.bio_co2_removals) / du;
    bcc = net < 0 ? -net / kCarbonToCo2 : 0.0;
    pact_notes.push_back(fmt::format("biogenicCarbonContent is estimated from the net biogenic CO2 uptake up to the "
                                     "gate ({} kg CO2 per {} = {} kg C); set pact.biogenicCarbonContent from the "
                                     "product's composition when known",
                                     num(-net), per_du["declared_unit"].get<std::string>(), num(bcc)));
  }
  per_du["biogenicCarbonContent"] = bcc;
  per_du["biogenicCarbonWithdrawal"] = bcc > 0 ? -bcc * kCarbonToCo2 : 0.0;
  if (pp.contains("fossilCarbonContent")) per_du["fossilCarbonContent"] = pp["fossilCarbonContent"].get<double>();

  json pact;
  pact["specVersion"] = kPactSpecVersion;
  if (pp.contains("precedingPfIds")) pact["precedingPfIds"] = pp["precedingPfIds"];
  pact["version"] = pp.value("version", int64_t{0});
  pact["created"] = pp.value("created", now_utc());
  pact["status"] = "Active";
  if (pp.contains("validityPeriodStart")) pact["validityPeriodStart"] = pp["validityPeriodStart"];
  if (pp.contains("validityPeriodEnd")) pact["validityPeriodEnd"] = pp["validityPeriodEnd"];
  for (const char* k : {"companyName", "companyIds"}) {
    if (pp.contains(k)) pact[k] = pp[k];
    else pact_missing.push_back(k);
  }
  pact["productDescription"] =
      pp.value("productDescription", fmt::format("{} ({}), modelled with '{}' of database '{}'", study.functional_unit,
                                                 product["flow"].get<std::string>(),
                                                 product["process"].get<std::string>(), db.name));
  if (pp.contains("productIds")) pact["productIds"] = pp["productIds"];
  else pact_missing.push_back("productIds");
  if (pp.contains("productCategoryCpc")) pact["productCategoryCpc"] = pp["productCategoryCpc"];
  else pact_missing.push_back("productCategoryCpc");
  pact["productNameCompany"] = pp.value("productNameCompany", product["flow"].get<std::string>().empty()
                                                           ? study.name
                                                           : product["flow"].get<std::string>());
  pact["comment"] = pp.value(
      "comment", fmt::format("{}. Calculated by panocarbon {} from the unit processes of '{}' with {} ({}); allocation: "
                             "{}; biogenic CO2 by the -1/+1 approach; figures are cradle-to-gate per declared unit.",
                             study.name, PANOCARBON_VERSION, db.name, method.name, study.gwp_set,
                             std::string(to_string(study.allocation))));
  json pcf;
  pcf["declaredUnit"] = declared_unit;
  if (declared_unit.empty()) pcf.erase("declaredUnit");
  pcf["unitaryProductAmount"] =
      pact_decimal(pp.contains("unitaryProductAmount") ? pp["unitaryProductAmount"].get<double>() : 1.0);
  pcf["pCfExcludingBiogenic"] = pact_decimal(per_du["pCfExcludingBiogenic"].get<double>());
  pcf["pCfIncludingBiogenic"] = pact_decimal(per_du["pCfIncludingBiogenic"].get<double>());
  pcf["fossilGhgEmissions"] = pact_decimal(per_du["fossilGhgEmissions"].get<double>());
  if (per_du.contains("fossilCarbonContent")) pcf["fossilCarbonContent"] = pact_decimal(per_du["fossilCarbonContent"].get<double>());
  else pact_missing.push_back("pcf.fossilCarbonContent");
  pcf["biogenicCarbonContent"] = pact_decimal(bcc);
  pcf["dLucGhgEmissions"] = pact_decimal(per_du["dLucGhgEmissions"].get<double>());
  pcf["otherBiogenicGhgEmissions"] = pact_decimal(per_du["otherBiogenicGhgEmissions"].get<double>());
  pcf["biogenicCarbonWithdrawal"] = pact_decimal(per_du["biogenicCarbonWithdrawal"].get<double>());
  if (study.gwp_set == "AR6" || study.gwp_set == "AR5") pcf["characterizationFactors"] = study.gwp_set;
  else pact_notes.push_back("characterizationFactors (deprecated in 2.2.0) allows only AR5 or AR6 and is left out for " + study.gwp_set);
  pcf["ipccCharacterizationFactorsSources"] = json::array({study.gwp_set});
  pcf["crossSectoralStandardsUsed"] =
      pp.value("crossSectoralStandardsUsed", json::array({"ISO Standard 14067", "GHG Protocol Product standard"}));
  if (pp.contains("productOrSectorSpecificRules")) pcf["productOrSectorSpecificRules"] = pp["productOrSectorSpecificRules"];
  pcf["biogenicAccountingMethodology"] = pp.value("biogenicAccountingMethodology", std::string("ISO"));
  {
    std::string boundary;
    if (pp.contains("boundaryProcessesDescription")) {
      boundary = pp["boundaryProcessesDescription"].get<std::string>();
    } else {
      std::vector<std::string> parts;
      for (const auto& st : data["interpretation"]["stages"]) {
        const auto& all = st["process_names"];
        if (all.empty()) continue;
        std::vector<std::string> names;
        for (size_t k = 0; k < all.size() && k < 5; ++k) names.push_back(all[k].get<std::string>());
        if (all.size() > 5) names.push_back(fmt::format("and {} more", all.size() - 5));
        parts.push_back(fmt::format("{}: {}", st["stage"].get<std::string>(), join(names, "; ")));
      }
      boundary = fmt::format("{} of {} ({} processes). ", study.system_boundary, study.functional_unit,
                             data["inventory"]["processes_in_system"].get<size_t>()) +
                 join(parts, ". ");
    }
    pcf["boundaryProcessesDescription"] = boundary;
  }
  if (!study.period_start.empty()) {
    pcf["referencePeriodStart"] = is_date(study.period_start) ? study.period_start + "T00:00:00Z" : study.period_start;
    pcf["referencePeriodEnd"] = is_date(study.period_end) ? next_day(study.period_end) + "T00:00:00Z" : study.period_end;
  } else {
    pact_missing.push_back("pcf.referencePeriodStart");
    pact_missing.push_back("pcf.referencePeriodEnd");
  }
  {
    const std::string& g = study.geography;
    const auto& regions = pact_regions();
    if (g.size() == 2) pcf["geographyCountry"] = g;
    else if (g.size() > 3 && g[2] == '-') pcf["geographyCountrySubdivision"] = g;
    else if (std::find(regions.begin(), regions.end(), g) != regions.end()) pcf["geographyRegionOrSubregion"] = g;
  }
  pcf["secondaryEmissionFactorSources"] = pp.value(
      "secondaryEmissionFactorSources",
      json::array({{{"name", db.name},
                    {"version", db.provenance.is_object() && db.provenance.contains("version") &&
                                        db.provenance["version"].is_string()
                                    ? db.provenance["version"].get<std::string>()
                                    : std::string("as imported")}}}));
  pcf["exemptedEmissionsPercent"] = pp.value("exemptedEmissionsPercent", 0.0);
  pcf["exemptedEmissionsDescription"] = pp.value(
      "exemptedEmissionsDescription",
      unlinked_count ? fmt::format("{} inputs of the system have no provider in the database and are cut off; their "
                                   "emissions are not quantified",
                                   unlinked_count)
                     : std::string());
  pcf["packagingEmissionsIncluded"] = pp.value("packagingEmissionsIncluded", false);
  pcf["allocationRulesDescription"] = pp.value("allocationRulesDescription", alloc_description(study.allocation));
  if (pp.contains("uncertaintyAssessmentDescription")) pcf["uncertaintyAssessmentDescription"] = pp["uncertaintyAssessmentDescription"];
  pcf["primaryDataShare"] = pp.value("primaryDataShare", 0.0);
  if (!pp.contains("primaryDataShare"))
    pact_notes.push_back("primaryDataShare is 0: every figure comes from the background database; set "
                         "pact.primaryDataShare when foreground processes hold the company's own data");
  if (pp.contains("dqi")) pcf["dqi"] = pp["dqi"];
  if (pp.contains("assurance")) pcf["assurance"] = pp["assurance"];
  for (const char* k : {"pCfExcludingBiogenic", "fossilGhgEmissions", "dLucGhgEmissions", "otherBiogenicGhgEmissions"})
    if (per_du[k].get<double>() < 0)
      pact_notes.push_back(fmt::format("{} is negative ({}): PACT v2 requires a value of 0 or more; check avoided "
                                       "products and removals in the data",
                                       k, pcf[k].get<std::string>()));
  pact["pcf"] = pcf;
  // the same study on the same data gives the same id; new data (other figures) give a new one
  pact["id"] = uuid_v5(kUrlNamespace, "panocarbon lca footprint\n" + study.source.dump() + "\n" + db.name + "\n" +
                                          pcf["pCfExcludingBiogenic"].get<std::string>() + "\n" +
                                          pcf["pCfIncludingBiogenic"].get<std::string>());
  if (!pact_missing.empty())
    data["warnings"].push_back("pact.json lacks mandatory PACT fields the study does not give: " + join(pact_missing, ", ") +
                       " (set them in the study's \"pact\" object)");

  data["pact"] = {{"spec_version", kPactSpecVersion}, {"per_declared_unit", per_du}, {"missing", pact_missing},
                  {"notes", pact_notes}};
  return pact;
}

// The report as sections, from the analysis and the PACT footprint.
std::vector<Section> make_document(const Study& study, const json& data, const json& pact) {
  const Split S = split_of(data["impact"]);
  const std::string unit = data["impact"]["unit"].get<std::string>();
  const json& st_ = data["study"];
  const json& inv = data["inventory"];
  const json& itp = data["interpretation"];
  const std::string ref_unit = st_["reference_flow"]["unit"].get<std::string>();
  const json& product = st_["product"];
  const json& dbj = st_["database"];
  const json& pcf = pact["pcf"];
  const json& per_du = data["pact"]["per_declared_unit"];
  const size_t unlinked_count = inv["unlinked_inputs"]["count"].get<size_t>();
  const json& unlinked = inv["unlinked_inputs"]["items"];
  const json& dq_j = inv["data_quality"];
  const std::vector<std::string> unmapped = inv["flow_mapping"]["unmapped_ghg_in_system"];
  const std::vector<std::string> notes_in_system = inv["linking_notes"];
  const std::vector<std::string> warnings = data["warnings"];
  const std::vector<std::string> pact_notes = data["pact"]["notes"];
  const std::vector<std::string> pact_missing = data["pact"]["missing"];
  const size_t active = inv["processes_in_system"].get<size_t>();
  const double hot_sum = itp["hot_spots_total"].get<double>();
  std::vector<Section> doc;
  const std::string fu = study.functional_unit;
  {
    Section s{"Goal and scope", 2, {}};
    if (!study.goal.empty()) s.para(study.goal);
    s.table({{"Item", "Value"},
             {false, false},
             {{"Functional unit", fu},
              {"Reference flow", fmt::format("{} {} of {}", qty(study.amount), ref_unit, product["flow"].get<std::string>())},
              {"Product system", fmt::format("{} ({}, {})", product["process"].get<std::string>(),
                                             product["location"].get<std::string>(),
                                             product["process_id"].get<std::string>())},
              {"Database", fmt::format("{} ({}; {} processes)", dbj["name"].get<std::string>(),
                                       dbj["format"].get<std::string>(), dbj["processes"].get<size_t>())},
              {"System boundary", study.system_boundary},
              {"Allocation", std::string(to_string(study.allocation)) + ": " + alloc_description(study.allocation)},
              {"Impact method", fmt::format("{}; GWP set {} ({})", st_["method"]["name"].get<std::string>(), study.gwp_set,
                                            st_["method"]["source"].get<std::string>())},
              {"Cut-off (hot spots and tree)", pct(study.cutoff)},
              {"Reference period",
               study.period_start.empty() ? std::string("not given") : study.period_start + " to " + study.period_end},
              {"Geography", study.geography.empty() ? std::string("not given") : study.geography},
              {"Standards", "ISO 14067:2018; GHG Protocol Product Life Cycle Accounting and Reporting Standard (2011)"}}});
    doc.push_back(std::move(s));
  }
  {
    Section s{"Results", 2, {}};
    s.para(fmt::format("Carbon footprint per functional unit ({}), {} GWP100, in {}.", fu, study.gwp_set, unit));
    Table t{{"Quantity", unit}, {false, true}, {}};
    t.rows = {{"Total carbon footprint (including biogenic CO2)", num(S.total)},
              {"Excluding biogenic CO2 emissions and removals", num(S.excluding_biogenic_co2())},
              {"Fossil and dLUC only (excluding all biogenic GHG)", num(S.fossil_and_luc())},
              {"Fossil GHG emissions and removals", num(S.fossil)},
              {"Biogenic GHG emissions and removals", num(S.biogenic)},
              {"  biogenic CO2 emissions", num(S.bio_co2_emissions)},
              {"  biogenic CO2 removals", num(S.bio_co2_removals)},
              {"  other biogenic GHG (CH4 ...)", num(S.bio_other)},
              {"Direct land-use change (dLUC)", num(S.luc)}};
    s.table(t);
    if (std::fabs(S.total - S.fossil - S.biogenic - S.luc) > 1e-9 * std::max(1.0, std::fabs(S.total)))
      s.para(fmt::format("Note: {} {} of the total is in no fossil, biogenic or dLUC category.",
                         num(S.total - S.fossil - S.biogenic - S.luc), unit));
    if (itp["demands"].size() > 1) {
      Table d{{"Demand", "Process", "Amount", unit}, {false, false, true, true}, {}};
      for (const auto& x : itp["demands"])
        d.rows.push_back({x["field"].get<std::string>(), x["process"].get<std::string>(),
                          qty(x["amount"].get<double>()) + " " + x["unit"].get<std::string>(),
                          num(x["total"].get<double>())});
      s.para("Results by demand (each with its whole upstream):");
      s.table(d);
    }
    doc.push_back(std::move(s));
  }
  {
    Section s{"Inventory", 2, {}};
    s.para(fmt::format("The product system links {} providers of database '{}'; {} processes contribute (non-zero "
                       "scaling). Solver: {}, relative residual {}.",
                       inv["providers"].get<size_t>(), dbj["name"].get<std::string>(), active,
                       inv["solver"]["name"].get<std::string>(), num(inv["solver"]["residual"].get<double>())));
    std::vector<std::string> src;
    for (const auto& x : inv["data_sources"]) {
      std::string line = x["process"].get<std::string>();
      if (!x["location"].get<std::string>().empty()) line += " (" + x["location"].get<std::string>() + ")";
      std::vector<std::string> parts;
      for (const auto& [k, v] : x["documentation"].items()) parts.push_back(k + ": " + v.get<std::string>());
      if (!parts.empty()) line += " - " + join(parts, "; ");
      src.push_back(line);
    }
    Section sub{"Data sources", 3, {}};
    sub.para(fmt::format("Database '{}' ({}). Documentation of the product's process and of the main contributors:",
                         dbj["name"].get<std::string>(), dbj["format"].get<std::string>()));
    sub.list(src);
    doc.push_back(std::move(s));
    doc.push_back(std::move(sub));
    Section ul{"Unlinked inputs (cut-offs)", 3, {}};
    if (unlinked_count == 0) {
      ul.para("Every product input of the processes in the system is linked to a provider.");
    } else {
      ul.para(fmt::format("{} product input(s) of processes in the system have no provider in the database; they are "
                          "cut off (amounts per unit of the consuming process's reference product){}.",
                          unlinked_count, unlinked_count > unlinked.size() ? ", the first 100 shown" : ""));
      Table t{{"Process", "Input", "Amount"}, {false, false, true}, {}};
      for (const auto& x : unlinked)
        t.rows.push_back({x["process"].get<std::string>(), x["flow"].get<std::string>(),
                          qty(x["amount"].get<double>()) + " " + x["unit"].get<std::string>()});
      ul.table(t);
    }
    doc.push_back(std::move(ul));
    Section dq{"Data quality", 3, {}};
    dq.para(fmt::format("{} exchanges in the contributing processes; {} carry pedigree scores, {} an uncertainty "
                        "distribution.",
                        dq_j["exchanges"].get<size_t>(), dq_j["with_pedigree"].get<size_t>(),
                        dq_j["with_uncertainty"].get<size_t>()));
    if (dq_j["with_pedigree"].get<size_t>() > 0) {
      Table t{{"Pedigree indicator (1 best - 5 worst)", "Exchanges", "Mean", "Min", "Max"},
              {false, true, true, true, true}, {}};
      for (const auto& x : dq_j["pedigree"])
        t.rows.push_back({x["indicator"].get<std::string>(), std::to_string(x["exchanges"].get<size_t>()),
                          x["mean"].is_null() ? "-" : fmt::format("{:.2f}", x["mean"].get<double>()),
                          x["min"].is_null() ? "-" : std::to_string(x["min"].get<int>()),
                          x["max"].is_null() ? "-" : std::to_string(x["max"].get<int>())});
      dq.table(t);
    } else {
      dq.para("The database gives no pedigree scores for these exchanges.");
    }
    if (!unmapped.empty()) {
      dq.para("Greenhouse-gas flows without a characterisation factor (waived by the study):");
      dq.list(unmapped);
    }
    if (!notes_in_system.empty()) {
      std::vector<std::string> notes(notes_in_system.begin(),
                                     notes_in_system.begin() + std::min<std::ptrdiff_t>(30, std::ssize(notes_in_system)));
      if (notes_in_system.size() > 30) notes.push_back(fmt::format("... and {} more", notes_in_system.size() - 30));
      dq.para("Linking and allocation notes of the processes in the system:");
      dq.list(notes);
    }
    doc.push_back(std::move(dq));
  }
  {
    Section s{"Interpretation", 2, {}};
    doc.push_back(std::move(s));
    Section st{"Contribution by life-cycle stage", 3, {}};
    st.para("Direct emissions of the processes assigned to each stage (each process's own exchanges, scaled to the "
            "functional unit); the stages sum to the total.");
    Table t{{"Stage", "Processes", "Total", "Fossil", "Biogenic", "dLUC", "Share"},
            {false, true, true, true, true, true, true}, {}};
    std::vector<Bar> bars;
    double maxabs = 0;
    for (const auto& x : itp["stages"]) maxabs = std::max(maxabs, std::fabs(x["total"].get<double>()));
    for (const auto& x : itp["stages"]) {
      t.rows.push_back({x["stage"].get<std::string>(), std::to_string(x["processes"].get<size_t>()),
                        num(x["total"].get<double>()), num(x["fossil"].get<double>()), num(x["biogenic"].get<double>()),
                        num(x["luc"].get<double>()), pct(x["share"].get<double>())});
      bars.push_back({x["stage"].get<std::string>(), num(x["total"].get<double>()) + " " + unit,
                      maxabs > 0 ? x["total"].get<double>() / maxabs : 0.0});
    }
    t.rows.push_back({"Total", std::to_string(active), num(S.total), num(S.fossil), num(S.biogenic), num(S.luc),
                      pct(S.total != 0 ? 1.0 : 0.0)});
    st.table(t);
    st.bars(bars);
    doc.push_back(std::move(st));
    Section hs{"Hot spots", 3, {}};
    hs.para(fmt::format("Processes whose direct contribution is at least {} of the total, largest first (at most 50).",
                        pct(study.cutoff)));
    Table h{{"Process", "Location", "Stage", unit, "Share"}, {false, false, false, true, true}, {}};
    for (const auto& x : itp["hot_spots"])
      h.rows.push_back({x["process"].get<std::string>(), x["location"].get<std::string>(), x["stage"].get<std::string>(),
                        num(x["amount"].get<double>()), pct(x["share"].get<double>())});
    h.rows.push_back({"All other processes", "", "", num(S.total - hot_sum), pct(S.total != 0 ? (S.total - hot_sum) / S.total : 0.0)});
    hs.table(h);
    doc.push_back(std::move(hs));
    Section tr{"Upstream tree", 3, {}};
    tr.para(fmt::format("Supply chain of the product (cradle-to-gate), branches of at least {} of its total, up to {} "
                        "levels. Totals include each branch's upstream.",
                        pct(study.cutoff), study.max_depth));
    Table tt{{"Level", "Process", "Amount", "Total " + unit, "Share"}, {true, false, true, true, true}, {}};
    for (const auto& x : itp["tree"])
      tt.rows.push_back({std::to_string(x["depth"].get<int>()),
                         std::string(static_cast<size_t>(2 * x["depth"].get<int>()), ' ') + x["process"].get<std::string>(),
                         qty(x["amount"].get<double>()) + " " + x["unit"].get<std::string>(), num(x["total"].get<double>()),
                         pct(x["share"].get<double>())});
    tr.table(tt);
    doc.push_back(std::move(tr));
    Section sa{"Sensitivity to the allocation method", 3, {}};
    if (study.allocation_sensitivity.empty()) {
      sa.para("The study names no alternative allocation methods (allocation_sensitivity).");
    } else {
      sa.para("The whole system re-run with each alternative allocation method (a sensitivity analysis is required "
              "where several allocation procedures seem applicable: ISO 14044:2006 4.3.4.1, applied by ISO 14067).");
      Table a{{"Allocation", "Total " + unit, "Fossil", "Biogenic", "dLUC", "Change"}, {false, true, true, true, true, true}, {}};
      for (const auto& x : itp["allocation_sensitivity"]) {
        const std::string name = x["allocation"].get<std::string>() + (x["base"].get<bool>() ? " (study)" : "");
        if (x.contains("error")) {
          a.rows.push_back({name, "-", "-", "-", "-", "failed: " + x["error"].get<std::string>()});
          continue;
        }
        a.rows.push_back({name, num(x["total"].get<double>()), num(x["fossil"].get<double>()),
                          num(x["biogenic"].get<double>()), num(x["luc"].get<double>()),
                          fmt::format("{:+.1f} %", x["change_percent"].get<double>())});
      }
      sa.table(a);
    }
    doc.push_back(std::move(sa));
    Section un{"Uncertainty", 3, {}};
    un.para(data["interpretation"]["uncertainty"].get<std::string>());
    doc.push_back(std::move(un));
  }
  {
    Section s{"Limitations", 2, {}};
    s.list(data["limitations"].get<std::vector<std::string>>());
    doc.push_back(std::move(s));
  }
  {
    Section s{"PACT ProductFootprint", 2, {}};
    s.para(fmt::format("pact.json follows the PACT Technical Specifications for PCF Data Exchange v{} (cradle-to-gate, "
                       "per declared unit: {}).",
                       kPactSpecVersion, per_du["declared_unit"].get<std::string>()));
    Table t{{"Field", "Value"}, {false, true}, {}};
    for (const char* k : {"pCfExcludingBiogenic", "pCfIncludingBiogenic", "fossilGhgEmissions", "dLucGhgEmissions",
                          "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal", "biogenicCarbonContent",
                          "fossilCarbonContent"})
      if (pcf.contains(k)) t.rows.push_back({k, pcf[k].get<std::string>()});
    s.table(t);
    std::vector<std::string> notes = pact_notes;
    if (!pact_missing.empty())
      notes.insert(notes.begin(), "pact.json lacks mandatory fields: " + join(pact_missing, ", "));
    if (!notes.empty()) s.list(notes);
    doc.push_back(std::move(s));
  }
  if (!warnings.empty()) {
    Section s{"Warnings", 2, {}};
    s.list(warnings);
    doc.push_back(std::move(s));
  }

  return doc;
}

}  // namespace

FootprintReport make_footprint(const Study& study, const Database& db) {
  return make_footprint(study, db, builtin_gwp_method(study.gwp_set));
}

FootprintReport make_footprint(const Study& study, const Database& db, const Method& method) {
  FootprintReport rep;
  rep.data = analyse(study, db, method);
  rep.pact = make_pact(study, db, method, rep.data);
  // the figures the run log keeps
  rep.data["results"] = rep.data["impact"];
  rep.data["results"]["pact_id"] = rep.pact["id"];
  rep.data["results"]["pCfExcludingBiogenic"] = rep.pact["pcf"]["pCfExcludingBiogenic"];
  rep.data["results"]["pCfIncludingBiogenic"] = rep.pact["pcf"]["pCfIncludingBiogenic"];
  const std::vector<Section> doc = make_document(study, rep.data, rep.pact);
  const std::string title = "Product carbon footprint: " + study.name;
  rep.markdown = render_markdown(title, doc);
  rep.html = render_html(title, doc);
  return rep;
}

void write_footprint(const FootprintReport& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw Error(ErrorCategory::Io, fmt::format("cannot create the output folder: {}", ec.message()),
                ErrorContext{dir.string()});
  const auto put = [&](const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir / name;
    const std::filesystem::path tmp = dir / (name + ".tmp");
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.close();
      if (!out) throw Error(ErrorCategory::Io, "cannot write the file: check space and permissions", ErrorContext{tmp.string()});
    }
    std::filesystem::rename(tmp, p, ec);
    if (ec) throw Error(ErrorCategory::Io, "cannot replace the file: " + ec.message(), ErrorContext{p.string()});
  };
  put("report.md", report.markdown);
  put("report.html", report.html);
  put("pact.json", report.pact.dump(2) + "\n");
}

}  // namespace panocarbon::lca
