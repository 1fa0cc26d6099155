// Specific embedded emissions of the goods of an installation (Implementing Regulation (EU) 2023/1773 Annex III;
// docs/cbam.md "Installation data"):
//   AttrEm = DirEm + Em_H,imp - Em_H,exp - Em_el,prod         (attributed direct emissions of a process; the
//            emissions of electricity produced in the process are not the good's: its consumption is indirect)
//   DirEm  = sum of source streams: combustion AD x NCV x EF x OF, process AD x EF x CF,
//            mass balance 3.664 x sum(AD x C) of inputs minus outputs; or given
//   Indirect = E_el x EF_el
//   SEE_dir = (AttrEm + sum_i M_i x SEE_dir,i) / AL,  SEE_ind = (Indirect + sum_i M_i x SEE_ind,i) / AL
// where M_i is the mass of precursor i consumed and SEE_i its specific embedded emissions (from another process of
// the installation, computed first, or purchased with given values).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "core/text.hpp"
#include "panocarbon/cbam.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::cbam {

namespace {
using json = nlohmann::json;

// 44.009 / 12.011: t CO2 per t C (Implementing Regulation (EU) 2023/1773 Annex III, mass balance factor f).
constexpr double kCO2PerC = 3.664;

struct Reader {
  std::string source;
  Error bad(const std::string& field, const std::string& what) const {
    return Error(ErrorCategory::InvalidInput, what, ErrorContext{source, 0, 0, field});
  }
  void keys(const json& j, const std::string& where, std::initializer_list<const char*> allowed) const {
    std::vector<std::string> names(allowed.begin(), allowed.end());
    for (const auto& [k, v] : j.items()) {
      if (std::find(names.begin(), names.end(), k) != names.end()) continue;
      const auto near = nearest_names(k, names);
      throw bad(where.empty() ? k : where + "." + k,
                fmt::format("unknown field '{}'{}", clip_input(k),
                            near.empty() ? "" : fmt::format("; did you mean {}?", fmt::join(near, ", "))));
    }
  }
  double num(const json& j, const std::string& where, const char* key, std::optional<double> def = std::nullopt,
             double lo = 0, double hi = 1e15) const {
    const std::string field = where.empty() ? key : where + "." + key;
    if (!j.contains(key)) {
      if (def) return *def;
      throw bad(field, fmt::format("missing field '{}' (a number)", key));
    }
    const json& v = j.at(key);
    if (!v.is_number()) throw bad(field, fmt::format("'{}' must be a number, not {}", key, v.type_name()));
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < lo || x > hi)
      throw bad(field, fmt::format("'{}' = {} is out of range: give a number from {} to {}", key, x, lo, hi));
    return x;
  }
  std::string str(const json& j, const std::string& where, const char* key, std::optional<std::string> def = {}) const {
    const std::string field = where.empty() ? key : where + "." + key;
    if (!j.contains(key)) {
      if (def) return *def;
      throw bad(field, fmt::format("missing field '{}' (a string)", key));
    }
    if (!j.at(key).is_string()) throw bad(field, fmt::format("'{}' must be a string", key));
    const std::string s = j.at(key).get<std::string>();
    if (s.empty() || s.size() > 200) throw bad(field, fmt::format("'{}' must be a string of 1 to 200 bytes", key));
    return s;
  }
};

struct PrecursorIn {
  std::string name, from;  // from: process id or empty (purchased)
  double mass_t = 0, see_direct = 0, see_indirect = 0;
  std::string field;
};

struct ProcessIn {
  ProcessResult r;
  std::vector<PrecursorIn> precursors;
  std::string field;
};

double source_stream(const Reader& rd, const json& s, const std::string& where) {
  if (!s.is_object()) throw rd.bad(where, "a source stream is an object with a 'method'");
  const std::string method = rd.str(s, where, "method");
  if (method == "combustion") {
    rd.keys(s, where, {"name", "method", "activity", "ncv_gj_per_unit", "ef_t_co2_per_gj", "oxidation_factor"});
    return rd.num(s, where, "activity") * rd.num(s, where, "ncv_gj_per_unit") * rd.num(s, where, "ef_t_co2_per_gj", {}, 0, 10) *
           rd.num(s, where, "oxidation_factor", 1.0, 0, 1);
  }
  if (method == "process") {
    rd.keys(s, where, {"name", "method", "activity", "ef_t_co2_per_unit", "conversion_factor"});
    return rd.num(s, where, "activity") * rd.num(s, where, "ef_t_co2_per_unit", {}, 0, 100) *
           rd.num(s, where, "conversion_factor", 1.0, 0, 1);
  }
  if (method == "mass_balance") {
    rd.keys(s, where, {"name", "method", "activity_t", "carbon_fraction", "direction"});
    const std::string dir = rd.str(s, where, "direction", std::string("input"));
    if (dir != "input" && dir != "output")
      throw rd.bad(where + ".direction", fmt::format("direction '{}': use input or output", clip_input(dir)));
    const double c = kCO2PerC * rd.num(s, where, "activity_t") * rd.num(s, where, "carbon_fraction", {}, 0, 1);
    return dir == "input" ? c : -c;
  }
  throw rd.bad(where + ".method",
               fmt::format("unknown method '{}': use combustion (activity x NCV x EF x oxidation factor), process "
                           "(activity x EF x conversion factor) or mass_balance (3.664 x activity x carbon fraction)",
                           clip_input(method)));
}

