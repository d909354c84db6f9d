#!/usr/bin/env bash
# Proves what run_suites.sh promises, with stand-in suites that print as GoogleTest
# does: one line per suite in the order given, a sharded suite's counts summed over
# its shards, each shard given its index, a failing shard's whole output, the total,
# and the exit status.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests"
fail() { echo "run-suites self-test: $1" >&2; echo "$out" >&2; exit 1; }

# A stand-in suite: passes N tests per shard (or fails in shard FAIL_IN), after
# sleeping S seconds, and records the shard it was given.
suite() {
  cat >"$tmp/tests/$1_test" <<EOF
#!/usr/bin/env bash
sleep $3
echo "\$GTEST_SHARD_INDEX/\$GTEST_TOTAL_SHARDS" >>"$tmp/$1.shards"
if [[ \$GTEST_SHARD_INDEX == "${4:-none}" ]]; then
  echo "[  FAILED  ] $1.Breaks in shard \$GTEST_SHARD_INDEX"
  exit 1
fi
echo "[  PASSED  ] $2 tests."
EOF
  chmod +x "$tmp/tests/$1_test"
}

# The slow suite comes first but ends last: its line must still come first.
suite slow 2 0.5
suite split 3 0
suite quick 1 0
out=$(TEST_JOBS=2 "$here/run_suites.sh" "$tmp" plain slow split:3 quick 2>&1) || fail "a passing run failed"
lines=$(grep -E '^  [a-z]' <<<"$out" | awk '{print $1, $2}' | tr '\n' ' ')
[[ $lines == "slow 2 split 9 quick 1 " ]] || fail "wrong lines or order: $lines"
[[ $(sort "$tmp/split.shards" | tr '\n' ' ') == "0/3 1/3 2/3 " ]] || fail "the shards were not 0/3 1/3 2/3"
grep -q '^tests: ok, 3 suites, 12 tests passed' <<<"$out" || fail "wrong total"

suite split 3 0 1
if out=$("$here/run_suites.sh" "$tmp" plain split:3 quick 2>&1); then fail "a failing shard passed"; fi
grep -q 'split (plain, shard 2 of 3) failed' <<<"$out" || fail "the failing shard is not named"
grep -q 'Breaks in shard 1' <<<"$out" || fail "the failing shard's output is not shown"
grep -q '^tests: FAILED: split (7 tests passed in all' <<<"$out" || fail "wrong failure total"
echo "run-suites self-test: ok (order kept, shards summed, a failing shard shown, exit status)"
