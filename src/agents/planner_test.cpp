// The deterministic planner: the regression set tests/agents/questions.json (every plan must be right), entity
// resolution from the embedded tables, the agents and their tools, discover().
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "agents/entities.hpp"
#include "core/csv.hpp"
#include "core/embedded.hpp"
#include "core/text.hpp"
#include "panocarbon/agents.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/store.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace panocarbon;
using namespace panocarbon::agents;

namespace {

// A data folder with the layout of ../shared/data (empty files: the planner only looks at what exists).
// Removed when the test program ends.
struct FakeDataDir {
  fs::path path;
  ~FakeDataDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path fake_data() {
  static const FakeDataDir dir{[] {
    const fs::path d = fs::temp_directory_path() / ("panocarbon-planner-data-" + std::to_string(::getpid()));
    fs::remove_all(d);
    for (int y = 2000; y <= 2010; ++y) {
      fs::create_directories(d / "mrio/wiod2013-co2" / std::to_string(y) / "co2");
      std::ofstream(d / "mrio/wiod2013-co2" / std::to_string(y) / "file_parameters.json") << "{}";
    }
    fs::create_directories(d / "natural/gcb2019");
    std::ofstream(d / "natural/gcb2019/global-carbon-budget.csv") << "Year\n";
    std::ofstream(d / "natural/global-methane-budget-2020-table3.xlsx") << "";
    fs::create_directories(d / "lca/uslci-jsonld/processes");
    return d;
  }()};
  return dir.path;
}

Knowledge knowledge_of(const json& spec) {
  Knowledge k;
  k.lca_databases = spec.at("lca_databases").get<std::vector<std::string>>();
  const auto years = spec.at("ledger_years").get<std::vector<int>>();
  if (years.size() == 2)
    for (int y = years[0]; y <= years[1]; ++y) k.ledger_years.push_back(y);
  if (spec.at("data").get<bool>()) k.data_dir = fake_data();
  // the source tree's examples/ (shipped route models, the avoided-emissions example) unless "examples": false
  if (spec.value("examples", true)) k.examples_dir = fs::path(PANOCARBON_SOURCE_DIR) / "examples";
  return k;
}

// {data} in an expected string is the data folder, {examples} the source tree's examples/ folder.
json with_data(json v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    const auto p = s.find("{data}");
    if (p != std::string::npos) s.replace(p, 6, fake_data().string());
    const auto e = s.find("{examples}");
    if (e != std::string::npos) s.replace(e, 10, (fs::path(PANOCARBON_SOURCE_DIR) / "examples").string());
    return s;
  }
  if (v.is_object() || v.is_array())
    for (auto& x : v) x = with_data(x);
  return v;
}

std::string plan_text(const Plan& p) {
  json steps = json::array();
  for (const auto& s : p.steps) steps.push_back({{"agent", to_string(s.agent)}, {"tool", s.tool}, {"arguments", s.arguments}});
  return json{{"intent", p.intent}, {"language", p.language}, {"clarify", p.clarify}, {"steps", steps}, {"slots", p.slots}}
      .dump();
}

// What is wrong with a plan (empty: it is right).
std::vector<std::string> check(const Plan& p, const json& want) {
  std::vector<std::string> bad;
  if (p.intent != want.at("intent").get<std::string>()) bad.push_back("intent " + p.intent);
  if (p.language != want.at("language").get<std::string>()) bad.push_back("language " + p.language);
  if (want.contains("clarify")) {
    if (p.clarify.empty()) bad.push_back("no question back");
    else if (want["clarify"].is_string() && p.clarify.find(want["clarify"].get<std::string>()) == std::string::npos)
      bad.push_back("question back without '" + want["clarify"].get<std::string>() + "'");
    if (!p.steps.empty()) bad.push_back("steps with a question back");
  } else if (!p.clarify.empty()) {
    bad.push_back("unexpected question back");
  }
  if (want.contains("steps")) {
    const auto& ws = want["steps"];
    if (ws.size() != p.steps.size()) bad.push_back(fmt::format("{} steps, expected {}", p.steps.size(), ws.size()));
    for (size_t i = 0; i < std::min(ws.size(), p.steps.size()); ++i) {
      const Step& s = p.steps[i];
      if (to_string(s.agent) != ws[i].at("agent").get<std::string>()) bad.push_back(fmt::format("step {} agent", i));
      if (s.tool != ws[i].at("tool").get<std::string>()) bad.push_back(fmt::format("step {} tool {}", i, s.tool));
      const json args = ws[i].value("arguments", json::object());
      for (const auto& [key, value] : args.items())
        if (!s.arguments.contains(key) || s.arguments[key] != with_data(value))
          bad.push_back(fmt::format("step {} argument {}", i, key));
    }
  }
  const json slots = want.value("slots", json::object());
  for (const auto& [key, value] : slots.items())
    if (!p.slots.contains(key) || p.slots[key] != value) bad.push_back("slot " + key);
  std::set<std::string> missing;
  if (p.slots.contains("missing"))
    for (const auto& m : p.slots["missing"]) missing.insert(m.at("tool").get<std::string>());
  std::set<std::string> want_missing;
  const json wm = want.value("missing", json::array());
  for (const auto& m : wm) want_missing.insert(m.get<std::string>());
  if (missing != want_missing) bad.push_back("missing data");
  return bad;
}

// Every step names a capability of its agent and its arguments validate against the command's spec (a value
// taken from an earlier step counts as a string).
void check_valid(const Plan& p, const std::string& question) {
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    const Capability& c = capability(s.tool);
    ASSERT_EQ(agent_of(c).value_or(Agent::Process), s.agent) << question << ": step " << i;
    json args = s.arguments;
    for (auto& [key, value] : args.items())
      if (value.is_object() && value.contains("from_step")) {
        EXPECT_LT(value["from_step"].get<size_t>(), i) << question;
        value = "DATABASE/ID";
      }
    EXPECT_NO_THROW((void)Params::from_json(c.spec(), args)) << question << ": " << s.tool << " " << args.dump();
    EXPECT_FALSE(s.why.empty()) << question;
  }
}

}  // namespace

