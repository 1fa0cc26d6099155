// The deterministic planner of the conversational layer (docs/chat-planner.md): the five agents and their
// tools, what the person's data holds (discover), and plan_question(): intent and slot recognition in English
// and Chinese with no model weights, routing to the agents' tools with their arguments filled, and a question
// back (Plan::clarify, in the question's language) where a guess would be needed. Pure apart from looking at
// which data folders exist: it runs nothing.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agents/entities.hpp"
#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/agents.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::agents {

namespace fs = std::filesystem;
using json = nlohmann::json;
using detail::has_any;
using detail::Text;

// --- the five agents ------------------------------------------------------------------------------------------

const char* to_string(Agent a) noexcept {
  switch (a) {
    case Agent::Process: return "process";
    case Agent::Trade: return "trade";
    case Agent::Lca: return "lca";
    case Agent::Natural: return "natural";
    case Agent::Uncertainty: return "uncertainty";
  }
  return "process";
}

Agent agent_from_string(std::string_view s) {
  for (Agent a : {Agent::Process, Agent::Trade, Agent::Lca, Agent::Natural, Agent::Uncertainty})
    if (iequals(s, to_string(a))) return a;
  throw Error(ErrorCategory::InvalidInput,
              fmt::format("unknown agent '{}'; the agents are process, trade, lca, natural and uncertainty",
                          clip_input(s)),
              ErrorContext{{}, 0, 0, "agent"});
}

std::optional<Agent> agent_of(const Capability& c) {
  if (c.local_only) return std::nullopt;
  switch (c.domain) {
    case Domain::Process:
    case Domain::Inventory: return Agent::Process;
    case Domain::Trade: return Agent::Trade;
    case Domain::Lca: return Agent::Lca;
    case Domain::Natural: return Agent::Natural;
    case Domain::Uncertainty: return Agent::Uncertainty;
    // Reference data (factors, GWP) is shared by every agent; the process agent owns it.
    case Domain::Reference: return Agent::Process;
    case Domain::System: return std::nullopt;
  }
  return std::nullopt;
}

const std::vector<AgentInfo>& agents() {
  static const std::vector<AgentInfo> list = [] {
    std::vector<AgentInfo> a = {
        {Agent::Process, "Industrial process and inventories",
         "Answers questions on IPCC national inventories (production-side emissions by IPCC category from activity "
         "data, the reference approach, the demo inventory), emission factors of the IPCC 2006 Guidelines and the "
         "2019 Refinement (search, show with citation and bounds) and GWP100 values of IPCC AR4, AR5 and AR6; industrial "
         "process routes (steel, cement, aluminium, ammonia, urea, hydrogen: emissions per tonne by scope from the "
         "shipped route models), least-cost abatement, EU CBAM default values with their mark-up and the comparison "
         "with an actual value, and avoided emissions of exported wind and PV (a ledger apart from every inventory). "
         "Data: the project's factor library, route models and CBAM table, and the person's files.",
         {}},
        {Agent::Trade, "Trade carbon transfer",
         "Answers questions on national CO2 accounts: production-based (territorial) and consumption-based "
         "emissions, emissions embodied in imports and exports, net transfer (consumption - production), per capita, "
         "main trade partners and sectors, for a country and year or every country, from the panoramic ledger "
         "(WIOD 2013 MRIO accounts 2000-2010, Global Carbon Budget 2019 national series 1990-2018) and MRIO tables.",
         {}},
        {Agent::Lca, "Life cycle assessment",
         "Answers questions on product carbon footprints from a stored LCA database (USLCI and other openLCA JSON-LD "
         "or EcoSpold2 databases): finds the process, computes the life cycle impact (IPCC 2021 GWP100 by default) of "
         "an amount of its product, the contributions of processes, and runs a whole ISO 14067 footprint study.",
         {}},
        {Agent::Natural, "Natural sources and sinks",
         "Answers questions on the global carbon budget (ocean and land sinks, land-use change, atmospheric growth, "
         "budget imbalance; Global Carbon Budget 2019), the natural side of a country's account (forest land, fires, "
         "natural methane stored by earlier runs), fire emissions (GFED4.1s, IPCC Tier 1) and natural CH4 sources "
         "(Global Methane Budget 2020).",
         {}},
        {Agent::Uncertainty, "Uncertainty and sensitivity",
         "Answers how uncertain a result is: Monte Carlo of MRIO accounts (percentiles of every region's production "
         "and consumption), of LCA results (from the database's distributions and pedigree), of inventories (IPCC "
         "Approach 1 and 2), and global sensitivity (Sobol, Morris) of a model file.",
         {}}};
    std::vector<std::string> shared;
    for (const auto& c : capabilities()) {
      const auto owner = agent_of(c);
      if (!owner) continue;
      if (c.domain == Domain::Reference) {
        shared.push_back(c.name);
        continue;
      }
      for (auto& info : a)
        if (info.id == *owner) info.tools.push_back(c.name);
    }
    // factors and GWP values serve every agent
    for (auto& info : a) info.tools.insert(info.tools.end(), shared.begin(), shared.end());
    return a;
  }();
  return list;
}

// --- what the person has ------------------------------------------------------------------------------------------

namespace {

bool looks_like_data(const fs::path& p) {
  std::error_code ec;
  for (const char* sub : {"mrio", "lca", "natural", "national"})
    if (fs::is_directory(p / sub, ec)) return true;
  return false;
}

fs::path absolute_normal(const fs::path& p) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? p : a;
}

}  // namespace

fs::path default_data_dir() {
  if (const char* env = std::getenv("PANOCARBON_DATA"); env && *env) return absolute_normal(env);
  std::error_code ec;
  // ../shared/data beside the source tree: the executable lies in <source>/build/bin (or another build folder)
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      if (fs::exists(dir / "include/panocarbon/agents.hpp", ec)) {
        const fs::path shared = dir / ".." / "shared" / "data";
        if (looks_like_data(shared)) return absolute_normal(shared);
        break;
      }
    }
  }
  // run from the source folder (as the registry's examples are): ../shared/data
  const fs::path here = fs::current_path(ec);
  if (!ec && fs::exists(here / "include/panocarbon/agents.hpp", ec) && looks_like_data(here / ".." / "shared" / "data"))
    return absolute_normal(here / ".." / "shared" / "data");
  return {};
}

fs::path default_examples_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path())
      if (fs::exists(dir / "include/panocarbon/agents.hpp", ec)) {
        if (fs::is_directory(dir / "examples", ec)) return absolute_normal(dir / "examples");
        break;
      }
  const fs::path here = fs::current_path(ec);
  if (!ec && fs::exists(here / "include/panocarbon/agents.hpp", ec) && fs::is_directory(here / "examples", ec))
    return absolute_normal(here / "examples");
  return {};
}

Knowledge discover(Store* store, const fs::path& data_dir) {
  Knowledge k;
  k.data_dir = data_dir.empty() ? default_data_dir() : absolute_normal(data_dir);
  k.examples_dir = default_examples_dir();
  if (store) {
    for (const auto& d : store->lca_databases()) k.lca_databases.push_back(d.name);
    std::set<int> years;
    for (const auto& s : store->ledger_sources()) {
      k.ledger_sources.push_back(s.source);
      years.insert(s.years.begin(), s.years.end());
    }
    k.ledger_years.assign(years.begin(), years.end());
  }
  return k;
}

// --- the planner ----------------------------------------------------------------------------------------------

namespace {

// The embedded default ledger (`ledger build --default`): GCB 2019 national series from 1990 to 2018 and the WIOD
// 2013 MRIO accounts 2000-2010 (data/ledger, docs/ledger.md).
constexpr int kDefaultFirstYear = 1990;
constexpr int kDefaultLastYear = 2018;
// The WIOD 2013 release with the JRC CO2 account (../shared/data/mrio/wiod2013-co2/<year>).
constexpr int kWiodFirst = 2000;
constexpr int kWiodLast = 2010;
// The Global Carbon Budget 2019 global series (natural/gcb2019/global-carbon-budget.csv).
constexpr int kGcbFirst = 1959;
constexpr int kGcbLast = 2018;
// Monte Carlo runs of a chat answer: modest draws and a fixed seed, so that an answer repeats.
constexpr int kDraws = 200;
constexpr int kSeed = 1;
constexpr size_t kMaxSteps = 6;  // countries x years of one question

struct Lang {
  bool zh = false;
  std::string operator()(const std::string& en, const std::string& cn) const { return zh ? cn : en; }
};

// Everything recognised in a question.
struct Recognised {
  bool zh = false;
  std::vector<std::string> countries;   // ISO3, in the order of the question
  bool bilateral = false;               // exports from the first country to the second (or imports from it)
  std::string unknown_place;            // words that look like a country name but name none
  bool world = false;                   // "world", "global", 全球, 世界
  std::vector<int> years;
  bool range = false;                   // years[0] .. years[1]
  bool since = false;                   // "since 2000": from years[0]
  bool trend = false;                   // over time, every year, 趋势, 历年
  std::optional<detail::AmountMention> amount;
  std::string database;                 // the database named (as stored when it is stored)
  bool database_stored = false;
  std::string product;                  // as asked
  std::string query;                    // English search words
  std::string untranslated;             // Chinese product words the glossary does not hold
  std::string file;                     // a path named in the question
  std::string factor_id;                // ipcc2006.v2c1.t1_4.natural_gas.co2
  std::string category;                 // an IPCC category code: 1.A.3.b
  std::string gas;                      // CO2, CH4, N2O
  std::string gwp;                      // AR4, AR5, AR6
  // indicators
  bool production = false, consumption = false, imports = false, exports = false, net_transfer = false;
  bool per_capita = false, partners = false, sectors = false, ranking = false, emissions = false;
  // domains
  bool footprint = false, lca = false, study = false, search = false, contributions = false, databases = false;
  bool sink = false, ocean = false, land = false, budget = false, natural_sources = false, methane = false;
  bool fire = false, forest = false, natural = false;
  bool factor = false, gwp_question = false, inventory = false, demo = false, reference = false;
  bool ledger_info = false, help = false;
  bool uncertainty = false, sensitivity = false, morris = false;
  bool top_down = false, bottom_up = false;
  bool gtco2 = false;
  bool english_words = false;  // words left after the entities (the question is more than a reply)
  // industrial processes, CBAM and avoided emissions (issue 15)
  bool cbam = false, cbam_default = false, cbam_compare = false, avoided = false, route_question = false;
  std::string good, good_name_en, good_name_zh;  // the CBAM good: a CN code (as asked, or from the product word)
  std::string good_compare;                      // the code `cbam compare` takes ("" when the word is too general)
  std::string route_file;                        // a shipped route model (relative to examples/process/routes)
  std::string route_name_en, route_name_zh;
  std::optional<double> actual;                  // an actual intensity, t CO2e per t ("2.1 t per t")
  std::optional<double> ets_price;               // EUR per t CO2e ("80 EUR")
  // least-cost abatement on the shipped optimisation models (process optimize, process macc)
  bool optimise = false, macc = false;
  std::string model_file;                        // a shipped model (relative to examples/process/models)
  std::optional<double> cap_t, cap_to_t;         // a cap, or the two ends of a cap sweep, t CO2e
  std::optional<double> step_t;                  // the sweep's step, t CO2e (signed as asked)
  std::optional<double> price_usd;               // a carbon price, USD per t CO2e
  int steps_n = 0;                               // "in 5 steps"

