// The segment's lock and the lock-free atomics: exact results between processes,
// a lock whose holder dies, raw (lock-free only) segments.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>

#include "shm/shm.hpp"
#include "tests/shm/support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using mp::shm::Array;
using mp::shm::Value;
using mp::shm::test::Child;
using mp::shm::test::run_children;

constexpr int kProcesses = 4;
constexpr int kIncrements = 20000;

TEST(Lock, WithLockMakesConcurrentIncrementsExact) {
    auto counter = Value<long>::anonymous(0);
    ASSERT_EQ(run_children(kProcesses,
                           [&](int) {
                               for (int i = 0; i < kIncrements; ++i)
                                   counter.with_lock([](long& n) {
                                       const long seen = n;  // a non-atomic read-modify-write,
                                       if (seen % 1000 == 0) sched_yield();  // with room for races
                                       n = seen + 1;
                                   });
                               return 0;
                           }),
              0);
    EXPECT_EQ(counter.load(), kProcesses * kIncrements);
}

TEST(Lock, GetLockWorksWithStdLockGuardOnANamedArray) {
    const std::string name = mp::test::unique_name("locked");
    auto array = Array<int>::create(name, {0, 0});
    ASSERT_EQ(run_children(kProcesses,
                           [&](int) {
                               auto mine = Array<int>::attach(name, 2);
                               for (int i = 0; i < kIncrements; ++i) {
                                   std::lock_guard guard(mine.get_lock());
                                   mine[0] += 1;
                                   mine[1] -= 1;
                               }
                               return 0;
                           }),
              0);
    EXPECT_EQ(array[0], kProcesses * kIncrements);
    EXPECT_EQ(array[1], -kProcesses * kIncrements);
    EXPECT_TRUE(array.get_lock().try_lock()) << "every holder released it";
    array.get_lock().unlock();
}

TEST(Lock, WithLockReturnsTheResultOfTheFunction) {
    auto array = Array<int>::anonymous({1, 2, 3});
    const int sum = array.with_lock([](std::span<int> all) { return all[0] + all[1] + all[2]; });
    EXPECT_EQ(sum, 6);
    auto value = Value<double>::anonymous(1.5);
    EXPECT_EQ(value.with_lock([](double& v) { return v *= 2; }), 3.0);
}

TEST(Lock, HolderKilledWhileHoldingIsReportedOnceThenTheLockWorks) {
    auto counter = Value<int>::anonymous(10);
    auto reached = Value<int>::anonymous(0, {.lock = false});
    Child holder([&] {
        counter.get_lock().lock();
        counter.ref() = 11;  // half of an update the holder never finishes
        reached.store(1);
        pause();
        return 0;
    });
    ASSERT_TRUE(mp::shm::test::wait_until_set(reached)) << "the child never took the lock";
    kill(holder.pid(), SIGKILL);
    EXPECT_EQ(holder.join(), -1000 - SIGKILL);

    EXPECT_THROW(counter.with_lock([](int& n) { ++n; }), mp::shm::LockOwnerDied);
    EXPECT_EQ(counter.load(), 11) << "with_lock must not call fn after an owner death";
    EXPECT_EQ(counter.with_lock([](int& n) { return ++n; }), 12) << "the lock is recovered";
}

// A holder that drops its handle while holding the lock, then exits normally: the
// lock is reported as its holder's death, not held forever by no one (the handle
// kept its view mapped so the kernel could mark the holder dead).
TEST(Lock, AHandleDroppedWhileHeldIsFreedWhenItsProcessEnds) {
    const std::string name = mp::test::unique_name("dropped");
    auto counter = Value<int>::create(name, 10);
    Child holder([&] {
        auto mine = Value<int>::attach(name);
        mine.get_lock().lock();
        mine = Value<int>::anonymous(0);  // the attached view replaced, the lock still held
        return 0;
    });
    EXPECT_EQ(holder.join(), 0);
    ASSERT_TRUE(counter.get_lock().try_lock_for(std::chrono::seconds(5))) << "the lock stayed held";
    EXPECT_TRUE(counter.get_lock().owner_died());
    counter.get_lock().unlock();
    EXPECT_EQ(counter.with_lock([](int& n) { return ++n; }), 11) << "the lock is recovered";
}

