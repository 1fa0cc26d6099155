#include "panocarbon/factors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/embedded.hpp"
#include "core/text.hpp"
#include "core/csv.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"

namespace panocarbon {

std::string Citation::text() const {
  std::string s = document;
  if (!volume.empty()) s += ", Vol " + volume;
  if (!chapter.empty()) s += ", Ch " + chapter;
  if (!table.empty()) s += ", Table " + table;
  return s;
}

bool category_has_prefix(std::string_view code, std::string_view prefix) noexcept {
  if (prefix.empty() || prefix == "0") return true;
  if (code.size() < prefix.size() || code.substr(0, prefix.size()) != prefix) return false;
  return code.size() == prefix.size() || code[prefix.size()] == '.';
}

namespace {
std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : io::trim(s)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}


// Column lookup by header name so the CSV's column order is free.
struct Columns {
  std::vector<std::string> names;
  const io::CsvReader* r;
  size_t idx(std::string_view n) const {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == n) return i;
    throw Error(ErrorCategory::Data, fmt::format("column '{}' is missing", n), r->context());
  }
  std::string_view get(std::string_view n) const {
    const size_t i = idx(n);
    return i < r->fields().size() ? io::trim(r->fields()[i]) : std::string_view{};
  }
  double num(std::string_view n, bool required) const {
    const auto s = get(n);
    if (s.empty()) {
      if (required) throw Error(ErrorCategory::Data, "value is required", r->context(static_cast<long>(idx(n)) + 1, std::string(n)));
      return kNaN;
    }
    double v = 0;
    if (!io::parse_double(s, v))
      throw Error(ErrorCategory::Data, fmt::format("'{}' is not a number", s), r->context(static_cast<long>(idx(n)) + 1, std::string(n)));
    return v;
  }
};

Columns header(io::CsvReader& r) {
  if (!r.next()) throw Error(ErrorCategory::Data, "file is empty", r.context());
  Columns c{{}, &r};
  for (auto f : r.fields()) c.names.emplace_back(io::trim(f));
  return c;
}

Citation citation_of(const Columns& c, int edition) {
  return Citation{std::string(c.get("document")), std::string(c.get("volume")), std::string(c.get("chapter")),
                  std::string(c.get("table")), edition};
}
}  // namespace

FactorLibrary::FactorLibrary(std::vector<Fuel> fuels, std::vector<EmissionFactor> factors, std::string source)
    : fuels_(std::move(fuels)), factors_(std::move(factors)), source_(std::move(source)) {
  index();
}

void FactorLibrary::index() {
  fuel_by_key_.clear();
  by_activity_.clear();
  by_id_.clear();
  for (size_t i = 0; i < fuels_.size(); ++i) {
    auto add = [&](const std::string& key) {
      const auto [it, ok] = fuel_by_key_.emplace(collapse(key), i);
      if (!ok && it->second != i)
        throw Error(ErrorCategory::Data, fmt::format("fuel name or alias '{}' is used by both {} and {}", key,
                                                     fuels_[it->second].name, fuels_[i].name));
    };
    add(fuels_[i].name);
    add(fuels_[i].id);
    for (const auto& a : fuels_[i].aliases) add(a);
  }
  for (size_t i = 0; i < factors_.size(); ++i) {
    by_activity_[collapse(factors_[i].activity)].push_back(i);
    if (!by_id_.emplace(factors_[i].id, i).second)
      throw Error(ErrorCategory::Data, fmt::format("factor id '{}' appears twice", factors_[i].id));
  }
}

FactorLibrary FactorLibrary::from_csv(std::string_view fuels_csv, std::string_view factors_csv, std::string source) {
  std::vector<Fuel> fuels;
  {
    io::CsvReader r(fuels_csv, source + "/fuels.csv");
    const Columns c = header(r);
    while (r.next()) {
      Fuel f;
      f.id = c.get("id");
      f.name = c.get("fuel");
      std::string_view aliases = c.get("aliases");
      while (!aliases.empty()) {
        const size_t semi = std::min(aliases.find(';'), aliases.size());
        const auto a = io::trim(aliases.substr(0, semi));
        if (!a.empty()) f.aliases.emplace_back(a);
        aliases.remove_prefix(std::min(semi + 1, aliases.size()));
      }
      f.group = c.get("group");
      f.biomass = c.get("biomass") == "1";
      f.ncv_tj_per_gg = c.num("ncv_tj_per_gg", false);  // NA for Industrial Wastes
      f.ncv_lower = c.num("ncv_lower", false);
      f.ncv_upper = c.num("ncv_upper", false);
      f.carbon_kg_per_gj = c.num("carbon_kg_per_gj", false);
      f.carbon_lower = c.num("carbon_lower", false);
      f.carbon_upper = c.num("carbon_upper", false);
      const double ed = c.num("edition", false);
      f.citation = citation_of(c, std::isnan(ed) ? 2006 : static_cast<int>(ed));
      fuels.push_back(std::move(f));
    }
  }
  std::vector<EmissionFactor> factors;
  {
    io::CsvReader r(factors_csv, source + "/emission_factors.csv");
    const Columns c = header(r);
    while (r.next()) {
      EmissionFactor f;
      f.id = c.get("id");
      f.edition = static_cast<int>(c.num("edition", true));
      f.category = c.get("category");
      f.activity = c.get("activity");
      f.technology = c.get("technology");
      f.is_default = c.get("default") != "0";
      f.gas = canonical_gas(c.get("gas"));
      f.value = c.num("value", true);
      f.unit = c.get("unit");
      f.lower = c.num("lower", false);
      f.upper = c.num("upper", false);
      f.geography = c.get("geography");
      f.citation = citation_of(c, f.edition);
      f.note = c.get("note");
      factors.push_back(std::move(f));
    }
  }
  return FactorLibrary(std::move(fuels), std::move(factors), std::move(source));
}

