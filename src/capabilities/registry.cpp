// The registry of capabilities (include/panocarbon/registry.hpp): the table, the run wrapper that logs
// every run, and the renderings shared by every front end.
#include "panocarbon/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <cmath>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "io/xlsx_writer.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/store.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon {

const char* to_string(Domain d) noexcept {
  switch (d) {
    case Domain::Inventory: return "inventory";
    case Domain::Trade: return "trade";
    case Domain::Lca: return "lca";
    case Domain::Natural: return "natural";
    case Domain::Uncertainty: return "uncertainty";
    case Domain::Process: return "process";
    case Domain::Reference: return "reference";
    case Domain::System: return "system";
  }
  return "system";
}

// ---- Context -------------------------------------------------------------------------------------------------

std::string Context::text(const Params& p, const std::string& option) {
  const std::string& value = p.str(option);
  if (!read_input)
    throw Error(ErrorCategory::Internal, fmt::format("this front end lends no input for --{}", option));
  std::string bytes = read_input(option, value);
  // A workbook where text is expected: say so instead of parsing zip bytes as CSV.
  if (bytes.rfind("PK\x03\x04", 0) == 0 || bytes.rfind("\xD0\xCF\x11\xE0", 0) == 0)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} is an Excel workbook (or another zip archive), not CSV or JSON text: save the sheet as "
                            "CSV (UTF-8) in Excel or LibreOffice (File > Save As > CSV) and give that file",
                            value == "-" ? "standard input" : value),
                ErrorContext{value, 0, 0, option});
  auto d = describe_input(value == "-" ? std::filesystem::path("stdin") : std::filesystem::path(value), bytes);
  d["option"] = option;
  inputs_.push_back(std::move(d));
  return bytes;
}

std::filesystem::path Context::path(const Params& p, const std::string& option) {
  const std::string& value = p.str(option);
  if (!locate_input)
    throw Error(ErrorCategory::Internal, fmt::format("this front end lends no dataset for --{}", option));
  std::filesystem::path where = locate_input(option, value);
  nlohmann::json d = {{"option", option}, {"path", value}};
  std::error_code ec;
  if (std::filesystem::is_regular_file(where, ec)) {
    d["bytes"] = std::filesystem::file_size(where, ec);
    const auto t = std::filesystem::last_write_time(where, ec);
    d["modified"] = static_cast<long long>(t.time_since_epoch().count());
  }
  inputs_.push_back(std::move(d));
  return where;
}

Store& Context::store() {
  if (no_store)
    throw Error(ErrorCategory::InvalidInput, "this command reads or writes the database: leave out --no-store",
                ErrorContext{{}, 0, 0, "no-store"});
  if (!open_store) throw Error(ErrorCategory::Internal, "this front end lends no database");
  if (pending_run_.valid()) await_run();  // never two threads opening the store
  return open_store();
}

void Context::await_run() const {
  const auto pending = std::move(pending_run_);
  pending_run_ = {};
  run_id_ = 0;
  run_id_ = pending.get();  // rethrows the error of the second thread
}

// ---- the table -------------------------------------------------------------------------------------------------

namespace {
std::vector<Capability> build_table() {
  std::vector<Capability> t;
  registry::add_system_entries(t);
  registry::add_inventory_entries(t);
  registry::add_trade_entries(t);
  registry::add_lca_entries(t);
  registry::add_natural_entries(t);
  registry::add_uncertainty_entries(t);
  registry::add_ledger_entries(t);
  registry::add_data_entries(t);
  registry::add_process_entries(t);
  registry::add_optimize_entries(t);
  registry::add_cbam_entries(t);
  registry::add_avoided_entries(t);
  // In the order of the specs (the CLI's and the docs' order); every entry must have a spec.
  std::map<std::string, size_t> order;
  const auto& specs = command_specs();
  for (size_t i = 0; i < specs.size(); ++i) order[specs[i].name] = i;
  std::set<std::string> seen;
  for (const auto& c : t) {
    if (!order.count(c.name))
      throw Error(ErrorCategory::Internal, fmt::format("capability '{}' has no command spec", c.name));
    if (!seen.insert(c.name).second)
      throw Error(ErrorCategory::Internal, fmt::format("capability '{}' is registered twice", c.name));
    if (!c.run) throw Error(ErrorCategory::Internal, fmt::format("capability '{}' has no run()", c.name));
  }
  std::stable_sort(t.begin(), t.end(), [&](const Capability& a, const Capability& b) { return order[a.name] < order[b.name]; });
  return t;
}

}  // namespace

