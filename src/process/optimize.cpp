// The optimisation model of industrial routes (docs/process.md "Optimisation model"): parsing, the linear
// programme, its solution, the diagnosis of infeasible and unbounded models, and the abatement cost curves.
#include "panocarbon/process_optimize.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "linalg/lp.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/process.hpp"

namespace panocarbon::process {

namespace {

using json = nlohmann::json;
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- parsing ---------------------------------------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& msg) const {
    throw Error(ErrorCategory::InvalidInput, msg, ErrorContext{source_, 0, 0, path});
  }
  void keys(const json& j, const std::string& path, std::initializer_list<const char*> allowed) const {
    if (!j.is_object()) fail(path, "expected an object");
    for (const auto& [k, v] : j.items()) {
      (void)v;
      bool ok = k == "comment" || k == "notes";
      for (const char* a : allowed) ok = ok || k == a;
      if (!ok) {
        std::vector<std::string> names;
        for (const char* a : allowed) names.emplace_back(a);
        fail(path + "/" + k, fmt::format("unknown field '{}'; the fields here are: {}", clip_input(k, 60),
                                         fmt::join(names, ", ")));
      }
    }
  }
  const json& need(const json& j, const char* key, const std::string& path) const {
    if (!j.contains(key)) fail(path, fmt::format("missing field '{}'", key));
    return j.at(key);
  }
  std::string str(const json& j, const std::string& path) const {
    if (!j.is_string() || j.get<std::string>().empty()) fail(path, "expected a non-empty string");
    return j.get<std::string>();
  }
  double number(const json& j, const std::string& path, double lo = -kInf, double hi = kInf) const {
    if (!j.is_number()) fail(path, "expected a number");
    const double v = j.get<double>();
    if (!std::isfinite(v)) fail(path, "expected a finite number");
    if (v < lo || v > hi) {
      if (std::isinf(hi)) fail(path, fmt::format("{} is below the least allowed value {}", v, lo));
      fail(path, fmt::format("{} lies outside {} .. {}", v, lo, hi));
    }
    return v;
  }
  int index(const std::vector<std::string>& ids, const json& j, const std::string& path, const char* what) const {
    const std::string s = str(j, path);
    const auto it = std::find(ids.begin(), ids.end(), s);
    if (it == ids.end()) {
      std::vector<std::string> some(ids.begin(), ids.begin() + static_cast<long>(std::min<size_t>(ids.size(), 12)));
      fail(path, fmt::format("unknown {} '{}'; the model's {}s are: {}{}", what, clip_input(s, 60), what,
                             fmt::join(some, ", "), ids.size() > 12 ? ", ..." : ""));
    }
    return static_cast<int>(it - ids.begin());
  }
  // A number for every region, or {region: number} with `dflt` elsewhere.
  std::vector<double> per_region(const json* j, const std::string& path, const std::vector<std::string>& regions,
                                 double dflt, double lo, double hi = kInf) const {
    std::vector<double> v(regions.size(), dflt);
    if (j == nullptr) return v;
    if (j->is_object()) {
      for (const auto& [k, x] : j->items()) {
        const int r = index(regions, json(k), path + "/" + k, "region");
        v[static_cast<size_t>(r)] = number(x, path + "/" + k, lo, hi);
      }
      return v;
    }
    const double x = number(*j, path, lo, hi);
    std::fill(v.begin(), v.end(), x);
    return v;
  }
  // A number for every period, an array of one number per period, or {period: number} (others `dflt`).
  std::vector<double> per_period(const json& j, const std::string& path, const std::vector<OptPeriod>& periods,
                                 double dflt, double lo, double hi = kInf) const {
    std::vector<double> v(periods.size(), dflt);
    if (j.is_array()) {
      if (j.size() != periods.size())
        fail(path, fmt::format("expected one value per period ({}), got {}", periods.size(), j.size()));
      for (size_t p = 0; p < periods.size(); ++p) v[p] = number(j[p], fmt::format("{}/{}", path, p), lo, hi);
    } else if (j.is_object()) {
      std::vector<std::string> ids;
      for (const auto& p : periods) ids.push_back(p.id);
      for (const auto& [k, x] : j.items())
        v[static_cast<size_t>(index(ids, json(k), path + "/" + k, "period"))] = number(x, path + "/" + k, lo, hi);
    } else {
      std::fill(v.begin(), v.end(), number(j, path, lo, hi));
    }
    return v;
  }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

const json* field(const json& j, const char* key) { return j.contains(key) ? &j.at(key) : nullptr; }

std::vector<double> share_weights(const Parser& ps, const json& j, const std::string& path, const OptModel& m,
                                  const std::vector<std::string>& route_ids) {
  std::vector<double> w(m.routes.size(), 0.0);
  ps.keys(j, path, {"commodity", "flow", "routes"});
  if (j.contains("routes")) {
    if (j.contains("commodity")) ps.fail(path, "give either 'routes' or 'commodity', not both");
    const auto& r = j.at("routes");
    if (r.is_array()) {
      for (size_t k = 0; k < r.size(); ++k)
        w[static_cast<size_t>(ps.index(route_ids, r[k], fmt::format("{}/routes/{}", path, k), "route"))] = 1;
    } else if (r.is_object()) {
      for (const auto& [id, x] : r.items())
        w[static_cast<size_t>(ps.index(route_ids, json(id), path + "/routes/" + id, "route"))] =
            ps.number(x, path + "/routes/" + id);
    } else {
      ps.fail(path + "/routes", "expected an array of route ids or an object {route: weight}");
    }
    return w;
  }
  const int c = ps.index(m.commodities, ps.need(j, "commodity", path), path + "/commodity", "commodity");
  const std::string flow = j.contains("flow") ? ps.str(j.at("flow"), path + "/flow") : "output";
  if (flow != "input" && flow != "output") ps.fail(path + "/flow", "expected \"input\" or \"output\"");
  for (size_t g = 0; g < m.routes.size(); ++g)
    for (const auto& [cc, a] : flow == "input" ? m.routes[g].inputs : m.routes[g].outputs)
      if (cc == c) w[g] += a;
  return w;
}

}  // namespace

