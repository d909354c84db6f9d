// Seed 004, program 3: Pool.starmap over zip(range(6), range(6, 12)) (the snippet's
// test_pool_starmap, run from main).
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

int f_add(int x, int y) { return x + y; }

// zip(a, b): pairs as tuples, as long as the shorter.
std::vector<std::tuple<int, int>> zip(const std::vector<int>& a, const std::vector<int>& b) {
    std::vector<std::tuple<int, int>> pairs;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) pairs.emplace_back(a[i], b[i]);
    return pairs;
}

void test_pool_starmap() {
    std::vector<int> results;
    {
        Pool pool(4);
        results = pool.starmap(f_add, zip(py::range(6), py::range(6, 12)));
    }
    py::print(results);
}

int main() { test_pool_starmap(); return 0; }
