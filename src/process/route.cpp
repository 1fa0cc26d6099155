// Route models (docs/process.md "Route models and simulation"): parsing and validation with JSON pointers,
// parameters and expressions, overrides, the network's linear balance, the three scopes and the unit mass
// balances.
#include "panocarbon/process.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/gwp.hpp"
#include "core/text.hpp"
#include "process/route_expr.hpp"

namespace panocarbon::process {

namespace {

using json = nlohmann::json;
using detail::suggestion;

constexpr const char* kFormat = "panocarbon.route/1";
constexpr size_t kMaxUnits = 1000;  // the dense solve is O(n^3): 1000 units take well under a second

std::string escape_key(std::string_view k) {
  std::string out;
  for (char c : k) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}
std::string at(const std::string& pointer, std::string_view key) { return pointer + "/" + escape_key(key); }
std::string at(const std::string& pointer, size_t i) { return pointer + "/" + std::to_string(i); }

[[noreturn]] void fail(const std::string& file, const std::string& pointer, const std::string& message) {
  throw Error(ErrorCategory::InvalidInput, message, ErrorContext{file, 0, 0, pointer.empty() ? "/" : pointer});
}

std::vector<std::string> keys_of(const json& obj) {
  std::vector<std::string> k;
  if (obj.is_object())
    for (const auto& [key, _] : obj.items()) k.push_back(key);
  return k;
}

const char* type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

// Checks that an object has only the allowed keys and every required one.
void check_keys(const json& obj, const std::string& pointer, const std::string& file, const std::string& what,
                const std::vector<std::string>& required, const std::vector<std::string>& optional) {
  if (!obj.is_object()) fail(file, pointer, fmt::format("{} must be an object, not {}", what, type_name(obj)));
  std::vector<std::string> allowed = required;
  allowed.insert(allowed.end(), optional.begin(), optional.end());
  for (const auto& [k, _] : obj.items())
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      fail(file, at(pointer, k),
           fmt::format("{} has no field '{}'{}", what, clip_input(k, 60), suggestion(k, allowed)));
  for (const auto& r : required)
    if (!obj.contains(r)) fail(file, at(pointer, r), fmt::format("{} lacks its required field '{}'", what, r));
}

const std::string& need_string(const json& j, const std::string& pointer, const std::string& file) {
  if (!j.is_string() || j.get_ref<const std::string&>().empty())
    fail(file, pointer, fmt::format("expected a non-empty string, not {}", type_name(j)));
  return j.get_ref<const std::string&>();
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

void need_identifier(std::string_view s, const std::string& pointer, const std::string& file, const char* what) {
  if (!is_identifier(s))
    fail(file, pointer,
         fmt::format("{} '{}' is not a name: use letters, digits, '_' and '-' (at most 64, starting with a letter)",
                     what, clip_input(s, 60)));
}

// ---- the resolved model ------------------------------------------------------------------------------------------

struct RCommodity {
  std::string name, unit, kind;  // kind: commodity | precursor
  double t_per_unit = kNaN;      // NaN: not a mass
  double embedded = 0;           // precursors: t CO2e per unit
};

struct RFuel {
  std::string name, unit;
  double gj_per_unit = 0;                                  // 1 for GJ, 1000 for TJ, 0.001 for MJ, 0 for other units
  std::vector<std::pair<std::string, double>> t_per_unit;  // gas -> t per unit of fuel
  double t_mass = kNaN;   // t of fuel per unit (information only; fuels burned are outside the mass balance)
  bool biogenic = false;  // its CO2 is a memo item (biogenic_co2_t), not direct
  double bio_co2 = 0;     // t CO2 per unit when biogenic
};

struct RUnit {
  std::string id, name, activity_unit, produces, pointer;
  std::vector<std::pair<std::string, double>> inputs, outputs, fuels, emissions, mass_in, mass_out;
  double electricity = 0, capture_rate = 0, capture_elec = 0, capture_fuel_per_t = 0;
  std::string capture_fuel;
  bool emissions_in_mass = true, balanced = true;
  std::string reason;
};

struct Resolved {
  std::string name, product, product_unit, gwp = "AR5";
  double output = 1, grid = 0;
  std::map<std::string, RCommodity> commodities;  // and precursors
  std::map<std::string, RFuel> fuels;
  std::vector<RUnit> units;
  std::vector<std::string> sources, notes;
};

class Resolver {
 public:
  Resolver(const json& doc, const std::string& file) : doc_(doc), file_(file) {}

  Resolved run() {
    Resolved r;
    check_keys(doc_, "", file_, "a route model",
               {"format", "name", "product", "grid_factor_t_per_mwh", "commodities", "units"},
               {"description", "output", "gwp", "parameters", "fuels", "precursors", "sources", "notes"});
    if (!doc_["format"].is_string() || doc_["format"].get<std::string>() != kFormat)
      fail(file_, "/format", fmt::format("the format must be \"{}\" (docs/process.md)", kFormat));
    r.name = need_string(doc_["name"], "/name", file_);
    if (doc_.contains("description")) need_string(doc_["description"], "/description", file_);
    if (doc_.contains("gwp")) {
      r.gwp = need_string(doc_["gwp"], "/gwp", file_);
      try {
        r.gwp = GwpTable::builtin().set(r.gwp).name;
      } catch (const Error& e) {
        fail(file_, "/gwp", e.message());
      }
    }
    gwp_ = &GwpTable::builtin().set(r.gwp);
    for (const char* list : {"sources", "notes"}) {
      if (!doc_.contains(list)) continue;
      const std::string p = std::string("/") + list;
      if (!doc_[list].is_array()) fail(file_, p, fmt::format("{} must be an array of strings", list));
      for (size_t i = 0; i < doc_[list].size(); ++i) {
        const auto& s = need_string(doc_[list][i], at(p, i), file_);
        (std::string(list) == "sources" ? r.sources : r.notes).push_back(s);
      }
    }
    // Parameters (route level).
    if (doc_.contains("parameters")) {
      const auto& ps = doc_["parameters"];
      if (!ps.is_object()) fail(file_, "/parameters", "parameters must be an object of named numbers");
      for (const auto& [k, v] : ps.items()) {
        need_identifier(k, at("/parameters", k), file_, "the parameter");
        if (k == "grid_factor_t_per_mwh" || k == "output")
          fail(file_, at("/parameters", k), fmt::format("'{}' is a field of the route, not a parameter", k));
        route_params_[k] = {&v, at("/parameters", k)};
      }
    }
    r.grid = value(doc_["grid_factor_t_per_mwh"], "/grid_factor_t_per_mwh", nullptr, 0, 100);
    if (doc_.contains("output")) r.output = value(doc_["output"], "/output", nullptr, 0, 1e15);
    if (!(r.output > 0)) fail(file_, "/output", "the output must be greater than 0");
    for (const auto& kv : route_params_) param(kv.first, nullptr);  // every parameter evaluates

    // Commodities, precursors, fuels.
    check_object(doc_["commodities"], "/commodities", "commodities");
    for (const auto& [k, c] : doc_["commodities"].items()) {
      const std::string p = at("/commodities", k);
      need_identifier(k, p, file_, "the commodity");
      check_keys(c, p, file_, "a commodity", {"unit"}, {"t_per_unit", "description", "source"});
      RCommodity rc{k, need_string(c["unit"], at(p, "unit"), file_), "commodity"};
      rc.t_per_unit = mass_factor(c, p, rc.unit);
      collect_source(c);
      r.commodities[k] = rc;
    }
    if (doc_.contains("precursors")) {
      check_object(doc_["precursors"], "/precursors", "precursors");
      for (const auto& [k, c] : doc_["precursors"].items()) {
        const std::string p = at("/precursors", k);
        need_identifier(k, p, file_, "the precursor");
        if (r.commodities.count(k)) fail(file_, p, fmt::format("'{}' is both a commodity and a precursor", k));
        check_keys(c, p, file_, "a precursor", {"unit", "embedded_t_co2e_per_unit"},
                   {"t_per_unit", "description", "source"});
        RCommodity rc{k, need_string(c["unit"], at(p, "unit"), file_), "precursor"};
        rc.t_per_unit = mass_factor(c, p, rc.unit);
        rc.embedded = value(c["embedded_t_co2e_per_unit"], at(p, "embedded_t_co2e_per_unit"), nullptr, 0, 1e6);
        collect_source(c);
        r.commodities[k] = rc;
      }
    }
    if (doc_.contains("fuels")) {
      check_object(doc_["fuels"], "/fuels", "fuels");
      for (const auto& [k, f] : doc_["fuels"].items()) {
        const std::string p = at("/fuels", k);
        need_identifier(k, p, file_, "the fuel");
        if (r.commodities.count(k)) fail(file_, p, fmt::format("'{}' is both a commodity and a fuel", k));
        r.fuels[k] = fuel(f, p, k);
      }
    }
    // Units.
    const auto& us = doc_["units"];
    if (!us.is_array() || us.empty()) fail(file_, "/units", "units must be a non-empty array of units");
    if (us.size() > kMaxUnits)
      fail(file_, "/units",
           fmt::format("a route has at most {} units, this one {}: a larger system is an LCA database or an "
                       "optimisation model (docs/lca.md, docs/process.md)",
                       kMaxUnits, us.size()));
    std::set<std::string> ids;
    for (size_t i = 0; i < us.size(); ++i) {
      RUnit u = unit(us[i], at("/units", i), r);
      if (!ids.insert(u.id).second)
        fail(file_, at(at("/units", i), "id"), fmt::format("unit id '{}' is repeated", u.id));
      r.units.push_back(std::move(u));
    }
    r.product = need_string(doc_["product"], "/product", file_);
    if (!r.commodities.count(r.product) || r.commodities[r.product].kind != "commodity")
      fail(file_, "/product",
           fmt::format("the product '{}' is not a commodity of the route{}", clip_input(r.product, 60),
                       suggestion(r.product, commodity_names(r, false))));
    r.product_unit = r.commodities[r.product].unit;
    for (auto& s : sources_)
      if (std::find(r.sources.begin(), r.sources.end(), s) == r.sources.end()) r.sources.push_back(s);
    return r;
  }

 private:
  struct ParamRef {
    const json* node = nullptr;
    std::string pointer;
  };
  const json& doc_;
  const std::string& file_;
  const GwpSet* gwp_ = nullptr;
  std::map<std::string, ParamRef> route_params_;
  std::map<std::string, double> route_values_;
  std::set<std::string> evaluating_;
  std::vector<std::string> sources_;

  struct UnitScope {
    std::map<std::string, ParamRef> params;
    std::map<std::string, double> values;
    std::string id;
  };

  void check_object(const json& j, const std::string& p, const char* what) {
    if (!j.is_object()) fail(file_, p, fmt::format("{} must be an object keyed by name, not {}", what, type_name(j)));
  }
  void collect_source(const json& j) {
    if (j.is_object() && j.contains("source")) {
      if (!j["source"].is_string()) return;
      const auto& s = j["source"].get_ref<const std::string&>();
      if (!s.empty() && std::find(sources_.begin(), sources_.end(), s) == sources_.end()) sources_.push_back(s);
    }
  }

  std::vector<std::string> param_names(const UnitScope* scope) const {
    std::vector<std::string> n;
    if (scope)
      for (const auto& [k, _] : scope->params) n.push_back(k);
    for (const auto& [k, _] : route_params_) n.push_back(k);
    return n;
  }

  double param(const std::string& name, UnitScope* scope) {
    if (scope) {
      if (auto it = scope->values.find(name); it != scope->values.end()) return it->second;
      if (auto it = scope->params.find(name); it != scope->params.end()) {
        const std::string key = scope->id + "." + name;
        if (!evaluating_.insert(key).second)
          fail(file_, it->second.pointer, fmt::format("the parameter '{}' depends on itself", name));
        const double v = value(*it->second.node, it->second.pointer, scope, -1e300, 1e300);
        evaluating_.erase(key);
        return scope->values[name] = v;
      }
    }
    if (auto it = route_values_.find(name); it != route_values_.end()) return it->second;
    const auto it = route_params_.find(name);
    const std::string key = "route." + name;
    if (!evaluating_.insert(key).second)
      fail(file_, it->second.pointer, fmt::format("the parameter '{}' depends on itself", name));
    const double v = value(*it->second.node, it->second.pointer, nullptr, -1e300, 1e300);
    evaluating_.erase(key);
    return route_values_[name] = v;
  }

  bool has_param(std::string_view name, const UnitScope* scope) const {
    const std::string n(name);
    return (scope && scope->params.count(n)) || route_params_.count(n);
  }

  // A number, an expression, or {"value": number|expression, "source", "unit", "note"}.
  double value(const json& j, const std::string& p, UnitScope* scope, double lo, double hi) {
    double v = 0;
    if (j.is_number()) {
      v = j.get<double>();
    } else if (j.is_string()) {
      detail::NameLookup lookup{[this, scope](std::string_view n) -> std::optional<double> {
                                  if (!has_param(n, scope)) return std::nullopt;
                                  return param(std::string(n), scope);
                                },
                                [this, scope] { return param_names(scope); }};
      v = detail::evaluate(j.get_ref<const std::string&>(), lookup, file_, p);
    } else if (j.is_object()) {
      check_keys(j, p, file_, "a value", {"value"}, {"source", "unit", "note"});
      if (j["value"].is_object()) fail(file_, at(p, "value"), "a value's 'value' is a number or an expression");
      collect_source(j);
      return value(j["value"], at(p, "value"), scope, lo, hi);
    } else {
      fail(
          file_, p,
          fmt::format("expected a number, an expression or {{\"value\": ..., \"source\": ...}}, not {}", type_name(j)));
    }
    if (!std::isfinite(v)) fail(file_, p, "the value is not a finite number");
    if (v < lo || v > hi) fail(file_, p, fmt::format("the value {} is outside [{}, {}]", v, lo, hi));
    return v;
  }

  double mass_factor(const json& c, const std::string& p, const std::string& unit) {
    if (c.contains("t_per_unit")) return value(c["t_per_unit"], at(p, "t_per_unit"), nullptr, 0, 1e6);
    if (unit == "t") return 1;
    if (unit == "kg") return 1e-3;
    return kNaN;
  }

  RFuel fuel(const json& f, const std::string& p, const std::string& name) {
    check_keys(f, p, file_, "a fuel", {"unit"},
               {"co2_factor", "co2_t_per_unit", "ch4_factor", "ch4_t_per_unit", "n2o_factor", "n2o_t_per_unit",
                "t_per_unit", "biogenic", "description", "source"});
    RFuel rf{name, need_string(f["unit"], at(p, "unit"), file_), 0, {}};
    rf.gj_per_unit = rf.unit == "GJ" ? 1 : rf.unit == "TJ" ? 1e3 : rf.unit == "MJ" ? 1e-3 : 0;
    collect_source(f);
    if (f.contains("co2_factor") == f.contains("co2_t_per_unit"))
      fail(file_, at(p, "co2_factor"),
           "a fuel gives its CO2 factor either by 'co2_factor' (an id of the factor library, `panocarbon factors "
           "list`) or by 'co2_t_per_unit' with its source, exactly one of the two");
    for (const auto& [gas, lower] :
         {std::pair<std::string, std::string>{"CO2", "co2"}, {"CH4", "ch4"}, {"N2O", "n2o"}}) {
      const std::string by_id = lower + "_factor", given = lower + "_t_per_unit";
      if (f.contains(by_id) && f.contains(given))
        fail(file_, at(p, by_id), fmt::format("give '{}' or '{}', not both", by_id, given));
      if (f.contains(given)) {
        rf.t_per_unit.emplace_back(gas, value(f[given], at(p, given), nullptr, 0, 1e6));
        continue;
      }
      if (!f.contains(by_id)) continue;
      const std::string q = at(p, by_id);
      const std::string& id = need_string(f[by_id], q, file_);
      const EmissionFactor* ef = FactorLibrary::builtin().find_factor(id);
      if (!ef) {
        std::vector<std::string> ids;
        for (const auto& e : FactorLibrary::builtin().factors())
          if (e.gas == gas && e.unit == "kg/TJ") ids.push_back(e.id);
        fail(file_, q, fmt::format("no emission factor has the id '{}'{}", clip_input(id, 80), suggestion(id, ids)));
      }
      if (ef->gas != gas) fail(file_, q, fmt::format("the factor '{}' is of {}, not {}", id, ef->gas, gas));
      double per_gj = 0;
      if (ef->unit == "kg/TJ")
        per_gj = ef->value / 1e6;
      else if (ef->unit == "t/TJ")
        per_gj = ef->value / 1e3;
      else
        fail(file_, q,
             fmt::format("the factor '{}' is in {}, not per energy (kg/TJ): a fuel's factor applies to GJ burned", id,
                         ef->unit));
      double k = 0;
      if (rf.unit == "GJ")
        k = 1;
      else if (rf.unit == "TJ")
        k = 1e3;
      else if (rf.unit == "MJ")
        k = 1e-3;
      else
        fail(file_, at(p, "unit"),
             fmt::format("a fuel with a library factor is measured in GJ, TJ or MJ (net calorific value), not '{}'",
                         clip_input(rf.unit, 40)));
      rf.t_per_unit.emplace_back(gas, per_gj * k);
      const std::string cite = fmt::format("{} ({}: {} {})", ef->citation.text(), ef->id, ef->value, ef->unit);
      if (std::find(sources_.begin(), sources_.end(), cite) == sources_.end()) sources_.push_back(cite);
    }
    if (f.contains("t_per_unit")) rf.t_mass = value(f["t_per_unit"], at(p, "t_per_unit"), nullptr, 0, 1e6);
    if (f.contains("biogenic")) {
      if (!f["biogenic"].is_boolean()) fail(file_, at(p, "biogenic"), "expected true or false");
      rf.biogenic = f["biogenic"].get<bool>();
    }
    if (rf.biogenic)  // its CO2 leaves the direct scope as a memo item; CH4 and N2O stay in it
      for (auto it = rf.t_per_unit.begin(); it != rf.t_per_unit.end(); ++it)
        if (it->first == "CO2") {
          rf.bio_co2 = it->second;
          rf.t_per_unit.erase(it);
          break;
        }
    return rf;
  }

  std::vector<std::string> commodity_names(const Resolved& r, bool with_precursors) const {
    std::vector<std::string> n;
    for (const auto& [k, c] : r.commodities)
      if (with_precursors || c.kind == "commodity") n.push_back(k);
    return n;
  }

  std::vector<std::pair<std::string, double>> flows(const json& j, const std::string& p, UnitScope& scope,
                                                    const Resolved& r, const char* what, bool precursors_ok) {
    std::vector<std::pair<std::string, double>> out;
    check_object(j, p, what);
    for (const auto& [k, v] : j.items()) {
      const std::string q = at(p, k);
      const auto it = r.commodities.find(k);
      if (it == r.commodities.end() || (!precursors_ok && it->second.kind == "precursor")) {
        const bool is_fuel = r.fuels.count(k) > 0;
        fail(file_, q,
             fmt::format("'{}' is no {} of the route{}{}", clip_input(k, 60),
                         precursors_ok ? "commodity or precursor" : "commodity",
                         is_fuel ? " (it is a fuel: list it under the unit's 'fuels')" : "",
                         is_fuel ? "" : suggestion(k, commodity_names(r, precursors_ok))));
      }
      out.emplace_back(k, value(v, q, &scope, 0, 1e12));
    }
    return out;
  }

  RUnit unit(const json& u, const std::string& p, const Resolved& r) {
    check_keys(u, p, file_, "a unit", {"id", "outputs"},
               {"name", "activity_unit", "produces", "parameters", "inputs", "fuels", "electricity_mwh", "emissions",
                "capture_rate", "capture", "mass", "source", "note", "description"});
    RUnit ru;
    ru.pointer = p;
    ru.id = need_string(u["id"], at(p, "id"), file_);
    need_identifier(ru.id, at(p, "id"), file_, "the unit id");
    if (ru.id == "route") fail(file_, at(p, "id"), "'route' is kept for the route's own parameters (--set route.X=V)");
    ru.name = u.contains("name") ? need_string(u["name"], at(p, "name"), file_) : ru.id;
    ru.activity_unit =
        u.contains("activity_unit") ? need_string(u["activity_unit"], at(p, "activity_unit"), file_) : "";
    collect_source(u);
    UnitScope scope;
    scope.id = ru.id;
    if (u.contains("parameters")) {
      check_object(u["parameters"], at(p, "parameters"), "a unit's parameters");
      for (const auto& [k, v] : u["parameters"].items()) {
        need_identifier(k, at(at(p, "parameters"), k), file_, "the parameter");
        scope.params[k] = {&v, at(at(p, "parameters"), k)};
      }
      for (const auto& [k, _] : scope.params) param(k, &scope);
    }
    ru.outputs = flows(u["outputs"], at(p, "outputs"), scope, r, "outputs", false);
    if (ru.outputs.empty()) fail(file_, at(p, "outputs"), "a unit has at least one output");
    if (u.contains("produces")) {
      ru.produces = need_string(u["produces"], at(p, "produces"), file_);
      if (!u["outputs"].contains(ru.produces))
        fail(file_, at(p, "produces"),
             fmt::format("'{}' is not among the unit's outputs{}", clip_input(ru.produces, 60),
                         suggestion(ru.produces, keys_of(u["outputs"]))));
    } else if (ru.outputs.size() == 1) {
      ru.produces = ru.outputs.front().first;
    } else {
      fail(file_, at(p, "produces"),
           "a unit with several outputs names its main product in 'produces' (the others are by-products)");
    }
    for (const auto& [c, v] : ru.outputs)
      if (c == ru.produces && !(v > 0))
        fail(file_, at(at(p, "outputs"), c), "the coefficient of the unit's main product must be greater than 0");
    if (u.contains("inputs")) ru.inputs = flows(u["inputs"], at(p, "inputs"), scope, r, "inputs", true);
    if (u.contains("fuels")) {
      check_object(u["fuels"], at(p, "fuels"), "a unit's fuels");
      for (const auto& [k, v] : u["fuels"].items()) {
        if (!r.fuels.count(k)) {
          std::vector<std::string> names;
          for (const auto& [n, _] : r.fuels) names.push_back(n);
          fail(file_, at(at(p, "fuels"), k),
               fmt::format("'{}' is no fuel of the route{}", clip_input(k, 60), suggestion(k, names)));
        }
        ru.fuels.emplace_back(k, value(v, at(at(p, "fuels"), k), &scope, 0, 1e12));
      }
    }
    if (u.contains("electricity_mwh"))
      ru.electricity = value(u["electricity_mwh"], at(p, "electricity_mwh"), &scope, 0, 1e9);
    if (u.contains("emissions")) {
      check_object(u["emissions"], at(p, "emissions"), "a unit's process emissions");
      for (const auto& [k, v] : u["emissions"].items()) {
        const std::string gas = canonical_gas(k);
        if (!gwp_->has(gas)) {
          std::vector<std::string> gases;
          for (const auto& [g, _] : gwp_->gwp100) gases.push_back(g);
          std::sort(gases.begin(), gases.end());
          fail(file_, at(at(p, "emissions"), k),
               fmt::format("'{}' is no gas of the GWP set {}{}", clip_input(k, 60), gwp_->name, suggestion(k, gases)));
        }
        ru.emissions.emplace_back(gas, value(v, at(at(p, "emissions"), k), &scope, -1e12, 1e12));
      }
    }
    if (u.contains("capture_rate")) ru.capture_rate = value(u["capture_rate"], at(p, "capture_rate"), &scope, 0, 1);
    if (u.contains("capture")) {
      const std::string q = at(p, "capture");
      check_keys(u["capture"], q, file_, "a unit's capture", {},
                 {"electricity_mwh_per_t", "fuel", "fuel_per_t", "source", "note"});
      const auto& c = u["capture"];
      collect_source(c);
      if (c.contains("electricity_mwh_per_t"))
        ru.capture_elec = value(c["electricity_mwh_per_t"], at(q, "electricity_mwh_per_t"), &scope, 0, 1e6);
      if (c.contains("fuel") != c.contains("fuel_per_t"))
        fail(file_, at(q, c.contains("fuel") ? "fuel_per_t" : "fuel"),
             "capture energy from a fuel needs both 'fuel' and 'fuel_per_t'");
      if (c.contains("fuel")) {
        ru.capture_fuel = need_string(c["fuel"], at(q, "fuel"), file_);
        if (!r.fuels.count(ru.capture_fuel)) {
          std::vector<std::string> names;
          for (const auto& [n, _] : r.fuels) names.push_back(n);
          fail(file_, at(q, "fuel"),
               fmt::format("'{}' is no fuel of the route{}", clip_input(ru.capture_fuel, 60),
                           suggestion(ru.capture_fuel, names)));
        }
        ru.capture_fuel_per_t = value(c["fuel_per_t"], at(q, "fuel_per_t"), &scope, 0, 1e6);
      }
    }
    if (u.contains("mass")) {
      const std::string q = at(p, "mass");
      check_keys(u["mass"], q, file_, "a unit's mass balance", {},
                 {"in", "out", "emissions_in_mass", "balanced", "reason", "source", "note"});
      const auto& m = u["mass"];
      collect_source(m);
      for (const char* side : {"in", "out"}) {
        if (!m.contains(side)) continue;
        check_object(m[side], at(q, side), "mass items");
        for (const auto& [k, v] : m[side].items())
          (std::string(side) == "in" ? ru.mass_in : ru.mass_out)
              .emplace_back(k, value(v, at(at(q, side), k), &scope, 0, 1e12));
      }
      if (m.contains("emissions_in_mass")) {
        if (!m["emissions_in_mass"].is_boolean()) fail(file_, at(q, "emissions_in_mass"), "expected true or false");
        ru.emissions_in_mass = m["emissions_in_mass"].get<bool>();
      }
      if (m.contains("balanced")) {
        if (!m["balanced"].is_boolean()) fail(file_, at(q, "balanced"), "expected true or false");
        ru.balanced = m["balanced"].get<bool>();
      }
      if (m.contains("reason")) ru.reason = need_string(m["reason"], at(q, "reason"), file_);
      if (!ru.balanced && ru.reason.empty())
        fail(file_, at(q, "reason"), "a unit whose masses are not balanced says why in 'reason'");
    }
    return ru;
  }
};

Resolved resolve(const RouteModel& m) { return Resolver(m.doc, m.source_name).run(); }

// Solves A x = b (n x n, dense, partial pivoting). Returns the column that has no pivot when singular.
std::optional<size_t> solve_dense(std::vector<std::vector<double>> a, std::vector<double> b, std::vector<double>& x) {
  const size_t n = b.size();
  double scale = 0;
  for (const auto& row : a)
    for (double v : row) scale = std::max(scale, std::abs(v));
  const double tiny = 1e-12 * (scale > 0 ? scale : 1);
  std::vector<size_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = i;
  for (size_t k = 0; k < n; ++k) {
    size_t piv = k;
    for (size_t i = k + 1; i < n; ++i)
      if (std::abs(a[i][k]) > std::abs(a[piv][k])) piv = i;
    if (std::abs(a[piv][k]) <= tiny) return k;
    std::swap(a[k], a[piv]);
    std::swap(b[k], b[piv]);
    for (size_t i = k + 1; i < n; ++i) {
      const double f = a[i][k] / a[k][k];
      if (f == 0) continue;
      for (size_t j = k; j < n; ++j) a[i][j] -= f * a[k][j];
      b[i] -= f * b[k];
    }
  }
  x.assign(n, 0);
  for (size_t k = n; k-- > 0;) {
    double s = b[k];
    for (size_t j = k + 1; j < n; ++j) s -= a[k][j] * x[j];
    x[k] = s / a[k][k];
  }
  return std::nullopt;
}

double coef(const std::vector<std::pair<std::string, double>>& v, const std::string& name) {
  double s = 0;
  for (const auto& [k, c] : v)
    if (k == name) s += c;
  return s;
}

std::string fmt_num(double v) { return fmt::format("{:.6g}", v); }

void check_finite(double v, const std::string& file, const std::string& what) {
  if (!std::isfinite(v))
    throw Error(
        ErrorCategory::InvalidInput,
        fmt::format("{} is not a finite number: the route's coefficients overflow; check their magnitudes", what),
        ErrorContext{file});
}

const std::vector<std::string>& gas_order() {
  static const std::vector<std::string> order{"CO2", "CH4", "N2O", "CF4", "C2F6"};
  return order;
}

}  // namespace

RouteModel parse_route(std::string_view json_text, const std::string& source_name) {
  RouteModel m;
  m.source_name = source_name;
  if (!is_valid_utf8(json_text))
    throw Error(ErrorCategory::InvalidInput, "the route model is not UTF-8 text (a JSON file is expected)",
                ErrorContext{source_name});
  try {
    m.doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    long line = 1, col = 1;
    const size_t upto = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, json_text.size());
    for (size_t i = 0; i < upto; ++i) {
      if (json_text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    if (const auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
    throw Error(
        ErrorCategory::InvalidInput,
        fmt::format("the route model is not JSON ({}); docs/process.md describes the format", clip_input(what, 200)),
        ErrorContext{source_name, line, col});
  } catch (const json::exception& e) {
    std::string what = e.what();  // "[json.exception.out_of_range.406] number overflow parsing '1e400'"
    if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the route model cannot be read as JSON ({})", clip_input(what, 200)),
                ErrorContext{source_name});
  }
  const Resolved r = resolve(m);
  m.name = r.name;
  m.product = r.product;
  m.product_unit = r.product_unit;
  m.default_output = r.output;
  return m;
}

std::vector<std::string> override_names(const RouteModel& model) {
  std::vector<std::string> names{"route.grid_factor_t_per_mwh", "route.output"};
  const auto& d = model.doc;
  if (d.contains("parameters") && d["parameters"].is_object())
    for (const auto& [k, _] : d["parameters"].items()) names.push_back("route." + k);
  if (d.contains("units") && d["units"].is_array())
    for (const auto& u : d["units"]) {
      if (!u.is_object() || !u.contains("id") || !u["id"].is_string()) continue;
      const std::string id = u["id"].get<std::string>();
      if (u.contains("parameters") && u["parameters"].is_object())
        for (const auto& [k, _] : u["parameters"].items()) names.push_back(id + "." + k);
      names.push_back(id + ".capture_rate");
      names.push_back(id + ".electricity_mwh");
    }
  return names;
}

void apply_override(RouteModel& model, std::string_view assignment) {
  const ErrorContext ctx{model.source_name, 0, 0, "--set"};
  const auto eq = assignment.find('=');
  const auto dot = assignment.find('.');
  if (eq == std::string_view::npos || dot == std::string_view::npos || dot > eq)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--set '{}' is not unit.param=value (e.g. kiln.capture_rate=0.9 or "
                            "route.grid_factor_t_per_mwh=0.5703)",
                            clip_input(assignment, 80)),
                ctx);
  const std::string target(assignment.substr(0, dot)), param(assignment.substr(dot + 1, eq - dot - 1));
  std::string text(assignment.substr(eq + 1));
  while (!text.empty() && text.back() == ' ') text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--set {}.{}: '{}' is not a number", clip_input(target, 60), clip_input(param, 60),
                            clip_input(text, 60)),
                ctx);
  auto set_node = [&](json& node) {
    if (node.is_object() && node.contains("value")) {
      node["value"] = v;
      node["source"] = fmt::format("set on the command line (--set {}.{}={})", target, param, text);
    } else {
      node = v;
    }
  };
  const json before = model.doc;  // restored when the new value is refused
  json& d = model.doc;
  if (target == "route") {
    if (param == "grid_factor_t_per_mwh" || param == "output") {
      set_node(d[param]);
    } else if (d.contains("parameters") && d["parameters"].contains(param)) {
      set_node(d["parameters"][param]);
    } else {
      std::vector<std::string> names{"grid_factor_t_per_mwh", "output"};
      if (d.contains("parameters"))
        for (const auto& k : keys_of(d["parameters"])) names.push_back(k);
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("--set route.{}: the route has no parameter '{}'{}", clip_input(param, 60),
                              clip_input(param, 60), suggestion(param, names)),
                  ctx);
    }
  } else {
    json* unit = nullptr;
    std::vector<std::string> ids;
    for (auto& u : d["units"]) {
      ids.push_back(u["id"].get<std::string>());
      if (ids.back() == target) unit = &u;
    }
    if (!unit)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("--set {}.{}: the route has no unit '{}'{}", clip_input(target, 60),
                              clip_input(param, 60), clip_input(target, 60), suggestion(target, ids)),
                  ctx);
    if (unit->contains("parameters") && (*unit)["parameters"].contains(param)) {
      set_node((*unit)["parameters"][param]);
    } else if (param == "capture_rate" || param == "electricity_mwh") {
      set_node((*unit)[param]);
    } else {
      std::vector<std::string> names{"capture_rate", "electricity_mwh"};
      if (unit->contains("parameters"))
        for (const auto& k : keys_of((*unit)["parameters"])) names.push_back(k);
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("--set {}.{}: the unit '{}' has no parameter '{}'{}", target, clip_input(param, 60),
                              target, clip_input(param, 60), suggestion(param, names)),
                  ctx);
    }
  }
  try {
    const Resolved r = resolve(model);
    model.default_output = r.output;
  } catch (const Error& e) {
    model.doc = before;
    throw Error(e.category(), fmt::format("after --set {}.{}={}: {}", target, param, text, e.message()), e.context());
  }
}

