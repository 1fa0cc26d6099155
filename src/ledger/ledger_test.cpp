#include "panocarbon/ledger.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/store.hpp"

using namespace panocarbon;
namespace fs = std::filesystem;

namespace {

// Two regions x two sectors (WIOD labels AtB and E), one final-demand category; x is derived from A and Y.
MrioSystem tiny() {
  MrioSystem s;
  s.name = "tiny";
  s.regions = {"AAA", "BBB"};
  s.sectors = {"AtB", "E"};
  s.fd_categories = {"hh"};
  const double a[4][4] = {{0.1, 0.0, 0.2, 0.0}, {0.05, 0.1, 0.0, 0.1}, {0.1, 0.0, 0.1, 0.0}, {0.0, 0.2, 0.05, 0.1}};
  s.A.rows = s.A.cols = 4;
  s.A.row_start = {0};
  for (int i = 0; i < 4; ++i) {
    for (uint32_t j = 0; j < 4; ++j)
      if (a[i][j] != 0) {
        s.A.col.push_back(j);
        s.A.value.push_back(a[i][j]);
      }
    s.A.row_start.push_back(static_cast<int64_t>(s.A.value.size()));
  }
  s.Y = DenseMatrix(4, 2);
  const double y[4][2] = {{10, 2}, {5, 1}, {1, 8}, {2, 6}};
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 2; ++j) s.Y(i, j) = y[i][j];
  MrioExtension e;
  e.name = "co2";
  e.stressors = {"CO2"};
  e.units = {"kt"};
  e.F = DenseMatrix(1, 4);
  e.F.data = {1, 4, 2, 3};
  e.F_Y = DenseMatrix(1, 2);
  e.F_Y.data = {0.5, 0.25};
  s.extensions.push_back(e);
  return s;
}

// (I - A)^-1 b by Gauss-Jordan on the 4 x 4 system (an independent solve).
std::vector<double> solve(const double a[4][4], std::vector<double> b) {
  double m[4][5];
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) m[i][j] = (i == j ? 1.0 : 0.0) - a[i][j];
    m[i][4] = b[static_cast<size_t>(i)];
  }
  for (int c = 0; c < 4; ++c) {
    int p = c;
    for (int r = c + 1; r < 4; ++r)
      if (std::abs(m[r][c]) > std::abs(m[p][c])) p = r;
    for (int k = 0; k < 5; ++k) std::swap(m[c][k], m[p][k]);
    for (int r = 0; r < 4; ++r)
      if (r != c) {
        const double f = m[r][c] / m[c][c];
        for (int k = 0; k < 5; ++k) m[r][k] -= f * m[c][k];
      }
  }
  for (int i = 0; i < 4; ++i) b[static_cast<size_t>(i)] = m[i][4] / m[i][i];
  return b;
}

