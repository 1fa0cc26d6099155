// Commands and their options, declared once. The CLI builds its parser from these specs; the HTTP API,
// MCP server, Python bindings and chat agents will read the same specs (to_json_schema() gives the
// JSON Schema of a command's input). Each command is one library call that front ends wrap thinly.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace panocarbon {

enum class OptionType { String, Path, Int, Double, Bool, Choice };

struct OptionSpec {
  std::string name;  // "gwp"; the CLI spells it --gwp (or as a positional argument)
  OptionType type = OptionType::String;
  std::string description;
  std::optional<std::string> default_value;  // as text; none = no default
  std::vector<std::string> choices;          // for Choice
  std::optional<double> min, max;            // for Int and Double
  bool required = false;
  bool positional = false;
  bool multiple = false;  // may be given several times / several values
  std::vector<std::string> aliases;  // older names still accepted (--samples for --draws, ...)
  bool frontend = false;  // a front end's option (--no-store), not an input of the capability's model
};

struct CommandSpec {
  std::string name;  // "inventory calc": words of the CLI path
  std::string summary;
  std::vector<OptionSpec> options;
  const OptionSpec* find(std::string_view option) const;  // by name or alias
};

// Every command of panocarbon, in the order the CLI lists them.
const std::vector<CommandSpec>& command_specs();
const CommandSpec& command_spec(std::string_view name);
// The commands of front ends that are not capabilities: `serve` (the HTTP server, src/server). The CLI parses
// them from these specs like the capabilities' (help, validation), and the generated reference, completion and
// man page list them; the registry neither holds nor runs them.
const std::vector<CommandSpec>& frontend_commands();
// One line on a group of commands ("inventory", "mrio", ...), for help.
std::string group_summary(std::string_view group);

// Validated, typed values of one command's options. Built from text (CLI, query strings) or JSON.
class Params {
 public:
  // Validates types, bounds and choices against the spec and fills defaults. Throws Error{InvalidInput}
  // naming the option and what is allowed.
  static Params from_text(const CommandSpec& spec, const std::map<std::string, std::vector<std::string>>& given);
  static Params from_json(const CommandSpec& spec, const nlohmann::json& given);

  bool has(std::string_view name) const;
  const std::string& str(std::string_view name) const;
  std::vector<std::string> strs(std::string_view name) const;
  long long integer(std::string_view name) const;
  double number(std::string_view name) const;
  bool flag(std::string_view name) const;
  // All values (for the run log).
  const nlohmann::json& json() const { return values_; }

 private:
  nlohmann::json values_ = nlohmann::json::object();
  const nlohmann::json& at(std::string_view name) const;
};

nlohmann::json to_json_schema(const CommandSpec& spec);

}  // namespace panocarbon
