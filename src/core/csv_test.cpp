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

// Non-finite numbers never pass as numbers: inf, nan and numbers beyond a double are refused with a reason;
// a number too small for a double reads as (nearly) zero.
TEST(Csv, NumbersMustBeFinite) {
  using panocarbon::io::NumberStatus;
  using panocarbon::io::parse_number;
  double v = 7;
  EXPECT_EQ(parse_number("inf", v), NumberStatus::NotFinite);
  EXPECT_EQ(parse_number("-Infinity", v), NumberStatus::NotFinite);
  EXPECT_EQ(parse_number("NaN", v), NumberStatus::NotFinite);
  EXPECT_EQ(parse_number("nan", v), NumberStatus::NotFinite);
  EXPECT_EQ(parse_number("1e400", v), NumberStatus::OutOfRange);
  EXPECT_EQ(parse_number("-1e400", v), NumberStatus::OutOfRange);
  EXPECT_EQ(parse_number(std::string("1").append(400, '0'), v), NumberStatus::OutOfRange);
  EXPECT_EQ(v, 7);  // untouched when refused
  EXPECT_FALSE(panocarbon::io::parse_double("inf", v));
  EXPECT_EQ(parse_number("1e-400", v), NumberStatus::Ok);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(parse_number(std::string("0.").append(400, '0').append("1"), v), NumberStatus::Ok);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(parse_number("1e306", v), NumberStatus::Ok);
  EXPECT_EQ(v, 1e306);
  EXPECT_EQ(parse_number("abc", v), NumberStatus::NotANumber);
}

TEST(Csv, FiniteNumberNamesFileLineFieldAndWhy) {
  const panocarbon::ErrorContext at{"a.csv", 3, 2, "amount"};
  EXPECT_EQ(panocarbon::io::finite_number(" 2.5 ", at), 2.5);
  try {
    panocarbon::io::finite_number("1e400", at);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput);
    EXPECT_STREQ(e.what(), "a.csv:line 3, column 2, field 'amount': invalid input: '1e400' is beyond the range of a "
                           "double (about 1.8e308); check the number and its unit");
  }
  try {
    panocarbon::io::finite_number("inf", at);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "a.csv:line 3, column 2, field 'amount': invalid input: 'inf' is not a finite number; give a "
                           "decimal number such as 12.5 or 1.2e6");
  }
  try {
    panocarbon::io::finite_number(std::string(100000, '9') + "x", at);
    FAIL();
  } catch (const Error& e) {
    EXPECT_LT(std::string(e.what()).size(), 250u);
    EXPECT_NE(std::string(e.what()).find("... (100001 bytes in all)"), std::string::npos);
  }
}

TEST(Csv, FieldsMustBeUtf8) {
  CsvReader r("a,b\nok,\"caf\xE9\"\n", "latin1.csv");
  ASSERT_TRUE(r.next());
  try {
    r.next();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), panocarbon::ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().line, 2);
    EXPECT_EQ(e.context().column, 2);
    EXPECT_STREQ(e.what(), "latin1.csv:line 2, column 2: invalid input: field 2 is not valid UTF-8 (byte 4 of it is "
                           "0xE9, in 'caf\\xE9'); save the file as UTF-8 (in Excel: Save As > CSV UTF-8; or iconv -f "
                           "LATIN1 -t UTF-8)");
  }
  CsvReader good("a\n\xC3\xA9t\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x8C\xB2\n", "utf8.csv");
  ASSERT_TRUE(good.next());
  ASSERT_TRUE(good.next());
  EXPECT_EQ(good.fields()[1], "\xE2\x82\xAC");
}
