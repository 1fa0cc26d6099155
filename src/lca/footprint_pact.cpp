// Product carbon footprint: the PACT Technical Specifications v2.2.0 ProductFootprint (pact.json) of a study,
// cradle-to-gate per declared unit, and its text helpers (pact_decimal, uuid_v5).
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "lca/footprint_internal.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon::lca {

using namespace detail;

namespace {
using nlohmann::json;

// Footprint ids are RFC 4122 name-based (version 5) UUIDs in the standard URL namespace (RFC 4122 appendix C);
// every name starts with "panocarbon lca footprint".
constexpr const char* kUrlNamespace = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
// Molar masses (IUPAC 2021 standard atomic weights, conventional values): C 12.011, O 15.999.
constexpr double kCarbonToCo2 = 44.009 / 12.011;

std::string next_day(const std::string& date) {
  using namespace std::chrono;
  const year_month_day d{year{std::stoi(date.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                         day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  const year_month_day n{sys_days{d} + days{1}};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(n.year()), static_cast<unsigned>(n.month()),
                     static_cast<unsigned>(n.day()));
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

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

const std::vector<std::string>& detail::pact_regions() {
  static const std::vector<std::string> r = {
      "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand", "Central Asia", "Eastern Asia",
      "Eastern Europe", "Latin America and the Caribbean", "Melanesia", "Micronesia", "Northern Africa",
      "Northern America", "Northern Europe", "Polynesia", "South-eastern Asia", "Southern Asia", "Southern Europe",
      "Sub-Saharan Africa", "Western Asia", "Western Europe"};
  return r;
}

std::string pact_decimal(double v) {
  if (!std::isfinite(v)) throw Error(ErrorCategory::Internal, "a footprint figure is not finite");
  if (v == 0) return "0";
  char buf[512];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
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

// The PACT ProductFootprint of the product demand (cradle-to-gate), per declared unit; records the figures,
// the missing mandatory fields and the notes in data["pact"].
json detail::make_pact(const Study& study, const Database& db, const Method& method, json& data) {
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

}  // namespace panocarbon::lca
