// Registry entries of process optimisation: `process optimize` (the least-cost programme of routes, regions and
// periods) and `process macc` (the integrated curve of a model by a cap sweep, or the partial curve of a CSV of
// measures). The work is done by include/panocarbon/process_optimize.hpp; here are the descriptions, result
// schemas and renderings (docs/process.md).
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <ostream>

#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/process_optimize.hpp"
#include "capabilities/entries.hpp"

namespace panocarbon::registry {

namespace po = panocarbon::process;

namespace {

nlohmann::json jnum(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
nlohmann::json jopt(const std::optional<double>& v) { return v ? jnum(*v) : nlohmann::json(nullptr); }
std::string cnum(double v) { return std::isfinite(v) ? fmt::format("{:.10g}", v) : std::string(); }
std::string copt(const std::optional<double>& v) { return v ? cnum(*v) : std::string(); }
std::string clean(double v) { return std::abs(v) < 1e-9 ? "0" : cnum(v); }

// ---- process optimize ------------------------------------------------------------------------------------------

nlohmann::json optimize_json(const po::OptimizeResult& r) {
  const bool ok = r.optimal();
  nlohmann::json acts = nlohmann::json::array(), trade = nlohmann::json::array(), sup = nlohmann::json::array(),
                 caps = nlohmann::json::array(), bals = nlohmann::json::array(), diag = nlohmann::json::array(),
                 per = nlohmann::json::array();
  for (const auto& a : r.activities)
    acts.push_back({{"region", a.region}, {"route", a.route}, {"period", a.period}, {"unit", a.unit},
                    {"activity", a.activity}, {"capacity", a.capacity}, {"new_capacity", a.new_capacity},
                    {"new_units", a.new_units}, {"emissions_t", a.emissions_t}});
  for (const auto& t : r.trade)
    trade.push_back({{"commodity", t.commodity}, {"from", t.from}, {"to", t.to}, {"period", t.period}, {"flow", t.flow},
                     {"delivered", t.delivered}});
  for (const auto& s : r.supplies)
    sup.push_back({{"resource", s.resource}, {"commodity", s.commodity}, {"region", s.region}, {"period", s.period},
                   {"amount", s.amount}});
  for (const auto& c : r.caps)
    caps.push_back({{"name", c.name}, {"region", c.region.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.region)},
                    {"period", c.period.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.period)},
                    {"max_t", c.max_t}, {"emissions_t", c.emissions_t}, {"binding", c.binding},
                    {"marginal_cost_per_t", c.marginal_cost}});
  for (const auto& b : r.balances)
    bals.push_back({{"commodity", b.commodity}, {"region", b.region}, {"period", b.period}, {"demand", b.demand},
                    {"dual", b.dual}, {"price", b.price}});
  for (const auto& d : r.diagnosis) diag.push_back({{"constraint", d.constraint}, {"amount", d.amount}, {"text", d.text}});
  for (const auto& [p, e] : r.emissions_by_period) per.push_back({{"period", p}, {"emissions_t", e}});
  nlohmann::json j = {{"model", r.model},
                      {"status", r.status},
                      {"message", r.message},
                      {"currency", r.currency},
                      {"objective", ok ? jnum(r.objective) : nlohmann::json(nullptr)},
                      {"integer", r.integer},
                      {"mip_gap", ok && r.integer ? jnum(r.mip_gap) : nlohmann::json(nullptr)},
                      {"carbon_price", r.carbon_price},
                      {"total_emissions_t", ok ? jnum(r.total_emissions_t) : nlohmann::json(nullptr)},
                      {"emissions_by_period", per},
                      {"max_balance_residual", ok ? jnum(r.max_balance_residual) : nlohmann::json(nullptr)},
                      {"max_primal_infeasibility", ok ? jnum(r.max_primal_infeasibility) : nlohmann::json(nullptr)},
                      {"size", {{"rows", r.rows}, {"columns", r.columns}, {"nonzeros", r.nonzeros}}},
                      {"activities", acts},
                      {"trade", trade},
                      {"supplies", sup},
                      {"duals", {{"emission_caps", caps}, {"balances", bals}}},
                      {"diagnosis", diag},
                      {"lowest_emissions_t", jopt(r.lowest_emissions_t)}};
  if (!r.lp_text.empty()) j["lp"] = r.lp_text;
  return j;
}

void optimize_csv(const po::OptimizeResult& r, std::ostream& out) {
  const std::string cur = r.currency;
  out << "kind,item,region,period,quantity,value,unit\n";
  out << fmt::format("summary,{},,,status,{},\n", csv_field(r.model), r.status);
  if (!r.optimal()) {
    for (const auto& d : r.diagnosis)
      out << fmt::format("diagnosis,{},,,shortfall,{},\n", csv_field(d.constraint), cnum(d.amount));
    if (r.lowest_emissions_t) out << fmt::format("summary,lowest_emissions,,,emissions,{},t CO2e\n", cnum(*r.lowest_emissions_t));
    return;
  }
  out << fmt::format("summary,objective,,,cost,{},{} (present value)\n", cnum(r.objective), cur);
  out << fmt::format("summary,total_emissions,,,emissions,{},t CO2e\n", cnum(r.total_emissions_t));
  out << fmt::format("summary,max_balance_residual,,,residual,{},\n", cnum(r.max_balance_residual));
  if (r.integer) out << fmt::format("summary,mip_gap,,,gap,{},\n", cnum(r.mip_gap));
  for (const auto& [p, e] : r.emissions_by_period) out << fmt::format("emissions,all,,{},emissions,{},t CO2e\n", csv_field(p), clean(e));
  for (const auto& a : r.activities) {
    out << fmt::format("activity,{},{},{},activity,{},{}\n", csv_field(a.route), csv_field(a.region), csv_field(a.period), clean(a.activity), csv_field(a.unit + "/yr"));
    out << fmt::format("activity,{},{},{},capacity,{},{}\n", csv_field(a.route), csv_field(a.region), csv_field(a.period), clean(a.capacity), csv_field(a.unit + "/yr"));
    out << fmt::format("activity,{},{},{},new_capacity,{},{}\n", csv_field(a.route), csv_field(a.region), csv_field(a.period), clean(a.new_capacity), csv_field(a.unit + "/yr"));
    out << fmt::format("activity,{},{},{},emissions,{},t CO2e\n", csv_field(a.route), csv_field(a.region), csv_field(a.period), clean(a.emissions_t));
  }
  for (const auto& t : r.trade)
    out << fmt::format("trade,{},{},{},flow,{},per yr\n", csv_field(t.commodity), csv_field(t.from + ">" + t.to), csv_field(t.period), clean(t.flow));
  for (const auto& s : r.supplies)
    out << fmt::format("supply,{},{},{},amount,{},per yr\n", csv_field(s.resource), csv_field(s.region), csv_field(s.period), clean(s.amount));
  for (const auto& c : r.caps)
    out << fmt::format("cap_dual,{},{},{},marginal_cost,{},{}/t CO2e\n", csv_field(c.name), csv_field(c.region), csv_field(c.period),
                       clean(c.marginal_cost), cur);
  for (const auto& b : r.balances)
    out << fmt::format("balance_dual,{},{},{},price,{},{}/unit\n", csv_field(b.commodity), csv_field(b.region), csv_field(b.period), clean(b.price), cur);
}

void optimize_table(const po::OptimizeResult& r, std::ostream& out) {
  out << fmt::format("model: {}\nstatus: {}\n", r.model, r.status);
  if (!r.optimal()) {
    out << "why: " << r.message << '\n';
    if (r.lowest_emissions_t) out << fmt::format("lowest emissions reachable: {:.1f} t CO2e\n", *r.lowest_emissions_t);
    return;
  }
  out << fmt::format("objective: {:.2f} {} (present value)\ntotal emissions: {:.1f} t CO2e\ncarbon price: {:.2f} {}/t\n",
                     r.objective, r.currency, r.total_emissions_t, r.carbon_price, r.currency);
  if (r.integer) out << fmt::format("MILP gap: {:.3g}\n", r.mip_gap);
  out << fmt::format("largest balance residual: {:.3g}   size: {} rows x {} columns, {} non-zeros\n\n",
                     r.max_balance_residual, r.rows, r.columns, r.nonzeros);
  out << fmt::format("{:<8} {:<24} {:<8} {:>14} {:>14} {:>14} {:>14}\n", "region", "route", "period", "activity/yr",
                     "capacity/yr", "new cap/yr", "t CO2e");
  for (const auto& a : r.activities)
    if (a.activity > 1e-9 || a.new_capacity > 1e-9)
      out << fmt::format("{:<8} {:<24} {:<8} {:>14.1f} {:>14.1f} {:>14.1f} {:>14.1f}\n", a.region, a.route, a.period,
                         a.activity, a.capacity, a.new_capacity, a.emissions_t);
  bool any_trade = false;
  for (const auto& t : r.trade)
    if (t.flow > 1e-9) {
      if (!any_trade) out << fmt::format("\n{:<14} {:<8} {:<8} {:<8} {:>14}\n", "trade", "from", "to", "period", "flow/yr");
      any_trade = true;
      out << fmt::format("{:<14} {:<8} {:<8} {:<8} {:>14.1f}\n", t.commodity, t.from, t.to, t.period, t.flow);
    }
  if (!r.caps.empty()) {
    out << fmt::format("\n{:<24} {:>16} {:>16} {:>9} {:>18}\n", "emission cap", "max t CO2e", "emitted", "binding",
                       "MAC " + r.currency + "/t");
    for (const auto& c : r.caps)
      out << fmt::format("{:<24} {:>16.1f} {:>16.1f} {:>9} {:>18.2f}\n", c.name, c.max_t, c.emissions_t,
                         c.binding ? "yes" : "no", c.marginal_cost);
  }
  out << fmt::format("\n{:<14} {:<8} {:<8} {:>14} {:>16}\n", "commodity", "region", "period", "demand/yr",
                     "price " + r.currency);
  for (const auto& b : r.balances)
    if (b.demand > 0)
      out << fmt::format("{:<14} {:<8} {:<8} {:>14.1f} {:>16.2f}\n", b.commodity, b.region, b.period, b.demand, b.price);
}

nlohmann::json optimize_schema() {
  const auto act = object_schema({{"region", string_schema()},
                                  {"route", string_schema()},
                                  {"period", string_schema()},
                                  {"unit", string_schema()},
                                  {"activity", number_schema("units of activity per year")},
                                  {"capacity", number_schema("existing plus new capacity still alive, per year")},
                                  {"new_capacity", number_schema("built in this period, units of activity per year")},
                                  {"new_units", number_schema("builds in units of the route's unit_size")},
                                  {"emissions_t", number_schema("t CO2e over the period")}});
  const auto trade = object_schema({{"commodity", string_schema()},
                                    {"from", string_schema()},
                                    {"to", string_schema()},
                                    {"period", string_schema()},
                                    {"flow", number_schema("leaving per year")},
                                    {"delivered", number_schema("arriving per year, after losses")}});
  const auto sup = object_schema({{"resource", string_schema()},
                                  {"commodity", string_schema()},
                                  {"region", string_schema()},
                                  {"period", string_schema()},
                                  {"amount", number_schema("per year")}});
  const auto cap = object_schema({{"name", string_schema()},
                                  {"region", nullable(string_schema())},
                                  {"period", nullable(string_schema())},
                                  {"max_t", number_schema()},
                                  {"emissions_t", number_schema()},
                                  {"binding", {{"type", "boolean"}}},
                                  {"marginal_cost_per_t", number_schema("minus the cap's dual: currency per t CO2e, >= 0")}});
  const auto bal = object_schema({{"commodity", string_schema()},
                                  {"region", string_schema()},
                                  {"period", string_schema()},
                                  {"demand", number_schema()},
                                  {"dual", number_schema("d objective / d demand per year (present value)")},
                                  {"price", number_schema("dual / the period's annual discount factor")}});
  return object_schema(
      {{"model", string_schema()},
       {"status", {{"type", "string"}, {"enum", {"optimal", "infeasible", "unbounded", "error"}}}},
       {"message", string_schema("why the model is infeasible or unbounded; empty when optimal")},
       {"currency", string_schema()},
       {"objective", nullable(number_schema("discounted total cost"))},
       {"integer", {{"type", "boolean"}}},
       {"mip_gap", nullable(number_schema())},
       {"carbon_price", number_schema()},
       {"total_emissions_t", nullable(number_schema())},
       {"emissions_by_period", array_of(object_schema({{"period", string_schema()}, {"emissions_t", number_schema()}}))},
       {"max_balance_residual", nullable(number_schema("largest violation of a commodity balance, from the solution"))},
       {"max_primal_infeasibility", nullable(number_schema())},
       {"size", object_schema({{"rows", integer_schema()}, {"columns", integer_schema()}, {"nonzeros", integer_schema()}})},
       {"activities", array_of(act)},
       {"trade", array_of(trade)},
       {"supplies", array_of(sup)},
       {"duals", object_schema({{"emission_caps", array_of(cap)}, {"balances", array_of(bal)}})},
       {"diagnosis", array_of(object_schema({{"constraint", string_schema()}, {"amount", number_schema()}, {"text", string_schema()}}))},
       {"lowest_emissions_t", nullable(number_schema())},
       {"lp", string_schema("the programme in CPLEX LP format (--show-lp)")}},
      {"lp"});
}

Result optimize_result(po::OptimizeResult run) {
  auto s = std::make_shared<po::OptimizeResult>(std::move(run));
  Result r;
  r.json = [s](const Result&) { return optimize_json(*s); };
  r.csv = [s](const Result&, std::ostream& out) { optimize_csv(*s, out); };
  r.table = [s](const Result&, std::ostream& out) { optimize_table(*s, out); };
  r.summary = {{"status", s->status}, {"rows", s->rows}, {"columns", s->columns}};
  if (s->optimal()) r.summary["objective"] = s->objective;
  r.warnings = s->warnings;
  if (!s->optimal()) r.warnings.push_back(fmt::format("the model is {}: {}", s->status, s->message));
  r.diagnostics = fmt::format("{} rows, {} columns, {} non-zeros; {} in {:.4f} s, {} iterations{}", s->rows, s->columns,
                              s->nonzeros, s->integer ? "Cbc" : "Clp", s->solve_seconds, s->iterations,
                              s->integer ? fmt::format(", {} nodes", s->nodes) : std::string());
  return r;
}

po::OptModel read_model(Context& ctx, const Params& p, const std::string& text) {
  auto m = po::parse_opt_model(text, p.str("model"));
  // Route files named by the model (emission_from_route) are inputs of the model, relative to its folder.
  po::resolve_route_emissions(m, p.str("model"), [&](const std::string& f) { return ctx.read_input("model", f); });
  return m;
}

Result run_optimize(Context& ctx, const Params& p) {
  const auto model = read_model(ctx, p, ctx.text(p, "model"));
  po::OptimizeOptions o;
  if (p.has("cap")) o.cap = p.number("cap");
  if (p.has("price")) o.price = p.number("price");
  o.integer = p.flag("integer");
  o.keep_lp = p.flag("show-lp");
  return optimize_result(po::optimize(model, o));
}

// ---- process macc ----------------------------------------------------------------------------------------------

struct MaccRun {
  bool integrated = true;
  po::MaccResult curve;
  po::PartialMacc partial;
};

nlohmann::json macc_json(const MaccRun& m) {
  auto arr = nlohmann::json::array();
  if (m.integrated) {
    const auto& c = m.curve;
    for (const auto& s : c.steps) {
      const bool ok = s.status == "optimal";
      auto n = [&](double v) { return ok ? jnum(v) : nlohmann::json(nullptr); };
      arr.push_back({{"cap_t", s.cap}, {"status", s.status}, {"emissions_t", n(s.emissions_t)},
                     {"abatement_t", n(s.abatement_t)}, {"total_cost", n(s.total_cost)},
                     {"cost_increase", n(s.cost_increase)}, {"average_cost_per_t", jopt(s.average_cost_per_t)},
                     {"marginal_cost_per_t", n(s.marginal_cost)}});
    }
    return {{"kind", "integrated"},
            {"model", c.model},
            {"currency", c.currency},
            {"baseline_emissions_t", c.baseline_emissions_t},
            {"baseline_cost", c.baseline_cost},
            {"lowest_emissions_t", jopt(c.lowest_emissions_t)},
            {"steps", arr}};
  }
  const auto& p = m.partial;
  for (const auto& me : p.measures) {
    nlohmann::json j = {{"measure", me.name},
                        {"abatement_t", me.abatement_t},
                        {"cost_usd", me.cost},
                        {"annualised_cost_usd", me.annualised_cost},
                        {"cost_usd_per_t", me.cost_per_t},
                        {"cumulative_from_t", me.cumulative_from_t},
                        {"cumulative_to_t", me.cumulative_to_t},
                        {"cumulative_cost_usd", me.cumulative_cost}};
    if (p.annualised) {
      j["lifetime_years"] = me.lifetime_years;
      j["discount_rate"] = me.discount_rate;
      j["annual_cost_usd"] = me.annual_cost;
    }
    arr.push_back(j);
  }
  return {{"kind", "partial"},
          {"annualised", p.annualised},
          {"total_abatement_t", p.total_abatement_t},
          {"total_cost_usd", p.total_cost},
          {"negative_cost_abatement_t", p.negative_cost_abatement_t},
          {"measures", arr}};
}

void macc_csv(const MaccRun& m, std::ostream& out) {
  if (m.integrated) {
    out << "cap_t,status,emissions_t,abatement_t,total_cost,cost_increase,average_cost_per_t,marginal_cost_per_t,currency\n";
    for (const auto& s : m.curve.steps) {
      const bool ok = s.status == "optimal";
      auto n = [&](double v) { return ok ? clean(v) : std::string(); };
      out << fmt::format("{},{},{},{},{},{},{},{},{}\n", cnum(s.cap), s.status, n(s.emissions_t), n(s.abatement_t),
                         n(s.total_cost), n(s.cost_increase), copt(s.average_cost_per_t), n(s.marginal_cost),
                         m.curve.currency);
    }
    return;
  }
  out << "measure,abatement_t,cost_usd,annualised_cost_usd,cost_usd_per_t,cumulative_from_t,cumulative_to_t,"
         "cumulative_cost_usd\n";
  for (const auto& me : m.partial.measures)
    out << fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(me.name), cnum(me.abatement_t), cnum(me.cost),
                       cnum(me.annualised_cost), cnum(me.cost_per_t), cnum(me.cumulative_from_t), cnum(me.cumulative_to_t),
                       cnum(me.cumulative_cost));
}

