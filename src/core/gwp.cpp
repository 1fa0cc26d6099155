#include "panocarbon/gwp.hpp"

#include <fmt/format.h>

#include <cctype>

#include "core/embedded.hpp"
#include "core/csv.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon {

namespace {
std::string key_of(std::string_view s) {
  std::string k;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) k.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return k;
}
}  // namespace

std::string canonical_gas(std::string_view name) {
  name = io::trim(name);
  static const std::unordered_map<std::string, std::string> known = [] {
    std::unordered_map<std::string, std::string> m;
    for (const auto& s : GwpTable::builtin().sets())
      for (const auto& [gas, v] : s.gwp100) m.emplace(key_of(gas), gas);
    m["CH4FOSSIL"] = "CH4_fossil";
    m["CH4NONFOSSIL"] = "CH4_nonfossil";
    m["CO2BIO"] = "CO2_bio";
    m["CO2BIOGENIC"] = "CO2_bio";
    m["PFC14"] = "CF4";
    m["PFC116"] = "C2F6";
    m["PFC218"] = "C3F8";
    m["PFC318"] = "c-C4F8";
    return m;
  }();
  const auto it = known.find(key_of(name));
  return it == known.end() ? std::string(name) : it->second;
}

bool GwpSet::has(std::string_view gas) const { return gwp100.count(std::string(gas)) > 0; }

double GwpSet::of(std::string_view gas) const {
  const auto it = gwp100.find(std::string(gas));
  if (it == gwp100.end())
    throw Error(ErrorCategory::NotFound,
                fmt::format("GWP set {} has no 100-year value for gas '{}'; choose another --gwp set or another gas",
                            name, gas));
  return it->second;
}

GwpTable GwpTable::from_csv(std::string_view text, std::string source_name) {
  GwpTable t;
  io::CsvReader r(text, std::move(source_name));
  if (!r.next()) throw Error(ErrorCategory::Data, "GWP table is empty", r.context());
  while (r.next()) {
    const auto& f = r.fields();
    if (f.size() < 5) throw Error(ErrorCategory::Data, "GWP row needs set,gas,gwp100,document,table", r.context());
    double v = 0;
    if (!io::parse_double(f[2], v)) throw Error(ErrorCategory::Data, "GWP value is not a number", r.context(3, "gwp100"));
    GwpSet* s = nullptr;
    for (auto& x : t.sets_)
      if (x.name == f[0]) s = &x;
    if (!s) {
      t.sets_.push_back(GwpSet{std::string(f[0]), std::string(f[3]), {}});
      s = &t.sets_.back();
    }
    if (!s->gwp100.emplace(std::string(f[1]), v).second)
      throw Error(ErrorCategory::Data, fmt::format("gas {} appears twice in set {}", f[1], f[0]), r.context());
  }
  return t;
}

const GwpTable& GwpTable::builtin() {
  static const GwpTable t = from_csv(detail::embedded_file("gwp.csv"), "data/gwp.csv");
  return t;
}

const GwpSet& GwpTable::set(std::string_view name) const {
  for (const auto& s : sets_)
    if (key_of(s.name) == key_of(name)) return s;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("unknown GWP set '{}'; use one of {}", name, fmt::join(set_names(), ", ")),
              ErrorContext{{}, 0, 0, "gwp"});
}

std::vector<std::string> GwpTable::set_names() const {
  std::vector<std::string> out;
  for (const auto& s : sets_) out.push_back(s.name);
  return out;
}

}  // namespace panocarbon
