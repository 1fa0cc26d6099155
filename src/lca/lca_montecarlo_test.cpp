// Monte Carlo LCA on small in-memory systems: the mean against the closed form of a product of lognormals,
// σ = 0 against the deterministic calculation, refactorisation against a fresh factorisation, threads, the
// pedigree matrix, signs (inputs, waste, negative amounts, allocation) and the error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "panocarbon/error.hpp"
#include "panocarbon/lca.hpp"
#include "panocarbon/lca_montecarlo.hpp"

using namespace panocarbon;
using namespace panocarbon::lca;

namespace {

const std::string kAir = "Elementary flows/air/unspecified";

struct McBuilder {
  Database db;
  int32_t flow(const std::string& name, FlowType t, const std::string& compartment = "") {
    for (size_t i = 0; i < db.flows.size(); ++i)
      if (db.flows[i].name == name && db.flows[i].compartment == compartment) return static_cast<int32_t>(i);
    Flow f;
    f.id = "f-" + name;
    f.name = name;
    f.type = t;
    f.compartment = compartment;
    f.unit = "kg";
    f.property = "Mass";
    if (name == "Carbon dioxide, fossil") f.cas = "124-38-9";
    if (name == "Methane, fossil") f.cas = "74-82-8";
    db.flows.push_back(f);
    return static_cast<int32_t>(db.flows.size() - 1);
  }
  Process& process(const std::string& name) {
    Process p;
    p.id = "p-" + name;
    p.name = name;
    p.location = "GLO";
    db.processes.push_back(p);
    return db.processes.back();
  }
  static Exchange ex(int32_t flow, double amount, bool input, bool reference = false) {
    Exchange e;
    e.flow = flow;
    e.amount = amount;
    e.input = input;
    e.reference = reference;
    e.id = "e" + std::to_string(flow);
    return e;
  }
  static Exchange ln(Exchange e, double gsd) {
    e.uncertainty.kind = Uncertainty::Lognormal;
    e.uncertainty.a = e.amount;
    e.uncertainty.b = gsd;
    return e;
  }
  Database done() {
    db.name = "test";
    db.index();
    return std::move(db);
  }
};

// P1 makes 1 kg of x from 0.5 kg of y (σ1) and emits 2 kg CO2 (σ2); P2 makes 1 kg of y and emits 3 kg CO2 (σ3).
// total = X_co2,1 + X_y · X_co2,2 with independent lognormals.
Database chain(double g1, double g2, double g3) {
  McBuilder b;
  const int32_t x = b.flow("x", FlowType::Product), y = b.flow("y", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  Process& p1 = b.process("P1");
  p1.exchanges = {McBuilder::ex(x, 1, false, true), McBuilder::ln(McBuilder::ex(y, 0.5, true), g1),
                  McBuilder::ln(McBuilder::ex(co2, 2, false), g2)};
  Process& p2 = b.process("P2");
  p2.exchanges = {McBuilder::ex(y, 1, false, true), McBuilder::ln(McBuilder::ex(co2, 3, false), g3)};
  return b.done();
}

// a loop: electricity needs coal (uncertain), coal needs electricity (uncertain)
Database loop() {
  McBuilder b;
  const int32_t el = b.flow("electricity", FlowType::Product), coal = b.flow("coal", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  const int32_t ch4 = b.flow("Methane, fossil", FlowType::Elementary, kAir);
  Process& p1 = b.process("power");
  p1.exchanges = {McBuilder::ex(el, 1, false, true), McBuilder::ln(McBuilder::ex(coal, 0.4, true), 1.3),
                  McBuilder::ln(McBuilder::ex(co2, 1, false), 1.1)};
  Process& p2 = b.process("mine");
  Exchange tri = McBuilder::ex(ch4, 0.01, false);
  tri.uncertainty.kind = Uncertainty::Triangle;
  tri.uncertainty.a = 0.005;
  tri.uncertainty.b = 0.01;
  tri.uncertainty.c = 0.02;
  p2.exchanges = {McBuilder::ex(coal, 1, false, true), McBuilder::ln(McBuilder::ex(el, 0.5, true), 1.5), tri};
  return b.done();
}

struct McRun {
  Database db;
  ProductSystem sys;
  Method method = builtin_gwp_method("AR6");
  FlowMapping mapping;
  explicit McRun(Database d) : db(std::move(d)) {
    sys = build_system(db, LinkOptions{});
    mapping = map_flows(db, method);
  }
  McResult mc(uint64_t draws, int threads, uint64_t seed = 42, size_t top = 5) {
    MonteCarloOptions o;
    o.seed = seed;
    model = montecarlo_model(sys, mapping, o);
    parallel::RunOptions r;
    r.draws = draws;
    r.threads = threads;
    return run_montecarlo(model, method, Demand{sys.find_provider(sys.db->processes[0].name), 1.0}, r, top);
  }
  MonteCarloModel model;
};

// E[X^k] of a lognormal with median m and σ of ln: m^k exp(k² σ² / 2).
double ln_raw(double m, double s, int k) { return std::pow(m, k) * std::exp(k * k * s * s / 2); }
// Fourth central moment of Z = A + B, A and B independent lognormals (median, σ of ln), from the raw moments
// E[Z^k] = Σ C(k, i) E[A^i] E[B^(k−i)].
double sum_of_lognormals_central4(double ma, double sa, double mb, double sb) {
  double raw[5];
  const double binom[5][5] = {{1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}, {1, 4, 6, 4, 1}};
  for (int k = 0; k <= 4; ++k) {
    raw[k] = 0;
    for (int i = 0; i <= k; ++i) raw[k] += binom[k][i] * ln_raw(ma, sa, i) * ln_raw(mb, sb, k - i);
  }
  const double mu = raw[1];
  return raw[4] - 4 * mu * raw[3] + 6 * mu * mu * raw[2] - 3 * std::pow(mu, 4);
}
// Standard normal quantile z_p by bisection on erfc (the test needs 0.025, 0.5, 0.975).
double z_of(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

TEST(LcaMonteCarlo, MeanOfAChainMatchesTheLognormalProductMean) {
  const double g1 = 1.2, g2 = 1.5, g3 = 1.3;
  McRun r(chain(g1, g2, g3));
  const McResult res = r.mc(40000, 2);
  const double s1 = std::log(g1), s2 = std::log(g2), s3 = std::log(g3);
  // E[X] = median · exp(σ²/2); X_y and X_co2,2 independent
  const double expected = 2 * std::exp(s2 * s2 / 2) + 0.5 * std::exp(s1 * s1 / 2) * 3 * std::exp(s3 * s3 / 2);
  const McCategory& total = res.categories[0];
  ASSERT_EQ(total.name, "total");
  EXPECT_DOUBLE_EQ(total.deterministic, 2 + 0.5 * 3);
  const double se = total.summary.sd / std::sqrt(40000.0);
  EXPECT_NEAR(total.summary.mean, expected, 4 * se) << "se " << se;
  // the median of the sum is below its mean (right-skewed) and above the deterministic value's lower half
  EXPECT_LT(total.summary.median, total.summary.mean);
  // the variance: Var(X1) + Var(Xy Xc2) with Var(XY) = E[X²]E[Y²] − E[X]²E[Y]²
  const auto m2 = [](double med, double s) { return med * med * std::exp(2 * s * s); };
  const auto m1 = [](double med, double s) { return med * std::exp(s * s / 2); };
  const double var = m2(2, s2) - m1(2, s2) * m1(2, s2) + m2(0.5, s1) * m2(3, s3) - std::pow(m1(0.5, s1) * m1(3, s3), 2);
  // the sample SD within 4 standard errors of σ: Var(s²) = (μ4 − σ⁴ (n − 3)/(n − 1)) / n, SE(s) = SE(s²) / (2σ),
  // μ4 of Z = A + B from the lognormal raw moments E[X^k] = median^k exp(k² σ² / 2) of A = 2·LN(0, s2) and
  // B = 1.5·LN(0, √(s1² + s3²)) (a product of independent lognormals is lognormal)
  const double central4 = sum_of_lognormals_central4(2, s2, 1.5, std::sqrt(s1 * s1 + s3 * s3));
  const double n = 40000;
  const double se_sd = std::sqrt((central4 - var * var * (n - 3) / (n - 1)) / n) / (2 * std::sqrt(var));
  EXPECT_NEAR(total.summary.sd, std::sqrt(var), 4 * se_sd) << "se " << se_sd;
  // the direct CO2 of P1 has the largest first-order variance: P1 (two parameters) leads
  ASSERT_FALSE(total.contributions.empty());
  EXPECT_EQ(r.db.processes[static_cast<size_t>(total.contributions[0].process)].name, "P1");
  double sum = 0;
  for (const auto& c : total.contributions) sum += c.share_pct;
  EXPECT_NEAR(sum, 100, 1e-9);
}

// One lognormal parameter: P1's CO2 (median 2, σ = ln 1.5), the rest constant, so Z = 1.5 + 2X with X ~ LN(0, σ).
// Every statistic against its closed form within 4 of its own standard errors (n = 40,000):
//   mean 1.5 + 2 e^{σ²/2}, SE = sd/√n;  variance 4 (e^{σ²} − 1) e^{σ²}, SE(s²) = √((μ4 − σ_Z⁴ (n−3)/(n−1))/n);
//   quantiles q_p = 1.5 + 2 exp(σ z_p), SE(q_p) = √(p (1 − p) / n) / f_Z(q_p), f_Z(z) = f_X((z − 1.5)/2) / 2.
TEST(LcaMonteCarlo, MomentsAndQuantilesOfOneLognormalWithinTheirStandardErrors) {
  const double sigma = std::log(1.5);
  McRun r(chain(1.0, 1.5, 1.0));
  const uint64_t draws = 40000;
  const McResult res = r.mc(draws, 2, 2024);
  const unc::Summary& t = res.categories[0].summary;
  const double n = static_cast<double>(draws);
  const double w = std::exp(sigma * sigma);
  const double mean = 1.5 + 2 * std::exp(sigma * sigma / 2);
  const double var = 4 * (w - 1) * w;
  EXPECT_NEAR(t.mean, mean, 4 * t.sd / std::sqrt(n));
  const double central4 = sum_of_lognormals_central4(2, sigma, 1.5, 0.0);
  const double se_var = std::sqrt((central4 - var * var * (n - 3) / (n - 1)) / n);
  EXPECT_NEAR(t.sd * t.sd, var, 4 * se_var) << "se " << se_var;
  const auto density = [&](double z) {
    const double x = (z - 1.5) / 2;
    return std::exp(-std::pow(std::log(x), 2) / (2 * sigma * sigma)) / (x * sigma * std::sqrt(2 * M_PI)) / 2;
  };
  const std::pair<double, double> quantiles[] = {{0.025, t.p2_5}, {0.5, t.median}, {0.975, t.p97_5}};
  for (const auto& [p, got] : quantiles) {
    const double q = 1.5 + 2 * std::exp(sigma * z_of(p));
    const double se = std::sqrt(p * (1 - p) / n) / density(q);
    EXPECT_NEAR(got, q, 4 * se) << "p " << p << " se " << se;
  }
  // the closed forms are not loose: the median is 3.5 exactly, and its SE is below 0.5 %
  EXPECT_NEAR(1.5 + 2 * std::exp(sigma * z_of(0.5)), 3.5, 1e-12);
  EXPECT_LT(std::sqrt(0.25 / n) / density(3.5), 0.005 * 3.5);
}

TEST(LcaMonteCarlo, ZeroSigmaGivesTheDeterministicResultOnEveryDraw) {
  McRun r(chain(1.0, 1.0, 0.0));  // geometric SD 1 (σ = 0) and 0 (openLCA: not given)
  const McResult res = r.mc(50, 2);
  EXPECT_TRUE(r.model.parameters.empty());
  Solver solver(r.sys);
  const LcaResult det = calculate(r.sys, solver, r.method, r.mapping, Demand{r.sys.find_provider("P1"), 1.0});
  for (size_t k = 0; k < res.categories.size(); ++k) {
    EXPECT_EQ(res.categories[k].deterministic, det.impacts[k]);
    for (uint64_t d = 0; d < 50; ++d) EXPECT_EQ(res.draws.at(d, k), det.impacts[k]) << "draw " << d;
    EXPECT_EQ(res.categories[k].summary.sd, 0.0);
    EXPECT_TRUE(res.categories[k].contributions.empty());
  }
}

TEST(LcaMonteCarlo, RefactorEqualsAFreshFactorisation) {
  Database db = loop();
  const ProductSystem sys = build_system(db, LinkOptions{});
  Solver reused(sys);
  ProductSystem other = sys;
  for (size_t t = 0; t < other.technosphere.size(); ++t)
    if (other.technosphere[t].row != other.technosphere[t].col) other.technosphere[t].value *= 1.0 + 0.37 * double(t + 1);
  reused.refactor(technosphere_matrix(other).x, "draw 3");
  Solver fresh(other);
  for (size_t j = 0; j < sys.providers.size(); ++j) {
    std::vector<double> f(sys.providers.size(), 0.0);
    f[j] = 1;
    const auto a = reused.solve(f), b = fresh.solve(f);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12 * std::abs(b[i])) << i << "," << j;
    const auto at = reused.solve_transposed(f), bt = fresh.solve_transposed(f);
    for (size_t i = 0; i < at.size(); ++i) EXPECT_NEAR(at[i], bt[i], 1e-12 * std::abs(bt[i]));
  }
  EXPECT_EQ(reused.stats().refactors, 1u);
  // back to the original values: the original solution
  reused.refactor(technosphere_matrix(sys).x);
  Solver original(sys);
  std::vector<double> f(sys.providers.size(), 0.0);
  f[0] = 1;
  const auto a = reused.solve(f), b = original.solve(f);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12 * std::abs(b[i]));
}

TEST(LcaMonteCarlo, SingularDrawNamesTheDrawAndTheProcesses) {
  Database db = loop();
  const ProductSystem sys = build_system(db, LinkOptions{});
  Solver solver(sys);
  CscMatrix a = technosphere_matrix(sys);
  // electricity needs 2 kg coal per MJ and coal 0.5 MJ per kg: A = [[1, −0.5], [−2, 1]] is singular
  for (int j = 0; j < a.n; ++j)
    for (int k = a.p[static_cast<size_t>(j)]; k < a.p[static_cast<size_t>(j) + 1]; ++k)
      if (a.i[static_cast<size_t>(k)] != j) a.x[static_cast<size_t>(k)] = j == 0 ? -2.0 : -0.5;
  try {
    solver.refactor(a.x, "draw 17");
    const auto s = solver.solve(std::vector<double>{1.0, 0.0});
    FAIL() << "no error, s = " << s[0];
  } catch (const Error& e) {
    const std::string m = e.message();
    EXPECT_NE(m.find("draw 17"), std::string::npos) << m;
    EXPECT_NE(m.find("singular"), std::string::npos) << m;
    EXPECT_EQ(e.category(), ErrorCategory::Data);
  }
  // through the evaluator: the draw and the processes with a zero net output are named
  Database db2 = loop();
  db2.processes[0].exchanges.push_back(McBuilder::ln(McBuilder::ex(0, 0.5, true), 1.2));  // power eats its own output
  db2.processes[0].exchanges.back().id = "self";
  const ProductSystem sys2 = build_system(db2, LinkOptions{});
  const Method method = builtin_gwp_method("AR6");
  const FlowMapping mapping = map_flows(db2, method);
  const MonteCarloModel model = montecarlo_model(sys2, mapping, MonteCarloOptions{});
  McEvaluator ev(model, Demand{0, 1.0});
  std::vector<double> x(model.parameters.size());
  for (size_t p = 0; p < x.size(); ++p) x[p] = model.parameters[p].amount;
  for (size_t p = 0; p < x.size(); ++p)
    if (model.parameters[p].name == "p-power/self") x[p] = 1.0;  // 1 MJ in, 1 MJ out: zero net output
    else if (model.parameters[p].name == "p-mine/e0") x[p] = 0.0;  // and nothing else takes its output
  std::vector<double> out(model.categories);
  try {
    ev.run_values(x.data(), out.data(), "draw 5");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.message();
    EXPECT_NE(m.find("draw 5"), std::string::npos) << m;
    EXPECT_NE(m.find("power (p-power)"), std::string::npos) << m;
  }
  // a result that is not finite names the draw
  for (size_t p = 0; p < x.size(); ++p) x[p] = model.parameters[p].amount;
  for (size_t p = 0; p < x.size(); ++p)
    if (model.parameters[p].name == "p-power/e2") x[p] = std::numeric_limits<double>::infinity();  // its CO2
  try {
    ev.run_values(x.data(), out.data(), "draw 9");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.message()).find("draw 9: the result is not finite"), std::string::npos) << e.message();
  }
}

