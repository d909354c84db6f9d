// expect: mp::pool: a task's callable must be stateless
// A value capture looks the same as a reference capture to the compiler: refused too.
#include <vector>

#include "pool/pool.hpp"

int main() {
    mp::pool::Pool pool(1);
    const int factor = 3;
    return static_cast<int>(pool.map([factor](int x) { return x * factor; }, std::vector<int>{1, 2}).size());
}
