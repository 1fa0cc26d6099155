// In-process benchmark of the production-side inventory: N activity rows as CSV text are parsed
// (read_activity_csv), computed (calculate_inventory) and aggregated (totals_by_category), and the
// stages are also timed one by one. Reports items_per_second = activity rows per second.
//
// The rows are drawn deterministically from (category, activity, unit) combinations that the built-in
// factor library computes without help: fuels in stationary, road and other combustion categories for
// which select() gives default CO2, CH4 and N2O factors, in t, kt, TJ or GJ; IPPU products (clinker,
// lime, ammonia, ...) in their own category, in t or kt. Before timing, each size is checked once: the
// total of totals_by_category must equal the sum of the lines' CO2e, InventoryResult::total_co2e_t and,
// independently, Σ over kinds of (sum of that kind's amounts × CO2e of one unit of it), within 1e-9
// relative; the program aborts with a message otherwise.
//
//   build/bin/panocarbon_bench                                  # all, 100k and 1M rows
//   build/bin/panocarbon_bench --benchmark_filter=Pipeline/1000000
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "panocarbon/categories.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/inventory.hpp"

namespace pc = panocarbon;

namespace {

constexpr double kRtol = 1e-9;
constexpr uint64_t kSeed = 20240601;

// Fuel rows are drawn in these categories (the same list as bench/inventory_bench.py).
const std::vector<std::string> kFuelCategories = {
    "1.A.1.a.i", "1.A.1.a.ii", "1.A.1.b", "1.A.2.a",     "1.A.2.c",    "1.A.2.f", "1.A.2.m",  "1.A.4.a",
    "1.A.4.b",   "1.A.4.c.i",  "1.A.3.b.i", "1.A.3.b.ii", "1.A.3.b.iii", "1.A.3.a.ii", "1.A.3.c", "1.A.3.d.ii"};
const std::vector<std::string> kCountries = {"AT", "BE", "CZ", "DE", "DK", "ES", "FR", "IT", "NL", "PL", "SE"};

struct Kind {
  std::string category, activity, unit;
  double log10_lo = 0, log10_hi = 0;  // range of generated amounts
  double co2e_per_unit = 0;           // t CO2e of an amount of 1 (excluding memo items)
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "panocarbon_bench: result check failed: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

bool close(double a, double b) { return std::fabs(a - b) <= kRtol * std::max(std::fabs(a), std::fabs(b)); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o.push_back('"');
    o.push_back(c);
  }
  return o + "\"";
}

// The t CO2e of one row of `amount` of a kind, or NaN when the library cannot compute it.
double one_row(const std::string& category, const std::string& activity, const std::string& unit) {
  const std::string text =
      fmt::format("category,activity,amount,unit\n{},{},1,{}\n", category, csv_field(activity), unit);
  try {
    const pc::ActivityData d = pc::read_activity_csv(text, "probe");
    const pc::InventoryResult r =
        pc::calculate_inventory(d, pc::FactorLibrary::builtin(), pc::CategoryTree::ipcc2006(), pc::CalcOptions{});
    return r.total_co2e_t;
  } catch (const pc::Error&) {
    return std::nan("");
  }
}

bool has_fuel_gases(const std::string& category, const std::string& fuel) {
  const auto fs = pc::FactorLibrary::builtin().select(category, fuel, "", 2006);
  for (const char* g : {"CO2", "CH4", "N2O"})
    if (std::none_of(fs.begin(), fs.end(), [&](const pc::EmissionFactor* f) { return f->gas == g; })) return false;
  return true;
}

const std::vector<Kind>& kinds() {
  static const std::vector<Kind> out = [] {
    const auto& lib = pc::FactorLibrary::builtin();
    const auto& tree = pc::CategoryTree::ipcc2006();
    std::vector<Kind> v;
    auto add = [&](const std::string& cat, const std::string& act, const char* unit, double lo, double hi) {
      const double per_unit = one_row(cat, act, unit);
      if (!std::isnan(per_unit)) v.push_back(Kind{cat, act, unit, lo, hi, per_unit});
    };
    for (const auto& cat : kFuelCategories) {
      if (tree.find(cat) < 0) continue;
      for (const auto& fuel : lib.fuels()) {
        if (!has_fuel_gases(cat, fuel.name)) continue;
        add(cat, fuel.name, "t", 0.0, 5.0);
        add(cat, fuel.name, "kt", -3.0, 2.0);
        add(cat, fuel.name, "TJ", -1.0, 4.0);
        add(cat, fuel.name, "GJ", 1.0, 6.0);
      }
    }
    std::vector<std::pair<std::string, std::string>> products;  // (category, product) in library order
    for (const auto& f : lib.factors()) {
      if (lib.find_fuel(f.activity) || tree.find(f.category) < 0) continue;
      const auto key = std::make_pair(f.category, f.activity);
      if (std::find(products.begin(), products.end(), key) == products.end()) products.push_back(key);
    }
    for (const auto& [cat, act] : products) {
      add(cat, act, "t", 0.0, 5.0);
      add(cat, act, "kt", -3.0, 2.0);
    }
    if (v.empty()) fail("no (category, activity, unit) combination of the built-in library can be computed");
    return v;
  }();
  return out;
}

struct Dataset {
  std::string text;                  // the CSV
  std::vector<double> amount_by_kind;  // Σ amounts per kind, for the independent check
};

Dataset generate(int64_t n) {
  const auto& ks = kinds();
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<size_t> pick(0, ks.size() - 1);
  std::uniform_real_distribution<double> unit_interval(0.0, 1.0);
  Dataset d;
  d.amount_by_kind.assign(ks.size(), 0.0);
  d.text.reserve(static_cast<size_t>(n) * 56);
  d.text += "category,activity,amount,unit,country,year\n";
  std::vector<std::string> prefix;
  for (const auto& k : ks) prefix.push_back(k.category + ',' + csv_field(k.activity) + ',');
  auto out = std::back_inserter(d.text);
  for (int64_t i = 0; i < n; ++i) {
    const size_t k = pick(rng);
    const double e = ks[k].log10_lo + (ks[k].log10_hi - ks[k].log10_lo) * unit_interval(rng);
    // Amounts with three decimals, as integer thousandths so the sum below is of the parsed values.
    const auto milli = std::max<int64_t>(1, std::llround(std::pow(10.0, e) * 1000.0));
    d.amount_by_kind[k] += static_cast<double>(milli) / 1000.0;
    d.text += prefix[k];
    // One country-year, as in a real inventory file.
    fmt::format_to(out, "{}.{:03},{},{},{}\n", milli / 1000, milli % 1000, ks[k].unit, kCountries[0], 2022);
  }
  return d;
}

// The data of one size, generated and checked once.
const Dataset& dataset(int64_t n) {
  static std::map<int64_t, Dataset> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  Dataset d = generate(n);
  const auto& lib = pc::FactorLibrary::builtin();
  const auto& tree = pc::CategoryTree::ipcc2006();
  const pc::ActivityData data = pc::read_activity_csv(d.text, "bench.csv");
  if (data.rows.size() != static_cast<size_t>(n))
    fail(fmt::format("read {} rows of {}", data.rows.size(), n));
  const pc::InventoryResult r = pc::calculate_inventory(data, lib, tree, pc::CalcOptions{});
  const auto cats = pc::totals_by_category(r, tree);
  if (cats.empty() || cats.back().code != "total") fail("totals_by_category has no final total line");
  const double total = cats.back().co2e_t;
  double lines = 0;
  for (const auto& l : r.lines)
    if (l.memo == panocarbon::Memo::None) lines += l.co2e_t;
  double expected = 0;
  for (size_t k = 0; k < kinds().size(); ++k) expected += d.amount_by_kind[k] * kinds()[k].co2e_per_unit;
  double sectors = 0;
  for (const auto& c : cats)
    if (c.level == 1) sectors += c.co2e_t;
  if (!(total > 0)) fail(fmt::format("total {} t CO2e is not positive", total));
  if (!close(total, lines)) fail(fmt::format("total {} != sum of line CO2e {}", total, lines));
  if (!close(total, r.total_co2e_t)) fail(fmt::format("total {} != InventoryResult::total_co2e_t {}", total, r.total_co2e_t));
  if (!close(total, sectors)) fail(fmt::format("total {} != sum of the sectors {}", total, sectors));
  if (!close(total, expected))
    fail(fmt::format("total {} != Σ kinds (amount × CO2e per unit) {} (rel {:.3g})", total, expected,
                     std::fabs(total - expected) / expected));
  return cache.emplace(n, std::move(d)).first->second;
}

void set_counters(benchmark::State& state, int64_t n) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * n);
  state.counters["rows"] = static_cast<double>(n);
}

