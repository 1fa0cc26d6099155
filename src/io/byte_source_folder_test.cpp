// A folder's members read relative to the folder (openat) and its fingerprint stat'ed relative to it
// (fstatat): the same bytes, the same fingerprint whichever spelling of the folder's path, and errors that
// still name the member's full path.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "io/byte_source.hpp"
#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon {
namespace {
namespace fs = std::filesystem;

struct Folder {
  fs::path root = fs::temp_directory_path() / ("pc-folder-test-" + std::to_string(getpid()));
  Folder() {
    fs::remove_all(root);
    fs::create_directories(root / "sub" / "deeper");
    write("a.json", "{\"a\": 1}");
    write("sub/b.json", std::string(5000, 'x'));
    write("sub/deeper/metadata.json", "{\"m\": true}");
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(root, ec);
    fs::remove(root.string() + "-link", ec);
  }
  void write(const std::string& rel, const std::string& text) const { std::ofstream(root / rel, std::ios::binary) << text; }
};

TEST(FolderSet, MembersReadRelativeToTheFolderAndErrorsNameTheFullPath) {
  Folder f;
  const auto set = io::FileSet::open(f.root.string());
  std::string out;
  set->read_into("sub/b.json", out, 64);
  EXPECT_EQ(out, std::string(5000, 'x'));
  EXPECT_GE(out.capacity(), out.size() + 64);
  set->read_into("a.json", out, 0);
  EXPECT_EQ(out, "{\"a\": 1}");
  EXPECT_EQ(set->read_all("sub/deeper/metadata.json"), "{\"m\": true}");
  try {
    set->read_into("sub/missing.json", out, 0);
    FAIL() << "read a missing member";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.category(), ErrorCategory::Io);
    EXPECT_NE(m.find((f.root / "sub/missing.json").string()), std::string::npos) << m;
    EXPECT_NE(m.find("check the path and its permissions"), std::string::npos) << m;
  }
}

TEST(FolderSet, FingerprintIsTheSameForEverySpellingOfTheFolderAndFollowsItsFiles) {
  Folder f;
  const MrioFiles a = mrio_fingerprint(f.root.string());
  EXPECT_EQ(a.bytes, 8u + 5000u + 11u);
  EXPECT_EQ(mrio_fingerprint(f.root.string() + "/").sha256, a.sha256);
  EXPECT_EQ(mrio_fingerprint((f.root / "sub" / ".." ).string()).sha256, a.sha256);
  fs::create_directory_symlink(f.root, f.root.string() + "-link");
  EXPECT_EQ(mrio_fingerprint(f.root.string() + "-link").sha256, a.sha256);
  // a file's size (and so its time) changes the fingerprint
  f.write("sub/b.json", std::string(5001, 'x'));
  const MrioFiles b = mrio_fingerprint(f.root.string());
  EXPECT_NE(b.sha256, a.sha256);
  EXPECT_EQ(b.bytes, a.bytes + 1);
}

// The fingerprint's text as the fs::path walk gives it (the reference: sorted as paths, element by element):
// relative path, size and time of each file, and the contents of metadata.json / file_parameters.json.
std::string reference_fingerprint(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const auto& f : files) {
    text += fs::relative(f, root).generic_string() + '\t' + std::to_string(fs::file_size(f)) + '\t' +
            std::to_string(fs::last_write_time(f).time_since_epoch().count()) + '\n';
    if (f.filename() == "metadata.json" || f.filename() == "file_parameters.json") {
      std::ifstream in(f, std::ios::binary);
      text += std::string(std::istreambuf_iterator<char>(in), {});
    }
  }
  return sha256_hex(text);
}

TEST(FolderSet, FingerprintOrdersFilesAsPathsElementByElement) {
  Folder f;
  // names whose byte order differs from their order as paths ('-', ' ', '.' sort before '/' as bytes)
  fs::create_directories(f.root / "a");
  fs::create_directories(f.root / "a b");
  for (const char* name : {"a/x.json", "a-b.json", "a.json", "a b/y.json", "a b.json", "\xc3\xa4.json", "A.json",
                           "a/metadata.json"})
    f.write(name, name);
  EXPECT_EQ(mrio_fingerprint(f.root.string()).sha256, reference_fingerprint(f.root));
  EXPECT_EQ(mrio_fingerprint(f.root.string() + "/").sha256, reference_fingerprint(f.root));
}

}  // namespace
}  // namespace panocarbon
