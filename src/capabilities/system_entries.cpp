// Registry entries of the system and the reference data: `db init|info|repair`, `factors list|search|show`,
// `gwp list`, `schema`, `capabilities`, `completion`, `man`.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ostream>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/store.hpp"
#include "capabilities/entries.hpp"
#include "core/text.hpp"

namespace panocarbon::registry {

namespace {
// `db info` and `db repair` read a database that is there; they never create one.
void require_existing_database(const Context& ctx) {
  const auto where = ctx.store_location.empty() ? Store::default_path() : ctx.store_location;
  std::error_code ec;
  if (!std::filesystem::exists(where, ec))
    throw Error(ErrorCategory::NotFound,
                fmt::format("no database at {}; create one with: panocarbon db init --db {}", where.string(),
                            where.string()),
                ErrorContext{where.string(), 0, 0, "db"});
}

std::string num(double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); }

nlohmann::json factor_json(const EmissionFactor& f) {
  nlohmann::json j = {{"id", f.id}, {"edition", f.edition}, {"category", f.category}, {"activity", f.activity},
                      {"technology", f.technology}, {"gas", f.gas}, {"value", f.value}, {"unit", f.unit},
                      {"geography", f.geography}, {"citation", f.citation.text()}, {"note", f.note}};
  j["lower"] = std::isnan(f.lower) ? nlohmann::json() : nlohmann::json(f.lower);
  j["upper"] = std::isnan(f.upper) ? nlohmann::json() : nlohmann::json(f.upper);
  return j;
}

nlohmann::json factor_schema() {
  return object_schema({{"id", string_schema()}, {"edition", integer_schema()}, {"category", string_schema()},
                        {"activity", string_schema()}, {"technology", string_schema()}, {"gas", string_schema()},
                        {"value", number_schema()}, {"unit", string_schema("unit of value (e.g. kg/TJ)")},
                        {"geography", string_schema()}, {"citation", string_schema()}, {"note", string_schema()},
                        {"lower", nullable(number_schema())}, {"upper", nullable(number_schema())}});
}

void factors_csv(const std::vector<const EmissionFactor*>& fs, std::ostream& out) {
  out << "id,edition,category,activity,technology,gas,value,unit,lower,upper,table\n";
  for (const auto* f : fs)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(f->id), f->edition, f->category,
                       csv_field(f->activity), csv_field(f->technology), f->gas, f->value, csv_field(f->unit),
                       num(f->lower), num(f->upper), csv_field(f->citation.table));
}

Result factors_result(std::shared_ptr<FactorLibrary> lib, std::vector<const EmissionFactor*> fs) {
  Result r;
  r.summary = {{"factors", fs.size()}};
  r.json = [lib, fs](const Result&) {
    auto a = nlohmann::json::array();
    for (const auto* f : fs) a.push_back(factor_json(*f));
    return a;
  };
  r.csv = [lib, fs](const Result&, std::ostream& out) { factors_csv(fs, out); };
  r.table = [lib, fs](const Result&, std::ostream& out) {
    out << fmt::format("{:<52} {:<8} {:<26} {:<6} {:>12} {:<7} {:>12} {:>12}\n", "id", "category", "activity", "gas",
                       "value", "unit", "lower", "upper");
    for (const auto* f : fs) {
      std::string act = f->activity + (f->technology.empty() ? "" : " [" + f->technology + "]");
      if (act.size() > 26) act = act.substr(0, 23) + "...";
      out << fmt::format("{:<52} {:<8} {:<26} {:<6} {:>12} {:<7} {:>12} {:>12}\n", f->id, f->category, act, f->gas,
                         num(f->value), f->unit, num(f->lower), num(f->upper));
    }
    out << fmt::format("{} factors\n", fs.size());
  };
  return r;
}

std::shared_ptr<FactorLibrary> library_of(Context& ctx) {
  return std::make_shared<FactorLibrary>(ctx.has_store() ? ctx.store().load_factor_library() : FactorLibrary::builtin());
}

Result text_result(std::string text, const char* key) {
  Result r;
  r.json = [text, key](const Result&) { return nlohmann::json{{key, text}}; };
  r.csv = [text, key](const Result&, std::ostream& out) { out << "key,value\n" << key << ',' << csv_field(text) << '\n'; };
  r.table = [text](const Result&, std::ostream& out) { out << text; };
  return r;
}

