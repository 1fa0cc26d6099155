// Sequential byte sources for the big-table readers: a plain file or a member of a .zip archive, read in
// chunks so that a 1 GB table never sits in memory as text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace panocarbon::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes; returns 0 at the end. Throws Error{Io} naming the source.
  virtual size_t read(char* buf, size_t n) = 0;
  virtual uint64_t size() const = 0;  // total bytes (for progress)
  virtual const std::string& name() const = 0;
};

std::unique_ptr<ByteSource> open_file_source(const std::string& path);

// A folder of files or a zip archive (read-only): lists members and opens them as byte sources.
class FileSet {
 public:
  // `path` is a folder or a .zip; inside a zip, `root` becomes the folder holding file_parameters.json
  // (EXIOBASE zips keep everything under one top folder).
  static std::unique_ptr<FileSet> open(const std::string& path, const std::string& what = "an MRIO folder, a .zip of one, or a table file");
  // In memory: relative path -> contents (tests, fuzzing).
  static std::unique_ptr<FileSet> from_memory(std::map<std::string, std::string> files, std::string name);
  virtual ~FileSet() = default;
  virtual bool exists(const std::string& rel) const = 0;
  virtual std::unique_ptr<ByteSource> open_member(const std::string& rel) const = 0;
  virtual std::string read_all(const std::string& rel) const = 0;
  // The whole member into `out` (its old contents replaced), with at least `slack` bytes of capacity after
  // them (a parser's padding); `out` keeps its memory from one call to the next.
  virtual void read_into(const std::string& rel, std::string& out, size_t slack) const {
    out = read_all(rel);
    out.reserve(out.size() + slack);
  }
  // Every file under the root, as relative paths with '/' (sorted).
  virtual std::vector<std::string> all_files() const = 0;
  // Immediate subfolders (relative names) of `rel` ("" = top).
  virtual std::vector<std::string> subfolders(const std::string& rel) const = 0;
  virtual std::string display(const std::string& rel) const = 0;  // path for messages
  virtual bool is_zip() const = 0;
};

}  // namespace panocarbon::io
