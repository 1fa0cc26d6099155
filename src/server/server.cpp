// `panocarbon serve`: the registry over HTTP (include/panocarbon/server.hpp, docs/api.md). Nothing here
// computes: a request becomes Params through the command spec (the CLI's validation), runs through
// run_capability() and is answered with render(); errors are panocarbon::Error sent as JSON with its status.
#include "panocarbon/server.hpp"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <zip.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "core/progress.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"
#include "server/chat_endpoint.hpp"
#include "server/mcp_endpoint.hpp"
#include "server/openapi.hpp"

namespace fs = std::filesystem;

namespace panocarbon::server {

// ---- options -------------------------------------------------------------------------------------------------

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;  // 127.0.0.0/8, nothing else
}

fs::path default_web_dir() {
  if (const char* env = std::getenv("PANOCARBON_WEB"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "web/dist";
  // build/bin/panocarbon -> the source tree holds web/dist two folders up (any build folder: build-*/bin)
  for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
    if (fs::is_directory(dir / "web" / "dist", ec) || fs::exists(dir / "web" / "package.json", ec))
      return dir / "web" / "dist";
  return exe.parent_path().parent_path().parent_path() / "web" / "dist";
}

Options options_from(const Params& p) {
  Options o;
  o.host = p.str("host");
  o.port = static_cast<int>(p.integer("port"));
  if (p.has("db")) o.db = p.str("db");
  if (p.has("token")) o.token = p.str("token");
  else if (const char* env = std::getenv("PANOCARBON_TOKEN"); env) o.token = env;
  if (p.has("web")) o.web = p.str("web");
  if (p.has("files")) o.files = p.str("files");
  o.threads = static_cast<int>(p.integer("threads"));
  o.jobs = static_cast<int>(p.integer("jobs"));
  o.max_body = static_cast<uint64_t>(p.integer("max-body"));
  o.max_upload = static_cast<uint64_t>(p.integer("max-upload"));
  // the chat's data and model (POST /api/chat): options, else the environment
  auto option_or_env = [&](const char* option, const char* env) {
    if (p.has(option)) return p.str(option);
    const char* e = std::getenv(env);
    return std::string(e ? e : "");
  };
  o.data = option_or_env("data", "PANOCARBON_DATA");
  o.model_url = option_or_env("model-url", "PANOCARBON_MODEL_URL");
  o.model = option_or_env("model", "PANOCARBON_MODEL");
  if (const char* key = std::getenv("PANOCARBON_MODEL_KEY"); key) o.model_key = key;
  if (o.host.empty())
    throw Error(ErrorCategory::InvalidInput, "--host is empty; give an address such as 127.0.0.1",
                ErrorContext{{}, 0, 0, "host"});
  if (p.has("db") && o.db.empty())
    throw Error(ErrorCategory::InvalidInput,
                "--db is empty; give the database file (--db FILE), or leave --db out for the default location",
                ErrorContext{{}, 0, 0, "db"});
  std::error_code ec;
  if (p.has("web") && !fs::is_directory(o.web, ec))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--web {} is not a folder; give the built web app (web/dist after npm run build in web/)",
                            o.web.string()),
                ErrorContext{o.web.string(), 0, 0, "web"});
  if (!o.data.empty() && !fs::is_directory(o.data, ec))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--data {} is not a folder; give the folder of datasets the chat may read (like "
                            "../shared/data: mrio/, lca/, natural/, national/), or leave it out",
                            o.data.string()),
                ErrorContext{o.data.string(), 0, 0, "data"});
  if (!o.model_url.empty() && o.model_url.rfind("http://", 0) != 0 && o.model_url.rfind("https://", 0) != 0)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--model-url '{}' is not an http:// or https:// address; give the base URL of an "
                            "OpenAI-compatible server (e.g. http://127.0.0.1:8081/v1)",
                            o.model_url.substr(0, 200)),
                ErrorContext{{}, 0, 0, "model-url"});
  if (p.has("token") && o.token.empty())
    throw Error(ErrorCategory::InvalidInput, "--token is empty; give a long random secret (e.g. openssl rand -hex 32)",
                ErrorContext{{}, 0, 0, "token"});
  if (!is_loopback(o.host) && o.token.size() < 16)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--host {} is reachable from other machines: give a token of at least 16 characters "
                            "(--token, or the environment variable PANOCARBON_TOKEN; e.g. openssl rand -hex 32){}",
                            o.host, o.token.empty() ? "" : ", the one given is too short"),
                ErrorContext{{}, 0, 0, "token"});
  return o;
}

namespace {

// ---- helpers ---------------------------------------------------------------------------------------------------

std::string random_hex(size_t bytes) {
  static std::mutex m;
  static std::random_device rd;
  std::lock_guard<std::mutex> lock(m);
  std::string s;
  for (size_t i = 0; i < bytes; ++i) s += fmt::format("{:02x}", rd() & 0xffu);
  return s;
}

// The parameters of the URL's query only (httplib also puts a form-encoded body's fields into req.params).
httplib::Params query_of(const httplib::Request& req) {
  httplib::Params q;
  const auto pos = req.target.find('?');
  if (pos != std::string::npos) httplib::detail::parse_query_text(req.target.substr(pos + 1), q);
  return q;
}

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c)); });
}

// The error as the API sends it: category, message and field, with the file (its name only: an upload's
// place on the server is not the client's business), line and column where known.
nlohmann::json error_json(const Error& e) {
  nlohmann::json err = {{"category", to_string(e.category())}, {"message", e.message()}};
  err["field"] = e.context().field.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.context().field);
  if (!e.context().file.empty()) err["file"] = fs::path(e.context().file).filename().string();
  if (e.context().line) err["line"] = e.context().line;
  if (e.context().column) err["column"] = e.context().column;
  return {{"error", err}};
}

// A request body over the limit: 413.
class TooLarge : public Error {
 public:
  explicit TooLarge(std::string message) : Error(ErrorCategory::InvalidInput, std::move(message)) {}
};
// A capability that runs only on the user's own machine (Capability::local_only): 403.
class ForbiddenCapability : public Error {
 public:
  explicit ForbiddenCapability(std::string message) : Error(ErrorCategory::InvalidInput, std::move(message)) {}
};

