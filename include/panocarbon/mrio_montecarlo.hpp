// Monte Carlo uncertainty of the regional MRIO accounts (`panocarbon mrio montecarlo`), after Lenzen, Wood
// & Wiedmann (2010), Economic Systems Research 22(1):43-63: every non-zero cell of Z (or A when only A is
// known), Y and the selected stressor rows of F and F_Y is drawn independently around its value with a
// relative standard error (RSE); each draw recomputes x, A, S and the production, consumption, import and
// export accounts of every region. See docs/uncertainty-mrio.md for the equations.
//
// Reproducibility: cell c of block b (Z, A, Y, F and F_Y of one stressor) has the parameter id
// parameter_id("mrio:<b>") + c, c its row-major index in the full (dense) block, so its draws depend only
// on (seed, cell, draw): not on the thread, MPI rank, the other cells or which stressors are listed.
//
// Reuse: I - A is factorised once. Each draw solves (I - A') X = Y' by the iteration
// X <- X + (I - A)^-1 (Y' - (I - A') X) (preconditioned Richardson, from X = (I - A)^-1 Y'), which converges
// at a rate of about ||(I - A)^-1 (A' - A)||, i.e. fast for moderate RSEs; a draw that has not converged in
// max_iterations factorises its own I - A' (counted in `fallbacks`).
#pragma once
#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/mrio.hpp"
#include "panocarbon/options.hpp"
#include "panocarbon/parallel.hpp"
#include "panocarbon/store.hpp"
#include "panocarbon/uncertainty.hpp"

namespace panocarbon {

class Context;

enum class RseModel {
  Constant,  // every cell of a block has the block's RSE
  Lenzen     // RSE falls with cell size: rse(v) = rse_b * sqrt(median_b / |v|), clamped to [rse_b/10, 10 rse_b]
};

// The RSE of a cell of size |v| in a block whose non-zero cells have the median size `median`, for the
// block RSE `rse` (the RSE of a median cell). Constant: rse.
double cell_rse(RseModel model, double rse, double v, double median);

struct MrioMonteCarloOptions {
  std::vector<std::string> extensions;  // empty = all
  std::vector<std::string> stressors;   // empty = all; as AccountsOptions::stressors
  std::optional<std::string> gwp;       // also the characterised "GHG (CO2e, SET)" row (from the drawn gases)
  double rse_z = 0.1, rse_y = 0.1, rse_f = 0.1;
  RseModel rse_model = RseModel::Constant;
  bool lognormal = true;  // else normal (may change signs)
  uint64_t seed = 0;
  parallel::RunOptions run;
  // How each draw solves (I - A') X = Y'_reg: Refine reuses the factorisation of I - A (preconditioned
  // iteration); Factorise factorises I - A' (the reference); Auto runs draw 0 with Refine and keeps it when
  // its iterations cost fewer flops than a dense factorisation (a deterministic choice: draw 0 is a pure
  // function of the seed), else Factorise.
  enum class Solve { Auto, Refine, Factorise } solve = Solve::Auto;
  int max_iterations = 40;   // of the preconditioned iteration before a draw factorises its own I - A'
  double tolerance = 1e-12;  // relative residual ||Y' - (I - A') X|| / ||Y'|| per column
};

// The four accounts of a region (RegionAccount's production, consumption, imports, exports).
constexpr std::array<const char*, 4> kMrioMcAccounts = {"production", "consumption", "imports", "exports"};

struct MrioAccountUncertainty {
  double deterministic = 0;  // compute_accounts() (`mrio accounts`) on the unperturbed system
  unc::Summary summary;      // of the draws
};

struct MrioMonteCarloStressor {
  std::string extension, stressor, unit;
  std::vector<std::array<MrioAccountUncertainty, 4>> regions;  // MrioSystem::regions x kMrioMcAccounts
};

struct MrioMonteCarloResult {
  std::vector<MrioMonteCarloStressor> stressors;
  std::vector<std::string> notes;
  std::string perturbed;  // "Z" (x known: flows, rebalanced per draw) or "A" (coefficients only)
  size_t cells_z = 0, cells_y = 0, cells_f = 0;  // non-zero cells drawn per draw (F includes F_Y)
  std::string solver;     // the factorisation shared by the draws
  std::string solve;      // "refine" or "factorise" (what Auto chose)
  double mean_iterations = 0;  // preconditioned iterations per draw (0 with refactorise)
  int max_iterations = 0;
  uint64_t fallbacks = 0;  // draws that factorised their own I - A'
  // Flow form: sectors (summed over draws) whose drawn uses Z'1 + Y'1 were not positive, so kept their
  // given output in that draw, and the draws with at least one.
  uint64_t kept_outputs = 0, draws_with_kept_outputs = 0;
  uint64_t draws = 0;
  double seconds = 0;      // wall time of the draws on this rank (not in the output: it varies)
  double cpu_seconds = 0;  // CPU time of the draws on this rank, summed over its threads
  double setup_seconds = 0;
};

// Runs the Monte Carlo on `system` as read by read_mrio(). Throws Error{InvalidInput} for RSEs that are
// negative or not finite (naming rse-z, rse-y or rse-f), the errors of compute_accounts() for unknown
// extensions and stressors, and Error{Data} naming the draw and sector when, in the coefficient form, a
// draw gives a negative gross output (normal cells with a large RSE), or I - A' is singular.
MrioMonteCarloResult mrio_montecarlo(const MrioSystem& system, const MrioMonteCarloOptions& options);

// --- capability -------------------------------------------------------------------------------------------

struct MrioMonteCarloRun {
  MrioSystem system;
  MrioMonteCarloResult result;
  MrioMonteCarloOptions options;
  nlohmann::json record;   // MonteCarloSetup::record(): {"draws", "seed"}
  nlohmann::json summary;  // for the run log: draws, seed, solver, fallbacks, timings, threads and ranks
  std::string rse_model, distribution;  // as given (--rse-model, --distribution)
  double read_s = 0;
};

// `mrio montecarlo`: reads the system (ctx.path of --path) and runs the draws over threads and MPI ranks.
// Stores nothing; the registry logs the run.
MrioMonteCarloRun mrio_montecarlo_run(Context& ctx, const Params& params);
// The result as JSON (system, montecarlo record, model, solver, notes, stressors by region and account),
// byte-stable for a seed: no timings, threads or ranks.
nlohmann::json mrio_montecarlo_json(const MrioMonteCarloRun& run);
// "csv" (extension,stressor,unit,region,account,deterministic,mean,sd,median,p2_5,p97_5) or "table".
void write_mrio_montecarlo(std::ostream& out, const MrioMonteCarloRun& run, std::string_view format);
// The solver, iterations, fallbacks and draws/s on how many ranks and threads (for --verbose).
std::string mrio_montecarlo_diagnostics(const MrioMonteCarloRun& run);

}  // namespace panocarbon