SimulationResult simulate(const RouteModel& model, double output) {
  const Resolved r = resolve(model);
  const std::string& file = model.source_name;
  SimulationResult res;
  res.route_name = r.name;
  res.product = r.product;
  res.product_unit = r.product_unit;
  res.output = output > 0 ? output : r.output;
  res.grid_factor_t_per_mwh = r.grid;
  res.gwp_set = r.gwp;
  res.notes = r.notes;
  const GwpSet& gwp = GwpTable::builtin().set(r.gwp);

  // ---- the network: one balance per unit's main product -------------------------------------------------------
  const size_t n = r.units.size();
  std::map<std::string, size_t> maker;  // commodity -> unit making it as its main product
  for (size_t j = 0; j < n; ++j) {
    const auto& u = r.units[j];
    if (auto [it, fresh] = maker.emplace(u.produces, j); !fresh)
      throw Error(
          ErrorCategory::InvalidInput,
          fmt::format("'{}' is the main product of two units, '{}' and '{}': a route makes each commodity in one "
                      "unit (a choice between routes is an optimisation model's, docs/process.md)",
                      u.produces, r.units[it->second].id, u.id),
          ErrorContext{file, 0, 0, u.pointer + "/produces"});
  }
  if (!maker.count(r.product))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("no unit makes the route's product '{}' as its main product", r.product),
                ErrorContext{file, 0, 0, "/product"});
  for (size_t j = 0; j < n; ++j) {
    const auto& u = r.units[j];
    if (u.produces == r.product) continue;
    bool used = false;  // by structure: an input of some unit, even at a coefficient of 0 (a parameter set to 0)
    for (const auto& v : r.units)
      for (const auto& in : v.inputs)
        if (in.first == u.produces) used = true;
    if (!used)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the output '{}' of unit '{}' is used by no unit and is not the route's product '{}': "
                              "remove the unit or connect its output",
                              u.produces, u.id, r.product),
                  ErrorContext{file, 0, 0, u.pointer + "/produces"});
  }
  std::vector<std::vector<double>> a(n, std::vector<double>(n, 0));
  std::vector<double> d(n, 0), x;
  for (size_t i = 0; i < n; ++i) {
    const std::string& c = r.units[i].produces;
    for (size_t j = 0; j < n; ++j) a[i][j] = coef(r.units[j].outputs, c) - coef(r.units[j].inputs, c);
    if (c == r.product) d[i] = res.output;
  }
  if (const auto col = solve_dense(a, d, x)) {
    const auto& u = r.units[*col];
    throw Error(
        ErrorCategory::InvalidInput,
        fmt::format("the route's network is singular: the balances of its commodities do not fix the activity "
                    "of unit '{}' (it makes '{}'); a loop of units that makes as much as it uses, or units whose "
                    "balances repeat each other, has no single solution",
                    u.id, u.produces),
        ErrorContext{file, 0, 0, u.pointer});
  }
  for (size_t j = 0; j < n; ++j) {
    check_finite(x[j], file, "the activity of unit '" + r.units[j].id + "'");
    if (x[j] < -1e-12 * res.output)
      throw Error(
          ErrorCategory::InvalidInput,
          fmt::format("the route's network has no solution with activities of 0 or more: unit '{}' would run at "
                      "{} (its product '{}' is used up in a loop that consumes more than it makes, or by-products "
                      "exceed the need); check its input and output coefficients",
                      r.units[j].id, fmt_num(x[j]), r.units[j].produces),
          ErrorContext{file, 0, 0, r.units[j].pointer});
    if (x[j] < 0) x[j] = 0;
  }

  // The commodity balances' residuals: |made - used - delivered| / (made + used + delivered) of each main product.
  for (size_t i = 0; i < n; ++i) {
    const std::string& c = r.units[i].produces;
    double made = 0, used = 0;
    for (size_t j = 0; j < n; ++j) {
      made += coef(r.units[j].outputs, c) * x[j];
      used += coef(r.units[j].inputs, c) * x[j];
    }
    const double scale = made + used + d[i];
    if (scale > 0) res.max_balance_residual = std::max(res.max_balance_residual, std::abs(made - used - d[i]) / scale);
  }

  // ---- flows across the boundary ---------------------------------------------------------------------------------
  std::map<std::string, double> made, used;
  for (size_t j = 0; j < n; ++j) {
    for (const auto& [c, k] : r.units[j].outputs) made[c] += k * x[j];
    for (const auto& [c, k] : r.units[j].inputs) used[c] += k * x[j];
  }
  for (const auto& entry : r.commodities) {
    const std::string& c = entry.first;
    const RCommodity& rc = entry.second;
    const double p = made.count(c) ? made[c] : 0, q = used.count(c) ? used[c] : 0;
    const bool is_main = maker.count(c) > 0;
    if (is_main) continue;  // balanced by the solve
    const bool is_made =
        std::any_of(r.units.begin(), r.units.end(), [&](const RUnit& u) { return coef(u.outputs, c) > 0; });
    if (is_made) {
      if (q > p * (1 + 1e-9) + 1e-12)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("the by-product '{}' is used ({}) more than it is made ({}): make it the main product "
                                "of a unit, or buy it as an external input of its own name",
                                c, fmt_num(q), fmt_num(p)),
                    ErrorContext{file, 0, 0, "/commodities/" + escape_key(c)});
      if (p - q > 1e-12 * std::max(1.0, p)) res.flows.push_back({c, rc.unit, "by-product", p - q, 0});
    } else if (q > 0) {
      res.flows.push_back({c, rc.unit, rc.kind == "precursor" ? "precursor" : "external", q, q * rc.embedded});
    }
  }

  // ---- emissions and masses per unit -----------------------------------------------------------------------------
  std::map<std::string, double> direct;  // gas -> t
  std::map<std::string, double> fuel_use;
  for (const auto& u : r.units)
    for (const auto& [g, _] : u.emissions) direct[g] += 0;
  for (const auto& [_, f] : r.fuels)
    for (const auto& gt : f.t_per_unit) direct[gt.first] += 0;
  direct["CO2"] += 0;
  for (size_t j = 0; j < n; ++j) {
    const auto& u = r.units[j];
    const double act = x[j];
    UnitResult ur;
    ur.id = u.id;
    ur.name = u.name;
    ur.activity_unit = u.activity_unit;
    ur.activity = act;
    std::map<std::string, double> gas;
    double fuel_co2 = 0, bio_co2 = 0;
    for (const auto& [f, k] : u.fuels) {
      fuel_use[f] += k * act;
      ur.fuel_gj += k * act * r.fuels.at(f).gj_per_unit;
      bio_co2 += k * act * r.fuels.at(f).bio_co2;
      for (const auto& [g, t] : r.fuels.at(f).t_per_unit) {
        gas[g] += k * act * t;
        if (g == "CO2") fuel_co2 += k * act * t;
      }
    }
    double process_mass = 0, process_co2 = 0;
    for (const auto& [g, t] : u.emissions) {
      gas[g] += t * act;
      process_mass += t * act;
      if (g == "CO2") process_co2 += t * act;
    }
    ur.captured_co2_t = u.capture_rate * std::max(0.0, fuel_co2 + process_co2);
    ur.captured_biogenic_co2_t = u.capture_rate * bio_co2;
    gas["CO2"] -= ur.captured_co2_t;
    const double captured_all = ur.captured_co2_t + ur.captured_biogenic_co2_t;
    if (!u.capture_fuel.empty()) {
      const auto& cf = r.fuels.at(u.capture_fuel);
      const double k = u.capture_fuel_per_t * captured_all;
      fuel_use[u.capture_fuel] += k;
      ur.fuel_gj += k * cf.gj_per_unit;
      for (const auto& [g, t] : cf.t_per_unit) gas[g] += k * t;
      bio_co2 += k * cf.bio_co2;
    }
    ur.biogenic_co2_t = bio_co2 - ur.captured_biogenic_co2_t;
    for (const auto& [g, t] : gas) {
      direct[g] += t;
      ur.direct_co2e_t += t * gwp.of(g);
    }
    ur.electricity_mwh = u.electricity * act + u.capture_elec * captured_all;
    ur.indirect_co2e_t = ur.electricity_mwh * r.grid;
    for (const auto& [c, k] : u.inputs) {
      const auto& rc = r.commodities.at(c);
      if (rc.kind == "precursor") ur.precursor_co2e_t += k * act * rc.embedded;
    }
    for (const auto& [c, k] : u.inputs) {
      const double tpu = r.commodities.at(c).t_per_unit;
      if (std::isfinite(tpu)) ur.mass_in_t += k * act * tpu;
    }
    for (const auto& [c, k] : u.outputs) {
      const double tpu = r.commodities.at(c).t_per_unit;
      if (std::isfinite(tpu)) ur.mass_out_t += k * act * tpu;
    }
    for (const auto& [_, k] : u.mass_in) ur.mass_in_t += k * act;
    for (const auto& [_, k] : u.mass_out) ur.mass_out_t += k * act;
    if (u.emissions_in_mass) ur.mass_out_t += process_mass;
    ur.mass_residual_t = ur.mass_in_t - ur.mass_out_t;
    ur.mass_balanced = u.balanced;
    ur.mass_note = u.reason;
    check_finite(ur.direct_co2e_t + ur.indirect_co2e_t + ur.precursor_co2e_t + ur.mass_residual_t, file,
                 "the emissions or masses of unit '" + u.id + "'");
    if (ur.mass_balanced) res.max_mass_residual_t = std::max(res.max_mass_residual_t, std::abs(ur.mass_residual_t));
    res.direct_t += ur.direct_co2e_t;
    res.indirect_t += ur.indirect_co2e_t;
    res.precursor_t += ur.precursor_co2e_t;
    res.electricity_mwh += ur.electricity_mwh;
    res.captured_co2_t += ur.captured_co2_t;
    res.biogenic_co2_t += ur.biogenic_co2_t;
    res.captured_biogenic_co2_t += ur.captured_biogenic_co2_t;
    res.fuel_gj += ur.fuel_gj;
    res.units.push_back(std::move(ur));
  }
  for (const auto& [f, q] : fuel_use)
    if (q > 0) res.flows.push_back({f, r.fuels.at(f).unit, "fuel", q, 0});
  res.total_t = res.direct_t + res.indirect_t + res.precursor_t;
  check_finite(res.total_t, file, "the route's total emissions");

  // ---- lines -----------------------------------------------------------------------------------------------------
  const auto per = [&](double t) { return t / res.output; };
  std::vector<std::string> gases;
  for (const auto& g : gas_order())
    if (direct.count(g)) gases.push_back(g);
  for (const auto& [g, _] : direct)
    if (std::find(gases.begin(), gases.end(), g) == gases.end()) gases.push_back(g);
  for (const auto& g : gases) res.lines.push_back({"direct", g, direct[g], per(direct[g])});
  res.lines.push_back({"direct", "CO2e", res.direct_t, per(res.direct_t)});
  res.lines.push_back({"indirect", "CO2", res.indirect_t, per(res.indirect_t)});
  res.lines.push_back({"indirect", "CO2e", res.indirect_t, per(res.indirect_t)});
  res.lines.push_back({"precursor", "CO2e", res.precursor_t, per(res.precursor_t)});
  res.lines.push_back({"total", "CO2e", res.total_t, per(res.total_t)});
  res.sources = r.sources;
  res.sources.push_back(gwp.document + " GWP100 (" + gwp.name + ")");
  return res;
}

