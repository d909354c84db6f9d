// BlockingQueue<T>: a thread-safe FIFO with Python's queue.Queue semantics, for
// move-only T too.
//
//   put / get                 block (while full / while empty)
//   put(x, timeout) / get(timeout)   throw QueueFull / QueueEmpty when time runs out
//   try_put / try_get         never block (bool / std::optional)
//   put_nowait / get_nowait   never block, throw QueueFull / QueueEmpty (Python's names)
//   task_done / join          count finished items; wait until all are finished
//   close                     wakes every waiter; later puts throw QueueClosed, gets
//                             drain what is left and then throw QueueClosed
//
// A getter that finds the queue empty spins for a few microseconds before it sleeps,
// and a put notifies only when someone sleeps: a steady hand-off between two threads
// mostly runs without system calls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "threadpool/errors.hpp"
#include "threadpool/internal/ring.hpp"
#include "threadpool/internal/spin.hpp"

namespace mp::threadpool {

template <class T>
class BlockingQueue {
public:
    // maxsize 0 means unbounded (as in Python).
    explicit BlockingQueue(std::size_t maxsize = 0) : maxsize_(maxsize) {}
    BlockingQueue(const BlockingQueue&) = delete;
    BlockingQueue& operator=(const BlockingQueue&) = delete;

    // put: appends `value`, blocking while the queue is full. Throws QueueClosed
    // (the value is then left untouched).
    template <class U = T>
    void put(U&& value) {
        std::unique_lock lock(mutex_);
        wait_for_room(lock, [&](auto& cv) { cv.wait(lock); return true; });
        push_and_unlock(lock, std::forward<U>(value));
    }
    // put with a timeout: throws QueueFull when no room was made in time.
    template <class U = T>
    void put(U&& value, std::chrono::nanoseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(mutex_);
        wait_for_room(lock, [&](auto& cv) { return cv.wait_until(lock, deadline) == std::cv_status::no_timeout; });
        push_and_unlock(lock, std::forward<U>(value));
    }
    // try_put: appends `value` if there is room; false when full or closed (the value
    // is then left untouched). Never blocks.
    template <class U = T>
    bool try_put(U&& value) {
        std::unique_lock lock(mutex_);
        if (closed_ || full_locked()) return false;
        push_and_unlock(lock, std::forward<U>(value));
        return true;
    }
    // put_nowait: try_put that throws QueueFull (or QueueClosed).
    template <class U = T>
    void put_nowait(U&& value) {
        std::unique_lock lock(mutex_);
        if (closed_) throw QueueClosed();
        if (full_locked()) throw QueueFull();
        push_and_unlock(lock, std::forward<U>(value));
    }

    // get: removes and returns the oldest item, blocking while the queue is empty.
    // Throws QueueClosed once the queue is closed and drained.
    T get() {
        spin_while_empty();
        std::unique_lock lock(mutex_);
        wait_for_item(lock, [&] { not_empty_.wait(lock); return true; });
        return pop_and_unlock(lock);
    }
    // get with a timeout: throws QueueEmpty when nothing arrived in time.
    T get(std::chrono::nanoseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(mutex_);
        wait_for_item(lock, [&] { return not_empty_.wait_until(lock, deadline) == std::cv_status::no_timeout; });
        return pop_and_unlock(lock);
    }
    // try_get: the oldest item, or nothing when the queue is empty. Never blocks.
    std::optional<T> try_get() {
        std::unique_lock lock(mutex_);
        if (items_.empty()) return std::nullopt;
        return pop_and_unlock(lock);
    }
    // get_nowait: try_get that throws QueueEmpty (QueueClosed once closed and drained).
    T get_nowait() {
        std::unique_lock lock(mutex_);
        if (items_.empty()) {
            if (closed_) throw QueueClosed();
            throw QueueEmpty();
        }
        return pop_and_unlock(lock);
    }

