// The panocarbon command line. Thin: the parser is built from the command specs of the library
// (panocarbon/options.hpp), each handler calls one library function and prints its result.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <cstdio>

#include <unistd.h>

#include "cli.hpp"
#include "panocarbon/panocarbon.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/registry.hpp"

namespace pc = panocarbon;

namespace cli {
pc::Store open_store(const pc::Params& p) {
  const auto path = p.has("db") ? std::filesystem::path(p.str("db")) : pc::Store::default_path();
  if (pc::parallel::size() == 1) return pc::Store::open(path);
  // MPI: rank 0 creates or migrates the database first; the others open it after (and log nothing).
  std::optional<pc::Store> first;
  if (pc::parallel::is_root()) first.emplace(pc::Store::open(path));
  pc::parallel::barrier();
  return first ? std::move(*first) : pc::Store::open(path);
}
bool stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }
// The store of a command; kept alive for the process (a handler's run record refers to it).
pc::Store& store_for(const pc::Params& p) {
  static std::unique_ptr<pc::Store> store;
  store = std::make_unique<pc::Store>(open_store(p));
  return *store;
}
}  // namespace cli

namespace {
using cli::Handler;
using cli::open_store;
using cli::stderr_is_terminal;
using cli::store_for;

void print_report(const pc::MrioRun& run, FILE* to) {
  const auto& rep = run.accounts.report;
  const double mb = double(run.input_bytes) / 1e6;
  fmt::print(to, "system: {} ({}), {} regions x {} sectors, run {}\n", run.system.name, run.system.format,
             run.system.n_regions(), run.system.n_sectors(), run.run_id);
  fmt::print(to, "read: {:.1f} MB in {:.2f} s ({:.0f} MB/s)\n", mb, run.read_s, run.read_s > 0 ? mb / run.read_s : 0.0);
  fmt::print(to, "solver: {} ({}); n = {}, non-zeros of A = {}\n", rep.solver, rep.why, rep.n, rep.nnz);
  fmt::print(to, "factorise {:.3f} s, solves and accounts {:.3f} s{}\n", rep.factorise_s, rep.solve_s,
             rep.iterations ? fmt::format(", {} iterations", rep.iterations) : "");
  fmt::print(to, "checks: max ||(I-A)x - y||/||y|| = {:.2e}; |sum consumption - sum production| / sum = {:.2e}{}\n",
             rep.max_residual, rep.identity_gap,
             run.system.x_given ? fmt::format("; given x vs (I-A)^-1 y: {:.2e} (relative)", rep.output_balance) : "");
  for (const auto& n : run.accounts.notes) fmt::print(to, "note: {}\n", n);
}

std::map<std::string, Handler> handlers() {
  std::map<std::string, Handler> h;
  // --- consumption side -------------------------------------------------------------------------------
  h["mrio info"] = [](const pc::Params& p) {
    const auto j = pc::mrio_info(p, stderr_is_terminal());
    if (p.str("format") == "json") {
      std::cout << j.dump(2) << '\n';
      return;
    }
    if (p.str("format") == "csv") {
      fmt::print("key,value\nname,{}\nformat,{}\nregions,{}\nsectors_per_region,{}\nsectors,{}\ncategories_per_region,{}\n"
                 "extensions,{}\n",
                 pc::csv_field(j["name"].get<std::string>()), j["format"].get<std::string>(), j["regions"].size(),
                 j["sectors"].size(), j["n"].get<size_t>(), j["final_demand_categories"].size(), j["extensions"].size());
      return;
    }
    fmt::print("{} ({})\n  source: {}\n", j["name"].get<std::string>(), j["format"].get<std::string>(),
               j["source"].get<std::string>());
    fmt::print("  {} regions x {} sectors = {} sectors; {} final-demand categories per region\n", j["regions"].size(),
               j["sectors"].size(), j["n"].get<size_t>(), j["final_demand_categories"].size());
    fmt::print("  A: {} non-zeros ({:.2f} % dense); monetary unit: {}; x {}\n", j["nonzeros_A"].get<size_t>(),
               j["density_A"].get<double>() * 100, j["monetary_unit"].get<std::string>(),
               j["x_given"].get<bool>() ? "given" : "from Z and Y, or from A on demand");
    fmt::print("  total output {}, total final demand {:.6g}\n",
               j["total_output"].is_null() ? std::string("(not given; derived when accounts are computed)")
                                           : fmt::format("{:.6g}", j["total_output"].get<double>()),
               j["total_final_demand"].get<double>());
    std::string regions;
    for (const auto& r : j["regions"]) regions += (regions.empty() ? "" : " ") + r.get<std::string>();
    fmt::print("  regions: {}\n", regions.size() > 300 ? regions.substr(0, 300) + " ..." : regions);
    for (const auto& e : j["extensions"]) {
      fmt::print("  extension {}: {} stressors{}\n", e["name"].get<std::string>(), e["stressors"].get<size_t>(),
                 e["F_Y"].get<bool>() ? " (with F_Y)" : "");
      for (const auto& st : e["first_stressors"]) fmt::print("    {}\n", st.get<std::string>());
    }
  };
  h["mrio accounts"] = [](const pc::Params& p) {
    const auto run = pc::mrio_accounts(store_for(p), p, stderr_is_terminal());
    const auto& s = run.system;
    const auto& rep = run.accounts.report;
    const std::string format = p.str("format");
    if (p.flag("verbose") || format == "table") print_report(run, format == "table" ? stdout : stderr);
    if (format == "csv") {
      const bool all = p.flag("all-columns");
      const bool per_capita = all && !s.population.empty();
      fmt::print("extension,stressor,region,production,consumption,imports,exports{}{}\n",
                 all ? ",direct_fd,income,shared,eebt_consumption,eebt_exports" : "",
                 per_capita ? ",production_per_capita,consumption_per_capita" : "");
      for (const auto& st : run.accounts.stressors)
        for (size_t r = 0; r < s.n_regions(); ++r) {
          const auto& a = st.regions[r];
          fmt::print("{},{},{},{},{},{},{}", pc::csv_field(st.extension), pc::csv_field(st.stressor),
                     pc::csv_field(s.regions[r]), a.production, a.consumption, a.imports, a.exports);
          if (all) fmt::print(",{},{},{},{},{}", a.direct_fd, a.income, a.shared, a.eebt_consumption, a.eebt_exports);
          if (per_capita)
            fmt::print(",{},{}", a.production_per_capita.value_or(NAN), a.consumption_per_capita.value_or(NAN));
          fmt::print("\n");
        }
      return;
    }
    if (format == "json") {
      nlohmann::json j;
      j["system"] = {{"name", s.name}, {"format", s.format}, {"source", s.source}, {"regions", s.regions}};
      j["report"] = {{"solver", rep.solver}, {"why", rep.why}, {"n", rep.n}, {"nnz", rep.nnz},
                     {"factorise_s", rep.factorise_s}, {"solve_s", rep.solve_s}, {"max_residual", rep.max_residual},
                     {"identity_gap", rep.identity_gap}, {"output_balance", rep.output_balance},
                     {"read_s", run.read_s}, {"compute_s", run.compute_s}};
      j["notes"] = run.accounts.notes;
      j["run_id"] = run.run_id;
      j["shared_weight"] = p.number("shared-weight");
      auto arr = nlohmann::json::array();
      for (const auto& st : run.accounts.stressors) {
        nlohmann::json sj{{"extension", st.extension}, {"stressor", st.stressor}, {"unit", st.unit}};
        auto regs = nlohmann::json::array();
        for (size_t r = 0; r < s.n_regions(); ++r) {
          const auto& a = st.regions[r];
          nlohmann::json rj{{"region", s.regions[r]}, {"production", a.production}, {"consumption", a.consumption},
                            {"imports", a.imports}, {"exports", a.exports}, {"net_transfer", a.net_transfer()},
                            {"direct_final_demand", a.direct_fd}, {"income", a.income}, {"shared", a.shared},
                            {"eebt_consumption", a.eebt_consumption}, {"eebt_exports", a.eebt_exports}};
          if (a.consumption_per_capita) {
            rj["consumption_per_capita"] = *a.consumption_per_capita;
            rj["production_per_capita"] = *a.production_per_capita;
          }
          regs.push_back(rj);
        }
        sj["regions"] = regs;
        arr.push_back(sj);
      }
      j["stressors"] = arr;
      std::cout << j.dump(2) << '\n';
      return;
    }
    for (const auto& st : run.accounts.stressors) {
      fmt::print("\n{} / {} [{}]\n", st.extension, st.stressor, st.unit);
      fmt::print("{:<10} {:>14} {:>14} {:>14} {:>14} {:>14} {:>12} {:>14} {:>14} {:>14}{}\n", "region", "production",
                 "consumption", "imports", "exports", "net_transfer", "F_Y", "income", "shared", "eebt_cons",
                 s.population.empty() ? "" : "   cons/capita");
      for (size_t r = 0; r < s.n_regions(); ++r) {
        const auto& a = st.regions[r];
        fmt::print("{:<10} {:>14.6g} {:>14.6g} {:>14.6g} {:>14.6g} {:>14.6g} {:>12.6g} {:>14.6g} {:>14.6g} {:>14.6g}{}\n",
                   s.regions[r], a.production, a.consumption, a.imports, a.exports, a.net_transfer(), a.direct_fd,
                   a.income, a.shared, a.eebt_consumption,
                   a.consumption_per_capita ? fmt::format(" {:>14.6g}", *a.consumption_per_capita) : "");
      }
    }
  };
  h["mrio flows"] = [](const pc::Params& p) {
    const auto run = pc::mrio_accounts(store_for(p), p, stderr_is_terminal(), "mrio flows");
    const auto& s = run.system;
    const bool eebt = p.str("method") == "eebt";
    const std::string format = p.str("format");
    if (format == "csv") fmt::print("extension,stressor,unit,producer,consumer,value\n");
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& st : run.accounts.stressors) {
      const auto& m = eebt ? st.eebt : st.bilateral;
      if (format == "csv") {
        for (size_t a = 0; a < s.n_regions(); ++a)
          for (size_t b = 0; b < s.n_regions(); ++b)
            fmt::print("{},{},{},{},{},{}\n", pc::csv_field(st.extension), pc::csv_field(st.stressor),
                       pc::csv_field(st.unit), pc::csv_field(s.regions[a]), pc::csv_field(s.regions[b]), m(a, b));
      } else if (format == "json") {
        nlohmann::json rows = nlohmann::json::array();
        for (size_t a = 0; a < s.n_regions(); ++a)
          rows.push_back(std::vector<double>(m.data.begin() + static_cast<std::ptrdiff_t>(a * s.n_regions()),
                                             m.data.begin() + static_cast<std::ptrdiff_t>((a + 1) * s.n_regions())));
        arr.push_back({{"extension", st.extension}, {"stressor", st.stressor}, {"unit", st.unit},
                       {"method", p.str("method")}, {"regions", s.regions}, {"matrix", rows},
                       {"note", "rows produce, columns consume; direct final-demand emissions (F_Y) are not in the matrix"}});
      } else {
        fmt::print("{} / {} [{}], {}: rows produce, columns consume (F_Y not included)\n{:<10}", st.extension,
                   st.stressor, st.unit, eebt ? "EEBT" : "MRIO", "");
        for (const auto& r : s.regions) fmt::print(" {:>12}", r);
        fmt::print("\n");
        for (size_t a = 0; a < s.n_regions(); ++a) {
          fmt::print("{:<10}", s.regions[a]);
          for (size_t b = 0; b < s.n_regions(); ++b) fmt::print(" {:>12.5g}", m(a, b));
          fmt::print("\n");
        }
      }
    }
    if (format == "json") std::cout << arr.dump(2) << '\n';
  };
  h["mrio multipliers"] = [](const pc::Params& p) {
    const auto run = pc::mrio_accounts(store_for(p), p, stderr_is_terminal(), "mrio multipliers");
    const auto& s = run.system;
    const std::string format = p.str("format");
    const size_t ns = s.n_sectors();
    if (format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& st : run.accounts.stressors)
        arr.push_back({{"extension", st.extension}, {"stressor", st.stressor},
                       {"unit", st.unit + " per " + s.monetary_unit}, {"multipliers", st.multipliers}});
      std::cout << nlohmann::json{{"regions", s.regions}, {"sectors", s.sectors}, {"stressors", arr}}.dump(2) << '\n';
      return;
    }
    if (format == "csv") fmt::print("extension,stressor,unit,region,sector,multiplier\n");
    for (const auto& st : run.accounts.stressors) {
      if (format != "csv") fmt::print("{} / {} [{} per {}]\n", st.extension, st.stressor, st.unit, s.monetary_unit);
      for (size_t k = 0; k < s.n(); ++k) {
        if (format == "csv")
          fmt::print("{},{},{},{},{},{}\n", pc::csv_field(st.extension), pc::csv_field(st.stressor),
                     pc::csv_field(st.unit + " per " + s.monetary_unit), pc::csv_field(s.regions[k / ns]),
                     pc::csv_field(s.sectors[k % ns]), st.multipliers[k]);
        else
          fmt::print("  {:<10} {:<40} {:>14.6g}\n", s.regions[k / ns], s.sectors[k % ns], st.multipliers[k]);
      }
    }
  };
  h["mrio spa"] = [](const pc::Params& p) {
    const auto run = pc::mrio_spa(store_for(p), p, stderr_is_terminal());
    const auto& s = run.system;
    const size_t ns = s.n_sectors();
    auto path_text = [&](const pc::SupplyChainPath& path) {
      std::string t;
      for (size_t i = 0; i < path.sectors.size(); ++i)
        t += (i ? " < " : "") + s.regions[path.sectors[i] / ns] + "|" + s.sectors[path.sectors[i] % ns];
      return t;
    };
    const std::string format = p.str("format");
    const auto& r = run.result;
    if (format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& path : r.paths) {
        nlohmann::json sectors = nlohmann::json::array();
        for (size_t k : path.sectors) sectors.push_back(s.regions[k / ns] + "|" + s.sectors[k % ns]);
        arr.push_back({{"value", path.value}, {"share", path.share}, {"depth", path.sectors.size() - 1}, {"path", sectors}});
      }
      std::cout << nlohmann::json{{"region", s.regions[run.region]},
                                  {"stressor", s.extensions[run.ext].stressors[run.stressor]},
                                  {"total", r.total}, {"covered", r.covered}, {"expanded", r.expanded},
                                  {"paths", arr}}.dump(2)
                << '\n';
      return;
    }
    if (format == "csv") {
      fmt::print("rank,value,share,depth,path\n");
      for (size_t i = 0; i < r.paths.size(); ++i)
        fmt::print("{},{},{},{},{}\n", i + 1, r.paths[i].value, r.paths[i].share, r.paths[i].sectors.size() - 1,
                   pc::csv_field(path_text(r.paths[i])));
      return;
    }
    fmt::print("structural paths of {}'s consumption-based {} (total {:.6g}, without F_Y); paths read final-demand "
               "sector < its supplier < ...\n",
               s.regions[run.region], s.extensions[run.ext].stressors[run.stressor], r.total);
    for (size_t i = 0; i < r.paths.size(); ++i)
      fmt::print("{:>4} {:>14.6g} {:>7.3f} %  {}\n", i + 1, r.paths[i].value, r.paths[i].share * 100,
                 path_text(r.paths[i]));
    fmt::print("{} paths cover {:.2f} % of the total; {} tree nodes visited\n", r.paths.size(), r.covered * 100, r.expanded);
  };
  h["mrio aggregate"] = [](const pc::Params& p) {
    const auto j = pc::mrio_aggregate(store_for(p), p, stderr_is_terminal());
    fmt::print("wrote {}: {} regions x {} sectors (from {} x {}); totals of Z, Y, x, F and F_Y preserved\n",
               j["out"].get<std::string>(), j["regions"].get<size_t>(), j["sectors"].get<size_t>(),
               j["from_regions"].get<size_t>(), j["from_sectors"].get<size_t>());
  };
  h["mrio stored"] = [](const pc::Params& p) {
    pc::Store store = open_store(p);
    const auto rows = store.mrio_accounts(p.has("system") ? p.str("system") : "", p.has("region") ? p.str("region") : "",
                                          p.has("stressor") ? p.str("stressor") : "",
                                          p.has("year") ? static_cast<int>(p.integer("year")) : 0);
    const std::string format = p.str("format");
    if (format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& a : rows)
        arr.push_back({{"system", a.system}, {"year", a.year}, {"run_id", a.run_id}, {"extension", a.extension}, {"stressor", a.stressor},
                       {"unit", a.unit}, {"region", a.region}, {"production", a.production},
                       {"consumption", a.consumption}, {"imports", a.imports}, {"exports", a.exports},
                       {"direct_final_demand", a.direct_fd}, {"income", a.income}, {"shared", a.shared},
                       {"eebt_consumption", a.eebt_consumption}});
      std::cout << arr.dump(2) << '\n';
      return;
    }
    fmt::print("system,year,run_id,extension,stressor,unit,region,production,consumption,imports,exports\n");
    for (const auto& a : rows)
      fmt::print("{},{},{},{},{},{},{},{},{},{},{}\n", pc::csv_field(a.system), a.year ? std::to_string(a.year) : "",
                 a.run_id, pc::csv_field(a.extension),
                 pc::csv_field(a.stressor), pc::csv_field(a.unit), pc::csv_field(a.region), a.production,
                 a.consumption, a.imports, a.exports);
    if (rows.empty()) fmt::print(stderr, "no stored accounts match; run `panocarbon mrio accounts PATH` first\n");
  };
  cli::add_lca_handlers(h);
  cli::add_natural_handlers(h);
  cli::add_natural_fire_handlers(h);
  cli::add_natural_account_handlers(h);
  return h;
}

}  // namespace

