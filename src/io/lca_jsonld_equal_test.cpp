// The JSON-LD reader as it was before issue 16 (nlohmann's DOM, one file after the other), kept only for the
// test below: the simdjson reader of src/io/lca_jsonld.cpp must give the same Database, field by field, for
// the real USLCI JSON-LD folder (when ../shared holds it) and for the in-memory packages of the unit tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "io/byte_source.hpp"
#include "io/json_number.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca::legacy {
namespace {

using nlohmann::json;

// One JSON-LD package: its files grouped by folder ("processes" -> ids -> relative path).
struct Package {
  std::unique_ptr<io::FileSet> set;
  std::string prefix;  // folder inside the set holding processes/ etc. ("" or "x/")
  std::map<std::string, std::vector<std::string>> folders;

  json load(const std::string& rel) const {
    const std::string text = set->read_all(rel);
    try {
      return json::parse(text);
    } catch (const json::parse_error& e) {
      // byte offset -> line for the message
      const size_t off = std::min<size_t>(e.byte, text.size());
      const long line = 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(off), '\n'));
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("{} is not valid JSON ({}): fix or re-export the file", set->display(rel), e.what()),
                  ErrorContext{set->display(rel), line});
    } catch (const json::exception& e) {  // a number out of range (1e400): name its line and key
      throw io::json_number_error(e, text, set->display(rel));
    }
  }
  const std::vector<std::string>& files(const std::string& folder) const {
    static const std::vector<std::string> none;
    const auto it = folders.find(folder);
    return it == folders.end() ? none : it->second;
  }
};

const char* const kFolders[] = {"processes",  "flows",       "categories",      "flow_properties",
                                "unit_groups", "lcia_methods", "lcia_categories", "locations"};

Package open_package(std::unique_ptr<io::FileSet> set, const std::string& path, bool need_processes) {
  Package p;
  p.set = std::move(set);
  const auto files = p.set->all_files();
  // The package root: the shallowest folder holding a known subfolder.
  size_t best = std::string::npos;
  for (const auto& f : files) {
    for (const char* folder : kFolders) {
      const std::string marker = std::string(folder) + "/";
      const auto pos = f.find(marker);
      if (pos == std::string::npos || (pos > 0 && f[pos - 1] != '/')) continue;
      const size_t depth = static_cast<size_t>(std::count(f.begin(), f.begin() + static_cast<long>(pos), '/'));
      if (best == std::string::npos || depth < best) {
        best = depth;
        p.prefix = f.substr(0, pos);
      }
    }
  }
  for (const auto& f : files) {
    if (f.size() < 5 || f.compare(f.size() - 5, 5, ".json") != 0) continue;
    if (f.compare(0, p.prefix.size(), p.prefix) != 0) continue;
    const std::string rest = f.substr(p.prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string::npos || rest.find('/', slash + 1) != std::string::npos) continue;
    p.folders[rest.substr(0, slash)].push_back(f);
  }
  if (need_processes && p.files("processes").empty())
    throw Error(ErrorCategory::InvalidInput,
                path + " holds no openLCA JSON-LD processes (no processes/*.json) and no EcoSpold2 .spold files: "
                       "give the folder or .zip exported by openLCA, or an EcoSpold2 export",
                ErrorContext{path});
  return p;
}
Package open_package(const std::string& path, bool need_processes) {
  return open_package(io::FileSet::open(path, "an openLCA JSON-LD folder or .zip, or EcoSpold2 .spold files"), path,
                      need_processes);
}

