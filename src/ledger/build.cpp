// `ledger build`: what a path holds (scan) and the computation of every source found (build). MRIO years run in
// parallel over threads and MPI ranks through parallel::run_draws (one "draw" per year, its numbers flattened in a
// fixed order), so every rank ends with the same tables, whatever the ranks and threads.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>

#include "io/gcb2019.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/ledger.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/provenance.hpp"

namespace panocarbon::ledger {

namespace fs = std::filesystem;

namespace {

const char* kReads =
    "ledger build reads: a folder of MRIO years in pymrio's text layout with a CO2 extension (e.g. "
    "../shared/data/mrio/wiod2013-co2, its year folders 2000 ... 2010), one such year folder, a Global Carbon Budget "
    "2019 national folder (territorial-emissions.csv, consumption-emissions.csv, emissions-transfers.csv; "
    "../shared/data/national/gcb2019), or a ledger folder written by `panocarbon ledger export` (data/ledger)";

bool is_pymrio_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p / "file_parameters.json", ec) &&
         (fs::is_regular_file(p / "Z.txt", ec) || fs::is_regular_file(p / "A.txt", ec));
}

int year_of_name(const std::string& name) {
  if (name.size() != 4 || !std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }))
    return 0;
  const int y = std::stoi(name);
  return y >= 1900 && y <= 2200 ? y : 0;
}

std::string dataset_of(const fs::path& year_folder) {
  const std::string d = fs::absolute(year_folder).lexically_normal().parent_path().filename().string();
  return d.empty() ? std::string("mrio") : d;
}

std::string mrio_citation(const std::string& dataset) {
  if (dataset.rfind("wiod", 0) == 0)
    return "Timmer, M. P. et al. (2015) An Illustrated User Guide to the World Input-Output Database: the Case of "
           "Global Automotive Production. Review of International Economics 23, 575-605; CO2 account: Corsatea, T. D. "
           "et al. (2019) World Input-Output Database Environmental Accounts, update 2000-2016. JRC, Publications "
           "Office of the EU, doi:10.2791/947252";
  return "MRIO system " + dataset;
}

struct MrioYear {
  MrioSystem system;
  Co2Stressor co2;
};

MrioYear read_year(const Found& f, int threads) {
  ReadOptions ro;
  ro.threads = threads;
  MrioYear y{read_mrio(f.path.string(), ro), {}};
  y.co2 = find_co2(y.system, f.path.string());
  return y;
}

MrioAccounts accounts_of(const MrioYear& y) {
  AccountsOptions o;
  o.extensions = {y.system.extensions[y.co2.extension].name};
  o.stressors = {y.co2.name};
  o.eebt = false;
  o.income = false;
  return compute_accounts(y.system, o);
}

// `name` is the system's name (pymrio metadata); `first_year`, when not 0, the year it was read for: years
// computed in parallel share the first year's system, whose name ("WIOD 2013 release 2000 with ...") then
// gets this year's number.
Table finish_mrio(Table t, const Found& f, const MrioSystem& s, int first_year = 0) {
  t.source = fmt::format("{}/{}", f.dataset, f.year);
  t.dataset = f.dataset;
  t.version = s.name.empty() ? f.dataset : s.name;
  if (first_year != 0 && first_year != f.year) {
    const std::string y0 = std::to_string(first_year);
    if (const size_t at = t.version.find(y0); at != std::string::npos)
      t.version.replace(at, y0.size(), std::to_string(f.year));
  }
  t.citation = mrio_citation(f.dataset);
  t.path = f.path.string();
  return t;
}

