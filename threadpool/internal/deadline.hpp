// Any std::chrono timeout as a steady_clock deadline, saturating: a huge timeout
// (seconds::max(), "wait forever" as users write it) gives time_point::max(), which
// the waits take as "no deadline" instead of overflowing into the past.
// A copy of sync/internal/deadline.hpp's deadline_after: threadpool depends on nothing.
#pragma once

#include <chrono>

namespace mp::threadpool::internal {

using SteadyTime = std::chrono::steady_clock::time_point;

// now + timeout; time_point::max() when that would overflow; now for zero or less.
template <class Rep, class Period>
SteadyTime deadline_after(const std::chrono::duration<Rep, Period>& timeout) {
    using std::chrono::steady_clock;
    const auto now = steady_clock::now();
    const auto room = steady_clock::time_point::max() - now;
    if (std::chrono::duration<double>(timeout) >= std::chrono::duration<double>(room))
        return steady_clock::time_point::max();
    if (timeout <= timeout.zero()) return now;
    return now + std::chrono::ceil<steady_clock::duration>(timeout);
}

// Waits on `cv` until `done()` or `deadline`; time_point::max() waits without a
// deadline (libstdc++'s wait_until would overflow converting it). Returns done().
template <class Lock, class Cv, class Done>
bool wait_until(Cv& cv, Lock& lock, SteadyTime deadline, Done done) {
    if (deadline == SteadyTime::max()) {
        cv.wait(lock, done);
        return true;
    }
    return cv.wait_until(lock, deadline, done);
}

}  // namespace mp::threadpool::internal
