// ProcessMutex: a robust, process-shared mutex that lives inside shared memory.
//
// It is the building block of every primitive in mp::sync, and the type other
// libraries embed in their own shared mappings. A ProcessMutex is a plain object:
// construct it in place (placement new) inside any MAP_SHARED mapping, anonymous or
// a named segment, and every process that maps that memory can lock it.
//
// Robust: when the holder dies (SIGKILL, crash, exit while holding), the kernel
// releases the mutex. The next acquirer gets it normally, owner_died() then returns
// true, and the mutex has already been made consistent again, so later acquirers
// see a healthy mutex. What the dead holder left half-written in the data the mutex
// protects is NOT repaired: check owner_died() after acquiring and repair or
// discard that data.
//
// Operations: lock, try_lock, try_lock_for, try_lock_until, unlock (Lockable and
// TimedLockable, so std::lock_guard, std::unique_lock and std::scoped_lock work);
// owner_died, owner_pid, held_by_this_thread, recursion_depth.
//
// Construction and destruction rules (who may do what):
// - Exactly one process constructs it, before any other process can reach it: in a
//   fork-inherited mapping, the parent before fork(); in a named segment, the
//   creator, before it publishes the segment as initialized. Constructing it again
//   while anyone else uses it corrupts it.
// - It needs no destructor call: it owns no kernel resource (on Linux a pthread
//   mutex is a word in memory), so unmapping the memory is enough. If you do run
//   ~ProcessMutex, only one process may, and only when no one holds it or waits for
//   it.
// - Never unmap the memory while this process holds the mutex: the kernel writes to
//   the mutex when the holder thread exits, wherever it was mapped.
// - Not copyable, not movable: its address is its identity.
//
// Ownership: the mutex belongs to the thread that acquired it; only that thread may
// unlock it (anything else throws std::system_error with EPERM). A Kind::normal
// mutex locked again by its holder deadlocks, as Python's Lock does (try_lock_for
// then returns false when the time is up); a Kind::recursive one counts, like RLock.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <cerrno>
#include <chrono>

#include "sync/internal/current_process.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::sync {

class ProcessMutex {
public:
    enum class Kind { normal, recursive };

    // Initializes an unlocked robust process-shared mutex in this memory.
    // Errors: std::system_error from pthread_mutex_init (e.g. ENOMEM).
    explicit ProcessMutex(Kind kind = Kind::normal);
    ~ProcessMutex();
    ProcessMutex(const ProcessMutex&) = delete;
    ProcessMutex& operator=(const ProcessMutex&) = delete;

    // Blocks until this thread holds the mutex (forever, if the holder never
    // unlocks and never dies). Check owner_died() afterwards.
    // Errors: std::system_error (ENOTRECOVERABLE when a foreign user of this memory
    // left the mutex unrecoverable; EAGAIN when a recursive count overflows).
    void lock() {
        const int rc = pthread_mutex_lock(&mutex_);
        if (rc != 0) handle_lock_error(rc, "pthread_mutex_lock");
        note_acquired(rc);
    }

    // Takes the mutex if it is free (or held by this thread, for a recursive one);
    // returns false at once otherwise.
    [[nodiscard]] bool try_lock() {
        const int rc = pthread_mutex_trylock(&mutex_);
        if (rc == EBUSY) return false;
        if (rc != 0) handle_lock_error(rc, "pthread_mutex_trylock");
        note_acquired(rc);
        return true;
    }

    // Blocks at most `timeout` (or until `deadline`, on any clock) for the mutex;
    // returns false when the time is up. Measured on the steady clock.
    template <class Rep, class Period>
    [[nodiscard]] bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
        return try_lock_until_steady(internal::deadline_after(timeout));
    }
    template <class Clock, class Duration>
    [[nodiscard]] bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        return try_lock_until_steady(internal::to_steady(deadline));
    }

    // Releases one hold. Precondition: this thread holds the mutex.
    // Errors: std::system_error with EPERM when the caller does not hold it.
    void unlock() {
        if (owner_tid_.load(std::memory_order_relaxed) != internal::current_tid()) throw_not_owner();
        if (--depth_ == 0) {
            owner_tid_.store(0, std::memory_order_relaxed);
            owner_pid_.store(0, std::memory_order_relaxed);
        }
        const int rc = pthread_mutex_unlock(&mutex_);
        if (rc != 0) throw_unlock_error(rc);
    }

    // True when the acquisition that gave the caller the mutex found its previous
    // owner dead (EOWNERDEAD). Meaningful only while the caller holds the mutex;
    // the next acquisition overwrites it.
    bool owner_died() const noexcept { return owner_died_; }

    // The pid of the process holding the mutex, or 0 when free. A snapshot for
    // diagnostics (e.g. listing holders): it may change right after it is read.
    pid_t owner_pid() const noexcept { return owner_pid_.load(std::memory_order_relaxed); }

    // Whether the calling thread holds it.
    bool held_by_this_thread() const noexcept {
        return owner_tid_.load(std::memory_order_relaxed) == internal::current_tid() &&
               owner_pid_.load(std::memory_order_relaxed) == internal::current_pid();
    }

    // How many times the holder holds it (1 for a normal mutex). Holder only.
    unsigned recursion_depth() const noexcept { return depth_; }

private:
    void note_acquired(int rc) {
        owner_died_ = rc == EOWNERDEAD;
        depth_ = owner_died_ ? 1 : depth_ + 1;
        owner_tid_.store(internal::current_tid(), std::memory_order_relaxed);
        owner_pid_.store(internal::current_pid(), std::memory_order_relaxed);
    }
    // Makes the mutex consistent after EOWNERDEAD (then returns); throws otherwise.
    void handle_lock_error(int rc, const char* call);
    [[noreturn]] static void throw_not_owner();
    [[noreturn]] static void throw_unlock_error(int rc);
    bool try_lock_until_steady(internal::SteadyTime deadline);

    pthread_mutex_t mutex_;
    // Bookkeeping written only by the holder; the owner ids are atomics because
    // unlock() and diagnostics read them from other threads and processes.
    std::atomic<pid_t> owner_tid_{0};
    std::atomic<pid_t> owner_pid_{0};
    unsigned depth_ = 0;
    bool owner_died_ = false;
};

}  // namespace mp::sync
