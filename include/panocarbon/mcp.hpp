// The Model Context Protocol (revision 2025-11-25) over the registry of capabilities (src/mcp, docs/mcp.md):
// JSON-RPC 2.0 messages (initialize, ping, tools/list, tools/call), every capability that is not local_only
// and is useful to a model as a tool named tool_name(c), its input schema from the command spec, its output
// schema from the result schema. Transports lend a Runner (how a tool call runs: local files and database for
// `panocarbon mcp` on standard input and output, uploads and the server's run folder for `/mcp` of
// `panocarbon serve`); nothing here computes or logs a run (run_capability() does).
#pragma once
#include <atomic>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/registry.hpp"

namespace panocarbon::mcp {

// The revision this server speaks, and the earlier ones it accepts from a client (newest first).
inline constexpr const char* kProtocolVersion = "2025-11-25";
const std::vector<std::string>& protocol_versions();
bool supports_version(std::string_view version);

// Where a tool's file inputs come from: local paths (stdio), or uploads of the server (HTTP: upload:<hex>).
enum class Transport { Stdio, Http };

// Whether a capability is a tool: not local_only and not a System one (completion, man, db repair...).
bool offered(const Capability& c);
// The tool of a capability as tools/list shows it: name, title, description, inputSchema, outputSchema,
// annotations.
nlohmann::json tool(const Capability& c, Transport transport);
// The result JSON as the tool's structuredContent: itself when it is an object, else {"result": json} (the
// outputSchema then wraps the result schema the same way: MCP wants an object at the root).
nlohmann::json structured_content(const Capability& c, nlohmann::json result);
// The instructions sent at initialize: the five agents and how to choose among the tools.
std::string instructions();

// One tool call as a transport runs it: the capability and the arguments (a JSON object, not yet validated)
// in; the Result and the files the run wrote (paths or URLs) out. Throws Error for bad arguments and failures.
struct ToolRun {
  Result result;
  nlohmann::json files = nlohmann::json::array();
};
using Runner = std::function<ToolRun(const Capability&, const nlohmann::json& arguments)>;

// The Runner of `panocarbon mcp`: inputs are local files (relative to the current folder), the database is
// `db` (empty: Store::default_path()), files that capabilities write go to a new folder under `files`
// (empty: panocarbon-mcp/ beside the database).
Runner local_runner(const std::filesystem::path& db, const std::filesystem::path& files = {});

// One client's conversation: its negotiated revision and whether it is initialized. handle() is not
// thread-safe (a transport calls it from one thread at a time); cancel() is.
class Session {
 public:
  Session(Transport transport, Runner run, std::ostream* log = nullptr);
  // One parsed message (a request, a notification or a response; an array is a batch). Returns the response
  // (an object, or an array for a batch), or null when nothing is answered (notifications, responses).
  nlohmann::json handle(const nlohmann::json& message);
  // One message as text (a line of stdio, an HTTP body): the response as one line of JSON, empty when none.
  // Text that is not JSON answers -32700.
  std::string handle_text(std::string_view text);
  bool initialized() const { return initialized_; }
  const std::string& protocol_version() const { return version_; }  // empty before initialize

  // How the session sends a message of its own while a request runs (stdio: a line on the stream). With it, a
  // tools/call whose _meta names a progressToken gets notifications/progress from the capability's progress
  // reports (the SDK then keeps waiting past its timeout). Called from the capability's threads.
  void set_notifier(std::function<void(const nlohmann::json&)> notify) { notify_ = std::move(notify); }
  // notifications/cancelled for the tools/call in flight, from another thread (the transport's reader): the
  // capability stops at its next progress report, and the cancelled request gets no response. Thread-safe.
  void cancel(const nlohmann::json& request_id);

 private:
  nlohmann::json handle_one(const nlohmann::json& message);
  nlohmann::json call_tool(const nlohmann::json& id, const nlohmann::json& params);
  Transport transport_;
  Runner run_;
  std::ostream* log_;
  bool initialized_ = false;
  std::string version_;
  std::function<void(const nlohmann::json&)> notify_;
  std::mutex flight_m_;
  nlohmann::json in_flight_;  // the id of the tools/call running, null when none
  std::atomic<bool> cancelled_{false};
};

// A JSON-RPC error response (id null when the request's id is unknown).
nlohmann::json error_response(const nlohmann::json& id, int code, const std::string& message);
inline constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601,
                     kInvalidParams = -32602, kInternalError = -32603;

// Serves newline-delimited JSON-RPC from `in` to `out` until `in` ends; logs to `log`. Returns 0. A reader
// thread takes the lines, so that notifications/cancelled reaches a tool call while it runs.
int serve_stdio(std::istream& in, std::ostream& out, std::ostream& log, Runner run);
// `panocarbon mcp`: standard input and output; whatever else would write to standard output goes to standard
// error, so that the protocol's stream holds only protocol messages.
int serve_stdio(Runner run);

}  // namespace panocarbon::mcp
