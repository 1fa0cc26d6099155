#include "panocarbon/categories.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/embedded.hpp"
#include "core/csv.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon {

std::string normalise_category_code(std::string_view code) {
  code = io::trim(code);
  if (code.find('.') != std::string_view::npos || code.size() <= 1) return std::string(code);
  // Compact IPCC form: digits, upper-case letter, digits, lower-case letter, lower-case roman numeral.
  std::string out;
  size_t i = 0;
  auto take = [&](auto pred, bool single) {
    const size_t s = i;
    while (i < code.size() && pred(static_cast<unsigned char>(code[i]))) {
      ++i;
      if (single) break;
    }
    if (i > s) {
      if (!out.empty()) out.push_back('.');
      out.append(code.substr(s, i - s));
    }
  };
  take([](unsigned char c) { return std::isdigit(c) != 0; }, false);
  take([](unsigned char c) { return std::isupper(c) != 0; }, true);
  take([](unsigned char c) { return std::isdigit(c) != 0; }, false);
  take([](unsigned char c) { return std::islower(c) != 0; }, true);
  take([](unsigned char c) { return std::islower(c) != 0; }, false);
  if (i != code.size()) return std::string(code);
  return out;
}

CategoryTree CategoryTree::from_csv(std::string_view text, std::string source_name) {
  CategoryTree t;
  io::CsvReader r(text, std::move(source_name));
  r.next();  // header
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 3) throw Error(ErrorCategory::Data, "category row needs code,parent,title", r.context());
    Category c{std::string(f[0]), std::string(f[1]), std::string(f[2]), 0};
    c.level = c.code == "0" ? 0 : static_cast<int>(std::count(c.code.begin(), c.code.end(), '.')) + 1;
    t.index_.emplace(c.code, static_cast<int>(t.categories_.size()));
    t.categories_.push_back(std::move(c));
  }
  for (const auto& c : t.categories_) {
    if (c.parent.empty()) {
      t.parents_.push_back(-1);
      continue;
    }
    const auto it = t.index_.find(c.parent);
    if (it == t.index_.end())
      throw Error(ErrorCategory::Data, fmt::format("category {} has unknown parent {}", c.code, c.parent));
    t.parents_.push_back(it->second);
  }
  return t;
}

const CategoryTree& CategoryTree::ipcc2006() {
  static const CategoryTree t = from_csv(detail::embedded_file("ipcc2006_categories.csv"), "data/ipcc2006_categories.csv");
  return t;
}

int CategoryTree::find(std::string_view code) const {
  auto it = index_.find(std::string(io::trim(code)));
  if (it != index_.end()) return it->second;
  it = index_.find(normalise_category_code(code));
  return it == index_.end() ? -1 : it->second;
}

std::vector<std::string> CategoryTree::suggest(std::string_view code, size_t n) const {
  std::string c = normalise_category_code(code);
  std::vector<std::string> out;
  // Longest known ancestor's children are the best guesses.
  while (!c.empty()) {
    const int i = find(c);
    if (i >= 0) {
      for (size_t k = 0; k < categories_.size() && out.size() < n; ++k)
        if (parents_[k] == i) out.push_back(categories_[k].code);
      if (out.empty()) out.push_back(categories_[static_cast<size_t>(i)].code);
      return out;
    }
    const auto dot = c.rfind('.');
    if (dot == std::string::npos) break;
    c.resize(dot);
  }
  return {"1.A.1", "2.A.1", "3"};
}

}  // namespace panocarbon