fs::path temp_dir(const char* name) {
  auto p = fs::temp_directory_path() / (std::string("pc-ledger-test-") + name + "-" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::map<std::string, double> by_indicator(const ledger::Table& t, const std::string& country) {
  std::map<std::string, double> m;
  for (const auto& v : t.values)
    if (v.country == country) m[v.indicator] = v.value;
  return m;
}

}  // namespace

TEST(Ledger, MrioTableMatchesAnIndependentSolveAndItsIdentities) {
  const MrioSystem s = tiny();
  const auto co2 = ledger::find_co2(s, "tiny");
  EXPECT_DOUBLE_EQ(co2.to_mt, 1e-3);
  AccountsOptions o;
  o.extensions = {"co2"};
  o.stressors = {"CO2"};
  const MrioAccounts acc = compute_accounts(s, o);
  const ledger::Table t = ledger::mrio_table(s, acc, co2, 2009);
  // independent: x = (I - A)^-1 y per consuming region, x for all demand, s = f / x
  const double a[4][4] = {{0.1, 0.0, 0.2, 0.0}, {0.05, 0.1, 0.0, 0.1}, {0.1, 0.0, 0.1, 0.0}, {0.0, 0.2, 0.05, 0.1}};
  const auto x1 = solve(a, {10, 5, 1, 2}), x2 = solve(a, {2, 1, 8, 6});
  const double f[4] = {1, 4, 2, 3};
  double B[2][2] = {{0, 0}, {0, 0}};
  for (size_t i = 0; i < 4; ++i) {
    const double si = f[i] / (x1[i] + x2[i]);
    B[i / 2][0] += si * x1[i];
    B[i / 2][1] += si * x2[i];
  }
  const auto aaa = by_indicator(t, "AAA"), bbb = by_indicator(t, "BBB");
  EXPECT_NEAR(aaa.at("production"), (B[0][0] + B[0][1] + 0.5) * 1e-3, 1e-15);
  EXPECT_NEAR(aaa.at("consumption"), (B[0][0] + B[1][0] + 0.5) * 1e-3, 1e-15);
  EXPECT_NEAR(aaa.at("imports"), B[1][0] * 1e-3, 1e-15);
  EXPECT_NEAR(aaa.at("exports"), B[0][1] * 1e-3, 1e-15);
  EXPECT_NEAR(bbb.at("imports"), B[0][1] * 1e-3, 1e-15);
  for (const auto* r : {&aaa, &bbb})
    EXPECT_NEAR(r->at("net_transfer"), r->at("imports") - r->at("exports"), 1e-15);
  EXPECT_NEAR(aaa.at("production") + bbb.at("production"), aaa.at("consumption") + bbb.at("consumption"), 1e-15);
  // partners: AAA's exports to BBB are BBB's imports from AAA
  ASSERT_EQ(t.partners.size(), 2u);
  EXPECT_EQ(t.partners[0].country, "AAA");
  EXPECT_EQ(t.partners[0].partner, "BBB");
  EXPECT_NEAR(t.partners[0].exports, aaa.at("exports"), 1e-15);
  EXPECT_NEAR(t.partners[0].imports, aaa.at("imports"), 1e-15);
  // sectors: WIOD codes, F by industry, and they sum to production and consumption
  ASSERT_EQ(t.sectors.size(), 6u);
  EXPECT_EQ(t.sectors[0].sector, "c1");
  EXPECT_EQ(t.sectors[1].sector, "c17");
  EXPECT_EQ(t.sectors[1].sector_name, "Electricity, Gas and Water Supply");
  EXPECT_EQ(t.sectors[2].sector, "FY");
  EXPECT_DOUBLE_EQ(t.sectors[1].production, 4e-3);
  double p = 0, c = 0;
  for (size_t k = 0; k < 3; ++k) {
    p += t.sectors[k].production;
    c += t.sectors[k].consumption;
  }
  EXPECT_NEAR(p, aaa.at("production"), 1e-15);
  EXPECT_NEAR(c, aaa.at("consumption"), 1e-15);
}

TEST(Ledger, FindCo2RefusesSystemsWithoutOneNamingWhatItFound) {
  MrioSystem s = tiny();
  s.extensions[0].stressors = {"CH4"};
  try {
    ledger::find_co2(s, "/data/x/2009");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("/data/x/2009"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("co2/CH4"), std::string::npos) << e.what();
  }
  s.extensions[0].stressors = {"CO2"};
  s.extensions[0].units = {"bushels"};
  EXPECT_THROW(ledger::find_co2(s, "x"), Error);
}

TEST(Ledger, GcbTableIsTheFilesTimes44Over12WithTransfersTurned) {
  const auto d = temp_dir("gcb");
  write(d / "territorial-emissions.csv",
        "Code,Year,Emissions,Source\nCHN,2009,2117.580,CDIAC\nCHN,2010,,CDIAC\nWorld,2009,9000,CDIAC\n"
        "Africa,2009,300,CDIAC\nEUU,2009,900,CDIAC\nCHN,1985,500,CDIAC\n");
  write(d / "consumption-emissions.csv", "Code,Year,Consumption-Emissions\nCHN,2009,1808.520\n");
  write(d / "emissions-transfers.csv", "Code,Year,Emissions-Transfers\nCHN,2009,309.060\n");
  const ledger::Table t = ledger::gcb_table(d, 1990);
  std::map<std::string, double> v;
  for (const auto& r : t.values) v[r.country + " " + r.indicator] = r.value;
  EXPECT_EQ(v.size(), 4u);  // CHN x 3 and World; no 1985, no empty cell, no groups
  EXPECT_DOUBLE_EQ(v["CHN production"], 2117.580 * 44.0 / 12.0);
  EXPECT_DOUBLE_EQ(v["CHN consumption"], 1808.520 * 44.0 / 12.0);
  EXPECT_DOUBLE_EQ(v["CHN net_transfer"], -309.060 * 44.0 / 12.0);
  EXPECT_NEAR(v["CHN net_transfer"], v["CHN consumption"] - v["CHN production"], 1e-9);
  EXPECT_TRUE(v.count("World production"));
  EXPECT_NE(t.values[0].note.find("CDIAC"), std::string::npos);
  // a bad value is named by file, line and field
  write(d / "consumption-emissions.csv", "Code,Year,Consumption-Emissions\nCHN,2009,lots\n");
  try {
    ledger::gcb_table(d);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().field, "Consumption-Emissions");
    EXPECT_NE(std::string(e.what()).find("consumption-emissions.csv"), std::string::npos);
  }
  fs::remove_all(d);
}

