// The calling process's pid and thread's tid, cached: glibc caches neither, and the
// lock fast paths record their owner on every acquire. A pthread_atfork handler
// resets both in a fork()ed child, so they are never stale after fork.
#pragma once

#include <sys/types.h>

#include <atomic>

namespace mp::sync::internal {

extern std::atomic<pid_t> cached_pid;
// constinit: no dynamic initialization, so no TLS wrapper call on each access.
extern constinit thread_local pid_t cached_tid;
pid_t refresh_cached_pid();
pid_t refresh_cached_tid();

inline pid_t current_pid() noexcept {
    const pid_t pid = cached_pid.load(std::memory_order_relaxed);
    return pid != 0 ? pid : refresh_cached_pid();
}

inline pid_t current_tid() noexcept {
    const pid_t tid = cached_tid;
    return tid != 0 ? tid : refresh_cached_tid();
}

}  // namespace mp::sync::internal
