// EcoSpold2 (.spold files in a folder or a .zip) into the LCA model.
//
// One process per activityDataset / childActivityDataset (id = activity/@id), one flow per distinct
// intermediateExchangeId (product or waste) and elementaryExchangeId. Directions: inputGroup 5 (from
// technosphere) and 4 (from environment) are inputs; outputGroup 0 is the reference product, 2 a by-product,
// 3 a waste for treatment (openLCA's export of a waste output), 4 an emission. activityLinkId is the
// default provider. Waste treatment in ecoinvent style (a NEGATIVE reference product) is turned into the
// openLCA convention the JSON-LD reader gives: the flow is a waste flow, the treatment has it as a positive
// reference input, and a negative technosphere input of it elsewhere becomes a positive waste output.
// Amounts of a flow whose unit differs between exchanges are converted to the canonical unit of the flow's
// quantity (kg, MJ, m3, kBq, ...; io/lca_units.hpp). What USLCI's openLCA export contains and how the
// reader treats it is written down in docs/lca-formats.md.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <unordered_map>

#include "io/byte_source.hpp"
#include "lca/units.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca {
namespace {

// ---- XML helpers (namespace prefixes ignored: elements are matched by local name) -------------------------
std::string_view local(const char* name) {
  std::string_view s(name);
  const auto colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node n, std::string_view name) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local(c.name()) == name) return c;
  return {};
}

template <class F>
void each_child(pugi::xml_node n, std::string_view name, F&& f) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local(c.name()) == name) f(c);
}

// Text of a (multilingual) child element: the English one, else one without language, else the first.
std::string text(pugi::xml_node n, std::string_view name) {
  pugi::xml_node pick, plain, first;
  each_child(n, name, [&](pugi::xml_node c) {
    if (!first) first = c;
    const pugi::xml_attribute lang = c.attribute("xml:lang");
    if (!lang && !plain) plain = c;
    if (lang && std::string_view(lang.value()) == "en" && !pick) pick = c;
  });
  const pugi::xml_node n2 = pick ? pick : plain ? plain : first;
  return n2 ? std::string(n2.child_value()) : std::string();
}

// The <text> (or <comment> text) paragraphs of a comment element, joined by blank lines.
std::string comment_text(pugi::xml_node comment) {
  if (!comment) return {};
  std::string out;
  bool any = false;
  each_child(comment, "text", [&](pugi::xml_node t) {
    const pugi::xml_attribute lang = t.attribute("xml:lang");
    if (lang && std::string_view(lang.value()) != "en") return;
    if (any) out += "\n\n";
    out += t.child_value();
    any = true;
  });
  if (!any) out = comment.child_value();
  return out;
}

bool parse_number(std::string_view s, double& out) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  // "inf", "nan" parse: the callers refuse what is not finite, naming the attribute (or accept openLCA's
  // variance="Infinity" where it means a geometric SD of 0).
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

int parse_int(const std::string& s, int dflt) {
  double v = 0;
  // Beyond int a cast is undefined behaviour; no group or pedigree score is that large.
  return parse_number(s, v) && std::abs(v) < 1e9 ? static_cast<int>(v) : dflt;
}

// ---- one parsed file -----------------------------------------------------------------------------------------
struct Property {
  std::string name, unit;
  double amount = 0;
};

struct RawExchange {
  bool elementary = false;
  std::string flow_id, name, unit, compartment, subcompartment, cas, classification;
  std::string id, link, formula, comment;
  double amount = 0;
  int input_group = -1, output_group = -1;
  Uncertainty uncertainty;
  std::vector<Property> properties;
};

struct RawProcess {
  Process process;
  std::string activity_id, parent_id, where;
  std::vector<RawExchange> exchanges;
};

// Master data of elementary flows (usedUserMasterData): compartment and CAS when the exchange lacks them.
struct MasterFlow {
  std::string compartment, subcompartment, cas;
};

