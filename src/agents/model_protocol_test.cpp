// The chat-completions protocol of the model path (src/agents/model_protocol.cpp): URLs, plain and streamed
// replies in the dialects servers speak, arguments, the tools offered, clipping. The loop itself is tested end
// to end against a scripted server (tests/e2e/test_chat_model.py).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "agents/model_protocol.hpp"
#include "panocarbon/error.hpp"

using namespace panocarbon;
namespace proto = panocarbon::agents::protocol;
using nlohmann::json;

namespace {

Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorCategory::Internal, "none");
}

std::string sse(const std::vector<json>& chunks, bool done = true) {
  std::string s;
  for (const auto& c : chunks) s += "data: " + c.dump() + "\n\n";
  if (done) s += "data: [DONE]\n\n";
  return s;
}

json delta(json d, json finish = nullptr) {
  return {{"id", "x"}, {"object", "chat.completion.chunk"},
          {"choices", json::array({{{"index", 0}, {"delta", d}, {"finish_reason", finish}}})}};
}

}  // namespace

TEST(ModelProtocol, CompletionsUrlWithOrWithoutV1) {
  EXPECT_EQ(proto::completions_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080/v1/chat/completions");
  EXPECT_EQ(proto::completions_url("http://127.0.0.1:8080/"), "http://127.0.0.1:8080/v1/chat/completions");
  EXPECT_EQ(proto::completions_url("http://h:8000/v1"), "http://h:8000/v1/chat/completions");
  EXPECT_EQ(proto::completions_url("https://h/v1/"), "https://h/v1/chat/completions");
  EXPECT_EQ(proto::completions_url("http://h:11434/v1/chat/completions"), "http://h:11434/v1/chat/completions");
  EXPECT_EQ(proto::completions_url("http://h/api/openai"), "http://h/api/openai/v1/chat/completions");
  const auto e = error_of([] { proto::completions_url("127.0.0.1:8080"); });
  EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
  EXPECT_NE(e.message().find("'127.0.0.1:8080' is not an http:// or https:// address"), std::string::npos);
  EXPECT_EQ(e.context().field, "model-url");
}

TEST(ModelProtocol, PlainAnswerWithToolCallsArgumentsAsStringOrObject) {
  const json body = {
      {"choices",
       json::array({{{"index", 0},
                     {"finish_reason", "tool_calls"},
                     {"message",
                      {{"role", "assistant"},
                       {"content", nullptr},
                       {"tool_calls", json::array({{{"id", "a1"},
                                                    {"type", "function"},
                                                    {"function", {{"name", "gwp"}, {"arguments", "{\"gas\":\"CH4\"}"}}}},
                                                   {{"type", "function"},
                                                    {"function", {{"name", "account"}, {"arguments", {{"year", 2009}}}}}}})}}}}})}};
  const auto r = proto::parse_reply(body.dump(), "application/json");
  EXPECT_FALSE(r.streamed);
  EXPECT_EQ(r.finish_reason, "tool_calls");
  EXPECT_EQ(r.content, "");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].id, "a1");
  EXPECT_EQ(r.calls[0].name, "gwp");
  EXPECT_EQ(proto::parse_arguments(r.calls[0].arguments), json({{"gas", "CH4"}}));
  EXPECT_EQ(r.calls[1].id, "");  // none sent: the loop makes one
  EXPECT_EQ(proto::parse_arguments(r.calls[1].arguments), json({{"year", 2009}}));
  EXPECT_FALSE(r.legacy);
}

TEST(ModelProtocol, LegacyFunctionCallAndContentParts) {
  const json legacy = {{"choices", json::array({{{"finish_reason", "function_call"},
                                                 {"message", {{"content", nullptr},
                                                              {"function_call", {{"name", "gwp"}, {"arguments", "{}"}}}}}}})}};
  const auto r = proto::parse_reply(legacy.dump(), "application/json; charset=utf-8");
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_TRUE(r.legacy);
  EXPECT_EQ(r.calls[0].name, "gwp");
  const json parts = {{"choices", json::array({{{"finish_reason", nullptr},
                                                {"message", {{"content", json::array({{{"type", "text"}, {"text", "a "}},
                                                                                      {{"type", "text"}, {"text", "b"}}})}}}}})}};
  const auto p = proto::parse_reply(parts.dump(), "");
  EXPECT_EQ(p.content, "a b");
  EXPECT_EQ(p.finish_reason, "");
  EXPECT_TRUE(p.calls.empty());
}

