// Uncertainty of an inventory: IPCC 2006 Vol 1 Ch 3 Approach 1 (Eq 3.1, 3.2, Table 3.2 with the trend) and
// Approach 2 (Monte Carlo). See include/panocarbon/inventory_uncertainty.hpp and docs/uncertainty-inventory.md.
#include "panocarbon/uncertainty.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <ostream>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "core/csv.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/inventory_uncertainty.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon {

namespace {

constexpr double kZ975 = 1.959963984540054;  // Φ⁻¹(0.975)

struct Pct {
  double low = 0, high = 0;
  // Approach 1 takes one number per input: the larger side of an asymmetric range (conservative).
  double larger() const { return std::max(low, high); }
};

// Half-widths of a 95 % interval [lower, upper] around value, in % of the value. Missing bounds: 0.
Pct pct_of_bounds(double value, double lower, double upper) {
  if (std::isnan(lower) || std::isnan(upper) || value == 0) return {};
  const double v = std::fabs(value);
  return {std::max(0.0, (value - lower) / v * 100), std::max(0.0, (upper - value) / v * 100)};
}

enum class ByKind { Category, Level, Gas };
struct By {
  ByKind kind = ByKind::Category;
  int level = 0;
};

By parse_by(std::string_view by) {
  if (by == "category") return {ByKind::Category};
  if (by == "gas") return {ByKind::Gas};
  if (by.substr(0, 6) == "level=") {
    int n = 0;
    const auto s = by.substr(6);
    const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && n >= 1 && n <= 6) return {ByKind::Level, n};
  }
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("--by '{}' is not one of category, level=N (N = 1..6) or gas", by),
              ErrorContext{{}, 0, 0, "by"});
}

// CO2 recovered for urea (ammonia, Vol 3 Ch 3 Eq 3.1), t: the constant of the term (calc.cpp subtracts it).
double co2_recovered_t(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = std::min(params.find(';'), params.size());
    const std::string_view item = io::trim(params.substr(0, semi));
    params.remove_prefix(std::min(semi + 1, params.size()));
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || io::trim(item.substr(0, eq)) != "co2_recovered_t") continue;
    double v = 0;
    if (io::parse_double(item.substr(eq + 1), v)) return v;
  }
  return 0;
}

// One gas of one activity row: E = x · a · f · n + c (t CO2e).
struct Term {
  uint32_t row = 0;
  int category = -1;
  std::string gas;
  double x = 0, c = 0;
  double ad_pct = 0;  // symmetric
  int factor = -1;    // index into Model::factors (-1: none, a Tier 2 row)
  int fuel = -1;      // index into Model::fuels (-1: no NCV conversion)
  std::string entry;  // Table 3.2 key
  std::string activity, factor_id;
};

struct Param {
  std::string id;  // factor id or fuel id
  Pct pct;
};

struct Model {
  InventoryResult result;
  std::vector<Term> terms;
  std::vector<Param> factors, fuels;
  std::vector<std::string> warnings;
};

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& ch : o) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return o;
}

// Years of the rows (of the country filter), ascending, without 0.
std::vector<int> years_of(const ActivityData& d, const std::string& country) {
  std::set<int> ys;
  for (const auto& r : d.rows)
    if ((country.empty() || d.str(r.country) == country) && r.year) ys.insert(r.year);
  return {ys.begin(), ys.end()};
}

