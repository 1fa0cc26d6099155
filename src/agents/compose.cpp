// The composer of the conversational layer: the answer's text from the tool results, in the language of the
// question (English or Chinese). Every number is formatted from a result (3 significant figures with its unit)
// and every sentence cites the result it comes from as [n], n the step's number. A failed step is said
// plainly, with what to import or fetch and the command. docs/chat.md, "Answers and citations".
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "agents/numbers.hpp"
#include "panocarbon/agents.hpp"

namespace panocarbon::agents {
namespace {

using detail::format_number;
using nlohmann::json;

struct Writer {
  bool zh = false;
  std::vector<std::string> lines;
  const char* t(const char* en, const char* zh_text) const { return zh ? zh_text : en; }
  template <class... A>
  std::string f(const char* en, const char* zh_text, A&&... args) const {
    return fmt::format(fmt::runtime(zh ? zh_text : en), std::forward<A>(args)...);
  }
  void add(std::string s) { lines.push_back(std::move(s)); }
};

// An input as it was given (1 kg, not 1.00 kg).
std::string given(const json& v) { return v.is_number() ? fmt::format("{}", v.get<double>()) : std::string("?"); }
std::string num(const json& v) { return v.is_number() ? format_number(v.get<double>()) : std::string("?"); }
std::string str(const json& j, const char* key, std::string fallback = {}) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}
// A member of an object by reference (value() would copy: pointers into the copy would dangle), or an empty array.
const json& member(const json& j, const char* key) {
  static const json empty = json::array();
  return j.is_object() && j.contains(key) ? j[key] : empty;
}
std::string cite(size_t i) { return fmt::format("[{}]", i + 1); }

const char* indicator_name(const std::string& ind, bool zh) {
  static const std::map<std::string, std::pair<const char*, const char*>> names = {
      {"production", {"production-side (territorial) emissions", "生产侧（领土）排放"}},
      {"consumption", {"consumption-side emissions", "消费侧排放"}},
      {"imports", {"emissions embodied in imports", "进口隐含排放"}},
      {"exports", {"emissions embodied in exports", "出口隐含排放"}},
      {"net_transfer", {"net transfer (consumption minus production)", "净转移（消费侧减生产侧）"}},
      {"production_per_capita", {"production-side emissions per person", "人均生产侧排放"}},
      {"consumption_per_capita", {"consumption-side emissions per person", "人均消费侧排放"}},
      {"natural", {"natural fluxes", "自然通量"}},
  };
  const auto it = names.find(ind);
  if (it == names.end()) return nullptr;
  return zh ? it->second.second : it->second.first;
}

// Every country's ledger (account --all): per source, the five largest countries of the indicator (World and
// WIOD's rest of the world are not countries).
void write_ranking(Writer& w, const StepResult& r, size_t i) {
  const json& rows = member(r.result, "rows");
  std::vector<std::string> sources;
  for (const auto& row : rows) {
    const std::string s = str(row, "source");
    if (std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
  }
  const std::string asked = str(r.step.arguments, "indicator", "consumption");
  for (const auto& source : sources) {
    std::vector<const json*> these;
    for (const auto& row : rows) {
      const std::string c = str(row, "country");
      if (str(row, "source") != source || str(row, "indicator") != asked || c == "World" || c == "RoW" ||
          !row["value"].is_number())
        continue;
      these.push_back(&row);
    }
    if (these.empty()) continue;
    std::sort(these.begin(), these.end(),
              [](const json* a, const json* b) { return (*a)["value"].get<double>() > (*b)["value"].get<double>(); });
    std::vector<std::string> parts;
    for (size_t k = 0; k < these.size() && k < 5; ++k)
      parts.push_back(fmt::format("{} {} {}", str(*these[k], "name", str(*these[k], "country")),
                                  num((*these[k])["value"]), str(*these[k], "unit")));
    const char* label = indicator_name(asked, w.zh);
    w.add(w.f("Largest {} in {} ({}): {}. {}", "{1}年{0}最大的国家（{2}）：{3}。{4}", label ? label : asked.c_str(),
              (*these[0])["year"].dump(), source, fmt::join(parts, w.zh ? "；" : "; "), cite(i)));
  }
}

// The ledger rows of a country and year, grouped by source; the asked indicator first.
void write_account(Writer& w, const Plan& plan, const StepResult& r, size_t i) {
  const json& rows = r.result.contains("rows") ? r.result["rows"] : json::array();
  if (!rows.is_array() || rows.empty()) {
    w.add(fmt::format("{} {}", w.t("The ledger holds no value for this country and year.", "账本中没有该国家和年份的数值。"),
                      cite(i)));
    return;
  }
  const std::string asked = plan.slots.is_object() ? str(plan.slots, "indicator") : "";
  std::vector<std::string> order = {"production", "consumption", "exports", "imports", "net_transfer",
                                    "production_per_capita", "consumption_per_capita", "natural"};
  if (!asked.empty()) {
    order.erase(std::remove(order.begin(), order.end(), asked), order.end());
    order.insert(order.begin(), asked);
  }
  std::vector<std::string> sources;
  for (const auto& row : rows) {
    const std::string s = str(row, "source");
    if (std::find(sources.begin(), sources.end(), s) == sources.end()) sources.push_back(s);
  }
  for (const auto& source : sources) {
    std::string name, year;
    std::vector<std::string> parts;
    for (const auto& ind : order) {
      for (const auto& row : rows) {
        if (str(row, "source") != source || str(row, "indicator") != ind) continue;
        const char* label = indicator_name(ind, w.zh);
        if (!label) continue;
        if (name.empty()) name = str(row, "name", str(row, "country"));
        // the planner's name of the country, in the question's language
        if (w.zh && plan.slots.is_object() && str(plan.slots, "country") == str(row, "country") &&
            !str(plan.slots, "country_name").empty())
          name = str(plan.slots, "country_name");
        if (year.empty() && row.contains("year")) year = row["year"].dump();
        std::string part = fmt::format("{} {} {}", label, num(row["value"]), str(row, "unit"));
        if (row.contains("lower") && row["lower"].is_number() && row.contains("upper") && row["upper"].is_number())
          part += w.f(" (95 % range {}–{})", "（95 %区间 {}–{}）", num(row["lower"]), num(row["upper"]));
        parts.push_back(part);
      }
    }
    // Indicators the composer has no words for are left to the JSON.
    if (parts.empty()) continue;
    if (w.zh)
      w.add(fmt::format("{}{}年（{}）：{}。{}", name, year, source, fmt::format("{}", fmt::join(parts, "；")), cite(i)));
    else
      w.add(fmt::format("{} in {} ({}): {}. {}", name, year, source, fmt::format("{}", fmt::join(parts, "; ")), cite(i)));
  }
}

// The region of a Monte Carlo result the question is about: the plan's country, else the account step's.
std::string wanted_region(const Plan& plan, const std::vector<StepResult>& results) {
  if (plan.slots.is_object() && plan.slots.contains("region") && plan.slots["region"].is_string())
    return plan.slots["region"].get<std::string>();  // WIOD's code (ROM for Romania)
  if (plan.slots.is_object() && plan.slots.contains("country") && plan.slots["country"].is_string())
    return plan.slots["country"].get<std::string>();
  for (const auto& r : results)
    if (r.step.tool == "account" && r.step.arguments.contains("country") && r.step.arguments["country"].is_string())
      return r.step.arguments["country"].get<std::string>();
  return {};
}

// A distribution summary in Mt when the stressor is in kt (the ledger's unit), else as given.
struct Shown {
  double scale = 1;
  std::string unit;
};
Shown shown_unit(const std::string& unit, const std::string& stressor = {}) {
  const std::string u = unit;
  Shown s{1, u};
  if (u.rfind("kt", 0) == 0) s = {1e-3, fmt::format("Mt{}", u.substr(2))};
  else if (u.rfind("t ", 0) == 0 || u == "t") s = {1e-6, fmt::format("Mt{}", u.substr(1))};
  // "kt" of the stressor CO2: "Mt CO2"
  if ((s.unit == "Mt" || s.unit == "t" || s.unit == "kt") && !stressor.empty()) s.unit = fmt::format("{} {}", s.unit, stressor);
  return s;
}
std::string scaled(const json& v, double scale) {
  return v.is_number() ? format_number(v.get<double>() * scale) : std::string("?");
}

void write_mrio_montecarlo(Writer& w, const Plan& plan, const std::vector<StepResult>& results, size_t i) {
  const json& res = results[i].result;
  const std::string region = wanted_region(plan, results);
  const json draws = res.contains("montecarlo") ? res["montecarlo"].value("draws", json()) : json();
  const json rse = res.contains("model") ? res["model"].value("rse_z", json()) : json();
  bool any = false;
  for (const auto& st : res.value("stressors", json::array())) {
    for (const auto& reg : st.value("regions", json::array())) {
      if (str(reg, "region") != region) continue;
      const Shown u = shown_unit(str(st, "unit"), str(st, "stressor"));
      std::vector<std::string> parts;
      for (const char* account : {"production", "consumption", "exports", "imports"}) {
        if (!reg.contains(account)) continue;
        const json& d = reg[account];
        parts.push_back(w.f("{} {} {} (95 % interval {}–{})", "{} {} {}（95 %区间 {}–{}）",
                                    indicator_name(account, w.zh), scaled(d["mean"], u.scale), u.unit,
                                    scaled(d["p2_5"], u.scale), scaled(d["p97_5"], u.scale)));
      }
      if (w.zh)
        w.add(fmt::format("不确定性（蒙特卡洛，{} 次抽样，Z、Y、F 每个单元的相对标准误差 {} %，{}）：{} 的 {}。{}", num(draws),
                          rse.is_number() ? format_number(rse.get<double>() * 100) : "?", str(st, "stressor"), region,
                          fmt::format("{}", fmt::join(parts, "；")), cite(i)));
      else
        w.add(fmt::format("Uncertainty (Monte Carlo, {} draws, relative standard error {} % on every cell of Z, Y and "
                          "F, stressor {}): {} {}. {}",
                          num(draws), rse.is_number() ? format_number(rse.get<double>() * 100) : "?",
                          str(st, "stressor"), region, fmt::format("{}", fmt::join(parts, "; ")), cite(i)));
      any = true;
      break;
    }
    if (any) break;
  }
  if (!any)
    w.add(w.f("The Monte Carlo ran ({} draws), but its regions do not include '{}'. {}",
                          "蒙特卡洛已运行（{} 次抽样），但其区域中没有“{}”。{}",
                      num(draws), region, cite(i)));
}

// Trade + uncertainty together: the exports' share of production (both from the ledger) and the Monte Carlo
// range of the exports, in one sentence.
void write_trade_uncertainty(Writer& w, const Plan& plan, const std::vector<StepResult>& results) {
  const StepResult* acc = nullptr;
  const StepResult* mc = nullptr;
  size_t ia = 0, im = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].error.empty()) continue;
    if (results[i].step.tool == "account" && !acc) acc = &results[i], ia = i;
    if (results[i].step.tool == "mrio montecarlo" && !mc) mc = &results[i], im = i;
  }
  if (!acc || !mc) return;
  const std::string region = wanted_region(plan, results);
  // the WIOD source of the Monte Carlo's year: the ledger row of the same MRIO
  const json* exports = nullptr;
  const json* production = nullptr;
  for (const auto& row : member(acc->result, "rows")) {
    const std::string s = str(row, "source");
    if (s.rfind("wiod", 0) != 0) continue;
    if (str(row, "indicator") == "exports") exports = &row;
    if (str(row, "indicator") == "production") production = &row;
  }
  if (!exports || !(*exports)["value"].is_number()) return;
  const json* mc_region = nullptr;
  std::string unit, stressor;
  for (const auto& st : member(mc->result, "stressors")) {
    for (const auto& reg : member(st, "regions"))
      if (str(reg, "region") == region && reg.contains("exports"))
        mc_region = &reg, unit = str(st, "unit"), stressor = str(st, "stressor");
    if (mc_region) break;
  }
  if (!mc_region) return;
  const Shown u = shown_unit(unit, stressor);
  const json& mce = (*mc_region)["exports"];
  // production: the ledger's row when the account step asked for it, else the Monte Carlo's deterministic value
  // (the same WIOD table without perturbation)
  double p = 0;
  std::string p_unit;
  size_t ip = ia;
  if (production && (*production)["value"].is_number()) {
    p = (*production)["value"].get<double>();
    p_unit = str(*production, "unit");
  } else if (mc_region->contains("production") && (*mc_region)["production"]["deterministic"].is_number()) {
    p = (*mc_region)["production"]["deterministic"].get<double>() * u.scale;
    p_unit = u.unit;
    ip = im;
  }
  if (p == 0) return;
  const double e = (*exports)["value"].get<double>();
  const double lo = mce["p2_5"].get<double>() * u.scale, hi = mce["p97_5"].get<double>() * u.scale;
  const std::string year = (*exports)["year"].dump();
  std::string name = str(*exports, "name", region);
  if (w.zh && !str(plan.slots, "country_name").empty()) name = str(plan.slots, "country_name");
  const std::string cites = ip == ia ? cite(ia) : cite(ia) + cite(ip);
  if (w.zh)
    w.add(fmt::format("综合：{}{}年的生产侧排放 {} {} 中，有 {} {}（{} %）隐含在出口中 {}；按蒙特卡洛，出口隐含排放的 95 %区间为 "
                      "{}–{} {} {}。",
                      name, year, format_number(p), p_unit, num((*exports)["value"]), str(*exports, "unit"),
                      format_number(100 * e / p), cites, format_number(lo), format_number(hi), u.unit, cite(im)));
  else
    w.add(fmt::format("Together: of {}'s production-side emissions of {} {} in {}, {} {} ({} %) were embodied in exports "
                      "{}; by the Monte Carlo, the 95 % interval of the exports is {}–{} {} {}.",
                      name, format_number(p), p_unit, year, num((*exports)["value"]), str(*exports, "unit"),
                      format_number(100 * e / p), cites, format_number(lo), format_number(hi), u.unit, cite(im)));
}

