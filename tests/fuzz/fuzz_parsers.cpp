// libFuzzer target for the activity-data and fuel-supply parsers and the whole calculation behind them,
// for the MRIO table parser (pymrio/EXIOBASE layout) with the Leontief accounts behind it, and for an
// openLCA JSON-LD process file with the whole matrix LCA behind it.
// Build and run: cmake --preset fuzz && cmake --build --preset fuzz && build-fuzz/bin/fuzz_parsers CORPUS_DIR
// Any exception other than panocarbon::Error, and any sanitizer report, is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <cstring>

#include "io/tsv_table.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/inventory.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_footprint.hpp"
#include "panocarbon/mrio.hpp"

namespace {
class MemorySource final : public panocarbon::io::ByteSource {
 public:
  MemorySource(std::string_view t, size_t step) : text_(t), step_(step ? step : 1) {}
  size_t read(char* buf, size_t n) override {
    const size_t k = std::min({n, step_, text_.size() - pos_});
    std::memcpy(buf, text_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t size() const override { return text_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string_view text_;
  size_t step_, pos_ = 0;
  std::string name_ = "fuzz.txt";
};

// The first bytes choose the layout (index columns, header rows, read size); the rest is the table. A square
// table of up to 12 sectors is then used as A of a one-sector-per-region system, and its accounts computed.
void fuzz_mrio_table(std::string_view text) {
  using namespace panocarbon;
  if (text.size() < 3) return;
  io::TableOptions o;
  o.nr_index_col = 1 + static_cast<unsigned char>(text[0]) % 2;
  o.nr_header = 1 + static_cast<unsigned char>(text[1]) % 2;
  o.threads = 1 + static_cast<unsigned char>(text[2]) % 2;
  MemorySource src(text.substr(3), 1 + static_cast<unsigned char>(text[2]) % 64);
  const auto t = io::read_labeled_table(src, o);
  const size_t n = t.values.rows;
  if (n == 0 || n != t.values.cols || n > 12) return;
  MrioSystem s;
  s.sectors = {"s"};
  for (size_t i = 0; i < n; ++i) s.regions.push_back("r" + std::to_string(i));
  s.fd_categories = {"hh"};
  s.A = t.values;
  s.Y = DenseMatrix(n, n);
  for (size_t i = 0; i < n; ++i) s.Y(i, i) = 1.0;
  MrioExtension e;
  e.name = "em";
  e.stressors = {"CO2"};
  e.units = {"t"};
  e.F = DenseMatrix(1, n);
  for (size_t i = 0; i < n; ++i) e.F(0, i) = 1.0;
  s.extensions.push_back(e);
  compute_accounts(s);
}
// The input is a JSON-LD process file beside a fixed supplier process and flows; every provider of the
// resulting system is then calculated with the built-in GWP method.
void fuzz_lca_process(std::string_view text) {
  using namespace panocarbon;
  static const std::string supplier = R"({"@type":"Process","@id":"s","name":"supplier","location":{"@id":"l","name":"GLO"},
    "exchanges":[{"input":false,"amount":1,"quantitativeReference":true,"flow":{"@id":"p","flowType":"PRODUCT_FLOW"}},
                 {"input":true,"amount":0.1,"flow":{"@id":"p2","flowType":"PRODUCT_FLOW"}},
                 {"input":false,"amount":2,"flow":{"@id":"co2","flowType":"ELEMENTARY_FLOW"}}]})";
  static const std::string co2 = R"({"@type":"Flow","@id":"co2","name":"Carbon dioxide, fossil","flowType":"ELEMENTARY_FLOW",
    "category":"Elementary flows/air/unspecified"})";
  const std::map<std::string, std::string> files = {
      {"processes/s.json", supplier}, {"processes/x.json", std::string(text)}, {"flows/co2.json", co2}};
  const lca::Database db = lca::read_jsonld_files(files, "fuzz");
  const lca::ProductSystem sys = lca::build_system(db, {});
  if (sys.providers.empty() || sys.providers.size() > 64) return;
  const lca::Solver solver(sys);
  const lca::Method m = lca::builtin_gwp_method("AR6");
  const lca::FlowMapping map = lca::map_flows(db, m);
  for (size_t j = 0; j < sys.providers.size(); ++j) {
    const auto r = lca::calculate(sys, solver, m, map, {static_cast<int32_t>(j), 1.0});
    lca::upstream_tree(r, solver, map, 0, 0.01, 4);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace panocarbon;
  try {
    const ActivityData d = read_activity_csv(text, "fuzz.csv");
    calculate_inventory(d, FactorLibrary::builtin(), CategoryTree::ipcc2006(), CalcOptions{});
  } catch (const Error&) {
  }
  try {
    read_activity_json(text, "fuzz.json");
  } catch (const Error&) {
  }
  try {
    read_fuel_supply_csv(text, "fuzz.csv");
  } catch (const Error&) {
  }
  try {
    fuzz_mrio_table(text);
  } catch (const Error&) {
  }
  try {
    fuzz_lca_process(text);
  } catch (const Error&) {
  }
  try {  // the footprint study file (lca footprint): any JSON must give a Study or an Error
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_discarded()) lca::parse_study(j, "fuzz.json");
  } catch (const Error&) {
  }
  return 0;
}
