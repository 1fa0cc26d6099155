// Capabilities of the consumption side: `mrio info|accounts|flows|multipliers|spa|aggregate` (their registry
// entries, with the renderings, are in trade_entries.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/provenance.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon {

namespace fs = std::filesystem;

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

ReadOptions read_options(const Params& p, bool progress) {
  ReadOptions r;
  r.progress = progress;
  if (p.has("threads")) r.threads = static_cast<int>(p.integer("threads"));
  return r;
}

SolverChoice solver_choice(const Params& p) {
  const std::string s = p.has("solver") ? p.str("solver") : "auto";
  if (s == "dense") return SolverChoice::Dense;
  if (s == "mixed") return SolverChoice::Mixed;
  if (s == "sparse") return SolverChoice::Sparse;
  if (s == "iterative") return SolverChoice::Iterative;
  return SolverChoice::Auto;
}


size_t find_region(const MrioSystem& s, const std::string& region) {
  for (size_t r = 0; r < s.n_regions(); ++r)
    if (s.regions[r] == region) return r;
  std::string names;
  for (size_t r = 0; r < s.n_regions() && r < 60; ++r) names += (r ? ", " : "") + s.regions[r];
  throw Error(ErrorCategory::NotFound, "no region '" + region + "' in " + s.name + "; its regions are: " + names,
              {s.source, 0, 0, "region"});
}

// A concordance CSV (a header line, then 'from,to' lines) read from `text`; `name` names it in messages.
std::vector<std::pair<std::string, std::string>> read_concordance(const std::string& text, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  io::CsvReader csv(text, name);
  bool header = true;
  while (csv.next()) {
    if (header) {  // the first line names the columns (e.g. "from,to")
      header = false;
      continue;
    }
    const auto& f = csv.fields();
    const auto from = f.size() > 0 ? io::trim(f[0]) : std::string_view();
    const auto to = f.size() > 1 ? io::trim(f[1]) : std::string_view();
    if (f.size() < 2 || from.empty() || to.empty())
      throw Error(ErrorCategory::InvalidInput,
                  "needs two fields on every line, the old label and the new one (e.g. 'DEU,EU'); line " +
                      std::to_string(csv.line()) + " has " + std::to_string(f.size()),
                  csv.context());
    out.emplace_back(std::string(from), std::string(to));
  }
  if (out.empty()) throw Error(ErrorCategory::InvalidInput, "has no mappings; give a header line then lines 'from,to'", {name});
  return out;
}

// The concordance of option `option` (--regions, --sectors), empty when not given.
std::vector<std::pair<std::string, std::string>> concordance(Context& ctx, const Params& p, const std::string& option) {
  if (!p.has(option)) return {};
  return read_concordance(ctx.text(p, option), p.str(option));
}

// The MRIO named by the positional `path`: located by the front end and recorded in the run's inputs with
// the fingerprint of its file set (a folder of tables is fingerprinted by names, sizes and times, not hashed).
struct LocatedMrio {
  std::string path;
  MrioFiles files;
};
LocatedMrio locate_mrio(Context& ctx, const Params& p) {
  const std::string& value = p.str("path");
  if (!ctx.locate_input) throw Error(ErrorCategory::Internal, "this front end lends no dataset for the MRIO path");
  const std::string path = ctx.locate_input("path", value).string();
  if (!fs::exists(path))
    throw Error(ErrorCategory::NotFound,
                "does not exist: give an MRIO folder, a .zip of one, an OECD ICIO CSV or a USEEIO folder", {value});
  LocatedMrio m{path, mrio_fingerprint(path)};
  ctx.add_input({{"option", "path"}, {"path", value}, {"fingerprint", m.files.sha256}, {"bytes", m.files.bytes}});
  return m;
}

AccountsOptions accounts_options(const Params& p, bool progress) {
  AccountsOptions o;
  o.solver = solver_choice(p);
  if (p.has("extension")) o.extensions = p.strs("extension");
  if (p.has("stressor")) o.stressors = p.strs("stressor");
  if (p.has("gwp")) o.gwp = p.str("gwp");
  if (p.has("shared-weight")) o.shared_weight = p.number("shared-weight");
  o.leontief = p.has("leontief-out");
  o.progress = progress;
  return o;
}

