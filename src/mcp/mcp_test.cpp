// The MCP protocol handling (src/mcp): JSON-RPC errors, version negotiation, batches, the tools list and
// tool calls through the real local runner on a temporary database.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>
#include <set>
#include <sstream>

#include <unistd.h>

#include "panocarbon/error.hpp"
#include "panocarbon/mcp.hpp"
#include "panocarbon/provenance.hpp"

using namespace panocarbon;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("panocarbon-mcp-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const std::string kSource = PANOCARBON_SOURCE_DIR;

json request(int id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

json init_params(const std::string& version = "2025-11-25") {
  return {{"protocolVersion", version},
          {"capabilities", json::object()},
          {"clientInfo", {{"name", "mcp_test"}, {"version", "1"}}}};
}

struct Fixture {
  TempDir dir;
  std::ostringstream log;
  mcp::Session session{mcp::Transport::Stdio, mcp::local_runner(dir.path / "test.db", dir.path / "files"), &log};
  explicit Fixture(const std::string& version = "2025-11-25") {
    const json r = session.handle(request(0, "initialize", init_params(version)));
    EXPECT_TRUE(r.contains("result")) << r.dump();
    EXPECT_TRUE(session.handle({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}).is_null());
  }
  json call(const std::string& tool, json arguments) {
    return session.handle(request(7, "tools/call", {{"name", tool}, {"arguments", std::move(arguments)}}));
  }
};

int error_code(const json& r) { return r.at("error").at("code").get<int>(); }
std::string error_message(const json& r) { return r.at("error").at("message").get<std::string>(); }
std::string first_text(const json& r) { return r.at("result").at("content").at(0).at("text").get<std::string>(); }

}  // namespace

TEST(Mcp, InitializeAnswersItsRevisionAndTheClientsWhenSupported) {
  for (const std::string v : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
    mcp::Session s(mcp::Transport::Stdio, mcp::local_runner("unused.db"));
    const json r = s.handle(request(1, "initialize", init_params(v)));
    EXPECT_EQ(r["id"], 1);
    EXPECT_EQ(r["result"]["protocolVersion"], v);
    EXPECT_EQ(s.protocol_version(), v);
  }
  mcp::Session s(mcp::Transport::Stdio, mcp::local_runner("unused.db"));
  const json r = s.handle(request(1, "initialize", init_params("1999-01-01")));
  EXPECT_EQ(r["result"]["protocolVersion"], "2025-11-25");  // its own: the client decides whether to go on
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "panocarbon");
  EXPECT_FALSE(r["result"]["serverInfo"]["version"].get<std::string>().empty());
  EXPECT_EQ(r["result"]["capabilities"], json({{"tools", {{"listChanged", false}}}}));
  const std::string instructions = r["result"]["instructions"];
  for (const char* agent : {"process", "trade", "lca", "natural", "uncertainty"})
    EXPECT_NE(instructions.find(agent), std::string::npos) << agent;
  // a second initialize in the same session is refused
  EXPECT_EQ(error_code(s.handle(request(2, "initialize", init_params()))), mcp::kInvalidRequest);
}

TEST(Mcp, InitializeWithoutAVersionIsInvalidParams) {
  mcp::Session s(mcp::Transport::Stdio, mcp::local_runner("unused.db"));
  const json r = s.handle(request(1, "initialize", json::object()));
  EXPECT_EQ(error_code(r), mcp::kInvalidParams);
  EXPECT_NE(error_message(r).find("protocolVersion"), std::string::npos);
  EXPECT_FALSE(s.initialized());
}

