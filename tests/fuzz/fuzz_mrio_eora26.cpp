// libFuzzer target: Eora26 folders (src/io/mrio_eora26.cpp, read_eora26). Parts (split at lines "---"):
// labels_T.txt, labels_FD.txt, labels_Q.txt, labels_VA.txt, Eora26_2010_bp_T.txt, _FD.txt, _Q.txt, _QY.txt,
// _VA.txt. Seeds: tests/fuzz/corpus/mrio_eora26.
#include "fuzz_mrio_check.hpp"
#include "io/mrio_formats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  static const char* const names[] = {"labels_T.txt",          "labels_FD.txt",         "labels_Q.txt",
                                      "labels_VA.txt",         "Eora26_2010_bp_T.txt",  "Eora26_2010_bp_FD.txt",
                                      "Eora26_2010_bp_Q.txt",  "Eora26_2010_bp_QY.txt", "Eora26_2010_bp_VA.txt"};
  const auto dir = fuzz::write_parts(std::string_view(reinterpret_cast<const char*>(data), size), names);
  fuzz::guarded([&] {
    if (mrio_io::looks_like_eora26(dir.string())) fuzz::check_system(mrio_io::read_eora26(dir.string()));
  });
  return 0;
}
