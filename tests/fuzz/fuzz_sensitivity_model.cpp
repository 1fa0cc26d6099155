// libFuzzer target: sensitivity model files (src/capabilities/sensitivity_models.cpp, parse_model), then the
// model evaluated once at the median of every parameter. Parts (split at lines "---"): the model JSON, then
// an optional activity CSV written as activity.csv beside it (an inventory model's "file"). An "lca" model
// finds no store here and must say so with an Error. Seeds: tests/fuzz/corpus/sensitivity_model.
#include "fuzz_common.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/sensitivity_models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const auto parts = fuzz::split_parts(std::string_view(reinterpret_cast<const char*>(data), size));
  auto& scratch = fuzz::Scratch::get();
  scratch.fresh();
  if (parts.size() > 1) scratch.write("activity.csv", parts[1]);
  fuzz::guarded([&] {
    sens::ModelContext ctx;
    ctx.library = &FactorLibrary::builtin();
    const sens::LoadedModel m = sens::parse_model(parts[0], "fuzz.json", scratch.dir(), ctx);
    if (!m.model) fuzz::fail("parse_model returned no model");
    std::vector<double> x;
    for (const sens::Parameter& p : m.model->parameters()) {
      const unc::Distribution& d = p.distribution;
      fuzz::check_finite(d.amount, "Parameter::distribution.amount");
      for (const double v : {d.loc, d.scale, d.shape, d.minimum, d.maximum})
        if (std::isinf(v)) fuzz::check_finite(v, "Parameter::distribution (loc, scale, shape, minimum, maximum)");
      x.push_back(unc::quantile(d, 0.5));
    }
    if (x.empty()) fuzz::fail("a model without parameters");
    m.model->evaluator()->evaluate(x.data());
  });
  return 0;
}
