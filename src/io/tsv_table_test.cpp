#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "io/tsv_table.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::io {
namespace {

class StringSource final : public ByteSource {
 public:
  StringSource(std::string text, size_t step) : text_(std::move(text)), step_(step) {}
  size_t read(char* buf, size_t n) override {
    const size_t k = std::min({n, step_, text_.size() - pos_});
    std::memcpy(buf, text_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t size() const override { return 0; }  // unknown: exercises the small-chunk path
  const std::string& name() const override { return name_; }

 private:
  std::string text_;
  size_t step_, pos_ = 0;
  std::string name_ = "t.txt";
};

LabeledTable parse(const std::string& text, size_t index_cols = 2, size_t headers = 2, size_t step = 1 << 20) {
  StringSource src(text, step);
  TableOptions o;
  o.nr_index_col = index_cols;
  o.nr_header = headers;
  o.threads = 2;
  return read_labeled_table(src, o);
}

TEST(TsvTable, HeadersIndexNamesAndSparseValues) {
  const auto t = parse("region\t\tA\tB\r\nsector\t\tx\ty\r\nregion\tsector\t\t\r\nA\tx\t1.5\t0\r\nB\ty\t+2e3\t-0\r\n");
  EXPECT_EQ(t.col_level_names, (std::vector<std::string>{"region", "sector"}));
  EXPECT_EQ(t.index_names, (std::vector<std::string>{"region", "sector"}));
  ASSERT_EQ(t.values.rows, 2u);
  EXPECT_EQ(t.values.nnz(), 2u);  // zeros (and -0) are not stored
  EXPECT_EQ(t.values.value[1], 2000.0);
  EXPECT_EQ(t.row_key(1), "B|y");
  EXPECT_EQ(t.col_key(0), "A|x");
  EXPECT_EQ(t.row_line[0], 4);
}

TEST(TsvTable, NoIndexNameRowAndTinyReads) {
  // Lines cut across reads of 3 bytes; no index-name row (EXIOBASE's satellite F).
  const auto t = parse("region\tA\tB\nsector\tx\ty\nCO2\t1\t2\nCH4\t3\t4", 1, 2, 3);
  EXPECT_TRUE(t.index_names.empty());
  ASSERT_EQ(t.values.rows, 2u);
  EXPECT_EQ(t.values.value.back(), 4.0);
  EXPECT_EQ(t.row_key(1), "CH4");
}

void expect_error(const std::string& text, const std::string& want, long line) {
  try {
    parse(text);
    FAIL() << "expected: " << want;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    EXPECT_EQ(e.context().line, line) << e.what();
    EXPECT_EQ(e.context().file, "t.txt");
  }
}

TEST(TsvTable, ErrorsNameLineLabelAndCell) {
  const std::string head = "region\t\tA\tB\nsector\t\tx\ty\nregion\tsector\t\t\n";
  expect_error(head + "A\tx\t1\t2\nB\ty\t1\n", "line 5 (B|y) has 1 values, expected 2", 5);
  expect_error(head + "A\tx\t1\t2\t3\n", "line 4 (A|x) has 3 values, expected 2", 4);
  expect_error(head + "A\tx\t1\t\n", "line 4 (A|x) has an empty cell", 4);
  expect_error(head + "A\tx\tnan\t1\n", "has 'nan' where a finite number is expected", 4);
  expect_error(head + "A\tx\n", "has only labels and no values", 4);
  expect_error("region\t\tA\tB\n", "ends after 1 header rows", 1);
}

}  // namespace
}  // namespace panocarbon::io

namespace panocarbon::io {
namespace {

// The one-pass parser of plain decimals gives exactly the doubles std::from_chars gives, for every way
// writers print numbers: %.9g (pandas' float_format in the benchmarks), %.17g (round trip), fixed, exponents
// with and without sign, leading zeros, many digits (the general path), negative numbers, tiny and huge ones.
TEST(TsvTable, FastDecimalsEqualFromChars) {
  std::mt19937_64 rng(16);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::string> cells;
  const char* formats[] = {"%.9g", "%.17g", "%.6f", "%.3e", "%.12E", "%g", "%.0f", "%.20f", "%.15e"};
  for (int i = 0; i < 20000; ++i) {
    const double mag = std::pow(10.0, -30 + 60 * u(rng));
    const double x = (u(rng) < 0.2 ? -1 : 1) * mag * u(rng);
    char buf[128];
    std::snprintf(buf, sizeof buf, formats[i % 9], x);
    cells.emplace_back(buf);
  }
  for (const char* odd : {"0.0", "000123.4500", "1e5", "1E+05", "12345678901234567890", "9007199254740993",
                          "9007199254740992", "1.7976931348623157e308", "4.9e-324", "1.", ".5", "-.5", "0e0",
                          "123456789012345678", "1e22", "1e23", "1e-22", "1e-23", "-0.000", "3.0000000000000000001"})
    cells.emplace_back(odd);
  std::string text = "r";
  for (size_t j = 0; j < cells.size(); ++j) text += "\tc" + std::to_string(j);
  text += "\nx";
  for (const auto& c : cells) text += "\t" + c;
  text += "\n";
  const auto t = parse(text, 1, 1);
  ASSERT_EQ(t.values.rows, 1u);
  size_t p = 0;
  for (size_t j = 0; j < cells.size(); ++j) {
    double want = 0;
    const auto r = std::from_chars(cells[j].data(), cells[j].data() + cells[j].size(), want);
    ASSERT_EQ(r.ptr, cells[j].data() + cells[j].size()) << cells[j];
    if (want == 0.0) continue;
    ASSERT_LT(p, t.values.nnz());
    EXPECT_EQ(t.values.col[p], j) << cells[j];
    EXPECT_EQ(std::memcmp(&t.values.value[p], &want, sizeof want), 0) << cells[j] << " " << t.values.value[p];
    ++p;
  }
  EXPECT_EQ(p, t.values.nnz());
}

TEST(TsvTable, MalformedNumbersStillNamed) {
  for (const char* bad : {"1e", "1e+", "-", ".", "1.2.3", "0x10", "1,5", "nan", "1e99999"}) {
    try {
      parse(std::string("r\tA\tB\nx\t1\t") + bad + "\n", 1, 1);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("where a finite number is expected"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("t.txt"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace panocarbon::io
