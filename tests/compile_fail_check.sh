#!/usr/bin/env bash
# Compiles every tests/compile_fail/*.cpp (usage: compile_fail_check.sh ROOT CXX) and
# passes only when each one is refused with the text of its "// expect:" line.
set -u
root=${1:-.}
cxx=${2:-g++}
failed=0
count=0
for source in "$root"/tests/compile_fail/*.cpp; do
  count=$((count + 1))
  expect=$(sed -n 's|^// expect: ||p' "$source" | head -n 1)
  if [[ -z $expect ]]; then
    echo "compile-fail: $source has no '// expect:' line" >&2
    failed=1
    continue
  fi
  # $cxx may be a command with words ("ccache g++"). -Werror as in mp's own build:
  # a discarded [[nodiscard]] result (a warning alone) is refused there too.
  if out=$($cxx -std=c++20 -Werror -fsyntax-only -I"$root" "$source" 2>&1); then
    echo "compile-fail: $source compiled, but must be refused ($expect)" >&2
    failed=1
  elif [[ $out != *"$expect"* ]]; then
    echo "compile-fail: $source was refused for another reason than: $expect" >&2
    echo "$out" | grep -m 3 'error' >&2
    failed=1
  fi
done
if ((failed == 0)); then echo "compile-fail: ok ($count sources refused with their expected message)"; fi
exit $failed