namespace {
// The words a user may type first: groups ("inventory") and top-level commands ("demo").
std::vector<std::string> first_words() {
  std::vector<std::string> w;
  for (const auto& spec : pc::command_specs()) {
    const std::string g = spec.name.substr(0, spec.name.find(' '));
    if (std::find(w.begin(), w.end(), g) == w.end()) w.push_back(g);
  }
  return w;
}

// A misspelled command or option gets its name and the nearest ones, before CLI11's generic messages.
// Returns an exit code, or -1 when the words are known.
int check_words(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0].rfind("-", 0) == 0) return -1;
  const auto words = first_words();
  auto fail = [](const std::string& what, const std::string& word, const std::vector<std::string>& near,
                 const std::string& help) {
    fmt::print(stderr, "panocarbon: unknown {} '{}'{}; see `{}`\n", what, word,
               near.empty() ? std::string() : fmt::format("; did you mean {}?", fmt::join(near, ", ")), help);
    return 2;
  };
  if (std::find(words.begin(), words.end(), args[0]) == words.end())
    return fail("command", args[0], pc::nearest(args[0], words), "panocarbon --help");
  // the leaf command: "group leaf" or the top-level word
  const pc::CommandSpec* spec = nullptr;
  std::vector<std::string> leaves;
  for (const auto& s : pc::command_specs()) {
    if (s.name == args[0]) spec = &s;
    if (s.name.rfind(args[0] + " ", 0) == 0) leaves.push_back(s.name.substr(args[0].size() + 1));
  }
  size_t next = 1;
  if (!spec) {
    if (args.size() < 2 || args[1].rfind("-", 0) == 0) return -1;  // CLI11 asks for the subcommand
    for (const auto& s : pc::command_specs())
      if (s.name == args[0] + " " + args[1]) spec = &s;
    if (!spec) {
      std::vector<std::string> near;
      for (const auto& n : pc::nearest(args[1], leaves)) near.push_back(args[0] + " " + n);
      return fail("command", args[0] + " " + args[1], near, "panocarbon " + args[0] + " --help");
    }
    next = 2;
  }
  std::vector<std::string> names = {"--help", "-h"};
  for (const auto& o : spec->options) {
    if (o.positional) continue;
    names.push_back("--" + o.name);
    for (const auto& a : o.aliases) names.push_back("--" + a);
  }
  for (size_t i = next; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i].rfind("--", 0) != 0) continue;
    const std::string name = args[i].substr(0, args[i].find('='));
    if (std::find(names.begin(), names.end(), name) == names.end())
      return fail("option", name + "' for '" + spec->name, pc::nearest(name, names),
                  "panocarbon " + spec->name + " --help");
  }
  return -1;
}

