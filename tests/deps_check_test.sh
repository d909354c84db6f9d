#!/usr/bin/env bash
# Proves that deps_check.sh fails on a throwaway tree where one library includes a
# header of a library it did not declare, and passes once it is declared; and that
# it fails when a library does not compile alone (it includes a folder that is no
# library, so no declaration brings it along).
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/alpha" "$tmp/beta"
echo 'inline int alpha_value() { return 1; }' >"$tmp/alpha/alpha.hpp"
printf '#pragma once\n#include "alpha/alpha.hpp"\ninline int beta_value() { return alpha_value(); }\n' >"$tmp/beta/beta.hpp"

if out=$("$here/deps_check.sh" "$tmp" "${CXX:-g++}" alpha: beta: 2>&1); then
  echo "deps-check self-test: an undeclared include was not caught" >&2
  exit 1
fi
if [[ $out != *'beta/beta.hpp includes "alpha/alpha.hpp", but beta declares only'* ]]; then
  echo "deps-check self-test: unexpected message: $out" >&2
  exit 1
fi
if ! out=$("$here/deps_check.sh" "$tmp" "${CXX:-g++}" alpha: beta:alpha 2>&1); then
  echo "deps-check self-test: a declared include was refused: $out" >&2
  exit 1
fi
mkdir -p "$tmp/shared"
echo 'inline int shared_value() { return 2; }' >"$tmp/shared/util.hpp"
printf '#pragma once\n#include "shared/util.hpp"\ninline int alpha_two() { return shared_value(); }\n' >"$tmp/alpha/two.hpp"
if out=$("$here/deps_check.sh" "$tmp" "${CXX:-g++}" alpha: beta:alpha 2>&1); then
  echo "deps-check self-test: a library that needs an undeclared folder passed alone" >&2
  exit 1
fi
if [[ $out != *'alpha does not compile on its own'*'shared/util.hpp'* || $out == *'beta does not compile'* ]]; then
  echo "deps-check self-test: unexpected message: $out" >&2
  exit 1
fi
echo "deps-check self-test: ok (undeclared include caught, declared one accepted, a library that does not compile alone caught)"
