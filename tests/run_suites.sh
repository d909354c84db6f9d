#!/usr/bin/env bash
# Runs test suites side by side and keeps them quiet unless they fail:
#   run_suites.sh BUILD LABEL SUITE[:SHARDS]...
# A suite given as pool:3 runs as three processes, each with a third of its tests
# (GoogleTest's GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX). TEST_JOBS processes run at
# once (default: four per core, as the tests mostly wait on children and
# timeouts). Running them side by side is safe for the leak guard: children and fds
# are per process, and the /dev/shm names the tests make carry their maker's pid.
# Sharded suites start first. Prints one line per suite (name, tests passed,
# skipped, seconds from its first shard's start to its last one's end), in the
# order given, each as soon as it and those before it are done, and the total at
# the end. A failing suite prints the whole GoogleTest output of each failing
# shard, so the failure reads as GoogleTest wrote it; the others still run, and
# the script exits 1.
# GTEST_BRIEF (default 1) and every other GTEST_* variable reach the suites.
set -u
build=$1 label=$2
shift 2
export GTEST_BRIEF=${GTEST_BRIEF-1}
jobs_max=${TEST_JOBS:-$(($(nproc 2>/dev/null || echo 1) * 4))}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

now() { date +%s%N; }
# count WHAT FILE: the last "[  PASSED  ] N tests" (or SKIPPED) line's N.
count() { sed -n "s/^\[  $1 *\] \([0-9]*\) tests\?.*/\1/p" "$2" | tail -n 1; }

suites=() shards=()
for arg in "$@"; do
  suites+=("${arg%%:*}")
  [[ $arg == *:* ]] && shards+=("${arg#*:}") || shards+=(1)
done

# Each shard writes <suite>.<index>.out, then .status, then .end (its end time).
start_shard() {
  local suite=$1 index=$2 total=$3 stem=$dir/$1.$2
  (
    GTEST_TOTAL_SHARDS=$total GTEST_SHARD_INDEX=$index \
      "$build/tests/${suite}_test" >"$stem.out" 2>&1
    echo $? >"$stem.status"
    now >"$stem.end"
  ) &
}

total_tests=0 total_skipped=0 failed=() start=$(now) reported=0
declare -A began

# Prints the line of each finished suite whose predecessors are all reported.
report_done() {
  while ((reported < ${#suites[@]})); do
    local suite=${suites[reported]} n=${shards[reported]} i passed=0 skipped=0 status=0 end=0
    for ((i = 0; i < n; i++)); do [[ -f $dir/$suite.$i.end ]] || return 0; done
    for ((i = 0; i < n; i++)); do
      local stem=$dir/$suite.$i p s e
      p=$(count PASSED "$stem.out") s=$(count SKIPPED "$stem.out") e=$(<"$stem.end")
      passed=$((passed + ${p:-0})) skipped=$((skipped + ${s:-0}))
      ((e > end)) && end=$e
      (($(<"$stem.status") != 0)) && status=$(<"$stem.status")
    done
    if ((status == 0)); then
      printf '  %-12s %5d passed%s %7.1f s  (%s)\n' "$suite" "$passed" \
        "$( ((skipped)) && printf ', %d skipped' "$skipped")" \
        "$(((end - began[$suite]) / 1000000))e-3" "$label"
    else
      for ((i = 0; i < n; i++)); do
        (($(<"$dir/$suite.$i.status") == 0)) && continue
        echo "== $suite ($label, shard $((i + 1)) of $n) failed with status $(<"$dir/$suite.$i.status"); its output:"
        cat "$dir/$suite.$i.out"
      done
      failed+=("$suite")
    fi
    total_tests=$((total_tests + passed)) total_skipped=$((total_skipped + skipped))
    reported=$((reported + 1))
  done
}

# Sharded suites are the long ones: they start first, so that none starts last.
order=()
for ((k = 0; k < ${#suites[@]}; k++)); do ((shards[k] > 1)) && order+=("$k"); done
for ((k = 0; k < ${#suites[@]}; k++)); do ((shards[k] == 1)) && order+=("$k"); done
for k in "${order[@]}"; do
  for ((i = 0; i < shards[k]; i++)); do
    while (($(jobs -pr | wc -l) >= jobs_max)); do
      wait -n
      report_done
    done
    ((i == 0)) && began[${suites[k]}]=$(now)
    start_shard "${suites[k]}" "$i" "${shards[k]}"
  done
done
while (($(jobs -pr | wc -l) > 0)); do
  wait -n
  report_done
done
wait
report_done

seconds=$(( ($(now) - start) / 1000000 ))
if ((${#failed[@]})); then
  printf 'tests: FAILED: %s (%d tests passed in all, %.1f s)\n' "${failed[*]}" "$total_tests" "${seconds}e-3"
  exit 1
fi
printf 'tests: ok, %d suites, %d tests passed%s, %.1f s\n' "${#suites[@]}" "$total_tests" \
  "$( ((total_skipped)) && printf ', %d skipped' "$total_skipped")" "${seconds}e-3"
