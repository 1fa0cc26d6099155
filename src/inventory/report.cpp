// Writers of inventory results: table (people), csv (spreadsheets, exact columns), json (programs).
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <charconv>
#include <ostream>

#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/inventory.hpp"

namespace panocarbon {

namespace {
// Shortest text that reads back as the same double.
void put_number(std::string& buf, double v) {
  char tmp[32];
  const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
  buf.append(tmp, r.ptr);
}

// JSON number as nlohmann::json writes it: shortest round-trip digits, ".0" on integral values.
void put_json_number(std::string& buf, double v) {
  const size_t start = buf.size();
  put_number(buf, v);
  if (buf.find_first_of(".eEn", start) == std::string::npos) buf += ".0";
}

void put_json_string(std::string& buf, std::string_view s) {
  buf += '"';
  for (char c : s) {
    switch (c) {
      case '"': buf += "\\\""; break;
      case '\\': buf += "\\\\"; break;
      case '\n': buf += "\\n"; break;
      case '\r': buf += "\\r"; break;
      case '\t': buf += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          buf += fmt::format("\\u{:04x}", static_cast<int>(c));
        else
          buf += c;
    }
  }
  buf += '"';
}

struct By {
  enum Kind { Row, Category, Gas, Level } kind = Row;
  int level = 0;
};
By parse_by(std::string_view by) {
  if (by == "row") return {By::Row};
  if (by == "category") return {By::Category};
  if (by == "gas") return {By::Gas};
  if (by.substr(0, 6) == "level=") {
    int n = 0;
    const auto s = by.substr(6);
    const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && n >= 1 && n <= 6) return {By::Level, n};
  }
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("--by '{}' is not one of row, category, gas, level=N (N = 1..6)", by),
              ErrorContext{{}, 0, 0, "by"});
}

nlohmann::json factor_json(const FactorLibrary& lib, const std::string& id) {
  const EmissionFactor* f = lib.find_factor(id);
  if (!f) return {{"id", id}, {"source", "user-supplied (Tier 2)"}};
  nlohmann::json j = {{"id", f->id},       {"value", f->value},         {"unit", f->unit},
                      {"gas", f->gas},     {"activity", f->activity},   {"category", f->category},
                      {"edition", f->edition}, {"citation", f->citation.text()}};
  if (!f->technology.empty()) j["technology"] = f->technology;
  if (!std::isnan(f->lower)) j["lower"] = f->lower;
  if (!std::isnan(f->upper)) j["upper"] = f->upper;
  return j;
}

void write_table_categories(std::ostream& out, const std::vector<CategoryTotal>& cats, const InventoryResult& r) {
  fmt::print(out, "{:<14} {:<52} {:>18}\n", "category", "title", fmt::format("t CO2e ({})", r.gwp_set));
  for (const auto& c : cats) {
    const std::string indent(static_cast<size_t>(std::max(0, c.level - 1)) * 2, ' ');
    std::string title = indent + c.title;
    if (title.size() > 52) title = title.substr(0, 49) + "...";
    fmt::print(out, "{:<14} {:<52} {:>18.3f}\n", c.code, title, c.co2e_t);
  }
}
}  // namespace

void require_single_country_year(const InventoryResult& r, std::string_view by) {
  if (by == "row" || r.country_years.size() <= 1) return;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("the rows cover {} country-years ({}{}); totals across countries or years are not an "
                          "inventory: choose one with --country and --year, or use --by row",
                          r.country_years.size(),
                          fmt::join(r.country_years.begin(), r.country_years.begin() + std::min<long>(5, static_cast<long>(r.country_years.size())), ", "),
                          r.country_years.size() > 5 ? fmt::format(", and {} more", r.country_years.size() - 5) : ""),
              ErrorContext{r.source, 0, 0, "by"});
}

void validate_inventory_output(std::string_view by, std::string_view format) {
  parse_by(by);
  if (format != "table" && format != "csv" && format != "json")
    throw Error(ErrorCategory::InvalidInput, fmt::format("--format '{}' is not table, csv or json", format),
                ErrorContext{{}, 0, 0, "format"});
}

