// mp::pool::Pool: apply, apply_async, AsyncResult, and callbacks on the result thread.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "subproc/subproc.hpp"
#include "tests/support/helpers.hpp"
#include "tests/pool/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using namespace mp::pool::test;
using mp::pool::AsyncResult;
using mp::pool::Pool;
using mp::pool::PoolOptions;
using mp::pool::Process;

TEST(Pool, ApplyRunsInAWorkerAndReturnsTheResult) {
    Pool pool(2);
    EXPECT_EQ(pool.apply(square, 7), 49);
    EXPECT_EQ(pool.apply(shout, "hey", 2), "hey!hey!");  // a C string arrives as std::string
    EXPECT_EQ(pool.apply([](int a, int b) { return a + b; }, 2, 3), 5);
    const int offset = 100;  // state goes as an argument, never as a capture
    EXPECT_EQ(pool.apply([](int a, int by) { return a + by; }, 1, offset), 101);
    const pid_t pid = pool.apply(worker_pid);
    EXPECT_NE(pid, getpid());
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_EQ(workers.size(), 2u);
    EXPECT_NE(std::find(workers.begin(), workers.end(), pid), workers.end());
}

TEST(Pool, TenTasksReuseTheSameThreeWorkers) {
    Pool pool(3);
    std::set<pid_t> seen;
    for (int i = 0; i < 10; ++i) seen.insert(pool.apply(worker_pid));
    std::vector<AsyncResult<pid_t>> results;
    for (int i = 0; i < 10; ++i) results.push_back(pool.apply_async(worker_pid));
    for (auto& r : results) seen.insert(r.get());
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_LE(seen.size(), 3u);
    for (pid_t pid : seen) EXPECT_NE(std::find(workers.begin(), workers.end(), pid), workers.end());
}

TEST(Pool, WorkersExistWhenTheConstructorReturnsAndServeEveryTask) {
    Pool pool(3);
    const std::vector<pid_t> workers = pool.worker_pids();
    ASSERT_EQ(workers.size(), 3u);
    const std::set<pid_t> started(workers.begin(), workers.end());
    std::set<pid_t> seen;
    for (int i = 0; i < 10; ++i) seen.insert(pool.apply(worker_pid));
    for (int i = 0; i < 10; ++i) seen.insert(pool.apply_async(worker_pid).get());
    for (pid_t pid : seen) EXPECT_EQ(started.count(pid), 1u) << pid;
    const std::vector<pid_t> after = pool.worker_pids();
    EXPECT_EQ(std::set<pid_t>(after.begin(), after.end()), started);
}

TEST(Pool, CloseAndJoinRightAfterStartWithNoTask) {
    for (int i = 0; i < 20; ++i) {
        Pool pool(2);
        pool.close();
        EXPECT_THROW(pool.apply(square, 1), mp::pool::PoolClosed);
        if (i % 2 == 0) {
            pool.join();
        } else {
            EXPECT_TRUE(pool.join_for(10s));
        }
        EXPECT_TRUE(pool.worker_pids().empty());
    }
}

TEST(Pool, AWorkerKilledBeforeItsFirstTaskIsReplaced) {
    Pool pool(2);
    const std::vector<pid_t> first = pool.worker_pids();
    ASSERT_EQ(first.size(), 2u);
    const pid_t victim = first[0];
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    // A task handed to it before its death was reported fails with WorkerDied; no
    // task hangs, and the others run on the survivor or the replacement.
    int died = 0;
    std::set<pid_t> ran;
    for (int i = 0; i < 6; ++i) {
        try {
            ran.insert(pool.apply(worker_pid));
        } catch (const mp::pool::WorkerDied& error) {
            EXPECT_EQ(error.pid(), victim);
            EXPECT_EQ(error.signal(), SIGKILL);
            ++died;
        }
    }
    EXPECT_LE(died, 1);
    EXPECT_EQ(ran.count(victim), 0u);
    std::vector<pid_t> now;
    for (const auto deadline = Clock::now() + 10s; Clock::now() < deadline; std::this_thread::sleep_for(1ms)) {
        now = pool.worker_pids();
        if (std::count(now.begin(), now.end(), victim) == 0) break;
    }
    EXPECT_EQ(std::count(now.begin(), now.end(), victim), 0);
    EXPECT_EQ(now.size(), 2u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(pool.apply(square, i), i * i);
    pool.close();
    pool.join();
}

TEST(Pool, WorkerExceptionIsRethrownWithItsTypeAndMessage) {
    Pool pool(1);
    try {
        pool.apply(fail_with, 1);
        FAIL() << "no exception";
    } catch (const std::out_of_range& error) {
        EXPECT_STREQ(error.what(), "index 7 is out of range");
    }
    try {
        pool.apply(fail_with, 2);
        FAIL() << "no exception";
    } catch (const mp::pool::RemoteError& error) {  // not a std::exception: only its type name travels
        EXPECT_EQ(error.type_name(), "int");
        EXPECT_EQ(error.pid(), pool.worker_pids().at(0));
    }
    EXPECT_EQ(pool.apply(fail_with, 3), 3);  // the worker survived both
}

TEST(Pool, AsyncResultReadyWaitAndGetWithTimeout) {
    TestPipe gate;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {gate.read_end}});
    auto blocked = pool.apply_async(
        [](int fd) {
            char byte;
            return static_cast<int>(read(fd, &byte, 1));
        },
        gate.read_end);
    EXPECT_FALSE(blocked.ready());
    EXPECT_THROW((void)blocked.successful(), std::logic_error);
    EXPECT_FALSE(blocked.wait_for(50ms));
    const auto start = Clock::now();
    EXPECT_THROW(blocked.get(100ms), mp::pool::TimeoutError);
    EXPECT_GE(Clock::now() - start, 90ms);
    (void)!write(gate.write_end, "x", 1);
    EXPECT_EQ(blocked.get(10s), 1);
    EXPECT_TRUE(blocked.ready());
    EXPECT_TRUE(blocked.successful());
    EXPECT_EQ(blocked.get(), 1);  // get again: same value

    auto failed = pool.apply_async(fail_with, 1);
    failed.wait();
    EXPECT_FALSE(failed.successful());
    EXPECT_THROW(failed.get(), std::out_of_range);

    auto nothing = pool.apply_async([] {});
    nothing.get();
    EXPECT_TRUE(nothing.successful());
}

