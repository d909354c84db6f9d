// Seed 003, program 4: one process sends on a module-level Pipe, another receives.
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

auto [send_p, recv_p] = mp::ipc::Pipe();

// The program lives in a namespace: POSIX's send and recv would otherwise overload
// its functions' names.
namespace program {

void send(const std::string& msg) { send_p.send(msg); }

void recv() {
    std::string msg = recv_p.recv<std::string>();
    py::print("msg:" + msg);
}

void main() {
    Process p(send, "test");
    p.start();
    Process p2(recv);
    p2.start();
}

}  // namespace program

int main() { program::main(); return 0; }