// Offsets of line starts, for line/column of a byte offset.
struct Lines {
  std::vector<size_t> starts{0};
  explicit Lines(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts.push_back(i + 1);
  }
  std::pair<long, long> at(ptrdiff_t offset) const {
    if (offset < 0) return {0, 0};
    const auto it = std::upper_bound(starts.begin(), starts.end(), static_cast<size_t>(offset));
    const size_t line = static_cast<size_t>(it - starts.begin());
    return {static_cast<long>(line), static_cast<long>(static_cast<size_t>(offset) - starts[line - 1] + 1)};
  }
};

class FileParser {
 public:
  FileParser(const std::string& where, const std::string& text, std::unordered_map<std::string, MasterFlow>& master,
             size_t& invalid_lognormal, size_t& unknown_distributions)
      : where_(where), lines_(text), master_(master), invalid_lognormal_(invalid_lognormal),
        unknown_distributions_(unknown_distributions) {
    const pugi::xml_parse_result r = doc_.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_auto);
    if (!r) {
      const auto [line, col] = lines_.at(r.offset);
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("{} is not well-formed XML ({}, byte {}): fix or re-export the EcoSpold2 file",
                              where_, r.description(), r.offset),
                  ErrorContext{where_, line, col});
    }
  }

  RawProcess parse() {
    pugi::xml_node root = doc_.document_element();
    pugi::xml_node ds;
    if (local(root.name()) == "ecoSpold") {
      ds = child(root, "activityDataset");
      if (!ds) ds = child(root, "childActivityDataset");
    } else if (local(root.name()) == "activityDataset" || local(root.name()) == "childActivityDataset") {
      ds = root;
    }
    if (!ds) missing(root, "ecoSpold/activityDataset (or childActivityDataset)");
    const pugi::xml_node desc = require(ds, "activityDescription", "activityDescription");
    const pugi::xml_node act = require(desc, "activity", "activityDescription/activity");
    RawProcess rp;
    rp.where = where_;
    rp.activity_id = act.attribute("id").value();
    if (rp.activity_id.empty()) missing(act, "activityDescription/activity/@id");
    rp.parent_id = act.attribute("parentActivityId").value();
    Process& p = rp.process;
    p.id = rp.activity_id;
    if (!child(act, "activityName")) missing(act, "activityDescription/activity/activityName");
    p.name = text(act, "activityName");
    p.type = std::string_view(act.attribute("type").value()) == "2" ? "LCI_RESULT" : "UNIT_PROCESS";
    p.location = text(child(desc, "geography"), "shortname");
    // category: ISIC when classified that way (as openLCA's import does), else the first classification
    std::string isic, other;
    each_child(desc, "classification", [&](pugi::xml_node c) {
      const std::string system = text(c, "classificationSystem"), value = text(c, "classificationValue");
      if (value.empty()) return;
      if (system.rfind("ISIC", 0) == 0 && isic.empty()) isic = value;
      if (other.empty()) other = value;
    });
    p.category = !isic.empty() ? isic : other;
    documentation(ds, desc, act, p.documentation);

    const pugi::xml_node flow_data = require(ds, "flowData", "flowData");
    for (pugi::xml_node x = flow_data.first_child(); x; x = x.next_sibling()) {
      if (x.type() != pugi::node_element) continue;
      const std::string_view tag = local(x.name());
      if (tag == "intermediateExchange")
        rp.exchanges.push_back(exchange(x, false));
      else if (tag == "elementaryExchange")
        rp.exchanges.push_back(exchange(x, true));
    }
    // master data: compartments and CAS numbers of elementary flows
    if (pugi::xml_node umd = child(root, "usedUserMasterData")) {
      each_child(umd, "elementaryExchange", [&](pugi::xml_node e) {
        const std::string id = e.attribute("id").value();
        if (id.empty()) return;
        MasterFlow& m = master_[id];
        if (const pugi::xml_node c = child(e, "compartment"); c && m.compartment.empty()) {
          m.compartment = text(c, "compartment");
          m.subcompartment = text(c, "subcompartment");
        }
        if (m.cas.empty()) m.cas = e.attribute("casNumber").value();
      });
    }
    return rp;
  }

 private:
  [[noreturn]] void missing(pugi::xml_node near, const std::string& what) const {
    const auto [line, col] = lines_.at(near ? near.offset_debug() : -1);
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{}: required EcoSpold2 element {} is missing: fix or re-export the dataset", where_,
                            what),
                ErrorContext{where_, line, col, what});
  }
  pugi::xml_node require(pugi::xml_node n, std::string_view name, const std::string& path) const {
    pugi::xml_node c = child(n, name);
    if (!c) missing(n, path);
    return c;
  }
  double number(pugi::xml_node x, const char* attr, const std::string& what) const {
    const pugi::xml_attribute a = x.attribute(attr);
    if (!a) missing(x, what + "/@" + attr);
    double v = 0;
    if (!parse_number(a.value(), v) || !std::isfinite(v)) not_finite(x, a, what);
    return v;
  }
  // An optional attribute: absent or unreadable gives `dflt`; a number that is not finite (INF, NaN, 1e400) stops
  // the import unless `infinite_ok` (openLCA writes variance="Infinity" for a geometric SD of 0).
  double optional_number(pugi::xml_node x, const char* attr, double dflt = 0, bool infinite_ok = false) const {
    double v = dflt;
    const pugi::xml_attribute a = x.attribute(attr);
    if (!a) return v;
    if (!parse_number(a.value(), v)) {
      if (!infinite_ok && is_overflow(a.value())) not_finite(x, a, "uncertainty/" + std::string(local(x.name())));
      return dflt;
    }
    if (!std::isfinite(v) && !infinite_ok) not_finite(x, a, "uncertainty/" + std::string(local(x.name())));
    return v;
  }
  static bool is_overflow(std::string_view s) {
    double v = 0;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    return std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc::result_out_of_range;
  }
  [[noreturn]] void not_finite(pugi::xml_node x, pugi::xml_attribute a, const std::string& what) const {
    const auto [line, col] = lines_.at(x.offset_debug());
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{}: {} {}=\"{}\" is not a finite number: give a finite decimal number (fix or re-export "
                            "the dataset)",
                            where_, what, a.name(), a.value()),
                ErrorContext{where_, line, col, what + "/@" + a.name()});
  }

  void documentation(pugi::xml_node ds, pugi::xml_node desc, pugi::xml_node act, nlohmann::json& doc) const {
    if (const pugi::xml_node t = child(desc, "timePeriod")) {
      if (*t.attribute("startDate").value()) doc["validFrom"] = t.attribute("startDate").value();
      if (*t.attribute("endDate").value()) doc["validUntil"] = t.attribute("endDate").value();
      if (const std::string c = comment_text(child(t, "comment")); !c.empty()) doc["timeDescription"] = c;
    }
    if (const std::string c = comment_text(child(child(desc, "geography"), "comment")); !c.empty())
      doc["geographyDescription"] = c;
    if (const std::string c = comment_text(child(child(desc, "technology"), "comment")); !c.empty())
      doc["technologyDescription"] = c;
    if (const std::string c = comment_text(child(act, "generalComment")); !c.empty()) doc["generalComment"] = c;
    const pugi::xml_node mv = child(ds, "modellingAndValidation");
    if (const std::string s = text(child(mv, "representativeness"), "samplingProcedure"); !s.empty())
      doc["samplingDescription"] = s;
    if (const std::string s = text(child(mv, "representativeness"), "extrapolations"); !s.empty())
      doc["extrapolations"] = s;
    const pugi::xml_node pub = child(child(ds, "administrativeInformation"), "dataGeneratorAndPublication");
    if (const std::string a = pub.attribute("publishedSourceFirstAuthor").value(); !a.empty()) {
      std::string s = a;
      while (!s.empty() && s.back() == ' ') s.pop_back();
      if (const std::string y = pub.attribute("publishedSourceYear").value(); !y.empty()) s += " (" + y + ")";
      doc["sources"] = nlohmann::json::array({s});
    }
  }

  Uncertainty uncertainty(pugi::xml_node u) const {
    Uncertainty out;
    if (!u) return out;
    if (const pugi::xml_node d = child(u, "lognormal")) {
      out.kind = Uncertainty::Lognormal;
      out.a = optional_number(d, "meanValue");
      const double basic = optional_number(d, "variance", NAN, true);
      const double total = optional_number(d, "varianceWithPedigreeUncertainty", basic, true);
      if (std::isfinite(total) && total >= 0) {
        out.sigma_ln = std::sqrt(total);
        out.b = std::exp(out.sigma_ln);
      } else {
        ++invalid_lognormal_;  // openLCA writes variance = (ln gsd)², Infinity for a geometric SD of 0
      }
      out.basic_variance = std::isfinite(basic) && basic >= 0 ? basic : 0;
    } else if (const pugi::xml_node n = child(u, "normal")) {
      out.kind = Uncertainty::Normal;
      out.a = optional_number(n, "meanValue");
      const double basic = optional_number(n, "variance", 0, true);
      const double total = optional_number(n, "varianceWithPedigreeUncertainty", basic, true);
      out.b = std::isfinite(total) && total >= 0 ? std::sqrt(total) : 0;
      out.basic_variance = std::isfinite(basic) && basic >= 0 ? basic : 0;
    } else if (const pugi::xml_node t = child(u, "triangular")) {
      out.kind = Uncertainty::Triangle;
      out.a = optional_number(t, "minValue");
      out.b = optional_number(t, "mostLikelyValue");
      out.c = optional_number(t, "maxValue");
    } else if (const pugi::xml_node f = child(u, "uniform")) {
      out.kind = Uncertainty::Uniform;
      out.a = optional_number(f, "minValue");
      out.b = optional_number(f, "maxValue");
    } else {
      for (pugi::xml_node c = u.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element && local(c.name()) != "pedigreeMatrix" && local(c.name()) != "comment") {
          ++unknown_distributions_;  // beta, gamma, binomial, undefined: not represented
          break;
        }
    }
    if (const pugi::xml_node pm = child(u, "pedigreeMatrix")) {
      const char* const keys[5] = {"reliability", "completeness", "temporalCorrelation", "geographicalCorrelation",
                                   "furtherTechnologyCorrelation"};
      for (int i = 0; i < 5; ++i) out.pedigree[i] = parse_int(pm.attribute(keys[i]).value(), 0);
    }
    return out;
  }

  RawExchange exchange(pugi::xml_node x, bool elementary) const {
    RawExchange e;
    e.elementary = elementary;
    const char* const tag = elementary ? "elementaryExchange" : "intermediateExchange";
    const char* const id_attr = elementary ? "elementaryExchangeId" : "intermediateExchangeId";
    e.flow_id = x.attribute(id_attr).value();
    e.id = x.attribute("id").value();
    const std::string label = fmt::format("{} {}", tag, e.id.empty() ? e.flow_id : e.id);
    if (e.flow_id.empty()) missing(x, fmt::format("flowData/{}/@{}", tag, id_attr));
    e.amount = number(x, "amount", fmt::format("flowData/{}", tag));
    if (!child(x, "name")) missing(x, fmt::format("flowData/{}/name ({})", tag, label));
    e.name = text(x, "name");
    if (!child(x, "unitName")) missing(x, fmt::format("flowData/{}/unitName ({})", tag, label));
    e.unit = text(x, "unitName");
    const pugi::xml_node ig = child(x, "inputGroup"), og = child(x, "outputGroup");
    if (ig) e.input_group = parse_int(ig.child_value(), -1);
    if (og) e.output_group = parse_int(og.child_value(), -1);
    if (e.input_group < 0 && e.output_group < 0)
      missing(x, fmt::format("flowData/{}/inputGroup or outputGroup ({})", tag, label));
    e.link = x.attribute("activityLinkId").value();
    e.formula = x.attribute("mathematicalRelation").value();
    e.comment = text(x, "comment");
    e.cas = x.attribute("casNumber").value();
    if (const pugi::xml_node c = child(x, "compartment")) {
      e.compartment = text(c, "compartment");
      e.subcompartment = text(c, "subcompartment");
    }
    if (const pugi::xml_node c = child(x, "classification")) e.classification = text(c, "classificationValue");
    e.uncertainty = uncertainty(child(x, "uncertainty"));
    each_child(x, "property", [&](pugi::xml_node pr) {
      Property p;
      p.name = text(pr, "name");
      p.unit = text(pr, "unitName");
      if (!parse_number(pr.attribute("amount").value(), p.amount) || p.name.empty()) {
        if (is_overflow(pr.attribute("amount").value())) not_finite(pr, pr.attribute("amount"), "property");
        return;
      }
      if (!std::isfinite(p.amount)) not_finite(pr, pr.attribute("amount"), "property");
      e.properties.push_back(std::move(p));
    });
    return e;
  }

  const std::string& where_;
  Lines lines_;
  pugi::xml_document doc_;
  std::unordered_map<std::string, MasterFlow>& master_;
  size_t& invalid_lognormal_;
  size_t& unknown_distributions_;
};

