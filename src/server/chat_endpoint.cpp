// POST /api/chat: validation of the request, the chat's options and paths, the answer (chat_endpoint.hpp).
#include "server/chat_endpoint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"

namespace fs = std::filesystem;

namespace panocarbon::server {

namespace {

Error field_error(std::string message, std::string field) {
  return Error(ErrorCategory::InvalidInput, std::move(message), ErrorContext{{}, 0, 0, std::move(field)});
}

std::string type_of(const nlohmann::json& j) { return j.type_name(); }

// A non-empty string of at most `limit` bytes, else an error naming `field`.
std::string text_field(const nlohmann::json& j, const std::string& field, const std::string& what, size_t limit) {
  if (!j.is_string())
    throw field_error(fmt::format("'{}' must be a string ({}), not {}", field, what, type_of(j)), field);
  std::string s = j.get<std::string>();
  if (s.find_first_not_of(" \t\r\n") == std::string::npos)
    throw field_error(fmt::format("'{}' is empty: give {}", field, what), field);
  if (s.size() > limit)
    throw field_error(fmt::format("'{}' has {} bytes, more than {}: ask a shorter question", field, s.size(), limit),
                      field);
  return s;
}

agents::Step step_of(const nlohmann::json& j, const std::string& field) {
  if (!j.is_object())
    throw field_error(fmt::format("'{}' must be an object {{agent, tool, arguments}}, not {}", field, type_of(j)), field);
  agents::Step s;
  for (const auto& [k, v] : j.items()) {
    const std::string f = field + "." + k;
    if (k == "agent") {
      if (!v.is_string()) throw field_error(fmt::format("'{}' must be a string, not {}", f, type_of(v)), f);
      try {
        s.agent = agents::agent_from_string(v.get<std::string>());
      } catch (const Error& e) {
        throw field_error(fmt::format("'{}': {}", f, e.message()), f);
      }
    } else if (k == "tool") {
      if (!v.is_string()) throw field_error(fmt::format("'{}' must be a string, not {}", f, type_of(v)), f);
      const std::string tool = v.get<std::string>();
      const Capability* c = capability_by_tool(tool);
      if (!c) {
        for (const auto& cap : capabilities())
          if (cap.name == tool) c = &cap;
      }
      if (!c)
        throw field_error(fmt::format("'{}' is '{}', not a capability (GET /api/capabilities lists them)", f,
                                      tool.substr(0, 80)),
                          f);
      s.tool = c->name;
    } else if (k == "arguments") {
      if (!v.is_object()) throw field_error(fmt::format("'{}' must be an object, not {}", f, type_of(v)), f);
      s.arguments = v;
    } else if (k == "why") {
      if (!v.is_string()) throw field_error(fmt::format("'{}' must be a string, not {}", f, type_of(v)), f);
      s.why = v.get<std::string>();
    } else {
      throw field_error(fmt::format("a step has no field '{}' (only agent, tool, arguments, why)", f), f);
    }
  }
  if (s.tool.empty()) throw field_error(fmt::format("'{}' has no tool", field), field + ".tool");
  return s;
}

std::vector<agents::Step> steps_of(const nlohmann::json& j, const std::string& field) {
  if (!j.is_array())
    throw field_error(fmt::format("'{}' must be the list of steps, not {}", field, type_of(j)), field);
  std::vector<agents::Step> steps;
  for (size_t i = 0; i < j.size(); ++i) steps.push_back(step_of(j[i], fmt::format("{}[{}]", field, i)));
  return steps;
}

// A turn's plan: the answer the server gave to it, or its list of steps.
agents::Plan plan_of(const nlohmann::json& j, const std::string& field) {
  agents::Plan p;
  p.intent = "unknown";
  if (j.is_array()) {
    p.steps = steps_of(j, field);
    return p;
  }
  if (!j.is_object())
    throw field_error(fmt::format("'{}' must be the answer the server gave to that question (an object) or its "
                                  "list of steps, not {}",
                                  field, type_of(j)),
                      field);
  // the rest of an answer (its text, results, the steps as they ran, citations ...) is not read
  static const std::set<std::string> ignored = {"answer", "results", "errors", "steps", "citations",
                                                "planner", "warnings", "files"};
  for (const auto& [k, v] : j.items()) {
    const std::string f = field + "." + k;
    if (k == "plan") {
      p.steps = steps_of(v, f);
    } else if (k == "clarify" || k == "intent") {
      if (!v.is_string() && !v.is_null())
        throw field_error(fmt::format("'{}' must be a string, not {}", f, type_of(v)), f);
      (k == "clarify" ? p.clarify : p.intent) = v.is_null() ? std::string() : v.get<std::string>();
    } else if (k == "language") {
      if (!v.is_string() || (v != "en" && v != "zh"))
        throw field_error(fmt::format("'{}' must be \"en\" or \"zh\"", f), f);
      p.language = v.get<std::string>();
    } else if (k == "slots") {
      if (!v.is_object() && !v.is_null())
        throw field_error(fmt::format("'{}' must be an object, not {}", f, type_of(v)), f);
      if (v.is_object()) p.slots = v;
    } else if (!ignored.count(k)) {
      throw field_error(fmt::format("'{}' is not a field of a plan (plan, clarify, language, intent, slots)", f), f);
    }
  }
  if (p.intent.empty()) p.intent = "unknown";
  return p;
}

fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::path() : r;
}

}  // namespace

