// Semaphore and BoundedSemaphore: limits, timeouts, over-release, dead holders.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "sync/errors.hpp"
#include "sync/internal/process_table.hpp"
#include "sync/named.hpp"
#include "sync/semaphore.hpp"
#include "tests/support/helpers.hpp"
#include "tests/sync/test_support.hpp"

namespace {

using namespace std::chrono_literals;
using mp::sync::BoundedSemaphore;
using mp::sync::Semaphore;
using mp::sync::SlotOwnership;
using mp::sync::test::Child;
using mp::sync::test::exit_code;
using mp::sync::test::hold_until_killed;
using mp::sync::test::seconds_since;
using mp::sync::test::SharedMemory;

// How many are inside now, and the most that ever were, across processes.
struct Occupancy {
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
    void enter() {
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
    }
    void leave() { --inside; }
};

TEST(Semaphore, LimitsConcurrencyOfThreads) {
    Semaphore sem(2);
    Occupancy occupancy;
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                sem.acquire();
                occupancy.enter();
                std::this_thread::yield();
                occupancy.leave();
                sem.release();
            }
        });
    for (auto& t : threads) t.join();
    // Never more than 2 inside; whether 2 ever overlapped is up to the scheduler (a
    // sanitizer's scheduling may serialise them), so only the bound is asserted here.
    EXPECT_LE(occupancy.most.load(), 2);
    EXPECT_GE(occupancy.most.load(), 1);
    EXPECT_EQ(sem.value(), 2u);
    // Two slots really are two: two holders at once, the third refused.
    ASSERT_TRUE(sem.try_acquire());
    std::thread second([&] { EXPECT_TRUE(sem.try_acquire()); });
    second.join();
    EXPECT_FALSE(sem.try_acquire());
    sem.release(2);
}

TEST(Semaphore, LimitsConcurrencyOfProcesses) {
    Semaphore sem(2);
    SharedMemory memory(sizeof(Occupancy));
    auto* occupancy = new (memory.get()) Occupancy;
    std::vector<std::unique_ptr<Child>> children;
    for (int c = 0; c < 5; ++c)
        children.push_back(std::make_unique<Child>([&](Child&) {
            for (int i = 0; i < 100; ++i) {
                sem.acquire();
                occupancy->enter();
                usleep(100);
                occupancy->leave();
                sem.release();
            }
            return 0;
        }));
    for (auto& child : children) EXPECT_EQ(exit_code(child->join()), 0);
    EXPECT_EQ(occupancy->most.load(), 2);
    EXPECT_EQ(sem.value(), 2u);
}

TEST(Semaphore, TryAndTimedFormsFailWhenEmpty) {
    Semaphore sem(1);
    ASSERT_TRUE(sem.try_acquire());
    EXPECT_FALSE(sem.try_acquire());
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(sem.try_acquire_for(150ms));
    EXPECT_GE(seconds_since(start), 0.14);
    EXPECT_LT(seconds_since(start), 3.0);
    start = std::chrono::steady_clock::now();
    EXPECT_FALSE(sem.try_acquire_until(std::chrono::system_clock::now() + 100ms));
    EXPECT_GE(seconds_since(start), 0.09);
    sem.release();
    EXPECT_TRUE(sem.try_acquire_for(0ms));
    sem.release();
}

TEST(Semaphore, ReleaseWakesABlockedProcess) {
    Semaphore sem(0, SlotOwnership::none);
    Child waiter([&](Child& self) {
        self.ready();
        return sem.try_acquire_for(10s) ? 0 : 1;
    });
    ASSERT_TRUE(waiter.wait_ready());
    usleep(20000);
    sem.release();
    EXPECT_EQ(exit_code(waiter.join()), 0);
    EXPECT_EQ(sem.value(), 0u);
}

TEST(Semaphore, UnboundedReleaseRaisesTheCount) {
    Semaphore sem(1);
    sem.release(3);
    EXPECT_EQ(sem.value(), 4u);
}

// Python: release(0) raises ValueError("n must be one or more"); a count computed
// as zero is a caller's bug, not a silent no-op.
TEST(Semaphore, ReleaseOfZeroThrowsValueErrorAndChangesNothing) {
    Semaphore sem(1);
    EXPECT_THROW(sem.release(0), mp::sync::ValueError);
    EXPECT_EQ(sem.value(), 1u);
    BoundedSemaphore bounded(2);
    bounded.acquire();
    EXPECT_THROW(bounded.release(0), mp::sync::ValueError);
    EXPECT_EQ(bounded.value(), 1u);
    Semaphore owned(1, mp::sync::SlotOwnership::process);
    owned.acquire();
    EXPECT_THROW(owned.release(0), mp::sync::ValueError);
    owned.release();
    EXPECT_EQ(owned.value(), 1u);
}

