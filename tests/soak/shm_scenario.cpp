// Shm scenario: a named mp::shm::Value incremented under its lock by four
// processes that are SIGKILLed at random. The value carries a ledger (increments
// per process slot) updated in the same critical section, and a `pending` mark set
// around the update; a holder killed inside leaves the mark, and the next holder
// (after LockOwnerDied) rolls back an increment that has no ledger entry.
// Checked at the end: value == sum of the ledger, and per slot, the ledger holds
// every increment whose with_lock() returned (acknowledged) and at most one more
// per kill (acknowledged by the lock, but the process died before it saw it).
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <numeric>

#include "shm/shm.hpp"
#include "tests/soak/soak.hpp"

namespace mp::soak {

namespace {

constexpr int kChildren = 4;

struct Counter {
    long value = 0;
    int pending = 0;  // slot + 1 of a holder between its first write and its last
    long ledger[kChildren] = {};
};

struct Shared {
    std::atomic<std::int64_t> acknowledged[kChildren] = {};  // with_lock returned, per slot
    std::atomic<std::int64_t> kills[kChildren] = {};
    std::atomic<std::int64_t> owner_died{0}, repairs{0};
};

// Called under the lock: undoes the increment of a holder that died between its
// first and last write (its value += 1 may have happened without its ledger entry).
bool repair(Counter& c) {
    if (c.pending == 0) return false;
    const long booked = std::accumulate(std::begin(c.ledger), std::end(c.ledger), 0L);
    if (c.value == booked + 1) c.value -= 1;
    c.pending = 0;
    return true;
}

void increment_forever(const std::string& name, Shared& s, int slot) {
    auto counter = mp::shm::Value<Counter>::attach(name);
    for (;;) {
        try {
            counter.with_lock([&](Counter& c) {
                if (repair(c)) s.repairs.fetch_add(1);
                // The fences keep the compiler from merging or reordering these
                // stores: a SIGKILL must find them done in program order.
                c.pending = slot + 1;
                std::atomic_signal_fence(std::memory_order_seq_cst);
                c.value += 1;
                std::atomic_signal_fence(std::memory_order_seq_cst);
                c.ledger[slot] += 1;
                std::atomic_signal_fence(std::memory_order_seq_cst);
                c.pending = 0;
            });
            s.acknowledged[slot].fetch_add(1);
        } catch (const mp::shm::LockOwnerDied&) {
            s.owner_died.fetch_add(1);
        }
    }
}

}  // namespace

void run_shm(Context& ctx) {
    Row& row = *ctx.row;
    const std::string name = ctx.name_prefix + "counter";
    Shared& s = *shared_array<Shared>(1);
    std::atomic<pid_t>* pids = shared_array<std::atomic<pid_t>>(kChildren);
    auto counter = mp::shm::Value<Counter>::create(name);
    {
        Hammer hammer(&row);
        hammer.watch_children(pids, kChildren);
        auto spawn = [&](int c) { pids[c] = fork_child([&] { increment_forever(name, s, c); }); };
        auto forget = [&](int c) {
            std::lock_guard hold(hammer.children_lock());
            return pids[c].exchange(0);
        };
        for (int c = 0; c < kChildren; ++c) spawn(c);
        while (Clock::now() < ctx.deadline) {
            sleep_for(std::chrono::milliseconds(random_between(5, 40)));
            const int c = static_cast<int>(random_between(0, kChildren - 1));
            if (kill_and_reap(forget(c))) row.violations.fetch_add(1);
            s.kills[c].fetch_add(1);
            row.faults.fetch_add(1);
            spawn(c);
        }
        for (int c = 0; c < kChildren; ++c) {
            if (kill_and_reap(forget(c))) row.violations.fetch_add(1);
            s.kills[c].fetch_add(1);
        }
    }

    Counter final{};
    for (;;) {
        try {
            final = counter.with_lock([&](Counter& c) {
                if (repair(c)) s.repairs.fetch_add(1);
                return c;
            });
            break;
        } catch (const mp::shm::LockOwnerDied&) {
            s.owner_died.fetch_add(1);
        }
    }
    const long booked = std::accumulate(std::begin(final.ledger), std::end(final.ledger), 0L);
    std::int64_t acknowledged = 0;
    for (int c = 0; c < kChildren; ++c) {
        acknowledged += s.acknowledged[c];
        if (final.ledger[c] < s.acknowledged[c]) row.lost += s.acknowledged[c] - final.ledger[c];
        if (final.ledger[c] > s.acknowledged[c] + s.kills[c]) row.violations.fetch_add(1);
    }
    if (final.value != booked) row.violations.fetch_add(1);
    row.operations = final.value;
    row.errors = s.owner_died.load();
    std::snprintf(row.note, sizeof row.note,
                  "final value %ld, ledger %ld, acknowledged %lld; %lld holders found dead, %lld repairs",
                  final.value, booked, static_cast<long long>(acknowledged),
                  static_cast<long long>(s.owner_died.load()), static_cast<long long>(s.repairs.load()));
}

}  // namespace mp::soak
