// The model path of the chat (docs/chat-model.md): a language model behind an OpenAI-compatible
// /v1/chat/completions endpoint chooses the registry's tools; each call runs through execute() (so it is logged
// like any run), its result goes back to the model, and the model's final text must pass the verifier (every
// number from a tool result). Any failure returns nullopt with a warning: ask() then answers with the
// deterministic planner.
#include "agents/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "agents/model_protocol.hpp"
#include "core/text.hpp"
#include "fetch/http.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::agents {

namespace {

constexpr size_t kMaxAnswerBytes = size_t{32} << 20;  // a chat-completions answer larger than this is refused
constexpr size_t kMaxToolChars = 12000;               // a tool result larger than this is clipped for the model

// Tool names of a list of capability names ("lca calc" -> "lca_calc").
std::string tool_words(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    std::string t = n;
    for (auto& ch : t)
      if (ch == ' ' || ch == '-') ch = '_';
    out += (out.empty() ? "" : " ") + t;
  }
  return out;
}

// The data folder as the model may name it in Path arguments: its entries two levels down (a folder of year
// folders is shown once, with the years' range).
std::string data_listing(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return {};
  std::vector<std::string> lines;
  auto sorted = [](const fs::path& d) {
    std::vector<fs::directory_entry> v;
    std::error_code e;
    for (fs::directory_iterator it(d, e), end; !e && it != end; it.increment(e)) v.push_back(*it);
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
    return v;
  };
  for (const auto& top : sorted(dir)) {
    if (!top.is_directory(ec)) continue;
    for (const auto& e : sorted(top.path())) {
      std::string line = (top.path().filename() / e.path().filename()).string();
      if (e.is_directory(ec)) {
        std::vector<int> years;
        bool all_years = true;
        for (const auto& y : sorted(e.path())) {
          const std::string n = y.path().filename().string();
          if (n.size() == 4 && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
            years.push_back(std::stoi(n));
          else
            all_years = false;
        }
        line += all_years && !years.empty() ? fmt::format("/YEAR (years {} to {})", years.front(), years.back()) : "/";
      }
      lines.push_back(line);
      if (lines.size() >= 60) break;
    }
    if (lines.size() >= 60) break;
  }
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

std::string system_prompt(const Knowledge& k) {
  std::string s =
      "You are the conversational front of panocarbon, an open-source carbon accounting system: national "
      "greenhouse-gas inventories (IPCC), multi-regional input-output (MRIO) trade accounts of emissions embodied "
      "in trade, life cycle assessment (LCA) product footprints, natural sources and sinks, and their "
      "uncertainty. You answer through five specialist agents; each owns the tools named after it:\n";
  // Tools every agent owns (the reference data) are named once, after the agents.
  std::vector<std::string> shared;
  if (!agents().empty())
    for (const auto& t : agents().front().tools) {
      bool everywhere = true;
      for (const auto& a : agents())
        everywhere = everywhere && std::find(a.tools.begin(), a.tools.end(), t) != a.tools.end();
      if (everywhere) shared.push_back(t);
    }
  for (const auto& a : agents()) {
    std::vector<std::string> own;
    for (const auto& t : a.tools)
      if (std::find(shared.begin(), shared.end(), t) == shared.end()) own.push_back(t);
    s += fmt::format("- {} ({}): {}", a.title, to_string(a.id), a.description);
    if (!own.empty()) s += " Tools: " + tool_words(own) + ".";
    s += "\n";
  }
  if (!shared.empty()) s += "Reference tools of every agent: " + tool_words(shared) + ".\n";
  s += "What the person has:\n";
  s += k.lca_databases.empty() ? std::string("- no LCA database stored yet (lca_import stores one)\n")
                               : "- LCA databases stored: " + fmt::format("{}", fmt::join(k.lca_databases, ", ")) + "\n";
  if (k.ledger_years.empty())
    s += "- no ledger built yet (ledger_build with default true builds the embedded default ledger)\n";
  else
    s += fmt::format("- a ledger of the years {} to {} (sources: {})\n", k.ledger_years.front(), k.ledger_years.back(),
                     fmt::join(k.ledger_sources, ", "));
  if (const auto listing = data_listing(k.data_dir); !listing.empty())
    s += "- a data folder " + k.data_dir.string() + " (give paths inside it as Path arguments), holding:\n" + listing;
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

// A call's arguments as sent back in the assistant message: a JSON object as text (the OpenAI form). Arguments that
// are not a JSON object are sent back as {} (some servers parse the history's arguments and fail on bad JSON);
// the tool message tells the model what was wrong with them.
std::string arguments_text(const nlohmann::json& raw) {
  try {
    return protocol::parse_arguments(raw).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const Error&) {
    return "{}";
  }
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
  bool stream = true;           // ask for a stream; false after a server refused one
  std::vector<std::string> notes;  // what the answer's warnings should say about the session
};

// One request; throws Error saying what went wrong (transport, HTTP status, body).
// The reason in an error answer: its error.message, else its first bytes.
std::string reason_of(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error")) {
    const auto& e = j["error"];
    if (e.is_string()) return e.get<std::string>();
    if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
    return e.dump();
  }
  return clip_input(body, 200);
}

// One request; throws Error saying what went wrong (transport, HTTP status, body). A server that refuses a
// streamed request (HTTP 400, 415, 422 or 501: some refuse streams with tools) is asked again once without
// one, and the session asks without a stream from then on.
protocol::Reply send(Session& s, const nlohmann::json& messages) {
  for (;;) {
    nlohmann::json req = {{"messages", messages}, {"tools", s.tools}, {"tool_choice", "auto"}, {"stream", s.stream}};
    if (!s.model.empty()) req["model"] = s.model;
    std::vector<std::string> headers;
    if (!s.key.empty()) headers.push_back("Authorization: Bearer " + s.key);
    const auto res = fetch::post_json(s.url, req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                      headers, s.timeout_s, kMaxAnswerBytes);
    if (res.status == 200) return protocol::parse_reply(res.body, res.content_type);
    const std::string why = reason_of(res.body);
    if (s.stream && (res.status == 400 || res.status == 415 || res.status == 422 || res.status == 501)) {
      s.stream = false;
      s.notes.push_back(fmt::format("the model server refused a streamed request (HTTP {}{}{}); asked without a stream",
                                    res.status, why.empty() ? "" : ": ", why));
      continue;
    }
    throw Error(ErrorCategory::Io, fmt::format("POST {} answered HTTP {}{}{}", s.url, res.status,
                                               why.empty() ? "" : ": ", why));
  }
}

}  // namespace

std::optional<Answer> ask_model(const std::string& question, Context& ctx, const ChatOptions& options,
                                const std::vector<Turn>& history, std::vector<std::string>& warnings) {
  Session s{options, {}, options.model.model, options.model.api_key, {}, options.model.timeout_s, true, {}};
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
  Store* store = nullptr;
  try {
    if (ctx.has_store()) store = &ctx.store();
  } catch (const std::exception& e) {
    notes.push_back(fmt::format("the database could not be opened ({}); the model was told of no stored data", e.what()));
  }
  messages.push_back({{"role", "system"}, {"content", system_prompt(discover(store, options.data_dir))}});
  add_history(messages, history);
  messages.push_back({{"role", "user"}, {"content", question}});

  // Gives up: the warnings say what happened (after what the session noted), and ask() falls back.
  auto fail = [&](std::string why) {
    warnings.insert(warnings.end(), s.notes.begin(), s.notes.end());
    warnings.push_back(std::move(why));
    return std::optional<Answer>();
  };
  int tool_rounds = 0;
  bool retried = false;
  int made_ids = 0;
  const int max_rounds = std::max(0, options.model.max_rounds);
  for (;;) {
    protocol::Reply reply;
    try {
      reply = send(s, messages);
    } catch (const Error& e) {
      return fail(fmt::format("{} could not be used: {}", who, e.message()));
    }

    if (!reply.calls.empty()) {
      if (tool_rounds >= max_rounds) {
        return fail(fmt::format("{} still called tools after {} rounds (the most allowed)", who, max_rounds));
      }
      ++tool_rounds;
      // The assistant's message as it will be sent back: every call with an id (made when the server sent none).
      nlohmann::json assistant = {{"role", "assistant"},
                                  {"content", reply.content.empty() ? nlohmann::json() : nlohmann::json(reply.content)}};
      for (auto& c : reply.calls)
        if (c.id.empty()) c.id = fmt::format("call_pc{}", ++made_ids);
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
      return fail(fmt::format("{} gave neither an answer nor a tool call (finish reason: {})", who,
                                     reply.finish_reason.empty() ? "none" : reply.finish_reason));
    }
    const auto bad = unsupported_numbers(reply.content, question, answer.results);
    if (bad.empty()) {
      answer.text = reply.content;
      if (answer.plan.steps.empty()) answer.plan.clarify = reply.content;  // no tool ran: a question back
      if (reply.finish_reason == "length") notes.push_back(fmt::format("the answer of {} was cut at its length limit", who));
      answer.warnings = s.notes;
      answer.warnings.insert(answer.warnings.end(), notes.begin(), notes.end());
      return answer;
    }
    if (retried) {
      return fail(fmt::format("the answer of {} still held numbers that no tool result gave ({}) after it was "
                                     "asked to correct them",
                                     who, join(bad)));
    }
    retried = true;
    notes.push_back(fmt::format("the first answer of {} held numbers that no tool result gave ({}); it was asked "
                                "again",
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
