// Seed 001, program 4: Pool(processes=3), ten blocking apply calls.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

std::string func(const std::string& msg) {
    py::print("msg:", msg);
    py::sleep(0.1);
    return msg;
}

int main() {
    Pool pool(3);
    std::vector<std::string> res_l;
    for (int i = 0; i < 10; ++i) {
        std::string msg = "hello " + py::str(i);
        std::string res = pool.apply(func, msg);
        res_l.push_back(res);  // 同步执行,即执行完一个拿到结果,再去执行另外一个
    }
    py::print("==============================>");
    pool.close();
    pool.join();

    py::print(res_l);  // 看到的就是最终的结果组成的列表
    for (const auto& i : res_l) py::print(i);
    return 0;
}
