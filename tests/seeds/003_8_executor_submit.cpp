// Seed 003, program 8: ProcessPoolExecutor(4), five submit calls, their results.
// submit(fn=..., n=..., m=...) with keywords, as Python 3.8 took it (3.9 refuses fn=).
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Executor;

std::tuple<std::string, std::string> start_process(const std::string& n, const std::string& m) {
    py::print(n + " process start");
    py::sleep(10);
    py::print(n + " process finish");
    return {n, m};
}

int main() {
    Executor pool(4);
    std::vector<mp::threadpool::Future<std::tuple<std::string, std::string>>> ret_list;
    for (int i = 0; i < 5; ++i) {
        // 多个参数使用带参方式传入
        auto ret = pool.submit(start_process, py::str(i + 1), py::str(i));
        ret_list.push_back(std::move(ret));
    }
    for (auto& ret : ret_list) py::print(ret.result());
    // 等待进程全部结束再继续运行,相当于join
    pool.shutdown(true);
    return 0;
}
