// libFuzzer target: EcoSpold2 (src/io/lca_ecospold2.cpp, read_ecospold2). Parts (split at lines "---") are
// .spold files a.spold, b.spold, ... of one folder; the database read from it is checked and its system
// calculated. Seeds: tests/fuzz/corpus/lca_ecospold2; dictionary: tests/fuzz/dict/ecospold2.dict.
#include "fuzz_lca_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const auto parts = fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size));
  auto& scratch = fuzz::Scratch::get();
  scratch.fresh();
  for (size_t i = 0; i < parts.size() && i < 8; ++i)
    scratch.write(std::string(1, static_cast<char>('a' + i)) + ".spold", parts[i]);
  fuzz::guarded([&] {
    const lca::Database db = lca::read_ecospold2(scratch.dir().string());
    fuzz::check_database(db);
    fuzz::calculate_all(db);
  });
  return 0;
}