TEST(BoundedSemaphore, OverReleaseThrowsValueErrorAndChangesNothing) {
    BoundedSemaphore sem(2);
    EXPECT_THROW(sem.release(), mp::sync::ValueError);
    sem.acquire();
    sem.acquire();
    sem.release();
    EXPECT_THROW(sem.release(2), mp::sync::ValueError);
    EXPECT_EQ(sem.value(), 1u);
    sem.release();
    EXPECT_EQ(sem.value(), 2u);
}

TEST(Semaphore, SlotsOfAKilledHolderAreReclaimedByTheNextAcquirer) {
    Semaphore sem(2, SlotOwnership::process);
    Child holder = hold_until_killed([&] {
        sem.acquire();
        sem.acquire();
    });
    EXPECT_FALSE(sem.try_acquire());
    holder.kill_and_reap();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(sem.try_acquire());
    EXPECT_TRUE(sem.try_acquire());
    EXPECT_LT(seconds_since(start), 1.0);
    sem.release(2);
    EXPECT_EQ(sem.value(), 2u);
}

TEST(Semaphore, ABlockedWaiterGetsTheSlotOfAHolderKilledMeanwhile) {
    BoundedSemaphore sem(1, SlotOwnership::process);
    Child holder = hold_until_killed([&] { sem.acquire(); });
    Child waiter([&](Child& self) {
        self.ready();
        const auto start = std::chrono::steady_clock::now();
        if (!sem.try_acquire_for(20s)) return 1;
        return seconds_since(start) < 10.0 ? 0 : 2;
    });
    ASSERT_TRUE(waiter.wait_ready());
    usleep(100000);  // the waiter is blocked by now (not required for the outcome)
    const auto killed = std::chrono::steady_clock::now();
    holder.kill_and_reap();
    EXPECT_EQ(exit_code(waiter.join()), 0);
    EXPECT_LT(seconds_since(killed), 2.0) << "the waiter should notice within a few 50 ms slices";
}

TEST(Semaphore, ASlotsOwnerExitingWithoutReleaseAlsoGivesItBack) {
    Semaphore sem(1, SlotOwnership::process);
    Child quitter([&](Child&) {
        sem.acquire();
        return 0;
    });
    EXPECT_EQ(exit_code(quitter.join()), 0);
    EXPECT_TRUE(sem.try_acquire());
    sem.release();
}

TEST(Semaphore, WithoutOwnershipItIsAPlainSignalCounter) {
    Semaphore items(0, SlotOwnership::none);
    items.release(2);
    Child consumer([&](Child&) { return items.try_acquire() ? 0 : 1; });
    EXPECT_EQ(exit_code(consumer.join()), 0);
    // The consumer took an item and exited: the item stays consumed.
    EXPECT_EQ(items.value(), 1u);
    EXPECT_EQ(items.reclaim_dead_holders(), 0u);
}

// Python's default: a plain counter. A slot acquired by a process that then exits
// is handed off, and released by another process.
TEST(Semaphore, ByDefaultASlotAcquiredInOneProcessIsReleasedInAnother) {
    Semaphore sem(1);
    Child taker([&](Child&) { return sem.try_acquire() ? 0 : 1; });
    ASSERT_EQ(exit_code(taker.join()), 0);
    EXPECT_EQ(sem.reclaim_dead_holders(), 0u);
    EXPECT_FALSE(sem.try_acquire()) << "the slot went with the hand-off, not back on exit";
    Child giver([&](Child&) {
        sem.release();
        return 0;
    });
    ASSERT_EQ(exit_code(giver.join()), 0);
    EXPECT_EQ(sem.value(), 1u);
}

TEST(Semaphore, ByDefaultAProcessThatNeverAcquiredMayRelease) {
    Semaphore sem(0);
    Child giver([&](Child&) {
        sem.release(2);
        return 0;
    });
    ASSERT_EQ(exit_code(giver.join()), 0);
    EXPECT_EQ(sem.value(), 2u);
    EXPECT_TRUE(sem.try_acquire());
    EXPECT_TRUE(sem.try_acquire());
    EXPECT_FALSE(sem.try_acquire());
}

TEST(Semaphore, ByDefaultAKilledHoldersSlotIsNotGivenBack) {
    Semaphore sem(1);
    Child holder = hold_until_killed([&] { sem.acquire(); });
    holder.kill_and_reap();
    EXPECT_EQ(sem.reclaim_dead_holders(), 0u);
    EXPECT_FALSE(sem.try_acquire_for(150ms)) << "a plain counter keeps what the dead took (Python's semantics)";
    sem.release();  // the survivors hand it back themselves
    EXPECT_TRUE(sem.try_acquire());
}

