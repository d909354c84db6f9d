// The soak run (`make soak`): every library under injected faults at once, each
// scenario in its own process, and one table at the end. See main.cpp.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <system_error>
#include <thread>

namespace mp::soak {

using Clock = std::chrono::steady_clock;

// One scenario's figures, written by its process into memory shared with main.
// `lost` counts items that vanished or were duplicated; `violations` counts broken
// promises that are not items: a stalled pool, a wedged waiter, two holders inside
// one lock, a wrong final count. Both, like zombies and leaks, must end at 0.
struct Row {
    std::atomic<std::int64_t> operations{0};
    std::atomic<std::int64_t> faults{0};
    std::atomic<std::int64_t> errors{0};
    std::atomic<std::int64_t> lost{0};
    std::atomic<std::int64_t> violations{0};
    std::atomic<std::int64_t> zombies{0};
    std::atomic<std::int64_t> leaked_fds{0};
    std::atomic<std::int64_t> signals{0};  // SIGUSR1 handled by this scenario's processes
    std::atomic<int> finished{0};
    char note[160] = {};
};

// What a scenario gets: where to write, when to stop, and a prefix for its names.
struct Context {
    Row* row;
    Clock::time_point deadline;
    std::string name_prefix;  // "test-<pid>-<scenario>-": every named object starts with it
};

void run_pool(Context& ctx);
void run_queue(Context& ctx);
void run_sync(Context& ctx);
void run_shm(Context& ctx);
void run_subproc(Context& ctx);

// ---- shared by the scenarios (common.cpp) ----

// Anonymous MAP_SHARED memory for `count` objects of T, value-initialized;
// inherited by children forked afterwards. Never unmapped (lives as long as the run).
void* shared_bytes(std::size_t bytes);
template <class T>
T* shared_array(std::size_t count) {
    T* p = static_cast<T*>(shared_bytes(sizeof(T) * count));
    for (std::size_t i = 0; i < count; ++i) new (p + i) T();
    return p;
}

// The SIGUSR1 hammer: a no-op handler without SA_RESTART, and a thread that sends
// SIGUSR1 to this process (and to the registered children) every ~2 ms until stopped.
// The hammer thread blocks SIGUSR1 itself, so the signal lands on the working threads.
class Hammer {
public:
    explicit Hammer(Row* row);
    ~Hammer();
    Hammer(const Hammer&) = delete;
    Hammer& operator=(const Hammer&) = delete;
    // Children that also get hammered (slot i holds a pid or 0).
    void watch_children(std::atomic<pid_t>* pids, int count) {
        child_pids_ = pids;
        child_count_ = count;
    }
    // Held while the hammer signals the children: take it to clear a slot before
    // reaping that child, so that a reaped (reusable) pid is never signalled.
    std::mutex& children_lock() { return children_lock_; }

private:
    void loop();
    Row* row_;
    std::atomic<bool> stop_{false};
    std::atomic<pid_t>* child_pids_ = nullptr;
    int child_count_ = 0;
    std::mutex children_lock_;
    std::thread thread_;
};
void install_noop_sigusr1();

// Open fds of this process (/proc/self/fd), excluding the one used to list them.
int count_open_fds();
// Reaps every child left and returns how many there were (each one is a zombie or
// an orphan we failed to reap).
int reap_leftover_children();
// Kills `pid` with SIGKILL and reaps it (retrying EINTR); true when it had already
// ended on its own with kChildThrew (a failure the caller counts).
bool kill_and_reap(pid_t pid);
// Exit status of a child whose body threw (see fork_child).
inline constexpr int kChildThrew = 86;
// fork() that flushes stdio first; in the child runs body() and _exit(0). A body
// that throws prints the error and leaves with kChildThrew: an exception must
// never unwind into the parent's code running in the child.
template <class Body>
pid_t fork_child(Body body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        try {
            body();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "soak: child %d: %s\n", static_cast<int>(::getpid()), e.what());
            std::fflush(stderr);
            _exit(kChildThrew);
        }
        _exit(0);
    }
    return pid;
}
// A random number in [lo, hi], per thread.
std::int64_t random_between(std::int64_t lo, std::int64_t hi);
// Sleeps `d`, resuming after signals.
void sleep_for(std::chrono::nanoseconds d);

}  // namespace mp::soak
