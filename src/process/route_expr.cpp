#include "process/route_expr.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "panocarbon/error.hpp"
#include "core/text.hpp"

namespace panocarbon::process::detail {

std::string suggestion(std::string_view word, const std::vector<std::string>& names) {
  if (names.empty()) return {};
  std::vector<std::string> near;
  for (const auto& n : nearest_names(word, names)) near.push_back("'" + n + "'");
  if (!near.empty()) return fmt::format(" (did you mean {}?)", fmt::join(near, ", "));
  std::vector<std::string> all;
  for (const auto& n : names) {
    if (all.size() == 12) {
      all.push_back("...");
      break;
    }
    all.push_back(n);
  }
  return fmt::format(" (known: {})", fmt::join(all, ", "));
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, const NameLookup& lookup, const std::string& file, const std::string& pointer)
      : s_(text), lookup_(lookup), file_(file), pointer_(pointer) {}

  double run() {
    skip();
    if (pos_ == s_.size()) fail("is empty; give a number or an expression of parameters");
    const double v = expr();
    skip();
    if (pos_ != s_.size())
      fail(
          fmt::format("has '{}' where an operator (+ - * /) or the end was expected", clip_input(s_.substr(pos_), 20)));
    return v;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
  const NameLookup& lookup_;
  const std::string& file_;
  const std::string& pointer_;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCategory::InvalidInput, fmt::format("the expression \"{}\" {}", clip_input(s_, 120), what),
                ErrorContext{file_, 0, 0, pointer_});
  }
  void skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  double expr() {
    double v = term();
    for (;;) {
      skip();
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
        const char op = s_[pos_++];
        const double r = term();
        v = op == '+' ? v + r : v - r;
      } else {
        return v;
      }
    }
  }
  double term() {
    double v = factor();
    for (;;) {
      skip();
      if (pos_ < s_.size() && (s_[pos_] == '*' || s_[pos_] == '/')) {
        const char op = s_[pos_++];
        const double r = factor();
        if (op == '/' && r == 0) fail("divides by zero");
        v = op == '*' ? v * r : v / r;
      } else {
        return v;
      }
    }
  }
  double factor() {
    skip();
    if (pos_ == s_.size()) fail("ends where a number, a name or '(' was expected");
    const char c = s_[pos_];
    if (c == '-' || c == '+') {
      ++pos_;
      if (++depth_ > 100) fail("is nested too deeply");
      const double v = factor();
      --depth_;
      return c == '-' ? -v : v;
    }
    if (c == '(') {
      ++pos_;
      if (++depth_ > 100) fail("is nested too deeply");
      const double v = expr();
      --depth_;
      skip();
      if (pos_ == s_.size() || s_[pos_] != ')') fail("has a '(' without its ')'");
      ++pos_;
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      double v = 0;
      const auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
      if (ec != std::errc()) fail(fmt::format("has a number out of range at '{}'", clip_input(s_.substr(pos_), 20)));
      pos_ = static_cast<size_t>(end - s_.data());
      return v;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
      const std::string_view name = s_.substr(start, pos_ - start);
      const auto v = lookup_.value(name);
      if (!v)
        fail(fmt::format("names '{}', which is no parameter of the route or unit{}", name,
                         suggestion(name, lookup_.names())));
      return *v;
    }
    fail(fmt::format("has '{}' where a number, a name or '(' was expected", clip_input(s_.substr(pos_), 20)));
  }
};

}  // namespace

double evaluate(std::string_view text, const NameLookup& lookup, const std::string& file, const std::string& pointer) {
  Parser p(text, lookup, file, pointer);
  const double v = p.run();
  if (!std::isfinite(v))
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the expression \"{}\" is not a finite number (overflow)", clip_input(text, 120)),
                ErrorContext{file, 0, 0, pointer});
  return v;
}

}  // namespace panocarbon::process::detail
