#include "threadpool/internal/thread_state.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "threadpool/thread.hpp"

namespace mp::threadpool::internal {

namespace {

// pthread_self() of the thread that ran static initialization: the main thread,
// unless another static initializer started threads first (see main_state()).
const std::uint64_t kMainIdent = static_cast<std::uint64_t>(pthread_self());

std::uint64_t self_ident() noexcept { return static_cast<std::uint64_t>(pthread_self()); }

struct Registry {
    std::mutex mutex;
    std::unordered_map<const ThreadState*, std::shared_ptr<ThreadState>> live;
    std::uint64_t names = 0;     // the N of Thread-N and Dummy-N
    std::uint64_t sequence = 0;  // start order
    bool handlers_installed = false;
    std::shared_ptr<ThreadState> main;
};

// Leaked: daemon threads may still register or unregister while exit() destroys
// static objects, so the registry must outlive them all.
Registry& registry() {
    static Registry* const instance = new Registry;
    return *instance;
}

// The calling thread's state, when it has one (its Thread's, main's, a dummy's).
thread_local ThreadState* current = nullptr;

// A thread not started by mp that called current_thread(): its dummy state stays
// registered until the thread exits (Python's _DummyThread, minus its leak).
struct DummyHolder {
    std::shared_ptr<ThreadState> state;
    ~DummyHolder() {
        if (!state) return;
        unregister(*state);
        {
            std::lock_guard lock(state->mutex);
            state->phase = ThreadState::Phase::finished;
        }
        state->finished_cv.notify_all();
        current = nullptr;
    }
};
thread_local DummyHolder dummy;

std::shared_ptr<ThreadState> make_main_locked(Registry& r) {
    if (!r.main) {
        r.main = std::make_shared<ThreadState>("MainThread", false);
        r.main->phase = ThreadState::Phase::running;
        r.main->process = getpid();
        r.main->ident = gettid() == getpid() ? self_ident() : kMainIdent;
        r.main->native_id = getpid();
        r.live.emplace(r.main.get(), r.main);
    }
    return r.main;
}

// At exit, as Python's threading._shutdown: wait for every non-daemon thread mp
// started, including ones started while waiting. Daemon threads are abandoned.
void join_non_daemon_threads() {
    for (;;) {
        std::shared_ptr<ThreadState> waiting_for;
        {
            Registry& r = registry();
            std::lock_guard lock(r.mutex);
            for (const auto& [raw, state] : r.live)
                if (!state->daemon && state != r.main && raw != current) {
                    waiting_for = state;
                    break;
                }
        }
        if (!waiting_for) return;
        std::unique_lock lock(waiting_for->mutex);
        waiting_for->finished_cv.wait(lock, [&] { return waiting_for->phase == ThreadState::Phase::finished; });
        // Joined, not only waited for, as Python's shutdown joins: a thread nobody
        // joins keeps its stack until the process ends, and checkers call it a leak.
        if (!waiting_for->handle_taken && waiting_for->process == getpid()) {
            waiting_for->handle_taken = true;
            lock.unlock();
            pthread_join(waiting_for->handle, nullptr);
        }
    }
}

// The registry mutex must not be held by a thread that vanishes in a fork. The
// child keeps only the forking thread: the others do not exist there.
void before_fork() { registry().mutex.lock(); }
void after_fork_in_parent() { registry().mutex.unlock(); }
void after_fork_in_child() {
    Registry& r = registry();
    for (auto it = r.live.begin(); it != r.live.end();)
        it = (it->first == current || it->second == r.main) ? std::next(it) : r.live.erase(it);
    r.mutex.unlock();
}

}  // namespace

std::string next_thread_name() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    return "Thread-" + std::to_string(++r.names);
}

std::string next_dummy_name() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    return "Dummy-" + std::to_string(++r.names);
}

void register_started(const std::shared_ptr<ThreadState>& state) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    if (!r.handlers_installed) {
        r.handlers_installed = true;
        make_main_locked(r);
        std::atexit(join_non_daemon_threads);
        pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    }
    state->sequence = ++r.sequence;
    r.live.emplace(state.get(), state);
}

void unregister(const ThreadState& state) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.live.erase(&state);
}

std::vector<std::shared_ptr<ThreadState>> live_threads() {
    Registry& r = registry();
    std::vector<std::shared_ptr<ThreadState>> threads;
    {
        std::lock_guard lock(r.mutex);
        make_main_locked(r);
        for (const auto& entry : r.live) threads.push_back(entry.second);
    }
    std::sort(threads.begin(), threads.end(), [](const auto& a, const auto& b) { return a->sequence < b->sequence; });
    return threads;
}

std::size_t live_count() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    make_main_locked(r);
    return r.live.size();
}

std::shared_ptr<ThreadState> main_state() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    return make_main_locked(r);
}

std::shared_ptr<ThreadState> current_state() {
    if (current != nullptr) return current->shared_from_this();
    if (gettid() == getpid()) {
        auto main = main_state();
        current = main.get();
        return main;
    }
    // Python's dummy threads are daemons: nothing joins them at exit.
    auto state = std::make_shared<ThreadState>(next_dummy_name(), true);
    state->phase = ThreadState::Phase::running;
    state->process = getpid();
    state->ident = self_ident();
    state->native_id = gettid();
    {
        Registry& r = registry();
        std::lock_guard lock(r.mutex);
        state->sequence = ++r.sequence;
        r.live.emplace(state.get(), state);
    }
    dummy.state = state;
    current = state.get();
    return state;
}

void* thread_entry(void* owned_state) noexcept {
    const std::unique_ptr<std::shared_ptr<ThreadState>> owner(static_cast<std::shared_ptr<ThreadState>*>(owned_state));
    const std::shared_ptr<ThreadState> state = *owner;
    current = state.get();
    state->ident = self_ident();
    state->native_id = gettid();
    state->native_id.notify_all();
    try {
        if (state->has_target())
            state->invoke();
        else
            state->object->run();
    } catch (...) {
        report_uncaught_exception(*state);
    }
    unregister(*state);
    {
        std::lock_guard lock(state->mutex);
        state->phase = ThreadState::Phase::finished;
    }
    state->finished_cv.notify_all();
    current = nullptr;
    return nullptr;
}

}  // namespace mp::threadpool::internal
