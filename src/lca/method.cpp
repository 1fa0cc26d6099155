// LCIA methods (the built-in IPCC 2021 GWP100 method and openLCA's reference CSV) and the mapping of their
// factors to a database's elementary flows: by flow id, then by name + compartment, then by CAS.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/embedded.hpp"
#include "core/csv.hpp"
#include "lca/units.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::lca {

Method builtin_gwp_method(const std::string& gwp_set) {
  const GwpSet& set = GwpTable::builtin().set(gwp_set);
  Method m;
  m.name = "IPCC 2021 GWP100";
  if (set.name != "AR6") m.name += " (" + set.name + " values)";
  m.source = "panocarbon data/lcia_ipcc2021_gwp100.csv with " + set.document + " GWP100";
  m.sign = FactorSign::NetEmission;
  const char* names[] = {"total", "fossil", "biogenic", "luc"};
  for (const char* n : names) m.categories.push_back({n, "kg CO2e", {}});
  io::CsvReader r(detail::embedded_file("lcia_ipcc2021_gwp100.csv"), "data/lcia_ipcc2021_gwp100.csv");
  r.next();  // header
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 7) throw Error(ErrorCategory::Data, "method row needs 7 fields", r.context());
    CharacterisationFactor cf;
    cf.flow_name = std::string(f[0]);
    cf.compartment = std::string(f[1]);
    cf.cas = std::string(f[2]);
    const std::string category(f[3]);
    std::string gas(f[4]);
    // AR4 and AR5 have one CH4 value: use it for fossil and non-fossil methane alike
    if (!set.has(gas) && gas.rfind("CH4", 0) == 0) gas = "CH4";
    double sign = 0;
    if (!io::parse_double(f[5], sign)) throw Error(ErrorCategory::Data, "sign is not a number", r.context(6, "sign"));
    cf.value = sign * set.of(gas);
    cf.match_by_cas = f[6] == "1";
    m.categories[0].factors.push_back(cf);
    for (size_t k = 1; k < 4; ++k)
      if (category == names[k]) m.categories[k].factors.push_back(cf);
  }
  return m;
}


Method read_method_csv(const std::string& path, const std::string& name) {
  const std::string text = read_file(path);
  io::CsvReader r(text, path);
  if (!r.next() || r.fields().size() < 6 || r.fields()[0] != "LCIA category")
    throw Error(ErrorCategory::InvalidInput,
                path + " is not an openLCA factor CSV: the header must be 'LCIA category,Flow,Flow property,Flow "
                       "unit,Location,Factor'",
                ErrorContext{path, 1});
  Method m;
  m.source = path;
  std::map<std::string, size_t> cat_ix;
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 6)
      throw Error(ErrorCategory::InvalidInput, "row has fewer than 6 fields: expected category,flow,property,unit,location,factor",
                  r.context());
    double v = 0;
    if (!io::parse_double(f[5], v) || !std::isfinite(v))
      throw Error(ErrorCategory::InvalidInput,
                  "factor '" + std::string(f[5]) + "' is not a finite number: give the factor as a finite decimal number",
                  r.context(6, "Factor"));
    // factors per g, t, kWh, ... to per canonical unit (kg, MJ, m3, ...), as the readers store amounts
    const units::LcaUnit* unit = units::find(f[3]);
    if (!unit)
      throw Error(ErrorCategory::Unit,
                  "unit '" + std::string(f[3]) + "' is not a known LCA unit (kg, g, t, MJ, kWh, m3, l, ...)",
                  r.context(4, "Flow unit"));
    const double scale = unit->factor;
    const std::string cat(f[0]);
    auto [it, fresh] = cat_ix.emplace(cat, m.categories.size());
    if (fresh) m.categories.push_back({cat, "kg CO2e", {}});
    CharacterisationFactor cf;
    cf.flow_id = std::string(f[1]);
    cf.value = v / scale;
    cf.match_by_cas = false;
    m.categories[it->second].factors.push_back(cf);
  }
  m.name = name.empty() ? std::filesystem::path(path).stem().string() : name;
  if (m.categories.size() == 1) m.categories[0].name = m.name;
  return m;
}