// Every account a finite number before anything is saved or printed: values near the range of a double in
// the tables overflow in the Leontief products. Names the stressor and region that overflowed.
void check_finite_accounts(const MrioSystem& s, const MrioAccounts& acc, const std::string& path) {
  for (const auto& st : acc.stressors)
    for (size_t r = 0; r < st.regions.size() && r < s.n_regions(); ++r) {
      const auto& a = st.regions[r];
      for (const double v : {a.production, a.consumption, a.imports, a.exports, a.direct_fd, a.income, a.shared,
                             a.eebt_consumption})
        if (std::isinf(v) || std::isnan(v))
          throw Error(ErrorCategory::InvalidInput,
                      fmt::format("the accounts of stressor '{}' in region '{}' are not finite: a value of the tables "
                                  "overflowed (more than 1.8e308); check the magnitudes and units of the MRIO tables",
                                  clip_input(st.stressor), clip_input(s.regions[r])),
                      ErrorContext{path, 0, 0, clip_input(st.stressor)});
    }
}

// The system and its regional accounts saved under the run.
int64_t save_accounts(Store& store, int64_t run_id, const LocatedMrio& in, const MrioSystem& s, const MrioAccounts& acc) {
  MrioSystemRecord rec{s.name, s.format, fs::absolute(in.path).string(), in.files.sha256, s.monetary_unit,
                       s.n_regions(), s.n_sectors(), s.n_categories(), mrio_year(s), s.provenance};
  const int64_t system_id = store.save_mrio_system(rec);
  std::vector<MrioAccountRecord> rows;
  for (const auto& st : acc.stressors)
    for (size_t r = 0; r < s.n_regions(); ++r) {
      const auto& a = st.regions[r];
      MrioAccountRecord m;
      m.extension = st.extension;
      m.stressor = st.stressor;
      m.unit = st.unit;
      m.region = s.regions[r];
      m.production = a.production;
      m.consumption = a.consumption;
      m.imports = a.imports;
      m.exports = a.exports;
      m.direct_fd = a.direct_fd;
      m.income = a.income;
      m.shared = a.shared;
      m.eebt_consumption = a.eebt_consumption;
      if (!s.population.empty()) m.population = s.population[r];
      rows.push_back(std::move(m));
    }
  store.save_mrio_accounts(run_id, system_id, rows);
  return system_id;
}

}  // namespace

int mrio_year(const MrioSystem& s) {
  // The year of the table: the last 4-digit number from 1950 to 2100 in the source path (EXIOBASE
  // IOT_2011_pxp.zip, wiod2013-co2/2009) or else in the system's name.
  for (const std::string& text : {s.source, s.name}) {
    int found = 0;
    for (size_t i = 0; i + 4 <= text.size(); ++i) {
      const bool digits = std::isdigit(static_cast<unsigned char>(text[i])) && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
                          std::isdigit(static_cast<unsigned char>(text[i + 2])) && std::isdigit(static_cast<unsigned char>(text[i + 3]));
      const bool alone = (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]))) &&
                         (i + 4 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 4])));
      if (digits && alone) {
        const int y = std::stoi(text.substr(i, 4));
        if (y >= 1950 && y <= 2100) found = y;
      }
    }
    if (found) return found;
  }
  return 0;
}

