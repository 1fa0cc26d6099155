// Route models and simulation (docs/process.md): hand-checked balances, the identities every result satisfies,
// every shipped route's mass balance and published range, overrides and every error with its message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "panocarbon/error.hpp"
#include "panocarbon/gwp.hpp"
#include "panocarbon/process.hpp"

namespace pr = panocarbon::process;
using panocarbon::Error;

namespace {

const std::string kRoutes = std::string(PANOCARBON_SOURCE_DIR) + "/examples/process/routes/";

std::string read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

pr::RouteModel shipped(const std::string& name) { return pr::parse_route(read(kRoutes + name), name); }

const pr::UnitResult& unit(const pr::SimulationResult& r, const std::string& id) {
  for (const auto& u : r.units)
    if (u.id == id) return u;
  throw std::runtime_error("no unit " + id);
}

// Relative closeness with an explicit tolerance.
void near_rel(double got, double want, double rel = 1e-9) {
  EXPECT_NEAR(got, want, rel * std::max(1.0, std::abs(want))) << "got " << got << ", want " << want;
}

// The message of the Error a call throws ("" when it throws none).
template <class F>
std::string error_of(F&& f, std::string* field = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (field) *field = e.context().field;
    return e.what();
  }
  return "";
}

// A small network with a loop, a by-product, a precursor, a library fuel, a fuel given with its source, a
// capture rate with capture energy, parameters and expressions:
//   unit a makes 1 p from 0.5 q (made by b) and 0.2 t of precursor r; burns 2 GJ gas (library, 56.1 kg/TJ x 1e-6
//     = 0.0561 t/GJ) and 1 GJ "oil" (given 0.07 t CO2/GJ); process CO2 0.3 t and CH4 0.001 t; captures half of
//     its CO2 with 0.1 MWh and 1 GJ oil per t captured; 0.4 MWh.
//   unit b makes 1 q (and 0.1 t slag, a by-product) from 0.2 p; process CO2 "k * 2" with k = 0.05; 1 MWh.
// Balances for an output of 10 p:  p: x_a - 0.2 x_b = 10,  q: x_b - 0.5 x_a = 0  =>  x_a = 10 / 0.9,  x_b = x_a / 2.
const char* kLoop = R"({
  "format": "panocarbon.route/1", "name": "loop", "product": "p", "output": 10,
  "grid_factor_t_per_mwh": {"value": 0.5, "source": "test"},
  "parameters": {"k": 0.05, "twice_k": "k * 2"},
  "commodities": {"p": {"unit": "t"}, "q": {"unit": "t"}, "slag": {"unit": "t"}},
  "precursors": {"r": {"unit": "t", "embedded_t_co2e_per_unit": {"value": 1.5, "source": "test"}}},
  "fuels": {"gas": {"unit": "GJ", "co2_factor": "ipcc2006.v2c1.t1_4.natural_gas.co2"},
            "oil": {"unit": "GJ", "co2_t_per_unit": {"value": 0.07, "source": "test"}}},
  "units": [
    {"id": "a", "outputs": {"p": 1}, "inputs": {"q": 0.5, "r": 0.2}, "fuels": {"gas": 2, "oil": 1},
     "emissions": {"CO2": 0.3, "CH4": 0.001}, "electricity_mwh": 0.4,
     "capture_rate": 0.5, "capture": {"electricity_mwh_per_t": 0.1, "fuel": "oil", "fuel_per_t": 1},
     "mass": {"balanced": false, "reason": "test unit"}},
    {"id": "b", "outputs": {"q": 1, "slag": 0.1}, "produces": "q", "inputs": {"p": 0.2},
     "emissions": {"CO2": "twice_k"}, "electricity_mwh": 1,
     "mass": {"in": {"ore": 0.2}, "out": {"gas_out": 0.2}}}
  ]
})";

}  // namespace