const json* category_row(const json& rows, const std::string& name) {
  if (!rows.is_array()) return nullptr;
  for (const auto& r : rows)
    if (str(r, "category") == name) return &r;
  return nullptr;
}

void write_lca_calc(Writer& w, const StepResult& r, size_t i) {
  const json& res = r.result;
  if (!res.contains("process")) {  // several processes
    for (const auto& p : res.value("results", json::array())) {
      const json* total = category_row(member(p, "results"), "total");
      if (!total) total = p.contains("results") && !p["results"].empty() ? &p["results"][0] : nullptr;
      if (!total) continue;
      w.add(w.f("{} {} of {}: {} {} {}", "{} {} {}：{} {} {}", given(p["amount"]), str(p, "unit"),
                        str(p, "process"), num((*total)["amount"]), str(*total, "unit"), cite(i)));
    }
    return;
  }
  const json& rows = res.value("results", json::array());
  const json* total = category_row(rows, "total");
  if (!total && rows.is_array() && !rows.empty()) total = &rows[0];
  if (!total) return;
  std::vector<std::string> parts;
  for (const auto& [key, en, zh] : {std::tuple{"fossil", "fossil", "化石"}, std::tuple{"biogenic", "biogenic", "生物源"},
                                    std::tuple{"luc", "land-use change", "土地利用变化"}}) {
    const json* row = category_row(rows, key);
    if (row) parts.push_back(fmt::format("{} {} {}", w.zh ? zh : en, num((*row)["amount"]), str(*row, "unit")));
  }
  const std::string gwp = res.contains("gwp") && res["gwp"].is_string() ? res["gwp"].get<std::string>() : "";
  const std::string process = str(res["process"], "name");
  if (w.zh)
    w.add(fmt::format("{} {} “{}”（数据库 {}）的碳足迹为 {} {}（{}{}）{}{}。", given(res["amount"]), str(res, "unit"), process,
                      str(res, "database"), num((*total)["amount"]), str(*total, "unit"), str(res, "method"),
                      gwp.empty() ? std::string() : fmt::format("，{}", gwp),
                      parts.empty() ? "" : fmt::format("，其中 {}", fmt::join(parts, "、")), cite(i)));
  else
    w.add(fmt::format("The carbon footprint of {} {} of '{}' (database {}) is {} {} ({}{}){}. {}", given(res["amount"]),
                      str(res, "unit"), process, str(res, "database"), num((*total)["amount"]), str(*total, "unit"),
                      str(res, "method"), gwp.empty() ? std::string() : fmt::format(", {}", gwp),
                      parts.empty() ? "" : fmt::format(": {}", fmt::join(parts, ", ")), cite(i)));
  const auto unmapped = res.value("unmapped_mass_flows", json::array());
  if (unmapped.is_array() && !unmapped.empty())
    w.add(w.t("Some mass flows of the inventory have no characterisation factor; the JSON result lists them.",
              "清单中部分质量流没有特征化因子；JSON 结果中列出了它们。"));
}

