#include "core/csv.hpp"

#include <fmt/format.h>

#include <cctype>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/text.hpp"

namespace panocarbon::io {

CsvReader::CsvReader(std::string_view text, std::string source_name)
    : text_(text), source_(std::move(source_name)) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
}

bool CsvReader::next() {
  if (!next_record()) return false;
  // Text fields go into messages, the run log's JSON and the database: the file must be UTF-8.
  for (size_t i = 0; i < fields_.size(); ++i) {
    const size_t bad = utf8_error_offset(fields_[i]);
    if (bad == std::string_view::npos) continue;
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("field {} is not valid UTF-8 (byte {} of it is 0x{:02X}, in '{}'); save the file as UTF-8 "
                            "(in Excel: Save As > CSV UTF-8; or iconv -f LATIN1 -t UTF-8)",
                            i + 1, bad + 1, static_cast<unsigned char>(fields_[i][bad]), clip_input(fields_[i])),
                ErrorContext{source_, record_line_, static_cast<long>(i) + 1, {}});
  }
  return true;
}

bool CsvReader::next_record() {
  fields_.clear();
  unescaped_.clear();
  const size_t n = text_.size();
  // Skip blank lines.
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= n) return false;
  record_line_ = line_;
  while (true) {
    if (pos_ < n && text_[pos_] == '"') {
      const long start_line = line_;
      size_t i = pos_ + 1;
      bool doubled = false;
      while (true) {
        const size_t q = text_.find('"', i);
        if (q == std::string_view::npos)
          throw Error(ErrorCategory::InvalidInput,
                      "a quoted field is never closed; add the closing double quote",
                      ErrorContext{source_, start_line, 0, {}});
        for (size_t k = i; k < q; ++k)
          if (text_[k] == '\n') ++line_;
        if (q + 1 < n && text_[q + 1] == '"') {
          doubled = true;
          i = q + 2;
          continue;
        }
        std::string_view raw = text_.substr(pos_ + 1, q - pos_ - 1);
        if (doubled) {
          std::string s;
          s.reserve(raw.size());
          for (size_t k = 0; k < raw.size(); ++k) {
            s.push_back(raw[k]);
            if (raw[k] == '"') ++k;
          }
          unescaped_.push_back(std::move(s));
          fields_.push_back(unescaped_.back());
        } else {
          fields_.push_back(raw);
        }
        pos_ = q + 1;
        // Anything between the closing quote and the separator is ignored only if blank.
        while (pos_ < n && text_[pos_] == ' ') ++pos_;
        break;
      }
    } else {
      size_t e = pos_;
      while (e < n && text_[e] != ',' && text_[e] != '\n' && text_[e] != '\r') ++e;
      fields_.push_back(text_.substr(pos_, e - pos_));
      pos_ = e;
    }
    if (pos_ >= n) return true;
    const char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '\r') ++pos_;
    if (pos_ < n && text_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    return true;
  }
}

void CsvReader::require_fields(size_t expected) const {
  if (fields_.size() != expected)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("malformed line: {} fields where the header has {}; check for a missing or extra comma "
                            "(quote fields that contain commas)",
                            fields_.size(), expected),
                context());
}

void throw_row_errors(const std::vector<Error>& errors, size_t n_bad) {
  if (errors.empty()) return;
  if (n_bad == 1) throw errors.front();
  std::string msg = fmt::format("{}\n{} rows are wrong{}; fix them all and run again:", errors.front().message(), n_bad,
                                n_bad > errors.size() ? fmt::format(" (the first {} are listed)", errors.size()) : "");
  for (const auto& e : errors) msg += fmt::format("\n  {}", e.what());
  throw Error(ErrorCategory::InvalidInput, msg, errors.front().context());
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

NumberStatus parse_number(std::string_view s, double& out) noexcept {
  s = trim(s);
  if (s.empty()) return NumberStatus::NotANumber;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ptr != s.data() + s.size()) return NumberStatus::NotANumber;
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow or underflow: strtod tells them apart (an underflow is finite: zero or a subnormal).
    const std::string copy(s);
    const double x = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(x)) return NumberStatus::OutOfRange;
    out = x;
    return NumberStatus::Ok;
  }
  if (r.ec != std::errc()) return NumberStatus::NotANumber;
  if (!std::isfinite(v)) return NumberStatus::NotFinite;
  out = v;
  return NumberStatus::Ok;
}

bool parse_double(std::string_view s, double& out) noexcept { return parse_number(s, out) == NumberStatus::Ok; }

std::string number_problem(std::string_view s) {
  double v = 0;
  switch (parse_number(s, v)) {
    case NumberStatus::NotFinite:
      return fmt::format("'{}' is not a finite number; give a decimal number such as 12.5 or 1.2e6",
                         clip_input(trim(s)));
    case NumberStatus::OutOfRange:
      return fmt::format("'{}' is beyond the range of a double (about 1.8e308); check the number and its unit",
                         clip_input(trim(s)));
    case NumberStatus::Ok: return {};
    default: break;
  }
  if (trim(s).empty()) return "the field is empty where a number is needed";
  return fmt::format("'{}' is not a number", clip_input(trim(s)));
}

double finite_number(std::string_view s, const ErrorContext& where) {
  double v = 0;
  if (parse_number(s, v) != NumberStatus::Ok) throw Error(ErrorCategory::InvalidInput, number_problem(s), where);
  return v;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace panocarbon::io