TEST(ProcessRoute, HandCheckedLoopNetwork) {
  const auto m = pr::parse_route(kLoop, "loop.json");
  EXPECT_EQ(m.product, "p");
  EXPECT_EQ(m.default_output, 10);
  const auto r = pr::simulate(m);
  const double xa = 10 / 0.9, xb = xa / 2;
  near_rel(unit(r, "a").activity, xa);
  near_rel(unit(r, "b").activity, xb);
  // Unit a: gross CO2 per activity = 2 x 0.0561 + 0.07 + 0.3 = 0.4822; captured half; the capture's oil adds
  // 0.07 t per t captured (not captured itself).
  const double gross_a = xa * (2 * 0.0561 + 0.07 + 0.3), cap_a = 0.5 * gross_a;
  near_rel(unit(r, "a").captured_co2_t, cap_a);
  const double co2_a = gross_a - cap_a + cap_a * 0.07;
  const double co2_b = xb * 0.1;
  // CH4 of a: process 0.001 t per activity; the library gas has no CH4 factor here (only co2_factor given).
  const double ch4 = xa * 0.001;
  near_rel(panocarbon::process::line_value(r, "direct", "CO2"), co2_a + co2_b);
  near_rel(pr::line_value(r, "direct", "CH4"), ch4);
  near_rel(r.direct_t, co2_a + co2_b + 28 * ch4);  // AR5 CH4 28
  near_rel(r.fuel_gj, xa * 3 + cap_a * 1);         // gas 2 + oil 1 GJ per activity, oil 1 GJ per t captured
  const double mwh = xa * 0.4 + cap_a * 0.1 + xb * 1;
  near_rel(r.electricity_mwh, mwh);
  near_rel(r.indirect_t, 0.5 * mwh);
  near_rel(r.precursor_t, xa * 0.2 * 1.5);
  near_rel(r.total_t, r.direct_t + r.indirect_t + r.precursor_t);
  near_rel(pr::line_value(r, "total", "CO2e"), r.total_t);
  near_rel(r.lines.back().per_t_product, r.total_t / 10);
  // The by-product slag leaves the route; the precursor and the fuels cross its boundary.
  bool slag = false, prec = false;
  for (const auto& f : r.flows) {
    if (f.commodity == "slag") {
      slag = true;
      EXPECT_EQ(f.kind, "by-product");
      near_rel(f.amount, 0.1 * xb);
    }
    if (f.commodity == "r") {
      prec = true;
      near_rel(f.embedded_co2e_t, xa * 0.2 * 1.5);
    }
  }
  EXPECT_TRUE(slag && prec);
  // Mass: b declares p 0.2 + ore 0.2 in, q 1 + slag 0.1 + process CO2 0.1 + gas_out 0.2 out: residual -1.0 per
  // activity.
  near_rel(unit(r, "b").mass_residual_t, xb * (0.4 - 1.4));
  EXPECT_FALSE(unit(r, "a").mass_balanced);
  near_rel(r.max_mass_residual_t, xb * 1.0);  // only b counts
  // The commodity balances close to rounding.
  EXPECT_LT(r.max_balance_residual, 1e-14);
  // The output given to simulate() replaces the route's.
  near_rel(pr::simulate(m, 1).total_t, r.total_t / 10);
}

TEST(ProcessRoute, BiogenicFuelIsAMemoAndCaptureSplits) {
  // One unit: coal 2 GJ x 0.1 t CO2/GJ, wood 1 GJ x 0.11 t CO2/GJ (biogenic) and 3e-5 t CH4/GJ, process CO2 0.5 t;
  // capture 50 % with 0.2 MWh per t captured. Fossil CO2 0.7 -> 0.35 captured, 0.35 direct; biogenic 0.11 -> 0.055
  // captured, 0.055 emitted as a memo; CH4 3e-5 t direct; electricity 0.2 x (0.35 + 0.055) MWh x grid 1.
  const char* text = R"({"format": "panocarbon.route/1", "name": "bio", "product": "p", "grid_factor_t_per_mwh": 1,
    "commodities": {"p": {"unit": "t"}},
    "fuels": {"coal": {"unit": "GJ", "co2_t_per_unit": 0.1},
              "wood": {"unit": "GJ", "co2_t_per_unit": 0.11, "ch4_t_per_unit": 3e-5, "biogenic": true}},
    "units": [{"id": "k", "outputs": {"p": 1}, "fuels": {"coal": 2, "wood": 1}, "emissions": {"CO2": 0.5},
               "capture_rate": 0.5, "capture": {"electricity_mwh_per_t": 0.2},
               "mass": {"balanced": false, "reason": "test"}}]})";
  const auto r = pr::simulate(pr::parse_route(text, "bio.json"));
  near_rel(pr::line_value(r, "direct", "CO2"), 0.35);
  near_rel(pr::line_value(r, "direct", "CH4"), 3e-5);
  near_rel(r.direct_t, 0.35 + 28 * 3e-5);
  near_rel(r.captured_co2_t, 0.35);
  near_rel(r.captured_biogenic_co2_t, 0.055);
  near_rel(r.biogenic_co2_t, 0.055);
  near_rel(r.indirect_t, 0.2 * (0.35 + 0.055));
  EXPECT_EQ(r.max_balance_residual, 0);
}

