// `mrio montecarlo`: prints the uncertainty of every region's accounts. Standard output depends only on the
// inputs, the options and the seed (never on threads, ranks or timings): those go to stderr (--verbose).
#include <fmt/format.h>

#include <iostream>

#include "cli.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/parallel.hpp"

namespace pc = panocarbon;

namespace cli {

namespace {

nlohmann::json stats_json(const pc::MrioAccountUncertainty& a) {
  const auto& s = a.summary;
  return {{"deterministic", a.deterministic}, {"mean", s.mean},     {"sd", s.sd},
          {"median", s.median},               {"p2_5", s.p2_5},     {"p97_5", s.p97_5}};
}

void print_montecarlo(const pc::Params& p, const pc::MrioMonteCarloRun& run) {
  const auto& s = run.system;
  const auto& r = run.result;
  const std::string format = p.str("format");
  if (format == "csv") {
    fmt::print("extension,stressor,region,account,deterministic,mean,sd,median,p2_5,p97_5\n");
    for (const auto& st : r.stressors)
      for (size_t g = 0; g < s.n_regions(); ++g)
        for (size_t k = 0; k < 4; ++k) {
          const auto& a = st.regions[g][k];
          const auto& m = a.summary;
          fmt::print("{},{},{},{},{},{},{},{},{},{}\n", pc::csv_field(st.extension), pc::csv_field(st.stressor),
                     pc::csv_field(s.regions[g]), pc::kMrioMcAccounts[k], a.deterministic, m.mean, m.sd, m.median,
                     m.p2_5, m.p97_5);
        }
    return;
  }
  if (format == "json") {
    nlohmann::json j;
    j["system"] = {{"name", s.name}, {"format", s.format}, {"source", s.source}, {"regions", s.regions}};
    j["montecarlo"] = run.record;
    j["model"] = {{"perturbed", r.perturbed},
                  {"rse_z", p.number("rse-z")},
                  {"rse_y", p.number("rse-y")},
                  {"rse_f", p.number("rse-f")},
                  {"rse_model", p.str("rse-model")},
                  {"distribution", p.str("distribution")},
                  {"cells", {{"Z", r.cells_z}, {"Y", r.cells_y}, {"F", r.cells_f}}}};
    // Iterations and fallbacks are functions of the draws (not of threads or ranks), so they may stand here.
    j["solver"] = {{"method", r.solver}, {"solve", r.solve}, {"mean_iterations", r.mean_iterations},
                   {"max_iterations", r.max_iterations}, {"fallbacks", r.fallbacks},
                   {"kept_outputs", r.kept_outputs}, {"draws_with_kept_outputs", r.draws_with_kept_outputs}};
    j["notes"] = r.notes;
    auto arr = nlohmann::json::array();
    for (const auto& st : r.stressors) {
      nlohmann::json sj{{"extension", st.extension}, {"stressor", st.stressor}, {"unit", st.unit}};
      auto regs = nlohmann::json::array();
      for (size_t g = 0; g < s.n_regions(); ++g) {
        nlohmann::json rj{{"region", s.regions[g]}};
        for (size_t k = 0; k < 4; ++k) rj[pc::kMrioMcAccounts[k]] = stats_json(st.regions[g][k]);
        regs.push_back(rj);
      }
      sj["regions"] = regs;
      arr.push_back(sj);
    }
    j["stressors"] = arr;
    std::cout << j.dump(2) << '\n';
    return;
  }
  fmt::print("{}: Monte Carlo of {} draws (seed {}), RSE Z/A {} Y {} F {} ({}, {}), {} perturbed\n", s.name, r.draws,
             run.record["seed"].get<uint64_t>(), p.number("rse-z"), p.number("rse-y"), p.number("rse-f"),
             p.str("rse-model"), p.str("distribution"), r.perturbed);
  for (const auto& st : r.stressors) {
    fmt::print("\n{} / {} [{}]\n", st.extension, st.stressor, st.unit);
    fmt::print("{:<10} {:<12} {:>14} {:>14} {:>12} {:>8} {:>14} {:>14}\n", "region", "account", "deterministic",
               "mean", "sd", "cv %", "p2.5", "p97.5");
    for (size_t g = 0; g < s.n_regions(); ++g)
      for (size_t k = 0; k < 4; ++k) {
        const auto& a = st.regions[g][k];
        const auto& m = a.summary;
        fmt::print("{:<10} {:<12} {:>14.6g} {:>14.6g} {:>12.4g} {:>8.2f} {:>14.6g} {:>14.6g}\n", s.regions[g],
                   pc::kMrioMcAccounts[k], a.deterministic, m.mean, m.sd,
                   m.mean != 0 ? m.sd / std::fabs(m.mean) * 100 : 0.0, m.p2_5, m.p97_5);
      }
  }
}

}  // namespace

void add_mrio_montecarlo_handlers(std::map<std::string, Handler>& h) {
  h["mrio montecarlo"] = [](const pc::Params& p) {
    const auto run = pc::mrio_montecarlo_run(store_for(p), p, stderr_is_terminal());
    const auto& r = run.result;
    if (pc::parallel::is_root()) {
      if (!p.has("seed"))
        fmt::print(stderr, "mrio montecarlo: seed {} (give --seed {} to repeat this run)\n",
                   run.record["seed"].get<uint64_t>(), run.record["seed"].get<uint64_t>());
      if (p.flag("verbose"))
        fmt::print(stderr,
                   "mrio montecarlo: {}; {} per draw ({} perturbed; {} Z/A, {} Y, {} F cells per draw); {:.2f} preconditioned "
                   "iterations per draw on average (max {}), {} of {} draws factorised their own I - A'; {} draws in "
                   "{:.3f} s = {:.1f} draws/s on {} rank(s) x {} thread(s), {:.2f} ms CPU per draw; setup {:.3f} s, read "
                   "{:.3f} s\n",
                   r.solver, r.solve, r.perturbed, r.cells_z, r.cells_y, r.cells_f, r.mean_iterations, r.max_iterations,
                   r.fallbacks, r.draws, r.draws, r.seconds, r.seconds > 0 ? double(r.draws) / r.seconds : 0.0,
                   pc::parallel::size(), pc::parallel::thread_count(static_cast<int>(p.integer("threads"))),
                   r.draws ? r.cpu_seconds / double(r.draws) * 1000 : 0.0, r.setup_seconds, run.read_s);
    }
    if (pc::parallel::is_root() && p.str("format") != "json")
      for (const auto& note : r.notes) fmt::print(stderr, "note: {}\n", note);
    print_montecarlo(p, run);
  };
}

}  // namespace cli
