// threadpool tour: the classic examples of Python's threading, queue and hand-made
// thread pools, replayed with real threads. The lock / event / condition parts use
// the standard library's primitives; the queue and the pools are this library's.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bin/threadpool_commands.hpp"
#include "threadpool/threadpool.hpp"

namespace mp::tools::threadpool {

using namespace mp::threadpool;

namespace {

using namespace std::chrono_literals;

// Lines from several threads never interleave mid-line.
std::mutex print_mutex;
template <class... A>
void say(const char* format, A... args) {
    std::lock_guard lock(print_mutex);
    std::printf(format, args...);
    std::fflush(stdout);
}

void section(const char* title) {
    say("\n== %s\n", title);
}

void ten_threads() {
    section("threading.Thread: 10 threads, each prints its number");
    std::vector<std::thread> threads;
    for (int i = 0; i < 10; ++i) threads.emplace_back([i] { say("thread %d running\n", i); });
    for (auto& t : threads) t.join();
    say("all 10 joined\n");
}

// The seed's subclass, Python on the right:
class MyThread : public Thread {                                // class MyThread(threading.Thread):
public:                                                         //     def __init__(self, num):
    explicit MyThread(int num) : num_(num) {}                   //         threading.Thread.__init__(self)
    ~MyThread() override { join_if_started(); }                 //         self.num = num

private:
    void run() override {                                       //     def run(self):
        say("running on number:%d\n", num_);                    //         print("running on number:%s" % self.num)
        std::this_thread::sleep_for(200ms);                     //         time.sleep(2)  (shortened)
    }
    int num_;
};

void thread_subclass_and_timer() {
    section("threading.Thread subclass (MyThread) and threading.Timer");
    {
        MyThread t1(1);                                         // t1 = MyThread(1)
        MyThread t2(2);                                         // t2 = MyThread(2)
        t1.start();                                             // t1.start()
        t1.join();                                              // (joined here so the output is in order)
        t2.start();                                             // t2.start()
        t2.join();
    }
    Timer hello(100ms, [](const char* who) { say("hello, %s\n", who); }, "world");  // t = Timer(0.1, hello, args=("world",))
    hello.start();                                              // t.start()
    Timer never(std::chrono::hours(1), [] { say("never printed\n"); });  // u = Timer(3600, f)
    never.start();                                              // u.start()
    never.cancel();                                             // u.cancel(): ends at once, f never runs
    never.join();
    hello.join();
    say("the timer fired once; the cancelled one never did\n");
}

void counter_under_lock() {
    section("threading.Lock: 10 threads add 100000 each to one counter");
    long counter = 0;
    std::mutex lock;
    std::vector<std::thread> threads;
    for (int i = 0; i < 10; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 100000; ++k) {
                std::lock_guard guard(lock);
                ++counter;
            }
        });
    for (auto& t : threads) t.join();
    say("counter = %ld (expected 1000000)\n", counter);
}

// Python's threading.Event, from a mutex, a condition variable and a flag.
class Event {
public:
    void set() {
        {
            std::lock_guard lock(mutex_);
            flag_ = true;
        }
        cv_.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return flag_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool flag_ = false;
};

void event_gate() {
    section("threading.Event: 3 threads wait at a gate the main thread opens");
    Event gate;
    std::atomic<int> waiting{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&, i] {
            ++waiting;
            gate.wait();
            say("thread %d passed the gate\n", i);
        });
    while (waiting < 3) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms);
    say("main: opening the gate\n");
    gate.set();
    for (auto& t : threads) t.join();
}

void condition_producer_consumer() {
    section("threading.Condition: a consumer waits until the producer has made an item");
    std::mutex mutex;
    std::condition_variable available;
    std::vector<int> items;
    bool done = false;
    std::thread consumer([&] {
        std::unique_lock lock(mutex);
        for (;;) {
            available.wait(lock, [&] { return !items.empty() || done; });
            if (items.empty()) return;
            const int item = items.back();
            items.pop_back();
            say("consumer: got item %d\n", item);
        }
    });
    for (int i = 1; i <= 3; ++i) {
        std::this_thread::sleep_for(20ms);
        {
            std::lock_guard lock(mutex);
            items.push_back(i);
            say("producer: made item %d, notify\n", i);
        }
        available.notify_one();
    }
    {
        std::lock_guard lock(mutex);
        done = true;
    }
    available.notify_one();
    consumer.join();
}

void bounded_queue() {
    section("queue.Queue(maxsize=5): 12 producers x 10 items, 10 consumers");
    BlockingQueue<int> queue(5);
    std::atomic<long> sum{0};
    std::atomic<int> taken{0};
    std::atomic<std::size_t> fullest{0};
    std::vector<std::thread> consumers;
    for (int c = 0; c < 10; ++c)
        consumers.emplace_back([&] {
            try {
                for (;;) {
                    sum += queue.get();
                    ++taken;
                    queue.task_done();
                }
            } catch (const QueueClosed&) {
            }
        });
    std::vector<std::thread> producers;
    for (int p = 0; p < 12; ++p)
        producers.emplace_back([&, p] {
            for (int i = 0; i < 10; ++i) {
                queue.put(p * 10 + i);
                std::size_t size = queue.qsize(), seen = fullest.load();
                while (size > seen && !fullest.compare_exchange_weak(seen, size)) {
                }
            }
        });
    for (auto& t : producers) t.join();
    queue.join();  // every item got task_done
    queue.close();
    for (auto& t : consumers) t.join();
    say("items taken = %d, sum = %ld (expected 120 and 7140), never more than %zu queued\n", taken.load(),
        sum.load(), fullest.load());
}