Model build_model(const ActivityData& data, const FactorLibrary& lib, const CategoryTree& tree,
                  const UncertaintyOptions& o, int year) {
  Model m;
  CalcOptions co = o.calc;
  co.year = year;
  m.result = calculate_inventory(data, lib, tree, co);
  const InventoryResult& r = m.result;
  if (r.country_years.size() > 1)
    throw Error(
        ErrorCategory::InvalidInput,
        fmt::format("the rows{} cover {} countries or years ({}); an uncertainty is computed for one "
                    "inventory: choose one with --country (and --year)",
                    year ? fmt::format(" of {}", year) : "", r.country_years.size(), fmt::join(r.country_years, ", ")),
        ErrorContext{data.source, 0, 0, "country"});
  m.warnings = r.warnings;
  std::unordered_map<std::string, int> factor_index, fuel_index;
  for (const EmissionLine& l : r.lines) {
    if (l.memo != Memo::None) continue;  // memo items: not in the totals (Vol 1 Ch 8)
    const ActivityRow& row = data.rows[l.row];
    Term t;
    t.row = l.row;
    t.category = r.row_category[l.row];
    t.gas = std::string(r.str(l.gas));
    if (!std::isnan(row.uncertainty_pct) && row.uncertainty_pct < 0)  // the reader refuses these; kept for JSON
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("uncertainty_pct {} is negative; give the half-width of the 95 % interval in % of the "
                              "amount (e.g. 5)",
                              row.uncertainty_pct),
                  data.where(row, "uncertainty_pct"));
    t.ad_pct = std::isnan(row.uncertainty_pct) ? o.activity_uncertainty_pct : row.uncertainty_pct;
    const std::string fid(r.str(l.factor));
    const EmissionFactor* f = lib.find_factor(fid);
    const auto activity = lib.resolve_activity(data.str(row.activity));
    t.activity = activity ? *activity : std::string(data.str(row.activity));
    double offset_t = 0;
    if (!f) {  // Tier 2: the row's uncertainty_pct covers amount × own factor
      t.factor_id = "tier2";
      if (std::isnan(row.uncertainty_pct))
        m.warnings.push_back(fmt::format(
            "{}:{}: a row with its own factor and no uncertainty_pct: only --activity-uncertainty ({} %) is applied "
            "to its emission; give uncertainty_pct for the emission (amount and factor together)",
            data.source, row.line, o.activity_uncertainty_pct));
    } else {
      t.factor_id = f->id;
      auto [it, added] = factor_index.try_emplace(f->id, static_cast<int>(m.factors.size()));
      if (added) {
        m.factors.push_back(Param{f->id, pct_of_bounds(f->value, f->lower, f->upper)});
        if (std::isnan(f->lower) || std::isnan(f->upper))
          m.warnings.push_back(
              fmt::format("factor {} has no 95 % bounds in the library: its uncertainty is taken as 0", f->id));
      }
      t.factor = it->second;
      // The NCV of Table 1.2 converted the fuel's mass to energy (calc.cpp activity_scale).
      const Fuel* fuel = activity ? lib.find_fuel(*activity) : nullptr;
      if (fuel) {
        const RatioUnit fu = parse_ratio_unit(f->unit, ErrorContext{lib.source(), 0, 0, f->id});
        const Unit& au = parse_unit(data.str(row.unit), data.where(row, "unit"));
        if (au.dimension == Dimension::Mass && fu.denominator->dimension == Dimension::Energy) {
          auto [jt, fadded] = fuel_index.try_emplace(fuel->id, static_cast<int>(m.fuels.size()));
          if (fadded)
            m.fuels.push_back(Param{fuel->id, pct_of_bounds(fuel->ncv_tj_per_gg, fuel->ncv_lower, fuel->ncv_upper)});
          t.fuel = jt->second;
        }
      }
      if (f->gas == "CO2" && t.activity == "ammonia") offset_t = -co2_recovered_t(data.str(row.parameters));
    }
    t.c = offset_t * l.gwp;
    t.x = l.co2e_t - t.c;
    if (!std::isfinite(t.x) || !std::isfinite(t.c))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the {} emission of this row is {} t CO2e (amount {} {} × factor × GWP overflows a "
                              "double); check the amount and its unit (give it in a larger unit, e.g. kt or PJ)",
                              t.gas, l.co2e_t, row.amount, data.str(row.unit)),
                  data.where(row, "amount"));
    if (t.factor >= 0 && (!std::isfinite(f->value) || (!std::isnan(f->lower) && !std::isfinite(f->lower)) ||
                          (!std::isnan(f->upper) && !std::isfinite(f->upper))))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("factor {} has a value or 95 % bound that is not a finite number (value {}, lower {}, "
                              "upper {}); correct the factor library",
                              f->id, f->value, f->lower, f->upper),
                  ErrorContext{lib.source(), 0, 0, f->id});
    t.entry = fmt::format("{}|{}|{}|{}|{}", tree.at(t.category).code, lower(t.activity),
                          lower(data.str(row.technology)), t.gas, t.factor_id);
    m.terms.push_back(std::move(t));
  }
  return m;
}

// The reported lines: slots of the output, and each term's slot.
struct Report {
  std::vector<UncertaintyLine> lines;  // without numbers, "total" last
  std::vector<int> parent;             // per slot: the slot its sum rolls up into (-1: none)
  std::vector<int> term_slot;          // per term: its slot (-1: only in the total)
  size_t slots() const { return lines.size() - 1; }
};