TEST(Planner, RegressionSet) {
  std::ifstream in(fs::path(PANOCARBON_SOURCE_DIR) / "tests/agents/questions.json");
  ASSERT_TRUE(in) << "tests/agents/questions.json";
  const json set = json::parse(in);
  size_t right = 0, total = 0, zh = 0;
  std::set<std::string> agents_seen;
  for (const auto& q : set.at("questions")) {
    ++total;
    const std::string question = q.at("question").get<std::string>();
    const Knowledge k = knowledge_of(set.at("knowledge").at(q.value("knowledge", "default")));
    std::vector<Turn> history;
    const json earlier = q.value("history", json::array());
    for (const auto& h : earlier) {
      Turn t{h.get<std::string>(), plan_question(h.get<std::string>(), k, history)};
      history.push_back(std::move(t));
    }
    const Plan p = plan_question(question, k, history);
    check_valid(p, question);
    const auto bad = check(p, q);
    if (bad.empty()) {
      ++right;
    } else {
      ADD_FAILURE() << question << "\n  wrong: " << fmt::format("{}", fmt::join(bad, "; ")) << "\n  plan: " << plan_text(p);
    }
    if (p.language == "zh") ++zh;
    for (const auto& s : p.steps) agents_seen.insert(to_string(s.agent));
  }
  std::cout << right << "/" << total << " plans correct (" << zh << " questions in Chinese)\n";
  EXPECT_EQ(right, total);
  EXPECT_GE(total, 90u);
  EXPECT_GE(zh * 2, total);
  EXPECT_EQ(agents_seen.size(), 5u) << "the set covers every agent";
}

TEST(Planner, EveryIsoCountryResolvesByCodeAndName) {
  const auto& countries = agents::detail::Countries::get();
  io::CsvReader csv(panocarbon::detail::embedded_file("iso3166.csv"), "iso3166.csv");
  csv.next();
  size_t n = 0;
  while (csv.next()) {
    const std::string code(csv.fields()[1]), name(csv.fields()[2]);
    EXPECT_EQ(countries.resolve(code).value_or(""), code);
    EXPECT_EQ(countries.resolve(to_lower(code)).value_or(""), code);
    EXPECT_EQ(countries.resolve(name).value_or(""), code) << name;
    // and found in a sentence
    agents::detail::Text t("What was the consumption of " + name + " in 2009?");
    const auto found = countries.find(t);
    ASSERT_FALSE(found.empty()) << name;
    EXPECT_EQ(found[0].code, code) << name;
    ++n;
  }
  EXPECT_EQ(n, 249u);
  EXPECT_EQ(countries.size(), 249u);
}

TEST(Planner, ChineseNamesFromTheFileResolve) {
  const auto& countries = agents::detail::Countries::get();
  std::set<std::string> codes;
  io::CsvReader csv(panocarbon::detail::embedded_file("country_names_zh.csv"), "country_names_zh.csv");
  csv.next();
  while (csv.next()) {
    const std::string code(csv.fields()[0]), zh(csv.fields()[1]);
    codes.insert(code);
    EXPECT_EQ(countries.resolve(zh).value_or(""), code) << zh;
    agents::detail::Text t(zh + "2009年的消费侧排放是多少?");
    const auto found = countries.find(t);
    ASSERT_FALSE(found.empty()) << zh;
    EXPECT_EQ(found[0].code, code) << zh;
  }
  EXPECT_EQ(codes.size(), 249u) << "every country has a Chinese name";
  EXPECT_EQ(countries.chinese("CHN"), "中国");
  EXPECT_EQ(countries.chinese("SWE"), "瑞典");
  EXPECT_EQ(countries.english("KOR"), "Korea, Republic of");
}

