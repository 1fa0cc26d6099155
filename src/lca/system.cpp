// The product system of a whole database: providers (process × functional flow), allocation of
// multi-functional processes, provider linking with explicit rules, and the technosphere and biosphere
// triplets with openLCA's sign conventions.
#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <string_view>

#include <fmt/format.h>

#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"

namespace panocarbon::lca {
namespace {

bool is_functional(const Flow& f, const Exchange& e) {
  if (e.avoided || e.amount == 0) return false;
  return (f.type == FlowType::Product && !e.input) || (f.type == FlowType::Waste && e.input);
}
bool is_linkable(const Flow& f, const Exchange& e) {
  if (f.type == FlowType::Product) return e.input || e.avoided;
  if (f.type == FlowType::Waste) return !e.input || e.avoided;
  return false;
}
// + for product outputs and waste inputs, − for product inputs and waste outputs; elementary: out +, in −.
double sign_of(const Flow& f, const Exchange& e) {
  if (f.type == FlowType::Waste) return e.input ? 1.0 : -1.0;
  return e.input ? -1.0 : 1.0;
}



// Why a process provides nothing (no functional flow): what is wrong with its quantitative reference.
std::string why_unusable(const Database& db, const Process& p) {
  for (const auto& e : p.exchanges) {
    if (!e.reference) continue;
    const Flow& f = db.flows[static_cast<size_t>(e.flow)];
    if (f.type == FlowType::Elementary)
      return fmt::format("its quantitative reference '{}' is an elementary flow, not a product or waste: make a "
                         "product output the reference and re-import",
                         f.name);
    if (e.avoided)
      return fmt::format("its quantitative reference '{}' is marked as avoided: clear the flag and re-import", f.name);
    if (e.amount == 0)
      return fmt::format("its quantitative reference '{}' has amount 0: give it the amount the process produces and "
                         "re-import",
                         f.name);
    if (f.type == FlowType::Product && e.input)
      return fmt::format("its quantitative reference '{}' is marked as an input (a product input is consumed, not "
                         "provided): mark the reference exchange as an output and re-import",
                         f.name);
    if (f.type == FlowType::Waste && !e.input)
      return fmt::format("its quantitative reference '{}' is a waste output (a waste treatment takes its waste as an "
                         "input): mark the reference exchange as an input and re-import",
                         f.name);
  }
  return "it has no product output and no waste input (nothing another process can be linked to): add its product "
         "as an output and re-import";
}
constexpr const char* kUnusable = ": provides nothing, so it cannot be a --process or a provider: ";

// The allocation factor of exchange `e` in the column of functional exchange `q` of process `p`.
struct Allocator {
  const Database& db;
  const Process& p;
  std::vector<size_t> functional;
  AllocationMethod method = AllocationMethod::None;
  std::vector<double> product_factor;  // per functional exchange (physical / economic, or the causal fallback)
  std::string note;

  // stored factors of `m` per functional exchange; empty when they are missing or sum to zero
  std::vector<double> stored(AllocationMethod m) const {
    std::vector<double> f(functional.size(), 0.0);
    bool found = false;
    for (const auto& a : p.allocation) {
      if (a.method != m || a.exchange >= 0) continue;
      for (size_t k = 0; k < functional.size(); ++k)
        if (p.exchanges[functional[k]].flow == a.product) {
          f[k] = a.value;
          found = true;
        }
    }
    const double sum = std::accumulate(f.begin(), f.end(), 0.0);
    if (!found || !(sum > 0)) return {};
    return f;
  }
  bool has_causal() const {
    for (const auto& a : p.allocation)
      if (a.method == AllocationMethod::Causal && a.value > 0)
        for (size_t q : functional)
          if (p.exchanges[q].flow == a.product) return true;
    return false;
  }
  // physical factors from the co-products' mass (normalised to 1), empty if a product has no mass
  std::vector<double> by_mass() const {
    std::vector<double> f;
    double sum = 0;
    for (size_t q : functional) {
      const Exchange& e = p.exchanges[q];
      const Flow& fl = db.flows[static_cast<size_t>(e.flow)];
      double per_unit = 0;
      if (fl.property == "Mass" || fl.unit == "kg") {
        per_unit = 1;
      } else if (const auto it = fl.properties.find("Mass"); it != fl.properties.end()) {
        per_unit = it->second;
      }
      if (!(per_unit > 0)) return {};
      f.push_back(e.amount * per_unit);
      sum += f.back();
    }
    if (!(sum > 0)) return {};
    for (double& x : f) x /= sum;
    return f;
  }

