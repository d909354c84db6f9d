// Seed 004, program 7: ten processes, never joined, print under one Lock.
#include "pool/pool.hpp"
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;
using mp::sync::Lock;

void f(Lock& l, int i) {
    l.acquire();
    try {
        py::print("hello ", i);
    } catch (...) {  // finally:
        l.release();
        throw;
    }
    l.release();
}

int main() {
    Lock lock;
    for (int num = 0; num < 10; ++num) Process(f, std::ref(lock), num).start();
    return 0;
}
