// Seed 000, program 4: one process sends on a Pipe, the next receives.
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::Connection;
using mp::pool::Process;

// The program lives in a namespace: POSIX's send and recv would otherwise overload
// its functions' names.
namespace program {

// 发送数据进程
void send(Connection& child_pipe, const std::string& name) {
    py::print("Child Process " + name + " starts");
    child_pipe.send(std::string("This is Mr.Ni"));
    child_pipe.close();
    py::sleep(py::random());
    py::print("Child Process " + name + " ends");
}

// 接收数据进程
void recv(Connection& parent_pipe, const std::string& name) {
    py::print("Child Process " + name + " starts");
    py::print(parent_pipe.recv<std::string>());
    py::sleep(py::random());
    py::print("Child Process " + name + " ends");
}

void main() {
    auto [parent, child] = mp::ipc::Pipe();  // 创建管道
    Process ps(send, std::ref(child), "SEND");
    Process pr(recv, std::ref(parent), "RECEIVE");
    ps.start();
    ps.join();  // 等待send进程结束
    pr.start();
    pr.join();  // 等待recv进程结束
    py::print("Test finish.");
}

}  // namespace program

int main() { program::main(); return 0; }
