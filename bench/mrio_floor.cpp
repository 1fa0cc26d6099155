// The floors of `mrio accounts` on this machine (bench/mrio_bench.py runs it and prints them next to the
// measured times; docs/benchmarks.md "MRIO at EXIOBASE size (issue 16)"). One JSON object on stdout:
//   read_s        the tables' bytes read from the page cache (read(2) into one 4 MB buffer)
//   parse_s       a bare std::from_chars over every cell of A.txt on `threads` threads (nothing stored):
//                 the floor of reading the text
//   stream_gbs    memory read bandwidth (sum of a 512 MB array on `threads` threads)
//   fma_gflops    peak double FMA rate of the widest vectors (independent chains on `threads` threads)
//   dgemm_gflops, sgemm_gflops  OpenBLAS at n = 2,000: the dense LU's floors are (2/3) n^3 / these rates
//   nnz           non-zeros of A (counted by the parse)
// Usage: panocarbon_mrio_floor DIR [threads]
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern "C" {
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
            const double*, const int*, const double*, double*, const int*);
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*, const float*, const int*,
            const float*, const int*, const float*, float*, const int*);
}

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

template <class F>
void on_threads(unsigned t, F&& f) {
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < t; ++w) pool.emplace_back([&f, w] { f(w); });
  f(0u);
  for (auto& th : pool) th.join();
}

// The lines of a file that start in [from, to), parsed cell by cell (two label columns, then numbers; the
// file's first two lines are headers); returns the non-zero count.
size_t parse_range(const std::string& path, size_t from, size_t to, double& sink) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  std::vector<char> buf(size_t(4) << 20);
  size_t off = from == 0 ? 0 : from - 1, nnz = 0;
  bool skip_partial = from != 0;  // the line before `from` (or ending at from - 1) belongs to another thread
  long line = 0;
  for (;;) {
    const ssize_t got = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(off));
    if (got <= 0) break;
    const char* b = buf.data();
    const char* e = b + got;
    const char* end = e;  // whole lines only (unless at the end of the file)
    if (got == static_cast<ssize_t>(buf.size()))
      while (end > b && end[-1] != '\n') --end;
    const char* p = b;
    if (skip_partial) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      p = nl ? nl + 1 : end;
      skip_partial = false;
    }
    bool done = false;
    while (p < end) {
      if (off + static_cast<size_t>(p - b) >= to) {
        done = true;
        break;
      }
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* le = nl ? nl : end;
      if (from > 0 || ++line > 2) {
        int col = 0;
        for (const char* c = p; c < le;) {
          const char* q = c;
          while (q < le && *q != '\t' && *q != '\r') ++q;
          if (col++ >= 2) {
            double v = 0;
            std::from_chars(c, q, v);
            sink += v;
            nnz += v != 0;
          }
          c = q + 1;
        }
      }
      p = le + 1;
    }
    if (done || got < static_cast<ssize_t>(buf.size()) || end == b) break;
    off += static_cast<size_t>(end - b);
  }
  ::close(fd);
  return nnz;
}

__attribute__((target("avx512f"))) double fma_avx512(long iters) {
  typedef double v8 __attribute__((vector_size(64)));
  v8 a[12], m = {1.0000001, 1.0000001, 1.0000001, 1.0000001, 1.0000001, 1.0000001, 1.0000001, 1.0000001};
  for (int i = 0; i < 12; ++i) a[i] = m * double(i);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < 12; ++i) a[i] = a[i] * m + m;
  double s = 0;
  for (int i = 0; i < 12; ++i) s += a[i][0];
  return s;
}