Report make_report(const Model& m, const CategoryTree& tree, const By& by) {
  Report rep;
  if (by.kind == ByKind::Gas) {
    std::vector<std::string> gases;
    for (const auto& t : m.terms)
      if (std::find(gases.begin(), gases.end(), t.gas) == gases.end()) gases.push_back(t.gas);
    auto order = [](const std::string& g) { return g == "CO2" ? 0 : g == "CH4" ? 1 : g == "N2O" ? 2 : 3; };
    std::stable_sort(gases.begin(), gases.end(), [&](auto& a, auto& b) { return order(a) < order(b); });
    for (const auto& g : gases) rep.lines.push_back(UncertaintyLine{g, g, 0});
    rep.parent.assign(gases.size(), -1);
    for (const auto& t : m.terms)
      rep.term_slot.push_back(static_cast<int>(std::find(gases.begin(), gases.end(), t.gas) - gases.begin()));
  } else {
    std::vector<char> touched(static_cast<size_t>(tree.size()), 0);
    for (const auto& t : m.terms)
      for (int c = t.category; c >= 0 && !touched[static_cast<size_t>(c)]; c = tree.parent(c))
        touched[static_cast<size_t>(c)] = 1;
    std::vector<int> slot(static_cast<size_t>(tree.size()), -1);
    for (int i = 0; i < tree.size(); ++i) {
      const Category& c = tree.at(i);
      if (!touched[static_cast<size_t>(i)] || c.level == 0) continue;
      if (by.kind == ByKind::Level && c.level != by.level) continue;
      slot[static_cast<size_t>(i)] = static_cast<int>(rep.lines.size());
      rep.lines.push_back(UncertaintyLine{c.code, c.title, c.level});
      rep.parent.push_back(
          by.kind == ByKind::Category && tree.parent(i) >= 0 ? slot[static_cast<size_t>(tree.parent(i))] : -1);
    }
    for (const auto& t : m.terms) {
      int c = t.category;
      if (by.kind == ByKind::Level)
        while (c >= 0 && tree.at(c).level > by.level) c = tree.parent(c);
      rep.term_slot.push_back(c >= 0 ? slot[static_cast<size_t>(c)] : -1);
    }
  }
  rep.lines.push_back(UncertaintyLine{"total", "Total (excluding memo items)", 0});
  return rep;
}

// Every reported number must be finite: the sums of large but finite terms can still overflow. Checked before
// the capability writes the lines to the store; the error names the row with the largest emission.
void check_lines_finite(const InventoryUncertainty& out, const Model& m, const ActivityData& data) {
  for (const auto& l : out.lines) {
    const bool pct_ok = l.mean == 0 || (std::isfinite(l.pct_low) && std::isfinite(l.pct_high));
    if (std::isfinite(l.mean) && std::isfinite(l.median) && std::isfinite(l.sd) && std::isfinite(l.p2_5) &&
        std::isfinite(l.p97_5) && pct_ok)
      continue;
    const Term* big = nullptr;
    for (const auto& t : m.terms)
      if (!big || std::fabs(t.x) > std::fabs(big->x)) big = &t;
    const ActivityRow* row = big ? &data.rows[big->row] : nullptr;
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the uncertainty of '{}' is not a finite number (mean {}, sd {}, p2.5 {}, p97.5 {}): the "
                            "emissions overflow a double{}; check the amounts and their units (give large amounts in "
                            "a larger unit, e.g. kt or PJ)",
                            l.key, l.mean, l.sd, l.p2_5, l.p97_5,
                            big ? fmt::format(" (the largest is {} t CO2e of {})", big->x, big->gas) : std::string()),
                row ? data.where(*row, "amount") : ErrorContext{data.source});
  }
}

InventoryUncertainty header(const ActivityData& data, const UncertaintyOptions& o, const Model& m, int approach,
                            int year) {
  InventoryUncertainty out;
  out.approach = approach;
  out.gwp_set = m.result.gwp_set;
  out.edition = m.result.edition;
  out.by = o.by;
  out.source = data.source;
  out.year = year;
  out.factors = m.factors.size();
  out.fuels = m.fuels.size();
  out.terms = m.terms.size();
  out.warnings = m.warnings;
  return out;
}

int reported_year(const ActivityData& data, const UncertaintyOptions& o) {
  if (o.calc.year) return o.calc.year;
  const auto ys = years_of(data, o.calc.country);
  if (o.base_year && ys.empty())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("--base-year {} needs rows of two years, but {} has no year column (or no years); add a "
                            "year column with both years",
                            o.base_year, data.source),
                ErrorContext{data.source, 0, 0, "base-year"});
  return ys.empty() ? 0 : ys.back();
}

// Without --year, a file of several years reports the latest: say so (the other rows are left out).
void note_year(const ActivityData& data, const UncertaintyOptions& o, int year, InventoryUncertainty& out) {
  if (o.calc.year) return;
  const auto ys = years_of(data, o.calc.country);
  if (ys.size() > 1 + (o.base_year ? 1 : 0))
    out.warnings.push_back(fmt::format("{} holds the years {}: reporting {} (the latest); choose another with --year",
                                       data.source, fmt::join(ys, ", "), year));
}

// ---- Approach 1 -------------------------------------------------------------------------------------------

struct EntrySums {
  double d = 0;    // Σ (x + c): emissions
  double ad2 = 0;  // Σ (E_r x_r / 100)²: activity data, rows independent
  double efx = 0;  // Σ F_r x_r / 100: factor and NCV, one factor (correlated)
  bool any = false;
  double u_abs() const { return std::sqrt(ad2 + efx * efx); }
};

double term_ef_pct(const Model& m, const Term& t) {
  const double f = t.factor >= 0 ? m.factors[static_cast<size_t>(t.factor)].pct.larger() : 0;
  const double n = t.fuel >= 0 ? m.fuels[static_cast<size_t>(t.fuel)].pct.larger() : 0;
  return std::sqrt(f * f + n * n);
}

