// Avoided emissions of exported clean-energy products (PV modules, wind turbines) by destination: a ledger of
// its own, never netted against any inventory (WBCSD 2023, Guidance on Avoided Emissions). For each row:
//
//   first-year generation  G1 = capacity_mw x capacity_factor x 8760 h                         (MWh)
//   generation of year k   Gk = G1 x (1 - d)^k,  k = 0 .. L-1, d = degradation_pct_per_year / 100
//   first-year avoided     A1 = G1 x grid_factor_t_per_mwh                                      (t CO2)
//   lifetime avoided       A  = sum_k A1 x (1 - d)^k = A1 x (1 - (1 - d)^L) / d  (A1 x L when d = 0)
//   manufacturing          M  = capacity_mw x manufacturing_t_per_mw                             (t CO2e)
//   net lifetime avoided   N  = A - M
//   payback                P  = M / A1                                                           (years)
//
// A year is 8760 h (365 days; leap days are not counted). The lifetime is a whole number of years. The total
// row sums the rows; its payback is the fleet's: total manufacturing over total first-year avoided (not the
// mean of the rows' paybacks). docs/avoided.md has the method, its conventions and a worked example.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon::avoided {

constexpr double kHoursPerYear = 8760.0;  // 365 x 24: the convention of every annual figure here
constexpr int kMaxLifetimeYears = 100;

// One input row as read from the CSV (line: where it starts in the file, for messages).
struct Product {
  std::string product, destination;
  double capacity_mw = 0;
  double capacity_factor = 0;        // (0, 1]
  int lifetime_years = 0;            // 1 .. kMaxLifetimeYears
  double grid_factor_t_per_mwh = 0;  // >= 0: the grid emission factor the product's output displaces
  double manufacturing_t_per_mw = 0; // >= 0: cradle-to-gate footprint per MW of capacity
  double degradation_pct_per_year = 0;  // [0, 100)
  std::string source;                   // optional column `source`: where the row's numbers come from
  long line = 0;
};

// One output row (and the total row, product "total").
struct Row {
  std::string product, destination;
  double annual_generation_mwh = 0;  // first year
  double annual_avoided_t = 0;       // first year
  double lifetime_avoided_t = 0;
  double manufacturing_t = 0;
  double net_lifetime_avoided_t = 0;
  double payback_years = 0;  // NaN when nothing is avoided in the first year (grid factor 0)
};

struct Ledger {
  std::vector<Product> inputs;
  std::vector<Row> rows;
  Row total;
};

// The CSV columns, in the order of the contract; the last two (degradation_pct_per_year, source) are optional.
const std::vector<std::string>& input_columns();

// Reads the input CSV (header: the columns above in any order; degradation_pct_per_year and source optional:
// source is free text citing where the row's numbers come from, carried into the JSON). Every bad
// row is reported in one Error{InvalidInput} (up to 20), each with the file, line, column and field.
std::vector<Product> read_products(std::string_view text, const std::string& source);

// The arithmetic of one row (no I/O); the inputs must be valid (read_products checks them).
Row compute(const Product& p);
// Every row and the total.
Ledger compute(std::vector<Product> products);

// The output CSV header, exactly: product,destination,annual_generation_mwh,annual_avoided_t,
// lifetime_avoided_t,manufacturing_t,net_lifetime_avoided_t,payback_years
const char* output_header();

}  // namespace panocarbon::avoided
