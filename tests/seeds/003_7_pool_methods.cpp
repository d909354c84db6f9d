// Seed 003, program 7: Pool(4): apply_async with a callback, close, join; then apply
// on the closed pool, which raises in Python 3 ("ValueError: Pool not running") and
// ends the program with status 1 before its map and map_async parts.
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Pool;

std::string start_process(const std::string& n) {
    py::print(n + " process start");
    py::sleep(10);
    py::print(n + " process finish");
    return n;
}

// 回调参数为进程的return的返回值
void callback(const std::string& n) { py::print("callback:n:" + n); }

void error_callback() { py::print("error_callback"); }

// Python's top level: an exception that escapes is printed and the status is 1.
int main() try {
    Pool pool(4);
    for (int i = 0; i < 5; ++i)  // 异步执行
        (void)pool.apply_async({.callback = callback}, start_process, py::str(i + 1));
    pool.close();
    pool.join();
    for (int i = 0; i < 5; ++i)  // 同步执行
        pool.apply(start_process, py::str(i + 1));
    pool.close();
    pool.join();
    // 批量对一个序列中的元素进行操作,同步
    pool.map(start_process, std::vector<std::string>{"1", "2", "3", "4"});
    pool.close();
    pool.join();
    // 批量对一个序列中的元素进行操作,异步
    (void)pool.map_async(start_process, std::vector<std::string>{"1", "2", "3", "4"}, 0,
                         {.callback = [](const std::vector<std::string>& n) { py::print("callback:n:" + py::repr(n)); }});
    pool.close();
    pool.join();
    py::print("process exec finish");
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
}
