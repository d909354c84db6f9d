// Seed 002, program 17: Pool(5), ten apply_async calls with a callback.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

int myFun(int i) {
    py::sleep(2);
    return i + 100;
}

void end_call(const int& arg) { py::print("end_call", arg); }

int main() {
    Pool p(5);
    // print(p.map(myFun, range(10)))
    for (int i = 0; i < 10; ++i) (void)p.apply_async({.callback = end_call}, myFun, i);
    py::print("end");
    p.close();
    p.join();
    return 0;
}
