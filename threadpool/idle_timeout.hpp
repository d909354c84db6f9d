// IdleTimeout: how long a thread of a dynamic ThreadPool waits for work before it
// retires (ThreadPool::Options::idle_timeout). Any std::chrono duration converts to
// it, saturating: one too long for nanoseconds (seconds::max(), hours::max(), a
// thousand years) means forever, so such threads never retire for idleness. Zero or
// less retires a thread as soon as it finds no work.
#pragma once

#include <chrono>

namespace mp::threadpool {

class IdleTimeout {
public:
    template <class Rep, class Period>
    constexpr IdleTimeout(const std::chrono::duration<Rep, Period>& limit) noexcept : limit_(saturate(limit)) {}

    constexpr bool forever() const noexcept { return limit_ == std::chrono::nanoseconds::max(); }
    // The limit; nanoseconds::max() when forever().
    constexpr std::chrono::nanoseconds get() const noexcept { return limit_; }

private:
    template <class Rep, class Period>
    static constexpr std::chrono::nanoseconds saturate(const std::chrono::duration<Rep, Period>& limit) {
        using std::chrono::nanoseconds;
        // Compared in floating point: no conversion of `limit` can overflow first.
        if (std::chrono::duration<double>(limit) >= std::chrono::duration<double>(nanoseconds::max()))
            return nanoseconds::max();
        return limit <= limit.zero() ? nanoseconds::zero() : std::chrono::ceil<nanoseconds>(limit);
    }

    std::chrono::nanoseconds limit_;
};

}  // namespace mp::threadpool