const FactorLibrary& FactorLibrary::builtin() {
  static const FactorLibrary lib =
      from_csv(detail::embedded_file("fuels.csv"), detail::embedded_file("emission_factors.csv"), "data");
  return lib;
}

const Fuel* FactorLibrary::find_fuel(std::string_view name) const {
  const auto it = fuel_by_key_.find(collapse(name));
  return it == fuel_by_key_.end() ? nullptr : &fuels_[it->second];
}

std::optional<std::string> FactorLibrary::resolve_activity(std::string_view name) const {
  if (const Fuel* f = find_fuel(name)) return f->name;
  const auto it = by_activity_.find(collapse(name));
  if (it != by_activity_.end()) return factors_[it->second.front()].activity;
  return std::nullopt;
}

std::vector<std::string> FactorLibrary::suggest_activity(std::string_view name, size_t n) const {
  const std::string key = collapse(name);
  std::vector<std::pair<size_t, std::string>> scored;
  auto consider = [&](const std::string& candidate, const std::string& display) {
    size_t d = edit_distance(key, collapse(candidate));
    if (collapse(candidate).find(key) != std::string::npos || key.find(collapse(candidate)) != std::string::npos)
      d = std::min<size_t>(d, 2);
    scored.emplace_back(d, display);
  };
  for (const auto& f : fuels_) {
    consider(f.name, f.name);
    for (const auto& a : f.aliases) consider(a, f.name);
  }
  for (const auto& [k, v] : by_activity_)
    if (!find_fuel(k)) consider(k, factors_[v.front()].activity);
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [d, s] : scored) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    if (out.size() == n) break;
  }
  return out;
}

const EmissionFactor* FactorLibrary::find_factor(std::string_view id) const {
  const auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : &factors_[it->second];
}

std::vector<std::string> FactorLibrary::technologies(std::string_view activity, std::string_view category) const {
  std::vector<std::string> out;
  const auto it = by_activity_.find(collapse(activity));
  if (it == by_activity_.end()) return out;
  for (size_t i : it->second) {
    const auto& t = factors_[i].technology;
    if (!category.empty() && !category_has_prefix(category, factors_[i].category)) continue;
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

std::vector<const EmissionFactor*> FactorLibrary::select(std::string_view category, std::string_view activity,
                                                         std::string_view technology, int edition,
                                                         std::string_view gas) const {
  std::vector<const EmissionFactor*> best;  // one per gas
  const auto it = by_activity_.find(collapse(activity));
  if (it == by_activity_.end()) return best;
  const std::string tech = collapse(technology);
  // Rank: longer category prefix first; then a technology match over a general row; then the
  // requested edition over the other (only 2006 and the 2019 revisions exist).
  auto rank = [&](const EmissionFactor& f) {
    const int tech_score = tech.empty() ? (f.technology.empty() ? 1 : 0) : (f.technology.empty() ? 0 : 1);
    const int ed_score = f.edition == edition ? 1 : 0;
    return std::tuple<size_t, int, int>(f.category.size(), tech_score, ed_score);
  };
  for (size_t i : it->second) {
    const EmissionFactor& f = factors_[i];
    if (!gas.empty() && f.gas != gas) continue;
    if (f.edition > edition) continue;  // a 2019 revision is not used for the 2006 edition
    if (!category_has_prefix(category, f.category)) continue;
    if (tech.empty()) {
      if (!f.technology.empty() && !f.is_default) continue;
    } else if (!f.technology.empty() && collapse(f.technology) != tech) {
      continue;
    }
    auto slot = std::find_if(best.begin(), best.end(), [&](const EmissionFactor* b) { return b->gas == f.gas; });
    if (slot == best.end())
      best.push_back(&f);
    else if (rank(f) > rank(**slot))
      *slot = &f;
  }
  return best;
}

}  // namespace panocarbon
