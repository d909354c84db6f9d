// Seed 003, program 1: a named Process, never joined (the program waits for it at exit).
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

void run(const std::string& name) {
    py::sleep(10);
    py::print("process statrt:" + name);
}

int main() {
    Process p(run, "test1");
    p.set_name("test1");
    p.start();
    return 0;
}
