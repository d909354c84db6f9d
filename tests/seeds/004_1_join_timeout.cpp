// Seed 004, program 1: join(0.5) on five processes, two of which sleep longer; then
// each Process as Python prints it, is_alive(), pid and parent pid.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

int f(int x) {
    if (x % 2 == 1) py::sleep(x + 1);
    py::print(x * x);
    return x * x;
}

// Python's repr of a Process. The parent is the process that started it: this one.
std::string repr(const Process& p) {
    const std::string state = p.exitcode() ? "stopped exitcode=" + py::str(*p.exitcode()) : "started";
    return "<Process name='" + p.name() + "' pid=" + py::str(p.pid()) + " parent=" + py::str(py::getpid()) + " " + state + ">";
}

void test_multi_process() {
    std::vector<Process> processes;
    for (int i = 0; i < 5; ++i) processes.emplace_back(f, i);
    for (auto& p : processes) p.start();
    for (auto& p : processes) (void)p.join_for(py::kSecond / 2);  // p.join(0.5): Python returns None either way
    for (auto& p : processes) {
        const bool alive = p.is_alive();  // Python evaluates it before print() writes p
        py::print(repr(p), alive, p.pid(), py::getpid());
    }
}

int main() { test_multi_process(); return 0; }
