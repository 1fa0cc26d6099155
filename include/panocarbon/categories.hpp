// The IPCC 2006 category tree (2006 IPCC Guidelines, Vol 1 Ch 8 Table 8.2): codes such as 1.A.1.a.i,
// their parents and titles. Source table: data/ipcc2006_categories.csv, compiled in.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace panocarbon {

struct Category {
  std::string code;    // "1.A.1.a.i"; the root is "0" (National Total)
  std::string parent;  // "" for the root
  std::string title;
  int level = 0;       // number of dot-separated parts; the root has level 0
};

class CategoryTree {
 public:
  static const CategoryTree& ipcc2006();
  static CategoryTree from_csv(std::string_view text, std::string source_name);

  // Accepts dotted codes ("1.A.1.a.i") and the compact form ("1A1ai"). Returns -1 when unknown.
  int find(std::string_view code) const;
  const Category& at(int index) const { return categories_[static_cast<size_t>(index)]; }
  int parent(int index) const { return parents_[static_cast<size_t>(index)]; }
  int size() const { return static_cast<int>(categories_.size()); }
  // Categories in depth-first order of the Guidelines (index order).
  const std::vector<Category>& all() const { return categories_; }
  // Close codes for an unknown one (same prefix), for error messages.
  std::vector<std::string> suggest(std::string_view code, size_t n = 3) const;

 private:
  std::vector<Category> categories_;
  std::vector<int> parents_;
  std::unordered_map<std::string, int> index_;
};

// "1A1ai" -> "1.A.1.a.i"; dotted codes are returned trimmed and unchanged.
std::string normalise_category_code(std::string_view code);

}  // namespace panocarbon
