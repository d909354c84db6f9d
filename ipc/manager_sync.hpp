// The Manager's queue and sync objects: Python's Manager().Queue(maxsize), .Lock(),
// .RLock(), .Semaphore(n), .BoundedSemaphore(n), .Condition(), .Event() and
// .Barrier(parties), made by Manager::queue, lock, rlock, semaphore,
// bounded_semaphore, condition, event and barrier. Each lives in the server; a proxy
// is a cheap handle like a dict's (manager_proxies.hpp): copy it, give it to a
// forked child or a Pool task, send it through a Connection or a Queue.
//
//   mp::ipc::QueueProxy q = manager.queue();
//   mp::ipc::LockProxy lock = manager.lock();
//   if (fork() == 0) { std::lock_guard hold(lock); q.put("from the child"); _exit(0); }
//   mp::ipc::Object item = q.get();                  // waits for the child's put
//
// Waiting (README "Waiting and errors"): x() waits as long as it takes; x(timeout)
// throws when the time runs out (QueueFull / QueueEmpty, TimeoutError for a lock's
// acquire, BrokenBarrierError for a barrier's wait, as Python); try_x() and names
// ending in _for report by value ([[nodiscard]] bool or optional). The wait happens
// in the server (the timeout travels with the call), holding no lock there, and
// each waiting call has a connection of its own: other threads of the process go on
// calling the server meanwhile. A server that dies or shuts down ends every wait
// with ManagerError.
//
// Owners: a lock, an RLock and a semaphore's slots belong to the process that took
// them, and come back when its last connection closes — it died, even by SIGKILL
// (Python's server keeps them taken for ever). A Semaphore gives back only the
// first n slots it counted from (a Semaphore(0) counts signals: a signal taken is
// not returned). An RLock belongs to the thread that took it: another thread or
// process that releases it gets std::system_error (EPERM), as an unheld release
// does; a Lock, as Python's, may be released by any thread that did not take it
// (a hand-off). A Condition's wait and notify need its lock held by the calling
// thread (std::system_error, EPERM). A Barrier whose waiting party dies breaks:
// the other waiters get BrokenBarrierError, as with mp::sync::Barrier.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "ipc/errors.hpp"
#include "ipc/manager_proxies.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::ipc {

namespace internal {
// A timeout as it travels to the server: nanoseconds, or kNoTimeout for one too
// large for the clock (seconds::max(): as long as it takes).
template <class Rep, class Period>
std::int64_t timeout_ns(const std::chrono::duration<Rep, Period>& timeout) {
    const sync::internal::SteadyTime deadline = sync::internal::deadline_after(timeout);
    if (deadline == sync::internal::kNoDeadline) return kNoTimeout;
    return sync::internal::time_left(deadline).count();
}
}  // namespace internal

// Python's Manager().Queue(maxsize): items are Objects; a queue made with maxsize 0
// has no bound. No close(): Python's queue.Queue has none.
class QueueProxy : public Proxy {
public:
    QueueProxy() = default;