  bool trade_cue() const {
    return production || consumption || imports || exports || net_transfer || per_capita || partners || sectors ||
           ledger_info;
  }
  bool flows() const { return imports || exports; }
  bool natural_cue() const { return sink || ocean || land || budget || natural_sources || methane || fire || forest; }
  bool lca_cue() const { return footprint || lca || study || search || contributions || databases; }
  bool process_cue() const {
    return factor || gwp_question || inventory || demo || reference || !factor_id.empty() || !category.empty();
  }
  bool industry_cue() const { return cbam || avoided || route_question || optimise; }
  // A question of its own (not a reply that fills a slot of the one before).
  bool has_cue() const {
    return trade_cue() || natural_cue() || lca_cue() || process_cue() || industry_cue() || help || ranking ||
           (emissions && (!countries.empty() || world));
  }
};

using Words = std::vector<std::string_view>;

const Words kProduction = {"production-side", "production side", "production-based", "production based",
                           "territorial", "production emissions", "production", "生产侧", "生产端", "基于生产",
                           "生产排放", "领土排放", "国土排放", "领土"};
const Words kConsumption = {"consumption-side", "consumption side", "consumption-based", "consumption based",
                            "consumption", "consumed", "消费侧", "消费端", "基于消费", "消费排放", "消费"};
const Words kImports = {"embodied in imports", "imports", "imported", "import", "进口"};
const Words kExports = {"embodied in exports", "exports", "exported", "export", "出口"};
const Words kNetTransfer = {"net transfer", "net emission transfer", "emission transfer", "emissions transfer",
                            "transfers", "transfer", "net importer", "net exporter", "净转移", "转移排放",
                            "排放转移", "碳转移", "净进口", "净出口"};
const Words kPerCapita = {"per capita", "per-capita", "per person", "per head", "人均"};
const Words kPartners = {"trade partner", "trading partner", "partners", "partner", "贸易伙伴", "伙伴"};
const Words kSectors = {"sectors", "sector", "industries", "industry", "部门", "行业", "产业"};
const Words kRanking = {"which country", "which countries", "largest", "biggest", "highest", "lowest", "smallest",
                        "top ", "rank", "ranking", "every country", "all countries", "哪个国家", "哪些国家",
                        "最大", "最多", "最高", "最低", "排名", "排行", "前十", "所有国家", "各国"};
const Words kEmissions = {"emission*", "co2", "carbon dioxide", "carbon", "排放", "二氧化碳", "碳排"};
const Words kFootprint = {"carbon footprint", "footprint", "碳足迹", "足迹"};
const Words kLca = {"life cycle", "life-cycle", "lifecycle", "lca", "cradle-to-gate", "cradle to gate",
                    "cradle-to-grave", "生命周期", "全生命周期"};
const Words kStudy = {"footprint study", "study", "iso 14067", "pcf", "碳足迹研究", "足迹研究", "研究", "碳足迹评价",
                      "碳足迹报告"};
const Words kSearch = {"search", "look up", "find process", "find the process", "which process", "搜索", "查找",
                       "检索", "哪些过程", "找一下"};
const Words kContributions = {"contribut*", "dominate*", "hotspot*", "hot spot*", "breakdown", "贡献", "热点",
                               "主要来源"};
const Words kDatabases = {"which databases", "what databases", "databases are", "databases do", "list databases",
                          "lca databases", "哪些数据库", "什么数据库", "数据库列表", "有哪些lca数据库"};
const Words kSink = {"carbon sink", "sinks", "sink", "removals", "removal", "absorb*", "uptake", "碳汇", "吸收"};
const Words kOcean = {"ocean sink", "ocean", "海洋"};
const Words kLand = {"land sink", "terrestrial sink", "land-use change", "land use change", "陆地", "土地利用"};
const Words kBudget = {"carbon budget", "global carbon budget", "budget imbalance", "atmospheric growth", "gcb",
                       "碳收支", "碳预算", "全球碳计划", "大气增长"};
const Words kNaturalSources = {"natural source", "natural emission", "自然源", "天然源", "自然排放"};
const Words kMethane = {"methane", "ch4", "wetland*", "termite*", "甲烷", "湿地"};
const Words kFire = {"fire", "fires", "wildfire", "wildfires", "burned area", "area burned", "火灾", "野火", "林火",
                     "火烧", "过火"};
const Words kForest = {"forest*", "afolu", "森林", "林地"};
const Words kNatural = {"natural", "自然", "天然"};
const Words kFactor = {"emission factors", "emission factor", "emissions factors", "emissions factor", "factors",
                       "factor", "排放因子", "排放系数", "因子"};
const Words kGwp = {"global warming potential", "gwp*", "全球增温潜势", "全球变暖潜势", "全球变暖潜能", "增温潜势",
                    "gwp值"};
const Words kInventory = {"inventory", "inventories", "ipcc category", "ipcc categories", "清单", "ipcc类别",
                          "ipcc 类别", "类别"};
const Words kDemo = {"demo", "example inventory", "sample inventory", "演示", "示例清单", "示例"};
const Words kReference = {"reference approach", "参考方法"};
const Words kLedgerInfo = {"ledger hold", "ledger contain", "in the ledger", "ledger info", "账本", "台账"};
const Words kHelp = {"what can you", "what do you", "help", "what questions", "你能做什么", "能回答什么", "你会什么",
                     "帮助", "能问什么", "可以问什么"};
const Words kUncertainty = {"uncertain*", "confidence", "95%", "95 %", "95 per cent", "95 percent", "range",
                            "error bar", "monte carlo", "percentile", "how sure", "how reliable", "不确定",
                            "置信", "区间", "误差", "蒙特卡洛", "蒙特卡罗", "可靠"};
const Words kSensitivity = {"sensitivity", "sensitive", "sobol", "morris", "matter most", "most influential",
                             "most important parameter*", "敏感性", "灵敏度", "敏感", "关键参数", "最重要的参数"};
const Words kTrend = {"trend", "over time", "every year", "each year", "time series", "history", "趋势", "历年",
                      "每年", "变化", "历史", "逐年"};
const Words kRangeJoin = {"-", "to", "until", "through", "and", "~", "到", "至"};
const Words kSince = {"since", "自", "以来"};
const Words kWorld = {"the world", "world", "global", "globally", "全球", "世界"};

// Known LCA databases by the words people use for them (the stored names come first).
struct DbWord {
  std::string_view word;
  std::string_view name;
};
const std::vector<DbWord> kDbWords = {{"美国生命周期清单数据库", "uslci"}, {"美国生命周期清单", "uslci"},
                                      {"us lci", "uslci"}, {"uslci", "uslci"}, {"ecoinvent", "ecoinvent"},
                                      {"elcd", "elcd"}, {"agribalyse", "agribalyse"}, {"gabi", "gabi"}};

// --- industrial processes, CBAM and avoided emissions (issue 15) ----------------------------------------------

const Words kCbam = {"cbam", "carbon border", "border adjustment", "border carbon", "碳边境", "碳关税", "边境调节",
                     "边境碳"};
const Words kCbamCompare = {"compare", "comparison", "compared", "versus", "vs", "against", "actual", "比较", "对比",
                            "相比", "实际"};
const Words kAvoidedStrong = {"avoided emission*", "avoided co2", "avoided carbon", "emissions avoided", "co2 avoided",
                              "avoided-emission*", "避免排放", "避免的排放", "避免的碳排放", "避免的二氧化碳", "减排效益"};
const Words kAvoidedWeak = {"avoid*", "displace*", "payback", "pay back", "避免", "减少", "减排", "回收期", "抵消"};
const Words kCleanTech = {"solar", "pv", "photovoltaic*", "wind", "turbine*", "module*", "panel*", "clean-energy",
                          "clean energy", "renewable*", "光伏", "风电", "风机", "太阳能", "组件", "风力", "清洁能源",
                          "新能源"};
const Words kRouteWords = {"route", "routes", "process route", "pathway", "bf-bof", "bf/bof", "blast furnace",
                           "basic oxygen", "eaf", "electric arc", "dri", "direct reduc*", "smr", "steam methane",
                           "steam reforming", "electroly*", "gasification", "kiln", "prebake", "工艺", "路线", "流程",
                           "高炉", "转炉", "电弧炉", "电炉", "直接还原", "电解", "煤气化", "回转窑"};
const Words kPerTonne = {"per tonne", "per ton", "per metric ton", "each tonne", "every tonne", "intensity", "每吨",
                         "吨钢", "单位产品", "强度"};
const Words kCcs = {"ccs", "ccus", "carbon capture", "capture", "碳捕集", "碳捕获"};
const Words kCoal = {"coal", "煤"};
const Words kGas = {"natural gas", "gas", "天然气", "燃气"};
const Words kElectrolytic = {"electroly*", "green", "renewable", "电解", "绿氢", "绿氨", "绿色"};

// A CBAM good by the words people use: the code `cbam defaults --good` lists (a heading and its sub-codes) and the
// code `cbam compare` takes (empty where the word names too many goods to pick one: "steel", "aluminium").
struct GoodWord {
  Words words;
  const char* code;
  const char* compare;
  const char* en;
  const char* zh;
};
const std::vector<GoodWord> kGoods = {
    {{"ammonium nitrate", "硝酸铵"}, "31023090", "31023090", "ammonium nitrate", "硝酸铵"},
    {{"nitric acid", "硝酸"}, "28080000", "28080000", "nitric acid", "硝酸"},
    {{"hot-rolled", "hot rolled", "热轧"}, "7208", "7208", "hot-rolled flat steel", "热轧钢材"},
    {{"cold-rolled", "cold rolled", "冷轧"}, "7209", "7209", "cold-rolled flat steel", "冷轧钢材"},
    {{"rebar*", "reinforcing bar*", "钢筋"}, "72142000", "72142000", "rebar", "钢筋"},
    {{"pig iron", "生铁"}, "7201", "7201", "pig iron", "生铁"},
    {{"ferro-nickel", "ferronickel", "ferro nickel", "镍铁"}, "72026000", "72026000", "ferro-nickel", "镍铁"},
    {{"clinker", "熟料"}, "252310", "2523100090", "cement clinker", "水泥熟料"},
    {{"cement", "水泥"}, "2523", "25232900", "cement", "水泥"},
    {{"unwrought aluminium", "unwrought aluminum", "primary aluminium", "primary aluminum", "原铝", "电解铝"}, "7601",
     "7601", "unwrought aluminium", "原铝"},
    {{"aluminium", "aluminum", "铝"}, "76", "", "aluminium", "铝"},
    {{"urea", "尿素"}, "310210", "31021019", "urea", "尿素"},
    {{"ammonia", "合成氨", "氨"}, "28141000", "28141000", "ammonia", "合成氨"},
    {{"hydrogen", "氢气", "氢"}, "28041000", "28041000", "hydrogen", "氢气"},
    {{"steel", "钢材", "钢铁", "钢"}, "72", "", "iron and steel", "钢铁"},
};

// A CN code written in the question: 4, 6, 8 or 10 digits, also in groups ("2523 29 00"); a 4-digit year is none.
std::string find_cn_code(const std::string& lower) {
  for (size_t i = 0; i < lower.size(); ++i) {
    if (!(lower[i] >= '0' && lower[i] <= '9') || (i > 0 && (detail::is_word_byte(lower[i - 1]) || lower[i - 1] == '.')))
      continue;
    std::string digits;
    size_t j = i;
    while (j < lower.size() && lower[j] >= '0' && lower[j] <= '9') digits += lower[j++];
    // groups of two digits after a space: 2523 29 00
    auto digit = [&](size_t k) { return k < lower.size() && lower[k] >= '0' && lower[k] <= '9'; };
    while (digits.size() >= 4 && digits.size() < 10 && j < lower.size() && lower[j] == ' ' && digit(j + 1) &&
           digit(j + 2) && (j + 3 >= lower.size() || !detail::is_word_byte(lower[j + 3]))) {
      digits += lower.substr(j + 1, 2);
      j += 3;
    }
    const bool decimal = j + 1 < lower.size() && lower[j] == '.' && lower[j + 1] >= '0' && lower[j + 1] <= '9';
    const size_t n = digits.size();
    if (!decimal && (n == 4 || n == 6 || n == 8 || n == 10) && !(j < lower.size() && detail::is_word_byte(lower[j]))) {
      const int head = std::stoi(digits.substr(0, 4));
      if (!(n == 4 && head >= 1750 && head <= 2100)) return digits;
    }
    i = j;
  }
  return {};
}

// An EU ETS price: a number before EUR, euro(s), € or 欧元, or after € or EUR.
std::optional<double> find_price(const std::string& lower) {
  for (const std::string_view w : {std::string_view("欧元"), std::string_view("euros"), std::string_view("euro"),
                                   std::string_view("eur"), std::string_view("\xE2\x82\xAC")}) {
    for (size_t p = detail::find_keyword(lower, w); p != std::string::npos; p = detail::find_keyword(lower, w, p + 1)) {
      size_t e = p;
      while (e > 0 && lower[e - 1] == ' ') --e;
      size_t b = e;
      while (b > 0 && ((lower[b - 1] >= '0' && lower[b - 1] <= '9') || lower[b - 1] == '.')) --b;
      std::string num = lower.substr(b, e - b);
      if (num.empty()) {  // "EUR 80", "€80"
        size_t a = p + w.size();
        while (a < lower.size() && lower[a] == ' ') ++a;
        size_t z = a;
        while (z < lower.size() && ((lower[z] >= '0' && lower[z] <= '9') || lower[z] == '.')) ++z;
        num = lower.substr(a, z - a);
      }
      double v = 0;
      if (!num.empty() && num.front() != '.' && io::parse_double(num, v) && v >= 0) return v;
    }
  }
  return std::nullopt;
}

// An actual intensity written as a ratio: "1.2 t/t", "1.9 t CO2e/t", "1.9 t CO2/t", "2.0吨/吨" (a plain amount in t,
// "2.1 t per t", is read by find_amount).
std::optional<double> find_ratio(const std::string& lower) {
  for (size_t i = 0; i < lower.size(); ++i) {
    if (!(lower[i] >= '0' && lower[i] <= '9') || (i > 0 && (detail::is_word_byte(lower[i - 1]) || lower[i - 1] == '.')))
      continue;
    size_t j = i;
    while (j < lower.size() && ((lower[j] >= '0' && lower[j] <= '9') || lower[j] == '.')) ++j;
    const std::string num = lower.substr(i, j - i);
    size_t k = j;
    while (k < lower.size() && lower[k] == ' ') ++k;
    for (const std::string_view unit : {std::string_view("t/t"), std::string_view("t co2e/t"), std::string_view("t co2/t"),
                                        std::string_view("tco2e/t"), std::string_view("tco2/t"),
                                        std::string_view("吨/吨")})
      if (lower.compare(k, unit.size(), unit) == 0) {
        double v = 0;
        if (io::parse_double(num, v) && v >= 0) return v;
      }
    i = j;
  }
  return std::nullopt;
}

// --- least-cost abatement: process optimize and process macc on the shipped models (docs/process.md) ---------

const Words kOptStrong = {"abatement cost*", "marginal abatement", "macc", "abatement curve", "cost curve",
                          "least-cost", "least cost", "cheapest", "lowest cost", "pay for themselves",
                          "pays for itself", "abatement measure*", "边际减排", "减排成本", "成本曲线", "最低成本",
                          "成本最低", "最便宜", "最经济", "减排措施", "收回成本"};
const Words kOptWeak = {"cap", "caps", "capping", "capped", "optimi*", "carbon price", "emit less", "cost*",
                        "measure*", "price*", "usd", "dollar*", "上限", "封顶", "限额", "优化", "碳价", "价格", "美元", "成本",
                        "措施"};
const Words kModelWords = {"model", "models", "模型", "steel-two-regions", "cement-clinker-ratio",
                           "measures-steel-plant", "steel plant", "steel-plant", "钢厂"};
const Words kCurveWords = {"curve", "macc", "sweep", "曲线"};

// The shipped model a question names (examples/process/models/<file>); empty when it names none.
std::string model_of(const std::string& L) {
  if (has_any(L, {"measures-steel-plant", "measure*", "steel plant", "steel-plant", "pay for themselves",
                  "pays for itself", "措施", "钢厂"}))
    return "measures-steel-plant.csv";
  if (has_any(L, {"cement-clinker-ratio", "cement", "clinker", "水泥", "熟料"})) return "cement-clinker-ratio.json";
  if (has_any(L, {"steel-two-regions", "steel", "钢"})) return "steel-two-regions.json";
  return {};
}

// The numbers of a least-cost question: tonnages (caps, a sweep's ends and step) in t CO2e, a carbon price in USD
// per t, a number of steps. A tonnage has a unit (Gt, Mt, kt, t, 亿吨, 万吨) or is written in scientific notation
// (44e9 t); the first end of a range takes the unit of the second ("from 46 to 42 Gt", "46到42 Gt").
struct OptNumber {
  double value = 0;
  double unit = 0;  // t per unit written; 0 when none
  size_t begin = 0, end = 0;
  bool price = false, count = false, step = false, scientific = false;
};
void read_opt_numbers(Recognised& r, const std::string& L) {
  auto digit = [&](size_t k) { return k < L.size() && L[k] >= '0' && L[k] <= '9'; };
  auto at = [&](size_t k, std::string_view w) {
    if (L.compare(k, w.size(), w) != 0) return false;
    const size_t e = k + w.size();
    return !detail::is_word_byte(w.back()) || e >= L.size() || !detail::is_word_byte(L[e]);
  };
  auto skip = [&](size_t k) {
    while (k < L.size() && L[k] == ' ') ++k;
    return k;
  };
  std::vector<OptNumber> nums;
  for (size_t i = 0; i < L.size(); ++i) {
    if (!digit(i) || (i > 0 && (detail::is_word_byte(L[i - 1]) || L[i - 1] == '.' || L[i - 1] == '-'))) continue;
    OptNumber n;
    n.begin = i;
    std::string text;
    size_t j = i;
    while (digit(j) || (L[j] == ',' && digit(j + 1) && digit(j + 2) && digit(j + 3) && !digit(j + 4)) ||
           (L[j] == '.' && digit(j + 1))) {
      if (L[j] != ',') text += L[j];
      ++j;
    }
    if (j < L.size() && L[j] == 'e' && (digit(j + 1) || ((L[j + 1] == '+' || L[j + 1] == '-') && digit(j + 2)))) {
      text += L[j++];
      if (L[j] == '+' || L[j] == '-') text += L[j++];
      while (digit(j)) text += L[j++];
      n.scientific = true;
    }
    if (j < L.size() && detail::is_word_byte(L[j]) && !n.scientific &&
        !(L.compare(j, 2, "gt") == 0 || L.compare(j, 2, "mt") == 0 || L.compare(j, 2, "kt") == 0 ||
          L.compare(j, 3, "usd") == 0 ||
          (L[j] == 't' && (j + 1 >= L.size() || !detail::is_word_byte(L[j + 1]))))) {
      while (j < L.size() && detail::is_word_byte(L[j])) ++j;  // a word with digits: co2e, 2030s
      i = j;
      continue;
    }
    if (!io::parse_double(text, n.value) || !std::isfinite(n.value)) {
      i = j;
      continue;
    }
    n.price = i > 0 && (L[i - 1] == '$' || (i >= 2 && L.compare(i - 2, 2, "$ ") == 0));
    const size_t k = skip(j);
    size_t e = j;
    static const std::vector<std::pair<std::string_view, double>> units = {
        {"gt", 1e9}, {"mt", 1e6}, {"kt", 1e3}, {"billion tonnes", 1e9}, {"billion t", 1e9},
        {"million tonnes", 1e6}, {"million t", 1e6}, {"tonnes", 1}, {"tonne", 1}, {"tons", 1}, {"ton", 1},
        {"t", 1}, {"亿吨", 1e8}, {"万吨", 1e4}, {"吨", 1}};
    for (const auto& [w, f] : units)
      if (at(k, w)) {
        n.unit = f;
        e = k + w.size();
        break;
      }
    for (const std::string_view w : {"usd", "us$", "dollars", "dollar", "美元"})
      if (at(k, w)) n.price = true, e = k + w.size();
    for (const std::string_view w : {"steps", "步"})
      if (at(k, w)) n.count = true;
    for (const std::string_view w : {"step of", "steps of", "step", "步长", "每步", "间隔"}) {
      size_t b = i;
      while (b > 0 && L[b - 1] == ' ') --b;
      if (b >= w.size() && L.compare(b - w.size(), w.size(), w) == 0) n.step = true;
    }
    if (n.scientific && n.unit == 0 && !n.price) n.unit = 1;  // 44e9: tonnes
    n.end = e;
    nums.push_back(n);
    i = std::max(j, e);
  }
  // a range's first end takes the second's unit
  for (size_t a = 0; a + 1 < nums.size(); ++a) {
    if (nums[a].unit != 0 || nums[a].price || nums[a + 1].unit == 0) continue;
    std::string between = L.substr(nums[a].end, nums[a + 1].begin - nums[a].end);
    std::string b;
    for (char c : between)
      if (c != ' ') b += c;
    if (b == "to" || b == "到" || b == "至" || b == "-" || b == "\xE2\x80\x93" || b == "and" || b == "down" ||
        b == "downto")
      nums[a].unit = nums[a + 1].unit;
  }
  std::vector<double> tonnages;
  for (const auto& n : nums) {
    if (n.count && n.value >= 1 && n.value <= 50) {
      r.steps_n = static_cast<int>(n.value);
    } else if (n.price) {
      r.price_usd = n.value;
    } else if (n.unit != 0 && n.step) {
      r.step_t = n.value * n.unit;
    } else if (n.unit != 0) {
      tonnages.push_back(n.value * n.unit);
    } else if (!r.price_usd && !(n.value >= 1900 && n.value <= 2100 && n.end - n.begin == 4) &&
               has_any(L, {"carbon price", "碳价", "price"})) {
      // "a carbon price of 50": a bare number after the price words
      const size_t p = detail::find_any(L, {"carbon price", "碳价", "price"}).first;
      if (p != std::string::npos && p < n.begin && n.begin - p < 24) r.price_usd = n.value;
    }
  }
  if (!tonnages.empty()) r.cap_t = tonnages[0];
  if (tonnages.size() >= 2) r.cap_to_t = tonnages[1];
}

// The shipped route model a question names (examples/process/routes/<file>), with its name in both languages;
// empty when the question names no product of one, or a product with several routes and no technology.
struct RouteChoice {
  std::string file, en, zh;
};
RouteChoice route_of(const std::string& L) {
  const bool ccs = has_any(L, kCcs), coal = has_any(L, kCoal), gas = has_any(L, kGas),
             electrolytic = has_any(L, kElectrolytic);
  if (has_any(L, {"h2-dri", "h2 dri", "hydrogen dri", "hydrogen-based dri", "hydrogen direct reduc*", "hydrogen-based direct reduc*",
                  "氢基直接还原", "氢直接还原", "氢冶金"}))
    return {"steel-dri-h2-eaf.json", "hydrogen DRI-EAF steel", "氢基直接还原-电弧炉炼钢"};
  if (has_any(L, {"gas-dri", "gas dri", "dri", "direct reduc*", "直接还原"}))
    return {"steel-dri-gas-eaf.json", "gas DRI-EAF steel", "天然气直接还原-电弧炉炼钢"};
  if (has_any(L, {"scrap", "废钢"}) || (has_any(L, {"eaf", "electric arc", "电弧炉", "电炉", "短流程"})))
    return {"steel-scrap-eaf.json", "scrap EAF steel", "废钢电弧炉炼钢"};
  const bool bf = has_any(L, {"bf-bof", "bf/bof", "bf bof", "blast furnace", "basic oxygen", "高炉", "转炉", "长流程"});
  if (bf && has_any(L, {"hot-rolled", "hot rolled", "热轧"}))
    return {"steel-hot-rolled-bf-bof.json", "hot-rolled steel from BF-BOF", "高炉-转炉热轧钢材"};
  if (bf && ccs) return {"steel-bf-bof-ccs.json", "BF-BOF steel with CCS", "高炉-转炉炼钢(碳捕集)"};
  if (has_any(L, {"pig iron", "生铁"})) return {"iron-pig-iron-bf.json", "pig iron from the blast furnace", "高炉生铁"};
  if (bf) return {"steel-bf-bof.json", "BF-BOF steel", "高炉-转炉炼钢"};
  if (has_any(L, {"clinker", "熟料"})) {
    if (ccs) return {"cement-clinker-coal-ccs.json", "clinker from a coal kiln with CCS", "燃煤窑熟料(碳捕集)"};
    if (gas) return {"cement-clinker-gas.json", "clinker from a gas kiln", "燃气窑熟料"};
    return {"cement-clinker-coal.json", "clinker from a coal kiln", "燃煤窑熟料"};
  }
  if (has_any(L, {"cement", "水泥"})) {
    if (ccs) return {"cement-portland-coal-ccs.json", "Portland cement, coal kiln with CCS", "硅酸盐水泥(燃煤窑,碳捕集)"};
    if (gas) return {"cement-portland-gas.json", "Portland cement, gas kiln", "硅酸盐水泥(燃气窑)"};
    return {"cement-portland-coal.json", "Portland cement, coal kiln", "硅酸盐水泥(燃煤窑)"};
  }
  if (has_any(L, {"aluminium", "aluminum", "铝"}))
    return {"aluminium-primary-prebake.json", "primary aluminium (prebake electrolysis)", "原铝(预焙阳极电解)"};
  if (has_any(L, {"urea", "尿素"})) return {"urea-gas.json", "urea from natural gas", "天然气制尿素"};
  if (has_any(L, {"ammonia", "合成氨", "氨"})) {
    if (coal) return {"ammonia-coal-gasification.json", "ammonia from coal gasification", "煤气化制合成氨"};
    if (electrolytic) return {"ammonia-electrolytic.json", "ammonia from electrolytic hydrogen", "电解氢制合成氨"};
    return {"ammonia-gas-smr.json", "ammonia from natural gas (SMR)", "天然气(蒸汽重整)制合成氨"};
  }
  if (has_any(L, {"hydrogen", "氢气", "制氢", "氢"})) {
    if (coal) return {"hydrogen-coal-gasification.json", "hydrogen from coal gasification", "煤气化制氢"};
    if (electrolytic) return {"hydrogen-electrolysis.json", "hydrogen from electrolysis", "电解水制氢"};
    if (ccs) return {"hydrogen-gas-smr-ccs.json", "hydrogen from gas SMR with CCS", "天然气重整制氢(碳捕集)"};
    return {"hydrogen-gas-smr.json", "hydrogen from natural gas (SMR)", "天然气蒸汽重整制氢"};
  }
  return {};
}

// A product of the shipped routes named without its technology ("steel"): the planner asks which route.
bool names_route_product(const std::string& L) {
  return has_any(L, {"steel", "钢", "cement", "水泥", "clinker", "熟料", "aluminium", "aluminum", "铝", "ammonia",
                     "氨", "urea", "尿素", "hydrogen", "氢", "pig iron", "生铁"});
}

std::string join_years(const std::vector<int>& years) {
  std::vector<std::string> spans;
  for (size_t i = 0; i < years.size();) {
    size_t j = i;
    while (j + 1 < years.size() && years[j + 1] == years[j] + 1) ++j;
    spans.push_back(i == j ? std::to_string(years[i]) : fmt::format("{}-{}", years[i], years[j]));
    i = j + 1;
  }
  return fmt::format("{}", fmt::join(spans, ", "));
}

// A path named in the question: a run of path characters holding '/' or ending in a known extension.
std::string find_path(const std::string& text) {
  auto path_char = [](char c) {
    return detail::is_word_byte(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~';
  };
  static const std::vector<std::string> exts = {".csv", ".json", ".xlsx", ".h5", ".hdf5", ".nc", ".tif", ".tiff",
                                                ".zip", ".spold", ".txt"};
  for (size_t i = 0; i < text.size();) {
    if (!path_char(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && path_char(text[j])) ++j;
    std::string tok = text.substr(i, j - i);
    while (!tok.empty() && (tok.back() == '.' || tok.back() == '-')) tok.pop_back();
    const std::string low = detail::ascii_lower(tok);
    const bool ext = std::any_of(exts.begin(), exts.end(), [&](const std::string& e) {
      return low.size() > e.size() && low.compare(low.size() - e.size(), e.size(), e) == 0;
    });
    const bool slash = tok.find('/') != std::string::npos && tok.size() > 2 &&
                       std::any_of(tok.begin(), tok.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
    // a unit ratio: two short words around one slash, no dot ("t/t", "kg/t", "g/kwh", "co2e/t")
    const size_t slash_at = tok.find('/');
    const bool ratio = slash_at != std::string::npos && tok.find('/', slash_at + 1) == std::string::npos &&
                       tok.find('.') == std::string::npos && slash_at <= 5 && tok.size() - slash_at - 1 <= 5;
    // "1.A.3" is a category code, "t/a" a unit: neither is a path
    if (ext || (slash && !ratio && tok.find(' ') == std::string::npos && tok != "t/a" &&
                tok.find("/y") != tok.size() - 2))
      return tok;
    i = j;
  }
  return {};
}

// A factor id of the library: lower-case words joined by dots, three parts or more (ipcc2006.v2c1.t1_4.diesel.co2).
std::string find_factor_id(const std::string& lower) {
  for (size_t i = 0; i < lower.size(); ++i) {
    if (!(lower[i] >= 'a' && lower[i] <= 'z') || (i > 0 && detail::is_word_byte(lower[i - 1]))) continue;
    size_t j = i, dots = 0;
    while (j < lower.size() && (detail::is_word_byte(lower[j]) || lower[j] == '_' ||
                                (lower[j] == '.' && j + 1 < lower.size() && detail::is_word_byte(lower[j + 1])))) {
      if (lower[j] == '.') ++dots;
      ++j;
    }
    if (dots >= 2 && lower.compare(i, 4, "ipcc") == 0) return lower.substr(i, j - i);
    i = j;
  }
  return {};
}

// An IPCC 2006 category code: 1, 1.A, 1.A.3, 1.A.3.b, 1.A.3.b.i (with a letter after the first dot).
std::string find_category(const std::string& text) {
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    if (!(text[i] >= '1' && text[i] <= '5') || text[i + 1] != '.' || !(text[i + 2] >= 'A' && text[i + 2] <= 'H'))
      continue;
    if (i > 0 && (detail::is_word_byte(text[i - 1]) || text[i - 1] == '.')) continue;
    size_t j = i + 3;
    while (j + 1 < text.size() && text[j] == '.' && detail::is_word_byte(text[j + 1])) {
      j += 1;
      while (j < text.size() && detail::is_word_byte(text[j])) ++j;
    }
    if (j < text.size() && detail::is_word_byte(text[j])) continue;
    return text.substr(i, j - i);
  }
  return {};
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == ',')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == ',')) s.pop_back();
  return s;
}