void macc_table(const MaccRun& m, std::ostream& out) {
  if (m.integrated) {
    const auto& c = m.curve;
    out << fmt::format("integrated MACC of {}: baseline (no total cap) {:.1f} t CO2e at {:.2f} {}\n", c.model,
                       c.baseline_emissions_t, c.baseline_cost, c.currency);
    if (c.lowest_emissions_t) out << fmt::format("lowest emissions reachable: {:.1f} t CO2e\n", *c.lowest_emissions_t);
    out << fmt::format("{:>16} {:>10} {:>16} {:>16} {:>18} {:>16} {:>12} {:>12}\n", "cap t CO2e", "status", "emitted t",
                       "abated t", "total cost", "cost increase", "avg /t", "MAC /t");
    for (const auto& s : c.steps) {
      if (s.status != "optimal") {
        out << fmt::format("{:>16.1f} {:>10}\n", s.cap, s.status);
        continue;
      }
      out << fmt::format("{:>16.1f} {:>10} {:>16.1f} {:>16.1f} {:>18.2f} {:>16.2f} {:>12} {:>12.2f}\n", s.cap, s.status,
                         s.emissions_t, s.abatement_t, s.total_cost, s.cost_increase,
                         s.average_cost_per_t ? fmt::format("{:.2f}", *s.average_cost_per_t) : std::string("-"),
                         s.marginal_cost);
    }
    return;
  }
  const auto& p = m.partial;
  out << fmt::format("partial MACC{}: {} measures, {:.1f} t abated in all, {:.1f} t at negative cost\n",
                     p.annualised ? " (annualised costs)" : "", p.measures.size(), p.total_abatement_t,
                     p.negative_cost_abatement_t);
  out << fmt::format("{:<32} {:>14} {:>16} {:>12} {:>16}\n", "measure", "abatement t", "cost USD", "USD/t", "cumulative t");
  for (const auto& me : p.measures)
    out << fmt::format("{:<32} {:>14.1f} {:>16.2f} {:>12.2f} {:>16.1f}\n", me.name, me.abatement_t, me.annualised_cost,
                       me.cost_per_t, me.cumulative_to_t);
}