// The numbers of an MRIO table in a fixed order (values, partners' exports and imports, sectors' production and
// consumption) and back onto a table with the same labels.
std::vector<double> flatten(const Table& t) {
  std::vector<double> v;
  for (const auto& x : t.values) v.push_back(x.value);
  for (const auto& p : t.partners) {
    v.push_back(p.exports);
    v.push_back(p.imports);
  }
  for (const auto& s : t.sectors) {
    v.push_back(s.production);
    v.push_back(s.consumption);
  }
  return v;
}
void unflatten(Table& t, const double* v) {
  size_t k = 0;
  for (auto& x : t.values) x.value = v[k++];
  for (auto& p : t.partners) {
    p.exports = v[k++];
    p.imports = v[k++];
  }
  for (auto& s : t.sectors) {
    s.production = v[k++];
    s.consumption = v[k++];
  }
}
void relabel_year(Table& t, int year) {
  for (auto& x : t.values) x.year = year;
  for (auto& p : t.partners) p.year = year;
  for (auto& s : t.sectors) s.year = year;
}

void check_same_shape(const MrioSystem& a, const MrioSystem& b, const std::string& where, const std::string& first) {
  if (a.regions != b.regions || a.sectors != b.sectors || a.fd_categories != b.fd_categories)
    throw Error(ErrorCategory::InvalidInput,
                fmt::format("has other regions, sectors or final-demand categories than {} ({} x {} against {} x {}); "
                            "build years of different systems with separate `ledger build` calls",
                            first, b.n_regions(), b.n_sectors(), a.n_regions(), a.n_sectors()),
                {where});
}

// The years of one dataset in parallel over threads and ranks: the first year gives the labels (every year must
// have the same), each year is one "draw" whose numbers come back flattened.
std::vector<Table> build_years(const std::vector<Found>& years, const BuildOptions& o) {
  const MrioYear first = read_year(years.front(), 1);
  Table shape = mrio_table(first.system, accounts_of(first), first.co2, years.front().year);
  const size_t outputs = flatten(shape).size();
  parallel::RunOptions ro;
  ro.draws = years.size();
  ro.threads = o.threads;
  ro.progress = o.progress;
  ro.label = "years";
  ro.unit = "years";
  ro.chunk = 1;
  struct YearWorker : parallel::Worker {
    const std::vector<Found>* years;
    const MrioSystem* first;
    void run(uint64_t k, double* out) override {
      const Found& f = (*years)[k];
      const MrioYear y = read_year(f, 1);
      check_same_shape(*first, y.system, f.path.string(), (*years)[0].path.string());
      const auto v = flatten(mrio_table(y.system, accounts_of(y), y.co2, f.year));
      std::copy(v.begin(), v.end(), out);
    }
  };
  const parallel::Draws d = parallel::run_draws(outputs, ro, [&] {
    auto w = std::make_unique<YearWorker>();
    w->years = &years;
    w->first = &first.system;
    return w;
  });
  std::vector<Table> tables;
  for (size_t k = 0; k < years.size(); ++k) {
    Table t = shape;
    relabel_year(t, years[k].year);
    unflatten(t, &d.values[k * outputs]);
    tables.push_back(finish_mrio(std::move(t), years[k], first.system, years[0].year));
  }
  return tables;
}

}  // namespace

std::vector<Found> scan(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(ErrorCategory::InvalidInput, fmt::format("does not exist; {}", kReads), {path.string()});
  if (!fs::is_directory(path, ec))
    throw Error(ErrorCategory::InvalidInput, fmt::format("is a file, not a folder; {}", kReads), {path.string()});
  auto one = [](const fs::path& p) -> std::optional<Found> {
    if (is_export_folder(p)) return Found{Found::Kind::Export, p, "ledger", 0};
    if (io::is_gcb2019_folder(p)) return Found{Found::Kind::Gcb, p, "gcb2019", 0};
    if (is_pymrio_folder(p)) {
      const int y = year_of_name(fs::absolute(p).lexically_normal().filename().string());
      if (y) return Found{Found::Kind::MrioYear, p, dataset_of(p), y};
    }
    return std::nullopt;
  };
  if (auto f = one(path)) return {*f};
  if (is_pymrio_folder(path))
    throw Error(ErrorCategory::InvalidInput,
                "is an MRIO folder whose name is not a year; the ledger takes the year from the folder's name: put "
                "it in a folder named like 2009 (DATASET/2009) and build that",
                {path.string()});
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.is_directory(ec)) children.push_back(e.path());
  std::sort(children.begin(), children.end());
  std::vector<Found> out;
  for (const auto& c : children)
    if (auto f = one(c)) out.push_back(*f);
  if (out.empty())
    throw Error(ErrorCategory::InvalidInput, fmt::format("holds nothing the ledger recognises; {}", kReads),
                {path.string()});
  return out;
}

