// The executor of the conversational layer: runs a plan's steps through run_capability() (so every run is
// logged), resolving {"from_step": i, "pointer": "/..."} arguments from earlier results, checking that a Path
// argument lies inside the allowed roots, recording a failed step and skipping the steps that need it.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "panocarbon/agents.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/registry.hpp"

namespace panocarbon::agents {
namespace fs = std::filesystem;

namespace {

Error input_error(std::string message, std::string field = {}) {
  return Error(ErrorCategory::InvalidInput, std::move(message), ErrorContext{{}, 0, 0, std::move(field)});
}

bool is_reference(const nlohmann::json& v) { return v.is_object() && v.contains("from_step"); }

// The value an argument takes from an earlier step's result. Throws Error{InvalidInput} naming the argument
// when the reference is malformed, points forward, or names nothing in that result; returns the index of a
// failed step in `failed` (then the caller skips this step).
nlohmann::json resolve_reference(const nlohmann::json& ref, const std::string& option, size_t step,
                                 const std::vector<StepResult>& done, int& failed) {
  const auto& from = ref.at("from_step");
  if (!from.is_number_integer() || from.get<long long>() < 0 || from.get<long long>() >= static_cast<long long>(step))
    throw input_error(fmt::format("argument '{}' of step {} takes its value from_step {}: it must be the index of an "
                                  "earlier step (0 to {})",
                                  option, step + 1, from.dump(), static_cast<long long>(step) - 1),
                      option);
  const auto j = from.get<size_t>();
  if (!done[j].error.empty()) {
    failed = static_cast<int>(j);
    return nullptr;
  }
  std::string pointer = "";
  if (ref.contains("pointer")) {
    if (!ref["pointer"].is_string())
      throw input_error(fmt::format("argument '{}' of step {}: 'pointer' must be a JSON Pointer string (\"/hits/0/ref\")",
                                    option, step + 1),
                        option);
    pointer = ref["pointer"].get<std::string>();
  }
  nlohmann::json::json_pointer p;
  try {
    p = nlohmann::json::json_pointer(pointer);
  } catch (const nlohmann::json::exception&) {
    throw input_error(fmt::format("argument '{}' of step {}: '{}' is not a JSON Pointer (it starts with '/', as in "
                                  "\"/hits/0/ref\")",
                                  option, step + 1, pointer),
                      option);
  }
  // "select": {"kind": "process"} keeps the elements of an array result that have these values, before the pointer
  // ("/0/ref": the first process of a search that also finds flows).
  nlohmann::json selected;
  const nlohmann::json* base = &done[j].result;
  if (ref.contains("select")) {
    const auto& sel = ref["select"];
    if (!sel.is_object() || !base->is_array())
      throw input_error(fmt::format("argument '{}' of step {}: 'select' must be an object of values ({{\"kind\": "
                                    "\"process\"}}) and the result of step {} an array",
                                    option, step + 1, j + 1),
                        option);
    selected = nlohmann::json::array();
    for (const auto& e : *base) {
      bool keep = e.is_object();
      for (const auto& [k, v] : sel.items()) keep = keep && e.contains(k) && e[k] == v;
      if (keep) selected.push_back(e);
    }
    base = &selected;
  }
  const nlohmann::json& result = *base;
  if (!result.contains(p))
    throw Error(ErrorCategory::NotFound,
                fmt::format("argument '{}' of step {} takes '{}' from the result of step {} ({}), which has no such "
                            "value{}",
                            option, step + 1, pointer, j + 1, done[j].step.tool,
                            pointer.rfind("/0", 0) == 0 ? " (the search found nothing of that kind)" : ""),
                ErrorContext{{}, 0, 0, option});
  return result.at(p);
}

// `path` lies inside `root` (both made absolute and normal; links resolved where they exist).
bool inside(const fs::path& path, const fs::path& root) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) return false;
  const fs::path r = fs::weakly_canonical(fs::absolute(root), ec);
  if (ec) return false;
  auto pi = p.begin();
  for (auto ri = r.begin(); ri != r.end(); ++ri, ++pi) {
    if (ri->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *ri) return false;
  }
  return true;
}

