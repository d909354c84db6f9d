// The names pool's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/examples/common.hpp"

int square(int x);
int square_of(int x);
extern std::vector<int> numbers;
extern mp::pool::Pool& pool;
void put_items(mp::ipc::Queue<int>& q);
void drain(mp::ipc::Queue<int>& q);
