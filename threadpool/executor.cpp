#include "threadpool/executor.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "threadpool/internal/exception_report.hpp"
#include "threadpool/internal/thread_state.hpp"

namespace mp::threadpool {

namespace internal {

namespace {

// The executor whose worker this thread is and has been prepared for. A thread is a
// worker of one pool for its whole life, so one pointer per thread is enough.
thread_local const ExecutorShared* prepared_for = nullptr;

std::string default_prefix() {
    static std::atomic<unsigned> executors{0};
    return "ThreadPoolExecutor-" + std::to_string(executors++);
}

void name_this_thread(const std::string& name) {
    const auto state = current_state();
    {
        std::lock_guard lock(state->mutex);
        state->name = name;
    }
    // The kernel keeps 15 characters; the start of the name is the telling part.
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace

ExecutorShared::ExecutorShared(std::string thread_name_prefix, Initializer initializer)
    : prefix_(thread_name_prefix.empty() ? default_prefix() : std::move(thread_name_prefix)),
      initializer_(std::move(initializer)) {}

bool ExecutorShared::prepare_this_thread() {
    if (prepared_for == this) return !broken_;
    prepared_for = this;
    name_this_thread(prefix_ + "_" + std::to_string(threads_++));
    if (!initializer_ || broken_) return !broken_;
    try {
        initializer_();
    } catch (...) {
        print_current_exception("Exception in initializer:");
        std::lock_guard lock(mutex_);
        if (!broken_) broken_reason_ = "threadpool: a thread initializer failed, the pool is no longer usable";
        broken_ = true;
    }
    return !broken_;
}

std::exception_ptr ExecutorShared::broken_error() const {
    std::lock_guard lock(mutex_);
    return std::make_exception_ptr(BrokenThreadPool(broken_reason_));
}

void ExecutorShared::throw_if_broken() const {
    if (broken_) std::rethrow_exception(broken_error());
}

}  // namespace internal

namespace {

std::size_t default_max_workers() {
    return std::min<std::size_t>(32, std::max(1u, std::thread::hardware_concurrency()) + 4);
}

}  // namespace

ThreadPoolExecutor::ThreadPoolExecutor(Options options, internal::Initializer initializer)
    : shared_(std::make_shared<internal::ExecutorShared>(std::move(options.thread_name_prefix), std::move(initializer))),
      pool_(ThreadPool::Options{.min_threads = 0,
                                .max_threads = options.max_workers == 0 ? default_max_workers() : options.max_workers}) {}

}  // namespace mp::threadpool
