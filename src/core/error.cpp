#include "panocarbon/error.hpp"

#include <fmt/format.h>

namespace panocarbon {

const char* to_string(ErrorCategory c) noexcept {
  switch (c) {
    case ErrorCategory::InvalidInput: return "invalid input";
    case ErrorCategory::NotFound: return "not found";
    case ErrorCategory::Unit: return "unit error";
    case ErrorCategory::Data: return "data error";
    case ErrorCategory::Io: return "I/O error";
    case ErrorCategory::Database: return "database error";
    case ErrorCategory::Internal: return "internal error";
  }
  return "error";
}

namespace {
std::string format_what(ErrorCategory c, const std::string& msg, const ErrorContext& ctx) {
  std::string where;
  if (!ctx.file.empty()) where = ctx.file;
  if (ctx.line > 0) where += fmt::format("{}line {}", where.empty() ? "" : ":", ctx.line);
  if (ctx.column > 0) where += fmt::format(", column {}", ctx.column);
  if (!ctx.field.empty()) where += fmt::format("{}field '{}'", where.empty() ? "" : ", ", ctx.field);
  std::string what = where.empty() ? fmt::format("{}: {}", to_string(c), msg)
                                   : fmt::format("{}: {}: {}", where, to_string(c), msg);
  // The last line of defence against a message that quotes a runaway input whole: the readers quote input
  // clipped (clip_input), and no message is longer than this.
  constexpr size_t kMaxWhat = 8000;
  if (what.size() > kMaxWhat) {
    size_t cut = kMaxWhat;
    while (cut > 0 && (static_cast<unsigned char>(what[cut]) & 0xC0) == 0x80) --cut;  // a character boundary
    const size_t whole = what.size();
    what.resize(cut);
    what += fmt::format("... (message cut: {} bytes in all)", whole);
  }
  return what;
}
}  // namespace

Error::Error(ErrorCategory category, std::string message, ErrorContext context)
    : std::runtime_error(format_what(category, message, context)),
      category_(category),
      message_(std::move(message)),
      context_(std::move(context)) {}

int Error::exit_code() const noexcept {
  switch (category_) {
    case ErrorCategory::InvalidInput: return 2;
    case ErrorCategory::NotFound: return 3;
    case ErrorCategory::Unit: return 4;
    case ErrorCategory::Data: return 5;
    case ErrorCategory::Io: return 6;
    case ErrorCategory::Database: return 7;
    case ErrorCategory::Internal: return 70;
  }
  return 1;
}

int Error::http_status() const noexcept {
  switch (category_) {
    case ErrorCategory::InvalidInput:
    case ErrorCategory::Unit: return 400;
    case ErrorCategory::NotFound: return 404;
    case ErrorCategory::Data: return 422;
    default: return 500;
  }
}

Error Error::with_context(const ErrorContext& outer) const {
  ErrorContext c = context_;
  if (c.file.empty()) c.file = outer.file;
  if (c.line == 0) c.line = outer.line;
  if (c.column == 0) c.column = outer.column;
  if (c.field.empty()) c.field = outer.field;
  return Error(category_, message_, c);
}

}  // namespace panocarbon
