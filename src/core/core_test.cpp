// Units, errors, hashes, options and GWP tables.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/text.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/units.hpp"

using namespace panocarbon;

// ---- units ----
static_assert((2.0 * u::t).in(u::kg) == 2000.0);
static_assert((1.0 * u::Mtoe).in(u::PJ) == 41.868);
// Quantity<Mass> + Quantity<Energy> does not compile: the dimensions are part of the type.
template <class A, class B>
concept Addable = requires(A a, B b) { a + b; };
static_assert(Addable<Mass, Mass>);
static_assert(!Addable<Mass, Energy>);

TEST(Units, ExactDefinitions) {
  EXPECT_DOUBLE_EQ(convert(1, "lb", "kg"), 0.45359237);
  EXPECT_DOUBLE_EQ(convert(1, "short ton", "lb"), 2000.0);
  EXPECT_DOUBLE_EQ(convert(1, "long ton", "lb"), 2240.0);
  EXPECT_NEAR(convert(1, "bbl", "gal"), 42.0, 1e-12);
  EXPECT_NEAR(convert(1, "therm", "Btu"), 1e5, 1e-7);
  EXPECT_NEAR(convert(1, "MMBtu", "GJ"), 1.05505585262, 1e-12);
  EXPECT_NEAR(convert(1, "toe", "GJ"), 41.868, 1e-12);
  EXPECT_NEAR(convert(1, "GWh", "TJ"), 3.6, 1e-12);
  EXPECT_NEAR(convert(1, "Gg", "kt"), 1.0, 0);
  EXPECT_NEAR(convert(1, "Tg", "Mt"), 1.0, 0);
  EXPECT_NEAR(convert(1000, "L", "m3"), 1.0, 1e-15);
}

TEST(Units, SpellingsAndCase) {
  EXPECT_EQ(parse_unit("tonnes").symbol, "t");
  EXPECT_EQ(parse_unit(" kwh ").symbol, "kWh");
  EXPECT_EQ(parse_unit("Mt").symbol, "Mt");
  // "mt" would be millitonne in SI and megatonne to some users: refused rather than guessed.
  EXPECT_EQ(find_unit("mt"), nullptr);
}

