// Where a JSON text holds a number that does not fit a double (1e400): nlohmann::json refuses it with an
// out_of_range exception that gives the literal but not its place. The LCA readers (JSON-LD, footprint study)
// turn it into an InvalidInput error naming the file, the line and column and the key it belongs to.
#pragma once
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "panocarbon/error.hpp"

namespace panocarbon::io {

// The error for a json::exception raised while parsing `text` from `file` (not a parse_error: those carry
// their byte offset). For "number overflow parsing '1e400'" it finds the literal as a value (after ':', '[' or
// ',') and names its line, column and key.
inline Error json_number_error(const nlohmann::json::exception& e, const std::string& text, const std::string& file) {
  const std::string what = e.what();
  const size_t q1 = what.find('\''), q2 = q1 == std::string::npos ? q1 : what.find('\'', q1 + 1);
  ErrorContext ctx{file};
  std::string literal;
  if (q2 != std::string::npos) literal = what.substr(q1 + 1, q2 - q1 - 1);
  for (size_t at = literal.empty() ? std::string::npos : text.find(literal); at != std::string::npos;
       at = text.find(literal, at + 1)) {
    size_t b = at;
    while (b > 0 && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\n' || text[b - 1] == '\r')) --b;
    const size_t end = at + literal.size();
    const bool value_start = b > 0 && (text[b - 1] == ':' || text[b - 1] == '[' || text[b - 1] == ',');
    const bool value_end = end >= text.size() || std::string_view(",]} \t\r\n").find(text[end]) != std::string_view::npos;
    if (!value_start || !value_end) continue;
    long line = 1, col = 1;
    for (size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    ctx.line = line;
    ctx.column = col;
    if (text[b - 1] == ':') {  // the key before the colon
      size_t k2 = text.rfind('"', b - 1);
      size_t k1 = k2 == std::string::npos || k2 == 0 ? std::string::npos : text.rfind('"', k2 - 1);
      if (k1 != std::string::npos) ctx.field = text.substr(k1 + 1, k2 - k1 - 1);
    }
    break;
  }
  return Error(ErrorCategory::InvalidInput,
               fmt::format("{}: {}{} is not a finite number (a double holds magnitudes up to about 1.8e308): give a "
                           "finite number",
                           file, literal.empty() ? "a number" : "the number " + literal,
                           ctx.field.empty() ? "" : " of \"" + ctx.field + "\""),
               ctx);
}

}  // namespace panocarbon::io
