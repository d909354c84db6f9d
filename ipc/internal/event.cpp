#include "ipc/internal/event.hpp"

#include <climits>
#include <thread>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace mp::ipc::detail {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the futex word must be a plain 32-bit word");

#ifdef __linux__

// Shared futexes (no FUTEX_PRIVATE_FLAG): the word lives in memory shared between
// processes. FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline, which
// is what steady_clock measures on Linux.
void Event::wait(std::uint32_t seen, std::chrono::steady_clock::time_point deadline) noexcept {
    timespec limit{};
    timespec* limit_ptr = nullptr;
    if (deadline != std::chrono::steady_clock::time_point::max()) {
        const auto ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count();
        limit.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
        limit.tv_nsec = static_cast<long>(ns % 1'000'000'000);
        limit_ptr = &limit;
    }
    // EINTR, EAGAIN (the word moved on) and ETIMEDOUT all mean: go and re-check.
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&sequence_), FUTEX_WAIT_BITSET, seen, limit_ptr,
              nullptr, FUTEX_BITSET_MATCH_ANY);
}

void Event::wake_all() noexcept {
    sequence_.fetch_add(1);
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&sequence_), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

#else

// Without futexes: poll the word every millisecond. Correct, just slower to wake.
void Event::wait(std::uint32_t seen, std::chrono::steady_clock::time_point deadline) noexcept {
    while (sequence_.load() == seen && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Event::wake_all() noexcept { sequence_.fetch_add(1); }

#endif

}  // namespace mp::ipc::detail