TEST(LcaMonteCarlo, OneOrThreeThreadsGiveIdenticalDraws) {
  McRun a(loop()), b(loop());
  const McResult r1 = a.mc(301, 1, 9), r3 = b.mc(301, 3, 9);
  ASSERT_EQ(r1.draws.values.size(), r3.draws.values.size());
  for (size_t i = 0; i < r1.draws.values.size(); ++i) ASSERT_EQ(r1.draws.values[i], r3.draws.values[i]) << i;
  for (size_t k = 0; k < r1.categories.size(); ++k) {
    EXPECT_EQ(r1.categories[k].summary.p97_5, r3.categories[k].summary.p97_5);
    ASSERT_EQ(r1.categories[k].contributions.size(), r3.categories[k].contributions.size());
    for (size_t c = 0; c < r1.categories[k].contributions.size(); ++c)
      EXPECT_EQ(r1.categories[k].contributions[c].share_pct, r3.categories[k].contributions[c].share_pct);
  }
  // another seed, other draws; the same seed, the same draws whatever the parameter order
  const McResult other = a.mc(301, 1, 10);
  EXPECT_NE(other.draws.values[0], r1.draws.values[0]);
  Database reordered = loop();
  std::swap(reordered.processes[0], reordered.processes[1]);
  reordered.index();
  McRun c(std::move(reordered));
  MonteCarloOptions o;
  o.seed = 9;
  c.model = montecarlo_model(c.sys, c.mapping, o);
  parallel::RunOptions ro;
  ro.draws = 301;
  ro.threads = 2;
  const McResult rc = run_montecarlo(c.model, c.method, Demand{c.sys.find_provider("power"), 1.0}, ro, 5);
  for (uint64_t d = 0; d < 301; ++d) EXPECT_NEAR(rc.draws.at(d, 0), r1.draws.at(d, 0), 1e-12 * std::abs(r1.draws.at(d, 0)));
}

