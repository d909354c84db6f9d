// AsyncResult: what Pool::apply_async and map_async return, as Python's
// multiprocessing.pool.AsyncResult. The value arrives on the pool's result thread;
// copies of an AsyncResult share it.
#pragma once

#include <chrono>
#include <memory>
#include <type_traits>

#include "pool/errors.hpp"
#include "pool/internal/result_state.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::pool {

template <class R>
class AsyncResult {
public:
    explicit AsyncResult(std::shared_ptr<internal::ResultState<R>> state) : state_(std::move(state)) {}

    // Blocks until the result is there and returns it, or re-throws the task's error:
    // the task's own exception (rebuilt as its type, see exceptions.hpp; else
    // RemoteError with its type name and message), WorkerDied,
    // CancelledError (terminate), BrokenPool, or ipc::DecodeError. Throws
    // std::logic_error when called on the pool's result thread (a callback), where
    // waiting could never end.
    R get() {
        wait();
        return finish(false);
    }
    // As get(), waiting at most `timeout`: throws TimeoutError after it (the task
    // goes on; get again later). Any std::chrono duration: zero or less polls once,
    // one too long for the clock (seconds::max()) waits as long as it takes.
    template <class Rep, class Period>
    R get(const std::chrono::duration<Rep, Period>& timeout) {
        if (!wait_for(timeout)) throw TimeoutError("pool: AsyncResult::get: timed out");
        return finish(false);
    }
    // Blocks until ready.
    void wait() { state_->wait_until(sync::internal::kNoDeadline); }
    // Waits at most `timeout`; returns whether the result is ready (never throws on
    // expiry).
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
        return state_->wait_until(sync::internal::deadline_after(timeout));
    }
    // Whether the task has finished (either way). Never blocks.
    bool ready() const { return state_->ready(); }
    // Whether it finished without an error. Throws std::logic_error when not ready.
    bool successful() const { return state_->successful(); }

private:
    friend class Pool;
    // For the sole owner (Pool::apply, Pool::map): waits, then moves the value out.
    R finish_blocking() {
        wait();
        return finish(true);
    }
    R finish(bool take) {
        if constexpr (std::is_void_v<R>) {
            state_->value(take);
        } else {
            return state_->value(take);
        }
    }

    std::shared_ptr<internal::ResultState<R>> state_;
};

}  // namespace mp::pool
