// expect: mp::pool: a task's callable must be stateless
// A reference capture would read the worker's stale copy of `total`.
#include "pool/pool.hpp"

int main() {
    mp::pool::Pool pool(1);
    int total = 0;
    return pool.apply([&total](int x) { return total + x; }, 1);
}