void send_json(httplib::Response& res, int status, const nlohmann::json& j) {
  res.status = status;
  res.set_content(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
}

// Bytes shared with a cache, written to the socket without a copy.
void send_shared(httplib::Response& res, std::shared_ptr<const std::string> bytes, const std::string& type) {
  const size_t n = bytes->size();
  res.set_content_provider(n, type, [bytes](size_t offset, size_t length, httplib::DataSink& sink) {
    return sink.write(bytes->data() + offset, std::min(length, bytes->size() - offset));
  });
}

void send_error(httplib::Response& res, const Error& e, int status = 0) {
  send_json(res, status ? status : e.http_status(), error_json(e));
}

Error input_error(std::string message, std::string field = {}) {
  return Error(ErrorCategory::InvalidInput, std::move(message), ErrorContext{{}, 0, 0, std::move(field)});
}

const char* content_type(const std::string& format) {
  if (format == "json") return "application/json";
  if (format == "csv") return "text/csv; charset=utf-8";
  if (format == "xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  return "text/plain; charset=utf-8";
}

std::string mime_of(const fs::path& p) {
  static const std::map<std::string, std::string> m = {
      {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"}, {".json", "application/json"}, {".topojson", "application/json"},
      {".map", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"}, {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".webp", "image/webp"}, {".ico", "image/x-icon"},
      {".woff", "font/woff"}, {".woff2", "font/woff2"}, {".ttf", "font/ttf"}, {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"}, {".wasm", "application/wasm"}, {".pdf", "application/pdf"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, {".zip", "application/zip"},
      {".md", "text/markdown; charset=utf-8"}};
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto it = m.find(ext);
  return it == m.end() ? "application/octet-stream" : it->second;
}

// A path under `root` from the segments of a URL path, or nullopt when a segment tries to leave it ("..",
// ".", a backslash, a NUL) or a symbolic link leads out of it.
std::optional<fs::path> safe_join(const fs::path& root, const std::string& url_path) {
  fs::path p = root;
  std::string seg;
  std::istringstream in(url_path);
  while (std::getline(in, seg, '/')) {
    if (seg.empty()) continue;
    if (seg == ".." || seg == "." || seg.find('\\') != std::string::npos || seg.find('\0') != std::string::npos)
      return std::nullopt;
    p /= seg;
  }
  std::error_code ec;
  const fs::path croot = fs::weakly_canonical(root, ec);
  const fs::path cp = fs::weakly_canonical(p, ec);
  if (ec) return std::nullopt;
  const auto rel = cp.lexically_relative(croot);
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  return p;
}

// The SHA-256 of both, compared with CRYPTO_memcmp: the time taken says nothing of the token.
bool same_secret(const std::string& given, const std::string& expected) {
  const std::string a = sha256_hex(given), b = sha256_hex(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The database connection of this worker thread (SQLite connections are not shared between threads).
Store& thread_store(const fs::path& where) {
  thread_local std::map<std::string, std::unique_ptr<Store>> stores;
  auto& s = stores[where.string()];
  if (!s) s = std::make_unique<Store>(Store::open(where));
  return *s;
}



// Unpacks the zip archive `zip_path` into `dest` (a folder dataset: an MRIO folder, a JSON-LD database, the GCB
// CSV files). Entries that would leave `dest` are refused, and so is more than `limit` bytes unpacked in all.
void unpack_zip(const fs::path& zip_path, const fs::path& dest, uint64_t limit) {
  int err = 0;
  zip_t* z = zip_open(zip_path.c_str(), ZIP_RDONLY, &err);
  if (!z)
    throw input_error("the upload is not a zip archive: give ?unpack=true only with a .zip of a folder", "unpack");
  struct Closer {
    zip_t* z;
    ~Closer() { zip_discard(z); }
  } closer{z};
  const zip_int64_t n = zip_get_num_entries(z, 0);
  uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) continue;
    const std::string name = st.name;
    if (name.find("__MACOSX") == 0) continue;
    const auto target = safe_join(dest, name);
    if (!target || name.find('\\') != std::string::npos || (!name.empty() && name[0] == '/'))
      throw input_error(fmt::format("the zip entry '{}' would leave its folder: unpack refuses it", name.substr(0, 200)), "unpack");
    if (!name.empty() && name.back() == '/') {
      fs::create_directories(*target);
      continue;
    }
    total += st.size;
    if (total > limit)
      throw input_error(fmt::format("the zip unpacks to more than {} bytes (--max-upload)", limit), "unpack");
    fs::create_directories(target->parent_path());
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    if (!f) throw input_error(fmt::format("the zip entry '{}' cannot be read (encrypted or damaged)", name.substr(0, 200)), "unpack");
    std::ofstream out(*target, std::ios::binary);
    char buf[1 << 16];
    zip_int64_t got = 0;
    uint64_t written = 0;
    while ((got = zip_fread(f, buf, sizeof buf)) > 0) {
      written += static_cast<uint64_t>(got);
      if (written > st.size) break;  // a lying header: never more than it declared
      out.write(buf, got);
    }
    zip_fclose(f);
    if (got < 0 || !out)
      throw input_error(fmt::format("the zip entry '{}' is damaged, or the server's disk is full", name.substr(0, 200)), "unpack");
  }
}
}  // namespace

// ---- the server ---------------------------------------------------------------------------------------------------

namespace {

// One call of a capability, validated: what a request asks, before anything runs.
struct Call {
  const Capability* capability = nullptr;
  Params params;
  std::string format = "json";
};

struct Job : ProgressObserver {
  std::string id;
  const Capability* capability = nullptr;
  Call call;
  mutable std::mutex m;
  std::string status = "queued";  // queued, running, done, failed, cancelled
  std::string label;
  uint64_t done = 0, total = 0;
  std::atomic<bool> cancel{false};
  int64_t run_id = 0;
  nlohmann::json result, error, files, warnings;
  std::chrono::system_clock::time_point created = std::chrono::system_clock::now();

  void report(const std::string& l, uint64_t d, uint64_t t) override {
    std::lock_guard<std::mutex> lock(m);
    label = l;
    done = d;
    total = t;
  }
  bool cancel_requested() const override { return cancel.load(); }
  bool finished() const {
    std::lock_guard<std::mutex> lock(m);
    return status == "done" || status == "failed" || status == "cancelled";
  }

  nlohmann::json to_json(bool with_result) const {
    std::lock_guard<std::mutex> lock(m);
    nlohmann::json j = {{"id", id},
                        {"capability", capability->name},
                        {"status", status},
                        {"progress", {{"label", label}, {"done", done}, {"total", total}}},
                        {"run_id", run_id ? nlohmann::json(run_id) : nlohmann::json(nullptr)},
                        {"error", error.is_null() ? nlohmann::json(nullptr) : error}};
    if (with_result && status == "done") j["result"] = result;
    if (!files.is_null()) j["files"] = files;
    if (!warnings.is_null()) j["warnings"] = warnings;
    return j;
  }
};

class Server {
 public:
  explicit Server(Options o) : o_(std::move(o)) {
    db_ = fs::absolute(o_.db.empty() ? Store::default_path() : o_.db);
    files_ = fs::absolute(o_.files.empty() ? db_.parent_path() / "panocarbon-server" : o_.files);
    web_ = fs::absolute(o_.web.empty() ? default_web_dir() : o_.web);
    // A local-only capability (data fetch: it reaches other hosts and writes into the user's folders) is neither
    // listed nor run: its endpoint answers 403 and says to run it from the command line.
    for (const auto& c : capabilities()) (c.local_only ? local_only_ : by_path_)[endpoint_of(c.name)] = &c;
    chat_ = chat_options(o_, files_);
  }

  int run() {
    // The database is created or migrated once, before any worker opens its own connection.
    { Store s = Store::open(db_); }
    std::error_code ec;
    fs::create_directories(files_ / "uploads", ec);
    fs::create_directories(files_ / "runs", ec);
    // The server works in a folder of its own: what a capability writes by default into the current folder
    // (data fetch's panocarbon-data/) lands there, never where the server was started.
    fs::create_directories(files_ / "work", ec);
    if (!ec) fs::current_path(files_ / "work", ec);
    if (ec)
      throw Error(ErrorCategory::Io, fmt::format("cannot create the server's folder {}: {}", files_.string(), ec.message()),
                  ErrorContext{files_.string(), 0, 0, "files"});
    svr_.new_task_queue = [n = o_.threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
    svr_.set_payload_max_length(static_cast<size_t>(std::max(o_.max_body, o_.max_upload)));
    svr_.set_keep_alive_max_count(1000);
    // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server bind the same port and take
    // half of the connections, where it must fail to start.
    svr_.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<void*>(&yes), sizeof(yes));
    });
    routes();
    const int port = o_.port == 0 ? svr_.bind_to_any_port(o_.host) : (svr_.bind_to_port(o_.host, o_.port) ? o_.port : -1);
    if (port < 0)
      throw Error(ErrorCategory::Io,
                  fmt::format("cannot listen on {}:{} (in use, or not an address of this machine); give another "
                              "--port (0 picks a free one) or --host",
                              o_.host, o_.port),
                  ErrorContext{{}, 0, 0, "port"});
    const std::string shown = o_.host.find(':') != std::string::npos && o_.host[0] != '[' ? "[" + o_.host + "]" : o_.host;
    std::cout << "listening on http://" << shown << ":" << port << std::endl;
    std::cerr << fmt::format("panocarbon serve: database {}, web app {}{}, files {}{}\n", db_.string(), web_.string(),
                             fs::is_directory(web_) ? "" : " (not built: npm ci && npm run build in web/)",
                             files_.string(), o_.token.empty() ? "" : ", token required");
    for (int i = 0; i < o_.jobs; ++i) workers_.emplace_back([this] { job_worker(); });
    instance_ = this;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    svr_.listen_after_bind();
    instance_ = nullptr;
    {
      std::lock_guard<std::mutex> lock(jobs_m_);
      stopping_ = true;
      for (auto& [id, j] : jobs_) j->cancel = true;
    }
    jobs_cv_.notify_all();
    for (auto& t : workers_) t.join();
    return 0;
  }

 private:
  Options o_;
  fs::path db_, files_, web_;
  httplib::Server svr_;
  std::map<std::string, const Capability*> by_path_;
  std::map<std::string, const Capability*> local_only_;  // endpoints that answer 403 (Capability::local_only)
  agents::ChatOptions chat_;  // POST /api/chat: the data folder, the folders its runs may read, the model
  std::mutex jobs_m_;
  std::condition_variable jobs_cv_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::vector<std::thread> workers_;
  bool stopping_ = false;
  static inline Server* instance_ = nullptr;
  static constexpr size_t kKeptJobs = 1000;

  static void on_signal(int) {
    if (instance_) instance_->svr_.stop();
  }

  // ---- requests to calls -----------------------------------------------------------------------------------

  // The uploaded file an input names: "upload:<hex>", never a path on the server.
  fs::path upload_file(const std::string& option, const std::string& value) const {
    const std::string id = value.rfind("upload:", 0) == 0 ? value.substr(7) : std::string();
    if (id.empty() || !is_hex(id) || id.size() > 64)
      throw input_error(fmt::format("'{}' is '{}': the API takes no path on the server; upload the file first "
                                    "(POST /api/uploads) and give the id it answers (upload:<hex>)",
                                    option, value.substr(0, 200)),
                        option);
    const fs::path dir = files_ / "uploads" / id;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() || e.is_directory()) return e.path();  // the file, or the unpacked folder
    throw Error(ErrorCategory::NotFound,
                fmt::format("'{}' names {}, which is not an upload of this server (uploads are kept until the "
                            "server's files are removed); upload the file again (POST /api/uploads)",
                            option, value),
                ErrorContext{{}, 0, 0, option});
  }

  Call prepare(const Capability& c, const nlohmann::json* body,
               const std::multimap<std::string, std::string>& query) const {
    Call call;
    call.capability = &c;
    std::map<std::string, std::vector<std::string>> text;
    for (const auto& [k, v] : query) {
      if (k == "format") {
        call.format = v;
        continue;
      }
      if (k == "access_token") continue;
      if (body)
        throw input_error(fmt::format("'{}' is given in the query of a POST: send the parameters in the JSON body "
                                      "(only format may be in the query)",
                                      k),
                          k);
      text[k].push_back(v);
    }
    if (std::find(output_formats().begin(), output_formats().end(), call.format) == output_formats().end())
      throw input_error(fmt::format("format '{}' is not one of {}", call.format.substr(0, 40), fmt::join(output_formats(), ", ")),
                        "format");
    auto refuse_frontend = [&](const std::string& k) {
      const OptionSpec* o = c.spec().find(k);
      if (o && o->frontend)
        throw input_error(fmt::format("'{}' is an option of the command line, not of the API (the server owns its "
                                      "database, files and progress)",
                                      k),
                          k);
    };
    if (body) {
      if (!body->is_object())
        throw input_error(fmt::format("the body of POST {} must be a JSON object of its parameters (see GET "
                                      "/api/capabilities), not {}",
                                      endpoint_of(c.name), body->type_name()));
      for (const auto& [k, v] : body->items()) refuse_frontend(k);
      call.params = Params::from_json(c.spec(), *body);
    } else {
      for (auto& [k, vals] : text) {
        refuse_frontend(k);
        const OptionSpec* o = c.spec().find(k);
        if (o && o->type == OptionType::Bool)
          for (auto& v : vals)
            if (v.empty()) v = "true";  // ?all is ?all=true
        if (o && !o->multiple && vals.size() > 1)
          throw input_error(fmt::format("'{}' is given {} times; it takes one value", k, vals.size()), k);
      }
      call.params = Params::from_text(c.spec(), text);
    }
    // Inputs are uploads: checked now, so that a bad one fails before any run is logged.
    for (const auto& o : c.spec().options) {
      if (o.type != OptionType::Path || !call.params.has(o.name)) continue;
      for (const auto& v : call.params.strs(o.name)) upload_file(o.name, v);
    }
    return call;
  }

  // Runs a validated call with a context of this server: inputs from uploads, files into a folder of the run.
  // The run's id (0: not logged) is in `run_id` also when it fails.
  Result execute(const Call& call, std::string& files_id, int64_t& run_id) const {
    const Capability& c = *call.capability;
    auto out = std::make_shared<fs::path>();
    Context ctx = context(out, files_id);
    try {
      Result r = run_capability(c, ctx, call.params);
      run_id = r.run_id;
      return r;
    } catch (...) {
      run_id = ctx.run_id();
      std::error_code ec;
      if (!out->empty()) fs::remove_all(*out, ec);  // nothing of a failed run stays behind
      files_id.clear();
      throw;
    }
  }

  // The context a run gets on this server: inputs from uploads, files into a folder of the request (created on
  // first use, named in `files_id`), the database of the worker thread, no progress bars.
  Context context(const std::shared_ptr<fs::path>& out, std::string& files_id) const {
    Context ctx;
    ctx.read_input = [this](const std::string& option, const std::string& value) {
      const fs::path p = upload_file(option, value);
      if (fs::is_directory(p))
        throw input_error(fmt::format("'{}' names an unpacked folder ({}); this input is one file: upload it without "
                                      "?unpack",
                                      option, value),
                          option);
      return read_file(p);
    };
    ctx.locate_input = [this](const std::string& option, const std::string& value) { return upload_file(option, value); };
    ctx.output_dir = [this, out, &files_id]() {
      if (out->empty()) {
        files_id = random_hex(16);
        *out = files_ / "runs" / files_id;
        fs::create_directories(*out);
      }
      return *out;
    };
    ctx.store_location = db_;
    ctx.open_store = [where = db_]() -> Store& { return thread_store(where); };
    ctx.progress = false;
    return ctx;
  }

  nlohmann::json file_urls(const std::string& files_id) const {
    auto urls = nlohmann::json::array();
    if (files_id.empty()) return urls;
    std::error_code ec;
    const fs::path dir = files_ / "runs" / files_id;
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
      if (e.is_regular_file()) names.push_back(e.path().lexically_relative(dir).generic_string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) urls.push_back(fmt::format("/api/files/{}/{}", files_id, n));
    return urls;
  }

  // Answers of reads are kept while the database is unchanged: a capability that logs no run, writes no files,
  // draws no random numbers and is not one of the system's (db, schema, ...) answers as a function of its
  // parameters, the format, its uploads (named by their content) and the database; the database's state is the
  // size and modification time (ns) of its file and its write-ahead log, which every commit changes, this
  // server's or another process's.
  struct Cached {
    std::shared_ptr<const std::string> body;
    std::string content_type, warnings;
  };
  static bool cacheable(const Capability& c) {
    return !c.logs_run && !c.writes_files && c.domain != Domain::System && !c.spec().find("seed");
  }
  std::string database_state() const {
    std::string key;
    for (const fs::path& f : {db_, fs::path(db_.string() + "-wal")}) {
      struct stat st {};
      if (::stat(f.c_str(), &st) == 0)
        key += fmt::format("{}:{}.{};", static_cast<long long>(st.st_size), static_cast<long long>(st.st_mtim.tv_sec),
                           static_cast<long long>(st.st_mtim.tv_nsec));
      else
        key += "-;";
    }
    return key;
  }
  mutable std::mutex cache_m_;
  mutable std::map<std::string, std::shared_ptr<const Cached>> cache_;
  mutable size_t cache_bytes_ = 0;
  mutable std::map<std::string, std::shared_future<std::shared_ptr<const Cached>>> inflight_;
  static constexpr size_t kCacheBytes = 256u << 20;

  void answer(const Call& call, httplib::Response& res) const {
    std::string key;
    if (cacheable(*call.capability)) {
      key = call.capability->name + '\n' + call.params.json().dump() + '\n' + call.format + '\n' + database_state();
      std::shared_ptr<const Cached> hit;
      {
        std::lock_guard<std::mutex> lock(cache_m_);
        const auto it = cache_.find(key);
        if (it != cache_.end()) hit = it->second;
      }
      auto serve_cached = [&](const Cached& c) {
        res.status = 200;
        send_shared(res, c.body, c.content_type);
        if (!c.warnings.empty()) res.set_header("X-Panocarbon-Warnings", c.warnings);
        res.set_header("X-Panocarbon-Cache", "hit");
      };
      if (hit) return serve_cached(*hit);
      // the same request already being answered (a burst of clients on one view): wait for that answer
      std::shared_future<std::shared_ptr<const Cached>> pending;
      std::promise<std::shared_ptr<const Cached>> mine;
      {
        std::lock_guard<std::mutex> lock(cache_m_);
        const auto it = inflight_.find(key);
        if (it != inflight_.end()) pending = it->second;
        else inflight_.emplace(key, mine.get_future().share());
      }
      if (pending.valid()) {
        if (const auto shared = pending.get()) return serve_cached(*shared);
        return answer_fresh(call, res);  // that one failed or was not kept: answer this one alone
      }
      std::shared_ptr<const Cached> made;
      struct Settle {  // whatever happens, the waiting requests are released
        const Server* self;
        const std::string& key;
        std::promise<std::shared_ptr<const Cached>>& promise;
        std::shared_ptr<const Cached>& made;
        ~Settle() {
          std::lock_guard<std::mutex> lock(self->cache_m_);
          self->inflight_.erase(key);
          promise.set_value(made);
        }
      } settle{this, key, mine, made};
      answer_fresh(call, res);
      if (res.status == 200 && key.substr(key.rfind('\n') + 1) == database_state()) {
        made = std::make_shared<Cached>(Cached{std::make_shared<const std::string>(res.body),
                                               res.get_header_value("Content-Type"),
                                               res.get_header_value("X-Panocarbon-Warnings")});
        std::lock_guard<std::mutex> lock(cache_m_);
        if (cache_bytes_ + made->body->size() > kCacheBytes) {  // full: start again (the ledger's views are few)
          cache_.clear();
          cache_bytes_ = 0;
        }
        if (made->body->size() <= kCacheBytes && cache_.emplace(key, made).second) cache_bytes_ += made->body->size();
        res.set_header("X-Panocarbon-Cache", "miss");
      }
      return;
    }
    answer_fresh(call, res);
  }

  void answer_fresh(const Call& call, httplib::Response& res) const {
    std::string files_id;
    int64_t run_id = 0;
    const Result r = [&] {
      try {
        return execute(call, files_id, run_id);
      } catch (...) {
        if (run_id) res.set_header("X-Panocarbon-Run-Id", std::to_string(run_id));  // the failed run in the log
        throw;
      }
    }();
    std::ostringstream out;
    render(*call.capability, r, call.format, out);
    res.status = 200;
    res.set_content(out.str(), content_type(call.format));
    if (r.run_id) res.set_header("X-Panocarbon-Run-Id", std::to_string(r.run_id));
    if (!r.warnings.empty())
      res.set_header("X-Panocarbon-Warnings", nlohmann::json(r.warnings).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
    if (!files_id.empty()) res.set_header("X-Panocarbon-Files", file_urls(files_id).dump(-1, ' ', true));
    if (call.format == "xlsx") {
      std::string n = call.capability->name;
      std::replace(n.begin(), n.end(), ' ', '-');
      res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}.xlsx\"", n));
    }
  }

  // ---- routes -------------------------------------------------------------------------------------------------

  // Runs a handler; an Error becomes its JSON with its status, anything else a 500 (a bug).
  template <class F>
  void guarded(httplib::Response& res, F&& f) const {
    try {
      f();
    } catch (const TooLarge& e) {
      send_error(res, e, 413);
    } catch (const ForbiddenCapability& e) {
      send_error(res, e, 403);
    } catch (const Error& e) {
      send_error(res, e);
    } catch (const std::exception& e) {
      send_error(res, Error(ErrorCategory::Internal, fmt::format("internal error: {} (please report this)", e.what())));
    }
  }

  const Capability& capability_at(const std::string& path) const {
    const auto it = by_path_.find(path);
    if (it != by_path_.end()) return *it->second;
    if (const auto lo = local_only_.find(path); lo != local_only_.end())
      throw ForbiddenCapability(fmt::format(
          "`{0}` is not served over HTTP: it reaches other hosts and writes into your folders; run it on your own "
          "machine: panocarbon {0} --help",
          lo->second->name));
    std::vector<std::string> paths;
    for (const auto& [p, c] : by_path_) paths.push_back(p);
    const auto near = nearest(path, paths);
    throw Error(ErrorCategory::NotFound,
                fmt::format("no endpoint {}{}; GET /api/capabilities lists them all", path.substr(0, 200),
                            near.empty() ? std::string() : fmt::format(" (did you mean {}?)", fmt::join(near, ", "))));
  }

  // A browser's request that another site made (cross-site request forgery), or that reached this server
  // under another name (DNS rebinding), is refused: a page elsewhere must not run capabilities here. Clients that
  // are not browsers send no Origin nor Sec-Fetch-Site and are not concerned. Returns why, or "".
  std::string refused_origin(const httplib::Request& req) const {
    const std::string host = req.get_header_value("Host");
    auto name_of = [](const std::string& h) {  // "127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "::1"
      if (!h.empty() && h[0] == '[') return h.substr(1, h.find(']') - 1);
      return h.substr(0, h.find(':'));
    };
    if (is_loopback(o_.host) && !host.empty() && !is_loopback(name_of(host)))
      return fmt::format("this server listens on loopback and answers only requests to a loopback name, not to "
                         "'{}' (a page that renamed it must not reach it); open http://127.0.0.1:PORT/",
                         host.substr(0, 100));
    if (req.get_header_value("Sec-Fetch-Site") == "cross-site")
      return "a request from another site's page is refused (cross-site request forgery); open the app from this "
             "server";
    const std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && origin != "null") {
      const auto at = origin.find("://");
      const std::string origin_host = at == std::string::npos ? origin : origin.substr(at + 3);
      // the server's own pages; on loopback also a loopback page (the web app's development server, whose
      // proxy may rewrite Host)
      if (origin_host != host && !(is_loopback(o_.host) && is_loopback(name_of(origin_host))))
        return fmt::format("a request from the page of {} is refused (only this server's own pages may call its "
                           "API)",
                           origin.substr(0, 100));
    }
    return {};
  }

  void check_body_size(const httplib::Request& req) const {
    if (req.body.size() > o_.max_body)
      throw TooLarge(fmt::format("the request body has {} bytes, more than the limit of {} (--max-body); send input "
                              "files as uploads (POST /api/uploads)",
                              req.body.size(), o_.max_body));
  }

  static nlohmann::json parse_body(const httplib::Request& req) {
    if (req.body.empty()) return nlohmann::json::object();
    try {
      return nlohmann::json::parse(req.body);
    } catch (const nlohmann::json::parse_error& e) {
      throw input_error(fmt::format("the request body is not valid JSON (at byte {}): send a JSON object of the "
                                    "parameters, e.g. {{\"country\": \"CHN\", \"year\": 2009}}",
                                    e.byte));
    }
  }

  void routes() {
    svr_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (const std::string why = refused_origin(req); !why.empty()) {
        send_json(res, 403, {{"error", {{"category", "forbidden"}, {"message", why}, {"field", nullptr}}}});
        return httplib::Server::HandlerResponse::Handled;
      }
      if (o_.token.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const std::string auth = req.get_header_value("Authorization");
      std::string given;
      bool from_query = false;
      if (auth.rfind("Bearer ", 0) == 0) {
        given = auth.substr(7);
      } else if (const auto q = query_of(req); q.count("access_token")) {
        given = q.find("access_token")->second;  // a browser's first page: then a cookie for the app's requests
        from_query = true;
      } else {
        const std::string cookies = req.get_header_value("Cookie");
        const auto at = cookies.find("panocarbon_token=");
        if (at != std::string::npos && (at == 0 || cookies[at - 1] == ' ' || cookies[at - 1] == ';')) {
          const auto from = at + 17;
          given = cookies.substr(from, cookies.find(';', from) - from);
        }
      }
      if (!given.empty() && same_secret(given, o_.token)) {
        if (from_query && given.find_first_of(" ;,\"\\") == std::string::npos)
          res.set_header("Set-Cookie", "panocarbon_token=" + given + "; HttpOnly; SameSite=Strict; Path=/");
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.set_header("WWW-Authenticate", "Bearer realm=\"panocarbon\"");
      send_json(res, 401,
                {{"error",
                  {{"category", "unauthorized"},
                   {"message", given.empty() ? "this server needs a token: send the header Authorization: Bearer TOKEN"
                                             : "the token is wrong: send the one the server was started with "
                                               "(Authorization: Bearer TOKEN)"},
                   {"field", nullptr}}}});
      return httplib::Server::HandlerResponse::Handled;
    });
    svr_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      if (res.status == 413)
        send_json(res, 413,
                  {{"error",
                    {{"category", "invalid input"},
                     {"message", "the request body is larger than this server takes (--max-body for parameters, "
                                 "--max-upload for uploads)"},
                     {"field", nullptr}}}});
      else if (res.status == 404)
        send_json(res, 404, {{"error", {{"category", "not found"}, {"message", fmt::format("nothing at {}", req.path.substr(0, 200))}, {"field", nullptr}}}});
      else if (res.status == 405)
        send_json(res, 405, {{"error", {{"category", "invalid input"}, {"message", fmt::format("{} does not take {}", req.path.substr(0, 200), req.method)}, {"field", nullptr}}}});
      else
        send_json(res, res.status, {{"error", {{"category", "invalid input"}, {"message", fmt::format("HTTP {}", res.status)}, {"field", nullptr}}}});
    });
    svr_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "an unknown exception";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_error(res, Error(ErrorCategory::Internal, fmt::format("internal error: {} (please report this)", what)));
    });

    svr_.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"status", "ok"}, {"version", version()}, {"database", db_.string()}});
    });
    svr_.Get("/api/capabilities", [this](const httplib::Request&, httplib::Response& res) {
      guarded(res, [&] {
        nlohmann::json served = nlohmann::json::array();
        for (auto& c : describe_capabilities())
          if (!c.value("local_only", false)) served.push_back(std::move(c));
        send_json(res, 200, served);
      });
    });
    svr_.Get("/api/openapi.json", [this](const httplib::Request&, httplib::Response& res) {
      guarded(res, [&] { send_json(res, 200, openapi_document()); });
    });

    // uploads: a raw body (?filename=NAME) or multipart/form-data (the file part's filename)
    svr_.Post("/api/uploads",
              [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                guarded(res, [&] { upload(req, res, reader); });
              });
    svr_.Get(R"(/api/files/([0-9a-f]{32})/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        const auto p = safe_join(files_ / "runs" / req.matches[1].str(), req.matches[2].str());
        std::error_code ec;
        if (!p || !fs::is_regular_file(*p, ec))
          throw Error(ErrorCategory::NotFound, fmt::format("no file {} of a run on this server", req.path.substr(0, 200)));
        res.set_content(read_file(*p), mime_of(*p).c_str());
      });
    });

    // the chat (src/server/chat_endpoint.cpp): a question and the earlier turns, answered by the agents
    svr_.Post("/api/chat", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        check_body_size(req);
        const ChatRequest request = parse_chat_request(parse_body(req));
        std::string files_id;
        Context ctx = context(std::make_shared<fs::path>(), files_id);
        allow_paths_in(ctx, chat_.allowed_roots);
        nlohmann::json answer = answer_chat(request, ctx, chat_);
        if (!files_id.empty()) answer["files"] = file_urls(files_id);
        send_json(res, 200, answer);
      });
    });
    svr_.Get("/api/chat", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "POST");
      send_json(res, 405, {{"error", {{"category", "invalid input"},
                                      {"message", "POST /api/chat with a JSON body {\"question\": \"...\", \"history\": [...]}"},
                                      {"field", nullptr}}}});
    });

    // jobs
    svr_.Post("/api/jobs", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        check_body_size(req);
        const nlohmann::json body = parse_body(req);
        if (!body.is_object() || !body.contains("capability") || !body["capability"].is_string())
          throw input_error("a job is a JSON object {\"capability\": \"mrio montecarlo\", \"params\": {...}}", "capability");
        for (const auto& [k, v] : body.items())
          if (k != "capability" && k != "params")
            throw input_error(fmt::format("a job has no field '{}' (only capability, params)", k), k);
        const Capability& c = capability(body["capability"].get<std::string>());
        const nlohmann::json params = body.value("params", nlohmann::json::object());
        const Call call = prepare(c, &params, {});
        auto job = std::make_shared<Job>();
        job->id = random_hex(16);
        job->capability = &c;
        job->call = call;
        {
          std::lock_guard<std::mutex> lock(jobs_m_);
          // the oldest finished jobs are forgotten beyond kKeptJobs (their runs stay in the run log)
          while (jobs_.size() >= kKeptJobs) {
            auto oldest = jobs_.end();
            for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
              if (it->second->finished() && (oldest == jobs_.end() || it->second->created < oldest->second->created))
                oldest = it;
            if (oldest == jobs_.end()) break;
            jobs_.erase(oldest);
          }
          jobs_[job->id] = job;
          queue_.push_back(job);
        }
        jobs_cv_.notify_one();
        res.set_header("Location", "/api/jobs/" + job->id);
        send_json(res, 202, {{"id", job->id}, {"status", "queued"}, {"capability", c.name}});
      });
    });
    svr_.Get("/api/jobs", [this](const httplib::Request&, httplib::Response& res) {
      auto a = nlohmann::json::array();
      std::lock_guard<std::mutex> lock(jobs_m_);
      for (const auto& [id, j] : jobs_) a.push_back(j->to_json(false));
      send_json(res, 200, {{"jobs", a}});
    });
    svr_.Get(R"(/api/jobs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] { send_json(res, 200, job_at(req.matches[1].str())->to_json(true)); });
    });
    svr_.Delete(R"(/api/jobs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        auto job = job_at(req.matches[1].str());
        job->cancel = true;
        {
          std::lock_guard<std::mutex> lock(job->m);
          if (job->status == "queued") job->status = "cancelled";
        }
        send_json(res, 202, job->to_json(false));
      });
    });

    // the Model Context Protocol (src/server/mcp_endpoint.cpp, docs/mcp.md): tool calls are calls of the API
    add_mcp_routes(svr_, McpEndpoint{[this](const Capability& c, const nlohmann::json& arguments) {
                                       const Call call = prepare(c, &arguments, {});
                                       std::string files_id;
                                       int64_t run_id = 0;
                                       mcp::ToolRun run;
                                       run.result = execute(call, files_id, run_id);
                                       run.files = file_urls(files_id);
                                       return run;
                                     },
                                     o_.max_body});

    // every capability: GET with query parameters, POST with a JSON body
    svr_.Get(R"(/api/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        const Capability& c = capability_at(req.path);
        answer(prepare(c, nullptr, query_of(req)), res);
      });
    });
    svr_.Post(R"(/api/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] {
        const Capability& c = capability_at(req.path);
        check_body_size(req);
        const nlohmann::json body = parse_body(req);
        answer(prepare(c, &body, query_of(req)), res);
      });
    });

    // the web app
    svr_.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(res, [&] { static_file(req, res); });
    });
  }

  // Streams the body (raw, or the first part of a multipart form) into a folder of its own while hashing it,
  // so an upload is never held in memory; then names it by its SHA-256 and name.
  void upload(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) const {
    const auto q = query_of(req);
    const bool unpack = q.count("unpack") && q.find("unpack")->second != "false" && q.find("unpack")->second != "0";
    std::string name = q.count("filename") ? q.find("filename")->second : std::string();
    uint64_t declared = 0;  // Content-Length, when the client said it
    try {
      if (req.has_header("Content-Length")) declared = std::stoull(req.get_header_value("Content-Length"));
    } catch (const std::exception&) {
    }
    auto too_large_error = [&] {
      return TooLarge(fmt::format("the upload has more than {} bytes, the limit (--max-upload)", o_.max_upload));
    };
    if (!req.is_multipart_form_data() && declared > o_.max_upload) throw too_large_error();
    const fs::path tmp = files_ / "uploads" / ("part-" + random_hex(16));
    std::error_code ec;
    fs::create_directories(tmp);
    struct Cleanup {
      fs::path dir;
      ~Cleanup() {
        std::error_code e;
        if (!dir.empty()) fs::remove_all(dir, e);
      }
    } cleanup{tmp};
    const fs::path body = tmp / "body";
    std::ofstream out(body, std::ios::binary);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    struct MdFree {
      EVP_MD_CTX* md;
      ~MdFree() { EVP_MD_CTX_free(md); }
    } md_free{md};
    EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
    uint64_t bytes = 0;
    bool too_large = false;
    int parts = 0;
    auto receive = [&](const char* data, size_t n) {
      if (req.is_multipart_form_data() && parts != 1) return true;  // only the first part is the file
      bytes += n;
      if (bytes > o_.max_upload) {
        too_large = true;
        return false;
      }
      out.write(data, static_cast<std::streamsize>(n));
      EVP_DigestUpdate(md, data, n);
      return static_cast<bool>(out);
    };
    bool read_ok = true;
    if (req.is_multipart_form_data()) {
      read_ok = reader(
          [&](const httplib::MultipartFormData& part) {
            if (++parts == 1) name = part.filename.empty() ? part.name : part.filename;
            return true;
          },
          receive);
    } else {
      read_ok = reader(receive);
    }
    out.close();
    if (too_large || (!read_ok && declared > std::max(o_.max_body, o_.max_upload))) throw too_large_error();
    if (!out) throw Error(ErrorCategory::Io, "the server could not store the upload (disk full?)");
    if (!read_ok) throw input_error("the upload was cut off before its end, or its multipart form is damaged; send it again");
    if (req.is_multipart_form_data() && parts == 0)
      throw input_error("the multipart upload has no part: send the file as a part with a filename", "file");
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    std::string sha;
    for (unsigned int i = 0; i < len; ++i) sha += fmt::format("{:02x}", digest[i]);
    // the name keeps its extension (readers tell formats by it) and nothing that could leave the folder
    name = fs::path(name).filename().string();
    std::string clean;
    for (char ch : name)
      clean += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_') ? ch : '_';
    while (!clean.empty() && clean[0] == '.') clean.erase(0, 1);
    if (clean.empty())
      throw input_error("give the file's name: ?filename=NAME with a raw body, or the filename of a multipart part "
                        "(its extension tells the format)",
                        "filename");
    if (clean.size() > 200) clean = clean.substr(clean.size() - 200);
    // an unpacked zip is a folder named like the archive (its single top folder when it has one)
    std::string stored = clean;
    if (unpack && stored.size() > 4 && stored.substr(stored.size() - 4) == ".zip") stored.resize(stored.size() - 4);
    const std::string id = sha256_hex(sha + "/" + stored + (unpack ? "/unpacked" : "")).substr(0, 32);
    const fs::path dir = files_ / "uploads" / id;
    if (!fs::exists(dir, ec)) {
      if (unpack) {
        const fs::path into = tmp / "unpacked";
        unpack_zip(body, into, o_.max_upload * 4);
        fs::remove(body);
        std::vector<fs::path> top;
        for (const auto& e : fs::directory_iterator(into)) top.push_back(e.path());
        if (top.size() == 1 && fs::is_directory(top[0])) fs::rename(top[0], tmp / stored);
        else fs::rename(into, tmp / stored);
        fs::remove_all(into, ec);
      } else {
        fs::rename(body, tmp / stored);
      }
      fs::rename(tmp, dir, ec);  // fails when another request stored the same upload first: then it is there
      if (!ec) cleanup.dir.clear();
    }
    send_json(res, 201, {{"id", "upload:" + id}, {"filename", stored}, {"bytes", bytes}, {"sha256", sha},
                         {"unpacked", unpack}});
  }

  // A file of the web app, kept in memory while its size and modification time stay (the bundle is small and
  // read on every page load); large files are read each time.
  std::shared_ptr<const std::string> web_file(const fs::path& p) const {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || st.st_size > (8 << 20)) return std::make_shared<const std::string>(read_file(p));
    const std::string stamp = fmt::format("{}:{}.{}", static_cast<long long>(st.st_size),
                                          static_cast<long long>(st.st_mtim.tv_sec), static_cast<long long>(st.st_mtim.tv_nsec));
    {
      std::lock_guard<std::mutex> lock(web_m_);
      const auto it = web_cache_.find(p.string());
      if (it != web_cache_.end() && it->second.first == stamp) return it->second.second;
    }
    auto bytes = std::make_shared<const std::string>(read_file(p));
    std::lock_guard<std::mutex> lock(web_m_);
    if (web_cache_.size() > 4096) web_cache_.clear();
    web_cache_[p.string()] = {stamp, bytes};
    return bytes;
  }
  mutable std::mutex web_m_;
  mutable std::map<std::string, std::pair<std::string, std::shared_ptr<const std::string>>> web_cache_;

  void static_file(const httplib::Request& req, httplib::Response& res) const {
    std::error_code ec;
    if (!fs::is_directory(web_, ec)) {
      if (req.path == "/" || req.path == "/index.html") {
        res.set_content(
            "<!doctype html><meta charset=utf-8><title>panocarbon</title><p>The web app is not built: run "
            "<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code> (or give <code>--web DIR</code>). The "
            "API answers under <a href=\"/api/capabilities\">/api/</a>; see <a href=\"/api/openapi.json\">"
            "/api/openapi.json</a>.</p>\n",
            "text/html; charset=utf-8");
        return;
      }
      throw Error(ErrorCategory::NotFound, fmt::format("nothing at {} (the web app is not built)", req.path.substr(0, 200)));
    }
    auto p = safe_join(web_, req.path);
    if (!p)
      throw input_error(fmt::format("the path {} leaves the web app's folder", req.path.substr(0, 200)), "path");
    if (fs::is_directory(*p, ec)) *p /= "index.html";  // never a listing
    if (!fs::is_regular_file(*p, ec)) {
      // a page of the app's own routing (/country/CHN) gets the app; a missing asset stays missing
      const std::string last = fs::path(req.path).filename().string();
      if (last.find('.') == std::string::npos && fs::is_regular_file(web_ / "index.html", ec)) *p = web_ / "index.html";
      else throw Error(ErrorCategory::NotFound, fmt::format("nothing at {}", req.path.substr(0, 200)));
    }
    send_shared(res, web_file(*p), mime_of(*p));
    if (p->filename() == "index.html") res.set_header("Cache-Control", "no-cache");
  }

  std::shared_ptr<Job> job_at(const std::string& id) {
    std::lock_guard<std::mutex> lock(jobs_m_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end())
      throw Error(ErrorCategory::NotFound, fmt::format("no job '{}' on this server (jobs are kept while it runs)", id.substr(0, 64)));
    return it->second;
  }

  void job_worker() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(jobs_m_);
        jobs_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = queue_.front();
        queue_.pop_front();
      }
      {
        std::lock_guard<std::mutex> lock(job->m);
        if (job->status != "queued") continue;  // cancelled while queued
        job->status = "running";
      }
      ObserveProgress observing(job.get());
      std::string files_id;
      int64_t run_id = 0;
      try {
        if (job->cancel) throw Cancelled();
        const Result r = execute(job->call, files_id, run_id);
        nlohmann::json result = r.json(r);
        std::lock_guard<std::mutex> lock(job->m);
        job->status = "done";
        job->run_id = r.run_id;
        job->result = std::move(result);
        job->warnings = r.warnings;
        if (!files_id.empty()) job->files = file_urls(files_id);
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(job->m);
        job->status = job->cancel ? "cancelled" : "failed";
        job->run_id = run_id;
        job->error = error_json(e)["error"];
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(job->m);
        job->status = job->cancel ? "cancelled" : "failed";
        job->run_id = run_id;
        job->error = {{"category", "internal"}, {"message", fmt::format("internal error: {} (please report this)", e.what())}, {"field", nullptr}};
      }
    }
  }
};

}  // namespace

int serve(const Options& options) {
  Server s(options);
  return s.run();
}

}  // namespace panocarbon::server
