// Registry entry of avoided emissions: `avoided FILE.csv` (docs/avoided.md). The arithmetic and the CSV reader
// are in src/process/avoided.cpp; here are the description, the result schema, the renderings and the store's
// ledger (table avoided_emissions, never netted against any inventory).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <ostream>

#include "panocarbon/avoided.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/store.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace {

namespace av = panocarbon::avoided;

constexpr const char* kSource =
    "WBCSD (2023) Guidance on Avoided Emissions: helping business drive innovations and scale solutions towards "
    "Net Zero, World Business Council for Sustainable Development, March 2023";
constexpr const char* kNote =
    "avoided emissions are a claim apart from every inventory: they are never subtracted from scope 1, 2 or 3 "
    "emissions or from a national inventory (WBCSD 2023); the reference scenario is the destination's grid "
    "emission factor given per row (attributional: the average intensity of the grid, not a modelled marginal plant)";

struct Run {
  av::Ledger ledger;
  bool stored = false;
};

nlohmann::json jnum(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
std::string cnum(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

nlohmann::json row_json(const av::Row& r) {
  return {{"product", r.product},
          {"destination", r.destination},
          {"annual_generation_mwh", r.annual_generation_mwh},
          {"annual_avoided_t", r.annual_avoided_t},
          {"lifetime_avoided_t", r.lifetime_avoided_t},
          {"manufacturing_t", r.manufacturing_t},
          {"net_lifetime_avoided_t", r.net_lifetime_avoided_t},
          {"payback_years", jnum(r.payback_years)}};
}

nlohmann::json to_json(const Run& run) {
  const auto& l = run.ledger;
  auto rows = nlohmann::json::array();
  for (size_t i = 0; i < l.rows.size(); ++i) {
    const auto& p = l.inputs[i];
    nlohmann::json j = row_json(l.rows[i]);
    j["inputs"] = {{"capacity_mw", p.capacity_mw},
                   {"capacity_factor", p.capacity_factor},
                   {"lifetime_years", p.lifetime_years},
                   {"grid_factor_t_per_mwh", p.grid_factor_t_per_mwh},
                   {"manufacturing_t_per_mw", p.manufacturing_t_per_mw},
                   {"degradation_pct_per_year", p.degradation_pct_per_year},
                   {"source", p.source},
                   {"line", p.line}};
    rows.push_back(std::move(j));
  }
  nlohmann::json total = row_json(l.total);
  total.erase("destination");
  return {{"method",
           "annual generation = capacity_mw x capacity_factor x 8760 h (first year); year k = 0..L-1 generates it x "
           "(1 - d)^k; annual avoided = first-year generation x grid factor; lifetime avoided = sum over the years; "
           "manufacturing = capacity_mw x manufacturing_t_per_mw; net = lifetime avoided - manufacturing; payback = "
           "manufacturing / first-year avoided"},
          {"source", kSource},
          {"note", kNote},
          {"hours_per_year", av::kHoursPerYear},
          {"units", {{"generation", "MWh"}, {"emissions", "t CO2e"}, {"payback", "years"}}},
          {"total_payback",
           "the fleet's payback: total manufacturing over total first-year avoided (not the mean of the rows')"},
          {"rows", rows},
          {"total", total},
          {"stored", run.stored}};
}

void to_csv(const Run& run, std::ostream& out) {
  out << av::output_header() << '\n';
  auto line = [&out](const av::Row& r) {
    out << fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(r.product), csv_field(r.destination),
                       r.annual_generation_mwh, r.annual_avoided_t, r.lifetime_avoided_t, r.manufacturing_t,
                       r.net_lifetime_avoided_t, cnum(r.payback_years));
  };
  for (const auto& r : run.ledger.rows) line(r);
  line(run.ledger.total);
}

void to_table(const Run& run, std::ostream& out) {
  size_t wp = 16, wd = 16;  // the name columns as wide as their longest entry
  for (const auto& r : run.ledger.rows) {
    wp = std::max(wp, r.product.size());
    wd = std::max(wd, r.destination.size());
  }
  out << "Avoided emissions of exported products (WBCSD 2023): a ledger apart, never netted against an inventory\n";
  out << fmt::format("{:<{}} {:<{}} {:>16} {:>16} {:>18} {:>16} {:>18} {:>9}\n", "product", wp, "destination", wd,
                     "gen_MWh/yr", "avoided_t/yr", "lifetime_avoid_t", "manufacturing_t", "net_lifetime_t",
                     "payback_y");
  auto line = [&out, wp, wd](const av::Row& r) {
    out << fmt::format("{:<{}} {:<{}} {:>16.1f} {:>16.1f} {:>18.1f} {:>16.1f} {:>18.1f} {:>9}\n", r.product, wp,
                       r.destination, wd, r.annual_generation_mwh, r.annual_avoided_t, r.lifetime_avoided_t,
                       r.manufacturing_t, r.net_lifetime_avoided_t,
                       std::isfinite(r.payback_years) ? fmt::format("{:.3f}", r.payback_years) : "-");
  };
  for (const auto& r : run.ledger.rows) line(r);
  line(run.ledger.total);
  out << "year = 8760 h; total payback = total manufacturing / total first-year avoided; manufacturing is the "
         "products' cradle-to-gate footprint, avoided the use-phase grid emissions they displace\n";
}

nlohmann::json result_schema() {
  const auto row_props = nlohmann::json{{"product", string_schema()},
                                        {"destination", string_schema()},
                                        {"annual_generation_mwh", number_schema("MWh in the first year")},
                                        {"annual_avoided_t", number_schema("t CO2e in the first year")},
                                        {"lifetime_avoided_t", number_schema("t CO2e over the lifetime")},
                                        {"manufacturing_t", number_schema("t CO2e, cradle to gate")},
                                        {"net_lifetime_avoided_t", number_schema("t CO2e")},
                                        {"payback_years", nullable(number_schema("years; null: nothing avoided"))},
                                        {"inputs", object_schema({{"capacity_mw", number_schema()},
                                                                  {"capacity_factor", number_schema()},
                                                                  {"lifetime_years", integer_schema()},
                                                                  {"grid_factor_t_per_mwh", number_schema()},
                                                                  {"manufacturing_t_per_mw", number_schema()},
                                                                  {"degradation_pct_per_year", number_schema()},
                                                                  {"source", string_schema("the row's citation")},
                                                                  {"line", integer_schema()}})}};
  auto total_props = row_props;
  total_props.erase("destination");
  total_props.erase("inputs");
  return object_schema({{"method", string_schema()},
                        {"source", string_schema()},
                        {"note", string_schema()},
                        {"hours_per_year", number_schema()},
                        {"units", {{"type", "object"}}},
                        {"total_payback", string_schema()},
                        {"rows", array_of(object_schema(row_props))},
                        {"total", object_schema(total_props)},
                        {"stored", {{"type", "boolean"}}}});
}

Result run_avoided(Context& ctx, const Params& p) {
  const std::string file = p.str("file");
  auto products = av::read_products(ctx.text(p, "file"), file);
  auto run = std::make_shared<Run>();
  run->ledger = av::compute(std::move(products));
  const auto& l = run->ledger;
  for (const auto& r : l.rows) {
    if (!std::isfinite(r.lifetime_avoided_t) || !std::isfinite(r.manufacturing_t))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the figures of {} to {} overflow a double; check the magnitudes of its inputs",
                              r.product, r.destination),
                  ErrorContext{file});
  }
  if (!std::isfinite(l.total.lifetime_avoided_t) || !std::isfinite(l.total.manufacturing_t))
    throw Error(ErrorCategory::InvalidInput, "the totals overflow a double; check the magnitudes of the inputs",
                ErrorContext{file});
  if (ctx.run_id() != 0) {
    std::vector<AvoidedRecord> records;
    for (size_t i = 0; i < l.rows.size(); ++i) {
      const auto& in = l.inputs[i];
      const auto& r = l.rows[i];
      AvoidedRecord rec;
      rec.product = r.product;
      rec.destination = r.destination;
      rec.capacity_mw = in.capacity_mw;
      rec.capacity_factor = in.capacity_factor;
      rec.lifetime_years = in.lifetime_years;
      rec.grid_factor_t_per_mwh = in.grid_factor_t_per_mwh;
      rec.manufacturing_t_per_mw = in.manufacturing_t_per_mw;
      rec.degradation_pct_per_year = in.degradation_pct_per_year;
      rec.annual_generation_mwh = r.annual_generation_mwh;
      rec.annual_avoided_t = r.annual_avoided_t;
      rec.lifetime_avoided_t = r.lifetime_avoided_t;
      rec.manufacturing_t = r.manufacturing_t;
      rec.net_lifetime_avoided_t = r.net_lifetime_avoided_t;
      rec.payback_years = r.payback_years;
      records.push_back(std::move(rec));
    }
    ctx.store().save_avoided(ctx.run_id(), records);
    run->stored = true;
  }
  Result r;
  r.json = [run](const Result&) { return to_json(*run); };
  r.csv = [run](const Result&, std::ostream& out) { to_csv(*run, out); };
  r.table = [run](const Result&, std::ostream& out) { to_table(*run, out); };
  r.summary = {{"rows", l.rows.size()},
               {"annual_avoided_t", l.total.annual_avoided_t},
               {"lifetime_avoided_t", l.total.lifetime_avoided_t},
               {"manufacturing_t", l.total.manufacturing_t},
               {"payback_years", jnum(l.total.payback_years)},
               {"stored", run->stored}};
  for (const auto& row : l.rows)
    if (!std::isfinite(row.payback_years))
      r.warnings.push_back(fmt::format("{} to {}: the grid factor is 0, so nothing is avoided and there is no payback",
                                       row.product, row.destination));
  return r;
}

}  // namespace

