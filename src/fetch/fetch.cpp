// `data fetch`: the catalogue (data/fetch_catalogue.json), the plan of each source, and the downloads.
#include "panocarbon/fetch.hpp"

#include <fmt/format.h>
#include <zip.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "panocarbon/error.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "fetch/http.hpp"

namespace fs = std::filesystem;

namespace panocarbon::fetch {

namespace {

constexpr size_t kMaxRecordBytes = size_t(32) << 20;  // a Zenodo record's JSON

nlohmann::json catalogue(const FetchOptions& o) {
  const bool own = o.catalogue_json.has_value();
  const std::string name = own ? o.catalogue_name : std::string("data/fetch_catalogue.json (compiled in)");
  try {
    auto j = nlohmann::json::parse(own ? std::string_view(*o.catalogue_json)
                                       : detail::embedded_file("fetch_catalogue.json"));
    if (!j.is_object() || !j.contains("sources") || !j["sources"].is_object())
      throw Error(own ? ErrorCategory::InvalidInput : ErrorCategory::Internal,
                  "a fetch catalogue is a JSON object with an object \"sources\" (see data/fetch_catalogue.json)",
                  ErrorContext{name, 0, 0, "sources"});
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw Error(own ? ErrorCategory::InvalidInput : ErrorCategory::Internal,
                fmt::format("is not valid JSON ({}); start from a copy of data/fetch_catalogue.json", e.what()),
                ErrorContext{name, 0, 0, "catalogue"});
  }
}

std::string text_of(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_string())
    throw Error(ErrorCategory::InvalidInput, fmt::format("needs a text field \"{}\"", key), ErrorContext{where, 0, 0, key});
  return j[key].get<std::string>();
}

std::string opt_text(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

std::string fill(std::string s, const FetchOptions& o, const fs::path& file = {}) {
  if (o.year) {
    s = replace_all(s, "{year}", std::to_string(*o.year));
    s = replace_all(s, "{yy}", fmt::format("{:02d}", *o.year % 100));
  }
  s = replace_all(s, "{dest}", o.dest.string());
  if (!file.empty()) s = replace_all(s, "{file}", file.string());
  return s;
}

// (No std::regex in this file: GCC 12 warns inside <regex> under the sanitizers, which stops that build.)
bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether `key` matches a catalogue pattern: "{year}" stands for four digits (put in *year), "{system}" for ixi
// or pxp, every other character for itself.
bool match_pattern(std::string_view pattern, std::string_view key, int* year) {
  size_t i = 0, k = 0;
  while (i < pattern.size()) {
    if (pattern.substr(i, 6) == "{year}") {
      if (k + 4 > key.size() || !std::all_of(key.begin() + static_cast<std::ptrdiff_t>(k),
                                             key.begin() + static_cast<std::ptrdiff_t>(k + 4), is_digit))
        return false;
      *year = std::stoi(std::string(key.substr(k, 4)));
      i += 6;
      k += 4;
    } else if (pattern.substr(i, 8) == "{system}") {
      const auto sys = key.substr(k, 3);
      if (sys != "ixi" && sys != "pxp") return false;
      i += 8;
      k += 3;
    } else {
      if (k >= key.size() || key[k] != pattern[i]) return false;
      ++i;
      ++k;
    }
  }
  return k == key.size();
}

// A file name from the catalogue or a publisher's record: a plain name, never a path.
std::string safe_name(const std::string& name, const std::string& where) {
  const bool ok = !name.empty() && name.size() <= 201 && is_alnum(name[0]) &&
                  std::all_of(name.begin(), name.end(),
                              [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
  if (!ok || name.find("..") != std::string::npos)
    throw Error(ErrorCategory::Data,
                fmt::format("the file name '{}' is not a plain file name (letters, digits, '.', '_', '-'); nothing "
                            "was written",
                            clip_input(name)),
                ErrorContext{where, 0, 0, "file"});
  return name;
}

bool zip_like(const std::string& name) {
  const auto l = to_lower(name);
  auto ends = [&](const char* e) { return l.size() >= std::strlen(e) && l.compare(l.size() - std::strlen(e), std::string::npos, e) == 0; };
  return ends(".zip") || ends(".xlsx");
}

std::pair<int, int> year_range(const nlohmann::json& src, const std::string& where) {
  if (!src.contains("years") || !src["years"].is_array() || src["years"].size() != 2 || !src["years"][0].is_number_integer() ||
      !src["years"][1].is_number_integer())
    throw Error(ErrorCategory::InvalidInput, "needs \"years\": [first, last]", ErrorContext{where, 0, 0, "years"});
  return {src["years"][0].get<int>(), src["years"][1].get<int>()};
}

Error bad_year(const FetchOptions& o, const std::string& have) {
  return Error(ErrorCategory::InvalidInput,
               fmt::format("{} has no year {}: it has {}; give one of them with --year", o.source, *o.year, have),
               ErrorContext{{}, 0, 0, "year"});
}

void need_year(const FetchOptions& o, const std::string& have) {
  if (!o.year)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} is published one year per file: give --year (it has {})", o.source, have),
                ErrorContext{{}, 0, 0, "year"});
}

struct Planned {
  Download d;
  std::string checksum_source;
};

std::string mirrored(const std::string& url, const FetchOptions& o) { return o.mirror.empty() ? url : with_mirror(url, o.mirror); }

// EXIOBASE 3 from its Zenodo record: the record's JSON lists every file with its size and MD5.
std::vector<Planned> plan_zenodo(const nlohmann::json& src, const FetchOptions& o, FetchReport& rep,
                                 const std::string& where) {
  std::string api;
  if (o.release.empty()) {
    api = text_of(src, "latest_api", where);
  } else {
    std::string record = o.release;
    if (src.contains("releases") && src["releases"].is_object() && src["releases"].contains(o.release))
      record = src["releases"][o.release].get<std::string>();
    const auto slash = record.rfind("zenodo.");
    if (slash != std::string::npos) record = record.substr(slash + 7);  // a DOI 10.5281/zenodo.N
    if (record.empty() || !std::all_of(record.begin(), record.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::vector<std::string> names;
      if (src.contains("releases") && src["releases"].is_object())
        for (auto it = src["releases"].begin(); it != src["releases"].end(); ++it) names.push_back(it.key());
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("--release '{}' is neither a release of the catalogue ({}) nor a Zenodo record id or DOI "
                              "(10.5281/zenodo.N)",
                              clip_input(o.release), fmt::join(names, ", ")),
                  ErrorContext{{}, 0, 0, "release"});
    }
    api = replace_all(text_of(src, "record_api", where), "{record}", record);
  }
  const std::string pattern = text_of(src, "file_pattern", where);
  std::vector<std::string> systems = o.system == "both" ? std::vector<std::string>{"ixi", "pxp"}
                                                        : std::vector<std::string>{o.system};
  std::vector<Planned> out;
  std::string api_url = mirrored(api, o);
  if (o.dry_run) {
    need_year(o, "the years its Zenodo record lists");
    for (const auto& sys : systems) {
      Planned p;
      p.d.url = api_url;  // the record that gives the file's address and MD5
      p.d.target = o.dest / replace_all(fill(pattern, o), "{system}", sys);
      p.checksum_source = "publisher";
      out.push_back(p);
    }
    return out;
  }
  // The latest version's record: InvenioRDM's /versions/latest address; when that is not found, the concept
  // record's own address (Zenodo redirects a concept record to its latest version).
  std::string body;
  const std::string fallback = o.release.empty() ? opt_text(src, "latest_api_fallback") : std::string();
  try {
    body = get_text(api_url, kMaxRecordBytes);
  } catch (const Error& e) {
    if (e.category() != ErrorCategory::NotFound || fallback.empty()) throw;
    api_url = mirrored(fallback, o);
    body = get_text(api_url, kMaxRecordBytes);
  }
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCategory::Data,
                fmt::format("the Zenodo record at {} is not JSON ({}); {}", api_url, e.what(), by_hand_hint(rep.landing)),
                ErrorContext{api_url, 0, 0, "url"});
  }
  // Zenodo's record JSON: "files" is a list of {key, size, checksum "md5:...", links {self}} (the InvenioRDM
  // form, {"entries": {key: {...}}}, is read too).
  std::vector<nlohmann::json> files;
  if (record.contains("files") && record["files"].is_array()) {
    for (const auto& f : record["files"]) files.push_back(f);
  } else if (record.contains("files") && record["files"].is_object() && record["files"].contains("entries") &&
             record["files"]["entries"].is_object()) {
    for (const auto& [k, f] : record["files"]["entries"].items()) {
      auto g = f;
      if (!g.contains("key")) g["key"] = k;
      files.push_back(g);
    }
  } else {
    throw Error(ErrorCategory::Data,
                fmt::format("the Zenodo record at {} lists no files (no \"files\"); {}", api_url, by_hand_hint(rep.landing)),
                ErrorContext{api_url, 0, 0, "files"});
  }
  if (record.contains("metadata") && record["metadata"].is_object()) {
    const auto v = opt_text(record["metadata"], "version");
    if (!v.empty()) rep.title += ", version " + v;
  }
  if (record.contains("doi") && record["doi"].is_string()) rep.landing = "https://doi.org/" + record["doi"].get<std::string>();
  // The years the record has, for messages.
  std::vector<int> years;
  for (const auto& f : files) {
    int y = 0;
    if (match_pattern(pattern, opt_text(f, "key"), &y)) years.push_back(y);
  }
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  const std::string have = years.empty() ? std::string("no IOT_YYYY files")
                                         : fmt::format("{}-{}", years.front(), years.back());
  need_year(o, have);
  if (!std::binary_search(years.begin(), years.end(), *o.year)) throw bad_year(o, have);
  for (const auto& sys : systems) {
    const std::string want = replace_all(fill(pattern, o), "{system}", sys);
    const nlohmann::json* hit = nullptr;
    for (const auto& f : files)
      if (opt_text(f, "key") == want) hit = &f;
    if (!hit)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("the Zenodo record at {} has no file {} (it has the years {}); try --system {}", api_url,
                              want, have, sys == "ixi" ? "pxp" : "ixi"),
                  ErrorContext{api_url, 0, 0, "system"});
    Planned p;
    p.d.target = o.dest / safe_name(want, api_url);
    std::string link;
    if (hit->contains("links") && (*hit)["links"].is_object()) {
      link = opt_text((*hit)["links"], "self");
      if (link.empty()) link = opt_text((*hit)["links"], "content");
    }
    if (link.empty())
      throw Error(ErrorCategory::Data, fmt::format("the Zenodo record at {} gives no link for {}", api_url, want),
                  ErrorContext{api_url, 0, 0, "links"});
    p.d.url = mirrored(link, o);
    p.d.origin = "the Zenodo record (" + api_url + ")";
    const std::string sum = opt_text(*hit, "checksum");
    if (sum.rfind("md5:", 0) == 0) {
      p.d.md5 = to_lower(sum.substr(4));
      p.checksum_source = "publisher";
    }
    if ((*hit).contains("size") && (*hit)["size"].is_number_unsigned()) p.d.size = (*hit)["size"].get<uint64_t>();
    p.d.expect_zip = true;
    out.push_back(p);
  }
  return out;
}

