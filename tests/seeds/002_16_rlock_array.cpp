// Seed 002, program 16: twenty processes, never joined, each set the first element of
// a shared Array under a shared RLock and print the Array (Python 2's print statement,
// as Python 3's print()).
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;
using mp::shm::Array;
using mp::sync::RLock;

// 将第 0 个数加 100
void Foo(RLock& lock, Array<int>& temp, int i) {
    lock.acquire();
    temp[0] = 100 + i;
    for (int item : temp) py::print(i, "----->", item);
    lock.release();
}

int main() {
    RLock lock;
    auto temp = Array<int>::anonymous({11, 22, 33, 44});
    for (int i = 0; i < 20; ++i) {
        Process p(Foo, std::ref(lock), std::ref(temp), i);
        p.start();
    }
    return 0;
}