void add_term(EntrySums& s, const Model& m, const Term& t) {
  s.d += t.x + t.c;
  s.ad2 += (t.ad_pct * t.x / 100) * (t.ad_pct * t.x / 100);
  s.efx += term_ef_pct(m, t) * t.x / 100;
  s.any = true;
}

}  // namespace

void validate_uncertainty_output(std::string_view by, std::string_view format) {
  parse_by(by);
  if (format != "table" && format != "csv" && format != "json")
    throw Error(ErrorCategory::InvalidInput, fmt::format("--format '{}' is not table, csv or json", format),
                ErrorContext{{}, 0, 0, "format"});
}

InventoryUncertainty uncertainty_approach1(const ActivityData& data, const FactorLibrary& lib, const CategoryTree& tree,
                                           const UncertaintyOptions& o) {
  const By by = parse_by(o.by);
  const int year = reported_year(data, o);
  if (o.base_year) {
    const auto ys = years_of(data, o.calc.country);
    if (std::find(ys.begin(), ys.end(), o.base_year) == ys.end())
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("base year {} is not in {}{} (its years: {}); give --base-year one of them", o.base_year,
                              data.source, o.calc.country.empty() ? "" : fmt::format(" for country {}", o.calc.country),
                              fmt::join(ys, ", ")),
                  ErrorContext{data.source, 0, 0, "base-year"});
    if (o.base_year == year)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("--base-year {} is the year reported; the trend needs an earlier or later year (--year)",
                              o.base_year),
                  ErrorContext{data.source, 0, 0, "base-year"});
  }
  const Model m = build_model(data, lib, tree, o, year);
  InventoryUncertainty out = header(data, o, m, 1, year);
  note_year(data, o, year, out);
  const Report rep = make_report(m, tree, by);

  // Table 3.2 entries, in order of first appearance (year t, then base-year-only entries).
  std::vector<std::string> keys;
  std::unordered_map<std::string, size_t> at;
  std::vector<EntrySums> now, base;
  std::vector<int> entry_slot;
  auto entry_of = [&](const Term& t, int slot) {
    auto [it, added] = at.try_emplace(t.entry, keys.size());
    if (added) {
      keys.push_back(t.entry);
      now.emplace_back();
      base.emplace_back();
      entry_slot.push_back(slot);
      out.table.push_back(Table32Entry{tree.at(t.category).code, t.activity, t.gas, t.factor_id});
    }
    return it->second;
  };
  for (size_t i = 0; i < m.terms.size(); ++i) add_term(now[entry_of(m.terms[i], rep.term_slot[i])], m, m.terms[i]);
  std::optional<Model> mb;
  if (o.base_year) {
    mb = build_model(data, lib, tree, o, o.base_year);
    for (const auto& w : mb->warnings)
      if (std::find(out.warnings.begin(), out.warnings.end(), w) == out.warnings.end()) out.warnings.push_back(w);
    for (const Term& t : mb->terms) add_term(base[entry_of(t, -1)], *mb, t);
  }

  double total_d = 0, total_c = 0;
  for (size_t e = 0; e < keys.size(); ++e) {
    total_d += now[e].d;
    total_c += base[e].d;
  }
  // Per line: Σ D and Σ (u_abs)² over the entries below it (Eq 3.2), rolled up the tree.
  std::vector<double> sum(rep.lines.size(), 0.0), var(rep.lines.size(), 0.0);
  const size_t total = rep.slots();
  for (size_t e = 0; e < keys.size(); ++e) {
    const EntrySums& s = now[e].any ? now[e] : base[e];
    Table32Entry& te = out.table[e];
    te.base_t = base[e].d;
    te.year_t = now[e].d;
    const double d = std::fabs(s.d);
    te.ad_pct = d > 0 ? std::sqrt(s.ad2) / d * 100 : 0;
    te.ef_pct = d > 0 ? std::fabs(s.efx) / d * 100 : 0;
    te.combined_pct = std::sqrt(te.ad_pct * te.ad_pct + te.ef_pct * te.ef_pct);  // Eq 3.1
    if (!now[e].any) continue;
    const double u2 = now[e].u_abs() * now[e].u_abs();
    te.variance_share = total_d != 0 ? u2 / (total_d * total_d) * 1e4 : 0;  // H, in %²
    if (entry_slot[e] >= 0) {
      sum[static_cast<size_t>(entry_slot[e])] += now[e].d;
      var[static_cast<size_t>(entry_slot[e])] += u2;
    }
    sum[total] += now[e].d;
    var[total] += u2;
  }
  for (size_t s = rep.slots(); s-- > 0;)
    if (rep.parent[s] >= 0) {
      sum[static_cast<size_t>(rep.parent[s])] += sum[s];
      var[static_cast<size_t>(rep.parent[s])] += var[s];
    }
  out.lines = rep.lines;
  for (size_t s = 0; s < out.lines.size(); ++s) {
    UncertaintyLine& l = out.lines[s];
    const double u = sum[s] != 0 ? std::sqrt(var[s]) / std::fabs(sum[s]) * 100 : 0;  // Eq 3.2
    l.mean = l.median = sum[s];
    l.sd = std::sqrt(var[s]) / kZ975;
    l.p2_5 = sum[s] - std::sqrt(var[s]);
    l.p97_5 = sum[s] + std::sqrt(var[s]);
    l.pct_low = l.pct_high = u;
  }
  check_lines_finite(out, m, data);
  if (o.base_year) {
    if (total_c == 0)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the base year {} totals 0 t CO2e; the trend is undefined", o.base_year),
                  ErrorContext{data.source, 0, 0, "base-year"});
    TrendUncertainty tr{o.base_year, year, total_c, total_d, (total_d - total_c) / total_c * 100, 0};
    double m2 = 0;
    for (auto& te : out.table) {
      // Table 3.2 column I (type A) and J (type B) sensitivities, K = I·F, L = J·E·√2, M = √(K² + L²)
      const double c1 = 0.01 * te.base_t + total_c;
      te.type_a = (0.01 * te.year_t + total_d - c1) / c1 * 100 - (total_d - total_c) / total_c * 100;
      te.type_b = te.year_t / total_c;
      te.trend_ef_pct = te.type_a * te.ef_pct;
      te.trend_ad_pct = te.type_b * te.ad_pct * std::sqrt(2.0);
      te.trend_pct = std::sqrt(te.trend_ef_pct * te.trend_ef_pct + te.trend_ad_pct * te.trend_ad_pct);
      m2 += te.trend_pct * te.trend_pct;
    }
    tr.uncertainty_pct = std::sqrt(m2);
    out.trend = tr;
  }
  return out;
}