// Plain files (WIOD, GCB): their addresses are in the catalogue, with an MD5 where the catalogue gives one.
std::vector<Planned> plan_files(const nlohmann::json& src, const FetchOptions& o, const std::string& where) {
  if (src.contains("years")) {
    const auto [a, b] = year_range(src, where);
    const std::string have = fmt::format("{}-{}", a, b);
    need_year(o, have);
    if (*o.year < a || *o.year > b) throw bad_year(o, have);
  } else if (o.year) {
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} is one file set for every year; leave out --year", o.source), ErrorContext{{}, 0, 0, "year"});
  }
  if (!src.contains("files") || !src["files"].is_array() || src["files"].empty())
    throw Error(ErrorCategory::InvalidInput, "needs a non-empty list \"files\"", ErrorContext{where, 0, 0, "files"});
  std::vector<Planned> out;
  for (const auto& f : src["files"]) {
    Planned p;
    const std::string name = safe_name(fill(text_of(f, "file", where), o), where);
    p.d.target = o.dest / name;
    p.d.url = mirrored(fill(text_of(f, "url", where), o), o);
    p.d.md5 = to_lower(opt_text(f, "md5"));
    if (!p.d.md5.empty()) p.checksum_source = "catalogue";
    p.d.origin = "the catalogue (" + where + ")";
    if (f.contains("bytes") && f["bytes"].is_number_unsigned()) p.d.size = f["bytes"].get<uint64_t>();
    p.d.expect_zip = zip_like(name);
    out.push_back(p);
  }
  return out;
}

