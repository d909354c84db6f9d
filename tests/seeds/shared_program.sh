#!/usr/bin/env bash
# Writes the one C++ file that builds seed programs into one binary:
#   shared_program.sh OUT SEED.cpp...
# Compiled one by one, the seeds took most of the test build's time, each
# instantiating the library templates for its own functions again. In the shared
# binary each seed lives in a namespace of its own with its main renamed seed_main;
# the binary's main runs the seed its argv[0] names (the build links each seed's
# name to it). The headers the seeds include come first, so a seed's own #include
# lines inside its namespace find them already included. OUT is rewritten only when
# its text changes, so an unchanged list rebuilds nothing.
set -eu
out=$1
shift

namespace_of() { local name=${1##*/}; echo "seed_${name%.cpp}"; }

text=$(
  echo "// Written by tests/seeds/shared_program.sh; see there."
  { grep -h '^#include' "$@"; echo '#include <cstdio>'; echo '#include <cstring>'; } | sort -u
  echo
  echo '#define main seed_main'
  for seed in "$@"; do
    echo "namespace $(namespace_of "$seed") {"
    echo "#include \"$seed\""
    echo "}"
  done
  echo '#undef main'
  echo
  echo 'int main([[maybe_unused]] int argc, char** argv) {'
  echo '    const char* slash = std::strrchr(argv[0], '"'/'"');'
  echo '    const char* name = slash != nullptr ? slash + 1 : argv[0];'
  for seed in "$@"; do
    args=
    grep -q '^int main(int argc, char\*\* argv)' "$seed" && args='argc, argv'
    name=${seed##*/}
    echo "    if (std::strcmp(name, \"${name%.cpp}\") == 0) return $(namespace_of "$seed")::seed_main($args);"
  done
  echo '    std::fprintf(stderr, "%s: no seed program of that name in this binary\n", name);'
  echo '    return 2;'
  echo '}'
)
if [[ ! -f $out || $(<"$out") != "$text" ]]; then
  mkdir -p "$(dirname "$out")"
  printf '%s\n' "$text" >"$out"
fi
