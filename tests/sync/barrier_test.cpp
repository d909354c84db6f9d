// Barrier: rounds between threads and processes; timeout, abort, reset; a party
// killed while waiting breaks it instead of hanging the others.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "sync/barrier.hpp"
#include "sync/errors.hpp"
#include "sync/named.hpp"
#include "tests/support/helpers.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::Barrier;
using mp::sync::BrokenBarrierError;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::seconds_since;
using mp::sync::test::SharedMemory;

TEST(Barrier, ThreadsPassRoundAfterRoundWithDistinctIndexes) {
    Barrier barrier(3);
    std::atomic<int> before{0};
    std::atomic<bool> early{false};
    std::vector<std::vector<std::uint32_t>> indexes(3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 5; ++round) {
                ++before;
                indexes[static_cast<size_t>(t)].push_back(barrier.wait(20s));
                if (before.load() < 3 * (round + 1)) early = true;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_FALSE(early.load()) << "a thread passed before all had arrived";
    for (int round = 0; round < 5; ++round) {
        std::vector<std::uint32_t> seen;
        for (auto& per_thread : indexes) seen.push_back(per_thread[static_cast<size_t>(round)]);
        std::sort(seen.begin(), seen.end());
        EXPECT_EQ(seen, (std::vector<std::uint32_t>{0, 1, 2}));
    }
}

TEST(Barrier, ForkedProcessesMeet) {
    Barrier barrier(4);
    SharedMemory memory(sizeof(std::atomic<int>));
    auto* arrived = new (memory.get()) std::atomic<int>(0);
    std::vector<std::unique_ptr<Child>> children;
    for (int c = 0; c < 3; ++c)
        children.push_back(std::make_unique<Child>([&](Child&) {
            ++*arrived;
            barrier.wait(20s);
            return arrived->load() == 4 ? 0 : 1;
        }));
    usleep(20000);
    ++*arrived;
    barrier.wait(20s);
    for (auto& child : children) EXPECT_EQ(exit_code(child->join()), 0);
}

// The bounded wait takes a deadline on any clock too, and throws as wait(timeout).
TEST(Barrier, AWaitUntilADeadlineOnAnyClockBreaksItWhenItPasses) {
    Barrier barrier(2);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(barrier.wait(std::chrono::system_clock::now() + 100ms), BrokenBarrierError);
    EXPECT_GE(seconds_since(start), 0.09);
    EXPECT_LT(seconds_since(start), 3.0);
    EXPECT_TRUE(barrier.broken());
    barrier.reset();
    std::thread partner([&] { barrier.wait(std::chrono::steady_clock::now() + 20s); });
    EXPECT_NO_THROW(barrier.wait(std::chrono::system_clock::now() + 20s));
    partner.join();
}

TEST(Barrier, ATimedOutWaitBreaksItUntilReset) {
    Barrier barrier(2);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(barrier.wait(100ms), BrokenBarrierError);
    EXPECT_GE(seconds_since(start), 0.09);
    EXPECT_LT(seconds_since(start), 3.0);
    EXPECT_TRUE(barrier.broken());
    EXPECT_THROW(barrier.wait(10s), BrokenBarrierError);
    barrier.reset();
    EXPECT_FALSE(barrier.broken());
    std::thread partner([&] { barrier.wait(20s); });
    EXPECT_NO_THROW(barrier.wait(20s));
    partner.join();
}

TEST(Barrier, AbortWakesWaitersWithBrokenBarrierError) {
    Barrier barrier(3);
    std::atomic<int> broken{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&] {
            try {
                barrier.wait(20s);
            } catch (const BrokenBarrierError&) {
                ++broken;
            }
        });
    while (barrier.n_waiting() < 2) usleep(1000);
    barrier.abort();
    for (auto& t : threads) t.join();
    EXPECT_EQ(broken.load(), 2);
}

TEST(Barrier, ResetWhileAThreadWaitsBreaksItsWaitThenWorks) {
    Barrier barrier(2);
    std::atomic<bool> broken{false};
    std::thread waiter([&] {
        try {
            barrier.wait(20s);
        } catch (const BrokenBarrierError&) {
            broken = true;
        }
    });
    while (barrier.n_waiting() < 1) usleep(1000);
    barrier.reset();
    waiter.join();
    EXPECT_TRUE(broken.load());
    EXPECT_FALSE(barrier.broken());
    std::thread partner([&] { barrier.wait(20s); });
    EXPECT_NO_THROW(barrier.wait(20s));
    partner.join();
}

TEST(Barrier, APartyKilledWhileWaitingBreaksItForTheOthers) {
    Barrier barrier(3);
    Child victim([&](Child& self) {
        self.ready();
        barrier.wait();
        return 0;
    });
    Child survivor([&](Child& self) {
        self.ready();
        const auto start = std::chrono::steady_clock::now();
        try {
            barrier.wait(60s);
        } catch (const BrokenBarrierError&) {
            return seconds_since(start) < 50 ? 0 : 2;
        }
        return 1;
    });
    ASSERT_TRUE(victim.wait_ready());
    ASSERT_TRUE(survivor.wait_ready());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (barrier.n_waiting() < 2 && std::chrono::steady_clock::now() < deadline) usleep(1000);
    ASSERT_EQ(barrier.n_waiting(), 2u);
    const auto killed = std::chrono::steady_clock::now();
    victim.kill_and_reap();
    EXPECT_EQ(exit_code(survivor.join()), 0);
    EXPECT_LT(seconds_since(killed), 2.0) << "the survivor should notice within a few 50 ms slices";
    EXPECT_THROW(barrier.wait(1s), BrokenBarrierError);
    barrier.reset();
    EXPECT_FALSE(barrier.broken());
    EXPECT_EQ(barrier.n_waiting(), 0u);
}

TEST(Barrier, ZeroPartiesIsRefused) { EXPECT_THROW(Barrier(0), std::invalid_argument); }

TEST(NamedBarrier, OpenChecksTheParties) {
    const std::string name = mp::test::unique_name("barrier");
    Barrier barrier = Barrier::open(name, 2);
    EXPECT_EQ(barrier.parties(), 2u);
    EXPECT_THROW((void)Barrier::open(name, 3), std::invalid_argument);
    EXPECT_TRUE(mp::sync::remove(name));
}

}  // namespace
