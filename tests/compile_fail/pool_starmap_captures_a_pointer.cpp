// expect: mp::pool: a task's callable must be stateless
#include <tuple>
#include <vector>

#include "pool/pool.hpp"

int main() {
    mp::pool::Pool pool(1);
    int counter = 0;
    int* seen = &counter;
    auto r = pool.starmap([seen](int a, int b) { return a + b + *seen; }, std::vector<std::tuple<int, int>>{{1, 2}});
    return r.at(0);
}
