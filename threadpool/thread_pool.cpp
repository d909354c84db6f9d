#include "threadpool/thread_pool.hpp"

#include <algorithm>

#include "threadpool/internal/pool_state.hpp"

namespace mp::threadpool {

std::size_t ThreadPool::default_size() noexcept {
    return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(std::size_t threads)
    : state_(std::make_unique<internal::PoolState>(
          std::max<std::size_t>(threads, 1), std::max<std::size_t>(threads, 1), std::chrono::seconds(0))) {}

ThreadPool::ThreadPool(const Options& options)
    : state_(std::make_unique<internal::PoolState>(options.min_threads, options.max_threads,
                                                   options.idle_timeout)) {}

ThreadPool::~ThreadPool() {
    // A forked child's copy has no threads to join and must not touch a mutex that
    // a vanished thread may hold: its state is left to the process's exit.
    if (state_->inert()) {
        (void)state_.release();
        return;
    }
    state_->join();
}

void ThreadPool::enqueue(internal::Task&& task, Priority priority) {
    state_->enqueue(std::move(task), priority);
}
bool ThreadPool::help_once() {
    return state_->help_once();
}
void ThreadPool::report_error(std::exception_ptr error) noexcept {
    state_->report_error(std::move(error));
}

void ThreadPool::wait_idle() {
    state_->wait_idle();
}
bool ThreadPool::wait_until(internal::SteadyTime deadline) {
    return state_->wait_until(deadline);
}
void ThreadPool::pause() {
    state_->pause();
}
void ThreadPool::resume() {
    state_->resume();
}
bool ThreadPool::paused() const {
    return state_->paused();
}
void ThreadPool::close() {
    state_->close();
}
void ThreadPool::join() {
    state_->join();
}
void ThreadPool::terminate() {
    state_->terminate();
}

void ThreadPool::shutdown(bool wait, bool cancel_futures) {
    if (cancel_futures)
        state_->cancel_queued();
    else
        state_->close();
    if (wait) state_->join();
}

std::size_t ThreadPool::size() const {
    return state_->size();
}
std::size_t ThreadPool::idle() const {
    return state_->idle();
}
std::size_t ThreadPool::queued() const {
    return state_->queued();
}
std::size_t ThreadPool::max_threads() const {
    return state_->max_threads();
}

void ThreadPool::set_error_handler(ErrorHandler handler) {
    state_->set_error_handler(std::move(handler));
}
std::size_t ThreadPool::error_count() const {
    return state_->error_count();
}
bool ThreadPool::on_worker_thread() const noexcept {
    return state_->on_worker_thread();
}

}  // namespace mp::threadpool
