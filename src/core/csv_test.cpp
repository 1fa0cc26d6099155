#include "core/csv.hpp"

#include <gtest/gtest.h>

using panocarbon::Error;
using panocarbon::io::CsvReader;

TEST(Csv, QuotesCrlfBlankLinesAndBom) {
  CsvReader r("\xEF\xBB\xBF" "a,b,c\r\n\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2,3", "t.csv");
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.fields(), (std::vector<std::string_view>{"a", "b", "c"}));
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), 3);
  EXPECT_EQ(r.fields(), (std::vector<std::string_view>{"1", "x, y", "say \"hi\""}));
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.line(), 4);
  EXPECT_EQ(r.fields()[0], "multi\nline");
  EXPECT_FALSE(r.next());
}

TEST(Csv, EmptyFieldsAndTrailingComma) {
  CsvReader r("a,,\n", "t.csv");
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.fields().size(), 3u);
}

TEST(Csv, UnterminatedQuoteNamesTheLine) {
  CsvReader r("a\n\"open\n", "t.csv");
  ASSERT_TRUE(r.next());
  try {
    r.next();
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "t.csv:line 2: invalid input: a quoted field is never closed; add the closing double quote");
  }
}

TEST(Csv, Numbers) {
  double v = 0;
  EXPECT_TRUE(panocarbon::io::parse_double(" 1.5e3 ", v));
  EXPECT_EQ(v, 1500);
  EXPECT_TRUE(panocarbon::io::parse_double("+2", v));
  EXPECT_FALSE(panocarbon::io::parse_double("1,5", v));
  EXPECT_FALSE(panocarbon::io::parse_double("", v));
  EXPECT_FALSE(panocarbon::io::parse_double("12abc", v));
}