TEST(ProcessRoute, HandCheckedClinkerCoal) {
  // 1 t clinker: calcination 0.65 t CaO x 1.02 (kiln dust) x M(CO2)/M(CaO), M(CO2) = 12.011 + 2 x 15.999 = 44.009,
  // M(CaO) = 40.078 + 15.999 = 56.077; coal 3.5 GJ x 94 600 kg CO2/TJ, CH4 10 kg/TJ, N2O 1.5 kg/TJ (IPCC 2006
  // Vol 2 Tables 1.4, 2.3); electricity 0.06 MWh x 0.445 t/MWh.
  const auto r = pr::simulate(shipped("cement-clinker-coal.json"));
  const double calc = 0.65 * 1.02 * 44.009 / 56.077, fuel = 3.5 * 94600e-6;
  near_rel(pr::line_value(r, "direct", "CO2"), calc + fuel);
  near_rel(pr::line_value(r, "direct", "CH4"), 3.5e-5);
  near_rel(pr::line_value(r, "direct", "N2O"), 5.25e-6);
  near_rel(r.direct_t, calc + fuel + 28 * 3.5e-5 + 265 * 5.25e-6);
  near_rel(r.indirect_t, 0.06 * 0.445);
  near_rel(r.fuel_gj, 3.5);
  EXPECT_EQ(r.precursor_t, 0);
  // Raw meal = CaCO3 for the clinker's and the dust's CaO + the other oxides; out: clinker, dust (CaO), CO2.
  const auto& k = unit(r, "kiln");
  const double m_caco3 = 56.077 + 44.009;
  near_rel(k.mass_in_t, 0.65 * 1.02 * m_caco3 / 56.077 + 0.35);
  near_rel(k.mass_out_t, 1 + 0.65 * 0.02 + calc);
  EXPECT_LT(std::abs(k.mass_residual_t), 1e-12);
}

TEST(ProcessRoute, HandCheckedBfBofActivities) {
  // 1 t crude steel: BOF 1; hot metal 0.9 -> blast furnace 0.9; coke 0.38 x 0.9 = 0.342 -> coke oven 0.342;
  // sinter 1.15 x 0.9 = 1.035; lime 0.05. Carbon balances (IPCC Table 4.3 carbon contents, M(CO2)/M(C)):
  // BF (0.38 x 0.83 + 0.15 x 0.67 - 0.04), coke oven (1.35 x 0.73 - 0.83), BOF (0.9 x 0.04 + 0.2 x 0.04 - 0.01);
  // sinter 0.20 t/t; lime kiln 0.95 x M(CO2)/M(CaO) + 4.5 GJ gas x 0.0561.
  const auto r = pr::simulate(shipped("steel-bf-bof.json"));
  near_rel(unit(r, "bof").activity, 1);
  near_rel(unit(r, "blast_furnace").activity, 0.9);
  near_rel(unit(r, "coke_oven").activity, 0.342);
  near_rel(unit(r, "sinter_plant").activity, 1.035);
  near_rel(unit(r, "lime_kiln").activity, 0.05);
  const double c2 = 44.009 / 12.011;
  const double co2 = 0.9 * (0.38 * 0.83 + 0.15 * 0.67 - 0.04) * c2 + 0.342 * (1.35 * 0.73 - 0.83) * c2 +
                     (0.9 * 0.04 + 0.2 * 0.04 - 0.01) * c2 + 1.035 * 0.20 +
                     0.05 * (0.95 * 44.009 / 56.077 + 4.5 * 0.0561);
  near_rel(pr::line_value(r, "direct", "CO2"), co2);
  near_rel(r.indirect_t, 0.1 * 0.445);
  near_rel(r.precursor_t, 0.9 * 0.45 * 0.03);
}

TEST(ProcessRoute, AluminiumPfcTiersAndCaptivePower) {
  // IPCC 2006 Vol 3 Ch 4 Tier 2 slope method (Eq 4.25-4.26, Table 4.16, CWPB): CF4 = 0.143 kg/t per AE-min/cell-day
  // x 0.1 AE-min/cell-day = 0.0143 kg/t; C2F6 = 0.121 x CF4. CO2e with AR5 (CF4 6630, C2F6 11100).
  auto m = shipped("aluminium-primary-prebake.json");
  pr::apply_override(m, "electrolysis.tier2=1");
  pr::apply_override(m, "electrolysis.anode_effect_minutes=0.1");
  const auto t2 = pr::simulate(m);
  near_rel(pr::line_value(t2, "direct", "CF4"), 0.0143e-3);
  near_rel(pr::line_value(t2, "direct", "C2F6"), 0.0143e-3 * 0.121);
  near_rel(t2.direct_t, 1.6 + 0.0143e-3 * 6630 + 0.0143e-3 * 0.121 * 11100);
  EXPECT_LT(t2.max_mass_residual_t, 1e-12);
  // Captive coal power: 14.2 MWh x 3.6/0.38 GJ/MWh of coal x 94.6 kg CO2/GJ is direct; nothing is indirect.
  const auto cap = pr::simulate(shipped("aluminium-primary-captive-coal.json"));
  near_rel(unit(cap, "power_plant").activity, 14.2);
  near_rel(pr::line_value(cap, "direct", "CO2"), 1.6 + 14.2 * 3.6 / 0.38 * 0.0946);
  EXPECT_EQ(cap.indirect_t, 0);
}

