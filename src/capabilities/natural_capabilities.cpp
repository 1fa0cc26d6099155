// The natural side's capabilities (include/panocarbon/natural_capabilities.hpp): inputs through the Context,
// the computation of src/natural, and the records of the database's natural_fluxes table, saved under the
// run that the registry logs (none with --no-store).
#include "panocarbon/natural_capabilities.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::natural {

namespace {
// Nothing that is not a finite number reaches the database: an input number that overflowed stops the run
// (before anything is written) with the source, region and species it went into.
void check_finite_fluxes(const std::vector<NaturalFluxRecord>& rows, const nlohmann::json& inputs) {
  for (const auto& r : rows) {
    if (std::isfinite(r.value) && !std::isinf(r.lower) && !std::isinf(r.upper)) continue;
    std::vector<std::string> paths;  // every input of the run: the overflow may come from any of them
    for (const auto& in : inputs)
      if (in.contains("path") && in["path"].is_string()) paths.push_back(clip_input(in["path"].get<std::string>(), 300));
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the {} flux of {}{} is not a finite number ({} {}): an input number overflowed; check "
                            "the magnitudes and units of the inputs ({})",
                            clip_input(r.species), r.module,
                            r.region.empty() ? std::string() : fmt::format(" in {}", clip_input(r.region)), r.value,
                            r.unit, fmt::join(paths, ", ")),
                ErrorContext{r.source});
  }
}

// The same check for rows in the compact form.
void check_finite_fluxes(const NaturalFluxBatch& batch, const nlohmann::json& inputs) {
  for (size_t i = 0; i < batch.rows.size(); ++i) {
    const NaturalFluxRow& r = batch.rows[i];
    if (std::isfinite(r.value) && !std::isinf(r.lower) && !std::isinf(r.upper)) continue;
    check_finite_fluxes({batch.record(i)}, inputs);
  }
}

void save_fluxes(Context& ctx, const std::vector<NaturalFluxRecord>& rows) {
  check_finite_fluxes(rows, ctx.inputs());
  if (ctx.run_id() != 0) ctx.store().save_natural_fluxes(ctx.run_id(), rows);
}
void save_fluxes(Context& ctx, const NaturalFluxBatch& batch) {
  check_finite_fluxes(batch, ctx.inputs());
  if (ctx.run_id() != 0) ctx.store().save_natural_fluxes(ctx.run_id(), batch);
}

// A record of the natural_fluxes table with the fields every module sets.
NaturalFluxRecord flux(const char* module, std::string source, std::string region, int year, std::string species,
                       double value, double lower, double upper) {
  NaturalFluxRecord r;
  r.module = module;
  r.source = std::move(source);
  r.region = std::move(region);
  r.year = year;
  r.species = std::move(species);
  r.value = value;
  r.lower = lower;
  r.upper = upper;
  return r;
}

int opt_int(const Params& p, const char* name, int fallback) {
  return p.has(name) ? static_cast<int>(p.integer(name)) : fallback;
}
}  // namespace

// ---- sinks ----------------------------------------------------------------------------------------------------

std::pair<double, double> SinksRun::range(const std::map<int, std::pair<double, double>>& ranges, int year) const {
  const auto it = ranges.find(year);
  if (it == ranges.end()) return {std::nan(""), std::nan("")};
  return {it->second.first * k, it->second.second * k};
}

namespace {
std::vector<NaturalFluxRecord> sinks_records(const SinksRun& s) {
  std::vector<NaturalFluxRecord> rows;
  for (const auto& y : s.years) {
    auto add = [&](const char* what, double gtc, const char* origin, const char* management,
                   std::pair<double, double> rg) {
      NaturalFluxRecord r = flux("sinks", "Global Carbon Budget 2019", "World", y.year, "CO2", gtc * kCo2PerC * 1e9,
                                 std::nan(""), std::nan(""));
      if (!std::isnan(rg.first)) {
        const double sign = gtc < 0 ? -1 : 1;
        r.lower = std::min(rg.first, rg.second) / s.k * kCo2PerC * 1e9 * sign;
        r.upper = std::max(rg.first, rg.second) / s.k * kCo2PerC * 1e9 * sign;
        if (r.lower > r.upper) std::swap(r.lower, r.upper);
      }
      r.unit = "t CO2";
      r.origin = origin;
      r.management = management;
      r.method = "GCB 2019";
      r.note = what;
      rows.push_back(r);
    };
    add("land-use change (E_LUC)", y.land_use_change, origin_text(Driver::DirectAnthropogenic), "managed",
        s.range(s.budget.luc_range, y.year));
    add("ocean sink (S_OCEAN)", -y.ocean_sink, "natural+indirect anthropogenic", "unmanaged",
        s.range(s.budget.ocean_range, y.year));
    add("land sink (S_LAND)", -y.land_sink, "natural+indirect anthropogenic", "", s.range(s.budget.land_range, y.year));
  }
  return rows;
}
}  // namespace