// The English product words of an LCA question: after "footprint of", "emissions of producing", ... up to "in",
// "from", "and", punctuation; articles, "producing" and trailing "production" dropped.
std::string english_product(const std::string& lower) {
  static const Words markers = {"emission factors of", "emission factor of", "emission factors for",
                                "emission factor for", "factors of", "factor of", "factors for", "factor for",
                                "carbon footprint of", "carbon footprint for", "footprint of", "footprint for",
                                "life cycle impact of", "life cycle emissions of", "life-cycle emissions of",
                                "life cycle assessment of", "life cycle assessment for", "lca of", "lca for",
                                "impact of", "impacts of", "emissions of", "emissions from", "gwp of", "co2e of",
                                "co2 of", "study of", "study for", "study on", "search for", "search", "look up",
                                "processes for", "process for", "contribute to", "contributions to", "for making",
                                "for producing", "producing", "making", "manufacturing", "find"};
  size_t start = std::string::npos;
  for (const auto& m : markers) {
    const size_t p = detail::find_keyword(lower, m);
    if (p != std::string::npos) {
      start = p + m.size();
      break;
    }
  }
  if (start == std::string::npos) return {};
  static const std::set<std::string, std::less<>> lead = {"of", "a", "an", "the", "one", "some", "producing",
                                                          "making", "manufacturing", "for", "to", "product", "in"};
  static const std::set<std::string, std::less<>> tail = {"production", "manufacturing", "manufacture", "produced",
                                                          "made", "product", "products", "the", "combustion",
                                                          "burning", "use"};
  static const std::set<std::string, std::less<>> stops = {"in",   "from", "using", "with", "according", "and",
                                                           "per",  "under", "based", "by",  "at",        "within",
                                                           "for",  "its",  "what",  "how",  "is",        "was",
                                                           "are",  "that", "when",  "if",   "as",        "via",
                                                           "over", "do",   "does",  "please"};
  // words up to a stop word or punctuation, after the leading articles and prepositions
  std::vector<std::string> words;
  std::string w;
  bool leading = true;
  for (size_t i = start; i <= lower.size(); ++i) {
    const char c = i < lower.size() ? lower[i] : ' ';
    const bool punct = c == '?' || c == ',' || c == ';' || c == '!' || c == '(' || c == ':' ||
                       static_cast<unsigned char>(c) >= 0x80 ||
                       (c == '.' && (i + 1 >= lower.size() || lower[i + 1] == ' '));
    if (c == ' ' || punct) {
      if (!w.empty()) {
        if (leading && lead.count(w)) {
          w.clear();
          if (punct) break;
          continue;
        }
        if (stops.count(w)) break;
        leading = false;
        words.push_back(w);
        w.clear();
      }
      if (punct) break;
    } else {
      w.push_back(c);
    }
  }
  while (!words.empty() && lead.count(words.front())) words.erase(words.begin());
  while (!words.empty() && tail.count(words.back())) words.pop_back();
  std::string out;
  for (const auto& x : words) out += (out.empty() ? "" : " ") + x;
  return out;
}

