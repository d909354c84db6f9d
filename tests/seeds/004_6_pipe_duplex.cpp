// Seed 004, program 6: both ends of a duplex Pipe written and read by four
// processes in turn; readers poll(timeout=2) until nothing more comes.
#include <cstdint>

#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::Connection;
using mp::pool::Process;

void send_info(Connection& conn, const std::string& info) {
    conn.send(info);
    conn.close();
}

void read_info(Connection& conn) {
    while (conn.poll(2 * py::kSecond)) {
        std::string info = conn.recv<std::string>();
        py::print(info);
    }
}

// Python's id(): the object's address.
std::uintptr_t id(const Connection& conn) { return reinterpret_cast<std::uintptr_t>(&conn); }

void test_pipe() {
    // 两个 conn 分别都往里面读和写
    auto [parent_conn, child_conn] = mp::ipc::Pipe();

    // p1 向 child 管道写入
    py::print("id out of func: ", id(child_conn));
    Process p1(send_info, std::ref(child_conn), "send_info_from_child");
    p1.start();
    p1.join();

    // p2 从 parent 管道读取
    Process p2(read_info, std::ref(parent_conn));
    p2.start();
    p2.join();

    // p3 向 parent 管道写入
    Process p3(send_info, std::ref(parent_conn), "send_info_from_parent");
    p3.start();
    p3.join();

    // p4 从 child 管道读取
    Process p4(read_info, std::ref(child_conn));
    p4.start();
    p4.join();
}

int main() { test_pipe(); return 0; }
