// ThreadPool: results and exceptions through futures and callbacks, close versus
// terminate, dynamic sizing, nested waits, priorities, pause, idle CPU, fork, and
// the lost wake-up loops. The queue and the wc demo have their own files in
// tests/threadpool/.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/helpers.hpp"
#include "tests/threadpool/cpu_time.hpp"
#include "threadpool/threadpool.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::CancelledError;
using mp::threadpool::PoolClosed;
using mp::threadpool::Priority;
using mp::threadpool::Result;
using mp::threadpool::Status;
using mp::threadpool::ThreadPool;

// Polls `done` until it holds; fails with "deadlock detected" when `progress`
// stops moving for `stall` (a stress test's hang becomes a failure, not a hang).
template <class Done, class Progress>
void expect_progress(Done done, Progress progress, std::chrono::milliseconds stall = 20s) {
    auto last = progress();
    auto moved = std::chrono::steady_clock::now();
    while (!done()) {
        std::this_thread::sleep_for(1ms);
        const auto now = progress();
        if (now != last) {
            last = now;
            moved = std::chrono::steady_clock::now();
        } else if (std::chrono::steady_clock::now() - moved > stall) {
            FAIL() << "deadlock detected: no progress for " << stall.count() << " ms";
        }
    }
}

TEST(ThreadPool, SubmitReturnsResultsAndForwardsArguments) {
    ThreadPool pool(2);
    auto sum = pool.submit([](int a, int b) { return a + b; }, 2, 40);
    auto text = pool.submit([](std::string s) { return s + "!"; }, std::string("hi"));
    auto moved = pool.submit([](std::unique_ptr<int> p) { return *p; }, std::make_unique<int>(7));
    EXPECT_EQ(sum.get(), 42);
    EXPECT_EQ(text.get(), "hi!");
    EXPECT_EQ(moved.get(), 7);
    EXPECT_EQ(pool.size(), 2u);
}

TEST(ThreadPool, LargeCallablesAreStoredOutOfLine) {
    ThreadPool pool(1);
    std::array<int, 64> big{};
    std::iota(big.begin(), big.end(), 0);
    EXPECT_EQ(pool.submit([big] { return std::accumulate(big.begin(), big.end(), 0); }).get(), 2016);
}

TEST(ThreadPool, ExceptionReachesTheFuture) {
    ThreadPool pool(2);
    auto f = pool.submit([]() -> int { throw std::runtime_error("task failed"); });
    // Let the worker drop its share of the result first. Otherwise it may free the
    // exception after this thread read it, synchronized only through libstdc++'s
    // uninstrumented exception_ptr reference count: a ThreadSanitizer false positive.
    pool.wait_idle();
    EXPECT_THROW(
        {
            try {
                f.get();
            } catch (const std::runtime_error& e) {
                EXPECT_STREQ(e.what(), "task failed");
                throw;
            }
        },
        std::runtime_error);
    EXPECT_EQ(pool.error_count(), 0u) << "an exception with a receiver is not an unhandled error";
}

TEST(ThreadPool, MapKeepsInputOrder) {
    ThreadPool pool(3);
    std::vector<int> input(500);
    std::iota(input.begin(), input.end(), 0);
    const std::vector<long> squares = pool.map(
        [](int x) {
            if (x % 7 == 0) std::this_thread::sleep_for(50us);  // finish out of order
            return static_cast<long>(x) * x;
        },
        input);
    ASSERT_EQ(squares.size(), input.size());
    for (int i = 0; i < 500; ++i) EXPECT_EQ(squares[i], static_cast<long>(i) * i);
}

TEST(ThreadPool, MapRethrowsTheFirstErrorAfterAllFinished) {
    ThreadPool pool(2);
    std::atomic<int> ran{0};
    std::vector<int> input{0, 1, 2, 3, 4, 5};
    EXPECT_THROW(pool.map(
                     [&](int x) {
                         ++ran;
                         if (x == 2) throw std::invalid_argument("two");
                         return x;
                     },
                     input),
                 std::invalid_argument);
    EXPECT_EQ(ran, 6);
}

