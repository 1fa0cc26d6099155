// Unit tests of `data fetch` that need no server: --mirror, the compiled-in catalogue, the plans of a dry run,
// the MD5 of a file. The transfers themselves are tested end to end against a loopback server
// (tests/fetch/test_fetch.py, ctest fetch_e2e).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "panocarbon/error.hpp"
#include "panocarbon/fetch.hpp"
#include "core/embedded.hpp"

namespace fs = std::filesystem;
using namespace panocarbon;

namespace {
ErrorCategory category_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.category();
  }
  return ErrorCategory::Internal;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(FetchMirror, ReplacesSchemeAndHostAndKeepsPathAndQuery) {
  EXPECT_EQ(fetch::with_mirror("https://zenodo.org/api/records/3583070/versions/latest", "http://127.0.0.1:8000"),
            "http://127.0.0.1:8000/api/records/3583070/versions/latest");
  EXPECT_EQ(fetch::with_mirror("http://stats.oecd.org/wbos/fileview2.aspx?IDFile=d26ad811-5b58", "http://m.example/pub/"),
            "http://m.example/pub/wbos/fileview2.aspx?IDFile=d26ad811-5b58");
  EXPECT_EQ(fetch::with_mirror("http://www.wiod.org:8080/protected3/x.zip", "https://mirror.example//"),
            "https://mirror.example/protected3/x.zip");
  EXPECT_EQ(fetch::with_mirror("https://host.example", "http://127.0.0.1:1"), "http://127.0.0.1:1/");
}

TEST(FetchMirror, RefusesWhatIsNotAnHttpAddress) {
  for (const char* bad : {"127.0.0.1:8000", "ftp://127.0.0.1/", "file:///etc", "http://", "http:///x",
                          "http://host/a b", "http://host/?q"}) {
    EXPECT_EQ(category_of([&] { fetch::with_mirror("https://zenodo.org/x", bad); }), ErrorCategory::InvalidInput) << bad;
    EXPECT_NE(message_of([&] { fetch::with_mirror("https://zenodo.org/x", bad); }).find("field 'mirror'"),
              std::string::npos)
        << bad;
  }
}

TEST(FetchCatalogue, HasTheFourSourcesWithCitationsAndThePublishersAddresses) {
  const auto cat = nlohmann::json::parse(detail::embedded_file("fetch_catalogue.json"));
  EXPECT_EQ(fetch::catalogue_sources(), (std::vector<std::string>{"exiobase3", "gcb", "oecd-icio", "wiod"}));
  for (const auto& [name, src] : cat["sources"].items()) {
    EXPECT_GT(src.value("citation", "").size(), 40u) << name;
    EXPECT_FALSE(src.value("landing", "").empty()) << name;
    EXPECT_FALSE(src.value("next", "").empty()) << name;
  }
  const auto& ex = cat["sources"]["exiobase3"];
  EXPECT_EQ(ex["latest_api"], "https://zenodo.org/api/records/3583070/versions/latest");
  EXPECT_EQ(ex["landing"], "https://doi.org/10.5281/zenodo.3583070");
  // The OECD bundles cover 1995-2020 without a gap or an overlap.
  int next = 1995;
  for (const auto& b : cat["sources"]["oecd-icio"]["bundles"]) {
    EXPECT_EQ(b["years"][0].get<int>(), next);
    next = b["years"][1].get<int>() + 1;
    EXPECT_EQ(b["url"].get<std::string>().rfind("http://stats.oecd.org/wbos/fileview2.aspx?IDFile=", 0), 0u);
  }
  EXPECT_EQ(next, 2021);
  for (const auto& f : cat["sources"]["gcb"]["files"]) EXPECT_EQ(f["md5"].get<std::string>().size(), 32u);
}

