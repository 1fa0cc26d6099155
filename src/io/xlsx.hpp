// A small .xlsx reader (internal): an Office Open XML workbook is a zip of XML parts; this reads the shared
// strings (xl/sharedStrings.xml) and one worksheet (xl/worksheets/sheetN.xml) into cells keyed by their
// A1 reference. Enough for published data tables (values and strings; no formulas are evaluated: a formula
// cell yields its cached value). Errors name the file, the part and the cell reference.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace panocarbon::io {

struct XlsxCell {
  std::string ref;   // "B5"
  int row = 0;       // 1-based
  int column = 0;    // 1-based (A = 1)
  std::string text;  // shared or inline string, or the number as written in the file
  bool is_number = false;
};

struct XlsxSheet {
  std::string file;   // the .xlsx path (for messages)
  std::string part;   // e.g. xl/worksheets/sheet1.xml
  std::map<std::pair<int, int>, XlsxCell> cells;  // (row, column) -> cell
  const XlsxCell* at(int row, int column) const;
  const XlsxCell* at(const std::string& ref) const;
  int max_row() const;
};

// "B5" -> (5, 2). Throws Error{InvalidInput} naming `where` when the reference is malformed.
std::pair<int, int> parse_cell_ref(const std::string& ref, const std::string& where);
std::string cell_ref(int row, int column);

// Reads sheet number `sheet` (1-based, in workbook order of the xl/worksheets/sheetN.xml parts).
XlsxSheet read_xlsx_sheet(const std::string& path, int sheet = 1);
// The same from already extracted parts (part name -> XML text), for tests.
XlsxSheet parse_xlsx_parts(const std::map<std::string, std::string>& parts, const std::string& name, int sheet = 1);

}  // namespace panocarbon::io