const std::vector<Capability>& capabilities() {
  static const std::vector<Capability> table = build_table();
  return table;
}

const Capability& capability(std::string_view name) {
  for (const auto& c : capabilities())
    if (c.name == name) return c;
  std::vector<std::string> names;
  for (const auto& c : capabilities()) names.push_back(c.name);
  const auto near = nearest(name, names);
  throw Error(ErrorCategory::NotFound,
              fmt::format("no capability '{}'{}", name,
                          near.empty() ? std::string() : fmt::format("; did you mean {}?", fmt::join(near, ", "))));
}

std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates, size_t at_most) {
  return nearest_names(word, candidates, at_most);
}

// ---- the run wrapper ---------------------------------------------------------------------------------------------

namespace {
// A capability with a --seed that was not given draws one here (the same on every MPI rank), so that the run
// log's parameters hold the seed that repeats the run. Empty when the seed was given or there is none.
std::optional<Params> with_drawn_seed(const Capability& c, const Params& params) {
  if (!c.spec().find("seed") || params.has("seed")) return std::nullopt;
  nlohmann::json values = params.json();
  values["seed"] = parallel::choose_seed(false, 0);
  return Params::from_json(c.spec(), values);
}
}  // namespace

namespace {
// The JSON pointer (/lines/3/co2e_t) and the value of the first number in j that is not finite; an empty
// pointer when all are.
struct NonFinite {
  std::string pointer;
  double value = 0;
};
bool first_non_finite(const nlohmann::json& j, const std::string& at, NonFinite& out) {
  if (j.is_number_float()) {
    if (std::isfinite(j.get<double>())) return false;
    out = {at.empty() ? "/" : at, j.get<double>()};
    return true;
  }
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      if (first_non_finite(j[i], fmt::format("{}/{}", at, i), out)) return true;
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      std::string key;  // escaped as RFC 6901 asks: ~ as ~0, / as ~1
      for (const char ch : k) key += ch == '~' ? "~0" : ch == '/' ? "~1" : std::string(1, ch);
      if (first_non_finite(v, at + "/" + key, out)) return true;
    }
  }
  return false;
}

// A result that holds inf or NaN is an error, not "inf" or null in the output: the last line of defence
// behind the readers' and the engines' own checks.
void check_finite_result(const std::string& capability, const nlohmann::json& j, const char* what) {
  NonFinite bad;
  if (!first_non_finite(j, "", bad)) return;
  throw Error(ErrorCategory::Data,
              fmt::format("the {} of '{}' holds a number that is not finite at {} ({}): an input number or an "
                          "intermediate result overflowed; check the magnitudes and units of the inputs",
                          what, capability, clip_input(bad.pointer), bad.value),
              ErrorContext{{}, 0, 0, clip_input(bad.pointer)});
}

// Parameters go into the run log's JSON and into messages: text must be UTF-8.
void check_utf8_params(const nlohmann::json& values) {
  for (const auto& item : values.items()) {
    const std::string& name = item.key();  // a plain reference: lambdas may not capture structured bindings (C++17)
    const nlohmann::json& v = item.value();
    auto check = [&](const nlohmann::json& x) {
      if (!x.is_string()) return;
      const std::string& t = x.get_ref<const std::string&>();
      if (const size_t bad = utf8_error_offset(t); bad != std::string::npos)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("--{} '{}' is not valid UTF-8 (byte {} is 0x{:02X}); give the text in UTF-8", name,
                                clip_input(t), bad + 1, static_cast<unsigned char>(t[bad])),
                    ErrorContext{{}, 0, 0, name});
    };
    if (v.is_array())
      for (const auto& x : v) check(x);
    else
      check(v);
  }
}

