// Fires on the natural side of the account (issue 6; docs/natural-fires.md).
// GFED method: monthly dry matter burned per grid cell (GFED4.1s HDF5 layout), its partition into six fire
// types, times GFED4 emission factors, summed by species, month and GFED basis region (or by country with a
// mask). IPCC Tier 1 (2006 IPCC Guidelines Vol 4 Ch 2 Eq 2.27) for area burned by vegetation type.
#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace panocarbon::natural {

// The six GFED fire types, in the order of the emission factor file's columns.
inline constexpr std::array<const char*, 6> kGfedFireTypes = {"SAVA", "BORF", "TEMF", "DEFO", "PEAT", "AGRI"};
// GFED basis regions 1..14 (van der Werf et al. 2017); code 0 in the file is outside all of them.
inline constexpr std::array<const char*, 14> kGfedBasisRegions = {"BONA", "TENA", "CEAM", "NHSA", "SHSA",
                                                                  "EURO", "MIDE", "NHAF", "SHAF", "BOAS",
                                                                  "CEAS", "SEAS", "EQAS", "AUST"};

// GFED4_Emission_Factors.txt: '#' comment lines, then one row per species: name and six values in g species
// per kg dry matter, columns SAVA BORF TEMF DEFO PEAT AGRI (the column order is read from the "# SPECIE"
// header line when present and must name these six types).
struct GfedEmissionFactors {
  std::string source;
  std::vector<std::string> species;
  std::vector<std::array<double, 6>> g_per_kg;  // per species, per fire type
  // Index of a species (case-insensitive), or -1.
  int find(std::string_view name) const;
};
GfedEmissionFactors parse_gfed_emission_factors(std::string_view text, const std::string& file);
GfedEmissionFactors load_gfed_emission_factors(const std::filesystem::path& file);

// The table's own identity: its C row is the carbon in CO2 + CO + CH4 (12/44 CO2 + 12/28 CO + 12/16 CH4).
struct CarbonIdentity {
  std::array<double, 6> table_c{}, computed_c{}, relative_difference{};
  double max_abs_relative_difference = 0;
};
CarbonIdentity check_carbon_identity(const GfedEmissionFactors& ef);

struct FireOptions {
  int year = 0;                      // 0 = not checked against the file name
  std::vector<int> months;           // empty = 1..12
  std::vector<std::string> species;  // empty = every species of the table
  std::filesystem::path mask;        // HDF5 / NetCDF-4 country mask; empty = GFED basis regions
  double partition_tolerance = 0.01;  // |sum of the six fractions - 1| allowed where DM > 0
};

struct FireResult {
  std::string file;
  int year = 0;
  std::vector<std::string> regions;  // basis region codes, or mask codes as text
  std::vector<std::string> species;
  std::vector<int> months;
  size_t rows = 0, cols = 0;
  // Dry matter burned, kg, per month index, region, fire type: dm_kg[(m * regions + r) * 6 + t].
  std::vector<double> dm_kg;
  // Emissions, t, per month index, region, species: emission_t[(m * regions + r) * species + s].
  std::vector<double> emission_t;
  double emission(size_t m, size_t r, size_t s) const { return emission_t[(m * regions.size() + r) * species.size() + s]; }
};

// Streams the file month by month (one month's seven layers in memory). Errors name the dataset path.
FireResult compute_gfed_fire(const std::filesystem::path& file, const GfedEmissionFactors& ef,
                             const FireOptions& options);

// IPCC Tier 1 (Eq 2.27): L_fire = A x M_B x C_f x G_ef x 1e-3 (t), A in ha, M_B C_f in t dm/ha (Table 2.4),
// G_ef in g/kg dm (Table 2.5). Input CSV: vegetation,area_ha[,mb_cf_t_per_ha] (the third column overrides
// Table 2.4). data/ipcc2006_fire.csv holds the tables.
struct Tier1Row {
  std::string vegetation, ef_category, species;
  double area_ha = 0, fuel_t_per_ha = 0, g_per_kg = 0, emission_t = 0;
};
std::vector<Tier1Row> compute_fire_tier1(const std::filesystem::path& activity_csv,
                                         const std::vector<std::string>& species);
// Vegetation types of Table 2.4 known to the project (for error messages and docs).
std::vector<std::string> tier1_vegetation_types();

}  // namespace panocarbon::natural
