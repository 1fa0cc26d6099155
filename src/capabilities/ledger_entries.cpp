// Registry entries of the panoramic ledger (issue 13; docs/ledger.md): `ledger build`, `ledger info`,
// `ledger export` and `account`. The computations are in src/ledger; the rows live in the store (migration 8).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <ostream>
#include <set>

#include "capabilities/entries.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/natural_fluxes.hpp"
#include "panocarbon/ledger.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/store.hpp"
#include "panocarbon/uncertainty.hpp"

namespace panocarbon::registry {

namespace {

nlohmann::json nan_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }
std::string csv_num(double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); }
nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); }

const char* kNoLedger =
    "the database holds no ledger; build one: `panocarbon ledger build --default` (the embedded default: GCB 2019 "
    "and WIOD 2000-2010 national accounts) or `panocarbon ledger build ../shared/data/mrio/wiod2013-co2 "
    "../shared/data/national/gcb2019` (the full tables)";

// ---- ledger build ------------------------------------------------------------------------------------------------

struct BuildRun {
  std::vector<ledger::Table> tables;
  std::vector<std::string> notes;
  bool stored = false;
  std::string database;
  double seconds = 0;
};

nlohmann::json source_summary(const ledger::Table& t) {
  std::set<int> years;
  std::set<std::string> countries;
  for (const auto& v : t.values) {
    years.insert(v.year);
    countries.insert(v.country);
  }
  return {{"source", t.source},       {"dataset", t.dataset},
          {"version", t.version},     {"path", t.path},
          {"years", std::vector<int>(years.begin(), years.end())},
          {"countries", countries.size()},
          {"values", t.values.size()}, {"partners", t.partners.size()},
          {"sectors", t.sectors.size()}};
}

// The sources of the database's own runs: the latest natural run of each command (natural/run-ID) and every
// `inventory calc` run of one country and year (inventory/run-ID), where they name a country and a year.
void stored_runs(Store& st, std::vector<ledger::Table>& tables, std::vector<std::string>& notes) {
  std::map<int64_t, std::vector<NaturalFluxRecord>> natural;
  for (auto& r : st.natural_fluxes("", "", 0, false)) natural[r.run_id].push_back(std::move(r));
  std::map<int64_t, RunRecord> runs;
  for (auto& r : st.recent_runs(1000000)) runs[r.id] = std::move(r);
  const GwpSet& ar5 = GwpTable::builtin().set("AR5");
  for (const auto& [id, records] : natural) {
    size_t skipped = 0;
    const std::string command = runs.count(id) ? runs[id].command : "natural";
    ledger::Table t = ledger::natural_table(id, command, records, ar5, &skipped);
    if (skipped)
      notes.push_back(fmt::format("natural run {} (`{}`): {} records name no country and year of the ledger (a GFED "
                                  "region, World without a year, ...) and are left out",
                                  id, command, skipped));
    if (!t.values.empty()) tables.push_back(std::move(t));
  }
  for (const auto& [id, r] : runs) {
    if (r.command != "inventory calc" || r.status != "ok") continue;
    const auto cy = r.summary.find("country_years");
    if (cy == r.summary.end() || !cy->is_array() || cy->size() != 1) continue;
    ledger::InventoryRun inv;
    inv.run_id = id;
    inv.country_year = (*cy)[0].get<std::string>();
    inv.gwp = r.params.contains("gwp") ? r.params["gwp"].get<std::string>() : "AR5";
    for (const auto& res : st.results(id))
      if (res.gas == "CO2e" && res.unit == "t") inv.categories.emplace_back(res.key, res.value);
    if (auto t = ledger::inventory_table(inv))
      tables.push_back(std::move(*t));
    else
      notes.push_back(fmt::format("inventory run {} ({}) names no country of the ledger: left out", id,
                                  inv.country_year));
  }
}

