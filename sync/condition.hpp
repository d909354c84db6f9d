// Condition: Python's Condition variable between threads and processes. It owns
// its lock (an RLock by default, as in Python; a Lock on request), or uses an
// existing Lock or RLock (Python's Condition(lock)), which other code may lock
// directly: take it with lock() / std::unique_lock (on the Condition or on the
// lock itself), then wait() releases it while blocked (every level of an RLock)
// and takes it back as it was before returning.
//
// Placement as for Lock (lock.hpp): `Condition cv;` is anonymous (threads and
// forked children); `Condition::open("queue")` creates or opens a named one.
//
// Wake-ups may be spurious (a waiter may return without a notify); wait_for with a
// predicate hides that, so prefer it. notify(n) wakes at most n waiters.
// A process that dies while waiting leaves nothing behind; one that dies holding
// the lock frees it as a Lock does (owner_died() tells the next holder).
#pragma once

#include <chrono>
#include <string_view>

#include "sync/access.hpp"
#include "sync/internal/deadline.hpp"
#include "sync/internal/lockable.hpp"
#include "sync/internal/states.hpp"
#include "sync/lock.hpp"

namespace mp::sync {

class Condition : public internal::LockableHandle<internal::ConditionState> {
public:
    // The lock a condition is built on.
    enum class LockKind { rlock, lock };

    // A new condition in an anonymous shared mapping. Errors: std::system_error.
    explicit Condition(LockKind kind = LockKind::rlock);
    // A new anonymous condition over `lock`, which must outlive it (Python's
    // Condition(lock) keeps its lock alive; here the caller does). Shared with
    // forked children like the lock. Named conditions own their lock.
    explicit Condition(Lock& lock);
    explicit Condition(RLock& lock);
    // Creates or opens the named condition. Errors: std::invalid_argument (bad
    // name, another kind), std::system_error.
    static Condition open(std::string_view name, LockKind kind = LockKind::rlock, const Access& access = {});

    // Precondition for every wait and notify: the calling thread holds the lock
    // (else std::system_error with EPERM, like Python's RuntimeError).

    // Releases the lock (all holds of an RLock), blocks until notified (or a
    // spurious wake-up), takes the lock back as it was.
    void wait() { (void)wait_until_steady(internal::SteadyTime::max()); }
    // As wait(), at most `timeout` / until `deadline`; false when the time ran out.
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_until_steady(internal::deadline_after(timeout));
    }
    template <class Clock, class Duration>
    [[nodiscard]] bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return wait_until_steady(internal::to_steady(deadline));
    }

    // Waits until predicate() is true (checked with the lock held, first before any
    // wait). The timed forms return predicate()'s last value: false on timeout.
    template <class Predicate>
    void wait(Predicate predicate) {
        while (!predicate()) wait();
    }
    template <class Rep, class Period, class Predicate>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout, Predicate predicate) {
        return wait_until_steady(internal::deadline_after(timeout), predicate);
    }
    template <class Clock, class Duration, class Predicate>
    [[nodiscard]] bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline, Predicate predicate) {
        return wait_until_steady(internal::to_steady(deadline), predicate);
    }

    // Wakes up to `n` waiting threads (in any process); notify_all wakes them all.
    void notify(int n = 1);
    void notify_all() { notify(INT32_MAX); }

private:
    using LockableHandle::LockableHandle;
    bool wait_until_steady(internal::SteadyTime deadline);
    template <class Predicate>
    bool wait_until_steady(internal::SteadyTime deadline, Predicate& predicate) {
        while (!predicate())
            if (!wait_until_steady(deadline)) return predicate();
        return true;
    }
    void require_held(const char* operation) const;
};

}  // namespace mp::sync
