// ThreadState: what a Thread, the OS thread it started, current_thread() and the
// registry of live threads share. It lives on the heap, held by shared_ptr, so a
// Thread may be moved (or destroyed, for a daemon) while its thread runs: the
// running thread holds its own reference and never touches the Thread object
// (except a subclass's run(), see thread.hpp).
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace mp::threadpool {
class Thread;
}

namespace mp::threadpool::internal {

struct ThreadState : std::enable_shared_from_this<ThreadState> {
    enum class Phase : unsigned char { initial, running, finished };

    ThreadState(std::string thread_name, bool is_daemon) : name(std::move(thread_name)), daemon(is_daemon) {}
    virtual ~ThreadState() = default;
    ThreadState(const ThreadState&) = delete;
    ThreadState& operator=(const ThreadState&) = delete;

    // The target form: calls target(args...). The subclass form has no target.
    virtual bool has_target() const noexcept { return false; }
    virtual void invoke() {}

    mutable std::mutex mutex;
    std::condition_variable finished_cv;  // phase became finished
    std::string name;                     // guarded by mutex
    bool daemon;                          // fixed once started
    Phase phase = Phase::initial;         // guarded by mutex
    bool handle_taken = false;            // pthread_join or pthread_detach done; guarded by mutex
    pthread_t handle{};                   // written by start() before the thread can be joined
    pid_t process = 0;                    // the process that started it (a forked child has no such thread)
    Thread* object = nullptr;             // the subclass form's object, whose run() is called
    std::uint64_t sequence = 0;           // start order, for enumerate()
    std::atomic<std::uint64_t> ident{0};  // pthread_self() of the thread, 0 before start
    std::atomic<pid_t> native_id{0};      // gettid() of the thread, 0 until it ran
};

// The target form's state: the callable and its arguments, decayed copies.
template <class F, class... Args>
struct TargetState final : ThreadState {
    template <class G, class... A>
    TargetState(std::string thread_name, bool is_daemon, G&& target, A&&... args)
        : ThreadState(std::move(thread_name), is_daemon), f(std::forward<G>(target)), arguments(std::forward<A>(args)...) {}

    bool has_target() const noexcept override { return true; }
    // Called once: the target and its arguments are moved into the call, so
    // move-only values work (as with std::thread).
    void invoke() override { std::apply(std::move(f), std::move(arguments)); }

    F f;
    std::tuple<Args...> arguments;
};

// "Thread-N" with the next N (shared with "Dummy-N", as Python's counter).
std::string next_thread_name();
std::string next_dummy_name();

// The live threads: mp threads from start() until their run() ended, threads not
// started by mp that asked for current_thread() (until they exit), and the main
// thread. Registering the first thread also installs the fork and exit handlers.
void register_started(const std::shared_ptr<ThreadState>& state);
void unregister(const ThreadState& state);
std::vector<std::shared_ptr<ThreadState>> live_threads();
std::size_t live_count();

// The calling thread's state: its Thread's, the main thread's, or a dummy made now.
std::shared_ptr<ThreadState> current_state();
std::shared_ptr<ThreadState> main_state();

// Runs the thread `state` was started for: called first by the new thread.
void* thread_entry(void* owned_state) noexcept;

// Hands the exception being handled, which escaped the run of `state`'s thread, to
// the excepthook (excepthook.cpp). Called inside a catch block.
void report_uncaught_exception(const ThreadState& state) noexcept;

}  // namespace mp::threadpool::internal
