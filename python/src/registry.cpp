// The generic layer of the Python module: the registry's table (describe_capabilities) and any capability run
// through run_capability() with a Context like the CLI's (local files, the same database default, --no-store),
// its JSON rendering returned as Python objects. Long runs release the GIL.
#include <pybind11/stl.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "common.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace pc = panocarbon;

namespace pcpy {
namespace {
PyObject* g_warning = nullptr;  // panocarbon.PanocarbonWarning

// An input named by a path, checked like the CLI checks it (a looping link, a folder where a file is expected).
void check_input_path(const std::string& option, const std::string& value, bool folder_ok) {
  if (value.empty())
    throw pc::Error(pc::ErrorCategory::InvalidInput, fmt::format("{} is empty; give the path of a file", option),
                    pc::ErrorContext{{}, 0, 0, option});
  if (value == "-")
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    fmt::format("{} is '-' (standard input on the command line); from Python give the path of a file, "
                                "or the text itself through the function's text arguments",
                                option),
                    pc::ErrorContext{{}, 0, 0, option});
  std::error_code ec;
  const auto st = std::filesystem::status(value, ec);
  if (ec == std::errc::too_many_symbolic_link_levels)
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    fmt::format("{} names a symbolic link that loops (through links it points back at itself); give "
                                "the file itself",
                                option),
                    pc::ErrorContext{value, 0, 0, option});
  if (!folder_ok && std::filesystem::is_directory(st))
    throw pc::Error(pc::ErrorCategory::InvalidInput,
                    fmt::format("{} names a folder, not a file; give the path of a file in it", option),
                    pc::ErrorContext{value, 0, 0, option});
}

// The option names of a spec as a Python caller may spell them: max_depth for max-depth.
std::string option_name(const pc::CommandSpec& spec, const std::string& key) {
  if (spec.find(key)) return key;
  std::string dashed = key;
  for (auto& ch : dashed)
    if (ch == '_') ch = '-';
  if (spec.find(dashed)) return dashed;
  std::vector<std::string> names;
  for (const auto& o : spec.options)
    if (!o.frontend) {
      std::string u = o.name;
      for (auto& ch : u)
        if (ch == '-') ch = '_';
      names.push_back(u);
    }
  const auto near = pc::nearest(key, names);
  throw pc::Error(pc::ErrorCategory::InvalidInput,
                  fmt::format("'{}' takes no option '{}'{}; see panocarbon.capabilities() for its inputs", spec.name, key,
                              near.empty() ? std::string() : fmt::format("; did you mean {}?", fmt::join(near, ", "))),
                  pc::ErrorContext{{}, 0, 0, key});
}

const pc::Capability& find_capability(const std::string& name) {
  if (const auto* c = pc::capability_by_tool(name)) return *c;
  return pc::capability(name);  // Error{NotFound} with the nearest names
}

struct RunOutcome {
  nlohmann::json json;
  std::vector<std::string> warnings;
  std::vector<std::string> files;
  int64_t run_id = 0;
};

