// Seed 002, program 18: `with Pool(processes=4) as pool:` map, imap_unordered,
// apply_async with get(timeout=1), and a get that times out.
#include <unistd.h>

#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

int f(int x) { return x * x; }

int main() {
    {
        Pool pool(4);  // 创建 4 个进程

        // 打印 "[0, 1, 4,..., 81]"
        py::print(pool.map(f, py::range(10)));

        // 使用任意顺序输出相同的数字
        for (int i : pool.imap_unordered(f, py::range(10))) py::print(i);

        // 异步执行"f(20)"
        auto res = pool.apply_async(f, 20);  // 只运行一个进程
        py::print(res.get(py::kSecond));    // 输出 "400"

        // 异步执行 "os.getpid()"
        auto pid = pool.apply_async(::getpid);  // 只运行一个进程
        py::print(pid.get(py::kSecond));        // 输出进程的 PID

        // 运行多个异步执行可能会使用多个进程
        std::vector<mp::pool::AsyncResult<pid_t>> multiple_results;
        for (int i = 0; i < 4; ++i) multiple_results.push_back(pool.apply_async(::getpid));
        std::vector<pid_t> pids;
        for (auto& res : multiple_results) pids.push_back(res.get(py::kSecond));
        py::print(pids);

        // 是一个进程睡10秒
        auto sleeping = pool.apply_async(py::sleep, 10.0);
        try {
            sleeping.get(py::kSecond);
            py::print(std::monostate{});  // print(None): what time.sleep returns
        } catch (const mp::pool::TimeoutError&) {
            py::print("发现一个 multiprocessing.TimeoutError异常");
        }

        py::print("目前,池中还有其他的工作");
    }  // 退出with块中已经停止的池
    py::print("Now the pool is closed and no longer available");
    return 0;
}
