// openLCA JSON-LD (olca-schema 1.x and 2.x) into the LCA model: a folder or a .zip holding processes/,
// flows/, categories/, flow_properties/, unit_groups/ (and lcia_methods/, lcia_categories/ for methods).
// Every exchange amount is converted to its flow's reference unit:
//   amount_ref = amount × unit.conversionFactor / flowPropertyFactor(flow, exchange's flow property).
//
// The files are parsed with simdjson's DOM parser (Debian's libsimdjson), one parser per thread, on up to two
// threads; each file's fields are read in one pass over its objects (the last of repeated keys wins, as with
// nlohmann's DOM, the reader before issue 16). Everything that depends on the order of the files (the maps of
// units and categories, flows missing from flows/ built from the first exchange that names them) is done in
// file order on one thread, so the Database does not depend on the threads. A file simdjson refuses is parsed
// again with nlohmann::json for the message (its line, the key of an out-of-range number); where nlohmann
// accepts it (an integer beyond 64 bits, deeper nesting than simdjson's 1024 levels) its normalised text is
// read instead, so such files read as before.
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "io/byte_source.hpp"
#include "io/json_number.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/parallel.hpp"

namespace panocarbon::lca {
namespace {

using nlohmann::json;
namespace dom = simdjson::dom;

// ---- One JSON-LD package: its files grouped by folder ("processes" -> relative paths) ----------------------
struct Package {
  std::unique_ptr<io::FileSet> set;
  std::string path;    // as given (a zip is opened again by a second thread)
  std::string prefix;  // folder inside the set holding processes/ etc. ("" or "x/")
  std::map<std::string, std::vector<std::string>> folders;

  const std::vector<std::string>& files(const std::string& folder) const {
    static const std::vector<std::string> none;
    const auto it = folders.find(folder);
    return it == folders.end() ? none : it->second;
  }
};

// The message for a file that is not valid JSON, from nlohmann's parser (its byte offset -> line), or the
// out-of-range number's line and key. Returns normally when nlohmann accepts the text, with `j` set.
void nlohmann_parse(const std::string& text, const std::string& where, json& j) {
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    const size_t off = std::min<size_t>(e.byte, text.size());
    const long line = 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<long>(off), '\n'));
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} is not valid JSON ({}): fix or re-export the file", where, e.what()),
                ErrorContext{where, line});
  } catch (const json::exception& e) {  // a number out of range (1e400): name its line and key
    throw io::json_number_error(e, text, where);
  }
}

json load_nlohmann(const Package& p, const std::string& rel) {
  json j;
  nlohmann_parse(p.set->read_all(rel), p.set->display(rel), j);
  return j;
}

// PANOCARBON_TRACE=1: the time of each phase on stderr, and the threads' time reading the files' bytes and in
// simdjson's parse alone (summed over the threads: CPU seconds), for bench/lca_import_bench.py.
const bool kTrace = std::getenv("PANOCARBON_TRACE") != nullptr;
struct TraceTotals {
  std::atomic<uint64_t> read_ns{0}, parse_ns{0}, bytes{0}, files{0};
} g_totals;
using Clock = std::chrono::steady_clock;
uint64_t ns_since(Clock::time_point t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count());
}
void trace(const char* what, Clock::time_point t) {
  if (kTrace) fmt::print(stderr, "trace: {:<28} {:.6f} s\n", what, 1e-9 * static_cast<double>(ns_since(t)));
}

// One thread's parser: the document of the last file loaded lives until the next load.
class Reader {
 public:
  explicit Reader(const io::FileSet& set) : set_(&set) {}
  const io::FileSet& set() const { return *set_; }
  dom::element load(const std::string& rel) {
    const auto t0 = kTrace ? Clock::now() : Clock::time_point();
    set_->read_into(rel, text_, simdjson::SIMDJSON_PADDING);
    dom::element doc;
    const auto t1 = kTrace ? Clock::now() : Clock::time_point();
    const simdjson::error_code err = parser_.parse(text_).get(doc);
    if (kTrace) {
      g_totals.read_ns += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
      g_totals.parse_ns += ns_since(t1);
      g_totals.bytes += text_.size();
      ++g_totals.files;
    }
    if (!err) return doc;
    const std::string where = set_->display(rel);
    json j;
    nlohmann_parse(text_, where, j);  // throws the message of the reader before simdjson
    text_ = j.dump();                 // nlohmann accepted it: read its normalised text
    text_.reserve(text_.size() + simdjson::SIMDJSON_PADDING);
    if (parser_.parse(text_).get(doc))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("{} could not be read ({}): simplify the file (nesting under 1,000 levels) or "
                              "re-export it",
                              where, simdjson::error_message(err)),
                  ErrorContext{where});
    return doc;
  }

 private:
  const io::FileSet* set_;
  dom::parser parser_;
  std::string text_;
};

