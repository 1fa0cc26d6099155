// The panocarbon command line. Thin: the parser is built from the command specs of the library
// (panocarbon/options.hpp), each handler calls one library function and prints its result.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>
#include <functional>
#include <iostream>
#include <map>

#include "panocarbon/panocarbon.hpp"

namespace pc = panocarbon;

namespace {

using Handler = std::function<void(const pc::Params&)>;

pc::Store open_store(const pc::Params& p) {
  return pc::Store::open(p.has("db") ? std::filesystem::path(p.str("db")) : pc::Store::default_path());
}

void print_factors(const std::vector<const pc::EmissionFactor*>& fs, const std::string& format) {
  if (format == "json") {
    auto a = nlohmann::json::array();
    for (const auto* f : fs) {
      nlohmann::json j = {{"id", f->id}, {"edition", f->edition}, {"category", f->category}, {"activity", f->activity},
                          {"technology", f->technology}, {"gas", f->gas}, {"value", f->value}, {"unit", f->unit},
                          {"citation", f->citation.text()}, {"note", f->note}};
      if (!std::isnan(f->lower)) j["lower"] = f->lower;
      if (!std::isnan(f->upper)) j["upper"] = f->upper;
      a.push_back(j);
    }
    std::cout << a.dump(2) << '\n';
    return;
  }
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); };
  if (format == "csv") {
    std::cout << "id,edition,category,activity,technology,gas,value,unit,lower,upper,table\n";
    for (const auto* f : fs)
      fmt::print("{},{},{},{},{},{},{},{},{},{},{}\n", pc::csv_field(f->id), f->edition, f->category,
                 pc::csv_field(f->activity), pc::csv_field(f->technology), f->gas, f->value, pc::csv_field(f->unit),
                 num(f->lower), num(f->upper), pc::csv_field(f->citation.table));
    return;
  }
  fmt::print("{:<52} {:<8} {:<26} {:<6} {:>12} {:<7} {:>12} {:>12}\n", "id", "category", "activity", "gas", "value",
             "unit", "lower", "upper");
  for (const auto* f : fs) {
    std::string act = f->activity + (f->technology.empty() ? "" : " [" + f->technology + "]");
    if (act.size() > 26) act = act.substr(0, 23) + "...";
    fmt::print("{:<52} {:<8} {:<26} {:<6} {:>12} {:<7} {:>12} {:>12}\n", f->id, f->category, act, f->gas,
               num(f->value), f->unit, num(f->lower), num(f->upper));
  }
  fmt::print("{} factors\n", fs.size());
}

// A file's bytes, or standard input for "-".
std::string read_input(const std::string& path) {
  if (path != "-") return pc::read_file(path);
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  return text;
}

void print_inventory(const pc::Params& p, const pc::InventoryRun& run) {
  const std::string by = p.has("by") ? p.str("by") : "category";
  pc::write_inventory(std::cout, run.data, run.result, pc::CategoryTree::ipcc2006(), run.library, by, p.str("format"),
                      run.provenance);
  if (p.str("format") != "table")
    for (const auto& w : run.result.warnings) fmt::print(stderr, "warning: {}\n", w);
}

