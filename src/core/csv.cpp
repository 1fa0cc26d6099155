#include "core/csv.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace panocarbon::io {

CsvReader::CsvReader(std::string_view text, std::string source_name)
    : text_(text), source_(std::move(source_name)) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
}

bool CsvReader::next() {
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

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_double(std::string_view s, double& out) noexcept {
  s = trim(s);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace panocarbon::io
