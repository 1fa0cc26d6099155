// Capability of `mrio montecarlo`: read the system, draw, and render the result (nothing is stored; the
// registry logs the run). Standard output depends only on the inputs, the options and the seed (never on
// threads, ranks or timings): those are in the diagnostics and the run log's summary.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <ostream>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/registry.hpp"

namespace panocarbon {

namespace {
MrioMonteCarloOptions montecarlo_options(const Params& p, const MonteCarloSetup& setup) {
  MrioMonteCarloOptions o;
  if (p.has("extension")) o.extensions = p.strs("extension");
  if (p.has("stressor")) o.stressors = p.strs("stressor");
  if (p.has("gwp")) o.gwp = p.str("gwp");
  o.rse_z = p.number("rse-z");
  o.rse_y = p.number("rse-y");
  o.rse_f = p.number("rse-f");
  o.rse_model = p.str("rse-model") == "lenzen" ? RseModel::Lenzen : RseModel::Constant;
  o.lognormal = p.str("distribution") != "normal";
  const std::string solver = p.has("solver") ? p.str("solver") : "auto";
  o.solve = solver == "refine"      ? MrioMonteCarloOptions::Solve::Refine
            : solver == "factorise" ? MrioMonteCarloOptions::Solve::Factorise
                                    : MrioMonteCarloOptions::Solve::Auto;
  o.seed = setup.seed;
  o.run = setup.run;
  return o;
}

nlohmann::json run_summary(const MrioMonteCarloRun& run, const MonteCarloSetup& setup, const std::string& fingerprint) {
  const auto& r = run.result;
  nlohmann::json s = setup.log_record();
  s.update({{"draws", r.draws},
            {"perturbed", r.perturbed},
            {"solve", r.solve},
            {"mean_iterations", r.mean_iterations},
            {"max_iterations", r.max_iterations},
            {"fallbacks", r.fallbacks},
            {"read_s", run.read_s},
            {"setup_s", r.setup_seconds},
            {"draws_s", r.seconds},
            {"draws_cpu_s", r.cpu_seconds},
            {"draws_per_s", r.seconds > 0 ? double(r.draws) / r.seconds : 0.0},
            {"fingerprint", fingerprint}});
  return s;
}

nlohmann::json stats_json(const MrioAccountUncertainty& a) {
  const auto& s = a.summary;
  return {{"deterministic", a.deterministic},
          {"mean", s.mean},
          {"sd", s.sd},
          {"median", s.median},
          {"p2_5", s.p2_5},
          {"p97_5", s.p97_5}};
}
}  // namespace

MrioMonteCarloRun mrio_montecarlo_run(Context& ctx, const Params& p) {
  MrioMonteCarloRun out;
  const std::filesystem::path path = ctx.path(p, "path");
  if (!std::filesystem::exists(path))
    throw Error(ErrorCategory::NotFound,
                "does not exist: give an MRIO folder, a .zip of one, an OECD ICIO CSV or a USEEIO folder",
                {p.str("path")});
  const MonteCarloSetup setup = montecarlo_setup(p, "draws", ctx.progress);
  const MrioFiles files = mrio_fingerprint(path.string());
  out.record = setup.record();
  out.options = montecarlo_options(p, setup);
  out.rse_model = p.str("rse-model");
  out.distribution = p.str("distribution");
  const auto t0 = std::chrono::steady_clock::now();
  ReadOptions ro;
  ro.progress = ctx.progress;
  out.system = read_mrio(path.string(), ro);
  out.read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out.result = mrio_montecarlo(out.system, out.options);
  out.summary = run_summary(out, setup, files.sha256);
  return out;
}

nlohmann::json mrio_montecarlo_json(const MrioMonteCarloRun& run) {
  const auto& s = run.system;
  const auto& r = run.result;
  const auto& o = run.options;
  nlohmann::json j;
  j["system"] = {{"name", s.name}, {"format", s.format}, {"source", s.source}, {"regions", s.regions}};
  j["montecarlo"] = run.record;
  j["model"] = {{"perturbed", r.perturbed},
                {"rse_z", o.rse_z},
                {"rse_y", o.rse_y},
                {"rse_f", o.rse_f},
                {"rse_model", run.rse_model},
                {"distribution", run.distribution},
                {"cells", {{"Z", r.cells_z}, {"Y", r.cells_y}, {"F", r.cells_f}}}};
  // Iterations and fallbacks are functions of the draws (not of threads or ranks), so they may stand here.
  j["solver"] = {{"method", r.solver},
                 {"solve", r.solve},
                 {"mean_iterations", r.mean_iterations},
                 {"max_iterations", r.max_iterations},
                 {"fallbacks", r.fallbacks},
                 {"kept_outputs", r.kept_outputs},
                 {"draws_with_kept_outputs", r.draws_with_kept_outputs}};
  j["notes"] = r.notes;
  auto arr = nlohmann::json::array();
  for (const auto& st : r.stressors) {
    nlohmann::json sj{{"extension", st.extension}, {"stressor", st.stressor}, {"unit", st.unit}};
    auto regs = nlohmann::json::array();
    for (size_t g = 0; g < s.n_regions(); ++g) {
      nlohmann::json rj{{"region", s.regions[g]}};
      for (size_t k = 0; k < 4; ++k) rj[kMrioMcAccounts[k]] = stats_json(st.regions[g][k]);
      regs.push_back(rj);
    }
    sj["regions"] = regs;
    arr.push_back(sj);
  }
  j["stressors"] = arr;
  return j;
}

void write_mrio_montecarlo(std::ostream& out, const MrioMonteCarloRun& run, std::string_view format) {
  const auto& s = run.system;
  const auto& r = run.result;
  if (format == "csv") {
    out << "extension,stressor,unit,region,account,deterministic,mean,sd,median,p2_5,p97_5\n";
    for (const auto& st : r.stressors)
      for (size_t g = 0; g < s.n_regions(); ++g)
        for (size_t k = 0; k < 4; ++k) {
          const auto& a = st.regions[g][k];
          const auto& m = a.summary;
          fmt::print(out, "{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(st.extension), csv_field(st.stressor),
                     csv_field(st.unit), csv_field(s.regions[g]), kMrioMcAccounts[k], a.deterministic, m.mean, m.sd,
                     m.median, m.p2_5, m.p97_5);
        }
    return;
  }
  const auto& o = run.options;
  fmt::print(out, "{}: Monte Carlo of {} draws (seed {}), RSE Z/A {} Y {} F {} ({}, {}), {} perturbed\n", s.name,
             r.draws, run.record["seed"].get<uint64_t>(), o.rse_z, o.rse_y, o.rse_f, run.rse_model, run.distribution,
             r.perturbed);
  for (const auto& st : r.stressors) {
    fmt::print(out, "\n{} / {} [{}]\n", st.extension, st.stressor, st.unit);
    fmt::print(out, "{:<10} {:<12} {:>14} {:>14} {:>12} {:>8} {:>14} {:>14}\n", "region", "account", "deterministic",
               "mean", "sd", "cv %", "p2.5", "p97.5");
    for (size_t g = 0; g < s.n_regions(); ++g)
      for (size_t k = 0; k < 4; ++k) {
        const auto& a = st.regions[g][k];
        const auto& m = a.summary;
        fmt::print(out, "{:<10} {:<12} {:>14.6g} {:>14.6g} {:>12.4g} {:>8.2f} {:>14.6g} {:>14.6g}\n", s.regions[g],
                   kMrioMcAccounts[k], a.deterministic, m.mean, m.sd,
                   m.mean != 0 ? m.sd / std::fabs(m.mean) * 100 : 0.0, m.p2_5, m.p97_5);
      }
  }
}

std::string mrio_montecarlo_diagnostics(const MrioMonteCarloRun& run) {
  const auto& r = run.result;
  return fmt::format(
      "mrio montecarlo: {}; {} per draw ({} perturbed; {} Z/A, {} Y, {} F cells per draw); {:.2f} preconditioned "
      "iterations per draw on average (max {}), {} of {} draws factorised their own I - A'; {} draws in {:.3f} s = "
      "{:.1f} draws/s on {} rank(s) x {} thread(s), {:.2f} ms CPU per draw; setup {:.3f} s, read {:.3f} s\n",
      r.solver, r.solve, r.perturbed, r.cells_z, r.cells_y, r.cells_f, r.mean_iterations, r.max_iterations, r.fallbacks,
      r.draws, r.draws, r.seconds, r.seconds > 0 ? double(r.draws) / r.seconds : 0.0, parallel::size(),
      parallel::thread_count(run.options.run.threads), r.draws ? r.cpu_seconds / double(r.draws) * 1000 : 0.0,
      r.setup_seconds, run.read_s);
}

}  // namespace panocarbon
