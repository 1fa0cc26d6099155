// The xlsx reader on the real Global Methane Budget workbook and on malformed workbooks written here, and the
// Table 3 cell parser and regional scaling.
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>

#include "io/xlsx.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/natural.hpp"

namespace nat = panocarbon::natural;
namespace fs = std::filesystem;

namespace {
const std::string kGmb = std::string(PANOCARBON_SHARED_DATA) + "/natural/global-methane-budget-2020-table3.xlsx";

std::string write_zip(const std::string& name, const std::map<std::string, std::string>& parts) {
  const fs::path path = fs::temp_directory_path() / name;
  fs::remove(path);
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  for (const auto& [member, text] : parts) {
    zip_source_t* s = zip_source_buffer(z, text.data(), text.size(), 0);
    EXPECT_GE(zip_file_add(z, member.c_str(), s, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);  // copies the buffers while `parts` is alive
  return path.string();
}
const char* kSheetHead = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
}  // namespace

TEST(Xlsx, RealMethaneWorkbook) {
  if (!fs::exists(kGmb)) GTEST_SKIP() << "no " << kGmb;
  const auto sheet = panocarbon::io::read_xlsx_sheet(kGmb, 1);
  ASSERT_NE(sheet.at("A5"), nullptr);
  EXPECT_EQ(sheet.at("A5")->text, "Wetlands");
  EXPECT_EQ(sheet.at("H2")->text, "2017");
  EXPECT_TRUE(sheet.at("H2")->is_number);
  EXPECT_EQ(sheet.max_row(), 44);
}

TEST(Xlsx, MalformedWorkbooksNameThePartAndCell) {
  // not a zip at all
  const fs::path txt = fs::temp_directory_path() / "panocarbon_not_a_zip.xlsx";
  std::ofstream(txt) << "year,value\n";
  EXPECT_THROW(panocarbon::io::read_xlsx_sheet(txt.string()), panocarbon::Error);
  // a zip without the worksheet
  const auto no_sheet = write_zip("panocarbon_no_sheet.xlsx", {{"xl/workbook.xml", "<workbook/>"}});
  try {
    panocarbon::io::read_xlsx_sheet(no_sheet);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "xl/worksheets/sheet1.xml");
  }
  // broken XML
  const auto broken = write_zip("panocarbon_broken.xlsx", {{"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>"}});
  EXPECT_THROW(panocarbon::io::read_xlsx_sheet(broken), panocarbon::Error);
  // a shared-string index beyond the table: the error names the cell
  const auto bad_index = write_zip(
      "panocarbon_bad_index.xlsx",
      {{"xl/sharedStrings.xml", "<sst><si><t>Wetlands</t></si></sst>"},
       {"xl/worksheets/sheet1.xml",
        std::string(kSheetHead) + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"B2\" t=\"s\"><v>7</v></c></row>"
                                  "</sheetData></worksheet>"}});
  try {
    panocarbon::io::read_xlsx_sheet(bad_index);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "B2");
    EXPECT_NE(std::string(e.what()).find("B2"), std::string::npos);
  }
  // a malformed cell reference
  const auto bad_ref = write_zip("panocarbon_bad_ref.xlsx",
                                 {{"xl/worksheets/sheet1.xml", std::string(kSheetHead) +
                                                                   "<row r=\"1\"><c r=\"1A\"><v>3</v></c></row>"
                                                                   "</sheetData></worksheet>"}});
  EXPECT_THROW(panocarbon::io::read_xlsx_sheet(bad_ref), panocarbon::Error);
  // a workbook that is valid but not Table 3: the methane reader says so, naming a cell
  const auto other = write_zip("panocarbon_other.xlsx",
                               {{"xl/worksheets/sheet1.xml", std::string(kSheetHead) +
                                                                 "<row r=\"1\"><c r=\"A1\"><v>3</v></c></row>"
                                                                 "</sheetData></worksheet>"}});
  try {
    nat::read_methane_budget(other);
    FAIL();
  } catch (const panocarbon::Error& e) {
    EXPECT_EQ(e.context().field, "A2");
  }
  for (const auto& p : {no_sheet, broken, bad_index, bad_ref, other}) fs::remove(p);
  fs::remove(txt);
}