// The whole in-process pipeline of `inventory calc --by category`.
void BM_Pipeline(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Dataset& d = dataset(n);
  const auto& lib = pc::FactorLibrary::builtin();
  const auto& tree = pc::CategoryTree::ipcc2006();
  for (auto _ : state) {
    const pc::ActivityData data = pc::read_activity_csv(d.text, "bench.csv");
    const pc::InventoryResult r = pc::calculate_inventory(data, lib, tree, pc::CalcOptions{});
    auto cats = pc::totals_by_category(r, tree);
    benchmark::DoNotOptimize(cats.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, n);
}

void BM_ReadCsv(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Dataset& d = dataset(n);
  for (auto _ : state) {
    pc::ActivityData data = pc::read_activity_csv(d.text, "bench.csv");
    benchmark::DoNotOptimize(data.rows.data());
  }
  set_counters(state, n);
}

void BM_Calculate(benchmark::State& state) {
  const int64_t n = state.range(0);
  const pc::ActivityData data = pc::read_activity_csv(dataset(n).text, "bench.csv");
  const auto& lib = pc::FactorLibrary::builtin();
  const auto& tree = pc::CategoryTree::ipcc2006();
  for (auto _ : state) {
    pc::InventoryResult r = pc::calculate_inventory(data, lib, tree, pc::CalcOptions{});
    benchmark::DoNotOptimize(r.lines.data());
  }
  set_counters(state, n);
}

void BM_TotalsByCategory(benchmark::State& state) {
  const int64_t n = state.range(0);
  const pc::ActivityData data = pc::read_activity_csv(dataset(n).text, "bench.csv");
  const auto& tree = pc::CategoryTree::ipcc2006();
  const pc::InventoryResult r = pc::calculate_inventory(data, pc::FactorLibrary::builtin(), tree, pc::CalcOptions{});
  for (auto _ : state) {
    auto cats = pc::totals_by_category(r, tree);
    benchmark::DoNotOptimize(cats.data());
  }
  set_counters(state, n);
}

BENCHMARK(BM_Pipeline)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadCsv)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Calculate)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TotalsByCategory)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
