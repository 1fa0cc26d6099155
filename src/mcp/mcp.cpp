// The Model Context Protocol over the registry (include/panocarbon/mcp.hpp, docs/mcp.md): JSON-RPC 2.0
// messages in, responses out. Tools are the registry's capabilities; a tool call runs through the transport's
// Runner, which calls run_capability() (the one place where runs are logged).
#include "panocarbon/mcp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <condition_variable>
#include <deque>

#include "core/progress.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace panocarbon::mcp {

const std::vector<std::string>& protocol_versions() {
  // 2025-11-25 first; the earlier published revisions that clients (the TypeScript SDK among them) still
  // offer. The server answers a client's revision when it is one of these, else its own (the client then
  // decides whether to go on).
  static const std::vector<std::string> v = {kProtocolVersion, "2025-06-18", "2025-03-26", "2024-11-05"};
  return v;
}

bool supports_version(std::string_view version) {
  const auto& v = protocol_versions();
  return std::find(v.begin(), v.end(), version) != v.end();
}

namespace {

// The agent a capability's domain belongs to (the five of agents.hpp; reference data serves them all).
const char* agent_of(Domain d) {
  switch (d) {
    case Domain::Inventory:
    case Domain::Process: return "process";
    case Domain::Trade: return "trade";
    case Domain::Lca: return "lca";
    case Domain::Natural: return "natural";
    case Domain::Uncertainty: return "uncertainty";
    case Domain::Reference: return "all (reference data)";
    case Domain::System: return "none";
  }
  return "none";
}

// Capabilities that change what the database holds beyond the run log (and the results and caches saved
// under a run): they replace something a user stored. The unit test checks that each name is in the registry.
const std::map<std::string, std::string>& state_changing() {
  static const std::map<std::string, std::string> m = {
      {"lca import", "replaces a stored LCA database of the same name"},
      {"lca import-method", "replaces a stored LCIA method of the same name"},
      {"ledger build", "replaces the ledger's rows of each source it rebuilds"},
  };
  return m;
}

// Whether a schema admits objects only: "type": "object", or alternatives (anyOf, oneOf) that all are.
bool is_object_schema(const json& s) {
  if (!s.is_object()) return false;
  if (s.contains("type")) return s["type"] == json("object");
  for (const char* k : {"anyOf", "oneOf"}) {
    if (!s.contains(k) || !s[k].is_array() || s[k].empty()) continue;
    return std::all_of(s[k].begin(), s[k].end(), [](const json& b) { return is_object_schema(b); });
  }
  return false;
}

// A schema for a client's validator: without "$schema" (the client's default dialect applies).
json plain_schema(json s) {
  if (s.is_object()) s.erase("$schema");
  return s;
}

// "LCA calc: Life cycle impact of ...": the name with its acronyms in capitals, then the spec's summary.
std::string title_of(const Capability& c) {
  static const std::map<std::string, std::string> acronyms = {
      {"lca", "LCA"}, {"mrio", "MRIO"}, {"gwp", "GWP"}, {"spa", "SPA"}, {"afolu", "AFOLU"}};
  std::string t;
  size_t from = 0;
  while (from <= c.name.size()) {
    const size_t to = std::min(c.name.find(' ', from), c.name.size());
    std::string word = c.name.substr(from, to - from);
    if (const auto it = acronyms.find(word); it != acronyms.end()) word = it->second;
    t += (t.empty() ? "" : " ") + word;
    from = to + 1;
  }
  if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
  const std::string& summary = c.spec().summary;
  if (!summary.empty() && summary.size() <= 90) t += ": " + summary;
  return t;
}

std::string random_hex(size_t bytes) {
  static std::random_device rd;
  std::string s;
  for (size_t i = 0; i < bytes; ++i) s += fmt::format("{:02x}", rd() & 0xffu);
  return s;
}

json text_content(std::string text) { return {{"type", "text"}, {"text", std::move(text)}}; }

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json success(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

}  // namespace

json error_response(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

bool offered(const Capability& c) { return !c.local_only && c.domain != Domain::System; }

json tool(const Capability& c, Transport transport) {
  json input = to_json_schema(c.spec());
  input.erase("title");
  // A file input says what it takes on this transport.
  for (const auto& o : c.spec().options) {
    if (o.frontend || o.type != OptionType::Path || !input["properties"].contains(o.name)) continue;
    auto& d = input["properties"][o.name]["description"];
    d = d.get<std::string>() +
        (transport == Transport::Stdio
             ? " (a path on the machine running `panocarbon mcp`, relative to its working folder)"
             : " (an upload of this server: upload:<hex>, as POST /api/uploads answers; never a path on the server)");
  }
  std::string description = c.description;
  description += fmt::format("\n\nAgent: {} (domain {}).", agent_of(c.domain), to_string(c.domain));
  if (c.writes_files)
    description += transport == Transport::Stdio
                       ? " Writes files into a new folder of the MCP server's; the result lists their paths."
                       : " Writes files into a run folder of the server; the result lists their URLs.";
  json t = {{"name", tool_name(c)}, {"title", title_of(c)}, {"description", description}, {"inputSchema", input}};
  if (c.result_schema.is_object() && !c.result_schema.empty()) {
    json out = plain_schema(c.result_schema);
    if (is_object_schema(out)) out["type"] = "object";  // alternatives of objects: the root says so too
    else
      out = {{"type", "object"},
             {"description", "The result is under \"result\" (MCP wants an object at the root)"},
             {"properties", {{"result", out}}},
             {"required", {"result"}}};
    t["outputSchema"] = out;
  }
  const auto changing = state_changing().find(c.name);
  const bool read_only = changing == state_changing().end() && !c.writes_files;
  json ann = {{"title", title_of(c)}, {"readOnlyHint", read_only}, {"openWorldHint", false}};
  if (!read_only) {
    ann["destructiveHint"] = changing != state_changing().end();  // a new folder of files destroys nothing
    ann["idempotentHint"] = changing != state_changing().end();   // the same import or build again: same state
  }
  t["annotations"] = ann;
  return t;
}

json structured_content(const Capability& c, json result) {
  const bool has_schema = c.result_schema.is_object() && !c.result_schema.empty();
  const bool wrapped = has_schema ? !is_object_schema(c.result_schema) : !result.is_object();
  if (!wrapped) return result;
  return {{"result", std::move(result)}};
}

std::string instructions() {
  return "panocarbon answers carbon-accounting questions with its own calculations: every number comes from a "
         "tool result, so call a tool rather than recalling a number. The tools belong to five specialist agents "
         "(each tool's description names its agent): process (IPCC national and facility inventories from "
         "activity data: inventory_calc, inventory_reference), trade (trade carbon transfer: MRIO production- "
         "and consumption-based accounts, bilateral flows and the ledger by country and year: account, mrio_*, "
         "ledger_*), lca (life-cycle assessment and product carbon footprints on imported databases: lca_*), "
         "natural (natural sources and sinks: land and ocean sinks, methane, AFOLU, fires: natural_*), and "
         "uncertainty (Monte Carlo and global sensitivity: *_montecarlo, inventory_uncertainty, sensitivity_*). "
         "Reference tools (factors_*, gwp_list) serve them all. Tools that read data need it stored first "
         "(lca_import for an LCA database, ledger_build for the ledger); a tool's error says what is missing. "
         "Cite the tool and its run id with each number.";
}

// ---- the session -------------------------------------------------------------------------------------------------

namespace {
// A tool call's progress reports as notifications/progress (at most five a second, the progress value rising
// with each), and the session's cancel flag as the capability's stop request.
class CallObserver : public ProgressObserver {
 public:
  CallObserver(const std::atomic<bool>& cancelled, json token, const std::function<void(const json&)>* notify)
      : cancelled_(cancelled), token_(std::move(token)), notify_(notify) {}
  void report(const std::string& label, uint64_t done, uint64_t total) override {
    if (!notify_ || !*notify_ || token_.is_null()) return;
    const auto now = std::chrono::steady_clock::now();
    json message;
    {
      std::lock_guard<std::mutex> lock(m_);
      if (sent_ > 0 && now - last_ < std::chrono::milliseconds(200) && !(total && done >= total)) return;
      last_ = now;
      ++sent_;
      json p = {{"progressToken", token_}, {"progress", sent_}};
      p["message"] = total ? fmt::format("{}: {} of {}", label, done, total) : fmt::format("{}: {}", label, done);
      message = {{"jsonrpc", "2.0"}, {"method", "notifications/progress"}, {"params", p}};
      (*notify_)(message);  // under the lock: the progress values reach the client in order
    }
  }
  bool cancel_requested() const override { return cancelled_.load(); }

 private:
  const std::atomic<bool>& cancelled_;
  json token_;
  const std::function<void(const json&)>* notify_;
  std::mutex m_;
  uint64_t sent_ = 0;
  std::chrono::steady_clock::time_point last_{};
};
}  // namespace

void Session::cancel(const json& request_id) {
  std::lock_guard<std::mutex> lock(flight_m_);
  if (!in_flight_.is_null() && in_flight_ == request_id) cancelled_ = true;
}

Session::Session(Transport transport, Runner run, std::ostream* log)
    : transport_(transport), run_(std::move(run)), log_(log) {}

std::string Session::handle_text(std::string_view text) {
  json message;
  try {
    message = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    return dump(error_response(nullptr, kParseError,
                               fmt::format("Parse error: the message is not JSON (at byte {}); send one JSON-RPC "
                                           "object per line",
                                           e.byte)));
  } catch (const json::exception& e) {  // a number out of range (1e999), ...
    return dump(error_response(nullptr, kParseError, fmt::format("Parse error: {}", e.what())));
  }
  const json r = handle(message);
  return r.is_null() ? std::string() : dump(r);
}

json Session::handle(const json& message) {
  if (!message.is_array()) return handle_one(message);
  // Batches were part of revision 2025-03-26 only: 2025-06-18 removed them, and 2025-11-25 has none.
  if (version_ != "2025-03-26")
    return error_response(nullptr, kInvalidRequest,
                          fmt::format("Invalid Request: JSON-RPC batches are not part of MCP {} (revision 2025-06-18 "
                                      "removed them); send one message at a time",
                                      version_.empty() ? kProtocolVersion : version_));
  if (message.empty()) return error_response(nullptr, kInvalidRequest, "Invalid Request: an empty batch");
  json out = json::array();
  for (const auto& m : message) {
    if (m.is_object() && m.value("method", json()) == json("initialize"))
      out.push_back(error_response(m.value("id", json()), kInvalidRequest,
                                   "Invalid Request: initialize must not be part of a batch"));
    else if (json r = handle_one(m); !r.is_null())
      out.push_back(std::move(r));
  }
  return out.empty() ? json() : out;
}

json Session::handle_one(const json& m) {
  if (!m.is_object())
    return error_response(nullptr, kInvalidRequest,
                          fmt::format("Invalid Request: a JSON-RPC message is an object, not {}", m.type_name()));
  if (m.value("jsonrpc", json()) != json("2.0"))
    return error_response(m.contains("id") && (m["id"].is_string() || m["id"].is_number()) ? m["id"] : json(),
                          kInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
  // A response to a request of ours (the server sends none): nothing to answer.
  if (!m.contains("method") && (m.contains("result") || m.contains("error"))) return json();
  const bool notification = !m.contains("id");
  const json id = notification ? json() : m["id"];
  if (!notification && !(id.is_string() || (id.is_number() && !id.is_number_float())))
    return error_response(nullptr, kInvalidRequest,
                          "Invalid Request: \"id\" must be a string or an integer (MCP allows no null id)");
  if (!m.contains("method") || !m["method"].is_string())
    return notification ? json() : error_response(id, kInvalidRequest, "Invalid Request: \"method\" must be a string");
  const std::string method = m["method"].get<std::string>();
  const json params = m.contains("params") ? m["params"] : json::object();
  if (!params.is_object())
    return notification ? json()
                        : error_response(id, kInvalidParams,
                                         fmt::format("Invalid params: \"params\" of {} must be an object", method));
  if (notification) {
    if (method == "notifications/initialized" && !version_.empty()) initialized_ = true;
    if (method == "notifications/cancelled" && params.contains("requestId")) cancel(params["requestId"]);
    return json();  // others (progress, roots...) need nothing from this server
  }
  if (method == "initialize") {
    if (!version_.empty())
      return error_response(id, kInvalidRequest, "Invalid Request: this session is already initialized");
    if (!params.contains("protocolVersion") || !params["protocolVersion"].is_string())
      return error_response(id, kInvalidParams,
                            "Invalid params: initialize needs \"protocolVersion\" (a string such as \"2025-11-25\")");
    const std::string asked = params["protocolVersion"].get<std::string>();
    version_ = supports_version(asked) ? asked : kProtocolVersion;
    if (log_) {
      const json info = params.value("clientInfo", json::object());
      auto field = [&](const char* k) {  // what the client says of itself, if it is text
        return info.is_object() && info.contains(k) && info[k].is_string() ? info[k].get<std::string>().substr(0, 100)
                                                                           : std::string("?");
      };
      *log_ << fmt::format("panocarbon mcp: client {} {} asks MCP {}, answered {}\n", field("name"),
                           field("version"), asked.substr(0, 40), version_)
            << std::flush;
    }
    return success(id, {{"protocolVersion", version_},
                        {"capabilities", {{"tools", {{"listChanged", false}}}}},
                        {"serverInfo",
                         {{"name", "panocarbon"},
                          {"title", "panocarbon: panoramic carbon accounting"},
                          {"version", version()}}},
                        {"instructions", instructions()}});
  }
  if (method == "ping") return success(id, json::object());
  if (version_.empty())
    return error_response(id, kInvalidRequest,
                          fmt::format("Invalid Request: {} before initialize; send initialize first", method));
  if (method == "tools/list") {
    json tools = json::array();
    for (const auto& c : capabilities())
      if (offered(c)) tools.push_back(tool(c, transport_));
    return success(id, {{"tools", tools}});  // one page: no nextCursor
  }
  if (method == "tools/call") return call_tool(id, params);
  return error_response(id, kMethodNotFound,
                        fmt::format("Method not found: {} (this server offers initialize, ping, tools/list and "
                                    "tools/call)",
                                    method.substr(0, 100)));
}

json Session::call_tool(const json& id, const json& params) {
  if (!params.contains("name") || !params["name"].is_string())
    return error_response(id, kInvalidParams, "Invalid params: tools/call needs \"name\", the tool's name (a string)");
  const std::string name = params["name"].get<std::string>();
  const Capability* c = capability_by_tool(name);
  if (!c || !offered(*c)) {
    std::vector<std::string> names;
    for (const auto& x : capabilities())
      if (offered(x)) names.push_back(tool_name(x));
    const auto near = nearest(name, names);
    std::string why = c && c->local_only ? " (it runs only from the command line on your own machine)"
                      : c              ? " (a command of the system, not a tool)"
                                       : "";
    if (!c && !near.empty()) why = fmt::format(" (did you mean {}?)", fmt::join(near, ", "));
    return error_response(id, kInvalidParams, fmt::format("Unknown tool: {}{}", name.substr(0, 100), why));
  }
  const json arguments = params.contains("arguments") ? params["arguments"] : json::object();
  if (!arguments.is_object())
    return error_response(id, kInvalidParams, "Invalid params: \"arguments\" must be an object of the tool's inputs");
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  // Errors of the arguments and of the run are results with isError, so that the model can correct its call.
  auto failed = [&](const std::string& message) {
    if (log_) *log_ << fmt::format("panocarbon mcp: {} failed ({:.2f} s): {}\n", name, seconds(), message) << std::flush;
    return success(id, {{"content", json::array({text_content(message)})}, {"isError", true}});
  };
  try {
    for (const auto& [k, v] : arguments.items()) {
      const OptionSpec* o = c->spec().find(k);
      if (o && o->frontend)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("'{}' is an option of the command line, not an input of the tool {} (the MCP server "
                                "owns its database, output and files)",
                                k, name),
                    ErrorContext{{}, 0, 0, k});
    }
    {
      std::lock_guard<std::mutex> lock(flight_m_);
      in_flight_ = id;
      cancelled_ = false;
    }
    struct Landed {  // whatever happens, the call is no longer in flight
      Session* s;
      ~Landed() {
        std::lock_guard<std::mutex> lock(s->flight_m_);
        s->in_flight_ = nullptr;
      }
    } landed{this};
    json token;
    if (params.contains("_meta") && params["_meta"].is_object() && params["_meta"].contains("progressToken"))
      token = params["_meta"]["progressToken"];
    CallObserver observer(cancelled_, token, &notify_);
    ObserveProgress observing(&observer);
    ToolRun run = run_(*c, arguments);
    const Result& r = run.result;
    json result = r.json(r);
    json out = {{"content", json::array({text_content(dump(result))})},
                {"structuredContent", structured_content(*c, std::move(result))},
                {"isError", false}};
    json meta = {{"panocarbon/capability", c->name}};
    if (r.run_id) meta["panocarbon/run_id"] = r.run_id;
    if (!r.warnings.empty()) {
      meta["panocarbon/warnings"] = r.warnings;
      std::string text = "warnings:";
      for (const auto& w : r.warnings) text += "\n- " + w;
      out["content"].push_back(text_content(text));
    }
    if (!run.files.empty()) {
      meta["panocarbon/files"] = run.files;
      std::string text = "files written:";
      for (const auto& f : run.files) text += "\n- " + f.get<std::string>();
      out["content"].push_back(text_content(text));
    }
    out["_meta"] = meta;
    if (log_)
      *log_ << fmt::format("panocarbon mcp: {} ok ({:.2f} s{})\n", name, seconds(),
                           r.run_id ? fmt::format(", run {}", r.run_id) : std::string())
            << std::flush;
    return success(id, std::move(out));
  } catch (const Error& e) {
    if (cancelled_) {  // the client asked to stop it: no response to a cancelled request
      if (log_) *log_ << fmt::format("panocarbon mcp: {} cancelled by the client ({:.2f} s)\n", name, seconds()) << std::flush;
      return json();
    }
    return failed(e.what());  // "field 'file': invalid input: ...", as the CLI prints it
  } catch (const std::exception& e) {
    return failed(fmt::format("internal error: {} (please report this)", e.what()));
  }
}

// ---- the local runner and stdio ------------------------------------------------------------------------------------

namespace {
// An input named by a tool argument, checked like the CLI checks its own: not empty, not a folder where a
// file is expected, not a symbolic link that loops.
void check_local_input(const std::string& option, const std::string& value, bool folder_ok) {
  if (value.empty())
    throw Error(ErrorCategory::InvalidInput, fmt::format("'{}' is empty; give the path of a file", option),
                ErrorContext{{}, 0, 0, option});
  if (value == "-")
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("'{}' is '-': standard input carries the protocol; give the path of a file", option),
                ErrorContext{{}, 0, 0, option});
  std::error_code ec;
  const auto st = fs::status(value, ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("'{}' names a symbolic link that loops; give the file itself", option),
                ErrorContext{value, 0, 0, option});
  if (!folder_ok && fs::is_directory(st))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("'{}' names a folder, not a file; give the path of a file in it", option),
                ErrorContext{value, 0, 0, option});
  // A device or a pipe (/dev/zero, /dev/stdin) could be read for ever: a tool reads files and folders only.
  if (fs::exists(st) && !fs::is_regular_file(st) && !fs::is_directory(st))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("'{}' names a device, pipe or socket, not a file; give the path of a file", option),
                ErrorContext{value, 0, 0, option});
}
}  // namespace