std::vector<Table> build(const std::vector<Found>& found, const BuildOptions& o) {
  std::vector<Table> tables;
  std::vector<Found> years;
  for (const auto& f : found) {
    if (f.kind == Found::Kind::Gcb) tables.push_back(gcb_table(f.path, o.gcb_from_year));
    if (f.kind == Found::Kind::MrioYear) years.push_back(f);
    if (f.kind == Found::Kind::Export) {
      std::map<std::string, std::string> files;
      std::error_code ec;
      for (const char* name : {"sources.csv", "values.csv", "partners.csv", "sectors.csv"})
        if (fs::is_regular_file(f.path / name, ec)) files[name] = read_file(f.path / name);
      for (auto& t : read_export(files, f.path.string())) tables.push_back(std::move(t));
    }
  }
  std::sort(years.begin(), years.end(), [](const Found& a, const Found& b) {
    return a.dataset != b.dataset ? a.dataset < b.dataset : a.year < b.year;
  });
  // a year named twice (its dataset folder and the year folder itself) is built once
  years.erase(std::unique(years.begin(), years.end(),
                          [](const Found& a, const Found& b) { return a.dataset == b.dataset && a.year == b.year; }),
              years.end());
  if (!years.empty()) {
    parallel::OneBlasThread one_blas;
    if (o.draws == 0) {
      // The years of each dataset in parallel (one run_draws per dataset, whose years share their labels).
      for (size_t g0 = 0; g0 < years.size();) {
        size_t g1 = g0;
        while (g1 < years.size() && years[g1].dataset == years[g0].dataset) ++g1;
        const std::vector<Found> group(years.begin() + static_cast<std::ptrdiff_t>(g0),
                                       years.begin() + static_cast<std::ptrdiff_t>(g1));
        for (auto& t : build_years(group, o)) tables.push_back(std::move(t));
        g0 = g1;
      }
    } else {
      // Year by year, the draws of each in parallel (threads and ranks): lower and upper = 2.5 and 97.5 %.
      for (const auto& f : years) {
        const MrioYear y = read_year(f, o.threads);
        Table t = mrio_table(y.system, accounts_of(y), y.co2, f.year);
        MrioMonteCarloOptions mo;
        mo.extensions = {y.system.extensions[y.co2.extension].name};
        mo.stressors = {y.co2.name};
        mo.seed = o.seed;
        mo.run.draws = o.draws;
        mo.run.threads = o.threads;
        mo.run.progress = o.progress;
        mo.run.label = fmt::format("draws {}", f.year);
        const MrioMonteCarloResult mc = mrio_montecarlo(y.system, mo);
        const auto& regions = mc.stressors.front().regions;
        const size_t nr = y.system.n_regions();
        for (auto& v : t.values) {
          size_t r = 0;
          while (r < nr && iso_region(y.system.regions[r]) != v.country) ++r;
          for (size_t a = 0; a < kMrioMcAccounts.size(); ++a)
            if (r < nr && v.indicator == kMrioMcAccounts[a]) {
              v.lower = regions[r][a].summary.p2_5 * y.co2.to_mt;
              v.upper = regions[r][a].summary.p97_5 * y.co2.to_mt;
              v.note += fmt::format("; range: 2.5-97.5 % of {} Monte Carlo draws (seed {}, lognormal, RSE 10 % on Z, "
                                    "Y and F; Lenzen et al. 2010)",
                                    o.draws, o.seed);
            }
        }
        tables.push_back(finish_mrio(std::move(t), f, y.system));
      }
    }
  }
  const Population population = load_population();
  for (auto& t : tables) add_per_capita(t, population);
  return tables;
}

}  // namespace panocarbon::ledger
