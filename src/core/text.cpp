#include "core/text.hpp"

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

long line_of_quoted(std::string_view text, std::string_view message) {
  const size_t close = message.rfind('\'');
  if (close == std::string_view::npos || close == 0) return 0;
  const size_t open = message.rfind('\'', close - 1);
  if (open == std::string_view::npos || close == open + 1) return 0;
  const size_t at = text.find(message.substr(open + 1, close - open - 1));
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace panocarbon
