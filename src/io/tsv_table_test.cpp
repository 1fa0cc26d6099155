#include <gtest/gtest.h>

#include <cstring>

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
