// The names sync's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "sync/sync.hpp"
#include "tests/examples/common.hpp"

void run();
extern void* mapping;
// Defined: examples call it with a type of their own, local to the example.
template <class Shared>
void repair(Shared*) {}
