// threadpool: tiny tasks and hand-offs with 2 worker threads, against the naive pool
// and queue most code bases start from (one mutex, one condition variable, a
// std::deque<std::function<void()>>), and against CPython's ThreadPoolExecutor and
// queue.Queue. The "raw" column holds the naive version (one thread for parallel_for).
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "bench/harness/harness.hpp"
#include "threadpool/threadpool.hpp"

namespace {

constexpr std::size_t kWorkers = 2;
constexpr std::size_t kTasks = 1'000'000;
constexpr std::size_t kAdditions = 100'000'000;
constexpr std::size_t kItems = 1'000'000;

// The textbook pool: one lock around one deque of std::function, notify_one per task.
class NaivePool {
public:
    explicit NaivePool(std::size_t threads) {
        for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
    }
    ~NaivePool() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        ready_.notify_all();
        for (auto& t : threads_) t.join();
    }
    template <class F>
    auto submit(F f) {
        using R = decltype(f());
        auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
        std::future<R> future = task->get_future();
        detach([task] { (*task)(); });
        return future;
    }
    void detach(std::function<void()> f) {
        {
            std::lock_guard lock(mutex_);
            tasks_.push_back(std::move(f));
            ++pending_;
        }
        ready_.notify_one();
    }
    void wait_idle() {
        std::unique_lock lock(mutex_);
        idle_.wait(lock, [&] { return pending_ == 0; });
    }

private:
    void work() {
        for (;;) {
            std::function<void()> f;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
                if (tasks_.empty()) return;
                f = std::move(tasks_.front());
                tasks_.pop_front();
            }
            f();
            std::lock_guard lock(mutex_);
            if (--pending_ == 0) idle_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_, idle_;
    std::deque<std::function<void()>> tasks_;
    std::size_t pending_ = 0;
    bool stop_ = false;
    std::vector<std::thread> threads_;
};

// The textbook queue: a deque under a mutex, notify_one per put.
template <class T>
class NaiveQueue {
public:
    void put(T value) {
        {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(value));
        }
        ready_.notify_one();
    }
    T get() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !items_.empty(); });
        T value = std::move(items_.front());
        items_.pop_front();
        return value;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<T> items_;
};

template <class Pool>
void futures_round(Pool& pool) {
    std::vector<std::future<void>> futures;
    futures.reserve(kTasks);
    for (std::size_t i = 0; i < kTasks; ++i) futures.push_back(pool.submit([] {}));
    for (auto& f : futures) f.get();
}

void executor_round(mp::threadpool::ThreadPoolExecutor& executor) {
    std::vector<mp::threadpool::Future<void>> futures;
    futures.reserve(kTasks);
    for (std::size_t i = 0; i < kTasks; ++i) futures.push_back(executor.submit([] {}));
    for (auto& f : futures) f.result();
}

// kDoneFutures futures that are done already, as as_completed finds them after a batch.
constexpr std::size_t kDoneFutures = 100'000;
std::vector<mp::threadpool::Future<int>> done_futures() {
    std::vector<mp::threadpool::Future<int>> futures;
    futures.reserve(kDoneFutures);
    for (std::size_t i = 0; i < kDoneFutures; ++i) {
        mp::threadpool::Promise<int> promise;
        futures.push_back(promise.get_future());
        promise.set_result(static_cast<int>(i));
    }
    return futures;
}

template <class Pool>
void detached_round(Pool& pool) {
    for (std::size_t i = 0; i < kTasks; ++i) pool.detach([] {});
    pool.wait_idle();
}

// 10^8 additions of cache-resident numbers, so the figure is CPU-bound and
// `volatile` stops the compiler from folding the loop.
std::vector<std::uint32_t> addends(4096);
std::uint64_t add_range(std::size_t lo, std::size_t hi) {
    std::uint64_t sum = 0;
    for (std::size_t i = lo; i < hi; ++i) sum += addends[i & 4095];
    return sum;
}
volatile std::uint64_t sink;

// The same additions on two plain threads, no pool: what the machine gives a second
// thread in this run, the ceiling of (c). On a shared machine it may be far below 2.
std::uint64_t add_on_two_threads() {
    std::uint64_t first_half = 0;
    std::thread helper([&] { first_half = add_range(0, kAdditions / 2); });
    const std::uint64_t second_half = add_range(kAdditions / 2, kAdditions);
    helper.join();
    return first_half + second_half;
}

template <class Queue>
void handoff_round(Queue& queue) {
    std::thread producer([&] {
        for (std::size_t i = 0; i < kItems; ++i) queue.put(i);
    });
    std::size_t sum = 0;
    for (std::size_t i = 0; i < kItems; ++i) sum += queue.get();
    producer.join();
    sink = sum;
}

// One compile of `source` with the flags of the build; timed by the CPU seconds it
// takes (Clock::children_cpu), which do not grow when other work shares the machine.
void compile_once(const std::string& source) {
    const std::string path = "/tmp/mp-threadpool-bench-" + std::to_string(getpid()) + ".cpp";
    std::ofstream(path) << source;
    const char* cxx = std::getenv("CXX");
    const std::string command = std::string(cxx && *cxx ? cxx : "g++") +
                                " -std=c++20 -O2 -g -Wall -Wextra -Wpedantic -Werror -I. -c " + path +
                                " -o /dev/null";
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "threadpool_bench: compile failed\n");
    std::remove(path.c_str());
}

