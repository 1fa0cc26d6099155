// The whole turn of the conversational layer: plan (the model when one is configured, else the deterministic
// planner), execute, compose, verify; the LCA agent's footprint study (intent "lca.study"); and the JSON of an
// answer. Never throws for a question it cannot answer. docs/chat.md.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agents/model.hpp"
#include "panocarbon/agents.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::agents {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}
std::string slot(const Plan& p, const char* key) {
  return p.slots.is_object() && p.slots.contains(key) && p.slots[key].is_string() ? p.slots[key].get<std::string>()
                                                                                   : std::string();
}

// ---- the LCA agent's footprint study

// The process hits of a search, best first.
std::vector<json> process_hits(const json& result) {
  std::vector<json> hits;
  const json& arr = result.is_array() ? result : result.value("hits", json::array());
  for (const auto& h : arr)
    if (h.is_object() && h.value("kind", "process") == "process") hits.push_back(h);
  return hits;
}

// The hit the product names without doubt: the only hit; the one named exactly so; or the only one whose name
// starts with the product's words. Otherwise none (the person chooses).
std::optional<json> unambiguous(const std::vector<json>& hits, const std::string& product) {
  if (hits.size() == 1) return hits[0];
  const std::string p = lower(trim(product));
  if (p.empty()) return std::nullopt;
  for (const auto& h : hits)
    if (lower(h.value("name", "")) == p) return h;
  std::vector<json> starting;
  for (const auto& h : hits)
    if (lower(h.value("name", "")).rfind(p, 0) == 0) starting.push_back(h);
  if (starting.size() == 1) return starting[0];
  return std::nullopt;
}

// The person's choice among the hits offered in the question back: "2", "the second", or a name.
std::optional<json> chosen(const std::string& reply, const json& candidates) {
  const std::string r = lower(trim(reply));
  if (!candidates.is_array() || candidates.empty() || r.empty()) return std::nullopt;
  size_t digits = 0;
  while (digits < r.size() && std::isdigit(static_cast<unsigned char>(r[digits]))) ++digits;
  if (digits > 0 && digits <= 3) {
    const size_t k = std::stoul(r.substr(0, digits));
    if (k >= 1 && k <= candidates.size()) return candidates[k - 1];
  }
  for (const auto& c : candidates)
    if (lower(c.value("name", "")) == r || lower(c.value("ref", "")) == r) return c;
  std::vector<json> containing;
  for (const auto& c : candidates)
    if (lower(c.value("name", "")).find(r) != std::string::npos) containing.push_back(c);
  if (containing.size() == 1) return containing[0];
  return std::nullopt;
}

// The goal and scope the agent proposes, as the study JSON `lca footprint` takes (docs/lca-footprint.md).
json propose_study(const Plan& plan, const json& hit) {
  const std::string database = slot(plan, "database");
  const std::string ref = hit.value("ref", "");
  const std::string id = ref.rfind(database + "/", 0) == 0 ? ref.substr(database.size() + 1) : ref;
  const std::string name = hit.value("name", id);
  const double amount = plan.slots.is_object() && plan.slots.contains("amount") && plan.slots["amount"].is_number()
                            ? plan.slots["amount"].get<double>()
                            : 1.0;
  const std::string unit = slot(plan, "unit");
  json flow = {{"amount", amount}};
  if (!unit.empty()) flow["unit"] = unit;
  const std::string amount_text = fmt::format("{}{}", amount, unit.empty() ? "" : " " + unit);
  json study = {
      {"name", fmt::format("Carbon footprint of {} of {}", amount_text, name)},
      {"goal", fmt::format("Cradle-to-gate carbon footprint of {} of '{}' from the {} database, proposed by the "
                           "panocarbon chat from the question as a screening study (hot spots, order of magnitude); "
                           "not intended for comparative assertions disclosed to the public.",
                           amount_text, name, database)},
      {"product", id},
      {"database", database},
      {"functional_unit", fmt::format("{} of {} at the gate of its producer", amount_text, name)},
      {"reference_flow", flow},
      {"system_boundary", "cradle-to-gate"},
      {"cutoff", 0.01},
      {"allocation", "as-stored"},
      {"gwp_set", slot(plan, "gwp").empty() ? "AR6" : slot(plan, "gwp")},
      {"max_depth", 5},
      {"limitations",
       {"Goal, scope and the process were chosen by the chat's LCA agent from a short question: check that the "
        "process represents the product studied, and its geography and period.",
        "Secondary data only (the database's unit processes); no primary data of the producer."}}};
  return study;
}

