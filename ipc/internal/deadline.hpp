// Deadlines for bounded waits: a timeout turned into a steady-clock time point,
// saturating so that huge timeouts (ipc::forever) never overflow.
#pragma once

#include <chrono>

namespace mp::ipc::detail {

using Clock = std::chrono::steady_clock;

inline Clock::time_point deadline_after(std::chrono::nanoseconds timeout) {
    const auto now = Clock::now();
    if (timeout <= std::chrono::nanoseconds::zero()) return now;
    if (timeout >= Clock::time_point::max() - now) return Clock::time_point::max();
    return now + timeout;
}

// What is left until `deadline`, never negative.
inline std::chrono::nanoseconds time_left(Clock::time_point deadline) {
    if (deadline == Clock::time_point::max()) return std::chrono::nanoseconds::max();
    const auto left = deadline - Clock::now();
    return left > Clock::duration::zero() ? std::chrono::duration_cast<std::chrono::nanoseconds>(left)
                                          : std::chrono::nanoseconds::zero();
}

}  // namespace mp::ipc::detail