TEST(ModelProtocol, StreamedFragmentsByIndex) {
  const std::string body = sse({
      delta({{"role", "assistant"}, {"content", nullptr}}),
      delta({{"tool_calls", json::array({{{"index", 0}, {"id", "c0"}, {"type", "function"},
                                          {"function", {{"name", "gwp"}, {"arguments", ""}}}}})}}),
      delta({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "{\"ga"}}}}})}}),
      delta({{"tool_calls", json::array({{{"index", 1}, {"id", "c1"},
                                          {"function", {{"name", "account"}, {"arguments", "{\"year\":"}}}}})}}),
      delta({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "s\":\"N2O\"}"}}}}})}}),
      delta({{"tool_calls", json::array({{{"index", 1}, {"function", {{"arguments", "2009}"}}}}})}}),
      delta(json::object(), "tool_calls"),
  });
  const auto r = proto::parse_reply(body, "text/event-stream");
  EXPECT_TRUE(r.streamed);
  EXPECT_EQ(r.finish_reason, "tool_calls");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].id, "c0");
  EXPECT_EQ(proto::parse_arguments(r.calls[0].arguments), json({{"gas", "N2O"}}));
  EXPECT_EQ(r.calls[1].name, "account");
  EXPECT_EQ(proto::parse_arguments(r.calls[1].arguments), json({{"year", 2009}}));
}

TEST(ModelProtocol, StreamedTextWithoutContentTypeAndWithoutIndexes) {
  // Text in pieces, a keep-alive comment, CRLF line ends; no Content-Type: the `data:` lines tell.
  std::string body = ": ping\r\n\r\n" + sse({delta({{"content", "CH4 "}}), delta({{"content", "is 28 [1]."}}, "stop")});
  auto r = proto::parse_reply(body, "");
  EXPECT_EQ(r.content, "CH4 is 28 [1].");
  EXPECT_EQ(r.finish_reason, "stop");
  // Tool-call fragments without an index: a new id starts a call, none continues the last one.
  body = sse({delta({{"tool_calls", json::array({{{"id", "p"}, {"function", {{"name", "gwp"}, {"arguments", "{"}}}}})}}),
              delta({{"tool_calls", json::array({{{"function", {{"arguments", "}"}}}}})}}),
              delta({{"tool_calls", json::array({{{"id", "q"}, {"function", {{"name", "account"}, {"arguments", {{"year", 2000}}}}}}})}})},
             false);
  r = proto::parse_reply(body, "text/event-stream");
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(proto::parse_arguments(r.calls[0].arguments), json::object());
  EXPECT_EQ(r.calls[1].id, "q");
  EXPECT_EQ(proto::parse_arguments(r.calls[1].arguments), json({{"year", 2000}}));
}

TEST(ModelProtocol, BadAnswersSayWhatIsWrong) {
  auto e = error_of([] { proto::parse_reply("<html>Bad gateway</html>", "text/html"); });
  EXPECT_EQ(e.category(), ErrorCategory::Data);
  EXPECT_NE(e.message().find("is not JSON (it begins: <html>Bad gateway</html>)"), std::string::npos);
  e = error_of([] { proto::parse_reply(R"({"choices": []})", "application/json"); });
  EXPECT_NE(e.message().find("holds no choices"), std::string::npos);
  e = error_of([] { proto::parse_reply(R"({"error": {"message": "model not loaded"}})", "application/json"); });
  EXPECT_NE(e.message().find("answered an error: model not loaded"), std::string::npos);
  e = error_of([] { proto::parse_reply("   ", "application/json"); });
  EXPECT_NE(e.message().find("empty body"), std::string::npos);
  e = error_of([] { proto::parse_reply("data: {\"choices\": [{\"delta\": {\"content\": \"a\"}}]\n", ""); });
  EXPECT_NE(e.message().find("stream chunk is not JSON"), std::string::npos);
  e = error_of([] { proto::parse_reply("data: [DONE]\n\n", "text/event-stream"); });
  EXPECT_NE(e.message().find("no data chunk"), std::string::npos);
}