// The Chinese words before 的碳足迹 / 碳足迹 / 的生命周期 (for the question back when the glossary lacks them).
std::string chinese_product(const std::string& lower) {
  static const Words anchors = {"的产品碳足迹", "产品碳足迹", "的碳足迹", "碳足迹", "的足迹", "的生命周期", "生命周期"};
  const auto [p, n] = detail::find_any(lower, anchors);
  (void)n;
  if (p == std::string::npos) return {};
  size_t b = p;
  // walk back over CJK characters (3 bytes each in UTF-8)
  while (b >= 3) {
    const auto c = static_cast<unsigned char>(lower[b - 3]);
    if (c < 0xE3 || c > 0xE9) break;
    b -= 3;
  }
  std::string s = lower.substr(b, p - b);
  static const std::vector<std::string> drop = {"做一个", "做一份", "请计算", "计算", "一个", "关于", "请", "求",
                                                "中", "里", "在", "的", "是", "了", "做", "年", "用"};
  bool again = true;
  while (again) {
    again = false;
    for (const auto& d : drop)
      if (s.rfind(d, 0) == 0) {
        s = s.substr(d.size());
        again = true;
      }
  }
  while (s.size() >= 3 && s.compare(s.size() - 3, 3, "的") == 0) s.resize(s.size() - 3);
  return s;
}

// The CBAM good a text names: a CN code, else a product word (kGoods); nothing changes when it names none.
void read_good(Recognised& r, const std::string& L) {
  const std::string code = find_cn_code(L);
  if (!code.empty()) {
    r.good = r.good_compare = code;
    r.good_name_en.clear();
    r.good_name_zh.clear();
    return;
  }
  for (const auto& g : kGoods)
    if (has_any(L, g.words)) {
      r.good = g.code;
      r.good_compare = g.compare;
      r.good_name_en = g.en;
      r.good_name_zh = g.zh;
      return;
    }
}

Recognised recognise(const std::string& question, const Knowledge& k) {
  Recognised r;
  Text t(question);
  r.zh = detail::has_cjk(t.text);
  const std::string& L = t.lower;

  // paths and codes first: they hold dots and digits the other rules would read
  r.file = find_path(t.text);
  if (!r.file.empty()) {
    const size_t p = t.text.find(r.file);
    if (p != std::string::npos) t.claim(p, r.file.size());
  }
  r.factor_id = find_factor_id(L);
  if (!r.factor_id.empty()) t.claim(L.find(r.factor_id), r.factor_id.size());
  r.category = find_category(t.text);
  if (!r.category.empty()) t.claim(t.text.find(r.category), r.category.size());

  // databases: the stored names, then the words people use
  for (const auto& name : k.lca_databases) {
    const std::string low = detail::ascii_lower(name);
    const size_t p = detail::find_keyword(L, low);
    if (p != std::string::npos) {
      r.database = name;
      r.database_stored = true;
      t.claim(p, low.size());
      break;
    }
  }
  if (r.database.empty())
    for (const auto& d : kDbWords) {
      const size_t p = detail::find_keyword(L, d.word);
      if (p == std::string::npos) continue;
      t.claim(p, d.word.size());
      r.database = std::string(d.name);
      // a stored database of that family: uslci-jsonld for "USLCI"
      for (const auto& name : k.lca_databases)
        if (detail::ascii_lower(name).rfind(d.name, 0) == 0) {
          r.database = name;
          r.database_stored = true;
          break;
        }
      break;
    }

  // GWP sets and gases
  static const std::vector<std::pair<Words, std::string>> sets = {
      {{"ar4", "fourth assessment", "第四次评估"}, "AR4"},
      {{"ar5", "fifth assessment", "第五次评估"}, "AR5"},
      {{"ar6", "sixth assessment", "第六次评估"}, "AR6"}};
  for (const auto& [words, set] : sets) {
    const auto [p, n] = detail::find_any(L, words);
    if (p != std::string::npos) {
      r.gwp = set;
      t.claim(p, n);
      break;
    }
  }
  static const std::vector<std::pair<Words, std::string>> gases = {
      {{"ch4", "methane", "甲烷"}, "CH4"},
      {{"n2o", "nitrous oxide", "氧化亚氮", "一氧化二氮"}, "N2O"},
      {{"sf6", "sulphur hexafluoride", "sulfur hexafluoride", "六氟化硫"}, "SF6"},
      {{"co2", "carbon dioxide", "二氧化碳"}, "CO2"}};
  for (const auto& [words, gas] : gases)
    if (has_any(L, words)) {
      r.gas = gas;
      break;
    }

  // amounts before years ("2000 kg" is an amount), then years
  r.amount = detail::find_amount(t);
  if (r.amount) t.claim(r.amount->pos, r.amount->len);
  const auto years = detail::find_years(t);
  for (const auto& y : years) r.years.push_back(y.year);
  if (years.size() >= 2) {
    const std::string between = L.substr(years[0].pos + 4, years[1].pos - years[0].pos - 4);
    std::string b = between;
    for (const char* w : {"年", " ", "from", "between"}) {
      for (size_t p = b.find(w); p != std::string::npos; p = b.find(w)) b.erase(p, std::string_view(w).size());
    }
    for (const auto& j : kRangeJoin)
      if (b == j) r.range = true;
    // "2000 and 2010" is two years; "between 2000 and 2010" a span
    if (b == "and" && L.rfind("between", years[0].pos) == std::string::npos) r.range = false;
    if (r.range && r.years[1] < r.years[0]) std::swap(r.years[0], r.years[1]);
    if (r.range) r.years.resize(2);
  }
  if (!years.empty() && has_any(L, kSince)) r.since = years.size() == 1;
  for (const auto& y : years) t.claim(y.pos, y.len);
  r.trend = has_any(L, kTrend);

  // countries (after the databases: 美国生命周期清单 is USLCI, not the USA)
  const auto mentions = detail::Countries::get().find(t);
  for (const auto& c : mentions) {
    if (std::find(r.countries.begin(), r.countries.end(), c.code) == r.countries.end()) r.countries.push_back(c.code);
    t.claim(c.pos, c.len);
  }
  // "China's exports to the USA", "US imports from China", 中国向美国出口: a trade partner of the first
  if (r.countries.size() == 2 && mentions.size() == 2) {
    const std::string between = L.substr(mentions[0].pos + mentions[0].len,
                                         mentions[1].pos - mentions[0].pos - mentions[0].len);
    r.bilateral = has_any(between, {"to", "from", "into", "向", "对", "从", "到", "自"});
  }
  r.world = has_any(L, kWorld);

  // cues
  r.production = has_any(L, kProduction);
  r.consumption = has_any(L, kConsumption);
  r.imports = has_any(L, kImports);
  r.exports = has_any(L, kExports);
  r.net_transfer = has_any(L, kNetTransfer);
  r.per_capita = has_any(L, kPerCapita);
  r.partners = has_any(L, kPartners);
  r.sectors = has_any(L, kSectors);
  r.ranking = has_any(L, kRanking);
  r.emissions = has_any(L, kEmissions);
  r.footprint = has_any(L, kFootprint);
  r.lca = has_any(L, kLca);
  r.study = has_any(L, kStudy) && (r.footprint || r.lca || has_any(L, {"pcf", "iso 14067"}));
  r.search = has_any(L, kSearch);
  r.contributions = has_any(L, kContributions);
  r.databases = has_any(L, kDatabases);
  r.ocean = has_any(L, kOcean);
  r.land = has_any(L, kLand);
  r.budget = has_any(L, kBudget);
  r.sink = has_any(L, kSink) || r.ocean || r.land;
  r.natural_sources = has_any(L, kNaturalSources);
  // "natural gas" (天然气) is a fuel, not nature
  std::string nature = L;
  for (const std::string_view fuel : {std::string_view("natural gas"), std::string_view("天然气")})
    for (size_t p = nature.find(fuel); p != std::string::npos; p = nature.find(fuel, p + 1))
      nature.replace(p, fuel.size(), std::string(fuel.size(), ' '));
  r.natural = has_any(nature, kNatural);
  r.methane = r.gas == "CH4" && !has_any(L, kFactor) &&
              (r.natural || has_any(L, {"wetland*", "termite*", "湿地", "白蚁"}));
  r.fire = has_any(L, kFire);
  r.forest = has_any(L, kForest);
  r.factor = has_any(L, kFactor);
  r.gwp_question = has_any(L, kGwp);
  r.inventory = has_any(L, kInventory);
  r.demo = has_any(L, kDemo);
  r.reference = has_any(L, kReference);
  r.ledger_info = has_any(L, kLedgerInfo);
  r.help = has_any(L, kHelp);
  r.uncertainty = has_any(L, kUncertainty);
  r.sensitivity = has_any(L, kSensitivity);
  r.morris = has_any(L, {"morris"});
  r.top_down = has_any(L, {"top-down", "top down", "inversion*", "自上而下"});
  r.bottom_up = has_any(L, {"bottom-up", "bottom up", "自下而上"});
  r.gtco2 = has_any(L, {"gtco2", "gt co2", "co2", "二氧化碳"}) && !has_any(L, {"gtc", "gt c ", "碳当量"});
  // "natural" alone is a natural question only with a sink or source word (自然碳汇, natural sink)
  if (r.natural && (r.sink || r.methane)) r.natural_sources = r.natural_sources || r.methane;
  // "consumption" inside "energy consumption" of an inventory, "production" of a product: read by context below
  if (r.footprint && (r.amount || !r.database.empty())) r.production = r.consumption = false;

  // industrial processes, CBAM, avoided emissions (issue 15)
  r.cbam = has_any(L, kCbam);
  r.avoided = !r.cbam && (has_any(L, kAvoidedStrong) || (has_any(L, kAvoidedWeak) && has_any(L, kCleanTech)));
  if (r.cbam) {
    r.cbam_default = has_any(L, {"default*", "默认"});
    read_good(r, L);
    if (r.amount && r.amount->unit == "t") r.actual = r.amount->value;
    if (!r.actual) r.actual = find_ratio(L);
    r.ets_price = find_price(L);
    r.cbam_compare = r.actual.has_value() || r.ets_price.has_value() || has_any(L, kCbamCompare);
  }
  {
    const RouteChoice rc = route_of(L);
    r.route_file = rc.file;
    r.route_name_en = rc.en;
    r.route_name_zh = rc.zh;
  }
  r.route_question = !r.cbam && !r.avoided && !r.factor && !r.gwp_question && !r.lca_cue() && r.database.empty() &&
                     (!r.route_file.empty() || names_route_product(L)) &&
                     (has_any(L, kRouteWords) || has_any(L, kPerTonne));
  if (r.cbam && !has_any(L, kRouteWords)) r.route_file.clear();  // "cement" alone names a good, not a route
  // least-cost abatement (process optimize, process macc)
  {
    // "measures" alone ("how do you measure ...") is no least-cost question: it needs a model or a strong cue
    const bool model_word = has_any(L, kModelWords);
    r.optimise = !r.cbam && !r.avoided && !r.factor && !r.gwp_question && !r.lca_cue() && r.database.empty() &&
                 (has_any(L, kOptStrong) || (model_word && has_any(L, kOptWeak)));
    if (r.optimise) {
      r.route_question = false;
      r.model_file = model_of(L);
      read_opt_numbers(r, Text(question).lower);  // the whole text: the amount and path rules blank what they read
      r.macc = has_any(L, kCurveWords) || r.cap_to_t.has_value() || r.model_file == "measures-steel-plant.csv";
    }
  }

  // products: Chinese glossary words, else English words after "footprint of" ...
  if (r.footprint || r.lca || r.search || r.contributions || r.study || r.factor || !r.database.empty()) {
    const auto terms = detail::find_terms(L);
    if (!terms.empty()) {
      for (const auto& term : terms) {
        if (r.query.find(term.en) == std::string::npos) r.query += (r.query.empty() ? "" : " ") + term.en;
        r.product += term.zh;
      }
    } else {
      r.query = english_product(L);
      r.product = r.query;
      if (r.query.empty() && r.zh) r.untranslated = chinese_product(L);
    }
  }
  // English words left over (not a bare reply of a year, a code or a name)
  {
    size_t words = 0;
    for (size_t i = 0; i < L.size();) {
      if (L[i] >= 'a' && L[i] <= 'z') {
        size_t j = i;
        while (j < L.size() && L[j] >= 'a' && L[j] <= 'z') ++j;
        if (j - i >= 2) ++words;
        i = j;
      } else {
        ++i;
      }
    }
    r.english_words = words > 0;
  }
  // a place that names no country: "Wakanda's consumption", "consumption of Atlantis"
  if (r.countries.empty() && !r.world) {
    auto capitalised_before = [&](size_t p) {
      size_t e = p;
      size_t b = e;
      while (b > 0 && detail::is_word_byte(t.text[b - 1])) --b;
      if (b < e && t.text[b] >= 'A' && t.text[b] <= 'Z') return t.text.substr(b, e - b);
      return std::string();
    };
    for (size_t p = t.text.find("'s "); p != std::string::npos && r.unknown_place.empty(); p = t.text.find("'s ", p + 1))
      if (p > 0 && L[p - 1] != ' ') r.unknown_place = capitalised_before(p);
    for (const char* prep : {" of ", " for ", " in "}) {
      for (size_t p = L.find(prep); p != std::string::npos && r.unknown_place.empty(); p = L.find(prep, p + 1)) {
        const size_t s = p + std::string_view(prep).size();
        size_t e = s;
        while (e < t.text.size() && detail::is_word_byte(t.text[e])) ++e;
        const std::string w = t.text.substr(s, e - s);
        if (w.size() >= 3 && w[0] >= 'A' && w[0] <= 'Z' && L.compare(s, e - s, detail::ascii_lower(w)) == 0 &&
            !has_any(detail::ascii_lower(w), {"co2", "ipcc", "gcb", "wiod", "mrio", "lca", "gwp"}))
          r.unknown_place = w;
      }
    }
    if (r.unknown_place.empty() && r.zh) {
      // the Chinese words before the year or before 的: 瓦坎达2009年的消费侧排放
      static const Words heads = {"的", "在", "年"};
      size_t first = std::string::npos;
      for (const auto& h : heads) first = std::min(first, L.find(h));
      if (!years.empty()) first = std::min(first, years[0].pos);
      if (first != std::string::npos && first >= 6) {
        std::string head = L.substr(0, first);
        while (!head.empty() && head.back() == ' ') head.pop_back();
        if (detail::has_cjk(head) && head.size() <= 30 && head.find(' ') == std::string::npos &&
            !has_any(head, {"哪个", "哪些", "全球", "世界", "各国", "请", "什么", "多少", "如何", "怎么"}))
          r.unknown_place = head;
      }
    }
  }
  return r;
}

