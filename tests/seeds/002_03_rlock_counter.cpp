// Seed 002, program 3: ten threads add one to a global under an RLock, sleep, print.
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::threadpool::Thread;

int num = 0;
mp::sync::RLock lock(mp::sync::threads_only);  // 实例化锁类

void work() {
    lock.acquire();  // 加锁
    num += 1;
    py::sleep(1);
    py::print(num);
    lock.release();  // 解锁
}

int main() {
    std::vector<Thread> started;  // Python keeps a started Thread alive until it ends
    for (int i = 0; i < 10; ++i) {
        Thread t(work);
        t.start();
        started.push_back(std::move(t));
    }
    return 0;
}
