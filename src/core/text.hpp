// Small text helpers shared across modules (internal).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon {
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;
// ASCII lower case.
std::string to_lower(std::string_view s);
// Edit distance (insertions, deletions, substitutions, transpositions of neighbours), for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The names of `candidates` within a small edit distance of `word` (case-insensitive; a prefix of 3 or more
// characters counts as near), best first, at most `at_most`: for "did you mean" in messages.
std::vector<std::string> nearest_names(std::string_view word, const std::vector<std::string>& candidates,
                                       size_t at_most = 3);

// Where the first byte that is not well-formed UTF-8 sits in s (overlong forms, surrogates and code points
// above U+10FFFF count as ill-formed); std::string_view::npos when s is valid UTF-8.
size_t utf8_error_offset(std::string_view s) noexcept;
inline bool is_valid_utf8(std::string_view s) noexcept { return utf8_error_offset(s) == std::string_view::npos; }

// User input quoted in a message: at most max_bytes of it (cut at a character boundary, with an ellipsis and
// the whole length when cut), control characters and bytes that are not UTF-8 written as \xNN, so that a
// message stays short, printable and valid UTF-8 whatever the input was.
std::string clip_input(std::string_view s, size_t max_bytes = 80);

// The bounds of a full-text search query (`factors search`): a search is for a few words, and the cost of a
// query grows with the square of its words.
constexpr size_t kMaxSearchQueryBytes = 500;
constexpr size_t kMaxSearchQueryWords = 20;
// Throws Error{InvalidInput} on field `option` when the query is longer than kMaxSearchQueryBytes or has more
// than kMaxSearchQueryWords words (runs of letters, digits, '.', '-', '_' and non-ASCII bytes).
void check_search_query(std::string_view query, const std::string& option);

}  // namespace panocarbon
