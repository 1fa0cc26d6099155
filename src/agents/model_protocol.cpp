#include "agents/model_protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/text.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::agents::protocol {

namespace {

std::string trim(std::string s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {};
  const auto b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The first bytes of a body, printable, for a message.
std::string head_of(const std::string& body) {
  std::string s = body.substr(0, 120);
  for (auto& ch : s)
    if (static_cast<unsigned char>(ch) < 32) ch = ' ';
  if (body.size() > 120) s += "...";
  return s;
}

// The text of a message's content: a string, null, or an array of parts [{type: text, text}].
std::string content_text(const nlohmann::json& c) {
  if (c.is_string()) return c.get<std::string>();
  std::string out;
  if (!c.is_array()) return out;
  for (const auto& part : c) {
    if (part.is_object() && part.contains("text") && part["text"].is_string())
      out += part["text"].get<std::string>();
    else if (part.is_string())
      out += part.get<std::string>();
  }
  return out;
}

std::string error_text(const nlohmann::json& e) {
  if (e.is_string()) return e.get<std::string>();
  if (e.is_object() && e.contains("message") && e["message"].is_string()) return e["message"].get<std::string>();
  return e.dump();
}

ToolCall call_from(const nlohmann::json& tc) {
  ToolCall c;
  if (tc.contains("id") && tc["id"].is_string()) c.id = tc["id"].get<std::string>();
  const nlohmann::json& f = tc.contains("function") && tc["function"].is_object() ? tc["function"] : tc;
  if (f.contains("name") && f["name"].is_string()) c.name = f["name"].get<std::string>();
  if (f.contains("arguments")) c.arguments = f["arguments"];
  return c;
}

// A whole message (a plain answer, or a chunk that carries `message` instead of `delta`).
void read_message(const nlohmann::json& m, Reply& r) {
  if (!m.is_object()) return;
  if (m.contains("content")) r.content += content_text(m["content"]);
  if (m.contains("tool_calls") && m["tool_calls"].is_array())
    for (const auto& tc : m["tool_calls"])
      if (tc.is_object()) r.calls.push_back(call_from(tc));
  if (r.calls.empty() && m.contains("function_call") && m["function_call"].is_object()) {
    r.calls.push_back(call_from(m["function_call"]));
    r.legacy = true;
  }
}

std::string finish_of(const nlohmann::json& choice) {
  return choice.contains("finish_reason") && choice["finish_reason"].is_string()
             ? choice["finish_reason"].get<std::string>()
             : std::string();
}

nlohmann::json parse_object(const std::string& text, const char* what) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    throw Error(ErrorCategory::Data, fmt::format("the model server's {} is not JSON (it begins: {})", what,
                                                 head_of(text)));
  if (!j.is_object())
    throw Error(ErrorCategory::Data,
                fmt::format("the model server's {} is JSON but not an object (it begins: {})", what, head_of(text)));
  if (j.contains("error") && !j["error"].is_null())
    throw Error(ErrorCategory::Data, fmt::format("the model server answered an error: {}", error_text(j["error"])));
  return j;
}

Reply parse_stream(const std::string& body) {
  Reply r;
  r.streamed = true;
  // Tool calls by their index; a fragment without an index continues the last call (or starts one with its id).
  std::map<long, ToolCall> calls;
  std::map<long, std::string> args;  // string fragments of each call's arguments
  long last = -1;
  bool any_chunk = false, any_choice = false, legacy = false;
  size_t pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    if (nl == std::string::npos) nl = body.size();
    std::string line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("data:", 0) != 0) continue;  // event:, id:, comments (": ping") and blank lines
    const std::string data = trim(line.substr(5));
    if (data.empty()) continue;
    if (data == "[DONE]") break;
    const nlohmann::json chunk = parse_object(data, "stream chunk");
    any_chunk = true;
    if (!chunk.contains("choices") || !chunk["choices"].is_array() || chunk["choices"].empty()) continue;  // usage
    const auto& choice = chunk["choices"][0];
    if (!choice.is_object()) continue;
    any_choice = true;
    if (const auto f = finish_of(choice); !f.empty()) r.finish_reason = f;
    if (choice.contains("message") && choice["message"].is_object()) {
      Reply whole;
      read_message(choice["message"], whole);
      r.content += whole.content;
      for (auto& c : whole.calls) {
        calls[++last] = c;
        if (c.arguments.is_string()) args[last] = c.arguments.get<std::string>();
      }
      legacy = legacy || whole.legacy;
      continue;
    }
    if (!choice.contains("delta") || !choice["delta"].is_object()) continue;
    const auto& d = choice["delta"];
    if (d.contains("content")) r.content += content_text(d["content"]);
    std::vector<nlohmann::json> pieces;
    if (d.contains("tool_calls") && d["tool_calls"].is_array())
      for (const auto& tc : d["tool_calls"]) pieces.push_back(tc);
    if (d.contains("function_call") && d["function_call"].is_object()) {
      pieces.push_back(d["function_call"]);
      legacy = true;
    }
    for (const auto& tc : pieces) {
      if (!tc.is_object()) continue;
      long index = -1;
      if (tc.contains("index") && tc["index"].is_number_integer()) {
        index = tc["index"].get<long>();
      } else {
        const std::string id = tc.contains("id") && tc["id"].is_string() ? tc["id"].get<std::string>() : "";
        const bool new_id = !id.empty() && (last < 0 || calls[last].id != id);
        index = (last < 0 || new_id) ? last + 1 : last;
      }
      last = std::max(last, index);
      ToolCall& c = calls[index];
      const ToolCall piece = call_from(tc);
      if (!piece.id.empty()) c.id = piece.id;
      if (!piece.name.empty() && c.name.empty()) c.name = piece.name;
      if (piece.arguments.is_string()) {
        args[index] += piece.arguments.get<std::string>();
      } else if (!piece.arguments.is_null()) {
        c.arguments = piece.arguments;  // a whole object in one chunk
      }
    }
  }
  if (!any_chunk)
    throw Error(ErrorCategory::Data,
                fmt::format("the model server's stream holds no data chunk (it begins: {})", head_of(body)));
  if (!any_choice) throw Error(ErrorCategory::Data, "the model server's stream holds no choices");
  for (auto& [i, c] : calls) {
    if (auto a = args.find(i); a != args.end() && c.arguments.is_null()) c.arguments = a->second;
    r.calls.push_back(std::move(c));
  }
  r.legacy = legacy && r.calls.size() == 1;
  return r;
}

