// Consumption side: environmentally extended multi-regional input-output analysis (EE-MRIO).
//
// Notation (Miller & Blair 2009, ch. 2 and 10; pymrio's iomath): n = regions x sectors; Z (n x n) inter-
// industry flows, Y (n x regions*categories) final demand, x = Z1 + Y1 gross output, A = Z x^-1 technical
// coefficients, L = (I - A)^-1 the Leontief inverse, F (k x n) stressors of industries, F_Y (k x
// regions*categories) stressors emitted directly by final demand (households' own fuel use), S = F x^-1
// intensities, M = S L multipliers. L is never formed unless asked for: every product with L is a solve
// with one factorisation of I - A (see linalg/leontief.hpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "panocarbon/matrix.hpp"

namespace panocarbon {

struct MrioExtension {
  std::string name;                    // "emissions", "satellite", "co2"
  std::vector<std::string> stressors;  // index labels joined with '|': "emission_type1|air"
  std::vector<std::string> units;      // one per stressor ("kt", "kg", "" when the file gives none)
  DenseMatrix F;                       // stressors x sectors
  DenseMatrix F_Y;                     // stressors x final-demand columns; empty when not given
};

// One MRIO system as read from a file set. Sector k belongs to region k / sectors.size() and is sector
// k % sectors.size() of it (every supported format uses this region-major product layout).
struct MrioSystem {
  std::string name;    // from metadata, else the folder's name
  std::string format;  // "pymrio", "exiobase3", "eora26", "oecd-icio", "useeio"
  std::string source;  // the path it was read from
  std::string monetary_unit;
  std::vector<std::string> regions;
  std::vector<std::string> sectors;        // per region
  std::vector<std::string> fd_categories;  // per region
  // Exactly one of these is given by the files: flows Z or coefficients A. read_mrio() always fills A
  // (dividing Z by x) and x, and empties Z, so that only one n x n matrix is held in memory.
  SparseRows A;
  std::vector<double> x;         // gross output: given, or Z1 + Y1; empty when only A is given (derive it
                                 // with ensure_gross_output(); compute_accounts does it from its factorisation)
  bool x_given = false;          // x came from the files (then Z1 + Y1 may differ from it by rounding)
  DenseMatrix Y;                 // n x (regions * categories)
  std::vector<double> population;  // per region; empty when not given
  std::vector<MrioExtension> extensions;
  nlohmann::json provenance;     // files read, their sizes and SHA-256, metadata.json