// Runs the footprint study: the planner's steps (lca import when needed, lca search), then the choice of
// process (a question back when the hits are ambiguous), the study file in the run's output folder,
// `lca footprint` on it and `lca contributions` for the hot spots.
void run_study(Answer& a, Context& ctx, const ChatOptions& options, const std::optional<json>& picked) {
  Plan& plan = a.plan;
  std::optional<json> hit = picked;
  if (!hit) {
    a.results = execute(plan, ctx, options.allowed_roots);
    size_t search = a.results.size();
    for (size_t i = 0; i < a.results.size(); ++i)
      if (a.results[i].step.tool == "lca search") search = i;
    if (search == a.results.size() || !a.results[search].error.empty()) return;  // compose says what failed
    const auto hits = process_hits(a.results[search].result);
    if (hits.empty()) return;  // compose: no process matches
    const std::string product = slot(plan, "product").empty() ? slot(plan, "query") : slot(plan, "product");
    hit = unambiguous(hits, product);
    if (!hit) {
      json candidates = json::array();
      std::string list;
      for (const auto& h : hits) {
        if (candidates.size() >= 5) break;
        candidates.push_back({{"ref", h.value("ref", "")}, {"name", h.value("name", "")}});
        list += fmt::format("\n  {}) {}", candidates.size(), h.value("name", ""));
      }
      plan.slots["awaiting"] = "process";
      plan.slots["candidates"] = candidates;
      plan.clarify = plan.language == "zh"
                         ? fmt::format("数据库 {} 中有多个过程与“{}”匹配，请问用哪一个？（回答序号或名称）{}",
                                       slot(plan, "database"), product, list)
                         : fmt::format("Several processes of {} match '{}'. Which one should the study use? (answer "
                                       "with its number or name){}",
                                       slot(plan, "database"), product, list);
      return;
    }
  }
  const json study = propose_study(plan, *hit);
  fs::path dir = ctx.output_dir();
  fs::create_directories(dir);
  const fs::path file = dir / "study.json";
  {
    std::ofstream out(file);
    out << study.dump(2) << "\n";
    if (!out)
      throw Error(ErrorCategory::Io, fmt::format("could not write the study file {}; check that the folder is writable",
                                                 file.string()));
  }
  Plan rest = plan;
  rest.steps.clear();
  Step footprint;
  footprint.agent = Agent::Lca;
  footprint.tool = "lca footprint";
  footprint.arguments = {{"study", file.string()}};
  footprint.why = plan.language == "zh" ? "按提议的目标与范围运行产品碳足迹研究" : "run the study with the proposed goal and scope";
  Step contributions;
  contributions.agent = Agent::Lca;
  contributions.tool = "lca contributions";
  contributions.arguments = {{"database", study["database"]},
                             {"process", hit->value("ref", "")},
                             {"amount", study["reference_flow"]["amount"]},
                             {"top", 5}};
  if (study["reference_flow"].contains("unit")) contributions.arguments["unit"] = study["reference_flow"]["unit"];
  if (study["gwp_set"] != "AR6") contributions.arguments["gwp"] = study["gwp_set"];
  contributions.why = plan.language == "zh" ? "找出贡献最大的过程（热点）" : "the largest contributors (hot spots)";
  rest.steps = {footprint, contributions};
  auto more = execute(rest, ctx, options.allowed_roots);
  // the footprint's dataset is the study's database (its only input is the study file)
  if (!more.empty() && more[0].error.empty()) {
    more[0].citation["dataset"] = study["database"];
    more[0].citation["source"] = file.string();
  }
  plan.steps.push_back(footprint);
  plan.steps.push_back(contributions);
  for (auto& r : more) a.results.push_back(std::move(r));
  plan.slots["process"] = {{"ref", hit->value("ref", "")}, {"name", hit->value("name", "")}};
  plan.slots["study"] = study;
  plan.slots["study_file"] = file.string();
}

// The goal and scope as sentences, before the results.
std::string study_preamble(const Plan& plan) {
  if (!plan.slots.contains("study")) return {};
  const json& s = plan.slots["study"];
  if (plan.language == "zh") {
    const json& flow = s.contains("reference_flow") ? s["reference_flow"] : json::object();
    const std::string name = plan.slots.contains("process") ? plan.slots["process"].value("name", "") : "";
    const std::string amount = fmt::format("{}{}", flow.value("amount", 1.0),
                                           flow.contains("unit") ? fmt::format(" {}", flow["unit"].get<std::string>()) : "");
    return fmt::format("目标与范围（由 LCA 智能体提议，研究文件 {}）：对数据库 {} 中“{}”的 {} 做从摇篮到大门的产品碳足迹筛查研究"
                       "（热点与数量级），不用于公开的比较性声明；功能单位：{} “{}”（出厂）；系统边界：从摇篮到大门；截断 1 %；"
                       "GWP 集：{}。",
                       plan.slots.value("study_file", ""), s.value("database", ""), name, amount, amount, name,
                       s.value("gwp_set", ""));
  }
  return fmt::format("Goal and scope (proposed by the LCA agent, study file {}): {} Functional unit: {}; system "
                     "boundary: cradle-to-gate; GWP set: {}.",
                     plan.slots.value("study_file", ""), s.value("goal", ""), s.value("functional_unit", ""),
                     s.value("gwp_set", ""));
}

