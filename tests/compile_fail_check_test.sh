#!/usr/bin/env bash
# Proves that compile_fail_check.sh fails for a source that compiles and for one
# refused for another reason than its "// expect:" line, and passes otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/compile_fail"
check() { "$here/compile_fail_check.sh" "$tmp" "${CXX:-g++}" >/dev/null 2>&1; }

printf '// expect: no such thing\nint main() { return 0; }\n' >"$tmp/tests/compile_fail/compiles.cpp"
if check; then echo "compile-fail self-test: a source that compiles was accepted" >&2; exit 1; fi
printf '// expect: static assertion failed: wanted\nint main() { return undeclared; }\n' >"$tmp/tests/compile_fail/compiles.cpp"
if check; then echo "compile-fail self-test: a refusal for another reason was accepted" >&2; exit 1; fi
printf '// expect: static assertion failed: wanted\nstatic_assert(false, "wanted");\n' >"$tmp/tests/compile_fail/compiles.cpp"
if ! check; then echo "compile-fail self-test: the expected refusal was not accepted" >&2; exit 1; fi
printf '// expect: ignoring return value\n[[nodiscard]] bool f() { return true; }\nint main() { f(); }\n' >"$tmp/tests/compile_fail/compiles.cpp"
if ! check; then echo "compile-fail self-test: a discarded [[nodiscard]] result was accepted" >&2; exit 1; fi
echo "compile-fail self-test: ok (a compiling source and a wrong refusal caught, warnings refused)"
