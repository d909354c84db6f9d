// Seed 002, program 1: ten named threads, each sleeps and prints its number.
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::threadpool::Thread;

void worker(int num) {
    py::sleep(1);
    py::print(num);
}

int main() {
    std::vector<Thread> started;  // Python keeps a started Thread alive until it ends
    for (int i = 0; i < 10; ++i) {
        Thread t({.name = "t." + py::str(i)}, worker, i);
        t.start();
        started.push_back(std::move(t));
    }
    return 0;
}