OptModel parse_opt_model(std::string_view text, const std::string& source_name) {
  Parser ps(source_name);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("not valid JSON ({}): an optimisation model is a JSON object (docs/process.md)",
                            clip_input(e.what(), 200)),
                ErrorContext{source_name});
  }
  ps.keys(j, "", {"$schema", "name", "description", "currency", "sources", "discount_rate", "regions", "periods",
                  "commodities", "routes", "resources", "trade", "demands", "shares", "emission_caps", "carbon_price"});
  OptModel m;
  m.source_name = source_name;
  m.name = j.contains("name") ? ps.str(j["name"], "/name") : source_name;
  if (j.contains("description")) m.description = ps.str(j["description"], "/description");
  if (j.contains("currency")) m.currency = ps.str(j["currency"], "/currency");
  if (j.contains("sources")) {
    if (!j["sources"].is_array()) ps.fail("/sources", "expected an array of citations");
    for (size_t k = 0; k < j["sources"].size(); ++k) m.sources.push_back(ps.str(j["sources"][k], fmt::format("/sources/{}", k)));
  }
  const double rate = j.contains("discount_rate") ? ps.number(j["discount_rate"], "/discount_rate", 0, 1) : 0.0;
  auto ids = [&](const char* key) {
    const json& a = ps.need(j, key, "");
    if (!a.is_array() || a.empty()) ps.fail(std::string("/") + key, "expected a non-empty array");
    return &a;
  };
  // regions
  {
    const json& a = *ids("regions");
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string id = ps.str(a[k], fmt::format("/regions/{}", k));
      if (std::find(m.regions.begin(), m.regions.end(), id) != m.regions.end())
        ps.fail(fmt::format("/regions/{}", k), fmt::format("region '{}' is listed twice", id));
      m.regions.push_back(id);
    }
  }
  // periods
  {
    const json& a = *ids("periods");
    double offset = 0, df = 1;
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/periods/{}", k);
      ps.keys(a[k], path, {"id", "length_years", "discount_rate"});
      OptPeriod p;
      p.id = ps.str(ps.need(a[k], "id", path), path + "/id");
      for (const auto& q : m.periods)
        if (q.id == p.id) ps.fail(path + "/id", fmt::format("period '{}' is listed twice", p.id));
      p.length_years = a[k].contains("length_years") ? ps.number(a[k]["length_years"], path + "/length_years", 1, 1000) : 1;
      if (p.length_years != std::floor(p.length_years)) ps.fail(path + "/length_years", "expected a whole number of years");
      p.discount_rate = a[k].contains("discount_rate") ? ps.number(a[k]["discount_rate"], path + "/discount_rate", 0, 1) : rate;
      p.start_offset_years = offset;
      p.df_start = df;
      p.df_annual = 0;
      double d = df;
      for (int y = 0; y < static_cast<int>(p.length_years); ++y) {
        p.df_annual += d;
        d /= 1 + p.discount_rate;
      }
      df = d;
      offset += p.length_years;
      m.periods.push_back(p);
    }
  }
  // commodities
  {
    const json& a = *ids("commodities");
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/commodities/{}", k);
      std::string id, unit = "t";
      bool eq = false;
      if (a[k].is_string()) {
        id = ps.str(a[k], path);
      } else {
        ps.keys(a[k], path, {"id", "unit", "balance"});
        id = ps.str(ps.need(a[k], "id", path), path + "/id");
        if (a[k].contains("unit")) unit = ps.str(a[k]["unit"], path + "/unit");
        if (a[k].contains("balance")) {
          const std::string b = ps.str(a[k]["balance"], path + "/balance");
          if (b != "eq" && b != "ge") ps.fail(path + "/balance", "expected \"eq\" (supply = use + demand) or \"ge\" (surplus allowed)");
          eq = b == "eq";
        }
      }
      if (std::find(m.commodities.begin(), m.commodities.end(), id) != m.commodities.end())
        ps.fail(path, fmt::format("commodity '{}' is listed twice", id));
      m.commodities.push_back(id);
      m.commodity_units.push_back(unit);
      m.commodity_equality.push_back(eq ? 1 : 0);
    }
  }
  const size_t R = m.regions.size(), P = m.periods.size();
  // routes
  std::vector<std::string> route_ids;
  {
    const json& a = ps.need(j, "routes", "");
    if (!a.is_array() || a.empty()) ps.fail("/routes", "expected a non-empty array of routes");
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/routes/{}", k);
      const json& o = a[k];
      ps.keys(o, path, {"id", "name", "unit", "source", "regions", "inputs", "outputs", "variable_cost",
                        "investment_cost", "emission_t_per_unit", "emission_from_route", "existing_capacity", "availability",
                        "lifetime_years", "max_new_per_period", "max_activity", "unit_size"});
      OptRoute g;
      g.id = ps.str(ps.need(o, "id", path), path + "/id");
      if (std::find(route_ids.begin(), route_ids.end(), g.id) != route_ids.end())
        ps.fail(path + "/id", fmt::format("route '{}' is listed twice", g.id));
      g.name = o.contains("name") ? ps.str(o["name"], path + "/name") : g.id;
      g.unit = o.contains("unit") ? ps.str(o["unit"], path + "/unit") : "t";
      if (o.contains("source")) g.source = ps.str(o["source"], path + "/source");
      g.in_region.assign(R, 1);
      if (o.contains("regions")) {
        const json& rr = o["regions"];
        if (!rr.is_array() || rr.empty()) ps.fail(path + "/regions", "expected a non-empty array of region ids");
        g.in_region.assign(R, 0);
        for (size_t q = 0; q < rr.size(); ++q)
          g.in_region[static_cast<size_t>(ps.index(m.regions, rr[q], fmt::format("{}/regions/{}", path, q), "region"))] = 1;
      }
      auto flows = [&](const char* key, std::vector<std::pair<int, double>>& out) {
        if (!o.contains(key)) return;
        const json& f = o[key];
        if (!f.is_object()) ps.fail(path + "/" + key, "expected an object {commodity: amount per unit of activity}");
        for (const auto& [c, x] : f.items())
          out.push_back({ps.index(m.commodities, json(c), path + "/" + key + "/" + c, "commodity"),
                         ps.number(x, path + "/" + key + "/" + c, 0)});
      };
      flows("inputs", g.inputs);
      flows("outputs", g.outputs);
      if (g.outputs.empty()) ps.fail(path + "/outputs", "a route needs at least one output");
      g.variable_cost = ps.per_region(field(o, "variable_cost"), path + "/variable_cost", m.regions, 0, -1e12, 1e12);
      g.investment_cost = ps.per_region(field(o, "investment_cost"), path + "/investment_cost", m.regions, 0, 0, 1e15);
      g.emission = ps.per_region(field(o, "emission_t_per_unit"), path + "/emission_t_per_unit", m.regions, 0, -1e6, 1e6);
      if (o.contains("emission_from_route")) {
        const json& e = o["emission_from_route"];
        const std::string ep = path + "/emission_from_route";
        if (o.contains("emission_t_per_unit"))
          ps.fail(ep, "give either emission_t_per_unit or emission_from_route, not both");
        g.emission_scope = "direct";
        if (e.is_string()) {
          g.emission_route_file = ps.str(e, ep);
        } else {
          ps.keys(e, ep, {"file", "scope"});
          g.emission_route_file = ps.str(ps.need(e, "file", ep), ep + "/file");
          if (e.contains("scope")) g.emission_scope = ps.str(e["scope"], ep + "/scope");
          if (g.emission_scope != "direct" && g.emission_scope != "total")
            ps.fail(ep + "/scope", "expected \"direct\" (the route's own emissions) or \"total\" (direct + indirect + "
                                   "precursor)");
        }
        g.emission_resolved = false;
      }
      g.max_new = ps.per_region(field(o, "max_new_per_period"), path + "/max_new_per_period", m.regions, kInf, 0);
      g.max_activity = ps.per_region(field(o, "max_activity"), path + "/max_activity", m.regions, kInf, 0);
      g.availability = o.contains("availability") ? ps.number(o["availability"], path + "/availability", 0, 1) : 1.0;
      g.lifetime_years = o.contains("lifetime_years") ? ps.number(o["lifetime_years"], path + "/lifetime_years", 1, 1000) : 0.0;
      g.unit_size = o.contains("unit_size") ? ps.number(o["unit_size"], path + "/unit_size", 0) : 0.0;
      if (o.contains("unit_size") && g.unit_size <= 0) ps.fail(path + "/unit_size", "expected a positive unit size");
      g.existing.assign(R, std::vector<double>(P, 0.0));
      if (o.contains("existing_capacity")) {
        const json& e = o["existing_capacity"];
        const std::string ep = path + "/existing_capacity";
        if (e.is_object()) {
          for (const auto& [rid, x] : e.items()) {
            const int r = ps.index(m.regions, json(rid), ep + "/" + rid, "region");
            g.existing[static_cast<size_t>(r)] = ps.per_period(x, ep + "/" + rid, m.periods, 0, 0);
          }
        } else {
          const auto v = ps.per_period(e, ep, m.periods, 0, 0);
          for (auto& row : g.existing) row = v;
        }
      }
      route_ids.push_back(g.id);
      m.routes.push_back(std::move(g));
    }
  }
  // resources
  if (j.contains("resources")) {
    const json& a = j["resources"];
    if (!a.is_array()) ps.fail("/resources", "expected an array");
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/resources/{}", k);
      const json& o = a[k];
      ps.keys(o, path, {"id", "name", "commodity", "max_per_year", "cost", "emission_t_per_unit", "source"});
      OptResource s;
      s.id = ps.str(ps.need(o, "id", path), path + "/id");
      s.name = o.contains("name") ? ps.str(o["name"], path + "/name") : s.id;
      if (o.contains("source")) s.source = ps.str(o["source"], path + "/source");
      s.commodity = ps.index(m.commodities, ps.need(o, "commodity", path), path + "/commodity", "commodity");
      s.max_per_year = ps.per_region(field(o, "max_per_year"), path + "/max_per_year", m.regions, kInf, 0);
      s.cost = ps.per_region(field(o, "cost"), path + "/cost", m.regions, 0, -1e12, 1e12);
      s.emission = ps.per_region(field(o, "emission_t_per_unit"), path + "/emission_t_per_unit", m.regions, 0, -1e6, 1e6);
      m.resources.push_back(std::move(s));
    }
  }
  // trade
  if (j.contains("trade")) {
    const json& a = j["trade"];
    if (!a.is_array()) ps.fail("/trade", "expected an array of links");
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/trade/{}", k);
      const json& o = a[k];
      ps.keys(o, path, {"commodity", "from", "to", "cost", "capacity_per_year", "loss", "source"});
      OptTrade t;
      t.commodity = ps.index(m.commodities, ps.need(o, "commodity", path), path + "/commodity", "commodity");
      t.from = ps.index(m.regions, ps.need(o, "from", path), path + "/from", "region");
      t.to = ps.index(m.regions, ps.need(o, "to", path), path + "/to", "region");
      if (t.from == t.to) ps.fail(path + "/to", "a trade link joins two different regions");
      t.cost = o.contains("cost") ? ps.number(o["cost"], path + "/cost", 0, 1e12) : 0.0;
      t.capacity = o.contains("capacity_per_year") ? ps.number(o["capacity_per_year"], path + "/capacity_per_year", 0) : kInf;
      t.loss = o.contains("loss") ? ps.number(o["loss"], path + "/loss", 0, 0.999) : 0.0;
      m.trade.push_back(t);
    }
  }
  // demands
  if (j.contains("demands")) {
    const json& a = j["demands"];
    if (!a.is_array()) ps.fail("/demands", "expected an array of {commodity, region, values}");
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/demands/{}", k);
      const json& o = a[k];
      ps.keys(o, path, {"commodity", "region", "values", "source"});
      const int c = ps.index(m.commodities, ps.need(o, "commodity", path), path + "/commodity", "commodity");
      const int r = ps.index(m.regions, ps.need(o, "region", path), path + "/region", "region");
      const auto v = ps.per_period(ps.need(o, "values", path), path + "/values", m.periods, 0, 0, 1e15);
      for (size_t p = 0; p < P; ++p)
        if (v[p] > 0) m.demands.push_back({c, r, static_cast<int>(p), v[p]});
    }
  }
  // shares
  if (j.contains("shares")) {
    const json& a = j["shares"];
    if (!a.is_array()) ps.fail("/shares", "expected an array of share rules");
    std::vector<std::string> pids;
    for (const auto& p : m.periods) pids.push_back(p.id);
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/shares/{}", k);
      const json& o = a[k];
      ps.keys(o, path, {"name", "numerator", "denominator", "min", "max", "region", "period", "source"});
      OptShare s;
      s.name = o.contains("name") ? ps.str(o["name"], path + "/name") : fmt::format("share rule {}", k + 1);
      s.numerator = share_weights(ps, ps.need(o, "numerator", path), path + "/numerator", m, route_ids);
      s.denominator = share_weights(ps, ps.need(o, "denominator", path), path + "/denominator", m, route_ids);
      s.min = o.contains("min") ? ps.number(o["min"], path + "/min", 0, 1e6) : -kInf;
      s.max = o.contains("max") ? ps.number(o["max"], path + "/max", 0, 1e6) : kInf;
      if (std::isinf(s.min) && std::isinf(s.max)) ps.fail(path, "a share rule needs 'min', 'max' or both");
      if (s.min > s.max) ps.fail(path + "/min", fmt::format("min {} is above max {}", s.min, s.max));
      if (o.contains("region")) s.region = ps.index(m.regions, o["region"], path + "/region", "region");
      if (o.contains("period")) s.period = ps.index(pids, o["period"], path + "/period", "period");
      m.shares.push_back(std::move(s));
    }
  }
  // caps
  if (j.contains("emission_caps")) {
    const json& a = j["emission_caps"];
    if (!a.is_array()) ps.fail("/emission_caps", "expected an array of caps");
    std::vector<std::string> pids;
    for (const auto& p : m.periods) pids.push_back(p.id);
    for (size_t k = 0; k < a.size(); ++k) {
      const std::string path = fmt::format("/emission_caps/{}", k);
      const json& o = a[k];
      ps.keys(o, path, {"name", "region", "period", "max_t", "source"});
      OptCap c;
      c.name = o.contains("name") ? ps.str(o["name"], path + "/name") : fmt::format("cap {}", k + 1);
      if (o.contains("region")) c.region = ps.index(m.regions, o["region"], path + "/region", "region");
      if (o.contains("period")) c.period = ps.index(pids, o["period"], path + "/period", "period");
      c.max_t = ps.number(ps.need(o, "max_t", path), path + "/max_t", 0, 1e18);
      m.caps.push_back(std::move(c));
    }
  }
  if (j.contains("carbon_price")) m.carbon_price = ps.number(j["carbon_price"], "/carbon_price", 0, 1e9);
  return m;
}