TEST(ProcessRoute, UreaConvention) {
  // 1 t urea: 2 M(NH3)/M(urea) t ammonia; the CO2 bound in urea, M(CO2)/M(urea), is deducted by default (IPCC
  // 2006 Vol 3 Ch 3 Eq 3.1) and counted with urea_co2_credit = 0 (EU ETS monitoring).
  auto m = shipped("urea-gas.json");
  const double m_urea = 12.011 + 15.999 + 2 * (14.007 + 2 * 1.008), m_nh3 = 14.007 + 3 * 1.008;
  const auto with_credit = pr::simulate(m);
  near_rel(unit(with_credit, "ammonia_plant").activity, 2 * m_nh3 / m_urea);
  pr::apply_override(m, "route.urea_co2_credit=0");
  const auto without = pr::simulate(m);
  near_rel(without.direct_t - with_credit.direct_t, 44.009 / m_urea);
  EXPECT_LT(std::abs(unit(with_credit, "urea_synthesis").mass_residual_t), 1e-12);
}

TEST(ProcessRoute, Overrides) {
  auto m = shipped("cement-portland-coal.json");
  const auto base = pr::simulate(m);
  pr::apply_override(m, "route.grid_factor_t_per_mwh=0.5703");
  const auto china = pr::simulate(m);
  EXPECT_EQ(china.grid_factor_t_per_mwh, 0.5703);
  near_rel(china.indirect_t, base.indirect_t / 0.445 * 0.5703);
  near_rel(china.direct_t, base.direct_t);
  // A blended cement: less clinker, the kiln runs less, the mass still closes.
  pr::apply_override(m, "route.clinker_ratio=0.737");
  const auto blended = pr::simulate(m);
  near_rel(unit(blended, "kiln").activity, 0.737);
  EXPECT_LT(blended.max_mass_residual_t, 1e-12);
  // A unit parameter and a unit field.
  auto c = shipped("cement-clinker-coal-ccs.json");
  pr::apply_override(c, "kiln.capture=0");
  const auto none = pr::simulate(c);
  EXPECT_EQ(none.captured_co2_t, 0);
  pr::apply_override(c, "kiln.capture_rate=0.5");
  const auto half = pr::simulate(c);
  near_rel(unit(half, "kiln").captured_co2_t, 0.5 * (0.65 * 1.02 * 44.009 / 56.077 + 3.5 * 0.0946));
  pr::apply_override(c, "route.output=2");
  // A coefficient set to 0 leaves its supplier idle, not an error.
  auto s = shipped("steel-bf-bof.json");
  pr::apply_override(s, "bof.hot_metal_rate=0");
  const auto idle = pr::simulate(s);
  EXPECT_EQ(unit(idle, "blast_furnace").activity, 0);
  EXPECT_EQ(unit(idle, "coke_oven").activity, 0);
  EXPECT_EQ(pr::simulate(c).output, 2);
}

TEST(ProcessRoute, OverrideNamesAreAccepted) {
  // Every name override_names() lists is known to apply_override() (a value may still be refused as out of range).
  auto m = shipped("cement-portland-coal-ccs.json");
  const auto names = pr::override_names(m);
  EXPECT_NE(std::find(names.begin(), names.end(), "route.clinker_ratio"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "kiln.capture"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grinding.electricity_mwh"), names.end());
  for (const auto& n : names) {
    auto copy = m;
    const auto msg = error_of([&] { pr::apply_override(copy, n + "=0.5"); });
    EXPECT_EQ(msg.find("has no"), std::string::npos) << n << ": " << msg;
  }
}

TEST(ProcessRoute, EveryShippedRouteBalancesAndCitesItsNumbers) {
  const auto& gwp = panocarbon::GwpTable::builtin().set("AR5");
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kRoutes)) {
    if (e.path().extension() != ".json") continue;
    ++n;
    SCOPED_TRACE(e.path().filename().string());
    const auto m = pr::parse_route(read(e.path().string()), e.path().filename().string());
    const auto r = pr::simulate(m);
    // Mass: every balanced unit closes within 1e-9 relative; every other says why.
    for (const auto& u : r.units) {
      if (u.mass_balanced)
        EXPECT_LE(std::abs(u.mass_residual_t), 1e-9 * std::max({1.0, u.mass_in_t, u.mass_out_t})) << u.id;
      else
        EXPECT_FALSE(u.mass_note.empty()) << u.id;
    }
    // Scopes: total = direct + indirect + precursor; the direct CO2e line = sum of gases x GWP; units add up.
    near_rel(r.total_t, r.direct_t + r.indirect_t + r.precursor_t, 1e-12);
    double by_gas = 0, by_unit = 0, ind = 0;
    for (const auto& l : r.lines)
      if (l.scope == "direct" && l.gas != "CO2e") by_gas += l.emission_t * gwp.of(l.gas);
    for (const auto& u : r.units) {
      by_unit += u.direct_co2e_t;
      ind += u.indirect_co2e_t;
    }
    near_rel(by_gas, r.direct_t, 1e-12);
    near_rel(by_unit, r.direct_t, 1e-12);
    near_rel(ind, r.electricity_mwh * r.grid_factor_t_per_mwh, 1e-12);
    // Every number has a source: the route cites its grid factor and more.
    EXPECT_GE(r.sources.size(), 3u);
    // The CSV lines: the four scopes, a CO2e line each.
    for (const char* scope : {"direct", "indirect", "precursor", "total"})
      EXPECT_TRUE(std::any_of(r.lines.begin(), r.lines.end(),
                              [&](const pr::EmissionLine& l) { return l.scope == scope && l.gas == "CO2e"; }));
  }
  EXPECT_GE(n, 20u);
}

