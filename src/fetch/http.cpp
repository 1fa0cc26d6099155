#include "fetch/http.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <vector>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "panocarbon/error.hpp"
#include "panocarbon/fetch.hpp"
#include "core/progress.hpp"
#include "core/text.hpp"

namespace fs = std::filesystem;

namespace panocarbon::fetch {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string user_agent() { return std::string("panocarbon/") + PANOCARBON_VERSION + " (data fetch; libcurl)"; }

using CurlPtr = std::unique_ptr<CURL, void (*)(CURL*)>;

CurlPtr easy(const std::string& url, char* errbuf) {
  global_init();
  CurlPtr c(curl_easy_init(), curl_easy_cleanup);
  if (!c) throw Error(ErrorCategory::Internal, "libcurl could not start a transfer (curl_easy_init)");
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, user_agent().c_str());
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  // A transfer that delivers under 1 byte/s for 60 s is broken off (and resumed on the next try).
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
  errbuf[0] = '\0';
  return c;
}

std::string curl_message(CURLcode rc, const char* errbuf) {
  return errbuf && errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
}

std::string reason(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string status_text(long status) {
  const auto r = reason(status);
  return r.empty() ? fmt::format("HTTP {}", status) : fmt::format("HTTP {} ({})", status, r);
}

Error http_error(const std::string& url, long status) {
  const auto cat = (status == 404 || status == 410) ? ErrorCategory::NotFound : ErrorCategory::Io;
  std::string why;
  if (status == 404 || status == 410)
    why = "the publisher does not have this file (any more) at this address";
  else if (status == 401 || status == 403)
    why = "the publisher refuses the download (it may ask for a registration, a licence acceptance or a browser)";
  else if (status >= 500 || status == 429)
    why = "the server failed or is busy: try again later";
  else
    why = "the server refused the request";
  return Error(cat, fmt::format("GET {} answered {}: {}; {}", url, status_text(status), why, by_hand_hint(url)),
               ErrorContext{url, 0, 0, "url"});
}

bool transient(CURLcode rc) {
  switch (rc) {
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_COULDNT_CONNECT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR: return true;
    default: return false;
  }
}

uint64_t size_of(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

// One request's state, shared with the callbacks.
struct Transfer {
  CURL* curl = nullptr;
  fs::path part;
  uint64_t offset = 0;   // bytes in .part when the request was sent (the Range start)
  uint64_t written = 0;  // bytes this request wrote
  long status = 0;
  bool decided = false;
  bool restarted = false;       // the server ignored Range: .part was started again from byte 0
  bool range_mismatch = false;  // a 206 that does not start where asked
  long long range_start = -1;   // from Content-Range
  uint64_t total = 0;           // the whole file's size, when the server says it
  uint64_t content_length = 0;
  std::FILE* f = nullptr;
  std::string io_error;
  std::string error_body;
  Progress* progress = nullptr;
  std::exception_ptr stopped;  // thrown by the progress observer (cancellation), rethrown after the transfer
  ~Transfer() {
    if (f) std::fclose(f);
  }
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect): forget the last one's headers
    t->range_start = -1;
    t->total = 0;
    t->content_length = 0;
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string::npos) return len;
  const std::string name = to_lower(line.substr(0, colon));
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  if (name == "content-range") {
    // bytes START-END/TOTAL, or bytes */TOTAL (with 416)
    unsigned long long a = 0, b = 0, tot = 0;
    if (std::sscanf(value.c_str(), "bytes %llu-%llu/%llu", &a, &b, &tot) == 3) {
      t->range_start = static_cast<long long>(a);
      t->total = tot;
    } else if (std::sscanf(value.c_str(), "bytes */%llu", &tot) == 1) {
      t->total = tot;
    }
  } else if (name == "content-length") {
    t->content_length = std::strtoull(value.c_str(), nullptr, 10);
  }
  return len;
}