const char* const kFolders[] = {"processes",  "flows",       "categories",      "flow_properties",
                                "unit_groups", "lcia_methods", "lcia_categories", "locations"};

// `listed`: the set's all_files() when the caller has it already (a folder's listing walks every directory).
Package open_package(std::unique_ptr<io::FileSet> set, const std::string& path, bool need_processes,
                     std::vector<std::string> listed = {}) {
  Package p;
  p.set = std::move(set);
  p.path = path;
  const auto files = listed.empty() ? p.set->all_files() : std::move(listed);
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

// Parses `files` of the package on up to two threads: out[i] = fn(reader, i, rel, root element of file i).
// An error stops the files after it; the error of the first failing file (in file order) is thrown, so the
// message is the one a reading in file order would give.
template <class T, class Fn>
std::vector<T> parse_files(const Package& p, const std::vector<std::string>& files, Fn fn) {
  std::vector<T> out(files.size());
  std::vector<std::exception_ptr> errors(files.size());
  std::atomic<size_t> next{0}, first_error{files.size()};
  const size_t chunk = 16;
  auto work = [&](const io::FileSet& set) {
    Reader reader(set);
    for (;;) {
      const size_t begin = next.fetch_add(chunk);
      if (begin >= files.size()) break;
      const size_t end = std::min(files.size(), begin + chunk);
      for (size_t i = begin; i < end && i < first_error.load(); ++i) {
        try {
          out[i] = fn(reader, i, files[i], reader.load(files[i]));
        } catch (...) {
          errors[i] = std::current_exception();
          size_t seen = first_error.load();
          while (i < seen && !first_error.compare_exchange_weak(seen, i)) {
          }
        }
      }
    }
  };
  const int threads = files.size() < 2 * chunk ? 1 : std::min(2, parallel::thread_count(0));
  if (threads > 1) {
    // libzip's archive handle is for one thread: the second thread opens the zip again
    std::unique_ptr<io::FileSet> own;
    std::exception_ptr open_error;
    std::thread helper([&] {
      try {
        if (p.set->is_zip()) own = io::FileSet::open(p.path);
        work(own ? *own : *p.set);
      } catch (...) {
        open_error = std::current_exception();
      }
    });
    work(*p.set);
    helper.join();
    if (open_error && first_error.load() == files.size()) std::rethrow_exception(open_error);
  } else {
    work(*p.set);
  }
  if (first_error.load() < files.size()) std::rethrow_exception(errors[first_error.load()]);
  return out;
}

// ---- Fields of a parsed object ----------------------------------------------------------------------------
// A value that may be absent (its key missing), as nlohmann's find() gave it.
struct Val {
  dom::element e;
  bool has = false;
  bool present() const { return has && !e.is_null(); }  // there and not null
  bool is_object() const { return has && e.is_object(); }
  bool is_array() const { return has && e.is_array(); }
  bool is_string() const { return has && e.is_string(); }
  bool is_number() const { return has && e.is_number(); }
  bool is_integer() const { return has && (e.is_int64() || e.is_uint64()); }
  long long integer() const {
    int64_t i = 0;
    if (!e.get_int64().get(i)) return i;
    uint64_t u = 0;
    if (e.get_uint64().get(u)) return 0;
    return static_cast<long long>(u);
  }
  double number() const {
    double d = 0;
    if (e.get_double().get(d)) return 0;
    return d;
  }
  std::string_view view() const {
    std::string_view s;
    if (!has || e.get_string().get(s)) return {};
    return s;
  }
  std::string string() const { return std::string(view()); }
  bool truth() const {  // a boolean true
    bool b = false;
    return has && !e.get_bool().get(b) && b;
  }
};

// The elements of an array value (none when it is not an array).
dom::array elements(const dom::element& v) {
  dom::array a;
  if (v.get_array().get(a)) return {};
  return a;
}

// The value of `key` in `obj` (absent when obj is not an object); a repeated key: its last value.
Val get(const dom::element& obj, std::string_view key) {
  Val v;
  dom::object o;
  if (obj.get_object().get(o)) return v;
  for (const dom::key_value_pair kv : o)
    if (kv.key == key) v = {kv.value, true};
  return v;
}
Val get(const Val& obj, std::string_view key) { return obj.has ? get(obj.e, key) : Val{}; }

// The values of the keys `names` in one pass over the object (the last of a repeated key).
template <size_t N>
struct Fields {
  std::array<Val, N> v;
  Fields(const dom::element& obj, const std::array<std::string_view, N>& names) {
    dom::object o;
    if (obj.get_object().get(o)) return;
    for (const dom::key_value_pair kv : o)
      for (size_t i = 0; i < N; ++i)
        if (kv.key == names[i]) {
          v[i] = {kv.value, true};
          break;
        }
  }
  const Val& operator[](size_t i) const { return v[i]; }
  // A field under its 2.x name, else its 1.x name (null counts as absent).
  const Val* field(size_t v2, size_t v1) const {
    if (v[v2].present()) return &v[v2];
    if (v[v1].present()) return &v[v1];
    return nullptr;
  }
  bool flag(size_t v2, size_t v1) const {
    const Val* f = field(v2, v1);
    return f && f->truth();
  }
};

std::string str(const dom::element& j, std::string_view key) { return get(j, key).string(); }
std::string str(const Val& j, std::string_view key) { return get(j, key).string(); }
double num(const Val& v, double dflt = 0) { return v.is_number() ? v.number() : dflt; }
double num(const dom::element& j, std::string_view key, double dflt = 0) { return num(get(j, key), dflt); }
std::string ref_id(const Val& ref) { return ref.is_object() ? str(ref.e, "@id") : std::string(); }
std::string ref_id(const dom::element& j, std::string_view key) { return ref_id(get(j, key)); }
bool flag(const dom::element& j, std::string_view v2, std::string_view v1) {
  Val f = get(j, v2);
  if (!f.present()) f = get(j, v1);
  return f.present() && f.truth();
}

// ---- Units, categories, locations ---------------------------------------------------------------------------
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

struct UnitRead {
  std::string id, name;
  double factor = 1;
  bool reference = false;
  std::vector<std::string> synonyms;
};
struct GroupRead {
  std::string id;
  std::vector<UnitRead> units;
};

Units read_units(const Package& p) {
  Units u;
  const auto groups = parse_files<GroupRead>(p, p.files("unit_groups"), [](Reader&, size_t, const std::string&,
                                                                             const dom::element& g) {
    GroupRead r;
    r.id = str(g, "@id");
    const Val units = get(g, "units");
    if (!units.is_array()) return r;
    for (const dom::element un : elements(units.e)) {
      UnitRead x{str(un, "@id"), str(un, "name"), num(un, "conversionFactor", 1), flag(un, "isRefUnit", "referenceUnit"),
                 {}};
      const Val syn = get(un, "synonyms");
      if (syn.is_array())
        for (const dom::element s : elements(syn.e))
          if (s.is_string()) x.synonyms.push_back(Val{s, true}.string());
      r.units.push_back(std::move(x));
    }
    return r;
  });
  for (const auto& g : groups) {
    for (const auto& un : g.units) {
      if (un.reference) u.group_ref_unit[g.id] = un.name;
      auto& byname = u.group_by_name[g.id];
      byname[un.name] = un.factor;
      for (const auto& s : un.synonyms) byname.emplace(s, un.factor);
      u.by_id.emplace(un.id, UnitInfo{g.id, un.name, un.factor});
    }
  }
  struct PropertyRead {
    std::string id, group, name;
  };
  const auto props = parse_files<PropertyRead>(
      p, p.files("flow_properties"), [](Reader&, size_t, const std::string&, const dom::element& fp) {
        return PropertyRead{str(fp, "@id"), ref_id(fp, "unitGroup"), str(fp, "name")};
      });
  for (const auto& fp : props) {
    u.property_group[fp.id] = fp.group;
    u.property_name[fp.id] = fp.name;
  }
  return u;
}

using CategoryPaths = std::unordered_map<std::string, std::string>;

CategoryPaths read_category_paths(const Package& p) {
  struct CategoryRead {
    std::string id, name, parent;
  };
  const auto cats = parse_files<CategoryRead>(
      p, p.files("categories"), [](Reader&, size_t, const std::string&, const dom::element& c) {
        return CategoryRead{str(c, "@id"), str(c, "name"), ref_id(c, "category")};
      });
  std::unordered_map<std::string, std::pair<std::string, std::string>> raw;  // id -> (name, parent id)
  for (const auto& c : cats) raw[c.id] = {c.name, c.parent};
  CategoryPaths paths;
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
std::string category_of(const Val& c, const CategoryPaths& paths) {
  if (c.is_string()) return c.string();
  if (c.is_object()) {
    const auto p = paths.find(str(c.e, "@id"));
    if (p != paths.end()) return p->second;
    return str(c.e, "name");
  }
  return {};
}
// The same for a parsed nlohmann object (the flow references of impact factors).
std::string category_of(const json& j, const CategoryPaths& paths) {
  const auto it = j.find("category");
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    const auto id = it->find("@id");
    const auto p = paths.find(id != it->end() && id->is_string() ? id->get<std::string>() : std::string());
    if (p != paths.end()) return p->second;
    const auto nm = it->find("name");
    return nm != it->end() && nm->is_string() ? nm->get<std::string>() : std::string();
  }
  return {};
}

FlowType flow_type(std::string_view t) {
  if (t == "PRODUCT_FLOW") return FlowType::Product;
  if (t == "WASTE_FLOW") return FlowType::Waste;
  return FlowType::Elementary;
}

// ---- Flows ----------------------------------------------------------------------------------------------------
struct FlowRead {
  Flow flow;
  std::vector<std::pair<std::string, double>> factors;  // flow property id -> conversion factor, in file order
};

enum FlowKey : size_t { kFId, kFName, kFType, kFCategory, kFCas, kFLocation, kFProperties, kFN };
constexpr std::array<std::string_view, kFN> kFlowKeys = {"@id", "name", "flowType", "category",
                                                         "cas", "location", "flowProperties"};
enum FlowPropertyKey : size_t { kPProperty, kPFactor, kPIsRef, kPRef, kPN };
constexpr std::array<std::string_view, kPN> kFlowPropertyKeys = {"flowProperty", "conversionFactor",
                                                                 "isRefFlowProperty", "referenceFlowProperty"};

FlowRead read_flow(const Reader& reader, const std::string& rel, const dom::element& j, const Units& units,
                   const CategoryPaths& paths) {
  const Fields<kFN> k(j, kFlowKeys);
  FlowRead r;
  Flow& f = r.flow;
  f.id = k[kFId].string();
  if (f.id.empty())
    throw Error(ErrorCategory::InvalidInput, reader.set().display(rel) + " has no \"@id\": re-export the package",
                ErrorContext{reader.set().display(rel), 0, 0, "@id"});
  f.name = k[kFName].string();
  f.type = flow_type(k[kFType].view());
  f.compartment = category_of(k[kFCategory], paths);
  f.cas = k[kFCas].string();
  f.location = ref_id(k[kFLocation]);
  if (k[kFProperties].is_array()) {
    for (const dom::element fp : elements(k[kFProperties].e)) {
      const Fields<kPN> q(fp, kFlowPropertyKeys);
      const std::string fpid = ref_id(q[kPProperty]);
      const double factor = num(q[kPFactor], 1);
      r.factors.emplace_back(fpid, factor);
      const auto pn = units.property_name.find(fpid);
      const std::string pname = pn != units.property_name.end() ? pn->second
                                : q[kPProperty].is_object()     ? str(q[kPProperty].e, "name")
                                                                : std::string();
      if (q.flag(kPIsRef, kPRef)) {
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
  return r;
}

// ---- Processes --------------------------------------------------------------------------------------------------
Uncertainty read_uncertainty(const Val& unc, const Val& dq_entry, const Val& pedigree, const Val& base_unc) {
  Uncertainty u;
  // (pedigree scores without a distribution are read too: `lca montecarlo --pedigree` turns them into one)
  const std::string t = unc.is_object() ? str(unc.e, "distributionType") : "";
  auto n = [&](std::string_view key, double dflt = 0) { return num(unc.e, key, dflt); };
  if (t == "LOG_NORMAL_DISTRIBUTION") {
    u.kind = Uncertainty::Lognormal;
    u.a = n("geomMean");
    u.b = n("geomSd");
  } else if (t == "NORMAL_DISTRIBUTION") {
    u.kind = Uncertainty::Normal;
    u.a = n("mean");
    u.b = n("sd");
  } else if (t == "TRIANGLE_DISTRIBUTION") {
    u.kind = Uncertainty::Triangle;
    u.a = n("minimum", n("min"));
    u.b = n("mode");
    u.c = n("maximum", n("max"));
  } else if (t == "UNIFORM_DISTRIBUTION") {
    u.kind = Uncertainty::Uniform;
    u.a = n("minimum", n("min"));
    u.b = n("maximum", n("max"));
  }
  // "dqEntry": "(1;2;3;1;2)" (2.x) or "pedigreeUncertainty" (1.x) with the five indicators
  std::string_view dq = dq_entry.is_string() ? dq_entry.view() : std::string_view();
  if (dq.empty() && pedigree.is_string()) dq = pedigree.view();
  int k = 0;
  for (char c : dq)
    if (c >= '0' && c <= '9' && k < 5) u.pedigree[k++] = c - '0';
  // openLCA's "baseUncertainty" is the basic uncertainty factor of the pedigree approach (a GSD², 1 = none,
  // as the data quality factors; USLCI writes 1.0): stored as the variance of ln it stands for, (ln U / 2)²
  const double base = num(base_unc);
  u.basic_variance = base > 0 && std::isfinite(base) ? std::pow(std::log(base) / 2, 2) : 0;
  return u;
}

// What a process reads from the rest of the package. `flows` and `flow_ix` grow with the flows that exchanges
// name but flows/ lacks; that happens only in the ordered pass (`ordered`), a parallel pass gives up instead.
struct ProcessContext {
  const Units& units;
  const CategoryPaths& paths;
  const std::unordered_map<std::string, std::string>& location_code;
  const std::unordered_map<std::string, std::unordered_map<std::string, double>>& property_factor;
};

struct ProcessRead {
  Process process;
  size_t converted = 0;
  bool ordered = false;  // names a flow missing from flows/: to be read in the ordered pass
};

enum ProcessKey : size_t {
  kId, kName, kCategory, kType, kLocation, kDoc, kAllocationMethod, kExchanges, kAllocationFactors, kPN_
};
constexpr std::array<std::string_view, kPN_> kProcessKeys = {
    "@id", "name", "category", "processType", "location", "processDocumentation", "defaultAllocationMethod",
    "exchanges", "allocationFactors"};
enum ExchangeKey : size_t {
  kXFlow, kXAmount, kXUnit, kXProperty, kXIsInput, kXInput, kXIsAvoided, kXAvoided, kXIsRef, kXRef, kXProvider,
  kXId, kXInternal, kXFormula, kXDescription, kXUncertainty, kXDq, kXPedigree, kXBase, kXN
};
constexpr std::array<std::string_view, kXN> kExchangeKeys = {
    "flow", "amount", "unit", "flowProperty", "isInput", "input", "isAvoidedProduct", "avoidedProduct",
    "isQuantitativeReference", "quantitativeReference", "defaultProvider", "@id", "internalId", "amountFormula",
    "description", "uncertainty", "dqEntry", "pedigreeUncertainty", "baseUncertainty"};

// The flows an ordered pass may add to (those exchanges name and flows/ lacks) and their count.
struct MissingFlows {
  std::vector<Flow>& flows;
  std::unordered_map<std::string, int32_t>& flow_ix;
  size_t count = 0;
};

// Reads one process against `flows` / `flow_ix`. With `missing` (the ordered pass: the same tables), a flow
// that flows/ lacks is built from the exchange's reference and appended; without it, the process is handed to
// the ordered pass instead (ProcessRead::ordered).
ProcessRead read_process(const Reader& reader, const std::string& rel, const dom::element& j,
                         const ProcessContext& ctx, const std::vector<Flow>& flows,
                         const std::unordered_map<std::string, int32_t>& flow_ix, MissingFlows* missing) {
  ProcessRead out;
  const std::string where = reader.set().display(rel);
  const Fields<kPN_> k(j, kProcessKeys);
  Process& pr = out.process;
  pr.id = k[kId].string();
  pr.name = k[kName].string();
  pr.category = category_of(k[kCategory], ctx.paths);
  pr.type = k[kType].string();
  if (k[kLocation].is_object()) {
    const auto lc = ctx.location_code.find(str(k[kLocation].e, "@id"));
    pr.location = lc != ctx.location_code.end() ? lc->second : str(k[kLocation].e, "name");
  }
  if (k[kDoc].present()) {
    for (const char* key : {"timeDescription", "validFrom", "validUntil", "geographyDescription",
                            "technologyDescription", "samplingDescription", "dataTreatmentDescription",
                            "completenessDescription"})
      if (const Val v = get(k[kDoc], key); v.is_string()) pr.documentation[key] = v.string();
    if (const Val s = get(k[kDoc], "sources"); s.is_array())
      for (const dom::element src : elements(s.e)) pr.documentation["sources"].push_back(str(src, "name"));
  }
  if (const std::string dam = k[kAllocationMethod].string(); !dam.empty()) pr.default_allocation = parse_allocation(dam);
  if (!k[kExchanges].is_array())
    throw Error(ErrorCategory::InvalidInput, where + " has no \"exchanges\" array: re-export the process",
                ErrorContext{where, 0, 0, "exchanges"});
  const dom::array exs = elements(k[kExchanges].e);
  pr.exchanges.reserve(exs.size());
  std::unordered_map<long long, int32_t> by_internal;  // 2.x internalId -> exchange index
  const Units& units = ctx.units;
  long row = 0;
  for (const dom::element e : exs) {
    ++row;
    const Fields<kXN> x_(e, kExchangeKeys);
    Exchange x;
    const Val& fl = x_[kXFlow];
    const std::string fid = fl.is_object() ? str(fl.e, "@id") : std::string();
    const auto fit = flow_ix.find(fid);
    if (fit == flow_ix.end()) {
      // a flow that is not in flows/: build it from the reference (name and type only)
      if (fid.empty())
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("{}: exchange {} has no flow reference: fix or re-export the process", where, row),
                    ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].flow"});
      if (!missing) {
        out.ordered = true;
        return out;
      }
      Flow f;
      f.id = fid;
      f.name = str(fl.e, "name");
      f.type = flow_type(get(fl.e, "flowType").view());
      f.unit = x_[kXUnit].has ? str(x_[kXUnit], "name") : "";
      missing->flow_ix.emplace(fid, static_cast<int32_t>(missing->flows.size()));
      missing->flows.push_back(std::move(f));
      ++missing->count;
      x.flow = static_cast<int32_t>(flows.size() - 1);
    } else {
      x.flow = fit->second;
    }
    const Flow& flow = flows[static_cast<size_t>(x.flow)];
    const Val& amount = x_[kXAmount];
    if (!amount.present() || !amount.is_number())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("{}: exchange {} ({}) has no numeric \"amount\": fix or re-export the process", where,
                              row, flow.name),
                  ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].amount"});
    x.amount = amount.number();
    // unit conversion to the flow's reference unit
    const std::string uid = ref_id(x_[kXUnit]);
    const std::string uname = x_[kXUnit].is_object() ? str(x_[kXUnit].e, "name") : "";
    const std::string fpid = ref_id(x_[kXProperty]);
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
      const auto pf = ctx.property_factor.find(flow.id);
      if (pf != ctx.property_factor.end()) {
        const auto f = pf->second.find(fpid);
        if (f != pf->second.end() && f->second != 0) pfactor = f->second;
      }
    }
    if (ufactor != 1 || pfactor != 1) {
      x.amount = x.amount * ufactor / pfactor;
      ++out.converted;
      if (!std::isfinite(x.amount))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("{}: exchange {} ({}): amount {} × unit factor {} / flow property factor {} is not a "
                                "finite number: fix the amount or the conversion factors",
                                where, row, flow.name, amount.number(), ufactor, pfactor),
                    ErrorContext{where, 0, 0, "exchanges[" + std::to_string(row - 1) + "].amount"});
    }
    x.input = x_.flag(kXIsInput, kXInput);
    x.avoided = x_.flag(kXIsAvoided, kXAvoided);
    x.reference = x_.flag(kXIsRef, kXRef);
    x.provider = ref_id(x_[kXProvider]);
    x.id = x_[kXId].string();
    if (const Val& iid = x_[kXInternal]; iid.present() && iid.is_integer()) {
      by_internal[iid.integer()] = static_cast<int32_t>(pr.exchanges.size());
      if (x.id.empty()) x.id = std::to_string(iid.integer());
    }
    x.formula = x_[kXFormula].string();
    x.description = x_[kXDescription].string();
    x.uncertainty = read_uncertainty(x_[kXUncertainty], x_[kXDq], x_[kXPedigree], x_[kXBase]);
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
  if (k[kAllocationFactors].is_array()) {
    for (const dom::element a : elements(k[kAllocationFactors].e)) {
      AllocationFactor af;
      const std::string t = str(a, "allocationType");
      af.method = t == "CAUSAL_ALLOCATION"     ? AllocationMethod::Causal
                  : t == "ECONOMIC_ALLOCATION" ? AllocationMethod::Economic
                                               : AllocationMethod::Physical;
      af.value = num(a, "value");
      const std::string product = ref_id(a, "product");
      const auto pf = flow_ix.find(product);
      if (pf == flow_ix.end() && !product.empty() && !missing) {  // may be a flow an earlier process built
        out.ordered = true;
        return out;
      }
      af.product = pf == flow_ix.end() ? -1 : pf->second;
      if (const Val ex = get(a, "exchange"); ex.is_object()) {
        Val iid = get(ex, "internalId");
        if (iid.present() && iid.is_integer()) {
          const auto bi = by_internal.find(iid.integer());
          if (bi != by_internal.end()) af.exchange = bi->second;
        } else {
          // 1.x: the exchange is identified by its flow (and @id when given)
          const std::string xid = str(ex, "@id");
          const Val xfv = get(ex, "flow");
          const std::string xf = xfv.has ? ref_id(xfv) : std::string();
          for (size_t i = 0; i < pr.exchanges.size(); ++i) {
            const auto& x = pr.exchanges[i];
            if ((!xid.empty() && x.id == xid) ||
                (xid.empty() && !xf.empty() && flows[static_cast<size_t>(x.flow)].id == xf)) {
              af.exchange = static_cast<int32_t>(i);
              break;
            }
          }
        }
        if (af.exchange < 0) continue;  // a causal factor for an exchange the process does not have
      }
      pr.allocation.push_back(af);
    }
  }
  return out;
}

Database read_package(const Package& p, const std::string& path) {
  auto t = Clock::now();
  const Units units = read_units(p);
  const auto paths = read_category_paths(p);
  trace("jsonld units, categories", t);
  t = Clock::now();
  Database db;
  db.format = "openlca-jsonld";
  db.name = std::filesystem::path(path).stem().string();

  // Flows with their reference unit and the factors of their flow properties.
  std::unordered_map<std::string, std::unordered_map<std::string, double>> property_factor;  // flow -> fp -> factor
  {
    auto read = parse_files<FlowRead>(p, p.files("flows"),
                                      [&](Reader& r, size_t, const std::string& rel, const dom::element& j) {
                                        return read_flow(r, rel, j, units, paths);
                                      });
    db.flows.reserve(read.size());
    for (auto& f : read) {
      auto& factors = property_factor[f.flow.id];
      for (const auto& [fpid, factor] : f.factors) factors[fpid] = factor;
      db.flows.push_back(std::move(f.flow));
    }
  }
  trace("jsonld flows", t);
  t = Clock::now();
  std::unordered_map<std::string, int32_t> flow_ix;
  flow_ix.reserve(db.flows.size());
  for (size_t i = 0; i < db.flows.size(); ++i) flow_ix.emplace(db.flows[i].id, static_cast<int32_t>(i));

  std::unordered_map<std::string, std::string> location_code;
  {
    const auto locs = parse_files<std::pair<std::string, std::string>>(
        p, p.files("locations"), [](Reader&, size_t, const std::string&, const dom::element& l) {
          std::string code = str(l, "code");
          return std::make_pair(str(l, "@id"), code.empty() ? str(l, "name") : code);
        });
    for (const auto& [id, code] : locs) location_code[id] = code;
  }

  // Processes on the threads against the flows of flows/; those that name a flow flows/ lacks are read again,
  // in file order, where the missing flows are built.
  const ProcessContext ctx{units, paths, location_code, property_factor};
  const auto& files = p.files("processes");
  auto read = parse_files<ProcessRead>(
      p, files, [&](Reader& r, size_t, const std::string& rel, const dom::element& j) {
        return read_process(r, rel, j, ctx, db.flows, flow_ix, nullptr);  // reads the tables, never writes
      });
  trace("jsonld processes", t);
  t = Clock::now();
  size_t converted = 0;
  MissingFlows missing{db.flows, flow_ix};
  db.processes.reserve(files.size());
  Reader ordered(*p.set);
  for (size_t i = 0; i < files.size(); ++i) {
    if (read[i].ordered)
      read[i] = read_process(ordered, files[i], ordered.load(files[i]), ctx, db.flows, flow_ix, &missing);
    converted += read[i].converted;
    db.processes.push_back(std::move(read[i].process));
  }
  std::sort(db.processes.begin(), db.processes.end(), [](const Process& a, const Process& b) { return a.id < b.id; });
  db.index();
  trace("jsonld ordered pass, index", t);
  if (kTrace)
    fmt::print(stderr, "trace: {:<28} {:.6f} s\ntrace: {:<28} {:.6f} s\ntrace: jsonld {} files, {} bytes\n",
               "jsonld read bytes (threads)", 1e-9 * static_cast<double>(g_totals.read_ns.load()),
               "jsonld parse (threads)", 1e-9 * static_cast<double>(g_totals.parse_ns.load()), g_totals.files.load(),
               g_totals.bytes.load());
  db.provenance = {{"path", path},
                   {"format", db.format},
                   {"processes", db.processes.size()},
                   {"flows", db.flows.size()},
                   {"converted_exchanges", converted}};
  if (missing.count)
    db.warnings.push_back(fmt::format("{} flows referenced by exchanges are missing from flows/: built from the "
                                      "references (no compartment, no CAS)",
                                      missing.count));
  return db;
}

}  // namespace