// A field under its 2.x or 1.x name.
const json* field(const json& j, const char* v2, const char* v1 = nullptr) {
  auto it = j.find(v2);
  if (it != j.end() && !it->is_null()) return &*it;
  if (v1) {
    it = j.find(v1);
    if (it != j.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}
bool flag(const json& j, const char* v2, const char* v1) {
  const json* f = field(j, v2, v1);
  return f && f->is_boolean() && f->get<bool>();
}
std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double num(const json& j, const char* key, double dflt = 0) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : dflt;
}
std::string ref_id(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return {};
  return str(*it, "@id");
}

struct UnitInfo {
  std::string group, name;
  double factor = 1;
};

struct Units {
  std::unordered_map<std::string, UnitInfo> by_id;                      // unit id -> info
  std::unordered_map<std::string, std::string> group_ref_unit;          // group id -> reference unit name
  std::unordered_map<std::string, std::map<std::string, double>> group_by_name;  // group id -> unit name -> factor
  std::unordered_map<std::string, std::string> property_group;          // flow property id -> unit group id
  std::unordered_map<std::string, std::string> property_name;           // flow property id -> name
};

Units read_units(const Package& p) {
  Units u;
  for (const auto& rel : p.files("unit_groups")) {
    const json g = p.load(rel);
    const std::string gid = str(g, "@id");
    const auto units = g.find("units");
    if (units == g.end() || !units->is_array()) continue;
    for (const auto& un : *units) {
      UnitInfo info{gid, str(un, "name"), num(un, "conversionFactor", 1)};
      if (flag(un, "isRefUnit", "referenceUnit")) u.group_ref_unit[gid] = info.name;
      u.group_by_name[gid][info.name] = info.factor;
      const auto syn = un.find("synonyms");
      if (syn != un.end() && syn->is_array())
        for (const auto& s : *syn)
          if (s.is_string()) u.group_by_name[gid].emplace(s.get<std::string>(), info.factor);
      u.by_id.emplace(str(un, "@id"), std::move(info));
    }
  }
  for (const auto& rel : p.files("flow_properties")) {
    const json fp = p.load(rel);
    u.property_group[str(fp, "@id")] = ref_id(fp, "unitGroup");
    u.property_name[str(fp, "@id")] = str(fp, "name");
  }
  return u;
}

std::unordered_map<std::string, std::string> read_category_paths(const Package& p) {
  std::unordered_map<std::string, std::pair<std::string, std::string>> raw;  // id -> (name, parent id)
  for (const auto& rel : p.files("categories")) {
    const json c = p.load(rel);
    raw[str(c, "@id")] = {str(c, "name"), ref_id(c, "category")};
  }
  std::unordered_map<std::string, std::string> paths;
  for (const auto& [id, v] : raw) {
    std::vector<std::string> parts{v.first};
    std::string parent = v.second;
    for (int guard = 0; !parent.empty() && guard < 64; ++guard) {
      const auto it = raw.find(parent);
      if (it == raw.end()) break;
      parts.push_back(it->second.first);
      parent = it->second.second;
    }
    std::string path;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) path += (path.empty() ? "" : "/") + *it;
    paths[id] = path;
  }
  return paths;
}

// The category of an entity: a reference (1.x) resolved to its path, or a path string (2.x).
std::string category_of(const json& j, const std::unordered_map<std::string, std::string>& paths) {
  const auto it = j.find("category");
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    const auto p = paths.find(str(*it, "@id"));
    if (p != paths.end()) return p->second;
    return str(*it, "name");
  }
  return {};
}

FlowType flow_type(const std::string& t) {
  if (t == "PRODUCT_FLOW") return FlowType::Product;
  if (t == "WASTE_FLOW") return FlowType::Waste;
  return FlowType::Elementary;
}

Uncertainty read_uncertainty(const json& e) {
  Uncertainty u;
  const auto it = e.find("uncertainty");
  // (pedigree scores without a distribution are read too: `lca montecarlo --pedigree` turns them into one)
  const std::string t = it != e.end() && it->is_object() ? str(*it, "distributionType") : "";
  if (t == "LOG_NORMAL_DISTRIBUTION") {
    u.kind = Uncertainty::Lognormal;
    u.a = num(*it, "geomMean");
    u.b = num(*it, "geomSd");
  } else if (t == "NORMAL_DISTRIBUTION") {
    u.kind = Uncertainty::Normal;
    u.a = num(*it, "mean");
    u.b = num(*it, "sd");
  } else if (t == "TRIANGLE_DISTRIBUTION") {
    u.kind = Uncertainty::Triangle;
    u.a = num(*it, "minimum", num(*it, "min"));
    u.b = num(*it, "mode");
    u.c = num(*it, "maximum", num(*it, "max"));
  } else if (t == "UNIFORM_DISTRIBUTION") {
    u.kind = Uncertainty::Uniform;
    u.a = num(*it, "minimum", num(*it, "min"));
    u.b = num(*it, "maximum", num(*it, "max"));
  }
  // "dqEntry": "(1;2;3;1;2)" (2.x) or "pedigreeUncertainty" (1.x) with the five indicators
  std::string dq = str(e, "dqEntry");
  if (dq.empty()) dq = str(e, "pedigreeUncertainty");
  int k = 0;
  for (char c : dq)
    if (c >= '0' && c <= '9' && k < 5) u.pedigree[k++] = c - '0';
  // openLCA's "baseUncertainty" is the basic uncertainty factor of the pedigree approach (a GSD², 1 = none,
  // as the data quality factors; USLCI writes 1.0): stored as the variance of ln it stands for, (ln U / 2)²
  const double base = num(e, "baseUncertainty");
  u.basic_variance = base > 0 && std::isfinite(base) ? std::pow(std::log(base) / 2, 2) : 0;
  return u;
}

}  // namespace