TEST(Units, ErrorsNameTheUnitAndTheFix) {
  try {
    convert(1, "t", "TJ", ErrorContext{"in.csv", 4, 4, "unit"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::Unit);
    EXPECT_STREQ(e.what(), "in.csv:line 4, column 4, field 'unit': unit error: cannot convert t (mass) to TJ (energy)");
  }
  try {
    parse_unit("furlongs");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown unit 'furlongs'; use one of mass: kg, g, t"), std::string::npos);
  }
  EXPECT_THROW(parse_ratio_unit("kg"), Error);
  const RatioUnit r = parse_ratio_unit("kg/TJ");
  EXPECT_EQ(r.numerator->symbol, "kg");
  EXPECT_EQ(r.denominator->symbol, "TJ");
}

// ---- errors ----
TEST(Error, FormatAndExitCodes) {
  const Error e(ErrorCategory::NotFound, "unknown fuel 'x'", ErrorContext{"a.csv", 3, 2, "activity"});
  EXPECT_STREQ(e.what(), "a.csv:line 3, column 2, field 'activity': not found: unknown fuel 'x'");
  EXPECT_EQ(e.exit_code(), 3);
  EXPECT_EQ(e.http_status(), 404);
  EXPECT_STREQ(Error(ErrorCategory::Io, "m").what(), "I/O error: m");
  const Error f = Error(ErrorCategory::InvalidInput, "m", ErrorContext{{}, 5}).with_context(ErrorContext{"b.csv"});
  EXPECT_STREQ(f.what(), "b.csv:line 5: invalid input: m");
}

// ---- SHA-256 (FIPS 180-2 Appendix B test vectors) ----
TEST(Provenance, Sha256Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// ---- options ----
TEST(Options, DefaultsChoicesAndBounds) {
  const CommandSpec& spec = command_spec("inventory calc");
  const Params p = Params::from_text(spec, {{"file", {"x.csv"}}, {"gwp", {"ar6"}}});
  EXPECT_EQ(p.str("gwp"), "AR6");  // choices are case-insensitive and canonicalised
  EXPECT_EQ(p.str("edition"), "2006");
  EXPECT_FALSE(p.has("format"));  // a front-end option: not part of the model's parameters
  EXPECT_FALSE(p.flag("skip-missing"));
  try {
    Params::from_text(spec, {{"file", {"x.csv"}}, {"gwp", {"SAR"}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "field 'gwp': invalid input: option --gwp must be one of AR4, AR5, AR6, not 'SAR'");
  }
  try {
    Params::from_text(spec, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("needs the argument file"), std::string::npos);
  }
  const CommandSpec& search = command_spec("factors search");
  EXPECT_THROW(Params::from_text(search, {{"query", {"x"}}, {"limit", {"0"}}}), Error);
  EXPECT_THROW(Params::from_text(search, {{"query", {"x"}}, {"limit", {"2.5"}}}), Error);
  EXPECT_EQ(Params::from_json(search, {{"query", "diesel"}, {"limit", 5}}).integer("limit"), 5);
  // non-finite numbers are refused, and an alias gives the option's value under its own name
  EXPECT_THROW(Params::from_json(search, {{"query", "x"}, {"limit", "inf"}}), Error);
  const Params g = Params::from_text(command_spec("gwp list"), {{"set", {"AR4"}}});
  EXPECT_EQ(g.str("gwp"), "AR4");
}

// JSON values carry their type (the HTTP API's bodies): a string for a number, a number for a string, a list
// for one value are refused naming the field; an unknown name is refused naming it and the nearest option.
TEST(Options, JsonTypesAreChecked) {
  const CommandSpec& search = command_spec("factors search");
  auto field_of = [&](const nlohmann::json& j) {
    try {
      Params::from_json(search, j);
    } catch (const Error& e) {
      EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
      return e.context().field + ": " + e.message();
    }
    return std::string("accepted");
  };
  EXPECT_EQ(field_of({{"query", "x"}, {"limit", "3"}}), "limit: 'limit' takes a whole number (JSON number), not \"3\"");
  EXPECT_EQ(field_of({{"query", 7}}), "query: 'query' takes a string (JSON string), not 7");
  EXPECT_EQ(field_of({{"query", "x"}, {"limit", 2.5}}), "limit: 'limit' takes a whole number (JSON number), not 2.5");
  EXPECT_EQ(field_of({{"query", "x"}, {"limit", {1, 2}}}), "limit: 'limit' takes one value, not a list");
  EXPECT_EQ(field_of({{"query", "x"}, {"limmit", 3}}),
            "limmit: command 'factors search' has no option 'limmit'; did you mean limit?");
  EXPECT_EQ(field_of({{"query", "x"}, {"limit", 3.0}}), "accepted");
  EXPECT_EQ(Params::from_json(search, {{"query", "x"}, {"limit", 3.0}}).integer("limit"), 3);
  // the text of a command line is still converted
  EXPECT_EQ(Params::from_text(search, {{"query", {"x"}}, {"limit", {"3"}}}).integer("limit"), 3);
}

TEST(Options, EveryCommandHasFrontEndOptionsApartFromItsSchema) {
  for (const auto& s : command_specs()) {
    for (const char* fe : {"db", "format"}) {
      ASSERT_NE(s.find(fe), nullptr) << s.name << " --" << fe;
      EXPECT_TRUE(s.find(fe)->frontend) << s.name << " --" << fe;
    }
    EXPECT_EQ(s.find("format")->choices, std::vector<std::string>({"table", "csv", "json", "xlsx"})) << s.name;
    const auto schema = to_json_schema(s);
    EXPECT_EQ(schema["type"], "object");
    for (const auto& [name, _] : schema["properties"].items())
      EXPECT_FALSE(s.find(name)->frontend) << s.name << ": front-end option --" << name << " in the input schema";
    EXPECT_FALSE(schema["properties"].contains("db")) << s.name;
    // a server must never read a path it did not get: no default points at a file of this machine
    for (const auto& o : s.options) {
      if (o.default_value) {
        EXPECT_EQ(o.default_value->find("../"), std::string::npos) << s.name << " --" << o.name;
      }
    }
  }
  const auto calc = to_json_schema(command_spec("inventory calc"));
  EXPECT_EQ(calc["properties"]["gwp"]["enum"], nlohmann::json({"AR4", "AR5", "AR6"}));
  EXPECT_EQ(calc["required"], nlohmann::json({"file"}));
}

// ---- GWP ----
TEST(Gwp, CanonicalNames) {
  EXPECT_EQ(canonical_gas("hfc134a"), "HFC-134a");
  EXPECT_EQ(canonical_gas("HFC-43-10mee"), "HFC-43-10mee");
  EXPECT_EQ(canonical_gas(" sf6 "), "SF6");
  EXPECT_EQ(canonical_gas("PFC-14"), "CF4");
  EXPECT_EQ(canonical_gas("cC4F8"), "c-C4F8");
}

TEST(Gwp, PublishedValues) {
  const auto& t = GwpTable::builtin();
  // AR4 WG1 Table 2.14; AR5 WG1 Table 8.A.1; AR6 WG1 Table 7.15 / 7.SM.7
  EXPECT_EQ(t.set("AR4").of("CH4"), 25);
  EXPECT_EQ(t.set("AR4").of("N2O"), 298);
  EXPECT_EQ(t.set("AR4").of("SF6"), 22800);
  EXPECT_EQ(t.set("AR5").of("CH4"), 28);
  EXPECT_EQ(t.set("AR5").of("N2O"), 265);
  EXPECT_EQ(t.set("AR5").of("SF6"), 23500);
  EXPECT_EQ(t.set("AR5").of("HFC-134a"), 1300);
  EXPECT_EQ(t.set("AR6").of("CH4_fossil"), 29.8);
  EXPECT_EQ(t.set("AR6").of("CH4_nonfossil"), 27.0);
  EXPECT_EQ(t.set("AR6").of("N2O"), 273);
  EXPECT_EQ(t.set("AR6").of("NF3"), 17400);
  EXPECT_EQ(t.set("ar6").name, "AR6");
  // Kyoto basket present in every set: CO2, CH4, N2O, SF6, NF3, the main HFCs and PFCs.
  for (const auto* set : {"AR4", "AR5", "AR6"})
    for (const auto* gas : {"CO2", "CH4", "N2O", "SF6", "NF3", "HFC-23", "HFC-32", "HFC-125", "HFC-134a", "HFC-143a",
                            "HFC-152a", "HFC-227ea", "HFC-236fa", "HFC-245fa", "HFC-365mfc", "HFC-43-10mee", "CF4",
                            "C2F6", "C3F8", "c-C4F8", "C4F10", "C5F12", "C6F14"})
      EXPECT_TRUE(t.set(set).has(gas)) << set << " " << gas;
  EXPECT_EQ(t.set("AR4").of("HFC-41"), 92);  // AR4 Table 2.14, decision 24/CP.19 Annex III
  EXPECT_EQ(t.set("AR4").of("HFC-245ca"), 693);
  try {
    t.set("AR4").of("HFC-999");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "not found: GWP set AR4 has no 100-year value for gas 'HFC-999'; choose another --gwp set or another gas");
  }
  EXPECT_THROW(t.set("SAR"), Error);
}

// Cross-check against ../shared/data/factors/globalwarmingpotentials.csv (openclimatedata, CC0). The build
// does not need that file; this test does, and skips with a message when it is absent.
TEST(Gwp, MatchesSharedTable) {
  const std::string path = std::string(PANOCARBON_SHARED_DATA) + "/factors/globalwarmingpotentials.csv";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << path << " is absent";
  std::string line, header;
  std::vector<std::string> cols;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    if (cols.empty()) {
      cols = f;
      continue;
    }
    for (const auto* set : {"AR4", "AR5", "AR6"}) {
      const auto col = std::find(cols.begin(), cols.end(), std::string(set) + "GWP100") - cols.begin();
      const std::string gas = canonical_gas(f[0]);
      const auto& s = GwpTable::builtin().set(set);
      if (!s.has(gas)) continue;
      ASSERT_LT(static_cast<size_t>(col), f.size());
      if (f[static_cast<size_t>(col)].empty()) continue;  // the compilation lacks it (see data/PROVENANCE.md)
      EXPECT_EQ(s.of(gas), std::stod(f[static_cast<size_t>(col)])) << set << " " << gas;
      ++checked;
    }
  }
  EXPECT_GE(checked, 3 * 20);
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8C\xB2"));
  EXPECT_EQ(utf8_error_offset("ab\xFF"), 2u);
  EXPECT_EQ(utf8_error_offset("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(utf8_error_offset("x\xED\xA0\x80"), 1u);     // a surrogate
  EXPECT_EQ(utf8_error_offset("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_error_offset("\xE2\x82"), 0u);          // cut short
}

TEST(Text, ClipInputIsShortPrintableUtf8) {
  EXPECT_EQ(clip_input("short"), "short");
  EXPECT_EQ(clip_input("a\nb\xFF"), "a\\x0Ab\\xFF");
  const std::string big(10'000'000, 'h');
  const std::string c = clip_input(big);
  EXPECT_EQ(c, std::string(80, 'h') + "... (10000000 bytes in all)");
  // never cuts a character in two
  std::string euros;
  for (int i = 0; i < 40; ++i) euros += "\xE2\x82\xAC";
  EXPECT_TRUE(is_valid_utf8(clip_input(euros, 10)));
  EXPECT_EQ(clip_input(euros, 10).substr(0, 12), "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC");
}

TEST(Text, SearchQueryIsBounded) {
  EXPECT_NO_THROW(check_search_query("diesel trucks", "query"));
  std::string words;
  for (int i = 0; i < 21; ++i) words.append("w").append(std::to_string(i)).append(" ");
  try {
    check_search_query(words, "query");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_EQ(e.context().field, "query");
    EXPECT_NE(std::string(e.what()).find("too long (21 words); search for a few words (at most 20 words, 500 bytes)"),
              std::string::npos);
  }
  EXPECT_THROW(check_search_query(std::string(501, 'a'), "query"), Error);
  EXPECT_NO_THROW(check_search_query(std::string(500, 'a'), "query"));
}

TEST(Errors, MessagesAreBounded) {
  const Error e(ErrorCategory::InvalidInput, std::string("header: ").append(10'000'000, 'x'), ErrorContext{"big.csv", 1});
  EXPECT_LT(std::string(e.what()).size(), 8100u);
  EXPECT_NE(std::string(e.what()).find("(message cut: 10000039 bytes in all)"), std::string::npos);
}