// --- plans ----------------------------------------------------------------------------------------------------

struct Planner {
  const Knowledge& k;
  Recognised r;
  Lang lang;
  Plan plan;

  json ref(size_t step, const char* pointer) const { return {{"from_step", step}, {"pointer", pointer}}; }

  size_t add(const std::string& tool, json args, std::string why) {
    const Capability& c = capability(tool);
    Step s;
    s.agent = agent_of(c).value_or(Agent::Process);
    s.tool = tool;
    s.arguments = std::move(args);
    s.why = std::move(why);
    plan.steps.push_back(std::move(s));
    return plan.steps.size() - 1;
  }

  void missing(Agent agent, const std::string& tool, const std::string& needs, std::string message) {
    if (!plan.slots.contains("missing")) plan.slots["missing"] = json::array();
    plan.slots["missing"].push_back(
        {{"agent", to_string(agent)}, {"tool", tool}, {"needs", needs}, {"message", std::move(message)}});
  }

  void ask(std::string awaiting, std::string text) {
    plan.clarify = std::move(text);
    plan.steps.clear();
    if (!awaiting.empty()) plan.slots["awaiting"] = std::move(awaiting);
  }

  std::string place(const std::string& code) const {
    const auto& c = detail::Countries::get();
    return lang.zh ? c.chinese(code) : c.english(code);
  }

  fs::path data(const std::string& rel) const { return k.data_dir.empty() ? fs::path() : k.data_dir / rel; }
  bool exists(const fs::path& p) const {
    std::error_code ec;
    return !p.empty() && fs::exists(p, ec);
  }
  std::string data_hint() const {
    return k.data_dir.empty() ? lang("no data folder is set (give --data FOLDER or set $PANOCARBON_DATA)",
                                     "未设置数据文件夹(请用 --data FOLDER 或设置 $PANOCARBON_DATA)")
                              : lang("the data folder is " + k.data_dir.string(), "数据文件夹为 " + k.data_dir.string());
  }

  // The years the ledger holds (the embedded default when none is stored yet).
  std::vector<int> ledger_years() const {
    if (!k.ledger_years.empty()) return k.ledger_years;
    std::vector<int> y;
    for (int i = kDefaultFirstYear; i <= kDefaultLastYear; ++i) y.push_back(i);
    return y;
  }

  std::string unknown_text() const {
    return lang(
        "I could not tell what you are asking. I can answer: national CO2 accounts (production- and "
        "consumption-based, emissions embodied in imports and exports, net transfer, per capita, trade partners, "
        "sectors), e.g. \"What was China's consumption-based CO2 in 2009?\"; product carbon footprints from a stored "
        "LCA database, e.g. \"What is the carbon footprint of 1 kg of Portland cement in USLCI?\", or a whole "
        "footprint study; natural sinks and sources, e.g. \"How large was the ocean sink in 2018?\" or \"What is "
        "Sweden's natural sink in 2020?\"; emission factors, GWP values and IPCC inventories, e.g. \"What is the GWP "
        "of methane in AR5?\"; industrial routes, CBAM default values and avoided emissions, e.g. \"How much CO2 does "
        "the BF-BOF route emit per tonne of steel?\", \"What is the CBAM default value for Chinese cement?\"; least-cost "
        "abatement on the shipped models, e.g. \"What is the marginal abatement cost of the steel model at a cap of 44 "
        "Gt?\"; and how "
        "uncertain any of these is (\"... and how uncertain is that?\"). What would you like to know?",
        "我没能理解这个问题。我可以回答:国家二氧化碳核算(生产侧与消费侧排放、进出口隐含排放、净转移、人均、贸易伙伴、"
        "部门),例如\"中国2009年的消费侧排放是多少?\";基于已导入LCA数据库的产品碳足迹,例如\"USLCI中1千克波特兰水泥的"
        "碳足迹是多少?\",或完整的产品碳足迹研究;自然碳汇与自然源,例如\"2018年海洋碳汇有多大?\"、\"瑞典2020年的自然碳"
        "汇是多少?\";排放因子、GWP值与IPCC清单,例如\"AR5中甲烷的GWP是多少?\";工艺路线、CBAM默认值与出口产品避免的排放,"
        "例如\"高炉-转炉路线每吨钢排放多少二氧化碳?\"、\"中国水泥的CBAM默认值是多少?\";自带模型的最低成本减排,例如"
        "\"钢铁模型在44 Gt排放上限下的边际减排成本是多少?\";以及这些结果的不确定性(\"……不确定性有"
        "多大?\")。请问您想了解什么?");
  }

  // ---- trade ----
  std::string indicator(std::string& intent) const {
    std::set<std::string> s;
    if (r.production) s.insert("production");
    if (r.consumption) s.insert("consumption");
    if (r.imports) s.insert("imports");
    if (r.exports) s.insert("exports");
    if (r.net_transfer) s.insert("net_transfer");
    // exports are a part of production, imports a part of consumption: "production-side CO2 embodied in exports"
    if (s.count("exports") && s.count("production")) s.erase("production");
    if (s.count("imports") && s.count("consumption")) s.erase("consumption");
    // "net importer/exporter", "净进口": the transfer, not the flows
    if (s.count("net_transfer")) {
      s.erase("imports");
      s.erase("exports");
    }
    if (r.per_capita) {
      intent = "trade.per_capita";
      if (s.size() == 1 && (s.count("production") || s.count("consumption"))) return *s.begin() + "_per_capita";
      return {};
    }
    if (r.partners || (r.bilateral && r.flows() && !r.net_transfer)) {
      intent = "trade.partners";
      return {};
    }
    if (r.sectors) {
      intent = "trade.sectors";
      return {};
    }
    if (s.size() == 1) {
      intent = "trade." + *s.begin();
      return *s.begin();
    }
    intent = s.empty() ? "trade.overview" : "trade.compare";
    return {};
  }

  void trade() {
    std::string intent;
    const std::string ind = indicator(intent);
    // "which country had the largest ...": every country's ledger (with a country, "largest" is about its partners
    // or sectors)
    const bool all = r.ranking && r.countries.empty() && !r.world;
    plan.intent = all ? "trade.ranking" : intent;
    if (!ind.empty()) plan.slots["indicator"] = ind;
    std::vector<std::string> countries = r.countries;
    if (countries.empty() && r.world && !all) countries.push_back("World");
    if (plan.intent == "trade.partners" && r.bilateral) {
      // the first country's ledger lists its partners: the second is one of them
      plan.slots["partner"] = countries[1];
      countries.resize(1);
    }
    if (!all && countries.empty()) {
      if (!r.unknown_place.empty()) return unknown_country();
      return ask("country", lang("Which country? Give its name or ISO code (e.g. China or CHN).",
                                 "请问是哪个国家?请给出国家名称或ISO代码(如 中国 或 CHN)。"));
    }
    const auto held = ledger_years();
    std::vector<int> years = r.years;
    const bool span = r.range || r.since || (r.trend && years.empty());
    if (years.empty() && !span) {
      const std::string which = join_years(held);
      return ask("year", k.ledger_years.empty()
                             ? lang("Which year? The default ledger holds " + which +
                                        " (Global Carbon Budget 2019 national series; WIOD 2013 MRIO accounts "
                                        "2000-2010).",
                                    "请问是哪一年?默认账本包含 " + which +
                                        " 年的数据(全球碳计划2019国家序列;WIOD 2013 多区域投入产出核算 2000-2010 年)。")
                             : lang("Which year? The ledger holds " + which + ".",
                                    "请问是哪一年?账本中有 " + which + " 年的数据。"));
    }
    if (!span)
      for (int y : years)
        if (std::find(held.begin(), held.end(), y) == held.end())
          return ask("year", lang(fmt::format("The ledger holds no year {} (it holds {}); which year?", y, join_years(held)),
                                  fmt::format("账本中没有 {} 年的数据(现有 {} 年);请问是哪一年?", y, join_years(held))));
    if (k.ledger_years.empty())
      add("ledger build", {{"default", true}},
          lang("load the embedded default ledger (GCB 2019 1990-2018, WIOD 2013 2000-2010): the database holds none yet",
               "载入内置默认账本(GCB 2019 1990-2018 年,WIOD 2013 2000-2010 年):数据库中尚无账本"));
    if (all) {
      json a = {{"all", true}};
      if (!years.empty() && !span) a["year"] = years[0];
      if (!ind.empty()) a["indicator"] = ind;
      else if (r.per_capita) a["per-capita"] = true;
      add("account", a, lang("every country's ledger, to rank them", "各国账本,用于排序"));
    } else {
      const std::vector<int> each = span ? std::vector<int>{0} : years;
      for (const auto& c : countries)
        for (int y : each) {
          if (plan.steps.size() >= kMaxSteps) break;
          json a = {{"country", c}};
          if (y) a["year"] = y;
          if (!ind.empty()) a["indicator"] = ind;
          else if (r.per_capita) a["per-capita"] = true;
          add("account", a,
              lang(fmt::format("the ledger of {}{}", place(c), y ? fmt::format(" in {}", y) : std::string()),
                   fmt::format("{}{}的账本", place(c), y ? fmt::format("{}年", y) : std::string())));
        }
    }
    if (r.uncertainty && !all) {
      for (int y : (span ? std::vector<int>{} : years)) mrio_montecarlo(y);
      if (span) mrio_montecarlo(0);
    }
  }

