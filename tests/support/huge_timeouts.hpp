// "Wait forever" as users write it, and the check every timed API must pass with it:
// the call is still blocked after 100 ms, and returns normally once the awaited thing
// happens. A deadline computed as now() + timeout overflows for these values; a
// library that lets it wrap returns at once, as if the time had run out.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

namespace mp::test {

// Calls f(timeout) with nanoseconds::max(), seconds::max() and a thousand years,
// each in its own SCOPED_TRACE.
template <class F>
void for_each_huge_timeout(F f) {
    SCOPED_TRACE("nanoseconds::max()");
    f(std::chrono::nanoseconds::max());
    {
        SCOPED_TRACE("seconds::max()");
        f(std::chrono::seconds::max());
    }
    {
        SCOPED_TRACE("hours(24 * 365 * 1000)");
        f(std::chrono::hours(24 * 365 * 1000));
    }
}

// Runs `wait` on a thread of its own; expects it still blocked 100 ms later, then
// runs `release` (which may be empty when the awaited thing happens by itself) and
// expects `wait` to return (without throwing) within 20 s.
void expect_blocks_until_released(const std::function<void()>& wait, const std::function<void()>& release);

}  // namespace mp::test