// OECD ICIO: one zip per bundle of years; the year's CSV is taken out of it.
std::vector<Planned> plan_bundles(const nlohmann::json& src, const FetchOptions& o, const std::string& where,
                                  std::string& csv_name) {
  if (!src.contains("bundles") || !src["bundles"].is_array() || src["bundles"].empty())
    throw Error(ErrorCategory::InvalidInput, "needs a list \"bundles\"", ErrorContext{where, 0, 0, "bundles"});
  int first = 1 << 30, last = -1;
  const nlohmann::json* hit = nullptr;
  for (const auto& b : src["bundles"]) {
    const auto [a, z] = year_range(b, where);
    first = std::min(first, a);
    last = std::max(last, z);
    if (o.year && *o.year >= a && *o.year <= z) hit = &b;
  }
  const std::string have = fmt::format("{}-{}", first, last);
  need_year(o, have);
  if (!hit) throw bad_year(o, have);
  csv_name = safe_name(fill(text_of(src, "extract_as", where), o), where);
  Planned p;
  const std::string name = safe_name(text_of(*hit, "file", where), where);
  p.d.target = o.dest / name;
  p.d.url = mirrored(text_of(*hit, "url", where), o);
  p.d.md5 = to_lower(opt_text(*hit, "md5"));
  if (!p.d.md5.empty()) p.checksum_source = "catalogue";
  p.d.origin = "the catalogue (" + where + ")";
  p.d.expect_zip = true;
  return {p};
}

