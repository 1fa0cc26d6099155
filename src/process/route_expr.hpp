// Arithmetic expressions of route models (internal): numbers, names of parameters, + - * / and parentheses,
// e.g. "clinker_cao * M_CO2 / M_CaO * ckd_factor". A name is looked up through a callback; the evaluator knows
// nothing of routes.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon::process::detail {

struct NameLookup {
  std::function<std::optional<double>(std::string_view)> value;  // nullopt: unknown name
  std::function<std::vector<std::string>()> names;               // every known name, for suggestions
};

// Evaluates `text`. Throws Error{InvalidInput} with `file` and `pointer` as context when the text is not an
// expression, names an unknown parameter (with the nearest names), divides by zero or is not finite.
double evaluate(std::string_view text, const NameLookup& lookup, const std::string& file, const std::string& pointer);

// The nearest names to `word` among `names` as " (did you mean 'a', 'b'?)", or the known names when none is
// near; empty when `names` is empty.
std::string suggestion(std::string_view word, const std::vector<std::string>& names);

}  // namespace panocarbon::process::detail
