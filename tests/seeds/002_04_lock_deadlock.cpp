// Seed 002, program 4: a Lock acquired twice by one thread deadlocks, as in Python.
#include "sync/sync.hpp"

int main() {
    mp::sync::Lock lock(mp::sync::threads_only);
    lock.acquire();
    lock.acquire();  // 产生死锁
    lock.release();
    lock.release();
    return 0;
}
