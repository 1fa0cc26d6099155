// POST /api/chat's parts without a server: the request's validation (the field each error names), the plan of an
// earlier turn read back from the answer the server gave, the folders a chat's runs may read (a sibling folder
// with the same prefix, "..", a symbolic link out of the data folder), and the server's chat options.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "panocarbon/error.hpp"
#include "server/chat_endpoint.hpp"

namespace pc = panocarbon;
namespace srv = panocarbon::server;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The field and message of the error that parsing `body` throws.
std::pair<std::string, std::string> refusal(const json& body) {
  try {
    srv::parse_chat_request(body);
  } catch (const pc::Error& e) {
    EXPECT_EQ(e.category(), pc::ErrorCategory::InvalidInput) << e.what();
    return {e.context().field, e.message()};
  }
  ADD_FAILURE() << "accepted: " << body.dump();
  return {};
}

struct Folders {
  fs::path dir;
  Folders() {
    dir = fs::temp_directory_path() / ("panocarbon-chat-endpoint-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir / "data" / "natural");
    fs::create_directories(dir / "data2");
    fs::create_directories(dir / "elsewhere");
    std::ofstream(dir / "data" / "natural" / "in.csv") << "inside\n";
    std::ofstream(dir / "data2" / "out.csv") << "outside\n";
    std::ofstream(dir / "elsewhere" / "secret.csv") << "secret\n";
    fs::create_directory_symlink(dir / "elsewhere", dir / "data" / "link");
  }
  ~Folders() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

TEST(ChatEndpoint, AQuestionAndItsHistoryAreRead) {
  const auto r = srv::parse_chat_request({{"question", "中国2009年的消费侧排放是多少?"}});
  EXPECT_EQ(r.question, "中国2009年的消费侧排放是多少?");
  EXPECT_TRUE(r.history.empty());

  // the whole answer the server gave is accepted as a turn's plan; its text, results and steps are not read
  const json answer = {
      {"answer", "Which year?"},
      {"plan", json::array({{{"agent", "trade"}, {"tool", "account"}, {"arguments", {{"country", "CHN"}}}, {"why", "w"}}})},
      {"results", json::array({nullptr})},
      {"errors", json::array({nullptr})},
      {"steps", json::array({{{"tool", "account"}, {"arguments", json::object()}, {"run_id", 0}}})},
      {"citations", json::array()},
      {"clarify", "Which year?"},
      {"language", "en"},
      {"intent", "trade.consumption"},
      {"slots", {{"country", "CHN"}, {"awaiting", "year"}}},
      {"planner", "deterministic"},
      {"warnings", json::array()}};
  const auto h = srv::parse_chat_request({{"question", "2009"}, {"history", json::array({{{"question", "China?"}, {"plan", answer}}})}});
  ASSERT_EQ(h.history.size(), 1u);
  const auto& p = h.history[0].plan;
  EXPECT_EQ(h.history[0].question, "China?");
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_EQ(p.steps[0].agent, pc::agents::Agent::Trade);
  EXPECT_EQ(p.steps[0].tool, "account");
  EXPECT_EQ(p.steps[0].arguments, json({{"country", "CHN"}}));
  EXPECT_EQ(p.clarify, "Which year?");
  EXPECT_EQ(p.intent, "trade.consumption");
  EXPECT_EQ(p.slots["awaiting"], "year");

  // a plan as a list of steps; a tool by its tool name; a question back that was none (null)
  const auto l = srv::parse_chat_request(
      {{"question", "q"},
       {"history", json::array({{{"question", "a"}, {"plan", json::array({{{"agent", "lca"}, {"tool", "lca_calc"}}})}},
                                {{"question", "b"}, {"plan", {{"clarify", nullptr}, {"language", "zh"}}}}})}});
  ASSERT_EQ(l.history.size(), 2u);
  EXPECT_EQ(l.history[0].plan.steps.at(0).tool, "lca calc");
  EXPECT_EQ(l.history[0].plan.intent, "unknown");
  EXPECT_EQ(l.history[1].plan.clarify, "");
  EXPECT_EQ(l.history[1].plan.language, "zh");
}

TEST(ChatEndpoint, BadRequestsNameTheirField) {
  const std::vector<std::tuple<json, std::string, std::string>> cases = {
      {json::object(), "question", "missing"},
      {{{"question", ""}}, "question", "empty"},
      {{{"question", " \t\n"}}, "question", "empty"},
      {{{"question", nullptr}}, "question", "string"},
      {{{"question", std::string(srv::kMaxQuestionBytes + 1, 'q')}}, "question", "4001 bytes"},
      {{{"question", "q"}, {"model_url", "http://127.0.0.1:9"}}, "model_url", "not accepted from a client"},
      {{{"question", "q"}, {"db", "/tmp/x.db"}}, "db", "not accepted from a client"},
      {{{"question", "q"}, {"stream", true}}, "stream", "no field"},
      {{{"question", "q"}, {"history", {{"question", "a"}}}}, "history", "list"},
      {{{"question", "q"}, {"history", json::array({"a"})}}, "history[0]", "object"},
      {{{"question", "q"}, {"history", json::array({{{"plan", json::array()}}})}}, "history[0].question", "missing"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", 3}}})}}, "history[0].plan", "list of steps"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", {{"plan", json::array({{{"agent", "trade"}}})}}}}})}},
       "history[0].plan.plan[0].tool", "no tool"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", {{"plan", json::array({{{"agent", "trade"}, {"tool", "shell"}}})}}}}})}},
       "history[0].plan.plan[0].tool", "not a capability"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", {{"plan", json::array({{{"agent", "cook"}, {"tool", "account"}}})}}}}})}},
       "history[0].plan.plan[0].agent", "cook"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", {{"plan", json::array({{{"agent", "trade"}, {"tool", "account"}, {"arguments", "x"}}})}}}}})}},
       "history[0].plan.plan[0].arguments", "object"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", {{"slots", json::array()}}}}})}},
       "history[0].plan.slots", "object"},
      {{{"question", "q"}, {"history", json::array({{{"question", "a"}, {"plan", {{"secret", 1}}}}})}},
       "history[0].plan.secret", "not a field"},
      {{{"question", "q"}, {"history", json(srv::kMaxHistoryTurns + 1, {{"question", "a"}})}}, "history", "51 turns"},
      {json::array({"q"}), "question", "JSON object"}};
  for (const auto& [body, field, says] : cases) {
    const auto [f, message] = refusal(body);
    EXPECT_EQ(f, field) << body.dump().substr(0, 200) << ": " << message;
    EXPECT_NE(message.find(says), std::string::npos) << body.dump().substr(0, 200) << ": " << message;
  }
}