void write_lca_montecarlo(Writer& w, const StepResult& r, size_t i) {
  const json& res = r.result;
  const json cats = res.value("categories", json::array());
  const json* cat = category_row(cats, "total");
  if (!cat && cats.is_array() && !cats.empty()) cat = &cats[0];
  if (!cat) return;
  const json draws = res.contains("setup") ? res["setup"].value("draws", json()) : json();
  std::string top;
  const json contributions = cat->value("contributions", json::array());
  if (contributions.is_array() && !contributions.empty())
    top = w.f("; the largest contributor to the variance is '{}' ({} %)", "；对方差贡献最大的是“{}”（{} %）",
                      str(contributions[0], "process"), num(contributions[0]["share_pct"]));
  if ((*cat)["p2_5"] == (*cat)["p97_5"]) {
    w.add(w.f("Uncertainty (Monte Carlo, {} draws): every draw gave {} {}: the database holds no uncertainty for the "
              "exchanges of this supply chain, so no range can be given. {}",
              "不确定性（蒙特卡洛，{} 次抽样）：每次抽样结果都是 {} {}：数据库没有为该供应链的交换量提供不确定性，因此无法给出区间。{}",
              num(draws), num((*cat)["mean"]), str(*cat, "unit"), cite(i)));
    return;
  }
  if (w.zh)
    w.add(fmt::format("不确定性（蒙特卡洛，{} 次抽样，数据库中的不确定性）：均值 {} {}，95 %区间 {}–{} {}{} {}。", num(draws),
                      num((*cat)["mean"]), str(*cat, "unit"), num((*cat)["p2_5"]), num((*cat)["p97_5"]),
                      str(*cat, "unit"), top, cite(i)));
  else
    w.add(fmt::format("Uncertainty (Monte Carlo, {} draws, from the database's uncertainty): mean {} {}, 95 % interval "
                      "{}–{} {}{}. {}",
                      num(draws), num((*cat)["mean"]), str(*cat, "unit"), num((*cat)["p2_5"]), num((*cat)["p97_5"]),
                      str(*cat, "unit"), top, cite(i)));
}

void write_lca_search(Writer& w, const StepResult& r, size_t i) {
  const json& hits = r.result.is_array() ? r.result : r.result.value("hits", json::array());
  std::vector<std::string> names;
  for (const auto& h : hits) {
    if (str(h, "kind", "process") != "process") continue;
    if (names.size() < 3) names.push_back(fmt::format("'{}'", str(h, "name")));
  }
  const std::string query = str(r.step.arguments, "query");
  if (names.empty())
    w.add(w.f("No process matches '{}' {}.", "没有与“{}”匹配的过程 {}。", query, cite(i)));
  else
    w.add(w.f("Search for '{}': {} {}.", "搜索“{}”：{} {}。", query,
                      fmt::join(names, w.zh ? "、" : ", "), cite(i)));
}

