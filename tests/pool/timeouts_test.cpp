// Every timed wait of mp::pool takes any std::chrono duration: "forever" as users
// write it waits, zero and negative timeouts poll once.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "pool/pool.hpp"
#include "tests/support/huge_timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mp::pool::Pool;
using mp::pool::Process;
using mp::test::expect_blocks_until_released;
using mp::test::for_each_huge_timeout;

// Long enough to be still running at the 200 ms check, short enough to wait for.
int slow_square(int x) {
    std::this_thread::sleep_for(600ms);
    return x * x;
}

void sleep_a_while() { std::this_thread::sleep_for(600ms); }

TEST(PoolTimeouts, AsyncResultGetAndWaitWithHugeTimeoutsWait) {
    Pool pool(1);
    for_each_huge_timeout([&](auto forever) {
        auto get = pool.apply_async(slow_square, 3);
        expect_blocks_until_released([&] { EXPECT_EQ(get.get(forever), 9); }, {});
        auto wait = pool.apply_async(slow_square, 4);
        expect_blocks_until_released([&] { EXPECT_TRUE(wait.wait_for(forever)); }, {});
    });
}

TEST(PoolTimeouts, IMapNextWithHugeTimeoutsWaits) {
    Pool pool(1);
    for_each_huge_timeout([&](auto forever) {
        auto results = pool.imap(slow_square, std::vector<int>{5});
        expect_blocks_until_released([&] { EXPECT_EQ(results.next(forever), 25); }, {});
        EXPECT_EQ(results.next(forever), std::nullopt);
    });
}

TEST(PoolTimeouts, PoolJoinWithHugeTimeoutsWaits) {
    for_each_huge_timeout([&](auto forever) {
        Pool pool(1);
        auto running = pool.apply_async(slow_square, 2);
        pool.close();
        expect_blocks_until_released([&] { EXPECT_TRUE(pool.join_for(forever)); }, {});
        EXPECT_EQ(running.get(), 4);
    });
}

TEST(PoolTimeouts, ProcessJoinWithHugeTimeoutsWaits) {
    for_each_huge_timeout([&](auto forever) {
        Process p(sleep_a_while);
        p.start();
        expect_blocks_until_released([&] { EXPECT_TRUE(p.join_for(forever)); }, {});
        EXPECT_EQ(p.exitcode(), 0);
    });
}

TEST(PoolTimeouts, ZeroAndNegativeTimeoutsPollOnce) {
    Pool pool(1);
    auto r = pool.apply_async(slow_square, 6);
    const auto before = std::chrono::steady_clock::now();
    EXPECT_FALSE(r.wait_for(0ms));
    EXPECT_FALSE(r.wait_for(-5s));
    EXPECT_THROW(r.get(0s), mp::pool::TimeoutError);
    auto results = pool.imap(slow_square, std::vector<int>{7});
    EXPECT_THROW(results.next(-1ms), mp::pool::TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 400ms);
    EXPECT_EQ(r.get(), 36);
    EXPECT_TRUE(r.wait_for(0ms));
    EXPECT_EQ(r.get(-1s), 36);
    EXPECT_EQ(results.next(), 49);

    Process p(sleep_a_while);
    p.start();
    EXPECT_FALSE(p.join_for(0ms));
    EXPECT_FALSE(p.join_for(-1h));
    p.join();
    EXPECT_TRUE(p.join_for(0ms));
    pool.close();
    EXPECT_TRUE(pool.join_for(10s));
}

}  // namespace