std::string read_input(const std::string& path) {
  if (path != "-") return pc::read_file(path);
  return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
}

// Runs a registry capability: front-end options go to the Context, the model options to Params.
int run_registered(const pc::Capability& c, const std::map<std::string, std::vector<std::string>>& given) {
  std::map<std::string, std::vector<std::string>> model;
  std::map<std::string, std::string> fe;
  for (const auto& [k, v] : given) {
    const auto* o = c.spec().find(k);
    if (o && o->frontend) fe[k] = v.empty() ? "" : v.back();
    else if (!o && (k == "out" || k == "format" || k == "db" || k == "verbose")) fe[k] = v.empty() ? "" : v.back();
    else model[k] = v;
  }
  const std::string format = fe.count("format") ? fe["format"] : "table";
  if (format == "xlsx" && isatty(fileno(stdout)))
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    "--format xlsx writes a binary workbook to standard output: redirect it to a file "
                    "(panocarbon ... --format xlsx > result.xlsx)",
                    pc::ErrorContext{{}, 0, 0, "format"});
  auto flag = [&](const char* k) { return fe.count(k) && (fe[k] == "true" || fe[k].empty() || fe[k] == "1"); };
  const pc::Params params = pc::Params::from_text(c.spec(), model);
  pc::Context ctx;
  ctx.read_input = [](const std::string&, const std::string& value) { return read_input(value); };
  ctx.locate_input = [](const std::string&, const std::string& value) { return std::filesystem::path(value); };
  if (fe.count("out")) {
    const std::filesystem::path out = fe["out"];
    ctx.output_dir = [out] { return out; };
  } else {
    ctx.output_dir = [name = c.name]() -> std::filesystem::path {
      throw pc::Error(pc::ErrorCategory::InvalidInput, fmt::format("'{}' writes files: give --out FOLDER", name),
                      pc::ErrorContext{{}, 0, 0, "out"});
    };
  }
  ctx.store_location = fe.count("db") ? std::filesystem::path(fe["db"]) : pc::Store::default_path();
  pc::Params db_params = pc::Params::from_text(pc::command_spec("db init"), fe.count("db")
                                                                            ? std::map<std::string, std::vector<std::string>>{{"db", {fe["db"]}}}
                                                                            : std::map<std::string, std::vector<std::string>>{});
  ctx.open_store = [db_params, opened = static_cast<pc::Store*>(nullptr)]() mutable -> pc::Store& {
    if (!opened) opened = &cli::store_for(db_params);  // opened once, kept for the process
    return *opened;
  };
  ctx.progress = fe.count("progress") ? flag("progress") : stderr_is_terminal();
  ctx.verbose = flag("verbose");
  ctx.no_store = flag("no-store");
  const pc::Result r = pc::run_capability(c, ctx, params);
  if (pc::parallel::is_root()) {
    for (const auto& w : r.warnings) fmt::print(stderr, "warning: {}\n", w);
    if (!r.diagnostics.empty() && ctx.verbose && !(format == "table" && r.diagnostics_in_table))
      fmt::print(stderr, "{}", r.diagnostics);
  }
  pc::render(c, r, format, std::cout);
  return 0;
}