nlohmann::json macc_schema() {
  const auto step = object_schema({{"cap_t", number_schema()},
                                   {"status", string_schema()},
                                   {"emissions_t", nullable(number_schema())},
                                   {"abatement_t", nullable(number_schema("baseline emissions - emissions"))},
                                   {"total_cost", nullable(number_schema())},
                                   {"cost_increase", nullable(number_schema("total cost - baseline cost"))},
                                   {"average_cost_per_t", nullable(number_schema("cost increase / abatement"))},
                                   {"marginal_cost_per_t", nullable(number_schema("minus the cap's dual"))}});
  const auto measure = object_schema({{"measure", string_schema()},
                                      {"abatement_t", number_schema()},
                                      {"cost_usd", number_schema()},
                                      {"annualised_cost_usd", number_schema()},
                                      {"cost_usd_per_t", number_schema()},
                                      {"cumulative_from_t", number_schema()},
                                      {"cumulative_to_t", number_schema()},
                                      {"cumulative_cost_usd", number_schema()},
                                      {"lifetime_years", number_schema()},
                                      {"discount_rate", number_schema()},
                                      {"annual_cost_usd", number_schema()}},
                                     {"lifetime_years", "discount_rate", "annual_cost_usd"});
  return object_schema({{"kind", {{"type", "string"}, {"enum", {"integrated", "partial"}}}},
                        {"model", string_schema()},
                        {"currency", string_schema()},
                        {"baseline_emissions_t", number_schema()},
                        {"baseline_cost", number_schema()},
                        {"lowest_emissions_t", nullable(number_schema())},
                        {"steps", array_of(step)},
                        {"annualised", {{"type", "boolean"}}},
                        {"total_abatement_t", number_schema()},
                        {"total_cost_usd", number_schema()},
                        {"negative_cost_abatement_t", number_schema()},
                        {"measures", array_of(measure)}},
                       {"model", "currency", "baseline_emissions_t", "baseline_cost", "lowest_emissions_t", "steps",
                        "annualised", "total_abatement_t", "total_cost_usd", "negative_cost_abatement_t", "measures"});
}