// An error message as the run log stores it: valid UTF-8 whatever the message quotes.
std::string loggable(const char* what) {
  return is_valid_utf8(what) ? std::string(what) : clip_input(what, 4000);
}
}  // namespace

Result run_capability(const Capability& c, Context& ctx, const Params& given) {
  check_utf8_params(given.json());
  ctx.inputs_ = nlohmann::json::array();
  ctx.run_id_ = 0;
  const std::optional<Params> seeded = with_drawn_seed(c, given);
  const Params& params = seeded ? *seeded : given;
  ctx.pending_run_ = {};
  Store* store = nullptr;
  if (c.logs_run && ctx.has_store()) {
    nlohmann::json logged = params.json();
    if (ctx.open_store_in_background && !c.writes_files && !c.local_only && parallel::size() == 1) {
      // Opening the store and the run log's first commit (a sync of the journal) overlap the capability's
      // reading of its inputs; the entry is the same (started_at a moment later).
      ctx.pending_run_ = std::async(std::launch::async, [&ctx, name = c.name, logged = std::move(logged)] {
                           return ctx.open_store().begin_run(name, nlohmann::json::array(), logged);
                         }).share();
    } else {
      store = &ctx.open_store();
      ctx.run_id_ = store->begin_run(c.name, nlohmann::json::array(), logged);  // 0 on MPI ranks other than 0
      if (ctx.run_id_ == 0) store = nullptr;
    }
  }
  // The run begun on the second thread, once the capability has returned or failed: its error (the database
  // could not be opened or written) replaces the capability's, as it would have stopped the run first.
  const auto settle_run = [&] {
    if (ctx.pending_run_.valid()) ctx.await_run();
    if (!store && ctx.run_id_ != 0) store = &ctx.open_store();
  };
  const auto t0 = std::chrono::steady_clock::now();
  // Every way out of the run marks it: ok, or failed with the message (an Error, any other exception, a
  // database error while finishing). Marking it failed must not hide the error that made it fail; a run whose
  // marking fails too (the database is gone, or full) is left `running`, and `db info` / `db repair` find it
  // abandoned once this process has ended.
  auto mark_failed = [&](const std::string& message) noexcept {
    if (!store) return;
    try {
      store->finish_run(ctx.run_id_, "failed", {{"error", message}}, ctx.inputs_);
    } catch (...) {
    }
  };
  Result r;
  try {
    r = c.run(ctx, params);
    settle_run();
    if (!r.json) throw Error(ErrorCategory::Internal, fmt::format("capability '{}' returned no JSON rendering", c.name));
    check_finite_result(c.name, r.summary, "run summary");
    if (seeded) {
      const auto seed = params.integer("seed");
      r.warnings.insert(r.warnings.begin(),
                        fmt::format("no --seed given: drew seed {} (give --seed {} to repeat this run)", seed, seed));
    }
    // The JSON rendering is made when it is printed (a large result is never made when only its CSV is asked
    // for): it is checked there.
    r.json = [make = std::move(r.json), name = c.name](const Result& self) {
      nlohmann::json j = make(self);
      check_finite_result(name, j, "result");
      return j;
    };
    r.summary["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.run_id = ctx.run_id_;
    if (store) {
      store->finish_run(ctx.run_id_, "ok", r.summary, ctx.inputs_);
    }
  } catch (const Error& e) {
    settle_run();
    mark_failed(loggable(e.what()));
    throw;
  } catch (const std::exception& e) {
    settle_run();
    mark_failed(std::string("internal error: ").append(loggable(e.what())));
    throw;
  } catch (...) {
    settle_run();
    mark_failed("internal error: an unknown exception");
    throw;
  }
  r.provenance = {{"capability", c.name}, {"domain", to_string(c.domain)}, {"version", version()},
                  {"inputs", ctx.inputs_}, {"parameters", params.json()}};
  if (r.run_id) r.provenance["run_id"] = r.run_id;
  if (store) r.provenance["database"] = store->path().string();
  return r;
}

// ---- renderings ----------------------------------------------------------------------------------------------------

namespace {
std::string scalar_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  return v.dump();
}

// A CSV from JSON: an array of flat objects (or an object holding one such array) becomes one row per
// element, with the union of their keys as header; any other object becomes key,value lines.
void csv_from_json(const nlohmann::json& j, std::ostream& out) {
  const nlohmann::json* rows = nullptr;
  if (j.is_array()) rows = &j;
  else if (j.is_object()) {
    const nlohmann::json* only = nullptr;
    size_t arrays = 0;
    for (const auto& [k, v] : j.items())
      if (v.is_array() && !v.empty() && v.front().is_object()) ++arrays, only = &v;
    if (arrays == 1) rows = only;
  }
  if (rows) {
    std::vector<std::string> keys;
    for (const auto& row : *rows)
      if (row.is_object())
        for (const auto& [k, v] : row.items())
          if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    for (size_t i = 0; i < keys.size(); ++i) out << (i ? "," : "") << csv_field(keys[i]);
    out << '\n';
    for (const auto& row : *rows) {
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i) out << ',';
        if (row.is_object() && row.contains(keys[i])) out << csv_field(scalar_text(row[keys[i]]));
      }
      out << '\n';
    }
    return;
  }
  out << "key,value\n";
  if (j.is_object())
    for (const auto& [k, v] : j.items()) out << csv_field(k) << ',' << csv_field(scalar_text(v)) << '\n';
  else
    out << "value," << csv_field(scalar_text(j)) << '\n';
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  io::CsvReader r(text, "result");
  while (r.next()) {
    std::vector<std::string> row;
    for (const auto& f : r.fields()) row.emplace_back(f);
    rows.push_back(std::move(row));
  }
  return rows;
}

