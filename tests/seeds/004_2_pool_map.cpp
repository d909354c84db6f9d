// Seed 004, program 2: Pool.map (the snippet's test_pool_map, run from main).
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

int f(int x) { return x * x; }

void test_pool_map() {
    std::vector<int> results;
    {
        Pool pool(4);
        results = pool.map(f, py::range(10));
    }
    py::print(results);
}

int main() { test_pool_map(); return 0; }