void write_inventory(std::ostream& out, const ActivityData& data, const InventoryResult& r, const CategoryTree& tree,
                     const FactorLibrary& library, std::string_view by_text, std::string_view format,
                     const nlohmann::json& provenance) {
  validate_inventory_output(by_text, format);
  require_single_country_year(r, by_text);
  const By by = parse_by(by_text);
  std::vector<CategoryTotal> cats;
  if (by.kind == By::Category) cats = totals_by_category(r, tree);
  if (by.kind == By::Level) cats = totals_by_level(r, tree, by.level);

  if (format == "csv") {
    std::string buf;
    buf.reserve(1 << 16);
    auto flush = [&] {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    };
    if (by.kind == By::Row) {
      buf += "category,activity,gas,emissions_t,co2e_t,gwp,factor_id\n";
      for (const auto& l : r.lines) {
        const ActivityRow& row = data.rows[l.row];
        buf += tree.at(r.row_category[l.row]).code;
        buf += ',';
        buf += csv_field(data.str(row.activity));
        buf += ',';
        buf += r.str(l.gas);
        buf += ',';
        put_number(buf, l.emissions_t);
        buf += ',';
        put_number(buf, l.co2e_t);
        buf += ',';
        buf += r.gwp_set;
        buf += ',';
        buf += csv_field(r.str(l.factor));
        buf += '\n';
        if (buf.size() > (1 << 16) - 512) flush();
      }
    } else if (by.kind == By::Gas) {
      buf += "gas,emissions_t,co2e_t,gwp\n";  // every CO2e output names its GWP set
      for (const auto& g : totals_by_gas(r)) {
        buf += g.gas + ',';
        put_number(buf, g.emissions_t);
        buf += ',';
        put_number(buf, g.co2e_t);
        buf += ',' + r.gwp_set + '\n';
      }
    } else {
      buf += "category,co2e_t,gwp\n";
      for (const auto& c : cats) {
        buf += c.code + ',';
        put_number(buf, c.co2e_t);
        buf += ',' + r.gwp_set + '\n';
      }
    }
    flush();
    return;
  }

  if (format == "json") {
    nlohmann::json j = {{"source", r.source},
                        {"gwp", r.gwp_set},
                        {"edition", r.edition},
                        {"by", std::string(by_text)},
                        {"total_co2e_t", r.total_co2e_t},
                        {"memo", {{"co2_biogenic_t", r.memo_co2_biogenic_t},
                                  {"international_bunkers_co2e_t", r.memo_bunkers_co2e_t}}},
                        {"country_years", r.country_years},
                        {"warnings", r.warnings}};
    if (!provenance.is_null()) j["provenance"] = provenance;
    if (by.kind == By::Row) {
      // Rows are streamed: a million-row inventory must not become a million JSON objects in memory.
      auto factors = nlohmann::json::array();
      for (const auto& id : r.factor_ids_used) factors.push_back(factor_json(library, id));
      j["factors"] = factors;
      // The small part of the document is written by nlohmann::json around a placeholder for the rows.
      const std::string placeholder = "\"@rows@\"";
      j["rows"] = "@rows@";
      const std::string doc = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
      const size_t at = doc.find(placeholder);
      out.write(doc.data(), static_cast<std::streamsize>(at));
      out << "[";
      std::string buf;
      buf.reserve(1 << 16);
      bool first = true;
      for (const auto& l : r.lines) {
        const ActivityRow& row = data.rows[l.row];
        buf += first ? "\n    {" : ",\n    {";
        first = false;
        buf += "\"line\": ";
        buf += std::to_string(row.line);
        buf += ", \"category\": ";
        put_json_string(buf, tree.at(r.row_category[l.row]).code);
        buf += ", \"activity\": ";
        put_json_string(buf, data.str(row.activity));
        buf += ", \"gas\": ";
        put_json_string(buf, r.str(l.gas));
        buf += ", \"emissions_t\": ";
        put_json_number(buf, l.emissions_t);
        buf += ", \"gwp\": ";
        put_json_string(buf, r.gwp_set);
        buf += ", \"gwp_value\": ";
        put_json_number(buf, l.gwp);
        buf += ", \"co2e_t\": ";
        put_json_number(buf, l.co2e_t);
        buf += ", \"factor_id\": ";
        put_json_string(buf, r.str(l.factor));
        buf += ", \"memo\": ";
        put_json_string(buf, to_string(l.memo));
        if (row.country) {
          buf += ", \"country\": ";
          put_json_string(buf, data.str(row.country));
        }
        if (row.year) {
          buf += ", \"year\": ";
          buf += std::to_string(row.year);
        }
        buf += '}';
        if (buf.size() > (1 << 16) - 1024) {
          out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
          buf.clear();
        }
      }
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      out << "\n  ]";
      out << std::string_view(doc).substr(at + placeholder.size()) << '\n';
      return;
    } else if (by.kind == By::Gas) {
      auto gases = nlohmann::json::array();
      for (const auto& g : totals_by_gas(r))
        gases.push_back({{"gas", g.gas}, {"emissions_t", g.emissions_t}, {"co2e_t", g.co2e_t}, {"memo", to_string(g.memo)}});
      j["gases"] = gases;
    } else {
      auto arr = nlohmann::json::array();
      for (const auto& c : cats)
        arr.push_back({{"category", c.code}, {"title", c.title}, {"level", c.level}, {"co2e_t", c.co2e_t}});
      j["categories"] = arr;
    }
    auto factors = nlohmann::json::array();
    for (const auto& id : r.factor_ids_used) factors.push_back(factor_json(library, id));
    j["factors"] = factors;
    out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }

  // table
  fmt::print(out, "Inventory of {}{}  (GWP100 {}, IPCC {} defaults)\n", r.source,
             r.country_years.size() == 1 && r.country_years[0][0] != '(' ? " for " + r.country_years[0] : std::string(), r.gwp_set,
             r.edition == 2019 ? "2019 Refinement" : "2006");
  if (provenance.contains("run_id")) fmt::print(out, "run {}\n", provenance["run_id"].get<long long>());
  out << '\n';
  if (by.kind == By::Row) {
    fmt::print(out, "{:>6} {:<12} {:<28} {:<8} {:>16} {:>16}  {}\n", "line", "category", "activity", "gas",
               "emissions t", "t CO2e", "factor");
    for (const auto& l : r.lines) {
      const ActivityRow& row = data.rows[l.row];
      std::string act(data.str(row.activity));
      if (act.size() > 28) act = act.substr(0, 25) + "...";
      fmt::print(out, "{:>6} {:<12} {:<28} {:<8} {:>16.6g} {:>16.3f}  {}{}\n", row.line,
                 tree.at(r.row_category[l.row]).code, act, r.str(l.gas), l.emissions_t, l.co2e_t, r.str(l.factor),
                 l.memo != Memo::None ? "  (memo)" : "");
    }
  } else if (by.kind == By::Gas) {
    fmt::print(out, "{:<14} {:>18} {:>18}\n", "gas", "t", fmt::format("t CO2e ({})", r.gwp_set));
    for (const auto& g : totals_by_gas(r))
      fmt::print(out, "{:<14} {:>18.3f} {:>18.3f}{}\n", g.gas, g.emissions_t, g.co2e_t, g.memo != Memo::None ? "  (memo)" : "");
  } else {
    write_table_categories(out, cats, r);
  }
  fmt::print(out, "\nTotal {:.3f} t CO2e ({}); memo: biogenic CO2 {:.3f} t (not in the total)\n", r.total_co2e_t,
             r.gwp_set, r.memo_co2_biogenic_t);
  if (r.memo_bunkers_co2e_t > 0)
    fmt::print(out, "memo: international bunkers {:.3f} t CO2e (not in the total)\n", r.memo_bunkers_co2e_t);
  for (const auto& w : r.warnings) fmt::print(out, "warning: {}\n", w);
}

}  // namespace panocarbon