void write_lca_contributions(Writer& w, const StepResult& r, size_t i) {
  const json& res = r.result;
  std::vector<std::string> parts;
  for (const auto& c : res.value("contributions", json::array())) {
    if (parts.size() >= 3) break;
    const std::string name = str(c, "process", str(c, "location", str(c, "category")));
    parts.push_back(fmt::format("'{}' {} {} ({} %)", name, num(c["amount"]), str(res, "unit"),
                                c.contains("share") && c["share"].is_number() ? format_number(c["share"].get<double>() * 100)
                                                                              : "?"));
  }
  if (parts.empty()) return;
  w.add(w.f("The largest direct contributors to the total of {} {}: {}. {}",
                        "对总量 {} {} 直接贡献最大的：{}。{}",
                    num(res["total"]), str(res, "unit"), fmt::join(parts, w.zh ? "；" : "; "), cite(i)));
}

void write_lca_footprint(Writer& w, const StepResult& r, size_t i) {
  const json& res = r.result;
  const json& v = res.value("results", json::object());
  const std::string unit = str(res, "unit", "kg CO2e");
  std::string report;
  for (const auto& f : res.value("files", json::array()))
    if (f.is_string() && f.get<std::string>().size() >= 9 &&
        f.get<std::string>().compare(f.get<std::string>().size() - 9, 9, "report.md") == 0)
      report = f.get<std::string>();
  if (w.zh)
    w.add(fmt::format("产品碳足迹研究（{}）：每功能单位 {} {}（化石 {}，生物源 {}，土地利用变化 {}）{}。报告：{}",
                      str(res, "gwp"), num(v.value("total", json())), unit, num(v.value("fossil", json())),
                      num(v.value("biogenic", json())), num(v.value("luc", json())), cite(i), report));
  else
    w.add(fmt::format("Product carbon footprint study ({}): {} {} per functional unit (fossil {}, biogenic {}, "
                      "land-use change {}) {}. Report: {}",
                      str(res, "gwp"), num(v.value("total", json())), unit, num(v.value("fossil", json())),
                      num(v.value("biogenic", json())), num(v.value("luc", json())), cite(i), report));
}

void write_natural_sinks(Writer& w, const Plan& plan, const StepResult& r, size_t i) {
  const json& res = r.result;
  const json years = res.value("years", json::array());
  if (!years.is_array() || years.empty()) return;
  const json* y = &years.back();
  if (plan.slots.is_object() && plan.slots.contains("year"))
    for (const auto& row : years)
      if (row.value("year", json()) == plan.slots["year"]) y = &row;
  const std::string unit = str(res, "unit");
  if (w.zh)
    w.add(fmt::format("全球碳收支（{}），{}年：海洋碳汇 {} {}，陆地碳汇 {} {}；化石排放 {}，土地利用变化 {}，大气增长 {}，收支不平衡 {} {}。",
                      str(res, "source"), (*y)["year"].dump(), num((*y)["ocean_sink"]), unit, num((*y)["land_sink"]), unit,
                      num((*y)["fossil"]), num((*y)["land_use_change"]), num((*y)["atmospheric_growth"]),
                      num((*y)["budget_imbalance"]), cite(i)));
  else
    w.add(fmt::format("Global carbon budget ({}), {}: ocean sink {} {}, land sink {} {}; fossil emissions {}, land-use "
                      "change {}, atmospheric growth {}, budget imbalance {}. {}",
                      str(res, "source"), (*y)["year"].dump(), num((*y)["ocean_sink"]), unit, num((*y)["land_sink"]),
                      unit, num((*y)["fossil"]), num((*y)["land_use_change"]), num((*y)["atmospheric_growth"]),
                      num((*y)["budget_imbalance"]), cite(i)));
}

void write_ledger_build(Writer& w, const StepResult& r, size_t i) {
  std::vector<std::string> sources;
  for (const auto& s : r.result.value("sources", json::array())) {
    sources.push_back(str(s, "source"));
    if (sources.size() >= 4) break;
  }
  const size_t n = r.result.value("sources", json::array()).size();
  w.add(w.f("The ledger was loaded first ({}{}). {}", "先载入了账本（{}{}）。{}", fmt::join(sources, ", "),
                    n > sources.size() ? ", ..." : "", cite(i)));
}

void write_lca_import(Writer& w, const StepResult& r, size_t i) {
  w.add(w.f("The LCA database '{}' was imported first. {}", "先导入了 LCA 数据库“{}”。{}",
                    str(r.step.arguments, "name", str(r.result, "name")), cite(i)));
}

// Any other capability: its scalar numbers, named by their keys (at most six), and the pointer to the JSON.
void write_generic(Writer& w, const StepResult& r, size_t i) {
  std::vector<std::string> parts;
  if (r.result.is_object())
    for (const auto& [k, v] : r.result.items()) {
      if (parts.size() >= 6) break;
      if (v.is_number()) parts.push_back(fmt::format("{} {}", k, num(v)));
      else if (v.is_string() && v.get<std::string>().size() < 60) parts.push_back(fmt::format("{} {}", k, v.get<std::string>()));
    }
  const size_t n = r.result.is_array() ? r.result.size() : 0;
  if (!parts.empty())
    w.add(w.f("{}: {}. {}", "{}：{}。{}", r.step.tool, fmt::join(parts, w.zh ? "，" : ", "), cite(i)));
  else if (n > 0)
    w.add(w.f("{}: the rows are in the JSON result. {}", "{}：各行见 JSON 结果。{}", r.step.tool, cite(i)));
  else
    w.add(w.f("{} ran; its result is in the JSON. {}", "{} 已运行；结果见 JSON。{}", r.step.tool, cite(i)));
}

// GWP values: the gas asked (and its fossil/non-fossil variants), else CO2, CH4 and N2O.
void write_gwp(Writer& w, const Plan& plan, const StepResult& r, size_t i) {
  const json& table = r.result.contains("gwp100") ? r.result["gwp100"] : json::object();
  if (!table.is_object() || table.empty()) return write_generic(w, r, i);
  std::vector<std::string> gases;
  const std::string gas = plan.slots.is_object() ? str(plan.slots, "gas") : "";
  if (!gas.empty()) {
    for (const auto& [k, v] : table.items())
      if (k == gas || k.rfind(gas + "_", 0) == 0) gases.push_back(k);
  }
  if (gases.empty())
    for (const char* g : {"CO2", "CH4", "N2O"})
      if (table.contains(g)) gases.push_back(g);
  std::vector<std::string> parts;
  for (const auto& g : gases) parts.push_back(fmt::format("{} {}", g, num(table[g])));
  w.add(w.f("GWP100 ({}, {}): {} {}. {}", "GWP100（{}，{}）：{} {}。{}", str(r.result, "set"), str(r.result, "document"),
            fmt::join(parts, w.zh ? "；" : "; "), str(r.result, "unit"), cite(i)));
}

// ---- industrial processes, CBAM and avoided emissions (issue 15) ----