MrioFiles mrio_fingerprint(const std::string& path) {
  std::error_code ec;
  std::string text;
  MrioFiles out;
  std::vector<std::string> files;  // full paths as the directory walk gives them
  const bool folder = fs::is_directory(path, ec);
  if (folder) {
    for (const auto& e : fs::recursive_directory_iterator(path, ec))
      if (e.is_regular_file(ec)) files.push_back(e.path().native());
    // in fs::path order (element by element) without making a path of each: the separator sorts before
    // every other byte (the paths share the folder's prefix and have no empty elements below it)
    const auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    std::sort(files.begin(), files.end(), [&key](const std::string& a, const std::string& b) {
      const size_t n = std::min(a.size(), b.size());
      for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return key(a[i]) < key(b[i]);
      return a.size() < b.size();
    });
  } else {
    files.push_back(path);
  }
  const std::string root = fs::path(path).generic_string();
  // a folder's files are stat'ed relative to it (fstatat): the kernel walks only their own components
  struct Dir {
    int fd;
    ~Dir() {
      if (fd >= 0) ::close(fd);
    }
  } const dir{folder ? ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1};
  for (const auto& f : files) {
    // a file of the folder: its path below the folder (as fs::relative gives it, without resolving every
    // component again: a JSON-LD export has thousands of files); one stat for its size and time
    std::string rel;
    if (folder) {
      rel = f.substr(std::min(root.size(), f.size()));
      rel.erase(0, rel.find_first_not_of('/'));
    } else {
      rel = fs::relative(f, fs::path(path).parent_path(), ec).string();
    }
    struct stat st {};
    uint64_t size = 0;
    long long mtime = 0;
    const bool below = dir.fd >= 0 && !rel.empty() && f.compare(0, root.size(), root) == 0;
    if ((below ? ::fstatat(dir.fd, rel.c_str(), &st, 0) : ::stat(f.c_str(), &st)) == 0) {
      size = static_cast<uint64_t>(st.st_size);
      // fs::last_write_time's count: the file clock of the time the stat gives
      const auto sys = std::chrono::sys_time<std::chrono::nanoseconds>(std::chrono::seconds(st.st_mtim.tv_sec) +
                                                                       std::chrono::nanoseconds(st.st_mtim.tv_nsec));
      mtime = static_cast<long long>(std::chrono::file_clock::from_sys(sys).time_since_epoch().count());
    } else {
      size = static_cast<uint64_t>(-1);  // what fs::file_size reports for a file it cannot stat
      mtime = static_cast<long long>(fs::file_time_type::min().time_since_epoch().count());
    }
    out.bytes += size;
    text += rel;
    text += '\t';
    text += std::to_string(size);
    text += '\t';
    text += std::to_string(mtime);
    text += '\n';
    const std::string_view name = std::string_view(f).substr(f.rfind('/') + 1);  // npos + 1 = 0: all of it
    if (name == "file_parameters.json" || name == "metadata.json") text += read_file(f);
  }
  out.sha256 = sha256_hex(text);
  return out;
}

nlohmann::json mrio_info(Context& ctx, const Params& p) {
  const LocatedMrio in = locate_mrio(ctx, p);
  // No factorisation here: in coefficient form without x the total output is left out (it needs L).
  MrioSystem s = read_mrio(in.path, read_options(p, ctx.progress));
  nlohmann::json j;
  j["name"] = s.name;
  j["format"] = s.format;
  j["source"] = s.source;
  j["regions"] = s.regions;
  j["sectors"] = s.sectors;
  j["final_demand_categories"] = s.fd_categories;
  j["n"] = s.n();
  j["nonzeros_A"] = s.A.nnz();
  j["density_A"] = s.A.density();
  j["monetary_unit"] = s.monetary_unit;
  j["x_given"] = s.x_given;
  double xt = 0, yt = 0;
  for (double v : s.x) xt += v;
  for (double v : s.Y.data) yt += v;
  j["total_output"] = s.x.empty() ? nlohmann::json(nullptr) : nlohmann::json(xt);
  j["total_final_demand"] = yt;
  j["population_given"] = !s.population.empty();
  auto exts = nlohmann::json::array();
  for (const auto& e : s.extensions) {
    nlohmann::json ej{{"name", e.name}, {"stressors", e.stressors.size()}, {"F_Y", !e.F_Y.empty()}};
    auto first = nlohmann::json::array();
    for (size_t i = 0; i < e.stressors.size() && i < 10; ++i)
      first.push_back(e.stressors[i] + (e.units[i].empty() ? "" : " [" + e.units[i] + "]"));
    ej["first_stressors"] = first;
    exts.push_back(ej);
  }
  j["extensions"] = exts;
  j["provenance"] = s.provenance;
  return j;
}

