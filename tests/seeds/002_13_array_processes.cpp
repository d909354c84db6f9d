// Seed 002, program 13: two processes, never joined, each set one element of a
// shared Array and print all of it (Python 2's print statement, as Python 3's print()).
#include "pool/pool.hpp"
#include "shm/shm.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;
using mp::shm::Array;

auto temp = Array<int>::anonymous({11, 22, 33, 44});

void Foo(int i) {
    temp[i] = 100 + i;
    for (int item : temp) py::print(i, "----->", item);
}

int main() {
    for (int i = 0; i < 2; ++i) {
        Process p(Foo, i);
        p.start();
    }
    return 0;
}