// Tonnes as shown: Mt from a million tonnes, else t (the verifier reads the scaling as a power of 1000).
std::string tonnes(const json& v, const char* gas) {
  if (!v.is_number()) return "?";
  const double t = v.get<double>();
  return std::fabs(t) >= 1e6 ? fmt::format("{} Mt {}", format_number(t / 1e6), gas) : fmt::format("{} t {}", format_number(t), gas);
}

// `cbam defaults`: the rows (at most eight) with the year's mark-up, and the citation.
void write_cbam_defaults(Writer& w, const StepResult& r, size_t i) {
  const json& rows = member(r.result, "rows");
  if (!rows.is_array() || rows.empty()) return write_generic(w, r, i);
  std::vector<std::string> parts;
  for (const auto& row : rows) {
    if (parts.size() >= 8) break;
    parts.push_back(w.f("{} {} {} ({}), {} with the {} % mark-up", "{} {} {}（{}），加成 {} % 后 {}",
                        str(row, "cn_code"), str(row, "description"), num(row.value("counted", json())),
                        str(row, "scopes_counted"), w.zh ? given(row.value("markup_pct", json())) : num(row.value("counted_with_markup", json())),
                        w.zh ? num(row.value("counted_with_markup", json())) : given(row.value("markup_pct", json()))));
  }
  const std::string country = rows.front().is_object() ? str(rows.front(), "country") : "";
  w.add(w.f("CBAM default values of {} for {}, t CO2e per t of good ({}): {}{}. {}",
            "{} {}年 CBAM 默认值（吨 CO2e/吨货物；{}）：{}{}。{}", country, r.result.value("year", json()).dump(),
            str(r.result, "citation"), fmt::join(parts, w.zh ? "；" : "; "),
            rows.size() > parts.size() ? w.t("; the other rows are in the result", "；其余各行见结果") : "", cite(i)));
  w.add(w.t("The default counts direct emissions, and also indirect ones for cement and fertilisers (the CBAM "
            "Regulation's Annex II); the mark-up rises each year until 2028.",
            "默认值计入直接排放，水泥和化肥还计入间接排放（CBAM 法规附件 II）；加成逐年提高至2028年。"));
}

// `cbam compare`: the default with the year's mark-up beside the actual value, the gap split into the base-value gap
// and the designed mark-up, and the certificates' cost difference.
void write_cbam_compare(Writer& w, const StepResult& r, size_t i) {
  const json& c = r.result;
  if (!c.is_object() || !c.contains("default_with_markup_t_per_t")) return write_generic(w, r, i);
  w.add(w.f("CBAM default for CN {} ({}) from {}, {}: {} t CO2e/t ({}), with the {} % mark-up {} t CO2e/t. {}",
            "CBAM 默认值：{}（{}），原产国 {}，{}年：{} 吨 CO2e/吨（{}），加成 {} % 后为 {} 吨 CO2e/吨。{}",
            str(c, "cn_code"), str(c, "description"), str(c, "country_name"), c.value("year", json()).dump(),
            num(member(c, "default_t_per_t")), str(c, "scopes_counted"), given(c.value("markup_pct", json())),
            num(member(c, "default_with_markup_t_per_t")), cite(i)));
  if (!c.value("actual_t_per_t", json()).is_number()) {
    w.add(w.t("No actual value was given, so there is nothing to compare it with (give one in t CO2e per t, or a route).",
              "未给出实际值，因此无从比较（请给出以吨 CO2e/吨计的实际值或一条工艺路线）。"));
    return;
  }
  const double diff = c.value("difference_t_per_t", 0.0);
  const json& route = member(c, "route");
  const std::string from = route.is_object() ? w.f(" (simulated from the route {})", "（由路线 {} 模拟）", str(route, "name")) : "";
  if (std::fabs(diff) < 1e-9) {
    w.add(w.f("The actual value{} equals the default with mark-up. {}", "实际值{}与加成后的默认值相同。{}", from, cite(i)));
    return;
  }
  if (diff > 0)
    w.add(w.f("The actual value {} t CO2e/t{} is lower by {} t CO2e/t: {} from the base-value gap (default minus actual) "
              "and {} from the designed mark-up. At {} EUR/t CO2e, declaring the actual value costs {} EUR less in "
              "certificates per t of good. {}",
              "实际值 {} 吨 CO2e/吨{}，比加成后的默认值低 {} 吨 CO2e/吨：其中 {} 来自基础值差距（默认值减实际值），{} 来自设计的加成。按 {} "
              "欧元/吨 CO2e 计，申报实际值每吨货物少付 {} 欧元证书费用。{}",
              num(member(c, "actual_t_per_t")), from, num(member(c, "difference_t_per_t")), num(member(c, "base_gap_t_per_t")),
              num(member(c, "markup_t_per_t")), num(member(c, "ets_price_eur_per_t")), num(member(c, "certificate_cost_difference_eur_per_t")),
              cite(i)));
  else
    w.add(w.f("The actual value {} t CO2e/t{} is higher than the default with mark-up by {} t CO2e/t: at {} EUR/t CO2e "
              "the default costs {} EUR less in certificates per t of good. {}",
              "实际值 {} 吨 CO2e/吨{}，比加成后的默认值高 {} 吨 CO2e/吨：按 {} 欧元/吨 CO2e 计，使用默认值每吨货物少付 {} "
              "欧元证书费用。{}",
              num(member(c, "actual_t_per_t")), from, num(member(c, "difference_t_per_t")), num(member(c, "ets_price_eur_per_t")),
              num(member(c, "certificate_cost_difference_eur_per_t")), cite(i)));
}

// `process simulate`: the route's intensity by scope, the grid factor, the mass balance, the first sources.
void write_process_simulate(Writer& w, const StepResult& r, size_t i) {
  const json& s = r.result;
  const json& per = member(s, "per_t_product");
  if (!per.is_object() || !per.contains("total")) return write_generic(w, r, i);
  const std::string unit = str(s, "product_unit", "t");
  const std::string unit_zh = unit == "t" ? "吨" : unit;
  w.add(w.f("Route {}, per {} of {}: direct {}, indirect {} (electricity at {} t CO2/MWh), precursor {}, total {} t CO2e "
            "({} GWP100). {}",
            "路线 {}，每{} {}：直接 {}，间接 {}（电力 {} 吨 CO2/兆瓦时），前体 {}，合计 {} 吨 CO2e（{} GWP100）。{}",
            str(s, "route"), w.zh ? unit_zh : unit, str(s, "product"), num(member(per, "direct")), num(member(per, "indirect")),
            num(s.value("grid_factor_t_per_mwh", json())), num(member(per, "precursor")), num(member(per, "total")), str(s, "gwp"),
            cite(i)));
  const json& sources = member(s, "sources");
  std::vector<std::string> first;
  for (const auto& x : sources) {
    if (first.size() >= 2) break;
    if (x.is_string()) first.push_back(x.get<std::string>());
  }
  w.add(w.f("Every unit's mass balance closes (largest residual {} t). {}{}", "各单元物料平衡闭合（最大残差 {} 吨）。{}{}",
            num(s.value("max_mass_residual_t", json())),
            first.empty() ? std::string() : w.f("Sources: {}. ", "来源：{}。", fmt::join(first, w.zh ? "；" : "; ")),
            cite(i)));
}

