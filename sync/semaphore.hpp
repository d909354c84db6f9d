// Semaphore and BoundedSemaphore: Python's counting semaphores, shared between
// threads and processes; on request, they take back the slots of a holder that died.
//
// Placement as for Lock (lock.hpp): `Semaphore sem(3);` is anonymous (threads and
// forked children); `Semaphore::open("jobs", 3)` creates or opens a named one.
//
// Slot ownership. By default (SlotOwnership::none) a semaphore is Python's: a plain
// counter that any thread or process may release, whoever acquired; a slot taken by
// a process that dies stays taken. That is what a hand-off needs (one process
// acquires, another releases; or a signal counter).
// With SlotOwnership::process each acquired slot is recorded against the acquiring
// process (pid plus start time, so a reused pid is not mistaken for the holder), and
// release() from that process returns its slot. When a process dies, or exits, still
// holding slots, they are reclaimed: by the next acquirer that finds the count at
// zero, and every 50 ms by blocked waiters. That is where POSIX named semaphores and
// GNU `sem` leak a slot forever (`bin/sync sem` uses it).
//
// Operations: acquire, try_acquire, try_acquire_for, try_acquire_until, release,
// value. No operation holds an internal lock while blocking.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sync/access.hpp"
#include "sync/internal/deadline.hpp"
#include "sync/internal/shared.hpp"
#include "sync/internal/states.hpp"

namespace mp::sync {

enum class SlotOwnership {
    none,     // a plain counter, as Python's (the default)
    process,  // slots belong to the acquiring process and return when it dies
};

class Semaphore {
public:
    // A new semaphore with `value` free slots, in an anonymous shared mapping.
    // Errors: std::system_error (mmap).
    explicit Semaphore(std::uint32_t value = 1, SlotOwnership ownership = SlotOwnership::none);

    // Creates the named semaphore with `value` slots, or opens it.
    // Errors: std::invalid_argument (bad name; the name holds another kind; it
    // exists with another initial value or ownership; a bad mode),
    // std::system_error (EACCES for an object refused by the checks of access.hpp).
    static Semaphore open(std::string_view name, std::uint32_t value, SlotOwnership ownership = SlotOwnership::none,
                          const Access& access = {});

    // Blocks until a slot is free and takes it.
    void acquire() { try_acquire_until_steady(internal::SteadyTime::max()); }
    // Takes a slot if one is free (after reclaiming dead holders' slots); else false.
    [[nodiscard]] bool try_acquire() { return try_acquire_until_steady(std::chrono::steady_clock::now()); }
    // Waits at most `timeout` / until `deadline` for a slot; false when the time is up.
    template <class Rep, class Period>
    [[nodiscard]] bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout) {
        return try_acquire_until_steady(internal::deadline_after(timeout));
    }
    template <class Clock, class Duration>
    [[nodiscard]] bool try_acquire_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return try_acquire_until_steady(internal::to_steady(deadline));
    }

    // Returns `n` slots and wakes up to `n` waiters. Never blocks on a waiter.
    // Errors: ValueError for n == 0 (as Python's release(0)); BoundedSemaphore only,
    // ValueError when more would be free than the initial value. Nothing is
    // released then.
    void release(std::uint32_t n = 1);

    // The free slots now (a snapshot).
    std::uint32_t value() const;
    // The value it was created with.
    std::uint32_t initial_value() const { return shared_->initial; }

    // Returns to the pool every slot recorded against a dead process; returns how
    // many. Acquirers do this by themselves; exposed for tools and tests.
    std::uint32_t reclaim_dead_holders();

protected:
    explicit Semaphore(internal::Shared<internal::SemaphoreState> shared) : shared_(std::move(shared)) {}

private:
    bool try_acquire_until_steady(internal::SteadyTime deadline);
    internal::Shared<internal::SemaphoreState> shared_;
};

// BoundedSemaphore: a Semaphore whose release() throws ValueError instead of
// raising the count above its initial value.
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(std::uint32_t value = 1, SlotOwnership ownership = SlotOwnership::none);
    static BoundedSemaphore open(std::string_view name, std::uint32_t value,
                                 SlotOwnership ownership = SlotOwnership::none, const Access& access = {});

private:
    using Semaphore::Semaphore;
};

}  // namespace mp::sync