int run_cli(int argc, char** argv) {
  if (const int rc = check_words(argc, argv); rc >= 0) return rc;
  CLI::App app{"panocarbon: panoramic carbon accounting (IPCC inventories, MRIO, LCA and product carbon footprints, "
               "natural sources and sinks, uncertainty)",
               "panocarbon"};
  app.set_version_flag("--version", std::string("panocarbon ") + pc::version());
  app.require_subcommand(1);
  app.footer("Every command takes --format table|csv|json|xlsx and --db FILE. `panocarbon capabilities` lists them "
             "all; docs/cli-reference.md describes each.");
  const auto hs = handlers();
  // Per leaf command: the raw values CLI11 collected, by option name.
  struct Leaf {
    const pc::CommandSpec* spec;
    CLI::App* app;
    std::map<std::string, std::string> single;
    std::map<std::string, bool> flags;
    std::map<std::string, std::vector<std::string>> multi;
  };
  std::vector<std::unique_ptr<Leaf>> leaves;
  std::map<std::string, CLI::App*> groups;
  for (const auto& spec : pc::command_specs()) {
    const auto space = spec.name.find(' ');
    CLI::App* parent = &app;
    std::string leaf_name = spec.name;
    if (space != std::string::npos) {
      const std::string group = spec.name.substr(0, space);
      leaf_name = spec.name.substr(space + 1);
      auto& g = groups[group];
      if (!g) {
        g = app.add_subcommand(group, pc::group_summary(group));
        g->require_subcommand(1);
      }
      parent = g;
    }
    auto leaf = std::make_unique<Leaf>();
    leaf->spec = &spec;
    leaf->app = parent->add_subcommand(leaf_name, spec.summary);
    for (const auto& o : spec.options) {
      std::string desc = o.description;
      if (o.default_value && !o.default_value->empty()) desc += fmt::format(" [default: {}]", *o.default_value);
      std::string names = "--" + o.name;
      for (const auto& a : o.aliases) names += ",--" + a;
      if (o.type == pc::OptionType::Bool) {
        leaf->app->add_flag(names, leaf->flags[o.name], desc);
        continue;
      }
      CLI::Option* opt = o.positional ? leaf->app->add_option(o.name, leaf->single[o.name], desc)->required(o.required)
                         : o.multiple ? leaf->app->add_option(names, leaf->multi[o.name], desc)
                                      : leaf->app->add_option(names, leaf->single[o.name], desc);
      switch (o.type) {
        case pc::OptionType::Path: opt->type_name("PATH"); break;
        case pc::OptionType::Int: opt->type_name("INT"); break;
        case pc::OptionType::Double: opt->type_name("NUMBER"); break;
        case pc::OptionType::Choice: opt->type_name("{" + fmt::format("{}", fmt::join(o.choices, ",")) + "}"); break;
        default: opt->type_name("TEXT"); break;
      }
    }
    leaves.push_back(std::move(leaf));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is an input error (exit 2), like pc::Error.
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  for (const auto& leaf : leaves) {
    if (!leaf->app->parsed()) continue;
    try {
      std::map<std::string, std::vector<std::string>> given;
      for (const auto& o : leaf->spec->options) {
        const auto* opt = leaf->app->get_option_no_throw(o.positional ? o.name : "--" + o.name);
        if (!opt || opt->count() == 0) continue;
        if (o.type == pc::OptionType::Bool)
          given[o.name] = {leaf->flags[o.name] ? "true" : "false"};
        else if (o.multiple)
          given[o.name] = leaf->multi[o.name];
        else
          given[o.name] = {leaf->single[o.name]};
      }
      for (const auto& c : pc::capabilities())
        if (c.name == leaf->spec->name) return run_registered(c, given);
      // Not yet in the registry: the command's old handler, with the front-end options' defaults.
      for (const auto& o : leaf->spec->options)
        if (o.frontend && o.default_value && !given.count(o.name)) given[o.name] = {*o.default_value};
      const pc::Params params = pc::Params::from_text(*leaf->spec, given);
      hs.at(leaf->spec->name)(params);
      return 0;
    } catch (const pc::Error& e) {
      std::cout.flush();
      if (pc::parallel::is_root()) fmt::print(stderr, "panocarbon: {}\n", e.what());
      return e.exit_code();
    } catch (const std::exception& e) {
      std::cout.flush();
      fmt::print(stderr, "panocarbon: internal error: {} (please report this)\n", e.what());
      return 70;
    }
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // Under mpirun every rank runs the same command on its share of the draws; only rank 0 writes output.
  pc::parallel::init(&argc, &argv);
  if (!pc::parallel::is_root() && !std::freopen("/dev/null", "w", stdout)) return 6;
  const int rc = run_cli(argc, argv);
  std::cout.flush();
  std::fflush(stdout);
  // A rank that failed may leave the others waiting in a collective: stop them all.
  if (rc != 0 && pc::parallel::size() > 1) pc::parallel::abort_all(rc);
  pc::parallel::finalize();
  return rc;
}
