// Tier 1 / Tier 2 emissions of every activity row (see include/panocarbon/inventory.hpp for the equations).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/units.hpp"

namespace panocarbon {

namespace {

// What one distinct kind of row turns into: per gas, emissions_t = amount × scale [× row factor] [× OF].
struct Term {
  uint32_t gas;
  double offset_t = 0;  // added after scaling: minus the CO2 recovered for urea (ammonia, Eq 3.1)
  uint32_t factor_id;
  double scale;       // t of gas per unit of amount (Tier 1), or per unit of amount per unit of row factor
  double gwp;
  Memo memo;
  bool oxidisable;    // CO2 of a fuel: multiplied by the row's oxidation factor
  bool user_factor;
};
struct Plan {
  int category = -1;
  bool fuel = false;  // fuel combustion: an oxidation factor may apply
  std::vector<Term> terms;
};

struct Key {
  uint32_t category, activity, unit, technology, gas, factor_unit, factor_source, parameters;
  bool user;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  size_t operator()(const Key& k) const noexcept {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t v : {k.category, k.activity, k.unit, k.technology, k.gas, k.factor_unit, k.factor_source,
                       k.parameters, static_cast<uint32_t>(k.user)}) {
      h ^= v;
      h *= 1099511628211ull;
    }
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

constexpr double kTonne = 1000.0;  // kg per t

// Tier 1 equation inputs given in a row's parameters column (see inventory.hpp).
struct RowParameters {
  double clinker_fraction = kNaN, cullet_ratio = kNaN, co2_recovered_t = kNaN;
};

RowParameters parse_parameters(std::string_view text, const ErrorContext& ctx) {
  RowParameters p;
  while (!text.empty()) {
    const size_t semi = std::min(text.find(';'), text.size());
    const std::string_view item = io::trim(text.substr(0, semi));
    text.remove_prefix(std::min(semi + 1, text.size()));
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string_view name = io::trim(item.substr(0, std::min(eq, item.size())));
    double v = 0;
    if (eq == std::string_view::npos || !io::parse_double(item.substr(eq + 1), v))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("parameter '{}' must be name=number, e.g. clinker_fraction=0.75{}", clip_input(item),
                              eq == std::string_view::npos ? std::string()
                                                           : fmt::format("; {}", io::number_problem(item.substr(eq + 1)))), ctx);
    double* slot = name == "clinker_fraction" ? &p.clinker_fraction
                   : name == "cullet_ratio"   ? &p.cullet_ratio
                   : name == "co2_recovered_t" ? &p.co2_recovered_t
                                               : nullptr;
    if (!slot)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("unknown parameter '{}'; the parameters are clinker_fraction (cement), cullet_ratio "
                              "(glass) and co2_recovered_t (ammonia)", clip_input(name)),
                  ctx);
    const bool fraction = slot != &p.co2_recovered_t;
    if (v < 0 || (fraction && v > 1) || (slot == &p.clinker_fraction && v == 0) || (slot == &p.cullet_ratio && v == 1))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("parameter {}={} is out of range ({})", name, clip_input(item.substr(eq + 1)),
                              slot == &p.clinker_fraction ? "0 < clinker_fraction <= 1"
                              : slot == &p.cullet_ratio   ? "0 <= cullet_ratio < 1"
                                                          : "co2_recovered_t >= 0"),
                  ctx);
    *slot = v;
  }
  return p;
}

class Planner {
 public:
  Planner(const ActivityData& d, const FactorLibrary& lib, const CategoryTree& tree, const CalcOptions& o,
          InventoryResult& r)
      : d_(d), lib_(lib), tree_(tree), opt_(o), r_(r), gwp_(GwpTable::builtin().set(o.gwp)) {}

  const Plan& plan_for(const ActivityRow& row) {
    const Key k{row.category, row.activity,      row.unit,       row.technology,        row.gas,
                row.factor_unit, row.factor_source, row.parameters, !std::isnan(row.factor)};
    auto it = cache_.find(k);
    if (it == cache_.end()) it = cache_.emplace(k, build(row)).first;
    return it->second;
  }

