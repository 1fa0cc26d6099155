// GFED emission factor parser (and the table's carbon identity), the GFED4.1s HDF5 reader on tiny files
// written here with the HDF5 C API, its errors, and IPCC Tier 1 fires.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>

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
  static void put(hid_t f, const std::string& path, hid_t type, const void* data, size_t r, size_t c) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hsize_t dims[2] = {r, c};
    hid_t sp = H5Screate_simple(2, dims, nullptr);
    hid_t d = H5Dcreate2(f, path.c_str(), type == H5T_NATIVE_FLOAT ? H5T_IEEE_F32LE : type == H5T_NATIVE_INT ? H5T_STD_I32LE : H5T_IEEE_F64LE,
                         sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(d);
    H5Sclose(sp);
    H5Pclose(lcpl);
  }
  std::string write(const std::string& name, const std::string& skip = "", const std::string& small = "") const {
    const auto p = (std::filesystem::temp_directory_path() / ("pc-gfed-" + name + ".hdf5")).string();
    hid_t f = H5Fcreate(p.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    auto put2 = [&](const std::string& path, hid_t type, const void* data) {
      if (path == skip) return;
      put(f, path, type, data, rows, path == small ? cols - 1 : cols);
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