ChatRequest parse_chat_request(const nlohmann::json& body) {
  if (!body.is_object())
    throw field_error(fmt::format("the body of POST /api/chat must be a JSON object {{\"question\": \"...\"}}, not {}",
                                  type_of(body)),
                      "question");
  ChatRequest r;
  for (const auto& [k, v] : body.items()) {
    if (k == "question" || k == "history") continue;
    if (k == "model_url" || k == "model" || k == "model-url" || k == "api_key" || k == "model_key" || k == "data" ||
        k == "db")
      throw field_error(fmt::format("'{}' is not accepted from a client: the model, the data folder and the database "
                                    "are the server's (serve --model-url, --model, --data, --db, or "
                                    "$PANOCARBON_MODEL_URL, $PANOCARBON_MODEL, $PANOCARBON_DATA); send only question "
                                    "and history",
                                    k),
                        k);
    throw field_error(fmt::format("POST /api/chat has no field '{}' (only question, history)", k.substr(0, 80)), k);
  }
  if (!body.contains("question"))
    throw field_error("'question' is missing: send {\"question\": \"What is China's consumption-based CO2 in 2009?\"}",
                      "question");
  r.question = text_field(body["question"], "question", "the question, in English or Chinese", kMaxQuestionBytes);
  if (body.contains("history") && !body["history"].is_null()) {
    const auto& h = body["history"];
    if (!h.is_array())
      throw field_error(fmt::format("'history' must be a list of the earlier turns [{{question, plan}}], not {}",
                                    type_of(h)),
                        "history");
    if (h.size() > kMaxHistoryTurns)
      throw field_error(fmt::format("'history' has {} turns, more than {}: send the last ones", h.size(),
                                    kMaxHistoryTurns),
                        "history");
    for (size_t i = 0; i < h.size(); ++i) {
      const std::string f = fmt::format("history[{}]", i);
      const auto& t = h[i];
      if (!t.is_object())
        throw field_error(fmt::format("'{}' must be an object {{question, plan}}, not {}", f, type_of(t)), f);
      agents::Turn turn;
      for (const auto& [k, v] : t.items()) {
        if (k == "question") turn.question = text_field(v, f + ".question", "the earlier question", kMaxQuestionBytes);
        else if (k == "plan") turn.plan = plan_of(v, f + ".plan");
        else throw field_error(fmt::format("'{}.{}' is not a field of a turn (only question, plan)", f, k.substr(0, 80)),
                               f + "." + k);
      }
      if (!t.contains("question")) throw field_error(fmt::format("'{}.question' is missing", f), f + ".question");
      if (!t.contains("plan")) turn.plan.intent = "unknown";
      r.history.push_back(std::move(turn));
    }
  }
  return r;
}

agents::ChatOptions chat_options(const Options& o, const fs::path& files) {
  agents::ChatOptions c;
  c.data_dir = o.data.empty() ? agents::default_data_dir() : o.data;
  // absolute now: the server works in a folder of its own (files/work) once it runs
  if (!c.data_dir.empty()) c.data_dir = fs::absolute(c.data_dir);
  c.model.url = o.model_url;
  c.model.model = o.model;
  c.model.api_key = o.model_key;
  if (!c.data_dir.empty()) c.allowed_roots.push_back(c.data_dir);
  c.allowed_roots.push_back(fs::absolute(files));
  return c;
}

bool inside_roots(const fs::path& p, const std::vector<fs::path>& roots) {
  const fs::path rp = resolved(p);
  if (rp.empty()) return false;
  for (const auto& root : roots) {
    const fs::path rr = resolved(root);
    if (rr.empty()) continue;
    const auto rel = rp.lexically_relative(rr);
    if (!rel.empty() && *rel.begin() != ".." && !rel.is_absolute()) return true;
  }
  return false;
}

void allow_paths_in(Context& ctx, const std::vector<fs::path>& roots) {
  auto refuse = [roots](const std::string& option, const std::string& value) {
    std::vector<std::string> names;
    for (const auto& r : roots) names.push_back(r.filename().string());
    return field_error(fmt::format("'{}' is '{}', outside the folders the chat may read on this server (its data "
                                   "and files folders: {})",
                                   option, value.substr(0, 200), fmt::join(names, ", ")),
                       option);
  };
  auto locate = ctx.locate_input;
  auto read = ctx.read_input;
  ctx.locate_input = [locate, roots, refuse](const std::string& option, const std::string& value) -> fs::path {
    if (value.rfind("upload:", 0) == 0 && locate) return locate(option, value);
    if (!inside_roots(value, roots)) throw refuse(option, value);
    return fs::absolute(value);
  };
  ctx.read_input = [read, roots, refuse](const std::string& option, const std::string& value) -> std::string {
    if (value.rfind("upload:", 0) == 0 && read) return read(option, value);
    if (!inside_roots(value, roots)) throw refuse(option, value);
    std::error_code ec;
    if (!fs::is_regular_file(value, ec))
      throw Error(ErrorCategory::NotFound, fmt::format("'{}' is '{}', which is not a file", option, value.substr(0, 200)),
                  ErrorContext{value, 0, 0, option});
    return read_file(value);
  };
}

nlohmann::json answer_chat(const ChatRequest& request, Context& ctx, const agents::ChatOptions& options) {
  const agents::Answer a = agents::ask(request.question, ctx, options, request.history);
  nlohmann::json j = agents::to_json(a);
  if (!j.contains("intent")) j["intent"] = a.plan.intent;
  if (!j.contains("slots")) j["slots"] = a.plan.slots;
  if (!j.contains("clarify")) j["clarify"] = a.plan.clarify;
  if (!j.contains("language")) j["language"] = a.plan.language;
  return j;
}

}  // namespace panocarbon::server