bool open_part(Transfer* t, bool append) {
  t->f = std::fopen(t->part.c_str(), append ? "ab" : "wb");
  if (!t->f) {
    t->io_error = fmt::format("cannot write {}: {}", t->part.string(), std::strerror(errno));
    return false;
  }
  return true;
}

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (!t->decided) {
    t->decided = true;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &t->status);
    if (t->status == 206 && t->offset > 0) {
      if (t->range_start != static_cast<long long>(t->offset)) {
        t->range_mismatch = true;
        return 0;  // abort: the part does not continue where ours stops
      }
      if (!open_part(t, true)) return 0;
    } else if (t->status == 200 || t->status == 206) {
      if (t->offset > 0) t->restarted = true;  // Range ignored: start again from the first byte
      t->offset = 0;
      if (t->status == 200 && t->content_length) t->total = t->content_length;
      if (!open_part(t, false)) return 0;
    }
    if (t->progress && t->total) t->progress->set_total(t->total);
  }
  if (!t->f) {  // an error answer: keep a little of it for the message, write nothing
    if (t->error_body.size() < 300) t->error_body.append(data, std::min<size_t>(len, 300 - t->error_body.size()));
    return len;
  }
  if (std::fwrite(data, 1, len, t->f) != len) {
    t->io_error = fmt::format("cannot write {}: {}", t->part.string(), std::strerror(errno));
    return 0;
  }
  t->written += len;
  if (t->progress) {
    // update() throws Cancelled when a front end's job is cancelled: no exception may cross libcurl's C frames,
    // so it is kept and rethrown after curl_easy_perform (the .part stays, for the next run to resume).
    try {
      t->progress->update(t->offset + t->written);
    } catch (...) {
      t->stopped = std::current_exception();
      return 0;
    }
  }
  return len;
}

bool is_zip(const fs::path& p) {
  int err = 0;
  zip_t* z = zip_open(p.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!z) return false;
  zip_discard(z);
  return true;
}

std::string first_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string s(64, '\0');
  in.read(s.data(), 64);
  s.resize(static_cast<size_t>(in.gcount()));
  for (auto& ch : s)
    if (static_cast<unsigned char>(ch) < 32 || static_cast<unsigned char>(ch) > 126) ch = ' ';
  return s;
}

// The .part file held with an exclusive lock (flock) for the whole download, so that two processes fetching
// the same file into the same folder never write into one .part: the second is refused at once. The lock is on
// the file the name .part names now (re-opened when a rename or removal got in between).
class PartLock {
 public:
  explicit PartLock(const fs::path& part) : part_(part) {
    for (int i = 0; i < 10; ++i) {
      fd_ = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd_ < 0)
        throw Error(ErrorCategory::Io, fmt::format("cannot create the partial file: {}", std::strerror(errno)),
                    ErrorContext{part.string(), 0, 0, "dest"});
      if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        if (e == EWOULDBLOCK)
          throw Error(ErrorCategory::Io,
                      "another process is downloading this file into the same folder now (it holds the lock on "
                      "this .part): wait until it has finished, then run the command again",
                      ErrorContext{part.string(), 0, 0, "dest"});
        throw Error(ErrorCategory::Io, fmt::format("cannot lock the partial file: {}", std::strerror(e)),
                    ErrorContext{part.string(), 0, 0, "dest"});
      }
      struct stat a {}, b {};
      if (::fstat(fd_, &a) == 0 && ::stat(part.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) return;
      ::close(fd_);  // renamed or removed while we waited: lock the file the name names now
      fd_ = -1;
    }
    throw Error(ErrorCategory::Io, "the partial file keeps changing under another process: try again",
                ErrorContext{part.string(), 0, 0, "dest"});
  }
  ~PartLock() {
    // A .part with nothing in it (this run wrote nothing: an error before the first byte) is not left behind.
    if (!released_) {
      std::error_code ec;
      if (fs::is_regular_file(part_, ec) && size_of(part_) == 0) fs::remove(part_, ec);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  void released() { released_ = true; }  // renamed to its final name or deleted on purpose
  PartLock(const PartLock&) = delete;
  PartLock& operator=(const PartLock&) = delete;

 private:
  fs::path part_;
  int fd_ = -1;
  bool released_ = false;
};

}  // namespace

