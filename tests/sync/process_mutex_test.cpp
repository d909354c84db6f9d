// ProcessMutex: the robust process-shared mutex other libraries embed in place.
#include <gtest/gtest.h>

#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "sync/process_mutex.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::ProcessMutex;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::hold_until_killed;
using mp::sync::test::seconds_since;
using mp::sync::test::SharedMemory;

struct Shared {
    ProcessMutex mutex;
    long counter = 0;
    explicit Shared(ProcessMutex::Kind kind = ProcessMutex::Kind::normal) : mutex(kind) {}
};

// Shared state placement-new'ed into an anonymous shared mapping, as a user would.
struct InPlace {
    SharedMemory memory{sizeof(Shared)};
    Shared* shared;
    explicit InPlace(ProcessMutex::Kind kind = ProcessMutex::Kind::normal)
        : shared(new (memory.get()) Shared(kind)) {}
    ~InPlace() { shared->~Shared(); }
};

TEST(ProcessMutex, ExcludesThreadsThroughStdLockGuard) {
    InPlace s;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                std::lock_guard guard(s.shared->mutex);
                ++s.shared->counter;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(s.shared->counter, 80000);
}

TEST(ProcessMutex, ExcludesForkedProcesses) {
    InPlace s;
    std::vector<std::unique_ptr<Child>> children;
    for (int c = 0; c < 3; ++c)
        children.push_back(std::make_unique<Child>([&](Child&) {
            for (int i = 0; i < 20000; ++i) {
                std::unique_lock guard(s.shared->mutex);
                // A non-atomic read-modify-write with a yield inside: races show up.
                const long seen = s.shared->counter;
                if (i % 1000 == 0) sched_yield();
                s.shared->counter = seen + 1;
            }
            return 0;
        }));
    for (auto& child : children) EXPECT_EQ(exit_code(child->join()), 0);
    EXPECT_EQ(s.shared->counter, 60000);
}

TEST(ProcessMutex, NextAcquirerLearnsThatAKilledHolderDied) {
    InPlace s;
    Child holder = hold_until_killed([&] { s.shared->mutex.lock(); });
    EXPECT_EQ(s.shared->mutex.owner_pid(), holder.pid());
    EXPECT_FALSE(s.shared->mutex.try_lock());
    holder.kill_and_reap();

    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(s.shared->mutex.try_lock_for(5s));
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_TRUE(s.shared->mutex.owner_died());
    EXPECT_EQ(s.shared->mutex.owner_pid(), getpid());
    s.shared->mutex.unlock();

    // Made consistent: the next acquisition is an ordinary one.
    s.shared->mutex.lock();
    EXPECT_FALSE(s.shared->mutex.owner_died());
    s.shared->mutex.unlock();
    EXPECT_EQ(s.shared->mutex.owner_pid(), 0);
}

TEST(ProcessMutex, BlockedWaiterWakesWhenHolderIsKilled) {
    InPlace s;
    Child holder = hold_until_killed([&] { s.shared->mutex.lock(); });
    Child waiter([&](Child&) {
        s.shared->mutex.lock();  // untimed: only the robust release can wake it
        const bool died = s.shared->mutex.owner_died();
        s.shared->mutex.unlock();
        return died ? 0 : 1;
    });
    usleep(50000);  // let the waiter block; the outcome does not depend on it
    holder.kill_and_reap();
    EXPECT_EQ(exit_code(waiter.join(10s)), 0);
}

TEST(ProcessMutex, TimedFormsTimeOutWhileAnotherProcessHolds) {
    InPlace s;
    Child holder = hold_until_killed([&] { s.shared->mutex.lock(); });
    EXPECT_FALSE(s.shared->mutex.try_lock());
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(s.shared->mutex.try_lock_for(200ms));
    EXPECT_GE(seconds_since(start), 0.19);
    EXPECT_LT(seconds_since(start), 3.0);
    start = std::chrono::steady_clock::now();
    EXPECT_FALSE(s.shared->mutex.try_lock_until(std::chrono::system_clock::now() + 100ms));
    EXPECT_GE(seconds_since(start), 0.09);
    EXPECT_FALSE(s.shared->mutex.try_lock_for(-1s));
    holder.kill_and_reap();
}

TEST(ProcessMutex, UnlockByANonHolderThrowsAndLeavesTheLockHeld) {
    InPlace s;
    s.shared->mutex.lock();
    std::thread other([&] {
        try {
            s.shared->mutex.unlock();
            ADD_FAILURE() << "unlock by a non-holder succeeded";
        } catch (const std::system_error& e) {
            EXPECT_EQ(e.code().value(), EPERM);
        }
        EXPECT_FALSE(s.shared->mutex.try_lock());
    });
    other.join();
    EXPECT_EQ(s.shared->mutex.recursion_depth(), 1u);
    s.shared->mutex.unlock();
    EXPECT_THROW(s.shared->mutex.unlock(), std::system_error);
}

TEST(ProcessMutex, RecursiveKindCountsHolds) {
    InPlace s(ProcessMutex::Kind::recursive);
    s.shared->mutex.lock();
    ASSERT_TRUE(s.shared->mutex.try_lock());
    ASSERT_TRUE(s.shared->mutex.try_lock_for(10ms));
    EXPECT_EQ(s.shared->mutex.recursion_depth(), 3u);
    std::thread other([&] { EXPECT_FALSE(s.shared->mutex.try_lock()); });
    other.join();
    s.shared->mutex.unlock();
    s.shared->mutex.unlock();
    std::thread still_held([&] { EXPECT_FALSE(s.shared->mutex.try_lock()); });
    still_held.join();
    s.shared->mutex.unlock();
    std::thread free_now([&] {
        EXPECT_TRUE(s.shared->mutex.try_lock());
        s.shared->mutex.unlock();
    });
    free_now.join();
}

TEST(ProcessMutex, NormalKindRelockByHolderTimesOutLikePythonsLock) {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "ThreadSanitizer aborts on a deliberate double lock";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    GTEST_SKIP() << "ThreadSanitizer aborts on a deliberate double lock";
#endif
#endif
    InPlace s;
    s.shared->mutex.lock();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(s.shared->mutex.try_lock_for(100ms));
    EXPECT_GE(seconds_since(start), 0.09);
    EXPECT_FALSE(s.shared->mutex.try_lock());
    s.shared->mutex.unlock();
}

}  // namespace
