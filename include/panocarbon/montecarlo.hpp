// What every Monte Carlo command shares: its seed, draws, threads and progress from the command's options
// (--draws, --seed, --threads, --progress), and how they are recorded (run log and output).
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "panocarbon/options.hpp"
#include "panocarbon/parallel.hpp"

namespace panocarbon {

struct MonteCarloSetup {
  uint64_t seed = 0;
  bool seed_given = false;
  parallel::RunOptions run;
  // The options as given, plus the seed actually used and the ranks: pass to Store::begin_run as params.
  nlohmann::json params;
  // {"draws", "seed"}: put in every result so that it can be repeated. Threads and ranks stay out of the
  // output (it must be byte-identical for any of them); they are in `params`, for the run log.
  nlohmann::json record() const;
};

// Reads --draws (default: the option's), --seed (default: a new one, the same on every rank), --threads
// and --progress (default: progress_default, e.g. stderr is a terminal). Commands without --draws
// (sensitivity) get draws = 0 and set run.draws themselves.
MonteCarloSetup montecarlo_setup(const Params& p, std::string label, bool progress_default);

}  // namespace panocarbon