TEST(Xlsx, CellReferences) {
  EXPECT_EQ(panocarbon::io::parse_cell_ref("B5", "x"), std::make_pair(5, 2));
  EXPECT_EQ(panocarbon::io::parse_cell_ref("AA10", "x"), std::make_pair(10, 27));
  EXPECT_EQ(panocarbon::io::cell_ref(10, 27), "AA10");
  EXPECT_THROW(panocarbon::io::parse_cell_ref("5B", "x"), panocarbon::Error);
  EXPECT_THROW(panocarbon::io::parse_cell_ref("B0", "x"), panocarbon::Error);
}

TEST(Methane, CellParser) {
  nat::MethaneEstimate e;
  ASSERT_TRUE(nat::parse_methane_cell("183 [151\xE2\x80\x93" "222]", e));
  EXPECT_EQ(e.mean, 183);
  EXPECT_EQ(e.min, 151);
  EXPECT_EQ(e.max, 222);
  ASSERT_TRUE(nat::parse_methane_cell("103 [95\xE2\x80\x93" "109]c", e));
  EXPECT_EQ(e.max, 109);
  ASSERT_TRUE(nat::parse_methane_cell("3 [\xE2\x88\x92" "10\xE2\x80\x93" "38]h", e));
  EXPECT_EQ(e.min, -10);
  ASSERT_TRUE(nat::parse_methane_cell("514e", e));
  EXPECT_FALSE(e.has_range);
  EXPECT_FALSE(nat::parse_methane_cell("k", e));
  EXPECT_FALSE(nat::parse_methane_cell("\xE2\x80\x93", e));
  EXPECT_FALSE(nat::parse_methane_cell("12 [20\xE2\x80\x93" "10]", e));  // min > max
}

TEST(Methane, Table3NaturalSourcesAndTheirSums) {
  if (!fs::exists(kGmb)) GTEST_SKIP() << "no " << kGmb;
  const auto mb = nat::read_methane_budget(kGmb);
  const auto* wet = mb.find("Wetlands");
  ASSERT_NE(wet, nullptr);
  const auto& w = wet->values.at({"2008-2017", "bottom-up"});
  EXPECT_EQ(w.mean, 149);
  EXPECT_EQ(w.min, 102);
  EXPECT_EQ(w.max, 182);
  EXPECT_EQ(w.cell, "F5");
  EXPECT_EQ(wet->values.at({"2008-2017", "top-down"}).mean, 181);
  // the table's own sums (bottom-up, 2000-2009): other land = freshwaters + geological + wild animals + termites
  // + permafrost (wildfires counted with biomass burning); other natural = other land + oceanic;
  // total natural = wetlands + other natural
  auto mean = [&](const char* n, const char* period = "2000-2009") {
    return mb.find(n)->values.at({period, "bottom-up"}).mean;
  };
  EXPECT_EQ(mean("Other land sources"), mean("Freshwaters (lakes, ponds, rivers, reservoirs)") +
                                            mean("Geological (onshore)") + mean("Wild animals") + mean("Termites") +
                                            mean("Permafrost soils (direct)"));
  EXPECT_EQ(mean("Other natural sources"), mean("Other land sources") + mean("Oceanic sources"));
  EXPECT_EQ(mean("Oceanic sources"), mean("Geological (offshore)") + mean("Biogenic open and coastal ocean"));
  EXPECT_EQ(mean("Total natural sources", "2008-2017"),
            mean("Wetlands", "2008-2017") + mean("Other natural sources", "2008-2017"));
  EXPECT_FALSE(mb.find("Wildfires")->note.empty());  // 'k'
}

TEST(Methane, RegionalScaling) {
  if (!fs::exists(kGmb)) GTEST_SKIP() << "no " << kGmb;
  const auto mb = nat::read_methane_budget(kGmb);
  const auto reg = nat::scale_to_regions(mb, "2008-2017", "bottom-up",
                                         "region,source,flux\nNorth,Wetlands,30\nTropics,Wetlands,90\n", "s.csv");
  ASSERT_EQ(reg.size(), 2u);
  EXPECT_DOUBLE_EQ(reg[0].share, 0.25);
  EXPECT_DOUBLE_EQ(reg[0].mean, 0.25 * 149);
  EXPECT_DOUBLE_EQ(reg[1].max, 0.75 * 182);
  EXPECT_DOUBLE_EQ(reg[0].factor, 149.0 / 120.0);
  EXPECT_THROW(nat::scale_to_regions(mb, "2008-2017", "bottom-up", "region,source,flux\nX,Rice,1\n", "s.csv"),
               panocarbon::Error);
  EXPECT_THROW(nat::scale_to_regions(mb, "2008-2017", "bottom-up", "region,source,flux\nX,Wetlands,0\n", "s.csv"),
               panocarbon::Error);
}
