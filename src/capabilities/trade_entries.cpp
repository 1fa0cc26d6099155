// Registry entries of the trade domain (the consumption side, EE-MRIO): `mrio info|accounts|flows|multipliers|
// spa|aggregate|stored`. The computations are in mrio_capabilities.cpp; here are their renderings.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <ostream>
#include <set>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/store.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace {

// ---- tables for a person ----------------------------------------------------------------------------------------

// One notation per table column (never %g's mix of fixed and exponent forms in one column): fixed decimals chosen
// by the largest magnitude, or scientific notation when that is at least 1e9 or below 1e-3, or when the smallest
// non-zero value would keep fewer than two significant digits.
class ColumnFormat {
 public:
  explicit ColumnFormat(const std::vector<double>& values) {
    double mx = 0, mn = INFINITY;
    for (double v : values)
      if (std::isfinite(v) && v != 0) {
        mx = std::max(mx, std::abs(v));
        mn = std::min(mn, std::abs(v));
      }
    decimals_ = mx >= 1000 ? 1 : mx >= 1 ? 3 : 6;
    sci_ = mx >= 1e9 || (mx > 0 && mx < 1e-3) || (mx > 0 && mn < std::pow(10.0, 1 - decimals_));
  }
  std::string operator()(double v) const {
    if (std::isnan(v)) return "n/a";
    return sci_ ? fmt::format("{:.4e}", v) : fmt::format("{:.{}f}", v, decimals_);
  }

 private:
  bool sci_ = false;
  int decimals_ = 3;
};

