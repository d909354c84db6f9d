// Lock and RLock: threads, forked children, unrelated processes, dead holders.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "sync/errors.hpp"
#include "sync/lock.hpp"
#include "sync/named.hpp"
#include "sync/semaphore.hpp"
#include "tests/support/helpers.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::Lock;
using mp::sync::RLock;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::hold_until_killed;
using mp::sync::test::ScopedName;
using mp::sync::test::seconds_since;
using mp::sync::test::TempFile;
using mp::sync::test::SharedMemory;

TEST(Lock, ExcludesThreadsAndForkedChildren) {
    Lock lock;
    SharedMemory memory(sizeof(long));
    auto* counter = static_cast<long*>(memory.get());
    std::vector<std::unique_ptr<Child>> children;
    for (int c = 0; c < 2; ++c)
        children.push_back(std::make_unique<Child>([&](Child&) {
            for (int i = 0; i < 10000; ++i) {
                std::lock_guard guard(lock);
                const long seen = *counter;
                if (i % 500 == 0) sched_yield();
                *counter = seen + 1;
            }
            return 0;
        }));
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                std::scoped_lock guard(lock);
                ++*counter;
            }
        });
    for (auto& t : threads) t.join();
    for (auto& child : children) EXPECT_EQ(exit_code(child->join()), 0);
    EXPECT_EQ(*counter, 40000);
}

TEST(Lock, KilledHolderIsReportedToTheNextAcquirer) {
    Lock lock;
    Child holder = hold_until_killed([&] { lock.lock(); });
    EXPECT_TRUE(lock.locked());
    EXPECT_EQ(lock.owner_pid(), holder.pid());
    EXPECT_FALSE(lock.try_lock_for(50ms));
    holder.kill_and_reap();
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock guard(lock, 5s);
    ASSERT_TRUE(guard.owns_lock());
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_TRUE(lock.owner_died());
}

TEST(Lock, TimedLockUntilOnAnyClock) {
    Lock lock;
    Child holder = hold_until_killed([&] { lock.lock(); });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(lock.try_lock_until(std::chrono::steady_clock::now() + 100ms));
    EXPECT_FALSE(lock.try_lock_until(std::chrono::system_clock::now() + 100ms));
    EXPECT_GE(seconds_since(start), 0.19);
    EXPECT_LT(seconds_since(start), 3.0);
}

// acquire(timeout) is lock() bounded: it throws TimeoutError when the time runs
// out (try_lock_for is the form that answers false).
TEST(Lock, AcquireWithATimeoutThrowsTimeoutErrorWhenHeld) {
    Lock lock;
    lock.acquire(10ms);  // free: taken at once
    EXPECT_TRUE(lock.locked());
    lock.release();
    Child holder = hold_until_killed([&] { lock.lock(); });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(lock.acquire(100ms), mp::sync::TimeoutError);
    EXPECT_GE(seconds_since(start), 0.09);
    EXPECT_LT(seconds_since(start), 3.0);
    RLock rlock;
    Child rholder = hold_until_killed([&] { rlock.lock(); });
    EXPECT_THROW(rlock.acquire(0ms), mp::sync::TimeoutError);
}

TEST(RLock, CountsHoldsAndExcludesOthersUntilFullyReleased) {
    RLock rlock;
    rlock.lock();
    rlock.lock();
    ASSERT_TRUE(rlock.try_lock());
    EXPECT_EQ(rlock.recursion_depth(), 3u);
    Child other([&](Child&) { return rlock.try_lock_for(50ms) ? 1 : 0; });
    EXPECT_EQ(exit_code(other.join()), 0);
    rlock.unlock();
    rlock.unlock();
    EXPECT_EQ(rlock.recursion_depth(), 1u);
    rlock.unlock();
    Child after([&](Child&) {
        if (!rlock.try_lock()) return 1;
        rlock.unlock();
        return 0;
    });
    EXPECT_EQ(exit_code(after.join()), 0);
    EXPECT_THROW(rlock.unlock(), std::system_error);
}

TEST(RLock, KilledHolderHoldingSeveralTimesFreesIt) {
    RLock rlock;
    Child holder = hold_until_killed([&] {
        rlock.lock();
        rlock.lock();
        rlock.lock();
    });
    holder.kill_and_reap();
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(rlock.try_lock_for(5s));
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_TRUE(rlock.owner_died());
    EXPECT_EQ(rlock.recursion_depth(), 1u);
    rlock.unlock();
    EXPECT_FALSE(rlock.locked());
}

// A separate program (the suite re-executed) holding the named lock until killed.
MP_TEST_HELPER(hold_named_lock) {
    Lock lock = Lock::open(args.at(0));
    lock.lock();
    pause();
    return 0;
}