namespace {

// ---- the linear programme -----------------------------------------------------------------------------------

enum class ColKind { Activity, Build, Supply, Trade };
struct ColInfo {
  ColKind kind;
  int item, region, period;  // item: route, resource or link
};
enum class RowKind { Balance, Capacity, Share, Cap };
struct RowInfo {
  RowKind kind;
  int item, region, period;  // Balance: commodity; Capacity: route; Share: rule; Cap: cap index
  bool upper_side = false;   // Share: the max side
};

struct Built {
  linalg::LinearProgram lp;
  std::vector<ColInfo> cols;
  std::vector<RowInfo> rows;
  std::vector<OptCap> caps;
  std::vector<double> emission_per_col;  // t CO2e over the period per unit of the column
  std::vector<int> act_col, build_col;   // [g][r][p] flattened; -1 none
  double price = 0;
};

struct Builder {
  const OptModel& m;
  const OptimizeOptions& o;
  size_t R, P, G;
  Built b;

  Builder(const OptModel& model, const OptimizeOptions& opts)
      : m(model), o(opts), R(model.regions.size()), P(model.periods.size()), G(model.routes.size()) {}

  size_t at(size_t g, size_t r, size_t p) const { return (g * R + r) * P + p; }
  int add_col(ColInfo info, double cost, double upper, std::string name, double emission) {
    b.lp.cost.push_back(cost);
    b.lp.col_lower.push_back(0);
    b.lp.col_upper.push_back(upper);
    b.lp.col_names.push_back(std::move(name));
    b.lp.integer.push_back(false);
    b.cols.push_back(info);
    b.emission_per_col.push_back(emission);
    return static_cast<int>(b.lp.cost.size()) - 1;
  }
  int add_row(RowInfo info, double lo, double up, std::string name) {
    b.lp.row_lower.push_back(lo);
    b.lp.row_upper.push_back(up);
    b.lp.row_names.push_back(std::move(name));
    b.rows.push_back(info);
    return static_cast<int>(b.lp.row_lower.size()) - 1;
  }
  void entry(int row, int col, double v) {
    if (v != 0) b.lp.entries.push_back({row, col, v});
  }

