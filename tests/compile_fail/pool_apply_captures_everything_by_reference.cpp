// expect: mp::pool: a task's callable must be stateless
#include "pool/pool.hpp"

int main() {
    mp::pool::Pool pool(1);
    int total = 0;
    return pool.apply([&](int x) { return total + x; }, 1);
}