 private:
  const ActivityData& d_;
  const FactorLibrary& lib_;
  const CategoryTree& tree_;
  const CalcOptions& opt_;
  InventoryResult& r_;
  const GwpSet& gwp_;
  std::unordered_map<Key, Plan, KeyHash> cache_;

  // Converts one unit of the row's amount into the factor's denominator unit.
  double activity_scale(const ActivityRow& row, const Unit& amount_unit, const Unit& denom, const Fuel* fuel,
                        std::string_view factor_name) const {
    if (amount_unit.dimension == denom.dimension) return conversion_factor(amount_unit, denom);
    if (denom.dimension == Dimension::Energy && amount_unit.dimension == Dimension::Mass && fuel) {
      if (std::isnan(fuel->ncv_tj_per_gg))
        throw Error(ErrorCategory::Unit,
                    fmt::format("{} has no default net calorific value (Table 1.2 gives none); give the amount in an "
                                "energy unit (TJ, GJ...)", fuel->name),
                    d_.where(row, "unit"));
      // mass -> Gg -> TJ (NCV, Table 1.2) -> denominator unit
      return amount_unit.to_base / u::Gg.to_base * fuel->ncv_tj_per_gg * u::TJ.to_base / denom.to_base;
    }
    if (amount_unit.dimension == Dimension::Volume && fuel)
      throw Error(ErrorCategory::Unit,
                  fmt::format("amounts of {} in {} cannot be converted: the IPCC tables give calorific values per "
                              "mass, not per volume; give the amount as mass (t, kt...) or energy (TJ, GJ...)",
                              fuel->name, amount_unit.symbol),
                  d_.where(row, "unit"));
    throw Error(ErrorCategory::Unit,
                fmt::format("the {} factor is per {} ({}) but the amount is in {} ({}); give the amount in {} unit",
                            factor_name, denom.symbol, to_string(denom.dimension), amount_unit.symbol,
                            to_string(amount_unit.dimension),
                            denom.dimension == Dimension::Energy ? "an energy" : std::string("a ") + to_string(denom.dimension)),
                d_.where(row, "unit"));
  }

  // International bunkers and multilateral operations are memo items (2006 IPCC Guidelines Vol 2 Ch 3
  // §3.6.1 and §3.5.1; Vol 1 Ch 8 reporting tables): computed, reported, not in the national total.
  Memo memo_of(int category, bool biogenic_co2) const {
    const auto& code = tree_.at(category).code;
    if (biogenic_co2) return Memo::BiogenicCo2;  // also on bunker rows: biogenic CO2 is never in a CO2e total
    if (category_has_prefix(code, "1.A.3.a.i") || category_has_prefix(code, "1.A.3.d.i") ||
        category_has_prefix(code, "1.A.5.c"))
      return Memo::InternationalBunkers;
    return Memo::None;
  }

  double gwp_of(const std::string& gas, int category) const {
    if (gas == "CO2_bio") return 1.0;
    if (gas == "CH4" && gwp_.has("CH4_fossil")) {
      // AR6 (Table 7.15): fossil CH4 for fugitive (1.B) and industrial-process (2) methane, whose carbon is
      // not counted elsewhere; non-fossil for the rest, including combustion (whose carbon is in the CO2
      // factor).
      const auto& code = tree_.at(category).code;
      const bool fossil = category_has_prefix(code, "1.B") || category_has_prefix(code, "2");
      return gwp_.of(fossil ? "CH4_fossil" : "CH4_nonfossil");
    }
    return gwp_.of(gas);
  }

