#!/usr/bin/env bash
# Compiles every tests/compile_fail/*.cpp (usage: compile_fail_check.sh ROOT CXX) and
# passes only when each one is refused with the text of its "// expect:" line.
# The sources compile in parallel, one per core.
set -u
root=${1:-.}
cxx=${2:-g++}

# check SOURCE: prints nothing when SOURCE is refused as its "// expect:" line says;
# otherwise what went wrong, on stdout (xargs keeps each source's lines together).
check() {
  local source=$1 expect out
  expect=$(sed -n 's|^// expect: ||p' "$source" | head -n 1)
  if [[ -z $expect ]]; then
    echo "compile-fail: $source has no '// expect:' line"
    return
  fi
  # $cxx may be a command with words ("ccache g++"). -Werror as in mp's own build:
  # a discarded [[nodiscard]] result (a warning alone) is refused there too.
  if out=$($cxx -std=c++20 -Werror -fsyntax-only -I"$root" "$source" 2>&1); then
    echo "compile-fail: $source compiled, but must be refused ($expect)"
  elif [[ $out != *"$expect"* ]]; then
    echo "compile-fail: $source was refused for another reason than: $expect"
    echo "$out" | grep -m 3 'error'
  fi
}
export -f check
export root cxx

sources=("$root"/tests/compile_fail/*.cpp)
problems=$(printf '%s\n' "${sources[@]}" | xargs -r -P "$(nproc 2>/dev/null || echo 1)" -I{} bash -c 'check "$1"' bash {})
if [[ -n $problems ]]; then
  echo "$problems" >&2
  exit 1
fi
echo "compile-fail: ok (${#sources[@]} sources refused with their expected message)"