// `avoided`: the totals, the fleet's payback, the largest row, and why it is a ledger apart.
void write_avoided(Writer& w, const StepResult& r, size_t i) {
  const json& t = member(r.result, "total");
  const json& rows = member(r.result, "rows");
  if (!t.is_object() || !t.contains("annual_avoided_t")) return write_generic(w, r, i);
  w.add(w.f("In their first year the products avoid {} of grid emissions in their destinations and {} over their "
            "lifetimes, against {} emitted making them; the fleet's payback is {} years (total manufacturing over "
            "first-year avoided). {}",
            "这些产品投运第一年在目的地避免电网排放 {}，整个寿命期避免 {}，而制造它们排放了 {}；整体回收期为 {} 年（制造排放总量除以首年避免量）。{}",
            tonnes(member(t, "annual_avoided_t"), "CO2"), tonnes(member(t, "lifetime_avoided_t"), "CO2"),
            tonnes(member(t, "manufacturing_t"), "CO2e"), num(t.value("payback_years", json())), cite(i)));
  const json* top = nullptr;
  for (const auto& row : rows)
    if (row.is_object() && row.value("annual_avoided_t", json()).is_number() &&
        (!top || row["annual_avoided_t"].get<double>() > (*top)["annual_avoided_t"].get<double>()))
      top = &row;
  if (top)
    w.add(w.f("The largest row is {} to {}: {} a year. {}", "最大的一行是出口到{}的{}：每年 {}。{}",
              w.zh ? str(*top, "destination") : str(*top, "product"), w.zh ? str(*top, "product") : str(*top, "destination"),
              tonnes(member(*top, "annual_avoided_t"), "CO2"), cite(i)));
  w.add(w.t("This is a ledger apart (WBCSD 2023): it is never subtracted from an inventory. It sets the exporter's "
            "cradle-to-gate manufacturing emissions beside use-phase grid emissions displaced in other countries, which "
            "appear in those countries' own inventories, so the two are not a net figure.",
            "这是一本独立的台账（WBCSD 2023）：绝不能从任何清单中扣减。它把出口国从摇篮到大门的制造排放与其他国家使用阶段被替代"
            "的电网排放并列，后者体现在这些国家自己的清单中，因此两者不能相减为净值。"));
}

// ---- least-cost abatement: process optimize and process macc (docs/process.md) ----

// Tonnes as shown: Gt from a billion tonnes, Mt from a million, else t (scalings by a power of 1000).
std::string big_tonnes(const json& v, const char* what) {
  if (!v.is_number()) return "?";
  const double t = v.get<double>();
  const double a = std::fabs(t);
  if (a >= 1e9) return fmt::format("{} Gt {}", format_number(t / 1e9), what);
  if (a >= 1e6) return fmt::format("{} Mt {}", format_number(t / 1e6), what);
  return fmt::format("{} t {}", format_number(t), what);
}
// Money as shown: billion or million USD in English; 亿 or 万 in Chinese (the verifier reads both multipliers).
std::string money(const json& v, const std::string& currency, bool zh) {
  if (!v.is_number()) return "?";
  const double x = v.get<double>();
  const double a = std::fabs(x);
  const std::string cur = zh && currency == "USD" ? "美元" : (zh ? currency : " " + currency);
  if (zh) {
    if (a >= 1e8) return fmt::format("{}亿{}", format_number(x / 1e8), cur);
    if (a >= 1e4) return fmt::format("{}万{}", format_number(x / 1e4), cur);
    return fmt::format("{}{}", format_number(x), cur);
  }
  if (a >= 1e9) return fmt::format("{} billion{}", format_number(x / 1e9), cur);
  if (a >= 1e6) return fmt::format("{} million{}", format_number(x / 1e6), cur);
  return fmt::format("{}{}", format_number(x), cur);
}
// An activity with its unit ("t crude steel" in Mt from a million tonnes).
std::string activity(const json& v, const std::string& unit) {
  if (!v.is_number()) return "?";
  const double x = v.get<double>();
  if (unit.rfind("t ", 0) == 0 && std::fabs(x) >= 1e6) return fmt::format("{} Mt{}", format_number(x / 1e6), unit.substr(1));
  return fmt::format("{} {}", format_number(x), unit);
}
bool positive(const json& v) { return v.is_number() && v.get<double>() > 0; }

