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
  // Throws Error{InvalidInput} on an unterminated quoted field and on a field that is not valid UTF-8.
  bool next();
  const std::vector<std::string_view>& fields() const { return fields_; }
  long line() const { return record_line_; }  // 1-based line where the current record starts
  const std::string& source() const { return source_; }
  ErrorContext context(long column = 0, std::string field = {}) const {
    return ErrorContext{source_, record_line_, column, std::move(field)};
  }
  // Error{InvalidInput} at this record unless it has `expected` fields (the header's count): "malformed line".
  void require_fields(size_t expected) const;

 private:
  bool next_record();
  std::string_view text_;
  size_t pos_ = 0;
  long line_ = 1;
  long record_line_ = 0;
  std::string source_;
  std::vector<std::string_view> fields_;
  std::deque<std::string> unescaped_;  // stable storage for fields with doubled quotes
};

// The one number parser of the readers. A field is a number when the whole of it (leading/trailing blanks
// allowed, a leading '+' too) is a decimal number whose value is finite: "inf", "nan" and numbers beyond the
// range of a double (1e400) are refused; a number too small for a double (1e-400) reads as zero or a
// subnormal. parse_number says why a field is refused.
enum class NumberStatus { Ok, NotANumber, NotFinite, OutOfRange };
NumberStatus parse_number(std::string_view s, double& out) noexcept;
// True when parse_number gives Ok.
bool parse_double(std::string_view s, double& out) noexcept;
// What is wrong with a field that parse_number refused, for a message: "'1e400' is beyond the range of a
// double (about 1.8e308)"; the field is quoted clipped (clip_input).
std::string number_problem(std::string_view s);
// parse_number or an Error{InvalidInput} at `where` (file, line, column, field) that says what is wrong and
// what to give instead.
double finite_number(std::string_view s, const ErrorContext& where);
std::string_view trim(std::string_view s) noexcept;
std::string to_lower(std::string_view s);

// Readers of row files report every bad row in one error, not only the first: they collect up to
// kMaxRowErrors errors (and count all, n_bad); this throws one Error{InvalidInput} with the first one's message
// and place, then every collected one on its own line. Nothing when `errors` is empty.
inline constexpr size_t kMaxRowErrors = 20;
void throw_row_errors(const std::vector<Error>& errors, size_t n_bad);

}  // namespace panocarbon::io
