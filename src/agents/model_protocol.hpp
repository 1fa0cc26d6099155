// The pieces of the model path that speak the OpenAI-compatible chat-completions protocol (private to
// src/agents; model.cpp runs the loop). Pure functions, tested in model_protocol_test.cpp.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/registry.hpp"

namespace panocarbon::agents::protocol {

// One tool call of the model. `arguments` is as it came: a JSON string (the OpenAI form), an object (some
// servers), or null.
struct ToolCall {
  std::string id;    // empty when the server sent none (the loop makes one)
  std::string name;
  nlohmann::json arguments;
};

// One assistant reply, from a plain JSON answer or from a stream of `data:` chunks.
struct Reply {
  std::string content;           // the text (empty when none)
  std::vector<ToolCall> calls;   // tool_calls, in order of their index
  bool legacy = false;           // the calls came as a legacy `function_call` (answered with role "function")
  std::string finish_reason;     // as sent ("stop", "tool_calls", "function_call", "length"); empty when null
  bool streamed = false;         // the answer was a stream of server-sent events
};

// {base}/v1/chat/completions from a base URL with or without /v1 (or the whole endpoint). Throws
// Error{InvalidInput} naming the model URL when it is not http:// or https://.
std::string completions_url(const std::string& base);

// Reads a reply: server-sent events (Content-Type text/event-stream, or a body of `data:` lines) with delta
// fragments of content and of tool calls by index up to `[DONE]`, or one JSON object. Throws Error{Data}
// saying what is wrong: not JSON (with its first bytes), an `error` object, no choices.
Reply parse_reply(const std::string& body, const std::string& content_type);

// A call's arguments as a JSON object: a JSON string is parsed (one more time when it held a JSON string), an
// empty string or null is {}. Throws Error{InvalidInput} when they are not a JSON object.
nlohmann::json parse_arguments(const nlohmann::json& raw);

// Whether a capability is offered to a model: not local_only and not of the System domain.
bool offered(const Capability& c);
// The tools: every offered capability as {"type":"function","function":{name, description, parameters}}, the
// parameters being its input schema (front-end options are not in it).
nlohmann::json tools();

// A tool result small enough for a model's context: at most about max_chars of JSON. Arrays are shortened to
// their first items and long strings cut; `note` says what was clipped (empty when nothing was).
nlohmann::json clip(const nlohmann::json& result, size_t max_chars, std::string& note);

// "zh" when the text holds CJK ideographs, else "en".
std::string language_of(const std::string& text);

}  // namespace panocarbon::agents::protocol
