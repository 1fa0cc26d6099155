#include "panocarbon/montecarlo.hpp"

#include "panocarbon/uncertainty.hpp"

namespace panocarbon {

nlohmann::json MonteCarloSetup::record() const {
  // Not the threads or ranks: the output must be the same bytes for any of them (they are in the run log).
  return {{"draws", run.draws}, {"seed", seed}};
}

nlohmann::json MonteCarloSetup::log_record() const {
  nlohmann::json j = record();
  j["threads"] = parallel::thread_count(run.threads);
  j["ranks"] = parallel::size();
  return j;
}

MonteCarloSetup montecarlo_setup(const Params& p, std::string label, bool progress) {
  MonteCarloSetup s;
  s.seed_given = p.has("seed");
  s.seed = parallel::choose_seed(s.seed_given, s.seed_given ? static_cast<uint64_t>(p.integer("seed")) : 0);
  s.run.draws = p.has("draws") ? static_cast<uint64_t>(p.integer("draws")) : 0;
  unc::check_draw_count(s.run.draws, "draws");
  s.run.threads = p.has("threads") ? static_cast<int>(p.integer("threads")) : 0;
  s.run.progress = progress;
  s.run.label = std::move(label);
  return s;
}

}  // namespace panocarbon
