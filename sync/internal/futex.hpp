// Waiting on a 32-bit word in shared memory, and waking its waiters, across
// processes. Linux: the futex syscall (shared, not private, so it works between
// processes mapping the same memory at different addresses). Elsewhere: a short
// sleep-and-recheck loop, correct but slower. The one futex wrapper of sync and
// the libraries above it (ipc's ring events sleep on it too).
#pragma once

#include <atomic>
#include <cstdint>

#include "sync/internal/deadline.hpp"

namespace mp::sync::internal {

// Blocks while `word` still holds `expected`, until woken or `deadline` passes.
// Returns at once when the word differs. May return spuriously: callers re-check
// their condition. Returns false only when the deadline has passed.
bool futex_wait_until(const std::atomic<std::uint32_t>& word, std::uint32_t expected, SteadyTime deadline) noexcept;

// Wakes up to `count` waiters of `word` (all of them for INT32_MAX).
void futex_wake(const std::atomic<std::uint32_t>& word, int count) noexcept;

inline void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept { futex_wake(word, INT32_MAX); }

}  // namespace mp::sync::internal