TEST(LcaMonteCarlo, PedigreeScoresBecomeALognormal) {
  Exchange e = McBuilder::ex(0, 2.0, false);
  const int scores[5] = {2, 3, 1, 2, 4};
  for (int i = 0; i < 5; ++i) e.uncertainty.pedigree[i] = scores[i];
  std::string origin, note;
  // Ciroth et al. (2016): σ = ½ √(Σ ln² U_i), U = 1.54, 1.04, 1.00, 1.04, 2.08 (no basic uncertainty)
  unc::Distribution d = exchange_distribution(e, unc::PedigreeConvention::Ciroth2016, &origin, &note);
  const double l = std::log(1.54), c = std::log(1.04), t = std::log(2.08);
  EXPECT_EQ(origin, "pedigree");
  EXPECT_TRUE(note.empty());
  EXPECT_EQ(d.kind, unc::DistKind::Lognormal);
  EXPECT_NEAR(d.scale, 0.5 * std::sqrt(l * l + c * c + c * c + t * t), 1e-15);
  EXPECT_NEAR(std::exp(d.loc), 2.0, 1e-15);
  // with a basic variance of ln 0.0006: Ciroth's basic factor is exp(2 √0.0006)
  e.uncertainty.basic_variance = 0.0006;
  d = exchange_distribution(e, unc::PedigreeConvention::Ciroth2016, &origin, &note);
  EXPECT_NEAR(d.scale, 0.5 * std::sqrt(4 * 0.0006 + l * l + c * c + c * c + t * t), 1e-15);
  // ecoinvent v3 (Weidema et al. 2013): variances add, 0.0006 + 0.0006 + 0.0006 + 0 + 0.000025 + 0.04
  d = exchange_distribution(e, unc::PedigreeConvention::EcoinventV3, &origin, &note);
  EXPECT_NEAR(d.scale, std::sqrt(0.0006 + 0.0006 + 0.0006 + 0.000025 + 0.04), 1e-15);
  // a lognormal without spread (openLCA's geometric SD 0) takes the pedigree's; one with a spread keeps it
  e.uncertainty.kind = Uncertainty::Lognormal;
  e.uncertainty.a = 2.0;
  e.uncertainty.b = 0;
  d = exchange_distribution(e, unc::PedigreeConvention::EcoinventV3, &origin, &note);
  EXPECT_EQ(origin, "pedigree");
  e.uncertainty.b = 1.25;
  d = exchange_distribution(e, unc::PedigreeConvention::EcoinventV3, &origin, &note);
  EXPECT_EQ(origin, "lognormal");
  EXPECT_NEAR(d.scale, std::log(1.25), 1e-15);
  // EcoSpold2 gives σ of ln directly
  e.uncertainty.sigma_ln = 0.3;
  d = exchange_distribution(e, unc::PedigreeConvention::EcoinventV3, &origin, &note);
  EXPECT_DOUBLE_EQ(d.scale, 0.3);
}