// What the citation of a result names as its dataset: the LCA database, the ledger source, the data folder.
nlohmann::json citation_of(const Capability& c, const Params& params, const Result& r, const nlohmann::json& result) {
  nlohmann::json cite = {{"capability", c.name},
                         {"run_id", r.run_id},
                         {"logged", c.logs_run},
                         {"version", r.provenance.value("version", "")}};
  std::string dataset, source;
  if (params.has("database")) dataset = params.str("database");
  // Ledger rows name their source (wiod2013-co2/2009, gcb2019) and dataset.
  if (result.is_object() && result.contains("rows") && result["rows"].is_array()) {
    std::vector<std::string> sources;
    for (const auto& row : result["rows"]) {
      if (!row.is_object()) continue;
      const std::string s = row.value("source", "");
      if (!s.empty() && std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
    }
    if (!sources.empty()) dataset = fmt::format("{}", fmt::join(sources, ", "));
    // A read (account logs no run of its own) cites the runs that stored its data.
    std::vector<int64_t> runs;
    for (const auto& row : result["rows"])
      if (row.is_object() && row.contains("run_id") && row["run_id"].is_number_integer()) {
        const auto id = row["run_id"].get<int64_t>();
        if (std::find(runs.begin(), runs.end(), id) == runs.end()) runs.push_back(id);
      }
    if (!runs.empty()) cite["data_runs"] = runs;
  }
  for (const auto& o : c.spec().options) {
    if (o.type != OptionType::Path || !params.has(o.name) || !dataset.empty()) continue;
    const auto values = params.strs(o.name);
    if (values.empty()) continue;
    fs::path p = values.front();
    // A year folder (wiod2013-co2/2009) is named with its parent.
    const std::string leaf = p.filename().string();
    dataset = (!leaf.empty() && std::isdigit(static_cast<unsigned char>(leaf[0])) && p.has_parent_path())
                  ? p.parent_path().filename().string() + "/" + leaf
                  : leaf;
    source = p.string();
  }
  if (dataset.empty() && params.has("default") && params.flag("default")) dataset = "embedded default ledger";
  if (source.empty() && r.provenance.contains("database") && r.provenance["database"].is_string())
    source = r.provenance["database"].get<std::string>();
  cite["dataset"] = dataset;
  cite["source"] = source;
  return cite;
}

}  // namespace

std::vector<StepResult> execute(const Plan& plan, Context& ctx, const std::vector<fs::path>& allowed_roots) {
  std::vector<StepResult> done;
  done.reserve(plan.steps.size());
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    StepResult sr;
    sr.step = plan.steps[i];
    try {
      const Capability& c = capability(sr.step.tool);
      if (c.local_only)
        throw input_error(fmt::format("'{}' runs only from the command line on your own machine, not from the chat: "
                                      "run `panocarbon {}` yourself",
                                      c.name, c.name),
                          c.name);
      if (!sr.step.arguments.is_object())
        throw input_error(fmt::format("the arguments of step {} ({}) must be a JSON object of its options, not {}",
                                      i + 1, c.name, sr.step.arguments.type_name()));
      int failed = -1;
      nlohmann::json args = nlohmann::json::object();
      for (const auto& [k, v] : sr.step.arguments.items()) {
        const OptionSpec* o = c.spec().find(k);
        if (o && o->frontend)
          throw input_error(fmt::format("'{}' is an option of the front end, not of the capability '{}'", k, c.name), k);
        if (is_reference(v)) {
          args[k] = resolve_reference(v, k, i, done, failed);
        } else if (v.is_array()) {
          nlohmann::json arr = nlohmann::json::array();
          for (const auto& e : v) arr.push_back(is_reference(e) ? resolve_reference(e, k, i, done, failed) : e);
          args[k] = std::move(arr);
        } else {
          args[k] = v;
        }
        if (failed >= 0) break;
      }
      if (failed >= 0) {
        sr.error = fmt::format("skipped: it needs the result of step {} ({}), which failed", failed + 1,
                               done[static_cast<size_t>(failed)].step.tool);
        sr.citation = {{"capability", c.name}, {"run_id", 0}, {"dataset", ""}, {"source", ""}, {"version", ""}};
        done.push_back(std::move(sr));
        continue;
      }
      sr.step.arguments = args;
      const Params params = Params::from_json(c.spec(), args);
      if (!allowed_roots.empty()) {
        for (const auto& o : c.spec().options) {
          if (o.type != OptionType::Path || !params.has(o.name) || o.frontend) continue;
          for (const auto& v : params.strs(o.name)) {
            bool ok = false;
            for (const auto& root : allowed_roots) ok = ok || inside(v, root);
            if (!ok) {
              std::vector<std::string> roots;
              for (const auto& root : allowed_roots) roots.push_back(root.string());
              throw input_error(fmt::format("'{}' of {} names '{}', outside the folders the chat may read ({}); "
                                            "give a path inside one of them",
                                            o.name, c.name, v, fmt::join(roots, ", ")),
                                o.name);
            }
          }
        }
      }
      const Result r = run_capability(c, ctx, params);
      sr.result = r.json(r);
      sr.run_id = r.run_id;
      sr.citation = citation_of(c, params, r, sr.result);
    } catch (const std::exception& e) {
      sr.error = e.what();
      sr.result = nullptr;
      sr.run_id = ctx.run_id();
      sr.citation = {{"capability", sr.step.tool}, {"run_id", sr.run_id}, {"dataset", ""}, {"source", ""},
                     {"version", ""}};
    }
    done.push_back(std::move(sr));
  }
  return done;
}

}  // namespace panocarbon::agents
