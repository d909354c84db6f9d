#include "sync/internal/futex.hpp"

#include <cerrno>
#include <ctime>
#include <thread>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace mp::sync::internal {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the futex word must be a plain lock-free 32-bit word");

#ifdef __linux__

namespace {

std::uint32_t* address(const std::atomic<std::uint32_t>& word) {
    return reinterpret_cast<std::uint32_t*>(const_cast<std::atomic<std::uint32_t>*>(&word));
}

}  // namespace

bool futex_wait_until(const std::atomic<std::uint32_t>& word, std::uint32_t expected, SteadyTime deadline) noexcept {
    if (word.load(std::memory_order_acquire) != expected) return true;
    timespec at{};
    const timespec* at_ptr = nullptr;
    if (deadline != SteadyTime::max()) {
        // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time: steady_clock's.
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
        if (ns <= 0) return std::chrono::steady_clock::now() < deadline;
        at.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
        at.tv_nsec = static_cast<long>(ns % 1'000'000'000);
        at_ptr = &at;
    }
    const long rc = syscall(SYS_futex, address(word), FUTEX_WAIT_BITSET, expected, at_ptr, nullptr,
                            FUTEX_BITSET_MATCH_ANY);
    if (rc != 0 && errno == ETIMEDOUT) return false;
    return true;  // woken, value changed (EAGAIN), or interrupted (EINTR): the caller re-checks
}

void futex_wake(const std::atomic<std::uint32_t>& word, int count) noexcept {
    syscall(SYS_futex, address(word), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

#else  // POSIX fallback: poll the word.

bool futex_wait_until(const std::atomic<std::uint32_t>& word, std::uint32_t expected, SteadyTime deadline) noexcept {
    const auto step = std::chrono::microseconds(200);
    while (word.load(std::memory_order_acquire) == expected) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(step, deadline - now));
    }
    return true;
}

void futex_wake(const std::atomic<std::uint32_t>&, int) noexcept {}

#endif

}  // namespace mp::sync::internal