SinksRun natural_sinks(Context& ctx, const Params& p) {
  SinksRun s;
  const std::string folder = ctx.path(p, "data").string();
  s.budget = read_carbon_budget(folder);
  const bool co2 = p.str("unit") == "GtCO2";
  s.k = co2 ? kCo2PerC : 1.0;
  s.unit = co2 ? "GtCO2/yr" : "GtC/yr";
  const auto& all = s.budget.years;
  int from = all.front().year, to = all.back().year;
  if (p.has("year")) from = to = static_cast<int>(p.integer("year"));
  from = opt_int(p, "from", from);
  to = opt_int(p, "to", to);
  if (from > to)
    throw Error(ErrorCategory::InvalidInput, fmt::format("--from {} is after --to {}", from, to),
                ErrorContext{{}, 0, 0, "from"});
  for (const auto& y : all)
    if (y.year >= from && y.year <= to) s.years.push_back(y);
  if (s.years.empty())
    throw Error(ErrorCategory::NotFound,
                fmt::format("no year between {} and {} in the budget (it covers {}-{})", from, to, all.front().year,
                            all.back().year),
                ErrorContext{folder + "/global-carbon-budget.csv", 0, 0, p.has("year") ? "year" : "from"});
  s.tolerance_gtc = rounding_tolerance(3);
  for (const auto& y : s.years)
    if (std::abs(y.residual()) > s.worst_gtc) s.worst_gtc = std::abs(y.residual()), s.worst_year = y.year;
  save_fluxes(ctx, sinks_records(s));
  return s;
}

// ---- methane ---------------------------------------------------------------------------------------------------

namespace {
int period_year(const std::string& period) { return std::stoi(period.substr(period.size() - 4)); }

std::vector<NaturalFluxRecord> methane_records(const MethaneRun& m, const std::string& file) {
  std::vector<NaturalFluxRecord> rows;
  if (m.scaled) {
    for (const auto& r : m.regions) {
      NaturalFluxRecord f =
          flux("methane", file, r.region, period_year(m.period), "CH4", r.mean * 1e6, r.min * 1e6, r.max * 1e6);
      f.unit = "t CH4";
      f.origin = "natural";
      f.method = "GMB 2020 Table 3 " + m.approaches.front() + " " + m.period + ", scaled by " + m.scale_file;
      f.note = r.source;
      rows.push_back(f);
    }
    return rows;
  }
  for (const auto& l : m.lines) {
    const auto& src = m.source(l);
    if (src.group != "natural") continue;
    NaturalFluxRecord f = flux("methane", file, "World", period_year(m.period), "CH4", l.estimate.mean * 1e6,
                               l.estimate.min * 1e6, l.estimate.max * 1e6);
    f.unit = "t CH4";
    f.origin = "natural";
    f.management = src.name == "Wetlands" || src.parent == "Oceanic sources" ? "unmanaged" : "";
    f.method = "GMB 2020 Table 3 " + l.approach + " " + l.period_used + " cell " + l.estimate.cell;
    f.note = src.name;
    rows.push_back(f);
  }
  return rows;
}
}  // namespace

