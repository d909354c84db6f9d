// PoolState, the calls of its owner: waiting for idleness, pause and resume, close,
// join, cancelling what is queued, and the figures and error reports it watches.
// (pool_state.cpp: the workers, and how tasks reach them.)
#include "threadpool/internal/pool_state.hpp"

#include <cstdio>
#include <string>

#include "threadpool/internal/deadline.hpp"

namespace mp::threadpool::internal {

namespace {

void print_to_stderr(const char* what, std::exception_ptr error) noexcept {
    std::string text = "unknown exception";
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        text = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "threadpool: %s: %s\n", what, text.c_str());
}

}  // namespace

void PoolState::wait_idle() {
    throw_if_worker("wait_idle()");
    if (inert()) return;
    std::unique_lock lock(mutex_);
    idle_waiters_.fetch_add(1, std::memory_order_seq_cst);
    idle_cv_.wait(lock, [&] { return idle_now(); });
    idle_waiters_.fetch_sub(1, std::memory_order_relaxed);
}

bool PoolState::wait_until(SteadyTime deadline) {
    throw_if_worker("wait_for()");
    if (inert()) return idle_now();
    std::unique_lock lock(mutex_);
    idle_waiters_.fetch_add(1, std::memory_order_seq_cst);
    const bool idle = internal::wait_until(idle_cv_, lock, deadline, [&] { return idle_now(); });
    idle_waiters_.fetch_sub(1, std::memory_order_relaxed);
    return idle;
}

void PoolState::pause() {
    if (inert()) return;
    std::lock_guard lock(mutex_);
    paused_ = true;
}

void PoolState::resume() {
    if (inert()) return;
    std::lock_guard lock(mutex_);
    paused_ = false;
    wake_all_locked();
    while (threads_ < max_threads_ && queued_anywhere() > threads_ - busy_.load())
        start_worker_locked();
}

bool PoolState::paused() const {
    if (inert()) return false;
    std::lock_guard lock(mutex_);
    return paused_;
}

void PoolState::close() {
    if (inert()) return;
    std::lock_guard lock(mutex_);
    closed_ = true;
    close_inbox_locked();
    paused_ = false;
    wake_all_locked();
    // A dynamic pool may have no thread left to drain what is queued.
    if (threads_ == 0 && queued_anywhere() > 0) start_worker_locked();
}

void PoolState::close_inbox_locked() {
    std::lock_guard lock(inbox_mutex_);
    inbox_closed_ = true;
}

void PoolState::join() {
    throw_if_worker("join()");
    if (inert()) return;
    close();
    std::list<Worker> done;
    {
        std::unique_lock lock(mutex_);
        idle_cv_.wait(lock, [&] { return threads_ == 0; });
        done.swap(workers_);
    }
    wait_for_wakes_delivered();
    for (Worker& worker : done) worker.thread.join();
}

void PoolState::cancel_queued() {
    if (inert()) return;
    std::vector<Task> dropped;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        Ring<Queued> inbox;  // what no worker has taken from the inbox yet
        {
            std::lock_guard inbox_lock(inbox_mutex_);
            inbox_closed_ = true;
            inbox.swap(inbox_);
            inbox_size_.store(0, std::memory_order_relaxed);
        }
        paused_ = false;
        for (Ring<Queued>* queue : {&queues_[0], &queues_[1], &queues_[2], &inbox}) {
            while (!queue->empty()) {
                dropped.push_back(std::move(queue->front().task));
                queue->pop_front();
            }
        }
        queued_.store(0, std::memory_order_relaxed);
        wake_all_locked();  // closed and empty: idle workers stop
    }
    for (Task& task : dropped) {
        task.reset();  // resolves its future with CancelledError
        task_finished();
    }
}

void PoolState::terminate() {
    throw_if_worker("terminate()");
    cancel_queued();
    join();
}

// ---- monitoring and errors ----

std::size_t PoolState::size() const {
    if (inert()) return 0;
    std::lock_guard lock(mutex_);
    return threads_;
}

std::size_t PoolState::idle() const {
    if (inert()) return 0;
    std::lock_guard lock(mutex_);
    return threads_ - busy_.load(std::memory_order_relaxed);
}

void PoolState::set_error_handler(ErrorHandler handler) {
    std::lock_guard lock(handler_mutex_);
    handler_ = std::move(handler);
}

void PoolState::report_error(std::exception_ptr error) noexcept {
    errors_.fetch_add(1, std::memory_order_relaxed);
    ErrorHandler handler;
    try {
        std::lock_guard lock(handler_mutex_);
        handler = handler_;
    } catch (...) {
    }
    if (!handler) return print_to_stderr("exception in a task no caller waits for", error);
    try {
        handler(error);
    } catch (...) {
        print_to_stderr("the error handler threw", std::current_exception());
    }
}

}  // namespace mp::threadpool::internal
