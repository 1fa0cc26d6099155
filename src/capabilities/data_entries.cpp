// Registry entries of published datasets: `data fetch` (docs/data-fetch.md).
#include <fmt/format.h>

#include <ostream>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/fetch.hpp"
#include "panocarbon/format.hpp"
#include "capabilities/entries.hpp"
#include "core/text.hpp"

namespace panocarbon::registry {

namespace {

nlohmann::json report_json(const fetch::FetchReport& r) {
  auto files = nlohmann::json::array();
  for (const auto& f : r.files)
    files.push_back({{"file", f.file}, {"url", f.url}, {"bytes", f.bytes}, {"md5", f.md5},
                     {"expected_md5", f.expected_md5}, {"checksum_source", f.checksum_source}, {"status", f.status}});
  return {{"source", r.source}, {"title", r.title},     {"publisher", r.publisher}, {"licence", r.licence},
          {"citation", r.citation}, {"landing", r.landing}, {"dest", r.dest.string()}, {"files", files},
          {"next", r.next}};
}

nlohmann::json report_schema() {
  const auto s = [] { return string_schema(); };
  return object_schema(
      {{"source", s()}, {"title", s()}, {"publisher", s()}, {"licence", s()}, {"citation", s()},
       {"landing", string_schema("the publisher's landing page or DOI")},
       {"dest", string_schema("the folder written")},
       {"files", array_of(object_schema(
                     {{"file", string_schema("name under dest")},
                      {"url", string_schema("the address fetched (after --mirror)")},
                      {"bytes", integer_schema("size in bytes (0 on a dry run where unknown)")},
                      {"md5", string_schema("MD5 of the file as written (empty on a dry run)")},
                      {"expected_md5", string_schema("the checksum it was checked against (empty: none given)")},
                      {"checksum_source", string_schema("publisher, catalogue, or empty")},
                      {"status", string_schema("downloaded, resumed, skipped (already complete), extracted, or "
                                               "planned (dry run)")}}))},
       {"next", string_schema("the command to run next")}});
}

}  // namespace

void add_data_entries(std::vector<Capability>& t) {
  t.push_back(
      {"data fetch", Domain::System,
       "Downloads a published dataset from its publisher's own address, as pymrio's downloaders do: exiobase3 (the "
       "EXIOBASE 3 Zenodo record, found through the Zenodo records API, which gives each file's MD5), oecd-icio (the "
       "OECD's 2023 ICIO bundle of the year, from which the year's CSV is extracted), wiod (the 2013 release's world "
       "input-output table of the year and the CO2 account, from the University of Groningen's www.wiod.org) and gcb "
       "(Global Carbon Budget 2019 national fossil CO2: territorial, consumption-based, transfers, in MtC). "
       "Resumable: a broken transfer leaves FILE.part, continued with an HTTP Range request by the next try or the "
       "next run (a server that ignores Range restarts it cleanly); checked against the publisher's MD5 where there "
       "is one (a mismatch deletes the download); complete files are skipped; a file gets its final name only when "
       "complete and checked. Prints the command to run next (mrio info, ledger build). --mirror replaces the "
       "publishers' scheme and host (a local mirror, a test server); --dry-run lists the addresses without "
       "contacting them. Errors name the address, the HTTP status and what to do (every address is in "
       "docs/data-fetch.md for fetching by hand).",
       report_schema(), {"gcb", "--dry-run"}, true, false, [](Context& ctx, const Params& p) {
         fetch::FetchOptions o;
         o.source = p.str("source");
         if (p.has("year")) o.year = static_cast<int>(p.integer("year"));
         o.dest = p.has("dest") ? std::filesystem::path(p.str("dest"))
                                : std::filesystem::path("panocarbon-data") / o.source;
         if (p.has("mirror")) o.mirror = p.str("mirror");
         o.system = p.str("system");
         if (p.has("release")) o.release = p.str("release");
         o.retries = static_cast<int>(p.integer("retries"));
         o.dry_run = p.flag("dry-run");
         o.progress = ctx.progress;
         if (p.has("catalogue")) {
           o.catalogue_json = ctx.text(p, "catalogue");
           o.catalogue_name = p.str("catalogue");
         }
         auto rep = std::make_shared<fetch::FetchReport>(fetch::fetch_dataset(o));
         for (const auto& f : rep->files)
           if (f.status != "planned") ctx.add_input({{"url", f.url}, {"file", (rep->dest / f.file).string()},
                                                     {"bytes", f.bytes}, {"md5", f.md5}, {"status", f.status}});
         Result r;
         r.summary = {{"source", rep->source}, {"files", rep->files.size()}, {"dest", rep->dest.string()},
                      {"dry_run", o.dry_run}};
         r.warnings = rep->warnings;
         r.json = [rep](const Result&) { return report_json(*rep); };
         r.csv = [rep](const Result&, std::ostream& out) {
           out << "file,status,bytes,md5,expected_md5,checksum_source,url\n";
           for (const auto& f : rep->files)
             out << fmt::format("{},{},{},{},{},{},{}\n", csv_field(f.file), f.status, f.bytes, f.md5, f.expected_md5,
                                f.checksum_source, csv_field(f.url));
         };
         r.table = [rep, dry = o.dry_run](const Result&, std::ostream& out) {
           out << rep->title << "\n" << rep->publisher << "; " << rep->licence << "\n";
           out << (dry ? "would fetch into " : "in ") << rep->dest.string() << ":\n";
           for (const auto& f : rep->files) {
             out << fmt::format("  {:<10} {:<34} {:>14}  {}\n", f.status, f.file,
                                f.bytes ? fmt::format("{} bytes", f.bytes) : std::string(), f.url);
             if (!f.expected_md5.empty())
               out << fmt::format("  {:<10} MD5 {} ({}){}\n", "", f.expected_md5, f.checksum_source,
                                  f.md5.empty() ? "" : (f.md5 == f.expected_md5 ? ": agrees" : ": DIFFERS"));
           }
           out << "cite: " << rep->citation << "\n";
           out << "next: " << rep->next << "\n";
         };
         return r;
       }});
}

}  // namespace panocarbon::registry