  size_t n() const { return regions.size() * sectors.size(); }
  size_t n_regions() const { return regions.size(); }
  size_t n_sectors() const { return sectors.size(); }
  size_t n_categories() const { return fd_categories.size(); }
};

struct ReadOptions {
  bool progress = false;       // draw a progress bar on stderr (the CLI sets it when stderr is a terminal)
  int threads = 0;             // parser threads; 0 = all cores
  bool with_extensions = true;
};

// Reads a system from PATH: a pymrio text folder or a .zip of one (also the EXIOBASE 3 downloads), an
// Eora26 folder, an OECD ICIO CSV file, or a USEEIO API JSON folder; the format is recognised from the
// files. Throws Error{InvalidInput} naming the file, line and label of ragged rows, non-numeric cells,
// labels that disagree between files and negative gross output.
MrioSystem read_mrio(const std::string& path, const ReadOptions& options = {});

// Writes a sector x sector matrix (column-major, e.g. L) as a pymrio-layout table (L.txt).
void write_sector_matrix(const MrioSystem& system, const std::vector<double>& column_major, const std::string& path);

// Fills x = (I - A)^-1 y when it is empty (coefficient form without x); checks x >= 0.
void ensure_gross_output(MrioSystem& system);

// Writes the system in pymrio's text layout (Z, Y, x, unit, population, one folder per extension); returns the
// files written, relative to the folder.
std::vector<std::string> write_mrio_pymrio(const MrioSystem& system, const std::string& folder);

// --- Solving -------------------------------------------------------------------------------------------

enum class SolverChoice { Auto, Dense, Mixed, Sparse, Iterative };

struct SolveReport {
  std::string solver;       // "dense LU (LAPACK dgetrf, OpenBLAS)", "sparse LU (UMFPACK)", ...
  std::string why;          // why auto picked it
  size_t n = 0, nnz = 0;
  double factorise_s = 0, solve_s = 0;
  int iterations = 0;       // iterative solver: iterations; mixed precision: refinement steps
  double max_residual = 0;  // max over right-hand sides of ||(I-A)x - y|| / ||y||
  double identity_gap = 0;  // max over stressors of |sum consumption - sum production| / sum |production|
  double output_balance = 0;  // x given: max |(I-A)x - y|_i / x_i, how far the given x is from Z1 + Y1
};

// --- Accounts ------------------------------------------------------------------------------------------

struct RegionAccount {
  double production = 0;   // D_pba_reg: S (L y) over the region's industries + its F_Y
  double consumption = 0;  // D_cba_reg: S L y_r (embodied in its final demand) + its F_Y
  double imports = 0;      // D_imp_reg: the part of S L y_r emitted in other regions
  double exports = 0;      // D_exp_reg: emitted in the region for other regions' final demand
  double direct_fd = 0;    // F_Y of the region (included in production and consumption)
  double income = 0;       // income-based (Ghosh): enabled by the region's primary inputs v, + its F_Y
  double shared = 0;       // w * consumption + (1 - w) * production
  double eebt_consumption = 0;  // EEBT: domestic final demand + imports at the exporters' domestic intensities
  double eebt_exports = 0;
  std::optional<double> consumption_per_capita, production_per_capita;
  double net_transfer() const { return imports - exports; }  // = consumption - production
};

struct StressorAccounts {
  std::string extension, stressor, unit;
  std::vector<RegionAccount> regions;  // in MrioSystem::regions order
  DenseMatrix bilateral;               // regions x regions: emitted in row region for column's final demand
  DenseMatrix eebt;                    // regions x regions: EEBT flows (domestic intensities x trade)
  std::vector<double> multipliers;     // M row: per sector, stressor per monetary unit of final demand
  std::vector<double> intensities;     // S row: per sector, stressor per monetary unit of gross output (F x^-1)
};

struct AccountsOptions {
  SolverChoice solver = SolverChoice::Auto;
  std::vector<std::string> extensions;  // empty = all
  std::vector<std::string> stressors;   // empty = all; matched exactly or by the part before '|'
  std::optional<std::string> gwp;       // add a characterised "GHG (CO2e, SET)" stressor per extension
  double shared_weight = 0.5;           // consumer's share in the shared-responsibility account
  bool eebt = true;
  bool income = true;
  bool leontief = false;  // also form L = (I - A)^-1 from the same factorisation (n^2 memory; only on request)
  bool progress = false;  // say on stderr when the factorisation starts and how long it took (terminals)
};

struct MrioAccounts {
  SolveReport report;
  std::vector<StressorAccounts> stressors;
  std::vector<std::string> notes;  // what was characterised, which stressors had no GWP, ...
  std::vector<double> L;           // n x n, column-major, when AccountsOptions::leontief
  DenseMatrix output_by_region;    // n x regions: X = L y_r, the gross output region r's final demand requires
                                   // (pymrio's x_diag summed per region; the accounts are S times its columns)
};

// Computes every account for the selected stressors with one factorisation of I - A. Consumes
// system.A's storage only through copies; the system stays usable.
MrioAccounts compute_accounts(const MrioSystem& system, const AccountsOptions& options = {});

// --- Structural path analysis ----------------------------------------------------------------------------

struct SupplyChainPath {
  std::vector<size_t> sectors;  // from the sector delivering final demand upstream to the emitting sector
  double value = 0;             // s_i0 A_i0,i1 ... A_i(m-1),im y_im
  double share = 0;             // of the region's consumption-based total (without F_Y)
};

struct SpaResult {
  double total = 0;  // S L y_r: what all paths sum to
  std::vector<SupplyChainPath> paths;  // largest first
  size_t expanded = 0;                 // tree nodes visited
  double covered = 0;                  // sum of the listed paths / total
};

// Top-k paths of stressor `stressor_row` of extension `ext` for region `region`'s final demand: a
// best-first search of the supply tree, pruning subtrees whose whole upstream total (m_i times the flow
// into node i) is below threshold * total; max_depth bounds path length. One factorisation gives m (and x
// when the system has only A).
SpaResult structural_paths(const MrioSystem& system, size_t ext, size_t stressor_row, size_t region,
                           size_t top_k, double threshold, size_t max_depth);

// --- Aggregation ---------------------------------------------------------------------------------------

// Aggregates regions and sectors by concordance (old label -> new label; an empty map keeps them).
// Flows (Z = A x, Y, x, F, F_Y, population) are summed; totals are checked to be preserved to 1e-9.
MrioSystem aggregate_mrio(const MrioSystem& system, const std::vector<std::pair<std::string, std::string>>& region_map,
                          const std::vector<std::pair<std::string, std::string>>& sector_map);

}  // namespace panocarbon