namespace {
Database read_package(const Package& p, const std::string& path) {
  const Units units = read_units(p);
  const auto paths = read_category_paths(p);
  Database db;
  db.format = "openlca-jsonld";
  db.name = std::filesystem::path(path).stem().string();

  // Flows with their reference unit and the factors of their flow properties.
  std::unordered_map<std::string, std::unordered_map<std::string, double>> property_factor;  // flow -> fp -> factor
  db.flows.reserve(p.files("flows").size());
  for (const auto& rel : p.files("flows")) {
    const json j = p.load(rel);
    Flow f;
    f.id = str(j, "@id");
    if (f.id.empty())
      throw Error(ErrorCategory::InvalidInput, p.set->display(rel) + " has no \"@id\": re-export the package",
                  ErrorContext{p.set->display(rel), 0, 0, "@id"});
    f.name = str(j, "name");
    f.type = flow_type(str(j, "flowType"));
    f.compartment = category_of(j, paths);
    f.cas = str(j, "cas");
    f.location = ref_id(j, "location");
    const auto fps = j.find("flowProperties");
    if (fps != j.end() && fps->is_array()) {
      for (const auto& fp : *fps) {
        const std::string fpid = ref_id(fp, "flowProperty");
        const double factor = num(fp, "conversionFactor", 1);
        property_factor[f.id][fpid] = factor;
        const auto pn = units.property_name.find(fpid);
        const auto fpr = fp.find("flowProperty");
        const std::string pname = pn != units.property_name.end()             ? pn->second
                                  : fpr != fp.end() && fpr->is_object() ? str(*fpr, "name")
                                                                        : std::string();
        if (flag(fp, "isRefFlowProperty", "referenceFlowProperty")) {
          f.property = pname;
          const auto g = units.property_group.find(fpid);
          if (g != units.property_group.end()) {
            const auto ru = units.group_ref_unit.find(g->second);
            if (ru != units.group_ref_unit.end()) f.unit = ru->second;
          }
        }
        if (!pname.empty()) f.properties[pname] = factor;
      }
    }
    db.flows.push_back(std::move(f));
  }
  std::unordered_map<std::string, int32_t> flow_ix;
  for (size_t i = 0; i < db.flows.size(); ++i) flow_ix.emplace(db.flows[i].id, static_cast<int32_t>(i));

  std::unordered_map<std::string, std::string> location_code;
  for (const auto& rel : p.files("locations")) {
    const json l = p.load(rel);
    location_code[str(l, "@id")] = str(l, "code").empty() ? str(l, "name") : str(l, "code");
  }

  size_t converted = 0, missing_flows = 0;
  db.processes.reserve(p.files("processes").size());
  for (const auto& rel : p.files("processes")) {
    const json j = p.load(rel);
    const std::string where = p.set->display(rel);
    Process pr;
    pr.id = str(j, "@id");
    pr.name = str(j, "name");
    pr.category = category_of(j, paths);
    pr.type = str(j, "processType");
    if (const auto loc = j.find("location"); loc != j.end() && loc->is_object()) {
      const auto lc = location_code.find(str(*loc, "@id"));
      pr.location = lc != location_code.end() ? lc->second : str(*loc, "name");
    }
    if (const json* doc = field(j, "processDocumentation"); doc) {
      for (const char* k : {"timeDescription", "validFrom", "validUntil", "geographyDescription", "technologyDescription",
                            "samplingDescription", "dataTreatmentDescription", "completenessDescription"})
        if (doc->contains(k) && (*doc)[k].is_string()) pr.documentation[k] = (*doc)[k];
      if (const auto s = doc->find("sources"); s != doc->end() && s->is_array())
        for (const auto& src : *s) pr.documentation["sources"].push_back(str(src, "name"));
    }
    if (const std::string dam = str(j, "defaultAllocationMethod"); !dam.empty())
      pr.default_allocation = parse_allocation(dam);
    const auto exs = j.find("exchanges");
    if (exs == j.end() || !exs->is_array())
      throw Error(ErrorCategory::InvalidInput, where + " has no \"exchanges\" array: re-export the process",
                  ErrorContext{where, 0, 0, "exchanges"});
    std::unordered_map<long long, int32_t> by_internal;  // 2.x internalId -> exchange index
    long row = 0;
    for (const auto& e : *exs) {
      ++row;
      Exchange x;
      const auto fl = e.find("flow");
      const std::string fid = fl != e.end() && fl->is_object() ? str(*fl, "@id") : std::string();
      const auto fit = flow_ix.find(fid);
      if (fit == flow_ix.end()) {
        // a flow that is not in flows/: build it from the reference (name and type only)
        if (fid.empty())
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("{}: exchange {} has no flow reference: fix or re-export the process", where, row),
                      ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].flow"});
        Flow f;
        f.id = fid;
        f.name = str(*fl, "name");
        f.type = flow_type(str(*fl, "flowType"));
        f.unit = e.contains("unit") ? str(e["unit"], "name") : "";
        flow_ix.emplace(fid, static_cast<int32_t>(db.flows.size()));
        db.flows.push_back(std::move(f));
        ++missing_flows;
        x.flow = static_cast<int32_t>(db.flows.size() - 1);
      } else {
        x.flow = fit->second;
      }
      const Flow& flow = db.flows[static_cast<size_t>(x.flow)];
      const json* amount = field(e, "amount");
      if (!amount || !amount->is_number())
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("{}: exchange {} ({}) has no numeric \"amount\": fix or re-export the process", where,
                                row, flow.name),
                    ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].amount"});
      x.amount = amount->get<double>();
      // unit conversion to the flow's reference unit
      const std::string uid = ref_id(e, "unit");
      const std::string uname = e.contains("unit") && e["unit"].is_object() ? str(e["unit"], "name") : "";
      const std::string fpid = ref_id(e, "flowProperty");
      double ufactor = 1;
      const auto ui = units.by_id.find(uid);
      if (ui != units.by_id.end()) {
        ufactor = ui->second.factor;
      } else if (!uname.empty() && uname != flow.unit) {
        bool found = false;
        const auto g = units.property_group.find(fpid);
        if (g != units.property_group.end()) {
          const auto byname = units.group_by_name.find(g->second);
          if (byname != units.group_by_name.end()) {
            const auto u = byname->second.find(uname);
            if (u != byname->second.end()) {
              ufactor = u->second;
              found = true;
            }
          }
        }
        if (!found && !flow.unit.empty())
          throw Error(ErrorCategory::Unit,
                      fmt::format("{}: exchange {} ({}) is in unit '{}' which the package's unit groups do not "
                                  "define for the flow's reference unit '{}': add the unit group or fix the unit",
                                  where, row, flow.name, uname, flow.unit),
                      ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].unit"});
      }
      double pfactor = 1;
      if (!fpid.empty()) {
        const auto pf = property_factor.find(flow.id);
        if (pf != property_factor.end()) {
          const auto f = pf->second.find(fpid);
          if (f != pf->second.end() && f->second != 0) pfactor = f->second;
        }
      }
      if (ufactor != 1 || pfactor != 1) {
        x.amount = x.amount * ufactor / pfactor;
        ++converted;
        if (!std::isfinite(x.amount))
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("{}: exchange {} ({}): amount {} × unit factor {} / flow property factor {} is not a "
                                  "finite number: fix the amount or the conversion factors",
                                  where, row, flow.name, amount->get<double>(), ufactor, pfactor),
                      ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].amount"});
      }
      x.input = flag(e, "isInput", "input");
      x.avoided = flag(e, "isAvoidedProduct", "avoidedProduct");
      x.reference = flag(e, "isQuantitativeReference", "quantitativeReference");
      x.provider = ref_id(e, "defaultProvider");
      x.id = str(e, "@id");
      if (const json* iid = field(e, "internalId"); iid && iid->is_number_integer()) {
        by_internal[iid->get<long long>()] = static_cast<int32_t>(pr.exchanges.size());
        if (x.id.empty()) x.id = std::to_string(iid->get<long long>());
      }
      x.formula = str(e, "amountFormula");
      x.description = str(e, "description");
      x.uncertainty = read_uncertainty(e);
      if (ufactor != 1 || pfactor != 1) {
        // the distribution's location (and, for normal, spread) parameters move with the amount; a geometric
        // standard deviation does not
        const double f = ufactor / pfactor;
        auto& u = x.uncertainty;
        switch (u.kind) {
          case Uncertainty::Lognormal: u.a *= f; break;
          case Uncertainty::Normal:
          case Uncertainty::Uniform: u.a *= f; u.b *= f; break;
          case Uncertainty::Triangle: u.a *= f; u.b *= f; u.c *= f; break;
          case Uncertainty::None: break;
        }
      }
      pr.exchanges.push_back(std::move(x));
    }
    if (const auto afs = j.find("allocationFactors"); afs != j.end() && afs->is_array()) {
      for (const auto& a : *afs) {
        AllocationFactor af;
        const std::string t = str(a, "allocationType");
        af.method = t == "CAUSAL_ALLOCATION"     ? AllocationMethod::Causal
                    : t == "ECONOMIC_ALLOCATION" ? AllocationMethod::Economic
                                                 : AllocationMethod::Physical;
        af.value = num(a, "value");
        const auto pf = flow_ix.find(ref_id(a, "product"));
        af.product = pf == flow_ix.end() ? -1 : pf->second;
        if (const auto ex = a.find("exchange"); ex != a.end() && ex->is_object()) {
          if (const json* iid = field(*ex, "internalId"); iid && iid->is_number_integer()) {
            const auto bi = by_internal.find(iid->get<long long>());
            if (bi != by_internal.end()) af.exchange = bi->second;
          } else {
            // 1.x: the exchange is identified by its flow (and @id when given)
            const std::string xid = str(*ex, "@id");
            const std::string xf = ex->contains("flow") ? ref_id(*ex, "flow") : std::string();
            for (size_t k = 0; k < pr.exchanges.size(); ++k) {
              const auto& x = pr.exchanges[k];
              if ((!xid.empty() && x.id == xid) ||
                  (xid.empty() && !xf.empty() && db.flows[static_cast<size_t>(x.flow)].id == xf)) {
                af.exchange = static_cast<int32_t>(k);
                break;
              }
            }
          }
          if (af.exchange < 0) continue;  // a causal factor for an exchange the process does not have
        }
        pr.allocation.push_back(af);
      }
    }
    db.processes.push_back(std::move(pr));
  }
  std::sort(db.processes.begin(), db.processes.end(), [](const Process& a, const Process& b) { return a.id < b.id; });
  db.index();
  db.provenance = {{"path", path},
                   {"format", db.format},
                   {"processes", db.processes.size()},
                   {"flows", db.flows.size()},
                   {"converted_exchanges", converted}};
  if (missing_flows)
    db.warnings.push_back(fmt::format("{} flows referenced by exchanges are missing from flows/: built from the "
                                      "references (no compartment, no CAS)",
                                      missing_flows));
  return db;
}
}  // namespace