TEST(Planner, AliasesAndCommonNames) {
  const auto& c = agents::detail::Countries::get();
  for (const auto& [alias, code] : std::vector<std::pair<std::string, std::string>>{
           {"US", "USA"}, {"USA", "USA"}, {"America", "USA"}, {"美国", "USA"}, {"UK", "GBR"}, {"Britain", "GBR"},
           {"英国", "GBR"}, {"中国", "CHN"}, {"PRC", "CHN"}, {"Russia", "RUS"}, {"俄罗斯", "RUS"}, {"韩国", "KOR"},
           {"South Korea", "KOR"}, {"Republic of Korea", "KOR"}, {"Vietnam", "VNM"}, {"Turkey", "TUR"},
           {"Czech Republic", "CZE"}, {"刚果（金）", "COD"}, {"刚果(布)", "COG"}, {"Democratic Republic of the Congo", "COD"},
           {"Côte d'Ivoire", "CIV"}, {"Ivory Coast", "CIV"}, {"沙特", "SAU"}, {"阿联酋", "ARE"}}) {
    EXPECT_EQ(c.resolve(alias).value_or(""), code) << alias;
  }
  // "us" (a word) is no country; upper-case codes only as codes; a common word needs its capital letter
  agents::detail::Text t1("Tell us the footprint of turkey meat AND chicken in Chad");
  const auto f1 = c.find(t1);
  ASSERT_EQ(f1.size(), 1u);
  EXPECT_EQ(f1[0].code, "TCD");
  // the longest name wins: 印度尼西亚 is not 印度, 几内亚比绍 not 几内亚, 中国台湾省 not 中国
  for (const auto& [text, code] : std::vector<std::pair<std::string, std::string>>{
           {"印度尼西亚的排放", "IDN"}, {"几内亚比绍的排放", "GNB"}, {"中国台湾省的排放", "TWN"}, {"Niger and", "NER"},
           {"Nigeria's", "NGA"}, {"South Africa", "ZAF"}, {"Papua New Guinea", "PNG"}}) {
    agents::detail::Text t(text);
    const auto f = c.find(t);
    ASSERT_EQ(f.size(), 1u) << text;
    EXPECT_EQ(f[0].code, code) << text;
  }
  EXPECT_EQ(c.nearest("Chnia", 1), std::vector<std::string>{"CHN"});
  EXPECT_EQ(c.nearest("Swedn", 1), std::vector<std::string>{"SWE"});
}

TEST(Planner, AmountsAndYears) {
  auto amount = [](const std::string& s) {
    agents::detail::Text t(s);
    const auto a = agents::detail::find_amount(t);
    return a ? fmt::format("{} {}", a->value, a->unit) : std::string("none");
  };
  EXPECT_EQ(amount("footprint of 1 kg of cement"), "1 kg");
  EXPECT_EQ(amount("2.5 tonnes of steel"), "2.5 t");
  EXPECT_EQ(amount("one kilogram of steel"), "1 kg");
  EXPECT_EQ(amount("a tonne of steel"), "1 t");
  EXPECT_EQ(amount("1,000 kWh of electricity"), "1000 kWh");
  EXPECT_EQ(amount("1吨钢"), "1 t");
  EXPECT_EQ(amount("一千克水泥"), "1 kg");
  EXPECT_EQ(amount("两吨水泥"), "2 t");
  EXPECT_EQ(amount("三百五十千克"), "350 kg");
  EXPECT_EQ(amount("５０公斤"), "50 kg");  // full-width digits
  EXPECT_EQ(amount("100度电"), "100 kWh");
  EXPECT_EQ(amount("the 95 % range in 2009"), "none");
  EXPECT_EQ(amount("AR6 values"), "none");
  auto years = [](const std::string& s) {
    agents::detail::Text t(s);
    std::vector<int> out;
    for (const auto& y : agents::detail::find_years(t)) out.push_back(y.year);
    return out;
  };
  EXPECT_EQ(years("China 2009年 and 2010"), (std::vector<int>{2009, 2010}));
  EXPECT_EQ(years("１９９０年"), (std::vector<int>{1990}));
  EXPECT_EQ(years("20091 or 2009.5 or 3000 or 1.2009"), (std::vector<int>{}));
}

TEST(Planner, LanguageIsChineseWhenAnyCjk) {
  const Knowledge k = knowledge_of({{"lca_databases", {"uslci"}}, {"ledger_years", {1990, 2018}}, {"data", true}});
  EXPECT_EQ(plan_question("CHN 2009 消费", k).language, "zh");
  EXPECT_EQ(plan_question("CHN 2009 consumption", k).language, "en");
  EXPECT_EQ(plan_question("", k).intent, "unknown");
  EXPECT_FALSE(plan_question("", k).clarify.empty());
}

