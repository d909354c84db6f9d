// What every documentation example takes for granted: the standard and POSIX
// headers of the calls it makes, and chrono literals (tests/examples_check.sh).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <ranges>
#include <span>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
