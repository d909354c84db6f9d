// Private: the thread queue behind LifoQueue, PriorityQueue and SimpleQueue, which
// differ only in the order items come out. One mutex guards the items, the closed
// flag and the unfinished-task count; putters, getters and joiners sleep on a
// condition variable each. The contract is BlockingQueue's (README "Waiting and
// errors"); BlockingQueue itself has a lock-free-ish FIFO of its own for speed.
//
// An Order policy holds the items and says which comes out next:
//   template <class U> void push(U&& value);   // constructs an item from value
//   T pop();                                   // requires !empty(); the next item
//   std::size_t size() const; bool empty() const;
// (internal/queue_orders.hpp and internal/priority_order.hpp have the three.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "threadpool/errors.hpp"
#include "threadpool/internal/deadline.hpp"

namespace mp::threadpool::internal {

template <class T, class Order>
class LockedQueue {
    static_assert(std::is_nothrow_move_constructible_v<T>, "a queue moves items out without a way back");

public:
    // maxsize 0 means unbounded (as in Python).
    explicit LockedQueue(std::size_t maxsize = 0, Order order = Order()) : maxsize_(maxsize), items_(std::move(order)) {}
    LockedQueue(const LockedQueue&) = delete;
    LockedQueue& operator=(const LockedQueue&) = delete;
    // Destroys the items still queued. No thread may be using the queue.
    ~LockedQueue() = default;

    // put: adds `value`, blocking while the queue is full. Throws QueueClosed (the
    // value is then left untouched).
    template <class U = T>
    void put(U&& value) {
        (void)put_until(std::forward<U>(value), kNoDeadline);
    }
    // put with a timeout: throws QueueFull when no room was made in time. Zero or
    // less polls once; one too long for the clock (seconds::max()) waits as long as
    // it takes.
    template <class U = T, class Rep, class Period>
    void put(U&& value, const std::chrono::duration<Rep, Period>& timeout) {
        if (!put_until(std::forward<U>(value), deadline_after(timeout))) throw QueueFull();
    }
    // try_put: adds `value` if there is room now; false when full (the value is then
    // left untouched). Never blocks. Throws QueueClosed on a closed queue.
    template <class U = T>
    [[nodiscard]] bool try_put(U&& value) {
        return put_until(std::forward<U>(value), SteadyTime::min());
    }
    // try_put_for: try_put, waiting up to `timeout` for room.
    template <class U = T, class Rep, class Period>
    [[nodiscard]] bool try_put_for(U&& value, const std::chrono::duration<Rep, Period>& timeout) {
        return put_until(std::forward<U>(value), deadline_after(timeout));
    }
    // put_nowait: try_put that throws QueueFull (or QueueClosed).
    template <class U = T>
    void put_nowait(U&& value) {
        if (!try_put(std::forward<U>(value))) throw QueueFull();
    }

    // get: removes and returns the next item, blocking while the queue is empty.
    // Throws QueueClosed once the queue is closed and drained.
    T get() { return *get_until(kNoDeadline); }
    // get with a timeout: throws QueueEmpty when nothing arrived in time.
    template <class Rep, class Period>
    T get(const std::chrono::duration<Rep, Period>& timeout) {
        return value_or_empty(get_until(deadline_after(timeout)));
    }
    // try_get: the next item, or nullopt when the queue is empty now. Never blocks.
    // Throws QueueClosed once the queue is closed and drained.
    [[nodiscard]] std::optional<T> try_get() { return get_until(SteadyTime::min()); }
    // try_get_for: try_get, waiting up to `timeout` for an item.
    template <class Rep, class Period>
    [[nodiscard]] std::optional<T> try_get_for(const std::chrono::duration<Rep, Period>& timeout) {
        return get_until(deadline_after(timeout));
    }
    // get_nowait: try_get that throws QueueEmpty.
    T get_nowait() { return value_or_empty(try_get()); }

    // task_done: marks one item taken by get as finished. Throws std::logic_error
    // when called more often than items were put (Python's ValueError).
    void task_done() {
        std::lock_guard lock(mutex_);
        if (unfinished_ == 0)
            throw std::logic_error("threadpool: task_done: called more times than items were put");
        if (--unfinished_ == 0) all_done_.notify_all();
    }
    // join: blocks until every item put so far has been marked task_done.
    void join() { (void)join_until(kNoDeadline); }
    // join_for: join for at most `timeout`; true if everything was finished in time.
    template <class Rep, class Period>
    [[nodiscard]] bool join_for(const std::chrono::duration<Rep, Period>& timeout) {
        return join_until(deadline_after(timeout));
    }

    // close: no more puts; wakes every blocked put (QueueClosed) and get (which
    // drains what is left, then throws QueueClosed). Idempotent.
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
    }
    bool closed() const {
        std::lock_guard lock(mutex_);
        return closed_;
    }

    // Sizes of a moment (Python's qsize / empty / full).
    std::size_t qsize() const {
        std::lock_guard lock(mutex_);
        return items_.size();
    }
    bool empty() const { return qsize() == 0; }
    bool full() const { return maxsize_ != 0 && qsize() >= maxsize_; }
    std::size_t maxsize() const noexcept { return maxsize_; }

private:
    static T value_or_empty(std::optional<T>&& item) {
        if (!item) throw QueueEmpty();
        return std::move(*item);
    }

    // Adds `value` by `deadline`: false when still full then. Throws QueueClosed.
    template <class U>
    bool put_until(U&& value, SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        const bool room = sleep_until(not_full_, lock, deadline,
                                      [&] { return closed_ || maxsize_ == 0 || items_.size() < maxsize_; });
        if (closed_) throw QueueClosed();
        if (!room) return false;
        items_.push(std::forward<U>(value));
        ++unfinished_;
        not_empty_.notify_one();
        return true;
    }

    // Takes the next item by `deadline`: nullopt when still empty then. Throws
    // QueueClosed once closed and drained.
    std::optional<T> get_until(SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        (void)sleep_until(not_empty_, lock, deadline, [&] { return closed_ || !items_.empty(); });
        if (items_.empty()) {
            if (closed_) throw QueueClosed();
            return std::nullopt;
        }
        std::optional<T> item(items_.pop());
        if (maxsize_ != 0) not_full_.notify_one();
        return item;
    }

    bool join_until(SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        return sleep_until(all_done_, lock, deadline, [&] { return unfinished_ == 0; });
    }

    // wait_until that does not go to the clock for a poll (a deadline passed
    // already, as try_get's), which must not cost a system call.
    template <class Ready>
    static bool sleep_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, SteadyTime deadline,
                            Ready ready) {
        if (ready()) return true;
        if (deadline == SteadyTime::min()) return false;
        return wait_until(cv, lock, deadline, ready);
    }

    const std::size_t maxsize_;
    mutable std::mutex mutex_;
    Order items_;
    std::size_t unfinished_ = 0;  // items put and not yet marked task_done (Python's unfinished_tasks)
    bool closed_ = false;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    std::condition_variable all_done_;
};

}  // namespace mp::threadpool::internal
