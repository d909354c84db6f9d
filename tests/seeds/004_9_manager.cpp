// Seed 004, program 9: a child process sets two keys of a Manager's dict and the
// first item of its list; the parent prints both.
#include "ipc/manager.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::DictProxy;
using mp::ipc::ListProxy;
using mp::pool::Process;

void f(DictProxy d, ListProxy l) {
    d["a"] = 1;
    d["b"] = 2;
    l[0] = 100;
}

int main() {
    mp::ipc::Manager manager;  // with Manager() as manager:
    DictProxy d = manager.dict();
    mp::ipc::List numbers;
    for (int i : py::range(5)) numbers.push_back(i);
    ListProxy l = manager.list(numbers);
    Process p(f, d, l);
    p.start();
    p.join();
    py::print(d.repr());
    py::print(l.repr());
    return 0;
}
