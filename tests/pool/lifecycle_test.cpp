// mp::pool::Pool: close, join, terminate, and workers that die mid-task.
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

TEST(Pool, CloseThenJoinFinishesQueuedTasks) {
    Pool pool(2);
    std::vector<AsyncResult<int>> results;
    for (int i = 0; i < 20; ++i) results.push_back(pool.apply_async(square, i));
    EXPECT_THROW(pool.join(), std::logic_error);  // join needs close() or terminate()
    pool.close();
    EXPECT_THROW(pool.apply_async(square, 1), mp::pool::PoolClosed);
    pool.join();
    for (int i = 0; i < 20; ++i) EXPECT_EQ(results[static_cast<size_t>(i)].get(), i * i);
    EXPECT_TRUE(pool.worker_pids().empty());
}

TEST(Pool, JoinWithTimeoutWaitsForRunningTasks) {
    Pool pool(1);
    auto r = pool.apply_async([] {
        usleep(300000);
        return 1;
    });
    pool.close();
    EXPECT_FALSE(pool.join_for(50ms));
    EXPECT_TRUE(pool.join_for(10s));
    EXPECT_EQ(r.get(), 1);
}

TEST(Pool, ResultsLargerThanThePipeBufferNeverBlockJoin) {
    Pool pool(2);
    auto big = pool.apply_async([](size_t n) { return std::string(n, 'x'); }, size_t{8} << 20);
    auto many = pool.map([](int i) { return std::vector<int>(100000, i); }, std::vector<int>{1, 2, 3, 4});
    pool.close();
    pool.join();
    EXPECT_EQ(big.get().size(), size_t{8} << 20);
    ASSERT_EQ(many.size(), 4u);
    EXPECT_EQ(many[3], std::vector<int>(100000, 4));
    // And arguments larger than the socket buffer travel too.
    Pool second(1);
    EXPECT_EQ(second.apply([](const std::string& s) { return s.size(); }, std::string(3 << 20, 'y')), size_t{3} << 20);
}

struct Unencodable {
    int value = 0;
};
void mp_encode(mp::ipc::Encoder&, const Unencodable&) { throw std::length_error("cannot encode Unencodable"); }
void mp_decode(mp::ipc::Decoder& in, Unencodable& u) { in.read(u.value); }

TEST(Pool, AResultThatCannotBeEncodedFailsThatTaskOnly) {
    Pool pool(1);
    try {
        pool.apply([] { return Unencodable{3}; });
        FAIL() << "no exception";
    } catch (const std::length_error& error) {
        EXPECT_STREQ(error.what(), "cannot encode Unencodable");
    }
    EXPECT_EQ(pool.apply(square, 3), 9);
}

// ---------------------------------------------------------------- workers that die

TEST(Pool, SigkilledWorkerFailsItsTaskAndIsReplaced) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 2, .pass_fds = {pids.write_end}});
    auto doomed = pool.apply_async(report_pid_and_hang, pids.write_end);
    auto fine = pool.apply_async([] {
        usleep(100000);
        return 7;
    });
    const pid_t victim = read_pid(pids.read_end);
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    try {
        doomed.get(10s);
        FAIL() << "no exception";
    } catch (const mp::pool::WorkerDied& died) {
        EXPECT_EQ(died.pid(), victim);
        EXPECT_EQ(died.signal(), SIGKILL);
        EXPECT_NE(std::string(died.what()).find("signal 9"), std::string::npos) << died.what();
    }
    EXPECT_EQ(fine.get(10s), 7);  // the other worker's task is untouched
    std::set<pid_t> seen;
    for (int i = 0; i < 20; ++i) seen.insert(pool.apply(worker_pid));
    EXPECT_EQ(seen.count(victim), 0u);
    const std::vector<pid_t> workers = pool.worker_pids();
    EXPECT_EQ(workers.size(), 2u);
    EXPECT_EQ(std::count(workers.begin(), workers.end(), victim), 0);
}

TEST(Pool, BlockingApplyFailsWithWorkerDiedWhenItsWorkerIsKilled) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    std::thread killer([&] { kill(read_pid(pids.read_end), SIGKILL); });
    EXPECT_THROW(pool.apply(report_pid_and_hang, pids.write_end), mp::pool::WorkerDied);
    killer.join();
    EXPECT_EQ(pool.apply(square, 5), 25);
    // A task whose grandchild keeps the worker's channel open: the exit report alone
    // must end the wait.
    std::thread killer2([&] { kill(read_pid(pids.read_end), SIGKILL); });
    EXPECT_THROW(pool.apply(
                     [](int fd) {
                         if (fork() == 0) {
                             usleep(1500000);
                             _exit(0);
                         }
                         return report_pid_and_hang(fd);
                     },
                     pids.write_end),
                 mp::pool::WorkerDied);
    killer2.join();
    EXPECT_EQ(pool.apply(square, 6), 36);
}

TEST(Pool, AbortSegfaultAndExitInATaskEachFailOnlyThatTask) {
    Pool pool(2);
    auto aborted = pool.apply_async([] {
        std::abort();
        return 0;
    });
    auto crashed = pool.apply_async([] {
        signal(SIGSEGV, SIG_DFL);  // a sanitizer build would catch it and exit 1 instead
        raise(SIGSEGV);
        return 0;
    });
    auto exited = pool.apply_async([] {
        _exit(3);
        return 0;
    });
    EXPECT_EQ(died_of(aborted), -SIGABRT);
    EXPECT_EQ(died_of(crashed), -SIGSEGV);
    EXPECT_EQ(died_of(exited), 3);
    EXPECT_EQ(pool.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
}

TEST(Pool, TerminateMidMapCancelsEverythingAndReturnsPromptly) {
    Pool pool(2);
    std::vector<int> items(40, 1);
    auto r = pool.map_async(
        [](int x) {
            usleep(100000);
            return x;
        },
        items, 1);
    usleep(150000);
    const auto start = Clock::now();
    pool.terminate();
    EXPECT_LT(Clock::now() - start, 5s);
    EXPECT_THROW(r.get(1s), mp::pool::CancelledError);
    EXPECT_TRUE(pool.worker_pids().empty());
    EXPECT_THROW(pool.apply(square, 1), mp::pool::PoolClosed);
    pool.join();  // allowed after terminate
}

TEST(Pool, TerminateKillsWorkersThatIgnoreSigterm) {
    TestPipe pids;
    Pool pool(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    auto stubborn = pool.apply_async(
        [](int fd) {
            signal(SIGTERM, SIG_IGN);
            return report_pid_and_hang(fd);
        },
        pids.write_end);
    auto queued = pool.apply_async(square, 2);
    read_pid(pids.read_end);
    const auto start = Clock::now();
    pool.terminate();
    EXPECT_LT(Clock::now() - start, 6s);
    EXPECT_THROW(stubborn.get(1s), mp::pool::CancelledError);
    EXPECT_THROW(queued.get(1s), mp::pool::CancelledError);
}

TEST(Pool, DestructorTerminatesAndReapsEverything) {
    TestPipe pids;
    std::optional<AsyncResult<int>> r;
    {
        Pool pool(PoolOptions{.processes = 2, .pass_fds = {pids.write_end}});
        r = pool.apply_async(report_pid_and_hang, pids.write_end);
        read_pid(pids.read_end);
    }  // the leak guard checks that the fork server was reaped
    EXPECT_THROW(r->get(1s), mp::pool::CancelledError);
}

}  // namespace