// ---------------------------------------------------------------- callbacks

TEST(Pool, CallbacksRunOnOneResultThreadInCompletionOrder) {
    Pool pool(3);
    std::mutex mutex;
    std::vector<int> order;
    std::set<std::thread::id> threads;
    std::vector<std::string> errors;
    std::vector<AsyncResult<int>> results;
    // Later tasks finish first: sleep (6 - i) * 15 ms.
    for (int i = 0; i < 3; ++i) {
        results.push_back(pool.apply_async({.callback =
                                                [&](const int& value) {
                                                    std::lock_guard lock(mutex);
                                                    order.push_back(value);
                                                    threads.insert(std::this_thread::get_id());
                                                }},
                                           [](int i) {
                                               usleep(static_cast<useconds_t>((3 - i) * 60000));
                                               return i;
                                           },
                                           i));
    }
    auto failing = pool.apply_async({.error_callback =
                                         [&](const std::exception& error) {
                                             std::lock_guard lock(mutex);
                                             errors.push_back(error.what());
                                             threads.insert(std::this_thread::get_id());
                                         }},
                                    fail_with, 1);
    for (auto& r : results) r.get();
    EXPECT_THROW(failing.get(), std::out_of_range);
    std::lock_guard lock(mutex);
    EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));  // completion order, before get() returned
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "index 7 is out of range");
    EXPECT_EQ(threads.size(), 1u);
    EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

// Redirects this process's stderr into a pipe while alive.
struct CapturedStderr {
    TestPipe pipe;
    int saved = dup(2);
    CapturedStderr() { dup2(pipe.write_end, 2); }
    std::string finish() {
        dup2(saved, 2);
        close(saved);
        pipe.close_write();
        return pipe.read_all();
    }
};

TEST(Pool, ThrowingCallbackIsReportedAndTheResultStillArrives) {
    CapturedStderr captured;
    std::string text;
    {
        Pool pool(1);
        auto r = pool.apply_async({.callback = [](const int&) { throw std::runtime_error("callback broke"); }}, square, 5);
        EXPECT_EQ(r.get(), 25);
        EXPECT_EQ(pool.apply(square, 6), 36);
    }
    text = captured.finish();
    EXPECT_NE(text.find("pool: callback threw std::runtime_error: callback broke"), std::string::npos) << text;
}

TEST(Pool, WaitingInsideACallbackIsRefusedInsteadOfDeadlocking) {
    Pool pool(2);
    std::atomic<bool> refused{false};
    auto other = std::make_shared<std::optional<AsyncResult<int>>>();
    *other = pool.apply_async([] {
        usleep(400000);
        return 1;
    });
    auto r = pool.apply_async({.callback =
                                   [&, other](const int&) {
                                       try {
                                           (void)(*other)->get();
                                       } catch (const std::logic_error&) {
                                           refused = true;
                                       }
                                   }},
                              square, 2);
    EXPECT_EQ(r.get(), 4);
    EXPECT_TRUE(refused);
    EXPECT_EQ((*other)->get(), 1);
}

}  // namespace