TEST(FetchPlan, DryRunNamesTheFilesOfTheYearWithoutContactingAnything) {
  fetch::FetchOptions o;
  o.source = "wiod";
  o.year = 2009;
  o.dest = "wiod-out";
  o.dry_run = true;
  o.mirror = "http://127.0.0.1:9";  // nothing listens there; a dry run never asks
  const auto r = fetch::fetch_dataset(o);
  ASSERT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.files[0].file, "wiot09_row_apr12.xlsx");
  EXPECT_EQ(r.files[0].url, "http://127.0.0.1:9/protected3/data13/wiot_analytic/wiot09_row_apr12.xlsx");
  EXPECT_EQ(r.files[1].url, "http://127.0.0.1:9/protected3/data13/CO2/CO2_may12.zip");
  EXPECT_EQ(r.files[0].status, "planned");
  EXPECT_FALSE(fs::exists("wiod-out"));

  o.source = "oecd-icio";
  o.year = 2005;
  const auto q = fetch::fetch_dataset(o);
  ASSERT_EQ(q.files.size(), 2u);
  EXPECT_EQ(q.files[0].file, "ICIO-2001-2005-extended.zip");
  EXPECT_EQ(q.files[1].file, "ICIO2023_2005.csv");
  EXPECT_EQ(q.next, "panocarbon mrio info wiod-out/ICIO2023_2005.csv");
}

TEST(FetchPlan, YearsOutsideTheSourceAreInputErrorsNamingWhatThereIs) {
  fetch::FetchOptions o;
  o.dry_run = true;
  o.dest = "x";
  o.source = "wiod";
  o.year = 2012;
  EXPECT_NE(message_of([&] { fetch::fetch_dataset(o); }).find("wiod has no year 2012: it has 1995-2011"), std::string::npos);
  o.year.reset();
  EXPECT_EQ(category_of([&] { fetch::fetch_dataset(o); }), ErrorCategory::InvalidInput);
  o.source = "gcb";
  o.year = 2000;
  EXPECT_NE(message_of([&] { fetch::fetch_dataset(o); }).find("leave out --year"), std::string::npos);
  o.source = "nosuch";
  EXPECT_NE(message_of([&] { fetch::fetch_dataset(o); }).find("no source 'nosuch'"), std::string::npos);
}

TEST(FetchCatalogue, AnOwnCatalogueThatIsNotJsonIsAnInputErrorNamingIt) {
  fetch::FetchOptions o;
  o.source = "gcb";
  o.dry_run = true;
  o.catalogue_json = "{\"sources\": ";
  o.catalogue_name = "my-catalogue.json";
  const auto m = message_of([&] { fetch::fetch_dataset(o); });
  EXPECT_NE(m.find("my-catalogue.json"), std::string::npos) << m;
  EXPECT_NE(m.find("invalid input"), std::string::npos) << m;
  // An empty file is not the compiled-in catalogue: it is refused too.
  o.catalogue_json = std::string();
  EXPECT_EQ(category_of([&] { fetch::fetch_dataset(o); }), ErrorCategory::InvalidInput);
  // A file name that is a path is refused before anything is written.
  o.catalogue_json = R"({"sources": {"gcb": {"kind": "files", "files": [{"file": "../evil.csv", "url": "http://h/x"}]}}})";
  EXPECT_EQ(category_of([&] { fetch::fetch_dataset(o); }), ErrorCategory::Data);
}

TEST(FetchMd5, OfAFile) {
  const auto p = fs::temp_directory_path() / ("pc-fetch-md5-" + std::to_string(::getpid()));
  std::ofstream(p, std::ios::binary) << "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(fetch::md5_of_file(p), "9e107d9d372bb6826bd81d3542a419d6");
  fs::remove(p);
  EXPECT_EQ(category_of([&] { fetch::md5_of_file(p); }), ErrorCategory::Io);
}

TEST(FetchPlan, ADestThatIsAFileIsAnInputErrorNamingIt) {
  const auto p = fs::temp_directory_path() / ("pc-fetch-dest-" + std::to_string(::getpid()));
  std::ofstream(p) << "a file";
  fetch::FetchOptions o;
  o.source = "gcb";
  o.dry_run = true;
  o.dest = p;
  const auto m = message_of([&] { fetch::fetch_dataset(o); });
  EXPECT_NE(m.find(p.string()), std::string::npos) << m;
  EXPECT_NE(m.find("field 'dest'"), std::string::npos) << m;
  EXPECT_NE(m.find("is not a folder"), std::string::npos) << m;
  fs::remove(p);
}
