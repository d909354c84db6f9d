// The Lockable / TimedLockable face shared by Lock, RLock and Condition: each
// forwards to the ProcessMutex inside its shared state.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <utility>

#include "sync/internal/shared.hpp"
#include "sync/process_mutex.hpp"

namespace mp::sync {
class Condition;
}

namespace mp::sync::internal {

template <class State>
class LockableHandle {
public:
    // Blocks until held. See ProcessMutex::lock.
    void lock() { mutex().lock(); }
    // Takes it if free; false at once otherwise.
    bool try_lock() { return mutex().try_lock(); }
    // Waits at most `timeout` / until `deadline`; false when the time is up.
    template <class Rep, class Period>
    bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
        return mutex().try_lock_for(timeout);
    }
    template <class Clock, class Duration>
    bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return mutex().try_lock_until(deadline);
    }
    // Releases one hold. Errors: std::system_error (EPERM) when not held by this thread.
    void unlock() { mutex().unlock(); }

    // True when the acquisition that gave the caller the lock found the previous
    // holder dead (it was killed while holding). Holder only; see ProcessMutex.
    bool owner_died() const noexcept { return mutex().owner_died(); }
    // The pid of the holding process, 0 when free (a snapshot, for diagnostics).
    pid_t owner_pid() const noexcept { return mutex().owner_pid(); }
    // Python's locked(): whether some thread holds it now (a snapshot).
    bool locked() const noexcept { return owner_pid() != 0; }

protected:
    // The handle's lock is the mutex in its own state...
    explicit LockableHandle(Shared<State> shared) : shared_(std::move(shared)), mutex_(&shared_->mutex) {}
    // ...or another object's, which must stay mapped while this handle lives.
    LockableHandle(Shared<State> shared, ProcessMutex& mutex) : shared_(std::move(shared)), mutex_(&mutex) {}
    ProcessMutex& mutex() const { return *mutex_; }
    Shared<State> shared_;

private:
    friend class mp::sync::Condition;  // builds a condition over a Lock's or RLock's mutex
    // Points into a shared mapping, which a move of the handle does not move.
    ProcessMutex* mutex_;
};

}  // namespace mp::sync::internal