TEST(Lock, RawSegmentHasNoLockButItsAtomicsWork) {
    auto raw = Value<int>::anonymous(5, {.lock = false});
    EXPECT_FALSE(raw.has_lock());
    EXPECT_THROW((void)raw.get_lock(), std::logic_error);
    EXPECT_THROW(raw.with_lock([](int&) {}), std::logic_error);
    EXPECT_EQ(raw.fetch_add(2), 5);
    EXPECT_EQ(raw.load(), 7);
    EXPECT_LT(raw.info().data_offset, Value<int>::anonymous(0).info().data_offset) << "no room kept for a lock";
}

TEST(Atomics, FetchAddFromProcessesIsExact) {
    auto counter = Value<unsigned long long>::anonymous(0, {.lock = false});
    auto cells = Array<short>::anonymous(3, {.lock = false});
    ASSERT_EQ(run_children(kProcesses,
                           [&](int) {
                               for (int i = 0; i < kIncrements; ++i) {
                                   counter.fetch_add(3);
                                   cells.fetch_add(1, 1);
                                   cells.fetch_sub(2, 1);
                               }
                               return 0;
                           }),
              0);
    EXPECT_EQ(counter.load(), 3ull * kProcesses * kIncrements);
    EXPECT_EQ(cells.load(0), 0);
    EXPECT_EQ(cells.load(1), static_cast<short>(kProcesses * kIncrements));  // wraps, as std::atomic does
    EXPECT_EQ(cells.load(2), static_cast<short>(-kProcesses * kIncrements));
}

TEST(Atomics, CompareExchangeAndExchange) {
    auto value = Value<int>::anonymous(1);
    int expected = 2;
    EXPECT_FALSE(value.compare_exchange(expected, 5));
    EXPECT_EQ(expected, 1) << "a failed compare_exchange loads the current value";
    EXPECT_TRUE(value.compare_exchange(expected, 5));
    EXPECT_EQ(value.load(), 5);
    EXPECT_EQ(value.exchange(-3), 5);
    EXPECT_EQ(value.fetch_sub(1), -3);
    EXPECT_EQ(value.load(), -4);
}

TEST(Atomics, CompareExchangeClaimsEachSlotOnceAcrossProcesses) {
    // Each child claims free slots (0 -> its id) until none are left; every slot ends
    // up claimed exactly once.
    constexpr std::size_t kSlots = 500;
    auto slots = Array<int>::anonymous(kSlots, {.lock = false});
    ASSERT_EQ(run_children(kProcesses,
                           [&](int id) {
                               for (std::size_t i = 0; i < kSlots; ++i) {
                                   int free = 0;
                                   slots.compare_exchange(i, free, id + 1);
                               }
                               return 0;
                           }),
              0);
    for (std::size_t i = 0; i < kSlots; ++i) {
        EXPECT_GE(slots[i], 1);
        EXPECT_LE(slots[i], kProcesses);
    }
}

TEST(Atomics, ElementOperationsCheckTheIndex) {
    auto array = Array<int>::anonymous(2);
    EXPECT_THROW((void)array.load(2), std::out_of_range);
    EXPECT_THROW(array.store(5, 1), std::out_of_range);
    EXPECT_THROW((void)array.fetch_add(2, 1), std::out_of_range);
    EXPECT_THROW((void)array.at(2), std::out_of_range);
    EXPECT_THROW((void)array.slice(1, 3), std::out_of_range);
    EXPECT_THROW((void)array.slice(2, 1), std::out_of_range);
    EXPECT_TRUE(array.slice(2, 2).empty());
}

struct Wide {
    long a, b, c;
    bool operator==(const Wide&) const = default;
};

TEST(Atomics, WideRecordsLoadAndStoreUnderTheLock) {
    static_assert(!std::atomic_ref<Wide>::is_always_lock_free);
    auto record = Value<Wide>::anonymous(Wide{1, 2, 3});
    ASSERT_EQ(run_children(2,
                           [&](int id) {
                               for (long i = 0; i < 5000; ++i) {
                                   record.store(Wide{id * i, id * i, id * i});
                                   const Wide seen = record.load();
                                   if (seen.a != seen.b || seen.b != seen.c) return 1;  // torn
                               }
                               return 0;
                           }),
              0);
    auto raw = Value<Wide>::anonymous(Wide{}, {.lock = false});
    EXPECT_THROW((void)raw.load(), std::logic_error) << "no lock, no lock-free atomic: refuse";
    EXPECT_EQ(raw.ref(), Wide{});
}

}  // namespace