// Takes the year's table out of an OECD bundle: the member named YEAR.csv, YEAR_SML.csv or ICIOxxxx_YEAR.csv
// (in any folder of the zip), written to `target` through a .part file.
void extract_year(const fs::path& zip_path, int year, const fs::path& target, const std::string& url) {
  int err = 0;
  std::unique_ptr<zip_t, void (*)(zip_t*)> z(zip_open(zip_path.c_str(), ZIP_RDONLY, &err), zip_discard);
  if (!z)
    throw Error(ErrorCategory::Data,
                fmt::format("is not a readable zip archive (libzip error {}): delete it and run the same command again, "
                            "or {}",
                            err, by_hand_hint(url)),
                ErrorContext{zip_path.string()});
  // The year's member, case aside: [ICIOdddd_]YEAR[_SML].csv
  const auto wanted = [&](std::string b) {
    std::transform(b.begin(), b.end(), b.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    if (b.size() > 9 && b.compare(0, 4, "icio") == 0 && std::all_of(b.begin() + 4, b.begin() + 8, is_digit) && b[8] == '_')
      b = b.substr(9);
    const std::string y = std::to_string(year);
    return b == y + ".csv" || b == y + "_sml.csv";
  };
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  zip_int64_t found = -1;
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* nm = zip_get_name(z.get(), static_cast<zip_uint64_t>(i), 0);
    if (!nm) continue;
    std::string s(nm);
    if (names.size() < 12) names.push_back(s);
    const auto base = s.substr(s.find_last_of('/') == std::string::npos ? 0 : s.find_last_of('/') + 1);
    if (wanted(base)) found = i;
  }
  if (found < 0)
    throw Error(ErrorCategory::Data,
                fmt::format("has no table of {} (expected a member {}.csv or {}_SML.csv; it has: {}); {}", year, year,
                            year, fmt::join(names, ", "), by_hand_hint(url)),
                ErrorContext{zip_path.string()});
  std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z.get(), static_cast<zip_uint64_t>(found), 0), zip_fclose);
  if (!f) throw Error(ErrorCategory::Data, "cannot open the year's member of the zip", ErrorContext{zip_path.string()});
  const fs::path part = target.string() + ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCategory::Io, "cannot write the extracted table", ErrorContext{part.string(), 0, 0, "dest"});
    std::vector<char> buf(1 << 20);
    for (;;) {
      const zip_int64_t got = zip_fread(f.get(), buf.data(), buf.size());
      if (got < 0) {
        out.close();
        std::error_code ec;
        fs::remove(part, ec);
        throw Error(ErrorCategory::Data, "the zip member is damaged (its data does not inflate); delete the zip and fetch "
                                         "it again",
                    ErrorContext{zip_path.string()});
      }
      if (got == 0) break;
      out.write(buf.data(), got);
    }
    if (!out.flush()) {
      std::error_code ec;
      fs::remove(part, ec);
      throw Error(ErrorCategory::Io, "writing the extracted table failed (disk full?)", ErrorContext{part.string(), 0, 0, "dest"});
    }
  }
  std::error_code ec;
  fs::rename(part, target, ec);
  if (ec) throw Error(ErrorCategory::Io, "cannot rename the extracted table: " + ec.message(), ErrorContext{target.string()});
}

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Downloaded: return "downloaded";
    case Outcome::Resumed: return "resumed";
    case Outcome::Skipped: return "skipped";
  }
  return "";
}

}  // namespace

