#!/usr/bin/env bash
# Command 2: installs what is missing, builds with warnings as errors, and runs every test tier:
#   1. unit, golden and CLI tests (ctest) on the test build (build/)
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   3. a benchmark smoke run that checks its answers (numbers are not judged here)
# Set PANOCARBON_SKIP_ASAN=1 to skip tier 2 locally.
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

if ((failed)); then
  echo "test.sh: FAILED"
  exit 1
fi
echo "test.sh: all tiers passed"
