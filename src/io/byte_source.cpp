#include "io/byte_source.hpp"

#include <libdeflate.h>
#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "panocarbon/error.hpp"

namespace panocarbon::io {

namespace fs = std::filesystem;

namespace {
class FileSource final : public ByteSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {
    f_ = std::fopen(path_.c_str(), "rb");
    if (!f_) throw Error(ErrorCategory::Io, "cannot open " + path_ + ": check the path and its permissions", {path_});
    std::error_code ec;
    size_ = fs::file_size(path_, ec);
    if (ec) size_ = 0;
  }
  ~FileSource() override {
    if (f_) std::fclose(f_);
  }
  size_t read(char* buf, size_t n) override {
    const size_t got = std::fread(buf, 1, n, f_);
    if (got < n && std::ferror(f_)) throw Error(ErrorCategory::Io, "reading " + path_ + " failed", {path_});
    return got;
  }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return path_; }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  uint64_t size_ = 0;
};

class ZipSource final : public ByteSource {
 public:
  ZipSource(zip_t* archive, const std::string& member, std::string display) : name_(std::move(display)) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(archive, member.c_str(), 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) size_ = st.size;
    f_ = zip_fopen(archive, member.c_str(), 0);
    if (!f_) throw Error(ErrorCategory::Io, "cannot open " + name_ + " in the archive", {name_});
  }
  ~ZipSource() override {
    if (f_) zip_fclose(f_);
  }
  size_t read(char* buf, size_t n) override {
    const zip_int64_t got = zip_fread(f_, buf, n);
    if (got < 0)
      throw Error(ErrorCategory::Io, "reading " + name_ + " from the archive failed (corrupt zip?)", {name_});
    return static_cast<size_t>(got);
  }
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

 private:
  std::string name_;
  zip_file_t* f_ = nullptr;
  uint64_t size_ = 0;
};

std::string drain(ByteSource& s) {
  std::string out;
  std::vector<char> buf(1 << 16);
  for (size_t got; (got = s.read(buf.data(), buf.size())) > 0;) out.append(buf.data(), got);
  return out;
}

