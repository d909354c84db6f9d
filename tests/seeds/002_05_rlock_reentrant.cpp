// Seed 002, program 5: an RLock acquired twice by one thread does not block.
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"

int main() {
    mp::sync::RLock rlock(mp::sync::threads_only);
    rlock.acquire();
    rlock.acquire();  // 在同一线程内,程序不会堵塞。
    rlock.release();
    rlock.release();
    py::print("end.");
    return 0;
}
