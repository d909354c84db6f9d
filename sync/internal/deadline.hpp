// Converts any std::chrono deadline or timeout to a steady_clock deadline, the one
// clock the waits use internally (wall-clock jumps never stretch or cut a wait).
#pragma once

#include <chrono>
#include <type_traits>

namespace mp::sync::internal {

using SteadyTime = std::chrono::steady_clock::time_point;

template <class Clock, class Duration>
SteadyTime to_steady(const std::chrono::time_point<Clock, Duration>& deadline) {
    if constexpr (std::is_same_v<Clock, std::chrono::steady_clock>) {
        return std::chrono::time_point_cast<std::chrono::steady_clock::duration>(deadline);
    } else {
        const auto left = deadline - Clock::now();
        return std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
    }
}

// now + timeout, saturating instead of overflowing for huge timeouts.
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

}  // namespace mp::sync::internal