FlowMapping map_flows(const Database& db, const Method& method) {
  FlowMapping out;
  out.sign = method.sign;
  const size_t nf = db.flows.size();
  out.factors.assign(method.categories.size(), std::vector<double>(nf, 0.0));
  std::vector<std::string> kind(nf), nname(nf), cas(nf);
  for (size_t i = 0; i < nf; ++i) {
    const Flow& f = db.flows[i];
    if (f.type != FlowType::Elementary) continue;
    kind[i] = compartment_kind(f.compartment);
    nname[i] = normalise_name(f.name);
    cas[i] = normalise_cas(f.cas);
  }
  // compatible compartments: equal, or either unknown (an unknown database compartment is taken as air)
  const auto compatible = [](const std::string& factor_kind, const std::string& flow_kind) {
    if (factor_kind.empty() || factor_kind == flow_kind) return true;
    return flow_kind.empty() && factor_kind == "air";
  };
  std::vector<char> any(nf, 0), how(nf, 0);  // how: 1 id, 2 name, 3 cas
  // Pass 0 matches by id and by name in every category; pass 1 by CAS, only the flows that no category knows
  // by id or name (a biogenic CO2 flow known to the biogenic category must not get the fossil category's
  // CAS factor).
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t k = 0; k < method.categories.size(); ++k) {
      std::unordered_map<std::string, double> by_id;
      std::unordered_map<std::string, std::vector<const CharacterisationFactor*>> by_name, by_cas;
      for (const auto& cf : method.categories[k].factors) {
        if (!cf.flow_id.empty()) by_id[cf.flow_id] = cf.value;
        if (!cf.flow_name.empty()) by_name[normalise_name(cf.flow_name)].push_back(&cf);
        if (!cf.cas.empty() && cf.match_by_cas) by_cas[normalise_cas(cf.cas)].push_back(&cf);
      }
      for (size_t i = 0; i < nf; ++i) {
        if (db.flows[i].type != FlowType::Elementary) continue;
        double v = 0;
        char h = 0;
        if (pass == 0) {
          if (const auto it = by_id.find(db.flows[i].id); it != by_id.end()) {
            v = it->second;
            h = 1;
          }
          if (!h)
            if (const auto it = by_name.find(nname[i]); it != by_name.end())
              for (const auto* cf : it->second)
                if (compatible(cf->compartment, kind[i]) &&
                    (cf->cas.empty() || cas[i].empty() || normalise_cas(cf->cas) == cas[i])) {
                  v = cf->value;
                  h = 2;
                  break;
                }
        } else if ((how[i] == 0 || how[i] == 3) && !cas[i].empty()) {
          if (const auto it = by_cas.find(cas[i]); it != by_cas.end()) {
            // only when every CAS candidate of a compatible compartment agrees
            std::set<double> values;
            for (const auto* cf : it->second)
              if (compatible(cf->compartment, kind[i])) values.insert(cf->value);
            if (values.size() == 1) {
              v = *values.begin();
              h = 3;
            }
          }
        }
        if (h) {
          out.factors[k][i] = v;
          any[i] = 1;
          if (!how[i]) how[i] = h;
        }
      }
    }
  }
  static const std::set<std::string> ghg_cas = {"124-38-9", "74-82-8", "10024-97-2", "2551-62-4", "7783-54-2"};
  for (size_t i = 0; i < nf; ++i) {
    if (db.flows[i].type != FlowType::Elementary) continue;
    if (how[i] == 1) ++out.by_id;
    if (how[i] == 2) ++out.by_name;
    if (how[i] == 3) ++out.by_cas;
    if (any[i]) continue;
    const bool looks_ghg = ghg_cas.count(cas[i]) > 0 || nname[i].rfind("carbon dioxide", 0) == 0 ||
                           nname[i] == "methane" || nname[i].rfind("methane, fossil", 0) == 0 ||
                           nname[i].rfind("methane, biogenic", 0) == 0 || nname[i] == "dinitrogen monoxide" ||
                           nname[i] == "nitrous oxide";
    // CO2 to water/soil (dissolved) is not a GHG emission
    if (looks_ghg && (kind[i] == "air" || kind[i].empty() || kind[i] == "resource"))
      out.unmapped_ghg.push_back(static_cast<int32_t>(i));
  }
  return out;
}

}  // namespace panocarbon::lca
