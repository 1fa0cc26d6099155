// Entity recognition for the deterministic planner: normalised text, keywords, countries from the embedded
// tables, years, amounts with units, and Chinese product words. See entities.hpp and docs/chat-planner.md.
#include "agents/entities.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "core/countries.hpp"
#include "core/csv.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "panocarbon/registry.hpp"

namespace panocarbon::agents::detail {

namespace {

// One code point of UTF-8 at s[i]; its length in `len` (1 for a stray byte, which is kept as it is).
uint32_t decode(std::string_view s, size_t i, size_t& len) {
  const auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  if (b < 0x80) { len = 1; return b; }
  if ((b & 0xE0) == 0xC0 && cont(1)) {
    len = 2;
    return ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
  }
  if ((b & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    len = 3;
    return ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
  }
  if ((b & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    len = 4;
    return ((b & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  }
  len = 1;
  return 0xFFFD;
}

bool is_cjk(uint32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

// Latin-1 letters folded to ASCII (U+00C0 ... U+00FF); 0 where none.
char fold_latin1(uint32_t c) {
  static const char* const table =
      "AAAAAAACEEEEIIII"   // C0-CF
      "DNOOOOO\0OUUUUYTs"  // D0-DF (D7 is the multiplication sign)
      "aaaaaaaceeeeiiii"   // E0-EF
      "dnooooo\0ouuuuyty"; // F0-FF (F7 is the division sign)
  if (c < 0xC0 || c > 0xFF) return 0;
  return table[c - 0xC0];
}

}  // namespace

std::string normalise(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  auto put = [&](char c) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      return;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  };
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    const uint32_t c = decode(s, i, len);
    if (c >= 0xFF01 && c <= 0xFF5E) {
      put(static_cast<char>(c - 0xFEE0));  // full-width ASCII
    } else if (c == 0x3000 || c == 0x00A0) {
      put(' ');
    } else if (c == 0x3001) {
      put(',');  // 、
    } else if (c == 0x3002) {
      put('.');  // 。
    } else if (c == 0x2013 || c == 0x2014 || c == 0x2015 || c == 0x2212) {
      put('-');  // dashes and minus
    } else if (c == 0x301C) {
      put('~');
    } else if (c == 0x2018 || c == 0x2019) {
      put('\'');
    } else if (c == 0x201C || c == 0x201D || c == 0x300C || c == 0x300D || c == 0x300E || c == 0x300F) {
      put('"');
    } else if (c == 0x300A || c == 0x300B) {
      put('"');  // 《》 around a title
    } else if (const char f = fold_latin1(c)) {
      put(f);
    } else if (c == 0x00B3) {
      put('3');  // m³
    } else {
      for (size_t k = 0; k < len; ++k) put(s[i + k]);
    }
    i += len;
  }
  return out;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  while (!s.empty()) {
    const size_t bad = utf8_error_offset(s);
    if (bad == std::string_view::npos) {
      out.append(s);
      break;
    }
    out.append(s.substr(0, bad));
    out += "\xEF\xBF\xBD";
    s.remove_prefix(bad + 1);
  }
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool has_cjk(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    if (is_cjk(decode(s, i, len))) return true;
    i += len;
  }
  return false;
}

bool is_word_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Text::Text(std::string_view question) : text(normalise(question)), lower(ascii_lower(text)) {}

void Text::claim(size_t pos, size_t len) {
  for (size_t i = pos; i < pos + len && i < lower.size(); ++i) lower[i] = ' ';
}

size_t find_keyword(std::string_view hay, std::string_view keyword, size_t from) {
  bool prefix = false;
  if (!keyword.empty() && keyword.back() == '*') {
    prefix = true;
    keyword.remove_suffix(1);
  }
  if (keyword.empty()) return std::string_view::npos;
  const bool left = is_word_byte(keyword.front());
  const bool right = !prefix && is_word_byte(keyword.back());
  for (size_t p = hay.find(keyword, from); p != std::string_view::npos; p = hay.find(keyword, p + 1)) {
    if (left && p > 0 && is_word_byte(hay[p - 1])) continue;
    const size_t e = p + keyword.size();
    if (right && e < hay.size() && is_word_byte(hay[e])) continue;
    return p;
  }
  return std::string_view::npos;
}

bool has_any(std::string_view hay, const std::vector<std::string_view>& keywords) {
  return find_any(hay, keywords).first != std::string_view::npos;
}

std::pair<size_t, size_t> find_any(std::string_view hay, const std::vector<std::string_view>& keywords) {
  for (const auto& k : keywords) {
    const size_t p = find_keyword(hay, k);
    if (p != std::string_view::npos) return {p, k.size() - (k.back() == '*' ? 1 : 0)};
  }
  return {std::string_view::npos, 0};
}

// --- countries ------------------------------------------------------------------------------------------------

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// English names as they are written in questions: "Korea, Republic of" is also "Republic of Korea", "Virgin
// Islands, British" also "British Virgin Islands", "Holy See (Vatican City State)" also "Holy See" and "Vatican
// City State"; a leading "The" is dropped.
std::vector<std::string> english_forms(const std::string& name) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    s = trim(ascii_lower(normalise(s)));
    if (s.rfind("the ", 0) == 0) s = s.substr(4);
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  add(name);
  std::string base = name;
  if (const auto open = name.find(" ("); open != std::string::npos && name.back() == ')') {
    base = name.substr(0, open);
    add(base);
    add(name.substr(open + 2, name.size() - open - 3));
  }
  if (const auto comma = base.find(", "); comma != std::string::npos) {
    const std::string head = base.substr(0, comma), tail = base.substr(comma + 2);
    add(tail + " " + head);  // the head alone ("Korea") could name two: aliases name those
  }
  return out;
}

// Names that are also common English words: matched only when written with a capital letter.
const std::set<std::string, std::less<>>& capital_only() {
  static const std::set<std::string, std::less<>> s = {"turkey", "chad", "jersey", "jordan", "georgia", "guinea",
                                                       "niger", "mali", "china", "japan", "cuba", "oman",
                                                       "peru", "togo", "wallis", "bonaire"};
  return s;
}

// Codes that are also English words or this field's acronyms in upper case ("AND", "CAN", "LCA" for life cycle
// assessment): not read as codes in a question (the names, and resolve(), still name these countries).
bool code_is_word(const std::string& code) {
  static const std::set<std::string, std::less<>> words = {"AND", "ARE", "ARM", "CAN", "COM", "FIN", "LCA",
                                                           "PER", "TON"};
  return words.count(code) > 0;
}

}  // namespace

Countries::Countries() {
  std::map<std::string, std::string> names;
  for (const auto& iso : iso_countries()) {
    const std::string& code = iso.alpha3;
    codes_.push_back(code);
    names[code] = iso.name;
    if (!code_is_word(code)) upper_.emplace_back(code, code);
    for (auto& form : english_forms(iso.name)) en_.emplace_back(std::move(form), code);
  }
  {
    io::CsvReader csv(panocarbon::detail::embedded_file("country_names_zh.csv"), "<embedded>/country_names_zh.csv");
    csv.next();  // alpha3,name_zh,field
    while (csv.next()) {
      const auto& f = csv.fields();
      if (f.size() < 3 || !names.count(std::string(f[0]))) continue;
      zh_.emplace_back(normalise(f[1]), std::string(f[0]));  // as questions are read: 、 is ','
      if (f[2] == "name") zh_name_.emplace(std::string(f[0]), std::string(f[1]));
    }
  }
  {
    io::CsvReader csv(panocarbon::detail::embedded_file("country_aliases.csv"), "<embedded>/country_aliases.csv");
    csv.next();  // alpha3,alias,language,source
    while (csv.next()) {
      const auto& f = csv.fields();
      if (f.size() < 3 || !names.count(std::string(f[0]))) continue;
      const std::string code(f[0]), alias(f[1]);
      if (f[2] == "zh") {
        zh_.emplace_back(normalise(alias), code);
      } else if (std::none_of(alias.begin(), alias.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
        upper_.emplace_back(alias, code);  // US, UK, PRC, U.S.: only in upper case
      } else {
        for (auto& form : english_forms(alias)) en_.emplace_back(std::move(form), code);
      }
    }
  }
  auto longest_first = [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() > b.first.size() : a.first < b.first;
  };
  std::stable_sort(en_.begin(), en_.end(), longest_first);
  std::stable_sort(upper_.begin(), upper_.end(), longest_first);
  std::stable_sort(zh_.begin(), zh_.end(), longest_first);
  names_.assign(names.begin(), names.end());
}

const Countries& Countries::get() {
  static const Countries c;
  return c;
}

std::vector<CountryMention> Countries::find(const Text& t) const {
  std::vector<CountryMention> out;
  std::vector<bool> taken(t.lower.size(), false);
  auto free = [&](size_t p, size_t n) {
    for (size_t i = p; i < p + n; ++i)
      if (taken[i]) return false;
    return true;
  };
  auto take = [&](size_t p, size_t n, const std::string& code) {
    for (size_t i = p; i < p + n; ++i) taken[i] = true;
    out.push_back({code, p, n, t.text.substr(p, n)});
  };
  for (const auto& [name, code] : zh_)
    for (size_t p = t.lower.find(name); p != std::string::npos; p = t.lower.find(name, p + name.size()))
      if (free(p, name.size())) take(p, name.size(), code);
  // English names and upper-case codes and aliases together, the longest first ("Virgin Islands, U.S." before "U.S.")
  size_t iu = 0, ie = 0;
  while (iu < upper_.size() || ie < en_.size()) {
    const bool upper = ie >= en_.size() || (iu < upper_.size() && upper_[iu].first.size() > en_[ie].first.size());
    if (upper) {
      const auto& [name, code] = upper_[iu++];
      const std::string low = ascii_lower(name);
      for (size_t p = find_keyword(t.text, name); p != std::string::npos; p = find_keyword(t.text, name, p + 1))
        if (t.lower.compare(p, low.size(), low) == 0 && free(p, name.size())) take(p, name.size(), code);
      continue;
    }
    const auto& [name, code] = en_[ie++];
    const bool capital = capital_only().count(name) > 0;
    for (size_t p = find_keyword(t.lower, name); p != std::string::npos; p = find_keyword(t.lower, name, p + 1)) {
      if (!free(p, name.size())) continue;
      // a capital letter is needed for a common word, unless the whole question is in lower case
      if (capital && !(t.text[p] >= 'A' && t.text[p] <= 'Z') && t.text != t.lower) continue;
      take(p, name.size(), code);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.pos < b.pos; });
  return out;
}

std::optional<std::string> Countries::resolve(std::string_view name) const {
  const std::string n = trim(normalise(name));
  if (n.empty()) return std::nullopt;
  const std::string low = ascii_lower(n);
  for (const auto& c : codes_)
    if (ascii_lower(c) == low) return c;
  for (const auto& [alias, code] : upper_)
    if (ascii_lower(alias) == low) return code;
  std::string form = low;
  if (form.rfind("the ", 0) == 0) form = form.substr(4);
  for (const auto& [en, code] : en_)
    if (en == form) return code;
  for (const auto& [zh, code] : zh_)
    if (zh == n) return code;
  return std::nullopt;
}

std::string Countries::english(const std::string& code) const {
  const auto it = std::lower_bound(names_.begin(), names_.end(), code,
                                   [](const auto& e, const std::string& c) { return e.first < c; });
  return it != names_.end() && it->first == code ? it->second : code;
}

std::string Countries::chinese(const std::string& code) const {
  const auto it = zh_name_.find(code);
  return it == zh_name_.end() ? english(code) : it->second;
}

std::vector<std::string> Countries::nearest(std::string_view word, size_t at_most) const {
  const std::string w = has_cjk(word) ? trim(normalise(word)) : ascii_lower(trim(normalise(word)));
  std::vector<std::string> candidates;
  std::multimap<std::string, std::string> code_of;
  auto add = [&](const std::string& name, const std::string& code) {
    candidates.push_back(name);
    code_of.emplace(name, code);
  };
  if (has_cjk(w)) {
    for (const auto& [zh, code] : zh_) add(zh, code);
  } else {
    for (const auto& [en, code] : en_) add(en, code);
  }
  std::vector<std::string> out;
  for (const auto& n : panocarbon::nearest(w, candidates, at_most * 4)) {
    const auto range = code_of.equal_range(n);
    for (auto it = range.first; it != range.second; ++it)
      if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
    if (out.size() >= at_most) break;
  }
  if (out.size() > at_most) out.resize(at_most);
  return out;
}

// --- numbers --------------------------------------------------------------------------------------------------

namespace {

struct UnitWord {
  std::string_view word;
  std::string_view symbol;
};
// Longest first where one is the start of another.
const std::vector<UnitWord>& unit_words() {
  static const std::vector<UnitWord> u = {
      {"kilograms", "kg"}, {"kilogram", "kg"}, {"kilos", "kg"}, {"kilo", "kg"}, {"kgs", "kg"}, {"kg", "kg"},
      {"metric tonnes", "t"}, {"metric tons", "t"}, {"metric ton", "t"}, {"tonnes", "t"}, {"tonne", "t"},
      {"tons", "t"}, {"ton", "t"}, {"grams", "g"}, {"gram", "g"}, {"kwh", "kWh"}, {"mwh", "MWh"},
      {"gwh", "GWh"}, {"megajoules", "MJ"}, {"megajoule", "MJ"}, {"mj", "MJ"}, {"gj", "GJ"}, {"tj", "TJ"},
      {"cubic metres", "m3"}, {"cubic meters", "m3"}, {"cubic metre", "m3"}, {"cubic meter", "m3"}, {"m3", "m3"},
      {"litres", "L"}, {"liters", "L"}, {"litre", "L"}, {"liter", "L"}, {"t", "t"}, {"g", "g"}, {"l", "L"},
      {"千克", "kg"}, {"公斤", "kg"}, {"千瓦时", "kWh"}, {"度电", "kWh"}, {"兆焦", "MJ"}, {"吉焦", "GJ"},
      {"立方米", "m3"}, {"吨", "t"}, {"克", "g"}, {"升", "L"}};
  return u;
}

// A unit word at lower[p] (after optional spaces); its length in `len`.
const UnitWord* unit_at(const std::string& lower, size_t p, size_t& len) {
  size_t q = p;
  while (q < lower.size() && lower[q] == ' ') ++q;
  for (const auto& u : unit_words()) {
    if (lower.compare(q, u.word.size(), u.word) != 0) continue;
    const size_t e = q + u.word.size();
    if (is_word_byte(u.word.back()) && e < lower.size() && is_word_byte(lower[e])) continue;
    len = e - p;
    return &u;
  }
  return nullptr;
}

// Chinese numerals up to 99999 (一, 两, 十二, 三百五十, 一千, 两万); false when the text is none.
bool chinese_number(std::string_view s, size_t& used, double& value) {
  static const std::vector<std::pair<std::string_view, int>> digits = {
      {"零", 0}, {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3}, {"四", 4}, {"五", 5},
      {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9}};
  static const std::vector<std::pair<std::string_view, int>> units = {{"十", 10}, {"百", 100}, {"千", 1000},
                                                                      {"万", 10000}};
  size_t i = 0;
  long total = 0, section = 0, digit = -1;
  bool any = false;
  while (i < s.size()) {
    bool matched = false;
    for (const auto& [d, v] : digits)
      if (s.compare(i, d.size(), d) == 0) {
        digit = v;
        i += d.size();
        matched = any = true;
        break;
      }
    if (matched) continue;
    for (const auto& [u, v] : units)
      if (s.compare(i, u.size(), u) == 0) {
        // 千克 is a unit, not "thousand": stop before it
        if (u == "千" && s.compare(i, std::string_view("千克").size(), "千克") == 0) break;
        if (u == "千" && s.compare(i, std::string_view("千瓦时").size(), "千瓦时") == 0) break;
        const long d = digit < 0 ? 1 : digit;
        if (v == 10000) {
          total += (section + (digit < 0 ? 0 : digit)) * 10000;
          if (section == 0 && digit < 0) total += 10000;
          section = 0;
        } else {
          section += d * v;
        }
        digit = -1;
        i += u.size();
        matched = any = true;
        break;
      }
    if (!matched) break;
  }
  if (!any) return false;
  used = i;
  value = static_cast<double>(total + section + (digit < 0 ? 0 : digit));
  return value > 0;
}

}  // namespace

std::optional<AmountMention> find_amount(const Text& t) {
  const std::string& s = t.lower;
  for (size_t i = 0; i < s.size(); ++i) {
    double value = 0;
    size_t start = i, end = i;
    if (s[i] >= '0' && s[i] <= '9' && (i == 0 || (!is_word_byte(s[i - 1]) && s[i - 1] != '.'))) {
      size_t j = i;
      std::string digits;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || (s[j] == ',' && j + 3 < s.size() &&
                                                                               s[j + 1] >= '0' && s[j + 1] <= '9'))) {
        if (s[j] != ',') digits.push_back(s[j]);
        ++j;
      }
      if (!digits.empty() && digits.back() == '.') {
        digits.pop_back();
        --j;
      }
      try {
        value = std::stod(digits);
      } catch (...) {
        continue;
      }
      end = j;
    } else if ((s.compare(i, 4, "one ") == 0 || s.compare(i, 2, "a ") == 0 || s.compare(i, 3, "an ") == 0) &&
               (i == 0 || !is_word_byte(s[i - 1]))) {
      value = 1;
      end = i + (s[i] == 'o' ? 3 : s[i + 1] == 'n' ? 2 : 1);
    } else if (static_cast<unsigned char>(s[i]) >= 0x80) {
      size_t used = 0;
      if (!chinese_number(std::string_view(s).substr(i), used, value)) continue;
      end = i + used;
    } else {
      continue;
    }
    size_t ulen = 0;
    const UnitWord* u = unit_at(s, end, ulen);
    // "a t", "one g", "a l": a letter alone is no unit after a word
    if (u && !(s[i] >= '0' && s[i] <= '9') && u->word.size() == 1) u = nullptr;
    if (u && value > 0 && std::isfinite(value)) {
      AmountMention a;
      a.value = value;
      a.unit = std::string(u->symbol);
      a.pos = start;
      a.len = end + ulen - start;
      return a;
    }
    if (end > i) i = end - 1;
  }
  return std::nullopt;
}

std::vector<YearMention> find_years(const Text& t) {
  std::vector<YearMention> out;
  const std::string& s = t.lower;
  for (size_t i = 0; i + 4 <= s.size(); ++i) {
    if (!(s[i] >= '0' && s[i] <= '9')) continue;
    size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    const bool bounded = (i == 0 || (!is_word_byte(s[i - 1]) && s[i - 1] != '.' && s[i - 1] != ',')) &&
                         (j == s.size() || (!is_word_byte(s[j]) && !(s[j] == '.' && j + 1 < s.size() &&
                                                                      s[j + 1] >= '0' && s[j + 1] <= '9')));
    if (j - i == 4 && bounded) {
      const int y = std::stoi(s.substr(i, 4));
      if (y >= 1750 && y <= 2100) out.push_back({y, i, 4});
    }
    i = j;
  }
  return out;
}

// --- product words --------------------------------------------------------------------------------------------

const std::vector<std::pair<std::string_view, std::string_view>>& product_glossary() {
  // Chinese words -> the English words of USLCI process names and of the IPCC fuel names of the factor library.
  static const std::vector<std::pair<std::string_view, std::string_view>> g = {
      {"普通硅酸盐水泥", "portland cement"}, {"硅酸盐水泥", "portland cement"}, {"波特兰水泥", "portland cement"},
      {"水泥熟料", "clinker"}, {"熟料", "clinker"}, {"水泥", "cement"}, {"预拌混凝土", "ready mixed concrete"},
      {"混凝土", "concrete"}, {"不锈钢", "stainless steel"}, {"钢铁", "steel"}, {"钢材", "steel"}, {"钢", "steel"},
      {"原铝", "primary aluminum"}, {"铝锭", "aluminum ingot"}, {"铝", "aluminum"}, {"铜", "copper"},
      {"平板玻璃", "flat glass"}, {"玻璃", "glass"}, {"纸板", "paperboard"}, {"瓦楞纸", "corrugated"},
      {"纸", "paper"}, {"聚乙烯", "polyethylene"}, {"聚丙烯", "polypropylene"}, {"聚氯乙烯", "polyvinyl chloride"},
      {"聚苯乙烯", "polystyrene"}, {"塑料", "plastic"}, {"电力", "electricity"}, {"电", "electricity"},
      {"柴油", "diesel"}, {"汽油", "gasoline"}, {"天然气", "natural gas"}, {"液化石油气", "liquefied petroleum gas"},
      {"燃料油", "fuel oil"}, {"重油", "residual fuel oil"}, {"煤油", "kerosene"}, {"原油", "crude oil"},
      {"无烟煤", "anthracite"}, {"褐煤", "lignite"}, {"焦炭", "coke"}, {"煤炭", "coal"}, {"煤", "coal"},
      {"石灰石", "limestone"}, {"石灰", "lime"}, {"石膏", "gypsum"}, {"沥青", "asphalt"}, {"砖", "brick"},
      {"胶合板", "plywood"}, {"锯材", "lumber"}, {"木材", "lumber"}, {"小麦", "wheat"}, {"玉米", "corn"},
      {"大豆", "soybean"}, {"稻谷", "rice"}, {"大米", "rice"}, {"牛奶", "milk"}, {"牛肉", "beef"},
      {"猪肉", "pork"}, {"鸡肉", "chicken"}, {"尿素", "urea"}, {"氮肥", "nitrogen fertilizer"},
      {"化肥", "fertilizer"}, {"合成氨", "ammonia"}, {"氨", "ammonia"}, {"乙醇", "ethanol"}, {"氢气", "hydrogen"},
      {"卡车运输", "transport truck"}, {"公路运输", "transport truck"}, {"铁路运输", "transport train"},
      {"货车", "truck"}, {"卡车", "truck"}, {"沙子", "sand"}, {"砂石", "gravel"}, {"碎石", "crushed stone"},
      {"玻璃纤维", "glass fiber"}, {"聚氨酯", "polyurethane"}, {"乙烯", "ethylene"}, {"硫酸", "sulfuric acid"},
      {"烧碱", "sodium hydroxide"}, {"氢氧化钠", "sodium hydroxide"}, {"苏打", "soda ash"}};
  return g;
}

std::vector<Term> find_terms(std::string_view lower) {
  std::vector<std::pair<std::string_view, std::string_view>> g = product_glossary();
  std::stable_sort(g.begin(), g.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  std::vector<Term> out;
  std::vector<bool> taken(lower.size(), false);
  for (const auto& [zh, en] : g)
    for (size_t p = lower.find(zh); p != std::string_view::npos; p = lower.find(zh, p + zh.size())) {
      bool ok = true;
      for (size_t i = p; i < p + zh.size(); ++i) ok = ok && !taken[i];
      if (!ok) continue;
      for (size_t i = p; i < p + zh.size(); ++i) taken[i] = true;
      out.push_back({std::string(zh), std::string(en), p});
    }
  std::sort(out.begin(), out.end(), [](const Term& a, const Term& b) { return a.pos < b.pos; });
  return out;
}

}  // namespace panocarbon::agents::detail