class FolderSet final : public FileSet {
 public:
  // The folder is opened once: each member is opened relative to it (openat), so the kernel walks only the
  // member's own components, not the folder's path again for each of thousands of files.
  explicit FolderSet(fs::path root) : root_(std::move(root)) {
    dir_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // -1: members opened by their full path
  }
  FolderSet(const FolderSet&) = delete;
  FolderSet& operator=(const FolderSet&) = delete;
  ~FolderSet() override {
    if (dir_ >= 0) ::close(dir_);
  }
  bool exists(const std::string& rel) const override { return fs::is_regular_file(root_ / rel); }
  std::unique_ptr<ByteSource> open_member(const std::string& rel) const override {
    return open_file_source((root_ / rel).string());
  }
  std::string read_all(const std::string& rel) const override {
    auto s = open_member(rel);
    return drain(*s);
  }
  void read_into(const std::string& rel, std::string& out, size_t slack) const override {
    // one open, one fstat and one read per file (a JSON-LD export has thousands of small files)
    const int fd = dir_ >= 0 ? ::openat(dir_, rel.c_str(), O_RDONLY | O_CLOEXEC)
                             : ::open((root_ / rel).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const std::string path = (root_ / rel).string();
      throw Error(ErrorCategory::Io, "cannot open " + path + ": check the path and its permissions", {path});
    }
    struct stat st {};
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    const size_t expected = regular ? static_cast<size_t>(st.st_size) : 0;
    out.clear();
    out.reserve(expected + 1 + slack);  // one byte more than the size: a short read is the end
    for (;;) {
      if (out.capacity() - slack <= out.size()) out.reserve(2 * out.capacity() + slack);
      const size_t at = out.size();
      size_t room = out.capacity() - slack - at;
      if (at <= expected) room = std::min(room, expected + 1 - at);  // resize() writes what it adds: no more
      out.resize(at + room);
      const ssize_t got = ::read(fd, out.data() + at, room);
      if (got < 0) {
        ::close(fd);
        out.clear();
        const std::string path = (root_ / rel).string();
        throw Error(ErrorCategory::Io, "reading " + path + " failed", {path});
      }
      out.resize(at + static_cast<size_t>(got));
      if (got == 0 || (regular && out.size() == expected && static_cast<size_t>(got) < room)) break;
    }
    ::close(fd);
  }
  std::vector<std::string> all_files() const override {
    // paths below the root by their text (fs::relative would resolve every component of every file again)
    std::vector<std::string> out;
    std::error_code ec;
    const std::string root = root_.generic_string();
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string rel = it->path().generic_string().substr(root.size());
      rel.erase(0, rel.find_first_not_of('/'));
      out.push_back(std::move(rel));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> subfolders(const std::string& rel) const override {
    std::vector<std::string> out;
    const fs::path dir = rel.empty() ? root_ : root_ / rel;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_directory()) out.push_back((rel.empty() ? fs::path(e.path().filename()) : fs::path(rel) / e.path().filename()).string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string display(const std::string& rel) const override { return (root_ / rel).string(); }
  bool is_zip() const override { return false; }

 private:
  fs::path root_;
  int dir_ = -1;
};

class ZipSet final : public FileSet {
 public:
  explicit ZipSet(std::string path) : path_(std::move(path)) {
    int err = 0;
    archive_ = zip_open(path_.c_str(), ZIP_RDONLY, &err);
    if (!archive_)
      throw Error(ErrorCategory::Io, "cannot open " + path_ + " as a zip archive (libzip error " + std::to_string(err) +
                                         "): check that the download is complete", {path_});
    const zip_int64_t count = zip_get_num_entries(archive_, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
      const char* nm = zip_get_name(archive_, static_cast<zip_uint64_t>(i), 0);
      if (nm) names_.insert(nm);
    }
    // The root is the shallowest folder holding file_parameters.json (or the archive's top).
    size_t best = std::string::npos;
    for (const auto& nm : names_) {
      const auto pos = nm.rfind("file_parameters.json");
      if (pos == std::string::npos || pos + 20 != nm.size()) continue;
      const std::string dir = nm.substr(0, pos);
      const size_t depth = static_cast<size_t>(std::count(dir.begin(), dir.end(), '/'));
      if (best == std::string::npos || depth < best) {
        best = depth;
        root_ = dir;
      }
    }
  }
  ~ZipSet() override {
    if (archive_) zip_discard(archive_);
  }
  bool exists(const std::string& rel) const override { return names_.count(root_ + rel) > 0; }
  std::unique_ptr<ByteSource> open_member(const std::string& rel) const override {
    if (!exists(rel))
      throw Error(ErrorCategory::Io, display(rel) + " is not in the archive", {display(rel)});
    return std::make_unique<ZipSource>(archive_, root_ + rel, display(rel));
  }
  std::string read_all(const std::string& rel) const override {
    auto s = open_member(rel);
    return drain(*s);
  }
  void read_into(const std::string& rel, std::string& out, size_t slack) const override {
    if (!exists(rel)) throw Error(ErrorCategory::Io, display(rel) + " is not in the archive", {display(rel)});
    if (inflate_whole(root_ + rel, out, slack)) return;
    ZipSource s(archive_, root_ + rel, display(rel));
    out.clear();
    out.reserve(static_cast<size_t>(s.size()) + 1 + slack);  // inflated straight into `out`
    for (;;) {
      if (out.capacity() - slack <= out.size()) out.reserve(2 * out.capacity() + slack);
      const size_t at = out.size(), expected = static_cast<size_t>(s.size());
      size_t room = out.capacity() - slack - at;
      if (at <= expected) room = std::min(room, expected + 1 - at);  // resize() writes what it adds: no more
      out.resize(at + room);
      const size_t got = s.read(out.data() + at, room);
      out.resize(at + got);
      if (got == 0) break;
    }
  }
  std::vector<std::string> all_files() const override {
    std::vector<std::string> out;
    for (const auto& nm : names_)
      if (nm.compare(0, root_.size(), root_) == 0 && !nm.empty() && nm.back() != '/') out.push_back(nm.substr(root_.size()));
    return out;  // names_ is a sorted set
  }
  std::vector<std::string> subfolders(const std::string& rel) const override {
    const std::string prefix = root_ + (rel.empty() ? "" : rel + "/");
    std::set<std::string> out;
    for (const auto& nm : names_) {
      if (nm.compare(0, prefix.size(), prefix) != 0) continue;
      const auto slash = nm.find('/', prefix.size());
      if (slash != std::string::npos && slash > prefix.size())
        out.insert((rel.empty() ? "" : rel + "/") + nm.substr(prefix.size(), slash - prefix.size()));
    }
    return {out.begin(), out.end()};
  }
  std::string display(const std::string& rel) const override { return path_ + ":" + root_ + rel; }
  bool is_zip() const override { return true; }

 private:
  // A deflated member in one call of libdeflate (two to three times zlib's speed through zip_fread), its CRC-32
  // checked; false leaves the member to libzip (stored or encrypted members, anything unexpected: libzip then
  // reads it, or names what is wrong, as before).
  bool inflate_whole(const std::string& member, std::string& out, size_t slack) const {
    zip_stat_t st;
    zip_stat_init(&st);
    const zip_uint64_t need = ZIP_STAT_INDEX | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
    if (zip_stat(archive_, member.c_str(), 0, &st) != 0 || (st.valid & need) != need ||
        st.comp_method != ZIP_CM_DEFLATE || ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE))
      return false;
    zip_file_t* f = zip_fopen_index(archive_, st.index, ZIP_FL_COMPRESSED);
    if (!f) return false;
    thread_local std::string raw;
    raw.resize(static_cast<size_t>(st.comp_size));
    size_t got = 0;
    while (got < raw.size()) {
      const zip_int64_t n = zip_fread(f, raw.data() + got, raw.size() - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    zip_fclose(f);
    if (got != raw.size()) return false;
    struct Free {
      void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
    };
    thread_local std::unique_ptr<libdeflate_decompressor, Free> inflater(libdeflate_alloc_decompressor());
    if (!inflater) return false;
    const size_t size = static_cast<size_t>(st.size);
    out.clear();
    out.reserve(size + slack);
    out.resize(size);
    size_t actual = 0;
    if (libdeflate_deflate_decompress(inflater.get(), raw.data(), raw.size(), out.data(), size, &actual) !=
            LIBDEFLATE_SUCCESS ||
        actual != size || libdeflate_crc32(0, out.data(), size) != st.crc) {
      out.clear();
      return false;
    }
    return true;
  }

  std::string path_;
  zip_t* archive_ = nullptr;
  std::set<std::string> names_;
  std::string root_;
};
class MemoryBytes final : public ByteSource {
 public:
  MemoryBytes(const std::string& text, std::string name) : text_(text), name_(std::move(name)) {}
  size_t read(char* buf, size_t n) override {
    const size_t k = std::min(n, text_.size() - pos_);
    std::copy(text_.data() + pos_, text_.data() + pos_ + k, buf);
    pos_ += k;
    return k;
  }
  uint64_t size() const override { return text_.size(); }
  const std::string& name() const override { return name_; }

 private:
  const std::string& text_;
  std::string name_;
  size_t pos_ = 0;
};

class MemorySet final : public FileSet {
 public:
  MemorySet(std::map<std::string, std::string> files, std::string name) : files_(std::move(files)), name_(std::move(name)) {}
  bool exists(const std::string& rel) const override { return files_.count(rel) > 0; }
  std::unique_ptr<ByteSource> open_member(const std::string& rel) const override {
    const auto it = files_.find(rel);
    if (it == files_.end()) throw Error(ErrorCategory::Io, display(rel) + " does not exist", {display(rel)});
    return std::make_unique<MemoryBytes>(it->second, display(rel));
  }
  std::string read_all(const std::string& rel) const override {
    const auto it = files_.find(rel);
    if (it == files_.end()) throw Error(ErrorCategory::Io, display(rel) + " does not exist", {display(rel)});
    return it->second;
  }
  std::vector<std::string> all_files() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : files_) out.push_back(k);
    return out;
  }
  std::vector<std::string> subfolders(const std::string& rel) const override {
    const std::string prefix = rel.empty() ? "" : rel + "/";
    std::set<std::string> out;
    for (const auto& [nm, v] : files_) {
      if (nm.compare(0, prefix.size(), prefix) != 0) continue;
      const auto slash = nm.find('/', prefix.size());
      if (slash != std::string::npos) out.insert(prefix + nm.substr(prefix.size(), slash - prefix.size()));
    }
    return {out.begin(), out.end()};
  }
  std::string display(const std::string& rel) const override { return name_ + ":" + rel; }
  bool is_zip() const override { return false; }

 private:
  std::map<std::string, std::string> files_;
  std::string name_;
};
}  // namespace

std::unique_ptr<FileSet> FileSet::from_memory(std::map<std::string, std::string> files, std::string name) {
  return std::make_unique<MemorySet>(std::move(files), std::move(name));
}

std::unique_ptr<ByteSource> open_file_source(const std::string& path) { return std::make_unique<FileSource>(path); }

std::unique_ptr<FileSet> FileSet::open(const std::string& path, const std::string& what) {
  if (fs::is_directory(path)) return std::make_unique<FolderSet>(path);
  if (!fs::exists(path))
    throw Error(ErrorCategory::NotFound, path + " does not exist: give " + what, {path});
  return std::make_unique<ZipSet>(path);
}

}  // namespace panocarbon::io
