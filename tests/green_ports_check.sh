#!/usr/bin/env bash
# Runs the green-thread tests in the builds `make test` does not make:
#   green_ports_check.sh ROOT OUT
#   - aarch64: the assembly switch for aarch64, cross-compiled and run under
#     qemu-aarch64 (apt-get install g++-aarch64-linux-gnu qemu-user); the stack
#     overflow test re-executes the binary, which needs qemu registered with
#     binfmt_misc (qemu-user-binfmt): without it that one test is left out, and
#     the script says so;
#   - ucontext: the fallback for other targets (-DMP_GREEN_UCONTEXT), on this host;
#   - poll: the hub's poll backend as the default (-DMP_GREEN_POLL), on this host.
# A variant whose tools are missing is skipped with a line saying what to install.
# Builds into OUT (one folder per variant); exits 1 if any variant failed.
set -u
root=$1 out=$2
cd "$root" || exit 2

tests=(tests/threadpool/green_greenlet_test.cpp tests/threadpool/green_hub_test.cpp
       tests/threadpool/green_io_test.cpp tests/threadpool/green_sync_test.cpp
       tests/support/helpers.cpp tests/support/huge_timeouts.cpp tests/support/leak_guard.cpp
       tests/support/main.cpp tests/support/other_user.cpp)
mapfile -t library < <(find threadpool -name '*.cpp' | sort)
gtest_src=/usr/src/googletest/googletest

# build VARIANT "CXX" FLAGS...: compiles the library, the green tests and GoogleTest
# (from its source: a cross build has no libgtest) two at a time; prints the binary.
# CXX may be a command line ("ccache g++").
build() {
  local variant=$1 cxx
  read -ra cxx <<<"$2"
  shift 2
  local dir=$out/$variant objs=() source object
  mkdir -p "$dir"
  for source in "${library[@]}" "${tests[@]}" "$gtest_src/src/gtest-all.cc"; do
    object=$dir/$(tr / _ <<<"${source%.*}").o
    objs+=("$object")
    "${cxx[@]}" -std=c++20 -O1 -g -I. -I"$gtest_src/include" -I"$gtest_src" "$@" -c "$source" -o "$object" &
    while (($(jobs -rp | wc -l) >= 2)); do wait -n || return 1; done
  done
  while (($(jobs -rp | wc -l) > 0)); do wait -n || return 1; done
  # Static: qemu-aarch64 then needs no aarch64 libraries (glibc warns about getaddrinfo).
  "${cxx[@]}" -static -pthread "${objs[@]}" -o "$dir/green_test" 2>/dev/null || return 1
  echo "$dir/green_test"
}

# run VARIANT FILTER COMMAND...: one line for the variant, its output if it failed.
failed=0
run() {
  local variant=$1 filter=$2 log
  shift 2
  log=$(mktemp)
  if "$@" --gtest_brief=1 --gtest_filter="$filter" >"$log" 2>&1; then
    printf '  green %-9s %s\n' "$variant" "$(grep -o '[0-9]* tests\? from .* ran' "$log" | head -n 1 | cut -d' ' -f1) tests passed"
  else
    echo "== green $variant failed; its output:"
    cat "$log"
    failed=1
  fi
  rm -f "$log"
}

if command -v aarch64-linux-gnu-g++ >/dev/null && command -v qemu-aarch64 >/dev/null; then
  if binary=$(build aarch64 aarch64-linux-gnu-g++); then
    if grep -qsx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then
      run aarch64 '*' "$binary"
    else
      echo "  green aarch64: qemu is not registered with binfmt_misc (qemu-user-binfmt): the stack overflow test, which re-executes the binary, is left out"
      run aarch64 '-Greenlet.AStackOverflowDiesNamingTheGreenlet' qemu-aarch64 "$binary"
    fi
  else
    echo "== green aarch64: the cross build failed"
    failed=1
  fi
else
  echo "  green aarch64: skipped (apt-get install g++-aarch64-linux-gnu qemu-user qemu-user-binfmt)"
fi

for variant in ucontext poll; do
  define=MP_GREEN_UCONTEXT
  [[ $variant == poll ]] && define=MP_GREEN_POLL
  if binary=$(build "$variant" "${CXX:-g++}" "-D$define"); then
    run "$variant" '*' "$binary"
  else
    echo "== green $variant: the build failed"
    failed=1
  fi
done
exit $failed
