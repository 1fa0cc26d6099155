// The one error type of panocarbon. Every front end converts it once: the CLI prints what() on stderr and
// exits with exit_code(); the HTTP server will send to_json() with http_status().
#pragma once
#include <stdexcept>
#include <string>

namespace panocarbon {

enum class ErrorCategory {
  InvalidInput,  // the user's file or arguments are wrong
  NotFound,      // a named thing (fuel, factor, category, file) does not exist
  Unit,          // unknown unit or impossible conversion
  Data,          // the project's or a dataset's data is inconsistent
  Io,            // reading or writing a file failed
  Database,      // SQLite failed
  Internal       // a bug: please report
};

const char* to_string(ErrorCategory c) noexcept;

// Where an error was found. Empty fields are left out of the message.
struct ErrorContext {
  ErrorContext() = default;
  ErrorContext(std::string file_, long line_ = 0, long column_ = 0, std::string field_ = {})
      : file(std::move(file_)), line(line_), column(column_), field(std::move(field_)) {}
  std::string file;
  long line = 0;    // 1-based; 0 = unknown
  long column = 0;  // 1-based; 0 = unknown
  std::string field;
};

class Error : public std::runtime_error {
 public:
  // message: what is wrong and what to do about it, in one or two sentences.
  Error(ErrorCategory category, std::string message, ErrorContext context = {});

  ErrorCategory category() const noexcept { return category_; }
  const ErrorContext& context() const noexcept { return context_; }
  const std::string& message() const noexcept { return message_; }
  // CLI exit code: 2 for input errors, 3 not found, 4 unit, 5 data, 6 I/O, 7 database, 70 internal.
  int exit_code() const noexcept;
  int http_status() const noexcept;
  // A copy with context fields filled where they were empty (used when a lower layer lacks the file name).
  Error with_context(const ErrorContext& outer) const;

 private:
  ErrorCategory category_;
  std::string message_;
  ErrorContext context_;
};

}  // namespace panocarbon
