// ExecutorShared: what a ThreadPoolExecutor's tasks share with it — the worker names,
// the initializer, and whether the initializer broke the executor. Tasks hold it by
// shared_ptr, so it outlives the executor's own members while a task still runs.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>

#include "threadpool/internal/erased_call.hpp"

namespace mp::threadpool::internal {

template <class T>
inline constexpr bool is_duration = false;
template <class Rep, class Period>
inline constexpr bool is_duration<std::chrono::duration<Rep, Period>> = true;

// A copyable `void()` that may be empty: an executor's initializer bound to its
// arguments.
using Initializer = ErasedCall<void(), std::shared_ptr>;

class ExecutorShared {
public:
    ExecutorShared(std::string thread_name_prefix, Initializer initializer);

    // Called by each task first: on a worker's first task, names the thread and runs
    // the initializer. False when the executor is broken (now or before).
    bool prepare_this_thread();
    // BrokenThreadPool with the initializer's failure; only once broken.
    std::exception_ptr broken_error() const;
    // Throws BrokenThreadPool when broken.
    void throw_if_broken() const;

private:
    const std::string prefix_;
    const Initializer initializer_;
    std::atomic<unsigned> threads_{0};
    std::atomic<bool> broken_{false};
    mutable std::mutex mutex_;
    std::string broken_reason_;  // guarded by mutex_
};

}  // namespace mp::threadpool::internal
