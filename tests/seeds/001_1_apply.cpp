// Seed 001, program 1: Pool(3), ten blocking apply calls.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

int work(int n) {
    py::print(py::str(py::getpid()) + " run");
    py::sleep(3);
    return n * n;
}

int main() {
    Pool p(3);  // 进程池中从无到有创建三个进程,以后一直是这三个进程在执行任务
    std::vector<int> res_l;
    for (int i = 0; i < 10; ++i) {
        int res = p.apply(work, i);  // 同步调用,直到本次任务执行完毕拿到res
        res_l.push_back(res);
    }
    py::print(res_l);
    return 0;
}
