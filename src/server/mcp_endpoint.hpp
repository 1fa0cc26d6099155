// `/mcp` of `panocarbon serve`: the Model Context Protocol's Streamable HTTP transport (revision 2025-11-25,
// docs/mcp.md) over the sessions of src/mcp. The server lends how a tool call runs (uploads as inputs, its run
// folder for files); Origin, Host and the token are checked by the server's pre-routing handler for every route.
#pragma once
#include <cstdint>

#include <httplib.h>

#include "panocarbon/mcp.hpp"

namespace panocarbon::server {

struct McpEndpoint {
  mcp::Runner run;          // a tool call with the server's Context rules
  uint64_t max_body = 1 << 20;
  size_t max_sessions = 1000;  // beyond: the least recently used session is ended
};

// Adds POST, GET and DELETE /mcp to `svr` (before the web app's catch-all route).
void add_mcp_routes(httplib::Server& svr, McpEndpoint endpoint);

}  // namespace panocarbon::server
