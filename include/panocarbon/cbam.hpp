// The EU carbon border adjustment mechanism (docs/cbam.md): CN codes of CBAM goods, countries of origin, the
// definitive-period default values (Implementing Regulation (EU) 2025/2621) and their mark-up schedule, the
// comparison of a default with an actual value, and the specific embedded emissions of the goods of an
// installation by the methodology of Regulation (EU) 2023/956 Annex IV and Implementing Regulation (EU) 2023/1773
// Annex III. Pure maths apart from parsing; the tables are the embedded data/cbam/*.csv.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace panocarbon::cbam {

// Goods categories of Regulation (EU) 2023/956 Annex I.
enum class Category { Cement, IronSteel, Aluminium, Fertilisers, Hydrogen, Electricity };
const char* to_string(Category c) noexcept;           // "cement", "iron_steel", ...
Category parse_category(std::string_view name);       // Error{InvalidInput} with the accepted names
// The category of a CN code (digits): 2523 cement, 2601 12 and chapters 72, 73 iron and steel, 76 aluminium,
// 2808, 2814, 2834 21, 3102, 3105 fertilisers, 2804 10 hydrogen, 2716 electricity. nullopt: not a CBAM good.
std::optional<Category> category_of(std::string_view cn_digits);
// Regulation (EU) 2023/956 Annex II: for iron and steel, aluminium and hydrogen only direct emissions count;
// for cement and fertilisers direct and indirect (electricity) emissions count.
bool counts_indirect(Category c) noexcept;

// A CN code as digits: "2523 29 00", "2523.29.00" and "25232900" give "25232900". Error{InvalidInput} unless it
// is 2 to 10 digits once spaces and dots are removed.
std::string normalise_cn(std::string_view code);

// A country of origin: ISO 3166-1 alpha-2 ("CN"), alpha-3 ("CHN") or English name ("China", any case, also the
// common names of data/country_aliases.csv). Error{NotFound} with the nearest names.
struct Country {
  std::string alpha2, alpha3, name;
};
Country parse_country(std::string_view text);

// One default value: t CO2e per t of good, before the mark-up.
struct DefaultValue {
  std::string cn_code;      // digits
  std::string description;
  Category category = Category::Cement;
  std::string country;      // ISO alpha-3
  double direct = 0;
  std::optional<double> indirect;  // none where the annex gives none (goods of Annex II)
  double total = 0;
  std::string route;        // the annex's production-route letter, where it gives one
  std::string source;
  // What counts for the certificates: the published total where the category counts indirect emissions (the
  // annex rounds direct, indirect and total each to its decimals, so total may differ from their sum by 0.01),
  // else the direct value.
  double counted() const { return counts_indirect(category) ? total : direct; }
};

struct MarkupRow {
  Category category = Category::Cement;
  int from_year = 0, to_year = 0;  // to_year 0: open-ended
  double pct = 0;
  std::string source;
};

struct DefaultTable {
  std::vector<DefaultValue> rows;
  std::vector<MarkupRow> markups;
};

// Parses data/cbam/default_values.csv and data/cbam/markup_schedule.csv (Error{Data} with file, line, field).
DefaultTable parse_default_table(std::string_view defaults_csv, std::string_view markup_csv,
                                 const std::string& defaults_name = "default_values.csv",
                                 const std::string& markup_name = "markup_schedule.csv");
const DefaultTable& default_table();  // the embedded tables

// The mark-up in percent for a year of import and a category (Error{InvalidInput} before 2026, Error{NotFound}
// for a category the schedule does not cover, e.g. electricity).
double markup_pct(const DefaultTable& t, Category c, int year);
const MarkupRow& markup_row(const DefaultTable& t, Category c, int year);

// The rows of `country` (alpha-3) that a code names: the longest code of the table that is a prefix of, or
// equal to, the code; else every sub-code of the code (the code is a prefix of theirs). Empty: none.
std::vector<const DefaultValue*> match(const DefaultTable& t, const std::string& country, std::string_view cn_digits);
// Exactly one row: Error{NotFound} naming the nearest codes of the country's table (with descriptions), or
// Error{InvalidInput} when the code covers several rows (naming them).
const DefaultValue& lookup(const DefaultTable& t, const Country& country, std::string_view code);

// Default (with the year's mark-up) against an actual value.
struct Comparison {
  DefaultValue row;
  Country country;
  int year = 0;
  double default_t = 0;               // row.counted(): the scopes the category counts
  double markup_pct = 0;
  std::string markup_source;
  double default_with_markup_t = 0;   // default_t x (1 + markup_pct / 100)
  std::optional<double> actual_t;
  std::string actual_source;          // "given", or the route and what was counted
  double ets_price_eur = 0;
  // With an actual value:
  double difference_t() const { return actual_t ? default_with_markup_t - *actual_t : 0; }
  double base_gap_t() const { return actual_t ? default_t - *actual_t : 0; }      // default minus actual
  double markup_t() const { return default_with_markup_t - default_t; }          // the designed mark-up
  double cost_difference_eur() const { return difference_t() * ets_price_eur; }
  std::vector<std::string> report;    // which is lower and why, which scopes count
};
Comparison compare(const DefaultTable& t, const Country& country, std::string_view code, int year,
                   std::optional<double> actual, double ets_price_eur, std::string actual_source = "given");

// ---- embedded emissions of an installation (Implementing Regulation (EU) 2023/1773 Annex III) -------------------

// One production process (Annex III: a "production process" of the goods of one aggregated goods category).
struct ProcessResult {
  std::string id, good, description;
  Category category = Category::Cement;
  double activity_level_t = 0;         // AL
  double direct_t = 0;                 // attributed direct emissions AttrEm (after heat and electricity adjustments)
  double source_stream_t = 0;          // of which from source streams (or given)
  double heat_imported_t = 0, heat_exported_t = 0;
  double electricity_produced_t = 0;   // Em_el,prod: emissions of electricity produced in the process (subtracted)
  double electricity_mwh = 0, electricity_factor = 0;
  double indirect_t = 0;               // electricity x its factor
  double precursor_direct_t = 0, precursor_indirect_t = 0;  // sum M_i x SEE_i (direct, indirect)
  double see_direct = 0, see_indirect = 0, see_total = 0;  // t CO2e per t of good
  bool indirect_counts = true;         // Annex II
  double see_counted = 0;              // what counts for the certificates
  struct Precursor {
    std::string name, from;            // from: the process id, or "purchased"
    double mass_t = 0, see_direct = 0, see_indirect = 0;
  };
  std::vector<Precursor> precursors;
};

struct InstallationResult {
  std::string name, country;
  std::vector<ProcessResult> processes;  // in the order computed (precursors first)
  double total_direct_t = 0, total_indirect_t = 0;  // the installation's own emissions (sum over processes)
};

// Parses and computes. Error{InvalidInput} naming the file and the JSON field (e.g. processes[1].precursors[0]
// .mass_t) and what is expected; a precursor cycle names the processes.
InstallationResult embedded_emissions(std::string_view json_text, const std::string& source_name);

}  // namespace panocarbon::cbam
