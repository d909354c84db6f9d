// Queue<T>: gevent.queue.Queue for the greenlets of one hub — FIFO, maxsize 0 for
// unbounded, put blocking while full and get while empty (the calling greenlet only).
// The forms follow threadpool's rule: put(x) / get() wait as long as it takes;
// put(x, timeout) / get(timeout) throw QueueFull / QueueEmpty when the time runs out;
// try_put / try_get report by value and never wait.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "threadpool/errors.hpp"
#include "threadpool/green/hub.hpp"
#include "threadpool/green/internal/wait_list.hpp"

namespace mp::threadpool::green {

template <class T>
class Queue {
public:
    // Belongs to this thread's hub.
    explicit Queue(std::size_t maxsize = 0) : hub_(Hub::current()), maxsize_(maxsize) {}

    void put(T value) { (void)put_until(std::move(value), kNoDeadline); }
    template <class Rep, class Period>
    void put(T value, std::chrono::duration<Rep, Period> timeout) {
        if (!put_until(std::move(value), mp::threadpool::internal::deadline_after(timeout))) throw QueueFull();
    }
    // False (and `value` dropped) when full.
    [[nodiscard]] bool try_put(T value) {
        if (full()) return false;
        push(std::move(value));
        return true;
    }

    T get() { return *get_until(kNoDeadline); }
    template <class Rep, class Period>
    T get(std::chrono::duration<Rep, Period> timeout) {
        auto value = get_until(mp::threadpool::internal::deadline_after(timeout));
        if (!value) throw QueueEmpty();
        return std::move(*value);
    }
    [[nodiscard]] std::optional<T> try_get() { return get_until(SteadyTime{}); }

    std::size_t qsize() const { return items_.size(); }
    bool empty() const { return items_.empty(); }
    bool full() const { return maxsize_ != 0 && items_.size() >= maxsize_; }

private:
    bool put_until(T&& value, SteadyTime deadline) {
        while (full())
            if (!putters_.wait(hub_, deadline)) break;
        if (full()) return false;
        push(std::move(value));
        return true;
    }
    void push(T&& value) {
        items_.push_back(std::move(value));
        getters_.notify_one(hub_);
    }
    std::optional<T> get_until(SteadyTime deadline) {
        while (items_.empty() && deadline != SteadyTime{})
            if (!getters_.wait(hub_, deadline)) break;
        if (items_.empty()) return std::nullopt;
        std::optional<T> value(std::move(items_.front()));
        items_.pop_front();
        putters_.notify_one(hub_);
        return value;
    }

    Hub& hub_;
    std::size_t maxsize_;
    std::deque<T> items_;
    internal::WaitList getters_;
    internal::WaitList putters_;
};

}  // namespace mp::threadpool::green