TEST(ThreadPool, ParallelForVisitsEveryIndexOnce) {
    ThreadPool pool(3);
    std::vector<std::atomic<int>> hits(10007);
    pool.parallel_for(0, 10007, [&](int i) { ++hits[i]; });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
    pool.parallel_for(5, 5, [&](int) { FAIL() << "empty range"; });
    std::atomic<long> blocks{0};
    pool.parallel_for_blocks(std::size_t{0}, std::size_t{3},
                             [&](std::size_t lo, std::size_t hi) { blocks += static_cast<long>(hi - lo); });
    EXPECT_EQ(blocks, 3);
}

TEST(ThreadPool, DetachedExceptionGoesToTheErrorHandler) {
    ThreadPool pool(2);
    std::mutex mutex;
    std::vector<std::string> seen;
    pool.set_error_handler([&](std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            std::lock_guard lock(mutex);
            seen.push_back(x.what());
        }
    });
    pool.detach([] { throw std::runtime_error("lost?"); });
    pool.detach([] { throw std::runtime_error("never"); });
    pool.wait_idle();
    EXPECT_EQ(pool.error_count(), 2u);
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::string>{"lost?", "never"}));
    // The workers survived.
    EXPECT_EQ(pool.submit([] { return 1; }).get(), 1);
}

MP_TEST_HELPER(default_error_handler) {
    ThreadPool pool(1);
    pool.detach([] { throw std::runtime_error("nobody waits for me"); });
    pool.wait_idle();
    return static_cast<int>(pool.error_count());
}

TEST(ThreadPool, DefaultErrorHandlerReportsOnStderrAndCounts) {
    const auto r = mp::test::run_command(mp::test::helper_command("default_error_handler"));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("threadpool: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nobody waits for me"), std::string::npos) << r.err;
}

// In a program of its own: the handler's failure is reported on stderr.
MP_TEST_HELPER(throwing_error_handler) {
    ThreadPool pool(1);
    pool.set_error_handler([](std::exception_ptr) { throw std::logic_error("handler broke"); });
    pool.detach([] { throw 42; });
    pool.wait_idle();
    if (pool.error_count() != 1u) return 2;
    return pool.submit([] { return 5; }).get() == 5 ? 0 : 3;
}