  Built build() {
    b.price = o.price ? *o.price : m.carbon_price;
    for (const auto& c : m.caps)
      if (!(o.cap && c.region < 0 && c.period < 0)) b.caps.push_back(c);
    if (o.cap) b.caps.push_back({"total (--cap)", -1, -1, *o.cap});
    const size_t C = m.commodities.size();
    b.act_col.assign(G * R * P, -1);
    b.build_col.assign(G * R * P, -1);
    // columns
    for (size_t g = 0; g < G; ++g) {
      const auto& rt = m.routes[g];
      for (size_t r = 0; r < R; ++r) {
        if (!rt.in_region[r]) continue;
        for (size_t p = 0; p < P; ++p) {
          const auto& pd = m.periods[p];
          const double e = rt.emission[r];
          const int ia = static_cast<int>(g), ir = static_cast<int>(r), ip = static_cast<int>(p);
          b.act_col[at(g, r, p)] =
              add_col({ColKind::Activity, ia, ir, ip}, pd.df_annual * (rt.variable_cost[r] + b.price * e),
                      rt.max_activity[r], fmt::format("act.{}.{}.{}", m.regions[r], rt.id, pd.id), pd.length_years * e);
          if (rt.max_new[r] > 0) {
            const double size = rt.unit_size > 0 ? rt.unit_size : 1.0;
            const double upper = rt.max_new[r] / size;  // whole units only where the column is integer
            const int col = add_col({ColKind::Build, ia, ir, ip}, pd.df_start * rt.investment_cost[r] * size, upper,
                                    fmt::format("new.{}.{}.{}", m.regions[r], rt.id, pd.id), 0.0);
            b.lp.integer[static_cast<size_t>(col)] = o.integer && rt.unit_size > 0;
            b.build_col[at(g, r, p)] = col;
          }
        }
      }
    }
    std::vector<int> sup_col(m.resources.size() * R * P, -1), trade_col(m.trade.size() * P, -1);
    for (size_t s = 0; s < m.resources.size(); ++s)
      for (size_t r = 0; r < R; ++r)
        for (size_t p = 0; p < P; ++p) {
          const auto& res = m.resources[s];
          if (res.max_per_year[r] <= 0) continue;
          const auto& pd = m.periods[p];
          sup_col[(s * R + r) * P + p] = add_col({ColKind::Supply, static_cast<int>(s), static_cast<int>(r), static_cast<int>(p)},
                                                 pd.df_annual * (res.cost[r] + b.price * res.emission[r]), res.max_per_year[r],
                                                 fmt::format("sup.{}.{}.{}", m.regions[r], res.id, pd.id),
                                                 pd.length_years * res.emission[r]);
        }
    for (size_t l = 0; l < m.trade.size(); ++l)
      for (size_t p = 0; p < P; ++p) {
        const auto& t = m.trade[l];
        const auto& pd = m.periods[p];
        trade_col[l * P + p] = add_col({ColKind::Trade, static_cast<int>(l), t.from, static_cast<int>(p)},
                                       pd.df_annual * t.cost, t.capacity,
                                       fmt::format("trade.{}.{}.{}.{}", m.commodities[static_cast<size_t>(t.commodity)],
                                                   m.regions[static_cast<size_t>(t.from)],
                                                   m.regions[static_cast<size_t>(t.to)], pd.id),
                                       0.0);
      }
    // balance rows: one per commodity, region and period that something touches
    std::vector<int> bal(C * R * P, -1);
    std::vector<double> demand(C * R * P, 0.0);
    for (const auto& d : m.demands)
      demand[(static_cast<size_t>(d.commodity) * R + static_cast<size_t>(d.region)) * P + static_cast<size_t>(d.period)] += d.value;
    auto bal_row = [&](size_t c, size_t r, size_t p) {
      int& row = bal[(c * R + r) * P + p];
      if (row < 0) {
        const double d = demand[(c * R + r) * P + p];
        row = add_row({RowKind::Balance, static_cast<int>(c), static_cast<int>(r), static_cast<int>(p)}, d,
                      m.commodity_equality[c] ? d : kInf,
                      fmt::format("bal.{}.{}.{}", m.commodities[c], m.regions[r], m.periods[p].id));
      }
      return row;
    };
    for (size_t c = 0; c < C; ++c)
      for (size_t r = 0; r < R; ++r)
        for (size_t p = 0; p < P; ++p)
          if (demand[(c * R + r) * P + p] > 0) bal_row(c, r, p);
    for (size_t g = 0; g < G; ++g)
      for (size_t r = 0; r < R; ++r)
        for (size_t p = 0; p < P; ++p) {
          const int col = b.act_col[at(g, r, p)];
          if (col < 0) continue;
          for (const auto& [c, a] : m.routes[g].outputs) entry(bal_row(static_cast<size_t>(c), r, p), col, a);
          for (const auto& [c, a] : m.routes[g].inputs) entry(bal_row(static_cast<size_t>(c), r, p), col, -a);
        }
    for (size_t s = 0; s < m.resources.size(); ++s)
      for (size_t r = 0; r < R; ++r)
        for (size_t p = 0; p < P; ++p) {
          const int col = sup_col[(s * R + r) * P + p];
          if (col >= 0) entry(bal_row(static_cast<size_t>(m.resources[s].commodity), r, p), col, 1.0);
        }
    for (size_t l = 0; l < m.trade.size(); ++l)
      for (size_t p = 0; p < P; ++p) {
        const auto& t = m.trade[l];
        const int col = trade_col[l * P + p];
        entry(bal_row(static_cast<size_t>(t.commodity), static_cast<size_t>(t.from), p), col, -1.0);
        entry(bal_row(static_cast<size_t>(t.commodity), static_cast<size_t>(t.to), p), col, 1.0 - t.loss);
      }
    // capacity rows: activity <= availability x (existing + builds still alive)
    for (size_t g = 0; g < G; ++g) {
      const auto& rt = m.routes[g];
      for (size_t r = 0; r < R; ++r)
        for (size_t p = 0; p < P; ++p) {
          const int col = b.act_col[at(g, r, p)];
          if (col < 0) continue;
          const int row = add_row({RowKind::Capacity, static_cast<int>(g), static_cast<int>(r), static_cast<int>(p)}, -kInf,
                                  rt.availability * rt.existing[r][p],
                                  fmt::format("cap.{}.{}.{}", m.regions[r], rt.id, m.periods[p].id));
          entry(row, col, 1.0);
          for (size_t q = 0; q <= p; ++q) {
            const int bc = b.build_col[at(g, r, q)];
            if (bc < 0) continue;
            const double age = m.periods[p].start_offset_years - m.periods[q].start_offset_years;
            if (rt.lifetime_years > 0 && age >= rt.lifetime_years) continue;
            entry(row, bc, -rt.availability * (rt.unit_size > 0 ? rt.unit_size : 1.0));
          }
        }
    }
    // share rules, in each region and period of their scope
    for (size_t k = 0; k < m.shares.size(); ++k) {
      const auto& s = m.shares[k];
      for (size_t r = 0; r < R; ++r)
        for (size_t p = 0; p < P; ++p) {
          if ((s.region >= 0 && static_cast<size_t>(s.region) != r) || (s.period >= 0 && static_cast<size_t>(s.period) != p))
            continue;
          for (int side = 0; side < 2; ++side) {
            const double bound = side == 0 ? s.min : s.max;
            if (std::isinf(bound)) continue;
            std::vector<std::pair<int, double>> terms;
            for (size_t g = 0; g < G; ++g) {
              const int col = b.act_col[at(g, r, p)];
              const double w = s.numerator[g] - bound * s.denominator[g];
              if (col >= 0 && w != 0) terms.push_back({col, w});
            }
            if (terms.empty()) continue;
            const int row = add_row({RowKind::Share, static_cast<int>(k), static_cast<int>(r), static_cast<int>(p), side == 1},
                                    side == 0 ? 0.0 : -kInf, side == 0 ? kInf : 0.0,
                                    fmt::format("share.{}.{}.{}.{}", s.name, side == 0 ? "min" : "max", m.regions[r],
                                                m.periods[p].id));
            for (const auto& [col, w] : terms) entry(row, col, w);
          }
        }
    }
    // emission caps: the sum over their regions and periods of emissions over each period
    for (size_t k = 0; k < b.caps.size(); ++k) {
      const auto& c = b.caps[k];
      const int row = add_row({RowKind::Cap, static_cast<int>(k), c.region, c.period}, -kInf, c.max_t,
                              fmt::format("emis.{}", c.name));
      for (size_t j = 0; j < b.cols.size(); ++j) {
        const auto& ci = b.cols[j];
        if (b.emission_per_col[j] == 0 || (c.region >= 0 && ci.region != c.region) ||
            (c.period >= 0 && ci.period != c.period))
          continue;
        entry(row, static_cast<int>(j), b.emission_per_col[j]);
      }
    }
    return std::move(b);
  }
};

std::string scope_text(const OptModel& m, int region, int period) {
  const std::string r = region < 0 ? "all regions" : "region " + m.regions[static_cast<size_t>(region)];
  const std::string p = period < 0 ? "all periods" : "period " + m.periods[static_cast<size_t>(period)].id;
  return r + ", " + p;
}

std::string col_text(const OptModel& m, const ColInfo& c) {
  const std::string& p = m.periods[static_cast<size_t>(c.period)].id;
  const std::string& r = m.regions[static_cast<size_t>(c.region)];
  switch (c.kind) {
    case ColKind::Activity: return fmt::format("the activity of route {} in {}, {}", m.routes[static_cast<size_t>(c.item)].id, r, p);
    case ColKind::Build: return fmt::format("new capacity of route {} in {}, {}", m.routes[static_cast<size_t>(c.item)].id, r, p);
    case ColKind::Supply: return fmt::format("the supply of resource {} in {}, {}", m.resources[static_cast<size_t>(c.item)].id, r, p);
    case ColKind::Trade: {
      const auto& t = m.trade[static_cast<size_t>(c.item)];
      return fmt::format("trade of {} from {} to {}, {}", m.commodities[static_cast<size_t>(t.commodity)], r,
                         m.regions[static_cast<size_t>(t.to)], p);
    }
  }
  return "a column";
}

// Least emissions in a cap's scope (all caps dropped); nullopt when the model is infeasible without caps.
std::optional<double> min_emissions(const Built& b, int region, int period) {
  linalg::LinearProgram lp = b.lp;
  for (size_t i = 0; i < b.rows.size(); ++i)
    if (b.rows[i].kind == RowKind::Cap) lp.row_upper[i] = kInf;
  for (size_t j = 0; j < b.cols.size(); ++j) {
    const auto& c = b.cols[j];
    lp.cost[j] = (region >= 0 && c.region != region) || (period >= 0 && c.period != period) ? 0.0 : b.emission_per_col[j];
  }
  lp.integer.clear();
  const auto s = linalg::solve_lp(lp);
  if (s.status != linalg::LpStatus::Optimal) return std::nullopt;
  return s.objective;
}

void explain_infeasible(const OptModel& m, const Built& b, OptimizeResult& out) {
  // 1. Without caps, with an elastic slack on every balance and share row: which ones cannot be met?
  linalg::LinearProgram lp = b.lp;
  lp.integer.clear();
  std::fill(lp.cost.begin(), lp.cost.end(), 0.0);
  std::vector<std::pair<int, double>> slack;  // row, sign
  for (size_t i = 0; i < b.rows.size(); ++i) {
    const auto& ri = b.rows[i];
    auto add = [&](double sign) {
      lp.cost.push_back(1.0);
      lp.col_lower.push_back(0);
      lp.col_upper.push_back(kInf);
      lp.col_names.push_back("slack");
      lp.entries.push_back({static_cast<int>(i), static_cast<int>(lp.cost.size()) - 1, sign});
      slack.push_back({static_cast<int>(i), sign});
    };
    if (ri.kind == RowKind::Cap) lp.row_upper[i] = kInf;
    if (ri.kind == RowKind::Balance) {
      add(1.0);
      if (lp.row_upper[i] == lp.row_lower[i]) add(-1.0);
    }
    if (ri.kind == RowKind::Share) add(ri.upper_side ? -1.0 : 1.0);
  }
  const auto s = linalg::solve_lp(lp);
  if (s.status == linalg::LpStatus::Optimal && s.objective > 1e-7) {
    const size_t n0 = b.cols.size();
    for (size_t k = 0; k < slack.size(); ++k) {
      const double v = s.x[n0 + k];
      const auto row = static_cast<size_t>(slack[k].first);
      if (v <= 1e-7 * std::max(1.0, std::abs(b.lp.row_lower[row]))) continue;
      const auto& ri = b.rows[row];
      const std::string& reg = m.regions[static_cast<size_t>(ri.region)];
      const std::string& per = m.periods[static_cast<size_t>(ri.period)].id;
      Diagnosis d;
      d.amount = v;
      if (ri.kind == RowKind::Balance) {
        const auto c = static_cast<size_t>(ri.item);
        d.constraint = fmt::format("balance of {} in {}, {}", m.commodities[c], reg, per);
        if (slack[k].second > 0)
          d.text = fmt::format("the demand and use of {} in region {}, period {} ({:.6g} {} a year demanded) exceed by "
                               "{:.6g} {} a year what the capacity (existing plus the build limits), the resources and the "
                               "imports available can supply",
                               m.commodities[c], reg, per, b.lp.row_lower[row], m.commodity_units[c], v, m.commodity_units[c]);
        else
          d.text = fmt::format("{} in region {}, period {} must balance exactly (\"eq\") but {:.6g} {} a year more is "
                               "produced than can be used: let it be \"ge\"",
                               m.commodities[c], reg, per, v, m.commodity_units[c]);
      } else {
        const auto& sh = m.shares[static_cast<size_t>(ri.item)];
        d.constraint = fmt::format("share rule '{}' in {}, {}", sh.name, reg, per);
        d.text = fmt::format("the share rule '{}' ({} {}) cannot be met in region {}, period {}: the routes its "
                             "numerator counts cannot run enough (short by {:.6g} units of activity-weighted share)",
                             sh.name, ri.upper_side ? "max" : "min", ri.upper_side ? sh.max : sh.min, reg, per, v);
      }
      out.diagnosis.push_back(d);
    }
    std::vector<std::string> texts;
    for (const auto& d : out.diagnosis) texts.push_back(d.text);
    out.message = fmt::format("the model is infeasible even without its emission caps: {}", fmt::join(texts, "; "));
    if (out.diagnosis.size() > 5) out.message = fmt::format("{}; ... ({} constraints in all)",
                                                            fmt::join(texts.begin(), texts.begin() + 5, "; "), texts.size());
    return;
  }
  if (s.status != linalg::LpStatus::Optimal) {
    out.message = "the model is infeasible and its diagnosis failed: " + s.message;
    return;
  }
  // 2. The caps: each against the least emissions reachable in its scope.
  std::vector<std::string> texts;
  for (size_t k = 0; k < b.caps.size(); ++k) {
    const auto& c = b.caps[k];
    const auto low = min_emissions(b, c.region, c.period);
    if (!low) continue;
    if (c.region < 0 && c.period < 0) out.lowest_emissions_t = *low;
    if (*low > c.max_t * (1 + 1e-9) + 1e-6) {
      Diagnosis d;
      d.constraint = "cap " + c.name;
      d.amount = *low - c.max_t;
      d.text = fmt::format("the emission cap '{}' ({}) of {:.6g} t CO2e is below the lowest emissions reachable there, "
                           "{:.6g} t CO2e",
                           c.name, scope_text(m, c.region, c.period), c.max_t, *low);
      texts.push_back(d.text);
      out.diagnosis.push_back(d);
    }
  }
  if (!out.lowest_emissions_t) out.lowest_emissions_t = min_emissions(b, -1, -1);
  if (texts.empty()) {
    out.diagnosis.push_back({"emission caps", 0.0, "each cap can be met alone, but not all of them together"});
    out.message = "the emission caps can each be met alone but not all together (with the other constraints)";
  } else {
    out.message = fmt::format("{}", fmt::join(texts, "; "));
  }
}

void explain_unbounded(const OptModel& m, const Built& b, OptimizeResult& out) {
  linalg::LinearProgram lp = b.lp;
  lp.integer.clear();
  constexpr double kBig = 1e12;
  for (auto& u : lp.col_upper) u = std::min(u, kBig);
  const auto s = linalg::solve_lp(lp);
  std::vector<std::string> texts;
  // The columns on the unbounded ray: those with a negative cost first (they drive it); the others only when
  // none has one.
  if (s.status == linalg::LpStatus::Optimal)
    for (int pass = 0; pass < 2 && texts.empty(); ++pass)
      for (size_t j = 0; j < b.cols.size() && texts.size() < 5; ++j)
        if (s.x[j] > kBig / 10 && (pass == 1 || b.lp.cost[j] < 0)) {
          texts.push_back(fmt::format("{} (cost {:.6g} {} per unit)", col_text(m, b.cols[j]), b.lp.cost[j], m.currency));
          out.diagnosis.push_back({b.lp.col_names[j], s.x[j], texts.back()});
        }
  out.message = texts.empty() ? "the cost can fall without limit: a route or resource with a negative cost lacks a limit"
                              : fmt::format("the cost can fall without limit: these can grow without bound at a "
                                            "negative cost: {}; give them a capacity, a build limit or a resource limit",
                                            fmt::join(texts, "; "));
}

}  // namespace

