// Eora26, OECD ICIO and USEEIO readers: values against the files (and the accounting identities), and one
// test per user-facing error that checks the message names the file, line and label.
#include "io/mrio_formats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "panocarbon/error.hpp"

namespace fs = std::filesystem;
using panocarbon::Error;
using panocarbon::ErrorCategory;
using panocarbon::MrioSystem;
using namespace panocarbon::mrio_io;

namespace {

const std::string kShared = PANOCARBON_SHARED_DATA;
const std::string kEora = kShared + "/mrio/eora26-mock";
const std::string kUseeio = kShared + "/eeio/useeio-v2.0-ghg";
const std::string kIcio = std::string(PANOCARBON_SOURCE_DIR) + "/tests/fixtures/oecd-icio-mini/ICIO2023_mini.csv";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void spit(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

// A fresh copy of a folder (or file) under the temp dir, writable, removed at the end of the test.
class TempCopy {
 public:
  explicit TempCopy(const fs::path& from) {
    root_ = fs::temp_directory_path() /
            ("panocarbon_mrio_formats_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    path_ = root_ / from.filename();
    fs::copy(from, path_, fs::copy_options::recursive);
    for (auto& e : fs::recursive_directory_iterator(root_))
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
  }
  ~TempCopy() { fs::remove_all(root_); }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  fs::path root_, path_;
};

// Replaces the first occurrence of `from` in a file (the test fails when it is absent).
void edit(const fs::path& file, const std::string& from, const std::string& to) {
  std::string s = slurp(file);
  const size_t at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  s.replace(at, from.size(), to);
  spit(file, s);
}

// Line `line` (1-based) of a file replaced by `to`.
void edit_line(const fs::path& file, size_t line, const std::string& to) {
  std::istringstream in(slurp(file));
  std::string out, l;
  for (size_t k = 1; std::getline(in, l); ++k) out += (k == line ? to : l) + "\n";
  spit(file, out);
}

std::string nth_line(const fs::path& file, size_t line) {
  std::istringstream in(slurp(file));
  std::string l;
  for (size_t k = 1; std::getline(in, l); ++k)
    if (k == line) return l;
  return {};
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

double a_at(const MrioSystem& s, size_t i, size_t j) {
  for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p)
    if (s.A.col[p] == j) return s.A.value[p];
  return 0.0;
}

// max_i |(Z1 + Y1)_i - x_i| / x_i with Z = A x^: how far x is from the row balance.
double row_balance_gap(const MrioSystem& s) {
  double worst = 0;
  for (size_t i = 0; i < s.n(); ++i) {
    double r = 0;
    for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) r += s.A.value[p] * s.x[s.A.col[p]];
    for (size_t c = 0; c < s.Y.cols; ++c) r += s.Y(i, c);
    worst = std::max(worst, std::fabs(r - s.x[i]) / std::max(1.0, std::fabs(s.x[i])));
  }
  return worst;
}

double sum_tsv(const fs::path& file) {
  std::istringstream in(slurp(file));
  double total = 0, v = 0;
  while (in >> v) total += v;
  return total;
}

#define SKIP_WITHOUT(path) \
  if (!fs::exists(path)) GTEST_SKIP() << (path) << " is absent (../shared/data not available)"

}  // namespace

// --- Eora26 ------------------------------------------------------------------------------------------------

TEST(Eora26, ReadsTheMockWithBothExtensions) {
  SKIP_WITHOUT(kEora);
  ASSERT_TRUE(looks_like_eora26(kEora));
  EXPECT_FALSE(looks_like_useeio(kEora));
  const MrioSystem s = read_eora26(kEora);
  EXPECT_EQ(s.format, "eora26");
  EXPECT_EQ(s.name, "Eora26 2010 bp");
  EXPECT_EQ(s.regions, (std::vector<std::string>{"reg1", "reg2", "reg3", "reg4", "reg5", "reg6"}));
  ASSERT_EQ(s.sectors.size(), 8u);
  EXPECT_EQ(s.sectors[0], "food");
  EXPECT_EQ(s.sectors[7], "other");
  ASSERT_EQ(s.fd_categories.size(), 7u);
  EXPECT_EQ(s.fd_categories[0], "Final consumption expenditure by households");
  EXPECT_EQ(s.fd_categories[6], "Export");
  ASSERT_EQ(s.Y.rows, 48u);
  ASSERT_EQ(s.Y.cols, 42u);
  EXPECT_FALSE(s.x_given);
  // x = Z1 + Y1, Z = T: the first cell of T and the totals of FD survive.
  EXPECT_NEAR(a_at(s, 0, 0) * s.x[0], 23697.221, 1e-9 * 23697.221);
  const double y_total = std::accumulate(s.Y.data.begin(), s.Y.data.end(), 0.0);
  const double fd_file = sum_tsv(fs::path(kEora) / "Eora26_2010_bp_FD.txt");
  EXPECT_NEAR(y_total, fd_file, 1e-12 * fd_file);
  EXPECT_LT(row_balance_gap(s), 1e-12);
  ASSERT_EQ(s.extensions.size(), 2u);
  const auto& q = s.extensions[0];
  EXPECT_EQ(q.name, "Q");
  EXPECT_EQ(q.stressors,
            (std::vector<std::string>{"I-GHG-CO2 emissions|emission_type1", "I-GHG-CO2 emissions|emission_type2"}));
  EXPECT_EQ(q.units, (std::vector<std::string>{"kg", "kg"}));
  EXPECT_DOUBLE_EQ(q.F(0, 0), 1848064.8);
  EXPECT_DOUBLE_EQ(q.F_Y(0, 0), 62335321);
  EXPECT_DOUBLE_EQ(q.F_Y(1, 35), 163362050);
  const auto& va = s.extensions[1];
  EXPECT_EQ(va.name, "VA");
  EXPECT_EQ(va.stressors, (std::vector<std::string>{"Primary Inputs|Value Added"}));
  EXPECT_TRUE(va.F_Y.empty());
  EXPECT_EQ(s.provenance["files"].size(), 9u);
}

TEST(Eora26, DropsTheRowRegionAndRecordsWhatWasLost) {
  SKIP_WITHOUT(kEora);
  // Real Eora26 ends T and FD with region ROW (one "TOTAL" sector, one FD column): the statistical
  // discrepancy. Append one to the mock and check that the system is the same as without it.
  TempCopy t(kEora);
  auto append = [&](const std::string& file, const std::string& extra_line, const std::string& cell) {
    std::istringstream in(slurp(t / file));
    std::string out, l;
    while (std::getline(in, l)) out += l + (cell.empty() ? "" : "\t" + cell) + "\n";
    spit(t / file, out + extra_line);
  };
  append("labels_T.txt", "Rest of the World\tROW\tIndustries\tTOTAL\n", "");
  append("labels_FD.txt", "Rest of the World\tROW\tFinal Demand\tTOTAL\n", "");
  std::string row48;
  for (int k = 0; k < 48; ++k) {
    if (k) row48 += '\t';
    row48 += '1';
  }
  append("Eora26_2010_bp_T.txt", row48 + "\t1000\n", "2");  // 48 x 2 + 48 x 1 + 1000 lost
  std::string fd_row;
  for (int k = 0; k < 42; ++k) {
    if (k) fd_row += '\t';
    fd_row += '3';
  }
  append("Eora26_2010_bp_FD.txt", fd_row + "\t5\n", "0");
  append("Eora26_2010_bp_Q.txt", "", "7");
  append("Eora26_2010_bp_QY.txt", "", "0");
  append("Eora26_2010_bp_VA.txt", "", "0");
  const MrioSystem with = read_eora26(t.path().string());
  const MrioSystem without = read_eora26(kEora);
  EXPECT_EQ(with.regions, without.regions);
  EXPECT_EQ(with.x, without.x);
  EXPECT_EQ(with.Y.data, without.Y.data);
  EXPECT_EQ(with.extensions[0].F.data, without.extensions[0].F.data);
  EXPECT_DOUBLE_EQ(with.provenance["dropped"]["T"].get<double>(), 48 * 2 + 48 + 1000);
  EXPECT_DOUBLE_EQ(with.provenance["dropped"]["FD"].get<double>(), 42 * 3 + 5);
  EXPECT_DOUBLE_EQ(with.provenance["dropped"]["Q"].get<double>(), 2 * 7);
}

TEST(Eora26, MissingFileIsNamed) {
  SKIP_WITHOUT(kEora);
  TempCopy t(kEora);
  fs::remove(t / "Eora26_2010_bp_VA.txt");
  const std::string msg = error_of([&] { read_eora26(t.path().string()); });
  EXPECT_NE(msg.find("Eora26_2010_bp_VA.txt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is missing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("value added"), std::string::npos) << msg;
}

TEST(Eora26, RaggedRowNamesLineAndLabel) {
  SKIP_WITHOUT(kEora);
  TempCopy t(kEora);
  std::string l = nth_line(t / "Eora26_2010_bp_T.txt", 5);
  edit_line(t / "Eora26_2010_bp_T.txt", 5, l.substr(0, l.rfind('\t')));
  const std::string msg = error_of([&] { read_eora26(t.path().string()); });
  EXPECT_NE(msg.find("Eora26_2010_bp_T.txt:line 5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row 5 ('reg1|construction') has 47 values, expected 48"), std::string::npos) << msg;
}

TEST(Eora26, NonNumericCellNamesLineColumnAndLabels) {
  SKIP_WITHOUT(kEora);
  TempCopy t(kEora);
  edit(t / "Eora26_2010_bp_FD.txt", "\n", "\nabc");  // first cell of line 2
  const std::string msg = error_of([&] { read_eora26(t.path().string()); });
  EXPECT_NE(msg.find("Eora26_2010_bp_FD.txt:line 2, column 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is not a number (row 'reg1|mining', column 'reg1|Final consumption expenditure by households')"),
            std::string::npos)
      << msg;
}

TEST(Eora26, FinalDemandRegionsThatDisagreeWithTAreNamed) {
  SKIP_WITHOUT(kEora);
  TempCopy t(kEora);
  std::string s = slurp(t / "labels_FD.txt");
  for (size_t at; (at = s.find("\treg3\t")) != std::string::npos;) s.replace(at, 6, "\treg9\t");
  spit(t / "labels_FD.txt", s);
  const std::string msg = error_of([&] { read_eora26(t.path().string()); });
  EXPECT_NE(msg.find("labels_FD.txt:line 15"), std::string::npos) << msg;
  EXPECT_NE(msg.find("region 3 is 'reg9' here but 'reg3' in labels_T.txt"), std::string::npos) << msg;
}

TEST(Eora26, RegionWithOtherSectorsIsRefused) {
  SKIP_WITHOUT(kEora);
  TempCopy t(kEora);
  edit_line(t / "labels_T.txt", 10, "Region 2\treg2\tIndustries\tfishing");
  const std::string msg = error_of([&] { read_eora26(t.path().string()); });
  EXPECT_NE(msg.find("labels_T.txt:line 10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("region 'reg2' has sector 'fishing' at position 2 where region 'reg1' has 'mining'"),
            std::string::npos)
      << msg;
}

// --- OECD ICIO ---------------------------------------------------------------------------------------------

TEST(OecdIcio, ReadsTheFixtureAndBothIdentitiesHold) {
  ASSERT_TRUE(looks_like_oecd_icio(kIcio));
  EXPECT_FALSE(looks_like_oecd_icio(std::string(PANOCARBON_SOURCE_DIR) + "/examples/inventory.csv"));
  const MrioSystem s = read_oecd_icio(kIcio);
  EXPECT_EQ(s.format, "oecd-icio");
  EXPECT_EQ(s.name, "ICIO2023_mini");
  EXPECT_EQ(s.monetary_unit, "Million USD");
  EXPECT_EQ(s.regions, (std::vector<std::string>{"AUS", "CHN", "ROW"}));
  EXPECT_EQ(s.sectors, (std::vector<std::string>{"A01_02", "C20", "D"}));
  EXPECT_EQ(s.fd_categories, (std::vector<std::string>{"HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR"}));
  EXPECT_TRUE(s.extensions.empty());
  ASSERT_TRUE(s.x_given);
  // x is the OUT column, and equals Z1 + Y1 exactly (the fixture is built that way).
  EXPECT_EQ(s.x, (std::vector<double>{464, 495, 402, 509, 455, 493, 542, 546, 420}));
  EXPECT_LT(row_balance_gap(s), 1e-14);
  EXPECT_EQ(std::accumulate(s.Y.data.begin(), s.Y.data.end(), 0.0), 2647.0);
  ASSERT_EQ(s.Y.cols, 18u);
  EXPECT_EQ(s.Y(0, 0), 14);   // AUS_A01_02 -> AUS_HFCE
  EXPECT_EQ(s.Y(0, 10), -5);  // AUS_A01_02 -> CHN_INVNT
  EXPECT_NEAR(a_at(s, 0, 0) * s.x[0], 24, 1e-12);
  EXPECT_NEAR(a_at(s, 1, 8) * s.x[8], 40, 1e-12);  // AUS_C20 -> ROW_D
  // Column identity: Z column sums + TLS + VA = OUT, with TLS and VA kept out of Z.
  const auto& pi = s.provenance["primary_inputs"];
  EXPECT_EQ(pi["TLS"]["industries"].get<double>() + pi["TLS"]["final_demand"].get<double>(), 104.0);
  EXPECT_EQ(pi["VA"]["industries"].get<double>(), 2609.0);
  double z_total = 0;
  for (size_t i = 0; i < s.n(); ++i)
    for (int64_t p = s.A.row_start[i]; p < s.A.row_start[i + 1]; ++p) z_total += s.A.value[p] * s.x[s.A.col[p]];
  EXPECT_NEAR(z_total + pi["TLS"]["industries"].get<double>() + 2609.0, 4326.0, 1e-9);
}

TEST(OecdIcio, SplitChinaRowsAndColumnsAreFoldedIntoChn) {
  // Older releases split CHN into CN1, CN2 (processing exporters): their rows and columns add into CHN.
  TempCopy t(kIcio);
  const std::string header = nth_line(kIcio, 1);
  const std::string hfce = ",AUS_HFCE";
  std::string text = header.substr(0, header.find(hfce)) + ",CN1_C20" + header.substr(header.find(hfce)) + "\n";
  for (size_t k = 2; k <= 13; ++k) {
    std::string row = nth_line(kIcio, k);
    const size_t cut = [&] {  // after the 9 Z cells
      size_t p = 0;
      for (int c = 0; c < 10; ++c) p = row.find(',', p) + 1;
      return p - 1;
    }();
    const std::string label = row.substr(0, row.find(','));
    const bool industry = k <= 10;
    row.insert(cut, industry && label == "AUS_A01_02" ? ",6" : ",0");
    text += row + "\n";
    if (k == 10) {  // the CN1_C20 row: 2 to AUS_A01_02 in Z, 3 to AUS_HFCE
      text += "CN1_C20,2,0,0,0,0,0,0,0,0,0,3";
      for (int c = 1; c < 18; ++c) text += ",0";
      text += ",5\n";
    }
  }
  spit(t.path(), text);
  const MrioSystem base = read_oecd_icio(kIcio);
  const MrioSystem folded = read_oecd_icio(t.path().string());
  EXPECT_EQ(folded.regions, base.regions);
  // CHN_C20 (product 4) gained 5 of output; AUS_A01_02's purchase from CHN_C20 grew by 2, and its sale to
  // CN1_C20 (6) landed in CHN_C20's column.
  EXPECT_EQ(folded.x[4], base.x[4] + 5);
  EXPECT_NEAR(a_at(folded, 4, 0) * folded.x[0], a_at(base, 4, 0) * base.x[0] + 2, 1e-9);
  EXPECT_NEAR(a_at(folded, 0, 4) * folded.x[4], a_at(base, 0, 4) * base.x[4] + 6, 1e-9);
  EXPECT_EQ(folded.Y(4, 0), base.Y(4, 0) + 3);
}

TEST(OecdIcio, RaggedRowNamesLineAndLabel) {
  TempCopy t(kIcio);
  const std::string l = nth_line(kIcio, 4);
  edit_line(t.path(), 4, l.substr(0, l.rfind(',')));
  const std::string msg = error_of([&] { read_oecd_icio(t.path().string()); });
  EXPECT_NE(msg.find("ICIO2023_mini.csv:line 4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row 'AUS_D' has 28 fields but the header has 29"), std::string::npos) << msg;
}

TEST(OecdIcio, NonNumericCellNamesLineColumnAndLabels) {
  TempCopy t(kIcio);
  edit(t.path(), "\nCHN_A01_02,", "\nCHN_A01_02,n/a");
  const std::string msg = error_of([&] { read_oecd_icio(t.path().string()); });
  EXPECT_NE(msg.find("ICIO2023_mini.csv:line 5, column 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is not a number (row 'CHN_A01_02', column 'AUS_A01_02')"), std::string::npos) << msg;
}

TEST(OecdIcio, RowWithoutColumnIsNamed) {
  TempCopy t(kIcio);
  edit(t.path(), ",ROW_D,", ",ROW_E,");  // header column renamed: ROW_D row has no column, ROW_E is no FD
  const std::string msg = error_of([&] { read_oecd_icio(t.path().string()); });
  EXPECT_NE(msg.find("ICIO2023_mini.csv:line 10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row 'ROW_D' has no column of the same name in the header"), std::string::npos) << msg;
}

TEST(OecdIcio, UnknownRowLabelIsNamed) {
  TempCopy t(kIcio);
  edit(t.path(), "\nTLS,", "\nTAXES,");
  const std::string msg = error_of([&] { read_oecd_icio(t.path().string()); });
  EXPECT_NE(msg.find("ICIO2023_mini.csv:line 11"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row label 'TAXES' is neither COU_IND"), std::string::npos) << msg;
}

TEST(OecdIcio, MissingFinalDemandColumnIsNamed) {
  TempCopy t(kIcio);
  edit(t.path(), "CHN_DPABR", "CHN_EXTRA");
  const std::string msg = error_of([&] { read_oecd_icio(t.path().string()); });
  EXPECT_NE(msg.find("has no final demand column AUS_EXTRA"), std::string::npos) << msg;
}

TEST(OecdIcio, MissingFileIsNamed) {
  const std::string msg = error_of([&] { read_oecd_icio("/nonexistent/ICIO2023_2020.csv"); });
  EXPECT_NE(msg.find("/nonexistent/ICIO2023_2020.csv"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is missing"), std::string::npos) << msg;
}

// --- USEEIO ------------------------------------------------------------------------------------------------

TEST(Useeio, ReadsTheGhgModel) {
  SKIP_WITHOUT(kUseeio);
  ASSERT_TRUE(looks_like_useeio(kUseeio));
  EXPECT_FALSE(looks_like_eora26(kUseeio));
  const MrioSystem s = read_useeio(kUseeio);
  EXPECT_EQ(s.format, "useeio");
  EXPECT_EQ(s.regions, (std::vector<std::string>{"US"}));
  ASSERT_EQ(s.n(), 405u);
  EXPECT_EQ(s.A.rows, 405u);
  EXPECT_EQ(s.A.cols, 405u);
  EXPECT_EQ(s.sectors[0], "1111A0");
  EXPECT_EQ(s.sectors[404], "S00900");
  EXPECT_DOUBLE_EQ(a_at(s, 0, 0), 0.052093601612540744);
  EXPECT_DOUBLE_EQ(a_at(s, 0, 1), 0.0013967539006247496);
  EXPECT_DOUBLE_EQ(a_at(s, 0, 10), -0.0000032592951911107503);  // USEEIO's A has small negatives
  // Y = [consumption, production - consumption]: its first column sums to the consumption vector's
  // total, both columns to the production vector's.
  EXPECT_EQ(s.fd_categories, (std::vector<std::string>{"2012_us_domestic_consumption",
                                                       "2012_us_domestic_production - 2012_us_domestic_consumption"}));
  double c0 = 0, all = 0;
  for (size_t i = 0; i < s.n(); ++i) {
    c0 += s.Y(i, 0);
    all += s.Y(i, 0) + s.Y(i, 1);
  }
  EXPECT_NEAR(c0, 15582522000000.0, 1.0);
  EXPECT_NEAR(all, 17650688000000.0, 1.0);
  // x = L y_production: positive, and (I - A) x = Y1.
  EXPECT_FALSE(s.x_given);
  ASSERT_EQ(s.x.size(), 405u);
  for (double v : s.x) EXPECT_GT(v, 0.0);
  EXPECT_LT(row_balance_gap(s), 1e-9);
  ASSERT_EQ(s.extensions.size(), 2u);
  const auto& ghg = s.extensions[0];
  EXPECT_EQ(ghg.name, "ghg");
  ASSERT_EQ(ghg.F.rows, 15u);
  EXPECT_EQ(ghg.F.cols, 405u);
  EXPECT_TRUE(ghg.F_Y.empty());
  // B(1, 0) = 7.76...e-6 is not known here; F = B x^ is checked through the characterised extension:
  // row 0 of C B x^ equals sum_f C(0, f) F(f, :).
  const auto& chr = s.extensions[1];
  EXPECT_EQ(chr.name, "ghg_indicators");
  ASSERT_EQ(chr.F.rows, 3u);
  const double gwp[15] = {10300, 1, 4470, 1430, 12200, 3500, 675, 7390, 14800, 25, 17200, 298, 9810, 8830, 22800};
  for (size_t col : {0u, 100u, 404u}) {
    double expect = 0;
    for (size_t f = 0; f < 15; ++f) expect += gwp[f] * ghg.F(f, col);
    EXPECT_NEAR(chr.F(0, col), expect, 1e-12 * std::fabs(expect) + 1e-300);
  }
  // flows.json and indicators.json of this folder do not list one entry per row of B and C: rows are named
  // by number and a note says so.
  EXPECT_EQ(ghg.stressors[0], "B row 1");
  const std::string notes = s.provenance["notes"].dump();
  EXPECT_NE(notes.find("flows.json lists 4729 entries but the matrix has 15 rows"), std::string::npos) << notes;
}

TEST(Useeio, MissingMatrixIsNamed) {
  SKIP_WITHOUT(kUseeio);
  TempCopy t(kUseeio);
  fs::remove(t / "matrix/A.json");
  const std::string msg = error_of([&] { read_useeio(t.path().string()); });
  EXPECT_NE(msg.find("matrix/A.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is missing: it is the technical coefficient matrix A"), std::string::npos) << msg;
}

TEST(Useeio, RaggedRowIsNamed) {
  SKIP_WITHOUT(kUseeio);
  TempCopy t(kUseeio);
  edit(t / "matrix/A.json", "[0.052093601612540744,", "[");
  const std::string msg = error_of([&] { read_useeio(t.path().string()); });
  EXPECT_NE(msg.find("A.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row 1 ('1111A0 Fresh soybeans, canola, flaxseeds, and other oilseeds') has 404 values, "
                     "expected 405"),
            std::string::npos)
      << msg;
}

TEST(Useeio, NonNumericCellIsNamed) {
  SKIP_WITHOUT(kUseeio);
  TempCopy t(kUseeio);
  edit(t / "matrix/A.json", "[0.052093601612540744,", "[\"x\",");
  const std::string msg = error_of([&] { read_useeio(t.path().string()); });
  EXPECT_NE(msg.find("A.json:line 1, column 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'\"x\"' is not a number (row 1 '1111A0"), std::string::npos) << msg;
}

TEST(Useeio, DemandForUnknownSectorIsNamed) {
  SKIP_WITHOUT(kUseeio);
  TempCopy t(kUseeio);
  edit(t / "demands/2012_us_domestic_production.json", "1111b0/", "9999zz/");
  const std::string msg = error_of([&] { read_useeio(t.path().string()); });
  EXPECT_NE(msg.find("2012_us_domestic_production.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("entry 2 names sector '9999zz/fresh wheat"), std::string::npos) << msg;
  EXPECT_NE(msg.find("code '9999zz' is not in sectors.json"), std::string::npos) << msg;
}

TEST(Useeio, InvalidJsonNamesLine) {
  SKIP_WITHOUT(kUseeio);
  TempCopy t(kUseeio);
  edit(t / "sectors.json", "[{", "[{,");
  const std::string msg = error_of([&] { read_useeio(t.path().string()); });
  EXPECT_NE(msg.find("sectors.json:line 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is not valid JSON"), std::string::npos) << msg;
}
