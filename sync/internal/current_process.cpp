#include "sync/internal/current_process.hpp"

#include <pthread.h>
#include <unistd.h>

namespace mp::sync::internal {

std::atomic<pid_t> cached_pid{0};
constinit thread_local pid_t cached_tid = 0;

namespace {

// Runs in the child, on the thread that called fork(): the only thread there.
void forget_ids_in_child() {
    cached_pid.store(0, std::memory_order_relaxed);
    cached_tid = 0;
}

// Registered once per process image, before the first cached value is handed out.
const bool registered = [] {
    pthread_atfork(nullptr, nullptr, forget_ids_in_child);
    return true;
}();

}  // namespace

pid_t refresh_cached_pid() {
    (void)registered;
    const pid_t pid = getpid();
    cached_pid.store(pid, std::memory_order_relaxed);
    return pid;
}

pid_t refresh_cached_tid() {
    (void)registered;
    cached_tid = gettid();
    return cached_tid;
}

}  // namespace mp::sync::internal
