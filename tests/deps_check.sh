#!/usr/bin/env bash
# Checks that the libraries keep to the dependency graph declared in the Makefile.
#   deps_check.sh ROOT CXX LIB:DEP,DEP LIB: ...
# 1. No library includes a header of a library it does not declare.
# 2. Each library, copied alone with its declared dependencies (transitively) into
#    an empty folder, compiles there: what a user who copies one folder will do.
#    One translation unit per library includes all its headers (rule 1 already
#    holds its .cpp files to the declared graph; the build compiles them); the
#    libraries compile in parallel, and each one's result is printed as it comes.
set -u
root=$1 cxx=$2
shift 2

declare -A deps
libs=()
for spec in "$@"; do
  lib=${spec%%:*}
  libs+=("$lib")
  deps[$lib]=${spec#*:}
done

is_lib() { local l; for l in "${libs[@]}"; do [[ $l == "$1" ]] && return 0; done; return 1; }

failed=0
for lib in "${libs[@]}"; do
  [[ -d $root/$lib ]] || continue
  while IFS= read -r hit; do
    file=${hit%%:*}
    # Matched in the shell: a process per #include line took 20 s for 1,500 lines.
    [[ ${hit#*:} =~ \#[[:space:]]*include[[:space:]]*[\"\<]([^\">]+) ]] || continue
    included=${BASH_REMATCH[1]}
    other=${included%%/*}
    [[ $included == */* && $other != "$lib" ]] || continue
    is_lib "$other" || continue
    if [[ ",${deps[$lib]}," != *",$other,"* ]]; then
      echo "deps-check: ${file#"$root"/} includes \"$included\", but $lib declares only: ${deps[$lib]:-(nothing)}" >&2
      echo "deps-check: declare it as DEPS_$lib in the Makefile, or remove the include" >&2
      failed=1
    fi
  done < <(grep -rHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$root/$lib" --include='*.hpp' --include='*.cpp' || true)
done
[[ $failed == 0 ]] || exit 1

closure() {
  local todo=("$1") seen=" " l d
  while ((${#todo[@]})); do
    l=${todo[0]}; todo=("${todo[@]:1}")
    [[ $seen == *" $l "* ]] && continue
    seen+="$l "
    for d in ${deps[$l]//,/ }; do todo+=("$d"); done
  done
  echo "$seen"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checked=()
for lib in "${libs[@]}"; do
  [[ -d $root/$lib ]] || continue
  alone=$tmp/$lib
  mkdir -p "$alone"
  for l in $(closure "$lib"); do
    [[ -d $root/$l ]] && cp -r "$root/$l" "$alone/"
  done
  (cd "$alone" && find "$lib" -name '*.hpp' | sort | sed 's/.*/#include "&"/') >"$alone.cpp"
  checked+=("$lib")
done

# compile LIB: prints "LIB ok" or "LIB failed" once LIB's umbrella has compiled.
export cxx tmp
compile() {
  if $cxx -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$tmp/$1" -x c++ "$tmp/$1.cpp" 2>"$tmp/$1.err"; then
    echo "$1 ok"
  else
    echo "$1 failed"
  fi
}
export -f compile
echo "deps-check: compiling each library alone: ${checked[*]}"
while read -r lib result; do
  if [[ $result == ok ]]; then
    echo "deps-check:   $lib alone (with: $(closure "$lib" | xargs)) ok"
  else
    echo "deps-check: $lib does not compile on its own (with only: $(closure "$lib")):" >&2
    head -20 "$tmp/$lib.err" >&2
    failed=1
  fi
done < <(printf '%s\n' "${checked[@]}" | xargs -r -P "$(nproc)" -I{} bash -c 'compile "$1"' bash {})
[[ $failed == 0 ]] && echo "deps-check: ok (${libs[*]})"
exit $failed
