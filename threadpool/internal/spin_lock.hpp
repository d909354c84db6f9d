// SpinLock: a test-and-test-and-set lock for critical sections of a few instructions.
// Taking a free one costs one atomic exchange and releasing it a plain store — half
// of what a futex mutex costs — which matters when every queue operation takes one.
// A waiter polls, then yields its CPU, so a holder that was preempted on a busy
// machine gets to run again; never hold it around anything that can block.
#pragma once

#include <atomic>
#include <thread>

#include "threadpool/internal/spin.hpp"

namespace mp::threadpool::internal {

class SpinLock {
public:
    void lock() noexcept {
        while (locked_.exchange(true, std::memory_order_acquire)) {
            for (int i = 0; locked_.load(std::memory_order_relaxed); ++i) {
                if (i < 64)
                    cpu_relax();
                else
                    std::this_thread::yield();
            }
        }
    }
    bool try_lock() noexcept { return !locked_.exchange(true, std::memory_order_acquire); }
    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> locked_{false};
};

}  // namespace mp::threadpool::internal
