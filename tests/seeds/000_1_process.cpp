// Seed 000, program 1: a Process that sleeps, joined by the parent.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

// 子进程fun
void child_projcess_fun(const std::string& name) {
    py::print("Child process " + name + " with processId " + py::str(py::getpid()) + " starts.");
    py::sleep(3);
    py::print("Child process " + name + " with processId " + py::str(py::getpid()) + " ends.");
}

int main() {
    py::print("Parent processId is: " + py::str(py::getpid()) + ".");
    Process p(child_projcess_fun, "zni");
    py::print("Process starts");
    p.start();  // 开始进程
    p.join();   // 等待子进程结束后再继续往下执行
    py::print("Process ends.");
    return 0;
}