// ---- Approach 2 -------------------------------------------------------------------------------------------

namespace {

// One input's draws (unc::Sampler::fill: the vector Philox4x32 kernel, two draws per block, for normal and lognormal).
struct Stream {
  unc::Sampler sampler;
  Stream(const unc::Distribution& dist, uint64_t s, uint64_t p) : sampler(dist, s, p) {}
  void fill(uint64_t first, size_t n, double* out) const { sampler.fill(first, n, out); }
};

constexpr size_t kBlock = 256;  // draws computed together by a worker

struct Plan {
  uint64_t draws = 0;
  size_t slots = 0, outputs = 0;
  std::vector<Stream> factors, fuels;
  struct Group {
    int factor = -1, fuel = -1;  // buffer = factor draws × fuel draws
  };
  std::vector<Group> groups;
  struct TermPlan {
    double x = 0;
    int group = -1;  // -1: multiplier 1
    int slot = -1;   // -1: total only
  };
  struct RowPlan {
    size_t stream = 0;
    uint32_t first = 0, end = 0;  // terms
    bool split = false;           // its terms go to more than one line (--by gas)
  };
  std::vector<Stream> rows;  // activity data streams
  std::vector<RowPlan> row_plans;
  std::vector<TermPlan> terms;
  std::vector<double> constant;  // per output: Σ c of its terms, added before the roll-up
  std::vector<int> parent;       // per slot
};

// One row's terms that go to the same line (all of them but with --by gas): w[i] = Σ_k x_k g_k[i] (g_k null: x_k),
// then v = a[i] · w[i] is added to the line s (null: the total only) and to the total tot (null: the line only),
// so the line and the total are read and written once per row, not once per term. A row whose terms go to several
// lines adds its segments to their lines only, and then all its terms as one segment to the total, so the total
// has the same bits whatever the lines (a · (w₁ + w₂) is not a · w₁ + a · w₂ in floating point). Plain IEEE
// operations in a fixed order (the file is compiled with -ffp-contract=off), so the AVX2 and AVX-512F clones give
// the bits of the baseline one.
struct Segment {
  const Plan::TermPlan* terms = nullptr;
  size_t count = 0;
};
[[gnu::always_inline]] inline void add_segment_body(Segment seg, const double* const* group, const double* __restrict a,
                                                    double* __restrict w, double* __restrict s,
                                                    double* __restrict tot, size_t n) {
  for (size_t k = 0; k < seg.count; ++k) {
    const double x = seg.terms[k].x;
    const double* __restrict g = seg.terms[k].group >= 0 ? group[static_cast<size_t>(seg.terms[k].group)] : nullptr;
    if (k == 0) {
      if (g)
        for (size_t i = 0; i < n; ++i) w[i] = x * g[i];
      else
        for (size_t i = 0; i < n; ++i) w[i] = x;
    } else {
      if (g)
        for (size_t i = 0; i < n; ++i) w[i] += x * g[i];
      else
        for (size_t i = 0; i < n; ++i) w[i] += x;
    }
  }
  if (s && tot)
    for (size_t i = 0; i < n; ++i) {
      const double v = a[i] * w[i];
      s[i] += v;
      tot[i] += v;
    }
  else if (s)
    for (size_t i = 0; i < n; ++i) s[i] += a[i] * w[i];
  else
    for (size_t i = 0; i < n; ++i) tot[i] += a[i] * w[i];
}

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("avx512f"))) void add_segment_avx512(Segment seg, const double* const* group, const double* a,
                                                           double* w, double* s, double* tot, size_t n) {
  add_segment_body(seg, group, a, w, s, tot, n);
}
__attribute__((target("avx2"))) void add_segment_avx2(Segment seg, const double* const* group, const double* a,
                                                      double* w, double* s, double* tot, size_t n) {
  add_segment_body(seg, group, a, w, s, tot, n);
}
inline void add_segment(Segment seg, const double* const* group, const double* a, double* w, double* s, double* tot,
                        size_t n) {
  // the engine's choice of clone (unc::vector_level: the CPU's best, or lower in tests)
  const int level = unc::vector_level();
  if (level == 2) return add_segment_avx512(seg, group, a, w, s, tot, n);
  if (level == 1) return add_segment_avx2(seg, group, a, w, s, tot, n);
  add_segment_body(seg, group, a, w, s, tot, n);
}
#else
inline void add_segment(Segment seg, const double* const* group, const double* a, double* w, double* s, double* tot,
                        size_t n) {
  add_segment_body(seg, group, a, w, s, tot, n);
}
#endif

