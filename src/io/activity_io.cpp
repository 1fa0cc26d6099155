// Readers of activity-data files (CSV and JSON) into ActivityData; every bad row is reported in one run.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/provenance.hpp"
#include "core/embedded.hpp"

namespace panocarbon {

StringPool::StringPool() {
  storage_.emplace_back();
  views_.push_back(storage_.back());
  ids_.emplace(views_.back(), 0);
}

uint32_t StringPool::intern(std::string_view s) {
  const auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  storage_.emplace_back(s);
  const auto id = static_cast<uint32_t>(views_.size());
  views_.push_back(storage_.back());
  ids_.emplace(views_.back(), id);
  return id;
}

const std::vector<std::string>& activity_columns() {
  static const std::vector<std::string> cols = {
      "category", "activity",      "amount",          "unit",             "country", "year",
      "gas",      "technology",    "factor",          "factor_unit",      "factor_source",
      "uncertainty_pct",           "oxidation_factor", "parameters", "note"};
  return cols;
}

ErrorContext ActivityData::where(const ActivityRow& r, std::string_view column) const {
  const auto it = column_of.find(std::string(column));
  return ErrorContext{source, r.line, it == column_of.end() ? 0 : it->second, std::string(column)};
}

namespace {
enum Col : int { kCategory, kActivity, kAmount, kUnit, kCountry, kYear, kGas, kTechnology, kFactor,
                 kFactorUnit, kFactorSource, kUncertainty, kOxidation, kParameters, kNote, kNumCols };

// Where a field is, cheap to pass around; the ErrorContext (which copies strings) is built only when an
// error is thrown.
struct Where {
  const std::string& source;
  long line;
  long column;  // 0 for JSON
  std::string_view field;
  operator ErrorContext() const { return ErrorContext{source, line, column, std::string(field)}; }
};

// Sets one field of a row from text.
void set_field(ActivityData& d, ActivityRow& row, int col, std::string_view raw, const Where& ctx) {
  const std::string_view v = io::trim(raw);
  auto number = [&](double& out, bool allow_empty) {
    if (v.empty()) {
      if (allow_empty) return;
      throw Error(ErrorCategory::InvalidInput, fmt::format("the {} is empty; every row needs one", ctx.field), ctx);
    }
    out = io::finite_number(v, ctx);
  };
  switch (col) {
    case kCategory:
      if (v.empty()) throw Error(ErrorCategory::InvalidInput, "the IPCC category code is empty (e.g. 1.A.1.a)", ctx);
      row.category = d.strings.intern(v);
      break;
    case kActivity:
      if (v.empty()) throw Error(ErrorCategory::InvalidInput, "the activity (fuel or product) is empty", ctx);
      row.activity = d.strings.intern(v);
      break;
    case kAmount:
      number(row.amount, false);
      if (row.amount < 0)
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("amount {} is negative; activity data must be zero or positive (report removals "
                                "and recoveries in their own categories)", v), ctx);
      break;
    case kUnit:
      if (v.empty()) throw Error(ErrorCategory::InvalidInput, "the unit is empty (e.g. t, TJ, kt)", ctx);
      row.unit = d.strings.intern(v);
      break;
    case kCountry: row.country = d.strings.intern(v); break;
    case kYear:
      if (!v.empty()) {
        int y = 0;
        const auto r = std::from_chars(v.data(), v.data() + v.size(), y);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size() || y < 1750 || y > 2200)
          throw Error(ErrorCategory::InvalidInput, fmt::format("year '{}' is not a year between 1750 and 2200", clip_input(v)), ctx);
        row.year = y;
      }
      break;
    case kGas: row.gas = d.strings.intern(v); break;
    case kTechnology: row.technology = d.strings.intern(v); break;
    case kFactor:
      number(row.factor, true);
      if (!std::isnan(row.factor) && row.factor < 0)
        throw Error(ErrorCategory::InvalidInput, fmt::format("factor {} is negative", v), ctx);
      break;
    case kFactorUnit: row.factor_unit = d.strings.intern(v); break;
    case kFactorSource: row.factor_source = d.strings.intern(v); break;
    case kUncertainty:
      number(row.uncertainty_pct, true);
      if (!std::isnan(row.uncertainty_pct) && row.uncertainty_pct < 0)
        throw Error(ErrorCategory::InvalidInput, fmt::format("uncertainty_pct {} is negative", v), ctx);
      break;
    case kOxidation:
      number(row.oxidation_factor, true);
      if (!std::isnan(row.oxidation_factor) && (row.oxidation_factor <= 0 || row.oxidation_factor > 1))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("oxidation_factor {} must be in (0, 1]", v), ctx);
      break;
    case kParameters: row.parameters = d.strings.intern(v); break;
    case kNote: row.note = d.strings.intern(v); break;
    default: break;
  }
}

int column_index(std::string_view name) {
  const auto& cols = activity_columns();
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == name) return static_cast<int>(i);
  return -1;
}

void check_row(const ActivityData& d, const ActivityRow& row) {
  if (!std::isnan(row.factor)) {
    if (row.gas == 0)
      throw Error(ErrorCategory::InvalidInput,
                  "a row with its own factor must name the gas the factor is for (column gas)", d.where(row, "gas"));
    if (row.factor_unit == 0)
      throw Error(ErrorCategory::InvalidInput,
                  "a row with its own factor must give factor_unit (e.g. kg/TJ, t/t)", d.where(row, "factor_unit"));
  } else if (row.factor_unit != 0) {
    throw Error(ErrorCategory::InvalidInput, "factor_unit is given but factor is empty; give both or neither",
                d.where(row, "factor"));
  }
}

