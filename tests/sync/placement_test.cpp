// The threads_only placement: the same Lock and RLock between threads, many more of
// them than a process may have memory mappings, and a forked child with a copy of
// its own instead of the parent's object.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "sync/lock.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::Lock;
using mp::sync::RLock;
using mp::sync::threads_only;

TEST(ThreadsOnly, LockExcludesBetweenThreads) {
    Lock lock(threads_only);
    long counter = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                std::lock_guard guard(lock);
                ++counter;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(counter, 80000);
    EXPECT_FALSE(lock.locked());
}

TEST(ThreadsOnly, LockIsOwnedAndTimesOut) {
    Lock lock(threads_only);
    lock.lock();
    EXPECT_TRUE(lock.locked());
    std::thread other([&] {
        EXPECT_FALSE(lock.try_lock_for(20ms));
        EXPECT_THROW(lock.unlock(), std::system_error);  // not the holder
    });
    other.join();
    lock.unlock();
}

TEST(ThreadsOnly, RLockIsReentrant) {
    RLock lock(threads_only);
    lock.lock();
    lock.lock();
    EXPECT_EQ(lock.recursion_depth(), 2u);
    std::thread other([&] { EXPECT_FALSE(lock.try_lock()); });
    other.join();
    lock.unlock();
    lock.unlock();
    std::thread again([&] {
        EXPECT_TRUE(lock.try_lock());
        lock.unlock();
    });
    again.join();
}

// More than vm.max_map_count (65530 by default) anonymous objects: a mapping each
// would fail with ENOMEM; heap blocks do not.
TEST(ThreadsOnly, MoreLocksThanAProcessHasMappings) {
    std::vector<Lock> locks;
    locks.reserve(70000);
    for (int i = 0; i < 70000; ++i) locks.emplace_back(threads_only);
    locks.back().lock();
    locks.back().unlock();
}

TEST(ThreadsOnly, AForkedChildGetsItsOwnCopy) {
    Lock lock(threads_only);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        lock.lock();  // the child's copy only
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
}

}  // namespace