Database read_jsonld(const std::string& path) { return read_package(open_package(path, true), path); }

}  // namespace panocarbon::lca::legacy

#include <zip.h>

#include <cstring>
#include <fstream>

namespace panocarbon::lca::legacy {
Database read_jsonld_files(const std::map<std::string, std::string>& files, const std::string& name) {
  return read_package(open_package(io::FileSet::from_memory(files, name), name, true), name);
}
}  // namespace panocarbon::lca::legacy

using namespace panocarbon;
using namespace panocarbon::lca;

namespace {
// Doubles compared bit for bit (the readers must give the same numbers, not close ones).
bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// The first difference between two databases, or "" when they are identical.
std::string difference(const Database& a, const Database& b) {
  auto d = [](const std::string& what, const auto& x, const auto& y) {
    return fmt::format("{}: '{}' vs '{}'", what, x, y);
  };
  if (a.name != b.name) return d("name", a.name, b.name);
  if (a.format != b.format) return d("format", a.format, b.format);
  if (a.provenance != b.provenance) return d("provenance", a.provenance.dump(), b.provenance.dump());
  if (a.warnings != b.warnings) return d("warnings", fmt::format("{}", a.warnings.size()), b.warnings.size());
  if (a.flows.size() != b.flows.size()) return d("flows", a.flows.size(), b.flows.size());
  for (size_t i = 0; i < a.flows.size(); ++i) {
    const Flow &f = a.flows[i], &g = b.flows[i];
    const std::string w = "flow " + std::to_string(i) + " " + f.id;
    if (f.id != g.id || f.name != g.name || f.type != g.type || f.compartment != g.compartment || f.cas != g.cas ||
        f.unit != g.unit || f.property != g.property || f.location != g.location)
      return d(w, f.name + "|" + f.compartment + "|" + f.unit + "|" + f.property + "|" + f.cas + "|" + f.location,
               g.name + "|" + g.compartment + "|" + g.unit + "|" + g.property + "|" + g.cas + "|" + g.location);
    if (f.properties.size() != g.properties.size()) return d(w + " properties", f.properties.size(), g.properties.size());
    for (auto it = f.properties.begin(), jt = g.properties.begin(); it != f.properties.end(); ++it, ++jt)
      if (it->first != jt->first || !same(it->second, jt->second)) return d(w + " property", it->first, jt->first);
  }
  if (a.processes.size() != b.processes.size()) return d("processes", a.processes.size(), b.processes.size());
  for (size_t i = 0; i < a.processes.size(); ++i) {
    const Process &p = a.processes[i], &q = b.processes[i];
    const std::string w = "process " + p.id;
    if (p.id != q.id || p.name != q.name || p.location != q.location || p.category != q.category ||
        p.type != q.type || p.stage != q.stage || p.default_allocation != q.default_allocation)
      return d(w, p.id + "|" + p.name + "|" + p.location + "|" + p.category + "|" + p.type,
               q.id + "|" + q.name + "|" + q.location + "|" + q.category + "|" + q.type);
    if (p.documentation != q.documentation)
      return d(w + " documentation", p.documentation.dump(), q.documentation.dump());
    if (p.allocation.size() != q.allocation.size()) return d(w + " allocation", p.allocation.size(), q.allocation.size());
    for (size_t k = 0; k < p.allocation.size(); ++k) {
      const AllocationFactor &x = p.allocation[k], &y = q.allocation[k];
      if (x.method != y.method || x.product != y.product || x.exchange != y.exchange || !same(x.value, y.value))
        return d(w + " allocation factor " + std::to_string(k), x.value, y.value);
    }
    if (p.exchanges.size() != q.exchanges.size()) return d(w + " exchanges", p.exchanges.size(), q.exchanges.size());
    for (size_t k = 0; k < p.exchanges.size(); ++k) {
      const Exchange &x = p.exchanges[k], &y = q.exchanges[k];
      const std::string v = w + " exchange " + std::to_string(k);
      if (x.flow != y.flow || !same(x.amount, y.amount) || x.input != y.input || x.avoided != y.avoided ||
          x.reference != y.reference || x.provider != y.provider || x.id != y.id || x.formula != y.formula ||
          x.description != y.description)
        return d(v, fmt::format("{} {} {} {}", x.flow, x.amount, x.id, x.provider),
                 fmt::format("{} {} {} {}", y.flow, y.amount, y.id, y.provider));
      const Uncertainty &u = x.uncertainty, &t = y.uncertainty;
      if (u.kind != t.kind || !same(u.a, t.a) || !same(u.b, t.b) || !same(u.c, t.c) || !same(u.sigma_ln, t.sigma_ln) ||
          !same(u.basic_variance, t.basic_variance) || std::memcmp(u.pedigree, t.pedigree, sizeof u.pedigree) != 0)
        return d(v + " uncertainty", fmt::format("{} {} {} {}", static_cast<int>(u.kind), u.a, u.b, u.basic_variance),
                 fmt::format("{} {} {} {}", static_cast<int>(t.kind), t.a, t.b, t.basic_variance));
    }
  }
  return {};
}

const char* kUnits = R"({"@type":"UnitGroup","@id":"ug-mass","name":"Units of mass","units":[
  {"@id":"u-kg","name":"kg","referenceUnit":true,"conversionFactor":1.0},
  {"@id":"u-t","name":"t","conversionFactor":1000.0,"synonyms":["tonne"]},
  {"@id":"u-g","name":"g","conversionFactor":0.001}]})";