void add_avoided_entries(std::vector<Capability>& t) {
  Capability c;
  c.name = "avoided";
  c.domain = Domain::Process;
  c.description =
      "Avoided emissions of exported clean-energy products (PV modules, wind turbines) by destination, as a ledger "
      "apart from every inventory (WBCSD 2023 Guidance on Avoided Emissions: never subtracted from an inventory). "
      "Input CSV columns: product, destination, capacity_mw (MW exported), capacity_factor (0-1], lifetime_years "
      "(whole years), grid_factor_t_per_mwh (t CO2 per MWh of the destination's grid that the output displaces), "
      "manufacturing_t_per_mw (cradle-to-gate t CO2e per MW), optional degradation_pct_per_year and source (citation "
      "text). Per row: first-year "
      "generation (capacity x capacity factor x 8760 h, MWh), first-year and lifetime avoided t CO2 (output "
      "degrading by d per year), manufacturing t CO2e, net lifetime avoided, payback years (manufacturing over "
      "first-year avoided); then a total row whose payback is the fleet's. Stored in the database's "
      "avoided_emissions table unless --no-store; `account` and the ledger never include it. Caveat: the two sides "
      "are different scopes (a one-off production footprint vs recurring use-phase displacement in other "
      "countries) and depend on the reference grid factor chosen.";
  c.result_schema = result_schema();
  c.example = {"examples/avoided/china_wind_pv_exports_2024.csv"};
  c.logs_run = true;
  c.writes_files = false;
  c.run = run_avoided;
  t.push_back(std::move(c));
}

}  // namespace panocarbon::registry