class Worker final : public parallel::Worker {
 public:
  explicit Worker(const Plan& p)
      : p_(p),
        fbuf_(p.factors.size() * kBlock),
        nbuf_(p.fuels.size() * kBlock),
        gbuf_(p.groups.size() * kBlock),
        abuf_(kBlock),
        wbuf_(kBlock),
        acc_(p.outputs * kBlock),
        block_(p.outputs * kBlock),
        group_(p.groups.size()) {
    end_ = parallel::block_of(p.draws, parallel::rank(), parallel::size()).end;
  }

  void run(uint64_t draw, double* out) override {
    if (draw < first_ || draw >= first_ + n_) compute(draw);
    std::memcpy(out, block_.data() + (draw - first_) * p_.outputs, p_.outputs * sizeof(double));
  }

 private:
  const Plan& p_;
  std::vector<double> fbuf_, nbuf_, gbuf_, abuf_, wbuf_, acc_, block_;
  std::vector<const double*> group_;  // per group: its block of multipliers
  uint64_t first_ = 0, n_ = 0, end_ = 0;

  void compute(uint64_t first) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kBlock, (first < end_ ? end_ : p_.draws) - first));
    first_ = first;
    n_ = n;
    for (size_t f = 0; f < p_.factors.size(); ++f) p_.factors[f].fill(first, n, fbuf_.data() + f * kBlock);
    for (size_t f = 0; f < p_.fuels.size(); ++f) p_.fuels[f].fill(first, n, nbuf_.data() + f * kBlock);
    std::vector<const double*>& group = group_;
    for (size_t g = 0; g < p_.groups.size(); ++g) {
      const auto& gr = p_.groups[g];
      const double* f = fbuf_.data() + static_cast<size_t>(gr.factor) * kBlock;
      if (gr.fuel < 0) {
        group[g] = f;
        continue;
      }
      const double* nn = nbuf_.data() + static_cast<size_t>(gr.fuel) * kBlock;
      double* out = gbuf_.data() + g * kBlock;
      for (size_t i = 0; i < n; ++i) out[i] = f[i] * nn[i];
      group[g] = out;
    }
    const size_t total = p_.slots;
    for (size_t o = 0; o < p_.outputs; ++o) std::fill_n(acc_.data() + o * kBlock, n, 0.0);
    double* __restrict tot = acc_.data() + total * kBlock;
    double* __restrict a = abuf_.data();
    double* __restrict w = wbuf_.data();
    for (const auto& rp : p_.row_plans) {
      p_.rows[rp.stream].fill(first, n, a);
      for (uint32_t k = rp.first; k < rp.end;) {  // runs of terms with the same line
        uint32_t e = k + 1;
        while (e < rp.end && p_.terms[e].slot == p_.terms[k].slot) ++e;
        const int slot = p_.terms[k].slot;
        double* s = slot >= 0 ? acc_.data() + static_cast<size_t>(slot) * kBlock : nullptr;
        if (s || !rp.split)
          add_segment(Segment{p_.terms.data() + k, e - k}, group.data(), a, w, s, rp.split ? nullptr : tot, n);
        k = e;
      }
      if (rp.split)  // the total: all the row's terms at once, as a row of one line adds them
        add_segment(Segment{p_.terms.data() + rp.first, rp.end - rp.first}, group.data(), a, w, nullptr, tot, n);
    }
    for (size_t o = 0; o < p_.outputs; ++o)
      if (p_.constant[o] != 0)
        for (size_t i = 0; i < n; ++i) acc_[o * kBlock + i] += p_.constant[o];
    for (size_t s = p_.slots; s-- > 0;)
      if (p_.parent[s] >= 0) {
        double* __restrict to = acc_.data() + static_cast<size_t>(p_.parent[s]) * kBlock;
        const double* __restrict from = acc_.data() + s * kBlock;
        for (size_t i = 0; i < n; ++i) to[i] += from[i];
      }
    for (size_t o = 0; o < p_.outputs; ++o)
      for (size_t i = 0; i < n; ++i) block_[i * p_.outputs + o] = acc_[o * kBlock + i];
  }
};

}  // namespace