// `process optimize`: status, cost and emissions, each cap's dual (the marginal abatement cost), the routes that
// run most in the last period; an infeasible cap with the lowest emissions the model can reach.
void write_process_optimize(Writer& w, const StepResult& r, size_t i) {
  const json& o = r.result;
  if (!o.is_object() || !o.contains("status")) return write_generic(w, r, i);
  const std::string status = str(o, "status"), model = str(o, "model"), cur = str(o, "currency", "USD");
  const std::string cur_zh = cur == "USD" ? "美元" : cur;
  const json& cap_arg = member(r.step.arguments, "cap");
  if (status == "infeasible") {
    const json& lowest = member(o, "lowest_emissions_t");
    if (lowest.is_number() && cap_arg.is_number())
      w.add(w.f("The cap cannot be met: {} over all periods is below the lowest emissions the model {} can reach, {}. "
                "A cap of at least {} is feasible. {}",
                "该上限无法实现:全部时期合计 {} 低于模型“{}”所能达到的最低排放 {}。上限至少为 {} 时才可行。{}",
                big_tonnes(cap_arg, "CO2e"), model, big_tonnes(lowest, "CO2e"), big_tonnes(lowest, "CO2e"), cite(i)));
    else if (lowest.is_number())
      w.add(w.f("The model {} cannot meet its emission caps: the lowest emissions it can reach are {} ({}). {}",
                "模型“{}”无法满足其排放上限:所能达到的最低排放为 {}({})。{}", model, big_tonnes(lowest, "CO2e"),
                str(o, "message"), cite(i)));
    else
      w.add(w.f("The model {} is infeasible: {}. {}", "模型“{}”无解:{}。{}", model, str(o, "message"), cite(i)));
    return;
  }
  if (status != "optimal") {
    w.add(w.f("The model {} was not solved to optimality (status {}): {}. {}", "模型“{}”未求得最优解(状态 {}):{}。{}",
              model, status, str(o, "message"), cite(i)));
    return;
  }
  const json& price = member(o, "carbon_price");
  const std::string at_price =
      positive(price) ? w.f(" at a carbon price of {} {}/t CO2e", ",碳价 {} {}/吨 CO2e", num(price), w.zh ? cur_zh : cur) : "";
  w.add(w.f("The least-cost plan of the model {}{} is optimal: total cost {} (present value) and total emissions {} "
            "over all periods. {}",
            "模型“{}”{}的最低成本方案为最优解:总成本(现值){},全部时期总排放 {}。{}",
            model, at_price, money(member(o, "objective"), cur, w.zh), big_tonnes(member(o, "total_emissions_t"), "CO2e"),
            cite(i)));
  const json& caps = member(member(o, "duals"), "emission_caps");
  for (const auto& c : caps) {
    if (!c.is_object()) continue;
    if (c.value("binding", false))
      w.add(w.f("The cap '{}' of {} binds: its dual, the marginal abatement cost, is {} {} per t CO2e (present value{}). {}",
                "上限 {}({})为紧约束:其对偶值即边际减排成本为每吨 CO2e {} {}(现值{})。{}", str(c, "name"),
                big_tonnes(member(c, "max_t"), "CO2e"), num(member(c, "marginal_cost_per_t")), w.zh ? cur_zh : cur,
                positive(price) ? w.t(", on top of the carbon price", ",碳价之外") : "", cite(i)));
    else
      w.add(w.f("The cap '{}' of {} does not bind (emissions {}), so its marginal abatement cost is zero. {}",
                "上限 {}({})不是紧约束(排放 {}),因此其边际减排成本为零。{}", str(c, "name"),
                big_tonnes(member(c, "max_t"), "CO2e"), big_tonnes(member(c, "emissions_t"), "CO2e"), cite(i)));
  }
  if (caps.empty() || !caps.is_array())
    w.add(w.t("The model has no emission cap, so no marginal abatement cost comes from a cap's dual.",
              "该模型没有排放上限,因此没有来自上限对偶值的边际减排成本。"));
  // the routes that run most in the last period
  const json& periods = member(o, "emissions_by_period");
  if (!periods.is_array() || periods.empty() || !periods.back().is_object()) return;
  const json& last = periods.back();
  const std::string period = str(last, "period");
  std::vector<const json*> rows;
  for (const auto& a : member(o, "activities"))
    if (a.is_object() && str(a, "period") == period && a.value("activity", json()).is_number() &&
        a["activity"].get<double>() > 0)
      rows.push_back(&a);
  std::sort(rows.begin(), rows.end(),
            [](const json* a, const json* b) { return (*a)["activity"].get<double>() > (*b)["activity"].get<double>(); });
  std::vector<std::string> parts;
  for (size_t k = 0; k < rows.size() && k < 4; ++k)
    parts.push_back(w.f("{} in {} {}", "{}({}){}", str(*rows[k], "route"), str(*rows[k], "region"),
                        activity(member(*rows[k], "activity"), str(*rows[k], "unit"))));
  w.add(w.f("In {} the model emits {}; the routes that run most: {}. {}", "{}年模型排放 {};运行最多的路线:{}。{}", period,
            big_tonnes(member(last, "emissions_t"), "CO2e"), fmt::join(parts, w.zh ? ";" : "; "), cite(i)));
}

// `process macc`: the integrated curve (each cap's marginal abatement cost) or the partial curve of measures.
void write_process_macc(Writer& w, const StepResult& r, size_t i) {
  const json& m = r.result;
  const std::string kind = str(m, "kind");
  if (kind == "integrated") {
    const std::string cur = str(m, "currency", "USD");
    const std::string unit = w.zh && cur == "USD" ? "美元/吨 CO2e" : cur + "/t CO2e";
    w.add(w.f("Marginal abatement cost curve of the model {}: uncapped it emits {} over all periods at a total cost of {}. {}",
              "模型“{}”的边际减排成本曲线:无上限时全部时期排放 {},总成本 {}。{}", str(m, "model"),
              big_tonnes(member(m, "baseline_emissions_t"), "CO2e"), money(member(m, "baseline_cost"), cur, w.zh), cite(i)));
    std::vector<std::string> parts;
    for (const auto& s : member(m, "steps")) {
      if (!s.is_object()) continue;
      if (str(s, "status") != "optimal") {
        parts.push_back(w.f("cap {}: {}", "上限 {}:{}", big_tonnes(member(s, "cap_t"), "CO2e"),
                            str(s, "status") == "infeasible" ? w.t("cannot be met", "无法实现") : str(s, "status")));
        continue;
      }
      parts.push_back(w.f("cap {}: marginal abatement cost {} {} (abatement {}, average cost {} {})",
                          "上限 {}:边际减排成本 {} {}(减排 {},平均成本 {} {})", big_tonnes(member(s, "cap_t"), "CO2e"),
                          num(member(s, "marginal_cost_per_t")), unit, big_tonnes(member(s, "abatement_t"), "CO2e"),
                          num(member(s, "average_cost_per_t")), unit));
    }
    if (!parts.empty()) w.add(fmt::format("{}{}{}", fmt::join(parts, w.zh ? ";" : "; "), w.zh ? "。" : ". ", cite(i)));
    if (member(m, "lowest_emissions_t").is_number())
      w.add(w.f("Caps below {} cannot be met: that is the lowest the model can emit. {}",
                "低于 {} 的上限无法实现:这是模型所能达到的最低排放。{}", big_tonnes(member(m, "lowest_emissions_t"), "CO2e"),
                cite(i)));
    return;
  }
  if (kind != "partial") return write_generic(w, r, i);
  const json& ms = member(m, "measures");
  const bool annual = m.value("annualised", false);
  std::vector<std::string> pay, rest;
  for (const auto& x : ms) {
    if (!x.is_object()) continue;
    const json& c = member(x, "cost_usd_per_t");
    const std::string part = w.f("{} ({} USD/t, {})", "{}(每吨 {} 美元,{})", str(x, "measure"), num(c),
                                 big_tonnes(member(x, "abatement_t"), annual ? w.t("CO2e a year", "CO2e/年") : "CO2e"));
    (c.is_number() && c.get<double>() < 0 ? pay : rest).push_back(part);
  }
  w.add(w.f("Partial abatement cost curve of the measures{}, cheapest first. {}", "各项措施的局部边际减排成本曲线{},由低到高。{}",
            annual ? w.t(" (up-front costs annualised over each measure's lifetime)", "(初始投资按各措施寿命年化)") : "",
            cite(i)));
  if (!pay.empty())
    w.add(w.f("Pay for themselves (negative cost per t): {}; together {}. {}", "可自身收回成本(每吨成本为负):{};合计 {}。{}",
              fmt::join(pay, w.zh ? ";" : "; "), big_tonnes(member(m, "negative_cost_abatement_t"), annual ? w.t("CO2e a year", "CO2e/年") : "CO2e"),
              cite(i)));
  else
    w.add(w.f("No measure pays for itself (none has a negative cost per t). {}", "没有措施可自身收回成本(每吨成本均不为负)。{}",
              cite(i)));
  if (!rest.empty())
    w.add(w.f("Then, at a cost: {}. All measures together abate {} at a net cost of {}{}. {}",
              "其后为有成本的措施:{}。全部措施合计减排 {},净成本 {}{}。{}", fmt::join(rest, w.zh ? ";" : "; "),
              big_tonnes(member(m, "total_abatement_t"), annual ? w.t("CO2e a year", "CO2e/年") : "CO2e"),
              money(member(m, "total_cost_usd"), "USD", w.zh), annual ? w.t(" a year", "/年") : "", cite(i)));
}