TEST(ProcessRoute, ShippedIntensitiesInPublishedRanges) {
  auto per_t = [](const std::string& f, const char* scope) {
    const auto r = pr::simulate(shipped(f));
    return pr::line_value(r, scope, "CO2e") / r.output;
  };
  // BF-BOF, direct incl. coke, sinter and lime units: about 1.8-2.3 t CO2/t crude steel (worldsteel; IEA Iron and
  // Steel Technology Roadmap 2020).
  const double bf = per_t("steel-bf-bof.json", "direct");
  EXPECT_GE(bf, 1.8);
  EXPECT_LE(bf, 2.3);
  // Scrap EAF with grid electricity: about 0.3-0.6 t/t.
  const double eaf = per_t("steel-scrap-eaf.json", "total");
  EXPECT_GE(eaf, 0.3);
  EXPECT_LE(eaf, 0.6);
  // Gas DRI-EAF at a world-average grid: about 0.9-1.4 t/t (IEA Iron and Steel Technology Roadmap 2020).
  const double dri = per_t("steel-dri-gas-eaf.json", "total");
  EXPECT_GE(dri, 0.9);
  EXPECT_LE(dri, 1.4);
  // Clinker, coal kiln: gross direct about 0.8-0.9 t CO2/t clinker (GCCA GNR world averages, 0.52 of it calcination).
  const double cl = per_t("cement-clinker-coal.json", "direct");
  EXPECT_GE(cl, 0.8);
  EXPECT_LE(cl, 0.9);
  // Ammonia from gas: IPCC 2006 Table 3.1 modern reforming 1.694 t CO2/t NH3 (+-6 % on the fuel requirement).
  const double nh3 = per_t("ammonia-gas-smr.json", "direct");
  EXPECT_NEAR(nh3, 1.694, 0.06 * 1.694);
  // Hydrogen from SMR: about 9 t CO2/t H2 unabated, about 1 with 90 % capture (IEA, The Future of Hydrogen 2019).
  const double smr = per_t("hydrogen-gas-smr.json", "direct"), ccs = per_t("hydrogen-gas-smr-ccs.json", "direct");
  EXPECT_GE(smr, 8.5);
  EXPECT_LE(smr, 10);
  EXPECT_GE(ccs, 0.7);
  EXPECT_LE(ccs, 1.2);
  // Coal gasification: about 19-20 t CO2/t H2 (same source).
  const double coal = per_t("hydrogen-coal-gasification.json", "direct");
  EXPECT_GE(coal, 18);
  EXPECT_LE(coal, 21);
  // Electrolysis: about 52 MWh/t H2 at 64 % (LHV) efficiency; its emissions are the grid's.
  const auto el = pr::simulate(shipped("hydrogen-electrolysis.json"));
  near_rel(el.electricity_mwh, 120 / 3.6 / 0.64);
  EXPECT_EQ(el.direct_t, 0);
  // Aluminium: Tier 1 CO2 1.6 t/t and PFCs 0.4 kg CF4 x 6630 + 0.04 kg C2F6 x 11100 (AR5).
  const auto al = pr::simulate(shipped("aluminium-primary-prebake.json"));
  near_rel(al.direct_t, 1.6 + 0.4e-3 * 6630 + 0.04e-3 * 11100);
  near_rel(al.indirect_t, 14.2 * 0.445);
}

