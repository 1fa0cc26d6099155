// A fast RFC 4180 CSV tokenizer over an in-memory buffer (internal). Fields are string_views into the
// buffer, or into a per-row scratch buffer when a quoted field contains doubled quotes. It lives in core
// because core parses its embedded data tables with it; io's readers use it too (its namespace, io, is
// kept from when it lived there).
#pragma once
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "panocarbon/error.hpp"

namespace panocarbon::io {

class CsvReader {
 public:
  // source_name is used in error messages (a file path, or "<embedded>/fuels.csv").
  CsvReader(std::string_view text, std::string source_name);

  // Reads the next non-empty record into fields(). Returns false at end of input.
  // Throws Error{InvalidInput} on an unterminated quoted field.
  bool next();
  const std::vector<std::string_view>& fields() const { return fields_; }
  long line() const { return record_line_; }  // 1-based line where the current record starts
  const std::string& source() const { return source_; }
  ErrorContext context(long column = 0, std::string field = {}) const {
    return ErrorContext{source_, record_line_, column, std::move(field)};
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  long line_ = 1;
  long record_line_ = 0;
  std::string source_;
  std::vector<std::string_view> fields_;
  std::deque<std::string> unescaped_;  // stable storage for fields with doubled quotes
};

// Parses a double from a whole field (leading/trailing blanks allowed). Returns false if not a number.
bool parse_double(std::string_view s, double& out) noexcept;
std::string_view trim(std::string_view s) noexcept;
std::string to_lower(std::string_view s);

}  // namespace panocarbon::io