ProcessIn parse_process(const Reader& rd, const json& p, const std::string& where, double factor_default) {
  if (!p.is_object()) throw rd.bad(where, "a process is an object with id, good, activity_level_t, ...");
  rd.keys(p, where,
          {"id", "good", "description", "category", "activity_level_t", "direct_emissions_t", "source_streams",
           "other_ghg_t_co2e", "heat_imported_t_co2", "heat_exported_t_co2", "electricity_produced_t_co2",
           "electricity_mwh",
           "electricity_factor_t_per_mwh", "precursors"});
  ProcessIn in;
  in.field = where;
  auto& r = in.r;
  r.id = rd.str(p, where, "id");
  try {
    r.good = normalise_cn(rd.str(p, where, "good"));
  } catch (const Error& e) {
    throw rd.bad(where + ".good", e.message());
  }
  r.description = p.contains("description") ? rd.str(p, where, "description") : std::string();
  if (p.contains("category")) {
    try {
      r.category = parse_category(rd.str(p, where, "category"));
    } catch (const Error& e) {
      throw rd.bad(where + ".category", e.message());
    }
  } else if (const auto c = category_of(r.good)) {
    r.category = *c;
  } else {
    throw rd.bad(where + ".good", fmt::format("CN code {} is not a CBAM good; give a code of Regulation (EU) 2023/956 "
                                              "Annex I or a 'category'", r.good));
  }
  r.activity_level_t = rd.num(p, where, "activity_level_t");
  if (r.activity_level_t <= 0) throw rd.bad(where + ".activity_level_t", "activity_level_t must be above 0 t");
  const bool given = p.contains("direct_emissions_t"), streams = p.contains("source_streams");
  if (given == streams)
    throw rd.bad(where, "give either direct_emissions_t (t CO2e) or source_streams (a list), not both or neither");
  if (given) {
    r.source_stream_t = rd.num(p, where, "direct_emissions_t");
  } else {
    const json& ss = p.at("source_streams");
    if (!ss.is_array()) throw rd.bad(where + ".source_streams", "source_streams must be a list of source streams");
    for (size_t i = 0; i < ss.size(); ++i)
      r.source_stream_t += source_stream(rd, ss[i], fmt::format("{}.source_streams[{}]", where, i));
  }
  r.source_stream_t += rd.num(p, where, "other_ghg_t_co2e", 0.0);
  r.heat_imported_t = rd.num(p, where, "heat_imported_t_co2", 0.0);
  r.heat_exported_t = rd.num(p, where, "heat_exported_t_co2", 0.0);
  r.electricity_produced_t = rd.num(p, where, "electricity_produced_t_co2", 0.0);
  r.direct_t = r.source_stream_t + r.heat_imported_t - r.heat_exported_t - r.electricity_produced_t;
  if (r.direct_t < -1e-9)
    throw rd.bad(where, fmt::format("the attributed direct emissions are negative ({} t CO2e): check the source streams, "
                                    "the heat exported and the electricity produced",
                                    r.direct_t));
  r.electricity_mwh = rd.num(p, where, "electricity_mwh", 0.0);
  if (p.contains("electricity_factor_t_per_mwh"))
    r.electricity_factor = rd.num(p, where, "electricity_factor_t_per_mwh", {}, 0, 10);
  else if (factor_default >= 0)
    r.electricity_factor = factor_default;
  else if (r.electricity_mwh > 0)
    throw rd.bad(where + ".electricity_factor_t_per_mwh",
                 "electricity_mwh is given without an emission factor: give electricity_factor_t_per_mwh here or for "
                 "the installation");
  r.indirect_t = r.electricity_mwh * r.electricity_factor;
  r.indirect_counts = counts_indirect(r.category);
  if (p.contains("precursors")) {
    const json& pr = p.at("precursors");
    if (!pr.is_array()) throw rd.bad(where + ".precursors", "precursors must be a list");
    for (size_t i = 0; i < pr.size(); ++i) {
      const std::string w = fmt::format("{}.precursors[{}]", where, i);
      const json& q = pr[i];
      if (!q.is_object()) throw rd.bad(w, "a precursor is an object: {\"process\": ID, \"mass_t\": ...} or "
                                          "{\"name\": ..., \"mass_t\": ..., \"see_direct\": ..., \"see_indirect\": ...}");
      rd.keys(q, w, {"process", "name", "mass_t", "see_direct", "see_indirect"});
      PrecursorIn x;
      x.field = w;
      x.mass_t = rd.num(q, w, "mass_t");
      if (q.contains("process")) {
        if (q.contains("see_direct") || q.contains("see_indirect"))
          throw rd.bad(w, "a precursor from a process of the installation takes its SEE from that process: leave out "
                          "see_direct and see_indirect");
        x.from = rd.str(q, w, "process");
        x.name = q.contains("name") ? rd.str(q, w, "name") : x.from;
      } else {
        x.name = rd.str(q, w, "name");
        x.see_direct = rd.num(q, w, "see_direct", {}, 0, 1000);
        x.see_indirect = rd.num(q, w, "see_indirect", 0.0, 0, 1000);
      }
      in.precursors.push_back(std::move(x));
    }
  }
  return in;
}
}  // namespace

