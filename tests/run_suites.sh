#!/usr/bin/env bash
# Runs test suites one after another (the leak guard of one must never see the
# children or segments of another) and keeps them quiet unless they fail:
#   run_suites.sh BUILD LABEL SUITE...
# prints one line per suite (name, tests passed, skipped, seconds) and the total at
# the end. A failing suite prints its whole GoogleTest output, so the failure reads
# as GoogleTest wrote it; the run goes on with the next suites and exits 1.
# GTEST_BRIEF (default 1) and every other GTEST_* variable reach the suites.
set -u
build=$1 label=$2
shift 2
export GTEST_BRIEF=${GTEST_BRIEF-1}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

count() { sed -n "s/^\[  $1 *\] \([0-9]*\) tests\?.*/\1/p" "$out" | tail -n 1; }
now() { date +%s%N; }

total_tests=0 total_skipped=0 failed=() start=$(now)
for suite in "$@"; do
  begin=$(now)
  "$build/tests/${suite}_test" >"$out" 2>&1
  status=$?
  seconds=$(( ($(now) - begin) / 1000000 ))
  passed=$(count PASSED) skipped=$(count SKIPPED)
  passed=${passed:-0} skipped=${skipped:-0}
  if ((status == 0)); then
    printf '  %-12s %5d passed%s %7.1f s  (%s)\n' "$suite" "$passed" \
      "$( ((skipped)) && printf ', %d skipped' "$skipped")" "${seconds}e-3" "$label"
  else
    echo "== $suite ($label) failed with status $status; its output:"
    cat "$out"
    failed+=("$suite")
  fi
  total_tests=$((total_tests + passed)) total_skipped=$((total_skipped + skipped))
done
seconds=$(( ($(now) - start) / 1000000 ))
if ((${#failed[@]})); then
  printf 'tests: FAILED: %s (%d tests passed in all, %.1f s)\n' "${failed[*]}" "$total_tests" "${seconds}e-3"
  exit 1
fi
printf 'tests: ok, %d suites, %d tests passed%s, %.1f s\n' "$#" "$total_tests" \
  "$( ((total_skipped)) && printf ', %d skipped' "$total_skipped")" "${seconds}e-3"