  Allocator(const Database& d, const Process& pr, AllocationMethod requested) : db(d), p(pr) {
    for (size_t i = 0; i < p.exchanges.size(); ++i)
      if (is_functional(db.flows[static_cast<size_t>(p.exchanges[i].flow)], p.exchanges[i])) functional.push_back(i);
    if (functional.size() < 2) return;
    AllocationMethod m = requested;
    if (m == AllocationMethod::AsStored) m = p.default_allocation;
    if (m == AllocationMethod::AsStored) {
      if (!stored(AllocationMethod::Physical).empty()) m = AllocationMethod::Physical;
      else if (!stored(AllocationMethod::Economic).empty()) m = AllocationMethod::Economic;
      else if (has_causal()) m = AllocationMethod::Causal;
      else m = AllocationMethod::None;
    }
    method = m;
    if (m == AllocationMethod::Physical || m == AllocationMethod::Causal) {
      product_factor = stored(AllocationMethod::Physical);
      if (product_factor.empty()) {
        product_factor = by_mass();
        if (!product_factor.empty() && m == AllocationMethod::Physical)
          note = "physical allocation factors computed from the co-products' mass (none stored)";
      }
      if (m == AllocationMethod::Causal && !has_causal()) {
        method = product_factor.empty() ? AllocationMethod::None : AllocationMethod::Physical;
        note = "no causal allocation factors stored: " + std::string(to_string(method)) + " used instead";
      }
    } else if (m == AllocationMethod::Economic) {
      product_factor = stored(AllocationMethod::Economic);
    }
    if ((method == AllocationMethod::Physical || method == AllocationMethod::Economic) && product_factor.empty()) {
      note = fmt::format("no {} allocation factors (stored or from mass): the reference product carries everything",
                         to_string(method));
      method = AllocationMethod::None;
    }
    if (method == AllocationMethod::None) {
      // only the quantitative reference (or the first functional flow) is provided
      size_t keep = functional.front();
      for (size_t q : functional)
        if (p.exchanges[q].reference) keep = q;
      functional = {keep};
      if (note.empty()) note = "no allocation: the reference product carries all exchanges, co-products are not provided";
    }
  }

  double factor(size_t column_k, size_t exchange) const {
    if (functional.size() < 2) return 1.0;
    if (method == AllocationMethod::Causal) {
      const int32_t product = p.exchanges[functional[column_k]].flow;
      for (const auto& a : p.allocation)
        if (a.method == AllocationMethod::Causal && a.product == product && a.exchange == static_cast<int32_t>(exchange))
          return a.value;
      return product_factor.empty() ? 1.0 / static_cast<double>(functional.size()) : product_factor[column_k];
    }
    return product_factor[column_k];
  }
};

}  // namespace

int32_t ProductSystem::find_provider(const std::string& query) const {
  // exact id, then exact name, then case-insensitive name; a multi-output process gives its reference product
  const auto pick = [&](auto pred) {
    std::vector<int32_t> hits;
    for (size_t j = 0; j < providers.size(); ++j)
      if (pred(db->processes[static_cast<size_t>(providers[j].process)])) hits.push_back(static_cast<int32_t>(j));
    return hits;
  };
  std::vector<int32_t> hits = pick([&](const Process& p) { return p.id == query; });
  // a reference printed by `lca search`: DATABASE/ID
  const std::string prefix = db->name + "/";
  const bool ref = query.size() > prefix.size() && query.compare(0, prefix.size(), prefix) == 0;
  if (hits.empty() && ref) {
    const std::string id = query.substr(prefix.size());
    hits = pick([&](const Process& p) { return p.id == id; });
    if (hits.empty() && db->find_flow(id) >= 0)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("'{}' is a flow, not a process: --process takes a process (kind 'process' in `panocarbon "
                              "lca search`)",
                              query),
                  ErrorContext{"", 0, 0, "process"});
  }
  if (hits.empty()) hits = pick([&](const Process& p) { return p.name == query; });
  const std::string q = to_lower(query);
  if (hits.empty()) hits = pick([&](const Process& p) { return to_lower(p.name) == q; });
  if (!hits.empty()) {
    std::vector<int32_t> processes;
    for (int32_t h : hits) processes.push_back(providers[static_cast<size_t>(h)].process);
    std::sort(processes.begin(), processes.end());
    processes.erase(std::unique(processes.begin(), processes.end()), processes.end());
    if (processes.size() > 1) {
      std::string list;
      for (int32_t p : processes)
        list += fmt::format("\n  {} ({}, {})", db->processes[static_cast<size_t>(p)].id,
                            db->processes[static_cast<size_t>(p)].name, db->processes[static_cast<size_t>(p)].location);
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("'{}' names {} processes; give the process id instead:{}", query, processes.size(), list),
                  ErrorContext{"", 0, 0, "process"});
    }
    for (int32_t h : hits) {
      const Provider& pv = providers[static_cast<size_t>(h)];
      for (const auto& e : db->processes[static_cast<size_t>(pv.process)].exchanges)
        if (e.reference && e.flow == pv.flow) return h;
    }
    return hits.front();
  }
  // a process of that id or name that provides nothing: say so, and why (the note made when linking)
  for (const auto& p : db->processes) {
    if (!(p.id == query || p.name == query || to_lower(p.name) == q || (ref && p.id == query.substr(prefix.size()))))
      continue;
    std::string why;
    for (const auto& n : notes)
      if (n.rfind(p.name + kUnusable, 0) == 0) why = n.substr(p.name.size() + std::string_view(kUnusable).size());
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("process '{}' ({}) is in database '{}' but was not usable: it provides nothing, so it cannot "
                            "be demanded; {}",
                            p.name, p.id, db->name,
                            why.empty() ? "it has no product output and no waste input" : why),
                ErrorContext{"", 0, 0, "process"});
  }
  // suggestions: names containing the query, else the closest by edit distance
  std::vector<std::pair<size_t, std::string>> close;
  for (const auto& p : db->processes) {
    const std::string n = to_lower(p.name);
    const size_t d = n.find(q) != std::string::npos ? 0 : edit_distance(q, n.substr(0, std::min(n.size(), q.size() + 8)));
    close.emplace_back(d, p.name);
  }
  std::sort(close.begin(), close.end());
  std::string sugg;
  for (size_t i = 0; i < close.size() && i < 5; ++i) sugg += "\n  " + close[i].second;
  throw Error(ErrorCategory::NotFound,
              fmt::format("no process '{}' in database '{}' (`panocarbon lca search WORDS` finds processes); did you mean:{}",
                          query, db->name, sugg),
              ErrorContext{"", 0, 0, "process"});
}

