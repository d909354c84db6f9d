// Condition: Python's Condition variable between threads and processes. Its lock
// is its own (an RLock by default, as in Python; a Lock on request), or an existing
// Lock or RLock it is built over, as threading.Condition(lock): take it with
// lock() / std::unique_lock (or, for a shared lock, by locking that lock
// directly), then wait() releases it while blocked and takes it back before
// returning.
//
// Placement as for Lock (lock.hpp): `Condition cv;` is anonymous (threads and
// forked children); `Condition::open("queue")` creates or opens a named one.
// A named Condition always owns its lock: code that must exclude its waiters
// locks the Condition itself (it is Lockable). The over-a-lock form is anonymous
// only, since nothing could check that every process opening a name passes the
// same lock.
//
// Wake-ups may be spurious (a waiter may return without a notify); wait_for with a
// predicate hides that, so prefer it. notify(n) wakes at most n waiters.
// A process that dies while waiting leaves nothing behind; one that dies holding
// the lock frees it as a Lock does (owner_died() tells the next holder).
#pragma once

#include <chrono>
#include <string_view>

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
    // Creates or opens the named condition. Errors: std::invalid_argument (bad
    // name, another kind), std::system_error.
    static Condition open(std::string_view name, LockKind kind = LockKind::rlock);

    // A new condition over `lock`, as threading.Condition(lock): the condition's
    // lock() / unlock() are the lock's, and a thread or process holding the lock
    // directly may wait and notify. Over an RLock, wait() releases every hold and
    // restores them. Lifetime: `lock`'s object (the handle, or the one it is moved
    // to) must outlive the condition in each process; forked children inherit
    // both. Errors: std::system_error (mmap).
    explicit Condition(Lock& lock);
    explicit Condition(RLock& lock);

    // Precondition for every wait and notify: the calling thread holds the lock
    // (else std::system_error with EPERM, like Python's RuntimeError).

    // Releases the lock (all holds of an RLock), blocks until notified (or a
    // spurious wake-up), takes the lock back as it was.
    void wait() { (void)wait_until_steady(internal::SteadyTime::max()); }
    // As wait(), at most `timeout` / until `deadline`; false when the time ran out.
    template <class Rep, class Period>
    bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_until_steady(internal::deadline_after(timeout));
    }
    template <class Clock, class Duration>
    bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return wait_until_steady(internal::to_steady(deadline));
    }

    // Waits until predicate() is true (checked with the lock held, first before any
    // wait). The timed forms return predicate()'s last value: false on timeout.
    template <class Predicate>
    void wait(Predicate predicate) {
        while (!predicate()) wait();
    }
    template <class Rep, class Period, class Predicate>
    bool wait_for(const std::chrono::duration<Rep, Period>& timeout, Predicate predicate) {
        return wait_until_steady(internal::deadline_after(timeout), predicate);
    }
    template <class Clock, class Duration, class Predicate>
    bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline, Predicate predicate) {
        return wait_until_steady(internal::to_steady(deadline), predicate);
    }

    // Wakes up to `n` waiting threads (in any process); notify_all wakes them all.
    void notify(int n = 1);
    void notify_all() { notify(INT32_MAX); }

private:
    using LockableHandle::LockableHandle;
    explicit Condition(ProcessMutex& lock);
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
