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
#include "threadpool/futures.hpp"
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
    mp::threadpool::Future<int> f = executor.submit(square, 9);
    mp::threadpool::Future<std::string> s = executor.submit(shout, std::string("go"), 3);
    mp::threadpool::Future<int> bad = executor.submit(fail_with, 1);
    EXPECT_EQ(f.result(), 81);
    EXPECT_EQ(s.result(), "go!go!go!");
    EXPECT_THROW(bad.result(), std::out_of_range);
    EXPECT_EQ(executor.map(square, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
    executor.shutdown();
    EXPECT_THROW((void)executor.submit(square, 1), mp::pool::PoolClosed);
    executor.shutdown();  // idempotent
}

// ProcessPoolExecutor.map(chunksize=0) raises ValueError; ours says so too instead
// of choosing a chunk size as Pool::map does for 0.
TEST(Executor, MapRefusesAChunksizeOfZero) {
    mp::pool::Executor executor(1);
    EXPECT_THROW((void)executor.map(square, std::vector<int>{1, 2}, 0), std::invalid_argument);
    EXPECT_EQ(executor.map(square, std::vector<int>{1, 2}, 5), (std::vector<int>{1, 4}));
}

TEST(Executor, ADeadWorkerFailsOnlyItsFuture) {
    TestPipe pids;
    mp::pool::Executor executor(PoolOptions{.processes = 1, .pass_fds = {pids.write_end}});
    auto doomed = executor.submit(report_pid_and_hang, pids.write_end);
    kill(read_pid(pids.read_end), SIGKILL);
    EXPECT_THROW(doomed.result(), mp::pool::WorkerDied);
    EXPECT_EQ(executor.submit(square, 4).result(), 16);  // not a broken pool
}

TEST(Executor, ShutdownWithCancelFuturesCancelsQueuedCalls) {
    mp::pool::Executor executor(1);
    auto running = executor.submit([] {
        usleep(200000);
        return 1;
    });
    usleep(50000);
    std::vector<mp::threadpool::Future<int>> queued;
    for (int i = 0; i < 5; ++i) queued.push_back(executor.submit(square, i));
    executor.shutdown(true, true);
    EXPECT_EQ(running.result(), 1);
    for (auto& q : queued) {
        EXPECT_TRUE(q.cancelled());
        EXPECT_THROW((void)q.result(), mp::pool::CancelledError);
    }
}

void write_value(int fd, int value) {
    if (write(fd, &value, sizeof value) != static_cast<ssize_t>(sizeof value)) std::abort();
}

TEST(Executor, ACancelledCallNeverRunsAndARunningOneCannotBeCancelled) {
    TestPipe ran;
    mp::pool::Executor executor(PoolOptions{.processes = 1, .pass_fds = {ran.write_end}});
    auto running = executor.submit([] {
        usleep(200000);
        return 1;
    });
    usleep(50000);
    auto cancelled = executor.submit(write_value, ran.write_end, 1);
    auto kept = executor.submit(write_value, ran.write_end, 2);
    EXPECT_TRUE(cancelled.cancel());
    EXPECT_TRUE(cancelled.cancelled());
    EXPECT_EQ(running.result(), 1);
    kept.result();
    EXPECT_FALSE(kept.cancel()) << "it ran";
    executor.shutdown();
    ran.close_write();
    std::vector<int> values;
    for (int value = 0; read(ran.read_end, &value, sizeof value) == static_cast<ssize_t>(sizeof value);)
        values.push_back(value);
    EXPECT_EQ(values, std::vector<int>{2}) << "the cancelled call never ran";
}

TEST(Executor, AsCompletedWorksOnItsFutures) {
    mp::pool::Executor executor(2);
    std::vector<mp::threadpool::Future<int>> futures;
    for (int i = 1; i <= 4; ++i) futures.push_back(executor.submit(square, i));
    int sum = 0;
    for (const auto& done : mp::threadpool::as_completed(futures, std::chrono::seconds(30))) sum += done.result();
    EXPECT_EQ(sum, 1 + 4 + 9 + 16);
}

}  // namespace