// Aligned columns from a CSV: numbers right-aligned with at most 6 significant digits and no exponent
// mixed with fixed decimals in one column.
void table_from_csv(const std::string& text, std::ostream& out) {
  auto rows = parse_csv(text);
  if (rows.empty()) return;
  const size_t nc = rows.front().size();
  std::vector<bool> numeric(nc, true);
  for (size_t i = 1; i < rows.size(); ++i)
    for (size_t c = 0; c < nc && c < rows[i].size(); ++c) {
      double v = 0;
      if (!rows[i][c].empty() && !io::parse_double(rows[i][c], v)) numeric[c] = false;
    }
  for (size_t c = 0; c < nc; ++c) {
    if (!numeric[c] || rows.size() < 2) continue;
    double mx = 0;
    for (size_t i = 1; i < rows.size(); ++i) {
      double v = 0;
      if (c < rows[i].size() && io::parse_double(rows[i][c], v)) mx = std::max(mx, std::abs(v));
    }
    const bool sci = mx >= 1e9 || (mx > 0 && mx < 1e-3);
    for (size_t i = 1; i < rows.size(); ++i) {
      double v = 0;
      if (c >= rows[i].size() || !io::parse_double(rows[i][c], v)) continue;
      if (rows[i][c].find_first_not_of("-0123456789") == std::string::npos) continue;  // integers as they are
      rows[i][c] = sci ? fmt::format("{:.4e}", v) : fmt::format("{:.{}f}", v, mx >= 1000 ? 1 : mx >= 1 ? 3 : 6);
    }
  }
  std::vector<size_t> w(nc, 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < nc && c < row.size(); ++c) w[c] = std::max(w[c], std::min<size_t>(row[c].size(), 60));
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < nc; ++c) {
      std::string cell = c < row.size() ? row[c] : "";
      if (cell.size() > 60) cell = cell.substr(0, 57) + "...";
      if (c) line += "  ";
      line += numeric[c] ? fmt::format("{:>{}}", cell, w[c]) : fmt::format("{:<{}}", cell, w[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

std::string csv_text(const Result& r) {
  std::ostringstream s;
  if (r.csv) r.csv(r, s);
  else csv_from_json(r.json(r), s);
  return s.str();
}

std::vector<std::vector<std::string>> provenance_rows(const nlohmann::json& prov) {
  std::vector<std::vector<std::string>> rows = {{"key", "value"}};
  for (const auto& [k, v] : prov.items()) rows.push_back({k, v.is_string() ? v.get<std::string>() : v.dump()});
  return rows;
}
}  // namespace

const std::vector<std::string>& output_formats() {
  static const std::vector<std::string> f = {"table", "csv", "json", "xlsx"};
  return f;
}

void render(const Capability& c, const Result& r, std::string_view format, std::ostream& out) {
  if (format == "json") {
    out << r.json(r).dump(2) << '\n';
  } else if (format == "csv") {
    if (r.csv) r.csv(r, out);
    else csv_from_json(r.json(r), out);
  } else if (format == "table") {
    if (r.diagnostics_in_table && !r.diagnostics.empty()) out << r.diagnostics;
    if (r.table) r.table(r, out);
    else table_from_csv(csv_text(r), out);
  } else if (format == "xlsx") {
    std::vector<io::XlsxOutSheet> sheets;
    std::string main = c.name;
    std::replace(main.begin(), main.end(), ' ', '-');
    sheets.push_back({main, parse_csv(csv_text(r))});
    if (r.sheets)
      for (const auto& s : r.sheets(r)) sheets.push_back({s.name, parse_csv(s.csv)});
    sheets.push_back({"provenance", provenance_rows(r.provenance)});
    out << io::write_xlsx(sheets);
  } else {
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("unknown output format '{}'; use one of {}", format, fmt::join(output_formats(), ", ")),
                ErrorContext{{}, 0, 0, "format"});
  }
}

// ---- front-end options --------------------------------------------------------------------------------------------

std::vector<OptionSpec> frontend_options(const Capability& c) {
  std::vector<OptionSpec> o;
  auto add = [&](std::string name, OptionType type, std::string desc, std::optional<std::string> def = std::nullopt) {
    OptionSpec s;
    s.name = std::move(name);
    s.type = type;
    s.description = std::move(desc);
    s.default_value = std::move(def);
    s.frontend = true;
    o.push_back(std::move(s));
    return &o.back();
  };
  auto* f = add("format", OptionType::Choice,
                "Output format: table (for a person), csv (tidy, with units), json, or xlsx (a workbook with a "
                "provenance sheet, written to standard output: redirect it to a file)",
                "table");
  f->choices = output_formats();
  add("db", OptionType::Path,
      "SQLite database file (default: $PANOCARBON_DB, else $XDG_DATA_HOME/panocarbon/panocarbon.db); not to be "
      "confused with --database, the name of an LCA database stored in it");
  add("verbose", OptionType::Bool, "Report solvers, residuals and timings on stderr", "false");
  if (c.writes_files) add("out", OptionType::Path, "Folder to write the files into", std::nullopt)->required = true;
  for (const auto& s : c.spec().options)
    if (s.frontend) o.push_back(s);
  return o;
}

// ---- descriptions generated from the table --------------------------------------------------------------------

namespace registry {
nlohmann::json object_schema(nlohmann::json properties, const std::vector<std::string>& optional) {
  auto req = nlohmann::json::array();
  for (const auto& [k, v] : properties.items())
    if (std::find(optional.begin(), optional.end(), k) == optional.end()) req.push_back(k);
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", req}};
}
nlohmann::json array_of(nlohmann::json item) { return {{"type", "array"}, {"items", std::move(item)}}; }
static nlohmann::json typed(const char* type, const char* d) {
  nlohmann::json j = {{"type", type}};
  if (d) j["description"] = d;
  return j;
}
nlohmann::json number_schema(const char* d) { return typed("number", d); }
nlohmann::json string_schema(const char* d) { return typed("string", d); }
nlohmann::json integer_schema(const char* d) { return typed("integer", d); }
nlohmann::json nullable(nlohmann::json s) { return {{"anyOf", {std::move(s), {{"type", "null"}}}}}; }
}  // namespace registry

std::string tool_name(const Capability& c) {
  std::string t = c.name;
  for (auto& ch : t)
    if (ch == ' ' || ch == '-') ch = '_';
  return t;
}

const Capability* capability_by_tool(std::string_view tool) {
  for (const auto& c : capabilities())
    if (tool_name(c) == tool) return &c;
  return nullptr;
}

nlohmann::json describe_capabilities() {
  auto a = nlohmann::json::array();
  for (const auto& c : capabilities()) {
    nlohmann::json fe = nlohmann::json::array();
    for (const auto& o : frontend_options(c)) fe.push_back(o.name);
    a.push_back({{"name", c.name},
                 {"tool", tool_name(c)},
                 {"domain", to_string(c.domain)},
                 {"summary", c.spec().summary},
                 {"description", c.description},
                 {"input_schema", to_json_schema(c.spec())},
                 {"result_schema", c.result_schema},
                 {"example", c.example},
                 {"logs_run", c.logs_run},
                 {"writes_files", c.writes_files},
                 {"local_only", c.local_only},
                 {"frontend_options", fe}});
  }
  return a;
}

namespace {
std::string option_line(const OptionSpec& o) {
  std::string name = o.positional ? o.name : "--" + o.name;
  std::string type;
  switch (o.type) {
    case OptionType::Path: type = "PATH"; break;
    case OptionType::Int: type = "INT"; break;
    case OptionType::Double: type = "NUMBER"; break;
    case OptionType::Bool: type = ""; break;
    case OptionType::Choice: type = fmt::format("{{{}}}", fmt::join(o.choices, ",")); break;
    default: type = "TEXT"; break;
  }
  std::string s = fmt::format("| `{}{}` | {}", name, type.empty() || o.positional ? "" : " " + type, o.description);
  if (o.positional && !type.empty()) s += fmt::format(" ({})", type);
  if (o.multiple) s += "; repeatable";
  if (o.default_value && !o.default_value->empty()) s += fmt::format(" [default: {}]", *o.default_value);
  if (o.required && !o.positional) s += " (required)";
  if (!o.aliases.empty()) {
    std::vector<std::string> al;
    for (const auto& a : o.aliases) al.push_back("`--" + a + "`");
    s += fmt::format(" (also {})", fmt::join(al, ", "));
  }
  s += " |";
  std::string out;
  for (char ch : s) {
    if (ch == '\n') ch = ' ';
    out += ch;
  }
  return out;
}
}  // namespace

std::string cli_reference_markdown() {
  std::string md =
      "# Command reference\n\n"
      "Generated from the registry of capabilities by `panocarbon capabilities --markdown`; a test fails when this\n"
      "file and the program drift. Every command also takes the front-end options `--format "
      "{table,csv,json,xlsx}`,\n`--db PATH` and `--verbose`; they are not part of a capability's input schema.\n";
  Domain last = Domain::System;
  bool first = true;
  for (const auto& c : capabilities()) {
    if (first || c.domain != last) md += fmt::format("\n## Domain: {}\n", to_string(c.domain));
    first = false;
    last = c.domain;
    const auto& spec = c.spec();
    std::string usage = "panocarbon " + c.name;
    for (const auto& o : spec.options)
      if (o.positional) usage += " " + [&] {
        std::string u = o.name;
        for (auto& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        return u;
      }();
    md += fmt::format("\n### `{}`\n\n{}\n\n", c.name, spec.summary);
    if (!c.description.empty()) md += c.description + "\n\n";
    md += fmt::format("Usage: `{} [OPTIONS]`\n\n", usage);
    md += "| option | meaning |\n|---|---|\n";
    for (const auto& o : spec.options)
      if (!o.frontend) md += option_line(o) + "\n";
    for (const auto& o : frontend_options(c))
      if (o.name != "format" && o.name != "db" && o.name != "verbose") md += option_line(o) + "\n";
    if (!c.example.empty()) {
      std::vector<std::string> words;
      for (const auto& w : c.example) words.push_back(w.find(' ') == std::string::npos ? w : "\"" + w + "\"");
      md += fmt::format("\nExample: `panocarbon {} {}`\n", c.name, fmt::join(words, " "));
    }
  }
  // The front ends that are commands of their own (not capabilities): `serve`.
  md += "\n## Front ends\n\nCommands that offer the capabilities above in another way; they are not capabilities "
        "themselves.\n";
  for (const auto& spec : frontend_commands()) {
    md += fmt::format("\n### `{}`\n\n{}\n\nUsage: `panocarbon {} [OPTIONS]`\n\n", spec.name, spec.summary, spec.name);
    md += "| option | meaning |\n|---|---|\n";
    for (const auto& o : spec.options) md += option_line(o) + "\n";
  }
  if (!frontend_commands().empty())
    md += "\nThe HTTP API that `serve` offers is described in docs/api.md.\n";
  return md;
}

std::string completion_script(std::string_view shell) {
  std::map<std::string, std::vector<std::string>> groups;  // group -> leaves ("" for top-level commands)
  std::vector<std::string> top;
  for (const auto& c : capabilities()) {
    const auto sp = c.name.find(' ');
    const std::string g = sp == std::string::npos ? c.name : c.name.substr(0, sp);
    if (std::find(top.begin(), top.end(), g) == top.end()) top.push_back(g);
    if (sp != std::string::npos) groups[g].push_back(c.name.substr(sp + 1));
  }
  for (const auto& spec : frontend_commands()) top.push_back(spec.name);
  auto frontend_options_of = [](const CommandSpec& spec) {
    std::vector<std::string> o;
    for (const auto& s : spec.options) o.push_back("--" + s.name);
    o.push_back("--help");
    return o;
  };
  auto options_of = [](const Capability& c) {
    std::vector<std::string> o;
    for (const auto& s : c.spec().options)
      if (!s.positional) o.push_back("--" + s.name);
    for (const auto& s : frontend_options(c))
      if (std::find(o.begin(), o.end(), "--" + s.name) == o.end()) o.push_back("--" + s.name);
    o.push_back("--help");
    return o;
  };
  if (shell == "bash") {
    std::string s = "# bash completion for panocarbon (generated: panocarbon completion bash)\n_panocarbon() {\n"
                    "  local cur=${COMP_WORDS[COMP_CWORD]} w1=${COMP_WORDS[1]} w2=${COMP_WORDS[2]}\n"
                    "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n";
    s += fmt::format("    COMPREPLY=($(compgen -W \"{} --help --version\" -- \"$cur\")); return\n  fi\n", fmt::join(top, " "));
    s += "  case \"$w1\" in\n";
    for (const auto& [g, leaves] : groups)
      s += fmt::format("    {}) if [ \"$COMP_CWORD\" -eq 2 ]; then COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return; fi;;\n", g,
                       fmt::join(leaves, " "));
    s += "  esac\n  local cmd=\"$w1\"\n  case \"$w1\" in\n";
    for (const auto& [g, leaves] : groups) s += fmt::format("    {}) cmd=\"$w1 $w2\";;\n", g);
    s += "  esac\n  case \"$cmd\" in\n";
    for (const auto& c : capabilities())
      s += fmt::format("    \"{}\") COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"));;\n", c.name, fmt::join(options_of(c), " "));
    for (const auto& spec : frontend_commands())
      s += fmt::format("    \"{}\") COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"));;\n", spec.name,
                       fmt::join(frontend_options_of(spec), " "));
    s += "  esac\n  if [ ${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- \"$cur\")); fi\n}\n"
         "complete -o filenames -F _panocarbon panocarbon\n";
    return s;
  }
  if (shell == "zsh") {
    std::string s = "#compdef panocarbon\n# zsh completion for panocarbon (generated: panocarbon completion zsh)\n"
                    "_panocarbon() {\n  local -a cmds\n";
    s += fmt::format("  if (( CURRENT == 2 )); then compadd -- {} --help --version; return; fi\n", fmt::join(top, " "));
    s += "  case $words[2] in\n";
    for (const auto& [g, leaves] : groups)
      s += fmt::format("    {}) if (( CURRENT == 3 )); then compadd -- {}; return; fi;;\n", g, fmt::join(leaves, " "));
    s += "  esac\n  local cmd=$words[2]\n  case $words[2] in\n";
    for (const auto& [g, leaves] : groups) s += fmt::format("    {}) cmd=\"$words[2] $words[3]\";;\n", g);
    s += "  esac\n  case $cmd in\n";
    for (const auto& c : capabilities())
      s += fmt::format("    \"{}\") compadd -- {};;\n", c.name, fmt::join(options_of(c), " "));
    for (const auto& spec : frontend_commands())
      s += fmt::format("    \"{}\") compadd -- {};;\n", spec.name, fmt::join(frontend_options_of(spec), " "));
    s += "  esac\n  _files\n}\ncompdef _panocarbon panocarbon\n";
    return s;
  }
  throw Error(ErrorCategory::InvalidInput, fmt::format("no completion for shell '{}'; use bash or zsh", shell),
              ErrorContext{{}, 0, 0, "shell"});
}

