// The names threadpool's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "threadpool/threadpool.hpp"
#include "tests/examples/common.hpp"

struct Page {};
Page fetch();
void show(const Page& page);
void cleanup();
struct Job {};
extern int n;
extern std::vector<int> in, out;
