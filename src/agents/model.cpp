// The model path of the chat (docs/chat-model.md): a language model behind an OpenAI-compatible
// /v1/chat/completions endpoint chooses the registry's tools; each call runs through execute() (so it is logged
// like any run), its result goes back to the model, and the model's final text must pass the verifier (every
// number from a tool result). Any failure returns nullopt with a warning: ask() then answers with the
// deterministic planner.
#include "agents/model.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "agents/model_protocol.hpp"
#include "core/text.hpp"
#include "fetch/http.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::agents {

namespace {

constexpr size_t kMaxAnswerBytes = size_t{32} << 20;  // a chat-completions answer larger than this is refused
constexpr size_t kMaxToolChars = 12000;               // a tool result larger than this is clipped for the model

std::string system_prompt() {
  std::string s =
      "You are the conversational front of panocarbon, an open-source carbon accounting system: national "
      "greenhouse-gas inventories (IPCC), multi-regional input-output (MRIO) trade accounts of emissions embodied "
      "in trade, life cycle assessment (LCA) product footprints, natural sources and sinks, and their "
      "uncertainty. You answer through five specialist agents; each owns the tools named after it:\n";
  for (const auto& a : agents()) {
    s += fmt::format("- {} ({}): {}", a.title, to_string(a.id), a.description);
    if (!a.tools.empty()) {
      s += " Tools:";
      for (const auto& t : a.tools) {
        std::string tn = t;
        for (auto& ch : tn)
          if (ch == ' ' || ch == '-') ch = '_';
        s += " " + tn;
      }
      s += ".";
    }
    s += "\n";
  }
  s +=
      "Rules:\n"
      "1. Every number in your answer must come from a tool result. Never give a number from memory and never "
      "compute a new one (no sums, differences or shares that no tool gave); you may round a tool's number.\n"
      "2. Call the tools to get the numbers; fill their arguments from the question (country as ISO 3166 alpha-3 "
      "code, year, product, database, method, gas, GWP set). When a choice is ambiguous (which year? which "
      "database?), ask the person instead of guessing, and call no tool.\n"
      "3. Each tool result carries a citation number: cite it as [n] after the numbers it gave.\n"
      "4. When a tool answers with an error, correct the arguments or say plainly what is missing (data to "
      "import or fetch).\n"
      "5. Answer in the language of the question (English or Chinese), briefly, with units.";
  return s;
}

std::string arguments_text(const nlohmann::json& raw) {
  return raw.is_string() ? raw.get<std::string>() : (raw.is_null() ? std::string("{}") : raw.dump());
}

// What the earlier turns were, for the model: the question and what was done (a question back, or the tools).
void add_history(nlohmann::json& messages, const std::vector<Turn>& history) {
  for (const auto& t : history) {
    messages.push_back({{"role", "user"}, {"content", t.question}});
    std::string said;
    if (!t.plan.clarify.empty()) {
      said = t.plan.clarify;
    } else if (!t.plan.steps.empty()) {
      said = "(tools run for this question:";
      for (const auto& st : t.plan.steps) said += fmt::format(" {} {};", st.tool, st.arguments.dump());
      said.back() = ')';
    } else {
      continue;
    }
    messages.push_back({{"role", "assistant"}, {"content", said}});
  }
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

struct Session {
  const ChatOptions& options;
  std::string url;
  std::string model;
  std::string key;
  nlohmann::json tools;
  int timeout_s = 120;
};

// One request; throws Error saying what went wrong (transport, HTTP status, body).
protocol::Reply send(const Session& s, const nlohmann::json& messages) {
  nlohmann::json req = {{"messages", messages}, {"tools", s.tools}, {"tool_choice", "auto"}, {"stream", true}};
  if (!s.model.empty()) req["model"] = s.model;
  std::vector<std::string> headers;
  if (!s.key.empty()) headers.push_back("Authorization: Bearer " + s.key);
  const auto res = fetch::post_json(s.url, req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                    headers, s.timeout_s, kMaxAnswerBytes);
  if (res.status != 200) {
    std::string why;
    const auto j = nlohmann::json::parse(res.body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) {
      const auto& e = j["error"];
      why = e.is_string() ? e.get<std::string>()
                          : (e.is_object() && e.contains("message") && e["message"].is_string()
                                 ? e["message"].get<std::string>()
                                 : e.dump());
    } else {
      why = clip_input(res.body, 200);
    }
    throw Error(ErrorCategory::Io, fmt::format("POST {} answered HTTP {}{}{}", s.url, res.status,
                                               why.empty() ? "" : ": ", why));
  }
  return protocol::parse_reply(res.body, res.content_type);
}

}  // namespace

std::optional<Answer> ask_model(const std::string& question, Context& ctx, const ChatOptions& options,
                                const std::vector<Turn>& history, std::vector<std::string>& warnings) {
  Session s{options, {}, options.model.model, options.model.api_key, {}, options.model.timeout_s};
  if (s.model.empty())
    if (const char* env = std::getenv("PANOCARBON_MODEL"); env) s.model = env;
  if (s.key.empty())
    if (const char* env = std::getenv("PANOCARBON_MODEL_KEY"); env) s.key = env;
  if (const char* env = std::getenv("PANOCARBON_MODEL_TIMEOUT"); env && *env) {
    char* end = nullptr;
    const long t = std::strtol(env, &end, 10);
    if (*end != '\0' || t < 1 || t > 86400) {
      warnings.push_back(fmt::format("PANOCARBON_MODEL_TIMEOUT='{}' is not a number of seconds from 1 to 86400",
                                     clip_input(env)));
      return std::nullopt;
    }
    s.timeout_s = static_cast<int>(t);
  }
  const std::string who = s.model.empty() ? std::string("the model") : fmt::format("the model '{}'", s.model);
  try {
    s.url = protocol::completions_url(options.model.url);
    s.tools = protocol::tools();
  } catch (const Error& e) {
    warnings.push_back(e.message());
    return std::nullopt;
  }

  Answer answer;
  answer.planner = "model:" + (s.model.empty() ? std::string("default") : s.model);
  answer.plan.language = protocol::language_of(question);
  answer.plan.intent = "model";
  std::vector<std::string> notes;  // the answer's own warnings (a rejected first answer, failed tool calls)

  nlohmann::json messages = nlohmann::json::array();
  messages.push_back({{"role", "system"}, {"content", system_prompt()}});
  add_history(messages, history);
  messages.push_back({{"role", "user"}, {"content", question}});

  int tool_rounds = 0;
  bool retried = false;
  int made_ids = 0;
  const int max_rounds = std::max(0, options.model.max_rounds);
  for (;;) {
    protocol::Reply reply;
    try {
      reply = send(s, messages);
    } catch (const Error& e) {
      warnings.push_back(fmt::format("{} could not be used: {}", who, e.message()));
      return std::nullopt;
    }

    if (!reply.calls.empty()) {
      if (tool_rounds >= max_rounds) {
        warnings.push_back(fmt::format("{} still called tools after {} rounds (the most allowed)", who,
                                       max_rounds));
        return std::nullopt;
      }
      ++tool_rounds;
      // The assistant's message as it will be sent back: every call with an id (made when the server sent none).
      nlohmann::json assistant = {{"role", "assistant"},
                                  {"content", reply.content.empty() ? nlohmann::json() : nlohmann::json(reply.content)}};
      for (auto& c : reply.calls)
        if (c.id.empty()) c.id = fmt::format("call_{}", ++made_ids);
      if (reply.legacy) {
        const auto& c = reply.calls.front();
        assistant["function_call"] = {{"name", c.name}, {"arguments", arguments_text(c.arguments)}};
      } else {
        auto calls = nlohmann::json::array();
        for (const auto& c : reply.calls)
          calls.push_back({{"id", c.id},
                           {"type", "function"},
                           {"function", {{"name", c.name}, {"arguments", arguments_text(c.arguments)}}}});
        assistant["tool_calls"] = calls;
      }
      messages.push_back(assistant);

      for (const auto& c : reply.calls) {
        nlohmann::json content;
        const Capability* cap = capability_by_tool(c.name);
        if (!cap || !protocol::offered(*cap)) {
          std::vector<std::string> names;
          for (const auto& t : s.tools) names.push_back(t["function"]["name"].get<std::string>());
          const auto near = nearest(c.name, names);
          content = {{"error", fmt::format("there is no tool '{}'{}; call one of the tools listed", clip_input(c.name),
                                           near.empty() ? "" : " (did you mean " + join(near, ", ") + "?)")}};
          notes.push_back(fmt::format("{} called a tool that does not exist: '{}'", who, clip_input(c.name)));
        } else {
          Step step;
          step.agent = agent_of(*cap).value_or(Agent::Trade);
          step.tool = cap->name;
          step.why = "called by " + who;
          StepResult sr;
          try {
            step.arguments = protocol::parse_arguments(c.arguments);
            Plan one;
            one.language = answer.plan.language;
            one.intent = answer.plan.intent;
            one.steps.push_back(step);
            auto rs = execute(one, ctx, options.allowed_roots);
            if (rs.empty()) throw Error(ErrorCategory::Internal, "the executor returned no result for the step");
            sr = std::move(rs.front());
          } catch (const Error& e) {
            sr.step = step;
            sr.result = nullptr;
            sr.error = e.message();
          } catch (const std::exception& e) {
            sr.step = step;
            sr.result = nullptr;
            sr.error = e.what();
          }
          answer.plan.steps.push_back(sr.step);
          if (!sr.error.empty() || sr.result.is_null()) {
            const std::string err = sr.error.empty() ? std::string("the tool gave no result") : sr.error;
            content = {{"tool", c.name}, {"error", err}};
            notes.push_back(fmt::format("the tool call {} failed: {}", c.name, err));
          } else {
            nlohmann::json cite = sr.citation.is_object() ? sr.citation : nlohmann::json::object();
            if (!cite.contains("capability")) cite["capability"] = cap->name;
            if (!cite.contains("run_id")) cite["run_id"] = sr.run_id;
            cite["n"] = answer.citations.size() + 1;
            answer.citations.push_back(cite);
            std::string note;
            content = {{"tool", c.name},
                       {"citation", answer.citations.size()},
                       {"result", protocol::clip(sr.result, kMaxToolChars, note)}};
            if (!note.empty()) content["note"] = note;
          }
          answer.results.push_back(std::move(sr));
        }
        const std::string text = content.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (reply.legacy)
          messages.push_back({{"role", "function"}, {"name", c.name}, {"content", text}});
        else
          messages.push_back({{"role", "tool"}, {"tool_call_id", c.id}, {"name", c.name}, {"content", text}});
      }
      continue;
    }

    // A final answer: every number must come from a tool result.
    if (reply.content.find_first_not_of(" \t\r\n") == std::string::npos) {
      warnings.push_back(fmt::format("{} gave neither an answer nor a tool call (finish reason: {})", who,
                                     reply.finish_reason.empty() ? "none" : reply.finish_reason));
      return std::nullopt;
    }
    const auto bad = unsupported_numbers(reply.content, question, answer.results);
    if (bad.empty()) {
      answer.text = reply.content;
      if (answer.plan.steps.empty()) answer.plan.clarify = reply.content;  // no tool ran: a question back
      if (reply.finish_reason == "length") notes.push_back(fmt::format("{}'s answer was cut at its length limit", who));
      answer.warnings = std::move(notes);
      return answer;
    }
    if (retried) {
      warnings.push_back(fmt::format("{}'s answer held numbers that no tool result gave ({}) again after it was asked "
                                     "to correct them",
                                     who, join(bad)));
      return std::nullopt;
    }
    retried = true;
    notes.push_back(fmt::format("{}'s first answer held numbers that no tool result gave ({}); it was asked again",
                                who, join(bad)));
    messages.push_back({{"role", "assistant"}, {"content", reply.content}});
    messages.push_back(
        {{"role", "user"},
         {"content", fmt::format("Your answer holds numbers that are in no tool result: {}. Every number must come "
                                 "from a tool result. Answer again using only the numbers the tools gave (call a "
                                 "tool if you need another number), citing them as [n].",
                                 join(bad))}});
  }
}

}  // namespace panocarbon::agents