std::string unknown_column_message(std::string_view name) {
  return fmt::format("unknown column '{}'; the columns are {} (required: category, activity, amount, unit)",
                     clip_input(name),
                     fmt::join(activity_columns(), ", "));
}
}  // namespace


ActivityData read_activity_csv(std::string_view text, std::string source_name) {
  ActivityData d;
  d.source = source_name;
  io::CsvReader r(text, std::move(source_name));
  if (!r.next())
    throw Error(ErrorCategory::InvalidInput, "the file is empty; it needs a header line: category,activity,amount,unit",
                r.context());
  std::vector<int> map;  // file column -> Col
  std::vector<std::string_view> names;  // file column -> column name
  for (size_t i = 0; i < r.fields().size(); ++i) {
    const std::string name = io::to_lower(io::trim(r.fields()[i]));
    const int c = column_index(name);
    if (c < 0)
      throw Error(ErrorCategory::InvalidInput, unknown_column_message(name),
                  r.context(static_cast<long>(i) + 1, clip_input(name)));
    if (d.column_of.count(name))
      throw Error(ErrorCategory::InvalidInput, fmt::format("column '{}' appears twice", clip_input(name)),
                  r.context(static_cast<long>(i) + 1, clip_input(name)));
    d.column_of[name] = static_cast<long>(i) + 1;
    map.push_back(c);
    names.push_back(activity_columns()[static_cast<size_t>(c)]);
  }
  for (const char* req : {"category", "activity", "amount", "unit"})
    if (!d.column_of.count(req))
      throw Error(ErrorCategory::InvalidInput, fmt::format("the required column '{}' is missing from the header", req),
                  r.context(0, req));
  d.rows.reserve(text.size() / 40);
  // Every bad row is reported in one run (up to kMaxRowErrors), not only the first.
  std::vector<Error> bad;
  size_t n_bad = 0;
  while (r.next()) {
    try {
      const auto& f = r.fields();
      r.require_fields(map.size());
      ActivityRow row;
      row.line = static_cast<uint32_t>(r.line());
      for (size_t i = 0; i < f.size(); ++i)
        set_field(d, row, map[i], f[i], Where{d.source, r.line(), static_cast<long>(i) + 1, names[i]});
      check_row(d, row);
      d.rows.push_back(row);
    } catch (const Error& e) {
      if (e.category() != ErrorCategory::InvalidInput) throw;
      if (bad.size() < io::kMaxRowErrors) bad.push_back(e);
      ++n_bad;
    }
  }
  io::throw_row_errors(bad, n_bad);
  return d;
}

ActivityData read_activity_json(std::string_view text, std::string source_name) {
  ActivityData d;
  d.source = source_name;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for huge numbers
    throw Error(ErrorCategory::InvalidInput, fmt::format("not valid JSON ({})", clip_input(e.what(), 300)), ErrorContext{d.source});
  }
  const nlohmann::json* rows = &j;
  if (j.is_object() && j.contains("rows")) rows = &j["rows"];
  if (!rows->is_array())
    throw Error(ErrorCategory::InvalidInput,
                "expected a JSON array of activity objects, or an object with a \"rows\" array", ErrorContext{d.source});
  for (const auto& c : activity_columns()) d.column_of[c] = 0;
  uint32_t index = 0;
  for (const auto& obj : *rows) {
    ++index;
    ActivityRow row;
    row.line = index;  // for JSON, "line" is the 1-based position in the array
    const ErrorContext at_row{d.source, index, 0, {}};
    if (!obj.is_object()) throw Error(ErrorCategory::InvalidInput, "each row must be a JSON object", at_row);
    for (const char* req : {"category", "activity", "amount", "unit"})
      if (!obj.contains(req))
        throw Error(ErrorCategory::InvalidInput, fmt::format("row {} has no '{}'", index, req), ErrorContext{d.source, index, 0, req});
    for (const auto& [k, v] : obj.items()) {
      const int c = column_index(k);
      const std::string key = clip_input(k);
      const Where ctx{d.source, index, 0, key};
      if (c < 0) throw Error(ErrorCategory::InvalidInput, unknown_column_message(k), ctx);
      if (v.is_null()) continue;
      std::string text_value = v.is_string() ? v.get<std::string>() : v.dump();
      if (k == "parameters" && v.is_object()) {  // {"clinker_fraction": 0.75} -> clinker_fraction=0.75
        text_value.clear();
        for (const auto& [pk, pv] : v.items()) text_value += (text_value.empty() ? "" : ";") + pk + "=" + pv.dump();
      }
      set_field(d, row, c, text_value, ctx);
    }
    check_row(d, row);
    d.rows.push_back(row);
  }
  return d;
}

ActivityData read_activity_file(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  // The data keeps views into its own string pool, so the text may go out of scope afterwards.
  if (path.extension() == ".json" || path.extension() == ".JSON") return read_activity_json(text, path.string());
  return read_activity_csv(text, path.string());
}

std::string_view example_inventory_csv() { return detail::embedded_file("inventory.csv"); }

}  // namespace panocarbon