const char* kMass = R"({"@type":"FlowProperty","@id":"fp-mass","name":"Mass","unitGroup":{"@id":"ug-mass"}})";

// A package of `n` processes exercising the reader's corners: 1.x and 2.x names, repeated keys (the last
// wins), nulls, an integer beyond 64 bits (simdjson refuses it, nlohmann reads it as a double), flows missing
// from flows/ named by several processes and by an allocation factor, causal factors by internalId and by flow,
// categories by reference and by path, documentation, uncertainty of every kind, units by id, name, synonym.
std::map<std::string, std::string> corner_package(int n) {
  std::map<std::string, std::string> files = {
      {"unit_groups/ug-mass.json", kUnits},
      {"flow_properties/fp-mass.json", kMass},
      {"categories/c1.json", R"({"@id":"c1","name":"Elementary flows"})"},
      {"categories/c2.json", R"({"@id":"c2","name":"air","category":{"@id":"c1"}})"},
      {"locations/l1.json", R"({"@id":"l1","name":"Germany","code":"DE"})"},
      {"flows/co2.json", R"({"@id":"co2","name":"CO2","name":"Carbon dioxide, fossil","flowType":"ELEMENTARY_FLOW",
        "cas":"000124-38-9","category":{"@id":"c2"},
        "flowProperties":[{"isRefFlowProperty":true,"conversionFactor":1.0,"flowProperty":{"@id":"fp-mass"}}]})"},
      {"flows/ch4.json", R"({"@id":"ch4","name":"Methane","flowType":"ELEMENTARY_FLOW","cas":null,
        "category":"Elementary flows/air/unspecified","location":{"@id":"l1"},
        "flowProperties":[{"referenceFlowProperty":true,"conversionFactor":2.0,"flowProperty":{"@id":"fp-mass","name":"M"}}]})"}};
  for (int i = 0; i < n; ++i) {
    const std::string id = fmt::format("p{:03d}", i);
    files[fmt::format("flows/{}.json", id)] = fmt::format(
        R"({{"@id":"f{0}","name":"product {0}","flowType":"PRODUCT_FLOW","category":{{"@id":"nowhere","name":"Goods"}},
        "flowProperties":[{{"isRefFlowProperty":true,"conversionFactor":1.0,"flowProperty":{{"@id":"fp-mass"}}}}]}})",
        id);
    const std::string missing = i % 7 == 3 ? fmt::format(R"(,{{"isInput":true,"amount":{},"flow":{{"@id":"ghost{}",
        "name":"a flow flows/ lacks","flowType":"PRODUCT_FLOW"}},"unit":{{"name":"{}"}}}})",
                                                         i, i % 2, i % 2 ? "kg" : "t")
                                             : "";
    files[fmt::format("processes/{}.json", id)] = fmt::format(
        R"J({{"@id":"{0}","name":"process {1}","processType":"UNIT_PROCESS","location":{{"@id":"l{2}","name":"GLO"}},
        "category":{3},"defaultAllocationMethod":"{4}",
        "processDocumentation":{{"timeDescription":"2020","validFrom":null,"sources":[{{"name":"a"}},{{"name":"b"}}]}},
        "exchanges":[
          {{"isInput":false,"isQuantitativeReference":true,"amount":{5},"internalId":1,"flow":{{"@id":"f{0}"}},
            "unit":{{"@id":"u-t","name":"t"}},"flowProperty":{{"@id":"fp-mass"}},"@id":"x1","@id":"x1b"}},
          {{"input":false,"amount":1.5e-3,"internalId":99999999999999999999,"flow":{{"@id":"co2"}},
            "unit":{{"name":"tonne"}},"flowProperty":{{"@id":"fp-mass"}},"description":"com\u00e9 \"q\"",
            "uncertainty":{{"distributionType":"LOG_NORMAL_DISTRIBUTION","geomMean":1.5e-3,"geomSd":1.1}},
            "dqEntry":"(1;2;3;4;5)","baseUncertainty":1.05}},
          {{"isInput":false,"amount":{6},"internalId":3,"flow":{{"@id":"ch4"}},"unit":{{"@id":"u-g"}},
            "flowProperty":{{"@id":"fp-mass"}},"amountFormula":"2*x",
            "uncertainty":{{"distributionType":"TRIANGLE_DISTRIBUTION","min":1,"mode":2,"maximum":3}},
            "pedigreeUncertainty":"2;2;2;2;2"}},
          {{"isInput":true,"amount":-0,"flow":{{"@id":"f{7}"}},"defaultProvider":{{"@id":"{8}"}},"input":false,
            "uncertainty":{{"distributionType":"NORMAL_DISTRIBUTION","mean":0,"sd":1}}}},
          {{"isInput":true,"isInput":null,"input":true,"isAvoidedProduct":true,"amount":7,"flow":{{"@id":"f{7}"}},
            "uncertainty":{{"distributionType":"UNIFORM_DISTRIBUTION","minimum":6,"max":8}}}}{9}],
        "allocationFactors":[
          {{"allocationType":"CAUSAL_ALLOCATION","value":0.5,"product":{{"@id":"f{0}"}},"exchange":{{"internalId":3}}}},
          {{"allocationType":"ECONOMIC_ALLOCATION","value":0.25,"product":{{"@id":"ghost{10}"}}}},
          {{"allocationType":"PHYSICAL_ALLOCATION","value":0.75,"product":{{"@id":"f{0}"}},
            "exchange":{{"flow":{{"@id":"ch4"}}}}}},
          {{"value":1,"exchange":{{"@id":"nope"}}}}]}})J",
        id, i, i % 2 + 1, i % 3 ? "\"Goods/steel\"" : "{\"@id\":\"c2\"}",
        i % 2 ? "CAUSAL_ALLOCATION" : "PHYSICAL_ALLOCATION", 1 + i % 4, 0.1 * i, fmt::format("p{:03d}", (i + 1) % n),
        fmt::format("p{:03d}", (i + 1) % n), missing, i % 2);
  }
  return files;
}