void lifo_and_priority_queues() {
    section("queue.LifoQueue and queue.PriorityQueue");
    LifoQueue<int> stack;                                       // q = queue.LifoQueue()
    for (int i = 0; i < 5; ++i) stack.put(i);                   // for i in range(5): q.put(i)
    std::string order;
    while (!stack.empty()) order += " " + std::to_string(stack.get());  // while not q.empty(): print(q.get())
    say("LifoQueue gives:%s\n", order.c_str());

    using Job = std::pair<int, std::string>;
    auto by_priority = [](const Job& a, const Job& b) { return a.first < b.first; };
    PriorityQueue<Job, decltype(by_priority)> jobs(0, by_priority);  // q = queue.PriorityQueue()
    jobs.put({3, "Mid-level job"});                             // q.put((3, 'Mid-level job'))
    jobs.put({10, "Low-level job"});                            // q.put((10, 'Low-level job'))
    jobs.put({1, "Important job"});                             // q.put((1, 'Important job'))
    jobs.put({3, "Another mid-level job"});                     // (equal priorities: in put order)
    while (!jobs.empty()) {                                     // while not q.empty():
        const Job next = jobs.get();                            //     next_job = q.get()
        say("Processing job: %s\n", next.second.c_str());       //     print('Processing job:', next_job[1])
    }
}

void limited_pool() {
    section("pool 1: 10 tasks with callbacks, never more than 3 threads at once");
    std::atomic<int> running{0}, most{0};
    {
        ThreadPool pool(3);
        for (int i = 0; i < 10; ++i)
            pool.run(
                [&, i] {
                    const int now = ++running;
                    int seen = most.load();
                    while (now > seen && !most.compare_exchange_weak(seen, now)) {
                    }
                    std::this_thread::sleep_for(10ms);
                    --running;
                    return i * 10;
                },
                [i](Status, Result<int> result) {
                    say("callback: task %d returned %d\n", i, result.value());
                });
    }  // the destructor drains the queue and joins
    say("at most %d ran at once\n", most.load());
}

void dynamic_pool_with_callbacks() {
    section("pool 2: threads on demand (max 4), run(func, callback)");
    ThreadPool pool(ThreadPool::Options{.min_threads = 0, .max_threads = 4, .idle_timeout = 100ms});
    say("threads before any task: %zu\n", pool.size());
    for (int i = 1; i <= 4; ++i)
        pool.run(
            [i] {
                std::this_thread::sleep_for(20ms);
                if (i == 3) throw std::runtime_error("task 3 failed on purpose");
                return i * i;
            },
            [i](Status status, Result<int> result) {
                if (status == Status::ok)
                    say("callback: task %d ok, result %d\n", i, result.value());
                else
                    try {
                        result.value();
                    } catch (const std::exception& e) {
                        say("callback: task %d failed: %s\n", i, e.what());
                    }
            });
    say("threads while busy: %zu\n", pool.size());
    pool.wait_idle();
    std::this_thread::sleep_for(300ms);
    say("threads after 300 ms idle: %zu (idle threads retire after 100 ms)\n", pool.size());
}

void close_versus_terminate() {
    section("close() runs what is queued; terminate() drops it");
    for (const bool terminate : {false, true}) {
        ThreadPool pool(1);
        std::atomic<int> ran{0}, cancelled{0};
        for (int i = 0; i < 5; ++i)
            pool.run(
                [&] {
                    std::this_thread::sleep_for(20ms);
                    ++ran;
                },
                [&](Status status, Result<void>) { cancelled += status == Status::cancelled; });
        std::this_thread::sleep_for(5ms);  // the first task is running
        if (terminate)
            pool.terminate();
        else
            pool.join();
        say("%s: %d ran, %d cancelled\n", terminate ? "terminate" : "close + join", ran.load(),
            cancelled.load());
    }
}

int slow_square(int n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * (4 - n)));  // the last submitted finishes first
    return n * n;
}

void executor_as_completed() {
    section("ThreadPoolExecutor, as_completed and map (concurrent.futures)");
    ThreadPoolExecutor executor({.max_workers = 4, .thread_name_prefix = "tour"});  // ThreadPoolExecutor(4, "tour")
    std::vector<Future<int>> futures;
    for (int n = 1; n <= 3; ++n) futures.push_back(executor.submit(slow_square, n));  // [ex.submit(slow_square, n) ...]
    for (const auto& done : as_completed(futures)) say("as_completed: %d\n", done.result());  // for f in as_completed(fs)
    std::string in_order;
    for (int r : executor.map(slow_square, std::vector{1, 2, 3})) in_order += " " + std::to_string(r);  // ex.map(...)
    say("map, in input order:%s\n", in_order.c_str());
    Future<int> late = executor.submit(slow_square, 0);
    try {
        (void)late.result(10ms);  // f.result(timeout=0.01)
    } catch (const TimeoutError&) {
        say("result(10 ms): TimeoutError, the task goes on; then %d\n", late.result());
    }
}

}  // namespace

int tour_command() {
    ten_threads();
    thread_subclass_and_timer();
    counter_under_lock();
    event_gate();
    condition_producer_consumer();
    bounded_queue();
    lifo_and_priority_queues();
    limited_pool();
    dynamic_pool_with_callbacks();
    close_versus_terminate();
    executor_as_completed();
    green_tour();
    return 0;
}

}  // namespace mp::tools::threadpool