bool looks_like_json(const std::string& text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

Result run_macc(Context& ctx, const Params& p) {
  const std::string text = ctx.text(p, "model");
  auto run = std::make_shared<MaccRun>();
  if (looks_like_json(text)) {
    if (!p.has("caps"))
      throw Error(ErrorCategory::InvalidInput,
                  "an optimisation model needs --caps A:B:STEP (t CO2e, e.g. 1000000:500000:-50000) for its curve",
                  ErrorContext{p.str("model"), 0, 0, "caps"});
    const auto sweep = po::parse_cap_sweep(p.str("caps"));
    const auto model = read_model(ctx, p, text);
    run->curve = po::integrated_macc(model, sweep);
  } else {
    if (p.has("caps"))
      throw Error(ErrorCategory::InvalidInput,
                  "--caps sweeps the cap of an optimisation model (JSON); a measures CSV takes no --caps",
                  ErrorContext{p.str("model"), 0, 0, "caps"});
    run->integrated = false;
    run->partial = po::partial_macc(text, p.str("model"));
  }
  Result r;
  r.json = [run](const Result&) { return macc_json(*run); };
  r.csv = [run](const Result&, std::ostream& out) { macc_csv(*run, out); };
  r.table = [run](const Result&, std::ostream& out) { macc_table(*run, out); };
  if (run->integrated) {
    r.summary = {{"kind", "integrated"}, {"steps", run->curve.steps.size()}};
    size_t infeasible = 0;
    for (const auto& s : run->curve.steps) infeasible += s.status != "optimal";
    if (infeasible > 0)
      r.warnings.push_back(fmt::format("{} of {} caps cannot be met: the lowest emissions reachable are {:.6g} t CO2e",
                                       infeasible, run->curve.steps.size(),
                                       run->curve.lowest_emissions_t.value_or(std::nan(""))));
  } else {
    r.summary = {{"kind", "partial"}, {"measures", run->partial.measures.size()}};
  }
  return r;
}

}  // namespace