TEST(ProcessRoute, ErrorsBadJson) {
  std::string field;
  const auto msg =
      error_of([] { pr::parse_route("{\n  \"format\": \"panocarbon.route/1\",\n  \"name\": }", "bad.json"); });
  EXPECT_NE(msg.find("bad.json:line 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not JSON"), std::string::npos) << msg;
  EXPECT_NE(error_of([] { pr::parse_route("", "empty.json"); }).find("not JSON"), std::string::npos);
  EXPECT_NE(error_of([] { pr::parse_route("[1, 2]", "a.json"); }).find("a route model must be an object"),
            std::string::npos);
  EXPECT_NE(error_of([] { pr::parse_route("\xff\xfe", "b.json"); }).find("not UTF-8"), std::string::npos);
  const auto big = error_of([] { pr::parse_route("{\"format\": 1e400}", "c.json"); });
  EXPECT_NE(big.find("cannot be read as JSON (number overflow parsing '1e400')"), std::string::npos) << big;
}

namespace {
std::string loop_with(const std::string& from, const std::string& to) {
  std::string s = kLoop;
  const auto at = s.find(from);
  if (at == std::string::npos) throw std::runtime_error("no " + from);
  return s.replace(at, from.size(), to);
}
}  // namespace

TEST(ProcessRoute, ErrorsMissingAndUnknownFields) {
  std::string field;
  auto msg = error_of(
      [] { pr::parse_route(loop_with("{\"id\": \"a\", \"outputs\": {\"p\": 1}, ", "{\"id\": \"a\", "), "x.json"); },
      &field);
  EXPECT_EQ(field, "/units/0/outputs");
  EXPECT_NE(msg.find("lacks its required field 'outputs'"), std::string::npos) << msg;
  msg = error_of([] { pr::parse_route(loop_with("\"electricity_mwh\": 0.4", "\"electricity_mhw\": 0.4"), "x.json"); },
                 &field);
  EXPECT_EQ(field, "/units/0/electricity_mhw");
  EXPECT_NE(msg.find("did you mean 'electricity_mwh'"), std::string::npos) << msg;
  msg = error_of(
      [] { pr::parse_route(loop_with("\"format\": \"panocarbon.route/1\"", "\"format\": \"x\""), "x.json"); }, &field);
  EXPECT_EQ(field, "/format");
  // Unknown commodity, with the nearest names.
  msg = error_of([] { pr::parse_route(loop_with("\"inputs\": {\"q\": 0.5", "\"inputs\": {\"qq\": 0.5"), "x.json"); },
                 &field);
  EXPECT_EQ(field, "/units/0/inputs/qq");
  EXPECT_NE(msg.find("'qq' is no commodity or precursor of the route (did you mean 'q'"), std::string::npos) << msg;
  // Unknown fuel and unknown gas.
  msg = error_of([] { pr::parse_route(loop_with("\"fuels\": {\"gas\": 2", "\"fuels\": {\"gaz\": 2"), "x.json"); },
                 &field);
  EXPECT_NE(msg.find("'gaz' is no fuel of the route (did you mean 'gas'"), std::string::npos) << msg;
  msg = error_of([] { pr::parse_route(loop_with("\"CH4\": 0.001", "\"CH5\": 0.001"), "x.json"); }, &field);
  EXPECT_NE(msg.find("'CH5' is no gas of the GWP set AR5"), std::string::npos) << msg;
  // Unknown parameter in an expression, with the nearest names.
  msg = error_of([] { pr::parse_route(loop_with("\"twice_k\": \"k * 2\"", "\"twice_k\": \"kk * 2\""), "x.json"); },
                 &field);
  EXPECT_EQ(field, "/parameters/twice_k");
  EXPECT_NE(msg.find("names 'kk', which is no parameter of the route or unit (did you mean 'k'"), std::string::npos)
      << msg;
  msg = error_of([] { pr::parse_route(loop_with("\"twice_k\": \"k * 2\"", "\"twice_k\": \"k * (2\""), "x.json"); });
  EXPECT_NE(msg.find("has a '(' without its ')'"), std::string::npos) << msg;
  msg = error_of([] { pr::parse_route(loop_with("\"k\": 0.05", "\"k\": \"twice_k\""), "x.json"); });
  EXPECT_NE(msg.find("depends on itself"), std::string::npos) << msg;
  // A library factor that does not exist.
  msg = error_of([] { pr::parse_route(loop_with("natural_gas.co2", "natural_gaz.co2"), "x.json"); }, &field);
  EXPECT_EQ(field, "/fuels/gas/co2_factor");
  EXPECT_NE(msg.find("did you mean 'ipcc2006.v2c1.t1_4.natural_gas.co2'"), std::string::npos) << msg;
  // Negative coefficient, negative or zero output, capture rate above 1.
  msg = error_of([] { pr::parse_route(loop_with("\"r\": 0.2", "\"r\": -0.2"), "x.json"); }, &field);
  EXPECT_EQ(field, "/units/0/inputs/r");
  EXPECT_NE(msg.find("outside [0,"), std::string::npos) << msg;
  msg = error_of([] { pr::parse_route(loop_with("\"output\": 10", "\"output\": -10"), "x.json"); }, &field);
  EXPECT_EQ(field, "/output");
  msg = error_of([] { pr::parse_route(loop_with("\"output\": 10", "\"output\": 0"), "x.json"); }, &field);
  EXPECT_NE(msg.find("greater than 0"), std::string::npos) << msg;
  msg =
      error_of([] { pr::parse_route(loop_with("\"capture_rate\": 0.5", "\"capture_rate\": 1.5"), "x.json"); }, &field);
  EXPECT_EQ(field, "/units/0/capture_rate");
  // A unit with two outputs must name its main product; an unbalanced unit must say why.
  msg = error_of([] { pr::parse_route(loop_with("\"produces\": \"q\", ", ""), "x.json"); }, &field);
  EXPECT_NE(msg.find("names its main product in 'produces'"), std::string::npos) << msg;
  msg = error_of([] { pr::parse_route(loop_with(", \"reason\": \"test unit\"", ""), "x.json"); }, &field);
  EXPECT_EQ(field, "/units/0/mass/reason");
  // The product must be a commodity.
  msg = error_of([] { pr::parse_route(loop_with("\"product\": \"p\"", "\"product\": \"pp\""), "x.json"); }, &field);
  EXPECT_NE(msg.find("the product 'pp' is not a commodity of the route (did you mean 'p'"), std::string::npos) << msg;
}