Capability build_capability() {
  return {"ledger build", Domain::Trade,
          "Computes the panoramic ledger from what each PATH holds and stores it (replacing each source it rebuilds, "
          "in one transaction per source): a folder of MRIO years in pymrio's layout with a CO2 extension (e.g. "
          "WIOD 2013 with the JRC CO2 account: production = pymrio D_pba_reg, consumption = D_cba_reg, both with "
          "F_Y; imports, exports, net transfer = consumption - production; bilateral partners; sectors), a Global "
          "Carbon Budget 2019 national folder (territorial, consumption-based and transfers, MtC x 44/12), or a "
          "ledger folder written by `ledger export` (data/ledger); --default loads the embedded default dataset without "
          "any file. Every value in Mt CO2; "
          "per capita in t CO2 per person (World Bank population). Years run in parallel on threads and MPI ranks "
          "(rank 0 stores) with identical numbers; --draws N adds 2.5-97.5 % ranges from the MRIO Monte Carlo.",
          object_schema({{"sources", array_of(object_schema(
                                         {{"source", string_schema()}, {"dataset", string_schema()},
                                          {"version", string_schema()}, {"path", string_schema()},
                                          {"years", array_of(integer_schema())},
                                          {"countries", integer_schema()}, {"values", integer_schema()},
                                          {"partners", integer_schema()}, {"sectors", integer_schema()}}))},
                         {"stored", {{"type", "boolean"}}},
                         {"database", nullable(string_schema())}}),
          {"--default"},
          true, false,
          [](Context& ctx, const Params& p) {
            std::vector<ledger::Found> found;
            const bool with_default = p.flag("default");
            if (!with_default && (!p.has("path") || p.strs("path").empty()))
              throw Error(ErrorCategory::InvalidInput,
                          "give the folders to build (ledger build PATH...), or --default for the embedded default "
                          "dataset",
                          {{}, 0, 0, "path"});
            for (const auto& v : p.has("path") ? p.strs("path") : std::vector<std::string>{}) {
              const auto where = ctx.locate_input ? ctx.locate_input("path", v) : std::filesystem::path(v);
              ctx.add_input({{"option", "path"}, {"path", v}});
              for (auto& f : ledger::scan(where)) found.push_back(std::move(f));
            }
            ledger::BuildOptions o;
            o.threads = static_cast<int>(p.integer("threads"));
            o.draws = static_cast<uint64_t>(p.integer("draws"));
            unc::check_draw_count(o.draws, "draws");
            o.seed = static_cast<uint64_t>(p.integer("seed"));
            o.progress = ctx.progress;
            o.gcb_from_year = static_cast<int>(p.integer("from-year"));
            auto run = std::make_shared<BuildRun>();
            run->tables = ledger::build(found, o);
            if (with_default) {
              const auto population = ledger::load_population();
              for (auto& t : ledger::read_export(ledger::embedded_default(), "<embedded>/ledger")) {
                ledger::add_per_capita(t, population);
                run->tables.push_back(std::move(t));
              }
            }
            if (ctx.has_store() && parallel::is_root()) {
              Store& st = ctx.store();
              const size_t from_paths = run->tables.size();
              stored_runs(st, run->tables, run->notes);
              const auto population = ledger::load_population();
              for (size_t i = from_paths; i < run->tables.size(); ++i) ledger::add_per_capita(run->tables[i], population);
              for (const auto& t : run->tables) st.save_ledger(ctx.run_id(), t);
              run->stored = true;
              run->database = st.path().string();
            }
            Result r;
            r.json = [run](const Result&) {
              auto arr = nlohmann::json::array();
              for (const auto& t : run->tables) arr.push_back(source_summary(t));
              return nlohmann::json{{"sources", arr}, {"stored", run->stored}, {"database", text_or_null(run->database)}};
            };
            r.csv = [run](const Result&, std::ostream& out) {
              out << "source,dataset,first_year,last_year,countries,values,partners,sectors\n";
              for (const auto& t : run->tables) {
                const auto s = source_summary(t);
                const auto& y = s["years"];
                out << fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(t.source), csv_field(t.dataset),
                                   y.empty() ? 0 : y.front().get<int>(), y.empty() ? 0 : y.back().get<int>(),
                                   s["countries"].get<size_t>(), t.values.size(), t.partners.size(), t.sectors.size());
              }
            };
            size_t values = 0;
            for (const auto& t : run->tables) values += t.values.size();
            r.summary = {{"sources", run->tables.size()}, {"values", values}, {"threads", o.threads},
                         {"draws", o.draws}, {"ranks", parallel::size()}};
            if (!run->stored)
              r.warnings.push_back("nothing stored (--no-store or an MPI rank other than 0)");
            for (const auto& n : run->notes) r.warnings.push_back(n);
            return r;
          }};
}