// Counts under the named lock in a separate program: a lost update shows a race.
MP_TEST_HELPER(count_under_named_lock) {
    Lock lock = Lock::open(args.at(0));
    const int fd = open(args.at(1).c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return 3;
    for (int i = 0; i < 300; ++i) {
        std::lock_guard guard(lock);
        char buffer[32] = {};
        if (pread(fd, buffer, sizeof buffer - 1, 0) < 0) return 4;
        const std::string next = std::to_string(std::atoi(buffer) + 1) + "\n";
        if (pwrite(fd, next.data(), next.size(), 0) < 0) return 5;
    }
    close(fd);
    return 0;
}

TEST(NamedLock, UnrelatedProcessesShareItByName) {
    const ScopedName scoped("count");
    const std::string& name = scoped.value;
    const TempFile counter("count");
    const std::string& path = counter.path();
    // Started together, so several race to create the lock: create-or-open must
    // give them all one lock.
    std::vector<std::thread> runners;
    std::vector<mp::test::CommandResult> results(4);
    for (auto& result : results)
        runners.emplace_back([&] {
            result = mp::test::run_command(mp::test::helper_command("count_under_named_lock", {name, path}));
        });
    for (auto& t : runners) t.join();
    for (const auto& r : results) EXPECT_EQ(r.exit_code, 0) << r.err;
    char buffer[32] = {};
    const int read_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(read(read_fd, buffer, sizeof buffer - 1), 0);
    close(read_fd);
    EXPECT_EQ(std::atoi(buffer), 1200);
}

TEST(NamedLock, AnUnrelatedHolderKilledFreesIt) {
    const ScopedName scoped("killed");
    const std::string& name = scoped.value;
    Lock lock = Lock::open(name);
    Child runner([&](Child&) {
        // Execs the helper so the holder shares nothing with us but the name.
        const auto argv = mp::test::helper_command("hold_named_lock", {name});
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        return 127;
    });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!lock.locked() && std::chrono::steady_clock::now() < deadline) usleep(2000);
    ASSERT_TRUE(lock.locked());
    EXPECT_FALSE(lock.try_lock());
    runner.kill_and_reap();
    ASSERT_TRUE(lock.try_lock_for(5s));
    EXPECT_TRUE(lock.owner_died());
    lock.unlock();
}

// A holder that drops its handle while holding the lock (an exception between lock
// and unlock), then exits: the lock must not stay held by no one. The mapping is
// kept until the holder ends, so the kernel marks the lock, and the next acquirer
// is told the holder died. Before, the handle unmapped it and every later lock()
// waited forever.
TEST(NamedLock, AHandleDroppedWhileHeldIsFreedWhenItsProcessEnds) {
    const ScopedName scoped("dropped");
    const std::string& name = scoped.value;
    Lock lock = Lock::open(name);
    Child holder([&](Child&) {
        {
            Lock mine = Lock::open(name);
            mine.lock();
        }
        return 0;
    });
    EXPECT_EQ(exit_code(holder.join()), 0);
    ASSERT_TRUE(lock.try_lock_for(5s)) << "the lock stayed held after its holder ended";
    EXPECT_TRUE(lock.owner_died());
    lock.unlock();
}

// The same for a lock replaced by a move while held, and for an anonymous one a
// child inherited.
TEST(Lock, AHandleReplacedWhileHeldIsFreedWhenItsProcessEnds) {
    Lock lock;
    Child holder([&](Child&) {
        Lock mine = std::move(lock);
        mine.lock();
        mine = Lock();
        return 0;
    });
    EXPECT_EQ(exit_code(holder.join()), 0);
    ASSERT_TRUE(lock.try_lock_for(5s)) << "the lock stayed held after its holder ended";
    EXPECT_TRUE(lock.owner_died());
    lock.unlock();
}

TEST(NamedLock, BadNamesAreRefusedClearly) {
    for (const std::string& bad : {std::string(), std::string("a/b"), std::string(".hidden"), std::string("sp ace"),
                                  std::string(201, 'x'), std::string("nul\0x", 5)}) {
        try {
            (void)Lock::open(bad);
            ADD_FAILURE() << "accepted bad name " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("bad name"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(mp::sync::remove("../etc"), std::invalid_argument);
}

TEST(NamedLock, TheNameOfAnotherKindIsRefused) {
    const ScopedName scoped("kind");
    const std::string& name = scoped.value;
    Lock lock = Lock::open(name);
    try {
        (void)mp::sync::Semaphore::open(name, 2);
        ADD_FAILURE() << "opened a Lock as a Semaphore";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("is a Lock, not a Semaphore"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)RLock::open(name), std::invalid_argument);
}

// What a creator killed between shm_open and publishing leaves behind: an empty
// segment, or a sized one never marked ready. The next open rebuilds it.
TEST(NamedLock, ASegmentLeftHalfBuiltByADeadCreatorIsRebuilt) {
    for (const off_t size : {off_t{0}, off_t{4096}}) {
        const ScopedName scoped("halfbuilt");
        const std::string& name = scoped.value;
        const int fd = shm_open(("/mp-sync-" + name).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(ftruncate(fd, size), 0);
        close(fd);
        Lock lock = Lock::open(name);
        ASSERT_TRUE(lock.try_lock());
        EXPECT_FALSE(lock.owner_died());
        lock.unlock();
    }
}

TEST(NamedLock, RemoveDeletesTheNameAndReportsAMissingOne) {
    const std::string name = mp::test::unique_name("remove");
    {
        Lock lock = Lock::open(name);
        EXPECT_EQ(access(("/dev/shm/mp-sync-" + name).c_str(), F_OK), 0);
    }
    EXPECT_TRUE(mp::sync::remove(name));
    EXPECT_NE(access(("/dev/shm/mp-sync-" + name).c_str(), F_OK), 0);
    EXPECT_FALSE(mp::sync::remove(name));
}

}  // namespace
