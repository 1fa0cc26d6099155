// libFuzzer target: the footprint study file of `lca footprint` (src/io/footprint_study.cpp, read_study:
// JSON syntax errors by line, then parse_study's field checks). Seeds: tests/fuzz/corpus/study_json.
#include "fuzz_common.hpp"
#include "panocarbon/lca_footprint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  auto& scratch = fuzz::Scratch::get();
  scratch.fresh();
  const auto path = scratch.write("study.json", std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::guarded([&] {
    const lca::Study s = lca::read_study(path);
    fuzz::check_finite(s.amount, "Study::amount");
    fuzz::check_finite(s.cutoff, "Study::cutoff");
    for (const auto& st : s.stages)
      for (const auto& d : st.demands) fuzz::check_finite(d.amount, "StageDemand::amount");
  });
  return 0;
}