  void mrio_montecarlo(int year) {
    const fs::path folder = data(fmt::format("mrio/wiod2013-co2/{}", year));
    const std::string tool = "mrio montecarlo";
    if (year < kWiodFirst || year > kWiodLast) {
      missing(Agent::Uncertainty, tool, fmt::format("mrio/wiod2013-co2/{}", year ? year : kWiodLast),
              year ? lang(fmt::format("The Monte Carlo of the MRIO accounts needs a WIOD year (2000-2010); {} has no "
                                      "MRIO table, so no range is given.",
                                      year),
                          fmt::format("多区域投入产出核算的蒙特卡洛需要 WIOD 年份(2000-2010 年);{} 年没有 MRIO 表,因此"
                                      "无法给出区间。",
                                      year))
                   : lang("The Monte Carlo of the MRIO accounts runs for one year: ask for one year (2000-2010).",
                          "多区域投入产出核算的蒙特卡洛需针对单一年份:请指定一个年份(2000-2010 年)。"));
      return;
    }
    if (!exists(folder / "file_parameters.json")) {
      missing(Agent::Uncertainty, tool, fmt::format("mrio/wiod2013-co2/{}", year),
              lang(fmt::format("The range needs the WIOD 2013 table of {} (mrio/wiod2013-co2/{} in the data folder); {}.",
                               year, year, data_hint()),
                   fmt::format("区间需要 {} 年的 WIOD 2013 表(数据文件夹中的 mrio/wiod2013-co2/{});{}。", year, year,
                               data_hint())));
      return;
    }
    add(tool,
        {{"path", folder.string()}, {"stressor", json::array({"CO2"})}, {"draws", kDraws}, {"seed", kSeed}},
        lang(fmt::format("the 95 % range of the {} accounts: Monte Carlo over the WIOD {} table (Z, Y, F with 10 % "
                         "relative standard errors)", year, year),
             fmt::format("{} 年核算的 95% 区间:对 WIOD {} 年表(Z、Y、F,相对标准误差 10%)做蒙特卡洛", year, year)));
    // WIOD names Romania ROM
    if (!r.countries.empty()) plan.slots["region"] = r.countries[0] == "ROU" ? "ROM" : r.countries[0];
  }

  void unknown_country() {
    const auto near = detail::Countries::get().nearest(r.unknown_place, 3);
    std::vector<std::string> labels;
    for (const auto& c : near) labels.push_back(fmt::format("{} ({})", place(c), c));
    plan.slots["unknown_country"] = r.unknown_place;
    ask("country",
        near.empty()
            ? lang(fmt::format("I do not know a country '{}'. Which country? Give its name or ISO code (e.g. China or CHN).",
                               r.unknown_place),
                   fmt::format("我不认识国家\"{}\"。请问是哪个国家?请给出国家名称或ISO代码(如 中国 或 CHN)。", r.unknown_place))
            : lang(fmt::format("I do not know a country '{}'. Did you mean {}?", r.unknown_place, fmt::join(labels, ", ")),
                   fmt::format("我不认识国家\"{}\"。您是指 {} 吗?", r.unknown_place, fmt::join(labels, "、"))));
  }

  // ---- LCA ----
  // The database to use; empty after a question back. Adds `lca import` when the USLCI folder is to be imported.
  std::string lca_database() {
    const auto& stored = k.lca_databases;
    const fs::path uslci = data("lca/uslci-jsonld");
    auto list = [&] { return fmt::format("{}", fmt::join(stored, ", ")); };
    if (!r.database.empty()) {
      if (r.database_stored) return r.database;
      if (r.database == "uslci" && exists(uslci)) {
        add("lca import", {{"path", uslci.string()}, {"name", "uslci"}},
            lang("import USLCI (openLCA JSON-LD) into the database: it is not stored yet",
                 "将 USLCI(openLCA JSON-LD)导入数据库:尚未导入"));
        return "uslci";
      }
      ask("database",
          stored.empty()
              ? lang(fmt::format("The database '{}' is not stored, and no LCA database is. Import one first: "
                                 "`panocarbon lca import PATH --name {}` (an openLCA JSON-LD or EcoSpold2 folder or .zip).",
                                 r.database, r.database),
                     fmt::format("数据库\"{}\"尚未导入,目前也没有任何LCA数据库。请先导入:`panocarbon lca import PATH --name {}`"
                                 "(openLCA JSON-LD 或 EcoSpold2 文件夹或 .zip)。",
                                 r.database, r.database))
              : lang(fmt::format("The database '{}' is not stored; the stored LCA databases are {}. Which one? (Or "
                                 "import it: `panocarbon lca import PATH --name {}`.)",
                                 r.database, list(), r.database),
                     fmt::format("数据库\"{}\"尚未导入;已导入的LCA数据库有 {}。请问用哪一个?(或导入它:`panocarbon lca import "
                                 "PATH --name {}`。)",
                                 r.database, list(), r.database)));
      return {};
    }
    if (stored.size() == 1) return stored[0];
    if (stored.size() > 1) {
      ask("database", lang(fmt::format("Which database? The stored LCA databases are {}.", list()),
                           fmt::format("请问用哪个数据库?已导入的LCA数据库有 {}。", list())));
      return {};
    }
    if (exists(uslci)) {
      add("lca import", {{"path", uslci.string()}, {"name", "uslci"}},
          lang("import USLCI (openLCA JSON-LD) into the database: no LCA database is stored yet",
               "将 USLCI(openLCA JSON-LD)导入数据库:尚未导入任何LCA数据库"));
      return "uslci";
    }
    ask("database",
        lang("No LCA database is stored. Import one first: `panocarbon lca import PATH --name NAME` (an openLCA "
             "JSON-LD or EcoSpold2 folder or .zip, e.g. USLCI), or give --data with lca/uslci-jsonld; " + data_hint() + ".",
             "尚未导入任何LCA数据库。请先导入:`panocarbon lca import PATH --name NAME`(openLCA JSON-LD 或 EcoSpold2 文件夹"
             "或 .zip,如 USLCI),或用 --data 指定含 lca/uslci-jsonld 的文件夹;" + data_hint() + "。"));
    return {};
  }

  bool need_product() {
    if (!r.query.empty()) return true;
    if (!r.untranslated.empty()) {
      ask("product", lang(fmt::format("I cannot put '{}' into the English words of the database. Which product? Give "
                                      "it in English (e.g. portland cement).",
                                      r.untranslated),
                          fmt::format("我无法把\"{}\"译成数据库使用的英文名称。请问是什么产品?请用英文给出(如 portland "
                                      "cement)。",
                                      r.untranslated)));
      return false;
    }
    ask("product", lang("Which product or process? (e.g. \"1 kg of Portland cement\")",
                        "请问是什么产品或过程?(如\"1千克波特兰水泥\")"));
    return false;
  }

  void lca() {
    if (r.databases) {
      plan.intent = "lca.databases";
      add("lca databases", json::object(), lang("the LCA databases stored", "已导入的LCA数据库"));
      return;
    }
    plan.intent = r.study ? "lca.study" : r.contributions ? "lca.contributions"
                  : r.search && !r.footprint ? "lca.search" : "lca.footprint";
    if (!r.query.empty()) plan.slots["query"] = r.query;
    if (!r.product.empty()) plan.slots["product"] = r.product;
    if (r.amount) {
      plan.slots["amount"] = r.amount->value;
      plan.slots["unit"] = r.amount->unit;
    }
    if (!need_product()) return;
    const std::string db = lca_database();
    if (db.empty()) return;
    plan.slots["database"] = db;
    const size_t search = add("lca search", {{"query", r.query}, {"database", db}, {"kind", "process"}, {"limit", 5}},
                              lang(fmt::format("find the process of '{}' in {}", r.query, db),
                                   fmt::format("在 {} 中查找\"{}\"的过程", db, r.query)));
    if (plan.intent == "lca.search" || plan.intent == "lca.study") return;
    json calc = {{"database", db}, {"process", ref(search, "/0/ref")}};
    if (r.amount) {
      calc["amount"] = r.amount->value;
      calc["unit"] = r.amount->unit;
    }
    if (!r.gwp.empty()) calc["gwp"] = r.gwp;
    add("lca calc", calc,
        lang("the life cycle impact (GWP100) of the first process found", "所找到第一个过程的生命周期影响(GWP100)"));
    if (r.contributions) {
      json c = calc;
      c.erase("process");
      c["process"] = ref(search, "/0/ref");
      add("lca contributions", c, lang("which processes contribute most", "哪些过程贡献最大"));
    }
    if (r.uncertainty) {
      json mc = calc;
      mc["draws"] = kDraws;
      mc["seed"] = kSeed;
      add("lca montecarlo", mc,
          lang("the 95 % range: Monte Carlo from the database's uncertainty (distributions and pedigree)",
               "95% 区间:依据数据库的不确定性(分布与数据质量矩阵)做蒙特卡洛"));
    }
  }

  // ---- natural ----
  void natural() {
    if (r.fire) return natural_fire();
    if (r.methane || (r.natural_sources && !r.sink)) return natural_methane();
    if (r.forest && !r.file.empty()) {
      plan.intent = "natural.afolu";
      add("natural afolu", {{"file", r.file}},
          lang("forest land remaining forest land by IPCC Tier 1", "按 IPCC 方法1 计算仍为林地的林地"));
      return;
    }
    const bool country = !r.countries.empty() && !r.world;
    if (country) {
      plan.intent = "natural.country";
      for (const auto& c : r.countries) {
        if (plan.steps.size() >= kMaxSteps) break;
        json a = {{"region", c}};
        if (!r.years.empty()) a["year"] = r.years[0];
        add("natural account", a,
            lang(fmt::format("the natural side of {}'s account (fluxes stored by natural runs)", place(c)),
                 fmt::format("{}账户的自然部分(自然模块存储的通量)", place(c))));
      }
      return;
    }
    if (r.forest) {
      plan.intent = "natural.afolu";
      return ask("file", lang("Which forest data? Give a forest activity CSV (see docs/afolu.md; e.g. examples/forest.csv) "
                              "or name a country whose natural fluxes are stored.",
                              "请问用哪份森林数据?请给出森林活动数据 CSV(见 docs/afolu.md,如 examples/forest.csv),或指明"
                              "已存储自然通量的国家。"));
    }
    plan.intent = "natural.sinks";
    const fs::path folder = data("natural/gcb2019");
    const bool span = r.range || r.since || r.trend;
    if (r.years.empty() && !span)
      return ask("year", lang(fmt::format("Which year? The Global Carbon Budget 2019 covers {}-{}.", kGcbFirst, kGcbLast),
                              fmt::format("请问是哪一年?全球碳收支2019覆盖 {}-{} 年。", kGcbFirst, kGcbLast)));
    for (int y : r.years)
      if (y < kGcbFirst || y > kGcbLast)
        return ask("year", lang(fmt::format("The Global Carbon Budget 2019 covers {}-{}, not {}; which year?", kGcbFirst,
                                            kGcbLast, y),
                                fmt::format("全球碳收支2019覆盖 {}-{} 年,不含 {} 年;请问是哪一年?", kGcbFirst, kGcbLast, y)));
    if (!exists(folder / "global-carbon-budget.csv")) {
      missing(Agent::Natural, "natural sinks", "natural/gcb2019",
              lang("The global sinks need the Global Carbon Budget 2019 CSV files (natural/gcb2019 in the data folder: "
                   "global-carbon-budget.csv, land-use-change.csv, ocean-sink.csv, terrestrial-sink.csv); " + data_hint() + ".",
                   "全球碳汇需要全球碳收支2019的CSV文件(数据文件夹中的 natural/gcb2019:global-carbon-budget.csv、"
                   "land-use-change.csv、ocean-sink.csv、terrestrial-sink.csv);" + data_hint() + "。"));
      return ask("", plan.slots["missing"].back()["message"].get<std::string>());
    }
    json a = {{"data", folder.string()}};
    if (r.range) {
      a["from"] = r.years[0];
      a["to"] = r.years[1];
    } else if (r.since) {
      a["from"] = r.years[0];
    } else if (!r.years.empty()) {
      a["year"] = r.years[0];
    }
    if (r.gtco2) a["unit"] = "GtCO2";
    add("natural sinks", a,
        lang("the global carbon budget: fossil, land-use change, atmospheric growth, ocean and land sinks, imbalance",
             "全球碳收支:化石排放、土地利用变化、大气增长、海洋与陆地碳汇、收支不平衡"));
  }

  void natural_methane() {
    plan.intent = "natural.methane";
    const fs::path file = data("natural/global-methane-budget-2020-table3.xlsx");
    if (!exists(file)) {
      missing(Agent::Natural, "natural methane", "natural/global-methane-budget-2020-table3.xlsx",
              lang("Natural methane sources need the Global Methane Budget 2020 Table 3 workbook "
                   "(natural/global-methane-budget-2020-table3.xlsx in the data folder); " + data_hint() + ".",
                   "自然甲烷源需要全球甲烷收支2020表3工作簿(数据文件夹中的 natural/global-methane-budget-2020-table3.xlsx);" +
                       data_hint() + "。"));
      return ask("", plan.slots["missing"].back()["message"].get<std::string>());
    }
    json a = {{"data", file.string()}};
    for (int y : r.years) {
      if (y >= 2000 && y <= 2009 && r.years.size() == 1) a["period"] = "2000-2009";
      if (y == 2017 && r.years.size() == 1) a["period"] = "2017";
    }
    if (r.range && r.years[0] == 2000 && r.years[1] == 2009) a["period"] = "2000-2009";
    if (r.range && r.years[0] == 2008 && r.years[1] == 2017) a["period"] = "2008-2017";
    if (r.top_down != r.bottom_up) a["approach"] = r.top_down ? "top-down" : "bottom-up";
    add("natural methane", a,
        lang("natural CH4 sources of the Global Methane Budget (Saunois et al. 2020)",
             "全球甲烷收支(Saunois 等, 2020)中的自然甲烷源"));
  }

