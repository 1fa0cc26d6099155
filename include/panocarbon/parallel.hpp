// Parallel draws: threads on one machine and MPI ranks across machines, with results that do not depend
// on either. A run of N draws is split into one contiguous block per rank (draws [N·r/K, N·(r+1)/K)), each
// block into chunks taken by the rank's threads; draw k writes only row k of the result, and every rank
// receives the whole result (MPI_Allgatherv) in draw order. Summaries are then computed from the same
// array in the same order on every rank, so `mpirun -np K panocarbon ... --seed S` writes the same bytes
// for any K and any --threads.
//
// MPI is used when the binary was built with it (Debian's OpenMPI) and started by mpirun (the launcher's
// environment says so); otherwise the process is the only rank. Only rank 0 writes to standard output
// and to the store's run log (the CLI sends other ranks' standard output to /dev/null).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace panocarbon::parallel {

// Called once by main() before anything else and at exit. Harmless without MPI. init() also stops OpenBLAS's idle
// worker threads (they spin at start; a later BLAS call starts them again).
void init(int* argc, char*** argv);
void finalize();
bool mpi_enabled();  // built with MPI and started by a launcher with more than zero ranks
int rank();
int size();
inline bool is_root() { return rank() == 0; }
void barrier();
// Rank 0's value on every rank.
uint64_t broadcast(uint64_t value);
// Stops every rank (a rank failed alone); without MPI: std::exit(code).
[[noreturn]] void abort_all(int code);
// Threads to use: `requested` (> 0), else $PANOCARBON_THREADS, else the machine's cores.
int thread_count(int requested);

// The first draw of rank r's block of n draws, and one past its last.
struct Block {
  uint64_t begin = 0, end = 0;
};
Block block_of(uint64_t n, int rank, int size);

// A model evaluated draw by draw. One Worker per thread keeps its scratch (vectors, a factorisation);
// run() fills out[0 .. outputs) for draw `draw` and must depend only on the draw number (and the seed the
// model was built with).
class Worker {
 public:
  virtual ~Worker() = default;
  virtual void run(uint64_t draw, double* out) = 0;
};
using WorkerFactory = std::function<std::unique_ptr<Worker>()>;

struct RunOptions {
  uint64_t draws = 1000;
  int threads = 0;        // 0 = thread_count(0)
  bool progress = false;  // a progress bar with draws/s on stderr (rank 0 only)
  std::string label = "draws";
  std::string unit = "draws";  // of the progress bar's rate (draws/s, years/s)
  size_t chunk = 0;       // draws per chunk a thread takes (0 = automatic)
};

// Results of a run: row k = draw k, `outputs` values per row.
struct Draws {
  size_t outputs = 0;
  uint64_t draws = 0;
  std::vector<double> values;  // draw-major: values[k * outputs + o]
  double seconds = 0;          // wall time of the draws (this rank, without the gathering)
  double at(uint64_t k, size_t o) const { return values[k * outputs + o]; }
  std::vector<double> column(size_t o) const;  // output o of every draw, in draw order
};

// Runs draws [0, options.draws) of the model over this process's threads and the MPI ranks; every rank
// returns the whole result. A Worker's exception (an Error) stops the run and is rethrown on the rank
// that raised it (the CLI then stops every rank).
Draws run_draws(size_t outputs, const RunOptions& options, const WorkerFactory& factory);

// A seed for a run: `given` when the user gave one, else one from the system's entropy, the same on every
// rank (rank 0's). Always record it (the run log, the output) so the run can be repeated.
// `given` is false when the user gave none.
uint64_t choose_seed(bool given, uint64_t value);

// OpenBLAS on one thread while our own threads (draws, years) call LAPACK each, restored when the scope ends
// (or throws): no oversubscription, and the same bits whatever the number of threads.
class OneBlasThread {
 public:
  OneBlasThread();
  ~OneBlasThread();
  OneBlasThread(const OneBlasThread&) = delete;
  OneBlasThread& operator=(const OneBlasThread&) = delete;

 private:
  int saved_;
};

}  // namespace panocarbon::parallel
