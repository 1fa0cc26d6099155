#!/usr/bin/env bash
# Command 2: installs what is missing, builds with warnings as errors, and runs every test tier:
#   1. unit, golden, CLI and HTTP API tests (ctest) on the test build (build/), the web app built from its npm
#      packages (web/dist) and driven in Debian's headless Chromium against the real server
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), the web tests aside
#   3. a benchmark smoke run that checks its answers (numbers are not judged here), MPI scaling and the
#      server under load (wrk) included
#   4. coverage-guided fuzzing of every reader (libFuzzer, ASan, UBSan), one target per format, for
#      PANOCARBON_FUZZ_SECONDS (90) in all
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
  # The web tests check the JavaScript and the browser, which tier 1 ran; the server under the sanitizers is
  # driven by server_api and server_examples.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^web_' || failed=1
fi

echo "== tier 3: benchmark smoke run (answers checked) =="
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" bench/inventory_bench.py --rows 20000 --smoke || failed=1
"$py" bench/mrio_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-mrio-smoke" || failed=1
"$py" bench/lca_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-lca-smoke" || failed=1
"$py" bench/lca_import_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-lca-import-smoke" || failed=1
"$py" bench/inventory_uncertainty_bench.py --smoke || failed=1
"$py" bench/lca_montecarlo_bench.py --smoke --workdir "${TMPDIR:-/tmp}/panocarbon-lca-mc-smoke" || failed=1
"$py" bench/mrio_montecarlo_bench.py --smoke --bin build/bin/panocarbon || failed=1
"$py" bench/mpi_scaling.py --smoke || failed=1
"$py" bench/natural_fire_bench.py --smoke || failed=1
"$py" bench/natural_fire_bench.py --smoke --compress || failed=1
"$py" bench/server_load.py --smoke --bin build/bin/panocarbon || failed=1
"$py" bench/process_bench.py --smoke || failed=1

fuzz_seconds="${PANOCARBON_FUZZ_SECONDS:-90}"
if [ "$fuzz_seconds" -gt 0 ]; then
  # One libFuzzer target per input format (CMakeLists.txt PANOCARBON_FUZZ_TARGETS, listed in
  # build-fuzz/fuzz_targets.txt); each runs for an equal share of PANOCARBON_FUZZ_SECONDS (at least 2 s), from
  # a copy of its seeds (tests/fuzz/corpus/<target>) after replaying its regressions (tests/fuzz/regressions/<target>).
  echo "== tier 4: fuzzing the readers for ${fuzz_seconds} s =="
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -- -j"$jobs"
  IFS=";" read -r -a fuzz_targets < build-fuzz/fuzz_targets.txt || true  # one line, maybe without a newline
  share=$((fuzz_seconds / ${#fuzz_targets[@]}))
  ((share >= 2)) || share=2
  fuzz_passed=0 fuzz_failed=0
  mkdir -p build-fuzz/artifacts build-fuzz/logs
  for t in "${fuzz_targets[@]}"; do
    case "$t" in
      activity_csv) dict=activity_csv ;;
      activity_json | study_json | sensitivity_model | mrio_useeio) dict=json ;;
      lca_jsonld) dict=jsonld ;;
      lca_ecospold2) dict=ecospold2 ;;
      xlsx) dict=xlsx ;;
      mrio_table | mrio_pymrio | mrio_oecd_icio | mrio_eora26) dict=mrio ;;
      *) dict= ;;
    esac
    corpus="build-fuzz/corpus/$t"
    rm -rf "$corpus" && mkdir -p "$corpus"
    [ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$corpus/"
    log="build-fuzz/logs/$t.log"
    args=(-max_total_time="$share" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
          -artifact_prefix="build-fuzz/artifacts/$t-")
    [ -n "$dict" ] && args+=(-dict="tests/fuzz/dict/$dict.dict")
    ok=1
    if [ -d "tests/fuzz/regressions/$t" ] && [ -n "$(ls -A "tests/fuzz/regressions/$t")" ]; then
      "build-fuzz/bin/fuzz_$t" "${args[@]}" "tests/fuzz/regressions/$t"/* > "$log.regressions" 2>&1 || ok=0
    fi
    if ((ok)) && "build-fuzz/bin/fuzz_$t" "${args[@]}" "$corpus" > "$log" 2>&1; then
      runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
      speed="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
      printf 'fuzz %-18s passed: %s runs in %s s, %s exec/s\n' "$t" "${runs:-?}" "$share" "${speed:-?}"
      fuzz_passed=$((fuzz_passed + 1))
    else
      [ -s "$log.regressions" ] && tail -30 "$log.regressions"
      tail -40 "$log"
      echo "fuzz $t: FAILED (the input is in build-fuzz/artifacts/$t-*; log $log)"
      fuzz_failed=$((fuzz_failed + 1))
      failed=1
    fi
  done
  echo "fuzz: ${fuzz_passed} passed, ${fuzz_failed} failed"
fi

if ((failed)); then
  echo "test.sh: FAILED"
  exit 1
fi
echo "test.sh: all tiers passed"
