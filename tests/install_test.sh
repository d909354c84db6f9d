#!/usr/bin/env bash
# Proves `make install` gives a user what the README promises, and `make uninstall`
# takes it all back: installs into a temporary prefix, builds a one-file program
# against the installed copy with pkg-config alone (no -I into the sources), runs it,
# runs an installed tool by its prefixed name, reads an installed man page, then
# uninstalls and checks that no file is left.
#   install_test.sh [ROOT] [BUILD]   (CXX from the environment, default g++)
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
build=${2:-build}
cxx=${CXX:-g++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "install-test: $*" >&2; exit 1; }

make -s --no-print-directory -C "$root" BUILD="$build" CXX="$cxx" PREFIX="$prefix" install >"$tmp/log" 2>&1 ||
  { cat "$tmp/log" >&2; fail "make install failed"; }

for tool in pool ipc sync shm subproc threadpool; do
  [[ -x $prefix/bin/mp-$tool ]] || fail "bin/mp-$tool was not installed"
  [[ ! -e $prefix/bin/$tool ]] || fail "bin/$tool was installed under its bare name"
done
# The installed name is the one --help shows.
"$prefix/bin/mp-sync" --help | grep -q '^usage: mp-sync COMMAND' || fail "mp-sync --help does not name mp-sync"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pkg-config --exists mp-pool || fail "pkg-config does not find mp-pool"
[[ $(pkg-config --print-requires-private mp-pool | xargs) == "mp-ipc mp-sync mp-threadpool" ]] ||
  fail "mp-pool's Requires.private: $(pkg-config --print-requires-private mp-pool | xargs)"
# A program that uses two libraries, built from the installed copy only.
cat >"$tmp/hello.cpp" <<'CPP'
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include <cstdio>
int square(int x) { return x * x; }
int main() {
    mp::pool::Pool pool(2);
    const int nine = pool.apply(square, 3);
    std::printf("%d\n", nine);
}
CPP
# shellcheck disable=SC2046
$cxx -o "$tmp/hello" "$tmp/hello.cpp" $(pkg-config --cflags --libs --static mp-pool mp-shm) 2>"$tmp/cc.err" ||
  { cat "$tmp/cc.err" >&2; fail "a program does not build against the installed copy"; }
[[ $("$tmp/hello") == 9 ]] || fail "the program built against the installed copy printed $("$tmp/hello" 2>&1)"

for tool in pool ipc sync shm subproc threadpool; do
  page=$prefix/share/man/man1/mp-$tool.1
  [[ -f $page ]] || fail "no man page for mp-$tool"
  MANWIDTH=80 man -l "$page" 2>"$tmp/man.err" | grep -q "mp-$tool" || { cat "$tmp/man.err" >&2; fail "man -l $page shows no mp-$tool"; }
done
MANPATH=$prefix/share/man man -w mp-pool >/dev/null 2>&1 || fail "man does not find mp-pool in the prefix"

make -s --no-print-directory -C "$root" BUILD="$build" CXX="$cxx" PREFIX="$prefix" uninstall >"$tmp/log" 2>&1 ||
  { cat "$tmp/log" >&2; fail "make uninstall failed"; }
left=$(find "$prefix" -not -type d)
[[ -z $left ]] || fail "make uninstall left: $left"
[[ ! -e $prefix/include/mp ]] || fail "make uninstall left include/mp"
echo "install-test: ok (tools as mp-*, headers, archives, pkg-config, man pages; uninstall leaves no file)"