TEST(Mcp, JsonRpcErrorsHaveTheirCodes) {
  mcp::Session s(mcp::Transport::Stdio, mcp::local_runner("unused.db"));
  // not JSON: -32700 with a null id
  const json parse = json::parse(s.handle_text("{\"jsonrpc\": \"2.0\", \"id\": 1, "));
  EXPECT_EQ(error_code(parse), mcp::kParseError);
  EXPECT_TRUE(parse["id"].is_null());
  // JSON whose number does not fit a double is not a message either
  const json overflow = json::parse(s.handle_text("{\"jsonrpc\": \"2.0\", \"id\": 1e999, \"method\": \"ping\"}"));
  EXPECT_EQ(error_code(overflow), mcp::kParseError);
  // a client that names itself with numbers is still answered
  mcp::Session odd(mcp::Transport::Stdio, mcp::local_runner("unused.db"), &std::cerr);
  EXPECT_TRUE(odd.handle(request(1, "initialize", {{"protocolVersion", "2025-11-25"}, {"clientInfo", {{"name", 7}}}}))
                  .contains("result"));
  EXPECT_EQ(error_code(odd.handle(json::array({{{"jsonrpc", "2.0"}, {"id", 1}, {"method", 5}}}))), mcp::kInvalidRequest);
  // ping is allowed before initialize; other requests are not
  EXPECT_EQ(s.handle(request(1, "ping"))["result"], json::object());
  const json early = s.handle(request(2, "tools/list"));
  EXPECT_EQ(error_code(early), mcp::kInvalidRequest);
  EXPECT_NE(error_message(early).find("initialize first"), std::string::npos);
  s.handle(request(3, "initialize", init_params()));
  EXPECT_EQ(error_code(s.handle({{"id", 4}, {"method", "ping"}})), mcp::kInvalidRequest);  // no jsonrpc
  EXPECT_EQ(error_code(s.handle({{"jsonrpc", "1.0"}, {"id", 4}, {"method", "ping"}})), mcp::kInvalidRequest);
  const json null_id = s.handle({{"jsonrpc", "2.0"}, {"id", nullptr}, {"method", "ping"}});
  EXPECT_EQ(error_code(null_id), mcp::kInvalidRequest);
  EXPECT_NE(error_message(null_id).find("null id"), std::string::npos);
  EXPECT_EQ(error_code(s.handle({{"jsonrpc", "2.0"}, {"id", 5}, {"method", 12}})), mcp::kInvalidRequest);
  EXPECT_EQ(error_code(s.handle(json("ping"))), mcp::kInvalidRequest);
  const json unknown = s.handle(request(6, "resources/list"));
  EXPECT_EQ(error_code(unknown), mcp::kMethodNotFound);
  EXPECT_EQ(unknown["id"], 6);
  EXPECT_NE(error_message(unknown).find("resources/list"), std::string::npos);
  EXPECT_EQ(error_code(s.handle({{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/list"}, {"params", json::array()}})),
            mcp::kInvalidParams);
  // string ids are answered with the same id
  EXPECT_EQ(s.handle({{"jsonrpc", "2.0"}, {"id", "a-1"}, {"method", "ping"}})["id"], "a-1");
  // notifications and responses are not answered
  EXPECT_TRUE(s.handle({{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 1}}}}).is_null());
  EXPECT_TRUE(s.handle({{"jsonrpc", "2.0"}, {"id", 9}, {"result", json::object()}}).is_null());
}

TEST(Mcp, BatchesOnlyUnderTheRevisionThatHadThem) {
  Fixture now;  // 2025-11-25: no batches
  const json refused = now.session.handle(json::array({request(1, "ping"), request(2, "ping")}));
  EXPECT_EQ(error_code(refused), mcp::kInvalidRequest);
  EXPECT_NE(error_message(refused).find("batches"), std::string::npos);

  Fixture old("2025-03-26");
  const json answers = old.session.handle(
      json::array({request(1, "ping"), {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, request(2, "nothing")}));
  ASSERT_TRUE(answers.is_array());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["id"], 1);
  EXPECT_EQ(error_code(answers[1]), mcp::kMethodNotFound);
  EXPECT_TRUE(old.session.handle(json::array({{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}})).is_null());
  EXPECT_EQ(error_code(old.session.handle(json::array())), mcp::kInvalidRequest);
}

TEST(Mcp, ToolsListHoldsEveryOfferedCapabilityWithSchemas) {
  Fixture f;
  const json r = f.session.handle(request(1, "tools/list"));
  const json& tools = r["result"]["tools"];
  size_t offered = 0;
  for (const auto& c : capabilities()) offered += mcp::offered(c) ? 1 : 0;
  ASSERT_EQ(tools.size(), offered);
  EXPECT_GT(offered, 30u);
  std::set<std::string> names;
  for (const auto& t : tools) {
    const std::string name = t["name"];
    names.insert(name);
    const Capability* c = capability_by_tool(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_FALSE(c->local_only);
    EXPECT_NE(c->domain, Domain::System) << name;
    EXPECT_EQ(t["inputSchema"]["type"], "object") << name;
    EXPECT_EQ(t["outputSchema"]["type"], "object") << name;
    EXPECT_FALSE(t["title"].get<std::string>().empty());
    EXPECT_NE(t["description"].get<std::string>().find("Agent: "), std::string::npos);
    for (const char* fe : {"format", "db", "out", "verbose", "progress", "no-store"})
      EXPECT_FALSE(t["inputSchema"]["properties"].contains(fe)) << name << " offers " << fe;
    EXPECT_FALSE(t["annotations"]["openWorldHint"].get<bool>());
  }
  EXPECT_EQ(names.size(), tools.size());
  for (const char* absent : {"completion", "man", "data_fetch", "db_repair", "capabilities"})
    EXPECT_EQ(names.count(absent), 0u) << absent;
  for (const char* present : {"inventory_calc", "account", "lca_calc", "natural_afolu", "sensitivity_sobol"})
    EXPECT_EQ(names.count(present), 1u) << present;
}

TEST(Mcp, AnnotationsSayWhatAToolChanges) {
  const json calc = mcp::tool(capability("inventory calc"), mcp::Transport::Stdio);
  EXPECT_TRUE(calc["annotations"]["readOnlyHint"].get<bool>());
  for (const char* name : {"lca import", "lca import-method", "ledger build"}) {
    const json t = mcp::tool(capability(name), mcp::Transport::Stdio);
    EXPECT_FALSE(t["annotations"]["readOnlyHint"].get<bool>()) << name;
    EXPECT_TRUE(t["annotations"]["destructiveHint"].get<bool>()) << name;
  }
  const json matrices = mcp::tool(capability("lca matrices"), mcp::Transport::Stdio);
  EXPECT_FALSE(matrices["annotations"]["readOnlyHint"].get<bool>());
  EXPECT_FALSE(matrices["annotations"]["destructiveHint"].get<bool>());
}

TEST(Mcp, TitlesSpellAcronymsAndTheSummary) {
  const json t = mcp::tool(capability("lca calc"), mcp::Transport::Stdio);
  EXPECT_EQ(t["title"].get<std::string>().rfind("LCA calc: ", 0), 0u) << t["title"];
  EXPECT_EQ(mcp::tool(capability("natural afolu"), mcp::Transport::Stdio)["title"].get<std::string>().rfind(
                "Natural AFOLU", 0),
            0u);
  EXPECT_EQ(mcp::tool(capability("account"), mcp::Transport::Stdio)["title"].get<std::string>().rfind("Account", 0), 0u);
}

TEST(Mcp, FileInputsSayWhatTheTransportTakes) {
  const auto& c = capability("inventory calc");
  const std::string local = mcp::tool(c, mcp::Transport::Stdio)["inputSchema"]["properties"]["file"]["description"];
  const std::string http = mcp::tool(c, mcp::Transport::Http)["inputSchema"]["properties"]["file"]["description"];
  EXPECT_NE(local.find("a path on the machine"), std::string::npos);
  EXPECT_NE(http.find("upload:<hex>"), std::string::npos);
}

TEST(Mcp, ArrayResultsAreWrappedAsTheOutputSchemaSays) {
  const auto& c = capability("factors list");
  ASSERT_NE(c.result_schema.value("type", ""), "object");
  const json t = mcp::tool(c, mcp::Transport::Stdio);
  EXPECT_EQ(t["outputSchema"]["required"], json::array({"result"}));
  EXPECT_EQ(t["outputSchema"]["properties"]["result"], c.result_schema);
  EXPECT_EQ(mcp::structured_content(c, json::array({1, 2})), json({{"result", {1, 2}}}));
  const auto& obj = capability("inventory calc");
  EXPECT_EQ(mcp::structured_content(obj, json({{"a", 1}})), json({{"a", 1}}));
  // alternatives that are all objects (lca calc: anyOf) stay unwrapped; the root then says "object" too
  const auto& calc = capability("lca calc");
  ASSERT_TRUE(calc.result_schema.contains("anyOf"));
  const json out = mcp::tool(calc, mcp::Transport::Stdio)["outputSchema"];
  EXPECT_EQ(out["type"], "object");
  EXPECT_EQ(out["anyOf"], calc.result_schema["anyOf"]);
  EXPECT_EQ(mcp::structured_content(calc, json({{"a", 1}})), json({{"a", 1}}));
}

TEST(Mcp, ToolCallRunsTheCapabilityAndLogsTheRun) {
  Fixture f;
  const json r = f.call("inventory_calc", {{"file", kSource + "/examples/inventory.csv"}, {"by", "gas"}});
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_FALSE(r["result"]["isError"].get<bool>());
  const json& sc = r["result"]["structuredContent"];
  EXPECT_EQ(json::parse(first_text(r)), sc);  // the text is the same JSON
  EXPECT_GT(r["result"]["_meta"]["panocarbon/run_id"].get<int64_t>(), 0);
  // the same numbers as the capability run directly
  Context ctx;
  ctx.no_store = true;
  ctx.read_input = [](const std::string&, const std::string& v) { return read_file(v); };
  const auto& c = capability("inventory calc");
  const Result direct = run_capability(
      c, ctx, Params::from_json(c.spec(), {{"file", kSource + "/examples/inventory.csv"}, {"by", "gas"}}));
  json expected = direct.json(direct);
  json got = sc;
  // the run's id and provenance differ between the two runs; the numbers do not
  for (json* j : {&expected, &got}) {
    j->erase("run_id");
    j->erase("provenance");
  }
  EXPECT_EQ(got, expected);
  EXPECT_NE(f.log.str().find("inventory_calc ok"), std::string::npos);
}

TEST(Mcp, BadArgumentsAreToolErrorsThatTheModelCanRead) {
  Fixture f;
  const json unknown_option = f.call("inventory_calc", {{"file", kSource + "/examples/inventory.csv"}, {"gaz", "CO2"}});
  ASSERT_TRUE(unknown_option.contains("result")) << unknown_option.dump();
  EXPECT_TRUE(unknown_option["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(unknown_option).find("gaz"), std::string::npos) << first_text(unknown_option);

  const json frontend = f.call("inventory_calc", {{"file", kSource + "/examples/inventory.csv"}, {"db", "/tmp/x.db"}});
  EXPECT_TRUE(frontend["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(frontend).find("'db' is an option of the command line"), std::string::npos);

  const json folder = f.call("inventory_calc", {{"file", kSource + "/examples"}});
  EXPECT_TRUE(folder["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(folder).find("names a folder"), std::string::npos) << first_text(folder);

  const json device = f.call("inventory_calc", {{"file", "/dev/zero"}});  // never read for ever
  EXPECT_TRUE(device["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(device).find("names a device, pipe or socket"), std::string::npos) << first_text(device);
  EXPECT_EQ(first_text(device).find("invalid input: /dev/zero, field 'file': invalid input"), std::string::npos);

  const json missing = f.call("inventory_calc", {{"file", kSource + "/examples/no-such-file.csv"}});
  EXPECT_TRUE(missing["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(missing).find("no-such-file.csv"), std::string::npos) << first_text(missing);

  const json required = f.call("inventory_calc", json::object());
  EXPECT_TRUE(required["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(required).find("file"), std::string::npos) << first_text(required);
}

TEST(Mcp, UnknownToolsAndMalformedCallsAreProtocolErrors) {
  Fixture f;
  const json typo = f.call("inventory_cal", json::object());
  EXPECT_EQ(error_code(typo), mcp::kInvalidParams);
  EXPECT_NE(error_message(typo).find("Unknown tool: inventory_cal"), std::string::npos);
  EXPECT_NE(error_message(typo).find("did you mean inventory_calc"), std::string::npos) << error_message(typo);
  const json local = f.call("data_fetch", json::object());
  EXPECT_EQ(error_code(local), mcp::kInvalidParams);
  EXPECT_NE(error_message(local).find("only from the command line"), std::string::npos);
  EXPECT_EQ(error_code(f.call("completion", json::object())), mcp::kInvalidParams);
  EXPECT_EQ(error_code(f.session.handle(request(3, "tools/call", {{"arguments", json::object()}}))), mcp::kInvalidParams);
  EXPECT_EQ(error_code(f.session.handle(request(3, "tools/call", {{"name", "inventory_calc"}, {"arguments", "x"}}))),
            mcp::kInvalidParams);
}

TEST(Mcp, FilesThatAToolWritesAreListed) {
  Fixture f;
  const json r = f.call("lca_matrices", {{"database", "none-stored"}});
  // no database stored: a tool error naming it, and no folder left behind
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_TRUE(r["result"]["isError"].get<bool>());
  EXPECT_NE(first_text(r).find("none-stored"), std::string::npos) << first_text(r);
  std::error_code ec;
  size_t left = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(f.dir.path / "files" / "runs", ec)) ++left;
  EXPECT_EQ(left, 0u);
  // a stored database (a fixture of tests/fixtures/lca): the matrices are written into a new folder and listed
  const json imported = f.call("lca_import", {{"path", kSource + "/tests/fixtures/lca/allocation"}, {"name", "t"}});
  ASSERT_FALSE(imported["result"]["isError"].get<bool>()) << first_text(imported);
  const json written = f.call("lca_matrices", {{"database", "t"}});
  ASSERT_FALSE(written["result"]["isError"].get<bool>()) << first_text(written);
  const json& files = written["result"]["_meta"]["panocarbon/files"];
  ASSERT_GT(files.size(), 1u);
  for (const auto& file : files) {
    const fs::path p = file.get<std::string>();
    EXPECT_TRUE(fs::is_regular_file(p)) << p;
    EXPECT_EQ(p.string().rfind((f.dir.path / "files" / "runs").string() + "/", 0), 0u) << p;
  }
  const std::string listed = written["result"]["content"].back()["text"];
  EXPECT_EQ(listed.rfind("files written:", 0), 0u) << listed;
}

TEST(Mcp, StdioIsOneMessagePerLine) {
  TempDir dir;
  std::istringstream in(request(1, "initialize", init_params()).dump() + "\n\n" +
                        json({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}).dump() + "\n" +
                        "not json\n" + request(2, "tools/list").dump() + "\n");
  std::ostringstream out, log;
  EXPECT_EQ(mcp::serve_stdio(in, out, log, mcp::local_runner(dir.path / "t.db")), 0);
  std::istringstream lines(out.str());
  std::vector<json> answers;
  for (std::string line; std::getline(lines, line);) answers.push_back(json::parse(line));
  ASSERT_EQ(answers.size(), 3u);  // the notification and the blank line get none
  EXPECT_EQ(answers[0]["id"], 1);
  EXPECT_EQ(error_code(answers[1]), mcp::kParseError);
  EXPECT_EQ(answers[2]["id"], 2);
  EXPECT_GT(answers[2]["result"]["tools"].size(), 30u);
  EXPECT_NE(log.str().find("mcp_test"), std::string::npos);  // the client is named on the log, not on the stream
}

TEST(Mcp, ProgressReportsBecomeNotificationsAndACancelledCallGetsNoResponse) {
  Fixture f;
  std::mutex m;
  std::vector<json> notes;
  f.session.set_notifier([&](const json& n) {
    std::lock_guard<std::mutex> lock(m);
    notes.push_back(n);
  });
  const json model = kSource + "/examples/sensitivity/ishigami.json";
  json params = {{"name", "sensitivity_sobol"},
                 {"arguments", {{"model", model}, {"draws", 200000}, {"seed", 1}, {"bootstrap", 10}}},
                 {"_meta", {{"progressToken", "p1"}}}};
  const json r = f.session.handle(request(8, "tools/call", params));
  ASSERT_FALSE(r["result"]["isError"].get<bool>()) << r.dump().substr(0, 400);
  {
    std::lock_guard<std::mutex> lock(m);
    ASSERT_FALSE(notes.empty());
    double last = 0;
    for (const auto& n : notes) {
      EXPECT_EQ(n["method"], "notifications/progress");
      EXPECT_EQ(n["params"]["progressToken"], "p1");
      EXPECT_GT(n["params"]["progress"].get<double>(), last);  // rises with each notification
      last = n["params"]["progress"].get<double>();
      EXPECT_FALSE(n["params"]["message"].get<std::string>().empty()) << n.dump();
    }
    EXPECT_NE(notes.front()["params"]["message"].get<std::string>().find("Sobol model runs"), std::string::npos)
        << notes.front().dump();
    notes.clear();
  }
  // the same call, ten times the draws and the default bootstrap (some 40 s), cancelled at its first report
  params["arguments"]["draws"] = 2000000;
  params["arguments"]["bootstrap"] = 200;
  params["_meta"]["progressToken"] = 9;
  std::thread canceller([&] {
    for (int i = 0; i < 3000; ++i) {
      {
        std::lock_guard<std::mutex> lock(m);
        if (!notes.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    f.session.cancel(json(9));  // another id: nothing happens
    f.session.cancel(json(8));
  });
  const auto t0 = std::chrono::steady_clock::now();
  const json cancelled = f.session.handle(request(8, "tools/call", params));
  canceller.join();
  EXPECT_TRUE(cancelled.is_null()) << cancelled.dump().substr(0, 400);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 20.0);
  EXPECT_NE(f.log.str().find("sensitivity_sobol cancelled by the client"), std::string::npos) << f.log.str();
  // the session goes on: a cancellation for no call in flight changes nothing
  f.session.cancel(json(8));
  EXPECT_FALSE(f.call("inventory_calc", {{"file", kSource + "/examples/inventory.csv"}})["result"]["isError"].get<bool>());
}
