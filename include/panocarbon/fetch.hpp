// `panocarbon data fetch`: downloads a published dataset (EXIOBASE 3, OECD ICIO, WIOD, the Global Carbon
// Budget's national emissions) from its publisher's own address, as pymrio's downloaders do. The catalogue of
// addresses and citations is data (data/fetch_catalogue.json, compiled in); docs/data-fetch.md lists every
// address for fetching by hand. Downloads are resumable (a `.part` file continued with an HTTP Range request),
// checked against the publisher's checksum where there is one, and renamed to their final name only when
// complete and checked.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace panocarbon::fetch {

struct FetchOptions {
  std::string source;             // exiobase3, oecd-icio, wiod, gcb
  std::optional<int> year;        // required by exiobase3, oecd-icio and wiod; not taken by gcb
  std::filesystem::path dest;     // folder to write (created)
  std::string mirror;             // replaces the scheme and host of every address ("" = the publisher's)
  std::string system = "ixi";     // exiobase3: ixi, pxp or both
  std::string release;            // exiobase3: a release named in the catalogue (3.9.6) or a Zenodo record id
  int retries = 3;                // further tries of a broken transfer, each resuming where the last stopped
  bool dry_run = false;           // list what would be fetched; contact nothing, write nothing
  bool progress = false;          // progress bars on stderr
  std::optional<std::string> catalogue_json;  // a catalogue to use instead of the compiled-in one
  std::string catalogue_name;     // where catalogue_json came from (for messages)
};

struct FetchedFile {
  std::string file;      // name under dest
  std::string url;       // the address it came from (after --mirror)
  uint64_t bytes = 0;
  std::string md5;       // of the file as written (empty on a dry run)
  std::string expected_md5;     // the checksum it was checked against ("" = none given)
  std::string checksum_source;  // "publisher" (Zenodo's record), "catalogue", or "" (none)
  std::string status;    // downloaded, resumed, skipped (already complete), extracted, planned (dry run)
};

struct FetchReport {
  std::string source, title, publisher, citation, landing, licence;
  std::filesystem::path dest;
  std::vector<FetchedFile> files;
  std::string next;  // the command to run next
  std::vector<std::string> warnings;
};

// Sources of the catalogue in use (exiobase3, oecd-icio, wiod, gcb), for messages and the spec.
std::vector<std::string> catalogue_sources(const std::optional<std::string>& catalogue_json = std::nullopt);

// Fetches one dataset. Errors: InvalidInput (a year the source does not have, a bad --mirror), NotFound (HTTP
// 404/410), Data (checksum mismatch, a body that is not the archive it should be), Io (server down, a transfer
// that broke off after every retry, HTTP errors, a folder that cannot be written). Every message names the
// address and says what to do.
FetchReport fetch_dataset(const FetchOptions& options);

// `url` with its scheme and host (and port) replaced by `mirror` ("http://127.0.0.1:8000" or with a path
// prefix, "http://host/mirror"); the path and query are kept. Error{InvalidInput} on a mirror that is not an
// http(s) address.
std::string with_mirror(const std::string& url, const std::string& mirror);

// The hexadecimal MD5 of a file's bytes.
std::string md5_of_file(const std::filesystem::path& path);

}  // namespace panocarbon::fetch
