// The HTTP front end (`panocarbon serve`): the registry of capabilities served over HTTP, like the CLI is the
// registry on a command line. Every capability `a b` is GET and POST /api/a/b; its parameters are validated by
// the command spec (Params), it runs through run_capability() (which logs it) and answers with the registry's
// rendering. Long calculations run as jobs; inputs are uploads, never a path on the server. docs/api.md.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "panocarbon/options.hpp"

namespace panocarbon::server {

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port
  std::filesystem::path db;         // empty: Store::default_path()
  std::string token;                // empty: none (refused for a host other than loopback)
  std::filesystem::path web;        // empty: default_web_dir()
  std::filesystem::path files;      // empty: panocarbon-server/ beside the database
  int threads = 128;
  int jobs = 2;
  uint64_t max_body = 1 << 20;
  uint64_t max_upload = 256ull << 20;
  // POST /api/chat (src/server/chat_endpoint.cpp): the data folder its agents read (empty: $PANOCARBON_DATA, else
  // agents::default_data_dir()) and the model (empty url: the deterministic planner), from the server's options
  // and environment only, never from a request.
  std::filesystem::path data;
  std::string model_url, model, model_key;
};

// From the `serve` spec's parameters (frontend_commands()), with PANOCARBON_TOKEN, PANOCARBON_WEB,
// PANOCARBON_DATA, PANOCARBON_MODEL_URL, PANOCARBON_MODEL and PANOCARBON_MODEL_KEY.
// Throws Error{InvalidInput} for a host other than loopback without a token.
Options options_from(const Params& p);

// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& host);

// $PANOCARBON_WEB, else web/dist of the source tree the executable was built in (found from its location).
std::filesystem::path default_web_dir();

// Binds, prints "listening on http://HOST:PORT" on standard output, and serves until SIGINT or SIGTERM.
// Returns 0 after a clean stop; throws Error{Io} when it cannot bind.
int serve(const Options& options);

}  // namespace panocarbon::server
