#include "core/text.hpp"

#include "panocarbon/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace panocarbon {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string to_lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: a transposition of neighbours ("clac" for "calc") also costs one.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::vector<std::string> nearest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       size_t at_most) {
  const std::string w = to_lower(word);
  const size_t limit = std::max<size_t>(2, w.size() / 3 + 1);
  std::vector<std::pair<size_t, const std::string*>> scored;
  for (const auto& c : candidates) {
    const std::string l = to_lower(c);
    size_t d = edit_distance(w, l);
    if (w.size() >= 3 && l.size() > w.size() && l.compare(0, w.size(), w) == 0) d = std::min<size_t>(d, 1);
    if (d <= limit) scored.emplace_back(d, &c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& s : scored)
    if (out.size() < at_most && std::find(out.begin(), out.end(), *s.second) == out.end()) out.push_back(*s.second);
  return out;
}

namespace {
// Length of the well-formed UTF-8 sequence that starts at s[i], or 0 when it is ill-formed.
size_t utf8_sequence(std::string_view s, size_t i) noexcept {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;   // overlong
    if (c == 0xED) hi = 0x9F;   // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;   // overlong
    if (c == 0xF4) hi = 0x8F;   // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return len;
}
}  // namespace

size_t utf8_error_offset(std::string_view s) noexcept {
  size_t i = 0;
  while (i < s.size()) {
    // ASCII runs are the common case.
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8_sequence(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string clip_input(std::string_view s, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes) + 32);
  size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = utf8_sequence(s, i);
    if (len == 0 || c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02X}", c);
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  if (i < s.size()) out += fmt::format("... ({} bytes in all)", s.size());
  return out;
}

void check_search_query(std::string_view query, const std::string& option) {
  auto too_long = [&](const std::string& what) {
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the search query '{}' is too long ({}); search for a few words (at most {} words, {} "
                            "bytes)",
                            clip_input(query, 40), what, kMaxSearchQueryWords, kMaxSearchQueryBytes),
                ErrorContext{{}, 0, 0, option});
  };
  if (query.size() > kMaxSearchQueryBytes) too_long(fmt::format("{} bytes", query.size()));
  size_t words = 0;
  bool in_word = false;
  for (const char ch : query) {
    const auto c = static_cast<unsigned char>(ch);
    const bool word_char = std::isalnum(c) || c == '.' || c == '-' || c == '_' || c >= 0x80;
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  if (words > kMaxSearchQueryWords) too_long(fmt::format("{} words", words));
}


}  // namespace panocarbon
