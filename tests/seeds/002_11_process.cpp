// Seed 002, program 11: one Process says hello.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

void work(const std::string& name) { py::print("Hello, " + name); }

int main() {
    Process p(work, "nick");
    p.start();
    p.join();
    return 0;
}