MrioRun mrio_accounts(Context& ctx, const Params& p) {
  MrioRun out;
  const LocatedMrio in = locate_mrio(ctx, p);
  out.input_bytes = in.files.bytes;
  const auto t0 = std::chrono::steady_clock::now();
  out.system = read_mrio(in.path, read_options(p, ctx.progress));
  out.read_s = since(t0);
  const MrioSystem& s = out.system;
  if (p.has("region"))
    for (const auto& r : p.strs("region")) out.regions.push_back(find_region(s, r));
  else
    for (size_t r = 0; r < s.n_regions(); ++r) out.regions.push_back(r);
  const auto t1 = std::chrono::steady_clock::now();
  out.accounts = compute_accounts(out.system, accounts_options(p, ctx.progress));
  out.compute_s = since(t1);
  check_finite_accounts(s, out.accounts, in.path);
  if (p.has("leontief-out")) write_sector_matrix(s, out.accounts.L, p.str("leontief-out"));
  if (ctx.run_id() != 0) out.system_id = save_accounts(ctx.store(), ctx.run_id(), in, s, out.accounts);
  const auto& rep = out.accounts.report;
  out.summary = {{"system_id", out.system_id}, {"solver", rep.solver}, {"max_residual", rep.max_residual},
                 {"identity_gap", rep.identity_gap}, {"stressors", out.accounts.stressors.size()},
                 {"read_s", out.read_s}, {"compute_s", out.compute_s}};
  return out;
}

SpaRun mrio_spa(Context& ctx, const Params& p) {
  SpaRun out;
  const LocatedMrio in = locate_mrio(ctx, p);
  out.system = read_mrio(in.path, read_options(p, ctx.progress));
  const MrioSystem& s = out.system;
  out.region = find_region(s, p.str("region"));
  const std::string wanted = p.str("stressor");
  const std::string ext_name = p.has("extension") ? p.str("extension") : "";
  bool found = false;
  for (size_t e = 0; e < s.extensions.size() && !found; ++e) {
    if (!ext_name.empty() && s.extensions[e].name != ext_name) continue;
    for (size_t r = 0; r < s.extensions[e].stressors.size(); ++r) {
      const auto& st = s.extensions[e].stressors[r];
      if (st == wanted || st.substr(0, st.find('|')) == wanted) {
        out.ext = e;
        out.stressor = r;
        found = true;
        break;
      }
    }
  }
  if (!found)
    throw Error(ErrorCategory::NotFound, "no stressor '" + wanted + "'" + (ext_name.empty() ? "" : " in extension " + ext_name) +
                                             "; list them with `panocarbon mrio info " + p.str("path") + "`",
                {p.str("path"), 0, 0, "stressor"});
  out.unit = s.extensions[out.ext].units[out.stressor];
  out.result = structural_paths(s, out.ext, out.stressor, out.region, static_cast<size_t>(p.integer("top")),
                                p.number("cutoff"), static_cast<size_t>(p.integer("max-depth")));
  out.summary = {{"paths", out.result.paths.size()}, {"total", out.result.total}, {"covered", out.result.covered}};
  return out;
}

AggregateRun mrio_aggregate(Context& ctx, const Params& p) {
  if (!p.has("regions") && !p.has("sectors"))
    throw Error(ErrorCategory::InvalidInput, "give --regions MAP.csv and/or --sectors MAP.csv (lines 'from,to')",
                {{}, 0, 0, "regions"});
  const LocatedMrio in = locate_mrio(ctx, p);
  const auto rmap = concordance(ctx, p, "regions");
  const auto smap = concordance(ctx, p, "sectors");
  MrioSystem s = read_mrio(in.path, read_options(p, ctx.progress));
  ensure_gross_output(s);
  MrioSystem agg;
  try {
    agg = aggregate_mrio(s, rmap, smap);
  } catch (const Error& e) {
    const bool sectors = e.context().field.rfind("sector", 0) == 0;
    throw e.with_context({p.has(sectors ? "sectors" : "regions") ? p.str(sectors ? "sectors" : "regions") : ""});
  }
  AggregateRun out;
  out.out = ctx.output_dir().string();
  out.files = write_mrio_pymrio(agg, out.out);
  out.regions = agg.n_regions();
  out.sectors = agg.n_sectors();
  out.from_regions = s.n_regions();
  out.from_sectors = s.n_sectors();
  return out;
}

}  // namespace panocarbon