TEST(ProcessRoute, ErrorsTooManyUnits) {
  std::string units;
  for (int i = 0; i < 1001; ++i)
    units += std::string(i ? "," : "") + R"({"id": "u)" + std::to_string(i) + R"(", "outputs": {"p": 1}})";
  const std::string text =
      R"({"format": "panocarbon.route/1", "name": "big", "product": "p", "grid_factor_t_per_mwh": 0,
    "commodities": {"p": {"unit": "t"}}, "units": [)" +
      units + "]}";
  std::string field;
  const auto msg = error_of([&] { pr::parse_route(text, "big.json"); }, &field);
  EXPECT_EQ(field, "/units");
  EXPECT_NE(msg.find("a route has at most 1000 units, this one 1001"), std::string::npos) << msg;
}

TEST(ProcessRoute, ErrorsNetwork) {
  // Singular: a makes p from 1 q, b makes q from 1 p: the balances x_a - x_b = 10, x_b - x_a = 0 have no solution.
  std::string s = loop_with("\"inputs\": {\"q\": 0.5", "\"inputs\": {\"q\": 1");
  s.replace(s.find("\"inputs\": {\"p\": 0.2}"), std::string("\"inputs\": {\"p\": 0.2}").size(),
            "\"inputs\": {\"p\": 1}");
  std::string field;
  auto msg = error_of([&] { pr::simulate(pr::parse_route(s, "x.json")); }, &field);
  EXPECT_NE(msg.find("the route's network is singular"), std::string::npos) << msg;
  // A loop that uses more than it makes: a needs 2 q, b needs 1 p: x_a = -10.
  s = loop_with("\"inputs\": {\"q\": 0.5", "\"inputs\": {\"q\": 2");
  s.replace(s.find("\"inputs\": {\"p\": 0.2}"), std::string("\"inputs\": {\"p\": 0.2}").size(),
            "\"inputs\": {\"p\": 1}");
  msg = error_of([&] { pr::simulate(pr::parse_route(s, "x.json")); }, &field);
  EXPECT_NE(msg.find("no solution with activities of 0 or more"), std::string::npos) << msg;
  EXPECT_EQ(field.substr(0, 8), "/units/0");
  // An output nobody uses.
  s = loop_with("\"inputs\": {\"q\": 0.5, ", "\"inputs\": {");
  msg = error_of([&] { pr::simulate(pr::parse_route(s, "x.json")); }, &field);
  EXPECT_NE(msg.find("the output 'q' of unit 'b' is used by no unit"), std::string::npos) << msg;
  // Two units making the same commodity.
  s = loop_with("\"produces\": \"q\"", "\"produces\": \"p\"");
  s.replace(s.find("\"outputs\": {\"q\": 1, \"slag\": 0.1}"),
            std::string("\"outputs\": {\"q\": 1, \"slag\": 0.1}").size(),
            "\"outputs\": {\"q\": 1, \"slag\": 0.1, \"p\": 0.1}");
  msg = error_of([&] { pr::simulate(pr::parse_route(s, "x.json")); }, &field);
  EXPECT_NE(msg.find("'p' is the main product of two units, 'a' and 'b'"), std::string::npos) << msg;
  EXPECT_EQ(field, "/units/1/produces");
  // A by-product used more than it is made.
  s = loop_with("\"inputs\": {\"q\": 0.5, ", "\"inputs\": {\"q\": 0.5, \"slag\": 1, ");
  msg = error_of([&] { pr::simulate(pr::parse_route(s, "x.json")); }, &field);
  EXPECT_NE(msg.find("the by-product 'slag' is used"), std::string::npos) << msg;
}

