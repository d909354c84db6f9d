// Future: Python's concurrent.futures.Future — the result of a task an executor
// runs (ThreadPoolExecutor here, mp::pool::Executor in another process).
//
//   mp::threadpool::Future<int> f = executor.submit(square, 7);
//   f.add_done_callback([](const mp::threadpool::Future<int>& done) { log(done.result()); });
//   int r = f.result(std::chrono::seconds(1));            // throws TimeoutError after 1 s
//   if (f.cancel()) { /* it had not started, and never will */ }
//
// A Future is a handle: copies share one state, as Python's references to one
// future do; result() may be called any number of times (it returns a reference to
// the stored value). A default-constructed Future has no state (valid() is false)
// and any other call on it throws std::logic_error.
//
// Waiting: result(), exception() and wait() wait as long as it takes; result(timeout)
// and exception(timeout) throw TimeoutError when the task is still not done;
// wait_for(timeout) answers whether it is done. Timeouts are any std::chrono
// duration (zero or less checks once; seconds::max() waits as long as it takes).
//
// Done callbacks run once the future is done: on the thread that completed it, or at
// once on the caller's thread if it already is. One that throws is reported on
// stderr ("exception calling callback for future:", as Python logs it) and the
// others still run.
//
// Promise is the executor's side (Python's set_running_or_notify_cancel, set_result,
// set_exception): an executor makes a Promise, hands out its Future, and calls
// set_running_or_notify_cancel() before running the task — false means the future
// was cancelled and the task must not run. A Promise destroyed before it completed
// its future cancels it (or, once running, fails it with std::future_error
// broken_promise), so a task an executor drops never leaves a waiter hanging.
#pragma once

#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "threadpool/errors.hpp"
#include "threadpool/internal/deadline.hpp"
#include "threadpool/internal/future_core.hpp"

namespace mp::threadpool {

template <class T>
class Promise;

template <class T>
class Future {
public:
    using value_type = T;
    using result_reference = typename internal::FutureState<T>::const_reference;

    Future() = default;

    bool valid() const noexcept { return state_ != nullptr; }
    bool done() const { return state().done(); }
    bool running() const { return state().status() == internal::FutureStatus::running; }
    bool cancelled() const { return state().status() == internal::FutureStatus::cancelled; }
    // cancel: true if the task had not started (it never will) or was cancelled
    // already; false once it runs or ran.
    bool cancel() { return state().cancel(); }

    void wait() const { state().wait_until(internal::kNoDeadline); }
    template <class Rep, class Period>
    [[nodiscard]] bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
        return state().wait_until(internal::deadline_after(timeout));
    }

    // result: the task's value; throws the task's exception, or CancelledError.
    result_reference result() const {
        wait();
        return value();
    }
    template <class Rep, class Period>
    result_reference result(const std::chrono::duration<Rep, Period>& timeout) const {
        if (!wait_for(timeout)) throw TimeoutError("threadpool: Future::result: the task is not done");
        return value();
    }

    // exception: the task's exception, nullptr when it succeeded; throws CancelledError.
    std::exception_ptr exception() const {
        wait();
        return state().error();
    }
    template <class Rep, class Period>
    std::exception_ptr exception(const std::chrono::duration<Rep, Period>& timeout) const {
        if (!wait_for(timeout)) throw TimeoutError("threadpool: Future::exception: the task is not done");
        return state().error();
    }

    // add_done_callback: fn(future) once done; see above for where it runs.
    template <class F>
    void add_done_callback(F fn) const {
        state().add_done_callback(internal::DoneCallback([fn = std::move(fn)](internal::FutureCore& core) mutable {
            fn(Future(std::static_pointer_cast<internal::FutureState<T>>(core.shared_from_this())));
        }));
    }

    // Futures are equal when they are handles of one state.
    friend bool operator==(const Future& a, const Future& b) noexcept { return a.state_ == b.state_; }

private:
    friend class Promise<T>;
    template <class U>
    friend internal::FutureCore& core_of(const Future<U>& future);
    template <class U>
    friend U take_result(Future<U>& future);

    explicit Future(std::shared_ptr<internal::FutureState<T>> state) : state_(std::move(state)) {}

    internal::FutureState<T>& state() const {
        if (!state_) throw std::logic_error("threadpool: Future: this future has no state");
        return *state_;
    }
    result_reference value() const {
        state().rethrow_if_failed();
        return state().value();
    }

    std::shared_ptr<internal::FutureState<T>> state_;
};

// The state of `future`, for as_completed() and wait().
template <class T>
internal::FutureCore& core_of(const Future<T>& future) {
    return future.state();
}

// result() moved out of the state, for an owner that holds the only handle (an
// executor's map). Throws as result() does.
template <class T>
T take_result(Future<T>& future) {
    future.wait();
    future.state().rethrow_if_failed();
    return future.state().take();
}

template <class T>
class Promise {
public:
    Promise() : state_(std::make_shared<internal::FutureState<T>>()) {}
    ~Promise() {
        if (state_) state_->abandon();
    }
    Promise(Promise&& other) noexcept = default;
    Promise& operator=(Promise&& other) noexcept {
        if (this != &other) {
            if (state_) state_->abandon();
            state_ = std::move(other.state_);
        }
        return *this;
    }
    Promise(const Promise&) = delete;
    Promise& operator=(const Promise&) = delete;

    Future<T> get_future() const { return Future<T>(state_); }

    [[nodiscard]] bool set_running_or_notify_cancel() { return state_->set_running_or_notify_cancel(); }
    template <class... A>
    void set_result(A&&... value) {
        std::exchange(state_, nullptr)->set_result(std::forward<A>(value)...);
    }
    void set_exception(std::exception_ptr error) { std::exchange(state_, nullptr)->set_exception(std::move(error)); }

private:
    std::shared_ptr<internal::FutureState<T>> state_;
};

}  // namespace mp::threadpool
