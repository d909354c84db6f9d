// Seed 002, program 6: ten threads wait for an Event that main sets when stdin says
// "true".
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::sync::Event;
using mp::threadpool::Thread;

void do_(Event& event) {  // Python's do, a C++ keyword
    py::print("start");
    event.wait();
    py::print("execute");
}

int main() {
    Event event_obj;
    std::vector<Thread> started;  // Python keeps a started Thread alive until it ends
    for (int i = 0; i < 10; ++i) {
        Thread t(do_, std::ref(event_obj));
        t.start();
        started.push_back(std::move(t));
    }

    event_obj.clear();
    std::string inp = py::input("input:");
    if (inp == "true") event_obj.set();
    return 0;
}