  Plan build(const ActivityRow& row) {
    Plan p;
    const std::string_view code = d_.str(row.category);
    p.category = tree_.find(code);
    if (p.category < 0)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown IPCC 2006 category '{}'; use a code of Vol 1 Ch 8 Table 8.2, e.g. {}", code,
                              fmt::join(tree_.suggest(code), ", ")),
                  d_.where(row, "category"));
    const std::string& cat = tree_.at(p.category).code;
    const RowParameters params = parse_parameters(d_.str(row.parameters), d_.where(row, "parameters"));
    auto activity = lib_.resolve_activity(d_.str(row.activity));
    // Tier 1 for cement (Vol 3 Ch 2 Eq 2.1) is the clinker in the cement times the clinker factor.
    const bool cement = !activity && io_equal(io::trim(d_.str(row.activity)), "cement") && std::isnan(row.factor);
    if (cement) {
      if (std::isnan(params.clinker_fraction))
        throw Error(ErrorCategory::InvalidInput,
                    "cement needs its clinker fraction: parameters clinker_fraction=F (Vol 3 Ch 2 Eq 2.1), or give the "
                    "clinker production instead (activity clinker)",
                    d_.where(row, "parameters"));
      activity = lib_.resolve_activity("clinker");
    }
    // With its own factor a row may name any activity (e.g. a refrigerant in 2.F): it is only a label.
    if (!activity && !std::isnan(row.factor)) activity = std::string(d_.str(row.activity));
    if (!activity)
      throw Error(ErrorCategory::NotFound,
                  fmt::format("unknown activity '{}'; did you mean {}? (fuels as named in IPCC 2006 Vol 2 Table 1.2, "
                              "products as in docs/factors.md)",
                              d_.str(row.activity), fmt::join(lib_.suggest_activity(d_.str(row.activity)), ", ")),
                  d_.where(row, "activity"));
    const Fuel* fuel = lib_.find_fuel(*activity);
    p.fuel = fuel != nullptr;
    const Unit& amount_unit = parse_unit(d_.str(row.unit), d_.where(row, "unit"));
    const std::string gas = row.gas ? canonical_gas(d_.str(row.gas)) : std::string();
    if (!gas.empty() && gas != "CO2_bio" && !GwpTable::builtin().set("AR6").has(gas) && gas != "CO2")
      throw Error(ErrorCategory::NotFound, fmt::format("unknown gas '{}'; use CO2, CH4, N2O, SF6, NF3, an HFC or a PFC",
                                                       d_.str(row.gas)),
                  d_.where(row, "gas"));

    auto misplaced = [&](double v, const char* name, bool applies) {
      if (!std::isnan(v) && (!applies || !std::isnan(row.factor)))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("parameter {} does not apply to {}{}", name, d_.str(row.activity),
                                std::isnan(row.factor) ? "" : " with its own factor"),
                    d_.where(row, "parameters"));
    };
    misplaced(params.clinker_fraction, "clinker_fraction", cement);
    misplaced(params.cullet_ratio, "cullet_ratio", *activity == "glass");
    misplaced(params.co2_recovered_t, "co2_recovered_t", *activity == "ammonia");

    if (!std::isnan(row.factor)) {  // Tier 2: the row's own factor
      const RatioUnit fu = parse_ratio_unit(d_.str(row.factor_unit), d_.where(row, "factor_unit"));
      if (fu.numerator->dimension != Dimension::Mass)
        throw Error(ErrorCategory::Unit,
                    fmt::format("factor_unit '{}' must have a mass of gas on top (kg/TJ, t/t...)", d_.str(row.factor_unit)),
                    d_.where(row, "factor_unit"));
      const double a = activity_scale(row, amount_unit, *fu.denominator, fuel, "row's own");
      std::string id = row.factor_source ? fmt::format("user:{}", d_.str(row.factor_source))
                                         : fmt::format("user:{}:{}", d_.source, row.line);
      const bool bio = (gas == "CO2" && fuel && fuel->biomass) || gas == "CO2_bio";
      const std::string g = bio ? "CO2_bio" : gas;
      p.terms.push_back(Term{r_.strings.intern(g), 0, r_.strings.intern(id), a * fu.numerator->to_base / kTonne,
                             gwp_of(g, p.category), memo_of(p.category, bio), bio || (gas == "CO2" && fuel), true});
      return p;
    }

    // Glass with a known cullet ratio: the Eq 2.10 factor before the cullet correction, times (1 - CR).
    const std::string_view tech = std::isnan(params.cullet_ratio) ? d_.str(row.technology) : "before cullet (Eq 2.10)";
    if (!std::isnan(params.cullet_ratio) && row.technology)
      throw Error(ErrorCategory::InvalidInput, "give either technology or cullet_ratio for glass, not both",
                  d_.where(row, "technology"));
    if (!tech.empty()) {
      const auto techs = lib_.technologies(*activity);
      const bool known = std::any_of(techs.begin(), techs.end(), [&](const std::string& t) {
        return io_equal(t, tech);
      });
      if (!known)
        throw Error(ErrorCategory::NotFound,
                    techs.empty() ? fmt::format("{} has no technology-specific factors; leave technology empty", *activity)
                                  : fmt::format("unknown technology '{}' for {}; use one of: {}", tech, *activity,
                                                fmt::join(techs, "; ")),
                    d_.where(row, "technology"));
    }
    if (gas == "CO2_bio" && !(fuel && fuel->biomass))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("gas CO2_bio (biogenic CO2) needs a biomass fuel or the row's own factor; {} is not a "
                              "biomass fuel, so write CO2", *activity),
                  d_.where(row, "gas"));
    const auto factors = lib_.select(cat, *activity, tech, opt_.edition, gas == "CO2_bio" ? "CO2" : gas);
    if (factors.empty())
      throw Error(ErrorCategory::NotFound,
                  fmt::format("no {}default factor for {} in category {} ({} edition); check the category, or give "
                              "the row's own factor (factor, factor_unit, gas)",
                              gas.empty() ? "" : gas + " ", *activity, cat, opt_.edition),
                  d_.where(row, "activity"));
    if (fuel && gas.empty()) {
      for (const char* g : {"CO2", "CH4", "N2O"}) {
        const bool have = std::any_of(factors.begin(), factors.end(), [&](auto* f) { return f->gas == g; });
        if (have) continue;
        const std::string msg = fmt::format("no default {} factor for {} in category {} ({} edition)", g, *activity,
                                            cat, opt_.edition);
        const auto techs = lib_.technologies(*activity, cat);
        if (!opt_.skip_missing)
          throw Error(ErrorCategory::NotFound,
                      msg + (tech.empty() && !techs.empty()
                                 ? fmt::format("; name a technology (column technology: {}), or", fmt::join(techs, "; "))
                                 : std::string(";")) +
                          " give the row's own factor with gas " + g + ", or use --skip-missing to leave it out",
                      d_.where(row, "activity"));
        r_.warnings.push_back(fmt::format("{}:{}: {} (left out)", d_.source, row.line, msg));
      }
    }
    for (const EmissionFactor* f : factors) {
      const RatioUnit fu = parse_ratio_unit(f->unit, ErrorContext{lib_.source(), 0, 0, f->id});
      const double a = activity_scale(row, amount_unit, *fu.denominator, fuel, f->id);
      const bool bio = f->gas == "CO2" && fuel && fuel->biomass;
      const std::string g = bio ? "CO2_bio" : f->gas;
      double scale = a * f->value * fu.numerator->to_base / kTonne;
      double offset = 0;
      if (f->gas == "CO2") {
        if (cement) scale *= params.clinker_fraction;
        if (!std::isnan(params.cullet_ratio)) scale *= 1.0 - params.cullet_ratio;
        if (!std::isnan(params.co2_recovered_t)) offset = -params.co2_recovered_t;
      }
      p.terms.push_back(Term{r_.strings.intern(g), offset, r_.strings.intern(f->id), scale, gwp_of(g, p.category),
                             memo_of(p.category, bio), f->gas == "CO2" && fuel != nullptr, false});
    }
    // A stable gas order: CO2, CO2_bio, CH4, N2O, then others as listed.
    auto order = [&](const Term& t) {
      const auto g = r_.str(t.gas);
      return g == "CO2" ? 0 : g == "CO2_bio" ? 1 : g == "CH4" ? 2 : g == "N2O" ? 3 : 4;
    };
    std::stable_sort(p.terms.begin(), p.terms.end(), [&](const Term& a, const Term& b) { return order(a) < order(b); });
    return p;
  }

  static bool io_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  }
};

