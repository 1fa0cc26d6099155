// libFuzzer target: the OECD ICIO CSV (src/io/mrio_oecd_icio.cpp): the input is the .csv file, given to
// looks_like_oecd_icio and read_oecd_icio. Seeds: tests/fuzz/corpus/mrio_oecd_icio.
#include "fuzz_mrio_check.hpp"
#include "io/mrio_formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const auto dir = fuzz::write_folder({{"ICIO.csv", std::string_view(reinterpret_cast<const char*>(data), size)}});
  const std::string path = (dir / "ICIO.csv").string();
  fuzz::guarded([&] { mrio_io::looks_like_oecd_icio(path); });
  fuzz::guarded([&] { fuzz::check_system(mrio_io::read_oecd_icio(path)); });
  return 0;
}