// The text the verifier also accepts numbers from: the question and the planner's own messages about missing data.
std::string verifiable_context(const std::string& question, const Plan& plan) {
  std::string q = question;
  if (plan.slots.is_object() && plan.slots.contains("missing") && plan.slots["missing"].is_array())
    for (const auto& m : plan.slots["missing"])
      if (m.is_object() && m.contains("message") && m["message"].is_string()) q += "\n" + m["message"].get<std::string>();
  if (plan.slots.is_object() && plan.slots.contains("study"))
    q += "\n" + plan.slots["study"].dump() + "\n" + plan.slots.value("study_file", "");
  return q;
}

}  // namespace

Answer ask(const std::string& question, Context& ctx, const ChatOptions& options, const std::vector<Turn>& history) {
  Answer a;
  try {
    if (trim(question).empty()) {
      a.plan.intent = "unknown";
      a.plan.clarify = "Please ask a question (e.g. \"What is China's consumption-side CO2 in 2009?\").";
      a.text = a.plan.clarify;
      return a;
    }
    if (!options.model.url.empty()) {
      std::vector<std::string> warnings;
      std::optional<Answer> m;
      try {
        m = ask_model(question, ctx, options, history, warnings);
      } catch (const std::exception& e) {
        warnings.push_back(fmt::format("the model path failed: {}", e.what()));
      }
      if (m) {
        m->warnings.insert(m->warnings.begin(), warnings.begin(), warnings.end());
        if (m->citations.empty())
          for (size_t i = 0; i < m->results.size(); ++i) {
            json c = m->results[i].citation;
            c["n"] = i + 1;
            m->citations.push_back(c);
          }
        return *m;
      }
      a.warnings = warnings;
      a.warnings.push_back("the deterministic planner answered instead of the model");
    }
    Store* store = nullptr;
    try {
      if (ctx.has_store()) store = &ctx.store();
    } catch (const std::exception& e) {
      a.warnings.push_back(fmt::format("the database could not be opened ({}); planning without it", e.what()));
    }
    const Knowledge k = discover(store, options.data_dir);
    // A reply to the LCA agent's question back (which process?) picks one of the hits it offered.
    std::optional<json> picked;
    if (!history.empty() && history.back().plan.intent == "lca.study" && !history.back().plan.clarify.empty() &&
        history.back().plan.slots.value("awaiting", "") == "process") {
      picked = chosen(question, history.back().plan.slots.value("candidates", json::array()));
      if (picked) {
        a.plan = history.back().plan;
        a.plan.clarify.clear();
        a.plan.steps.clear();
        a.plan.slots.erase("awaiting");
      }
    }
    if (!picked) a.plan = plan_question(question, k, history);
    if (!a.plan.clarify.empty() && !picked) {
      a.text = a.plan.clarify;
      return a;
    }
    if (a.plan.intent == "lca.study") {
      run_study(a, ctx, options, picked);
      if (!a.plan.clarify.empty()) {
        a.text = a.plan.clarify;
        return a;
      }
    } else {
      a.results = execute(a.plan, ctx, options.allowed_roots);
    }
    a.text = compose(a.plan, a.results);
    const std::string preamble = a.plan.intent == "lca.study" ? study_preamble(a.plan) : "";
    if (!preamble.empty()) a.text = preamble + "\n" + a.text;
    const auto bad = unsupported_numbers(a.text, verifiable_context(question, a.plan), a.results);
    if (!bad.empty())
      a.warnings.push_back(fmt::format("the verifier found numbers in the composed answer that no tool result holds: "
                                       "{} (please report this)",
                                       fmt::join(bad, ", ")));
  } catch (const std::exception& e) {
    // Never throw for a question: say what went wrong.
    a.text = a.plan.language == "zh" ? fmt::format("无法回答：{}", e.what()) : fmt::format("I could not answer: {}", e.what());
    a.warnings.push_back(e.what());
  }
  for (size_t i = 0; i < a.results.size(); ++i) {
    json c = a.results[i].citation;
    c["n"] = i + 1;
    c["status"] = a.results[i].error.empty() ? "ok" : "failed";
    a.citations.push_back(c);
  }
  return a;
}

json to_json(const Answer& a) {
  json plan = json::array();
  for (const auto& s : a.plan.steps)
    plan.push_back({{"agent", to_string(s.agent)}, {"tool", s.tool}, {"arguments", s.arguments}, {"why", s.why}});
  // The arguments each step ran with (from_step references resolved) are in the results' steps.
  json results = json::array();
  json errors = json::array();
  json run = json::array();
  for (const auto& r : a.results) {
    results.push_back(r.result);
    errors.push_back(r.error.empty() ? json(nullptr) : json(r.error));
    run.push_back({{"tool", r.step.tool}, {"arguments", r.step.arguments}, {"run_id", r.run_id}});
  }
  json j = {{"answer", a.text},          {"plan", plan},          {"results", results},
            {"errors", errors},          {"steps", run},          {"citations", a.citations},
            {"language", a.plan.language}, {"intent", a.plan.intent}, {"slots", a.plan.slots},
            {"planner", a.planner},      {"warnings", a.warnings}};
  j["clarify"] = a.plan.clarify.empty() ? json(nullptr) : json(a.plan.clarify);
  return j;
}

}  // namespace panocarbon::agents