  void natural_fire() {
    plan.intent = "natural.fire";
    const std::string low = detail::ascii_lower(r.file);
    if (low.size() > 4 && (low.compare(low.size() - 4, 4, ".csv") == 0)) {
      json a = {{"file", r.file}};
      if (!r.years.empty()) a["year"] = r.years[0];
      if (!r.countries.empty()) a["region"] = r.countries[0];
      add("natural fire-tier1", a, lang("fire emissions by IPCC 2006 Eq 2.27 from area burned",
                                        "按 IPCC 2006 公式 2.27 由过火面积计算火灾排放"));
      return;
    }
    if (!r.file.empty()) {
      if (r.years.empty())
        return ask("year", lang("Which year is the GFED file of?", "请问该 GFED 文件是哪一年的?"));
      add("natural fire", {{"file", r.file}, {"year", r.years[0]}},
          lang("fire emissions from the GFED4.1s file", "由 GFED4.1s 文件计算火灾排放"));
      return;
    }
    ask("file", lang("Fire emissions need data: a GFED4.1s HDF5 file of a year (`natural fire FILE --year Y`) or a CSV "
                     "of area burned per vegetation type (`natural fire-tier1 FILE`). Which file?",
                     "火灾排放需要数据:某年的 GFED4.1s HDF5 文件(`natural fire FILE --year Y`),或按植被类型的过火面积 CSV"
                     "(`natural fire-tier1 FILE`)。请问用哪个文件?"));
  }

  // ---- process and inventories ----
  void process() {
    if (!r.factor_id.empty()) {
      plan.intent = "process.factor";
      add("factors show", {{"id", r.factor_id}}, lang("the factor with its bounds and citation", "该因子及其范围与出处"));
      return;
    }
    if (r.gwp_question && !r.factor) {
      plan.intent = "process.gwp";
      if (!r.gas.empty()) plan.slots["gas"] = r.gas;
      const std::string set = r.gwp.empty() ? "AR6" : r.gwp;
      plan.slots["gwp"] = set;
      add("gwp list", {{"gwp", set}},
          lang(fmt::format("the GWP100 values of IPCC {}", set), fmt::format("IPCC {} 的 GWP100 值", set)));
      return;
    }
    if (!r.category.empty() && r.file.empty()) {
      plan.intent = "process.category";
      plan.slots["category"] = r.category;
      json a = {{"category", r.category}};
      if (!r.gas.empty()) a["gas"] = r.gas;
      add("factors list", a, lang(fmt::format("the default factors of IPCC category {}", r.category),
                                  fmt::format("IPCC 类别 {} 的默认因子", r.category)));
      return;
    }
    if (r.factor) {
      plan.intent = "process.factors";
      const std::string q = r.query;
      if (q.empty())
        return ask("product", lang("Emission factors of which fuel, product or activity? (e.g. diesel, natural gas, "
                                   "cement)",
                                   "请问是哪种燃料、产品或活动的排放因子?(如 柴油、天然气、水泥)"));
      plan.slots["query"] = q;
      if (!r.gas.empty()) plan.slots["gas"] = r.gas;
      add("factors search", {{"query", q}},
          lang(fmt::format("the factor library's entries for '{}'", q), fmt::format("因子库中\"{}\"的条目", q)));
      return;
    }
    if (r.demo) {
      plan.intent = "process.demo";
      json a = json::object();
      if (!r.gwp.empty()) a["gwp"] = r.gwp;
      add("demo", a, lang("the demo inventory (examples/inventory.csv)", "演示清单(examples/inventory.csv)"));
      return;
    }
    if (r.reference) {
      plan.intent = "process.reference";
      if (r.file.empty())
        return ask("file", lang("The reference approach needs a fuel supply CSV (see docs/inventory.md; e.g. "
                                "examples/fuel_supply.csv). Which file?",
                                "参考方法需要燃料供应 CSV(见 docs/inventory.md,如 examples/fuel_supply.csv)。请问用哪个文件?"));
      add("inventory reference", {{"file", r.file}}, lang("CO2 from fuel combustion by the IPCC reference approach",
                                                           "按 IPCC 参考方法计算燃料燃烧的二氧化碳"));
      return;
    }
    plan.intent = r.uncertainty ? "process.inventory_uncertainty" : "process.inventory";
    if (r.file.empty())
      return ask("file", lang("Which activity data? Give an activity-data CSV or JSON file (see docs/inventory.md; e.g. "
                              "examples/inventory.csv), or ask for the demo inventory.",
                              "请问用哪份活动数据?请给出活动数据 CSV 或 JSON 文件(见 docs/inventory.md,如 "
                              "examples/inventory.csv),或要求运行演示清单。"));
    json a = {{"file", r.file}};
    if (!r.gwp.empty()) a["gwp"] = r.gwp;
    if (r.uncertainty) {
      a["draws"] = 1000;
      a["seed"] = kSeed;
      add("inventory uncertainty", a, lang("the inventory's uncertainty by IPCC Approach 2 (Monte Carlo)",
                                           "按 IPCC 方法2(蒙特卡洛)计算清单的不确定性"));
    } else {
      add("inventory calc", a, lang("the production-side inventory by IPCC category", "按 IPCC 类别计算生产侧清单"));
    }
  }

  // ---- industrial processes, CBAM and avoided emissions (issue 15; docs/process.md, cbam.md, avoided.md) ----
  std::string example(const std::string& rel) const {
    return k.examples_dir.empty() ? std::string() : (k.examples_dir / rel).string();
  }
  bool json_file() const { return r.file.size() > 5 && r.file.compare(r.file.size() - 5, 5, ".json") == 0; }

  void avoided() {
    plan.intent = "process.avoided";
    std::string file = r.file;
    if (file.empty()) {
      const std::string ask_file = lang(
          "Avoided emissions need a CSV of exported products (columns product, destination, capacity_mw, "
          "capacity_factor, lifetime_years, grid_factor_t_per_mwh, manufacturing_t_per_mw; docs/avoided.md). The "
          "shipped example is China's wind and PV exports of 2024 (examples/avoided/china_wind_pv_exports_2024.csv). "
          "Which file?",
          "计算避免的排放需要出口产品的 CSV 文件(列:product, destination, capacity_mw, capacity_factor, "
          "lifetime_years, grid_factor_t_per_mwh, manufacturing_t_per_mw;见 docs/avoided.md)。自带的示例是中国2024年"
          "出口的风电和光伏(examples/avoided/china_wind_pv_exports_2024.csv)。请问用哪个文件?");
      if (!r.countries.empty() && r.countries[0] != "CHN") return ask("file", ask_file);
      file = example("avoided/china_wind_pv_exports_2024.csv");
      if (file.empty()) return ask("file", ask_file);
      plan.slots["example"] = "examples/avoided/china_wind_pv_exports_2024.csv";
    }
    add("avoided", {{"file", file}},
        lang("the exported products' avoided grid emissions against their manufacturing footprint (WBCSD 2023: a "
             "ledger apart from every inventory)",
             "出口产品在目的地避免的电网排放与其制造足迹(WBCSD 2023:独立于任何清单的台账)"));
  }

  void cbam() {
    const bool compare = r.cbam_compare;
    plan.intent = compare ? "process.cbam_compare" : "process.cbam_defaults";
    if (r.countries.empty())
      return ask("country", lang("Which country of origin? The shipped CBAM default values are China's (e.g. \"the CBAM "
                                 "default value for cement from China\").",
                                 "请问原产国是哪个?自带的 CBAM 默认值为中国的(例如\"中国水泥的CBAM默认值\")。"));
    if (r.good.empty())
      return ask("product", lang("Which good? A CN code (e.g. 7208, 25232900) or a product: cement, clinker, hot-rolled "
                                 "steel, rebar, pig iron, aluminium, ammonia, urea, nitric acid, hydrogen.",
                                 "请问是哪种货物?给出 CN 编码(如 7208、25232900)或产品:水泥、熟料、热轧钢材、钢筋、生铁、铝、"
                                 "合成氨、尿素、硝酸、氢气。"));
    int year = 2026;
    if (!r.years.empty()) {
      year = r.years[0];
      if (year < 2026)
        return ask("year", lang(fmt::format("The CBAM default values with their mark-up apply from 2026 (the definitive "
                                            "period); {} is before it. Which year, 2026 or later?",
                                            year),
                                fmt::format("CBAM 默认值及其加成自2026年(正式期)起适用;{}年在此之前。请问是2026年或之后的哪一年?",
                                            year)));
    }
    const std::string country = r.countries[0];
    plan.slots["good"] = compare && !r.good_compare.empty() ? r.good_compare : r.good;
    if (!r.good_name_en.empty()) plan.slots["good_name"] = lang(r.good_name_en, r.good_name_zh);
    if (!compare) {
      add("cbam defaults", {{"country", country}, {"good", r.good}, {"year", year}},
          lang(fmt::format("the CBAM default values of {} for CN {} with the mark-up of {}", place(country), r.good, year),
               fmt::format("{} CN {} 的 CBAM 默认值及{}年的加成", place(country), r.good, year)));
      return;
    }
    if (r.good_compare.empty())
      return ask("product", lang(fmt::format("Which {} product? The default values differ by CN code: e.g. hot-rolled "
                                             "flat steel 7208, cold-rolled 7209, rebar 72142000, pig iron 7201, "
                                             "unwrought aluminium 7601.",
                                             r.good_name_en),
                                 fmt::format("请问是哪种{}产品?默认值按 CN 编码而不同:如热轧钢材 7208、冷轧 7209、钢筋 "
                                             "72142000、生铁 7201、原铝 7601。",
                                             r.good_name_zh)));
    json a = {{"country", country}, {"good", r.good_compare}, {"year", year}};
    if (r.ets_price) a["ets-price"] = *r.ets_price;
    if (r.actual) {
      a["actual"] = *r.actual;
    } else if (!r.route_file.empty()) {
      const std::string route = json_file() ? r.file : example("process/routes/" + r.route_file);
      if (!route.empty()) a["route"] = route;
    } else if (json_file()) {
      a["route"] = r.file;
    }
    add("cbam compare", a,
        lang(fmt::format("the CBAM default of CN {} from {} with the mark-up of {} beside the actual value",
                         r.good_compare, place(country), year),
             fmt::format("{} CN {} 的 CBAM 默认值({}年加成)与实际值的比较", place(country), r.good_compare, year)));
  }

  void simulate() {
    plan.intent = "process.route";
    std::string route = json_file() ? r.file : std::string();
    if (route.empty() && r.route_file.empty())
      return ask("route", lang("Which route? The shipped routes: steel BF-BOF (with or without CCS, hot-rolled), gas "
                               "DRI-EAF, hydrogen DRI-EAF, scrap EAF; cement and clinker (coal or gas kiln, CCS); primary "
                               "aluminium (prebake); ammonia (gas SMR, coal gasification, electrolytic hydrogen); urea; "
                               "hydrogen (gas SMR with or without CCS, coal gasification, electrolysis).",
                               "请问是哪条工艺路线?自带的路线:钢铁 高炉-转炉(含或不含碳捕集、热轧)、天然气直接还原-电弧炉、"
                               "氢基直接还原-电弧炉、废钢电弧炉;水泥与熟料(燃煤或燃气窑、碳捕集);原铝(预焙阳极电解);"
                               "合成氨(天然气重整、煤气化、电解氢);尿素;氢气(天然气重整含或不含碳捕集、煤气化、电解)。"));
    if (route.empty()) route = example("process/routes/" + r.route_file);
    if (route.empty())
      return ask("file", lang("The shipped route models are in the source tree's examples/process/routes/, which is not "
                              "here. Which route model JSON file (docs/process.md)?",
                              "自带的路线模型位于源码的 examples/process/routes/,此处没有。请问用哪个路线模型 JSON 文件"
                              "(见 docs/process.md)?"));
    if (!r.route_file.empty()) plan.slots["route"] = "examples/process/routes/" + r.route_file;
    json a = {{"route", route}};
    if (r.amount && r.amount->unit == "t") a["output"] = r.amount->value;
    add("process simulate", a,
        lang(fmt::format("the mass and energy balance of the route ({}) and its direct, indirect and precursor "
                         "emissions per tonne",
                         r.route_name_en.empty() ? r.file : r.route_name_en),
             fmt::format("该路线({})的物料与能量平衡及每吨产品的直接、间接与前体排放",
                         r.route_name_zh.empty() ? r.file : r.route_name_zh)));
  }

