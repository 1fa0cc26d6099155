#include "io/xlsx.hpp"

#include <fmt/format.h>
#include <pugixml.hpp>
#include <zip.h>

#include <memory>

#include "panocarbon/error.hpp"

namespace panocarbon::io {

const XlsxCell* XlsxSheet::at(int row, int column) const {
  const auto it = cells.find({row, column});
  return it == cells.end() ? nullptr : &it->second;
}
const XlsxCell* XlsxSheet::at(const std::string& ref) const {
  const auto [r, c] = parse_cell_ref(ref, file);
  return at(r, c);
}
int XlsxSheet::max_row() const { return cells.empty() ? 0 : cells.rbegin()->first.first; }

std::pair<int, int> parse_cell_ref(const std::string& ref, const std::string& where) {
  size_t i = 0;
  long col = 0, row = 0;
  while (i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && col < 100000) col = col * 26 + (ref[i++] - 'A' + 1);
  const size_t digits = i;
  while (i < ref.size() && ref[i] >= '0' && ref[i] <= '9' && row < 100000000) row = row * 10 + (ref[i++] - '0');
  if (col == 0 || digits == i || i != ref.size() || row == 0 || col > 16384 || row > 1048576)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("malformed cell reference '{}' (expected column letters then a row number, like B5); the "
                            "workbook is damaged: re-save it from a spreadsheet program",
                            ref),
                ErrorContext{where, 0, 0, ref});
  return {static_cast<int>(row), static_cast<int>(col)};
}

std::string cell_ref(int row, int column) {
  std::string letters;
  for (int c = column; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), char('A' + (c - 1) % 26));
  return letters + std::to_string(row);
}

namespace {
std::string node_text(const pugi::xml_node& si) {
  // <si><t>..</t></si> or rich text <si><r><t>..</t></r>...</si>; phonetic runs (<rPh>) are not text.
  std::string s;
  for (const auto& child : si.children()) {
    const std::string_view n = child.name();
    if (n == "t") s += child.text().get();
    else if (n == "r") s += child.child("t").text().get();
  }
  return s;
}

pugi::xml_document parse_part(const std::map<std::string, std::string>& parts, const std::string& part,
                              const std::string& name, bool required) {
  pugi::xml_document doc;
  const auto it = parts.find(part);
  if (it == parts.end()) {
    if (required)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the workbook has no part {}; is this an .xlsx file (Office Open XML)?", part),
                  ErrorContext{name, 0, 0, part});
    return doc;
  }
  const auto res = doc.load_buffer(it->second.data(), it->second.size());
  if (!res)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} is not well-formed XML ({} at byte {}); the workbook is damaged: re-save it", part,
                            res.description(), res.offset),
                ErrorContext{name, 0, 0, part});
  return doc;
}
}  // namespace

XlsxSheet parse_xlsx_parts(const std::map<std::string, std::string>& parts, const std::string& name, int sheet) {
  XlsxSheet out;
  out.file = name;
  out.part = fmt::format("xl/worksheets/sheet{}.xml", sheet);
  std::vector<std::string> shared;
  {
    const auto doc = parse_part(parts, "xl/sharedStrings.xml", name, false);
    for (const auto& si : doc.child("sst").children("si")) shared.push_back(node_text(si));
  }
  const auto doc = parse_part(parts, out.part, name, true);
  const auto data = doc.child("worksheet").child("sheetData");
  if (!data)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("{} has no <worksheet><sheetData>; the workbook is damaged or not a worksheet", out.part),
                ErrorContext{name, 0, 0, out.part});
  const std::string where = name + ":" + out.part;
  for (const auto& row : data.children("row")) {
    for (const auto& c : row.children("c")) {
      XlsxCell cell;
      cell.ref = c.attribute("r").value();
      if (cell.ref.empty())
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("a cell in row {} of {} has no reference (r attribute); re-save the workbook",
                                row.attribute("r").value(), out.part),
                    ErrorContext{name, 0, 0, out.part});
      std::tie(cell.row, cell.column) = parse_cell_ref(cell.ref, where);
      const std::string type = c.attribute("t").value();
      const std::string v = c.child("v").text().get();
      if (type == "s") {
        char* end = nullptr;
        const long k = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || k < 0 || static_cast<size_t>(k) >= shared.size())
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("cell {} refers to shared string '{}' but xl/sharedStrings.xml has {} strings; the "
                                  "workbook is damaged: re-save it",
                                  cell.ref, v, shared.size()),
                      ErrorContext{where, 0, 0, cell.ref});
        cell.text = shared[static_cast<size_t>(k)];
      } else if (type == "inlineStr") {
        cell.text = node_text(c.child("is"));
      } else if (type == "str" || type == "e" || type == "b") {
        cell.text = v;
      } else {
        cell.text = v;
        cell.is_number = !v.empty();
      }
      if (cell.text.empty()) continue;
      out.cells[{cell.row, cell.column}] = std::move(cell);
    }
  }
  return out;
}

XlsxSheet read_xlsx_sheet(const std::string& path, int sheet) {
  int err = 0;
  std::unique_ptr<zip_t, int (*)(zip_t*)> z(zip_open(path.c_str(), ZIP_RDONLY, &err), zip_close);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    const std::string msg = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    const bool missing = err == ZIP_ER_NOENT || err == ZIP_ER_OPEN;
    throw Error(missing ? ErrorCategory::Io : ErrorCategory::InvalidInput,
                fmt::format("cannot open the workbook as a zip archive ({}); give an .xlsx file (Office Open XML, not "
                            "the older .xls)",
                            msg),
                ErrorContext{path});
  }
  std::map<std::string, std::string> parts;
  const std::string wanted_sheet = fmt::format("xl/worksheets/sheet{}.xml", sheet);
  for (const std::string& want : {std::string("xl/sharedStrings.xml"), wanted_sheet}) {
    zip_stat_t st;
    if (zip_stat(z.get(), want.c_str(), 0, &st) != 0) continue;
    if (st.size > (1ull << 30))
      throw Error(ErrorCategory::InvalidInput, fmt::format("{} is larger than 1 GiB", want), ErrorContext{path, 0, 0, want});
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen(z.get(), want.c_str(), 0), zip_fclose);
    std::string text(static_cast<size_t>(st.size), '\0');
    const zip_int64_t n = f ? zip_fread(f.get(), text.data(), st.size) : -1;
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("cannot read {} from the workbook ({}); the file is damaged",
                              want, zip_error_strerror(zip_get_error(z.get()))),
                  ErrorContext{path, 0, 0, want});
    parts[want] = std::move(text);
  }
  return parse_xlsx_parts(parts, path, sheet);
}

}  // namespace panocarbon::io