TEST(ModelProtocol, Arguments) {
  EXPECT_EQ(proto::parse_arguments(json("\"{\\\"a\\\": 1}\"")), json({{"a", 1}}));  // double-encoded
  EXPECT_EQ(proto::parse_arguments(json("")), json::object());
  EXPECT_EQ(proto::parse_arguments(json()), json::object());
  auto e = error_of([] { proto::parse_arguments(json("{\"a\": ")); });
  EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
  EXPECT_NE(e.message().find("not valid JSON (they begin: {\"a\":"), std::string::npos);
  e = error_of([] { proto::parse_arguments(json::array({1, 2})); });
  EXPECT_NE(e.message().find("are a JSON array, not an object"), std::string::npos);
}

TEST(ModelProtocol, ToolsAreTheOfferedCapabilitiesWithTheirSchemas) {
  const json t = proto::tools();
  ASSERT_TRUE(t.is_array());
  std::set<std::string> names;
  for (const auto& x : t) {
    EXPECT_EQ(x["type"], "function");
    const auto& f = x["function"];
    const std::string name = f["name"];
    names.insert(name);
    EXPECT_EQ(name.find(' '), std::string::npos);
    EXPECT_LE(name.size(), 64u);
    EXPECT_FALSE(f["description"].get<std::string>().empty()) << name;
    EXPECT_EQ(f["parameters"]["type"], "object") << name;
    EXPECT_FALSE(f["parameters"]["properties"].contains("format")) << name;
    EXPECT_FALSE(f["parameters"]["properties"].contains("db")) << name;
    const Capability* c = capability_by_tool(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_TRUE(proto::offered(*c));
  }
  size_t offered = 0;
  for (const auto& c : capabilities()) {
    if (c.local_only || c.domain == Domain::System) {
      EXPECT_EQ(names.count(tool_name(c)), 0u) << c.name;
    } else {
      ++offered;
      EXPECT_EQ(names.count(tool_name(c)), 1u) << c.name;
    }
  }
  EXPECT_EQ(names.size(), offered);
  EXPECT_EQ(names.count("db_repair"), 0u);
  EXPECT_EQ(names.count("completion"), 0u);
  EXPECT_EQ(names.count("data_fetch"), 0u);
}

TEST(ModelProtocol, ClipKeepsSmallResultsAndShortensLargeOnes) {
  std::string note;
  const json small = {{"total", 1.5}, {"rows", json::array({1, 2, 3})}};
  EXPECT_EQ(proto::clip(small, 1000, note), small);
  EXPECT_TRUE(note.empty());
  json big = {{"total", 42.5}, {"unit", "kt"}, {"rows", json::array()}};
  for (int i = 0; i < 5000; ++i) big["rows"].push_back({{"sector", fmt::format("s{}", i)}, {"value", i * 0.5}});
  const json c = proto::clip(big, 4000, note);
  EXPECT_LE(c.dump().size(), 4000u);
  EXPECT_EQ(c["total"], 42.5);
  EXPECT_EQ(c["rows"][0]["value"], 0.0);
  EXPECT_LT(c["rows"].size(), 5000u);
  EXPECT_NE(note.find("clipped to fit"), std::string::npos);
}

TEST(ModelProtocol, Language) {
  EXPECT_EQ(proto::language_of("中国2009年的消费侧排放是多少?"), "zh");
  EXPECT_EQ(proto::language_of("What is the footprint of cement? (é, ü)"), "en");
}
