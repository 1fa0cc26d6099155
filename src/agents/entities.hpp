// Entity recognition for the deterministic planner (private to src/agents): the text of a question normalised
// (full-width forms, Chinese punctuation, Latin accents), keywords matched as whole words (English) or as
// substrings (Chinese), countries from data (data/iso3166.csv, data/country_names_zh.csv,
// data/country_aliases.csv), years, amounts with units, and the Chinese product words the English LCA and
// factor databases are searched with. docs/chat-planner.md describes the rules.
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon::agents::detail {

// The question as the recogniser reads it: `text` with full-width ASCII, ideographic space, Chinese
// punctuation and dashes mapped to ASCII and Latin-1 accents folded (é -> e), spaces collapsed; `lower` is the
// same with ASCII letters in lower case (the same byte offsets). Recognised spans are blanked in `lower` by
// claim() so that later rules do not read them again.
struct Text {
  std::string text;
  std::string lower;
  explicit Text(std::string_view question);
  void claim(size_t pos, size_t len);  // blank [pos, pos + len) of lower (whole UTF-8 sequences: bytes -> ' ')
};

std::string normalise(std::string_view s);
std::string valid_utf8(std::string_view s);  // each byte that is not well-formed UTF-8 becomes U+FFFD
std::string ascii_lower(std::string_view s);
bool has_cjk(std::string_view s);  // any CJK ideograph (U+3400-U+9FFF, U+F900-U+FAFF, U+20000-U+2FFFF)
bool is_word_byte(char c);         // ASCII letter or digit

// Keywords: an entry whose first (last) byte is an ASCII letter or digit must start (end) at a word boundary;
// a trailing '*' drops the end boundary (prefix match: "uncertain*"). Chinese keywords match anywhere.
size_t find_keyword(std::string_view hay, std::string_view keyword, size_t from = 0);
bool has_any(std::string_view hay, const std::vector<std::string_view>& keywords);
// The first keyword of the list found, and where (npos when none).
std::pair<size_t, size_t> find_any(std::string_view hay, const std::vector<std::string_view>& keywords);

// --- countries ------------------------------------------------------------------------------------------------

struct CountryMention {
  std::string code;    // ISO 3166-1 alpha-3
  size_t pos = 0, len = 0;  // in Text::text / Text::lower
  std::string matched; // the words of the question
};

class Countries {
 public:
  static const Countries& get();  // loaded once from the embedded tables
  // Every country named in the text, in order of position; longest names first, spans never overlapping.
  // ISO codes and short upper-case aliases (US, UK, PRC) only in upper case; a name that is also a common
  // English word (Turkey, Chad, Jordan, ...) only capitalised.
  std::vector<CountryMention> find(const Text& t) const;
  // A code, an English or Chinese name or an alias (case and accents ignored); nullopt when none.
  std::optional<std::string> resolve(std::string_view name) const;
  std::string english(const std::string& code) const;  // the ISO short name; the code when unknown
  std::string chinese(const std::string& code) const;  // the zh_CN name; the English name when none
  // The codes of the countries whose names (English, Chinese, aliases) are nearest to `word` (edit distance),
  // best first.
  std::vector<std::string> nearest(std::string_view word, size_t at_most = 3) const;
  size_t size() const { return codes_.size(); }
  const std::vector<std::string>& codes() const { return codes_; }
  // Every Chinese name of the file with its code (for the tests).
  const std::vector<std::pair<std::string, std::string>>& chinese_names() const { return zh_; }

 private:
  Countries();
  std::vector<std::string> codes_;
  std::vector<std::pair<std::string, std::string>> en_;     // folded lower-case English name or alias -> code
  std::vector<std::pair<std::string, std::string>> upper_;  // ISO code or upper-case alias (exact case) -> code
  std::vector<std::pair<std::string, std::string>> zh_;     // Chinese name or alias -> code
  std::vector<std::pair<std::string, std::string>> names_;  // code -> English name (sorted by code)
  std::map<std::string, std::string> zh_name_;              // code -> the zh_CN short name
};

// --- numbers --------------------------------------------------------------------------------------------------

struct YearMention {
  int year = 0;
  size_t pos = 0, len = 0;
};
// Years 1750-2100 written as four digits (not inside a longer number, a decimal, an amount or "AR6").
std::vector<YearMention> find_years(const Text& t);

struct AmountMention {
  double value = 1;
  std::string unit;  // the unit's canonical symbol (kg, t, g, kWh, MJ, m3, L, ...)
  size_t pos = 0, len = 0;
};
// "1 kg", "2.5 tonnes", "one kilogram", "a tonne", "1吨", "一千克", "500 kWh": the first amount with a unit.
std::optional<AmountMention> find_amount(const Text& t);

// --- product words --------------------------------------------------------------------------------------------

// Chinese product and fuel words and the English words the databases use (USLCI process names, the IPCC fuel
// names of the factor library): longest first, non-overlapping, in the order of the text.
struct Term {
  std::string zh, en;
  size_t pos = 0;
};
std::vector<Term> find_terms(std::string_view lower);
const std::vector<std::pair<std::string_view, std::string_view>>& product_glossary();

}  // namespace panocarbon::agents::detail