Database read_jsonld(const std::string& path) { return read_package(open_package(path, true), path); }

Database read_jsonld_files(const std::map<std::string, std::string>& files, const std::string& name) {
  return read_package(open_package(io::FileSet::from_memory(files, name), name, true), name);
}

// ---- LCIA methods in JSON-LD -----------------------------------------------------------------------------
namespace {
// nlohmann helpers for the method files (few and small; their flows come from the simdjson reader)
std::string jstr(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double jnum(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}
std::string jref_id(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return {};
  return jstr(*it, "@id");
}

// The methods of an open package, read with their categories and the package's flows.
class MethodPackage {
 public:
  MethodPackage(const Package& p, const std::string& path) : path_(path) {
    paths_ = read_category_paths(p);
    for (const auto& rel : p.files("lcia_categories")) {
      json c = load_nlohmann(p, rel);
      const std::string id = jstr(c, "@id");  // before the move: json's operator= takes its argument by value
      categories_[id] = std::move(c);
    }
    // flows of the package, for names, compartments and CAS of the factors
    const auto flows = parse_files<std::pair<std::string, FlowInfo>>(
        p, p.files("flows"), [&](Reader&, size_t, const std::string&, const dom::element& f) {
          return std::make_pair(str(f, "@id"),
                                FlowInfo{str(f, "name"), str(f, "cas"), category_of(get(f, "category"), paths_)});
        });
    for (const auto& [id, info] : flows) flows_[id] = info;
    for (const auto& rel : p.files("lcia_methods")) {
      methods_.push_back(load_nlohmann(p, rel));
      names_.push_back(jstr(methods_.back(), "name"));
    }
  }
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<json>& methods() const { return methods_; }

  Method method(size_t pick) const {
    const json& m = methods_[pick];
    Method out;
    out.name = names_[pick];
    out.source = path_;
    const auto cats = m.find("impactCategories");
    if (cats == m.end() || !cats->is_array()) return out;
    for (const auto& cref : *cats) out.categories.push_back(category(out.name, cref));
    return out;
  }

 private:
  struct FlowInfo {
    std::string name, cas, compartment;  // compartment: the category path
  };

  ImpactCategory category(const std::string& method, const json& cref) const {
    const std::string cid = jstr(cref, "@id");
    const auto cit = categories_.find(cid);
    if (cit == categories_.end())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("method '{}' refers to impact category {} ({}) which is not in lcia_categories/: "
                              "export the method with its categories",
                              method, cid, jstr(cref, "name")),
                  ErrorContext{path_});
    const json& c = cit->second;
    ImpactCategory ic;
    ic.name = jstr(c, "name");
    ic.unit = jstr(c, "referenceUnitName").empty() ? jstr(c, "referenceUnit") : jstr(c, "referenceUnitName");
    const auto fs = c.find("impactFactors");
    if (fs == c.end() || !fs->is_array()) return ic;
    for (const auto& f : *fs) {
      CharacterisationFactor cf;
      cf.flow_id = jref_id(f, "flow");
      cf.flow_name = f.contains("flow") ? jstr(f["flow"], "name") : "";
      cf.value = jnum(f, "value");
      cf.match_by_cas = false;  // CAS alone cannot tell fossil from biogenic CO2: name + compartment (+ CAS)
      const auto fl = flows_.find(cf.flow_id);
      if (fl != flows_.end()) {
        cf.compartment = compartment_kind(fl->second.compartment);
        cf.cas = fl->second.cas;
        if (cf.flow_name.empty()) cf.flow_name = fl->second.name;
      } else if (f.contains("flow") && f["flow"].contains("category")) {
        cf.compartment = compartment_kind(category_of(f["flow"], paths_));
      }
      ic.factors.push_back(std::move(cf));
    }
    return ic;
  }

  std::string path_;
  CategoryPaths paths_;
  std::unordered_map<std::string, json> categories_;
  std::unordered_map<std::string, FlowInfo> flows_;
  std::vector<json> methods_;
  std::vector<std::string> names_;
};
}  // namespace