py::object run(const std::string& name, const py::dict& options, const std::optional<std::string>& db, bool no_store,
               const std::optional<std::string>& out, const std::map<std::string, std::string>& texts) {
  const pc::Capability& c = find_capability(name);
  // The model's options, validated against the spec (types, bounds, choices) like the CLI's.
  nlohmann::json given = nlohmann::json::object();
  for (const auto& [k, v] : options) {
    if (v.is_none()) continue;  // an option left at its default
    const std::string key = option_name(c.spec(), py::str(k).cast<std::string>());
    const pc::OptionSpec* o = c.spec().find(key);
    if (o->frontend)
      invalid(fmt::format("option '{}' belongs to the command line; from Python the result is always the JSON "
                          "rendering as Python objects (db=, no_store= and out= are the function's own arguments)",
                          key),
              key);
    given[o->name] = to_json(v, o->name);
  }
  const pc::Params params = pc::Params::from_json(c.spec(), given);
  if (db && db->empty())
    invalid("db is empty; give the database file, or leave db out for the default location ($PANOCARBON_DB, else "
            "$XDG_DATA_HOME/panocarbon/panocarbon.db)",
            "db");

  RunOutcome outcome;
  InterruptWatch watch;
  try {
    py::gil_scoped_release release;
    pc::ObserveProgress observe(&watch);
    pc::Context ctx;
    ctx.read_input = [&texts](const std::string& option, const std::string& value) {
      if (auto it = texts.find(value); it != texts.end()) return it->second;
      check_input_path(option, value, false);
      return pc::read_file(value);
    };
    ctx.locate_input = [](const std::string& option, const std::string& value) {
      check_input_path(option, value, true);
      return std::filesystem::path(value);
    };
    if (out) {
      const std::filesystem::path dir = *out;
      ctx.output_dir = [dir] { return dir; };
    } else {
      ctx.output_dir = [name = c.name]() -> std::filesystem::path {
        throw pc::Error(pc::ErrorCategory::InvalidInput, fmt::format("'{}' writes files: give out=FOLDER", name),
                        pc::ErrorContext{{}, 0, 0, "out"});
      };
    }
    // One database per call, opened on first use (the file may change between calls; runs may be in threads).
    std::unique_ptr<pc::Store> store;
    ctx.store_location = db ? std::filesystem::path(*db) : pc::Store::default_path();
    ctx.open_store = [&store, where = ctx.store_location]() -> pc::Store& {
      if (!store) store = std::make_unique<pc::Store>(pc::Store::open(where));
      return *store;
    };
    ctx.progress = false;
    ctx.verbose = false;
    ctx.no_store = no_store;
    const pc::Result r = pc::run_capability(c, ctx, params);
    outcome.json = r.json ? r.json(r) : nlohmann::json::object();
    outcome.warnings = r.warnings;
    outcome.files = r.files;
    outcome.run_id = r.run_id;
  } catch (const pc::Error&) {  // Cancelled, or an Error a layer made of it (with its file)
    if (watch.raised()) watch.reraise();  // Ctrl-C: KeyboardInterrupt, as Python code would raise it
    throw;
  }
  if (!outcome.warnings.empty()) {
    auto warn = py::module_::import("warnings").attr("warn");
    for (const auto& w : outcome.warnings) warn(w, py::handle(g_warning), 3);
  }
  return to_python(outcome.json);
}

}  // namespace

void bind_registry(py::module_& m) {
  // Warnings of a run (a seed that was drawn, stressors without a GWP, skipped rows): Python warnings.
  g_warning = PyErr_NewExceptionWithDoc("panocarbon.PanocarbonWarning",
                                        "A warning of a panocarbon run (the CLI prints it on stderr).",
                                        PyExc_UserWarning, nullptr);
  m.add_object("PanocarbonWarning", py::handle(g_warning));
  m.def(
      "capabilities", [] { return to_python(pc::describe_capabilities()); },
      "The registry's table: name, domain, description, input schema, result schema and example of every "
      "capability (as `panocarbon capabilities --format json`).");
  m.def(
      "tool_names",
      [] {
        std::vector<std::string> names;
        for (const auto& c : pc::capabilities()) names.push_back(pc::tool_name(c));
        return names;
      },
      "Every capability's tool name (\"mrio_accounts\"), in the registry's order.");
  m.def("run", &run, py::arg("name"), py::arg("options"), py::arg("db") = py::none(), py::arg("no_store") = false,
        py::arg("out") = py::none(), py::arg("texts") = std::map<std::string, std::string>{},
        "Runs capability `name` (\"mrio accounts\" or \"mrio_accounts\") with `options` (its inputs by name, as in "
        "its input schema; '_' may stand for '-'), logged in the database `db` (default as the CLI's) unless "
        "no_store; `texts` maps input names to their contents (inputs that are not files). Returns the JSON "
        "rendering as Python objects; the run's warnings become PanocarbonWarning.");
  m.def("default_db", [] { return pc::Store::default_path().string(); },
        "The database the CLI opens without --db: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db.");
}

}  // namespace pcpy