void resolve_route_emissions(OptModel& m, const std::string& model_path,
                             const std::function<std::string(const std::string& path)>& read) {
  const std::filesystem::path folder = std::filesystem::path(model_path).parent_path();
  for (size_t g = 0; g < m.routes.size(); ++g) {
    auto& rt = m.routes[g];
    if (rt.emission_resolved) continue;
    const std::string file = (folder / rt.emission_route_file).lexically_normal().string();
    const std::string where = fmt::format("/routes/{}/emission_from_route", g);
    try {
      const RouteModel route = parse_route(read(file), file);
      const SimulationResult sim = simulate(route);
      const double per_t = sim.per_t(rt.emission_scope == "total" ? sim.total_t : sim.direct_t);
      if (!std::isfinite(per_t))
        throw Error(ErrorCategory::InvalidInput, "the route's simulated intensity is not a finite number", ErrorContext{file});
      std::fill(rt.emission.begin(), rt.emission.end(), per_t);
      if (!rt.source.empty()) rt.source += "; ";
      rt.source += fmt::format("emissions {:.6g} t CO2e per {} ({}) simulated from {}", per_t, sim.product_unit,
                               rt.emission_scope, rt.emission_route_file);
    } catch (const Error& e) {
      throw Error(e.category(),
                  fmt::format("route '{}' takes its emissions from {}: {}{}", rt.id, file,
                              e.context().field.empty() ? "" : "field '" + e.context().field + "': ", e.message()),
                  ErrorContext{m.source_name, 0, 0, where});
    }
    rt.emission_resolved = true;
  }
}

