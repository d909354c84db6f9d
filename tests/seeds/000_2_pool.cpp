// Seed 000, program 2: Pool() (one worker per CPU) with five apply_async calls.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

void child_process_test(const std::string& name, int sleep_time) {
    py::print("Child process " + name + " with processId " + py::str(py::getpid()) + " starts.");
    py::sleep(sleep_time);
    py::print("Child process " + name + " with processId " + py::str(py::getpid()) + " ends.");
}

int main() {
    py::print("Parent processId is: " + py::str(py::getpid()) + ".");
    Pool p;  // 进程池默认大小是cpu的核数
    for (int i = 0; i < 5; ++i)
        (void)p.apply_async(child_process_test, "zni_" + py::str(i), i + 1);  // 向进程池提交目标请求
    py::print("Child processes are running.");
    p.close();
    p.join();  // 等待进程池中的所有子进程结束, 必须在close()或者terminate()之后
    py::print("All Processes end.");
    return 0;
}
