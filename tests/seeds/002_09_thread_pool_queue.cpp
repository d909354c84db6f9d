// Seed 002, program 9: "自定义线程池(一)": a queue of ten thread classes; each task
// takes one to make its thread and gives it back when done.
#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::threadpool::BlockingQueue;
using mp::threadpool::Thread;

// threading.Thread as a value, as Python puts the class in the queue: calling it
// makes a Thread.
struct ThreadClass {
    template <class... Args>
    Thread operator()(Args&&... args) const {
        return Thread(std::forward<Args>(args)...);
    }
};
inline constexpr ThreadClass threading_Thread{};

class TreadPool {
public:
    explicit TreadPool(int max_num = 20) : queue(max_num) {
        for (int i = 0; i < max_num; ++i) queue.put(threading_Thread);
    }
    ThreadClass get_thread() { return queue.get(); }
    void add_thread() { queue.put(threading_Thread); }

private:
    BlockingQueue<ThreadClass> queue;
};

void func(TreadPool& pool, int n) {
    py::sleep(1);
    py::print(n);
    pool.add_thread();
}

int main() {
    TreadPool p(10);
    std::vector<Thread> started;  // Python keeps a started Thread alive until it ends
    for (int i = 1; i < 100; ++i) {
        ThreadClass thread = p.get_thread();
        Thread t = thread(func, std::ref(p), i);
        t.start();
        started.push_back(std::move(t));
    }
    return 0;
}
