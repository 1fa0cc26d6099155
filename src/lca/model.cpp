// The LCA model's small helpers: names of enums, id maps, and the normalisation used to match flows.
#include <algorithm>
#include <cctype>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca {

const char* to_string(FlowType t) {
  switch (t) {
    case FlowType::Elementary: return "elementary";
    case FlowType::Product: return "product";
    case FlowType::Waste: return "waste";
  }
  return "?";
}

const char* to_string(AllocationMethod m) {
  switch (m) {
    case AllocationMethod::AsStored: return "as-stored";
    case AllocationMethod::None: return "none";
    case AllocationMethod::Physical: return "physical";
    case AllocationMethod::Economic: return "economic";
    case AllocationMethod::Causal: return "causal";
  }
  return "?";
}

AllocationMethod parse_allocation(const std::string& s) {
  std::string k;
  for (char c : s) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (k == "as-stored" || k == "as_stored" || k == "default" || k.empty()) return AllocationMethod::AsStored;
  if (k == "none" || k == "no_allocation") return AllocationMethod::None;
  if (k == "physical" || k == "physical_allocation") return AllocationMethod::Physical;
  if (k == "economic" || k == "economic_allocation") return AllocationMethod::Economic;
  if (k == "causal" || k == "causal_allocation") return AllocationMethod::Causal;
  throw Error(ErrorCategory::InvalidInput,
              "unknown allocation method '" + s + "': use as-stored, none, physical, economic or causal",
              ErrorContext{"", 0, 0, "allocation"});
}

int32_t Database::find_flow(const std::string& id) const {
  const auto it = flow_ix_.find(id);
  return it == flow_ix_.end() ? -1 : it->second;
}

int32_t Database::find_process(const std::string& id) const {
  const auto it = process_ix_.find(id);
  return it == process_ix_.end() ? -1 : it->second;
}

void Database::index() {
  flow_ix_.clear();
  process_ix_.clear();
  flow_ix_.reserve(flows.size());
  process_ix_.reserve(processes.size());
  for (size_t i = 0; i < flows.size(); ++i) flow_ix_.emplace(flows[i].id, static_cast<int32_t>(i));
  for (size_t i = 0; i < processes.size(); ++i) process_ix_.emplace(processes[i].id, static_cast<int32_t>(i));
}

std::string normalise_cas(const std::string& cas) {
  std::string s;
  for (char c : cas)
    if (!std::isspace(static_cast<unsigned char>(c))) s += c;
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0' && s[i + 1] != '-') ++i;
  return s.substr(i);
}

std::string normalise_name(const std::string& name) {
  std::string s;
  for (char c : name) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto br = s.find(" [");
  if (br != std::string::npos && !s.empty() && s.back() == ']') s.erase(br);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string compartment_kind(const std::string& compartment) {
  std::string s;
  for (char c : compartment) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('/', start);
    if (end == std::string::npos) end = s.size();
    std::string seg = s.substr(start, end - start);
    while (!seg.empty() && (seg.front() == ' ' || seg.front() == '[')) seg.erase(0, 1);
    if (seg.rfind("resource", 0) == 0 || seg.rfind("natural resource", 0) == 0 || seg.rfind("raw material", 0) == 0)
      return "resource";
    if (seg.rfind("air", 0) == 0 || seg.find("to air") != std::string::npos ||
        seg.find("atmosphere") != std::string::npos)
      return "air";
    if (seg.rfind("water", 0) == 0 || seg.find("to water") != std::string::npos ||
        seg.find("freshwater") != std::string::npos || seg.find("fresh water") != std::string::npos)
      return "water";
    if (seg.rfind("soil", 0) == 0 || seg.find("to soil") != std::string::npos) return "soil";
    start = end + 1;
  }
  return "";
}

}  // namespace panocarbon::lca
