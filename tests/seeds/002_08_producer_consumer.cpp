// Seed 002, program 8: twelve threads put into a queue.Queue(10), ten get from it;
// main prints the size at once. Which ten items the getters get, and the size, depend
// on the order the threads run (in Python too).
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::threadpool::BlockingQueue;
using mp::threadpool::Thread;

BlockingQueue<int> que(10);

void s(int i) {
    que.put(i);
}

void x(int) {
    int g = que.get();  // que.get(i): a true block argument, a blocking get
    py::print("get:", g);
}

int main() {
    std::vector<Thread> started;  // Python keeps a started Thread alive until it ends
    for (int i = 1; i < 13; ++i) {
        Thread t(s, i);
        t.start();
        started.push_back(std::move(t));
    }
    for (int i = 1; i < 11; ++i) {
        Thread t(x, i);
        t.start();
        started.push_back(std::move(t));
    }
    py::print("size:", que.qsize());
    return 0;
}
