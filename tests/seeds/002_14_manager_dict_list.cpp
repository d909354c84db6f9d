// Seed 002, program 14: a child process fills a Manager's dict with keys of three
// types and reverses its list; the parent prints both.
#include "ipc/manager.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::DictProxy;
using mp::ipc::ListProxy;
using mp::pool::Process;

void f(DictProxy d, ListProxy l) {
    d[1] = "1";
    d["2"] = 2;
    d[0.25] = mp::ipc::None{};
    l.reverse();
}

int main() {
    mp::ipc::Manager manager;  // with Manager() as manager:
    DictProxy d = manager.dict();
    mp::ipc::List numbers;
    for (int i : py::range(10)) numbers.push_back(i);
    ListProxy l = manager.list(numbers);
    Process p(f, d, l);
    p.start();
    p.join();
    py::print(d.repr());
    py::print(l.repr());
    return 0;
}
