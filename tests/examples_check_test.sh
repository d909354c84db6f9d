#!/usr/bin/env bash
# Proves that examples_check.sh compiles the examples of a throwaway library (in its
# header comment, in its README's fences, fragments and whole programs, with the
# names its tests/examples/ file declares), names the file and line of each broken
# one and only those, leaves prose tables alone, and passes once they are fixed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/alpha" "$tmp/tests/examples"
fail() { echo "examples-check self-test: $*" >&2; exit 1; }

cat >"$tmp/alpha/alpha.hpp" <<'EOF'
// Alpha: the answer.
//
//   int a = alpha::answer();            // line 3: compiles
//   a += seed;
//
//   alpha::no_such_call();              // line 6: does not
//
// Calls:
//   answer()     the answer, as a table: prose, never compiled
#pragma once
namespace alpha { inline int answer() { return 42; } }
EOF
cat >"$tmp/tests/examples/alpha.hpp" <<'EOF'
#pragma once
#include "alpha/alpha.hpp"
inline int seed = 1;
EOF
cat >"$tmp/alpha/README.md" <<'EOF'
# alpha

```cpp
#include "alpha/alpha.hpp"
namespace mine { struct Place { int x = 0; }; }
mine::Place p{alpha::answer() + seed};
```

```cpp
int b = alpha::answer(;
```

```cpp
#include "alpha/alpha.hpp"
int main() { return alpha::answer() == 42 ? 0 : 1; }
```
EOF

if out=$("$here/examples_check.sh" "$tmp" "${CXX:-g++}" alpha 2>&1); then
  fail "broken examples were not caught: $out"
fi
for expected in 'alpha/alpha.hpp:6: this example does not compile' \
                 'alpha/README.md:10: this example does not compile' \
                 '2 of 5 examples do not compile'; do
  [[ $out == *"$expected"* ]] || fail "missing \"$expected\" in: $out"
done
# The compiler's own message points into the documentation, not into a generated file.
[[ $out =~ alpha/alpha\.hpp:6:[0-9]+:\ error ]] || fail "the compiler message does not name alpha/alpha.hpp:6: $out"
[[ $out != *'alpha/alpha.hpp:3: this example'* && $out != *'alpha/README.md:4: this example'* ]] ||
  fail "a compiling example was reported: $out"

sed -i 's/alpha::no_such_call();/alpha::answer();/' "$tmp/alpha/alpha.hpp"
sed -i 's/alpha::answer(;/alpha::answer();/' "$tmp/alpha/README.md"
if ! out=$("$here/examples_check.sh" "$tmp" "${CXX:-g++}" alpha 2>&1); then
  fail "fixed examples were refused: $out"
fi
[[ $out == *'ok (5 examples in 2 files)'* ]] || fail "unexpected summary: $out"
echo "examples-check self-test: ok (broken examples named by file and line, fixed ones accepted)"