TEST(ThreadPool, ThrowingErrorHandlerDoesNotKillTheWorker) {
    const auto r = mp::test::run_command(mp::test::helper_command("throwing_error_handler"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("handler broke"), std::string::npos) << r.err;
}

TEST(ThreadPool, RunCallsTheCallbackWithStatusAndResult) {
    ThreadPool pool(2);
    std::promise<std::pair<Status, int>> ok;
    std::promise<std::pair<Status, std::string>> failed;
    pool.run([] { return 6 * 7; }, [&](Status s, Result<int> r) { ok.set_value({s, r.value()}); });
    pool.run([]() -> int { throw std::runtime_error("bad"); },
             [&](Status s, Result<int> r) {
                 try {
                     r.value();
                 } catch (const std::exception& e) {
                     failed.set_value({s, e.what()});
                 }
             });
    EXPECT_EQ(ok.get_future().get(), std::make_pair(Status::ok, 42));
    EXPECT_EQ(failed.get_future().get(), std::make_pair(Status::failed, std::string("bad")));
}

TEST(ThreadPool, ThrowingCallbackIsReportedNeverLost) {
    ThreadPool pool(1);
    std::atomic<int> reported{0};
    pool.set_error_handler([&](std::exception_ptr) { ++reported; });
    pool.run([] {}, [](Status, Result<void>) { throw std::runtime_error("callback failed"); });
    pool.wait_idle();
    EXPECT_EQ(reported, 1);
    EXPECT_EQ(pool.error_count(), 1u);
    EXPECT_EQ(pool.submit([] { return 3; }).get(), 3);
}

TEST(ThreadPool, SubmitAfterCloseThrows) {
    ThreadPool pool(2);
    pool.close();
    EXPECT_THROW((void)pool.submit([] {}), PoolClosed);
    EXPECT_THROW(pool.detach([] {}), PoolClosed);
    // A lifecycle mistake of the caller, as pool::PoolClosed: a std::logic_error.
    EXPECT_THROW((void)pool.submit([] {}), std::logic_error);
    pool.join();
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_THROW((void)pool.submit([] {}), PoolClosed);
}

TEST(ThreadPool, CloseRunsEverythingQueued) {
    std::atomic<int> ran{0};
    ThreadPool pool(1);
    std::latch started(1);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    pool.detach([&] {
        started.count_down();
        gate.wait();
    });
    started.wait();
    std::vector<std::future<void>> futures;
    for (int i = 0; i < 50; ++i) futures.push_back(pool.submit([&] { ++ran; }));
    pool.close();
    release.set_value();
    pool.join();
    EXPECT_EQ(ran, 50);
    for (auto& f : futures) EXPECT_NO_THROW(f.get());
}

TEST(ThreadPool, TerminateCancelsQueuedTasksAndFinishesRunningOnes) {
    ThreadPool pool(1);
    std::latch started(1);
    std::promise<void> release;
    std::atomic<bool> running_finished{false};
    auto running = pool.submit([&, gate = release.get_future()]() mutable {
        started.count_down();
        gate.wait();
        running_finished = true;
        return 1;
    });
    started.wait();
    std::vector<std::future<int>> queued;
    for (int i = 0; i < 20; ++i) queued.push_back(pool.submit([] { return 2; }));
    std::atomic<int> cancelled_callbacks{0};
    pool.run([] {},
             [&](Status s, Result<void> r) { cancelled_callbacks += s == Status::cancelled && !r.ok(); });
    EXPECT_EQ(pool.queued(), 21u);
    std::thread terminator([&] { pool.terminate(); });
    // Every queued future resolves with CancelledError while the running task still runs.
    for (auto& f : queued) {
        ASSERT_EQ(f.wait_for(10s), std::future_status::ready) << "a cancelled future hangs";
        EXPECT_THROW(f.get(), CancelledError);
    }
    EXPECT_FALSE(running_finished);
    release.set_value();
    terminator.join();
    EXPECT_EQ(running.get(), 1);
    EXPECT_EQ(cancelled_callbacks, 1);
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_THROW((void)pool.submit([] {}), PoolClosed);
}

// A fixed-size pool keeps outside submits in an inbox until its queue runs dry:
// terminate() must cancel those too, not only what the workers' own queue holds.
TEST(ThreadPool, TerminateCancelsTasksQueuedByWorkersAndByOutsiders) {
    ThreadPool pool(1);
    std::latch queued_by_worker(1);
    std::promise<void> release;
    std::vector<std::future<int>> from_worker;
    auto running = pool.submit([&, gate = release.get_future()]() mutable {
        for (int i = 0; i < 3; ++i) from_worker.push_back(pool.submit([] { return 1; }));
        queued_by_worker.count_down();
        gate.wait();
    });
    queued_by_worker.wait();
    std::vector<std::future<int>> from_outside;
    for (int i = 0; i < 5; ++i) from_outside.push_back(pool.submit([] { return 2; }));
    EXPECT_EQ(pool.queued(), 8u);
    std::thread terminator([&] { pool.terminate(); });
    for (auto* futures : {&from_worker, &from_outside}) {
        for (auto& f : *futures) {
            ASSERT_EQ(f.wait_for(10s), std::future_status::ready) << "a cancelled future hangs";
            EXPECT_THROW(f.get(), CancelledError);
        }
    }
    release.set_value();
    terminator.join();
    EXPECT_NO_THROW(running.get());
}

// Workers that went to sleep between tasks must be woken by a submit that does not
// take their lock; a lost wake-up leaves the task in the inbox forever.
TEST(ThreadPool, OutsideSubmitsAlwaysWakeASleepingWorker) {
    ThreadPool pool(2);
    for (int i = 0; i < 3000; ++i) {
        auto result = pool.submit([i] { return i; });
        ASSERT_EQ(result.wait_for(10s), std::future_status::ready) << "lost wake-up in round " << i;
        EXPECT_EQ(result.get(), i);
        if (i % 4 == 0) std::this_thread::sleep_for(200us);  // past the workers' polling
    }
}

TEST(ThreadPool, ShutdownLikeThreadPoolExecutor) {
    {
        ThreadPool pool(1);
        std::promise<void> release;
        pool.detach([gate = release.get_future().share()] { gate.wait(); });
        auto queued = pool.submit([] { return 1; });
        pool.shutdown(/*wait=*/false);  // returns at once, the queue still drains
        EXPECT_THROW((void)pool.submit([] {}), PoolClosed);
        release.set_value();
        EXPECT_EQ(queued.get(), 1);
    }
    ThreadPool pool(1);
    std::promise<void> release;
    pool.detach([gate = release.get_future().share()] { gate.wait(); });
    auto queued = pool.submit([] { return 1; });
    std::thread releaser([&] {
        std::this_thread::sleep_for(20ms);
        release.set_value();
    });
    pool.shutdown(/*wait=*/true, /*cancel_futures=*/true);
    releaser.join();
    EXPECT_THROW(queued.get(), CancelledError);
    EXPECT_EQ(pool.size(), 0u);
}

TEST(ThreadPool, DestroyingAPoolWithQueuedTasksRunsThemAll) {
    std::atomic<int> ran{0};
    {
        ThreadPool pool(2);
        for (int i = 0; i < 10000; ++i) pool.detach([&] { ++ran; });
    }
    EXPECT_EQ(ran, 10000);
}

TEST(ThreadPool, DynamicPoolGrowsToMaxAndShrinksWhenIdle) {
    ThreadPool pool(ThreadPool::Options{.min_threads = 1, .max_threads = 4, .idle_timeout = 50ms});
    EXPECT_EQ(pool.size(), 1u);
    std::latch all_running(4);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    for (int i = 0; i < 6; ++i)
        pool.detach([&, gate] {
            all_running.count_down();
            gate.wait();
        });
    all_running.wait();  // four ran at once: the pool grew
    EXPECT_EQ(pool.size(), 4u) << "never above max_threads";
    EXPECT_EQ(pool.idle(), 0u);
    EXPECT_EQ(pool.queued(), 2u);
    release.set_value();
    pool.wait_idle();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (pool.size() > 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    EXPECT_EQ(pool.size(), 1u) << "idle threads retire down to min_threads";
    EXPECT_EQ(pool.submit([] { return 9; }).get(), 9);
}

TEST(ThreadPool, DynamicPoolReusesAnIdleThreadInsteadOfStartingOne) {
    ThreadPool pool(ThreadPool::Options{.min_threads = 0, .max_threads = 8, .idle_timeout = 10s});
    EXPECT_EQ(pool.size(), 0u);
    for (int i = 0; i < 20; ++i) {
        pool.submit([] {}).get();
        // The future is ready a moment before its worker is idle again; a task
        // arriving in that moment may start a second thread, which is fine.
        pool.wait_idle();
        ASSERT_EQ(pool.idle(), pool.size());
    }
    EXPECT_EQ(pool.size(), 1u);
}

TEST(ThreadPool, DynamicPoolWithNoThreadLeftStillDrainsOnClose) {
    ThreadPool pool(ThreadPool::Options{.min_threads = 0, .max_threads = 2, .idle_timeout = 1ms});
    pool.pause();
    std::atomic<int> ran{0};
    for (int i = 0; i < 5; ++i) pool.detach([&] { ++ran; });
    pool.join();
    EXPECT_EQ(ran, 5);
}

TEST(ThreadPool, ATaskSubmittedAsTheLastIdleThreadRetiresStillRuns) {
    // Submits arrive at about the moment the only worker retires after 1 ms idle:
    // each task must go to that worker or to a new one, never to nobody.
    ThreadPool pool(ThreadPool::Options{.min_threads = 0, .max_threads = 1, .idle_timeout = 1ms});
    for (int i = 0; i < 300; ++i) {
        std::this_thread::sleep_for(std::chrono::microseconds(900 + 25 * (i % 9)));
        auto done = pool.submit([] {});
        ASSERT_EQ(done.wait_for(10s), std::future_status::ready) << "submit " << i << " was stranded";
    }
}

TEST(ThreadPool, InvalidOptionsAreRejected) {
    EXPECT_THROW(ThreadPool(ThreadPool::Options{.min_threads = 0, .max_threads = 0}), std::invalid_argument);
    EXPECT_THROW(ThreadPool(ThreadPool::Options{.min_threads = 3, .max_threads = 2}), std::invalid_argument);
}

// Raises `deepest` to `depth` when it is lower.
void record_depth(std::atomic<int>& deepest, int depth) {
    int seen = deepest.load();
    while (depth > seen && !deepest.compare_exchange_weak(seen, depth)) {
    }
}

// Promises the test thread keeps, and the futures of them that tasks wait for.
struct Gates {
    explicit Gates(int count) : promises(count) {
        for (auto& promise : promises) futures.push_back(promise.get_future());
    }
    void open_all() {
        for (auto& promise : promises) promise.set_value();
    }
    std::vector<std::promise<void>> promises;
    std::vector<std::future<void>> futures;
};

// How many fib() calls are nested on this thread's stack, and the most seen.
thread_local int fib_depth = 0;
std::atomic<int> deepest_fib{0};

int fib(ThreadPool& pool, int n) {
    record_depth(deepest_fib, ++fib_depth);
    int result = n;
    if (n >= 2) {
        auto a = pool.submit([&pool, n] { return fib(pool, n - 1); });
        auto b = pool.submit([&pool, n] { return fib(pool, n - 2); });
        result = pool.wait(a) + pool.wait(b);
    }
    --fib_depth;
    return result;
}

TEST(ThreadPool, NestedWaitsRunQueuedTasksInsteadOfDeadlocking) {
    ThreadPool pool(2);
    deepest_fib = 0;
    auto result = pool.submit([&] { return fib(pool, 22); });
    ASSERT_EQ(result.wait_for(60s), std::future_status::ready) << "deadlock in nested waits";
    EXPECT_EQ(result.get(), 17711);
    // Helping nests tasks on the waiter's stack; it must stay within a few times the
    // recursion's own depth (23 calls), not grow with the number of tasks (57,313).
    EXPECT_LE(deepest_fib.load(), 5 * 23);
}

TEST(ThreadPool, AWaiterNestsOnlyAFewTasksThatAreNotItsOwn) {
    // 200 tasks each wait for a promise kept by the main thread; nothing they could
    // help with is their own, so each worker may nest only a few of them on its stack
    // and must leave the rest queued — not run all 200 inside one another.
    constexpr int kWaiters = 200;
    Gates gates(kWaiters);
    static thread_local int depth = 0;
    std::atomic<int> deepest{0};
    ThreadPool pool(2);
    std::vector<std::future<void>> waiters;
    for (int i = 0; i < kWaiters; ++i) {
        waiters.push_back(pool.submit([&, i] {
            record_depth(deepest, ++depth);
            pool.wait(gates.futures[i]);
            --depth;
        }));
    }
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (pool.queued() > kWaiters - 4 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::yield();
    std::this_thread::sleep_for(50ms);  // time to nest further, which must not happen
    EXPECT_LE(deepest.load(), 8);
    EXPECT_GE(pool.queued(), std::size_t{kWaiters - 16});
    gates.open_all();
    for (auto& waiter : waiters) ASSERT_EQ(waiter.wait_for(30s), std::future_status::ready);
}

TEST(ThreadPool, AWaiterAtTheNestingLimitStillRunsItsOwnSubtasks) {
    // One thread: each waiter first computes fib(10) through the pool, then waits for
    // the main thread. The worker nests waiters up to its limit, and the innermost one
    // can only finish its fib by running its own subtasks: it must, or nothing would.
    // All waiters are queued before the first starts; one queued later would be newer
    // than a running fib's subtasks, be helped with first, and leave that fib
    // unfinished beneath it.
    constexpr int kWaiters = 8;
    Gates gates(kWaiters);
    std::atomic<int> fibs_done{0};
    ThreadPool pool(1);
    pool.pause();
    std::vector<std::future<int>> waiters;
    for (int i = 0; i < kWaiters; ++i) {
        waiters.push_back(pool.submit([&, i] {
            const int result = fib(pool, 10);
            ++fibs_done;
            pool.wait(gates.futures[i]);
            return result;
        }));
    }
    pool.resume();
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (fibs_done < 5 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    EXPECT_EQ(fibs_done.load(), 5) << "the waiter at the limit could not run its own subtasks";
    gates.open_all();
    for (auto& waiter : waiters) {
        ASSERT_EQ(waiter.wait_for(30s), std::future_status::ready);
        EXPECT_EQ(waiter.get(), 55);
    }
}

TEST(ThreadPool, NestedMapAndParallelForOnASingleThread) {
    ThreadPool pool(1);
    auto outer = pool.submit([&] {
        std::vector<int> input{1, 2, 3, 4};
        const std::vector<int> doubled = pool.map([](int x) { return 2 * x; }, input);
        std::atomic<int> sum{0};
        pool.parallel_for(0, 100, [&](int i) { sum += i; });
        return std::accumulate(doubled.begin(), doubled.end(), 0) + sum.load() +
               pool.wait(pool.submit([] { return 1000; }));
    });
    ASSERT_EQ(outer.wait_for(30s), std::future_status::ready) << "deadlock in nested waits";
    EXPECT_EQ(outer.get(), 20 + 4950 + 1000);
}

TEST(ThreadPool, WaitingForItselfFailsFast) {
    ThreadPool pool(1);
    auto f = pool.submit([&] {
        EXPECT_TRUE(pool.on_worker_thread());
        EXPECT_THROW(pool.wait_idle(), std::logic_error);
        EXPECT_THROW(pool.join(), std::logic_error);
        EXPECT_THROW(pool.terminate(), std::logic_error);
        return true;
    });
    EXPECT_TRUE(f.get());
    EXPECT_FALSE(pool.on_worker_thread());
}

TEST(ThreadPool, PrioritiesPickTheNextTaskFifoWithinALevel) {
    ThreadPool pool(1);
    pool.pause();
    std::vector<std::string> order;
    auto record = [&](std::string name) { return [&order, name] { order.push_back(name); }; };
    pool.detach(record("low1"), Priority::low);
    pool.detach(record("normal1"));
    pool.detach(record("high1"), Priority::high);
    pool.detach(record("low2"), Priority::low);
    pool.detach(record("high2"), Priority::high);
    (void)pool.submit(Priority::high, record("high3"));
    pool.detach(record("normal2"), Priority::normal);
    EXPECT_EQ(pool.queued(), 7u);
    pool.resume();
    pool.wait_idle();
    EXPECT_EQ(order,
              (std::vector<std::string>{"high1", "high2", "high3", "normal1", "normal2", "low1", "low2"}));
}

TEST(ThreadPool, PauseHoldsTasksAndWaitForReportsIt) {
    ThreadPool pool(2);
    pool.pause();
    EXPECT_TRUE(pool.paused());
    std::atomic<int> ran{0};
    for (int i = 0; i < 10; ++i) pool.detach([&] { ++ran; });
    EXPECT_FALSE(pool.wait_for(50ms));
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(pool.queued(), 10u);
    pool.resume();
    EXPECT_TRUE(pool.wait_for(10s));
    EXPECT_EQ(ran, 10);
    EXPECT_EQ(pool.idle(), 2u);
    EXPECT_TRUE(pool.wait_for(0ms));
}

TEST(ThreadPool, IdleWorkersUseNoCpu) {
    ThreadPool pool(4);
    for (int i = 0; i < 1000; ++i) pool.detach([] {});
    pool.wait_idle();
    std::this_thread::sleep_for(20ms);  // past the spinning phase
    const double before = mp::threadpool::test::process_cpu_seconds();
    std::this_thread::sleep_for(500ms);
    const double used = mp::threadpool::test::process_cpu_seconds() - before;
    // Four spinning workers would burn up to 2 s of CPU here; sleeping ones ~0.
    EXPECT_LT(used, 0.05) << "an idle pool used " << used << " s of CPU in 0.5 s";
}

// A lost wake-up (a stop flag set without the lock) hangs a destructor now and then;
// thousands of rounds make "now and then" happen.
TEST(ThreadPool, DestroyingIdlePoolsNeverHangs) {
    std::atomic<int> rounds{0};
    std::thread loop([&] {
        for (int i = 0; i < 2000; ++i) {
            ThreadPool pool(2);
            if (i % 2 == 0) std::this_thread::yield();
            ++rounds;
        }
    });
    expect_progress([&] { return rounds == 2000; }, [&] { return rounds.load(); });
    loop.join();
}

TEST(ThreadPool, DestroyingBusyPoolsNeverHangs) {
    std::atomic<int> rounds{0};
    std::atomic<long> ran{0};
    std::thread loop([&] {
        for (int i = 0; i < 2000; ++i) {
            ThreadPool pool(2);
            for (int k = 0; k < 3; ++k) pool.detach([&] { ++ran; });
            ++rounds;
        }
    });
    expect_progress([&] { return rounds == 2000; }, [&] { return rounds.load(); });
    loop.join();
    EXPECT_EQ(ran, 6000);
}

TEST(ThreadPool, ManySubmittersAndWaitersUnderStress) {
    ThreadPool pool(3);
    std::atomic<long> total{0};
    std::vector<std::thread> submitters;
    for (int s = 0; s < 4; ++s)
        submitters.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                if (i % 3 == 0)
                    total += pool.submit([] { return 1; }).get();
                else
                    pool.detach([&] { ++total; }, i % 2 ? Priority::high : Priority::low);
                if (i % 1000 == 0) (void)pool.wait_for(1ms);
            }
        });
    for (auto& t : submitters) t.join();
    pool.wait_idle();
    EXPECT_EQ(total, 20000);
}

// fork() from a process with a busy pool: the child's copy is inert, never hangs.
TEST(ThreadPool, ForkedChildGetsAnInertPool) {
    auto pool = std::make_unique<ThreadPool>(2);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    for (int i = 0; i < 2; ++i) pool->detach([gate] { gate.wait(); });
    pool->detach([] {});  // still queued at fork time
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        int code = 0;
        try {
            (void)pool->submit([] {});
            code = 10;  // must have thrown
        } catch (const PoolClosed&) {
        }
        if (pool->size() != 0) code = 11;
        pool->wait_idle();                                // returns at once
        if (pool->wait_for(1ms) && code == 0) code = 12;  // work was queued: not idle
        pool.reset();                                     // no threads to join, no hang
        _exit(code);
    }
    ASSERT_GT(pid, 0);
    int status = 0;
    pid_t done = 0;
    for (int i = 0; i < 1000 && done == 0; ++i) {
        done = waitpid(pid, &status, WNOHANG);
        if (done == 0) std::this_thread::sleep_for(10ms);
    }
    if (done == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        FAIL() << "the child hung with its copy of the pool";
    }
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    release.set_value();
    EXPECT_TRUE(pool->wait_for(10s));
}

}  // namespace
