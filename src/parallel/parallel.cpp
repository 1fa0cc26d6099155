// Threads and MPI ranks for draws (see panocarbon/parallel.hpp).
#include "panocarbon/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#ifdef PANOCARBON_HAVE_MPI
#include <mpi.h>
#endif

#include "core/progress.hpp"
#include "panocarbon/error.hpp"

extern "C" {
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
// OpenBLAS (pthreads build): stops its worker threads; the next multi-threaded BLAS call starts them again. Weak:
// absent from other BLAS libraries.
[[gnu::weak]] void blas_thread_shutdown_(void);
}

namespace panocarbon::parallel {

OneBlasThread::OneBlasThread() : saved_(openblas_get_num_threads()) { openblas_set_num_threads(1); }
OneBlasThread::~OneBlasThread() { openblas_set_num_threads(saved_); }


namespace {
int g_rank = 0, g_size = 1;
bool g_mpi = false;

// Started by a launcher: Open MPI's mpirun, PMIx, Hydra (MPICH) or Slurm's PMI.
[[maybe_unused]] bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}
}  // namespace

void init(int* argc, char*** argv) {
  // OpenBLAS starts its worker threads when the library loads and lets them spin (sched_yield) for about 2^28
  // cycles waiting for work: on a small machine that spin takes a core from the first draws of every command.
  // Stopped here, before any thread of ours exists; commands that call LAPACK start them again on first use.
  if (blas_thread_shutdown_) blas_thread_shutdown_();
#ifdef PANOCARBON_HAVE_MPI
  if (!launched_by_mpirun()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_mpi = true;
#else
  (void)argc;
  (void)argv;
#endif
}

void finalize() {
#ifdef PANOCARBON_HAVE_MPI
  if (g_mpi) {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
#endif
  g_mpi = false;
}

bool mpi_enabled() { return g_mpi; }
int rank() { return g_rank; }
int size() { return g_size; }

void barrier() {
#ifdef PANOCARBON_HAVE_MPI
  if (g_mpi) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

uint64_t broadcast(uint64_t value) {
#ifdef PANOCARBON_HAVE_MPI
  if (g_mpi) {
    unsigned long long v = value;
    MPI_Bcast(&v, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    return v;
  }
#endif
  return value;
}

void abort_all(int code) {
#ifdef PANOCARBON_HAVE_MPI
  if (g_mpi && g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

int thread_count(int requested) {
  if (requested > 0) return requested;
  if (const char* env = std::getenv("PANOCARBON_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

Block block_of(uint64_t n, int r, int k) {
  // n·r/k: exact while n·k < 2^64 (the CLI allows at most 1e10 draws)
  auto at = [&](int i) { return n * uint64_t(unsigned(i)) / uint64_t(unsigned(k)); };
  return {at(r), at(r + 1)};
}

std::vector<double> Draws::column(size_t o) const {
  std::vector<double> c(draws);
  for (uint64_t k = 0; k < draws; ++k) c[k] = values[k * outputs + o];
  return c;
}

Draws run_draws(size_t outputs, const RunOptions& options, const WorkerFactory& factory) {
  Draws result;
  result.outputs = outputs;
  result.draws = options.draws;
  result.values.assign(options.draws * outputs, 0.0);
  const Block mine = block_of(options.draws, g_rank, g_size);
  const uint64_t count = mine.end - mine.begin;
  const int threads = static_cast<int>(std::min<uint64_t>(std::max<uint64_t>(count, 1), uint64_t(thread_count(options.threads))));
  const uint64_t chunk = options.chunk ? options.chunk : std::clamp<uint64_t>(count / (uint64_t(threads) * 16), 1, 1024);

  std::atomic<uint64_t> next{mine.begin}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto t0 = std::chrono::steady_clock::now();
  Progress progress(options.label, count, options.progress && g_rank == 0, options.unit, 1.0);
  auto body = [&] {
    try {
      auto worker = factory();
      for (;;) {
        if (failed.load(std::memory_order_relaxed)) return;
        const uint64_t b = next.fetch_add(chunk);
        if (b >= mine.end) return;
        const uint64_t e = std::min(mine.end, b + chunk);
        for (uint64_t k = b; k < e; ++k) worker->run(k, result.values.data() + k * outputs);
        const uint64_t now_done = done.fetch_add(e - b) + (e - b);
        // one thread reports itself; several leave drawing to the reporter below, and all stop when cancelled
        if (threads == 1) progress.update(now_done);
        else progress.check_cancelled();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(body);
  if (threads > 1 && progress.watched() && g_rank == 0) {
    // the calling thread reports progress while the others work, then joins in
    std::thread reporter([&] {
      try {
        while (done.load() < count && !failed.load()) {
          progress.update(done.load());
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    });
    body();
    for (auto& t : pool) t.join();
    reporter.join();
  } else {
    body();
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  progress.update(count);
  progress.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

#ifdef PANOCARBON_HAVE_MPI
  if (g_mpi && g_size > 1) {
    std::vector<int> counts(static_cast<size_t>(g_size)), displs(static_cast<size_t>(g_size));
    for (int r = 0; r < g_size; ++r) {
      const Block b = block_of(options.draws, r, g_size);
      const uint64_t c = (b.end - b.begin) * outputs, d = b.begin * outputs;
      if (c > uint64_t(INT32_MAX) || d > uint64_t(INT32_MAX))
        throw Error(ErrorCategory::InvalidInput,
                    fmt::format("{} draws x {} outputs is too large to gather over MPI in one message (2^31 values); "
                                "use fewer draws or outputs per run", options.draws, outputs));
      counts[size_t(r)] = int(c);
      displs[size_t(r)] = int(d);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, result.values.data(), counts.data(), displs.data(), MPI_DOUBLE,
                   MPI_COMM_WORLD);
  }
#endif
  return result;
}

uint64_t choose_seed(bool given, uint64_t value) {
  uint64_t seed = value;
  if (!given) {
    std::random_device rd;
    seed = (uint64_t(rd()) << 32 | rd()) & ((uint64_t(1) << 53) - 1);  // exact in JSON and in doubles
  }
  return broadcast(seed);
}

}  // namespace panocarbon::parallel
