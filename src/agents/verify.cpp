// The verifier of the conversational layer: every number of an answer must come from a tool result (after the
// rounding shown and a unit scaling by a power of 1000, or as a percentage), or be a year, a citation index, a
// step number, a number of the question, or a percentage that is the ratio of two supported numbers quoted in
// the same sentence. docs/chat.md, "The verifier's rule".
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "agents/numbers.hpp"
#include "panocarbon/agents.hpp"

namespace panocarbon::agents {
namespace detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool starts_with_at(const std::string& s, size_t i, std::string_view what) {
  return s.compare(i, what.size(), what) == 0;
}
// The text before `i`, without trailing spaces, ends with `what` (ASCII case-insensitive).
bool preceded_by(const std::string& s, size_t i, std::string_view what) {
  while (i > 0 && s[i - 1] == ' ') --i;
  if (i < what.size()) return false;
  for (size_t k = 0; k < what.size(); ++k) {
    char a = s[i - what.size() + k], b = what[k];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != b) return false;
  }
  // a whole word: "step", not "footstep"
  const size_t at = i - what.size();
  return at == 0 || !is_word_char(s[at - 1]) || (static_cast<unsigned char>(what[0]) >= 0x80);
}

}  // namespace

std::vector<NumberToken> extract_numbers(const std::string& s) {
  std::vector<NumberToken> out;
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    if (!is_digit(s[i]) || (i > 0 && (is_word_char(s[i - 1]) || is_digit(s[i - 1])))) {
      // a digit run that continues a word (CO2, AR6, PM2.5's 5 after '.', handled below) is skipped whole
      if (is_digit(s[i]) && i > 0 && is_word_char(s[i - 1])) {
        while (i < n && (is_digit(s[i]) || (s[i] == '.' && i + 1 < n && is_digit(s[i + 1])))) ++i;
        continue;
      }
      ++i;
      continue;
    }
    NumberToken t;
    t.begin = i;
    std::string digits;  // the mantissa without separators
    size_t j = i;
    size_t int_digits = 0;
    bool separators = false;
    while (j < n && is_digit(s[j])) digits += s[j++], ++int_digits;
    // thousands separators: ",ddd" groups after a first group of 1-3 digits
    if (int_digits <= 3) {
      while (j + 3 < n && s[j] == ',' && is_digit(s[j + 1]) && is_digit(s[j + 2]) && is_digit(s[j + 3]) &&
             (j + 4 >= n || !is_digit(s[j + 4]))) {
        digits += s.substr(j + 1, 3);
        int_digits += 3;
        j += 4;
        separators = true;
      }
    }
    size_t decimals = 0;
    if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
      digits += '.';
      ++j;
      while (j < n && is_digit(s[j])) digits += s[j++], ++decimals;
    }
    int exponent = 0;
    bool scientific = false;
    if (j + 1 < n && (s[j] == 'e' || s[j] == 'E')) {
      size_t k = j + 1;
      if (k < n && (s[k] == '-' || s[k] == '+')) ++k;
      if (k < n && is_digit(s[k])) {
        const size_t e0 = j + 1;
        while (k < n && is_digit(s[k])) ++k;
        exponent = std::atoi(s.substr(e0, k - e0).c_str());
        scientific = true;
        j = k;
      }
    }
    // "× 10^-3" / "x10^5"
    {
      size_t k = j;
      while (k < n && s[k] == ' ') ++k;
      size_t after = std::string::npos;
      if (starts_with_at(s, k, "\xC3\x97")) after = k + 2;  // ×
      else if (k < n && s[k] == 'x' && k > j) after = k + 1;
      if (after != std::string::npos) {
        while (after < n && s[after] == ' ') ++after;
        if (starts_with_at(s, after, "10^")) {
          size_t e = after + 3;
          const size_t e0 = e;
          if (e < n && (s[e] == '-' || s[e] == '+')) ++e;
          if (e < n && is_digit(s[e])) {
            while (e < n && is_digit(s[e])) ++e;
            exponent = std::atoi(s.substr(e0, e - e0).c_str());
            scientific = true;
            j = e;
          }
        }
      }
    }
    double mantissa = std::strtod(digits.c_str(), nullptr);
    // half a unit of the last digit shown; integers count at most 3 significant digits
    double half = 0.5 * std::pow(10.0, -static_cast<double>(decimals));
    if (decimals == 0 && !scientific) {
      // trailing zeros of a long integer are rounding (3 significant figures), not digits shown
      size_t trailing = 0;
      for (size_t k = digits.size(); k > 0 && digits[k - 1] == '0'; --k) ++trailing;
      const size_t significant = int_digits - std::min(trailing, int_digits > 0 ? int_digits - 1 : 0);
      if (int_digits > 3 && significant <= 3) half = 0.5 * std::pow(10.0, static_cast<double>(int_digits - 3));
    }
    double value = mantissa * std::pow(10.0, exponent);
    double tolerance = half * std::pow(10.0, exponent);
    // Chinese multipliers and percent signs after the number
    size_t k = j;
    while (k < n && s[k] == ' ') ++k;
    if (starts_with_at(s, k, "\xE4\xB8\x87")) {  // 万
      value *= 1e4, tolerance *= 1e4, k += 3, j = k;
    } else if (starts_with_at(s, k, "\xE4\xBA\xBF")) {  // 亿
      value *= 1e8, tolerance *= 1e8, k += 3, j = k;
    }
    while (k < n && s[k] == ' ') ++k;
    if (k < n && s[k] == '%') t.percent = true, j = k + 1;
    else if (starts_with_at(s, k, "\xEF\xBC\x85")) t.percent = true, j = k + 3;  // ％
    t.end = j;
    t.text = s.substr(t.begin, t.end - t.begin);
    t.value = value;
    t.tolerance = tolerance;
    t.citation = i > 0 && s[i - 1] == '[' && j < n && s[j] == ']';
    t.year = !t.percent && !separators && decimals == 0 && !scientific && int_digits == 4 && value >= 1900 &&
             value <= 2100 && t.text.size() == 4;
    if (t.percent && (value == 90 || value == 95 || value == 99)) {
      size_t a = j;
      while (a < n && s[a] == ' ') ++a;
      for (std::string_view w : {"range", "interval", "confidence", "CI", "uncertainty", "\xE5\x8C\xBA\xE9\x97\xB4" /* 区间 */,
                                 "\xE7\xBD\xAE\xE4\xBF\xA1" /* 置信 */, "\xE8\x8C\x83\xE5\x9B\xB4" /* 范围 */})
        if (starts_with_at(s, a, w)) t.level = true;
    }
    t.step_number = preceded_by(s, i, "step") || preceded_by(s, i, "steps") ||
                    preceded_by(s, i, "\xE6\xAD\xA5\xE9\xAA\xA4") /* 步骤 */ ||
                    preceded_by(s, i, "\xE7\xAC\xAC") /* 第 */;
    out.push_back(std::move(t));
    i = j;
  }
  return out;
}

