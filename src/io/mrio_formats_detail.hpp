// Helpers shared by the readers of the Eora26, OECD ICIO and USEEIO formats (internal; one file per
// format: mrio_eora26.cpp, mrio_oecd_icio.cpp, mrio_useeio.cpp).
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "mrio/common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::mrio_io::detail {

namespace fs = std::filesystem;
using LabelFn = std::function<std::string(size_t)>;

[[noreturn]] inline void fail(const std::string& message, const std::string& file, long line = 0, long column = 0,
                       std::string field = {}) {
  throw Error(ErrorCategory::InvalidInput, message, ErrorContext{file, line, column, clip_input(field)});
}

// Labels go into results (JSON) and messages: a label that is not UTF-8 is an input error.
inline void check_utf8_label(std::string_view label, const std::string& file, long line, long column = 0) {
  if (const size_t bad = utf8_error_offset(label); bad != std::string_view::npos)
    fail(fmt::format("label '{}' is not valid UTF-8 (byte {} is 0x{:02X}); save the file as UTF-8 (iconv -f LATIN1 -t "
                     "UTF-8)", clip_input(label), bad + 1, static_cast<unsigned char>(label[bad])),
         file, line, column, std::string(label));
}

// A file the format cannot do without: a missing one is the user's input being incomplete (InvalidInput,
// exit code 2), not an I/O failure, so say which file and why it is needed.
inline std::string load_required(const fs::path& path, const std::string& why, nlohmann::json& files) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    fail(fmt::format("is missing: {}; copy it from the original download next to the other files", why), path.string());
  std::string text = read_file(path);
  files.push_back(describe_input(path, text));
  return text;
}

// Iterates the lines of a buffer with their 1-based numbers; strips a UTF-8 byte order mark and '\r'.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  long number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  long number_ = 0;
};

// Eora's files are tab-separated; the label files often end their lines with a tab, so trailing empty
// fields are dropped rather than counted.
inline void split_tabs(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  size_t p = 0;
  while (true) {
    const size_t t = line.find('\t', p);
    if (t == std::string_view::npos) {
      out.push_back(line.substr(p));
      break;
    }
    out.push_back(line.substr(p, t - p));
    p = t + 1;
  }
  while (!out.empty() && io::trim(out.back()).empty()) out.pop_back();
}

inline std::string in_quotes(std::string_view s) {
  // long enough for labels, short for a runaway cell; printable UTF-8 whatever the bytes
  std::string out(1, '\'');  // built by appending: GCC 12 misreports "'" + std::string as overlapping memcpy
  out.append(clip_input(s, 100));
  out.push_back('\'');
  return out;
}

// Parses a cell; empty cells are 0 where the format leaves zeros blank (pymrio's fillna(0)).
inline bool parse_cell(std::string_view s, double& v, bool empty_is_zero) {
  if (empty_is_zero && io::trim(s).empty()) {
    v = 0.0;
    return true;
  }
  return io::parse_double(s, v) && std::isfinite(v);
}

// Builds compressed sparse rows from entries added row by row (rows and columns in increasing order).
class CsrBuilder {
 public:
  CsrBuilder(size_t rows, size_t cols) {
    m_.rows = rows;
    m_.cols = cols;
    m_.row_start.assign(rows + 1, 0);
  }
  void add(size_t r, size_t c, double v) {
    close_until(r);
    m_.col.push_back(static_cast<uint32_t>(c));
    m_.value.push_back(v);
  }
  SparseRows finish() {
    close_until(m_.rows);
    return std::move(m_);
  }

 private:
  void close_until(size_t r) {
    while (open_ < r) m_.row_start[++open_] = static_cast<int64_t>(m_.value.size());
  }
  SparseRows m_;
  size_t open_ = 0;  // rows before open_ are closed: row_start[open_] is final
};

// CN1, CN2 / MX1, MX2: a region split in older releases of the OECD ICIO and Eora.
inline bool is_split_region(const std::string& code, const char* prefix) {
  if (code.size() < 3 || code.compare(0, 2, prefix) != 0) return false;
  for (size_t i = 2; i < code.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(code[i]))) return false;
  return true;
}

}  // namespace panocarbon::mrio_io::detail