__attribute__((target("avx2,fma"))) double fma_avx2(long iters) {
  typedef double v4 __attribute__((vector_size(32)));
  v4 a[12], m = {1.0000001, 1.0000001, 1.0000001, 1.0000001};
  for (int i = 0; i < 12; ++i) a[i] = m * double(i);
  for (long it = 0; it < iters; ++it)
    for (int i = 0; i < 12; ++i) a[i] = a[i] * m + m;
  double s = 0;
  for (int i = 0; i < 12; ++i) s += a[i][0];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [threads]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : std::max(1u, std::thread::hardware_concurrency());
  namespace fs = std::filesystem;
  // read_s: every table, from the page cache.
  size_t bytes = 0;
  double t0 = now();
  {
    std::vector<char> buf(size_t(4) << 20);
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const int fd = ::open(e.path().c_str(), O_RDONLY);
      if (fd < 0) continue;
      for (ssize_t got; (got = ::read(fd, buf.data(), buf.size())) > 0;) bytes += static_cast<size_t>(got);
      ::close(fd);
    }
  }
  const double read_s = now() - t0;
  // parse_s: A.txt on `threads` threads.
  const std::string a = dir + "/A.txt";
  const size_t size = fs::exists(a) ? fs::file_size(a) : 0;
  std::vector<size_t> nnz(threads, 0);
  std::vector<double> sink(threads, 0);
  t0 = now();
  on_threads(threads, [&](unsigned w) { nnz[w] = parse_range(a, size * w / threads, size * (w + 1) / threads, sink[w]); });
  const double parse_s = now() - t0;
  size_t total_nnz = 0;
  for (size_t v : nnz) total_nnz += v;
  // stream_gbs.
  const size_t words = size_t(64) << 20;  // 512 MB
  std::vector<double> big(words, 1.0);
  double stream_gbs = 0;
  for (int rep = 0; rep < 3; ++rep) {
    t0 = now();
    on_threads(threads, [&](unsigned w) {
      double acc[8] = {};
      for (size_t i = words * w / threads; i + 8 <= words * (w + 1) / threads; i += 8)
        for (int c = 0; c < 8; ++c) acc[c] += big[i + c];
      sink[w] += acc[0] + acc[7];
    });
    stream_gbs = std::max(stream_gbs, double(words) * 8 / (now() - t0) / 1e9);
  }
  std::vector<double>().swap(big);
  // fma_gflops: 2 flops per FMA.
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f"), avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  double fma_gflops = 0;
  if (avx512 || avx2) {
    const long iters = 20'000'000;
    t0 = now();
    on_threads(threads, [&](unsigned w) { sink[w] += avx512 ? fma_avx512(iters) : fma_avx2(iters); });
    fma_gflops = double(threads) * double(iters) * 12 * (avx512 ? 8 : 4) * 2 / (now() - t0) / 1e9;
  }
  // GEMM rates.
  const int m = 2000;
  std::vector<double> da(size_t(m) * m, 0.5), db = da, dc(size_t(m) * m);
  const double one = 1, zero = 0;
  dgemm_("N", "N", &m, &m, &m, &one, da.data(), &m, db.data(), &m, &zero, dc.data(), &m);  // warm up
  t0 = now();
  dgemm_("N", "N", &m, &m, &m, &one, da.data(), &m, db.data(), &m, &zero, dc.data(), &m);
  const double dgemm_gflops = 2.0 * m * m * double(m) / (now() - t0) / 1e9;
  std::vector<float> fa(size_t(m) * m, 0.5f), fb = fa, fc(size_t(m) * m);
  const float fone = 1, fzero = 0;
  sgemm_("N", "N", &m, &m, &m, &fone, fa.data(), &m, fb.data(), &m, &fzero, fc.data(), &m);
  t0 = now();
  sgemm_("N", "N", &m, &m, &m, &fone, fa.data(), &m, fb.data(), &m, &fzero, fc.data(), &m);
  const double sgemm_gflops = 2.0 * m * m * double(m) / (now() - t0) / 1e9;
  double s = 0;
  for (double v : sink) s += v;
  std::printf(
      "{\"threads\": %u, \"bytes\": %zu, \"read_s\": %.4f, \"parse_s\": %.4f, \"nnz\": %zu, \"stream_gbs\": %.2f, "
      "\"fma_gflops\": %.1f, \"simd\": \"%s\", \"dgemm_gflops\": %.1f, \"sgemm_gflops\": %.1f, \"checksum\": %.6g}\n",
      threads, bytes, read_s, parse_s, total_nnz, stream_gbs, fma_gflops, avx512 ? "avx512" : avx2 ? "avx2" : "none",
      dgemm_gflops, sgemm_gflops, s);
  return 0;
}
