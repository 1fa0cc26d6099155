// Writes a workbook (.xlsx) with libxlsxwriter (internal): one sheet per table, numbers as numbers.
#pragma once
#include <string>
#include <vector>

namespace panocarbon::io {

struct XlsxOutSheet {
  std::string name;                            // up to 31 characters; []:*?/\ are replaced
  std::vector<std::vector<std::string>> rows;  // first row: the header; cells that parse as numbers are numbers
};

// The workbook's bytes. Throws Error{Io} when libxlsxwriter fails.
std::string write_xlsx(const std::vector<XlsxOutSheet>& sheets);

}  // namespace panocarbon::io
