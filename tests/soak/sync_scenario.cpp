// Sync scenario: a named mp::sync::Lock and a named Semaphore(2) contended by six
// processes, killed with SIGKILL at random, half of the time while holding the lock.
// Checked: mutual exclusion (a counter of processes inside the lock, and a mask of
// processes holding a semaphore slot), and that no timed wait outlives its timeout
// by more than 2 s (a wedged waiter). Errors reported: waits that timed out, and
// acquisitions told that the previous holder died.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

#include "sync/sync.hpp"
#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {

constexpr int kChildren = 6;
constexpr int kSemSlots = 2;
constexpr auto kWaitTimeout = std::chrono::seconds(1);
constexpr auto kWedgeSlack = std::chrono::seconds(2);

struct Shared {
    std::atomic<int> lock_inside{0};            // processes inside the lock: 0 or 1
    std::atomic<int> lock_holder{0};            // child index + 1 of the holder, or 0
    std::atomic<std::uint32_t> sem_holders{0};  // bit c: child c holds a slot
    std::atomic<std::uint32_t> doomed{0};       // bit c: child c is being SIGKILLed
    std::atomic<std::int64_t> operations{0}, timeouts{0}, owner_died{0}, lock_breaks{0}, sem_breaks{0},
        wedged{0};
};

// Slot holders in one word, so that an entrant sees every holder at one instant (a
// scan of per-process flags is not a snapshot: holders come and go while it reads).
// A holder the monitor has SIGKILLed is marked doomed first: it runs no further
// code, and the library gives its slot back once it is dead.
int holders_with(const Shared& s, std::uint32_t mask) {
    return std::popcount(mask & ~s.doomed.load());
}

void check_wait(Shared& s, Clock::time_point start) {
    if (Clock::now() - start > kWaitTimeout + kWedgeSlack) s.wedged.fetch_add(1);
}

void contend(mp::sync::Lock& lock, mp::sync::Semaphore& sem, Shared& s, int c) {
    for (;;) {
        Clock::time_point start = Clock::now();
        if (lock.try_lock_for(kWaitTimeout)) {
            if (lock.owner_died()) {  // the dead holder left the counter at 1: repair
                s.owner_died.fetch_add(1);
                s.lock_inside.store(0);
            }
            s.lock_holder.store(c + 1);
            if (s.lock_inside.fetch_add(1) != 0) s.lock_breaks.fetch_add(1);
            sleep_for(std::chrono::microseconds(random_between(0, 300)));
            s.lock_inside.fetch_sub(1);
            s.lock_holder.store(0);
            lock.unlock();
            s.operations.fetch_add(1);
        } else {
            s.timeouts.fetch_add(1);
        }
        check_wait(s, start);

        start = Clock::now();
        if (sem.try_acquire_for(kWaitTimeout)) {
            const std::uint32_t bit = 1u << c;
            if (holders_with(s, s.sem_holders.fetch_or(bit) | bit) > kSemSlots) s.sem_breaks.fetch_add(1);
            sleep_for(std::chrono::microseconds(random_between(0, 300)));
            s.sem_holders.fetch_and(~bit);
            sem.release();
            s.operations.fetch_add(1);
        } else {
            s.timeouts.fetch_add(1);
        }
        check_wait(s, start);
    }
}

}  // namespace

void run_sync(Context& ctx) {
    Row& row = *ctx.row;
    const std::string lock_name = ctx.name_prefix + "lock", sem_name = ctx.name_prefix + "sem";
    Shared& s = *shared_array<Shared>(1);
    std::atomic<pid_t>* pids = shared_array<std::atomic<pid_t>>(kChildren);
    std::uint32_t final_slots = 0;  // free slots once every child is gone: kSemSlots
    {
        mp::sync::Lock lock = mp::sync::Lock::open(lock_name);
        mp::sync::Semaphore sem = mp::sync::Semaphore::open(sem_name, kSemSlots, mp::sync::SlotOwnership::process);
        Hammer hammer(&row);
        hammer.watch_children(pids, kChildren);
        auto spawn = [&](int c) { pids[c] = fork_child([&] { contend(lock, sem, s, c); }); };
        auto forget = [&](int c) {
            std::lock_guard hold(hammer.children_lock());
            return pids[c].exchange(0);
        };
        for (int c = 0; c < kChildren; ++c) spawn(c);

        // Doomed first, then killed and reaped; its bits are cleared before its
        // slot index is used again.
        auto kill_child = [&](int c) {
            const std::uint32_t bit = 1u << c;
            s.doomed.fetch_or(bit);
            if (kill_and_reap(forget(c))) row.violations.fetch_add(1);
            s.sem_holders.fetch_and(~bit);
            s.doomed.fetch_and(~bit);
        };
        while (Clock::now() < ctx.deadline) {
            sleep_for(std::chrono::milliseconds(random_between(10, 60)));
            // Half of the kills go to the lock's holder, when there is one.
            const int holder = s.lock_holder.load() - 1;
            const int c = holder >= 0 && random_between(0, 1) == 0
                              ? holder
                              : static_cast<int>(random_between(0, kChildren - 1));
            kill_child(c);
            row.faults.fetch_add(1);
            spawn(c);
        }
        for (int c = 0; c < kChildren; ++c) kill_child(c);
        (void)sem.reclaim_dead_holders();
        final_slots = sem.value();
    }
    mp::sync::remove(lock_name);
    mp::sync::remove(sem_name);
    row.operations = s.operations.load();
    row.errors = s.timeouts + s.owner_died;
    row.violations += s.lock_breaks + s.sem_breaks + s.wedged;
    std::snprintf(
        row.note, sizeof row.note,
        "%lld waits timed out, %lld lock holders found dead; exclusion broken: lock %lld, semaphore %lld; "
        "%lld wedged waits; %u of %d slots free at the end",
        static_cast<long long>(s.timeouts.load()), static_cast<long long>(s.owner_died.load()),
        static_cast<long long>(s.lock_breaks.load()), static_cast<long long>(s.sem_breaks.load()),
        static_cast<long long>(s.wedged.load()), final_slots, kSemSlots);
}

}  // namespace mp::soak
