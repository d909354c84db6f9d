// Seed 001, program 2: Pool(3), ten apply_async calls, results read after join.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

int work(int n) {
    py::print(py::str(py::getpid()) + " run");
    py::sleep(3);
    return n * n;
}

int main() {
    Pool p(3);
    std::vector<mp::pool::AsyncResult<int>> res_l;
    for (int i = 0; i < 10; ++i) {
        auto res = p.apply_async(work, i);
        res_l.push_back(std::move(res));
    }
    // 主进程需要使用join,等待进程池内任务都处理完,然后可以用get收集结果
    p.close();
    p.join();
    for (auto& res : res_l) py::print(res.get());  // 使用get来获取apply_aync的结果
    return 0;
}
