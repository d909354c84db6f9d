// Semaphore and Lock: gevent.lock.Semaphore and gevent.lock.Lock, for the greenlets of
// one hub (no thread may use them from outside it). Waiters get the count in the order
// they came, unless a greenlet that does not wait takes it first.
//
//   mp::threadpool::green::Lock lock;
//   std::lock_guard hold(lock);                // green: waiting for it lets others run
#pragma once

#include <chrono>
#include <cstddef>

#include "threadpool/green/hub.hpp"
#include "threadpool/green/internal/wait_list.hpp"

namespace mp::threadpool::green {

class Semaphore {
public:
    // Belongs to this thread's hub.
    explicit Semaphore(std::size_t value = 1) : hub_(Hub::current()), value_(value) {}

    // Blocks the calling greenlet until the count is above zero, then takes one.
    void acquire();
    [[nodiscard]] bool try_acquire();
    template <class Rep, class Period>
    [[nodiscard]] bool try_acquire_for(std::chrono::duration<Rep, Period> timeout) {
        return try_acquire_until(mp::threadpool::internal::deadline_after(timeout));
    }
    [[nodiscard]] bool try_acquire_until(SteadyTime deadline);
    // Gives one back and wakes the longest waiting greenlet.
    void release();
    std::size_t value() const { return value_; }

private:
    Hub& hub_;
    std::size_t value_;
    internal::WaitList waiters_;
};

// A Semaphore of one that refuses to be released while free (std::logic_error), with
// the names std::lock_guard / std::unique_lock use. Not owned: any greenlet may unlock.
class Lock {
public:
    void lock() { semaphore_.acquire(); }
    [[nodiscard]] bool try_lock() { return semaphore_.try_acquire(); }
    template <class Rep, class Period>
    [[nodiscard]] bool try_lock_for(std::chrono::duration<Rep, Period> timeout) {
        return semaphore_.try_acquire_for(timeout);
    }
    void unlock();
    bool locked() const { return semaphore_.value() == 0; }

private:
    Semaphore semaphore_{1};
};

}  // namespace mp::threadpool::green
