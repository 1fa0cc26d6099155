// The registry of capabilities: one table of everything panocarbon can do. Each entry has its command
// spec (options.hpp: the inputs and their JSON Schema), the domain (agent) it belongs to, a description for
// a person and for a language model, the JSON Schema of its result, an example, and one run() that returns
// a Result with its JSON, CSV and table renderings. The CLI, and later the HTTP server, MCP, Python and the
// chat, are loops over this table: they resolve inputs, call run_capability() and print a rendering; none
// of them computes, logs a run or assembles result JSON. docs/architecture.md tells how to add an entry.
#pragma once
#include <filesystem>
#include <functional>
#include <future>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/options.hpp"

namespace panocarbon {

class Store;

// The specialist agent a capability belongs to (the chat's five agents, plus reference data and the system).
enum class Domain { Inventory, Trade, Lca, Natural, Uncertainty, Process, Reference, System };
const char* to_string(Domain d) noexcept;

// One sheet of a workbook: a name and a tidy table as CSV text (header line first).
struct Sheet {
  std::string name;
  std::string csv;
};

// What a capability returns. The renderings are closures over the capability's typed result, so a large
// result is streamed (a CSV of millions of rows is never held twice). A capability sets json; csv and table
// are optional (the registry derives a CSV from flat JSON and a table from the CSV when they are missing).
// The closures receive the finished Result (its run id and provenance, filled by run_capability()).
struct Result {
  std::function<nlohmann::json(const Result&)> json;           // the one JSON rendering; validates against result_schema
  std::function<void(const Result&, std::ostream&)> csv;       // tidy CSV, a unit column for every quantity
  std::function<void(const Result&, std::ostream&)> table;     // for a person (fixed decimals, units in headers)
  std::function<std::vector<Sheet>(const Result&)> sheets;     // further tables for --format xlsx (one sheet each)
  nlohmann::json summary = nlohmann::json::object();  // stored in the run log
  std::vector<std::string> warnings;                // front ends show them on stderr
  std::string diagnostics;                          // solver reports, timings: stderr with --verbose
  bool diagnostics_in_table = false;                // the table rendering starts with the diagnostics
  std::vector<std::string> files;                   // files written under Context::output_dir
  // Filled by run_capability():
  int64_t run_id = 0;
  nlohmann::json provenance = nlohmann::json::object();  // capability, run id, database, inputs, version
};

// What a front end lends a capability: where inputs come from, the store, progress, where files go.
// Inputs are named by the value of a Path option. A front end decides what such a value may name: the CLI
// reads local files; a server maps uploaded content and the names of stored datasets, never a client's
// path on the server.
class Context {
 public:
  // Bytes of the input named by `value` of option `option` ("-" is standard input on the CLI). Recorded,
  // with its SHA-256, in the run's inputs.
  std::function<std::string(const std::string& option, const std::string& value)> read_input;
  // A local path for an input read by a library that opens files itself (HDF5, folders, zips, workbooks).
  // Recorded with a fingerprint of its size and time.
  std::function<std::filesystem::path(const std::string& option, const std::string& value)> locate_input;
  // The folder where a capability writing files (mrio aggregate, lca matrices, lca footprint) writes them.
  std::function<std::filesystem::path()> output_dir;
  // The store (opened on first use); capabilities that need none never call it.
  std::function<Store&()> open_store;
  bool progress = false;  // progress bars on stderr
  bool verbose = false;
  std::filesystem::path store_location;  // the database file the front end opens (empty: Store::default_path())
  bool no_store = false;  // --no-store: the database is neither opened nor written (nothing logged or saved)
  // The CLI (one process, one run): run_capability opens the store and begins the run's entry in the run log on
  // a second thread while the capability reads its inputs; run_id() and store() wait for it, and its error (a
  // database that cannot be opened or written) is the run's error, as when it is opened first. Not for a
  // capability that writes files or reaches other hosts (such a database stops it before it starts), nor
  // under MPI, nor for front ends whose open_store is per thread (the server).
  bool open_store_in_background = false;