    // put: appends `item`, blocking while the queue is full; put(item, timeout)
    // throws QueueFull when there is still no room after it; put_nowait at once.
    // The item is taken by value: a moved-in item travels without a copy.
    void put(Object item) { (void)put_within(std::move(item), internal::kNoTimeout); }
    template <class Rep, class Period>
    void put(Object item, const std::chrono::duration<Rep, Period>& timeout) {
        if (!put_within(std::move(item), internal::timeout_ns(timeout)))
            throw QueueFull("ipc: Queue::put: the queue is full");
    }
    void put_nowait(Object item) { put(std::move(item), std::chrono::nanoseconds::zero()); }
    // Whether `item` was put: at once, or within `timeout`.
    [[nodiscard]] bool try_put(Object item) { return put_within(std::move(item), 0); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_put_for(Object item, const std::chrono::duration<Rep, Period>& timeout) {
        return put_within(std::move(item), internal::timeout_ns(timeout));
    }

    // get: removes and returns the oldest item, blocking while the queue is empty;
    // get(timeout) throws QueueEmpty when nothing came within it; get_nowait at once.
    Object get() { return *get_within(internal::kNoTimeout); }
    template <class Rep, class Period>
    Object get(const std::chrono::duration<Rep, Period>& timeout) {
        std::optional<Object> item = get_within(internal::timeout_ns(timeout));
        if (!item) throw QueueEmpty("ipc: Queue::get: the queue is empty");
        return std::move(*item);
    }
    Object get_nowait() { return get(std::chrono::nanoseconds::zero()); }
    // The oldest item, or nullopt when none came: at once, or within `timeout`.
    [[nodiscard]] std::optional<Object> try_get() { return get_within(0); }
    template <class Rep, class Period>
    [[nodiscard]] std::optional<Object> try_get_for(const std::chrono::duration<Rep, Period>& timeout) {
        return get_within(internal::timeout_ns(timeout));
    }

    // Snapshots.
    std::size_t qsize() const;
    bool empty() const { return qsize() == 0; }
    bool full() const;

    // task_done: one item put earlier is processed (sync::ValueError when called more
    // times than items were put); join waits until every item put was task_done().
    void task_done();
    void join() { (void)join_within(internal::kNoTimeout); }
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) {
        return join_within(internal::timeout_ns(timeout));
    }

private:
    friend class Manager;
    using Proxy::Proxy;
    bool put_within(Object item, std::int64_t timeout_ns);
    std::optional<Object> get_within(std::int64_t timeout_ns);
    bool join_within(std::int64_t timeout_ns);
};

namespace internal {
// Python's AcquirerProxy: acquire and release, under Python's names and as a C++
// Lockable (std::lock_guard, std::unique_lock, std::scoped_lock).
template <Method Acquire, Method Release>
class AcquirerProxy : public Proxy {
public:
    // Blocks until acquired.
    void acquire() { (void)acquire_within(kNoTimeout); }
    // As acquire(), throwing TimeoutError when the time runs out (Python's
    // acquire(timeout=t), which answers False instead, is try_acquire_for).
    template <class Rep, class Period>
    void acquire(const std::chrono::duration<Rep, Period>& timeout) {
        if (!acquire_within(timeout_ns(timeout))) throw TimeoutError("ipc: acquire: not acquired in time");
    }
    // Whether acquired: at once, or within `timeout`.
    [[nodiscard]] bool try_acquire() { return acquire_within(0); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout) {
        return acquire_within(timeout_ns(timeout));
    }
    void release() { call(Release); }

    void lock() { acquire(); }
    void unlock() { release(); }
    [[nodiscard]] bool try_lock() { return try_acquire(); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
        return try_acquire_for(timeout);
    }

protected:
    AcquirerProxy() = default;
    using Proxy::Proxy;
    bool acquire_within(std::int64_t timeout_ns) { return call(Acquire, {}, timeout_ns).as_bool(); }
};
}  // namespace internal

// Python's Manager().Lock(): release() when not held is std::system_error (EPERM).
class LockProxy : public internal::AcquirerProxy<internal::Method::lock_acquire, internal::Method::lock_release> {
public:
    LockProxy() = default;

private:
    friend class Manager;
    using AcquirerProxy::AcquirerProxy;
};

// Python's Manager().RLock(): the holding thread may acquire it again; released when
// released as many times. release() by another thread: std::system_error (EPERM).
class RLockProxy : public internal::AcquirerProxy<internal::Method::lock_acquire, internal::Method::lock_release> {
public:
    RLockProxy() = default;

private:
    friend class Manager;
    using AcquirerProxy::AcquirerProxy;
};

