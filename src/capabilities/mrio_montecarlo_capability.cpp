// Capability of `mrio montecarlo`: read, draw, log the run (nothing else is stored).
#include <chrono>
#include <filesystem>

#include "panocarbon/capabilities.hpp"
#include "panocarbon/error.hpp"
#include "panocarbon/montecarlo.hpp"
#include "panocarbon/mrio_montecarlo.hpp"
#include "panocarbon/run_log.hpp"

namespace panocarbon {

MrioMonteCarloRun mrio_montecarlo_run(Store& store, const Params& p, bool progress) {
  MrioMonteCarloRun out;
  const std::string path = p.str("path");
  if (!std::filesystem::exists(path))
    throw Error(ErrorCategory::NotFound,
                "does not exist: give an MRIO folder, a .zip of one, an OECD ICIO CSV or a USEEIO folder", {path});
  const MonteCarloSetup setup = montecarlo_setup(p, "draws", progress);
  const MrioFiles files = mrio_fingerprint(path);
  const nlohmann::json inputs =
      nlohmann::json::array({{{"path", path}, {"fingerprint", files.sha256}, {"bytes", files.bytes}}});
  out.run_id = store.begin_run("mrio montecarlo", inputs, setup.params);
  out.record = setup.record();
  logged(store, out.run_id, [&] {
    MrioMonteCarloOptions o;
    if (p.has("extension")) o.extensions = p.strs("extension");
    if (p.has("stressor")) o.stressors = p.strs("stressor");
    if (p.has("gwp")) o.gwp = p.str("gwp");
    o.rse_z = p.number("rse-z");
    o.rse_y = p.number("rse-y");
    o.rse_f = p.number("rse-f");
    o.rse_model = p.str("rse-model") == "lenzen" ? RseModel::Lenzen : RseModel::Constant;
    o.lognormal = p.str("distribution") != "normal";
    const std::string solve = p.has("solve") ? p.str("solve") : "auto";
    o.solve = solve == "refine"      ? MrioMonteCarloOptions::Solve::Refine
              : solve == "factorise" ? MrioMonteCarloOptions::Solve::Factorise
                                     : MrioMonteCarloOptions::Solve::Auto;
    o.seed = setup.seed;
    o.run = setup.run;
    const auto t0 = std::chrono::steady_clock::now();
    ReadOptions ro;
    ro.progress = progress;
    out.system = read_mrio(path, ro);
    out.read_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.result = mrio_montecarlo(out.system, o);
    return 0;
  });
  const auto& r = out.result;
  store.finish_run(out.run_id, "ok",
                   {{"draws", r.draws}, {"seed", setup.seed}, {"perturbed", r.perturbed}, {"solve", r.solve},
                    {"mean_iterations", r.mean_iterations}, {"max_iterations", r.max_iterations},
                    {"fallbacks", r.fallbacks}, {"read_s", out.read_s}, {"setup_s", r.setup_seconds},
                    {"draws_s", r.seconds}, {"draws_cpu_s", r.cpu_seconds}, {"draws_per_s", r.seconds > 0 ? double(r.draws) / r.seconds : 0.0}});
  return out;
}

}  // namespace panocarbon
