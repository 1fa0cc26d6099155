// `sensitivity sobol|morris MODEL`: load the model file, run the analysis over threads and MPI ranks, and write
// the indices (table, csv, json; no timings, threads or ranks in the output). The registry logs the run.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cmath>
#include <filesystem>
#include <ostream>

#include "panocarbon/error.hpp"
#include "panocarbon/factors.hpp"
#include "panocarbon/format.hpp"
#include "panocarbon/registry.hpp"
#include "panocarbon/sensitivity_models.hpp"
#include "panocarbon/store.hpp"

namespace panocarbon::sens {

namespace {

template <class F>
SensitivityRun run_analysis(Context& ctx, const Params& p, const std::string& method, F&& analyse) {
  SensitivityRun out;
  out.method = method;
  out.model_file = p.str("model");
  out.setup = montecarlo_setup(p, method == "sobol" ? "Sobol model runs" : "Morris model runs", ctx.progress);
  const std::string text = ctx.text(p, "model");
  const FactorLibrary library = ctx.has_store() ? ctx.store().load_factor_library() : FactorLibrary::builtin();
  ModelContext mc;
  mc.library = &library;
  mc.store = ctx.has_store() ? &ctx.store() : nullptr;
  LoadedModel loaded = parse_model(text, out.model_file, std::filesystem::path(out.model_file).parent_path(), mc);
  for (size_t i = 1; i < loaded.inputs.size(); ++i) ctx.add_input(loaded.inputs[i]);  // the model's data files
  out.model_kind = loaded.model->kind();
  out.output = loaded.model->output();
  out.unit = loaded.model->unit();
  try {
    out.summary = analyse(*loaded.model, out);
  } catch (const Error& e) {
    throw e.with_context(ErrorContext{out.model_file});  // a model output that overflows names the model's file
  }
  return out;
}

std::string num(double v) { return std::isnan(v) ? std::string() : fmt::format("{}", v); }

// The run log's summary: the result, and how long its model runs took on how many threads and ranks.
nlohmann::json run_summary(const SensitivityRun& run, double seconds, uint64_t runs) {
  nlohmann::json summary = sensitivity_json(run);
  summary["seconds"] = seconds;
  summary["model_runs_per_s"] = seconds > 0 ? double(runs) / seconds : 0.0;
  summary["threads"] = parallel::thread_count(run.setup.run.threads);
  summary["ranks"] = parallel::size();
  return summary;
}

}  // namespace

SensitivityRun sensitivity_sobol(Context& ctx, const Params& p) {
  return run_analysis(ctx, p, "sobol", [&](const Model& model, SensitivityRun& run) {
    SobolOptions o;
    o.samples = static_cast<uint64_t>(p.integer("draws"));
    o.bootstrap = static_cast<uint64_t>(p.integer("bootstrap"));
    o.seed = run.setup.seed;
    o.run = run.setup.run;
    run.setup.run.draws = o.samples * (model.parameters().size() + 2);
    run.sobol = sobol(model, o);
    return run_summary(run, run.sobol.seconds, run.sobol.runs);
  });
}

SensitivityRun sensitivity_morris(Context& ctx, const Params& p) {
  return run_analysis(ctx, p, "morris", [&](const Model& model, SensitivityRun& run) {
    MorrisOptions o;
    o.trajectories = static_cast<uint64_t>(p.integer("trajectories"));
    o.levels = static_cast<int>(p.integer("levels"));
    o.seed = run.setup.seed;
    o.run = run.setup.run;
    run.setup.run.draws = o.trajectories * (model.parameters().size() + 1);
    run.morris = morris(model, o);
    return run_summary(run, run.morris.seconds, run.morris.runs);
  });
}

nlohmann::json sensitivity_json(const SensitivityRun& run) {
  auto jnum = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  nlohmann::json j = {{"method", run.method}, {"model", run.model_file}, {"model_kind", run.model_kind},
                      {"output", run.output}, {"unit", run.unit}};
  j.update(run.setup.record());  // draws (= model runs) and seed
  auto rows = nlohmann::json::array();
  if (run.method == "sobol") {
    const auto& s = run.sobol;
    j["model_runs"] = s.runs;
    j["samples"] = s.samples;
    j["bootstrap"] = s.bootstrap;
    j["confidence"] = s.confidence;
    j["output_mean"] = s.mean;
    j["output_variance"] = s.variance;
    for (const auto& i : s.indices)
      rows.push_back({{"parameter", i.parameter}, {"S1", jnum(i.S1)}, {"S1_low", jnum(i.S1_low)},
                      {"S1_high", jnum(i.S1_high)}, {"ST", jnum(i.ST)}, {"ST_low", jnum(i.ST_low)},
                      {"ST_high", jnum(i.ST_high)}});
  } else {
    const auto& m = run.morris;
    j["model_runs"] = m.runs;
    j["trajectories"] = m.trajectories;
    j["levels"] = m.levels;
    j["delta"] = m.delta;
    for (const auto& i : m.indices)
      rows.push_back({{"parameter", i.parameter}, {"mu", i.mu}, {"mu_star", i.mu_star}, {"sigma", i.sigma}});
  }
  j["indices"] = rows;
  return j;
}

void write_sensitivity(std::ostream& out, const SensitivityRun& run, std::string_view format) {
  const bool csv = format == "csv";
  if (run.method == "sobol") {
    const auto& s = run.sobol;
    if (csv) {
      out << "parameter,S1,S1_low,S1_high,ST,ST_low,ST_high\n";
      for (const auto& i : s.indices)
        fmt::print(out, "{},{},{},{},{},{},{}\n", csv_field(i.parameter), num(i.S1), num(i.S1_low), num(i.S1_high),
                   num(i.ST), num(i.ST_low), num(i.ST_high));
      return;
    }
    fmt::print(out, "Sobol indices of {} ({} model, output {}{}): N = {}, {} model runs, seed {}\n", run.model_file,
               run.model_kind, run.output, run.unit.empty() ? "" : " in " + run.unit, s.samples, s.runs,
               run.setup.seed);
    fmt::print(out, "output mean {:.6g}, variance {:.6g}; {:.0f} % intervals from {} bootstrap resamples\n", s.mean,
               s.variance, s.confidence * 100, s.bootstrap);
    fmt::print(out, "{:<24} {:>8} {:>19} {:>8} {:>19}\n", "parameter", "S1", "interval", "ST", "interval");
    auto iv = [](double l, double h) {
      return std::isnan(l) ? std::string() : fmt::format("[{:.4f}, {:.4f}]", l, h);
    };
    for (const auto& i : s.indices)
      fmt::print(out, "{:<24} {:>8.4f} {:>19} {:>8.4f} {:>19}\n", i.parameter, i.S1, iv(i.S1_low, i.S1_high), i.ST,
                 iv(i.ST_low, i.ST_high));
    return;
  }
  const auto& m = run.morris;
  if (csv) {
    out << "parameter,mu,mu_star,sigma,unit\n";  // the effects are in the output's unit
    for (const auto& i : m.indices)
      fmt::print(out, "{},{},{},{},{}\n", csv_field(i.parameter), num(i.mu), num(i.mu_star), num(i.sigma),
                 csv_field(run.unit));
    return;
  }
  fmt::print(out, "Morris elementary effects of {} ({} model, output {}{}): r = {}, p = {}, delta = {:.4g}, {} model "
                  "runs, seed {}\n",
             run.model_file, run.model_kind, run.output, run.unit.empty() ? "" : " in " + run.unit, m.trajectories,
             m.levels, m.delta, m.runs, run.setup.seed);
  fmt::print(out, "{:<24} {:>14} {:>14} {:>14}\n", "parameter", "mu", "mu*", "sigma");
  for (const auto& i : m.indices)
    fmt::print(out, "{:<24} {:>14.6g} {:>14.6g} {:>14.6g}\n", i.parameter, i.mu, i.mu_star, i.sigma);
}

}  // namespace panocarbon::sens