std::string format_number(double v) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
  if (v == 0) return "0";
  const double a = std::fabs(v);
  const std::string sign = v < 0 ? "-" : "";
  int mag = static_cast<int>(std::floor(std::log10(a)));
  double rounded = std::round(a / std::pow(10.0, mag - 2)) * std::pow(10.0, mag - 2);
  if (rounded >= std::pow(10.0, mag + 1)) ++mag;  // 999.6 -> 1,000
  if (a < 1e-3) return sign + fmt::format("{:.2e}", a);
  if (rounded >= 1000) {
    std::string digits = fmt::format("{:.0f}", rounded);
    std::string grouped;
    const size_t len = digits.size();
    for (size_t k = 0; k < len; ++k) {
      if (k > 0 && (len - k) % 3 == 0) grouped += ',';
      grouped += digits[k];
    }
    return sign + grouped;
  }
  const int decimals = std::max(0, 2 - mag);
  return sign + fmt::format("{:.{}f}", rounded, decimals);
}

}  // namespace detail

namespace {

using detail::NumberToken;

// Every number a result holds: numbers, and the numbers written in its strings (process names, sources), and
// the arguments the step ran with.
void collect(const nlohmann::json& j, std::vector<double>& out) {
  if (j.is_number()) {
    out.push_back(j.get<double>());
  } else if (j.is_string()) {
    for (const auto& t : detail::extract_numbers(j.get_ref<const std::string&>())) out.push_back(t.value);
  } else if (j.is_array() || j.is_object()) {
    for (const auto& e : j) collect(e, out);
  }
}

bool near(double shown, double tolerance, double exact) {
  return std::fabs(shown - exact) <= tolerance * (1 + 1e-9) + 1e-12 * std::fabs(exact);
}

// The exact value of a result that `t` shows, if any (powers of 1000 as unit scalings; a percent sign as a
// fraction or as a percentage).
std::optional<double> supported_by(const NumberToken& t, const std::vector<double>& values) {
  static const double scales[] = {1, 1e3, 1e-3, 1e6, 1e-6, 1e9, 1e-9};
  for (const double v : values) {
    const double a = std::fabs(v);
    for (const double s : scales) {
      if (near(t.value, t.tolerance, a * s)) return a * s;
      if (t.percent && near(t.value, t.tolerance, a * s * 100)) return a * s * 100;
    }
  }
  return std::nullopt;
}

// The sentence of a byte offset: split at 。 ！ ？ ; newline, and ". " / "? " / "! ".
size_t sentence_of(const std::string& text, size_t at) {
  size_t sentence = 0;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == ';') ++sentence;
    else if ((c == '.' || c == '?' || c == '!') && i + 1 < text.size() && text[i + 1] == ' ') ++sentence;
    else if (text.compare(i, 3, "\xE3\x80\x82") == 0 || text.compare(i, 3, "\xEF\xBC\x9B") == 0 ||
             text.compare(i, 3, "\xEF\xBC\x81") == 0 || text.compare(i, 3, "\xEF\xBC\x9F") == 0)
      ++sentence;
  }
  return sentence;
}

}  // namespace

