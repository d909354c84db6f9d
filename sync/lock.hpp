// Lock and RLock: Python's mutual-exclusion locks, shared between threads and
// processes, robust to a holder that dies.
//
// Placement: `Lock lock;` lives in a new anonymous shared mapping, usable by this
// process's threads and by every child forked after it was made (the child uses
// its inherited copy of the handle). `Lock lock(threads_only);` lives in this
// process's heap, for its threads only, and is much cheaper to make (placement.hpp). `Lock::open("build")` creates or opens the
// named lock "build", shared with any process that opens the same name; it lives
// until mp::sync::remove("build") (see named.hpp).
//
// Both meet Lockable and TimedLockable: std::lock_guard, std::unique_lock and
// std::scoped_lock work with them. A lock belongs to the thread that took it; only
// that thread may unlock it (unlike Python's Lock, which any thread may release:
// ownership is what lets the kernel free the lock of a dead holder).
//
// Dead holders: when a process dies holding the lock, the next acquirer gets it
// and owner_died() says so; the lock itself is healthy again. The data it guarded
// may be half-written: that is for the caller to check.
//
// Handles are move-only. Dropping a handle unmaps this process's view only. A
// handle dropped while this process still holds the lock (an exception between
// lock and unlock) keeps its mapping until the process ends, and the lock stays
// held until then: the next acquirer is told the holder died, as after a SIGKILL.
// Unlock with std::lock_guard or std::unique_lock to release it on every path.
#pragma once

#include <string_view>

#include "sync/access.hpp"
#include "sync/internal/lockable.hpp"
#include "sync/internal/states.hpp"
#include "sync/placement.hpp"

namespace mp::sync {

class Condition;

// Lock: not re-entrant. lock() by the thread that holds it deadlocks, as in Python
// (try_lock_for then returns false when its time is up).
class Lock : public internal::LockableHandle<internal::LockState> {
public:
    // A new unlocked lock in an anonymous shared mapping. Errors: std::system_error.
    Lock();
    // A new unlocked lock in this process's heap, for its threads only. Errors:
    // std::bad_alloc.
    explicit Lock(ThreadsOnly);
    // Creates or opens the named lock. Errors: std::invalid_argument (bad name, or
    // the name holds another kind of object; a bad mode), std::system_error
    // (shm_open, mmap; EACCES for an object refused by the checks of access.hpp).
    static Lock open(std::string_view name, const Access& access = {});

private:
    friend class Condition;  // a Condition may be built over this lock
    using LockableHandle::LockableHandle;
};

// RLock: re-entrant. The holding thread may lock it again; it is released when
// unlocked as many times as it was locked.
class RLock : public internal::LockableHandle<internal::LockState> {
public:
    RLock();
    explicit RLock(ThreadsOnly);
    static RLock open(std::string_view name, const Access& access = {});

    // How many times the calling thread (which must hold it) holds it.
    unsigned recursion_depth() const noexcept { return mutex().recursion_depth(); }

private:
    friend class Condition;  // a Condition may be built over this lock
    using LockableHandle::LockableHandle;
};

}  // namespace mp::sync
