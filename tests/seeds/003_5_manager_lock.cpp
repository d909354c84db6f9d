// Seed 003, program 5: ten processes each add one to a Manager dict's count under a
// Lock and append it to a Manager list, then print both (after releasing the lock,
// so what they print depends on scheduling).
#include <vector>

#include "ipc/manager.hpp"
#include "pool/pool.hpp"
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::DictProxy;
using mp::ipc::ListProxy;
using mp::ipc::Object;
using mp::pool::Process;

mp::ipc::Manager manager;
DictProxy d = manager.dict(mp::ipc::Dict{{"count", 0}});
ListProxy l = manager.list(mp::ipc::List{});
mp::sync::Lock lock;

void start_process1(DictProxy d, ListProxy l) {
    lock.acquire();
    d["count"] = Object(d["count"]).as_int() + 1;
    l.append(d["count"]);
    lock.release();
    py::print(Object(d["count"]).repr());
    py::print(l.repr());
}

int main() {
    std::vector<Process> p_list;
    for (int i : py::range(10)) {
        (void)i;
        Process p(start_process1, d, l);
        p.start();
        p_list.push_back(std::move(p));
    }
    for (auto& p : p_list) p.join();
    return 0;
}
