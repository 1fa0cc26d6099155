// `natural fire FILE --year Y` (GFED4.1s HDF5) and `natural fire-tier1 FILE` (IPCC 2006 Vol 4 Eq 2.27):
// docs/natural-fires.md. Results also go to the database table natural_fluxes.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "panocarbon/natural.hpp"
#include "panocarbon/natural_fire.hpp"
#include "panocarbon/run_log.hpp"

namespace pc = panocarbon;
namespace nat = panocarbon::natural;

namespace cli {
namespace {
std::filesystem::path ef_path(const pc::Params& p) {
  if (p.has("emission-factors")) return p.str("emission-factors");
  if (const char* e = std::getenv("PANOCARBON_GFED_EF"); e && *e) return e;
  for (const char* c : {"../shared/data/natural/GFED4_Emission_Factors.txt",
                        "shared/data/natural/GFED4_Emission_Factors.txt", "GFED4_Emission_Factors.txt"})
    if (std::filesystem::exists(c)) return c;
  throw pc::Error(pc::ErrorCategory::NotFound,
                  "no GFED emission factor table: pass --emission-factors FILE (GFED4_Emission_Factors.txt) or set "
                  "PANOCARBON_GFED_EF",
                  pc::ErrorContext{"", 0, 0, "emission-factors"});
}

std::vector<int> parse_months(const pc::Params& p) {
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
      throw pc::Error(pc::ErrorCategory::InvalidInput,
                      fmt::format("month '{}' is out of range: give months 1..12 separated by commas", t),
                      pc::ErrorContext{"", 0, 0, "months"});
    out.push_back(static_cast<int>(v));
    i = j + 1;
  }
  return out;
}

// GFED fire types: deforestation and agricultural waste burning are direct anthropogenic on managed land; the
// others are reported as natural (the same split as docs/natural-fires.md states, a convention of ours).
bool anthropogenic_type(size_t t) { return t == 3 || t == 5; }
constexpr unsigned kNaturalTypes = 0b010111, kAnthropogenicTypes = 0b101000;  // bit t = kGfedFireTypes[t]
// The `managed` column of a land part (-1 = no managed-land mask, 0 = unmanaged, 1 = managed), by part + 1.
constexpr const char* kCsvManaged[3] = {"", ",0", ",1"};
constexpr const char* kTableManaged[3] = {"", "  no", "  yes"};

// A range bound for CSV: empty when there is none.
std::string bound(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }
nlohmann::json jbound(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
std::string tbound(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : std::string("-"); }

// Fire types of species s without an emission factor spread that burned in the selection (for notes).
std::string types_without_spread(const nat::FireResult& r, const std::vector<size_t>& months, size_t g, size_t s,
                                 unsigned mask) {
  std::string out;
  for (size_t t = 0; t < 6; ++t) {
    if (!(mask >> t & 1u) || std::isfinite(r.ef_relative_sd[s][t])) continue;
    double d = 0;
    for (size_t m : months) d += r.dm_kg[(m * r.regions.size() + g) * 6 + t];
    if (d != 0) out += (out.empty() ? "" : " ") + std::string(nat::kGfedFireTypes[t]);
  }
  return out;
}
}  // namespace

void add_natural_fire_handlers(std::map<std::string, Handler>& h) {
  h["natural fire"] = [](const pc::Params& p) {
    const std::string file = p.str("file");
    const auto ef = nat::load_gfed_emission_factors(ef_path(p));
    nat::FireOptions o;
    o.year = static_cast<int>(p.integer("year"));
    o.months = parse_months(p);
    if (p.has("species")) o.species = p.strs("species");
    if (p.has("mask")) o.mask = p.str("mask");
    if (p.has("mask-variable")) o.mask_variable = p.str("mask-variable");
    if (p.has("mask-names")) o.mask_names = p.str("mask-names");
    if (p.has("dm-uncertainty")) o.dm_uncertainty_pct = p.number("dm-uncertainty");
    if (p.has("managed-mask")) o.managed_mask = p.str("managed-mask");
    if (p.has("managed-mask-variable")) o.managed_mask_variable = p.str("managed-mask-variable");
    const bool no_store = p.flag("no-store");
    pc::Store* store = no_store ? nullptr : &store_for(p);
    const int64_t run =
        store ? store->begin_run("natural fire", {{"file", file}, {"emission_factors", ef.source}}, p.json()) : 0;
    const auto r = store ? pc::logged(*store, run, [&] { return nat::compute_gfed_fire(file, ef, o); })
                         : nat::compute_gfed_fire(file, ef, o);
    // Database: per region, month, species, split natural (SAVA BORF TEMF PEAT) / direct anthropogenic (DEFO AGRI).
    // Origin always by fire type; management by fire type (DEFO AGRI managed, the rest unmanaged) without a
    // managed-land mask, by the mask with one (then also split by land part: up to four records).
    std::vector<pc::NaturalFluxRecord> recs;
    const size_t nr = r.regions.size();
    const std::vector<int> land_parts = r.managed_split ? std::vector<int>{0, 1} : std::vector<int>{-1};
    for (size_t m = 0; store && m < r.months.size(); ++m)
      for (size_t g = 0; g < r.regions.size(); ++g)
        for (size_t s = 0; s < r.species.size(); ++s)
          for (const int land : land_parts) {
            const double* dm = land < 0 ? &r.dm_kg[(m * nr + g) * 6]
                                        : &r.dm_part_kg[((m * nr + g) * 2 + static_cast<size_t>(land)) * 6];
            double part[2] = {0, 0};
            for (size_t t = 0; t < 6; ++t) part[anthropogenic_type(t) ? 1 : 0] += dm[t] * r.ef_g_per_kg[s][t] * 1e-6;
            for (int k = 0; k < 2; ++k) {
              if (part[k] == 0) continue;
              const unsigned types = k ? kAnthropogenicTypes : kNaturalTypes;
              const auto range = r.range({m}, g, s, types, land);
              const std::string missing = types_without_spread(r, {m}, g, s, types);
              pc::NaturalFluxRecord x;
              x.module = "fire-gfed";
              x.source = file;
              x.region = r.regions[g];
              x.year = r.year;
              x.month = r.months[m];
              x.species = r.species[s];
              x.value = part[k];
              x.lower = range.lower;
              x.upper = range.upper;
              x.note = !std::isfinite(range.lower)
                           ? "no range: no emission factor spread in IPCC 2006 Table 2.5 for this species and fire type"
                           : fmt::format(
                                 "95 % range: IPCC 2006 Vol 4 Table 2.5 relative SD per fire type (PEAT: the "
                                 "largest of the others), dry matter +-{} %{}",
                                 o.dm_uncertainty_pct, missing.empty() ? "" : "; excludes " + missing + " (no SD)");
              if (land >= 0) x.note += "; management from --managed-mask " + o.managed_mask.string();
              x.origin = nat::origin_text(k ? nat::Driver::DirectAnthropogenic : nat::Driver::Natural);
              x.management = (land < 0 ? k == 1 : land == 1) ? "managed" : "unmanaged";
              x.method = k ? "GFED4.1s DM x GFED4 emission factors (DEFO, AGRI)"
                           : "GFED4.1s DM x GFED4 emission factors (SAVA, BORF, TEMF, PEAT)";
              recs.push_back(std::move(x));
            }
          }
    if (store) {
      store->save_natural_fluxes(run, recs);
      store->finish_run(run, "ok",
                        {{"regions", nr},
                         {"species", r.species.size()},
                         {"months", r.months.size()},
                         {"grid", fmt::format("{}x{}", r.rows, r.cols)}});
    }
    // Rows of the "none" region (cells outside every basis region / country) only when something burned there.
    auto region_used = [&](size_t g) {
      if (r.regions[g] != "none") return true;
      for (size_t m = 0; m < r.months.size(); ++m)
        for (size_t t = 0; t < 6; ++t)
          if (r.dm_kg[(m * nr + g) * 6 + t] != 0) return true;
      return false;
    };
    const std::string format = p.str("format");
    if (format == "csv") {
      // With a managed-land mask: one row per land part, the extra last column managed = 1 (managed land) or 0.
      std::string out = r.managed_split ? "region,species,month,emission_t,emission_low_t,emission_high_t,managed\n"
                                        : "region,species,month,emission_t,emission_low_t,emission_high_t\n";
      for (size_t g = 0; g < nr; ++g) {
        if (!region_used(g)) continue;
        for (size_t s = 0; s < r.species.size(); ++s)
          for (size_t m = 0; m < r.months.size(); ++m)
            for (const int land : land_parts) {
              const auto rg = r.range({m}, g, s, 0x3f, land);
              out += fmt::format("{},{},{},{},{},{}{}\n", r.regions[g], r.species[s], r.months[m],
                                 land < 0 ? r.emission(m, g, s) : r.emission_part(m, g, static_cast<size_t>(land), s),
                                 bound(rg.lower), bound(rg.upper), kCsvManaged[land + 1]);
            }
      }
      std::cout << out;
      return;
    }
    std::vector<size_t> all_months(r.months.size());
    for (size_t m = 0; m < all_months.size(); ++m) all_months[m] = m;
    if (format == "json") {
      nlohmann::json rows = nlohmann::json::array(), annual = nlohmann::json::array();
      for (size_t g = 0; g < nr; ++g) {
        if (!region_used(g)) continue;
        for (size_t s = 0; s < r.species.size(); ++s)
          for (const int land : land_parts) {
            for (size_t m = 0; m < r.months.size(); ++m) {
              const auto rg = r.range({m}, g, s, 0x3f, land);
              nlohmann::json row = {
                  {"region", r.regions[g]},
                  {"species", r.species[s]},
                  {"month", r.months[m]},
                  {"emission_t", land < 0 ? r.emission(m, g, s) : r.emission_part(m, g, static_cast<size_t>(land), s)},
                  {"emission_low_t", jbound(rg.lower)},
                  {"emission_high_t", jbound(rg.upper)}};
              if (land >= 0) row["managed"] = land == 1;
              rows.push_back(std::move(row));
            }
            const auto ya = r.range(all_months, g, s, 0x3f, land);
            nlohmann::json a = {{"region", r.regions[g]},
                                {"species", r.species[s]},
                                {"emission_t", ya.mean},
                                {"emission_low_t", jbound(ya.lower)},
                                {"emission_high_t", jbound(ya.upper)}};
            if (land >= 0) a["managed"] = land == 1;
            annual.push_back(std::move(a));
          }
      }
      const auto id = nat::check_carbon_identity(ef);
      nlohmann::json doc = {{"file", r.file},
                            {"year", r.year},
                            {"grid", {r.rows, r.cols}},
                            {"emission_factors", ef.source},
                            {"carbon_identity_max_relative_difference", id.max_abs_relative_difference},
                            {"dm_uncertainty_pct", o.dm_uncertainty_pct},
                            {"range",
                             "95 %; IPCC 2006 Vol 4 Table 2.5 relative SD per fire type, months "
                             "correlated (docs/natural-fires.md)"},
                            {"rows", rows},
                            {"annual", annual}};
      if (r.managed_split) doc["managed_mask"] = o.managed_mask.string();
      std::cout << doc.dump(2) << '\n';
      return;
    }
    // Table: annual totals per region and species.
    // With a managed-land mask: one line per land part, a last column managed (yes / no).
    fmt::print("{:<8} {:<14} {:>18} {:>14} {:>14}{}\n", "region", "species", "emission_t", "low_t", "high_t",
               r.managed_split ? "  managed" : "");
    for (size_t g = 0; g < nr; ++g) {
      if (!region_used(g)) continue;
      for (size_t s = 0; s < r.species.size(); ++s)
        for (const int land : land_parts) {
          const auto ya = r.range(all_months, g, s, 0x3f, land);  // months correlated: types summed over the year first
          fmt::print("{:<8} {:<14} {:>18.6g} {:>14} {:>14}{}\n", r.regions[g], r.species[s], ya.mean, tbound(ya.lower),
                     tbound(ya.upper), kTableManaged[land + 1]);
        }
    }
    fmt::print("{} {}: {} months, grid {} x {}, t per year\n", r.file, r.year, r.months.size(), r.rows, r.cols);
  };

  h["natural fire-tier1"] = [](const pc::Params& p) {
    const std::string file = p.str("file");
    std::vector<std::string> species;
    if (p.has("species")) species = p.strs("species");
    auto& store = store_for(p);
    const int64_t run = store.begin_run("natural fire-tier1", {{"file", file}}, p.json());
    const double area_pct = p.has("area-uncertainty") ? p.number("area-uncertainty") : 0.0;
    const auto rows = pc::logged(store, run, [&] { return nat::compute_fire_tier1(file, species, area_pct); });
    const auto totals = nat::tier1_totals(rows);
    const int year = p.has("year") ? static_cast<int>(p.integer("year")) : 0;
    const std::string region = p.has("region") ? p.str("region") : std::string("World");
    std::vector<pc::NaturalFluxRecord> recs;
    for (const auto& x : rows) {
      pc::NaturalFluxRecord f;
      f.module = "fire-tier1";
      f.source = file;
      f.region = region;
      f.year = year;
      f.species = x.species;
      f.value = x.emission_t;
      f.lower = x.range.lower;
      f.upper = x.range.upper;
      const auto driver = nat::default_fire_driver(x.ef_category);
      const bool agri = driver == nat::Driver::DirectAnthropogenic;
      f.origin = nat::origin_text(driver);
      f.management = agri ? "managed" : "";
      f.method = "IPCC 2006 Vol 4 Ch 2 Eq 2.27, Tables 2.4 and 2.5";
      f.note = x.vegetation + (x.uncertainty_note.empty() ? "" : "; " + x.uncertainty_note);
      recs.push_back(std::move(f));
    }
    store.save_natural_fluxes(run, recs);
    store.finish_run(run, "ok", {{"rows", rows.size()}});
    const std::string format = p.str("format");
    if (format == "csv") {
      std::string out =
          "vegetation,species,area_ha,mb_cf_t_per_ha,gef_g_per_kg,emission_t,emission_low_t,emission_high_t,"
          "uncertainty_note\n";
      auto quote = [](const std::string& t) { return t.find(',') == std::string::npos ? t : "\"" + t + "\""; };
      for (const auto& x : rows)
        out +=
            fmt::format("{},{},{},{},{},{},{},{},{}\n", x.vegetation, x.species, x.area_ha, x.fuel_t_per_ha, x.g_per_kg,
                        x.emission_t, bound(x.range.lower), bound(x.range.upper), quote(x.uncertainty_note));
      std::cout << out;
      return;
    }
    if (format == "json") {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : rows)
        a.push_back({{"vegetation", x.vegetation},
                     {"ef_category", x.ef_category},
                     {"species", x.species},
                     {"area_ha", x.area_ha},
                     {"mb_cf_t_per_ha", x.fuel_t_per_ha},
                     {"gef_g_per_kg", x.g_per_kg},
                     {"emission_t", x.emission_t},
                     {"emission_low_t", jbound(x.range.lower)},
                     {"emission_high_t", jbound(x.range.upper)},
                     {"uncertainty_note", x.uncertainty_note}});
      nlohmann::json tj = nlohmann::json::array();
      for (const auto& t : totals)
        tj.push_back({{"species", t.species},
                      {"emission_t", t.emission_t},
                      {"emission_low_t", jbound(t.range.lower)},
                      {"emission_high_t", jbound(t.range.upper)},
                      {"uncertainty_note", t.uncertainty_note}});
      std::cout << nlohmann::json({{"area_uncertainty_pct", area_pct}, {"rows", a}, {"totals", tj}}).dump(2) << '\n';
      return;
    }
    fmt::print("{:<42} {:<6} {:>14} {:>10} {:>10} {:>16} {:>14} {:>14}\n", "vegetation", "gas", "area_ha", "MB*Cf",
               "Gef", "emission_t", "low_t", "high_t");
    for (const auto& x : rows)
      fmt::print("{:<42} {:<6} {:>14.6g} {:>10.6g} {:>10.6g} {:>16.6g} {:>14} {:>14}{}\n", x.vegetation, x.species,
                 x.area_ha, x.fuel_t_per_ha, x.g_per_kg, x.emission_t, tbound(x.range.lower), tbound(x.range.upper),
                 x.uncertainty_note.empty() ? "" : "  (" + x.uncertainty_note + ")");
    for (const auto& t : totals)
      fmt::print("{:<42} {:<6} {:>14} {:>10} {:>10} {:>16.6g} {:>14} {:>14}{}\n", "total", t.species, "", "", "",
                 t.emission_t, tbound(t.range.lower), tbound(t.range.upper),
                 t.uncertainty_note.empty() ? "" : "  (" + t.uncertainty_note + ")");
    fmt::print(
        "95 % ranges: IPCC 2006 Vol 1 Eq 3.1 on the SDs of Tables 2.4 and 2.5, area +-{} %; totals treat rows "
        "sharing a factor as correlated (docs/natural-fires.md)\n",
        area_pct);
  };
}
}  // namespace cli
