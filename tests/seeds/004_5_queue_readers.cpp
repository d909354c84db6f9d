// Seed 004, program 5: two writers and one reader share a Queue; the reader reads
// while qsize() > 0 (the snippet's test_queue, run from main).
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::Queue;
using mp::pool::Process;

void f_write(Queue<std::string>& q, int n, const std::string& name) {
    for (int i = 0; i < n; ++i) {
        q.put(name + "_" + py::str(i));
        py::sleep(0.1);
    }
}

void f_read(Queue<std::string>& q) {
    while (q.qsize() > 0) {
        py::print(q.get_nowait());  // get(block=False, timeout=1): the timeout is ignored
        py::sleep(0.5);
    }
}

void test_queue() {
    // 三个进程,一个写进程,两个读进程
    Queue<std::string> q;
    q.put("origin_value");
    q.put("b");

    Process p1(f_write, std::ref(q), 5, "a");
    Process p2(f_write, std::ref(q), 8, "b");
    Process p3(f_read, std::ref(q));

    p1.start();
    p2.start();
    p3.start();

    p1.join();
    p2.join();
    p3.join();

    py::print("total: ", q.qsize());
}

int main() { test_queue(); return 0; }
