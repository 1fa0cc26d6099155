// Fires on the natural side of the account (issue 6; docs/natural-fires.md).
// GFED method: monthly dry matter burned per grid cell (GFED4.1s HDF5 layout), its partition into six fire
// types, times GFED4 emission factors, summed by species, month and GFED basis region (or by country with a
// mask). IPCC Tier 1 (2006 IPCC Guidelines Vol 4 Ch 2 Eq 2.27) for area burned by vegetation type.
#pragma once
#include <array>
#include <filesystem>
#include <limits>
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

// A mean with its 95 % range (docs/natural-fires.md, "Uncertainty"). With r = sd / mean:
//   r <= 0.3: mean +- 1.96 sd (normal; IPCC 2006 Vol 1 Ch 3 uses Approach 1 up to about this spread);
//   r >  0.3: the 2.5 and 97.5 percentiles of the lognormal with that mean and sd:
//             s2 = ln(1 + r^2), mu = ln(mean) - s2 / 2, bounds exp(mu -+ 1.96 sqrt(s2)).
// sd NaN (no spread known) gives NaN bounds; mean 0 gives 0, 0.
struct Range95 {
  double mean = 0;
  double sd = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN(), upper = std::numeric_limits<double>::quiet_NaN();
};
Range95 range_95(double mean, double sd);

// Relative 1-sigma spread of the emission factor of `species` for the six GFED fire types, from the SDs of
// IPCC 2006 Vol 4 Table 2.5 (Andreae and Merlet 2001) in data/ipcc2006_fire.csv: SAVA <- savanna and grassland,
// BORF and TEMF <- extra-tropical forest, DEFO <- tropical forest, AGRI <- agricultural residues, PEAT (no
// Table 2.5 row) <- the largest of the other five. NaN where the table gives no SD (and for species it lacks).
std::array<double, 6> gfed_ef_relative_sd(std::string_view species);

struct FireOptions {
  int year = 0;                      // 0 = not checked against the file name
  std::vector<int> months;           // empty = 1..12
  std::vector<std::string> species;  // empty = every species of the table
  // Country mask on the emissions grid, empty = GFED basis regions. GeoTIFF (GDAL), NetCDF classic or
  // NetCDF-4 (libnetcdf), or HDF5 with an integer /mask, told apart by their first bytes.
  std::filesystem::path mask;
  std::string mask_variable;          // NetCDF / HDF5 variable; empty = /mask, else the first 2-D integer one
  std::filesystem::path mask_names;   // CSV code,name; empty = ISO 3166-1 numeric -> alpha-3 (data/iso3166.csv)
  // Managed-land mask on the same grid, in the same formats and with the same checks as `mask` (the same
  // readers): integer 1 = managed land, 0 = unmanaged, nodata / _FillValue -> 0 (unmanaged); any other value is
  // an error. Integers only: the mask readers read integer rasters, so a managed fraction per cell is not
  // supported. Empty = no split (FireResult::managed_split false).
  std::filesystem::path managed_mask;
  // NetCDF / HDF5 variable of the managed-land mask; empty = managed, mask, else (NetCDF) the first 2-D integer one.
  std::string managed_mask_variable;
  double partition_tolerance = 0.01;  // |sum of the six fractions - 1| allowed where DM > 0
  double dm_uncertainty_pct = 0;      // dry matter: 95 % half-width in percent of DM (one systematic error)
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
  // With FireOptions::managed_mask: the same dry matter split by land part k (0 = unmanaged, 1 = managed),
  // dm_part_kg[((m * regions + r) * 2 + k) * 6 + t], accumulated in the same pass; dm_kg is the sum of the two
  // parts. Empty without the mask.
  bool managed_split = false;
  std::vector<double> dm_part_kg;
  // Emissions, t, per month index, region, species: emission_t[(m * regions + r) * species + s].
  std::vector<double> emission_t;
  double emission(size_t m, size_t r, size_t s) const { return emission_t[(m * regions.size() + r) * species.size() + s]; }
  // With managed_split: emissions of land part k (0 unmanaged, 1 managed), t,
  // emission_part_t[((m * regions + r) * 2 + k) * species + s]; the two parts add up to emission_t.
  std::vector<double> emission_part_t;
  double emission_part(size_t m, size_t r, size_t k, size_t s) const {
    return emission_part_t[((m * regions.size() + r) * 2 + k) * species.size() + s];
  }
  // Per result species: GFED4 factor (g/kg) and relative 1-sigma spread (gfed_ef_relative_sd) per fire type.
  std::vector<std::array<double, 6>> ef_g_per_kg, ef_relative_sd;
  double dm_relative_sd = 0;  // 1 sigma, from FireOptions::dm_uncertainty_pct / 1.96
  // Emission of species s in region r over the months `month_index` (indices into `months`) and the fire
  // types of `type_mask` (bit t = kGfedFireTypes[t]), with its 95 % range. Each type's factor is one error
  // shared by every cell and month (D_t = DM of type t summed over cells and months first) and independent
  // of the other types'; DM is one systematic error:
  //   E = sum_t D_t e_t,  var = sum_t (D_t e_t r_t)^2 + (E r_DM)^2.
  // No range (NaN) when no burning type of the selection has an EF spread; types without one add nothing.
  // part: -1 = all land; 0 / 1 = the unmanaged / managed part only (needs managed_split), the same formula on
  // that part's D_t.
  Range95 range(const std::vector<size_t>& month_index, size_t r, size_t s, unsigned type_mask = 0x3f,
                int part = -1) const;
};