OptimizeResult optimize(const OptModel& m, const OptimizeOptions& opt) {
  for (const auto& rt : m.routes)
    if (!rt.emission_resolved)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("route '{}' takes its emissions from {}, which has not been read", rt.id,
                              rt.emission_route_file),
                  ErrorContext{m.source_name});
  // PANOCARBON_TRACE=1 prints the time of each phase on stderr (bench/process_bench.py reads it).
  static const bool trace = std::getenv("PANOCARBON_TRACE") != nullptr;
  const auto tb = std::chrono::steady_clock::now();
  Builder builder(m, opt);
  const Built b = builder.build();
  if (trace)
    std::fprintf(stderr, "trace: %-28s %.6f s\n", "process build",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - tb).count());
  OptimizeResult out;
  out.model = m.name;
  out.currency = m.currency;
  out.carbon_price = b.price;
  out.rows = b.lp.n_rows();
  out.columns = b.lp.n_cols();
  out.nonzeros = b.lp.entries.size();
  const bool any_integer = std::find(b.lp.integer.begin(), b.lp.integer.end(), true) != b.lp.integer.end();
  out.integer = opt.integer;
  if (opt.integer && !any_integer)
    out.warnings.push_back("--integer: no route declares a unit_size, so the LP is solved as it is");
  if (opt.keep_lp) out.lp_text = linalg::to_cplex_lp(b.lp);
  const auto t0 = std::chrono::steady_clock::now();
  const auto s = any_integer ? linalg::solve_milp(b.lp) : linalg::solve_lp(b.lp);
  out.solve_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (trace) std::fprintf(stderr, "trace: %-28s %.6f s\n", any_integer ? "process solve (Cbc)" : "process solve (Clp)", out.solve_seconds);
  out.iterations = s.iterations;
  out.nodes = s.nodes;
  out.status = s.status == linalg::LpStatus::Optimal      ? "optimal"
               : s.status == linalg::LpStatus::Infeasible ? "infeasible"
               : s.status == linalg::LpStatus::Unbounded  ? "unbounded"
                                                          : "error";
  if (out.status == "infeasible") {
    out.message = s.message;
    bool relaxation_feasible = false;
    if (any_integer) {
      auto relaxed = b.lp;
      relaxed.integer.clear();
      relaxation_feasible = linalg::solve_lp(relaxed).status == linalg::LpStatus::Optimal;
    }
    if (opt.explain && !relaxation_feasible) explain_infeasible(m, b, out);
    return out;
  }
  if (out.status == "unbounded") {
    out.message = s.message;
    if (opt.explain) explain_unbounded(m, b, out);
    return out;
  }
  if (out.status != "optimal") {
    out.message = s.message;
    return out;
  }
  out.objective = s.objective;
  out.max_primal_infeasibility = s.max_primal_infeasibility;
  out.mip_gap = s.mip ? s.mip_gap : 0.0;
  out.best_bound = s.mip ? s.best_bound : s.objective;
  // The balance residuals from the solution and the model's own coefficients (not the solver's row activities).
  std::vector<double> lhs(b.lp.n_rows(), 0.0);
  for (const auto& e : b.lp.entries)
    if (b.rows[static_cast<size_t>(e.row)].kind == RowKind::Balance)
      lhs[static_cast<size_t>(e.row)] += e.value * s.x[static_cast<size_t>(e.col)];
  const size_t R = m.regions.size(), P = m.periods.size();
  std::vector<double> period_emissions(P, 0.0);
  for (size_t j = 0; j < b.cols.size(); ++j) {
    out.total_emissions_t += b.emission_per_col[j] * s.x[j];
    period_emissions[static_cast<size_t>(b.cols[j].period)] += b.emission_per_col[j] * s.x[j];
  }
  for (size_t p = 0; p < P; ++p) out.emissions_by_period.push_back({m.periods[p].id, period_emissions[p]});
  for (size_t i = 0; i < b.rows.size(); ++i) {
    const auto& ri = b.rows[i];
    if (ri.kind == RowKind::Balance) {
      const double lo = b.lp.row_lower[i], up = b.lp.row_upper[i];
      out.max_balance_residual = std::max({out.max_balance_residual, lo - lhs[i], lhs[i] - up});
      const auto& pd = m.periods[static_cast<size_t>(ri.period)];
      out.balances.push_back({m.commodities[static_cast<size_t>(ri.item)], m.regions[static_cast<size_t>(ri.region)], pd.id,
                              lo, s.dual[i], s.dual[i] / pd.df_annual});
    } else if (ri.kind == RowKind::Cap) {
      const auto& c = b.caps[static_cast<size_t>(ri.item)];
      const double e = s.row_activity[i];
      out.caps.push_back({c.name, c.region < 0 ? "" : m.regions[static_cast<size_t>(c.region)],
                          c.period < 0 ? "" : m.periods[static_cast<size_t>(c.period)].id, c.max_t, e,
                          std::max(0.0, -s.dual[i]) + 0.0, e >= c.max_t - 1e-7 * std::max(1.0, c.max_t)});
    }
  }
  // Activities of every route, region and period.
  for (size_t g = 0; g < m.routes.size(); ++g) {
    const auto& rt = m.routes[g];
    for (size_t r = 0; r < R; ++r) {
      std::vector<double> built_in(P, 0.0);
      for (size_t p = 0; p < P; ++p) {
        const int col = b.act_col[(g * R + r) * P + p];
        if (col < 0) continue;
        const int bc = b.build_col[(g * R + r) * P + p];
        ActivityLine a;
        a.region = m.regions[r];
        a.route = rt.id;
        a.period = m.periods[p].id;
        a.unit = rt.unit;
        a.activity = s.x[static_cast<size_t>(col)];
        const double size = rt.unit_size > 0 ? rt.unit_size : 1.0;
        a.new_units = bc >= 0 && rt.unit_size > 0 ? s.x[static_cast<size_t>(bc)] : 0.0;
        a.new_capacity = bc >= 0 ? s.x[static_cast<size_t>(bc)] * size : 0.0;
        built_in[p] = a.new_capacity;
        double alive = 0;
        for (size_t q = 0; q <= p; ++q) {
          const double age = m.periods[p].start_offset_years - m.periods[q].start_offset_years;
          if (rt.lifetime_years > 0 && age >= rt.lifetime_years) continue;
          alive += built_in[q];
        }
        a.capacity = rt.existing[r][p] + alive;
        a.emissions_t = b.emission_per_col[static_cast<size_t>(col)] * a.activity;
        out.activities.push_back(a);
      }
    }
  }
  for (size_t j = 0; j < b.cols.size(); ++j) {
    const auto& c = b.cols[j];
    if (c.kind == ColKind::Trade) {
      const auto& t = m.trade[static_cast<size_t>(c.item)];
      out.trade.push_back({m.commodities[static_cast<size_t>(t.commodity)], m.regions[static_cast<size_t>(t.from)],
                           m.regions[static_cast<size_t>(t.to)], m.periods[static_cast<size_t>(c.period)].id, s.x[j],
                           s.x[j] * (1 - t.loss)});
    } else if (c.kind == ColKind::Supply) {
      const auto& res = m.resources[static_cast<size_t>(c.item)];
      out.supplies.push_back({res.id, m.commodities[static_cast<size_t>(res.commodity)],
                              m.regions[static_cast<size_t>(c.region)], m.periods[static_cast<size_t>(c.period)].id, s.x[j]});
    }
  }
  return out;
}

