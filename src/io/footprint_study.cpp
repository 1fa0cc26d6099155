// Product carbon footprint: the study file (goal and scope, JSON) read into an lca::Study, with the checks of
// its "pact" block against the PACT v2.2.0 data model. Format: docs/lca-footprint.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/text.hpp"
#include "lca/footprint_internal.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"

namespace panocarbon::lca {

using namespace detail;

namespace {
using nlohmann::json;

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

}  // namespace

bool detail::is_date(const std::string& s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2))
    return false;
  const std::chrono::year_month_day d{std::chrono::year{std::stoi(s.substr(0, 4))},
                                      std::chrono::month{static_cast<unsigned>(std::stoi(s.substr(5, 2)))},
                                      std::chrono::day{static_cast<unsigned>(std::stoi(s.substr(8, 2)))}};
  return d.ok();
}

namespace {

// "YYYY-MM-DDThh:mm:ss[.fff]Z" (UTC, as the PACT specification asks)
bool is_datetime_utc(const std::string& s) {
  if (s.size() < 20 || !is_date(s.substr(0, 10)) || s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' ||
      !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2) || s.back() != 'Z')
    return false;
  if (s.size() == 20) return true;
  return s[19] == '.' && s.size() > 21 && digits(s, 20, s.size() - 21);
}

const std::vector<std::string>& pact_declared_units() {
  static const std::vector<std::string> u = {"liter",      "kilogram",      "cubic meter", "kilowatt hour",
                                             "megajoule",  "ton kilometer", "square meter"};
  return u;
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
  } catch (const json::exception& e) {  // a number beyond a double (1e400): out_of_range, not parse_error
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the study holds a number a double cannot hold ({}); write it within +-1.7e308", e.what()),
                ErrorContext{path.string(), line_of_quoted(text, e.what())});
  }
  return parse_study(j, path.string());
}

}  // namespace panocarbon::lca