std::vector<std::string> unsupported_numbers(const std::string& text, const std::string& question,
                                             const std::vector<StepResult>& results) {
  std::vector<double> values;
  for (const auto& r : results) {
    collect(r.result, values);
    collect(r.step.arguments, values);
    if (!r.error.empty()) collect(nlohmann::json(r.error), values);  // an error message is the tool's own text
  }
  std::vector<double> asked;
  for (const auto& t : detail::extract_numbers(question)) asked.push_back(t.value);

  const auto tokens = detail::extract_numbers(text);
  struct Checked {
    const NumberToken* token;
    std::optional<double> exact;  // the result value it shows
    size_t sentence;
  };
  std::vector<Checked> checked;
  for (const auto& t : tokens) {
    Checked c{&t, std::nullopt, sentence_of(text, t.begin)};
    if (t.citation) {
      const double idx = t.value;
      if (idx >= 1 && idx <= static_cast<double>(results.size()) && idx == std::floor(idx)) c.exact = idx;
    } else if (t.year || t.level) {
      c.exact = t.value;
    } else if (t.step_number && t.value >= 1 && t.value <= static_cast<double>(results.size()) &&
               t.value == std::floor(t.value)) {
      c.exact = t.value;
    } else {
      c.exact = supported_by(t, values);
      if (!c.exact) {
        for (const double q : asked) {
          if (near(t.value, t.tolerance, q)) c.exact = q;
          else if (t.percent && near(t.value, t.tolerance, q * 100)) c.exact = q * 100;
        }
      }
    }
    checked.push_back(c);
  }
  // A percentage that is the ratio of two supported numbers of its sentence (a share computed from two results).
  std::vector<std::string> unsupported;
  for (auto& c : checked) {
    if (c.exact) continue;
    bool derived = false;
    if (c.token->percent) {
      for (const auto& a : checked)
        for (const auto& b : checked) {
          if (derived || &a == &b || !a.exact || !b.exact || a.sentence != c.sentence || b.sentence != c.sentence) continue;
          if (a.token->citation || b.token->citation || a.token->year || b.token->year || *b.exact == 0) continue;
          // from the results' exact values, or from the numbers as shown with their rounding carried over
          const double shown = 100 * a.token->value / b.token->value;
          const double carried = c.token->tolerance + std::fabs(shown) * (a.token->tolerance / std::fabs(a.token->value) +
                                                                          b.token->tolerance / std::fabs(b.token->value));
          derived = near(c.token->value, c.token->tolerance, 100 * *a.exact / *b.exact) ||
                    (a.token->value != 0 && b.token->value != 0 && std::fabs(c.token->value - shown) <= carried);
        }
    }
    if (!derived) unsupported.push_back(c.token->text);
  }
  return unsupported;
}

}  // namespace panocarbon::agents