MethaneRun natural_methane(Context& ctx, const Params& p) {
  MethaneRun m;
  const std::string file = p.str("data");
  m.budget = read_methane_budget(ctx.path(p, "data").string());
  m.period = p.str("period");
  m.approaches = {"bottom-up", "top-down"};
  if (p.str("approach") != "both") m.approaches = {p.str("approach")};
  m.all = p.flag("all");
  // Sub-sources of "Other natural sources" are given for 2000-2009 only; the table's "Other natural sources" is the
  // same in every period (222 [143-306] bottom-up), so the breakdown of 2000-2009 is carried over and marked.
  for (size_t i = 0; i < m.budget.rows.size(); ++i) {
    const auto& s = m.budget.rows[i];
    if (!m.shown(s)) continue;
    for (const auto& a : m.approaches) {
      auto it = s.values.find({m.period, a});
      std::string used = m.period;
      if (it == s.values.end() && !s.parent.empty()) {
        it = s.values.find({m.breakdown, a});
        used = m.breakdown;
      }
      if (it != s.values.end()) m.lines.push_back({i, a, it->second, used});
    }
  }
  if (p.has("scale-file")) {
    m.scaled = true;
    m.scale_file = p.str("scale-file");
    m.regions = scale_to_regions(m.budget, m.period, m.approaches.front(), ctx.text(p, "scale-file"), m.scale_file);
  }
  save_fluxes(ctx, methane_records(m, file));
  return m;
}

// ---- forest land and fires on it -------------------------------------------------------------------------------

AfoluSums AfoluRun::co2() const {
  const auto it = sums.find("CO2");
  return it == sums.end() ? AfoluSums{} : it->second;
}

namespace {
void add_afolu_lines(const ForestRow& r, std::vector<AfoluLine>& lines) {
  if (r.method != "fire") {
    const auto x = forest_calc(r, AfoluDefaults::builtin());
    for (const double v : {x.gains_tc, x.losses_tc, x.delta_c_tc, x.co2_t})
      if (!std::isfinite(v))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("the carbon of forest row '{}' overflows (more than 1.8e308 t); check area_ha and the "
                                "other quantities of this row and their units", clip_input(x.id)),
                    ErrorContext{{}, r.line, 0, "area_ha"});
    lines.push_back({x.id, x.method, x.region, "CO2", x.year, true, x.gains_tc, x.losses_tc, x.delta_c_tc, x.co2_t,
                     x.co2_lower_t, x.co2_upper_t, x.tag, x.defaults_used, false});
    return;
  }
  const auto f = afolu_fire(r);
  for (const auto& g : f.gases)
    if (!std::isfinite(g.t) || !std::isfinite(f.co2_memo_t))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the {} of fire row '{}' overflows (more than 1.8e308 t); check area_ha and mb_cf and "
                              "their units", g.species, clip_input(f.id)),
                  ErrorContext{{}, r.line, 0, "area_ha"});
  for (const auto& g : f.gases)
    lines.push_back(
        {f.id, "fire", f.region, g.species, f.year, false, 0, 0, 0, g.t, g.lower_t, g.upper_t, f.tag, f.defaults_used});
  if (f.co2_memo_t > 0)
    lines.push_back({f.id,
                     "fire",
                     f.region,
                     "CO2_memo",
                     f.year,
                     false,
                     0,
                     0,
                     0,
                     f.co2_memo_t,
                     std::nan(""),
                     std::nan(""),
                     f.tag,
                     {"not counted: forest biomass CO2 is the Eq 2.14 disturbance loss"},
                     true});
}

std::vector<NaturalFluxRecord> afolu_records(const AfoluRun& a) {
  std::vector<NaturalFluxRecord> out;
  for (const auto& l : a.lines) {
    if (l.memo) continue;
    NaturalFluxRecord f =
        flux(l.forest ? "forest" : "afolu-fire", a.file, l.region, l.year, l.species, l.t, l.lower, l.upper);
    f.unit = "t " + l.species;
    f.origin = origin_text(l.tag.driver);
    f.management = l.tag.managed ? "managed" : "unmanaged";
    f.method = l.forest ? "IPCC 2006 Vol 4 " + std::string(l.method == "gain-loss" ? "Eq 2.7, 2.9-2.14" : "Eq 2.8")
                        : "IPCC 2006 Vol 4 Ch 2 Eq 2.27, Tables 2.4 and 2.5";
    f.note = l.id;
    out.push_back(f);
  }
  return out;
}
}  // namespace