Runner local_runner(const fs::path& db_given, const fs::path& files_given) {
  const fs::path db = db_given.empty() ? Store::default_path() : db_given;
  const fs::path files = files_given.empty() ? fs::absolute(db).parent_path() / "panocarbon-mcp" : files_given;
  auto store = std::make_shared<std::unique_ptr<Store>>();
  return [db, files, store](const Capability& c, const json& arguments) {
    const Params params = Params::from_json(c.spec(), arguments);
    Context ctx;
    ctx.read_input = [](const std::string& option, const std::string& value) {
      check_local_input(option, value, false);
      return read_file(value);
    };
    ctx.locate_input = [](const std::string& option, const std::string& value) {
      check_local_input(option, value, true);
      return fs::path(value);
    };
    auto out = std::make_shared<fs::path>();
    ctx.output_dir = [out, files]() {
      if (out->empty()) {
        *out = files / "runs" / random_hex(16);
        fs::create_directories(*out);
      }
      return *out;
    };
    ctx.store_location = db;
    ctx.open_store = [store, db]() -> Store& {
      if (!*store) *store = std::make_unique<Store>(Store::open(db));
      return **store;
    };
    ctx.progress = false;
    ToolRun run;
    try {
      run.result = run_capability(c, ctx, params);
    } catch (...) {
      std::error_code ec;
      if (!out->empty()) fs::remove_all(*out, ec);  // nothing of a failed run stays behind
      throw;
    }
    if (!out->empty()) {
      std::vector<std::string> names;
      std::error_code ec;
      for (const auto& e : fs::recursive_directory_iterator(*out, ec))
        if (e.is_regular_file()) names.push_back(e.path().string());
      std::sort(names.begin(), names.end());
      run.files = names;
    }
    return run;
  };
}