std::map<std::string, Handler> handlers() {
  std::map<std::string, Handler> h;
  h["db init"] = [](const pc::Params& p) {
    pc::Store s = open_store(p);
    const auto info = s.info();
    fmt::print("database {} ready: schema version {}, {} emission factors, {} fuels, {} categories, {} GWP values\n",
               s.path().string(), s.schema_version(), info["counts"]["emission_factors"].get<long long>(),
               info["counts"]["fuels"].get<long long>(), info["counts"]["categories"].get<long long>(),
               info["counts"]["gwp_values"].get<long long>());
  };
  h["db info"] = [](const pc::Params& p) {
    pc::Store s = open_store(p);
    auto info = s.info();
    auto runs = nlohmann::json::array();
    for (const auto& r : s.recent_runs(10))
      runs.push_back({{"id", r.id}, {"command", r.command}, {"started_at", r.started_at}, {"status", r.status},
                      {"inputs", r.inputs}, {"summary", r.summary}});
    info["recent_runs"] = runs;
    std::cout << info.dump(2) << '\n';
  };
  h["factors list"] = [](const pc::Params& p) {
    pc::Store s = open_store(p);
    const pc::FactorLibrary lib = s.load_factor_library();
    print_factors(pc::factors_list(lib, p), p.str("format"));
  };
  h["factors search"] = [](const pc::Params& p) {
    pc::Store s = open_store(p);
    const auto hits = s.search(p.str("query"), static_cast<int>(p.integer("limit")));
    if (p.str("format") == "json") {
      auto a = nlohmann::json::array();
      for (const auto& x : hits) a.push_back({{"kind", x.kind}, {"id", x.id}, {"title", x.title}, {"rank", x.rank}});
      std::cout << a.dump(2) << '\n';
      return;
    }
    if (p.str("format") == "csv") {
      std::cout << "kind,id,title\n";
      for (const auto& x : hits) fmt::print("{},{},{}\n", x.kind, pc::csv_field(x.id), pc::csv_field(x.title));
      return;
    }
    for (const auto& x : hits) fmt::print("{:<9} {:<52} {}\n", x.kind, x.id, x.title);
    fmt::print("{} results for \"{}\"\n", hits.size(), p.str("query"));
  };
  h["factors show"] = [](const pc::Params& p) {
    pc::Store s = open_store(p);
    const pc::FactorLibrary lib = s.load_factor_library();
    if (const auto* f = lib.find_factor(p.str("id"))) {
      if (p.str("format") == "json" || p.str("format") == "csv") return print_factors({f}, p.str("format"));
      fmt::print("id          {}\nvalue       {} {}\n", f->id, f->value, f->unit);
      if (!std::isnan(f->lower)) fmt::print("range       {} .. {}\n", f->lower, f->upper);
      fmt::print("gas         {}\nactivity    {}{}\ncategory    {} and below\nedition     {}\ngeography   {}\nsource      {}\n",
                 f->gas, f->activity, f->technology.empty() ? "" : " (" + f->technology + ")", f->category, f->edition,
                 f->geography, f->citation.text());
      if (!f->note.empty()) fmt::print("note        {}\n", f->note);
      return;
    }
    if (const auto* fu = lib.find_fuel(p.str("id"))) {
      if (p.str("format") == "csv") {
        std::cout << "fuel,id,group,biomass,ncv_tj_per_gg,ncv_lower,ncv_upper,carbon_kg_per_gj,carbon_lower,carbon_upper\n";
        auto n = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); };
        fmt::print("{},{},{},{},{},{},{},{},{},{}\n", pc::csv_field(fu->name), fu->id, fu->group, fu->biomass ? 1 : 0,
                   n(fu->ncv_tj_per_gg), n(fu->ncv_lower), n(fu->ncv_upper), n(fu->carbon_kg_per_gj),
                   n(fu->carbon_lower), n(fu->carbon_upper));
        return;
      }
      const nlohmann::json j = {{"fuel", fu->name}, {"id", fu->id}, {"aliases", fu->aliases}, {"group", fu->group},
                                {"biomass", fu->biomass}, {"ncv_tj_per_gg", fu->ncv_tj_per_gg},
                                {"ncv_range", {fu->ncv_lower, fu->ncv_upper}},
                                {"carbon_kg_per_gj", fu->carbon_kg_per_gj},
                                {"carbon_range", {fu->carbon_lower, fu->carbon_upper}},
                                {"citation", fu->citation.text()}};
      std::cout << j.dump(2) << '\n';
      return;
    }
    throw pc::Error(pc::ErrorCategory::NotFound,
                    fmt::format("no factor or fuel '{}'; find ids with: panocarbon factors search WORDS", p.str("id")),
                    pc::ErrorContext{{}, 0, 0, "id"});
  };
  h["gwp list"] = [](const pc::Params& p) {
    const auto& set = pc::GwpTable::builtin().set(p.str("set"));
    std::vector<std::pair<std::string, double>> v(set.gwp100.begin(), set.gwp100.end());
    std::sort(v.begin(), v.end());
    if (p.str("format") == "json") {
      std::cout << nlohmann::json({{"set", set.name}, {"document", set.document}, {"gwp100", set.gwp100}}).dump(2) << '\n';
      return;
    }
    if (p.str("format") == "csv") std::cout << "set,gas,gwp100\n";
    for (const auto& [g, x] : v)
      p.str("format") == "csv" ? fmt::print("{},{},{}\n", set.name, g, x) : fmt::print("{:<16} {:>10}\n", g, x);
    if (p.str("format") == "table") fmt::print("GWP100, {} ({})\n", set.name, set.document);
  };
  h["inventory calc"] = [](const pc::Params& p) {
    const std::string file = p.str("file");
    const std::string text = read_input(file);
    pc::Store store = open_store(p);
    print_inventory(p, pc::inventory_calc(store, p, {file == "-" ? "stdin" : file, text}));
  };
  h["inventory reference"] = [](const pc::Params& p) {
    const std::string file = p.str("file");
    const std::string text = pc::read_file(file);
    std::string compare_text;
    std::optional<pc::NamedInput> compare;
    if (p.has("compare")) {
      compare_text = pc::read_file(p.str("compare"));
      compare = pc::NamedInput{p.str("compare"), compare_text};
    }
    pc::Store store = open_store(p);
    const auto run = pc::inventory_reference(store, p, {file, text}, compare);
    pc::write_reference(std::cout, run.result, p.str("format"));
  };
  h["demo"] = [](const pc::Params& p) {
    fmt::print("panocarbon demo: the inventory of examples/inventory.csv (a small fictional country-year)\n\n");
    pc::Store store = open_store(p);
    print_inventory(p, pc::inventory_calc(store, p, {"examples/inventory.csv", pc::example_inventory_csv()}, "demo"));
  };
  h["schema"] = [](const pc::Params&) {
    auto a = nlohmann::json::array();
    for (const auto& s : pc::command_specs()) a.push_back(pc::to_json_schema(s));
    std::cout << a.dump(2) << '\n';
  };
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"panocarbon: panoramic carbon accounting (IPCC inventories; MRIO, LCA and more to come)", "panocarbon"};
  app.set_version_flag("--version", std::string("panocarbon ") + pc::version());
  app.require_subcommand(1);
  const auto hs = handlers();
  // Per leaf command: the raw values CLI11 collected, by option name.
  struct Leaf {
    const pc::CommandSpec* spec;
    CLI::App* app;
    std::map<std::string, std::string> single;
    std::map<std::string, bool> flags;
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
        g = app.add_subcommand(group, fmt::format("{} commands", group));
        g->require_subcommand(1);
      }
      parent = g;
    }
    auto leaf = std::make_unique<Leaf>();
    leaf->spec = &spec;
    leaf->app = parent->add_subcommand(leaf_name, spec.summary);
    for (const auto& o : spec.options) {
      std::string desc = o.description;
      if (o.default_value) desc += fmt::format(" [default: {}]", *o.default_value);
      if (o.type == pc::OptionType::Bool) {
        leaf->app->add_flag("--" + o.name, leaf->flags[o.name], desc);
        continue;
      }
      CLI::Option* opt = o.positional ? leaf->app->add_option(o.name, leaf->single[o.name], desc)->required(o.required)
                                      : leaf->app->add_option("--" + o.name, leaf->single[o.name], desc);
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
        else
          given[o.name] = {leaf->single[o.name]};
      }
      const pc::Params params = pc::Params::from_text(*leaf->spec, given);
      hs.at(leaf->spec->name)(params);
      return 0;
    } catch (const pc::Error& e) {
      std::cout.flush();
      fmt::print(stderr, "panocarbon: {}\n", e.what());
      return e.exit_code();
    } catch (const std::exception& e) {
      std::cout.flush();
      fmt::print(stderr, "panocarbon: internal error: {} (please report this)\n", e.what());
      return 70;
    }
  }
  return 0;
}