// Parallel figures mean little on a machine that is busy with other work (and with
// per-session group scheduling, a second thread then gains no CPU at all): say how
// busy it was.
void print_machine_load() {
    double load = 0;
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1) load = -1;
        std::fclose(f);
    }
    std::printf("machine: %u hardware threads, load average %.2f before the run\n",
                std::thread::hardware_concurrency(), load);
}

}  // namespace

int main() {
    using namespace mp::bench;
    using mp::threadpool::ThreadPool;
    std::iota(addends.begin(), addends.end(), 1u);
    print_machine_load();

    Table table("threadpool: 2 workers, tiny tasks (raw = naive mutex+condvar+deque<function> pool)");
    {
        ThreadPool ours(kWorkers);
        NaivePool naive(kWorkers);
        table.add(
            {.scenario = "(a) submit + future.get, 1e6 empty tasks",
             .times = measure(kTasks, {.ours = [&] { futures_round(ours); },
                                       .raw = [&] { futures_round(naive); },
                                       .cpython = Python{"threadpool_bench.py", "futures", kTasks / 10}}),
             .targets = {{Ratio::ours_raw, 0.40}},
             .note = ""});
        table.add(
            {.scenario = "(b) fire-and-forget + wait_idle, 1e6",
             .times = measure(kTasks, {.ours = [&] { detached_round(ours); },
                                       .raw = [&] { detached_round(naive); },
                                       .cpython = Python{"threadpool_bench.py", "detached", kTasks / 10}}),
             .targets = {{Ratio::ours_raw, 0.67}},
             .note = ""});
        table.add(
            {.scenario = "(c) parallel_for, 1e8 additions (raw: 1 thread)",
             .times = measure(kAdditions,
                              {.ours =
                                   [&] {
                                       std::atomic<std::uint64_t> total{0};
                                       ours.parallel_for_blocks(
                                           std::size_t{0}, kAdditions, [&](std::size_t lo, std::size_t hi) {
                                               total.fetch_add(add_range(lo, hi), std::memory_order_relaxed);
                                           });
                                       sink = total.load();
                                   },
                               .raw = [] { sink = add_range(0, kAdditions); },
                               .cpython = Python{"threadpool_bench.py", "additions", kAdditions / 10}},
                              9),
             .targets = {{Ratio::ours_raw, 0.56}},
             .note = ""});
        table.add({.scenario = "(c) ceiling: 2 plain threads, no pool",
                   .times = measure(kAdditions,
                                    {.ours = [] { sink = add_on_two_threads(); },
                                     .raw = [] { sink = add_range(0, kAdditions); },
                                     .cpython = {}},
                                    9),
                   .targets = {},
                   .note = "what a second thread gains on this machine now"});
    }
    {
        mp::threadpool::BlockingQueue<std::size_t> ours;
        NaiveQueue<std::size_t> naive;
        table.add(
            {.scenario = "(d) queue hand-off, 1e6 items, 2 threads",
             .times = measure(kItems, {.ours = [&] { handoff_round(ours); },
                                       .raw = [&] { handoff_round(naive); },
                                       .cpython = Python{"threadpool_bench.py", "handoff", kItems / 10}}),
             .targets = {{Ratio::ours_raw, 0.50}},
             .note = ""});
    }
    table.print();

    Table futures_table("threadpool: concurrent.futures, 2 workers (raw = ThreadPool::submit + std::future; result() on each)");
    {
        mp::threadpool::ThreadPoolExecutor executor(kWorkers);
        ThreadPool pool(kWorkers);
        futures_table.add(
            {.scenario = "(e) executor submit + result, 1e6 empty tasks",
             .times = measure(kTasks, {.ours = [&] { executor_round(executor); },
                                       .raw = [&] { futures_round(pool); },
                                       .cpython = Python{"threadpool_bench.py", "futures", kTasks / 10}}),
             .targets = {{Ratio::ours_raw, 1.2}},
             .note = ""});
        const auto futures = done_futures();
        futures_table.add(
            {.scenario = "(f) as_completed over 1e5 done futures",
             .times = measure(kDoneFutures,
                              {.ours =
                                   [&] {
                                       long long sum = 0;
                                       for (const auto& f : mp::threadpool::as_completed(futures))
                                           sum += f.result();
                                       sink = static_cast<std::uint64_t>(sum);
                                   },
                               .raw =
                                   [&] {
                                       long long sum = 0;
                                       for (const auto& f : futures) sum += f.result();
                                       sink = static_cast<std::uint64_t>(sum);
                                   },
                               .cpython = Python{"threadpool_bench.py", "as_completed", kDoneFutures}}),
             .targets = {{Ratio::ours_raw, 2}},
             .note = ""});
    }
    futures_table.print();

    Table compile("threadpool: compile CPU time of one file (raw = an empty file)");
    compile.add({.scenario = "#include \"threadpool/threadpool.hpp\"",
                 .times = measure(1,
                                  {.ours = [] { compile_once("#include \"threadpool/threadpool.hpp\"\n"); },
                                   .raw = [] { compile_once("int main() {}\n"); },
                                   .cpython = {}},
                                  kMinRuns, Clock::children_cpu),
                 .targets = {},
                 .note = "CPU time; target: ours < 1 s"});
    compile.print();
}