TEST(ChatEndpoint, RunsReadInsideTheDataAndFilesFoldersOnly) {
  Folders f;
  const std::vector<fs::path> roots = {f.dir / "data", f.dir / "files"};
  EXPECT_TRUE(srv::inside_roots(f.dir / "data" / "natural" / "in.csv", roots));
  EXPECT_TRUE(srv::inside_roots(f.dir / "data" / "natural" / "not-yet-there.csv", roots));
  EXPECT_TRUE(srv::inside_roots(f.dir / "files" / "runs" / "x", roots));
  EXPECT_FALSE(srv::inside_roots(f.dir / "data2" / "out.csv", roots)) << "a sibling with the same prefix";
  EXPECT_FALSE(srv::inside_roots(f.dir / "data" / ".." / "data2" / "out.csv", roots));
  EXPECT_FALSE(srv::inside_roots(f.dir / "data" / "link" / "secret.csv", roots)) << "a link out of the folder";
  EXPECT_FALSE(srv::inside_roots(f.dir, roots));
  EXPECT_FALSE(srv::inside_roots("/etc/passwd", roots));

  pc::Context ctx;
  ctx.read_input = [](const std::string&, const std::string& v) { return "upload " + v; };
  ctx.locate_input = [](const std::string&, const std::string& v) { return fs::path("/uploads") / v; };
  srv::allow_paths_in(ctx, roots);
  EXPECT_EQ(ctx.read_input("file", (f.dir / "data" / "natural" / "in.csv").string()), "inside\n");
  EXPECT_EQ(ctx.locate_input("data", (f.dir / "data" / "natural").string()), f.dir / "data" / "natural");
  // uploads are still the server's own readers'
  EXPECT_EQ(ctx.read_input("file", "upload:ab12"), "upload upload:ab12");
  EXPECT_EQ(ctx.locate_input("data", "upload:ab12"), fs::path("/uploads/upload:ab12"));
  for (const fs::path& p : {f.dir / "data" / "link" / "secret.csv", f.dir / "data2" / "out.csv", fs::path("/etc/passwd")}) {
    try {
      ctx.read_input("file", p.string());
      ADD_FAILURE() << "read " << p;
    } catch (const pc::Error& e) {
      EXPECT_EQ(e.context().field, "file");
      EXPECT_NE(e.message().find("outside the folders the chat may read"), std::string::npos) << e.message();
    }
    EXPECT_THROW(ctx.locate_input("data", p.string()), pc::Error) << p;
  }
  EXPECT_THROW(ctx.read_input("file", (f.dir / "data" / "natural").string()), pc::Error) << "a folder is not a file";
}

TEST(ChatEndpoint, TheChatOptionsAreTheServers) {
  Folders f;
  srv::Options o;
  o.data = f.dir / "data";
  o.model_url = "http://127.0.0.1:8081/v1";
  o.model = "m";
  o.model_key = "k";
  const auto c = srv::chat_options(o, f.dir / "files");
  EXPECT_EQ(c.data_dir, f.dir / "data");
  EXPECT_EQ(c.model.url, "http://127.0.0.1:8081/v1");
  EXPECT_EQ(c.model.model, "m");
  EXPECT_EQ(c.model.api_key, "k");
  ASSERT_EQ(c.allowed_roots.size(), 2u);
  EXPECT_EQ(c.allowed_roots[0], f.dir / "data");
  EXPECT_EQ(c.allowed_roots[1], f.dir / "files");
  // a relative data folder is made absolute (the server later works in a folder of its own)
  o.data = "relative/data";
  EXPECT_TRUE(srv::chat_options(o, "files").data_dir.is_absolute());
  EXPECT_TRUE(srv::chat_options(o, "files").allowed_roots.back().is_absolute());
}