TEST(LcaMonteCarlo, SignsScalesAndZeroAmounts) {
  McBuilder b;
  const int32_t x = b.flow("x", FlowType::Product), y = b.flow("y", FlowType::Product);
  const int32_t ash = b.flow("ash", FlowType::Waste);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  Process& p1 = b.process("P1");  // two co-products, physical allocation 0.25 / 0.75
  p1.exchanges = {McBuilder::ln(McBuilder::ex(x, 1, false, true), 1.5), McBuilder::ex(y, 3, false),
                  McBuilder::ln(McBuilder::ex(co2, 4, false), 1.2), McBuilder::ln(McBuilder::ex(ash, 0.5, false), 1.3),
                  McBuilder::ln(McBuilder::ex(co2, 0, false), 1.3)};
  p1.exchanges[4].id = "zero";
  p1.allocation = {{AllocationMethod::Physical, x, -1, 0.25}, {AllocationMethod::Physical, y, -1, 0.75}};
  Process& p2 = b.process("landfill");  // waste treatment: the waste is its reference input
  Exchange neg = McBuilder::ln(McBuilder::ex(co2, -0.2, false), 1.4);  // a negative emission (uptake as data give it)
  neg.id = "negative";
  p2.exchanges = {McBuilder::ex(ash, 1, true, true), neg};
  McRun r(b.done());
  MonteCarloOptions o;
  o.seed = 5;
  r.model = montecarlo_model(r.sys, r.mapping, o);
  // parameters: P1's CO2 (one for both columns), P1's ash, the landfill's negative CO2; not the zero amount,
  // and not P1's reference output (a provider's own output defines its unit: never drawn)
  ASSERT_EQ(r.model.parameters.size(), 3u);
  for (const auto& p : r.model.parameters) EXPECT_EQ(p.name.find("zero"), std::string::npos);
  std::map<std::string, std::vector<double>> scales;
  for (const auto& e : r.model.a_entries) scales[r.model.parameters[e.param].name].push_back(e.scale);
  for (size_t i = 0; i < r.model.b_entries.size(); ++i)
    scales[r.model.parameters[r.model.b_entries[i].param].name].push_back(r.model.b_weight[i * r.model.categories]);
  // the waste output of P1 enters A negatively, allocated 0.25 and 0.75 (a draw is scaled exactly like the amount)
  const auto& ash_scales = scales["p-P1/e" + std::to_string(ash)];
  ASSERT_EQ(ash_scales.size(), 2u);
  EXPECT_DOUBLE_EQ(ash_scales[0] + ash_scales[1], -1.0);
  EXPECT_TRUE((ash_scales[0] == -0.25 && ash_scales[1] == -0.75) || (ash_scales[0] == -0.75 && ash_scales[1] == -0.25));
  const auto& co2_scales = scales["p-P1/e" + std::to_string(co2)];
  ASSERT_EQ(co2_scales.size(), 2u);
  EXPECT_DOUBLE_EQ(co2_scales[0] + co2_scales[1], 1.0);  // GWP 1 × (0.25 + 0.75)
  // a lognormal of a negative amount keeps its sign on every draw, with median −0.2
  for (const auto& p : r.model.parameters)
    if (p.name == "p-landfill/negative") {
      EXPECT_TRUE(p.distribution.negative);
      std::vector<double> v(2001);
      r.model.samplers[&p - r.model.parameters.data()].fill(0, v.size(), v.data());
      for (double d : v) ASSERT_LT(d, 0);
      // the median within 4 of its standard errors: SE = √(¼ / n) / f(median), f(median) = 1 / (0.2 σ √(2π)), σ = ln 1.4
      const double se = std::sqrt(0.25 / static_cast<double>(v.size())) * 0.2 * std::log(1.4) * std::sqrt(2 * M_PI);
      EXPECT_NEAR(unc::summarize(v).median, -0.2, 4 * se) << "se " << se;
    }
  // the deterministic value through the model equals calculate()
  Solver solver(r.sys);
  const Demand dem{r.sys.find_provider("P1"), 1.0};
  const LcaResult det = calculate(r.sys, solver, r.method, r.mapping, dem);
  parallel::RunOptions ro;
  ro.draws = 200;
  ro.threads = 2;
  const McResult res = run_montecarlo(r.model, r.method, dem, ro, 3);
  EXPECT_NEAR(res.categories[0].deterministic, det.impacts[0], 1e-14);
  EXPECT_NEAR(det.impacts[0], 0.25 * 4 + 0.25 * 0.5 * -0.2, 1e-14);
}

