#!/usr/bin/env bash
# Proves that deps_check.sh fails on a throwaway tree where one library includes a
# header of a library it did not declare, and passes once it is declared.
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
echo "deps-check self-test: ok (undeclared include caught, declared one accepted)"
