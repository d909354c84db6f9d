// Result<R>: what a finished task produced, a value or an exception, handed to the
// callback of ThreadPool::run (Python's callback(status, result)).
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace mp::threadpool {

// Status: how a task handed to ThreadPool::run ended.
//   ok        - it returned; the Result holds its value;
//   failed    - it threw; the Result holds the exception;
//   cancelled - terminate() dropped it before it started; the Result holds CancelledError.
enum class Status { ok, failed, cancelled };

template <class R>
class Result {
    using Stored = std::conditional_t<std::is_void_v<R>, bool, R>;

public:
    // A Result holding `error`.
    explicit Result(std::exception_ptr error) noexcept : error_(std::move(error)) {}
    // A Result holding a value (no argument for Result<void>).
    template <class... A>
    explicit Result(std::in_place_t, A&&... args) : value_(std::in_place, std::forward<A>(args)...) {}

    // ok: whether the task returned normally.
    bool ok() const noexcept { return !error_; }
    // error: the exception the task threw (or CancelledError), null when ok().
    const std::exception_ptr& error() const noexcept { return error_; }
    // value: the returned value; rethrows error() when there is none.
    decltype(auto) value() {
        if (error_) std::rethrow_exception(error_);
        if constexpr (!std::is_void_v<R>) return (*value_);
    }

private:
    std::optional<Stored> value_;
    std::exception_ptr error_;
};

}  // namespace mp::threadpool
