// HTTP for `data fetch` (libcurl): a resumable download of one file and a small GET into memory; and a POST of
// a JSON body for the chat's model endpoint (src/agents/model.cpp).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace panocarbon::fetch {

struct Download {
  std::string url;
  std::filesystem::path target;  // the final name; bytes go to target + ".part" until complete and checked
  std::string md5;               // expected checksum (hex, lower case), "" = none
  uint64_t size = 0;             // expected size in bytes, 0 = unknown
  bool expect_zip = false;       // the body must be a zip archive (.zip, .xlsx): an HTML page is refused
  std::string label;             // for the progress bar
  std::string origin = "the publisher";  // who gives md5 and size, for messages ("the catalogue")
};

enum class Outcome { Downloaded, Resumed, Skipped };

struct DownloadResult {
  Outcome outcome = Outcome::Downloaded;
  uint64_t bytes = 0;
  std::string md5;
  std::string note;  // a warning to show (a server that ignored Range, a stale file fetched again)
};

// Downloads `d.url` to `d.target`: skips a target that is already complete (its checksum or size agrees, or
// none is known), continues an existing `.part` with a Range request (a server that answers 200 instead of
// 206 restarts it from the first byte), retries a broken transfer `retries` more times (each resuming), then
// checks size, checksum and zip signature and renames the `.part` to the target. A checksum mismatch deletes
// the `.part`. Throws Error (NotFound for 404/410, Data for a mismatch or a wrong body, Io otherwise) naming
// the URL, the HTTP status and what to do.
DownloadResult download(const Download& d, int retries, bool progress);

// GET into memory (at most max_bytes): for a Zenodo record's JSON.
std::string get_text(const std::string& url, size_t max_bytes);

// The answer to a POST: any HTTP status (the caller judges it), the body (at most the max_bytes asked for)
// and its Content-Type.
struct PostResult {
  long status = 0;
  std::string body;
  std::string content_type;
};

// POSTs `body` (Content-Type: application/json) to `url` with the extra `headers` ("Authorization: Bearer ...").
// Throws Error{Io} naming the URL when no answer came (refused connection, name not resolved, more than
// timeout_s seconds) and Error{Data} when the answer is larger than max_bytes; never for an HTTP status.
PostResult post_json(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                     int timeout_s, size_t max_bytes);

// What every HTTP error says to do.
std::string by_hand_hint(const std::string& url);

}  // namespace panocarbon::fetch