InstallationResult embedded_emissions(std::string_view text, const std::string& source_name) {
  const Reader rd{source_name};
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("not valid JSON: {}; an installation file is a JSON object (docs/cbam.md)", clip_input(e.what(), 200)),
                ErrorContext{source_name});
  }
  if (!j.is_object())
    throw Error(ErrorCategory::InvalidInput, "an installation file is a JSON object with \"installation\" and \"processes\"",
                ErrorContext{source_name});
  rd.keys(j, "", {"installation", "country", "period", "electricity_factor_t_per_mwh", "processes", "notes", "source"});
  InstallationResult out;
  out.name = rd.str(j, "", "installation");
  out.country = j.contains("country") ? rd.str(j, "", "country") : std::string();
  if (j.contains("period")) rd.str(j, "", "period");
  if (j.contains("source") && !j.at("source").is_string()) throw rd.bad("source", "'source' must be a string");
  const double factor = j.contains("electricity_factor_t_per_mwh") ? rd.num(j, "", "electricity_factor_t_per_mwh", {}, 0, 10) : -1;
  if (!j.contains("processes") || !j.at("processes").is_array() || j.at("processes").empty())
    throw rd.bad("processes", "processes must be a non-empty list of production processes");
  const json& ps = j.at("processes");
  std::vector<ProcessIn> in;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < ps.size(); ++i) {
    in.push_back(parse_process(rd, ps[i], fmt::format("processes[{}]", i), factor));
    if (!index.emplace(in.back().r.id, i).second)
      throw rd.bad(fmt::format("processes[{}].id", i), fmt::format("process id '{}' is used twice", clip_input(in.back().r.id)));
  }
  std::vector<std::string> ids;
  for (const auto& p : in) ids.push_back(p.r.id);
  for (const auto& p : in)
    for (const auto& q : p.precursors)
      if (!q.from.empty() && !index.count(q.from)) {
        const auto near = nearest_names(q.from, ids);
        throw rd.bad(q.field + ".process",
                     fmt::format("no process '{}' in the installation{}", clip_input(q.from),
                                 near.empty() ? "" : fmt::format("; did you mean {}?", fmt::join(near, ", "))));
      }
  // Precursors first (depth-first order); a cycle is an error.
  std::vector<int> state(in.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<size_t> order, path;
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] == 2) return;
    if (state[i] == 1) {
      std::vector<std::string> cyc;
      auto it = std::find(path.begin(), path.end(), i);
      for (; it != path.end(); ++it) cyc.push_back(in[*it].r.id);
      cyc.push_back(in[i].r.id);
      throw rd.bad(in[i].field + ".precursors",
                   fmt::format("the precursors form a cycle ({}): a process cannot consume, through its precursors, "
                               "its own good",
                               fmt::join(cyc, " -> ")));
    }
    state[i] = 1;
    path.push_back(i);
    for (const auto& q : in[i].precursors)
      if (!q.from.empty()) visit(index.at(q.from));
    path.pop_back();
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < in.size(); ++i) visit(i);

  std::map<std::string, const ProcessResult*> done;
  out.processes.reserve(in.size());
  for (size_t i : order) {
    ProcessResult r = in[i].r;
    for (const auto& q : in[i].precursors) {
      ProcessResult::Precursor x{q.name, q.from.empty() ? "purchased" : q.from, q.mass_t, q.see_direct, q.see_indirect};
      if (!q.from.empty()) {
        const ProcessResult& src = *done.at(q.from);
        x.see_direct = src.see_direct;
        x.see_indirect = src.see_indirect;
      }
      r.precursor_direct_t += x.mass_t * x.see_direct;
      r.precursor_indirect_t += x.mass_t * x.see_indirect;
      r.precursors.push_back(std::move(x));
    }
    r.see_direct = (r.direct_t + r.precursor_direct_t) / r.activity_level_t;
    r.see_indirect = (r.indirect_t + r.precursor_indirect_t) / r.activity_level_t;
    r.see_total = r.see_direct + r.see_indirect;
    r.see_counted = r.see_direct + (r.indirect_counts ? r.see_indirect : 0);
    out.total_direct_t += r.direct_t;
    out.total_indirect_t += r.indirect_t;
    out.processes.push_back(std::move(r));
    done[out.processes.back().id] = &out.processes.back();
  }
  return out;
}

}  // namespace panocarbon::cbam