// Streams the file month by month (one month's seven layers in memory). Errors name the dataset path.
FireResult compute_gfed_fire(const std::filesystem::path& file, const GfedEmissionFactors& ef,
                             const FireOptions& options);

// IPCC Tier 1 (Eq 2.27): L_fire = A x M_B x C_f x G_ef x 1e-3 (t), A in ha, M_B C_f in t dm/ha (Table 2.4),
// G_ef in g/kg dm (Table 2.5). Input CSV: vegetation,area_ha[,mb_cf_t_per_ha] (the third column overrides
// Table 2.4). data/ipcc2006_fire.csv holds the tables.
//
// Uncertainty (IPCC 2006 Vol 1 Ch 3 Eq 3.1, Approach 1 for a product): relative 1-sigma
//   r = sqrt(r_A^2 + r_F^2 + r_G^2), r_A = area_uncertainty_pct / 100 / 1.96, r_F = SD/M_B C_f (Table 2.4),
//   r_G = SD/G_ef (Table 2.5); a factor without an SD (or M_B C_f from the input) adds nothing and is named in
//   `uncertainty_note`; no factor with a spread -> no range. Range: range_95.
struct Tier1Row {
  std::string vegetation, ef_category, species;
  double area_ha = 0, fuel_t_per_ha = 0, g_per_kg = 0, emission_t = 0;
  double area_rel_sd = 0;                                       // 1 sigma
  double fuel_sd = std::numeric_limits<double>::quiet_NaN();    // t/ha, NaN = none
  double gef_sd = std::numeric_limits<double>::quiet_NaN();     // g/kg, NaN = none
  Range95 range;
  std::string uncertainty_note;
};
// Eq 2.27 for one vegetation type of Table 2.4 and each species (unknown species are skipped; see tier1_species):
// area in ha, mb_cf = the user's own M_B x C_f in t dm/ha (NaN = Table 2.4 with its SD), area_rel_sd = 1 sigma
// relative spread of the area. NotFound (field "vegetation") names the known types. Used by `natural
// fire-tier1` (per line of its CSV) and by the fire rows of `natural afolu`.
std::vector<Tier1Row> fire_tier1_row(const std::string& vegetation, double area_ha, double mb_cf,
                                     const std::vector<std::string>& species, double area_rel_sd = 0);
// The species list checked against Table 2.5 (empty = CO2, CH4, N2O, CO, NOx; comma lists are split).
std::vector<std::string> tier1_species(const std::vector<std::string>& species);
// Table 2.5 category of a Table 2.4 vegetation type ("" when unknown).
std::string tier1_ef_category(const std::string& vegetation);
std::vector<Tier1Row> compute_fire_tier1(const std::filesystem::path& activity_csv,
                                         const std::vector<std::string>& species,
                                         double area_uncertainty_pct = 0);
// Total per species over rows. Area errors are independent per row; rows of one vegetation type share its
// Table 2.4 M_B C_f error and rows of one Table 2.5 category share its G_ef error (fully correlated):
//   var = sum_i (E_i r_A)^2 + sum_veg (sum_{i in veg} E_i r_F)^2 + sum_cat (sum_{i in cat} E_i r_G)^2.
struct Tier1Total {
  std::string species;
  double emission_t = 0;
  Range95 range;
  std::string uncertainty_note;
};
std::vector<Tier1Total> tier1_totals(const std::vector<Tier1Row>& rows);
// Vegetation types of Table 2.4 known to the project (for error messages and docs).
std::vector<std::string> tier1_vegetation_types();

}  // namespace panocarbon::natural