AfoluRun natural_afolu(Context& ctx, const Params& p) {
  AfoluRun a;
  a.file = p.str("file");
  const std::string text = ctx.text(p, "file");
  std::vector<ForestRow> rows;
  try {
    rows = read_forest_rows(text, a.file);
  } catch (const Error& e) {
    throw e.with_context(ErrorContext{a.file});
  }
  for (const auto& r : rows) {
    try {
      add_afolu_lines(r, a.lines);
    } catch (const Error& e) {
      throw e.with_context(ErrorContext{a.file, r.line});
    }
  }
  for (const auto& l : a.lines) {
    auto& s = a.sums[l.species];
    s.total += l.t;
    if (l.memo) continue;
    if (l.tag.in_national_inventory()) s.managed += l.t;
    if (l.tag.in_global_budget_anthropogenic()) s.direct += l.t;
    if (!std::isfinite(s.total) || !std::isfinite(s.managed) || !std::isfinite(s.direct))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the total {} overflows (more than 1.8e308 t) when row '{}' is added; check the "
                              "magnitudes and units of the rows", l.species, clip_input(l.id)),
                  ErrorContext{a.file});
  }
  save_fluxes(ctx, afolu_records(a));
  return a;
}

// ---- GFED fires ------------------------------------------------------------------------------------------------

std::vector<int> parse_months(const Params& p) {
  std::vector<int> out;
  if (!p.has("months")) return out;
  const std::string s = p.str("months");
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    const std::string t = s.substr(i, j - i);
    char* end = nullptr;
    const long v = std::strtol(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || v < 1 || v > 12)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("month '{}' is out of range: give months 1..12 separated by commas", t),
                  ErrorContext{"", 0, 0, "months"});
    out.push_back(static_cast<int>(v));
    i = j + 1;
  }
  return out;
}

std::vector<int> FireRun::land_parts() const {
  return result.managed_split ? std::vector<int>{0, 1} : std::vector<int>{-1};
}

bool FireRun::region_used(size_t g) const {
  const auto& r = result;
  if (r.regions[g] != "none") return true;
  for (size_t m = 0; m < r.months.size(); ++m)
    for (size_t t = 0; t < 6; ++t)
      if (r.dm_kg[(m * r.regions.size() + g) * 6 + t] != 0) return true;
  return false;
}

