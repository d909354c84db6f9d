// Seed 003, program 9: ProcessPoolExecutor.map over 25 (i, j) tuples, through a
// one-argument function that unpacks them. The snippet uses the previous program's
// `pool = ProcessPoolExecutor(4)`; it is made here, not yet shut down.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Executor;

std::tuple<int, int> start_process_muti(int n, int m) {
    py::print(py::str(n) + " process start");
    py::sleep(10);
    py::print(py::str(n) + " process finish");
    return {n, m};
}

// 需要使用args接收多参数,防止出现缺少某一个位置参数的问题
std::tuple<int, int> start_process_do(const std::tuple<int, int>& args) { return std::apply(start_process_muti, args); }

int main() {
    Executor pool(4);
    std::vector<std::tuple<int, int>> data;
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) data.emplace_back(i, j);
    py::print(data);
    auto ret = pool.map(start_process_do, data);
    py::print(ret);  // list(ret)
    return 0;
}
