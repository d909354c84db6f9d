// Event: a wake-up word in shared memory, a condition variable that survives its
// waiters being SIGKILLed. (A glibc pthread_cond_t keeps a killed waiter counted
// in its groups, and a later signal can be spent on it; a futex queue simply
// drops the dead.)
//
// Protocol, with the condition in atomics of its own (sequentially consistent):
//
//     waiter:   for (;;) { seen = e.prepare(); if (ready()) break; e.wait(seen, deadline); }
//     changer:  publish the change; e.notify();
//
// prepare() raises a "someone may sleep" flag before the waiter's last look at the
// condition; notify() looks at the flag after the change and, only if it is up,
// lowers it, bumps the sequence and wakes every sleeper. Either the waiter sees the
// change or the changer sees the flag, so no wake-up is lost; and a changer pays
// for a wake-up only when someone asked for one since the last. A waiter killed
// while asleep just leaves the flag up until the next notify lowers it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "sync/internal/futex.hpp"

namespace mp::ipc::internal {

class Event {
public:
    // Announces a waiter; returns the sequence to pass to wait().
    std::uint32_t prepare() noexcept {
        const std::uint32_t seen = sequence_.load();
        waiting_.store(1);
        return seen;
    }
    // Sleeps while the sequence is still `seen`, until a notify or `deadline`
    // (steady clock; time_point::max() for none). May return early: re-check.
    void wait(std::uint32_t seen, std::chrono::steady_clock::time_point deadline) noexcept {
        (void)sync::internal::futex_wait_until(sequence_, seen, deadline);
    }
    // Wakes every waiter, if any announced itself since the last notify.
    void notify() noexcept {
        if (waiting_.load() != 0 && waiting_.exchange(0) != 0) wake_all();
    }

private:
    void wake_all() noexcept {
        sequence_.fetch_add(1);
        sync::internal::futex_wake_all(sequence_);
    }

    std::atomic<std::uint32_t> sequence_{0};
    std::atomic<std::uint32_t> waiting_{0};
};

}  // namespace mp::ipc::internal
