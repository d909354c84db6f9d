// Condition built over an existing Lock or RLock (threading.Condition(lock)):
// one lock shared by code that takes it directly and by the condition's waiters.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <thread>

#include "sync/condition.hpp"
#include "sync/lock.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::Condition;
using mp::sync::Lock;
using mp::sync::RLock;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::seconds_since;
using mp::sync::test::SharedMemory;

TEST(ConditionOverLock, ItsLockIsTheLock) {
    Lock lock;
    Condition cv(lock);
    {
        std::lock_guard guard(cv);
        EXPECT_TRUE(lock.locked());
        std::thread other([&] { EXPECT_FALSE(lock.try_lock()); });
        other.join();
    }
    EXPECT_FALSE(lock.locked());
    std::lock_guard guard(lock);
    std::thread other([&] { EXPECT_FALSE(cv.try_lock()); });
    other.join();
}

TEST(ConditionOverLock, AThreadHoldingThePlainLockNotifiesAWaiter) {
    Lock lock;
    Condition cv(lock);
    bool ready = false;  // guarded by lock
    std::thread setter([&] {
        std::lock_guard guard(lock);  // the lock itself, not the condition
        ready = true;
        cv.notify();
    });
    {
        std::unique_lock guard(cv);
        EXPECT_TRUE(cv.wait_for(20s, [&] { return ready; }));
        EXPECT_TRUE(lock.locked()) << "the waiter holds the lock again";
    }
    setter.join();
}

TEST(ConditionOverLock, AProcessHoldingThePlainLockNotifiesAWaitingProcess) {
    Lock lock;
    Condition cv(lock);
    SharedMemory memory(sizeof(int));
    auto* value = new (memory.get()) int(0);  // guarded by lock
    Child waiter([&](Child& self) {
        std::unique_lock guard(cv);
        self.ready();
        return cv.wait_for(20s, [&] { return *value == 42; }) ? 0 : 1;
    });
    ASSERT_TRUE(waiter.wait_ready());
    {
        // Blocks while the waiter holds the lock: mutual exclusion with it.
        std::lock_guard guard(lock);
        *value = 42;
        cv.notify_all();
    }
    EXPECT_EQ(exit_code(waiter.join()), 0);
}

TEST(ConditionOverLock, AWaitingProcessIsNotifiedByAChildHoldingThePlainLock) {
    Lock lock;
    Condition cv(lock);
    SharedMemory memory(sizeof(int));
    auto* value = new (memory.get()) int(0);
    Child notifier([&](Child&) {
        std::lock_guard guard(lock);
        *value = 7;
        cv.notify();
        return 0;
    });
    std::unique_lock guard(cv);
    EXPECT_TRUE(cv.wait_for(20s, [&] { return *value == 7; }));
    guard.unlock();
    EXPECT_EQ(exit_code(notifier.join()), 0);
}

TEST(ConditionOverLock, WaitForTimesOutAndGivesTheLockBack) {
    Lock lock;
    Condition cv(lock);
    std::lock_guard guard(lock);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(cv.wait_for(100ms));
    EXPECT_FALSE(cv.wait_for(100ms, [] { return false; }));
    EXPECT_GE(seconds_since(start), 0.19);
    EXPECT_LT(seconds_since(start), 10.0);
    std::thread other([&] { EXPECT_FALSE(lock.try_lock()); });
    other.join();
}

TEST(ConditionOverLock, WaitingOrNotifyingWithoutTheLockIsRefused) {
    Lock lock;
    Condition cv(lock);
    try {
        cv.notify();
        ADD_FAILURE() << "notify without the lock";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), EPERM);
    }
    EXPECT_THROW(cv.wait_for(10ms), std::system_error);
    std::lock_guard guard(lock);
    std::thread other([&] { EXPECT_THROW(cv.notify(), std::system_error) << "held by another thread"; });
    other.join();
}

// Python: wait() releases every recursion level of an RLock and restores them.
TEST(ConditionOverRLock, WaitReleasesEveryHoldAndRestoresThem) {
    RLock lock;
    Condition cv(lock);
    std::atomic<bool> taken{false};
    bool ready = false;  // guarded by lock
    lock.lock();
    lock.lock();
    std::thread other([&] {
        // Only possible while the waiter has released both of its holds.
        if (!lock.try_lock_for(20s)) return;
        taken = true;
        ready = true;
        cv.notify();
        lock.unlock();
    });
    EXPECT_TRUE(cv.wait_for(20s, [&] { return ready; }));
    EXPECT_TRUE(taken);
    EXPECT_EQ(lock.recursion_depth(), 2u);
    lock.unlock();
    EXPECT_TRUE(lock.locked()) << "one hold is left";
    lock.unlock();
    EXPECT_FALSE(lock.locked());
    other.join();
}

TEST(ConditionOverRLock, TimedOutWaitRestoresBothHolds) {
    RLock lock;
    Condition cv(lock);
    lock.lock();
    lock.lock();
    EXPECT_FALSE(cv.wait_for(50ms));
    EXPECT_EQ(lock.recursion_depth(), 2u);
    lock.unlock();
    lock.unlock();
    EXPECT_FALSE(lock.locked());
}

TEST(ConditionOverRLock, AChildProcessWaitsWhileTheParentTakesTheRLockTwice) {
    RLock lock;
    Condition cv(lock);
    SharedMemory memory(sizeof(int));
    auto* value = new (memory.get()) int(0);
    Child waiter([&](Child& self) {
        std::unique_lock outer(lock);
        std::unique_lock inner(lock);
        self.ready();
        if (!cv.wait_for(20s, [&] { return *value == 1; })) return 1;
        return lock.recursion_depth() == 2 ? 0 : 2;
    });
    ASSERT_TRUE(waiter.wait_ready());
    {
        std::lock_guard first(lock);
        std::lock_guard second(lock);
        *value = 1;
        cv.notify();
    }
    EXPECT_EQ(exit_code(waiter.join()), 0);
}

}  // namespace