double line_value(const SimulationResult& r, std::string_view scope, std::string_view gas) {
  for (const auto& l : r.lines)
    if (l.scope == scope && l.gas == gas) return l.emission_t;
  return 0;
}

nlohmann::json to_json(const SimulationResult& r) {
  json lines = json::array(), units = json::array(), flows = json::array();
  for (const auto& l : r.lines)
    lines.push_back(
        {{"scope", l.scope}, {"gas", l.gas}, {"emission_t", l.emission_t}, {"per_t_product", l.per_t_product}});
  for (const auto& u : r.units)
    units.push_back({{"id", u.id},
                     {"name", u.name},
                     {"activity", u.activity},
                     {"activity_unit", u.activity_unit},
                     {"direct_co2e_t", u.direct_co2e_t},
                     {"captured_co2_t", u.captured_co2_t},
                     {"biogenic_co2_t", u.biogenic_co2_t},
                     {"captured_biogenic_co2_t", u.captured_biogenic_co2_t},
                     {"indirect_co2e_t", u.indirect_co2e_t},
                     {"precursor_co2e_t", u.precursor_co2e_t},
                     {"electricity_mwh", u.electricity_mwh},
                     {"fuel_gj", u.fuel_gj},
                     {"mass_in_t", u.mass_in_t},
                     {"mass_out_t", u.mass_out_t},
                     {"mass_residual_t", u.mass_residual_t},
                     {"mass_balanced", u.mass_balanced},
                     {"mass_note", u.mass_note}});
  for (const auto& f : r.flows)
    flows.push_back({{"commodity", f.commodity},
                     {"kind", f.kind},
                     {"amount", f.amount},
                     {"unit", f.unit},
                     {"embedded_co2e_t", f.embedded_co2e_t}});
  const auto per = [&](double t) { return r.per_t(t); };
  return {{"route", r.route_name},
          {"product", r.product},
          {"product_unit", r.product_unit},
          {"output", r.output},
          {"grid_factor_t_per_mwh", r.grid_factor_t_per_mwh},
          {"gwp", r.gwp_set},
          {"lines", lines},
          {"totals",
           {{"direct_t", r.direct_t},
            {"indirect_t", r.indirect_t},
            {"precursor_t", r.precursor_t},
            {"total_t", r.total_t},
            {"captured_co2_t", r.captured_co2_t},
            {"biogenic_co2_t", r.biogenic_co2_t},
            {"captured_biogenic_co2_t", r.captured_biogenic_co2_t},
            {"fuel_gj", r.fuel_gj},
            {"electricity_mwh", r.electricity_mwh}}},
          {"per_t_product",
           {{"direct", per(r.direct_t)},
            {"indirect", per(r.indirect_t)},
            {"precursor", per(r.precursor_t)},
            {"total", per(r.total_t)},
            {"fuel_gj", per(r.fuel_gj)},
            {"electricity_mwh", per(r.electricity_mwh)}}},
          {"units", units},
          {"flows", flows},
          {"max_mass_residual_t", r.max_mass_residual_t},
          {"max_balance_residual", r.max_balance_residual},
          {"notes", r.notes},
          {"sources", r.sources}};
}

}  // namespace panocarbon::process
