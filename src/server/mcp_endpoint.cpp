// The Streamable HTTP transport of MCP (src/server/mcp_endpoint.hpp). One JSON-RPC message per POST, answered
// as application/json; notifications and responses get 202. A session starts at initialize (Mcp-Session-Id)
// and ends with DELETE; the revision negotiated there is the one MCP-Protocol-Version must name after.
#include "server/mcp_endpoint.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>

namespace panocarbon::server {

namespace {

using nlohmann::json;

std::string session_id() {
  static std::mutex m;
  static std::random_device rd;
  std::lock_guard<std::mutex> lock(m);
  std::string s;
  for (int i = 0; i < 16; ++i) s += fmt::format("{:02x}", rd() & 0xffu);
  return s;
}

struct McpSession {
  explicit McpSession(mcp::Runner run) : session(mcp::Transport::Http, std::move(run), &std::cerr) {}
  std::mutex m;  // one message at a time per session
  mcp::Session session;
  std::chrono::steady_clock::time_point used = std::chrono::steady_clock::now();
};

class Sessions {
 public:
  explicit Sessions(McpEndpoint e) : e_(std::move(e)) {}
  const McpEndpoint& endpoint() const { return e_; }

  std::pair<std::string, std::shared_ptr<McpSession>> open() {
    auto s = std::make_shared<McpSession>(e_.run);
    const std::string id = session_id();
    std::lock_guard<std::mutex> lock(m_);
    while (sessions_.size() >= e_.max_sessions) {  // the least recently used one goes
      auto oldest = sessions_.begin();
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
        if (it->second->used < oldest->second->used) oldest = it;
      sessions_.erase(oldest);
    }
    sessions_[id] = s;
    return {id, s};
  }
  std::shared_ptr<McpSession> find(const std::string& id) {
    std::lock_guard<std::mutex> lock(m_);
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return nullptr;
    it->second->used = std::chrono::steady_clock::now();
    return it->second;
  }
  bool close(const std::string& id) {
    std::lock_guard<std::mutex> lock(m_);
    return sessions_.erase(id) > 0;
  }

 private:
  McpEndpoint e_;
  std::mutex m_;
  std::map<std::string, std::shared_ptr<McpSession>> sessions_;
};

// A JSON-RPC error as the body of an HTTP error (no id: it answers no request in particular).
void send_rpc_error(httplib::Response& res, int status, int code, const std::string& message) {
  res.status = status;
  res.set_content(mcp::error_response(nullptr, code, message).dump() + "\n", "application/json");
}

bool accepts_json(const httplib::Request& req) {
  if (!req.has_header("Accept")) return true;
  const std::string a = req.get_header_value("Accept");
  return a.find("application/json") != std::string::npos || a.find("*/*") != std::string::npos ||
         a.find("application/*") != std::string::npos;
}

// The session a request names: nullptr after answering 400 (no header) or 404 (unknown or ended).
std::shared_ptr<McpSession> session_of(Sessions& sessions, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.get_header_value("Mcp-Session-Id");
  if (id.empty()) {
    send_rpc_error(res, 400, mcp::kInvalidRequest,
                   "Bad Request: send the Mcp-Session-Id header that initialize answered (or initialize first)");
    return nullptr;
  }
  auto s = sessions.find(id);
  if (!s)
    send_rpc_error(res, 404, mcp::kInvalidRequest,
                   "Session not found: it ended or this server restarted; initialize a new session");
  return s;
}

void post(Sessions& sessions, const httplib::Request& req, httplib::Response& res) {
  if (req.body.size() > sessions.endpoint().max_body)
    return send_rpc_error(res, 413, mcp::kInvalidRequest,
                          fmt::format("the message has {} bytes, more than the limit of {} (--max-body); send input "
                                      "files as uploads (POST /api/uploads)",
                                      req.body.size(), sessions.endpoint().max_body));
  if (!accepts_json(req))
    return send_rpc_error(res, 406, mcp::kInvalidRequest,
                          "Not Acceptable: this endpoint answers application/json; send Accept: application/json, "
                          "text/event-stream");
  const std::string type = req.get_header_value("Content-Type");
  if (type.find("application/json") == std::string::npos)
    return send_rpc_error(res, 415, mcp::kInvalidRequest,
                          "Unsupported Media Type: send the JSON-RPC message as Content-Type: application/json");
  json message;
  try {
    message = json::parse(req.body);
  } catch (const json::parse_error& e) {
    return send_rpc_error(res, 400, mcp::kParseError,
                          fmt::format("Parse error: the body is not JSON (at byte {})", e.byte));
  } catch (const json::exception& e) {  // a number out of range (1e999), ...
    return send_rpc_error(res, 400, mcp::kParseError, fmt::format("Parse error: {}", e.what()));
  }
  const bool initialize = message.is_object() && message.value("method", json()) == json("initialize");
  std::shared_ptr<McpSession> s;
  std::string id;
  if (initialize) {
    std::tie(id, s) = sessions.open();
  } else {
    s = session_of(sessions, req, res);
    if (!s) return;
  }
  // A cancellation reaches the call in flight at once (that call holds the session until it ends).
  if (message.is_object() && message.value("method", json()) == json("notifications/cancelled") &&
      message.contains("params") && message["params"].is_object() && message["params"].contains("requestId")) {
    s->session.cancel(message["params"]["requestId"]);
    res.status = 202;
    return;
  }
  json answer;
  {
    std::lock_guard<std::mutex> lock(s->m);
    if (!initialize) {
      // After initialize every request names the negotiated revision (absent: the negotiated one is assumed).
      const std::string v = req.get_header_value("MCP-Protocol-Version");
      if (!v.empty() && v != s->session.protocol_version())
        return send_rpc_error(res, 400, mcp::kInvalidRequest,
                              fmt::format("Bad Request: MCP-Protocol-Version {} is {} (this session negotiated {})",
                                          v.substr(0, 40), mcp::supports_version(v) ? "not this session's" : "not supported",
                                          s->session.protocol_version()));
    }
    answer = s->session.handle(message);
  }
  if (initialize) {
    if (answer.contains("error")) sessions.close(id);  // nothing was negotiated: no session
    else res.set_header("Mcp-Session-Id", id);
  }
  if (answer.is_null()) {  // notifications and responses
    res.status = 202;
    return;
  }
  res.status = answer.is_object() && answer.contains("error") &&
                       (answer["error"].value("code", 0) == mcp::kInvalidRequest ||
                        answer["error"].value("code", 0) == mcp::kParseError) &&
                       answer["id"].is_null()
                   ? 400
                   : 200;
  res.set_content(answer.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json");
}

}  // namespace

void add_mcp_routes(httplib::Server& svr, McpEndpoint endpoint) {
  auto sessions = std::make_shared<Sessions>(std::move(endpoint));
  svr.Post("/mcp", [sessions](const httplib::Request& req, httplib::Response& res) { post(*sessions, req, res); });
  // No stream of server-initiated messages: this server sends none.
  svr.Get("/mcp", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Allow", "POST, DELETE");
    send_rpc_error(res, 405, mcp::kInvalidRequest,
                   "Method Not Allowed: this server offers no event stream (it sends no requests or notifications); "
                   "POST JSON-RPC messages to /mcp");
  });
  svr.Delete("/mcp", [sessions](const httplib::Request& req, httplib::Response& res) {
    if (!session_of(*sessions, req, res)) return;
    sessions->close(req.get_header_value("Mcp-Session-Id"));
    res.status = 204;
  });
}

}  // namespace panocarbon::server