std::vector<UnusableProcess> unusable_processes(const ProductSystem& sys) {
  std::vector<char> provides(sys.db->processes.size(), 0);
  for (const auto& pv : sys.providers) provides[static_cast<size_t>(pv.process)] = 1;
  std::vector<UnusableProcess> out;
  for (size_t p = 0; p < provides.size(); ++p)
    if (!provides[p]) out.push_back({static_cast<int32_t>(p), why_unusable(*sys.db, sys.db->processes[p])});
  return out;
}

ProductSystem build_system(const Database& db, const LinkOptions& opt) {
  ProductSystem sys;
  sys.db = &db;
  const size_t np = db.processes.size();
  // 1. providers, with each process's allocation
  std::vector<Allocator> alloc;
  alloc.reserve(np);
  std::vector<std::vector<int32_t>> columns_of(np);  // process -> columns
  std::unordered_map<int32_t, std::vector<int32_t>> providers_of;  // flow -> columns
  for (size_t p = 0; p < np; ++p) {
    alloc.emplace_back(db, db.processes[p], opt.allocation);
    const Allocator& a = alloc.back();
    if (!a.note.empty()) sys.notes.push_back(db.processes[p].name + ": " + a.note);
    for (size_t q : a.functional) {
      const int32_t col = static_cast<int32_t>(sys.providers.size());
      sys.providers.push_back({static_cast<int32_t>(p), db.processes[p].exchanges[q].flow});
      columns_of[p].push_back(col);
      providers_of[db.processes[p].exchanges[q].flow].push_back(col);
    }
    if (a.functional.empty())
      sys.notes.push_back(db.processes[p].name + kUnusable + why_unusable(db, db.processes[p]));
  }
  // 2. links and matrix entries
  std::unordered_map<int32_t, int32_t> elem_row;
  const auto row_of_flow = [&](int32_t flow, bool input) {
    auto [it, fresh] = elem_row.emplace(flow, static_cast<int32_t>(sys.elementary.size()));
    if (fresh) {
      sys.elementary.push_back(flow);
      sys.elementary_input.push_back(input ? 1 : 0);
    } else if (!input) {
      sys.elementary_input[static_cast<size_t>(it->second)] = 0;  // an output anywhere: an output row
    }
    return it->second;
  };
  for (size_t p = 0; p < np; ++p) {
    const Process& pr = db.processes[p];
    const Allocator& a = alloc[p];
    if (columns_of[p].empty()) continue;
    // the provider of each linkable exchange
    std::vector<int32_t> link_of(pr.exchanges.size(), -1);
    for (size_t i = 0; i < pr.exchanges.size(); ++i) {
      const Exchange& e = pr.exchanges[i];
      const Flow& f = db.flows[static_cast<size_t>(e.flow)];
      if (!is_linkable(f, e) || e.amount == 0) continue;
      Link l{static_cast<int32_t>(p), static_cast<int32_t>(i), -1, ""};
      const auto cand_it = providers_of.find(e.flow);
      const std::vector<int32_t> none;
      const std::vector<int32_t>& cand = cand_it == providers_of.end() ? none : cand_it->second;
      if (!e.provider.empty()) {
        for (int32_t c : cand)
          if (db.processes[static_cast<size_t>(sys.providers[static_cast<size_t>(c)].process)].id == e.provider) {
            l.provider = c;
            l.how = "default provider";
          }
      }
      if (l.provider < 0) {
        if (const auto ch = opt.choices.find(f.id); ch != opt.choices.end()) {
          for (int32_t c : cand)
            if (db.processes[static_cast<size_t>(sys.providers[static_cast<size_t>(c)].process)].id == ch->second) {
              l.provider = c;
              l.how = "user choice";
            }
          if (l.provider < 0)
            throw Error(ErrorCategory::InvalidInput,
                        fmt::format("the chosen provider {} does not provide '{}' ({}): choose one of its {} providers",
                                    ch->second, f.name, f.id, cand.size()),
                        ErrorContext{"", 0, 0, "provider"});
        }
      }
      if (l.provider < 0) {
        if (cand.empty()) {
          l.how = "cut-off";
          ++sys.cutoffs;
        } else if (cand.size() == 1) {
          l.provider = cand.front();
          l.how = "only provider";
        } else if (opt.rule == ProviderRule::Fail) {
          std::string list;
          for (int32_t c : cand) {
            const Process& cp = db.processes[static_cast<size_t>(sys.providers[static_cast<size_t>(c)].process)];
            list += fmt::format("\n  {} ({}, {})", cp.id, cp.name, cp.location);
          }
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("'{}' has {} providers for the input of '{}'; choose one with --provider "
                                  "FLOW_ID=PROCESS_ID:{}",
                                  f.name, cand.size(), pr.name, list),
                      ErrorContext{"", 0, 0, "provider"});
        } else {
          std::vector<int32_t> same;
          if (opt.rule == ProviderRule::SameLocation)
            for (int32_t c : cand)
              if (db.processes[static_cast<size_t>(sys.providers[static_cast<size_t>(c)].process)].location ==
                  pr.location)
                same.push_back(c);
          if (same.size() == 1) {
            l.provider = same.front();
            l.how = "same location";
          } else {
            const auto& pool = same.empty() ? cand : same;
            l.provider = *std::min_element(pool.begin(), pool.end());
            l.how = fmt::format("first of {}", pool.size());
          }
        }
      }
      link_of[i] = l.provider;
      sys.links.push_back(std::move(l));
    }
    // columns
    for (size_t k = 0; k < columns_of[p].size(); ++k) {
      const int32_t col = columns_of[p][k];
      const size_t q = a.functional[k];
      for (size_t i = 0; i < pr.exchanges.size(); ++i) {
        const Exchange& e = pr.exchanges[i];
        if (e.amount == 0) continue;
        const Flow& f = db.flows[static_cast<size_t>(e.flow)];
        const int32_t pi = static_cast<int32_t>(p), ei = static_cast<int32_t>(i);
        if (i == q) {
          sys.technosphere.push_back({col, col, e.amount});
          sys.technosphere_source.push_back({pi, ei, 1.0});
          continue;
        }
        if (is_functional(f, e)) continue;  // another co-product: its own column
        if (f.type == FlowType::Elementary) {
          const double scale = sign_of(f, e) * a.factor(k, i);
          sys.biosphere.push_back({row_of_flow(e.flow, e.input), col, scale * e.amount});
          sys.biosphere_source.push_back({pi, ei, scale});
        } else if (link_of[i] >= 0) {
          const double scale = sign_of(f, e) * a.factor(k, i);
          sys.technosphere.push_back({link_of[i], col, scale * e.amount});
          sys.technosphere_source.push_back({pi, ei, scale});
        } else if (!is_linkable(f, e)) {
          // a co-product dropped by "no allocation": not provided, nothing to link
        }
      }
    }
  }
  return sys;
}

CscMatrix technosphere_matrix(const ProductSystem& sys) {
  CscMatrix a;
  a.n = static_cast<int>(sys.providers.size());
  std::vector<Triplet> t = sys.technosphere;
  std::sort(t.begin(), t.end(), [](const Triplet& u, const Triplet& v) { return u.col != v.col ? u.col < v.col : u.row < v.row; });
  a.p.assign(static_cast<size_t>(a.n) + 1, 0);
  a.diagonal.assign(static_cast<size_t>(a.n), 0.0);
  for (size_t k = 0; k < t.size(); ++k) {
    if (k > 0 && t[k].row == t[k - 1].row && t[k].col == t[k - 1].col) {
      a.x.back() += t[k].value;
    } else {
      a.i.push_back(t[k].row);
      a.x.push_back(t[k].value);
      ++a.p[static_cast<size_t>(t[k].col) + 1];
    }
    if (t[k].row == t[k].col) a.diagonal[static_cast<size_t>(t[k].col)] += t[k].value;
  }
  std::partial_sum(a.p.begin(), a.p.end(), a.p.begin());
  return a;
}

}  // namespace panocarbon::lca