void write_zip(const std::string& path, const std::map<std::string, std::string>& files, const std::string& top) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  ASSERT_NE(z, nullptr);
  for (const auto& [rel, text] : files) {
    zip_source_t* s = zip_source_buffer(z, text.data(), text.size(), 0);
    ASSERT_GE(zip_file_add(z, (top + rel).c_str(), s, ZIP_FL_OVERWRITE), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}
}  // namespace

// The real USLCI JSON-LD folder (766 processes, 4,601 flows, 32,526 exchanges) reads to the same Database with
// the simdjson reader as with the nlohmann reader it replaced: every string, flag and index equal, every double
// equal bit for bit.
TEST(JsonLdSimdjson, UslciEqualsTheNlohmannReader) {
  const std::string dir = std::string(PANOCARBON_SHARED_DATA) + "/lca/uslci-jsonld";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is not there";
  const Database now = read_jsonld(dir);
  const Database before = legacy::read_jsonld(dir);
  EXPECT_EQ(now.processes.size(), 766u);
  EXPECT_EQ(difference(now, before), "");
  EXPECT_EQ(difference(read_database(dir), before), "");
}

// The corners of the format (repeated keys, nulls, a 20-digit integer, flows missing from flows/ named by
// several processes, every kind of allocation factor and uncertainty), read on two threads (from memory, from a
// folder, from a zip whose files sit under a top folder) and on one: equal to the nlohmann reader's Database.
TEST(JsonLdSimdjson, CornersEqualTheNlohmannReaderOnAnyThreadsAndSource) {
  const auto files = corner_package(120);
  const Database before = legacy::read_jsonld_files(files, "corners");
  EXPECT_FALSE(before.warnings.empty());  // the missing flows were built
  EXPECT_EQ(difference(read_jsonld_files(files, "corners"), before), "");
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("jsonld-corners-{}", ::getpid());
  std::filesystem::remove_all(dir);
  for (const auto& [rel, text] : files) {
    std::filesystem::create_directories((dir / "corners" / rel).parent_path());
    std::ofstream(dir / "corners" / rel) << text;
  }
  const std::string folder = (dir / "corners").string();
  EXPECT_EQ(difference(read_jsonld(folder), legacy::read_jsonld(folder)), "");
  const std::string zip = (dir / "corners.zip").string();
  write_zip(zip, files, "export/");
  const Database z = read_database(zip), zl = legacy::read_jsonld(zip);
  EXPECT_EQ(z.processes.size(), 120u);
  EXPECT_EQ(difference(z, zl), "");
  ::setenv("PANOCARBON_THREADS", "1", 1);
  EXPECT_EQ(difference(read_jsonld_files(files, "corners"), before), "");
  EXPECT_EQ(difference(read_database(zip), zl), "");
  ::unsetenv("PANOCARBON_THREADS");
  std::filesystem::remove_all(dir);
}