TEST(LcaMonteCarlo, UnusableDistributionsAreNamedAndKeptConstant) {
  Exchange e = McBuilder::ex(0, 0.58, false);
  std::string origin, note;
  // USLCI has triangles with reversed bounds: swapped
  e.uncertainty.kind = Uncertainty::Triangle;
  e.uncertainty.a = 0.62;
  e.uncertainty.b = 0.58;
  e.uncertainty.c = 0.54;
  unc::Distribution d = exchange_distribution(e, unc::PedigreeConvention::Ciroth2016, &origin, &note);
  EXPECT_EQ(origin, "triangular");
  EXPECT_EQ(d.minimum, 0.54);
  EXPECT_EQ(d.maximum, 0.62);
  EXPECT_NE(note.find("minimum 0.62 above maximum 0.54: swapped"), std::string::npos) << note;
  // ... and modes outside the bounds: not sampled, said so
  e.uncertainty.b = 0.7;
  d = exchange_distribution(e, unc::PedigreeConvention::Ciroth2016, &origin, &note);
  EXPECT_TRUE(unc::is_constant(d));
  EXPECT_EQ(unc::Sampler(d, 1, 2)(0), 0.58);
  EXPECT_NE(note.find("triangular mode 0.7 outside [0.54, 0.62]: not sampled"), std::string::npos) << note;
  // a geometric SD below 1
  e.uncertainty = Uncertainty{};
  e.uncertainty.kind = Uncertainty::Lognormal;
  e.uncertainty.a = 0.58;
  e.uncertainty.b = 0.8;
  d = exchange_distribution(e, unc::PedigreeConvention::Ciroth2016, &origin, &note);
  EXPECT_TRUE(unc::is_constant(d));
  EXPECT_NE(note.find("geometric standard deviation 0.8 is below 1"), std::string::npos) << note;
  // a negative normal sd
  e.uncertainty.kind = Uncertainty::Normal;
  e.uncertainty.b = -1;
  d = exchange_distribution(e, unc::PedigreeConvention::Ciroth2016, &origin, &note);
  EXPECT_TRUE(unc::is_constant(d));
  EXPECT_NE(note.find("normal distribution with mean 0.58 and sd -1: not sampled"), std::string::npos) << note;
  // the model lists them with the process and exchange
  McBuilder b;
  const int32_t x = b.flow("x", FlowType::Product);
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  Process& p = b.process("P");
  Exchange bad = McBuilder::ex(co2, 1, false);
  bad.uncertainty.kind = Uncertainty::Lognormal;
  bad.uncertainty.a = 1;
  bad.uncertainty.b = 0.5;
  p.exchanges = {McBuilder::ex(x, 1, false, true), bad};
  McRun r(b.done());
  r.model = montecarlo_model(r.sys, r.mapping, MonteCarloOptions{});
  ASSERT_EQ(r.model.notes.size(), 1u);
  EXPECT_NE(r.model.notes[0].find("process 'P' (p-P), exchange e1 (Carbon dioxide, fossil): geometric standard"),
            std::string::npos)
      << r.model.notes[0];
}

