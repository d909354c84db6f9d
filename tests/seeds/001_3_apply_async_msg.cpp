// Seed 001, program 3: Pool(processes=3), ten apply_async calls; the list of results
// is printed as Python prints a list of ApplyResult objects, then each result.
#include <cstdint>

#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::AsyncResult;
using mp::pool::Pool;

std::string func(const std::string& msg) {
    py::print("msg:", msg);
    py::sleep(1);
    return msg;
}

// Python's repr of an ApplyResult: its class and address.
std::string repr(const AsyncResult<std::string>& res) {
    char address[32];
    std::snprintf(address, sizeof address, "%#jx", static_cast<std::uintmax_t>(reinterpret_cast<std::uintptr_t>(&res)));
    return std::string("<multiprocessing.pool.ApplyResult object at ") + address + ">";
}

int main() {
    Pool pool(3);
    std::vector<AsyncResult<std::string>> res_l;
    for (int i = 0; i < 10; ++i) {
        std::string msg = "hello " + py::str(i);
        auto res = pool.apply_async(func, msg);  // 维持执行的进程总数为processes
        res_l.push_back(std::move(res));
    }
    py::print("==============================>");

    pool.close();  // 关闭进程池,防止进一步操作
    pool.join();   // 调用join之前,先调用close函数,否则会出错

    std::string list = "[";  // print(res_l): the objects, not yet their results
    for (const auto& res : res_l) list += (list.size() > 1 ? ", " : "") + repr(res);
    py::print(list + "]");
    for (auto& i : res_l) py::print(i.get());  // 使用get来获取apply_aync的结果
    return 0;
}
