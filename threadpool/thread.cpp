#include "threadpool/thread.hpp"

#include <pthread.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

namespace mp::threadpool {

using internal::ThreadState;
using Phase = internal::ThreadState::Phase;

internal::ThreadState& ThreadRef::state() const {
    if (!state_) throw std::logic_error("threadpool: Thread: used after it was moved from");
    return *state_;
}

std::string ThreadRef::name() const {
    std::lock_guard lock(state().mutex);
    return state_->name;
}

std::uint64_t ThreadRef::ident() const { return state().ident.load(); }

pid_t ThreadRef::native_id() const {
    ThreadState& s = state();
    {
        std::lock_guard lock(s.mutex);
        if (s.phase == Phase::initial || s.process != getpid()) return s.native_id.load();
    }
    // Started: the new thread publishes its id as its first act.
    s.native_id.wait(0);
    return s.native_id.load();
}

bool ThreadRef::daemon() const {
    std::lock_guard lock(state().mutex);
    return state_->daemon;
}

bool ThreadRef::is_alive() const {
    ThreadState& s = state();
    std::lock_guard lock(s.mutex);
    return s.phase == Phase::running && s.process == getpid();
}

Thread::Thread(ThreadOptions options) {
    auto [name, daemon] = resolve(std::move(options));
    state_ = std::make_shared<ThreadState>(std::move(name), daemon);
}

std::pair<std::string, bool> Thread::resolve(ThreadOptions options) {
    std::string name = options.name.empty() ? internal::next_thread_name() : std::move(options.name);
    const bool daemon = options.daemon ? *options.daemon : current_thread().daemon();
    return {std::move(name), daemon};
}

Thread& Thread::operator=(Thread&& other) noexcept {
    if (this != &other) {
        finish();
        state_ = std::move(other.state_);
    }
    return *this;
}

Thread::~Thread() { finish(); }

void Thread::finish() noexcept {
    if (!state_) return;
    ThreadState& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        if (s.phase == Phase::initial || s.handle_taken || s.process != getpid()) return;
        // A daemon runs on; so does a thread whose own run() drops its Thread
        // (joining itself would deadlock).
        if (s.daemon || s.ident.load() == static_cast<std::uint64_t>(pthread_self())) {
            s.handle_taken = true;
            pthread_detach(s.handle);
            return;
        }
    }
    (void)join_until(std::chrono::steady_clock::time_point::max());
}

void Thread::start() {
    ThreadState& s = state();
    {
        std::lock_guard lock(s.mutex);
        if (s.phase != Phase::initial) throw std::logic_error("threadpool: Thread::start: threads can only be started once");
        s.phase = Phase::running;
        s.process = getpid();
        if (!s.has_target()) s.object = this;
    }
    internal::register_started(state_);
    auto* owned = new std::shared_ptr<ThreadState>(state_);
    pthread_t handle;
    if (const int error = pthread_create(&handle, nullptr, internal::thread_entry, owned); error != 0) {
        delete owned;
        internal::unregister(s);
        std::lock_guard lock(s.mutex);
        s.phase = Phase::initial;
        s.object = nullptr;
        throw std::system_error(error, std::generic_category(), "pthread_create(\"" + s.name + "\")");
    }
    std::lock_guard lock(s.mutex);
    s.handle = handle;
    s.ident = static_cast<std::uint64_t>(handle);
}

void Thread::join() { (void)join_until(std::chrono::steady_clock::time_point::max()); }

bool Thread::join_until(std::chrono::steady_clock::time_point deadline) {
    ThreadState& s = state();
    std::unique_lock lock(s.mutex);
    if (s.phase == Phase::initial) throw std::logic_error("threadpool: Thread::join: cannot join a thread before it is started");
    if (s.process != getpid()) return true;  // a forked child's copy: no such thread here
    if (s.ident.load() == static_cast<std::uint64_t>(pthread_self()))
        throw std::logic_error("threadpool: Thread::join: cannot join the current thread");
    if (deadline == std::chrono::steady_clock::time_point::max() && !s.handle_taken) {
        // The first untimed joiner reaps the thread itself: one wake-up, at its exit,
        // instead of one at finished_cv and another at the exit. Joiners meanwhile
        // wait for finished_cv, which the thread signals before it exits.
        s.handle_taken = true;
        const pthread_t handle = s.handle;
        lock.unlock();
        pthread_join(handle, nullptr);
        return true;
    }
    if (!internal::wait_until(s.finished_cv, lock, deadline, [&] { return s.phase == Phase::finished; }))
        return false;
    // The thread only exits after saying it finished: reap it (once, whoever asks).
    if (!s.handle_taken) {
        s.handle_taken = true;
        pthread_join(s.handle, nullptr);
    }
    return true;
}

bool Thread::started() const {
    std::lock_guard lock(state().mutex);
    return state_->phase != Phase::initial;
}

void Thread::join_if_started() noexcept {
    if (state_ && started() && state_->ident.load() != static_cast<std::uint64_t>(pthread_self()))
        (void)join_until(std::chrono::steady_clock::time_point::max());
}

void Thread::set_name(std::string name) {
    std::lock_guard lock(state().mutex);
    state_->name = std::move(name);
}

void Thread::set_daemon(bool daemon) {
    std::lock_guard lock(state().mutex);
    if (state_->phase != Phase::initial) throw std::logic_error("threadpool: Thread::set_daemon: the thread is already started");
    state_->daemon = daemon;
}

ThreadRef current_thread() { return ThreadRef(internal::current_state()); }

ThreadRef main_thread() { return ThreadRef(internal::main_state()); }

std::vector<ThreadRef> enumerate() {
    std::vector<ThreadRef> threads;
    for (auto& state : internal::live_threads()) threads.push_back(ThreadRef(std::move(state)));
    return threads;
}

std::size_t active_count() { return internal::live_count(); }

}  // namespace mp::threadpool