    // task_done: marks one item taken by get as finished. Throws std::logic_error when
    // called more often than items were put (Python's ValueError).
    void task_done() {
        std::lock_guard lock(mutex_);
        if (unfinished_ == 0) throw std::logic_error("BlockingQueue::task_done() called too many times");
        if (--unfinished_ == 0) all_done_.notify_all();
    }
    // join: blocks until every item put so far has been marked task_done.
    void join() {
        std::unique_lock lock(mutex_);
        all_done_.wait(lock, [&] { return unfinished_ == 0; });
    }
    // join_for: join for at most `timeout`; true if everything was finished in time.
    bool join_for(std::chrono::nanoseconds timeout) {
        std::unique_lock lock(mutex_);
        return all_done_.wait_for(lock, timeout, [&] { return unfinished_ == 0; });
    }

    // close: no more puts; wakes every blocked put (QueueClosed) and get (which drains
    // what is left, then throws QueueClosed). Idempotent.
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        closed_hint_.store(true, std::memory_order_relaxed);
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
    bool full() const {
        std::lock_guard lock(mutex_);
        return full_locked();
    }
    std::size_t maxsize() const noexcept { return maxsize_; }

private:
    // A ring needs elements that move without throwing; other types live in a deque.
    using Storage = std::conditional_t<std::is_nothrow_move_constructible_v<T>, internal::Ring<T>, std::deque<T>>;

    bool full_locked() const { return maxsize_ != 0 && items_.size() >= maxsize_; }

    // Waits (through `sleep(cv)`, false on timeout) until there is room or the queue
    // is closed.
    template <class Sleep>
    void wait_for_room(std::unique_lock<std::mutex>&, Sleep&& sleep) {
        while (!closed_ && full_locked()) {
            ++putters_waiting_;
            const bool woke = sleep(not_full_);
            --putters_waiting_;
            if (!woke && !closed_ && full_locked()) throw QueueFull();
        }
        if (closed_) throw QueueClosed();
    }

    template <class Sleep>
    void wait_for_item(std::unique_lock<std::mutex>&, Sleep&& sleep) {
        while (items_.empty()) {
            if (closed_) throw QueueClosed();
            ++getters_waiting_;
            const bool woke = sleep();
            --getters_waiting_;
            if (!woke && items_.empty()) {
                if (closed_) throw QueueClosed();
                throw QueueEmpty();
            }
        }
    }

    void spin_while_empty() {
        internal::spin_until([&] {
            return size_hint_.load(std::memory_order_relaxed) != 0 || closed_hint_.load(std::memory_order_relaxed);
        });
    }

    template <class U>
    void push_and_unlock(std::unique_lock<std::mutex>& lock, U&& value) {
        items_.push_back(T(std::forward<U>(value)));
        ++unfinished_;
        size_hint_.store(items_.size(), std::memory_order_relaxed);
        const bool wake = getters_waiting_ > 0;
        lock.unlock();
        if (wake) not_empty_.notify_one();
    }

    T pop_and_unlock(std::unique_lock<std::mutex>& lock) {
        T value(std::move(items_.front()));
        items_.pop_front();
        size_hint_.store(items_.size(), std::memory_order_relaxed);
        const bool wake = putters_waiting_ > 0;
        lock.unlock();
        if (wake) not_full_.notify_one();
        return value;
    }

    mutable std::mutex mutex_;
    Storage items_;
    const std::size_t maxsize_;
    std::size_t unfinished_ = 0;  // put but not yet task_done
    std::size_t getters_waiting_ = 0;
    std::size_t putters_waiting_ = 0;
    bool closed_ = false;
    std::condition_variable not_empty_;
    std::condition_variable not_full_;
    std::condition_variable all_done_;
    // Mirrors of size and closed, read by spinning getters without the lock.
    std::atomic<std::size_t> size_hint_{0};
    std::atomic<bool> closed_hint_{false};
};

}  // namespace mp::threadpool
