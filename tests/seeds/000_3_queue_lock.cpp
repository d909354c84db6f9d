// Seed 000, program 3: a writer puts A, B, C under a Lock; a reader gets forever and
// is terminated once the writer is done.
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::Queue;
using mp::pool::Process;
using mp::sync::Lock;

// The program lives in a namespace: POSIX's write and read would otherwise overload
// its functions' names.
namespace program {

// 写数据进程
void write(Queue<std::string>& q, Lock& lock, const std::string& name) {
    py::print("Child Process " + name + " starts");
    lock.acquire();  // 获得锁
    for (const std::string value : {"A", "B", "C"}) {
        py::print("Put " + value + " to queue...");
        q.put(value);
        py::sleep(py::random());
    }
    lock.release();  // 释放锁
    py::print("Child Process " + name + " ends");
}

// 读数据进程
void read(Queue<std::string>& q, Lock&, const std::string& name) {
    py::print("Child Process " + name + " starts");
    while (true) {  // 持续地读取q中的数据
        const std::string value = q.get();
        py::print("Get " + value + " from queue.");
    }
    py::print("Child Process " + name + " ends");
}

void main() {
    Queue<std::string> q;  // 父进程创建queue,并共享给各个子进程
    Lock lock;             // 创建锁
    Process pw(write, std::ref(q), std::ref(lock), "WRITE");
    Process pr(read, std::ref(q), std::ref(lock), "READ");
    pw.start();
    pr.start();
    pw.join();
    pr.terminate();  // pr是个死循环,通过terminate杀死
    py::print("Test finish.");
}

}  // namespace program

int main() { program::main(); return 0; }