TEST(Ledger, ExportRoundTripsWithTopPartnersAndNotes) {
  const MrioSystem s = tiny();
  const auto co2 = ledger::find_co2(s, "tiny");
  AccountsOptions o;
  o.extensions = {"co2"};
  o.stressors = {"CO2"};
  ledger::Table t = ledger::mrio_table(s, compute_accounts(s, o), co2, 2009);
  t.source = "tiny/2009";
  t.dataset = "tiny";
  t.version = "v1, \"quoted\"";
  t.citation = "none";
  // a natural source beside it: another unit, a GWP set, its own note and a sector the MRIO source lacks
  ledger::Table n;
  n.source = "inventory/run-3";
  n.dataset = "inventory";
  ledger::Value nv;
  nv.country = "AAA";
  nv.year = 2009;
  nv.indicator = "production";
  nv.value = 2.5;
  nv.unit = "Mt CO2e";
  nv.gwp = "AR5";
  nv.side = "production";
  nv.note = "inventory by IPCC sector";
  n.values = {nv};
  n.sectors = {{"AAA", 2009, "1", "Energy", 2.5, 0}};
  const auto d = temp_dir("export");
  ledger::write_export({t, n}, d, 1);
  std::map<std::string, std::string> files;
  for (const char* f : {"sources.csv", "values.csv", "partners.csv", "sectors.csv"}) files[f] = read_file(d / f);
  const auto back = ledger::read_export(files, d.string());
  ASSERT_EQ(back.size(), 2u);
  const auto& b = back[0];
  const auto& bn = back[1];
  ASSERT_EQ(bn.values.size(), 1u);
  EXPECT_EQ(bn.values[0].unit, "Mt CO2e");
  EXPECT_EQ(bn.values[0].gwp, "AR5");
  EXPECT_EQ(bn.values[0].note, nv.note);
  ASSERT_EQ(bn.sectors.size(), 1u);
  EXPECT_EQ(bn.sectors[0].sector_name, "Energy");
  EXPECT_EQ(b.version, t.version);
  ASSERT_EQ(b.values.size(), t.values.size());
  for (size_t i = 0; i < t.values.size(); ++i) {
    EXPECT_NEAR(b.values[i].value, t.values[i].value, 5e-9 * std::abs(t.values[i].value));
    EXPECT_EQ(b.values[i].note, t.values[i].note);
    EXPECT_EQ(b.values[i].side, t.values[i].side);
    EXPECT_EQ(b.values[i].unit, "Mt CO2");
    EXPECT_EQ(b.values[i].gwp, "");
  }
  EXPECT_EQ(b.partners.size(), 2u);  // one per country (top 1), here both
  ASSERT_EQ(b.sectors.size(), t.sectors.size());
  for (size_t i = 0; i < t.sectors.size(); ++i) {
    EXPECT_EQ(b.sectors[i].sector, t.sectors[i].sector);
    EXPECT_EQ(b.sectors[i].sector_name, t.sectors[i].sector_name);
    EXPECT_NEAR(b.sectors[i].consumption, t.sectors[i].consumption, 5e-9 * std::abs(t.sectors[i].consumption) + 1e-300);
  }
  // an unknown source in values.csv is named
  files["values.csv"] = "source,country,year,indicator,value,lower,upper,note\nother,AAA,2009,production,1,,,\n";
  try {
    ledger::read_export(files, "F");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.context().file, "F/values.csv");
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().field, "source");
  }
  fs::remove_all(d);
}

TEST(Ledger, PerCapitaUsesTheWorldBankPopulation) {
  ledger::Table t;
  ledger::Value v;
  v.country = "CHN";
  v.year = 2009;
  v.indicator = "production";
  v.value = 7000;
  v.lower = 6000;
  v.upper = 8000;
  t.values.push_back(v);
  v.country = "RoW";
  t.values.push_back(v);
  const auto pop = ledger::load_population();
  ledger::add_per_capita(t, pop);
  ASSERT_EQ(t.values.size(), 3u);  // RoW has no population
  const double p = pop.at("CHN").at(2009);
  EXPECT_GT(p, 1.3e9);
  EXPECT_DOUBLE_EQ(t.values[2].value, 7000 * 1e6 / p);
  EXPECT_DOUBLE_EQ(t.values[2].lower, 6000 * 1e6 / p);
  EXPECT_EQ(t.values[2].unit, "t CO2/person");
  EXPECT_EQ(t.values[2].indicator, "production_per_capita");
}

