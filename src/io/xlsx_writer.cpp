#include "io/xlsx_writer.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <unistd.h>

#include "core/csv.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::io {

namespace {
std::string sheet_name(std::string n, std::set<std::string>& used) {
  for (auto& c : n)
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '_';
  if (n.empty()) n = "sheet";
  if (n.size() > 31) n = n.substr(0, 31);
  std::string base = n;
  for (int k = 2; used.count(n); ++k) n = base.substr(0, 28) + fmt::format("_{}", k);
  used.insert(n);
  return n;
}
}  // namespace

std::string write_xlsx(const std::vector<XlsxOutSheet>& sheets) {
  // libxlsxwriter writes to a file: a private temporary one, read back and removed.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/panocarbon-xlsx-XXXXXX";
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) throw Error(ErrorCategory::Io, "cannot create a temporary file for the workbook", {tmpl});
  close(fd);
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{tmpl};
  lxw_workbook_options opt = {};
  opt.constant_memory = LXW_TRUE;  // rows are streamed to disk
  opt.tmpdir = nullptr;
  lxw_workbook* wb = workbook_new_opt(tmpl.c_str(), &opt);
  if (!wb) throw Error(ErrorCategory::Io, "libxlsxwriter could not start the workbook", {tmpl});
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  std::set<std::string> used;
  for (const auto& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name(s.name, used).c_str());
    for (size_t r = 0; r < s.rows.size() && r < 1048576; ++r)
      for (size_t c = 0; c < s.rows[r].size() && c < 16384; ++c) {
        const std::string& cell = s.rows[r][c];
        double v = 0;
        const auto row = static_cast<lxw_row_t>(r);
        const auto col = static_cast<lxw_col_t>(c);
        if (r > 0 && !cell.empty() && parse_double(cell, v))
          worksheet_write_number(ws, row, col, v, nullptr);
        else if (!cell.empty())
          worksheet_write_string(ws, row, col, cell.c_str(), r == 0 ? bold : nullptr);
      }
  }
  const lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR)
    throw Error(ErrorCategory::Io, fmt::format("libxlsxwriter could not write the workbook: {}", lxw_strerror(e)), {tmpl});
  return read_file(tmpl);
}

}  // namespace panocarbon::io
