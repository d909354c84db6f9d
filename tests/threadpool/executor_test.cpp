// ThreadPoolExecutor: submit, map (in order, zipped, bounded, abandoned), cancel of a
// queued task, worker names, the initializer and the executor it breaks, shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "tests/threadpool/stderr_capture.hpp"
#include "threadpool/executor.hpp"
#include "threadpool/futures.hpp"
#include "threadpool/thread.hpp"

namespace {

using namespace std::chrono_literals;
using mp::threadpool::BrokenThreadPool;
using mp::threadpool::CancelledError;
using mp::threadpool::Future;
using mp::threadpool::PoolClosed;
using mp::threadpool::ThreadPoolExecutor;
using mp::threadpool::TimeoutError;

int square(int x) { return x * x; }

// Holds the executor's only worker until release().
class Gate {
public:
    void wait() {
        entered_.count_down();
        released_.wait();
    }
    void wait_entered() { entered_.wait(); }
    void release() { released_.count_down(); }

private:
    std::latch entered_{1};
    std::latch released_{1};
};

TEST(ThreadPoolExecutor, SubmitGivesAFuture) {
    ThreadPoolExecutor executor(2);
    Future<int> f = executor.submit(square, 7);
    EXPECT_EQ(f.result(), 49);
    Future<void> g = executor.submit([] { throw std::out_of_range("no such key"); });
    EXPECT_THROW(g.result(), std::out_of_range);
}

TEST(ThreadPoolExecutor, TheDefaultSizeIsPythons) {
    ThreadPoolExecutor executor;
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    EXPECT_EQ(executor.max_workers(), std::min<std::size_t>(32, cores + 4));
}

TEST(ThreadPoolExecutor, MapYieldsInInputOrder) {
    ThreadPoolExecutor executor(4);
    std::vector<int> results;
    for (int r : executor.map([](int x) {
             std::this_thread::sleep_for(std::chrono::milliseconds(5 * (5 - x)));
             return x * 10;
         },
                              std::vector{1, 2, 3, 4}))
        results.push_back(r);
    EXPECT_EQ(results, (std::vector<int>{10, 20, 30, 40}));
}

TEST(ThreadPoolExecutor, MapZipsSeveralRangesUpToTheShortest) {
    ThreadPoolExecutor executor(2);
    std::vector<std::string> results;
    for (auto r : executor.map([](int n, const std::string& s) { return std::to_string(n) + s; }, std::vector{1, 2, 3},
                               std::vector<std::string>{"a", "b"}))
        results.push_back(r);
    EXPECT_EQ(results, (std::vector<std::string>{"1a", "2b"}));
}

TEST(ThreadPoolExecutor, MapRethrowsATaskFailureAtItsPlace) {
    ThreadPoolExecutor executor(2);
    auto results = executor.map([](int x) { return x == 2 ? throw std::domain_error("two") : x; }, std::vector{1, 2, 3});
    auto it = results.begin();
    EXPECT_EQ(*it, 1);
    ++it;
    EXPECT_THROW((void)*it, std::domain_error);
}

TEST(ThreadPoolExecutor, MapOfAVoidFunctionGivesMonostates) {
    ThreadPoolExecutor executor(2);
    std::atomic<int> calls{0};
    int items = 0;
    for (std::monostate _ : executor.map([&](int) { ++calls; }, std::vector{1, 2, 3})) {
        (void)_;
        ++items;
    }
    EXPECT_EQ(items, 3);
    EXPECT_EQ(calls.load(), 3);
}

TEST(ThreadPoolExecutor, MapWithATimeoutThrowsAtTheLateResult) {
    ThreadPoolExecutor executor(1);
    Gate gate;
    auto results = executor.map(50ms, [&](int x) {
        if (x == 2) gate.wait();
        return x;
    }, std::vector{1, 2});
    auto it = results.begin();
    EXPECT_EQ(*it, 1);
    ++it;
    try {
        (void)*it;
        ADD_FAILURE() << "no timeout";
    } catch (const TimeoutError& e) {
        EXPECT_NE(std::string(e.what()).find("item 1"), std::string::npos) << e.what();
    }
    gate.release();
}

TEST(ThreadPoolExecutor, AbandonedMapResultsCancelTheTasksNotStarted) {
    ThreadPoolExecutor executor(1);
    Gate gate;
    std::atomic<int> ran{0};
    {
        auto results = executor.map([&](int x) {
            if (x == 0) gate.wait();
            ++ran;
            return x;
        }, std::vector{0, 1, 2, 3});
        gate.wait_entered();
    }
    gate.release();
    executor.shutdown();
    EXPECT_EQ(ran.load(), 1) << "only the task that had started ran";
}

TEST(ThreadPoolExecutor, ACancelledQueuedTaskNeverRuns) {
    ThreadPoolExecutor executor(1);
    Gate gate;
    std::atomic<bool> second_ran{false};
    Future<void> first = executor.submit([&] { gate.wait(); });
    gate.wait_entered();
    Future<void> second = executor.submit([&] { second_ran = true; });
    EXPECT_TRUE(first.running());
    EXPECT_FALSE(first.cancel()) << "a running task cannot be cancelled";
    EXPECT_TRUE(second.cancel());
    gate.release();
    executor.shutdown();
    EXPECT_FALSE(second_ran.load());
    EXPECT_THROW(second.result(), CancelledError);
    EXPECT_NO_THROW(first.result());
}

TEST(ThreadPoolExecutor, WorkersAreNamedAfterThePrefix) {
    ThreadPoolExecutor named({.max_workers = 1, .thread_name_prefix = "db"});
    EXPECT_EQ(named.submit([] { return mp::threadpool::current_thread().name(); }).result(), "db_0");
    ThreadPoolExecutor unnamed(1);
    const std::string name = unnamed.submit([] { return mp::threadpool::current_thread().name(); }).result();
    EXPECT_EQ(name.rfind("ThreadPoolExecutor-", 0), 0u) << name;
    EXPECT_EQ(name.substr(name.size() - 2), "_0") << name;
}

thread_local std::string connection;

TEST(ThreadPoolExecutor, TheInitializerRunsOnceOnEachWorkerBeforeItsTasks) {
    std::atomic<int> initialized{0};
    ThreadPoolExecutor executor({.max_workers = 2, .thread_name_prefix = {}},
                                [&](const std::string& name) {
                                    connection = name;
                                    ++initialized;
                                },
                                std::string("db.sqlite"));
    std::vector<Future<std::string>> futures;
    for (int i = 0; i < 50; ++i) futures.push_back(executor.submit([] { return connection; }));
    for (auto& f : futures) EXPECT_EQ(f.result(), "db.sqlite");
    executor.shutdown();
    EXPECT_GE(initialized.load(), 1);
    EXPECT_LE(initialized.load(), 2);
}

TEST(ThreadPoolExecutor, AFailingInitializerBreaksTheExecutor) {
    mp::test::StderrCapture err;
    ThreadPoolExecutor executor({.max_workers = 1, .thread_name_prefix = {}}, [] { throw std::runtime_error("no db"); });
    Future<int> f = executor.submit(square, 2);
    EXPECT_THROW((void)f.result(), BrokenThreadPool);
    EXPECT_THROW((void)executor.submit(square, 3), BrokenThreadPool);
    executor.shutdown();
    const std::string text = err.text();
    EXPECT_NE(text.find("Exception in initializer:"), std::string::npos) << text;
    EXPECT_NE(text.find("std::runtime_error: no db"), std::string::npos) << text;
}

TEST(ThreadPoolExecutor, ShutdownWithCancelFuturesCancelsTheQueuedTasks) {
    ThreadPoolExecutor executor(1);
    Gate gate;
    Future<int> running = executor.submit([&] {
        gate.wait();
        return 1;
    });
    gate.wait_entered();
    std::vector<Future<int>> queued;
    for (int i = 0; i < 3; ++i) queued.push_back(executor.submit(square, i));
    std::thread releaser([&] {
        std::this_thread::sleep_for(30ms);
        gate.release();
    });
    executor.shutdown(true, true);
    releaser.join();
    EXPECT_EQ(running.result(), 1);
    for (auto& f : queued) EXPECT_TRUE(f.cancelled());
    EXPECT_THROW((void)executor.submit(square, 1), PoolClosed);
}

TEST(ThreadPoolExecutor, AsCompletedOverItsFutures) {
    ThreadPoolExecutor executor(3);
    std::vector<Future<int>> futures;
    for (int i = 0; i < 3; ++i)
        futures.push_back(executor.submit([](int n) {
            std::this_thread::sleep_for(std::chrono::milliseconds(40 * (3 - n)));
            return n;
        }, i));
    std::vector<int> order;
    for (const auto& f : mp::threadpool::as_completed(futures)) order.push_back(f.result());
    EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));
}

}  // namespace
