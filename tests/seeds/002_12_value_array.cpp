// Seed 002, program 12: a child sets a shared Value('d') and negates a shared Array('i').
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;
using mp::shm::Array;
using mp::shm::Value;

void f(Value<double>& n, Array<int>& a) {
    n.store(3.1415927);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = -a[i];
}

int main() {
    auto num = Value<double>::anonymous(0.0);
    auto arr = Array<int>::anonymous(py::range(10));

    Process p(f, std::ref(num), std::ref(arr));
    p.start();
    p.join();

    py::print(num.load());
    py::print(std::vector<int>(arr.begin(), arr.begin() + arr.size()));  // arr[:]
    return 0;
}
