#include "sync/process_mutex.hpp"

#include <cerrno>
#include <ctime>
#include <system_error>

#include "sync/internal/os_error.hpp"
#include "sync/internal/sanitizer.hpp"
#if MP_SYNC_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace mp::sync {

namespace {

// pthread calls return their error instead of setting errno.
[[noreturn]] void throw_pthread(int rc, const char* what) { internal::throw_errno(what, rc); }

// pthread_mutex_timedlock takes a CLOCK_REALTIME deadline; we count on the steady
// clock and convert each attempt's remaining time, retrying if the wall clock jumped.
timespec realtime_after(std::chrono::steady_clock::duration left) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    constexpr long long kBillion = 1'000'000'000;
    const long long total_ns = now.tv_nsec + ns % kBillion;
    timespec at{};
    at.tv_sec = now.tv_sec + static_cast<time_t>(ns / kBillion + total_ns / kBillion);
    at.tv_nsec = static_cast<long>(total_ns % kBillion);
    return at;
}

}  // namespace

ProcessMutex::ProcessMutex(Kind kind) {
    pthread_mutexattr_t attr;
    if (const int rc = pthread_mutexattr_init(&attr); rc != 0) throw_pthread(rc, "pthread_mutexattr_init");
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&attr, kind == Kind::recursive ? PTHREAD_MUTEX_RECURSIVE : PTHREAD_MUTEX_NORMAL);
    const int rc = pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc != 0) throw_pthread(rc, "pthread_mutex_init(process-shared, robust)");
}

ProcessMutex::~ProcessMutex() { pthread_mutex_destroy(&mutex_); }

void ProcessMutex::handle_lock_error(int rc, const char* call) {
    if (rc != EOWNERDEAD) throw_pthread(rc, call);
    // We hold the mutex; the previous holder died. Mark it consistent at once so the
    // mutex stays usable whatever the caller does with the protected data.
    if (const int fix = pthread_mutex_consistent(&mutex_); fix != 0) {
        pthread_mutex_unlock(&mutex_);
        throw_pthread(fix, "pthread_mutex_consistent");
    }
}

void ProcessMutex::throw_not_owner() {
    throw_pthread(EPERM, "sync: ProcessMutex::unlock: the mutex is not held by this thread");
}

void ProcessMutex::throw_unlock_error(int rc) { throw_pthread(rc, "pthread_mutex_unlock"); }

bool ProcessMutex::try_lock_until_steady(internal::SteadyTime deadline) {
    for (;;) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= left.zero()) return try_lock();
        const timespec at = realtime_after(left);
        const int rc = pthread_mutex_timedlock(&mutex_, &at);
        if (rc == ETIMEDOUT || rc == EINTR) continue;  // loop re-checks the steady deadline
        if (rc != 0) handle_lock_error(rc, "pthread_mutex_timedlock");
#if MP_SYNC_TSAN
        // ThreadSanitizer's timedlock interceptor records only rc == 0 as an
        // acquisition (its lock and trylock ones also accept EOWNERDEAD): tell it.
        if (rc == EOWNERDEAD) {
            __tsan_mutex_pre_lock(&mutex_, __tsan_mutex_try_lock);
            __tsan_mutex_post_lock(&mutex_, __tsan_mutex_try_lock, 0);
        }
#endif
        note_acquired(rc);
        return true;
    }
}

}  // namespace mp::sync