std::string by_hand_hint(const std::string& url) {
  return fmt::format("fetch it by hand from {} (every address is listed in docs/data-fetch.md) into the --dest "
                     "folder, or give --mirror with a mirror that has it",
                     url);
}

std::string md5_of_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCategory::Io, "cannot read the file to check its MD5", ErrorContext{path.string()});
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1)
    throw Error(ErrorCategory::Internal, "OpenSSL could not start an MD5 digest");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = in.gcount();
    if (got > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(got));
  }
  if (in.bad()) throw Error(ErrorCategory::Io, "reading failed while checking its MD5", ErrorContext{path.string()});
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

namespace {
// A response body collected in memory, at most `max` bytes (more: too_big, and the transfer stops).
struct MemorySink {
  std::string body;
  size_t max;
  bool too_big = false;
  void attach(CURL* c) {
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* u) -> size_t {
      auto* k = static_cast<MemorySink*>(u);
      if (k->body.size() + s * n > k->max) {
        k->too_big = true;
        return 0;
      }
      k->body.append(d, s * n);
      return s * n;
    });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
  }
};
}  // namespace

std::string get_text(const std::string& url, size_t max_bytes) {
  char errbuf[CURL_ERROR_SIZE];
  auto c = easy(url, errbuf);
  MemorySink sink{{}, max_bytes};
  sink.attach(c.get());
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_TIME, 30L);
  const CURLcode rc = curl_easy_perform(c.get());
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (sink.too_big)
    throw Error(ErrorCategory::Data, fmt::format("GET {} answered more than {} MB: not the record expected; {}", url,
                                                 max_bytes >> 20, by_hand_hint(url)),
                ErrorContext{url, 0, 0, "url"});
  if (rc != CURLE_OK && status < 400)
    throw Error(ErrorCategory::Io, fmt::format("GET {} failed: {}. Check the connection (or the --mirror address) and "
                                               "run the same command again, or {}",
                                               url, curl_message(rc, errbuf), by_hand_hint(url)),
                ErrorContext{url, 0, 0, "url"});
  if (status != 200) throw http_error(url, status);
  return sink.body;
}

PostResult post_json(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                     int timeout_s, size_t max_bytes) {
  char errbuf[CURL_ERROR_SIZE];
  auto c = easy(url, errbuf);
  MemorySink sink{{}, max_bytes};
  sink.attach(c.get());
  const std::string agent = std::string("panocarbon/") + PANOCARBON_VERSION + " (chat; libcurl)";
  curl_easy_setopt(c.get(), CURLOPT_USERAGENT, agent.c_str());
  // A POST is not repeated on a redirect (libcurl would turn it into a GET after 301/302).
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT, static_cast<long>(std::max(1, timeout_s)));
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::clamp(timeout_s, 1, 30)));
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_LIMIT, 0L);
  curl_slist* list = nullptr;
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Accept: application/json, text/event-stream");
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> hold(list, curl_slist_free_all);
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, list);
  const CURLcode rc = curl_easy_perform(c.get());
  PostResult out;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &out.status);
  if (sink.too_big)
    throw Error(ErrorCategory::Data, fmt::format("POST {} answered more than {} MB", url, max_bytes >> 20),
                ErrorContext{url, 0, 0, "url"});
  if (rc != CURLE_OK) {
    const std::string why = rc == CURLE_OPERATION_TIMEDOUT
                                ? fmt::format("no complete answer within {} s", timeout_s)
                                : curl_message(rc, errbuf);
    throw Error(ErrorCategory::Io, fmt::format("POST {} failed: {}", url, why), ErrorContext{url, 0, 0, "url"});
  }
  char* ct = nullptr;
  if (curl_easy_getinfo(c.get(), CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) out.content_type = ct;
  out.body = std::move(sink.body);
  return out;
}

