// The shared state of each primitive, as laid out in its mapping. Plain structs:
// constructed once by the creator (see Segment), never destroyed, read by
// `bin/sync ls` through describe() in named.cpp.
#pragma once

#include <atomic>
#include <cstdint>

#include "sync/internal/process_table.hpp"
#include "sync/process_mutex.hpp"

namespace mp::sync::internal {

struct LockState {
    explicit LockState(ProcessMutex::Kind kind) : mutex(kind) {}
    ProcessMutex mutex;
};

// The count is a lock-free futex word, as in a POSIX sem_t; the mutex guards only
// the holder table.
struct SemaphoreState {
    SemaphoreState(std::uint32_t initial, bool bounded, bool track)
        : value(initial), initial(initial), bounded(bounded), track_holders(track) {}
    std::atomic<std::uint32_t> value;    // free slots; futex word the waiters sleep on
    std::atomic<std::uint32_t> waiters{0};
    std::uint32_t initial;
    bool bounded;
    bool track_holders;
    ProcessMutex mutex;    // guards holders
    ProcessTable holders;  // who holds slots (when track_holders)
};

// One futex word: bit 0 is the flag, the rest a generation count bumped by every
// set() that changes the flag, so a waiter woken by set() returns true even if
// clear() came before it ran.
struct EventState {
    std::atomic<std::uint32_t> word{0};
};

struct ConditionState {
    explicit ConditionState(ProcessMutex::Kind kind) : mutex(kind) {}
    ProcessMutex mutex;  // the condition's own lock; unused by one built over a Lock or RLock
    std::atomic<std::uint32_t> wake_seq{0};  // futex word: bumped by each notify
};

// Python's threading.Barrier states.
enum class BarrierPhase : std::int32_t { filling = 0, draining = 1, resetting = -1, broken = -2 };

struct BarrierState {
    explicit BarrierState(std::uint32_t parties) : parties(parties) {}
    ProcessMutex mutex;
    std::atomic<std::uint32_t> wake_seq{0};  // futex word: bumped on every phase change
    std::uint32_t parties;
    std::uint32_t count = 0;  // threads inside wait()
    BarrierPhase phase = BarrierPhase::filling;
    ProcessTable waiting;  // which processes have threads inside wait()
};

}  // namespace mp::sync::internal
