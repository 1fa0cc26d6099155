// The panocarbon command line: a loop over the registry of capabilities (panocarbon/registry.hpp). It builds
// its parser from the command specs, names misspelled commands and options, splits the front-end options
// (--format, --db, --verbose, --progress, --no-store, --out) from the model's, runs the capability through
// run_capability() (which logs the run) and prints the chosen rendering. No domain logic lives here.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <unistd.h>

#include "panocarbon/error.hpp"
#include "panocarbon/mcp.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/server.hpp"
#include "panocarbon/store.hpp"

#include "chat.hpp"

namespace pc = panocarbon;

namespace {
// The database of this process, opened on first use and kept. Under MPI, rank 0 creates or migrates it
// first; the other ranks open it after (and log nothing).
pc::Store& store_once(const std::filesystem::path& path) {
  static std::unique_ptr<pc::Store> store;
  if (store) return *store;
  if (pc::parallel::size() == 1) {
    store = std::make_unique<pc::Store>(pc::Store::open(path));
    return *store;
  }
  if (pc::parallel::is_root()) store = std::make_unique<pc::Store>(pc::Store::open(path));
  pc::parallel::barrier();
  if (!store) store = std::make_unique<pc::Store>(pc::Store::open(path));
  return *store;
}
bool stderr_is_terminal() { return isatty(fileno(stderr)) != 0; }
}  // namespace

namespace {
// Every command the CLI offers: the capabilities' specs, then the front ends' (`serve`).
std::vector<const pc::CommandSpec*> all_specs() {
  std::vector<const pc::CommandSpec*> a;
  for (const auto& s : pc::command_specs()) a.push_back(&s);
  for (const auto& s : pc::frontend_commands()) a.push_back(&s);
  return a;
}

// The words a user may type first: groups ("inventory") and top-level commands ("demo").
std::vector<std::string> first_words() {
  std::vector<std::string> w;
  for (const auto* sp : all_specs()) {
    const auto& spec = *sp;
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
  for (const auto* sp : all_specs()) {
    const auto& s = *sp;
    if (s.name == args[0]) spec = &s;
    if (s.name.rfind(args[0] + " ", 0) == 0) leaves.push_back(s.name.substr(args[0].size() + 1));
  }
  size_t next = 1;
  if (!spec) {
    if (args.size() < 2 || args[1].rfind("-", 0) == 0) return -1;  // CLI11 asks for the subcommand
    for (const auto* sp2 : all_specs())
      if (sp2->name == args[0] + " " + args[1]) spec = sp2;
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

// An input named on the command line, checked once before anything reads it: a symbolic link that loops is
// an input error, and so is a folder where a file is expected (folder_ok: datasets that are folders).
void check_input_path(const std::string& option, const std::string& value, bool folder_ok) {
  if (value == "-") return;
  if (value.empty())
    throw pc::Error(pc::ErrorCategory::InvalidInput, fmt::format("--{} is empty; give the path of a file", option),
                    pc::ErrorContext{{}, 0, 0, option});
  std::error_code ec;
  const auto st = std::filesystem::status(value, ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    fmt::format("--{} names a symbolic link that loops (through links it points back at itself); give "
                                "the file itself",
                                option),
                    pc::ErrorContext{value, 0, 0, option});
  if (!folder_ok && std::filesystem::is_directory(st))
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    fmt::format("--{} names a folder, not a file; give the path of a file in it", option),
                    pc::ErrorContext{value, 0, 0, option});
}

std::string read_input(const std::string& option, const std::string& path) {
  check_input_path(option, path, false);
  if (path != "-") return pc::read_file(path);
  return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
}

// Runs a registry capability: front-end options go to the Context, the model options to Params.
int run_registered(const pc::Capability& c, const std::map<std::string, std::vector<std::string>>& given) {
  std::map<std::string, std::vector<std::string>> model;
  std::map<std::string, std::string> fe;
  for (const auto& [k, v] : given) {
    if (c.spec().find(k)->frontend) fe[k] = v.empty() ? "" : v.back();  // `given` holds the spec's options only
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
  ctx.read_input = [](const std::string& option, const std::string& value) { return read_input(option, value); };
  ctx.locate_input = [](const std::string& option, const std::string& value) {
    check_input_path(option, value, true);
    return std::filesystem::path(value);
  };
  if (fe.count("out")) {
    const std::filesystem::path out = fe["out"];
    ctx.output_dir = [out] { return out; };
  } else {
    ctx.output_dir = [name = c.name]() -> std::filesystem::path {
      throw pc::Error(pc::ErrorCategory::InvalidInput, fmt::format("'{}' writes files: give --out FOLDER", name),
                      pc::ErrorContext{{}, 0, 0, "out"});
    };
  }
  // An empty --db would make SQLite open a temporary database that is gone at exit (and the run's id a lie).
  if (fe.count("db") && fe["db"].empty())
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    "option --db is empty; give the database file (--db FILE), or leave --db out for the default "
                    "location ($PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db)",
                    pc::ErrorContext{{}, 0, 0, "db"});
  ctx.store_location = fe.count("db") ? std::filesystem::path(fe["db"]) : pc::Store::default_path();
  ctx.open_store = [where = ctx.store_location]() -> pc::Store& { return store_once(where); };
  ctx.progress = fe.count("progress") ? flag("progress") : stderr_is_terminal();
  ctx.verbose = flag("verbose");
  ctx.no_store = flag("no-store");
  ctx.open_store_in_background = true;
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
  for (const auto* spec_ptr : all_specs()) {
    const auto& spec = *spec_ptr;
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
      CLI::Option* opt = o.positional && o.multiple
                             ? leaf->app->add_option(o.name, leaf->multi[o.name], desc)->required(o.required)
                         : o.positional ? leaf->app->add_option(o.name, leaf->single[o.name], desc)->required(o.required)
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
      if (leaf->spec->name == "serve")  // a front end, not a capability: it serves the registry over HTTP
        return pc::server::serve(pc::server::options_from(pc::Params::from_text(*leaf->spec, given)));
      if (leaf->spec->name == "mcp") {  // a front end: the registry as MCP tools on standard input and output
        const pc::Params p = pc::Params::from_text(*leaf->spec, given);
        if (p.has("db") && p.str("db").empty())
          throw pc::Error(pc::ErrorCategory::InvalidInput,
                          "option --db is empty; give the database file (--db FILE), or leave --db out for the "
                          "default location",
                          pc::ErrorContext{{}, 0, 0, "db"});
        return pc::mcp::serve_stdio(pc::mcp::local_runner(p.has("db") ? std::filesystem::path(p.str("db"))
                                                                       : std::filesystem::path()));
      }
      if (leaf->spec->name == "chat")  // a front end: the conversational layer (src/agents, docs/chat.md)
        return pc::cli::run_chat(pc::Params::from_text(*leaf->spec, given));
      return run_registered(pc::capability(leaf->spec->name), given);
    } catch (const pc::Error& e) {
      std::cout.flush();
      if (pc::parallel::is_root()) {
        fmt::print(stderr, "panocarbon: {}\n", e.what());
      } else {
        // Under MPI a bad input fails every rank; rank 0, which may still be logging the failed run, says so
        // and stops them all. A rank that fails alone speaks after a grace period.
        std::this_thread::sleep_for(std::chrono::seconds(5));
        fmt::print(stderr, "panocarbon (rank {}): {}\n", pc::parallel::rank(), e.what());
      }
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