std::string with_mirror(const std::string& url, const std::string& mirror) {
  const auto bad = [&](const char* why) {
    return Error(ErrorCategory::InvalidInput,
                 fmt::format("--mirror '{}' {}: give an http:// or https:// address such as http://127.0.0.1:8000 "
                             "(its path, if any, is put before the publisher's path)",
                             clip_input(mirror), why),
                 ErrorContext{{}, 0, 0, "mirror"});
  };
  const auto scheme = mirror.find("://");
  if (scheme == std::string::npos) throw bad("has no scheme");
  const std::string s = to_lower(mirror.substr(0, scheme));
  if (s != "http" && s != "https") throw bad("is not http or https");
  const std::string rest = mirror.substr(scheme + 3);
  if (rest.empty() || rest[0] == '/') throw bad("has no host");
  if (mirror.find_first_of(" \t\r\n?#") != std::string::npos) throw bad("has a space, '?' or '#'");
  std::string base = mirror;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const auto u = url.find("://");
  const auto path_at = u == std::string::npos ? std::string::npos : url.find('/', u + 3);
  const std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  return base + path;
}

std::vector<std::string> catalogue_sources(const std::optional<std::string>& catalogue_json) {
  FetchOptions o;
  o.catalogue_json = catalogue_json;
  o.catalogue_name = "catalogue";
  const auto cat = catalogue(o);  // held: a loop over a temporary's member would read freed memory
  std::vector<std::string> out;
  for (const auto& [k, v] : cat["sources"].items()) out.push_back(k);
  return out;
}