DownloadResult download(const Download& d, int retries, bool progress) {
  DownloadResult out;
  const fs::path part = d.target.string() + ".part";
  std::error_code ec;
  fs::create_directories(d.target.parent_path(), ec);
  if (ec)
    throw Error(ErrorCategory::Io, fmt::format("cannot create the folder: {}", ec.message()),
                ErrorContext{d.target.parent_path().string(), 0, 0, "dest"});

  // Already complete?
  if (fs::is_regular_file(d.target, ec)) {
    const uint64_t have = size_of(d.target);
    const std::string md5 = d.md5.empty() ? std::string() : md5_of_file(d.target);
    const bool size_ok = d.size == 0 || have == d.size;
    const bool md5_ok = d.md5.empty() || md5 == d.md5;
    if (size_ok && md5_ok) {
      out.outcome = Outcome::Skipped;
      out.bytes = have;
      out.md5 = md5.empty() ? md5_of_file(d.target) : md5;
      return out;
    }
    out.note = fmt::format("{} is there but its {} does not agree with {} ({}): fetching it again",
                           d.target.filename().string(), md5_ok ? "size" : "MD5", d.origin,
                           md5_ok ? fmt::format("{} bytes, not {}", have, d.size) : fmt::format("{}, not {}", md5, d.md5));
  }

  PartLock lock(part);
  if (out.note.empty() && fs::is_regular_file(d.target, ec)) {
    // Another process finished it while we waited for the lock.
    const uint64_t have = size_of(d.target);
    const std::string md5 = md5_of_file(d.target);
    if ((d.size == 0 || have == d.size) && (d.md5.empty() || md5 == d.md5)) {
      out.outcome = Outcome::Skipped;
      out.bytes = have;
      out.md5 = md5;
      return out;
    }
  }
  Progress bar(d.label.empty() ? d.target.filename().string() : d.label, d.size, progress);
  bool resumed_any = false;
  std::string last_failure;
  for (int attempt = 0; attempt <= retries; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1000 << std::min(attempt - 1, 4), 15000)));
    char errbuf[CURL_ERROR_SIZE];
    auto c = easy(d.url, errbuf);
    std::string range;
    Transfer t;
    t.curl = c.get();
    t.part = part;
    t.offset = fs::is_regular_file(part, ec) ? size_of(part) : 0;
    t.progress = &bar;
    if (t.offset > 0) {
      // CURLOPT_RANGE rather than RESUME_FROM: libcurl leaves a 200 answer (Range ignored) to us.
      range = fmt::format("{}-", t.offset);
      curl_easy_setopt(c.get(), CURLOPT_RANGE, range.c_str());
    }
    curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &t);
    const CURLcode rc = curl_easy_perform(c.get());
    if (t.f) {
      if (std::fclose(t.f) != 0 && t.io_error.empty())
        t.io_error = fmt::format("cannot write {}: {}", part.string(), std::strerror(errno));
      t.f = nullptr;
    }
    if (t.stopped) std::rethrow_exception(t.stopped);
    long status = t.status;
    if (!t.decided) curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
    // Resumed: bytes of an earlier try or run were kept and continued (not when the server restarted them).
    if (t.offset > 0 && ((t.decided && status == 206) || status == 416)) resumed_any = true;
    if (!t.io_error.empty())
      throw Error(ErrorCategory::Io, t.io_error + " (is the disk full, or the folder read-only?)",
                  ErrorContext{part.string(), 0, 0, "dest"});
    if (t.restarted)
      out.note = fmt::format("{} ignored the Range request (it answered 200, not 206): the partial file was started "
                             "again from the first byte",
                             d.url);
    if (t.range_mismatch) {  // a part that does not continue ours: start again
      fs::resize_file(part, 0, ec);
      last_failure = fmt::format("the server answered a range starting at byte {}, not {}", t.range_start, t.offset);
      continue;
    }
    if (rc == CURLE_OK && status == 416) {
      // Nothing left to send: the part may be whole already; else it is longer than the file: start again.
      const uint64_t have = size_of(part);
      if (!((d.size && have == d.size) || (t.total && have == t.total))) {
        fs::resize_file(part, 0, ec);
        last_failure = "the server refused the range of the partial file (416): it was deleted";
        continue;
      }
    } else if (rc == CURLE_OK && (status == 200 || status == 206)) {
      if (!t.decided) {  // an empty body
        std::FILE* f = std::fopen(part.c_str(), "wb");
        if (f) std::fclose(f);
      }
      if (t.total && size_of(part) != t.total) {
        last_failure = fmt::format("the transfer ended after {} of {} bytes", size_of(part), t.total);
        continue;
      }
    } else if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && status >= 300)) {
      throw http_error(d.url, status);
    } else if (transient(rc)) {
      last_failure = curl_message(rc, errbuf);
      continue;
    } else {
      throw Error(ErrorCategory::Io,
                  fmt::format("GET {} failed: {}. Check the address (or --mirror) and the connection, then run the "
                              "same command again, or {}",
                              d.url, curl_message(rc, errbuf), by_hand_hint(d.url)),
                  ErrorContext{d.url, 0, 0, "url"});
    }

    // Complete: check and rename.
    const uint64_t have = size_of(part);
    const std::string md5 = md5_of_file(part);
    if (!d.md5.empty() && md5 != d.md5) {
      lock.released();
      fs::remove(part, ec);
      throw Error(ErrorCategory::Data,
                  fmt::format("checksum mismatch for {}: MD5 {} ({} bytes) where {} gives {}{}; the download was "
                              "deleted ({} removed). Run the same command again; if it fails again, {}",
                              d.url, md5, have, d.origin, d.md5, d.size ? fmt::format(" ({} bytes)", d.size) : "",
                              part.filename().string(), by_hand_hint(d.url)),
                  ErrorContext{d.url, 0, 0, "md5"});
    }
    if (d.size && have != d.size) {
      lock.released();
      fs::remove(part, ec);
      throw Error(ErrorCategory::Data,
                  fmt::format("GET {} delivered {} bytes where {} lists {}: the partial file was deleted; run the "
                              "same command again, or {}",
                              d.url, have, d.origin, d.size, by_hand_hint(d.url)),
                  ErrorContext{d.url, 0, 0, "url"});
    }
    if (d.expect_zip && !is_zip(part)) {
      const std::string head = first_bytes(part);
      lock.released();
      fs::remove(part, ec);
      throw Error(ErrorCategory::Data,
                  fmt::format("GET {} did not deliver a readable zip archive (it starts with \"{}\": a web page, "
                              "perhaps a login or licence page, or a damaged file); nothing was kept; {}",
                              d.url, clip_input(head, 64), by_hand_hint(d.url)),
                  ErrorContext{d.url, 0, 0, "url"});
    }
    fs::rename(part, d.target, ec);
    if (!ec) lock.released();
    if (ec)
      throw Error(ErrorCategory::Io, fmt::format("cannot rename {} to its final name: {}", part.string(), ec.message()),
                  ErrorContext{d.target.string(), 0, 0, "dest"});
    bar.finish();
    out.outcome = resumed_any ? Outcome::Resumed : Outcome::Downloaded;
    out.bytes = have;
    out.md5 = md5;
    return out;
  }
  const uint64_t kept = size_of(part);
  throw Error(ErrorCategory::Io,
              fmt::format("GET {} broke off after {} tries ({}); {} bytes are kept in {}: run the same command again "
                          "to resume from there, or {}",
                          d.url, retries + 1, last_failure, kept, part.string(), by_hand_hint(d.url)),
              ErrorContext{d.url, 0, 0, "url"});
}

}  // namespace panocarbon::fetch