// Python's Manager().Semaphore(n): release(n) returns n slots, whoever took them.
class SemaphoreProxy
    : public internal::AcquirerProxy<internal::Method::semaphore_acquire, internal::Method::semaphore_release> {
public:
    SemaphoreProxy() = default;
    // Errors (BoundedSemaphoreProxy only): sync::ValueError when more would be free than
    // the initial value; nothing is released then.
    void release(std::uint32_t n = 1) { call(internal::Method::semaphore_release, {std::int64_t{n}}); }
    // The free slots now (a snapshot).
    std::uint32_t value() const;

private:
    friend class Manager;
    using AcquirerProxy::AcquirerProxy;
};

// Python's Manager().BoundedSemaphore(n).
class BoundedSemaphoreProxy : public SemaphoreProxy {
public:
    BoundedSemaphoreProxy() = default;

private:
    friend class Manager;
    using SemaphoreProxy::SemaphoreProxy;
};

// Python's Manager().Condition(lock): acquire/release are its lock's. Every wait and
// notify needs the lock held by the calling thread; wait releases it (every hold of
// an RLock) while it waits for a notify, and takes it back as it was before
// returning (however long that takes: the timeout bounds the wait for a notify).
class ConditionProxy : public internal::AcquirerProxy<internal::Method::lock_acquire, internal::Method::lock_release> {
public:
    ConditionProxy() = default;
    void wait() { (void)wait_within(internal::kNoTimeout); }
    // false when no notify came within `timeout`.
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_within(internal::timeout_ns(timeout));
    }
    // Waits until predicate() is true (checked with the lock held, first before any
    // wait); the timed form answers predicate()'s last value.
    template <class Predicate>
    void wait(Predicate predicate) {
        while (!predicate()) wait();
    }
    template <class Rep, class Period, class Predicate>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout, Predicate predicate) {
        const sync::internal::SteadyTime deadline = sync::internal::deadline_after(timeout);
        while (!predicate()) {
            const auto left = sync::internal::time_left(deadline);
            if (left == left.zero()) return false;
            (void)wait_within(deadline == sync::internal::kNoDeadline ? internal::kNoTimeout : left.count());
        }
        return true;
    }
    // Wakes up to `n` waiters (the longest waiting first); notify_all wakes them all.
    void notify(std::uint32_t n = 1);
    void notify_all() { notify(UINT32_MAX); }

private:
    friend class Manager;
    using AcquirerProxy::AcquirerProxy;
    bool wait_within(std::int64_t timeout_ns);
};

// Python's Manager().Event(). A wait woken by set() returns true even if clear()
// ran before it returned, as Python's.
class EventProxy : public Proxy {
public:
    EventProxy() = default;
    void set();
    void clear();
    bool is_set() const;
    void wait() { (void)wait_within(internal::kNoTimeout); }
    // false when not set within `timeout`.
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_within(internal::timeout_ns(timeout));
    }

private:
    friend class Manager;
    using Proxy::Proxy;
    bool wait_within(std::int64_t timeout_ns);
};

// Python's Manager().Barrier(parties): wait() returns the arrival index (0 to
// parties - 1) once every party arrived. A wait that times out, abort(), reset()
// while parties wait, or a waiting party's process dying breaks it: waiters and
// later waits get sync::BrokenBarrierError until reset(). No `action` callable.
class BarrierProxy : public Proxy {
public:
    BarrierProxy() = default;
    std::uint32_t wait() { return wait_within(internal::kNoTimeout); }
    // As wait(); when the time runs out the barrier breaks and BrokenBarrierError
    // is thrown, as in Python.
    template <class Rep, class Period>
    std::uint32_t wait(const std::chrono::duration<Rep, Period>& timeout) {
        return wait_within(internal::timeout_ns(timeout));
    }
    void abort();
    void reset();
    std::uint32_t parties() const;
    std::uint32_t n_waiting() const;  // a snapshot
    bool broken() const;

private:
    friend class Manager;
    using Proxy::Proxy;
    std::uint32_t wait_within(std::int64_t timeout_ns);
};

}  // namespace mp::ipc
