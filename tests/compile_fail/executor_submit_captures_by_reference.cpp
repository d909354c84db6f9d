// expect: mp::pool: a task's callable must be stateless
#include "pool/pool.hpp"

int main() {
    mp::pool::Executor executor(1);
    int total = 0;
    return executor.submit([&](int x) { return total + x; }, 1).get();
}
