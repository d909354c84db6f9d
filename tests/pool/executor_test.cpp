// mp::pool::Executor: futures, dead workers, shutdown.
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

TEST(Executor, SubmitReturnsFuturesAndMapKeepsOrder) {
    mp::pool::Executor executor(2);
    std::future<int> f = executor.submit(square, 9);
    std::future<std::string> s = executor.submit(shout, std::string("go"), 3);
    std::future<int> bad = executor.submit(fail_with, 1);
    EXPECT_EQ(f.get(), 81);
    EXPECT_EQ(s.get(), "go!go!go!");
    EXPECT_THROW(bad.get(), std::out_of_range);
    EXPECT_EQ(executor.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
    executor.shutdown();
    EXPECT_THROW((void)executor.submit(square, 1), mp::pool::PoolClosed);
    executor.shutdown();  // idempotent
}

TEST(Executor, ADeadWorkerFailsOnlyItsFuture) {
    TestPipe pids;
    mp::pool::Executor executor(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    auto doomed = executor.submit(report_pid_and_hang, pids.write_end);
    kill(read_pid(pids.read_end), SIGKILL);
    EXPECT_THROW(doomed.get(), mp::pool::WorkerDied);
    EXPECT_EQ(executor.submit(square, 4).get(), 16);  // not a broken pool
}

TEST(Executor, ShutdownWithCancelFuturesCancelsQueuedCalls) {
    mp::pool::Executor executor(1);
    auto running = executor.submit([] {
        usleep(200000);
        return 1;
    });
    usleep(50000);
    std::vector<std::future<int>> queued;
    for (int i = 0; i < 5; ++i) queued.push_back(executor.submit(square, i));
    executor.shutdown(true, true);
    EXPECT_EQ(running.get(), 1);
    for (auto& q : queued) EXPECT_THROW(q.get(), mp::pool::CancelledError);
}

}  // namespace