std::optional<double> lowest_emissions(const OptModel& m, int cap_index) {
  OptimizeOptions o;
  Builder builder(m, o);
  const Built b = builder.build();
  if (cap_index < 0) return min_emissions(b, -1, -1);
  const auto& c = m.caps.at(static_cast<size_t>(cap_index));
  return min_emissions(b, c.region, c.period);
}

// ---- MACC ------------------------------------------------------------------------------------------------------

CapSweep parse_cap_sweep(std::string_view text) {
  auto bad = [&](const std::string& msg) {
    return Error(ErrorCategory::InvalidInput,
                 fmt::format("--caps '{}': {}", clip_input(text, 60), msg), ErrorContext{{}, 0, 0, "caps"});
  };
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == ':') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  if (parts.size() != 3) throw bad("expected A:B:STEP (three numbers in t CO2e, e.g. 1000000:500000:-50000)");
  double v[3];
  for (size_t k = 0; k < 3; ++k)
    if (!io::parse_double(parts[k], v[k])) throw bad(fmt::format("'{}' is not a finite number", clip_input(parts[k], 40)));
  CapSweep s{v[0], v[1], v[2], {}};
  if (s.from < 0 || s.to < 0) throw bad("caps are emissions in t CO2e and cannot be negative");
  if (s.step == 0) throw bad("the step is zero; give a step that leads from A to B (negative when B < A)");
  if (s.to != s.from && (s.to - s.from) * s.step < 0)
    throw bad(fmt::format("a step of {} never reaches {} from {}: the step's sign must be that of B - A", s.step, s.to, s.from));
  const double n = std::floor((s.to - s.from) / s.step + 1e-9) + 1;
  if (n > 10000) throw bad(fmt::format("{:.0f} steps: at most 10,000; take a larger step", n));
  for (long k = 0; k < static_cast<long>(n); ++k) s.caps.push_back(s.from + static_cast<double>(k) * s.step);
  return s;
}

