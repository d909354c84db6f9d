// Private: the shared state behind AsyncResult (pool/async_result.hpp), set once
// on the pool's result thread and read by any number of waiters.
#pragma once

#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "sync/internal/cv_wait.hpp"

namespace mp::pool::internal {


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

}  // namespace mp::pool::internal