std::string man_page() {
  auto esc = [](std::string s) {
    std::string o;
    for (char ch : s) {
      if (ch == '\\') o += "\\e";
      else if (ch == '-') o += "\\-";
      else o += ch;
    }
    if (!o.empty() && (o[0] == '.' || o[0] == '\'')) o = "\\&" + o;
    return o;
  };
  std::string m = fmt::format(".TH PANOCARBON 1 \"\" \"panocarbon {}\" \"User Commands\"\n", version());
  m += ".SH NAME\npanocarbon \\- panoramic carbon accounting: IPCC inventories, MRIO, LCA, natural fluxes, uncertainty\n";
  m += ".SH SYNOPSIS\n.B panocarbon\n.I COMMAND\n[\\fIOPTIONS\\fR]\n";
  m += ".SH DESCRIPTION\nEvery command is a capability of one registry; its options are its input, and "
       "\\fB\\-\\-format\\fR table, csv, json or xlsx chooses the rendering. Errors name the file, line and field "
       "and exit non\\-zero (2 input, 3 not found, 4 unit, 5 data, 6 I/O, 7 database, 70 internal).\n";
  m += ".SH COMMANDS\n";
  for (const auto& c : capabilities()) {
    m += fmt::format(".SS {}\n{}\n", esc(c.name), esc(c.spec().summary));
    for (const auto& o : c.spec().options) {
      if (o.frontend) continue;
      m += fmt::format(".TP\n.B {}\n{}\n", esc(o.positional ? o.name : "--" + o.name), esc(o.description));
    }
  }
  for (const auto& spec : frontend_commands()) {
    m += fmt::format(".SS {}\n{}\n", esc(spec.name), esc(spec.summary));
    for (const auto& o : spec.options) m += fmt::format(".TP\n.B {}\n{}\n", esc("--" + o.name), esc(o.description));
  }
  m += ".SH ENVIRONMENT\n.TP\n.B PANOCARBON_DB\nThe database file when \\fB\\-\\-db\\fR is not given.\n";
  m += ".TP\n.B PANOCARBON_TOKEN\nThe token of \\fBserve\\fR when \\fB\\-\\-token\\fR is not given.\n";
  m += ".TP\n.B PANOCARBON_WEB\nThe web app's folder for \\fBserve\\fR when \\fB\\-\\-web\\fR is not given.\n";
  m += ".SH SEE ALSO\nThe command reference docs/cli-reference.md and the method pages under docs/.\n";
  return m;
}

}  // namespace panocarbon
