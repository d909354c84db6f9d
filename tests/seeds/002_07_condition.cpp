// Seed 002, program 7: two consumers wait on a Condition until a producer notifies all.
#include "sync/sync.hpp"
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::sync::Condition;
using mp::threadpool::Thread;

void consumer(Condition& cond) {
    std::lock_guard with(cond);
    py::print("consumer before wait");
    cond.wait();
    py::print("consumer after wait");
}

void producer(Condition& cond) {
    std::lock_guard with(cond);
    py::print("producer before notifyAll");
    cond.notify_all();
    py::print("producer after notifyAll");
}

int main() {
    Condition condition;
    Thread c1({.name = "c1"}, consumer, std::ref(condition));
    Thread c2({.name = "c2"}, consumer, std::ref(condition));
    Thread p({.name = "p"}, producer, std::ref(condition));

    c1.start();
    py::sleep(2);
    c2.start();
    py::sleep(2);
    p.start();
    // consumer()线程要等待producer()设置了Condition之后才能继续。
    return 0;
}
