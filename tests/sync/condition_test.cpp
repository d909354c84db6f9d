// Condition: producer/consumer across processes, predicates, timeouts, misuse.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "sync/condition.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::Condition;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::seconds_since;
using mp::sync::test::SharedMemory;

// A bounded queue of ints in shared memory, guarded by the condition's lock.
struct SharedQueue {
    int items[4];
    int head = 0;
    int size = 0;
    bool done = false;
};

TEST(Condition, ProducerAndConsumerInTwoProcesses) {
    Condition cv;
    SharedMemory memory(sizeof(SharedQueue));
    auto* queue = new (memory.get()) SharedQueue;
    Child consumer([&](Child&) {
        long sum = 0;
        for (;;) {
            std::unique_lock guard(cv);
            if (!cv.wait_for(20s, [&] { return queue->size > 0 || queue->done; })) return 2;
            if (queue->size == 0) break;
            sum += queue->items[queue->head];
            queue->head = (queue->head + 1) % 4;
            --queue->size;
            cv.notify_all();
        }
        return sum == 500500 ? 0 : 1;
    });
    for (int i = 1; i <= 1000; ++i) {
        std::unique_lock guard(cv);
        ASSERT_TRUE(cv.wait_for(20s, [&] { return queue->size < 4; }));
        queue->items[(queue->head + queue->size) % 4] = i;
        ++queue->size;
        cv.notify();
    }
    {
        std::lock_guard guard(cv);
        queue->done = true;
        cv.notify_all();
    }
    EXPECT_EQ(exit_code(consumer.join()), 0);
}

TEST(Condition, WaitTimesOutAndKeepsTheLock) {
    Condition cv(Condition::LockKind::lock);
    std::unique_lock guard(cv);
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(cv.wait_for(100ms));
    EXPECT_GE(seconds_since(start), 0.09);
    EXPECT_LT(seconds_since(start), 3.0);
    start = std::chrono::steady_clock::now();
    EXPECT_FALSE(cv.wait_until(std::chrono::system_clock::now() + 100ms, [] { return false; }));
    EXPECT_GE(seconds_since(start), 0.09);
    std::thread other([&] { EXPECT_FALSE(cv.try_lock()); });
    other.join();
}

// Notifications that do not make the predicate true (like spurious wake-ups) must
// not end a predicate wait; the one that does must.
TEST(Condition, PredicateWaitSurvivesWakeUpsThatDoNotSatisfyIt) {
    Condition cv;
    SharedMemory memory(sizeof(int));
    auto* value = new (memory.get()) int(0);
    Child waiter([&](Child& self) {
        std::unique_lock guard(cv);
        self.ready();
        if (!cv.wait_for(20s, [&] { return *value == 5; })) return 1;
        return *value == 5 ? 0 : 2;
    });
    ASSERT_TRUE(waiter.wait_ready());
    for (int i = 1; i <= 5; ++i) {
        usleep(5000);
        std::lock_guard guard(cv);
        *value = i;
        cv.notify_all();
    }
    EXPECT_EQ(exit_code(waiter.join()), 0);
}

TEST(Condition, NotifyAllWakesEveryWaitingThread) {
    Condition cv;
    bool go = false;
    std::atomic<int> woke{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&] {
            std::unique_lock guard(cv);
            if (cv.wait_for(20s, [&] { return go; })) ++woke;
        });
    usleep(20000);
    {
        std::lock_guard guard(cv);
        go = true;
        cv.notify_all();
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(woke.load(), 3);
}

TEST(Condition, WaitOnAnRLockHeldTwiceRestoresBothHolds) {
    Condition cv;  // RLock by default, as in Python
    cv.lock();
    cv.lock();
    std::thread notifier([&] {
        std::lock_guard guard(cv);  // possible only if wait released both holds
        cv.notify_all();
    });
    EXPECT_TRUE(cv.wait_for(20s));
    notifier.join();
    cv.unlock();
    std::thread still_held([&] { EXPECT_FALSE(cv.try_lock()); });
    still_held.join();
    cv.unlock();
}

TEST(Condition, WaitOrNotifyWithoutTheLockIsRefused) {
    Condition cv;
    EXPECT_THROW(cv.notify(), std::system_error);
    EXPECT_THROW((void)cv.wait_for(1ms), std::system_error);
}

TEST(Condition, AWaiterKilledWhileWaitingLeavesItUsable) {
    Condition cv;
    Child waiter([&](Child& self) {
        std::unique_lock guard(cv);
        self.ready();
        cv.wait();
        return 0;
    });
    ASSERT_TRUE(waiter.wait_ready());
    usleep(20000);
    waiter.kill_and_reap();
    std::unique_lock guard(cv, 5s);
    ASSERT_TRUE(guard.owns_lock());
    cv.notify_all();
    EXPECT_FALSE(cv.wait_for(10ms));
}

}  // namespace

namespace {

// threading.Condition(lock): the condition shares an existing lock with code that
// locks it directly.
TEST(ConditionOverALock, ThreadsHoldingThePlainLockNotifyAWaiter) {
    mp::sync::Lock lock;
    Condition cv(lock);
    bool ready = false;
    std::thread waiter_thread([&] {
        std::unique_lock guard(cv);
        EXPECT_TRUE(cv.wait_for(20s, [&] { return ready; }));
        EXPECT_TRUE(lock.locked());  // held again on return
    });
    std::this_thread::sleep_for(50ms);
    {
        std::lock_guard direct(lock);  // the lock itself, not the condition
        EXPECT_FALSE(cv.try_lock()) << "the condition does not share the lock";
        ready = true;
        cv.notify();
    }
    waiter_thread.join();
    EXPECT_FALSE(lock.locked());
}

TEST(ConditionOverALock, ProcessesShareTheLockAndTheCondition) {
    mp::sync::Lock lock;
    Condition cv(lock);
    SharedMemory memory(sizeof(int));
    auto* value = new (memory.get()) int(0);
    Child waiter([&](Child&) {
        std::unique_lock guard(cv);
        return cv.wait_for(20s, [&] { return *value == 42; }) ? 0 : 1;
    });
    std::this_thread::sleep_for(50ms);
    lock.acquire();
    *value = 42;
    cv.notify_all();
    lock.release();
    EXPECT_EQ(exit_code(waiter.join()), 0);
}

TEST(ConditionOverALock, WaitReleasesEveryLevelOfAnRLockAndRestoresThem) {
    mp::sync::RLock rlock;
    Condition cv(rlock);
    rlock.lock();
    rlock.lock();
    std::atomic<bool> taken_meanwhile{false};
    std::thread other([&] {
        std::this_thread::sleep_for(50ms);
        std::lock_guard guard(rlock);  // only possible while the waiter waits
        taken_meanwhile = true;
        cv.notify();
    });
    EXPECT_TRUE(cv.wait_for(20s, [&] { return taken_meanwhile.load(); }));
    other.join();
    EXPECT_EQ(rlock.recursion_depth(), 2u);
    rlock.unlock();
    rlock.unlock();
    EXPECT_FALSE(rlock.locked());
}

TEST(ConditionOverALock, WaitForTimesOutAndNotifyNeedsTheLock) {
    mp::sync::Lock lock;
    Condition cv(lock);
    EXPECT_THROW(cv.notify(), std::system_error);
    std::unique_lock guard(lock);
    EXPECT_FALSE(cv.wait_for(50ms));
    EXPECT_TRUE(lock.locked());
}

}  // namespace