TEST(ProcessRoute, ErrorsOverrides) {
  auto m = shipped("cement-portland-coal.json");
  std::string field;
  auto msg = error_of([&] { pr::apply_override(m, "kilm.heat=3"); }, &field);
  EXPECT_EQ(field, "--set");
  EXPECT_NE(msg.find("the route has no unit 'kilm' (did you mean 'kiln'"), std::string::npos) << msg;
  msg = error_of([&] { pr::apply_override(m, "kiln.capture_rat=0.9"); });
  EXPECT_NE(msg.find("the unit 'kiln' has no parameter 'capture_rat' (did you mean 'capture_rate'"), std::string::npos)
      << msg;
  msg = error_of([&] { pr::apply_override(m, "route.clinker_ration=0.7"); });
  EXPECT_NE(msg.find("the route has no parameter 'clinker_ration' (did you mean 'clinker_ratio'"), std::string::npos)
      << msg;
  msg = error_of([&] { pr::apply_override(m, "route.clinker_ratio=abc"); });
  EXPECT_NE(msg.find("'abc' is not a number"), std::string::npos) << msg;
  msg = error_of([&] { pr::apply_override(m, "clinker_ratio"); });
  EXPECT_NE(msg.find("is not unit.param=value"), std::string::npos) << msg;
  // A value that makes a coefficient negative is refused, naming where.
  msg = error_of([&] { pr::apply_override(m, "route.clinker_ratio=0.99"); }, &field);
  EXPECT_NE(msg.find("after --set route.clinker_ratio=0.99"), std::string::npos) << msg;
  EXPECT_EQ(field, "/units/1/inputs/additions");
  msg = error_of([&] { pr::apply_override(m, "route.grid_factor_t_per_mwh=-1"); });
  EXPECT_NE(msg.find("outside [0, 100]"), std::string::npos) << msg;
  msg = error_of([&] { pr::apply_override(m, "kiln.capture_rate=2"); });
  EXPECT_NE(msg.find("outside [0, 1]"), std::string::npos) << msg;
}

// Robustness: mutated shipped routes (bytes flipped, cut, numbers made huge, negative, zero or not numbers) and
// random overrides either simulate to finite numbers or throw panocarbon::Error, never anything else.
TEST(ProcessRoute, MutatedRoutesOnlyThrowErrors) {
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::vector<std::string> files{"steel-bf-bof.json", "cement-portland-coal-ccs.json", "urea-gas.json",
                                       "aluminium-primary-prebake.json", "steel-dri-h2-eaf.json"};
  const std::vector<std::string> numbers{"1e308", "-1", "0", "1e-300", "\"x\"", "\"1/0\"", "null", "[]", "{}", "true"};
  const std::vector<std::string> sets{"route.grid_factor_t_per_mwh=1e300",
                                      "kiln.capture_rate=1",
                                      "route.output=1e-300",
                                      "blast_furnace.coke_rate=0",
                                      "route.urea_co2_credit=1e308",
                                      "x.y=1",
                                      "electrolysis.cf4_kg=-5",
                                      "route.output=0"};
  size_t ok = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = read(kRoutes + files[next() % files.size()]);
    const int edits = 1 + static_cast<int>(next() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = next() % text.size();
      switch (next() % 4) {
        case 0:
          text[at] = static_cast<char>(next() % 128);
          break;
        case 1:
          text.erase(at, 1 + next() % 40);
          break;
        case 2: {  // replace the number starting at or after `at`
          const size_t d = text.find_first_of("0123456789", at);
          if (d == std::string::npos) break;
          size_t end = d;
          while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
          text.replace(d, end - d, numbers[next() % numbers.size()]);
          break;
        }
        default:
          text.insert(at, "\"q\": 1, ");
          break;
      }
    }
    try {
      auto m = pr::parse_route(text, "mutated.json");
      if (next() % 2) pr::apply_override(m, sets[next() % sets.size()]);
      const auto r = pr::simulate(m, (next() % 3) ? 0 : 1e6);
      ASSERT_TRUE(std::isfinite(r.total_t) && std::isfinite(r.max_mass_residual_t)) << text;
      (void)pr::to_json(r).dump();
      ++ok;
    } catch (const Error& e) {
      ASSERT_LT(std::string(e.what()).size(), 2000u);
      ++refused;
    } catch (const std::exception& e) {
      FAIL() << "not a panocarbon::Error: " << e.what() << "\n" << text;
    }
  }
  EXPECT_GT(ok, 50u);
  EXPECT_GT(refused, 500u);
}
