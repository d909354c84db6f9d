#include "threadpool/internal/future_core.hpp"

#include <future>

#include "threadpool/errors.hpp"
#include "threadpool/internal/exception_report.hpp"

namespace mp::threadpool::internal {

FutureStatus FutureCore::status() const { return status_.load(std::memory_order_acquire); }

bool FutureCore::done() const { return completed(); }

bool FutureCore::cancel() {
    std::unique_lock lock(mutex_);
    if (status_ == FutureStatus::cancelled) return true;
    if (status_ != FutureStatus::pending) return false;
    complete(lock, FutureStatus::cancelled);
    return true;
}

bool FutureCore::set_running_or_notify_cancel() {
    std::lock_guard lock(mutex_);
    if (status_ == FutureStatus::cancelled) return false;
    status_.store(FutureStatus::running, std::memory_order_release);
    return true;
}

void FutureCore::set_exception(std::exception_ptr error) {
    finish([&] { error_ = std::move(error); });
}

void FutureCore::abandon() {
    std::unique_lock lock(mutex_);
    if (completed()) return;
    if (status_ == FutureStatus::pending) return complete(lock, FutureStatus::cancelled);
    error_ = std::make_exception_ptr(std::future_error(std::future_errc::broken_promise));
    complete(lock, FutureStatus::finished);
}

bool FutureCore::wait_until(SteadyTime deadline) const {
    std::unique_lock lock(mutex_);
    return internal::wait_until(done_cv_, lock, deadline, [&] { return completed(); });
}

std::exception_ptr FutureCore::error() const {
    std::lock_guard lock(mutex_);
    if (status_ == FutureStatus::cancelled) throw CancelledError();
    return error_;
}

void FutureCore::rethrow_if_failed() const {
    if (std::exception_ptr failure = error()) std::rethrow_exception(failure);
}

void FutureCore::add_done_callback(DoneCallback callback) {
    {
        std::lock_guard lock(mutex_);
        if (!completed()) {
            callbacks_.push_back(std::move(callback));
            return;
        }
    }
    run_callback(callback);
}

bool FutureCore::add_waiter_locked(const std::shared_ptr<CompletionWaiter>& waiter, std::size_t position) {
    if (completed()) return true;
    std::lock_guard lock(mutex_);
    if (completed()) return true;
    waiters_.emplace_back(waiter, position);
    return false;
}

void FutureCore::complete(std::unique_lock<std::mutex>& lock, FutureStatus status) {
    status_.store(status, std::memory_order_release);
    auto callbacks = std::move(callbacks_);
    auto waiters = std::move(waiters_);
    done_cv_.notify_all();
    lock.unlock();
    for (auto& [waiter, position] : waiters) {
        std::lock_guard waiter_lock(waiter->mutex);
        waiter->completed.push_back(position);
        waiter->changed.notify_all();
    }
    for (auto& callback : callbacks) run_callback(callback);
}

// Python logs a failing done callback and goes on with the next one; so do we: the
// error is neither lost nor allowed to break the thread that completed the future.
void FutureCore::run_callback(DoneCallback& callback) noexcept {
    try {
        callback(*this);
    } catch (...) {
        print_current_exception("exception calling callback for future:");
    }
}

}  // namespace mp::threadpool::internal