// Id of a string in the data's pool, or a value no row has.
uint32_t find_string(const ActivityData& d, std::string_view s) {
  for (uint32_t i = 1; i < d.strings.size(); ++i)
    if (d.strings[i] == s) return i;
  return UINT32_MAX;
}

}  // namespace

InventoryResult calculate_inventory(const ActivityData& data, const FactorLibrary& library, const CategoryTree& tree,
                                    const CalcOptions& options) {
  InventoryResult r;
  r.gwp_set = GwpTable::builtin().set(options.gwp).name;
  r.edition = options.edition;
  r.source = data.source;
  if (options.edition != 2006 && options.edition != 2019)
    throw Error(ErrorCategory::InvalidInput, fmt::format("edition {} is not 2006 or 2019", options.edition),
                ErrorContext{{}, 0, 0, "edition"});
  Planner planner(data, library, tree, options, r);
  r.lines.reserve(data.rows.size() * 3);
  r.row_category.reserve(data.rows.size());
  std::vector<char> used;
  const uint32_t country_filter = options.country.empty() ? 0 : find_string(data, options.country);
  std::vector<std::pair<uint32_t, int32_t>> seen;  // distinct (country, year)
  for (uint32_t i = 0; i < data.rows.size(); ++i) {
    const ActivityRow& row = data.rows[i];
    if ((!options.country.empty() && row.country != country_filter) || (options.year && row.year != options.year)) {
      r.row_category.push_back(-1);
      continue;
    }
    if (seen.empty() || seen.back() != std::pair(row.country, row.year)) {
      if (std::find(seen.begin(), seen.end(), std::pair(row.country, row.year)) == seen.end())
        seen.emplace_back(row.country, row.year);
    }
    ++r.rows_computed;
    const Plan& p = planner.plan_for(row);
    if (!p.fuel && !std::isnan(row.oxidation_factor))
      throw Error(ErrorCategory::InvalidInput,
                  "oxidation_factor applies to fuel combustion only; leave it empty for this activity",
                  data.where(row, "oxidation_factor"));
    r.row_category.push_back(p.category);
    for (const Term& t : p.terms) {
      double e = row.amount * t.scale;
      if (t.user_factor) e *= row.factor;
      if (t.oxidisable && !std::isnan(row.oxidation_factor)) e *= row.oxidation_factor;
      if (t.offset_t != 0) {
        e += t.offset_t;
        if (e < 0)
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("co2_recovered_t {:.6g} is more than the {:.6g} t of CO2 the ammonia production emits; check "
                                  "the amount and the recovered CO2", -t.offset_t, e - t.offset_t),
                      data.where(row, "parameters"));
      }
      const double co2e = e * t.gwp;
      if (!std::isfinite(co2e))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("the emissions of this row overflow (amount {:g} {} gives more than 1.8e308 t); check "
                                "the amount and its unit (give it in a larger unit, e.g. kt or PJ)", row.amount, clip_input(data.str(row.unit))),
                    data.where(row, "amount"));
      r.lines.push_back(EmissionLine{i, t.gas, t.factor_id, t.memo, e, t.gwp, co2e});
      if (t.memo == Memo::None)
        r.total_co2e_t += co2e;
      else if (t.memo == Memo::BiogenicCo2)
        r.memo_co2_biogenic_t += e;
      else
        r.memo_bunkers_co2e_t += co2e;
      if (!std::isfinite(r.total_co2e_t) || !std::isfinite(r.memo_co2_biogenic_t) || !std::isfinite(r.memo_bunkers_co2e_t))
        throw Error(ErrorCategory::InvalidInput,
                    "the total emissions overflow (more than 1.8e308 t CO2e) when this row is added; check the amounts "
                    "and their units (give them in a larger unit, e.g. kt or PJ)",
                    data.where(row, "amount"));
      if (t.factor_id >= used.size()) used.resize(t.factor_id + 1, 0);
      used[t.factor_id] = 1;
    }
  }
  for (const auto& [c, y] : seen) {
    std::string cy(data.str(c));
    if (y) cy = cy.empty() ? fmt::format("{}", y) : fmt::format("{} {}", cy, y);
    r.country_years.push_back(cy.empty() ? "(no country or year given)" : cy);
  }
  if (r.rows_computed == 0 && !data.rows.empty())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("no row matches{}{}; check the filters against the file's country and year columns",
                            options.country.empty() ? std::string() : fmt::format(" --country '{}'", clip_input(options.country)),
                            options.year ? fmt::format(" --year {}", options.year) : std::string()),
                ErrorContext{data.source});
  for (uint32_t id = 0; id < used.size(); ++id)
    if (used[id]) r.factor_ids_used.emplace_back(r.strings[id]);
  std::sort(r.factor_ids_used.begin(), r.factor_ids_used.end());
  return r;
}

}  // namespace panocarbon