// ---- ledger info --------------------------------------------------------------------------------------------------

Capability info_capability() {
  return {"ledger info", Domain::Trade,
          "What the ledger in the database holds: each source (wiod2013-co2/2009, gcb2019, ...) with its dataset, "
          "version, citation, years, number of countries and the run that built it; every year held and every "
          "indicator. The web app's year slider and dataset notes read this.",
          object_schema({{"sources", array_of(object_schema(
                                         {{"source", string_schema()}, {"dataset", string_schema()},
                                          {"version", string_schema()}, {"citation", string_schema()},
                                          {"years", array_of(integer_schema())}, {"countries", integer_schema()},
                                          {"run_id", nullable(integer_schema())}, {"built_at", string_schema()},
                                          {"values", integer_schema()}, {"partners", integer_schema()},
                                          {"sectors", integer_schema()}}))},
                         {"years", array_of(integer_schema())},
                         {"indicators", array_of(string_schema())}}),
          {},
          false, false,
          [](Context& ctx, const Params&) {
            Store& st = ctx.store();
            auto sources = std::make_shared<std::vector<LedgerSourceRecord>>(st.ledger_sources());
            std::set<int> years;
            for (const auto& s : *sources) years.insert(s.years.begin(), s.years.end());
            std::vector<std::string> indicators;
            {
              std::set<std::string> seen;
              for (const auto& t : st.ledger(LedgerQuery{{}, {}, {}, 0, false, false}))
                for (const auto& v : t.values)
                  if (seen.insert(v.indicator).second) indicators.push_back(v.indicator);
            }
            // The indicators in the ledger's order, then any others as first seen.
            static const std::vector<std::string> kOrder = {
                "production",  "consumption", "imports", "exports", "net_transfer", "production_per_capita",
                "consumption_per_capita", "natural"};
            std::stable_sort(indicators.begin(), indicators.end(), [](const std::string& a, const std::string& b) {
              const auto ia = std::find(kOrder.begin(), kOrder.end(), a) - kOrder.begin();
              const auto ib = std::find(kOrder.begin(), kOrder.end(), b) - kOrder.begin();
              return ia < ib;
            });
            auto y = std::make_shared<std::vector<int>>(years.begin(), years.end());
            auto ind = std::make_shared<std::vector<std::string>>(indicators);
            Result r;
            r.json = [sources, y, ind](const Result&) {
              auto arr = nlohmann::json::array();
              for (const auto& s : *sources)
                arr.push_back({{"source", s.source}, {"dataset", s.dataset}, {"version", s.version},
                               {"citation", s.citation}, {"years", s.years}, {"countries", s.countries},
                               {"run_id", s.run_id ? nlohmann::json(s.run_id) : nlohmann::json(nullptr)},
                               {"built_at", s.built_at}, {"values", s.values}, {"partners", s.partners},
                               {"sectors", s.sectors}});
              return nlohmann::json{{"sources", arr}, {"years", *y}, {"indicators", *ind}};
            };
            r.csv = [sources](const Result&, std::ostream& out) {
              out << "source,dataset,version,first_year,last_year,countries,run_id\n";
              for (const auto& s : *sources)
                out << fmt::format("{},{},{},{},{},{},{}\n", csv_field(s.source), csv_field(s.dataset),
                                   csv_field(s.version), s.years.empty() ? 0 : s.years.front(),
                                   s.years.empty() ? 0 : s.years.back(), s.countries,
                                   s.run_id ? std::to_string(s.run_id) : std::string());
            };
            if (sources->empty()) r.warnings.push_back(kNoLedger);
            r.summary = {{"sources", sources->size()}};
            return r;
          }};
}

// ---- ledger export ------------------------------------------------------------------------------------------------