// simdjson refuses nesting deeper than 1,024 levels where nlohmann read it: the message names the file and what
// to do. The first failing file in file order is the one named, whatever the threads.
TEST(JsonLdSimdjson, ErrorsNameTheFirstFailingFile) {
  auto files = corner_package(60);
  files["processes/p010.json"] = "{\"@id\":\"p010\",\"name\":" + std::string(1100, '[') + std::string(1100, ']') +
                                 ",\"exchanges\":[]}";
  try {
    read_jsonld_files(files, "mem");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, "mem:processes/p010.json") << e.what();
    EXPECT_NE(std::string(e.what()).find("nesting"), std::string::npos) << e.what();
  }
  files["processes/p040.json"] = "{\"@id\":\"p040\",\n\"exchanges\": [,]}";
  files["processes/p050.json"] = "{\"@id\":\"p050\",\"exchanges\": {}}";
  files["processes/p005.json"] = "{\"@id\":\"p005\",\n\n\"exchanges\": [1e400]}";
  try {
    read_jsonld_files(files, "mem");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, "mem:processes/p005.json") << e.what();
    EXPECT_EQ(e.context().line, 3) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a finite number"), std::string::npos) << e.what();
  }
  files.erase("processes/p005.json");
  files.erase("processes/p010.json");
  try {
    read_jsonld_files(files, "mem");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, "mem:processes/p040.json") << e.what();
    EXPECT_EQ(e.context().line, 2) << e.what();
    EXPECT_NE(std::string(e.what()).find("is not valid JSON"), std::string::npos) << e.what();
  }
}

// A zip member whose deflated bytes are damaged: libdeflate refuses it (or its CRC-32 differs), libzip reads it
// again and the error names the member inside the archive.
TEST(JsonLdSimdjson, DamagedZipMemberIsNamed) {
  const auto files = corner_package(40);
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("jsonld-damaged-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string zip = (dir / "damaged.zip").string();
  write_zip(zip, files, "");
  std::string bytes;
  {
    std::ifstream in(zip, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string name = "processes/p010.json";
  const size_t at = bytes.find(name);  // its local header; the deflated data follows the name (and extra fields)
  ASSERT_NE(at, std::string::npos);
  for (size_t k = at + name.size() + 80; k < at + name.size() + 120 && k < bytes.size(); ++k) bytes[k] ^= 0x5a;
  std::ofstream(zip, std::ios::binary | std::ios::trunc) << bytes;
  try {
    read_database(zip);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(zip + ":processes/p010.json"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}
