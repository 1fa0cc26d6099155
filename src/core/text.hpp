// Small text helpers shared across modules (internal).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace panocarbon {
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;
// ASCII lower case.
std::string to_lower(std::string_view s);
// Edit distance (insertions, deletions, substitutions, transpositions of neighbours), for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The 1-based line in `text` of the last quoted token of `message` (nlohmann's "number overflow parsing
// '1e400'"), or 0 when the message quotes nothing or the token is not in the text.
long line_of_quoted(std::string_view text, std::string_view message);
}  // namespace panocarbon