TEST(Planner, HostileQuestionsGetAPlanInValidUtf8) {
  const Knowledge k = knowledge_of({{"lca_databases", {"uslci"}}, {"ledger_years", {1990, 2018}}, {"data", true}});
  const std::vector<std::string> hostile = {
      std::string("China\xff\xfe 2009 consumption"), std::string("\xe4\xb8", 2), std::string("a\0b", 3),
      "'s 's 's", "?????", "1.A.", "footprint of", "碳足迹", "的碳足迹", "2009-", "between 2009 and", "1e308 kg of steel",
      "99999999999999999999 t of cement", "一万万万千克水泥的碳足迹", "🙂 emissions of China in 2009 🙂", std::string(100000, 'x'),
      std::string(30000, ' ') + "China 2009 consumption", "../../etc/passwd emission factor", "CHN CHN CHN CHN CHN CHN CHN "
      "USA USA USA 2000 2001 2002 2003 2004 2005 2006 exports"};
  for (const auto& q : hostile) {
    Plan p;
    ASSERT_NO_THROW(p = plan_question(q, k)) << q.substr(0, 40);
    EXPECT_TRUE(is_valid_utf8(p.clarify));
    EXPECT_NO_THROW((void)p.slots.dump()) << q.substr(0, 40);
    for (const auto& s : p.steps) EXPECT_NO_THROW((void)s.arguments.dump());
    EXPECT_LE(p.steps.size(), 7u);
    EXPECT_TRUE(p.clarify.empty() != p.steps.empty() || (p.clarify.empty() && p.steps.empty() && p.slots.contains("missing")))
        << q.substr(0, 40);
  }
  // a history whose texts are not UTF-8 either
  Turn t{std::string("\xc3\x28 消费侧排放是多少?"), plan_question(std::string("\xc3\x28 消费侧排放是多少?"), k)};
  t.plan.slots["context"] = std::string("\xff consumption of China");
  const Plan p = plan_question("2009", k, {t});
  EXPECT_NO_THROW((void)p.slots.dump());
  EXPECT_EQ(p.steps.size(), 1u) << p.clarify;
}

TEST(Planner, AgentsOwnTheirTools) {
  const auto& list = panocarbon::agents::agents();
  ASSERT_EQ(list.size(), 5u);
  std::set<std::string> owned;
  for (const auto& a : list) {
    EXPECT_FALSE(a.description.empty());
    EXPECT_FALSE(a.tools.empty());
    EXPECT_EQ(agent_from_string(to_string(a.id)), a.id);
    for (const auto& t : a.tools) {
      const Capability& c = capability(t);
      EXPECT_FALSE(c.local_only) << t;
      EXPECT_NE(c.domain, Domain::System) << t;
      if (c.domain != Domain::Reference) {
        EXPECT_EQ(agent_of(c), a.id) << t;
      }
      owned.insert(t);
    }
  }
  for (const auto& c : capabilities()) {
    const bool none = c.domain == Domain::System || c.local_only;
    EXPECT_EQ(owned.count(c.name) == 0, none) << c.name;
    EXPECT_EQ(agent_of(c).has_value(), !none) << c.name;
  }
  EXPECT_EQ(agent_of(capability("account")), Agent::Trade);
  EXPECT_EQ(agent_of(capability("mrio montecarlo")), Agent::Uncertainty);
  EXPECT_EQ(agent_of(capability("gwp list")), Agent::Process);
  EXPECT_FALSE(agent_of(capability("data fetch")).has_value());
  try {
    agent_from_string("weather");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), ErrorCategory::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("process, trade, lca, natural and uncertainty"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("weather"), std::string::npos);
  }
}

TEST(Planner, DiscoverReadsTheStoreAndTheDataFolder) {
  {
    Store store = Store::open(":memory:");
    Knowledge k = discover(&store, fake_data());
    EXPECT_TRUE(k.lca_databases.empty());
    EXPECT_TRUE(k.ledger_years.empty());
    EXPECT_EQ(k.data_dir, fs::weakly_canonical(fake_data()));
  }
  {
    Knowledge k = discover(nullptr, "relative/folder");
    EXPECT_TRUE(k.data_dir.is_absolute());
  }
  ::setenv("PANOCARBON_DATA", fake_data().c_str(), 1);
  EXPECT_EQ(default_data_dir(), fs::weakly_canonical(fake_data()));
  EXPECT_EQ(discover(nullptr, {}).data_dir, fs::weakly_canonical(fake_data()));
  ::unsetenv("PANOCARBON_DATA");
}
