// Seed 004, program 8: Value('d', 1) and Array('i', range(5)) written by a child.
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;
using mp::shm::Array;
using mp::shm::Value;

void f(Value<double>& n, Array<int>& a) {
    n.store(5);
    a[0] = 100;
}

// arr[:]: a list of the elements.
std::vector<int> all(const Array<int>& a) { return std::vector<int>(a.begin(), a.begin() + a.size()); }

int main() {
    auto num = Value<double>::anonymous(1);
    auto arr = Array<int>::anonymous(py::range(5));
    py::print(num.load());
    py::print(all(arr));

    Process p(f, std::ref(num), std::ref(arr));
    p.start();
    p.join();

    py::print(num.load());
    py::print(all(arr));
    return 0;
}
