// Seed 002, program 10: "线程池(二)": threads made on demand up to max_num, fed
// (func, args, callback) tuples through a queue, stopped by a StopEvent each.
#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>

#include "tests/seeds/py.hpp"
#include "threadpool/threadpool.hpp"

using mp::threadpool::BlockingQueue;
using mp::threadpool::Thread;

// (func, args, callback,); the callback gets (status, result): result is None or,
// when func raised, the exception.
using Func = void (*)(int);
using Callback = std::function<void(bool, std::exception_ptr)>;
using Work = std::tuple<Func, std::tuple<int>, Callback>;
// StopEvent = object(): the one item that is not work.
inline constexpr std::nullopt_t StopEvent = std::nullopt;

// The seed stores threading.currentThread itself (the function, not called) in its
// lists; so does the port.
using ThreadFunction = mp::threadpool::ThreadRef (*)();

class Threadpool {
public:
    explicit Threadpool(std::size_t max_num = 10) : max_num(max_num) {}

    // 线程池执行一个任务
    void run(Func func, std::tuple<int> args, Callback callback = nullptr) {
        if (len(free_list) == 0 && len(generate_list) < max_num) generate_thread();
        Work w{func, args, callback};
        q.put(w);
    }

    // 创建一个线程
    // Python appends the thread to generate_list as call()'s first line, on the new
    // thread; its global lock makes that line run before start() returns (start waits
    // for the thread to begin, which then holds the lock). C++ threads give no such
    // order, and close() must count every thread made, so the port appends here.
    void generate_thread() {
        append(generate_list, mp::threadpool::current_thread);
        Thread t(&Threadpool::call, this);
        t.start();
        threads.push_back(std::move(t));  // Python keeps a started Thread alive until it ends
    }

    // 循环去获取任务函数并执行任务函数
    void call() {
        ThreadFunction current_thread = mp::threadpool::current_thread;  // 当前线程 (appended by generate_thread)

        std::optional<Work> event = q.get();
        while (event != StopEvent) {
            auto [func, arguments, callback] = *event;
            bool status;
            std::exception_ptr result;
            try {
                std::apply(func, arguments);
                status = true;
            } catch (...) {
                status = false;
                result = std::current_exception();
            }
            if (callback != nullptr) {
                try {
                    callback(status, result);
                } catch (...) {
                }
            }
            if (terminal) {
                event = StopEvent;
            } else {
                WorkerState with(*this, free_list, current_thread);
                event = q.get();
            }
        }
        remove(generate_list, current_thread);
    }

    // 执行完所有的任务后,所有线程停止
    void close() {
        std::size_t num = len(generate_list);
        while (num) {
            q.put(StopEvent);
            num -= 1;
        }
    }

    // 无论是否还有任务,终止线程
    void terminate() {
        terminal = true;
        while (len(generate_list)) q.put(StopEvent);
        q.empty();  // 清空队列
    }

private:
    // worker_state: 用于记录线程中正在等待的线程数 (a context manager: in for its scope)
    struct WorkerState {
        WorkerState(Threadpool& pool, std::vector<ThreadFunction>& frelist, ThreadFunction val)
            : pool(pool), frelist(frelist), val(val) {
            pool.append(frelist, val);
        }
        ~WorkerState() { pool.remove(frelist, val); }
        Threadpool& pool;
        std::vector<ThreadFunction>& frelist;
        ThreadFunction val;
    };

    // Python's list operations are atomic under its global lock; here a mutex makes them so.
    std::size_t len(const std::vector<ThreadFunction>& list) {
        std::lock_guard lock(lists_mutex);
        return list.size();
    }
    void append(std::vector<ThreadFunction>& list, ThreadFunction value) {
        std::lock_guard lock(lists_mutex);
        list.push_back(value);
    }
    void remove(std::vector<ThreadFunction>& list, ThreadFunction value) {
        std::lock_guard lock(lists_mutex);
        list.erase(std::find(list.begin(), list.end(), value));
    }

    BlockingQueue<std::optional<Work>> q;
    std::size_t max_num;
    std::atomic<bool> terminal = false;
    std::mutex lists_mutex;
    std::vector<ThreadFunction> generate_list;  // 以创建线程列表
    std::vector<ThreadFunction> free_list;      // 以创建的线程空闲列表
    std::vector<Thread> threads;
};

void work(int i) {
    py::sleep(1);
    py::print(i);
}

int main() {
    Threadpool pool;
    for (int item = 0; item < 50; ++item) pool.run(work, std::tuple{item});
    pool.close();
    // pool.terminate()
    return 0;
}