namespace {
// The GFED emission factor table: --emission-factors, else $PANOCARBON_GFED_EF (set by whoever runs the program;
// no path is guessed).
std::filesystem::path ef_path(Context& ctx, const Params& p) {
  if (p.has("emission-factors")) return ctx.path(p, "emission-factors");
  if (const char* e = std::getenv("PANOCARBON_GFED_EF"); e && *e) {
    ctx.add_input({{"option", "emission-factors"}, {"path", e}, {"from", "PANOCARBON_GFED_EF"}});
    return e;
  }
  throw Error(ErrorCategory::InvalidInput,
              "no GFED emission factor table: pass --emission-factors FILE (GFED4_Emission_Factors.txt, distributed "
              "with GFED4.1s in its ancill folder, https://www.globalfiredata.org) or set PANOCARBON_GFED_EF to it",
              ErrorContext{"", 0, 0, "emission-factors"});
}

// GFED fire types: deforestation and agricultural waste burning are direct anthropogenic on managed land; the
// others are reported as natural (the same split as docs/natural-fires.md states, a convention of ours).
bool anthropogenic_type(size_t t) { return t == 3 || t == 5; }
constexpr unsigned kNaturalTypes = 0b010111, kAnthropogenicTypes = 0b101000;  // bit t = kGfedFireTypes[t]

// Fire types of species s without an emission factor spread that burned in month m (for notes).
std::string types_without_spread(const FireResult& r, size_t m, size_t g, size_t s, unsigned mask) {
  std::string out;
  for (size_t t = 0; t < 6; ++t) {
    if (!(mask >> t & 1u) || std::isfinite(r.ef_relative_sd[s][t])) continue;
    if (r.dm_kg[(m * r.regions.size() + g) * 6 + t] != 0) {
      if (!out.empty()) out += ' ';
      out += kGfedFireTypes[t];
    }
  }
  return out;
}

// The stored rows of a run, per region, month, species, split natural (SAVA BORF TEMF PEAT) / direct
// anthropogenic (DEFO AGRI). Origin always by fire type; management by fire type (DEFO AGRI managed, the rest
// unmanaged) without a managed-land mask, by the mask with one (then also split by land part: up to four rows).
// A row's text (origin, management, method and its note) is one of a handful, each built once: a GFED year has
// ~14,000 rows and 4 texts; the rows refer to the run's region and species names.
NaturalFluxBatch fire_rows(const FireRun& f, const std::string& file) {
  const auto& r = f.result;
  const size_t nr = r.regions.size();
  NaturalFluxBatch batch;
  batch.rows.reserve(r.months.size() * nr * r.species.size() * 2);
  // What a text depends on: k (natural / direct anthropogenic), managed, and the note's kind and missing types.
  struct TextKey {
    int k;
    bool managed;
    int note_kind;  // 2 = a range (+1 with a managed-land mask), 0 = no range (+1 likewise)
    std::string missing;
    uint32_t index;
  };
  std::vector<TextKey> keys;
  const auto text_index = [&](int k, bool managed, int note_kind, const std::string& missing, int land) {
    for (const auto& x : keys)
      if (x.k == k && x.managed == managed && x.note_kind == note_kind && x.missing == missing) return x.index;
    NaturalFluxText t;
    t.module = "fire-gfed";
    t.source = file;
    t.origin = origin_text(k ? Driver::DirectAnthropogenic : Driver::Natural);
    t.management = managed ? "managed" : "unmanaged";
    t.method = k ? "GFED4.1s DM x GFED4 emission factors (DEFO, AGRI)"
                 : "GFED4.1s DM x GFED4 emission factors (SAVA, BORF, TEMF, PEAT)";
    const bool spread = note_kind >= 2;
    t.note = !spread ? "no range: no emission factor spread in IPCC 2006 Table 2.5 for this species and fire type"
                     : fmt::format("95 % range: IPCC 2006 Vol 4 Table 2.5 relative SD per fire type (PEAT: the "
                                   "largest of the others), dry matter +-{} %{}",
                                   f.options.dm_uncertainty_pct,
                                   missing.empty() ? std::string() : fmt::format("; excludes {} (no SD)", missing));
    if (land >= 0) t.note += fmt::format("; management from --managed-mask {}", f.options.managed_mask.string());
    batch.texts.push_back(std::move(t));
    keys.push_back({k, managed, note_kind, missing, static_cast<uint32_t>(batch.texts.size() - 1)});
    return keys.back().index;
  };
  std::vector<size_t> month(1);
  const std::string none;
  for (size_t m = 0; m < r.months.size(); ++m) {
    month[0] = m;
    for (size_t g = 0; g < nr; ++g)
      for (size_t s = 0; s < r.species.size(); ++s)
        for (const int land : f.land_parts()) {
          const double* dm =
              land < 0 ? &r.dm_kg[(m * nr + g) * 6] : &r.dm_part_kg[((m * nr + g) * 2 + static_cast<size_t>(land)) * 6];
          double part[2] = {0, 0};
          for (size_t t = 0; t < 6; ++t) part[anthropogenic_type(t) ? 1 : 0] += dm[t] * r.ef_g_per_kg[s][t] * 1e-6;
          for (int k = 0; k < 2; ++k) {
            if (part[k] == 0) continue;
            const unsigned types = k ? kAnthropogenicTypes : kNaturalTypes;
            const auto range = r.range(month, g, s, types, land);
            const bool spread = std::isfinite(range.lower);
            const std::string missing = spread ? types_without_spread(r, m, g, s, types) : none;
            const bool managed = land < 0 ? k == 1 : land == 1;
            NaturalFluxRow x;
            x.text = text_index(k, managed, (spread ? 2 : 0) + (land >= 0 ? 1 : 0), missing, land);
            x.year = r.year;
            x.month = r.months[m];
            x.region = r.regions[g];
            x.species = r.species[s];
            x.value = part[k];
            x.lower = range.lower;
            x.upper = range.upper;
            batch.rows.push_back(x);
          }
        }
  }
  return batch;
}

void set_path(Context& ctx, const Params& p, const char* option, std::filesystem::path& out) {
  if (p.has(option)) out = ctx.path(p, option);
}
}  // namespace

FireRun natural_fire(Context& ctx, const Params& p) {
  FireRun f;
  const std::string file = p.str("file");
  const auto path = ctx.path(p, "file");
  f.factors = load_gfed_emission_factors(ef_path(ctx, p));
  auto& o = f.options;
  o.year = static_cast<int>(p.integer("year"));
  o.months = parse_months(p);
  if (p.has("species")) o.species = p.strs("species");
  set_path(ctx, p, "mask", o.mask);
  if (p.has("mask-variable")) o.mask_variable = p.str("mask-variable");
  if (p.has("mask-names") && !p.has("mask"))
    throw Error(ErrorCategory::InvalidInput,
                "--mask-names names the codes of a country mask: give the mask with --mask too (without it the "
                "regions are GFED's 14 basis regions)",
                ErrorContext{p.str("mask-names"), 0, 0, "mask-names"});
  set_path(ctx, p, "mask-names", o.mask_names);
  if (p.has("dm-uncertainty")) o.dm_uncertainty_pct = p.number("dm-uncertainty");
  set_path(ctx, p, "managed-mask", o.managed_mask);
  if (p.has("managed-mask-variable")) o.managed_mask_variable = p.str("managed-mask-variable");
  f.result = compute_gfed_fire(path, f.factors, o);
  f.carbon_identity_max_relative_difference = check_carbon_identity(f.factors).max_abs_relative_difference;
  if (ctx.run_id() != 0) save_fluxes(ctx, fire_rows(f, file));
  return f;
}