// What to do about a failed step: the data to import or fetch, with the command.
std::string remedy(const StepResult& r, bool zh) {
  const std::string& e = r.error;
  const std::string& tool = r.step.tool;
  auto has = [&](const char* s) { return e.find(s) != std::string::npos; };
  if (tool.rfind("lca ", 0) == 0 && (has("database") || has("import")))
    return zh ? "先导入数据库：`panocarbon lca import ../shared/data/lca/uslci-jsonld --name uslci`"
              : "import the database first: `panocarbon lca import ../shared/data/lca/uslci-jsonld --name uslci`";
  if (tool == "account" && (has("ledger") || has("no value") || has("holds")))
    return zh ? "先建立账本：`panocarbon ledger build --default`"
              : "build the ledger first: `panocarbon ledger build --default`";
  if (tool == "mrio montecarlo" || tool.rfind("mrio", 0) == 0)
    return zh ? "需要 WIOD 2013 年度文件夹（带 CO2 账户，pymrio 格式，见 ../shared/data/README.md）；`panocarbon data fetch wiod "
                "--year 年份` 可下载发布者的文件（docs/data-fetch.md），或用 `--data 文件夹` 指定数据目录"
              : "it needs the WIOD 2013 year folder with the CO2 account (pymrio layout, see ../shared/data/README.md); "
                "`panocarbon data fetch wiod --year YEAR` downloads the publisher's files (docs/data-fetch.md), or name "
                "the data folder with `--data DIR`";
  if (tool == "natural sinks" && (has("exist") || has("not found") || has("No such")))
    return zh ? "需要全球碳收支 2019 数据（natural/gcb2019）；用 `--data 文件夹` 指定数据目录"
              : "it needs the Global Carbon Budget 2019 files (natural/gcb2019); name the data folder with `--data DIR`";
  return {};
}

}  // namespace

std::string compose(const Plan& plan, const std::vector<StepResult>& results) {
  Writer w;
  w.zh = plan.language == "zh";
  if (!plan.clarify.empty()) return plan.clarify;
  if (plan.steps.empty() || results.empty())
    return w.t("I could not turn this question into a calculation. I can answer questions on national production- and "
               "consumption-side CO2 and trade (e.g. \"China's consumption-side emissions in 2009\"), product carbon "
               "footprints from an LCA database (\"footprint of 1 kg of Portland cement in USLCI\"), natural sinks "
               "(\"Sweden's natural sink in 2020\", the global carbon budget), emission factors and GWP values, and the "
               "uncertainty of these results.",
               "我无法把这个问题变成计算。我可以回答：国家生产侧与消费侧 CO2 排放及贸易（如“中国2009年的消费侧排放是多少？”）、"
               "LCA 数据库中的产品碳足迹（如“USLCI 中 1 kg 波特兰水泥的碳足迹”）、自然碳汇（如“瑞典2020年的自然碳汇”、全球碳收支）、"
               "排放因子与 GWP 值，以及这些结果的不确定性。");
  bool any_ok = false;
  for (size_t i = 0; i < results.size(); ++i) {
    const StepResult& r = results[i];
    if (!r.error.empty()) {
      const std::string fix = remedy(r, w.zh);
      if (r.error.rfind("skipped:", 0) == 0)
        w.add(w.f("Step {} ({}) was not run: it needed an earlier result that failed.",
                              "步骤 {}（{}）未运行：它需要的前一步结果失败了。",
                          i + 1, r.step.tool));
      else
        w.add(w.f("Step {} ({}) failed: {}{}", "步骤 {}（{}）失败：{}{}", i + 1, r.step.tool, r.error,
                          fix.empty() ? std::string() : (w.zh ? "。解决办法：" : ". To fix it: ") + fix + "."));
      continue;
    }
    any_ok = true;
    const std::string& tool = r.step.tool;
    if (tool == "account" && r.step.arguments.value("all", false)) write_ranking(w, r, i);
    else if (tool == "account") write_account(w, plan, r, i);
    else if (tool == "gwp list") write_gwp(w, plan, r, i);
    else if (tool == "mrio montecarlo") write_mrio_montecarlo(w, plan, results, i);
    else if (tool == "lca calc") write_lca_calc(w, r, i);
    else if (tool == "lca montecarlo") write_lca_montecarlo(w, r, i);
    else if (tool == "lca search") write_lca_search(w, r, i);
    else if (tool == "lca contributions") write_lca_contributions(w, r, i);
    else if (tool == "lca footprint") write_lca_footprint(w, r, i);
    else if (tool == "natural sinks") write_natural_sinks(w, plan, r, i);
    else if (tool == "ledger build") write_ledger_build(w, r, i);
    else if (tool == "lca import") write_lca_import(w, r, i);
    else if (tool == "cbam defaults") write_cbam_defaults(w, r, i);
    else if (tool == "cbam compare") write_cbam_compare(w, r, i);
    else if (tool == "process simulate") write_process_simulate(w, r, i);
    else if (tool == "avoided") write_avoided(w, r, i);
    else if (tool == "process optimize") write_process_optimize(w, r, i);
    else if (tool == "process macc") write_process_macc(w, r, i);
    else write_generic(w, r, i);
  }
  write_trade_uncertainty(w, plan, results);
  // Steps the planner left out for want of data: its message says what is missing and what to do.
  if (plan.slots.is_object() && plan.slots.contains("missing") && plan.slots["missing"].is_array())
    for (const auto& m : plan.slots["missing"]) {
      const std::string msg = str(m, "message");
      if (!msg.empty()) w.add(msg);
    }
  if (!any_ok)
    w.add(w.t("No step gave a result, so I have no number to give.", "没有任何步骤得出结果，因此无法给出数字。"));
  std::string text;
  for (const auto& l : w.lines) {
    if (!text.empty()) text += "\n";
    text += l;
  }
  return text;
}

}  // namespace panocarbon::agents
