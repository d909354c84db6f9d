// What shm's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "shm/shm.hpp"
#include "tests/examples/common.hpp"
