// mp::pool::Pool: initializer, maxtasksperchild, invalid options, and busy threads in the parent.
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

int initialized_value = 0;

TEST(Pool, InitializerRunsOncePerWorkerWithItsArguments) {
    TestPipe counts;
    Pool pool(
        PoolOptions{.processes = 2, .pass_fds = {counts.write_end}},
        [](int value, int fd) {
            initialized_value = value;
            (void)!write(fd, "i", 1);
        },
        41, counts.write_end);
    std::vector<AsyncResult<int>> results;
    for (int i = 0; i < 10; ++i) results.push_back(pool.apply_async([] { return initialized_value + 1; }));
    for (auto& r : results) EXPECT_EQ(r.get(), 42);
    pool.close();
    pool.join();
    close(counts.write_end);
    counts.write_end = -1;
    EXPECT_EQ(counts.read_all(), "ii");
    EXPECT_EQ(initialized_value, 0);  // it ran in the workers only
}

TEST(Pool, FailingInitializerIsReportedNotRespawnedForever) {
    const auto start = Clock::now();
    try {
        Pool pool(PoolOptions{.processes = 2, .initializer = [] { throw std::runtime_error("no database"); }});
        FAIL() << "no exception";
    } catch (const mp::pool::BrokenPool& error) {
        EXPECT_NE(std::string(error.what()).find("std::runtime_error: no database"), std::string::npos) << error.what();
    }
    EXPECT_LT(Clock::now() - start, 5s);
}

TEST(Pool, MaxtasksperchildReplacesWorkers) {
    Pool pool(PoolOptions{.processes = 1, .maxtasksperchild = 2});
    std::vector<pid_t> pids;
    for (int i = 0; i < 6; ++i) pids.push_back(pool.apply(worker_pid));
    EXPECT_EQ(pids[0], pids[1]);
    EXPECT_EQ(pids[2], pids[3]);
    EXPECT_EQ(pids[4], pids[5]);
    EXPECT_EQ(std::set<pid_t>(pids.begin(), pids.end()).size(), 3u);
    // Also with tasks queued ahead of the replacement.
    auto results = pool.map(worker_pid_of_item, std::vector<int>(9, 0), 1);
    EXPECT_EQ(std::set<pid_t>(results.begin(), results.end()).size(), 5u);
}

TEST(Pool, InvalidOptionsAreRejected) {
    EXPECT_THROW(Pool(PoolOptions{.processes = -1}), std::invalid_argument);
    EXPECT_THROW(Pool(PoolOptions{.processes = 1, .maxtasksperchild = -1}), std::invalid_argument);
    EXPECT_GE(mp::pool::cpu_count(), 1);
}

// ---------------------------------------------------------------- threads in the parent

std::mutex busy_lock;
std::atomic<long> busy_rounds{0};

TEST(Pool, ForkingWithBusyLockHoldingThreadsIsSafe) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    FILE* sink = std::fopen("/dev/null", "we");
    ASSERT_NE(sink, nullptr);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            while (!stop) {
                std::lock_guard lock(busy_lock);
                std::vector<std::string> garbage(16, std::string(100, 'g'));  // malloc under our lock
                std::fprintf(sink, "%zu\n", garbage.size());                  // stdio lock
                ++busy_rounds;
            }
        });
    }
    while (busy_rounds < 1000) std::this_thread::yield();
    {
        // Pools are created and workers replaced (maxtasksperchild 1) while the
        // threads hammer malloc, stdio and a lock; tasks use malloc and stdio.
        Pool pool(PoolOptions{.processes = 2, .maxtasksperchild = 1});
        const auto task = [](int n) {
            std::vector<std::string> parts;
            for (int i = 0; i < n; ++i) parts.push_back(std::to_string(i));
            char buffer[64];
            std::snprintf(buffer, sizeof buffer, "%zu", parts.size());
            return std::string(buffer);
        };
        std::vector<AsyncResult<std::string>> results;
        for (int i = 0; i < 40; ++i) results.push_back(pool.apply_async(task, 100 + i));
        for (int i = 0; i < 40; ++i) EXPECT_EQ(results[static_cast<size_t>(i)].get(30s), std::to_string(100 + i));
        // Submitting from several threads at once.
        std::vector<std::thread> submitters;
        std::atomic<int> correct{0};
        for (int t = 0; t < 4; ++t)
            submitters.emplace_back([&, t] {
                for (int i = 0; i < 10; ++i)
                    if (pool.apply(square, t * 100 + i) == (t * 100 + i) * (t * 100 + i)) ++correct;
            });
        for (auto& s : submitters) s.join();
        EXPECT_EQ(correct, 40);
    }
    stop = true;
    for (auto& t : threads) t.join();
    std::fclose(sink);
}

}  // namespace