// A body of server-sent events sent without their Content-Type: its first line is a field or a comment.
bool looks_like_events(const std::string& t) {
  for (const char* p : {"data:", "event:", "id:", "retry:", ":"})
    if (t.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

std::string completions_url(const std::string& base) {
  std::string u = trim(base);
  const std::string lower = to_lower(u);
  if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the model URL '{}' is not an http:// or https:// address; give the base URL of an "
                            "OpenAI-compatible server, e.g. http://127.0.0.1:8080 or http://127.0.0.1:8000/v1",
                            clip_input(u)),
                ErrorContext{{}, 0, 0, "model-url"});
  while (!u.empty() && u.back() == '/') u.pop_back();
  if (ends_with(u, "/chat/completions")) return u;
  if (ends_with(u, "/v1")) return u + "/chat/completions";
  return u + "/v1/chat/completions";
}

Reply parse_reply(const std::string& body, const std::string& content_type) {
  const std::string t = trim(body);
  if (t.empty()) throw Error(ErrorCategory::Data, "the model server answered an empty body");
  if (to_lower(content_type).find("text/event-stream") != std::string::npos || looks_like_events(t))
    return parse_stream(body);
  const nlohmann::json j = parse_object(t, "answer");
  if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty())
    throw Error(ErrorCategory::Data, "the model server's answer holds no choices");
  const auto& choice = j["choices"][0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object())
    throw Error(ErrorCategory::Data, "the model server's first choice holds no message");
  Reply r;
  r.finish_reason = finish_of(choice);
  read_message(choice["message"], r);
  return r;
}

