// Seed 002, program 20: gevent — spawn, sleep(0) as an explicit switch, joinall.
#include "tests/seeds/py.hpp"
#include "threadpool/green/green.hpp"

namespace gevent = mp::threadpool::green;

void foo() {
    py::print("Running in foo");
    gevent::sleep(std::chrono::seconds(0));
    py::print("Explicit context switch to foo angin");
}

void bar() {
    py::print("Explicit context to bar");
    gevent::sleep(std::chrono::seconds(0));
    py::print("Implicit context swich back to bar");
}

int main() {
    gevent::joinall({
        gevent::spawn(foo),
        gevent::spawn(bar),
    });
    // 输出结果: Running in foo / Explicit context to bar / Explicit context switch to foo angin /
    // Implicit context swich back to bar
    return 0;
}
