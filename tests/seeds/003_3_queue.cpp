// Seed 003, program 3: one process puts on a module-level Queue, another gets.
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

mp::ipc::Queue<std::string> queue;

void put(const std::string& msg) { queue.put(msg); }

void get() {
    std::string msg = queue.get();
    py::print("msg:" + msg);
}

int main() {
    Process p(put, "message");
    p.start();
    Process p2(get);
    p2.start();
    return 0;
}