nlohmann::json parse_arguments(const nlohmann::json& raw) {
  if (raw.is_null()) return nlohmann::json::object();
  nlohmann::json j = raw;
  for (int depth = 0; depth < 2 && j.is_string(); ++depth) {
    const std::string s = trim(j.get<std::string>());
    if (s.empty()) return nlohmann::json::object();
    j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_discarded())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the arguments are not valid JSON (they begin: {}); send them as one JSON object of "
                              "option names and values",
                              head_of(s)),
                  ErrorContext{{}, 0, 0, "arguments"});
  }
  if (!j.is_object())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the arguments are a JSON {}, not an object; send one JSON object of option names and "
                            "values",
                            j.type_name()),
                ErrorContext{{}, 0, 0, "arguments"});
  return j;
}

bool offered(const Capability& c) { return !c.local_only && c.domain != Domain::System; }

nlohmann::json tools() {
  auto out = nlohmann::json::array();
  for (const auto& c : capabilities()) {
    if (!offered(c)) continue;
    nlohmann::json params = to_json_schema(c.spec());
    params.erase("title");
    std::string description = c.spec().summary;
    if (!c.description.empty() && c.description != description) description += ". " + c.description;
    out.push_back({{"type", "function"},
                   {"function", {{"name", tool_name(c)}, {"description", description}, {"parameters", params}}}});
  }
  return out;
}

namespace {

nlohmann::json clip_with(const nlohmann::json& j, size_t items, size_t chars, bool& clipped) {
  if (j.is_array()) {
    auto out = nlohmann::json::array();
    for (size_t i = 0; i < j.size() && i < items; ++i) out.push_back(clip_with(j[i], items, chars, clipped));
    if (j.size() > items) clipped = true;
    return out;
  }
  if (j.is_object()) {
    auto out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = clip_with(it.value(), items, chars, clipped);
    return out;
  }
  if (j.is_string() && j.get<std::string>().size() > chars) {
    clipped = true;
    return j.get<std::string>().substr(0, chars) + "...";
  }
  return j;
}

}  // namespace

nlohmann::json clip(const nlohmann::json& result, size_t max_chars, std::string& note) {
  note.clear();
  if (result.dump().size() <= max_chars) return result;
  for (size_t items : {50, 20, 10, 5, 3, 1}) {
    bool clipped = false;
    auto j = clip_with(result, items, 400, clipped);
    if (j.dump().size() <= max_chars || items == 1) {
      note = fmt::format(
          "the result ({} characters of JSON) was clipped to fit: every list shortened to its first {} item{} and "
          "long texts cut; the full result is in the run log and in the answer's results",
          result.dump().size(), items, items == 1 ? "" : "s");
      if (j.dump().size() > max_chars) {
        // Still too large (very many keys): keep the top-level scalars only.
        auto top = nlohmann::json::object();
        if (result.is_object())
          for (auto it = result.begin(); it != result.end(); ++it)
            if (!it.value().is_structured()) top[it.key()] = it.value();
        note += "; only its top-level values are shown";
        return top;
      }
      return j;
    }
  }
  return nlohmann::json::object();
}

std::string language_of(const std::string& text) {
  // UTF-8 of U+3400..U+9FFF (CJK ideographs) starts with bytes 0xE3 (from 0x90) .. 0xE9.
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const auto b1 = static_cast<unsigned char>(text[i + 1]);
    if ((b0 >= 0xE4 && b0 <= 0xE9) || (b0 == 0xE3 && b1 >= 0x90)) return "zh";
  }
  return "en";
}

}  // namespace panocarbon::agents::protocol
