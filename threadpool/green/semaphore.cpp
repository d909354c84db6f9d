#include "threadpool/green/semaphore.hpp"

#include <stdexcept>

namespace mp::threadpool::green {

void Semaphore::acquire() {
    (void)try_acquire_until(kNoDeadline);
}

bool Semaphore::try_acquire() {
    if (value_ == 0) return false;
    --value_;
    return true;
}

bool Semaphore::try_acquire_until(SteadyTime deadline) {
    while (value_ == 0)
        if (!waiters_.wait(hub_, deadline)) break;
    return try_acquire();
}

void Semaphore::release() {
    ++value_;
    waiters_.notify_one(hub_);
}

void Lock::unlock() {
    if (!locked()) throw std::logic_error("green: Lock::unlock: the lock is not locked");
    semaphore_.release();
}

}  // namespace mp::threadpool::green
