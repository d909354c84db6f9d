// Deadlines for the bounded waits of threadpool. threadpool depends on no other mp
// library, so this is a private copy of sync/internal/deadline.hpp's rule:
//   - a timeout of zero or less polls once;
//   - a timeout whose deadline does not fit steady_clock (nanoseconds::max(),
//     seconds::max(), a thousand years) means no deadline (kNoDeadline), and a wait
//     with no deadline never hands the clock a time it could overflow.
#pragma once

#include <chrono>

namespace mp::threadpool::internal {

using SteadyTime = std::chrono::steady_clock::time_point;

inline constexpr SteadyTime kNoDeadline = SteadyTime::max();

// now + timeout, saturating; compared in floating point so no conversion overflows.
template <class Rep, class Period>
SteadyTime deadline_after(const std::chrono::duration<Rep, Period>& timeout) {
    using std::chrono::steady_clock;
    const auto now = steady_clock::now();
    if (timeout <= timeout.zero()) return now;
    const auto room = kNoDeadline - now;
    // Half a second of margin keeps the ceil below from rounding past the limit.
    if (std::chrono::duration<double>(timeout) >= std::chrono::duration<double>(room) - std::chrono::milliseconds(500))
        return kNoDeadline;
    return now + std::chrono::ceil<steady_clock::duration>(timeout);
}

// Waits on `cv` (a condition_variable or condition_variable_any) until `ready()` or
// `deadline`; kNoDeadline waits without handing the clock a deadline. Returns ready().
template <class Cv, class Lock, class Predicate>
bool wait_until(Cv& cv, Lock& lock, SteadyTime deadline, Predicate ready) {
    if (deadline == kNoDeadline) {
        cv.wait(lock, ready);
        return true;
    }
    return cv.wait_until(lock, deadline, ready);
}

}  // namespace mp::threadpool::internal