MaccResult integrated_macc(const OptModel& m, const CapSweep& sweep, bool integer) {
  MaccResult out;
  out.model = m.name;
  out.currency = m.currency;
  OptModel base_model = m;
  base_model.caps.erase(std::remove_if(base_model.caps.begin(), base_model.caps.end(),
                                       [](const OptCap& c) { return c.region < 0 && c.period < 0; }),
                        base_model.caps.end());
  OptimizeOptions o;
  o.integer = integer;
  o.explain = false;
  const auto base = optimize(base_model, o);
  if (!base.optimal())
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("the model without its total cap is {}, so no curve can be drawn: run `process optimize` "
                            "on it for the explanation",
                            base.status),
                ErrorContext{m.source_name});
  out.baseline_emissions_t = base.total_emissions_t;
  out.baseline_cost = base.objective;
  bool any_infeasible = false;
  for (const double cap : sweep.caps) {
    o.cap = cap;
    const auto r = optimize(base_model, o);
    MaccStep st;
    st.cap = cap;
    st.status = r.status;
    if (r.optimal()) {
      st.emissions_t = r.total_emissions_t;
      st.abatement_t = std::max(0.0, out.baseline_emissions_t - r.total_emissions_t);
      st.total_cost = r.objective;
      st.cost_increase = r.objective - out.baseline_cost;
      if (st.abatement_t > 1e-9 * std::max(1.0, out.baseline_emissions_t)) st.average_cost_per_t = st.cost_increase / st.abatement_t;
      for (const auto& c : r.caps)
        if (c.name == "total (--cap)") st.marginal_cost = c.marginal_cost;
    } else {
      any_infeasible = true;
    }
    out.steps.push_back(st);
  }
  if (any_infeasible) out.lowest_emissions_t = lowest_emissions(base_model, -1);
  return out;
}

PartialMacc partial_macc(std::string_view text, const std::string& source) {
  io::CsvReader csv(text, source);
  if (!csv.next())
    throw Error(ErrorCategory::InvalidInput, "the measures file is empty: give a header measure,abatement_t,cost_usd and one "
                                             "row per measure", ErrorContext{source});
  std::map<std::string, size_t> col;
  for (size_t k = 0; k < csv.fields().size(); ++k) col[io::to_lower(io::trim(csv.fields()[k]))] = k;
  for (const char* need : {"measure", "abatement_t", "cost_usd"})
    if (!col.count(need))
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("the header lacks the column '{}': a measures CSV has measure,abatement_t,cost_usd "
                              "(and optionally lifetime_years, discount_rate, annual_cost_usd)",
                              need),
                  csv.context(0, need));
  const bool life = col.count("lifetime_years") > 0;
  if (!life && (col.count("annual_cost_usd") || col.count("discount_rate")))
    throw Error(ErrorCategory::InvalidInput,
                "annual_cost_usd and discount_rate annualise an up-front cost and need the column lifetime_years",
                csv.context(0, col.count("annual_cost_usd") ? "annual_cost_usd" : "discount_rate"));
  PartialMacc out;
  out.annualised = life;
  auto get = [&](const char* name, bool required, double dflt, double lo, double hi) {
    const auto it = col.find(name);
    if (it == col.end()) return dflt;
    const size_t k = it->second;
    if (k >= csv.fields().size() || io::trim(csv.fields()[k]).empty()) {
      if (!required) return dflt;
      throw Error(ErrorCategory::InvalidInput, fmt::format("{} is empty", name), csv.context(static_cast<long>(k) + 1, name));
    }
    const double v = io::finite_number(csv.fields()[k], csv.context(static_cast<long>(k) + 1, name));
    if (v < lo || v > hi)
      throw Error(ErrorCategory::InvalidInput, fmt::format("{} = {} lies outside {} .. {}", name, v, lo, hi),
                  csv.context(static_cast<long>(k) + 1, name));
    return v;
  };
  while (csv.next()) {
    Measure me;
    const size_t km = col["measure"];
    me.name = km < csv.fields().size() ? std::string(io::trim(csv.fields()[km])) : std::string();
    if (me.name.empty()) throw Error(ErrorCategory::InvalidInput, "the measure has no name", csv.context(static_cast<long>(km) + 1, "measure"));
    me.abatement_t = get("abatement_t", true, 0, 0, 1e15);
    if (me.abatement_t <= 0)
      throw Error(ErrorCategory::InvalidInput,
                  fmt::format("measure '{}': abatement_t must be positive (a cost per tonne needs tonnes abated)",
                              clip_input(me.name, 60)),
                  csv.context(static_cast<long>(col["abatement_t"]) + 1, "abatement_t"));
    me.cost = get("cost_usd", true, 0, -1e15, 1e15);
    if (life) {
      me.lifetime_years = get("lifetime_years", true, 0, 0, 1000);
      if (me.lifetime_years <= 0)
        throw Error(ErrorCategory::InvalidInput, fmt::format("measure '{}': lifetime_years must be positive", clip_input(me.name, 60)),
                    csv.context(static_cast<long>(col["lifetime_years"]) + 1, "lifetime_years"));
      me.discount_rate = get("discount_rate", false, 0, 0, 1);
      me.annual_cost = get("annual_cost_usd", false, 0, -1e15, 1e15);
      const double r = me.discount_rate, n = me.lifetime_years;
      const double crf = r == 0 ? 1 / n : r / (1 - std::pow(1 + r, -n));
      me.annualised_cost = me.cost * crf + me.annual_cost;
    } else {
      me.annualised_cost = me.cost;
    }
    me.cost_per_t = me.annualised_cost / me.abatement_t;
    out.measures.push_back(me);
  }
  if (out.measures.empty())
    throw Error(ErrorCategory::InvalidInput, "the measures file has a header but no measure", ErrorContext{source});
  std::stable_sort(out.measures.begin(), out.measures.end(),
                   [](const Measure& a, const Measure& b) { return a.cost_per_t < b.cost_per_t; });
  double cum = 0, cost = 0;
  for (auto& me : out.measures) {
    me.cumulative_from_t = cum;
    cum += me.abatement_t;
    cost += me.annualised_cost;
    me.cumulative_to_t = cum;
    me.cumulative_cost = cost;
    if (me.cost_per_t < 0) out.negative_cost_abatement_t += me.abatement_t;
  }
  out.total_abatement_t = cum;
  out.total_cost = cost;
  return out;
}

}  // namespace panocarbon::process