// Aligned columns: text left, numbers right (each numeric column in one notation); units go in the headers.
class TextTable {
 public:
  void text(std::string header, std::vector<std::string> cells) { add(std::move(header), std::move(cells), false); }
  void numbers(std::string header, const std::vector<double>& values) {
    numbers(std::move(header), values, ColumnFormat(values));
  }
  void numbers(std::string header, const std::vector<double>& values, const ColumnFormat& f) {
    std::vector<std::string> cells;
    for (double v : values) cells.push_back(f(v));
    add(std::move(header), std::move(cells), true);
  }
  void write(std::ostream& out, const std::string& indent = "") const {
    std::vector<size_t> width;
    for (const auto& c : columns_) {
      size_t w = c.header.size();
      for (const auto& cell : c.cells) w = std::max(w, cell.size());
      width.push_back(w);
    }
    const size_t rows = columns_.empty() ? 0 : columns_.front().cells.size();
    for (size_t i = 0; i <= rows; ++i) {
      std::string line = indent;
      for (size_t c = 0; c < columns_.size(); ++c) {
        const std::string& cell = i == 0 ? columns_[c].header : columns_[c].cells[i - 1];
        if (c) line += "  ";
        line += columns_[c].right ? fmt::format("{:>{}}", cell, width[c]) : fmt::format("{:<{}}", cell, width[c]);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
    }
  }

 private:
  struct Column {
    std::string header;
    std::vector<std::string> cells;
    bool right;
  };
  std::vector<Column> columns_;
  void add(std::string header, std::vector<std::string> cells, bool right) {
    columns_.push_back({std::move(header), std::move(cells), right});
  }
};

std::string num(double v) { return fmt::format("{}", v); }

nlohmann::json boolean_schema() { return {{"type", "boolean"}}; }
nlohmann::json strings_schema() { return array_of(string_schema()); }

// A Result whose renderings are closures over one typed result (held by shared_ptr).
template <class T, class J, class C, class Tb>
Result rendered(std::shared_ptr<T> run, J json, C csv, Tb table) {
  Result r;
  r.json = [run, json](const Result& res) { return json(*run, res); };
  r.csv = [run, csv](const Result& res, std::ostream& out) { csv(*run, res, out); };
  r.table = [run, table](const Result& res, std::ostream& out) { table(*run, res, out); };
  return r;
}

// ---- accounts, flows, multipliers ------------------------------------------------------------------------------

// The solver's report (stderr with --verbose; first in the `mrio accounts` table).
std::string mrio_report(const MrioRun& run, int64_t run_id) {
  const auto& rep = run.accounts.report;
  const double mb = double(run.input_bytes) / 1e6;
  std::string t = fmt::format("system: {} ({}), {} regions x {} sectors{}\n", run.system.name, run.system.format,
                              run.system.n_regions(), run.system.n_sectors(),
                              run_id ? fmt::format(", run {}", run_id) : std::string());
  t += fmt::format("read: {:.1f} MB in {:.2f} s ({:.0f} MB/s)\n", mb, run.read_s, run.read_s > 0 ? mb / run.read_s : 0.0);
  t += fmt::format("solver: {} ({}); n = {}, non-zeros of A = {}\n", rep.solver, rep.why, rep.n, rep.nnz);
  t += fmt::format("factorise {:.3f} s, solves and accounts {:.3f} s{}\n", rep.factorise_s, rep.solve_s,
                   rep.iterations ? fmt::format(", {} iterations", rep.iterations) : "");
  t += fmt::format("checks: max ||(I-A)x - y||/||y|| = {:.2e}; |sum consumption - sum production| / sum = {:.2e}{}\n",
                   rep.max_residual, rep.identity_gap,
                   run.system.x_given ? fmt::format("; given x vs (I-A)^-1 y: {:.2e} (relative)", rep.output_balance) : "");
  for (const auto& n : run.accounts.notes) t += fmt::format("note: {}\n", n);
  return t;
}

// The three commands that present one accounts run: their renderings, the run's summary and the solver's report.
template <class J, class C, class Tb>
Result accounts_run_result(std::shared_ptr<MrioRun> run, Context& ctx, J json, C csv, Tb table) {
  Result r = rendered(run, json, csv, table);
  r.summary = run->summary;
  r.diagnostics = mrio_report(*run, ctx.run_id());
  return r;
}

nlohmann::json report_json(const MrioRun& run) {
  const auto& rep = run.accounts.report;
  return {{"solver", rep.solver}, {"why", rep.why}, {"n", rep.n}, {"nnz", rep.nnz},
          {"factorise_s", rep.factorise_s}, {"solve_s", rep.solve_s}, {"max_residual", rep.max_residual},
          {"identity_gap", rep.identity_gap}, {"output_balance", rep.output_balance},
          {"read_s", run.read_s}, {"compute_s", run.compute_s}};
}

nlohmann::json region_account_json(const std::string& region, const RegionAccount& a) {
  nlohmann::json rj{{"region", region}, {"production", a.production}, {"consumption", a.consumption},
                    {"imports", a.imports}, {"exports", a.exports}, {"net_transfer", a.net_transfer()},
                    {"direct_final_demand", a.direct_fd}, {"income", a.income}, {"shared", a.shared},
                    {"eebt_consumption", a.eebt_consumption}, {"eebt_exports", a.eebt_exports}};
  if (a.consumption_per_capita) {
    rj["consumption_per_capita"] = *a.consumption_per_capita;
    rj["production_per_capita"] = *a.production_per_capita;
  }
  return rj;
}

nlohmann::json accounts_json(const MrioRun& run, const Result& res, double shared_weight) {
  const auto& s = run.system;
  nlohmann::json j;
  j["system"] = {{"name", s.name}, {"format", s.format}, {"source", s.source}, {"regions", s.regions}};
  j["report"] = report_json(run);
  j["notes"] = run.accounts.notes;
  j["run_id"] = res.run_id;
  j["shared_weight"] = shared_weight;
  auto arr = nlohmann::json::array();
  for (const auto& st : run.accounts.stressors) {
    auto regs = nlohmann::json::array();
    for (size_t r : run.regions) regs.push_back(region_account_json(s.regions[r], st.regions[r]));
    arr.push_back({{"extension", st.extension}, {"stressor", st.stressor}, {"unit", st.unit}, {"regions", regs}});
  }
  j["stressors"] = arr;
  return j;
}

void accounts_csv(const MrioRun& run, bool all, std::ostream& out) {
  const auto& s = run.system;
  const bool per_capita = all && !s.population.empty();
  out << "extension,stressor,unit,region,production,consumption,imports,exports"
      << (all ? ",direct_fd,income,shared,eebt_consumption,eebt_exports" : "")
      << (per_capita ? ",production_per_capita,consumption_per_capita" : "") << '\n';
  for (const auto& st : run.accounts.stressors)
    for (size_t r : run.regions) {
      const auto& a = st.regions[r];
      out << fmt::format("{},{},{},{},{},{},{},{}", csv_field(st.extension), csv_field(st.stressor), csv_field(st.unit),
                         csv_field(s.regions[r]), num(a.production), num(a.consumption), num(a.imports), num(a.exports));
      if (all)
        out << fmt::format(",{},{},{},{},{}", num(a.direct_fd), num(a.income), num(a.shared), num(a.eebt_consumption),
                           num(a.eebt_exports));
      if (per_capita)
        out << fmt::format(",{},{}", num(a.production_per_capita.value_or(NAN)),
                           num(a.consumption_per_capita.value_or(NAN)));
      out << '\n';
    }
}

void accounts_table(const MrioRun& run, std::ostream& out) {
  const auto& s = run.system;
  for (const auto& st : run.accounts.stressors) {
    out << fmt::format("\n{} / {} [{}]\n", st.extension, st.stressor, st.unit);
    std::vector<std::string> names;
    for (size_t r : run.regions) names.push_back(s.regions[r]);
    auto column = [&](auto get) {
      std::vector<double> v;
      for (size_t r : run.regions) v.push_back(get(st.regions[r]));
      return v;
    };
    TextTable t;
    t.text("region", names);
    t.numbers("production", column([](const RegionAccount& a) { return a.production; }));
    t.numbers("consumption", column([](const RegionAccount& a) { return a.consumption; }));
    t.numbers("imports", column([](const RegionAccount& a) { return a.imports; }));
    t.numbers("exports", column([](const RegionAccount& a) { return a.exports; }));
    t.numbers("net_transfer", column([](const RegionAccount& a) { return a.net_transfer(); }));
    t.numbers("F_Y", column([](const RegionAccount& a) { return a.direct_fd; }));
    t.numbers("income", column([](const RegionAccount& a) { return a.income; }));
    t.numbers("shared", column([](const RegionAccount& a) { return a.shared; }));
    t.numbers("eebt_cons", column([](const RegionAccount& a) { return a.eebt_consumption; }));
    if (!s.population.empty())
      t.numbers(fmt::format("cons/capita [{} per person]", st.unit),
                column([](const RegionAccount& a) { return a.consumption_per_capita.value_or(NAN); }));
    t.write(out);
  }
}

nlohmann::json accounts_schema() {
  const auto region = object_schema(
      {{"region", string_schema()}, {"production", number_schema("where emitted (PBA), incl. F_Y")},
       {"consumption", number_schema("embodied in the region's final demand (CBA), incl. F_Y")},
       {"imports", number_schema()}, {"exports", number_schema()}, {"net_transfer", number_schema("imports - exports")},
       {"direct_final_demand", number_schema("F_Y")}, {"income", number_schema("income-based (Ghosh)")},
       {"shared", number_schema()}, {"eebt_consumption", number_schema()}, {"eebt_exports", number_schema()},
       {"consumption_per_capita", number_schema()}, {"production_per_capita", number_schema()}},
      {"consumption_per_capita", "production_per_capita"});
  const auto stressor = object_schema({{"extension", string_schema()},
                                       {"stressor", string_schema("a CO2e stressor names its GWP set: GHG (CO2e, AR6)")},
                                       {"unit", string_schema("unit of every value of the stressor")},
                                       {"regions", array_of(region)}});
  return object_schema(
      {{"system", object_schema({{"name", string_schema()}, {"format", string_schema()}, {"source", string_schema()},
                                 {"regions", strings_schema()}})},
       {"report", object_schema({{"solver", string_schema()}, {"why", string_schema()}, {"n", integer_schema()},
                                 {"nnz", integer_schema()}, {"factorise_s", number_schema()}, {"solve_s", number_schema()},
                                 {"max_residual", number_schema()}, {"identity_gap", number_schema()},
                                 {"output_balance", number_schema()}, {"read_s", number_schema()},
                                 {"compute_s", number_schema()}})},
       {"notes", strings_schema()},
       {"run_id", integer_schema("the run in the run log (0 when not logged)")},
       {"shared_weight", number_schema()},
       {"stressors", array_of(stressor)}});
}

Capability accounts_capability() {
  return {"mrio accounts", Domain::Trade,
          "Regional greenhouse-gas (or any stressor's) accounts of a multi-regional input-output system: "
          "production-based (where emitted), consumption-based (embodied in each region's final demand), imports, "
          "exports, income-based (Ghosh), shared responsibility and EEBT, all from one factorisation of I - A, as "
          "pymrio's D_*_reg. Input: a pymrio/EXIOBASE folder or zip, Eora26, OECD ICIO or USEEIO. Values are in "
          "the stressor's own unit (the unit column); direct final-demand emissions (F_Y) count in production and "
          "consumption. CO2e only with --gwp (a stressor named 'GHG (CO2e, SET)'). The accounts are saved in the "
          "database for `mrio stored`.",
          accounts_schema(),
          {"../shared/data/mrio/pymrio-test", "--region", "reg1", "--region", "reg2"},
          true, false,
          [](Context& ctx, const Params& p) {
            auto run = std::make_shared<MrioRun>(mrio_accounts(ctx, p));
            const double w = p.number("shared-weight");
            const bool all = p.flag("all-columns");
            Result r = accounts_run_result(
                run, ctx, [w](const MrioRun& m, const Result& res) { return accounts_json(m, res, w); },
                [all](const MrioRun& m, const Result&, std::ostream& out) { accounts_csv(m, all, out); },
                [](const MrioRun& m, const Result&, std::ostream& out) { accounts_table(m, out); });
            r.diagnostics_in_table = true;
            return r;
          }};
}

const char* kFlowsNote = "rows produce, columns consume; direct final-demand emissions (F_Y) are not in the matrix";

Capability flows_capability() {
  return {"mrio flows", Domain::Trade,
          "Bilateral embodied emissions: a region x region matrix per stressor of what the row region emits for "
          "the column region's final demand, by the MRIO model (S L Y) or by EEBT (exporters' domestic "
          "intensities times bilateral trade). Several --stressor give several matrices. Values are in the "
          "stressor's unit; F_Y is not in the matrix. CO2e only with --gwp and --stressor 'GHG (CO2e, SET)'.",
          array_of(object_schema({{"extension", string_schema()}, {"stressor", string_schema()},
                                  {"unit", string_schema("unit of the matrix's values")},
                                  {"method", string_schema("mrio or eebt")}, {"regions", strings_schema()},
                                  {"matrix", array_of(array_of(number_schema()))}, {"note", string_schema()}})),
          {"../shared/data/mrio/pymrio-test", "--stressor", "emission_type1", "--stressor", "emission_type2"},
          true, false,
          [](Context& ctx, const Params& p) {
            auto run = std::make_shared<MrioRun>(mrio_accounts(ctx, p));
            const std::string method = p.str("method");
            const bool eebt = method == "eebt";
            auto matrix = [eebt](const StressorAccounts& st) -> const DenseMatrix& { return eebt ? st.eebt : st.bilateral; };
            return accounts_run_result(
                run, ctx,
                [matrix, method](const MrioRun& m, const Result&) {
                  const size_t nr = m.system.n_regions();
                  auto arr = nlohmann::json::array();
                  for (const auto& st : m.accounts.stressors) {
                    const auto& mat = matrix(st);
                    auto rows = nlohmann::json::array();
                    for (size_t a = 0; a < nr; ++a)
                      rows.push_back(std::vector<double>(mat.data.begin() + static_cast<std::ptrdiff_t>(a * nr),
                                                         mat.data.begin() + static_cast<std::ptrdiff_t>((a + 1) * nr)));
                    arr.push_back({{"extension", st.extension}, {"stressor", st.stressor}, {"unit", st.unit},
                                   {"method", method}, {"regions", m.system.regions}, {"matrix", rows},
                                   {"note", kFlowsNote}});
                  }
                  return arr;
                },
                [matrix](const MrioRun& m, const Result&, std::ostream& out) {
                  const auto& regions = m.system.regions;
                  out << "extension,stressor,unit,producer,consumer,value\n";
                  for (const auto& st : m.accounts.stressors)
                    for (size_t a = 0; a < regions.size(); ++a)
                      for (size_t b = 0; b < regions.size(); ++b)
                        out << fmt::format("{},{},{},{},{},{}\n", csv_field(st.extension), csv_field(st.stressor),
                                           csv_field(st.unit), csv_field(regions[a]), csv_field(regions[b]),
                                           num(matrix(st)(a, b)));
                },
                [matrix, eebt](const MrioRun& m, const Result&, std::ostream& out) {
                  const auto& regions = m.system.regions;
                  for (const auto& st : m.accounts.stressors) {
                    if (&st != &m.accounts.stressors.front()) out << '\n';
                    out << fmt::format("{} / {} [{}], {}: rows produce, columns consume (F_Y not included)\n",
                                       st.extension, st.stressor, st.unit, eebt ? "EEBT" : "MRIO");
                    const auto& mat = matrix(st);
                    const ColumnFormat f(mat.data);  // one notation for the whole matrix
                    TextTable t;
                    t.text("producer", regions);
                    for (size_t b = 0; b < regions.size(); ++b) {
                      std::vector<double> col;
                      for (size_t a = 0; a < regions.size(); ++a) col.push_back(mat(a, b));
                      t.numbers(regions[b], col, f);
                    }
                    t.write(out);
                  }
                });
          }};
}

Capability multipliers_capability() {
  return {"mrio multipliers", Domain::Trade,
          "Multipliers M = S (I - A)^-1: for every region and sector, the stressor emitted along the whole supply "
          "chain per monetary unit of final demand for that sector's product (e.g. kg per M.EUR). The unit says "
          "both: 'stressor unit per monetary unit'. Optionally writes L = (I - A)^-1 (--leontief-out) from the "
          "same factorisation. CO2e only with --gwp.",
          object_schema({{"regions", strings_schema()}, {"sectors", strings_schema()},
                         {"stressors", array_of(object_schema({{"extension", string_schema()},
                                                               {"stressor", string_schema()},
                                                               {"unit", string_schema("e.g. kg per M.EUR")},
                                                               {"multipliers", array_of(number_schema())}}))}}),
          {"../shared/data/mrio/pymrio-test", "--stressor", "emission_type1"},
          true, false,
          [](Context& ctx, const Params& p) {
            auto run = std::make_shared<MrioRun>(mrio_accounts(ctx, p));
            auto unit = [](const MrioRun& m, const StressorAccounts& st) { return st.unit + " per " + m.system.monetary_unit; };
            return accounts_run_result(
                run, ctx,
                [unit](const MrioRun& m, const Result&) {
                  auto arr = nlohmann::json::array();
                  for (const auto& st : m.accounts.stressors)
                    arr.push_back({{"extension", st.extension}, {"stressor", st.stressor}, {"unit", unit(m, st)},
                                   {"multipliers", st.multipliers}});
                  return nlohmann::json{{"regions", m.system.regions}, {"sectors", m.system.sectors}, {"stressors", arr}};
                },
                [unit](const MrioRun& m, const Result&, std::ostream& out) {
                  const auto& s = m.system;
                  const size_t ns = s.n_sectors();
                  out << "extension,stressor,unit,region,sector,multiplier\n";
                  for (const auto& st : m.accounts.stressors)
                    for (size_t k = 0; k < s.n(); ++k)
                      out << fmt::format("{},{},{},{},{},{}\n", csv_field(st.extension), csv_field(st.stressor),
                                         csv_field(unit(m, st)), csv_field(s.regions[k / ns]),
                                         csv_field(s.sectors[k % ns]), num(st.multipliers[k]));
                },
                [unit](const MrioRun& m, const Result&, std::ostream& out) {
                  const auto& s = m.system;
                  const size_t ns = s.n_sectors();
                  for (const auto& st : m.accounts.stressors) {
                    if (&st != &m.accounts.stressors.front()) out << '\n';
                    out << fmt::format("{} / {} [{}]\n", st.extension, st.stressor, unit(m, st));
                    std::vector<std::string> regions, sectors;
                    for (size_t k = 0; k < s.n(); ++k) {
                      regions.push_back(s.regions[k / ns]);
                      sectors.push_back(s.sectors[k % ns]);
                    }
                    TextTable t;
                    t.text("region", regions);
                    t.text("sector", sectors);
                    t.numbers(fmt::format("multiplier [{}]", unit(m, st)), st.multipliers);
                    t.write(out, "  ");
                  }
                });
          }};
}

// ---- info, spa, aggregate, stored ------------------------------------------------------------------------------

void info_table(const nlohmann::json& j, std::ostream& out) {
  const std::string money = j["monetary_unit"].get<std::string>();
  out << fmt::format("{} ({})\n  source: {}\n", j["name"].get<std::string>(), j["format"].get<std::string>(),
                     j["source"].get<std::string>());
  out << fmt::format("  {} regions x {} sectors = {} sectors; {} final-demand categories per region\n",
                     j["regions"].size(), j["sectors"].size(), j["n"].get<size_t>(), j["final_demand_categories"].size());
  out << fmt::format("  A: {} non-zeros ({:.2f} % dense); monetary unit: {}; x {}\n", j["nonzeros_A"].get<size_t>(),
                     j["density_A"].get<double>() * 100, money,
                     j["x_given"].get<bool>() ? "given" : "from Z and Y, or from A on demand");
  const double yt = j["total_final_demand"].get<double>();
  const bool has_x = !j["total_output"].is_null();
  const ColumnFormat f(has_x ? std::vector<double>{j["total_output"].get<double>(), yt} : std::vector<double>{yt});
  out << fmt::format("  total output {}, total final demand {} [{}]\n",
                     has_x ? f(j["total_output"].get<double>())
                           : std::string("(not given; derived when accounts are computed)"),
                     f(yt), money);
  std::string regions;
  for (const auto& r : j["regions"]) {
    if (!regions.empty()) regions += ' ';
    regions += r.get<std::string>();
  }
  out << fmt::format("  regions: {}\n", regions.size() > 300 ? regions.substr(0, 300) + " ..." : regions);
  for (const auto& e : j["extensions"]) {
    out << fmt::format("  extension {}: {} stressors{}\n", e["name"].get<std::string>(), e["stressors"].get<size_t>(),
                       e["F_Y"].get<bool>() ? " (with F_Y)" : "");
    for (const auto& st : e["first_stressors"]) out << fmt::format("    {}\n", st.get<std::string>());
  }
}

Capability info_capability() {
  return {"mrio info", Domain::Trade,
          "Describes a multi-regional input-output system without computing it: its format, regions, sectors, "
          "final-demand categories, the density of A, the monetary unit, totals of output and final demand, and "
          "each extension (satellite account) with its first stressors and their units. Use it to find the names "
          "that --region, --extension and --stressor of the other mrio commands take.",
          object_schema({{"name", string_schema()}, {"format", string_schema()}, {"source", string_schema()},
                         {"regions", strings_schema()}, {"sectors", strings_schema()},
                         {"final_demand_categories", strings_schema()}, {"n", integer_schema("regions x sectors")},
                         {"nonzeros_A", integer_schema()}, {"density_A", number_schema()},
                         {"monetary_unit", string_schema()}, {"x_given", boolean_schema()},
                         {"total_output", nullable(number_schema("in the monetary unit"))},
                         {"total_final_demand", number_schema("in the monetary unit")},
                         {"population_given", boolean_schema()},
                         {"extensions", array_of(object_schema({{"name", string_schema()},
                                                                {"stressors", integer_schema()},
                                                                {"F_Y", boolean_schema()},
                                                                {"first_stressors", strings_schema()}}))},
                         {"provenance", {{"type", {"object", "array", "null"}}}}}),
          {"../shared/data/mrio/pymrio-test"},
          false, false,
          [](Context& ctx, const Params& p) {
            auto j = std::make_shared<nlohmann::json>(mrio_info(ctx, p));
            return rendered(
                j, [](const nlohmann::json& info, const Result&) { return info; },
                [](const nlohmann::json& info, const Result&, std::ostream& out) {
                  out << fmt::format("key,value\nname,{}\nformat,{}\nregions,{}\nsectors_per_region,{}\nsectors,{}\n"
                                     "categories_per_region,{}\nextensions,{}\n",
                                     csv_field(info["name"].get<std::string>()), info["format"].get<std::string>(),
                                     info["regions"].size(), info["sectors"].size(), info["n"].get<size_t>(),
                                     info["final_demand_categories"].size(), info["extensions"].size());
                },
                [](const nlohmann::json& info, const Result&, std::ostream& out) { info_table(info, out); });
          }};
}

std::string path_text(const MrioSystem& s, const SupplyChainPath& path) {
  const size_t ns = s.n_sectors();
  std::string t;
  for (size_t i = 0; i < path.sectors.size(); ++i) {
    if (i) t += " < ";
    t += s.regions[path.sectors[i] / ns] + "|" + s.sectors[path.sectors[i] % ns];
  }
  return t;
}

nlohmann::json spa_json(const SpaRun& run) {
  const auto& s = run.system;
  const size_t ns = s.n_sectors();
  auto arr = nlohmann::json::array();
  for (const auto& path : run.result.paths) {
    auto sectors = nlohmann::json::array();
    for (size_t k : path.sectors) sectors.push_back(s.regions[k / ns] + "|" + s.sectors[k % ns]);
    arr.push_back({{"value", path.value}, {"share", path.share}, {"depth", path.sectors.size() - 1}, {"path", sectors}});
  }
  return {{"region", s.regions[run.region]}, {"stressor", s.extensions[run.ext].stressors[run.stressor]},
          {"unit", run.unit}, {"total", run.result.total}, {"covered", run.result.covered},
          {"expanded", run.result.expanded}, {"paths", arr}};
}

void spa_table(const SpaRun& run, std::ostream& out) {
  const auto& s = run.system;
  const auto& r = run.result;
  const ColumnFormat total_format({r.total});
  out << fmt::format("structural paths of {}'s consumption-based {} (total {} {}, without F_Y); paths read "
                     "final-demand sector < its supplier < ...\n",
                     s.regions[run.region], s.extensions[run.ext].stressors[run.stressor], total_format(r.total), run.unit);
  std::vector<std::string> rank, paths;
  std::vector<double> values, shares;
  for (size_t i = 0; i < r.paths.size(); ++i) {
    rank.push_back(std::to_string(i + 1));
    values.push_back(r.paths[i].value);
    shares.push_back(r.paths[i].share * 100);
    paths.push_back(path_text(s, r.paths[i]));
  }
  TextTable t;
  t.text("rank", rank);
  t.numbers(fmt::format("value [{}]", run.unit), values);
  t.numbers("share [%]", shares, ColumnFormat({1.0}));  // percent with 3 decimals
  t.text("path", paths);
  t.write(out);
  out << fmt::format("{} paths cover {:.2f} % of the total; {} tree nodes visited\n", r.paths.size(), r.covered * 100,
                     r.expanded);
}

Capability spa_capability() {
  return {"mrio spa", Domain::Trade,
          "Structural path analysis: the largest supply-chain paths of one region's consumption-based footprint "
          "of one stressor (without F_Y), by a best-first search of the supply tree. A path reads final-demand "
          "sector < its supplier < ... < the emitting sector; its value is in the stressor's unit and its share "
          "is of the region's total. --cutoff prunes subtrees below that share; --top and --max-depth bound the "
          "search.",
          object_schema({{"region", string_schema()}, {"stressor", string_schema()},
                         {"unit", string_schema("unit of total and of every path's value")},
                         {"total", number_schema("S L y of the region: what all paths sum to")},
                         {"covered", number_schema("share of the total the listed paths cover")},
                         {"expanded", integer_schema("tree nodes visited")},
                         {"paths", array_of(object_schema({{"value", number_schema()}, {"share", number_schema()},
                                                           {"depth", integer_schema()},
                                                           {"path", strings_schema()}}))}}),
          {"../shared/data/mrio/pymrio-test", "--region", "reg2", "--stressor", "emission_type1", "--top", "5"},
          true, false,
          [](Context& ctx, const Params& p) {
            auto run = std::make_shared<SpaRun>(mrio_spa(ctx, p));
            Result r = rendered(
                run, [](const SpaRun& m, const Result&) { return spa_json(m); },
                [](const SpaRun& m, const Result&, std::ostream& out) {
                  out << "rank,value,unit,share,depth,path\n";
                  const auto& paths = m.result.paths;
                  for (size_t i = 0; i < paths.size(); ++i)
                    out << fmt::format("{},{},{},{},{},{}\n", i + 1, num(paths[i].value), csv_field(m.unit),
                                       num(paths[i].share), paths[i].sectors.size() - 1,
                                       csv_field(path_text(m.system, paths[i])));
                },
                [](const SpaRun& m, const Result&, std::ostream& out) { spa_table(m, out); });
            r.summary = run->summary;
            return r;
          }};
}

Capability aggregate_capability() {
  return {"mrio aggregate", Domain::Trade,
          "Aggregates the regions and/or sectors of a multi-regional input-output system by concordance CSV files "
          "(a header line, then 'from,to' lines; every label needs a line) and writes the result in pymrio's text "
          "layout into the output folder (--out). Flows (Z, Y, x, F, F_Y, population) are summed, so world totals "
          "are preserved. Returns the folder, the sizes before and after, and the files written.",
          object_schema({{"out", string_schema("the folder written")},
                         {"regions", integer_schema()}, {"sectors", integer_schema()},
                         {"from_regions", integer_schema()}, {"from_sectors", integer_schema()},
                         {"files", strings_schema()}}),
          {"../shared/data/mrio/pymrio-test", "--regions", "tests/fixtures/mrio/pymrio-test-regions.csv"},
          true, true,
          [](Context& ctx, const Params& p) {
            auto run = std::make_shared<AggregateRun>(mrio_aggregate(ctx, p));
            Result r = rendered(
                run,
                [](const AggregateRun& a, const Result&) {
                  return nlohmann::json{{"out", a.out}, {"regions", a.regions}, {"sectors", a.sectors},
                                        {"from_regions", a.from_regions}, {"from_sectors", a.from_sectors},
                                        {"files", a.files}};
                },
                [](const AggregateRun& a, const Result&, std::ostream& out) {
                  out << "folder,file,bytes\n";
                  std::error_code ec;
                  for (const auto& f : a.files)
                    out << fmt::format("{},{},{}\n", csv_field(a.out), csv_field(f),
                                       std::filesystem::file_size(std::filesystem::path(a.out) / f, ec));
                },
                [](const AggregateRun& a, const Result&, std::ostream& out) {
                  out << fmt::format("wrote {}: {} regions x {} sectors (from {} x {}); totals of Z, Y, x, F and F_Y "
                                     "preserved\n",
                                     a.out, a.regions, a.sectors, a.from_regions, a.from_sectors);
                  for (const auto& f : a.files) out << "  " << f << '\n';
                });
            for (const auto& f : run->files) r.files.push_back((std::filesystem::path(run->out) / f).string());
            r.summary = {{"out", run->out}, {"regions", run->regions}, {"sectors", run->sectors},
                         {"from_regions", run->from_regions}, {"from_sectors", run->from_sectors}};
            return r;
          }};
}

// Whether `name` is one of `wanted` (exactly, or the part before '|'); everything matches no filter.
bool matches(const std::vector<std::string>& wanted, const std::string& name) {
  if (wanted.empty()) return true;
  for (const auto& w : wanted)
    if (name == w || name.substr(0, name.find('|')) == w) return true;
  return false;
}

std::vector<MrioAccountRecord> stored_accounts(Store& store, const Params& p) {
  const auto regions = p.has("region") ? p.strs("region") : std::vector<std::string>{};
  const auto stressors = p.has("stressor") ? p.strs("stressor") : std::vector<std::string>{};
  // One filter value goes to the query; several are applied here.
  auto rows = store.mrio_accounts(p.has("system") ? p.str("system") : "", regions.size() == 1 ? regions[0] : "",
                                  stressors.size() == 1 ? stressors[0] : "",
                                  p.has("year") ? static_cast<int>(p.integer("year")) : 0);
  std::erase_if(rows, [&](const MrioAccountRecord& a) {
    const bool region = regions.empty() || std::find(regions.begin(), regions.end(), a.region) != regions.end();
    return !region || !matches(stressors, a.stressor);
  });
  return rows;
}

void stored_table(const std::vector<MrioAccountRecord>& rows, std::ostream& out) {
  TextTable t;
  auto text = [&](const char* header, auto get) {
    std::vector<std::string> v;
    for (const auto& a : rows) v.push_back(get(a));
    t.text(header, v);
  };
  auto numbers = [&](const char* header, auto get) {
    std::vector<double> v;
    for (const auto& a : rows) v.push_back(get(a));
    t.numbers(header, v);
  };
  text("system", [](const MrioAccountRecord& a) { return a.system; });
  text("year", [](const MrioAccountRecord& a) { return a.year ? std::to_string(a.year) : std::string(); });
  text("run", [](const MrioAccountRecord& a) { return std::to_string(a.run_id); });
  text("extension", [](const MrioAccountRecord& a) { return a.extension; });
  text("stressor", [](const MrioAccountRecord& a) { return a.stressor; });
  text("unit", [](const MrioAccountRecord& a) { return a.unit; });
  text("region", [](const MrioAccountRecord& a) { return a.region; });
  numbers("production", [](const MrioAccountRecord& a) { return a.production; });
  numbers("consumption", [](const MrioAccountRecord& a) { return a.consumption; });
  numbers("imports", [](const MrioAccountRecord& a) { return a.imports; });
  numbers("exports", [](const MrioAccountRecord& a) { return a.exports; });
  t.write(out);
}

Capability stored_capability() {
  return {"mrio stored", Domain::Trade,
          "Regional accounts saved by earlier `mrio accounts` runs (the latest run per system and stressor), "
          "queried from the database without recomputing; filtered by system (name or source path), region, "
          "stressor and year. Values are in each row's unit.",
          array_of(object_schema({{"system", string_schema()}, {"year", integer_schema("0 when unknown")},
                                  {"run_id", integer_schema()}, {"extension", string_schema()},
                                  {"stressor", string_schema()}, {"unit", string_schema()}, {"region", string_schema()},
                                  {"production", number_schema()}, {"consumption", number_schema()},
                                  {"imports", number_schema()}, {"exports", number_schema()},
                                  {"direct_final_demand", number_schema()}, {"income", number_schema()},
                                  {"shared", number_schema()}, {"eebt_consumption", number_schema()}})),
          {"--stressor", "emission_type1", "--stressor", "emission_type2"},
          false, false,
          [](Context& ctx, const Params& p) {
            auto rows = std::make_shared<std::vector<MrioAccountRecord>>(stored_accounts(ctx.store(), p));
            Result r = rendered(
                rows,
                [](const std::vector<MrioAccountRecord>& rs, const Result&) {
                  auto arr = nlohmann::json::array();
                  for (const auto& a : rs)
                    arr.push_back({{"system", a.system}, {"year", a.year}, {"run_id", a.run_id},
                                   {"extension", a.extension}, {"stressor", a.stressor}, {"unit", a.unit},
                                   {"region", a.region}, {"production", a.production},
                                   {"consumption", a.consumption}, {"imports", a.imports}, {"exports", a.exports},
                                   {"direct_final_demand", a.direct_fd}, {"income", a.income}, {"shared", a.shared},
                                   {"eebt_consumption", a.eebt_consumption}});
                  return arr;
                },
                [](const std::vector<MrioAccountRecord>& rs, const Result&, std::ostream& out) {
                  out << "system,year,run_id,extension,stressor,unit,region,production,consumption,imports,exports\n";
                  for (const auto& a : rs)
                    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(a.system),
                                       a.year ? std::to_string(a.year) : "", a.run_id, csv_field(a.extension),
                                       csv_field(a.stressor), csv_field(a.unit), csv_field(a.region),
                                       num(a.production), num(a.consumption), num(a.imports), num(a.exports));
                },
                [](const std::vector<MrioAccountRecord>& rs, const Result&, std::ostream& out) { stored_table(rs, out); });
            if (rows->empty()) r.warnings.push_back("no stored accounts match; run `panocarbon mrio accounts PATH` first");
            r.summary = {{"rows", rows->size()}};
            return r;
          }};
}

}  // namespace

void add_trade_entries(std::vector<Capability>& t) {
  t.push_back(info_capability());
  t.push_back(accounts_capability());
  t.push_back(flows_capability());
  t.push_back(multipliers_capability());
  t.push_back(spa_capability());
  t.push_back(aggregate_capability());
  t.push_back(stored_capability());
}

}  // namespace panocarbon::registry
