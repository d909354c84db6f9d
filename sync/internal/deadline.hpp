// Converts any std::chrono deadline or timeout to a steady_clock deadline, the one
// clock the waits use internally (wall-clock jumps never stretch or cut a wait).
// This is the one deadline computation of sync and of the libraries above it (ipc,
// shm, pool). The convention every timed call follows:
//   - a timeout of zero or less polls once;
//   - a timeout whose deadline does not fit steady_clock (nanoseconds::max(),
//     seconds::max(), a thousand years) means no deadline: SteadyTime::max(), which
//     every wait below takes as "wait as long as it takes", never as a number.
#pragma once

#include <chrono>
#include <type_traits>

namespace mp::sync::internal {

using SteadyTime = std::chrono::steady_clock::time_point;

inline constexpr SteadyTime kNoDeadline = SteadyTime::max();

// now + timeout, saturating instead of overflowing for huge timeouts. The comparison
// is made in floating point so that no conversion of `timeout` can overflow first.
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

template <class Clock, class Duration>
SteadyTime to_steady(const std::chrono::time_point<Clock, Duration>& deadline) {
    if constexpr (std::is_same_v<Clock, std::chrono::steady_clock>) {
        if (std::chrono::duration<double>(deadline.time_since_epoch()) >=
            std::chrono::duration<double>(kNoDeadline.time_since_epoch()))
            return kNoDeadline;
        return std::chrono::time_point_cast<std::chrono::steady_clock::duration>(deadline);
    } else {
        if (deadline == std::chrono::time_point<Clock, Duration>::max()) return kNoDeadline;
        const auto left = deadline - Clock::now();
        return deadline_after(left);
    }
}

// What is left until `deadline`, never negative; nanoseconds::max() for no deadline.
inline std::chrono::nanoseconds time_left(SteadyTime deadline) {
    if (deadline == kNoDeadline) return std::chrono::nanoseconds::max();
    const auto left = deadline - std::chrono::steady_clock::now();
    return left > left.zero() ? std::chrono::duration_cast<std::chrono::nanoseconds>(left)
                              : std::chrono::nanoseconds::zero();
}

}  // namespace mp::sync::internal
