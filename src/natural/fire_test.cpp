// GFED emission factor parser (and the table's carbon identity), the GFED4.1s HDF5 reader on tiny files
// written here with the HDF5 C API, its errors, and IPCC Tier 1 fires.
#include <gtest/gtest.h>
#include <gdal.h>
#include <hdf5.h>
#include <netcdf.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "io/country_mask.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural_fire.hpp"

using namespace panocarbon;
using namespace panocarbon::natural;

namespace {
const char* kEf = PANOCARBON_SHARED_DATA "/natural/GFED4_Emission_Factors.txt";

std::string err(auto&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Tiny GFED file: rows x cols, months 1..nm; layers can be skipped or resized to provoke errors.
struct Tiny {
  size_t rows = 3, cols = 4;
  int months = 2;
  std::vector<double> area;
  std::vector<int> regions;
  std::vector<std::vector<float>> dm;                      // per month
  std::vector<std::array<std::vector<float>, 6>> frac;     // per month, type
  Tiny() {
    const size_t n = rows * cols;
    for (size_t i = 0; i < n; ++i) {
      area.push_back(1e6 * (1 + static_cast<double>(i)));
      regions.push_back(static_cast<int>(i % 4));  // 0 (none), 1 BONA, 2 TENA, 3 CEAM
    }
    for (int m = 0; m < months; ++m) {
      std::vector<float> d(n);
      std::array<std::vector<float>, 6> f;
      for (auto& v : f) v.assign(n, 0.f);
      for (size_t i = 0; i < n; ++i) {
        d[i] = (i + static_cast<size_t>(m)) % 3 == 0 ? 0.f : 0.01f * static_cast<float>(i + 1 + static_cast<size_t>(m));
        float w[6], s = 0;
        for (size_t t = 0; t < 6; ++t) s += w[t] = static_cast<float>((i * 7 + t * 3 + static_cast<size_t>(m)) % 5 + 1);
        for (size_t t = 0; t < 6; ++t) f[t][i] = w[t] / s;
      }
      dm.push_back(d);
      frac.push_back(f);
    }
  }
  // compress: 0 contiguous; 1 chunks of 2 x 3 (partial chunks at the edges) with deflate; 2 shuffle + deflate.
  static void put(hid_t f, const std::string& path, hid_t type, const void* data, size_t r, size_t c,
                  int compress = 0) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hsize_t dims[2] = {r, c};
    hid_t sp = H5Screate_simple(2, dims, nullptr);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (compress) {
      hsize_t chunk[2] = {2, 3};
      H5Pset_chunk(dcpl, 2, chunk);
      if (compress == 2) H5Pset_shuffle(dcpl);
      H5Pset_deflate(dcpl, 6);
    }
    hid_t d = H5Dcreate2(f, path.c_str(), type == H5T_NATIVE_FLOAT ? H5T_IEEE_F32LE : type == H5T_NATIVE_INT ? H5T_STD_I32LE : H5T_IEEE_F64LE,
                         sp, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(d);
    H5Sclose(sp);
    H5Pclose(lcpl);
  }
  std::string write(const std::string& name, const std::string& skip = "", const std::string& small = "",
                    int compress = 0) const {
    const auto p = (std::filesystem::temp_directory_path() / ("pc-gfed-" + name + ".hdf5")).string();
    hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    auto put2 = [&](const std::string& path, hid_t type, const void* data) {
      if (path == skip) return;
      put(f, path, type, data, rows, path == small ? cols - 1 : cols, compress);
    };
    put2("/ancill/grid_cell_area", H5T_NATIVE_DOUBLE, area.data());
    put2("/ancill/basis_regions", H5T_NATIVE_INT, regions.data());
    for (int m = 0; m < months; ++m) {
      char g[32];
      std::snprintf(g, sizeof g, "/emissions/%02d", m + 1);
      put2(std::string(g) + "/DM", H5T_NATIVE_FLOAT, dm[static_cast<size_t>(m)].data());
      for (size_t t = 0; t < 6; ++t)
        put2(std::string(g) + "/partitioning/DM_" + kGfedFireTypes[t], H5T_NATIVE_FLOAT, frac[static_cast<size_t>(m)][t].data());
    }
    H5Fclose(f);
    return p;
  }
};
}  // namespace

TEST(GfedEmissionFactors, ParsesTheSharedTable) {
  const auto ef = load_gfed_emission_factors(kEf);
  EXPECT_EQ(ef.species.size(), 41u);  // DM, C and 39 species
  const int co2 = ef.find("co2");
  ASSERT_GE(co2, 0);
  EXPECT_DOUBLE_EQ(ef.g_per_kg[static_cast<size_t>(co2)][0], 1686);  // SAVA
  EXPECT_DOUBLE_EQ(ef.g_per_kg[static_cast<size_t>(co2)][4], 1703);  // PEAT
  EXPECT_DOUBLE_EQ(ef.g_per_kg[static_cast<size_t>(ef.find("N2O"))][1], 0.41);  // BORF
  EXPECT_EQ(ef.find("nonsense"), -1);
}

TEST(GfedEmissionFactors, CarbonRowIsTheCarbonInCo2CoCh4) {
  const auto id = check_carbon_identity(load_gfed_emission_factors(kEf));
  // Measured: the identity holds to about 1e-6 relative (the C row is printed with 6 significant digits).
  for (size_t t = 0; t < 6; ++t) {
    EXPECT_NEAR(id.computed_c[t], id.table_c[t], 1e-3) << kGfedFireTypes[t];
    RecordProperty(std::string("rel_diff_") + kGfedFireTypes[t], std::to_string(id.relative_difference[t]));
  }
  EXPECT_LT(id.max_abs_relative_difference, 2e-6);
  // And it can fail: a wrong CO2 value breaks it.
  auto ef = parse_gfed_emission_factors("C 488.273 1 1 1 1 1\nCO2 1600 1 1 1 1 1\nCO 63 1 1 1 1 1\nCH4 1.94 1 1 1 1 1\n", "t");
  EXPECT_GT(check_carbon_identity(ef).max_abs_relative_difference, 0.01);
}

TEST(GfedEmissionFactors, ErrorsNameLineAndColumn) {
  EXPECT_NE(err([] { parse_gfed_emission_factors("# x\nCO2 1 2 3 4 5\n", "f.txt"); }).find("f.txt:line 2"),
            std::string::npos);
  const auto e = err([] { parse_gfed_emission_factors("CO2   1 2 x 4 5 6\n", "f.txt"); });
  EXPECT_NE(e.find("f.txt:line 1, column 11"), std::string::npos) << e;
  EXPECT_NE(e.find("TEMF"), std::string::npos) << e;
  EXPECT_NE(err([] { parse_gfed_emission_factors("CO2 1 2 3 4 5 6\nco2 1 2 3 4 5 6\n", "f"); }).find("twice"),
            std::string::npos);
  EXPECT_NE(err([] { parse_gfed_emission_factors("# SPECIE SAVA BORF XXXX DEFO PEAT AGRI\n", "f"); }).find("XXXX"),
            std::string::npos);
  // A header in another order moves the columns.
  auto ef = parse_gfed_emission_factors("# SPECIE AGRI BORF TEMF DEFO PEAT SAVA\nCO2 1 2 3 4 5 6\n", "f");
  EXPECT_DOUBLE_EQ(ef.g_per_kg[0][0], 6);
  EXPECT_DOUBLE_EQ(ef.g_per_kg[0][5], 1);
}

TEST(GfedFire, TinyFileMatchesTheEquationCellByCell) {
  const Tiny g;
  const auto path = g.write("ok");
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  const auto r = compute_gfed_fire(path, ef, o);
  ASSERT_EQ(r.regions.size(), 15u);
  ASSERT_EQ(r.species.size(), 41u);
  size_t checked = 0;
  for (size_t m = 0; m < 2; ++m)
    for (size_t s = 0; s < ef.species.size(); ++s) {
      double expect[15] = {};
      for (size_t i = 0; i < g.rows * g.cols; ++i) {
        double e = 0;
        for (size_t t = 0; t < 6; ++t) e += double(g.frac[m][t][i]) * ef.g_per_kg[s][t];
        const int reg = g.regions[i];
        expect[reg == 0 ? 14 : reg - 1] += double(g.dm[m][i]) * g.area[i] * e * 1e-6;
      }
      for (size_t k = 0; k < 15; ++k, ++checked)
        EXPECT_NEAR(r.emission(m, k, s), expect[k], 1e-9 * std::abs(expect[k]) + 1e-12) << m << " " << s << " " << k;
    }
  EXPECT_EQ(checked, 2u * 41u * 15u);
  EXPECT_GT(r.emission(0, 0, static_cast<size_t>(ef.find("CO2"))), 0);
}

// Chunked, deflate-compressed layers (with and without shuffle, partial chunks at the edges) are inflated on
// threads from raw chunks; the sums must equal those of the contiguous file bit for bit.
TEST(GfedFire, CompressedChunksGiveTheSameSums) {
  const Tiny g;
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  const auto plain = compute_gfed_fire(g.write("plain"), ef, o);
  for (int mode : {1, 2}) {
    const auto z = compute_gfed_fire(g.write(mode == 1 ? "z1" : "z2", "", "", mode), ef, o);
    ASSERT_EQ(z.dm_kg.size(), plain.dm_kg.size());
    for (size_t i = 0; i < z.dm_kg.size(); ++i) EXPECT_EQ(z.dm_kg[i], plain.dm_kg[i]) << mode << " " << i;
    EXPECT_EQ(z.emission_t, plain.emission_t);
  }
  // A damaged chunk is an error naming the dataset, not wrong numbers.
  const auto bad = g.write("zbad", "", "", 1);
  {
    hid_t f = H5Fopen(bad.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/emissions/01/DM", H5P_DEFAULT);
    hsize_t offset[2] = {0, 0}, n = 0;
    H5Dget_chunk_storage_size(d, offset, &n);
    std::vector<unsigned char> junk(n, 0x55);
    ASSERT_GE(H5Dwrite_chunk(d, H5P_DEFAULT, 0, offset, n, junk.data()), 0);
    H5Dclose(d);
    H5Fclose(f);
  }
  const auto e = err([&] { compute_gfed_fire(bad, ef, o); });
  EXPECT_NE(e.find("/emissions/01/DM does not inflate"), std::string::npos) << e;
}

TEST(GfedFire, BadInputNamesTheDataset) {
  const Tiny g;
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  auto run = [&](const std::string& file) { return err([&] { compute_gfed_fire(file, ef, o); }); };
  EXPECT_NE(run(g.write("nopart", "/emissions/02/partitioning/DM_PEAT")).find("/emissions/02/partitioning/DM_PEAT"),
            std::string::npos);
  EXPECT_NE(run(g.write("shape", "", "/emissions/01/DM")).find("/emissions/01/DM is 3 x 3 but the grid is 3 x 4"),
            std::string::npos);
  EXPECT_NE(run(g.write("noarea", "/ancill/grid_cell_area")).find("/ancill/grid_cell_area"), std::string::npos);
  Tiny bad;
  bad.frac[0][2][1] += 0.5f;  // cell 1 burns in month 1
  EXPECT_NE(run(bad.write("sum")).find("/emissions/01/partitioning"), std::string::npos);
  o.months = {13};
  EXPECT_NE(run(g.write("ok2")).find("out of range"), std::string::npos);
  o.months = {3};  // absent in the file
  EXPECT_NE(run(g.write("ok3")).find("/emissions/03/DM"), std::string::npos);
  o.months = {1};
  o.species = {"CO2,XYZ"};
  EXPECT_NE(run(g.write("ok4")).find("unknown species 'XYZ'"), std::string::npos);
  o.species = {};
  o.year = 2010;
  EXPECT_NE(run(g.write("gfed_2011")).find("year 2011"), std::string::npos);
}

TEST(FireTier1, Eq227) {
  const auto p = (std::filesystem::temp_directory_path() / "pc-tier1.csv").string();
  std::ofstream(p) << "vegetation,area_ha,mb_cf_t_per_ha\nsavanna_grasslands_mid_late_grassland,1000,\n"
                      "wheat_residues,200,5\n";
  const auto rows = compute_fire_tier1(p, {"CO2,CH4"});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_DOUBLE_EQ(rows[0].emission_t, 1000 * 4.1 * 1613 * 1e-3);  // Table 2.4 4.1 t/ha, Table 2.5 1613 g/kg
  EXPECT_DOUBLE_EQ(rows[3].emission_t, 200 * 5.0 * 2.7 * 1e-3);    // override 5 t/ha, CH4 2.7 g/kg
  std::ofstream(p) << "vegetation,area_ha\nmoon_forest,1\n";
  EXPECT_NE(err([&] { compute_fire_tier1(p, {}); }).find("moon_forest"), std::string::npos);
}

// ------------------------------------------------------------------ uncertainty ranges
TEST(FireRange, NormalUpToThirtyPercentLognormalAbove) {
  // r = 0.1: 100 +- 1.96 x 10.
  auto a = range_95(100, 10);
  EXPECT_NEAR(a.lower, 80.4, 1e-12);
  EXPECT_NEAR(a.upper, 119.6, 1e-12);
  // r = 0.5: s2 = ln 1.25 = 0.2231436, mu = ln 100 - s2/2 = 4.4935979, exp(mu -+ 1.96 sqrt(s2)).
  auto b = range_95(100, 50);
  EXPECT_NEAR(b.lower, 35.43613935976506, 1e-9);
  EXPECT_NEAR(b.upper, 225.75822718101648, 1e-9);
  // r = 0.3 exactly is still normal: 100 +- 58.8.
  EXPECT_NEAR(range_95(100, 30).lower, 41.2, 1e-12);
  EXPECT_TRUE(std::isnan(range_95(5, std::nan("")).lower));
  EXPECT_EQ(range_95(0, 0).upper, 0);
}

TEST(FireTier1, RangesByEq31AndTheTableSds) {
  const auto p = (std::filesystem::temp_directory_path() / "pc-tier1-unc.csv").string();
  std::ofstream(p) << "vegetation,area_ha,mb_cf_t_per_ha\nsavanna_grasslands_mid_late_grassland,1000,\n"
                      "primary_tropical_forest_slash_and_burn_all,10,100\nwheat_residues,200,\n";
  // No area uncertainty. Savanna CO2: r = sqrt((3.1/4.1)^2 + (95/1613)^2) = 0.75839 > 0.3 -> lognormal.
  auto rows = compute_fire_tier1(p, {"CO2,CH4"});
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_NEAR(rows[0].range.sd / rows[0].emission_t, 0.7583879715854746, 1e-12);
  EXPECT_NEAR(rows[0].range.lower, 1406.0105828305034, 1e-9 * 1406);
  EXPECT_NEAR(rows[0].range.upper, 19748.099317333472, 1e-9 * 19748);
  EXPECT_TRUE(rows[0].uncertainty_note.empty());
  // Wheat CH4: no SD in Table 2.4 nor in Table 2.5 and an exact area: no range, said so.
  EXPECT_EQ(rows[5].vegetation, "wheat_residues");
  EXPECT_TRUE(std::isnan(rows[5].range.lower));
  EXPECT_NE(rows[5].uncertainty_note.find("no range"), std::string::npos) << rows[5].uncertainty_note;
  // +-20 % area (95 %): r_A = 0.2/1.96. Primary forest CO2 with the input's fuel (no SD):
  // r = sqrt(r_A^2 + (90/1580)^2) = 0.11686 -> normal, 1580 +- 1.96 x 0.11686 x 1580.
  rows = compute_fire_tier1(p, {"CO2,CH4"}, 20);
  EXPECT_NEAR(rows[2].range.lower, 1218.0981348486857, 1e-9 * 1218);
  EXPECT_NEAR(rows[2].range.upper, 1941.9018651513143, 1e-9 * 1941);
  EXPECT_NE(rows[2].uncertainty_note.find("M_B*C_f (from the input; no SD)"), std::string::npos);
  // Wheat CH4: the area alone, 2.16 +- 20 %.
  EXPECT_NEAR(rows[5].range.lower, 1.728, 1e-12);
  EXPECT_NEAR(rows[5].range.upper, 2.592, 1e-12);
  EXPECT_NE(rows[5].uncertainty_note.find("range excludes"), std::string::npos);
  EXPECT_NE(err([&] { compute_fire_tier1(p, {}, -1); }).find("--area-uncertainty -1 must be a percentage >= 0"),
            std::string::npos);
}

TEST(FireTier1, TotalsCorrelateRowsSharingAFactor) {
  const auto p = (std::filesystem::temp_directory_path() / "pc-tier1-tot.csv").string();
  // Two Table 2.4 rows of the same Table 2.5 category (savanna_grassland): their G_ef errors are one error.
  std::ofstream(p) << "vegetation,area_ha\nsavanna_grasslands_mid_late_grassland,1000\n"
                      "savanna_grasslands_mid_late_tropical_subtropical_grassland,500\n";
  const auto rows = compute_fire_tier1(p, {"CO2"});
  const auto tot = tier1_totals(rows);
  ASSERT_EQ(tot.size(), 1u);
  // Ea = 1000 x 4.1 x 1.613 = 6613.3, Eb = 500 x 5.2 x 1.613 = 4193.8;
  // var = (Ea 3.1/4.1)^2 + (Eb 1.7/5.2)^2 + ((Ea + Eb) 95/1613)^2 -> r = 0.483366 -> lognormal.
  EXPECT_NEAR(tot[0].emission_t, 10807.1, 1e-9);
  EXPECT_NEAR(tot[0].range.sd / tot[0].emission_t, 0.48336585709745744, 1e-12);
  EXPECT_NEAR(tot[0].range.lower, 3963.369057925896, 1e-9 * 3963);
  EXPECT_NEAR(tot[0].range.upper, 23887.158136628164, 1e-9 * 23887);
}

TEST(GfedFire, EmissionFactorSpreadsFromTable25) {
  const auto co2 = gfed_ef_relative_sd("co2");
  EXPECT_DOUBLE_EQ(co2[0], 95.0 / 1613);   // SAVA <- savanna and grassland
  EXPECT_DOUBLE_EQ(co2[1], 131.0 / 1569);  // BORF <- extra-tropical forest
  EXPECT_DOUBLE_EQ(co2[2], 131.0 / 1569);  // TEMF <- extra-tropical forest
  EXPECT_DOUBLE_EQ(co2[3], 90.0 / 1580);   // DEFO <- tropical forest
  EXPECT_DOUBLE_EQ(co2[5], 177.0 / 1515);  // AGRI <- agricultural residues
  EXPECT_DOUBLE_EQ(co2[4], 177.0 / 1515);  // PEAT: the largest of the others
  const auto n2o = gfed_ef_relative_sd("N2O");
  EXPECT_TRUE(std::isnan(n2o[3]));  // tropical forest N2O: no SD in Table 2.5
  EXPECT_TRUE(std::isnan(n2o[5]));
  EXPECT_DOUBLE_EQ(n2o[4], 0.10 / 0.21);
  for (double v : gfed_ef_relative_sd("BC")) EXPECT_TRUE(std::isnan(v));
}

TEST(GfedFire, RangesMatchAnIndependentCellSum) {
  const Tiny g;
  const auto path = g.write("unc");
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.species = {"CO2,N2O,BC"};
  o.months = {1, 2};
  o.dm_uncertainty_pct = 10;
  const auto r = compute_gfed_fire(path, ef, o);
  const double rdm = 0.1 / 1.96;
  for (size_t s = 0; s < 2; ++s) {
    const auto& e = ef.g_per_kg[static_cast<size_t>(ef.find(r.species[s]))];
    const auto rel = gfed_ef_relative_sd(r.species[s]);
    for (size_t k = 0; k < 15; ++k) {
      double annual_d[6] = {};
      for (size_t m = 0; m < 2; ++m) {
        double d[6] = {};
        for (size_t i = 0; i < g.rows * g.cols; ++i) {
          const int reg = g.regions[i];
          if (static_cast<size_t>(reg == 0 ? 14 : reg - 1) != k) continue;
          for (size_t t = 0; t < 6; ++t) d[t] += double(g.dm[m][i]) * g.area[i] * double(g.frac[m][t][i]);
        }
        double mean = 0, var = 0;
        for (size_t t = 0; t < 6; ++t) {
          annual_d[t] += d[t];
          mean += d[t] * e[t] * 1e-6;
          if (std::isfinite(rel[t])) var += std::pow(d[t] * e[t] * 1e-6 * rel[t], 2);
        }
        var += std::pow(mean * rdm, 2);
        const auto got = r.range({m}, k, s);
        EXPECT_NEAR(got.mean, mean, 1e-9 * mean + 1e-12);
        if (mean > 0) {
          EXPECT_NEAR(got.sd, std::sqrt(var), 1e-9 * std::sqrt(var)) << s << " " << k << " " << m;
        }
      }
      // Annual: each type's D summed over the months before squaring (months correlated).
      double mean = 0, var = 0;
      for (size_t t = 0; t < 6; ++t) {
        mean += annual_d[t] * e[t] * 1e-6;
        if (std::isfinite(rel[t])) var += std::pow(annual_d[t] * e[t] * 1e-6 * rel[t], 2);
      }
      var += std::pow(mean * rdm, 2);
      const auto got = r.range({0, 1}, k, s);
      if (mean > 0) {
        EXPECT_NEAR(got.sd, std::sqrt(var), 1e-9 * std::sqrt(var));
        EXPECT_LT(got.lower, mean);
        EXPECT_GT(got.upper, mean);
      }
    }
  }
  // BC: no spread in Table 2.5 -> no range even with a DM uncertainty.
  EXPECT_TRUE(std::isnan(r.range({0}, 0, 2).lower));
  o.dm_uncertainty_pct = -5;
  EXPECT_NE(err([&] { compute_gfed_fire(path, ef, o); }).find("--dm-uncertainty -5 must be a percentage >= 0"),
            std::string::npos);
}

// ------------------------------------------------------------------ country masks
namespace {
// 3 x 4 mask, row 0 north: ISO 3166-1 numeric 36 AUS, 76 BRA, 840 USA; 999 unknown; 0 none; -1 nodata.
const int kMask[12] = {76, 76, 840, 0, 840, 999, 76, -1, 36, 36, 840, 76};
std::string tmp(const std::string& name) { return (std::filesystem::temp_directory_path() / name).string(); }

std::string write_tif(const std::string& name, size_t rows = 3, size_t cols = 4, GDALDataType type = GDT_Int32,
                      bool south_up = false, double x0 = -180, bool georef = true) {
  PANOCARBON_GDAL(GDALAllRegister)();
  const auto p = tmp(name);
  GDALDatasetH ds = PANOCARBON_GDAL(GDALCreate)(PANOCARBON_GDAL(GDALGetDriverByName)("GTiff"), p.c_str(), static_cast<int>(cols),
                               static_cast<int>(rows), 1, type, nullptr);
  double gt[6] = {x0, 360.0 / double(cols), 0, south_up ? -90.0 : 90.0, 0, (south_up ? 180.0 : -180.0) / double(rows)};
  if (georef) PANOCARBON_GDAL(GDALSetGeoTransform)(ds, gt);
  std::vector<int> v(rows * cols, 0);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      if (r < 3 && c < 4) v[r * cols + c] = kMask[(south_up ? 2 - r : r) * 4 + c];
  GDALRasterBandH b = PANOCARBON_GDAL(GDALGetRasterBand)(ds, 1);
  PANOCARBON_GDAL(GDALSetRasterNoDataValue)(b, -1);
  EXPECT_EQ(PANOCARBON_GDAL(GDALRasterIO)(b, GF_Write, 0, 0, static_cast<int>(cols), static_cast<int>(rows), v.data(),
                         static_cast<int>(cols), static_cast<int>(rows), GDT_Int32, 0, 0),
            CE_None);
  PANOCARBON_GDAL(GDALClose)(ds);
  return p;
}

// NetCDF: variable `var` (lat x lon unless transposed), with lat/lon coordinates; lat ascending flips the rows.
std::string write_nc(const std::string& name, int mode, nc_type type = NC_INT, const char* var = "mask",
                     bool lat_ascending = false, double lon0 = -135, bool transposed = false, bool extra_float = false) {
  const auto p = tmp(name);
  int nc = -1, dlat = -1, dlon = -1, vlat = -1, vlon = -1, v = -1, vf = -1;
  EXPECT_EQ(nc_create(p.c_str(), mode | NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "lat", transposed ? 4 : 3, &dlat);
  nc_def_dim(nc, "lon", transposed ? 3 : 4, &dlon);
  nc_def_var(nc, "lat", NC_DOUBLE, 1, &dlat, &vlat);
  nc_def_var(nc, "lon", NC_DOUBLE, 1, &dlon, &vlon);
  const int dims[2] = {dlat, dlon};
  if (extra_float) nc_def_var(nc, "burnable", NC_FLOAT, 2, dims, &vf);
  nc_def_var(nc, var, type, 2, dims, &v);
  const int fill = -1;
  if (type == NC_INT) nc_put_att_int(nc, v, "_FillValue", NC_INT, 1, &fill);
  nc_enddef(nc);
  if (!transposed) {
    const double lat_n[3] = {60, 0, -60}, lat_s[3] = {-60, 0, 60};
    const double lon[4] = {lon0, lon0 + 90, lon0 + 180, lon0 + 270};
    nc_put_var_double(nc, vlat, lat_ascending ? lat_s : lat_n);
    nc_put_var_double(nc, vlon, lon);
    int m[12];
    for (size_t r = 0; r < 3; ++r)
      for (size_t c = 0; c < 4; ++c) m[r * 4 + c] = kMask[(lat_ascending ? 2 - r : r) * 4 + c];
    if (type == NC_INT) nc_put_var_int(nc, v, m);
    if (type == NC_FLOAT) {
      float f[12];
      for (size_t i = 0; i < 12; ++i) f[i] = static_cast<float>(m[i]);
      nc_put_var_float(nc, v, f);
    }
    if (extra_float) {
      float f[12] = {};
      nc_put_var_float(nc, vf, f);
    }
  }
  nc_close(nc);
  return p;
}

// CO2 of month 1 by region name, summed cell by cell from the Tiny grid and kMask.
std::map<std::string, double> expected_co2(const Tiny& g, const GfedEmissionFactors& ef,
                                           const std::map<int, std::string>& names) {
  std::map<std::string, double> out;
  const auto& e = ef.g_per_kg[static_cast<size_t>(ef.find("CO2"))];
  for (size_t i = 0; i < 12; ++i) {
    double x = 0;
    for (size_t t = 0; t < 6; ++t) x += double(g.frac[0][t][i]) * e[t];
    const int c = kMask[i];
    const std::string name = c <= 0 ? "none" : names.count(c) ? names.at(c) : std::to_string(c);
    out[name] += double(g.dm[0][i]) * g.area[i] * x * 1e-6;
  }
  return out;
}
std::map<std::string, double> got_co2(const FireResult& r) {
  std::map<std::string, double> out;
  for (size_t k = 0; k < r.regions.size(); ++k) out[r.regions[k]] = r.emission(0, k, 0);
  return out;
}
}  // namespace

TEST(GfedFireMask, GeoTiffNetcdfAndHdf5GiveTheSameCountries) {
  const Tiny g;
  const auto path = g.write("maskgrid");
  const auto ef = load_gfed_emission_factors(kEf);
  const auto expect = expected_co2(g, ef, {{36, "AUS"}, {76, "BRA"}, {840, "USA"}});
  ASSERT_EQ(expect.size(), 5u);  // AUS BRA USA 999 none
  ASSERT_GT(expect.at("BRA"), 0);
  FireOptions o;
  o.months = {1};
  o.species = {"CO2"};
  const auto h5 = tmp("pc-mask.h5");
  {
    hid_t f = H5Fcreate(h5.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    Tiny::put(f, "/mask", H5T_NATIVE_INT, kMask, 3, 4);
    H5Fclose(f);
  }
  const std::vector<std::string> masks = {
      h5,
      write_tif("pc-mask.tif"),
      write_tif("pc-mask-southup.tif", 3, 4, GDT_Int16, true),
      write_nc("pc-mask-classic.nc", 0, NC_INT, "mask", true),            // CDF-1, latitude ascending
      write_nc("pc-mask-64.nc", NC_64BIT_OFFSET, NC_INT, "codes"),       // CDF-2, another name
      write_nc("pc-mask-nc4.nc", NC_NETCDF4, NC_INT, "codes", false, -135, false, true),  // HDF5, float first
  };
  for (const auto& m : masks) {
    o.mask = m;
    const auto got = got_co2(compute_gfed_fire(path, ef, o));
    ASSERT_EQ(got.size(), expect.size()) << m;
    for (const auto& [name, v] : expect) {
      ASSERT_TRUE(got.count(name)) << m << " " << name;
      EXPECT_NEAR(got.at(name), v, 1e-9 * v + 1e-12) << m << " " << name;
    }
  }
  // --mask-names replaces the ISO names; codes sharing a name are summed.
  const auto names = tmp("pc-mask-names.csv");
  std::ofstream(names) << "code,name\n76,South America\n36,Oceania\n840,North America\n999,North America\n";
  o.mask = masks[1];
  o.mask_names = names;
  const auto got = got_co2(compute_gfed_fire(path, ef, o));
  EXPECT_NEAR(got.at("North America"), expect.at("USA") + expect.at("999"), 1e-9 * expect.at("USA"));
  EXPECT_NEAR(got.at("South America"), expect.at("BRA"), 1e-9 * expect.at("BRA"));
  EXPECT_EQ(got.size(), 4u);
}

TEST(GfedFireMask, GdalIsLoadedOnFirstUse) {
  // The library loads (install-deps installs it) and a missing symbol is an Io error naming the function.
  EXPECT_NE(io::gdal_symbol("GDALOpen"), nullptr);
  try {
    io::gdal_symbol("GDALNoSuchFunction");
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::Io);
    EXPECT_NE(std::string(e.what()).find("GDAL has no function GDALNoSuchFunction"), std::string::npos) << e.what();
  }
}

TEST(GfedFireMask, ErrorsNameTheFileAndWhatIsWrong) {
  const Tiny g;
  const auto path = g.write("maskerr");
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1};
  o.species = {"CO2"};
  auto run = [&](const std::string& mask, const std::string& var = "", const std::string& names = "") {
    o.mask = mask;
    o.mask_variable = var;
    o.mask_names = names;
    return err([&] { compute_gfed_fire(path, ef, o); });
  };
  auto has = [](const std::string& e, const std::string& what) {
    EXPECT_NE(e.find(what), std::string::npos) << e;
  };
  // GeoTIFF
  auto p = write_tif("pc-mask-shape.tif", 3, 3);
  auto e = run(p);
  has(e, p);
  has(e, "3 rows x 3 columns but the emissions grid is 3 x 4");
  has(run(write_tif("pc-mask-gt.tif", 3, 4, GDT_Int32, false, -170)), "geotransform (origin -170, 90");
  has(run(write_tif("pc-mask-float.tif", 3, 4, GDT_Float32)), "type Float32, not an integer type");
  has(run(write_tif("pc-mask-nogt.tif", 3, 4, GDT_Int32, false, -180, false)), "no geotransform");
  // NetCDF
  p = write_nc("pc-mask-float.nc", 0, NC_FLOAT);
  e = run(p);
  has(e, p);
  has(e, "variable 'mask' is float, not an integer type");
  has(run(write_nc("pc-mask-360.nc", 0, NC_INT, "mask", false, 45)), "this file runs 0..360");
  has(run(write_nc("pc-mask-t.nc", 0, NC_INT, "mask", false, -135, true)), "it looks transposed");
  has(run(write_nc("pc-mask-var.nc", 0), "country_id"), "no variable 'country_id' (--mask-variable)");
  has(run(write_nc("pc-mask-nomask.nc", 0, NC_FLOAT, "burnable")), "no 2-D integer variable");
  // HDF5 with a floating-point /mask, a text file, names
  const auto h5 = tmp("pc-mask-float.h5");
  {
    const float fm[12] = {};
    hid_t f = H5Fcreate(h5.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    Tiny::put(f, "/mask", H5T_NATIVE_FLOAT, fm, 3, 4);
    H5Fclose(f);
  }
  has(run(h5), "not an integer type");
  const auto txt = tmp("pc-mask.txt");
  std::ofstream(txt) << "76,76,840\n";
  has(run(txt), "neither GeoTIFF, NetCDF nor HDF5");
  const auto ok = write_tif("pc-mask-ok.tif");
  const auto names = tmp("pc-mask-badnames.csv");
  std::ofstream(names) << "code,name\n76,BRA\nX1,Somewhere\n";
  e = run(ok, "", names);
  has(e, names + ":line 3");
  has(e, "code 'X1' is not an integer");
  std::ofstream(names) << "76,BRA\n76,Brazil\n";
  has(run(ok, "", names), "code 76 appears twice");
  std::ofstream(names) << "76,\n";
  has(run(ok, "", names), "code 76 has no name");
  has(run(ok, "", tmp("pc-no-such-names.csv")), "cannot read the mask names file");
  // Missing file; right magic but damaged; a 1-D variable.
  has(run(tmp("pc-no-such-mask.tif")), "cannot read the mask file");
  const auto broken_tif = tmp("pc-mask-broken.tif"), broken_nc = tmp("pc-mask-broken.nc");
  std::ofstream(broken_tif, std::ios::binary) << std::string("II*\0", 4) << "garbage";
  has(run(broken_tif), "GDAL cannot open the mask raster");
  std::ofstream(broken_nc, std::ios::binary) << std::string("CDF\x01", 4);  // the magic alone
  has(run(broken_nc), "libnetcdf cannot open this NetCDF classic file");
  const auto one_d = tmp("pc-mask-1d.nc");
  {
    int nc = -1, d = -1, v = -1;
    nc_create(one_d.c_str(), NC_CLOBBER, &nc);
    nc_def_dim(nc, "cell", 12, &d);
    nc_def_var(nc, "mask", NC_INT, 1, &d, &v);
    nc_enddef(nc);
    nc_put_var_int(nc, v, kMask);
    nc_close(nc);
  }
  has(run(one_d), "variable 'mask' has 1 dimensions; expected 2");
}

// ------------------------------------------------------------------ managed-land mask
namespace {
// 3 x 4 managed-land flags, row 0 north; -1 is the fill value (nodata -> unmanaged).
const int kManaged[12] = {1, 0, 1, 1, 0, 0, 1, -1, 1, 0, 0, 1};

std::string write_managed_h5(const std::string& name, const int* v, size_t rows = 3, size_t cols = 4,
                             bool as_float = false) {
  const auto p = tmp(name);
  hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (as_float) {
    std::vector<float> x(rows * cols);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(v[i % 12]);
    Tiny::put(f, "/managed", H5T_NATIVE_FLOAT, x.data(), rows, cols);
  } else {
    std::vector<int> x(rows * cols);
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::max(v[i % 12], 0);  // HDF5 has no nodata: -1 -> 0
    Tiny::put(f, "/managed", H5T_NATIVE_INT, x.data(), rows, cols);
  }
  H5Fclose(f);
  return p;
}
std::string write_managed_nc(const std::string& name, nc_type type = NC_INT) {
  const auto p = tmp(name);
  int nc = -1, dlat = -1, dlon = -1, v = -1;
  nc_create(p.c_str(), NC_CLOBBER, &nc);
  nc_def_dim(nc, "lat", 3, &dlat);
  nc_def_dim(nc, "lon", 4, &dlon);
  const int dims[2] = {dlat, dlon};
  nc_def_var(nc, "managed", type, 2, dims, &v);
  const int fill = -1;
  if (type == NC_INT) nc_put_att_int(nc, v, "_FillValue", NC_INT, 1, &fill);
  nc_enddef(nc);
  if (type == NC_INT) nc_put_var_int(nc, v, kManaged);
  else {
    float x[12];
    for (size_t i = 0; i < 12; ++i) x[i] = 0.5f;
    nc_put_var_float(nc, v, x);
  }
  nc_close(nc);
  return p;
}
}  // namespace

TEST(GfedFireManaged, SplitByTheMaskMatchesAHandSplitCellByCell) {
  const Tiny g;
  const auto path = g.write("managed");
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  o.species = {"CO2,N2O,BC"};
  o.dm_uncertainty_pct = 10;
  const auto plain = compute_gfed_fire(path, ef, o);
  EXPECT_FALSE(plain.managed_split);
  EXPECT_TRUE(plain.dm_part_kg.empty());
  for (const auto& mask : {write_managed_h5("pc-managed.h5", kManaged), write_managed_nc("pc-managed.nc")}) {
    o.managed_mask = mask;
    const auto r = compute_gfed_fire(path, ef, o);
    ASSERT_TRUE(r.managed_split) << mask;
    ASSERT_EQ(r.regions.size(), 15u);
    ASSERT_EQ(r.dm_part_kg.size(), 2u * 15u * 2u * 6u);
    const double rdm = 0.1 / 1.96;
    size_t nonzero[2] = {0, 0};
    for (size_t s = 0; s < 3; ++s) {
      const auto& e = ef.g_per_kg[static_cast<size_t>(ef.find(r.species[s]))];
      const auto rel = gfed_ef_relative_sd(r.species[s]);
      for (size_t m = 0; m < 2; ++m)
        for (size_t k = 0; k < 15; ++k) {
          double d[2][6] = {};  // by land part (kManaged, -1 -> 0), type
          for (size_t i = 0; i < 12; ++i) {
            const int reg = g.regions[i];
            if (static_cast<size_t>(reg == 0 ? 14 : reg - 1) != k) continue;
            const int land = kManaged[i] == 1 ? 1 : 0;
            for (size_t t = 0; t < 6; ++t) d[land][t] += double(g.dm[m][i]) * g.area[i] * double(g.frac[m][t][i]);
          }
          for (int land = 0; land < 2; ++land) {
            double mean = 0, var = 0;
            for (size_t t = 0; t < 6; ++t) {
              mean += d[land][t] * e[t] * 1e-6;
              if (std::isfinite(rel[t])) var += std::pow(d[land][t] * e[t] * 1e-6 * rel[t], 2);
            }
            var += std::pow(mean * rdm, 2);
            EXPECT_NEAR(r.emission_part(m, k, static_cast<size_t>(land), s), mean, 1e-9 * mean + 1e-12)
                << mask << " s" << s << " m" << m << " r" << k << " land " << land;
            const auto got = r.range({m}, k, s, 0x3f, land);
            EXPECT_NEAR(got.mean, mean, 1e-9 * mean + 1e-12);
            if (mean > 0 && s < 2) {
              ++nonzero[land];
              EXPECT_NEAR(got.sd, std::sqrt(var), 1e-9 * std::sqrt(var));
            }
            if (s == 2) {
              EXPECT_TRUE(std::isnan(got.lower));  // BC: no spread
            }
          }
          // The parts add up to the run without the mask.
          EXPECT_NEAR(r.emission_part(m, k, 0, s) + r.emission_part(m, k, 1, s), plain.emission(m, k, s),
                      1e-12 * plain.emission(m, k, s) + 1e-12);
          EXPECT_NEAR(r.emission(m, k, s), plain.emission(m, k, s), 1e-12 * plain.emission(m, k, s) + 1e-12);
          for (size_t t = 0; t < 6; ++t)
            EXPECT_NEAR(r.dm_kg[(m * 15 + k) * 6 + t], plain.dm_kg[(m * 15 + k) * 6 + t],
                        1e-12 * plain.dm_kg[(m * 15 + k) * 6 + t]);
        }
    }
    // Both parts burn somewhere (the test can fail).
    EXPECT_GT(nonzero[0], 0u);
    EXPECT_GT(nonzero[1], 0u);
  }
  // A run without the managed mask cannot be asked for a part.
  EXPECT_NE(err([&] { plain.range({0}, 0, 0, 0x3f, 1); }).find("managed-land mask"), std::string::npos);
}

TEST(GfedFireManaged, WithACountryMaskTheSplitIsPerCountry) {
  const Tiny g;
  const auto path = g.write("managed-country");
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1};
  o.species = {"CO2"};
  o.mask = write_tif("pc-managed-country.tif");
  o.managed_mask = write_managed_nc("pc-managed-country.nc");
  const auto r = compute_gfed_fire(path, ef, o);
  const auto& e = ef.g_per_kg[static_cast<size_t>(ef.find("CO2"))];
  const auto names = io::load_mask_names({});
  std::map<std::pair<std::string, int>, double> expect;
  for (size_t i = 0; i < 12; ++i) {
    double x = 0;
    for (size_t t = 0; t < 6; ++t) x += double(g.frac[0][t][i]) * e[t];
    const int c = kMask[i];
    const std::string name = c <= 0 ? "none" : names.count(c) ? names.at(c) : std::to_string(c);
    expect[{name, kManaged[i] == 1 ? 1 : 0}] += double(g.dm[0][i]) * g.area[i] * x * 1e-6;
  }
  for (size_t k = 0; k < r.regions.size(); ++k)
    for (int land = 0; land < 2; ++land) {
      const double want = expect.count({r.regions[k], land}) ? expect.at({r.regions[k], land}) : 0.0;
      EXPECT_NEAR(r.emission_part(0, k, static_cast<size_t>(land), 0), want, 1e-9 * want + 1e-12)
          << r.regions[k] << " " << land;
    }
}

TEST(GfedFireManaged, ErrorsNameTheFile) {
  const Tiny g;
  const auto path = g.write("managed-err");
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1};
  o.species = {"CO2"};
  auto run = [&](const std::string& mask) {
    o.managed_mask = mask;
    return err([&] { compute_gfed_fire(path, ef, o); });
  };
  auto has = [](const std::string& e, const std::string& what) { EXPECT_NE(e.find(what), std::string::npos) << e; };
  // Wrong shape (HDF5 and NetCDF), floating point, a value other than 0 / 1, not a raster at all.
  const auto shape = write_managed_h5("pc-managed-shape.h5", kManaged, 3, 3);
  auto e = run(shape);
  has(e, shape);
  has(e, "managed-land mask (--managed-mask)");
  has(e, "is 3 x 3 but the emissions grid is 3 x 4");
  const auto fl = write_managed_h5("pc-managed-float.h5", kManaged, 3, 4, true);
  e = run(fl);
  has(e, fl);
  has(e, "variable 'managed' is float, not an integer type; managed-land flags 1 / 0 must be integers");
  const auto flnc = write_managed_nc("pc-managed-float.nc", NC_FLOAT);
  e = run(flnc);
  has(e, flnc);
  has(e, "variable 'managed' is float, not an integer type");
  int two[12];
  std::copy(std::begin(kManaged), std::end(kManaged), two);
  two[5] = 2;
  const auto v2 = write_managed_h5("pc-managed-two.h5", two);
  e = run(v2);
  has(e, v2);
  has(e, "managed-land mask value 2 at row 1, column 1 is neither 1 (managed land) nor 0");
  const auto txt = tmp("pc-managed.txt");
  std::ofstream(txt) << "1,0,1\n";
  e = run(txt);
  has(e, txt);
  has(e, "the managed-land mask is neither GeoTIFF, NetCDF nor HDF5");
}

// ---------------------------------------------------------------- GFED NetCDF layout and float64 grids
namespace {
// The Tiny year as DM(time, lat, lon), DM_<T>(time, lat, lon), grid_cell_area(lat, lon), basis_regions(lat, lon)
// with lat/lon coordinates (docs/natural-fires.md "NetCDF layout"); lat ascending writes the rows south first.
// f64: the layers as double (dm64/frac64 when given, else the float values widened).
struct NcOptions {
  int mode = NC_NETCDF4;
  bool lat_ascending = false;
  bool f64 = false;
  std::string skip;             // a variable left out
  std::string narrow;           // a layer written on a grid one column narrower
  size_t time = 12;             // length of the time dimension
  const char* frac_units = "1";
};
std::string write_gfed_nc(const Tiny& g, const std::string& name, const NcOptions& o,
                          const std::vector<std::vector<double>>* dm64 = nullptr,
                          const std::vector<std::array<std::vector<double>, 6>>* frac64 = nullptr) {
  const auto p = (std::filesystem::temp_directory_path() / ("pc-gfed-" + name + ".nc")).string();
  int nc = -1, dt = -1, dlat = -1, dlon = -1, vlat = -1, vlon = -1;
  EXPECT_EQ(nc_create(p.c_str(), o.mode | NC_CLOBBER, &nc), NC_NOERR);
  nc_def_dim(nc, "time", o.time, &dt);
  nc_def_dim(nc, "lat", g.rows, &dlat);
  nc_def_dim(nc, "lon", g.cols, &dlon);
  nc_def_var(nc, "lat", NC_DOUBLE, 1, &dlat, &vlat);
  nc_def_var(nc, "lon", NC_DOUBLE, 1, &dlon, &vlon);
  int dnarrow = -1;
  if (!o.narrow.empty()) nc_def_dim(nc, "lon_narrow", g.cols - 1, &dnarrow);
  const int d2[2] = {dlat, dlon}, d3[3] = {dt, dlat, dlon}, d3n[3] = {dt, dlat, dnarrow};
  int va = -1, vr = -1, vl[7];
  if (o.skip != "grid_cell_area") nc_def_var(nc, "grid_cell_area", NC_DOUBLE, 2, d2, &va);
  if (o.skip != "basis_regions") nc_def_var(nc, "basis_regions", NC_INT, 2, d2, &vr);
  std::string names[7] = {"DM"};
  for (size_t t = 0; t < 6; ++t) names[t + 1] = std::string("DM_") + kGfedFireTypes[t];
  for (size_t k = 0; k < 7; ++k) {
    vl[k] = -1;
    if (names[k] == o.skip) continue;
    nc_def_var(nc, names[k].c_str(), o.f64 ? NC_DOUBLE : NC_FLOAT, 3, names[k] == o.narrow ? d3n : d3, &vl[k]);
    if (k > 0) nc_put_att_text(nc, vl[k], "units", std::strlen(o.frac_units), o.frac_units);
  }
  nc_enddef(nc);
  const size_t n = g.rows * g.cols;
  const auto rowflip = [&](auto v) {  // file order: south first when lat ascending
    if (o.lat_ascending)
      for (size_t r = 0; r < g.rows / 2; ++r)
        std::swap_ranges(v.begin() + static_cast<std::ptrdiff_t>(r * g.cols),
                         v.begin() + static_cast<std::ptrdiff_t>((r + 1) * g.cols),
                         v.begin() + static_cast<std::ptrdiff_t>((g.rows - 1 - r) * g.cols));
    return v;
  };
  std::vector<double> lat(g.rows), lon(g.cols);
  for (size_t r = 0; r < g.rows; ++r) {
    const double dy = 180.0 / static_cast<double>(g.rows);
    const double north = 90 - dy / 2 - dy * static_cast<double>(r);
    lat[o.lat_ascending ? g.rows - 1 - r : r] = north;
  }
  for (size_t c = 0; c < g.cols; ++c) lon[c] = -180 + 360.0 / static_cast<double>(g.cols) * (static_cast<double>(c) + 0.5);
  nc_put_var_double(nc, vlat, lat.data());
  nc_put_var_double(nc, vlon, lon.data());
  if (va >= 0) nc_put_var_double(nc, va, rowflip(g.area).data());
  if (vr >= 0) nc_put_var_int(nc, vr, rowflip(g.regions).data());
  for (size_t m = 0; m < std::min<size_t>(o.time, static_cast<size_t>(g.months)); ++m)
    for (size_t k = 0; k < 7; ++k) {
      if (vl[k] < 0 || names[k] == o.narrow) continue;
      const size_t start[3] = {m, 0, 0}, count[3] = {1, g.rows, g.cols};
      std::vector<double> v(n);
      for (size_t i = 0; i < n; ++i)
        v[i] = k == 0 ? (dm64 ? (*dm64)[m][i] : g.dm[m][i]) : (frac64 ? (*frac64)[m][k - 1][i] : g.frac[m][k - 1][i]);
      v = rowflip(v);
      if (o.f64) {
        nc_put_vara_double(nc, vl[k], start, count, v.data());
      } else {
        std::vector<float> f(v.begin(), v.end());
        nc_put_vara_float(nc, vl[k], start, count, f.data());
      }
    }
  nc_close(nc);
  return p;
}
}  // namespace

// The same year in the HDF5 layout and in the NetCDF layout (NetCDF-4 with latitude south first, NetCDF classic
// north first) gives the same sums bit for bit, and so the same rows.
TEST(GfedFireNetcdf, SameSumsAsTheHdf5Layout) {
  const Tiny g;
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  const auto h5 = compute_gfed_fire(g.write("nc-ref"), ef, o);
  for (const bool classic : {false, true}) {
    NcOptions w;
    w.mode = classic ? 0 : NC_NETCDF4;  // 0: NetCDF classic
    w.lat_ascending = !classic;
    const auto r = compute_gfed_fire(write_gfed_nc(g, classic ? "classic" : "nc4", w), ef, o);
    EXPECT_EQ(r.regions, h5.regions);
    EXPECT_EQ(r.dm_kg, h5.dm_kg) << classic;
    EXPECT_EQ(r.emission_t, h5.emission_t) << classic;
  }
}

TEST(GfedFireNetcdf, ErrorsNameTheVariableOrDimension) {
  const Tiny g;
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  auto run = [&](const std::string& name, const NcOptions& w) {
    return err([&] { compute_gfed_fire(write_gfed_nc(g, name, w), ef, o); });
  };
  NcOptions w;
  w.skip = "DM_PEAT";
  auto e = run("nc-nopeat", w);
  EXPECT_NE(e.find("variable DM_PEAT (fraction of DM burned as PEAT"), std::string::npos) << e;
  w = {};
  w.skip = "grid_cell_area";
  e = run("nc-noarea", w);
  EXPECT_NE(e.find("variable grid_cell_area (m2 per cell"), std::string::npos) << e;
  w = {};
  w.time = 2;
  e = run("nc-time", w);
  EXPECT_NE(e.find("dimension time of variable DM has length 2; expected the 12 months"), std::string::npos) << e;
  w = {};
  w.frac_units = "kg DM m-2 month-1";
  e = run("nc-units", w);
  EXPECT_NE(e.find("variable DM_SAVA has units 'kg DM m-2 month-1': dry matter per fire type"), std::string::npos)
      << e;
  w = {};
  w.narrow = "DM_BORF";
  e = run("nc-narrow", w);
  EXPECT_NE(e.find("variable DM_BORF is 3 x 3 (lat x lon_narrow) but the grid is 3 x 4 (from grid_cell_area)"),
            std::string::npos)
      << e;
  w = {};
  w.skip = "basis_regions";
  e = run("nc-noregions", w);
  EXPECT_NE(e.find("variable basis_regions (GFED basis regions 0..14, lat x lon) is missing; give it, or regions with "
                   "--mask"),
            std::string::npos)
      << e;
  // A NetCDF classic header that libnetcdf cannot read.
  {
    const auto bad = (std::filesystem::temp_directory_path() / "pc-gfed-bad-classic.nc").string();
    std::ofstream(bad, std::ios::binary) << std::string("CDF\x01\0\0\0\0junk", 12);
    e = err([&] { compute_gfed_fire(bad, ef, o); });
    EXPECT_NE(e.find("libnetcdf cannot read this NetCDF file as the GFED layout"), std::string::npos) << e;
  }
  // A NetCDF file without DM is not the GFED layout.
  e = err([&] { compute_gfed_fire(write_nc("nc-mask-only.nc", NC_NETCDF4), ef, o); });
  EXPECT_NE(e.find("neither the GFED4.1s HDF5 layout (groups /emissions and /ancill) nor the GFED NetCDF layout"),
            std::string::npos)
      << e;
}

// Float64 grids are read as double: DM and fractions whose values float cannot hold give the double sums (to
// the rounding of the sum itself), in both layouts; narrowed to float they would differ by ~1e-8.
TEST(GfedFire, Float64GridsAreReadAsDouble) {
  Tiny g;
  const size_t n = g.rows * g.cols;
  std::vector<std::vector<double>> dm(2, std::vector<double>(n));
  std::vector<std::array<std::vector<double>, 6>> frac(2);
  for (size_t m = 0; m < 2; ++m) {
    for (auto& v : frac[m]) v.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      dm[m][i] = g.dm[m][i] == 0 ? 0.0 : 0.1 + 1e-9 * static_cast<double>(i + 1) + 0.01 * static_cast<double>(m);
      double w[6], s = 0;
      for (size_t t = 0; t < 6; ++t) s += w[t] = 1.0 + 1.0 / 3.0 * static_cast<double>((i + t + m) % 4);
      for (size_t t = 0; t < 6; ++t) frac[m][t][i] = w[t] / s;
    }
  }
  const auto p = (std::filesystem::temp_directory_path() / "pc-gfed-f64.hdf5").string();
  {
    hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    Tiny::put(f, "/ancill/grid_cell_area", H5T_NATIVE_DOUBLE, g.area.data(), g.rows, g.cols);
    Tiny::put(f, "/ancill/basis_regions", H5T_NATIVE_INT, g.regions.data(), g.rows, g.cols);
    for (size_t m = 0; m < 2; ++m) {
      const std::string grp = m == 0 ? "/emissions/01" : "/emissions/02";
      Tiny::put(f, grp + "/DM", H5T_NATIVE_DOUBLE, dm[m].data(), g.rows, g.cols);
      for (size_t t = 0; t < 6; ++t)
        Tiny::put(f, grp + "/partitioning/DM_" + kGfedFireTypes[t], H5T_NATIVE_DOUBLE, frac[m][t].data(), g.rows,
                  g.cols);
    }
    H5Fclose(f);
  }
  const auto ef = load_gfed_emission_factors(kEf);
  FireOptions o;
  o.months = {1, 2};
  NcOptions w;
  w.f64 = true;
  w.lat_ascending = true;
  for (const auto& file : {p, write_gfed_nc(g, "f64", w, &dm, &frac)}) {
    const auto r = compute_gfed_fire(file, ef, o);
    for (size_t m = 0; m < 2; ++m) {
      double expect[15][6] = {}, narrowed[15][6] = {};
      for (size_t i = 0; i < n; ++i) {
        const int reg = g.regions[i];
        for (size_t t = 0; t < 6; ++t) {
          expect[reg == 0 ? 14 : reg - 1][t] += dm[m][i] * g.area[i] * frac[m][t][i];
          narrowed[reg == 0 ? 14 : reg - 1][t] += double(float(dm[m][i])) * g.area[i] * double(float(frac[m][t][i]));
        }
      }
      for (size_t k = 0; k < 15; ++k)
        for (size_t t = 0; t < 6; ++t) {
          const double got = r.dm_kg[(m * 15 + k) * 6 + t];
          EXPECT_NEAR(got, expect[k][t], 1e-15 * std::abs(expect[k][t])) << file << " " << m << " " << k << " " << t;
          if (expect[k][t] != 0) {  // the test can tell: narrowing moves the sums by far more than the tolerance
            EXPECT_GT(std::abs(narrowed[k][t] - expect[k][t]), 1e-12 * std::abs(expect[k][t])) << k << " " << t;
          }
        }
    }
  }
}