Capability export_capability() {
  return {"ledger export", Domain::Trade,
          "Writes the ledger held in the database as CSV files in the layout that `ledger build` reads back "
          "(sources.csv, values.csv, partners.csv with the largest --top-partners partners per country and year, "
          "sectors.csv; per-capita rows are left out: ledger build adds them). When the database holds no ledger it "
          "writes the embedded default dataset (data/ledger). scripts/make-default-ledger.sh regenerates "
          "data/ledger with it.",
          object_schema({{"out", string_schema()}, {"files", array_of(string_schema())},
                         {"from", string_schema("database or embedded default")},
                         {"sources", array_of(string_schema())}}),
          {},
          false, true,
          [](Context& ctx, const Params& p) {
            const std::filesystem::path out = ctx.output_dir();
            auto j = std::make_shared<nlohmann::json>();
            std::vector<ledger::Table> tables;
            if (ctx.has_store()) tables = ctx.store().ledger(LedgerQuery{{}, {}, {}, 0, true, true});
            std::vector<std::string> files, names;
            std::string from = "database";
            if (tables.empty()) {
              from = "embedded default";
              std::error_code ec;
              std::filesystem::create_directories(out, ec);
              for (const auto& [name, text] : ledger::embedded_default()) {
                std::ofstream f(out / name, std::ios::binary);
                f << text;
                if (!f) throw Error(ErrorCategory::Io, "cannot be written", {(out / name).string()});
                files.push_back(name);
              }
              for (const auto& t : ledger::read_export(ledger::embedded_default(), "<embedded>/ledger"))
                names.push_back(t.source);
            } else {
              files = ledger::write_export(tables, out, static_cast<size_t>(p.integer("top-partners")));
              for (const auto& t : tables) names.push_back(t.source);
            }
            *j = {{"out", out.string()}, {"files", files}, {"from", from}, {"sources", names}};
            Result r;
            r.json = [j](const Result&) { return *j; };
            r.csv = [j](const Result&, std::ostream& o) {
              o << "file,from\n";
              for (const auto& f : (*j)["files"]) o << fmt::format("{},{}\n", csv_field(f.get<std::string>()), csv_field((*j)["from"].get<std::string>()));
            };
            r.files = files;
            r.summary = {{"from", from}, {"sources", names.size()}};
            return r;
          }};
}

// ---- account ------------------------------------------------------------------------------------------------------

struct AccountRun {
  std::vector<ledger::Table> tables;
  bool details = false;
};

nlohmann::json row_schema() {
  return object_schema({{"country", string_schema("ISO 3166-1 alpha-3 (RoW: WIOD's rest of the world)")},
                        {"name", string_schema()}, {"year", integer_schema()}, {"indicator", string_schema()},
                        {"value", number_schema()}, {"unit", string_schema("Mt CO2, or t CO2/person per capita")},
                        {"lower", nullable(number_schema("2.5 %"))}, {"upper", nullable(number_schema("97.5 %"))},
                        {"source", string_schema()}, {"gwp", nullable(string_schema())}, {"dataset", string_schema()},
                        {"version", string_schema()}, {"run_id", nullable(integer_schema())},
                        {"side", string_schema("production, consumption, trade or natural")},
                        {"note", string_schema()}});
}

// The country code held that `given` names: the code (any case) or the name; NotFound with the nearest.
std::string resolve_country(const std::string& given, const std::set<std::string>& held) {
  if (held.count(given)) return given;
  for (const auto& c : held)
    if (iequals(c, given)) return c;
  for (const auto& c : held)
    if (iequals(ledger::country_name(c), given)) return c;
  std::vector<std::string> candidates;
  for (const auto& c : held) {
    candidates.push_back(c);
    candidates.push_back(ledger::country_name(c));
  }
  std::vector<std::string> near;
  for (const auto& n : nearest(given, candidates, 6)) {
    std::string code = n;
    for (const auto& c : held)
      if (ledger::country_name(c) == n) code = c;
    const std::string label = fmt::format("{} ({})", code, ledger::country_name(code));
    if (std::find(near.begin(), near.end(), label) == near.end()) near.push_back(label);
    if (near.size() == 3) break;
  }
  throw Error(ErrorCategory::NotFound,
              fmt::format("the ledger holds no country '{}'{}; give an ISO 3166-1 alpha-3 code or a name (`panocarbon "
                          "account --all` lists them)",
                          clip_input(given), near.empty() ? "" : fmt::format("; nearest: {}", fmt::join(near, ", "))),
              {{}, 0, 0, "country"});
}

