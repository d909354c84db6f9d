// Every timed wait of mp::threadpool takes any std::chrono duration: "forever" as
// users write it waits, zero and negative timeouts poll once.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "threadpool/threadpool.hpp"
#include "tests/support/huge_timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mp::test::expect_blocks_until_released;
using mp::test::for_each_huge_timeout;
using mp::threadpool::BlockingQueue;
using mp::threadpool::ThreadPool;

TEST(ThreadpoolTimeouts, QueueGetWithHugeTimeoutsWaitsForAPut) {
    for_each_huge_timeout([&](auto forever) {
        BlockingQueue<int> q;
        expect_blocks_until_released([&] { EXPECT_EQ(q.get(forever), 7); }, [&] { q.put(7); });
    });
}

TEST(ThreadpoolTimeouts, QueuePutWithHugeTimeoutsWaitsForRoom) {
    for_each_huge_timeout([&](auto forever) {
        BlockingQueue<int> q(1);
        q.put(1);
        expect_blocks_until_released([&] { q.put(2, forever); }, [&] { EXPECT_EQ(q.get(), 1); });
        EXPECT_EQ(q.get(), 2);
    });
}

TEST(ThreadpoolTimeouts, QueueJoinForWithHugeTimeoutsWaitsForTaskDone) {
    for_each_huge_timeout([&](auto forever) {
        BlockingQueue<int> q;
        q.put(1);
        (void)q.get();
        expect_blocks_until_released([&] { EXPECT_TRUE(q.join_for(forever)); }, [&] { q.task_done(); });
    });
}

TEST(ThreadpoolTimeouts, PoolWaitForWithHugeTimeoutsWaitsForIdle) {
    for_each_huge_timeout([&](auto forever) {
        ThreadPool pool(2);
        std::promise<void> gate;
        std::shared_future<void> opened = gate.get_future().share();
        pool.detach([opened] { opened.wait(); });
        expect_blocks_until_released([&] { EXPECT_TRUE(pool.wait_for(forever)); }, [&] { gate.set_value(); });
    });
}

// "Forever" as an idle timeout: the thread stays. A conversion that wrapped (to a
// negative number of milliseconds) retired it at once.
TEST(ThreadpoolTimeouts, HugeIdleTimeoutsNeverRetireAThread) {
    const auto stays = [](auto forever) {
        ThreadPool pool(ThreadPool::Options{.min_threads = 0, .max_threads = 1, .idle_timeout = forever});
        EXPECT_EQ(pool.submit([] { return 1; }).get(), 1);
        pool.wait_idle();
        std::this_thread::sleep_for(200ms);
        EXPECT_EQ(pool.size(), 1u) << "the idle thread retired";
    };
    for_each_huge_timeout(stays);
    {
        SCOPED_TRACE("hours::max()");
        stays(std::chrono::hours::max());
    }
    EXPECT_TRUE(mp::threadpool::IdleTimeout(std::chrono::hours::max()).forever());
    EXPECT_FALSE(mp::threadpool::IdleTimeout(24h).forever());
    EXPECT_EQ(mp::threadpool::IdleTimeout(-5s).get(), 0ns);
    EXPECT_EQ(mp::threadpool::IdleTimeout(1500us).get(), 1500us);
}

TEST(ThreadpoolTimeouts, ZeroAndNegativeTimeoutsPollOnce) {
    BlockingQueue<int> q(1);
    EXPECT_THROW(q.get(0ms), mp::threadpool::QueueEmpty);
    EXPECT_THROW(q.get(-1s), mp::threadpool::QueueEmpty);
    q.put(1, 0ms);
    EXPECT_THROW(q.put(2, 0ms), mp::threadpool::QueueFull);
    EXPECT_THROW(q.put(2, -1h), mp::threadpool::QueueFull);
    EXPECT_FALSE(q.join_for(0ms));
    EXPECT_EQ(q.get(-1ms), 1);
    q.task_done();
    EXPECT_TRUE(q.join_for(-1ms));

    ThreadPool pool(1);
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    pool.detach([opened] { opened.wait(); });
    EXPECT_FALSE(pool.wait_for(0ms));
    EXPECT_FALSE(pool.wait_for(-1s));
    gate.set_value();
    pool.wait_idle();
    EXPECT_TRUE(pool.wait_for(0ms));
}

}  // namespace
