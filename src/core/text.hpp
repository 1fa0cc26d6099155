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
}  // namespace panocarbon