TEST(Ledger, NaturalAndInventoryRunsBecomeSourcesWhereTheyNameACountry) {
  EXPECT_EQ(ledger::country_code("China"), "CHN");
  EXPECT_EQ(ledger::country_code("chn"), "CHN");
  EXPECT_EQ(ledger::country_code("BONA"), "");
  std::vector<NaturalFluxRecord> recs(3);
  recs[0].region = "China";
  recs[0].year = 2009;
  recs[0].species = "CO2";
  recs[0].value = 100;
  recs[0].management = "managed";
  recs[1] = recs[0];
  recs[1].species = "CH4";
  recs[1].value = 1;
  recs[1].origin = "direct anthropogenic";
  recs[1].unit = "t";
  recs[2] = recs[0];
  recs[2].region = "BONA";  // a GFED region: left out
  size_t skipped = 0;
  const auto t = ledger::natural_table(12, "natural afolu", recs, GwpTable::builtin().set("AR5"), &skipped);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(t.source, "natural/run-12");
  const auto v = by_indicator(t, "CHN");
  EXPECT_DOUBLE_EQ(v.at("natural"), (100 + 28) * 1e-6);
  EXPECT_DOUBLE_EQ(v.at("natural_managed"), (100 + 28) * 1e-6);
  EXPECT_DOUBLE_EQ(v.at("natural_direct_anthropogenic"), 28e-6);
  EXPECT_DOUBLE_EQ(v.at("natural_remainder"), 0);
  EXPECT_EQ(t.values[0].gwp, "AR5");
  EXPECT_EQ(t.values[0].unit, "Mt CO2e");

  ledger::InventoryRun inv;
  inv.run_id = 7;
  inv.country_year = "CHN 2009";
  inv.gwp = "AR5";
  inv.categories = {{"0", 1.5e6}, {"1", 1e6}, {"1.A", 1e6}, {"2", 5e5}};
  const auto it = ledger::inventory_table(inv);
  ASSERT_TRUE(it);
  EXPECT_EQ(it->source, "inventory/run-7");
  EXPECT_DOUBLE_EQ(by_indicator(*it, "CHN").at("production"), 1.5);
  ASSERT_EQ(it->sectors.size(), 2u);
  EXPECT_EQ(it->sectors[0].sector, "1");
  inv.country_year = "XL 2022";
  EXPECT_FALSE(ledger::inventory_table(inv));
}

TEST(Ledger, StoreReplacesASourceAndRefusesNonFiniteValues) {
  Store st = Store::open(":memory:");
  ledger::Table t;
  t.source = "d/2009";
  t.dataset = "d";
  ledger::Value v;
  v.country = "CHN";
  v.year = 2009;
  v.indicator = "production";
  v.value = 1;
  t.values = {v, v};
  t.values[1].indicator = "consumption";
  t.partners = {{"CHN", 2009, "USA", 1, 2}};
  t.sectors = {{"CHN", 2009, "c1", "Agriculture", 0.5, 0.25}};
  st.save_ledger(0, t);
  t.values.pop_back();
  t.values[0].value = 3;
  st.save_ledger(0, t);  // replaces
  auto got = st.ledger(LedgerQuery{"CHN", "", "d", 2009, true, true});
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].values.size(), 1u);
  EXPECT_EQ(got[0].values[0].value, 3);
  EXPECT_EQ(got[0].partners.size(), 1u);
  EXPECT_EQ(got[0].sectors.size(), 1u);
  EXPECT_TRUE(std::isnan(got[0].values[0].lower));
  const auto sources = st.ledger_sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].years, std::vector<int>{2009});
  t.values[0].value = std::numeric_limits<double>::infinity();
  try {
    st.save_ledger(0, t);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Data);
    EXPECT_NE(std::string(e.what()).find("ledger_values"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("d/2009"), std::string::npos) << e.what();
  }
  EXPECT_EQ(st.ledger(LedgerQuery{})[0].values[0].value, 3);  // nothing written
  EXPECT_TRUE(st.ledger(LedgerQuery{"", "", "other", 0, false, false}).empty());
}
