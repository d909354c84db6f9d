// Seed 002, program 2: a Thread subclass whose run() prints and sleeps.
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

// 继承式调用
class MyThread : public mp::threadpool::Thread {
public:
    explicit MyThread(int num) : num(num) {}
    ~MyThread() override { join_if_started(); }

private:
    void run() override {  // 定义每个线程要运行的函数
        py::print("running on number:" + py::str(num));
        py::sleep(2);
    }
    int num;
};

int main() {
    MyThread t1(1);
    MyThread t2(2);
    t1.start();
    t2.start();
    return 0;
}
