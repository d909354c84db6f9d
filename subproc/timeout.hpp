// Timeout: how long a subproc call may wait. Any std::chrono duration converts to
// it, saturating: one too long for nanoseconds (seconds::max(), a thousand years)
// means no limit, exactly as no timeout at all. "As long as it takes" is spelled by
// giving none (the default `{}`), not std::nullopt (one temporary exception below). A
// timeout of zero or less does not wait but still takes what is ready: a timed
// communicate/readline first reads what the child's pipes already hold (a child that
// has finished gives its whole answer), then throws TimeoutExpired carrying it if the
// call is not complete. The library reads it as an optional limit.
#pragma once

#include <chrono>
#include <optional>

namespace mp::subproc {

class Timeout {
public:
    constexpr Timeout() noexcept = default;
    template <class Rep, class Period>
    constexpr Timeout(const std::chrono::duration<Rep, Period>& limit) noexcept {
        using std::chrono::nanoseconds;
        // Compared in floating point: no conversion of `limit` can overflow first.
        if (std::chrono::duration<double>(limit) >= std::chrono::duration<double>(nanoseconds::max())) return;
        limit_ = limit <= limit.zero() ? nanoseconds::zero() : std::chrono::ceil<nanoseconds>(limit);
    }

    constexpr bool has_value() const noexcept { return limit_.has_value(); }
    constexpr explicit operator bool() const noexcept { return has_value(); }
    constexpr std::chrono::nanoseconds operator*() const noexcept { return *limit_; }
    constexpr std::chrono::nanoseconds value_or(std::chrono::nanoseconds otherwise) const noexcept {
        return limit_.value_or(otherwise);
    }
    constexpr void reset() noexcept { limit_.reset(); }

private:
    std::optional<std::chrono::nanoseconds> limit_;
};

}  // namespace mp::subproc
