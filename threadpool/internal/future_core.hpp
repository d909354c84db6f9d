// FutureCore: the untyped half of a Future's shared state — its status, its error,
// the waits on it and what runs when it completes. FutureState<T> adds the value.
//
// Status moves one way: pending -> running -> finished, or pending -> cancelled.
// Completion (finished or cancelled) happens once; it wakes the waiters, then runs
// the done callbacks and tells every registered CompletionWaiter, outside the lock,
// on the thread that completed it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/erased_call.hpp"

namespace mp::threadpool::internal {

enum class FutureStatus : unsigned char { pending, running, cancelled, finished };

class FutureCore;

// A move-only `void(FutureCore&)`: a done callback.
using DoneCallback = ErasedCall<void(FutureCore&), std::unique_ptr>;

// What as_completed() and wait() sleep on: the positions of their futures, in the
// order the futures completed. Lock order: a waiter's mutex before a future's.
struct CompletionWaiter {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::size_t> completed;
};

class FutureCore : public std::enable_shared_from_this<FutureCore> {
public:
    FutureCore() = default;
    virtual ~FutureCore() = default;
    FutureCore(const FutureCore&) = delete;
    FutureCore& operator=(const FutureCore&) = delete;

    FutureStatus status() const;
    bool done() const;
    // Python's cancel(): a pending future becomes cancelled (true); a running or
    // finished one stays as it is (false); a cancelled one answers true again.
    bool cancel();
    // The executor's side: false when the future was cancelled (the task must not
    // run), else the future is running from now on.
    bool set_running_or_notify_cancel();
    void set_exception(std::exception_ptr error);
    // The producer went away without completing it: a pending future is cancelled,
    // a running one fails with std::future_error(broken_promise).
    void abandon();

    // Waits until done; false when `deadline` came first.
    bool wait_until(SteadyTime deadline) const;
    // The task's exception, nullptr on success. Throws CancelledError when cancelled.
    // Only once done.
    std::exception_ptr error() const;
    // Throws what result() must throw (the task's exception, CancelledError); only once done.
    void rethrow_if_failed() const;

    void add_done_callback(DoneCallback callback);
    // Registers `waiter` to learn of this future's completion as `position`, unless it
    // is done already: then returns true and registers nothing. The caller holds the
    // waiter's mutex (so a whole batch registers under one lock).
    bool add_waiter_locked(const std::shared_ptr<CompletionWaiter>& waiter, std::size_t position);

protected:
    // Finishes the future: `store` (run under the lock) writes the value.
    template <class Store>
    void finish(Store store) {
        std::unique_lock lock(mutex_);
        if (completed()) return;
        store();
        complete(lock, FutureStatus::finished);
    }

private:
    bool completed() const {
        const FutureStatus s = status_.load(std::memory_order_acquire);
        return s == FutureStatus::finished || s == FutureStatus::cancelled;
    }
    void complete(std::unique_lock<std::mutex>& lock, FutureStatus status);
    void run_callback(DoneCallback& callback) noexcept;

    mutable std::mutex mutex_;
    mutable std::condition_variable done_cv_;
    // Written under mutex_; read without it by the questions (done(), status()) and
    // by registration's fast path. Release/acquire: whoever sees "finished" sees the value.
    std::atomic<FutureStatus> status_{FutureStatus::pending};
    std::exception_ptr error_;
    std::vector<DoneCallback> callbacks_;
    std::vector<std::pair<std::shared_ptr<CompletionWaiter>, std::size_t>> waiters_;
};

// The typed state: FutureCore plus the value of a successful task.
template <class T>
class FutureState final : public FutureCore {
public:
    using const_reference = const T&;
    template <class... A>
    void set_result(A&&... value) {
        finish([&] { value_.emplace(std::forward<A>(value)...); });
    }
    // Only once done and successful.
    const T& value() const { return *value_; }
    T take() { return std::move(*value_); }

private:
    std::optional<T> value_;
};

template <>
class FutureState<void> final : public FutureCore {
public:
    using const_reference = void;
    void set_result() {
        finish([] {});
    }
    void value() const {}
    void take() {}
};

}  // namespace mp::threadpool::internal