InventoryUncertainty uncertainty_approach2(const ActivityData& data, const FactorLibrary& lib, const CategoryTree& tree,
                                           const UncertaintyOptions& o, uint64_t seed, const parallel::RunOptions& run,
                                           parallel::Draws* keep) {
  const By by = parse_by(o.by);
  if (o.base_year)
    throw Error(ErrorCategory::InvalidInput,
                "--base-year (the trend uncertainty of Table 3.2) is computed by Approach 1: add --approach 1",
                ErrorContext{data.source, 0, 0, "base-year"});
  const int year = reported_year(data, o);
  const Model m = build_model(data, lib, tree, o, year);
  InventoryUncertainty out = header(data, o, m, 2, year);
  note_year(data, o, year, out);
  const Report rep = make_report(m, tree, by);

  Plan plan;
  plan.draws = run.draws;
  plan.slots = rep.slots();
  plan.outputs = rep.lines.size();
  plan.parent = rep.parent;
  plan.constant.assign(plan.outputs, 0.0);
  for (const auto& f : m.factors)
    plan.factors.emplace_back(unc::from_ipcc_percent(1.0, f.pct.low, f.pct.high), seed,
                              unc::parameter_id("factor:" + f.id));
  for (const auto& f : m.fuels)
    plan.fuels.emplace_back(unc::from_ipcc_percent(1.0, f.pct.low, f.pct.high), seed, unc::parameter_id("ncv:" + f.id));
  std::map<std::pair<int, int>, int> group_of;
  for (size_t i = 0; i < m.terms.size(); ++i) {
    const Term& t = m.terms[i];
    if (plan.row_plans.empty() || m.terms[plan.row_plans.back().first].row != t.row) {
      const ActivityRow& row = data.rows[t.row];
      plan.rows.emplace_back(unc::from_ipcc_percent(1.0, t.ad_pct, t.ad_pct), seed,
                             unc::parameter_id(fmt::format("activity:{}:{}:{}", row.line, tree.at(t.category).code,
                                                           data.str(row.activity))));
      plan.row_plans.push_back(Plan::RowPlan{plan.rows.size() - 1, static_cast<uint32_t>(i), static_cast<uint32_t>(i)});
    }
    int group = -1;
    if (t.factor >= 0) {
      auto [it, added] = group_of.try_emplace({t.factor, t.fuel}, static_cast<int>(plan.groups.size()));
      if (added) plan.groups.push_back(Plan::Group{t.factor, t.fuel});
      group = it->second;
    }
    const int slot = rep.term_slot[i];
    plan.terms.push_back(Plan::TermPlan{t.x, group, slot});
    Plan::RowPlan& rp = plan.row_plans.back();
    rp.end = static_cast<uint32_t>(i + 1);
    rp.split = rp.split || plan.terms[rp.first].slot != slot;
    if (t.c != 0) {
      if (slot >= 0) plan.constant[static_cast<size_t>(slot)] += t.c;
      plan.constant[plan.slots] += t.c;
    }
  }
  out.rows = plan.rows.size();
  out.draws = run.draws;
  out.seed = seed;

  parallel::RunOptions ro = run;
  ro.chunk = kBlock;
  parallel::Draws d = parallel::run_draws(plan.outputs, ro, [&] { return std::make_unique<Worker>(plan); });

  out.lines = rep.lines;
  // The lines' summaries, each a function of its own column: spread over the threads (the same numbers).
  const size_t nthreads =
      std::min<size_t>(plan.outputs, static_cast<size_t>(std::max(1, parallel::thread_count(run.threads))));
  std::atomic<size_t> next{0};
  auto summarize_lines = [&] {
    std::vector<double> column(d.draws), work;
    for (size_t oi = next++; oi < plan.outputs; oi = next++) {
      for (uint64_t k = 0; k < d.draws; ++k) column[k] = d.values[k * plan.outputs + oi];
      const unc::Summary s = unc::summarize(column.data(), column.size(), work);
      UncertaintyLine& l = out.lines[oi];
      l.mean = s.mean;
      l.median = s.median;
      l.sd = s.sd;
      l.p2_5 = s.p2_5;
      l.p97_5 = s.p97_5;
      l.pct_low = s.pct_low();
      l.pct_high = s.pct_high();
    }
  };
  {
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(nthreads);
    for (size_t t = 1; t < nthreads; ++t) {
      try {
        pool.emplace_back([&, t] {
          try {
            summarize_lines();
          } catch (...) {
            errors[t] = std::current_exception();
            next = plan.outputs;
          }
        });
      } catch (const std::system_error&) {
        break;  // no more threads: the others (this one at least) take the rest
      }
    }
    try {
      summarize_lines();
    } catch (...) {
      errors[0] = std::current_exception();
      next = plan.outputs;
    }
    for (auto& th : pool) th.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  check_lines_finite(out, m, data);
  if (keep) *keep = std::move(d);
  return out;
}

// ---- output -------------------------------------------------------------------------------------------------

void write_inventory_uncertainty(std::ostream& out, const InventoryUncertainty& r, std::string_view format,
                                 const nlohmann::json& extra) {
  validate_uncertainty_output(r.by, format);
  if (format == "csv") {
    std::string buf = "category,mean_t_co2e,p2_5,p97_5,uncertainty_pct_low,uncertainty_pct_high\n";
    for (const auto& l : r.lines)
      buf += fmt::format("{},{},{},{},{},{}\n", csv_field(l.key), l.mean, l.p2_5, l.p97_5, l.pct_low, l.pct_high);
    out << buf;
    return;
  }
  if (format == "json") {
    nlohmann::json j = {
        {"approach", r.approach}, {"source", r.source}, {"gwp", r.gwp_set}, {"edition", r.edition}, {"by", r.by}};
    if (r.year) j["year"] = r.year;
    auto lines = nlohmann::json::array();
    for (const auto& l : r.lines)
      lines.push_back({{"category", l.key},
                       {"title", l.title},
                       {"level", l.level},
                       {"mean_t_co2e", l.mean},
                       {"median", l.median},
                       {"sd", l.sd},
                       {"p2_5", l.p2_5},
                       {"p97_5", l.p97_5},
                       {"uncertainty_pct_low", l.pct_low},
                       {"uncertainty_pct_high", l.pct_high}});
    j["lines"] = lines;
    j["model"] = {{"terms", r.terms}, {"factors", r.factors}, {"fuels_ncv", r.fuels}};
    if (r.approach == 2) j["model"]["activity_parameters"] = r.rows;
    if (r.approach == 1) {
      auto t = nlohmann::json::array();
      for (const auto& e : r.table) {
        nlohmann::json x = {{"category", e.category},
                            {"activity", e.activity},
                            {"gas", e.gas},
                            {"factor_id", e.factor_id},
                            {"D_year_t_co2e", e.year_t},
                            {"E_ad_pct", e.ad_pct},
                            {"F_ef_pct", e.ef_pct},
                            {"G_combined_pct", e.combined_pct},
                            {"H_variance_share_pct2", e.variance_share}};
        if (r.trend) {
          x["C_base_t_co2e"] = e.base_t;
          x["I_type_a"] = e.type_a;
          x["J_type_b"] = e.type_b;
          x["K_trend_ef_pct"] = e.trend_ef_pct;
          x["L_trend_ad_pct"] = e.trend_ad_pct;
          x["M_trend_pct"] = e.trend_pct;
        }
        t.push_back(x);
      }
      j["table_3_2"] = t;
    }
    if (r.trend)
      j["trend"] = {{"base_year", r.trend->base_year}, {"year", r.trend->year},
                    {"base_t_co2e", r.trend->base_t},  {"year_t_co2e", r.trend->year_t},
                    {"trend_pct", r.trend->trend_pct}, {"trend_uncertainty_pct", r.trend->uncertainty_pct}};
    j["warnings"] = r.warnings;
    if (extra.is_object()) j.update(extra);
    out << j.dump(2) << '\n';
    return;
  }
  std::string buf;
  buf += fmt::format("Uncertainty of {}{}: IPCC 2006 Vol 1 Ch 3 Approach {} ({}), t CO2e ({} GWP100, {} edition)\n",
                     r.source, r.year ? fmt::format(" ({})", r.year) : "", r.approach,
                     r.approach == 1 ? "error propagation, Eq 3.1-3.2" : "Monte Carlo", r.gwp_set, r.edition);
  if (r.approach == 2) buf += fmt::format("{} draws, seed {}\n", r.draws, r.seed);
  buf += fmt::format("{:<16} {:>14} {:>14} {:>14} {:>14} {:>8} {:>8}  {}\n", "category", "mean", "median", "p2.5",
                     "p97.5", "-%", "+%", "title");
  for (const auto& l : r.lines)
    buf += fmt::format("{:<16} {:>14.6g} {:>14.6g} {:>14.6g} {:>14.6g} {:>8.2f} {:>8.2f}  {}\n", l.key, l.mean,
                       l.median, l.p2_5, l.p97_5, l.pct_low, l.pct_high, l.title);
  if (r.trend)
    buf +=
        fmt::format("trend {} to {}: {:+.2f} % of the base year, uncertainty ±{:.2f} percentage points (Table 3.2)\n",
                    r.trend->base_year, r.trend->year, r.trend->trend_pct, r.trend->uncertainty_pct);
  for (const auto& w : r.warnings) buf += fmt::format("warning: {}\n", w);
  out << buf;
}

}  // namespace panocarbon
