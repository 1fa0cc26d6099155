// What every Monte Carlo command shares: its seed, draws and threads from the command's options (--draws,
// --seed, --threads), progress from the front end, and how they are recorded (run log and output).
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
  // {"draws", "seed"}: put in every result so that it can be repeated. Threads and ranks stay out of the
  // output (it must be byte-identical for any of them); they are in log_record(), for the run log.
  nlohmann::json record() const;
  // record() with the threads and MPI ranks the draws ran on: for the run log's summary.
  nlohmann::json log_record() const;
};

// Reads --draws (default: the option's), --seed (default: a new one, the same on every rank; the registry
// draws it before the run is logged) and --threads; `progress` is the front end's (a bar on stderr).
// Commands without --draws (sensitivity) get draws = 0 and set run.draws themselves.
MonteCarloSetup montecarlo_setup(const Params& p, std::string label, bool progress);

}  // namespace panocarbon