// ---- Tier 1 fires ----------------------------------------------------------------------------------------------

FireTier1Run natural_fire_tier1(Context& ctx, const Params& p) {
  FireTier1Run t;
  const std::string file = p.str("file");
  std::vector<std::string> species;
  if (p.has("species")) species = p.strs("species");
  t.area_uncertainty_pct = p.has("area-uncertainty") ? p.number("area-uncertainty") : 0.0;
  t.rows = compute_fire_tier1(ctx.path(p, "file"), species, t.area_uncertainty_pct);
  t.totals = tier1_totals(t.rows);
  const int year = opt_int(p, "year", 0);
  const std::string region = p.has("region") ? p.str("region") : std::string("World");
  std::vector<NaturalFluxRecord> recs;
  for (const auto& x : t.rows) {
    NaturalFluxRecord f = flux("fire-tier1", file, region, year, x.species, x.emission_t, x.range.lower, x.range.upper);
    const auto driver = default_fire_driver(x.ef_category);
    f.origin = origin_text(driver);
    f.management = driver == Driver::DirectAnthropogenic ? "managed" : "";
    f.method = "IPCC 2006 Vol 4 Ch 2 Eq 2.27, Tables 2.4 and 2.5";
    f.note = x.vegetation + (x.uncertainty_note.empty() ? "" : "; " + x.uncertainty_note);
    recs.push_back(std::move(f));
  }
  save_fluxes(ctx, recs);
  return t;
}

// ---- the account -----------------------------------------------------------------------------------------------

namespace {
const char* kRunFirst =
    "run `panocarbon natural afolu FILE`, `natural fire-tier1 FILE`, `natural sinks --data FOLDER` or `natural "
    "methane --data FILE` first, with the same --db";

[[noreturn]] void no_fluxes(Store& store, const std::string& region, int year) {
  const auto every = store.natural_fluxes("", "", 0, true);
  if (every.empty())
    throw Error(ErrorCategory::NotFound, fmt::format("the database has no natural fluxes yet; {}", kRunFirst),
                ErrorContext{});
  std::set<std::string> regions;
  std::set<int> years;
  for (const auto& r : every) {
    regions.insert(r.region.empty() ? "\"\"" : r.region);
    years.insert(r.year);
  }
  throw Error(ErrorCategory::NotFound,
              fmt::format("no natural fluxes for {}{}{} in the database (it has regions {} and years {}); {} (`natural "
                          "afolu` takes region and year columns, `natural fire-tier1` --region and --year)",
                          region.empty() ? "" : "region '" + region + "'", !region.empty() && year ? " and " : "",
                          year ? "year " + std::to_string(year) : "", fmt::join(regions, ", "), fmt::join(years, ", "),
                          kRunFirst),
              ErrorContext{{}, 0, 0, region.empty() ? "year" : "region"});
}
}  // namespace

AccountRun natural_account_run(Context& ctx, const Params& p) {
  AccountRun a;
  a.region = p.has("region") ? p.str("region") : std::string();
  a.year = opt_int(p, "year", 0);
  a.all_runs = p.flag("all-runs");
  const GwpSet& gwp = GwpTable::builtin().set(p.str("gwp"));
  if (!ctx.has_store())
    throw Error(ErrorCategory::InvalidInput, "natural account reads the database's natural fluxes: drop --no-store",
                ErrorContext{{}, 0, 0, "no-store"});
  Store& store = ctx.store();
  const auto records = store.natural_fluxes("", a.region, a.year, a.all_runs);
  if (records.empty()) no_fluxes(store, a.region, a.year);
  a.account = natural_account(records, gwp);
  return a;
}

}  // namespace panocarbon::natural