void add_optimize_entries(std::vector<Capability>& t) {
  t.push_back({"process optimize",
               Domain::Process,
               "Least-cost plan of an industrial sector from an optimisation model (JSON: regions, periods, "
               "commodities, routes with input/output coefficients, costs, capacities and emissions; demands, trade, "
               "resource limits, share rules, emission caps, carbon price), solved with COIN-OR Clp (Cbc with "
               "--integer): status, discounted total cost, the activity and new capacity of every route, region and "
               "period, trade, total emissions, the duals of every emission cap (marginal abatement cost, USD per t "
               "CO2e, positive when binding) and commodity balance, and the largest balance residual. Infeasible and "
               "unbounded models get the constraint that cannot be met (e.g. the lowest emissions reachable).",
               optimize_schema(),
               {"examples/process/models/steel-two-regions.json", "--cap", "44000000000"},
               true,
               false,
               run_optimize});
  t.push_back({"process macc",
               Domain::Process,
               "Marginal abatement cost curve. For an optimisation model: the integrated curve, the model solved at "
               "each cap of --caps A:B:STEP (t CO2e over the horizon): emissions, abatement against the uncapped "
               "optimum, total and added cost, average cost per t abated and the cap's dual (marginal cost). For a CSV "
               "of measures (measure,abatement_t,cost_usd[,lifetime_years,discount_rate,annual_cost_usd]): the partial "
               "(McKinsey-style) curve, sorted by cost per t with cumulative abatement.",
               macc_schema(),
               {"examples/process/models/steel-two-regions.json", "--caps", "47000000000:42000000000:-1000000000"},
               true,
               false,
               run_macc});
}

}  // namespace panocarbon::registry
