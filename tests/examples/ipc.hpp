// The names ipc's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "ipc/ipc.hpp"
#include "tests/examples/common.hpp"

extern mp::ipc::Connection& conn;
void add_one(mp::ipc::Object& value);
extern mp::ipc::DictProxy d;
extern std::vector<std::byte> key;
extern mp::ipc::Manager manager;