  // Used by capabilities:
  std::string text(const Params& p, const std::string& option);            // read_input of p.str(option)
  std::filesystem::path path(const Params& p, const std::string& option);  // locate_input of p.str(option)
  Store& store();
  bool has_store() const { return !no_store && static_cast<bool>(open_store); }
  // This call's run in the run log; 0 when not logged (--no-store, MPI ranks other than 0): save results
  // under it only when it is not 0.
  int64_t run_id() const {
    if (pending_run_.valid()) await_run();
    return run_id_;
  }
  const nlohmann::json& inputs() const { return inputs_; }
  void add_input(nlohmann::json description) { inputs_.push_back(std::move(description)); }

 private:
  friend Result run_capability(const struct Capability&, Context&, const Params&);
  void await_run() const;  // the run begun on the second thread: its id, or its error (thrown once)
  mutable int64_t run_id_ = 0;
  mutable std::shared_future<int64_t> pending_run_;  // valid while the second thread's run is not awaited
  nlohmann::json inputs_ = nlohmann::json::array();
};

struct Capability {
  std::string name;  // "inventory calc": the command spec's name, the CLI's words, the tool name (with _)
  Domain domain = Domain::System;
  std::string description;  // for a person and a language model: what it answers, inputs, units, caveats
  nlohmann::json result_schema;  // JSON Schema of Result::json()
  std::vector<std::string> example;  // CLI words after the command name, run from the source folder by the
                                     // registry test (paths relative to it; ../shared/data where real data)
  bool logs_run = true;      // run_capability() records a run (inputs, parameters, seed, version, status)
  bool writes_files = false; // needs Context::output_dir (the CLI's --out)
  std::function<Result(Context&, const Params&)> run;
  // Runs only from a front end on the user's own machine (CLI, Python): it reaches other hosts or writes into
  // the user's folders (`data fetch`). The HTTP server and MCP neither list nor run it.
  bool local_only = false;
  const CommandSpec& spec() const { return command_spec(name); }
};

// Every capability, in the order of command_specs(). Throws Error{Internal} at first use when a spec has no
// entry or an entry no spec.
const std::vector<Capability>& capabilities();
const Capability& capability(std::string_view name);  // Error{NotFound} with the nearest names

// The capability's name as a tool of MCP and of a language model: words joined by '_' ("lca_calc",
// "natural_fire_tier1"), and back (nullptr when no capability has that tool name).
std::string tool_name(const Capability& c);
const Capability* capability_by_tool(std::string_view tool);

// Runs one capability: starts the run in the run log
// (inputs, parameters with the seed, version), calls run(), stores the summary and finishes the run as ok,
// or as failed with the message when it throws (then rethrows). The one place where runs are logged. A
// capability with a --seed that was not given gets a drawn one (the same on every MPI rank) in its Params and
// in the run log, and a warning that names it.
Result run_capability(const Capability& c, Context& ctx, const Params& params);

// The renderings: "json", "csv", "table" write text; "xlsx" writes a workbook (the CSV rendering, the
// result's further sheets and a provenance sheet).
void render(const Capability& c, const Result& r, std::string_view format, std::ostream& out);
const std::vector<std::string>& output_formats();  // json, csv, table, xlsx

// Front-end options, apart from the model options of the specs: --db, --format, --progress, --verbose and
// --out (only where a capability writes files). A server offers none of them to clients.
std::vector<OptionSpec> frontend_options(const Capability& c);

// The whole table as JSON: name, domain, description, input schema, result schema, example (for the
// `capabilities` command, the MCP tools list and the chat's planner).
nlohmann::json describe_capabilities();
// docs/cli-reference.md, generated from the table (a test fails when the file and this drift).
std::string cli_reference_markdown();
// Shell completion (bash, zsh) and a man page (roff), generated from the table.
std::string completion_script(std::string_view shell);
std::string man_page();

// The names in `candidates` nearest to `word` (edit distance), best first: for "did you mean".
std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates, size_t at_most = 3);

}  // namespace panocarbon