int serve_stdio(std::istream& in, std::ostream& out, std::ostream& log, Runner run) {
  // What the reader thread shares with the loop; kept alive by the reader too (see the end).
  struct Shared {
    Shared(Runner r, std::ostream* l) : session(Transport::Stdio, std::move(r), l) {}
    Session session;
    std::mutex q_m;
    std::condition_variable q_cv;
    std::deque<std::string> queue;
    bool ended = false;
  };
  auto sh = std::make_shared<Shared>(std::move(run), &log);
  std::mutex out_m;  // responses and progress notifications, one line at a time
  bool out_ok = true;
  auto send = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(out_m);
    if (!out_ok) return;
    out << line << '\n' << std::flush;
    out_ok = static_cast<bool>(out);
  };
  sh->session.set_notifier([&](const json& m) { send(dump(m)); });
  // The reader takes every line as it comes: a cancellation reaches the call in flight while the loop runs it.
  std::thread reader([sh, &in] {
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (line.find("notifications/cancelled") != std::string::npos) {
        try {
          const json m = json::parse(line);
          if (m.is_object() && m.value("method", json()) == json("notifications/cancelled") && m.contains("params") &&
              m["params"].is_object() && m["params"].contains("requestId"))
            sh->session.cancel(m["params"]["requestId"]);
        } catch (const json::exception&) {
        }
      }
      std::lock_guard<std::mutex> lock(sh->q_m);
      sh->queue.push_back(std::move(line));
      sh->q_cv.notify_one();
    }
    std::lock_guard<std::mutex> lock(sh->q_m);
    sh->ended = true;
    sh->q_cv.notify_one();
  });
  bool gone = false;
  for (;;) {
    std::string line;
    {
      std::unique_lock<std::mutex> lock(sh->q_m);
      sh->q_cv.wait(lock, [&] { return sh->ended || !sh->queue.empty(); });
      if (sh->queue.empty()) break;
      line = std::move(sh->queue.front());
      sh->queue.pop_front();
    }
    std::string answer;
    try {
      answer = sh->session.handle_text(line);
    } catch (const std::exception& e) {  // a bug: the client gets it as an error, the loop goes on
      answer = dump(error_response(nullptr, kInternalError, fmt::format("internal error: {} (please report this)", e.what())));
    }
    if (!answer.empty()) send(answer);
    std::lock_guard<std::mutex> lock(out_m);
    if (!out_ok) {
      log << "panocarbon mcp: the client closed its end; stopping\n";
      gone = true;
      break;
    }
  }
  sh->session.set_notifier(nullptr);
  // When the client closed its end the reader may wait on input for ever: it is left to end with the process
  // (it holds only what it shares with this loop).
  if (gone) reader.detach();
  else reader.join();
  return 0;
}

}  // namespace panocarbon::mcp
