#!/usr/bin/env bash
# Proves that the Makefile orders the libraries from its DEPS_ lines: each one is
# built after, and linked before, the ones it depends on; a library declared on the
# command line takes its place; a cycle or an undeclared dependency stops make with
# a message naming it.
#   make_order_test.sh [ROOT]
set -u
# A clean make: none of the variables or the jobserver of a make that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
failed=0

# Prints "ALL_LIBS / LINK_ORDER" as the Makefile computes them with the given variables.
order() {
  make -s --no-print-directory -C "$root" "$@" \
    --eval 'make-order-test: ; @echo "$(ALL_LIBS) / $(LINK_ORDER)"' make-order-test 2>&1
}
fail() { echo "make-order self-test: $*" >&2; failed=1; }

# Every library comes after each of its declared dependencies, and the link order
# is the same list reversed.
check_sorted() {
  local out=$1 libs link lib dep i
  libs=${out%% / *} link=${out##* / }
  read -ra list <<<"$libs"
  declare -A pos=()
  for i in "${!list[@]}"; do pos[${list[$i]}]=$i; done
  for lib in "${list[@]}"; do
    deps=$(make -s --no-print-directory -C "$root" --eval "show-deps: ; @echo \$(DEPS_$lib)" show-deps)
    for dep in $deps; do
      ((pos[$dep] < pos[$lib])) || fail "$lib comes before its dependency $dep: $libs"
    done
  done
  [[ $(tr ' ' '\n' <<<"$link" | tac | xargs) == "$(xargs <<<"$libs")" ]] ||
    fail "link order is not the build order reversed: $out"
}

out=$(order) || fail "the declared graph was refused: $out"
check_sorted "$out"
[[ ${out%% / *} == *pool* && ${out%% / *} == *sync* ]] || fail "libraries missing: $out"

out=$(order 'DEPS_zeta=pool shm') || fail "a new library was refused: $out"
[[ ${out%% / *} == *" pool zeta" ]] || fail "zeta (needs pool shm) is not last: $out"

if out=$(order DEPS_sync=pool); then fail "a cycle was accepted: $out"; fi
[[ $out == *"form a cycle"*"sync (needs pool)"* ]] || fail "unexpected cycle message: $out"

if out=$(order DEPS_sync=nosuch); then fail "an undeclared dependency was accepted: $out"; fi
[[ $out == *'DEPS_sync names "nosuch", which has no DEPS_nosuch line'* ]] ||
  fail "unexpected message for an undeclared dependency: $out"

if out=$(DEPS_zeta=pool order); then
  [[ $out != *zeta* ]] || fail "a DEPS_ variable from the environment was taken as a library: $out"
else
  fail "a DEPS_ variable in the environment broke make: $out"
fi

((failed)) || echo "make-order self-test: ok (sorted, new library placed, cycle and unknown dependency refused)"
exit $failed