  // The shipped optimisation models (examples/process/models) with their names, sorted by file.
  std::vector<std::pair<std::string, std::string>> shipped_models() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (k.examples_dir.empty()) return out;
    std::error_code ec;
    const fs::path dir = k.examples_dir / "process" / "models";
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      const std::string ext = e.path().extension().string();
      if (ext == ".csv") {
        out.emplace_back(name, lang("abatement measures, partial curve", "减排措施,局部曲线"));
      } else if (ext == ".json") {
        std::string title;
        try {
          const json j = json::parse(panocarbon::read_file(e.path()));
          if (j.is_object() && j.contains("name") && j["name"].is_string()) title = j["name"].get<std::string>();
        } catch (const std::exception&) {
          title.clear();
        }
        out.emplace_back(name, title);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Tonnes as the cap sweep takes them: plain digits ("46000000000"), or the shortest exact form.
  static std::string tonnes_arg(double v) { return fmt::format("{}", v); }

  static constexpr int kMaxCaps = 50;  // the caps one curve of the chat solves (the command allows 10,000)

  void optimise() {
    plan.intent = r.macc ? "process.macc" : "process.optimize";
    std::string model = (json_file() || (r.file.size() > 4 && r.file.compare(r.file.size() - 4, 4, ".csv") == 0))
                            ? r.file
                            : std::string();
    if (model.empty() && !r.model_file.empty()) {
      model = example("process/models/" + r.model_file);
      if (model.empty())
        return ask("model", lang("The shipped optimisation models are in the source tree's examples/process/models/, "
                                 "which is not here. Which model JSON file (or measures CSV; docs/process.md)?",
                                 "自带的优化模型位于源码的 examples/process/models/,此处没有。请问用哪个模型 JSON 文件"
                                 "(或措施 CSV;见 docs/process.md)?"));
      plan.slots["model"] = "examples/process/models/" + r.model_file;
    }
    if (model.empty()) {
      const auto models = shipped_models();
      if (models.size() == 1) {
        model = (k.examples_dir / "process" / "models" / models[0].first).string();
        plan.slots["model"] = "examples/process/models/" + models[0].first;
      } else {
        std::vector<std::string> items;
        for (const auto& [file, title] : models)
          items.push_back(title.empty() ? file : fmt::format(fmt::runtime(lang("{} ({})", "{}({})")), file, title));
        return ask("model",
                   items.empty()
                       ? lang("Which optimisation model? Give a model JSON file or a measures CSV (docs/process.md).",
                              "请问用哪个优化模型?请给出模型 JSON 文件或措施 CSV(见 docs/process.md)。")
                       : lang(fmt::format("Which model? The shipped models (examples/process/models/): {}.",
                                          fmt::join(items, "; ")),
                              fmt::format("请问用哪个模型?自带的模型(examples/process/models/):{}。",
                                          fmt::join(items, ";"))));
      }
    }
    const bool measures = model.size() > 4 && model.compare(model.size() - 4, 4, ".csv") == 0;
    if (measures) {
      plan.intent = "process.macc";
      add("process macc", {{"model", model}},
          lang("the partial abatement cost curve of the measures: each one's cost per t abated, cheapest first "
               "(negative: it pays for itself)",
               "各项措施的局部边际减排成本曲线:每项措施每吨减排的成本,由低到高(负值即自身可收回成本)"));
      return;
    }
    if (r.macc) {
      if (!r.cap_t || !r.cap_to_t)
        return ask("caps", lang("Which caps should the curve sweep? Give the range of the model's total cap over all "
                                "periods in t CO2e, e.g. \"from 46 to 42 Gt\" (optionally \"in steps of 1 Gt\").",
                                "曲线应扫描哪些上限?请给出模型全部时期总排放上限的范围(吨 CO2e),例如\"从46到42 Gt\""
                                "(可加\"步长1 Gt\")。"));
      const double a = *r.cap_t, b = *r.cap_to_t;
      if (a == b)
        return ask("caps", lang("The two ends of the cap range are equal; which range should the curve sweep (e.g. "
                                "\"from 46 to 42 Gt\")?",
                                "上限范围的两端相同;曲线应扫描哪个范围(例如\"从46到42 Gt\")?"));
      double step = r.step_t ? std::fabs(*r.step_t) : std::fabs(b - a) / (r.steps_n > 1 ? r.steps_n - 1 : 4);
      if (step <= 0) step = std::fabs(b - a) / 4;
      const double caps_n = std::floor(std::fabs(b - a) / step + 1e-9) + 1;
      if (caps_n > kMaxCaps)
        return ask("caps", lang(fmt::format("A step of {} t CO2e gives {:.0f} caps; the chat sweeps at most {}. Which "
                                            "step (e.g. \"in steps of 1 Gt\")?",
                                            tonnes_arg(step), caps_n, kMaxCaps),
                                fmt::format("步长 {} 吨 CO2e 会得到 {:.0f} 个上限;对话最多扫描 {} 个。请问步长是多少"
                                            "(例如\"步长1 Gt\")?",
                                            tonnes_arg(step), caps_n, kMaxCaps)));
      if (b < a) step = -step;
      const std::string caps = fmt::format("{}:{}:{}", tonnes_arg(a), tonnes_arg(b), tonnes_arg(step));
      plan.slots["caps"] = caps;
      add("process macc", {{"model", model}, {"caps", caps}},
          lang("the integrated marginal abatement cost curve: the model solved at each cap of the sweep, with the "
               "cap's dual (the marginal abatement cost) and the cost and abatement against the uncapped model",
               "综合边际减排成本曲线:在扫描的每个上限下求解模型,给出上限的对偶值(边际减排成本)及相对无上限模型的成本与减排量"));
      return;
    }
    json a = {{"model", model}};
    if (r.cap_t) a["cap"] = *r.cap_t;
    if (r.price_usd) a["price"] = *r.price_usd;
    add("process optimize", a,
        lang("the least-cost plan of the model: status, total cost, emissions, the routes that run and the cap's dual "
             "(the marginal abatement cost)",
             "模型的最低成本方案:求解状态、总成本、排放、运行的路线及上限的对偶值(边际减排成本)"));
  }

  void industry() {
    if (r.optimise) return optimise();
    if (r.avoided) return avoided();
    if (r.cbam) return cbam();
    return simulate();
  }

  // ---- uncertainty alone: sensitivity of a model file ----
  void sensitivity() {
    plan.intent = "uncertainty.sensitivity";
    if (r.file.empty())
      return ask("file", lang("Sensitivity analysis needs a model file (JSON, see docs/sensitivity.md; e.g. "
                              "examples/sensitivity/inventory.json). Which file?",
                              "敏感性分析需要模型文件(JSON,见 docs/sensitivity.md,如 examples/sensitivity/inventory.json)。"
                              "请问用哪个文件?"));
    if (r.morris)
      add("sensitivity morris", {{"model", r.file}, {"seed", kSeed}},
          lang("Morris elementary effects of the model's parameters", "模型参数的 Morris 基本效应"));
    else
      add("sensitivity sobol", {{"model", r.file}, {"seed", kSeed}},
          lang("Sobol first- and total-order indices of the model's parameters", "模型参数的 Sobol 一阶与总阶指数"));
  }

  void route() {
    if (r.help && !r.trade_cue() && !r.lca_cue() && !r.natural_cue()) {
      plan.intent = "help";
      return ask("", unknown_text());
    }
    if (r.ledger_info && r.countries.empty()) {
      plan.intent = "trade.ledger_info";
      add("ledger info", json::object(), lang("the sources and years the ledger holds", "账本中的数据源与年份"));
      return;
    }
    if (r.databases) return lca();
    if (r.industry_cue()) return industry();
    const bool country_footprint = r.footprint && (!r.countries.empty() || r.world) && !r.amount &&
                                   r.database.empty() && r.query.empty() && !r.study;
    if (country_footprint) {
      r.consumption = true;  // a country's carbon footprint is its consumption-based account
      r.footprint = false;
    }
    if (r.study || ((r.footprint || r.lca) && !country_footprint) ||
        (r.contributions && (!r.database.empty() || r.amount) && r.countries.empty()) ||
        (r.search && (!r.database.empty() || !r.query.empty())))
      return lca();
    if (r.fire || r.methane || r.natural_sources || r.budget || r.ocean ||
        (r.sink && !r.trade_cue()) || (r.forest && (!r.file.empty() || r.natural || r.sink)))
      return natural();
    if (r.sensitivity && !r.file.empty()) return sensitivity();
    if (r.process_cue()) return process();
    if (r.trade_cue() || r.ranking || (r.emissions && (!r.countries.empty() || r.world)))
      return trade();
    if (r.sensitivity) return sensitivity();
    if (r.uncertainty && !r.file.empty()) return process();
    plan.intent = "unknown";
    ask("", unknown_text());
  }
};

}  // namespace

namespace {

// A reply laid over the question it answers: the countries, years, database, amount, file and GWP set it names
// replace those of the question; uncertainty and sensitivity add; after "which product?" it is the product.
void apply_reply(Recognised& merged, const std::string& reply, const Knowledge& k, const std::string& awaiting) {
  const Recognised x = recognise(reply, k);
  if (!x.countries.empty()) {
    merged.countries = x.countries;
    merged.unknown_place.clear();
  }
  if (!x.years.empty()) {
    merged.years = x.years;
    merged.range = x.range;
    merged.since = x.since;
  }
  if (!x.database.empty()) {
    merged.database = x.database;
    merged.database_stored = x.database_stored;
  }
  if (x.amount) merged.amount = x.amount;
  if (!x.file.empty()) merged.file = x.file;
  if (!x.gwp.empty()) merged.gwp = x.gwp;
  merged.uncertainty = merged.uncertainty || x.uncertainty;
  merged.sensitivity = merged.sensitivity || x.sensitivity;
  if (merged.optimise) {  // a least-cost question's reply names the model or the caps
    const std::string L = Text(reply).lower;
    const std::string model = model_of(L);
    if (!model.empty()) merged.model_file = model;
    if (model == "measures-steel-plant.csv") merged.macc = true;
    Recognised n;
    read_opt_numbers(n, L);
    if (n.cap_t) merged.cap_t = n.cap_t;
    if (n.cap_to_t) merged.cap_to_t = n.cap_to_t;
    if (n.step_t) merged.step_t = n.step_t;
    if (n.steps_n) merged.steps_n = n.steps_n;
    if (n.price_usd) merged.price_usd = n.price_usd;
    return;
  }
  if (merged.cbam) {  // a CBAM question's reply names the good ("cement", "7208")
    read_good(merged, Text(reply).lower);
    if (x.amount && x.amount->unit == "t") merged.actual = x.amount->value;
    return;
  }
  if (awaiting != "product") return;
  Text t(reply);
  std::string q, p;
  for (const auto& term : detail::find_terms(t.lower)) {
    if (q.find(term.en) == std::string::npos) q += (q.empty() ? "" : " ") + term.en;
    p += term.zh;
  }
  if (q.empty() && detail::has_cjk(t.text)) {
    std::string words = trim(t.text);
    while (!words.empty() && (words.back() == '?' || words.back() == '.' || words.back() == '!')) words.pop_back();
    merged.untranslated = words;
    merged.query.clear();
    merged.product.clear();
    return;
  }
  if (q.empty()) {
    q = trim(t.lower);
    while (!q.empty() && (q.back() == '?' || q.back() == '.' || q.back() == '!')) q.pop_back();
    for (const char* lead : {"a ", "an ", "the ", "of ", "one "})
      if (q.rfind(lead, 0) == 0) q = q.substr(std::string_view(lead).size());
    p = q;
  }
  if (!q.empty()) {
    merged.query = q;
    merged.product = p;
    merged.untranslated.clear();
  }
}

Planner route(const Recognised& r, const Knowledge& k, bool zh) {
  Planner p{k, r, Lang{zh}, Plan{}};
  p.r.zh = zh;
  p.plan.language = zh ? "zh" : "en";
  p.route();
  return p;
}

std::string awaiting_of(const Plan& p) {
  const auto it = p.slots.find("awaiting");
  return it != p.slots.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Plan plan_question(const std::string& raw, const Knowledge& k, const std::vector<Turn>& history) {
  // bytes that are not UTF-8 become U+FFFD: every text of the plan is valid UTF-8 (JSON, the terminal)
  const std::string question = detail::valid_utf8(raw);
  std::string base = question;
  std::vector<std::string> replies;
  Recognised r = recognise(question, k);
  bool zh = r.zh;
  // A reply to a question back, or a follow-up ("and how uncertain is that?", "what about 2010?"): the question it
  // belongs to is planned again with every reply since laid over it in order.
  if (!history.empty() && !r.has_cue()) {
    const Turn& prev = history.back();
    const json& s = prev.plan.slots;
    if (prev.plan.intent != "unknown" && prev.plan.intent != "help" && !prev.plan.intent.empty()) {
      base = detail::valid_utf8(s.contains("context") && s["context"].is_string() ? s["context"].get<std::string>()
                                                                                  : prev.question);
      if (s.contains("replies") && s["replies"].is_array())
        for (const auto& x : s["replies"])
          if (x.is_string()) replies.push_back(detail::valid_utf8(x.get<std::string>()));
      replies.push_back(question);
      // the language of the conversation, unless the reply is in words of another
      zh = r.zh || (!r.english_words && prev.plan.language == "zh");
      Recognised merged = recognise(base, k);
      for (const auto& reply : replies) {
        const std::string awaiting = awaiting_of(route(merged, k, zh).plan);
        apply_reply(merged, reply, k, awaiting);
      }
      r = merged;
    }
  }
  Planner p = route(r, k, zh);
  Plan plan = std::move(p.plan);
  if (plan.intent.empty()) plan.intent = "unknown";
  // what was recognised
  json& s = plan.slots;
  const Recognised& x = p.r;
  if (!x.countries.empty()) {
    s["country"] = x.countries[0];
    s["country_name"] = p.place(x.countries[0]);
    if (x.countries.size() > 1) s["countries"] = x.countries;
  } else if (x.world) {
    s["country"] = "World";
  }
  if (!x.years.empty()) {
    if (x.range) {
      s["from"] = x.years[0];
      s["to"] = x.years[1];
    } else if (x.since) {
      s["from"] = x.years[0];
    } else {
      s["year"] = x.years[0];
      if (x.years.size() > 1) s["years"] = x.years;
    }
  }
  if (!x.database.empty() && !s.contains("database")) s["database"] = x.database;
  if (!x.gas.empty() && !s.contains("gas")) s["gas"] = x.gas;
  if (!x.gwp.empty() && !s.contains("gwp")) s["gwp"] = x.gwp;
  if (!x.file.empty()) s["file"] = x.file;
  if (x.uncertainty) s["uncertainty"] = true;
  if (x.sensitivity) s["sensitivity"] = true;
  if (base != question) {
    s["context"] = base;
    s["replies"] = replies;
  } else if (!plan.clarify.empty()) {
    s["context"] = question;
  }
  return plan;
}

}  // namespace panocarbon::agents
