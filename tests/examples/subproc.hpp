// The names subproc's examples leave to the reader (tests/examples_check.sh); its
// headers' examples are written as after `using namespace mp::subproc;`, as the
// README's.
#pragma once

#include "subproc/subproc.hpp"
#include "tests/examples/common.hpp"

using namespace mp::subproc;

extern std::string words;
extern std::string text;
