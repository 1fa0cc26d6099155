// libFuzzer target: the .xlsx reader (src/io/xlsx.cpp) and the Global Methane Budget table read through it
// (src/natural/methane.cpp, read_methane_budget). An input that starts with "PK" is written as the workbook
// itself (hostile zip structure); any other input gives its parts (split at lines "---") as the members
// xl/worksheets/sheet1.xml, xl/sharedStrings.xml and xl/workbook.xml of a well-formed zip built here, so
// that the mutations reach the XML. Seeds: tests/fuzz/corpus/xlsx; dictionary: tests/fuzz/dict/xlsx.dict.
#include <zip.h>

#include "fuzz_common.hpp"
#include "io/xlsx.hpp"
#include "panocarbon/natural.hpp"

namespace {
void write_zip(const std::filesystem::path& path, const std::vector<std::string_view>& parts) {
  static const char* const members[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"};
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) fuzz::fail("libzip cannot create the scratch workbook");
  for (size_t i = 0; i < parts.size() && i < 3; ++i) {
    zip_source_t* s = zip_source_buffer(z, parts[i].data(), parts[i].size(), 0);
    if (!s || zip_file_add(z, members[i], s, ZIP_FL_OVERWRITE) < 0) fuzz::fail("libzip cannot add a member");
  }
  if (zip_close(z) != 0) fuzz::fail("libzip cannot write the scratch workbook");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto& scratch = fuzz::Scratch::get();
  scratch.fresh();
  const std::filesystem::path path = scratch.dir() / "book.xlsx";
  if (text.substr(0, 2) == "PK")
    scratch.write("book.xlsx", text);
  else
    write_zip(path, fuzz::split_parts(text));
  fuzz::guarded([&] {
    const io::XlsxSheet s = io::read_xlsx_sheet(path.string(), 1);
    for (const auto& [rc, cell] : s.cells) {
      if (rc.first < 1 || rc.second < 1 || cell.row != rc.first || cell.column != rc.second)
        fuzz::fail("XlsxSheet: a cell keyed by another position than its own");
    }
    s.max_row();
  });
  fuzz::guarded([&] {
    const natural::MethaneBudget mb = natural::read_methane_budget(path.string());
    for (const auto& r : mb.rows)
      for (const auto& [key, e] : r.values) {
        fuzz::check_finite(e.mean, "MethaneEstimate::mean");
        fuzz::check_finite(e.min, "MethaneEstimate::min");
        fuzz::check_finite(e.max, "MethaneEstimate::max");
      }
  });
  return 0;
}