// ---- flows -----------------------------------------------------------------------------------------------
struct FlowInfo {
  int32_t index = -1;
  bool elementary = false;
  bool negative_reference = false;  // ecoinvent-style treatment: a negative reference product somewhere
  bool waste_output = false;        // outputGroup 3 somewhere
  bool from_environment = false, to_environment = false;  // elementary: inputGroup 4 / outputGroup 4 seen
  std::map<std::string, size_t> units;  // unit -> exchanges
  std::string first_unit;
};

void scale(Uncertainty& u, double k) {
  switch (u.kind) {
    case Uncertainty::Lognormal: u.a *= k; break;  // the geometric SD has no unit
    case Uncertainty::Normal: u.a *= k; u.b *= std::abs(k); break;
    case Uncertainty::Triangle:
      u.a *= k; u.b *= k; u.c *= k;
      if (k < 0) std::swap(u.a, u.c);
      break;
    case Uncertainty::Uniform:
      u.a *= k; u.b *= k;
      if (k < 0) std::swap(u.a, u.b);
      break;
    case Uncertainty::None: break;
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with_spold(const std::string& f) {
  return f.size() > 6 && lower(f.substr(f.size() - 6)) == ".spold";
}

}  // namespace

Database read_ecospold2(const std::string& path) {
  auto set = io::FileSet::open(path, "a folder or .zip of EcoSpold2 .spold files");
  std::vector<std::string> files;
  for (const auto& f : set->all_files())
    if (ends_with_spold(f)) files.push_back(f);
  if (files.empty())
    throw Error(ErrorCategory::InvalidInput,
                path + " holds no EcoSpold2 .spold files: give a folder or .zip of .spold files (an ecoinvent or "
                       "openLCA EcoSpold2 export)",
                ErrorContext{path});

  // 1. parse every file
  std::unordered_map<std::string, MasterFlow> master;
  size_t invalid_lognormal = 0, unknown_distributions = 0;
  std::vector<RawProcess> raw;
  raw.reserve(files.size());
  for (const auto& rel : files) {
    const std::string where = set->display(rel);
    const std::string text = set->read_all(rel);
    FileParser parser(where, text, master, invalid_lognormal, unknown_distributions);
    raw.push_back(parser.parse());
  }

  Database db;
  db.format = "ecospold2";
  db.name = std::filesystem::path(path).stem().string();
  std::vector<std::string> notes;

  // 2. process ids: the activity id; ecoinvent reuses an activity id for each product of a multi-output
  // activity (files "<activity>_<product>.spold"), so duplicates become "<activity>_<reference product>".
  std::unordered_map<std::string, size_t> id_count;
  for (const auto& rp : raw) ++id_count[rp.activity_id];
  size_t renamed = 0;
  for (auto& rp : raw) {
    if (id_count[rp.activity_id] < 2) continue;
    std::string product;
    for (const auto& e : rp.exchanges)
      if (!e.elementary && e.output_group == 0) {
        product = e.flow_id;
        break;
      }
    rp.process.id = rp.activity_id + "_" + product;
    ++renamed;
  }
  std::set<std::string> seen_ids;
  for (const auto& rp : raw)
    if (!seen_ids.insert(rp.process.id).second)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("{}: activity {} appears in more than one file with the same reference product: "
                              "remove the duplicate file",
                              rp.where, rp.process.id),
                  ErrorContext{rp.where, 0, 0, "activityDescription/activity/@id"});
  if (renamed)
    notes.push_back(fmt::format("{} datasets share an activity id with another dataset: their process ids are "
                                "'<activity id>_<reference product id>'",
                                renamed));

  // 3. flows: kind, waste detection, units
  std::unordered_map<std::string, FlowInfo> info;
  std::vector<std::string> order;  // flow ids in order of first appearance (sorted files)
  size_t kind_conflicts = 0;
  for (const auto& rp : raw) {
    for (const auto& e : rp.exchanges) {
      auto [it, fresh] = info.try_emplace(e.flow_id);
      FlowInfo& fi = it->second;
      if (fresh) {
        fi.elementary = e.elementary;
        fi.first_unit = e.unit;
        order.push_back(e.flow_id);
      } else if (fi.elementary != e.elementary) {
        ++kind_conflicts;
      }
      ++fi.units[e.unit];
      if (!e.elementary && e.output_group == 0 && e.amount < 0) fi.negative_reference = true;
      if (!e.elementary && e.output_group == 3) fi.waste_output = true;
      if (e.elementary) (e.input_group >= 0 ? fi.from_environment : fi.to_environment) = true;
    }
  }
  if (kind_conflicts)
    notes.push_back(fmt::format("{} exchanges use an id as elementary flow that another exchange uses as product "
                                "(or the reverse): the first use decides",
                                kind_conflicts));

  // reference unit of each flow: the unit all its exchanges share, else the canonical unit of its quantity
  std::unordered_map<std::string, std::string> ref_unit;
  std::vector<std::string> unit_conflicts;
  size_t mixed_unit_flows = 0;
  for (const auto& id : order) {
    const FlowInfo& fi = info[id];
    if (fi.units.size() == 1) {
      ref_unit[id] = fi.first_unit;
      continue;
    }
    ++mixed_unit_flows;
    const units::LcaUnit* first = units::find(fi.first_unit);
    bool convertible = first != nullptr;
    for (const auto& [u, n] : fi.units) {
      const units::LcaUnit* lu = units::find(u);
      if (!lu || !first || lu->quantity != first->quantity) convertible = false;
    }
    if (convertible) {
      ref_unit[id] = std::string(units::canonical(first->quantity));
    } else {
      ref_unit[id] = fi.first_unit;
      std::string list;
      for (const auto& [u, n] : fi.units) list += (list.empty() ? "" : ", ") + u;
      unit_conflicts.push_back(fmt::format("{} ({})", id, list));
    }
  }
  if (!unit_conflicts.empty()) {
    std::string list;
    for (size_t i = 0; i < unit_conflicts.size() && i < 5; ++i) list += (i ? "; " : "") + unit_conflicts[i];
    db.warnings.push_back(fmt::format("{} flows are given in units that cannot be converted into each other "
                                      "(amounts kept as read, in mixed units): {}{}",
                                      unit_conflicts.size(), list, unit_conflicts.size() > 5 ? "; ..." : ""));
  }

  // the Flow records, from the first exchange of each flow (files sorted by name)
  size_t without_compartment = 0, resources_by_direction = 0, waste_flows = 0;
  for (const auto& rp : raw) {
    for (const auto& e : rp.exchanges) {
      FlowInfo& fi = info[e.flow_id];
      if (fi.index >= 0) {
        Flow& f = db.flows[static_cast<size_t>(fi.index)];
        if (f.cas.empty() && !e.cas.empty()) f.cas = e.cas;
        if (f.type != FlowType::Elementary && f.compartment.empty() && !e.classification.empty())
          f.compartment = e.classification;
        continue;
      }
      Flow f;
      f.id = e.flow_id;
      f.name = e.name;
      f.unit = ref_unit[e.flow_id];
      if (const units::LcaUnit* lu = units::find(f.unit)) f.property = std::string(lu->quantity);
      f.cas = e.cas;
      if (fi.elementary) {
        f.type = FlowType::Elementary;
        std::string comp = e.compartment, sub = e.subcompartment;
        if (comp.empty()) {
          const auto m = master.find(e.flow_id);
          if (m != master.end()) {
            comp = m->second.compartment;
            sub = m->second.subcompartment;
            if (f.cas.empty()) f.cas = m->second.cas;
          }
        }
        f.compartment = "Elementary flows";
        if (!comp.empty()) {
          f.compartment += "/" + comp + (sub.empty() ? "" : "/" + sub);
        } else {
          ++without_compartment;
          // only ever taken from the environment (inputGroup 4): a natural resource by the schema's definition
          if (fi.from_environment && !fi.to_environment) {
            f.compartment += "/natural resource";
            ++resources_by_direction;
          }
        }
      } else {
        f.type = fi.negative_reference || fi.waste_output ? FlowType::Waste : FlowType::Product;
        if (f.type == FlowType::Waste) ++waste_flows;
        f.compartment = e.classification;
      }
      fi.index = static_cast<int32_t>(db.flows.size());
      db.flows.push_back(std::move(f));
    }
  }
  if (without_compartment)
    db.warnings.push_back(fmt::format(
        "{} elementary flows have no compartment in the files (openLCA's EcoSpold2 export writes one only for flows "
        "it maps to ecoinvent): {} only taken from the environment are \"Elementary flows/natural resource\", the "
        "others \"Elementary flows\" (LCIA factors are matched by name)",
        without_compartment, resources_by_direction));

  // 4. processes and exchanges
  std::unordered_map<std::string, std::string> provider_of;  // "<activity>_<product>" or activity -> process id
  for (const auto& rp : raw) provider_of.emplace(rp.process.id, rp.process.id);
  size_t converted = 0, treatments = 0, flipped = 0, without_reference = 0, extra_references = 0;
  size_t n_elementary = 0, n_intermediate = 0, with_allocation = 0, children = 0;
  std::vector<std::string> no_reference;
  for (auto& rp : raw) {
    Process& p = rp.process;
    if (!rp.parent_id.empty()) ++children;
    bool has_reference = false;
    std::vector<double> unit_factor;  // per exchange: amount in the flow's unit = amount as read × factor
    unit_factor.reserve(rp.exchanges.size());
    for (auto& e : rp.exchanges) {
      const FlowInfo& fi = info[e.flow_id];
      const Flow& flow = db.flows[static_cast<size_t>(fi.index)];
      Exchange x;
      x.flow = fi.index;
      x.id = e.id;
      x.formula = e.formula;
      x.description = e.comment;
      x.uncertainty = e.uncertainty;
      double k = 1;
      if (e.unit != flow.unit) {
        k = units::factor(e.unit, flow.unit);
        if (k == 0) k = 1;  // not convertible: kept as read (warned above)
        else ++converted;
      }
      unit_factor.push_back(k);
      x.amount = e.amount * k;
      if (k != 1) scale(x.uncertainty, k);
      if (e.elementary) {
        ++n_elementary;
        x.input = e.input_group >= 0;
      } else {
        ++n_intermediate;
        x.input = e.input_group >= 0;
        x.reference = e.output_group == 0;
        if (!e.link.empty()) {
          const auto it = provider_of.find(e.link + "_" + e.flow_id);
          x.provider = it != provider_of.end() ? it->second : e.link;
        }
        if (fi.negative_reference) {
          // ecoinvent convention: a waste is a negative product in the opposite direction
          x.input = !x.input;
          x.amount = -x.amount;
          scale(x.uncertainty, -1);
          if (x.reference) ++treatments;
          if (x.amount < 0) ++flipped;  // a positive "input" of a waste: stays a negative waste output
        }
      }
      if (x.reference) {
        if (has_reference) {
          x.reference = false;  // one quantitative reference; the others are co-products
          ++extra_references;
        }
        has_reference = true;
      }
      p.exchanges.push_back(std::move(x));
    }
    if (!has_reference) {
      ++without_reference;
      no_reference.push_back(p.id);
    }

    // flow properties (per reference unit) and allocation factors from the exchanges' properties
    std::vector<size_t> functional;
    for (size_t i = 0; i < rp.exchanges.size(); ++i) {
      const RawExchange& e = rp.exchanges[i];
      const Exchange& x = p.exchanges[i];
      Flow& flow = db.flows[static_cast<size_t>(x.flow)];
      const double k = unit_factor[i];
      for (const auto& pr : e.properties) {
        const double per_ref = pr.amount / k;
        const std::string name = lower(pr.name);
        std::string key = pr.name;
        if ((name == "wet mass" || name == "mass") && units::factor(pr.unit, "kg") > 0) key = "Mass";
        else if (name == "price") key = "Price";
        const double v = key == "Mass" ? per_ref * units::factor(pr.unit, "kg") : per_ref;
        flow.properties.try_emplace(key, v);
      }
      if (!e.elementary && (e.output_group == 0 || e.output_group == 2) && flow.type == FlowType::Product &&
          x.amount > 0)
        functional.push_back(i);
    }
    if (functional.size() >= 2) {
      const auto factors = [&](const char* key, AllocationMethod m) {
        std::vector<double> v;
        double sum = 0;
        for (size_t i : functional) {
          double per = -1;
          for (const auto& pr : rp.exchanges[i].properties) {
            const std::string name = lower(pr.name);
            const double k = unit_factor[i];
            if (std::string_view(key) == "Mass" && (name == "wet mass" || name == "mass") &&
                units::factor(pr.unit, "kg") > 0)
              per = pr.amount / k * units::factor(pr.unit, "kg");
            if (std::string_view(key) == "Price" && name == "price") per = pr.amount / k;
          }
          if (per < 0) return false;
          v.push_back(p.exchanges[i].amount * per);
          sum += v.back();
        }
        if (!(sum > 0)) return false;
        for (size_t j = 0; j < functional.size(); ++j) {
          AllocationFactor af;
          af.method = m;
          af.product = p.exchanges[functional[j]].flow;
          af.value = v[j] / sum;
          p.allocation.push_back(af);
        }
        return true;
      };
      const bool physical = factors("Mass", AllocationMethod::Physical);
      const bool economic = factors("Price", AllocationMethod::Economic);
      if (economic) p.default_allocation = AllocationMethod::Economic;  // ecoinvent allocates by revenue
      if (physical || economic) ++with_allocation;
    }
    db.processes.push_back(std::move(p));
  }
  std::sort(db.processes.begin(), db.processes.end(), [](const Process& a, const Process& b) { return a.id < b.id; });
  db.index();

  if (without_reference) {
    std::string list;
    for (size_t i = 0; i < no_reference.size() && i < 5; ++i) list += (i ? ", " : "") + no_reference[i];
    db.warnings.push_back(fmt::format("{} datasets have no reference product (no intermediateExchange with "
                                      "outputGroup 0): they provide nothing; e.g. {}{}",
                                      without_reference, list, without_reference > 5 ? ", ..." : ""));
  }
  if (extra_references)
    notes.push_back(fmt::format("{} extra reference products (outputGroup 0) kept as co-products: the first one "
                                "is the quantitative reference",
                                extra_references));
  if (invalid_lognormal)
    notes.push_back(fmt::format("{} lognormal distributions have no finite variance (geometric SD 0 in openLCA): "
                                "kept with gsd 0",
                                invalid_lognormal));
  if (unknown_distributions)
    db.warnings.push_back(fmt::format("{} uncertainty distributions other than lognormal, normal, triangular and "
                                      "uniform were skipped",
                                      unknown_distributions));
  if (flipped)
    db.warnings.push_back(fmt::format("{} technosphere inputs of a waste flow are positive: they became negative "
                                      "waste outputs",
                                      flipped));
  if (children)
    db.warnings.push_back(fmt::format("{} child datasets were read without their parent's data (inheritance is not "
                                      "resolved)",
                                      children));

  db.provenance = {{"path", path},
                   {"format", db.format},
                   {"files", files.size()},
                   {"processes", db.processes.size()},
                   {"flows", db.flows.size()},
                   {"exchanges", n_elementary + n_intermediate},
                   {"intermediate_exchanges", n_intermediate},
                   {"elementary_exchanges", n_elementary},
                   {"converted_exchanges", converted},
                   {"flows_with_mixed_units", mixed_unit_flows},
                   {"waste_flows", waste_flows},
                   {"treatment_processes", treatments},
                   {"without_reference", without_reference},
                   {"elementary_without_compartment", without_compartment},
                   {"resources_by_direction", resources_by_direction},
                   {"processes_with_allocation", with_allocation},
                   {"invalid_lognormal", invalid_lognormal},
                   {"notes", notes}};
  return db;
}

}  // namespace panocarbon::lca
