#!/usr/bin/env bash
# Command 2: installs what is missing, builds with warnings as errors, and runs every test tier:
#   1. unit, golden and CLI tests (ctest) on the test build (build/)
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   3. a benchmark smoke run that checks its answers (numbers are not judged here), MPI scaling included
#   4. coverage-guided fuzzing of the parsers (libFuzzer, ASan, UBSan) for PANOCARBON_FUZZ_SECONDS (60)
# Set PANOCARBON_SKIP_ASAN=1 or PANOCARBON_FUZZ_SECONDS=0 to skip tiers 2 or 4 locally.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/install-deps.sh
jobs="$(nproc)"
failed=0

echo "== tier 1: test build (warnings as errors) =="
cmake --preset test >/dev/null
cmake --build --preset test -- -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" || failed=1

if [ "${PANOCARBON_SKIP_ASAN:-0}" != 1 ]; then
  echo "== tier 2: ASan + UBSan =="
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan -- -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" || failed=1
fi

echo "== tier 3: benchmark smoke run (answers checked) =="
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" bench/inventory_bench.py --rows 20000 --smoke || failed=1
"$py" bench/mrio_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-mrio-smoke" || failed=1
"$py" bench/lca_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-lca-smoke" || failed=1
"$py" bench/inventory_uncertainty_bench.py --smoke || failed=1
"$py" bench/lca_montecarlo_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-lca-mc-smoke" || failed=1
"$py" bench/mrio_montecarlo_bench.py --smoke --bin build/bin/panocarbon || failed=1
"$py" bench/mpi_scaling.py --smoke || failed=1
"$py" bench/natural_fire_bench.py --smoke || failed=1
"$py" bench/natural_fire_bench.py --smoke --compress || failed=1

fuzz_seconds="${PANOCARBON_FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== tier 4: fuzzing the parsers for ${fuzz_seconds} s =="
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -- -j"$jobs"
  corpus="$(mktemp -d)"
  cp examples/*.csv tests/golden/*.test "$corpus"/
  for f in tests/fixtures/lca/*/processes/*.json; do cp "$f" "$corpus/$(echo "$f" | tr / _)"; done
  if build-fuzz/bin/fuzz_parsers -max_total_time="$fuzz_seconds" -max_len=4096 -artifact_prefix=build-fuzz/ \
       "$corpus" > build-fuzz/fuzz.log 2>&1; then
    echo "fuzz: passed ($(grep -o "Done [0-9]* runs in [0-9]* second(s)" build-fuzz/fuzz.log))"
  else
    tail -40 build-fuzz/fuzz.log
    echo "fuzz: FAILED (the crashing input is in build-fuzz/crash-*)"
    failed=1
  fi
  rm -rf "$corpus"
fi

if ((failed)); then
  echo "test.sh: FAILED"
  exit 1
fi
echo "test.sh: all tiers passed"