nlohmann::json db_info_json(Store& s) {
  auto info = s.info();
  auto runs = nlohmann::json::array();
  for (const auto& rr : s.recent_runs(10)) {
    nlohmann::json run = {{"id", rr.id}, {"command", rr.command}, {"started_at", rr.started_at},
                          {"status", rr.status}, {"inputs", rr.inputs}, {"summary", rr.summary}};
    if (rr.pid) run["process"] = {{"pid", rr.pid}, {"host", rr.host}};
    runs.push_back(std::move(run));
  }
  info["recent_runs"] = runs;
  return info;
}

// What `db info` and `db repair` print about runs left `running` by a process that is gone.
std::string abandoned_note(const nlohmann::json& j) {
  const auto n = j.value("abandoned_runs", 0LL);
  if (n == 0) return {};
  return fmt::format("{} run{} abandoned (left running by a process that is gone: killed or crashed); mark {} "
                     "failed with: panocarbon db repair --db {}\n",
                     n, n == 1 ? "" : "s", n == 1 ? "it" : "them", j.value("path", ""));
}
}  // namespace

void add_system_entries(std::vector<Capability>& t) {
  t.push_back({"db init", Domain::System,
               "Creates the SQLite database (or migrates it to the current schema) and loads the project's factor "
               "library, fuels, IPCC categories and GWP values into it.",
               object_schema({{"path", string_schema()}, {"schema_version", integer_schema()},
                              {"counts", {{"type", "object"}}}}),
               {}, false, false, [](Context& ctx, const Params&) {
                 Store& s = ctx.store();
                 const auto info = s.info();
                 const nlohmann::json j = {{"path", s.path().string()}, {"schema_version", s.schema_version()},
                                           {"counts", info["counts"]}};
                 Result r;
                 r.json = [j](const Result&) { return j; };
                 r.table = [j](const Result&, std::ostream& out) {
                   const auto& c = j["counts"];
                   out << fmt::format(
                       "database {} ready: schema version {}, {} emission factors, {} fuels, {} categories, {} GWP "
                       "values\n",
                       j["path"].get<std::string>(), j["schema_version"].get<int>(),
                       c["emission_factors"].get<long long>(), c["fuels"].get<long long>(),
                       c["categories"].get<long long>(), c["gwp_values"].get<long long>());
                 };
                 return r;
               }});
  t.push_back({"db info", Domain::System,
               "Describes the database: its path, schema version, stored datasets, counts and the ten most recent "
               "runs of the run log with their inputs and summaries. A run left running by a process that is gone "
               "(killed, crashed) shows as abandoned; `db repair` marks it failed. Does not create a database that is "
               "not there.",
               object_schema({{"path", string_schema()}, {"schema_version", integer_schema()},
                              {"counts", {{"type", "object"}}}, {"recent_runs", array_of({{"type", "object"}})}},
                             {"path", "schema_version"}),
               {}, false, false, [](Context& ctx, const Params&) {
                 require_existing_database(ctx);
                 const nlohmann::json j = db_info_json(ctx.store());
                 Result r;
                 r.json = [j](const Result&) { return j; };
                 r.csv = [j](const Result&, std::ostream& out) {
                   out << "key,value\n";
                   out << "path," << csv_field(j.value("path", "")) << '\n';
                   out << "schema_version," << j.value("schema_version", 0) << '\n';
                   if (j.contains("counts"))
                     for (const auto& [k, v] : j["counts"].items()) out << "count." << k << ',' << v.dump() << '\n';
                   if (j.contains("runs_by_status"))
                     for (const auto& [k, v] : j["runs_by_status"].items()) out << "runs." << k << ',' << v.dump() << '\n';
                 };
                 r.table = [j](const Result&, std::ostream& out) {
                   out << fmt::format("database {}\nschema version {}\n", j.value("path", ""), j.value("schema_version", 0));
                   if (j.contains("read_only")) out << fmt::format("read-only: {}\n", j["read_only"].get<std::string>());
                   if (j.contains("counts"))
                     for (const auto& [k, v] : j["counts"].items()) out << fmt::format("  {:<28} {:>12}\n", k, v.dump());
                   if (j.contains("runs_by_status"))
                     for (const auto& [k, v] : j["runs_by_status"].items())
                       out << fmt::format("  {:<28} {:>12}\n", "runs " + k, v.dump());
                   out << abandoned_note(j);
                   if (j.contains("recent_runs") && !j["recent_runs"].empty()) {
                     out << "recent runs:\n";
                     for (const auto& rr : j["recent_runs"])
                       out << fmt::format("  {:>6}  {:<22} {:<8} {}\n", rr["id"].get<long long>(),
                                          rr["command"].get<std::string>(), rr["status"].get<std::string>(),
                                          rr["started_at"].get<std::string>());
                   }
                 };
                 return r;
               }});
  t.push_back({"db repair", Domain::System,
               "Checks the database and repairs what a killed or crashed process can leave behind: runs whose "
               "process is gone (killed, crashed; on this host, or from an older panocarbon that recorded no "
               "process) are marked failed, and SQLite's integrity check runs over every table (a damaged file is an "
               "error that says how to recover it). Opening the database already brings a schema left between "
               "versions to the current one. Does not create a database that is not there.",
               object_schema({{"path", string_schema()}, {"schema_version", integer_schema()},
                              {"integrity_check", string_schema()},
                              {"runs_marked_failed", array_of(integer_schema())}}),
               {}, false, false, [](Context& ctx, const Params&) {
                 require_existing_database(ctx);
                 const nlohmann::json j = ctx.store().repair();
                 Result r;
                 r.json = [j](const Result&) { return j; };
                 r.table = [j](const Result&, std::ostream& out) {
                   const auto& marked = j["runs_marked_failed"];
                   out << fmt::format("database {}: schema version {}, integrity check {}\n", j["path"].get<std::string>(),
                                      j["schema_version"].get<int>(), j["integrity_check"].get<std::string>());
                   if (marked.empty())
                     out << "no abandoned runs\n";
                   else
                     out << fmt::format("marked {} abandoned run{} failed: {}\n", marked.size(),
                                        marked.size() == 1 ? "" : "s", marked.dump());
                 };
                 return r;
               }});
  t.push_back({"factors list", Domain::Reference,
               "Lists emission factors of the library (IPCC 2006 Guidelines and 2019 Refinement defaults, each "
               "citing volume, chapter and table), filtered by activity (fuel or product), gas, IPCC category and "
               "edition. Values in their own units (kg/TJ for fuels, t/t for products) with 95 % bounds.",
               array_of(factor_schema()), {"--activity", "diesel", "--gas", "CO2"}, false, false,
               [](Context& ctx, const Params& p) {
                 auto lib = library_of(ctx);
                 return factors_result(lib, factors_list(*lib, p));
               }});
  t.push_back({"factors search", Domain::Reference,
               "Full-text search over the factor library, fuels and IPCC categories; gives ids for `factors show`. "
               "The query is a few words: at most 20 words and 500 bytes.",
               array_of(object_schema({{"kind", string_schema()}, {"id", string_schema()}, {"title", string_schema()},
                                       {"rank", number_schema()}})),
               {"diesel trucks"}, false, false, [](Context& ctx, const Params& p) {
                 check_search_query(p.str("query"), "query");
                 const auto hits = ctx.store().search(p.str("query"), static_cast<int>(p.integer("limit")));
                 const std::string query = p.str("query");
                 Result r;
                 r.summary = {{"hits", hits.size()}};
                 r.json = [hits](const Result&) {
                   auto a = nlohmann::json::array();
                   for (const auto& x : hits) a.push_back({{"kind", x.kind}, {"id", x.id}, {"title", x.title}, {"rank", x.rank}});
                   return a;
                 };
                 r.csv = [hits](const Result&, std::ostream& out) {
                   out << "kind,id,title\n";
                   for (const auto& x : hits) out << fmt::format("{},{},{}\n", x.kind, csv_field(x.id), csv_field(x.title));
                 };
                 r.table = [hits, query](const Result&, std::ostream& out) {
                   for (const auto& x : hits) out << fmt::format("{:<9} {:<52} {}\n", x.kind, x.id, x.title);
                   out << fmt::format("{} results for \"{}\"\n", hits.size(), query);
                 };
                 return r;
               }});
  t.push_back({"factors show", Domain::Reference,
               "One emission factor (by id) or fuel (by name or alias) with its value, unit, 95 % range, the "
               "category it applies to, edition, geography and full citation; a fuel gives its net calorific "
               "value (TJ/Gg) and carbon content (kg C/GJ) with ranges.",
               {{"type", "object"}}, {"ipcc2006.v2c1.t1_4.natural_gas.co2"}, false, false,
               [](Context& ctx, const Params& p) {
                 auto lib = library_of(ctx);
                 const std::string id = p.str("id");
                 if (const auto* f = lib->find_factor(id)) {
                   Result r = factors_result(lib, {f});
                   r.json = [lib, f](const Result&) { return factor_json(*f); };
                   r.table = [lib, f](const Result&, std::ostream& out) {
                     out << fmt::format("id          {}\nvalue       {} {}\n", f->id, f->value, f->unit);
                     if (!std::isnan(f->lower)) out << fmt::format("range       {} .. {} {}\n", f->lower, f->upper, f->unit);
                     out << fmt::format(
                         "gas         {}\nactivity    {}{}\ncategory    {} and below\nedition     {}\ngeography   {}\n"
                         "source      {}\n",
                         f->gas, f->activity, f->technology.empty() ? "" : " (" + f->technology + ")", f->category,
                         f->edition, f->geography, f->citation.text());
                     if (!f->note.empty()) out << fmt::format("note        {}\n", f->note);
                   };
                   return r;
                 }
                 if (const auto* fu = lib->find_fuel(id)) {
                   const nlohmann::json j = {{"fuel", fu->name}, {"id", fu->id}, {"aliases", fu->aliases}, {"group", fu->group},
                                             {"biomass", fu->biomass}, {"ncv_tj_per_gg", fu->ncv_tj_per_gg},
                                             {"ncv_range", {fu->ncv_lower, fu->ncv_upper}},
                                             {"carbon_kg_per_gj", fu->carbon_kg_per_gj},
                                             {"carbon_range", {fu->carbon_lower, fu->carbon_upper}},
                                             {"citation", fu->citation.text()}};
                   Result r;
                   r.json = [j](const Result&) { return j; };
                   r.csv = [lib, fu](const Result&, std::ostream& out) {
                     out << "fuel,id,group,biomass,ncv_tj_per_gg,ncv_lower,ncv_upper,carbon_kg_per_gj,carbon_lower,"
                            "carbon_upper\n";
                     out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(fu->name), fu->id, fu->group,
                                        fu->biomass ? 1 : 0, num(fu->ncv_tj_per_gg), num(fu->ncv_lower),
                                        num(fu->ncv_upper), num(fu->carbon_kg_per_gj), num(fu->carbon_lower),
                                        num(fu->carbon_upper));
                   };
                   r.table = [lib, fu](const Result&, std::ostream& out) {
                     out << fmt::format("fuel        {} ({})\ngroup       {}{}\n", fu->name, fu->id, fu->group,
                                        fu->biomass ? " (biomass)" : "");
                     out << fmt::format("NCV         {} TJ/Gg ({} .. {})\ncarbon      {} kg C/GJ ({} .. {})\nsource      {}\n",
                                        num(fu->ncv_tj_per_gg), num(fu->ncv_lower), num(fu->ncv_upper),
                                        num(fu->carbon_kg_per_gj), num(fu->carbon_lower), num(fu->carbon_upper),
                                        fu->citation.text());
                   };
                   return r;
                 }
                 throw Error(ErrorCategory::NotFound,
                             fmt::format("no factor or fuel '{}'; find ids with: panocarbon factors search WORDS", id),
                             ErrorContext{{}, 0, 0, "id"});
               }});
  t.push_back({"gwp list", Domain::Reference,
               "The GWP100 values of one IPCC assessment (AR4, AR5 or AR6; AR6 separates fossil and non-fossil "
               "CH4), in kg CO2e per kg of gas.",
               object_schema({{"set", string_schema()}, {"document", string_schema()}, {"unit", string_schema()},
                              {"gwp100", {{"type", "object"}, {"additionalProperties", number_schema()}}}}),
               {"--gwp", "AR5"}, false, false, [](Context&, const Params& p) {
                 const auto& set = GwpTable::builtin().set(p.str("gwp"));
                 auto v = std::make_shared<std::vector<std::pair<std::string, double>>>(set.gwp100.begin(), set.gwp100.end());
                 std::sort(v->begin(), v->end());
                 const std::string name = set.name, doc = set.document;
                 const nlohmann::json j = {{"set", set.name}, {"document", set.document}, {"unit", "kg CO2e/kg"}, {"gwp100", set.gwp100}};
                 Result r;
                 r.json = [j](const Result&) { return j; };
                 r.csv = [v, name](const Result&, std::ostream& out) {
                   out << "set,gas,gwp100,unit\n";
                   for (const auto& [g, x] : *v) out << fmt::format("{},{},{},kg CO2e/kg\n", name, csv_field(g), x);
                 };
                 r.table = [v, name, doc](const Result&, std::ostream& out) {
                   out << fmt::format("{:<16} {:>10}\n", "gas", "GWP100");
                   for (const auto& [g, x] : *v) out << fmt::format("{:<16} {:>10}\n", g, x);
                   out << fmt::format("GWP100 in kg CO2e/kg, {} ({})\n", name, doc);
                 };
                 return r;
               }});
  t.push_back({"schema", Domain::System, "The JSON Schema of every command's input (for the API, MCP and bindings).",
               array_of({{"type", "object"}}), {}, false, false, [](Context&, const Params&) {
                 Result r;
                 r.json = [](const Result&) {
                   auto a = nlohmann::json::array();
                   for (const auto& s : command_specs()) a.push_back(to_json_schema(s));
                   return a;
                 };
                 r.table = [](const Result& res, std::ostream& out) { out << res.json(res).dump(2) << '\n'; };
                 r.csv = [](const Result&, std::ostream& out) {
                   out << "command,option,type,required,default\n";
                   for (const auto& s : command_specs()) {
                     const nlohmann::json schema = to_json_schema(s);
                     const auto required = schema["required"].get<std::vector<std::string>>();
                     for (const auto& [k, v] : schema["properties"].items())
                       out << fmt::format("{},{},{},{},{}\n", csv_field(s.name), k, v.value("type", ""),
                                          std::count(required.begin(), required.end(), k) > 0,
                                          v.contains("default") ? csv_field(v["default"].dump()) : "");
                   }
                 };
                 return r;
               }});
  t.push_back({"capabilities", Domain::System,
               "The registry of capabilities: every command with its domain (agent), description, input schema, "
               "result schema and example. With --markdown: the command reference (docs/cli-reference.md).",
               array_of(object_schema({{"name", string_schema()}, {"tool", string_schema()}, {"domain", string_schema()},
                                       {"summary", string_schema()}, {"description", string_schema()},
                                       {"input_schema", {{"type", "object"}}}, {"result_schema", {{"type", "object"}}},
                                       {"example", array_of(string_schema())}, {"logs_run", {{"type", "boolean"}}},
                                       {"writes_files", {{"type", "boolean"}}},
                                       {"frontend_options", array_of(string_schema())}})),
               {}, false, false, [](Context&, const Params& p) {
                 const bool md = p.flag("markdown");
                 Result r;
                 r.json = [](const Result&) { return describe_capabilities(); };
                 r.csv = [](const Result&, std::ostream& out) {
                   out << "name,domain,summary\n";
                   for (const auto& c : capabilities())
                     out << fmt::format("{},{},{}\n", csv_field(c.name), to_string(c.domain), csv_field(c.spec().summary));
                 };
                 r.table = [md](const Result&, std::ostream& out) {
                   if (md) {
                     out << cli_reference_markdown();
                     return;
                   }
                   for (const auto& c : capabilities())
                     out << fmt::format("{:<22} {:<12} {}\n", c.name, to_string(c.domain), c.spec().summary);
                 };
                 return r;
               }});
  t.push_back({"completion", Domain::System, "A bash or zsh completion script generated from the registry.",
               object_schema({{"script", string_schema()}}), {"bash"}, false, false,
               [](Context&, const Params& p) { return text_result(completion_script(p.str("shell")), "script"); }});
  t.push_back({"man", Domain::System, "The manual page panocarbon(1) in roff, generated from the registry.",
               object_schema({{"man", string_schema()}}), {}, false, false,
               [](Context&, const Params&) { return text_result(man_page(), "man"); }});
}

}  // namespace panocarbon::registry
