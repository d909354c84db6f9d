// AsyncResult: what Pool::apply_async and map_async return, as Python's
// multiprocessing.pool.AsyncResult. The value arrives on the pool's result thread;
// copies of an AsyncResult share it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "pool/errors.hpp"
#include "sync/internal/cv_wait.hpp"

namespace mp::pool {

namespace internal {

// The pool whose result thread is running here, or null (see Core::on_result_thread).
const void* current_result_thread();

// The shared state of one result: set once on the result thread, read by waiters.
template <class R>
class ResultState {
public:
    using Stored = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

    explicit ResultState(const void* pool) : pool_(pool) {}

    void set_value(Stored value) {
        std::lock_guard lock(mutex_);
        value_ = std::move(value);
        ready_ = true;
        changed_.notify_all();
    }
    void set_error(std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        error_ = std::move(error);
        ready_ = true;
        changed_.notify_all();
    }
    bool wait_until(sync::internal::SteadyTime deadline) {
        std::unique_lock lock(mutex_);
        if (ready_) return true;
        if (current_result_thread() == pool_ && pool_ != nullptr)
            throw std::logic_error("pool: AsyncResult: waiting for a result on the pool's own result thread (in a callback) would deadlock");
        return sync::internal::wait_until(changed_, lock, deadline, [&] { return ready_; });
    }
    bool ready() const {
        std::lock_guard lock(mutex_);
        return ready_;
    }
    bool successful() const {
        std::lock_guard lock(mutex_);
        if (!ready_) throw std::logic_error("pool: AsyncResult::successful: the result is not ready");
        return error_ == nullptr;
    }
    // Requires ready. Re-throws the error, else returns a copy (or, with take, the
    // value itself: for the single owner).
    Stored value(bool take) {
        std::lock_guard lock(mutex_);
        if (error_) std::rethrow_exception(error_);
        if (take) return std::move(*value_);
        return *value_;
    }

private:
    const void* pool_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool ready_ = false;
    std::optional<Stored> value_;
    std::exception_ptr error_;
};

}  // namespace internal

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