TEST(BoundedSemaphore, ByDefaultAReleaseFromAnotherProcessAboveTheInitialValueThrows) {
    BoundedSemaphore sem(1);
    Child taker([&](Child&) { return sem.try_acquire() ? 0 : 1; });
    ASSERT_EQ(exit_code(taker.join()), 0);
    Child giver([&](Child&) {
        sem.release();
        try {
            sem.release();
        } catch (const mp::sync::ValueError&) {
            return 0;
        }
        return 1;
    });
    EXPECT_EQ(exit_code(giver.join()), 0);
    EXPECT_EQ(sem.value(), 1u);
}

TEST(Semaphore, OwningSlotsReleasedByAProcessThatNeverAcquiredStillCount) {
    Semaphore sem(0, SlotOwnership::process);
    Child giver([&](Child&) {
        sem.release();
        return 0;
    });
    ASSERT_EQ(exit_code(giver.join()), 0);
    EXPECT_EQ(sem.value(), 1u);
    EXPECT_TRUE(sem.try_acquire());
}

TEST(Semaphore, ReleaseFromTheHoldersThreadsCountsPerProcess) {
    Semaphore sem(2, SlotOwnership::process);
    std::thread taker([&] { sem.acquire(); });
    taker.join();
    std::thread giver([&] { sem.release(); });  // another thread of the same process
    giver.join();
    EXPECT_EQ(sem.reclaim_dead_holders(), 0u);
    EXPECT_EQ(sem.value(), 2u);
}

TEST(NamedSemaphore, OpenChecksTheValue) {
    const std::string name = mp::test::unique_name("semvalue");
    Semaphore sem = Semaphore::open(name, 3);
    EXPECT_EQ(sem.initial_value(), 3u);
    EXPECT_NO_THROW((void)Semaphore::open(name, 3));
    EXPECT_THROW((void)Semaphore::open(name, 2), std::invalid_argument);
    EXPECT_THROW((void)BoundedSemaphore::open(name, 3), std::invalid_argument);
    try {
        (void)Semaphore::open(name, 3, SlotOwnership::process);
        ADD_FAILURE() << "opened a plain counter as an owning semaphore";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("slot ownership none, not 3 and process"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(mp::sync::remove(name));
}

}  // namespace

namespace {

using mp::sync::internal::ProcessTable;
using mp::sync::internal::self_identity;

// A dead process's entry whose pid was reused (same pid, other start time) must
// neither absorb the new process's slots nor protect the dead one's.
TEST(ProcessTable, AReusedPidIsNotTheDeadHolder) {
    ProcessTable table;
    auto stale = self_identity();
    stale.start_time += 1;  // "an earlier process with our pid"
    table.add(stale, 2);
    table.add(self_identity(), 1);
    EXPECT_EQ(table.size(), 2u);
    EXPECT_EQ(table.take(self_identity(), 5), 1u);
    table.add(self_identity(), 1);
    EXPECT_EQ(table.remove_dead(), 2u);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.take(self_identity(), 1), 1u);
}

TEST(ProcessTable, OverflowIsCountedAsUntracked) {
    ProcessTable table;
    for (pid_t pid = 1; pid <= static_cast<pid_t>(ProcessTable::kCapacity) + 3; ++pid) table.add({pid, 1}, 1);
    EXPECT_EQ(table.size(), ProcessTable::kCapacity);
    EXPECT_EQ(table.untracked, 3u);
}

}  // namespace

namespace {

// Python's semaphores are plain counters: one process acquires, another releases.
TEST(SemaphoreDefault, IsAPlainCounterForHandOffsBetweenProcesses) {
    Semaphore sem(1);
    Child taker([&](Child&) {
        sem.acquire();
        return 0;
    });
    EXPECT_EQ(exit_code(taker.join()), 0);
    EXPECT_FALSE(sem.try_acquire()) << "a slot taken by a process that exited came back by itself";
    Child giver([&](Child&) {
        sem.release();  // never acquired here
        return 0;
    });
    EXPECT_EQ(exit_code(giver.join()), 0);
    EXPECT_TRUE(sem.try_acquire());
}

TEST(SemaphoreDefault, AKilledHoldersSlotStaysTaken) {
    BoundedSemaphore sem(1);
    Child holder = hold_until_killed([&] { sem.acquire(); });
    holder.kill_and_reap();
    EXPECT_FALSE(sem.try_acquire_for(100ms));
    sem.release();
    EXPECT_THROW(sem.release(), mp::sync::ValueError);
}

}  // namespace
