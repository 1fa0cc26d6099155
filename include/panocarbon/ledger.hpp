// The panoramic ledger (issue 13): per country and year, the production side, the consumption side and its gap
// to production, emissions embodied in imports and exports with the trade partners, sectors, and the natural
// side, each with its unit, range and provenance (dataset, version, run id). One row per indicator and source:
// sources are never mixed (docs/ledger.md).
//
// Sources: `wiod2013-co2/<year>` (the regional accounts of an MRIO year folder, computed by the MRIO engine:
// compute_accounts, pymrio's D_*_reg), `gcb2019` (Global Carbon Budget 2019 national series, MtC x 44/12),
// `natural/run-<id>` and `inventory/run-<id>` (stored runs). Every value is in Mt CO2; per capita in t CO2 per
// person (population: data/population.csv, World Bank SP.POP.TOTL).
#pragma once
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "panocarbon/gwp.hpp"
#include "panocarbon/mrio.hpp"
#include "panocarbon/natural_fluxes.hpp"

namespace panocarbon::ledger {

inline constexpr const char* kUnit = "Mt CO2";
inline constexpr const char* kPerCapitaUnit = "t CO2/person";
inline constexpr double kCarbonToCo2 = 44.0 / 12.0;  // molar masses of CO2 and C

struct Value {
  std::string country;    // ISO 3166-1 alpha-3 ("RoW" for WIOD's rest of the world, "World" for GCB's total)
  int year = 0;
  std::string indicator;  // production, consumption, imports, exports, net_transfer, *_per_capita, natural, ...
  double value = 0;
  std::string unit = kUnit;
  double lower = std::numeric_limits<double>::quiet_NaN();  // 2.5 % (NaN: no range computed)
  double upper = std::numeric_limits<double>::quiet_NaN();  // 97.5 %
  std::string side;        // production | consumption | trade | natural
  std::string gwp;         // GWP set of a CO2e value; "" for CO2 alone
  std::string note;
};

// Bilateral embodied emissions of `country` with `partner` (MRIO only): exports = emitted in country for the
// partner's final demand; imports = emitted in the partner for country's final demand.
struct Partner {
  std::string country;
  int year = 0;
  std::string partner;
  double exports = 0, imports = 0;
};

// Production by industry (the region's F row of that industry) and consumption by product (emissions embodied
// in the region's final demand for that product, from any region: sum over s of M_(s,j) y_(s,j),r); the row
// "FY" holds the direct emissions of final demand (F_Y), so that the sectors sum to production and consumption.
struct Sector {
  std::string country;
  int year = 0;
  std::string sector, sector_name;
  double production = 0, consumption = 0;
};

// One source of the ledger with its rows (what `ledger build` stores and replaces as a whole).
struct Table {
  std::string source;    // "wiod2013-co2/2009", "gcb2019"
  std::string dataset;   // "wiod2013-co2", "gcb2019"
  std::string version;
  std::string citation;
  std::string path;      // what it was built from
  int64_t run_id = 0;    // the run that stored it (filled when read back)
  std::vector<Value> values;
  std::vector<Partner> partners;
  std::vector<Sector> sectors;
};

// --- computing ---------------------------------------------------------------------------------------------

// Which stressor of an MRIO system is CO2: the first stressor of any extension named CO2 (or "CO2|..."),
// with its unit's factor to Mt (kt: 1e-3, t: 1e-6, Mt: 1, kg: 1e-9, Gg: 1e-3). Throws Error{InvalidInput}
// naming `where` and the stressors found when there is none.
struct Co2Stressor {
  size_t extension = 0, row = 0;
  std::string name, unit;
  double to_mt = 1;
};
Co2Stressor find_co2(const MrioSystem& system, const std::string& where);

// The regional ledger of one MRIO year from its accounts (compute_accounts with the CO2 stressor; F_Y in
// production and consumption), in Mt CO2: values (production, consumption, imports, exports, net_transfer),
// partners (from the bilateral matrix) and sectors. Regions are ISO alpha-3 (iso_region: WIOD's ROM is ROU) or RoW.
// The table's source, dataset and version are left to the caller.
Table mrio_table(const MrioSystem& system, const MrioAccounts& accounts, const Co2Stressor& co2, int year);
// The ISO 3166-1 alpha-3 code of an MRIO region as the ledger stores it: WIOD's ROM (Romania's code before 2002)
// is ROU; other codes pass unchanged (RoW stays RoW).
std::string iso_region(const std::string& region);

// The WIOD 2013 industry (c1 .. c35) of a sector label ("E" -> {"c17", "Electricity, Gas and Water Supply"});
// other labels are returned as they are.
std::pair<std::string, std::string> wiod_sector(const std::string& label);
// The name of a WIOD industry code ("c17" -> "Electricity, Gas and Water Supply"); other codes as they are.
std::string wiod_sector_name(const std::string& code);
// The name of a sector code of a dataset: FY, IPCC categories of inventory sources, WIOD industries.
std::string sector_name(const std::string& dataset, const std::string& code);

// The note and the side (production, consumption, trade, natural) that every row of an indicator gets, for a
// dataset ("gcb2019", else an MRIO dataset).
std::string standard_note(const std::string& dataset, const std::string& indicator);
std::string standard_side(const std::string& indicator);

// Per-capita rows (t CO2 per person) for the production and consumption values of countries whose population
// is known for the year; population[country][year].
using Population = std::map<std::string, std::map<int, double>>;
Population load_population();  // data/population.csv (compiled in)
void add_per_capita(Table& table, const Population& population);

// Names of countries: data/iso3166.csv (alpha3 -> name), plus "RoW" and "World".
const std::map<std::string, std::string>& country_names();
std::string country_name(const std::string& code);

// --- GCB 2019 ----------------------------------------------------------------------------------------------

// The GCB table from the national series read by io (read_gcb2019): production (territorial), consumption
// and net_transfer (emission transfers = consumption - territorial), in Mt CO2 (MtC x 44/12). Countries are
// the ISO 3166-1 alpha-3 codes of the files and "World"; regional groups (Africa, OECD, EUU, Bunkers,
// Statistical Difference, ...) are left out. `from_year` drops earlier years (0 = all).
Table gcb_table(const std::filesystem::path& folder, int from_year = 0);

// --- stored runs: the natural side and inventories -------------------------------------------------------------

// The ISO 3166-1 alpha-3 code that a stored region or country names: the code itself, or a country name of
// data/iso3166.csv (any case), or "World"; "" when it names none (a GFED basis region, a made-up code).
std::string country_code(const std::string& region);

// The natural side of one stored natural run (its natural_fluxes records): per country and year, in Mt CO2-e with
// the GWP100 set, the indicators natural (every record), natural_managed (records on managed land: the national
// inventory view), natural_direct_anthropogenic (the global carbon budget view) and natural_remainder (neither),
// with their ranges, through natural::natural_account (docs/natural-account.md). Annual records only where a
// country and year have any (else the months are summed). Records whose region is no country are left out and
// counted in `skipped`. Source natural/run-<id>.
Table natural_table(int64_t run_id, const std::string& command, const std::vector<NaturalFluxRecord>& records,
                    const GwpSet& set, size_t* skipped = nullptr);

// A stored `inventory calc` run of one country and year (its results: CO2e per IPCC category, in t).
struct InventoryRun {
  int64_t run_id = 0;
  std::string country_year;  // the run's summary country_years[0]: "CHN 2009"
  std::string gwp;           // the run's --gwp
  std::vector<std::pair<std::string, double>> categories;  // IPCC code -> t CO2-e ("0" or the top level: total)
};
// Its production side: indicator production (the sum of the top-level categories, Mt CO2-e) and sectors by IPCC
// category (production only). Nothing when the run names no country of the ledger or no year. Source
// inventory/run-<id>.
std::optional<Table> inventory_table(const InventoryRun& run);

// --- the default dataset's layout (data/ledger/) -------------------------------------------------------------

// A folder in the layout that `ledger export` writes: sources.csv (source,dataset,version,citation), values.csv
// (source,country,year,indicator,value,lower,upper,unit,gwp,note; unit empty = Mt CO2; the note only where it adds
// to the indicator's standard note, e.g. GCB's CDIAC, UNFCCC or BP), partners.csv (source,country,year,partner,
// exports,imports), sectors.csv (source,country,year,measure,<sector>...: one row per measure, production or
// consumption, one column per sector, empty where a source has no such sector). Numbers with 9 significant digits.
bool is_export_folder(const std::filesystem::path& folder);
// Reads such a folder (file contents by name: "sources.csv" ...), one Table per source; errors name the file,
// line and field. Per-capita rows are not in the files: the loader adds them (add_per_capita).
std::vector<Table> read_export(const std::map<std::string, std::string>& files, const std::string& where);
// Writes the tables in that layout; partners: the top `top_partners` per country and year by exports + imports
// (0 = all). Numbers with 10 significant digits. Returns the files written (names).
std::vector<std::string> write_export(const std::vector<Table>& tables, const std::filesystem::path& folder,
                                      size_t top_partners);
// The default dataset compiled into the binary (data/ledger/), by file name.
std::map<std::string, std::string> embedded_default();

// --- build -------------------------------------------------------------------------------------------------

// What `ledger build PATH` finds under a path: an MRIO year folder (pymrio layout with a CO2 extension), a
// folder of such year folders, a GCB 2019 folder (territorial-emissions.csv ...), or an export folder
// (data/ledger). Throws Error{InvalidInput} naming the path and listing what ledger build reads when it
// finds nothing.
struct Found {
  enum class Kind { MrioYear, Gcb, Export } kind;
  std::filesystem::path path;
  std::string dataset;  // MRIO: the parent folder's name ("wiod2013-co2"); GCB: "gcb2019"
  int year = 0;         // MRIO: the folder's year
};
std::vector<Found> scan(const std::filesystem::path& path);

struct BuildOptions {
  int threads = 0;       // years in parallel (0 = all cores)
  uint64_t draws = 0;    // Monte Carlo draws for the MRIO ranges (0 = none)
  uint64_t seed = 0;
  bool progress = false;
  int gcb_from_year = 0;  // 0 = every year of the files
};

// Computes every source found: MRIO years in parallel over threads and MPI ranks (every rank gets every
// table; identical numbers either way), or with draws > 0 year by year with the draws in parallel.
std::vector<Table> build(const std::vector<Found>& found, const BuildOptions& options);

}  // namespace panocarbon::ledger