FetchReport fetch_dataset(const FetchOptions& o) {
  const auto cat = catalogue(o);
  const std::string cat_name = o.catalogue_json ? o.catalogue_name : std::string("data/fetch_catalogue.json");
  if (!cat["sources"].contains(o.source)) {
    std::vector<std::string> names;
    for (const auto& [k, v] : cat["sources"].items()) names.push_back(k);
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("no source '{}' in the catalogue: it has {}", clip_input(o.source), fmt::join(names, ", ")),
                ErrorContext{{}, 0, 0, "source"});
  }
  if (!o.mirror.empty()) (void)with_mirror("http://x/", o.mirror);  // reject a bad mirror before anything else
  {
    // --dest is a folder (created when missing): anything else there is refused before any transfer.
    std::error_code ec;
    const auto st = fs::status(o.dest, ec);
    if ((ec && ec != std::errc::no_such_file_or_directory) || (fs::exists(st) && !fs::is_directory(st)))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("is not a folder{}: give --dest a folder (it is created when missing)",
                              ec ? " (" + ec.message() + ")" : std::string()),
                  ErrorContext{o.dest.string(), 0, 0, "dest"});
  }
  const auto& src = cat["sources"][o.source];
  const std::string where = cat_name + ": sources." + o.source;
  FetchReport rep;
  rep.source = o.source;
  rep.title = opt_text(src, "title");
  rep.publisher = opt_text(src, "publisher");
  rep.citation = opt_text(src, "citation");
  rep.landing = opt_text(src, "landing");
  rep.licence = opt_text(src, "licence");
  rep.dest = o.dest;
  const std::string kind = text_of(src, "kind", where);
  std::vector<Planned> plan;
  std::string csv_name;
  if (kind == "zenodo")
    plan = plan_zenodo(src, o, rep, where);
  else if (kind == "files")
    plan = plan_files(src, o, where);
  else if (kind == "bundles")
    plan = plan_bundles(src, o, where, csv_name);
  else
    throw Error(ErrorCategory::InvalidInput, fmt::format("kind '{}' is not zenodo, files or bundles", clip_input(kind)),
                ErrorContext{where, 0, 0, "kind"});

  fs::path next_file = plan.empty() ? fs::path() : plan.front().d.target;
  if (!csv_name.empty()) next_file = o.dest / csv_name;
  if (o.dry_run) {
    for (const auto& p : plan)
      rep.files.push_back({p.d.target.filename().string(), p.d.url, p.d.size, "", p.d.md5, p.checksum_source, "planned"});
    if (!csv_name.empty()) rep.files.push_back({csv_name, plan.front().d.target.filename().string(), 0, "", "", "", "planned"});
    rep.next = fill(opt_text(src, "next"), o, next_file);
    return rep;
  }
  std::error_code ec;
  fs::create_directories(o.dest, ec);
  if (ec || !fs::is_directory(o.dest, ec))
    throw Error(ErrorCategory::Io, fmt::format("cannot create the destination folder ({}); give another --dest", ec.message()),
                ErrorContext{o.dest.string(), 0, 0, "dest"});
  // The OECD year's table is there already: nothing to fetch.
  if (!csv_name.empty() && fs::is_regular_file(o.dest / csv_name, ec)) {
    const auto p = o.dest / csv_name;
    rep.files.push_back({csv_name, plan.front().d.url, static_cast<uint64_t>(fs::file_size(p)), md5_of_file(p), "", "", "skipped"});
    rep.next = fill(opt_text(src, "next"), o, next_file);
    return rep;
  }
  const size_t count = plan.size();
  size_t i = 0;
  for (auto& p : plan) {
    ++i;
    p.d.label = count > 1 ? fmt::format("[{}/{}] {}", i, count, p.d.target.filename().string())
                          : p.d.target.filename().string();
    const auto r = download(p.d, o.retries, o.progress);
    if (!r.note.empty()) rep.warnings.push_back(r.note);
    rep.files.push_back({p.d.target.filename().string(), p.d.url, r.bytes, r.md5, p.d.md5, p.checksum_source,
                         outcome_name(r.outcome)});
  }
  if (!csv_name.empty()) {
    const auto target = o.dest / csv_name;
    extract_year(plan.front().d.target, *o.year, target, plan.front().d.url);
    rep.files.push_back({csv_name, plan.front().d.target.filename().string(), static_cast<uint64_t>(fs::file_size(target)),
                         md5_of_file(target), "", "", "extracted"});
  }
  rep.next = fill(opt_text(src, "next"), o, next_file);
  return rep;
}

}  // namespace panocarbon::fetch