TEST(LcaMonteCarlo, TheCachedSystemIsRefused) {
  McRun r(chain(1.2, 1.2, 1.2));
  ProductSystem cached = r.sys;
  cached.technosphere_source.clear();
  cached.biosphere_source.clear();
  try {
    montecarlo_model(cached, r.mapping, MonteCarloOptions{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("built from the exchanges"), std::string::npos) << e.what();
  }
}

// Monte Carlo characterises with the same C as calculate(): an imported method (openLCA convention, the factor of
// an input row negated) scores a resource input of 3 kg with factor 2 as +6 in the model's constant part and in
// its drawn entries alike.
TEST(LcaMonteCarlo, ImportedMethodInputSignsMatchTheDeterministicResult) {
  McBuilder b;
  const int32_t x = b.flow("x", FlowType::Product);
  const int32_t ore = b.flow("Iron ore", FlowType::Elementary, "in ground");
  const int32_t co2 = b.flow("Carbon dioxide, fossil", FlowType::Elementary, kAir);
  Process& p = b.process("mine");
  p.exchanges = {McBuilder::ex(x, 1, false, true), McBuilder::ex(ore, 3, true), McBuilder::ln(McBuilder::ex(ore, 1, true), 1.0001),
                 McBuilder::ex(co2, 0.5, false)};
  p.exchanges[2].id = "drawn ore";
  McRun r(b.done());
  r.method = Method{};
  r.method.name = "resources";
  for (const auto& [f, v] : std::vector<std::pair<int32_t, double>>{{ore, 2.0}, {co2, 1.0}}) {
    CharacterisationFactor cf;
    cf.flow_id = r.db.flows[static_cast<size_t>(f)].id;
    cf.value = v;
    cf.match_by_cas = false;
    r.method.categories.push_back({"c" + std::to_string(f), "u", {cf}});
  }
  r.mapping = map_flows(r.db, r.method);
  const McResult res = r.mc(50, 1, 7, 1);
  Solver solver(r.sys);
  const LcaResult det = calculate(r.sys, solver, r.method, r.mapping, Demand{r.sys.find_provider("mine"), 1.0});
  EXPECT_NEAR(det.impacts[0], 2.0 * (3 + 1), 1e-12);  // ore taken in: +8, not −8
  EXPECT_NEAR(det.impacts[1], 0.5, 1e-12);
  EXPECT_NEAR(res.categories[0].deterministic, det.impacts[0], 1e-12);
  EXPECT_NEAR(res.categories[1].deterministic, det.impacts[1], 1e-12);
  ASSERT_EQ(r.model.b_entries.size(), 1u);           // the drawn ore, weight c · dir · scale = 2 · (−1) · (−1)
  EXPECT_DOUBLE_EQ(r.model.b_weight[0], 2.0);
  // the mean of 6 + 2X, X ~ LN(0, ln 1.0001) (the drawn 1 kg of ore), within 4 standard errors
  const double s2 = std::pow(std::log(1.0001), 2);
  EXPECT_NEAR(res.categories[0].summary.mean, 6 + 2 * std::exp(s2 / 2), 4 * res.categories[0].summary.sd / std::sqrt(50.0));
  EXPECT_GT(res.categories[0].summary.sd, 0);
}
