#!/usr/bin/env bash
# Compiles every C++ example of the documentation, so that none shows an API that
# does not exist or a call that does not compile.
#   examples_check.sh ROOT CXX LIB...
# Looks at ROOT/README.md, ROOT/LIB/README.md and the public headers ROOT/LIB/*.hpp
# and ROOT/LIB/*/*.hpp
# (internal/ holds implementation notes, not examples).
#
# What counts as an example:
# - README: a ```cpp fence.
# - header: a block of comment lines at the start of a line indented three spaces
#   or more after `//` (`//   mp::pool::Pool pool(4);`), following an empty `//`
#   line or a line that ends in ':', whose first code line ends in ';', '{', '}' or
#   ',' (a table or an indented bullet continuation ends otherwise, and is prose).
# How it is compiled (-fsyntax-only, -std=c++20 -I ROOT), one translation unit each:
# - an example with `int main(` is a whole program, compiled exactly as written;
# - any other one is a fragment: its leading #include and using lines and
#   `namespace x { ... }` blocks stay at file scope, the rest becomes the body of
#   a function. Before it come the header it documents (a README: its library's
#   umbrella LIB/LIB.hpp) and ROOT/tests/examples/LIB.hpp (ROOT/README.md:
#   tests/examples/common.hpp) when it exists: that file declares what fragments
#   leave to the reader (`square`, `numbers`, a connected `conn`...).
# Compiler messages name the documentation file and line, through #line.
set -u
root=$1 cxx=$2
shift 2
jobs=${EXAMPLES_JOBS:-$(nproc)}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# extract FILE MODE GROUP HEADER: appends each fragment of FILE to $tmp/GROUP.cpp
# inside a namespace of its own (two examples may both define `struct Place`),
# writes each whole program to a file of its own, and records every example's
# lines in $tmp/ranges ("FILE FIRST LAST").
extract() {
  awk -v file="$1" -v tag="${1//[^A-Za-z0-9]/_}" -v mode="$2" -v group="$tmp/$3.cpp" \
      -v header="$4" -v ranges="$tmp/ranges" -v out="$tmp" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    # The line without a trailing // comment (one outside a string literal).
    function code_of(s,    i, c, quoted) {
      quoted = 0
      for (i = 1; i < length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\") { i++; continue }
        if (c == "\"") quoted = !quoted
        if (!quoted && substr(s, i, 2) == "//") return trim(substr(s, 1, i - 1))
      }
      return trim(s)
    }
    function braces(s,    t) { t = s; return gsub(/\{/, "", t) - gsub(/\}/, "", s) }
    # Code ends in a statement or a block; a table or indented prose does not.
    function looks_like_code(    i, c) {
      for (i = n; i >= 1; i--) {
        c = code_of(lines[i])
        if (c != "") return c ~ /[;}]$/
      }
      return 0
    }
    function emit(    i, f, whole, top, depth, t) {
      if (n == 0) return
      printf "%s %d %d\n", file, first, first + n - 1 >> ranges
      whole = 0
      for (i = 1; i <= n; i++) if (lines[i] ~ /int[ \t]+main[ \t]*\(/) whole = 1
      if (whole) {
        f = sprintf("%s/%s_%d.cpp", out, tag, first)
        printf "#line %d \"%s\"\n", first, file > f
        for (i = 1; i <= n; i++) print lines[i] > f
        close(f)
        n = 0
        return
      }
      f = group
      if (header != "") printf "#include \"%s\"\n", header >> f
      top = 0; depth = 0
      for (i = 1; i <= n; i++) {
        t = trim(lines[i])
        if (depth > 0 || t == "" || t ~ /^(#include|using |\/\/)/ || t ~ /^namespace[ \t]+[A-Za-z_0-9:]*[ \t]*\{/) {
          depth += braces(t)
          top = i
        } else break
      }
      for (i = 1; i <= top; i++)
        if (trim(lines[i]) ~ /^#include/) printf "#line %d \"%s\"\n%s\n", first + i - 1, file, lines[i] >> f
      printf "namespace mp_doc_%s_%d {\n", tag, first >> f
      for (i = 1; i <= top; i++)
        if (trim(lines[i]) !~ /^#include/) printf "#line %d \"%s\"\n%s\n", first + i - 1, file, lines[i] >> f
      print "void example() {" >> f
      printf "#line %d \"%s\"\n", first + top, file >> f
      for (i = top + 1; i <= n; i++) print lines[i] >> f
      print "}\n}" >> f
      n = 0
    }
    mode == "md" {
      if (!inside && $0 ~ /^```cpp[ \t]*$/) { inside = 1; n = 0; first = FNR + 1; next }
      if (inside && $0 ~ /^```/) { inside = 0; emit(); next }
      if (inside) lines[++n] = $0
      next
    }
    mode == "hpp" {
      if (match($0, /^\/\/   +[^ ]/) && (n > 0 || prev ~ /^\/\/[ \t]*$/ || (prev ~ /:[ \t]*$/ && prev !~ /^\/\/ - /))) {
        if (n == 0) first = FNR
        lines[++n] = substr($0, 3)
        next
      }
      if (n > 0) { if (looks_like_code()) emit(); n = 0 }
      prev = $0
    }
    END { if (mode == "hpp" && n > 0 && looks_like_code()) emit() }
  ' "$root/$1"
}

# start GROUP CONTEXT: the translation unit of one library's fragments begins with
# the declarations they leave to the reader.
start() {
  : >"$tmp/$1.cpp"
  [[ -f $root/$2 ]] && printf '#include "%s"\n' "$2" >"$tmp/$1.cpp"
}

files=0
if [[ -f $root/README.md ]]; then
  start README tests/examples/common.hpp
  extract README.md md README ""
  files=$((files + 1))
fi
for lib in "$@"; do
  [[ -d $root/$lib ]] || continue
  start "$lib" "tests/examples/$lib.hpp"
  if [[ -f $root/$lib/README.md ]]; then
    umbrella=
    [[ -f $root/$lib/$lib.hpp ]] && umbrella=$lib/$lib.hpp
    extract "$lib/README.md" md "$lib" "$umbrella"
    files=$((files + 1))
  fi
  # Its own headers and those of its sub-libraries (threadpool/green/), not internal/.
  for h in "$root/$lib"/*.hpp "$root/$lib"/*/*.hpp; do
    [[ -f $h && $h != */internal/* ]] || continue
    extract "${h#"$root"/}" hpp "$lib" "${h#"$root"/}"
    files=$((files + 1))
  done
done

shopt -s nullglob
touch "$tmp/ranges"
examples=$(wc -l <"$tmp/ranges")
# One compiler per translation unit, in parallel; a failed one leaves its messages
# in <unit>.cpp.err and a <unit>.cpp.failed marker.
units=()
for unit in "$tmp"/*.cpp; do grep -q 'mp_doc_\|^#line' "$unit" && units+=("$unit"); done
echo "examples-check: compiling $examples examples of $files files (${#units[@]} translation units)"
printf '%s\n' "${units[@]}" |
  xargs -r -P "$jobs" -I{} sh -c '$1 -std=c++20 -fsyntax-only -I"$2" -x c++ "$3" 2>"$3.err" || touch "$3.failed"' \
    sh "$cxx" "$root" {}

# Names the examples that the messages point into, then shows the messages.
failing=0
for marker in "$tmp"/*.cpp.failed; do
  err=${marker%.failed}.err
  named=$(awk 'NR == FNR { file[NR] = $1; lo[NR] = $2; hi[NR] = $3; count = NR; next }
               match($0, /^[^: ]+:[0-9]+:/) {
                 where = substr($0, 1, RLENGTH - 1); f = where; sub(/:[0-9]+$/, "", f)
                 line = substr(where, length(f) + 2) + 0
                 for (i = 1; i <= count; i++)
                   if (file[i] == f && line >= lo[i] && line <= hi[i] && !(i in seen)) {
                     seen[i] = 1; print f ":" lo[i]
                   }
               }' "$tmp/ranges" "$err")
  if [[ -z $named ]]; then
    echo "examples-check: the examples of $(basename "${marker%.cpp.failed}") do not compile (messages outside any example):" >&2
    failing=$((failing + 1))
  fi
  while IFS= read -r where; do
    [[ -n $where ]] || continue
    echo "examples-check: $where: this example does not compile" >&2
    failing=$((failing + 1))
  done <<<"$named"
  grep ': error:' "$err" | head -20 | sed 's/^/    /' >&2
done
if ((failing)); then
  echo "examples-check: $failing of $examples examples do not compile (the lines above name them)" >&2
  exit 1
fi
echo "examples-check: ok ($examples examples in $files files)"