Method read_method_jsonld(const std::string& path, const std::string& name) {
  const Package p = open_package(path, false);
  if (p.files("lcia_methods").empty())
    throw Error(ErrorCategory::InvalidInput,
                path + " holds no lcia_methods/*.json: give an openLCA JSON-LD package that contains LCIA methods",
                ErrorContext{path});
  const MethodPackage mp(p, path);
  const auto& names = mp.names();
  size_t pick = names.size();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name || jstr(mp.methods()[i], "@id") == name) pick = i;
  if (pick == names.size()) {
    if (names.size() == 1 && name.empty()) {
      pick = 0;
    } else {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : "; ") + n;
      throw Error(ErrorCategory::NotFound,
                  fmt::format("{} has {} LCIA methods; choose one with --name (one of: {})", path, names.size(), list),
                  ErrorContext{path, 0, 0, "name"});
    }
  }
  return mp.method(pick);
}

namespace {
std::vector<Method> methods_of(const Package& p, const std::string& path) {
  if (p.files("lcia_methods").empty()) return {};
  const MethodPackage mp(p, path);
  std::vector<Method> out;
  for (size_t i = 0; i < mp.names().size(); ++i) out.push_back(mp.method(i));
  return out;
}

Database read_any(const std::string& path, std::vector<Method>* methods) {
  // EcoSpold2 when the set holds .spold files and no JSON-LD processes.
  auto t = Clock::now();
  auto set = io::FileSet::open(path, "an openLCA JSON-LD folder or .zip, or EcoSpold2 .spold files");
  bool spold = false, jsonld = false;
  std::vector<std::string> files = set->all_files();  // listed once, for the format and the package
  trace("jsonld list files", t);
  for (const auto& f : files) {
    if (f.size() > 6 && f.compare(f.size() - 6, 6, ".spold") == 0) spold = true;
    if (f.find("processes/") != std::string::npos && f.size() > 5 && f.compare(f.size() - 5, 5, ".json") == 0)
      jsonld = true;
  }
  if (spold && !jsonld) return read_ecospold2(path);
  const Package p = open_package(std::move(set), path, true, std::move(files));  // the set already open
  Database db = read_package(p, path);
  if (methods) *methods = methods_of(p, path);
  return db;
}
}  // namespace

std::vector<Method> read_methods_jsonld(const std::string& path) { return methods_of(open_package(path, false), path); }

Database read_database(const std::string& path) { return read_any(path, nullptr); }

Database read_database(const std::string& path, std::vector<Method>& methods) {
  methods.clear();
  return read_any(path, &methods);
}

}  // namespace panocarbon::lca
