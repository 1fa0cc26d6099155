// libFuzzer target: the labelled-table parser of pymrio's text layout (src/io/tsv_table.cpp,
// read_labeled_table) read from memory in small pieces, so that rows and cells straddle the reads and the
// threads' chunks. The first three bytes choose the layout (index columns, header rows, threads and read
// size); the rest is the table. A square table of up to 12 sectors is then A of a one-sector-per-region
// system whose accounts are computed. Seeds: tests/fuzz/corpus/mrio_table.
#include <algorithm>
#include <cstring>

#include "fuzz_mrio_check.hpp"
#include "io/tsv_table.hpp"

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
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace panocarbon;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.size() < 3) return 0;
  io::TableOptions o;
  o.nr_index_col = 1 + static_cast<unsigned char>(text[0]) % 2;
  o.nr_header = 1 + static_cast<unsigned char>(text[1]) % 2;
  o.threads = 1 + static_cast<unsigned char>(text[2]) % 2;
  MemorySource src(text.substr(3), 1 + static_cast<unsigned char>(text[2]) % 64);
  fuzz::guarded([&] {
    const auto t = io::read_labeled_table(src, o);
    fuzz::check_finite(t.values, "LabeledTable::values");
    if (t.values.row_start.size() != t.values.rows + 1 || t.row_labels.size() != t.values.rows ||
        t.n_cols() != t.values.cols)
      fuzz::fail("LabeledTable: labels and values disagree in shape");
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
  });
  return 0;
}
