// libFuzzer target: pymrio's text layout (src/io/mrio_pymrio.cpp and the threaded table parser
// src/io/tsv_table.cpp), read by read_mrio. Parts (split at lines "---"): file_parameters.json, Z.txt, Y.txt,
// unit.txt, emissions/file_parameters.json, emissions/F.txt, emissions/F_Y.txt, emissions/unit.txt. An input
// that starts with "PK" is read as a zipped folder (EXIOBASE downloads). Seeds: tests/fuzz/corpus/mrio_pymrio.
#include "fuzz_mrio_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const char* const names[] = {"mrio/file_parameters.json",           "mrio/Z.txt",
                                      "mrio/Y.txt",                          "mrio/unit.txt",
                                      "mrio/emissions/file_parameters.json", "mrio/emissions/F.txt",
                                      "mrio/emissions/F_Y.txt",              "mrio/emissions/unit.txt"};
  const bool zip = text.substr(0, 2) == "PK";
  const auto dir = zip ? fuzz::write_folder({{"mrio.zip", text}}) : fuzz::write_parts(text, names);
  ReadOptions o;
  o.threads = 2;  // the chunked parser's seams are part of what is fuzzed
  fuzz::guarded([&] { fuzz::check_system(read_mrio((dir / (zip ? "mrio.zip" : "mrio")).string(), o)); });
  return 0;
}