Capability account_capability() {
  return {"account", Domain::Trade,
          "The panoramic ledger of a country and year (or every year held, or every country with --all): "
          "production, consumption, imports, exports, net_transfer (consumption - production), per capita, "
          "natural, one row per indicator and source (wiod2013-co2/YEAR: our MRIO accounts of WIOD; gcb2019: the "
          "Global Carbon Budget 2019; never mixed), each with its unit (Mt CO2; t CO2/person per capita), range "
          "where one was computed, and provenance (dataset, version, run id). With --country and --year the JSON "
          "also gives the trade partners (embodied exports and imports) and sectors. CSV columns: "
          "country,year,indicator,value,unit,lower,upper,source.",
          object_schema({{"rows", array_of(row_schema())},
                         {"partners", array_of(object_schema({{"country", string_schema()}, {"year", integer_schema()},
                                                              {"source", string_schema()}, {"partner", string_schema()},
                                                              {"partner_name", string_schema()},
                                                              {"exports", number_schema()}, {"imports", number_schema()},
                                                              {"unit", string_schema()}}))},
                         {"sectors", array_of(object_schema({{"country", string_schema()}, {"year", integer_schema()},
                                                             {"source", string_schema()}, {"sector", string_schema()},
                                                             {"sector_name", string_schema()},
                                                             {"production", number_schema()},
                                                             {"consumption", number_schema()},
                                                             {"unit", string_schema()}}))}},
                        {"partners", "sectors"}),
          {"--country", "CHN", "--year", "2009"},
          false, false,
          [](Context& ctx, const Params& p) {
            const bool all = p.flag("all");
            if (!all && !p.has("country"))
              throw Error(ErrorCategory::InvalidInput,
                          "give --country ISO3 (e.g. --country CHN) or --all for every country", {{}, 0, 0, "country"});
            if (all && p.has("country"))
              throw Error(ErrorCategory::InvalidInput, "give either --country or --all, not both", {{}, 0, 0, "all"});
            Store& st = ctx.store();
            const auto sources = st.ledger_sources();
            if (sources.empty()) throw Error(ErrorCategory::NotFound, kNoLedger);
            LedgerQuery q;
            if (p.has("source")) {
              q.source = p.str("source");
              bool known = false;
              std::vector<std::string> names;
              for (const auto& s : sources) {
                known = known || s.source == q.source || s.dataset == q.source;
                names.push_back(s.source);
              }
              if (!known) {
                std::set<std::string> ds;
                for (const auto& s : sources) ds.insert(s.dataset);
                names.insert(names.begin(), ds.begin(), ds.end());
                const auto near = nearest(q.source, names, 3);
                throw Error(ErrorCategory::NotFound,
                            fmt::format("the ledger holds no source '{}'{}; datasets held: {} (a dataset takes every "
                                        "year of it; `panocarbon ledger info` lists the sources)",
                                        clip_input(q.source),
                                        near.empty() ? "" : fmt::format("; nearest: {}", fmt::join(near, ", ")),
                                        fmt::join(ds, ", ")),
                            {{}, 0, 0, "source"});
              }
            }
            if (p.has("year")) {
              q.year = static_cast<int>(p.integer("year"));
              std::set<int> years;
              for (const auto& s : sources)
                if (q.source.empty() || s.source == q.source || s.dataset == q.source)
                  years.insert(s.years.begin(), s.years.end());
              if (!years.count(q.year)) {
                // ranges of consecutive years: 1959-2017
                std::vector<std::string> spans;
                for (auto it = years.begin(); it != years.end();) {
                  int a = *it, b = a;
                  while (++it != years.end() && *it == b + 1) b = *it;
                  spans.push_back(a == b ? std::to_string(a) : fmt::format("{}-{}", a, b));
                }
                throw Error(ErrorCategory::NotFound,
                            fmt::format("the ledger holds no year {}{}; years held: {}", q.year,
                                        q.source.empty() ? "" : " for source " + q.source, fmt::join(spans, ", ")),
                            {{}, 0, 0, "year"});
              }
            }
            if (p.has("country")) {
              std::set<std::string> held;
              for (const auto& t : st.ledger(LedgerQuery{{}, "production", q.source, 0, false, false}))
                for (const auto& v : t.values) held.insert(v.country);
              for (const auto& t : st.ledger(LedgerQuery{{}, "consumption", q.source, 0, false, false}))
                for (const auto& v : t.values) held.insert(v.country);
              q.country = resolve_country(p.str("country"), held);
            }
            if (p.has("indicator")) q.indicator = p.str("indicator");
            auto run = std::make_shared<AccountRun>();
            run->details = !q.country.empty() && q.year != 0;
            q.partners = q.sectors = run->details;
            run->tables = st.ledger(q);
            const bool per_capita = p.flag("per-capita");
            size_t n = 0;
            std::set<std::string> indicators;
            for (auto& t : run->tables) {
              if (per_capita)
                t.values.erase(std::remove_if(t.values.begin(), t.values.end(),
                                              [](const ledger::Value& v) {
                                                return v.indicator.find("_per_capita") == std::string::npos;
                                              }),
                               t.values.end());
              n += t.values.size();
            }
            if (n == 0 && p.has("indicator")) {
              for (const auto& t : st.ledger(LedgerQuery{q.country, {}, q.source, q.year, false, false}))
                for (const auto& v : t.values) indicators.insert(v.indicator);
              const auto near = nearest(q.indicator, {indicators.begin(), indicators.end()}, 3);
              throw Error(ErrorCategory::NotFound,
                          fmt::format("no rows of indicator '{}' for this selection; indicators held: {}",
                                      clip_input(q.indicator), fmt::join(indicators, ", ")),
                          {{}, 0, 0, "indicator"});
            }
            // Rows in country, year order; within them by source, then as stored.
            struct Ref {
              const ledger::Table* t;
              const ledger::Value* v;
            };
            auto rows = std::make_shared<std::vector<Ref>>();
            for (const auto& t : run->tables)
              for (const auto& v : t.values) rows->push_back({&t, &v});
            std::stable_sort(rows->begin(), rows->end(), [](const Ref& a, const Ref& b) {
              return a.v->country != b.v->country ? a.v->country < b.v->country : a.v->year < b.v->year;
            });
            Result r;
            r.json = [run, rows](const Result&) {
              auto arr = nlohmann::json::array();
              for (const auto& [t, v] : *rows)
                arr.push_back({{"country", v->country}, {"name", ledger::country_name(v->country)}, {"year", v->year},
                               {"indicator", v->indicator}, {"value", v->value}, {"unit", v->unit},
                               {"lower", nan_null(v->lower)}, {"upper", nan_null(v->upper)}, {"source", t->source},
                               {"gwp", text_or_null(v->gwp)}, {"dataset", t->dataset}, {"version", t->version},
                               {"run_id", t->run_id ? nlohmann::json(t->run_id) : nlohmann::json(nullptr)},
                               {"side", v->side}, {"note", v->note}});
              nlohmann::json j = {{"rows", arr}};
              if (run->details) {
                auto partners = nlohmann::json::array(), sectors = nlohmann::json::array();
                for (const auto& t : run->tables) {
                  for (const auto& pa : t.partners)
                    partners.push_back({{"country", pa.country}, {"year", pa.year}, {"source", t.source},
                                        {"partner", pa.partner}, {"partner_name", ledger::country_name(pa.partner)},
                                        {"exports", pa.exports}, {"imports", pa.imports}, {"unit", ledger::kUnit}});
                  for (const auto& s : t.sectors)
                    sectors.push_back({{"country", s.country}, {"year", s.year}, {"source", t.source},
                                       {"sector", s.sector}, {"sector_name", s.sector_name},
                                       {"production", s.production}, {"consumption", s.consumption},
                                       {"unit", ledger::kUnit}});
                }
                j["partners"] = partners;
                j["sectors"] = sectors;
              }
              return j;
            };
            r.csv = [rows](const Result&, std::ostream& out) {
              out << "country,year,indicator,value,unit,lower,upper,source\n";
              for (const auto& [t, v] : *rows)
                out << fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(v->country), v->year, csv_field(v->indicator),
                                   csv_num(v->value), csv_field(v->unit), csv_num(v->lower), csv_num(v->upper),
                                   csv_field(t->source));
            };
            if (rows->empty()) r.warnings.push_back("no ledger rows match");
            r.summary = {{"rows", rows->size()}};
            return r;
          }};
}

}  // namespace

void add_ledger_entries(std::vector<Capability>& t) {
  t.push_back(build_capability());
  t.push_back(info_capability());
  t.push_back(export_capability());
  t.push_back(account_capability());
}

}  // namespace panocarbon::registry
