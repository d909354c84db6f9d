// Every timed wait of mp::sync takes any std::chrono duration: "forever" as users
// write it waits, zero and negative timeouts poll once.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>

#include "sync/sync.hpp"
#include "tests/support/huge_timeouts.hpp"

namespace {

using namespace std::chrono_literals;
using mp::test::expect_blocks_until_released;
using mp::test::for_each_huge_timeout;

TEST(SyncTimeouts, LocksWithHugeTimeoutsWaitForTheHolder) {
    for_each_huge_timeout([&](auto forever) {
        mp::sync::Lock lock;
        lock.lock();
        expect_blocks_until_released([&] { EXPECT_TRUE(lock.try_lock_for(forever)); lock.unlock(); },
                                     [&] { lock.unlock(); });
        mp::sync::RLock rlock;
        std::unique_lock held(rlock);
        expect_blocks_until_released([&] { EXPECT_TRUE(rlock.try_lock_for(forever)); rlock.unlock(); },
                                     [&] { held.unlock(); });
    });
}

TEST(SyncTimeouts, SemaphoreEventConditionBarrierWithHugeTimeoutsWait) {
    for_each_huge_timeout([&](auto forever) {
        mp::sync::Semaphore semaphore(0);
        expect_blocks_until_released([&] { EXPECT_TRUE(semaphore.try_acquire_for(forever)); },
                                     [&] { semaphore.release(); });
        mp::sync::Event event;
        expect_blocks_until_released([&] { EXPECT_TRUE(event.wait_for(forever)); }, [&] { event.set(); });
        mp::sync::Condition condition;
        bool ready = false;
        expect_blocks_until_released(
            [&] {
                std::unique_lock lock(condition);
                EXPECT_TRUE(condition.wait_for(forever, [&] { return ready; }));
            },
            [&] {
                std::unique_lock lock(condition);
                ready = true;
                condition.notify_all();
            });
        mp::sync::Barrier barrier(2);
        expect_blocks_until_released([&] { (void)barrier.wait(forever); }, [&] { (void)barrier.wait(); });
    });
}

TEST(SyncTimeouts, ZeroAndNegativeTimeoutsPollOnce) {
    mp::sync::Lock lock;
    EXPECT_TRUE(lock.try_lock_for(0ms));
    EXPECT_FALSE(lock.try_lock_for(-1s));
    lock.unlock();
    mp::sync::Semaphore semaphore(1);
    EXPECT_TRUE(semaphore.try_acquire_for(-1s));
    EXPECT_FALSE(semaphore.try_acquire_for(0ms));
    semaphore.release();
    mp::sync::Event event;
    EXPECT_FALSE(event.wait_for(0ms));
    event.set();
    EXPECT_TRUE(event.wait_for(-1h));
}

}  // namespace
