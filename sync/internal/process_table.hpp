// A small fixed table of processes and counts, kept inside shared state under the
// state's mutex: which processes hold how many semaphore slots, which processes
// have how many threads waiting at a barrier. It lets the survivors find and undo
// what a dead process left behind.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sync/internal/process_identity.hpp"

namespace mp::sync::internal {

struct ProcessCount {
    ProcessIdentity process;
    std::uint32_t count = 0;  // 0: free entry
};

struct ProcessTable {
    static constexpr std::size_t kCapacity = 64;
    ProcessCount entries[kCapacity];
    // Counts that did not fit (more than kCapacity processes at once): they work
    // but cannot be reclaimed if their process dies.
    std::uint32_t untracked = 0;

    // Adds `n` to the process's count. Entries match on pid and start time: a
    // dead process's entry is never credited to a new process that reused its pid.
    void add(const ProcessIdentity& process, std::uint32_t n);
    // Takes up to `n` from the process's count (then from untracked); returns how
    // much was taken.
    std::uint32_t take(const ProcessIdentity& process, std::uint32_t n);
    // Removes every entry whose process is dead; returns the sum of their counts.
    std::uint32_t remove_dead();
    // The number of entries in use.
    std::size_t size() const;
};

}  // namespace mp::sync::internal
