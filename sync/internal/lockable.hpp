// The Lockable / TimedLockable face shared by Lock, RLock and Condition: each
// forwards to the ProcessMutex inside its shared state.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <utility>

#include "sync/errors.hpp"
#include "sync/internal/shared.hpp"
#include "sync/process_mutex.hpp"

namespace mp::sync::internal {

template <class State>
class LockableHandle {
public:
    // Blocks until held. See ProcessMutex::lock.
    void lock() { mutex().lock(); }
    // Takes it if free; false at once otherwise.
    [[nodiscard]] bool try_lock() { return mutex().try_lock(); }
    // Waits at most `timeout` / until `deadline`; false when the time is up.
    template <class Rep, class Period>
    [[nodiscard]] bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
        return mutex().try_lock_for(timeout);
    }
    template <class Clock, class Duration>
    [[nodiscard]] bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return mutex().try_lock_until(deadline);
    }
    // Releases one hold. Errors: std::system_error (EPERM) when not held by this thread.
    void unlock() { mutex().unlock(); }

    // Python's names, so that ported code reads as the original: acquire() is
    // lock(), release() is unlock(). acquire(timeout) is lock() bounded: it throws
    // TimeoutError when the time runs out (Python's acquire(timeout=t) answers
    // False instead: that is try_lock_for here, by mp's rule for timed calls).
    void acquire() { lock(); }
    template <class Rep, class Period>
    void acquire(const std::chrono::duration<Rep, Period>& timeout) {
        if (!try_lock_for(timeout)) throw TimeoutError("sync: acquire: the lock was not free in time");
    }
    void release() { unlock(); }

    // True when the acquisition that gave the caller the lock found the previous
    // holder dead (it was killed while holding). Holder only; see ProcessMutex.
    bool owner_died() const noexcept { return mutex().owner_died(); }
    // The pid of the holding process, 0 when free (a snapshot, for diagnostics).
    pid_t owner_pid() const noexcept { return mutex().owner_pid(); }
    // Python's locked(): whether some thread holds it now (a snapshot).
    bool locked() const noexcept { return owner_pid() != 0; }

    LockableHandle(LockableHandle&&) noexcept = default;
    LockableHandle& operator=(LockableHandle&& other) noexcept {
        if (this != &other) {
            keep_mapped_if_held();
            shared_ = std::move(other.shared_);
            mutex_ = other.mutex_;
        }
        return *this;
    }
    ~LockableHandle() { keep_mapped_if_held(); }

protected:
    explicit LockableHandle(Shared<State> shared) : shared_(std::move(shared)), mutex_(&shared_->mutex) {}
    // Locking another object's mutex (a Condition over an existing Lock); that
    // object's mapping must outlive this handle. A mapping never moves, so neither
    // a move of this handle nor of the other object invalidates the pointer.
    LockableHandle(Shared<State> shared, ProcessMutex& mutex) : shared_(std::move(shared)), mutex_(&mutex) {}
    ProcessMutex& mutex() const { return *mutex_; }
    Shared<State> shared_;

private:
    // A handle dropped while this process holds its lock (an exception between lock
    // and unlock) must not unmap it: the kernel writes "owner died" into a robust
    // mutex when its holder ends, and a mutex no longer mapped would stay held,
    // forever, by no one. Its mapping is kept until the process ends instead; the
    // next acquirer is then told the holder died (owner_died()), as for a SIGKILL.
    void keep_mapped_if_held() noexcept {
        if (shared_.mapped() && mutex_ == &shared_->mutex && mutex_->owner_pid() == current_pid())
            shared_.keep_for_process_lifetime();
    }

    ProcessMutex* mutex_;
};

}  // namespace mp::sync::internal
